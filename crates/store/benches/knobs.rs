//! Temporary experiment: raw SQLite insert cost of pre-encoded posts under different settings.
#![allow(clippy::unwrap_used, missing_docs)]
use rusqlite::params;
use std::time::Instant;

fn main() {
    let n = 100_000usize;
    let size: usize = std::env::var("DOC").ok().and_then(|v| v.parse().ok()).unwrap_or(1900);
    let doc: String = format!("{{\"x\":\"{}\"}}", "a".repeat(size));
    let variant = std::env::args().nth(1).unwrap_or_default();
    for v in variant.split(',') {
        let dir = tempfile::tempdir().unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("db")).unwrap();
        let page = if v.contains("p4k") { 4096 } else if v.contains("p16k") { 16384 } else { 8192 };
        let sync = if v.contains("off") { "OFF" } else { "NORMAL" };
        let ckpt = if v.contains("nockpt") { 0 } else if v.contains("bigckpt") { 65536 } else { 4096 };
        conn.execute_batch(&format!("PRAGMA page_size={page}; PRAGMA journal_mode=WAL; PRAGMA synchronous={sync}; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint={ckpt};")).unwrap();
        let idx = if v.contains("noidx") { "" } else { "CREATE INDEX posts_created ON posts(created_at);" };
        conn.execute_batch(&format!("CREATE TABLE posts (id INTEGER PRIMARY KEY, network TEXT NOT NULL, native_id TEXT NOT NULL, alt_id TEXT, created_at INTEGER, kind TEXT NOT NULL, lang TEXT NOT NULL, author TEXT, deleted INTEGER NOT NULL DEFAULT 0, hash INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE UNIQUE INDEX posts_key ON posts(network, native_id);
CREATE INDEX posts_alt ON posts(network, alt_id) WHERE alt_id IS NOT NULL; {idx}")).unwrap();
        let t = Instant::now();
        for chunk in 0..n / 10_000 {
            let tx = conn.unchecked_transaction().unwrap();
            {
                let mut st = tx.prepare_cached("INSERT INTO posts (network, native_id, alt_id, created_at, kind, lang, author, deleted, hash, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(network, native_id) DO NOTHING").unwrap();
                for i in chunk * 10_000..(chunk + 1) * 10_000 {
                    let id = (1_600_000_000_000_000_000u64 + i as u64 * 7919).to_string();
                    st.execute(params!["x", id, None::<String>, 1_424_000_000_000i64 + i as i64 * 3000, "post", "es", format!("user{}", i % 5000), 0, i as i64, doc]).unwrap();
                }
            }
            tx.commit().unwrap();
        }
        if ckpt == 0 { conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap(); }
        let s = t.elapsed().as_secs_f64();
        println!("{v:30} {:8.0} rows/s", n as f64 / s);
    }
}
