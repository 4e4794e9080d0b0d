//! Which posts an analysis looks at, and the walk over them.

use crate::Params;
use crate::error::Result;
use tertulia_model::Post;
use tertulia_store::Store;

/// The posts selected by [`Params`]: not deleted, created in `[from, to)` (undated posts only
/// when neither bound is set) and tagged with the brand filter, if any.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    from: Option<i64>,
    to: Option<i64>,
    brand: Option<String>,
}

impl Scope {
    pub fn new(params: &Params) -> Self {
        // The stored tag is the declared spelling; accept any case in the filter.
        let brand = params.brand.as_ref().map(|b| {
            params
                .brands
                .get(b)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| b.clone())
        });
        Scope {
            from: params.from.map(|t| t.timestamp()),
            to: params.to.map(|t| t.timestamp()),
            brand,
        }
    }

    /// The brand filter, spelled as declared.
    pub fn brand(&self) -> Option<&str> {
        self.brand.as_deref()
    }

    /// Whether the post's time is in range (ignoring the brand).
    pub fn in_time(&self, p: &Post) -> bool {
        match p.created_at.map(|t| t.timestamp()) {
            Some(t) => self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t < e),
            None => self.from.is_none() && self.to.is_none(),
        }
    }

    /// Whether the post is selected.
    pub fn contains(&self, p: &Post) -> bool {
        !p.deleted
            && self.in_time(p)
            && self
                .brand
                .as_deref()
                .is_none_or(|b| p.brands.iter().any(|x| x == b))
    }
}

/// Calls `f` with every selected post.
pub(crate) fn for_each_in_scope(
    store: &dyn Store,
    params: &Params,
    f: &mut dyn FnMut(Post),
) -> Result<()> {
    let scope = Scope::new(params);
    store.for_each_post(&mut |p| {
        if scope.contains(&p) {
            f(p);
        }
        Ok(())
    })?;
    Ok(())
}

/// Cuts a text to at most `max` bytes at a character boundary, adding `…` when cut.
pub(crate) fn snippet(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    format!("{}…", &s[..s.floor_char_boundary(max)])
}

/// A small deterministic random generator (SplitMix64) for seeding clusterings.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use tertulia_model::{Network, PostKind};

    #[test]
    fn scope_filters_time_brand_and_deleted() {
        let mut p = Post::new(Network::X, "1", PostKind::Post);
        p.created_at = chrono::Utc.with_ymd_and_hms(2015, 2, 23, 5, 0, 0).single();
        p.brands = vec!["Iberia".into()];
        let params = Params {
            from: chrono::Utc.with_ymd_and_hms(2015, 2, 23, 5, 0, 0).single(),
            brand: Some("Iberia".into()),
            ..Params::default()
        };
        let s = Scope::new(&params);
        assert!(s.contains(&p));
        p.deleted = true;
        assert!(!s.contains(&p));
        p.deleted = false;
        p.created_at = None;
        assert!(!s.contains(&p));
        assert!(Scope::new(&Params::default()).contains(&p));
        p.brands.clear();
        assert!(!s.contains(&p));
    }

    #[test]
    fn snippets_cut_on_char_boundaries_and_rng_is_deterministic() {
        assert_eq!(snippet("añb", 2), "a…");
        assert_eq!(snippet("ab", 2), "ab");
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!(a.next_u64(), b.next_u64());
        assert!((0.0..1.0).contains(&a.next_f64()));
    }
}
