//! Scores the Spanish intents against a labelled JSONL (`text`, `label`: list of intents, or
//! ids matched against a second file of labels), with decision parameters overridden from
//! the command line (experiments only):
//! `intent_real ARTEFACT TEXTS.jsonl LABELS.jsonl [name=value]...` (`NOLEARNED=1`: without
//! the learned Spanish intent heads, i.e. the v3 rules).

#![allow(missing_docs)]

use std::collections::HashMap;
use tertulia_model::Intent;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let mut pack = tertulia_nlp::pack::Pack::from_bytes(&std::fs::read(&a[1])?)?;
    for kv in a.iter().skip(4) {
        if let Some((k, v)) = kv.split_once('=') {
            let v: f32 = v.parse()?;
            pack.params.retain(|(n, _)| n != k);
            pack.params.push((k.to_string(), v));
        }
    }
    // NOLEARNED=1: drop the learned Spanish intent heads, so that the rules decide.
    if std::env::var("NOLEARNED").is_ok() {
        for t in &mut pack.tables {
            t.heads.retain(|h| !h.name.starts_with("intent_"));
        }
    }
    let clf = tertulia_nlp::Classifier::from_pack(pack);
    let texts: HashMap<String, String> = std::fs::read_to_string(&a[2])?
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| {
            (
                v["id"].as_str().unwrap_or("").to_string(),
                v["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut counts = [[0u32; 3]; 3]; // per intent: tp, fp, fn
    let names = [
        (Intent::Question, "question"),
        (Intent::Complaint, "complaint"),
        (Intent::Praise, "praise"),
    ];
    let show = std::env::var("SHOW").ok();
    for l in std::fs::read_to_string(&a[3])?.lines() {
        let v: serde_json::Value = serde_json::from_str(l)?;
        let id = v["id"].as_str().unwrap_or("");
        let gold: Vec<&str> = v["label"]
            .as_array()
            .map(|x| x.iter().filter_map(|s| s.as_str()).collect())
            .unwrap_or_default();
        let Some(t) = texts.get(id) else { continue };
        let e = clf.enrich(t);
        for (k, (intent, name)) in names.iter().enumerate() {
            let g = gold.contains(name);
            let p = e.intents.contains(intent);
            match (g, p) {
                (true, true) => counts[k][0] += 1,
                (false, true) => counts[k][1] += 1,
                (true, false) => counts[k][2] += 1,
                _ => {}
            }
            if g != p && show.as_deref() == Some(*name) {
                let s: String = t.chars().take(150).collect();
                println!(
                    "{} {id} {:?} {:?} {}",
                    if g { "FN" } else { "FP" },
                    e.sentiment,
                    e.emotion,
                    s.replace('\n', " ")
                );
            }
        }
    }
    let mut line = String::new();
    for (k, (_, name)) in names.iter().enumerate() {
        let [tp, fp, fnn] = counts[k].map(f64::from);
        let p = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
        let r = if tp + fnn > 0.0 { tp / (tp + fnn) } else { 0.0 };
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        line += &format!("{name} P {p:.2} R {r:.2} F1 {f:.2} | ");
    }
    println!("{line}");
    Ok(())
}
