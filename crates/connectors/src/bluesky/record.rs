//! Bluesky records (`app.bsky.feed.post`, `app.bsky.feed.repost`) and `PostView`s → posts.

use crate::util;
use serde_json::Value;
use tertulia_model::{Author, Media, Network, Post, PostKind};

/// The post collection.
pub const POST: &str = "app.bsky.feed.post";
/// The repost collection.
pub const REPOST: &str = "app.bsky.feed.repost";

/// The parts of an `at://{did}/{collection}/{rkey}` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtUri<'a> {
    /// The repository (a DID, or a handle).
    pub repo: &'a str,
    /// The collection NSID.
    pub collection: &'a str,
    /// The record key.
    pub rkey: &'a str,
}

/// Splits an `at://` URI with a repo, a collection and a record key.
pub fn parse_at_uri(uri: &str) -> Option<AtUri<'_>> {
    let rest = uri.strip_prefix("at://")?;
    let mut parts = rest.splitn(3, '/');
    let repo = parts.next().filter(|s| !s.is_empty())?;
    let collection = parts.next().filter(|s| !s.is_empty())?;
    let rkey = parts.next().filter(|s| !s.is_empty() && !s.contains('/'))?;
    Some(AtUri {
        repo,
        collection,
        rkey,
    })
}

/// The public web URL of a post.
pub fn web_url(handle_or_did: &str, rkey: &str) -> String {
    format!("https://bsky.app/profile/{handle_or_did}/post/{rkey}")
}

/// The author fields a source gives alongside a record.
#[derive(Debug, Clone, Default)]
pub struct Who {
    /// DID.
    pub did: String,
    /// Handle, when known (Jetstream gives only the DID).
    pub handle: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Followers, when given.
    pub followers: Option<u64>,
}

impl Who {
    /// From a `ProfileViewBasic` (`{did, handle, displayName}`).
    pub fn from_profile(p: &Value, fallback_did: &str) -> Who {
        Who {
            did: util::nonempty_str_of(p, "did").unwrap_or_else(|| fallback_did.to_string()),
            handle: util::nonempty_str_of(p, "handle").filter(|h| h != "handle.invalid"),
            name: util::nonempty_str_of(p, "displayName"),
            followers: util::u64_of(p, "followersCount"),
        }
    }

    fn author(&self) -> Author {
        Author {
            id: Some(self.did.clone()),
            handle: self.handle.clone(),
            name: self.name.clone(),
            followers: self.followers,
            verified: None,
            location: None,
        }
    }
}

/// A post from an `app.bsky.feed.post` record at `uri`, by `who`; `raw` is the source object.
pub fn post_from_record(uri: &str, who: &Who, record: &Value, raw: Value) -> Result<Post, String> {
    let at = parse_at_uri(uri).ok_or_else(|| format!("bad at:// uri {:?}", util::snippet(uri)))?;
    if !record.is_object() {
        return Err("bluesky post record is not an object".into());
    }
    let text = record.get("text").and_then(Value::as_str).unwrap_or("");
    let reply = record.get("reply");
    let parent = reply
        .and_then(|r| r.get("parent"))
        .and_then(|p| util::nonempty_str_of(p, "uri"));
    let root = reply
        .and_then(|r| r.get("root"))
        .and_then(|p| util::nonempty_str_of(p, "uri"));
    let embed = record.get("embed");
    let quote_of = embed.and_then(quoted_uri);
    let kind = if quote_of.is_some() {
        PostKind::Quote
    } else if parent.is_some() {
        PostKind::Reply
    } else {
        PostKind::Post
    };
    let mut p = Post::new(Network::Bluesky, uri, kind);
    p.url = Some(web_url(who.handle.as_deref().unwrap_or(&who.did), at.rkey));
    p.author = who.author();
    p.text = util::bounded(text, util::MAX_TEXT_BYTES);
    p.lang = record
        .get("langs")
        .and_then(Value::as_array)
        .and_then(|l| l.first())
        .and_then(Value::as_str)
        .filter(|l| !l.is_empty())
        .map(util::snippet);
    p.created_at = util::time_of(record, "createdAt");
    p.parent_id = parent;
    p.root_id = root;
    p.quote_of = quote_of;
    match record.get("facets").and_then(Value::as_array) {
        Some(facets) => apply_facets(&mut p, text, facets),
        None => {
            p.hashtags = util::hashtags(text);
            p.mentions = util::mentions(text);
            p.links = util::links(text);
        }
    }
    if let Some(e) = embed {
        embed_media(&mut p, e);
    }
    p.raw = raw;
    Ok(p)
}

/// A reshare from an `app.bsky.feed.repost` record (`{subject: {uri, cid}, createdAt}`).
pub fn repost_from_record(
    uri: &str,
    who: &Who,
    record: &Value,
    raw: Value,
) -> Result<Post, String> {
    parse_at_uri(uri).ok_or_else(|| format!("bad at:// uri {:?}", util::snippet(uri)))?;
    let subject = record
        .get("subject")
        .and_then(|s| util::nonempty_str_of(s, "uri"))
        .ok_or("bluesky repost without subject uri")?;
    let mut p = Post::new(Network::Bluesky, uri, PostKind::Reshare);
    p.author = who.author();
    p.created_at = util::time_of(record, "createdAt");
    p.reshare_of = Some(subject);
    p.raw = raw;
    Ok(p)
}

/// The post a record embed quotes (`app.bsky.embed.record`, or the record part of
/// `recordWithMedia`), when it is a post (not a feed, list or starter pack).
fn quoted_uri(embed: &Value) -> Option<String> {
    let t = embed.get("$type").and_then(Value::as_str).unwrap_or("");
    let rec = match t {
        "app.bsky.embed.record" => embed.get("record"),
        "app.bsky.embed.recordWithMedia" => embed.get("record").and_then(|r| r.get("record")),
        _ => None,
    }?;
    let uri = util::nonempty_str_of(rec, "uri")?;
    (parse_at_uri(&uri)?.collection == POST).then_some(uri)
}

fn embed_media(p: &mut Post, embed: &Value) {
    let t = embed.get("$type").and_then(Value::as_str).unwrap_or("");
    match t {
        "app.bsky.embed.images" => {
            for img in embed
                .get("images")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                p.media.push(Media {
                    kind: "photo".into(),
                    url: None,
                    id: img.get("image").and_then(blob_cid),
                    alt: util::nonempty_str_of(img, "alt"),
                });
            }
        }
        "app.bsky.embed.video" => p.media.push(Media {
            kind: "video".into(),
            url: None,
            id: embed.get("video").and_then(blob_cid),
            alt: util::nonempty_str_of(embed, "alt"),
        }),
        "app.bsky.embed.external" => {
            if let Some(u) = embed
                .get("external")
                .and_then(|x| util::nonempty_str_of(x, "uri"))
                && !p.links.contains(&u)
            {
                p.links.push(u);
            }
        }
        "app.bsky.embed.recordWithMedia" => {
            if let Some(m) = embed
                .get("media")
                .filter(|m| m.get("$type") != embed.get("$type"))
            {
                embed_media(p, m);
            }
        }
        _ => {}
    }
}

/// The CID of a blob (`{"$type": "blob", "ref": {"$link": CID}}`, or the legacy `{"cid"}`).
fn blob_cid(b: &Value) -> Option<String> {
    b.get("ref")
        .and_then(|r| util::nonempty_str_of(r, "$link"))
        .or_else(|| util::nonempty_str_of(b, "cid"))
}

/// Hashtags, mentions and links from rich-text facets. A mention's handle is the text slice
/// the facet points at (byte offsets into UTF-8), without `@`; the DID when the slice is bad.
fn apply_facets(p: &mut Post, text: &str, facets: &[Value]) {
    let push = |v: &mut Vec<String>, s: String| {
        if !s.is_empty() && !v.contains(&s) {
            v.push(s);
        }
    };
    for f in facets {
        let index = f.get("index");
        let start = index.and_then(|i| util::u64_of(i, "byteStart"));
        let end = index.and_then(|i| util::u64_of(i, "byteEnd"));
        let slice = match (start, end) {
            (Some(s), Some(e)) if s <= e => usize::try_from(s)
                .ok()
                .zip(usize::try_from(e).ok())
                .and_then(|(s, e)| text.get(s..e)),
            _ => None,
        };
        for feat in f
            .get("features")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            match feat.get("$type").and_then(Value::as_str).unwrap_or("") {
                "app.bsky.richtext.facet#mention" => {
                    let handle = slice
                        .map(|s| s.trim().trim_start_matches('@').to_string())
                        .filter(|s| !s.is_empty())
                        .or_else(|| util::nonempty_str_of(feat, "did"));
                    if let Some(h) = handle {
                        push(&mut p.mentions, h);
                    }
                }
                "app.bsky.richtext.facet#link" => {
                    if let Some(u) = util::nonempty_str_of(feat, "uri") {
                        push(&mut p.links, u);
                    }
                }
                "app.bsky.richtext.facet#tag" => {
                    if let Some(t) = util::nonempty_str_of(feat, "tag") {
                        push(&mut p.hashtags, t.trim_start_matches('#').to_string());
                    }
                }
                _ => {}
            }
        }
    }
}

/// A post from a `PostView` (`{uri, cid, author, record, embed, likeCount, …, indexedAt}`),
/// with its counters and the media URLs of its embed view.
pub fn post_from_view(view: &Value) -> Result<Post, String> {
    let uri = util::nonempty_str_of(view, "uri").ok_or("bluesky post view without uri")?;
    let at =
        parse_at_uri(&uri).ok_or_else(|| format!("bad at:// uri {:?}", util::snippet(&uri)))?;
    let who = Who::from_profile(view.get("author").unwrap_or(&Value::Null), at.repo);
    // viewRecord (quoted posts) carries the record as `value`.
    let record = view
        .get("record")
        .filter(|r| r.is_object())
        .or_else(|| view.get("value"))
        .ok_or("bluesky post view without record")?;
    let mut p = post_from_record(&uri, &who, record, view.clone())?;
    if p.created_at.is_none() {
        p.created_at = util::time_of(view, "indexedAt");
    }
    p.metrics.likes = util::u64_of(view, "likeCount");
    p.metrics.reshares = util::u64_of(view, "repostCount");
    p.metrics.replies = util::u64_of(view, "replyCount");
    p.metrics.quotes = util::u64_of(view, "quoteCount");
    let embed_view = view
        .get("embed")
        .or_else(|| view.get("embeds").and_then(|e| e.get(0)));
    if let Some(images) = embed_view.and_then(view_images) {
        for (m, img) in p.media.iter_mut().filter(|m| m.kind == "photo").zip(images) {
            m.url = util::nonempty_str_of(img, "fullsize")
                .or_else(|| util::nonempty_str_of(img, "thumb"));
        }
    }
    Ok(p)
}

fn view_images(embed_view: &Value) -> Option<&Vec<Value>> {
    embed_view
        .get("images")
        .or_else(|| embed_view.get("media").and_then(|m| m.get("images")))
        .and_then(Value::as_array)
}

/// The quoted post's full view inside an embed view (`app.bsky.embed.record#view` or
/// `recordWithMedia#view`), when it is a readable post (`#viewRecord`).
pub fn quoted_view(embed_view: &Value) -> Option<&Value> {
    let rec = embed_view.get("record")?;
    let rec = if rec.get("$type").and_then(Value::as_str) == Some("app.bsky.embed.record#view") {
        rec.get("record")?
    } else {
        rec
    };
    let is_view_record =
        rec.get("$type").and_then(Value::as_str) == Some("app.bsky.embed.record#viewRecord");
    let is_post = rec
        .get("uri")
        .and_then(Value::as_str)
        .and_then(parse_at_uri)
        .is_some_and(|a| a.collection == POST);
    (is_view_record && is_post).then_some(rec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn at_uris() {
        assert_eq!(
            parse_at_uri("at://did:plc:abc/app.bsky.feed.post/3k2"),
            Some(AtUri {
                repo: "did:plc:abc",
                collection: POST,
                rkey: "3k2"
            })
        );
        assert_eq!(parse_at_uri("at://did:plc:abc/app.bsky.feed.post"), None);
        assert_eq!(parse_at_uri("https://bsky.app"), None);
    }

    #[test]
    fn facets_are_byte_slices_even_after_accents() {
        // "¿Qué tal @vuelaya.bsky.social? #Vuelos" — `¿` and `é` are two bytes each.
        let text = "¿Qué tal @vuelaya.bsky.social? #Vuelos https://vuelaya.example";
        let at = text.find('@').unwrap_or(0);
        let end = at + "@vuelaya.bsky.social".len();
        let record = json!({
            "text": text, "createdAt": "2026-11-02T10:00:00.000Z", "langs": ["es"],
            "facets": [
                {"index": {"byteStart": at, "byteEnd": end},
                 "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:v"}]},
                {"index": {"byteStart": 2, "byteEnd": 5},
                 "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:w"}]},
                {"index": {"byteStart": 0, "byteEnd": 999},
                 "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "Vuelos"},
                              {"$type": "app.bsky.richtext.facet#link", "uri": "https://vuelaya.example"}]}
            ]
        });
        let who = Who {
            did: "did:plc:a".into(),
            ..Who::default()
        };
        let p = post_from_record(
            "at://did:plc:a/app.bsky.feed.post/1",
            &who,
            &record,
            json!({}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        // The second facet cuts `é` in half: the DID stands in for the handle.
        assert_eq!(p.mentions, vec!["vuelaya.bsky.social", "did:plc:w"]);
        assert_eq!(p.hashtags, vec!["Vuelos"]);
        assert_eq!(p.links, vec!["https://vuelaya.example"]);
        assert_eq!(p.lang.as_deref(), Some("es"));
        assert_eq!(
            p.url.as_deref(),
            Some("https://bsky.app/profile/did:plc:a/post/1")
        );
    }

    #[test]
    fn quote_of_a_feed_generator_is_not_a_quote() {
        let e = json!({"$type": "app.bsky.embed.record",
                       "record": {"uri": "at://did:plc:a/app.bsky.feed.generator/x", "cid": "c"}});
        assert_eq!(quoted_uri(&e), None);
        let e = json!({"$type": "app.bsky.embed.recordWithMedia",
                       "record": {"record": {"uri": "at://did:plc:a/app.bsky.feed.post/x"}}});
        assert_eq!(
            quoted_uri(&e).as_deref(),
            Some("at://did:plc:a/app.bsky.feed.post/x")
        );
    }
}
