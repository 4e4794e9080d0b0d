//! Offensive enricher: insults, hate or harassment, from the `offensive` head (OLID/TweetEval
//! offensive, HatEval and EmoEvent's offensive flag) with a tuned threshold
//! (`off.threshold.<group>`).

use crate::{Doc, Enricher};
use tertulia_model::Enrichment;

/// Probability that the document is offensive.
pub fn probability(doc: &Doc<'_>) -> f32 {
    doc.probs("offensive").map_or(0.0, |p| p.v[1])
}

/// Sets [`Enrichment::offensive`].
pub struct Offensive;

impl Enricher for Offensive {
    fn name(&self) -> &'static str {
        "offensive"
    }

    fn enrich(&self, doc: &Doc<'_>, out: &mut Enrichment) {
        out.offensive =
            doc.norm.word_count() > 0 && probability(doc) >= doc.param("off.threshold", 0.5);
    }
}
