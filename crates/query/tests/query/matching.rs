//! Exact expected matches of every construct on small hand-made posts (Spanish and English).

use chrono::{TimeZone, Utc};
use tertulia_model::{Emotion, Enrichment, Intent, Network, Post, PostKind, Sentiment};
use tertulia_query::{Document, Query};

struct P {
    id: &'static str,
    network: Network,
    kind: PostKind,
    text: &'static str,
    title: Option<&'static str>,
    handle: &'static str,
    name: &'static str,
    followers: Option<u64>,
    lang: &'static str,
    day: u32,
    hour: u32,
    enrich: Option<(Sentiment, &'static [Intent], Emotion)>,
    country: Option<&'static str>,
    brands: &'static [&'static str],
}

const BASE: P = P {
    id: "",
    network: Network::X,
    kind: PostKind::Post,
    text: "",
    title: None,
    handle: "",
    name: "",
    followers: None,
    lang: "",
    day: 1,
    hour: 12,
    enrich: None,
    country: None,
    brands: &[],
};

fn corpus() -> Vec<Post> {
    let specs = [
        P {
            id: "1",
            text: "El niño no para de llorar en el vuelo de Iberia 😡",
            handle: "maria_g",
            name: "María García",
            followers: Some(120),
            lang: "es",
            day: 5,
            enrich: Some((Sentiment::Negative, &[Intent::Complaint], Emotion::Anger)),
            country: Some("ES"),
            brands: &["Iberia"],
            ..BASE
        },
        P {
            id: "2",
            kind: PostKind::Reply,
            text: "NIÑO feliz con su regalo #Navidad 🎁",
            handle: "pepe",
            followers: Some(5000),
            lang: "es",
            day: 8,
            enrich: Some((Sentiment::Positive, &[Intent::Praise], Emotion::Joy)),
            country: Some("mx"),
            ..BASE
        },
        P {
            id: "3",
            network: Network::Youtube,
            kind: PostKind::Comment,
            text: "Nino Bravo es el mejor cantante",
            handle: "musica_fan",
            followers: Some(10),
            lang: "es",
            day: 12,
            ..BASE
        },
        P {
            id: "4",
            kind: PostKind::Quote,
            text: "Worst customer service ever @united, my flight was delayed 5 hours #fail",
            handle: "jdoe",
            name: "John Doe",
            followers: Some(20000),
            lang: "en",
            day: 9,
            enrich: Some((Sentiment::Negative, &[Intent::Complaint], Emotion::Anger)),
            country: Some("US"),
            brands: &["United"],
            ..BASE
        },
        P {
            id: "5",
            kind: PostKind::Reshare,
            text: "I love the women who work at the front desk, great service!",
            lang: "en",
            day: 10,
            hour: 23,
            enrich: Some((Sentiment::Positive, &[Intent::Praise], Emotion::Joy)),
            ..BASE
        },
        P {
            id: "6",
            text: "A woman complained about the complaint process",
            lang: "en",
            ..BASE
        },
        P {
            id: "7",
            network: Network::Facebook,
            kind: PostKind::Comment,
            text: "Me quejo: el servicio al cliente fue pésimo, sin respuesta. #MalServicio",
            handle: "Ana_R",
            lang: "es",
            ..BASE
        },
        P {
            id: "8",
            network: Network::Reddit,
            title: Some("Vuelo cancelado"),
            text: "El vuelo de Madrid a Lima fue cancelado otra vez 👍🏽",
            lang: "es",
            ..BASE
        },
        P {
            id: "9",
            text: "rock and roll or nothing, e-mail me",
            lang: "en",
            ..BASE
        },
    ];
    specs
        .into_iter()
        .map(|s| {
            let mut p = Post::new(s.network, s.id, s.kind);
            p.text = s.text.into();
            p.title = s.title.map(Into::into);
            p.author.handle = (!s.handle.is_empty()).then(|| s.handle.into());
            p.author.name = (!s.name.is_empty()).then(|| s.name.into());
            p.author.followers = s.followers;
            p.lang = (!s.lang.is_empty()).then(|| s.lang.into());
            p.created_at = Utc.with_ymd_and_hms(2015, 2, s.day, s.hour, 30, 0).single();
            p.enrichment = s.enrich.map(|(sentiment, intents, emotion)| Enrichment {
                lang: s.lang.into(),
                sentiment,
                sentiment_score: 0.0,
                intents: intents.to_vec(),
                emotion,
                offensive: false,
            });
            p.country = s.country.map(Into::into);
            p.brands = s.brands.iter().map(|b| b.to_string()).collect();
            p
        })
        .collect()
}

/// Ids of the corpus posts that match `q`, in corpus order.
fn ids(q: &str) -> Vec<String> {
    let query = Query::compile(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    let posts = corpus();
    let docs: Vec<Document<'_>> = posts.iter().map(Document::new).collect();
    let via_docs: Vec<String> = docs
        .iter()
        .filter(|d| query.matches_document(d))
        .map(|d| d.post().native_id.clone())
        .collect();
    let via_posts: Vec<String> = posts
        .iter()
        .filter(|p| query.matches(p))
        .map(|p| p.native_id.clone())
        .collect();
    assert_eq!(via_docs, via_posts, "{q}");
    // The canonical form must match the same posts.
    let canonical =
        Query::compile(&query.to_string()).unwrap_or_else(|e| panic!("canonical {}: {e}", query));
    let via_canonical: Vec<String> = posts
        .iter()
        .filter(|p| canonical.matches(p))
        .map(|p| p.native_id.clone())
        .collect();
    assert_eq!(via_canonical, via_posts, "canonical form of {q}: {query}");
    via_posts
}

macro_rules! check {
    ($($q:expr => [$($id:expr),*]);+ $(;)?) => {
        $( assert_eq!(ids($q), vec![$($id.to_string()),*] as Vec<String>, "query {}", $q); )+
    };
}

#[test]
fn terms_are_case_insensitive() {
    check! {
        "iberia" => ["1"];
        "IBERIA" => ["1"];
        "Worst" => ["4"];
    }
}

#[test]
fn accents_rule() {
    check! {
        "nino" => ["1", "2", "3"];
        "niño" => ["1", "2"];
        "NIÑO" => ["1", "2"];
        "pesimo" => ["7"];
        "pésimo" => ["7"];
        "pesímo" => [];
        "garcia" => [];
        "author:\"maria garcia\"" => ["1"];
        "author:\"maría garcía\"" => ["1"];
        // a value with accents is compared exactly as a whole
        "author:\"maría garcia\"" => [];
    }
}

#[test]
fn lowercase_operators_are_terms() {
    check! {
        "and" => ["9"];
        "rock and roll" => ["9"];
        "or" => ["9"];
        "rock OR not" => ["9"];
    }
}

#[test]
fn boolean_operators_and_precedence() {
    check! {
        "vuelo iberia" => ["1"];
        "vuelo AND iberia" => ["1"];
        "iberia OR united" => ["1", "4"];
        "vuelo NOT iberia" => ["8"];
        "vuelo -iberia" => ["8"];
        "vuelo AND NOT iberia" => ["8"];
        "vuelo -\"de iberia\"" => ["8"];
        "vuelo -(iberia OR madrid)" => [];
        // NOT > AND > OR
        "niño OR nino bravo" => ["1", "2", "3"];
        "nino bravo OR feliz" => ["2", "3"];
        "NOT iberia niño" => ["2"];
        "(nino OR feliz) bravo" => ["3"];
    }
}

#[test]
fn phrases_and_multi_token_terms() {
    check! {
        "\"customer service\"" => ["4"];
        "\"service customer\"" => [];
        "\"servicio al cliente\"" => ["7"];
        "\"SERVICIO AL CLIENTE\"" => ["7"];
        "\"vuelo cancelado\"" => ["8"];
        "\"cancelado el\"" => [];
        "e-mail" => ["9"];
        "\"e-mail me\"" => ["9"];
        "\"complain* about\"" => ["6"];
    }
}

#[test]
fn proximity() {
    check! {
        "\"flight delayed\"~1" => ["4"];
        "\"delayed flight\"~1" => ["4"];
        "\"flight delayed\"~0" => [];
        "\"flight hours\"~2" => [];
        "\"flight hours\"~3" => ["4"];
        "\"vuelo madrid cancelado\"~4" => ["8"];
        "\"vuelo madrid cancelado\"~3" => [];
    }
}

#[test]
fn near() {
    check! {
        "flight NEAR/1 delayed" => ["4"];
        "delayed NEAR/1 flight" => ["4"];
        "delayed NEAR/1f flight" => [];
        "flight NEAR/1f delayed" => ["4"];
        "flight NEAR/0 delayed" => [];
        "vuelo NEAR/0 cancelado" => ["8"];
        "text:(vuelo NEAR/0 cancelado)" => [];
        "text:(vuelo NEAR/5 cancelado)" => ["8"];
        "(vuelo OR flight) NEAR/3 (cancelado OR delayed)" => ["4", "8"];
        "\"de madrid\" NEAR/3f cancelado" => ["8"];
        "\"de madrid\" NEAR/2f cancelado" => [];
        "customer NEAR/1f service NEAR/5f delayed" => ["4"];
        "\"flight delayed\"~1 NEAR/1 hours" => ["4"];
    }
}

#[test]
fn wildcards() {
    check! {
        "complain*" => ["6"];
        "wom?n" => ["5", "6"];
        "cancel*" => ["8"];
        "quej?" => ["7"];
        "#mal*" => ["7"];
        "ni?o" => ["1", "2", "3"];
        "ni?o AND NOT nino" => [];
        "c*e" => ["3", "7"];
    }
}

#[test]
fn hashtags_mentions_emoji() {
    check! {
        "#fail" => ["4"];
        "fail" => ["4"];
        "#FAIL" => ["4"];
        "#malservicio" => ["7"];
        "malservicio" => ["7"];
        "#service" => [];
        "@united" => ["4"];
        "united" => ["4"];
        "@iberia" => [];
        "😡" => ["1"];
        "👍" => ["8"];
        "👍🏽" => ["8"];
        "🎁 OR 😡" => ["1", "2"];
    }
}

#[test]
fn author_and_enrichment_filters() {
    check! {
        "author:maria_g" => ["1"];
        "from:@jdoe" => ["4"];
        "author:JDOE" => ["4"];
        "author:\"john doe\"" => ["4"];
        "author:ana*" => ["7"];
        "author:(pepe OR jdoe)" => ["2", "4"];
        "sentiment:negative" => ["1", "4"];
        "intent:complaint" => ["1", "4"];
        "intent:praise -sentiment:positive" => [];
        "emotion:joy" => ["2", "5"];
        "country:es" => ["1"];
        "country:MX" => ["2"];
        "brand:united" => ["4"];
        "brand:\"Iberia\" OR brand:united" => ["1", "4"];
    }
}

#[test]
fn post_field_filters() {
    check! {
        "network:youtube" => ["3"];
        "network:twitter sentiment:positive" => ["2", "5"];
        "lang:en" => ["4", "5", "6", "9"];
        "language:ES vuelo" => ["1", "8"];
        "authorFollowers:[1000 TO *]" => ["2", "4"];
        "authorFollowers:[* TO 120]" => ["1", "3"];
        "authorFollowers:[120 TO 5000]" => ["1", "2"];
        "engagementType:REPLY" => ["2"];
        "engagementType:QUOTE" => ["4"];
        "engagementType:COMMENT" => ["3", "7"];
        "engagementType:RESHARE" => ["5"];
        "date:[2015-02-08 TO 2015-02-10]" => ["2", "4", "5"];
        "date:[2015-02-10T00:00:00Z TO *]" => ["3", "5"];
        "date:[* TO 2015-02-05T12:30:00+00:00]" => ["1", "6", "7", "8", "9"];
        "date:2015-02-12" => ["3"];
        "title:cancelado" => ["8"];
        "text:cancelado" => ["8"];
        "title:madrid" => [];
        "text:\"vuelo cancelado\"" => [];
        "title:(vuelo OR iberia)" => ["8"];
    }
}

#[test]
fn one_document_many_queries() {
    let posts = corpus();
    let doc = Document::new(&posts[0]);
    let hits: Vec<bool> = ["iberia", "nino", "united", "😡 sentiment:negative"]
        .iter()
        .map(|q| {
            Query::compile(q)
                .map(|q| q.matches_document(&doc))
                .unwrap_or(false)
        })
        .collect();
    assert_eq!(hits, vec![true, true, false, true]);
}

#[test]
fn language_falls_back_to_source_and_subtags() {
    let mut p = Post::new(Network::X, "1", PostKind::Post);
    p.text = "hola".into();
    p.lang = Some("es-MX".into());
    let q = Query::compile("hola lang:es").unwrap_or_else(|e| panic!("{e}"));
    assert!(q.matches(&p));
    p.enrichment = Some(Enrichment {
        lang: "und".into(),
        sentiment: Sentiment::Neutral,
        sentiment_score: 0.0,
        intents: vec![],
        emotion: Emotion::None,
        offensive: false,
    });
    assert!(q.matches(&p), "und falls back to the source language");
    if let Some(e) = p.enrichment.as_mut() {
        e.lang = "pt".into();
    }
    assert!(!q.matches(&p), "the enriched language wins");
}

#[test]
fn hostile_text_is_bounded() {
    let mut p = Post::new(Network::X, "1", PostKind::Post);
    p.text = "ñ ".repeat(1_000_000);
    let q = Query::compile("\"ñ ñ\"~3 NEAR/2 ñ").unwrap_or_else(|e| panic!("{e}"));
    assert!(Document::new(&p).len() <= tertulia_query::MAX_DOC_BYTES / 2);
    let q2 = Query::compile("nada").unwrap_or_else(|e| panic!("{e}"));
    assert!(!q2.matches(&p));
    // Positional queries over huge posts still finish (not timed).
    p.text = "ñ ".repeat(2_000);
    assert!(q.matches(&p));
}

#[test]
fn repeated_words_in_proximity_need_repeated_tokens() {
    let m = |text: &str, q: &str| {
        let mut p = Post::new(Network::X, "1", PostKind::Post);
        p.text = text.into();
        Query::compile(q)
            .map(|q| q.matches(&p))
            .unwrap_or_else(|e| panic!("{q}: {e}"))
    };
    assert!(m("es muy caro, muy", "\"muy muy caro\"~2"));
    assert!(m("es muy caro, muy", "\"muy muy caro\"~0"), "any order");
    assert!(!m("muy es caro, muy", "\"muy muy caro\"~0"));
    assert!(m("muy es caro, muy", "\"muy muy caro\"~1"));
    assert!(!m("es muy caro", "\"muy muy caro\"~5"));
    assert!(m("es muy caro", "\"muy caro\"~0"));
    // NEAR operands may not overlap: a token is not near itself.
    assert!(!m("es muy caro", "caro NEAR/3 caro"));
    assert!(m("es muy caro", "muy NEAR/0 caro"));
}
