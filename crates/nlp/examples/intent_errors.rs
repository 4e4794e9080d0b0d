//! Prints the complaint errors of the tuned-on Spanish intent sets (not part of the product):
//! `cargo run --release -p tertulia-nlp --example intent_errors`.

#![allow(missing_docs)]

use tertulia_model::Intent;
use tertulia_nlp::Classifier;
use tertulia_nlp::train::{INTENT_ES_DEV, INTENT_ES_HOLDOUT};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let c = Classifier::embedded()?;
    for set in [INTENT_ES_DEV, INTENT_ES_HOLDOUT] {
        for l in set.lines() {
            let v: serde_json::Value = serde_json::from_str(l)?;
            let t = v["text"].as_str().unwrap_or("");
            let gold = v["label"].to_string().contains("complaint");
            let e = c.enrich(t);
            let pred = e.intents.contains(&Intent::Complaint);
            if gold != pred {
                println!(
                    "gold={gold} pred={pred} score={} {:?} | {t}",
                    e.sentiment_score, e.intents
                );
            }
        }
    }
    // Complaint rate per gold sentiment on the Spanish sentiment corpora (counts only).
    let data = std::path::Path::new("../shared/data");
    for f in [
        "sentiment-es-intertass2017.jsonl",
        "sentiment-es-umsab.jsonl",
    ] {
        let mut n = std::collections::BTreeMap::<String, (u32, u32)>::new();
        for r in tertulia_nlp::train::load(data, f)? {
            let e = c.enrich(&r.text);
            let k = n.entry(r.label.clone()).or_default();
            k.1 += 1;
            if e.intents.contains(&Intent::Complaint) {
                k.0 += 1;
            }
        }
        println!("{f}: complaint/total per label {n:?}");
    }
    Ok(())
}
