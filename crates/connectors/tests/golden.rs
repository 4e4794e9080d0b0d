//! Golden tests: every file under `tests/fixtures/<network>/` is read with `--source auto` (or
//! the source named in `<file>.options.json`) and its records compared with
//! `<file>.expected.json`. Regenerate expectations with `UPDATE_GOLDEN=1 cargo test -p
//! tertulia-connectors --test golden`, then review the diff by hand.
//!
//! `<file>.options.json` may hold `{"source": "x", "map": "id=…,text=…", "time_format": "…",
//! "expect_source": "x"}`. Without `source`, detection must pick `expect_source` when given.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use tertulia_connectors::{ReadOptions, Record, read_bytes, registry};
use tertulia_model::Item;

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() {
                dirs.push(p);
            } else if !name.ends_with(".expected.json")
                && !name.ends_with(".options.json")
                && !name.ends_with(".md")
            {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The records of a file as the golden JSON form: posts without their `raw` (kept, but too
/// bulky to review), deletions, quarantines (line and reason) and skips.
fn golden_of(path: &Path) -> Value {
    let opts_json: Value = std::fs::read_to_string(sidecar(path, ".options.json"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null);
    let opts = ReadOptions {
        map: opts_json
            .get("map")
            .and_then(Value::as_str)
            .map(|m| ReadOptions::parse_map(m).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_default(),
        time_format: opts_json
            .get("time_format")
            .and_then(Value::as_str)
            .map(str::to_string),
        ..ReadOptions::default()
    };
    let source = opts_json.get("source").and_then(Value::as_str);
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut records = Vec::new();
    let name = read_bytes(&registry(), &bytes, path, source, &opts, &mut |r| {
        records.push(r)
    });
    let connector = match name {
        Ok(n) => n.to_string(),
        Err(e) => {
            return json!({ "error": e.to_string().replace(&path.display().to_string(), "FILE") });
        }
    };
    if let Some(want) = opts_json.get("expect_source").and_then(Value::as_str) {
        assert_eq!(
            connector,
            want,
            "{}: detected as {connector}",
            path.display()
        );
    }
    let records: Vec<Value> = records
        .into_iter()
        .map(|r| match r {
            Record::Item {
                line,
                item: Item::Post(mut p),
            } => {
                assert!(
                    !p.raw.is_null(),
                    "{}: line {line}: post {} keeps no raw",
                    path.display(),
                    p.native_id
                );
                p.raw = Value::Null;
                json!({"line": line, "post": p})
            }
            Record::Item {
                line,
                item: Item::Delete(t),
            } => json!({"line": line, "delete": t}),
            Record::Quarantine { line, reason, .. } => json!({"line": line, "quarantine": reason}),
            Record::Skipped { line, what } => json!({"line": line, "skipped": what}),
        })
        .collect();
    json!({ "connector": connector, "records": records })
}

#[test]
fn every_fixture_matches_its_golden_file() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    let files = fixtures();
    for path in &files {
        let got = golden_of(path);
        let expected_path = sidecar(path, ".expected.json");
        let pretty = serde_json::to_string_pretty(&got).unwrap_or_default() + "\n";
        if update {
            std::fs::write(&expected_path, &pretty)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(want) => {
                let want: Value = serde_json::from_str(&want)
                    .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
                if want != got {
                    failures.push(format!(
                        "{}: output differs from {}:\n{pretty}",
                        path.display(),
                        expected_path.display()
                    ));
                }
            }
            Err(_) => failures.push(format!(
                "{}: no {} (run with UPDATE_GOLDEN=1 and review)",
                path.display(),
                expected_path.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
