//! What one post contributes to the maintained aggregates (stats counters and hourly rollups),
//! and the per-transaction deltas that are added to the stored aggregates at commit.
//!
//! An insert adds a post's contribution, an update subtracts the old version's and adds the new
//! one's, so the stored aggregates always equal a recount over the stored posts.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tertulia_model::{Network, Post, PostKind, Sentiment};

/// Bucket value stored for posts without `created_at` (not a multiple of 3600, so it never
/// collides with a real hour).
pub(crate) const UNKNOWN_HOUR: i64 = -1;
/// Day key for posts without `created_at`.
pub(crate) const UNKNOWN_DAY: &str = "unknown";
/// Longest language tag kept (longer source tags are cut at a character boundary).
const MAX_LANG_BYTES: usize = 35;
/// Per-post cap on engagement and reach: larger values are hostile or broken input, and
/// capping keeps 10^7 posts' sums inside SQLite's 64-bit integers.
pub(crate) const MAX_COUNT: u64 = 100_000_000_000;

/// Sentiment label used in rollups for posts that are not enriched.
pub const UNKNOWN_SENTIMENT: &str = "unknown";

/// The labels of the sentiment dimension of rollups, in their index order.
pub(crate) const SENTIMENTS: [&str; 4] = ["positive", "neutral", "negative", UNKNOWN_SENTIMENT];

/// Effective language: the enrichment's, else the source's, else `und`; bounded.
pub fn effective_lang(p: &Post) -> &str {
    let lang = match &p.enrichment {
        Some(e) if !e.lang.is_empty() => e.lang.as_str(),
        _ => match &p.lang {
            Some(l) if !l.is_empty() => l.as_str(),
            _ => "und",
        },
    };
    truncate(lang, MAX_LANG_BYTES)
}

pub(crate) fn truncate(s: &str, max: usize) -> &str {
    &s[..s.floor_char_boundary(max)]
}

/// Engagement counted in rollups: likes + reshares + replies + quotes, saturating, capped.
pub fn engagement(p: &Post) -> u64 {
    let m = &p.metrics;
    [m.likes, m.reshares, m.replies, m.quotes]
        .iter()
        .fold(0u64, |acc, v| acc.saturating_add(v.unwrap_or(0)))
        .min(MAX_COUNT)
}

/// Reach counted in rollups: the author's followers, capped.
pub fn reach(p: &Post) -> u64 {
    p.author.followers.unwrap_or(0).min(MAX_COUNT)
}

/// Start of the UTC hour of `t`, in Unix seconds.
pub(crate) fn hour_of(t: Option<DateTime<Utc>>) -> i64 {
    match t {
        Some(t) => t.timestamp().div_euclid(3600) * 3600,
        None => UNKNOWN_HOUR,
    }
}

fn day_of(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp().div_euclid(86_400))
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01), or `unknown`.
pub(crate) fn day_key(day: Option<i64>) -> String {
    match day.and_then(|d| DateTime::<Utc>::from_timestamp(d.saturating_mul(86_400), 0)) {
        Some(t) => t.format("%Y-%m-%d").to_string(),
        None => UNKNOWN_DAY.to_string(),
    }
}

fn sentiment_index(p: &Post) -> u8 {
    match p.enrichment.as_ref().map(|e| e.sentiment) {
        Some(Sentiment::Positive) => 0,
        Some(Sentiment::Neutral) => 1,
        Some(Sentiment::Negative) => 2,
        None => 3,
    }
}

fn network_index(n: Network) -> usize {
    Network::ALL.iter().position(|x| *x == n).unwrap_or(0)
}

fn kind_index(k: PostKind) -> usize {
    PostKind::ALL.iter().position(|x| *x == k).unwrap_or(0)
}

/// Distinct non-empty brands of a post, in first-seen order, without allocating.
pub(crate) fn distinct_brands(p: &Post) -> impl Iterator<Item = &str> {
    p.brands
        .iter()
        .enumerate()
        .filter(|(i, b)| !b.is_empty() && !p.brands[..*i].contains(b))
        .map(|(_, b)| b.as_str())
}

/// Key of one rollup row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct RollupKey {
    pub hour: i64,
    pub network: Network,
    pub kind: PostKind,
    pub sentiment: u8,
    pub brand: String,
}

/// Signed changes to the stored aggregates, accumulated over one transaction.
#[derive(Debug, Default)]
pub(crate) struct Deltas {
    pub total: i64,
    pub deleted: i64,
    pub network: [i64; Network::ALL.len()],
    pub kind: [i64; PostKind::ALL.len()],
    pub lang: HashMap<String, i64>,
    pub day: HashMap<Option<i64>, i64>,
    /// posts, engagement, reach.
    pub rollups: HashMap<RollupKey, [i64; 3]>,
}

impl Deltas {
    /// Adds (`sign` = 1) or removes (`sign` = -1) what `p` contributes.
    pub fn apply(&mut self, p: &Post, sign: i64) {
        self.total += sign;
        if p.deleted {
            self.deleted += sign;
        }
        self.network[network_index(p.network)] += sign;
        self.kind[kind_index(p.kind)] += sign;
        let lang = effective_lang(p);
        match self.lang.get_mut(lang) {
            Some(n) => *n += sign,
            None => {
                self.lang.insert(lang.to_string(), sign);
            }
        }
        *self.day.entry(day_of(p.created_at)).or_insert(0) += sign;
        if p.deleted {
            // Deleted posts stay in stats (they are stored and exported, flagged) but leave the
            // rollups: dashboards show the live conversation.
            return;
        }
        let hour = hour_of(p.created_at);
        let sentiment = sentiment_index(p);
        let vals = [sign, sign * engagement(p) as i64, sign * reach(p) as i64];
        let mut add = |brand: &str| {
            let key = RollupKey {
                hour,
                network: p.network,
                kind: p.kind,
                sentiment,
                brand: brand.to_string(),
            };
            let e = self.rollups.entry(key).or_insert([0; 3]);
            for (a, v) in e.iter_mut().zip(vals) {
                *a += v;
            }
        };
        add("");
        for b in distinct_brands(p) {
            add(b);
        }
    }

    /// Counter rows to add: (dimension, key, delta), zero deltas left out.
    pub fn counter_rows(&self) -> Vec<(&'static str, String, i64)> {
        let mut out = Vec::new();
        out.push(("total", String::new(), self.total));
        out.push(("deleted", String::new(), self.deleted));
        for (i, n) in self.network.iter().enumerate() {
            out.push(("network", Network::ALL[i].as_str().to_string(), *n));
        }
        for (i, n) in self.kind.iter().enumerate() {
            out.push(("kind", PostKind::ALL[i].as_str().to_string(), *n));
        }
        for (l, n) in &self.lang {
            out.push(("lang", l.clone(), *n));
        }
        for (d, n) in &self.day {
            out.push(("day", day_key(*d), *n));
        }
        out.retain(|r| r.2 != 0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use tertulia_model::{Emotion, Enrichment};

    fn post() -> Post {
        let mut p = Post::new(Network::X, "1", PostKind::Post);
        p.created_at = Utc.with_ymd_and_hms(2015, 2, 24, 11, 35, 52).single();
        p.metrics.likes = Some(2);
        p.metrics.reshares = Some(u64::MAX);
        p.author.followers = Some(7);
        p.brands = vec!["a".into(), "b".into(), "a".into(), String::new()];
        p
    }

    #[test]
    fn language_falls_back_and_is_bounded() {
        let mut p = post();
        assert_eq!(effective_lang(&p), "und");
        p.lang = Some("es".into());
        assert_eq!(effective_lang(&p), "es");
        p.enrichment = Some(Enrichment {
            lang: "en".into(),
            sentiment: Sentiment::Negative,
            sentiment_score: -0.5,
            intents: vec![],
            emotion: Emotion::None,
            offensive: false,
        });
        assert_eq!(effective_lang(&p), "en");
        p.enrichment = None;
        p.lang = Some("ñ".repeat(40));
        assert!(effective_lang(&p).len() <= MAX_LANG_BYTES);
    }

    #[test]
    fn contribution_counts_each_brand_once_plus_the_total_row() {
        let p = post();
        let mut d = Deltas::default();
        d.apply(&p, 1);
        assert_eq!(d.rollups.len(), 3);
        let hour = Utc
            .with_ymd_and_hms(2015, 2, 24, 11, 0, 0)
            .single()
            .map(|t| t.timestamp());
        for (k, v) in &d.rollups {
            assert_eq!(Some(k.hour), hour);
            assert_eq!(v, &[1, MAX_COUNT as i64, 7]);
        }
        d.apply(&p, -1);
        assert!(d.rollups.values().all(|v| v == &[0, 0, 0]));
        assert!(d.counter_rows().is_empty());
    }

    #[test]
    fn deleted_posts_leave_rollups_but_stay_in_stats() {
        let mut p = post();
        p.deleted = true;
        let mut d = Deltas::default();
        d.apply(&p, 1);
        assert!(d.rollups.is_empty());
        assert_eq!((d.total, d.deleted), (1, 1));
        assert_eq!(day_key(day_of(p.created_at)), "2015-02-24");
        assert_eq!(day_key(None), "unknown");
    }
}
