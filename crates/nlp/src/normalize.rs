//! The one text normalisation shared by every enricher.
//!
//! A single pass over the (size-bounded) input produces lowercased, accent-folded tokens with
//! flags: URLs become `<url>`, mentions `<user>` (plus `@handle`), hashtags `#tag` plus their
//! camelCase/underscore/digit-split words (`#MalServicio` → `#malservicio`, `mal`, `servicio`),
//! elongations are collapsed (`graciaaaas` → `gracias`, flagged), laughter becomes `<laugh>`,
//! emoji and emoticons are kept as their own tokens, `?`/`!`/`¿`/`¡` are tokens, and the words
//! after a negator (`no`, `nunca`, `ni`, `tampoco`, `not`, `never`, `don't`…) are flagged as
//! negated until the next clause boundary or for at most [`NEG_SCOPE`] words.
//!
//! Accents are folded (`á` → `a`, `ü` → `u`, `ç` → `c`) except `ñ`, which stays (`año` ≠ `ano`).
//! Marks that tell languages apart (`ñ`, `¿`, `ç`, `ã`, `ß`…) are counted before folding.

/// At most this many bytes of a text are read (longer texts are cut at a char boundary).
pub const MAX_INPUT_BYTES: usize = 4096;
/// At most this many tokens are produced.
pub const MAX_TOKENS: usize = 512;
/// At most this many bytes in one token (longer words are cut).
pub const MAX_TOKEN_BYTES: usize = 48;
/// Number of words a negator reaches.
pub const NEG_SCOPE: u8 = 3;

/// Token flag: inside a negation scope.
pub const NEG: u8 = 1;
/// Token flag: comes from a hashtag.
pub const HASHTAG: u8 = 2;
/// Token flag: an emoji or emoticon.
pub const EMOJI: u8 = 4;
/// Token flag: the word was elongated (`graciaaaas`).
pub const ELONG: u8 = 8;
/// Token flag: the word was written in capitals (at least two letters).
pub const UPPER: u8 = 16;
/// Token flag: a placeholder or punctuation token (`<url>`, `<user>`, `?`…), not a word.
pub const SPECIAL: u8 = 32;
/// Token flag: a negator word itself.
pub const NEGATOR: u8 = 64;

/// Language marks counted on the raw text, indexes into [`NormalizedText::marks`].
pub mod mark {
    /// `ñ`.
    pub const ENYE: usize = 0;
    /// `¿` or `¡`.
    pub const INVERTED: usize = 1;
    /// `ç`.
    pub const CEDILLA: usize = 2;
    /// `ã` or `õ`.
    pub const TILDE_VOWEL: usize = 3;
    /// `à`, `è`, `ò` (grave accents: ca, it, fr).
    pub const GRAVE: usize = 4;
    /// `ß`, `ä`, `ö`.
    pub const GERMAN: usize = 5;
    /// `á`, `í`, `ó`, `ú` (acute: es, pt, ca).
    pub const ACUTE: usize = 6;
    /// `ê`, `â`, `ô`, `î`, `û` (circumflex: fr, pt).
    pub const CIRCUMFLEX: usize = 7;
    /// `l·l` (Catalan).
    pub const MIDDOT: usize = 8;
    /// Number of marks.
    pub const COUNT: usize = 9;
}

/// Hash of a normalised term (tokens, lexicon keys, phrase words all use it).
#[inline]
pub fn term_hash(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

/// One token: a span of [`NormalizedText::buf`], its hash and its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    start: u32,
    len: u16,
    /// [`term_hash`] of the token text.
    pub hash: u64,
    /// Bit set of [`NEG`], [`HASHTAG`], [`EMOJI`], [`ELONG`], [`UPPER`], [`SPECIAL`], [`NEGATOR`].
    pub flags: u8,
}

/// The normalised form of one text; reusable across texts (see [`normalize_into`]).
#[derive(Debug, Clone, Default)]
pub struct NormalizedText {
    /// Concatenated token texts.
    pub buf: String,
    /// Tokens, in text order.
    pub tokens: Vec<Token>,
    /// Counts of language marks (see [`mark`]).
    pub marks: [u16; mark::COUNT],
    /// Number of `?`.
    pub questions: u16,
    /// Number of `!`.
    pub exclamations: u16,
    /// Number of URLs.
    pub urls: u16,
    /// Number of mentions.
    pub mentions: u16,
    /// Number of letters seen (before folding).
    pub letters: u32,
    /// The input was cut at [`MAX_INPUT_BYTES`] or [`MAX_TOKENS`].
    pub truncated: bool,
}

impl NormalizedText {
    /// The text of a token.
    pub fn text(&self, t: &Token) -> &str {
        let s = t.start as usize;
        self.buf.get(s..s + t.len as usize).unwrap_or("")
    }

    /// Iterates over `(text, flags)` of every token.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u8)> + '_ {
        self.tokens.iter().map(|t| (self.text(t), t.flags))
    }

    /// Iterates over `(text, flags, hash)` of every token.
    pub fn iter_hashed(&self) -> impl Iterator<Item = (&str, u8, u64)> + '_ {
        self.tokens.iter().map(|t| (self.text(t), t.flags, t.hash))
    }

    /// Number of word tokens (not placeholders, punctuation or emoji).
    pub fn word_count(&self) -> usize {
        self.tokens
            .iter()
            .filter(|t| t.flags & (SPECIAL | EMOJI) == 0)
            .count()
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.tokens.clear();
        self.marks = [0; mark::COUNT];
        self.questions = 0;
        self.exclamations = 0;
        self.urls = 0;
        self.mentions = 0;
        self.letters = 0;
        self.truncated = false;
    }
}

/// Normalises `text` into a fresh [`NormalizedText`].
pub fn normalize(text: &str) -> NormalizedText {
    let mut out = NormalizedText::default();
    normalize_into(text, &mut out);
    out
}

const NEGATORS: &[&str] = &[
    "no", "nunca", "ni", "tampoco", "jamas", "nada", "nadie", "ningun", "ninguna", "ninguno",
    "sin", "not", "never", "nor", "neither", "nobody", "nothing", "none", "cannot", "dont",
    "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "cant", "couldnt", "shouldnt",
    "wouldnt", "aint", "havent", "hasnt", "hadnt", "n't",
];

/// Whether a normalised word is a negator.
pub fn is_negator(w: &str) -> bool {
    is_negator_hash(term_hash(w))
}

/// [`is_negator`] by [`term_hash`]: a binary search in the sorted hashes of the list (one
/// hash per token instead of one string comparison per negator).
fn is_negator_hash(h: u64) -> bool {
    static HASHES: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    HASHES
        .get_or_init(|| {
            let mut v: Vec<u64> = NEGATORS.iter().map(|w| term_hash(w)).collect();
            v.sort_unstable();
            v
        })
        .binary_search(&h)
        .is_ok()
}

fn cut(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    (&text[..text.floor_char_boundary(max)], true)
}

/// Whether `c` is an emoji or pictographic symbol (the ranges used by Unicode's emoji data).
pub fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F300..=0x1F5FF | 0x1F600..=0x1F64F | 0x1F680..=0x1F6FF | 0x1F900..=0x1F9FF
        | 0x1FA70..=0x1FAFF | 0x2600..=0x26FF | 0x2700..=0x27BF | 0x1F1E6..=0x1F1FF
        | 0x2B50 | 0x2B55 | 0x203C | 0x2049 | 0x1F004 | 0x1F0CF)
}

fn is_emoji_modifier(c: char) -> bool {
    matches!(
        c as u32,
        0xFE0E | 0xFE0F | 0x200D | 0x1F3FB..=0x1F3FF | 0x20E3
    )
}

/// Folds a lowercase char: accents removed except `ñ`; returns `None` for chars to drop.
fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        _ => c,
    }
}

fn count_mark(c: char, marks: &mut [u16; mark::COUNT]) {
    let i = match c {
        'ñ' | 'Ñ' => mark::ENYE,
        '¿' | '¡' => mark::INVERTED,
        'ç' | 'Ç' => mark::CEDILLA,
        'ã' | 'õ' | 'Ã' | 'Õ' => mark::TILDE_VOWEL,
        'à' | 'è' | 'ò' | 'À' | 'È' | 'Ò' => mark::GRAVE,
        'ß' | 'ä' | 'ö' | 'Ä' | 'Ö' => mark::GERMAN,
        'á' | 'í' | 'ó' | 'ú' | 'Á' | 'Í' | 'Ó' | 'Ú' => mark::ACUTE,
        'ê' | 'â' | 'ô' | 'î' | 'û' => mark::CIRCUMFLEX,
        '·' => mark::MIDDOT,
        _ => return,
    };
    marks[i] = marks[i].saturating_add(1);
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

struct Builder<'a> {
    out: &'a mut NormalizedText,
    neg_left: u8,
}

impl Builder<'_> {
    fn full(&self) -> bool {
        self.out.tokens.len() >= MAX_TOKENS
    }

    fn push(&mut self, s: &str, mut flags: u8) {
        if self.full() || s.is_empty() {
            if !s.is_empty() {
                self.out.truncated = true;
            }
            return;
        }
        let s = cut(s, MAX_TOKEN_BYTES).0;
        let hash = term_hash(s);
        let is_word = flags & (SPECIAL | EMOJI) == 0;
        if is_word {
            if is_negator_hash(hash) {
                flags |= NEGATOR;
            } else if self.neg_left > 0 {
                flags |= NEG;
                self.neg_left -= 1;
            }
        }
        let start = self.out.buf.len() as u32;
        self.out.buf.push_str(s);
        self.out.tokens.push(Token {
            start,
            len: s.len() as u16,
            hash,
            flags,
        });
        if flags & NEGATOR != 0 {
            self.neg_left = NEG_SCOPE;
        }
    }

    fn boundary(&mut self) {
        self.neg_left = 0;
    }

    /// Pushes a raw word: lowercases, folds, collapses elongations, maps laughter.
    fn word(&mut self, raw: &str, extra: u8, scratch: &mut String) {
        scratch.clear();
        let mut upper = 0usize;
        let mut lower = 0usize;
        let mut prev = '\0';
        let mut run = 0usize;
        let mut elong = false;
        for c in raw.chars() {
            if c == '\'' || c == '’' {
                continue;
            }
            if c.is_uppercase() {
                upper += 1;
            } else if c.is_lowercase() {
                lower += 1;
            }
            let lc = if c.is_ascii() {
                c.to_ascii_lowercase()
            } else {
                c.to_lowercase().next().unwrap_or(c)
            };
            let f = fold(lc);
            if f == prev {
                run += 1;
                if run >= 2 && f.is_alphabetic() {
                    elong = true;
                }
            } else {
                run = 0;
            }
            prev = f;
            scratch.push(f);
        }
        if elong {
            // Collapse runs of three or more identical letters to one.
            let src = std::mem::take(scratch);
            let chars: Vec<char> = src.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                let c = chars[i];
                let mut j = i;
                while j < chars.len() && chars[j] == c {
                    j += 1;
                }
                let n = j - i;
                let keep = if n >= 3 && c.is_alphabetic() { 1 } else { n };
                for _ in 0..keep {
                    scratch.push(c);
                }
                i = j;
            }
        }
        let mut flags = extra;
        if elong {
            flags |= ELONG;
        }
        if upper >= 2 && lower == 0 {
            flags |= UPPER;
        }
        if is_laugh(scratch) {
            self.push("<laugh>", flags | SPECIAL);
            return;
        }
        let w = std::mem::take(scratch);
        self.push(&w, flags);
        *scratch = w;
    }
}

fn is_laugh(w: &str) -> bool {
    if matches!(
        w,
        "lol"
            | "lmao"
            | "lmfao"
            | "rofl"
            | "xd"
            | "xdd"
            | "jaja"
            | "haha"
            | "jeje"
            | "hehe"
            | "jiji"
    ) {
        return true;
    }
    if w.len() < 4 {
        return false;
    }
    let b = w.as_bytes();
    let mut cons = 0;
    let mut vow = 0;
    for &c in b {
        match c {
            b'j' | b'h' => cons += 1,
            b'a' | b'e' | b'i' => vow += 1,
            _ => return false,
        }
    }
    cons >= 2 && vow >= 2 && (b[0] == b'j' || b[0] == b'h' || b[0] == b'a')
}

const EMOTICONS: &[&str] = &[
    ":-)", ":)", ":-(", ":(", ":D", ":-D", ";)", ";-)", ":P", ":p", ":'(", ":/", "=)", "=(", "<3",
    ":*", ":O", ":o", "xD", "XD",
];

/// Normalises `text` into `out`, reusing its buffers (cleared first).
pub fn normalize_into(text: &str, out: &mut NormalizedText) {
    out.clear();
    let (text, truncated) = cut(text, MAX_INPUT_BYTES);
    out.truncated = truncated;
    let mut b = Builder { out, neg_left: 0 };
    let mut scratch = String::with_capacity(32);
    let bytes = text.as_bytes();
    let mut i = 0usize;
    while i < text.len() && !b.full() {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        let clen = c.len_utf8();
        // URLs.
        if (c == 'h' || c == 'w' || c == 'H' || c == 'W')
            && (starts_with_ci(rest, "http://")
                || starts_with_ci(rest, "https://")
                || starts_with_ci(rest, "www."))
        {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            b.out.urls = b.out.urls.saturating_add(1);
            b.push("<url>", SPECIAL);
            b.boundary();
            i += end;
            continue;
        }
        // Emoticons.
        if matches!(c, ':' | ';' | '=' | '<' | 'x' | 'X')
            && (i == 0 || bytes[i - 1].is_ascii_whitespace())
            && let Some(e) = EMOTICONS.iter().find(|e| rest.starts_with(**e))
            && rest[e.len()..]
                .chars()
                .next()
                .is_none_or(|a| !a.is_alphanumeric())
        {
            b.push(e, EMOJI);
            i += e.len();
            continue;
        }
        if c == '@' || c == '#' {
            let tail = &rest[1..];
            let end = tail
                .find(|ch: char| !is_word_char(ch))
                .unwrap_or(tail.len());
            if end > 0 {
                let name = &tail[..end];
                if c == '@' {
                    b.out.mentions = b.out.mentions.saturating_add(1);
                    b.push("<user>", SPECIAL);
                    scratch.clear();
                    scratch.push('@');
                    scratch.extend(name.chars().flat_map(char::to_lowercase));
                    let h = std::mem::take(&mut scratch);
                    b.push(&h, SPECIAL);
                    scratch = h;
                } else {
                    scratch.clear();
                    scratch.push('#');
                    scratch.extend(name.chars().flat_map(char::to_lowercase).map(fold));
                    let h = std::mem::take(&mut scratch);
                    b.push(&h, SPECIAL | HASHTAG);
                    scratch = h;
                    let mut word_scratch = String::new();
                    for part in split_hashtag(name) {
                        b.word(part, HASHTAG, &mut word_scratch);
                    }
                }
                i += 1 + end;
                continue;
            }
        }
        if is_word_char(c) {
            // Word: letters, digits, underscore, inner apostrophes.
            let mut end = 0;
            let mut prev_apos = false;
            for (k, ch) in rest.char_indices() {
                if is_word_char(ch) {
                    if ch.is_alphabetic() {
                        b.out.letters += 1;
                        count_mark(ch, &mut b.out.marks);
                    }
                    end = k + ch.len_utf8();
                    prev_apos = false;
                } else if (ch == '\'' || ch == '’' || ch == '·') && !prev_apos && k > 0 {
                    if ch == '·' {
                        count_mark(ch, &mut b.out.marks);
                    }
                    prev_apos = true;
                } else {
                    break;
                }
            }
            let word = &rest[..end];
            if word.contains('·') {
                let w: String = word.chars().filter(|&ch| ch != '·').collect();
                b.word(&w, 0, &mut scratch);
            } else {
                b.word(word, 0, &mut scratch);
            }
            i += end.max(clen);
            continue;
        }
        if is_emoji_modifier(c) {
            i += clen;
            continue;
        }
        if is_emoji(c) {
            let mut tok = [0u8; 4];
            b.push(c.encode_utf8(&mut tok), EMOJI);
            i += clen;
            continue;
        }
        match c {
            '?' | '!' | '¿' | '¡' => {
                let mut n = 0;
                let mut end = 0;
                for (k, ch) in rest.char_indices() {
                    if ch == c {
                        n += 1;
                        end = k + ch.len_utf8();
                    } else {
                        break;
                    }
                }
                if c == '?' {
                    b.out.questions = b.out.questions.saturating_add(n);
                } else if c == '!' {
                    b.out.exclamations = b.out.exclamations.saturating_add(n);
                } else {
                    count_mark(c, &mut b.out.marks);
                }
                let mut tok = [0u8; 4];
                b.push(c.encode_utf8(&mut tok), SPECIAL);
                if c == '?' || c == '!' {
                    b.boundary();
                }
                i += end;
                continue;
            }
            '.' | ',' | ';' | ':' | '(' | ')' | '"' | '“' | '”' | '\n' | '-' | '–' | '—' | '…'
            | '|' => b.boundary(),
            _ => {}
        }
        i += clen;
    }
    if i < text.len() {
        b.out.truncated = true;
    }
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Splits a hashtag body into words at camelCase, underscores and letter/digit changes.
pub fn split_hashtag(name: &str) -> impl Iterator<Item = &str> + '_ {
    let mut parts = Vec::new();
    let mut start = 0usize;
    let mut prev: Option<char> = None;
    for (k, c) in name.char_indices() {
        if c == '_' {
            if k > start {
                parts.push(&name[start..k]);
            }
            start = k + 1;
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            let split = (p.is_lowercase() && c.is_uppercase())
                || (p.is_alphabetic() && c.is_numeric())
                || (p.is_numeric() && c.is_alphabetic());
            if split && k > start {
                parts.push(&name[start..k]);
                start = k;
            }
        }
        prev = Some(c);
    }
    if start < name.len() {
        parts.push(&name[start..]);
    }
    parts.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(String, u8)> {
        let n = normalize(s);
        n.iter().map(|(t, f)| (t.to_string(), f)).collect()
    }

    fn words(s: &str) -> Vec<String> {
        toks(s).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn negation_scope_marks_following_words_until_boundary() {
        let t = toks("No me gusta nada, pero bien");
        let flags: Vec<(&str, bool)> = t.iter().map(|(w, f)| (w.as_str(), f & NEG != 0)).collect();
        assert_eq!(
            flags,
            vec![
                ("no", false),
                ("me", true),
                ("gusta", true),
                ("nada", false),
                ("pero", false),
                ("bien", false)
            ]
        );
        let t = toks("I don't like it at all");
        assert!(t[1].1 & NEGATOR != 0);
        assert!(t[2].1 & NEG != 0 && t[3].1 & NEG != 0 && t[4].1 & NEG != 0);
        assert!(t[5].1 & NEG == 0);
        let t = toks("never again. great");
        assert!(t[1].1 & NEG != 0 && t[2].1 & NEG == 0);
    }

    #[test]
    fn emoji_and_emoticons_are_tokens() {
        let t = toks("me encanta 😍😍 :) ❤️");
        assert_eq!(t[2].0, "😍");
        assert!(t[2].1 & EMOJI != 0);
        assert_eq!(t[4].0, ":)");
        assert_eq!(t[5].0, "❤");
        assert_eq!(t.len(), 6);
        // Skin-tone and ZWJ sequences do not produce junk tokens.
        assert_eq!(words("👍🏽"), vec!["👍"]);
    }

    #[test]
    fn hashtags_are_split_on_camel_case() {
        assert_eq!(
            words("#MalServicio"),
            vec!["#malservicio", "mal", "servicio"]
        );
        assert_eq!(
            words("#no_funciona2024"),
            vec!["#no_funciona2024", "no", "funciona", "2024"]
        );
        let t = toks("#MalServicio");
        assert!(t[1].1 & HASHTAG != 0);
    }

    #[test]
    fn elongations_collapse_and_are_flagged() {
        let t = toks("graciaaaas buenooo sooooo cool llamar");
        assert_eq!(t[0].0, "gracias");
        assert!(t[0].1 & ELONG != 0);
        assert_eq!(t[1].0, "bueno");
        assert_eq!(t[2].0, "so");
        assert_eq!(t[3].0, "cool");
        assert!(t[3].1 & ELONG == 0);
        assert_eq!(t[4].0, "llamar");
        assert_eq!(
            words("jajajajaja HAHAHA lol"),
            vec!["<laugh>", "<laugh>", "<laugh>"]
        );
    }

    #[test]
    fn spanish_accents_fold_but_enye_stays() {
        assert_eq!(
            words("Canción CAMIÓN pingüino año España"),
            vec!["cancion", "camion", "pinguino", "año", "españa"]
        );
        let n = normalize("¿Qué tal? Mañana");
        assert_eq!(n.marks[mark::ENYE], 1);
        assert_eq!(n.marks[mark::INVERTED], 1);
        assert_eq!(n.questions, 1);
        assert!(toks("ÑANDÚ")[0].1 & UPPER != 0);
    }

    #[test]
    fn urls_and_mentions_are_placeholders() {
        let n = normalize("@Iberia mira https://t.co/abc?x=1 y www.x.com");
        let w: Vec<&str> = n.iter().map(|(t, _)| t).collect();
        assert_eq!(w, vec!["<user>", "@iberia", "mira", "<url>", "y", "<url>"]);
        assert_eq!(n.urls, 2);
        assert_eq!(n.mentions, 1);
    }

    #[test]
    fn empty_huge_and_binary_text_are_safe() {
        assert!(normalize("").tokens.is_empty());
        assert!(normalize("   \n\t ").tokens.is_empty());
        let huge = "palabra ".repeat(100_000);
        let n = normalize(&huge);
        assert!(n.truncated);
        assert!(n.tokens.len() <= MAX_TOKENS);
        assert!(n.buf.len() <= MAX_INPUT_BYTES * 2);
        let binary: String = (0u8..=255)
            .map(|b| b as char)
            .collect::<String>()
            .repeat(50);
        let n = normalize(&binary);
        assert!(n.tokens.len() <= MAX_TOKENS);
        let long_word = "a".repeat(10_000);
        let n = normalize(&long_word);
        assert!(n.buf.len() <= MAX_TOKEN_BYTES);
    }

    #[test]
    fn english_contractions() {
        assert_eq!(words("It isn't OK"), vec!["it", "isnt", "ok"]);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_output_is_bounded(s in "\\PC{0,600}") {
            let n = normalize(&s);
            proptest::prop_assert!(n.tokens.len() <= MAX_TOKENS);
            proptest::prop_assert!(n.buf.len() <= 4 * MAX_INPUT_BYTES);
            for t in &n.tokens {
                proptest::prop_assert!(!n.text(t).is_empty());
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(v in proptest::collection::vec(proptest::num::u8::ANY, 0..5000)) {
            let s = String::from_utf8_lossy(&v);
            let n = normalize(&s);
            proptest::prop_assert!(n.tokens.len() <= MAX_TOKENS);
        }
    }
}
