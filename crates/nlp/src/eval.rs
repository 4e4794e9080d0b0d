//! Evaluation on a labelled JSONL file (`text`, `label`): accuracy, macro-F1, macro recall,
//! per-class precision/recall/F1 and a confusion matrix.
//!
//! Corpus labels are mapped: sentiment `none`/`mixed`/`NEU` → neutral, `P`/`N` → positive /
//! negative; emotion `others` → none, `optimism`/`love` → joy; offensive `offensive`, `OFF`,
//! `hateful`, `hate`, `true` → offensive, anything else → not-offensive; lang takes `label`,
//! or the `lang` field when there is no label.
//!
//! Intent: when every label is `complaint` or `not_complaint` the task is binary (predicted
//! `complaint` ∈ intents). Otherwise labels are intent lists (`question,praise`, `none` or
//! empty for none) and the report is multi-label: one row per intent, `accuracy` is the
//! exact-set match rate, and each confusion row is `[tp, fp, fn, tn]` for that intent.

use crate::{Classifier, NlpError};
use serde::Serialize;
use std::fmt;
use std::io::BufRead;
use std::path::Path;
use std::str::FromStr;
use tertulia_model::{Enrichment, Intent};

/// What is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// positive / neutral / negative.
    Sentiment,
    /// Intents (complaint binary, or multi-label).
    Intent,
    /// Emotion.
    Emotion,
    /// Offensive or not.
    Offensive,
    /// Language.
    Lang,
}

impl FromStr for Task {
    type Err = NlpError;
    fn from_str(s: &str) -> Result<Task, NlpError> {
        Ok(match s.trim().to_lowercase().as_str() {
            "sentiment" => Task::Sentiment,
            "intent" | "intents" | "complaint" => Task::Intent,
            "emotion" => Task::Emotion,
            "offensive" | "hate" => Task::Offensive,
            "lang" | "language" => Task::Lang,
            _ => return Err(NlpError::UnknownTask(s.to_string())),
        })
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Task::Sentiment => "sentiment",
            Task::Intent => "intent",
            Task::Emotion => "emotion",
            Task::Offensive => "offensive",
            Task::Lang => "lang",
        })
    }
}

/// Figures of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassMetrics {
    /// Label.
    pub label: String,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// Gold count.
    pub support: u64,
}

/// An evaluation report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    /// The task.
    pub task: Task,
    /// Items evaluated.
    pub n: u64,
    /// Accuracy (exact-set match for multi-label intents).
    pub accuracy: f64,
    /// Macro-averaged F1 over the gold classes.
    pub macro_f1: f64,
    /// Macro-averaged recall (SemEval's "average recall").
    pub macro_recall: f64,
    /// Whether the report is multi-label (intents).
    pub multilabel: bool,
    /// Per class.
    pub classes: Vec<ClassMetrics>,
    /// Confusion matrix: rows gold, columns predicted, in `classes` order; multi-label:
    /// `[tp, fp, fn, tn]` per intent.
    pub confusion: Vec<Vec<u64>>,
}

/// Gold label of a sentiment corpus, mapped.
pub fn map_sentiment(l: &str) -> &'static str {
    match l.trim().to_lowercase().as_str() {
        "positive" | "pos" | "p" | "p+" | "2" => "positive",
        "negative" | "neg" | "n" | "n+" | "0" => "negative",
        _ => "neutral",
    }
}

/// Gold label of an emotion corpus, mapped.
pub fn map_emotion(l: &str) -> &'static str {
    match l.trim().to_lowercase().as_str() {
        "anger" => "anger",
        "disgust" => "disgust",
        "fear" => "fear",
        "joy" | "optimism" | "love" | "happiness" => "joy",
        "sadness" => "sadness",
        "surprise" => "surprise",
        _ => "none",
    }
}

/// Gold label of an offensive/hate corpus, mapped.
pub fn map_offensive(l: &str) -> &'static str {
    match l.trim().to_lowercase().as_str() {
        "offensive" | "off" | "hateful" | "hate" | "true" | "1" | "yes" | "abusive" => "offensive",
        _ => "not-offensive",
    }
}

fn predicted(task: Task, e: &Enrichment) -> String {
    match task {
        Task::Sentiment => e.sentiment.as_str().to_string(),
        Task::Emotion => e.emotion.as_str().to_string(),
        Task::Offensive => if e.offensive {
            "offensive"
        } else {
            "not-offensive"
        }
        .to_string(),
        Task::Lang => e.lang.clone(),
        Task::Intent => if e.intents.contains(&Intent::Complaint) {
            "complaint"
        } else {
            "not_complaint"
        }
        .to_string(),
    }
}

fn gold(task: Task, l: &str) -> String {
    match task {
        Task::Sentiment => map_sentiment(l).into(),
        Task::Emotion => map_emotion(l).into(),
        Task::Offensive => map_offensive(l).into(),
        Task::Lang => l.trim().to_lowercase(),
        Task::Intent => l.trim().to_lowercase(),
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Macro-F1, average recall and accuracy of a confusion matrix (`cm[gold][predicted]`),
/// averaged over the classes that have gold items.
pub fn confusion_scores(cm: &[Vec<f64>]) -> (f64, f64, f64) {
    let k = cm.len();
    let (mut f1s, mut rec, mut classes, mut hits) = (0.0, 0.0, 0.0, 0.0);
    let total: f64 = cm.iter().flatten().sum();
    for c in 0..k {
        let tp = cm[c][c];
        hits += tp;
        let gold: f64 = cm[c].iter().sum();
        if gold == 0.0 {
            continue;
        }
        let pred: f64 = cm
            .iter()
            .map(|row| row.get(c).copied().unwrap_or(0.0))
            .sum();
        let p = if pred > 0.0 { tp / pred } else { 0.0 };
        let r = tp / gold;
        classes += 1.0;
        rec += r;
        f1s += f1(p, r);
    }
    if classes == 0.0 {
        return (0.0, 0.0, 0.0);
    }
    (
        f1s / classes,
        rec / classes,
        if total > 0.0 { hits / total } else { 0.0 },
    )
}

/// Single-label metrics from (gold, predicted) pairs; classes are the gold labels (sorted)
/// plus any predicted ones.
pub fn metrics(task: Task, pairs: &[(String, String)]) -> EvalReport {
    let mut labels: Vec<String> = pairs.iter().map(|(g, _)| g.clone()).collect();
    labels.sort();
    labels.dedup();
    let n_gold = labels.len();
    for (_, p) in pairs {
        if !labels.contains(p) {
            labels.push(p.clone());
        }
    }
    let k = labels.len();
    let mut cm = vec![vec![0u64; k]; k];
    for (g, p) in pairs {
        let gi = labels.iter().position(|l| l == g).unwrap_or(0);
        let pi = labels.iter().position(|l| l == p).unwrap_or(0);
        cm[gi][pi] += 1;
    }
    let correct: u64 = (0..k).map(|i| cm[i][i]).sum();
    let mut classes = Vec::new();
    for i in 0..k {
        let tp = cm[i][i];
        let gold_n: u64 = cm[i].iter().sum();
        let pred_n: u64 = (0..k).map(|j| cm[j][i]).sum();
        let p = ratio(tp, pred_n);
        let r = ratio(tp, gold_n);
        classes.push(ClassMetrics {
            label: labels[i].clone(),
            precision: p,
            recall: r,
            f1: f1(p, r),
            support: gold_n,
        });
    }
    let macro_f1 = classes[..n_gold].iter().map(|c| c.f1).sum::<f64>() / n_gold.max(1) as f64;
    let macro_recall =
        classes[..n_gold].iter().map(|c| c.recall).sum::<f64>() / n_gold.max(1) as f64;
    EvalReport {
        task,
        n: pairs.len() as u64,
        accuracy: ratio(correct, pairs.len() as u64),
        macro_f1,
        macro_recall,
        multilabel: false,
        classes,
        confusion: cm,
    }
}

fn parse_intents(l: &str) -> Vec<Intent> {
    l.split([',', '|', ' '])
        .filter_map(|s| s.trim().parse::<Intent>().ok())
        .collect()
}

/// Evaluates in-memory `(text, label)` records.
pub fn eval_records(clf: &Classifier, records: &[(String, String)], task: Task) -> EvalReport {
    use rayon::prelude::*;
    let preds: Vec<Enrichment> = records.par_iter().map(|(t, _)| clf.enrich(t)).collect();
    let binary_complaint = task == Task::Intent
        && records
            .iter()
            .all(|(_, l)| matches!(l.trim(), "complaint" | "not_complaint"));
    if task != Task::Intent || binary_complaint {
        let pairs: Vec<(String, String)> = records
            .iter()
            .zip(&preds)
            .map(|((_, l), e)| (gold(task, l), predicted(task, e)))
            .collect();
        return metrics(task, &pairs);
    }
    // Multi-label intents.
    let golds: Vec<Vec<Intent>> = records.iter().map(|(_, l)| parse_intents(l)).collect();
    let mut exact = 0u64;
    let mut classes = Vec::new();
    let mut confusion = Vec::new();
    for (g, e) in golds.iter().zip(&preds) {
        let mut a = g.clone();
        a.sort();
        a.dedup();
        let mut b = e.intents.clone();
        b.sort();
        b.dedup();
        if a == b {
            exact += 1;
        }
    }
    let mut f1s = Vec::new();
    let mut recalls = Vec::new();
    for &it in Intent::ALL {
        let (mut tp, mut fp, mut fn_, mut tn) = (0u64, 0u64, 0u64, 0u64);
        for (g, e) in golds.iter().zip(&preds) {
            match (g.contains(&it), e.intents.contains(&it)) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                (false, false) => tn += 1,
            }
        }
        if tp + fn_ == 0 && fp == 0 {
            continue;
        }
        let p = ratio(tp, tp + fp);
        let r = ratio(tp, tp + fn_);
        if tp + fn_ > 0 {
            f1s.push(f1(p, r));
            recalls.push(r);
        }
        classes.push(ClassMetrics {
            label: it.as_str().to_string(),
            precision: p,
            recall: r,
            f1: f1(p, r),
            support: tp + fn_,
        });
        confusion.push(vec![tp, fp, fn_, tn]);
    }
    EvalReport {
        task,
        n: records.len() as u64,
        accuracy: ratio(exact, records.len() as u64),
        macro_f1: f1s.iter().sum::<f64>() / f1s.len().max(1) as f64,
        macro_recall: recalls.iter().sum::<f64>() / recalls.len().max(1) as f64,
        multilabel: true,
        classes,
        confusion,
    }
}

/// Reads `(text, label)` records from a JSONL file (label from `label`, a `labels` array, or
/// `lang` for the lang task). Lines without a string `text` are errors.
pub fn read_labelled(path: &Path, task: Task) -> Result<Vec<(String, String)>, NlpError> {
    let f = std::fs::File::open(path).map_err(|source| NlpError::Io {
        what: "open",
        path: path.display().to_string(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|source| NlpError::Io {
            what: "read",
            path: path.display().to_string(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |msg: &str| NlpError::Data {
            path: path.display().to_string(),
            line: i as u64 + 1,
            msg: msg.to_string(),
        };
        let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| bad(&e.to_string()))?;
        let text = v
            .get("text")
            .and_then(|t| t.as_str())
            .ok_or_else(|| bad("no string \"text\""))?;
        let label = match v.get("label") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Bool(b)) => b.to_string(),
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(","),
            Some(other) if !other.is_null() => other.to_string(),
            _ => match (task, v.get("labels"), v.get("lang")) {
                (_, Some(serde_json::Value::Array(a)), _) => a
                    .iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                (Task::Lang, _, Some(serde_json::Value::String(l))) => l.clone(),
                _ => return Err(bad("no \"label\"")),
            },
        };
        out.push((text.to_string(), label));
    }
    Ok(out)
}

/// `tertulia eval`: evaluates the classifier on a labelled JSONL file.
pub fn eval(clf: &Classifier, path: &Path, task: Task) -> Result<EvalReport, NlpError> {
    let recs = read_labelled(path, task)?;
    if recs.is_empty() {
        return Err(NlpError::NoData(path.display().to_string()));
    }
    Ok(eval_records(clf, &recs, task))
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "task {}  n={}  accuracy={:.3}  macro-F1={:.3}  macro-recall={:.3}",
            self.task, self.n, self.accuracy, self.macro_f1, self.macro_recall
        )?;
        writeln!(
            f,
            "{:<16} {:>9} {:>9} {:>9} {:>8}",
            "class", "precision", "recall", "f1", "support"
        )?;
        for c in &self.classes {
            writeln!(
                f,
                "{:<16} {:>9.3} {:>9.3} {:>9.3} {:>8}",
                c.label, c.precision, c.recall, c.f1, c.support
            )?;
        }
        if self.multilabel {
            writeln!(f, "confusion per intent: [tp, fp, fn, tn]")?;
            for (c, row) in self.classes.iter().zip(&self.confusion) {
                writeln!(f, "{:<16} {:?}", c.label, row)?;
            }
        } else {
            writeln!(f, "confusion (rows gold, columns predicted):")?;
            write!(f, "{:<16}", "")?;
            for c in &self.classes {
                write!(f, " {:>10}", c.label.chars().take(10).collect::<String>())?;
            }
            writeln!(f)?;
            for (c, row) in self.classes.iter().zip(&self.confusion) {
                write!(f, "{:<16}", c.label)?;
                for v in row {
                    write!(f, " {v:>10}")?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_match_a_hand_computed_example() {
        let p = |g: &str, q: &str| (g.to_string(), q.to_string());
        let pairs = vec![p("a", "a"), p("a", "b"), p("b", "b"), p("b", "b")];
        let r = metrics(Task::Sentiment, &pairs);
        assert_eq!(r.accuracy, 0.75);
        assert_eq!(r.confusion, vec![vec![1, 1], vec![0, 2]]);
        assert!((r.classes[0].f1 - 2.0 / 3.0).abs() < 1e-9);
        assert!((r.classes[1].f1 - 0.8).abs() < 1e-9);
        assert!((r.macro_recall - 0.75).abs() < 1e-9);
    }

    #[test]
    fn confusion_scores_match_a_hand_computed_example() {
        // gold 0: 3 right, 1 wrong; gold 1: 1 right, 1 wrong.
        let cm = vec![vec![3.0, 1.0], vec![1.0, 1.0]];
        let (f1, rec, acc) = confusion_scores(&cm);
        // class 0: p 3/4, r 3/4; class 1: p 1/2, r 1/2.
        assert!((f1 - 0.625).abs() < 1e-9 && (rec - 0.625).abs() < 1e-9);
        assert!((acc - 4.0 / 6.0).abs() < 1e-9);
        assert_eq!(confusion_scores(&[]), (0.0, 0.0, 0.0));
    }

    #[test]
    fn labels_are_mapped() {
        assert_eq!(map_sentiment("none"), "neutral");
        assert_eq!(map_sentiment("P+"), "positive");
        assert_eq!(map_emotion("others"), "none");
        assert_eq!(map_emotion("optimism"), "joy");
        assert_eq!(map_offensive("not-offensive"), "not-offensive");
        assert_eq!(map_offensive("hateful"), "offensive");
        assert!("sentiment".parse::<Task>().is_ok());
        assert!("nope".parse::<Task>().is_err());
    }
}
