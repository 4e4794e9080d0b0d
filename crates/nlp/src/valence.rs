//! A rule-based valence score in the manner of VADER (Hutto & Gilbert, ICWSM 2014), written
//! for our normalised tokens and our lexicons. The word lists cover Spanish and English; the
//! models use the score for English texts only (see `FeatureConfig::valence`).
//!
//! Learned n-gram weights know the topics of their training tweets; a lexicon score with a
//! few well-studied rules does not, and so holds up better on tweets about new topics (VADER
//! loses about 0.01–0.03 average recall from our dev split to the SemEval-2017 test, a TF-IDF
//! regression about 0.05). The score is fed to the linear models as dense features
//! ([`Valence`]: compound, positive and negative shares, and its sign), next to the n-grams,
//! so that the models learn how far to trust it.
//!
//! Rules, per word with a lexicon polarity `p` (−1…1, scaled to VADER's −4…4):
//! - a booster among the three previous words (`very`, `muy`, `demasiado`…) adds ±0.293
//!   (damped by 0.95 and 0.9 for the second and third word back); a dampener subtracts it;
//! - a word in capitals among mixed-case words adds ±0.733;
//! - a word inside a negation scope (see [`crate::normalize::NEG`]) is multiplied by −0.74;
//! - words before a contrast (`but`, `pero`, `sino`) weigh 0.5 and words after it 1.5;
//! - exclamation marks (up to 4, 0.292 each) and repeated question marks push the sum away
//!   from 0;
//! - the compound is `s / √(s² + 15)`.

use crate::features::HashKeyed;
use crate::normalize::{EMOJI, NEG, SPECIAL, UPPER, term_hash};
use std::sync::OnceLock;

/// VADER's booster increment.
const B_INCR: f32 = 0.293;
/// VADER's capitals increment.
const C_INCR: f32 = 0.733;
/// VADER's negation scalar.
const N_SCALAR: f32 = -0.74;
/// Lexicon polarities are −1…1; VADER's valences are −4…4.
const SCALE: f32 = 4.0;

/// Words that make the next sentiment word stronger (both languages; accents folded as the
/// normaliser folds them).
const BOOSTERS: &[&str] = &[
    // English (VADER's list).
    "absolutely",
    "amazingly",
    "awfully",
    "completely",
    "considerably",
    "decidedly",
    "deeply",
    "effing",
    "enormously",
    "entirely",
    "especially",
    "exceptionally",
    "extremely",
    "fabulously",
    "flipping",
    "flippin",
    "fricking",
    "frickin",
    "frigging",
    "friggin",
    "fully",
    "fucking",
    "greatly",
    "hella",
    "highly",
    "hugely",
    "incredibly",
    "intensely",
    "majorly",
    "more",
    "most",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "substantially",
    "thoroughly",
    "totally",
    "tremendously",
    "uber",
    "unbelievably",
    "unusually",
    "utterly",
    "very",
    // Spanish.
    "muy",
    "super",
    "tan",
    "tanto",
    "demasiado",
    "demasiada",
    "bastante",
    "realmente",
    "totalmente",
    "completamente",
    "absolutamente",
    "increiblemente",
    "extremadamente",
    "sumamente",
    "mas",
    "re",
    "requete",
    "enormemente",
    "profundamente",
    "tremendamente",
    "terriblemente",
    "especialmente",
];

/// Words that make the next sentiment word weaker.
const DAMPENERS: &[&str] = &[
    "almost",
    "barely",
    "hardly",
    "kinda",
    "less",
    "little",
    "marginally",
    "occasionally",
    "partly",
    "scarcely",
    "slightly",
    "somewhat",
    "sorta",
    "poco",
    "algo",
    "apenas",
    "casi",
    "medio",
    "ligeramente",
    "menos",
    "relativamente",
];

/// Contrast words: what follows weighs more than what precedes.
const CONTRAST: &[&str] = &["but", "pero", "sino"];

/// The rule words by term hash: their booster increment (+ booster, − dampener, 0 for a
/// contrast word) and whether they are a contrast word; one lookup per token.
fn rule_words() -> &'static HashKeyed<(f32, bool)> {
    static W: OnceLock<HashKeyed<(f32, bool)>> = OnceLock::new();
    W.get_or_init(|| {
        let mut m = HashKeyed::default();
        for w in BOOSTERS {
            m.insert(term_hash(w), (B_INCR, false));
        }
        for w in DAMPENERS {
            m.insert(term_hash(w), (-B_INCR, false));
        }
        for w in CONTRAST {
            m.insert(term_hash(w), (0.0, true));
        }
        m
    })
}

/// The valence of a text: VADER's compound and its positive, negative and neutral shares.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Valence {
    /// Normalised sum, −1…1.
    pub compound: f32,
    /// Share of positive valence, 0…1.
    pub pos: f32,
    /// Share of negative valence, 0…1.
    pub neg: f32,
    /// Share of neutral words, 0…1.
    pub neu: f32,
}

/// One word as the valence rules see it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Word {
    /// Lexicon polarity (−1…1) before negation, 0 when unknown.
    pub polarity: f32,
    /// Booster (+0.293), dampener (−0.293) or 0.
    pub boost: f32,
    /// Token flags (see [`crate::normalize`]).
    pub flags: u8,
    /// A contrast word (`but`, `pero`).
    pub contrast: bool,
}

impl Word {
    /// Describes token `hash` with `flags` and its lexicon polarity (if any).
    /// A placeholder with a polarity (`<laugh>`) counts as a word.
    pub fn new(hash: u64, flags: u8, polarity: Option<f32>) -> Word {
        let flags = if polarity.is_some() {
            flags & !SPECIAL
        } else {
            flags
        };
        let (boost, contrast) = if flags & (SPECIAL | EMOJI) == 0 {
            rule_words().get(&hash).copied().unwrap_or((0.0, false))
        } else {
            (0.0, false)
        };
        Word {
            polarity: polarity.unwrap_or(0.0),
            boost,
            flags,
            contrast,
        }
    }
}

/// Scores the words of one text (`questions` and `exclamations` are the text's counts of
/// `?` and `!`). Punctuation and placeholder tokens are skipped; an empty text scores 0.
pub fn score(words: &[Word], questions: u16, exclamations: u16) -> Valence {
    // Capitals count only when the text mixes them with lower case.
    let (mut upper, mut alpha) = (0usize, 0usize);
    for w in words.iter().filter(|w| w.flags & (SPECIAL | EMOJI) == 0) {
        alpha += 1;
        if w.flags & UPPER != 0 {
            upper += 1;
        }
    }
    let cap_diff = upper > 0 && upper < alpha;
    let contrast_at = words.iter().position(|w| w.contrast);
    // One pass, no allocation: the sum and the positive / negative / neutral tallies.
    let (mut sum, mut pos, mut neg, mut neu, mut n) = (0f32, 0f32, 0f32, 0f32, 0usize);
    for (i, w) in words.iter().enumerate() {
        if w.flags & SPECIAL != 0 && w.flags & EMOJI == 0 {
            continue;
        }
        n += 1;
        if w.boost != 0.0 || w.polarity == 0.0 {
            neu += 1.0;
            continue;
        }
        let mut v = w.polarity * SCALE;
        if cap_diff && w.flags & UPPER != 0 {
            v += C_INCR * v.signum();
        }
        for back in 1..=3usize {
            let Some(j) = i.checked_sub(back) else { break };
            let p = words[j];
            if p.boost != 0.0 && p.polarity == 0.0 {
                let mut s = p.boost * v.signum();
                if cap_diff && p.flags & UPPER != 0 {
                    s += C_INCR * v.signum() * p.boost.signum();
                }
                s *= match back {
                    1 => 1.0,
                    2 => 0.95,
                    _ => 0.9,
                };
                v += s;
            }
        }
        if w.flags & NEG != 0 {
            v *= N_SCALAR;
        }
        if let Some(c) = contrast_at {
            v *= if i < c { 0.5 } else { 1.5 };
        }
        sum += v;
        if v > 0.0 {
            pos += v + 1.0;
        } else if v < 0.0 {
            neg += v - 1.0;
        } else {
            neu += 1.0;
        }
    }
    if n == 0 {
        return Valence::default();
    }
    let ep = f32::from(exclamations.min(4)) * 0.292;
    let qm = match questions {
        0 | 1 => 0.0,
        2 | 3 => f32::from(questions) * 0.18,
        _ => 0.96,
    };
    let punct = ep + qm;
    if sum > 0.0 {
        sum += punct;
    } else if sum < 0.0 {
        sum -= punct;
    }
    let compound = (sum / (sum * sum + 15.0).sqrt()).clamp(-1.0, 1.0);
    if pos > neg.abs() {
        pos += punct;
    } else if pos < neg.abs() {
        neg -= punct;
    }
    let total = pos + neg.abs() + neu;
    if total <= 0.0 {
        return Valence {
            compound,
            ..Valence::default()
        };
    }
    Valence {
        compound,
        pos: pos / total,
        neg: neg.abs() / total,
        neu: neu / total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(word: &str, flags: u8, p: f32) -> Word {
        Word::new(
            term_hash(word),
            flags,
            if p == 0.0 { None } else { Some(p) },
        )
    }

    #[test]
    fn plain_positive_and_negative() {
        let v = score(&[w("good", 0, 0.5)], 0, 0);
        assert!(v.compound > 0.4 && v.pos > 0.9 && v.neg == 0.0);
        let v = score(&[w("service", 0, 0.0), w("awful", 0, -0.8)], 0, 0);
        assert!(v.compound < -0.5 && v.neu > 0.0 && v.neg > 0.5);
        assert_eq!(score(&[], 0, 0), Valence::default());
    }

    #[test]
    fn boosters_and_dampeners() {
        let base = score(&[w("bueno", 0, 0.5)], 0, 0).compound;
        let muy = score(&[w("muy", 0, 0.0), w("bueno", 0, 0.5)], 0, 0).compound;
        let poco = score(&[w("poco", 0, 0.0), w("bueno", 0, 0.5)], 0, 0).compound;
        assert!(muy > base && poco < base, "{poco} < {base} < {muy}");
        // A booster before a negative word makes it more negative.
        let bad = score(&[w("very", 0, 0.0), w("bad", 0, -0.5)], 0, 0).compound;
        assert!(bad < score(&[w("bad", 0, -0.5)], 0, 0).compound);
    }

    #[test]
    fn negation_flips_and_damps() {
        let v = score(
            &[w("no", 64, 0.0), w("me", NEG, 0.0), w("gusta", NEG, 0.6)],
            0,
            0,
        );
        assert!(v.compound < 0.0);
        let plain = score(&[w("gusta", 0, 0.6)], 0, 0).compound;
        assert!(v.compound.abs() < plain);
    }

    #[test]
    fn contrast_weighs_what_follows() {
        // "good but slow": the negative clause wins.
        let v = score(
            &[w("good", 0, 0.5), w("but", 0, 0.0), w("slow", 0, -0.4)],
            0,
            0,
        );
        assert!(v.compound < 0.0, "{v:?}");
        let v = score(
            &[w("caro", 0, -0.4), w("pero", 0, 0.0), w("genial", 0, 0.6)],
            0,
            0,
        );
        assert!(v.compound > 0.3, "{v:?}");
    }

    #[test]
    fn capitals_and_exclamations_emphasise() {
        let base = score(&[w("nice", 0, 0.5), w("day", 0, 0.0)], 0, 0).compound;
        let caps = score(&[w("nice", UPPER, 0.5), w("day", 0, 0.0)], 0, 0).compound;
        let all_caps = score(&[w("nice", UPPER, 0.5), w("day", UPPER, 0.0)], 0, 0).compound;
        let bang = score(&[w("nice", 0, 0.5), w("day", 0, 0.0)], 0, 3).compound;
        assert!(caps > base && bang > base);
        assert_eq!(all_caps, base, "all-caps text is not emphasis");
    }

    #[test]
    fn placeholders_are_skipped_and_emoji_count() {
        let v = score(&[w("<url>", SPECIAL, 0.0), w("😀", EMOJI, 0.6)], 0, 0);
        assert!(v.compound > 0.4 && v.neu == 0.0);
    }
}
