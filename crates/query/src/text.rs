//! Text normalisation and tokenisation shared by queries and documents.
//!
//! Both sides go through the same functions, so that what a query term means and what a post
//! contains are compared in the same form:
//!
//! * **lower**: lowercase, Unicode NFC — used when the query term is written with accents;
//! * **folded**: lowercase with the combining diacritics (U+0300–U+036F) removed after NFD, plus a
//!   few letters that do not decompose (`ø`, `ł`, `đ`) — used when the query term has none.
//!
//! Emoji are normalised by dropping variation selectors and skin-tone modifiers, so `👍` finds
//! `👍🏽` and `❤` finds `❤️`.

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// What a token is, as written in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// An ordinary word or number.
    Word,
    /// A word written right after `#` (the `#` is not part of the token text).
    Hashtag,
    /// A word written right after `@` (the `@` is not part of the token text).
    Mention,
    /// An emoji (one grapheme-like word segment of pictographs).
    Emoji,
}

/// One token of a text, with its byte range in the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawToken<'a> {
    /// The token as written, without a `#` or `@` prefix.
    pub text: &'a str,
    /// What kind of token it is.
    pub kind: TokenKind,
}

/// Whether a character is a pictograph that Tertulia treats as an emoji token.
pub fn is_emoji_char(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF
        | 0x2600..=0x27BF
        | 0x2300..=0x23FF
        | 0x2B00..=0x2BFF
        | 0x3030 | 0x303D | 0x3297 | 0x3299)
}

fn is_word_segment(seg: &str) -> bool {
    seg.chars().any(char::is_alphanumeric)
}

fn is_emoji_segment(seg: &str) -> bool {
    seg.chars().next().is_some_and(is_emoji_char)
}

/// Splits a text into word, hashtag, mention and emoji tokens (Unicode word boundaries, UAX #29).
///
/// Punctuation and spaces are dropped. `#` and `@` make the following word a hashtag or mention
/// only when they are not glued to a preceding word (`a@b.com` has no mention).
pub fn tokenize(text: &str) -> std::vec::IntoIter<RawToken<'_>> {
    let mut v = Vec::new();
    for_each_token(text, |t| v.push(t));
    v.into_iter()
}

/// Calls `f` with each token of `text`, as [`tokenize`] returns them, without allocating.
///
/// The text is cut at runs of ASCII whitespace followed by an ASCII character (always word
/// boundaries that reset the `#`/`@` state, and never followed by a combining mark that UAX #29
/// would attach to the space); ASCII chunks take a fast path that implements the UAX #29 rules
/// for ASCII, the others go through `unicode-segmentation`.
pub fn for_each_token<'a>(text: &'a str, mut f: impl FnMut(RawToken<'a>)) {
    let b = text.as_bytes();
    let is_space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        if is_space(b[i]) {
            let mut j = i + 1;
            while j < b.len() && is_space(b[j]) {
                j += 1;
            }
            if j == b.len() || b[j].is_ascii() {
                chunk_tokens(&text[start..i], &mut f);
                start = j;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    chunk_tokens(&text[start..], &mut f);
}

fn chunk_tokens<'a>(chunk: &'a str, f: &mut impl FnMut(RawToken<'a>)) {
    if chunk.is_ascii() {
        ascii_tokens(chunk, f);
    } else {
        unicode_tokens(chunk, f);
    }
}

fn unicode_tokens<'a>(text: &'a str, mut f: impl FnMut(RawToken<'a>)) {
    let mut pending: Option<TokenKind> = None;
    let mut prev_word = false;
    for seg in text.split_word_bounds() {
        let word = is_word_segment(seg);
        if word {
            f(RawToken {
                text: seg,
                kind: pending.take().unwrap_or(TokenKind::Word),
            });
        } else if is_emoji_segment(seg) {
            pending = None;
            f(RawToken {
                text: seg,
                kind: TokenKind::Emoji,
            });
        } else {
            pending = match seg {
                "#" | "＃" if !prev_word => Some(TokenKind::Hashtag),
                "@" | "＠" if !prev_word => Some(TokenKind::Mention),
                _ => None,
            };
        }
        prev_word = word;
    }
}

fn ascii_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// UAX #29 word segmentation restricted to ASCII: letters, digits and `_` always join (WB5,
/// WB8–WB10, WB13a/b); `:` `.` `'` join two letters (WB6/7); `.` `'` `,` `;` join two digits
/// (WB11/12); everything else breaks.
fn ascii_tokens<'a>(text: &'a str, mut f: impl FnMut(RawToken<'a>)) {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        if !ascii_word_char(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < n {
            let c = b[i];
            if ascii_word_char(c) {
                i += 1;
                continue;
            }
            let (prev, next) = (b[i - 1], b.get(i + 1).copied().unwrap_or(0));
            let joins_letters = matches!(c, b':' | b'.' | b'\'')
                && prev.is_ascii_alphabetic()
                && next.is_ascii_alphabetic();
            let joins_digits = matches!(c, b'.' | b'\'' | b',' | b';')
                && prev.is_ascii_digit()
                && next.is_ascii_digit();
            if joins_letters || joins_digits {
                i += 2;
            } else {
                break;
            }
        }
        let seg = &text[start..i];
        if !seg.bytes().any(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let kind = match start.checked_sub(1).map(|p| b[p]) {
            Some(p @ (b'#' | b'@')) => {
                // The segment before the sign is a word if it holds a letter or digit; only
                // letters, digits and `_` can end such a segment right before `#`/`@`.
                let mut k = start - 1;
                while k > 0 && b[k - 1] == b'_' {
                    k -= 1;
                }
                let glued = k > 0 && b[k - 1].is_ascii_alphanumeric();
                match (glued, p) {
                    (true, _) => TokenKind::Word,
                    (false, b'#') => TokenKind::Hashtag,
                    (false, _) => TokenKind::Mention,
                }
            }
            _ => TokenKind::Word,
        };
        f(RawToken { text: seg, kind });
    }
}

fn is_variation_or_modifier(c: char) -> bool {
    matches!(c as u32, 0xFE0E | 0xFE0F | 0x1F3FB..=0x1F3FF)
}

/// Appends the **lower** form of a token to `out`.
pub fn push_lower(out: &mut String, token: &str, kind: TokenKind) {
    if kind == TokenKind::Emoji {
        let start = out.len();
        out.extend(token.chars().filter(|c| !is_variation_or_modifier(*c)));
        if out.len() == start {
            out.push_str(token);
        }
    } else if token.is_ascii() {
        out.extend(token.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.extend(token.chars().flat_map(char::to_lowercase).nfc());
    }
}

/// Appends the **folded** form (lowercase, without diacritics) of a token to `out`.
pub fn push_folded(out: &mut String, token: &str, kind: TokenKind) {
    if kind == TokenKind::Emoji || token.is_ascii() {
        push_lower(out, token, kind);
    } else {
        out.extend(
            token
                .chars()
                .flat_map(char::to_lowercase)
                .nfd()
                .filter(|c| !matches!(*c as u32, 0x0300..=0x036F))
                .map(|c| match c {
                    'ø' => 'o',
                    'ł' => 'l',
                    'đ' => 'd',
                    'ı' => 'i',
                    other => other,
                }),
        );
    }
}

/// The lower form of a token, as a new string.
pub fn lower(token: &str, kind: TokenKind) -> String {
    let mut s = String::with_capacity(token.len());
    push_lower(&mut s, token, kind);
    s
}

/// The folded form of a token, as a new string.
pub fn folded(token: &str, kind: TokenKind) -> String {
    let mut s = String::with_capacity(token.len());
    push_folded(&mut s, token, kind);
    s
}

/// Whether a query word is written with accents (its folded and lower forms differ): such a term
/// is matched exactly on accents; otherwise it is matched accent-insensitively.
pub fn has_accents(token: &str) -> bool {
    !token.is_ascii() && folded(token, TokenKind::Word) != lower(token, TokenKind::Word)
}

/// The hash used to look tokens up by their folded form.
pub fn hash(folded: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(folded.as_bytes())
}

/// Matches `text` against a glob `pattern` where `*` is any run of characters (possibly empty)
/// and `?` exactly one character. Both are compared as characters.
pub fn glob_match(pattern: &[char], text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < t.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, i));
                p += 1;
            }
            Some(&c) if c == '?' || c == t[i] => {
                p += 1;
                i += 1;
            }
            _ => match star {
                Some((sp, si)) => {
                    p = sp + 1;
                    i = si + 1;
                    star = Some((sp, si + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(String, TokenKind)> {
        tokenize(s).map(|t| (t.text.to_string(), t.kind)).collect()
    }

    #[test]
    fn tokenizes_words_hashtags_mentions_and_emoji() {
        use TokenKind::*;
        assert_eq!(
            toks("¡Hola @Iberia! #MalServicio 😡😡 niño, e-mail a@b.com"),
            vec![
                ("Hola".into(), Word),
                ("Iberia".into(), Mention),
                ("MalServicio".into(), Hashtag),
                ("😡".into(), Emoji),
                ("😡".into(), Emoji),
                ("niño".into(), Word),
                ("e".into(), Word),
                ("mail".into(), Word),
                ("a".into(), Word),
                ("b.com".into(), Word),
            ]
        );
    }

    #[test]
    fn ascii_fast_path_agrees_with_uax29() {
        let cases = [
            "a@b.com don't 3.5 1,000 a:b a.1 1.a __ _a a_ a_#x __#x a._#x ##b #1 @x@y.z",
            "e-mail http://x.com/a_b?c=1 rock&roll 'quoted' \"dq\" x.y.z. 1;2 a;b 12:30",
        ];
        for c in cases {
            let mut fast = Vec::new();
            ascii_tokens(c, |t| fast.push(t));
            let mut slow = Vec::new();
            unicode_tokens(c, |t| slow.push(t));
            assert_eq!(fast, slow, "{c}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        #[test]
        fn ascii_fast_path_agrees_with_uax29_on_any_ascii(s in "[ab1_#@.:',; \"\\-]{0,24}") {
            let mut fast = Vec::new();
            ascii_tokens(&s, |t| fast.push(t));
            let mut slow = Vec::new();
            unicode_tokens(&s, |t| slow.push(t));
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        #[test]
        fn chunked_tokenizer_agrees_with_uax29(
            s in "([ab1_#@.:',; \t\n\r-]|ñ|é|\u{301}|\u{200d}|\u{a0}|😡|👍🏽|\u{fe0f}|ा|日本|＃|Ω){0,24}"
        ) {
            let mut fast = Vec::new();
            for_each_token(&s, |t| fast.push(t));
            let mut slow = Vec::new();
            unicode_tokens(&s, |t| slow.push(t));
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(folded("Niño", TokenKind::Word), "nino");
        assert_eq!(lower("NIÑO", TokenKind::Word), "niño");
        // decomposed input gives the same lower form as composed input
        assert_eq!(lower("nin\u{303}o", TokenKind::Word), "niño");
        assert!(has_accents("niño"));
        assert!(has_accents("Camión"));
        assert!(!has_accents("camion"));
        assert!(!has_accents("東京"));
        assert_eq!(lower("👍🏽", TokenKind::Emoji), "👍");
        assert_eq!(lower("❤️", TokenKind::Emoji), "❤");
    }

    #[test]
    fn globs() {
        let g = |p: &str, t: &str| glob_match(&p.chars().collect::<Vec<_>>(), t);
        assert!(g("complain*", "complaint"));
        assert!(g("complain*", "complain"));
        assert!(!g("complain*", "complai"));
        assert!(g("wom?n", "women"));
        assert!(g("wom?n", "woman"));
        assert!(!g("wom?n", "womn"));
        assert!(g("c*t*s", "cats"));
        assert!(g("ni?o", "niño"));
        assert!(!g("a*b", "acbd"));
    }
}
