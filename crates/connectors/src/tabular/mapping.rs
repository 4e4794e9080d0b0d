//! The field mapping (`--map id=COL,text=COL,…`) and how one mapped row becomes a post.

use crate::util;
use serde_json::Value;
use std::collections::HashMap;
use std::str::FromStr;
use tertulia_model::{Network, Post, PostKind};

/// Post fields a column can be mapped to.
pub const FIELDS: &[&str] = &[
    "id",
    "text",
    "created_at",
    "author",
    "author_name",
    "author_id",
    "network",
    "parent_id",
    "root_id",
    "lang",
    "url",
    "likes",
    "reshares",
    "replies",
    "quotes",
    "views",
    "followers",
    "kind",
    "title",
    "rating",
    "country",
    "location",
    "verified",
];

/// Header names read without a map as another field's column (`native_id` is Tertulia's own
/// export header).
const HEADER_ALIASES: &[(&str, &str)] = &[
    ("native_id", "id"),
    ("handle", "author"),
    ("author_handle", "author"),
    ("language", "lang"),
];

/// A checked mapping: field → column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    cols: HashMap<&'static str, String>,
}

impl Mapping {
    /// Checks the user's `--map` pairs: every field must be one of [`FIELDS`].
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Mapping, String> {
        let mut cols = HashMap::new();
        for (field, col) in pairs {
            let lower = field.trim().to_lowercase();
            let Some(f) = FIELDS.iter().find(|f| **f == lower) else {
                return Err(format!(
                    "--map names the unknown field {field:?}; known fields: {}",
                    FIELDS.join(", ")
                ));
            };
            cols.insert(*f, col.clone());
        }
        Ok(Mapping { cols })
    }

    /// The mapping implied by a header when no `--map` is given: columns named like a field
    /// (case-insensitive), plus a few common aliases (`native_id`, `handle`, `language`).
    pub fn from_header<'h>(header: impl IntoIterator<Item = &'h str>) -> Mapping {
        let mut cols = HashMap::new();
        let header: Vec<&str> = header.into_iter().collect();
        for h in &header {
            let lower = h.trim().to_lowercase();
            if let Some(f) = FIELDS.iter().find(|f| **f == lower) {
                cols.insert(*f, (*h).to_string());
            }
        }
        for h in &header {
            let lower = h.trim().to_lowercase();
            if let Some((_, f)) = HEADER_ALIASES.iter().find(|(a, _)| *a == lower) {
                cols.entry(*f).or_insert_with(|| (*h).to_string());
            }
        }
        Mapping { cols }
    }

    /// The column mapped to `field`.
    pub fn column(&self, field: &str) -> Option<&str> {
        self.cols.get(field).map(String::as_str)
    }

    /// Every `(field, column)` pair, sorted by field.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        let mut v: Vec<_> = self.cols.iter().map(|(f, c)| (*f, c.as_str())).collect();
        v.sort_unstable();
        v
    }
}

/// Values that mean "no value" in exports.
fn is_missing(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "" | "-" | "null" | "none" | "nan" | "n/a" | "na"
    )
}

/// A count: `1234`, `1,234`, `12.0`, `1.2k`, `3M`.
fn parse_count(s: &str) -> Option<u64> {
    let t: String = s
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_lowercase()) {
        Some('k') => (&t[..t.len() - 1], 1_000.0),
        Some('m') => (&t[..t.len() - 1], 1_000_000.0),
        _ => (t.as_str(), 1.0),
    };
    let f: f64 = num.parse().ok()?;
    (f.is_finite() && f >= 0.0 && f * mult < 1.8e19).then(|| (f * mult).round() as u64)
}

/// One row as a post. `val(field)` gives the trimmed, non-missing value of the field's column;
/// `raw` is the row as a JSON object.
pub fn row_to_post(
    map: &Mapping,
    val: &dyn Fn(&str) -> Option<String>,
    time_format: Option<&str>,
    raw: Value,
) -> Result<Post, String> {
    let get = |f: &str| {
        val(f)
            .map(|s| s.trim().to_string())
            .filter(|s| !is_missing(s))
    };
    let col = |f: &str| map.column(f).unwrap_or(f).to_string();
    let id = get("id").ok_or_else(|| format!("row without id (column {:?})", col("id")))?;
    let network = match get("network") {
        Some(n) => Network::from_str(&n).map_err(|_| {
            format!(
                "unknown network {:?} in column {:?}",
                util::snippet(&n),
                col("network")
            )
        })?,
        None => Network::Csv,
    };
    let parent = get("parent_id");
    let rating = match get("rating") {
        Some(r) => Some(
            r.replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .ok_or_else(|| {
                    format!(
                        "rating {:?} in column {:?} is not a number",
                        util::snippet(&r),
                        col("rating")
                    )
                })?,
        ),
        None => None,
    };
    let kind = match get("kind") {
        Some(k) => PostKind::from_str(&k).map_err(|_| {
            format!(
                "unknown kind {:?} in column {:?}",
                util::snippet(&k),
                col("kind")
            )
        })?,
        None if parent.is_some() => match network {
            Network::X | Network::Mastodon | Network::Bluesky => PostKind::Reply,
            _ => PostKind::Comment,
        },
        None if rating.is_some() => PostKind::Review,
        None => PostKind::Post,
    };
    let mut p = Post::new(network, util::bounded(&id, 1024), kind);
    p.text = util::bounded(&val("text").unwrap_or_default(), util::MAX_TEXT_BYTES);
    p.title = get("title").map(|t| util::bounded(&t, util::MAX_TEXT_BYTES));
    if let Some(t) = get("created_at") {
        let parsed = time_format
            .and_then(|f| util::parse_time_with(&t, f))
            .or_else(|| util::parse_time(&t));
        p.created_at = Some(parsed.ok_or_else(|| match time_format {
            Some(f) => format!(
                "cannot read created_at {:?} (column {:?}) with time format {f:?}",
                util::snippet(&t),
                col("created_at")
            ),
            None => format!(
                "cannot read created_at {:?} (column {:?}); give --time-format",
                util::snippet(&t),
                col("created_at")
            ),
        })?);
    }
    p.author.handle = get("author").map(|a| a.trim_start_matches('@').to_string());
    p.author.name = get("author_name");
    p.author.id = get("author_id");
    p.author.location = get("location");
    p.author.verified = get("verified").and_then(|v| match v.to_lowercase().as_str() {
        "true" | "yes" | "1" | "y" | "sí" | "si" => Some(true),
        "false" | "no" | "0" | "n" => Some(false),
        _ => None,
    });
    p.parent_id = parent;
    p.root_id = get("root_id");
    p.lang = get("lang");
    p.url = get("url");
    p.country = get("country");
    p.rating = rating;
    let count = |f: &str| -> Result<Option<u64>, String> {
        match get(f) {
            Some(s) => parse_count(&s).map(Some).ok_or_else(|| {
                format!(
                    "{f} {:?} in column {:?} is not a count",
                    util::snippet(&s),
                    col(f)
                )
            }),
            None => Ok(None),
        }
    };
    p.metrics.likes = count("likes")?;
    p.metrics.reshares = count("reshares")?;
    p.metrics.replies = count("replies")?;
    p.metrics.quotes = count("quotes")?;
    p.metrics.views = count("views")?;
    p.author.followers = count("followers")?;
    p.hashtags = util::hashtags(&p.text);
    p.mentions = util::mentions(&p.text);
    p.links = util::links(&p.text);
    p.raw = raw;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(s: &str) -> Vec<(String, String)> {
        crate::ReadOptions::parse_map(s).unwrap_or_default()
    }

    #[test]
    fn unknown_fields_are_refused_and_headers_map_themselves() {
        assert!(Mapping::from_pairs(&pairs("id=a,colour=b")).is_err());
        let m = Mapping::from_header(["native_id", "Text", "created_at", "handle", "x"]);
        assert_eq!(
            m.pairs(),
            vec![
                ("author", "handle"),
                ("created_at", "created_at"),
                ("id", "native_id"),
                ("text", "Text")
            ]
        );
    }

    #[test]
    fn counts_in_export_styles() {
        assert_eq!(parse_count("1,234"), Some(1234));
        assert_eq!(parse_count("12.0"), Some(12));
        assert_eq!(parse_count("1.2k"), Some(1200));
        assert_eq!(parse_count("-3"), None);
        assert_eq!(parse_count("muchos"), None);
    }

    #[test]
    fn kinds_networks_and_times() {
        let map = Mapping::from_pairs(&pairs("id=i,text=t,network=n,parent_id=p,created_at=c"))
            .unwrap_or_default();
        let row = |n: &'static str, p: &'static str, c: &'static str| {
            move |f: &str| -> Option<String> {
                match f {
                    "id" => Some("1".into()),
                    "text" => Some("hola #Vuelaya".into()),
                    "network" => Some(n.into()),
                    "parent_id" => Some(p.into()),
                    "created_at" => Some(c.into()),
                    _ => None,
                }
            }
        };
        let p = row_to_post(
            &map,
            &row("x", "0", "2026-11-01T10:00:00Z"),
            None,
            json!({}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.network, p.kind), (Network::X, PostKind::Reply));
        assert_eq!(p.hashtags, vec!["Vuelaya"]);
        let p = row_to_post(
            &map,
            &row("youtube", "0", "3/1/2026 9:05"),
            Some("%m/%d/%Y %H:%M"),
            json!({}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.kind, PostKind::Comment);
        assert_eq!(
            p.created_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-03-01T09:05:00+00:00")
        );
        let e = row_to_post(&map, &row("myspace", "", ""), None, json!({})).err();
        assert!(e.is_some_and(|e| e.contains("myspace")));
        let e = row_to_post(&map, &row("", "", "ayer"), None, json!({})).err();
        assert!(e.is_some_and(|e| e.contains("ayer") && e.contains("--time-format")));
    }
}
