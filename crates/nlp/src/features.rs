//! Hashed features of a normalised text, shared by every model.
//!
//! Word unigrams (negation-marked), word bigrams, byte 3–5-grams of each word, lexicon sums
//! (per language group, negation flips the sign), emoji sentiment sums and a few shape features
//! (`?`, `!`, elongation, capitals, URLs, mentions), and per category of our word lists
//! ([`crate::wordlists`]) a count and a "targeted" flag. Every feature is a 32-bit hash; a model
//! masks it to its own table size. Values are 1 for indicators; text indicators are scaled by
//! 1/√n so that long and short texts weigh alike.

use crate::normalize::{ELONG, EMOJI, NEG, NEGATOR, NormalizedText, SPECIAL, UPPER};
use crate::valence::{Word, score};
use crate::wordlists::{CATEGORIES, TARGET_WINDOW, WordList};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A hasher for keys that are already hashes.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by precomputed hashes.
pub type HashKeyed<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

pub use crate::normalize::term_hash;

/// Language group of a text, which picks the lexicon and the model table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Spanish and the other Romance languages (best effort for pt, ca, it, fr).
    Es,
    /// English and everything else.
    En,
}

impl Group {
    /// The group of an ISO 639-1 code.
    pub fn of(lang: &str) -> Group {
        match lang {
            "es" | "pt" | "ca" | "it" | "fr" | "gl" => Group::Es,
            _ => Group::En,
        }
    }

    /// Index (0 = es, 1 = en).
    pub fn index(self) -> usize {
        match self {
            Group::Es => 0,
            Group::En => 1,
        }
    }
}

/// Word polarity lexicons (−1…1) per group and the emoji sentiment lexicon.
#[derive(Debug, Clone, Default)]
pub struct Lexicons {
    /// Spanish word polarity.
    pub es: HashKeyed<f32>,
    /// English word polarity.
    pub en: HashKeyed<f32>,
    /// Emoji and emoticon polarity.
    pub emoji: HashKeyed<f32>,
    /// Word valence for the rule-based score (−1…1): one curated lexicon (VADER's) rather
    /// than the blend in `en`. Empty: the blend is used.
    pub valence: HashKeyed<f32>,
    /// Our word lists per group ([`Group::index`], [`crate::wordlists`]); empty lists add no
    /// features.
    pub words: [WordList; 2],
}

impl Lexicons {
    /// Polarity of a token (by its [`term_hash`]) for a group, if the lexicons know it.
    pub fn polarity(&self, group: Group, h: u64, flags: u8) -> Option<f32> {
        if flags & EMOJI != 0 {
            return self.emoji.get(&h).copied();
        }
        match group {
            Group::Es => self.es.get(&h).copied(),
            Group::En => self.en.get(&h).copied(),
        }
    }
}

/// Feature extraction settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureConfig {
    /// Smallest byte n-gram.
    pub min_n: usize,
    /// Largest byte n-gram (0 disables n-grams).
    pub max_n: usize,
    /// Word bigrams on/off.
    pub bigrams: bool,
    /// The rule-based valence features ([`crate::valence`]) on/off for English texts (for
    /// Spanish they measured −0.004 macro-F1 in 5-fold cross-validation, so they are off).
    pub valence: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            min_n: 3,
            max_n: 5,
            bigrams: true,
            valence: true,
        }
    }
}

/// Sparse features: hashes and values (reused across texts).
#[derive(Debug, Clone, Default)]
pub struct Features {
    /// Feature hashes.
    pub idx: Vec<u32>,
    /// Feature values.
    pub val: Vec<f32>,
    /// Sum of positive lexicon polarities (after negation).
    pub lex_pos: f32,
    /// Sum of negative lexicon polarities (after negation), as a negative number.
    pub lex_neg: f32,
    /// Sum of emoji polarities.
    pub emoji: f32,
    /// The first `uniform` features all have the value `uniform_val`.
    pub uniform: usize,
    /// See `uniform`.
    pub uniform_val: f32,
    /// The words as the valence rules see them (scratch, reused).
    words: Vec<Word>,
}

impl Features {
    fn push(&mut self, h: u64, v: f32) {
        self.idx.push((h ^ (h >> 32)) as u32);
        self.val.push(v);
    }
}

/// A full-avalanche 64-bit finaliser (splitmix64's), for keys already packed into one word.
#[inline]
fn fmix(x: u64) -> u64 {
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[inline]
fn mix(a: u64, b: u64) -> u64 {
    (a.rotate_left(23) ^ b).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

const SEED_WORD: u64 = 1;
const SEED_NEGWORD: u64 = 2;
const SEED_NGRAM: u64 = 3;
const SEED_META: u64 = 4;

/// The hash of a named dense feature; call it in a `const` block so that the hot path does
/// not hash the name again for every post.
const fn meta(name: &str) -> u64 {
    xxhash_rust::const_xxh3::xxh3_64_with_seed(name.as_bytes(), SEED_META)
}

/// Per word-list category: how many listed words the text has (squashed).
const LIST_HITS: [u64; CATEGORIES] = [
    meta("list_profanity"),
    meta("list_insult"),
    meta("list_slur"),
    meta("list_aggression"),
    meta("list_positive"),
    meta("list_negative"),
];

/// Per word-list category: one of its words is targeted.
const LIST_TARGETED: [u64; CATEGORIES] = [
    meta("list_profanity_targeted"),
    meta("list_insult_targeted"),
    meta("list_slur_targeted"),
    meta("list_aggression_targeted"),
    meta("list_positive_targeted"),
    meta("list_negative_targeted"),
];

/// Extracts the features of `doc` into `out` (cleared first).
pub fn extract(
    doc: &NormalizedText,
    lex: &Lexicons,
    group: Group,
    cfg: FeatureConfig,
    out: &mut Features,
) {
    out.idx.clear();
    out.val.clear();
    out.uniform = 0;
    out.lex_pos = 0.0;
    out.lex_neg = 0.0;
    out.emoji = 0.0;
    out.words.clear();
    let valence = cfg.valence && group == Group::En;
    let mut prev: u64 = 0x51;
    let mut pad = [0u8; 64];
    let mut has_elong = false;
    let mut has_upper = false;
    let mut negators = 0u32;
    let lists = &lex.words[group.index()];
    let use_lists = !lists.is_empty();
    let mut list_hits = [0u16; CATEGORIES];
    let mut list_targeted = [false; CATEGORIES];
    // The last TARGET_WINDOW tokens' hashes (a ring), for "targeted".
    let mut recent = [0u64; TARGET_WINDOW];
    let mut seen = 0usize;
    for (tok, flags, th) in doc.iter_hashed() {
        if use_lists {
            // Placeholders, punctuation and emoji are never listed (`WordList::parse`).
            if flags & (SPECIAL | EMOJI) == 0
                && let Some(c) = lists.category(tok, th)
            {
                let c = usize::from(c);
                list_hits[c] = list_hits[c].saturating_add(1);
                if recent[..seen.min(TARGET_WINDOW)]
                    .iter()
                    .any(|&r| lists.is_target(r))
                {
                    list_targeted[c] = true;
                }
            }
            recent[seen % TARGET_WINDOW] = th;
            seen += 1;
        }
        let seed = if flags & NEG != 0 {
            SEED_NEGWORD
        } else {
            SEED_WORD
        };
        let h = mix(th, seed);
        out.push(h, 1.0);
        if cfg.bigrams {
            out.push(mix(prev, h), 1.0);
        }
        prev = h;
        has_elong |= flags & ELONG != 0;
        has_upper |= flags & UPPER != 0;
        if flags & NEGATOR != 0 {
            negators += 1;
        }
        let polarity = lex.polarity(group, th, flags);
        if valence {
            let v = if flags & EMOJI != 0 || lex.valence.is_empty() {
                polarity
            } else {
                lex.valence.get(&th).copied()
            };
            out.words.push(Word::new(th, flags, v));
        }
        if let Some(p) = polarity {
            let p = if flags & NEG != 0 { -0.6 * p } else { p };
            let p = if flags & (ELONG | UPPER) != 0 {
                p * 1.3
            } else {
                p
            };
            if flags & EMOJI != 0 {
                out.emoji += p;
            }
            let bucket = ((p.clamp(-0.999, 0.999) + 1.0) * 3.0) as u64; // 0..5
            out.push(mix(0x1e7, bucket), 1.0);
            if p > 0.0 {
                out.lex_pos += p;
            } else {
                out.lex_neg += p;
            }
        }
        let is_word = flags & (SPECIAL | EMOJI) == 0;
        if is_word && cfg.max_n >= cfg.min_n && cfg.max_n > 0 && tok.len() + 2 <= pad.len() {
            let n = tok.len() + 2;
            pad[0] = b'<';
            pad[1..n - 1].copy_from_slice(tok.as_bytes());
            pad[n - 1] = b'>';
            let bytes = &pad[..n];
            let nseed = if flags & NEG != 0 {
                SEED_NGRAM + 16
            } else {
                SEED_NGRAM
            };
            for k in cfg.min_n..=cfg.max_n {
                if k > n {
                    break;
                }
                if k <= 8 {
                    // Up to 8 bytes: the window read as one integer (an 8-byte read that stays
                    // inside `pad`, since words are at most 48 bytes; the bytes past the
                    // window are masked off), then mixed: no general-purpose hash call.
                    let keep = if k == 8 {
                        u64::MAX
                    } else {
                        (1u64 << (8 * k)) - 1
                    };
                    let seed = (nseed + k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                    for i in 0..=n - k {
                        let mut w = [0u8; 8];
                        w.copy_from_slice(&pad[i..i + 8]);
                        out.push(fmix((u64::from_le_bytes(w) & keep) ^ seed), 1.0);
                    }
                } else {
                    for w in bytes.windows(k) {
                        out.push(xxh3_64_with_seed(w, nseed + k as u64), 1.0);
                    }
                }
            }
        }
    }
    if cfg.bigrams && !doc.tokens.is_empty() {
        out.push(mix(prev, 0x52), 1.0);
    }
    let n = out.idx.len().max(1) as f32;
    let scale = 1.0 / n.sqrt();
    for v in &mut out.val {
        *v = scale;
    }
    out.uniform = out.idx.len();
    out.uniform_val = scale;
    // Dense-ish features with real values.
    let (lp, ln, em) = (out.lex_pos, out.lex_neg, out.emoji);
    out.push(const { meta("lex_pos") }, squash(lp));
    out.push(const { meta("lex_neg") }, squash(-ln));
    out.push(const { meta("lex_net") }, squash(lp + ln));
    out.push(const { meta("emoji") }, squash(em));
    out.push(const { meta("bias_text") }, 1.0);
    let q = doc.questions.min(3);
    if q > 0 {
        out.push(const { meta("question") }, 0.5 + 0.2 * f32::from(q));
    }
    let e = doc.exclamations.min(3);
    if e > 0 {
        out.push(const { meta("exclaim") }, 0.5 + 0.2 * f32::from(e));
    }
    if has_elong {
        out.push(const { meta("elong") }, 1.0);
    }
    if has_upper {
        out.push(const { meta("upper") }, 1.0);
    }
    if negators > 0 {
        out.push(const { meta("negated") }, 1.0);
    }
    if doc.urls > 0 {
        out.push(const { meta("url") }, 1.0);
    }
    if doc.mentions > 0 {
        out.push(const { meta("mention") }, 1.0);
    }
    if list_hits.iter().any(|&n| n > 0) {
        out.push(const { meta("list_any") }, 1.0);
        for c in 0..CATEGORIES {
            if list_hits[c] > 0 {
                out.push(LIST_HITS[c], squash(f32::from(list_hits[c])));
            }
            if list_targeted[c] {
                out.push(LIST_TARGETED[c], 1.0);
            }
        }
    }
    if valence {
        let v = score(&out.words, doc.questions, doc.exclamations);
        for (h, x) in [
            (const { meta("valence") }, v.compound),
            (const { meta("valence_pos") }, v.pos),
            (const { meta("valence_neg") }, v.neg),
        ] {
            if x != 0.0 {
                out.push(h, x);
            }
        }
        if v.compound >= 0.05 {
            out.push(const { meta("valence_is_pos") }, 1.0);
        } else if v.compound <= -0.05 {
            out.push(const { meta("valence_is_neg") }, 1.0);
        }
    }
}

fn squash(x: f32) -> f32 {
    x / (1.0 + x.abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    #[test]
    fn negated_words_hash_differently_and_flip_lexicon() {
        let mut lex = Lexicons::default();
        lex.es.insert(term_hash("gusta"), 0.8);
        let mut f = Features::default();
        extract(
            &normalize("me gusta"),
            &lex,
            Group::Es,
            FeatureConfig::default(),
            &mut f,
        );
        assert!(f.lex_pos > 0.7);
        let a = f.idx.clone();
        extract(
            &normalize("no me gusta"),
            &lex,
            Group::Es,
            FeatureConfig::default(),
            &mut f,
        );
        assert!(f.lex_neg < 0.0 && f.lex_pos == 0.0);
        assert!(!f.idx.contains(&a[1]));
    }

    #[test]
    fn byte_ngrams_are_counted_hashed_alike_and_long_ones_fall_back() {
        let lex = Lexicons::default();
        let cfg = FeatureConfig {
            min_n: 3,
            max_n: 9,
            bigrams: false,
            valence: false,
        };
        let mut a = Features::default();
        // "<extraordinario>" is 16 bytes: 14 + 13 + … + 8 windows of 3 to 9 bytes.
        extract(&normalize("extraordinario"), &lex, Group::Es, cfg, &mut a);
        assert_eq!(a.uniform, 1 + (8..=14).sum::<usize>());
        // The same word after a longer one (stale bytes in the scratch pad) hashes alike.
        let mut b = Features::default();
        extract(
            &normalize("anticonstitucionalmente extraordinario"),
            &lex,
            Group::Es,
            cfg,
            &mut b,
        );
        for h in &a.idx[..a.uniform] {
            assert!(b.idx.contains(h));
        }
        // Different windows get different hashes (no collision among these 78).
        let mut seen = a.idx[..a.uniform].to_vec();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), a.uniform);
    }

    #[test]
    fn listed_words_add_category_and_target_features() {
        let mut lex = Lexicons::default();
        let Ok(en) = WordList::parse("[profanity]\nshit*\n[insult]\nidiot*\n[target]\nyou\n", "t")
        else {
            panic!("the test list does not parse");
        };
        lex.words[Group::En.index()] = en;
        let cfg = FeatureConfig::default();
        let mut f = Features::default();
        let val = |f: &Features, h: u64| {
            let i = (h ^ (h >> 32)) as u32;
            f.idx.iter().position(|&x| x == i).map(|p| f.val[p])
        };
        extract(&normalize("you total IDIOTS"), &lex, Group::En, cfg, &mut f);
        assert_eq!(val(&f, LIST_HITS[1]), Some(0.5));
        assert_eq!(val(&f, LIST_TARGETED[1]), Some(1.0));
        assert_eq!(val(&f, meta("list_any")), Some(1.0));
        assert_eq!(val(&f, LIST_HITS[0]), None);
        // Two words of a category count twice; a word four tokens after "you" is not targeted.
        extract(
            &normalize("you know it was shit, shitty"),
            &lex,
            Group::En,
            cfg,
            &mut f,
        );
        assert_eq!(val(&f, LIST_HITS[0]), Some(2.0 / 3.0));
        assert_eq!(val(&f, LIST_TARGETED[0]), None);
        // The Spanish group has its own (here empty) list.
        extract(&normalize("you idiot"), &lex, Group::Es, cfg, &mut f);
        assert_eq!(val(&f, meta("list_any")), None);
        extract(&normalize("you are lovely"), &lex, Group::En, cfg, &mut f);
        assert_eq!(val(&f, meta("list_any")), None);
    }

    #[test]
    fn compile_time_feature_names_hash_like_the_runtime_hash() {
        for name in ["lex_pos", "valence", "mention"] {
            assert_eq!(meta(name), xxh3_64_with_seed(name.as_bytes(), SEED_META));
        }
    }

    #[test]
    fn empty_text_has_only_meta_features() {
        let mut f = Features::default();
        extract(
            &normalize(""),
            &Lexicons::default(),
            Group::En,
            FeatureConfig::default(),
            &mut f,
        );
        assert_eq!(f.idx.len(), 5);
    }
}
