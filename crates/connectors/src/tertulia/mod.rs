//! Tertulia's own JSONL export format (`tertulia export --format jsonl`): one serialised
//! [`Post`] per line. Reading it back gives the same posts, so exports round-trip.

use crate::{Connector, Ctx, Out};
use serde_json::Value;
use tertulia_model::Post;

/// Reader of Tertulia's own JSONL export.
pub struct Tertulia;

impl Connector for Tertulia {
    fn name(&self) -> &'static str {
        "tertulia"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["tertulia-jsonl", "export"]
    }

    fn describe(&self) -> &'static str {
        "Tertulia's own JSONL export (one post per line); round-trips."
    }

    fn detect_json(&self, value: &Value) -> u8 {
        let has = |k| value.get(k).is_some();
        if has("network") && has("native_id") && has("kind") {
            90
        } else {
            0
        }
    }

    fn read_json(&self, value: Value, ctx: &Ctx<'_>, out: &mut Out<'_>) {
        if let Value::Array(items) = value {
            for v in items {
                self.read_json(v, ctx, out);
            }
            return;
        }
        let shown = value.to_string();
        match serde_json::from_value::<Post>(value) {
            Ok(post) if post.native_id.is_empty() => {
                out(ctx.quarantine("post with an empty native_id", &shown))
            }
            Ok(post) => out(ctx.post(post)),
            Err(e) => out(ctx.quarantine(format!("not a tertulia post: {e}"), &shown)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ReadOptions, Record, framing::read_json_bytes};
    use std::path::Path;
    use tertulia_model::{Item, Network, PostKind};

    #[test]
    fn export_lines_round_trip() {
        let mut p = Post::new(Network::Mastodon, "https://m.example/s/1", PostKind::Reply);
        p.text = "¿qué tal?".into();
        p.raw = serde_json::json!({"id": "1"});
        let line = serde_json::to_string(&p).unwrap_or_default();
        let mut got = Vec::new();
        read_json_bytes(
            &Tertulia,
            format!("{line}\n{{\"network\":\"nope\"}}\n").as_bytes(),
            Path::new("e.jsonl"),
            &ReadOptions::default(),
            &mut |r| got.push(r),
        );
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0],
            Record::Item {
                line: 1,
                item: Item::Post(Box::new(p))
            }
        );
        assert!(matches!(&got[1], Record::Quarantine { line: 2, .. }));
    }
}
