//! The model artefact: lexicons, quantised weight tables and tuned decision parameters in one
//! little-endian binary file (`models/tertulia-nlp.bin`), embedded in the binary.
//!
//! Layout: magic `TRTNLP02`; feature config (n-gram sizes and a flag byte: bigrams, valence
//! features, valence lexicon present, dense heads present); three lexicons (`u32` count, then
//! `u64` hash and `i8` polarity×127 each, sorted by hash), and the valence lexicon when
//! flagged; `u32` params count, then name and `f32` each; two tables (es, en), each with
//! `bits`, row `width`, heads (name, offset, classes, scale, biases) and rows of `i8`
//! weights, zero-run-length encoded; when flagged (v4), the dense heads (`u32` count, then
//! name, group `u8`, `u16` weight count, `f32` weights and bias). When flag bit 4 is set (v7),
//! our word lists ([`crate::wordlists`]) follow the lexicons, es then en: exact terms (`u32`
//! count, `u64` hash and `u8` category each, sorted), stems (`u32` count, then text and `u8`
//! category each, in list order) and target words (`u32` count, `u64` hashes, sorted).

use crate::NlpError;
use crate::features::{FeatureConfig, Features, HashKeyed, Lexicons};
use crate::linear::Linear;
use crate::wordlists::{CATEGORIES, WordList};

const MAGIC: &[u8; 8] = b"TRTNLP02";

/// The row width (bytes) that [`Table::accumulate`] handles with fixed-size, vectorised rows;
/// training pads both tables to it ([`Table::pad`]).
pub const ROW: usize = 16;

/// One model head inside a table: `classes` columns starting at `offset` (a binary model is
/// stored as one column holding the positive-minus-negative logit).
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    /// Name (`sentiment`, `emotion`, `offensive`…).
    pub name: String,
    /// First column.
    pub offset: u16,
    /// Number of columns.
    pub classes: u16,
    /// Dequantisation scale.
    pub scale: f32,
    /// Biases, one per column.
    pub bias: Vec<f32>,
}

/// A weight table shared by the heads of one language group, so that each feature costs one
/// memory access for every model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// log2 of the number of rows.
    pub bits: u8,
    /// Bytes per row (sum of the heads' columns).
    pub width: u16,
    /// The heads.
    pub heads: Vec<Head>,
    /// Row-major quantised weights.
    pub data: Vec<i8>,
}

impl Table {
    /// An empty table with `bits` rows.
    pub fn new(bits: u8) -> Table {
        Table {
            bits,
            ..Table::default()
        }
    }

    /// Adds a trained model as a head (binary models become one column).
    pub fn add(&mut self, name: &str, m: &Linear) {
        let rows = 1usize << self.bits;
        let cols = if m.classes == 2 { 1 } else { m.classes };
        let col = |r: usize, c: usize| -> f32 {
            if m.classes == 2 {
                m.w[r * 2 + 1] - m.w[r * 2]
            } else {
                m.w[r * m.classes + c]
            }
        };
        let mut max = 0f32;
        for r in 0..rows.min(1 << m.bits) {
            for c in 0..cols {
                max = max.max(col(r, c).abs());
            }
        }
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let old_w = self.width as usize;
        let new_w = old_w + cols;
        let mut data = vec![0i8; rows * new_w];
        for r in 0..rows {
            data[r * new_w..r * new_w + old_w]
                .copy_from_slice(&self.data[r * old_w..r * old_w + old_w]);
            if r < (1 << m.bits) {
                for c in 0..cols {
                    data[r * new_w + old_w + c] =
                        (col(r, c) / scale).round().clamp(-127.0, 127.0) as i8;
                }
            }
        }
        let bias = if m.classes == 2 {
            vec![m.b[1] - m.b[0]]
        } else {
            m.b.clone()
        };
        self.heads.push(Head {
            name: name.to_string(),
            offset: old_w as u16,
            classes: cols as u16,
            scale,
            bias,
        });
        self.width = new_w as u16;
        self.data = data;
    }

    /// The head called `name`.
    pub fn head(&self, name: &str) -> Option<&Head> {
        let b = name.as_bytes();
        self.heads.iter().find(|h| {
            let hb = h.name.as_bytes();
            hb.len() == b.len() && hb.last() == b.last() && hb.first() == b.first() && hb == b
        })
    }

    /// Accumulates the raw column sums of every head for `f` into `acc` (cleared first).
    /// The uniform-valued prefix of the features is summed in integers, then scaled once.
    pub fn accumulate(&self, f: &Features, acc: &mut Vec<f32>) {
        let w = self.width as usize;
        acc.clear();
        acc.resize(w, 0.0);
        if w == 0 || w > 64 {
            return;
        }
        let mask = (1u32 << self.bits) - 1;
        let u = f.uniform.min(f.idx.len());
        if w == ROW {
            self.accumulate_rows(f, u, acc);
            return;
        }
        let mut ints = [0i32; 64];
        let ints = &mut ints[..w];
        for &i in &f.idx[..u] {
            let r = (i & mask) as usize * w;
            if let Some(row) = self.data.get(r..r + w) {
                for (a, &q) in ints.iter_mut().zip(row) {
                    *a += i32::from(q);
                }
            }
        }
        for (a, &s) in acc.iter_mut().zip(ints.iter()) {
            *a = s as f32 * f.uniform_val;
        }
        for (&i, &v) in f.idx[u..].iter().zip(&f.val[u..]) {
            let r = (i & mask) as usize * w;
            if let Some(row) = self.data.get(r..r + w) {
                for (a, &q) in acc.iter_mut().zip(row) {
                    *a += f32::from(q) * v;
                }
            }
        }
    }

    /// [`Table::accumulate`] for tables [`ROW`] bytes wide: fixed-size rows, which the
    /// compiler vectorises and which never straddle a cache line.
    fn accumulate_rows(&self, f: &Features, u: usize, acc: &mut [f32]) {
        let (rows, _) = self.data.as_chunks::<ROW>();
        let mask = (1u32 << self.bits) - 1;
        let mut ints = [0i32; ROW];
        for &i in &f.idx[..u] {
            if let Some(row) = rows.get((i & mask) as usize) {
                for (a, &q) in ints.iter_mut().zip(row) {
                    *a += i32::from(q);
                }
            }
        }
        let mut sums = [0f32; ROW];
        for (a, &s) in sums.iter_mut().zip(ints.iter()) {
            *a = s as f32 * f.uniform_val;
        }
        for (&i, &v) in f.idx[u..].iter().zip(&f.val[u..]) {
            if let Some(row) = rows.get((i & mask) as usize) {
                for (a, &q) in sums.iter_mut().zip(row) {
                    *a += f32::from(q) * v;
                }
            }
        }
        acc.copy_from_slice(&sums);
    }

    /// Widens every row to `width` bytes with zero columns that belong to no head (no-op if
    /// the table is already that wide): [`ROW`]-wide tables take the fast path of
    /// [`Table::accumulate`].
    pub fn pad(&mut self, width: u16) {
        let (old_w, new_w) = (self.width as usize, width as usize);
        if new_w <= old_w {
            return;
        }
        let rows = 1usize << self.bits;
        let mut data = vec![0i8; rows * new_w];
        for r in 0..rows {
            if let Some(src) = self.data.get(r * old_w..(r + 1) * old_w) {
                data[r * new_w..r * new_w + old_w].copy_from_slice(src);
            }
        }
        self.data = data;
        self.width = width;
    }

    /// The raw (unscaled) sum of column `col` over the rows of features `idx` weighted by
    /// `val`: what [`Table::accumulate`] would add to that column for those features.
    pub fn column_dot(&self, col: usize, idx: &[u32], val: &[f32]) -> f32 {
        let w = self.width as usize;
        let mask = (1u32 << self.bits) - 1;
        let mut z = 0.0;
        for (&i, &v) in idx.iter().zip(val) {
            if let Some(&q) = self.data.get((i & mask) as usize * w + col) {
                z += f32::from(q) * v;
            }
        }
        z
    }

    /// The logits of head `h` from accumulated sums.
    pub fn logits(h: &Head, acc: &[f32], out: &mut Vec<f32>) {
        out.clear();
        let o = h.offset as usize;
        for c in 0..h.classes as usize {
            out.push(h.bias[c] + h.scale * acc.get(o + c).copied().unwrap_or(0.0));
        }
    }
}

/// A binary logistic model over a few dense inputs, kept in full precision outside the
/// tables: for heads whose inputs are other models' outputs (the English intent heads over
/// [`crate::intent::Intents::signals`]), which would otherwise widen a table row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dense {
    /// Name (`intent_praise`…).
    pub name: String,
    /// Language group (index of [`Pack::tables`]).
    pub group: u8,
    /// One weight per input.
    pub w: Vec<f32>,
    /// Bias (the positive-minus-negative logit).
    pub b: f32,
}

impl Dense {
    /// The probability of the positive class for inputs `x` (missing inputs count as 0).
    pub fn prob(&self, x: &[f32]) -> f32 {
        let z = self.b + self.w.iter().zip(x).map(|(w, x)| w * x).sum::<f32>();
        crate::linear::sigmoid(z)
    }
}

/// Everything the classifier needs.
#[derive(Debug, Clone, Default)]
pub struct Pack {
    /// Feature settings used in training.
    pub features: FeatureConfig,
    /// Lexicons.
    pub lexicons: Lexicons,
    /// Tuned decision parameters (thresholds, biases).
    pub params: Vec<(String, f32)>,
    /// Tables: index 0 = es group, 1 = en group.
    pub tables: [Table; 2],
    /// Dense heads (none before v4).
    pub dense: Vec<Dense>,
}

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f32(&mut self, v: f32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u16(s.len() as u16);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn varint(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(b);
                return;
            }
            self.0.push(b | 0x80);
        }
    }
    fn lex(&mut self, m: &HashKeyed<f32>) {
        let mut v: Vec<(u64, i8)> = m
            .iter()
            .map(|(&k, &p)| (k, (p.clamp(-1.0, 1.0) * 127.0).round() as i8))
            .collect();
        v.sort_unstable();
        self.u32(v.len() as u32);
        for (k, p) in v {
            self.0.extend_from_slice(&k.to_le_bytes());
            self.0.push(p as u8);
        }
    }
}

impl W {
    fn word_list(&mut self, a: &WordList) {
        let mut exact: Vec<(u64, u8)> = a.exact.iter().map(|(&k, &c)| (k, c)).collect();
        exact.sort_unstable();
        self.u32(exact.len() as u32);
        for (k, c) in exact {
            self.0.extend_from_slice(&k.to_le_bytes());
            self.u8(c);
        }
        self.u32(a.stem_words.len() as u32);
        for (s, c) in &a.stem_words {
            self.str(s);
            self.u8(*c);
        }
        let mut targets: Vec<u64> = a.targets.keys().copied().collect();
        targets.sort_unstable();
        self.u32(targets.len() as u32);
        for k in targets {
            self.0.extend_from_slice(&k.to_le_bytes());
        }
    }
}

struct R<'a> {
    b: &'a [u8],
    pos: usize,
}

impl R<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], NlpError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len());
        let Some(end) = end else {
            return Err(NlpError::Artefact(format!(
                "truncated at byte {}",
                self.pos
            )));
        };
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn arr<const N: usize>(&mut self) -> Result<[u8; N], NlpError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, NlpError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, NlpError> {
        Ok(u16::from_le_bytes(self.arr()?))
    }
    fn u32(&mut self) -> Result<u32, NlpError> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    fn f32(&mut self) -> Result<f32, NlpError> {
        Ok(f32::from_le_bytes(self.arr()?))
    }
    fn str(&mut self) -> Result<String, NlpError> {
        let n = self.u16()? as usize;
        String::from_utf8(self.take(n)?.to_vec())
            .map_err(|_| NlpError::Artefact("a name is not utf-8".into()))
    }
    fn varint(&mut self) -> Result<u64, NlpError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(NlpError::Artefact("bad varint".into()))
    }
    fn word_list(&mut self) -> Result<WordList, NlpError> {
        let bad_cat = |c: u8| {
            if usize::from(c) < CATEGORIES {
                Ok(c)
            } else {
                Err(NlpError::Artefact(format!("word-list category {c}")))
            }
        };
        let n = self.u32()? as usize;
        let mut exact = HashKeyed::default();
        for _ in 0..n {
            let k = u64::from_le_bytes(self.arr()?);
            exact.insert(k, bad_cat(self.u8()?)?);
        }
        let n = self.u32()? as usize;
        let mut stems = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            let s = self.str()?;
            stems.push((s, bad_cat(self.u8()?)?));
        }
        let n = self.u32()? as usize;
        let mut targets = HashKeyed::default();
        for _ in 0..n {
            targets.insert(u64::from_le_bytes(self.arr()?), ());
        }
        Ok(WordList::from_parts(exact, stems, targets))
    }
    fn lex(&mut self) -> Result<HashKeyed<f32>, NlpError> {
        let n = self.u32()? as usize;
        let mut m = HashKeyed::default();
        m.reserve(n.min(1 << 20));
        for _ in 0..n {
            let k = u64::from_le_bytes(self.arr()?);
            let p = self.u8()? as i8;
            m.insert(k, f32::from(p) / 127.0);
        }
        Ok(m)
    }
}

impl Pack {
    /// Serialises the pack.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = W(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.u8(self.features.min_n as u8);
        w.u8(self.features.max_n as u8);
        w.u8(u8::from(self.features.bigrams)
            | (u8::from(self.features.valence) << 1)
            | (u8::from(!self.lexicons.valence.is_empty()) << 2)
            | (u8::from(!self.dense.is_empty()) << 3)
            | (u8::from(self.lexicons.words.iter().any(|a| !a.is_empty())) << 4));
        w.lex(&self.lexicons.es);
        w.lex(&self.lexicons.en);
        w.lex(&self.lexicons.emoji);
        if !self.lexicons.valence.is_empty() {
            w.lex(&self.lexicons.valence);
        }
        if self.lexicons.words.iter().any(|a| !a.is_empty()) {
            for a in &self.lexicons.words {
                w.word_list(a);
            }
        }
        w.u32(self.params.len() as u32);
        for (k, v) in &self.params {
            w.str(k);
            w.f32(*v);
        }
        for t in &self.tables {
            w.u8(t.bits);
            w.u16(t.width);
            w.u16(t.heads.len() as u16);
            for h in &t.heads {
                w.str(&h.name);
                w.u16(h.offset);
                w.u16(h.classes);
                w.f32(h.scale);
                for b in &h.bias {
                    w.f32(*b);
                }
            }
            // Zero-run-length encoding: (zeros, literals, literal bytes)*.
            let d = &t.data;
            let mut i = 0;
            while i < d.len() {
                let z0 = i;
                while i < d.len() && d[i] == 0 {
                    i += 1;
                }
                let l0 = i;
                while i < d.len() && !(d[i] == 0 && d.get(i + 1) == Some(&0)) {
                    i += 1;
                }
                w.varint((l0 - z0) as u64);
                w.varint((i - l0) as u64);
                w.0.extend(d[l0..i].iter().map(|&b| b as u8));
            }
        }
        if !self.dense.is_empty() {
            w.u32(self.dense.len() as u32);
            for d in &self.dense {
                w.str(&d.name);
                w.u8(d.group);
                w.u16(d.w.len() as u16);
                for x in &d.w {
                    w.f32(*x);
                }
                w.f32(d.b);
            }
        }
        w.0
    }

    /// The dense head `name` of language group `group`.
    pub fn dense(&self, group: usize, name: &str) -> Option<&Dense> {
        self.dense
            .iter()
            .find(|d| usize::from(d.group) == group && d.name == name)
    }

    /// Reads a pack written by [`Pack::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Result<Pack, NlpError> {
        let mut r = R { b, pos: 0 };
        if r.take(8)? != MAGIC {
            return Err(NlpError::Artefact(
                "bad magic (not a tertulia-nlp model)".into(),
            ));
        }
        let min_n = r.u8()? as usize;
        let max_n = r.u8()? as usize;
        let flags = r.u8()?;
        let features = FeatureConfig {
            min_n,
            max_n,
            bigrams: flags & 1 != 0,
            valence: flags & 2 != 0,
        };
        let mut lexicons = Lexicons {
            es: r.lex()?,
            en: r.lex()?,
            emoji: r.lex()?,
            valence: if flags & 4 != 0 {
                r.lex()?
            } else {
                HashKeyed::default()
            },
            words: Default::default(),
        };
        if flags & 16 != 0 {
            lexicons.words = [r.word_list()?, r.word_list()?];
        }
        let np = r.u32()? as usize;
        let mut params = Vec::new();
        for _ in 0..np {
            let k = r.str()?;
            params.push((k, r.f32()?));
        }
        let mut tables = [Table::default(), Table::default()];
        for t in &mut tables {
            t.bits = r.u8()?;
            if t.bits > 24 {
                return Err(NlpError::Artefact(format!("table of 2^{} rows", t.bits)));
            }
            t.width = r.u16()?;
            let nh = r.u16()?;
            for _ in 0..nh {
                let name = r.str()?;
                let offset = r.u16()?;
                let classes = r.u16()?;
                let scale = r.f32()?;
                let mut bias = Vec::new();
                for _ in 0..classes {
                    bias.push(r.f32()?);
                }
                if offset as usize + classes as usize > t.width as usize {
                    return Err(NlpError::Artefact(format!("head {name} outside its table")));
                }
                t.heads.push(Head {
                    name,
                    offset,
                    classes,
                    scale,
                    bias,
                });
            }
            let total = (1usize << t.bits) * t.width as usize;
            let mut data = Vec::with_capacity(total);
            while data.len() < total {
                let z = r.varint()? as usize;
                let l = r.varint()? as usize;
                if data.len() + z + l > total {
                    return Err(NlpError::Artefact("table data overflows".into()));
                }
                data.resize(data.len() + z, 0);
                data.extend(r.take(l)?.iter().map(|&b| b as i8));
            }
            t.data = data;
        }
        let mut dense = Vec::new();
        if flags & 8 != 0 {
            let n = r.u32()?;
            for _ in 0..n {
                let name = r.str()?;
                let group = r.u8()?;
                if usize::from(group) >= tables.len() {
                    return Err(NlpError::Artefact(format!(
                        "dense head {name}: group {group}"
                    )));
                }
                let k = r.u16()?;
                let mut w = Vec::with_capacity(usize::from(k));
                for _ in 0..k {
                    w.push(r.f32()?);
                }
                let b = r.f32()?;
                dense.push(Dense { name, group, w, b });
            }
        }
        Ok(Pack {
            features,
            lexicons,
            params,
            tables,
            dense,
        })
    }

    /// A tuned parameter, or `default`.
    pub fn param(&self, name: &str, default: f32) -> f32 {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map_or(default, |(_, v)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let m = Linear {
            bits: 4,
            classes: 3,
            w: (0..48).map(|i| (i as f32 - 24.0) / 10.0).collect(),
            b: vec![0.1, 0.2, 0.3],
        };
        let m2 = Linear {
            bits: 4,
            classes: 2,
            w: (0..32)
                .map(|i| if i % 5 == 0 { 1.0 } else { 0.0 })
                .collect(),
            b: vec![0.0, 1.0],
        };
        let mut p = Pack::default();
        p.tables[0] = Table::new(4);
        p.tables[0].add("a", &m);
        p.tables[0].add("b", &m2);
        p.tables[1] = Table::new(4);
        p.params.push(("x".into(), 0.5));
        p.lexicons.es.insert(7, 0.5);
        assert!(Pack::from_bytes(&p.to_bytes()).unwrap().dense.is_empty());
        p.dense.push(Dense {
            name: "d".into(),
            group: 1,
            w: vec![0.5, -1.25],
            b: 0.1,
        });
        p.lexicons.words[1] =
            WordList::parse("[insult]\nidiot* clown\n[target]\nyou <user>\n", "t").unwrap();
        let bytes = p.to_bytes();
        let q = Pack::from_bytes(&bytes).unwrap();
        assert_eq!(q.lexicons.words, p.lexicons.words);
        assert!(q.lexicons.words[0].is_empty());
        assert_eq!(q.tables, p.tables);
        assert_eq!(q.dense, p.dense);
        let d = q.dense(1, "d").unwrap();
        assert!((d.prob(&[1.0, 1.0]) - crate::linear::sigmoid(-0.65)).abs() < 1e-6);
        assert!(q.dense(0, "d").is_none());
        assert_eq!(q.param("x", 0.0), 0.5);
        assert_eq!(q.tables[0].width, 4);
        assert!(Pack::from_bytes(b"nonsense").is_err());
        assert!(Pack::from_bytes(&bytes[..bytes.len() / 2]).is_err());
    }

    #[test]
    fn column_dot_matches_accumulate() {
        let m = Linear {
            bits: 4,
            classes: 3,
            w: (0..48).map(|i| ((i * 7) % 11) as f32 - 5.0).collect(),
            b: vec![0.0; 3],
        };
        let mut t = Table::new(4);
        t.add("a", &m);
        let mut f = Features::default();
        f.idx = vec![3, 9, 17, 40];
        f.val = vec![1.0, 0.5, -2.0, 0.25];
        let mut acc = Vec::new();
        t.accumulate(&f, &mut acc);
        assert_eq!(acc.len(), 3);
        for (col, a) in acc.iter().enumerate() {
            let z = t.column_dot(col, &f.idx, &f.val);
            assert!((z - a).abs() < 1e-4, "column {col}: {z} vs {a}");
        }
        // Padded to the fast row width, the same sums come out of the fixed-size path, and
        // the padding columns stay zero.
        let mut wide = t.clone();
        wide.pad(ROW as u16);
        assert_eq!(wide.width as usize, ROW);
        f.uniform = 2;
        f.uniform_val = 0.5;
        t.accumulate(&f, &mut acc);
        let mut acc16 = Vec::new();
        wide.accumulate(&f, &mut acc16);
        assert_eq!(acc16.len(), ROW);
        for (c, a) in acc16.iter().enumerate() {
            let want = acc.get(c).copied().unwrap_or(0.0);
            assert!((a - want).abs() < 1e-4, "column {c}: {a} vs {want}");
        }
        assert!(acc.iter().any(|&a| a != 0.0));
        // Rows past the table, or an empty feature list, add nothing.
        assert_eq!(t.column_dot(0, &[], &[]), 0.0);
    }
}
