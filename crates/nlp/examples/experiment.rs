//! Hyper-parameter exploration on the dev split (not part of the product):
//! `cargo run --release -p tertulia-nlp --example experiment -- HEAD GROUP [min_n max_n bigrams]`.

#![allow(clippy::needless_range_loop)]

use rayon::prelude::*;
use tertulia_nlp::features::{FeatureConfig, Group};
use tertulia_nlp::linear::{Example, Linear, TrainConfig};
use tertulia_nlp::train::{build_lexicons, featurize, load, specs};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let head = a.get(1).cloned().unwrap_or_else(|| "sentiment".into());
    let group = if a.get(2).map(String::as_str) == Some("en") {
        Group::En
    } else {
        Group::Es
    };
    let fc = FeatureConfig {
        min_n: a.get(3).and_then(|x| x.parse().ok()).unwrap_or(3),
        max_n: a.get(4).and_then(|x| x.parse().ok()).unwrap_or(5),
        bigrams: a.get(5).map(String::as_str) != Some("0"),
    };
    let data = std::path::Path::new("../shared/data");
    let lex = build_lexicons(data)?;
    let spec = specs()
        .into_iter()
        .find(|s| s.head == head && s.group == group)
        .ok_or("no spec")?;
    let mut train = Vec::new();
    let mut dev: Vec<(String, Example)> = Vec::new();
    for src in &spec.sources {
        for r in load(data, src.file)? {
            let Some(y) = (src.map)(&r) else { continue };
            let (idx, val) = featurize(&lex, fc, group, &r.text);
            let e = Example {
                idx,
                val,
                y,
                w: src.weight,
            };
            if r.dev {
                dev.push((src.file.to_string(), e))
            } else {
                train.push(e)
            }
        }
    }
    let grid: Vec<(f32, usize, f32, bool)> = {
        let mut g = Vec::new();
        for lr in [0.05f32, 0.1, 0.2] {
            for ep in [3usize, 6, 10] {
                for l2 in [0.0f32, 1e-5, 1e-4] {
                    g.push((lr, ep, l2, spec.cfg.balanced));
                }
            }
        }
        g
    };
    let res: Vec<String> = grid
        .par_iter()
        .map(|&(lr, epochs, l2, balanced)| {
            let cfg = TrainConfig {
                lr,
                epochs,
                l2,
                balanced,
                ..spec.cfg
            };
            let m = Linear::train(&train, spec.classes, cfg);
            let mut files: Vec<String> = dev.iter().map(|(f, _)| f.clone()).collect();
            files.dedup();
            let mut line = format!("lr={lr} ep={epochs} l2={l2:e}");
            for f in &files {
                let k = spec.classes;
                let mut cm = vec![vec![0f64; k]; k];
                let mut z = vec![0f32; k];
                for (ff, e) in dev.iter().filter(|(ff, _)| ff == f) {
                    let _ = ff;
                    m.logits(&e.idx, &e.val, &mut z);
                    let p = (0..k).fold(0, |b, i| if z[i] > z[b] { i } else { b });
                    cm[e.y][p] += 1.0;
                }
                let mut f1 = 0.0;
                let mut rec = 0.0;
                let mut ng = 0.0;
                let mut acc = 0.0;
                let tot: f64 = cm.iter().flatten().sum();
                for c in 0..k {
                    let tp = cm[c][c];
                    acc += tp;
                    let g: f64 = cm[c].iter().sum();
                    let pr: f64 = (0..k).map(|r| cm[r][c]).sum();
                    if g == 0.0 {
                        continue;
                    }
                    ng += 1.0;
                    let p = if pr > 0.0 { tp / pr } else { 0.0 };
                    let r = tp / g;
                    rec += r;
                    f1 += if p + r > 0.0 {
                        2.0 * p * r / (p + r)
                    } else {
                        0.0
                    };
                }
                line += &format!(
                    " | {}: F1 {:.3} R {:.3} A {:.3}",
                    &f[..f.len().min(22)],
                    f1 / ng,
                    rec / ng,
                    acc / tot
                );
            }
            line
        })
        .collect();
    for l in res {
        println!("{l}");
    }
    Ok(())
}
