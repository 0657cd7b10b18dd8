//! The HTTP fetcher against a scripted local server: politeness, robots.txt, retries, limits,
//! redirects, charsets, compression and the SSRF guard, each asserted from what the server saw.
#![cfg(feature = "http")]

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jobfeed::crawl::fetch::{
    DisallowReason, FetchConfig, FetchError, FetchOutcome, FetchRequest, Fetcher,
};
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::model::Validators;
use tokio::time::Instant;
use url::Url;

const AGENT: &str = "jobfeed-test/1.0";
const ROBOTS: &str = "User-agent: jobfeed-test\nDisallow: /private\n";
const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Mon, 02 Mar 2026 10:00:00 GMT";
const HUGE_CHUNK: usize = 64 * 1024;
const HUGE_CHUNKS: usize = 4096;

/// What the server answers for /robots.txt.
#[derive(Clone, Copy)]
enum Robots {
    Text(&'static str),
    NotFound,
    ServerError,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    host: String,
    path: String,
    method: String,
    headers: HeaderMap,
    start: Instant,
    end: Option<Instant>,
}

struct ServerState {
    robots: Robots,
    log: Mutex<Vec<Seen>>,
    huge_chunks_sent: Arc<AtomicUsize>,
}

struct TestServer {
    addr: SocketAddr,
    state: Arc<ServerState>,
}

impl TestServer {
    async fn start(robots: Robots) -> Self {
        let state = Arc::new(ServerState {
            robots,
            log: Mutex::new(Vec::new()),
            huge_chunks_sent: Arc::new(AtomicUsize::new(0)),
        });
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, state }
    }

    fn url(&self, host: &str, path: &str) -> Url {
        Url::parse(&format!("http://{host}:{}{path}", self.addr.port())).unwrap()
    }

    /// A request to this server by IP, with private addresses allowed.
    fn request(&self, path: &str) -> FetchRequest {
        FetchRequest {
            allow_private: true,
            ..FetchRequest::get(self.url("127.0.0.1", path))
        }
    }

    fn log(&self) -> Vec<Seen> {
        self.state.log.lock().unwrap().clone()
    }

    fn hits(&self, path: &str) -> Vec<Seen> {
        self.log().into_iter().filter(|s| s.path == path).collect()
    }
}

fn seen_count(log: &[Seen], path: &str) -> usize {
    log.iter().filter(|s| s.path == path).count()
}

async fn handle(State(state): State<Arc<ServerState>>, request: Request) -> Response {
    let headers = request.headers().clone();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':'))
        .map(|(name, _)| name.to_owned())
        .unwrap_or_default();
    let path = request.uri().path().to_owned();
    let index = {
        let mut log = state.log.lock().unwrap();
        log.push(Seen {
            host,
            path: path.clone(),
            method: request.method().to_string(),
            headers: headers.clone(),
            start: Instant::now(),
            end: None,
        });
        log.len() - 1
    };
    let earlier = seen_count(&state.log.lock().unwrap(), &path) - 1;
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap();
    let response = respond(&state, &path, &headers, earlier, body).await;
    state.log.lock().unwrap()[index].end = Some(Instant::now());
    response
}

/// The scripted behaviour of each path; `earlier` counts previous requests for the same path.
async fn respond(
    state: &ServerState,
    path: &str,
    headers: &HeaderMap,
    earlier: usize,
    body: axum::body::Bytes,
) -> Response {
    let html = [(header::CONTENT_TYPE, "text/html")];
    match path {
        "/robots.txt" => match state.robots {
            Robots::Text(text) => text.into_response(),
            Robots::NotFound => StatusCode::NOT_FOUND.into_response(),
            Robots::ServerError => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
        "/page" | "/private/jobs" => (html, "<p>hello</p>").into_response(),
        "/slow" => {
            tokio::time::sleep(Duration::from_millis(20)).await;
            (html, "<p>slow</p>").into_response()
        }
        "/echo" => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        "/conditional" => {
            let etag_matches = headers
                .get(header::IF_NONE_MATCH)
                .is_some_and(|v| v == ETAG);
            if etag_matches {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            let validators = [(header::ETAG, ETAG), (header::LAST_MODIFIED, LAST_MODIFIED)];
            (validators, "<p>v1</p>").into_response()
        }
        "/rate-limited-once" if earlier == 0 => {
            (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")]).into_response()
        }
        "/rate-limited-once" => "finally".into_response(),
        "/fails-once" if earlier == 0 => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        "/fails-once" => "recovered".into_response(),
        "/always-fails" => StatusCode::BAD_GATEWAY.into_response(),
        "/missing" => StatusCode::NOT_FOUND.into_response(),
        "/drip" => {
            let chunks = futures_util::stream::unfold(0, |n| async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                (n < 30).then(|| (Ok::<_, std::io::Error>(vec![b'.'; 10]), n + 1))
            });
            Body::from_stream(chunks).into_response()
        }
        "/huge" => {
            let sent = Arc::clone(&state.huge_chunks_sent);
            let chunks = futures_util::stream::unfold(0, move |n| {
                let sent = Arc::clone(&sent);
                async move {
                    (n < HUGE_CHUNKS).then(|| {
                        sent.fetch_add(1, Ordering::SeqCst);
                        (Ok::<_, std::io::Error>(vec![b'x'; HUGE_CHUNK]), n + 1)
                    })
                }
            });
            Body::from_stream(chunks).into_response()
        }
        "/huge-declared" => vec![b'x'; 100 * 1024].into_response(),
        "/loop/a" => redirect("/loop/b"),
        "/loop/b" => redirect("/loop/a"),
        "/moved" => redirect("/page"),
        "/to-metadata" => redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-localhost" => {
            let port = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .and_then(|h| h.rsplit_once(':'))
                .map(|(_, port)| port.to_owned())
                .unwrap_or_default();
            redirect(&format!("http://localhost:{port}/page"))
        }
        "/latin1-header" => (
            [(header::CONTENT_TYPE, "text/html; charset=ISO-8859-1")],
            b"<p>Caf\xe9 cr\xe8me</p>".to_vec(),
        )
            .into_response(),
        "/latin1-meta" => (
            html,
            b"<html><head><meta charset=\"iso-8859-1\"></head><p>Caf\xe9</p>".to_vec(),
        )
            .into_response(),
        "/gzip" => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder
                .write_all("<p>Zürich, compressed</p>".as_bytes())
                .unwrap();
            let compressed = encoder.finish().unwrap();
            let headers = [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_ENCODING, "gzip"),
            ];
            (headers, compressed).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn redirect(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

/// Fast settings: no politeness delay, quick backoff, a small body cap.
fn config() -> FetchConfig {
    FetchConfig {
        user_agent: AGENT.into(),
        per_host_concurrency: 1,
        min_delay_per_host: Duration::ZERO,
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(2),
        max_body_bytes: 64 * 1024,
        max_redirects: 3,
        max_retries: 2,
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(20),
    }
}

fn fetcher(config: FetchConfig) -> HttpFetcher {
    HttpFetcher::new(config).unwrap()
}

fn fetched(outcome: FetchOutcome) -> jobfeed::crawl::fetch::Document {
    match outcome {
        FetchOutcome::Fetched(document) => document,
        other => panic!("expected a document, got {other:?}"),
    }
}

#[tokio::test]
async fn a_page_is_fetched_with_our_user_agent_and_robots_txt_is_read_once() {
    let server = TestServer::start(Robots::Text(ROBOTS)).await;
    let fetcher = fetcher(config());
    for _ in 0..2 {
        let document = fetched(fetcher.fetch(server.request("/page")).await.unwrap());
        assert_eq!(document.body, "<p>hello</p>");
        assert_eq!(document.status, 200);
        assert_eq!(document.content_type.as_deref(), Some("text/html"));
        assert_eq!(document.final_url, server.url("127.0.0.1", "/page"));
    }
    let log = server.log();
    assert_eq!(seen_count(&log, "/robots.txt"), 1);
    assert_eq!(seen_count(&log, "/page"), 2);
    assert!(log.iter().all(|s| s.headers[header::USER_AGENT] == AGENT));
}

#[tokio::test]
async fn a_path_disallowed_by_robots_txt_is_never_requested() {
    let server = TestServer::start(Robots::Text(ROBOTS)).await;
    let outcome = fetcher(config())
        .fetch(server.request("/private/jobs"))
        .await
        .unwrap();
    let expected = FetchOutcome::Disallowed {
        reason: DisallowReason::RobotsTxt,
    };
    assert_eq!(outcome, expected);
    assert!(server.hits("/private/jobs").is_empty());
    assert_eq!(server.hits("/robots.txt").len(), 1);
}

#[tokio::test]
async fn a_missing_robots_txt_allows_everything() {
    let server = TestServer::start(Robots::NotFound).await;
    let document = fetched(
        fetcher(config())
            .fetch(server.request("/private/jobs"))
            .await
            .unwrap(),
    );
    assert_eq!(document.body, "<p>hello</p>");
}

#[tokio::test]
async fn an_unavailable_robots_txt_disallows_the_host_for_the_whole_run() {
    let server = TestServer::start(Robots::ServerError).await;
    let fetcher = fetcher(config());
    for _ in 0..2 {
        let outcome = fetcher.fetch(server.request("/page")).await.unwrap();
        let expected = FetchOutcome::Disallowed {
            reason: DisallowReason::RobotsUnreachable(format!(
                "HTTP 503 from {}",
                server.url("127.0.0.1", "/robots.txt")
            )),
        };
        assert_eq!(outcome, expected);
    }
    // Retried like any 503 (1 + max_retries), then remembered for the run.
    assert_eq!(server.hits("/robots.txt").len(), 3);
    assert!(server.hits("/page").is_empty());
}

#[tokio::test]
async fn a_conditional_get_with_the_stored_validators_is_not_modified() {
    let server = TestServer::start(Robots::NotFound).await;
    let fetcher = fetcher(config());
    let first = fetched(fetcher.fetch(server.request("/conditional")).await.unwrap());
    let expected = Validators {
        etag: Some(ETAG.into()),
        last_modified: Some(LAST_MODIFIED.into()),
    };
    assert_eq!(first.validators, expected);
    let again = server
        .request("/conditional")
        .with_validators(first.validators);
    assert_eq!(
        fetcher.fetch(again).await.unwrap(),
        FetchOutcome::NotModified
    );
    let hits = server.hits("/conditional");
    assert_eq!(hits.len(), 2);
    assert!(hits[0].headers.get(header::IF_NONE_MATCH).is_none());
    assert_eq!(hits[1].headers[header::IF_NONE_MATCH], ETAG);
    assert_eq!(hits[1].headers[header::IF_MODIFIED_SINCE], LAST_MODIFIED);
}

#[tokio::test]
async fn a_429_is_retried_after_the_retry_after_delay_capped_by_the_backoff_cap() {
    let server = TestServer::start(Robots::NotFound).await;
    // Retry-After says 1 s; the cap makes it 300 ms, far above the 1 ms backoff it replaces.
    let config = FetchConfig {
        backoff_base: Duration::from_millis(1),
        backoff_cap: Duration::from_millis(300),
        ..config()
    };
    let document = fetched(
        fetcher(config)
            .fetch(server.request("/rate-limited-once"))
            .await
            .unwrap(),
    );
    assert_eq!(document.body, "finally");
    let hits = server.hits("/rate-limited-once");
    assert_eq!(hits.len(), 2);
    let waited = hits[1].start - hits[0].start;
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_millis(1000), "{waited:?}");
}

#[tokio::test]
async fn a_500_is_retried_and_the_retry_succeeds() {
    let server = TestServer::start(Robots::NotFound).await;
    let document = fetched(
        fetcher(config())
            .fetch(server.request("/fails-once"))
            .await
            .unwrap(),
    );
    assert_eq!(document.body, "recovered");
    assert_eq!(server.hits("/fails-once").len(), 2);
}

#[tokio::test]
async fn a_persistent_5xx_fails_retryably_after_the_configured_retries() {
    let server = TestServer::start(Robots::NotFound).await;
    let request = server.request("/always-fails");
    let err = fetcher(config()).fetch(request.clone()).await.unwrap_err();
    assert_eq!(
        err,
        FetchError::Status {
            url: request.url,
            status: 502
        }
    );
    assert!(err.is_retryable());
    assert_eq!(server.hits("/always-fails").len(), 3);
}

#[tokio::test]
async fn a_404_fails_permanently_without_a_retry() {
    let server = TestServer::start(Robots::NotFound).await;
    let err = fetcher(config())
        .fetch(server.request("/missing"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Status { status: 404, .. }),
        "{err}"
    );
    assert!(!err.is_retryable());
    assert_eq!(server.hits("/missing").len(), 1);
}

#[tokio::test]
async fn a_body_dripping_past_the_total_timeout_times_out() {
    let server = TestServer::start(Robots::NotFound).await;
    let config = FetchConfig {
        total_timeout: Duration::from_millis(300),
        max_retries: 0,
        ..config()
    };
    let started = Instant::now();
    let err = fetcher(config)
        .fetch(server.request("/drip"))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
    assert!(err.is_retryable());
    // The drip lasts 3 s; the fetch gave up shortly after its 300 ms.
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[tokio::test]
async fn a_streamed_body_over_the_cap_fails_without_being_read_to_the_end() {
    let server = TestServer::start(Robots::NotFound).await;
    let err = fetcher(config())
        .fetch(server.request("/huge"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::BodyTooLarge { limit: 65536, .. }),
        "{err}"
    );
    assert!(!err.is_retryable());
    // Let the server notice the closed connection, then count what it managed to produce:
    // socket buffers take a few MB, nowhere near the 256 MB on offer.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = server.state.huge_chunks_sent.load(Ordering::SeqCst);
    assert!(sent < HUGE_CHUNKS / 4, "{sent} chunks produced");
}

#[tokio::test]
async fn a_declared_length_over_the_cap_fails() {
    let server = TestServer::start(Robots::NotFound).await;
    let err = fetcher(config())
        .fetch(server.request("/huge-declared"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::BodyTooLarge { limit: 65536, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn a_redirect_is_followed_to_the_final_url() {
    let server = TestServer::start(Robots::NotFound).await;
    let document = fetched(
        fetcher(config())
            .fetch(server.request("/moved"))
            .await
            .unwrap(),
    );
    assert_eq!(document.final_url, server.url("127.0.0.1", "/page"));
    assert_eq!(document.body, "<p>hello</p>");
}

#[tokio::test]
async fn a_redirect_loop_stops_after_the_configured_number_of_redirects() {
    let server = TestServer::start(Robots::NotFound).await;
    let request = server.request("/loop/a");
    let err = fetcher(config()).fetch(request.clone()).await.unwrap_err();
    assert_eq!(
        err,
        FetchError::TooManyRedirects {
            url: request.url,
            limit: 3
        }
    );
    assert!(!err.is_retryable());
    let log = server.log();
    // The first request and three redirects: a, b, a, b.
    assert_eq!(seen_count(&log, "/loop/a") + seen_count(&log, "/loop/b"), 4);
}

#[tokio::test]
async fn a_post_sends_its_json_body() {
    let server = TestServer::start(Robots::NotFound).await;
    let body = serde_json::json!({"limit": 20, "offset": 0});
    let request = FetchRequest {
        allow_private: true,
        ..FetchRequest::post_json(server.url("127.0.0.1", "/echo"), body)
    };
    let document = fetched(fetcher(config()).fetch(request).await.unwrap());
    assert_eq!(document.body, r#"{"limit":20,"offset":0}"#);
    let hit = &server.hits("/echo")[0];
    assert_eq!(hit.method, "POST");
    assert_eq!(hit.headers[header::CONTENT_TYPE], "application/json");
}

#[tokio::test]
async fn latin1_pages_are_decoded_by_header_charset_and_by_meta_charset() {
    let server = TestServer::start(Robots::NotFound).await;
    let fetcher = fetcher(config());
    let by_header = fetched(
        fetcher
            .fetch(server.request("/latin1-header"))
            .await
            .unwrap(),
    );
    assert_eq!(by_header.body, "<p>Café crème</p>");
    let by_meta = fetched(fetcher.fetch(server.request("/latin1-meta")).await.unwrap());
    assert!(by_meta.body.ends_with("<p>Café</p>"), "{}", by_meta.body);
}

#[tokio::test]
async fn a_gzip_body_is_decompressed() {
    let server = TestServer::start(Robots::NotFound).await;
    let document = fetched(
        fetcher(config())
            .fetch(server.request("/gzip"))
            .await
            .unwrap(),
    );
    assert_eq!(document.body, "<p>Zürich, compressed</p>");
    let accepted = server.hits("/gzip")[0].headers[header::ACCEPT_ENCODING].clone();
    let accepted = accepted.to_str().unwrap();
    assert!(
        accepted.contains("gzip") && accepted.contains("br"),
        "{accepted}"
    );
}

#[tokio::test]
async fn strict_mode_refuses_a_literal_loopback_url_without_connecting() {
    let server = TestServer::start(Robots::NotFound).await;
    let request = FetchRequest::get(server.url("127.0.0.1", "/page"));
    let err = fetcher(config()).fetch(request).await.unwrap_err();
    assert!(matches!(err, FetchError::Refused { .. }), "{err}");
    assert!(!err.is_retryable());
    assert!(server.log().is_empty());
}

#[tokio::test]
async fn strict_mode_refuses_a_host_name_that_resolves_to_loopback_without_retrying() {
    let server = TestServer::start(Robots::NotFound).await;
    let request = FetchRequest::get(server.url("localhost", "/page"));
    let err = fetcher(config()).fetch(request).await.unwrap_err();
    let FetchError::Refused { reason, .. } = &err else {
        panic!("expected a refusal, got {err:?}");
    };
    assert_eq!(
        reason,
        "localhost resolves only to refused addresses (a loopback or private address)"
    );
    assert!(server.log().is_empty());
}

#[tokio::test]
async fn a_redirect_to_the_metadata_address_is_refused_even_when_private_is_allowed() {
    let server = TestServer::start(Robots::NotFound).await;
    let err = fetcher(config())
        .fetch(server.request("/to-metadata"))
        .await
        .unwrap_err();
    let target = Url::parse("http://169.254.169.254/latest/meta-data/").unwrap();
    assert_eq!(
        err,
        FetchError::Refused {
            url: target,
            reason: "the host is a link-local address".into()
        }
    );
    assert_eq!(server.hits("/to-metadata").len(), 1);
}

#[tokio::test]
async fn a_redirect_outside_the_allowed_hosts_is_refused() {
    let server = TestServer::start(Robots::NotFound).await;
    let request = FetchRequest {
        allowed_hosts: Some(vec!["127.0.0.1".into()]),
        ..server.request("/to-localhost")
    };
    let err = fetcher(config()).fetch(request).await.unwrap_err();
    assert!(
        matches!(&err, FetchError::Refused { reason, .. } if reason == "localhost is not among the allowed hosts"),
        "{err}"
    );
    assert!(server.log().iter().all(|s| s.host == "127.0.0.1"));
    assert!(server.hits("/page").is_empty());
}

#[tokio::test]
async fn one_host_never_sees_two_requests_at_once_and_starts_are_spaced() {
    let server = TestServer::start(Robots::NotFound).await;
    let min_delay = Duration::from_millis(80);
    let config = FetchConfig {
        min_delay_per_host: min_delay,
        ..config()
    };
    let fetcher = Arc::new(fetcher(config));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let fetcher = Arc::clone(&fetcher);
            let request = server.request("/slow");
            tokio::spawn(async move { fetcher.fetch(request).await })
        })
        .collect();
    for task in tasks {
        fetched(task.await.unwrap().unwrap());
    }
    let mut log = server.log();
    assert_eq!(log.len(), 11, "robots.txt and ten pages");
    log.sort_by_key(|s| s.start);
    for pair in log.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        assert!(after.start >= before.end.unwrap(), "two requests in flight");
        // The server sees each start a little after the fetcher makes it, by an amount that
        // varies with the machine's load, so one gap may look shorter than the delay; half of
        // it still tells spaced starts from back-to-back ones (20 ms apart here).
        let gap = after.start - before.start;
        assert!(gap >= min_delay / 2, "{gap:?}");
    }
    // Over the whole run that skew does not add up: ten gaps of at least the delay each,
    // less the skew of the first start.
    let span = log[10].start - log[0].start;
    assert!(span >= min_delay * 10 - min_delay / 2, "{span:?}");
}

#[tokio::test]
async fn different_host_names_are_fetched_in_parallel() {
    let server = TestServer::start(Robots::NotFound).await;
    let config = FetchConfig {
        min_delay_per_host: Duration::from_millis(100),
        ..config()
    };
    let fetcher = Arc::new(fetcher(config));
    let mut tasks = Vec::new();
    for host in ["127.0.0.1", "localhost"] {
        for _ in 0..4 {
            let fetcher = Arc::clone(&fetcher);
            let request = FetchRequest {
                allow_private: true,
                ..FetchRequest::get(server.url(host, "/slow"))
            };
            tasks.push(tokio::spawn(async move { fetcher.fetch(request).await }));
        }
    }
    for task in tasks {
        fetched(task.await.unwrap().unwrap());
    }
    // Each host's five requests (robots.txt included) are spread over 400 ms; in parallel the
    // two spreads overlap, in series one would end before the other began.
    let mut spans: HashMap<String, (Instant, Instant)> = HashMap::new();
    for seen in server.log() {
        let span = spans.entry(seen.host).or_insert((seen.start, seen.start));
        span.0 = span.0.min(seen.start);
        span.1 = span.1.max(seen.start);
    }
    assert_eq!(spans.len(), 2, "{spans:?}");
    let (a, b) = (spans["127.0.0.1"], spans["localhost"]);
    assert!(a.1 - a.0 >= Duration::from_millis(350), "{a:?}");
    assert!(
        a.0 < b.1 && b.0 < a.1,
        "the hosts were served one after the other"
    );
}
