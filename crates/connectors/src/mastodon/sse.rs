//! Server-sent events framing (`text/event-stream`), as Mastodon's streaming API writes it:
//! `event:` and `data:` fields, multi-line data joined with `\n`, `:` comment lines (the
//! `:thump` heartbeats) and blank lines ending each event. Generic: it could move to a shared
//! module if another network streams SSE.

/// One frame of an SSE body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// An event, with the 1-based line where it starts.
    Event {
        /// 1-based line of the event's first field.
        line: usize,
        /// The `event:` name (`message` when absent, as the SSE standard says).
        name: String,
        /// The `data:` lines joined with `\n`.
        data: String,
    },
    /// A comment line (`:thump`), with its line.
    Comment {
        /// 1-based line.
        line: usize,
    },
}

/// Longest data of one event kept (bytes); longer data is cut and will fail to parse.
const MAX_EVENT_BYTES: usize = 16 << 20;

/// Splits an SSE body into frames, in order. Lenient: an `event:` field that starts while the
/// current event already has data ends the current event even without a blank line.
pub fn frames(text: &str) -> Vec<Frame> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, Option<String>, Option<String>)> = None;
    let flush = |cur: &mut Option<(usize, Option<String>, Option<String>)>,
                 out: &mut Vec<Frame>| {
        if let Some((line, name, data)) = cur.take()
            && (name.is_some() || data.is_some())
        {
            out.push(Frame::Event {
                line,
                name: name.unwrap_or_else(|| "message".into()),
                data: data.unwrap_or_default(),
            });
        }
    };
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            flush(&mut cur, &mut out);
            continue;
        }
        if line.starts_with(':') {
            out.push(Frame::Comment { line: line_no });
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => {
                if cur.as_ref().is_some_and(|c| c.2.is_some() || c.1.is_some()) {
                    flush(&mut cur, &mut out);
                }
                let c = cur.get_or_insert((line_no, None, None));
                c.1 = Some(value.to_string());
            }
            "data" => {
                let c = cur.get_or_insert((line_no, None, None));
                match &mut c.2 {
                    Some(d) if d.len() < MAX_EVENT_BYTES => {
                        d.push('\n');
                        d.push_str(value);
                    }
                    Some(_) => {}
                    None => c.2 = Some(value.to_string()),
                }
            }
            // `id:` and `retry:` (and unknown fields, which the standard ignores).
            _ => {
                cur.get_or_insert((line_no, None, None));
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Whether `head` (the start of a file) looks like an SSE body: its first non-blank line is an
/// `event:` field or a comment, and it has an `event:` line naming a Mastodon event.
pub fn looks_like_mastodon_sse(head: &str) -> bool {
    let first = head
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim_end)
        .find(|l| !l.is_empty());
    let starts_ok = first.is_some_and(|l| l.starts_with("event:") || l.starts_with(':'));
    starts_ok
        && head.lines().any(|l| {
            let l = l.trim_end();
            matches!(
                l.strip_prefix("event:").map(str::trim),
                Some("update" | "status.update" | "delete" | "notification" | "conversation")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_comments_and_multiline_data() {
        let body = ":thump\nevent: update\ndata: {\"a\":\ndata: 1}\n\nevent: delete\r\ndata: 42\r\n\r\n:thump\nevent: x\ndata: 1\nevent: y\ndata: 2";
        let f = frames(body);
        assert_eq!(
            f,
            vec![
                Frame::Comment { line: 1 },
                Frame::Event {
                    line: 2,
                    name: "update".into(),
                    data: "{\"a\":\n1}".into()
                },
                Frame::Event {
                    line: 6,
                    name: "delete".into(),
                    data: "42".into()
                },
                Frame::Comment { line: 9 },
                Frame::Event {
                    line: 10,
                    name: "x".into(),
                    data: "1".into()
                },
                Frame::Event {
                    line: 12,
                    name: "y".into(),
                    data: "2".into()
                },
            ]
        );
    }

    #[test]
    fn detection_needs_a_mastodon_event() {
        assert!(looks_like_mastodon_sse(":thump\nevent: update\ndata: {}\n"));
        assert!(!looks_like_mastodon_sse("event: ping\ndata: 1\n"));
        assert!(!looks_like_mastodon_sse("id,text\n1,event: update\n"));
    }
}
