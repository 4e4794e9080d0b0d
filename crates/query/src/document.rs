//! A post tokenised once, ready to be matched against many queries.

use crate::text::{self, TokenKind};
use tertulia_model::Post;

/// The most text (title plus body) tokenised per post, in bytes; the rest is ignored.
pub const MAX_DOC_BYTES: usize = 1 << 20;

/// Position offset of the body's tokens, so that no phrase or proximity spans title and body.
pub(crate) const TEXT_BASE: u32 = 1 << 21;

/// One token of a document; the strings live in the document's arena.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DocToken {
    pub lower: (u32, u32),
    pub folded: (u32, u32),
    pub kind: TokenKind,
    /// Word position (title from 0, body from [`TEXT_BASE`]).
    pub pos: u32,
}

impl DocToken {
    pub fn in_title(&self) -> bool {
        self.pos < TEXT_BASE
    }
}

/// A post's searchable form: its title and text tokenised and normalised (see [`crate::text`]),
/// indexed by folded form, plus the author's handle and name normalised.
///
/// Build it once per post and match it against every query with
/// [`crate::Query::matches_document`] (brand tagging at ingest runs all brand queries on each
/// post). It borrows the post for the other fields.
#[derive(Debug, Clone)]
pub struct Document<'p> {
    pub(crate) post: &'p Post,
    arena: String,
    pub(crate) tokens: Vec<DocToken>,
    /// `(hash of folded form, token index)`, sorted.
    by_hash: Vec<(u64, u32)>,
    /// Lower and folded forms of the handle (without `@`) and of the display name.
    pub(crate) author: [(u32, u32); 4],
}

fn cut(s: &str, max: usize) -> &str {
    &s[..s.floor_char_boundary(max)]
}

impl<'p> Document<'p> {
    /// Tokenises a post's title and text (at most [`MAX_DOC_BYTES`] in all).
    pub fn new(post: &'p Post) -> Self {
        let title = cut(post.title.as_deref().unwrap_or(""), MAX_DOC_BYTES);
        let body = cut(&post.text, MAX_DOC_BYTES - title.len());
        let mut doc = Document {
            post,
            arena: String::with_capacity((title.len() + body.len()) * 2 + 64),
            tokens: Vec::with_capacity((title.len() + body.len()) / 4 + 1),
            by_hash: Vec::new(),
            author: [(0, 0); 4],
        };
        doc.add(title, 0);
        doc.add(body, TEXT_BASE);
        let handle = cut(post.author.handle.as_deref().unwrap_or(""), 1024);
        let handle = handle.trim_start_matches('@');
        let name = cut(post.author.name.as_deref().unwrap_or(""), 1024);
        doc.author = [
            doc.push(|s| text::push_lower(s, handle, TokenKind::Word)),
            doc.push(|s| text::push_folded(s, handle, TokenKind::Word)),
            doc.push(|s| text::push_lower(s, name, TokenKind::Word)),
            doc.push(|s| text::push_folded(s, name, TokenKind::Word)),
        ];
        doc.by_hash = doc
            .tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (text::hash(doc.str(t.folded)), i as u32))
            .collect();
        doc.by_hash.sort_unstable();
        doc
    }

    fn push(&mut self, f: impl FnOnce(&mut String)) -> (u32, u32) {
        let start = self.arena.len();
        f(&mut self.arena);
        (start as u32, self.arena.len() as u32)
    }

    fn add(&mut self, s: &str, base: u32) {
        let mut pos = base;
        text::for_each_token(s, |t| {
            let lower = self.push(|a| text::push_lower(a, t.text, t.kind));
            let folded = if t.text.is_ascii() || t.kind == TokenKind::Emoji {
                lower
            } else {
                self.push(|a| text::push_folded(a, t.text, t.kind))
            };
            self.tokens.push(DocToken {
                lower,
                folded,
                kind: t.kind,
                pos,
            });
            pos += 1;
        });
    }

    /// A string of the arena.
    pub(crate) fn str(&self, (a, b): (u32, u32)) -> &str {
        self.arena.get(a as usize..b as usize).unwrap_or("")
    }

    /// Indices of the tokens whose folded form has this hash.
    pub(crate) fn with_hash(&self, h: u64) -> impl Iterator<Item = u32> + '_ {
        let start = self.by_hash.partition_point(|(x, _)| *x < h);
        self.by_hash[start..]
            .iter()
            .take_while(move |(x, _)| *x == h)
            .map(|(_, i)| *i)
    }

    /// The post this document was built from.
    pub fn post(&self) -> &'p Post {
        self.post
    }

    /// Number of tokens in the title and text.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the title and text have no token at all.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The tokens in their lower form (lowercase, accents kept), in order, with their kind.
    pub fn tokens(&self) -> impl Iterator<Item = (&str, TokenKind)> + '_ {
        self.tokens.iter().map(|t| (self.str(t.lower), t.kind))
    }

    /// The language used by `language:`: the enriched language unless missing or `und`, else
    /// the source's.
    pub fn language(&self) -> Option<&'p str> {
        let enriched = self
            .post
            .enrichment
            .as_ref()
            .map(|e| e.lang.as_str())
            .filter(|l| !l.is_empty() && *l != "und");
        enriched.or(self.post.lang.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tertulia_model::{Network, PostKind};

    #[test]
    fn tokens_of_title_and_text() {
        let mut p = Post::new(Network::Reddit, "t3_1", PostKind::Post);
        p.title = Some("Niño".into());
        p.text = "¡Qué #Desastre, @Iberia! 👍🏽".into();
        let d = Document::new(&p);
        let toks: Vec<_> = d.tokens().map(|(s, k)| (s.to_string(), k)).collect();
        assert_eq!(
            toks,
            vec![
                ("niño".to_string(), TokenKind::Word),
                ("qué".to_string(), TokenKind::Word),
                ("desastre".to_string(), TokenKind::Hashtag),
                ("iberia".to_string(), TokenKind::Mention),
                ("👍".to_string(), TokenKind::Emoji),
            ]
        );
        assert!(d.tokens[0].in_title());
        assert!(!d.tokens[1].in_title());
        assert_eq!(d.with_hash(text::hash("nino")).collect::<Vec<_>>(), vec![0]);
    }
}
