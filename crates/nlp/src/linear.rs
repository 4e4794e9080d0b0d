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
    /// NB log-count-ratio scaling (Wang & Manning 2012, multiclass one-vs-rest): when > 0,
    /// the value of feature `i` for class `c` is multiplied by `|r_c,i|^nb` during training,
    /// with `r` the smoothed log ratio of the feature's presence in class `c` vs the rest.
    /// The scales are folded into the returned weights, so inference is unchanged.
    pub nb: f32,
    /// Share of the NB scale in the final scale: `1 − nb_mix + nb_mix · |r|^nb` (keeps
    /// features present in every class, such as the lexicon sums, alive).
    pub nb_mix: f32,
    /// Number of models averaged (seeds `seed`, `seed+1`, …); averaging linear models over
    /// the same features is one linear model, so inference is unchanged.
    pub ensemble: usize,
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
            nb: 0.0,
            nb_mix: 0.5,
            ensemble: 1,
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

    /// Trains a model on `data` with `classes` classes (an average of `cfg.ensemble` models
    /// with consecutive seeds, NB-scaled when `cfg.nb > 0`).
    pub fn train(data: &[Example], classes: usize, cfg: TrainConfig) -> Linear {
        let scale = if cfg.nb > 0.0 {
            Some(nb_scales(data, classes, cfg.bits, cfg.nb, cfg.nb_mix))
        } else {
            None
        };
        let k = cfg.ensemble.max(1);
        let mut acc: Option<Linear> = None;
        for j in 0..k {
            let c = TrainConfig {
                seed: cfg.seed.wrapping_add(j as u64),
                ..cfg
            };
            let m = Self::train_one(data, classes, c, scale.as_deref());
            match acc.as_mut() {
                None => acc = Some(m),
                Some(a) => {
                    for (x, y) in a.w.iter_mut().zip(&m.w) {
                        *x += y;
                    }
                    for (x, y) in a.b.iter_mut().zip(&m.b) {
                        *x += y;
                    }
                }
            }
        }
        let mut m = acc.unwrap_or(Linear {
            bits: cfg.bits,
            classes,
            w: vec![0.0; (1usize << cfg.bits) * classes],
            b: vec![0.0; classes],
        });
        let inv = 1.0 / k as f32;
        for x in m.w.iter_mut().chain(m.b.iter_mut()) {
            *x *= inv;
        }
        if let Some(sc) = &scale {
            for (x, s) in m.w.iter_mut().zip(sc) {
                *x *= s;
            }
        }
        m
    }

    fn train_one(data: &[Example], classes: usize, cfg: TrainConfig, sc: Option<&[f32]>) -> Linear {
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
                        let s = sc.map_or(1.0, |s| s[r + c]);
                        z[c] += w[r + c] * v * s;
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
                        let s = sc.map_or(1.0, |s| s[r + c]);
                        let gw = g[c] * v * s + cfg.l2 * w[r + c];
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

/// Per-row, per-class NB scales `1 − mix + mix · |r_c,i|^power / mean` (the mean over the
/// rows seen),
/// `r_c,i = log((p_c,i + 1) / (|p_c| + 1)) − log((q_c,i + 1) / (|q_c| + 1))`, where `p_c,i`
/// is the weighted count of class-`c` examples with row `i` and `q_c,i` the same for the
/// other classes. Rows never seen get scale 1.
pub fn nb_scales(data: &[Example], classes: usize, bits: u8, power: f32, mix: f32) -> Vec<f32> {
    let rows = 1usize << bits;
    let mask = (1u32 << bits) - 1;
    let mut cnt = vec![0f64; rows * classes];
    let mut tot = vec![0f64; rows];
    for e in data {
        if e.y >= classes {
            continue;
        }
        for &i in &e.idx {
            let r = (i & mask) as usize;
            cnt[r * classes + e.y] += f64::from(e.w);
            tot[r] += f64::from(e.w);
        }
    }
    let mut ctot = vec![0f64; classes];
    for r in 0..rows {
        for c in 0..classes {
            ctot[c] += cnt[r * classes + c];
        }
    }
    let all: f64 = ctot.iter().sum();
    let mut out = vec![1f32; rows * classes];
    let (mut sum, mut n) = (0f64, 0f64);
    for r in 0..rows {
        if tot[r] == 0.0 {
            continue;
        }
        for c in 0..classes {
            let p = cnt[r * classes + c];
            let q = tot[r] - p;
            let ratio =
                ((p + 1.0) / (ctot[c] + 1.0)).ln() - ((q + 1.0) / (all - ctot[c] + 1.0)).ln();
            let v = ratio.abs().powf(f64::from(power));
            out[r * classes + c] = v as f32;
            sum += v;
            n += 1.0;
        }
    }
    let mean = if n > 0.0 && sum > 0.0 { sum / n } else { 1.0 };
    for r in 0..rows {
        if tot[r] == 0.0 {
            continue;
        }
        for c in 0..classes {
            let v = f64::from(out[r * classes + c]) / mean;
            out[r * classes + c] = (1.0 - f64::from(mix) + f64::from(mix) * v) as f32;
        }
    }
    out
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

    #[test]
    fn nb_scaling_and_ensembles_are_deterministic_and_still_learn() {
        // Feature 0/1 carry the class, 100+ are noise shared by both classes.
        let data: Vec<Example> = (0..300)
            .map(|i| Example {
                idx: vec![i % 2, 100 + (i % 5)],
                val: vec![1.0, 1.0],
                y: (i % 2) as usize,
                w: 1.0,
            })
            .collect();
        let cfg = TrainConfig {
            bits: 10,
            nb: 2.0,
            ensemble: 3,
            ..TrainConfig::default()
        };
        let m = Linear::train(&data, 2, cfg);
        assert_eq!(m.w, Linear::train(&data, 2, cfg).w);
        let mut z = [0.0; 2];
        m.logits(&[1, 101], &[1.0, 1.0], &mut z);
        assert!(z[1] > z[0]);
        m.logits(&[0, 101], &[1.0, 1.0], &mut z);
        assert!(z[0] > z[1]);
        // Discriminative rows get larger NB scales than rows seen equally in both classes.
        let sc = nb_scales(&data, 2, 10, 1.0, 1.0);
        assert!(sc[1] > sc[100 * 2]);
        assert!(sc.iter().all(|v| v.is_finite() && *v >= 0.0));
        // An ensemble of one is the plain model.
        let one = TrainConfig {
            bits: 10,
            ..TrainConfig::default()
        };
        let a = Linear::train(&data, 2, one);
        let b = Linear::train(&data, 2, TrainConfig { ensemble: 1, ..one });
        assert_eq!(a.w, b.w);
    }
}
