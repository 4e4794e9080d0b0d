//! Experiments on the dev split (not part of the product; the measurements behind the model
//! card's "what was tried"):
//! `cargo run --release -p tertulia-nlp --example exp2 -- HEAD GROUP [FILE[:MAPPER]=WEIGHT]...`
//! (run from the repository root). Scores the float (or, with `QUANT`, int8) model of one
//! head by plain argmax on each dev corpus, for a grid of lr/epochs/NB power/ensemble size.
//! Extra corpora: `FILE=W` reweighs or adds with the head's mapper; mappers `:emo` (EmoEvent
//! emotion → sentiment), `:emoneg` (anger/disgust → negative, joy → positive), `:hateneg`
//! (HatEval hateful → negative), `:flag` (EmoEvent offensive flag).
//! Environment: `GRID=pick|small`, `NBMIX`, `UNBAL`, `BITS`, `SCALE`/`POW` (feature scaling),
//! `LODDS` (train-split log-odds features), `QUANT=q` (int8 at the q-quantile of |w|),
//! `DITHER`, `COMP` (square-root companding), `SHOWMAX`, `NOVAL` (no valence features),
//! `EVALTUNE` (hold the tune split out too and score on dev + tune). For decisions, prefer
//! `examples/cv.rs` (5-fold cross-validation over every item: about 7× the evaluation items).

#![allow(clippy::needless_range_loop, missing_docs)]

use rayon::prelude::*;
use tertulia_nlp::eval::confusion_scores;
use tertulia_nlp::features::{FeatureConfig, Group};
use tertulia_nlp::linear::{Example, Linear, TrainConfig};
use tertulia_nlp::train::{Rec, build_lexicons, featurize, load, specs};

fn emo_sent(r: &Rec) -> Option<usize> {
    Some(match r.label.as_str() {
        "joy" => 0,
        "others" => 1,
        "surprise" => return None,
        _ => 2,
    })
}

fn emo_neg(r: &Rec) -> Option<usize> {
    match r.label.as_str() {
        "anger" | "disgust" => Some(2),
        "joy" => Some(0),
        _ => None,
    }
}

fn hate_neg(r: &Rec) -> Option<usize> {
    if r.label == "hateful" { Some(2) } else { None }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let head = a.get(1).cloned().unwrap_or_else(|| "sentiment".into());
    let group = if a.get(2).map(String::as_str) == Some("en") {
        Group::En
    } else {
        Group::Es
    };
    let extra: Vec<(String, f32)> = a
        .iter()
        .skip(3)
        .filter_map(|x| {
            x.split_once('=')
                .map(|(f, w)| (f.to_string(), w.parse().unwrap_or(1.0)))
        })
        .collect();
    let fc = FeatureConfig {
        valence: std::env::var("NOVAL").is_err(),
        ..FeatureConfig::default()
    };
    let data = std::path::Path::new("../shared/data");
    let lex = build_lexicons(data)?;
    let spec = specs()
        .into_iter()
        .find(|s| s.head == head && s.group == group)
        .ok_or("no spec")?;
    let mut train = Vec::new();
    let mut dev: Vec<(String, Example)> = Vec::new();
    let mut srcs: Vec<(String, tertulia_nlp::train::Mapper, f32)> = spec
        .sources
        .iter()
        .map(|s| (s.file.to_string(), s.map, s.weight))
        .collect();
    for (f, w) in &extra {
        if let Some(s) = srcs.iter_mut().find(|s| &s.0 == f) {
            s.2 = *w;
        } else {
            if let Some(f) = f.strip_suffix(":emoneg") {
                srcs.push((f.to_string(), emo_neg, *w));
            } else if let Some(f) = f.strip_suffix(":emo") {
                srcs.push((f.to_string(), emo_sent, *w));
            } else if let Some(f) = f.strip_suffix(":hateneg") {
                srcs.push((f.to_string(), hate_neg, *w));
            } else if let Some(f) = f.strip_suffix(":flag") {
                srcs.push((f.to_string(), tertulia_nlp::train::off_flag, *w));
            } else {
                srcs.push((f.clone(), srcs[0].1, *w));
            }
        }
    }
    for (file, map, weight) in &srcs {
        let recs: Vec<Rec> = load(data, file)?;
        let ex: Vec<(bool, Example)> = recs
            .par_iter()
            .filter_map(|r| {
                let y = map(r)?;
                let (idx, mut val) = featurize(&lex, fc, group, &r.text);
                if let Ok(c) = std::env::var("SCALE") {
                    let c: f32 = c.parse().unwrap_or(0.1);
                    let u = val[0];
                    let n = val.iter().filter(|&&v| v == u).count() as f32;
                    let pw: f32 = std::env::var("POW")
                        .ok()
                        .and_then(|x| x.parse().ok())
                        .unwrap_or(0.5);
                    for v in val.iter_mut() {
                        if *v == u {
                            *v = c / n.powf(pw) * 10.0;
                        }
                    }
                }
                Some((
                    r.dev || (std::env::var("EVALTUNE").is_ok() && r.tune),
                    Example {
                        idx,
                        val,
                        y,
                        w: *weight,
                    },
                ))
            })
            .collect();
        for (d, e) in ex {
            if d {
                if spec.sources.iter().any(|s| s.file == file)
                    && !file.contains("emoevent")
                    && !(file.contains("hate") && head == "sentiment")
                {
                    dev.push((file.clone(), e));
                }
            } else if *weight > 0.0 {
                train.push(e);
            }
        }
    }
    if let Ok(mc) = std::env::var("LODDS") {
        let min_count: f64 = mc.parse().unwrap_or(5.0);
        // Log-odds of every hashed feature (class 1 vs 0) on the train split.
        let mut cnt: std::collections::HashMap<u32, (f64, f64)> = Default::default();
        let (mut n1, mut n0) = (0f64, 0f64);
        for e in &train {
            if e.y == 1 {
                n1 += 1.0
            } else {
                n0 += 1.0
            }
            for &i in &e.idx {
                let c = cnt.entry(i).or_default();
                if e.y == 1 { c.0 += 1.0 } else { c.1 += 1.0 }
            }
        }
        let lo: std::collections::HashMap<u32, f32> = cnt
            .into_iter()
            .filter(|(_, (a, b))| a + b >= min_count)
            .map(|(k, (a, b))| {
                (
                    k,
                    (((a + 0.5) / (n1 + 1.0)) / ((b + 0.5) / (n0 + 1.0))).ln() as f32,
                )
            })
            .collect();
        let add = |e: &mut Example| {
            let mut mx = 0f32;
            let mut strong = 0f32;
            for &i in &e.idx {
                if let Some(&v) = lo.get(&i) {
                    mx = mx.max(v);
                    if v > 1.5 {
                        strong += 1.0;
                    }
                }
            }
            e.idx.push(0xABCD_0001);
            e.val.push(mx / 3.0);
            e.idx.push(0xABCD_0002);
            e.val.push(strong / (1.0 + strong));
            let b = (mx.clamp(0.0, 3.99) * 2.0) as u32;
            e.idx.push(0xABCD_0100 + b);
            e.val.push(1.0);
        };
        for e in train.iter_mut() {
            add(e);
        }
        for (_, e) in dev.iter_mut() {
            add(e);
        }
    }
    let mut base = spec.cfg;
    if let Ok(m) = std::env::var("NBMIX") {
        base.nb_mix = m.parse().unwrap_or(0.5);
    }
    if let Ok(b) = std::env::var("BITS") {
        base.bits = b.parse().unwrap_or(17);
    }
    if std::env::var("UNBAL").is_ok() {
        base.balanced = false;
    }
    let mut grid: Vec<(String, TrainConfig)> = Vec::new();
    let var = std::env::var("GRID").unwrap_or_default();
    if var == "pick" {
        for (lr, ep, nb, ens) in [(0.05f32, 8usize, 2.0f32, 3usize), (0.05, 8, 1.0, 3)] {
            grid.push((
                format!("lr={lr} ep={ep} nb={nb} ens={ens}"),
                TrainConfig {
                    lr,
                    epochs: ep,
                    nb,
                    ensemble: ens,
                    ..base
                },
            ));
        }
    }
    for lr in [0.05f32, 0.1, 0.2] {
        if var == "pick" {
            break;
        }
        for ep in [6usize, 10] {
            for nb in [0.0f32, 0.5, 1.0] {
                for ens in [1usize, 4] {
                    if var == "small" && (ens == 4 || lr == 0.05) {
                        continue;
                    }
                    grid.push((
                        format!("lr={lr} ep={ep} nb={nb} ens={ens}"),
                        TrainConfig {
                            lr,
                            epochs: ep,
                            nb,
                            ensemble: ens,
                            ..base
                        },
                    ));
                }
            }
        }
    }
    let res: Vec<String> = grid
        .par_iter()
        .map(|(name, cfg)| {
            let mut m = Linear::train(&train, spec.classes, *cfg);
            if let Ok(q) = std::env::var("QUANT") {
                let q: f64 = q.parse().unwrap_or(1.0);
                let mut a: Vec<f32> = m.w.iter().map(|x| x.abs()).filter(|&x| x > 0.0).collect();
                a.sort_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal));
                let max = a[((a.len() as f64 - 1.0) * q) as usize];
                if std::env::var("SHOWMAX").is_ok() {
                    let n = a.len();
                    eprintln!(
                        "nonzero {n} max {} p99.99 {} p99.9 {} p99 {} p90 {} p50 {}",
                        a[n - 1],
                        a[n * 9999 / 10000],
                        a[n * 999 / 1000],
                        a[n * 99 / 100],
                        a[n * 9 / 10],
                        a[n / 2]
                    );
                    let mask = (1u32 << cfg.bits) - 1;
                    let metas: Vec<u32> = [
                        "lex_pos",
                        "lex_neg",
                        "lex_net",
                        "emoji",
                        "bias_text",
                        "question",
                        "exclaim",
                        "elong",
                        "upper",
                        "negated",
                        "url",
                        "mention",
                    ]
                    .iter()
                    .map(|n| {
                        let h = xxhash_rust::xxh3::xxh3_64_with_seed(n.as_bytes(), 4);
                        ((h ^ (h >> 32)) as u32) & mask
                    })
                    .collect();
                    for (i, r) in metas.iter().enumerate() {
                        let k = spec.classes;
                        eprintln!("meta {i} {:?}", &m.w[*r as usize * k..*r as usize * k + k]);
                    }
                }
                let sc = max / 127.0;
                let dither = std::env::var("DITHER").is_ok();
                if std::env::var("COMP").is_ok() {
                    let mx = a[a.len() - 1];
                    for w in m.w.iter_mut() {
                        let x = *w / mx;
                        let q = (127.0 * x.abs().sqrt()).round().min(127.0);
                        *w = x.signum() * mx * (q / 127.0) * (q / 127.0);
                    }
                }
                let sc = if std::env::var("COMP").is_ok() {
                    1e-9
                } else {
                    sc
                };
                let mut st = 7u64;
                for w in m.w.iter_mut() {
                    let x = *w / sc;
                    let q = if dither {
                        let u = (tertulia_nlp::linear::splitmix(&mut st) >> 40) as f32
                            / (1u64 << 24) as f32;
                        (x + u).floor()
                    } else {
                        x.round()
                    };
                    if sc > 1e-8 {
                        *w = q.clamp(-127.0, 127.0) * sc;
                    }
                }
            }
            let mut files: Vec<String> = dev.iter().map(|(f, _)| f.clone()).collect();
            files.dedup();
            let mut line = name.clone();
            let k = spec.classes;
            let mut all = vec![vec![0f64; k]; k];
            for f in &files {
                let mut cm = vec![vec![0f64; k]; k];
                let mut z = vec![0f32; k];
                for (_, e) in dev.iter().filter(|(ff, _)| ff == f) {
                    m.logits(&e.idx, &e.val, &mut z);
                    let p = (0..k).fold(0, |b, i| if z[i] > z[b] { i } else { b });
                    cm[e.y][p] += 1.0;
                    if files.len() < 2 || !f.contains("tass-general") && !f.contains("crowdflower")
                    {
                        all[e.y][p] += 1.0;
                    }
                }
                let (f1, r, acc) = confusion_scores(&cm);
                line += &format!(
                    " | {}: F1 {f1:.3} R {r:.3} A {acc:.3}",
                    &f[..f.len().min(22)]
                );
            }
            let (f1, r, acc) = confusion_scores(&all);
            line += &format!(" || ALL F1 {f1:.3} R {r:.3} A {acc:.3}");
            line
        })
        .collect();
    for l in res {
        println!("{l}");
    }
    Ok(())
}
