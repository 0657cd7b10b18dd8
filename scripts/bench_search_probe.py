#!/usr/bin/env python3
"""Helpers of `scripts/bench-search`, against a running `jobfeed serve`.

Usage: bench_search_probe.py wait BASE          waits (15 s at most) until BASE/health answers
       bench_search_probe.py probe BASE PATHS   one cold request per path of PATHS (name, path,
                                                 label): prints name, ms, items on the first
                                                 page, whether it has a cursor, and the calls
                                                 (following cursors, 100 at most) to the first
                                                 match ("-" when the list has none)
"""
import json
import sys
import time
import urllib.parse
import urllib.request


def wait(base):
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("jobfeed serve did not answer within 15 s")


def page(base, path):
    """Items and next cursor of one /jobs page (a feed path is asked as /jobs with its query)."""
    url = urllib.parse.urlsplit(path)
    query = urllib.parse.parse_qsl(url.query)
    with urllib.request.urlopen(base + "/jobs?" + urllib.parse.urlencode(query), timeout=60) as r:
        body = json.load(r)
    return body["items"], body.get("next_cursor")


def probe(base, paths):
    for line in open(paths).read().splitlines():
        name, path, _ = line.split("\t")
        start = time.perf_counter()
        with urllib.request.urlopen(base + path, timeout=60) as r:
            r.read()
        ms = (time.perf_counter() - start) * 1000
        items, cursor = page(base, path)
        first_items, first_cursor = len(items), cursor is not None
        calls, found = 1, bool(items)
        url = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qsl(url.query)
        while not found and cursor and calls < 100:
            more = urllib.parse.urlencode(query + [("cursor", cursor)])
            items, cursor = page(base, "/jobs?" + more)
            calls += 1
            found = bool(items)
        print(f"{name}\t{ms:.1f}\t{first_items}\t{first_cursor}\t{calls if found else '-'}")


if __name__ == "__main__":
    if sys.argv[1] == "wait":
        wait(sys.argv[2])
    else:
        probe(sys.argv[2], sys.argv[3])
