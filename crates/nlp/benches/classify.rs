//! Throughput of `classify_jsonl` (every field computed) and of `Classifier::enrich`.
//!
//! Texts: the tweets of `../shared/data` when present (read at bench time, never committed),
//! else invented sentences.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::io::Cursor;
use tertulia_nlp::{Classifier, classify_jsonl};

fn texts() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let mut out = Vec::new();
    for f in [
        "sentiment-es-tass-general.jsonl",
        "brand-en-airline.jsonl",
        "offensive-en-tweeteval.jsonl",
        "emotion-es-emoevent.jsonl",
    ] {
        if let Ok(s) = std::fs::read_to_string(dir.join(f)) {
            for l in s.lines() {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(l)
                    && let Some(t) = v.get("text").and_then(|t| t.as_str())
                {
                    out.push(t.to_string());
                }
            }
        }
    }
    if out.is_empty() {
        for i in 0..10_000 {
            out.push(format!(
                "@marca {i} ¡Qué partidazo! Gracias por todo, sois los mejores 😍 #VamosEquipo https://t.co/x"
            ));
            out.push(format!(
                "@united flight {i} delayed again, worst service ever. Where is my bag?"
            ));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let clf = Classifier::embedded().expect("embedded model");
    let texts = texts();
    let mut jsonl = String::new();
    for (i, t) in texts.iter().enumerate() {
        jsonl.push_str(&serde_json::json!({"id": i, "text": t}).to_string());
        jsonl.push('\n');
    }
    let mut g = c.benchmark_group("classify");
    g.sample_size(10);
    g.throughput(Throughput::Elements(texts.len() as u64));
    g.bench_function("classify_jsonl_all_cores", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(jsonl.len() * 2);
            classify_jsonl(&clf, Cursor::new(jsonl.as_bytes()), &mut out).expect("classify");
            black_box(out.len())
        })
    });
    g.bench_function("enrich_one_core", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for t in &texts {
                n += clf.enrich(t).intents.len();
            }
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
