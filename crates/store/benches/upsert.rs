//! Upsert throughput of the embedded store: fresh imports of synthetic X-like posts (text,
//! author, metrics, entities and a ~1 KB raw API v2 object each) and re-imports (all
//! duplicates). `TERTULIA_BENCH_POSTS` sets the number of posts (default 100,000).

use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use serde_json::json;
use std::time::{Duration, Instant};
use tertulia_model::{Item, Network, Post, PostKind};
use tertulia_store::{OpenOptions, SqliteStore, Store, Synchronous};

const WORDS: &[&str] = &[
    "vuelo",
    "retraso",
    "maleta",
    "gracias",
    "servicio",
    "flight",
    "delayed",
    "luggage",
    "great",
    "crew",
    "terrible",
    "customer",
    "atención",
    "cancelado",
    "puerta",
    "embarque",
    "again",
    "never",
    "love",
    "hours",
    "waiting",
    "help",
    "please",
    "why",
    "today",
    "seat",
    "upgrade",
    "refund",
];

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One synthetic X post shaped like a normalised API v2 tweet, raw object included.
fn x_post(i: u64, rng: &mut Lcg) -> Post {
    let id = 1_600_000_000_000_000_000u64 + i * 7919;
    let user = rng.below(50_000);
    let mut text = format!("@airline{} ", rng.below(6));
    while text.len() < 60 + rng.below(160) as usize {
        text.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
        text.push(' ');
    }
    text.push_str("#travel https://t.co/abcDEF123");
    let created = 1_424_000_000 + (i as i64) * 3 + rng.below(3) as i64;
    let created_at = chrono::DateTime::from_timestamp(created, 0);
    let (likes, rts, replies, quotes) =
        (rng.below(500), rng.below(100), rng.below(50), rng.below(10));
    let followers = rng.below(100_000);
    let mut p = Post::new(Network::X, id.to_string(), PostKind::Post);
    p.url = Some(format!("https://x.com/user{user}/status/{id}"));
    p.author.id = Some(format!("{}", 10_000_000 + user));
    p.author.handle = Some(format!("user{user}"));
    p.author.name = Some(format!("User Number {user}"));
    p.author.followers = Some(followers);
    p.author.verified = Some(false);
    p.text = text.clone();
    p.lang = Some(if i.is_multiple_of(3) { "en" } else { "es" }.into());
    p.created_at = created_at;
    p.conversation_id = Some(id.to_string());
    p.metrics.likes = Some(likes);
    p.metrics.reshares = Some(rts);
    p.metrics.replies = Some(replies);
    p.metrics.quotes = Some(quotes);
    p.metrics.views = Some(likes * 40);
    p.hashtags = vec!["travel".into()];
    p.mentions = vec![format!("airline{}", i % 6)];
    p.links = vec!["https://example.com/some/landing/page?utm_source=x".into()];
    p.brands = vec![format!("airline{}", i % 6)];
    p.raw = json!({
        "id": id.to_string(),
        "text": text,
        "author_id": format!("{}", 10_000_000 + user),
        "conversation_id": id.to_string(),
        "created_at": created_at.map(|t| t.to_rfc3339()),
        "lang": p.lang,
        "possibly_sensitive": false,
        "reply_settings": "everyone",
        "source": "Twitter for iPhone",
        "edit_history_tweet_ids": [id.to_string()],
        "public_metrics": {"retweet_count": rts, "reply_count": replies, "like_count": likes,
                           "quote_count": quotes, "bookmark_count": 0, "impression_count": likes * 40},
        "entities": {
            "hashtags": [{"start": 10, "end": 17, "tag": "travel"}],
            "mentions": [{"start": 0, "end": 9, "username": format!("airline{}", i % 6), "id": "123456"}],
            "urls": [{"start": 100, "end": 123, "url": "https://t.co/abcDEF123",
                      "expanded_url": "https://example.com/some/landing/page?utm_source=x",
                      "display_url": "example.com/some/landing…", "status": 200,
                      "unwound_url": "https://example.com/some/landing/page"}]
        },
        "context_annotations": [{"domain": {"id": "45", "name": "Brand Vertical", "description": "Top level entity"},
                                 "entity": {"id": "781974596148793345", "name": "Business & finance"}}],
        "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent?max_results=100", "version": "2.14.0",
                    "retrieved_at": "2024-05-01T10:00:00+00:00"}
    });
    p
}

fn corpus(n: u64) -> Vec<Item> {
    let mut rng = Lcg(42);
    (0..n)
        .map(|i| Item::Post(Box::new(x_post(i, &mut rng))))
        .collect()
}

fn fill(store: &dyn Store, items: &[Item], batch: usize) {
    for chunk in items.chunks(batch) {
        if let Err(e) = store.upsert(chunk) {
            panic!("bench upsert failed: {e}");
        }
    }
}

fn open(dir: &std::path::Path, sync: Synchronous) -> SqliteStore {
    let opts = OpenOptions {
        synchronous: sync,
        ..OpenOptions::default()
    };
    match SqliteStore::open_with(dir, &opts) {
        Ok(s) => s,
        Err(e) => panic!("bench open failed: {e}"),
    }
}

fn tempdir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("bench tempdir: {e}"),
    }
}

fn bench(c: &mut Criterion) {
    let n: u64 = std::env::var("TERTULIA_BENCH_POSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let items = corpus(n);
    let bytes: usize = items
        .iter()
        .map(|i| serde_json::to_vec(i).map(|v| v.len()).unwrap_or(0))
        .sum();
    eprintln!(
        "corpus: {n} posts, {} bytes of JSON per post on average",
        bytes / n as usize
    );

    let mut g = c.benchmark_group("store");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(n));
    for (name, sync, batch) in [
        ("fresh_import/normal/batch10k", Synchronous::Normal, 10_000),
        ("fresh_import/off/batch10k", Synchronous::Off, 10_000),
        ("fresh_import/normal/batch1k", Synchronous::Normal, 1_000),
    ] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let dir = tempdir();
                    let store = open(dir.path(), sync);
                    (dir, store)
                },
                |(dir, store)| {
                    fill(&store, &items, batch);
                    (dir, store)
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.bench_function("reimport_all_duplicates/normal/batch10k", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempdir();
                let store = open(dir.path(), Synchronous::Normal);
                fill(&store, &items, 10_000);
                let t = Instant::now();
                fill(&store, &items, 10_000);
                total += t.elapsed();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench);

/// One timed fresh import and one re-import, printed with the process CPU time, when
/// `TERTULIA_BENCH_ONCE=1` (for profiling and for busy machines where wall time misleads).
fn once() {
    let n: u64 = std::env::var("TERTULIA_BENCH_POSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let batch: usize = std::env::var("TERTULIA_BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let items = corpus(n);
    let c = cpu_seconds();
    let mut bytes = 0usize;
    for item in &items {
        if let Item::Post(p) = item {
            let v = serde_json::to_vec(p).unwrap_or_default();
            bytes += xxhash_rust::xxh3::xxh3_64(&v) as usize & 1;
        }
    }
    println!(
        "serialise + hash alone: {:.1} us CPU/post ({bytes})",
        (cpu_seconds() - c) * 1e6 / n as f64
    );
    let dir = tempdir();
    let store = open(dir.path(), Synchronous::Normal);
    let (t, c, w) = (Instant::now(), cpu_seconds(), thread_cpu_seconds());
    fill(&store, &items, batch);
    let (fresh, fresh_cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
    let writer_cpu = thread_cpu_seconds() - w;
    let (t, c) = (Instant::now(), cpu_seconds());
    fill(&store, &items, batch);
    let (again, again_cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
    let size = std::fs::metadata(store.path())
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "fresh import: {:.0} posts/s wall, {:.1} us CPU/post ({:.1} in the writer thread); re-import: {:.0} posts/s wall, {:.1} us CPU/post; database {} MB",
        n as f64 / fresh,
        fresh_cpu * 1e6 / n as f64,
        writer_cpu * 1e6 / n as f64,
        n as f64 / again,
        again_cpu * 1e6 / n as f64,
        size / 1_000_000
    );
}

/// CPU seconds (user + system, all threads) used by this process so far.
fn cpu_seconds() -> f64 {
    cpu_of("/proc/self/stat")
}

/// CPU seconds used by the calling thread (the SQLite writer) so far.
fn thread_cpu_seconds() -> f64 {
    cpu_of("/proc/thread-self/stat")
}

fn cpu_of(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // After the command name: state(skipped, not numeric), then fields 4.. ; utime and stime
    // are fields 14 and 15, i.e. indices 10 and 11 among the numeric ones.
    (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) / 100.0
}

fn main() {
    if std::env::var("TERTULIA_BENCH_ONCE").is_ok_and(|v| v == "1") {
        once();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
