//! The DynamoDB store against moto_server (started by `scripts/test`): the conformance
//! suite on a fresh table per test, and the cost goals of the ingest path and the list API.

mod store_conformance;

use std::sync::atomic::{AtomicUsize, Ordering};

use jobfeed::JobPosting;
use jobfeed::app::ingest::{self, Incoming, IngestConfig, IngestPorts};
use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};
use jobfeed::store::facets::counters::CounterDeltas;
use jobfeed::store::{ListQuery, PostingReader, StoreError, source_index};
use store_conformance::{Capabilities, posting, t};

/// A store on a new, uniquely named table. Fails (never skips) without moto: the tests
/// must run through `scripts/test`, which starts it.
async fn fresh_store() -> DynamoStore {
    static TABLES: AtomicUsize = AtomicUsize::new(0);
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL").is_some(),
        "AWS_ENDPOINT_URL is not set: the DynamoDB tests need moto_server; run scripts/test, \
         which starts it and points the AWS SDK at it"
    );
    let client = client_from_env().await;
    let table = format!(
        "jobfeed-test-{}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default(),
        TABLES.fetch_add(1, Ordering::Relaxed)
    );
    create_table(&client, &table).await.unwrap();
    DynamoStore::new(client, table)
}

conformance_tests!(
    fresh_store(),
    Capabilities {
        deletes_expired: false
    }
);

/// Ingests normalized postings (without list marks).
async fn ingest_postings(
    store: &DynamoStore,
    postings: Vec<JobPosting>,
    now: chrono::DateTime<chrono::Utc>,
) -> ingest::IngestReport {
    let incoming = postings.into_iter().map(Incoming::from).collect();
    ingest::ingest_postings(store, incoming, now, &IngestConfig::default())
        .await
        .unwrap()
}

fn snapshot(n: usize) -> Vec<JobPosting> {
    (0..n)
        .map(|i| posting("gh", &i.to_string(), &format!("Backend Engineer {i}"), t(0)))
        .collect()
}

/// The postings of one source's snapshot in the cost tests below. The costs are per posting
/// (BENCHMARKS.md has them at 1,000); moto_server answers a Query by reading the whole table,
/// so a larger snapshot only makes the run longer.
const SNAPSHOT: usize = 250;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reingesting_an_unchanged_snapshot_writes_nothing_and_reads_one_index() {
    let store = fresh_store().await;
    let postings = snapshot(SNAPSHOT);
    ingest_postings(&store, postings.clone(), t(1)).await;
    let refetched: Vec<JobPosting> = postings
        .into_iter()
        .map(|p| JobPosting {
            fetched_at: t(5),
            ..p
        })
        .collect();
    let (before, estimated_before) = (store.usage(), store.estimated_usage());
    let report = ingest_postings(&store, refetched, t(6)).await;
    let cost = store.usage().since(&before);
    let estimated = store.estimated_usage().since(&estimated_before);
    println!("unchanged {SNAPSHOT}: {cost:?}; estimated by DynamoDB's rules: {estimated:?}");
    assert_eq!(report.unchanged, SNAPSHOT as u64);
    assert_eq!(cost.items_written, 0, "no writes");
    // One Query of the source's index. DynamoDB pages a Query at 1 MB of index entries (one
    // page here); moto pages at 1 MB of whole items, and these are ~1 KB.
    assert!(cost.requests <= 2, "{cost:?}");
    assert_eq!(cost.items_read, SNAPSHOT as u64);
    // Entries of ~120 bytes (the test source's name is short), read eventually consistently
    // (half a unit per 4 KB), plus one rounding more for moto's page: the goal was
    // at most ~20 read units for 1,000 postings.
    assert!(
        estimated.read_units <= 20.0 * SNAPSHOT as f64 / 1000.0,
        "{} read units for {SNAPSHOT} postings",
        estimated.read_units
    );
    assert_eq!(estimated.write_units, 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inserting_new_postings_is_one_conditional_put_each() {
    let store = fresh_store().await;
    let (before, estimated_before) = (store.usage(), store.estimated_usage());
    let report = ingest_postings(&store, snapshot(SNAPSHOT), t(1)).await;
    let cost = store.usage().since(&before);
    let estimated = store.estimated_usage().since(&estimated_before);
    println!("new {SNAPSHOT}: {cost:?}; estimated by DynamoDB's rules: {estimated:?}");
    assert_eq!(report.new, SNAPSHOT as u64);
    let n = SNAPSHOT as u64;
    // The facet counter cells the batch changes, one UpdateItem each: these postings share
    // every value, so 6 scopes of 9 cells (`store::facets::counters`).
    let mut deltas = CounterDeltas::default();
    for p in snapshot(SNAPSHOT) {
        deltas.record(None, Some(&p));
    }
    let cells = deltas.len() as u64;
    assert_eq!(cells, 54);
    // A PutItem per posting, one UpdateItem recording the month in `list_buckets`, one
    // PutItem per filter index item (these postings have four: seniority, category,
    // workplace, country; full time has none) and one UpdateItem per counter cell.
    assert_eq!(cost.items_written, n + 1 + 4 * n + cells);
    // Plus one index Query of the source and one Query per new fingerprint (duplicates).
    assert_eq!(cost.requests, n + 1 + 4 * n + cells + 1 + n);
    // Each posting (about 1 KB here: one or two units) and its three index entries (a unit
    // each), the months item one more, each filter item (~300 bytes) and its `by_filter`
    // entry a unit each, and a unit per counter cell.
    let fixed = 1.0 + cells as f64;
    let n = n as f64;
    assert!(
        (12.0 * n + fixed..=13.0 * n + fixed).contains(&estimated.write_units),
        "{estimated:?}"
    );
    // The source's empty index and the groups of one posting: half a unit a Query.
    assert_eq!(estimated.read_units, 0.5 + n * 0.5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_50_postings_costs_at_most_3_requests() {
    let store = fresh_store().await;
    ingest_postings(&store, snapshot(300), t(1)).await;
    let query = ListQuery::default();
    let before = store.usage();
    let estimated_before = store.estimated_usage();
    let first = store.list(&query, 50, None).await.unwrap();
    let cost = store.usage().since(&before);
    let estimated = store.estimated_usage().since(&estimated_before);
    println!("first page of 50: {cost:?}; estimated: {estimated:?}");
    assert_eq!(first.items.len(), 50);
    assert!(
        cost.requests <= 3,
        "GetItem months, Query, BatchGetItem: {cost:?}"
    );
    let before = store.usage();
    let second = store
        .list(&query, 50, first.next_cursor.as_deref())
        .await
        .unwrap();
    let cost = store.usage().since(&before);
    println!("next page of 50: {cost:?}");
    assert_eq!(second.items.len(), 50);
    assert!(cost.requests <= 2, "Query, BatchGetItem: {cost:?}");
    assert!(cost.items_read <= 51 + 50, "{cost:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filter_that_matches_nothing_reads_a_bounded_amount_per_page() {
    let store = fresh_store().await;
    ingest_postings(&store, snapshot(200), t(1)).await;
    let query = ListQuery {
        q: Some("haskell".into()),
        ..ListQuery::default()
    };
    let mut cursor: Option<String> = None;
    let mut calls = 0;
    loop {
        let before = store.usage();
        let page = store.list(&query, 5, cursor.as_deref()).await.unwrap();
        let cost = store.usage().since(&before);
        calls += 1;
        assert!(page.items.is_empty());
        // 5 × (5 + 1) index items, plus the one-item months list on the first call.
        assert!(cost.items_read <= 31, "call {calls}: {cost:?}");
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(calls < 100);
    }
    assert!(calls >= 200 / 30, "the walk took short pages: {calls}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_megabyte_description_is_truncated_to_fit_the_item_limit() {
    let store = fresh_store().await;
    let mut big = posting("gh", "big", "Backend Engineer", t(0));
    big.description_html = format!("<p>{}</p>", "Rust and Go. ".repeat(80_000));
    big.description_text = "Rust and Go. ".repeat(80_000);
    ingest_postings(&store, vec![big.clone()], t(1)).await;
    let stored = store.get_many(&[big.id.clone()]).await.unwrap().remove(0);
    assert!(stored.description_truncated);
    let kept = stored.posting.description_html.len() + stored.posting.description_text.len();
    assert!((300_000..360_000).contains(&kept), "{kept}");
    assert!(stored.posting.description_html.ends_with("</p>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_table_is_a_permanent_error() {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL").is_some(),
        "run scripts/test"
    );
    let store = DynamoStore::new(client_from_env().await, "jobfeed-no-such-table");
    let err = source_index(&store, "gh").await.unwrap_err();
    assert!(matches!(err, StoreError::Permanent(_)), "{err:?}");
    assert!(
        err.to_string().contains("ResourceNotFoundException"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_snapshot_in_many_messages_reads_the_source_index_about_once() {
    use jobfeed::app::messages::IngestMessage;
    let store = fresh_store().await;
    let postings = snapshot(SNAPSHOT);
    ingest_postings(&store, postings.clone(), t(1)).await;
    // Another source's postings share the table but not the slices.
    let others: Vec<JobPosting> = (0..50)
        .map(|i| posting("lever", &i.to_string(), &format!("Engineer {i}"), t(0)))
        .collect();
    ingest_postings(&store, others, t(1)).await;
    let refetched: Vec<JobPosting> = postings
        .into_iter()
        .rev()
        .map(|p| JobPosting {
            fetched_at: t(5),
            ..p
        })
        .collect();
    // Small messages, so the snapshot takes many of them, as a large crawl does.
    let messages = IngestMessage::postings_batches("gh", refetched, 16 * 1024);
    assert!(messages.len() >= 10, "{} messages", messages.len());
    let (before, estimated_before) = (store.usage(), store.estimated_usage());
    for message in &messages {
        let ports = IngestPorts {
            postings: &store,
            states: &store,
            counts: &store,
        };
        ingest::handle_message(ports, message.clone(), t(6), &IngestConfig::default())
            .await
            .unwrap();
    }
    let cost = store.usage().since(&before);
    let estimated = store.estimated_usage().since(&estimated_before);
    println!(
        "unchanged {SNAPSHOT} in {} messages: {cost:?}; estimated: {estimated:?}",
        messages.len()
    );
    assert_eq!(cost.items_written, 0, "no writes");
    // Each message reads only its own slice of ids: every entry once, none of "lever".
    assert_eq!(cost.items_read, SNAPSHOT as u64);
    // One index read's units (as above), plus at most one 4 KB rounding (half a unit) per
    // message.
    assert!(
        estimated.read_units <= 20.0 * SNAPSHOT as f64 / 1000.0 + 0.5 * messages.len() as f64,
        "{} read units over {} messages",
        estimated.read_units,
        messages.len()
    );
}
