//! Golden test: a hand-written batch of items (edits, partial versions, tombstones by alt id
//! and before their post, an exact duplicate) gives the summary, stats, rollups and stored posts
//! in `tests/fixtures/items.expected.json`. Set `UPDATE_GOLDEN=1` to rewrite the expected file
//! after a deliberate change, and review the diff.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use tertulia_model::Item;
use tertulia_store::{RollupFilter, conformance};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn fixture_batch_matches_golden_output() {
    let text = std::fs::read_to_string(fixture("items.jsonl")).unwrap();
    let items: Vec<Item> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let store = tertulia_store::open(dir.path().to_str().unwrap()).unwrap();
    let summary = store.upsert(&items).unwrap();
    let got = serde_json::json!({
        "summary": summary,
        "stats": store.stats().unwrap(),
        "rollups": store.rollups(&RollupFilter::default()).unwrap(),
        "posts": conformance::all_posts(&*store),
    });
    conformance::check_aggregates(&*store);
    let path = fixture("items.expected.json");
    let pretty = serde_json::to_string_pretty(&got).unwrap() + "\n";
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &pretty).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    assert_eq!(pretty, want, "golden output differs: {}", path.display());
}
