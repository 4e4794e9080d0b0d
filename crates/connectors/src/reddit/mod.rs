//! Reddit listings, comment trees, morechildren responses and Pushshift dumps.
//!
//! # What is read
//!
//! - Listings (`{"kind": "Listing", "data": {"children": [...]}}`) of `t3` links and `t1`
//!   comments, as `/r/{sub}/new.json`, `/search.json`, `/user/{name}/comments.json` return them;
//! - the `[link listing, comment listing]` pair that `/comments/{id}.json` returns, with its
//!   comment trees: every `t1` comment's `replies` (a Listing, or `""` when there are none) is
//!   followed; `more` stubs (comments not loaded) are counted as skipped;
//! - `/api/morechildren` responses (`{"json": {"errors": [], "data": {"things": [...]}}}`); each
//!   entry of `errors` is counted as skipped;
//! - single things (`{"kind": "t1", "data": {...}}`), and arrays of any of the above;
//! - Pushshift dumps: NDJSON with one comment or submission object per line, without the
//!   `kind` wrapper (comments have `body`, `link_id`, `parent_id`; submissions `title`,
//!   `selftext`), and Pushshift API pages `{"data": [...]}`;
//! - other things (`t2` accounts, `t5` subreddits, messages…) are counted as skipped.
//!
//! # Mapping
//!
//! - `native_id` is the fullname: `name`, else `t1_`/`t3_` + `id`. `parent_id` and `root_id`
//!   (`link_id`) are fullnames; a dump's bare `link_id` gets `t3_`, and a bare `parent_id` gets
//!   `t3_` when it is the link, else `t1_`.
//! - `url` is `https://www.reddit.com` + `permalink` (built from the ids when missing).
//! - `t3`: `title` → title, `selftext` → text, the external `url` of a link post → links (and
//!   media when it is an image or a Reddit video); kind `post`, or `reshare` with `reshare_of`
//!   = `crosspost_parent` for crossposts, whose embedded `crosspost_parent_list` links are
//!   emitted as posts too. `t1`: `body` → text, kind `comment`.
//! - Reddit escapes `&`, `<`, `>` in titles and bodies; they are decoded.
//! - `[deleted]` / `[removed]`: a body or selftext that is exactly one of these placeholders
//!   (the author deleted it, or moderators removed it), or a non-null `removed_by_category`,
//!   sets `deleted = true` and the text is **empty** (the placeholder is not what anyone wrote,
//!   and would pollute sentiment and search; `raw` keeps it). A link's title is kept (Reddit
//!   keeps it). An author `[deleted]` (the account is gone) leaves the author empty; the text is
//!   kept when it is still there.
//! - likes = `score` (negative scores count as 0), replies = `num_comments`, reshares =
//!   `num_crossposts`; `edited` (false, or a Unix time) → `edited_at`; `created_utc` →
//!   `created_at`. `author` → handle, `author_fullname` → author id. `subreddit` and `over_18`
//!   have no field in the model and stay in `raw`.
//! - `raw` is the thing's `data` object (the dump's object for Pushshift), without its nested
//!   `replies` (each reply has its own `raw`).

use crate::{Connector, Ctx, Out, util};
use serde_json::{Map, Value};
use tertulia_model::{Author, Media, Network, Post, PostKind};
use util::short;

/// Deepest nesting of listings and replies followed (bounds hostile input; serde_json itself
/// stops at 128 levels of JSON).
const MAX_DEPTH: usize = 64;
/// Placeholders Reddit puts in place of deleted or removed text.
const GONE: [&str; 2] = ["[deleted]", "[removed]"];

/// Reddit listings, comment trees, morechildren responses and Pushshift dumps.
pub struct Reddit;

impl Connector for Reddit {
    fn name(&self) -> &'static str {
        "reddit"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["pushshift"]
    }

    fn describe(&self) -> &'static str {
        "Reddit listings, comment trees, morechildren responses and Pushshift dumps."
    }

    fn detect_json(&self, value: &Value) -> u8 {
        detect(value, 0)
    }

    fn read_json(&self, value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>) {
        read_value(value, ctx, out, 0);
    }
}

fn detect(value: &Value, depth: usize) -> u8 {
    match value {
        Value::Array(items) if depth == 0 => items.first().map_or(0, |v| detect(v, 1)),
        Value::Object(m) => {
            let data = m.get("data");
            match m.get("kind").and_then(Value::as_str) {
                Some("Listing") if data.and_then(|d| d.get("children")).is_some() => 95,
                Some("t1" | "t3" | "more") if data.is_some_and(Value::is_object) => 95,
                Some(_) => 0,
                None => {
                    if let Some(json) = m.get("json").and_then(Value::as_object) {
                        let things = json
                            .get("data")
                            .and_then(|d| d.get("things"))
                            .is_some_and(Value::is_array);
                        return if things || json.get("errors").is_some_and(Value::is_array) {
                            90
                        } else {
                            0
                        };
                    }
                    if let Some(Value::Array(items)) = data {
                        return match items.first() {
                            Some(first) if is_pushshift(first) => 85,
                            _ => 0,
                        };
                    }
                    if is_pushshift(value) { 90 } else { 0 }
                }
            }
        }
        _ => 0,
    }
}

/// A Pushshift comment or submission: an object with `id`, `subreddit` and a body or title.
fn is_pushshift(v: &Value) -> bool {
    let Some(m) = v.as_object() else {
        return false;
    };
    m.contains_key("id")
        && m.get("subreddit").is_some_and(Value::is_string)
        && !m.contains_key("kind")
        && (m.contains_key("body") || m.contains_key("title") || m.contains_key("selftext"))
}

fn read_value(value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>, depth: usize) {
    if depth > MAX_DEPTH {
        out(ctx.quarantine(
            format!("reddit listing nested deeper than {MAX_DEPTH} levels"),
            "",
        ));
        return;
    }
    let mut m = match value {
        Value::Array(items) => {
            for v in items {
                read_value(v, ctx, out, depth + 1);
            }
            return;
        }
        Value::Object(m) => m,
        other => {
            out(ctx.quarantine(
                "not a reddit thing, listing or dump object (expected a JSON object)",
                &other.to_string(),
            ));
            return;
        }
    };
    if let Some(kind) = m.get("kind").and_then(Value::as_str).map(str::to_string) {
        read_thing(&kind, m, ctx, out, depth);
        return;
    }
    if let Some(Value::Object(mut json)) = m.remove("json") {
        if let Some(Value::Array(errors)) = json.get("errors") {
            for _ in errors {
                out(ctx.skipped("reddit api error"));
            }
        }
        match json
            .get_mut("data")
            .and_then(|d| d.get_mut("things"))
            .map(std::mem::take)
        {
            Some(Value::Array(things)) => {
                for t in things {
                    read_value(t, ctx, out, depth + 1);
                }
            }
            Some(other) => out(ctx.quarantine(
                "reddit morechildren things is not an array",
                &other.to_string(),
            )),
            None => {}
        }
        return;
    }
    if let Some(Value::Array(items)) = m.get_mut("data").map(std::mem::take) {
        for v in items {
            read_value(v, ctx, out, depth + 1);
        }
        return;
    }
    if m.contains_key("error") && !m.contains_key("id") {
        out(ctx.skipped("reddit api error"));
        return;
    }
    // A Pushshift dump line: the thing's data without its `kind` wrapper.
    let is_comment = m.contains_key("body")
        || (m.contains_key("link_id") && m.contains_key("parent_id") && !m.contains_key("title"));
    let is_link = ["title", "selftext", "num_comments", "is_self"]
        .iter()
        .any(|k| m.contains_key(*k));
    if is_comment {
        emit_comment(m, ctx, out, depth);
    } else if is_link {
        emit_link(m, ctx, out);
    } else {
        out(ctx.quarantine(
            "reddit object is neither a comment (body) nor a submission (title, selftext)",
            &Value::Object(m).to_string(),
        ));
    }
}

fn read_thing(
    kind: &str,
    mut m: Map<String, Value>,
    ctx: &Ctx<'_>,
    out: &mut Out<'_>,
    depth: usize,
) {
    let data = m.remove("data");
    match (kind, data) {
        ("Listing", Some(Value::Object(mut d))) => match d.remove("children") {
            Some(Value::Array(children)) => {
                for c in children {
                    read_value(c, ctx, out, depth + 1);
                }
            }
            _ => out(ctx.quarantine(
                "reddit listing without a children array",
                &Value::Object(d).to_string(),
            )),
        },
        ("more", Some(Value::Object(_))) => out(ctx.skipped("reddit more stub")),
        ("t1", Some(Value::Object(d))) => emit_comment(d, ctx, out, depth),
        ("t3", Some(Value::Object(d))) => emit_link(d, ctx, out),
        ("Listing" | "more" | "t1" | "t3", other) => out(ctx.quarantine(
            format!("reddit {kind} thing whose data is not an object"),
            &other.map(|v| v.to_string()).unwrap_or_default(),
        )),
        (other, _) => out(ctx.skipped(format!("reddit {} thing", util::bounded(other, 32)))),
    }
}

fn emit_comment(mut d: Map<String, Value>, ctx: &Ctx<'_>, out: &mut Out<'_>, depth: usize) {
    let replies = d.remove("replies");
    let raw = Value::Object(d);
    match comment_post(&raw) {
        Ok(mut p) => {
            p.raw = raw;
            out(ctx.post(p));
        }
        Err(why) => out(ctx.quarantine(why, &raw.to_string())),
    }
    // `replies` is a Listing of t1 and `more`, or "" when there are none.
    if let Some(r @ Value::Object(_)) = replies {
        read_value(r, ctx, out, depth + 1);
    }
}

fn emit_link(mut d: Map<String, Value>, ctx: &Ctx<'_>, out: &mut Out<'_>) {
    let embedded = match d.remove("crosspost_parent_list") {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let raw = Value::Object(d);
    match link_post(&raw) {
        Ok(mut p) => {
            p.raw = raw;
            out(ctx.post(p));
        }
        Err(why) => out(ctx.quarantine(why, &raw.to_string())),
    }
    for e in embedded.into_iter().take(16) {
        match e {
            // Embedded originals do not embed further crossposts: one level is read.
            Value::Object(mut e) => {
                e.remove("crosspost_parent_list");
                emit_link(e, ctx, out);
            }
            other => out(ctx.quarantine(
                "reddit crosspost parent is not an object",
                &other.to_string(),
            )),
        }
    }
}

/// A base-36 Reddit id, or a fullname (`t1_abc`).
fn id_like(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The thing's fullname: `name`, else `prefix` + `id`.
fn fullname(d: &Value, prefix: &str) -> Option<String> {
    if let Some(n) = util::nonempty_str_of(d, "name").filter(|n| n.starts_with(prefix)) {
        return Some(short(&n));
    }
    let id = util::nonempty_str_of(d, "id")?;
    Some(if id.starts_with(prefix) {
        short(&id)
    } else {
        short(&format!("{prefix}{id}"))
    })
}

/// `prefix` + `s` unless `s` already is a fullname (`tN_…`).
fn as_fullname(s: &str, prefix: &str) -> String {
    let b = s.as_bytes();
    if b.len() > 3 && b[0] == b't' && b[1].is_ascii_digit() && b[2] == b'_' {
        short(s)
    } else {
        short(&format!("{prefix}{s}"))
    }
}

fn author(d: &Value) -> Author {
    let name = util::nonempty_str_of(d, "author").filter(|a| !GONE.contains(&a.as_str()));
    Author {
        id: name
            .as_ref()
            .and_then(|_| util::nonempty_str_of(d, "author_fullname"))
            .map(|s| short(&s)),
        handle: name.map(|s| short(&s)),
        ..Author::default()
    }
}

/// The text of `key` with Reddit's escaping decoded, and whether it is a deletion placeholder.
fn body(d: &Value, key: &str) -> (String, bool) {
    let s = util::str_of(d, key).unwrap_or_default();
    if GONE.contains(&s.trim()) {
        return (String::new(), true);
    }
    let s = util::bounded(&s, util::MAX_TEXT_BYTES);
    (util::decode_entities(&s), false)
}

/// `score`, with negative scores counted as 0.
fn score(d: &Value) -> Option<u64> {
    match d.get("score")? {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(|s| s.max(0) as u64),
        Value::String(s) => s.trim().parse::<i64>().ok().map(|s| s.max(0) as u64),
        _ => None,
    }
}

/// `https://www.reddit.com` + `permalink` when it is a path (or the permalink when it is
/// already a reddit.com URL).
fn permalink_url(d: &Value) -> Option<String> {
    let p = util::nonempty_str_of(d, "permalink")?;
    if p.chars().any(char::is_whitespace) {
        return None;
    }
    if p.starts_with('/') {
        Some(short(&format!("https://www.reddit.com{p}")))
    } else if p.starts_with("https://www.reddit.com/") || p.starts_with("https://old.reddit.com/") {
        Some(short(&p))
    } else {
        None
    }
}

fn common(p: &mut Post, d: &Value) {
    p.author = author(d);
    p.created_at = util::time_of(d, "created_utc").or_else(|| util::time_of(d, "created"));
    p.edited_at = match d.get("edited") {
        Some(Value::Number(_)) => util::time_of(d, "edited"),
        _ => None,
    };
    p.metrics.likes = score(d);
    let full = p.full_text();
    p.hashtags = util::hashtags(&full);
    p.mentions = util::mentions(&full);
    p.links = util::links(&full);
}

fn comment_post(d: &Value) -> Result<Post, &'static str> {
    let id = fullname(d, "t1_").ok_or("reddit comment without an id")?;
    let mut p = Post::new(Network::Reddit, id, PostKind::Comment);
    let (text, gone) = body(d, "body");
    p.text = text;
    p.deleted = gone;
    let link = util::nonempty_str_of(d, "link_id").map(|l| as_fullname(&l, "t3_"));
    p.parent_id = util::nonempty_str_of(d, "parent_id").map(|pid| {
        let bare_link = link.as_deref().and_then(|l| l.strip_prefix("t3_"));
        if Some(pid.as_str()) == bare_link {
            as_fullname(&pid, "t3_")
        } else {
            as_fullname(&pid, "t1_")
        }
    });
    p.url = permalink_url(d).or_else(|| {
        let l = link.as_deref()?.strip_prefix("t3_")?;
        let c = p.native_id.strip_prefix("t1_")?;
        (id_like(l) && id_like(c)).then(|| format!("https://www.reddit.com/comments/{l}/_/{c}/"))
    });
    p.root_id = link;
    common(&mut p, d);
    Ok(p)
}

fn link_post(d: &Value) -> Result<Post, &'static str> {
    let id = fullname(d, "t3_").ok_or("reddit submission without an id")?;
    let cross = util::nonempty_str_of(d, "crosspost_parent").map(|c| as_fullname(&c, "t3_"));
    let kind = if cross.is_some() {
        PostKind::Reshare
    } else {
        PostKind::Post
    };
    let mut p = Post::new(Network::Reddit, id, kind);
    p.reshare_of = cross;
    p.title = util::str_of(d, "title")
        .filter(|t| !t.is_empty())
        .map(|t| util::decode_entities(&util::bounded(&t, 4096)));
    let (text, gone) = body(d, "selftext");
    p.text = text;
    p.deleted = gone
        || d.get("removed_by_category")
            .and_then(Value::as_str)
            .is_some_and(|c| !c.is_empty());
    p.url = permalink_url(d).or_else(|| {
        let s = p.native_id.strip_prefix("t3_")?;
        id_like(s).then(|| format!("https://www.reddit.com/comments/{s}/"))
    });
    common(&mut p, d);
    p.metrics.replies = util::u64_of(d, "num_comments");
    p.metrics.reshares = util::u64_of(d, "num_crossposts");
    let is_self = util::bool_of(d, "is_self").unwrap_or(false);
    let external = util::nonempty_str_of(d, "url")
        .map(|u| util::decode_entities(&u))
        .filter(|u| {
            !is_self
                && (u.starts_with("https://") || u.starts_with("http://"))
                && !u.chars().any(char::is_whitespace)
                && !u.starts_with("https://www.reddit.com/r/")
        })
        .map(|u| short(&u));
    if let Some(u) = external {
        let hint = util::str_of(d, "post_hint").unwrap_or_default();
        if hint == "image" || u.starts_with("https://i.redd.it/") {
            p.media.push(Media {
                kind: "photo".into(),
                url: Some(u.clone()),
                ..Media::default()
            });
        } else if util::bool_of(d, "is_video") == Some(true) {
            let video = d
                .get("media")
                .and_then(|m| m.get("reddit_video"))
                .and_then(|v| util::nonempty_str_of(v, "fallback_url"))
                .filter(|v| v.starts_with("https://"))
                .map(|v| short(&v));
            p.media.push(Media {
                kind: "video".into(),
                url: video.or(Some(u.clone())),
                ..Media::default()
            });
        }
        if !p.links.contains(&u) {
            p.links.push(u);
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use crate::{ReadOptions, Record, framing::read_json_bytes};
    use proptest::prelude::*;
    use serde_json::json;
    use std::path::Path;
    use tertulia_model::Item;

    fn read(v: Value) -> Vec<Record> {
        testing::read_value(&Reddit, v)
    }

    fn posts(v: Value) -> Vec<Post> {
        testing::posts_of(read(v))
    }

    #[test]
    fn comment_tree_with_more_and_deleted() {
        let got = read(json!([
            {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {
                "id": "abc", "name": "t3_abc", "title": "A &amp; B", "selftext": "",
                "permalink": "/r/x/comments/abc/a_b/", "score": -4, "num_comments": 3,
                "created_utc": 1_793_000_000.0, "author": "ana", "author_fullname": "t2_1",
                "edited": false, "is_self": true, "url": "https://www.reddit.com/r/x/comments/abc/a_b/"
            }}]}},
            {"kind": "Listing", "data": {"children": [
                {"kind": "t1", "data": {
                    "id": "c1", "name": "t1_c1", "body": "&gt; cita", "link_id": "t3_abc",
                    "parent_id": "t3_abc", "author": "[deleted]", "edited": 1_793_000_100,
                    "replies": {"kind": "Listing", "data": {"children": [
                        {"kind": "t1", "data": {"id": "c2", "body": "[removed]", "author": "[deleted]",
                            "link_id": "t3_abc", "parent_id": "t1_c1", "replies": ""}},
                        {"kind": "more", "data": {"count": 2, "children": ["c3", "c4"]}}
                    ]}}
                }}
            ]}}
        ]));
        assert_eq!(got.len(), 4);
        let Record::Item {
            item: Item::Post(link),
            ..
        } = &got[0]
        else {
            panic!("{got:?}")
        };
        assert_eq!(link.title.as_deref(), Some("A & B"));
        assert_eq!(link.metrics.likes, Some(0));
        assert_eq!(
            link.url.as_deref(),
            Some("https://www.reddit.com/r/x/comments/abc/a_b/")
        );
        assert!(link.links.is_empty());
        let Record::Item {
            item: Item::Post(c1),
            ..
        } = &got[1]
        else {
            panic!("{got:?}")
        };
        assert_eq!(c1.text, "> cita");
        assert_eq!(c1.author.handle, None);
        assert!(!c1.deleted);
        assert!(c1.edited_at.is_some());
        assert!(c1.raw.get("replies").is_none());
        assert_eq!(
            c1.url.as_deref(),
            Some("https://www.reddit.com/comments/abc/_/c1/")
        );
        let Record::Item {
            item: Item::Post(c2),
            ..
        } = &got[2]
        else {
            panic!("{got:?}")
        };
        assert_eq!(c2.native_id, "t1_c2");
        assert!(c2.deleted);
        assert_eq!(c2.text, "");
        assert_eq!(c2.parent_id.as_deref(), Some("t1_c1"));
        assert_eq!(c2.root_id.as_deref(), Some("t3_abc"));
        assert!(matches!(&got[3], Record::Skipped { what, .. } if what == "reddit more stub"));
    }

    #[test]
    fn pushshift_objects_get_fullnames() {
        let got = posts(json!([
            {"id": "k1", "body": "hola", "link_id": "l9", "parent_id": "l9", "subreddit": "spain",
             "created_utc": "1793000000", "score": 3},
            {"id": "k2", "body": "adiós", "link_id": "t3_l9", "parent_id": "k1", "subreddit": "spain"},
            {"id": "l9", "title": "Vuelaya", "selftext": "[deleted]", "author": "[deleted]",
             "subreddit": "spain", "url": "https://i.redd.it/x.jpg", "is_self": false}
        ]));
        assert_eq!(got[0].native_id, "t1_k1");
        assert_eq!(got[0].parent_id.as_deref(), Some("t3_l9"));
        assert_eq!(got[0].root_id.as_deref(), Some("t3_l9"));
        assert!(got[0].created_at.is_some());
        assert_eq!(got[1].parent_id.as_deref(), Some("t1_k1"));
        assert_eq!(got[2].native_id, "t3_l9");
        assert!(got[2].deleted);
        assert_eq!(got[2].title.as_deref(), Some("Vuelaya"));
        assert_eq!(got[2].media.len(), 1);
        assert_eq!(got[2].links, vec!["https://i.redd.it/x.jpg"]);
    }

    #[test]
    fn morechildren_and_crossposts() {
        let got = read(
            json!({"json": {"errors": [["RATELIMIT", "x", "y"]], "data": {"things": [
                {"kind": "t1", "data": {"id": "m1", "body": "x", "link_id": "t3_a", "parent_id": "t1_z"}},
                {"kind": "more", "data": {"count": 0, "children": []}}
            ]}}}),
        );
        assert_eq!(got.len(), 3);
        assert!(matches!(&got[0], Record::Skipped { what, .. } if what == "reddit api error"));
        let got = posts(json!({"kind": "t3", "data": {
            "id": "x2", "title": "crossposted", "crosspost_parent": "t3_x1",
            "crosspost_parent_list": [{"id": "x1", "title": "original", "name": "t3_x1"}]
        }}));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].kind, PostKind::Reshare);
        assert_eq!(got[0].reshare_of.as_deref(), Some("t3_x1"));
        assert!(got[0].raw.get("crosspost_parent_list").is_none());
        assert_eq!(got[1].native_id, "t3_x1");
    }

    #[test]
    fn bad_things_quarantined_other_things_skipped() {
        let got = read(json!([
            {"kind": "t1", "data": {"body": "no id"}},
            {"kind": "t3", "data": "nope"},
            {"kind": "t5", "data": {"display_name": "spain"}},
            {"id": "z", "subreddit": "x"},
            3
        ]));
        assert!(matches!(got[0], Record::Quarantine { .. }));
        assert!(matches!(got[1], Record::Quarantine { .. }));
        assert!(matches!(&got[2], Record::Skipped { what, .. } if what == "reddit t5 thing"));
        assert!(matches!(got[3], Record::Quarantine { .. }));
        assert!(matches!(got[4], Record::Quarantine { .. }));
    }

    #[test]
    fn detection() {
        assert_eq!(
            detect(&json!({"kind": "Listing", "data": {"children": []}}), 0),
            95
        );
        assert_eq!(
            detect(&json!([{"kind": "Listing", "data": {"children": []}}]), 0),
            95
        );
        assert_eq!(
            detect(&json!({"json": {"errors": [], "data": {"things": []}}}), 0),
            90
        );
        assert_eq!(
            detect(&json!({"id": "a", "subreddit": "b", "body": "c"}), 0),
            90
        );
        assert_eq!(detect(&json!({"kind": "youtube#comment"}), 0), 0);
        assert_eq!(detect(&json!({"data": [{"id": "1", "text": "x"}]}), 0), 0);
        assert_eq!(detect(&json!({"id": "1", "body": "x"}), 0), 0);
    }

    /// The sample under `samples/` (imported by the README's first command) is detected as
    /// this connector and reads with no quarantined record.
    #[test]
    fn sample_imports_cleanly() {
        testing::assert_sample_bytes_import(
            "samples/reddit/vuelaya_thread.json",
            include_bytes!("../../../../samples/reddit/vuelaya_thread.json"),
            "reddit",
            6,
        );
    }

    const KEYS: &[&str] = &[
        "kind",
        "data",
        "children",
        "t1",
        "t3",
        "more",
        "Listing",
        "id",
        "name",
        "body",
        "title",
        "selftext",
        "author",
        "author_fullname",
        "link_id",
        "parent_id",
        "replies",
        "permalink",
        "score",
        "num_comments",
        "created_utc",
        "edited",
        "url",
        "is_self",
        "json",
        "errors",
        "things",
        "crosspost_parent",
        "crosspost_parent_list",
        "subreddit",
        "[deleted]",
        "[removed]",
        "removed_by_category",
        "post_hint",
        "is_video",
        "media",
    ];

    fn arb_json() -> impl Strategy<Value = Value> {
        testing::arb_json(KEYS)
            .strings("[a-z0-9_/:. &;]{0,16}")
            .floats(1e15)
            .depth(8, 96)
            .strategy()
    }

    const FIXTURES: [&str; 2] = [
        include_str!("../../tests/fixtures/reddit/comments_page.json"),
        include_str!("../../tests/fixtures/reddit/morechildren.json"),
    ];

    proptest! {
        #[test]
        fn arbitrary_json_never_panics(v in arb_json()) {
            let _ = detect(&v, 0);
            let _ = read(v);
        }

        #[test]
        fn mutated_fixtures_never_panic(which in 0usize..2, at in 0usize..500, repl in arb_json()) {
            let mut v: Value = serde_json::from_str(FIXTURES[which]).unwrap_or(Value::Null);
            let mut n = at;
            testing::mutate(&mut v, &mut n, &repl);
            let _ = read(v);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            read_json_bytes(&Reddit, &bytes, Path::new("b.json"), &ReadOptions::default(), &mut |_| {});
        }
    }
}
