//! Import throughput: ≥ 100k posts in X API v2 page form (twarc2 NDJSON, 100 tweets a page) and
//! in Tertulia's own JSONL, read, parsed and written into a fresh embedded store per iteration.
//! Target: ≥ 100k posts/s on 2 cores. Run: `cargo bench -p tertulia-pipeline --bench import`.
//! A third case adds what `tertulia import` does besides: enrichment of every post with the
//! embedded models (language, sentiment, intents, emotion, offensive).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use tertulia_connectors::registry;
use tertulia_pipeline::{ImportOptions, import};

const POSTS: usize = 100_000;

const WORDS: &[&str] = &[
    "vuelo",
    "retraso",
    "maleta",
    "gracias",
    "servicio",
    "precio",
    "billete",
    "aeropuerto",
    "flight",
    "delay",
    "luggage",
    "thanks",
    "service",
    "price",
    "ticket",
    "airport",
    "muy",
    "malo",
    "bueno",
    "great",
    "awful",
    "otra",
    "vez",
    "again",
    "¿dónde",
    "está",
    "mi",
    "where",
    "is",
    "my",
    "😡",
    "😍",
    "#vuelaya",
    "@vuelaya",
    "https://t.co/abc123",
    "niño",
    "ñandú",
];

/// A deterministic pseudo-random sequence (xorshift), so that every run reads the same input.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn text(rng: &mut Rng) -> String {
    let n = 8 + (rng.next() % 20) as usize;
    (0..n)
        .map(|_| rng.pick(WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

/// twarc2-style NDJSON: one API v2 page of 100 tweets per line, with includes.users.
fn write_x_v2(path: &Path) {
    let mut rng = Rng(0x5eed);
    let mut out = String::new();
    for page in 0..POSTS / 100 {
        let mut data = Vec::with_capacity(100);
        let mut users = Vec::with_capacity(100);
        for i in 0..100 {
            let id = 1_800_000_000_000_000_000u64 + (page * 100 + i) as u64;
            let uid = 1000 + rng.next() % 50_000;
            let reply = rng.next().is_multiple_of(3);
            let mut refs = String::new();
            if reply {
                let _ = write!(
                    refs,
                    r#","referenced_tweets":[{{"type":"replied_to","id":"{}"}}],"in_reply_to_user_id":"1""#,
                    id - 1
                );
            }
            data.push(format!(
                r#"{{"id":"{id}","text":{text},"author_id":"{uid}","conversation_id":"{id}","created_at":"2026-11-{day:02}T{h:02}:{m:02}:00.000Z","lang":"es","public_metrics":{{"retweet_count":{rt},"reply_count":{rc},"like_count":{lc},"quote_count":0,"impression_count":{imp}}},"edit_history_tweet_ids":["{id}"]{refs}}}"#,
                text = serde_json::Value::String(text(&mut rng)),
                day = 1 + rng.next() % 20,
                h = rng.next() % 24,
                m = rng.next() % 60,
                rt = rng.next() % 10,
                rc = rng.next() % 10,
                lc = rng.next() % 100,
                imp = rng.next() % 10_000,
            ));
            users.push(format!(
                r#"{{"id":"{uid}","username":"user{uid}","name":"User {uid}","verified":false,"public_metrics":{{"followers_count":{f},"following_count":10,"tweet_count":100,"listed_count":0}}}}"#,
                f = rng.next() % 100_000
            ));
        }
        let _ = writeln!(
            out,
            r#"{{"data":[{}],"includes":{{"users":[{}]}},"meta":{{"result_count":100}},"__twarc":{{"url":"https://api.twitter.com/2/tweets/search/recent","version":"2.14.0","retrieved_at":"2026-11-21T00:00:00+00:00"}}}}"#,
            data.join(","),
            users.join(",")
        );
    }
    let _ = std::fs::write(path, out);
}

/// Tertulia's own JSONL export form.
fn write_jsonl(path: &Path) {
    let mut rng = Rng(0xfeed);
    let mut out = String::new();
    for i in 0..POSTS {
        let _ = writeln!(
            out,
            r#"{{"v":1,"network":"mastodon","native_id":"https://m.example/users/u{u}/statuses/{i}","author":{{"id":"https://m.example/users/u{u}","handle":"u{u}@m.example","followers":{f}}},"text":{t},"created_at":"2026-11-{d:02}T10:00:00Z","kind":"post","parent_id":null,"metrics":{{"likes":{l}}},"raw":{{"id":"{i}"}}}}"#,
            u = rng.next() % 50_000,
            f = rng.next() % 10_000,
            t = serde_json::Value::String(text(&mut rng)),
            d = 1 + rng.next() % 20,
            l = rng.next() % 50,
        );
    }
    let _ = std::fs::write(path, out);
}

/// Enrichment with the embedded models, as `tertulia import` does.
struct Enrich(tertulia_nlp::Classifier);

impl tertulia_pipeline::Annotator for Enrich {
    fn annotate(&self, post: &mut tertulia_model::Post) {
        post.enrichment = Some(self.0.enrich(&post.full_text()));
    }
}

fn bench_import(
    c: &mut Criterion,
    name: &str,
    file: PathBuf,
    annotator: Option<&dyn tertulia_pipeline::Annotator>,
) {
    let connectors = registry();
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Elements(POSTS as u64));
    group.bench_function(name, |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}")),
            |dir| {
                let store = tertulia_store::open(&dir.path().display().to_string())
                    .unwrap_or_else(|e| panic!("{e}"));
                let s = import(
                    store.as_ref(),
                    &connectors,
                    std::slice::from_ref(&file),
                    &ImportOptions::default(),
                    annotator,
                    &mut |_| {},
                )
                .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(s.imported as usize, POSTS, "{s:?}");
                dir
            },
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let x = dir.path().join("x-v2.jsonl");
    write_x_v2(&x);
    let own = dir.path().join("own.jsonl");
    write_jsonl(&own);
    let enrich =
        Enrich(tertulia_nlp::Classifier::embedded().unwrap_or_else(|e| panic!("models: {e}")));
    bench_import(c, "x_v2_twarc_100k", x.clone(), None);
    bench_import(c, "tertulia_jsonl_100k", own, None);
    bench_import(c, "x_v2_twarc_100k_enriched", x, Some(&enrich));
}

criterion_group!(import_benches, benches);
criterion_main!(import_benches);
