//! Emotion enricher: `anger|disgust|fear|joy|sadness|surprise|none` from the `emotion` head
//! (EmoEvent es/en and TweetEval emotion, `others` → none, `optimism` → joy), with a tuned bias
//! towards `none` (`emo.bias.none.<group>`).

use crate::{Doc, Enricher};
use tertulia_model::{Emotion, Enrichment};

/// The class order of the emotion head.
pub const CLASSES: [Emotion; 7] = [
    Emotion::Anger,
    Emotion::Disgust,
    Emotion::Fear,
    Emotion::Joy,
    Emotion::Sadness,
    Emotion::Surprise,
    Emotion::None,
];

/// Sets [`Enrichment::emotion`].
pub struct EmotionEnricher;

impl Enricher for EmotionEnricher {
    fn name(&self) -> &'static str {
        "emotion"
    }

    fn enrich(&self, doc: &Doc<'_>, out: &mut Enrichment) {
        out.emotion = Emotion::None;
        if doc.norm.word_count() == 0 && doc.feats.emoji == 0.0 {
            return;
        }
        let Some(mut p) = doc.probs("emotion") else {
            return;
        };
        if p.n != CLASSES.len() {
            return;
        }
        p.v[6] *= doc.param("emo.bias.none", 1.0);
        out.emotion = CLASSES[p.argmax()];
    }
}
