//! A wrapper that keeps tantivy from calling `seek_danger` on the scorers it wraps.
//!
//! tantivy 0.27's phrase scorer asserts (in debug builds) that `seek_danger` never moves
//! backwards, which an exclusion (`MustNot`) clause does once the phrase scorer has run past
//! the end. The wrapper answers `seek_danger` with the plain default (`doc`, then `seek` only
//! forwards), which is always safe. Phrase queries and negated clauses go through it.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// A query whose scorers only ever move forwards.
#[derive(Debug)]
pub(crate) struct Safe(pub Box<dyn Query>);

impl Clone for Safe {
    fn clone(&self) -> Self {
        Safe(self.0.box_clone())
    }
}

impl Query for Safe {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(SafeWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct SafeWeight(Box<dyn Weight>);

impl Weight for SafeWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(SafeScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct SafeScorer(Box<dyn Scorer>);

impl DocSet for SafeScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.0.doc() >= target {
            return self.0.doc();
        }
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for SafeScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}
