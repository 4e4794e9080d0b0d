//! Sentiment enricher: `positive|neutral|negative` and a score in −1…1.
//!
//! Spanish-group texts use the `sentiment` head of the es table. English-group texts blend two
//! heads by the `domain` head (customer-to-brand vs general tweets): `sentiment_brand` trained
//! on airline and brand tweets, `sentiment` on general tweets. Tuned per-class biases
//! (`sent.bias.<class>.<group>`) then shift the decision towards macro-F1 on dev.

use crate::{Doc, Enricher};
use tertulia_model::{Enrichment, Sentiment};

/// The class order of every sentiment head.
pub const CLASSES: [Sentiment; 3] = [Sentiment::Positive, Sentiment::Neutral, Sentiment::Negative];

/// The pack parameter (`sentiment.stack.es`, `sentiment.stack.en`) that marks a group's
/// sentiment head as stacked on [`crate::intent::Intents::sentiment_stack`]; its value is the
/// number of signals the head learnt from ([`crate::intent::STACK`]), so that an artefact
/// trained on another list of signals is read as a plain head rather than misread.
pub const STACKED: &str = "sentiment.stack";

/// Probabilities (positive, neutral, negative) of a document.
pub fn probabilities(doc: &Doc<'_>) -> [f32; 3] {
    probabilities_and_domain(doc).0
}

/// Probabilities and the customer-to-brand domain probability (0 for the es group), computed
/// once per document.
pub fn probabilities_and_domain(doc: &Doc<'_>) -> ([f32; 3], f32) {
    if let Some(v) = doc.sentiment_cache.get() {
        return v;
    }
    let v = compute(doc);
    doc.sentiment_cache.set(Some(v));
    v
}

fn compute(doc: &Doc<'_>) -> ([f32; 3], f32) {
    let (Some(h), Some(mut g)) = (doc.table.head("sentiment"), doc.logits("sentiment")) else {
        return ([0.0, 1.0, 0.0], 0.0);
    };
    // A stacked head (Spanish since v5) also weighs the phrase and emotion signals.
    if doc.param(STACKED, 0.0) == crate::intent::STACK as f32 {
        let (idx, val) = crate::intent::shared().sentiment_stack(doc);
        for (c, z) in g.v.iter_mut().enumerate().take(g.n) {
            *z += h.scale * doc.table.column_dot(h.offset as usize + c, &idx, &val);
        }
    }
    crate::linear::softmax(&mut g.v[..g.n]);
    let mut p = [g.v[0], g.v[1], g.v[2]];
    let mut w = 0.0;
    if let (Some(b), Some(d)) = (doc.probs("sentiment_brand"), doc.probs("domain")) {
        w = d.v[1];
        for (i, x) in p.iter_mut().enumerate() {
            *x = (1.0 - w) * *x + w * b.v[i];
        }
    }
    (p, w)
}

/// Decides the label from probabilities with the tuned biases (tuned on general tweets, so
/// they fade out as the brand-domain probability `w` grows).
pub fn decide(doc: &Doc<'_>, p: [f32; 3], w: f32) -> Sentiment {
    let k = 1.0 - w;
    let b = [
        k * doc.param("sent.bias.pos", 0.0),
        k * doc.param("sent.bias.neu", 0.0),
        k * doc.param("sent.bias.neg", 0.0),
    ];
    let mut best = 0;
    let mut bv = f32::NEG_INFINITY;
    for i in 0..3 {
        let v = (p[i].max(1e-6)).ln() + b[i];
        if v > bv {
            bv = v;
            best = i;
        }
    }
    CLASSES[best]
}

/// Sets [`Enrichment::sentiment`] and [`Enrichment::sentiment_score`].
pub struct SentimentEnricher;

impl Enricher for SentimentEnricher {
    fn name(&self) -> &'static str {
        "sentiment"
    }

    fn enrich(&self, doc: &Doc<'_>, out: &mut Enrichment) {
        if doc.norm.tokens.is_empty() {
            out.sentiment = Sentiment::Neutral;
            out.sentiment_score = 0.0;
            return;
        }
        let (p, w) = probabilities_and_domain(doc);
        out.sentiment = decide(doc, p, w);
        let score = (p[0] - p[2]).clamp(-1.0, 1.0);
        out.sentiment_score = (score * 1000.0).round() / 1000.0;
    }
}
