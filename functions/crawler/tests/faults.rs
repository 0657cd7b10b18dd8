//! The crawler function under faults, on moto_server behind a fault-injecting proxy: a crawl
//! that dies half way through sending its postings, and `SendMessageBatch` answers that
//! report some entries failed (once, or on every attempt). The source is a synthetic
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
use jobfeed::config::{self, Config};
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::ingest::IngestConfig;
use jobfeed::queue::sqs::{RetryPolicy, SQS_MAX_MESSAGE_BYTES, SqsQueue};
use jobfeed::queue::{CrawlTask, IngestMessage, handle_ingest_message};
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed::store::{IndexEntry, PostingStore, SourceStateStore};
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
        let fetcher = HttpFetcher::new(config.crawl.fetch_config()).unwrap();
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
        }
    }

    /// One delivery of a crawl task of the source to the crawler handler.
    async fn crawl(&self) -> SqsBatchResponse {
        let task = CrawlTask {
            source: SOURCE.into(),
            due_at: Utc::now(),
        };
        let mut message = SqsMessage::default();
        message.message_id = Some("task".into());
        message.body = Some(serde_json::to_string(&task).unwrap());
        let mut event = SqsEvent::default();
        event.records = vec![message];
        let crawler = Crawler {
            config: &self.config,
            fetcher: &self.fetcher,
            postings: &self.postings,
            states: &self.store,
        };
        handle(&crawler, event).await
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
                handle_ingest_message(&self.store, message.clone(), Utc::now(), &config)
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
        let entries = self.store.source_index(SOURCE).await.unwrap();
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

/// The job numbers the postings messages carry, in arrival order, and the markers' count.
fn carried(messages: &[IngestMessage]) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut markers = 0;
    for message in messages {
        match message {
            IngestMessage::Extracted { postings, .. } => {
                ids.extend(postings.iter().map(|p| p.id.clone()));
            }
            IngestMessage::Postings { postings, .. } => {
                ids.extend(postings.iter().map(|p| p.id.clone()));
            }
            IngestMessage::CrawlComplete { .. } => markers += 1,
        }
    }
    (ids, markers)
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

    // The board drops jobs 0-4 and adds 40-44. The next crawl dies after its first batch
    // went out: every later SendMessageBatch fails as if the process had stopped.
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
    let (sent, markers) = carried(&world.ingest().await);
    assert!(
        !sent.is_empty() && markers == 0,
        "half sent: {} postings",
        sent.len()
    );
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

    // SQS delivers the task again; the crawl goes through and completes the snapshot.
    world.proxy.set_rule(|_| Fault::Forward);
    assert!(world.crawl().await.batch_item_failures.is_empty());
    let (_, markers) = carried(&world.ingest().await);
    assert_eq!(markers, 1);
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
    // All the postings fit one message: one batch of it and the crawl-complete marker.
    let world = World::new(0..40, SQS_MAX_MESSAGE_BYTES).await;
    // The first SendMessageBatch loses its first entry (the postings); the marker goes.
    world.proxy.set_rule(|call| {
        if call.target == SEND_BATCH && call.number == 1 {
            fail_entries(call, &["0"])
        } else {
            Fault::Forward
        }
    });
    assert!(world.crawl().await.batch_item_failures.is_empty());
    let calls = world.proxy.calls(SEND_BATCH);
    let (mut ids, markers) = carried(&world.ingest().await);
    ids.sort();
    let count = ids.len();
    ids.dedup();
    assert_eq!(
        (count, ids.len(), markers),
        (40, 40, 1),
        "every posting once, one marker"
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
    let state = world.store.source_state(SOURCE).await.unwrap();
    assert!(
        state.is_none(),
        "the failed crawl recorded nothing: {state:?}"
    );
    let (partial, markers) = carried(&world.ingest().await);
    assert_eq!(markers, 0);
    assert!(partial.is_empty(), "the first batch never got through");

    // SQS delivers the task again and SQS accepts everything now: nothing was lost.
    world.proxy.set_rule(|_| Fault::Forward);
    assert!(world.crawl().await.batch_item_failures.is_empty());
    let (_, markers) = carried(&world.ingest().await);
    assert_eq!(markers, 1);
    let stored = world.stored().await;
    assert_eq!(jobs(&stored, false), (0..40).collect::<Vec<_>>());
    assert!(jobs(&stored, true).is_empty());
}
