//! Golden file: canonical form, required terms or error of each query in
//! `tests/fixtures/queries.txt`, compared with `queries.expected.json`.

use std::path::PathBuf;
use tertulia_query::{Query, render_error};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn golden_queries() {
    let input = std::fs::read_to_string(fixtures().join("queries.txt"))
        .unwrap_or_else(|e| panic!("read queries.txt: {e}"));
    let mut out = Vec::new();
    for line in input.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let v = match Query::compile(line) {
            Ok(q) => serde_json::json!({
                "query": line,
                "canonical": q.to_string(),
                "required_terms": q.required_terms(),
            }),
            Err(e) => serde_json::json!({
                "query": line,
                "error": e.to_string(),
                "byte": e.pos(),
                "column": e.column(),
                "rendered": render_error(line, &e),
            }),
        };
        out.push(v);
    }
    let got = serde_json::to_string_pretty(&out).unwrap_or_default() + "\n";
    let path = fixtures().join("queries.expected.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {} (run with UPDATE_GOLDEN=1): {e}", path.display()));
    assert_eq!(
        got, want,
        "golden output differs; rerun with UPDATE_GOLDEN=1 and review the diff"
    );
}
