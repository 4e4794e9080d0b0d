//! X API v1.1 tweet objects (REST, search `statuses`, the v1.1 and enterprise streams) and the
//! tweets of account archives, which have the same shape with numbers stored as strings, no
//! `user`, and `edit_info`.

use super::common::{
    MAX_ENTITIES, entities_from_text, entity_list, extend_unique, id_of, lang, name, ne,
    reshare_text, s, snowflake_time, text, tweet_url,
};
use crate::{Ctx, Out, util};
use serde_json::Value;
use tertulia_model::{Author, Item, Media, Network, Post, PostKind, Tombstone};

/// The account an archive belongs to (from `data/account.js` entries in the same file).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Account {
    /// `accountId`.
    pub id: Option<String>,
    /// `username`.
    pub handle: Option<String>,
    /// `accountDisplayName`.
    pub name: Option<String>,
}

/// How deep embedded statuses (a retweet of a quote of a quote…) are followed.
const MAX_EMBED_DEPTH: usize = 4;

/// Reads one v1.1 tweet and the statuses embedded in it (`retweeted_status`,
/// `quoted_status`), each once.
pub fn read_tweet(value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>) {
    let mut seen = Vec::new();
    emit(value, ctx, out, &mut seen, 0);
}

fn emit(value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>, seen: &mut Vec<String>, depth: usize) {
    match post_of(&value, None) {
        Ok(mut post) => {
            if seen.contains(&post.native_id) {
                return;
            }
            seen.push(post.native_id.clone());
            let embedded: Vec<Value> = if depth < MAX_EMBED_DEPTH {
                ["retweeted_status", "quoted_status"]
                    .iter()
                    .filter_map(|k| value.get(*k))
                    .filter(|v| v.is_object())
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            };
            post.raw = value;
            out(ctx.post(post));
            for e in embedded {
                emit(e, ctx, out, seen, depth + 1);
            }
        }
        Err(why) => out(ctx.quarantine(why, &value.to_string())),
    }
}

/// Reads a v1.1 stream deletion notice (`{"delete": {"status": {"id_str": …}}}`).
pub fn read_delete(value: &Value, ctx: &Ctx<'_>, out: &mut Out<'_>) {
    let notice = value.get("delete");
    let status = notice.and_then(|d| d.get("status"));
    match status.and_then(|st| id_of(st, "id_str").or_else(|| id_of(st, "id"))) {
        Some(id) => out(ctx.item(Item::Delete(Tombstone {
            network: Network::X,
            native_id: Some(id),
            alt_id: None,
            deleted_at: notice.and_then(|d| util::time_of(d, "timestamp_ms")),
        }))),
        None => out(ctx.quarantine("x delete notice without a status id", &value.to_string())),
    }
}

/// The full text of a v1.1 tweet: `extended_tweet.full_text`, `full_text`, then `text`.
fn full_text(t: &Value) -> Option<&str> {
    t.get("extended_tweet")
        .and_then(|e| s(e, "full_text"))
        .or_else(|| s(t, "full_text"))
        .or_else(|| s(t, "text"))
}

/// The entities of a v1.1 tweet: those of `extended_tweet` when the tweet was cut.
fn entities(t: &Value) -> Option<&Value> {
    t.get("extended_tweet")
        .and_then(|e| e.get("entities"))
        .or_else(|| t.get("entities"))
}

/// The post of one v1.1 (or archive) tweet, without `raw`.
pub fn post_of(t: &Value, account: Option<&Account>) -> Result<Post, String> {
    if !t.is_object() {
        return Err("x v1.1 tweet that is not an object".into());
    }
    let own_id = id_of(t, "id_str")
        .or_else(|| id_of(t, "id"))
        .ok_or("x v1.1 tweet without an id_str")?;
    let user = t.get("user").filter(|u| u.is_object());

    // Edits: the v1.1 `edit_history` or the archive's `edit_info.edit`.
    let initial = t
        .get("edit_history")
        .and_then(|h| id_of(h, "initial_tweet_id"))
        .or_else(|| {
            t.get("edit_info")
                .and_then(|e| e.get("edit"))
                .and_then(|e| id_of(e, "initialTweetId"))
        })
        .filter(|i| *i != own_id);
    let version_time = super::common::time(t, "created_at");
    let retweeted = t.get("retweeted_status").filter(|r| r.is_object());
    let own_text = full_text(t).unwrap_or("");
    let parent =
        id_of(t, "in_reply_to_status_id_str").or_else(|| id_of(t, "in_reply_to_status_id"));
    let quoted = id_of(t, "quoted_status_id_str")
        .or_else(|| t.get("quoted_status").and_then(|q| id_of(q, "id_str")))
        .filter(|_| {
            util::bool_of(t, "is_quote_status") != Some(false) || t.get("quoted_status").is_some()
        });

    let kind = if retweeted.is_some() || own_text.starts_with("RT @") {
        PostKind::Reshare
    } else if parent.is_some() {
        PostKind::Reply
    } else if quoted.is_some() {
        PostKind::Quote
    } else {
        PostKind::Post
    };

    let mut post = Post::new(Network::X, initial.clone().unwrap_or(own_id.clone()), kind);
    if let Some(first) = &initial {
        post.alt_id = Some(own_id.clone());
        post.created_at = snowflake_time(first)
            .filter(|c| version_time.is_none_or(|v| *c <= v))
            .or(version_time);
        post.edited_at = version_time;
    } else {
        post.created_at = version_time;
    }
    post.author = author_of(user, account);
    post.url = Some(tweet_url(post.author.handle.as_deref(), &own_id));
    post.lang = lang(s(t, "lang"));
    post.parent_id = parent;
    post.quote_of = quoted;
    post.conversation_id = id_of(t, "conversation_id_str");

    let mut ent_src = t;
    match retweeted {
        Some(rs) => {
            let rs_handle = rs.get("user").and_then(|u| ne(u, "screen_name"));
            post.reshare_of = id_of(rs, "id_str").or_else(|| id_of(rs, "id"));
            post.text = text(&reshare_text(own_text, full_text(rs), rs_handle));
            if let Some(h) = rs_handle {
                post.mentions.push(h.to_string());
            }
            ent_src = rs;
        }
        None => post.text = text(own_text),
    }

    post.metrics.likes = util::u64_of(t, "favorite_count");
    // A retweet's retweet_count is the original's: it is not this post's engagement.
    if kind != PostKind::Reshare {
        post.metrics.reshares = util::u64_of(t, "retweet_count");
    }
    post.metrics.replies = util::u64_of(t, "reply_count");
    post.metrics.quotes = util::u64_of(t, "quote_count");

    if let Some(ent) = entities(ent_src) {
        post.hashtags = entity_list(Some(ent), "hashtags", &["text", "tag"]);
        extend_unique(
            &mut post.mentions,
            entity_list(Some(ent), "user_mentions", &["screen_name"]),
        );
        post.links = entity_list(Some(ent), "urls", &["expanded_url", "url"]);
    } else {
        entities_from_text(&mut post);
    }
    post.media = media_of(ent_src);
    post.country = t
        .get("place")
        .and_then(|p| ne(p, "country_code"))
        .filter(|c| c.len() <= 8)
        .map(str::to_ascii_uppercase);
    Ok(post)
}

fn author_of(user: Option<&Value>, account: Option<&Account>) -> Author {
    match user {
        Some(u) => Author {
            id: id_of(u, "id_str").or_else(|| id_of(u, "id")),
            handle: name(u, "screen_name"),
            name: name(u, "name"),
            followers: util::u64_of(u, "followers_count"),
            verified: util::bool_of(u, "verified"),
            location: name(u, "location"),
        },
        None => match account {
            Some(a) => Author {
                id: a.id.clone(),
                handle: a.handle.clone(),
                name: a.name.clone(),
                ..Author::default()
            },
            None => Author::default(),
        },
    }
}

/// Media of `extended_entities` (all of them), else `entities.media` (the first only).
fn media_of(t: &Value) -> Vec<Media> {
    let ext = t.get("extended_tweet");
    let items = [
        ext.and_then(|e| e.get("extended_entities")),
        t.get("extended_entities"),
        ext.and_then(|e| e.get("entities")),
        t.get("entities"),
    ]
    .into_iter()
    .flatten()
    .find_map(|e| e.get("media").and_then(Value::as_array));
    let Some(items) = items else {
        return Vec::new();
    };
    items
        .iter()
        .take(MAX_ENTITIES)
        .map(|m| Media {
            kind: ne(m, "type")
                .map(|k| util::bounded(k, 32))
                .unwrap_or_else(|| "photo".into()),
            url: best_variant(m)
                .or_else(|| ne(m, "media_url_https"))
                .or_else(|| ne(m, "media_url"))
                .map(|u| util::bounded(u, 4096)),
            id: id_of(m, "id_str").or_else(|| id_of(m, "id")),
            alt: name(m, "ext_alt_text"),
        })
        .collect()
}

/// The highest-bitrate MP4 of a video's `video_info.variants`.
fn best_variant(m: &Value) -> Option<&str> {
    m.get("video_info")?
        .get("variants")?
        .as_array()?
        .iter()
        .filter(|v| s(v, "content_type") == Some("video/mp4"))
        .max_by_key(|v| util::u64_of(v, "bitrate").unwrap_or(0))
        .and_then(|v| ne(v, "url"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ReadOptions, Record};
    use serde_json::json;
    use std::path::Path;

    fn run(v: Value) -> Vec<Record> {
        let opts = ReadOptions::default();
        let ctx = Ctx {
            path: Path::new("t.json"),
            line: 1,
            opts: &opts,
        };
        let mut got = Vec::new();
        read_tweet(v, &ctx, &mut |r| got.push(r));
        got
    }

    fn post(r: &Record) -> &Post {
        match r {
            Record::Item {
                item: Item::Post(p),
                ..
            } => p,
            other => panic!("not a post: {other:?}"),
        }
    }

    #[test]
    fn extended_tweet_gives_the_full_text_and_entities() {
        let recs = run(json!({
            "id_str": "10", "text": "Mi maleta no llegó a Madrid y nadie… https://t.co/a", "truncated": true,
            "user": {"id_str": "5", "screen_name": "ana", "followers_count": 12, "location": ""},
            "extended_tweet": {"full_text": "Mi maleta no llegó a Madrid y nadie responde @vuelaya #EquipajePerdido",
                "entities": {"hashtags": [{"text": "EquipajePerdido"}], "user_mentions": [{"screen_name": "vuelaya"}], "urls": []}},
            "favorite_count": 2, "retweet_count": 1, "lang": "es",
            "created_at": "Tue Nov 03 08:15:00 +0000 2026"
        }));
        let p = post(&recs[0]);
        assert!(p.text.ends_with("#EquipajePerdido"));
        assert_eq!(p.hashtags, vec!["EquipajePerdido"]);
        assert_eq!(p.mentions, vec!["vuelaya"]);
        assert_eq!(p.author.location, None);
        assert_eq!(p.metrics.reshares, Some(1));
        assert_eq!(
            p.created_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-03T08:15:00+00:00")
        );
    }

    #[test]
    fn retweet_of_a_quote_emits_three_posts_once_each() {
        let q = json!({"id_str": "1", "full_text": "original", "user": {"screen_name": "aerosol"}});
        let qt = json!({"id_str": "2", "full_text": "comento &amp; cito", "is_quote_status": true,
                        "quoted_status_id_str": "1", "quoted_status": q, "user": {"screen_name": "vuelaya"}});
        let recs = run(
            json!({"id_str": "3", "full_text": "RT @vuelaya: comento &amp;…",
                              "retweeted_status": qt, "quoted_status": q, "retweet_count": 9,
                              "user": {"screen_name": "ana"}}),
        );
        let ids: Vec<&str> = recs.iter().map(|r| post(r).native_id.as_str()).collect();
        assert_eq!(ids, vec!["3", "2", "1"]);
        assert_eq!(post(&recs[0]).text, "RT @vuelaya: comento & cito");
        assert_eq!(post(&recs[0]).kind, PostKind::Reshare);
        assert_eq!(post(&recs[0]).metrics.reshares, None);
        assert_eq!(post(&recs[1]).kind, PostKind::Quote);
        assert_eq!(post(&recs[1]).quote_of.as_deref(), Some("1"));
    }

    #[test]
    fn delete_notice_is_a_tombstone() {
        let opts = ReadOptions::default();
        let ctx = Ctx {
            path: Path::new("t.json"),
            line: 4,
            opts: &opts,
        };
        let mut got = Vec::new();
        read_delete(
            &json!({"delete": {"status": {"id": 1, "id_str": "1"}, "timestamp_ms": "1793491200000"}}),
            &ctx,
            &mut |r| got.push(r),
        );
        assert!(
            matches!(&got[0], Record::Item { line: 4, item: Item::Delete(t) }
            if t.native_id.as_deref() == Some("1") && t.deleted_at.is_some())
        );
    }
}
