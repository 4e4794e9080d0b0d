//! Small helpers shared by the connectors: reading loosely typed JSON fields, parsing the time
//! formats networks use, extracting hashtags/mentions/links, and turning HTML into text.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// Longest snippet of bad input kept with a quarantined record, in characters.
pub const SNIPPET_CHARS: usize = 200;

/// Longest text kept for a post, in bytes (longer text is cut at a character boundary).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The start of `s`, at most [`SNIPPET_CHARS`] characters, with `…` when cut.
pub fn snippet(s: &str) -> String {
    let mut out: String = s.chars().take(SNIPPET_CHARS).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// `s` cut to at most `max` bytes at a character boundary.
pub fn bounded(s: &str, max: usize) -> String {
    s[..s.floor_char_boundary(max)].to_string()
}

/// Longest name, handle, id or URL kept by [`short`], in bytes.
pub const MAX_FIELD_BYTES: usize = 2048;

/// A short field from a stranger (name, handle, id, URL) cut to [`MAX_FIELD_BYTES`] at a
/// character boundary.
pub fn short(s: &str) -> String {
    bounded(s, MAX_FIELD_BYTES)
}

/// A non-empty string field (see [`nonempty_str_of`]) cut by [`short`].
pub fn short_of(v: &Value, key: &str) -> Option<String> {
    nonempty_str_of(v, key).map(|s| short(&s))
}

/// A string field; numbers are turned into their decimal text (ids stored as numbers).
pub fn str_of(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A non-empty string field (see [`str_of`]).
pub fn nonempty_str_of(v: &Value, key: &str) -> Option<String> {
    str_of(v, key).filter(|s| !s.is_empty())
}

/// A count field; accepts numbers and numeric strings (X archives store numbers as strings);
/// negative or fractional values are rejected.
pub fn u64_of(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A boolean field; accepts `true`/`false` and their strings.
pub fn bool_of(v: &Value, key: &str) -> Option<bool> {
    match v.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.as_str() {
            "true" | "True" | "1" => Some(true),
            "false" | "False" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Parses the time formats networks use, to UTC: RFC 3339 (with or without fraction, `Z` or
/// offset, also `+0000`), X v1.1 (`Wed Oct 10 20:19:24 +0000 2018`), Unix seconds or
/// milliseconds (as number or string), and naive `YYYY-MM-DD HH:MM:SS` (taken as UTC).
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f%z", "%a %b %d %H:%M:%S %z %Y"] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return unix_time(s.parse().ok()?);
    }
    None
}

/// Parses `s` with a user-given `chrono` format; with an offset (`%z`) when the format has one,
/// else as UTC.
pub fn parse_time_with(s: &str, format: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_str(s, format) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
        return Some(Utc.from_utc_datetime(&t));
    }
    chrono::NaiveDate::parse_from_str(s, format)
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t))
}

/// Unix time in seconds, or milliseconds when the number is too large to be seconds.
pub fn unix_time(n: i64) -> Option<DateTime<Utc>> {
    if n.abs() > 100_000_000_000 {
        Utc.timestamp_millis_opt(n).single()
    } else {
        Utc.timestamp_opt(n, 0).single()
    }
}

/// A time field: a string in any format of [`parse_time`], or a Unix number.
pub fn time_of(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    match v.get(key)? {
        Value::String(s) => parse_time(s),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .and_then(unix_time),
        _ => None,
    }
}

static HASHTAG: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\w&/])[#＃](\w*[\p{L}_]\w*)").ok());
static MENTION: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\w@./])@([\w.\-]*\w(?:@[\w.\-]+\w)?)").ok());
static LINK: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"https?://[^\s<>"'\]\[)(]+[^\s<>"'\]\[)(.,;:!?]"#).ok());

/// Hashtags in `text` without `#` (Unicode letters, digits, `_`; not all digits).
pub fn hashtags(text: &str) -> Vec<String> {
    captures(&HASHTAG, text)
}

/// Mentions in `text` without `@` (`user`, `user.bsky.social`, Mastodon `user@server`).
pub fn mentions(text: &str) -> Vec<String> {
    captures(&MENTION, text)
}

/// `http(s)` links in `text`, without trailing punctuation.
pub fn links(text: &str) -> Vec<String> {
    let Some(re) = LINK.as_ref() else {
        return Vec::new();
    };
    dedup(re.find_iter(text).map(|m| m.as_str().to_string()))
}

fn captures(re: &LazyLock<Option<Regex>>, text: &str) -> Vec<String> {
    let Some(re) = re.as_ref() else {
        return Vec::new();
    };
    dedup(
        re.captures_iter(text)
            .filter_map(|c| c.get(1).map(|m| m.as_str().to_string())),
    )
}

fn dedup(it: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in it {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Decodes the HTML entities networks put in text (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`,
/// `&apos;`, `&nbsp;`, numeric `&#NN;`/`&#xNN;`). Unknown entities are left as they are.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Turns the HTML of a Mastodon status (or a YouTube `textDisplay`) into plain text:
/// `<br>` and paragraph ends become newlines, tags are dropped, entities decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('>') else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let tag = rest[i + 1..i + j].trim().to_ascii_lowercase();
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        if name == "br" {
            out.push('\n');
        } else if tag.starts_with("/p") && name == "p" {
            out.push_str("\n\n");
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    decode_entities(out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_in_every_network_format() {
        let t = |s| parse_time(s).map(|t| t.to_rfc3339());
        let want = Some("2018-10-10T20:19:24+00:00".to_string());
        assert_eq!(t("2018-10-10T20:19:24.000Z"), want);
        assert_eq!(t("Wed Oct 10 20:19:24 +0000 2018"), want);
        assert_eq!(t("2018-10-10T22:19:24+0200"), want);
        assert_eq!(t("2018-10-10 20:19:24"), want);
        assert_eq!(t("1539202764"), want);
        assert_eq!(t("1539202764000"), want);
        assert_eq!(t("ayer"), None);
        assert_eq!(
            parse_time_with("10/10/2018 20:19:24", "%m/%d/%Y %H:%M:%S").map(|t| t.to_rfc3339()),
            want
        );
        assert_eq!(
            time_of(&json!({"t": 1539202764.0}), "t").map(|t| t.to_rfc3339()),
            want
        );
    }

    #[test]
    fn loose_numbers_and_strings() {
        let v = json!({"a": "12", "b": 12, "c": -1, "d": "x", "e": 12.0});
        assert_eq!(u64_of(&v, "a"), Some(12));
        assert_eq!(u64_of(&v, "b"), Some(12));
        assert_eq!(u64_of(&v, "c"), None);
        assert_eq!(u64_of(&v, "d"), None);
        assert_eq!(u64_of(&v, "e"), Some(12));
        assert_eq!(str_of(&v, "b"), Some("12".into()));
    }

    #[test]
    fn entities_extracted_from_text() {
        let text = "¡Hola @Iberia! #MalServicio #2024 y #niño_feliz https://t.co/abc, vía @user@mastodon.social.";
        assert_eq!(hashtags(text), vec!["MalServicio", "niño_feliz"]);
        assert_eq!(mentions(text), vec!["Iberia", "user@mastodon.social"]);
        assert_eq!(links(text), vec!["https://t.co/abc"]);
        assert!(mentions("mail me at a@b.com").is_empty());
    }

    #[test]
    fn html_and_entities() {
        assert_eq!(
            html_to_text(
                "<p>Hola &amp; adiós<br>línea <a href=\"x\">#tag</a></p><p>dos &#127881; &#x1F600;</p>"
            ),
            "Hola & adiós\nlínea #tag\n\ndos 🎉 😀"
        );
        assert_eq!(decode_entities("a &unknown; b & c"), "a &unknown; b & c");
        assert_eq!(bounded("añb", 2), "a");
        assert_eq!(snippet(&"x".repeat(300)).chars().count(), SNIPPET_CHARS + 1);
    }

    #[test]
    fn short_fields_are_bounded_and_non_empty() {
        assert_eq!(short("abc"), "abc");
        let long = "é".repeat(MAX_FIELD_BYTES);
        assert_eq!(short(&long).len(), MAX_FIELD_BYTES);
        assert_eq!(short(&format!("a{long}")).len(), MAX_FIELD_BYTES - 1);
        let v = json!({"a": "", "b": 7, "c": "x".repeat(MAX_FIELD_BYTES + 1), "d": null});
        assert_eq!(short_of(&v, "a"), None);
        assert_eq!(short_of(&v, "b"), Some("7".into()));
        assert_eq!(short_of(&v, "c").map(|s| s.len()), Some(MAX_FIELD_BYTES));
        assert_eq!(short_of(&v, "d"), None);
        assert_eq!(short_of(&v, "missing"), None);
    }
}
