//! `tertulia analyze NAME`: one analysis of the stored conversation as one JSON document.

use crate::Env;
use anyhow::{Context, Result};
use tertulia_analytics::{ANALYSES, Interval, Params, parse_time, run as run_analysis};

/// Arguments of `tertulia analyze`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// timeline, share-of-voice, trends, topics, complaints, influencers, cascades, segments or
    /// best-times.
    name: String,
    /// Only posts tagged with this brand.
    #[arg(long)]
    brand: Option<String>,
    /// Start (inclusive): RFC 3339 or YYYY-MM-DD (UTC).
    #[arg(long)]
    from: Option<String>,
    /// End (exclusive): RFC 3339 or YYYY-MM-DD (UTC).
    #[arg(long)]
    to: Option<String>,
    /// hour, day or week.
    #[arg(long, default_value = "day")]
    interval: String,
    /// Longest list returned.
    #[arg(long)]
    limit: Option<usize>,
    /// Number of clusters for topics and segments.
    #[arg(long)]
    clusters: Option<usize>,
    /// Print JSON (the only output format; accepted for the contract).
    #[arg(long)]
    json: bool,
}

/// Runs `tertulia analyze`.
pub fn run(env: &Env, args: Args) -> Result<i32> {
    let store = env.open_store()?;
    let mut params = Params {
        brand: args.brand,
        from: args.from.as_deref().map(parse_time).transpose()?,
        to: args.to.as_deref().map(parse_time).transpose()?,
        interval: args.interval.parse::<Interval>()?,
        brands: crate::cmd::brands::load_applied(env, store.as_ref())?,
        clusters: args.clusters,
        ..Params::default()
    };
    if let Some(l) = args.limit {
        params.limit = l;
    }
    params.check()?;
    let doc = run_analysis(&args.name, store.as_ref(), &params).with_context(|| {
        format!(
            "analysis {} failed (valid: {})",
            args.name,
            ANALYSES.join(", ")
        )
    })?;
    let _ = args.json;
    println!("{}", serde_json::to_string_pretty(&doc)?);
    Ok(0)
}
