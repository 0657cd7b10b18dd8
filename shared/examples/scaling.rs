//! The scaling curve of issue 7 (item 7): one crawl + ingest of a synthetic `html` site of
//! N postings, served by this process on 127.0.0.1, into a new SQLite file (or DynamoDB at
//! `AWS_ENDPOINT_URL`), through the same `Pipeline` as `jobfeed crawl`.
//!
//! The site has the costly shape: listing pages of `PER_PAGE` links (`a.job`, with an
//! `a.next` link to the next page) and one detail page per posting carrying a JSON-LD
//! `JobPosting` (~2 KB description). Politeness is set down for a local site
//! (`[crawl] min_delay_ms = 0`) and the source allows private addresses
//! (`allow_private = true`), otherwise the fetcher refuses 127.0.0.1.
//!
//! Then, in the same process, the site is crawled again an hour later with one posting in a
//! hundred withdrawn: the requests that second crawl makes (listing pages, and posting pages
//! only for the refresh share), the postings it closes (exactly the withdrawn ones) and what
//! it wrote.
//!
//! Run one size per process, so the peak RSS (`VmHWM`) is this size's alone:
//! `cargo run --release -p jobfeed-shared --example scaling -- 1000 [sqlite|dynamodb]`.
//! Prints one JSON line: size, store, wall and CPU seconds, postings/s, peak RSS, what was
//! ingested, and the re-crawl's requests.

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use jobfeed::app::crawl::{CrawlSettings, SourceRunReport};
use jobfeed::app::ingest::IngestConfig;
use jobfeed::app::pipeline::{Pipeline, Progress, Selection};
use jobfeed::crawl::fetch::{FetchConfig, Fetcher};
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::crawl::source::InvocationLimits;
use jobfeed::store::Store;
use jobfeed::store::sqlite::SqliteStore;

/// Links per listing page.
const PER_PAGE: usize = 100;

/// The site: its size, the requests it answered by kind, and whether one posting in a
/// hundred (those numbered 99, 199, ...) is withdrawn.
#[derive(Default)]
struct Site {
    size: usize,
    listing_requests: AtomicUsize,
    posting_requests: AtomicUsize,
    withdrawn: AtomicBool,
}

impl Site {
    /// Whether posting `i` is on the site now.
    fn lists(&self, i: usize) -> bool {
        i < self.size && !(self.withdrawn.load(Ordering::Relaxed) && i % 100 == 99)
    }
}

/// Ignores progress: the example prints one line at the end.
struct Quiet;

impl Progress for Quiet {
    fn start(&self, _total: usize) {}
    fn source_done(&self, _report: &SourceRunReport) {}
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let size: usize = args
        .next()
        .ok_or("usage: scaling SIZE [sqlite|dynamodb]")?
        .parse()?;
    let store_name = args.next().unwrap_or_else(|| "sqlite".into());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let site = Arc::new(Site {
        size,
        ..Site::default()
    });
    let app = Router::new()
        .route("/robots.txt", get(|| async { "User-agent: *\nAllow: /\n" }))
        .route("/list/{page}", get(listing))
        .route("/jobs/{id}", get(detail))
        .with_state(site.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let config = jobfeed::config::parse(
        &format!(
            r#"
[crawl]
min_delay_ms = 0
max_pages = {pages}

[[source]]
name = "bench-site"
kind = "html"
url = "http://127.0.0.1:{port}/list/1"
company = "Acme"
allow_private = true

[source.listing]
links = "a.job"
next = "a.next"
max_posting_pages = {size}
"#,
            pages = size.div_ceil(PER_PAGE) + 1
        ),
        "scaling.toml",
    )?;
    let fetcher: Arc<dyn Fetcher> = Arc::new(HttpFetcher::new(FetchConfig::from(&config.crawl))?);
    let dir = tempfile::tempdir()?;
    let (store, cleanup) = stores(&store_name, dir.path()).await?;
    let pipeline = Pipeline {
        fetcher,
        store,
        ingest: IngestConfig::default(),
        crawl: CrawlSettings {
            min_delay: std::time::Duration::ZERO,
            ..CrawlSettings::default()
        },
        limits: InvocationLimits::NONE,
        progress: Arc::new(Quiet),
    };

    let started = Instant::now();
    let reports = pipeline
        .run(
            &config,
            Selection::Named(vec!["bench-site".into()]),
            Utc::now(),
        )
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    let report = reports.first().ok_or("no report")?;
    if report.new != size as u64 || !report.ingest_errors.is_empty() {
        return Err(format!(
            "expected {size} new postings, got {} (crawl {:?}, errors {:?})",
            report.new, report.run.crawl.errors, report.ingest_errors
        )
        .into());
    }

    // The site again an hour later, one posting in a hundred withdrawn.
    site.withdrawn.store(true, Ordering::Relaxed);
    let withdrawn = (0..size).filter(|i| !site.lists(*i)).count() as u64;
    let requests_before = site.requests();
    let writes_before = pipeline.store.usage().items_written;
    let again = Instant::now();
    let reports = pipeline
        .run(
            &config,
            Selection::Named(vec!["bench-site".into()]),
            Utc::now() + chrono::Duration::hours(1),
        )
        .await?;
    let recrawl_seconds = again.elapsed().as_secs_f64();
    let recrawl = reports.first().ok_or("no report")?;
    let (listing_pages, posting_pages) = site.requests();
    let recrawl_writes = pipeline.store.usage().items_written - writes_before;
    if recrawl.closed != withdrawn || !recrawl.ingest_errors.is_empty() {
        return Err(format!(
            "the re-crawl closed {} postings, not the {withdrawn} withdrawn (errors {:?})",
            recrawl.closed, recrawl.ingest_errors
        )
        .into());
    }
    cleanup.await?;
    println!(
        "{}",
        serde_json::json!({
            "size": size,
            "store": store_name,
            "seconds": seconds,
            "crawl_seconds": report.run.crawl.duration_ms as f64 / 1000.0,
            "postings_per_s": size as f64 / seconds,
            "pages": report.run.crawl.pages_fetched,
            "messages": report.run.messages,
            "new": report.new,
            "cpu_seconds": cpu_seconds(),
            "peak_rss_kb": peak_rss_kb(),
            "recrawl": {
                "outcome": recrawl.run.outcome,
                "seconds": recrawl_seconds,
                "listing_requests": listing_pages - requests_before.0,
                "posting_requests": posting_pages - requests_before.1,
                "postings_sent": recrawl.run.crawl.postings_sent,
                "details_skipped": recrawl.run.crawl.details_skipped,
                "new": recrawl.new,
                "changed": recrawl.changed,
                "closed": recrawl.closed,
                "withdrawn": withdrawn,
                "writes": recrawl_writes,
            },
        })
    );
    Ok(())
}

type Cleanup = std::pin::Pin<Box<dyn Future<Output = Result<(), Box<dyn Error>>>>>;

/// The store to ingest into, and what removes it afterwards.
async fn stores(
    name: &str,
    dir: &std::path::Path,
) -> Result<(Arc<dyn Store>, Cleanup), Box<dyn Error>> {
    match name {
        "sqlite" => {
            let store = Arc::new(SqliteStore::open(dir.join("jobfeed.db"))?);
            Ok((store, Box::pin(async { Ok(()) })))
        }
        #[cfg(feature = "dynamodb")]
        "dynamodb" => {
            use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};
            if std::env::var_os("AWS_ENDPOINT_URL").is_none() {
                return Err("AWS_ENDPOINT_URL is not set (moto_server)".into());
            }
            let client = client_from_env().await;
            let table = format!("jobfeed-scaling-{}", std::process::id());
            create_table(&client, &table).await?;
            let store = Arc::new(DynamoStore::new(client.clone(), table.as_str()));
            let cleanup: Cleanup = Box::pin(async move {
                client.delete_table().table_name(&table).send().await?;
                Ok(())
            });
            Ok((store, cleanup))
        }
        other => Err(format!("unknown store `{other}` (sqlite or dynamodb)").into()),
    }
}

/// Peak resident set size of this process (`VmHWM`), in KiB; 0 where /proc is missing.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system) of this process so far, in seconds: on a shared machine the
/// wall time also counts waiting for a core. Clock ticks of 1/100 s, Linux's `USER_HZ`.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // The fields after the command name, which is in parentheses and may hold spaces.
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(0.0)
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

impl Site {
    /// Listing and posting pages served so far.
    fn requests(&self) -> (usize, usize) {
        (
            self.listing_requests.load(Ordering::Relaxed),
            self.posting_requests.load(Ordering::Relaxed),
        )
    }
}

/// Listing page `page` (from 1): `PER_PAGE` links and a next link unless it is the last.
async fn listing(State(site): State<Arc<Site>>, Path(page): Path<usize>) -> Response {
    site.listing_requests.fetch_add(1, Ordering::Relaxed);
    let size = site.size;
    let page = page.max(1);
    let first = (page - 1) * PER_PAGE;
    let mut body = String::from("<!doctype html><html><head><title>Jobs</title></head><body><ul>");
    for i in (first..(first + PER_PAGE).min(size)).filter(|i| site.lists(*i)) {
        body.push_str(&format!(
            "<li><a class=\"job\" href=\"/jobs/{i}\">Backend Engineer {i}</a> Berlin</li>"
        ));
    }
    body.push_str("</ul>");
    if first + PER_PAGE < size {
        body.push_str(&format!(
            "<a class=\"next\" href=\"/list/{}\">Next</a>",
            page + 1
        ));
    }
    body.push_str("</body></html>");
    html(body)
}

/// Detail page of posting `id`: a JSON-LD `JobPosting` and the same text visible.
async fn detail(State(site): State<Arc<Site>>, Path(id): Path<usize>) -> Response {
    site.posting_requests.fetch_add(1, Ordering::Relaxed);
    if !site.lists(id) {
        return (axum::http::StatusCode::NOT_FOUND, "no such job").into_response();
    }
    let paragraphs = [
        "You will design, build and run the services behind our job search: Rust on the \
         backend, PostgreSQL for storage, queues between them.",
        "You know how to keep a system simple while it grows, write code others can change, \
         and measure before you optimise.",
        "We offer a salary between 70,000 and 90,000 EUR, 30 days of holidays, a learning \
         budget and a team that reviews code kindly and quickly.",
    ];
    let description = format!(
        "<p>Posting {id}.</p>{}",
        paragraphs.map(|p| format!("<p>{p}</p>")).join("").repeat(4)
    );
    let posting = serde_json::json!({
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "name": "Acme", "value": id.to_string()},
        "title": format!("Senior Backend Engineer {id}"),
        "description": description,
        "datePosted": "2026-11-01",
        "employmentType": "FULL_TIME",
        "hiringOrganization": {"@type": "Organization", "name": "Acme", "sameAs": "https://acme.example"},
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress",
            "addressLocality": "Berlin", "addressCountry": "DE"}},
        "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR",
            "value": {"@type": "QuantitativeValue", "minValue": 70000, "maxValue": 90000, "unitText": "YEAR"}},
    });
    html(format!(
        "<!doctype html><html><head><title>Senior Backend Engineer {id}</title>\
         <script type=\"application/ld+json\">{posting}</script></head>\
         <body><h1>Senior Backend Engineer {id}</h1>{description}</body></html>"
    ))
}
