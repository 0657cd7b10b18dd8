//! The store conformance suite: every rule of the ingest/storage contract, run through the
//! `PostingStore`/`SourceStateStore` ports so each adapter proves the same behaviour.
//! Instantiate it with `conformance_tests!(async { make_store() }, capabilities)` in a test
//! file of its own (see `store_memory.rs`).

#![allow(dead_code)]

mod combinations;
mod facet_counts;

// For `conformance_tests!`, which names each test as `store_conformance::<name>` (a test
// file that includes the module only for its helpers leaves it unused).
#[allow(unused_imports)]
pub use combinations::filter_combinations_list_what_the_reference_semantics_select;
#[allow(unused_imports)]
pub use facet_counts::counter_served_facets_equal_the_reference_count_through_every_kind_of_write;

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use jobfeed::JobPosting;
use jobfeed::app::crawl::{Closed, close_unlisted, load_known};
use jobfeed::app::ingest::{self, Handled, Incoming, IngestConfig, IngestPorts, IngestReport};
use jobfeed::app::messages::IngestMessage;
use jobfeed::crawl::known::Seen;
use jobfeed::identity;
use jobfeed::identity::ListMark;
use jobfeed::model::{
    Category, Company, EmploymentType, Location, Salary, SalaryPeriod, Seniority, SourceKind,
    Validators, Workplace,
};
use jobfeed::queue::memory::Collector;
use jobfeed::queue::{Queue, QueueError};
use jobfeed::store::{
    CheckpointStore, CrawlOutcome, IndexEntry, IngestCounter, ListQuery, Page, PostingReader,
    PostingStore, SalaryFloor, SourceIndex, SourceRegistry, SourceState, SourceStateStore,
    StoreError, StoredPosting, UsageSnapshot, Write, WriteOutcome, source_index,
};

/// What an adapter's engine does by itself.
#[derive(Debug, Clone, Copy)]
pub struct Capabilities {
    /// `delete_expired` deletes (false: the engine expires items itself, e.g. DynamoDB TTL).
    pub deletes_expired: bool,
}

/// Instantiates every conformance test for one adapter: `$make` is an async expression that
/// builds a fresh, empty store; `$caps` its `Capabilities`.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr, $caps:expr) => {
        $crate::conformance_tests!(@tests $make, $caps;
            new_postings_are_inserted_with_first_and_last_seen_at_now,
            reingesting_an_unchanged_snapshot_writes_no_posting,
            changed_content_updates_the_posting_keeps_first_seen_and_records_history,
            redelivered_batches_and_older_copies_leave_the_same_state,
            a_complete_crawl_closes_unlisted_postings_and_hides_them_by_default,
            a_partial_crawl_closes_nothing_and_warns,
            a_closed_posting_that_reappears_is_reopened,
            postings_of_two_sources_with_one_fingerprint_are_one_job,
            when_the_canonical_closes_an_open_duplicate_becomes_canonical,
            valid_through_in_the_past_closes_a_posting,
            closed_postings_are_deleted_after_the_retention_period,
            concurrent_ingests_of_one_posting_lose_no_update,
            a_cursor_walk_returns_every_posting_once_while_new_ones_arrive,
            every_filter_selects_exactly_the_postings_the_reference_semantics_match,
            tampered_foreign_and_garbage_cursors_are_bad_cursor_errors,
            conditional_writes_report_conflicts_instead_of_overwriting,
            source_states_round_trip,
            oversized_postings_are_stored_and_listed_never_dropped,
            a_duplicate_missed_by_a_race_is_settled_at_the_next_complete_crawl,
            a_close_of_an_older_crawl_closes_nothing_once_a_newer_crawl_started,
            a_redelivered_close_closes_nothing_more,
            the_parts_of_one_crawl_apply_in_any_order,
            a_close_never_closes_a_posting_fetched_after_its_crawl_started,
            a_crawl_closing_many_postings_sends_parts_that_each_apply,
            list_marks_are_stored_with_postings_and_read_back_from_the_index,
            the_source_index_is_walked_page_by_page_in_id_order,
            checkpoints_of_any_size_round_trip_and_go_when_deleted,
            ingest_counts_add_up_and_the_crawlers_writes_leave_them_alone,
            registry_records_round_trip_are_replaced_by_name_and_listed_in_name_order,
            filter_combinations_list_what_the_reference_semantics_select,
            counter_served_facets_equal_the_reference_count_through_every_kind_of_write,
        );
    };
    (@tests $make:expr, $caps:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let store = $make.await;
                store_conformance::$name(&store, $caps).await;
            }
        )*
    };
}

/// The store interface the suite needs.
pub trait TestStore:
    PostingStore + SourceStateStore + IngestCounter + CheckpointStore + SourceRegistry
{
}
impl<T: PostingStore + SourceStateStore + IngestCounter + CheckpointStore + SourceRegistry>
    TestStore for T
{
}

/// 2026-07-01T00:00Z plus `hours`.
pub fn t(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap() + Duration::hours(hours)
}

fn config() -> IngestConfig {
    IngestConfig::default()
}

/// A realistic posting of `source` with its identity stamped.
pub fn posting(
    source: &str,
    external_id: &str,
    title: &str,
    fetched_at: DateTime<Utc>,
) -> JobPosting {
    let mut p = JobPosting {
        id: String::new(),
        source: source.into(),
        source_kind: SourceKind::Greenhouse,
        external_id: Some(external_id.into()),
        url: format!("https://boards.example.com/{source}/jobs/{external_id}"),
        apply_url: None,
        title: title.into(),
        company: Company {
            name: "Acme".into(),
            url: Some("https://acme.example".into()),
            logo_url: None,
        },
        department: Some("Engineering".into()),
        locations: vec![Location {
            raw: "Berlin, Germany".into(),
            city: Some("Berlin".into()),
            region: None,
            country: Some("DE".into()),
        }],
        workplace: Some(Workplace::Onsite),
        remote_regions: vec![],
        employment_type: Some(EmploymentType::FullTime),
        seniority: Some(Seniority::Senior),
        category: Some(Category::Backend),
        skills: vec!["go".into(), "postgresql".into()],
        salary: Some(Salary {
            min: Some(70000.0),
            max: Some(90000.0),
            currency: Some("EUR".into()),
            period: Some(SalaryPeriod::Year),
        }),
        description_html: format!("<p>{title} at Acme.</p>"),
        description_text: format!("{title} at Acme."),
        posted_at: Some(fetched_at - Duration::hours(1)),
        valid_through: None,
        fetched_at,
        fingerprint: String::new(),
        content_hash: String::new(),
        first_seen_at: None,
        last_seen_at: None,
        closed_at: None,
        duplicate_of: None,
    };
    identity::stamp(&mut p);
    p
}

/// A copy of `p` changed by `change`, with identity re-stamped.
pub fn edited(p: &JobPosting, change: impl FnOnce(&mut JobPosting)) -> JobPosting {
    let mut next = p.clone();
    change(&mut next);
    identity::stamp(&mut next);
    next
}

async fn get(store: &dyn TestStore, id: &str) -> Option<StoredPosting> {
    store
        .get_many(&[id.to_owned()])
        .await
        .unwrap()
        .into_iter()
        .next()
}

async fn all_pages(store: &dyn TestStore, query: &ListQuery, limit: usize) -> Vec<StoredPosting> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10_000 {
        let Page {
            items: page,
            next_cursor,
        } = store.list(query, limit, cursor.as_deref()).await.unwrap();
        assert!(page.len() <= limit, "a page holds at most `limit` items");
        items.extend(page);
        match next_cursor {
            Some(next) => cursor = Some(next),
            None => return items,
        }
    }
    panic!("the cursor walk never ended");
}

/// Ingests normalized postings (without list marks).
async fn ingest_postings(
    store: &dyn PostingStore,
    postings: Vec<JobPosting>,
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<IngestReport, StoreError> {
    let incoming = postings.into_iter().map(Incoming::from).collect();
    ingest::ingest_postings(store, incoming, now, config).await
}

/// What a complete crawl closed.
#[derive(Debug)]
pub struct Completed {
    /// Postings closed.
    pub closed: u64,
    /// Open postings left.
    pub open: u64,
    /// The partial-crawl guard's warning.
    pub warning: Option<String>,
}

/// A complete crawl of `source`, started at `now`, that listed `listed`: the crawl's closing
/// pass (`app::crawl::close_unlisted`) and ingest's handling of every `Close` it sends.
pub async fn complete_crawl(
    store: &dyn TestStore,
    source: &str,
    listed: &[String],
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<Completed, StoreError> {
    let mut seen = Seen::default();
    for id in listed {
        seen.insert(id);
    }
    let known = load_known(store, source).await?;
    let queue = Collector::default();
    let closed = Closed {
        rules: config,
        source,
        started_at: now,
        recheck_since: now - config.recheck_duplicates_for,
        now,
    };
    let closing = close_unlisted(store, &queue, closed, &seen, known.open())
        .await
        .unwrap();
    let mut closed = 0;
    for message in queue.take() {
        let ports = IngestPorts {
            postings: store,
            states: store,
            counts: store,
        };
        if let Handled::Closed(report) = ingest::handle_message(ports, message, now, config).await?
        {
            closed += report.closed;
        }
    }
    assert_eq!(closed, closing.closed, "ingest closes what the crawl sends");
    Ok(Completed {
        closed,
        open: closing.open,
        warning: closing.warning,
    })
}

fn ids(items: &[StoredPosting]) -> Vec<String> {
    let mut ids: Vec<String> = items.iter().map(|p| p.posting.id.clone()).collect();
    ids.sort();
    ids
}

fn usage(store: &dyn TestStore) -> UsageSnapshot {
    store.usage()
}

pub async fn new_postings_are_inserted_with_first_and_last_seen_at_now(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let a = posting("gh", "1", "Senior Backend Engineer", t(0));
    let b = posting("gh", "2", "Staff Backend Engineer", t(0));
    let report = ingest_postings(store, vec![a.clone(), b.clone()], t(1), &config())
        .await
        .unwrap();
    assert_eq!(report.new, 2);
    let stored = get(store, &a.id).await.expect("inserted");
    assert_eq!(stored.posting.first_seen_at, Some(t(1)));
    assert_eq!(stored.posting.last_seen_at, Some(t(1)));
    assert_eq!(stored.posting.closed_at, None);
    assert_eq!(stored.posting.duplicate_of, None);
    assert_eq!(stored.posting.title, a.title);
    assert_eq!(stored.posting.salary, a.salary);
    assert_eq!(stored.posting.description_html, a.description_html);
    assert!(stored.history.is_empty());
    let index = source_index(store, "gh").await.unwrap();
    assert_eq!(index.len(), 2);
    assert!(index.iter().any(|e| e == &IndexEntry::of(&stored)));
    assert!(
        store
            .get_many(&["unknown".into()])
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn reingesting_an_unchanged_snapshot_writes_no_posting(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let snapshot: Vec<JobPosting> = (0..40)
        .map(|i| posting("gh", &i.to_string(), &format!("Backend Engineer {i}"), t(0)))
        .collect();
    ingest_postings(store, snapshot.clone(), t(1), &config())
        .await
        .unwrap();
    // The next crawl fetches the same content later.
    let refetched: Vec<JobPosting> = snapshot
        .iter()
        .map(|p| JobPosting {
            fetched_at: t(5),
            ..p.clone()
        })
        .collect();
    let before = usage(store);
    let report = ingest_postings(store, refetched.clone(), t(6), &config())
        .await
        .unwrap();
    let cost = usage(store).since(&before);
    assert_eq!(report.unchanged, 40);
    assert_eq!(report.new + report.changed, 0);
    assert_eq!(cost.items_written, 0, "unchanged postings cost no writes");
    let ids: Vec<String> = refetched.iter().map(|p| p.id.clone()).collect();
    let complete = complete_crawl(store, "gh", &ids, t(6), &config())
        .await
        .unwrap();
    assert_eq!(complete.closed, 0);
    assert_eq!(complete.open, 40);
    assert_eq!(usage(store).since(&before).items_written, 0);
}

pub async fn changed_content_updates_the_posting_keeps_first_seen_and_records_history(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let first = posting("gh", "1", "Senior Backend Engineer", t(0));
    ingest_postings(store, vec![first.clone()], t(1), &config())
        .await
        .unwrap();
    let raised = edited(&first, |p| {
        p.fetched_at = t(10);
        p.title = "Senior Backend Engineer (Go)".into();
        p.salary = Some(Salary {
            min: Some(80000.0),
            max: Some(100000.0),
            currency: Some("EUR".into()),
            period: Some(SalaryPeriod::Year),
        });
    });
    assert_eq!(raised.id, first.id);
    let report = ingest_postings(store, vec![raised.clone()], t(11), &config())
        .await
        .unwrap();
    assert_eq!(report.changed, 1);
    let stored = get(store, &first.id).await.unwrap();
    assert_eq!(stored.posting.title, "Senior Backend Engineer (Go)");
    assert_eq!(stored.posting.content_hash, raised.content_hash);
    assert_eq!(
        stored.posting.first_seen_at,
        Some(t(1)),
        "first_seen_at is kept"
    );
    assert_eq!(stored.posting.last_seen_at, Some(t(11)));
    assert_eq!(stored.history.len(), 1);
    let change = &stored.history[0];
    assert_eq!(change.changed_at, t(11));
    assert_eq!(change.title, "Senior Backend Engineer");
    assert_eq!(change.salary, first.salary);
    assert_eq!(change.content_hash, first.content_hash);
    assert_eq!(
        change.description_hash,
        identity::hash_hex(&[&first.description_html])
    );
}

pub async fn redelivered_batches_and_older_copies_leave_the_same_state(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let old = posting("gh", "1", "Backend Engineer", t(0));
    let new = edited(&old, |p| {
        p.fetched_at = t(5);
        p.title = "Senior Backend Engineer".into();
    });
    ingest_postings(store, vec![new.clone()], t(6), &config())
        .await
        .unwrap();
    let state = get(store, &new.id).await.unwrap();
    // Redelivery of the same batch, then the older copy arriving late.
    let again = ingest_postings(store, vec![new.clone()], t(7), &config())
        .await
        .unwrap();
    assert_eq!(again.unchanged, 1);
    let late = ingest_postings(store, vec![old.clone()], t(8), &config())
        .await
        .unwrap();
    assert_eq!(late.stale, 1);
    assert_eq!(get(store, &new.id).await.unwrap(), state, "nothing moved");
    // Both copies in one batch: the newer wins whatever the order.
    let other = posting("gh", "2", "Backend Engineer", t(0));
    let other_new = edited(&other, |p| {
        p.fetched_at = t(5);
        p.title = "Principal Backend Engineer".into();
    });
    ingest_postings(
        store,
        vec![other_new.clone(), other.clone()],
        t(9),
        &config(),
    )
    .await
    .unwrap();
    assert_eq!(
        get(store, &other.id).await.unwrap().posting.title,
        "Principal Backend Engineer"
    );
}

pub async fn a_complete_crawl_closes_unlisted_postings_and_hides_them_by_default(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let postings: Vec<JobPosting> = (0..4)
        .map(|i| posting("gh", &i.to_string(), &format!("Engineer {i}"), t(0)))
        .collect();
    ingest_postings(store, postings.clone(), t(1), &config())
        .await
        .unwrap();
    let still: Vec<String> = postings[..3].iter().map(|p| p.id.clone()).collect();
    let report = complete_crawl(store, "gh", &still, t(2), &config())
        .await
        .unwrap();
    assert_eq!(report.closed, 1);
    assert_eq!(report.open, 3);
    assert_eq!(report.warning, None);
    let gone = get(store, &postings[3].id).await.unwrap();
    assert_eq!(gone.posting.closed_at, Some(t(2)));
    let default = all_pages(store, &ListQuery::default(), 10).await;
    assert_eq!(ids(&default), {
        let mut v = still.clone();
        v.sort();
        v
    });
    let with_closed = all_pages(
        store,
        &ListQuery {
            include_closed: true,
            ..ListQuery::default()
        },
        10,
    )
    .await;
    assert_eq!(with_closed.len(), 4);
    // Another source's postings are never closed by this source's crawl.
    let other = posting("lever", "9", "Engineer 9", t(0));
    ingest_postings(store, vec![other.clone()], t(3), &config())
        .await
        .unwrap();
    complete_crawl(store, "gh", &still, t(4), &config())
        .await
        .unwrap();
    assert_eq!(get(store, &other.id).await.unwrap().posting.closed_at, None);
}

pub async fn a_partial_crawl_closes_nothing_and_warns(store: &dyn TestStore, _: Capabilities) {
    let postings: Vec<JobPosting> = (0..10)
        .map(|i| posting("gh", &i.to_string(), &format!("Engineer {i}"), t(0)))
        .collect();
    ingest_postings(store, postings.clone(), t(1), &config())
        .await
        .unwrap();
    let few: Vec<String> = postings[..4].iter().map(|p| p.id.clone()).collect();
    let report = complete_crawl(store, "gh", &few, t(2), &config())
        .await
        .unwrap();
    assert_eq!(report.closed, 0, "4 of 10 is under the 50% guard");
    assert!(
        report
            .warning
            .as_deref()
            .is_some_and(|w| w.contains("partial"))
    );
    assert_eq!(all_pages(store, &ListQuery::default(), 50).await.len(), 10);
    // At the threshold the crawl is trusted.
    let half: Vec<String> = postings[..5].iter().map(|p| p.id.clone()).collect();
    let report = complete_crawl(store, "gh", &half, t(3), &config())
        .await
        .unwrap();
    assert_eq!(report.closed, 5);
    assert_eq!(report.warning, None);
}

pub async fn a_closed_posting_that_reappears_is_reopened(store: &dyn TestStore, _: Capabilities) {
    let keep = posting("gh", "1", "Engineer 1", t(0));
    let flaky = posting("gh", "2", "Engineer 2", t(0));
    ingest_postings(store, vec![keep.clone(), flaky.clone()], t(1), &config())
        .await
        .unwrap();
    complete_crawl(store, "gh", std::slice::from_ref(&keep.id), t(2), &config())
        .await
        .unwrap();
    assert!(
        get(store, &flaky.id)
            .await
            .unwrap()
            .posting
            .closed_at
            .is_some()
    );
    let back = JobPosting {
        fetched_at: t(3),
        ..flaky.clone()
    };
    let report = ingest_postings(store, vec![back], t(4), &config())
        .await
        .unwrap();
    assert_eq!(report.reopened, 1);
    let stored = get(store, &flaky.id).await.unwrap();
    assert_eq!(stored.posting.closed_at, None);
    assert_eq!(stored.posting.first_seen_at, Some(t(1)));
    assert_eq!(all_pages(store, &ListQuery::default(), 10).await.len(), 2);
}

pub async fn postings_of_two_sources_with_one_fingerprint_are_one_job(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let board = posting("gh", "1", "Senior Backend Engineer", t(0));
    let aggregator = edited(&posting("wwr", "x-1", "Sr. Back-End Engineer", t(0)), |p| {
        p.company.name = "ACME GmbH".into();
    });
    assert_eq!(
        board.fingerprint, aggregator.fingerprint,
        "same job, other spelling"
    );
    ingest_postings(store, vec![board.clone()], t(1), &config())
        .await
        .unwrap();
    ingest_postings(store, vec![aggregator.clone()], t(2), &config())
        .await
        .unwrap();
    let duplicate = get(store, &aggregator.id).await.unwrap();
    assert_eq!(
        duplicate.posting.duplicate_of.as_deref(),
        Some(board.id.as_str())
    );
    assert_eq!(
        get(store, &board.id).await.unwrap().posting.duplicate_of,
        None
    );
    let default = all_pages(store, &ListQuery::default(), 10).await;
    assert_eq!(
        ids(&default),
        vec![board.id.clone()],
        "duplicates are hidden by default"
    );
    let all = all_pages(
        store,
        &ListQuery {
            include_duplicates: true,
            ..ListQuery::default()
        },
        10,
    )
    .await;
    assert_eq!(all.len(), 2);
    // A second posting of the same source with the same fingerprint is not a duplicate.
    let repost = edited(&board, |p| {
        p.external_id = Some("1-repost".into());
        p.url = "https://boards.example.com/gh/jobs/1-repost".into();
    });
    ingest_postings(store, vec![repost.clone()], t(3), &config())
        .await
        .unwrap();
    assert_eq!(
        get(store, &repost.id).await.unwrap().posting.duplicate_of,
        None
    );
}

pub async fn when_the_canonical_closes_an_open_duplicate_becomes_canonical(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let board = posting("gh", "1", "Senior Backend Engineer", t(0));
    let aggregator = posting("wwr", "x-1", "Senior Backend Engineer", t(0));
    ingest_postings(store, vec![board.clone()], t(1), &config())
        .await
        .unwrap();
    ingest_postings(store, vec![aggregator.clone()], t(2), &config())
        .await
        .unwrap();
    assert!(
        get(store, &aggregator.id)
            .await
            .unwrap()
            .posting
            .duplicate_of
            .is_some()
    );
    complete_crawl(
        store,
        "gh",
        &[],
        t(3),
        &IngestConfig {
            min_complete_ratio: 0.0,
            ..config()
        },
    )
    .await
    .unwrap();
    assert!(
        get(store, &board.id)
            .await
            .unwrap()
            .posting
            .closed_at
            .is_some()
    );
    let promoted = get(store, &aggregator.id).await.unwrap();
    assert_eq!(promoted.posting.duplicate_of, None);
    let default = all_pages(store, &ListQuery::default(), 10).await;
    assert_eq!(ids(&default), vec![aggregator.id.clone()]);
}

pub async fn valid_through_in_the_past_closes_a_posting(store: &dyn TestStore, _: Capabilities) {
    let expired = edited(&posting("gh", "1", "Engineer", t(0)), |p| {
        p.valid_through = Some(t(-1))
    });
    let live = edited(&posting("gh", "2", "Engineer 2", t(0)), |p| {
        p.valid_through = Some(t(5))
    });
    ingest_postings(store, vec![expired.clone(), live.clone()], t(1), &config())
        .await
        .unwrap();
    assert_eq!(
        get(store, &expired.id).await.unwrap().posting.closed_at,
        Some(t(1))
    );
    assert_eq!(get(store, &live.id).await.unwrap().posting.closed_at, None);
    // Once its date passes, the next crawl completion closes it even though it is listed.
    let listed = vec![live.id.clone(), expired.id.clone()];
    let report = complete_crawl(store, "gh", &listed, t(6), &config())
        .await
        .unwrap();
    assert_eq!(report.closed, 1);
    assert_eq!(
        get(store, &live.id).await.unwrap().posting.closed_at,
        Some(t(6))
    );
}

pub async fn closed_postings_are_deleted_after_the_retention_period(
    store: &dyn TestStore,
    caps: Capabilities,
) {
    let gone = posting("gh", "1", "Engineer 1", t(0));
    let open = posting("gh", "2", "Engineer 2", t(0));
    ingest_postings(store, vec![gone.clone(), open.clone()], t(1), &config())
        .await
        .unwrap();
    complete_crawl(
        store,
        "gh",
        std::slice::from_ref(&open.id),
        t(2),
        &IngestConfig {
            min_complete_ratio: 0.0,
            ..config()
        },
    )
    .await
    .unwrap();
    let retention = config().retention;
    let early = ingest::sweep(store, t(2) + retention - Duration::hours(1), &config())
        .await
        .unwrap();
    assert_eq!(early, 0);
    assert!(
        get(store, &gone.id).await.is_some(),
        "kept during the retention period"
    );
    let late = ingest::sweep(store, t(2) + retention + Duration::hours(1), &config())
        .await
        .unwrap();
    if caps.deletes_expired {
        assert_eq!(late, 1);
        assert!(get(store, &gone.id).await.is_none());
    } else {
        assert_eq!(late, 0, "this engine expires items itself");
    }
    assert!(
        get(store, &open.id).await.is_some(),
        "open postings are never deleted"
    );
}

/// Runs another process's ingest between this process's read and its first write, the
/// interleaving that loses updates without conditional writes.
struct Racing<'a> {
    inner: &'a dyn TestStore,
    rival: Mutex<Option<Vec<JobPosting>>>,
}

#[async_trait]
impl SourceIndex for Racing<'_> {
    async fn source_index_page(
        &self,
        source: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        self.inner.source_index_page(source, after, limit).await
    }
}

#[async_trait]
impl PostingReader for Racing<'_> {
    async fn fingerprint_groups(
        &self,
        fingerprints: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        self.inner.fingerprint_groups(fingerprints).await
    }
    async fn get_many(&self, ids: &[String]) -> Result<Vec<StoredPosting>, StoreError> {
        self.inner.get_many(ids).await
    }
    async fn list(
        &self,
        query: &ListQuery,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page, StoreError> {
        self.inner.list(query, limit, cursor).await
    }
    fn usage(&self) -> UsageSnapshot {
        self.inner.usage()
    }
}

#[async_trait]
impl PostingStore for Racing<'_> {
    async fn source_entries(
        &self,
        source: &str,
        ids: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        self.inner.source_entries(source, ids).await
    }
    async fn write(&self, writes: Vec<Write>) -> Result<Vec<WriteOutcome>, StoreError> {
        let rival = self.rival.lock().unwrap().take();
        if let Some(rival) = rival {
            ingest_postings(self.inner, rival, t(20), &config()).await?;
        }
        self.inner.write(writes).await
    }
    async fn delete_expired(
        &self,
        now: DateTime<Utc>,
        retention: Duration,
    ) -> Result<usize, StoreError> {
        self.inner.delete_expired(now, retention).await
    }
}

pub async fn concurrent_ingests_of_one_posting_lose_no_update(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let base = posting("gh", "1", "Backend Engineer", t(0));
    ingest_postings(store, vec![base.clone()], t(1), &config())
        .await
        .unwrap();
    let older = edited(&base, |p| {
        p.fetched_at = t(10);
        p.title = "Senior Backend Engineer".into();
    });
    let newer = edited(&base, |p| {
        p.fetched_at = t(11);
        p.title = "Staff Backend Engineer".into();
    });
    // Process A writes the older copy; process B sneaks the newer one in first.
    let racing = Racing {
        inner: store,
        rival: Mutex::new(Some(vec![newer.clone()])),
    };
    let report = ingest_postings(&racing, vec![older.clone()], t(21), &config())
        .await
        .unwrap();
    assert_eq!(
        report.stale, 1,
        "after the conflict, A sees B's newer copy and stands down"
    );
    let stored = get(store, &base.id).await.unwrap();
    assert_eq!(stored.posting.title, "Staff Backend Engineer");
    assert_eq!(stored.history.len(), 1, "B's update is recorded once");

    // And the other way round: the newer copy wins over a concurrent older one.
    let other = posting("gh", "2", "Backend Engineer", t(0));
    ingest_postings(store, vec![other.clone()], t(1), &config())
        .await
        .unwrap();
    let b_old = edited(&other, |p| {
        p.fetched_at = t(10);
        p.title = "Senior Backend Engineer".into();
    });
    let a_new = edited(&other, |p| {
        p.fetched_at = t(11);
        p.title = "Lead Backend Engineer".into();
    });
    let racing = Racing {
        inner: store,
        rival: Mutex::new(Some(vec![b_old.clone()])),
    };
    let report = ingest_postings(&racing, vec![a_new.clone()], t(21), &config())
        .await
        .unwrap();
    assert_eq!(report.changed, 1);
    let stored = get(store, &other.id).await.unwrap();
    assert_eq!(stored.posting.title, "Lead Backend Engineer");
    assert_eq!(stored.history.len(), 2, "both updates are in the history");
    assert_eq!(stored.history[0].title, "Senior Backend Engineer");

    // Two inserts of a brand-new posting race: one insert, then an update or a no-op.
    let fresh = posting("gh", "3", "Backend Engineer", t(30));
    let fresher = edited(&fresh, |p| {
        p.fetched_at = t(31);
        p.title = "Senior Backend Engineer".into();
    });
    let racing = Racing {
        inner: store,
        rival: Mutex::new(Some(vec![fresh.clone()])),
    };
    ingest_postings(&racing, vec![fresher.clone()], t(32), &config())
        .await
        .unwrap();
    assert_eq!(
        get(store, &fresh.id).await.unwrap().posting.title,
        "Senior Backend Engineer"
    );
}

pub async fn a_cursor_walk_returns_every_posting_once_while_new_ones_arrive(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let first: Vec<JobPosting> = (0..23)
        .map(|i| {
            edited(
                &posting("gh", &format!("a{i}"), &format!("Engineer {i}"), t(0)),
                |p| {
                    // Some share a listing time, so ties are broken by id.
                    p.posted_at = Some(t(-(i % 5)));
                },
            )
        })
        .collect();
    ingest_postings(store, first.clone(), t(1), &config())
        .await
        .unwrap();
    let query = ListQuery::default();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut round = 0;
    loop {
        let page = store.list(&query, 5, cursor.as_deref()).await.unwrap();
        assert!(page.items.len() <= 5);
        seen.extend(page.items.iter().map(|p| p.posting.id.clone()));
        // New postings keep arriving between pages; they are newer than the walk.
        round += 1;
        let late = posting(
            "gh",
            &format!("late{round}"),
            &format!("Late {round}"),
            t(2 + round),
        );
        ingest_postings(store, vec![late], t(2 + round), &config())
            .await
            .unwrap();
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(round < 100, "the walk ends");
    }
    let mut expected: Vec<String> = first.iter().map(|p| p.id.clone()).collect();
    expected.sort();
    let mut walked: Vec<String> = seen
        .iter()
        .filter(|id| expected.contains(id))
        .cloned()
        .collect();
    let before_dedup = walked.len();
    walked.sort();
    walked.dedup();
    assert_eq!(walked.len(), before_dedup, "no posting twice");
    assert_eq!(walked, expected, "every posting once");
}

pub async fn every_filter_selects_exactly_the_postings_the_reference_semantics_match(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let base = |i: usize, title: &str| posting("gh", &format!("f{i}"), title, t(i as i64));
    let postings = vec![
        base(0, "Senior Backend Engineer"),
        edited(&base(1, "Junior Frontend Developer"), |p| {
            p.seniority = Some(Seniority::Junior);
            p.category = Some(Category::Frontend);
            p.skills = vec!["react".into(), "typescript".into()];
            p.salary = Some(Salary {
                min: Some(40000.0),
                max: Some(50000.0),
                currency: Some("EUR".into()),
                period: Some(SalaryPeriod::Year),
            });
        }),
        edited(&base(2, "Staff Platform Engineer"), |p| {
            p.company.name = "Globex".into();
            p.workplace = Some(Workplace::Remote);
            p.remote_regions = vec!["US".into()];
            p.locations = vec![];
            p.seniority = Some(Seniority::Staff);
            p.category = Some(Category::Devops);
            p.skills = vec!["go".into(), "kubernetes".into()];
            p.salary = Some(Salary {
                min: Some(180000.0),
                max: Some(220000.0),
                currency: Some("USD".into()),
                period: Some(SalaryPeriod::Year),
            });
        }),
        edited(&base(3, "Backend Engineer (Rust)"), |p| {
            p.company.name = "Initech".into();
            p.workplace = Some(Workplace::Remote);
            p.locations = vec![];
            p.employment_type = Some(EmploymentType::Contract);
            p.skills = vec!["postgresql".into(), "rust".into()];
            p.salary = None;
        }),
        edited(&base(4, "Data Engineer"), |p| {
            p.workplace = Some(Workplace::Hybrid);
            p.category = Some(Category::Data);
            p.seniority = Some(Seniority::Mid);
            p.locations = vec![Location {
                raw: "London, UK".into(),
                city: Some("London".into()),
                region: None,
                country: Some("GB".into()),
            }];
            p.skills = vec!["python".into(), "sql".into()];
            p.salary = Some(Salary {
                min: Some(60000.0),
                max: Some(75000.0),
                currency: Some("GBP".into()),
                period: Some(SalaryPeriod::Year),
            });
        }),
        edited(&base(5, "Senior Go Developer"), |p| {
            p.skills = vec!["c#".into(), "go".into()];
        }),
    ];
    ingest_postings(store, postings.clone(), t(10), &config())
        .await
        .unwrap();
    // Close one so the closed filter has something to hide.
    let open_ids: Vec<String> = postings[..5].iter().map(|p| p.id.clone()).collect();
    complete_crawl(store, "gh", &open_ids, t(11), &config())
        .await
        .unwrap();
    let everything = all_pages(
        store,
        &ListQuery {
            include_closed: true,
            include_duplicates: true,
            ..ListQuery::default()
        },
        100,
    )
    .await;
    assert_eq!(everything.len(), 6);

    let queries = vec![
        ListQuery::default(),
        ListQuery {
            q: Some("backend engineer".into()),
            ..ListQuery::default()
        },
        ListQuery {
            q: Some("GLOBEX".into()),
            ..ListQuery::default()
        },
        ListQuery {
            q: Some("c#".into()),
            include_closed: true,
            ..ListQuery::default()
        },
        ListQuery {
            company: Some("acme".into()),
            ..ListQuery::default()
        },
        ListQuery {
            skills: vec!["go".into()],
            ..ListQuery::default()
        },
        ListQuery {
            skills: vec!["go".into(), "kubernetes".into()],
            ..ListQuery::default()
        },
        ListQuery {
            seniority: Some(Seniority::Senior),
            ..ListQuery::default()
        },
        ListQuery {
            category: Some(Category::Backend),
            ..ListQuery::default()
        },
        ListQuery {
            workplace: Some(Workplace::Remote),
            ..ListQuery::default()
        },
        ListQuery {
            country: Some("US".into()),
            ..ListQuery::default()
        },
        ListQuery {
            country: Some("DE".into()),
            ..ListQuery::default()
        },
        ListQuery {
            country: Some("GB".into()),
            ..ListQuery::default()
        },
        ListQuery {
            employment_type: Some(EmploymentType::Contract),
            ..ListQuery::default()
        },
        ListQuery {
            salary_min: Some(SalaryFloor {
                amount: 85000.0,
                currency: "EUR".into(),
            }),
            ..ListQuery::default()
        },
        ListQuery {
            salary_min: Some(SalaryFloor {
                amount: 200000.0,
                currency: "USD".into(),
            }),
            ..ListQuery::default()
        },
        ListQuery {
            since: Some(t(2)),
            ..ListQuery::default()
        },
        ListQuery {
            include_closed: true,
            ..ListQuery::default()
        },
        ListQuery {
            workplace: Some(Workplace::Remote),
            skills: vec!["go".into()],
            country: Some("US".into()),
            ..ListQuery::default()
        },
        ListQuery {
            category: Some(Category::Backend),
            seniority: Some(Seniority::Senior),
            company: Some("Acme".into()),
            include_closed: true,
            ..ListQuery::default()
        },
        ListQuery {
            q: Some("engineer".into()),
            workplace: Some(Workplace::Onsite),
            ..ListQuery::default()
        },
    ];
    for query in queries {
        let expected: Vec<String> = {
            let mut v: Vec<String> = everything
                .iter()
                .filter(|p| query.matches(&p.posting))
                .map(|p| p.posting.id.clone())
                .collect();
            v.sort();
            v
        };
        for limit in [1, 2, 50] {
            let got = all_pages(store, &query, limit).await;
            assert_eq!(ids(&got), expected, "{query:?} limit {limit}");
            let order: Vec<DateTime<Utc>> = got
                .iter()
                .map(|p| jobfeed::store::listed_at(&p.posting))
                .collect();
            assert!(
                order.windows(2).all(|w| w[0] >= w[1]),
                "newest first: {query:?}"
            );
        }
    }
    // Spot checks that the reference semantics are what a user expects.
    let us = all_pages(
        store,
        &ListQuery {
            country: Some("US".into()),
            ..ListQuery::default()
        },
        10,
    )
    .await;
    let us_titles: Vec<&str> = us.iter().map(|p| p.posting.title.as_str()).collect();
    assert!(
        us_titles.contains(&"Staff Platform Engineer"),
        "remote, US only"
    );
    assert!(
        us_titles.contains(&"Backend Engineer (Rust)"),
        "remote anywhere"
    );
    assert!(
        !us_titles.contains(&"Senior Backend Engineer"),
        "onsite in Berlin"
    );
}

pub async fn tampered_foreign_and_garbage_cursors_are_bad_cursor_errors(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let postings: Vec<JobPosting> = (0..6)
        .map(|i| posting("gh", &i.to_string(), &format!("Engineer {i}"), t(i)))
        .collect();
    ingest_postings(store, postings, t(10), &config())
        .await
        .unwrap();
    let query = ListQuery::default();
    let page = store.list(&query, 2, None).await.unwrap();
    let cursor = page.next_cursor.expect("more pages");
    let other_query = ListQuery {
        seniority: Some(Seniority::Senior),
        ..ListQuery::default()
    };
    let foreign = store.list(&other_query, 2, Some(&cursor)).await;
    assert!(
        matches!(foreign, Err(StoreError::BadCursor(_))),
        "{foreign:?}"
    );
    let mut tampered = cursor.clone().into_bytes();
    tampered[2] = if tampered[2] == b'x' { b'y' } else { b'x' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [
        tampered.as_str(),
        "garbage",
        "",
        &cursor[..cursor.len() / 2],
    ] {
        let result = store.list(&query, 2, Some(bad)).await;
        assert!(
            matches!(result, Err(StoreError::BadCursor(_))),
            "{bad:?}: {result:?}"
        );
    }
    assert!(
        store.list(&query, 2, Some(&cursor)).await.is_ok(),
        "the genuine cursor still works"
    );
}

pub async fn conditional_writes_report_conflicts_instead_of_overwriting(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let p = posting("gh", "1", "Engineer", t(0));
    ingest_postings(store, vec![p.clone()], t(1), &config())
        .await
        .unwrap();
    let stored = get(store, &p.id).await.unwrap();
    let mut twice = stored.clone();
    twice.revision = 99;
    let mut stale = stored.clone();
    stale.posting.title = "Overwrite".into();
    stale.revision = stored.revision + 1;
    let outcomes = store
        .write(vec![
            Write::Insert(twice),
            Write::Replace {
                posting: stale,
                expected_revision: stored.revision + 5,
            },
        ])
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        vec![WriteOutcome::Conflict, WriteOutcome::Conflict]
    );
    assert_eq!(
        get(store, &p.id).await.unwrap(),
        stored,
        "nothing was overwritten"
    );
    let mut next = stored.clone();
    next.posting.title = "Renamed".into();
    next.revision = stored.revision + 1;
    let outcomes = store
        .write(vec![Write::Replace {
            posting: next,
            expected_revision: stored.revision,
        }])
        .await
        .unwrap();
    assert_eq!(outcomes, vec![WriteOutcome::Applied]);
    assert_eq!(get(store, &p.id).await.unwrap().posting.title, "Renamed");
}

pub async fn source_states_round_trip(store: &dyn TestStore, _: Capabilities) {
    assert_eq!(store.source_state("gh").await.unwrap(), None);
    let mut state = SourceState {
        name: "gh".into(),
        last_started_at: Some(t(1)),
        last_finished_at: Some(t(2)),
        outcome: Some(CrawlOutcome::Success),
        consecutive_failures: 0,
        next_due_at: Some(t(3)),
        last_error: None,
        warning: Some("partial".into()),
        ..SourceState::default()
    };
    state.validators.insert(
        "https://boards-api.greenhouse.io/v1/boards/acme/jobs".into(),
        Validators {
            etag: Some("\"abc\"".into()),
            last_modified: None,
        },
    );
    state.counts.open = 12;
    store.put_source_state(&state).await.unwrap();
    let other = SourceState {
        name: "aaa".into(),
        ..SourceState::default()
    };
    store.put_source_state(&other).await.unwrap();
    assert_eq!(store.source_state("gh").await.unwrap(), Some(state.clone()));
    let names: Vec<String> = store
        .source_states()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, vec!["aaa".to_owned(), "gh".to_owned()]);
    state.consecutive_failures = 3;
    store.put_source_state(&state).await.unwrap();
    assert_eq!(
        store
            .source_state("gh")
            .await
            .unwrap()
            .unwrap()
            .consecutive_failures,
        3
    );
}

pub async fn registry_records_round_trip_are_replaced_by_name_and_listed_in_name_order(
    store: &dyn TestStore,
    _: Capabilities,
) {
    use jobfeed::registry::{SourceEntry, SourceStatus};
    assert!(store.registered_sources().await.unwrap().is_empty());
    assert_eq!(store.registered_source("gh").await.unwrap(), None);
    let entry = |name: &str, status, hour| SourceEntry {
        name: name.to_owned(),
        definition: format!(
            "name = \"{name}\"\nkind = \"html\"\nurl = \"https://{name}.example/jobs\"\n\n\
             [listing]\nlinks = \"a[href*='/job/']\"\n"
        ),
        status,
        updated_at: t(hour),
    };
    let gh = entry("gh", SourceStatus::Enabled, 1);
    let many: Vec<SourceEntry> = (0..60)
        .map(|n| entry(&format!("board-{n:02}"), SourceStatus::Disabled, 2))
        .chain([gh.clone()])
        .collect();
    store.put_registered_sources(&many).await.unwrap();
    assert_eq!(
        store.registered_source("gh").await.unwrap(),
        Some(gh.clone())
    );
    let removed = SourceEntry {
        status: SourceStatus::Removed,
        updated_at: t(3),
        ..gh.clone()
    };
    store
        .put_registered_sources(std::slice::from_ref(&removed))
        .await
        .unwrap();
    let all = store.registered_sources().await.unwrap();
    assert_eq!(all.len(), 61);
    let names: Vec<&str> = all.iter().map(|e| e.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "in name order");
    assert_eq!(all.last(), Some(&removed), "replaced by name");
    assert_eq!(all[0], many[0]);
}

pub async fn oversized_postings_are_stored_and_listed_never_dropped(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let huge_html = format!("<p>{}</p>", "Rust and Go. ".repeat(80_000));
    let huge = edited(
        &posting("gh", "big", "Senior Backend Engineer", t(0)),
        |p| {
            p.title = format!("Senior Backend Engineer {}", "x".repeat(5_000));
            p.description_text = huge_html.replace("<p>", "").replace("</p>", "");
            p.description_html = huge_html.clone();
        },
    );
    assert!(huge.description_html.len() > 1_000_000);
    let report = ingest_postings(store, vec![huge.clone()], t(1), &config())
        .await
        .unwrap();
    assert_eq!(report.new, 1);
    let stored = get(store, &huge.id).await.expect("stored, not dropped");
    assert_eq!(stored.posting.title, huge.title);
    assert_eq!(stored.posting.content_hash, huge.content_hash);
    if stored.description_truncated {
        // Cut to fit the engine's item limit: a shorter description whose text is a prefix
        // of the original (an ellipsis may mark the cut).
        let html = &stored.posting.description_html;
        assert!(!html.is_empty() && html.len() < huge.description_html.len());
        let kept = stored.posting.description_text.trim_end_matches('…');
        assert!(!kept.is_empty() && huge.description_text.starts_with(kept));
    } else {
        assert_eq!(stored.posting.description_html, huge.description_html);
        assert_eq!(stored.posting.description_text, huge.description_text);
    }
    // Re-ingesting the same oversized copy is a no-op, not a rewrite loop.
    let again = ingest_postings(store, vec![huge.clone()], t(2), &config())
        .await
        .unwrap();
    assert_eq!(again.unchanged, 1);
    let listed = all_pages(store, &ListQuery::default(), 10).await;
    assert_eq!(ids(&listed), vec![huge.id.clone()]);
}

pub async fn a_duplicate_missed_by_a_race_is_settled_at_the_next_complete_crawl(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let board = posting("gh", "1", "Senior Backend Engineer", t(0));
    let aggregator = posting("wwr", "x-1", "Senior Backend Engineer", t(0));
    ingest_postings(store, vec![board.clone()], t(1), &config())
        .await
        .unwrap();
    // The aggregator's copy lands as if its ingest had not yet seen the board's posting in
    // the fingerprint index: stored without `duplicate_of`.
    let mut missed = StoredPosting {
        posting: aggregator.clone(),
        history: vec![],
        description_truncated: false,
        revision: 1,
        mark: None,
    };
    missed.posting.first_seen_at = Some(t(2));
    missed.posting.last_seen_at = Some(t(2));
    let outcomes = store.write(vec![Write::Insert(missed)]).await.unwrap();
    assert_eq!(outcomes, vec![WriteOutcome::Applied]);
    assert_eq!(
        get(store, &aggregator.id)
            .await
            .unwrap()
            .posting
            .duplicate_of,
        None
    );
    complete_crawl(
        store,
        "wwr",
        std::slice::from_ref(&aggregator.id),
        t(3),
        &config(),
    )
    .await
    .unwrap();
    assert_eq!(
        get(store, &aggregator.id)
            .await
            .unwrap()
            .posting
            .duplicate_of
            .as_deref(),
        Some(board.id.as_str())
    );
}

/// A `Close` of `ids` of source `gh` by the crawl started at `started_at`.
fn close(started_at: DateTime<Utc>, ids: &[&JobPosting]) -> IngestMessage {
    IngestMessage::Close {
        source: "gh".into(),
        started_at,
        ids: ids.iter().map(|p| p.id.clone()).collect(),
        recheck: vec![],
    }
}

/// Hands `message` to ingest at `now`; the postings it closed.
async fn deliver(store: &dyn TestStore, message: IngestMessage, now: DateTime<Utc>) -> Handled {
    let ports = IngestPorts {
        postings: store,
        states: store,
        counts: store,
    };
    ingest::handle_message(ports, message, now, &config())
        .await
        .unwrap()
}

fn closed(handled: &Handled) -> u64 {
    match handled {
        Handled::Closed(report) => report.closed,
        Handled::Postings(_) => panic!("a close report"),
    }
}

/// Records that a crawl of `gh` started at `at`.
async fn crawl_started(store: &dyn TestStore, at: DateTime<Utc>) {
    let mut state = store
        .source_state("gh")
        .await
        .unwrap()
        .unwrap_or(SourceState {
            name: "gh".into(),
            ..SourceState::default()
        });
    state.last_started_at = Some(at);
    store.put_source_state(&state).await.unwrap();
}

pub async fn a_close_of_an_older_crawl_closes_nothing_once_a_newer_crawl_started(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let a = posting("gh", "1", "Engineer 1", t(0));
    ingest_postings(store, vec![a.clone()], t(1), &config())
        .await
        .unwrap();
    crawl_started(store, t(2)).await;
    crawl_started(store, t(3)).await;
    // The crawl of hour 2 did not list `a`; its close comes after the crawl of hour 3
    // (which listed `a`, unchanged, so it wrote nothing) started.
    let handled = deliver(store, close(t(2), &[&a]), t(4)).await;
    assert_eq!(closed(&handled), 0);
    assert!(matches!(&handled, Handled::Closed(r) if r.warning.is_some()));
    assert_eq!(get(store, &a.id).await.unwrap().posting.closed_at, None);
    // The latest crawl's own close applies.
    assert_eq!(closed(&deliver(store, close(t(3), &[&a]), t(5)).await), 1);
}

pub async fn a_redelivered_close_closes_nothing_more(store: &dyn TestStore, _: Capabilities) {
    let a = posting("gh", "1", "Engineer 1", t(0));
    let b = posting("gh", "2", "Engineer 2", t(0));
    ingest_postings(store, vec![a.clone(), b.clone()], t(1), &config())
        .await
        .unwrap();
    crawl_started(store, t(2)).await;
    assert_eq!(closed(&deliver(store, close(t(2), &[&a]), t(3)).await), 1);
    let before = usage(store);
    assert_eq!(closed(&deliver(store, close(t(2), &[&a]), t(4)).await), 0);
    assert_eq!(usage(store).since(&before).items_written, 0);
    assert_eq!(
        get(store, &a.id).await.unwrap().posting.closed_at,
        Some(t(3))
    );
    assert_eq!(get(store, &b.id).await.unwrap().posting.closed_at, None);
}

pub async fn the_parts_of_one_crawl_apply_in_any_order(store: &dyn TestStore, _: Capabilities) {
    let old: Vec<JobPosting> = (0..4)
        .map(|i| posting("gh", &i.to_string(), &format!("Engineer {i}"), t(0)))
        .collect();
    ingest_postings(store, old.clone(), t(1), &config())
        .await
        .unwrap();
    crawl_started(store, t(2)).await;
    // The crawl of hour 2 lists 0 and a new posting 9, not 1, 2 and 3: two close parts and
    // a postings part, delivered in reverse order.
    let new = posting("gh", "9", "Engineer 9", t(2));
    assert_eq!(
        closed(&deliver(store, close(t(2), &[&old[3]]), t(3)).await),
        1
    );
    assert_eq!(
        closed(&deliver(store, close(t(2), &[&old[1], &old[2]]), t(3)).await),
        2
    );
    let message = IngestMessage::Postings {
        source: "gh".into(),
        postings: vec![new.clone()],
    };
    deliver(store, message, t(3)).await;
    let open = all_pages(store, &ListQuery::default(), 10).await;
    assert_eq!(ids(&open), {
        let mut v = vec![old[0].id.clone(), new.id.clone()];
        v.sort();
        v
    });
}

pub async fn a_close_never_closes_a_posting_fetched_after_its_crawl_started(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let a = posting("gh", "1", "Engineer 1", t(0));
    ingest_postings(store, vec![a.clone()], t(1), &config())
        .await
        .unwrap();
    // Written again (changed) from a copy fetched at hour 5, after the crawl of hour 4
    // that did not list it started.
    let changed = edited(&a, |p| {
        p.title = "Senior Engineer 1".into();
        p.fetched_at = t(5);
    });
    ingest_postings(store, vec![changed], t(5), &config())
        .await
        .unwrap();
    assert_eq!(closed(&deliver(store, close(t(4), &[&a]), t(6)).await), 0);
    assert_eq!(get(store, &a.id).await.unwrap().posting.closed_at, None);
}

/// A queue that keeps what is sent, with a small message limit.
struct SmallQueue(Collector<IngestMessage>);

#[async_trait]
impl Queue<IngestMessage> for SmallQueue {
    async fn send(&self, messages: Vec<IngestMessage>) -> Result<(), QueueError> {
        self.0.send(messages).await
    }

    fn max_message_bytes(&self) -> Option<usize> {
        Some(2048)
    }
}

pub async fn a_crawl_closing_many_postings_sends_parts_that_each_apply(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let postings: Vec<JobPosting> = (0..300)
        .map(|i| posting("gh", &i.to_string(), &format!("Engineer {i}"), t(0)))
        .collect();
    ingest_postings(store, postings.clone(), t(1), &config())
        .await
        .unwrap();
    // The crawl lists the first 200: 100 to close, more than one small message holds.
    let mut seen = Seen::default();
    for p in &postings[..200] {
        seen.insert(&p.id);
    }
    let queue = SmallQueue(Collector::default());
    let end = Closed {
        rules: &config(),
        source: "gh",
        started_at: t(2),
        recheck_since: t(2),
        now: t(2),
    };
    let closing = close_unlisted(store, &queue, end, &seen, 300)
        .await
        .unwrap();
    assert_eq!(
        (closing.closed, closing.open, closing.warning),
        (100, 200, None)
    );
    let messages = queue.0.take();
    assert!(messages.len() > 1, "{} messages", messages.len());
    assert_eq!(closing.messages, messages.len());
    let mut total = 0;
    for message in messages {
        assert!(message.to_json().len() <= 2048);
        total += closed(&deliver(store, message, t(3)).await);
    }
    assert_eq!(total, 100);
    assert_eq!(
        all_pages(store, &ListQuery::default(), 100).await.len(),
        200
    );
}

pub async fn list_marks_are_stored_with_postings_and_read_back_from_the_index(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let a = posting("gh", "1", "Engineer 1", t(0));
    let mark = ListMark {
        key: u64::MAX - 1,
        hint: 42,
    };
    let incoming = vec![Incoming {
        posting: a.clone(),
        mark: Some(mark),
    }];
    ingest::ingest_postings(store, incoming, t(1), &config())
        .await
        .unwrap();
    assert_eq!(get(store, &a.id).await.unwrap().mark, Some(mark));
    let entries = store
        .source_entries("gh", std::slice::from_ref(&a.id))
        .await
        .unwrap();
    assert_eq!(entries[0].mark, Some(mark));
    // A newer copy with another mark and the same content: the mark alone is written.
    let hint = ListMark { hint: 43, ..mark };
    let newer = Incoming {
        posting: JobPosting {
            fetched_at: t(2),
            ..a.clone()
        },
        mark: Some(hint),
    };
    let report = ingest::ingest_postings(store, vec![newer], t(2), &config())
        .await
        .unwrap();
    assert_eq!((report.marked, report.changed), (1, 0));
    let stored = get(store, &a.id).await.unwrap();
    assert_eq!(stored.mark, Some(hint));
    assert!(stored.history.is_empty());
    let known = load_known(store, "gh").await.unwrap();
    assert!(known.unchanged(mark.key, 43, jobfeed::crawl::known::Refresh::NEVER));
}

pub async fn the_source_index_is_walked_page_by_page_in_id_order(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let postings: Vec<JobPosting> = (0..25)
        .map(|i| posting("gh", &i.to_string(), &format!("Engineer {i}"), t(0)))
        .chain([posting("lever", "x", "Engineer x", t(0))])
        .collect();
    ingest_postings(store, postings.clone(), t(1), &config())
        .await
        .unwrap();
    let mut walked = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .source_index_page("gh", after.as_deref(), 10)
            .await
            .unwrap();
        assert!(page.len() <= 10);
        walked.extend(page.iter().map(|e| e.id.clone()));
        if page.len() < 10 {
            break;
        }
        after = page.last().map(|e| e.id.clone());
    }
    let mut expected: Vec<String> = postings[..25].iter().map(|p| p.id.clone()).collect();
    expected.sort();
    assert_eq!(
        walked, expected,
        "every posting of the source once, in id order"
    );
}

pub async fn checkpoints_of_any_size_round_trip_and_go_when_deleted(
    store: &dyn TestStore,
    _: Capabilities,
) {
    assert_eq!(store.checkpoint("gh").await.unwrap(), None);
    // Over a megabyte: more than one DynamoDB item holds.
    let big: Vec<u8> = (0..1_200_000u32).map(|i| (i % 251) as u8).collect();
    store.put_checkpoint("gh", &big).await.unwrap();
    store.put_checkpoint("lever", b"other").await.unwrap();
    assert_eq!(store.checkpoint("gh").await.unwrap(), Some(big));
    // A smaller save replaces it whole.
    store.put_checkpoint("gh", b"small").await.unwrap();
    assert_eq!(
        store.checkpoint("gh").await.unwrap().as_deref(),
        Some(&b"small"[..])
    );
    store.delete_checkpoint("gh").await.unwrap();
    assert_eq!(store.checkpoint("gh").await.unwrap(), None);
    assert_eq!(
        store.checkpoint("lever").await.unwrap().as_deref(),
        Some(&b"other"[..])
    );
    // Deleting what is not there is no error.
    store.delete_checkpoint("gh").await.unwrap();
}

pub async fn ingest_counts_add_up_and_the_crawlers_writes_leave_them_alone(
    store: &dyn TestStore,
    _: Capabilities,
) {
    let mut state = SourceState {
        name: "gh".into(),
        ..SourceState::default()
    };
    store.put_source_state(&state).await.unwrap();
    store.add_ingest_counts("gh", 3, 1).await.unwrap();
    store.add_ingest_counts("gh", 2, 0).await.unwrap();
    // The crawler writes its state with the counts it read before: ingest's stay.
    state.counts.new = 0;
    state.consecutive_failures = 2;
    store.put_source_state(&state).await.unwrap();
    let read = store.source_state("gh").await.unwrap().unwrap();
    assert_eq!((read.counts.new, read.counts.changed), (5, 1));
    assert_eq!(read.consecutive_failures, 2);
    let all = store.source_states().await.unwrap();
    assert_eq!((all[0].counts.new, all[0].counts.changed), (5, 1));
    store.reset_ingest_counts("gh").await.unwrap();
    let read = store.source_state("gh").await.unwrap().unwrap();
    assert_eq!((read.counts.new, read.counts.changed), (0, 0));
}
