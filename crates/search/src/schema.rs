//! The index schema and the conversion of a post into an index document.
//!
//! Text is indexed from tokens produced by the query crate's own tokeniser
//! ([`tertulia_query::text`]), so that the index and the matcher agree on every token:
//!
//! * `*_f` fields hold every token in its **folded** form (lowercase, no accents), plus, at the
//!   same position, `#tag` for a hashtag and `@name` for a mention;
//! * `*_x` fields hold the **lower** form (lowercase, accents kept) of the tokens whose lower
//!   and folded forms differ — the only tokens an accented query term can match — with the
//!   same `#`/`@` twins. Keeping ASCII tokens out of them keeps the index compact.
//!
//! Plain tokens never contain `#` or `@` (Unicode word segments cannot), so the prefixed twins
//! never collide with them.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{DateTime, TantivyDocument};
use tertulia_model::Post;
use tertulia_query::MAX_DOC_BYTES;
use tertulia_query::text::{self, TokenKind};

/// Version of the schema; an index written with another version is rebuilt.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// Longest author handle or name compared by `author:`, as in the query crate's documents.
const MAX_AUTHOR_BYTES: usize = 1024;

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub key: Field,
    pub body_f: Field,
    pub body_x: Field,
    pub title_f: Field,
    pub title_x: Field,
    pub network: Field,
    pub lang: Field,
    pub lang1: Field,
    pub sentiment: Field,
    pub emotion: Field,
    pub intent: Field,
    pub brand: Field,
    pub brand_lc: Field,
    pub kind: Field,
    pub country: Field,
    pub author_f: Field,
    pub author_x: Field,
    pub followers: Field,
    pub engagement: Field,
    pub created_at: Field,
}

/// Field names used by collectors and `ExistsQuery`.
pub(crate) mod names {
    pub const NETWORK: &str = "network";
    pub const LANG1: &str = "lang1";
    pub const SENTIMENT: &str = "sentiment";
    pub const BRAND: &str = "brand";
    pub const FOLLOWERS: &str = "followers";
    pub const CREATED_AT: &str = "created_at";
}

/// Builds the schema and its field handles.
pub(crate) fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let date = DateOptions::from(INDEXED)
        .set_fast()
        .set_precision(DateTimePrecision::Nanoseconds);
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        body_f: b.add_text_field("body_f", text.clone()),
        body_x: b.add_text_field("body_x", text.clone()),
        title_f: b.add_text_field("title_f", text.clone()),
        title_x: b.add_text_field("title_x", text),
        network: b.add_text_field(names::NETWORK, STRING | FAST),
        lang: b.add_text_field("lang", STRING),
        lang1: b.add_text_field(names::LANG1, STRING | FAST),
        sentiment: b.add_text_field(names::SENTIMENT, STRING | FAST),
        emotion: b.add_text_field("emotion", STRING | FAST),
        intent: b.add_text_field("intent", STRING | FAST),
        brand: b.add_text_field(names::BRAND, FAST),
        brand_lc: b.add_text_field("brand_lc", STRING),
        kind: b.add_text_field("kind", STRING | FAST),
        country: b.add_text_field("country", STRING | FAST),
        author_f: b.add_text_field("author_f", STRING),
        author_x: b.add_text_field("author_x", STRING),
        followers: b.add_u64_field(names::FOLLOWERS, INDEXED | FAST),
        engagement: b.add_u64_field("engagement", INDEXED | FAST),
        created_at: b.add_date_field(names::CREATED_AT, date),
    };
    (b.build(), fields)
}

/// The key term of a post: `network:native_id` (network names have no `:`).
pub(crate) fn key_text(post: &Post) -> String {
    format!("{}:{}", post.network.as_str(), post.native_id)
}

/// Cuts a string to at most `max` bytes at a character boundary (as the query crate does).
pub(crate) fn cut(s: &str, max: usize) -> &str {
    &s[..s.floor_char_boundary(max)]
}

/// A chrono time as tantivy's nanosecond date (clamped to the i64 nanosecond range).
pub(crate) fn to_date(t: &chrono::DateTime<chrono::Utc>) -> DateTime {
    let nanos = t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    });
    DateTime::from_timestamp_nanos(nanos)
}

/// The language `language:` compares with: the enrichment's unless missing or `und`, else the
/// source's (the rule of `tertulia_query::Document::language`).
pub(crate) fn language(post: &Post) -> Option<&str> {
    post.enrichment
        .as_ref()
        .map(|e| e.lang.as_str())
        .filter(|l| !l.is_empty() && *l != "und")
        .or(post.lang.as_deref())
}

/// The folded and exact token streams of one text.
#[derive(Default)]
pub(crate) struct Streams {
    pub folded: Vec<Token>,
    pub exact: Vec<Token>,
}

fn token(text: String, position: usize) -> Token {
    Token {
        offset_from: 0,
        offset_to: 0,
        position,
        text,
        position_length: 1,
    }
}

/// Tokenises one text exactly as the query crate's documents do.
pub(crate) fn streams(s: &str) -> Streams {
    let mut out = Streams::default();
    let mut pos = 0usize;
    text::for_each_token(s, |t| {
        let folded = text::folded(t.text, t.kind);
        let lower = text::lower(t.text, t.kind);
        let sign = match t.kind {
            TokenKind::Hashtag => Some('#'),
            TokenKind::Mention => Some('@'),
            _ => None,
        };
        if lower != folded {
            if let Some(c) = sign {
                out.exact.push(token(format!("{c}{lower}"), pos));
            }
            out.exact.push(token(lower, pos));
        }
        if let Some(c) = sign {
            out.folded.push(token(format!("{c}{folded}"), pos));
        }
        out.folded.push(token(folded, pos));
        pos += 1;
    });
    out
}

fn add_tokens(doc: &mut TantivyDocument, field: Field, tokens: Vec<Token>) {
    if !tokens.is_empty() {
        doc.add_pre_tokenized_text(
            field,
            PreTokenizedString {
                text: String::new(),
                tokens,
            },
        );
    }
}

/// The index document of a (non-deleted) post.
pub(crate) fn to_document(f: &Fields, post: &Post) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.key, key_text(post));
    let title = cut(post.title.as_deref().unwrap_or(""), MAX_DOC_BYTES);
    let body = cut(&post.text, MAX_DOC_BYTES - title.len());
    let t = streams(title);
    add_tokens(&mut doc, f.title_f, t.folded);
    add_tokens(&mut doc, f.title_x, t.exact);
    let b = streams(body);
    add_tokens(&mut doc, f.body_f, b.folded);
    add_tokens(&mut doc, f.body_x, b.exact);

    doc.add_text(f.network, post.network.as_str());
    if let Some(l) = language(post) {
        let lower = l.to_ascii_lowercase();
        let primary = lower.split(['-', '_']).next().unwrap_or("").to_string();
        doc.add_text(f.lang, &lower);
        doc.add_text(f.lang1, primary);
    }
    if let Some(e) = &post.enrichment {
        doc.add_text(f.sentiment, e.sentiment.as_str());
        doc.add_text(f.emotion, e.emotion.as_str());
        for i in &e.intents {
            doc.add_text(f.intent, i.as_str());
        }
    }
    for b in &post.brands {
        doc.add_text(f.brand, b);
        doc.add_text(f.brand_lc, b.to_lowercase());
    }
    doc.add_text(f.kind, post.kind.as_str());
    if let Some(c) = &post.country {
        doc.add_text(f.country, c.trim().to_lowercase());
    }
    let handle = cut(
        post.author.handle.as_deref().unwrap_or(""),
        MAX_AUTHOR_BYTES,
    );
    let handle = handle.trim_start_matches('@');
    let name = cut(post.author.name.as_deref().unwrap_or(""), MAX_AUTHOR_BYTES);
    for v in [handle, name] {
        if v.is_empty() {
            continue;
        }
        let folded = text::folded(v, TokenKind::Word);
        let lower = text::lower(v, TokenKind::Word);
        if lower != folded {
            doc.add_text(f.author_x, lower);
        }
        doc.add_text(f.author_f, folded);
    }
    if let Some(n) = post.author.followers {
        doc.add_u64(f.followers, n);
    }
    doc.add_u64(f.engagement, post.metrics.engagement());
    if let Some(t) = &post.created_at {
        doc.add_date(f.created_at, to_date(t));
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use tertulia_model::{Network, PostKind};
    use tertulia_query::Document;

    fn texts(v: &[Token]) -> Vec<(String, usize)> {
        v.iter().map(|t| (t.text.clone(), t.position)).collect()
    }

    #[test]
    fn streams_hold_folded_exact_and_signed_twins() {
        let s = streams("¡Niño @Iberia! #Camión 👍🏽 ok");
        assert_eq!(
            texts(&s.folded),
            vec![
                ("nino".into(), 0),
                ("@iberia".into(), 1),
                ("iberia".into(), 1),
                ("#camion".into(), 2),
                ("camion".into(), 2),
                ("👍".into(), 3),
                ("ok".into(), 4),
            ]
        );
        assert_eq!(
            texts(&s.exact),
            vec![
                ("niño".into(), 0),
                ("#camión".into(), 2),
                ("camión".into(), 2)
            ]
        );
    }

    #[test]
    fn tokens_agree_with_the_query_crate_documents() {
        let mut p = Post::new(Network::Reddit, "t3_1", PostKind::Post);
        p.title = Some("Título: ¿qué?".into());
        p.text = "Día #MalServicio @AirEuropa 😡😡 e-mail a@b.com 3,5".into();
        let doc = Document::new(&p);
        let expected: Vec<String> = doc.tokens().map(|(s, _)| s.to_string()).collect();
        let mut ours = Vec::new();
        for s in [p.title.as_deref().unwrap_or(""), p.text.as_str()] {
            text::for_each_token(s, |t| ours.push(text::lower(t.text, t.kind)));
        }
        assert_eq!(ours, expected);
    }

    #[test]
    fn cut_respects_char_boundaries() {
        assert_eq!(cut("niño", 3), "ni");
        assert_eq!(cut("niño", 4), "niñ");
        assert_eq!(cut("ab", 10), "ab");
    }
}
