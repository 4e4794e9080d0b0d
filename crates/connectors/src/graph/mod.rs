//! Facebook and Instagram Graph API pages of posts, feeds and comments.
//!
//! # What is read
//!
//! - Pages of any edge: `{"data": [...], "paging": {"cursors": {...}, "next": "..."}}` as
//!   `/{page}/posts`, `/{page}/feed`, `/{object}/comments`, `/{ig-user}/media`,
//!   `/{ig-media}/comments`, `/{ig-comment}/replies` return them (also a page per NDJSON line);
//! - a single object (`GET /{post-id}`, `GET /{ig-media-id}`, `GET /{comment-id}`), or an
//!   array of them;
//! - an account object with edges asked through field expansion
//!   (`GET /{page}?fields=posts{...}` → `{"id": ..., "posts": {"data": [...]}}`);
//! - `{"error": {...}}` answers, counted as skipped.
//!
//! Items embedded in other items (`comments{...}` inside a Facebook post or an Instagram media,
//! `comments{...}` inside a Facebook comment, `replies{...}` inside an Instagram comment) are
//! posts too: each is emitted once, after the item that holds it, with `parent_id` (the item
//! holding it, or its own `parent`/`parent_id` field) and `root_id` (the post or media at the
//! top). The holder's `raw` keeps its edge's `summary` and `paging` but not the `data` array
//! (those items have their own `raw`).
//!
//! # Facebook or Instagram?
//!
//! The Graph API uses the same envelope for both, and the connector is not told which
//! `--source` alias (`facebook`, `instagram`, …) was used, so the network is decided from the
//! shape of each item:
//!
//! 1. an item nested in another item has the network of that item;
//! 2. otherwise its own fields vote: Instagram-only fields (`timestamp`, `media_type`,
//!    `media_url`, `media_product_type`, `thumbnail_url`, `caption`, `comments_count`,
//!    `username`, `text`, `hidden`, `from.username`, a `permalink` on instagram.com) against
//!    Facebook-only fields (`created_time`, `updated_time`, `message`, `story`, `shares`,
//!    `reactions`, `comment_count`, `status_type`, `full_picture`, `attachments`, `attachment`,
//!    `permalink_url`, `parent` as an object, `from.name`, and an id of the form `A_B`, which
//!    Instagram never uses); `timestamp`/`created_time` and an instagram.com permalink weigh
//!    most;
//! 3. when the vote is a tie, the page decides: a `paging` URL on graph.instagram.com means
//!    Instagram, else the majority of the page's decided items; else Facebook.
//!
//! # Post or comment?
//!
//! Nested items are comments. At the top level, the page's `paging.next`/`previous` URL names
//! the edge (`…/{id}/comments` or `…/replies` → comments whose parent is `{id}` unless they
//! carry their own `parent`; `…/posts`, `/feed`, `/media`… → posts); without it, fields decide
//! (Facebook: `parent`, `comment_count`, `like_count`, `can_comment`, `attachment`, `object`…
//! mean a comment; Instagram: `caption`, `media_type`, `permalink`… mean a media, `text`,
//! `parent_id`, `from`, `replies`, `media` a comment). A comment without `message`/`text` is
//! still a comment (empty text); an item without a time still imports.
//!
//! # Choices
//!
//! - Facebook `updated_time` is not an edit time (it moves when someone comments), so
//!   `edited_at` is left empty; the field stays in `raw`.
//! - `story` ("Vuelaya shared a link.") is written by Facebook, not the author: it is not used
//!   as text.
//! - A Facebook post with `parent_id` shares another post: a reshare (`reshare_of`) when it has
//!   no message of its own, else a quote (`quote_of`); its text is its own message.
//! - likes = `reactions.summary.total_count`, else `likes.summary.total_count`, else
//!   `like_count`; replies = `comments.summary.total_count`, else `comment_count` /
//!   `comments_count`; reshares = `shares.count`.

use crate::{Connector, Ctx, Out, util};
use serde_json::{Map, Value};
use tertulia_model::{Author, Media, Network, Post, PostKind};
use util::{short, short_of};

/// Deepest nesting of comments followed (the API nests two levels; this bounds hostile input).
const MAX_DEPTH: usize = 32;
/// Edges of an account object that hold pages of posts.
const POST_EDGES: [&str; 7] = [
    "posts",
    "feed",
    "published_posts",
    "visitor_posts",
    "tagged",
    "media",
    "tags",
];

/// Facebook and Instagram Graph API pages of posts, feeds and comments.
pub struct Graph;

/// Which edge a page came from, as its paging URL says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// Posts, feed, media…
    Posts,
    /// Comments (`/{post-or-comment}/comments`, `/{ig-media}/comments`).
    Comments,
    /// Instagram replies (`/{ig-comment}/replies`).
    Replies,
}

/// What a page's `paging` URLs say about its items.
#[derive(Debug, Clone, Default, PartialEq)]
struct PageHint {
    /// The edge read.
    edge: Option<Edge>,
    /// The object whose edge it is (`/{object}/comments`), when it is an id.
    object: Option<String>,
    /// The network, when the host says (graph.instagram.com).
    network: Option<Network>,
}

/// The item holding a nested item.
#[derive(Debug, Clone)]
struct Holder {
    network: Network,
    id: String,
    root: Option<String>,
}

impl Connector for Graph {
    fn name(&self) -> &'static str {
        "graph"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["facebook", "instagram", "fb", "ig"]
    }

    fn describe(&self) -> &'static str {
        "Facebook and Instagram Graph API pages of posts, feeds and comments."
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
            if let Some(Value::Array(items)) = m.get("data") {
                let paged = m.get("paging").is_some_and(Value::is_object);
                return match items.first() {
                    Some(first) if looks_graph(first) => {
                        if paged {
                            95
                        } else {
                            70
                        }
                    }
                    None if paged && m.len() <= 3 => 50,
                    _ => 0,
                };
            }
            if let Some(err) = m.get("error").and_then(Value::as_object) {
                return if err.contains_key("fbtrace_id") {
                    70
                } else {
                    0
                };
            }
            if m.contains_key("id") && container_edges(m).next().is_some() {
                return 85;
            }
            if looks_graph(value) { 80 } else { 0 }
        }
        _ => 0,
    }
}

/// An object with a Graph id and a field only the Graph API uses, and nothing of the networks
/// whose objects also have `id` and `text` (X, Reddit, YouTube, Mastodon, Bluesky).
fn looks_graph(v: &Value) -> bool {
    let Some(m) = v.as_object() else {
        return false;
    };
    let foreign = [
        "created_at",
        "author_id",
        "edit_history_tweet_ids",
        "subreddit",
        "kind",
        "uri",
        "cid",
        "content",
        "snippet",
    ];
    if !m.contains_key("id") || foreign.iter().any(|k| m.contains_key(*k)) {
        return false;
    }
    m.get("created_time").is_some_and(Value::is_string)
        || m.get("timestamp").is_some_and(Value::is_string)
        || m.contains_key("media_type")
        || m.contains_key("permalink_url")
        || is_instagram_url(m.get("permalink"))
}

fn is_instagram_url(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str)
        .is_some_and(|u| u.contains("instagram.com/"))
}

/// Edges of an account object holding pages of posts (`{"id": …, "posts": {"data": […]}}`).
fn container_edges(m: &Map<String, Value>) -> impl Iterator<Item = &'static str> + '_ {
    POST_EDGES.into_iter().filter(|e| {
        m.get(*e)
            .and_then(|v| v.get("data"))
            .is_some_and(Value::is_array)
    })
}

fn read_value(value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>, depth: usize) {
    match value {
        Value::Array(items) if depth < 2 => {
            let hint = PageHint::default();
            let majority = page_majority(&items, &hint);
            for item in items {
                match item {
                    Value::Object(m) if m.get("data").is_some_and(Value::is_array) => {
                        read_value(Value::Object(m), ctx, out, depth + 1)
                    }
                    other => read_item(other, ctx, out, &hint, majority, None, 0),
                }
            }
        }
        Value::Object(mut m) => {
            if let Some(Value::Array(items)) = m.get_mut("data").map(std::mem::take) {
                let hint = page_hint(m.get("paging"));
                let majority = page_majority(&items, &hint);
                if items.is_empty() {
                    out(ctx.skipped("graph api empty page"));
                }
                for item in items {
                    read_item(item, ctx, out, &hint, majority, None, 0);
                }
            } else if m.get("error").is_some_and(Value::is_object) && !m.contains_key("id") {
                out(ctx.skipped("graph api error"));
            } else if m.contains_key("id") && container_edges(&m).next().is_some() {
                let edges: Vec<&str> = container_edges(&m).collect();
                for e in edges {
                    if let Some(page) = m.remove(e) {
                        read_value(page, ctx, out, depth + 1);
                    }
                }
            } else {
                read_item(
                    Value::Object(m),
                    ctx,
                    out,
                    &PageHint::default(),
                    None,
                    None,
                    0,
                );
            }
        }
        other => out(ctx.quarantine(
            "not a graph api page or object (expected a JSON object)",
            &other.to_string(),
        )),
    }
}

/// Reads what a page's `paging.next` (or `previous`) URL says about the page.
fn page_hint(paging: Option<&Value>) -> PageHint {
    let mut hint = PageHint::default();
    let Some(url) = paging
        .and_then(|p| p.get("next").or_else(|| p.get("previous")))
        .and_then(Value::as_str)
    else {
        return hint;
    };
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.contains("instagram.com") {
        hint.network = Some(Network::Instagram);
    }
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let segs: &[&str] = match segs.first() {
        Some(v) if is_version(v) => &segs[1..],
        _ => &segs,
    };
    if let [.., object, edge] = segs {
        hint.edge = match *edge {
            "comments" => Some(Edge::Comments),
            "replies" => Some(Edge::Replies),
            "posts" | "feed" | "published_posts" | "visitor_posts" | "tagged" | "media"
            | "tags" | "recent_media" | "top_media" | "mentioned_media" | "stories" => {
                Some(Edge::Posts)
            }
            _ => None,
        };
        if is_id(object) {
            hint.object = Some((*object).to_string());
        }
    }
    hint
}

fn is_version(s: &str) -> bool {
    s.strip_prefix('v')
        .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// A Graph id: digits, optionally `A_B` (Facebook posts and comments).
fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && s.bytes().any(|b| b.is_ascii_digit())
}

/// The network most of a page's items vote for (ties → none).
fn page_majority(items: &[Value], hint: &PageHint) -> Option<Network> {
    if hint.network.is_some() {
        return hint.network;
    }
    let (mut ig, mut fb) = (0usize, 0usize);
    for m in items.iter().filter_map(Value::as_object) {
        match shape(m) {
            Some(Network::Instagram) => ig += 1,
            Some(_) => fb += 1,
            None => {}
        }
    }
    match ig.cmp(&fb) {
        std::cmp::Ordering::Greater => Some(Network::Instagram),
        std::cmp::Ordering::Less => Some(Network::Facebook),
        std::cmp::Ordering::Equal => None,
    }
}

/// The network an item's own fields vote for (see the module docs), or `None` on a tie.
fn shape(m: &Map<String, Value>) -> Option<Network> {
    let has = |k: &str| m.contains_key(k);
    let mut ig = 0u32;
    let mut fb = 0u32;
    if m.get("timestamp").is_some_and(Value::is_string) {
        ig += 3;
    }
    if is_instagram_url(m.get("permalink")) {
        ig += 3;
    }
    for k in [
        "media_type",
        "media_url",
        "media_product_type",
        "thumbnail_url",
        "caption",
        "comments_count",
        "username",
        "text",
        "hidden",
    ] {
        ig += u32::from(has(k));
    }
    let from = m.get("from");
    if from.and_then(|f| f.get("username")).is_some() {
        ig += 1;
    }
    if m.get("created_time").is_some_and(Value::is_string) {
        fb += 3;
    }
    for k in [
        "updated_time",
        "message",
        "story",
        "shares",
        "reactions",
        "comment_count",
        "status_type",
        "full_picture",
        "attachments",
        "attachment",
        "permalink_url",
    ] {
        fb += u32::from(has(k));
    }
    if m.get("parent").is_some_and(Value::is_object) {
        fb += 1;
    }
    if from.and_then(|f| f.get("name")).is_some() {
        fb += 1;
    }
    if m.get("id")
        .and_then(Value::as_str)
        .is_some_and(|id| id.contains('_'))
    {
        fb += 2;
    }
    match ig.cmp(&fb) {
        std::cmp::Ordering::Greater => Some(Network::Instagram),
        std::cmp::Ordering::Less => Some(Network::Facebook),
        std::cmp::Ordering::Equal => None,
    }
}

/// Whether a top-level item (not nested, no edge known) is a comment, from its fields.
fn looks_comment(m: &Map<String, Value>, network: Network) -> bool {
    let has = |k: &str| m.contains_key(k);
    if network == Network::Instagram {
        let media = [
            "caption",
            "media_type",
            "media_url",
            "permalink",
            "comments_count",
            "children",
            "owner",
            "media_product_type",
            "thumbnail_url",
        ];
        if media.iter().any(|k| has(k)) {
            return false;
        }
        ["text", "parent_id", "from", "hidden", "replies", "media"]
            .iter()
            .any(|k| has(k))
    } else {
        m.get("parent").is_some_and(Value::is_object)
            || [
                "comment_count",
                "like_count",
                "can_comment",
                "can_remove",
                "can_like",
                "user_likes",
                "attachment",
                "object",
            ]
            .iter()
            .any(|k| has(k))
    }
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, k| v.get(*k))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// `edge.summary.total_count` (reactions, likes, comments).
fn summary_count(v: &Value, edge: &str) -> Option<u64> {
    v.get(edge)
        .and_then(|e| e.get("summary"))
        .and_then(|s| util::u64_of(s, "total_count"))
}

/// An `http(s)` URL, bounded, or nothing.
fn web_url(s: Option<String>) -> Option<String> {
    s.filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(|u| short(&u))
}

/// Takes the `data` array out of an edge (`comments`, `replies`), leaving its summary/paging.
fn take_edge(m: &mut Map<String, Value>, edge: &str) -> Vec<Value> {
    match m.get_mut(edge) {
        Some(Value::Object(e)) => match e.get_mut("data").map(std::mem::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn read_item(
    value: Value,
    ctx: &Ctx<'_>,
    out: &mut Out<'_>,
    hint: &PageHint,
    page_network: Option<Network>,
    holder: Option<&Holder>,
    depth: usize,
) {
    let Value::Object(mut m) = value else {
        out(ctx.quarantine("graph item is not a JSON object", &value_snippet(&value)));
        return;
    };
    let Some(id) = m.get("id").and_then(id_text) else {
        out(ctx.quarantine("graph item without an id", &Value::Object(m).to_string()));
        return;
    };
    let id = short(&id);
    let network = ctx
        .opts
        .network
        .filter(|n| matches!(n, Network::Facebook | Network::Instagram))
        .or_else(|| holder.map(|h| h.network))
        .or_else(|| shape(&m))
        .or(page_network)
        .or(hint.network)
        .unwrap_or(Network::Facebook);
    let is_comment = holder.is_some()
        || match hint.edge {
            Some(Edge::Comments | Edge::Replies) => true,
            Some(Edge::Posts) => false,
            None => looks_comment(&m, network),
        };
    let mut children = take_edge(&mut m, "comments");
    if network == Network::Instagram {
        children.extend(take_edge(&mut m, "replies"));
    }
    let raw = Value::Object(m);
    let post = if network == Network::Instagram {
        instagram_post(&raw, id, is_comment, hint, holder)
    } else {
        facebook_post(&raw, id, is_comment, hint, holder)
    };
    let Some(mut post) = post else {
        return;
    };
    let me = Holder {
        network,
        id: post.native_id.clone(),
        root: if is_comment {
            post.root_id.clone()
        } else {
            Some(post.native_id.clone())
        },
    };
    post.raw = raw;
    out(ctx.post(post));
    if depth >= MAX_DEPTH {
        if !children.is_empty() {
            out(ctx.quarantine(
                format!("graph comments nested deeper than {MAX_DEPTH} levels"),
                "",
            ));
        }
        return;
    }
    for child in children {
        read_item(child, ctx, out, hint, page_network, Some(&me), depth + 1);
    }
}

/// An id as text: a string or a number.
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn value_snippet(v: &Value) -> String {
    util::snippet(&v.to_string())
}

/// Whether the object of a comments page (`/{object}/comments`) is the post or media at the
/// top of the thread, for the comment `id` read from it. Instagram: `/comments` hangs off a
/// media, `/replies` off a comment. Facebook: a post id is `PAGE_POST` and a comment id
/// `POST_COMMENT`, so the object is the post when its id ends with the comment's prefix.
fn object_is_top(network: Network, edge: Option<Edge>, object: &str, id: &str) -> bool {
    match (network, edge) {
        (Network::Instagram, Some(Edge::Comments)) => true,
        (Network::Instagram, _) => false,
        (_, Some(Edge::Comments)) => match (object.split_once('_'), id.split_once('_')) {
            (Some((_, post)), Some((prefix, _))) => post == prefix,
            _ => false,
        },
        _ => false,
    }
}

/// Parent and root of a comment: its own parent field, else the holder, else the page's
/// object (`/{object}/comments`).
fn comment_links(
    id: &str,
    network: Network,
    own_parent: Option<String>,
    own_root: Option<String>,
    hint: &PageHint,
    holder: Option<&Holder>,
) -> (Option<String>, Option<String>) {
    if let Some(h) = holder {
        let root = own_root.or_else(|| h.root.clone());
        return (Some(own_parent.unwrap_or_else(|| h.id.clone())), root);
    }
    let object = hint
        .object
        .clone()
        .filter(|_| matches!(hint.edge, Some(Edge::Comments | Edge::Replies)));
    let top = object
        .clone()
        .filter(|o| object_is_top(network, hint.edge, o, id));
    match own_parent {
        Some(p) => {
            // `/{post}/comments?filter=stream` lists replies with their own parent: the
            // page's object is then the post at the top.
            let root = own_root.or(top).or_else(|| object.filter(|o| *o != p));
            (Some(p), root)
        }
        None => (object, own_root.or(top)),
    }
}

fn facebook_post(
    v: &Value,
    id: String,
    is_comment: bool,
    hint: &PageHint,
    holder: Option<&Holder>,
) -> Option<Post> {
    let text = util::str_of(v, "message").unwrap_or_default();
    let text = util::bounded(&text, util::MAX_TEXT_BYTES);
    let shared = (!is_comment).then(|| short_of(v, "parent_id")).flatten();
    let kind = match (&shared, is_comment) {
        (_, true) => PostKind::Comment,
        (Some(_), false) if text.trim().is_empty() => PostKind::Reshare,
        (Some(_), false) => PostKind::Quote,
        (None, false) => PostKind::Post,
    };
    let mut p = Post::new(Network::Facebook, id, kind);
    if let Some(from) = v.get("from") {
        p.author = Author {
            id: short_of(from, "id"),
            name: short_of(from, "name"),
            ..Author::default()
        };
    }
    p.created_at = util::time_of(v, "created_time");
    p.url = web_url(util::str_of(v, "permalink_url")).or_else(|| {
        (kind != PostKind::Comment && is_id(&p.native_id))
            .then(|| format!("https://www.facebook.com/{}", p.native_id))
    });
    match kind {
        PostKind::Reshare => p.reshare_of = shared,
        PostKind::Quote => p.quote_of = shared,
        _ => {}
    }
    if is_comment {
        let own = v
            .get("parent")
            .and_then(|p| p.get("id"))
            .and_then(id_text)
            .map(|s| short(&s));
        let (parent, root) =
            comment_links(&p.native_id, Network::Facebook, own, None, hint, holder);
        p.parent_id = parent;
        p.root_id = root;
    }
    p.metrics.likes = summary_count(v, "reactions")
        .or_else(|| summary_count(v, "likes"))
        .or_else(|| util::u64_of(v, "like_count"));
    p.metrics.reshares = v.get("shares").and_then(|s| util::u64_of(s, "count"));
    p.metrics.replies = summary_count(v, "comments").or_else(|| util::u64_of(v, "comment_count"));
    p.hashtags = util::hashtags(&text);
    p.mentions = util::mentions(&text);
    p.links = util::links(&text);
    let mut attachments: Vec<&Value> = Vec::new();
    if let Some(Value::Array(items)) = v.get("attachments").and_then(|a| a.get("data")) {
        for a in items {
            attachments.push(a);
            if let Some(Value::Array(subs)) = a.get("subattachments").and_then(|s| s.get("data")) {
                attachments.extend(subs.iter());
            }
        }
    }
    if let Some(a) = v.get("attachment").filter(|a| a.is_object()) {
        attachments.push(a);
    }
    for a in attachments.into_iter().take(64) {
        facebook_attachment(a, &mut p);
    }
    if p.media.is_empty()
        && let Some(pic) = web_url(util::str_of(v, "full_picture"))
    {
        p.media.push(Media {
            kind: "photo".into(),
            url: Some(pic),
            ..Media::default()
        });
    }
    p.text = text;
    Some(p)
}

/// One entry of `attachments.data` (or a comment's `attachment`): media, or a shared link.
fn facebook_attachment(a: &Value, p: &mut Post) {
    let kind = str_at(a, &["media_type"])
        .or_else(|| str_at(a, &["type"]))
        .unwrap_or("link")
        .to_ascii_lowercase();
    let link = web_url(util::str_of(a, "unshimmed_url").or_else(|| util::str_of(a, "url")));
    let media_url = web_url(
        str_at(a, &["media", "source"])
            .or_else(|| str_at(a, &["media", "image", "src"]))
            .map(str::to_string),
    );
    let is_link = matches!(kind.as_str(), "link" | "share" | "native_templates");
    if is_link {
        if let Some(l) = link
            && !p.links.contains(&l)
        {
            p.links.push(l);
        }
        return;
    }
    if kind == "album" && media_url.is_none() {
        return; // its subattachments carry the pictures
    }
    let kind = match kind.as_str() {
        "video_inline" | "video_autoplay" | "video_share_youtube" | "video" => "video",
        "photo" | "cover_photo" | "profile_media" => "photo",
        "animated_image_share" | "animated_image_video" | "animated_image_autoplay" => {
            "animated_gif"
        }
        "sticker" => "sticker",
        _ => "photo",
    };
    p.media.push(Media {
        kind: kind.to_string(),
        url: media_url.or(link),
        id: str_at(a, &["target", "id"]).map(short),
        alt: str_at(a, &["description"]).map(|s| util::bounded(s, 4096)),
    });
}

fn instagram_post(
    v: &Value,
    id: String,
    is_comment: bool,
    hint: &PageHint,
    holder: Option<&Holder>,
) -> Option<Post> {
    let field = if is_comment { "text" } else { "caption" };
    let text = util::str_of(v, field)
        .or_else(|| util::str_of(v, if is_comment { "caption" } else { "text" }))
        .unwrap_or_default();
    let text = util::bounded(&text, util::MAX_TEXT_BYTES);
    let kind = if is_comment {
        PostKind::Comment
    } else {
        PostKind::Post
    };
    let mut p = Post::new(Network::Instagram, id, kind);
    let from = v.get("from").or_else(|| v.get("owner"));
    p.author = Author {
        id: from.and_then(|f| short_of(f, "id")),
        handle: from
            .and_then(|f| short_of(f, "username"))
            .or_else(|| short_of(v, "username")),
        ..Author::default()
    };
    p.created_at = util::time_of(v, "timestamp");
    p.url = web_url(util::str_of(v, "permalink"));
    if is_comment {
        let own = v.get("parent_id").and_then(id_text).map(|s| short(&s));
        let media = v
            .get("media")
            .and_then(|m| m.get("id"))
            .and_then(id_text)
            .map(|s| short(&s));
        let (parent, root) = comment_links(
            &p.native_id,
            Network::Instagram,
            own,
            media.clone(),
            hint,
            holder,
        );
        // A top-level comment read with its `media` field answers that media.
        p.parent_id = parent.or(media);
        p.root_id = root;
    }
    p.metrics.likes = util::u64_of(v, "like_count");
    p.metrics.replies = util::u64_of(v, "comments_count");
    p.hashtags = util::hashtags(&text);
    p.mentions = util::mentions(&text);
    p.links = util::links(&text);
    if !is_comment {
        let children: Vec<&Value> = match v.get("children").and_then(|c| c.get("data")) {
            Some(Value::Array(items)) => items.iter().take(64).collect(),
            _ => Vec::new(),
        };
        if children.is_empty() {
            if let Some(m) = instagram_media(v) {
                p.media.push(m);
            }
        } else {
            p.media
                .extend(children.into_iter().filter_map(instagram_media));
        }
    }
    p.text = text;
    Some(p)
}

/// The picture or video of an Instagram media (or of one child of a carousel).
fn instagram_media(v: &Value) -> Option<Media> {
    let kind = str_at(v, &["media_type"])?;
    let kind = match kind {
        "VIDEO" | "REELS" => "video",
        "CAROUSEL_ALBUM" => "album",
        _ => "photo",
    };
    Some(Media {
        kind: kind.to_string(),
        // `thumbnail_url` (a picture of a video) stays in raw: it is not the media itself.
        url: web_url(util::str_of(v, "media_url")),
        id: short_of(v, "id"),
        alt: short_of(v, "alt_text"),
    })
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
        testing::read_value(&Graph, v)
    }

    fn posts(v: Value) -> Vec<Post> {
        testing::posts_of(read(v))
    }

    #[test]
    fn facebook_post_with_nested_comments_and_replies() {
        let got = posts(json!({
            "data": [{
                "id": "111_222",
                "message": "Hola #Vuelaya",
                "created_time": "2026-11-03T10:15:00+0000",
                "from": {"id": "111", "name": "Vuelaya"},
                "shares": {"count": 3},
                "reactions": {"data": [], "summary": {"total_count": 12}},
                "comments": {
                    "data": [{
                        "id": "222_333",
                        "message": "¿Y el reembolso?",
                        "comments": {"data": [{"id": "222_444", "message": "Por DM"}]}
                    }],
                    "summary": {"total_count": 2}
                }
            }],
            "paging": {"cursors": {"before": "a", "after": "b"}}
        }));
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].network, Network::Facebook);
        assert_eq!(got[0].kind, PostKind::Post);
        assert_eq!(got[0].metrics.likes, Some(12));
        assert_eq!(got[0].metrics.replies, Some(2));
        assert_eq!(got[0].metrics.reshares, Some(3));
        assert_eq!(
            got[0].url.as_deref(),
            Some("https://www.facebook.com/111_222")
        );
        assert!(
            got[0].raw["comments"]
                .get("data")
                .is_some_and(|d| d.is_null())
        );
        assert_eq!(got[1].kind, PostKind::Comment);
        assert_eq!(got[1].parent_id.as_deref(), Some("111_222"));
        assert_eq!(got[1].root_id.as_deref(), Some("111_222"));
        assert_eq!(got[2].parent_id.as_deref(), Some("222_333"));
        assert_eq!(got[2].root_id.as_deref(), Some("111_222"));
        assert_eq!(got[2].network, Network::Facebook);
    }

    #[test]
    fn network_comes_from_shape_then_page() {
        let ig = json!({"id": "1789", "caption": "x", "timestamp": "2026-11-03T10:15:00+0000"});
        let fb = json!({"id": "1_2", "message": "x", "created_time": "2026-11-03T10:15:00+0000"});
        let m = |v: &Value| v.as_object().cloned().unwrap_or_default();
        assert_eq!(shape(&m(&ig)), Some(Network::Instagram));
        assert_eq!(shape(&m(&fb)), Some(Network::Facebook));
        assert_eq!(shape(&m(&json!({"id": "17"}))), None);
        // An undecided item takes the page's majority.
        let got = posts(json!({"data": [ig, {"id": "17"}]}));
        assert_eq!(got[1].network, Network::Instagram);
        // …or Facebook when nothing says.
        let got = posts(json!({"id": "17"}));
        assert_eq!(got[0].network, Network::Facebook);
    }

    #[test]
    fn comments_page_edge_gives_parent_and_root() {
        let got = posts(json!({
            "data": [
                {"id": "5_1", "created_time": "2026-11-03T10:15:00+0000"},
                {"id": "5_2", "message": "yo también", "parent": {"id": "5_1"}}
            ],
            "paging": {"next": "https://graph.facebook.com/v21.0/9_5/comments?filter=stream&after=x"}
        }));
        assert_eq!(got[0].kind, PostKind::Comment);
        assert_eq!(got[0].text, "");
        assert_eq!(got[0].parent_id.as_deref(), Some("9_5"));
        assert_eq!(got[0].root_id.as_deref(), Some("9_5"));
        assert_eq!(got[1].parent_id.as_deref(), Some("5_1"));
        assert_eq!(got[1].root_id.as_deref(), Some("9_5"));
    }

    #[test]
    fn paging_urls() {
        let h = page_hint(Some(
            &json!({"next": "https://graph.instagram.com/v21.0/17895/replies?after=1"}),
        ));
        assert_eq!(h.edge, Some(Edge::Replies));
        assert_eq!(h.object.as_deref(), Some("17895"));
        assert_eq!(h.network, Some(Network::Instagram));
        let h = page_hint(Some(&json!({"next": "https://graph.facebook.com/me/feed"})));
        assert_eq!(h.edge, Some(Edge::Posts));
        assert_eq!(h.object, None);
        assert_eq!(page_hint(Some(&json!({"next": 3}))), PageHint::default());
    }

    #[test]
    fn shared_post_is_reshare_or_quote() {
        let got = posts(json!([
            {"id": "1_2", "created_time": "2026-11-03T10:15:00+0000", "parent_id": "7_8"},
            {"id": "1_3", "created_time": "2026-11-03T10:15:00+0000", "parent_id": "7_8",
             "message": "Mirad esto"}
        ]));
        assert_eq!(got[0].kind, PostKind::Reshare);
        assert_eq!(got[0].reshare_of.as_deref(), Some("7_8"));
        assert_eq!(got[1].kind, PostKind::Quote);
        assert_eq!(got[1].quote_of.as_deref(), Some("7_8"));
    }

    #[test]
    fn instagram_media_with_comment_replies() {
        let got = posts(json!({
            "id": "1790",
            "caption": "Nuevo destino ✈️ #Vuelaya",
            "media_type": "CAROUSEL_ALBUM",
            "permalink": "https://www.instagram.com/p/ABC/",
            "timestamp": "2026-11-05T09:00:00+0000",
            "username": "vuelaya",
            "comments_count": 2,
            "children": {"data": [{"id": "c1", "media_type": "IMAGE", "media_url": "https://x/1.jpg"}]},
            "comments": {"data": [{
                "id": "1801", "text": "¡Qué bonito!", "from": {"id": "9", "username": "ana"},
                "replies": {"data": [{"id": "1802", "text": "@ana gracias", "parent_id": "1801"}]}
            }]}
        }));
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(|p| p.network == Network::Instagram));
        assert_eq!(got[0].author.handle.as_deref(), Some("vuelaya"));
        assert_eq!(got[0].media.len(), 1);
        assert_eq!(got[0].metrics.replies, Some(2));
        assert_eq!(got[1].author.handle.as_deref(), Some("ana"));
        assert_eq!(got[1].parent_id.as_deref(), Some("1790"));
        assert_eq!(got[2].parent_id.as_deref(), Some("1801"));
        assert_eq!(got[2].root_id.as_deref(), Some("1790"));
        assert_eq!(got[2].mentions, vec!["ana"]);
    }

    #[test]
    fn bad_items_are_quarantined_errors_skipped() {
        let got = read(json!({"data": [{"message": "sin id"}, 7, {"id": "1_2"}]}));
        assert!(matches!(got[0], Record::Quarantine { .. }));
        assert!(matches!(got[1], Record::Quarantine { .. }));
        assert!(matches!(got[2], Record::Item { .. }));
        let got = read(json!({"error": {"message": "x", "code": 190, "fbtrace_id": "A"}}));
        assert!(matches!(&got[0], Record::Skipped { what, .. } if what == "graph api error"));
    }

    #[test]
    fn detection_claims_graph_and_nothing_else() {
        assert!(
            detect(
                &json!({"data": [{"id": "1_2", "created_time": "x"}], "paging": {}}),
                0
            ) >= 90
        );
        assert!(detect(&json!({"id": "17", "media_type": "IMAGE"}), 0) >= 50);
        // X v2 page, Reddit Pushshift page, YouTube item.
        assert_eq!(
            detect(
                &json!({"data": [{"id": "1", "text": "x", "edit_history_tweet_ids": []}], "meta": {}}),
                0
            ),
            0
        );
        assert_eq!(
            detect(
                &json!({"data": [{"id": "1", "subreddit": "x", "created_time": "x"}]}),
                0
            ),
            0
        );
        assert_eq!(detect(&json!({"kind": "youtube#comment", "id": "x"}), 0), 0);
    }

    /// The sample under `samples/` (imported by the README's first command) is detected as
    /// this connector and reads with no quarantined record.
    #[test]
    fn sample_imports_cleanly() {
        for (path, bytes, want) in [
            (
                "samples/facebook/vuelaya_page_feed.json",
                include_bytes!("../../../../samples/facebook/vuelaya_page_feed.json").as_slice(),
                10,
            ),
            (
                "samples/instagram/vuelaya_media.json",
                include_bytes!("../../../../samples/instagram/vuelaya_media.json").as_slice(),
                7,
            ),
        ] {
            testing::assert_sample_bytes_import(path, bytes, "graph", want);
        }
    }

    const KEYS: &[&str] = &[
        "id",
        "data",
        "paging",
        "next",
        "message",
        "text",
        "caption",
        "created_time",
        "timestamp",
        "from",
        "name",
        "username",
        "comments",
        "replies",
        "parent",
        "parent_id",
        "media_type",
        "media_url",
        "permalink",
        "attachments",
        "attachment",
        "subattachments",
        "media",
        "image",
        "src",
        "summary",
        "total_count",
        "shares",
        "count",
        "reactions",
        "children",
        "error",
        "posts",
        "like_count",
        "comments_count",
    ];

    fn arb_json() -> impl Strategy<Value = Value> {
        testing::arb_json(KEYS).floats(1e12).strategy()
    }

    const FIXTURES: [&str; 2] = [
        include_str!("../../tests/fixtures/facebook/page_posts.json"),
        include_str!("../../tests/fixtures/instagram/media_with_comments.json"),
    ];

    proptest! {
        #[test]
        fn arbitrary_json_never_panics(v in arb_json()) {
            let _ = detect(&v, 0);
            let _ = read(v);
        }

        #[test]
        fn mutated_fixtures_never_panic(which in 0usize..2, at in 0usize..400, repl in arb_json()) {
            let mut v: Value = serde_json::from_str(FIXTURES[which]).unwrap_or(Value::Null);
            let mut n = at;
            testing::mutate(&mut v, &mut n, &repl);
            let _ = read(v);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            read_json_bytes(&Graph, &bytes, Path::new("b.json"), &ReadOptions::default(), &mut |_| {});
        }
    }
}
