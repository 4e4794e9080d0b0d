//! Timeline and share of voice, computed from the store's rollups only: the store sums them per
//! bucket and group ([`Store::rollup_series`], from its daily rollups when it can), so the cost
//! is O(buckets × groups), not O(posts) nor O(hours).

use crate::error::{AnalyticsError, Result};
use crate::scan::Scope;
use crate::{Interval, MAX_BUCKETS, Params, iso};
use serde::Serialize;
use std::collections::BTreeMap;
use tertulia_model::Network;
use tertulia_store::{ALL_POSTS, RollupAgg, RollupFilter, RollupGroup, RollupQuery, Store};

/// Net sentiment: `(positive − negative) / (positive + negative)`, in −1…1; `None` when a
/// group has neither positive nor negative posts. Neutral and unenriched posts do not count.
pub fn net_sentiment(positive: u64, negative: u64) -> Option<f64> {
    let d = positive + negative;
    (d > 0).then(|| (positive as f64 - negative as f64) / d as f64)
}

/// Volume, sentiment counts, net sentiment, engagement and reach of a group of posts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Posts.
    pub posts: u64,
    /// Posts with positive sentiment.
    pub positive: u64,
    /// Posts with neutral sentiment.
    pub neutral: u64,
    /// Posts with negative sentiment.
    pub negative: u64,
    /// Posts not enriched yet (no sentiment).
    pub unknown: u64,
    /// `(positive − negative) / (positive + negative)`, `null` when both are 0.
    pub net_sentiment: Option<f64>,
    /// Sum of likes + reshares + replies + quotes.
    pub engagement: u64,
    /// Sum of the authors' followers (per post: an author posting twice counts twice).
    pub reach: u64,
}

impl Counts {
    fn add(&mut self, r: &RollupAgg) {
        self.posts += r.posts;
        match r.sentiment.as_deref().unwrap_or("") {
            "positive" => self.positive += r.posts,
            "neutral" => self.neutral += r.posts,
            "negative" => self.negative += r.posts,
            _ => self.unknown += r.posts,
        }
        self.engagement += r.engagement;
        self.reach += r.reach;
    }

    fn finish(mut self) -> Self {
        self.net_sentiment = net_sentiment(self.positive, self.negative);
        self
    }
}

/// One time bucket of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    /// Start of the bucket (RFC 3339, UTC).
    pub start: String,
    /// What the bucket's posts add up to.
    #[serde(flatten)]
    pub counts: Counts,
}

/// A time series of one group (a brand, a network, or a brand on a network).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// The brand, or `null` for every post in scope.
    pub brand: Option<String>,
    /// The network, or `null` for every network.
    pub network: Option<Network>,
    /// Totals over the range.
    pub total: Counts,
    /// One bucket per interval from the first to the last bucket of the range, empty ones
    /// included (dense, same starts in every series of a timeline).
    pub buckets: Vec<Bucket>,
}

/// The `timeline` analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// `"timeline"`.
    pub analysis: &'static str,
    /// Bucket width.
    pub interval: Interval,
    /// Requested range start, if any.
    pub from: Option<String>,
    /// Requested range end (exclusive), if any.
    pub to: Option<String>,
    /// The brand filter, if any.
    pub brand: Option<String>,
    /// How net sentiment is computed.
    pub net_sentiment_formula: &'static str,
    /// Every post in scope (all brands, or the filtered brand), every network.
    pub overall: Series,
    /// Posts in scope without a creation time (only when no range is given; not in buckets).
    pub undated: Counts,
    /// One series per network.
    pub by_network: Vec<Series>,
    /// One series per brand (every network); with a brand filter, only that brand.
    pub by_brand: Vec<Series>,
    /// One series per (brand, network) pair that has posts.
    pub by_brand_network: Vec<Series>,
}

/// Formula text used in the JSON documents.
pub(crate) const NET_FORMULA: &str = "(positive - negative) / (positive + negative); null when both are 0; neutral and unenriched posts are left out";

fn filter(params: &Params, brands: Vec<String>) -> RollupFilter {
    RollupFilter {
        from: params.from,
        to: params.to,
        networks: Vec::new(),
        brands,
    }
}

/// Volume, sentiment counts and net sentiment per interval: overall, per network, per brand
/// and per brand × network. Reads only [`Store::rollup_series`] (bucketed by the store, whose
/// weeks start on Monday 00:00 UTC like [`Interval::bucket_start`]).
pub fn timeline(store: &dyn Store, params: &Params) -> Result<Timeline> {
    params.check()?;
    let scope = Scope::new(params);
    let brand = scope.brand().map(str::to_string);
    let iv = params.interval;
    let brands = brand.iter().cloned().collect();
    let rows = store.rollup_series(&RollupQuery {
        filter: filter(params, brands),
        bucket_secs: Some(iv.seconds().unsigned_abs()),
        group: RollupGroup {
            network: true,
            kind: false,
            sentiment: true,
            brand: true,
        },
    })?;
    // Range of buckets: the requested one, else the data's.
    let dated = rows.iter().filter_map(|r| r.bucket.map(|h| h.timestamp()));
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for h in dated {
        lo = lo.min(h);
        hi = hi.max(h);
    }
    if let Some(f) = params.from {
        lo = f.timestamp();
    }
    if let Some(t) = params.to {
        hi = t.timestamp() - 1;
    }
    let starts: Vec<i64> = if lo <= hi {
        let (first, last) = (iv.bucket_start(lo), iv.bucket_start(hi));
        let n = ((last - first) / iv.seconds() + 1) as usize;
        if n > MAX_BUCKETS {
            return Err(AnalyticsError::InvalidParams(format!(
                "the range needs {n} {iv} buckets, more than {MAX_BUCKETS}; use a coarser interval or a narrower range"
            )));
        }
        (0..n as i64).map(|i| first + i * iv.seconds()).collect()
    } else {
        Vec::new()
    };
    let index = |t: i64| -> Option<usize> {
        let first = *starts.first()?;
        let i = ((iv.bucket_start(t) - first) / iv.seconds()) as usize;
        (i < starts.len()).then_some(i)
    };

    // Series in slots indexed by (brand id, network index), 0 meaning "every": no hashing or
    // allocation per row (a year of hours gives ~10^5 rows).
    type Key<'a> = (Option<&'a str>, Option<Network>);
    let nets = Network::ALL.len() + 1;
    let net_slot = |n: Network| {
        Network::ALL
            .iter()
            .position(|x| *x == n)
            .map_or(0, |i| i + 1)
    };
    let mut brand_ids: Vec<&str> = Vec::new();
    let mut series: Vec<Option<(Counts, Vec<Counts>)>> = vec![None; nets];
    let mut undated = Counts::default();
    let empty = || (Counts::default(), vec![Counts::default(); starts.len()]);
    series[0] = Some(empty());
    for r in &rows {
        let (Some(network), Some(rb)) = (r.network, r.brand.as_deref()) else {
            continue;
        };
        let is_total_row = match &brand {
            Some(b) => rb == b,
            None => rb == ALL_POSTS,
        };
        let Some(hour) = r.bucket else {
            if is_total_row {
                undated.add(r);
            }
            continue;
        };
        let Some(i) = index(hour.timestamp()) else {
            continue;
        };
        let b = if rb == ALL_POSTS {
            None
        } else {
            let id = match brand_ids.iter().position(|x| *x == rb) {
                Some(id) => id,
                None => {
                    brand_ids.push(rb);
                    series.resize(series.len() + nets, None);
                    brand_ids.len() - 1
                }
            };
            Some((id + 1) * nets)
        };
        let n = net_slot(network);
        let slots: [Option<usize>; 4] = [
            is_total_row.then_some(0),
            is_total_row.then_some(n),
            b,
            b.map(|b| b + n),
        ];
        for k in slots.into_iter().flatten() {
            let e = series[k].get_or_insert_with(empty);
            e.0.add(r);
            e.1[i].add(r);
        }
    }
    let mut series: Vec<(Key<'_>, (Counts, Vec<Counts>))> = series
        .into_iter()
        .enumerate()
        .filter_map(|(slot, v)| {
            let (b, n) = (slot / nets, slot % nets);
            let brand = match b {
                0 => None,
                b => Some(*brand_ids.get(b - 1)?),
            };
            let network = match n {
                0 => None,
                n => Some(*Network::ALL.get(n - 1)?),
            };
            Some(((brand, network), v?))
        })
        .collect();
    series.sort_by(|a, b| a.0.cmp(&b.0));
    let labels: Vec<String> = starts.iter().map(|s| iso(*s)).collect();
    let make = |(b, n): Key<'_>, (total, buckets): (Counts, Vec<Counts>)| Series {
        brand: b.map(str::to_string),
        network: n,
        total: total.finish(),
        buckets: labels
            .iter()
            .zip(buckets)
            .map(|(s, counts)| Bucket {
                start: s.clone(),
                counts: counts.finish(),
            })
            .collect(),
    };
    let mut overall = None;
    let (mut by_network, mut by_brand, mut by_brand_network) = (Vec::new(), Vec::new(), Vec::new());
    for (k, v) in series {
        match (&k.0, &k.1) {
            (None, None) => overall = Some(make(k, v)),
            (None, Some(_)) => by_network.push(make(k, v)),
            (Some(_), None) => by_brand.push(make(k, v)),
            (Some(_), Some(_)) => by_brand_network.push(make(k, v)),
        }
    }
    // With a brand filter the overall series is that brand's; don't repeat it per network.
    if brand.is_some() {
        by_network = by_brand_network
            .iter()
            .map(|s| Series {
                brand: None,
                ..s.clone()
            })
            .collect();
    }
    let overall = overall.unwrap_or_else(|| make((None, None), empty()));
    Ok(Timeline {
        analysis: "timeline",
        interval: iv,
        from: params.from.map(|t| iso(t.timestamp())),
        to: params.to.map(|t| iso(t.timestamp())),
        brand,
        net_sentiment_formula: NET_FORMULA,
        overall,
        undated: undated.finish(),
        by_network,
        by_brand,
        by_brand_network,
    })
}

/// One brand's place in the conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrandShare {
    /// Brand name.
    pub brand: String,
    /// Declared as the workspace's own brand.
    pub own: bool,
    /// Declared in the workspace (`false`: only found in stored tags).
    pub declared: bool,
    /// The brand's posts, sentiment, engagement, reach.
    #[serde(flatten)]
    pub counts: Counts,
    /// Brand posts / all brands' posts (a post naming two brands counts for both).
    pub volume_share: f64,
    /// Brand positive posts / all brands' positive posts.
    pub positive_share: f64,
    /// Brand negative posts / all brands' negative posts.
    pub negative_share: f64,
    /// Brand engagement / all brands' engagement.
    pub engagement_share: f64,
}

/// Shares of a group of brands (own, or competitors).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupShare {
    /// Brands in the group.
    pub brands: Vec<String>,
    /// The group's posts, sentiment, engagement, reach.
    #[serde(flatten)]
    pub counts: Counts,
    /// Sum of the group's volume shares.
    pub volume_share: f64,
    /// Sum of the group's positive shares.
    pub positive_share: f64,
    /// Sum of the group's negative shares.
    pub negative_share: f64,
}

/// The `share-of-voice` analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareOfVoice {
    /// `"share-of-voice"`.
    pub analysis: &'static str,
    /// Requested range start, if any.
    pub from: Option<String>,
    /// Requested range end (exclusive), if any.
    pub to: Option<String>,
    /// How net sentiment is computed.
    pub net_sentiment_formula: &'static str,
    /// Sum over brands of their posts (the denominator of `volume_share`).
    pub brand_posts: u64,
    /// Sum over brands of their positive posts.
    pub brand_positive: u64,
    /// Sum over brands of their negative posts.
    pub brand_negative: u64,
    /// Every brand (declared first, in declaration order, then undeclared tags by name); with
    /// a brand filter only that brand, its shares still relative to every brand.
    pub brands: Vec<BrandShare>,
    /// The own brands together.
    pub own: GroupShare,
    /// The competitors together.
    pub competitors: GroupShare,
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Per brand: volume, positive and negative share (of all brands'), net sentiment, for own
/// brands vs competitors. Reads only [`Store::rollup_series`] (one row per brand × sentiment).
pub fn share_of_voice(store: &dyn Store, params: &Params) -> Result<ShareOfVoice> {
    params.check()?;
    let scope = Scope::new(params);
    let rows = store.rollup_series(&RollupQuery {
        filter: filter(params, Vec::new()),
        bucket_secs: None,
        group: RollupGroup {
            network: false,
            kind: false,
            sentiment: true,
            brand: true,
        },
    })?;
    let mut per: BTreeMap<String, Counts> = BTreeMap::new();
    for b in params.brands.brands() {
        per.insert(b.name.clone(), Counts::default());
    }
    for r in &rows {
        match r.brand.as_deref() {
            Some(b) if b != ALL_POSTS => per.entry(b.to_string()).or_default().add(r),
            _ => {}
        }
    }
    let (mut tp, mut tpos, mut tneg, mut teng) = (0, 0, 0, 0);
    for c in per.values() {
        tp += c.posts;
        tpos += c.positive;
        tneg += c.negative;
        teng += c.engagement;
    }
    let declared = params.brands.names();
    let mut order: Vec<String> = declared.clone();
    order.extend(per.keys().filter(|k| !declared.contains(k)).cloned());
    let mut brands = Vec::new();
    let (mut own, mut competitors) = (GroupShare::default(), GroupShare::default());
    for name in order {
        let counts = per.remove(&name).unwrap_or_default().finish();
        let row = BrandShare {
            own: params.brands.is_own(&name),
            declared: params.brands.get(&name).is_some(),
            volume_share: share(counts.posts, tp),
            positive_share: share(counts.positive, tpos),
            negative_share: share(counts.negative, tneg),
            engagement_share: share(counts.engagement, teng),
            brand: name,
            counts,
        };
        let g = if row.own { &mut own } else { &mut competitors };
        g.brands.push(row.brand.clone());
        let c = &mut g.counts;
        c.posts += row.counts.posts;
        c.positive += row.counts.positive;
        c.neutral += row.counts.neutral;
        c.negative += row.counts.negative;
        c.unknown += row.counts.unknown;
        c.engagement += row.counts.engagement;
        c.reach += row.counts.reach;
        c.net_sentiment = net_sentiment(c.positive, c.negative);
        g.volume_share += row.volume_share;
        g.positive_share += row.positive_share;
        g.negative_share += row.negative_share;
        if scope.brand().is_none_or(|b| b == row.brand) {
            brands.push(row);
        }
    }
    Ok(ShareOfVoice {
        analysis: "share-of-voice",
        from: params.from.map(|t| iso(t.timestamp())),
        to: params.to.map(|t| iso(t.timestamp())),
        net_sentiment_formula: NET_FORMULA,
        brand_posts: tp,
        brand_positive: tpos,
        brand_negative: tneg,
        brands,
        own,
        competitors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_sentiment_is_defined_on_polar_posts_only() {
        assert_eq!(net_sentiment(3, 1), Some(0.5));
        assert_eq!(net_sentiment(0, 2), Some(-1.0));
        assert_eq!(net_sentiment(0, 0), None);
        assert_eq!(share(1, 4), 0.25);
        assert_eq!(share(1, 0), 0.0);
    }
}
