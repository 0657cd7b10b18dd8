//! What one source costs per crawl, counted on the real code paths: the crawl use case
//! (`app::crawl::run_task`) and the ingest use case (`app::ingest::handle_message`) over the
//! DynamoDB store on moto_server (`AWS_ENDPOINT_URL`), with DynamoDB's units estimated from
//! the items' sizes by its billing rules (`DynamoStore::estimated_usage`, as `store_costs`
//! does), the messages the crawl sends counted and sized, and each side's wall time.
//!
//! The source is a Greenhouse board (the recorded jobs, renumbered) of `SIZE` postings served
//! on 127.0.0.1, crawled hourly for two simulated days with a job board's churn: each day a
//! twentieth of the postings is new, a twentieth is withdrawn and a fiftieth changes (spread
//! over the day's crawls by a fixed pseudo-random sequence). Crawl 1 (everything new) is
//! reported apart from the steady state (crawls 2 to 48). The scheduler's reading of every
//! source state is measured on `SOURCES` states.
//!
//! Run: `cargo run --release -p jobfeed-shared --features dynamodb --example crawl_costs --
//! SIZE` (with moto_server as `scripts/bench` starts it). Prints one JSON line;
//! `scripts/cost_model.py` turns lines of it into the monthly bill in `BENCHMARKS.md`.

use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{DateTime, TimeZone, Utc};
use jobfeed::app::crawl::{CrawlPorts, CrawlSettings, run_task};
use jobfeed::app::ingest::{IngestConfig, IngestPorts, handle_message};
use jobfeed::app::messages::{CrawlTask, IngestMessage};
use jobfeed::crawl::fetch::FetchConfig;
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::crawl::source::Limits;
use jobfeed::queue::memory::Collector;
use jobfeed::queue::sqs::SQS_MAX_MESSAGE_BYTES;
use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};
use jobfeed::store::{SourceState, SourceStateReader, SourceStateStore, UsageSnapshot};
use serde_json::{Value, json};

const RECORDED: &str = include_str!("../testdata/corpus/greenhouse/jobs_rsp.json");
/// Hourly crawls simulated.
const CRAWLS: u64 = 48;
/// Source states the scheduler's read is measured on.
const SOURCES: usize = 1000;
/// SQS bills each 64 KB chunk of a request's payload as one request.
const SQS_CHUNK: usize = 64 * 1024;

/// The board: the number of each posting on it, and its revision (a changed posting has a
/// new title).
#[derive(Default)]
struct Board {
    postings: Vec<(u64, u32)>,
    next: u64,
}

impl Board {
    fn json(&self) -> String {
        let recorded: Value = serde_json::from_str(RECORDED).unwrap_or_default();
        let jobs = recorded["jobs"].as_array().cloned().unwrap_or_default();
        let made: Vec<Value> = self
            .postings
            .iter()
            .map(|(n, revision)| {
                let mut job = jobs[*n as usize % jobs.len().max(1)].clone();
                let id = 9_000_000 + n;
                job["id"] = json!(id);
                job["absolute_url"] =
                    json!(format!("https://job-boards.greenhouse.io/acme/jobs/{id}"));
                let title = job["title"].as_str().unwrap_or("Engineer").to_owned();
                job["title"] = json!(format!("{title} #{n} (rev {revision})"));
                job
            })
            .collect();
        json!({ "jobs": made, "meta": { "total": made.len() } }).to_string()
    }
}

type Shared = Arc<Mutex<Board>>;

async fn board(State(board): State<Shared>) -> impl IntoResponse {
    let body = board.lock().map(|b| b.json()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body)
}

/// A fixed pseudo-random sequence (the churn must be the same on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One crawl's counters.
#[derive(Debug, Default, Clone)]
struct Crawl {
    crawler: UsageSnapshot,
    ingest: UsageSnapshot,
    messages: usize,
    message_bytes: usize,
    /// SQS requests to send them (batches of up to ten, each 64 KB chunk one request).
    send_requests: usize,
    crawler_ms: f64,
    ingest_ms: f64,
    /// CPU time of this process (user + system) during each side.
    crawler_cpu_ms: f64,
    ingest_cpu_ms: f64,
    sent: u32,
}

impl Crawl {
    fn json(runs: &[Crawl]) -> Value {
        let n = runs.len().max(1) as f64;
        let sum = |f: &dyn Fn(&Crawl) -> f64| runs.iter().map(f).sum::<f64>() / n;
        json!({
            "crawls": runs.len(),
            "crawler_read_units": sum(&|c| c.crawler.read_units),
            "crawler_write_units": sum(&|c| c.crawler.write_units),
            "crawler_requests": sum(&|c| c.crawler.requests as f64),
            "ingest_read_units": sum(&|c| c.ingest.read_units),
            "ingest_write_units": sum(&|c| c.ingest.write_units),
            "ingest_requests": sum(&|c| c.ingest.requests as f64),
            "messages": sum(&|c| c.messages as f64),
            "message_bytes": sum(&|c| c.message_bytes as f64),
            "send_requests": sum(&|c| c.send_requests as f64),
            "crawls_with_messages": runs.iter().filter(|c| c.messages > 0).count() as f64 / n,
            "crawler_ms": sum(&|c| c.crawler_ms),
            "ingest_ms": sum(&|c| c.ingest_ms),
            "crawler_cpu_ms": sum(&|c| c.crawler_cpu_ms),
            "ingest_cpu_ms": sum(&|c| c.ingest_cpu_ms),
            "postings_sent": sum(&|c| f64::from(c.sent)),
        })
    }
}

/// SQS requests to send `messages` in batches of ten: one per 64 KB chunk of each batch.
fn send_requests(messages: &[IngestMessage]) -> usize {
    messages
        .chunks(10)
        .map(|batch| {
            let bytes: usize = batch.iter().map(|m| m.to_json().len()).sum();
            bytes.div_ceil(SQS_CHUNK).max(1)
        })
        .sum()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let size: u64 = std::env::args()
        .nth(1)
        .ok_or("usage: crawl_costs SIZE")?
        .parse()?;
    if std::env::var_os("AWS_ENDPOINT_URL").is_none() {
        return Err("AWS_ENDPOINT_URL is not set (moto_server)".into());
    }
    let shared: Shared = Arc::new(Mutex::new(Board {
        postings: (0..size).map(|n| (n, 0)).collect(),
        next: size,
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/v1/boards/acme/jobs", get(board))
        .with_state(shared.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let config = jobfeed::config::parse(
        &format!(
            "[crawl]\nmin_delay_ms = 0\n\n[[source]]\nname = \"greenhouse:acme\"\n\
             kind = \"greenhouse\"\nurl = \"http://{addr}/v1/boards/acme/jobs?content=true\"\n\
             allow_private = true\n"
        ),
        "crawl_costs.toml",
    )?;
    let source = &config.sources[0];

    let client = client_from_env().await;
    let table = format!("jobfeed-crawl-costs-{}", std::process::id());
    create_table(&client, &table).await?;
    // One handle each, so each side's counters are its own.
    let crawler_store = DynamoStore::new(client.clone(), table.as_str());
    let ingest_store = DynamoStore::new(client.clone(), table.as_str());
    let fetcher = HttpFetcher::new(FetchConfig {
        min_delay_per_host: Duration::ZERO,
        ..FetchConfig::from(&config.crawl)
    })?;
    let settings = CrawlSettings {
        min_delay: Duration::ZERO,
        ..CrawlSettings::default()
    };
    let ingest_config = IngestConfig::default();
    let start = Utc
        .with_ymd_and_hms(2026, 11, 30, 0, 0, 0)
        .single()
        .ok_or("a date")?;
    let mut churn = Lcg(7);
    let mut runs = Vec::new();
    for hour in 0..CRAWLS {
        if hour > 0 {
            apply_churn(&shared, &mut churn);
        }
        let now: DateTime<Utc> = start + chrono::Duration::hours(hour as i64);
        let postings = Collector::default();
        let tasks = Collector::default();
        let ports = CrawlPorts {
            fetcher: &fetcher,
            postings: &postings,
            tasks: &tasks,
            states: &crawler_store,
            checkpoints: &crawler_store,
            index: &crawler_store,
        };
        let before = crawler_store.estimated_usage();
        let (clock, cpu) = (Instant::now(), cpu_ms());
        let task = CrawlTask::scheduled(source.name.clone(), now);
        let report = run_task(ports, &settings, source, &task, Limits::none(), now).await?;
        let crawler_ms = clock.elapsed().as_secs_f64() * 1000.0;
        let crawler_cpu_ms = cpu_ms() - cpu;
        let crawler = crawler_store.estimated_usage().since(&before);
        let messages = postings.take();
        let mut run = Crawl {
            crawler,
            messages: messages.len(),
            message_bytes: messages.iter().map(|m| m.to_json().len()).sum(),
            send_requests: send_requests(&messages),
            crawler_ms,
            crawler_cpu_ms,
            sent: report.crawl.postings_sent,
            ..Crawl::default()
        };
        assert!(
            run.message_bytes <= messages.len() * SQS_MAX_MESSAGE_BYTES,
            "messages fit SQS"
        );
        let before = ingest_store.estimated_usage();
        let (clock, cpu) = (Instant::now(), cpu_ms());
        for message in messages {
            let ports = IngestPorts {
                postings: &ingest_store,
                states: &ingest_store,
                counts: &ingest_store,
            };
            handle_message(ports, message, now, &ingest_config).await?;
        }
        run.ingest_ms = clock.elapsed().as_secs_f64() * 1000.0;
        run.ingest_cpu_ms = cpu_ms() - cpu;
        run.ingest = ingest_store.estimated_usage().since(&before);
        runs.push(run);
    }

    // The scheduler reads every source's state (and the ingest counts) each run.
    let state = crawler_store
        .source_state(&source.name)
        .await?
        .ok_or("no state after the crawls")?;
    for i in 0..SOURCES {
        let mut copy: SourceState = state.clone();
        copy.name = format!("greenhouse:company-{i:04}");
        crawler_store.put_source_state(&copy).await?;
    }
    let before = crawler_store.estimated_usage();
    let states = crawler_store.source_states().await?;
    let scheduler = crawler_store.estimated_usage().since(&before);

    let open = state.counts.open;
    client.delete_table().table_name(&table).send().await?;
    println!(
        "{}",
        json!({
            "size": size,
            "open_after": open,
            "first": Crawl::json(&runs[..1]),
            "steady": Crawl::json(&runs[1..]),
            "scheduler_states": states.len(),
            "scheduler_read_units_per_1000_sources": scheduler.read_units * 1000.0 / states.len() as f64,
        })
    );
    Ok(())
}

/// One hour of a day's churn: a twentieth of the postings new, a twentieth withdrawn and a
/// fiftieth changed each day, spread over 24 crawls.
fn apply_churn(shared: &Shared, churn: &mut Lcg) {
    let Ok(mut board) = shared.lock() else { return };
    let size = board.postings.len() as f64;
    let mut per_hour = |per_day: f64| {
        let expected = size * per_day / 24.0;
        // Whole postings: the fraction is one more with that probability.
        expected.floor() as usize + usize::from(churn.next() < expected.fract())
    };
    let (new, gone, changed) = (per_hour(0.05), per_hour(0.05), per_hour(0.02));
    for _ in 0..gone {
        if board.postings.is_empty() {
            break;
        }
        let last = board.postings.len() - 1;
        let at = (churn.next() * board.postings.len() as f64) as usize;
        board.postings.remove(at.min(last));
    }
    for _ in 0..changed {
        if board.postings.is_empty() {
            break;
        }
        let at = (churn.next() * board.postings.len() as f64) as usize;
        let index = at.min(board.postings.len() - 1);
        board.postings[index].1 += 1;
    }
    for _ in 0..new {
        let n = board.next;
        board.next += 1;
        board.postings.push((n, 0));
    }
}

/// CPU time (user + system) of this process so far, in milliseconds (Linux clock ticks of
/// 10 ms; averaged over 47 crawls).
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) * 10.0)
        })
        .unwrap_or(0.0)
}
