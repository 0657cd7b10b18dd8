//! The ingest function under faults, on moto_server: the store going away mid-batch,
//! redelivered and out-of-order batches, DynamoDB throttling (injected by a proxy in front
//! of moto), and poison messages reaching the dead-letter queue. Each test compares the
//! stored postings with those of a clean, in-order run: nothing lost, nothing doubled.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::{DateTime, Utc};
use jobfeed::JobPosting;
use jobfeed::app::ingest::{IngestConfig, IngestPorts, handle_message};
use jobfeed::app::messages::IngestMessage;
use jobfeed::store::dynamodb::{DynamoStore, SDK_MAX_ATTEMPTS};
use jobfeed::store::{
    IndexEntry, IngestCounter, ListQuery, Page, PostingReader, PostingStore, SourceIndex,
    SourceState, SourceStateReader, SourceStateStore, StoreError, StoredPosting, UsageSnapshot,
    Write, WriteOutcome,
};
use jobfeed_fn::fault_proxy::{Fault, FaultProxy, aws_error};
use jobfeed_fn::testing::{create_queues, depth, fresh_table, moto, poll, settle};
use jobfeed_fn_ingest::{Ingest, handle};

const BOARD: &str = include_str!("../../../shared/testdata/corpus/greenhouse/jobs_rsp.json");
const SOURCE: &str = "gitlab";

fn now() -> DateTime<Utc> {
    "2026-11-28T06:00:00Z".parse().unwrap()
}

/// `count` distinct postings of `SOURCE` (the recorded board's, with their external ids
/// and titles numbered from `first`), fetched at `fetched_at`.
fn postings(first: usize, count: usize, fetched_at: DateTime<Utc>) -> Vec<JobPosting> {
    let options = jobfeed::parse::ParseOptions {
        kind: jobfeed::extract::ExtractKind::Auto,
        url: None,
        source: Some(SOURCE),
        company_override: None,
        fetched_at,
        max_bytes: jobfeed::parse::DEFAULT_MAX_DOCUMENT_BYTES,
    };
    let board = jobfeed::parse::parse_document(BOARD.as_bytes(), &options)
        .unwrap()
        .postings;
    (first..first + count)
        .map(|i| {
            let mut p = board[i % board.len()].clone();
            p.external_id = Some(format!("fault-{i}"));
            p.title = format!("{} #{i}", p.title);
            jobfeed::identity::stamp(&mut p);
            p
        })
        .collect()
}

fn postings_body(postings: Vec<JobPosting>) -> String {
    IngestMessage::Postings {
        source: SOURCE.into(),
        postings,
    }
    .to_json()
}

/// The close message of the crawl started at `started_at` that no longer lists `gone`.
fn close_body(started_at: DateTime<Utc>, gone: &[&JobPosting]) -> String {
    IngestMessage::Close {
        source: SOURCE.into(),
        started_at,
        ids: gone.iter().map(|p| p.id.clone()).collect(),
        recheck: vec![],
    }
    .to_json()
}

/// An SQS event of these (message id, body) records.
fn event(records: &[(String, String)]) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = records
        .iter()
        .map(|(id, body)| {
            let mut message = SqsMessage::default();
            message.message_id = Some(id.clone());
            message.body = Some(body.clone());
            message
        })
        .collect();
    event
}

fn failed(response: &SqsBatchResponse) -> Vec<String> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect()
}

/// Every stored posting of `SOURCE` (open and closed), by id.
async fn stored(store: &dyn PostingStore) -> Vec<StoredPosting> {
    let ids: Vec<String> = jobfeed::store::source_index(store, SOURCE)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    let mut postings = store.get_many(&ids).await.unwrap();
    postings.sort_by(|a, b| a.posting.id.cmp(&b.posting.id));
    postings
}

/// Each posting's id, title, revision and closing time: what to look at first when two
/// stores differ.
fn summary(postings: &[StoredPosting]) -> Vec<(String, String, u64, Option<DateTime<Utc>>)> {
    postings
        .iter()
        .map(|p| {
            let p2 = &p.posting;
            (p2.id.clone(), p2.title.clone(), p.revision, p2.closed_at)
        })
        .collect()
}

/// Runs `batches` one after the other through the ingest handler on a fresh table and
/// returns what it stored: the reference a faulty delivery is held to.
async fn clean_run(
    dynamo: &aws_sdk_dynamodb::Client,
    batches: &[Vec<(String, String)>],
) -> Vec<StoredPosting> {
    let store = DynamoStore::new(dynamo.clone(), fresh_table(dynamo).await);
    let config = IngestConfig::default();
    let ingest = Ingest {
        postings: &store,
        states: &store,
        counts: &store,
        config: &config,
    };
    for batch in batches {
        let response = handle(&ingest, event(batch), now()).await;
        assert!(failed(&response).is_empty());
    }
    stored(&store).await
}

/// A store that goes away: from its `fail_at`-th `write` on, every call fails as a network
/// error would (retryable). That write itself is applied and only its answer is lost, the
/// nastiest moment to go away: the caller cannot know it landed.
struct FailingStore {
    inner: DynamoStore,
    writes: AtomicUsize,
    fail_at: AtomicUsize,
    down: AtomicBool,
}

impl FailingStore {
    fn gate(&self) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            Err(StoreError::Retryable("connection refused".into()))
        } else {
            Ok(())
        }
    }

    fn restore(&self) {
        self.fail_at.store(usize::MAX, Ordering::SeqCst);
        self.down.store(false, Ordering::SeqCst);
    }
}

#[async_trait]
impl SourceIndex for FailingStore {
    async fn source_index_page(
        &self,
        source: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        self.gate()?;
        self.inner.source_index_page(source, after, limit).await
    }
}

#[async_trait]
impl PostingReader for FailingStore {
    async fn fingerprint_groups(&self, f: &[String]) -> Result<Vec<IndexEntry>, StoreError> {
        self.gate()?;
        self.inner.fingerprint_groups(f).await
    }
    async fn get_many(&self, ids: &[String]) -> Result<Vec<StoredPosting>, StoreError> {
        self.gate()?;
        self.inner.get_many(ids).await
    }
    async fn list(&self, q: &ListQuery, limit: usize, c: Option<&str>) -> Result<Page, StoreError> {
        self.gate()?;
        self.inner.list(q, limit, c).await
    }
    fn usage(&self) -> UsageSnapshot {
        self.inner.usage()
    }
}

#[async_trait]
impl PostingStore for FailingStore {
    async fn source_entries(
        &self,
        source: &str,
        ids: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        self.gate()?;
        self.inner.source_entries(source, ids).await
    }
    async fn write(&self, writes: Vec<Write>) -> Result<Vec<WriteOutcome>, StoreError> {
        self.gate()?;
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        let outcome = self.inner.write(writes).await;
        if n >= self.fail_at.load(Ordering::SeqCst) {
            self.down.store(true, Ordering::SeqCst);
            return Err(StoreError::Retryable("connection reset by peer".into()));
        }
        outcome
    }
    async fn delete_expired(
        &self,
        now: DateTime<Utc>,
        retention: chrono::Duration,
    ) -> Result<usize, StoreError> {
        self.gate()?;
        self.inner.delete_expired(now, retention).await
    }
}

#[async_trait]
impl SourceStateReader for FailingStore {
    async fn source_states(&self) -> Result<Vec<SourceState>, StoreError> {
        self.gate()?;
        self.inner.source_states().await
    }
}

#[async_trait]
impl SourceStateStore for FailingStore {
    async fn source_state(&self, name: &str) -> Result<Option<SourceState>, StoreError> {
        self.gate()?;
        self.inner.source_state(name).await
    }
    async fn put_source_state(&self, state: &SourceState) -> Result<(), StoreError> {
        self.gate()?;
        self.inner.put_source_state(state).await
    }
    async fn reset_ingest_counts(&self, name: &str) -> Result<(), StoreError> {
        self.gate()?;
        self.inner.reset_ingest_counts(name).await
    }
}

#[async_trait]
impl IngestCounter for FailingStore {
    async fn add_ingest_counts(
        &self,
        name: &str,
        new: u64,
        changed: u64,
    ) -> Result<(), StoreError> {
        self.gate()?;
        self.inner.add_ingest_counts(name, new, changed).await
    }
}

#[tokio::test]
async fn a_store_outage_mid_batch_fails_the_rest_of_the_batch_and_redelivery_stores_each_posting_once()
 {
    let aws = moto().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    // Ten messages of three new postings each: one write each.
    let batch: Vec<(String, String)> = (0..10)
        .map(|m| (format!("m{m}"), postings_body(postings(m * 3, 3, now()))))
        .collect();
    let reference = clean_run(&dynamo, std::slice::from_ref(&batch)).await;
    assert_eq!(reference.len(), 30);

    let store = FailingStore {
        inner: DynamoStore::new(dynamo.clone(), fresh_table(&dynamo).await),
        writes: AtomicUsize::new(0),
        fail_at: AtomicUsize::new(4),
        down: AtomicBool::new(false),
    };
    let config = IngestConfig::default();
    let ingest = Ingest {
        postings: &store,
        states: &store,
        counts: &store,
        config: &config,
    };
    let response = handle(&ingest, event(&batch), now()).await;
    // The fourth message's write landed but its answer was lost; it and every later one
    // come back; the three before it are done.
    let expected: Vec<String> = (3..10).map(|m| format!("m{m}")).collect();
    assert_eq!(failed(&response), expected);
    let landed = stored(&store.inner).await;
    assert_eq!(
        landed.len(),
        12,
        "three messages stored, plus the lost-answer write"
    );

    // The store is back: SQS delivers the failed messages again, then (at least once)
    // the whole batch once more.
    store.restore();
    let again: Vec<(String, String)> = batch
        .iter()
        .filter(|(id, _)| expected.contains(id))
        .cloned()
        .collect();
    assert!(failed(&handle(&ingest, event(&again), now()).await).is_empty());
    let after = stored(&store.inner).await;
    assert_eq!(summary(&after), summary(&reference));
    assert_eq!(after, reference, "nothing lost, nothing doubled");
    assert!(failed(&handle(&ingest, event(&batch), now()).await).is_empty());
    let after = stored(&store.inner).await;
    assert_eq!(after, reference);
    assert!(after.iter().all(|p| p.revision == reference[0].revision));
}

#[tokio::test]
async fn redelivered_and_out_of_order_batches_end_in_the_state_of_one_in_order_delivery() {
    let aws = moto().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let t1 = now() - chrono::Duration::hours(6);
    let t2 = now() - chrono::Duration::hours(3);
    // Crawl 1 lists six postings. Crawl 2: the second one changed its title, the last one
    // is gone and a new one appeared.
    let first = postings(0, 6, t1);
    let mut second = postings(0, 5, t2);
    second[1].title = format!("{} (Senior)", second[1].title);
    jobfeed::identity::stamp(&mut second[1]);
    second.extend(postings(6, 1, t2));
    // Crawl 1 closes nothing; crawl 2 sends what changed or is new, and closes the last one.
    let crawl1 = vec![
        ("c1-postings".to_owned(), postings_body(first.clone())),
        ("c1-close".to_owned(), close_body(t1, &[])),
    ];
    let crawl2 = vec![
        (
            "c2-postings".to_owned(),
            postings_body(vec![second[1].clone(), second[5].clone()]),
        ),
        ("c2-close".to_owned(), close_body(t2, &[&first[5]])),
    ];
    let reference = clean_run(&dynamo, &[crawl1.clone(), crawl2.clone()]).await;
    let closed: Vec<&str> = reference
        .iter()
        .filter(|p| p.posting.closed_at.is_some())
        .map(|p| p.posting.id.as_str())
        .collect();
    assert_eq!(
        closed,
        [first[5].id.as_str()],
        "only the dropped posting is closed"
    );

    // Crawl 1's batch twice, then crawl 2's, then crawl 1's close and postings again,
    // late: the older copies must change nothing.
    let stale = vec![crawl1[1].clone(), crawl1[0].clone()];
    let replayed = clean_run(&dynamo, &[crawl1.clone(), crawl1, crawl2, stale]).await;
    assert_eq!(summary(&replayed), summary(&reference));
    assert_eq!(replayed, reference);
}

#[tokio::test]
async fn throttled_calls_are_retried_with_backoff_then_reported_as_a_retryable_batch_item_failure()
{
    let aws = moto().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let table = fresh_table(&dynamo).await;
    const THROTTLED: usize = 2;
    let proxy = FaultProxy::start(|call| {
        if call.target.starts_with("DynamoDB_20120810.") && call.number <= THROTTLED {
            Fault::Reply {
                status: 400,
                body: aws_error(
                    "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                    "The level of configured provisioned throughput for the table was exceeded.",
                ),
            }
        } else {
            Fault::Forward
        }
    })
    .await;
    let throttled = DynamoStore::new(proxy.dynamodb(&aws), table.clone());
    let config = IngestConfig::default();
    let ingest = Ingest {
        postings: &throttled,
        states: &throttled,
        counts: &throttled,
        config: &config,
    };

    // The first two calls of each operation are throttled (`Call::number` counts per
    // operation): the SDK's retries absorb them and the message succeeds.
    let first = vec![("m1".to_owned(), postings_body(postings(0, 3, now())))];
    let response = handle(&ingest, event(&first), now()).await;
    assert!(failed(&response).is_empty());
    assert_eq!(
        proxy.calls("DynamoDB_20120810.Query"),
        THROTTLED + 1 + 3,
        "the index Query took three attempts, each posting's fingerprint Query one"
    );
    let direct = DynamoStore::new(dynamo.clone(), table);
    assert_eq!(stored(&direct).await.len(), 3);

    // Throttled without end: a bounded number of attempts, then the message comes back.
    proxy.set_rule(|call| {
        if call.target.starts_with("DynamoDB_20120810.") {
            Fault::Reply {
                status: 400,
                body: aws_error(
                    "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                    "Rate of requests exceeds the allowed throughput.",
                ),
            }
        } else {
            Fault::Forward
        }
    });
    let queries = proxy.calls("DynamoDB_20120810.Query");
    let second = vec![("m2".to_owned(), postings_body(postings(3, 3, now())))];
    let started = Instant::now();
    let response = handle(&ingest, event(&second), now()).await;
    assert_eq!(failed(&response), ["m2"]);
    assert_eq!(
        proxy.calls("DynamoDB_20120810.Query") - queries,
        SDK_MAX_ATTEMPTS as usize,
        "one Query, retried up to the bound, then given up"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let message = IngestMessage::from_json(&second[0].1).unwrap();
    let ports = IngestPorts {
        postings: &throttled,
        states: &throttled,
        counts: &throttled,
    };
    let error = handle_message(ports, message, now(), &config)
        .await
        .unwrap_err();
    assert!(error.is_retryable(), "{error}");
    assert!(error.to_string().contains("ThrottlingException"), "{error}");
    assert_eq!(stored(&direct).await.len(), 3, "nothing of m2 half-written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_messages_go_to_the_dead_letter_queue_while_their_neighbours_are_stored() {
    let aws = moto().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let queues = create_queues(&sqs).await;
    let url = queues.url("PostingsQueue");
    let max_receive = queues.max_receive["PostingsQueue"] as usize;
    let store = DynamoStore::new(dynamo.clone(), fresh_table(&dynamo).await);

    let good = [postings(0, 3, now()), postings(3, 3, now())];
    let poison = [
        // Not JSON.
        "}{ not json".to_owned(),
        // JSON of the wrong schema: an unknown message type, and postings that are not.
        r#"{"type":"job_postings","source":"gitlab","postings":[]}"#.to_owned(),
        r#"{"type":"postings","source":"gitlab","postings":[{"id":42,"title":null}]}"#.to_owned(),
        // An enormous body (~1 MB, within SQS's 1 MiB limit) that is not a message.
        format!(
            r#"{{"type":"postings","source":"gitlab","postings":["{}"]}}"#,
            "x".repeat(1_000_000)
        ),
    ];
    let bodies = [
        postings_body(good[0].clone()),
        poison[0].clone(),
        poison[1].clone(),
        poison[2].clone(),
        poison[3].clone(),
        postings_body(good[1].clone()),
    ];
    for body in &bodies {
        sqs.send_message()
            .queue_url(url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }

    let config = IngestConfig::default();
    let ingest = Ingest {
        postings: &store,
        states: &store,
        counts: &store,
        config: &config,
    };
    let mut failures = 0;
    let deadline = Instant::now() + Duration::from_secs(25);
    while depth(&sqs, url).await > 0 {
        assert!(
            Instant::now() < deadline,
            "the postings queue never drained"
        );
        let event = poll(&sqs, url).await;
        let response = handle(&ingest, event.clone(), now()).await;
        failures += response.batch_item_failures.len();
        settle(&sqs, url, &event, &response).await;
    }
    assert_eq!(
        failures,
        poison.len() * max_receive,
        "failed on every delivery"
    );

    let mut dead = Vec::new();
    let dlq = queues.url("PostingsDeadLetterQueue");
    while dead.len() < poison.len() {
        assert!(Instant::now() < deadline, "dead letters: {}", dead.len());
        let event = poll(&sqs, dlq).await;
        dead.extend(event.records.into_iter().map(|r| r.body.unwrap()));
    }
    dead.sort();
    let mut expected = poison.to_vec();
    expected.sort();
    assert_eq!(
        dead, expected,
        "exactly the poison messages are dead letters"
    );
    let mut ids: Vec<String> = stored(&store)
        .await
        .into_iter()
        .map(|p| p.posting.id)
        .collect();
    let mut want: Vec<String> = good.iter().flatten().map(|p| p.id.clone()).collect();
    ids.sort();
    want.sort();
    assert_eq!(ids, want, "the poison messages' neighbours are stored");
}
