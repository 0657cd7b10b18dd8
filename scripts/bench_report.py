"""Writes BENCHMARKS.md from one `scripts/bench` run: criterion estimates for jobfeed and
extruct timings for the same HTML pages, side by side, then the ingest cost section the
`store_costs` example printed (RUN_DIR/store_costs.md) and the scaling curve the `scaling`
example printed (RUN_DIR/scaling.jsonl).

Usage: bench_report.py RUN_DIR CRITERION_DIR VENV_PYTHON
"""
import datetime
import json
import platform
import subprocess
import sys


def criterion_seconds(criterion_dir, group, file_name):
    """Median seconds per iteration of one criterion benchmark."""
    bench_id = file_name.replace("/", "_")
    with open(f"{criterion_dir}/{group}/{bench_id}/new/estimates.json") as f:
        return json.load(f)["median"]["point_estimate"] / 1e9


def shell(command):
    try:
        return subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def main():
    run_dir, criterion_dir, venv_python = sys.argv[1:4]
    postings = {}
    with open(f"{run_dir}/postings.tsv") as f:
        for line in f:
            name, count = line.rstrip("\n").split("\t")
            postings[name] = int(count)
    extruct = [json.loads(line) for line in open(f"{run_dir}/extruct.jsonl")]
    with open("shared/testdata/corpus/urls.tsv") as f:
        files = [l.split("\t")[0] for l in f if l.strip() and not l.startswith("#")]
    sizes = {name: len(open(f"shared/testdata/corpus/{name}", "rb").read()) for name in files}

    mb = 1e6
    lines = []
    w = lines.append
    w("# Benchmarks")
    w("")
    w("Numbers here come only from the command below; rerun it to refresh this file.")
    w("")
    w("```")
    w("scripts/bench")
    w("```")
    w("")
    w(f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    cores = shell("nproc")
    cpu = shell("lscpu | sed -n 's/^Model name: *//p'") or platform.processor()
    mem = shell("free -g | awk '/Mem:/{print $2}'")
    rustc = shell("rustc --version")
    python = shell(f"{venv_python} --version")
    extruct_version = shell(f"{venv_python} -c 'import extruct; print(extruct.__version__)'")
    w(f"- machine: {cores} cores, {cpu}, {mem} GiB, {platform.system()} {platform.machine()}")
    w(f"- rustc: {rustc}; {python}, extruct {extruct_version or '0.18.0'}")
    w("- one core each: criterion runs one thread; extruct runs in one Python process.")
    w("- MB = 10^6 bytes. jobfeed = `parse_document` with `auto` kind: detection, extraction, "
      "normalization (dates, salary, locations, skills...), HTML sanitizing, identity and hashes. "
      "extruct = `extruct.extract(html, syntaxes=['json-ld'])` only (no normalization).")
    w("")
    w("## HTML job pages: jobfeed's full pipeline vs extruct's JSON-LD extraction alone")
    w("")
    w("| page | KB | postings | jobfeed µs | jobfeed MB/s | extruct µs | extruct MB/s | speed-up |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    total_ours = total_theirs = total_bytes = 0.0
    for row in extruct:
        name = row["file"]
        ours = criterion_seconds(criterion_dir, "html_pages", name)
        theirs = row["seconds_per_iter"]
        size = row["bytes"]
        total_ours += ours
        total_theirs += theirs
        total_bytes += size
        w(f"| {name} | {size / 1000:.0f} | {postings.get(name, 0)} | {ours * 1e6:.0f} | "
          f"{size / ours / mb:.0f} | {theirs * 1e6:.0f} | {size / theirs / mb:.0f} | {theirs / ours:.1f}× |")
    all_ours = criterion_seconds(criterion_dir, "html_pages", "all")
    page_postings = sum(postings.get(r["file"], 0) for r in extruct)
    w(f"| **all pages, one pass** | {total_bytes / 1000:.0f} | {page_postings} | {all_ours * 1e6:.0f} | "
      f"**{total_bytes / all_ours / mb:.0f}** | {total_theirs * 1e6:.0f} | **{total_bytes / total_theirs / mb:.0f}** | "
      f"**{total_theirs / all_ours:.1f}×** |")
    w("")
    w(f"Postings per second per core on these pages: jobfeed {page_postings / all_ours:,.0f}, "
      f"extruct {page_postings / total_theirs:,.0f} (extraction only).")
    w("")
    w("## Feeds and APIs: jobfeed's full pipeline")
    w("")
    w("| file | KB | postings | µs | MB/s | postings/s |")
    w("|---|---:|---:|---:|---:|---:|")
    other = [n for n in files if not n.endswith(".html")]
    for name in other:
        secs = criterion_seconds(criterion_dir, "feeds_and_apis", name)
        n = postings.get(name, 0)
        w(f"| {name} | {sizes[name] / 1000:.0f} | {n} | {secs * 1e6:.0f} | {sizes[name] / secs / mb:.0f} | "
          f"{n / secs:,.0f} |")
    all_secs = criterion_seconds(criterion_dir, "feeds_and_apis", "all")
    other_bytes = sum(sizes[n] for n in other)
    other_postings = sum(postings.get(n, 0) for n in other)
    w(f"| **all, one pass** | {other_bytes / 1000:.0f} | {other_postings} | {all_secs * 1e6:.0f} | "
      f"**{other_bytes / all_secs / mb:.0f}** | **{other_postings / all_secs:,.0f}** |")
    w("")
    w("## Reading these numbers")
    w("")
    w("- JSON-LD blocks are found by a byte scan (memchr), not a DOM, so pages without a posting "
      "(the not-found page, listing pages, pages without structured data) cost little.")
    w("- On pages with a posting, most of the time is the description: ammonia parses and "
      "sanitizes it (a DOM of the description only), then a linear scan turns the sanitized HTML "
      "into text. Skills, category, salary and identity hashing follow.")
    w("- Regexes that scan whole descriptions use ASCII word boundaries: a Unicode `\\b` makes the "
      "regex crate leave its DFA for the much slower PikeVM on non-ASCII text.")
    w("")
    moto_version = shell(f"{venv_python} -c 'import moto; print(moto.__version__)'")
    with open(f"{run_dir}/store_costs.md") as f:
        w(f.read().rstrip("\n"))
    w(f"- moto_server {moto_version or '?'} (pinned in `scripts/bench` and `scripts/test`).")
    w("")
    scaling_section(w, run_dir)
    # Sections written by other scripts (scripts/build-lambda --record, scripts/bench-api)
    # are kept as they are; those scripts refresh them. The scaling fixes are a hand-kept
    # record of before/after measurements, which a later run cannot reproduce.
    try:
        with open("BENCHMARKS.md") as f:
            old = f.read()
    except OSError:
        old = ""
    for start, end in [("<!-- scaling-fixes:start -->", "<!-- scaling-fixes:end -->"),
                       ("<!-- build-lambda -->", "<!-- /build-lambda -->"),
                       ("<!-- api-bench:start -->", "<!-- api-bench:end -->")]:
        i, j = old.find(start), old.find(end)
        if i >= 0 and j > i:
            lines.append(old[i:j + len(end)])
            lines.append("")
    print("\n".join(lines))


def scaling_section(w, run_dir):
    """The scaling curve: one line of JSON per size and store (RUN_DIR/scaling.jsonl)."""
    try:
        with open(f"{run_dir}/scaling.jsonl") as f:
            runs = [json.loads(line) for line in f if line.strip()]
    except OSError:
        return
    w("## Scaling: crawl + ingest of a synthetic site of 100, 1,000 and 10,000 postings")
    w("")
    w("A local `html` site served by the benchmark process on 127.0.0.1 (axum): listing pages "
      "of 100 links with a next link, and one detail page per posting with a JSON-LD "
      "`JobPosting` (~2 KB description). `jobfeed`'s one-machine `Pipeline` (as `jobfeed crawl`) "
      "crawls it with `min_delay_ms = 0` and `allow_private = true`, parses each page, sends "
      "SQS-sized messages through the in-process queue and ingests them. One fresh process per "
      "size and store, so the peak RSS (`VmHWM`) is that size's. Run by `scripts/bench` as")
    w("")
    w("```")
    w("cargo run --release -p jobfeed-shared --features dynamodb --example scaling -- SIZE sqlite|dynamodb")
    w("```")
    w("")
    w("| store | postings | pages fetched | messages | seconds | crawl s | CPU s | postings/s | µs per posting | CPU µs per posting | peak RSS MiB |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        w(f"| {r['store']} | {r['size']:,} | {r['pages']:,} | {r['messages']} | {r['seconds']:.2f} | "
          f"{r['crawl_seconds']:.2f} | {r['cpu_seconds']:.2f} | {r['postings_per_s']:,.0f} | "
          f"{r['seconds'] / r['size'] * 1e6:,.0f} | {r['cpu_seconds'] / r['size'] * 1e6:,.0f} | "
          f"{r['peak_rss_kb'] / 1024:.0f} |")
    w("")
    sqlite = sorted((r for r in runs if r["store"] == "sqlite"), key=lambda r: r["size"])
    if len(sqlite) >= 2:
        small, big = sqlite[0], sqlite[-1]
        growth = (big["seconds"] / big["size"]) / (small["seconds"] / small["size"])
        cpu_growth = (big["cpu_seconds"] / big["size"]) / max(small["cpu_seconds"] / small["size"], 1e-9)
        w(f"- linearity (SQLite): wall time per posting at {big['size']:,} is {growth:.2f}× that at "
          f"{small['size']:,}, CPU time per posting {cpu_growth:.2f}× (1.0 = linear).")
    w("- seconds: wall time of the whole run (crawl, then ingest of its messages, which the "
      "crawl sends when it ends); crawl s: the crawl's part (fetch + parse); CPU s: user + "
      "system time of the process (the site's server included), which the other load of a "
      "shared machine does not inflate.")
    w("- dynamodb rows: on moto_server, which answers an index Query by reading the whole table "
      "(one `by_fingerprint` Query per new posting), so their time is moto's; DynamoDB's units "
      "are in the section above.")
    w("- the changes these numbers led to, with their before/after, are recorded under "
      "\"Scaling fixes\" below.")
    w("")


if __name__ == "__main__":
    main()
