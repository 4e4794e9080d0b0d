//! Property tests: the parser never panics, and printing an AST gives a query that parses back
//! to the same AST.

use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;
use tertulia_model::{Emotion, Intent, Network, Post, PostKind, Sentiment};
use tertulia_query::{DateBound, EngagementType, Filter, Node, Phrase, Query, Scope, Term, parse};

fn word() -> impl Strategy<Value = String> {
    "[a-zA-Zñáéíóúü0-9]{1,8}".prop_filter("not an operator", |w| {
        !matches!(w.as_str(), "AND" | "OR" | "NOT") && !w.starts_with("NEAR")
    })
}

fn term() -> impl Strategy<Value = Node> {
    prop_oneof![
        4 => word(),
        1 => word().prop_map(|w| format!("#{w}")),
        1 => word().prop_map(|w| format!("@{w}")),
        1 => word().prop_map(|w| format!("{w}*")),
        1 => "[a-z]{1,3}\\?[a-z]{1,3}",
        1 => prop_oneof![Just("😡".to_string()), Just("👍🏽".to_string()), Just("and".to_string())],
    ]
    .prop_map(|t| Node::Term(Term::new(t)))
}

fn phrase() -> impl Strategy<Value = Phrase> {
    prop::collection::vec(word(), 1..4).prop_map(|w| Phrase::new(w.join(" ")))
}

fn positional() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        3 => term(),
        1 => phrase().prop_map(Node::Phrase),
        1 => (phrase(), 0..20u32).prop_map(|(phrase, distance)| Node::Proximity { phrase, distance }),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Node::Or),
            (inner.clone(), inner, 0..10u32, any::<bool>()).prop_map(
                |(l, r, distance, ordered)| {
                    Node::Near {
                        left: Box::new(l),
                        right: Box::new(r),
                        distance,
                        ordered,
                    }
                }
            ),
        ]
    })
}

fn date_bound() -> impl Strategy<Value = DateBound> {
    prop_oneof![
        (2000..2030i32, 1..=365u32).prop_filter_map("day", |(y, d)| NaiveDate::from_yo_opt(y, d)
            .map(DateBound::Day)),
        (946_684_800i64..1_893_456_000)
            .prop_filter_map("instant", |s| DateTime::<Utc>::from_timestamp(s, 0)
                .map(DateBound::Instant)),
    ]
}

fn start(b: &DateBound) -> i64 {
    match b {
        DateBound::Day(d) => d
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp()),
        DateBound::Instant(t) => t.timestamp(),
    }
}

fn end(b: &DateBound) -> i64 {
    match b {
        DateBound::Day(d) => d
            .and_hms_opt(23, 59, 59)
            .map_or(0, |t| t.and_utc().timestamp()),
        DateBound::Instant(t) => t.timestamp(),
    }
}

fn filter() -> impl Strategy<Value = Node> {
    prop_oneof![
        prop_oneof!["[a-z_]{1,8}", "[a-z]{1,5} [a-z]{1,5}", "[a-z]{2,5}\\*"]
            .prop_map(Filter::Author),
        prop::sample::select(Network::ALL.to_vec()).prop_map(Filter::Network),
        "[a-z]{2}".prop_map(Filter::Language),
        prop::sample::select(Sentiment::ALL.to_vec()).prop_map(Filter::Sentiment),
        prop::sample::select(Intent::ALL.to_vec()).prop_map(Filter::Intent),
        prop::sample::select(Emotion::ALL.to_vec()).prop_map(Filter::Emotion),
        "[A-Z]{2}".prop_map(Filter::Country),
        "[A-Za-z]{1,8}( [A-Za-z]{1,8})?".prop_map(Filter::Brand),
        prop::sample::select(vec![
            EngagementType::Reply,
            EngagementType::Reshare,
            EngagementType::Quote,
            EngagementType::Comment
        ])
        .prop_map(Filter::EngagementType),
        (
            prop::option::of(0..100_000u64),
            prop::option::of(0..100_000u64)
        )
            .prop_filter("min <= max", |(a, b)| match (a, b) {
                (Some(a), Some(b)) => a <= b,
                _ => true,
            })
            .prop_map(|(min, max)| Filter::AuthorFollowers { min, max }),
        (
            prop::option::of(date_bound()),
            prop::option::of(date_bound())
        )
            .prop_filter("from <= to", |(a, b)| match (a, b) {
                (Some(a), Some(b)) => start(a) <= end(b),
                _ => true,
            })
            .prop_map(|(from, to)| Filter::Date { from, to }),
    ]
    .prop_map(Node::Filter)
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![3 => positional(), 1 => filter()];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            3 => prop::collection::vec(inner.clone(), 2..4).prop_map(Node::And),
            3 => prop::collection::vec(inner.clone(), 2..4).prop_map(Node::Or),
            1 => inner.clone().prop_map(|n| Node::Not(Box::new(n))),
            1 => (prop::bool::ANY, inner).prop_map(|(title, n)| {
                Node::Scoped(if title { Scope::Title } else { Scope::Text }, Box::new(n))
            }),
        ]
    })
    .prop_filter("positive", Node::is_positive)
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        word(),
        prop::sample::select(vec![
            "AND",
            "OR",
            "NOT",
            "NEAR/3",
            "NEAR/2f",
            "NEAR/",
            "NEAR",
            "(",
            ")",
            "\"",
            "-",
            "*",
            "?",
            "~2",
            "~",
            "author:",
            "from:@",
            "date:[",
            "authorFollowers:[",
            " TO ",
            "]",
            "[",
            "#",
            "@",
            "😡",
            "lang:",
            "es",
            "title:",
            "sentiment:negative",
            "2015-02-01",
            ":",
            "/",
            "ñ",
            "\u{301}",
            "\t",
            "\n",
        ])
        .prop_map(str::to_string),
    ]
}

fn sample_post() -> Post {
    let mut p = Post::new(Network::X, "1", PostKind::Reply);
    p.title = Some("Título ñ".into());
    p.text = "niño and #es @author 😡 2015 vuelo a b c ñ é".into();
    p.author.handle = Some("author".into());
    p.author.followers = Some(10);
    p.lang = Some("es".into());
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parser_never_panics_on_any_string(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn parsed_queries_have_a_stable_canonical_form(
        parts in prop::collection::vec(fragment(), 0..16),
        spaces in prop::collection::vec(any::<bool>(), 16),
    ) {
        let q: String = parts
            .iter()
            .zip(&spaces)
            .map(|(p, s)| if *s { format!("{p} ") } else { p.clone() })
            .collect();
        if let Ok(ast) = parse(&q) {
            let printed = ast.to_string();
            let again = parse(&printed);
            prop_assert_eq!(again.as_ref(), Ok(&ast), "query {:?} printed as {:?}", q, printed);
            let post = sample_post();
            let a = Query::compile(&q).map(|x| x.matches(&post));
            let b = Query::compile(&printed).map(|x| x.matches(&post));
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn printed_ast_parses_back_to_itself(ast in node()) {
        let printed = ast.to_string();
        let back = parse(&printed);
        prop_assert_eq!(back.as_ref(), Ok(&ast), "printed as {:?}", printed);
        // Matching never panics either.
        let _ = Query::from_ast(ast).matches(&sample_post());
    }
}
