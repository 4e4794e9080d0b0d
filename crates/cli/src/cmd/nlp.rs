//! The understanding commands: `classify` (the JSONL contract), `train` (rebuild the model
//! artefacts from the labelled corpora), `eval` (measure on a labelled JSONL) and `enrich`
//! (re-enrich every stored post after a model change).

use crate::Env;
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use tertulia_model::Post;
use tertulia_nlp::{Classifier, Task};
use tertulia_store::Annotation;

/// Arguments of `tertulia classify`.
#[derive(Debug, clap::Args)]
pub struct ClassifyArgs {
    /// JSONL input, each line an object with `text` (default: stdin).
    #[arg(long, short)]
    input: Option<PathBuf>,
    /// JSONL output (default: stdout).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// Runs `tertulia classify`.
pub fn classify(args: ClassifyArgs) -> Result<i32> {
    let clf = Classifier::embedded().context("cannot load the embedded models")?;
    let input: Box<dyn BufRead> = match &args.input {
        Some(p) => Box::new(BufReader::new(
            std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?,
        )),
        None => Box::new(BufReader::new(std::io::stdin().lock())),
    };
    let output: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut output = BufWriter::new(output);
    let stats = tertulia_nlp::classify_jsonl(&clf, input, &mut output)?;
    output.flush()?;
    if stats.errors > 0 {
        eprintln!(
            "{} of {} lines were not valid JSON objects with text",
            stats.errors, stats.lines
        );
    }
    Ok(0)
}

/// Arguments of `tertulia train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Directory of the labelled corpora.
    #[arg(long, default_value = "../shared/data")]
    corpora: PathBuf,
    /// Where the model artefacts are written (embedded at the next build).
    #[arg(long, default_value = "crates/nlp/models")]
    out: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `tertulia train`.
pub fn train(args: TrainArgs) -> Result<i32> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let report = tertulia_nlp::train(&args.corpora, &args.out)?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("{report}");
        println!(
            "artefacts written to {}; rebuild (cargo build --release) to embed them",
            args.out.display()
        );
    }
    Ok(0)
}

/// Arguments of `tertulia eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Labelled JSONL: one object per line with `text` and `label`.
    #[arg(long)]
    data: PathBuf,
    /// sentiment, intent, emotion, offensive or lang.
    #[arg(long)]
    task: Task,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `tertulia eval`.
pub fn eval(args: EvalArgs) -> Result<i32> {
    let clf = Classifier::embedded().context("cannot load the embedded models")?;
    let report = tertulia_nlp::eval(&clf, &args.data, args.task)?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("{report}");
    }
    Ok(0)
}

/// Arguments of `tertulia enrich`.
#[derive(Debug, clap::Args)]
pub struct EnrichArgs {
    /// Print the count as JSON.
    #[arg(long)]
    json: bool,
}

/// Posts re-enriched per store transaction.
const ENRICH_BATCH: usize = 20_000;

/// Runs `tertulia enrich`: recomputes the enrichment of every stored post.
pub fn enrich(env: &Env, args: EnrichArgs) -> Result<i32> {
    let clf = Classifier::embedded().context("cannot load the embedded models")?;
    let store = env.open_store()?;
    // Walk the store's change feed a page at a time, up to the last change made before this
    // command started: posts re-enriched here get newer sequence numbers and are not visited
    // again, and memory holds one page, whatever the store's size.
    let end = store.last_change()?;
    let mut since = 0u64;
    let mut seen = 0u64;
    let mut changed = 0u64;
    while since < end {
        let mut page: Vec<Post> = Vec::with_capacity(ENRICH_BATCH);
        let last = store.changes_since(since, ENRICH_BATCH, &mut |seq, p| {
            if seq <= end {
                page.push(p);
            }
            Ok(())
        })?;
        if last <= since {
            break;
        }
        since = last;
        seen += page.len() as u64;
        let updates: Vec<Annotation> = page
            .par_iter()
            .filter_map(|p| {
                let e = clf.enrich(&p.full_text());
                (p.enrichment.as_ref() != Some(&e)).then(|| Annotation::enrichment(p.key(), e))
            })
            .collect();
        changed += store.annotate(&updates)?;
    }
    if args.json {
        println!("{}", serde_json::json!({"posts": seen, "changed": changed}));
    } else {
        println!("enriched {seen} posts, {changed} changed");
    }
    Ok(0)
}

/// What import does to every post before storing it: enrichment with the embedded models,
/// then brand tagging with the workspace's brand queries (which may use the enrichment, e.g.
/// `sentiment:negative`).
pub struct IngestAnnotator {
    /// The embedded models.
    pub classifier: Classifier,
    /// The workspace's brands.
    pub brands: tertulia_analytics::BrandSet,
}

impl tertulia_pipeline::Annotator for IngestAnnotator {
    fn annotate(&self, post: &mut Post) {
        post.enrichment = Some(self.classifier.enrich(&post.full_text()));
        post.brands = self.brands.tag(post);
    }
}
