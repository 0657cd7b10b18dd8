"""Synthetic job sites for scripts/bench-crawl, on 127.0.0.1, counting what they serve
(`GET /_counts` answers the counts as JSON and is not counted):
- `html`: listing pages `/list/N` of 100 links (`a.job`, with an `a.next` link to the next
  page) and one posting page `/jobs/N` each with a JSON-LD JobPosting (counts `listing`,
  `posting`);
- `workday`: a Workday tenant in the provider's format: the search `POST
  /wday/cxs/acme/External/jobs` (20 a page, no descriptions) and one detail `GET
  /wday/cxs/acme/External/job/...` per job (counts `listing`, `posting`).

Usage: python3 scripts/bench_site.py POSTINGS PORT_FILE [html|workday]
(writes the chosen port to PORT_FILE)
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PER_PAGE = 100
WORKDAY_PAGE = 20
WORKDAY_BASE = "/wday/cxs/acme/External"
POSTINGS = int(sys.argv[1])
MODE = sys.argv[3] if len(sys.argv) > 3 else "html"
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


def workday_path(i):
    return f"/job/Berlin/Senior-Backend-Engineer_JR{i}"


def workday_search(offset, limit):
    jobs = [
        {"title": f"Senior Backend Engineer {i}", "externalPath": workday_path(i),
         "locationsText": "Berlin, Germany", "postedOn": "Posted 3 Days Ago",
         "bulletFields": [f"JR{i}"]}
        for i in range(offset, min(offset + limit, POSTINGS))
    ]
    return json.dumps({"total": POSTINGS, "jobPostings": jobs, "facets": []})


def workday_detail(i):
    return json.dumps({
        "jobPostingInfo": {
            "id": f"wd{i}", "title": f"Senior Backend Engineer {i}",
            "jobDescription": "<p>Build the services behind our job search in Rust.</p>" * 20,
            "location": "Berlin, Germany", "postedOn": "Posted 3 Days Ago",
            "startDate": "2026-11-01", "timeType": "Full time", "jobReqId": f"JR{i}",
            "country": {"descriptor": "Germany"},
            "externalUrl": f"http://acme.example/External{workday_path(i)}",
        },
        "hiringOrganization": {"name": "Acme", "url": ""},
    })


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, body, kind, content_type):
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        if kind:
            with lock:
                counts[kind] += 1
        data = body.encode()
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        body = None
        if MODE == "workday" and self.path.split("?")[0] == f"{WORKDAY_BASE}/jobs":
            limit = min(int(request.get("limit", WORKDAY_PAGE)), WORKDAY_PAGE)
            body = workday_search(int(request.get("offset", 0)), limit)
        self.send(body, "listing", "application/json")

    def do_GET(self):
        path = self.path.split("?")[0]
        parts = path.strip("/").split("/")
        body, kind = None, None
        if MODE == "workday" and path.startswith(f"{WORKDAY_BASE}/job/"):
            number = path.rsplit("_JR", 1)[-1]
            if number.isdigit() and int(number) < POSTINGS:
                body, kind = workday_detail(int(number)), "posting"
            self.send(body, kind, "application/json")
            return
        if parts == ["_counts"]:
            with lock:
                body = json.dumps(counts)
        elif parts == ["robots.txt"]:
            body = "User-agent: *\nAllow: /\n"
        elif len(parts) == 2 and parts[0] == "list" and parts[1].isdigit():
            body, kind = listing(int(parts[1])), "listing"
        elif len(parts) == 2 and parts[0] == "jobs" and parts[1].isdigit() and int(parts[1]) < POSTINGS:
            body, kind = posting(int(parts[1])), "posting"
        content_type = "application/json" if parts == ["_counts"] else "text/html; charset=utf-8"
        self.send(body, kind, content_type)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
