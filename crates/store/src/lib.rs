//! Tertulia's storage.
//!
//! A [`Store`] keeps normalised posts (identity `(network, native_id)`), applies deletions,
//! maintains hourly and daily [rollups](Store::rollups) (summed by
//! [`Store::rollup_series`]) and [stats](Store::stats) inside the same transaction as every
//! write, numbers every change for a [change feed](Store::changes_since), and streams posts back in insertion order. Backends are chosen by
//! URI with [`open`]: a directory path or `sqlite:PATH` opens the embedded SQLite backend
//! ([`SqliteStore`]); `postgres://…` is reserved for the scale-out backend, not built yet.
//!
//! Every backend must pass the [`conformance`] suite, which states the semantics precisely:
//! idempotent upserts, field-wise merge of new versions, sticky deletes, tombstones that arrive
//! before their post, and aggregates that always equal a recount. See `docs/store.md`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod agg;
pub mod conformance;
mod error;
mod merge;
mod sqlite;

pub use agg::{UNKNOWN_SENTIMENT, effective_lang, engagement, reach};
pub use error::StoreError;
pub use merge::merge_posts;
pub use sqlite::{DB_FILE, OpenOptions, SqliteStore, Synchronous};
pub use tertulia_model::{Enrichment, Item, Network, Post, PostKey, PostKind, Tombstone};

/// The `brand` value of the rollup rows that count every post exactly once.
pub const ALL_POSTS: &str = "";

/// Longest accepted `native_id` or `alt_id`, in bytes.
pub const MAX_ID_BYTES: usize = 2048;

/// A place where posts are kept. Implementations are shared between threads
/// (`Arc<dyn Store>`); every method is one transaction.
pub trait Store: Send + Sync {
    /// Upserts a batch of items in ONE transaction; returns what happened to each (summed).
    ///
    /// A new key is `imported`; the same key with the same content is a `duplicate` and writes
    /// nothing; the same key with different content is `updated` in place by
    /// [`merge_posts`]; a tombstone that flags a post (or is remembered for a post not seen yet)
    /// is `deleted`, and re-applying it is a `duplicate`. Items are applied in order, so a
    /// batch may hold several versions of one post. An invalid item (see [`check_item`]) rolls
    /// the whole batch back.
    fn upsert(&self, items: &[Item]) -> Result<UpsertSummary, StoreError>;

    /// The stored post with this key, if any (deleted posts are returned, flagged).
    fn get(&self, key: &PostKey) -> Result<Option<Post>, StoreError>;

    /// Number of stored posts (deleted ones included, tombstone-only placeholders excluded).
    fn count(&self) -> Result<u64, StoreError>;

    /// Calls `f` with every stored post (tombstone-only placeholders excluded) in insertion
    /// order, streamed in pages so memory stays bounded. `f` may call back into the store; an
    /// error from `f` stops the walk and is returned.
    fn for_each_post(
        &self,
        f: &mut dyn FnMut(Post) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Counts of stored posts by network, kind, language (enrichment's, else the source's,
    /// else `und`) and UTC day (`YYYY-MM-DD`, or `unknown`).
    fn stats(&self) -> Result<Stats, StoreError>;

    /// Sets the enrichment and/or brand tags of stored posts (re-enrichment, brand re-tagging),
    /// keeping stats and rollups right. Unknown keys are skipped. Returns how many posts changed.
    fn annotate(&self, updates: &[Annotation]) -> Result<u64, StoreError>;

    /// Hourly rollup rows matching `filter`, ordered by hour, network, kind, sentiment, brand.
    fn rollups(&self, filter: &RollupFilter) -> Result<Vec<RollupRow>, StoreError>;

    /// Rollups summed by the store: one [`RollupAgg`] per (time bucket, grouped dimensions),
    /// ordered by bucket (undated first), network, kind, sentiment, brand. Costs O(stored
    /// rollup rows in range), read from the daily rollups when the bucket is a whole number of
    /// days, the range is day-aligned and `kind` is not grouped; else from the hourly ones.
    /// See [`RollupQuery`] for the bucket alignment and the brand rule.
    fn rollup_series(&self, query: &RollupQuery) -> Result<Vec<RollupAgg>, StoreError>;

    /// The change feed: calls `f(seq, post)` for every stored post whose change sequence number
    /// is greater than `since`, in increasing `seq` order, at most `limit` posts. Deleted posts
    /// are included (flagged `deleted`) so that a consumer can drop them; tombstone-only
    /// placeholders are not posts and never appear. Every insert, update, annotation or
    /// deletion that changes a post gives it a new, higher `seq` (a post appears once, with its
    /// latest `seq`); duplicates change nothing. Returns the highest `seq` visited, or `since`
    /// when none. Pages are read under the lock and handed to `f` outside it, so `f` may call
    /// the store; an error from `f` stops the walk and is returned.
    fn changes_since(
        &self,
        since: u64,
        limit: usize,
        f: &mut dyn FnMut(u64, Post) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError>;

    /// The highest change sequence number given so far (0 for a store that never held a post).
    fn last_change(&self) -> Result<u64, StoreError>;
}

/// Opens a store by URI: a directory path or `sqlite:PATH` opens (creating if absent) the
/// embedded store in that data directory; `postgres://…` is not available in this build yet.
pub fn open(uri: &str) -> Result<Box<dyn Store>, StoreError> {
    open_with(uri, &OpenOptions::default())
}

/// [`open`] with options for the embedded backend (durability, cache).
pub fn open_with(uri: &str, options: &OpenOptions) -> Result<Box<dyn Store>, StoreError> {
    let trimmed = uri.trim();
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        return Err(StoreError::Unsupported {
            uri: redact(trimmed),
            reason: "the postgres backend is not built yet; use a data directory".into(),
        });
    }
    let path = if let Some(rest) = strip_prefix_ci(trimmed, "sqlite://") {
        rest
    } else if let Some(rest) = strip_prefix_ci(trimmed, "sqlite:") {
        rest
    } else if let Some((scheme, _)) = trimmed.split_once("://") {
        return Err(StoreError::Unsupported {
            uri: redact(trimmed),
            reason: format!(
                "unknown store scheme {scheme:?} (use a directory, sqlite:PATH or postgres://)"
            ),
        });
    } else {
        trimmed
    };
    if path.is_empty() {
        return Err(StoreError::Unsupported {
            uri: trimmed.to_string(),
            reason: "the store URI names no directory".into(),
        });
    }
    Ok(Box::new(SqliteStore::open_with(path, options)?))
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    match s.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => s.get(prefix.len()..),
        _ => None,
    }
}

/// Hides a password in `scheme://user:password@host` before it goes into an error.
fn redact(uri: &str) -> String {
    match (uri.find("://"), uri.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &uri[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &uri[..s + 3], user, &uri[at..]),
                None => uri.to_string(),
            }
        }
        _ => uri.to_string(),
    }
}

/// Checks the limits an item must meet to be stored (non-empty ids of at most
/// [`MAX_ID_BYTES`]); the import pipeline can quarantine what fails before batching.
pub fn check_item(item: &Item) -> Result<(), StoreError> {
    let bad = |key: String, reason: &str| StoreError::InvalidItem {
        key,
        reason: reason.to_string(),
    };
    match item {
        Item::Post(p) => {
            let key = || format!("{}:{}", p.network, agg::truncate(&p.native_id, 200));
            if p.native_id.is_empty() {
                return Err(bad(key(), "empty native_id"));
            }
            if p.native_id.len() > MAX_ID_BYTES {
                return Err(bad(key(), "native_id longer than 2048 bytes"));
            }
            if p.alt_id.as_ref().is_some_and(|a| a.len() > MAX_ID_BYTES) {
                return Err(bad(key(), "alt_id longer than 2048 bytes"));
            }
        }
        Item::Delete(t) => {
            let id = t.native_id.as_deref().or(t.alt_id.as_deref()).unwrap_or("");
            let key = || format!("{}:{}", t.network, agg::truncate(id, 200));
            if t.native_id.as_deref().unwrap_or("").is_empty()
                && t.alt_id.as_deref().unwrap_or("").is_empty()
            {
                return Err(bad(key(), "tombstone without native_id or alt_id"));
            }
            if id.len() > MAX_ID_BYTES || t.alt_id.as_ref().is_some_and(|a| a.len() > MAX_ID_BYTES)
            {
                return Err(bad(key(), "tombstone id longer than 2048 bytes"));
            }
        }
    }
    Ok(())
}

/// What an upsert did, per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkCounts {
    /// New posts stored.
    pub imported: u64,
    /// Stored posts changed by a newer version.
    pub updated: u64,
    /// Items that changed nothing (same content, or a tombstone already applied).
    pub duplicates: u64,
    /// Tombstones that flagged a stored post, or were remembered for a post not seen yet.
    pub deleted: u64,
}

impl NetworkCounts {
    /// Adds `other`'s counters to these.
    pub fn merge(&mut self, other: &NetworkCounts) {
        self.imported += other.imported;
        self.updated += other.updated;
        self.duplicates += other.duplicates;
        self.deleted += other.deleted;
    }
}

/// What an upsert did: totals and the same counters per network.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpsertSummary {
    /// New posts stored.
    pub imported: u64,
    /// Stored posts changed by a newer version.
    pub updated: u64,
    /// Items that changed nothing.
    pub duplicates: u64,
    /// Tombstones that took effect.
    pub deleted: u64,
    /// The same four counters per network (networks with no item are absent).
    pub by_network: BTreeMap<Network, NetworkCounts>,
}

/// One item's outcome, as counted in an [`UpsertSummary`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Imported,
    Updated,
    Duplicate,
    Deleted,
}

impl UpsertSummary {
    /// Adds `other`'s counters to these (summing the batches of one import run).
    pub fn merge(&mut self, other: &UpsertSummary) {
        self.imported += other.imported;
        self.updated += other.updated;
        self.duplicates += other.duplicates;
        self.deleted += other.deleted;
        for (n, c) in &other.by_network {
            self.by_network.entry(*n).or_default().merge(c);
        }
    }

    /// Number of items counted.
    pub fn items(&self) -> u64 {
        self.imported + self.updated + self.duplicates + self.deleted
    }

    pub(crate) fn record(&mut self, network: Network, outcome: Outcome) {
        let one = match outcome {
            Outcome::Imported => NetworkCounts {
                imported: 1,
                ..Default::default()
            },
            Outcome::Updated => NetworkCounts {
                updated: 1,
                ..Default::default()
            },
            Outcome::Duplicate => NetworkCounts {
                duplicates: 1,
                ..Default::default()
            },
            Outcome::Deleted => NetworkCounts {
                deleted: 1,
                ..Default::default()
            },
        };
        self.imported += one.imported;
        self.updated += one.updated;
        self.duplicates += one.duplicates;
        self.deleted += one.deleted;
        self.by_network.entry(network).or_default().merge(&one);
    }
}

/// Counts of the stored posts (deleted ones included, flagged in `deleted`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Stored posts.
    pub total: u64,
    /// Of which flagged deleted.
    pub deleted: u64,
    /// By network name (`x`, `reddit`, …).
    pub by_network: BTreeMap<String, u64>,
    /// By kind (`post`, `reply`, …).
    pub by_kind: BTreeMap<String, u64>,
    /// By language: the enrichment's, else the source's, else `und`.
    pub by_language: BTreeMap<String, u64>,
    /// By UTC day of `created_at` (`YYYY-MM-DD`), `unknown` when the source gave no time.
    pub by_day: BTreeMap<String, u64>,
}

/// New enrichment and/or brand tags for one stored post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    /// The post.
    pub key: PostKey,
    /// `Some` replaces the enrichment; `None` leaves it as it is.
    pub enrichment: Option<Enrichment>,
    /// `Some` replaces the brand tags (an empty list removes them all); `None` leaves them.
    pub brands: Option<Vec<String>>,
}

impl Annotation {
    /// Sets the enrichment only (re-enrichment).
    pub fn enrichment(key: PostKey, enrichment: Enrichment) -> Self {
        Annotation {
            key,
            enrichment: Some(enrichment),
            brands: None,
        }
    }

    /// Sets the brand tags only (brand re-tagging).
    pub fn brands(key: PostKey, brands: Vec<String>) -> Self {
        Annotation {
            key,
            enrichment: None,
            brands: Some(brands),
        }
    }
}

/// Which rollup rows to return. The default returns every row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupFilter {
    /// Only hours starting at or after this (inclusive). Setting `from` or `to` leaves out the
    /// rows of posts without `created_at`.
    pub from: Option<DateTime<Utc>>,
    /// Only hours starting before this (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Only these networks (empty: all).
    pub networks: Vec<Network>,
    /// Only these brand values (empty: all rows, including the [`ALL_POSTS`] rows; put `""`
    /// in the list to get the all-posts rows along with some brands).
    pub brands: Vec<String>,
}

/// One hourly rollup row: what the non-deleted posts of one (hour, network, kind, sentiment,
/// brand) add up to.
///
/// Brand rule: every post is counted once in a row with `brand == ""` ([`ALL_POSTS`]), and once
/// more in a row for each distinct brand it is tagged with. So summing the `""` rows gives exact
/// totals, a brand's rows give its exact volume, and share of voice is a brand's posts over the
/// sum of all brands' posts (a post naming two brands counts for both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupRow {
    /// Start of the UTC hour; `None` for posts without `created_at`.
    pub hour: Option<DateTime<Utc>>,
    /// Network.
    pub network: Network,
    /// Kind.
    pub kind: PostKind,
    /// `positive`, `neutral`, `negative` from the enrichment, or `unknown` when not enriched.
    pub sentiment: String,
    /// Brand name, or `""` for the row counting every post.
    pub brand: String,
    /// Number of posts.
    pub posts: u64,
    /// Sum of likes + reshares + replies + quotes (see [`engagement`]).
    pub engagement: u64,
    /// Sum of the authors' followers (see [`reach`]).
    pub reach: u64,
}

/// Origin of rollup time buckets: Monday 1970-01-05 00:00 UTC (Unix second 345,600). Buckets
/// of `w` seconds start at `ORIGIN + k·w`, so hours and days are the UTC ones and weeks start on
/// Monday 00:00 UTC.
pub const BUCKET_ORIGIN: i64 = 4 * 86_400;

/// Which dimensions [`Store::rollup_series`] keeps apart (the others are summed over).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupGroup {
    /// One group per network.
    pub network: bool,
    /// One group per kind (forces the hourly rollups).
    pub kind: bool,
    /// One group per sentiment label (`positive`, `neutral`, `negative`, `unknown`).
    pub sentiment: bool,
    /// One group per brand value, `""` ([`ALL_POSTS`]) included.
    pub brand: bool,
}

/// What [`Store::rollup_series`] sums, and how.
///
/// - `filter` selects rollup rows exactly as for [`Store::rollups`]: hours starting in
///   `[from, to)` (undated posts only when neither bound is set), networks, brand values.
/// - Brand rule: when `group.brand` is false and `filter.brands` is empty, only the
///   [`ALL_POSTS`] rows are summed (every post once); otherwise every row whose brand passes
///   the filter is (a post counts once per brand value).
/// - `bucket_secs`: `None` sums the whole range into one bucket per group (`bucket` is then
///   `None`); `Some(w)` (a positive multiple of 3,600) puts each hour in the bucket starting at
///   [`BUCKET_ORIGIN`]` + k·w` that holds it: `3600` hours, `86400` UTC days, `604800` weeks
///   starting Monday 00:00 UTC. Undated posts get `bucket: None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupQuery {
    /// Rows to sum.
    pub filter: RollupFilter,
    /// Bucket width in seconds (a positive multiple of 3,600), or `None` for one bucket.
    pub bucket_secs: Option<u64>,
    /// Dimensions kept apart.
    pub group: RollupGroup,
}

impl RollupQuery {
    /// Bucket width of one UTC hour.
    pub const HOUR: u64 = 3_600;
    /// Bucket width of one UTC day.
    pub const DAY: u64 = 86_400;
    /// Bucket width of one week (Monday 00:00 UTC to the next Monday).
    pub const WEEK: u64 = 7 * 86_400;
}

/// One group of [`Store::rollup_series`]: sums over the non-deleted posts of one bucket and one
/// value of each grouped dimension (`None` for dimensions not grouped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupAgg {
    /// Start of the bucket; `None` for undated posts or when the query has no bucket width.
    pub bucket: Option<DateTime<Utc>>,
    /// The network, when grouped.
    pub network: Option<Network>,
    /// The kind, when grouped.
    pub kind: Option<PostKind>,
    /// The sentiment label, when grouped.
    pub sentiment: Option<String>,
    /// The brand value (`""` = every post), when grouped.
    pub brand: Option<String>,
    /// Number of posts.
    pub posts: u64,
    /// Sum of likes + reshares + replies + quotes (see [`engagement`]).
    pub engagement: u64,
    /// Sum of the authors' followers (see [`reach`]).
    pub reach: u64,
}

/// Start (Unix seconds) of the `width`-second rollup bucket holding Unix time `t` (see
/// [`BUCKET_ORIGIN`]).
pub fn bucket_start(t: i64, width: i64) -> i64 {
    let w = width.max(1);
    t - (t - BUCKET_ORIGIN).rem_euclid(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_is_a_clear_error_and_hides_passwords() {
        let e = open("postgres://tertulia:s3cret@db/tertulia")
            .err()
            .map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.contains("not available in this build yet"), "{e}");
        assert!(!e.contains("s3cret"), "{e}");
        let e = open("mysql://db")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("unknown store scheme"), "{e}");
    }

    #[test]
    fn sqlite_prefix_and_directory_open_the_same_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data");
        let a = open(&format!("sqlite:{}", path.display())).unwrap();
        assert_eq!(a.count().unwrap(), 0);
        drop(a);
        let b = open(path.to_str().unwrap()).unwrap();
        assert_eq!(b.count().unwrap(), 0);
    }

    #[test]
    fn summaries_merge() {
        let mut a = UpsertSummary::default();
        a.record(Network::X, Outcome::Imported);
        let mut b = UpsertSummary::default();
        b.record(Network::X, Outcome::Duplicate);
        b.record(Network::Reddit, Outcome::Deleted);
        a.merge(&b);
        assert_eq!(
            (a.imported, a.duplicates, a.deleted, a.items()),
            (1, 1, 1, 3)
        );
        assert_eq!(a.by_network[&Network::X].duplicates, 1);
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.contains("\"by_network\":{\"x\":"), "{json}");
    }

    #[test]
    fn items_are_checked() {
        let p = Post::new(Network::X, "", PostKind::Post);
        assert!(check_item(&Item::Post(Box::new(p))).is_err());
        let t = Tombstone {
            network: Network::Mastodon,
            native_id: None,
            alt_id: None,
            deleted_at: None,
        };
        assert!(check_item(&Item::Delete(t)).is_err());
        let p = Post::new(Network::X, "1", PostKind::Post);
        assert!(check_item(&Item::Post(Box::new(p))).is_ok());
    }
}
