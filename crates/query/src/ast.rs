//! The abstract syntax tree of a query, and its pretty-printer.
//!
//! The AST is what [`crate::parse`] returns and what a store backend translates (to SQLite FTS5,
//! tantivy, PostgreSQL…). Printing a node with `Display` gives a canonical query that parses back
//! to the same tree.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use std::fmt;
use tertulia_model::{Emotion, Intent, Network, Sentiment};

/// One node of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A single term: a word, a wildcard pattern (`complain*`, `wom?n`), a hashtag (`#MalServicio`),
    /// a mention (`@iberia`) or an emoji.
    Term(Term),
    /// An exact phrase: the words in this order, next to each other (`"mal servicio"`).
    Phrase(Phrase),
    /// Every word of the phrase within a window, in any order (`"vuelo retrasado"~3`).
    Proximity {
        /// The words.
        phrase: Phrase,
        /// How many other words may sit among them.
        distance: u32,
    },
    /// `left NEAR/N right` (or `NEAR/Nf`, ordered: left before right).
    Near {
        /// Left operand: a term, phrase, proximity, near or an OR of those.
        left: Box<Node>,
        /// Right operand: same kinds as `left`.
        right: Box<Node>,
        /// How many other words may sit between the operands.
        distance: u32,
        /// Whether `left` must come before `right`.
        ordered: bool,
    },
    /// A filter on a field of the post other than its text.
    Filter(Filter),
    /// The sub-query matched against one part of the text only (`title:` or `text:`).
    Scoped(Scope, Box<Node>),
    /// All children match (`AND`, or juxtaposition). Always at least two children.
    And(Vec<Node>),
    /// At least one child matches. Always at least two children.
    Or(Vec<Node>),
    /// The child does not match (`NOT x`, `-x`).
    Not(Box<Node>),
}

/// A query term as written (without quotes).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Term {
    /// The term exactly as written in the query, e.g. `niño`, `complain*`, `#MalServicio`,
    /// `@iberia`, `😡`.
    pub text: String,
}

impl Term {
    /// A term from its text.
    pub fn new(text: impl Into<String>) -> Self {
        Term { text: text.into() }
    }

    /// Whether the term has a `*` or `?` wildcard.
    pub fn is_wildcard(&self) -> bool {
        self.text.contains(['*', '?'])
    }

    /// Whether the term is a hashtag (`#…`).
    pub fn is_hashtag(&self) -> bool {
        self.text.starts_with('#')
    }

    /// Whether the term is a mention (`@…`).
    pub fn is_mention(&self) -> bool {
        self.text.starts_with('@')
    }

    /// Whether the term is written with accents, so that it is matched exactly on them.
    pub fn has_accents(&self) -> bool {
        crate::text::has_accents(&self.text)
    }
}

/// The inside of a quoted phrase, as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phrase {
    /// The text between the quotes.
    pub text: String,
}

impl Phrase {
    /// A phrase from its text.
    pub fn new(text: impl Into<String>) -> Self {
        Phrase { text: text.into() }
    }

    /// The whitespace-separated words of the phrase.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.text.split_whitespace()
    }
}

/// Which part of a post's text a scoped sub-query searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The title only (`title:`).
    Title,
    /// The body text only (`text:`).
    Text,
}

/// `engagementType:` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EngagementType {
    /// `REPLY`: a reply in a threaded conversation (post kind `reply`).
    Reply,
    /// `RESHARE`: a retweet, reblog or repost (post kind `reshare`).
    Reshare,
    /// `QUOTE`: a reshare with comment (post kind `quote`).
    Quote,
    /// `COMMENT`: a comment under a post (post kind `comment`).
    Comment,
}

impl EngagementType {
    /// The uppercase name used in queries.
    pub fn as_str(self) -> &'static str {
        match self {
            EngagementType::Reply => "REPLY",
            EngagementType::Reshare => "RESHARE",
            EngagementType::Quote => "QUOTE",
            EngagementType::Comment => "COMMENT",
        }
    }

    /// Parses `REPLY`, `RESHARE`, `QUOTE` or `COMMENT` (any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "REPLY" => Some(EngagementType::Reply),
            "RESHARE" => Some(EngagementType::Reshare),
            "QUOTE" => Some(EngagementType::Quote),
            "COMMENT" => Some(EngagementType::Comment),
            _ => None,
        }
    }
}

/// One end of a `date:` range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateBound {
    /// A whole day (`2015-02-10`), in UTC: as a lower bound its first instant, as an upper
    /// bound its last (the day is included).
    Day(NaiveDate),
    /// An exact instant (RFC 3339), inclusive.
    Instant(DateTime<Utc>),
}

impl fmt::Display for DateBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateBound::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            DateBound::Instant(t) => f.write_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        }
    }
}

/// A filter on a post field. String values are kept as written (an author's leading `@` is
/// removed); comparisons are case-insensitive.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `author:` / `from:` — the author's handle (without `@`) or display name; wildcards allowed.
    Author(String),
    /// `network:` — the network.
    Network(Network),
    /// `language:` / `lang:` — ISO 639-1 code (lowercase), compared with the enriched language,
    /// else the source's.
    Language(String),
    /// `sentiment:` — the enriched sentiment.
    Sentiment(Sentiment),
    /// `intent:` — one of the enriched intents.
    Intent(Intent),
    /// `emotion:` — the enriched emotion.
    Emotion(Emotion),
    /// `country:` — the post's country (ISO 3166-1 alpha-2 when known), case-insensitive.
    Country(String),
    /// `brand:` — one of the brands the post is tagged with.
    Brand(String),
    /// `engagementType:` — the post's kind.
    EngagementType(EngagementType),
    /// `authorFollowers:[min TO max]`, inclusive; `None` is an open end (`*`).
    AuthorFollowers {
        /// Lower bound.
        min: Option<u64>,
        /// Upper bound.
        max: Option<u64>,
    },
    /// `date:[from TO to]`, inclusive; `None` is an open end (`*`).
    Date {
        /// Lower bound.
        from: Option<DateBound>,
        /// Upper bound.
        to: Option<DateBound>,
    },
}

/// Writes a field value, quoted when it would not lex back as one word.
fn write_value(f: &mut fmt::Formatter<'_>, v: &str) -> fmt::Result {
    let plain = !v.is_empty()
        && !v.contains(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '"' | '[' | ']'));
    if plain {
        f.write_str(v)
    } else {
        write!(f, "\"{v}\"")
    }
}

fn write_bound<T: fmt::Display>(f: &mut fmt::Formatter<'_>, b: &Option<T>) -> fmt::Result {
    match b {
        Some(v) => write!(f, "{v}"),
        None => f.write_str("*"),
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Author(a) => {
                f.write_str("author:")?;
                write_value(f, a)
            }
            Filter::Network(n) => write!(f, "network:{n}"),
            Filter::Language(l) => write!(f, "language:{l}"),
            Filter::Sentiment(s) => write!(f, "sentiment:{s}"),
            Filter::Intent(i) => write!(f, "intent:{i}"),
            Filter::Emotion(e) => write!(f, "emotion:{e}"),
            Filter::Country(c) => {
                f.write_str("country:")?;
                write_value(f, c)
            }
            Filter::Brand(b) => {
                f.write_str("brand:")?;
                write_value(f, b)
            }
            Filter::EngagementType(e) => write!(f, "engagementType:{}", e.as_str()),
            Filter::AuthorFollowers { min, max } => {
                f.write_str("authorFollowers:[")?;
                write_bound(f, min)?;
                f.write_str(" TO ")?;
                write_bound(f, max)?;
                f.write_str("]")
            }
            Filter::Date { from, to } => {
                f.write_str("date:[")?;
                write_bound(f, from)?;
                f.write_str(" TO ")?;
                write_bound(f, to)?;
                f.write_str("]")
            }
        }
    }
}

impl Node {
    /// Nesting depth of the tree: 1 for a leaf, 1 + the deepest child otherwise. The parser
    /// rejects trees deeper than [`crate::MAX_DEPTH`].
    pub fn depth(&self) -> usize {
        1 + match self {
            Node::Near { left, right, .. } => left.depth().max(right.depth()),
            Node::Scoped(_, inner) | Node::Not(inner) => inner.depth(),
            Node::And(c) | Node::Or(c) => c.iter().map(Node::depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// Whether the node can be an operand of `NEAR/N`: a term, phrase, proximity, near, or an
    /// OR of those.
    pub fn is_positional(&self) -> bool {
        match self {
            Node::Term(_) | Node::Phrase(_) | Node::Proximity { .. } | Node::Near { .. } => true,
            Node::Or(children) => children.iter().all(Node::is_positional),
            _ => false,
        }
    }

    /// Whether the node can match on its own, i.e. it is not purely negative. A query whose root
    /// is not positive (`NOT x`, `-x`, `a OR NOT b`) is rejected by the parser, because it
    /// would match almost every post.
    pub fn is_positive(&self) -> bool {
        match self {
            Node::Not(_) => false,
            Node::And(children) => children.iter().any(Node::is_positive),
            Node::Or(children) => children.iter().all(Node::is_positive),
            Node::Scoped(_, inner) => inner.is_positive(),
            _ => true,
        }
    }

    /// The terms a matching document must contain, for index pre-filtering, as a conjunction
    /// of disjunctions: a post can only match if, for every inner list, it contains at least
    /// one of its terms (wildcard terms are kept as written, e.g. `complain*`; a hashtag or
    /// mention keeps its `#`/`@`; phrases contribute each of their words). Filters, negations
    /// and OR branches without text contribute nothing. An empty result means "no textual
    /// pre-filter possible".
    pub fn required_terms(&self) -> Vec<Vec<String>> {
        match self {
            Node::Term(t) => vec![vec![t.text.clone()]],
            Node::Phrase(p) | Node::Proximity { phrase: p, .. } => {
                p.words().map(|w| vec![w.to_string()]).collect()
            }
            Node::Near { left, right, .. } => {
                let mut v = left.required_terms();
                v.extend(right.required_terms());
                v
            }
            Node::Scoped(_, inner) => inner.required_terms(),
            Node::And(children) => children.iter().flat_map(Node::required_terms).collect(),
            Node::Or(children) => {
                let mut clause = Vec::new();
                for c in children {
                    // One clause per branch (the shortest) keeps the disjunction small.
                    match c.required_terms().into_iter().min_by_key(Vec::len) {
                        Some(best) => clause.extend(best),
                        None => return Vec::new(),
                    }
                }
                clause.sort();
                clause.dedup();
                vec![clause]
            }
            Node::Filter(_) | Node::Not(_) => Vec::new(),
        }
    }

    fn write_operand(&self, f: &mut fmt::Formatter<'_>, bare: bool) -> fmt::Result {
        if bare {
            write!(f, "{self}")
        } else {
            write!(f, "({self})")
        }
    }
}

impl fmt::Display for Node {
    /// Canonical form: explicit `AND`/`OR`/`NOT`, parentheses where an AND or OR sits inside
    /// another operator, `author:` and `language:` instead of their aliases.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Term(t) => f.write_str(&t.text),
            Node::Phrase(p) => write!(f, "\"{}\"", p.text),
            Node::Proximity { phrase, distance } => write!(f, "\"{}\"~{distance}", phrase.text),
            Node::Near {
                left,
                right,
                distance,
                ordered,
            } => {
                left.write_operand(f, !matches!(**left, Node::Or(_)))?;
                write!(f, " NEAR/{distance}{} ", if *ordered { "f" } else { "" })?;
                right.write_operand(
                    f,
                    matches!(
                        **right,
                        Node::Term(_) | Node::Phrase(_) | Node::Proximity { .. }
                    ),
                )
            }
            Node::Filter(filter) => write!(f, "{filter}"),
            Node::Scoped(scope, inner) => {
                f.write_str(match scope {
                    Scope::Title => "title:",
                    Scope::Text => "text:",
                })?;
                // A bare value starting with `[` would read as a range: keep it in parentheses.
                let bare = match &**inner {
                    Node::Term(t) => !t.text.starts_with('['),
                    Node::Phrase(_) | Node::Proximity { .. } => true,
                    _ => false,
                };
                inner.write_operand(f, bare)
            }
            Node::And(children) | Node::Or(children) => {
                let sep = if matches!(self, Node::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                for (i, c) in children.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    c.write_operand(f, !matches!(c, Node::And(_) | Node::Or(_)))?;
                }
                Ok(())
            }
            Node::Not(inner) => {
                f.write_str("NOT ")?;
                inner.write_operand(f, !matches!(**inner, Node::And(_) | Node::Or(_)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Node {
        Node::Term(Term::new(s))
    }

    #[test]
    fn prints_canonical_form() {
        let n = Node::Or(vec![
            Node::And(vec![t("a"), Node::Not(Box::new(t("b")))]),
            Node::Near {
                left: Box::new(Node::Or(vec![t("x"), t("y")])),
                right: Box::new(Node::Phrase(Phrase::new("mal servicio"))),
                distance: 3,
                ordered: true,
            },
            Node::Filter(Filter::AuthorFollowers {
                min: Some(10),
                max: None,
            }),
        ]);
        assert_eq!(
            n.to_string(),
            "(a AND NOT b) OR (x OR y) NEAR/3f \"mal servicio\" OR authorFollowers:[10 TO *]"
        );
    }

    #[test]
    fn required_terms_are_cnf() {
        let n = Node::And(vec![
            Node::Or(vec![t("iberia"), Node::Phrase(Phrase::new("air europa"))]),
            t("vuelo"),
            Node::Not(Box::new(t("oferta"))),
        ]);
        assert_eq!(
            n.required_terms(),
            vec![
                vec!["air".to_string(), "iberia".to_string()],
                vec!["vuelo".to_string()]
            ]
        );
        let with_filter = Node::Or(vec![t("a"), Node::Filter(Filter::Brand("x".into()))]);
        assert!(with_filter.required_terms().is_empty());
    }

    #[test]
    fn positivity() {
        assert!(!Node::Not(Box::new(t("a"))).is_positive());
        assert!(Node::And(vec![t("a"), Node::Not(Box::new(t("b")))]).is_positive());
        assert!(!Node::Or(vec![t("a"), Node::Not(Box::new(t("b")))]).is_positive());
    }
}
