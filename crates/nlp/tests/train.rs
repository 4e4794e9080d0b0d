//! Training determinism (needs ../shared/data; skipped with a message when it is absent).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use tertulia_nlp::{TrainOptions, train_with};

fn data_dir() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if d.join("sentiment-es-umsab.jsonl").exists() {
        Some(d)
    } else {
        eprintln!("skipped: ../shared/data is absent (training data is not in the repository)");
        None
    }
}

#[test]
fn training_twice_gives_byte_identical_artefacts() {
    let Some(data) = data_dir() else { return };
    let opts = TrainOptions {
        max_items_per_corpus: Some(600),
        ..TrainOptions::default()
    };
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let ra = train_with(&data, a.path(), opts).unwrap();
    let rb = train_with(&data, b.path(), opts).unwrap();
    assert_eq!(ra.xxh3, rb.xxh3);
    let fa = std::fs::read(a.path().join("tertulia-nlp.bin")).unwrap();
    let fb = std::fs::read(b.path().join("tertulia-nlp.bin")).unwrap();
    assert!(fa == fb, "artefacts differ");
    assert!(!ra.dev.is_empty());
    assert!(ra.to_string().contains("sentiment"));
}

/// Full training reproduces the committed artefact (slow: run with `--ignored --release`).
#[test]
#[ignore]
fn full_training_reproduces_the_embedded_artefact() {
    let Some(data) = data_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    train_with(&data, dir.path(), TrainOptions::default()).unwrap();
    let fresh = std::fs::read(dir.path().join("tertulia-nlp.bin")).unwrap();
    assert!(
        fresh == tertulia_nlp::classify::EMBEDDED_MODEL,
        "retrain and commit the artefact"
    );
}

#[test]
fn refit_ships_other_weights_but_reports_the_same_dev_figures() {
    let Some(data) = data_dir() else { return };
    let refit = TrainOptions {
        max_items_per_corpus: Some(600),
        ..TrainOptions::default()
    };
    let kept = TrainOptions {
        no_refit: true,
        ..refit
    };
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let ra = train_with(&data, a.path(), refit).unwrap();
    let rb = train_with(&data, b.path(), kept).unwrap();
    // The dev figures measure the models trained without the report split, in both cases.
    assert_eq!(
        serde_json::to_string(&ra.dev).unwrap(),
        serde_json::to_string(&rb.dev).unwrap()
    );
    // The refit models learnt from more items, so they are other weights.
    assert_ne!(ra.xxh3, rb.xxh3);
    for ((ha, na), (hb, nb)) in ra.train_items.iter().zip(&rb.train_items) {
        assert_eq!(ha, hb);
        assert!(na > nb, "{ha}: {na} refit items vs {nb}");
    }
}
