//! Tertulia's search index: a tantivy full-text and facet index of the stored posts, kept in
//! `<data>/index/`, that answers Brandwatch-style queries ([`tertulia_query::Query`]) with
//! exactly the posts the query crate's matcher accepts.
//!
//! * [`SearchIndex::open`] opens (or creates) the index in a directory ([`index_dir`] gives
//!   the usual one under a data directory);
//! * [`SearchIndex::sync`] brings it up to date with a [`Store`];
//! * [`SearchIndex::search`] runs a query: the top hits (with their posts, fetched from the
//!   store), the total and facet counts by network, language, sentiment and brand over all
//!   matches.
//!
//! Text is indexed from the query crate's own tokens (see `docs/search.md`): words, hashtags,
//! mentions and emoji, each in a folded form (lowercase, no accents) and, when it differs, an
//! exact lowercase form, so that unaccented query terms find accented words and accented ones
//! match exactly. Terms, phrases, wildcards, boolean operators and every filter run in the index
//! alone; proximity, `NEAR/N` and a few rare phrase shapes select candidates in the index that
//! are then verified with the matcher on the stored post ([`SearchResults::verified`]).
//!
//! ```no_run
//! use tertulia_search::{SearchIndex, SearchOptions, index_dir};
//! use tertulia_query::Query;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = tertulia_store::open("./tertulia-data")?;
//! let mut index = SearchIndex::open(index_dir("./tertulia-data".as_ref()))?;
//! index.sync(store.as_ref())?;
//! let q = Query::compile("(iberia OR @Iberia) retras* lang:es")?;
//! let results = index.search(store.as_ref(), &q, &SearchOptions::default())?;
//! println!("{} matches, {:?}", results.total, results.facets.network);
//! # Ok(()) }
//! ```

mod collect;
mod error;
mod safe;
mod schema;
mod translate;

pub use collect::{Facets, SortBy};
pub use error::SearchError;

use collect::{CandidateCollector, Fruit, Tally, TallyCollector};
use schema::{Fields, SCHEMA_VERSION, build_schema, key_text, to_document};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tantivy::directory::MmapDirectory;
use tantivy::schema::Value;
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tertulia_model::{Network, Post, PostKey};
use tertulia_query::Query;
use tertulia_store::Store;

/// The index directory of a data directory: `<data>/index`.
pub fn index_dir(data: &Path) -> PathBuf {
    data.join("index")
}

/// Indexing memory per writer thread, in bytes.
const WRITER_MEMORY_PER_THREAD: usize = 192 << 20;

/// Doc-store blocks cached per segment while verifying candidates.
const STORE_CACHE_BLOCKS: usize = 64;

/// What [`SearchIndex::sync`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStats {
    /// The index was rebuilt from every stored post (instead of applying changes).
    pub full_rebuild: bool,
    /// Posts (re)indexed.
    pub indexed: u64,
    /// Posts removed from the index because they are deleted.
    pub removed: u64,
    /// The store change sequence number the index is now synced to.
    pub last_seq: u64,
    /// Documents in the index after the sync.
    pub docs: u64,
}

/// How [`SearchIndex::search`] ranks and cuts its hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchOptions {
    /// How many hits to return (the total and facets always cover every match).
    pub limit: usize,
    /// Ranking.
    pub sort: SortBy,
}

impl Default for SearchOptions {
    /// 20 hits by relevance.
    fn default() -> Self {
        SearchOptions {
            limit: 20,
            sort: SortBy::Relevance,
        }
    }
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The post's identity.
    pub key: PostKey,
    /// BM25 score (0 for a query of filters only).
    pub score: f32,
    /// The post, as stored.
    pub post: Post,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Number of matching posts.
    pub total: u64,
    /// The best hits, at most [`SearchOptions::limit`]. A hit whose post has left the store
    /// since the last sync is skipped.
    pub hits: Vec<Hit>,
    /// Counts over every match.
    pub facets: Facets,
    /// Whether candidates were verified with the matcher on the stored posts (proximity,
    /// `NEAR`, mixed-accent or wildcard phrases).
    pub verified: bool,
    /// Candidates the index produced (equal to `total` when not verified).
    pub candidates: u64,
}

/// The commit payload: schema version and the synced change sequence number.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Payload {
    schema: u32,
    seq: u64,
}

/// A search index in a directory.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish()
    }
}

/// What [`scan_changes`] walked.
struct Scan {
    /// The highest change sequence number seen (`since_seq` when none).
    last_seq: u64,
}

/// Calls `f(seq, post)` for every post changed after `since_seq` (every stored post when
/// `since_seq == 0`, a full rebuild), in change order, through the store's change feed
/// ([`Store::changes_since`]). Deleted posts come too, so that they are dropped from the index.
fn scan_changes(
    store: &dyn Store,
    since_seq: u64,
    f: &mut dyn FnMut(u64, Post) -> Result<(), SearchError>,
) -> Result<Scan, SearchError> {
    let mut failure = None;
    let walk = store.changes_since(since_seq, usize::MAX, &mut |seq, post| match f(seq, post) {
        Ok(()) => Ok(()),
        Err(e) => {
            failure = Some(e);
            // Stops the walk; the real error is returned below.
            Err(tertulia_store::StoreError::Unsupported {
                uri: String::new(),
                reason: "search index sync stopped".into(),
            })
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let last_seq = walk.map_err(SearchError::store("reading the store's change feed"))?;
    Ok(Scan { last_seq })
}

fn parse_key(key: &str) -> Result<PostKey, SearchError> {
    let (net, id) = key
        .split_once(':')
        .ok_or_else(|| SearchError::BadKey(key.to_string()))?;
    let network: Network = net
        .parse()
        .map_err(|_| SearchError::BadKey(key.to_string()))?;
    Ok(PostKey {
        network,
        native_id: id.to_string(),
    })
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if needed. An index
    /// written with another schema version is discarded (the next sync rebuilds it).
    pub fn open(dir: impl AsRef<Path>) -> Result<SearchIndex, SearchError> {
        let dir = dir.as_ref().to_path_buf();
        let dir_err = |source| SearchError::Dir {
            path: dir.clone(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(dir_err)?;
        let (schema, fields) = build_schema();
        let open_dir = || {
            MmapDirectory::open(&dir).map_err(|e| SearchError::Index {
                action: "opening the index directory",
                source: e.into(),
            })
        };
        let mut index = None;
        if Index::exists(&open_dir()?).map_err(|e| SearchError::Index {
            action: "opening the index directory",
            source: e.into(),
        })? {
            let existing =
                Index::open(open_dir()?).map_err(SearchError::index("opening the index"))?;
            let payload = Self::payload_of(&existing)?;
            if existing.schema() == schema && payload.schema == SCHEMA_VERSION {
                index = Some(existing);
            } else {
                drop(existing);
                std::fs::remove_dir_all(&dir).map_err(dir_err)?;
                std::fs::create_dir_all(&dir).map_err(dir_err)?;
            }
        }
        let index = match index {
            Some(i) => i,
            None => Index::create(open_dir()?, schema, Default::default())
                .map_err(SearchError::index("creating the index"))?,
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(SearchError::index("opening an index reader"))?;
        Ok(SearchIndex {
            dir,
            index,
            reader,
            fields,
        })
    }

    fn payload_of(index: &Index) -> Result<Payload, SearchError> {
        let metas = index
            .load_metas()
            .map_err(SearchError::index("reading the index metadata"))?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or(Payload {
                schema: SCHEMA_VERSION,
                seq: 0,
            }))
    }

    /// The directory of the index.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The store change sequence number the index is synced to (0: never, or rebuilt in full
    /// at every sync until the store has a change feed).
    pub fn last_seq(&self) -> Result<u64, SearchError> {
        Ok(Self::payload_of(&self.index)?.seq)
    }

    /// Number of posts in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Brings the index up to date with the store: every post changed since the last sync is
    /// deleted by key and re-added (deleted posts are only removed). Until the store has a
    /// change feed, this rebuilds the whole index (see `docs/search.md`).
    pub fn sync(&mut self, store: &dyn Store) -> Result<SyncStats, SearchError> {
        let since = self.last_seq()?;
        let latest = store
            .last_change()
            .map_err(SearchError::store("reading the store's last change"))?;
        if since > 0 && latest == since {
            // Up to date: no writer, no commit.
            return Ok(SyncStats {
                last_seq: since,
                docs: self.num_docs(),
                ..SyncStats::default()
            });
        }
        self.apply(since, &mut |since, f| scan_changes(store, since, f))
    }

    fn writer(&self) -> Result<IndexWriter, SearchError> {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 2);
        self.index
            .writer_with_num_threads(threads, threads * WRITER_MEMORY_PER_THREAD)
            .map_err(SearchError::index("opening the index writer"))
    }

    /// Applies the changes a scan reports, in one commit.
    #[allow(clippy::type_complexity)]
    fn apply(
        &mut self,
        since: u64,
        scan: &mut dyn FnMut(
            u64,
            &mut dyn FnMut(u64, Post) -> Result<(), SearchError>,
        ) -> Result<Scan, SearchError>,
    ) -> Result<SyncStats, SearchError> {
        let full = since == 0;
        let mut writer = self.writer()?;
        if full {
            writer
                .delete_all_documents()
                .map_err(SearchError::index("clearing the index for a rebuild"))?;
        }
        let fields = self.fields;
        let mut stats = SyncStats {
            full_rebuild: full,
            ..SyncStats::default()
        };
        let mut max_seq = since;
        let scanned = scan(since, &mut |seq, post| {
            max_seq = max_seq.max(seq);
            if !full {
                writer.delete_term(Term::from_field_text(fields.key, &key_text(&post)));
            }
            if post.deleted {
                stats.removed += 1;
            } else {
                writer
                    .add_document(to_document(&fields, &post))
                    .map_err(SearchError::index("adding a post"))?;
                stats.indexed += 1;
            }
            Ok(())
        })?;
        stats.last_seq = max_seq.max(scanned.last_seq);
        let payload = serde_json::to_string(&Payload {
            schema: SCHEMA_VERSION,
            seq: stats.last_seq,
        })
        .unwrap_or_default();
        let mut prepared = writer
            .prepare_commit()
            .map_err(SearchError::index("preparing the commit"))?;
        prepared.set_payload(&payload);
        prepared
            .commit()
            .map_err(SearchError::index("committing the index"))?;
        writer
            .wait_merging_threads()
            .map_err(SearchError::index("merging index segments"))?;
        self.reader
            .reload()
            .map_err(SearchError::index("reloading the index reader"))?;
        stats.docs = self.num_docs();
        Ok(stats)
    }

    /// Runs a query: top hits (posts fetched from the store with [`Store::get`]), total and
    /// facets over every match. Matches are exactly the non-deleted indexed posts for which
    /// [`Query::matches`] is true.
    pub fn search(
        &self,
        store: &dyn Store,
        query: &Query,
        opts: &SearchOptions,
    ) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let plan = translate::Translator {
            fields: &self.fields,
        }
        .plan(query.ast());
        let (fruit, candidates): (Fruit, u64) = if plan.exact {
            let fruit = searcher
                .search(
                    &*plan.query,
                    &TallyCollector {
                        limit: opts.limit,
                        sort: opts.sort,
                    },
                )
                .map_err(SearchError::index("searching"))?;
            let n = fruit.total;
            (fruit, n)
        } else {
            let segments = searcher
                .search(
                    &*plan.query,
                    &CandidateCollector {
                        scoring: opts.sort == SortBy::Relevance,
                    },
                )
                .map_err(SearchError::index("searching"))?;
            let mut fruits = Vec::with_capacity(segments.len());
            let mut candidates = 0u64;
            for (seg, docs) in segments {
                candidates += docs.len() as u64;
                let reader = searcher.segment_reader(seg);
                let docstore = reader.get_store_reader(STORE_CACHE_BLOCKS).map_err(|e| {
                    SearchError::Index {
                        action: "opening the document store",
                        source: e.into(),
                    }
                })?;
                let mut tally = Tally::new(seg, reader, opts.limit, opts.sort)
                    .map_err(SearchError::index("reading fast fields"))?;
                for (doc, score) in docs {
                    let d: TantivyDocument = docstore
                        .get(doc)
                        .map_err(SearchError::index("reading a candidate's key"))?;
                    let key = self.key_of(&d)?;
                    let post = store
                        .get(&key)
                        .map_err(SearchError::store("verifying a candidate"))?;
                    if post.is_some_and(|p| !p.deleted && query.matches(&p)) {
                        tally.add(doc, score);
                    }
                }
                fruits.push(tally.finish());
            }
            (collect::merge(fruits, opts.limit), candidates)
        };
        let mut hits = Vec::with_capacity(fruit.top.len());
        for r in &fruit.top {
            let d: TantivyDocument = searcher
                .doc(DocAddress::new(r.seg, r.doc))
                .map_err(SearchError::index("reading a hit's key"))?;
            let key = self.key_of(&d)?;
            let post = store
                .get(&key)
                .map_err(SearchError::store("fetching a hit"))?;
            if let Some(post) = post.filter(|p| !p.deleted) {
                hits.push(Hit {
                    key,
                    score: r.score,
                    post,
                });
            }
        }
        Ok(SearchResults {
            total: fruit.total,
            hits,
            facets: fruit.facets,
            verified: !plan.exact,
            candidates,
        })
    }

    fn key_of(&self, d: &TantivyDocument) -> Result<PostKey, SearchError> {
        let key = d
            .get_first(self.fields.key)
            .and_then(|v| v.as_str())
            .ok_or_else(|| SearchError::BadKey(String::new()))?;
        parse_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_back() {
        let k = parse_key("mastodon:https://x.y/1").unwrap();
        assert_eq!(k.network, Network::Mastodon);
        assert_eq!(k.native_id, "https://x.y/1");
        assert!(parse_key("nonet").is_err());
        assert!(parse_key("myspace:1").is_err());
    }

    #[test]
    fn incremental_changes_delete_by_key_then_add() {
        use tertulia_model::PostKind;
        let dir = tempfile::tempdir().unwrap();
        let mut index = SearchIndex::open(dir.path()).unwrap();
        let post = |id: &str, text: &str, deleted: bool| {
            let mut p = Post::new(Network::X, id, PostKind::Post);
            p.text = text.into();
            p.deleted = deleted;
            p
        };
        let count = |index: &SearchIndex, word: &str| {
            let q = Query::compile(word).unwrap();
            let plan = translate::Translator {
                fields: &index.fields,
            }
            .plan(q.ast());
            let searcher = index.reader.searcher();
            searcher
                .search(&*plan.query, &tantivy::collector::Count)
                .unwrap()
        };
        let mut changes = vec![(1, post("a", "uno", false)), (2, post("b", "dos", false))];
        let s = index
            .apply(0, &mut |_, f| {
                for (seq, p) in changes.drain(..) {
                    f(seq, p)?;
                }
                Ok(Scan { last_seq: 0 })
            })
            .unwrap();
        assert_eq!((s.full_rebuild, s.last_seq, s.docs), (true, 2, 2));
        let mut changes = vec![(3, post("a", "tres", false)), (4, post("b", "dos", true))];
        let s = index
            .apply(2, &mut |since, f| {
                assert_eq!(since, 2);
                for (seq, p) in changes.drain(..) {
                    f(seq, p)?;
                }
                Ok(Scan { last_seq: 4 })
            })
            .unwrap();
        assert_eq!((s.full_rebuild, s.indexed, s.removed), (false, 1, 1));
        assert_eq!((s.last_seq, s.docs), (4, 1));
        assert_eq!(
            (
                count(&index, "uno"),
                count(&index, "tres"),
                count(&index, "dos")
            ),
            (0, 1, 0)
        );
        drop(index);
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.last_seq().unwrap(), 4);
        assert_eq!(index.num_docs(), 1);
    }

    #[test]
    fn options_default_to_twenty_by_relevance() {
        let o = SearchOptions::default();
        assert_eq!((o.limit, o.sort), (20, SortBy::Relevance));
        assert_eq!(serde_json::to_string(&SortBy::Time).unwrap(), "\"time\"");
    }
}
