"""Times the Python tools a user would otherwise pick on the same corpus files as the
criterion parse bench (shared/benches/parse.rs), one core, per kind group:

- jsonld:      extruct 0.18 (`extruct.extract(html, syntaxes=['json-ld'])`, lxml underneath)
- html_recipe: BeautifulSoup 4 with the lxml parser and the recipe's own CSS selectors
               (soupsieve), reading each field as jobfeed's `html` kind does
- rss:         feedparser (`feedparser.parse(bytes)`: parse, dates, HTML sanitizing)
- json_api:    `json.loads` alone, no field mapping: a lower bound on any Python mapper

The files and groups come from shared/testdata/bench/parse_kinds.tsv, the URLs from
shared/testdata/corpus/urls.tsv. Each file is timed in this one process: N repetitions, each
running the tool for at least --min-seconds and giving seconds per call; the best repetition
counts (the least disturbed by the shared machine). Timing uses time.perf_counter.

Prints one JSON object per file: {"group", "tool", "version", "file", "bytes",
"seconds_per_iter", "postings", "repetitions"}.

Usage: bench_python.py [--groups jsonld,html_recipe,rss,json_api] [--repetitions 5]
                       [--min-seconds 0.3]
The versions are pinned by scripts/bench (pip install) and checked here.
"""
import argparse
import importlib.metadata
import json
import os
import sys
import time

import bs4
import extruct
import feedparser

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTDATA = os.path.join(REPO, "shared", "testdata")


def table(path):
    """Tab-separated rows of a testdata table, comments and blank lines left out."""
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f
                if line.strip() and not line.startswith("#")]


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


def run_extruct(raw, url, _recipe):
    html = raw.decode("utf-8", errors="replace")
    return count_job_postings(extruct.extract(html, base_url=url, syntaxes=["json-ld"]))


def element_text(el):
    """The element's text with whitespace runs collapsed, as jobfeed's recipes read it."""
    return " ".join(el.get_text(" ").split())


def read_element(el, attr, read):
    if attr:
        value = (el.get(attr) or "").strip()
    elif read == "text":
        value = element_text(el)
    elif read == "inner_html":
        value = el.decode_contents().strip()
    else:  # link: href, else the text
        href = el.get("href")
        value = href.strip() if href is not None else element_text(el)
    return value or None


def field_values(recipe, field, scope, read):
    """Every non-empty value of a recipe field within scope, in document order."""
    spec = recipe.get(field)
    if spec is None:
        return []
    selector, attr = (spec, None) if isinstance(spec, str) else (spec["selector"], spec.get("attr"))
    values = (read_element(el, attr, read) for el in scope.select(selector))
    return [v for v in values if v]


def recipe_posting(recipe, scope):
    """The recipe's fields read from scope: the same fields and reads as html_recipe.rs."""
    def first(field, read="text"):
        values = field_values(recipe, field, scope, read)
        return values[0] if values else None
    return {
        "title": first("title"),
        "company": first("company"),
        "locations": field_values(recipe, "location", scope, "text"),
        "description_html": first("description", "inner_html"),
        "posted_at": first("posted_at"),
        "employment_types": field_values(recipe, "employment_type", scope, "text"),
        "salary_text": first("salary"),
        "department": first("department"),
        "apply_url": first("apply_url", "link"),
        "url": first("url", "link"),
    }


def run_bs4(raw, url, recipe):
    soup = bs4.BeautifulSoup(raw, "lxml")
    if recipe.get("item"):
        postings = [recipe_posting(recipe, scope) for scope in soup.select(recipe["item"])]
        return sum(1 for p in postings if p["title"] or p["url"])
    posting = recipe_posting(recipe, soup)
    return 1 if posting["title"] else 0


def run_feedparser(raw, _url, _recipe):
    return len(feedparser.parse(raw).entries)


def run_json_loads(raw, _url, _recipe):
    data = json.loads(raw)
    if isinstance(data, dict):
        for key in ("jobs", "content", "offers", "results"):
            if isinstance(data.get(key), list):
                return len(data[key])
        return 1
    return len(data) if isinstance(data, list) else 0


TOOLS = {
    "jsonld": ("extruct", importlib.metadata.version("extruct"), run_extruct),
    "html_recipe": ("beautifulsoup4+lxml", importlib.metadata.version("beautifulsoup4"), run_bs4),
    "rss": ("feedparser", importlib.metadata.version("feedparser"), run_feedparser),
    "json_api": ("json.loads (no mapping)", sys.version.split()[0], run_json_loads),
}


def time_one(run, args, repetitions, min_seconds):
    """Best seconds per call over `repetitions` runs of at least `min_seconds` each."""
    run(*args)  # warm-up: imports, caches, compiled selectors
    best = float("inf")
    for _ in range(repetitions):
        iterations, start = 0, time.perf_counter()
        while True:
            run(*args)
            iterations += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                break
        best = min(best, elapsed / iterations)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", default=",".join(TOOLS))
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=0.3)
    args = parser.parse_args()
    groups = args.groups.split(",")
    urls = dict(table(os.path.join(TESTDATA, "corpus", "urls.tsv")))
    for group, name, recipe_file in table(os.path.join(TESTDATA, "bench", "parse_kinds.tsv")):
        if group not in groups:
            continue
        tool, version, run = TOOLS[group]
        with open(os.path.join(TESTDATA, "corpus", name), "rb") as f:
            raw = f.read()
        recipe = None
        if recipe_file != "-":
            with open(os.path.join(TESTDATA, "recipes", recipe_file), encoding="utf-8") as f:
                recipe = json.load(f)
        call = (raw, urls[name], recipe)
        print(json.dumps({
            "group": group,
            "tool": tool,
            "version": version,
            "file": name,
            "bytes": len(raw),
            "seconds_per_iter": time_one(run, call, args.repetitions, args.min_seconds),
            "postings": run(*call),
            "repetitions": args.repetitions,
        }), flush=True)


if __name__ == "__main__":
    main()
