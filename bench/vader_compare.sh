#!/usr/bin/env bash
# Compares `classify` throughput (every field, both cores) with Python vaderSentiment
# (English sentiment only, one core) on the same texts.
#
# Usage: bench/vader_compare.sh [N]   (default N = 100000 posts)
# Texts come from ../shared/data when present (read here, never committed), else invented.
# vaderSentiment is pip-installed into a virtualenv under /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
WORK="${TMPDIR:-/tmp}/tertulia-vader"
VENV="$WORK/venv"
mkdir -p "$WORK"
INPUT="$WORK/input.jsonl"

python3 - "$N" "$INPUT" <<'PY'
import json, os, sys
n, out = int(sys.argv[1]), sys.argv[2]
data = os.path.join("..", "shared", "data")
texts = []
for f in ["sentiment-en-crowdflower.jsonl", "brand-en-airline.jsonl", "sentiment-es-tass-general.jsonl",
          "offensive-en-tweeteval.jsonl", "emotion-es-emoevent.jsonl"]:
    p = os.path.join(data, f)
    if os.path.exists(p):
        with open(p, encoding="utf-8") as fh:
            texts += [json.loads(l)["text"] for l in fh if l.strip()]
if not texts:
    texts = ["@united flight delayed again, worst service ever. Where is my bag?",
             "¡Qué partidazo! Gracias por todo, sois los mejores 😍 #VamosEquipo"]
with open(out, "w", encoding="utf-8") as o:
    for i in range(n):
        o.write(json.dumps({"id": i, "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")
PY

cargo build --release -q -p tertulia-nlp --example classify
# Warm-up, then the measured run.
./target/release/examples/classify < "$INPUT" > /dev/null 2>&1
RUST_LINE=$(./target/release/examples/classify < "$INPUT" 2>&1 >/dev/null)
echo "tertulia: $RUST_LINE"
RUST=$(echo "$RUST_LINE" | sed -n 's/.*: \([0-9]*\) lines\/s wall.*/\1/p')
RUST_CPU=$(echo "$RUST_LINE" | sed -n 's/.*, \([0-9]*\) lines per cpu-second/\1/p')

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q vaderSentiment==3.3.2
fi
VADER_JSON=$("$VENV/bin/python" bench/vader_compare.py "$INPUT")
echo "vader: $VADER_JSON"

# Wall-clock figures depend on what else runs on the machine; per-CPU-second figures do not
# (much). "2-core" = 2 × per-CPU-second, what classify reaches on two idle cores.
python3 - "$N" "$RUST" "$RUST_CPU" "$VADER_JSON" <<'PY'
import json, sys
n, rust, rust_cpu = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
v = json.loads(sys.argv[4])
print(json.dumps({"posts": n,
                  "tertulia_posts_per_s_wall": round(rust),
                  "tertulia_posts_per_cpu_s": round(rust_cpu),
                  "tertulia_posts_per_s_2_idle_cores": round(2 * rust_cpu),
                  "vader_posts_per_s_wall": v["vader_posts_per_s"],
                  "vader_posts_per_cpu_s": v["vader_posts_per_cpu_s"],
                  "ratio_wall": round(rust / v["vader_posts_per_s"], 1),
                  "ratio_2_cores_vs_vader_1_core": round(2 * rust_cpu / v["vader_posts_per_cpu_s"], 1),
                  "ratio_per_cpu_s": round(rust_cpu / v["vader_posts_per_cpu_s"], 1)}))
PY
