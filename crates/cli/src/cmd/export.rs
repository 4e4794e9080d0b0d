//! `tertulia export`: every stored post as JSONL (Tertulia's own format, which `import` reads
//! back) or CSV (flat columns for spreadsheets).

use crate::Env;
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::PathBuf;
use tertulia_model::Post;

/// Arguments of `tertulia export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// `jsonl` or `csv`.
    #[arg(long, default_value = "jsonl")]
    format: String,
    /// Output file (default: stdout).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// CSV columns, in order.
pub const CSV_COLUMNS: [&str; 24] = [
    "network",
    "native_id",
    "url",
    "kind",
    "created_at",
    "author_id",
    "author",
    "author_name",
    "author_followers",
    "title",
    "text",
    "lang",
    "parent_id",
    "root_id",
    "likes",
    "reshares",
    "replies",
    "quotes",
    "views",
    "deleted",
    "sentiment",
    "intents",
    "emotion",
    "brands",
];

/// Runs `tertulia export`.
pub fn run(env: &Env, args: Args) -> Result<i32> {
    let store = env.open_store()?;
    let out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::new(out);
    match args.format.as_str() {
        "jsonl" => {
            store.for_each_post(&mut |p| {
                serde_json::to_writer(&mut out, &p)
                    .map_err(std::io::Error::from)
                    .and_then(|_| out.write_all(b"\n"))
                    .map_err(|e| tertulia_store::StoreError::io("export output", e))
            })?;
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(CSV_COLUMNS)?;
            store.for_each_post(&mut |p| {
                w.write_record(csv_row(&p))
                    .map_err(|e| tertulia_store::StoreError::io("export output", e.into()))
            })?;
            w.flush()?;
        }
        other => bail!("unknown export format {other:?}; use jsonl or csv"),
    }
    out.flush()?;
    Ok(0)
}

fn csv_row(p: &Post) -> Vec<String> {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let num = |o: Option<u64>| o.map(|n| n.to_string()).unwrap_or_default();
    let e = p.enrichment.as_ref();
    vec![
        p.network.to_string(),
        p.native_id.clone(),
        opt(&p.url),
        p.kind.to_string(),
        p.created_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        opt(&p.author.id),
        opt(&p.author.handle),
        opt(&p.author.name),
        num(p.author.followers),
        opt(&p.title),
        p.text.clone(),
        e.map(|e| e.lang.clone())
            .or(p.lang.clone())
            .unwrap_or_default(),
        opt(&p.parent_id),
        opt(&p.root_id),
        num(p.metrics.likes),
        num(p.metrics.reshares),
        num(p.metrics.replies),
        num(p.metrics.quotes),
        num(p.metrics.views),
        p.deleted.to_string(),
        e.map(|e| e.sentiment.to_string()).unwrap_or_default(),
        e.map(|e| {
            e.intents
                .iter()
                .map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join("|")
        })
        .unwrap_or_default(),
        e.map(|e| e.emotion.to_string()).unwrap_or_default(),
        p.brands.join("|"),
    ]
}
