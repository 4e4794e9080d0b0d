//! Tertulia's query language: a boolean search syntax compatible with Brandwatch's, with the
//! X-search habits people bring (a space means AND, `-term`, `from:`, `lang:`).
//!
//! * [`parse`] turns a query into an AST ([`Node`]) or a positioned [`QueryError`]
//!   ([`render_error`] draws a caret under the problem);
//! * [`Query::compile`] parses and prepares a query for fast matching;
//! * [`Document::new`] tokenises a post once; [`Query::matches_document`] tests it, and
//!   [`Query::matches`] does both for one post;
//! * `Display` on a [`Node`] prints the canonical query, which parses back to the same AST;
//! * [`Node::required_terms`] gives the terms a match must contain, for index pre-filtering.
//!
//! Matching is case-insensitive always, and accent-insensitive for terms written without
//! accents: `nino` finds "niño" and "Niño", while `niño` does not find "nino".
//!
//! ```
//! use tertulia_model::{Network, Post, PostKind};
//! use tertulia_query::Query;
//!
//! let q = Query::compile(r#"(iberia OR @Iberia) ("vuelo cancelado" OR retras*) -oferta lang:es"#)?;
//! let mut post = Post::new(Network::X, "1", PostKind::Post);
//! post.text = "@Iberia otra vez RETRASADO el vuelo, qué desastre".into();
//! post.lang = Some("es".into());
//! assert!(q.matches(&post));
//! # Ok::<(), tertulia_query::QueryError>(())
//! ```
//!
//! The syntax is described in `docs/query.md`.

mod ast;
mod document;
mod error;
mod lexer;
mod matcher;
mod parser;
pub mod text;

pub use ast::{DateBound, EngagementType, Filter, Node, Phrase, Scope, Term};
pub use document::{Document, MAX_DOC_BYTES};
pub use error::{ErrorKind, Loc, QueryError, render_error};
pub use lexer::MAX_DISTANCE;
pub use parser::{FIELD_NAMES, MAX_DEPTH, MAX_QUERY_LEN, canonical_field, parse};

use std::fmt;
use std::str::FromStr;
use tertulia_model::Post;

/// A parsed and compiled query, ready to match posts. Cheap to share between threads.
#[derive(Clone)]
pub struct Query {
    source: String,
    ast: Node,
    root: matcher::CNode,
}

impl Query {
    /// Parses and compiles a query.
    pub fn compile(query: &str) -> Result<Query, QueryError> {
        let ast = parse(query)?;
        let mut q = Query::from_ast(ast);
        q.source = query.to_string();
        Ok(q)
    }

    /// Compiles an AST built by other code. It is not checked the way [`parse`] checks a query
    /// (a purely negative tree is accepted, a term with nothing searchable never matches, NEAR
    /// operands that are not positional match nowhere). Its source is the printed AST.
    pub fn from_ast(ast: Node) -> Query {
        let root = matcher::compile(&ast, matcher::Region::All);
        Query {
            source: ast.to_string(),
            ast,
            root,
        }
    }

    /// The query text it was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The query's syntax tree.
    pub fn ast(&self) -> &Node {
        &self.ast
    }

    /// The terms a matching post must contain (see [`Node::required_terms`]).
    pub fn required_terms(&self) -> Vec<Vec<String>> {
        self.ast.required_terms()
    }

    /// Whether a post matches. Tokenises the post; to match one post against many queries,
    /// build a [`Document`] once and use [`Query::matches_document`].
    pub fn matches(&self, post: &Post) -> bool {
        self.matches_document(&Document::new(post))
    }

    /// Whether an already tokenised post matches.
    pub fn matches_document(&self, doc: &Document<'_>) -> bool {
        self.root.eval(doc)
    }
}

impl fmt::Debug for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query")
            .field("source", &self.source)
            .field("ast", &self.ast)
            .finish()
    }
}

impl fmt::Display for Query {
    /// The canonical form of the query (see [`Node`]'s `Display`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.ast)
    }
}

impl FromStr for Query {
    type Err = QueryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Query::compile(s)
    }
}

impl PartialEq for Query {
    /// Two queries are equal when their syntax trees are.
    fn eq(&self, other: &Self) -> bool {
        self.ast == other.ast
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_shareable_between_threads() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Query>();
        check::<Document<'static>>();
    }

    #[test]
    fn from_ast_accepts_what_parse_would_refuse() {
        let q = Query::from_ast(Node::Not(Box::new(Node::Term(Term::new("spam")))));
        assert_eq!(q.source(), "NOT spam");
        let mut p = Post::new(
            tertulia_model::Network::X,
            "1",
            tertulia_model::PostKind::Post,
        );
        p.text = "hola".into();
        assert!(q.matches(&p));
        let never = Query::from_ast(Node::Term(Term::new("!!!")));
        assert!(!never.matches(&p));
    }
}
