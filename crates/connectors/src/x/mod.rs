//! X/Twitter: API v2 pages and stream lines, v1.1 tweets, account archives.

use crate::Connector;

/// X/Twitter: API v2 pages and stream lines, v1.1 tweets, account archives.
pub struct X;

impl Connector for X {
    fn name(&self) -> &'static str {
        "x"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["twitter", "x-v2", "x-v1", "x-archive"]
    }

    fn describe(&self) -> &'static str {
        "X/Twitter: API v2 pages and stream lines, v1.1 tweets, account archives."
    }
}
