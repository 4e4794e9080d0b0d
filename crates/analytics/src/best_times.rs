//! When posts get the most engagement: weekday × hour (UTC) per network.

use crate::Params;
use crate::error::Result;
use crate::scan::{Scope, for_each_in_scope};
use chrono::{Datelike, Timelike};
use serde::Serialize;
use std::collections::BTreeMap;
use tertulia_model::Network;
use tertulia_store::Store;

/// Fewest posts a slot needs to be ranked among the top slots.
pub const MIN_SLOT_POSTS: u64 = 2;

/// Weekday names, Monday first.
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One weekday × hour slot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slot {
    /// `mon` … `sun`.
    pub weekday: &'static str,
    /// Hour of the day, 0–23 (UTC).
    pub hour: u32,
    /// Posts created in the slot.
    pub posts: u64,
    /// Their likes + reshares + replies + quotes.
    pub engagement: u64,
    /// `engagement / posts`.
    pub mean_engagement: f64,
}

/// One network's slots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkBestTimes {
    /// Network.
    pub network: Network,
    /// Dated posts in scope on the network.
    pub posts: u64,
    /// Their mean engagement.
    pub mean_engagement: f64,
    /// Every slot with posts, Monday 0h first.
    pub slots: Vec<Slot>,
    /// Slots with at least 2 posts, highest mean engagement first (at most `limit`).
    pub top: Vec<Slot>,
}

/// The `best-times` analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BestTimes {
    /// `"best-times"`.
    pub analysis: &'static str,
    /// Time zone of weekdays and hours (always `UTC`).
    pub timezone: &'static str,
    /// The brand filter, if any.
    pub brand: Option<String>,
    /// One entry per network with dated posts in scope.
    pub networks: Vec<NetworkBestTimes>,
}

/// Engagement by weekday × hour per network: posts, mean engagement per post, top slots.
pub fn best_times(store: &dyn Store, params: &Params) -> Result<BestTimes> {
    params.check()?;
    let mut cells: BTreeMap<Network, [[(u64, u64); 24]; 7]> = BTreeMap::new();
    for_each_in_scope(store, params, &mut |p| {
        let Some(t) = p.created_at else {
            return;
        };
        let wd = t.weekday().num_days_from_monday() as usize;
        let h = t.hour() as usize;
        let grid = cells.entry(p.network).or_insert([[(0, 0); 24]; 7]);
        grid[wd][h].0 += 1;
        grid[wd][h].1 += tertulia_store::engagement(&p);
    })?;
    let networks = cells
        .into_iter()
        .map(|(network, grid)| {
            let mut slots = Vec::new();
            let (mut posts, mut eng) = (0u64, 0u64);
            for (wd, row) in grid.iter().enumerate() {
                for (h, (n, e)) in row.iter().enumerate() {
                    if *n == 0 {
                        continue;
                    }
                    posts += n;
                    eng += e;
                    slots.push(Slot {
                        weekday: WEEKDAYS[wd],
                        hour: h as u32,
                        posts: *n,
                        engagement: *e,
                        mean_engagement: *e as f64 / *n as f64,
                    });
                }
            }
            let mut top: Vec<Slot> = slots
                .iter()
                .filter(|s| s.posts >= MIN_SLOT_POSTS)
                .cloned()
                .collect();
            // Stable sort keeps Monday-first order among ties.
            top.sort_by(|a, b| {
                b.mean_engagement
                    .total_cmp(&a.mean_engagement)
                    .then(b.posts.cmp(&a.posts))
            });
            top.truncate(params.limit);
            NetworkBestTimes {
                network,
                posts,
                mean_engagement: if posts == 0 {
                    0.0
                } else {
                    eng as f64 / posts as f64
                },
                slots,
                top,
            }
        })
        .collect();
    Ok(BestTimes {
        analysis: "best-times",
        timezone: "UTC",
        brand: Scope::new(params).brand().map(str::to_string),
        networks,
    })
}
