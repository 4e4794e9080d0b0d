//! Search at scale: builds a store and an index of `TERTULIA_BENCH_POSTS` posts (default
//! 1,000,000) whose texts are resampled from `../shared/data/*.jsonl` with random authors,
//! networks, brands, languages, sentiments and times, in a temporary directory; then measures
//! the index build rate and size and the p50/p95 latency of typical brand queries (with facets).
//!
//! Run: `TERTULIA_BENCH_POSTS=10000000 cargo bench -p tertulia-search --bench search`.
//! Prints a message and exits when `../shared/data` is absent. Nothing is written to the repo.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tertulia_model::{Emotion, Enrichment, Intent, Item, Network, Post, PostKind, Sentiment};
use tertulia_query::Query;
use tertulia_search::{SearchIndex, SearchOptions, SortBy};
use tertulia_store::{OpenOptions, SqliteStore, Store, Synchronous};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn texts(data: &Path) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(data) else {
        return out;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    for f in files {
        let Ok(s) = std::fs::read_to_string(&f) else {
            continue;
        };
        for line in s.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if let Some(t) = v.get("text").and_then(|t| t.as_str()) {
                let lang = v.get("lang").and_then(|l| l.as_str()).map(str::to_string);
                out.push((t.to_string(), lang));
            }
        }
    }
    out
}

const BRANDS: &[&str] = &[
    "Iberia",
    "Vueling",
    "AirEuropa",
    "United",
    "Delta",
    "American",
];

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| {
                    let m = e.metadata().ok();
                    if m.as_ref().is_some_and(|m| m.is_dir()) {
                        dir_size(&e.path())
                    } else {
                        m.map_or(0, |m| m.len())
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let corpus = texts(&data);
    if corpus.is_empty() {
        println!(
            "skipping search bench: no texts in {} (absent?)",
            data.display()
        );
        return;
    }
    let n: usize = std::env::var("TERTULIA_BENCH_POSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let tmp = std::env::var("TERTULIA_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    let dir = tempfile::tempdir_in(tmp).expect("temp dir");
    println!(
        "{} source texts; building {n} posts in {}",
        corpus.len(),
        dir.path().display()
    );
    let store = SqliteStore::open_with(
        dir.path(),
        &OpenOptions {
            synchronous: Synchronous::Off,
            ..OpenOptions::default()
        },
    )
    .expect("store");
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let start = Utc
        .with_ymd_and_hms(2015, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    let t0 = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..n {
        let (text, lang) = &corpus[rng.below(corpus.len())];
        let net = [
            Network::X,
            Network::X,
            Network::X,
            Network::Reddit,
            Network::Facebook,
            Network::Instagram,
            Network::Youtube,
            Network::Mastodon,
            Network::Bluesky,
        ][rng.below(9)];
        let mut p = Post::new(net, format!("{i}"), PostKind::ALL[rng.below(5)]);
        p.text = text.clone();
        p.lang = lang.clone();
        let user = rng.below(200_000);
        p.author.handle = Some(format!("user{user}"));
        p.author.name = Some(format!("Usuario {user}"));
        p.author.followers = Some(rng.next() % 100_000);
        p.created_at = Utc
            .timestamp_opt(start + (rng.next() % (90 * 86_400)) as i64, 0)
            .single();
        p.metrics.likes = Some(rng.next() % 50);
        if rng.below(10) < 3 {
            p.brands.push(BRANDS[rng.below(BRANDS.len())].to_string());
        }
        p.enrichment = Some(Enrichment {
            lang: lang.clone().unwrap_or_else(|| "und".into()),
            sentiment: Sentiment::ALL[rng.below(3)],
            sentiment_score: 0.0,
            intents: if rng.below(4) == 0 {
                vec![Intent::Complaint]
            } else {
                vec![]
            },
            emotion: Emotion::ALL[rng.below(7)],
            offensive: false,
        });
        batch.push(Item::Post(Box::new(p)));
        if batch.len() == 10_000 {
            store.upsert(&batch).expect("upsert");
            batch.clear();
        }
    }
    store.upsert(&batch).expect("upsert");
    println!("store: {n} posts in {:.1}s", t0.elapsed().as_secs_f64());

    let index_dir = dir.path().join("index");
    let mut index = SearchIndex::open(&index_dir).expect("index");
    let t0 = Instant::now();
    let stats = index.sync(&store).expect("sync");
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "index build (full sync, incl. store scan and merges): {} docs in {secs:.1}s = {:.0} posts/s; size {:.1} MiB",
        stats.docs,
        stats.docs as f64 / secs,
        dir_size(&index_dir) as f64 / (1 << 20) as f64
    );
    drop(index);
    let index = SearchIndex::open(&index_dir).expect("index");

    let queries = [
        "delta OR united",
        "@united OR @delta OR @americanair",
        "\"customer service\"",
        "\"cancelled flight\" OR \"flight cancelled\"",
        "sentiment:negative (delayed OR cancelled)",
        "brand:Iberia vuelo",
        "lang:es (vuelo OR avion) -gracias",
        "complain*",
        "cancel* network:x date:[2015-02-01 TO 2015-02-14]",
        "authorFollowers:[10000 TO *] (service OR servicio)",
        "gracias",
        "the",
        "\"flight delayed\"~3",
        "flight NEAR/3 delayed",
    ];
    println!("query | sort | total | p50 ms | p95 ms | verified");
    for q in queries {
        let query = Query::compile(q).expect("query");
        for sort in [SortBy::Relevance, SortBy::Time] {
            let opts = SearchOptions { limit: 20, sort };
            let mut times: Vec<Duration> = Vec::new();
            let mut total = 0;
            let mut verified = false;
            for _ in 0..15 {
                let t = Instant::now();
                let r = index.search(&store, &query, &opts).expect("search");
                times.push(t.elapsed());
                total = r.total;
                verified = r.verified;
            }
            times.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "{q} | {sort:?} | {total} | {:.1} | {:.1} | {verified}",
                ms(times[times.len() / 2]),
                ms(times[times.len() * 95 / 100])
            );
        }
    }
}
