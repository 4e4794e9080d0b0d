//! K-fold cross-validation of one head over every item of its corpora (experiments only):
//! `cargo run --release -p tertulia-nlp --example cv -- HEAD GROUP [FILE=WEIGHT]...`.
//! Folds are `xxh3(split key) % K` (K = 5, or `K`), so a tweet present in two corpora is in
//! the same fold everywhere. Prints macro-F1, average recall and accuracy per corpus, and
//! pooled over the head's main corpora (the first two sources of `sentiment`, else the first).
//! Environment: `NOVAL` (no valence features), `BLENDVAL` (valence from the blended lexicon),
//! `EP`, `LR`, `NB`, `ENS`, `L2` override the head's training settings, `MINN`/`MAXN` the
//! byte n-gram sizes; `BIAS=b1,b2` adds to the logits of classes 1 and 2; `K` folds, `FSEED`
//! another partition. Scores the float model by argmax (no domain blend; `QUANT=1` rounds the
//! weights to int8 with one scale per head, as the artefact does).
//! Stacking (v5): a stacked head (`Spec::stack`) also reads its signals
//! ([`tertulia_nlp::intent::SENTIMENT_STACK`]) from the embedded classifier, as `tertulia
//! train` does; `SIGS=a-b,c` picks other signals (indices of `Intents::signals`, `none` for
//! none) for any head, `SCALE` multiplies them, `ONLY=n` gives them to the first n corpora.
//! After v5 (experiments, none kept; figures in docs/models.md): `DSTACK=i,j` stacks the
//! class probabilities of a model of source i alone (cross-fitted on its own items), `DSOLO`
//! then drops source i from the head's data, `DSCALE` scales them; `PRUNE=t` weighs by `PW`
//! (default 0) the training items whose label a model of the other half of the training
//! items gives less than t (label-noise pruning); `CONF=p` weighs items by their corpus's
//! label confidence to the power p, `CONFMIN=c` drops those below c; `DUMP=1` prints every
//! scored item of the first corpus (gold, predicted, p(class 1), text) for error analysis.
//! v6: `AUG=src:dom,...` gives these sources (indices) domains of their own instead of the
//! spec's (`train::augment`; `AUG=` for none).

#![allow(missing_docs, clippy::needless_range_loop)]

use rayon::prelude::*;
use tertulia_nlp::eval::confusion_scores;
use tertulia_nlp::features::{FeatureConfig, Group};
use tertulia_nlp::intent::{Intents, SENTIMENT_STACK, SIGNALS};
use tertulia_nlp::linear::{Example, Linear};
use tertulia_nlp::train::{build_lexicons, featurize, load, specs, split_key};
use tertulia_nlp::{Classifier, Scratch};

/// Ironic tweets as extra negatives (the rest skipped).
fn irony_neg(r: &tertulia_nlp::train::Rec) -> Option<usize> {
    (r.label == "irony").then_some(2)
}

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
    let kf: u64 = env("K").unwrap_or(5);
    let fseed: u64 = env("FSEED").unwrap_or(0);
    let d = FeatureConfig::default();
    let fc = FeatureConfig {
        valence: std::env::var("NOVAL").is_err(),
        min_n: env("MINN").unwrap_or(d.min_n),
        max_n: env("MAXN").unwrap_or(d.max_n),
        ..d
    };
    let data = std::path::Path::new("../shared/data");
    let mut lex = build_lexicons(data)?;
    if std::env::var("BLENDVAL").is_ok() {
        lex.valence.clear();
    }
    let spec = specs()
        .into_iter()
        .find(|s| s.head == head && s.group == group)
        .ok_or("no spec")?;
    let sigs = match std::env::var("SIGS") {
        Ok(s) => parse_sigs(&s)?,
        Err(_) if spec.stack => SENTIMENT_STACK.to_vec(),
        Err(_) => Vec::new(),
    };
    if sigs.iter().any(|&k| k >= SIGNALS) {
        return Err("signal index out of range".into());
    }
    let scale: f32 = env("SCALE").unwrap_or(1.0);
    let only: usize = env("ONLY").unwrap_or(usize::MAX);
    // CONF=p: an item's weight × confidence^p; CONFMIN=c: items below c dropped.
    let conf_p: f32 = env("CONF").unwrap_or(0.0);
    let conf_min: f32 = env("CONFMIN").unwrap_or(0.0);
    let conf_w = |c: Option<f32>| match c {
        Some(c) if c < conf_min => 0.0,
        Some(c) => c.powf(conf_p),
        None => 1.0,
    };
    let clf = Classifier::embedded()?;
    let intents = Intents::new();
    let mut srcs: Vec<(String, tertulia_nlp::train::Mapper, f32)> = spec
        .sources
        .iter()
        .map(|s| (s.file.to_string(), s.map, s.weight))
        .collect();
    for x in a.iter().skip(3) {
        if let Some((f, w)) = x.split_once('=') {
            let w: f32 = w.parse()?;
            match srcs.iter_mut().find(|s| s.0 == f) {
                Some(s) => s.2 = w,
                None => {
                    // An emotion corpus feeds sentiment through its emotions (`emo_sent`).
                    let m = if f.starts_with("emotion-") && head == "sentiment" {
                        tertulia_nlp::train::emo_sent
                    } else if f.starts_with("emotion-") && head == "offensive" {
                        tertulia_nlp::train::off_flag
                    } else if f.starts_with("irony-") && head == "sentiment" {
                        irony_neg
                    } else {
                        srcs[0].1
                    };
                    srcs.push((f.to_string(), m, w));
                }
            }
        }
    }
    // (file, fold, example)
    let mut items: Vec<(usize, u64, Example)> = Vec::new();
    let mut names = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    for (fi, (file, map, weight)) in srcs.iter().enumerate() {
        names.push(file.clone());
        let recs = load(data, file)?;
        let ex: Vec<(usize, u64, Example, String)> = recs
            .par_iter()
            .map_init(Scratch::default, |scratch, r| {
                let y = map(r)?;
                let (mut idx, mut val) = featurize(&lex, fc, group, &r.text);
                if !sigs.is_empty() && fi < only {
                    // As `tertulia train`: zero where the text is read in the other group.
                    let sv = clf.with_doc(&r.text, scratch, |d| {
                        (d.group == group).then(|| intents.signals(d))
                    });
                    let sv = sv.unwrap_or([0.0; SIGNALS]);
                    for &k in &sigs {
                        idx.push(intents.signal_index()[k]);
                        val.push(sv[k] * scale);
                    }
                }
                let fold =
                    xxhash_rust::xxh3::xxh3_64_with_seed(split_key(&r.text).as_bytes(), fseed) % kf;
                Some((
                    fi,
                    fold,
                    Example {
                        idx,
                        val,
                        y,
                        w: *weight * conf_w(r.confidence),
                    },
                    r.text.clone(),
                ))
            })
            .flatten()
            .collect();
        for (a, b, c, t) in ex {
            items.push((a, b, c));
            texts.push(t);
        }
    }
    // DSTACK=i,j: source i's own model (cross-fitted on its items) gives its class
    // probabilities as signals to every item; DSOLO drops those sources from the head's data.
    if let Ok(ds) = std::env::var("DSTACK") {
        let dscale: f32 = env("DSCALE").unwrap_or(1.0);
        for src in ds.split(',').filter_map(|x| x.parse::<usize>().ok()) {
            let k = spec.classes;
            let aux: Vec<usize> = (0..items.len()).filter(|&i| items[i].0 == src).collect();
            // Inner folds for cross-fitting, by another hash of the text.
            let inner =
                |i: usize| xxhash_rust::xxh3::xxh3_64_with_seed(texts[i].as_bytes(), 0xF0) % 5;
            let mut probs = vec![vec![0f32; k]; items.len()];
            let models: Vec<Linear> = (0..6u64)
                .into_par_iter()
                .map(|f| {
                    let tr: Vec<Example> = aux
                        .iter()
                        .filter(|&&i| f == 5 || inner(i) != f)
                        .map(|&i| {
                            let mut e = items[i].2.clone();
                            e.w = 1.0;
                            e
                        })
                        .collect();
                    Linear::train(&tr, k, spec.cfg)
                })
                .collect();
            let mut z = vec![0f32; k];
            for i in 0..items.len() {
                let m = if items[i].0 == src {
                    &models[inner(i) as usize]
                } else {
                    &models[5]
                };
                m.logits(&items[i].2.idx, &items[i].2.val, &mut z);
                tertulia_nlp::linear::softmax(&mut z);
                probs[i].copy_from_slice(&z);
            }
            for (i, p) in probs.iter().enumerate() {
                for (c, &x) in p.iter().enumerate() {
                    let h = xxhash_rust::xxh3::xxh3_64_with_seed(&[src as u8, c as u8], 0xD5);
                    items[i].2.idx.push((h ^ (h >> 32)) as u32);
                    items[i].2.val.push(x * dscale);
                }
            }
            if std::env::var("DSOLO").is_ok() {
                for it in items.iter_mut().filter(|it| it.0 == src) {
                    it.2.w = 0.0;
                }
            }
        }
    }
    // AUG=src:dom,...: feature augmentation of these sources (`train::augment`) instead of
    // the spec's own `Source::domain`s (`AUG=` for none).
    let doms: Vec<(usize, u8)> = match std::env::var("AUG") {
        Ok(aug) => aug
            .split(',')
            .filter_map(|x| {
                let (a, b) = x.split_once(':')?;
                Some((a.parse().ok()?, b.parse().ok()?))
            })
            .collect(),
        Err(_) => spec
            .sources
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i, s.domain?)))
            .collect(),
    };
    if !doms.is_empty() {
        for it in items.iter_mut() {
            let d = doms.iter().find(|(s, _)| *s == it.0).map(|x| x.1);
            tertulia_nlp::train::augment(&mut it.2.idx, &mut it.2.val, d);
        }
    }
    let mut cfg = spec.cfg;
    // Domain copies take the upper half of the rows (`train::DOMAIN_ROW`); as
    // `Spec::train_config`, but for the domains `AUG` may have set.
    cfg.bits = if doms.is_empty() {
        tertulia_nlp::train::TABLE_BITS
    } else {
        tertulia_nlp::train::TABLE_BITS + 1
    };
    if let Some(v) = env("EP") {
        cfg.epochs = v;
    }
    if let Some(v) = env("LR") {
        cfg.lr = v;
    }
    if let Some(v) = env("NB") {
        cfg.nb = v;
    }
    if let Some(v) = env("ENS") {
        cfg.ensemble = v;
    }
    if let Some(v) = env("BITS") {
        cfg.bits = v;
    }
    if let Some(v) = env("L2") {
        cfg.l2 = v;
    }
    let k = spec.classes;
    let quant = std::env::var("QUANT").as_deref() == Ok("1");
    // `BIAS=b1,b2`: added to the logits of classes 1 and 2 (sentiment: neutral, negative).
    let bias: Vec<f32> = std::env::var("BIAS")
        .map(|b| b.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_default();
    let cms: Vec<Vec<Vec<Vec<f64>>>> = (0..kf)
        .into_par_iter()
        .map(|fold| {
            let train: Vec<Example> = items
                .iter()
                .filter(|(_, f, e)| *f != fold && e.w > 0.0)
                .map(|(_, _, e)| e.clone())
                .collect();
            let mut train = train;
            // PRUNE=t: items whose label the other half of the training items' model gives
            // less than t are weighted by PW (default 0): label-noise pruning.
            if let Some(t) = env::<f32>("PRUNE") {
                let pw: f32 = env("PW").unwrap_or(0.0);
                let half = |i: usize| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 63;
                let ms: Vec<Linear> = (0..2u64)
                    .map(|h| {
                        let tr: Vec<Example> = train
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| half(*i) != h)
                            .map(|(_, e)| e.clone())
                            .collect();
                        Linear::train(&tr, k, cfg)
                    })
                    .collect();
                let mut z = vec![0f32; k];
                let mut n = 0;
                for (i, e) in train.iter_mut().enumerate() {
                    ms[half(i) as usize].logits(&e.idx, &e.val, &mut z);
                    tertulia_nlp::linear::softmax(&mut z);
                    if z[e.y] < t {
                        e.w *= pw;
                        n += 1;
                    }
                }
                eprintln!("fold {fold}: pruned {n} of {}", train.len());
            }
            let mut m = Linear::train(&train, k, cfg);
            if quant {
                // One scale per head, as `Table::add` does.
                let shared = (1usize << tertulia_nlp::train::TABLE_BITS) * k;
                let max = m.w.iter().take(shared).fold(0f32, |x, w| x.max(w.abs()));
                let sc = if max > 0.0 { max / 127.0 } else { 1.0 };
                for w in &mut m.w {
                    *w = (*w / sc).round().clamp(-127.0, 127.0) * sc;
                }
            }
            let mut cms = vec![vec![vec![0f64; k]; k]; names.len()];
            let mut z = vec![0f32; k];
            let dump = std::env::var("DUMP").is_ok();
            for (ii, (fi, f, e)) in items.iter().enumerate() {
                if *f != fold {
                    continue;
                }
                m.logits(&e.idx, &e.val, &mut z);
                if dump && *fi == 0 {
                    let mut pz = z.clone();
                    tertulia_nlp::linear::softmax(&mut pz);
                    println!(
                        "DUMP\t{}\t{}\t{:.3}\t{}",
                        e.y,
                        (0..k).fold(0, |b, i| if pz[i] > pz[b] { i } else { b }),
                        pz[1],
                        texts[ii].replace(['\n', '\t'], " ")
                    );
                }
                for (zi, b) in z.iter_mut().skip(1).zip(&bias) {
                    *zi += b;
                }
                let p = (0..k).fold(0, |b, i| if z[i] > z[b] { i } else { b });
                cms[*fi][e.y][p] += 1.0;
            }
            cms
        })
        .collect();
    let mut line = String::new();
    let mut pooled = vec![vec![0f64; k]; k];
    for fi in 0..names.len() {
        let mut cm = vec![vec![0f64; k]; k];
        for c in &cms {
            for y in 0..k {
                for p in 0..k {
                    cm[y][p] += c[fi][y][p];
                }
            }
        }
        let npool = if head == "sentiment" { 2 } else { 1 };
        if fi < npool {
            for y in 0..k {
                for p in 0..k {
                    pooled[y][p] += cm[y][p];
                }
            }
        }
        let (f1, r, acc) = confusion_scores(&cm);
        line += &format!(
            " | {}: F1 {f1:.3} R {r:.3} A {acc:.3}",
            &names[fi][..names[fi].len().min(20)]
        );
    }
    let (f1, r, acc) = confusion_scores(&pooled);
    println!("{line} || main F1 {f1:.4} R {r:.4} A {acc:.4}");
    Ok(())
}
