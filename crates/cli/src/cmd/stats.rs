//! `tertulia stats`: counts of stored posts by network, kind, language and day.

use crate::Env;
use anyhow::Result;
use std::collections::BTreeMap;

/// Arguments of `tertulia stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
}

/// Runs `tertulia stats`.
pub fn run(env: &Env, args: Args) -> Result<i32> {
    let store = env.open_store()?;
    let stats = store.stats()?;
    if args.json {
        println!("{}", serde_json::to_string(&stats)?);
        return Ok(0);
    }
    println!("posts: {}", stats.total);
    table("network", &stats.by_network);
    table("kind", &stats.by_kind);
    table("language", &stats.by_language);
    table("day (UTC)", &stats.by_day);
    Ok(0)
}

fn table(title: &str, rows: &BTreeMap<String, u64>) {
    println!("\nby {title}:");
    for (k, v) in rows {
        println!("  {k:<12} {v:>10}");
    }
}
