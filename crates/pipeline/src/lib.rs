//! Tertulia's ingest pipeline: files are read by the connectors, posts are annotated (language,
//! sentiment, brands…) on every core, and written to the store in batches by one writer
//! thread, with a bounded channel between them so that memory stays flat whatever the input
//! size. Bad records are quarantined (kept in the summary and appended to a JSONL file); a file
//! that cannot be read at all is reported and the run goes on with the next one.

use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use tertulia_connectors::{Connector, ReadOptions, Record};
use tertulia_model::{Item, Post};
use tertulia_store::{NetworkCounts, Store, UpsertSummary};

/// Errors that stop a whole import (a bad record or an unreadable file does not).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The store refused a batch.
    #[error("store error while importing: {0}")]
    Store(#[from] tertulia_store::StoreError),
    /// The quarantine file could not be written.
    #[error("cannot write quarantine file {path}: {source}")]
    Quarantine {
        /// The quarantine file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The writer thread stopped unexpectedly.
    #[error("the store writer stopped: {0}")]
    Writer(String),
}

/// Something done to every post before it is stored (enrichment, brand tagging). Runs on
/// every core, so it must be cheap and thread-safe.
pub trait Annotator: Send + Sync {
    /// Annotates one post in place.
    fn annotate(&self, post: &mut Post);
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// `--source`: a connector name, or `None`/`"auto"` to detect each file's format.
    pub source: Option<String>,
    /// Options passed to the connectors (`--map`, `--time-format`).
    pub read: ReadOptions,
    /// Items per store transaction.
    pub batch_size: usize,
    /// Where quarantined records are appended as JSONL (`<data>/quarantine.jsonl`).
    pub quarantine_file: Option<PathBuf>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            source: None,
            read: ReadOptions::default(),
            batch_size: 20_000,
            quarantine_file: None,
        }
    }
}

/// One quarantined record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarantineEntry {
    /// The file it came from.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// Why it was rejected.
    pub reason: String,
    /// The start of the bad input.
    pub snippet: String,
}

/// A file that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    /// The file.
    pub file: String,
    /// Why, naming the file.
    pub error: String,
}

/// Most quarantine entries kept in memory for the summary (all go to the quarantine file).
pub const MAX_QUARANTINE_IN_SUMMARY: usize = 1000;

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    /// Files read (successfully or not).
    pub files: u64,
    /// New posts stored.
    pub imported: u64,
    /// Stored posts updated in place (edits, new metrics).
    pub updated: u64,
    /// Records already stored as they are.
    pub duplicates: u64,
    /// Posts flagged deleted by deletion notices.
    pub deleted: u64,
    /// Valid records that are not posts (stream control events, `more` stubs…).
    pub skipped: u64,
    /// Number of quarantined records.
    pub quarantined: u64,
    /// Counts per network.
    pub by_network: BTreeMap<String, NetworkCounts>,
    /// Which connector read each file.
    pub formats: BTreeMap<String, String>,
    /// The first [`MAX_QUARANTINE_IN_SUMMARY`] quarantined records.
    pub quarantine: Vec<QuarantineEntry>,
    /// Files that could not be read at all.
    pub file_errors: Vec<FileError>,
}

impl ImportSummary {
    fn add_upsert(&mut self, s: &UpsertSummary) {
        self.imported += s.imported;
        self.updated += s.updated;
        self.duplicates += s.duplicates;
        self.deleted += s.deleted;
        for (network, counts) in &s.by_network {
            self.by_network
                .entry(network.to_string())
                .or_default()
                .merge(counts);
        }
    }

    /// True when files were given and none could be read: the only failing outcome.
    pub fn nothing_read(&self) -> bool {
        self.files > 0 && self.file_errors.len() as u64 == self.files
    }
}

/// Progress of an import, reported after each batch and each file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Files finished.
    pub files_done: u64,
    /// Files in all.
    pub files_total: u64,
    /// Bytes of finished files.
    pub bytes_done: u64,
    /// Records read so far.
    pub records: u64,
}

/// Imports `paths` into `store`. Unreadable files and bad records are reported in the summary,
/// never fatal; only store and quarantine-file failures stop the run.
pub fn import(
    store: &dyn Store,
    connectors: &[Box<dyn Connector>],
    paths: &[PathBuf],
    opts: &ImportOptions,
    annotator: Option<&dyn Annotator>,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, PipelineError> {
    let mut summary = ImportSummary::default();
    let mut quarantine = QuarantineWriter::new(opts.quarantine_file.as_deref());
    let (tx, rx) = mpsc::sync_channel::<Vec<Item>>(2);
    let batch_size = opts.batch_size.max(1);

    let written = std::thread::scope(|scope| -> Result<UpsertSummary, PipelineError> {
        let writer = scope.spawn(move || -> Result<UpsertSummary, PipelineError> {
            let mut total = UpsertSummary::default();
            for batch in rx {
                total.merge(&store.upsert(&batch)?);
            }
            Ok(total)
        });

        let mut prog = Progress {
            files_total: paths.len() as u64,
            ..Progress::default()
        };
        let mut batch: Vec<Item> = Vec::with_capacity(batch_size);
        let mut writer_gone = false;
        for path in paths {
            summary.files += 1;
            let file = path.display().to_string();
            let mut on_record = |rec: Record| {
                prog.records += 1;
                // Items the store would refuse (empty or huge ids) are quarantined here, so
                // that one bad record never fails a whole batch.
                let rec = match rec {
                    Record::Item { line, item } => match tertulia_store::check_item(&item) {
                        Ok(()) => Record::Item { line, item },
                        Err(e) => Record::Quarantine {
                            line,
                            reason: e.to_string(),
                            snippet: String::new(),
                        },
                    },
                    other => other,
                };
                match rec {
                    Record::Item { item, .. } => {
                        batch.push(item);
                        if batch.len() >= batch_size {
                            let full =
                                std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
                            writer_gone |= tx.send(annotate(full, annotator)).is_err();
                            progress(prog);
                        }
                    }
                    Record::Skipped { .. } => summary.skipped += 1,
                    Record::Quarantine {
                        line,
                        reason,
                        snippet,
                    } => {
                        summary.quarantined += 1;
                        let entry = QuarantineEntry {
                            file: file.clone(),
                            line,
                            reason,
                            snippet,
                        };
                        quarantine.push(&entry);
                        if summary.quarantine.len() < MAX_QUARANTINE_IN_SUMMARY {
                            summary.quarantine.push(entry);
                        }
                    }
                }
            };
            match tertulia_connectors::read_file(
                connectors,
                path,
                opts.source.as_deref(),
                &opts.read,
                &mut on_record,
            ) {
                Ok(name) => {
                    summary.formats.insert(file.clone(), name.to_string());
                }
                Err(e) => summary.file_errors.push(FileError {
                    file: file.clone(),
                    error: e.to_string(),
                }),
            }
            prog.files_done += 1;
            prog.bytes_done += std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            progress(prog);
            if writer_gone {
                // The writer stopped on a store error; joining it below reports that error.
                break;
            }
        }
        if !batch.is_empty() {
            let _ = tx.send(annotate(batch, annotator));
        }
        drop(tx);
        match writer.join() {
            Ok(r) => r,
            Err(_) => Err(PipelineError::Writer("writer thread panicked".into())),
        }
    })?;
    summary.add_upsert(&written);
    quarantine.finish()?;
    Ok(summary)
}

fn annotate(mut batch: Vec<Item>, annotator: Option<&dyn Annotator>) -> Vec<Item> {
    if let Some(a) = annotator {
        batch.par_iter_mut().for_each(|item| {
            if let Item::Post(p) = item {
                a.annotate(p);
            }
        });
    }
    batch
}

/// Appends quarantined records to the quarantine file, if any; the first write error is kept
/// and reported at the end.
struct QuarantineWriter {
    path: Option<PathBuf>,
    out: Option<std::io::BufWriter<std::fs::File>>,
    error: Option<std::io::Error>,
}

impl QuarantineWriter {
    /// A writer that opens `path` (for appending) at the first quarantined record.
    fn new(path: Option<&Path>) -> Self {
        QuarantineWriter {
            path: path.map(Path::to_path_buf),
            out: None,
            error: None,
        }
    }

    fn push(&mut self, entry: &QuarantineEntry) {
        if self.error.is_some() {
            return;
        }
        let Some(path) = &self.path else {
            return;
        };
        if self.out.is_none() {
            match std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                Ok(f) => self.out = Some(std::io::BufWriter::new(f)),
                Err(e) => {
                    self.error = Some(e);
                    return;
                }
            }
        }
        let line = serde_json::json!({
            "file": entry.file,
            "line": entry.line,
            "reason": entry.reason,
            "snippet": entry.snippet,
            "at": chrono::Utc::now().to_rfc3339(),
        });
        if let Some(out) = &mut self.out
            && let Err(e) = writeln!(out, "{line}")
        {
            self.error = Some(e);
        }
    }

    fn finish(mut self) -> Result<(), PipelineError> {
        if let Some(out) = &mut self.out
            && let Err(e) = out.flush()
        {
            self.error.get_or_insert(e);
        }
        match (self.error, self.path) {
            (Some(source), Some(path)) => Err(PipelineError::Quarantine { path, source }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tertulia_model::{Network, PostKind};

    struct Fixed(Vec<Item>);
    impl Connector for Fixed {
        fn name(&self) -> &'static str {
            "fixed"
        }
        fn describe(&self) -> &'static str {
            "test items"
        }
        fn read_bytes(
            &self,
            _bytes: &[u8],
            _path: &Path,
            _opts: &ReadOptions,
            out: &mut tertulia_connectors::Out<'_>,
        ) -> Result<(), tertulia_connectors::ConnectorError> {
            for (i, item) in self.0.iter().enumerate() {
                out(Record::Item {
                    line: i + 1,
                    item: item.clone(),
                });
            }
            Ok(())
        }
    }

    struct Shout;
    impl Annotator for Shout {
        fn annotate(&self, post: &mut Post) {
            post.text = post.text.to_uppercase();
        }
    }

    #[test]
    fn items_the_store_refuses_are_quarantined_and_the_rest_stored() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("in.txt");
        std::fs::write(&file, "x").unwrap();
        let store = tertulia_store::open(&dir.path().join("data").display().to_string()).unwrap();
        let mut good = Post::new(Network::X, "1", PostKind::Post);
        good.text = "hola".into();
        let items = vec![
            Item::Post(Box::new(good)),
            Item::Post(Box::new(Post::new(Network::X, "", PostKind::Post))),
            Item::Post(Box::new(Post::new(Network::X, "2", PostKind::Post))),
        ];
        let connectors: Vec<Box<dyn Connector>> = vec![Box::new(Fixed(items))];
        let opts = ImportOptions {
            source: Some("fixed".into()),
            batch_size: 2,
            quarantine_file: Some(dir.path().join("q.jsonl")),
            ..ImportOptions::default()
        };
        let mut progress_calls = 0;
        let s = import(
            store.as_ref(),
            &connectors,
            &[file.clone(), dir.path().join("missing.json")],
            &opts,
            Some(&Shout),
            &mut |_| progress_calls += 1,
        )
        .unwrap();
        assert_eq!(s.files, 2);
        assert_eq!(s.imported, 2);
        assert_eq!(s.quarantined, 1);
        assert_eq!(s.quarantine[0].line, 2);
        assert!(s.quarantine[0].reason.contains("empty native_id"), "{s:?}");
        assert_eq!(s.file_errors.len(), 1);
        assert!(s.file_errors[0].error.contains("missing.json"));
        assert!(!s.nothing_read());
        assert!(progress_calls >= 2);
        let q = std::fs::read_to_string(dir.path().join("q.jsonl")).unwrap();
        assert_eq!(q.lines().count(), 1);
        let stored = store
            .get(&tertulia_model::PostKey {
                network: Network::X,
                native_id: "1".into(),
            })
            .unwrap()
            .unwrap();
        assert_eq!(stored.text, "HOLA", "the annotator ran before storing");
    }
}
