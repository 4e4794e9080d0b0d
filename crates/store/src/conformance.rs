//! The backend conformance suite: the executable statement of what a [`Store`] must do.
//!
//! Every backend runs it from its own integration test, e.g. for the embedded store
//! (`tests/conformance.rs`):
//!
//! ```ignore
//! tertulia_store::conformance::run_all(&fresh_store, &same_store_again);
//! ```
//!
//! Each function takes `fresh`, a factory that returns a new, empty store on every call, and
//! panics with a message naming the broken rule. [`check_aggregates`] (stats and rollups equal a
//! recount over [`Store::for_each_post`]) is public so property tests can drive it with random
//! sequences of operations ([`apply_and_check`]).

use crate::{
    ALL_POSTS, Annotation, RollupAgg, RollupFilter, RollupGroup, RollupQuery, RollupRow, Stats,
    Store, StoreError, UNKNOWN_SENTIMENT, UpsertSummary, bucket_start, effective_lang, engagement,
    reach,
};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeMap;
use tertulia_model::{
    Emotion, Enrichment, Item, Network, Post, PostKey, PostKind, Sentiment, Tombstone,
};

/// A factory of stores: each call returns a store (empty, for `fresh`).
pub type Factory<'a> = &'a dyn Fn() -> Box<dyn Store>;

fn ok<T>(r: Result<T, StoreError>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

/// A UTC time from RFC 3339 text (panics on bad text: test data only).
pub fn ts(s: &str) -> DateTime<Utc> {
    match DateTime::parse_from_rfc3339(s) {
        Ok(t) => t.with_timezone(&Utc),
        Err(e) => panic!("bad test time {s:?}: {e}"),
    }
}

/// A realistic X post with text, author, metrics, time and a raw object.
pub fn sample_post(network: Network, id: &str, text: &str) -> Post {
    let mut p = Post::new(network, id, PostKind::Post);
    p.text = text.to_string();
    p.author.handle = Some("ana".into());
    p.author.followers = Some(100);
    p.lang = Some("es".into());
    p.created_at = Some(ts("2015-02-24T11:35:52Z"));
    p.metrics.likes = Some(3);
    p.metrics.reshares = Some(1);
    p.raw = json!({"id": id, "text": text});
    p
}

/// An enrichment with the given language and sentiment.
pub fn enrichment(lang: &str, sentiment: Sentiment) -> Enrichment {
    Enrichment {
        lang: lang.to_string(),
        sentiment,
        sentiment_score: match sentiment {
            Sentiment::Positive => 0.5,
            Sentiment::Neutral => 0.0,
            Sentiment::Negative => -0.5,
        },
        intents: Vec::new(),
        emotion: Emotion::None,
        offensive: false,
    }
}

fn item(p: &Post) -> Item {
    Item::Post(Box::new(p.clone()))
}

fn tomb(network: Network, native_id: Option<&str>, alt_id: Option<&str>) -> Item {
    Item::Delete(Tombstone {
        network,
        native_id: native_id.map(str::to_string),
        alt_id: alt_id.map(str::to_string),
        deleted_at: None,
    })
}

fn key(network: Network, id: &str) -> PostKey {
    PostKey {
        network,
        native_id: id.to_string(),
    }
}

fn counts(s: &UpsertSummary) -> [u64; 4] {
    [s.imported, s.updated, s.duplicates, s.deleted]
}

fn upsert(store: &dyn Store, items: &[Item]) -> UpsertSummary {
    ok(store.upsert(items), "upsert")
}

fn get(store: &dyn Store, k: &PostKey) -> Post {
    match ok(store.get(k), "get") {
        Some(p) => p,
        None => panic!("post {k} should be stored"),
    }
}

/// Every stored post, in the order `for_each_post` gives.
pub fn all_posts(store: &dyn Store) -> Vec<Post> {
    let mut out = Vec::new();
    ok(
        store.for_each_post(&mut |p| {
            out.push(p);
            Ok(())
        }),
        "for_each_post",
    );
    out
}

type RollupMap = BTreeMap<(Option<DateTime<Utc>>, Network, PostKind, String, String), [u64; 3]>;

fn rollup_map(rows: &[RollupRow]) -> RollupMap {
    let mut m = RollupMap::new();
    for r in rows {
        let k = (
            r.hour,
            r.network,
            r.kind,
            r.sentiment.clone(),
            r.brand.clone(),
        );
        if m.insert(k.clone(), [r.posts, r.engagement, r.reach])
            .is_some()
        {
            panic!("rollup row {k:?} returned twice");
        }
        assert!(
            r.posts > 0,
            "rollup row {k:?} with zero posts should be pruned"
        );
    }
    m
}

/// Recomputes stats and rollups from the stored posts and panics if the store's maintained
/// aggregates differ. The rules: stats count every stored post (deleted ones too); rollups
/// count non-deleted posts once under brand `""` and once per distinct non-empty brand.
pub fn check_aggregates(store: &dyn Store) {
    let posts = all_posts(store);
    let mut stats = Stats::default();
    let mut roll = RollupMap::new();
    for p in &posts {
        stats.total += 1;
        stats.deleted += u64::from(p.deleted);
        *stats.by_network.entry(p.network.to_string()).or_default() += 1;
        *stats.by_kind.entry(p.kind.to_string()).or_default() += 1;
        *stats
            .by_language
            .entry(effective_lang(p).to_string())
            .or_default() += 1;
        let day = p
            .created_at
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "unknown".into());
        *stats.by_day.entry(day).or_default() += 1;
        if p.deleted {
            continue;
        }
        let hour = p.created_at.and_then(|t| {
            DateTime::<Utc>::from_timestamp(t.timestamp().div_euclid(3600) * 3600, 0)
        });
        let sentiment = p
            .enrichment
            .as_ref()
            .map(|e| e.sentiment.to_string())
            .unwrap_or_else(|| UNKNOWN_SENTIMENT.to_string());
        let mut brands: Vec<&str> = vec![ALL_POSTS];
        for b in &p.brands {
            if !b.is_empty() && !brands[1..].contains(&b.as_str()) {
                brands.push(b);
            }
        }
        for b in brands {
            let e = roll
                .entry((hour, p.network, p.kind, sentiment.clone(), b.to_string()))
                .or_insert([0; 3]);
            e[0] += 1;
            e[1] += engagement(p);
            e[2] += reach(p);
        }
    }
    assert_eq!(
        ok(store.count(), "count"),
        stats.total,
        "count() vs recount"
    );
    assert_eq!(ok(store.stats(), "stats"), stats, "stats() vs recount");
    let rows = ok(store.rollups(&RollupFilter::default()), "rollups");
    assert_eq!(rollup_map(&rows), roll, "rollups() vs recount");
    check_series(store, &roll);
    check_feed(store, &posts);
}

type AggKey = (
    Option<DateTime<Utc>>,
    Option<Network>,
    Option<PostKind>,
    Option<String>,
    Option<String>,
);

/// Sums recounted hourly rows the way [`Store::rollup_series`] must.
fn series_of(roll: &RollupMap, q: &RollupQuery) -> BTreeMap<AggKey, [u64; 3]> {
    let mut out: BTreeMap<AggKey, [u64; 3]> = BTreeMap::new();
    let f = &q.filter;
    let g = q.group;
    for ((hour, network, kind, sentiment, brand), v) in roll {
        let t = hour.map(|h| h.timestamp());
        let in_range = match t {
            Some(t) => {
                f.from.is_none_or(|x| t >= x.timestamp()) && f.to.is_none_or(|x| t < x.timestamp())
            }
            None => f.from.is_none() && f.to.is_none(),
        };
        let brand_ok = if f.brands.is_empty() {
            g.brand || brand == ALL_POSTS
        } else {
            f.brands.contains(brand)
        };
        if !in_range || !brand_ok || !(f.networks.is_empty() || f.networks.contains(network)) {
            continue;
        }
        let bucket = match (q.bucket_secs, t) {
            (Some(w), Some(t)) => DateTime::<Utc>::from_timestamp(bucket_start(t, w as i64), 0),
            _ => None,
        };
        let k = (
            bucket,
            g.network.then_some(*network),
            g.kind.then_some(*kind),
            g.sentiment.then(|| sentiment.clone()),
            g.brand.then(|| brand.clone()),
        );
        let e = out.entry(k).or_insert([0; 3]);
        for (a, b) in e.iter_mut().zip(v) {
            *a += b;
        }
    }
    out
}

fn agg_map(rows: &[RollupAgg], what: &str) -> BTreeMap<AggKey, [u64; 3]> {
    let mut m = BTreeMap::new();
    for r in rows {
        let k = (
            r.bucket,
            r.network,
            r.kind,
            r.sentiment.clone(),
            r.brand.clone(),
        );
        assert!(r.posts > 0, "{what}: group {k:?} with zero posts");
        if m.insert(k.clone(), [r.posts, r.engagement, r.reach])
            .is_some()
        {
            panic!("{what}: group {k:?} returned twice");
        }
    }
    m
}

/// Checks [`Store::rollup_series`] (daily and hourly paths, several bucket widths and
/// groupings) against a recount of the hourly rows.
fn check_series(store: &dyn Store, roll: &RollupMap) {
    let all = RollupGroup {
        network: true,
        kind: false,
        sentiment: true,
        brand: true,
    };
    let queries = [
        // Daily rollups: day, week and no buckets, every dimension but kind.
        (Some(RollupQuery::DAY), all, RollupFilter::default()),
        (Some(RollupQuery::WEEK), all, RollupFilter::default()),
        (None, all, RollupFilter::default()),
        (
            Some(RollupQuery::DAY),
            RollupGroup::default(),
            RollupFilter::default(),
        ),
        // Hourly rollups: hour buckets, kind grouped, a range that is not day-aligned.
        (
            Some(RollupQuery::HOUR),
            RollupGroup { kind: true, ..all },
            RollupFilter::default(),
        ),
        (
            Some(RollupQuery::DAY),
            RollupGroup { kind: true, ..all },
            RollupFilter::default(),
        ),
        (
            Some(RollupQuery::DAY),
            all,
            RollupFilter {
                from: Some(ts("2015-02-20T05:00:00Z")),
                to: Some(ts("2015-02-25T13:00:00Z")),
                ..Default::default()
            },
        ),
        (
            Some(RollupQuery::WEEK),
            RollupGroup {
                sentiment: true,
                ..Default::default()
            },
            RollupFilter {
                from: Some(ts("2015-02-21T00:00:00Z")),
                brands: vec!["a".into(), "b".into()],
                ..Default::default()
            },
        ),
    ];
    for (bucket_secs, group, filter) in queries {
        let q = RollupQuery {
            filter,
            bucket_secs,
            group,
        };
        let got = ok(store.rollup_series(&q), "rollup_series");
        let what = format!("rollup_series({q:?})");
        let mut sorted = got.clone();
        sorted.sort_by(|a, b| {
            (
                a.bucket,
                a.network.map(|n| n.as_str()),
                a.kind.map(|k| k.as_str()),
                &a.sentiment,
                &a.brand,
            )
                .cmp(&(
                    b.bucket,
                    b.network.map(|n| n.as_str()),
                    b.kind.map(|k| k.as_str()),
                    &b.sentiment,
                    &b.brand,
                ))
        });
        assert_eq!(got, sorted, "{what}: order");
        assert_eq!(
            agg_map(&got, &what),
            series_of(roll, &q),
            "{what} vs recount"
        );
    }
}

/// Checks the change feed: every stored post once, in strictly increasing `seq`, the highest
/// being [`Store::last_change`]; paging with a small `limit` gives the same.
fn check_feed(store: &dyn Store, posts: &[Post]) {
    let mut feed: Vec<(u64, Post)> = Vec::new();
    let last = ok(
        store.changes_since(0, usize::MAX, &mut |seq, p| {
            feed.push((seq, p));
            Ok(())
        }),
        "changes_since",
    );
    let last_change = ok(store.last_change(), "last_change");
    assert!(
        feed.windows(2).all(|w| w[0].0 < w[1].0),
        "change feed seqs strictly increase"
    );
    assert_eq!(
        last,
        feed.last().map_or(0, |f| f.0),
        "changes_since returns the highest seq visited"
    );
    assert!(last <= last_change, "no post has a seq above last_change");
    let mut a: Vec<String> = feed
        .iter()
        .map(|(_, p)| serde_json::to_string(p).unwrap_or_default())
        .collect();
    let mut b: Vec<String> = posts
        .iter()
        .map(|p| serde_json::to_string(p).unwrap_or_default())
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "changes_since(0) gives every stored post once");
    // Paging by 2 from each returned seq gives the same sequence.
    let mut paged = Vec::new();
    let mut since = 0;
    loop {
        let before = paged.len();
        since = ok(
            store.changes_since(since, 2, &mut |seq, _| {
                paged.push(seq);
                Ok(())
            }),
            "changes_since",
        );
        assert!(paged.len() - before <= 2, "limit is respected");
        if paged.len() == before {
            break;
        }
    }
    let seqs: Vec<u64> = feed.iter().map(|f| f.0).collect();
    assert_eq!(paged, seqs, "paging the feed");
    assert_eq!(since, last, "paging ends at the last seq");
}

/// One step of a generated scenario.
#[derive(Debug, Clone)]
pub enum Op {
    /// Upsert these items in one batch.
    Upsert(Vec<Item>),
    /// Annotate these posts.
    Annotate(Vec<Annotation>),
}

/// Applies `ops` to a fresh store, checking the aggregates after every step.
pub fn apply_and_check(fresh: Factory<'_>, ops: &[Op]) {
    let store = fresh();
    for op in ops {
        match op {
            Op::Upsert(items) => {
                let s = upsert(&*store, items);
                assert_eq!(s.items(), items.len() as u64, "one outcome per item: {s:?}");
            }
            Op::Annotate(a) => {
                ok(store.annotate(a), "annotate");
            }
        }
        check_aggregates(&*store);
    }
}

/// New keys are imported, the same content again is a duplicate, changed content an update.
pub fn insert_duplicate_update_counts(fresh: Factory<'_>) {
    let store = fresh();
    let a = sample_post(Network::X, "1", "hola");
    let b = sample_post(Network::Reddit, "t3_b", "hello");
    let s = upsert(&*store, &[item(&a), item(&b)]);
    assert_eq!(counts(&s), [2, 0, 0, 0], "first import");
    assert_eq!(s.by_network[&Network::X].imported, 1);
    assert_eq!(s.by_network[&Network::Reddit].imported, 1);
    assert_eq!(ok(store.count(), "count"), 2);
    let s = upsert(&*store, &[item(&a), item(&b)]);
    assert_eq!(counts(&s), [0, 0, 2, 0], "re-import is all duplicates");
    let mut a2 = a.clone();
    a2.text = "hola editado".into();
    a2.metrics.likes = Some(10);
    let s = upsert(&*store, &[item(&a2)]);
    assert_eq!(counts(&s), [0, 1, 0, 0], "an edit updates");
    assert_eq!(ok(store.count(), "count"), 2, "an edit never duplicates");
    let got = get(&*store, &a.key());
    assert_eq!(got.text, "hola editado");
    assert_eq!(got.metrics.likes, Some(10));
    assert_eq!(ok(store.get(&key(Network::X, "nope")), "get"), None);
    assert_eq!(
        ok(store.upsert(&[]), "empty upsert"),
        UpsertSummary::default()
    );
    check_aggregates(&*store);
}

/// An absent field in a newer version keeps the known value; present fields win.
pub fn merge_keeps_known_fields(fresh: Factory<'_>) {
    let store = fresh();
    let mut full = Post::new(Network::Facebook, "10_20", PostKind::Comment);
    full.text = "¡Pésimo servicio!".into();
    full.author.name = Some("Ana".into());
    full.author.id = Some("99".into());
    full.created_at = Some(ts("2024-05-01T10:00:00Z"));
    full.metrics.likes = Some(1);
    full.parent_id = Some("10".into());
    full.raw = json!({"id": "10_20", "message": "¡Pésimo servicio!", "like_count": 1});
    upsert(&*store, &[item(&full)]);
    // Fetched again without `message` (not requested), with a newer like count.
    let mut partial = Post::new(Network::Facebook, "10_20", PostKind::Comment);
    partial.metrics.likes = Some(4);
    partial.raw = json!({"id": "10_20", "like_count": 4});
    let s = upsert(&*store, &[item(&partial)]);
    assert_eq!(counts(&s), [0, 1, 0, 0], "new metrics update");
    let got = get(&*store, &full.key());
    assert_eq!(got.text, full.text, "absent message keeps the text");
    assert_eq!(got.author.name.as_deref(), Some("Ana"));
    assert_eq!(got.parent_id.as_deref(), Some("10"));
    assert_eq!(got.created_at, full.created_at);
    assert_eq!(got.metrics.likes, Some(4), "newer metric wins");
    assert_eq!(
        got.raw,
        json!({"id": "10_20", "message": "¡Pésimo servicio!", "like_count": 4}),
        "raw objects merge key by key"
    );
    let s = upsert(&*store, &[item(&partial)]);
    assert_eq!(
        counts(&s),
        [0, 0, 1, 0],
        "a partial version already merged is a duplicate"
    );
    check_aggregates(&*store);
}

/// A deletion flags the post; re-applying it is a duplicate; later versions keep the flag.
pub fn delete_is_sticky(fresh: Factory<'_>) {
    let store = fresh();
    let p = sample_post(Network::X, "5", "borrame");
    upsert(&*store, &[item(&p)]);
    let s = upsert(&*store, &[tomb(Network::X, Some("5"), None)]);
    assert_eq!(counts(&s), [0, 0, 0, 1], "tombstone flags");
    assert_eq!(s.by_network[&Network::X].deleted, 1);
    assert!(get(&*store, &p.key()).deleted);
    let s = upsert(&*store, &[tomb(Network::X, Some("5"), None)]);
    assert_eq!(
        counts(&s),
        [0, 0, 1, 0],
        "same tombstone again is a duplicate"
    );
    let mut again = p.clone();
    again.metrics.likes = Some(99);
    let s = upsert(&*store, &[item(&again)]);
    assert_eq!(counts(&s), [0, 1, 0, 0]);
    let got = get(&*store, &p.key());
    assert!(got.deleted, "deleted is sticky");
    assert_eq!(got.metrics.likes, Some(99));
    assert_eq!(ok(store.count(), "count"), 1);
    let posts = all_posts(&*store);
    assert_eq!(posts.len(), 1, "deleted posts are exported, flagged");
    assert!(posts[0].deleted);
    assert_eq!(ok(store.stats(), "stats").deleted, 1);
    assert!(
        ok(store.rollups(&RollupFilter::default()), "rollups").is_empty(),
        "deleted posts leave the rollups"
    );
    check_aggregates(&*store);
}

/// A tombstone for a post not seen yet is remembered; the post arrives already deleted.
pub fn tombstone_before_post(fresh: Factory<'_>) {
    let store = fresh();
    let s = upsert(
        &*store,
        &[tomb(
            Network::Bluesky,
            Some("at://did:plc:a/app.bsky.feed.post/1"),
            None,
        )],
    );
    assert_eq!(
        counts(&s),
        [0, 0, 0, 1],
        "an unseen tombstone is remembered"
    );
    assert_eq!(ok(store.count(), "count"), 0, "placeholders are not posts");
    assert!(
        all_posts(&*store).is_empty(),
        "placeholders are not exported"
    );
    let k = key(Network::Bluesky, "at://did:plc:a/app.bsky.feed.post/1");
    assert_eq!(ok(store.get(&k), "get"), None);
    let s = upsert(&*store, &[tomb(Network::Bluesky, Some(&k.native_id), None)]);
    assert_eq!(
        counts(&s),
        [0, 0, 1, 0],
        "remembered tombstone again is a duplicate"
    );
    let p = sample_post(Network::Bluesky, &k.native_id, "hola");
    let s = upsert(&*store, &[item(&p)]);
    assert_eq!(counts(&s), [1, 0, 0, 0], "the post itself is new");
    assert!(get(&*store, &k).deleted, "it arrives already deleted");
    let s = upsert(&*store, &[item(&p)]);
    assert_eq!(counts(&s), [0, 0, 1, 0], "and stays one post");
    check_aggregates(&*store);
}

/// Tombstones carrying only the alternative id (Mastodon local id) resolve through it.
pub fn tombstone_by_alt_id(fresh: Factory<'_>) {
    let store = fresh();
    let mut p = sample_post(
        Network::Mastodon,
        "https://mastodon.social/users/ana/statuses/1",
        "hola",
    );
    p.alt_id = Some("1091".into());
    upsert(&*store, &[item(&p)]);
    let s = upsert(&*store, &[tomb(Network::Mastodon, None, Some("1091"))]);
    assert_eq!(counts(&s), [0, 0, 0, 1]);
    assert!(get(&*store, &p.key()).deleted);
    let s = upsert(&*store, &[tomb(Network::Mastodon, None, Some("1091"))]);
    assert_eq!(counts(&s), [0, 0, 1, 0]);
    // The same local id on another network is another post.
    let s = upsert(&*store, &[tomb(Network::X, None, Some("1091"))]);
    assert_eq!(
        counts(&s),
        [0, 0, 0, 1],
        "remembered for x, not applied to mastodon's"
    );
    // Alt-id tombstone before the post.
    let s = upsert(&*store, &[tomb(Network::Mastodon, None, Some("2002"))]);
    assert_eq!(counts(&s), [0, 0, 0, 1]);
    let mut q = sample_post(
        Network::Mastodon,
        "https://mastodon.social/users/ana/statuses/2",
        "adios",
    );
    q.alt_id = Some("2002".into());
    let s = upsert(&*store, &[item(&q)]);
    assert_eq!(counts(&s), [1, 0, 0, 0]);
    assert!(
        get(&*store, &q.key()).deleted,
        "pending alt-id tombstone applies on arrival"
    );
    check_aggregates(&*store);
}

/// Several versions of one post in one batch are applied in order.
pub fn same_key_twice_in_batch(fresh: Factory<'_>) {
    let store = fresh();
    let v1 = sample_post(Network::X, "7", "v1");
    let mut v2 = v1.clone();
    v2.text = "v2".into();
    v2.edited_at = Some(ts("2015-02-24T12:00:00Z"));
    let b = sample_post(Network::X, "8", "b");
    let s = upsert(&*store, &[item(&v1), item(&v2), item(&b), item(&b)]);
    assert_eq!(counts(&s), [2, 1, 1, 0]);
    assert_eq!(get(&*store, &v1.key()).text, "v2");
    let s = upsert(
        &*store,
        &[
            tomb(Network::X, Some("9"), None),
            item(&sample_post(Network::X, "9", "x")),
        ],
    );
    assert_eq!(counts(&s), [1, 0, 0, 1], "tombstone then post in one batch");
    assert!(get(&*store, &key(Network::X, "9")).deleted);
    assert_eq!(ok(store.count(), "count"), 3);
    check_aggregates(&*store);
}

/// `for_each_post` gives every post once, in insertion order, updates keeping their place;
/// an error from the callback stops the walk and comes back.
pub fn export_in_insertion_order(fresh: Factory<'_>) {
    let store = fresh();
    let n = 700; // more than one page of any sensible page size
    let ids: Vec<String> = (0..n).map(|i| format!("{}", 10_000 - i)).collect();
    let items: Vec<Item> = ids
        .iter()
        .map(|id| item(&sample_post(Network::X, id, id)))
        .collect();
    upsert(&*store, &items[..100]);
    upsert(&*store, &items[100..]);
    let mut edit = sample_post(Network::X, &ids[5], "edited");
    edit.metrics.views = Some(5);
    upsert(&*store, &[item(&edit)]);
    let got: Vec<String> = all_posts(&*store)
        .into_iter()
        .map(|p| p.native_id)
        .collect();
    assert_eq!(got, ids, "insertion order, updates in place");
    let mut seen = 0;
    let r = store.for_each_post(&mut |_| {
        seen += 1;
        if seen == 3 {
            Err(StoreError::io(
                "writing export",
                std::io::Error::other("disk full"),
            ))
        } else {
            Ok(())
        }
    });
    assert!(
        matches!(r, Err(StoreError::Io { .. })),
        "callback error comes back"
    );
    assert_eq!(seen, 3, "and stops the walk");
}

/// Stats count by network, kind, language (enrichment, else source, else `und`) and UTC day.
pub fn stats_counts(fresh: Factory<'_>) {
    let store = fresh();
    let mut a = sample_post(Network::X, "1", "hola");
    a.created_at = Some(ts("2015-02-24T23:59:59Z"));
    let mut b = sample_post(Network::X, "2", "hello");
    b.kind = PostKind::Reply;
    b.created_at = Some(ts("2015-02-25T00:00:00Z"));
    b.enrichment = Some(enrichment("en", Sentiment::Positive));
    let mut c = sample_post(Network::Youtube, "Ugx", "olá");
    c.kind = PostKind::Comment;
    c.lang = None;
    c.created_at = None;
    upsert(&*store, &[item(&a), item(&b), item(&c)]);
    let s = ok(store.stats(), "stats");
    let m = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    };
    assert_eq!(s.total, 3);
    assert_eq!(s.deleted, 0);
    assert_eq!(s.by_network, m(&[("x", 2), ("youtube", 1)]));
    assert_eq!(s.by_kind, m(&[("post", 1), ("reply", 1), ("comment", 1)]));
    assert_eq!(s.by_language, m(&[("es", 1), ("en", 1), ("und", 1)]));
    assert_eq!(
        s.by_day,
        m(&[("2015-02-24", 1), ("2015-02-25", 1), ("unknown", 1)])
    );
    // Re-enrichment moves a post between languages.
    ok(
        store.annotate(&[Annotation::enrichment(
            c.key(),
            enrichment("pt", Sentiment::Neutral),
        )]),
        "annotate",
    );
    let s = ok(store.stats(), "stats");
    assert_eq!(s.by_language, m(&[("es", 1), ("en", 1), ("pt", 1)]));
    check_aggregates(&*store);
}

/// Annotate sets enrichment and/or brands, skips unknown keys and counts only real changes.
pub fn annotate_changes(fresh: Factory<'_>) {
    let store = fresh();
    let mut a = sample_post(Network::X, "1", "me encanta @iberia");
    a.brands = vec!["iberia".into()];
    upsert(&*store, &[item(&a)]);
    let e = enrichment("es", Sentiment::Positive);
    let n = ok(
        store.annotate(&[
            Annotation::enrichment(a.key(), e.clone()),
            Annotation::brands(key(Network::X, "missing"), vec!["x".into()]),
        ]),
        "annotate",
    );
    assert_eq!(n, 1, "unknown keys are skipped");
    let got = get(&*store, &a.key());
    assert_eq!(got.enrichment, Some(e.clone()));
    assert_eq!(
        got.brands,
        vec!["iberia".to_string()],
        "brands None leaves them"
    );
    let n = ok(
        store.annotate(&[Annotation::enrichment(a.key(), e)]),
        "annotate",
    );
    assert_eq!(n, 0, "no change, no count");
    let n = ok(
        store.annotate(&[Annotation::brands(a.key(), vec![])]),
        "annotate",
    );
    assert_eq!(n, 1);
    assert!(
        get(&*store, &a.key()).brands.is_empty(),
        "Some(empty) clears brands"
    );
    check_aggregates(&*store);
}

/// Rollups follow inserts, updates, annotations and deletes exactly.
pub fn rollups_after_insert_update_annotate(fresh: Factory<'_>) {
    let store = fresh();
    let h11 = Some(ts("2015-02-24T11:00:00Z"));
    let mut a = sample_post(Network::X, "1", "@united perdió mi maleta");
    a.brands = vec!["united".into()];
    a.author.followers = Some(100);
    a.metrics = Default::default();
    a.metrics.likes = Some(2);
    let mut b = sample_post(Network::X, "2", "@united @delta meh");
    b.brands = vec!["united".into(), "delta".into(), "united".into()];
    b.author.followers = Some(50);
    b.metrics = Default::default();
    b.created_at = Some(ts("2015-02-24T11:59:59Z"));
    upsert(&*store, &[item(&a), item(&b)]);
    let rows = ok(store.rollups(&RollupFilter::default()), "rollups");
    let want = |v: &[(&str, &str, u64, u64, u64)]| -> RollupMap {
        v.iter()
            .map(|(s, br, p, e, r)| {
                (
                    (
                        h11,
                        Network::X,
                        PostKind::Post,
                        s.to_string(),
                        br.to_string(),
                    ),
                    [*p, *e, *r],
                )
            })
            .collect()
    };
    assert_eq!(
        rollup_map(&rows),
        want(&[
            ("unknown", "", 2, 2, 150),
            ("unknown", "delta", 1, 0, 50),
            ("unknown", "united", 2, 2, 150),
        ]),
        "after insert"
    );
    // Update: new metrics and followers replace the old contribution.
    let mut a2 = a.clone();
    a2.metrics.likes = Some(5);
    a2.author.followers = Some(120);
    upsert(&*store, &[item(&a2)]);
    // Annotate: sentiment and brands change.
    ok(
        store.annotate(&[
            Annotation {
                key: a.key(),
                enrichment: Some(enrichment("es", Sentiment::Negative)),
                brands: None,
            },
            Annotation::brands(b.key(), vec!["delta".into()]),
        ]),
        "annotate",
    );
    let rows = ok(store.rollups(&RollupFilter::default()), "rollups");
    assert_eq!(
        rollup_map(&rows),
        want(&[
            ("negative", "", 1, 5, 120),
            ("negative", "united", 1, 5, 120),
            ("unknown", "", 1, 0, 50),
            ("unknown", "delta", 1, 0, 50),
        ]),
        "after update and annotate"
    );
    upsert(&*store, &[tomb(Network::X, Some("2"), None)]);
    let rows = ok(store.rollups(&RollupFilter::default()), "rollups");
    assert_eq!(
        rollup_map(&rows),
        want(&[
            ("negative", "", 1, 5, 120),
            ("negative", "united", 1, 5, 120)
        ]),
        "after delete"
    );
    check_aggregates(&*store);
}

/// Rollup filters: hour range `[from, to)`, networks, brands; posts without time only unfiltered.
pub fn rollup_filters(fresh: Factory<'_>) {
    let store = fresh();
    let mut a = sample_post(Network::X, "1", "a");
    a.created_at = Some(ts("2015-02-24T10:30:00Z"));
    a.brands = vec!["iberia".into()];
    let mut b = sample_post(Network::Reddit, "t1_b", "b");
    b.created_at = Some(ts("2015-02-24T11:10:00Z"));
    let mut c = sample_post(Network::X, "3", "c");
    c.created_at = None;
    upsert(&*store, &[item(&a), item(&b), item(&c)]);
    let all = ok(store.rollups(&RollupFilter::default()), "rollups");
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].hour, None, "unknown hour sorts first");
    let f = RollupFilter {
        from: Some(ts("2015-02-24T10:00:00Z")),
        to: Some(ts("2015-02-24T11:00:00Z")),
        ..Default::default()
    };
    let rows = ok(store.rollups(&f), "rollups");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter()
            .all(|r| r.hour == Some(ts("2015-02-24T10:00:00Z")))
    );
    let f = RollupFilter {
        networks: vec![Network::Reddit],
        ..Default::default()
    };
    let rows = ok(store.rollups(&f), "rollups");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].network, Network::Reddit);
    let f = RollupFilter {
        brands: vec!["iberia".into()],
        ..Default::default()
    };
    let rows = ok(store.rollups(&f), "rollups");
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].brand.as_str(), rows[0].posts), ("iberia", 1));
    let f = RollupFilter {
        brands: vec!["iberia".into(), ALL_POSTS.into()],
        from: Some(ts("2015-02-24T00:00:00Z")),
        ..Default::default()
    };
    let total: u64 = ok(store.rollups(&f), "rollups")
        .iter()
        .filter(|r| r.brand.is_empty())
        .map(|r| r.posts)
        .sum();
    assert_eq!(total, 2, "timed posts only");
}

/// An invalid item rolls back its whole batch.
pub fn invalid_item_rolls_back_the_batch(fresh: Factory<'_>) {
    let store = fresh();
    let good = sample_post(Network::X, "1", "ok");
    let bad = Post::new(Network::X, "", PostKind::Post);
    let r = store.upsert(&[item(&good), item(&bad)]);
    assert!(matches!(r, Err(StoreError::InvalidItem { .. })), "{r:?}");
    assert_eq!(
        ok(store.count(), "count"),
        0,
        "nothing of the batch is kept"
    );
    let long = Post::new(Network::X, "9".repeat(5000), PostKind::Post);
    assert!(store.upsert(&[item(&long)]).is_err());
    check_aggregates(&*store);
}

/// Posts, tombstones and aggregates survive closing and reopening the store. `same` must
/// open the same (initially empty) store on every call.
pub fn reopen_persists(same: Factory<'_>) {
    let mut p = sample_post(Network::X, "1", "persist");
    p.brands = vec!["b".into()];
    {
        let store = same();
        upsert(&*store, &[item(&p), tomb(Network::X, Some("2"), None)]);
    }
    let store = same();
    assert_eq!(get(&*store, &p.key()), p);
    assert_eq!(ok(store.count(), "count"), 1);
    let s = upsert(
        &*store,
        &[item(&p), item(&sample_post(Network::X, "2", "late"))],
    );
    assert_eq!(counts(&s), [1, 0, 1, 0]);
    assert!(
        get(&*store, &key(Network::X, "2")).deleted,
        "tombstone survived reopen"
    );
    check_aggregates(&*store);
}

/// A big batch (which a backend may process in a pipelined way) gives the same posts, summary
/// and aggregates as the same items in small batches: edits, duplicates and tombstones
/// included.
pub fn big_batch_equals_small_batches(fresh: Factory<'_>) {
    let mut items = Vec::new();
    for i in 0..1500u32 {
        let id = (i % 1100).to_string();
        let mut p = sample_post(Network::X, &id, &format!("text {i}"));
        p.alt_id = Some(format!("a{id}"));
        p.brands = vec![format!("b{}", i % 3)];
        if i % 7 == 0 {
            p.enrichment = Some(enrichment("en", Sentiment::Negative));
        }
        items.push(item(&p));
        if i % 50 == 0 {
            items.push(tomb(Network::X, Some(&((i + 3) % 1200).to_string()), None));
        }
        if i % 90 == 0 {
            items.push(tomb(
                Network::X,
                None,
                Some(&format!("a{}", (i + 1) % 1100)),
            ));
        }
        if i % 10 == 0 {
            items.push(item(&p));
        }
    }
    let big = fresh();
    let small = fresh();
    let s_big = upsert(&*big, &items);
    let mut s_small = UpsertSummary::default();
    for chunk in items.chunks(10) {
        s_small.merge(&upsert(&*small, chunk));
    }
    assert_eq!(s_big, s_small, "summaries");
    assert_eq!(s_big.items(), items.len() as u64);
    assert_eq!(all_posts(&*big), all_posts(&*small), "stored posts");
    assert_eq!(ok(big.stats(), "stats"), ok(small.stats(), "stats"));
    let f = RollupFilter::default();
    assert_eq!(
        ok(big.rollups(&f), "rollups"),
        ok(small.rollups(&f), "rollups")
    );
    check_aggregates(&*big);
}

/// The feed of changes after `since`, as `(seq, native_id, deleted)`.
fn feed(store: &dyn Store, since: u64) -> Vec<(u64, String, bool)> {
    let mut out = Vec::new();
    ok(
        store.changes_since(since, usize::MAX, &mut |seq, p| {
            out.push((seq, p.native_id, p.deleted));
            Ok(())
        }),
        "changes_since",
    );
    out
}

/// Every insert, update, annotation and tombstone that changes a post gives it a new, higher
/// change sequence number; duplicates and no-op annotations do not; the feed returns each
/// changed post once, deleted ones flagged.
pub fn change_feed(fresh: Factory<'_>) {
    let store = fresh();
    assert_eq!(ok(store.last_change(), "last_change"), 0, "empty store");
    assert_eq!(feed(&*store, 0), vec![], "empty feed");
    let none = ok(
        store.changes_since(7, 10, &mut |_, _| Ok(())),
        "changes_since",
    );
    assert_eq!(none, 7, "no change: since comes back");
    let a = sample_post(Network::X, "1", "uno");
    let b = sample_post(Network::X, "2", "dos");
    let c = sample_post(Network::X, "3", "tres");
    upsert(&*store, &[item(&a), item(&b), item(&c)]);
    let f = feed(&*store, 0);
    assert_eq!(
        f.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(),
        ["1", "2", "3"],
        "inserts in order"
    );
    assert!(
        f.windows(2).all(|w| w[0].0 < w[1].0),
        "increasing seq: {f:?}"
    );
    let s0 = ok(store.last_change(), "last_change");
    assert_eq!(s0, f[2].0, "last_change is the highest seq");

    // Duplicates, an already-merged partial version, an unknown annotation and a no-op
    // annotation change nothing.
    upsert(&*store, &[item(&a), item(&b)]);
    ok(
        store.annotate(&[
            Annotation::brands(key(Network::X, "nope"), vec!["x".into()]),
            Annotation::brands(a.key(), vec![]),
        ]),
        "annotate",
    );
    assert_eq!(
        ok(store.last_change(), "last_change"),
        s0,
        "duplicates do not bump"
    );
    assert_eq!(feed(&*store, s0), vec![], "nothing new in the feed");

    // Update (b), annotation (c), tombstone (a): each appears once, in that order.
    let mut b2 = b.clone();
    b2.text = "dos editado".into();
    upsert(&*store, &[item(&b2)]);
    ok(
        store.annotate(&[Annotation::enrichment(
            c.key(),
            enrichment("es", Sentiment::Positive),
        )]),
        "annotate",
    );
    upsert(&*store, &[tomb(Network::X, Some("1"), None)]);
    let f = feed(&*store, s0);
    assert_eq!(
        f.iter().map(|x| (x.1.as_str(), x.2)).collect::<Vec<_>>(),
        [("2", false), ("3", false), ("1", true)],
        "update, annotate, tombstone: once each, deleted flagged"
    );
    assert!(
        f[0].0 > s0 && f.windows(2).all(|w| w[0].0 < w[1].0),
        "{f:?}"
    );
    let s1 = ok(store.last_change(), "last_change");
    assert_eq!(s1, f[2].0);
    // The whole feed now has each post once, at its latest seq.
    let all = feed(&*store, 0);
    assert_eq!(
        all.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(),
        ["2", "3", "1"],
        "a post appears once, at its latest change"
    );
    // The same tombstone again is a duplicate.
    upsert(&*store, &[tomb(Network::X, Some("1"), None)]);
    assert_eq!(ok(store.last_change(), "last_change"), s1);
    // A remembered tombstone alone is not a post; its post arrives deleted with a new seq.
    upsert(&*store, &[tomb(Network::X, Some("4"), None)]);
    assert_eq!(
        feed(&*store, s1),
        vec![],
        "placeholders are not in the feed"
    );
    upsert(&*store, &[item(&sample_post(Network::X, "4", "cuatro"))]);
    let f = feed(&*store, s1);
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].1.as_str(), f[0].2), ("4", true));
    // limit.
    let mut n = 0;
    let last = ok(
        store.changes_since(0, 2, &mut |_, _| {
            n += 1;
            Ok(())
        }),
        "changes_since",
    );
    assert_eq!((n, last), (2, all[1].0), "limit 2 stops after two posts");
    // A callback error stops the feed and comes back.
    let r = store.changes_since(0, 10, &mut |_, _| {
        Err(StoreError::io("indexing", std::io::Error::other("full")))
    });
    assert!(matches!(r, Err(StoreError::Io { .. })), "{r:?}");
    check_aggregates(&*store);
}

/// [`Store::rollup_series`]: buckets (hour, day, Monday weeks), groupings, the brand rule,
/// ranges (day-aligned or not) and bad widths.
pub fn rollup_series_sums(fresh: Factory<'_>) {
    let store = fresh();
    // 2015-02-22 is a Sunday, 2015-02-23 a Monday.
    let mk = |id: &str, t: &str, net: Network, brands: &[&str], s: Option<Sentiment>| {
        let mut p = sample_post(net, id, "x");
        p.created_at = Some(ts(t));
        p.brands = brands.iter().map(|b| b.to_string()).collect();
        p.enrichment = s.map(|s| enrichment("es", s));
        p.metrics = Default::default();
        p.metrics.likes = Some(1);
        p.author.followers = Some(10);
        item(&p)
    };
    let mut undated = sample_post(Network::X, "u", "x");
    undated.created_at = None;
    upsert(
        &*store,
        &[
            mk(
                "1",
                "2015-02-22T23:30:00Z",
                Network::X,
                &["iberia"],
                Some(Sentiment::Negative),
            ),
            mk(
                "2",
                "2015-02-23T00:10:00Z",
                Network::X,
                &["iberia", "vueling"],
                None,
            ),
            mk(
                "3",
                "2015-02-23T10:00:00Z",
                Network::Reddit,
                &[],
                Some(Sentiment::Positive),
            ),
            mk(
                "4",
                "2015-03-02T09:00:00Z",
                Network::X,
                &["vueling"],
                Some(Sentiment::Negative),
            ),
            item(&undated),
        ],
    );
    let q = |bucket_secs, group, filter| RollupQuery {
        filter,
        bucket_secs,
        group,
    };
    let sum = |rows: &[RollupAgg]| rows.iter().map(|r| r.posts).sum::<u64>();
    // Totals, no buckets: every post once, undated included when no range.
    let rows = ok(
        store.rollup_series(&q(None, RollupGroup::default(), RollupFilter::default())),
        "rollup_series",
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].bucket, rows[0].posts, rows[0].engagement),
        (None, 5, 5 + 3)
    );
    // Weeks start on Monday: the Sunday post is in the week of 2015-02-16.
    let rows = ok(
        store.rollup_series(&q(
            Some(RollupQuery::WEEK),
            RollupGroup::default(),
            RollupFilter {
                from: Some(ts("2015-01-01T00:00:00Z")),
                ..Default::default()
            },
        )),
        "rollup_series",
    );
    let got: Vec<(Option<DateTime<Utc>>, u64)> = rows.iter().map(|r| (r.bucket, r.posts)).collect();
    assert_eq!(
        got,
        vec![
            (Some(ts("2015-02-16T00:00:00Z")), 1),
            (Some(ts("2015-02-23T00:00:00Z")), 2),
            (Some(ts("2015-03-02T00:00:00Z")), 1),
        ],
        "Monday weeks, undated left out with a range"
    );
    // Days by brand: brand grouped without a brand filter gives every brand value.
    let rows = ok(
        store.rollup_series(&q(
            Some(RollupQuery::DAY),
            RollupGroup {
                brand: true,
                ..Default::default()
            },
            RollupFilter::default(),
        )),
        "rollup_series",
    );
    let got: Vec<(Option<DateTime<Utc>>, &str, u64)> = rows
        .iter()
        .map(|r| (r.bucket, r.brand.as_deref().unwrap_or("?"), r.posts))
        .collect();
    assert_eq!(
        got,
        vec![
            (None, "", 1),
            (Some(ts("2015-02-22T00:00:00Z")), "", 1),
            (Some(ts("2015-02-22T00:00:00Z")), "iberia", 1),
            (Some(ts("2015-02-23T00:00:00Z")), "", 2),
            (Some(ts("2015-02-23T00:00:00Z")), "iberia", 1),
            (Some(ts("2015-02-23T00:00:00Z")), "vueling", 1),
            (Some(ts("2015-03-02T00:00:00Z")), "", 1),
            (Some(ts("2015-03-02T00:00:00Z")), "vueling", 1),
        ]
    );
    // Share of voice shape: brands x sentiment over a range that is not day-aligned (hourly
    // rollups: hours starting in [from, to)).
    let rows = ok(
        store.rollup_series(&q(
            None,
            RollupGroup {
                brand: true,
                sentiment: true,
                ..Default::default()
            },
            RollupFilter {
                from: Some(ts("2015-02-22T23:00:00Z")),
                to: Some(ts("2015-02-23T01:00:00Z")),
                brands: vec!["iberia".into(), "vueling".into()],
                ..Default::default()
            },
        )),
        "rollup_series",
    );
    let got: Vec<(&str, &str, u64)> = rows
        .iter()
        .map(|r| {
            (
                r.brand.as_deref().unwrap_or("?"),
                r.sentiment.as_deref().unwrap_or("?"),
                r.posts,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("iberia", "negative", 1),
            ("iberia", "unknown", 1),
            ("vueling", "unknown", 1)
        ]
    );
    // Networks and kind; a network filter.
    let rows = ok(
        store.rollup_series(&q(
            Some(RollupQuery::HOUR),
            RollupGroup {
                network: true,
                kind: true,
                ..Default::default()
            },
            RollupFilter {
                networks: vec![Network::Reddit],
                ..Default::default()
            },
        )),
        "rollup_series",
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].bucket, rows[0].network, rows[0].kind, rows[0].posts),
        (
            Some(ts("2015-02-23T10:00:00Z")),
            Some(Network::Reddit),
            Some(PostKind::Post),
            1
        )
    );
    assert_eq!(sum(&rows), 1);
    // A deleted post leaves the sums of both the hourly and the daily paths.
    upsert(&*store, &[tomb(Network::Reddit, Some("3"), None)]);
    for w in [RollupQuery::HOUR, RollupQuery::DAY] {
        let rows = ok(
            store.rollup_series(&q(
                Some(w),
                RollupGroup::default(),
                RollupFilter {
                    networks: vec![Network::Reddit],
                    ..Default::default()
                },
            )),
            "rollup_series",
        );
        assert!(rows.is_empty(), "width {w}: {rows:?}");
    }
    // Bad widths are errors, not silent garbage.
    for w in [0, 1_800, 5_000] {
        let r = store.rollup_series(&q(Some(w), RollupGroup::default(), RollupFilter::default()));
        assert!(
            matches!(r, Err(StoreError::InvalidQuery { .. })),
            "width {w}: {r:?}"
        );
    }
    check_aggregates(&*store);
}

/// Runs every behaviour: `fresh` gives a new empty store per call, `same` reopens one store.
pub fn run_all(fresh: Factory<'_>, same: Factory<'_>) {
    insert_duplicate_update_counts(fresh);
    merge_keeps_known_fields(fresh);
    delete_is_sticky(fresh);
    tombstone_before_post(fresh);
    tombstone_by_alt_id(fresh);
    same_key_twice_in_batch(fresh);
    export_in_insertion_order(fresh);
    stats_counts(fresh);
    annotate_changes(fresh);
    rollups_after_insert_update_annotate(fresh);
    rollup_filters(fresh);
    rollup_series_sums(fresh);
    change_feed(fresh);
    invalid_item_rolls_back_the_batch(fresh);
    big_batch_equals_small_batches(fresh);
    reopen_persists(same);
}
