//! What Tertulia understands of a post: the fields of the `classify` contract.

use crate::ModelError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Three-way sentiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sentiment {
    /// Favourable.
    Positive,
    /// Neither, or no sentiment expressed.
    Neutral,
    /// Unfavourable.
    Negative,
}

/// What the author wants (multi-label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// A real question that expects an answer (rhetorical questions are not).
    Question,
    /// A complaint about a product, service or experience.
    Complaint,
    /// Praise, thanks, congratulations, cheering.
    Praise,
    /// Intent to buy or hire.
    PurchaseIntent,
    /// A suggestion or feature request.
    Suggestion,
    /// A request for help with an account, order or product.
    SupportRequest,
}

/// Dominant emotion (Ekman's six, or none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Emotion {
    /// Anger.
    Anger,
    /// Disgust.
    Disgust,
    /// Fear.
    Fear,
    /// Joy.
    Joy,
    /// Sadness.
    Sadness,
    /// Surprise.
    Surprise,
    /// No clear emotion.
    None,
}

/// The understanding of one post, exactly the fields the `classify` contract adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrichment {
    /// ISO 639-1 code, or `und` when too short or mixed.
    pub lang: String,
    /// Sentiment label.
    pub sentiment: Sentiment,
    /// Sentiment score in −1…1 (negative to positive).
    pub sentiment_score: f32,
    /// Intents, possibly none.
    pub intents: Vec<Intent>,
    /// Dominant emotion.
    pub emotion: Emotion,
    /// Insults, hate or harassment.
    pub offensive: bool,
}

macro_rules! labels {
    ($ty:ident, $what:literal, $($v:ident = $s:literal),+ $(,)?) => {
        impl $ty {
            /// Every value, in a stable order.
            pub const ALL: &'static [$ty] = &[$($ty::$v),+];

            /// The label used in every contract.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$v => $s),+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = ModelError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim().to_lowercase().as_str() {
                    $($s => Ok($ty::$v),)+
                    _ => Err(ModelError::UnknownLabel { what: $what, value: s.to_string() }),
                }
            }
        }
    };
}

labels!(
    Sentiment,
    "sentiment",
    Positive = "positive",
    Neutral = "neutral",
    Negative = "negative"
);
labels!(
    Intent,
    "intent",
    Question = "question",
    Complaint = "complaint",
    Praise = "praise",
    PurchaseIntent = "purchase_intent",
    Suggestion = "suggestion",
    SupportRequest = "support_request",
);
labels!(
    Emotion,
    "emotion",
    Anger = "anger",
    Disgust = "disgust",
    Fear = "fear",
    Joy = "joy",
    Sadness = "sadness",
    Surprise = "surprise",
    None = "none",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_through_text_and_serde() {
        for i in Intent::ALL {
            assert_eq!(i.as_str().parse::<Intent>(), Ok(*i));
            assert_eq!(
                serde_json::to_string(i).unwrap_or_default(),
                format!("\"{}\"", i.as_str())
            );
        }
        for e in Emotion::ALL {
            assert_eq!(e.as_str().parse::<Emotion>(), Ok(*e));
        }
        for s in Sentiment::ALL {
            assert_eq!(s.as_str().parse::<Sentiment>(), Ok(*s));
        }
        assert!("meh".parse::<Sentiment>().is_err());
    }
}
