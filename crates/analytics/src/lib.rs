//! Tertulia's analyses: what a strategist reads off the stored conversation.
//!
//! * [`BrandSet`]: the workspace's own brand and its competitors, each a saved query, loaded
//!   from and saved to `<data>/tertulia.toml`; [`BrandSet::tag`] tags a post with the brands it
//!   matches and [`retag`] re-tags a whole store after a query changed.
//! * Analyses, each `fn(store, params) -> Result<Serialize struct>` and all reachable by name
//!   through [`run`], which returns one JSON document:
//!   [`timeline`] and [`share_of_voice`] (from the store's hourly rollups: O(buckets), not
//!   O(posts)); [`trends`] (Poisson burst z-score against the term's own baseline);
//!   [`topics`] (spherical k-means over TF-IDF); [`complaints`] (a Spanish/English aspect
//!   lexicon); [`influencers`] (reach, engagement, PageRank); [`cascades`] (reply/reshare/quote
//!   trees and hops from the brand); [`segments`] (authors clustered by topic, sentiment and
//!   activity); [`best_times`] (weekday × hour engagement per network).
//!
//! Every analysis reads the same [`Params`]: an optional brand filter, a UTC time range
//! `[from, to)`, an [`Interval`], a `limit` on list lengths and the declared brands. Deleted
//! posts are left out everywhere. The formulas are documented in `docs/analytics.md`.
//!
//! ```no_run
//! use tertulia_analytics::{BrandSet, Params, run};
//! let store = tertulia_store::open("./tertulia-data")?;
//! let params = Params {
//!     brands: BrandSet::load(std::path::Path::new("./tertulia-data"))?,
//!     ..Params::default()
//! };
//! let doc = run("share-of-voice", store.as_ref(), &params)?;
//! println!("{doc}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use tertulia_store::Store;

mod best_times;
mod brands;
mod cluster;
mod complaints;
mod error;
mod graph;
mod rollup;
mod scan;
pub mod text;
mod topics;
mod trends;

pub use best_times::{BestTimes, NetworkBestTimes, Slot, best_times};
pub use brands::{Brand, BrandSet, CONFIG_FILE, WorkspaceConfig, retag};
pub use complaints::{ASPECTS, AspectReport, ComplaintExample, Complaints, aspects_of, complaints};
pub use error::{AnalyticsError, Result};
pub use graph::{Cascade, Cascades, InfluencerRow, Influencers, cascades, influencers, pagerank};
pub use rollup::{
    BrandShare, Bucket, Counts, GroupShare, Series, ShareOfVoice, Timeline, net_sentiment,
    share_of_voice, timeline,
};
pub use topics::{Segment, Segments, Topic, Topics, segments, topics};
pub use trends::{Trend, Trends, trends};

/// Names of the analyses [`run`] knows, in the order they are documented.
pub const ANALYSES: [&str; 9] = [
    "timeline",
    "share-of-voice",
    "trends",
    "topics",
    "complaints",
    "influencers",
    "cascades",
    "segments",
    "best-times",
];

/// Default for [`Params::limit`].
pub const DEFAULT_LIMIT: usize = 10;

/// Most buckets a timeline may have (a wider range needs a coarser interval).
pub const MAX_BUCKETS: usize = 20_000;

/// Width of the time buckets of timelines, trends and complaint trends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// One UTC hour.
    Hour,
    /// One UTC day (midnight to midnight).
    #[default]
    Day,
    /// One ISO week, Monday 00:00 UTC to the next Monday.
    Week,
}

impl Interval {
    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Hour => "hour",
            Interval::Day => "day",
            Interval::Week => "week",
        }
    }

    /// Length in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            Interval::Hour => 3_600,
            Interval::Day => 86_400,
            Interval::Week => 7 * 86_400,
        }
    }

    /// Start (Unix seconds) of the bucket holding Unix time `t`: hours and days are aligned on
    /// UTC, weeks start on Monday 00:00 UTC.
    pub fn bucket_start(self, t: i64) -> i64 {
        match self {
            Interval::Hour | Interval::Day => t.div_euclid(self.seconds()) * self.seconds(),
            Interval::Week => {
                let day = t.div_euclid(86_400);
                // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
                (day - (day + 3).rem_euclid(7)) * 86_400
            }
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Interval {
    type Err = AnalyticsError;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hour" | "hourly" | "h" => Ok(Interval::Hour),
            "day" | "daily" | "d" => Ok(Interval::Day),
            "week" | "weekly" | "w" => Ok(Interval::Week),
            _ => Err(AnalyticsError::UnknownInterval(s.to_string())),
        }
    }
}

/// What every analysis reads.
#[derive(Debug, Clone)]
pub struct Params {
    /// Only posts tagged with this brand (exact name as declared). `None`: every post.
    /// Share of voice always compares every brand; there it only narrows the rows returned.
    pub brand: Option<String>,
    /// Only posts created at or after this instant (UTC). Rollup-based analyses (timeline,
    /// share of voice) work on whole hours: an hour is in when it starts in `[from, to)`.
    /// Setting `from` or `to` leaves out posts without a creation time.
    pub from: Option<DateTime<Utc>>,
    /// Only posts created before this instant (UTC, exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Bucket width of time series (timeline, trends windows, complaint trends).
    pub interval: Interval,
    /// Longest list returned (top trends, topics' examples, influencers, cascades, slots…).
    pub limit: usize,
    /// The declared brands (own and competitors). Share of voice, cascades (hops from the own
    /// accounts) and the `brand` check use them; empty is allowed.
    pub brands: BrandSet,
    /// Number of clusters for `topics` and `segments`; `None` picks one from the data size
    /// (√(n/2), between 2 and 12).
    pub clusters: Option<usize>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            brand: None,
            from: None,
            to: None,
            interval: Interval::Day,
            limit: DEFAULT_LIMIT,
            brands: BrandSet::default(),
            clusters: None,
        }
    }
}

impl Params {
    /// Checks the parameters: `from` before `to`, a positive limit, and a brand filter that
    /// names a declared brand (when brands are declared).
    pub fn check(&self) -> Result<()> {
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f >= t
        {
            return Err(AnalyticsError::InvalidParams(format!(
                "from ({}) must be before to ({})",
                f.to_rfc3339(),
                t.to_rfc3339()
            )));
        }
        if self.limit == 0 {
            return Err(AnalyticsError::InvalidParams(
                "limit must be at least 1".into(),
            ));
        }
        if let Some(b) = &self.brand
            && !self.brands.is_empty()
            && self.brands.get(b).is_none()
        {
            return Err(AnalyticsError::UnknownBrand {
                name: b.clone(),
                known: self.brands.names(),
            });
        }
        Ok(())
    }
}

/// Parses a command-line time: RFC 3339 (`2015-02-23T05:28:00Z`, any offset), a date
/// (`2015-02-23`, midnight UTC) or a UTC date and time without zone (`2015-02-23T05:28`,
/// `2015-02-23 05:28:00`).
pub fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    let t = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
            return Ok(n.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        && let Some(n) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(n.and_utc());
    }
    Err(AnalyticsError::InvalidTime(s.chars().take(64).collect()))
}

fn to_json<T: Serialize>(analysis: &'static str, v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|source| AnalyticsError::Json { analysis, source })
}

/// Runs the analysis called `name` (one of [`ANALYSES`]) and returns its JSON document.
/// Unknown names give [`AnalyticsError::UnknownAnalysis`] listing the valid ones.
pub fn run(name: &str, store: &dyn Store, params: &Params) -> Result<serde_json::Value> {
    let key = name.trim().to_ascii_lowercase().replace('_', "-");
    match key.as_str() {
        "timeline" => to_json("timeline", &timeline(store, params)?),
        "share-of-voice" | "sov" => to_json("share-of-voice", &share_of_voice(store, params)?),
        "trends" => to_json("trends", &trends(store, params)?),
        "topics" => to_json("topics", &topics(store, params)?),
        "complaints" => to_json("complaints", &complaints(store, params)?),
        "influencers" => to_json("influencers", &influencers(store, params)?),
        "cascades" => to_json("cascades", &cascades(store, params)?),
        "segments" => to_json("segments", &segments(store, params)?),
        "best-times" => to_json("best-times", &best_times(store, params)?),
        _ => Err(AnalyticsError::UnknownAnalysis {
            name: name.chars().take(64).collect(),
            valid: ANALYSES.to_vec(),
        }),
    }
}

/// RFC 3339 text of Unix seconds (UTC), for JSON.
pub(crate) fn iso(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_and_align() {
        assert_eq!("Day".parse::<Interval>().unwrap(), Interval::Day);
        assert!("month".parse::<Interval>().is_err());
        let t = parse_time("2015-02-25T13:45:00Z").unwrap().timestamp(); // a Wednesday
        assert_eq!(iso(Interval::Hour.bucket_start(t)), "2015-02-25T13:00:00Z");
        assert_eq!(iso(Interval::Day.bucket_start(t)), "2015-02-25T00:00:00Z");
        assert_eq!(iso(Interval::Week.bucket_start(t)), "2015-02-23T00:00:00Z");
        let monday = parse_time("2015-02-23").unwrap().timestamp();
        assert_eq!(Interval::Week.bucket_start(monday), monday);
        assert_eq!(Interval::Week.bucket_start(monday - 1), monday - 7 * 86_400);
    }

    #[test]
    fn times_parse_in_several_forms() {
        let a = parse_time("2015-02-23T05:28:00Z").unwrap();
        assert_eq!(parse_time("2015-02-23T05:28").unwrap(), a);
        assert_eq!(parse_time("2015-02-23 05:28:00").unwrap(), a);
        assert_eq!(parse_time("2015-02-23T06:28:00+01:00").unwrap(), a);
        assert_eq!(
            parse_time("2015-02-23").unwrap().to_rfc3339(),
            "2015-02-23T00:00:00+00:00"
        );
        let e = parse_time("yesterday").unwrap_err().to_string();
        assert!(e.contains("cannot parse time \"yesterday\""), "{e}");
    }

    #[test]
    fn params_are_checked() {
        let mut p = Params {
            from: Some(parse_time("2015-02-24").unwrap()),
            to: Some(parse_time("2015-02-23").unwrap()),
            ..Params::default()
        };
        assert!(p.check().is_err());
        p.to = None;
        assert!(p.check().is_ok());
        p.brands = BrandSet::new(vec![Brand::new("Iberia", "iberia", true)]).unwrap();
        p.brand = Some("Vueling".into());
        let e = p.check().unwrap_err().to_string();
        assert_eq!(e, "unknown brand \"Vueling\"; declared brands are: Iberia");
    }
}
