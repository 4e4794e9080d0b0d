//! Integration tests of the query language: matching semantics, positioned errors, golden
//! canonical forms and property tests.

mod docs;
mod errors;
mod golden;
mod matching;
mod props;
