//! Facebook and Instagram Graph API pages of posts, feeds and comments.

use crate::Connector;

/// Facebook and Instagram Graph API pages of posts, feeds and comments.
pub struct Graph;

impl Connector for Graph {
    fn name(&self) -> &'static str {
        "graph"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["facebook", "instagram", "fb", "ig"]
    }

    fn describe(&self) -> &'static str {
        "Facebook and Instagram Graph API pages of posts, feeds and comments."
    }
}
