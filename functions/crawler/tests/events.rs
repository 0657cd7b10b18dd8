//! Every `events/crawler-*.json` through the crawler handler, and a crawl cut by its
//! invocation's deadline: the sources are served by a local server playing their boards,
//! the postings and crawl queues are made from `template.yaml` on moto, and the source
//! state lives in a moto table.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use aws_lambda_events::event::sqs::SqsEvent;
use axum::Router;
use axum::extract::RawQuery;
use axum::http::header;
use axum::routing::get;
use jobfeed::app::crawl::CrawlSettings;
use jobfeed::app::messages::{CrawlTask, IngestMessage};
use jobfeed::app::schedule::host_group;
use jobfeed::config::{self, Config};
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::queue::sqs::SqsQueue;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed::store::{CheckpointStore, CrawlOutcome, SourceStateStore};
use jobfeed_fn::testing::{Queues, create_queues, events, fresh_table, moto, poll, settle};
use jobfeed_fn_crawler::{Crawler, handle, invocation_limits};
use lambda_runtime::Context;
use serde_json::{Value, json};

const BOARD: &str = include_str!("../../../shared/testdata/corpus/greenhouse/jobs_rsp.json");
const LEVER: &str = include_str!("../../../shared/testdata/corpus/lever/postings_rsp.json");

/// Postings of the slow Lever board.
const SLOW_POSTINGS: usize = 10;
/// How long the slow board takes to answer a page.
const SLOW_PAGE: Duration = Duration::from_millis(250);

/// Serves the Greenhouse board at `/v1/boards/gitlab/jobs`, and at `/v0/postings/slow` a
/// Lever board of `SLOW_POSTINGS` postings that pages by `skip`/`limit` and takes
/// `SLOW_PAGE` to answer each page, on 127.0.0.1 for the test's lifetime.
async fn serve_boards() -> SocketAddr {
    jobfeed_fn::testing::serve(
        Router::new()
            .route(
                "/v1/boards/gitlab/jobs",
                get(|| async { ([(header::CONTENT_TYPE, "application/json")], BOARD) }),
            )
            .route("/v0/postings/slow", get(slow_lever_page)),
    )
    .await
}

async fn slow_lever_page(
    RawQuery(query): RawQuery,
) -> ([(header::HeaderName, &'static str); 1], String) {
    tokio::time::sleep(SLOW_PAGE).await;
    let number = |key: &str| {
        query
            .as_deref()
            .unwrap_or_default()
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.parse::<usize>().ok())
    };
    let (skip, limit) = (number("skip").unwrap_or(0), number("limit").unwrap_or(100));
    let recorded: Vec<Value> = serde_json::from_str(LEVER).unwrap();
    let page: Vec<Value> = (skip..(skip + limit).min(SLOW_POSTINGS))
        .map(|i| {
            let mut posting = recorded[i % recorded.len()].clone();
            posting["id"] = json!(format!("slow-{i}"));
            posting["text"] = json!(format!("Backend Engineer {i}"));
            posting["hostedUrl"] = json!(format!("https://jobs.lever.co/slow/slow-{i}"));
            posting
        })
        .collect();
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(&page).unwrap(),
    )
}

fn sources(addr: SocketAddr) -> Config {
    config::parse(
        &format!(
            "[crawl]\nmin_delay_ms = 0\n\n[[source]]\nname = \"gitlab\"\nkind = \"greenhouse\"\n\
             url = \"http://{addr}/v1/boards/gitlab/jobs?content=true\"\nallow_private = true\n\n\
             [[source]]\nname = \"slow\"\nkind = \"lever\"\n\
             url = \"http://{addr}/v0/postings/slow?mode=json&limit=1\"\nallow_private = true\n"
        ),
        "test sources",
    )
    .unwrap()
}

/// The crawler's world on moto: a table, the stack's queues, the fetcher.
struct World {
    config: Config,
    settings: CrawlSettings,
    fetcher: HttpFetcher,
    store: DynamoStore,
    sqs: aws_sdk_sqs::Client,
    queues: Queues,
}

impl World {
    async fn new() -> World {
        let aws = moto().await;
        let dynamo = aws_sdk_dynamodb::Client::new(&aws);
        let sqs = aws_sdk_sqs::Client::new(&aws);
        let config = sources(serve_boards().await);
        let fetcher =
            HttpFetcher::new(jobfeed::crawl::fetch::FetchConfig::from(&config.crawl)).unwrap();
        World {
            settings: CrawlSettings {
                min_delay: Duration::ZERO,
                ..CrawlSettings::default()
            },
            config,
            fetcher,
            store: DynamoStore::new(dynamo.clone(), fresh_table(&dynamo).await),
            queues: create_queues(&sqs).await,
            sqs,
        }
    }

    /// Runs `event` through the handler, in an invocation whose context has `deadline`
    /// (epoch milliseconds; 0 for none), with the template's default margin.
    async fn invoke(&self, event: SqsEvent, deadline: u64) -> Vec<String> {
        let postings = SqsQueue::standard(self.sqs.clone(), self.queues.url("PostingsQueue"));
        let tasks = SqsQueue::fifo(
            self.sqs.clone(),
            self.queues.url("CrawlQueue"),
            host_group(&self.config),
        );
        let crawler = Crawler {
            config: &self.config,
            registry: &self.store,
            settings: &self.settings,
            fetcher: &self.fetcher,
            postings: &postings,
            tasks: &tasks,
            states: &self.store,
            checkpoints: &self.store,
            index: &self.store,
        };
        let mut context = Context::default();
        context.deadline = deadline;
        // No margin: the test's deadline is already short.
        let limits = invocation_limits(&context, Duration::ZERO);
        let response = handle(&crawler, event, limits).await;
        response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect()
    }

    /// Every message on `queue`, taken off it.
    async fn drain(&self, queue: &str) -> Vec<(String, Option<String>)> {
        let url = self.queues.url(queue);
        let mut bodies = Vec::new();
        loop {
            let batch = poll(&self.sqs, url).await;
            if batch.records.is_empty() {
                return bodies;
            }
            for record in &batch.records {
                let group = record.attributes.get("MessageGroupId").cloned();
                bodies.push((record.body.clone().unwrap(), group));
            }
            settle(&self.sqs, url, &batch, &Default::default()).await;
        }
    }

    /// The postings sent to the postings queue (taken off it), and the close messages.
    async fn sent(&self) -> (Vec<String>, usize) {
        let mut ids = Vec::new();
        let mut closes = 0;
        for (body, _) in self.drain("PostingsQueue").await {
            match IngestMessage::from_json(&body).unwrap() {
                IngestMessage::Extracted { postings, .. } => {
                    ids.extend(postings.into_iter().map(|p| p.id));
                }
                IngestMessage::Close { .. } => closes += 1,
                other => panic!("the crawler sends extracted postings and closes, not {other:?}"),
            }
        }
        (ids, closes)
    }
}

/// The crawler's scheduled-task event.
fn crawl_task_event() -> String {
    events("crawler")
        .into_iter()
        .find(|(name, _)| name == "crawler-crawl-task.json")
        .unwrap()
        .1
}

/// An SQS event carrying `task`.
fn event_of(task: &CrawlTask) -> SqsEvent {
    let template = crawl_task_event();
    let mut event: SqsEvent = serde_json::from_str(&template).unwrap();
    event.records[0].body = Some(serde_json::to_string(task).unwrap());
    event
}

fn millis_from_now(after: Duration) -> u64 {
    (SystemTime::now() + after)
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[tokio::test]
async fn every_crawler_event_runs_through_the_handler() {
    for (file, json) in events("crawler") {
        let world = World::new().await;
        let event: SqsEvent = serde_json::from_str(&json).unwrap();
        let failures = world.invoke(event, 0).await;
        assert!(failures.is_empty(), "{file}: {failures:?}");
        let (sent, closes) = world.sent().await;
        let state = world.store.source_state("gitlab").await.unwrap();
        match file.as_str() {
            "crawler-crawl-task.json" => {
                assert_eq!(sent.len(), 7, "{file}: the board's seven postings");
                assert_eq!(closes, 0, "{file}: a first crawl has nothing to close");
                let state = state.unwrap();
                assert_eq!(state.outcome, Some(CrawlOutcome::Success), "{file}");
                assert_eq!(state.consecutive_failures, 0, "{file}");
                assert_eq!(state.running, None, "{file}");
                assert!(state.next_due_at.is_some(), "{file}");
            }
            "crawler-continuation-task.json" => {
                // A continuation of a crawl that is not running is dropped, not failed.
                assert!(sent.is_empty() && closes == 0, "{file}");
                assert_eq!(state, None, "{file}: nothing recorded");
            }
            _ => panic!("add an expectation for {file}"),
        }
    }
}

#[tokio::test]
async fn a_task_for_an_unknown_source_or_a_garbled_body_is_reported_as_failed() {
    let world = World::new().await;
    let mut event: SqsEvent = serde_json::from_str(&crawl_task_event()).unwrap();
    event.records[0].body = Some(r#"{"source":"nowhere","due_at":"2026-11-28T06:00:00Z"}"#.into());
    let mut garbled = event.records[0].clone();
    garbled.message_id = Some("garbled".into());
    garbled.body = Some("{\"source\":".into());
    event.records.push(garbled);
    let failed = world.invoke(event, 0).await;
    assert_eq!(failed, ["5e1f0000-0000-0000-0000-000000001f01", "garbled"]);
}

#[tokio::test]
async fn a_crawl_cut_by_its_deadline_queues_a_continuation_and_finishes_in_later_invocations() {
    let world = World::new().await;
    // Eleven pages (ten postings and the empty end) at a quarter second each: about three
    // seconds of work, in invocations of one second.
    let mut task = CrawlTask::scheduled("slow", chrono::Utc::now());
    let mut invocations = 0;
    let mut sent = Vec::new();
    loop {
        invocations += 1;
        assert!(invocations <= 12, "the crawl never finished");
        let failures = world
            .invoke(event_of(&task), millis_from_now(Duration::from_secs(1)))
            .await;
        assert!(failures.is_empty(), "{failures:?}");
        sent.extend(world.sent().await.0);
        let state = world.store.source_state("slow").await.unwrap().unwrap();
        let continuations = world.drain("CrawlQueue").await;
        let Some((body, group)) = continuations.first() else {
            assert_eq!(state.running, None, "over once nothing goes on");
            break;
        };
        assert_eq!(continuations.len(), 1, "one continuation a pause");
        assert_eq!(
            group.as_deref(),
            Some("127.0.0.1"),
            "the source's host group"
        );
        let next: CrawlTask = serde_json::from_str(body).unwrap();
        let resume = next
            .resume
            .expect("a continuation names its crawl and step");
        // Partial progress is recorded: the crawl runs, and its checkpoint is saved.
        let running = state.running.clone().expect("recorded as running");
        assert_eq!(resume.started_at, running.started_at);
        assert_eq!(resume.step, invocations);
        assert_eq!(running.invocations, invocations);
        assert_eq!(running.listed as usize, sent.len());
        assert!(world.store.checkpoint("slow").await.unwrap().is_some());
        assert_eq!(state.outcome, None, "no outcome before the end");
        task = next;
    }
    assert!(invocations >= 3, "{invocations} invocations");
    sent.sort();
    sent.dedup();
    assert_eq!(sent.len(), SLOW_POSTINGS, "every posting sent once");
    let state = world.store.source_state("slow").await.unwrap().unwrap();
    assert_eq!(state.outcome, Some(CrawlOutcome::Success));
    assert_eq!(state.counts.open, SLOW_POSTINGS as u64);
    assert_eq!(
        world.store.checkpoint("slow").await.unwrap(),
        None,
        "the checkpoint goes with the crawl"
    );

    // The same continuation delivered again after the end is dropped.
    assert!(world.invoke(event_of(&task), 0).await.is_empty());
    assert!(world.sent().await.0.is_empty());
}

#[tokio::test]
async fn a_registered_source_is_crawled_from_its_record_and_a_disabled_or_removed_ones_task_is_dropped()
 {
    let world = World::new().await;
    let url = world.config.sources[0].url.clone();
    let file = format!(
        "[[source]]\nname = \"registered\"\nkind = \"greenhouse\"\nurl = \"{url}\"\n\
         allow_private = true\n"
    );
    let now = chrono::Utc::now();
    jobfeed::app::registry::import(&world.store, &file, "registry.toml", now)
        .await
        .unwrap();
    let task = CrawlTask::scheduled("registered", now);
    // Not in the crawler's configuration: read from the registry, task by task.
    assert!(world.invoke(event_of(&task), 0).await.is_empty());
    let (sent, _) = world.sent().await;
    assert_eq!(sent.len(), 7);

    jobfeed::app::registry::set_enabled(&world.store, "registered", false, now)
        .await
        .unwrap();
    assert!(
        world.invoke(event_of(&task), 0).await.is_empty(),
        "dropped, not failed"
    );
    assert_eq!(world.sent().await, (vec![], 0));

    let rules = jobfeed::app::ingest::IngestConfig::default();
    jobfeed::app::registry::remove(&world.store, &world.store, "registered", &rules, now)
        .await
        .unwrap();
    assert!(
        world.invoke(event_of(&task), 0).await.is_empty(),
        "dropped, not failed"
    );
    assert_eq!(world.sent().await, (vec![], 0));
}
