//! Bluesky Jetstream events, getPostThread, searchPosts and getRecord.
//!
//! Reads:
//! - Jetstream events, one per line (`{"did", "time_us", "kind": "commit", "commit": {"rev",
//!   "operation", "collection", "rkey", "record", "cid"}}`): `app.bsky.feed.post` creates and
//!   updates are posts (an update sets `edited_at` from `time_us`), deletes are tombstones;
//!   `app.bsky.feed.repost` creates are reshare posts (`reshare_of` = the subject uri, empty
//!   text: Jetstream does not carry the reposted text) and their deletes tombstones; every
//!   other collection (likes, follows, blocks, profiles…) and the `identity` and `account`
//!   events are skipped, not errors;
//! - XRPC responses: `app.bsky.feed.getPostThread` (`{"thread": threadViewPost}`, walking
//!   `parent` and `replies`; `notFoundPost`/`blockedPost` skipped), `app.bsky.feed.searchPosts`
//!   and `getPosts` (`{"posts": [PostView]}`), feeds (`{"feed": [FeedViewPost]}`, with reply
//!   parents/roots and `reasonRepost` as reshares), `com.atproto.repo.getRecord`
//!   (`{"uri", "cid", "value"}`) and `listRecords` (`{"records": [...]}`).
//!
//! Quoted posts whose full record is in an embed view, and reply parents/roots given as full
//! views, are emitted as posts too, once per value. `native_id` is the `at://` URI; the URL is
//! `https://bsky.app/profile/{handle or did}/post/{rkey}`.

use crate::{Connector, Ctx, Out, util};
use serde_json::Value;
use std::collections::{HashSet, VecDeque};
use tertulia_model::{Item, Network, Post, Tombstone};

mod record;

use record::{POST, REPOST, Who, parse_at_uri};

/// Bluesky Jetstream events, getPostThread, searchPosts and getRecord.
pub struct Bluesky;

/// Most thread nodes walked in one `getPostThread` response.
const MAX_THREAD_NODES: usize = 100_000;

impl Connector for Bluesky {
    fn name(&self) -> &'static str {
        "bluesky"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["bsky", "jetstream"]
    }

    fn describe(&self) -> &'static str {
        "Bluesky Jetstream events, getPostThread, searchPosts and getRecord."
    }

    fn detect_json(&self, value: &Value) -> u8 {
        detect(value)
    }

    fn read_json(&self, value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>) {
        let mut e = Emitter {
            ctx,
            out,
            done: HashSet::new(),
        };
        e.value(&value);
    }
}

fn is_at_uri(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str)
        .is_some_and(|s| s.starts_with("at://"))
}

fn detect(value: &Value) -> u8 {
    let first_uri = |key: &str, inner: Option<&str>| {
        value
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .map(|f| match inner {
                Some(k) => f.get(k).unwrap_or(&Value::Null),
                None => f,
            })
            .is_some_and(|f| is_at_uri(f.get("uri")))
    };
    match value {
        Value::Array(items) => items.first().map_or(0, detect),
        Value::Object(_) => {
            let has = |k| value.get(k).is_some();
            let jetstream =
                has("did") && has("time_us") && value.get("kind").is_some_and(Value::is_string);
            let thread = value.get("thread").is_some_and(|t| {
                is_at_uri(t.get("post").and_then(|p| p.get("uri"))) || is_at_uri(t.get("uri"))
            });
            let certain = jetstream
                || thread
                || first_uri("posts", None)
                || first_uri("feed", Some("post"))
                || (is_at_uri(value.get("uri")) && has("value"));
            if certain {
                95
            } else if first_uri("records", None)
                || (is_at_uri(value.get("uri")) && has("record") && has("author"))
            {
                90
            } else {
                0
            }
        }
        _ => 0,
    }
}

/// Sends the records of one value, each post once.
struct Emitter<'c, 'o, 'a> {
    ctx: &'c Ctx<'a>,
    out: &'o mut Out<'a>,
    done: HashSet<String>,
}

impl Emitter<'_, '_, '_> {
    fn post(&mut self, r: Result<Post, String>, shown: &Value) {
        match r {
            Ok(p) => {
                if self.done.insert(p.native_id.clone()) {
                    (self.out)(self.ctx.post(p));
                }
            }
            Err(reason) => (self.out)(self.ctx.quarantine(reason, &shown.to_string())),
        }
    }

    fn skipped(&mut self, what: String) {
        (self.out)(self.ctx.skipped(what));
    }

    fn quarantine(&mut self, reason: &str, shown: &Value) {
        (self.out)(self.ctx.quarantine(reason, &shown.to_string()));
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| self.value(i)),
            Value::Object(_) => {
                let has = |k| v.get(k).is_some();
                if has("did") && has("time_us") {
                    self.jetstream(v)
                } else if let Some(t) = v.get("thread") {
                    self.thread(t)
                } else if let Some(posts) = v.get("posts").and_then(Value::as_array) {
                    posts.iter().for_each(|p| self.view(p))
                } else if let Some(feed) = v.get("feed").and_then(Value::as_array) {
                    feed.iter().for_each(|f| self.feed_item(f))
                } else if let Some(records) = v.get("records").and_then(Value::as_array) {
                    records.iter().for_each(|r| self.repo_record(r))
                } else if has("value") && has("uri") {
                    self.repo_record(v)
                } else if has("record") && has("uri") {
                    self.view(v)
                } else if let Some(err) = v.get("error").and_then(Value::as_str) {
                    self.skipped(format!("bluesky xrpc error: {}", util::snippet(err)))
                } else {
                    self.quarantine("not a bluesky event, post view or record", v)
                }
            }
            other => self.quarantine("not a bluesky object", other),
        }
    }

    /// A `PostView`, and the quoted post in its embed view.
    fn view(&mut self, v: &Value) {
        let quoted = v
            .get("embed")
            .and_then(record::quoted_view)
            .filter(|q| q.get("value").is_some_and(Value::is_object));
        self.post(record::post_from_view(v), v);
        if let Some(q) = quoted {
            self.post(record::post_from_view(q), q);
        }
    }

    /// `getPostThread`'s tree: the post, its parents, its replies (breadth first).
    fn thread(&mut self, root: &Value) {
        let mut queue = VecDeque::from([root]);
        let mut walked = 0;
        while let Some(node) = queue.pop_front() {
            walked += 1;
            if walked > MAX_THREAD_NODES {
                break;
            }
            let t = node.get("$type").and_then(Value::as_str).unwrap_or("");
            if let Some(post) = node.get("post").filter(|p| p.is_object()) {
                self.view(post);
                if let Some(parent) = node.get("parent").filter(|p| p.is_object()) {
                    queue.push_back(parent);
                }
                if let Some(replies) = node.get("replies").and_then(Value::as_array) {
                    queue.extend(replies.iter());
                }
            } else if t.ends_with("#notFoundPost") || node.get("notFound").is_some() {
                self.skipped("bluesky thread item not found".into());
            } else if t.ends_with("#blockedPost") || node.get("blocked").is_some() {
                self.skipped("bluesky thread item blocked".into());
            } else {
                self.quarantine("bluesky thread item without post", node);
            }
        }
    }

    /// A `FeedViewPost`: the post, its reply parent and root, a repost reason as a reshare.
    fn feed_item(&mut self, f: &Value) {
        let Some(post) = f.get("post").filter(|p| p.is_object()) else {
            self.quarantine("bluesky feed item without post", f);
            return;
        };
        self.view(post);
        if let Some(reply) = f.get("reply") {
            for key in ["parent", "root"] {
                if let Some(p) = reply.get(key).filter(|p| p.get("record").is_some()) {
                    self.view(p);
                }
            }
        }
        let reason = f.get("reason");
        if reason
            .and_then(|r| r.get("$type"))
            .and_then(Value::as_str)
            .is_some_and(|t| t.ends_with("#reasonRepost"))
        {
            let reason = reason.unwrap_or(&Value::Null);
            match util::nonempty_str_of(reason, "uri") {
                Some(uri) => {
                    let who = Who::from_profile(reason.get("by").unwrap_or(&Value::Null), "");
                    let rec = serde_json::json!({
                        "subject": {"uri": post.get("uri")},
                        "createdAt": reason.get("indexedAt"),
                    });
                    self.post(record::repost_from_record(&uri, &who, &rec, f.clone()), f);
                }
                None => self.skipped("bluesky repost reason without uri".into()),
            }
        }
    }

    /// A `com.atproto.repo.getRecord` answer or a `listRecords` item: `{uri, cid, value}`.
    fn repo_record(&mut self, r: &Value) {
        let uri = util::nonempty_str_of(r, "uri").unwrap_or_default();
        let Some(at) = parse_at_uri(&uri) else {
            self.quarantine("bluesky record without a valid at:// uri", r);
            return;
        };
        let who = Who {
            did: at.repo.to_string(),
            ..Who::default()
        };
        let value = r.get("value").unwrap_or(&Value::Null);
        match at.collection {
            POST => self.post(record::post_from_record(&uri, &who, value, r.clone()), r),
            REPOST => self.post(record::repost_from_record(&uri, &who, value, r.clone()), r),
            other => self.skipped(format!("bluesky {} record", util::snippet(other))),
        }
    }

    /// One Jetstream event.
    fn jetstream(&mut self, ev: &Value) {
        let kind = ev.get("kind").and_then(Value::as_str);
        match kind {
            Some("commit") => self.commit(ev),
            Some(k @ ("identity" | "account")) => self.skipped(format!("jetstream {k} event")),
            Some(other) => self.skipped(format!("jetstream {} event", util::snippet(other))),
            None => self.quarantine("jetstream event without kind", ev),
        }
    }

    fn commit(&mut self, ev: &Value) {
        let Some(c) = ev.get("commit").filter(|c| c.is_object()) else {
            self.quarantine("jetstream commit event without commit", ev);
            return;
        };
        let did = util::nonempty_str_of(ev, "did").filter(|d| !d.contains('/'));
        let collection = util::nonempty_str_of(c, "collection").filter(|d| !d.contains('/'));
        let rkey = util::nonempty_str_of(c, "rkey").filter(|d| !d.contains('/'));
        let op = c.get("operation").and_then(Value::as_str).unwrap_or("");
        let (Some(did), Some(collection), Some(rkey)) = (did, collection, rkey) else {
            self.quarantine("jetstream commit without did, collection or rkey", ev);
            return;
        };
        let uri = format!("at://{did}/{collection}/{rkey}");
        let when = ev
            .get("time_us")
            .and_then(Value::as_i64)
            .and_then(chrono::DateTime::from_timestamp_micros);
        let ours = collection == POST || collection == REPOST;
        match op {
            "create" | "update" if ours => {
                let Some(rec) = c.get("record").filter(|r| r.is_object()) else {
                    self.quarantine("jetstream create without record", ev);
                    return;
                };
                let who = Who {
                    did,
                    ..Who::default()
                };
                let r = if collection == POST {
                    record::post_from_record(&uri, &who, rec, ev.clone())
                } else {
                    record::repost_from_record(&uri, &who, rec, ev.clone())
                };
                let r = r.map(|mut p| {
                    if op == "update" {
                        p.edited_at = when;
                    }
                    p
                });
                self.post(r, ev);
            }
            "delete" if ours => (self.out)(self.ctx.item(Item::Delete(Tombstone {
                network: Network::Bluesky,
                native_id: Some(uri),
                alt_id: None,
                deleted_at: when,
            }))),
            "create" | "update" | "delete" => {
                self.skipped(format!("jetstream {} commit", util::snippet(&collection)))
            }
            _ => self.quarantine("jetstream commit with an unknown operation", ev),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use crate::{Connector, ReadOptions, Record, framing::read_json_bytes};
    use proptest::prelude::*;
    use serde_json::json;
    use std::path::Path;

    fn read(bytes: &[u8]) -> Vec<Record> {
        let mut got = Vec::new();
        read_json_bytes(
            &Bluesky,
            bytes,
            Path::new("b.jsonl"),
            &ReadOptions::default(),
            &mut |r| got.push(r),
        );
        got
    }

    #[test]
    fn jetstream_delete_is_a_tombstone_and_likes_are_skipped() {
        let lines = [
            json!({"did": "did:plc:a", "time_us": 1_793_000_000_000_000_u64, "kind": "commit",
                   "commit": {"rev": "r", "operation": "delete", "collection": POST, "rkey": "k"}}),
            json!({"did": "did:plc:a", "time_us": 1, "kind": "commit",
                   "commit": {"rev": "r", "operation": "create", "collection": "app.bsky.feed.like",
                              "rkey": "l", "record": {}}}),
            json!({"did": "did:plc:a", "time_us": 1, "kind": "identity", "identity": {}}),
        ];
        assert_eq!(detect(&lines[0]), 95);
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let got = read(body.as_bytes());
        assert!(matches!(&got[0], Record::Item { item: Item::Delete(t), .. }
            if t.native_id.as_deref() == Some("at://did:plc:a/app.bsky.feed.post/k")
            && t.deleted_at.is_some()));
        assert!(matches!(&got[1], Record::Skipped { line: 2, .. }));
        assert!(matches!(&got[2], Record::Skipped { line: 3, what } if what.contains("identity")));
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        const KEYS: &[&str] = &[
            "did",
            "time_us",
            "kind",
            "commit",
            "operation",
            "collection",
            "rkey",
            "record",
            "text",
            "facets",
            "index",
            "byteStart",
            "byteEnd",
            "features",
            "$type",
            "embed",
            "thread",
            "post",
            "parent",
            "replies",
            "posts",
            "feed",
            "uri",
            "value",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<i64>().prop_map(|n| json!(n)),
            Just(json!("at://did:plc:a/app.bsky.feed.post/k")),
            Just(json!("app.bsky.feed.post")),
            Just(json!("app.bsky.embed.record")),
            Just(json!("app.bsky.richtext.facet#mention")),
            "[a-z_:/.0-9 @#]{0,12}".prop_map(Value::String),
        ];
        testing::arb_json_open(KEYS, leaf)
    }

    /// The project's own sample files for this network import with auto-detection and no
    /// quarantined record.
    #[test]
    fn samples_import_cleanly() {
        crate::testing::assert_samples_import("bluesky", "bluesky", 10);
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_json(v in arb_json()) {
            let _ = detect(&v);
            let _ = read(v.to_string().as_bytes());
            let mut n = 0;
            Bluesky.read_json(v, &Ctx { path: Path::new("x"), line: 1, opts: &ReadOptions::default() }, &mut |_| n += 1);
        }
    }
}
