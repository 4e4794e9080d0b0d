//! The lexer: turns query text into tokens with byte spans.
//!
//! Words end at whitespace, `(`, `)` and `"`. `AND`, `OR`, `NOT` and `NEAR/N[f]` are operators
//! only in uppercase. A word that starts with letters and a colon (`author:`) is a field name;
//! its value follows with no space: a word, a `"quoted value"`, a `(group)` or a `[a TO b]`
//! range. A `-` glued to what follows is a negation.

use crate::error::{ErrorKind, Loc, QueryError};

/// The largest `NEAR/N` or `~N` distance accepted.
pub const MAX_DISTANCE: u32 = 1000;

/// A token kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokKind {
    LParen,
    RParen,
    And,
    Or,
    Not,
    /// `-` glued to the next token.
    Minus,
    Near {
        distance: u32,
        ordered: bool,
    },
    Word(String),
    Phrase {
        text: String,
        distance: Option<u32>,
    },
    /// `name:` — the value is the next token, which starts right at `end`.
    Field(String),
    /// `[lo TO hi]` right after a field; the strings are as written, with their byte offsets.
    Range {
        lo: (String, usize),
        hi: (String, usize),
    },
}

/// A token and its byte span in the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tok {
    pub kind: TokKind,
    pub start: usize,
    pub end: usize,
}

impl Tok {
    /// How the token is named in "found …" messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            TokKind::LParen => "'('".into(),
            TokKind::RParen => "')'".into(),
            TokKind::And => "'AND'".into(),
            TokKind::Or => "'OR'".into(),
            TokKind::Not => "'NOT'".into(),
            TokKind::Minus => "'-'".into(),
            TokKind::Near { distance, ordered } => {
                format!("'NEAR/{distance}{}'", if *ordered { "f" } else { "" })
            }
            TokKind::Word(w) => format!("term '{w}'"),
            TokKind::Phrase { text, .. } => format!("phrase \"{text}\""),
            TokKind::Field(name) => format!("field '{name}:'"),
            TokKind::Range { lo, hi } => format!("range [{} TO {}]", lo.0, hi.0),
        }
    }
}

fn is_word_end(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"')
}

struct Lexer<'q> {
    q: &'q str,
    i: usize,
    out: Vec<Tok>,
}

impl<'q> Lexer<'q> {
    fn err(&self, byte: usize, kind: ErrorKind) -> QueryError {
        QueryError {
            loc: Loc::of(self.q, byte),
            kind,
        }
    }

    fn peek(&self) -> Option<char> {
        self.q[self.i..].chars().next()
    }

    fn push(&mut self, kind: TokKind, start: usize) {
        self.out.push(Tok {
            kind,
            start,
            end: self.i,
        });
    }

    /// Reads a word from the current position to the next word end.
    fn word(&mut self) -> &'q str {
        let start = self.i;
        let rest = &self.q[start..];
        let len = rest.find(is_word_end).unwrap_or(rest.len());
        self.i += len;
        &self.q[start..self.i]
    }

    fn distance(&self, digits: &str, at: usize, operator: &str) -> Result<u32, QueryError> {
        if digits.is_empty() {
            return Err(self.err(
                at,
                ErrorKind::MissingDistance {
                    operator: operator.into(),
                },
            ));
        }
        match digits.parse::<u32>() {
            Ok(n) if digits.bytes().all(|b| b.is_ascii_digit()) && n <= MAX_DISTANCE => Ok(n),
            _ => Err(self.err(
                at,
                ErrorKind::BadDistance {
                    value: digits.into(),
                    max: MAX_DISTANCE,
                },
            )),
        }
    }

    fn phrase(&mut self) -> Result<(), QueryError> {
        let start = self.i;
        let body_start = start + 1;
        let Some(len) = self.q[body_start..].find('"') else {
            return Err(self.err(start, ErrorKind::UnclosedQuote));
        };
        let text = self.q[body_start..body_start + len].to_string();
        if text.trim().is_empty() {
            return Err(self.err(start, ErrorKind::EmptyPhrase));
        }
        self.i = body_start + len + 1;
        let mut distance = None;
        if self.peek() == Some('~') {
            let tilde = self.i;
            self.i += 1;
            let rest = &self.q[self.i..];
            let len = rest
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(rest.len());
            let digits = &rest[..len];
            distance = Some(self.distance(digits, if len == 0 { tilde } else { self.i }, "~")?);
            self.i += len;
        }
        self.push(TokKind::Phrase { text, distance }, start);
        Ok(())
    }

    fn range(&mut self, field: &str) -> Result<(), QueryError> {
        let start = self.i;
        let Some(len) = self.q[start..].find(']') else {
            return Err(self.err(start, ErrorKind::UnclosedRange));
        };
        let body_start = start + 1;
        let body = &self.q[body_start..start + len];
        let parts: Vec<(usize, &str)> = body
            .split_whitespace()
            .map(|p| (p.as_ptr() as usize - self.q.as_ptr() as usize, p))
            .collect();
        let canonical = crate::parser::canonical_field(field).unwrap_or("field");
        match parts.as_slice() {
            [(lo_at, lo), (_, "TO"), (hi_at, hi)] => {
                self.i = start + len + 1;
                self.push(
                    TokKind::Range {
                        lo: ((*lo).to_string(), *lo_at),
                        hi: ((*hi).to_string(), *hi_at),
                    },
                    start,
                );
                Ok(())
            }
            _ => Err(self.err(
                start,
                ErrorKind::BadRange {
                    field: canonical,
                    detail: format!(
                        "expected [FROM TO TO] with '*' for an open end, found [{body}]"
                    ),
                },
            )),
        }
    }

    /// Lexes a field's value, which must start right at the current position.
    fn field_value(&mut self, field: &str) -> Result<(), QueryError> {
        match self.peek() {
            None => Err(self.err(
                self.i,
                ErrorKind::Expected {
                    expected: format!("a value right after '{field}:'"),
                    found: "end of query".into(),
                },
            )),
            Some(c) if c.is_whitespace() || c == ')' => Err(self.err(
                self.i,
                ErrorKind::Expected {
                    expected: format!("a value right after '{field}:' (no space)"),
                    found: if c == ')' {
                        "')'".into()
                    } else {
                        "a space".into()
                    },
                },
            )),
            Some('"') => self.phrase(),
            Some('(') => Ok(()), // the parser reads the group
            Some('[') => self.range(field),
            Some(_) => {
                let start = self.i;
                let w = self.word().to_string();
                self.push(TokKind::Word(w), start);
                Ok(())
            }
        }
    }

    fn run(mut self) -> Result<Vec<Tok>, QueryError> {
        while let Some(c) = self.peek() {
            let start = self.i;
            match c {
                c if c.is_whitespace() => self.i += c.len_utf8(),
                '(' => {
                    self.i += 1;
                    self.push(TokKind::LParen, start);
                }
                ')' => {
                    self.i += 1;
                    self.push(TokKind::RParen, start);
                }
                '"' => self.phrase()?,
                '-' => {
                    self.i += 1;
                    match self.peek() {
                        Some(n) if !n.is_whitespace() && n != ')' => {
                            self.push(TokKind::Minus, start)
                        }
                        other => {
                            return Err(self.err(
                                start,
                                ErrorKind::DanglingOperator {
                                    operator: "-".into(),
                                    found: match other {
                                        None => "end of query".into(),
                                        Some(')') => "')'".into(),
                                        Some(_) => "a space".into(),
                                    },
                                },
                            ));
                        }
                    }
                }
                _ => self.word_or_field()?,
            }
        }
        Ok(self.out)
    }

    fn word_or_field(&mut self) -> Result<(), QueryError> {
        let start = self.i;
        let rest = &self.q[start..];
        let ident_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let name = &rest[..ident_len];
        let known = crate::parser::canonical_field(name).is_some();
        // `name:` is a field; an unknown `scheme://` is the start of a link, not a field.
        if ident_len > 0
            && rest[ident_len..].starts_with(':')
            && (known || !rest[ident_len + 1..].starts_with("//"))
        {
            if !known {
                return Err(self.err(
                    start,
                    ErrorKind::UnknownField {
                        name: name.to_string(),
                    },
                ));
            }
            self.i += ident_len + 1;
            self.push(TokKind::Field(name.to_string()), start);
            return self.field_value(name);
        }
        let w = self.word();
        let kind = match w {
            "AND" => TokKind::And,
            "OR" => TokKind::Or,
            "NOT" => TokKind::Not,
            _ if w == "NEAR" || w.starts_with("NEAR/") => {
                let spec = w.get(5..).unwrap_or("");
                let (digits, ordered) = match spec.strip_suffix('f') {
                    Some(d) => (d, true),
                    None => (spec, false),
                };
                if w == "NEAR" {
                    return Err(self.err(
                        start + 4,
                        ErrorKind::MissingDistance {
                            operator: "NEAR".into(),
                        },
                    ));
                }
                let distance = self.distance(digits, start + 5, "NEAR/")?;
                TokKind::Near { distance, ordered }
            }
            _ => TokKind::Word(w.to_string()),
        };
        self.push(kind, start);
        Ok(())
    }
}

/// Splits a query into tokens.
pub(crate) fn lex(query: &str) -> Result<Vec<Tok>, QueryError> {
    Lexer {
        q: query,
        i: 0,
        out: Vec::new(),
    }
    .run()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(q: &str) -> Vec<TokKind> {
        lex(q)
            .unwrap_or_else(|e| panic!("{q}: {e}"))
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn lexes_operators_only_in_uppercase() {
        use TokKind::*;
        assert_eq!(
            kinds("a AND b and c OR d or NOT e not"),
            vec![
                Word("a".into()),
                And,
                Word("b".into()),
                Word("and".into()),
                Word("c".into()),
                Or,
                Word("d".into()),
                Word("or".into()),
                Not,
                Word("e".into()),
                Word("not".into()),
            ]
        );
    }

    #[test]
    fn lexes_phrases_near_fields_ranges_and_minus() {
        use TokKind::*;
        assert_eq!(
            kinds(r#"-"mal servicio"~3 x NEAR/5f (y) author:"Iberia Air" date:[* TO 2015-02-10]"#),
            vec![
                Minus,
                Phrase {
                    text: "mal servicio".into(),
                    distance: Some(3)
                },
                Word("x".into()),
                Near {
                    distance: 5,
                    ordered: true
                },
                LParen,
                Word("y".into()),
                RParen,
                Field("author".into()),
                Phrase {
                    text: "Iberia Air".into(),
                    distance: None
                },
                Field("date".into()),
                Range {
                    lo: ("*".into(), 58),
                    hi: ("2015-02-10".into(), 63)
                },
            ]
        );
    }

    #[test]
    fn urls_and_emoji_are_words() {
        use TokKind::*;
        assert_eq!(
            kinds("https://x.com e-mail 😡"),
            vec![
                Word("https://x.com".into()),
                Word("e-mail".into()),
                Word("😡".into())
            ]
        );
    }

    #[test]
    fn lex_errors_have_positions() {
        let e = |q: &str| lex(q).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            e(r#"a "b c"#),
            "at 3: expected a closing '\"' for the phrase opened here, found end of query"
        );
        assert_eq!(
            e("a NEAR/ b"),
            "at 8: expected a distance after 'NEAR/', e.g. NEAR/3 or \"a b\"~3"
        );
        assert_eq!(
            e("a NEAR/x b"),
            "at 8: bad distance 'x': expected a whole number from 0 to 1000"
        );
        assert!(e("colour:red").starts_with("at 1: unknown field 'colour:'"));
        assert_eq!(
            e("author: x"),
            "at 8: expected a value right after 'author:' (no space), found a space"
        );
        assert_eq!(
            e("a - b"),
            "at 3: expected a term, phrase, field or '(' after '-', found a space"
        );
    }
}
