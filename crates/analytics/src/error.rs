//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in an analysis or with the brand configuration, saying what
/// failed and with which input.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// The store failed.
    #[error("store failed: {0}")]
    Store(#[from] tertulia_store::StoreError),
    /// A brand's query does not parse.
    #[error("brand {brand:?} has an invalid query {query:?}: {source}")]
    Query {
        /// The brand.
        brand: String,
        /// The query as written.
        query: String,
        /// Where and why it does not parse.
        #[source]
        source: Box<tertulia_query::QueryError>,
    },
    /// A brand definition is not acceptable (empty or too long name, duplicate…).
    #[error("invalid brand {brand:?}: {reason}")]
    InvalidBrand {
        /// The brand name as given.
        brand: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The workspace configuration file could not be read.
    #[error("cannot read config {path}: {source}")]
    ReadConfig {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The workspace configuration file is not valid TOML or has unknown fields.
    #[error("cannot parse config {path}: {message}")]
    ParseConfig {
        /// The file (or `<string>` when parsed from text).
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The workspace configuration file could not be written.
    #[error("cannot write config {path}: {message}")]
    WriteConfig {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// `run` was given a name that is not an analysis.
    #[error("unknown analysis {name:?}; valid analyses are: {}", valid.join(", "))]
    UnknownAnalysis {
        /// The name as given.
        name: String,
        /// Every valid name.
        valid: Vec<&'static str>,
    },
    /// An interval that is not `hour`, `day` or `week`.
    #[error("unknown interval {0:?}; valid intervals are: hour, day, week")]
    UnknownInterval(String),
    /// A time that could not be parsed.
    #[error(
        "cannot parse time {0:?}; use RFC 3339 (2015-02-23T05:28:00Z), YYYY-MM-DD or YYYY-MM-DDTHH:MM"
    )]
    InvalidTime(String),
    /// The `--brand` filter names a brand the workspace does not declare.
    #[error("unknown brand {name:?}; declared brands are: {}", if known.is_empty() { "(none)".to_string() } else { known.join(", ") })]
    UnknownBrand {
        /// The name as given.
        name: String,
        /// The declared brand names.
        known: Vec<String>,
    },
    /// Parameters that do not make sense together (e.g. `from` after `to`).
    #[error("invalid parameters: {0}")]
    InvalidParams(String),
    /// A result could not be turned into JSON.
    #[error("cannot serialise the result of {analysis}: {source}")]
    Json {
        /// The analysis.
        analysis: &'static str,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
}

/// Shorthand for this crate's results.
pub type Result<T, E = AnalyticsError> = std::result::Result<T, E>;
