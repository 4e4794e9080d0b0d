//! Mastodon statuses, notifications, contexts and streaming bodies.
//!
//! Reads what the Mastodon REST and streaming APIs return:
//! - `Status` entities: alone, in arrays (timelines, bookmarks, favourites), in search results
//!   (`{accounts, statuses, hashtags}`); a reblog becomes a reshare post (its text is the
//!   reblogged text, `reshare_of` the reblogged uri) and the reblogged status a post of its own;
//!   a 4.4+ quote (`quote.quoted_status`) sets `quote_of` and the quoted status is emitted too;
//! - notifications v1 (arrays of `{id, type, created_at, account, status?}`; the status when
//!   present, else skipped) and grouped notifications v2 (`{accounts, statuses,
//!   notification_groups}`; every status, groups without one skipped);
//! - status contexts (`{ancestors, descendants}`), conversations (`last_status`);
//! - streaming bodies: server-sent events (`event: update|status.update|notification|
//!   conversation|delete`, `:thump` heartbeats skipped, other events skipped) and WebSocket
//!   messages (`{"stream": [...], "event": ..., "payload": "..."}`, one per line).
//!
//! Identity: `native_id` is the status `uri`, `alt_id` its local `id` (what `delete` events
//! carry). See [`status`] for how `in_reply_to_id` (a local id) becomes a `parent_id`.

use crate::{Connector, ConnectorError, Ctx, Out, ReadOptions, Record, framing, util};
use serde_json::Value;
use std::path::Path;
use tertulia_model::{Item, Network, Tombstone};

mod sse;
mod status;

use status::{Batch, Seen, is_notification, is_status};

/// Mastodon statuses, notifications, contexts and streaming bodies.
pub struct Mastodon;

/// Longest local id accepted in a `delete` event.
const MAX_ID_LEN: usize = 128;

impl Connector for Mastodon {
    fn name(&self) -> &'static str {
        "mastodon"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["fediverse"]
    }

    fn describe(&self) -> &'static str {
        "Mastodon statuses, notifications, contexts and streaming bodies."
    }

    fn detect_text(&self, head: &[u8], _path: &Path) -> u8 {
        if sse::looks_like_mastodon_sse(&String::from_utf8_lossy(head)) {
            95
        } else {
            0
        }
    }

    fn detect_json(&self, value: &Value) -> u8 {
        detect(value)
    }

    fn read_json(&self, value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>) {
        let mut seen = Seen::default();
        read_value(&value, &mut seen, ctx, out);
    }

    fn read_bytes(
        &self,
        bytes: &[u8],
        path: &Path,
        opts: &ReadOptions,
        out: &mut Out<'_>,
    ) -> Result<(), ConnectorError> {
        let body = framing::strip_bom(bytes);
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        match first {
            Some(b'{' | b'[') | None => framing::read_json_bytes(self, body, path, opts, out),
            Some(_) => read_sse(&String::from_utf8_lossy(body), path, opts, out),
        }
        Ok(())
    }
}

/// Whether an account object is Mastodon's (it has `acct`).
fn has_acct(v: &Value) -> bool {
    v.get("account").and_then(|a| a.get("acct")).is_some()
}

fn detect(value: &Value) -> u8 {
    match value {
        Value::Array(items) => items.first().map_or(0, |v| match v {
            Value::Object(_) => detect(v),
            _ => 0,
        }),
        Value::Object(_) => {
            let has = |k| value.get(k).is_some();
            let first_status = value
                .get("statuses")
                .and_then(Value::as_array)
                .and_then(|s| s.first())
                .is_some_and(|s| is_status(s) && has_acct(s));
            let conversation = value
                .get("last_status")
                .is_some_and(|s| is_status(s) && has_acct(s));
            let scores = [
                (has("notification_groups"), 95),
                (has("ancestors") && has("descendants"), 95),
                (has("stream") && has("event") && has("payload"), 90),
                (is_status(value) && has_acct(value), 90),
                (first_status, 90),
                (is_notification(value) && has_acct(value), 85),
                (conversation, 85),
            ];
            scores
                .iter()
                .filter(|(hit, _)| *hit)
                .map(|(_, s)| *s)
                .max()
                .unwrap_or(0)
        }
        _ => 0,
    }
}

/// Reads one JSON value of any supported shape.
fn read_value(value: &Value, seen: &mut Seen, ctx: &Ctx<'_>, out: &mut Out<'_>) {
    let mut batch = Batch::default();
    match value {
        Value::Array(items) => items.iter().for_each(|v| batch.element(v)),
        Value::Object(_) => {
            let has = |k| value.get(k).is_some();
            if has("notification_groups") {
                batch.statuses(value.get("statuses").unwrap_or(&Value::Null));
                for g in value
                    .get("notification_groups")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    if g.get("status_id").is_none_or(Value::is_null) {
                        let kind = g.get("type").and_then(Value::as_str).unwrap_or("unknown");
                        batch.skip(format!(
                            "mastodon {} notification group without status",
                            util::snippet(kind)
                        ));
                    }
                }
            } else if has("ancestors") || has("descendants") {
                batch.statuses(value.get("ancestors").unwrap_or(&Value::Null));
                batch.statuses(value.get("descendants").unwrap_or(&Value::Null));
            } else if let (Some(event), Some(payload)) = (
                value.get("event").and_then(Value::as_str),
                value.get("payload"),
            ) {
                // A WebSocket streaming message: the payload is the SSE data, as a string.
                let data = match payload {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                dispatch_event(event, &data, seen, ctx, out);
                return;
            } else if is_status(value) {
                batch.status(value);
            } else if is_notification(value) {
                batch.notification(value);
            } else if has("last_status") {
                batch.conversation(value);
            } else if has("statuses") {
                batch.statuses(value.get("statuses").unwrap_or(&Value::Null));
            } else if let Some(err) = value.get("error").and_then(Value::as_str) {
                batch.skip(format!("mastodon api error: {}", util::snippet(err)));
            } else {
                batch.quarantine("not a mastodon status, notification or context", value);
            }
        }
        other => batch.quarantine("not a mastodon object", other),
    }
    batch.emit(seen, ctx, out);
}

/// Handles one streaming event (SSE or WebSocket) by name.
fn dispatch_event(name: &str, data: &str, seen: &mut Seen, ctx: &Ctx<'_>, out: &mut Out<'_>) {
    match name {
        "update" | "status.update" | "notification" | "conversation" => {
            let value: Value = match serde_json::from_str(data) {
                Ok(v) => v,
                Err(e) => {
                    out(ctx.quarantine(
                        format!(
                            "invalid JSON in mastodon {name} event: {}",
                            framing::describe_json_error(&e)
                        ),
                        data,
                    ));
                    return;
                }
            };
            let mut batch = Batch::default();
            match name {
                "notification" => batch.notification(&value),
                "conversation" => batch.conversation(&value),
                _ if is_status(&value) => batch.status(&value),
                _ => batch.quarantine(format!("mastodon {name} event is not a status"), &value),
            }
            batch.emit(seen, ctx, out);
        }
        "delete" => {
            let id = data.trim().trim_matches('"');
            if id.is_empty() || id.len() > MAX_ID_LEN || id.contains(char::is_whitespace) {
                out(ctx.quarantine("mastodon delete event without a status id", data));
            } else {
                out(ctx.item(Item::Delete(Tombstone {
                    network: Network::Mastodon,
                    native_id: None,
                    alt_id: Some(id.to_string()),
                    deleted_at: None,
                })));
            }
        }
        other => out(ctx.skipped(format!("mastodon streaming {} event", util::snippet(other)))),
    }
}

/// Reads a server-sent events body, in order; parents resolve across the whole stream.
fn read_sse(text: &str, path: &Path, opts: &ReadOptions, out: &mut Out<'_>) {
    let mut seen = Seen::default();
    for frame in sse::frames(text) {
        match frame {
            sse::Frame::Comment { line } => out(Record::Skipped {
                line,
                what: "mastodon streaming heartbeat".into(),
            }),
            sse::Frame::Event { line, name, data } => {
                let ctx = Ctx { path, line, opts };
                dispatch_event(&name, &data, &mut seen, &ctx, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use proptest::prelude::*;
    use serde_json::json;

    fn read(bytes: &[u8]) -> Vec<Record> {
        let mut got = Vec::new();
        let _ = Mastodon.read_bytes(
            bytes,
            Path::new("m.json"),
            &ReadOptions::default(),
            &mut |r| got.push(r),
        );
        got
    }

    fn status(id: &str) -> Value {
        json!({"id": id, "uri": format!("https://m.example/users/a/statuses/{id}"),
               "content": "<p>Hola @vuelaya</p>", "account": {"acct": "a", "url": "https://m.example/@a"}})
    }

    #[test]
    fn notifications_emit_statuses_once_and_skip_follows() {
        let v = json!([
            {"id": "1", "type": "favourite", "created_at": "2026-11-01T10:00:00Z",
             "account": {"acct": "b"}, "status": status("7")},
            {"id": "2", "type": "reblog", "created_at": "2026-11-01T10:00:00Z",
             "account": {"acct": "c"}, "status": status("7")},
            {"id": "3", "type": "follow", "created_at": "2026-11-01T10:00:00Z",
             "account": {"acct": "d"}}
        ]);
        assert_eq!(detect(&v), 85);
        let got = read(v.to_string().as_bytes());
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(matches!(&got[0], Record::Item { .. }));
        assert!(matches!(&got[1], Record::Skipped { what, .. } if what.contains("follow")));
    }

    #[test]
    fn sse_delete_and_bad_data_have_their_lines() {
        let body = format!(
            ":thump\n\nevent: update\ndata: {}\n\nevent: delete\ndata: 9\n\nevent: update\ndata: {{\"id\":\n\n",
            status("9")
        );
        let got = read(body.as_bytes());
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(matches!(&got[0], Record::Skipped { line: 1, .. }));
        assert!(matches!(&got[1], Record::Item { line: 3, .. }));
        assert!(matches!(
            &got[2],
            Record::Item { line: 6, item: Item::Delete(t) } if t.alt_id.as_deref() == Some("9")
        ));
        assert!(
            matches!(&got[3], Record::Quarantine { line: 9, reason, .. } if reason.contains("truncated"))
        );
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        const KEYS: &[&str] = &[
            "id",
            "uri",
            "account",
            "content",
            "reblog",
            "quote",
            "quoted_status",
            "in_reply_to_id",
            "type",
            "status",
            "statuses",
            "notification_groups",
            "ancestors",
            "event",
            "payload",
            "poll",
            "options",
            "media_attachments",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "[a-z_:/.0-9 <>@#]{0,12}".prop_map(Value::String),
        ];
        testing::arb_json_open(KEYS, leaf)
    }

    /// The project's own sample files for this network import with auto-detection and no
    /// quarantined record.
    #[test]
    fn samples_import_cleanly() {
        crate::testing::assert_samples_import("mastodon", "mastodon", 10);
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_json(v in arb_json()) {
            let _ = detect(&v);
            let _ = read(v.to_string().as_bytes());
        }

        #[test]
        fn never_panics_on_arbitrary_sse(s in "(event: (update|delete|notification)\n|data: [{}\\[\\]\"a-z0-9:,]{0,20}\n|:thump\n|\n){0,12}") {
            let _ = read(s.as_bytes());
        }
    }
}
