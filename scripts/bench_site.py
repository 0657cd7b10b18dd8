"""A synthetic `html` job site for scripts/bench-crawl: listing pages `/list/N` of 100 links
(`a.job`, with an `a.next` link to the next page) and one posting page `/jobs/N` each with a
JSON-LD JobPosting, on 127.0.0.1. It counts the listing and posting pages it serves;
`GET /_counts` answers them as JSON (and is not counted).

Usage: python3 scripts/bench_site.py POSTINGS PORT_FILE  (writes the chosen port to PORT_FILE)
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PER_PAGE = 100
POSTINGS = int(sys.argv[1])
counts = {"listing": 0, "posting": 0}
lock = threading.Lock()


def listing(page):
    first = (max(page, 1) - 1) * PER_PAGE
    links = "".join(
        f'<li><a class="job" href="/jobs/{i}">Backend Engineer {i}</a></li>'
        for i in range(first, min(first + PER_PAGE, POSTINGS))
    )
    more = f'<a class="next" href="/list/{page + 1}">Next</a>' if first + PER_PAGE < POSTINGS else ""
    return f"<html><body><ul>{links}</ul>{more}</body></html>"


def posting(i):
    data = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "name": "Acme", "value": str(i)},
        "title": f"Senior Backend Engineer {i}",
        "description": "<p>Build the services behind our job search in Rust.</p>" * 20,
        "datePosted": "2026-11-01",
        "hiringOrganization": {"@type": "Organization", "name": "Acme"},
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress",
                        "addressLocality": "Berlin", "addressCountry": "DE"}},
    }
    return (f'<html><head><script type="application/ld+json">{json.dumps(data)}</script>'
            f"</head><body><h1>Senior Backend Engineer {i}</h1></body></html>")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        body, kind = None, None
        if parts == ["_counts"]:
            with lock:
                body = json.dumps(counts)
        elif parts == ["robots.txt"]:
            body = "User-agent: *\nAllow: /\n"
        elif len(parts) == 2 and parts[0] == "list" and parts[1].isdigit():
            body, kind = listing(int(parts[1])), "listing"
        elif len(parts) == 2 and parts[0] == "jobs" and parts[1].isdigit() and int(parts[1]) < POSTINGS:
            body, kind = posting(int(parts[1])), "posting"
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        if kind:
            with lock:
                counts[kind] += 1
        data = body.encode()
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
