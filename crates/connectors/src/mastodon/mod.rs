//! Mastodon statuses, notifications, contexts and streaming bodies.

use crate::Connector;

/// Mastodon statuses, notifications, contexts and streaming bodies.
pub struct Mastodon;

impl Connector for Mastodon {
    fn name(&self) -> &'static str {
        "mastodon"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["fediverse"]
    }

    fn describe(&self) -> &'static str {
        "Mastodon statuses, notifications, contexts and streaming bodies."
    }
}
