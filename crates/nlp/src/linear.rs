//! Multinomial logistic regression over hashed features, trained with AdaGrad (deterministic:
//! fixed-seed shuffles, single-threaded per model, stable order).

/// One training example: feature hashes, values and the class index.
#[derive(Debug, Clone)]
pub struct Example {
    /// Feature hashes.
    pub idx: Vec<u32>,
    /// Feature values.
    pub val: Vec<f32>,
    /// Class index.
    pub y: usize,
    /// Example weight.
    pub w: f32,
}

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct TrainConfig {
    /// log2 of the number of weight rows.
    pub bits: u8,
    /// Passes over the data.
    pub epochs: usize,
    /// AdaGrad learning rate.
    pub lr: f32,
    /// L2 penalty applied to the touched weights.
    pub l2: f32,
    /// Weigh classes inversely to their frequency.
    pub balanced: bool,
    /// Shuffle seed.
    pub seed: u64,
    /// Return the average of the weights over every update (averaged SGD).
    pub average: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            bits: 18,
            epochs: 8,
            lr: 0.05,
            l2: 1e-4,
            balanced: true,
            seed: 42,
            average: true,
        }
    }
}

/// A trained dense model: `rows × classes` weights and per-class biases.
#[derive(Debug, Clone)]
pub struct Linear {
    /// log2 of the number of rows.
    pub bits: u8,
    /// Number of classes.
    pub classes: usize,
    /// Weights, row-major (`row * classes + class`).
    pub w: Vec<f32>,
    /// Biases.
    pub b: Vec<f32>,
}

/// splitmix64, the deterministic generator of every shuffle.
pub fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Linear {
    /// Logits of one example.
    pub fn logits(&self, idx: &[u32], val: &[f32], out: &mut [f32]) {
        let mask = (1u32 << self.bits) - 1;
        out.copy_from_slice(&self.b);
        for (&i, &v) in idx.iter().zip(val) {
            let r = (i & mask) as usize * self.classes;
            for (c, o) in out.iter_mut().enumerate() {
                *o += self.w[r + c] * v;
            }
        }
    }

    /// Trains a model on `data` with `classes` classes.
    pub fn train(data: &[Example], classes: usize, cfg: TrainConfig) -> Linear {
        let rows = 1usize << cfg.bits;
        let mask = (1u32 << cfg.bits) - 1;
        let mut w = vec![0f32; rows * classes];
        let mut g2 = vec![0f32; rows * classes];
        let mut b = vec![0f32; classes];
        let mut gb = vec![0f32; classes];
        let mut counts = vec![0f64; classes];
        for e in data {
            if e.y < classes {
                counts[e.y] += f64::from(e.w);
            }
        }
        let total: f64 = counts.iter().sum();
        let cw: Vec<f32> = counts
            .iter()
            .map(|&n| {
                if cfg.balanced && n > 0.0 {
                    (total / (classes as f64 * n)) as f32
                } else {
                    1.0
                }
            })
            .collect();
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut rng = cfg.seed;
        let mut z = vec![0f32; classes];
        let mut g = vec![0f32; classes];
        // Averaging trick: avg = w - u / t, where u accumulates t·Δw.
        let mut u = if cfg.average {
            vec![0f32; rows * classes]
        } else {
            Vec::new()
        };
        let mut ub = vec![0f32; classes];
        let mut t = 1f32;
        for _ in 0..cfg.epochs {
            for k in (1..order.len()).rev() {
                let j = (splitmix(&mut rng) % (k as u64 + 1)) as usize;
                order.swap(k, j);
            }
            for &n in &order {
                let e = &data[n];
                if e.y >= classes {
                    continue;
                }
                z.copy_from_slice(&b);
                for (&i, &v) in e.idx.iter().zip(&e.val) {
                    let r = (i & mask) as usize * classes;
                    for c in 0..classes {
                        z[c] += w[r + c] * v;
                    }
                }
                let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut s = 0.0;
                for v in z.iter_mut() {
                    *v = (*v - m).exp();
                    s += *v;
                }
                let scale = cw[e.y] * e.w;
                for c in 0..classes {
                    let y = if c == e.y { 1.0 } else { 0.0 };
                    g[c] = (z[c] / s - y) * scale;
                }
                for (&i, &v) in e.idx.iter().zip(&e.val) {
                    let r = (i & mask) as usize * classes;
                    for c in 0..classes {
                        let gw = g[c] * v + cfg.l2 * w[r + c];
                        if gw == 0.0 {
                            continue;
                        }
                        g2[r + c] += gw * gw;
                        let d = cfg.lr * gw / (g2[r + c].sqrt() + 1e-6);
                        w[r + c] -= d;
                        if cfg.average {
                            u[r + c] -= t * d;
                        }
                    }
                }
                for c in 0..classes {
                    gb[c] += g[c] * g[c];
                    let d = cfg.lr * g[c] / (gb[c].sqrt() + 1e-6);
                    b[c] -= d;
                    ub[c] -= t * d;
                }
                t += 1.0;
            }
        }
        if cfg.average {
            for (wi, ui) in w.iter_mut().zip(&u) {
                *wi -= ui / t;
            }
            for (bi, ui) in b.iter_mut().zip(&ub) {
                *bi -= ui / t;
            }
        }
        Linear {
            bits: cfg.bits,
            classes,
            w,
            b,
        }
    }
}

/// Softmax in place.
pub fn softmax(z: &mut [f32]) {
    let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut s = 0.0;
    for v in z.iter_mut() {
        *v = (*v - m).exp();
        s += *v;
    }
    if s > 0.0 {
        for v in z.iter_mut() {
            *v /= s;
        }
    }
}

/// Logistic function.
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_problem_deterministically() {
        let data: Vec<Example> = (0..200)
            .map(|i| Example {
                idx: vec![i % 2, 100 + (i % 7)],
                val: vec![1.0, 1.0],
                y: (i % 2) as usize,
                w: 1.0,
            })
            .collect();
        let cfg = TrainConfig {
            bits: 10,
            ..TrainConfig::default()
        };
        let m = Linear::train(&data, 2, cfg);
        let m2 = Linear::train(&data, 2, cfg);
        assert_eq!(m.w, m2.w);
        let mut z = [0.0; 2];
        m.logits(&[1, 100], &[1.0, 1.0], &mut z);
        assert!(z[1] > z[0]);
        m.logits(&[0, 100], &[1.0, 1.0], &mut z);
        assert!(z[0] > z[1]);
    }
}
