//! Helpers shared by the X readers (v2, v1.1, archives): borrowed field access, URLs, language
//! tags, Snowflake times, retweet text and entity lists.

use crate::util;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

/// Longest author name, handle or location kept, in bytes.
pub const MAX_NAME_BYTES: usize = 1024;

/// Longest list of hashtags, mentions, links or media kept for one post.
pub const MAX_ENTITIES: usize = 256;

/// A borrowed string field.
pub fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A borrowed non-empty string field.
pub fn ne<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    s(v, key).filter(|x| !x.is_empty())
}

/// An id field: a non-empty string, or an unsigned number written in decimal.
pub fn id_of(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(x) if !x.is_empty() && x.len() <= 64 => Some(x.clone()),
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        _ => None,
    }
}

/// A name-like text from a stranger, bounded, `None` when empty.
pub fn name(v: &Value, key: &str) -> Option<String> {
    ne(v, key).map(|x| util::bounded(x, MAX_NAME_BYTES))
}

/// Post text: HTML entities decoded (X escapes `&`, `<`, `>`), cut at
/// [`util::MAX_TEXT_BYTES`]. Copies the text once in the common case.
pub fn text(raw: &str) -> String {
    let max = util::MAX_TEXT_BYTES;
    if raw.len() <= max && !raw.contains('&') {
        return raw.to_string();
    }
    let decoded = util::decode_entities(&raw[..raw.floor_char_boundary(max + 64)]);
    if decoded.len() <= max {
        decoded
    } else {
        util::bounded(&decoded, max)
    }
}

/// A time field. v1.1's fixed layout (`Wed Oct 10 20:19:24 +0000 2018`) is read directly
/// (it is the hot path of v1.1 and archive files); anything else goes to [`util::time_of`].
pub fn time(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    if let Some(t) = s(v, key).and_then(v1_time) {
        return Some(t);
    }
    util::time_of(v, key)
}

/// `Wed Oct 10 20:19:24 +0000 2018`, without chrono's format parser.
fn v1_time(x: &str) -> Option<DateTime<Utc>> {
    let b = x.as_bytes();
    if b.len() != 30
        || b[3] != b' '
        || b[7] != b' '
        || b[10] != b' '
        || b[19] != b' '
        || b[25] != b' '
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let month = MONTHS.iter().position(|m| m[..] == b[4..7])? as u32 + 1;
    let day = num(8..10)?;
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let sign = match b[20] {
        b'+' => 1i64,
        b'-' => -1,
        _ => return None,
    };
    let offset = sign * (i64::from(num(21..23)?) * 3600 + i64::from(num(23..25)?) * 60);
    let year = i32::try_from(num(26..30)?).ok()?;
    let naive = chrono::NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(h, mi, sec)?;
    let t = Utc.from_utc_datetime(&naive);
    Some(t - chrono::Duration::seconds(offset))
}

/// `https://x.com/{handle}/status/{id}`, or `https://x.com/i/web/status/{id}` without a handle.
pub fn tweet_url(handle: Option<&str>, id: &str) -> String {
    match handle {
        Some(h) if !h.is_empty() && h.len() <= 64 && h.bytes().all(is_handle_byte) => {
            format!("https://x.com/{h}/status/{id}")
        }
        _ => format!("https://x.com/i/web/status/{id}"),
    }
}

fn is_handle_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The language tag as X gives it, with X's non-language tags dropped and its legacy codes
/// mapped to ISO 639-1: `und` (undetermined), `zxx` (no linguistic content), and `qme`
/// (media only), `qht` (hashtags only), `qam` (mentions only), `qct` (cashtags only), `qst`
/// (too short), `art`, or any other `q…` tag become `None`, so the language enricher decides;
/// `in` → `id`, `iw` → `he`, `ji` → `yi`; regional tags like `en-gb` and `zh-cn` are kept.
pub fn lang(tag: Option<&str>) -> Option<String> {
    let t = tag?.trim();
    if t.is_empty() || t.len() > 16 {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    match lower.as_str() {
        "und" | "zxx" | "art" => None,
        q if q.len() == 3 && q.starts_with('q') => None,
        "in" => Some("id".into()),
        "iw" => Some("he".into()),
        "ji" => Some("yi".into()),
        _ => Some(lower),
    }
}

/// Milliseconds between the Unix epoch and X's Snowflake epoch (2010-11-04).
const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;

/// The creation time encoded in a Snowflake id (every tweet id since late 2010), or `None`
/// for older or malformed ids.
pub fn snowflake_time(id: &str) -> Option<DateTime<Utc>> {
    let n: u64 = id.parse().ok()?;
    // Ids below this are sequential pre-Snowflake ids (2010 and before).
    if n < 30_000_000_000 {
        return None;
    }
    let ms = i64::try_from(n >> 22).ok()? + SNOWFLAKE_EPOCH_MS;
    Utc.timestamp_millis_opt(ms).single()
}

/// A Snowflake id for a time (the lowest id of that millisecond); for tests and fixtures.
#[cfg(test)]
pub fn snowflake_of(t: DateTime<Utc>) -> u64 {
    ((t.timestamp_millis() - SNOWFLAKE_EPOCH_MS) as u64) << 22
}

/// The text of a reshare: the `RT @user: ` prefix X wrote, then the original's full text (X
/// cuts the reshare's own text at 140 characters). Without the original, the text as given.
pub fn reshare_text(given: &str, original: Option<&str>, original_handle: Option<&str>) -> String {
    let Some(orig) = original else {
        return given.to_string();
    };
    if let Some(rest) = given.strip_prefix("RT @")
        && let Some(i) = rest.find(": ")
        && rest[..i].bytes().all(is_handle_byte)
    {
        return format!("RT @{}: {orig}", &rest[..i]);
    }
    match original_handle {
        Some(h) => format!("RT @{h}: {orig}"),
        None => orig.to_string(),
    }
}

/// The kind of media a v2 `media_key` names, from its numeric prefix.
pub fn media_kind_of_key(key: &str) -> &'static str {
    match key.split('_').next() {
        Some("3") => "photo",
        Some("7" | "13") => "video",
        Some("16") => "animated_gif",
        _ => "media",
    }
}

/// Strings at `field` in each object of the array `v[key]`, deduplicated, bounded.
pub fn entity_list(v: Option<&Value>, key: &str, fields: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(items) = v.and_then(|e| e.get(key)).and_then(Value::as_array) else {
        return out;
    };
    for item in items {
        let Some(x) = fields.iter().find_map(|f| ne(item, f)) else {
            continue;
        };
        if out.len() >= MAX_ENTITIES {
            break;
        }
        if !out.iter().any(|o| o == x) {
            out.push(util::bounded(x, MAX_NAME_BYTES * 4));
        }
    }
    out
}

/// Appends `items` to `list`, skipping those already there (case-sensitive), bounded.
pub fn extend_unique(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    for i in items {
        if list.len() >= MAX_ENTITIES {
            break;
        }
        if !list.contains(&i) {
            list.push(i);
        }
    }
}

/// Fills hashtags, mentions and links from the text when the source gave no entities.
pub fn entities_from_text(post: &mut tertulia_model::Post) {
    if post.hashtags.is_empty() {
        post.hashtags = util::hashtags(&post.text);
    }
    let found = util::mentions(&post.text);
    extend_unique(&mut post.mentions, found);
    if post.links.is_empty() {
        post.links = util::links(&post.text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_and_without_handle() {
        assert_eq!(
            tweet_url(Some("vuelaya"), "1"),
            "https://x.com/vuelaya/status/1"
        );
        assert_eq!(tweet_url(None, "1"), "https://x.com/i/web/status/1");
        assert_eq!(
            tweet_url(Some("a/../b"), "1"),
            "https://x.com/i/web/status/1"
        );
    }

    #[test]
    fn v1_times_read_directly_agree_with_util() {
        for x in [
            "Wed Oct 10 20:19:24 +0000 2018",
            "Tue Nov 03 08:15:00 +0000 2026",
            "Tue Nov 03 08:15:00 +0130 2026",
            "Tue Nov 03 08:15:00 -0500 2026",
        ] {
            assert_eq!(v1_time(x), util::parse_time(x), "{x}");
            assert!(v1_time(x).is_some());
        }
        assert_eq!(v1_time("Tue Xyz 03 08:15:00 +0000 2026"), None);
        assert_eq!(v1_time("Tue Nov 31 08:15:00 +0000 2026"), None);
        assert_eq!(text("a &amp; b"), "a & b");
        assert_eq!(text(&"ñ".repeat(40_000)).len(), util::MAX_TEXT_BYTES);
    }

    #[test]
    fn language_tags() {
        assert_eq!(lang(Some("es")), Some("es".into()));
        assert_eq!(lang(Some("en-GB")), Some("en-gb".into()));
        assert_eq!(lang(Some("und")), None);
        assert_eq!(lang(Some("qme")), None);
        assert_eq!(lang(Some("zxx")), None);
        assert_eq!(lang(Some("in")), Some("id".into()));
        assert_eq!(lang(None), None);
    }

    #[test]
    fn snowflake_round_trip() {
        let t = util::parse_time("2026-11-03T08:15:00Z").unwrap();
        let id = snowflake_of(t);
        assert_eq!(snowflake_time(&id.to_string()), Some(t));
        assert_eq!(snowflake_time("12345"), None);
        assert_eq!(snowflake_time("x"), None);
        // A real id from X's documentation: 1445880548472328192 is 2021-10-06T22:54:00Z-ish.
        let real = snowflake_time("1445880548472328192").unwrap();
        assert_eq!(real.format("%Y-%m-%d").to_string(), "2021-10-06");
    }

    #[test]
    fn reshare_text_keeps_prefix_and_full_original() {
        assert_eq!(
            reshare_text(
                "RT @vuelaya: Nuevas rutas a…",
                Some("Nuevas rutas a Lisboa"),
                None
            ),
            "RT @vuelaya: Nuevas rutas a Lisboa"
        );
        assert_eq!(
            reshare_text("retuit", Some("hola"), Some("aerosol")),
            "RT @aerosol: hola"
        );
        assert_eq!(reshare_text("RT @x: a…", None, None), "RT @x: a…");
    }

    #[test]
    fn media_keys() {
        assert_eq!(media_kind_of_key("3_1"), "photo");
        assert_eq!(media_kind_of_key("7_1"), "video");
        assert_eq!(media_kind_of_key("16_1"), "animated_gif");
        assert_eq!(media_kind_of_key("zz"), "media");
    }
}
