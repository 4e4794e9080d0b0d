//! YouTube Data API v3 commentThreads and comments lists.
//!
//! # What is read
//!
//! - `commentThreads.list` responses (`kind: youtube#commentThreadListResponse`): each
//!   `youtube#commentThread` gives its `snippet.topLevelComment` and every comment in
//!   `replies.comments`;
//! - `comments.list` responses (`youtube#commentListResponse`, items `youtube#comment`, replies
//!   carrying `snippet.parentId`);
//! - `videos.list` responses (`youtube#videoListResponse`): the video as a post (title,
//!   description, channel, statistics);
//! - any of these items alone, in a JSON array, or one per NDJSON line; responses asked with
//!   a `fields` filter that dropped `kind` are recognised by their shape;
//! - `{"error": {...}}` answers and other resources (`youtube#searchResult`, channels,
//!   playlists…) are counted as skipped.
//!
//! # Mapping
//!
//! - `native_id` is the comment `id` (replies have ids like `TOP.REPLY`); a video's is its
//!   video id, so `root_id` of every comment is `snippet.videoId` — the native id of the video.
//! - Every comment is of kind `comment`. A top-level comment's parent is the video; a reply's
//!   parent is `snippet.parentId` (else the thread's top-level comment).
//! - Text is `textOriginal` (what the author typed); when only `textDisplay` was returned it
//!   is HTML and is converted to plain text.
//! - `authorDisplayName` is a handle (`@name`) since 2023: it becomes `author.handle` without
//!   `@`; an older display name without `@` becomes `author.name`, and the handle is then
//!   taken from `authorChannelUrl` (`…/@name`) when it has one. `author.id` is
//!   `authorChannelId.value`.
//! - `edited_at` is `updatedAt` when it differs from `publishedAt`.
//! - A top-level comment's `metrics.replies` is the thread's `totalReplyCount`; its `raw` is
//!   the thread without the replies (each reply keeps its own comment object as `raw`).
//! - `url` is `https://www.youtube.com/watch?v=VIDEO&lc=COMMENT`.

use crate::{Connector, Ctx, Out, util};
use serde_json::{Map, Value};
use tertulia_model::{Author, Network, Post, PostKind};
use util::{short, short_of};

/// Deepest array nesting followed (arrays of responses of responses…).
const MAX_DEPTH: usize = 4;

/// YouTube Data API v3 commentThreads and comments lists.
pub struct Youtube;

impl Connector for Youtube {
    fn name(&self) -> &'static str {
        "youtube"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["yt"]
    }

    fn describe(&self) -> &'static str {
        "YouTube Data API v3 commentThreads and comments lists."
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
            if m.get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k.starts_with("youtube#"))
            {
                return 95;
            }
            if m.contains_key("kind") {
                return 0;
            }
            if let Some(Value::Array(items)) = m.get("items") {
                return items.first().map_or(0, |v| detect(v, 1).min(80));
            }
            if m.get("error")
                .and_then(|e| e.get("errors"))
                .and_then(|e| e.get(0))
                .and_then(|e| e.get("domain"))
                .and_then(Value::as_str)
                .is_some_and(|d| d.starts_with("youtube"))
            {
                return 70;
            }
            match shape(m) {
                Some(_) => 80,
                None => 0,
            }
        }
        _ => 0,
    }
}

/// What a YouTube item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Thread,
    Comment,
    Video,
}

/// The kind of an item without `kind` (responses filtered with `fields=`), from its snippet.
fn shape(m: &Map<String, Value>) -> Option<Shape> {
    let snippet = m.get("snippet")?.as_object()?;
    if snippet.contains_key("topLevelComment") {
        Some(Shape::Thread)
    } else if snippet.contains_key("textOriginal")
        || snippet.contains_key("textDisplay")
        || snippet.contains_key("authorDisplayName")
    {
        Some(Shape::Comment)
    } else if snippet.contains_key("channelTitle") && m.get("id").is_some_and(Value::is_string) {
        Some(Shape::Video)
    } else {
        None
    }
}

fn read_value(value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>, depth: usize) {
    let mut m = match value {
        Value::Array(items) if depth < MAX_DEPTH => {
            for v in items {
                read_value(v, ctx, out, depth + 1);
            }
            return;
        }
        Value::Object(m) => m,
        other => {
            out(ctx.quarantine(
                "not a youtube api response or resource (expected a JSON object)",
                &other.to_string(),
            ));
            return;
        }
    };
    let kind = m.get("kind").and_then(Value::as_str).map(str::to_string);
    let shape = match kind.as_deref() {
        Some("youtube#commentThread") => Some(Shape::Thread),
        Some("youtube#comment") => Some(Shape::Comment),
        Some("youtube#video") => Some(Shape::Video),
        Some(_) => None,
        None => shape(&m),
    };
    if shape.is_none()
        && let Some(Value::Array(items)) = m.get_mut("items").map(std::mem::take)
    {
        if items.is_empty() {
            out(ctx.skipped("youtube empty list response"));
        }
        for v in items {
            read_value(v, ctx, out, depth + 1);
        }
        return;
    }
    match shape {
        Some(Shape::Thread) => read_thread(m, ctx, out),
        Some(Shape::Comment) => {
            let shown = || Value::Object(m.clone()).to_string();
            match comment_post(&m, None, None) {
                Ok(mut p) => {
                    p.raw = Value::Object(m);
                    out(ctx.post(p));
                }
                Err(why) => out(ctx.quarantine(why, &shown())),
            }
        }
        Some(Shape::Video) => match video_post(&m) {
            Ok(mut p) => {
                p.raw = Value::Object(m);
                out(ctx.post(p));
            }
            Err(why) => out(ctx.quarantine(why, &Value::Object(m).to_string())),
        },
        None => match kind {
            Some(k) if k.starts_with("youtube#") => out(ctx.skipped(format!(
                "youtube {} resource",
                util::bounded(k.trim_start_matches("youtube#"), 64)
            ))),
            _ if m.get("error").is_some_and(Value::is_object) => {
                out(ctx.skipped("youtube api error"))
            }
            _ => out(ctx.quarantine(
                "youtube object that is neither a comment thread, a comment nor a video",
                &Value::Object(m).to_string(),
            )),
        },
    }
}

fn read_thread(mut m: Map<String, Value>, ctx: &Ctx<'_>, out: &mut Out<'_>) {
    let replies = match m
        .get_mut("replies")
        .and_then(|r| r.get_mut("comments"))
        .map(std::mem::take)
    {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let snippet = m.get("snippet");
    let video = snippet.and_then(|s| short_of(s, "videoId"));
    let total = snippet.and_then(|s| util::u64_of(s, "totalReplyCount"));
    let top = snippet
        .and_then(|s| s.get("topLevelComment"))
        .and_then(Value::as_object);
    let top_id = match top {
        Some(top) => match comment_post(top, video.clone(), None) {
            Ok(mut p) => {
                p.metrics.replies = total;
                let id = p.native_id.clone();
                p.raw = Value::Object(m);
                out(ctx.post(p));
                Some(id)
            }
            Err(why) => {
                out(ctx.quarantine(why, &Value::Object(m).to_string()));
                None
            }
        },
        None if replies.is_empty() => {
            out(ctx.quarantine(
                "youtube comment thread without a top-level comment or replies",
                &Value::Object(m).to_string(),
            ));
            return;
        }
        // `part=id,replies`: the thread's id is its top-level comment's id.
        None => m.get("id").and_then(Value::as_str).map(short),
    };
    for r in replies {
        let Value::Object(r) = r else {
            out(ctx.quarantine("youtube reply is not a JSON object", &r.to_string()));
            continue;
        };
        match comment_post(&r, video.clone(), top_id.clone()) {
            Ok(mut p) => {
                p.raw = Value::Object(r);
                out(ctx.post(p));
            }
            Err(why) => out(ctx.quarantine(why, &Value::Object(r).to_string())),
        }
    }
}

/// An id that may go into a URL as it is (video and comment ids are `[A-Za-z0-9_.-]`).
fn url_safe(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// A comment resource as a post. `video` and `parent` are what the thread holding it says.
fn comment_post(
    m: &Map<String, Value>,
    video: Option<String>,
    parent: Option<String>,
) -> Result<Post, &'static str> {
    let id = match m.get("id") {
        Some(Value::String(s)) if !s.is_empty() => short(s),
        _ => return Err("youtube comment without an id"),
    };
    let empty = Value::Object(Map::new());
    let s = match m.get("snippet") {
        Some(s @ Value::Object(_)) => s,
        None => &empty,
        Some(_) => return Err("youtube comment whose snippet is not an object"),
    };
    let mut p = Post::new(Network::Youtube, id, PostKind::Comment);
    let text = util::nonempty_str_of(s, "textOriginal")
        .or_else(|| util::str_of(s, "textDisplay").map(|h| util::html_to_text(&h)))
        .unwrap_or_default();
    p.text = util::bounded(&text, util::MAX_TEXT_BYTES);
    p.author = author(s);
    let video = short_of(s, "videoId").or(video);
    p.parent_id = short_of(s, "parentId").or(parent).or_else(|| video.clone());
    if let Some(v) = &video
        && url_safe(v)
        && url_safe(&p.native_id)
    {
        p.url = Some(format!(
            "https://www.youtube.com/watch?v={v}&lc={}",
            p.native_id
        ));
    }
    p.root_id = video;
    p.created_at = util::time_of(s, "publishedAt");
    p.edited_at = util::time_of(s, "updatedAt").filter(|u| Some(*u) != p.created_at);
    p.metrics.likes = util::u64_of(s, "likeCount");
    p.hashtags = util::hashtags(&p.text);
    p.mentions = util::mentions(&p.text);
    p.links = util::links(&p.text);
    Ok(p)
}

/// The author of a comment snippet (see the module docs for handles).
fn author(s: &Value) -> Author {
    let display = short_of(s, "authorDisplayName");
    let channel_url = util::str_of(s, "authorChannelUrl");
    let from_url = channel_url
        .as_deref()
        .and_then(|u| u.split_once("/@"))
        .map(|(_, h)| h.trim_end_matches('/'))
        .filter(|h| !h.is_empty() && !h.contains('/'))
        .map(short);
    let (handle, name) = match display {
        Some(d) if d.starts_with('@') && d.len() > 1 => (Some(d[1..].to_string()), None),
        Some(d) => (from_url, Some(d)),
        None => (from_url, None),
    };
    Author {
        id: s.get("authorChannelId").and_then(|c| short_of(c, "value")),
        handle,
        name,
        ..Author::default()
    }
}

/// A video resource as a post.
fn video_post(m: &Map<String, Value>) -> Result<Post, &'static str> {
    let id = match m.get("id") {
        Some(Value::String(s)) if !s.is_empty() => short(s),
        _ => return Err("youtube video without a string id"),
    };
    let empty = Value::Object(Map::new());
    let s = m.get("snippet").filter(|s| s.is_object()).unwrap_or(&empty);
    let mut p = Post::new(Network::Youtube, id, PostKind::Post);
    if url_safe(&p.native_id) {
        p.url = Some(format!("https://www.youtube.com/watch?v={}", p.native_id));
    }
    p.title = short_of(s, "title").map(|t| util::bounded(&t, 4096));
    let text = util::str_of(s, "description").unwrap_or_default();
    p.text = util::bounded(&text, util::MAX_TEXT_BYTES);
    p.author = Author {
        id: short_of(s, "channelId"),
        name: short_of(s, "channelTitle"),
        ..Author::default()
    };
    p.lang = short_of(s, "defaultAudioLanguage").or_else(|| short_of(s, "defaultLanguage"));
    p.created_at = util::time_of(s, "publishedAt");
    if let Some(st) = m.get("statistics") {
        p.metrics.views = util::u64_of(st, "viewCount");
        p.metrics.likes = util::u64_of(st, "likeCount");
        p.metrics.replies = util::u64_of(st, "commentCount");
    }
    let full = p.full_text();
    p.hashtags = util::hashtags(&full);
    p.mentions = util::mentions(&full);
    p.links = util::links(&full);
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

    fn read(v: Value) -> Vec<Record> {
        testing::read_value(&Youtube, v)
    }

    fn posts(v: Value) -> Vec<Post> {
        testing::posts_of(read(v))
    }

    #[test]
    fn thread_with_replies() {
        let got = posts(json!({
            "kind": "youtube#commentThreadListResponse",
            "items": [{
                "kind": "youtube#commentThread",
                "id": "UgTop",
                "snippet": {
                    "videoId": "vid_1",
                    "totalReplyCount": 4,
                    "topLevelComment": {"kind": "youtube#comment", "id": "UgTop", "snippet": {
                        "textDisplay": "Hola &amp; <b>adiós</b>",
                        "authorDisplayName": "@ana",
                        "authorChannelId": {"value": "UC1"},
                        "publishedAt": "2026-11-01T10:00:00Z",
                        "updatedAt": "2026-11-01T11:00:00Z"
                    }}
                },
                "replies": {"comments": [{"kind": "youtube#comment", "id": "UgTop.R1", "snippet": {
                    "textOriginal": "@ana gracias", "parentId": "UgTop",
                    "authorDisplayName": "Old Name", "authorChannelUrl": "http://www.youtube.com/@oldname",
                    "publishedAt": "2026-11-01T12:00:00Z", "updatedAt": "2026-11-01T12:00:00Z"
                }}]}
            }]
        }));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].text, "Hola & adiós");
        assert_eq!(got[0].author.handle.as_deref(), Some("ana"));
        assert_eq!(got[0].author.id.as_deref(), Some("UC1"));
        assert_eq!(got[0].parent_id.as_deref(), Some("vid_1"));
        assert_eq!(got[0].root_id.as_deref(), Some("vid_1"));
        assert_eq!(got[0].metrics.replies, Some(4));
        assert!(got[0].edited_at.is_some());
        assert!(got[0].raw["replies"]["comments"].is_null());
        assert_eq!(got[1].parent_id.as_deref(), Some("UgTop"));
        assert_eq!(got[1].root_id.as_deref(), Some("vid_1"));
        assert_eq!(got[1].author.handle.as_deref(), Some("oldname"));
        assert_eq!(got[1].author.name.as_deref(), Some("Old Name"));
        assert_eq!(got[1].edited_at, None);
        assert_eq!(
            got[1].url.as_deref(),
            Some("https://www.youtube.com/watch?v=vid_1&lc=UgTop.R1")
        );
    }

    #[test]
    fn others_are_skipped_bad_ones_quarantined() {
        let got = read(json!([
            {"kind": "youtube#searchResult", "id": {"kind": "youtube#video", "videoId": "x"}},
            {"error": {"code": 403, "message": "quota", "errors": [{"domain": "youtube.quota"}]}},
            {"kind": "youtube#comment", "snippet": {"textOriginal": "no id"}},
            {"kind": "youtube#commentThread", "id": "T"},
            {"kind": "youtube#comment", "id": "C"}
        ]));
        assert!(
            matches!(&got[0], Record::Skipped { what, .. } if what == "youtube searchResult resource")
        );
        assert!(matches!(&got[1], Record::Skipped { what, .. } if what == "youtube api error"));
        assert!(matches!(got[2], Record::Quarantine { .. }));
        assert!(matches!(got[3], Record::Quarantine { .. }));
        assert!(matches!(got[4], Record::Item { .. }));
    }

    #[test]
    fn detection() {
        assert_eq!(
            detect(
                &json!({"kind": "youtube#commentListResponse", "items": []}),
                0
            ),
            95
        );
        assert_eq!(
            detect(&json!({"items": [{"snippet": {"topLevelComment": {}}}]}), 0),
            80
        );
        assert_eq!(detect(&json!({"kind": "Listing", "data": {}}), 0), 0);
        assert_eq!(detect(&json!({"id": "1", "text": "x"}), 0), 0);
    }

    /// The sample under `samples/` (imported by the README's first command) is detected as
    /// this connector and reads with no quarantined record.
    #[test]
    fn sample_imports_cleanly() {
        testing::assert_sample_bytes_import(
            "samples/youtube/vuelaya_comment_threads.json",
            include_bytes!("../../../../samples/youtube/vuelaya_comment_threads.json"),
            "youtube",
            6,
        );
    }

    const KEYS: &[&str] = &[
        "kind",
        "items",
        "id",
        "snippet",
        "topLevelComment",
        "replies",
        "comments",
        "videoId",
        "textOriginal",
        "textDisplay",
        "authorDisplayName",
        "authorChannelUrl",
        "authorChannelId",
        "value",
        "parentId",
        "likeCount",
        "publishedAt",
        "updatedAt",
        "totalReplyCount",
        "statistics",
        "channelTitle",
        "title",
        "error",
        "youtube#comment",
        "youtube#commentThread",
        "youtube#video",
    ];

    fn arb_json() -> impl Strategy<Value = Value> {
        testing::arb_json(KEYS)
            .strings("[a-zA-Z0-9_#@/:.<>& ]{0,16}")
            .strategy()
    }

    const FIXTURES: [&str; 2] = [
        include_str!("../../tests/fixtures/youtube/comment_threads.json"),
        include_str!("../../tests/fixtures/youtube/comments_list.json"),
    ];

    proptest! {
        #[test]
        fn arbitrary_json_never_panics(v in arb_json()) {
            let _ = detect(&v, 0);
            let _ = read(v);
        }

        #[test]
        fn mutated_fixtures_never_panic(which in 0usize..2, at in 0usize..300, repl in arb_json()) {
            let mut v: Value = serde_json::from_str(FIXTURES[which]).unwrap_or(Value::Null);
            let mut n = at;
            testing::mutate(&mut v, &mut n, &repl);
            let _ = read(v);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            read_json_bytes(&Youtube, &bytes, Path::new("b.json"), &ReadOptions::default(), &mut |_| {});
        }
    }
}
