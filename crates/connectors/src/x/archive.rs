//! X account archives: `data/tweets.js` (and the older `data/tweet.js`),
//! `data/deleted-tweets.js`, and any other `window.YTD.<name>.partN = [ … ]` file.
//!
//! A file may hold several such assignments one after the other (for instance an
//! `account.js` part pasted before `tweets.js`): the account's `username`, `accountId` and
//! `accountDisplayName` then become the author of every tweet in the file. Without them the
//! author is empty (archives carry no user object) and URLs use `/i/web/status/{id}`.
//!
//! Entries are parsed one by one so that records carry the line where their entry starts; a
//! truncated or invalid entry is quarantined at its line and the rest of that part is
//! abandoned (there is no reliable way to find the next entry), then the next
//! `window.YTD.` part, if any, is read.

use super::common::{id_of, name};
use super::v1::{self, Account};
use crate::{Ctx, Out, ReadOptions, Record, framing, util};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use tertulia_model::{Item, Post};

/// The prefix of every archive data file.
pub const PREFIX: &[u8] = b"window.YTD.";

/// Whether `bytes` (after a byte-order mark and blanks) starts like an archive data file.
pub fn is_archive(bytes: &[u8]) -> bool {
    framing::strip_bom(bytes)
        .trim_ascii_start()
        .starts_with(PREFIX)
}

/// One entry of a part, as read.
enum Entry {
    /// A tweet of `tweets.js`/`tweet.js` (`deleted` for `deleted-tweets.js`).
    Tweet {
        line: usize,
        value: Value,
        deleted: bool,
    },
    /// Anything else: a record to pass on as it is.
    Other(Record),
}

/// Counts lines incrementally while scanning forward.
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    /// The 1-based line of byte `at` (`at` must not go backwards).
    fn at(&mut self, at: usize) -> usize {
        let at = at.min(self.bytes.len());
        if at > self.pos {
            self.line += self.bytes[self.pos..at]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.pos = at;
        }
        self.line
    }
}

/// Reads a whole archive data file.
pub fn read(bytes: &[u8], path: &Path, opts: &ReadOptions, out: &mut Out<'_>) {
    let bytes = framing::strip_bom(bytes);
    let mut lines = Lines {
        bytes,
        pos: 0,
        line: 1,
    };
    let mut entries = Vec::new();
    let mut account: Option<Account> = None;
    let mut pos = 0;
    while let Some(start) = find(bytes, pos, PREFIX) {
        let line = lines.at(start);
        let name_start = start + PREFIX.len();
        let name_end = bytes[name_start..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-'))
            .map_or(bytes.len(), |i| name_start + i);
        let part = String::from_utf8_lossy(&bytes[name_start..name_end]).into_owned();
        // `window.YTD.tweets.part0 = [`
        let Some(eq) = bytes[name_end..]
            .iter()
            .take(64)
            .position(|b| *b == b'=')
            .map(|i| name_end + i)
        else {
            entries.push(Entry::Other(quarantine(
                line,
                "x archive assignment without `=`",
                &bytes[start..],
            )));
            pos = name_end;
            continue;
        };
        pos = read_part(bytes, eq + 1, &part, &mut lines, &mut entries, &mut account);
    }
    if entries.is_empty() {
        return;
    }
    emit(entries, account.as_ref(), path, opts, out);
}

fn quarantine(line: usize, reason: &str, rest: &[u8]) -> Record {
    Record::Quarantine {
        line,
        reason: reason.to_string(),
        snippet: util::snippet(&String::from_utf8_lossy(&rest[..rest.len().min(400)])),
    }
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
        pos += 1;
    }
    pos
}

/// Reads the array of one part starting at `pos` (just after `=`); returns where reading
/// stopped.
fn read_part(
    bytes: &[u8],
    pos: usize,
    part: &str,
    lines: &mut Lines<'_>,
    entries: &mut Vec<Entry>,
    account: &mut Option<Account>,
) -> usize {
    let mut pos = skip_ws(bytes, pos);
    if bytes.get(pos) != Some(&b'[') {
        let line = lines.at(pos);
        entries.push(Entry::Other(quarantine(
            line,
            "x archive part that is not an array",
            &bytes[pos.min(bytes.len())..],
        )));
        return pos;
    }
    pos = skip_ws(bytes, pos + 1);
    if bytes.get(pos) == Some(&b']') {
        return pos + 1;
    }
    loop {
        let line = lines.at(pos);
        let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(value)) => {
                pos += stream.byte_offset();
                entries.push(entry(value, part, line, account));
            }
            Some(Err(e)) => {
                entries.push(Entry::Other(quarantine(
                    line + e.line().saturating_sub(1),
                    &format!(
                        "invalid JSON in x archive entry: {}",
                        framing::describe_json_error(&e)
                    ),
                    &bytes[pos..],
                )));
                return pos + 1;
            }
            None => {
                entries.push(Entry::Other(quarantine(
                    line,
                    "x archive part ends before its closing `]`",
                    &bytes[pos.min(bytes.len())..],
                )));
                return bytes.len();
            }
        }
        pos = skip_ws(bytes, pos);
        match bytes.get(pos) {
            Some(b',') => pos = skip_ws(bytes, pos + 1),
            Some(b']') => return pos + 1,
            _ => {
                let line = lines.at(pos);
                entries.push(Entry::Other(quarantine(
                    line,
                    "x archive entry not followed by `,` or `]`",
                    &bytes[pos.min(bytes.len())..],
                )));
                return pos + 1;
            }
        }
    }
}

/// Classifies one entry of a part.
fn entry(mut value: Value, part: &str, line: usize, account: &mut Option<Account>) -> Entry {
    let deleted = part.starts_with("deleted_tweet") || part.starts_with("deleted-tweet");
    match part {
        "tweets" | "tweet" | "deleted_tweets" | "deleted_tweet" => {
            let inner = value.get_mut("tweet").map(Value::take);
            match inner {
                Some(t @ Value::Object(_)) => Entry::Tweet {
                    line,
                    value: t,
                    deleted,
                },
                // The oldest `tweet.js` files hold the tweet objects without a wrapper.
                None if value.get("id_str").is_some() => Entry::Tweet {
                    line,
                    value,
                    deleted,
                },
                _ => Entry::Other(Record::Quarantine {
                    line,
                    reason: "x archive entry without a tweet object".into(),
                    snippet: util::snippet(&value.to_string()),
                }),
            }
        }
        "account" => {
            if let Some(a) = value.get("account") {
                *account = Some(Account {
                    id: id_of(a, "accountId"),
                    handle: name(a, "username"),
                    name: name(a, "accountDisplayName"),
                });
            }
            Entry::Other(Record::Skipped {
                line,
                what: "x archive account entry".into(),
            })
        }
        other => Entry::Other(Record::Skipped {
            line,
            what: util::snippet(&format!("x archive {other} entry")),
        }),
    }
}

/// Turns entries into records. When one file holds several versions of an edited tweet, only
/// the latest (by edit time) is emitted; the others are skipped.
fn emit(
    entries: Vec<Entry>,
    account: Option<&Account>,
    path: &Path,
    opts: &ReadOptions,
    out: &mut Out<'_>,
) {
    let mut records: Vec<Record> = Vec::with_capacity(entries.len());
    for e in entries {
        records.push(match e {
            Entry::Other(r) => r,
            Entry::Tweet {
                line,
                value,
                deleted,
            } => {
                let ctx = Ctx { path, line, opts };
                match v1::post_of(&value, account) {
                    Ok(mut post) => {
                        if deleted {
                            post.deleted = true;
                            if let Some(t) = super::common::time(&value, "deleted_at") {
                                post.edited_at = Some(t);
                            }
                        }
                        post.raw = value;
                        ctx.post(post)
                    }
                    Err(why) => ctx.quarantine(why, &value.to_string()),
                }
            }
        });
    }
    // Latest version of each native id.
    let mut best: HashMap<String, usize> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Some(p) = post_in(r) {
            best.entry(p.native_id.clone())
                .and_modify(|b| {
                    if let Some(q) = post_in(&records[*b])
                        && p.edited_at > q.edited_at
                    {
                        *b = i;
                    }
                })
                .or_insert(i);
        }
    }
    for (i, r) in records.into_iter().enumerate() {
        match &r {
            Record::Item { line, .. }
                if post_in(&r).is_some_and(|p| best.get(&p.native_id) != Some(&i)) =>
            {
                out(Record::Skipped {
                    line: *line,
                    what: "older version of an edited x post".into(),
                })
            }
            _ => out(r),
        }
    }
}

fn post_in(r: &Record) -> Option<&Post> {
    match r {
        Record::Item {
            item: Item::Post(p),
            ..
        } => Some(p),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tertulia_model::PostKind;

    fn run(src: &str) -> Vec<Record> {
        let mut got = Vec::new();
        read(
            src.as_bytes(),
            Path::new("tweets.js"),
            &ReadOptions::default(),
            &mut |r| got.push(r),
        );
        got
    }

    #[test]
    fn entries_carry_their_lines_and_a_truncated_one_is_quarantined() {
        let src = "window.YTD.tweets.part0 = [\n  {\n    \"tweet\" : {\"id_str\": \"1\", \"full_text\": \"hola\", \"favorite_count\": \"3\"}\n  },\n  {\n    \"tweet\" : {\"id_str\": \"2\", \"full_text\": \"RT @vuelaya: adiós\"}\n  },\n  {\n    \"tweet\" : {\"id_str\": \"3\", \"full_";
        let got = run(src);
        assert_eq!(got.len(), 3);
        let p = post_in(&got[0]).unwrap();
        assert_eq!(p.metrics.likes, Some(3));
        assert_eq!(p.url.as_deref(), Some("https://x.com/i/web/status/1"));
        assert!(matches!(&got[0], Record::Item { line: 2, .. }));
        assert!(matches!(&got[1], Record::Item { line: 5, .. }));
        assert_eq!(post_in(&got[1]).unwrap().kind, PostKind::Reshare);
        assert!(
            matches!(&got[2], Record::Quarantine { line: 9, reason, .. } if reason.contains("truncated")),
            "{:?}",
            got[2]
        );
    }

    #[test]
    fn account_part_gives_the_author_and_old_versions_are_skipped() {
        let src = r#"window.YTD.account.part0 = [ {"account": {"accountId": "8", "username": "vuelaya", "accountDisplayName": "Vuelaya"}} ]
window.YTD.tweets.part0 = [ {"tweet": {"id_str": "1860000000000000001", "full_text": "v2", "created_at": "Wed Nov 04 10:00:00 +0000 2026",
  "edit_info": {"edit": {"initialTweetId": "1850000000000000000"}}}},
  {"tweet": {"id_str": "1850000000000000000", "full_text": "v1", "created_at": "Tue Nov 03 10:00:00 +0000 2026",
  "edit_info": {"initial": {"editTweetIds": ["1850000000000000000", "1860000000000000001"]}}}} ];"#;
        let got = run(src);
        assert!(matches!(&got[0], Record::Skipped { .. }));
        let p = post_in(&got[1]).unwrap();
        assert_eq!(p.native_id, "1850000000000000000");
        assert_eq!(p.text, "v2");
        assert_eq!(p.author.handle.as_deref(), Some("vuelaya"));
        assert!(matches!(&got[2], Record::Skipped { what, .. } if what.contains("older version")));
    }

    #[test]
    fn deleted_tweets_are_flagged_with_their_deletion_time() {
        let got = run(
            "window.YTD.deleted_tweets.part0 = [{\"tweet\": {\"id_str\": \"5\", \"full_text\": \"borrado\", \"deleted_at\": \"Fri Nov 06 12:00:00 +0000 2026\"}}]",
        );
        let p = post_in(&got[0]).unwrap();
        assert!(p.deleted);
        assert_eq!(
            p.edited_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-06T12:00:00+00:00")
        );
    }
}
