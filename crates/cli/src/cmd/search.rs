//! `tertulia search QUERY`: full-text search with the Brandwatch-compatible query language,
//! ranked by relevance (BM25) or time, with counts by network, language, sentiment and brand.
//! The index under `<data>/index` is brought up to date with the store first.

use crate::Env;
use anyhow::{Context, Result, bail};
use tertulia_query::{Query, render_error};
use tertulia_search::{SearchIndex, SearchOptions, SortBy, index_dir};

/// Arguments of `tertulia search`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The query, e.g. `(vuelaya OR @vuelaya) AND (maleta OR luggage) -sentiment:positive`.
    query: String,
    /// How many posts to show.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// `relevance` (BM25) or `time` (newest first).
    #[arg(long, default_value = "relevance")]
    sort: String,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

/// Runs `tertulia search`.
pub fn run(env: &Env, args: Args) -> Result<i32> {
    let query = match Query::compile(&args.query) {
        Ok(q) => q,
        Err(e) => bail!("{}", render_error(&args.query, &e)),
    };
    let sort = match args.sort.as_str() {
        "relevance" => SortBy::Relevance,
        "time" => SortBy::Time,
        other => bail!("unknown sort {other:?}; use relevance or time"),
    };
    let store = env.open_store()?;
    crate::cmd::brands::load_applied(env, store.as_ref())?;
    let dir = index_dir(&env.data);
    let mut index = SearchIndex::open(&dir)
        .with_context(|| format!("cannot open the search index {}", dir.display()))?;
    index.sync(store.as_ref())?;
    let results = index.search(
        store.as_ref(),
        &query,
        &SearchOptions {
            limit: args.limit,
            sort,
        },
    )?;
    if args.json {
        println!("{}", serde_json::to_string(&results)?);
        return Ok(0);
    }
    println!("{} posts match {}", results.total, query);
    for (title, counts) in [
        ("network", &results.facets.network),
        ("language", &results.facets.language),
        ("sentiment", &results.facets.sentiment),
        ("brand", &results.facets.brand),
    ] {
        if !counts.is_empty() {
            let row: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            println!("  by {title}: {}", row.join(" · "));
        }
    }
    for hit in &results.hits {
        let p = &hit.post;
        let when = p
            .created_at
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let text: String = p.full_text().replace('\n', " ").chars().take(160).collect();
        println!(
            "\n{:>6.2}  {} {} @{} {}\n        {}",
            hit.score,
            p.network,
            when,
            p.author.label(),
            p.url.as_deref().unwrap_or(""),
            text
        );
    }
    Ok(0)
}
