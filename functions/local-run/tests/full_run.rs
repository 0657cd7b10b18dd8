//! The proof that the serverless path works: the stack's queues (from `template.yaml`) and
//! table (from `store::dynamodb::schema`, which the template must match) on moto_server, the
//! sources on a local server playing their boards with the recorded responses, and the four
//! handlers driven the way Lambda drives them: `scheduler` on a scheduled event → the crawl
//! queue drained through `crawler` (each invocation limited to two requests, so the paged
//! Lever board's crawl goes on in a continuation task, as a large source's does before
//! Lambda's deadline) → the postings queue drained through `ingest` → `api` on HTTP API
//! events.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use http_body_util::BodyExt;
use jobfeed::JobPosting;
use jobfeed::api::ApiConfig;
use jobfeed::app::crawl::CrawlSettings;
use jobfeed::app::ingest::IngestConfig;
use jobfeed::app::messages::{CrawlTask, IngestMessage};
use jobfeed::app::schedule::host_group;
use jobfeed::config::{self, Config};
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::crawl::source::Limits;
use jobfeed::queue::sqs::SqsQueue;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed::store::{PostingReader, SourceStateStore};
use jobfeed_fn::testing::{Queues, create_queues, depth, events, fresh_table, moto, poll, settle};
use serde_json::{Value, json};
use tower::ServiceExt;

const GREENHOUSE: &str = include_str!("../../../shared/testdata/corpus/greenhouse/jobs_rsp.json");
const LEVER: &str = include_str!("../../../shared/testdata/corpus/lever/postings_rsp.json");

/// What the local server serves now, by board.
type Boards = Arc<Mutex<BTreeMap<String, String>>>;

/// A board's response; a Lever board (a JSON array) pages by `skip` and `limit` as Lever's
/// API does.
async fn board(
    State(boards): State<Boards>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let query: BTreeMap<&str, usize> = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter_map(|(key, value)| Some((key, value.parse().ok()?)))
        .collect();
    let Some(body) = boards.lock().unwrap().get(&name).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body = match (
        serde_json::from_str::<Vec<Value>>(&body),
        query.get("limit"),
    ) {
        (Ok(all), Some(&limit)) => {
            let skip = query.get("skip").copied().unwrap_or(0);
            let page: Vec<&Value> = all.iter().skip(skip).take(limit).collect();
            serde_json::to_string(&page).unwrap()
        }
        _ => body,
    };
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The boards on 127.0.0.1: `/boards/{name}`; robots.txt is a 404 (everything allowed).
async fn serve(boards: Boards) -> SocketAddr {
    jobfeed_fn::testing::serve(
        Router::new()
            .route("/boards/{name}", get(board))
            .with_state(boards),
    )
    .await
}

/// Three sources: a Greenhouse board, the same board through a mirror on another host name
/// (so its postings are cross-source duplicates), and a Lever board read one posting a page.
fn sources(addr: SocketAddr) -> Config {
    let port = addr.port();
    let text = format!(
        r#"
[crawl]
min_delay_ms = 0

[[source]]
name = "safariai"
kind = "greenhouse"
url = "http://127.0.0.1:{port}/boards/safariai"
allow_private = true

[[source]]
name = "safariai-mirror"
kind = "greenhouse"
url = "http://localhost:{port}/boards/safariai-mirror"
allow_private = true

[[source]]
name = "plaid"
kind = "lever"
url = "http://127.0.0.1:{port}/boards/plaid?mode=json&limit=1"
allow_private = true
"#
    );
    config::parse(&text, "local run").unwrap()
}

/// The postings a source's board yields, parsed the way the crawler does.
fn expected(source: &str, body: &str) -> Vec<JobPosting> {
    let options = jobfeed::parse::ParseOptions {
        kind: jobfeed::extract::ExtractKind::Auto,
        url: None,
        source: Some(source),
        company_override: None,
        fetched_at: Utc::now(),
        max_bytes: jobfeed::parse::DEFAULT_MAX_DOCUMENT_BYTES,
    };
    jobfeed::parse::parse_document(body.as_bytes(), &options)
        .unwrap()
        .postings
}

/// The deployed stack, locally.
struct Stack {
    sqs: aws_sdk_sqs::Client,
    queues: Queues,
    config: Config,
    /// The store the ingest function writes postings through (its counters are the
    /// posting writes).
    postings: Arc<DynamoStore>,
    /// Everything else (source states, the API).
    store: Arc<DynamoStore>,
    fetcher: HttpFetcher,
    boards: Boards,
}

impl Stack {
    async fn new() -> Stack {
        let aws = moto().await;
        let dynamo = aws_sdk_dynamodb::Client::new(&aws);
        let sqs = aws_sdk_sqs::Client::new(&aws);
        let table = fresh_table(&dynamo).await;
        let boards: Boards = Arc::new(Mutex::new(BTreeMap::from([
            ("safariai".to_owned(), GREENHOUSE.to_owned()),
            ("safariai-mirror".to_owned(), GREENHOUSE.to_owned()),
            ("plaid".to_owned(), LEVER.to_owned()),
        ])));
        let config = sources(serve(boards.clone()).await);
        let fetcher =
            HttpFetcher::new(jobfeed::crawl::fetch::FetchConfig::from(&config.crawl)).unwrap();
        Stack {
            queues: create_queues(&sqs).await,
            sqs,
            postings: Arc::new(DynamoStore::new(dynamo.clone(), table.clone())),
            store: Arc::new(DynamoStore::new(dynamo, table)),
            config,
            fetcher,
            boards,
        }
    }

    /// One scheduled run at `now`: returns the sources the scheduler enqueued.
    async fn schedule(&self, now: DateTime<Utc>) -> Vec<String> {
        let (_, json) = events("scheduler").remove(0);
        let event: EventBridgeEvent<Value> = serde_json::from_str(&json).unwrap();
        let queue: SqsQueue<CrawlTask> = jobfeed_fn_scheduler::crawl_queue(
            self.sqs.clone(),
            self.queues.url("CrawlQueue"),
            &self.config,
        );
        jobfeed_fn_scheduler::handle(
            &self.config,
            self.store.as_ref(),
            self.store.as_ref(),
            &queue,
            event,
            now,
        )
        .await
        .unwrap()
        .enqueued
    }

    /// Hands the queue's messages to `handler` batch by batch, as Lambda's poller does,
    /// until the queue is empty (or `rounds` batches ran). Returns the messages handled and
    /// the failures reported.
    async fn drain<F, Fut>(&self, queue: &str, rounds: usize, mut handler: F) -> (usize, usize)
    where
        F: FnMut(SqsEvent) -> Fut,
        Fut: Future<Output = SqsBatchResponse>,
    {
        let url = self.queues.url(queue);
        let (mut handled, mut failures) = (0, 0);
        for _ in 0..rounds {
            let event = poll(&self.sqs, url).await;
            if event.records.is_empty() {
                break;
            }
            handled += event.records.len();
            let response = handler(event.clone()).await;
            failures += response.batch_item_failures.len();
            settle(&self.sqs, url, &event, &response).await;
        }
        (handled, failures)
    }

    /// Drains the crawl queue through the crawler, two requests an invocation (the
    /// continuations it queues go the same way); returns the tasks handled.
    async fn crawl(&self) -> usize {
        let postings = SqsQueue::standard(self.sqs.clone(), self.queues.url("PostingsQueue"));
        let tasks = SqsQueue::fifo(
            self.sqs.clone(),
            self.queues.url("CrawlQueue"),
            host_group(&self.config),
        );
        let settings = CrawlSettings {
            min_delay: std::time::Duration::ZERO,
            ..CrawlSettings::default()
        };
        let crawler = jobfeed_fn_crawler::Crawler {
            config: &self.config,
            registry: self.store.as_ref(),
            settings: &settings,
            fetcher: &self.fetcher,
            postings: &postings,
            tasks: &tasks,
            states: self.store.as_ref(),
            checkpoints: self.store.as_ref(),
            index: self.store.as_ref(),
        };
        let (handled, failures) = self
            .drain("CrawlQueue", 20, |event| {
                jobfeed_fn_crawler::handle(&crawler, event, Limits::requests(2))
            })
            .await;
        assert_eq!(failures, 0, "every crawl task succeeds");
        handled
    }

    /// Drains the postings queue through ingest; returns the failures reported.
    async fn ingest(&self, now: DateTime<Utc>, rounds: usize) -> usize {
        let config = IngestConfig::default();
        let ingest = jobfeed_fn_ingest::Ingest {
            postings: self.postings.as_ref(),
            states: self.store.as_ref(),
            counts: self.store.as_ref(),
            config: &config,
        };
        self.drain("PostingsQueue", rounds, |event| {
            jobfeed_fn_ingest::handle(&ingest, event, now)
        })
        .await
        .1
    }

    /// The whole pipeline once: schedule, crawl, ingest. Returns the sources scheduled and
    /// the crawl tasks handled (continuations included).
    async fn run(&self, now: DateTime<Utc>) -> (Vec<String>, usize) {
        let scheduled = self.schedule(now).await;
        let tasks = self.crawl().await;
        assert_eq!(
            self.ingest(now, 50).await,
            0,
            "every ingest message succeeds"
        );
        (scheduled, tasks)
    }

    /// `GET path?query` through the api function, from the HTTP API event in `events/`.
    async fn get(&self, path: &str, query: &str) -> (StatusCode, Value) {
        let (_, template) = events("api")
            .into_iter()
            .find(|(name, _)| name == "api-jobs.json")
            .unwrap();
        let mut event: Value = serde_json::from_str(&template).unwrap();
        event["rawPath"] = json!(path);
        event["routeKey"] = json!(format!("GET {path}"));
        event["requestContext"]["http"]["path"] = json!(path);
        event["rawQueryString"] = json!(query);
        let parameters: serde_json::Map<String, Value> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), json!(v)))
            .collect();
        event["queryStringParameters"] = Value::Object(parameters);
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        let app = jobfeed_fn_api::app(self.store.clone(), ApiConfig::default());
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, body)
    }

    /// Every listed posting id (default filters: open, not duplicates).
    async fn listed(&self, query: &str) -> Vec<Value> {
        let (status, body) = self.get("/jobs", &format!("limit=100&{query}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["next_cursor"].is_null());
        body["items"].as_array().unwrap().clone()
    }
}

fn ids(items: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = items
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_serverless_stack_crawls_ingests_serves_closes_and_dead_letters() {
    let stack = Stack::new().await;
    let safariai = expected("safariai", GREENHOUSE);
    let mirror = expected("safariai-mirror", GREENHOUSE);
    let plaid = expected("plaid", LEVER);
    let start = Utc::now();

    // First run: every source is due; every posting is listed once, the mirror's copies
    // are merged into the board's (one listed posting per job).
    let (scheduled, tasks) = stack.run(start).await;
    assert_eq!(scheduled, ["safariai", "safariai-mirror", "plaid"]);
    // Lever's four pages (three postings and the empty end) took two invocations: the
    // scheduled task and one continuation.
    assert_eq!(tasks, 4, "three scheduled tasks and one continuation");
    let plaid_state = stack.store.source_state("plaid").await.unwrap().unwrap();
    assert_eq!(
        plaid_state.outcome,
        Some(jobfeed::store::CrawlOutcome::Success)
    );
    assert_eq!(plaid_state.running, None, "the crawl is over");
    assert_eq!(plaid_state.counts.open, 3);
    let listed = stack.listed("").await;
    let jobs: BTreeSet<&str> = safariai
        .iter()
        .chain(&plaid)
        .map(|p| p.fingerprint.as_str())
        .collect();
    let listed_fingerprints: Vec<&str> = listed
        .iter()
        .map(|p| p["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), jobs.len(), "one listed posting per job");
    assert_eq!(
        listed_fingerprints.iter().copied().collect::<BTreeSet<_>>(),
        jobs
    );
    let everything = stack.listed("include_duplicates=true").await;
    let mut all: Vec<String> = safariai
        .iter()
        .chain(&mirror)
        .chain(&plaid)
        .map(|p| p.id.clone())
        .collect();
    all.sort();
    assert_eq!(ids(&everything), all, "every posting of every source, once");
    let duplicates = everything
        .iter()
        .filter(|p| p["duplicate_of"].is_string())
        .count();
    assert_eq!(
        duplicates,
        mirror.len(),
        "each mirrored job is one duplicate"
    );

    // Nothing is due an hour early; two hours on, everything is, and an unchanged
    // re-crawl writes no posting.
    assert!(
        stack
            .schedule(Utc::now() + Duration::minutes(30))
            .await
            .is_empty()
    );
    let writes = stack.postings.usage().items_written;
    let later = Utc::now() + Duration::hours(2);
    assert_eq!(stack.run(later).await.0.len(), 3);
    assert_eq!(
        stack.postings.usage().items_written,
        writes,
        "a second run writes nothing"
    );
    assert_eq!(ids(&stack.listed("include_duplicates=true").await), all);

    // A posting removed from its board closes at the next complete crawl.
    let removed = plaid[0].id.clone();
    let mut board: Vec<Value> = serde_json::from_str(LEVER).unwrap();
    board.remove(0);
    stack
        .boards
        .lock()
        .unwrap()
        .insert("plaid".into(), serde_json::to_string(&board).unwrap());
    stack.run(later + Duration::hours(2)).await;
    let listed_now = ids(&stack.listed("").await);
    assert!(!listed_now.contains(&removed));
    assert_eq!(listed_now.len(), jobs.len() - 1);
    let (status, detail) = stack.get(&format!("/jobs/{removed}"), "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail["closed_at"].is_string(), "{detail}");

    // A poison message: its batch's good messages are stored at once; it is delivered
    // again until maxReceiveCount, then SQS moves it to the dead-letter queue.
    let (_, batch) = events("ingest")
        .into_iter()
        .find(|(name, _)| name == "ingest-postings-batch-one-malformed.json")
        .unwrap();
    let batch: SqsEvent = serde_json::from_str(&batch).unwrap();
    let bodies: Vec<String> = batch
        .records
        .iter()
        .map(|r| r.body.clone().unwrap())
        .collect();
    let url = stack.queues.url("PostingsQueue");
    for body in &bodies {
        stack
            .sqs
            .send_message()
            .queue_url(url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }
    let max_receive = stack.queues.max_receive["PostingsQueue"] as usize;
    let failures = stack.ingest(Utc::now(), 50).await;
    assert_eq!(failures, max_receive, "reported failed on every delivery");
    assert_eq!(depth(&stack.sqs, url).await, 0);
    let dead_letters = poll(&stack.sqs, stack.queues.url("PostingsDeadLetterQueue")).await;
    let dead: Vec<&str> = dead_letters
        .records
        .iter()
        .map(|r| r.body.as_deref().unwrap())
        .collect();
    assert_eq!(dead, [bodies[1].as_str()]);
    assert!(IngestMessage::from_json(dead[0]).is_err());
    let stored: Vec<String> = bodies
        .iter()
        .filter_map(|b| IngestMessage::from_json(b).ok())
        .flat_map(|m| match m {
            IngestMessage::Extracted { postings, .. } => {
                postings.into_iter().map(|p| p.id).collect()
            }
            IngestMessage::Postings { postings, .. } => {
                postings.into_iter().map(|p| p.id).collect()
            }
            IngestMessage::CrawlComplete { .. } | IngestMessage::Close { .. } => Vec::new(),
        })
        .collect();
    assert_eq!(stored.len(), 7);
    let found = stack.store.get_many(&stored).await.unwrap();
    assert_eq!(
        found.len(),
        7,
        "the rest of the poison message's batch is stored"
    );
}
