//! Mastodon `Status` entities → posts, and the shapes that carry statuses (timelines, search,
//! notifications v1 and grouped v2, contexts, conversations).
//!
//! **Parents.** `in_reply_to_id` is the *fetching instance's* local id, while `parent_id` must be
//! a native id (the status `uri`). Every status seen in the same value (a response, one NDJSON
//! line, or — for streaming bodies — the whole stream so far) is registered in [`Seen`], so a
//! parent present in the same response resolves to its `uri`. A parent that cannot be resolved
//! is kept as `local:<in_reply_to_id>` ([`LOCAL_PREFIX`]): the store can resolve it later through
//! the parent's `alt_id`, and nothing else can mistake it for a URI.

use crate::{Ctx, Out, util};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use tertulia_model::{Author, Media, Network, Post, PostKind};

/// Prefix of a parent id that is only known as the fetching instance's local status id.
pub const LOCAL_PREFIX: &str = "local:";

/// Most statuses remembered for parent resolution (bounds memory on huge streams).
const MAX_SEEN: usize = 1_000_000;

/// Deepest nesting of reblogs/quotes followed.
const MAX_DEPTH: usize = 8;

/// Local ids → uris (and local parents) of the statuses seen so far.
#[derive(Debug, Default)]
pub struct Seen {
    uri_by_id: HashMap<String, String>,
    parent_by_id: HashMap<String, String>,
}

impl Seen {
    /// Remembers one status's local id, uri and local parent.
    fn register(&mut self, s: &Value) {
        if self.uri_by_id.len() >= MAX_SEEN {
            return;
        }
        let (Some(id), Some(uri)) = (
            util::nonempty_str_of(s, "id"),
            util::nonempty_str_of(s, "uri"),
        ) else {
            return;
        };
        if let Some(parent) = util::nonempty_str_of(s, "in_reply_to_id") {
            self.parent_by_id.insert(id.clone(), parent);
        }
        self.uri_by_id.insert(id, uri);
    }

    /// The native id of a status known by its local id: its uri when seen, else `local:<id>`.
    pub fn resolve(&self, local_id: &str) -> String {
        self.uri_by_id
            .get(local_id)
            .cloned()
            .unwrap_or_else(|| format!("{LOCAL_PREFIX}{local_id}"))
    }

    /// The uri of the top of the thread above `local_parent`, when every step up is known.
    fn root_of(&self, local_parent: &str) -> Option<String> {
        let mut cur = local_parent.to_string();
        for _ in 0..1000 {
            match self.parent_by_id.get(&cur) {
                Some(p) => cur = p.clone(),
                None => return self.uri_by_id.get(&cur).cloned(),
            }
        }
        None
    }
}

/// Whether `v` looks like a Mastodon `Status`.
pub fn is_status(v: &Value) -> bool {
    v.get("account").is_some_and(Value::is_object)
        && (v.get("uri").is_some() || v.get("content").is_some() || v.get("reblog").is_some())
}

/// Whether `v` looks like a Mastodon v1 `Notification`.
pub fn is_notification(v: &Value) -> bool {
    v.get("type").is_some_and(Value::is_string)
        && v.get("account").is_some_and(Value::is_object)
        && v.get("content").is_none()
        && v.get("uri").is_none()
}

/// The statuses of one value, gathered in emission order, then turned into records.
#[derive(Default)]
pub struct Batch<'v> {
    statuses: Vec<&'v Value>,
    skipped: Vec<String>,
    bad: Vec<(String, String)>,
}

impl<'v> Batch<'v> {
    /// Adds a status, the statuses it embeds first (reblogged, quoted).
    pub fn status(&mut self, s: &'v Value) {
        self.status_at(s, 0);
    }

    fn status_at(&mut self, s: &'v Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if !s.is_object() {
            self.bad
                .push(("mastodon status is not an object".into(), s.to_string()));
            return;
        }
        if let Some(inner) = s.get("reblog").filter(|r| r.is_object()) {
            self.status_at(inner, depth + 1);
        }
        if let Some(q) = s
            .get("quote")
            .and_then(|q| q.get("quoted_status"))
            .filter(|q| q.is_object())
        {
            self.status_at(q, depth + 1);
        }
        self.statuses.push(s);
    }

    /// Adds every status of an array (anything else in it is quarantined).
    pub fn statuses(&mut self, arr: &'v Value) {
        match arr.as_array() {
            Some(items) => items.iter().for_each(|s| self.status(s)),
            None if arr.is_null() => {}
            None => self
                .bad
                .push(("mastodon statuses are not an array".into(), arr.to_string())),
        }
    }

    /// Adds a v1 notification's status, or notes it as skipped when it has none.
    pub fn notification(&mut self, n: &'v Value) {
        match n.get("status").filter(|s| s.is_object()) {
            Some(s) => self.status(s),
            None => {
                let kind = n.get("type").and_then(Value::as_str).unwrap_or("unknown");
                self.skipped.push(format!(
                    "mastodon {} notification without status",
                    util::snippet(kind)
                ));
            }
        }
    }

    /// Adds a conversation's last status.
    pub fn conversation(&mut self, c: &'v Value) {
        match c.get("last_status").filter(|s| s.is_object()) {
            Some(s) => self.status(s),
            None => self
                .skipped
                .push("mastodon conversation without status".into()),
        }
    }

    /// Adds one element of a top-level array: a status, a notification or a conversation.
    pub fn element(&mut self, v: &'v Value) {
        if is_status(v) {
            self.status(v)
        } else if is_notification(v) {
            self.notification(v)
        } else if v.get("last_status").is_some() {
            self.conversation(v)
        } else {
            self.bad.push((
                "not a mastodon status, notification or conversation".into(),
                v.to_string(),
            ))
        }
    }

    /// Notes something valid that is not a post.
    pub fn skip(&mut self, what: impl Into<String>) {
        self.skipped.push(what.into());
    }

    /// Notes something that cannot be read.
    pub fn quarantine(&mut self, reason: impl Into<String>, shown: &Value) {
        self.bad.push((reason.into(), shown.to_string()));
    }

    /// Registers every status in `seen`, then sends one record per distinct status (by uri),
    /// then the skips and quarantines.
    pub fn emit(self, seen: &mut Seen, ctx: &Ctx<'_>, out: &mut Out<'_>) {
        for s in &self.statuses {
            seen.register(s);
        }
        let mut done: HashSet<String> = HashSet::new();
        for s in &self.statuses {
            match status_to_post(s, seen) {
                Ok(post) => {
                    if done.insert(post.native_id.clone()) {
                        out(ctx.post(post));
                    }
                }
                Err(reason) => out(ctx.quarantine(reason, &s.to_string())),
            }
        }
        for what in self.skipped {
            out(ctx.skipped(what));
        }
        for (reason, shown) in self.bad {
            out(ctx.quarantine(reason, &shown));
        }
    }
}

/// One status as a post. Reblogs become reshares whose text is the reblogged status's text
/// (as an X retweet's is), so that brand queries match reshares too.
pub fn status_to_post(s: &Value, seen: &Seen) -> Result<Post, String> {
    let uri = util::nonempty_str_of(s, "uri").ok_or("mastodon status without uri")?;
    if !s.get("account").is_some_and(Value::is_object) {
        return Err("mastodon status without account".into());
    }
    let reblog = s.get("reblog").filter(|r| r.is_object());
    let quote = s.get("quote").filter(|q| q.is_object());
    let quoted = quote.and_then(|q| {
        q.get("quoted_status")
            .filter(|v| v.is_object())
            .and_then(|v| util::nonempty_str_of(v, "uri"))
            .or_else(|| util::nonempty_str_of(q, "quoted_status_id").map(|id| seen.resolve(&id)))
    });
    let parent_local = util::nonempty_str_of(s, "in_reply_to_id");
    let kind = if reblog.is_some() {
        PostKind::Reshare
    } else if quoted.is_some() {
        PostKind::Quote
    } else if parent_local.is_some() {
        PostKind::Reply
    } else {
        PostKind::Post
    };
    let mut p = Post::new(Network::Mastodon, uri, kind);
    p.alt_id = util::nonempty_str_of(s, "id");
    p.url = util::nonempty_str_of(s, "url");
    p.author = author_of(s.get("account").unwrap_or(&Value::Null));
    // The text: the reblogged status's own for a reblog; else content (or the plain `text`
    // source that deleted statuses carry).
    let body = reblog.unwrap_or(s);
    let mut text = match body.get("content").and_then(Value::as_str) {
        Some(html) if !html.is_empty() => util::html_to_text(html),
        _ => body
            .get("text")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_default(),
    };
    if let Some(options) = body
        .get("poll")
        .and_then(|poll| poll.get("options"))
        .and_then(Value::as_array)
    {
        for o in options {
            if let Some(title) = o.get("title").and_then(Value::as_str) {
                text.push_str("\n• ");
                text.push_str(title);
            }
        }
    }
    p.text = util::bounded(&text, util::MAX_TEXT_BYTES);
    p.title = body
        .get("spoiler_text")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .map(|t| util::bounded(t, util::MAX_TEXT_BYTES));
    p.lang = util::nonempty_str_of(body, "language");
    p.created_at = util::time_of(s, "created_at");
    p.edited_at = util::time_of(s, "edited_at");
    if let Some(r) = reblog {
        p.reshare_of = util::nonempty_str_of(r, "uri");
    }
    p.quote_of = quoted;
    if let Some(parent) = &parent_local {
        p.parent_id = Some(seen.resolve(parent));
        p.root_id = seen.root_of(parent);
    }
    p.metrics.likes = util::u64_of(s, "favourites_count");
    p.metrics.reshares = util::u64_of(s, "reblogs_count");
    p.metrics.replies = util::u64_of(s, "replies_count");
    p.metrics.quotes = util::u64_of(s, "quotes_count");
    p.hashtags = match body.get("tags").and_then(Value::as_array) {
        Some(tags) => names(tags, "name"),
        None => util::hashtags(&p.text),
    };
    p.mentions = match body.get("mentions").and_then(Value::as_array) {
        Some(m) => names(m, "acct"),
        None => util::mentions(&p.text),
    };
    p.links = util::links(&p.text);
    if let Some(card_url) = body
        .get("card")
        .and_then(|c| util::nonempty_str_of(c, "url"))
        .filter(|u| !p.links.contains(u))
    {
        p.links.push(card_url);
    }
    if let Some(media) = body.get("media_attachments").and_then(Value::as_array) {
        p.media = media.iter().filter_map(media_of).collect();
    }
    p.raw = s.clone();
    Ok(p)
}

fn names(items: &[Value], key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in items.iter().filter_map(|t| util::nonempty_str_of(t, key)) {
        let n = n.trim_start_matches(['#', '@']).to_string();
        if !n.is_empty() && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

fn media_of(m: &Value) -> Option<Media> {
    let kind = match m.get("type").and_then(Value::as_str)? {
        "image" => "photo".to_string(),
        "gifv" => "animated_gif".to_string(),
        other => util::snippet(other),
    };
    Some(Media {
        kind,
        url: util::nonempty_str_of(m, "url").or_else(|| util::nonempty_str_of(m, "remote_url")),
        id: util::nonempty_str_of(m, "id"),
        alt: util::nonempty_str_of(m, "description"),
    })
}

/// A Mastodon `Account` as an author: the profile URL as id, `acct` as handle.
pub fn author_of(a: &Value) -> Author {
    Author {
        id: util::nonempty_str_of(a, "url").or_else(|| util::nonempty_str_of(a, "uri")),
        handle: util::nonempty_str_of(a, "acct").map(|h| h.trim_start_matches('@').to_string()),
        name: util::nonempty_str_of(a, "display_name"),
        followers: util::u64_of(a, "followers_count"),
        verified: None,
        location: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn status(id: &str, reply_to: Option<&str>) -> Value {
        json!({
            "id": id, "uri": format!("https://m.example/users/a/statuses/{id}"),
            "in_reply_to_id": reply_to, "content": "<p>hola</p>",
            "account": {"acct": "a", "url": "https://m.example/@a"}
        })
    }

    #[test]
    fn parents_resolve_in_the_same_value_else_stay_local() {
        let mut seen = Seen::default();
        for s in [
            status("1", None),
            status("2", Some("1")),
            status("3", Some("2")),
        ] {
            seen.register(&s);
        }
        let p = status_to_post(&status("3", Some("2")), &seen).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.kind, PostKind::Reply);
        assert_eq!(
            p.parent_id.as_deref(),
            Some("https://m.example/users/a/statuses/2")
        );
        assert_eq!(
            p.root_id.as_deref(),
            Some("https://m.example/users/a/statuses/1")
        );
        let p = status_to_post(&status("9", Some("8")), &seen).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.parent_id.as_deref(), Some("local:8"));
        assert_eq!(p.root_id, None);
    }

    #[test]
    fn reblog_is_a_reshare_with_the_reblogged_text() {
        let mut outer = status("5", None);
        outer["content"] = json!("");
        outer["reblog"] = status("4", None);
        let p = status_to_post(&outer, &Seen::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.kind, PostKind::Reshare);
        assert_eq!(
            p.reshare_of.as_deref(),
            Some("https://m.example/users/a/statuses/4")
        );
        assert_eq!(p.text, "hola");
    }

    #[test]
    fn status_without_uri_is_refused() {
        let s = json!({"id": "1", "account": {}, "content": "x"});
        assert!(status_to_post(&s, &Seen::default()).is_err());
    }
}
