#!/usr/bin/env python3
"""Writes the search section of BENCHMARKS.md from one `scripts/bench-search` run.

Usage: bench_search_report.py OUT_DIR BENCHMARKS_MD

OUT_DIR holds `meta.txt` and, per measured tree (`before`, optional, and `after`), a folder
with `meta.txt`, `paths.tsv` (name, path, label), `probe.tsv` (name, cold ms, first-page
items, cursor, calls to the first match) and `wrk-<name>.txt`. The section replaces what is
between the markers below, or is appended when they are missing.
"""
import pathlib
import re
import sys

START = "<!-- search-bench:start -->"
END = "<!-- search-bench:end -->"
# Goal from the search issue: every combination.
P99_GOAL_MS = 20.0
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def meta(path):
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def wrk_numbers(text):
    """Requests/s, p50 and p99 in ms of a wrk --latency run; exits on failed answers."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    latency = {}
    for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M):
        latency[pct] = float(value) * UNITS_MS[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if bad:
        sys.exit(f"wrk: {bad.group(1)} non-2xx/3xx answers")
    return rps, latency["50"], latency["99"]


def fmt_ms(ms):
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}" if ms < 100 else f"{ms:,.0f}"


def results(tree):
    """Per path name: (path, label, rps, p50, p99, probe fields)."""
    probes = {}
    for line in (tree / "probe.tsv").read_text().splitlines():
        name, cold, items, cursor, calls = line.split("\t")
        probes[name] = (float(cold), int(items), cursor == "True", calls)
    out = {}
    for line in (tree / "paths.tsv").read_text().splitlines():
        name, path, label = line.split("\t")
        out[name] = (path, label, *wrk_numbers((tree / f"wrk-{name}.txt").read_text()), probes[name])
    return out


def section(out):
    m = meta(out / "meta.txt")
    after = results(out / "after")
    after_meta = meta(out / "after" / "meta.txt")
    before = results(out / "before") if (out / "before").is_dir() else None
    before_meta = meta(out / "before" / "meta.txt") if before else None
    command = "scripts/bench-search" + (f" {m['before_rev']}" if m.get("before_rev") else "")
    head = "| combination | path | first page | calls to 1st match |"
    rule = "|---|---|---|---:|"
    if before:
        head += " before p50 | before p99 |"
        rule += "---:|---:|"
    head += " req/s | p50 ms | p99 ms |"
    rule += "---:|---:|---:|"
    rows, missed = [], []
    for name, (path, label, rps, p50, p99, probe) in after.items():
        cold, items, cursor, calls = probe
        first = f"{items} items" + (" + cursor" if cursor else "")
        row = f"| {label} | `{path}` | {first} | {calls} |"
        if before:
            b = before.get(name)
            row += f" {fmt_ms(b[3])} | {fmt_ms(b[4])} |" if b else " | |"
        row += f" {rps:,.0f} | {fmt_ms(p50)} | {fmt_ms(p99)} |"
        rows.append(row)
        if p99 >= P99_GOAL_MS:
            missed.append(f"`{path}` ({fmt_ms(p99)} ms)")
    verdict = (
        f"met by all {len(after)} combinations"
        if not missed
        else f"**missed** by {len(missed)} of {len(after)}: " + ", ".join(missed)
    )
    lines = [
        START,
        "## Search: filter combinations on SQLite at 100,000 postings (wrk)",
        "",
        "Numbers here come only from this command:",
        "",
        "```",
        command,
        "```",
        "",
        f"- date: {m['date']}; machine: {m['machine']}",
        f"- database: {int(m['postings']):,} postings seeded by `seed_sqlite DB {m['postings']}` "
        f"(release build) through the ingest rules: {after_meta['db_mb']} MB, "
        f"{after_meta['seed_secs']} s (rev {after_meta['rev']})"
        + (
            f"; before: the same seed with rev {before_meta['rev']}'s build "
            f"({before_meta['db_mb']} MB, {before_meta['seed_secs']} s)"
            if before
            else ""
        ),
        f"- server: `jobfeed serve --no-crawl` (release) on 127.0.0.1; load: "
        f"`wrk -t{m['threads']} -c{m['connections']} -d{m['duration']} --latency URL` per row after "
        f"a {m['warmup']} warm-up; wrk and the server share the cores with other work",
        "- first page and calls to the first match: one request for `/jobs` with the same "
        "filters (a feed is one list call of 50), then its cursors followed until a page holds "
        "an item (`-`: the list has none)",
        "",
        head,
        rule,
        *rows,
        "",
        f"- goal p99 < {P99_GOAL_MS:.0f} ms for every combination: {verdict}",
        END,
    ]
    return "\n".join(lines)


def main():
    out, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    new = section(out)
    text = target.read_text() if target.exists() else "# Benchmarks\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + new + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    target.write_text(text)


if __name__ == "__main__":
    main()
