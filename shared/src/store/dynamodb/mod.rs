//! DynamoDB store: the production adapter of the store ports, on one table (`schema::SCHEMA`).
//!
//! Layout (keys `pk`/`sk`):
//! - a posting is one item, `posting#{id}`/`posting`: the `StoredPosting` document, its
//!   list keys (`list_bucket` = month listed, `list_sort` = `{listed_at}#{id}`),
//!   `company_key`, a compact copy of its `IndexEntry` under one-letter names
//!   (`schema::ENTRY_*`) and, once closed, `expires_at` for TTL;
//! - a source's state is `sources`/`{name}`, so every state is one Query of one partition;
//! - `meta`/`list_buckets` holds the set of months that have postings, so a list walks only
//!   months that exist.
//! - facet counters are `facets#{scope}`/`{dimension}#{value}` items with a count, kept by
//!   `write` (see `facet_counters`).
//!
//! Indexes: `by_source` and `by_fingerprint` copy only the compact entry, so a source's index
//! is one paginated Query of ~140-byte items; `by_source` is sorted by the posting's key, so
//! an ingest message (its postings in id order) reads only its slice (`source_entries`);
//! `by_listed` copies the fields `ListQuery::matches` reads (not the descriptions), so a list
//! filters on the index and reads full postings (BatchGetItem) only for the page it returns.
//! `by_filter` holds only the filter index items (`filter_index`: per open posting, one per
//! served filter value), so a list with a served filter walks the partition of its most
//! selective value and reads about what it returns.
//!
//! Costs: nothing scans. Every call asks for `ReturnConsumedCapacity` and adds it to
//! `usage()`; moto reports fixed placeholder units, so `estimated_usage()` counts the same
//! calls with units estimated from the items' sizes by DynamoDB's billing rules
//! (`capacity`). With 1,000 postings of one source (see `BENCHMARKS.md` for the run):
//! - an unchanged re-crawl reads `by_source` once (~140 KB: ~17 read units, under the
//!   issue's ~20; split over SQS messages, one Query of its slice each) and writes nothing. The entry copy exists for this read: the same fields under
//!   their document names, with timestamps as RFC 3339 strings and hashes as hex, made it
//!   ~250 bytes an item (~31 units);
//! - 1,000 new postings are 1,000 conditional PutItems (see `write`) plus one PutItem per
//!   filter index item (`filter_index`, a few per posting), one UpdateItem of the
//!   months item, the source's index Query and one `by_fingerprint` Query per new
//!   fingerprint, 16 in flight (`fingerprint_groups`).
//!
//! Why a Query per fingerprint stays: the ingest rules must know, for every posting written,
//! whether another source has a posting with its fingerprint, and only a read can tell. A
//! Query of an index is the only read that needs no other write: a per-fingerprint group
//! item readable by BatchGetItem (100 a call) must be updated with every write of a member,
//! which doubles the writes of new postings (the issue allows one write per item plus its
//! index entries), costs a write unit (five times a read unit's price on demand) to save half
//! a read unit, and can drift from the postings unless both go in one transaction (twice the
//! price again, and transactions of concurrent ingests cancel each other). Skipping the
//! Query for a fingerprint "seen for the first time" needs the same kind of marker item and
//! a conditional write to learn it. So the Queries stay: half a read unit each (~500 for
//! 1,000 new postings, against at least 4 write units a posting for the item and its three
//! index entries: 8,000 for the benchmark's ~4 KB postings), 16 in flight so they add
//! little time.
//!
//! Consistency: index Queries are eventually consistent. A posting another process wrote a
//! moment before may be missing from a fingerprint group, so a cross-source duplicate
//! ingested by two processes at once can stay unmarked until one of them is written again;
//! a conditional write on a stale index entry comes back as a conflict and is re-planned.
//!
//! Expiry: closed postings carry `expires_at` and DynamoDB's TTL deletes them, so
//! `delete_expired` does nothing (moto never expires items).

pub mod capacity;
mod facet_counters;
pub mod filter_index;
mod item;
pub mod schema;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeValue, ConsumedCapacity, KeysAndAttributes, ReturnConsumedCapacity, ReturnValue,
};
use chrono::{DateTime, Duration, Utc};
use futures::{StreamExt, TryStreamExt, stream};
use serde_json::{Value, json};

use self::capacity::Units;
use self::filter_index::FilterStop;
use self::item::{Item, s};
use self::schema::{BY_FINGERPRINT, BY_LISTED, BY_SOURCE, IndexSchema, LIST_SORT, SCHEMA};
pub use self::schema::{TableSchema, create_table};
use super::{
    CheckpointStore, IndexEntry, IngestCounter, ListQuery, Page, PostingReader, PostingStore,
    SourceIndex, SourceRegistry, SourceRegistryReader, SourceState, SourceStateReader,
    SourceStateStore, StoreError, StoredPosting, Usage, UsageSnapshot, Write, WriteOutcome, cursor,
    listed_at,
};
use crate::registry::SourceEntry;

/// Conditional PutItems in flight at once.
const WRITE_CONCURRENCY: usize = 16;
/// BatchGetItems in flight at once.
const READ_CONCURRENCY: usize = 8;
/// Fingerprint Queries in flight at once: each is a small round trip, one per fingerprint.
const FINGERPRINT_CONCURRENCY: usize = 16;
/// What a list index entry dropped by a filter is assumed to weigh when the same Query
/// returned none to measure (a typical posting's list entry is well under 1 KB).
const LIST_ENTRY_GUESS: usize = 1024;
/// BatchGetItem's key limit.
const BATCH_GET_KEYS: usize = 100;
/// Rounds of BatchGetItem for keys DynamoDB left unprocessed before giving up (retryable).
const BATCH_GET_ATTEMPTS: u32 = 8;
/// SDK attempts per DynamoDB call (the first one included) under `retry_config`.
pub const SDK_MAX_ATTEMPTS: u32 = 5;

/// The AWS SDK retry policy of every `DynamoStore` call, set explicitly rather than left to
/// the SDK's defaults (3 attempts, 1 s initial backoff) so it cannot change with an SDK
/// upgrade: throttling (`ProvisionedThroughputExceededException`, `ThrottlingException`),
/// 5xx answers and network errors are retried up to `SDK_MAX_ATTEMPTS` times with jittered
/// exponential backoff from 100 ms, capped at 2 s a wait (at most ~1.5 s of waiting a
/// call). What still fails is a `StoreError::Retryable`: the ingest reports its message as a
/// batch item failure and SQS's visibility timeout is the longer backoff.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(SDK_MAX_ATTEMPTS)
        .with_initial_backoff(std::time::Duration::from_millis(100))
        .with_max_backoff(std::time::Duration::from_secs(2))
}

/// A list call reads at most this many index items per item of the page (plus one).
const LIST_READ_FACTOR: usize = 5;
/// A list call makes at most this many Queries (empty months cost a Query each).
const LIST_MAX_QUERIES: usize = 8;
/// Items one Query is asked for at most.
const QUERY_PAGE: usize = 1000;

/// One partition's read: which partition (of the table, or of an index), which of its sort
/// keys, how many items at most, and whether strongly consistent.
#[derive(Clone, Copy)]
struct PartitionRead<'a> {
    index: Option<&'a IndexSchema>,
    partition: &'a str,
    sort: SortRange<'a>,
    limit: Option<usize>,
    consistent: bool,
}

impl<'a> PartitionRead<'a> {
    /// Every item of the partition, eventually consistent.
    fn new(index: Option<&'a IndexSchema>, partition: &'a str) -> Self {
        Self {
            index,
            partition,
            sort: SortRange::All,
            limit: None,
            consistent: false,
        }
    }
}

/// The sort keys a partition read takes.
#[derive(Clone, Copy)]
enum SortRange<'a> {
    All,
    /// From the first to the second, both included.
    Between(&'a str, &'a str),
    /// Strictly after this one.
    After(&'a str),
}

/// The DynamoDB adapter of every store port (see `crate::store`).
#[derive(Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
    retention: Duration,
    /// Calls, items and the units DynamoDB reported.
    usage: Usage,
    /// The same calls and items, with the units `capacity` estimates.
    estimated: Usage,
    /// List months this handle already recorded in the `list_buckets` item.
    known_buckets: Mutex<HashSet<String>>,
    /// Whether writes keep the filter index and lists may use it (`filter_index`).
    filter_index: bool,
    /// The table's filter index was seen complete (its marker item), so lists use it.
    filter_index_ready: AtomicBool,
    /// Counter cells read to plan filtered lists, with when they were read
    /// (`facet_counters::PLAN_COUNTS_TTL`).
    plan_counts: Mutex<HashMap<String, (std::time::Instant, i64)>>,
}

/// A client from the environment's AWS configuration (region, credentials and
/// `AWS_ENDPOINT_URL`, which points the tests at moto). Build it once per process.
pub async fn client_from_env() -> Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    Client::new(&config)
}

/// The two kinds of posting writes, as PutItem conditions.
enum Condition {
    /// No item with this key yet.
    Absent,
    /// The stored revision is this one.
    Revision(u64),
}

/// Where a list page ended: a month and, inside it, the last `list_sort` handed out
/// (`None`: the month has not been read yet).
struct Position {
    bucket: String,
    before: Option<String>,
}

/// A posting a list call found on the index, in order.
struct Found {
    bucket: String,
    sort: String,
    id: String,
}

/// What one Query of a listing index reads (`DynamoStore::listing_query`).
struct ListingRead<'a> {
    /// `by_listed` or `by_filter`.
    index: &'a IndexSchema,
    /// The partition: a month of `by_listed`, a `filter_key` of `by_filter`.
    partition: &'a str,
    /// The oldest `list_sort` wanted (from `ListQuery::since`).
    since: Option<String>,
    /// The `list_sort` the walk has reached (exclusive unless `since` is set too).
    before: Option<&'a str>,
    /// The filter expression, with the names and values it uses.
    filter: Option<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
    /// What an item dropped by the filter is assumed to weigh (`capacity`).
    dropped_guess: usize,
}

/// One list Query's answer.
#[derive(Default)]
struct ListChunk {
    /// Index items that passed the filter expression, newest first.
    items: Vec<Item>,
    /// Where the month continues, if it does.
    last: Option<Item>,
    /// Index items read (before the filter).
    scanned: usize,
}

/// How a list walk stopped.
enum Stop {
    /// One more match than the page holds was found.
    Full,
    /// The oldest month (or `since`) was reached.
    End,
    /// The read budget ran out at `Position`.
    Budget(Position),
}

impl DynamoStore {
    /// A store on `table` (created by `create_table` or the SAM template). Closed postings
    /// expire 30 days after closing. The client keeps its endpoint, region and credentials
    /// but gets the store's `retry_config`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        let config = client.config().to_builder().retry_config(retry_config());
        DynamoStore {
            client: Client::from_conf(config.build()),
            table: table.into(),
            retention: Duration::days(30),
            usage: Usage::default(),
            estimated: Usage::default(),
            known_buckets: Mutex::new(HashSet::new()),
            filter_index: true,
            filter_index_ready: AtomicBool::new(false),
            plan_counts: Mutex::new(HashMap::new()),
        }
    }

    /// A store that neither writes filter index items nor reads them (`filter_index`):
    /// every list walks `by_listed`, as before issue 23. For the benchmarks' "before".
    pub fn without_filter_index(mut self) -> Self {
        self.filter_index = false;
        self
    }

    /// How long closed postings are kept before TTL deletes them.
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// The same counters as `usage()`, with capacity units estimated from the items' sizes
    /// by DynamoDB's billing rules (`capacity`) rather than reported by the engine: the
    /// numbers to trust against moto_server, whose reported units are placeholders.
    pub fn estimated_usage(&self) -> UsageSnapshot {
        self.estimated.snapshot()
    }

    /// The table item `posting` is written as: the document, its keys, the index-entry copy
    /// and the list keys (descriptions cut to fit, as `write` does). For tools that write or
    /// measure items outside the ingest rules, such as the naive baseline of
    /// `examples/store_costs.rs`; `Permanent` when the posting cannot fit an item.
    pub fn posting_item(
        &self,
        posting: &StoredPosting,
    ) -> Result<HashMap<String, AttributeValue>, StoreError> {
        item::posting_item(posting, self.retention)
    }

    /// Counts one call: the items it read and wrote, the units DynamoDB `reported` (read or
    /// write units, as the estimate says which) and the `estimated` ones.
    fn count(&self, items_read: usize, items_written: usize, reported: f64, estimated: Units) {
        for usage in [&self.usage, &self.estimated] {
            usage.record(items_read as u64, items_written as u64);
        }
        if estimated.write > 0.0 {
            self.usage.record_units(0.0, reported);
        } else {
            self.usage.record_units(reported, 0.0);
        }
        self.estimated.record_units(estimated.read, estimated.write);
    }

    /// Every item of one partition (of the table, or of `index`), following pages.
    async fn query_partition(
        &self,
        index: Option<&IndexSchema>,
        value: &str,
    ) -> Result<Vec<Item>, StoreError> {
        self.query(PartitionRead::new(index, value)).await
    }

    /// The items one partition `read` names, in sort key order, following DynamoDB's 1 MB
    /// pages until the partition (or `read.limit`) is exhausted. The one Query loop every
    /// read of a partition goes through, so each counts its units the same way.
    async fn query(&self, read: PartitionRead<'_>) -> Result<Vec<Item>, StoreError> {
        let key = read.index.map_or(SCHEMA.partition_key, |i| i.partition_key);
        let sort = read.index.map_or(Some(SCHEMA.sort_key), |i| i.sort_key);
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(read.index.map(|i| i.name.to_owned()))
                .key_condition_expression("#k = :k")
                .expression_attribute_names("#k", key)
                .expression_attribute_values(":k", s(read.partition))
                .consistent_read(read.consistent);
            if let Some(sort) = sort {
                query = match read.sort {
                    SortRange::All => query,
                    SortRange::Between(low, high) => query
                        .key_condition_expression("#k = :k AND #r BETWEEN :lo AND :hi")
                        .expression_attribute_names("#r", sort)
                        .expression_attribute_values(":lo", s(low))
                        .expression_attribute_values(":hi", s(high)),
                    SortRange::After(after) => query
                        .key_condition_expression("#k = :k AND #r > :after")
                        .expression_attribute_names("#r", sort)
                        .expression_attribute_values(":after", s(after)),
                };
            }
            if let Some(limit) = read.limit {
                let want = limit.saturating_sub(items.len());
                query = query.limit(i32::try_from(want).unwrap_or(i32::MAX));
            }
            let out = query
                .set_exclusive_start_key(start)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(|e| sdk_error("Query", e))?;
            let scanned = out.scanned_count().max(0) as usize;
            let page = out.items.unwrap_or_default();
            let estimated = capacity::query_read_units(&page, scanned, 0, read.consistent);
            self.count(
                scanned,
                0,
                reported(out.consumed_capacity.as_ref()),
                Units::reads(estimated),
            );
            items.extend(page);
            start = out.last_evaluated_key;
            let full = read.limit.is_some_and(|limit| items.len() >= limit);
            if start.is_none() || full {
                return Ok(items);
            }
        }
    }

    /// The items with these keys (at most `BATCH_GET_KEYS`), retrying unprocessed keys
    /// with exponential backoff.
    async fn batch_get(&self, keys: Vec<Item>, consistent: bool) -> Result<Vec<Item>, StoreError> {
        let mut pending = keys;
        let mut found = Vec::new();
        for attempt in 0..BATCH_GET_ATTEMPTS {
            if attempt > 0 {
                let backoff = std::time::Duration::from_millis(25 << attempt.min(6));
                tokio::time::sleep(backoff).await;
            }
            let requested = pending.len();
            let request = KeysAndAttributes::builder()
                .set_keys(Some(pending))
                .consistent_read(consistent)
                .build()
                .map_err(|e| StoreError::Permanent(format!("invalid BatchGetItem: {e}")))?;
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(|e| sdk_error("BatchGetItem", e))?;
            let got = out
                .responses
                .and_then(|mut r| r.remove(&self.table))
                .unwrap_or_default();
            let units = out
                .consumed_capacity
                .iter()
                .flatten()
                .map(Some)
                .map(reported)
                .sum();
            let estimated = capacity::batch_get_read_units(&got, requested, consistent);
            self.count(got.len(), 0, units, Units::reads(estimated));
            found.extend(got);
            pending = out
                .unprocessed_keys
                .and_then(|mut u| u.remove(&self.table))
                .map(|k| k.keys)
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(found);
            }
        }
        Err(StoreError::Retryable(format!(
            "BatchGetItem left {} keys unprocessed after {BATCH_GET_ATTEMPTS} attempts",
            pending.len()
        )))
    }

    /// The stored postings with these ids, any order.
    async fn get_postings(
        &self,
        ids: &[String],
        consistent: bool,
    ) -> Result<Vec<StoredPosting>, StoreError> {
        // BatchGetItem refuses a request that names one key twice.
        let unique: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        let keys: Vec<Item> = unique.into_iter().map(item::posting_key).collect();
        let chunks: Vec<Vec<Item>> = keys.chunks(BATCH_GET_KEYS).map(<[Item]>::to_vec).collect();
        let items: Vec<Vec<Item>> = stream::iter(chunks)
            .map(|chunk| self.batch_get(chunk, consistent))
            .buffer_unordered(READ_CONCURRENCY)
            .try_collect()
            .await?;
        items
            .into_iter()
            .flatten()
            .map(item::stored_posting)
            .collect()
    }

    /// Records the list months of these writes in the `list_buckets` item, once per month
    /// and store handle (adding to a string set is idempotent, so no read is needed).
    async fn register_buckets(&self, writes: &[Write]) -> Result<(), StoreError> {
        let new: BTreeSet<String> = {
            let known = self.known_buckets.lock().unwrap_or_else(|e| e.into_inner());
            writes
                .iter()
                .map(|w| item::list_bucket(listed_at(&posting_of(w).posting)))
                .filter(|b| !known.contains(b))
                .collect()
        };
        if new.is_empty() {
            return Ok(());
        }
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(item::buckets_key()))
            .update_expression("ADD #b :b")
            .expression_attribute_names("#b", item::BUCKETS_ATTRIBUTE)
            .expression_attribute_values(":b", AttributeValue::Ss(new.iter().cloned().collect()))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|e| sdk_error("UpdateItem", e))?;
        // The months item stays under 1 KB for decades (8 bytes a month): one write unit.
        let estimated = capacity::write_units(0);
        self.count(
            0,
            1,
            reported(out.consumed_capacity.as_ref()),
            Units::writes(estimated),
        );
        self.known_buckets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(new);
        Ok(())
    }

    /// The months that hold postings, newest first.
    async fn buckets(&self) -> Result<Vec<String>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(item::buckets_key()))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", e))?;
        let size = out.item.as_ref().map_or(0, capacity::item_size);
        self.count(
            usize::from(out.item.is_some()),
            0,
            reported(out.consumed_capacity.as_ref()),
            Units::reads(capacity::read_units(size, false)),
        );
        let mut buckets = match out.item.and_then(|mut i| i.remove(item::BUCKETS_ATTRIBUTE)) {
            Some(AttributeValue::Ss(set)) => set,
            _ => Vec::new(),
        };
        buckets.sort_unstable_by(|a, b| b.cmp(a));
        Ok(buckets)
    }

    /// An unconditional PutItem of an item that is not a posting (no index entries).
    async fn put_plain(&self, document: Item) -> Result<(), StoreError> {
        let estimated = capacity::put_write_units(&document, SCHEMA.indexes);
        self.put_unconditional(document, estimated).await
    }

    /// An unconditional PutItem, counted at `estimated` write units.
    async fn put_unconditional(&self, document: Item, estimated: f64) -> Result<(), StoreError> {
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(document))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|e| sdk_error("PutItem", e))?;
        self.count(
            0,
            1,
            reported(out.consumed_capacity.as_ref()),
            Units::writes(estimated),
        );
        Ok(())
    }

    /// One conditional PutItem of a posting; an applied one comes with the item it replaced
    /// (`ALL_OLD`, returned at no read cost), for the filter index's diff and the facet
    /// counters.
    async fn put_posting(
        &self,
        item: Item,
        condition: Condition,
    ) -> Result<(WriteOutcome, Option<Item>), StoreError> {
        let applied_units = capacity::put_write_units(&item, SCHEMA.indexes);
        // A failed condition costs the item's write, without index writes.
        let conflict_units = capacity::write_units(capacity::item_size(&item));
        let request = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .return_values(ReturnValue::AllOld)
            .return_consumed_capacity(ReturnConsumedCapacity::Total);
        let request = match condition {
            Condition::Absent => request
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", SCHEMA.partition_key),
            Condition::Revision(revision) => request
                .condition_expression("#rev = :rev")
                .expression_attribute_names("#rev", "revision")
                .expression_attribute_values(":rev", AttributeValue::N(revision.to_string())),
        };
        match request.send().await {
            Ok(out) => {
                let units = reported(out.consumed_capacity.as_ref());
                self.count(0, 1, units, Units::writes(applied_units));
                Ok((WriteOutcome::Applied, out.attributes))
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                self.count(0, 0, 0.0, Units::writes(conflict_units));
                Ok((WriteOutcome::Conflict, None))
            }
            Err(e) => Err(sdk_error("PutItem", e)),
        }
    }

    /// One list Query: up to `want` index items of `position`'s month, newest first,
    /// filtered by what DynamoDB can check (the caller confirms with `ListQuery::matches`).
    async fn list_query(
        &self,
        query: &ListQuery,
        position: &Position,
        want: usize,
        start: Option<Item>,
    ) -> Result<ListChunk, StoreError> {
        let mut names = HashMap::new();
        let mut values = HashMap::new();
        let filter = list_filter(query, &mut names, &mut values);
        let read = ListingRead {
            index: &BY_LISTED,
            partition: &position.bucket,
            since: query.since.map(item::sort_time),
            before: position.before.as_deref(),
            filter,
            names,
            values,
            dropped_guess: LIST_ENTRY_GUESS,
        };
        self.listing_query(read, want, start).await
    }

    /// One `UpdateItem ADD` of `numbers` to the small item at `key` (a counts or counter item:
    /// a few dozen bytes in no index, so one write unit).
    async fn add_to_numbers(&self, key: Item, numbers: &[(&str, i64)]) -> Result<(), StoreError> {
        let mut names = HashMap::new();
        let mut values = HashMap::new();
        let mut parts = Vec::with_capacity(numbers.len());
        for (i, (attribute, n)) in numbers.iter().enumerate() {
            names.insert(format!("#n{i}"), (*attribute).to_owned());
            values.insert(format!(":n{i}"), AttributeValue::N(n.to_string()));
            parts.push(format!("#n{i} :n{i}"));
        }
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression(format!("ADD {}", parts.join(", ")))
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|e| sdk_error("UpdateItem", e))?;
        self.count(
            0,
            1,
            reported(out.consumed_capacity.as_ref()),
            Units::writes(capacity::write_units(0)),
        );
        Ok(())
    }

    /// One newest-first Query of a listing index (`by_listed` or `by_filter`, both sorted
    /// by `list_sort`): up to `want` items of `read.partition` not older than `read.since`
    /// and below `read.before`, through `read.filter`. When both bounds are set the Query is
    /// a BETWEEN, which includes `before`: the caller skips the item it handed out already.
    async fn listing_query(
        &self,
        read: ListingRead<'_>,
        want: usize,
        start: Option<Item>,
    ) -> Result<ListChunk, StoreError> {
        let ListingRead {
            index,
            partition,
            since,
            before,
            filter,
            mut names,
            mut values,
            dropped_guess,
        } = read;
        names.insert("#p".to_owned(), index.partition_key.to_owned());
        values.insert(":p".to_owned(), s(partition));
        let range = match (since, before) {
            (None, None) => None,
            (None, Some(before)) => {
                values.insert(":before".into(), s(before));
                Some("#s < :before")
            }
            (Some(since), None) => {
                values.insert(":since".into(), s(since.as_str()));
                Some("#s >= :since")
            }
            // Nothing is both older than the position and not older than `since`.
            (Some(since), Some(before)) if since.as_str() > before => {
                return Ok(ListChunk::default());
            }
            (Some(since), Some(before)) => {
                values.insert(":since".into(), s(since.as_str()));
                values.insert(":before".into(), s(before));
                Some("#s BETWEEN :since AND :before")
            }
        };
        let key_condition = match range {
            Some(range) => {
                names.insert("#s".into(), LIST_SORT.to_owned());
                format!("#p = :p AND {range}")
            }
            None => "#p = :p".to_owned(),
        };
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index.name)
            .key_condition_expression(key_condition)
            .set_filter_expression(filter)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .scan_index_forward(false)
            .limit(i32::try_from(want.clamp(1, QUERY_PAGE)).unwrap_or(1))
            .set_exclusive_start_key(start)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|e| sdk_error("Query", e))?;
        let scanned = out.scanned_count().max(0) as usize;
        let items = out.items.unwrap_or_default();
        let estimated = capacity::query_read_units(&items, scanned, dropped_guess, false);
        self.count(
            scanned,
            0,
            reported(out.consumed_capacity.as_ref()),
            Units::reads(estimated),
        );
        Ok(ListChunk {
            items,
            last: out.last_evaluated_key,
            scanned,
        })
    }

    /// Walks the list index from `position` until one more match than `limit` is found,
    /// the oldest month is passed, or the read budget runs out.
    async fn walk(
        &self,
        query: &ListQuery,
        limit: usize,
        mut position: Position,
        mut buckets: Option<Vec<String>>,
    ) -> Result<(Vec<Found>, Stop), StoreError> {
        let since_bucket = query.since.map(item::list_bucket);
        let budget = limit.saturating_add(1).saturating_mul(LIST_READ_FACTOR);
        let mut found = Vec::new();
        let (mut examined, mut queries) = (0usize, 0usize);
        let mut start: Option<Item> = None;
        loop {
            if since_bucket
                .as_ref()
                .is_some_and(|since| position.bucket < *since)
            {
                return Ok((found, Stop::End));
            }
            if examined >= budget || queries >= LIST_MAX_QUERIES {
                let before = start
                    .as_ref()
                    .and_then(|k| string_attribute(k, LIST_SORT))
                    .or(position.before);
                let at = Position {
                    bucket: position.bucket,
                    before,
                };
                return Ok((found, Stop::Budget(at)));
            }
            // The first Query asks for just a page (and one more to know there is a next);
            // only a filter that rejects items makes the walk read further.
            let want = if examined == 0 {
                limit + 1
            } else {
                budget - examined
            };
            queries += 1;
            let chunk = self
                .list_query(query, &position, want, start.take())
                .await?;
            examined += chunk.scanned;
            for candidate in chunk.items {
                let Some(sort) = string_attribute(&candidate, LIST_SORT) else {
                    continue;
                };
                if position.before.as_deref() == Some(sort.as_str()) {
                    continue;
                }
                let view = match item::list_view(candidate) {
                    Ok(view) => view,
                    Err(e) => {
                        tracing::warn!(error = %e, "skipping an undecodable list index item");
                        continue;
                    }
                };
                if query.matches(&view) {
                    found.push(Found {
                        bucket: position.bucket.clone(),
                        sort,
                        id: view.id,
                    });
                    if found.len() > limit {
                        return Ok((found, Stop::Full));
                    }
                }
            }
            if chunk.last.is_some() {
                start = chunk.last;
                continue;
            }
            // This month is done: on to the next older one that has postings.
            if buckets.is_none() {
                buckets = Some(self.buckets().await?);
            }
            let older = buckets
                .iter()
                .flatten()
                .find(|b| **b < position.bucket)
                .cloned();
            match older {
                Some(bucket) => {
                    position = Position {
                        bucket,
                        before: None,
                    }
                }
                None => return Ok((found, Stop::End)),
            }
        }
    }
}

/// The capacity units DynamoDB reported for one call (0 when it reported none).
fn reported(capacity: Option<&ConsumedCapacity>) -> f64 {
    capacity
        .and_then(ConsumedCapacity::capacity_units)
        .unwrap_or(0.0)
}

fn posting_of(write: &Write) -> &StoredPosting {
    match write {
        Write::Insert(p) | Write::Replace { posting: p, .. } => p,
    }
}

fn string_attribute(item: &Item, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Some(v.clone()),
        _ => None,
    }
}

/// The part of `query` a filter expression can check on the list index. The rest (words,
/// country, salary, `since` at the item level) is left to `ListQuery::matches`.
fn list_filter(
    query: &ListQuery,
    names: &mut HashMap<String, String>,
    values: &mut HashMap<String, AttributeValue>,
) -> Option<String> {
    let mut parts = Vec::new();
    if !query.include_closed {
        names.insert("#closed".into(), "closed_at".into());
        parts.push("attribute_not_exists(#closed)".to_owned());
    }
    if !query.include_duplicates {
        names.insert("#dup".into(), "duplicate_of".into());
        parts.push("attribute_not_exists(#dup)".to_owned());
    }
    if let Some(company) = &query.company {
        names.insert("#company".into(), schema::COMPANY_KEY.into());
        values.insert(":company".into(), s(company.trim().to_ascii_lowercase()));
        parts.push("#company = :company".to_owned());
    }
    let enums = [
        ("seniority", query.seniority.map(|v| v.as_str())),
        ("category", query.category.map(|v| v.as_str())),
        ("workplace", query.workplace.map(|v| v.as_str())),
        ("employment_type", query.employment_type.map(|v| v.as_str())),
    ];
    for (field, value) in enums {
        if let Some(value) = value {
            names.insert(format!("#{field}"), field.into());
            values.insert(format!(":{field}"), s(value));
            parts.push(format!("#{field} = :{field}"));
        }
    }
    for (i, skill) in query.skills.iter().enumerate() {
        names.insert("#skills".into(), "skills".into());
        values.insert(format!(":skill{i}"), s(skill.as_str()));
        parts.push(format!("contains(#skills, :skill{i})"));
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// Where a list goes on: a `by_listed` position, or the last `list_sort` a filter index
/// walk handed out (or stopped before).
enum Resume {
    Listed(Position),
    Filter(String),
}

fn decode_position(cursor: &str, query_fingerprint: &str) -> Result<Resume, StoreError> {
    let position = cursor::decode(cursor, query_fingerprint)?;
    let bad = || StoreError::BadCursor("malformed position".into());
    if let Some(filter) = position.get("x") {
        return filter
            .as_str()
            .map(|before| Resume::Filter(before.to_owned()))
            .ok_or_else(bad);
    }
    let bucket = position.get("b").and_then(Value::as_str).ok_or_else(bad)?;
    let before = match position.get("k") {
        None | Some(Value::Null) => None,
        Some(Value::String(sort)) => Some(sort.clone()),
        Some(_) => return Err(bad()),
    };
    Ok(Resume::Listed(Position {
        bucket: bucket.to_owned(),
        before,
    }))
}

fn encode_filter_position(query_fingerprint: &str, before: &str) -> String {
    cursor::encode(query_fingerprint, json!({ "x": before }))
}

fn encode_position(query_fingerprint: &str, position: &Position) -> String {
    cursor::encode(
        query_fingerprint,
        json!({"b": position.bucket, "k": position.before}),
    )
}

#[async_trait]
impl SourceIndex for DynamoStore {
    /// One Query of `by_source` (sorted by the posting's key) after `after`'s key.
    async fn source_index_page(
        &self,
        source: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        if source.is_empty() || limit == 0 {
            // An empty source is never an index key (see `item::entry_attributes`).
            return Ok(Vec::new());
        }
        // Every posting key sorts after the bare prefix.
        let after = after.map_or_else(|| item::posting_partition(""), item::posting_partition);
        let read = PartitionRead {
            sort: SortRange::After(&after),
            limit: Some(limit),
            ..PartitionRead::new(Some(&BY_SOURCE), source)
        };
        self.query(read)
            .await?
            .iter()
            .map(item::index_entry)
            .collect()
    }
}

#[async_trait]
impl PostingReader for DynamoStore {
    async fn fingerprint_groups(
        &self,
        fingerprints: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let unique: BTreeSet<String> = fingerprints
            .iter()
            .filter(|f| !f.is_empty())
            .cloned()
            .collect();
        let groups: Vec<Vec<Item>> = stream::iter(unique)
            .map(|f| async move { self.query_partition(Some(&BY_FINGERPRINT), &f).await })
            .buffer_unordered(FINGERPRINT_CONCURRENCY)
            .try_collect()
            .await?;
        groups.iter().flatten().map(item::index_entry).collect()
    }

    async fn get_many(&self, ids: &[String]) -> Result<Vec<StoredPosting>, StoreError> {
        // Strongly consistent: the ingest rules read, then write conditionally on what they
        // read, and a stale read would only come back as a conflict.
        self.get_postings(ids, true).await
    }

    /// Walks the `by_listed` index month by month, newest first, from the newest month in
    /// `list_buckets` (one GetItem on the first page) or the cursor's position. Reads at
    /// most `5 × (limit + 1)` index items and `LIST_MAX_QUERIES` Queries per call, then
    /// returns what it has with a cursor; fetches the page's postings with one BatchGetItem.
    async fn list(
        &self,
        query: &ListQuery,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page, StoreError> {
        let fingerprint = query.fingerprint();
        let start = cursor
            .map(|c| decode_position(c, &fingerprint))
            .transpose()?;
        let empty = Page {
            items: Vec::new(),
            next_cursor: None,
        };
        if limit == 0 {
            return Ok(empty);
        }
        // The filter index serves the walk its own cursors started, and first pages of the
        // queries it can answer once the table's index is complete.
        let filtered = match start {
            // Any plan resumes the walk: a match is in the partition of every served value
            // it has, so the driver may differ from the previous page's.
            Some(Resume::Filter(before)) => {
                let plan = self
                    .filter_plan(query)
                    .await
                    .ok_or_else(|| StoreError::BadCursor("not a filter index query".into()))?;
                Some((plan, Some(before)))
            }
            Some(Resume::Listed(position)) => {
                let (ids, next_cursor) = self.list_by_listed(query, limit, Some(position)).await?;
                return self.page_of(query, ids, next_cursor).await;
            }
            // The marker is read only for a query the index could serve.
            None if !filter_index::candidates(query).is_empty()
                && self.filter_index_ready().await? =>
            {
                self.filter_plan(query).await.map(|plan| (plan, None))
            }
            None => None,
        };
        let (ids, next_cursor) = match filtered {
            Some((plan, before)) => {
                let (mut found, stop) = self
                    .filter_walk(query, limit, &plan.partitions, before)
                    .await?;
                found.truncate(limit);
                let next_cursor = match stop {
                    FilterStop::End => None,
                    FilterStop::Budget(at) => Some(encode_filter_position(&fingerprint, &at)),
                    FilterStop::Full => found
                        .last()
                        .map(|(sort, _)| encode_filter_position(&fingerprint, sort)),
                };
                (found.into_iter().map(|(_, id)| id).collect(), next_cursor)
            }
            None => self.list_by_listed(query, limit, None).await?,
        };
        self.page_of(query, ids, next_cursor).await
    }

    /// Counter-served filter sets from the counters `write` keeps (`facet_counters`), one
    /// Query per scope; others (or a scope past its read cap) by the bounded fallback.
    async fn facets(&self, query: &ListQuery) -> Result<super::facets::Facets, StoreError> {
        if let Some(scopes) = super::facets::counters::counter_scopes(query)
            && let Some(facets) = self.counter_facets(&scopes).await?
        {
            return Ok(facets);
        }
        super::facets::count_by_listing(self, query).await
    }

    fn usage(&self) -> UsageSnapshot {
        self.usage.snapshot()
    }
}

impl DynamoStore {
    /// A list page walked on `by_listed` from `start` (or the newest month): the ids found,
    /// newest first, and the cursor on.
    async fn list_by_listed(
        &self,
        query: &ListQuery,
        limit: usize,
        start: Option<Position>,
    ) -> Result<(Vec<String>, Option<String>), StoreError> {
        let fingerprint = query.fingerprint();
        let (position, buckets) = match start {
            Some(position) => (position, None),
            None => {
                let buckets = self.buckets().await?;
                let Some(newest) = buckets.first().cloned() else {
                    return Ok((Vec::new(), None));
                };
                (
                    Position {
                        bucket: newest,
                        before: None,
                    },
                    Some(buckets),
                )
            }
        };
        let (mut found, stop) = self.walk(query, limit, position, buckets).await?;
        found.truncate(limit);
        let next_cursor = match stop {
            Stop::End => None,
            Stop::Budget(at) => Some(encode_position(&fingerprint, &at)),
            Stop::Full => found.last().map(|last| {
                encode_position(
                    &fingerprint,
                    &Position {
                        bucket: last.bucket.clone(),
                        before: Some(last.sort.clone()),
                    },
                )
            }),
        };
        Ok((found.into_iter().map(|f| f.id).collect(), next_cursor))
    }

    /// The page of these ids: their postings (one BatchGetItem), in order, checked again
    /// against the query.
    async fn page_of(
        &self,
        query: &ListQuery,
        ids: Vec<String>,
        next_cursor: Option<String>,
    ) -> Result<Page, StoreError> {
        let mut postings: HashMap<String, StoredPosting> = if ids.is_empty() {
            HashMap::new()
        } else {
            self.get_postings(&ids, false)
                .await?
                .into_iter()
                .map(|p| (p.posting.id.clone(), p))
                .collect()
        };
        // A posting changed or deleted since the index was read is left out of this page.
        let items = ids
            .iter()
            .filter_map(|id| postings.remove(id))
            .filter(|p| query.matches(&p.posting))
            .collect();
        Ok(Page { items, next_cursor })
    }
}

#[async_trait]
impl PostingStore for DynamoStore {
    /// Reads only the `by_source` entries between the smallest and the largest of `ids` (the
    /// index's sort key is the posting's table key): the crawler sends a snapshot's postings
    /// sorted by id (`IngestMessage::postings_batches`), so its messages read disjoint slices
    /// and together about one read of the source's index, instead of one whole read each.
    async fn source_entries(
        &self,
        source: &str,
        ids: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let (Some(low), Some(high)) = (ids.iter().min(), ids.iter().max()) else {
            return Ok(Vec::new());
        };
        if source.is_empty() {
            return Ok(Vec::new());
        }
        let (low, high) = (item::posting_partition(low), item::posting_partition(high));
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let mut entries = self
            .query(PartitionRead {
                sort: SortRange::Between(&low, &high),
                ..PartitionRead::new(Some(&BY_SOURCE), source)
            })
            .await?
            .iter()
            .map(item::index_entry)
            .collect::<Result<Vec<_>, _>>()?;
        entries.retain(|e| wanted.contains(e.id.as_str()));
        Ok(entries)
    }

    /// One conditional PutItem per posting, `WRITE_CONCURRENCY` at a time, in order.
    ///
    /// Why not TransactWriteItems (100 per call): a transactional write costs twice the
    /// write units of a plain one, a single failed condition cancels the whole transaction
    /// (everything else must be resubmitted and paid again), and concurrent ingests make
    /// transactions fail on each other. BatchWriteItem cannot carry conditions. A
    /// conditional PutItem is exactly one write per posting (plus its index entries) at
    /// the plain price, and a failed condition is that posting's `Conflict` alone.
    async fn write(&self, writes: Vec<Write>) -> Result<Vec<WriteOutcome>, StoreError> {
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        self.register_buckets(&writes).await?;
        let puts = writes
            .iter()
            .map(|write| {
                let (posting, condition) = match write {
                    Write::Insert(p) => (p, Condition::Absent),
                    Write::Replace {
                        posting,
                        expected_revision,
                    } => (posting, Condition::Revision(*expected_revision)),
                };
                Ok((item::posting_item(posting, self.retention)?, condition))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // Every write is tried, even after one failed: the applied ones are indexed and
        // counted (a redelivery would see them unchanged and do neither).
        let results: Vec<Result<(WriteOutcome, Option<Item>), StoreError>> = stream::iter(puts)
            .map(|(item, condition)| self.put_posting(item, condition))
            .buffered(WRITE_CONCURRENCY)
            .collect()
            .await;
        let indexed = if self.filter_index {
            let applied = writes
                .iter()
                .zip(&results)
                .filter_map(|(write, result)| match result {
                    Ok((WriteOutcome::Applied, old)) => {
                        Some((&posting_of(write).posting, old.clone()))
                    }
                    _ => None,
                })
                .collect();
            self.sync_filter_items(applied).await
        } else {
            Ok(())
        };
        let outcomes = self.keep_facet_counters(&writes, results).await;
        indexed?;
        outcomes
    }

    /// DynamoDB's TTL deletes closed postings after `expires_at`; nothing to do here.
    async fn delete_expired(
        &self,
        _now: DateTime<Utc>,
        _retention: Duration,
    ) -> Result<usize, StoreError> {
        Ok(0)
    }
}

#[async_trait]
impl SourceStateReader for DynamoStore {
    /// Two Queries: the state items and the ingest-count items, each one partition.
    async fn source_states(&self) -> Result<Vec<SourceState>, StoreError> {
        let mut counts: HashMap<String, (u64, u64)> = self
            .query_partition(None, item::COUNTS_PARTITION)
            .await?
            .iter()
            .filter_map(item::counts_of)
            .collect();
        let mut states = self
            .query_partition(None, item::SOURCES_PARTITION)
            .await?
            .into_iter()
            .map(|found| {
                let mut state: SourceState = item::decode(found)?;
                let (new, changed) = counts.remove(&state.name).unwrap_or_default();
                state.counts.new = new;
                state.counts.changed = changed;
                Ok(state)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // Counts of a source with no state yet: a default state with them.
        states.extend(counts.into_iter().map(|(name, (new, changed))| {
            let mut state = SourceState {
                name,
                ..SourceState::default()
            };
            state.counts.new = new;
            state.counts.changed = changed;
            state
        }));
        states.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(states)
    }
}

#[async_trait]
impl SourceRegistryReader for DynamoStore {
    /// One Query of the registry partition (1 MB pages followed).
    async fn registered_sources(&self) -> Result<Vec<SourceEntry>, StoreError> {
        self.query_partition(None, item::REGISTRY_PARTITION)
            .await?
            .into_iter()
            .map(item::decode)
            .collect()
    }

    /// A strongly consistent Query of one key: the crawler reads the record a moment after
    /// an operator changed it.
    async fn registered_source(&self, name: &str) -> Result<Option<SourceEntry>, StoreError> {
        let found = self
            .query(PartitionRead {
                sort: SortRange::Between(name, name),
                consistent: true,
                ..PartitionRead::new(None, item::REGISTRY_PARTITION)
            })
            .await?;
        found.into_iter().next().map(item::decode).transpose()
    }
}

#[async_trait]
impl SourceRegistry for DynamoStore {
    /// One PutItem per record, `WRITE_CONCURRENCY` in flight.
    async fn put_registered_sources(&self, entries: &[SourceEntry]) -> Result<(), StoreError> {
        let documents = entries
            .iter()
            .map(|entry| {
                let mut document: Item =
                    serde_dynamo::aws_sdk_dynamodb_1::to_item(entry).map_err(|e| {
                        StoreError::Permanent(format!(
                            "registry record {} cannot be encoded: {e}",
                            entry.name
                        ))
                    })?;
                document.extend(item::registry_key(&entry.name));
                Ok(document)
            })
            .collect::<Result<Vec<Item>, StoreError>>()?;
        stream::iter(
            documents
                .into_iter()
                .map(|document| self.put_plain(document)),
        )
        .buffer_unordered(WRITE_CONCURRENCY)
        .try_collect::<Vec<()>>()
        .await?;
        Ok(())
    }
}

#[async_trait]
impl SourceStateStore for DynamoStore {
    /// The state item and the counts item: two strongly consistent Queries of one key each
    /// (the same read units as one BatchGetItem of both, and no BatchGetItem code in the
    /// functions that read no postings: the crawler's bootstrap stays within its size goal).
    async fn source_state(&self, name: &str) -> Result<Option<SourceState>, StoreError> {
        let one = |partition| PartitionRead {
            sort: SortRange::Between(name, name),
            consistent: true,
            ..PartitionRead::new(None, partition)
        };
        let (states, counts) = futures::try_join!(
            self.query(one(item::SOURCES_PARTITION)),
            self.query(one(item::COUNTS_PARTITION))
        )?;
        let counts = counts
            .iter()
            .find_map(item::counts_of)
            .map(|(_, counts)| counts);
        let mut state: SourceState = match states.into_iter().next() {
            Some(state_item) => item::decode(state_item)?,
            // Counts of a source with no state yet: a default state with them.
            None if counts.is_some() => SourceState {
                name: name.to_owned(),
                ..SourceState::default()
            },
            None => return Ok(None),
        };
        let (new, changed) = counts.unwrap_or_default();
        state.counts.new = new;
        state.counts.changed = changed;
        Ok(Some(state))
    }

    async fn put_source_state(&self, state: &SourceState) -> Result<(), StoreError> {
        let mut document: Item = serde_dynamo::aws_sdk_dynamodb_1::to_item(state).map_err(|e| {
            StoreError::Permanent(format!(
                "source state {} cannot be encoded: {e}",
                state.name
            ))
        })?;
        document.extend(item::source_key(&state.name));
        let estimated = capacity::put_write_units(&document, SCHEMA.indexes);
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(document))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|e| sdk_error("PutItem", e))?;
        self.count(
            0,
            1,
            reported(out.consumed_capacity.as_ref()),
            Units::writes(estimated),
        );
        Ok(())
    }

    /// A PutItem of zero counts (no function deletes items: see `CheckpointStore`).
    async fn reset_ingest_counts(&self, name: &str) -> Result<(), StoreError> {
        self.put_plain(item::zero_counts_item(name)).await
    }
}

#[async_trait]
impl CheckpointStore for DynamoStore {
    /// One strongly consistent Query of the checkpoint's partition: the head and its parts.
    /// Parts of another generation than the head's (a save that stopped halfway) make the
    /// checkpoint unreadable, which is `None`: the crawl starts over rather than resume
    /// from a mix of two saves.
    async fn checkpoint(&self, source: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let partition = item::checkpoint_partition(source);
        let items = self
            .query(PartitionRead {
                consistent: true,
                ..PartitionRead::new(None, &partition)
            })
            .await?;
        Ok(item::assemble_checkpoint(source, items))
    }

    /// The parts first (`CHECKPOINT_PART_BYTES` each, one PutItem apiece), then the head
    /// naming their count and generation. Parts left over from a longer earlier save are
    /// never read again (the head says how many count) and expire by TTL.
    async fn put_checkpoint(&self, source: &str, progress: &[u8]) -> Result<(), StoreError> {
        // Any value a later save will not repeat: the time of this one.
        let now = Utc::now();
        let generation = now.timestamp_nanos_opt().unwrap_or_default().to_string();
        let expires = now + item::CHECKPOINT_TTL;
        let mut parts: Vec<&[u8]> = progress.chunks(item::CHECKPOINT_PART_BYTES).collect();
        if parts.is_empty() {
            // Empty progress is one empty part: a head of no parts means none.
            parts.push(progress);
        }
        for (n, part) in parts.iter().enumerate() {
            self.put_plain(item::checkpoint_part_item(
                source,
                n,
                &generation,
                part,
                expires,
            ))
            .await?;
        }
        self.put_plain(item::checkpoint_head_item(
            source,
            parts.len(),
            &generation,
            expires,
        ))
        .await
    }

    /// A head of no parts: the functions never delete an item (their IAM policies grant no
    /// DeleteItem, so no bug can delete a posting); the parts expire by TTL.
    async fn delete_checkpoint(&self, source: &str) -> Result<(), StoreError> {
        let expires = Utc::now() + item::CHECKPOINT_TTL;
        self.put_plain(item::checkpoint_head_item(source, 0, "none", expires))
            .await
    }
}

/// Error codes worth retrying: throttling, capacity and transient server trouble.
const RETRYABLE_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "LimitExceededException",
    "TransactionConflictException",
    "InternalServerError",
    "ServiceUnavailable",
];

/// Maps an SDK error to `Retryable` (throttling, 5xx, timeouts, network) or `Permanent`
/// (validation, missing table, anything else). The text holds the operation, the error code
/// and DynamoDB's message: never credentials or item contents.
fn sdk_error<E>(operation: &str, err: SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::ServiceError(context) => {
            let code = context.err().code().unwrap_or("unknown error");
            let message = context.err().message().unwrap_or_default();
            let text = format!("DynamoDB {operation}: {code}: {message}");
            if context.raw().status().is_server_error() || RETRYABLE_CODES.contains(&code) {
                StoreError::Retryable(text)
            } else {
                StoreError::Permanent(text)
            }
        }
        SdkError::TimeoutError(_) => {
            StoreError::Retryable(format!("DynamoDB {operation}: timed out"))
        }
        SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => StoreError::Retryable(
            format!("DynamoDB {operation}: {}", DisplayErrorContext(&err)),
        ),
        _ => StoreError::Permanent(format!(
            "DynamoDB {operation}: {}",
            DisplayErrorContext(&err)
        )),
    }
}

#[async_trait]
impl IngestCounter for DynamoStore {
    async fn add_ingest_counts(
        &self,
        name: &str,
        new: u64,
        changed: u64,
    ) -> Result<(), StoreError> {
        self.add_to_numbers(
            item::counts_key(name),
            &[
                (item::COUNT_NEW, i64::try_from(new).unwrap_or(i64::MAX)),
                (
                    item::COUNT_CHANGED,
                    i64::try_from(changed).unwrap_or(i64::MAX),
                ),
            ],
        )
        .await?;
        Ok(())
    }
}
