//! Deterministic k-means: spherical (cosine) over sparse unit vectors, and Euclidean over dense
//! vectors, both seeded by k-means++ with a fixed-seed generator.

use crate::scan::Rng;

/// A sparse vector: `(dimension, weight)` sorted by dimension.
pub(crate) type Sparse = Vec<(u32, f32)>;

/// Seed of every clustering (fixed, so results are reproducible).
const SEED: u64 = 0x7E57_0A11_A11C_5EED;
/// Most Lloyd iterations.
const MAX_ITER: usize = 30;

fn dot(v: &Sparse, c: &[f32]) -> f32 {
    v.iter()
        .map(|(i, w)| w * c.get(*i as usize).copied().unwrap_or(0.0))
        .sum()
}

fn normalise(c: &mut [f32]) {
    let n = c.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        c.iter_mut().for_each(|x| *x /= n);
    }
}

/// Greedy k-means++ choice of `k` seeds (as scikit-learn: at each step `2 + ln k` candidates
/// are drawn with probability ∝ D², and the one that lowers the total D² most is kept).
/// `dist_to(c)` gives every point's distance to point `c`.
fn seeds(n: usize, k: usize, dist_to: &dyn Fn(usize) -> Vec<f64>) -> Vec<usize> {
    let mut rng = Rng::new(SEED);
    let first = rng.below(n);
    let mut chosen = vec![first];
    let mut d2: Vec<f64> = dist_to(first).iter().map(|d| d * d).collect();
    let trials = 2 + (k as f64).ln().floor() as usize;
    while chosen.len() < k {
        let total: f64 = d2.iter().sum();
        if total <= 0.0 {
            break;
        }
        let mut best: Option<(f64, usize, Vec<f64>)> = None;
        for _ in 0..trials {
            let mut r = rng.next_f64() * total;
            let mut pick = n - 1;
            for (i, d) in d2.iter().enumerate() {
                r -= d;
                if r <= 0.0 && *d > 0.0 {
                    pick = i;
                    break;
                }
            }
            let cand: Vec<f64> = dist_to(pick)
                .iter()
                .zip(&d2)
                .map(|(d, old)| (d * d).min(*old))
                .collect();
            let pot: f64 = cand.iter().sum();
            if best.as_ref().is_none_or(|b| pot < b.0) {
                best = Some((pot, pick, cand));
            }
        }
        let Some((_, pick, cand)) = best else { break };
        chosen.push(pick);
        d2 = cand;
    }
    chosen
}

/// Spherical k-means of unit sparse vectors in `dims` dimensions: returns each vector's
/// cluster (0..k', k' ≤ k, clusters renumbered by decreasing size then first member).
pub(crate) fn spherical_kmeans(vecs: &[Sparse], dims: usize, k: usize) -> Vec<usize> {
    let n = vecs.len();
    if n == 0 || k == 0 {
        return Vec::new();
    }
    let k = k.min(n);
    let dense = |v: &Sparse| {
        let mut c = vec![0f32; dims];
        for (i, w) in v {
            if let Some(x) = c.get_mut(*i as usize) {
                *x = *w;
            }
        }
        c
    };
    let dist_to = |b: usize| -> Vec<f64> {
        let c = dense(&vecs[b]);
        vecs.iter()
            .map(|v| (1.0 - dot(v, &c) as f64).max(0.0))
            .collect()
    };
    let seeds = seeds(n, k, &dist_to);
    let mut cents: Vec<Vec<f32>> = seeds.iter().map(|s| dense(&vecs[*s])).collect();
    let mut assign = vec![usize::MAX; n];
    for _ in 0..MAX_ITER {
        let mut changed = false;
        for (i, v) in vecs.iter().enumerate() {
            let mut best = (0usize, f32::MIN);
            for (j, c) in cents.iter().enumerate() {
                let s = dot(v, c);
                if s > best.1 {
                    best = (j, s);
                }
            }
            if assign[i] != best.0 {
                assign[i] = best.0;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        for c in cents.iter_mut() {
            c.iter_mut().for_each(|x| *x = 0.0);
        }
        for (i, v) in vecs.iter().enumerate() {
            for (d, w) in v {
                if let Some(x) = cents[assign[i]].get_mut(*d as usize) {
                    *x += w;
                }
            }
        }
        cents.iter_mut().for_each(|c| normalise(c));
    }
    renumber(&assign)
}

/// Euclidean k-means of dense points: each point's cluster, renumbered like
/// [`spherical_kmeans`].
pub(crate) fn kmeans(points: &[Vec<f64>], k: usize) -> Vec<usize> {
    let n = points.len();
    if n == 0 || k == 0 {
        return Vec::new();
    }
    let k = k.min(n);
    let d = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y) * (x - y))
            .sum::<f64>()
            .sqrt()
    };
    let dist_to = |b: usize| -> Vec<f64> { points.iter().map(|p| d(p, &points[b])).collect() };
    let seeds = seeds(n, k, &dist_to);
    let dims = points[0].len();
    let mut cents: Vec<Vec<f64>> = seeds.iter().map(|s| points[*s].clone()).collect();
    let mut assign = vec![usize::MAX; n];
    for _ in 0..MAX_ITER {
        let mut changed = false;
        for (i, p) in points.iter().enumerate() {
            let mut best = (0usize, f64::MAX);
            for (j, c) in cents.iter().enumerate() {
                let s = d(p, c);
                if s < best.1 {
                    best = (j, s);
                }
            }
            if assign[i] != best.0 {
                assign[i] = best.0;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        let mut sums = vec![vec![0f64; dims]; cents.len()];
        let mut counts = vec![0usize; cents.len()];
        for (i, p) in points.iter().enumerate() {
            counts[assign[i]] += 1;
            for (s, x) in sums[assign[i]].iter_mut().zip(p) {
                *s += x;
            }
        }
        for (j, c) in cents.iter_mut().enumerate() {
            if counts[j] > 0 {
                *c = sums[j].iter().map(|s| s / counts[j] as f64).collect();
            }
        }
    }
    renumber(&assign)
}

/// Renumbers clusters by decreasing size, ties by first member.
fn renumber(assign: &[usize]) -> Vec<usize> {
    let max = assign.iter().copied().max().unwrap_or(0);
    let mut info: Vec<(usize, usize, usize)> = (0..=max).map(|j| (0, usize::MAX, j)).collect();
    for (i, a) in assign.iter().enumerate() {
        info[*a].0 += 1;
        info[*a].1 = info[*a].1.min(i);
    }
    info.retain(|x| x.0 > 0);
    info.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut map = vec![0usize; max + 1];
    for (new, (_, _, old)) in info.iter().enumerate() {
        map[*old] = new;
    }
    assign.iter().map(|a| map[*a]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spherical_kmeans_separates_two_groups() {
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let vecs: Vec<Sparse> = vec![
            vec![(0, s), (1, s)],
            vec![(0, 1.0)],
            vec![(2, 1.0)],
            vec![(1, 1.0)],
            vec![(2, s), (3, s)],
        ];
        let a = spherical_kmeans(&vecs, 4, 2);
        assert_eq!(a, vec![0, 0, 1, 0, 1]);
        assert_eq!(spherical_kmeans(&vecs, 4, 2), a);
    }

    #[test]
    fn kmeans_separates_and_renumbers() {
        let pts = vec![
            vec![10.0, 10.0],
            vec![0.0, 0.0],
            vec![0.1, 0.0],
            vec![0.0, 0.2],
            vec![10.1, 10.0],
        ];
        assert_eq!(kmeans(&pts, 2), vec![1, 0, 0, 0, 1]);
        assert_eq!(kmeans(&pts, 9).len(), 5);
        assert!(kmeans(&[], 3).is_empty());
    }
}
