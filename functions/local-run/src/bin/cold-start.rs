//! `cold-start`: the cold-start and memory harness of `scripts/bench-lambda`. It plays the
//! Lambda Runtime API on 127.0.0.1, starts a release `bootstrap` binary as Lambda would (the
//! runtime's environment variables plus the function's own, AWS pointed at the moto_server
//! of `AWS_ENDPOINT_URL`), hands it one event and measures, per start:
//! - init: process spawn → its first `GET /runtime/invocation/next`;
//! - first invoke: that event handed over → its response (or error) posted;
//! - peak RSS: `VmHWM` of `/proc/<pid>/status`, read after the response and before the kill.
//!
//! The crawler fetches from a small HTTP server inside the harness (the sources come from
//! `SOURCES_TOML`, with `allow_private` so the fetcher accepts loopback). The events are the
//! repository's `events/*.json`; the large inputs of the memory table are generated here.
//!
//! The table and queues exist already (scripts/bench-lambda creates them on moto_server):
//! `TABLE_NAME`, `CRAWL_QUEUE_URL` and `POSTINGS_QUEUE_URL` name them. The two loopback HTTP
//! servers are a few lines over `httparse` on plain threads, so the harness builds from crates
//! the functions' release build already compiled.
//!
//! With `--continued-crawl` it measures one crawl that outlasts its invocations instead: a
//! 2,000-posting `html` site (listing pages and one posting page each) crawled with the
//! work-to-deadline ratio of production (`min_delay_ms = 100` and 30 s invocations with a
//! 2 s margin, as 1,000 ms and 300 s with 20 s would be), each invocation a fresh crawler
//! process (a cold start: its fetcher, robots.txt and politeness start empty), the next one
//! handed the continuation task the last one queued, until none is.
//!
//! Usage: `cold-start <dir with the binaries> [--starts N] [--rss-starts N] [--only a,b]
//! [--continued-crawl]`. Prints markdown tables on stdout; the functions' output goes to a
//! log file in the temporary directory (named on stderr).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};

/// How long a start may take to reach `GET /next`, and an invocation to answer.
const INIT_TIMEOUT: Duration = Duration::from_secs(60);
const INVOKE_TIMEOUT: Duration = Duration::from_secs(300);

/// Stands in an event for the time the harness hands it over.
const DUE_NOW: &str = "__DUE_NOW__";

/// The repository root (the events and the corpus live there).
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// What the runtime API saw, in order.
#[derive(Debug)]
enum Mark {
    Next(Instant),
    Response(Instant, Vec<u8>),
    Error(Instant, Vec<u8>),
    InitError(Vec<u8>),
}

/// One parsed request: method, path and body.
struct Request {
    method: String,
    path: String,
    body: Vec<u8>,
}

/// Reads the next request of a keep-alive connection; `None` when the peer closed it.
fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<Option<Request>> {
    let mut chunk = [0_u8; 16 * 1024];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        if let httparse::Status::Complete(head) = request.parse(buffer)? {
            let length = request
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| {
                    std::str::from_utf8(h.value)
                        .ok()?
                        .trim()
                        .parse::<usize>()
                        .ok()
                })
                .unwrap_or(0);
            let method = request.method.unwrap_or_default().to_owned();
            let path = request.path.unwrap_or_default().to_owned();
            while buffer.len() < head + length {
                let read = stream.read(&mut chunk)?;
                if read == 0 {
                    bail!("connection closed inside a request body");
                }
                buffer.extend_from_slice(chunk.get(..read).unwrap_or_default());
            }
            let body = buffer.get(head..head + length).unwrap_or_default().to_vec();
            buffer.drain(..head + length);
            return Ok(Some(Request { method, path, body }));
        }
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(chunk.get(..read).unwrap_or_default());
    }
}

/// Writes one response with a `Content-Length`.
fn write_response(
    stream: &mut TcpStream,
    status: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Result<()> {
    let mut head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    Ok(())
}

/// Serves every connection of `listener` on its own thread with `handle`, which answers
/// a request or returns `None` to hold the connection until the peer closes it.
fn serve<H>(listener: TcpListener, handle: H)
where
    H: Fn(&Request, &mut TcpStream) -> Result<bool> + Send + Sync + 'static,
{
    let handle = Arc::new(handle);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let handle = handle.clone();
            std::thread::spawn(move || {
                let _ = stream.set_nodelay(true);
                let mut buffer = Vec::new();
                while let Ok(Some(request)) = read_request(&mut stream, &mut buffer) {
                    match handle(&request, &mut stream) {
                        Ok(true) => {}
                        // Held: wait for the peer (a killed function) to go away.
                        Ok(false) => {
                            let mut sink = [0_u8; 1024];
                            while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
                            return;
                        }
                        Err(_) => return,
                    }
                }
            });
        }
    });
}

/// The runtime API's state: the event waiting for the next `GET /next` (with the time its
/// invocation gets), and where marks go.
struct Runtime {
    event: Mutex<Option<Vec<u8>>>,
    timeout: Mutex<Duration>,
    function_arn: Mutex<String>,
    marks: Mutex<Sender<Mark>>,
    request_ids: AtomicU64,
}

impl Runtime {
    fn mark(&self, mark: Mark) {
        let _ = self
            .marks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(mark);
    }

    /// Answers one runtime API request; `Ok(false)` holds a `GET /next` that has no event,
    /// as Lambda keeps a frozen instance waiting.
    fn handle(&self, request: &Request, stream: &mut TcpStream) -> Result<bool> {
        let now = Instant::now();
        let path = request.path.as_str();
        if request.method == "GET" && path == "/2018-06-01/runtime/invocation/next" {
            self.mark(Mark::Next(now));
            let event = self
                .event
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            let Some(event) = event else {
                return Ok(false);
            };
            let id = self.request_ids.fetch_add(1, Ordering::Relaxed);
            let timeout = *self.timeout.lock().unwrap_or_else(PoisonError::into_inner);
            let deadline = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis())
                + timeout.as_millis();
            let arn = self
                .function_arn
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            let headers = [
                ("content-type", "application/json".to_owned()),
                (
                    "lambda-runtime-aws-request-id",
                    format!("00000000-0000-4000-8000-{id:012}"),
                ),
                ("lambda-runtime-deadline-ms", deadline.to_string()),
                ("lambda-runtime-invoked-function-arn", arn),
                (
                    "lambda-runtime-trace-id",
                    format!("Root=1-00000000-{id:024};Parent=0000000000000001;Sampled=0"),
                ),
            ];
            write_response(stream, "200 OK", &headers, &event)?;
            return Ok(true);
        }
        let body = request.body.clone();
        if request.method == "POST" && path == "/2018-06-01/runtime/init/error" {
            self.mark(Mark::InitError(body));
        } else if request.method == "POST" && path.ends_with("/response") {
            self.mark(Mark::Response(now, body));
        } else if request.method == "POST" && path.ends_with("/error") {
            self.mark(Mark::Error(now, body));
        } else {
            write_response(stream, "404 Not Found", &[], b"")?;
            return Ok(true);
        }
        write_response(stream, "202 Accepted", &[], b"")?;
        Ok(true)
    }
}

/// One function to start: its binary, its environment, its event and the time its
/// invocation gets (the deadline handed with the event).
struct Case {
    /// Row label (function, or function and input).
    label: String,
    binary: PathBuf,
    env: Vec<(String, String)>,
    event: Vec<u8>,
    timeout: Duration,
}

/// What one start measured.
struct Sample {
    init: Duration,
    invoke: Duration,
    peak_kib: u64,
    answer: String,
    /// Bytes the function wrote to its log (stdout and stderr) in this start.
    log_bytes: u64,
}

/// The runtime API server and the receiving end of its marks.
struct Harness {
    runtime: Arc<Runtime>,
    marks: Receiver<Mark>,
    address: SocketAddr,
    log: File,
}

impl Harness {
    fn start(log: File) -> Result<Self> {
        let (sender, marks) = channel();
        let runtime = Arc::new(Runtime {
            event: Mutex::new(None),
            timeout: Mutex::new(INVOKE_TIMEOUT),
            function_arn: Mutex::new(String::new()),
            marks: Mutex::new(sender),
            request_ids: AtomicU64::new(1),
        });
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let server = runtime.clone();
        serve(listener, move |request, stream| {
            server.handle(request, stream)
        });
        Ok(Self {
            runtime,
            marks,
            address,
            log,
        })
    }

    /// Starts `case` once and measures it; the process is killed before returning.
    fn run(&mut self, case: &Case) -> Result<Sample> {
        let log_before = self.log.metadata()?.len();
        // A killed predecessor's last `GET /next` may still be on its way through the server:
        // let it land, then forget it, before the next event is offered.
        std::thread::sleep(Duration::from_millis(20));
        while self.marks.try_recv().is_ok() {}
        // A crawl task is due now at every start: one due before the source's last crawl
        // started would be dropped as a duplicate (`app::crawl`).
        let event = String::from_utf8_lossy(&case.event)
            .replace(DUE_NOW, &chrono::Utc::now().to_rfc3339())
            .into_bytes();
        *self
            .runtime
            .event
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(event);
        *self
            .runtime
            .timeout
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = case.timeout;
        let name = case.label.split(' ').next().unwrap_or("function");
        *self
            .runtime
            .function_arn
            .lock()
            .unwrap_or_else(PoisonError::into_inner) =
            format!("arn:aws:lambda:us-east-1:123456789012:function:jobfeed-{name}");
        let mut command = Command::new(&case.binary);
        command
            .env_clear()
            .envs(passed_through())
            .envs(lambda_environment(name, self.address))
            .envs(case.env.iter().cloned())
            .stdin(Stdio::null())
            .stdout(self.log.try_clone()?)
            .stderr(self.log.try_clone()?);
        let spawned = Instant::now();
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", case.binary.display()))?;
        let mut child = KillOnDrop(child);
        let measured = self.measure(spawned, &mut child.0);
        let peak_kib = peak_rss_kib(child.0.id());
        drop(child);
        let (init, invoke, answer) = measured?;
        Ok(Sample {
            init,
            invoke,
            peak_kib: peak_kib?,
            answer,
            log_bytes: self.log.metadata()?.len().saturating_sub(log_before),
        })
    }

    fn measure(
        &mut self,
        spawned: Instant,
        child: &mut Child,
    ) -> Result<(Duration, Duration, String)> {
        let first_next = match self.mark(INIT_TIMEOUT, child)? {
            Mark::Next(at) => at,
            Mark::InitError(body) => bail!("init error: {}", String::from_utf8_lossy(&body)),
            other => bail!("unexpected {other:?} before the first GET /next"),
        };
        let (done, answer) = loop {
            match self.mark(INVOKE_TIMEOUT, child)? {
                Mark::Response(at, body) => break (at, summary(&body)),
                Mark::Error(at, body) => break (at, format!("error: {}", summary(&body))),
                // A late `GET /next` of the previous process: not this one's.
                Mark::Next(_) => {}
                Mark::InitError(body) => {
                    bail!("init error: {}", String::from_utf8_lossy(&body))
                }
            }
        };
        Ok((
            first_next.duration_since(spawned),
            done.duration_since(first_next),
            answer,
        ))
    }

    /// The next mark, failing when the process exits or `timeout` passes first.
    fn mark(&mut self, timeout: Duration, child: &mut Child) -> Result<Mark> {
        let started = Instant::now();
        loop {
            match self.marks.recv_timeout(Duration::from_millis(50)) {
                Ok(mark) => return Ok(mark),
                Err(RecvTimeoutError::Disconnected) => bail!("the runtime API stopped"),
                Err(RecvTimeoutError::Timeout) => {
                    if let Some(status) = child.try_wait()? {
                        bail!("the function exited ({status}) before answering");
                    }
                    if started.elapsed() > timeout {
                        bail!("no answer within {timeout:?}");
                    }
                }
            }
        }
    }
}

/// Kills the function however the measurement ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The harness's own variables the functions need: the path and the AWS settings (moto's
/// endpoint, test credentials, region).
fn passed_through() -> Vec<(String, String)> {
    std::env::vars()
        .filter(|(name, _)| name == "PATH" || name.starts_with("AWS_"))
        .collect()
}

/// The variables Lambda sets in every function (`lambda_runtime` reads them during init).
fn lambda_environment(name: &str, api: SocketAddr) -> Vec<(String, String)> {
    [
        ("AWS_LAMBDA_RUNTIME_API", api.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", format!("jobfeed-{name}")),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".to_owned()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/jobfeed-{name}"),
        ),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2026/11/28/[$LATEST]bench".to_owned(),
        ),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_owned()),
        ("LAMBDA_TASK_ROOT", "/var/task".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// `VmHWM` (peak resident set) of a live process, in KiB.
fn peak_rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow!("no VmHWM in /proc/{pid}/status"))
}

/// The first 160 characters of a response, for the log line of each case.
fn summary(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(160).collect()
}

/// The value at `q` (0..=1) of sorted `values`, nearest rank.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted.get(rank - 1).copied().unwrap_or(f64::NAN)
}

fn millis(samples: &[Sample], pick: fn(&Sample) -> Duration) -> Vec<f64> {
    let mut values: Vec<f64> = samples
        .iter()
        .map(|s| pick(s).as_secs_f64() * 1000.0)
        .collect();
    values.sort_by(f64::total_cmp);
    values
}

/// Reads `events/<name>` of the repository.
fn event(name: &str) -> Result<String> {
    let path = Path::new(ROOT).join("events").join(name);
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

/// The postings the local source server answers with.
struct Pages {
    /// A Greenhouse board (`?content=true`) of the corpus's seven jobs with descriptions.
    small_board: Vec<u8>,
    /// A Greenhouse board of 1,000 jobs with descriptions.
    large_board: Vec<u8>,
    /// A 10 MB HTML page with one JSON-LD JobPosting.
    large_page: Vec<u8>,
}

impl Pages {
    fn generate() -> Result<Self> {
        let corpus = Path::new(ROOT).join("shared/testdata/corpus/greenhouse");
        let board: Value =
            serde_json::from_str(&std::fs::read_to_string(corpus.join("jobs_rsp.json"))?)?;
        let detail: Value = serde_json::from_str(&std::fs::read_to_string(
            corpus.join("job_detail_rsp.json"),
        )?)?;
        let content = detail.get("content").cloned().unwrap_or(Value::Null);
        let jobs = board
            .get("jobs")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let with_content = |job: &Value| {
            let mut job = job.clone();
            if let Some(fields) = job.as_object_mut() {
                fields.insert("content".into(), content.clone());
            }
            job
        };
        let small: Vec<Value> = jobs.iter().map(with_content).collect();
        let template = small
            .first()
            .cloned()
            .ok_or_else(|| anyhow!("no jobs in the Greenhouse corpus board"))?;
        // Descriptions of ~5 KB keep 1,000 jobs under the fetcher's 10 MiB body limit.
        let short: String = content
            .as_str()
            .unwrap_or_default()
            .chars()
            .take(5_000)
            .collect();
        let large: Vec<Value> = (0..1_000_u64)
            .map(|i| {
                let mut job = template.clone();
                if let Some(fields) = job.as_object_mut() {
                    fields.insert("id".into(), json!(7_000_000_000 + i));
                    fields.insert("title".into(), json!(format!("Backend Engineer {i}")));
                    fields.insert(
                        "absolute_url".into(),
                        json!(format!("https://job-boards.greenhouse.io/bench/jobs/{i}")),
                    );
                    fields.insert("content".into(), json!(short));
                }
                job
            })
            .collect();
        Ok(Self {
            small_board: serde_json::to_vec(
                &json!({ "jobs": small, "meta": { "total": small.len() } }),
            )?,
            large_board: serde_json::to_vec(&json!({ "jobs": large, "meta": { "total": 1_000 } }))?,
            large_page: large_page(10_000_000).into_bytes(),
        })
    }
}

/// An HTML page of `bytes` bytes: one JSON-LD JobPosting with a 100 KB description, then
/// ordinary markup up to the size.
fn large_page(bytes: usize) -> String {
    let description = "<p>Build and run the services behind our job feed.</p>".repeat(1_900);
    let posting = json!({
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": "Senior Backend Engineer",
        "description": description,
        "datePosted": "2026-11-20",
        "hiringOrganization": { "@type": "Organization", "name": "Bench Corp" },
        "jobLocation": { "@type": "Place", "address": { "@type": "PostalAddress", "addressLocality": "Berlin", "addressCountry": "DE" } },
        "employmentType": "FULL_TIME",
    });
    let mut page = format!(
        "<!doctype html><html><head><title>Senior Backend Engineer</title>\
         <script type=\"application/ld+json\">{posting}</script></head><body>"
    );
    let filler = "<div class=\"section\"><h2>About the role</h2><p>We are looking for an \
                  engineer who enjoys <a href=\"/about\">distributed systems</a>.</p></div>\n";
    while page.len() + filler.len() + 14 < bytes {
        page.push_str(filler);
    }
    page.push_str("</body></html>");
    page
}

/// Serves `pages` on 127.0.0.1 (anything else, robots.txt included, is a 404: everything
/// allowed).
fn source_server(pages: Pages) -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    serve(listener, move |request, stream| {
        let path = request.path.split('?').next().unwrap_or_default();
        let (body, content_type) = match path {
            "/v1/boards/gitlab/jobs" => (&pages.small_board, "application/json"),
            "/v1/boards/bench/jobs" => (&pages.large_board, "application/json"),
            "/jobs/senior-backend-engineer" => (&pages.large_page, "text/html; charset=utf-8"),
            _ => {
                write_response(stream, "404 Not Found", &[], b"")?;
                return Ok(true);
            }
        };
        write_response(
            stream,
            "200 OK",
            &[("content-type", content_type.to_owned())],
            body,
        )?;
        Ok(true)
    });
    Ok(address)
}

/// The crawler's and scheduler's sources: the local server's boards and page.
fn sources_toml(server: SocketAddr) -> String {
    format!(
        r#"[crawl]
user_agent = "jobfeed-bench/0.1 (cold-start harness)"
min_delay_ms = 0

[[source]]
name = "gitlab"
kind = "greenhouse"
url = "http://{server}/v1/boards/gitlab/jobs?content=true"
company = "GitLab"
allow_private = true

[[source]]
name = "bench-board"
kind = "greenhouse"
url = "http://{server}/v1/boards/bench/jobs?content=true"
company = "Bench Corp"
allow_private = true

[[source]]
name = "bench-page"
kind = "jsonld"
url = "http://{server}/jobs/senior-backend-engineer"
allow_private = true
"#
    )
}

/// The crawl task of `events/crawler-crawl-task.json`, for `source`, due when it is handed
/// over.
fn crawl_task(source: &str) -> Result<String> {
    let mut task: Value = serde_json::from_str(&event("crawler-crawl-task.json")?)?;
    let body = json!({ "source": source, "due_at": DUE_NOW }).to_string();
    if let Some(record) = task.pointer_mut("/Records/0/body") {
        *record = Value::String(body);
    }
    Ok(task.to_string())
}

/// An SQS batch of ten messages as the crawler sends them (`extracted`), one posting each,
/// with a 100 KB HTML description: a Greenhouse board of ten such jobs read by the crawler's
/// own extraction (`jobfeed::parse::extract_document`), so each posting carries the id the
/// ingest function checks. The envelope of each record is the one of
/// `events/ingest-postings-batch.json`.
fn large_ingest_batch() -> Result<String> {
    let batch: Value = serde_json::from_str(&event("ingest-postings-batch.json")?)?;
    let record = batch
        .pointer("/Records/0")
        .cloned()
        .ok_or_else(|| anyhow!("no record in the ingest event"))?;
    let message: Value = serde_json::from_str(
        record
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or_default(),
    )?;
    let source = message
        .get("source")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("no source in the ingest event's message"))?;
    let paragraph = "<p>You will design, build and operate the services that collect, normalize \
                     and serve job postings; we value clear code and careful measurement.</p>\n";
    let html = paragraph.repeat(100_000 / paragraph.len() + 1);
    let jobs: Vec<Value> = (0..10)
        .map(|i| {
            json!({
                "id": 8_000_000_000_u64 + i,
                "title": format!("Backend Engineer {i}"),
                "absolute_url": format!("https://job-boards.greenhouse.io/bench/jobs/{i}"),
                "location": { "name": "Berlin, Germany" },
                "updated_at": "2026-11-27T09:00:00Z",
                "company_name": "Bench",
                // Greenhouse's `content` is escaped HTML.
                "content": html_escape::encode_text(&html),
            })
        })
        .collect();
    let board = serde_json::to_vec(&json!({ "jobs": jobs, "meta": { "total": 10 } }))?;
    let url =
        url::Url::parse("https://boards-api.greenhouse.io/v1/boards/bench/jobs?content=true")?;
    let extracted = jobfeed::parse::extract_document(
        &board,
        &jobfeed::parse::ParseOptions {
            kind: jobfeed::extract::ExtractKind::Auto,
            url: Some(&url),
            source: Some(source),
            company_override: None,
            fetched_at: chrono::DateTime::parse_from_rfc3339("2026-11-28T06:00:00Z")?.to_utc(),
            max_bytes: jobfeed::parse::DEFAULT_MAX_DOCUMENT_BYTES,
        },
    )?;
    if extracted.postings.len() != 10 {
        bail!(
            "the generated board gave {} postings, not 10",
            extracted.postings.len()
        );
    }
    let records: Vec<Value> = extracted
        .postings
        .into_iter()
        .enumerate()
        .map(|(i, posting)| {
            let body = json!({ "type": "extracted", "source": source, "postings": [posting] });
            let mut record = record.clone();
            if let Some(fields) = record.as_object_mut() {
                fields.insert("messageId".into(), json!(format!("bench-message-{i}")));
                fields.insert("body".into(), json!(body.to_string()));
            }
            record
        })
        .collect();
    Ok(json!({ "Records": records }).to_string())
}

/// The table and queues on moto_server (made by scripts/bench-lambda).
struct Stack {
    table: String,
    crawl_queue: String,
    postings_queue: String,
}

fn stack() -> Result<Stack> {
    let variable = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set"));
    Ok(Stack {
        table: variable("TABLE_NAME")?,
        crawl_queue: variable("CRAWL_QUEUE_URL")?,
        postings_queue: variable("POSTINGS_QUEUE_URL")?,
    })
}

/// Command-line options.
struct Options {
    binaries: PathBuf,
    starts: usize,
    rss_starts: usize,
    only: Option<Vec<String>>,
    continued_crawl: bool,
}

fn options() -> Result<Options> {
    let mut args = std::env::args().skip(1);
    let mut options = Options {
        binaries: PathBuf::new(),
        starts: 20,
        rss_starts: 3,
        only: None,
        continued_crawl: false,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--starts" => options.starts = value()?.parse()?,
            "--rss-starts" => options.rss_starts = value()?.parse()?,
            "--only" => options.only = Some(value()?.split(',').map(str::to_owned).collect()),
            "--continued-crawl" => options.continued_crawl = true,
            _ if arg.starts_with("--") => bail!("unknown option {arg}"),
            _ => options.binaries = PathBuf::from(arg),
        }
    }
    if options.binaries.as_os_str().is_empty() {
        bail!(
            "usage: cold-start <dir with the binaries> [--starts N] [--rss-starts N] [--only a,b] \
             [--continued-crawl]"
        );
    }
    Ok(options)
}

fn main() -> Result<()> {
    let options = options()?;
    if std::env::var_os("AWS_ENDPOINT_URL").is_none() {
        bail!("AWS_ENDPOINT_URL is not set: start moto_server and point the AWS SDK at it");
    }
    let stack = stack()?;
    let server = source_server(Pages::generate()?)?;
    let sources = sources_toml(server);
    let log_path = std::env::temp_dir().join(format!("cold-start-{}.log", std::process::id()));
    eprintln!("functions' output: {}", log_path.display());
    let mut harness = Harness::start(File::create(&log_path)?)?;

    let table = ("TABLE_NAME".to_owned(), stack.table.clone());
    let binary = |name: &str| options.binaries.join(name);
    let case = |label: &str, bin: &str, env: Vec<(&str, &str)>, event: String| Case {
        label: label.to_owned(),
        binary: binary(bin),
        env: env
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .chain((bin != "hello-world").then(|| table.clone()))
            .collect(),
        event: event.into(),
        timeout: INVOKE_TIMEOUT,
    };
    if options.continued_crawl {
        print!(
            "{}",
            continued_crawl(&mut harness, &binary("crawler"), &stack, &table)?
        );
        return Ok(());
    }
    let cold = [
        case(
            "hello-world",
            "hello-world",
            vec![],
            event("scheduler-scheduled.json")?,
        ),
        case(
            "scheduler",
            "scheduler",
            vec![("CRAWL_QUEUE_URL", &stack.crawl_queue)],
            event("scheduler-scheduled.json")?,
        ),
        case(
            "crawler",
            "crawler",
            vec![
                ("POSTINGS_QUEUE_URL", &stack.postings_queue),
                ("CRAWL_QUEUE_URL", &stack.crawl_queue),
                ("SOURCES_TOML", &sources),
            ],
            crawl_task("gitlab")?,
        ),
        case(
            "ingest",
            "ingest",
            vec![("RETENTION_DAYS", "30")],
            event("ingest-postings-batch.json")?,
        ),
        case("api", "api", vec![], event("api-jobs.json")?),
    ];
    let large = [
        case(
            "ingest (10 × 100 KB descriptions)",
            "ingest",
            vec![("RETENTION_DAYS", "30")],
            large_ingest_batch()?,
        ),
        case(
            "crawler (10 MB page)",
            "crawler",
            vec![
                ("POSTINGS_QUEUE_URL", &stack.postings_queue),
                ("CRAWL_QUEUE_URL", &stack.crawl_queue),
                ("SOURCES_TOML", &sources),
            ],
            crawl_task("bench-page")?,
        ),
        case(
            "crawler (1,000-posting API response)",
            "crawler",
            vec![
                ("POSTINGS_QUEUE_URL", &stack.postings_queue),
                ("CRAWL_QUEUE_URL", &stack.crawl_queue),
                ("SOURCES_TOML", &sources),
            ],
            crawl_task("bench-board")?,
        ),
    ];
    let wanted = |case: &Case| {
        options.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|o| case.label.split(' ').next() == Some(o.as_str()))
        })
    };

    let mut results: BTreeMap<usize, (String, Vec<Sample>)> = BTreeMap::new();
    for (i, case) in cold.iter().enumerate().filter(|(_, c)| wanted(c)) {
        let samples = run_case(&mut harness, case, options.starts)?;
        results.insert(i, (case.label.clone(), samples));
    }
    let baseline = results
        .get(&0)
        .map(|(_, samples)| quantile(&millis(samples, |s| s.init), 0.5));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| function | init median (ms) | init p90 (ms) | init vs hello-world | first invoke median (ms) | first invoke p90 (ms) | peak RSS median (MiB) | log bytes per start |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    );
    for (label, samples) in results.values() {
        let init = millis(samples, |s| s.init);
        let invoke = millis(samples, |s| s.invoke);
        let mut rss: Vec<f64> = samples.iter().map(|s| s.peak_kib as f64 / 1024.0).collect();
        rss.sort_by(f64::total_cmp);
        let ratio = baseline.map_or("–".to_owned(), |b| {
            format!("{:.1}×", quantile(&init, 0.5) / b)
        });
        let mut logs: Vec<f64> = samples.iter().map(|s| s.log_bytes as f64).collect();
        logs.sort_by(f64::total_cmp);
        let _ = writeln!(
            out,
            "| {label} | {:.1} | {:.1} | {ratio} | {:.1} | {:.1} | {:.1} | {:.0} |",
            quantile(&init, 0.5),
            quantile(&init, 0.9),
            quantile(&invoke, 0.5),
            quantile(&invoke, 0.9),
            quantile(&rss, 0.5),
            quantile(&logs, 0.5),
        );
    }
    let large: Vec<&Case> = large.iter().filter(|c| wanted(c)).collect();
    if !large.is_empty() {
        let _ = writeln!(
            out,
            "\n| function and input | starts | peak RSS max (MiB) | headroom in 128 MB | invoke median (ms) | answer |\n|---|---:|---:|---:|---:|---|"
        );
        for case in large {
            let samples = run_case(&mut harness, case, options.rss_starts)?;
            let peak = samples.iter().map(|s| s.peak_kib).max().unwrap_or(0) as f64 / 1024.0;
            let answer = samples
                .first()
                .map(|s| s.answer.replace('|', "\\|"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {peak:.1} | {:.1}× | {:.0} | `{answer}` |",
                case.label,
                samples.len(),
                128.0 / peak,
                quantile(&millis(&samples, |s| s.invoke), 0.5),
            );
        }
    }
    print!("{out}");
    Ok(())
}

/// `starts` measured starts of `case` (after one unmeasured warm-up start, so the page cache
/// holds the binary as it would on a warm Lambda host).
fn run_case(harness: &mut Harness, case: &Case, starts: usize) -> Result<Vec<Sample>> {
    harness
        .run(case)
        .with_context(|| format!("{}: warm-up start", case.label))?;
    let mut samples = Vec::with_capacity(starts);
    for i in 0..starts {
        let sample = harness
            .run(case)
            .with_context(|| format!("{}: start {}", case.label, i + 1))?;
        samples.push(sample);
    }
    if let Some(last) = samples.last() {
        eprintln!(
            "{}: {} starts, last answer {}",
            case.label,
            samples.len(),
            last.answer
        );
    }
    Ok(samples)
}

/// Postings of the site of `--continued-crawl`, and links per listing page.
const SITE_POSTINGS: usize = 2_000;
const SITE_PER_PAGE: usize = 100;

/// Serves the `--continued-crawl` site on 127.0.0.1: `/list/{n}` (links to posting pages,
/// with a next link) and `/jobs/{i}` (a JSON-LD JobPosting); robots.txt is a 404.
fn site_server() -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    serve(listener, move |request, stream| {
        let path = request.path.split('?').next().unwrap_or_default();
        let number = |prefix: &str| path.strip_prefix(prefix)?.parse::<usize>().ok();
        let body = if let Some(page) = number("/list/") {
            let first = (page.max(1) - 1) * SITE_PER_PAGE;
            let mut body = String::from("<html><body><ul>");
            for i in first..(first + SITE_PER_PAGE).min(SITE_POSTINGS) {
                let _ = write!(
                    body,
                    "<li><a class=\"job\" href=\"/jobs/{i}\">Backend Engineer {i}</a></li>"
                );
            }
            body.push_str("</ul>");
            if first + SITE_PER_PAGE < SITE_POSTINGS {
                let _ = write!(
                    body,
                    "<a class=\"next\" href=\"/list/{}\">Next</a>",
                    page + 1
                );
            }
            body + "</body></html>"
        } else if let Some(i) = number("/jobs/").filter(|i| *i < SITE_POSTINGS) {
            let posting = json!({
                "@context": "https://schema.org",
                "@type": "JobPosting",
                "identifier": { "@type": "PropertyValue", "name": "Bench", "value": i.to_string() },
                "title": format!("Backend Engineer {i}"),
                "description": "<p>Build and run the services behind our job feed.</p>".repeat(30),
                "datePosted": "2026-11-20",
                "hiringOrganization": { "@type": "Organization", "name": "Bench Corp" },
                "jobLocation": { "@type": "Place", "address": { "@type": "PostalAddress",
                    "addressLocality": "Berlin", "addressCountry": "DE" } },
            });
            format!(
                "<!doctype html><html><head><script type=\"application/ld+json\">{posting}\
                 </script></head><body><h1>Backend Engineer {i}</h1></body></html>"
            )
        } else {
            write_response(stream, "404 Not Found", &[], b"")?;
            return Ok(true);
        };
        write_response(
            stream,
            "200 OK",
            &[("content-type", "text/html; charset=utf-8".to_owned())],
            body.as_bytes(),
        )?;
        Ok(true)
    });
    Ok(address)
}

/// The SQS event of one crawl task body, in the envelope of `events/crawler-crawl-task.json`.
fn task_event(body: &str) -> Result<String> {
    let mut task: Value = serde_json::from_str(&event("crawler-crawl-task.json")?)?;
    if let Some(record) = task.pointer_mut("/Records/0/body") {
        *record = Value::String(body.to_owned());
    }
    Ok(task.to_string())
}

/// Every message body on `queue_url`, taken off it.
async fn drain(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Result<Vec<String>> {
    let mut bodies = Vec::new();
    loop {
        let out = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .send()
            .await?;
        let messages = out.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(bodies);
        }
        for message in messages {
            bodies.extend(message.body);
            if let Some(handle) = message.receipt_handle {
                sqs.delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await?;
            }
        }
    }
}

/// `--continued-crawl`: one crawl of the 2,000-posting site over as many crawler
/// invocations as it takes; a markdown table of what it took.
fn continued_crawl(
    harness: &mut Harness,
    crawler: &Path,
    stack: &Stack,
    table: &(String, String),
) -> Result<String> {
    let site = site_server()?;
    let sources = format!(
        "[crawl]\nuser_agent = \"jobfeed-bench/0.1 (cold-start harness)\"\nmin_delay_ms = 100\n\
         max_pages = 100\n\n[[source]]\nname = \"bench-site\"\nkind = \"html\"\n\
         url = \"http://{site}/list/1\"\nallow_private = true\n\n[source.listing]\n\
         links = \"a.job\"\nnext = \"a.next\"\nmax_posting_pages = 10000\n"
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let aws = jobfeed_fn::aws_config()?;
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let store = jobfeed::store::dynamodb::DynamoStore::new(dynamo, table.1.as_str());
    let mut body = json!({ "source": "bench-site", "due_at": "2026-11-28T06:00:00Z" }).to_string();
    let started = Instant::now();
    let mut samples: Vec<Sample> = Vec::new();
    let mut postings = std::collections::BTreeSet::new();
    let mut messages = 0;
    loop {
        let case = Case {
            label: "crawler".to_owned(),
            binary: crawler.to_path_buf(),
            env: [
                ("POSTINGS_QUEUE_URL", stack.postings_queue.as_str()),
                ("CRAWL_QUEUE_URL", stack.crawl_queue.as_str()),
                ("SOURCES_TOML", sources.as_str()),
                ("DEADLINE_MARGIN_SECS", "2"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .chain([table.clone()])
            .collect(),
            event: task_event(&body)?.into_bytes(),
            timeout: Duration::from_secs(30),
        };
        let sample = harness
            .run(&case)
            .with_context(|| format!("invocation {}", samples.len() + 1))?;
        eprintln!(
            "invocation {}: {:.1} s, peak {:.1} MiB",
            samples.len() + 1,
            sample.invoke.as_secs_f64(),
            sample.peak_kib as f64 / 1024.0
        );
        samples.push(sample);
        for message in runtime.block_on(drain(&sqs, &stack.postings_queue))? {
            messages += 1;
            let message: Value = serde_json::from_str(&message)?;
            for posting in message["postings"].as_array().into_iter().flatten() {
                postings.insert(posting["id"].as_str().unwrap_or_default().to_owned());
            }
        }
        let next = runtime.block_on(drain(&sqs, &stack.crawl_queue))?;
        match next.as_slice() {
            [] => break,
            [continuation] => body = continuation.clone(),
            more => bail!("{} continuation tasks at once", more.len()),
        }
        if samples.len() > 40 {
            bail!("the crawl did not end in 40 invocations");
        }
    }
    let total = started.elapsed();
    let state = runtime
        .block_on(jobfeed::store::SourceStateStore::source_state(
            &store,
            "bench-site",
        ))?
        .ok_or_else(|| anyhow!("no state for bench-site"))?;
    let working: Duration = samples.iter().map(|s| s.invoke).sum();
    let peak = samples.iter().map(|s| s.peak_kib).max().unwrap_or(0) as f64 / 1024.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| postings | min delay | invocation | invocations | total s | invoked s | peak RSS max (MiB) | log bytes per invocation | messages | postings sent (distinct) | outcome | open | running after |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|"
    );
    let _ = writeln!(
        out,
        "| {SITE_POSTINGS} | 100 ms | 30 s (2 s margin) | {} | {:.1} | {:.1} | {peak:.1} | {:.0} | {messages} | {} | {} | {} | {} |",
        samples.len(),
        total.as_secs_f64(),
        working.as_secs_f64(),
        samples.iter().map(|s| s.log_bytes).sum::<u64>() as f64 / samples.len().max(1) as f64,
        postings.len(),
        state
            .outcome
            .map_or_else(|| "none".to_owned(), |o| format!("{o:?}").to_lowercase()),
        state.counts.open,
        if state.running.is_some() { "yes" } else { "no" },
    );
    Ok(out)
}
