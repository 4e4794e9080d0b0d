//! End-to-end tests of the `tertulia` binary: the contracts of DESIGN.md §4 for import, export
//! and stats, run against the samples and fixtures the project writes itself.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tertulia"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(data: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run tertulia: {e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The `--json` summary: the last stdout line.
fn summary(o: &Output) -> Value {
    let text = stdout(o);
    let last = text.lines().last().unwrap_or("");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("last line is not JSON ({e}): {text}"))
}

#[test]
fn importing_the_samples_twice_stores_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let samples = repo().join("samples");
    let samples = samples.to_str().unwrap();
    let first = run(dir.path(), &["import", "--json", samples]);
    assert!(first.status.success(), "{first:?}");
    let s = summary(&first);
    for key in [
        "files",
        "imported",
        "updated",
        "duplicates",
        "quarantined",
        "by_network",
    ] {
        assert!(s.get(key).is_some(), "summary lacks {key}: {s}");
    }
    assert_eq!(s["quarantined"], 0, "{s}");
    let imported = s["imported"].as_u64().unwrap();
    assert!(imported >= 80, "{s}");
    for network in [
        "x",
        "facebook",
        "instagram",
        "youtube",
        "reddit",
        "mastodon",
        "bluesky",
    ] {
        assert!(
            s["by_network"][network]["imported"].as_u64().unwrap_or(0) > 0,
            "no {network} post imported from the samples: {s}"
        );
    }

    let second = run(dir.path(), &["import", "--json", samples]);
    assert!(second.status.success());
    let s2 = summary(&second);
    assert_eq!(s2["imported"], 0, "{s2}");
    assert_eq!(s2["updated"], 0, "{s2}");

    let stats = run(dir.path(), &["stats", "--json"]);
    let stats: Value = serde_json::from_str(stdout(&stats).trim()).unwrap();
    assert_eq!(stats["total"].as_u64(), Some(imported), "{stats}");
    for key in ["by_network", "by_kind", "by_language", "by_day"] {
        assert!(stats[key].is_object(), "{stats}");
    }
}

#[test]
fn a_truncated_line_is_quarantined_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stream.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"data":{"id":"1460323737035677698","text":"¿Alguien sabe si @vuelaya ha cancelado el vuelo de Bilbao?","author_id":"2244994945","created_at":"2026-11-15T10:00:00.000Z","edit_history_tweet_ids":["1460323737035677698"]}}"#,
            "\n",
            r#"{"data":{"id":"1460323737035677699","text":"Otra vez sin maleta","author_id":"22449"#,
            "\n",
            r#"{"data":{"id":"1460323737035677700","text":"Thanks @vuelaya, great crew!","author_id":"2244994946","created_at":"2026-11-15T11:00:00.000Z","edit_history_tweet_ids":["1460323737035677700"]}}"#,
            "\n"
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = run(&data, &["import", "--json", file.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let s = summary(&out);
    assert_eq!(s["imported"], 2, "{s}");
    assert_eq!(s["quarantined"], 1, "{s}");
    assert_eq!(s["quarantine"][0]["line"], 2, "{s}");
    let q = std::fs::read_to_string(data.join("quarantine.jsonl")).unwrap();
    assert_eq!(q.lines().count(), 1);
    assert!(
        q.contains("stream.jsonl") && q.contains("\"line\":2"),
        "{q}"
    );
}

#[test]
fn unknown_format_and_missing_file_fail_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mystery.bin");
    std::fs::write(&file, b"\x00\x01\x02 not a social network export").unwrap();
    let out = run(&dir.path().join("d"), &["import", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mystery.bin") && err.contains("unknown format"),
        "{err}"
    );

    let out = run(&dir.path().join("d"), &["import", "/nonexistent/tweets.js"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/tweets.js"));

    let out = run(
        &dir.path().join("d"),
        &["import", "--source", "myspace", file.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("myspace"));
}

#[test]
fn jsonl_export_has_the_contract_fields_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let samples = repo().join("samples");
    assert!(
        run(&a, &["import", samples.to_str().unwrap()])
            .status
            .success()
    );
    let export = dir.path().join("all.jsonl");
    let out = run(
        &a,
        &[
            "export",
            "--format",
            "jsonl",
            "-o",
            export.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&export).unwrap();
    let mut n = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for key in [
            "network",
            "native_id",
            "author",
            "text",
            "created_at",
            "kind",
            "parent_id",
        ] {
            assert!(v.get(key).is_some(), "export line lacks {key}: {line}");
        }
        n += 1;
    }
    assert!(n >= 80);

    let b = dir.path().join("b");
    let out = run(&b, &["import", "--json", export.to_str().unwrap()]);
    let s = summary(&out);
    assert_eq!(s["imported"].as_u64(), Some(n), "{s}");
    assert_eq!(s["quarantined"], 0, "{s}");
    let again = dir.path().join("again.jsonl");
    run(&b, &["export", "-o", again.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), text);

    let csv = run(&a, &["export", "--format", "csv"]);
    let csv = stdout(&csv);
    assert!(csv.starts_with("network,native_id,url,kind,created_at"));
    assert_eq!(csv.lines().count(), n as usize + 1);
}

#[test]
fn brands_search_and_analyses_work_on_the_samples() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |o: Output| {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o
    };
    ok(run(
        d,
        &[
            "brands",
            "add",
            "Vuelaya",
            "--query",
            "vuelaya OR @vuelaya",
            "--own",
        ],
    ));
    ok(run(
        d,
        &["brands", "add", "AeroSol", "--query", "aerosol OR @aerosol"],
    ));
    let samples = repo().join("samples");
    ok(run(d, &["import", samples.to_str().unwrap()]));
    let list: Value =
        serde_json::from_str(&stdout(&ok(run(d, &["brands", "list", "--json"])))).unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(2));

    // Search: every hit matches the query; counts cover every match.
    let out = ok(run(
        d,
        &[
            "search",
            "--json",
            "--limit",
            "100",
            "vuelaya AND (maleta OR luggage)",
        ],
    ));
    let res: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let total = res["total"].as_u64().unwrap();
    assert!(total > 0, "{res}");
    let hits = res["hits"].as_array().unwrap();
    assert_eq!(hits.len() as u64, total);
    for h in hits {
        let text = h["post"]["text"].as_str().unwrap_or("").to_lowercase();
        assert!(text.contains("vuelaya"), "{text}");
        assert!(
            text.contains("maleta") || text.contains("luggage"),
            "{text}"
        );
    }
    let by_net: u64 = res["facets"]["network"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by_net, total);

    // A bad query is a positioned error.
    let bad = run(d, &["search", "vuelaya AND ("]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("at 14"));

    // Share of voice: the two brands' volume shares add up to 1.
    let sov: Value = serde_json::from_str(&stdout(&ok(run(
        d,
        &["analyze", "share-of-voice", "--json"],
    ))))
    .unwrap();
    let shares: f64 = sov["brands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["volume_share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9, "{sov}");
    for name in [
        "timeline",
        "trends",
        "topics",
        "complaints",
        "influencers",
        "cascades",
        "segments",
        "best-times",
    ] {
        let doc: Value =
            serde_json::from_str(&stdout(&ok(run(d, &["analyze", name, "--json"])))).unwrap();
        assert_eq!(doc["analysis"], name, "{doc}");
    }
    assert!(!run(d, &["analyze", "horoscope", "--json"]).status.success());
}

#[test]
fn brands_edited_by_hand_in_the_config_retag_stored_posts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let samples = repo().join("samples");
    assert!(
        run(d, &["import", samples.to_str().unwrap()])
            .status
            .success()
    );
    std::fs::write(
        d.join("tertulia.toml"),
        "[[brands]]\nname = \"Vuelaya\"\nquery = \"vuelaya OR @vuelaya\"\nown = true\n",
    )
    .unwrap();
    let out = run(d, &["analyze", "share-of-voice", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sov: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let posts = sov["brands"][0]["posts"].as_u64().unwrap_or(0);
    assert!(posts > 10, "{sov}");
    // A second command finds the tags already applied.
    let again = run(d, &["analyze", "share-of-voice", "--json"]);
    assert!(!String::from_utf8_lossy(&again.stderr).contains("re-tagged"));
    // A bad config is a clear error naming the file.
    std::fs::write(d.join("tertulia.toml"), "[[brands]]\nname = 3\n").unwrap();
    let bad = run(d, &["analyze", "timeline", "--json"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("tertulia.toml"));
}

#[test]
fn a_closed_stdout_ends_quietly() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let samples = repo().join("samples");
    assert!(
        run(dir.path(), &["import", samples.to_str().unwrap()])
            .status
            .success()
    );
    for args in [&["export"][..], &["analyze", "timeline", "--json"][..]] {
        let mut child = bin()
            .arg("--data")
            .arg(dir.path())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Read one byte, then close the pipe, as `| head -c 1` does.
        let mut out = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        out.read_exact(&mut one).unwrap();
        drop(out);
        let res = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&res.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(res.status.success(), "{args:?}: {err}");
    }
}

#[test]
fn enrich_visits_every_post_once() {
    let dir = tempfile::tempdir().unwrap();
    let samples = repo().join("samples");
    let s = summary(&run(
        dir.path(),
        &["import", "--json", samples.to_str().unwrap()],
    ));
    let out = run(dir.path(), &["enrich", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    // Import already enriched with the same models: every post seen, none changed.
    assert_eq!(e["posts"], s["imported"], "{e}");
    assert_eq!(e["changed"], 0, "{e}");
}
