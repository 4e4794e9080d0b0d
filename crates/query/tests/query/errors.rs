//! Errors: exact messages with positions.

use tertulia_query::{ErrorKind, Query, parse, render_error};

fn err(q: &str) -> String {
    match parse(q) {
        Ok(n) => panic!("{q} parsed as {n:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn parentheses() {
    assert_eq!(
        err("(iberia OR vueling"),
        "at 19: expected ')' to close '(' opened at 1, found end of query"
    );
    assert_eq!(
        err("iberia (vuelo OR (retraso NOT)"),
        "at 30: expected a term, phrase, field or '(' after 'NOT', found ')'"
    );
    assert_eq!(
        err("a (b c"),
        "at 7: expected ')' to close '(' opened at 3, found end of query"
    );
    assert_eq!(err("iberia )"), "at 8: found ')' with no '(' to close");
    assert_eq!(
        err("a () b"),
        "at 3: empty parentheses: expected a query inside '()'"
    );
    assert_eq!(
        err("author:()"),
        "at 8: empty parentheses: expected a query inside '()'"
    );
}

#[test]
fn dangling_operators() {
    assert_eq!(
        err("iberia AND"),
        "at 11: expected a term, phrase, field or '(' after 'AND', found end of query"
    );
    assert_eq!(
        err("OR iberia"),
        "at 1: expected a term, phrase, field or '(', found 'OR'"
    );
    assert_eq!(
        err("iberia OR OR vueling"),
        "at 11: expected a term, phrase, field or '(' after 'OR', found 'OR'"
    );
    assert_eq!(
        err("iberia NOT"),
        "at 11: expected a term, phrase, field or '(' after 'NOT', found end of query"
    );
    assert_eq!(
        err("iberia - vueling"),
        "at 8: expected a term, phrase, field or '(' after '-', found a space"
    );
    assert_eq!(
        err("a NEAR/3"),
        "at 9: expected a term, phrase, field or '(' after 'NEAR/3', found end of query"
    );
    assert_eq!(
        err(""),
        "at 1: expected a term, phrase, field or '(', found end of query"
    );
    assert_eq!(
        err("   "),
        "at 4: expected a term, phrase, field or '(', found end of query"
    );
}

#[test]
fn quotes_and_distances() {
    assert_eq!(
        err("iberia \"vuelo cancelado"),
        "at 8: expected a closing '\"' for the phrase opened here, found end of query"
    );
    assert_eq!(
        err("a \"\" b"),
        "at 3: empty phrase: expected words inside '\"\"'"
    );
    assert_eq!(
        err("a NEAR/ b"),
        "at 8: expected a distance after 'NEAR/', e.g. NEAR/3 or \"a b\"~3"
    );
    assert_eq!(
        err("a NEAR b"),
        "at 7: expected a distance after 'NEAR', e.g. NEAR/3 or \"a b\"~3"
    );
    assert_eq!(
        err("a NEAR/99999 b"),
        "at 8: bad distance '99999': expected a whole number from 0 to 1000"
    );
    assert_eq!(
        err("\"a b\"~ c"),
        "at 6: expected a distance after '~', e.g. NEAR/3 or \"a b\"~3"
    );
    assert_eq!(
        err("\"a b\"~x"),
        "at 7: bad distance 'x': expected a whole number from 0 to 1000"
    );
}

#[test]
fn near_operands() {
    let msg = "expected a term, phrase or parenthesised OR of terms and phrases around NEAR";
    assert_eq!(err("(a AND b) NEAR/3 c"), format!("at 1: {msg}"));
    assert_eq!(err("a NEAR/3 -b"), format!("at 10: {msg}"));
    assert_eq!(err("a NEAR/3 lang:es"), format!("at 10: {msg}"));
}

#[test]
fn fields_and_values() {
    assert_eq!(
        err("colour:red"),
        "at 1: unknown field 'colour:', expected one of author, from, network, language, lang, \
         sentiment, intent, emotion, country, brand, authorFollowers, engagementType, date, title, text"
    );
    assert_eq!(
        err("iberia sentiment:happy"),
        "at 18: bad value 'happy' for sentiment: expected one of positive, neutral, negative"
    );
    assert_eq!(
        err("network:myspace"),
        "at 9: bad value 'myspace' for network: expected one of x, facebook, instagram, youtube, \
         reddit, mastodon, bluesky, tiktok, linkedin, reviews, news, blogs, forums, csv"
    );
    assert_eq!(
        err("engagementType:LIKE"),
        "at 16: bad value 'LIKE' for engagementType: expected one of REPLY, RESHARE, QUOTE, COMMENT"
    );
    assert_eq!(
        err("lang:español"),
        "at 6: bad value 'español' for language: expected an ISO 639-1 code such as es or en"
    );
    assert_eq!(
        err("author: iberia"),
        "at 8: expected a value right after 'author:' (no space), found a space"
    );
    assert_eq!(
        err("x authorFollowers:1000"),
        "at 19: bad value '1000' for authorFollowers: expected a range such as [1000 TO *]"
    );
    assert_eq!(
        err("author:(a AND b)"),
        "at 11: expected 'OR' or ')' between author values, found 'AND'"
    );
}

#[test]
fn ranges() {
    assert_eq!(
        err("authorFollowers:[10 TO 5]"),
        "at 17: bad range for authorFollowers: the lower bound 10 is above the upper bound 5"
    );
    assert_eq!(
        err("authorFollowers:[ten TO *]"),
        "at 18: bad range for authorFollowers: 'ten' is not a whole number or '*'"
    );
    assert_eq!(
        err("date:[2015-02-30 TO *]"),
        "at 7: bad range for date: '2015-02-30' is not a date YYYY-MM-DD, an RFC 3339 time or '*'"
    );
    assert_eq!(
        err("date:[2015-02-10 TO 2015-02-01]"),
        "at 6: bad range for date: the start 2015-02-10 is after the end 2015-02-01"
    );
    assert_eq!(
        err("date:[2015-02-10 2015-02-11]"),
        "at 6: bad range for date: expected [FROM TO TO] with '*' for an open end, found [2015-02-10 2015-02-11]"
    );
    assert_eq!(
        err("date:[2015-02-10 TO *"),
        "at 6: expected ']' to close the range opened here, found end of query"
    );
    assert_eq!(
        err("brand:[a TO b]"),
        "at 7: bad value '[a TO b]' for brand: expected a single value: only authorFollowers: and date: take ranges"
    );
}

#[test]
fn negative_only_queries_are_rejected() {
    let msg = "at 1: the query only excludes posts (NOT/-): add something it must match, e.g. 'iberia -oferta'";
    assert_eq!(err("NOT iberia"), msg);
    assert_eq!(err("-iberia"), msg);
    assert_eq!(err("-iberia -vueling"), msg);
    assert_eq!(err("iberia OR NOT vueling"), msg);
    assert!(parse("iberia -vueling").is_ok());
    assert!(parse("network:x -rt").is_ok());
}

#[test]
fn bad_terms() {
    assert_eq!(
        err("a ***"),
        "at 3: bad term '***': a wildcard needs letters or digits beside it, e.g. complain*"
    );
    assert_eq!(
        err("e-mail*"),
        "at 1: bad term 'e-mail*': a wildcard term must be one word, e.g. complain* or wom?n"
    );
    assert_eq!(
        err("a !!!"),
        "at 3: bad term '!!!': nothing to search for: a term needs letters, digits or emoji"
    );
    assert_eq!(
        err("a \"!! ??\""),
        "at 3: bad term '??': a wildcard needs letters or digits beside it, e.g. complain*"
    );
}

#[test]
fn positions_are_columns_and_bytes() {
    let q = "ñañá AND";
    let e = parse(q).err().unwrap_or_else(|| panic!("no error"));
    assert_eq!(e.pos(), 11);
    assert_eq!(e.column(), 9);
    assert_eq!(
        render_error(q, &e),
        "at 9: expected a term, phrase, field or '(' after 'AND', found end of query\nñañá AND\n        ^"
    );
    let q = "vuelo\t(retraso";
    let e = parse(q).err().unwrap_or_else(|| panic!("no error"));
    assert_eq!(
        render_error(q, &e),
        "at 15: expected ')' to close '(' opened at 7, found end of query\nvuelo (retraso\n              ^"
    );
    assert!(matches!(e.kind, ErrorKind::UnclosedParen { .. }));
}

#[test]
fn limits() {
    let deep = format!("{}a{}", "(".repeat(200), ")".repeat(200));
    assert_eq!(err(&deep), "at 129: the query nests deeper than 64 levels");
    let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
    assert!(
        parse(&deep).is_ok(),
        "parentheses around one term add no depth"
    );
    let nots = format!("a {}b", "NOT ".repeat(100));
    assert!(err(&nots).contains("nests deeper than 64 levels"));
    let chain = format!("{}b", "a NEAR/1 ".repeat(100));
    assert_eq!(err(&chain), "at 1: the query nests deeper than 64 levels");
    let long = "a ".repeat(40_000);
    assert_eq!(
        err(&long),
        "at 65537: the query is 80000 bytes long, more than the 65536 accepted"
    );
    assert!(Query::compile(&"a ".repeat(30_000)).is_ok());
}
