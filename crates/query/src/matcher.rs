//! The compiled form of a query and its evaluation against a [`Document`].
//!
//! Terms are pre-normalised and pre-hashed at compile time, so that an exact term costs one
//! binary search in the document's sorted hash list; wildcard terms scan the document's tokens
//! (a trailing `*` is a prefix test). Phrases check the tokens that follow each match of their
//! first word. Positional operators (proximity, `NEAR`) work on spans of word positions.

use crate::ast::{DateBound, EngagementType, Filter, Node, Scope};
use crate::document::{DocToken, Document};
use crate::parser::{bound_end, bound_start};
use crate::text::{self, TokenKind};
use chrono::{DateTime, Utc};
use tertulia_model::{Emotion, Intent, Network, PostKind, Sentiment};

/// Which part of the text a positional node searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Region {
    All,
    Title,
    Text,
}

impl Region {
    fn admits(self, t: &DocToken) -> bool {
        match self {
            Region::All => true,
            Region::Title => t.in_title(),
            Region::Text => !t.in_title(),
        }
    }
}

/// One word of a query, normalised.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TermM {
    /// Required token kind (hashtag, mention); `None` for words and emoji.
    kind: Option<TokenKind>,
    /// Compare with the lower form (the term has accents) instead of the folded one.
    exact: bool,
    /// The term in lower or folded form (see `exact`).
    text: String,
    /// Hash of the folded form, for lookup (exact terms only).
    hash: u64,
    /// Wildcard pattern, in the same form as `text`.
    glob: Option<Glob>,
}

#[derive(Debug, Clone, PartialEq)]
enum Glob {
    Prefix(String),
    Pattern(Vec<char>),
}

impl Glob {
    fn new(pattern: &str) -> Glob {
        match pattern.strip_suffix('*') {
            Some(p) if !p.contains(['*', '?']) => Glob::Prefix(p.to_string()),
            _ => Glob::Pattern(pattern.chars().collect()),
        }
    }

    fn matches(&self, s: &str) -> bool {
        match self {
            Glob::Prefix(p) => s.starts_with(p.as_str()),
            Glob::Pattern(p) => text::glob_match(p, s),
        }
    }
}

impl TermM {
    fn exact(token: &str, kind: TokenKind) -> TermM {
        let exact = kind != TokenKind::Emoji && text::has_accents(token);
        let folded = text::folded(token, kind);
        TermM {
            kind: match kind {
                TokenKind::Hashtag | TokenKind::Mention => Some(kind),
                _ => None,
            },
            exact,
            hash: text::hash(&folded),
            text: if exact {
                text::lower(token, kind)
            } else {
                folded
            },
            glob: None,
        }
    }

    fn wildcard(word: &str) -> TermM {
        let (kind, body) = if let Some(b) = word.strip_prefix('#') {
            (Some(TokenKind::Hashtag), b)
        } else if let Some(b) = word.strip_prefix('@') {
            (Some(TokenKind::Mention), b)
        } else {
            (None, word)
        };
        let exact = text::has_accents(body);
        let text = if exact {
            text::lower(body, TokenKind::Word)
        } else {
            text::folded(body, TokenKind::Word)
        };
        TermM {
            kind,
            exact,
            hash: 0,
            glob: Some(Glob::new(&text)),
            text,
        }
    }

    /// Compiles one whitespace-free word of a query into one or more term matchers (a word
    /// such as `e-mail` is two tokens, matched as a phrase).
    fn from_word(word: &str) -> Vec<TermM> {
        if word.contains(['*', '?']) {
            vec![TermM::wildcard(word)]
        } else {
            text::tokenize(word)
                .map(|t| TermM::exact(t.text, t.kind))
                .collect()
        }
    }

    fn token_matches(&self, doc: &Document<'_>, t: &DocToken) -> bool {
        if self.kind.is_some_and(|k| k != t.kind) {
            return false;
        }
        let s = doc.str(if self.exact { t.lower } else { t.folded });
        match &self.glob {
            None => s == self.text,
            Some(g) => g.matches(s),
        }
    }

    /// Calls `f` with each matching token index until it returns `true`; returns whether it
    /// did.
    fn find(&self, doc: &Document<'_>, region: Region, f: &mut dyn FnMut(usize) -> bool) -> bool {
        if self.glob.is_none() {
            for i in doc.with_hash(self.hash) {
                let i = i as usize;
                let t = &doc.tokens[i];
                if region.admits(t) && self.token_matches(doc, t) && f(i) {
                    return true;
                }
            }
        } else {
            for (i, t) in doc.tokens.iter().enumerate() {
                if region.admits(t) && self.token_matches(doc, t) && f(i) {
                    return true;
                }
            }
        }
        false
    }

    /// Matches a name or handle (whole string) in its lower and folded forms.
    fn whole_matches(&self, lower: &str, folded: &str) -> bool {
        let s = if self.exact { lower } else { folded };
        match &self.glob {
            None => s == self.text,
            Some(g) => g.matches(s),
        }
    }
}

/// A filter with its value prepared for fast comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CFilter {
    Author(TermM),
    Network(Network),
    Language(String),
    Sentiment(Sentiment),
    Intent(Intent),
    Emotion(Emotion),
    Country(String),
    Brand(String),
    Kind(PostKind),
    Followers(Option<u64>, Option<u64>),
    Date(Option<DateTime<Utc>>, Option<DateTime<Utc>>),
}

/// A compiled node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CNode {
    Term(TermM, Region),
    Seq(Vec<TermM>, Region),
    Prox(Vec<TermM>, u32, Region),
    Near(Box<CNode>, Box<CNode>, u32, bool),
    Filter(CFilter),
    And(Vec<CNode>),
    Or(Vec<CNode>),
    Not(Box<CNode>),
    /// A node that never matches (a term with nothing searchable, built from an unchecked AST).
    Never,
}

fn seq(mut terms: Vec<TermM>, region: Region) -> CNode {
    match terms.len() {
        0 => CNode::Never,
        1 => CNode::Term(terms.remove(0), region),
        _ => CNode::Seq(terms, region),
    }
}

fn phrase_terms(text: &str) -> Vec<TermM> {
    text.split_whitespace().flat_map(TermM::from_word).collect()
}

fn fold_value(v: &str) -> TermM {
    if v.contains(['*', '?']) {
        TermM::wildcard(v)
    } else {
        let exact = text::has_accents(v);
        TermM {
            kind: None,
            exact,
            hash: 0,
            text: if exact {
                text::lower(v, TokenKind::Word)
            } else {
                text::folded(v, TokenKind::Word)
            },
            glob: None,
        }
    }
}

/// Compiles an AST node; `region` comes from an enclosing `title:`/`text:`.
pub(crate) fn compile(node: &Node, region: Region) -> CNode {
    match node {
        Node::Term(t) => seq(TermM::from_word(&t.text), region),
        Node::Phrase(p) => seq(phrase_terms(&p.text), region),
        Node::Proximity { phrase, distance } => {
            let terms = phrase_terms(&phrase.text);
            if terms.len() <= 1 {
                seq(terms, region)
            } else {
                CNode::Prox(terms, *distance, region)
            }
        }
        Node::Near {
            left,
            right,
            distance,
            ordered,
        } => CNode::Near(
            Box::new(compile(left, region)),
            Box::new(compile(right, region)),
            *distance,
            *ordered,
        ),
        Node::Filter(f) => CNode::Filter(match f {
            Filter::Author(a) => CFilter::Author(fold_value(a.trim_start_matches('@'))),
            Filter::Network(n) => CFilter::Network(*n),
            Filter::Language(l) => CFilter::Language(l.to_ascii_lowercase()),
            Filter::Sentiment(s) => CFilter::Sentiment(*s),
            Filter::Intent(i) => CFilter::Intent(*i),
            Filter::Emotion(e) => CFilter::Emotion(*e),
            Filter::Country(c) => CFilter::Country(c.to_lowercase()),
            Filter::Brand(b) => CFilter::Brand(b.to_lowercase()),
            Filter::EngagementType(e) => CFilter::Kind(match e {
                EngagementType::Reply => PostKind::Reply,
                EngagementType::Reshare => PostKind::Reshare,
                EngagementType::Quote => PostKind::Quote,
                EngagementType::Comment => PostKind::Comment,
            }),
            Filter::AuthorFollowers { min, max } => CFilter::Followers(*min, *max),
            Filter::Date { from, to } => CFilter::Date(
                from.as_ref().and_then(bound_start),
                to.as_ref().and_then(|b: &DateBound| bound_end(b)),
            ),
        }),
        Node::Scoped(scope, inner) => compile(
            inner,
            match scope {
                Scope::Title => Region::Title,
                Scope::Text => Region::Text,
            },
        ),
        Node::And(c) => CNode::And(cheapest_first(c, region)),
        Node::Or(c) => CNode::Or(cheapest_first(c, region)),
        Node::Not(inner) => CNode::Not(Box::new(compile(inner, region))),
    }
}

/// Compiles the children of an AND or OR, cheapest first, so that evaluation (which stops at
/// the first failing AND child or the first matching OR child) does the least work. The order
/// does not change the result: evaluation has no side effects.
fn cheapest_first(children: &[Node], region: Region) -> Vec<CNode> {
    let mut v: Vec<CNode> = children.iter().map(|n| compile(n, region)).collect();
    v.sort_by_cached_key(CNode::cost);
    v
}

/// A span of word positions `[start, end]`, inclusive.
type Span = (u32, u32);

impl CNode {
    /// A rough relative cost of evaluating the node on a short post.
    fn cost(&self) -> u32 {
        let glob = |t: &TermM| if t.glob.is_some() { 20 } else { 2 };
        match self {
            CNode::Filter(_) | CNode::Never => 1,
            CNode::Term(t, _) => glob(t),
            CNode::Seq(ts, _) => ts.iter().map(glob).fold(1, u32::saturating_add),
            CNode::Prox(ts, ..) => ts.iter().map(glob).fold(40, u32::saturating_add),
            CNode::Near(l, r, ..) => l.cost().saturating_add(r.cost()).saturating_add(40),
            CNode::And(c) | CNode::Or(c) => c.iter().map(CNode::cost).fold(0, u32::saturating_add),
            CNode::Not(n) => n.cost(),
        }
    }

    /// Whether the document matches.
    pub(crate) fn eval(&self, doc: &Document<'_>) -> bool {
        match self {
            CNode::Term(t, region) => t.find(doc, *region, &mut |_| true),
            CNode::Seq(terms, region) => seq_find(terms, doc, *region, &mut |_, _| true),
            CNode::Prox(..) | CNode::Near(..) => {
                let mut spans = Vec::new();
                self.spans(doc, &mut spans);
                !spans.is_empty()
            }
            CNode::Filter(f) => f.eval(doc),
            CNode::And(c) => c.iter().all(|n| n.eval(doc)),
            CNode::Or(c) => c.iter().any(|n| n.eval(doc)),
            CNode::Not(n) => !n.eval(doc),
            CNode::Never => false,
        }
    }

    /// Appends the spans where a positional node matches.
    fn spans(&self, doc: &Document<'_>, out: &mut Vec<Span>) {
        match self {
            CNode::Term(t, region) => {
                t.find(doc, *region, &mut |i| {
                    let p = doc.tokens[i].pos;
                    out.push((p, p));
                    false
                });
            }
            CNode::Seq(terms, region) => {
                seq_find(terms, doc, *region, &mut |a, b| {
                    out.push((a, b));
                    false
                });
            }
            CNode::Prox(terms, distance, region) => prox_spans(terms, *distance, doc, *region, out),
            CNode::Near(l, r, distance, ordered) => {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                l.spans(doc, &mut a);
                if a.is_empty() {
                    return;
                }
                r.spans(doc, &mut b);
                near_spans(&a, &mut b, *distance, *ordered, out);
            }
            CNode::Or(c) => c.iter().for_each(|n| n.spans(doc, out)),
            // Other nodes are not positional (the parser rejects them under NEAR); an unchecked
            // AST gets no spans from them.
            _ => {}
        }
    }
}

/// Finds consecutive tokens matching `terms`; calls `f(start_pos, end_pos)` until it returns
/// `true`.
fn seq_find(
    terms: &[TermM],
    doc: &Document<'_>,
    region: Region,
    f: &mut dyn FnMut(u32, u32) -> bool,
) -> bool {
    let Some((first, rest)) = terms.split_first() else {
        return false;
    };
    first.find(doc, region, &mut |i| {
        let start = doc.tokens[i].pos;
        let ok = rest.iter().enumerate().all(|(k, t)| {
            doc.tokens
                .get(i + 1 + k)
                .is_some_and(|tok| tok.pos == start + 1 + k as u32 && t.token_matches(doc, tok))
        });
        ok && f(start, start + rest.len() as u32)
    })
}

/// Windows where every term occurs (each repeated term as often as it is repeated) with at
/// most `distance` other words among them.
fn prox_spans(
    terms: &[TermM],
    distance: u32,
    doc: &Document<'_>,
    region: Region,
    out: &mut Vec<Span>,
) {
    // Group identical terms with their multiplicity.
    let mut groups: Vec<(&TermM, usize)> = Vec::new();
    for t in terms {
        match groups.iter_mut().find(|(g, _)| *g == t) {
            Some((_, n)) => *n += 1,
            None => groups.push((t, 1)),
        }
    }
    // Events: (position, group) for every token matching a group, in position order.
    let mut events: Vec<(u32, usize)> = Vec::new();
    for t in doc.tokens.iter().filter(|t| region.admits(t)) {
        for (g, (term, _)) in groups.iter().enumerate() {
            if term.token_matches(doc, t) {
                events.push((t.pos, g));
            }
        }
    }
    let k = terms.len() as u64;
    let mut count = vec![0usize; groups.len()];
    let mut missing = groups.len();
    let mut left = 0;
    for right in 0..events.len() {
        let g = events[right].1;
        count[g] += 1;
        if count[g] == groups[g].1 {
            missing -= 1;
        }
        while missing == 0 {
            let (start, end) = (events[left].0, events[right].0);
            let others = (u64::from(end - start) + 1).saturating_sub(k);
            if others <= u64::from(distance) {
                out.push((start, end));
            }
            let lg = events[left].1;
            if count[lg] == groups[lg].1 {
                missing += 1;
            }
            count[lg] -= 1;
            left += 1;
        }
    }
}

/// Combines the spans of two NEAR operands: pairs that do not overlap and have at most
/// `distance` words between them (left before right when `ordered`).
fn near_spans(a: &[Span], b: &mut [Span], distance: u32, ordered: bool, out: &mut Vec<Span>) {
    b.sort_unstable();
    let d = distance as u64;
    for &(s1, e1) in a {
        // Right operand after the left one: b.start in (e1, e1 + 1 + d].
        let lo = b.partition_point(|&(s, _)| s <= e1);
        for &(s2, e2) in &b[lo..] {
            if u64::from(s2) > u64::from(e1) + 1 + d {
                break;
            }
            out.push((s1, e2.max(e1)));
        }
        if !ordered {
            // Right operand before the left one: b.end < s1 and s1 - b.end - 1 <= d.
            for &(s2, e2) in b.iter() {
                if s2 >= s1 {
                    break;
                }
                if e2 < s1 && u64::from(s1 - e2) <= d + 1 {
                    out.push((s2, e1));
                }
            }
        }
    }
}

impl CFilter {
    fn eval(&self, doc: &Document<'_>) -> bool {
        let post = doc.post;
        let enrichment = post.enrichment.as_ref();
        match self {
            CFilter::Author(t) => {
                let [hl, hf, nl, nf] = doc.author.map(|r| doc.str(r));
                (!hl.is_empty() && t.whole_matches(hl, hf))
                    || (!nl.is_empty() && t.whole_matches(nl, nf))
            }
            CFilter::Network(n) => post.network == *n,
            CFilter::Language(l) => doc.language().is_some_and(|lang| {
                let lang = if l.contains('-') {
                    lang
                } else {
                    lang.split(['-', '_']).next().unwrap_or(lang)
                };
                lang.eq_ignore_ascii_case(l)
            }),
            CFilter::Sentiment(s) => enrichment.is_some_and(|e| e.sentiment == *s),
            CFilter::Intent(i) => enrichment.is_some_and(|e| e.intents.contains(i)),
            CFilter::Emotion(m) => enrichment.is_some_and(|e| e.emotion == *m),
            CFilter::Country(c) => post
                .country
                .as_deref()
                .is_some_and(|pc| pc.trim().to_lowercase() == *c),
            CFilter::Brand(b) => post.brands.iter().any(|pb| {
                if pb.is_ascii() {
                    pb.eq_ignore_ascii_case(b)
                } else {
                    pb.to_lowercase() == *b
                }
            }),
            CFilter::Kind(k) => post.kind == *k,
            CFilter::Followers(min, max) => post
                .author
                .followers
                .is_some_and(|f| min.is_none_or(|m| f >= m) && max.is_none_or(|m| f <= m)),
            CFilter::Date(from, to) => post
                .created_at
                .is_some_and(|t| from.is_none_or(|m| t >= m) && to.is_none_or(|m| t <= m)),
        }
    }
}
