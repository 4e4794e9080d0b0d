//! Emerging terms, hashtags, emoji and bigrams: a Poisson burst z-score of the last window
//! against the feature's own baseline rate in the windows before it.
//!
//! For the last window `W = [end − len, end)` and the baseline `B = [end − (1+K)·len, end −
//! len)` (clipped to `from`), with `N` posts in `W` and `M` in `B`, a feature seen in `c`
//! posts of `W` and `b` posts of `B` is expected in `λ = N · (b + ½) / (M + 1)` posts of `W`
//! (its smoothed baseline share of posts, scaled to the window's volume, so that a busier day
//! does not make everything trend). Its burst score is the Poisson z-score `z = (c − λ) / √λ`
//! and its lift `c / λ`. A feature bursts when `c ≥ 3` and `z ≥ 3`.

use crate::error::Result;
use crate::scan::{Scope, for_each_in_scope};
use crate::text::{FeatureKind, distinct_features};
use crate::{Interval, Params, iso};
use serde::Serialize;
use std::collections::HashMap;
use tertulia_store::{RollupFilter, Store};

/// Number of windows before the last one that form the baseline.
pub const BASELINE_WINDOWS: i64 = 7;
/// Fewest posts in the last window for a feature to trend.
pub const MIN_COUNT: u64 = 3;
/// Smallest z-score for a feature to trend.
pub const Z_THRESHOLD: f64 = 3.0;

/// One bursting feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The feature, folded (lowercase, no accents); bigrams are two words and a space.
    pub feature: String,
    /// `term`, `hashtag`, `emoji` or `bigram`.
    pub kind: FeatureKind,
    /// Posts of the last window containing it (`c`).
    pub count: u64,
    /// Posts of the baseline containing it (`b`).
    pub baseline_count: u64,
    /// Expected posts in the last window, `λ = N · (b + ½) / (M + 1)`.
    pub expected: f64,
    /// Poisson z-score `(c − λ) / √λ`.
    pub z: f64,
    /// `c / λ`.
    pub lift: f64,
    /// Earliest creation time of a post containing it in the baseline or the last window.
    pub first_seen: String,
    /// Not seen at all in the baseline (`b = 0`).
    pub new: bool,
}

/// The `trends` analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trends {
    /// `"trends"`.
    pub analysis: &'static str,
    /// The statistic, in words.
    pub statistic: &'static str,
    /// Window width.
    pub interval: Interval,
    /// The brand filter, if any.
    pub brand: Option<String>,
    /// Start of the last window (RFC 3339), `null` when there are no dated posts.
    pub window_start: Option<String>,
    /// End of the last window (exclusive).
    pub window_end: Option<String>,
    /// Start of the baseline.
    pub baseline_start: Option<String>,
    /// Posts in the last window (`N`).
    pub window_posts: u64,
    /// Posts in the baseline (`M`); 0 means nothing can trend.
    pub baseline_posts: u64,
    /// Every bursting feature, best z first (at most `limit`).
    pub trends: Vec<Trend>,
    /// Bursting terms only (at most `limit`).
    pub terms: Vec<Trend>,
    /// Bursting hashtags only (at most `limit`).
    pub hashtags: Vec<Trend>,
    /// Bursting emoji only (at most `limit`).
    pub emoji: Vec<Trend>,
    /// Bursting bigrams only (at most `limit`).
    pub bigrams: Vec<Trend>,
}

const STATISTIC: &str = "poisson burst z-score: z = (c - λ) / sqrt(λ), λ = N·(b + 0.5)/(M + 1), where c and b are the posts containing the feature in the last window and in the 7 windows before it, N and M all posts there; lift = c/λ; trending when c >= 3 and z >= 3";

/// The expected count, z-score and lift of a feature seen in `c` of `n` window posts and `b`
/// of `m` baseline posts.
pub fn burst(c: u64, b: u64, n: u64, m: u64) -> (f64, f64, f64) {
    let lambda = n as f64 * (b as f64 + 0.5) / (m as f64 + 1.0);
    if lambda <= 0.0 {
        return (0.0, 0.0, 0.0);
    }
    let z = (c as f64 - lambda) / lambda.sqrt();
    (lambda, z, c as f64 / lambda)
}

#[derive(Default)]
struct Tally {
    c: u64,
    b: u64,
    first: i64,
}

/// Terms, hashtags, emoji and bigrams bursting in the last window (ending at `to`, or at the
/// end of the interval holding the latest post) against their own baseline.
pub fn trends(store: &dyn Store, params: &Params) -> Result<Trends> {
    params.check()?;
    let scope = Scope::new(params);
    let iv = params.interval;
    let len = iv.seconds();
    let end = match params.to {
        Some(t) => Some(t.timestamp()),
        None => {
            let rows = store.rollups(&RollupFilter {
                from: params.from,
                to: None,
                networks: Vec::new(),
                brands: vec![scope.brand().unwrap_or("").to_string()],
            })?;
            rows.iter()
                .filter_map(|r| r.hour.map(|h| h.timestamp()))
                .max()
                .map(|h| iv.bucket_start(h) + len)
        }
    };
    let mut out = Trends {
        analysis: "trends",
        statistic: STATISTIC,
        interval: iv,
        brand: scope.brand().map(str::to_string),
        window_start: None,
        window_end: None,
        baseline_start: None,
        window_posts: 0,
        baseline_posts: 0,
        trends: Vec::new(),
        terms: Vec::new(),
        hashtags: Vec::new(),
        emoji: Vec::new(),
        bigrams: Vec::new(),
    };
    let Some(end) = end else {
        return Ok(out);
    };
    let wstart = end - len;
    let mut bstart = end - (1 + BASELINE_WINDOWS) * len;
    if let Some(f) = params.from {
        bstart = bstart.max(f.timestamp());
    }
    out.window_start = Some(iso(wstart));
    out.window_end = Some(iso(end));
    out.baseline_start = Some(iso(bstart.min(wstart)));

    let mut tallies: HashMap<(FeatureKind, String), Tally> = HashMap::new();
    let (mut n, mut m) = (0u64, 0u64);
    for_each_in_scope(store, params, &mut |p| {
        let Some(t) = p.created_at.map(|t| t.timestamp()) else {
            return;
        };
        if t < bstart || t >= end {
            return;
        }
        let in_window = t >= wstart;
        if in_window {
            n += 1;
        } else {
            m += 1;
        }
        for f in distinct_features(&p.full_text(), true) {
            let e = tallies.entry(f).or_insert(Tally {
                c: 0,
                b: 0,
                first: t,
            });
            e.first = e.first.min(t);
            if in_window {
                e.c += 1;
            } else {
                e.b += 1;
            }
        }
    })?;
    out.window_posts = n;
    out.baseline_posts = m;
    if m == 0 {
        return Ok(out);
    }
    let mut all: Vec<Trend> = tallies
        .into_iter()
        .filter(|(_, t)| t.c >= MIN_COUNT)
        .filter_map(|((kind, feature), t)| {
            let (expected, z, lift) = burst(t.c, t.b, n, m);
            (z >= Z_THRESHOLD).then(|| Trend {
                feature,
                kind,
                count: t.c,
                baseline_count: t.b,
                expected,
                z,
                lift,
                first_seen: iso(t.first),
                new: t.b == 0,
            })
        })
        .collect();
    all.sort_by(|a, b| {
        b.z.total_cmp(&a.z)
            .then(b.count.cmp(&a.count))
            .then(a.kind.cmp(&b.kind))
            .then(a.feature.cmp(&b.feature))
    });
    let limit = params.limit;
    let pick = |k: FeatureKind| -> Vec<Trend> {
        all.iter()
            .filter(|t| t.kind == k)
            .take(limit)
            .cloned()
            .collect()
    };
    out.terms = pick(FeatureKind::Term);
    out.hashtags = pick(FeatureKind::Hashtag);
    out.emoji = pick(FeatureKind::Emoji);
    out.bigrams = pick(FeatureKind::Bigram);
    all.truncate(limit);
    out.trends = all;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_statistic_by_hand() {
        // 10 posts now, 70 before; the term was in 1 post before and is in 5 now.
        // λ = 10 · 1.5 / 71 = 0.21127, z = (5 − 0.21127)/√0.21127 = 10.418, lift = 23.667.
        let (l, z, lift) = burst(5, 1, 10, 70);
        assert!((l - 15.0 / 71.0).abs() < 1e-12);
        assert!((z - (5.0 - l) / l.sqrt()).abs() < 1e-12);
        assert!((z - 10.418).abs() < 1e-3, "{z}");
        assert!((lift - 23.667).abs() < 1e-3, "{lift}");
        // Same share as its baseline: no burst.
        let (_, z, _) = burst(10, 70, 10, 70);
        assert!(z < 0.1);
        assert_eq!(burst(1, 0, 0, 5), (0.0, 0.0, 0.0));
    }
}
