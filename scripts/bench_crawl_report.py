"""The crawl-bench block of BENCHMARKS.md, from what scripts/bench-crawl measured in RUN_DIR:
scaling.jsonl (shared/examples/scaling.rs), recrawl.json and recrawl-before.json (requests of
an unchanged re-crawl through `jobfeed crawl`), continued.md and starts.md (the cold-start
harness), crawl_costs.jsonl (shared/examples/crawl_costs.rs). The cost model at the end turns
the measured counters into a monthly bill with the prices and assumptions it states.

Usage: python3 scripts/bench_crawl_report.py RUN_DIR > block.md
"""

import datetime
import json
import os
import re
import sys

# AWS list prices, us-east-1, arm64 Lambda, on-demand DynamoDB, without free tiers (the last
# price list this project could read; this machine has no network to check them again).
PRICES = {
    "lambda_gb_s": 0.0000133334,      # per GB-second, arm64
    "lambda_request": 0.20 / 1e6,     # per invocation
    "sqs_standard": 0.40 / 1e6,       # per request (each 64 KB chunk of a payload is one)
    "sqs_fifo": 0.50 / 1e6,
    "dynamodb_rru": 0.125 / 1e6,      # per read request unit (on-demand)
    "dynamodb_wru": 0.625 / 1e6,      # per write request unit
    "dynamodb_gb_month": 0.25,
    "logs_gb": 0.50,                  # CloudWatch Logs ingestion
    "metric_month": 0.30,             # per custom metric (EMF), first 10,000
}
PRICES_DATE = "2025 list prices (AWS pricing pages), us-east-1"

# What the model assumes rather than measures, each stated in the report.
ASSUMED = {
    "fetch_ms": 400,          # one request to a job board's API over the internet
    "dynamodb_call_ms": 10,   # one DynamoDB call from Lambda in the same region
    "sqs_call_ms": 20,        # one SendMessageBatch
    "poller_requests_per_queue_month": 650_000,  # Lambda's SQS pollers' empty long polls
    "item_kb": 5.0,           # a stored posting with its index copies
}
MEMORY_MB = 128               # crawler and ingest (template.yaml)
VCPU = MEMORY_MB / 1769       # Lambda's CPU share at that memory (1,769 MB = 1 vCPU)
METRICS = 6                   # EMF metrics (README, "Deploy to AWS")
HOURS = 730                   # a month
SCHEDULER_RUNS = 4 * HOURS    # rate(15 minutes)
SCHEDULER_S = 0.1             # a scheduler run's Lambda time (assumed)
SCHEDULER_MB = 256            # the scheduler's memory (template.yaml, Globals)


def load(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except OSError:
        return []


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def log_bytes(starts_md, function):
    """The median log bytes per start of `function` in the harness's cold-start table."""
    for line in starts_md.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and cells[0] == function and cells[-1].replace(".", "").isdigit():
            return float(cells[-1])
    return None


def money(x):
    return f"${x:,.2f}"


def workday_table(run):
    """The Workday re-crawl table (scripts/bench-crawl, or `--only-workday`), between its own
    markers so it can be measured again alone."""
    out = ["<!-- workday-recrawl:start -->", "### Requests of a 2,000-posting Workday tenant, crawled twice", "",
           "`jobfeed crawl --source bench-workday` twice against `scripts/bench_site.py 2000 PORT "
           "workday`: a tenant in Workday's format (the search, 20 jobs a page without their "
           "descriptions, and one detail request per job), which counts what it serves. Before: "
           "every detail read on every crawl, as a crawler without incremental details does "
           "(`refresh_share = 1`). After: details read only for new or changed jobs and the "
           "share due for refresh (the default `refresh_share = 0.05`). Measured by "
           "`scripts/bench-crawl` (or `scripts/bench-crawl --only-workday`).", "",
           "| crawl | first crawl: search pages + details | unchanged re-crawl: search pages + details |",
           "|---|---:|---:|"]
    for label, name in [("before: every detail each crawl", "workday-every-detail"),
                        ("after: incremental details", "workday-incremental")]:
        data = load(f"{run}/{name}.json")
        if data:
            first, both = data[0]["first"], data[0]["both"]
            again = (both["listing"] - first["listing"], both["posting"] - first["posting"])
            out.append(f"| {label} | {first['listing']} + {first['posting']:,} | "
                       f"{again[0]} + {again[1]:,} |")
    out.append("<!-- workday-recrawl:end -->")
    return out


def main():
    run = sys.argv[1]
    if "--workday-only" in sys.argv[2:]:
        print("\n".join(workday_table(run)))
        return
    w = []
    add = w.append
    scaling = load(f"{run}/scaling.jsonl")
    costs = load(f"{run}/crawl_costs.jsonl")
    recrawl = load(f"{run}/recrawl.json")
    before = load(f"{run}/recrawl-before.json")
    continued = read(f"{run}/continued.md")
    starts = read(f"{run}/starts.md")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    add("<!-- crawl-bench:start -->")
    add("## Crawls at scale")
    add("")
    add(f"Written by `scripts/bench-crawl` ({now}; the machine above). Every number below comes "
        "from that run.")
    add("")
    add("### Scaling: crawl + ingest of a local site of 100 to 100,000 postings")
    add("")
    add("A local `html` site served by the benchmark process on 127.0.0.1: listing pages of 100 "
        "links with a next link, and one posting page each with a JSON-LD `JobPosting` (~2 KB "
        "description). The one-machine `Pipeline` (as `jobfeed crawl`) crawls it with "
        "`min_delay_ms = 0`, sends SQS-sized messages through its bounded in-process queue as it "
        "goes, and ingests them; then crawls the site again an hour later with one posting in a "
        "hundred withdrawn. One process per size and store, so the peak RSS (`VmHWM`) is that "
        "size's:")
    add("")
    add("```")
    add("cargo run --release -p jobfeed-shared --features dynamodb --example scaling -- SIZE sqlite|dynamodb")
    add("```")
    add("")
    add("| store | postings | requests | messages | seconds | CPU s | postings/s | µs per posting | peak RSS MiB | re-crawl: listing pages | re-crawl: posting pages | re-crawl: closed | re-crawl: writes |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in scaling:
        rc = r.get("recrawl", {})
        add(f"| {r['store']} | {r['size']:,} | {r['pages']:,} | {r['messages']:,} | "
            f"{r['seconds']:.2f} | {r['cpu_seconds']:.2f} | {r['postings_per_s']:,.0f} | "
            f"{r['seconds'] / r['size'] * 1e6:,.0f} | {r['peak_rss_kb'] / 1024:.0f} | "
            f"{rc.get('listing_requests', 0):,} | {rc.get('posting_requests', 0):,} | "
            f"{rc.get('closed', 0):,} of {rc.get('withdrawn', 0):,} | {rc.get('writes', 0):,} |")
    add("")
    sqlite = sorted((r for r in scaling if r["store"] == "sqlite"), key=lambda r: r["size"])
    if len(sqlite) >= 2:
        small, big = sqlite[0], sqlite[-1]
        growth = (big["seconds"] / big["size"]) / (small["seconds"] / small["size"])
        add(f"- peak RSS at {big['size']:,} postings: {big['peak_rss_kb'] / 1024:.0f} MiB "
            f"(goal ≤ 64 MiB); wall time per posting at {big['size']:,} is {growth:.2f}× that "
            f"at {small['size']:,} (1.0 = linear). The crawl holds its list's keys and one "
            "message of postings, never the source; ingest reads only each message's postings.")
    add("- re-crawl: the same site an hour later with one posting in a hundred withdrawn. Only "
        "the posting pages due for their refresh are read again (`refresh_share` 0.05: each "
        "page once in 20 crawls); the withdrawn postings, and only they, are closed (through "
        "`Close` messages of at most 240 KB: 1,000 postings at 100,000); the writes are those "
        "closes (the DynamoDB store's count also holds the source state's two puts and the "
        "reset of its ingest counts).")
    add("- dynamodb rows: on moto_server, which answers an index Query by reading the whole "
        "table, so their time is moto's.")
    add("")

    add("### Requests of an unchanged re-crawl of a 1,000-posting `html` site")
    add("")
    add("`jobfeed crawl --source bench-site` twice against `scripts/bench_site.py 1000` (10 "
        "listing pages, 1,000 posting pages), which counts what it serves.")
    add("")
    add("| build | first crawl: listing + posting pages | re-crawl: listing + posting pages |")
    add("|---|---:|---:|")

    def row(name, r):
        first, both = r["first"], r["both"]
        again = (both["listing"] - first["listing"], both["posting"] - first["posting"])
        add(f"| {name} | {first['listing']} + {first['posting']:,} | {again[0]} + {again[1]:,} |")

    for name, data in [("before (the `jobfeed` of 5117dd0, `--before`)", before),
                       ("after (this tree)", recrawl)]:
        if data:
            row(name, data[0])
    if not before:
        add("| before (5117dd0, measured by hand on 2026-12-05 with the same site and commands) "
            "| 10 + 1,000 | 10 + 1,000 |")
    add("")

    lines.extend(workday_table(run))
    add("")

    add("### A 2,000-posting source through the crawler function, over its invocations")
    add("")
    add("`functions/local-run/src/bin/cold-start.rs --continued-crawl`: the release crawler "
        "bootstrap, started by the harness's Lambda Runtime API for each invocation (a cold "
        "start every time: its fetcher, robots.txt cache and politeness start empty), with "
        "DynamoDB and SQS on moto_server. The site: 20 listing pages and 2,000 posting pages; "
        "`min_delay_ms = 100` and invocations of 30 s with a 2 s margin "
        "(`DEADLINE_MARGIN_SECS`): the work-to-deadline ratio of production's 1,000 ms and "
        "300 s. Each invocation's continuation task is taken off the crawl queue and handed to "
        "the next.")
    add("")
    add(continued or "(not run)")
    add("")

    add("### What a crawl costs")
    add("")
    add("`shared/examples/crawl_costs.rs SIZE`: a Greenhouse board of SIZE postings on "
        "127.0.0.1, crawled hourly for two simulated days by the crawl use case and ingested by "
        "the ingest use case, over DynamoDB on moto_server with units estimated from the items' "
        "sizes by DynamoDB's billing rules. Churn: each day a twentieth of the postings is new, "
        "a twentieth withdrawn and a fiftieth changed. Steady state = crawls 2 to 48 (crawl 1, "
        "the first, is every posting new: a one-time cost).")
    add("")
    add("| board | crawl | crawler RRU | crawler WRU | crawler DynamoDB calls | crawler CPU ms | messages | crawls with messages | SQS send requests | ingest RRU | ingest WRU | ingest DynamoDB calls | ingest CPU ms |")
    add("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in costs:
        for label in ["first", "steady"]:
            s = c[label]
            add(f"| {c['size']} | {label} | {s['crawler_read_units']:.1f} | "
                f"{s['crawler_write_units']:.1f} | {s['crawler_requests']:.1f} | "
                f"{s['crawler_cpu_ms']:.1f} | {s['messages']:.2f} | "
                f"{s['crawls_with_messages']:.2f} | {s['send_requests']:.2f} | "
                f"{s['ingest_read_units']:.1f} | {s['ingest_write_units']:.1f} | "
                f"{s['ingest_requests']:.1f} | {s['ingest_cpu_ms']:.1f} |")
    add("")
    if costs:
        add(f"The scheduler reads every source state each run: "
            f"{costs[0]['scheduler_read_units_per_1000_sources']:.1f} RRU per 1,000 sources "
            "(measured on 1,000 states).")
        add("")

    crawler_log = log_bytes(starts, "crawler") or 0.0
    ingest_log = log_bytes(starts, "ingest") or 0.0
    scheduler_log = log_bytes(starts, "scheduler") or 0.0
    typical = next((c for c in costs if c["size"] == 100), costs[0] if costs else None)
    if typical:
        s = typical["steady"]
        crawler_ms = (s["crawler_cpu_ms"] / VCPU + s["crawler_requests"] * ASSUMED["dynamodb_call_ms"]
                      + ASSUMED["fetch_ms"] + s["send_requests"] * ASSUMED["sqs_call_ms"])
        ingest_ms = (s["ingest_cpu_ms"] / VCPU / max(s["crawls_with_messages"], 1e-9)
                     + s["ingest_requests"] * ASSUMED["dynamodb_call_ms"] / max(s["crawls_with_messages"], 1e-9))
        gb = MEMORY_MB / 1024
        per_crawl = {
            "crawler Lambda": crawler_ms / 1000 * gb * PRICES["lambda_gb_s"] + PRICES["lambda_request"],
            "ingest Lambda": s["crawls_with_messages"] * (ingest_ms / 1000 * gb * PRICES["lambda_gb_s"]
                                                          + PRICES["lambda_request"]),
            "SQS crawl queue (FIFO: send, receive, delete)": 2.1 * PRICES["sqs_fifo"],
            "SQS postings queue (send, receive, delete)": (s["send_requests"] + 2 * s["messages"]) * PRICES["sqs_standard"],
            "DynamoDB reads": (s["crawler_read_units"] + s["ingest_read_units"]) * PRICES["dynamodb_rru"],
            "DynamoDB writes": (s["crawler_write_units"] + s["ingest_write_units"]) * PRICES["dynamodb_wru"],
            "CloudWatch Logs": (crawler_log + s["crawls_with_messages"] * ingest_log) / 1e9 * PRICES["logs_gb"],
        }
        add("### The monthly bill of sources crawled hourly")
        add("")
        add(f"Per crawl, from the 100-posting board's steady state above. Prices: {PRICES_DATE} "
            f"(Lambda arm64 ${PRICES['lambda_gb_s']}/GB-s and $0.20 per million invocations; SQS "
            "$0.40 (standard) and $0.50 (FIFO) per million requests; DynamoDB on demand $0.125 "
            "per million read and $0.625 per million write units, $0.25/GB-month; CloudWatch "
            "Logs $0.50/GB; custom metrics $0.30 each a month), no free tier, no API traffic "
            "(the read API's cost follows its visitors, not the sources).")
        add("")
        add(f"- Lambda time is CPU measured here (scaled to {MEMORY_MB} MB, "
            f"{VCPU:.3f} of a vCPU) plus waits assumed: {ASSUMED['fetch_ms']} ms for the "
            f"board's response, {ASSUMED['dynamodb_call_ms']} ms per DynamoDB call (the counts "
            f"are measured), {ASSUMED['sqs_call_ms']} ms per SQS send: crawler "
            f"{crawler_ms:.0f} ms a crawl; ingest {ingest_ms:.0f} ms an invocation, one "
            "invocation per crawl that sends anything (no batching across crawls: an upper "
            "bound).")
        add(f"- Logs: {crawler_log:.0f} bytes per crawler invocation, {ingest_log:.0f} per "
            f"ingest invocation, {scheduler_log:.0f} per scheduler run (the cold-start "
            "harness's median, JSON log format).")
        add(f"- SQS pollers: Lambda's event source mappings long-poll each queue; "
            f"~{ASSUMED['poller_requests_per_queue_month']:,} empty receives a queue a month "
            "(assumed, not measurable here).")
        add(f"- Storage: {ASSUMED['item_kb']:.0f} KB a posting with its index copies, "
            f"{typical['open_after']} open postings a source.")
        add("")
        sizes = [100, 1_000, 10_000]
        add("| item | " + " | ".join(f"{n:,} sources" for n in sizes) + " |")
        add("|---|" + "---:|" * len(sizes))
        totals = [0.0] * len(sizes)

        def line(name, values):
            for i, v in enumerate(values):
                totals[i] += v
            add(f"| {name} | " + " | ".join(money(v) for v in values) + " |")

        for name, cost in per_crawl.items():
            line(name, [cost * n * HOURS for n in sizes])
        line("SQS pollers (two queues)", [2 * ASSUMED["poller_requests_per_queue_month"] * PRICES["sqs_standard"]] * len(sizes))
        scheduler_rru = costs[0]["scheduler_read_units_per_1000_sources"] / 1000
        line(f"scheduler (every 15 min: Lambda ({SCHEDULER_S:.1f} s assumed), state reads, logs)",
             [SCHEDULER_RUNS * (SCHEDULER_S * (SCHEDULER_MB / 1024) * PRICES["lambda_gb_s"] + PRICES["lambda_request"]
                                + scheduler_rru * n * PRICES["dynamodb_rru"] + scheduler_log / 1e9 * PRICES["logs_gb"])
              for n in sizes])
        line("DynamoDB storage", [n * typical["open_after"] * ASSUMED["item_kb"] / 1e6 * PRICES["dynamodb_gb_month"] for n in sizes])
        line(f"CloudWatch metrics ({METRICS})", [METRICS * PRICES["metric_month"]] * len(sizes))
        add("| **total a month** | " + " | ".join(f"**{money(t)}**" for t in totals) + " |")
        add("")
        add(f"Goal: 1,000 sources hourly under $10 a month: {money(totals[1])} "
            f"({'met' if totals[1] < 10 else 'not met'}). Sensitivity: each 100 ms more of a "
            f"board's response time adds {money(0.1 * gb * PRICES['lambda_gb_s'] * HOURS * 1000)} "
            "a month per 1,000 sources; sources of 400 postings (the table above) cost about "
            "twice as much per crawl in DynamoDB; the DynamoDB writes are the postings' churn "
            "(each new posting is about 8 write units: the item and its three index entries) "
            "and the source state's two puts a crawl.")
    add("<!-- crawl-bench:end -->")
    print("\n".join(w))


if __name__ == "__main__":
    main()
