//! Integration tests: the index answers exactly what the matcher answers, on a hand-made store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use tertulia_model::{Emotion, Enrichment, Intent, Item, Network, Post, PostKind, Sentiment};
use tertulia_query::Query;
use tertulia_search::{Facets, SearchIndex, SearchOptions, SortBy, index_dir};
use tertulia_store::{Annotation, Store};

struct Fixture {
    _dir: tempfile::TempDir,
    store: Box<dyn Store>,
    index: SearchIndex,
}

fn enr(lang: &str, s: Sentiment, e: Emotion, intents: &[Intent]) -> Option<Enrichment> {
    Some(Enrichment {
        lang: lang.into(),
        sentiment: s,
        sentiment_score: 0.0,
        intents: intents.to_vec(),
        emotion: e,
        offensive: false,
    })
}

/// Hand-made posts covering every field a query can look at.
fn posts() -> Vec<Post> {
    use Sentiment::*;
    let t = |d: u32, h: u32| Some(Utc.with_ymd_and_hms(2015, 2, d, h, 0, 0).unwrap());
    let mut v = Vec::new();
    let mut p = |net: Network, id: &str, kind: PostKind, text: &str| {
        let mut p = Post::new(net, id, kind);
        p.text = text.into();
        v.push(p);
        v.len() - 1
    };
    p(
        Network::X,
        "1",
        PostKind::Post,
        "@Iberia otra vez RETRASADO el vuelo, qué desastre #MalServicio 😡😡",
    );
    p(
        Network::X,
        "2",
        PostKind::Reply,
        "El vuelo cancelado y el niño llorando. @iberia no responde",
    );
    p(
        Network::X,
        "3",
        PostKind::Post,
        "Gracias @Vueling por el buen servicio 👍🏽 #BuenServicio",
    );
    p(
        Network::X,
        "4",
        PostKind::Quote,
        "My flight was delayed again, terrible customer service @united",
    );
    p(
        Network::X,
        "5",
        PostKind::Reshare,
        "RT: the woman and the women complained about the complaint",
    );
    p(
        Network::Reddit,
        "t3_a",
        PostKind::Post,
        "Vuelo retrasado tres horas por un problema técnico, mal servicio",
    );
    p(
        Network::Reddit,
        "t1_b",
        PostKind::Comment,
        "el camion rojo estaba en la pista, nino travieso",
    );
    p(
        Network::Youtube,
        "yt1",
        PostKind::Comment,
        "Camión rojo ❤️ great flight, thanks",
    );
    p(
        Network::Mastodon,
        "https://m.s/1",
        PostKind::Post,
        "retraso del vuelo: e-mail enviado a soporte, mal servicio #malservicio",
    );
    p(
        Network::Bluesky,
        "at://d/p/1",
        PostKind::Post,
        "cancelado cancelado el vuelo, niña y niño esperando ñandú",
    );
    p(
        Network::X,
        "11",
        PostKind::Post,
        "Iberia vuelo retraso cancelado oferta",
    );
    p(
        Network::X,
        "12",
        PostKind::Post,
        "oferta de vuelos baratos con Iberia, compra ya",
    );
    p(
        Network::Reviews,
        "r1",
        PostKind::Review,
        "Complained twice: complaint ignored. Never again!!",
    );
    p(
        Network::X,
        "14",
        PostKind::Post,
        "vuelo el retraso del vuelo el retraso",
    );
    p(
        Network::X,
        "15",
        PostKind::Post,
        "deleted post about iberia",
    );
    p(Network::X, "16", PostKind::Post, "");
    // Titles
    v[5].title = Some("Great flight? No: vuelo retrasado".into());
    v[6].title = Some("Título con acentos: Camión".into());
    // Authors
    let authors = [
        ("JuanP", "Juan Pérez", 120),
        ("maria_l", "María López", 5000),
        ("@anon", "", 3),
    ];
    for (i, post) in v.iter_mut().enumerate() {
        let (h, n, f) = authors[i % authors.len()];
        post.author.handle = Some(h.into());
        if !n.is_empty() {
            post.author.name = Some(n.into());
        }
        if i % 4 != 3 {
            post.author.followers = Some(f + i as u64);
        }
        if i % 5 != 4 {
            post.created_at = t(9 + (i as u32 % 4), (i as u32 * 5) % 24);
        }
        post.metrics.likes = Some(i as u64);
    }
    // Languages, enrichment, brands, countries
    for i in [0, 1, 2, 5, 6, 8, 9, 10, 11, 13] {
        v[i].lang = Some("es".into());
    }
    v[3].lang = Some("en-US".into());
    v[4].lang = Some("EN".into());
    v[7].lang = Some("und".into());
    v[12].lang = Some("en_GB".into());
    v[0].enrichment = enr("es", Negative, Emotion::Anger, &[Intent::Complaint]);
    v[1].enrichment = enr(
        "es",
        Negative,
        Emotion::Sadness,
        &[Intent::Complaint, Intent::Question],
    );
    v[2].enrichment = enr("es", Positive, Emotion::Joy, &[Intent::Praise]);
    v[3].enrichment = enr("en", Negative, Emotion::Anger, &[Intent::Complaint]);
    v[7].enrichment = enr("und", Positive, Emotion::Joy, &[]);
    v[9].enrichment = enr("pt", Neutral, Emotion::None, &[]);
    v[0].brands = vec!["Iberia".into()];
    v[1].brands = vec!["Iberia".into()];
    v[2].brands = vec!["Vueling".into()];
    v[10].brands = vec!["Iberia".into(), "Vueling".into()];
    v[0].country = Some("ES".into());
    v[3].country = Some(" us ".into());
    v[9].country = Some("es".into());
    v[14].deleted = true;
    v
}

fn build() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = tertulia_store::open(dir.path().to_str().unwrap()).unwrap();
    let items: Vec<Item> = posts()
        .into_iter()
        .map(|p| Item::Post(Box::new(p)))
        .collect();
    store.upsert(&items).unwrap();
    let mut index = SearchIndex::open(index_dir(dir.path())).unwrap();
    let stats = index.sync(store.as_ref()).unwrap();
    assert!(stats.full_rebuild);
    Fixture {
        _dir: dir,
        store,
        index,
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(build)
}

fn all_posts(store: &dyn Store) -> Vec<Post> {
    let mut v = Vec::new();
    store
        .for_each_post(&mut |p| {
            v.push(p);
            Ok(())
        })
        .unwrap();
    v
}

fn brute(store: &dyn Store, q: &Query) -> BTreeSet<String> {
    all_posts(store)
        .iter()
        .filter(|p| !p.deleted && q.matches(p))
        .map(|p| p.key().to_string())
        .collect()
}

fn brute_facets(store: &dyn Store, q: &Query) -> Facets {
    let mut f = Facets::default();
    for p in all_posts(store)
        .iter()
        .filter(|p| !p.deleted && q.matches(p))
    {
        *f.network.entry(p.network.to_string()).or_default() += 1;
        let lang = p
            .enrichment
            .as_ref()
            .map(|e| e.lang.clone())
            .filter(|l| !l.is_empty() && l != "und")
            .or(p.lang.clone())
            .map(|l| {
                l.to_ascii_lowercase()
                    .split(['-', '_'])
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .unwrap_or_else(|| "und".into());
        *f.language.entry(lang).or_default() += 1;
        let s = p
            .enrichment
            .as_ref()
            .map_or("unknown".to_string(), |e| e.sentiment.to_string());
        *f.sentiment.entry(s).or_default() += 1;
        for b in &p.brands {
            *f.brand.entry(b.clone()).or_default() += 1;
        }
    }
    f
}

fn indexed(fx: &Fixture, q: &Query, sort: SortBy) -> (BTreeSet<String>, u64, Facets, bool) {
    let r = fx
        .index
        .search(fx.store.as_ref(), q, &SearchOptions { limit: 1000, sort })
        .unwrap();
    let keys: BTreeSet<String> = r.hits.iter().map(|h| h.key.to_string()).collect();
    assert_eq!(keys.len(), r.hits.len(), "duplicate hits for {q}");
    (keys, r.total, r.facets, r.verified)
}

fn check(fx: &Fixture, query: &str) -> usize {
    let q = Query::compile(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let want = brute(fx.store.as_ref(), &q);
    for sort in [SortBy::Relevance, SortBy::Time] {
        let (got, total, facets, _) = indexed(fx, &q, sort);
        assert_eq!(got, want, "query {query:?} ({sort:?})");
        assert_eq!(total as usize, want.len(), "total of {query:?}");
        assert_eq!(
            facets,
            brute_facets(fx.store.as_ref(), &q),
            "facets of {query:?}"
        );
    }
    want.len()
}

const QUERIES: &[&str] = &[
    // words, case and accents
    "iberia",
    "IBERIA",
    "vuelo",
    "nino",
    "niño",
    "NIÑO",
    "nina",
    "niña",
    "camion",
    "camión",
    "tecnico",
    "técnico",
    "nandu",
    "ñandú",
    "que",
    "qué",
    "titulo",
    // hashtags, mentions, emoji
    "@iberia",
    "@Iberia",
    "#MalServicio",
    "#malservicio",
    "malservicio",
    "#BuenServicio",
    "@vueling",
    "vueling",
    "😡",
    "👍",
    "❤",
    "❤️",
    // phrases
    "\"vuelo cancelado\"",
    "\"mal servicio\"",
    "\"el vuelo\"",
    "\"camión rojo\"",
    "\"camion rojo\"",
    "\"Camión rojo\"",
    "\"mal servic*\"",
    "\"el retraso del vuelo\"",
    "e-mail",
    "\"great flight\"",
    "\"nino travieso\"",
    "\"niño llorando\"",
    // proximity and NEAR
    "\"vuelo retrasado\"~3",
    "\"retraso vuelo\"~2",
    "\"vuelo cancelado\"~0",
    "\"cancelado cancelado\"~1",
    "vuelo NEAR/2 retraso",
    "retraso NEAR/2f vuelo",
    "vuelo NEAR/2f retraso",
    "(iberia OR vueling) NEAR/5 servicio",
    "\"mal servicio\" NEAR/3 #malservicio",
    // wildcards
    "retras*",
    "wom?n",
    "compl*",
    "complain*",
    "#mal*",
    "@ib*",
    "*cio",
    "?iberia",
    "cami?n",
    "camió*",
    "ni?o",
    // scopes
    "title:vuelo",
    "text:vuelo",
    "title:\"great flight\"",
    "text:great",
    "title:camion",
    "title:(vuelo OR camion)",
    // filters
    "network:x",
    "network:reddit",
    "lang:es",
    "language:en",
    "language:en-us",
    "lang:pt",
    "lang:und",
    "sentiment:negative",
    "sentiment:positive",
    "intent:complaint",
    "intent:question",
    "emotion:anger",
    "emotion:none",
    "country:ES",
    "country:us",
    "brand:Iberia",
    "brand:vueling",
    "authorFollowers:[100 TO 5000]",
    "authorFollowers:[* TO 100]",
    "authorFollowers:[* TO *]",
    "authorFollowers:[5005 TO *]",
    "engagementType:REPLY",
    "engagementType:COMMENT",
    "engagementType:QUOTE",
    "engagementType:RESHARE",
    "date:[2015-02-10 TO 2015-02-11]",
    "date:[2015-02-10T12:00:00Z TO *]",
    "date:[* TO 2015-02-09]",
    "date:[* TO *]",
    "author:juanp",
    "from:@JuanP",
    "author:\"María López\"",
    "author:\"Maria Lopez\"",
    "author:maria*",
    "author:\"juan p?rez\"",
    "author:anon",
    "author:\"Juan Perez\"",
    // boolean
    "vuelo -cancelado",
    "vuelo NOT (retraso OR cancelado)",
    "iberia AND NOT lang:es",
    "vuelo NOT \"vuelo retrasado\"~3",
    "(iberia OR vueling) sentiment:negative",
    "vuelo NOT vuelo NEAR/1 cancelado",
    "iberia OR network:reddit",
    "oferta -compra",
    "(vuelo OR flight) (retraso OR delayed) -cancelado",
    "servicio -\"mal servicio\"",
    "vuelo -\"camión rojo\"",
    "iberia -retras*",
    "vuelo lang:es -network:x",
];

#[test]
fn every_query_equals_the_matcher() {
    let fx = fixture();
    let mut nonempty = 0;
    for q in QUERIES {
        if check(fx, q) > 0 {
            nonempty += 1;
        }
    }
    assert!(
        nonempty * 10 > QUERIES.len() * 8,
        "too many empty queries: {nonempty}"
    );
}

#[test]
fn deleted_posts_are_not_indexed() {
    let fx = fixture();
    assert_eq!(fx.index.num_docs(), posts().len() as u64 - 1);
    let q = Query::compile("deleted").unwrap();
    assert_eq!(indexed(fx, &q, SortBy::Relevance).1, 0);
}

#[test]
fn proximity_is_verified_and_terms_are_not() {
    let fx = fixture();
    assert!(
        indexed(
            fx,
            &Query::compile("vuelo NEAR/2 retraso").unwrap(),
            SortBy::Time
        )
        .3
    );
    assert!(
        !indexed(
            fx,
            &Query::compile("vuelo -cancelado lang:es").unwrap(),
            SortBy::Time
        )
        .3
    );
}

#[test]
fn hits_are_ranked_and_limited() {
    let fx = fixture();
    let q = Query::compile("vuelo").unwrap();
    let r = fx
        .index
        .search(
            fx.store.as_ref(),
            &q,
            &SearchOptions {
                limit: 3,
                sort: SortBy::Relevance,
            },
        )
        .unwrap();
    assert_eq!(r.hits.len(), 3);
    assert!(r.total > 3);
    assert!(r.hits.windows(2).all(|w| w[0].score >= w[1].score));
    let r = fx
        .index
        .search(
            fx.store.as_ref(),
            &q,
            &SearchOptions {
                limit: 50,
                sort: SortBy::Time,
            },
        )
        .unwrap();
    let times: Vec<_> = r.hits.iter().map(|h| h.post.created_at).collect();
    let dated: Vec<_> = times.iter().take_while(|t| t.is_some()).collect();
    assert!(dated.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    assert!(times[dated.len()..].iter().all(Option::is_none));
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["facets"]["network"].is_object());
    assert!(json["hits"][0]["post"]["text"].is_string());
}

#[test]
fn sync_reflects_updates_annotations_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let store = tertulia_store::open(dir.path().to_str().unwrap()).unwrap();
    let mut a = Post::new(Network::X, "a", PostKind::Post);
    a.text = "primer texto sobre iberia".into();
    let mut b = Post::new(Network::X, "b", PostKind::Post);
    b.text = "otro texto sobre vueling".into();
    store
        .upsert(&[
            Item::Post(Box::new(a.clone())),
            Item::Post(Box::new(b.clone())),
        ])
        .unwrap();
    let mut index = SearchIndex::open(index_dir(dir.path())).unwrap();
    let s = index.sync(store.as_ref()).unwrap();
    assert_eq!((s.indexed, s.docs), (2, 2));
    let count = |index: &SearchIndex, q: &str| {
        index
            .search(
                store.as_ref(),
                &Query::compile(q).unwrap(),
                &SearchOptions::default(),
            )
            .unwrap()
            .total
    };
    assert_eq!(count(&index, "iberia"), 1);
    // update a post's text
    a.text = "texto cambiado sobre air europa".into();
    store.upsert(&[Item::Post(Box::new(a.clone()))]).unwrap();
    // tag b with a brand
    store
        .annotate(&[Annotation::brands(b.key(), vec!["Vueling".into()])])
        .unwrap();
    // only the two changed posts are re-indexed, through the store's change feed
    let s = index.sync(store.as_ref()).unwrap();
    assert!(!s.full_rebuild);
    assert_eq!((s.indexed, s.removed, s.docs), (2, 0, 2));
    // nothing changed: nothing to do
    let s = index.sync(store.as_ref()).unwrap();
    assert_eq!((s.indexed, s.removed, s.docs), (0, 0, 2));
    assert_eq!(count(&index, "iberia"), 0);
    assert_eq!(count(&index, "\"air europa\""), 1);
    assert_eq!(count(&index, "brand:vueling"), 1);
    // delete b
    store
        .upsert(&[Item::Delete(tertulia_model::Tombstone {
            network: Network::X,
            native_id: Some("b".into()),
            alt_id: None,
            deleted_at: None,
        })])
        .unwrap();
    let s = index.sync(store.as_ref()).unwrap();
    assert_eq!((s.indexed, s.removed, s.docs), (0, 1, 1));
    assert_eq!(s.last_seq, store.last_change().unwrap());
    assert_eq!(count(&index, "vueling"), 0);
    // reopening keeps the index
    drop(index);
    let index = SearchIndex::open(index_dir(dir.path())).unwrap();
    assert_eq!(index.num_docs(), 1);
    assert_eq!(count(&index, "europa"), 1);
}

// ---- property test: random queries over a random corpus -------------------------------------

const VOCAB: &[&str] = &[
    "vuelo", "Vuelo", "retraso", "niño", "nino", "Niña", "camión", "camion", "acción", "accion",
    "#Iberia", "@iberia", "iberia", "#vuelo", "@Vuelo", "😡", "👍🏽", "ñandú", "servicio", "mal",
];
const QVOCAB: &[&str] = &[
    "vuelo", "retraso", "niño", "nino", "nina", "niña", "camión", "camion", "accion", "acción",
    "#iberia", "@iberia", "iberia", "#vuelo", "@vuelo", "😡", "👍", "nandu", "ñandú", "servicio",
    "mal", "retr*", "ni?o", "*cion", "#ib*", "cami?n", "acci*",
];

fn random_store() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = tertulia_store::open(dir.path().to_str().unwrap()).unwrap();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut items = Vec::new();
        for i in 0..300 {
            let mut p = Post::new(Network::ALL[next(3)], i.to_string(), PostKind::ALL[next(6)]);
            let words: Vec<&str> = (0..1 + next(10))
                .map(|_| VOCAB[next(VOCAB.len())])
                .collect();
            p.text = words.join(if next(2) == 0 { " " } else { ", " });
            if next(5) == 0 {
                p.title = Some(VOCAB[next(VOCAB.len())].to_string());
            }
            p.lang = Some(["es", "en", "pt"][next(3)].into());
            p.author.followers = Some(next(1000) as u64);
            p.created_at = Some(
                Utc.with_ymd_and_hms(2015, 2, 1 + next(20) as u32, 0, 0, 0)
                    .unwrap(),
            );
            items.push(Item::Post(Box::new(p)));
        }
        store.upsert(&items).unwrap();
        let mut index = SearchIndex::open(index_dir(dir.path())).unwrap();
        index.sync(store.as_ref()).unwrap();
        Fixture {
            _dir: dir,
            store,
            index,
        }
    })
}

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(QVOCAB).prop_map(str::to_string)
}

fn positional() -> impl Strategy<Value = String> {
    let quoted = || prop::sample::select(&QVOCAB[..21]).prop_map(str::to_string);
    prop_oneof![
        word(),
        (quoted(), quoted()).prop_map(|(a, b)| format!("\"{a} {b}\"")),
        (quoted(), quoted(), 0u32..4).prop_map(|(a, b, n)| format!("\"{a} {b}\"~{n}")),
        (word(), word(), 0u32..4, any::<bool>())
            .prop_map(|(a, b, n, f)| format!("{a} NEAR/{n}{} {b}", if f { "f" } else { "" })),
    ]
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => positional(),
        1 => prop::sample::select(&["lang:es", "network:x", "authorFollowers:[100 TO 600]",
            "date:[2015-02-05 TO 2015-02-12]", "engagementType:REPLY"][..]).prop_map(str::to_string),
        1 => positional().prop_map(|p| format!("title:({p})")),
    ]
}

fn query() -> impl Strategy<Value = String> {
    leaf().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} AND {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} OR {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} AND NOT {b})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_queries_equal_the_matcher(q in query()) {
        let fx = random_store();
        let Ok(query) = Query::compile(&q) else { return Ok(()) };
        let want = brute(fx.store.as_ref(), &query);
        let (got, total, _, _) = indexed(fx, &query, SortBy::Relevance);
        prop_assert_eq!(&got, &want, "query {}", q);
        prop_assert_eq!(total as usize, want.len());
    }
}

#[test]
fn facets_sum_to_total() {
    let fx = fixture();
    let q = Query::compile("vuelo OR iberia OR flight").unwrap();
    let (_, total, f, _) = indexed(fx, &q, SortBy::Relevance);
    let sum = |m: &BTreeMap<String, u64>| m.values().sum::<u64>();
    assert_eq!(sum(&f.network), total);
    assert_eq!(sum(&f.language), total);
    assert_eq!(sum(&f.sentiment), total);
}
