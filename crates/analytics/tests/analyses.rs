//! Every analysis on small hand-made fixtures stored in a temporary embedded store, with
//! exact expected numbers worked out by hand (see the comments).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::json;
use tertulia_analytics::*;
use tertulia_model::{Emotion, Enrichment, Intent, Item, Network, Post, PostKind, Sentiment};
use tertulia_store::Store;

fn at(d: u32, h: u32, m: u32) -> Option<DateTime<Utc>> {
    Utc.with_ymd_and_hms(2015, 2, d, h, m, 0).single()
}

fn enrich(s: Sentiment, intents: Vec<Intent>) -> Option<Enrichment> {
    Some(Enrichment {
        lang: "es".into(),
        sentiment: s,
        sentiment_score: match s {
            Sentiment::Positive => 0.8,
            Sentiment::Neutral => 0.0,
            Sentiment::Negative => -0.6,
        },
        intents,
        emotion: Emotion::None,
        offensive: false,
    })
}

struct P<'a> {
    net: Network,
    id: &'a str,
    kind: PostKind,
    author: &'a str,
    followers: Option<u64>,
    text: &'a str,
    time: Option<DateTime<Utc>>,
    sentiment: Sentiment,
    likes: u64,
    reshares: u64,
}

fn mk(p: P<'_>) -> Post {
    let mut post = Post::new(p.net, p.id, p.kind);
    post.author.handle = Some(p.author.into());
    post.author.followers = p.followers;
    post.text = p.text.into();
    post.created_at = p.time;
    post.enrichment = enrich(p.sentiment, Vec::new());
    if p.likes > 0 {
        post.metrics.likes = Some(p.likes);
    }
    if p.reshares > 0 {
        post.metrics.reshares = Some(p.reshares);
    }
    post.mentions = p
        .text
        .split_whitespace()
        .filter_map(|w| w.strip_prefix('@'))
        .map(|w| w.trim_end_matches([':', ',']).to_string())
        .collect();
    post
}

fn brands() -> BrandSet {
    let mut iberia = Brand::new("Iberia", "iberia OR @Iberia", true);
    iberia.handles = vec!["Iberia".into()];
    BrandSet::new(vec![
        iberia,
        Brand::new("Vueling", "vueling OR @vueling", false),
    ])
    .unwrap()
}

fn open() -> (tempfile::TempDir, Box<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = tertulia_store::open(dir.path().join("data").to_str().unwrap()).unwrap();
    (dir, store)
}

fn put(store: &dyn Store, set: &BrandSet, posts: Vec<Post>) {
    let items: Vec<Item> = posts
        .into_iter()
        .map(|mut p| {
            p.brands = set.tag(&p);
            Item::Post(Box::new(p))
        })
        .collect();
    store.upsert(&items).unwrap();
}

/// Ten posts on Monday 23 and Tuesday 24 February 2015 (one deleted).
fn conversation() -> Vec<Post> {
    use Network::{Facebook, X};
    use PostKind::{Post as Top, Reply, Reshare};
    use Sentiment::{Negative as Neg, Neutral as Neu, Positive as Pos};
    let p = |net, id, kind, author, followers, text, time, sentiment, likes, reshares| {
        mk(P {
            net,
            id,
            kind,
            author,
            followers,
            text,
            time,
            sentiment,
            likes,
            reshares,
        })
    };
    let mut v = vec![
        p(
            X,
            "1",
            Top,
            "ana",
            Some(100),
            "@Iberia vuelo retrasado otra vez",
            at(23, 9, 10),
            Neg,
            5,
            0,
        ),
        p(
            X,
            "2",
            Top,
            "ben",
            Some(200),
            "Gracias @Iberia, gran servicio",
            at(23, 9, 40),
            Pos,
            10,
            2,
        ),
        p(
            X,
            "3",
            Top,
            "carla",
            Some(50),
            "Vueling perdió mi maleta",
            at(23, 10, 5),
            Neg,
            0,
            0,
        ),
        p(
            X,
            "4",
            Top,
            "dani",
            Some(1000),
            "@vueling precio muy caro",
            at(24, 11, 0),
            Neg,
            0,
            0,
        ),
        p(
            X,
            "5",
            Top,
            "ana",
            Some(100),
            "hoy llueve",
            at(24, 12, 0),
            Neu,
            0,
            0,
        ),
        p(
            Facebook,
            "6",
            Top,
            "eva",
            None,
            "Iberia y Vueling, los dos bien",
            at(24, 9, 30),
            Pos,
            3,
            0,
        ),
        p(
            X,
            "7",
            Reshare,
            "carla",
            Some(50),
            "RT @ben: Gracias @Iberia, gran servicio",
            at(23, 10, 0),
            Pos,
            0,
            0,
        ),
        p(
            X,
            "8",
            Reply,
            "Iberia",
            Some(5000),
            "@ana lo sentimos, te escribimos por DM",
            at(23, 9, 20),
            Neu,
            0,
            0,
        ),
        p(
            X,
            "9",
            Reply,
            "ana",
            Some(100),
            "@Iberia gracias",
            at(23, 9, 30),
            Pos,
            0,
            0,
        ),
        p(
            X,
            "10",
            Top,
            "zoe",
            Some(7),
            "@Iberia fatal",
            at(23, 9, 0),
            Neg,
            0,
            0,
        ),
    ];
    v[6].reshare_of = Some("2".into());
    v[7].parent_id = Some("1".into());
    v[8].parent_id = Some("8".into());
    v[9].deleted = true;
    v[0].enrichment = enrich(Neg, vec![Intent::Complaint]);
    v
}

fn fixture() -> (tempfile::TempDir, Box<dyn Store>, Params) {
    let (dir, store) = open();
    let set = brands();
    put(store.as_ref(), &set, conversation());
    let params = Params {
        brands: set,
        ..Params::default()
    };
    (dir, store, params)
}

fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[test]
fn tagging_follows_the_queries() {
    let set = brands();
    let tags: Vec<Vec<String>> = conversation().iter().map(|p| set.tag(p)).collect();
    let iberia = vec!["Iberia".to_string()];
    let vueling = vec!["Vueling".to_string()];
    assert_eq!(tags[0], iberia);
    assert_eq!(tags[2], vueling);
    assert_eq!(tags[5], vec!["Iberia".to_string(), "Vueling".to_string()]);
    assert!(tags[4].is_empty());
    // The brand's own reply names no brand in its text.
    assert!(tags[7].is_empty());
}

#[test]
fn timeline_per_day_brand_and_network() {
    let (_d, store, params) = fixture();
    let v = run("timeline", store.as_ref(), &params).unwrap();
    // Day 23: posts 1 (neg), 2 (pos), 3 (neg), 7 (pos), 8 (neu), 9 (pos); 10 is deleted.
    // Engagement 5 + 12; reach 100 + 200 + 50 + 50 + 5000 + 100.
    assert_eq!(
        v["overall"]["buckets"][0],
        json!({"start": "2015-02-23T00:00:00Z", "posts": 6, "positive": 3, "neutral": 1,
               "negative": 2, "unknown": 0, "net_sentiment": 0.2, "engagement": 17, "reach": 5500})
    );
    // Day 24: posts 4 (neg), 5 (neu), 6 (pos).
    assert_eq!(
        v["overall"]["buckets"][1],
        json!({"start": "2015-02-24T00:00:00Z", "posts": 3, "positive": 1, "neutral": 1,
               "negative": 1, "unknown": 0, "net_sentiment": 0.0, "engagement": 3, "reach": 1100})
    );
    assert_eq!(v["overall"]["total"]["posts"], 9);
    // Networks in the model's order: x, then facebook.
    assert_eq!(v["by_network"][0]["network"], "x");
    assert_eq!(v["by_network"][0]["total"]["posts"], 8);
    assert_eq!(v["by_network"][1]["network"], "facebook");
    assert_eq!(v["by_network"][1]["total"]["posts"], 1);
    // Iberia: 1, 2, 7, 9 on the 23rd (3 pos, 1 neg: net 0.5), 6 on the 24th.
    let ib = &v["by_brand"][0];
    assert_eq!(ib["brand"], "Iberia");
    assert_eq!(ib["buckets"][0]["posts"], 4);
    assert_eq!(ib["buckets"][0]["net_sentiment"], 0.5);
    assert_eq!(ib["buckets"][1]["posts"], 1);
    let vu = &v["by_brand"][1];
    assert_eq!(vu["brand"], "Vueling");
    assert_eq!(vu["total"]["posts"], 3);
    assert_eq!(vu["buckets"][1]["net_sentiment"], 0.0);
    // Brand × network pairs: Iberia on facebook and x, Vueling on facebook and x.
    assert_eq!(v["by_brand_network"].as_array().map(Vec::len), Some(4));

    // Hourly, for Vueling only, from 09:00 on the 23rd to 12:00 on the 24th: 27 buckets.
    let p = Params {
        brand: Some("vueling".into()),
        interval: Interval::Hour,
        from: at(23, 9, 0),
        to: at(24, 12, 0),
        ..params.clone()
    };
    let t = timeline(store.as_ref(), &p).unwrap();
    assert_eq!(t.overall.buckets.len(), 27);
    assert_eq!(t.overall.total.posts, 3);
    assert_eq!(t.overall.buckets[1].counts.negative, 1); // 10:05 on the 23rd
    assert_eq!(t.brand.as_deref(), Some("Vueling"));
    assert_eq!(t.by_network.len(), 2);
}

#[test]
fn share_of_voice_by_hand() {
    let (_d, store, params) = fixture();
    let s = share_of_voice(store.as_ref(), &params).unwrap();
    // Iberia: 1, 2, 6, 7, 9 (4 pos, 1 neg); Vueling: 3, 4, 6 (1 pos, 2 neg). 8 brand posts.
    assert_eq!(s.brand_posts, 8);
    assert_eq!((s.brand_positive, s.brand_negative), (5, 3));
    let ib = &s.brands[0];
    assert_eq!(
        (ib.brand.as_str(), ib.own, ib.counts.posts),
        ("Iberia", true, 5)
    );
    assert_eq!(ib.volume_share, 0.625);
    assert_eq!(ib.positive_share, 0.8);
    assert!((ib.negative_share - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(ib.counts.net_sentiment, Some(0.6));
    let vu = &s.brands[1];
    assert_eq!(vu.volume_share, 0.375);
    assert!((vu.negative_share - 2.0 / 3.0).abs() < 1e-12);
    assert!((vu.counts.net_sentiment.unwrap() + 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(s.own.brands, vec!["Iberia"]);
    assert_eq!(s.competitors.volume_share, 0.375);
    // A brand filter narrows the rows, not the denominators.
    let p = Params {
        brand: Some("Vueling".into()),
        ..params
    };
    let s = share_of_voice(store.as_ref(), &p).unwrap();
    assert_eq!(s.brands.len(), 1);
    assert_eq!(s.brands[0].volume_share, 0.375);
}

#[test]
fn complaints_by_aspect() {
    let (_d, store, params) = fixture();
    let c = complaints(store.as_ref(), &params).unwrap();
    // Complaints: 1 (delays), 3 (luggage), 4 (price); 10 is deleted.
    assert_eq!((c.complaints, c.with_aspect, c.without_aspect), (3, 3, 0));
    let ids: Vec<&str> = c.aspects.iter().map(|a| a.aspect).collect();
    assert_eq!(ids, vec!["delays", "luggage", "price"]);
    let counts: Vec<Vec<u64>> = c
        .aspects
        .iter()
        .map(|a| a.trend.iter().map(|t| t.count).collect())
        .collect();
    assert_eq!(counts, vec![vec![1, 0], vec![1, 0], vec![0, 1]]);
    assert_eq!(c.aspects[0].examples[0].native_id, "1");
    assert!((c.aspects[2].share - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn influencers_reach_engagement_centrality() {
    let (_d, store, params) = fixture();
    let i = influencers(store.as_ref(), &params).unwrap();
    assert_eq!(i.authors, 6);
    // Nodes: the six authors and @vueling, mentioned only.
    assert_eq!(i.nodes, 7);
    let reach: Vec<(&str, u64)> = i
        .by_reach
        .iter()
        .map(|r| (r.author.as_str(), r.followers))
        .collect();
    assert_eq!(
        reach,
        vec![
            ("x:iberia", 5000),
            ("x:dani", 1000),
            ("x:ben", 200),
            ("x:ana", 100),
            ("x:carla", 50),
            ("facebook:eva", 0)
        ]
    );
    let eng: Vec<(&str, u64)> = i
        .by_engagement
        .iter()
        .take(3)
        .map(|r| (r.author.as_str(), r.engagement))
        .collect();
    assert_eq!(eng, vec![("x:ben", 12), ("x:ana", 5), ("facebook:eva", 3)]);
    // @Iberia gets 3 interactions from ana (mention, reply, mention), 1 from ben, 1 from carla.
    let top = &i.by_centrality[0];
    assert_eq!(
        (top.author.as_str(), top.interactions_received),
        ("x:iberia", 5)
    );
    assert_eq!(i.by_centrality[1].author, "x:ana");
    let sum: f64 = i.by_centrality.iter().map(|r| r.pagerank).sum();
    assert!((sum - 1.0).abs() < 1e-9);
}

#[test]
fn cascades_and_six_degrees() {
    let (_d, store, params) = fixture();
    let c = cascades(store.as_ref(), &params).unwrap();
    assert_eq!(c.brand_accounts, vec!["x:iberia"]);
    // 1 ← 8 ← 9 and 2 ← 7; 3, 4, 5, 6 alone.
    assert_eq!((c.cascades, c.singletons, c.max_depth), (2, 4, 2));
    assert_eq!(c.mean_size, 2.5);
    let a = &c.top[0];
    assert_eq!(
        (
            a.root.as_str(),
            a.size,
            a.depth,
            a.breadth,
            a.reach,
            a.replies
        ),
        ("1", 3, 2, 1, 5100, 2)
    );
    assert_eq!((a.root_hops, a.max_hops), (Some(1), Some(1)));
    assert_eq!(a.text, "@Iberia vuelo retrasado otra vez");
    let b = &c.top[1];
    assert_eq!(
        (
            b.root.as_str(),
            b.size,
            b.depth,
            b.breadth,
            b.reach,
            b.reshares
        ),
        ("2", 2, 1, 1, 250, 1)
    );
    let degrees: Vec<(&str, u64)> = c.degrees.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(degrees, vec![("0", 1), ("1", 3), ("unreachable", 2)]);
}

#[test]
fn best_times_by_weekday_and_hour() {
    let (_d, store, params) = fixture();
    let b = best_times(store.as_ref(), &params).unwrap();
    let fb = &b.networks[1];
    assert_eq!(
        (fb.network, fb.posts, fb.top.len()),
        (Network::Facebook, 1, 0)
    );
    let x = &b.networks[0];
    // X: Monday 9h holds 1, 2, 8, 9 (engagement 5 + 12), 10h holds 3 and 7.
    assert_eq!((x.posts, x.mean_engagement), (8, 17.0 / 8.0));
    let top: Vec<(&str, u32, u64, f64)> = x
        .top
        .iter()
        .map(|s| (s.weekday, s.hour, s.posts, s.mean_engagement))
        .collect();
    assert_eq!(top, vec![("mon", 9, 4, 4.25), ("mon", 10, 2, 0.0)]);
    assert_eq!(x.slots.len(), 4);
}

#[test]
fn trends_poisson_burst() {
    let (_d, store) = open();
    let set = BrandSet::default();
    let mut posts = Vec::new();
    // Baseline: two "buen vuelo" posts a day from the 16th to the 22nd (M = 14).
    for d in 16..=22 {
        for h in [8, 9] {
            posts.push(mk(P {
                net: Network::X,
                id: &format!("b{d}{h}"),
                kind: PostKind::Post,
                author: "a",
                followers: None,
                text: "buen vuelo",
                time: at(d, h, 0),
                sentiment: Sentiment::Positive,
                likes: 0,
                reshares: 0,
            }));
        }
    }
    // Last window (the 23rd): four strike posts and one "buen vuelo" (N = 5).
    for h in 8..12 {
        posts.push(mk(P {
            net: Network::X,
            id: &format!("s{h}"),
            kind: PostKind::Post,
            author: "b",
            followers: None,
            text: "Huelga pilotos hoy #huelga 😡",
            time: at(23, h, 0),
            sentiment: Sentiment::Negative,
            likes: 0,
            reshares: 0,
        }));
    }
    posts.push(mk(P {
        net: Network::X,
        id: "last",
        kind: PostKind::Post,
        author: "a",
        followers: None,
        text: "buen vuelo",
        time: at(23, 12, 0),
        sentiment: Sentiment::Positive,
        likes: 0,
        reshares: 0,
    }));
    put(store.as_ref(), &set, posts);
    let t = trends(store.as_ref(), &Params::default()).unwrap();
    assert_eq!(t.window_start.as_deref(), Some("2015-02-23T00:00:00Z"));
    assert_eq!((t.window_posts, t.baseline_posts), (5, 14));
    // c = 4, b = 0: λ = 5 · 0.5 / 15 = 1/6, z = (4 − 1/6)/√(1/6) = 9.3897, lift = 24.
    let got: Vec<(String, &str)> = t
        .trends
        .iter()
        .map(|x| (x.feature.clone(), x.kind.as_str()))
        .collect();
    let want: Vec<(String, &str)> = vec![
        ("huelga".into(), "term"),
        ("pilotos".into(), "term"),
        ("huelga".into(), "hashtag"),
        ("😡".into(), "emoji"),
        ("huelga pilotos".into(), "bigram"),
    ];
    assert_eq!(got, want);
    let h = &t.trends[0];
    assert!((h.expected - 1.0 / 6.0).abs() < 1e-12);
    assert!((h.z - 9.389_710).abs() < 1e-5, "{}", h.z);
    assert!((h.lift - 24.0).abs() < 1e-9);
    assert_eq!(h.first_seen, "2015-02-23T08:00:00Z");
    assert!(h.new);
    assert_eq!(t.bigrams.len(), 1);
}

fn topic_store() -> (tempfile::TempDir, Box<dyn Store>) {
    let (dir, store) = open();
    let texts = [
        ("l1", "a1", "maleta perdida aeropuerto", Sentiment::Negative),
        ("l2", "a1", "maleta perdida equipaje", Sentiment::Negative),
        ("l3", "a2", "maleta perdida equipaje", Sentiment::Negative),
        ("l4", "a2", "maleta perdida aeropuerto", Sentiment::Negative),
        ("p1", "b1", "precio billete caro", Sentiment::Neutral),
        ("p2", "b2", "precio billete caro", Sentiment::Neutral),
        ("p3", "b3", "precio billete tarifa", Sentiment::Neutral),
        ("p4", "b4", "precio billete tarifa", Sentiment::Neutral),
    ];
    let posts = texts
        .iter()
        .map(|(id, author, text, s)| {
            mk(P {
                net: Network::X,
                id,
                kind: PostKind::Post,
                author,
                followers: Some(10),
                text,
                time: at(23, 9, 0),
                sentiment: *s,
                likes: 0,
                reshares: 0,
            })
        })
        .collect();
    put(store.as_ref(), &BrandSet::default(), posts);
    (dir, store)
}

#[test]
fn topics_two_clusters_with_distinctive_labels() {
    let (_d, store) = topic_store();
    let p = Params {
        clusters: Some(2),
        ..Params::default()
    };
    let t = topics(store.as_ref(), &p).unwrap();
    assert_eq!(
        (t.posts, t.sampled, t.unclustered, t.vocabulary),
        (8, 8, 0, 8)
    );
    assert_eq!(t.topics.len(), 2);
    let a = &t.topics[0];
    assert_eq!((a.size, a.share), (4, 0.5));
    assert_eq!(a.label, "maleta · perdida · aeropuerto");
    // p(t|c) = 1, p(t) = 1/2: score ln 2; aeropuerto: 0.5 · ln(0.5 / 0.25) = 0.5 ln 2.
    assert!((a.terms[0].score - 2f64.ln()).abs() < 1e-12);
    assert!((a.terms[2].score - 0.5 * 2f64.ln()).abs() < 1e-12);
    assert_eq!(
        (a.sentiment.negative, a.sentiment.net_sentiment),
        (4, Some(-1.0))
    );
    assert_eq!(a.examples.len(), 3);
    let b = &t.topics[1];
    assert_eq!(b.label, "billete · precio · caro");
    assert_eq!((b.sentiment.neutral, b.sentiment.net_sentiment), (4, None));
    // Deterministic.
    assert_eq!(topics(store.as_ref(), &p).unwrap(), t);
}

#[test]
fn segments_split_complainers_from_price_watchers() {
    let (_d, store) = topic_store();
    let p = Params {
        clusters: Some(2),
        ..Params::default()
    };
    let s = segments(store.as_ref(), &p).unwrap();
    assert_eq!(s.authors, 6);
    let a = &s.segments[0];
    // b1..b4: one neutral price post each.
    assert_eq!((a.size, a.posts, a.mean_posts), (4, 4, 1.0));
    assert_eq!(a.authors, vec!["x:b1", "x:b2", "x:b3", "x:b4"]);
    assert_eq!(a.topics[0].label, "billete · precio · caro");
    assert_eq!(a.topics[0].share, 1.0);
    let b = &s.segments[1];
    // a1, a2: two negative luggage posts each.
    assert_eq!(
        (b.size, b.posts, b.mean_posts, b.mean_followers),
        (2, 4, 2.0, 10.0)
    );
    assert_eq!(b.terms[0].term, "maleta");
    assert_eq!(b.sentiment.net_sentiment, Some(-1.0));
}

#[test]
fn retag_changes_only_posts_whose_tags_change() {
    let (_d, store, _) = fixture();
    // Vueling's query changes to require the mention: post 3 ("Vueling perdió…") and post 6
    // lose the tag; posts 4 keeps it.
    let mut set = brands();
    set.add(Brand::new("Vueling", "@vueling", false)).unwrap();
    assert_eq!(retag(store.as_ref(), &set).unwrap(), 2);
    assert_eq!(retag(store.as_ref(), &set).unwrap(), 0);
    let s = share_of_voice(
        store.as_ref(),
        &Params {
            brands: set,
            ..Params::default()
        },
    )
    .unwrap();
    assert_eq!(s.brands[1].counts.posts, 1);
}

#[test]
fn run_dispatches_and_lists_valid_names() {
    let (_d, store, params) = fixture();
    for name in ANALYSES {
        let v = run(name, store.as_ref(), &params).unwrap();
        assert_eq!(v["analysis"], name, "{name}");
    }
    let e = run("sentiment", store.as_ref(), &params)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "unknown analysis \"sentiment\"; valid analyses are: timeline, share-of-voice, trends, topics, complaints, influencers, cascades, segments, best-times"
    );
    let bad = Params {
        brand: Some("Ryanair".into()),
        ..params
    };
    let e = run("timeline", store.as_ref(), &bad)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "unknown brand \"Ryanair\"; declared brands are: Iberia, Vueling"
    );
    assert!(num(&json!(0.5)) == 0.5);
}

#[test]
fn sample_config_in_the_docs_parses() {
    let doc = include_str!("../../../docs/analytics.md");
    let start = doc
        .find("```toml\n")
        .expect("a toml block in docs/analytics.md")
        + 8;
    let end = start + doc[start..].find("```").unwrap();
    let set = BrandSet::from_toml_str(&doc[start..end]).unwrap();
    assert!(set.len() >= 2);
    assert!(set.brands().iter().any(|b| b.own));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Timeline totals equal the posts in range; share-of-voice shares sum to 1.
    #[test]
    fn aggregates_add_up(
        posts in proptest::collection::vec((0u32..3, 0u32..72, 0u8..3, 0u8..4), 1..40),
        from_h in 0u32..40,
        len_h in 1u32..40,
    ) {
        let (_d, store) = open();
        let set = BrandSet::new(vec![
            Brand::new("A", "alfa", true),
            Brand::new("B", "beta", false),
            Brand::new("C", "gamma", false),
        ]).unwrap();
        let words = ["alfa", "beta", "gamma", "alfa beta"];
        let sents = [Sentiment::Positive, Sentiment::Neutral, Sentiment::Negative];
        let built: Vec<Post> = posts.iter().enumerate().map(|(i, (net, hour, s, w))| {
            let t = Utc.with_ymd_and_hms(2015, 2, 20, 0, 0, 0).single()
                .map(|t| t + chrono::Duration::hours(*hour as i64));
            mk(P {
                net: [Network::X, Network::Reddit, Network::Bluesky][*net as usize],
                id: &i.to_string(),
                kind: PostKind::Post,
                author: "u",
                followers: Some(1),
                text: words[*w as usize],
                time: t,
                sentiment: sents[*s as usize],
                likes: 1,
                reshares: 0,
            })
        }).collect();
        let base = Utc.with_ymd_and_hms(2015, 2, 20, 0, 0, 0).single().unwrap();
        let from = base + chrono::Duration::hours(from_h as i64);
        let to = from + chrono::Duration::hours(len_h as i64);
        let in_range = built.iter().filter(|p| p.created_at.is_some_and(|t| t >= from && t < to)).count() as u64;
        put(store.as_ref(), &set, built);
        for iv in [Interval::Hour, Interval::Day, Interval::Week] {
            let p = Params { from: Some(from), to: Some(to), interval: iv, brands: set.clone(), ..Params::default() };
            let t = timeline(store.as_ref(), &p).unwrap();
            let sum: u64 = t.overall.buckets.iter().map(|b| b.counts.posts).sum();
            prop_assert_eq!(sum, in_range);
            prop_assert_eq!(t.overall.total.posts, in_range);
            let by_net: u64 = t.by_network.iter().map(|s| s.total.posts).sum();
            prop_assert_eq!(by_net, in_range);
        }
        let s = share_of_voice(store.as_ref(), &Params { brands: set, ..Params::default() }).unwrap();
        let vol: f64 = s.brands.iter().map(|b| b.volume_share).sum();
        prop_assert!((vol - 1.0).abs() < 1e-9);
        if s.brand_positive > 0 {
            let pos: f64 = s.brands.iter().map(|b| b.positive_share).sum();
            prop_assert!((pos - 1.0).abs() < 1e-9);
        }
        if s.brand_negative > 0 {
            let neg: f64 = s.brands.iter().map(|b| b.negative_share).sum();
            prop_assert!((neg - 1.0).abs() < 1e-9);
        }
        prop_assert!((s.own.volume_share + s.competitors.volume_share - 1.0).abs() < 1e-9);
    }
}
