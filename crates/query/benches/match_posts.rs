//! Matching throughput: a brand-sized query against 100k short synthetic posts (Spanish and
//! English, with accents, hashtags, mentions and emoji), and brand tagging (many queries per
//! tokenised post).
//!
//! Run: `cargo bench -p tertulia-query --bench match_posts`. Throughput is in posts/s
//! (criterion's "elem/s").

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use tertulia_model::{Network, Post, PostKind};
use tertulia_query::{Document, Query};

const POSTS: usize = 100_000;

const BRAND_QUERY: &str = r#"(iberia OR "iberia express" OR @Iberia OR #Iberia OR iberiaexpress OR "IB3166")
AND (vuelo* OR avión OR aeropuerto OR maleta* OR equipaje OR retras* OR cancel* OR
     "atención al cliente" OR servicio OR tripulación OR asiento* OR embarque OR
     flight OR luggage OR delay* OR "customer service" OR crew OR seat* OR boarding OR 😡 OR 👎)
-oferta -sorteo -"trabaja con nosotros" -"job offer" -author:iberia"#;

const OTHER_BRANDS: &[&str] = &[
    "(vueling OR @vueling OR #vueling) -oferta",
    "(\"air europa\" OR @AirEuropa OR aireuropa) lang:es",
    "(ryanair OR @Ryanair) (retras* OR cancel* OR maleta*)",
    "(\"easyjet\" OR @easyJet) NOT sorteo",
    "(united OR @united OR \"united airlines\") (delay* OR cancel* OR bag*)",
    "(\"american airlines\" OR @AmericanAir) \"customer service\"~3",
    "(delta OR @Delta) -\"delta force\"",
    "(\"southwest\" OR @SouthwestAir) flight NEAR/3 (late OR delayed OR cancelled)",
    "(jetblue OR @JetBlue) -sentiment:positive",
];

const WORDS: &[&str] = &[
    "el",
    "la",
    "de",
    "que",
    "y",
    "en",
    "un",
    "vuelo",
    "avión",
    "retraso",
    "maleta",
    "niño",
    "cancelado",
    "atención",
    "cliente",
    "servicio",
    "pésimo",
    "gracias",
    "mañana",
    "aeropuerto",
    "the",
    "a",
    "to",
    "flight",
    "delayed",
    "luggage",
    "customer",
    "service",
    "great",
    "crew",
    "seat",
    "boarding",
    "late",
    "thanks",
    "again",
    "hours",
    "waiting",
    "gate",
    "madrid",
    "lima",
    "nunca",
    "más",
    "otra",
    "vez",
    "por",
    "favor",
    "ayuda",
    "respuesta",
    "oferta",
    "hoy",
];
const BRANDS: &[&str] = &[
    "Iberia",
    "@Iberia",
    "#Iberia",
    "Vueling",
    "@united",
    "Ryanair",
    "Air Europa",
    "Delta",
];
const EXTRAS: &[&str] = &[
    "😡",
    "👍🏽",
    "#MalServicio",
    "#viaje",
    "@amigo",
    "!!",
    "?",
    "🙏",
];

/// A tiny deterministic generator (xorshift64*), so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn corpus() -> Vec<Post> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..POSTS)
        .map(|i| {
            let mut p = Post::new(Network::X, i.to_string(), PostKind::Post);
            let n = 8 + (rng.next() % 16) as usize;
            let mut text = String::with_capacity(120);
            for k in 0..n {
                if k > 0 {
                    text.push(' ');
                }
                let r = rng.next() % 100;
                let w = if r < 4 {
                    rng.pick(BRANDS)
                } else if r < 12 {
                    rng.pick(EXTRAS)
                } else {
                    rng.pick(WORDS)
                };
                if r.is_multiple_of(7) {
                    text.push_str(&w.to_uppercase());
                } else {
                    text.push_str(w);
                }
            }
            p.text = text;
            p.author.handle = Some(format!("user{}", rng.next() % 10_000));
            p.lang = Some(if i.is_multiple_of(3) { "en" } else { "es" }.into());
            p
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let posts = corpus();
    let brand = Query::compile(BRAND_QUERY).unwrap_or_else(|e| panic!("{e}"));
    let others: Vec<Query> = OTHER_BRANDS
        .iter()
        .map(|q| Query::compile(q).unwrap_or_else(|e| panic!("{q}: {e}")))
        .collect();
    let hits = posts.iter().filter(|p| brand.matches(p)).count();
    eprintln!("brand query matches {hits} of {POSTS} posts");

    c.bench_function("compile brand query", |b| {
        b.iter(|| Query::compile(black_box(BRAND_QUERY)))
    });

    let mut g = c.benchmark_group("100k posts");
    g.sample_size(10);
    g.throughput(Throughput::Elements(POSTS as u64));
    g.bench_function("tokenise + match brand query", |b| {
        b.iter(|| posts.iter().filter(|p| brand.matches(p)).count())
    });
    g.bench_function("tokenise only", |b| {
        b.iter(|| posts.iter().map(|p| Document::new(p).len()).sum::<usize>())
    });
    let docs: Vec<Document<'_>> = posts.iter().map(Document::new).collect();
    g.bench_function("match brand query on tokenised posts", |b| {
        b.iter(|| docs.iter().filter(|d| brand.matches_document(d)).count())
    });
    g.bench_function("tokenise + tag with 10 brand queries", |b| {
        b.iter(|| {
            posts
                .iter()
                .map(|p| {
                    let d = Document::new(p);
                    usize::from(brand.matches_document(&d))
                        + others.iter().filter(|q| q.matches_document(&d)).count()
                })
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
