//! Collectors: total, facet counts over fast fields and the top hits, in one pass.

use crate::schema::names;
use serde::{Deserialize, Serialize};
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

/// How hits are ranked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// By BM25 relevance, best first (ties: newest first).
    #[default]
    Relevance,
    /// By creation time, newest first (posts without a time last).
    Time,
}

/// Counts of all matching posts by network, language, sentiment and brand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// By network name (`x`, `reddit`, …).
    pub network: BTreeMap<String, u64>,
    /// By language (primary subtag of the enrichment's language, else the source's; `und` when
    /// neither is known).
    pub language: BTreeMap<String, u64>,
    /// By enriched sentiment (`positive`, `neutral`, `negative`; `unknown` when not enriched).
    pub sentiment: BTreeMap<String, u64>,
    /// By brand tag, as declared (a post with two brands counts for both; posts without a
    /// brand are not counted here).
    pub brand: BTreeMap<String, u64>,
}

impl Facets {
    fn merge(&mut self, other: Facets) {
        for (mine, theirs) in [
            (&mut self.network, other.network),
            (&mut self.language, other.language),
            (&mut self.sentiment, other.sentiment),
            (&mut self.brand, other.brand),
        ] {
            for (k, v) in theirs {
                *mine.entry(k).or_default() += v;
            }
        }
    }
}

/// A ranked reference to an index document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranked {
    k1: i64,
    k2: i64,
    pub seg: SegmentOrdinal,
    pub doc: DocId,
    pub score: Score,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    /// Greater is better: higher keys, then the lower document address.
    fn cmp(&self, other: &Self) -> Ordering {
        (self.k1, self.k2)
            .cmp(&(other.k1, other.k2))
            .then_with(|| (other.seg, other.doc).cmp(&(self.seg, self.doc)))
    }
}

/// A score as an integer with the same order.
fn score_key(s: Score) -> i64 {
    let b = s.to_bits() as i32;
    i64::from(b ^ ((((b >> 31) as u32) >> 1) as i32))
}

/// The best `limit` entries seen.
struct TopK {
    limit: usize,
    heap: BinaryHeap<Reverse<Ranked>>,
}

impl TopK {
    fn new(limit: usize) -> Self {
        TopK {
            limit,
            heap: BinaryHeap::with_capacity(limit.min(4096) + 1),
        }
    }

    fn push(&mut self, r: Ranked) {
        if self.heap.len() < self.limit {
            self.heap.push(Reverse(r));
        } else if let Some(mut worst) = self.heap.peek_mut()
            && r > worst.0
        {
            *worst = Reverse(r);
        }
    }
}

/// The best first, at most `limit`.
pub(crate) fn best(mut v: Vec<Ranked>, limit: usize) -> Vec<Ranked> {
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.truncate(limit);
    v
}

/// Per-segment counting state, usable by a collector or by hand after verification.
pub(crate) struct Tally {
    seg: SegmentOrdinal,
    sort: SortBy,
    network: Option<StrColumn>,
    lang: Option<StrColumn>,
    sentiment: Option<StrColumn>,
    brand: Option<StrColumn>,
    created: Option<Column<DateTime>>,
    counts: [Vec<u64>; 4],
    no_lang: u64,
    no_sentiment: u64,
    total: u64,
    top: TopK,
}

/// What one segment (or all, merged) found.
pub(crate) struct Fruit {
    pub total: u64,
    pub facets: Facets,
    pub top: Vec<Ranked>,
}

impl Tally {
    pub fn new(
        seg: SegmentOrdinal,
        reader: &SegmentReader,
        limit: usize,
        sort: SortBy,
    ) -> tantivy::Result<Tally> {
        let ff = reader.fast_fields();
        let network = ff.str(names::NETWORK)?;
        let lang = ff.str(names::LANG1)?;
        let sentiment = ff.str(names::SENTIMENT)?;
        let brand = ff.str(names::BRAND)?;
        let created = ff.column_opt::<DateTime>(names::CREATED_AT)?;
        let n = |c: &Option<StrColumn>| vec![0u64; c.as_ref().map_or(0, |c| c.num_terms())];
        Ok(Tally {
            seg,
            sort,
            counts: [n(&network), n(&lang), n(&sentiment), n(&brand)],
            network,
            lang,
            sentiment,
            brand,
            created,
            no_lang: 0,
            no_sentiment: 0,
            total: 0,
            top: TopK::new(limit),
        })
    }

    #[inline]
    fn count(col: &Option<StrColumn>, counts: &mut [u64], doc: DocId) -> bool {
        let mut any = false;
        if let Some(c) = col {
            for ord in c.term_ords(doc) {
                if let Some(n) = counts.get_mut(ord as usize) {
                    *n += 1;
                    any = true;
                }
            }
        }
        any
    }

    pub fn add(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        let [net, lang, sent, brand] = &mut self.counts;
        Self::count(&self.network, net, doc);
        if !Self::count(&self.lang, lang, doc) {
            self.no_lang += 1;
        }
        if !Self::count(&self.sentiment, sent, doc) {
            self.no_sentiment += 1;
        }
        Self::count(&self.brand, brand, doc);
        if self.top.limit == 0 {
            return;
        }
        let time = self
            .created
            .as_ref()
            .and_then(|c| c.first(doc))
            .map_or(i64::MIN, |t| t.into_timestamp_nanos());
        let (k1, k2) = match self.sort {
            SortBy::Relevance => (score_key(score), time),
            SortBy::Time => (time, score_key(score)),
        };
        self.top.push(Ranked {
            k1,
            k2,
            seg: self.seg,
            doc,
            score,
        });
    }

    pub fn finish(self) -> Fruit {
        let mut facets = Facets::default();
        let cols = [&self.network, &self.lang, &self.sentiment, &self.brand];
        let maps = [
            &mut facets.network,
            &mut facets.language,
            &mut facets.sentiment,
            &mut facets.brand,
        ];
        let mut buf = String::new();
        for ((col, counts), map) in cols.into_iter().zip(&self.counts).zip(maps) {
            let Some(col) = col else { continue };
            for (ord, n) in counts.iter().enumerate() {
                if *n > 0 && col.ord_to_str(ord as u64, &mut buf).unwrap_or(false) {
                    *map.entry(buf.clone()).or_default() += n;
                }
            }
        }
        if self.no_lang > 0 {
            *facets.language.entry("und".into()).or_default() += self.no_lang;
        }
        if self.no_sentiment > 0 {
            *facets
                .sentiment
                .entry(tertulia_store::UNKNOWN_SENTIMENT.into())
                .or_default() += self.no_sentiment;
        }
        Fruit {
            total: self.total,
            facets,
            top: self.top.heap.into_iter().map(|r| r.0).collect(),
        }
    }
}

/// Merges per-segment fruits.
pub(crate) fn merge(fruits: Vec<Fruit>, limit: usize) -> Fruit {
    let mut out = Fruit {
        total: 0,
        facets: Facets::default(),
        top: Vec::new(),
    };
    for f in fruits {
        out.total += f.total;
        out.facets.merge(f.facets);
        out.top.extend(f.top);
    }
    out.top = best(out.top, limit);
    out
}

/// Counts, facets and top hits of every match, in one pass.
pub(crate) struct TallyCollector {
    pub limit: usize,
    pub sort: SortBy,
}

/// [`TallyCollector`]'s per-segment part.
pub(crate) struct TallySegment(Tally);

impl SegmentCollector for TallySegment {
    type Fruit = Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.0.add(doc, score);
    }

    fn harvest(self) -> Fruit {
        self.0.finish()
    }
}

impl Collector for TallyCollector {
    type Fruit = Fruit;
    type Child = TallySegment;

    fn for_segment(
        &self,
        seg: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(TallySegment(Tally::new(
            seg, reader, self.limit, self.sort,
        )?))
    }

    fn requires_scoring(&self) -> bool {
        self.sort == SortBy::Relevance && self.limit > 0
    }

    fn merge_fruits(&self, fruits: Vec<Fruit>) -> tantivy::Result<Fruit> {
        Ok(merge(fruits, self.limit))
    }
}

/// Every candidate with its score, per segment (for verification).
pub(crate) struct CandidateCollector {
    pub scoring: bool,
}

/// [`CandidateCollector`]'s per-segment part.
pub(crate) struct CandidateSegment(SegmentOrdinal, Vec<(DocId, Score)>);

impl SegmentCollector for CandidateSegment {
    type Fruit = (SegmentOrdinal, Vec<(DocId, Score)>);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.1.push((doc, score));
    }

    fn harvest(self) -> Self::Fruit {
        (self.0, self.1)
    }
}

impl Collector for CandidateCollector {
    type Fruit = Vec<(SegmentOrdinal, Vec<(DocId, Score)>)>;
    type Child = CandidateSegment;

    fn for_segment(&self, seg: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(CandidateSegment(seg, Vec::new()))
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<CandidateSegment as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        Ok(fruits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_keys_keep_order() {
        let v = [-3.5f32, -0.0, 0.0, 0.1, 1.0, 7.25];
        for w in v.windows(2) {
            assert!(score_key(w[0]) <= score_key(w[1]), "{w:?}");
        }
    }

    #[test]
    fn top_k_keeps_the_best_and_breaks_ties_by_address() {
        let r = |k1: i64, doc: u32| Ranked {
            k1,
            k2: 0,
            seg: 0,
            doc,
            score: 0.0,
        };
        let mut t = TopK::new(2);
        for x in [r(1, 0), r(5, 1), r(3, 2), r(5, 3)] {
            t.push(x);
        }
        let got: Vec<(i64, u32)> = best(t.heap.into_iter().map(|x| x.0).collect(), 2)
            .iter()
            .map(|x| (x.k1, x.doc))
            .collect();
        assert_eq!(got, vec![(5, 1), (5, 3)]);
    }
}
