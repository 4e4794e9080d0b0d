//! Supervised Spanish intent heads against the rules (experiments only):
//! `intent_sup ARTEFACT TRAIN_TEXTS,TRAIN_LABELS[;...] TUNE_TEXTS,TUNE_LABELS HOLD_TEXTS,HOLD_LABELS`.
//! Trains one binary head per intent on the train sets' es features, picks decision
//! thresholds on the tune set and prints F1 of rules, model, rule-or-model and blends on the
//! tune and holdout sets. ARTEFACT should have no learned intent heads (v3, or a build with
//! `LEARNED` emptied), so that "rules" are the rules: this is how the v4 heads were chosen. Environment: `EP`, `LR`, `NB`, `L2`, `ENS`, `TUNETRAIN=1` (also
//! train on the tune set and report the holdout only).

#![allow(missing_docs, clippy::needless_range_loop)]

use std::collections::HashMap;
use tertulia_model::Intent;
use tertulia_nlp::features::Group;
use tertulia_nlp::linear::{Example, Linear, TrainConfig, softmax};
use tertulia_nlp::train::featurize;

fn env<T: std::str::FromStr>(k: &str) -> Option<T> {
    std::env::var(k).ok().and_then(|v| v.parse().ok())
}

type Item = (String, Vec<String>);
/// A decision family: (rule fired, model probability, threshold) → intent.
type Decide = fn(bool, f32, f32) -> bool;

fn read_set(spec: &str) -> Result<Vec<Item>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for pair in spec.split(';') {
        let (t, l) = pair.split_once(',').ok_or("TEXTS,LABELS")?;
        let texts: HashMap<String, String> = std::fs::read_to_string(t)?
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| {
                (
                    v["id"].as_str().unwrap_or("").to_string(),
                    v["text"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let Ok(ls) = std::fs::read_to_string(l) else {
            eprintln!("skip {l}");
            continue;
        };
        for line in ls.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let id = v["id"].as_str().unwrap_or("");
            let Some(text) = texts.get(id) else { continue };
            let labels = v["label"]
                .as_array()
                .map(|x| {
                    x.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            out.push((text.clone(), labels));
        }
    }
    Ok(out)
}

fn f1(gold: &[bool], pred: &[bool]) -> f64 {
    let (mut tp, mut fp, mut fnn) = (0.0, 0.0, 0.0);
    for (g, p) in gold.iter().zip(pred) {
        match (g, p) {
            (true, true) => tp += 1.0,
            (false, true) => fp += 1.0,
            (true, false) => fnn += 1.0,
            _ => {}
        }
    }
    if tp == 0.0 {
        0.0
    } else {
        2.0 * tp / (2.0 * tp + fp + fnn)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let pack = tertulia_nlp::pack::Pack::from_bytes(&std::fs::read(&a[1])?)?;
    let lex = pack.lexicons.clone();
    let fc = pack.features;
    let clf = tertulia_nlp::Classifier::from_pack(pack);
    let mut train = read_set(&a[2])?;
    let tune = read_set(&a[3])?;
    let hold = read_set(&a[4])?;
    let tunetrain = std::env::var("TUNETRAIN").is_ok();
    if tunetrain {
        train.extend(tune.iter().cloned());
    }
    eprintln!(
        "train {} tune {} hold {}",
        train.len(),
        tune.len(),
        hold.len()
    );
    let cfg = TrainConfig {
        bits: 17,
        epochs: env("EP").unwrap_or(8),
        lr: env("LR").unwrap_or(0.05),
        l2: env("L2").unwrap_or(1e-4),
        nb: env("NB").unwrap_or(1.0),
        ensemble: env("ENS").unwrap_or(3),
        balanced: env::<u8>("BAL").unwrap_or(1) == 1,
        ..TrainConfig::default()
    };
    // SIG: 0 sparse text features only, 1 plus the dense signals, 2 signals only.
    let sig: u8 = env("SIG").unwrap_or(1);
    // GROUP=en: English texts (features of the en group).
    let group = if std::env::var("GROUP").as_deref() == Ok("en") {
        Group::En
    } else {
        Group::Es
    };
    let intents = tertulia_nlp::intent::Intents::new();
    let feats = |set: &[Item]| -> Vec<(Vec<u32>, Vec<f32>)> {
        let mut scratch = tertulia_nlp::Scratch::default();
        set.iter()
            .map(|(t, _)| {
                let (mut idx, mut val) = if sig == 2 {
                    (Vec::new(), Vec::new())
                } else {
                    featurize(&lex, fc, group, t)
                };
                if sig > 0 {
                    let s = clf.with_doc(t, &mut scratch, |d| intents.signals(d));
                    for (k, v) in s.iter().enumerate() {
                        idx.push(xxhash_rust::xxh3::xxh3_64(format!("isig{k}").as_bytes()) as u32);
                        val.push(*v);
                    }
                }
                (idx, val)
            })
            .collect()
    };
    let (ftr, ftu, fho) = (feats(&train), feats(&tune), feats(&hold));
    let rules = |set: &[Item]| -> Vec<Vec<Intent>> {
        set.iter().map(|(t, _)| clf.enrich(t).intents).collect()
    };
    let (rtu, rho) = (rules(&tune), rules(&hold));
    let names = [
        (Intent::Question, "question"),
        (Intent::Complaint, "complaint"),
        (Intent::Praise, "praise"),
    ];
    for (intent, name) in names {
        let data: Vec<Example> = train
            .iter()
            .zip(&ftr)
            .map(|((_, l), (idx, val))| Example {
                idx: idx.clone(),
                val: val.clone(),
                y: usize::from(l.iter().any(|x| x == name)),
                w: 1.0,
            })
            .collect();
        let pos = data.iter().filter(|e| e.y == 1).count();
        let m = Linear::train(&data, 2, cfg);
        let probs = |f: &[(Vec<u32>, Vec<f32>)]| -> Vec<f32> {
            f.iter()
                .map(|(idx, val)| {
                    let mut z = [0.0f32; 2];
                    m.logits(idx, val, &mut z);
                    softmax(&mut z);
                    z[1]
                })
                .collect()
        };
        let (ptu, pho) = (probs(&ftu), probs(&fho));
        let gold = |set: &[Item]| -> Vec<bool> {
            set.iter()
                .map(|(_, l)| l.iter().any(|x| x == name))
                .collect()
        };
        let (gtu, gho) = (gold(&tune), gold(&hold));
        let rule =
            |r: &[Vec<Intent>]| -> Vec<bool> { r.iter().map(|x| x.contains(&intent)).collect() };
        let (rt, rh) = (rule(&rtu), rule(&rho));
        // Decision families, each with one threshold t picked on tune.
        let fams: [(&str, Decide); 4] = [
            ("model", |_, p, t| p > t),
            ("rule|model", |r, p, t| r || p > t),
            ("rule&model", |r, p, t| r && p > t),
            ("blend", |r, p, t| {
                0.5 * p + 0.5 * f32::from(u8::from(r)) > t
            }),
        ];
        println!(
            "{name}: train pos {pos}/{} | rules tune {:.3} hold {:.3}",
            data.len(),
            f1(&gtu, &rt),
            f1(&gho, &rh)
        );
        for (fname, fam) in fams {
            let mut best = (0.0, 0.5f32);
            for k in 1..100 {
                let t = k as f32 / 100.0;
                let pred: Vec<bool> = rt.iter().zip(&ptu).map(|(&r, &p)| fam(r, p, t)).collect();
                let f = f1(&gtu, &pred);
                if f > best.0 {
                    best = (f, t);
                }
            }
            let t = best.1;
            let ph: Vec<bool> = rh.iter().zip(&pho).map(|(&r, &p)| fam(r, p, t)).collect();
            let p5: Vec<bool> = rh.iter().zip(&pho).map(|(&r, &p)| fam(r, p, 0.5)).collect();
            println!(
                "  {fname:<11} t {t:.2}: tune {:.3} hold {:.3} (t=0.5 hold {:.3})",
                best.0,
                f1(&gho, &ph),
                f1(&gho, &p5)
            );
        }
    }
    Ok(())
}
