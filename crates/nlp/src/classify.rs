//! The [`Classifier`] (embedded models + enrichers) and the streaming, parallel
//! [`classify_jsonl`] of the `tertulia classify` contract.

use crate::features::{Features, Group, extract};
use crate::normalize::{NormalizedText, normalize_into};
use crate::pack::Pack;
use crate::{Doc, Enricher, NlpError, default_enrichers, language};
use rayon::prelude::*;
use serde::Serialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::io::{BufRead, Write};
use tertulia_model::{Emotion, Enrichment, Sentiment};

/// The artefact embedded at build time (written by [`crate::train()`]).
pub static EMBEDDED_MODEL: &[u8] = include_bytes!("../models/tertulia-nlp.bin");

/// Per-thread buffers reused from text to text.
#[derive(Debug, Default)]
pub struct Scratch {
    norm: NormalizedText,
    feats: Features,
    acc: Vec<f32>,
}

/// Embedded models plus the registered enrichers.
pub struct Classifier {
    pack: Pack,
    enrichers: Vec<Box<dyn Enricher>>,
}

impl fmt::Debug for Classifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.enrichers.iter().map(|e| e.name()).collect();
        f.debug_struct("Classifier")
            .field("enrichers", &names)
            .finish()
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Classifier {
    /// Loads the models embedded in the binary.
    pub fn embedded() -> Result<Classifier, NlpError> {
        if EMBEDDED_MODEL.is_empty() {
            return Err(NlpError::Artefact(
                "the embedded model is empty: run `tertulia train` and rebuild".into(),
            ));
        }
        Classifier::from_bytes(EMBEDDED_MODEL)
    }

    /// Loads models from artefact bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Classifier, NlpError> {
        Ok(Classifier::from_pack(Pack::from_bytes(bytes)?))
    }

    /// Wraps a pack with the default enrichers.
    pub fn from_pack(pack: Pack) -> Classifier {
        Classifier {
            pack,
            enrichers: default_enrichers(),
        }
    }

    /// The model pack.
    pub fn pack(&self) -> &Pack {
        &self.pack
    }

    /// Understands one text (uses a per-thread scratch).
    pub fn enrich(&self, text: &str) -> Enrichment {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => self.enrich_with(text, &mut s),
            Err(_) => self.enrich_with(text, &mut Scratch::default()),
        })
    }

    /// Prepares the shared document and runs `f` on it (for enrichers, evaluation and tests).
    pub fn with_doc<R>(&self, text: &str, s: &mut Scratch, f: impl FnOnce(&Doc<'_>) -> R) -> R {
        normalize_into(text, &mut s.norm);
        let lang = language::detect(&s.norm, text);
        let group = Group::of(lang);
        extract(
            &s.norm,
            &self.pack.lexicons,
            group,
            self.pack.features,
            &mut s.feats,
        );
        let table = &self.pack.tables[group.index()];
        table.accumulate(&s.feats, &mut s.acc);
        let doc = Doc {
            text,
            norm: &s.norm,
            feats: &s.feats,
            lang,
            group,
            table,
            acc: &s.acc,
            pack: &self.pack,
            sentiment_cache: std::cell::Cell::new(None),
            phrase_scan: std::cell::Cell::new(None),
        };
        f(&doc)
    }

    /// Understands one text with explicit scratch buffers.
    pub fn enrich_with(&self, text: &str, s: &mut Scratch) -> Enrichment {
        let mut out = Enrichment {
            lang: String::new(),
            sentiment: Sentiment::Neutral,
            sentiment_score: 0.0,
            intents: Vec::new(),
            emotion: Emotion::None,
            offensive: false,
        };
        self.with_doc(text, s, |doc| {
            for e in &self.enrichers {
                e.enrich(doc, &mut out);
            }
        });
        out
    }
}

/// Counts of a `classify` run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ClassifyStats {
    /// Input lines read (blank lines included).
    pub lines: u64,
    /// Lines enriched.
    pub classified: u64,
    /// Lines answered with an `{"error": …}` object.
    pub errors: u64,
}

/// Lines processed in parallel per batch (bounds memory on huge inputs).
pub const BATCH_LINES: usize = 8192;
/// Longest input line accepted (longer lines get an error object).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// A JSON object read with its fields in order, values left raw.
struct Fields<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> serde::Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Fields<'de>, A::Error> {
                let mut v = Vec::with_capacity(8);
                while let Some((k, val)) = m.next_entry::<Key<'de>, &'de RawValue>()? {
                    v.push((k.0, val));
                }
                Ok(Fields(v))
            }
        }
        d.deserialize_map(V)
    }
}

const ADDED: [&str; 6] = [
    "lang",
    "sentiment",
    "sentiment_score",
    "intents",
    "emotion",
    "offensive",
];

fn write_field(out: &mut String, key: &str, e: &Enrichment) {
    use std::fmt::Write as _;
    match key {
        "lang" => {
            out.push('"');
            out.push_str(&e.lang);
            out.push('"');
        }
        "sentiment" => {
            out.push('"');
            out.push_str(e.sentiment.as_str());
            out.push('"');
        }
        "sentiment_score" => {
            let _ = write!(out, "{}", e.sentiment_score);
        }
        "intents" => {
            out.push('[');
            for (i, it) in e.intents.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('"');
                out.push_str(it.as_str());
                out.push('"');
            }
            out.push(']');
        }
        "emotion" => {
            out.push('"');
            out.push_str(e.emotion.as_str());
            out.push('"');
        }
        _ => out.push_str(if e.offensive { "true" } else { "false" }),
    }
}

/// Writes `key` as a JSON string: as it is when nothing in it needs escaping (the usual
/// case, without allocating), else through serde_json.
fn push_key(out: &mut String, key: &str) {
    if key.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(key);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(key).unwrap_or_default());
    }
}

fn error_line(out: &mut String, msg: &str) {
    out.push_str("{\"error\":");
    out.push_str(&serde_json::to_string(msg).unwrap_or_else(|_| "\"error\"".into()));
    out.push('}');
}

/// Classifies one JSONL line into `out` (no newline); returns whether it was classified.
///
/// Fields are kept in order; `lang`, `sentiment`, `sentiment_score`, `intents`, `emotion` and
/// `offensive` replace same-named input fields in place, the others are appended. A line that
/// is not a JSON object, or whose `text` is missing or not a string, becomes
/// `{"error": "…"}`; a blank line becomes `{"error": "empty line"}`.
pub fn classify_line(clf: &Classifier, line: &str, s: &mut Scratch, out: &mut String) -> bool {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        error_line(out, "empty line");
        return false;
    }
    if line.len() > MAX_LINE_BYTES {
        error_line(out, &format!("line longer than {MAX_LINE_BYTES} bytes"));
        return false;
    }
    let fields: Fields<'_> = match serde_json::from_str(line) {
        Ok(f) => f,
        Err(e) => {
            error_line(out, &format!("invalid JSON: {e}"));
            return false;
        }
    };
    let Some((_, raw_text)) = fields.0.iter().find(|(k, _)| k == "text") else {
        error_line(out, "missing \"text\" field");
        return false;
    };
    let text: Cow<'_, str> = match serde_json::from_str::<Key<'_>>(raw_text.get()) {
        Ok(k) => k.0,
        Err(_) => {
            error_line(out, "\"text\" is not a string");
            return false;
        }
    };
    let e = clf.enrich_with(&text, s);
    out.push('{');
    let mut done = [false; 6];
    let mut first = true;
    for (k, v) in &fields.0 {
        if !first {
            out.push(',');
        }
        first = false;
        push_key(out, k);
        out.push(':');
        if let Some(i) = ADDED.iter().position(|a| a == k)
            && !done[i]
        {
            done[i] = true;
            write_field(out, k, &e);
            continue;
        }
        out.push_str(v.get());
    }
    for (i, k) in ADDED.iter().enumerate() {
        if !done[i] {
            if !first {
                out.push(',');
            }
            first = false;
            out.push('"');
            out.push_str(k);
            out.push_str("\":");
            write_field(out, k, &e);
        }
    }
    out.push('}');
    true
}

/// Bytes of input held per batch at most (with [`BATCH_LINES`], bounds memory).
pub const BATCH_BYTES: usize = 32 << 20;

/// Reads one line into `buf` keeping at most `max` bytes (the rest of a longer line is read
/// and dropped). Returns the bytes consumed (0 at end of input) and whether the line was cut.
fn read_line_bounded(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0usize;
    let mut cut = false;
    loop {
        let avail = match input.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok((consumed, cut));
        }
        let (take, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(p) => (p + 1, true),
            None => (avail.len(), false),
        };
        let room = max.saturating_sub(buf.len());
        if take > room {
            cut = true;
        }
        buf.extend_from_slice(&avail[..take.min(room)]);
        input.consume(take);
        consumed += take;
        if done {
            return Ok((consumed, cut));
        }
    }
}

/// One batch of input lines, held in one string, and whether the input ended.
#[derive(Default)]
struct Batch {
    /// The lines' text, one after the other (no separators).
    text: String,
    /// Each line's byte range in `text`, and whether it was longer than [`MAX_LINE_BYTES`]
    /// (then the range is empty).
    lines: Vec<(usize, usize, bool)>,
    eof: bool,
}

/// Lines classified per parallel task (their output lines share one string).
const CHUNK_LINES: usize = 128;

/// Reads the next batch (at most [`BATCH_LINES`] lines and about [`BATCH_BYTES`] bytes).
fn read_batch(input: &mut impl BufRead, stats: &mut ClassifyStats) -> Result<Batch, NlpError> {
    let mut batch = Batch {
        text: String::new(),
        lines: Vec::with_capacity(BATCH_LINES),
        eof: false,
    };
    let mut buf = Vec::new();
    while batch.lines.len() < BATCH_LINES && batch.text.len() < BATCH_BYTES {
        buf.clear();
        let (n, cut) =
            read_line_bounded(input, &mut buf, MAX_LINE_BYTES + 2).map_err(|source| {
                NlpError::Stream {
                    line: stats.lines + 1,
                    source,
                }
            })?;
        if n == 0 {
            batch.eof = true;
            break;
        }
        stats.lines += 1;
        let start = batch.text.len();
        if !cut {
            match std::str::from_utf8(&buf) {
                Ok(line) => batch.text.push_str(line),
                Err(_) => batch.text.push_str(&String::from_utf8_lossy(&buf)),
            }
        }
        batch.lines.push((start, batch.text.len(), cut));
    }
    Ok(batch)
}

/// Classifies a batch on every core: for each chunk of [`CHUNK_LINES`] lines, their output
/// lines (each with its newline) in one string, and how many of them were classified.
fn classify_batch(clf: &Classifier, batch: &Batch) -> Vec<(String, u64)> {
    batch
        .lines
        .par_chunks(CHUNK_LINES)
        .map_init(Scratch::default, |s, chunk| {
            let bytes: usize = chunk.iter().map(|(a, b, _)| b - a + 160).sum();
            let mut out = String::with_capacity(bytes);
            let mut classified = 0;
            for &(a, b, too_long) in chunk {
                if too_long {
                    error_line(
                        &mut out,
                        &format!("line longer than {MAX_LINE_BYTES} bytes"),
                    );
                } else if classify_line(clf, &batch.text[a..b], s, &mut out) {
                    classified += 1;
                }
                out.push('\n');
            }
            (out, classified)
        })
        .collect()
}

/// Writes a classified batch line by line, counting its lines in `stats` (`written` numbers
/// the lines, so that a failed write names its line).
fn write_batch(
    output: &mut impl Write,
    results: &[(String, u64)],
    stats: &mut ClassifyStats,
    written: &mut u64,
) -> Result<(), NlpError> {
    for (chunk, classified) in results {
        let mut lines = 0;
        // Output lines hold no raw newline (JSON escapes them), so this splits at lines.
        for line in chunk.split_inclusive('\n') {
            *written += 1;
            lines += 1;
            output
                .write_all(line.as_bytes())
                .map_err(|source| NlpError::Stream {
                    line: *written,
                    source,
                })?;
        }
        stats.classified += classified;
        stats.errors += lines - classified;
    }
    Ok(())
}

/// The `classify` contract: JSONL in, one JSONL line out per input line, in order, on every
/// core (rayon over batches of at most [`BATCH_LINES`] lines and [`BATCH_BYTES`] bytes, lines
/// longer than [`MAX_LINE_BYTES`] answered with an error without being held, so memory stays
/// bounded on any input: three batches at most, the one being classified, the one being
/// read and the previous one being written).
///
/// The calling thread reads and writes while another thread classifies the current batch,
/// so reading and writing overlap the classification instead of leaving a core idle
/// between batches (`input` and `output` stay on the calling thread: stdin and stdout locks
/// can be passed as they are).
pub fn classify_jsonl(
    clf: &Classifier,
    mut input: impl BufRead,
    mut output: impl Write,
) -> Result<ClassifyStats, NlpError> {
    let mut stats = ClassifyStats::default();
    let mut written = 0u64;
    let mut batch = read_batch(&mut input, &mut stats)?;
    let mut previous: Vec<(String, u64)> = Vec::new();
    while !batch.lines.is_empty() {
        let (results, wrote, next) = std::thread::scope(|scope| {
            let current = &batch;
            let worker = scope.spawn(move || classify_batch(clf, current));
            let wrote = write_batch(&mut output, &previous, &mut stats, &mut written);
            let next = if wrote.is_err() || batch.eof {
                Ok(Batch::default())
            } else {
                read_batch(&mut input, &mut stats)
            };
            match worker.join() {
                Ok(results) => (results, wrote, next),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        wrote?;
        previous = results;
        match next {
            Ok(next) => batch = next,
            Err(e) => {
                // The lines read before the failure are still answered.
                write_batch(&mut output, &previous, &mut stats, &mut written)?;
                let _ = output.flush();
                return Err(e);
            }
        }
    }
    write_batch(&mut output, &previous, &mut stats, &mut written)?;
    output.flush().map_err(|source| NlpError::Stream {
        line: written,
        source,
    })?;
    Ok(stats)
}
