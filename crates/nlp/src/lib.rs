//! Tertulia's understanding of posts: language, sentiment, intents, emotion and offensiveness,
//! for Spanish and English (other languages best effort), plus the training and evaluation code
//! that produces and measures the embedded models.
//!
//! One normalisation pass ([`normalize`]) and one hashed feature extraction ([`features`]) are
//! shared by every enricher; all linear models of a language group share one quantised weight
//! table ([`pack::Table`]), so each feature costs one memory access for every model. The
//! artefact (`models/tertulia-nlp.bin`) is embedded with `include_bytes!`: the binary needs
//! nothing at run time. [`train()`] rebuilds it, byte for byte, from `../shared/data`.
//!
//! Adding an enricher is one file implementing [`Enricher`] plus one line in
//! [`default_enrichers`].

pub mod classify;
pub mod emotion;
pub mod eval;
pub mod features;
pub mod intent;
pub mod language;
pub mod linear;
pub mod normalize;
pub mod offensive;
pub mod pack;
pub mod sentiment;
pub mod train;
pub mod valence;
pub mod wordlists;

pub use classify::{Classifier, ClassifyStats, Scratch, classify_jsonl};
pub use eval::{EvalReport, Task, eval, eval_records};
pub use normalize::{NormalizedText, normalize};
pub use train::{TrainOptions, TrainReport, train, train_with};

use features::{Features, Group};
use pack::{Pack, Table};
use tertulia_model::Enrichment;

/// Errors of the nlp crate.
#[derive(Debug, thiserror::Error)]
pub enum NlpError {
    /// Reading or writing a file failed.
    #[error("cannot {what} {path}: {source}")]
    Io {
        /// What was being done (`read`, `write`, `create`).
        what: &'static str,
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Reading the input or writing the output stream of `classify` failed.
    #[error("classify stream failed at line {line}: {source}")]
    Stream {
        /// 1-based input line.
        line: u64,
        /// The cause.
        source: std::io::Error,
    },
    /// The model artefact is missing or damaged.
    #[error("bad model artefact: {0}")]
    Artefact(String),
    /// A training or evaluation data file has a bad line.
    #[error("bad data in {path} line {line}: {msg}")]
    Data {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        msg: String,
    },
    /// An unknown evaluation task name.
    #[error("unknown task {0:?} (expected sentiment, intent, emotion, offensive or lang)")]
    UnknownTask(String),
    /// Training data missing.
    #[error("no training data in {0}")]
    NoData(String),
}

/// Everything an enricher may look at for one text, computed once.
pub struct Doc<'a> {
    /// The raw text (bounded by the caller).
    pub text: &'a str,
    /// The shared normalisation.
    pub norm: &'a NormalizedText,
    /// The shared hashed features.
    pub feats: &'a Features,
    /// Detected language code (`und` when unknown).
    pub lang: &'static str,
    /// Language group whose table scored the features.
    pub group: Group,
    /// The weight table of the group.
    pub table: &'a Table,
    /// Raw column sums of every head of the table.
    pub acc: &'a [f32],
    /// The whole model pack (for tuned parameters).
    pub pack: &'a Pack,
    /// Sentiment probabilities and domain weight, computed once on first use.
    pub sentiment_cache: std::cell::Cell<Option<([f32; 3], f32)>>,
    /// The intent phrase scan (words, phrase categories, interrogative opening, `?`/`¿`),
    /// computed once on first use.
    pub phrase_scan: std::cell::Cell<Option<(usize, u16, bool, bool)>>,
}

/// Up to eight scores of one head.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scores {
    /// Values (probabilities after [`Doc::probs`], logits after [`Doc::logits`]).
    pub v: [f32; 8],
    /// How many are used.
    pub n: usize,
}

impl Scores {
    /// Index of the largest value.
    pub fn argmax(&self) -> usize {
        let mut b = 0;
        for i in 1..self.n {
            if self.v[i] > self.v[b] {
                b = i;
            }
        }
        b
    }
}

impl Doc<'_> {
    /// Logits of a head of this document's table, if the table has it.
    pub fn logits(&self, head: &str) -> Option<Scores> {
        let h = self.table.head(head)?;
        let mut s = Scores {
            n: (h.classes as usize).min(8),
            ..Scores::default()
        };
        let o = h.offset as usize;
        for c in 0..s.n {
            s.v[c] = h.bias[c] + h.scale * self.acc.get(o + c).copied().unwrap_or(0.0);
        }
        Some(s)
    }

    /// Softmax probabilities of a multi-class head (a one-column head gives `[1-p, p]`).
    pub fn probs(&self, head: &str) -> Option<Scores> {
        let mut s = self.logits(head)?;
        if s.n == 1 {
            let p = linear::sigmoid(s.v[0]);
            s.v[0] = 1.0 - p;
            s.v[1] = p;
            s.n = 2;
        } else {
            linear::softmax(&mut s.v[..s.n]);
        }
        Some(s)
    }

    /// A tuned parameter of the pack, looked up as `name.<group>` first, then `name`
    /// (no allocation).
    pub fn param(&self, name: &str, default: f32) -> f32 {
        let g = match self.group {
            Group::Es => ".es",
            Group::En => ".en",
        };
        let mut plain = None;
        for (k, v) in &self.pack.params {
            if k.len() == name.len() + 3 && k.starts_with(name) && k.ends_with(g) {
                return *v;
            }
            if k == name {
                plain = Some(*v);
            }
        }
        plain.unwrap_or(default)
    }
}

/// One step of understanding: reads the shared [`Doc`], fills its fields of the [`Enrichment`].
pub trait Enricher: Send + Sync {
    /// Short name (`language`, `sentiment`…).
    fn name(&self) -> &'static str;
    /// Fills this enricher's fields of `out`.
    fn enrich(&self, doc: &Doc<'_>, out: &mut Enrichment);
}

/// The enrichers run on every post, in order (intent reads the sentiment already set).
pub fn default_enrichers() -> Vec<Box<dyn Enricher>> {
    vec![
        Box::new(language::Language),
        Box::new(sentiment::SentimentEnricher),
        Box::new(emotion::EmotionEnricher),
        Box::new(offensive::Offensive),
        Box::new(intent::Intents::new()),
    ]
}
