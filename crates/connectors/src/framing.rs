//! Framing shared by the JSON connectors: a file is one JSON document, NDJSON (one value per
//! line, as twarc2, Pushshift, Jetstream and the filtered stream write), or several documents
//! one after the other. NDJSON lines are parsed on every core, and records still come out in
//! file order.

use crate::{Connector, Ctx, Out, ReadOptions, Record, util};
use rayon::prelude::*;
use serde_json::Value;
use std::path::Path;

/// Lines handed to one parallel task.
const LINES_PER_TASK: usize = 2048;
/// Tasks in flight at once (bounds the records held in memory).
const TASKS_IN_FLIGHT: usize = 16;

/// Strips a UTF-8 byte-order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The first JSON value of a file, for format detection: the whole document, or the first line
/// of NDJSON that parses (looking at most 100 lines in).
pub fn first_json_value(bytes: &[u8]) -> Option<Value> {
    let bytes = strip_bom(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    if !matches!(bytes[start], b'{' | b'[') {
        return None;
    }
    if let Some(Ok(v)) = serde_json::Deserializer::from_slice(&bytes[start..])
        .into_iter::<Value>()
        .next()
    {
        return Some(v);
    }
    bytes
        .split(|b| *b == b'\n')
        .take(100)
        .find_map(|line| serde_json::from_slice::<Value>(line).ok())
}

/// Frames `bytes` as JSON and calls `connector.read_json` on each value, in order.
pub fn read_json_bytes<C: Connector + ?Sized>(
    connector: &C,
    bytes: &[u8],
    path: &Path,
    opts: &ReadOptions,
    out: &mut Out<'_>,
) {
    let bytes = strip_bom(bytes);
    let Some(first_line_no) = first_nonblank_line(bytes) else {
        return;
    };
    let first_line = line_at(bytes, first_line_no);
    if serde_json::from_slice::<serde::de::IgnoredAny>(first_line).is_ok() {
        read_ndjson(connector, bytes, path, opts, out);
        return;
    }
    // Not one value per line: one or several multi-line documents.
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
    loop {
        let offset = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(value)) => {
                let line = 1 + count_newlines(&bytes[..offset + leading_ws(&bytes[offset..])]);
                let ctx = Ctx { path, line, opts };
                connector.read_json(value, &ctx, out);
            }
            Some(Err(e)) => {
                let start = offset + leading_ws(&bytes[offset..]);
                out(Record::Quarantine {
                    line: e.line().max(1),
                    reason: format!(
                        "invalid JSON at line {} column {}: {}",
                        e.line(),
                        e.column(),
                        describe_json_error(&e)
                    ),
                    snippet: util::snippet(&String::from_utf8_lossy(
                        &bytes[start..bytes.len().min(start + 400)],
                    )),
                });
                break;
            }
        }
    }
}

/// Reads NDJSON: each non-blank line one value, parsed in parallel, records in order.
fn read_ndjson<C: Connector + ?Sized>(
    connector: &C,
    bytes: &[u8],
    path: &Path,
    opts: &ReadOptions,
    out: &mut Out<'_>,
) {
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let chunks: Vec<(usize, &[&[u8]])> = lines
        .chunks(LINES_PER_TASK)
        .enumerate()
        .map(|(i, c)| (i * LINES_PER_TASK, c))
        .collect();
    for window in chunks.chunks(TASKS_IN_FLIGHT) {
        let results: Vec<Vec<Record>> = window
            .par_iter()
            .map(|(first, chunk)| {
                let mut recs = Vec::new();
                for (i, raw) in chunk.iter().enumerate() {
                    read_line(connector, raw, first + i + 1, path, opts, &mut |r| {
                        recs.push(r)
                    });
                }
                recs
            })
            .collect();
        for rec in results.into_iter().flatten() {
            out(rec);
        }
    }
}

fn read_line<C: Connector + ?Sized>(
    connector: &C,
    raw: &[u8],
    line: usize,
    path: &Path,
    opts: &ReadOptions,
    out: &mut Out<'_>,
) {
    let trimmed = trim_ascii(strip_bom(raw));
    if trimmed.is_empty() {
        return;
    }
    let ctx = Ctx { path, line, opts };
    match serde_json::from_slice::<Value>(trimmed) {
        Ok(value) => connector.read_json(value, &ctx, out),
        Err(e) => out(ctx.quarantine(
            format!(
                "invalid JSON at column {}: {}",
                e.column(),
                describe_json_error(&e)
            ),
            &String::from_utf8_lossy(&trimmed[..trimmed.len().min(400)]),
        )),
    }
}

/// A short lowercase description of a JSON error, naming truncation plainly.
pub fn describe_json_error(e: &serde_json::Error) -> String {
    if e.is_eof() {
        "truncated (ends before the value is complete)".to_string()
    } else {
        let s = e.to_string();
        // serde_json appends " at line L column C"; the caller says where already.
        s.split(" at line ").next().unwrap_or(&s).to_string()
    }
}

fn first_nonblank_line(bytes: &[u8]) -> Option<usize> {
    bytes
        .split(|b| *b == b'\n')
        .position(|l| !trim_ascii(l).is_empty())
}

fn line_at(bytes: &[u8], n: usize) -> &[u8] {
    trim_ascii(bytes.split(|b| *b == b'\n').nth(n).unwrap_or(&[]))
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

fn leading_ws(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_whitespace()).count()
}

fn count_newlines(b: &[u8]) -> usize {
    b.iter().filter(|c| **c == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Item;
    use tertulia_model::{Network, Post, PostKind};

    /// A connector that turns `{"id": …}` into a post and anything else into a quarantine.
    struct Echo;
    impl Connector for Echo {
        fn name(&self) -> &'static str {
            "echo"
        }
        fn describe(&self) -> &'static str {
            "test"
        }
        fn read_json(&self, value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>) {
            match value.get("id").and_then(Value::as_str) {
                Some(id) => out(ctx.post(Post::new(Network::Csv, id, PostKind::Post))),
                None => match value.as_array() {
                    Some(items) => {
                        for v in items {
                            self.read_json(v.clone(), ctx, out)
                        }
                    }
                    None => out(ctx.quarantine("no id", &value.to_string())),
                },
            }
        }
    }

    fn run(bytes: &[u8]) -> Vec<(usize, String)> {
        let mut got = Vec::new();
        read_json_bytes(
            &Echo,
            bytes,
            Path::new("t.json"),
            &ReadOptions::default(),
            &mut |r| {
                got.push(match r {
                    Record::Item {
                        line,
                        item: Item::Post(p),
                    } => (line, p.native_id),
                    Record::Item { line, .. } => (line, "item".into()),
                    Record::Quarantine { line, reason, .. } => (line, format!("Q {reason}")),
                    Record::Skipped { line, what } => (line, format!("S {what}")),
                })
            },
        );
        got
    }

    #[test]
    fn ndjson_with_a_truncated_line_keeps_the_rest() {
        let got = run(b"{\"id\":\"a\"}\n\n{\"id\":\"b\"\n{\"id\":\"c\"}\r\n");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], (1, "a".into()));
        assert_eq!(got[1].0, 3);
        assert!(got[1].1.starts_with("Q invalid JSON") && got[1].1.contains("truncated"));
        assert_eq!(got[2], (4, "c".into()));
    }

    #[test]
    fn pretty_document_and_concatenated_documents() {
        let got = run(b"[\n {\"id\": \"a\"},\n {\"id\": \"b\"}\n]\n");
        assert_eq!(got, vec![(1, "a".into()), (1, "b".into())]);
        let got = run(b"{\n\"id\": \"a\"}\n{\n\"id\": \"b\"}");
        assert_eq!(got, vec![(1, "a".into()), (3, "b".into())]);
    }

    #[test]
    fn truncated_document_is_one_quarantine() {
        let got = run(b"\xEF\xBB\xBF{\n \"id\": \"a\",\n \"x\": [1, 2");
        assert_eq!(got.len(), 1);
        assert!(got[0].1.contains("truncated"), "{got:?}");
    }

    #[test]
    fn many_lines_keep_order_across_parallel_chunks() {
        let mut s = String::new();
        for i in 0..10_000 {
            s.push_str(&format!("{{\"id\":\"{i}\"}}\n"));
        }
        let got = run(s.as_bytes());
        assert_eq!(got.len(), 10_000);
        assert!(
            got.iter()
                .enumerate()
                .all(|(i, (line, id))| *line == i + 1 && *id == i.to_string())
        );
    }

    #[test]
    fn first_value_skips_a_bad_first_line() {
        let v = first_json_value(b"{\"id\":\n{\"id\":\"x\"}\n");
        assert_eq!(v, Some(serde_json::json!({"id": "x"})));
        assert_eq!(first_json_value(b"id,text\n1,hola"), None);
    }
}
