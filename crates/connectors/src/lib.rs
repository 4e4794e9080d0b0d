//! Tertulia's connectors: they read what each network really emits (API responses, streams,
//! archives, exports) and turn it into [`Item`]s: posts, or deletions of posts.
//!
//! Each network lives in one folder (`x/`, `graph/`, `youtube/`, …) holding one type that
//! implements [`Connector`]; [`registry()`] lists them, one line each. Adding a network is one
//! folder plus one line there.
//!
//! Reading a file goes through [`read_file`]: it picks the connector (by `--source` name or by
//! sniffing the content), frames the file (one JSON document, NDJSON, or the connector's own
//! framing such as CSV or server-sent events), and hands every [`Record`] to a callback, in file
//! order. A record that cannot be read becomes [`Record::Quarantine`] with its line and reason;
//! reading goes on.

use std::path::{Path, PathBuf};

pub use tertulia_model::{Item, Network, Post, PostKind, Tombstone};

pub mod framing;
pub mod util;

mod bluesky;
mod graph;
mod mastodon;
mod reddit;
mod tabular;
mod tertulia;
#[cfg(test)]
pub(crate) mod testing;
mod x;
mod youtube;

/// Errors that stop a whole file from being read (a bad record is a [`Record::Quarantine`]).
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No connector recognised the file's content.
    #[error("unknown format in {path}: {why}")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// What was seen.
        why: String,
    },
    /// `--source` named a format no connector reads.
    #[error("unknown source format {name:?}; known formats: {known}")]
    UnknownSource {
        /// The name given.
        name: String,
        /// The names that are known, comma-separated.
        known: String,
    },
    /// The options are wrong for this connector (e.g. a bad `--map`).
    #[error("bad options for {connector}: {why}")]
    BadOptions {
        /// The connector.
        connector: &'static str,
        /// What is wrong.
        why: String,
    },
}

/// Options given by the user for reading files.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Field mapping for CSV/JSONL from other tools: `(field, column)` pairs from
    /// `--map id=COL,text=COL,…`.
    pub map: Vec<(String, String)>,
    /// `chrono` format of times in mapped files when they are not RFC 3339 (`--time-format`).
    pub time_format: Option<String>,
    /// The network named by `--source` when the name is a network (`--source instagram`):
    /// connectors that read several networks' formats (Graph) use it instead of guessing.
    pub network: Option<Network>,
}

impl ReadOptions {
    /// Parses `--map id=COL,text=COL,…` into pairs, rejecting entries without `=`.
    pub fn parse_map(spec: &str) -> Result<Vec<(String, String)>, ConnectorError> {
        let mut out = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once('=') {
                Some((f, c)) if !f.trim().is_empty() && !c.trim().is_empty() => {
                    out.push((f.trim().to_string(), c.trim().to_string()))
                }
                _ => {
                    return Err(ConnectorError::BadOptions {
                        connector: "map",
                        why: format!("--map entry {part:?} is not FIELD=COLUMN"),
                    });
                }
            }
        }
        Ok(out)
    }
}

/// One thing read out of a file, in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A post or a deletion.
    Item {
        /// 1-based line where the record starts (1 for a one-document file).
        line: usize,
        /// What was read.
        item: Item,
    },
    /// Something that could not be read; the run goes on.
    Quarantine {
        /// 1-based line of the bad record.
        line: usize,
        /// Why it was rejected, in lowercase words.
        reason: String,
        /// The start of the bad input (at most [`util::SNIPPET_CHARS`] characters).
        snippet: String,
    },
    /// Something valid that is not a post (a Jetstream identity event, a Reddit `more` stub,
    /// an X `errors` entry…), counted but not stored.
    Skipped {
        /// 1-based line.
        line: usize,
        /// What it was, e.g. `"jetstream identity event"`.
        what: String,
    },
}

/// Context of one value being read: where it is, and the user's options.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The file being read.
    pub path: &'a Path,
    /// 1-based line where the current value starts.
    pub line: usize,
    /// The user's options.
    pub opts: &'a ReadOptions,
}

impl Ctx<'_> {
    /// A record for an item read at this context's line.
    pub fn item(&self, item: Item) -> Record {
        Record::Item {
            line: self.line,
            item,
        }
    }

    /// A post read at this context's line.
    pub fn post(&self, post: Post) -> Record {
        self.item(Item::Post(Box::new(post)))
    }

    /// A quarantine record at this context's line.
    pub fn quarantine(&self, reason: impl Into<String>, snippet: &str) -> Record {
        Record::Quarantine {
            line: self.line,
            reason: reason.into(),
            snippet: util::snippet(snippet),
        }
    }

    /// A skipped record at this context's line.
    pub fn skipped(&self, what: impl Into<String>) -> Record {
        Record::Skipped {
            line: self.line,
            what: what.into(),
        }
    }
}

/// Where the records of a read go.
pub type Out<'a> = dyn FnMut(Record) + 'a;

/// A reader of one network's (or one tool's) formats.
///
/// Most connectors read JSON: they implement [`Connector::detect_json`] and
/// [`Connector::read_json`], and the shared framing ([`framing::read_json_bytes`]) takes care of
/// whole documents versus NDJSON, bad lines and parallelism. Connectors with their own framing
/// (CSV, server-sent events, `tweets.js`) implement [`Connector::detect_text`] and override
/// [`Connector::read_bytes`].
pub trait Connector: Send + Sync {
    /// Short name, also accepted by `--source` (e.g. `"x"`).
    fn name(&self) -> &'static str;

    /// Other `--source` names this connector answers to (e.g. `"twitter"`, `"x-v2"`).
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    /// One line saying what the connector reads, for `--help` and docs.
    fn describe(&self) -> &'static str;

    /// How sure (0 = not at all, 100 = certain) this connector is that it reads a file whose
    /// first bytes are `head` (up to 64 KiB, possibly cut mid-character). Only for framings that
    /// are not plain JSON/NDJSON.
    fn detect_text(&self, _head: &[u8], _path: &Path) -> u8 {
        0
    }

    /// How sure (0–100) this connector is that it reads a JSON value (a whole document, or the
    /// first line of an NDJSON file) shaped like `value`.
    fn detect_json(&self, _value: &serde_json::Value) -> u8 {
        0
    }

    /// Reads one JSON value (a whole document, or one NDJSON line), sending records to `out`.
    fn read_json(&self, value: serde_json::Value, ctx: &Ctx<'_>, out: &mut Out<'_>) {
        let _ = value;
        out(ctx.quarantine(
            format!("the {} connector does not read JSON", self.name()),
            "",
        ));
    }

    /// Reads a whole file's bytes. The default frames JSON documents and NDJSON and calls
    /// [`Connector::read_json`] for each value.
    fn read_bytes(
        &self,
        bytes: &[u8],
        path: &Path,
        opts: &ReadOptions,
        out: &mut Out<'_>,
    ) -> Result<(), ConnectorError> {
        framing::read_json_bytes(self, bytes, path, opts, out);
        Ok(())
    }
}

/// Every connector, one line each. Order matters only to break detection ties.
pub fn registry() -> Vec<Box<dyn Connector>> {
    vec![
        Box::new(x::X),
        Box::new(graph::Graph),
        Box::new(youtube::Youtube),
        Box::new(reddit::Reddit),
        Box::new(mastodon::Mastodon),
        Box::new(bluesky::Bluesky),
        Box::new(tertulia::Tertulia),
        Box::new(tabular::Tabular),
    ]
}

/// Finds the connector that `--source NAME` names (its name or an alias, case-insensitive).
pub fn by_name<'a>(
    connectors: &'a [Box<dyn Connector>],
    name: &str,
) -> Result<&'a dyn Connector, ConnectorError> {
    let lower = name.to_lowercase();
    connectors
        .iter()
        .find(|c| c.name() == lower || c.aliases().iter().any(|a| *a == lower))
        .map(|c| c.as_ref())
        .ok_or_else(|| ConnectorError::UnknownSource {
            name: name.to_string(),
            known: connectors
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Picks the connector for a file from its content (`--source auto`).
pub fn detect<'a>(
    connectors: &'a [Box<dyn Connector>],
    bytes: &[u8],
    path: &Path,
) -> Result<&'a dyn Connector, ConnectorError> {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let best_text = connectors
        .iter()
        .map(|c| (c.detect_text(head, path), c))
        .filter(|(s, _)| *s > 0)
        .max_by_key(|(s, _)| *s);
    if let Some((score, c)) = best_text
        && score >= 50
    {
        return Ok(c.as_ref());
    }
    let first = framing::first_json_value(bytes);
    if let Some(value) = &first {
        let best = connectors
            .iter()
            .map(|c| (c.detect_json(value), c))
            .filter(|(s, _)| *s > 0)
            // max_by_key keeps the last maximum; reverse so registry order breaks ties.
            .rev()
            .max_by_key(|(s, _)| *s);
        if let Some((_, c)) = best {
            return Ok(c.as_ref());
        }
    }
    if let Some((_, c)) = best_text {
        return Ok(c.as_ref());
    }
    let why = match &first {
        Some(v) => format!(
            "JSON that no connector recognises (starts {})",
            util::snippet(&v.to_string())
        ),
        None if bytes.iter().all(|b| b.is_ascii_whitespace()) => "the file is empty".to_string(),
        None => format!(
            "neither JSON, NDJSON, CSV nor a known export (starts {:?})",
            util::snippet(&String::from_utf8_lossy(&bytes[..bytes.len().min(80)]))
        ),
    };
    Err(ConnectorError::UnknownFormat {
        path: path.to_path_buf(),
        why,
    })
}

/// Largest file read in one piece (4 GiB); larger files are refused with a clear error.
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// Reads one file with the named connector (`source`), or the detected one when `source` is
/// `None` or `"auto"`, sending every record to `out` in file order. Returns the connector's
/// name.
pub fn read_file(
    connectors: &[Box<dyn Connector>],
    path: &Path,
    source: Option<&str>,
    opts: &ReadOptions,
    out: &mut Out<'_>,
) -> Result<&'static str, ConnectorError> {
    let io = |source| ConnectorError::Io {
        path: path.to_path_buf(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(io(std::io::Error::other(format!(
            "file is {len} bytes, more than the {MAX_FILE_BYTES} bytes read in one piece; split it"
        ))));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    read_bytes(connectors, &bytes, path, source, opts, out)
}

/// Reads bytes (already in memory) as a file called `path` would be read; for tests and for
/// callers that fetched the content themselves.
pub fn read_bytes(
    connectors: &[Box<dyn Connector>],
    bytes: &[u8],
    path: &Path,
    source: Option<&str>,
    opts: &ReadOptions,
    out: &mut Out<'_>,
) -> Result<&'static str, ConnectorError> {
    let connector = match source {
        // A field mapping means "a file from another tool": the mapped reader takes it.
        None | Some("auto") if !opts.map.is_empty() => by_name(connectors, "csv")?,
        None | Some("auto") => detect(connectors, bytes, path)?,
        Some(name) => by_name(connectors, name)?,
    };
    let named = source
        .filter(|s| *s != "auto" && *s != connector.name())
        .and_then(|s| s.parse::<Network>().ok())
        .filter(|n| *n != Network::Csv);
    if opts.network.is_none() && named.is_some() {
        let opts = ReadOptions {
            network: named,
            ..opts.clone()
        };
        connector.read_bytes(bytes, path, &opts, out)?;
        return Ok(connector.name());
    }
    connector.read_bytes(bytes, path, opts, out)?;
    Ok(connector.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let reg = registry();
        let mut names: Vec<&str> = reg
            .iter()
            .flat_map(|c| std::iter::once(c.name()).chain(c.aliases().iter().copied()))
            .collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(n, names.len(), "a --source name is used twice");
    }

    #[test]
    fn unknown_source_lists_known_ones() {
        let reg = registry();
        let err = by_name(&reg, "myspace").err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("myspace") && e.contains("x")));
    }

    #[test]
    fn garbage_is_an_unknown_format_naming_the_file() {
        let reg = registry();
        let err = detect(&reg, b"\x00\x01\x02 binary", Path::new("blob.bin"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("blob.bin"), "{err}");
        let err = detect(&reg, b"  \n", Path::new("empty.json"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("empty"), "{err}");
    }

    #[test]
    fn parse_map_rejects_entries_without_equals() {
        assert_eq!(
            ReadOptions::parse_map("id=a, text = b").ok(),
            Some(vec![
                ("id".to_string(), "a".to_string()),
                ("text".to_string(), "b".to_string())
            ])
        );
        assert!(ReadOptions::parse_map("id=a,text").is_err());
    }
}
