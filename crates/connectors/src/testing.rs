//! Test support shared by the connectors' unit tests: reading one JSON value with a connector,
//! arbitrary JSON for property tests, mutating fixtures, and checking the project's samples.

use crate::{Connector, Ctx, Item, Post, ReadOptions, Record};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::path::Path;

/// Reads one JSON value with `connector` (as line 1 of `t.json`), collecting its records.
pub(crate) fn read_value(connector: &dyn Connector, v: Value) -> Vec<Record> {
    let opts = ReadOptions::default();
    let ctx = Ctx {
        path: Path::new("t.json"),
        line: 1,
        opts: &opts,
    };
    let mut got = Vec::new();
    connector.read_json(v, &ctx, &mut |r| got.push(r));
    got
}

/// The posts among `records`, in order.
pub(crate) fn posts_of(records: Vec<Record>) -> Vec<Post> {
    records
        .into_iter()
        .filter_map(|r| match r {
            Record::Item {
                item: Item::Post(p),
                ..
            } => Some(*p),
            _ => None,
        })
        .collect()
}

/// A recipe for arbitrary JSON aimed at one connector: object keys (and some strings) are
/// drawn from `keys`, so the generated values reach deep into the reader.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArbJson {
    keys: &'static [&'static str],
    strings: &'static str,
    floats: Option<f64>,
    depth: u32,
    size: u32,
}

/// Arbitrary JSON whose object keys come from `keys`: leaves are `null`, booleans, `i64`s,
/// short strings and the keys themselves as strings; inner nodes are arrays (up to 4 items)
/// and objects (up to 7 entries). Defaults: strings `[a-z0-9_#@/:. ]{0,16}`, no floats,
/// depth 6, size 80; change them with the builder methods, then call [`ArbJson::strategy`].
pub(crate) fn arb_json(keys: &'static [&'static str]) -> ArbJson {
    ArbJson {
        keys,
        strings: "[a-z0-9_#@/:. ]{0,16}",
        floats: None,
        depth: 6,
        size: 80,
    }
}

impl ArbJson {
    /// The regex that free-form string leaves match.
    pub(crate) fn strings(self, regex: &'static str) -> Self {
        Self {
            strings: regex,
            ..self
        }
    }

    /// Also generate floats in `-bound..bound`.
    pub(crate) fn floats(self, bound: f64) -> Self {
        Self {
            floats: Some(bound),
            ..self
        }
    }

    /// Recursion depth and desired total size (as in `prop_recursive`).
    pub(crate) fn depth(self, depth: u32, size: u32) -> Self {
        Self {
            depth,
            size,
            ..self
        }
    }

    /// The strategy.
    pub(crate) fn strategy(self) -> impl Strategy<Value = Value> {
        let keys = self.keys;
        let mut leaves: Vec<BoxedStrategy<Value>> = vec![
            Just(Value::Null).boxed(),
            any::<bool>().prop_map(Value::Bool).boxed(),
            any::<i64>().prop_map(|n| json!(n)).boxed(),
        ];
        if let Some(bound) = self.floats {
            leaves.push((-bound..bound).prop_map(|f| json!(f)).boxed());
        }
        leaves.push(self.strings.prop_map(Value::String).boxed());
        leaves.push(
            prop::sample::select(keys)
                .prop_map(|s| Value::String(s.to_string()))
                .boxed(),
        );
        prop::strategy::Union::new(leaves).prop_recursive(self.depth, self.size, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(keys), inner), 0..8).prop_map(|kv| {
                    Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                }),
            ]
        })
    }
}

/// Arbitrary JSON with an open key set, for readers that must shrug off unknown fields: leaves
/// come from `leaf`; inner nodes are arrays (up to 3 items) and objects (up to 5 distinct
/// keys), each key one of `keys` or, one time in `keys.len() + 1`, a random `[a-z_]{1,8}`
/// name. Depth 5, size 64.
pub(crate) fn arb_json_open(
    keys: &'static [&'static str],
    leaf: impl Strategy<Value = Value> + 'static,
) -> impl Strategy<Value = Value> {
    let known = u32::try_from(keys.len()).unwrap_or(u32::MAX);
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    known => prop::sample::select(keys).prop_map(str::to_string),
                    1 => "[a-z_]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the `n`-th value (pre-order, counting `v` itself as 0) of `v` by `repl`; `n` is
/// counted down for every value visited and set to `usize::MAX` when the value is replaced, so
/// no later value is replaced.
pub(crate) fn mutate(v: &mut Value, n: &mut usize, repl: &Value) {
    if *n == 0 {
        *v = repl.clone();
        *n = usize::MAX;
        return;
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().for_each(|c| mutate(c, n, repl)),
        Value::Object(m) => m.values_mut().for_each(|c| mutate(c, n, repl)),
        _ => {}
    }
}

/// Asserts that every file in the repository's `samples/<dir>` imports with auto-detection
/// as `connector`, with no quarantined record, and that they hold `expected_posts` items in
/// all. Panics (fails the test) when the folder cannot be read.
pub(crate) fn assert_samples_import(dir: &str, connector: &str, expected_posts: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(dir);
    let mut posts = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.map(|e| e.path()).unwrap_or_default();
        let mut bad = Vec::new();
        let used = crate::read_file(
            &crate::registry(),
            &path,
            None,
            &ReadOptions::default(),
            &mut |r| match r {
                Record::Item { .. } => posts += 1,
                Record::Quarantine { .. } => bad.push(r),
                Record::Skipped { .. } => {}
            },
        );
        assert_eq!(used.ok(), Some(connector), "{}", path.display());
        assert!(bad.is_empty(), "{}: {bad:?}", path.display());
    }
    assert_eq!(posts, expected_posts);
}

/// Asserts that `bytes`, read as a file at `path` with auto-detection, are read by
/// `connector` as exactly `expected_posts` items and nothing else (no quarantined and no
/// skipped record). For samples embedded with `include_bytes!`.
pub(crate) fn assert_sample_bytes_import(
    path: &str,
    bytes: &[u8],
    connector: &str,
    expected_posts: usize,
) {
    let mut posts = 0;
    let mut bad = Vec::new();
    let name = crate::read_bytes(
        &crate::registry(),
        bytes,
        Path::new(path),
        None,
        &ReadOptions::default(),
        &mut |r| match r {
            Record::Item { .. } => posts += 1,
            other => bad.push(other),
        },
    );
    assert_eq!(name.ok(), Some(connector), "{path}");
    assert!(bad.is_empty(), "{path}: {bad:?}");
    assert_eq!(posts, expected_posts, "{path}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutate_replaces_the_nth_value_in_pre_order() {
        let mut v = json!({"a": [1, 2], "b": 3});
        let mut n = 2;
        mutate(&mut v, &mut n, &json!("x"));
        assert_eq!(v, json!({"a": ["x", 2], "b": 3}));
        // Set to `usize::MAX`, then counted down by the two values after it.
        assert_eq!(n, usize::MAX - 2);
        let mut n = 0;
        mutate(&mut v, &mut n, &Value::Null);
        assert_eq!(v, Value::Null);
        let mut v = json!([1]);
        let mut n = 5;
        mutate(&mut v, &mut n, &Value::Null);
        assert_eq!(v, json!([1]));
        assert_eq!(n, 3);
    }

    #[test]
    fn posts_of_keeps_only_posts() {
        let post = Post::new(crate::Network::Reddit, "a", crate::PostKind::Post);
        let records = vec![
            Record::Skipped {
                line: 1,
                what: "x".into(),
            },
            Record::Item {
                line: 2,
                item: Item::Post(Box::new(post.clone())),
            },
        ];
        assert_eq!(posts_of(records), vec![post]);
    }

    proptest! {
        #[test]
        fn arb_json_uses_the_keys_for_objects(v in arb_json(&["k"]).floats(1.0).depth(3, 16).strategy()) {
            fn keys_ok(v: &Value) -> bool {
                match v {
                    Value::Object(m) => m.iter().all(|(k, c)| k == "k" && keys_ok(c)),
                    Value::Array(a) => a.iter().all(keys_ok),
                    _ => true,
                }
            }
            prop_assert!(keys_ok(&v));
        }
    }
}
