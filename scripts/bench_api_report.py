#!/usr/bin/env python3
"""Writes the read-API section of BENCHMARKS.md from one `scripts/bench-api` run.

Usage: bench_api_report.py OUT_DIR CRITERION_DIR BENCHMARKS_MD

OUT_DIR holds `meta.txt` (key=value lines), `wrk-<name>.txt` (wrk --latency output) and
`paths.tsv` (name, path, label). The section replaces what is between the markers below, or
is appended when they are missing, so the other sections of the file are left alone.
"""
import json
import pathlib
import re
import sys

START = "<!-- api-bench:start -->"
END = "<!-- api-bench:end -->"
# Goals from the read-API issue.
P99_GOAL_MS = 10.0
HANDLER_GOAL_US = 2000.0
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_numbers(text):
    """Requests/s, p50 and p99 in ms, and the count of non-2xx/3xx answers of a wrk run."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    latency = {}
    for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M):
        latency[pct] = float(value) * UNITS_MS[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors:.*", text)
    return rps, latency["50"], latency["99"], int(bad.group(1)) if bad else 0, errors


def handler_us(criterion_dir, name):
    """Criterion's mean estimate of one benchmark, in µs."""
    path = pathlib.Path(criterion_dir, "api", name, "new", "estimates.json")
    estimates = json.loads(path.read_text())
    return estimates["mean"]["point_estimate"] / 1000.0, estimates["mean"]["standard_error"] / 1000.0


def fmt_ms(ms):
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}"


def section(out, criterion_dir):
    meta = dict(
        line.split("=", 1) for line in (out / "meta.txt").read_text().splitlines() if "=" in line
    )
    rows, goal_lines = [], []
    for line in (out / "paths.tsv").read_text().splitlines():
        name, path, label = line.split("\t")
        rps, p50, p99, bad, errors = wrk_numbers((out / f"wrk-{name}.txt").read_text())
        if bad or errors:
            sys.exit(f"wrk {path}: {bad} non-2xx/3xx answers; {errors.group(0) if errors else ''}")
        rows.append(f"| {label} | `{path}` | {rps:,.0f} | {fmt_ms(p50)} | {fmt_ms(p99)} |")
        if name == "jobs":
            verdict = "met" if p99 < P99_GOAL_MS else "**missed**"
            goal_lines.append(
                f"- goal p99 < {P99_GOAL_MS:.0f} ms for `{path}` on SQLite: {verdict} ({fmt_ms(p99)} ms)"
            )
    handler_rows, worst = [], 0.0
    for name, label in [
        ("jobs_limit_20", "`/jobs?limit=20`"),
        ("job_by_id", "`/jobs/{id}`"),
        ("feed_rss", "`/feed.rss` (20 items)"),
    ]:
        mean, error = handler_us(criterion_dir, name)
        worst = max(worst, mean)
        handler_rows.append(f"| {label} | {mean:,.1f} | ±{error:.1f} |")
    verdict = "met" if worst < HANDLER_GOAL_US else "**missed**"
    goal_lines.append(
        f"- goal < {HANDLER_GOAL_US / 1000:.0f} ms of our own handler time per request: {verdict} "
        f"(slowest {worst:,.0f} µs)"
    )
    return "\n".join(
        [
            START,
            "## Read API: `jobfeed serve` on SQLite (wrk) and the handler time without the store",
            "",
            "Numbers here come only from this command (`scripts/bench` runs it last):",
            "",
            "```",
            "scripts/bench-api",
            "```",
            "",
            f"- date: {meta['date']}; machine: {meta['machine']}",
            f"- database: {int(meta['postings']):,} open postings in SQLite ({meta['db_mb']} MB), "
            f"derived from the corpus postings by `cargo run --release -p jobfeed-shared --example "
            f"seed_sqlite -- DB {meta['postings']}` through the ingest rules ({meta['seed_secs']} s)",
            f"- server: `jobfeed serve --no-crawl` (release build) on 127.0.0.1; load: "
            f"`wrk -t{meta['threads']} -c{meta['connections']} -d{meta['duration']} --latency URL` "
            f"per row, after a {meta['warmup']} warm-up; wrk and the server share the {meta['cores']} "
            "cores, responses uncompressed (wrk sends no `Accept-Encoding`)",
            "",
            "| request | path | requests/s | p50 ms | p99 ms |",
            "|---|---|---:|---:|---:|",
            *rows,
            "",
            "Handler time in the Lambda path with the store mocked out: the router called through "
            "`tower::ServiceExt::oneshot` (as the Lambda adapter calls it) over a store that hands "
            "back a ready page of 20 corpus postings; parameter parsing, the handler, JSON/RSS "
            "rendering, the ETag hash, CORS and the request log, body read to the end "
            "(criterion, `cargo bench -p jobfeed-shared --bench api`, one core).",
            "",
            "| request | µs per request (mean) | std. error |",
            "|---|---:|---:|",
            *handler_rows,
            "",
            *goal_lines,
            END,
        ]
    )


def main():
    out, criterion_dir, target = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
    new = section(out, criterion_dir)
    text = target.read_text() if target.exists() else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + new + after
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    target.write_text(text)


if __name__ == "__main__":
    main()
