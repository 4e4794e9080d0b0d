//! The error type of the search crate.

use std::path::PathBuf;

/// What went wrong while opening, syncing or querying the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index directory could not be created or read.
    #[error("cannot use search index directory {path}: {source}")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// tantivy failed (opening, writing, committing or searching the index).
    #[error("search index failed while {action}: {source}")]
    Index {
        /// What the index was doing.
        action: &'static str,
        /// tantivy's error.
        source: tantivy::TantivyError,
    },
    /// The store failed while the index read posts from it.
    #[error("search index could not read the store while {action}: {source}")]
    Store {
        /// What the index was doing.
        action: &'static str,
        /// The store's error.
        source: tertulia_store::StoreError,
    },
    /// The index holds a key that is not `network:native_id`.
    #[error("search index holds a malformed post key {0:?}")]
    BadKey(String),
}

impl SearchError {
    pub(crate) fn index(action: &'static str) -> impl FnOnce(tantivy::TantivyError) -> SearchError {
        move |source| SearchError::Index { action, source }
    }

    pub(crate) fn store(
        action: &'static str,
    ) -> impl FnOnce(tertulia_store::StoreError) -> SearchError {
        move |source| SearchError::Store { action, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_and_name_the_input() {
        let e = SearchError::BadKey("nope".into());
        assert_eq!(
            e.to_string(),
            "search index holds a malformed post key \"nope\""
        );
        let e = SearchError::Dir {
            path: PathBuf::from("/x/index"),
            source: std::io::Error::other("denied"),
        };
        assert!(
            e.to_string()
                .starts_with("cannot use search index directory /x/index")
        );
    }
}
