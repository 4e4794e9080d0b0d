//! Field-wise merge of two versions of the same post.
//!
//! The newer version wins field by field, but a field it does not carry (`None`, empty text,
//! empty list, `null` raw) never erases a value already known: a Graph comment fetched without
//! `message` keeps the text read earlier. "Newer" is the version applied later, unless both
//! versions carry `edited_at` and the incoming one is strictly older, in which case the stored
//! version wins and the incoming one only fills its gaps. `deleted` is sticky.

use tertulia_model::{Author, Metrics, Post};

/// Merges `incoming` into `stored` and returns the result (see the module docs for the rules).
pub fn merge_posts(stored: &Post, incoming: &Post) -> Post {
    let incoming_is_older = matches!(
        (stored.edited_at, incoming.edited_at),
        (Some(s), Some(i)) if i < s
    );
    let mut merged = if incoming_is_older {
        let mut m = incoming.clone();
        overlay(&mut m, stored);
        m
    } else {
        let mut m = stored.clone();
        overlay(&mut m, incoming);
        m
    };
    merged.deleted = stored.deleted || incoming.deleted;
    merged
}

fn set_opt<T: Clone>(base: &mut Option<T>, top: &Option<T>) {
    if top.is_some() {
        base.clone_from(top);
    }
}

fn set_vec<T: Clone>(base: &mut Vec<T>, top: &[T]) {
    if !top.is_empty() {
        base.clear();
        base.extend_from_slice(top);
    }
}

fn set_author(base: &mut Author, top: &Author) {
    set_opt(&mut base.id, &top.id);
    set_opt(&mut base.handle, &top.handle);
    set_opt(&mut base.name, &top.name);
    set_opt(&mut base.followers, &top.followers);
    set_opt(&mut base.verified, &top.verified);
    set_opt(&mut base.location, &top.location);
}

fn set_metrics(base: &mut Metrics, top: &Metrics) {
    set_opt(&mut base.likes, &top.likes);
    set_opt(&mut base.reshares, &top.reshares);
    set_opt(&mut base.replies, &top.replies);
    set_opt(&mut base.quotes, &top.quotes);
    set_opt(&mut base.views, &top.views);
}

/// Writes every field that `top` carries over `base`.
fn overlay(base: &mut Post, top: &Post) {
    base.v = base.v.max(top.v);
    set_opt(&mut base.alt_id, &top.alt_id);
    set_opt(&mut base.url, &top.url);
    set_author(&mut base.author, &top.author);
    set_opt(&mut base.title, &top.title);
    if !top.text.is_empty() {
        base.text.clone_from(&top.text);
    }
    set_opt(&mut base.lang, &top.lang);
    set_opt(&mut base.created_at, &top.created_at);
    base.kind = top.kind;
    set_opt(&mut base.parent_id, &top.parent_id);
    set_opt(&mut base.root_id, &top.root_id);
    set_opt(&mut base.conversation_id, &top.conversation_id);
    set_opt(&mut base.reshare_of, &top.reshare_of);
    set_opt(&mut base.quote_of, &top.quote_of);
    set_metrics(&mut base.metrics, &top.metrics);
    set_vec(&mut base.hashtags, &top.hashtags);
    set_vec(&mut base.mentions, &top.mentions);
    set_vec(&mut base.links, &top.links);
    set_vec(&mut base.media, &top.media);
    set_opt(&mut base.rating, &top.rating);
    set_opt(&mut base.country, &top.country);
    set_opt(&mut base.edited_at, &top.edited_at);
    set_opt(&mut base.enrichment, &top.enrichment);
    set_vec(&mut base.brands, &top.brands);
    match (&mut base.raw, &top.raw) {
        (_, serde_json::Value::Null) => {}
        (serde_json::Value::Object(b), serde_json::Value::Object(t)) => {
            for (k, v) in t {
                b.insert(k.clone(), v.clone());
            }
        }
        (b, t) => b.clone_from(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use serde_json::json;
    use tertulia_model::{Network, PostKind};

    fn post() -> Post {
        let mut p = Post::new(Network::Facebook, "1_2", PostKind::Comment);
        p.text = "first".into();
        p.author.handle = Some("ana".into());
        p.author.followers = Some(10);
        p.metrics.likes = Some(1);
        p.hashtags = vec!["a".into()];
        p.raw = json!({"id": "1_2", "message": "first"});
        p
    }

    #[test]
    fn absent_fields_do_not_erase() {
        let old = post();
        let mut new = Post::new(Network::Facebook, "1_2", PostKind::Comment);
        new.metrics.likes = Some(5);
        new.raw = json!({"id": "1_2", "like_count": 5});
        let m = merge_posts(&old, &new);
        assert_eq!(m.text, "first");
        assert_eq!(m.author.handle.as_deref(), Some("ana"));
        assert_eq!(m.author.followers, Some(10));
        assert_eq!(m.metrics.likes, Some(5));
        assert_eq!(m.hashtags, vec!["a".to_string()]);
        assert_eq!(
            m.raw,
            json!({"id": "1_2", "message": "first", "like_count": 5})
        );
    }

    #[test]
    fn newer_wins_and_delete_is_sticky() {
        let mut old = post();
        old.deleted = true;
        let mut new = post();
        new.text = "edited".into();
        let m = merge_posts(&old, &new);
        assert_eq!(m.text, "edited");
        assert!(m.deleted);
    }

    #[test]
    fn an_older_edit_only_fills_gaps() {
        let mut old = post();
        old.edited_at = Utc.timestamp_opt(2_000, 0).single();
        old.text = "v2".into();
        old.url = None;
        let mut new = post();
        new.edited_at = Utc.timestamp_opt(1_000, 0).single();
        new.text = "v1".into();
        new.url = Some("https://example.invalid/p".into());
        let m = merge_posts(&old, &new);
        assert_eq!(m.text, "v2");
        assert_eq!(m.edited_at, old.edited_at);
        assert_eq!(m.url, new.url);
    }
}
