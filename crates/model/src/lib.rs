//! Tertulia's data model.
//!
//! Every connector turns what a network emits into [`Post`]s (or [`Tombstone`]s for deletions);
//! every other crate (nlp, store, query, analytics) works on these types only. The crate has no
//! I/O. A post's identity is `(network, native_id)`, where `native_id` is the id the network
//! itself uses to fetch the item (see [`Post::native_id`]).
//!
//! Serialisation is versioned: [`SCHEMA_VERSION`] is written in the `v` field of every post, and
//! readers accept posts without it (version 1).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

mod enrichment;
pub use enrichment::{Emotion, Enrichment, Intent, Sentiment};

/// Version of the serialised [`Post`] layout, written in its `v` field.
pub const SCHEMA_VERSION: u32 = 1;

/// Errors of this crate: only parsing of the enumerations from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// A network name that Tertulia does not know.
    #[error("unknown network {0:?}")]
    UnknownNetwork(String),
    /// A post kind that Tertulia does not know.
    #[error("unknown post kind {0:?}")]
    UnknownKind(String),
    /// A label of an enrichment enumeration that is not one of its values.
    #[error("unknown {what} {value:?}")]
    UnknownLabel {
        /// Which enumeration (sentiment, intent, emotion).
        what: &'static str,
        /// The text that was not recognised.
        value: String,
    },
}

/// A social network or other source of posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// X, formerly Twitter.
    X,
    /// Facebook (Graph API).
    Facebook,
    /// Instagram (Graph API).
    Instagram,
    /// YouTube (Data API v3).
    Youtube,
    /// Reddit.
    Reddit,
    /// Mastodon and other ActivityPub servers speaking the Mastodon API.
    Mastodon,
    /// Bluesky (AT Protocol).
    Bluesky,
    /// TikTok (from a mapped CSV/JSONL export).
    Tiktok,
    /// LinkedIn (from a mapped CSV/JSONL export).
    Linkedin,
    /// Review sites (from a mapped CSV/JSONL export).
    Reviews,
    /// News sites.
    News,
    /// Blogs.
    Blogs,
    /// Forums.
    Forums,
    /// Any other source imported from CSV/JSONL without a known network.
    Csv,
}

impl Network {
    /// Every network, in a stable order.
    pub const ALL: [Network; 14] = [
        Network::X,
        Network::Facebook,
        Network::Instagram,
        Network::Youtube,
        Network::Reddit,
        Network::Mastodon,
        Network::Bluesky,
        Network::Tiktok,
        Network::Linkedin,
        Network::Reviews,
        Network::News,
        Network::Blogs,
        Network::Forums,
        Network::Csv,
    ];

    /// The lowercase name used in every contract (`x`, `facebook`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Network::X => "x",
            Network::Facebook => "facebook",
            Network::Instagram => "instagram",
            Network::Youtube => "youtube",
            Network::Reddit => "reddit",
            Network::Mastodon => "mastodon",
            Network::Bluesky => "bluesky",
            Network::Tiktok => "tiktok",
            Network::Linkedin => "linkedin",
            Network::Reviews => "reviews",
            Network::News => "news",
            Network::Blogs => "blogs",
            Network::Forums => "forums",
            Network::Csv => "csv",
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Network {
    type Err = ModelError;

    /// Parses a network name, case-insensitively, with common aliases (`twitter` → X,
    /// `fb` → Facebook, `ig` → Instagram, `bsky` → Bluesky, `review` → Reviews…).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_lowercase();
        let n = match lower.as_str() {
            "x" | "twitter" | "tweet" | "x.com" | "twitter.com" => Network::X,
            "facebook" | "fb" | "facebook.com" => Network::Facebook,
            "instagram" | "ig" | "instagram.com" => Network::Instagram,
            "youtube" | "yt" | "youtube.com" => Network::Youtube,
            "reddit" | "reddit.com" => Network::Reddit,
            "mastodon" | "fediverse" | "activitypub" => Network::Mastodon,
            "bluesky" | "bsky" | "bsky.app" | "atproto" => Network::Bluesky,
            "tiktok" | "tiktok.com" => Network::Tiktok,
            "linkedin" | "linkedin.com" => Network::Linkedin,
            "reviews" | "review" | "google reviews" | "trustpilot" | "tripadvisor" | "yelp" => {
                Network::Reviews
            }
            "news" | "online news" => Network::News,
            "blogs" | "blog" => Network::Blogs,
            "forums" | "forum" => Network::Forums,
            "csv" | "other" | "web" | "" => Network::Csv,
            _ => return Err(ModelError::UnknownNetwork(s.to_string())),
        };
        Ok(n)
    }
}

/// What kind of item a post is within its conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    /// An original, top-level post (a tweet, a Facebook post, a Reddit link, a YouTube video…).
    Post,
    /// A reply to another post in a threaded conversation (X, Mastodon, Bluesky).
    Reply,
    /// A reshare without comment (retweet, reblog, repost).
    Reshare,
    /// A reshare with comment (quote tweet, Bluesky quote).
    Quote,
    /// A comment under a post (Facebook, Instagram, YouTube, Reddit).
    Comment,
    /// A review with a rating.
    Review,
}

impl PostKind {
    /// Every kind, in a stable order.
    pub const ALL: [PostKind; 6] = [
        PostKind::Post,
        PostKind::Reply,
        PostKind::Reshare,
        PostKind::Quote,
        PostKind::Comment,
        PostKind::Review,
    ];

    /// The lowercase name used in every contract.
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Post => "post",
            PostKind::Reply => "reply",
            PostKind::Reshare => "reshare",
            PostKind::Quote => "quote",
            PostKind::Comment => "comment",
            PostKind::Review => "review",
        }
    }
}

impl fmt::Display for PostKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PostKind {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let k = match s.trim().to_lowercase().as_str() {
            "post" | "status" | "tweet" | "original" => PostKind::Post,
            "reply" | "replied_to" => PostKind::Reply,
            "reshare" | "retweet" | "retweeted" | "reblog" | "repost" => PostKind::Reshare,
            "quote" | "quoted" => PostKind::Quote,
            "comment" => PostKind::Comment,
            "review" => PostKind::Review,
            _ => return Err(ModelError::UnknownKind(s.to_string())),
        };
        Ok(k)
    }
}

/// The author of a post, as the source describes them at the time of the post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Author {
    /// The network's stable id of the account (X user id, Graph id, YouTube channel id,
    /// Reddit `t2_…` fullname or name, Mastodon account URL, Bluesky DID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The handle without `@` (X screen name, Mastodon `acct`, Bluesky handle, Reddit name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Followers or subscribers, when the source gives them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<u64>,
    /// Whether the network marks the account verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Free-text location from the profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl Author {
    /// The best short label for the author: the handle, else the name, else the id, else "".
    pub fn label(&self) -> &str {
        self.handle
            .as_deref()
            .or(self.name.as_deref())
            .or(self.id.as_deref())
            .unwrap_or("")
    }
}

/// Engagement counters as the source reported them when the post was fetched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Metrics {
    /// Likes, favourites, reactions, upvotes (Reddit score).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub likes: Option<u64>,
    /// Reshares, retweets, reblogs, reposts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reshares: Option<u64>,
    /// Replies or comments received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies: Option<u64>,
    /// Quotes received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotes: Option<u64>,
    /// Views or impressions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub views: Option<u64>,
}

impl Metrics {
    /// Likes + reshares + replies + quotes (views are not engagement), saturating: counters
    /// come from strangers and may be absurd.
    pub fn engagement(&self) -> u64 {
        [self.likes, self.reshares, self.replies, self.quotes]
            .into_iter()
            .map(|c| c.unwrap_or(0))
            .fold(0u64, u64::saturating_add)
    }
}

/// A picture, video or other attachment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Media {
    /// `photo`, `video`, `animated_gif`, `audio`, `link` or what the source says.
    pub kind: String,
    /// Where the media can be fetched, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The network's id of the media, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Alternative text, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
}

/// One post, comment, reply, reshare or review, normalised from any network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    /// Schema version of this serialised layout ([`SCHEMA_VERSION`]).
    #[serde(default = "default_version")]
    pub v: u32,
    /// The network the post comes from.
    pub network: Network,
    /// The id the network itself uses to fetch the item: X `id_str`; Facebook/Instagram Graph
    /// `id`; YouTube comment or video `id`; Reddit fullname (`t1_…`, `t3_…`); Mastodon status
    /// `uri`; Bluesky `at://` URI. With `network`, the post's identity.
    pub native_id: String,
    /// A second id the network uses for the same item, when it differs from `native_id`
    /// (Mastodon's instance-local status id, which streaming `delete` events carry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_id: Option<String>,
    /// Public URL of the post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Who wrote it.
    #[serde(default)]
    pub author: Author,
    /// Title (Reddit link posts, YouTube videos, reviews), when the item has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The text, as plain text (HTML from Mastodon is converted; entities decoded).
    #[serde(default)]
    pub text: String,
    /// Language as given by the source (ISO 639-1 or the source's tag), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// When the post was created, in UTC; `None` when the source did not say. Always
    /// serialised (as `null` when unknown): the export contract names it.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// What kind of item it is.
    pub kind: PostKind,
    /// The item this one directly answers (reply or comment), as a native id. Always
    /// serialised (as `null` for top-level posts): the export contract names it.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// The top of the thread (the original post under which comments sit), as a native id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_id: Option<String>,
    /// The network's conversation id, when it has one (X `conversation_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The post this one reshares, as a native id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reshare_of: Option<String>,
    /// The post this one quotes, as a native id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_of: Option<String>,
    /// Engagement counters.
    #[serde(default)]
    pub metrics: Metrics,
    /// Hashtags without `#`, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashtags: Vec<String>,
    /// Mentioned handles without `@`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
    /// Links, expanded when the source gives the expanded form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// Attached media.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<Media>,
    /// Rating of a review, on the source's scale (e.g. 1–5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<f64>,
    /// Country (ISO 3166-1 alpha-2 when known) of the post's place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The post was deleted or removed at the source.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
    /// When the post was last edited, in UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<DateTime<Utc>>,
    /// Understanding computed by Tertulia (language, sentiment, intents…), once enriched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrichment: Option<Enrichment>,
    /// Names of the brands whose queries match the post.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub brands: Vec<String>,
    /// The source object exactly as read, kept for reprocessing.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub raw: serde_json::Value,
}

fn default_version() -> u32 {
    SCHEMA_VERSION
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Post {
    /// A new post with its identity and kind set and everything else empty.
    pub fn new(network: Network, native_id: impl Into<String>, kind: PostKind) -> Self {
        Post {
            v: SCHEMA_VERSION,
            network,
            native_id: native_id.into(),
            alt_id: None,
            url: None,
            author: Author::default(),
            title: None,
            text: String::new(),
            lang: None,
            created_at: None,
            kind,
            parent_id: None,
            root_id: None,
            conversation_id: None,
            reshare_of: None,
            quote_of: None,
            metrics: Metrics::default(),
            hashtags: Vec::new(),
            mentions: Vec::new(),
            links: Vec::new(),
            media: Vec::new(),
            rating: None,
            country: None,
            deleted: false,
            edited_at: None,
            enrichment: None,
            brands: Vec::new(),
            raw: serde_json::Value::Null,
        }
    }

    /// The post's identity.
    pub fn key(&self) -> PostKey {
        PostKey {
            network: self.network,
            native_id: self.native_id.clone(),
        }
    }

    /// Title and text joined, as the text analysed and searched.
    pub fn full_text(&self) -> String {
        match &self.title {
            Some(t) if !t.is_empty() && !self.text.is_empty() => format!("{t}\n{}", self.text),
            Some(t) if !t.is_empty() => t.clone(),
            _ => self.text.clone(),
        }
    }
}

/// The identity of a post: `(network, native_id)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PostKey {
    /// The network.
    pub network: Network,
    /// The network's own id of the item (see [`Post::native_id`]).
    pub native_id: String,
}

impl fmt::Display for PostKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.network, self.native_id)
    }
}

/// A deletion notice for a post that may or may not have been seen (X `deleted-tweets.js` is
/// read as posts with `deleted = true`; streaming deletes arrive as tombstones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    /// The network.
    pub network: Network,
    /// The deleted post's native id, when the notice carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native_id: Option<String>,
    /// The deleted post's alternative id (see [`Post::alt_id`]), when only that is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_id: Option<String>,
    /// When it was deleted, if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
}

/// What a connector reads out of a source: a post, or the deletion of one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Item {
    /// A post (new, or a newer version of one already stored).
    Post(Box<Post>),
    /// A post was deleted at the source.
    Delete(Tombstone),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_names_round_trip() {
        for n in Network::ALL {
            assert_eq!(n.as_str().parse::<Network>(), Ok(n));
            let json = serde_json::to_string(&n).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", n.as_str()));
        }
        assert_eq!("Twitter".parse::<Network>(), Ok(Network::X));
        assert!("myspace".parse::<Network>().is_err());
    }

    #[test]
    fn kinds_round_trip() {
        for k in PostKind::ALL {
            assert_eq!(k.as_str().parse::<PostKind>(), Ok(k));
        }
        assert_eq!("retweet".parse::<PostKind>(), Ok(PostKind::Reshare));
    }

    #[test]
    fn post_serde_round_trip_and_version_default() {
        let mut p = Post::new(Network::X, "123", PostKind::Reply);
        p.text = "hola".into();
        p.parent_id = Some("122".into());
        p.metrics.likes = Some(3);
        let s = serde_json::to_string(&p).unwrap_or_default();
        let back: Post = serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}: {s}"));
        assert_eq!(back, p);
        let old: Post = serde_json::from_str(r#"{"network":"x","native_id":"1","kind":"post"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(old.v, SCHEMA_VERSION);
        assert_eq!(old.text, "");
    }

    #[test]
    fn engagement_saturates_on_absurd_counters() {
        let m = Metrics {
            likes: Some(u64::MAX),
            reshares: Some(5),
            ..Metrics::default()
        };
        assert_eq!(m.engagement(), u64::MAX);
        let m = Metrics {
            likes: Some(2),
            replies: Some(3),
            views: Some(100),
            ..Metrics::default()
        };
        assert_eq!(m.engagement(), 5);
    }

    #[test]
    fn full_text_joins_title() {
        let mut p = Post::new(Network::Reddit, "t3_x", PostKind::Post);
        p.title = Some("Title".into());
        assert_eq!(p.full_text(), "Title");
        p.text = "body".into();
        assert_eq!(p.full_text(), "Title\nbody");
    }
}
