//! Trains the models: `cargo run --release -p tertulia-nlp --example train -- DATA_DIR OUT_DIR
//! [REPORT.json]` (`NOREFIT=1`: keep the models trained without the report split).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let data = args.get(1).map_or("../shared/data", String::as_str);
    let out = args.get(2).map_or("crates/nlp/models", String::as_str);
    let t = std::time::Instant::now();
    // NOREFIT=1: ship the models trained without the report split (to measure them on it).
    let opts = tertulia_nlp::TrainOptions {
        no_refit: std::env::var("NOREFIT").is_ok(),
        ..Default::default()
    };
    let report =
        tertulia_nlp::train_with(std::path::Path::new(data), std::path::Path::new(out), opts)?;
    println!("{report}");
    println!("params: {:?}", report.params);
    for d in &report.dev {
        if d.task == "intent" && d.report.multilabel {
            for c in &d.report.classes {
                if c.support > 0 {
                    println!(
                        "  {:<36} {:<10} P {:.2} R {:.2} F1 {:.2} n {}",
                        d.corpus, c.label, c.precision, c.recall, c.f1, c.support
                    );
                }
            }
        }
    }
    println!("trained in {:.1}s", t.elapsed().as_secs_f64());
    if let Some(json) = args.get(3) {
        std::fs::write(json, serde_json::to_string_pretty(&report)?)?;
    }
    Ok(())
}
