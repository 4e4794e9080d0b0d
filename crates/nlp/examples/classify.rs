//! `classify` on stdin → stdout with the embedded model (the CLI wires the same function):
//! `cargo run --release -p tertulia-nlp --example classify < in.jsonl > out.jsonl`.
//! Prints wall-clock and CPU-time throughput on stderr (CPU time from /proc/self/stat, so the
//! figure stays meaningful when other processes share the cores).

fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clf = tertulia_nlp::Classifier::embedded()?;
    let cpu0 = cpu_seconds().unwrap_or(0.0);
    let t = std::time::Instant::now();
    let stdin = std::io::stdin();
    let stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let input = std::io::BufReader::with_capacity(1 << 20, stdin.lock());
    let stats = tertulia_nlp::classify_jsonl(&clf, input, stdout)?;
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds().unwrap_or(0.0) - cpu0;
    eprintln!(
        "{} lines ({} classified, {} errors) in {:.3}s wall, {:.3}s cpu: {:.0} lines/s wall, {:.0} lines per cpu-second",
        stats.lines,
        stats.classified,
        stats.errors,
        secs,
        cpu,
        stats.lines as f64 / secs,
        stats.lines as f64 / cpu.max(1e-9)
    );
    Ok(())
}
