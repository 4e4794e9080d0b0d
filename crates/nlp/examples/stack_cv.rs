//! 5-fold cross-validation of a head with the signals of the embedded classifier's other
//! heads appended to its text features (experiments only; how the v5 stacked Spanish
//! sentiment was chosen): `cargo run --release -p tertulia-nlp --example stack_cv -- HEAD GROUP`.
//! Signals: the head's own ([`tertulia_nlp::intent::SENTIMENT_STACK`] for a stacked head,
//! none otherwise), or `SIGS=a-b,c` (indices of `Intents::signals`; `SIGS=none` for none).
//! `SCALE` multiplies them, `FSEED` picks another fold partition, `ONLY=n` gives the signals
//! to the first n corpora only, `QUANT=1` scores the weights rounded to int8 as shipped.
//! Folds and scoring as `examples/cv.rs` (pooled over the head's main corpora, argmax).

#![allow(missing_docs, clippy::needless_range_loop)]

use rayon::prelude::*;
use tertulia_nlp::eval::confusion_scores;
use tertulia_nlp::features::{FeatureConfig, Group};
use tertulia_nlp::intent::{Intents, SENTIMENT_STACK};
use tertulia_nlp::linear::{Example, Linear};
use tertulia_nlp::train::{build_lexicons, featurize, load, specs, split_key};
use tertulia_nlp::{Classifier, Scratch};

fn env<T: std::str::FromStr>(k: &str) -> Option<T> {
    std::env::var(k).ok().and_then(|v| v.parse().ok())
}

/// `a-b,c` → the indices.
fn parse_sigs(s: &str) -> Result<Vec<usize>, std::num::ParseIntError> {
    let mut out = Vec::new();
    for r in s.split(',').filter(|r| !r.is_empty() && *r != "none") {
        match r.split_once('-') {
            Some((x, y)) => out.extend(x.parse::<usize>()?..=y.parse::<usize>()?),
            None => out.push(r.parse()?),
        }
    }
    Ok(out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let head = a.get(1).cloned().unwrap_or_else(|| "sentiment".into());
    let group = if a.get(2).map(String::as_str) == Some("en") {
        Group::En
    } else {
        Group::Es
    };
    let spec = specs()
        .into_iter()
        .find(|s| s.head == head && s.group == group)
        .ok_or("no spec")?;
    let sigs = match std::env::var("SIGS") {
        Ok(s) => parse_sigs(&s)?,
        Err(_) if spec.stack => SENTIMENT_STACK.to_vec(),
        Err(_) => Vec::new(),
    };
    if sigs.iter().any(|&k| k >= tertulia_nlp::intent::SIGNALS) {
        return Err("signal index out of range".into());
    }
    let scale: f32 = env("SCALE").unwrap_or(1.0);
    let only: usize = env("ONLY").unwrap_or(usize::MAX);
    let fseed: u64 = env("FSEED").unwrap_or(0);
    let fc = FeatureConfig::default();
    let data = std::path::Path::new("../shared/data");
    let lex = build_lexicons(data)?;
    let clf = Classifier::embedded()?;
    let intents = Intents::new();
    let mut items: Vec<(usize, u64, Example)> = Vec::new();
    for (fi, s) in spec.sources.iter().enumerate() {
        let recs = load(data, s.file)?;
        let ex: Vec<(usize, u64, Example)> = recs
            .par_iter()
            .map_init(Scratch::default, |scratch, r| {
                let y = (s.map)(r)?;
                let (mut idx, mut val) = featurize(&lex, fc, group, &r.text);
                if !sigs.is_empty() && fi < only {
                    let sv = clf.with_doc(&r.text, scratch, |d| intents.signals(d));
                    for &k in &sigs {
                        idx.push(intents.signal_index()[k]);
                        val.push(sv[k] * scale);
                    }
                }
                let key = split_key(&r.text);
                let fold = xxhash_rust::xxh3::xxh3_64_with_seed(key.as_bytes(), fseed) % 5;
                let w = s.weight;
                Some((fi, fold, Example { idx, val, y, w }))
            })
            .flatten()
            .collect();
        items.extend(ex);
    }
    let k = spec.classes;
    let cfg = spec.cfg;
    let npool = if head == "sentiment" { 2 } else { 1 };
    let quant = std::env::var("QUANT").as_deref() == Ok("1");
    let cms: Vec<Vec<Vec<f64>>> = (0..5u64)
        .into_par_iter()
        .map(|fold| {
            let train: Vec<Example> = items
                .iter()
                .filter(|(_, f, e)| *f != fold && e.w > 0.0)
                .map(|(_, _, e)| e.clone())
                .collect();
            let mut m = Linear::train(&train, k, cfg);
            if quant {
                // One scale per head, as `Table::add` does.
                let max = m.w.iter().fold(0f32, |x, w| x.max(w.abs()));
                let sc = if max > 0.0 { max / 127.0 } else { 1.0 };
                for w in &mut m.w {
                    *w = (*w / sc).round().clamp(-127.0, 127.0) * sc;
                }
            }
            let mut cm = vec![vec![0f64; k]; k];
            let mut z = vec![0f32; k];
            for (fi, f, e) in &items {
                if *f != fold || *fi >= npool {
                    continue;
                }
                m.logits(&e.idx, &e.val, &mut z);
                let p = (0..k).fold(0, |b, i| if z[i] > z[b] { i } else { b });
                cm[e.y][p] += 1.0;
            }
            cm
        })
        .collect();
    let mut pooled = vec![vec![0f64; k]; k];
    for c in &cms {
        for y in 0..k {
            for p in 0..k {
                pooled[y][p] += c[y][p];
            }
        }
    }
    let (f1, r, acc) = confusion_scores(&pooled);
    println!("signals {sigs:?}: main F1 {f1:.4} R {r:.4} A {acc:.4}");
    Ok(())
}
