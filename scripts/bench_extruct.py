"""Times Python's extruct extracting JSON-LD from the corpus HTML pages, one core.

Usage: bench_extruct.py CORPUS_DIR FILE=URL...  Prints one JSON object per file:
{"file", "bytes", "seconds_per_iter", "job_postings"}. The reference side of BENCHMARKS.md.
"""
import json
import sys
import time

import extruct


def count_job_postings(data):
    """Counts schema.org JobPosting nodes among extruct's JSON-LD results (incl. @graph)."""
    count = 0
    stack = list(data.get("json-ld", []))
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.endswith("JobPosting") for k in kinds):
                count += 1
            stack.extend(node.get("@graph", []))
    return count


def time_one(html, url, min_seconds=2.0):
    """Runs extraction repeatedly for at least min_seconds; returns seconds per iteration."""
    extruct.extract(html, base_url=url, syntaxes=["json-ld"])  # warm-up
    iterations, start = 0, time.perf_counter()
    while True:
        extruct.extract(html, base_url=url, syntaxes=["json-ld"])
        iterations += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / iterations


def main():
    corpus = sys.argv[1]
    for arg in sys.argv[2:]:
        name, url = arg.split("=", 1)
        with open(f"{corpus}/{name}", "rb") as f:
            raw = f.read()
        html = raw.decode("utf-8", errors="replace")
        data = extruct.extract(html, base_url=url, syntaxes=["json-ld"])
        print(json.dumps({
            "file": name,
            "bytes": len(raw),
            "seconds_per_iter": time_one(html, url),
            "job_postings": count_job_postings(data),
        }), flush=True)


if __name__ == "__main__":
    main()
