#!/usr/bin/env python3
"""Throughput of the Python vaderSentiment package on the texts of a JSONL file.

Usage: vader_compare.py INPUT.jsonl   (each line an object with "text")
Prints one JSON object: {"vader_posts_per_s": ..., "n": ...}.
"""
import json
import sys
import time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


def main() -> None:
    texts = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            try:
                texts.append(json.loads(line).get("text") or "")
            except ValueError:
                texts.append("")
    analyzer = SentimentIntensityAnalyzer()
    start = time.perf_counter()
    cpu0 = time.process_time()
    for t in texts:
        analyzer.polarity_scores(t)
    secs = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    print(json.dumps({"n": len(texts), "seconds": round(secs, 3), "cpu_seconds": round(cpu, 3),
                      "vader_posts_per_s": round(len(texts) / secs),
                      "vader_posts_per_cpu_s": round(len(texts) / cpu)}))


if __name__ == "__main__":
    main()
