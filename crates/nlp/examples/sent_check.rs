//! Checks the Spanish sentiment head end to end with and without the tuned biases (not part of
//! the product): `cargo run --release -p tertulia-nlp --example sent_check -- ARTEFACT`.

#![allow(missing_docs)]

use tertulia_nlp::pack::Pack;
use tertulia_nlp::{Classifier, Task, eval_records};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(a.get(1).ok_or("artefact path")?)?;
    let pack = Pack::from_bytes(&bytes)?;
    let mut raw = pack.clone();
    raw.params.retain(|(k, _)| !k.starts_with("sent.bias"));
    let data = std::path::Path::new("../shared/data");
    for (name, p) in [("tuned", pack), ("raw", raw)] {
        let c = Classifier::from_pack(p);
        for f in [
            "sentiment-es-umsab.jsonl",
            "sentiment-es-intertass2017.jsonl",
            "sentiment-en-umsab.jsonl",
            "sentiment-en-semeval2017-val.jsonl",
        ] {
            let recs: Vec<(String, String)> = tertulia_nlp::train::load(data, f)?
                .into_iter()
                .filter(|r| r.dev)
                .map(|r| (r.text, r.label))
                .collect();
            let r = eval_records(&c, &recs, Task::Sentiment);
            let nonlang = recs
                .iter()
                .filter(|(t, _)| c.enrich(t).lang != f[10..12])
                .count();
            println!(
                "{name:6} {f:40} F1 {:.3} R {:.3} A {:.3} other-lang {nonlang}",
                r.macro_f1, r.macro_recall, r.accuracy
            );
        }
    }
    Ok(())
}
