//! Keeps `docs/query.md` honest: its example queries compile, its error table gives the exact
//! messages, and its precedence table's equivalences hold.

use std::path::PathBuf;
use tertulia_query::parse;

fn doc() -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/query.md");
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) => {
            println!("skipping: cannot read {}: {e}", path.display());
            None
        }
    }
}

/// The text of each section `## title` up to the next `## `.
fn section<'a>(doc: &'a str, title: &str) -> &'a str {
    let start = doc
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("no section {title}"));
    let rest = &doc[start + title.len() + 5..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

/// Backticked cells of a markdown table row.
fn cells(line: &str) -> Vec<&str> {
    line.split(" | ")
        .map(|c| c.trim_matches(|c: char| c == '|' || c.is_whitespace()))
        .map(|c| {
            c.strip_prefix('`')
                .and_then(|c| c.strip_suffix('`'))
                .unwrap_or(c)
        })
        .collect()
}

#[test]
fn example_queries_compile() {
    let Some(doc) = doc() else { return };
    let examples = section(&doc, "Examples");
    let mut n = 0;
    let mut in_block = false;
    for line in examples.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block && !line.trim().is_empty() && !line.starts_with('#') {
            parse(line).unwrap_or_else(|e| panic!("docs example {line:?}: {e}"));
            n += 1;
        }
    }
    assert!(n >= 6, "only {n} examples found");
    let first = doc[..doc.find("\n## ").unwrap_or(0)].to_string();
    for line in first.lines().filter(|l| l.starts_with('(')) {
        parse(line).unwrap_or_else(|e| panic!("docs example {line:?}: {e}"));
    }
}

#[test]
fn error_table_is_exact() {
    let Some(doc) = doc() else { return };
    let mut n = 0;
    for line in section(&doc, "Errors").lines() {
        let c = cells(line);
        if c.len() != 3 || c[2].contains('…') || !c[2].starts_with("at ") {
            continue;
        }
        let got = parse(c[1]).err().map(|e| e.to_string());
        assert_eq!(got.as_deref(), Some(c[2]), "docs error row for {:?}", c[1]);
        n += 1;
    }
    assert!(n >= 15, "only {n} error rows checked");
}

#[test]
fn precedence_table_holds() {
    let Some(doc) = doc() else { return };
    let mut n = 0;
    let prec = section(&doc, "Operators and precedence");
    let after_so = &prec[prec.find("So:").unwrap_or(0)..];
    for line in after_so.lines() {
        let c = cells(line);
        if c.len() == 2 && c[1].contains('(') && !c[0].contains("query") {
            let a = parse(c[0]).unwrap_or_else(|e| panic!("{}: {e}", c[0]));
            let b = parse(c[1]).unwrap_or_else(|e| panic!("{}: {e}", c[1]));
            assert_eq!(a, b, "{} should mean {}", c[0], c[1]);
            n += 1;
        }
    }
    assert_eq!(n, 4);
}
