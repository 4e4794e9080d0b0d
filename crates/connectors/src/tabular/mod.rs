//! CSV and JSONL from any other tool, with a field mapping.
//!
//! `--map id=COL,text=COL,created_at=COL,author=COL,network=COL,parent_id=COL,lang=COL,url=COL,
//! likes=COL,reshares=COL,followers=COL` (also `kind`, `title`, `author_name`, `author_id`,
//! `root_id`, `replies`, `quotes`, `views`, `rating`, `country`, `location`, `verified`) names
//! the column of each post field. Without a map, columns named like the fields (and
//! `native_id`, `handle`, `language`) are used, so a CSV whose header names the standard fields
//! imports as it is (and is detected by its header).
//!
//! - CSV: `,`, `;` or tab separated (sniffed from the header line), quoted multi-line fields;
//!   a record's line is the line where it starts. UTF-8, or Windows-1252 when the file is not
//!   valid UTF-8 (spreadsheet exports). A row with the wrong number of fields is quarantined.
//! - JSONL (or a JSON array) of objects; a column may be a dotted path (`user.screen_name`).
//! - Times: RFC 3339 and the other forms of [`util::parse_time`], or `--time-format`.
//! - `network` from its column (unknown names quarantine the row), else `csv`; `kind` from its
//!   column, else `reply` (X, Mastodon, Bluesky) or `comment` (others) when `parent_id` is set,
//!   `review` when a rating is, else `post`.
//! - `raw` is the whole row as a JSON object (column → value), mapped columns included.
//! - A map naming a column the file does not have is one error naming it and the columns there.

use crate::{Connector, ConnectorError, Ctx, Out, ReadOptions, Record, framing, util};
use serde_json::{Map, Value};
use std::path::Path;

mod mapping;

use mapping::{Mapping, row_to_post};

/// CSV and JSONL from any other tool, with a field mapping.
pub struct Tabular;

/// Lines of a JSONL file looked at to check that mapped columns exist.
const KEY_SCAN_LINES: usize = 100;

impl Connector for Tabular {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["tabular", "mapped", "jsonl-map"]
    }

    fn describe(&self) -> &'static str {
        "CSV and JSONL from any other tool, with a field mapping."
    }

    fn detect_text(&self, head: &[u8], path: &Path) -> u8 {
        detect_csv_header(head, path)
    }

    fn read_json(&self, value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>) {
        if let Value::Array(items) = value {
            for v in items {
                self.read_json(v, ctx, out);
            }
            return;
        }
        let map = if ctx.opts.map.is_empty() {
            Ok(Mapping::from_header(
                value
                    .as_object()
                    .map(|o| o.keys().map(String::as_str).collect::<Vec<_>>())
                    .unwrap_or_default(),
            ))
        } else {
            Mapping::from_pairs(&ctx.opts.map)
        };
        let map = match map {
            Ok(m) => m,
            Err(why) => {
                out(ctx.quarantine(why, ""));
                return;
            }
        };
        if !value.is_object() {
            out(ctx.quarantine("not a JSON object", &value.to_string()));
            return;
        }
        let val = |field: &str| map.column(field).and_then(|c| json_at(&value, c));
        let shown = value.to_string();
        match row_to_post(&map, &val, ctx.opts.time_format.as_deref(), value.clone()) {
            Ok(p) => out(ctx.post(p)),
            Err(reason) => out(ctx.quarantine(reason, &shown)),
        }
    }

    fn read_bytes(
        &self,
        bytes: &[u8],
        path: &Path,
        opts: &ReadOptions,
        out: &mut Out<'_>,
    ) -> Result<(), ConnectorError> {
        let bad = |why: String| ConnectorError::BadOptions {
            connector: "csv",
            why,
        };
        let body = framing::strip_bom(bytes);
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        if matches!(first, Some(b'{' | b'[')) {
            let map = check_json_map(body, opts, path).map_err(bad)?;
            let opts = ReadOptions {
                map: map
                    .pairs()
                    .into_iter()
                    .map(|(f, c)| (f.to_string(), c.to_string()))
                    .collect(),
                ..opts.clone()
            };
            framing::read_json_bytes(self, body, path, &opts, out);
            return Ok(());
        }
        let text = decode(body);
        read_csv(&text, path, opts, out).map_err(bad)
    }
}

/// The value of column `col` of a JSON row (a key, or a dotted path into nested objects), as
/// text; `None` for null or absent.
fn json_at(row: &Value, col: &str) -> Option<String> {
    let v = row.get(col).or_else(|| {
        col.split('.')
            .try_fold(row, |cur, key| cur.get(key))
            .filter(|_| col.contains('.'))
    })?;
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// The mapping for a JSONL file, checked against the keys its first lines have.
fn check_json_map(body: &[u8], opts: &ReadOptions, path: &Path) -> Result<Mapping, String> {
    let mut keys: Vec<String> = Vec::new();
    let mut rows: Vec<Value> = Vec::new();
    match framing::first_json_value(body) {
        Some(Value::Array(items)) => rows.extend(items.into_iter().take(KEY_SCAN_LINES)),
        _ => {
            for line in body.split(|b| *b == b'\n').take(KEY_SCAN_LINES) {
                if let Ok(v) = serde_json::from_slice::<Value>(line) {
                    rows.push(v);
                }
            }
        }
    }
    for r in &rows {
        if let Some(o) = r.as_object() {
            for k in o.keys() {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
    }
    let map = if opts.map.is_empty() {
        Mapping::from_header(keys.iter().map(String::as_str))
    } else {
        Mapping::from_pairs(&opts.map)?
    };
    if map.column("id").is_none() {
        return Err(no_id_column(path, &keys));
    }
    if !rows.is_empty() {
        for (field, col) in map.pairs() {
            if !rows
                .iter()
                .any(|r| json_at(r, col).is_some() || r.get(col).is_some())
            {
                return Err(missing_column(path, field, col, &keys));
            }
        }
    }
    Ok(map)
}

fn no_id_column(path: &Path, cols: &[String]) -> String {
    format!(
        "no id column in {}: give --map id=COLUMN,text=COLUMN,…; available columns: {}",
        path.display(),
        shown_columns(cols)
    )
}

fn missing_column(path: &Path, field: &str, col: &str, cols: &[String]) -> String {
    format!(
        "--map {field}={col}: column {col:?} is not in {}; available columns: {}",
        path.display(),
        shown_columns(cols)
    )
}

fn shown_columns(cols: &[String]) -> String {
    if cols.is_empty() {
        return "(none)".into();
    }
    util::snippet(&cols.join(", "))
}

/// The body as text: UTF-8, or Windows-1252 when it is not valid UTF-8.
fn decode(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(_) => body.iter().map(|b| cp1252(*b)).collect(),
    }
}

/// One Windows-1252 byte as a character (Latin-1 outside 0x80–0x9F).
fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// The delimiter of a CSV header line: the most frequent of `,`, `;`, tab outside quotes.
fn sniff_delimiter(header_line: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in header_line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    match counts
        .iter()
        .enumerate()
        .max_by_key(|(i, c)| (**c, usize::MAX - i))
    {
        Some((1, c)) if *c > 0 => b';',
        Some((2, c)) if *c > 0 => b'\t',
        _ => b',',
    }
}

/// Detection of a CSV whose header names the standard fields (id or native_id, and text).
fn detect_csv_header(head: &[u8], path: &Path) -> u8 {
    let text = String::from_utf8_lossy(framing::strip_bom(head));
    let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return 0;
    };
    if line.starts_with(['{', '[', ':'])
        || line.starts_with("window.")
        || line.starts_with("event:")
    {
        return 0;
    }
    let delim = char::from(sniff_delimiter(line));
    let cols: Vec<String> = line
        .split(delim)
        .map(|c| c.trim().trim_matches('"').trim().to_lowercase())
        .collect();
    let has = |n: &str| cols.iter().any(|c| c == n);
    if !(has("id") || has("native_id")) || !has("text") {
        return 0;
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase);
    let bonus = u8::from(matches!(ext.as_deref(), Some("csv" | "tsv"))) * 5;
    if has("created_at") {
        85 + bonus
    } else {
        60 + bonus
    }
}

/// Reads a CSV body: checks the mapping against the header, then one post per record.
fn read_csv(text: &str, path: &Path, opts: &ReadOptions, out: &mut Out<'_>) -> Result<(), String> {
    let header_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(header_line))
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("cannot read the CSV header of {}: {e}", path.display()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let map = if opts.map.is_empty() {
        Mapping::from_header(header.iter().map(String::as_str))
    } else {
        Mapping::from_pairs(&opts.map)?
    };
    if map.column("id").is_none() {
        return Err(no_id_column(path, &header));
    }
    let mut index: Vec<(&'static str, usize)> = Vec::new();
    for (field, col) in map.pairs() {
        match header.iter().position(|h| h == col) {
            Some(i) => index.push((field, i)),
            None => return Err(missing_column(path, field, col, &header)),
        }
    }
    for result in rdr.records() {
        match result {
            Ok(rec) => {
                let line = rec.position().map_or(0, |p| p.line() as usize);
                let ctx = Ctx { path, line, opts };
                let val = |field: &str| {
                    index
                        .iter()
                        .find(|(f, _)| *f == field)
                        .and_then(|(_, i)| rec.get(*i))
                        .map(str::to_string)
                };
                let mut raw = Map::new();
                for (h, v) in header.iter().zip(rec.iter()) {
                    raw.insert(h.clone(), Value::String(v.to_string()));
                }
                let raw = Value::Object(raw);
                match row_to_post(&map, &val, opts.time_format.as_deref(), raw) {
                    Ok(p) => out(ctx.post(p)),
                    Err(reason) => {
                        let shown: Vec<&str> = rec.iter().collect();
                        out(ctx.quarantine(reason, &shown.join(",")))
                    }
                }
            }
            Err(e) => {
                let pos = e.position().cloned();
                let line = pos.as_ref().map_or(0, |p| p.line() as usize);
                let reason = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("csv row has {len} fields, the header has {expected_len}"),
                    _ => format!("invalid csv record: {}", e.to_string().to_lowercase()),
                };
                let start = pos.map_or(0, |p| p.byte() as usize).min(text.len());
                let snippet: String = text
                    .get(start..)
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                out(Record::Quarantine {
                    line,
                    reason,
                    snippet: util::snippet(&snippet),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Item;
    use proptest::prelude::*;
    use tertulia_model::{Network, PostKind};

    fn read(bytes: &[u8], map: &str, tf: Option<&str>) -> Result<Vec<Record>, String> {
        let opts = ReadOptions {
            map: ReadOptions::parse_map(map).map_err(|e| e.to_string())?,
            time_format: tf.map(str::to_string),
            ..ReadOptions::default()
        };
        let mut got = Vec::new();
        Tabular
            .read_bytes(bytes, Path::new("t.csv"), &opts, &mut |r| got.push(r))
            .map_err(|e| e.to_string())?;
        Ok(got)
    }

    fn posts(recs: &[Record]) -> Vec<(usize, String)> {
        recs.iter()
            .map(|r| match r {
                Record::Item {
                    line,
                    item: Item::Post(p),
                } => (*line, p.native_id.clone()),
                Record::Quarantine { line, reason, .. } => (*line, format!("Q {reason}")),
                other => (0, format!("{other:?}")),
            })
            .collect()
    }

    #[test]
    fn multiline_quoted_fields_keep_start_lines_and_bad_rows_are_quarantined() {
        let csv = "id;texto;red\n1;\"hola\nmundo\";x\n2;solo dos\n3;\"adiós\";myspace\n4;ok;\n";
        let got = read(csv.as_bytes(), "id=id,text=texto,network=red", None)
            .unwrap_or_else(|e| panic!("{e}"));
        let p = posts(&got);
        assert_eq!(p[0], (2, "1".into()));
        assert_eq!(p[1].0, 4);
        assert!(p[1].1.contains("2 fields"), "{p:?}");
        assert_eq!(p[2].0, 5);
        assert!(p[2].1.contains("myspace"), "{p:?}");
        assert_eq!(p[3], (6, "4".into()));
        match &got[0] {
            Record::Item {
                item: Item::Post(post),
                ..
            } => {
                assert_eq!(post.text, "hola\nmundo");
                assert_eq!(post.network, Network::X);
                assert_eq!(post.raw["red"], "x");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_map_naming_a_missing_column_is_one_clear_error() {
        let e = read(b"id,body\n1,hola\n", "id=id,text=texto", None)
            .err()
            .unwrap_or_default();
        assert!(e.contains("\"texto\"") && e.contains("id, body"), "{e}");
        let e = read(b"{\"id\": 1, \"body\": \"x\"}\n", "id=id,text=texto", None)
            .err()
            .unwrap_or_default();
        assert!(e.contains("\"texto\"") && e.contains("body, id"), "{e}");
        let e = read(b"a,b\n1,2\n", "", None).err().unwrap_or_default();
        assert!(e.contains("no id column") && e.contains("a, b"), "{e}");
    }

    #[test]
    fn jsonl_with_dotted_paths_and_header_detection() {
        let body = b"{\"tid\": 7, \"msg\": \"hi @vuelaya\", \"user\": {\"name\": \"ana\"}, \"in_reply\": \"6\"}\n";
        let got = read(
            body,
            "id=tid,text=msg,author=user.name,parent_id=in_reply",
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        match &got[0] {
            Record::Item {
                item: Item::Post(p),
                ..
            } => {
                assert_eq!(p.author.handle.as_deref(), Some("ana"));
                assert_eq!(p.kind, PostKind::Comment);
                assert_eq!(p.mentions, vec!["vuelaya"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            detect_csv_header(b"id,text,created_at\n", Path::new("a.csv")),
            90
        );
        assert_eq!(
            detect_csv_header(b"\"native_id\";\"text\"\n", Path::new("a")),
            60
        );
        assert_eq!(
            detect_csv_header(b"{\"id\":1,\"text\":2}\n", Path::new("a")),
            0
        );
        assert_eq!(detect_csv_header(b"name,age\n", Path::new("a.csv")), 0);
    }

    #[test]
    fn windows_1252_exports_are_decoded() {
        let got = read(b"id,text\n1,caf\xe9 \x80\n", "", None).unwrap_or_else(|e| panic!("{e}"));
        match &got[0] {
            Record::Item {
                item: Item::Post(p),
                ..
            } => assert_eq!(p.text, "café €"),
            other => panic!("{other:?}"),
        }
    }

    /// The real shape of a customer-to-airline corpus (`id, text, label, airline, created
    /// "2/23/2015 5:28", lang`): every line imports with the map and a time format. Reads
    /// `../shared/data` beside the repository; skipped when it is absent. Nothing of it is
    /// copied into the repository.
    #[test]
    fn airline_corpus_imports_with_a_map_and_no_quarantine() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/brand-en-airline.jsonl");
        let Ok(bytes) = std::fs::read(&path) else {
            println!("skipped: {} is absent", path.display());
            return;
        };
        let opts = ReadOptions {
            map: ReadOptions::parse_map("id=id,text=text,created_at=created,lang=lang")
                .unwrap_or_default(),
            time_format: Some("%m/%d/%Y %H:%M".into()),
            ..ReadOptions::default()
        };
        let (mut posts, mut bad) = (0usize, Vec::new());
        let used =
            crate::read_bytes(
                &crate::registry(),
                &bytes,
                &path,
                None,
                &opts,
                &mut |r| match r {
                    Record::Item {
                        item: Item::Post(p),
                        ..
                    } => {
                        assert!(
                            p.created_at.is_some()
                                && !p.text.is_empty()
                                && p.raw.get("airline").is_some()
                        );
                        posts += 1;
                    }
                    other => bad.push(other),
                },
            );
        assert_eq!(used.ok(), Some("csv"));
        let lines = bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.trim_ascii().is_empty())
            .count();
        assert!(
            bad.is_empty(),
            "{} quarantined, first: {:?}",
            bad.len(),
            bad.first()
        );
        assert_eq!(posts, lines);
    }

    /// The project's own sample files for this network import with auto-detection and no
    /// quarantined record.
    #[test]
    fn samples_import_cleanly() {
        crate::testing::assert_samples_import("csv", "csv", 9);
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_csv(s in "(id|text|x|\"a\nb\"|,|;|\n|é|1){0,40}") {
            let _ = read(s.as_bytes(), "", None);
            let _ = read(s.as_bytes(), "id=id,text=text", Some("%d/%m/%Y"));
            let _ = detect_csv_header(s.as_bytes(), Path::new("p.csv"));
        }

        #[test]
        fn never_panics_on_arbitrary_jsonl(s in "(\\{\"id\": ?(1|\"a\"|null)(, ?\"text\": ?\"x\")?\\}|\\[|\\]|,|\n|\\{){0,12}") {
            let _ = read(s.as_bytes(), "id=id,text=text,likes=id,created_at=text", None);
            let _ = read(s.as_bytes(), "", None);
        }
    }
}
