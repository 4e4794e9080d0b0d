//! Translation of a query's AST into a tantivy query.
//!
//! Every translation is a **superset** of what the query crate's matcher accepts, flagged
//! `exact` when it is also a subset. Terms, phrases (whose words are all accented or all
//! unaccented), wildcards, boolean operators and filters translate exactly. Proximity
//! (`"a b"~N`), `NEAR/N`, phrases mixing accented and unaccented words or holding wildcards
//! translate to a looser conjunction; a `NOT` over such a construct translates to "anything".
//! When the translation is not exact, the caller verifies every candidate with the matcher.

use crate::safe::Safe;
use crate::schema::{Fields, names, to_date};
use chrono::{DateTime, Utc};
use std::ops::Bound;
use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, ExistsQuery, Occur, PhraseQuery, Query,
    RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tertulia_model::PostKind;
use tertulia_query::text::{self, TokenKind};
use tertulia_query::{DateBound, EngagementType, Filter, Node, Scope};

/// A translated (sub)query.
pub(crate) struct Plan {
    /// The tantivy query: a superset of the matches.
    pub query: Box<dyn Query>,
    /// Whether the query is exactly the set of matches.
    pub exact: bool,
}

impl Plan {
    fn exact(query: Box<dyn Query>) -> Plan {
        Plan { query, exact: true }
    }

    fn loose(query: Box<dyn Query>) -> Plan {
        Plan {
            query,
            exact: false,
        }
    }

    fn never() -> Plan {
        Plan::exact(Box::new(EmptyQuery))
    }
}

/// Which text fields a positional node searches (`title:` / `text:` scopes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Region {
    All,
    Title,
    Text,
}

/// One word of a query, in index form.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// A literal token: `text` is its form in the field chosen by `exact` (with a `#`/`@`
    /// prefix for hashtags and mentions); `folded` its folded form, always.
    Word {
        exact: bool,
        text: String,
        folded: String,
    },
    /// A wildcard: a regular expression over the field chosen by `exact`.
    Glob { exact: bool, regex: String },
    /// Something no token can be (a wildcard with a literal `#` or `@` inside).
    Never,
}

fn sign(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Hashtag => "#",
        TokenKind::Mention => "@",
        _ => "",
    }
}

/// Escapes one character for tantivy's regular expressions.
fn escape(c: char, out: &mut String) {
    if c.is_alphanumeric() {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

/// A glob over index tokens: `*` and `?` never cross a `#`/`@` (plain tokens hold neither, and
/// this keeps a plain pattern off the signed twins).
fn token_glob(prefix: &str, pattern: &str) -> Piece {
    let mut re = String::new();
    for c in prefix.chars() {
        escape(c, &mut re);
    }
    for c in pattern.chars() {
        match c {
            '*' => re.push_str("[^#@]*"),
            '?' => re.push_str("[^#@]"),
            '#' | '@' => return Piece::Never,
            c => escape(c, &mut re),
        }
    }
    Piece::Glob {
        exact: false,
        regex: re,
    }
}

/// A glob over a whole value (author handle or name).
fn value_glob(pattern: &str) -> String {
    let mut re = String::new();
    for c in pattern.chars() {
        match c {
            '*' => re.push_str("(?s:.*)"),
            '?' => re.push_str("(?s:.)"),
            c => escape(c, &mut re),
        }
    }
    re
}

/// The pieces of one whitespace-free word, as the matcher compiles it (`TermM::from_word`).
fn pieces_of_word(word: &str, out: &mut Vec<Piece>) {
    if word.contains(['*', '?']) {
        let (prefix, body) = if let Some(b) = word.strip_prefix('#') {
            ("#", b)
        } else if let Some(b) = word.strip_prefix('@') {
            ("@", b)
        } else {
            ("", word)
        };
        let exact = text::has_accents(body);
        let pattern = if exact {
            text::lower(body, TokenKind::Word)
        } else {
            text::folded(body, TokenKind::Word)
        };
        out.push(match token_glob(prefix, &pattern) {
            Piece::Glob { regex, .. } => Piece::Glob { exact, regex },
            other => other,
        });
    } else {
        for t in text::tokenize(word) {
            let exact = t.kind != TokenKind::Emoji && text::has_accents(t.text);
            let s = sign(t.kind);
            let folded = format!("{s}{}", text::folded(t.text, t.kind));
            let text = if exact {
                format!("{s}{}", text::lower(t.text, t.kind))
            } else {
                folded.clone()
            };
            out.push(Piece::Word {
                exact,
                text,
                folded,
            });
        }
    }
}

fn pieces_of_phrase(phrase: &str) -> Vec<Piece> {
    let mut v = Vec::new();
    for w in phrase.split_whitespace() {
        pieces_of_word(w, &mut v);
    }
    v
}

fn any(mut qs: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    match qs.len() {
        0 => Box::new(EmptyQuery),
        1 => qs.remove(0),
        _ => Box::new(BooleanQuery::new(
            qs.into_iter().map(|q| (Occur::Should, q)).collect(),
        )),
    }
}

fn all(mut qs: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    match qs.len() {
        0 => Box::new(AllQuery),
        1 => qs.remove(0),
        _ => Box::new(BooleanQuery::new(
            qs.into_iter().map(|q| (Occur::Must, q)).collect(),
        )),
    }
}

/// Translates queries for one index.
pub(crate) struct Translator<'a> {
    pub fields: &'a Fields,
}

impl Translator<'_> {
    /// Translates a whole query.
    pub fn plan(&self, node: &Node) -> Plan {
        self.node(node, Region::All)
    }

    fn text_fields(&self, region: Region, exact: bool) -> Vec<Field> {
        let f = self.fields;
        let (title, body) = if exact {
            (f.title_x, f.body_x)
        } else {
            (f.title_f, f.body_f)
        };
        match region {
            Region::All => vec![body, title],
            Region::Title => vec![title],
            Region::Text => vec![body],
        }
    }

    fn term(field: Field, text: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::WithFreqs,
        ))
    }

    fn regex(field: Field, regex: &str) -> Box<dyn Query> {
        match RegexQuery::from_pattern(regex, field) {
            Ok(q) => Box::new(q),
            // Every regular expression is built from escaped literals and two classes; one
            // that tantivy still refuses (automaton too large) matches nothing.
            Err(_) => Box::new(EmptyQuery),
        }
    }

    fn piece(&self, p: &Piece, region: Region) -> Box<dyn Query> {
        match p {
            Piece::Word { exact, text, .. } => any(self
                .text_fields(region, *exact)
                .into_iter()
                .map(|f| Self::term(f, text))
                .collect()),
            Piece::Glob { exact, regex } => any(self
                .text_fields(region, *exact)
                .into_iter()
                .map(|f| Self::regex(f, regex))
                .collect()),
            Piece::Never => Box::new(EmptyQuery),
        }
    }

    /// Consecutive words (a phrase, or a word the tokeniser splits, like `e-mail`).
    fn seq(&self, pieces: &[Piece], region: Region) -> Plan {
        if pieces.is_empty() || pieces.contains(&Piece::Never) {
            return Plan::never();
        }
        if pieces.len() == 1 {
            return Plan::exact(self.piece(&pieces[0], region));
        }
        let words: Option<Vec<(bool, &str, &str)>> = pieces
            .iter()
            .map(|p| match p {
                Piece::Word {
                    exact,
                    text,
                    folded,
                } => Some((*exact, text.as_str(), folded.as_str())),
                _ => None,
            })
            .collect();
        let Some(words) = words else {
            // Wildcards inside a phrase: every piece somewhere, then verify.
            return Plan::loose(all(pieces.iter().map(|p| self.piece(p, region)).collect()));
        };
        let phrase = |exact: bool, pick: &dyn Fn(&(bool, &str, &str)) -> String| {
            any(self
                .text_fields(region, exact)
                .into_iter()
                .map(|f| {
                    let terms = words
                        .iter()
                        .map(|w| Term::from_field_text(f, &pick(w)))
                        .collect();
                    Box::new(Safe(Box::new(PhraseQuery::new(terms)))) as Box<dyn Query>
                })
                .collect())
        };
        let n_exact = words.iter().filter(|w| w.0).count();
        if n_exact == 0 {
            Plan::exact(phrase(false, &|w| w.2.to_string()))
        } else if n_exact == words.len() {
            Plan::exact(phrase(true, &|w| w.1.to_string()))
        } else {
            // Mixed: the folded phrase, and each accented word exactly; then verify.
            let mut qs = vec![phrase(false, &|w| w.2.to_string())];
            qs.extend(
                pieces
                    .iter()
                    .filter(|p| matches!(p, Piece::Word { exact: true, .. }))
                    .map(|p| self.piece(p, region)),
            );
            Plan::loose(all(qs))
        }
    }

    fn node(&self, node: &Node, region: Region) -> Plan {
        match node {
            Node::Term(t) => {
                let mut v = Vec::new();
                pieces_of_word(&t.text, &mut v);
                self.seq(&v, region)
            }
            Node::Phrase(p) => self.seq(&pieces_of_phrase(&p.text), region),
            Node::Proximity { phrase, .. } => {
                let v = pieces_of_phrase(&phrase.text);
                if v.len() <= 1 || v.contains(&Piece::Never) {
                    self.seq(&v, region)
                } else {
                    Plan::loose(all(v.iter().map(|p| self.piece(p, region)).collect()))
                }
            }
            Node::Near { left, right, .. } => {
                let l = self.node(left, region);
                let r = self.node(right, region);
                Plan::loose(all(vec![l.query, r.query]))
            }
            Node::Filter(f) => Plan::exact(Box::new(ConstScoreQuery::new(self.filter(f), 0.0))),
            Node::Scoped(scope, inner) => self.node(
                inner,
                match scope {
                    Scope::Title => Region::Title,
                    Scope::Text => Region::Text,
                },
            ),
            Node::And(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                let mut exact = true;
                let mut positive = false;
                for c in children {
                    if let Node::Not(inner) = c {
                        let p = self.node(inner, region);
                        if p.exact {
                            clauses.push((Occur::MustNot, Box::new(Safe(p.query))));
                        } else {
                            exact = false;
                        }
                    } else {
                        let p = self.node(c, region);
                        exact &= p.exact;
                        positive = true;
                        clauses.push((Occur::Must, p.query));
                    }
                }
                if !positive {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Plan {
                    query: Box::new(BooleanQuery::new(clauses)),
                    exact,
                }
            }
            Node::Or(children) => {
                let plans: Vec<Plan> = children.iter().map(|c| self.node(c, region)).collect();
                let exact = plans.iter().all(|p| p.exact);
                Plan {
                    query: any(plans.into_iter().map(|p| p.query).collect()),
                    exact,
                }
            }
            Node::Not(inner) => {
                let p = self.node(inner, region);
                if p.exact {
                    Plan::exact(Box::new(BooleanQuery::new(vec![
                        (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                        (Occur::MustNot, Box::new(Safe(p.query))),
                    ])))
                } else {
                    Plan::loose(Box::new(AllQuery))
                }
            }
        }
    }

    fn string(field: Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    fn filter(&self, filter: &Filter) -> Box<dyn Query> {
        let f = self.fields;
        match filter {
            Filter::Author(a) => {
                let v = a.trim_start_matches('@');
                if v.contains(['*', '?']) {
                    let body = v
                        .strip_prefix('#')
                        .or_else(|| v.strip_prefix('@'))
                        .unwrap_or(v);
                    let exact = text::has_accents(body);
                    let (field, pattern) = if exact {
                        (f.author_x, text::lower(body, TokenKind::Word))
                    } else {
                        (f.author_f, text::folded(body, TokenKind::Word))
                    };
                    Self::regex(field, &value_glob(&pattern))
                } else if text::has_accents(v) {
                    Self::string(f.author_x, &text::lower(v, TokenKind::Word))
                } else {
                    Self::string(f.author_f, &text::folded(v, TokenKind::Word))
                }
            }
            Filter::Network(n) => Self::string(f.network, n.as_str()),
            Filter::Language(l) => {
                let l = l.to_ascii_lowercase();
                if l.contains('-') {
                    Self::string(f.lang, &l)
                } else {
                    Self::string(f.lang1, &l)
                }
            }
            Filter::Sentiment(s) => Self::string(f.sentiment, s.as_str()),
            Filter::Intent(i) => Self::string(f.intent, i.as_str()),
            Filter::Emotion(e) => Self::string(f.emotion, e.as_str()),
            Filter::Country(c) => Self::string(f.country, &c.to_lowercase()),
            Filter::Brand(b) => Self::string(f.brand_lc, &b.to_lowercase()),
            Filter::EngagementType(e) => Self::string(
                f.kind,
                match e {
                    EngagementType::Reply => PostKind::Reply,
                    EngagementType::Reshare => PostKind::Reshare,
                    EngagementType::Quote => PostKind::Quote,
                    EngagementType::Comment => PostKind::Comment,
                }
                .as_str(),
            ),
            Filter::AuthorFollowers { min, max } => {
                let b = |v: &Option<u64>| match v {
                    Some(n) => Bound::Included(Term::from_field_u64(f.followers, *n)),
                    None => Bound::Unbounded,
                };
                if min.is_none() && max.is_none() {
                    Box::new(ExistsQuery::new(names::FOLLOWERS.to_string(), false))
                } else if min.zip(*max).is_some_and(|(a, b)| a > b) {
                    Box::new(EmptyQuery)
                } else {
                    Box::new(RangeQuery::new(b(min), b(max)))
                }
            }
            Filter::Date { from, to } => {
                let lo = from.as_ref().and_then(bound_start);
                let hi = to.as_ref().and_then(bound_end);
                let b = |v: Option<DateTime<Utc>>| match v {
                    Some(t) => Bound::Included(Term::from_field_date(f.created_at, to_date(&t))),
                    None => Bound::Unbounded,
                };
                if lo.is_none() && hi.is_none() {
                    Box::new(ExistsQuery::new(names::CREATED_AT.to_string(), false))
                } else if lo.zip(hi).is_some_and(|(a, b)| a > b) {
                    Box::new(EmptyQuery)
                } else {
                    Box::new(RangeQuery::new(b(lo), b(hi)))
                }
            }
        }
    }
}

/// The first instant a lower date bound admits (as the query crate defines it).
fn bound_start(b: &DateBound) -> Option<DateTime<Utc>> {
    match b {
        DateBound::Day(d) => d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
        DateBound::Instant(t) => Some(*t),
    }
}

/// The last instant an upper date bound admits (a day bound includes the whole day).
fn bound_end(b: &DateBound) -> Option<DateTime<Utc>> {
    match b {
        DateBound::Day(d) => d
            .and_hms_nano_opt(23, 59, 59, 999_999_999)
            .map(|t| t.and_utc()),
        DateBound::Instant(t) => Some(*t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(w: &str) -> Vec<Piece> {
        let mut v = Vec::new();
        pieces_of_word(w, &mut v);
        v
    }

    #[test]
    fn words_become_index_terms() {
        assert_eq!(
            pieces("#Camión"),
            vec![Piece::Word {
                exact: true,
                text: "#camión".into(),
                folded: "#camion".into()
            }]
        );
        assert_eq!(
            pieces("@Iberia"),
            vec![Piece::Word {
                exact: false,
                text: "@iberia".into(),
                folded: "@iberia".into()
            }]
        );
        assert_eq!(pieces("e-mail").len(), 2);
    }

    #[test]
    fn globs_escape_and_stay_off_signed_twins() {
        assert_eq!(
            pieces("retras*"),
            vec![Piece::Glob {
                exact: false,
                regex: "retras[^#@]*".into()
            }]
        );
        assert_eq!(
            pieces("#a.b?"),
            vec![Piece::Glob {
                exact: false,
                regex: "\\x{23}a\\x{2E}b[^#@]".into()
            }]
        );
        assert_eq!(pieces("*#x"), vec![Piece::Never]);
        assert_eq!(value_glob("jo?n*"), "jo(?s:.)n(?s:.*)");
    }
}
