//! YouTube Data API v3 commentThreads and comments lists.

use crate::Connector;

/// YouTube Data API v3 commentThreads and comments lists.
pub struct Youtube;

impl Connector for Youtube {
    fn name(&self) -> &'static str {
        "youtube"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["yt"]
    }

    fn describe(&self) -> &'static str {
        "YouTube Data API v3 commentThreads and comments lists."
    }
}
