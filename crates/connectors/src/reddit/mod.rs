//! Reddit listings, comment trees, morechildren responses and Pushshift dumps.

use crate::Connector;

/// Reddit listings, comment trees, morechildren responses and Pushshift dumps.
pub struct Reddit;

impl Connector for Reddit {
    fn name(&self) -> &'static str {
        "reddit"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["pushshift"]
    }

    fn describe(&self) -> &'static str {
        "Reddit listings, comment trees, morechildren responses and Pushshift dumps."
    }
}
