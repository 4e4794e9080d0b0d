//! X/Twitter: API v2 pages and stream lines, v1.1 tweets, account archives.
//!
//! # What is read
//!
//! - **API v2** response pages: `data` (one tweet or an array), `includes.users` (joined by
//!   `author_id`), `includes.tweets` (emitted as posts too, once each), `includes.media`
//!   (joined by `attachments.media_keys`), `includes.places` (country of `geo.place_id`),
//!   `errors` (each a skipped record: partial errors are not failures), `meta` (ignored).
//!   The same shape one per line as twarc2 writes it (its `__twarc` key is ignored), filtered
//!   stream lines (`matching_rules` ignored; keep-alive blank lines are skipped by the
//!   framing), and twarc2-flattened tweets (`author` and expansions inlined).
//! - **API v1.1** tweet objects alone, in arrays, in search's `{"statuses": […]}`, as JSON
//!   or NDJSON; `retweeted_status` and `quoted_status` are posts too. Stream deletion notices
//!   (`{"delete": {"status": …}}`) become tombstones; other stream messages (`limit`,
//!   `scrub_geo`, `status_withheld`, `disconnect`, …) are skipped.
//! - **Account archives**: `data/tweets.js`, the older `data/tweet.js` and
//!   `data/deleted-tweets.js` (see [`archive`]); other `window.YTD.` files are skipped entry by
//!   entry, so a whole `data/` folder can be imported.
//!
//! # Decisions
//!
//! - **Identity.** `native_id` is the tweet id (`id` in v2, `id_str` in v1.1). An *edit* of a
//!   tweet (v2 `edit_history_tweet_ids` whose first id is not the tweet's, v1.1
//!   `edit_history.initial_tweet_id`, archive `edit_info.edit.initialTweetId`) keeps the
//!   **first version's id** as `native_id`, so that the store updates the post in place; the
//!   version's own id goes to `alt_id` (and the URL). Its `created_at` is the first
//!   version's time (decoded from the Snowflake id) and `edited_at` the edit's `created_at`.
//!   An archive holding several versions emits only the latest; the others are skipped.
//! - **Reshares.** X cuts a retweet's own text (`RT @user: …` at 140 characters). The text of
//!   a reshare is `RT @user: ` followed by the original's full text (v1.1
//!   `retweeted_status`, v2 `includes.tweets`, `note_tweet` and `extended_tweet` included)
//!   when the original is in the response, else the text as given. Hashtags, mentions and
//!   links come from the original's entities, the original author first among the mentions.
//!   A reshare's `retweet_count` is the original's, so it is not kept (`metrics.reshares` is
//!   `None`); its other counters are kept. Archive tweets starting with `RT @` are reshares
//!   with an unknown `reshare_of`.
//! - **Kind.** Reshare wins, then reply (`parent_id`; `root_id` = `conversation_id`), then
//!   quote (`quote_of`). A reply that quotes is a reply with `quote_of` set.
//! - **Long posts.** v2 `note_tweet.text` (and its entities) and v1.1
//!   `extended_tweet.full_text` replace the cut `text`.
//! - **URL.** `https://x.com/{username}/status/{id}`, or `https://x.com/i/web/status/{id}`
//!   when the username is unknown (archives without an account part, v2 without the
//!   `author_id` expansion).
//! - **Language.** As X gives it, except X's non-language tags, which become `None` so the
//!   language enricher decides: `und`, `zxx`, `art` and the `q…` tags (`qme` media only,
//!   `qht` hashtags only, `qam` mentions only, `qct` cashtags only, `qst` too short). Legacy
//!   codes become ISO 639-1 (`in` → `id`, `iw` → `he`).
//! - **Withheld content** (v2 `withheld`, v1.1 `withheld_in_countries`/`withheld_scope`) is
//!   kept as a normal post; the mark stays in `raw` (`raw.withheld.country_codes`,
//!   `raw.withheld_in_countries`), as the model has no field for it.
//! - **Deleted archive tweets** (`deleted-tweets.js`) are posts with `deleted = true`;
//!   `edited_at` holds `deleted_at` (the last change known), as the model has no deletion time.
//! - **Links** are the expanded URLs (v2 `unwound_url` when present), without the
//!   `pic.x.com` links of attached media. Without entities in the source, hashtags, mentions
//!   and links are extracted from the text.
//! - **Polls** (`includes.polls`) have no place in the model; they stay in `raw`.
//! - `raw` is the tweet object itself (not the page); text, names and lists are bounded.

mod archive;
mod common;
mod v1;
mod v2;

use crate::{Connector, ConnectorError, Ctx, Out, ReadOptions, framing};
use serde_json::Value;
use std::path::Path;

/// X/Twitter: API v2 pages and stream lines, v1.1 tweets, account archives.
pub struct X;

/// Keys of v1.1 stream messages that are not tweets.
const STREAM_MESSAGES: &[&str] = &[
    "limit",
    "scrub_geo",
    "status_withheld",
    "user_withheld",
    "disconnect",
    "warning",
    "event",
    "friends",
    "friends_str",
    "control",
    "direct_message",
];

/// How deeply arrays of arrays are followed.
const MAX_ARRAY_DEPTH: usize = 8;

impl Connector for X {
    fn name(&self) -> &'static str {
        "x"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["twitter", "x-v2", "x-v1", "x-archive"]
    }

    fn describe(&self) -> &'static str {
        "X/Twitter: API v2 pages and stream lines, v1.1 tweets, account archives."
    }

    fn detect_text(&self, head: &[u8], _path: &Path) -> u8 {
        if archive::is_archive(head) { 95 } else { 0 }
    }

    fn detect_json(&self, value: &Value) -> u8 {
        score(value, 0)
    }

    fn read_json(&self, value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>) {
        dispatch(value, ctx, out, 0);
    }

    fn read_bytes(
        &self,
        bytes: &[u8],
        path: &Path,
        opts: &ReadOptions,
        out: &mut Out<'_>,
    ) -> Result<(), ConnectorError> {
        if archive::is_archive(bytes) {
            archive::read(bytes, path, opts, out);
        } else {
            framing::read_json_bytes(self, bytes, path, opts, out);
        }
        Ok(())
    }
}

fn has(v: &Value, key: &str) -> bool {
    v.get(key).is_some()
}

/// A v2 tweet: `id` and `text` (or `note_tweet`) with a field only X v2 has.
fn is_v2_tweet(t: &Value) -> bool {
    t.get("id").is_some_and(Value::is_string)
        && (has(t, "text") || has(t, "note_tweet"))
        && !has(t, "id_str")
        && [
            "edit_history_tweet_ids",
            "author_id",
            "conversation_id",
            "referenced_tweets",
            "reply_settings",
            "note_tweet",
        ]
        .iter()
        .any(|k| has(t, k))
}

/// A v1.1 tweet: `id_str` with a `user` that has a `screen_name`, or with the v1.1 text
/// fields and counters.
fn is_v1_tweet(t: &Value) -> bool {
    has(t, "id_str")
        && (t.get("user").is_some_and(|u| has(u, "screen_name"))
            || ((has(t, "full_text") || has(t, "text"))
                && (has(t, "favorite_count") || has(t, "retweet_count"))))
}

/// How sure we are that `v` is something X emits.
fn score(v: &Value, depth: usize) -> u8 {
    match v {
        Value::Array(items) if depth < 2 => items.first().map_or(0, |f| score(f, depth + 1)),
        Value::Object(m) => {
            if m.contains_key("__twarc") || m.contains_key("matching_rules") {
                return 95;
            }
            if let Some(d) = m.get("data") {
                let first = match d {
                    Value::Array(a) => a.first(),
                    Value::Object(_) => Some(d),
                    _ => None,
                };
                match first {
                    Some(t) if is_v2_tweet(t) => return 95,
                    Some(Value::Object(t))
                        if t.contains_key("id")
                            && t.contains_key("text")
                            && t.keys().all(|k| k == "id" || k == "text") =>
                    {
                        return 40;
                    }
                    _ => {}
                }
            }
            if m.get("meta")
                .is_some_and(|meta| has(meta, "result_count") || has(meta, "newest_id"))
                && !m.contains_key("data")
            {
                return 85;
            }
            if let Some(Value::Array(errors)) = m.get("errors")
                && errors.first().is_some_and(|e| {
                    e.get("type").and_then(Value::as_str).is_some_and(|t| {
                        t.starts_with("https://api.twitter.com/2/problems/")
                            || t.starts_with("https://api.x.com/2/problems/")
                    })
                })
            {
                return 90;
            }
            if let Some(Value::Array(statuses)) = m.get("statuses") {
                if statuses.first().is_some_and(is_v1_tweet) {
                    return 95;
                }
                if statuses.is_empty() && m.contains_key("search_metadata") {
                    return 90;
                }
            }
            if m.get("delete")
                .and_then(|d| d.get("status"))
                .is_some_and(|st| has(st, "id_str") && has(st, "user_id_str"))
            {
                return 95;
            }
            if is_v1_tweet(v) {
                return 95;
            }
            if m.get("tweet").is_some_and(is_v1_tweet) {
                return 85;
            }
            if is_v2_tweet(v) {
                return 80;
            }
            if m.get("limit")
                .is_some_and(|l| has(l, "track") && has(l, "timestamp_ms"))
            {
                return 80;
            }
            0
        }
        _ => 0,
    }
}

/// Reads any value X emits (see the module documentation).
fn dispatch(value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>, depth: usize) {
    let mut m = match value {
        Value::Array(items) if depth < MAX_ARRAY_DEPTH => {
            for item in items {
                dispatch(item, ctx, out, depth + 1);
            }
            return;
        }
        Value::Object(m) => m,
        other => {
            out(ctx.quarantine("not an x tweet, page or stream message", &other.to_string()));
            return;
        }
    };
    let page_keys = ["data", "includes", "matching_rules", "meta"];
    let is_tweet = m.contains_key("id_str") || has_v2_shape(&m);
    if page_keys.iter().any(|k| m.contains_key(*k))
        || (!is_tweet && (m.contains_key("errors") || m.contains_key("__twarc")))
    {
        v2::read_page(m, ctx, out);
    } else if let Some(Value::Array(statuses)) = m.get_mut("statuses").map(Value::take) {
        for st in statuses {
            v1::read_tweet(st, ctx, out);
        }
    } else if m.contains_key("delete") {
        v1::read_delete(&Value::Object(m), ctx, out);
    } else if !m.contains_key("id_str") && m.get("tweet").is_some_and(Value::is_object) {
        if let Some(t) = m.remove("tweet") {
            v1::read_tweet(t, ctx, out);
        }
    } else if m.contains_key("id_str") || m.get("user").is_some_and(|u| has(u, "screen_name")) {
        v1::read_tweet(Value::Object(m), ctx, out);
    } else if has_v2_shape(&m) {
        v2::read_flat(Value::Object(m), ctx, out);
    } else if let Some(k) = STREAM_MESSAGES.iter().find(|k| m.contains_key(**k)) {
        out(ctx.skipped(format!("x stream {k} message")));
    } else {
        out(ctx.quarantine(
            "not an x tweet, page or stream message",
            &Value::Object(m).to_string(),
        ));
    }
}

fn has_v2_shape(m: &serde_json::Map<String, Value>) -> bool {
    m.contains_key("id") && (m.contains_key("text") || m.contains_key("note_tweet"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Item, Record, read_bytes, registry};
    use proptest::prelude::*;
    use serde_json::json;

    fn fixtures_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/x")
    }

    #[test]
    fn detection_tells_x_from_other_networks() {
        let v2 = json!({"data": [{"id": "1", "text": "hola", "edit_history_tweet_ids": ["1"]}]});
        assert!(X.detect_json(&v2) >= 90);
        let v1 = json!([{"id": 1, "id_str": "1", "text": "hola", "user": {"screen_name": "a"}}]);
        assert!(X.detect_json(&v1) >= 90);
        let search = json!({"statuses": [v1[0].clone()], "search_metadata": {}});
        assert!(X.detect_json(&search) >= 90);
        let stream =
            json!({"data": {"id": "1", "text": "x", "author_id": "2"}, "matching_rules": []});
        assert!(X.detect_json(&stream) >= 90);
        // Mastodon status, Mastodon search, Instagram comments, Reddit listing, Bluesky.
        let mastodon = json!({"id": "1", "created_at": "2026-11-01T00:00:00Z", "content": "<p>hola</p>",
                              "uri": "https://m.example/1", "account": {"acct": "a"}});
        assert_eq!(X.detect_json(&mastodon), 0);
        assert_eq!(
            X.detect_json(&json!({"accounts": [], "statuses": [mastodon], "hashtags": []})),
            0
        );
        let ig = json!({"data": [{"id": "1", "text": "hola", "timestamp": "2026-11-01T00:00:00+0000"}],
                        "paging": {}});
        assert_eq!(X.detect_json(&ig), 0);
        assert_eq!(
            X.detect_json(&json!({"kind": "Listing", "data": {"children": []}})),
            0
        );
        assert_eq!(
            X.detect_json(&json!({"did": "did:plc:x", "kind": "commit"})),
            0
        );
        assert_eq!(
            X.detect_text(
                b"\xEF\xBB\xBFwindow.YTD.tweets.part0 = [",
                Path::new("t.js")
            ),
            95
        );
        assert_eq!(X.detect_text(b"id,text\n", Path::new("t.csv")), 0);
    }

    #[test]
    fn stream_messages_and_unknown_objects() {
        let opts = ReadOptions::default();
        let ctx = Ctx {
            path: Path::new("s.jsonl"),
            line: 1,
            opts: &opts,
        };
        let mut got = Vec::new();
        X.read_json(
            json!({"limit": {"track": 3, "timestamp_ms": "1"}}),
            &ctx,
            &mut |r| got.push(r),
        );
        X.read_json(json!({"hello": 1}), &ctx, &mut |r| got.push(r));
        X.read_json(json!(3), &ctx, &mut |r| got.push(r));
        assert!(
            matches!(&got[0], Record::Skipped { what, .. } if what == "x stream limit message")
        );
        assert!(matches!(&got[1], Record::Quarantine { .. }));
        assert!(matches!(&got[2], Record::Quarantine { .. }));
    }

    #[test]
    fn samples_import_cleanly() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/x");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            println!("no samples at {}: skipped", dir.display());
            return;
        };
        let mut posts = 0;
        for e in entries.flatten() {
            let path = e.path();
            let bytes = std::fs::read(&path).unwrap();
            let name = read_bytes(
                &registry(),
                &bytes,
                &path,
                None,
                &ReadOptions::default(),
                &mut |r| match r {
                    Record::Item {
                        item: Item::Post(p),
                        ..
                    } => {
                        assert!(
                            p.created_at
                                .is_some_and(|t| t.format("%Y-%m").to_string() == "2026-11")
                        );
                        posts += 1;
                    }
                    Record::Skipped { .. } => {}
                    other => panic!("{}: {other:?}", path.display()),
                },
            );
            assert_eq!(name.ok(), Some("x"), "{}", path.display());
        }
        assert!(posts >= 25, "{posts} posts");
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        const KEYS: &[&str] = &[
            "id",
            "id_str",
            "text",
            "full_text",
            "data",
            "includes",
            "users",
            "tweets",
            "media",
            "places",
            "errors",
            "referenced_tweets",
            "type",
            "author_id",
            "username",
            "edit_history_tweet_ids",
            "note_tweet",
            "entities",
            "hashtags",
            "urls",
            "mentions",
            "user_mentions",
            "attachments",
            "media_keys",
            "geo",
            "place_id",
            "retweeted_status",
            "quoted_status",
            "quoted_status_id_str",
            "extended_tweet",
            "user",
            "screen_name",
            "delete",
            "status",
            "statuses",
            "tweet",
            "created_at",
            "public_metrics",
            "like_count",
            "media_key",
            "variants",
            "video_info",
            "place",
            "country_code",
            "edit_info",
            "edit",
            "initialTweetId",
            "edit_history",
            "initial_tweet_id",
            "lang",
            "in_reply_to_status_id_str",
            "conversation_id",
            "extended_entities",
            "limit",
        ];
        const STRS: &[&str] = &[
            "1",
            "2",
            "3",
            "RT @a: b",
            "RT @",
            "retweeted",
            "quoted",
            "replied_to",
            "3_1",
            "Wed Oct 10 20:19:24 +0000 2018",
            "1850000000000000000",
            "und",
            "&amp;&#x1F600;",
            "",
            "ñ",
            "video/mp4",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| json!(f)),
            prop::sample::select(STRS).prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(5, 96, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..7).prop_map(|kv| {
                    Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                }),
            ]
        })
    }

    fn read_all(bytes: &[u8]) -> usize {
        let mut n = 0;
        let _ = read_bytes(
            &registry(),
            bytes,
            Path::new("p.json"),
            Some("x"),
            &ReadOptions::default(),
            &mut |_| n += 1,
        );
        let _ = read_bytes(
            &registry(),
            bytes,
            Path::new("p.json"),
            None,
            &ReadOptions::default(),
            &mut |_| n += 1,
        );
        n
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn arbitrary_json_never_panics(v in arb_json()) {
            let opts = ReadOptions::default();
            let ctx = Ctx { path: Path::new("p.json"), line: 1, opts: &opts };
            let _ = X.detect_json(&v);
            X.read_json(v.clone(), &ctx, &mut |r| {
                if let Record::Item { item: Item::Post(p), .. } = r {
                    assert!(!p.raw.is_null());
                    assert!(!p.native_id.is_empty());
                }
            });
            let page = json!({"data": [v.clone()], "includes": {"tweets": [v.clone()], "users": [v.clone()]}});
            X.read_json(page, &ctx, &mut |_| {});
            X.read_json(json!({"statuses": [v]}), &ctx, &mut |_| {});
        }

        #[test]
        fn mutated_fixtures_never_panic(which in 0usize..64, cut in 0.0f64..1.0, at in 0.0f64..1.0, byte in any::<u8>()) {
            let mut files: Vec<_> = std::fs::read_dir(fixtures_dir()).into_iter().flatten().flatten()
                .map(|e| e.path())
                .filter(|p| !p.to_string_lossy().ends_with(".expected.json") && !p.to_string_lossy().ends_with(".options.json"))
                .collect();
            files.sort();
            if files.is_empty() { return Ok(()); }
            let bytes = std::fs::read(&files[which % files.len()]).unwrap_or_default();
            let mut b = bytes[..(bytes.len() as f64 * cut) as usize].to_vec();
            read_all(&b);
            if !b.is_empty() {
                let i = ((b.len() - 1) as f64 * at) as usize;
                b[i] = byte;
                read_all(&b);
            }
            let mut arch = b"window.YTD.tweets.part0 = ".to_vec();
            arch.extend_from_slice(&b);
            read_all(&arch);
        }
    }

    /// Writes the golden files of `tests/fixtures/x` only (the shared harness rewrites every
    /// network's): `UPDATE_X_GOLDEN=1 cargo test -p tertulia-connectors x::tests::golden`.
    /// Same layout as `tests/golden.rs`.
    #[test]
    fn golden_writer_for_x_fixtures() {
        if std::env::var_os("UPDATE_X_GOLDEN").is_none() {
            return;
        }
        let mut files: Vec<_> = std::fs::read_dir(fixtures_dir())
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let n = p.to_string_lossy();
                !n.ends_with(".expected.json")
                    && !n.ends_with(".options.json")
                    && !n.ends_with(".md")
            })
            .collect();
        files.sort();
        for path in files {
            let side = |suffix: &str| {
                let mut s = path.as_os_str().to_owned();
                s.push(suffix);
                std::path::PathBuf::from(s)
            };
            let opts_json: Value = std::fs::read_to_string(side(".options.json"))
                .ok()
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or(Value::Null);
            let source = opts_json.get("source").and_then(Value::as_str);
            let bytes = std::fs::read(&path).unwrap();
            let mut records = Vec::new();
            let name = read_bytes(
                &registry(),
                &bytes,
                &path,
                source,
                &ReadOptions::default(),
                &mut |r| records.push(r),
            )
            .unwrap();
            let records: Vec<Value> = records
                .into_iter()
                .map(|r| match r {
                    Record::Item {
                        line,
                        item: Item::Post(mut p),
                    } => {
                        assert!(!p.raw.is_null());
                        p.raw = Value::Null;
                        json!({"line": line, "post": p})
                    }
                    Record::Item {
                        line,
                        item: Item::Delete(t),
                    } => json!({"line": line, "delete": t}),
                    Record::Quarantine { line, reason, .. } => {
                        json!({"line": line, "quarantine": reason})
                    }
                    Record::Skipped { line, what } => json!({"line": line, "skipped": what}),
                })
                .collect();
            let got = json!({"connector": name, "records": records});
            let pretty = serde_json::to_string_pretty(&got).unwrap() + "\n";
            std::fs::write(side(".expected.json"), pretty).unwrap();
        }
    }
}
