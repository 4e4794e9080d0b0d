//! The store's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in a store, saying what failed and with which input.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store URI names a backend this build does not have.
    #[error("store {uri:?} is not available in this build yet: {reason}")]
    Unsupported {
        /// The URI as given.
        uri: String,
        /// Why (e.g. "the postgres backend is not built yet").
        reason: String,
    },
    /// The data directory could not be created or read.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The database file could not be opened or set up.
    #[error("cannot open store database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer Tertulia whose schema this build does not know.
    #[error(
        "store database {path} has schema version {found}, newer than the {supported} this build knows; upgrade tertulia"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// A SQLite statement failed.
    #[error("sqlite failed to {op}: {source}")]
    Sqlite {
        /// What the store was doing (e.g. "insert post x:123").
        op: String,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A stored post could not be read back (damaged or foreign data).
    #[error("stored post {key} cannot be decoded: {source}")]
    Decode {
        /// `network:native_id` of the row.
        key: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// A stored value that is not what the schema allows (damaged or foreign data).
    #[error("store database holds an unreadable value: {detail}")]
    Corrupt {
        /// What was unreadable, and where.
        detail: String,
    },
    /// A post could not be serialised.
    #[error("post {key} cannot be encoded: {source}")]
    Encode {
        /// `network:native_id` of the post.
        key: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// An item given to the store breaks its limits (the whole batch is rolled back).
    #[error("invalid item {key}: {reason}")]
    InvalidItem {
        /// `network:native_id` (or what the item carried).
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A rollup query the store cannot answer (e.g. a bucket width that is not whole hours).
    #[error("invalid rollup query: {reason}")]
    InvalidQuery {
        /// What is wrong.
        reason: String,
    },
    /// An I/O error raised by a caller's callback (e.g. writing an export), carried through.
    #[error("{what}: {source}")]
    Io {
        /// What the caller was doing.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Another thread panicked while holding the store.
    #[error("store lock poisoned by a panic in another thread")]
    Poisoned,
}

impl StoreError {
    /// Wraps a caller's I/O error, e.g. from the writer in a [`crate::Store::for_each_post`]
    /// callback.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        StoreError::Io {
            what: what.into(),
            source,
        }
    }

    /// Maps a SQLite error, describing the operation only if it failed (no per-row formatting).
    pub(crate) fn sqlite<S: Into<String>>(
        op: impl FnOnce() -> S,
    ) -> impl FnOnce(rusqlite::Error) -> StoreError {
        move |source| StoreError::Sqlite {
            op: op().into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_and_name_the_input() {
        let e = StoreError::Unsupported {
            uri: "postgres://db".into(),
            reason: "the postgres backend is not built yet".into(),
        };
        let s = e.to_string();
        assert!(s.starts_with("store \"postgres://db\""), "{s}");
        let e = StoreError::InvalidItem {
            key: "x:".into(),
            reason: "empty native_id".into(),
        };
        assert_eq!(e.to_string(), "invalid item x:: empty native_id");
    }
}
