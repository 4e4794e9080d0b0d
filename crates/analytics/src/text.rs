//! Text features shared by the analyses: content terms, hashtags, emoji and bigrams of a post,
//! in folded form (lowercase, accents removed: `Niño` and `nino` are one term), without
//! Spanish and English stopwords, URLs, mentions, numbers or one-letter words.
//!
//! Tokenisation is the query language's ([`tertulia_query::text::tokenize`]), so that a term
//! an analysis reports is a term a query finds.

use std::collections::HashSet;
use std::sync::OnceLock;
use tertulia_query::text::{self as qtext, TokenKind};

/// Most bytes of a post's text that analyses read (longer texts are cut).
pub const MAX_TEXT_BYTES: usize = 8 * 1024;

/// Spanish and English function words, social-media filler and URL debris, folded.
const STOPWORDS: &str = "\
a al algo algun alguna algunas alguno algunos ante antes aqui asi aun aunque cada casi \
como con contra cual cuales cuando de del desde donde dos el ella ellas ello ellos en entre \
era eran es esa esas ese eso esos esta estaba estado estamos estan estar estas este esto \
estos estoy fue fueron ha habia han has hasta hay he la las le les lo los mas me mi mis \
mucho muy nada ni no nos nosotros o os otra otro para pero poco por porque que quien se \
sea ser si sido sin sobre son su sus tambien te tengo tiene tienen ti tu tus un una uno \
unos unas usted ustedes vez y ya yo mas hoy ahora solo sois soy van voy va vamos ver hace \
hacer hecho puede pueden q x d k pq xq porq tb tmb q jaja jajaja \
about above after again all also am an and any are as at be been before being below between \
both but by can could did do does doing don down during each few for from further get got \
had has have having he her here hers him his how i if in into is it its itself just me \
more most my no nor not now of off on once only or other our ours out over own same she \
should so some such than that the their theirs them then there these they this those \
through to too under until up very was we were what when where which while who whom why \
will with would you your yours yourself im ive dont cant didnt doesnt isnt wasnt wont \
thats theyre youre u ur r rt via amp http https www com co t lol gonna one us let";

fn stopwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOPWORDS.split_whitespace().collect())
}

/// Whether a folded word is a Spanish or English stopword.
pub fn is_stopword(folded: &str) -> bool {
    stopwords().contains(folded)
}

/// What a feature is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureKind {
    /// A content word.
    Term,
    /// A hashtag (without `#`).
    Hashtag,
    /// An emoji.
    Emoji,
    /// Two adjacent content words, joined by a space.
    Bigram,
}

impl FeatureKind {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureKind::Term => "term",
            FeatureKind::Hashtag => "hashtag",
            FeatureKind::Emoji => "emoji",
            FeatureKind::Bigram => "bigram",
        }
    }
}

/// Removes `http://…`/`https://…` runs (up to the next whitespace) and cuts the text.
fn strip_urls(text: &str) -> String {
    let text = crate::scan::snippet(text, MAX_TEXT_BYTES);
    let mut out = String::with_capacity(text.len());
    for (i, w) in text.split_whitespace().enumerate() {
        let lower = w.get(..8).unwrap_or(w).to_ascii_lowercase();
        if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.")
        {
            continue;
        }
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

fn is_content_word(folded: &str) -> bool {
    folded.chars().count() >= 2 && folded.chars().any(char::is_alphabetic) && !is_stopword(folded)
}

/// The features of a text, in order of appearance, possibly repeated: content words (and
/// bigrams of adjacent content words) when `words`, hashtags, and emoji.
pub fn features(text: &str, bigrams: bool) -> Vec<(FeatureKind, String)> {
    let clean = strip_urls(text);
    let mut out = Vec::new();
    let mut prev: Option<String> = None;
    for t in qtext::tokenize(&clean) {
        let f = qtext::folded(t.text, t.kind);
        match t.kind {
            TokenKind::Word => {
                if is_content_word(&f) {
                    if bigrams && let Some(p) = prev.take() {
                        out.push((FeatureKind::Bigram, format!("{p} {f}")));
                    }
                    prev = Some(f.clone());
                    out.push((FeatureKind::Term, f));
                } else {
                    prev = None;
                }
            }
            TokenKind::Hashtag => {
                prev = None;
                if f.chars().any(char::is_alphabetic) {
                    out.push((FeatureKind::Hashtag, f));
                }
            }
            TokenKind::Emoji => {
                prev = None;
                out.push((FeatureKind::Emoji, f));
            }
            TokenKind::Mention => prev = None,
        }
    }
    out
}

/// The distinct features of a text (each once), sorted.
pub fn distinct_features(text: &str, bigrams: bool) -> Vec<(FeatureKind, String)> {
    let mut f = features(text, bigrams);
    f.sort();
    f.dedup();
    f
}

/// The folded word tokens of a text (stopwords included, URLs, mentions, hashtags and emoji
/// left out), for lexicon matching.
pub fn words(text: &str) -> Vec<String> {
    let clean = strip_urls(text);
    qtext::tokenize(&clean)
        .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Hashtag))
        .map(|t| qtext::folded(t.text, t.kind))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_fold_drop_stopwords_urls_mentions() {
        let f = features(
            "@Iberia el VUELO retrasado otra vez 😡 #MalServicio https://t.co/x niño",
            true,
        );
        let shown: Vec<String> = f
            .iter()
            .map(|(k, s)| format!("{}:{s}", k.as_str()))
            .collect();
        assert_eq!(
            shown,
            vec![
                "term:vuelo",
                "bigram:vuelo retrasado",
                "term:retrasado",
                "emoji:😡",
                "hashtag:malservicio",
                "term:nino"
            ]
        );
    }

    #[test]
    fn distinct_and_words() {
        let d = distinct_features("late late LATE", false);
        assert_eq!(d, vec![(FeatureKind::Term, "late".to_string())]);
        assert_eq!(
            words("No me devolvieron el dinero"),
            vec!["no", "me", "devolvieron", "el", "dinero"]
        );
        assert!(is_stopword("the") && is_stopword("porque") && !is_stopword("maleta"));
    }
}
