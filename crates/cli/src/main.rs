//! `tertulia`: the command-line surface of Tertulia, a self-hosted platform for social
//! listening and community engagement. Each subcommand lives in its own module under `cmd/`.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

mod cmd;

/// Tertulia: listen to every network, understand every post, answer every comment.
#[derive(Debug, Parser)]
#[command(name = "tertulia", version, about, long_about = None)]
struct Cli {
    /// Data directory of the embedded store.
    #[arg(
        long,
        global = true,
        default_value = "./tertulia-data",
        env = "TERTULIA_DATA"
    )]
    data: PathBuf,

    /// Store URI (a directory, `sqlite:DIR`, or `postgres://…`); overrides `--data`.
    #[arg(long, global = true, env = "TERTULIA_STORE")]
    store: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import files (JSON, JSONL/NDJSON, tweets.js, CSV, SSE) from any supported network.
    Import(cmd::import::Args),
    /// Write every stored post as JSONL or CSV.
    Export(cmd::export::Args),
    /// Counts of stored posts by network, kind, language and day.
    Stats(cmd::stats::Args),
    /// List the formats `import --source` accepts.
    Formats,
    /// Add lang, sentiment, intents, emotion and offensive to each JSONL line (stdin → stdout).
    Classify(cmd::nlp::ClassifyArgs),
    /// Train the models from the labelled corpora and write the artefacts.
    Train(cmd::nlp::TrainArgs),
    /// Measure the embedded models on a labelled JSONL file.
    Eval(cmd::nlp::EvalArgs),
    /// Re-enrich every stored post with the embedded models.
    Enrich(cmd::nlp::EnrichArgs),
    /// Declare the own brand and its competitors as queries; list or remove them.
    Brands(cmd::brands::Args),
    /// Search the stored posts with a Brandwatch-style query.
    Search(cmd::search::Args),
    /// Run one analysis (timeline, share-of-voice, trends, topics, complaints, influencers,
    /// cascades, segments, best-times) and print it as JSON.
    Analyze(cmd::analyze::Args),
}

/// What every command needs to reach the data.
pub struct Env {
    /// The data directory.
    pub data: PathBuf,
    /// The store URI.
    pub store_uri: String,
}

impl Env {
    /// Opens the store, creating the data directory if needed.
    pub fn open_store(&self) -> Result<Box<dyn tertulia_store::Store>> {
        tertulia_store::open(&self.store_uri)
            .with_context(|| format!("cannot open the store at {}", self.store_uri))
    }
}

/// Ends quietly when stdout is closed early (`tertulia export | head`), as Unix tools do,
/// instead of panicking on a broken pipe; every other panic is reported as usual.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() {
    quiet_on_broken_pipe();
    let cli = Cli::parse();
    let env = Env {
        store_uri: cli
            .store
            .clone()
            .unwrap_or_else(|| cli.data.display().to_string()),
        data: cli.data,
    };
    let result = match cli.command {
        Command::Import(args) => cmd::import::run(&env, args),
        Command::Export(args) => cmd::export::run(&env, args),
        Command::Stats(args) => cmd::stats::run(&env, args),
        Command::Formats => cmd::import::formats(),
        Command::Classify(args) => cmd::nlp::classify(args),
        Command::Train(args) => cmd::nlp::train(args),
        Command::Eval(args) => cmd::nlp::eval(args),
        Command::Enrich(args) => cmd::nlp::enrich(&env, args),
        Command::Brands(args) => cmd::brands::run(&env, args),
        Command::Analyze(args) => cmd::analyze::run(&env, args),
        Command::Search(args) => cmd::search::run(&env, args),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(2);
        }
    }
}
