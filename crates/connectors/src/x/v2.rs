//! X API v2: response pages (`data` object or array, `includes`, `errors`, `meta`), filtered
//! stream lines (the same shape plus `matching_rules`), twarc2 pages (plus `__twarc`) and
//! twarc2-flattened tweets (one tweet per line with `author` and expansions inlined).

use super::common::{
    MAX_ENTITIES, entities_from_text, entity_list, extend_unique, id_of, lang, media_kind_of_key,
    name, ne, reshare_text, s, snowflake_time, text, tweet_url,
};
use crate::{Ctx, Out, util};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use tertulia_model::{Author, Media, Network, Post, PostKind};

/// Objects of a page's `includes`, by id, borrowed.
#[derive(Default)]
struct Index<'a> {
    users: HashMap<&'a str, &'a Value>,
    media: HashMap<&'a str, &'a Value>,
    places: HashMap<&'a str, &'a Value>,
    tweets: HashMap<&'a str, &'a Value>,
}

impl<'a> Index<'a> {
    fn add(map: &mut HashMap<&'a str, &'a Value>, items: Option<&'a Value>, key: &str) {
        for item in items.and_then(Value::as_array).into_iter().flatten() {
            if let Some(id) = s(item, key) {
                map.entry(id).or_insert(item);
            }
        }
    }
}

/// Reads one v2 page or stream line (an object with `data`, `includes`, `errors`, `meta`,
/// `matching_rules`, `__twarc`).
pub fn read_page(mut page: Map<String, Value>, ctx: &Ctx<'_>, out: &mut Out<'_>) {
    let data = match page.remove("data") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(obj @ Value::Object(_)) => vec![obj],
        Some(other) => {
            out(ctx.quarantine(
                "x v2 page whose data is neither an object nor an array",
                &other.to_string(),
            ));
            Vec::new()
        }
    };
    let mut includes = page.remove("includes").unwrap_or(Value::Null);
    let included_tweets = match includes.get_mut("tweets").map(Value::take) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    emit(data, included_tweets, &includes, ctx, out);
    if let Some(Value::Array(errors)) = page.get("errors") {
        for e in errors {
            out(ctx.skipped(describe_error(e)));
        }
    }
}

/// Reads one twarc2-flattened tweet: a v2 tweet with its `author`, `attachments.media`,
/// `geo` place and `referenced_tweets` inlined. Inlined referenced tweets are posts too.
pub fn read_flat(tweet: Value, ctx: &Ctx<'_>, out: &mut Out<'_>) {
    let embedded: Vec<Value> = tweet
        .get("referenced_tweets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get("text").is_some() || r.get("note_tweet").is_some())
        .cloned()
        .collect();
    emit(vec![tweet], embedded, &Value::Null, ctx, out);
}

/// Turns the page's tweets (`data` first, then `includes.tweets` not already in `data`) into
/// posts, moving each tweet object into its post's `raw`.
fn emit(
    data: Vec<Value>,
    included: Vec<Value>,
    includes: &Value,
    ctx: &Ctx<'_>,
    out: &mut Out<'_>,
) {
    let mut results: Vec<Option<Result<Post, String>>> = Vec::with_capacity(data.len());
    {
        let mut ix = Index::default();
        Index::add(&mut ix.users, includes.get("users"), "id");
        Index::add(&mut ix.media, includes.get("media"), "media_key");
        Index::add(&mut ix.places, includes.get("places"), "id");
        for t in included.iter().chain(data.iter()) {
            if let Some(id) = s(t, "id") {
                ix.tweets.entry(id).or_insert(t);
            }
        }
        let mut seen: HashSet<&str> = HashSet::new();
        for t in data.iter().chain(included.iter()) {
            let fresh = match s(t, "id") {
                Some(id) => seen.insert(id),
                None => true,
            };
            results.push(fresh.then(|| post_of(t, &ix)));
        }
    }
    for (value, result) in data.into_iter().chain(included).zip(results) {
        match result {
            None => {}
            Some(Ok(mut post)) => {
                post.raw = value;
                out(ctx.post(post));
            }
            Some(Err(why)) => out(ctx.quarantine(why, &value.to_string())),
        }
    }
}

/// A v2 error entry as a short description (`x api error: Not Found Error (tweet 123)`).
pub fn describe_error(e: &Value) -> String {
    let title = ne(e, "title")
        .or_else(|| ne(e, "message"))
        .or_else(|| ne(e, "detail"))
        .unwrap_or("unknown error");
    let what = match (
        ne(e, "resource_type"),
        id_of(e, "resource_id").or(id_of(e, "value")),
    ) {
        (Some(t), Some(id)) => format!(" ({t} {id})"),
        (None, Some(id)) => format!(" ({id})"),
        _ => String::new(),
    };
    util::snippet(&format!("x api error: {title}{what}"))
}

/// The post of one v2 tweet object (without `raw`, which the caller moves in).
fn post_of(t: &Value, ix: &Index<'_>) -> Result<Post, String> {
    if !t.is_object() {
        return Err("x v2 tweet that is not an object".into());
    }
    let own_id = id_of(t, "id").ok_or("x v2 tweet without an id")?;
    let user = user_of(t, ix);

    // Identity: an edit keeps the first version's id, so the store updates it in place.
    let history: Vec<&str> = t
        .get("edit_history_tweet_ids")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let version_time = super::common::time(t, "created_at");
    let (native_id, alt_id, created_at, edited_at) = match history.first() {
        Some(first) if history.len() > 1 && *first != own_id && first.len() <= 64 => {
            let created = snowflake_time(first)
                .filter(|c| version_time.is_none_or(|v| *c <= v))
                .or(version_time);
            (
                first.to_string(),
                Some(own_id.clone()),
                created,
                version_time,
            )
        }
        _ => (own_id.clone(), None, version_time, None),
    };

    let mut kind = PostKind::Post;
    let (mut parent, mut reshare_of, mut quote_of) = (None, None, None);
    for r in t
        .get("referenced_tweets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(rid) = id_of(r, "id") else { continue };
        match s(r, "type") {
            Some("retweeted") => reshare_of = Some(rid),
            Some("replied_to") => parent = Some(rid),
            Some("quoted") => quote_of = Some(rid),
            _ => {}
        }
    }
    if reshare_of.is_some() {
        kind = PostKind::Reshare;
    } else if parent.is_some() {
        kind = PostKind::Reply;
    } else if quote_of.is_some() {
        kind = PostKind::Quote;
    }

    let mut post = Post::new(Network::X, native_id, kind);
    post.alt_id = alt_id;
    post.created_at = created_at;
    post.edited_at = edited_at;
    post.author = author_of(t, user);
    post.url = Some(tweet_url(post.author.handle.as_deref(), &own_id));
    post.lang = lang(s(t, "lang"));
    post.conversation_id = id_of(t, "conversation_id");
    if kind == PostKind::Reply {
        post.root_id = post.conversation_id.clone().or_else(|| parent.clone());
    }
    post.parent_id = parent;
    post.quote_of = quote_of;

    let note = t.get("note_tweet").filter(|n| n.is_object());
    let own_text = note
        .and_then(|n| s(n, "text"))
        .or_else(|| s(t, "text"))
        .unwrap_or("");
    let mut entities = note
        .and_then(|n| n.get("entities"))
        .or_else(|| t.get("entities"));
    let original = reshare_of
        .as_deref()
        .and_then(|id| ix.tweets.get(id).copied())
        .or_else(|| flat_ref(t, "retweeted"));
    post.reshare_of = reshare_of;
    match original {
        Some(orig) if kind == PostKind::Reshare => {
            let orig_note = orig.get("note_tweet").filter(|n| n.is_object());
            let orig_text = orig_note
                .and_then(|n| s(n, "text"))
                .or_else(|| s(orig, "text"));
            let orig_handle = user_of(orig, ix).and_then(|u| ne(u, "username"));
            post.text = text(&reshare_text(own_text, orig_text, orig_handle));
            if let Some(h) = orig_handle {
                post.mentions.push(h.to_string());
            }
            if orig_text.is_some() {
                entities = orig_note
                    .and_then(|n| n.get("entities"))
                    .or_else(|| orig.get("entities"));
            }
        }
        _ => post.text = text(own_text),
    }

    let m = t.get("public_metrics");
    post.metrics.likes = m.and_then(|m| util::u64_of(m, "like_count"));
    // A reshare's retweet_count is the original's: it is not this post's engagement.
    if kind != PostKind::Reshare {
        post.metrics.reshares = m.and_then(|m| util::u64_of(m, "retweet_count"));
    }
    post.metrics.replies = m.and_then(|m| util::u64_of(m, "reply_count"));
    post.metrics.quotes = m.and_then(|m| util::u64_of(m, "quote_count"));
    post.metrics.views = m.and_then(|m| util::u64_of(m, "impression_count"));

    if let Some(ent) = entities {
        post.hashtags = entity_list(Some(ent), "hashtags", &["tag", "text"]);
        extend_unique(
            &mut post.mentions,
            entity_list(Some(ent), "mentions", &["username", "screen_name"]),
        );
        post.links = links_of(ent);
    } else {
        entities_from_text(&mut post);
    }
    post.media = media_of(t, ix);
    post.country = country_of(t, ix);
    Ok(post)
}

/// The author object: `includes.users` joined by `author_id`, or a flattened `author`.
fn user_of<'a>(t: &'a Value, ix: &Index<'a>) -> Option<&'a Value> {
    s(t, "author_id")
        .and_then(|a| ix.users.get(a).copied())
        .or_else(|| t.get("author").filter(|a| a.is_object()))
}

/// A flattened referenced tweet of the given type, when it is inlined with its text.
fn flat_ref<'a>(t: &'a Value, kind: &str) -> Option<&'a Value> {
    t.get("referenced_tweets")?
        .as_array()?
        .iter()
        .find(|r| s(r, "type") == Some(kind) && r.get("text").is_some())
}

fn author_of(t: &Value, user: Option<&Value>) -> Author {
    let mut a = Author {
        id: id_of(t, "author_id"),
        ..Author::default()
    };
    if let Some(u) = user {
        a.id = a.id.or_else(|| id_of(u, "id"));
        a.handle = name(u, "username");
        a.name = name(u, "name");
        a.followers = u
            .get("public_metrics")
            .and_then(|m| util::u64_of(m, "followers_count"));
        a.verified = util::bool_of(u, "verified");
        a.location = name(u, "location");
    }
    a
}

/// Expanded links of `entities.urls`, leaving out the `pic.x.com` links of attached media.
fn links_of(ent: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for u in ent
        .get("urls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if u.get("media_key").is_some() {
            continue;
        }
        if let Some(l) = ne(u, "unwound_url")
            .or_else(|| ne(u, "expanded_url"))
            .or_else(|| ne(u, "url"))
        {
            extend_unique(&mut out, [util::bounded(l, 4096)]);
        }
    }
    out
}

fn media_of(t: &Value, ix: &Index<'_>) -> Vec<Media> {
    let Some(att) = t.get("attachments") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(items) = att.get("media").and_then(Value::as_array) {
        for m in items.iter().take(MAX_ENTITIES) {
            out.push(media_item(m, s(m, "media_key").unwrap_or("")));
        }
    } else if let Some(keys) = att.get("media_keys").and_then(Value::as_array) {
        for key in keys.iter().filter_map(Value::as_str).take(MAX_ENTITIES) {
            out.push(match ix.media.get(key) {
                Some(m) => media_item(m, key),
                None => Media {
                    kind: media_kind_of_key(key).into(),
                    id: Some(util::bounded(key, 64)),
                    ..Media::default()
                },
            });
        }
    }
    out
}

fn media_item(m: &Value, key: &str) -> Media {
    Media {
        kind: ne(m, "type")
            .map(|k| util::bounded(k, 32))
            .unwrap_or_else(|| media_kind_of_key(key).into()),
        url: ne(m, "url")
            .or_else(|| best_variant(m))
            .or_else(|| ne(m, "preview_image_url"))
            .map(|u| util::bounded(u, 4096)),
        id: (!key.is_empty()).then(|| util::bounded(key, 64)),
        alt: name(m, "alt_text"),
    }
}

/// The highest-bitrate MP4 of a video's `variants`.
fn best_variant(m: &Value) -> Option<&str> {
    m.get("variants")?
        .as_array()?
        .iter()
        .filter(|v| s(v, "content_type") == Some("video/mp4"))
        .max_by_key(|v| util::u64_of(v, "bit_rate").unwrap_or(0))
        .and_then(|v| ne(v, "url"))
}

fn country_of(t: &Value, ix: &Index<'_>) -> Option<String> {
    let geo = t.get("geo")?;
    let code = s(geo, "place_id")
        .and_then(|p| ix.places.get(p))
        .and_then(|p| ne(p, "country_code"))
        .or_else(|| ne(geo, "country_code"))?;
    (code.len() <= 8).then(|| code.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ReadOptions, Record};
    use serde_json::json;
    use std::path::Path;
    use tertulia_model::Item;

    fn run(v: Value) -> Vec<Record> {
        let opts = ReadOptions::default();
        let ctx = Ctx {
            path: Path::new("t.json"),
            line: 1,
            opts: &opts,
        };
        let mut got = Vec::new();
        match v {
            Value::Object(m) => read_page(m, &ctx, &mut |r| got.push(r)),
            _ => panic!("not an object"),
        }
        got
    }

    fn posts(recs: &[Record]) -> Vec<&Post> {
        recs.iter()
            .filter_map(|r| match r {
                Record::Item {
                    item: Item::Post(p),
                    ..
                } => Some(p.as_ref()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn retweet_takes_the_full_original_text_and_drops_the_copied_count() {
        let recs = run(json!({
            "data": [{"id": "2", "text": "RT @vuelaya: Nuevas rutas a…", "author_id": "9",
                      "referenced_tweets": [{"type": "retweeted", "id": "1"}],
                      "public_metrics": {"retweet_count": 40, "like_count": 0}}],
            "includes": {
                "tweets": [{"id": "1", "text": "Nuevas rutas a Lisboa y Oporto #Vuelaya", "author_id": "8",
                            "entities": {"hashtags": [{"start": 31, "end": 39, "tag": "Vuelaya"}]}}],
                "users": [{"id": "8", "username": "vuelaya", "name": "Vuelaya"},
                          {"id": "9", "username": "ana"}]
            }
        }));
        let ps = posts(&recs);
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].kind, PostKind::Reshare);
        assert_eq!(
            ps[0].text,
            "RT @vuelaya: Nuevas rutas a Lisboa y Oporto #Vuelaya"
        );
        assert_eq!(ps[0].reshare_of.as_deref(), Some("1"));
        assert_eq!(ps[0].metrics.reshares, None);
        assert_eq!(ps[0].hashtags, vec!["Vuelaya"]);
        assert_eq!(ps[0].mentions, vec!["vuelaya"]);
        assert_eq!(ps[1].native_id, "1");
        assert_eq!(ps[1].author.handle.as_deref(), Some("vuelaya"));
        assert_eq!(ps[1].url.as_deref(), Some("https://x.com/vuelaya/status/1"));
    }

    #[test]
    fn edits_keep_the_first_id_and_errors_are_skipped() {
        let recs = run(json!({
            "data": {"id": "1850000000000000005", "text": "editado",
                     "created_at": "2024-10-26T00:00:00.000Z",
                     "edit_history_tweet_ids": ["1849000000000000000", "1850000000000000005"]},
            "errors": [{"title": "Not Found Error", "resource_type": "tweet", "resource_id": "7"}]
        }));
        let ps = posts(&recs);
        assert_eq!(ps[0].native_id, "1849000000000000000");
        assert_eq!(ps[0].alt_id.as_deref(), Some("1850000000000000005"));
        assert!(ps[0].edited_at.is_some() && ps[0].created_at < ps[0].edited_at);
        assert!(matches!(&recs[1], Record::Skipped { what, .. }
            if what == "x api error: Not Found Error (tweet 7)"));
    }

    #[test]
    fn a_bad_data_item_is_quarantined_and_the_rest_read() {
        let recs = run(json!({"data": [{"text": "sin id"}, "x", {"id": "3", "text": "ok"}]}));
        assert_eq!(recs.len(), 3);
        assert!(matches!(&recs[0], Record::Quarantine { .. }));
        assert!(matches!(&recs[1], Record::Quarantine { .. }));
        assert_eq!(posts(&recs)[0].native_id, "3");
    }
}
