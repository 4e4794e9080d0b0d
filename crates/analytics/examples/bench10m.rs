//! Speed and memory of the rollup-based analyses over a large embedded store.
//!
//! Builds a store of N posts (default 10,000,000) in a temporary directory (never in the
//! repository) by resampling real texts from `../shared/data/*.jsonl` with random authors,
//! networks, brands, sentiments, metrics and times spread over one year, then measures p50/p95
//! of `timeline` (day and hour intervals, all brands and one brand) and `share-of-voice`, and
//! the process' peak RSS.
//!
//! ```text
//! cargo run --release -p tertulia-analytics --example bench10m -- [POSTS] [--keep DIR]
//! ```
//!
//! Brands are assigned by drawing (0–2 of six per post) rather than by running their queries,
//! so the figure is the ingest of the store plus the analyses, not the query matcher.

use std::path::PathBuf;
use std::time::Instant;
use tertulia_analytics::{Brand, BrandSet, Interval, Params, share_of_voice, timeline};
use tertulia_model::{Emotion, Enrichment, Item, Network, Post, PostKind, Sentiment};
use tertulia_store::{OpenOptions, SqliteStore, Store, Synchronous};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const BRANDS: [&str; 6] = [
    "Iberia",
    "Vueling",
    "Air Europa",
    "Ryanair",
    "United",
    "Delta",
];

fn texts() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("{} is absent: using synthetic texts", dir.display());
        return vec![
            "vuelo retrasado otra vez".into(),
            "great crew, thanks".into(),
        ];
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for line in text.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                && let Some(t) = v["text"].as_str()
            {
                out.push(t.chars().take(500).collect());
            }
        }
    }
    out
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn percentiles(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let p = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (p(0.5), p(0.95))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: u64 = args
        .iter()
        .find(|a| a.chars().all(|c| c.is_ascii_digit()))
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000_000);
    let keep = args
        .iter()
        .position(|a| a == "--keep")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let tmp = tempfile::tempdir()?;
    let dir = keep.clone().unwrap_or_else(|| tmp.path().join("data"));
    let texts = texts();
    println!("{} source texts; store in {}", texts.len(), dir.display());
    let store = SqliteStore::open_with(
        &dir,
        &OpenOptions {
            synchronous: Synchronous::Off,
            cache_mib: 64,
        },
    )?;
    let have = store.count()?;
    let mut rng = Rng(42);
    let start_t = 1_420_070_400i64; // 2015-01-01
    let t0 = Instant::now();
    let batch = 10_000u64;
    let mut i = have;
    while i < n {
        let mut items = Vec::with_capacity(batch as usize);
        for _ in 0..batch.min(n - i) {
            let net = [
                Network::X,
                Network::X,
                Network::Facebook,
                Network::Instagram,
                Network::Reddit,
                Network::Mastodon,
                Network::Bluesky,
                Network::Youtube,
            ][rng.below(8) as usize];
            let mut p = Post::new(net, format!("p{i}"), PostKind::Post);
            let user = rng.below(500_000);
            p.author.handle = Some(format!("user{user}"));
            p.author.followers = Some(rng.below(10_000));
            p.text = texts[rng.below(texts.len() as u64) as usize].clone();
            p.created_at =
                chrono::DateTime::from_timestamp(start_t + rng.below(365 * 86_400) as i64, 0);
            p.metrics.likes = Some(rng.below(50));
            p.metrics.reshares = Some(rng.below(10));
            let s = [Sentiment::Positive, Sentiment::Neutral, Sentiment::Negative]
                [rng.below(3) as usize];
            p.enrichment = Some(Enrichment {
                lang: "es".into(),
                sentiment: s,
                sentiment_score: 0.0,
                intents: Vec::new(),
                emotion: Emotion::None,
                offensive: false,
            });
            for _ in 0..rng.below(3) {
                let b = BRANDS[rng.below(6) as usize].to_string();
                if !p.brands.contains(&b) {
                    p.brands.push(b);
                }
            }
            items.push(Item::Post(Box::new(p)));
            i += 1;
        }
        store.upsert(&items)?;
        if i % 500_000 == 0 || i == n {
            let secs = t0.elapsed().as_secs_f64();
            println!(
                "  {i} posts, {:.0} posts/s, rss {} MiB",
                (i - have) as f64 / secs,
                rss_kib("VmRSS:") / 1024
            );
        }
    }
    let ingest = t0.elapsed().as_secs_f64();
    println!(
        "ingest: {} posts in {ingest:.1} s ({:.0} posts/s)",
        n - have,
        (n - have) as f64 / ingest.max(1e-9)
    );
    let brands = BrandSet::new(
        BRANDS
            .iter()
            .enumerate()
            .map(|(k, b)| Brand::new(*b, b.to_lowercase(), k == 0))
            .collect(),
    )?;
    let mut raw = Vec::new();
    let mut rows = 0;
    for _ in 0..11 {
        let t = Instant::now();
        rows = store
            .rollups(&tertulia_store::RollupFilter::default())?
            .len();
        raw.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (p50, p95) = percentiles(raw);
    println!(
        "{:30} p50 {p50:8.2} ms  p95 {p95:8.2} ms  ({rows} hourly rollup rows)",
        "store.rollups (all rows)"
    );
    let cases: Vec<(&str, Params)> = vec![
        (
            "timeline day, all",
            Params {
                brands: brands.clone(),
                ..Params::default()
            },
        ),
        (
            "timeline hour, one month",
            Params {
                brands: brands.clone(),
                interval: Interval::Hour,
                from: chrono::DateTime::from_timestamp(start_t + 31 * 86_400, 0),
                to: chrono::DateTime::from_timestamp(start_t + 59 * 86_400, 0),
                ..Params::default()
            },
        ),
        (
            "timeline week, brand Iberia",
            Params {
                brands: brands.clone(),
                brand: Some("Iberia".into()),
                interval: Interval::Week,
                ..Params::default()
            },
        ),
        (
            "share-of-voice",
            Params {
                brands: brands.clone(),
                ..Params::default()
            },
        ),
    ];
    for (name, p) in cases {
        let mut times = Vec::new();
        for _ in 0..11 {
            let t = Instant::now();
            if name.starts_with("share") {
                std::hint::black_box(share_of_voice(&store, &p)?);
            } else {
                std::hint::black_box(timeline(&store, &p)?);
            }
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (p50, p95) = percentiles(times);
        println!("{name:30} p50 {p50:8.2} ms  p95 {p95:8.2} ms");
    }
    println!(
        "peak RSS {} MiB (VmHWM); store size {} MiB",
        rss_kib("VmHWM:") / 1024,
        dir_size(&dir) / (1024 * 1024)
    );
    if keep.is_none() {
        drop(store);
    }
    Ok(())
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|it| {
            it.filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
