//! Topics (spherical k-means over TF-IDF vectors of posts) and audience segments (k-means over
//! authors' topic mix, sentiment and activity).
//!
//! Post vectors: distinct content terms and hashtags (folded, Spanish+English stopwords out)
//! with document frequency ≥ 2 and (from 10 posts up) in at most half the posts, weighted by
//! the smoothed IDF `ln((1+n)/(1+df)) + 1` and L2-normalised. Labels are a cluster's most
//! distinctive terms by `p(t|c) · ln(p(t|c)/p(t))` (its term's contribution to the KL
//! divergence of the cluster from the whole), over terms in at least 2 of its posts.

use crate::cluster::{Sparse, kmeans, spherical_kmeans};
use crate::error::Result;
use crate::rollup::{NET_FORMULA, net_sentiment};
use crate::scan::{Rng, Scope, for_each_in_scope, snippet};
use crate::text::{FeatureKind, distinct_features};
use crate::{Params, iso};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tertulia_model::{Network, Sentiment};
use tertulia_store::Store;

/// Most posts clustered (a deterministic uniform sample is taken above this).
pub const MAX_DOCS: usize = 20_000;
/// Most terms in the vocabulary (by document frequency).
const MAX_VOCAB: usize = 5_000;
/// Label terms per topic or segment.
const LABEL_TERMS: usize = 5;
/// Example posts per topic.
const EXAMPLES: usize = 3;

struct Doc {
    network: Network,
    native_id: String,
    author: Option<String>,
    followers: u64,
    created: Option<i64>,
    text: String,
    sentiment: Option<Sentiment>,
    score: Option<f32>,
    feats: Vec<String>,
}

struct Corpus {
    docs: Vec<Doc>,
    sampled_from: u64,
    /// Feature index per doc (in vocab), sorted.
    doc_terms: Vec<Vec<u32>>,
    vocab: Vec<String>,
    /// Cluster of each doc, `None` when it has no vocabulary term.
    assign: Vec<Option<usize>>,
    k: usize,
}

fn feature_label(kind: FeatureKind, f: String) -> Option<String> {
    match kind {
        FeatureKind::Term => Some(f),
        FeatureKind::Hashtag => Some(format!("#{f}")),
        _ => None,
    }
}

fn author_key(p: &tertulia_model::Post) -> Option<String> {
    let a = &p.author;
    let id = a
        .handle
        .as_deref()
        .map(|h| h.trim_start_matches('@').to_lowercase())
        .or_else(|| a.id.clone())
        .filter(|s| !s.is_empty())?;
    Some(format!("{}:{}", p.network, snippet(&id, 256)))
}

fn default_k(n: usize, max: usize) -> usize {
    (((n as f64) / 2.0).sqrt().round() as usize).clamp(2, max)
}

fn build(store: &dyn Store, params: &Params) -> Result<Corpus> {
    let mut rng = Rng::new(0x70_91C5);
    let mut docs: Vec<Doc> = Vec::new();
    let mut seen = 0u64;
    for_each_in_scope(store, params, &mut |p| {
        seen += 1;
        // Reservoir sampling (Algorithm R) keeps a uniform, reproducible sample.
        let slot = if docs.len() < MAX_DOCS {
            None
        } else {
            let j = (rng.next_u64() % seen) as usize;
            if j >= MAX_DOCS {
                return;
            }
            Some(j)
        };
        let feats = distinct_features(&p.full_text(), false)
            .into_iter()
            .filter_map(|(k, f)| feature_label(k, f))
            .collect();
        let d = Doc {
            network: p.network,
            native_id: p.native_id.clone(),
            author: author_key(&p),
            followers: p.author.followers.unwrap_or(0),
            created: p.created_at.map(|t| t.timestamp()),
            text: snippet(&p.full_text(), 280),
            sentiment: p.enrichment.as_ref().map(|e| e.sentiment),
            score: p.enrichment.as_ref().map(|e| e.sentiment_score),
            feats,
        };
        match slot {
            None => docs.push(d),
            Some(j) => docs[j] = d,
        }
    })?;
    let n = docs.len();
    let mut df: HashMap<&str, u32> = HashMap::new();
    for d in &docs {
        for f in &d.feats {
            *df.entry(f.as_str()).or_insert(0) += 1;
        }
    }
    let max_df = if n >= 10 { n / 2 } else { n };
    let mut vocab: Vec<(&str, u32)> = df
        .into_iter()
        .filter(|(_, c)| *c >= 2 && (*c as usize) <= max_df)
        .collect();
    vocab.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    vocab.truncate(MAX_VOCAB);
    vocab.sort_by(|a, b| a.0.cmp(b.0));
    let index: HashMap<&str, (u32, u32)> = vocab
        .iter()
        .enumerate()
        .map(|(i, (t, c))| (*t, (i as u32, *c)))
        .collect();
    let mut doc_terms = Vec::with_capacity(n);
    let mut vecs: Vec<Sparse> = Vec::new();
    let mut owners: Vec<usize> = Vec::new();
    for (di, d) in docs.iter().enumerate() {
        let mut v: Vec<(u32, f32)> = d
            .feats
            .iter()
            .filter_map(|f| index.get(f.as_str()))
            .map(|(i, c)| {
                let idf = ((1.0 + n as f64) / (1.0 + *c as f64)).ln() + 1.0;
                (*i, idf as f32)
            })
            .collect();
        v.sort_by_key(|x| x.0);
        doc_terms.push(v.iter().map(|x| x.0).collect::<Vec<u32>>());
        let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| x.1 /= norm);
            vecs.push(v);
            owners.push(di);
        }
    }
    let k = params
        .clusters
        .unwrap_or_else(|| default_k(vecs.len(), 12))
        .max(1);
    let a = spherical_kmeans(&vecs, vocab.len(), k);
    let mut assign = vec![None; n];
    for (vi, c) in a.iter().enumerate() {
        assign[owners[vi]] = Some(*c);
    }
    let k = a.iter().copied().max().map_or(0, |m| m + 1);
    Ok(Corpus {
        sampled_from: seen,
        vocab: vocab.into_iter().map(|(t, _)| t.to_string()).collect(),
        docs,
        doc_terms,
        assign,
        k,
    })
}

/// Sentiment of a group of posts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupSentiment {
    /// Positive posts.
    pub positive: u64,
    /// Neutral posts.
    pub neutral: u64,
    /// Negative posts.
    pub negative: u64,
    /// Posts not enriched.
    pub unknown: u64,
    /// `(positive − negative) / (positive + negative)`, `null` when both are 0.
    pub net_sentiment: Option<f64>,
    /// Mean sentiment score (−1…1) of the enriched posts, `null` when none.
    pub mean_score: Option<f64>,
}

impl GroupSentiment {
    fn of<'a>(docs: impl Iterator<Item = &'a Doc>) -> Self {
        let mut g = GroupSentiment::default();
        let (mut sum, mut n) = (0f64, 0u64);
        for d in docs {
            match d.sentiment {
                Some(Sentiment::Positive) => g.positive += 1,
                Some(Sentiment::Neutral) => g.neutral += 1,
                Some(Sentiment::Negative) => g.negative += 1,
                None => g.unknown += 1,
            }
            if let Some(s) = d.score {
                sum += s as f64;
                n += 1;
            }
        }
        g.net_sentiment = net_sentiment(g.positive, g.negative);
        g.mean_score = (n > 0).then(|| sum / n as f64);
        g
    }
}

/// A distinctive term of a group and its score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelTerm {
    /// The term (hashtags with `#`).
    pub term: String,
    /// Posts of the group containing it.
    pub posts: u64,
    /// `p(t|c) · ln(p(t|c) / p(t))`.
    pub score: f64,
}

/// A post shown as an example.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExamplePost {
    /// Network.
    pub network: Network,
    /// The network's id of the post.
    pub native_id: String,
    /// Author key (`network:handle`), if known.
    pub author: Option<String>,
    /// Creation time, if known.
    pub created_at: Option<String>,
    /// Text (title and body), cut at 280 bytes.
    pub text: String,
}

/// One topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Topic {
    /// Topic number (0 is the largest).
    pub id: usize,
    /// The top three label terms joined by " · ".
    pub label: String,
    /// Most distinctive terms.
    pub terms: Vec<LabelTerm>,
    /// Posts in the topic.
    pub size: u64,
    /// Share of the clustered posts.
    pub share: f64,
    /// Sentiment of its posts.
    pub sentiment: GroupSentiment,
    /// Posts holding the most label terms.
    pub examples: Vec<ExamplePost>,
}

/// The `topics` analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Topics {
    /// `"topics"`.
    pub analysis: &'static str,
    /// The method, in words.
    pub method: &'static str,
    /// How net sentiment is computed.
    pub net_sentiment_formula: &'static str,
    /// The brand filter, if any.
    pub brand: Option<String>,
    /// Posts in scope.
    pub posts: u64,
    /// Posts clustered (a sample when more than 20,000).
    pub sampled: u64,
    /// Sampled posts without any vocabulary term (not in any topic).
    pub unclustered: u64,
    /// Vocabulary size.
    pub vocabulary: usize,
    /// Topics, largest first (at most `limit`).
    pub topics: Vec<Topic>,
}

const METHOD: &str = "spherical k-means (k-means++ with a fixed seed) over L2-normalised TF-IDF vectors of distinct terms and hashtags (df >= 2, df <= n/2 from 10 posts); labels by p(t|c)·ln(p(t|c)/p(t))";

fn label_terms(c: &Corpus, members: &[usize], df_all: &[u32], n_vec: usize) -> Vec<LabelTerm> {
    let mut dfc: HashMap<u32, u32> = HashMap::new();
    for d in members {
        for t in &c.doc_terms[*d] {
            *dfc.entry(*t).or_insert(0) += 1;
        }
    }
    let size = members.len() as f64;
    let min = if members.len() >= 2 { 2 } else { 1 };
    let mut terms: Vec<LabelTerm> = dfc
        .into_iter()
        .filter(|(_, c)| *c >= min)
        .map(|(t, k)| {
            let pc = k as f64 / size;
            let p = df_all[t as usize] as f64 / n_vec.max(1) as f64;
            LabelTerm {
                term: c.vocab[t as usize].clone(),
                posts: k as u64,
                score: pc * (pc / p).ln(),
            }
        })
        .collect();
    terms.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.posts.cmp(&a.posts))
            .then(a.term.cmp(&b.term))
    });
    terms.truncate(LABEL_TERMS);
    terms
}

fn df_over_clustered(c: &Corpus) -> (Vec<u32>, usize) {
    let mut df = vec![0u32; c.vocab.len()];
    let mut n = 0;
    for (d, a) in c.assign.iter().enumerate() {
        if a.is_some() {
            n += 1;
            for t in &c.doc_terms[d] {
                df[*t as usize] += 1;
            }
        }
    }
    (df, n)
}

fn example(d: &Doc) -> ExamplePost {
    ExamplePost {
        network: d.network,
        native_id: d.native_id.clone(),
        author: d.author.clone(),
        created_at: d.created.map(iso),
        text: d.text.clone(),
    }
}

/// Clusters of conversation with label terms, size, sentiment and example posts.
pub fn topics(store: &dyn Store, params: &Params) -> Result<Topics> {
    params.check()?;
    let c = build(store, params)?;
    let (df, n_vec) = df_over_clustered(&c);
    let mut topics = Vec::new();
    for j in 0..c.k {
        let members: Vec<usize> = (0..c.docs.len())
            .filter(|d| c.assign[*d] == Some(j))
            .collect();
        let terms = label_terms(&c, &members, &df, n_vec);
        let label_ids: Vec<&str> = terms.iter().map(|t| t.term.as_str()).collect();
        let mut ranked: Vec<(usize, usize)> = members
            .iter()
            .map(|d| {
                let hits = c.docs[*d]
                    .feats
                    .iter()
                    .filter(|f| label_ids.contains(&f.as_str()))
                    .count();
                (*d, hits)
            })
            .collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        topics.push(Topic {
            id: j,
            label: label_ids
                .iter()
                .take(3)
                .copied()
                .collect::<Vec<_>>()
                .join(" · "),
            terms,
            size: members.len() as u64,
            share: members.len() as f64 / n_vec.max(1) as f64,
            sentiment: GroupSentiment::of(members.iter().map(|d| &c.docs[*d])),
            examples: ranked
                .iter()
                .take(EXAMPLES.min(params.limit))
                .map(|(d, _)| example(&c.docs[*d]))
                .collect(),
        });
    }
    topics.truncate(params.limit);
    Ok(Topics {
        analysis: "topics",
        method: METHOD,
        net_sentiment_formula: NET_FORMULA,
        brand: Scope::new(params).brand().map(str::to_string),
        posts: c.sampled_from,
        sampled: c.docs.len() as u64,
        unclustered: c.assign.iter().filter(|a| a.is_none()).count() as u64,
        vocabulary: c.vocab.len(),
        topics,
    })
}

/// A topic's weight in a segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentTopic {
    /// Topic number (as in `topics` with the same parameters).
    pub topic: usize,
    /// The topic's label.
    pub label: String,
    /// Share of the segment's clustered posts in this topic.
    pub share: f64,
}

/// One audience segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Segment number (0 is the largest).
    pub id: usize,
    /// Authors in the segment.
    pub size: u64,
    /// Share of all authors.
    pub share: f64,
    /// Posts by its authors.
    pub posts: u64,
    /// Mean posts per author.
    pub mean_posts: f64,
    /// Mean followers per author (the most seen for each).
    pub mean_followers: f64,
    /// Sentiment of its posts.
    pub sentiment: GroupSentiment,
    /// Its main topics (up to 3, share > 0).
    pub topics: Vec<SegmentTopic>,
    /// Its most distinctive terms.
    pub terms: Vec<LabelTerm>,
    /// Its most active authors (up to `limit`).
    pub authors: Vec<String>,
}

/// The `segments` analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segments {
    /// `"segments"`.
    pub analysis: &'static str,
    /// The method, in words.
    pub method: &'static str,
    /// The brand filter, if any.
    pub brand: Option<String>,
    /// Authors considered (with a handle or id, in the sampled posts).
    pub authors: u64,
    /// Segments, largest first (at most `limit`).
    pub segments: Vec<Segment>,
}

const SEG_METHOD: &str = "k-means (k-means++ with a fixed seed) over authors described by their topic mix (share of posts per topic), positive and negative share of their posts, and activity ln(1+posts)/ln(1+max posts)";

/// Audience segments: authors clustered by topics, sentiment and activity, with size and
/// describing terms.
pub fn segments(store: &dyn Store, params: &Params) -> Result<Segments> {
    params.check()?;
    let c = build(store, params)?;
    let (df, n_vec) = df_over_clustered(&c);
    let mut topic_labels = Vec::new();
    for j in 0..c.k {
        let members: Vec<usize> = (0..c.docs.len())
            .filter(|d| c.assign[*d] == Some(j))
            .collect();
        let t = label_terms(&c, &members, &df, n_vec);
        topic_labels.push(
            t.iter()
                .take(3)
                .map(|x| x.term.as_str())
                .collect::<Vec<_>>()
                .join(" · "),
        );
    }
    // Authors and their posts.
    let mut by_author: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, d) in c.docs.iter().enumerate() {
        if let Some(a) = &d.author {
            by_author.entry(a.as_str()).or_default().push(i);
        }
    }
    let names: Vec<&str> = by_author.keys().copied().collect();
    let max_posts = by_author.values().map(Vec::len).max().unwrap_or(1) as f64;
    let points: Vec<Vec<f64>> = by_author
        .values()
        .map(|posts| {
            let mut v = vec![0f64; c.k + 3];
            let clustered = posts.iter().filter(|d| c.assign[**d].is_some()).count();
            for d in posts {
                if let Some(j) = c.assign[*d] {
                    v[j] += 1.0 / clustered as f64;
                }
            }
            let n = posts.len() as f64;
            let pos = posts
                .iter()
                .filter(|d| c.docs[**d].sentiment == Some(Sentiment::Positive))
                .count() as f64;
            let neg = posts
                .iter()
                .filter(|d| c.docs[**d].sentiment == Some(Sentiment::Negative))
                .count() as f64;
            v[c.k] = pos / n;
            v[c.k + 1] = neg / n;
            v[c.k + 2] = (1.0 + n).ln() / (1.0 + max_posts).ln();
            v
        })
        .collect();
    let k = params
        .clusters
        .unwrap_or_else(|| default_k(points.len(), 8))
        .max(1);
    let assign = kmeans(&points, k);
    let ks = assign.iter().copied().max().map_or(0, |m| m + 1);
    let total_authors = names.len();
    let mut segments = Vec::new();
    for s in 0..ks {
        let members: Vec<usize> = (0..names.len()).filter(|a| assign[*a] == s).collect();
        let posts: Vec<usize> = members
            .iter()
            .flat_map(|a| by_author[names[*a]].iter().copied())
            .collect();
        let clustered: Vec<usize> = posts
            .iter()
            .copied()
            .filter(|d| c.assign[*d].is_some())
            .collect();
        let mut tshare = vec![0usize; c.k];
        for d in &clustered {
            if let Some(j) = c.assign[*d] {
                tshare[j] += 1;
            }
        }
        let mut tops: Vec<SegmentTopic> = tshare
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(j, n)| SegmentTopic {
                topic: j,
                label: topic_labels[j].clone(),
                share: *n as f64 / clustered.len() as f64,
            })
            .collect();
        tops.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.topic.cmp(&b.topic)));
        tops.truncate(3);
        let mut followers = 0f64;
        for a in &members {
            followers += by_author[names[*a]]
                .iter()
                .map(|d| c.docs[*d].followers)
                .max()
                .unwrap_or(0) as f64;
        }
        let mut active: Vec<(usize, &str)> = members
            .iter()
            .map(|a| (by_author[names[*a]].len(), names[*a]))
            .collect();
        active.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        segments.push(Segment {
            id: s,
            size: members.len() as u64,
            share: members.len() as f64 / total_authors.max(1) as f64,
            posts: posts.len() as u64,
            mean_posts: posts.len() as f64 / members.len().max(1) as f64,
            mean_followers: followers / members.len().max(1) as f64,
            sentiment: GroupSentiment::of(posts.iter().map(|d| &c.docs[*d])),
            topics: tops,
            terms: label_terms(&c, &clustered, &df, n_vec),
            authors: active
                .iter()
                .take(params.limit)
                .map(|(_, a)| a.to_string())
                .collect(),
        });
    }
    segments.truncate(params.limit);
    Ok(Segments {
        analysis: "segments",
        method: SEG_METHOD,
        brand: Scope::new(params).brand().map(str::to_string),
        authors: total_authors as u64,
        segments,
    })
}
