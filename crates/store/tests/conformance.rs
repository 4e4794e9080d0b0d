//! Runs the backend conformance suite, and its aggregation property, against the embedded store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use std::cell::Cell;
use tempfile::TempDir;
use tertulia_model::{Item, Network, PostKey, Sentiment, Tombstone};
use tertulia_store::conformance::{self, Op};
use tertulia_store::{Annotation, SqliteStore, Store};

/// Hands out stores in fresh subdirectories of one temporary directory.
struct Dirs {
    root: TempDir,
    next: Cell<u32>,
}

impl Dirs {
    fn new() -> Self {
        Dirs {
            root: tempfile::tempdir().unwrap(),
            next: Cell::new(0),
        }
    }

    fn fresh(&self) -> Box<dyn Store> {
        let n = self.next.get();
        self.next.set(n + 1);
        Box::new(SqliteStore::open(self.root.path().join(format!("s{n}"))).unwrap())
    }

    fn same(&self) -> Box<dyn Store> {
        tertulia_store::open(self.root.path().join("same").to_str().unwrap()).unwrap()
    }
}

#[test]
fn embedded_store_passes_the_conformance_suite() {
    let dirs = Dirs::new();
    conformance::run_all(&|| dirs.fresh(), &|| dirs.same());
}

#[test]
fn sqlite_uri_opens_the_embedded_store() {
    let dirs = Dirs::new();
    let uri = format!("sqlite:{}", dirs.root.path().join("u").display());
    conformance::reopen_persists(&|| tertulia_store::open(&uri).unwrap());
}

fn arb_op() -> impl Strategy<Value = Op> {
    let networks = prop::sample::select(vec![Network::X, Network::Mastodon]);
    let brands = prop::collection::vec(prop::sample::select(vec!["a", "b", "c", ""]), 0..3);
    let sentiment = prop::option::of(prop::sample::select(vec![
        Sentiment::Positive,
        Sentiment::Neutral,
        Sentiment::Negative,
    ]));
    let post = (
        networks.clone(),
        0u8..6,
        prop::option::of(0i64..200_000),
        prop::option::of(0u64..1000),
        prop::option::of(0u64..50),
        brands.clone(),
        sentiment.clone(),
        prop::sample::select(vec!["", "hola", "adiós"]),
        any::<bool>(),
    )
        .prop_map(|(n, id, t, followers, likes, brands, s, text, deleted)| {
            let mut p = conformance::sample_post(n, &id.to_string(), text);
            p.alt_id = Some(format!("alt{id}"));
            p.created_at = t.map(|t| {
                conformance::ts("2015-02-20T00:00:00Z") + chrono::Duration::seconds(t * 7)
            });
            p.author.followers = followers;
            p.metrics.likes = likes;
            p.brands = brands.into_iter().map(String::from).collect();
            p.enrichment = s.map(|s| conformance::enrichment("en", s));
            p.deleted = deleted && id == 0;
            Item::Post(Box::new(p))
        });
    let tomb = (networks.clone(), 0u8..8, any::<bool>()).prop_map(|(n, id, by_alt)| {
        Item::Delete(Tombstone {
            network: n,
            native_id: (!by_alt).then(|| id.to_string()),
            alt_id: by_alt.then(|| format!("alt{id}")),
            deleted_at: None,
        })
    });
    let it = prop_oneof![4 => post, 1 => tomb];
    let ann = (
        networks,
        0u8..6,
        prop::option::of(sentiment),
        prop::option::of(brands),
    )
        .prop_map(|(n, id, s, b)| Annotation {
            key: PostKey {
                network: n,
                native_id: id.to_string(),
            },
            enrichment: s
                .map(|s| s.map(|s| conformance::enrichment("es", s)))
                .unwrap_or(None),
            brands: b.map(|b| b.into_iter().map(String::from).collect()),
        });
    prop_oneof![
        3 => prop::collection::vec(it, 1..8).prop_map(Op::Upsert),
        1 => prop::collection::vec(ann, 1..4).prop_map(Op::Annotate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever sequence of upserts, tombstones and annotations, the maintained stats and
    /// rollups equal a recount over the stored posts.
    #[test]
    fn aggregates_equal_a_recount(ops in prop::collection::vec(arb_op(), 1..10)) {
        let dirs = Dirs::new();
        conformance::apply_and_check(&|| dirs.fresh(), &ops);
    }
}
