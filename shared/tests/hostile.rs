//! Hostile servers at the level of one source's crawl (`crawl::source`): each answer a real
//! site could send by mistake or malice ends in a bounded, reported error for that source (or
//! an empty, incomplete result), within a time limit and without reading an unbounded body.
//! The fetcher-level cases (slow drip, oversized bodies, redirect loops, private addresses)
//! are in `fetch_http.rs`.
#![cfg(feature = "http")]

mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jobfeed::config::DEFAULT_MAX_POSTING_PAGES;
use jobfeed::config::SourceConfig;
use jobfeed::crawl::fetch::{FetchConfig, FetchError};
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::crawl::source::{CrawlError, CrawlOutput, crawl_source};
use jobfeed::error::ParseError;
use support::now;

/// The fetcher's body cap in these tests: small, so a bomb is many times over it.
const BODY_CAP: u64 = 4 * 1024 * 1024;
/// What the gzip bomb inflates to (16 times the cap) and roughly what it weighs compressed.
const BOMB_INFLATED: usize = 64 * 1024 * 1024;
/// Nesting depth of the deeply nested documents.
const DEPTH: usize = 100_000;
/// Links on the huge listing page.
const LISTING_LINKS: usize = 50_000;
/// A generous bound on every crawl here (they take well under a second when healthy).
const TIME_LIMIT: Duration = Duration::from_secs(60);

const GREENHOUSE: &str = include_str!("../testdata/corpus/greenhouse/jobs_rsp.json");
const NODESK: &str = include_str!("../testdata/corpus/nodesk/job_detail_rsp.html");

/// Bodies built once per server (the bomb takes a moment to compress).
struct Bodies {
    gzip_bomb: Vec<u8>,
    listing: String,
    posting_hits: AtomicUsize,
}

struct TestServer {
    addr: SocketAddr,
    bodies: Arc<Bodies>,
}

impl TestServer {
    async fn start() -> Self {
        let bodies = Arc::new(Bodies {
            gzip_bomb: gzip_bomb(),
            listing: huge_listing(),
            posting_hits: AtomicUsize::new(0),
        });
        let state = Arc::clone(&bodies);
        let addr = support::serve(move |_| Router::new().fallback(respond).with_state(state)).await;
        Self { addr, bodies }
    }

    /// A source from TOML lines fetched from this server (see `support::source`).
    fn source(&self, lines: &str) -> SourceConfig {
        support::source(self.addr, lines)
    }
}

/// 64 MiB of spaces, gzip-compressed to about 64 KiB.
fn gzip_bomb() -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..BOMB_INFLATED / chunk.len() {
        encoder.write_all(&chunk).unwrap();
    }
    encoder.finish().unwrap()
}

/// One listing page of 50,000 distinct posting links (about 2 MB) and no next page.
fn huge_listing() -> String {
    let mut page = String::from("<html><body><ul>");
    for i in 0..LISTING_LINKS {
        page.push_str(&format!(
            "<li><a class=\"job\" href=\"/jobs/{i}\">Job {i}</a></li>"
        ));
    }
    page.push_str("</ul></body></html>");
    page
}

/// A PNG signature and header chunk followed by binary noise, as an image server sends it.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0".to_vec();
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    bytes
}

async fn respond(State(bodies): State<Arc<Bodies>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let typed = |content_type: &'static str, body: Vec<u8>| {
        ([(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    match path.as_str() {
        "/robots.txt" => StatusCode::NOT_FOUND.into_response(),
        "/bomb.json" => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CONTENT_ENCODING, "gzip"),
            ],
            bodies.gzip_bomb.clone(),
        )
            .into_response(),
        "/logo.png" => typed("image/png", png()),
        "/feed.pdf" => typed(
            "application/pdf",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\0\0stream\n\x9c\x01\xff"
                .to_vec(),
        ),
        // A Greenhouse board whose bytes are not the UTF-8 the header claims.
        "/latin1-as-utf8.json" => {
            let body = GREENHOUSE.replacen("Safari AI", "Caf\u{e9}", 1);
            let bytes = encoding_latin1(&body);
            typed("application/json; charset=utf-8", bytes)
        }
        // A feed whose only charset is its XML declaration, and one in Shift_JIS.
        "/latin1.rss" => typed(
            "application/rss+xml",
            encoding_latin1(
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>\
                 <title>Emplois</title><item><title>D\u{e9}veloppeur back-end s\u{e9}nior</title>\
                 <link>https://example.com/jobs/1</link><description>Montr\u{e9}al</description>\
                 </item></channel></rss>",
            ),
        ),
        "/shift-jis.rss" => {
            let feed = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><rss version=\"2.0\"><channel>\
                        <title>求人</title><item><title>シニアバックエンドエンジニア</title>\
                        <link>https://example.com/jobs/2</link></item></channel></rss>";
            let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(feed);
            typed("text/xml", bytes.into_owned())
        }
        "/bogus-charset.json" => typed(
            "application/json; charset=x-no-such-charset",
            GREENHOUSE.as_bytes().to_vec(),
        ),
        "/deep.html" => {
            let page = format!(
                "<html><body>{}<h1>Deep</h1>{}</body></html>",
                "<div>".repeat(DEPTH),
                "</div>".repeat(DEPTH)
            );
            typed("text/html; charset=utf-8", page.into_bytes())
        }
        "/deep-jsonld.html" => {
            let page = format!(
                "<html><head><script type=\"application/ld+json\">{}</script></head></html>",
                "[".repeat(DEPTH)
            );
            typed("text/html; charset=utf-8", page.into_bytes())
        }
        "/deep.json" => typed("application/json", "[".repeat(DEPTH).into_bytes()),
        "/listing.html" => typed(
            "text/html; charset=utf-8",
            bodies.listing.clone().into_bytes(),
        ),
        _ if path.starts_with("/jobs/") => {
            bodies.posting_hits.fetch_add(1, Ordering::Relaxed);
            typed("text/html; charset=utf-8", NODESK.as_bytes().to_vec())
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `text` as ISO-8859-1 bytes (every char here is below U+0100).
fn encoding_latin1(text: &str) -> Vec<u8> {
    text.chars().map(|c| u8::try_from(c).unwrap()).collect()
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new(FetchConfig {
        min_delay_per_host: Duration::ZERO,
        per_host_concurrency: 4,
        max_body_bytes: BODY_CAP,
        ..support::fetch_config()
    })
    .unwrap()
}

/// Crawls `source` and checks it finished within the time limit.
async fn crawl(source: &SourceConfig) -> Result<CrawlOutput, CrawlError> {
    let started = Instant::now();
    let result = crawl_source(&fetcher(), source, &BTreeMap::new(), now()).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < TIME_LIMIT,
        "the crawl of {} took {elapsed:?}",
        source.name
    );
    result
}

#[tokio::test]
async fn a_gzip_bomb_fails_the_source_at_the_body_cap_without_inflating_it() {
    let server = TestServer::start().await;
    let compressed = server.bodies.gzip_bomb.len();
    assert!(compressed < 512 * 1024, "the bomb is {compressed} bytes");
    let source =
        server.source("name = \"bomb\"\nkind = \"greenhouse\"\nurl = \"{base}/bomb.json\"");
    let error = crawl(&source).await.unwrap_err();
    match &error {
        CrawlError::Fetch(FetchError::BodyTooLarge { limit, .. }) => {
            assert_eq!(*limit, BODY_CAP);
        }
        other => panic!("expected the body cap, got {other:?}"),
    }
    assert!(!error.is_retryable(), "a bomb stays a bomb: {error}");
}

#[tokio::test]
async fn an_image_served_as_a_board_is_a_parse_error_for_the_source() {
    let server = TestServer::start().await;
    let source = server.source("name = \"png\"\nkind = \"greenhouse\"\nurl = \"{base}/logo.png\"");
    let error = crawl(&source).await.unwrap_err();
    assert!(
        matches!(&error, CrawlError::Parse { error: ParseError::NotText(_), url } if url.ends_with("/logo.png")),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_pdf_served_as_a_feed_is_a_parse_error_for_the_source() {
    let server = TestServer::start().await;
    let source = server.source("name = \"pdf\"\nkind = \"rss\"\nurl = \"{base}/feed.pdf\"");
    let error = crawl(&source).await.unwrap_err();
    assert!(
        matches!(
            &error,
            CrawlError::Parse {
                error: ParseError::NotText(_),
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn latin1_bytes_labelled_utf8_are_read_with_replacement_characters() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"mislabelled\"\nkind = \"greenhouse\"\nurl = \"{base}/latin1-as-utf8.json\"",
    );
    let output = crawl(&source).await.unwrap();
    // One stray byte in a valid board spoils one word, not the board.
    assert_eq!(output.postings.len(), 7);
    assert!(output.complete);
    assert_eq!(
        output.postings[0].record.company_name.as_deref(),
        Some("Caf\u{fffd}")
    );
}

#[tokio::test]
async fn a_feed_whose_xml_declaration_names_its_charset_is_read_in_it() {
    let server = TestServer::start().await;
    for (path, title) in [
        ("/latin1.rss", "Développeur back-end sénior"),
        ("/shift-jis.rss", "シニアバックエンドエンジニア"),
    ] {
        let source = server.source(&format!(
            "name = \"declared\"\nkind = \"rss\"\nurl = \"{{base}}{path}\""
        ));
        let output = crawl(&source).await.unwrap();
        assert_eq!(output.postings.len(), 1, "{path}");
        assert_eq!(output.postings[0].record.title.as_deref(), Some(title));
    }
}

#[tokio::test]
async fn an_unknown_charset_label_falls_back_to_utf8() {
    let server = TestServer::start().await;
    let source = server
        .source("name = \"bogus\"\nkind = \"greenhouse\"\nurl = \"{base}/bogus-charset.json\"");
    let output = crawl(&source).await.unwrap();
    assert_eq!(output.postings.len(), 7);
    assert_eq!(
        output.postings[0].record.company_name.as_deref(),
        Some("Safari AI")
    );
}

#[tokio::test]
async fn deeply_nested_json_is_a_parse_error_not_a_stack_overflow() {
    let server = TestServer::start().await;
    let source =
        server.source("name = \"deep\"\nkind = \"greenhouse\"\nurl = \"{base}/deep.json\"");
    let error = crawl(&source).await.unwrap_err();
    assert!(
        matches!(
            &error,
            CrawlError::Parse {
                error: ParseError::Malformed { .. },
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn deeply_nested_json_ld_in_a_page_finds_nothing_without_a_stack_overflow() {
    let server = TestServer::start().await;
    let source =
        server.source("name = \"deep\"\nkind = \"jsonld\"\nurl = \"{base}/deep-jsonld.html\"");
    let result = crawl(&source).await;
    let postings = result.map(|output| output.postings.len());
    assert!(
        matches!(postings, Ok(0) | Err(CrawlError::Parse { .. })),
        "{postings:?}"
    );
}

#[tokio::test]
async fn deeply_nested_html_is_read_in_bounded_time_without_a_stack_overflow() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"deep\"\nkind = \"html\"\nurl = \"{base}/deep.html\"\n\
         [source.detail]\ntitle = \"h1\"\ndescription = \"body\"",
    );
    // html5ever is quadratic in the nesting depth (minutes for this page), so the page is
    // refused before it is parsed, as browsers would flatten it.
    let error = crawl(&source).await.unwrap_err();
    assert!(
        matches!(&error, CrawlError::Parse { error: ParseError::Malformed { detail, .. }, .. }
            if detail == "elements are nested deeper than 512"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_deeply_nested_listing_page_is_a_reported_error_of_an_incomplete_crawl() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"deep\"\nkind = \"html\"\nurl = \"{base}/deep.html\"\n\
         [source.listing]\nlinks = \"a.job\"",
    );
    let output = crawl(&source).await.unwrap();
    assert!(output.postings.is_empty());
    assert!(!output.complete);
    assert_eq!(output.report.errors.len(), 1);
    assert!(
        output.report.errors[0].ends_with(
            "/deep.html: not a valid html document: elements are nested deeper than 512"
        ),
        "{:?}",
        output.report.errors
    );
}

#[tokio::test]
async fn a_listing_of_50000_links_stops_at_the_posting_page_cap_and_is_incomplete() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"huge\"\nkind = \"html\"\nurl = \"{base}/listing.html\"\n\
         [source.listing]\nlinks = \"a.job\"",
    );
    let output = crawl(&source).await.unwrap();
    let hits = server.bodies.posting_hits.load(Ordering::Relaxed);
    assert_eq!(hits, DEFAULT_MAX_POSTING_PAGES);
    assert!(!output.complete, "a capped crawl must not close postings");
    assert!(
        output
            .report
            .errors
            .iter()
            .any(|e| e.contains("50000 posting pages need reading")),
        "{:?}",
        output.report.errors
    );
    // Every link serves the same recorded posting; its id comes from the page's URL.
    assert_eq!(output.postings.len(), DEFAULT_MAX_POSTING_PAGES);
    assert_eq!(
        output.report.pages_fetched as usize,
        1 + DEFAULT_MAX_POSTING_PAGES
    );
}
