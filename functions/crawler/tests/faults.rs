//! The crawler function under faults, on moto_server behind a fault-injecting proxy: a crawl
//! that dies half way through sending, and `SendMessageBatch` answers that report some
//! entries failed (once, or on every attempt). A failed task is delivered again as SQS
//! does: the same message. The source is a synthetic
//! Greenhouse board on 127.0.0.1 (with ETags, so a wrongly saved validator would turn the
//! next crawl into a 304), split over many SQS messages by a small message limit.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use jobfeed::app::crawl::CrawlSettings;
use jobfeed::app::ingest::{IngestConfig, IngestPorts, handle_message};
use jobfeed::app::messages::{CrawlTask, IngestMessage};
use jobfeed::config::{self, Config};
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::crawl::source::Limits;
use jobfeed::queue::memory::Collector;
use jobfeed::queue::sqs::{RetryPolicy, SQS_MAX_MESSAGE_BYTES, SqsQueue};
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed::store::{IndexEntry, PostingReader, SourceStateStore, source_index};
use jobfeed_fn::fault_proxy::{Call, Fault, FaultProxy, aws_error};
use jobfeed_fn::testing::{create_queues, fresh_table, moto, poll, settle};
use jobfeed_fn_crawler::{Crawler, handle};
use serde_json::{Value, json};

const RECORDED: &str = include_str!("../../../shared/testdata/corpus/greenhouse/jobs_rsp.json");
const SOURCE: &str = "gitlab";
const SEND_BATCH: &str = "AmazonSQS.SendMessageBatch";
/// Small enough to split the board's postings over several messages, one batch each.
const SMALL_MESSAGES: usize = 16 * 1024;

/// A Greenhouse board (with `content`) of the recorded jobs, renumbered as jobs `range`.
fn board(range: std::ops::Range<u64>) -> String {
    let recorded: Value = serde_json::from_str(RECORDED).unwrap();
    let jobs = recorded["jobs"].as_array().unwrap();
    let made: Vec<Value> = range
        .map(|i| {
            let mut job = jobs[i as usize % jobs.len()].clone();
            let id = 9_000_000 + i;
            job["id"] = json!(id);
            job["absolute_url"] = json!(format!("https://job-boards.greenhouse.io/x/jobs/{id}"));
            job["title"] = json!(format!("{} #{i}", job["title"].as_str().unwrap()));
            let text = "We build the data pipeline in Rust and run it on AWS. ".repeat(20);
            job["content"] = json!(format!("&lt;p&gt;{text}&lt;/p&gt;"));
            job
        })
        .collect();
    json!({ "jobs": made }).to_string()
}

/// The board as served now.
type Board = Arc<Mutex<String>>;

/// Serves the board with an ETag, answering 304 to a matching `If-None-Match`.
async fn board_page(State(board): State<Board>, headers: HeaderMap) -> Response {
    let body = board.lock().unwrap().clone();
    let etag = format!("\"{}\"", jobfeed::identity::hash_hex(&[&body]));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.to_str().unwrap_or_default() == etag);
    if matches {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response()
}

async fn serve(board: Board) -> SocketAddr {
    jobfeed_fn::testing::serve(
        Router::new()
            .route("/v1/boards/gitlab/jobs", get(board_page))
            .with_state(board),
    )
    .await
}

/// The crawler's world: the board, moto's queue and table, and the proxy in front of SQS.
struct World {
    board: Board,
    config: Config,
    fetcher: HttpFetcher,
    proxy: FaultProxy,
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    store: DynamoStore,
    postings: SqsQueue<IngestMessage>,
    /// The body of the last crawl task delivered (SQS delivers a failed one again).
    task: Mutex<String>,
}

impl World {
    /// The board with jobs `jobs`; the crawler's SQS messages at most `max_bytes`.
    async fn new(jobs: std::ops::Range<u64>, max_bytes: usize) -> World {
        let aws = moto().await;
        let sqs = aws_sdk_sqs::Client::new(&aws);
        let dynamo = aws_sdk_dynamodb::Client::new(&aws);
        let board: Board = Arc::new(Mutex::new(board(jobs)));
        let addr = serve(board.clone()).await;
        let config = config::parse(
            &format!(
                "[crawl]\nmin_delay_ms = 0\n\n[[source]]\nname = \"{SOURCE}\"\n\
                 kind = \"greenhouse\"\nurl = \"http://{addr}/v1/boards/gitlab/jobs?content=true\"\n\
                 allow_private = true\n"
            ),
            "test sources",
        )
        .unwrap();
        let fetcher =
            HttpFetcher::new(jobfeed::crawl::fetch::FetchConfig::from(&config.crawl)).unwrap();
        let queue_url = create_queues(&sqs).await.url("PostingsQueue").to_owned();
        let proxy = FaultProxy::start(|_| Fault::Forward).await;
        let postings = SqsQueue::standard(proxy.sqs(&aws), queue_url.clone())
            .with_max_bytes(max_bytes)
            .with_retry(RetryPolicy {
                attempts: 4,
                base_delay: Duration::from_millis(20),
            });
        World {
            board,
            config,
            fetcher,
            proxy,
            sqs,
            queue_url,
            store: DynamoStore::new(dynamo.clone(), fresh_table(&dynamo).await),
            postings,
            task: Mutex::new(String::new()),
        }
    }

    /// A new crawl task of the source (a scheduled run), delivered to the crawler handler.
    async fn crawl(&self) -> SqsBatchResponse {
        let task = CrawlTask::scheduled(SOURCE, Utc::now());
        *self.task.lock().unwrap() = serde_json::to_string(&task).unwrap();
        self.deliver().await
    }

    /// The last crawl task delivered again, as SQS does after a failure.
    async fn redeliver(&self) -> SqsBatchResponse {
        self.deliver().await
    }

    async fn deliver(&self) -> SqsBatchResponse {
        let mut message = SqsMessage::default();
        message.message_id = Some("task".into());
        message.body = Some(self.task.lock().unwrap().clone());
        let mut event = SqsEvent::default();
        event.records = vec![message];
        let settings = CrawlSettings {
            min_delay: Duration::ZERO,
            ..CrawlSettings::default()
        };
        let tasks = Collector::default();
        let crawler = Crawler {
            config: &self.config,
            registry: &self.store,
            settings: &settings,
            fetcher: &self.fetcher,
            postings: &self.postings,
            tasks: &tasks,
            states: &self.store,
            checkpoints: &self.store,
            index: &self.store,
        };
        let response = handle(&crawler, event, Limits::none()).await;
        assert!(
            tasks.take().is_empty(),
            "without limits a crawl never continues"
        );
        response
    }

    /// Drains the postings queue into the store (as the ingest function would); returns
    /// every message body received.
    async fn ingest(&self) -> Vec<IngestMessage> {
        let config = IngestConfig::default();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut received = Vec::new();
        loop {
            assert!(
                Instant::now() < deadline,
                "the postings queue never drained"
            );
            let event = poll(&self.sqs, &self.queue_url).await;
            if event.records.is_empty() {
                return received;
            }
            for record in &event.records {
                let message = IngestMessage::from_json(record.body.as_deref().unwrap()).unwrap();
                let ports = IngestPorts {
                    postings: &self.store,
                    states: &self.store,
                    counts: &self.store,
                };
                handle_message(ports, message.clone(), Utc::now(), &config)
                    .await
                    .unwrap();
                received.push(message);
            }
            settle(
                &self.sqs,
                &self.queue_url,
                &event,
                &SqsBatchResponse::default(),
            )
            .await;
        }
    }

    /// Every stored posting's index entry, by external id (`9000000 + job number`).
    async fn stored(&self) -> BTreeMap<u64, IndexEntry> {
        let entries = source_index(&self.store, SOURCE).await.unwrap();
        let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
        let postings = self.store.get_many(&ids).await.unwrap();
        let job = |id: &str| {
            let p = postings.iter().find(|p| p.posting.id == id).unwrap();
            p.posting
                .external_id
                .as_deref()
                .unwrap()
                .parse::<u64>()
                .unwrap()
                - 9_000_000
        };
        entries.into_iter().map(|e| (job(&e.id), e)).collect()
    }
}

/// Job numbers of the stored postings that are open (or closed).
fn jobs(stored: &BTreeMap<u64, IndexEntry>, closed: bool) -> Vec<u64> {
    stored
        .iter()
        .filter(|(_, e)| e.closed_at.is_some() == closed)
        .map(|(job, _)| *job)
        .collect()
}

/// The posting ids the postings messages carry, in arrival order, and the ids the close
/// messages carry.
fn carried(messages: &[IngestMessage]) -> (Vec<String>, Vec<String>) {
    let (mut ids, mut closing) = (Vec::new(), Vec::new());
    for message in messages {
        match message {
            IngestMessage::Extracted { postings, .. } => {
                ids.extend(postings.iter().map(|p| p.id.clone()));
            }
            IngestMessage::Postings { postings, .. } => {
                ids.extend(postings.iter().map(|p| p.id.clone()));
            }
            IngestMessage::Close { ids, .. } | IngestMessage::CrawlComplete { ids, .. } => {
                closing.extend(ids.iter().cloned());
            }
        }
    }
    (ids, closing)
}

/// A `SendMessageBatch` whose entries with these batch ids are reported failed (retryable):
/// the others go to moto, and its answer gets the failures added.
fn fail_entries(call: &Call<'_>, failing: &[&str]) -> Fault {
    let mut request: Value = serde_json::from_slice(call.body).unwrap();
    let entries = request["Entries"].as_array().unwrap().clone();
    let (refused, kept): (Vec<Value>, Vec<Value>) = entries
        .into_iter()
        .partition(|e| failing.contains(&e["Id"].as_str().unwrap()));
    let failed: Vec<Value> = refused
        .iter()
        .map(|e| {
            json!({
                "Id": e["Id"],
                "SenderFault": false,
                "Code": "InternalError",
                "Message": "injected by the test proxy",
            })
        })
        .collect();
    if kept.is_empty() {
        let body = json!({ "Successful": [], "Failed": failed }).to_string();
        return Fault::Reply { status: 200, body };
    }
    request["Entries"] = Value::Array(kept);
    Fault::Rewrite {
        request: request.to_string().into_bytes(),
        response: Box::new(move |answer| {
            let mut answer: Value = serde_json::from_slice(&answer).unwrap();
            let mut all = answer["Failed"].as_array().cloned().unwrap_or_default();
            all.extend(failed);
            answer["Failed"] = Value::Array(all);
            answer.to_string().into_bytes()
        }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawl_that_dies_half_way_through_sending_closes_nothing_and_the_next_run_completes_the_snapshot()
 {
    let world = World::new(0..40, SMALL_MESSAGES).await;
    assert!(world.crawl().await.batch_item_failures.is_empty());
    let batches = world.proxy.calls(SEND_BATCH);
    assert!(batches >= 3, "the crawl spans several batches: {batches}");
    world.ingest().await;
    let first = world.stored().await;
    assert_eq!(jobs(&first, false), (0..40).collect::<Vec<_>>());
    let validators = world
        .store
        .source_state(SOURCE)
        .await
        .unwrap()
        .unwrap()
        .validators;

    // The board drops jobs 0-4 and adds 40-44. The next crawl sends only the new jobs (the
    // others are stored as the board lists them), then dies after that batch went out:
    // every later SendMessageBatch (the close message) fails as if the process had stopped.
    *world.board.lock().unwrap() = board(5..45);
    let survives = batches + 1;
    world.proxy.set_rule(move |call| {
        if call.target == SEND_BATCH && call.number > survives {
            Fault::Reply {
                status: 500,
                body: aws_error("InternalError", "the crawler is gone"),
            }
        } else {
            Fault::Forward
        }
    });
    let response = world.crawl().await;
    assert_eq!(
        response.batch_item_failures.len(),
        1,
        "SQS retries the task"
    );
    let (sent, closing) = carried(&world.ingest().await);
    assert_eq!(sent.len(), 5, "only the new jobs are sent: {sent:?}");
    assert!(closing.is_empty(), "the close never went out");
    let partial = world.stored().await;
    assert!(
        jobs(&partial, true).is_empty(),
        "a partial run closes nothing"
    );
    let state = world.store.source_state(SOURCE).await.unwrap().unwrap();
    assert_eq!(
        state.validators, validators,
        "the dead run saved no validator"
    );
    assert!(state.running.is_some(), "the crawl is recorded as running");

    // SQS delivers the task again; the crawl goes through and completes the snapshot,
    // sending nothing the dead run had already sent.
    world.proxy.set_rule(|_| Fault::Forward);
    assert!(world.redeliver().await.batch_item_failures.is_empty());
    let (sent, closing) = carried(&world.ingest().await);
    assert!(
        sent.is_empty(),
        "what the dead run sent is stored: {sent:?}"
    );
    assert_eq!(closing.len(), 5, "the dropped jobs");
    let last = world.stored().await;
    assert_eq!(jobs(&last, false), (5..45).collect::<Vec<_>>());
    assert_eq!(
        jobs(&last, true),
        (0..5).collect::<Vec<_>>(),
        "only the dropped jobs close"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_a_batch_reports_failed_are_sent_again_and_arrive_exactly_once() {
    // All the postings fit one message (a first crawl has nothing to close).
    let world = World::new(0..40, SQS_MAX_MESSAGE_BYTES).await;
    // The first SendMessageBatch loses its entry (the postings).
    world.proxy.set_rule(|call| {
        if call.target == SEND_BATCH && call.number == 1 {
            fail_entries(call, &["0"])
        } else {
            Fault::Forward
        }
    });
    assert!(world.crawl().await.batch_item_failures.is_empty());
    let calls = world.proxy.calls(SEND_BATCH);
    let (mut ids, closing) = carried(&world.ingest().await);
    ids.sort();
    let count = ids.len();
    ids.dedup();
    assert_eq!(
        (count, ids.len(), closing.len()),
        (40, 40, 0),
        "every posting once, nothing to close"
    );
    assert_eq!(
        jobs(&world.stored().await, false),
        (0..40).collect::<Vec<_>>()
    );

    // Without the failures, the same crawl takes one call fewer: exactly one retry call.
    let clean = World::new(0..40, SQS_MAX_MESSAGE_BYTES).await;
    assert!(clean.crawl().await.batch_item_failures.is_empty());
    assert_eq!((calls, clean.proxy.calls(SEND_BATCH)), (2, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_that_keep_failing_fail_the_crawl_task_so_sqs_retries_it_and_nothing_is_lost() {
    let world = World::new(0..40, SMALL_MESSAGES).await;
    world.proxy.set_rule(|call| {
        if call.target == SEND_BATCH {
            fail_entries(call, &["0"])
        } else {
            Fault::Forward
        }
    });
    let response = world.crawl().await;
    assert_eq!(response.batch_item_failures.len(), 1, "the task fails");
    assert_eq!(
        world.proxy.calls(SEND_BATCH),
        4,
        "the first batch, retried up to the policy's 4 attempts; nothing after it is sent"
    );
    let state = world.store.source_state(SOURCE).await.unwrap().unwrap();
    assert!(
        state.running.is_some(),
        "recorded as running before fetching"
    );
    assert_eq!(state.outcome, None, "and not as over: {state:?}");
    let (partial, closing) = carried(&world.ingest().await);
    assert!(closing.is_empty());
    assert!(partial.is_empty(), "the first batch never got through");

    // SQS delivers the task again and SQS accepts everything now: nothing was lost.
    world.proxy.set_rule(|_| Fault::Forward);
    assert!(world.redeliver().await.batch_item_failures.is_empty());
    let (sent, closing) = carried(&world.ingest().await);
    assert_eq!((sent.len(), closing.len()), (40, 0));
    let stored = world.stored().await;
    assert_eq!(jobs(&stored, false), (0..40).collect::<Vec<_>>());
    assert!(jobs(&stored, true).is_empty());
}
