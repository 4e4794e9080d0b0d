//! Bluesky Jetstream events, getPostThread, searchPosts and getRecord.

use crate::Connector;

/// Bluesky Jetstream events, getPostThread, searchPosts and getRecord.
pub struct Bluesky;

impl Connector for Bluesky {
    fn name(&self) -> &'static str {
        "bluesky"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["bsky", "jetstream"]
    }

    fn describe(&self) -> &'static str {
        "Bluesky Jetstream events, getPostThread, searchPosts and getRecord."
    }
}
