//! `tertulia import`: read files from any network into the store.

use crate::Env;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use tertulia_connectors::{ReadOptions, registry};
use tertulia_pipeline::{ImportOptions, ImportSummary, import};

/// Arguments of `tertulia import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Format of the files (see `tertulia formats`), or `auto` to detect each file's format.
    #[arg(long, default_value = "auto")]
    source: String,
    /// Field mapping for CSV/JSONL from other tools: `id=COL,text=COL,created_at=COL,…`.
    #[arg(long)]
    map: Option<String>,
    /// `chrono` format of times in mapped files when not RFC 3339, e.g. `%m/%d/%Y %H:%M`.
    #[arg(long)]
    time_format: Option<String>,
    /// Print the summary as one JSON object on the last line of stdout.
    #[arg(long)]
    json: bool,
    /// Files or directories (read recursively, hidden files skipped).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Runs `tertulia import`.
pub fn run(env: &Env, args: Args) -> Result<i32> {
    let files = expand(&args.paths);
    let map = match &args.map {
        Some(m) => ReadOptions::parse_map(m)?,
        None => Vec::new(),
    };
    std::fs::create_dir_all(&env.data)
        .with_context(|| format!("cannot create data directory {}", env.data.display()))?;
    let store = env.open_store()?;
    let opts = ImportOptions {
        source: Some(args.source.clone()),
        read: ReadOptions {
            map,
            time_format: args.time_format.clone(),
            ..ReadOptions::default()
        },
        quarantine_file: Some(env.data.join("quarantine.jsonl")),
        ..ImportOptions::default()
    };
    let bar = ProgressBar::new(files.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} files · {msg} · {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let enricher = crate::cmd::nlp::IngestAnnotator {
        classifier: tertulia_nlp::Classifier::embedded()
            .context("cannot load the embedded models")?,
        brands: crate::cmd::brands::load_applied(env, store.as_ref())?,
    };
    let summary = import(
        store.as_ref(),
        &registry(),
        &files,
        &opts,
        Some(&enricher),
        &mut |p| {
            bar.set_position(p.files_done);
            bar.set_message(format!("{} records", p.records));
        },
    )?;
    bar.finish_and_clear();
    print_summary(&summary, args.json)?;
    Ok(if summary.nothing_read() || files.is_empty() {
        1
    } else {
        0
    })
}

fn print_summary(s: &ImportSummary, json: bool) -> Result<()> {
    for e in &s.file_errors {
        eprintln!("error: {}", e.error);
    }
    if json {
        println!("{}", serde_json::to_string(s)?);
        return Ok(());
    }
    println!(
        "files {} · imported {} · updated {} · duplicates {} · deleted {} · skipped {} · quarantined {}",
        s.files, s.imported, s.updated, s.duplicates, s.deleted, s.skipped, s.quarantined
    );
    for (network, c) in &s.by_network {
        println!(
            "  {network:<10} imported {:>8} · updated {:>6} · duplicates {:>8} · deleted {:>5}",
            c.imported, c.updated, c.duplicates, c.deleted
        );
    }
    if s.quarantined > 0 {
        println!("quarantined (also in quarantine.jsonl of the data directory):");
        for q in &s.quarantine {
            println!("  {}:{}: {}", q.file, q.line, q.reason);
        }
        if s.quarantined as usize > s.quarantine.len() {
            println!(
                "  … and {} more",
                s.quarantined as usize - s.quarantine.len()
            );
        }
    }
    Ok(())
}

/// Files named, with directories expanded recursively in name order (hidden entries and
/// golden-test sidecars skipped). Missing paths are kept so that the import reports them.
fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        out.push(dir.to_path_buf());
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.')
            || name.ends_with(".expected.json")
            || name.ends_with(".options.json")
            || name.ends_with(".md")
        {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Runs `tertulia formats`: the `--source` names.
pub fn formats() -> Result<i32> {
    for c in registry() {
        let aliases = c.aliases().join(", ");
        println!("{:<10} {}", c.name(), c.describe());
        if !aliases.is_empty() {
            println!("{:<10} also: {aliases}", "");
        }
    }
    println!(
        "{:<10} detect each file's format from its content (default)",
        "auto"
    );
    Ok(0)
}
