//! Our own word lists, one per language group (`lexicons/words-es.txt`,
//! `lexicons/words-en.txt`), hand-written from general knowledge of the languages (no corpus
//! mined), and their lookup by token. Categories: profanity, insults, slurs and aggression,
//! and colloquial positive and negative words (`crack`, `golazo`, `cutre`, `chapuza`, which
//! the translated Spanish lexicons lack; `stoked`, `yikes`, `stranded`).
//!
//! The lists give every model of a group a few dense features ([`crate::features`]): per
//! category, how many words of the post it lists and whether one is targeted (a pronoun,
//! copula or mention among the three tokens before it). A linear model over n-grams learns
//! each frequent word by itself; the lists add what the training corpora are too small to
//! teach: one weight shared by hundreds of rare words ("nincompoop", "mequetrefe").
//! In 5-fold cross-validation they lift English offensive (OLID) macro-F1 from 0.740 to 0.76
//! and Spanish offensive from 0.66 to 0.75 (docs/models.md, "Word lists").
//!
//! Format: `#` comment lines; `[profanity]`, `[insult]`, `[slur]`, `[aggression]`,
//! `[positive]`, `[negative]` start a category and `[target]` the target words; terms are
//! whitespace-separated and normalised as posts are ([`crate::normalize`]); a term ending in
//! `*` is a stem (at least 3 bytes) that matches every word it starts. A word takes the
//! category of its exact entry, else of its longest stem; a term listed twice keeps its first
//! category.

use crate::NlpError;
use crate::features::HashKeyed;
use crate::normalize::{SPECIAL, normalize, term_hash};

/// Number of categories.
pub const CATEGORIES: usize = 6;

/// Category names, in section order.
pub const CATEGORY_NAMES: [&str; CATEGORIES] = [
    "profanity",
    "insult",
    "slur",
    "aggression",
    "positive",
    "negative",
];

/// The Spanish list, as committed.
pub const SOURCE_ES: &str = include_str!("../lexicons/words-es.txt");

/// The English list, as committed.
pub const SOURCE_EN: &str = include_str!("../lexicons/words-en.txt");

/// Tokens before a listed word that make it targeted.
pub const TARGET_WINDOW: usize = 3;

/// Shortest stem, in bytes (also the prefix the lookup filters on).
const MIN_STEM: usize = 3;

/// Bits of the stem prefix filter.
const FILTER_BITS: u32 = 16;

/// One group's word list, ready for lookups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordList {
    /// Exact terms: [`term_hash`] → category.
    pub exact: HashKeyed<u8>,
    /// Stems (normalised, without the `*`) and their categories, in list order.
    pub stem_words: Vec<(String, u8)>,
    /// Target words' [`term_hash`]es.
    pub targets: HashKeyed<()>,
    /// [`prefix_key`] of a stem's first bytes → the stems (indices into `stem_words`) that
    /// start with them, longest first.
    by_prefix: HashKeyed<Vec<u16>>,
    /// A bit per [`prefix_key`] of the stems, so that most words skip the map.
    filter: Vec<u64>,
}

impl Default for WordList {
    fn default() -> Self {
        WordList::from_parts(HashKeyed::default(), Vec::new(), HashKeyed::default())
    }
}

/// A well-mixed key of the first [`MIN_STEM`] bytes of a word.
fn prefix_key(p: &[u8]) -> u64 {
    let mut x = 0u64;
    for &b in p.iter().take(MIN_STEM) {
        x = (x << 8) | u64::from(b);
    }
    x = (x ^ (x >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 29)
}

/// The filter bit of a [`prefix_key`].
fn filter_bit(k: u64) -> usize {
    (k >> (64 - FILTER_BITS)) as usize
}

impl WordList {
    /// Parses a list (the format is in the module documentation). `what` names it in errors.
    pub fn parse(src: &str, what: &str) -> Result<WordList, NlpError> {
        let bad = |line: usize, why: String| NlpError::Artefact(format!("{what}:{line}: {why}"));
        let mut exact = HashKeyed::default();
        let mut stems: Vec<(String, u8)> = Vec::new();
        let mut targets = HashKeyed::default();
        // None: before the first section; Some(CATEGORIES): the target section.
        let mut section: Option<usize> = None;
        for (i, line) in src.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = match CATEGORY_NAMES.iter().position(|c| *c == name) {
                    Some(c) => Some(c),
                    None if name == "target" => Some(CATEGORIES),
                    None => return Err(bad(i + 1, format!("unknown section [{name}]"))),
                };
                continue;
            }
            let Some(cat) = section else {
                return Err(bad(i + 1, "a term before the first [section]".into()));
            };
            for term in line.split_whitespace() {
                let (word, stem) = match term.strip_suffix('*') {
                    Some(w) => (w, true),
                    None => (term, false),
                };
                // A placeholder target (`<user>`) is kept as it is.
                if cat == CATEGORIES && word.starts_with('<') && word.ends_with('>') {
                    targets.insert(term_hash(word), ());
                    continue;
                }
                let n = normalize(word);
                let [tok] = n.tokens.as_slice() else {
                    return Err(bad(
                        i + 1,
                        format!("`{term}` is not one word once normalised"),
                    ));
                };
                if tok.flags & SPECIAL != 0 {
                    return Err(bad(
                        i + 1,
                        format!("`{term}` normalises to a placeholder, not a word"),
                    ));
                }
                let norm = n.text(tok);
                let h = term_hash(norm);
                if cat == CATEGORIES {
                    targets.insert(h, ());
                } else if stem {
                    if norm.len() < MIN_STEM {
                        return Err(bad(
                            i + 1,
                            format!("stem `{term}` is shorter than {MIN_STEM} bytes"),
                        ));
                    }
                    stems.push((norm.to_string(), cat as u8));
                } else {
                    exact.entry(h).or_insert(cat as u8);
                }
            }
        }
        Ok(WordList::from_parts(exact, stems, targets))
    }

    /// Builds the lookup structures (as parsed, or as read back from the artefact). A stem
    /// listed twice keeps its first category.
    pub fn from_parts(
        exact: HashKeyed<u8>,
        stem_words: Vec<(String, u8)>,
        targets: HashKeyed<()>,
    ) -> WordList {
        let mut filter = vec![0u64; 1 << (FILTER_BITS - 6)];
        let mut by_prefix: HashKeyed<Vec<u16>> = HashKeyed::default();
        for (i, (w, _)) in stem_words.iter().enumerate().take(usize::from(u16::MAX)) {
            let k = prefix_key(w.as_bytes());
            let b = filter_bit(k);
            if let Some(x) = filter.get_mut(b >> 6) {
                *x |= 1 << (b & 63);
            }
            by_prefix.entry(k).or_default().push(i as u16);
        }
        // Longest first; a stem listed twice keeps its first category (stable sort).
        for v in by_prefix.values_mut() {
            v.sort_by_key(|&i| {
                std::cmp::Reverse(stem_words.get(usize::from(i)).map_or(0, |s| s.0.len()))
            });
        }
        WordList {
            exact,
            stem_words,
            targets,
            by_prefix,
            filter,
        }
    }

    /// True when the list has no terms.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.stem_words.is_empty()
    }

    /// The category of a normalised word with [`term_hash`] `h`, if the list has it.
    pub fn category(&self, word: &str, h: u64) -> Option<u8> {
        if let Some(&c) = self.exact.get(&h) {
            return Some(c);
        }
        let b = word.as_bytes();
        if b.len() < MIN_STEM {
            return None;
        }
        let k = prefix_key(b);
        let bit = filter_bit(k);
        if self
            .filter
            .get(bit >> 6)
            .is_none_or(|w| w & (1 << (bit & 63)) == 0)
        {
            return None;
        }
        self.by_prefix.get(&k)?.iter().find_map(|&i| {
            let (stem, c) = self.stem_words.get(usize::from(i))?;
            b.starts_with(stem.as_bytes()).then_some(*c)
        })
    }

    /// True when the word with [`term_hash`] `h` makes a following listed word targeted.
    pub fn is_target(&self, h: u64) -> bool {
        self.targets.contains_key(&h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(l: &WordList, w: &str) -> Option<&'static str> {
        let n = normalize(w);
        let t = n.tokens.first()?;
        l.category(n.text(t), t.hash)
            .map(|c| CATEGORY_NAMES[usize::from(c)])
    }

    #[test]
    fn exact_terms_stems_and_the_longest_stem_win() {
        let l = WordList::parse(
            "# c\n[profanity]\nwank* darn\n[insult]\nwanker* idiot\nidiot*\n[target]\nyou <user>\n",
            "t",
        )
        .unwrap_or_default();
        assert_eq!(cat(&l, "darn"), Some("profanity"));
        assert_eq!(cat(&l, "darned"), None, "an exact term is not a stem");
        assert_eq!(cat(&l, "wanking"), Some("profanity"));
        assert_eq!(cat(&l, "wankers"), Some("insult"), "the longest stem wins");
        assert_eq!(cat(&l, "IDIOTS"), Some("insult"));
        assert_eq!(cat(&l, "idiooooot"), Some("insult"), "elongation is folded");
        assert_eq!(cat(&l, "wan"), None);
        assert_eq!(cat(&l, "hello"), None);
        assert!(l.is_target(term_hash("you")));
        assert!(l.is_target(term_hash("<user>")));
        assert!(!l.is_target(term_hash("idiot")));
    }

    #[test]
    fn accents_are_folded_as_in_posts() {
        let l = WordList::parse("[insult]\nimbécil*\n", "t").unwrap_or_default();
        assert_eq!(cat(&l, "IMBÉCILES"), Some("insult"));
        assert_eq!(cat(&l, "imbecil"), Some("insult"));
    }

    #[test]
    fn bad_lists_say_where_and_why() {
        for (src, why) in [
            ("idiot\n", "before the first [section]"),
            ("[rude]\nidiot\n", "unknown section [rude]"),
            ("[insult]\nid*\n", "shorter than 3 bytes"),
            ("[insult]\nfine\nbrain-dead\n", "not one word"),
            ("[profanity]\nlmfao\n", "placeholder"),
        ] {
            match WordList::parse(src, "list.txt") {
                Err(e) => {
                    let m = e.to_string();
                    assert!(m.contains("list.txt:"), "{m}");
                    assert!(m.contains(why), "{m} should say {why}");
                }
                Ok(_) => panic!("{src:?} was accepted"),
            }
        }
        assert!(
            WordList::parse("[insult]\nfine\nbrain-dead\n", "l")
                .map_err(|e| e.to_string())
                .err()
                .is_some_and(|m| m.contains("l:3:"))
        );
    }

    #[test]
    fn the_committed_lists_parse_and_cover_both_languages() {
        let es = WordList::parse(SOURCE_ES, "words-es.txt");
        let en = WordList::parse(SOURCE_EN, "words-en.txt");
        let (Ok(es), Ok(en)) = (es, en) else {
            panic!("a committed list does not parse");
        };
        assert!(es.exact.len() + es.stem_words.len() > 250);
        assert!(en.exact.len() + en.stem_words.len() > 350);
        assert_eq!(cat(&es, "gilipollas"), Some("profanity"));
        assert_eq!(cat(&es, "payasos"), Some("insult"));
        assert_eq!(cat(&en, "morons"), Some("insult"));
        assert_eq!(cat(&en, "fucking"), Some("profanity"));
        assert_eq!(cat(&es, "golazo"), Some("positive"));
        assert_eq!(cat(&es, "chapuzas"), Some("negative"));
        assert_eq!(cat(&es, "mesa"), None);
        assert_eq!(cat(&en, "stoked"), Some("positive"));
        assert_eq!(cat(&en, "stranded"), Some("negative"));
        assert_eq!(cat(&en, "table"), None);
        assert!(es.is_target(term_hash("eres")) && en.is_target(term_hash("you")));
    }

    #[test]
    fn rebuilt_from_parts_it_answers_alike() {
        let Ok(l) = WordList::parse(SOURCE_EN, "words-en.txt") else {
            panic!("the committed list does not parse");
        };
        let r = WordList::from_parts(l.exact.clone(), l.stem_words.clone(), l.targets.clone());
        assert_eq!(r, l);
    }
}
