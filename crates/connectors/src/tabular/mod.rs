//! CSV and JSONL from any other tool, with a field mapping.

use crate::Connector;

/// CSV and JSONL from any other tool, with a field mapping.
pub struct Tabular;

impl Connector for Tabular {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["tabular", "mapped", "jsonl-map"]
    }

    fn describe(&self) -> &'static str {
        "CSV and JSONL from any other tool, with a field mapping."
    }
}
