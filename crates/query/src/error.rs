//! The crate's error type and its rendering with a caret under the query.

use std::fmt;

/// A place in the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Loc {
    /// Byte offset from the start of the query (0-based).
    pub byte: usize,
    /// Character column (1-based), what the messages show.
    pub column: usize,
}

impl Loc {
    /// The location of byte offset `byte` in `query` (clamped to the query's length and to a
    /// character boundary).
    pub fn of(query: &str, byte: usize) -> Loc {
        let b = query.floor_char_boundary(byte);
        Loc {
            byte: b,
            column: query[..b].chars().count() + 1,
        }
    }
}

/// What went wrong (the [`QueryError`] adds where).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Something else was found where one thing was expected.
    Expected {
        /// What the parser expected.
        expected: String,
        /// What it found (`end of query`, `')'`, `'OR'`, `term 'x'`…).
        found: String,
    },
    /// A `(` was never closed.
    UnclosedParen {
        /// Where the `(` is.
        open: Loc,
        /// What was found instead of `)`.
        found: String,
    },
    /// A `)` without a matching `(`.
    UnmatchedCloseParen,
    /// A `"` was never closed.
    UnclosedQuote,
    /// A `[` range was never closed.
    UnclosedRange,
    /// `()` with nothing inside.
    EmptyGroup,
    /// `""` with nothing inside.
    EmptyPhrase,
    /// `NEAR` without `/N`, or `~` without a number.
    MissingDistance {
        /// The operator (`NEAR`, `~`).
        operator: String,
    },
    /// A distance that is not a number or is too large.
    BadDistance {
        /// The text written.
        value: String,
        /// The largest distance accepted.
        max: u32,
    },
    /// `name:` where `name` is not a known field.
    UnknownField {
        /// The name written.
        name: String,
    },
    /// A field value that the field does not accept.
    BadValue {
        /// The field (canonical name).
        field: &'static str,
        /// The value written.
        value: String,
        /// What the field accepts.
        expected: String,
    },
    /// A malformed `[a TO b]` range.
    BadRange {
        /// The field (canonical name).
        field: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// An operator with nothing to apply to (`a AND`, `OR b`, `-`).
    DanglingOperator {
        /// The operator.
        operator: String,
        /// What was found instead of an operand.
        found: String,
    },
    /// The whole query is negative (`NOT x`, `-x`, `a OR NOT b`): it would match almost
    /// everything, so it is rejected.
    OnlyNegative,
    /// A `NEAR/N` operand that is not a term, phrase or OR-group of those.
    BadNearOperand,
    /// A term with nothing searchable (only punctuation or only wildcards), or a wildcard that
    /// spans several words.
    BadTerm {
        /// The term written.
        term: String,
        /// What is wrong.
        detail: String,
    },
    /// The query nests deeper than the parser allows.
    TooDeep {
        /// The maximum nesting.
        max: usize,
    },
    /// The query is longer than the parser accepts.
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The maximum length in bytes.
        max: usize,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Expected { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            ErrorKind::UnclosedParen { open, found } => write!(
                f,
                "expected ')' to close '(' opened at {}, found {found}",
                open.column
            ),
            ErrorKind::UnmatchedCloseParen => f.write_str("found ')' with no '(' to close"),
            ErrorKind::UnclosedQuote => {
                f.write_str("expected a closing '\"' for the phrase opened here, found end of query")
            }
            ErrorKind::UnclosedRange => {
                f.write_str("expected ']' to close the range opened here, found end of query")
            }
            ErrorKind::EmptyGroup => f.write_str("empty parentheses: expected a query inside '()'"),
            ErrorKind::EmptyPhrase => f.write_str("empty phrase: expected words inside '\"\"'"),
            ErrorKind::MissingDistance { operator } => {
                write!(f, "expected a distance after '{operator}', e.g. NEAR/3 or \"a b\"~3")
            }
            ErrorKind::BadDistance { value, max } => {
                write!(f, "bad distance '{value}': expected a whole number from 0 to {max}")
            }
            ErrorKind::UnknownField { name } => write!(
                f,
                "unknown field '{name}:', expected one of {}",
                crate::parser::FIELD_NAMES.join(", ")
            ),
            ErrorKind::BadValue {
                field,
                value,
                expected,
            } => write!(f, "bad value '{value}' for {field}: expected {expected}"),
            ErrorKind::BadRange { field, detail } => write!(f, "bad range for {field}: {detail}"),
            ErrorKind::DanglingOperator { operator, found } => write!(
                f,
                "expected a term, phrase, field or '(' after '{operator}', found {found}"
            ),
            ErrorKind::OnlyNegative => f.write_str(
                "the query only excludes posts (NOT/-): add something it must match, e.g. 'iberia -oferta'",
            ),
            ErrorKind::BadNearOperand => f.write_str(
                "expected a term, phrase or parenthesised OR of terms and phrases around NEAR",
            ),
            ErrorKind::BadTerm { term, detail } => write!(f, "bad term '{term}': {detail}"),
            ErrorKind::TooDeep { max } => {
                write!(f, "the query nests deeper than {max} levels")
            }
            ErrorKind::TooLong { len, max } => {
                write!(f, "the query is {len} bytes long, more than the {max} accepted")
            }
        }
    }
}

/// A query that could not be parsed: where, and what was expected and found.
///
/// Its message reads `at COLUMN: …` with a 1-based character column, e.g.
/// `at 14: expected ')' to close '(' opened at 1, found end of query`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at {}: {kind}", loc.column)]
pub struct QueryError {
    /// Where the problem is.
    pub loc: Loc,
    /// What the problem is.
    pub kind: ErrorKind,
}

impl QueryError {
    /// Byte offset (0-based) of the problem in the query.
    pub fn pos(&self) -> usize {
        self.loc.byte
    }

    /// Character column (1-based) of the problem in the query.
    pub fn column(&self) -> usize {
        self.loc.column
    }
}

/// Renders an error as three lines: the message, the query, and a caret under the column.
///
/// ```
/// let q = "(iberia OR vueling";
/// let err = tertulia_query::parse(q).unwrap_err();
/// assert_eq!(
///     tertulia_query::render_error(q, &err),
///     "at 19: expected ')' to close '(' opened at 1, found end of query\n\
///      (iberia OR vueling\n                  ^"
/// );
/// ```
pub fn render_error(query: &str, err: &QueryError) -> String {
    // Show the query on one line: control characters (newlines, tabs) become spaces so that the
    // caret stays under the right column.
    let shown: String = query
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let pad = " ".repeat(err.loc.column.saturating_sub(1));
    format!("{err}\n{shown}\n{pad}^")
}
