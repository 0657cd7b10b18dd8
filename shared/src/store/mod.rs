//! Storage ports: what the use cases and the read API need from a store, as narrow traits
//! with one adapter per engine (`memory` for tests, `sqlite` for one machine, `dynamodb` on
//! AWS). The read side (`PostingReader`, `SourceStateReader`) is all the API gets; the write
//! side (`PostingStore`, `SourceIndex`, `SourceStateStore`, `IngestCounter`,
//! `CheckpointStore`) serves the crawl and ingest use cases in `crate::app`, whose rules
//! (dedup, change detection, closing, duplicates) are the same for every adapter.

pub mod cursor;
#[cfg(feature = "dynamodb")]
pub mod dynamodb;
pub mod facets;
pub mod memory;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::identity::ListMark;
use crate::model::{
    Category, EmploymentType, JobPosting, Salary, Seniority, Validators, Workplace,
};
use crate::registry::SourceEntry;

/// A posting as stored: the posting (with its lifecycle fields set), its change history and
/// the store's bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPosting {
    /// The posting; `first_seen_at` and `last_seen_at` are always set in a store.
    #[serde(flatten)]
    pub posting: JobPosting,
    /// Earlier versions' key fields, newest first, at most `HISTORY_LIMIT`.
    #[serde(default)]
    pub history: Vec<PostingChange>,
    /// Whether the description was cut to fit the store's item size limit.
    #[serde(default)]
    pub description_truncated: bool,
    /// Optimistic-concurrency revision: every write of this posting expects the revision it
    /// read and stores the next one.
    #[serde(default)]
    pub revision: u64,
    /// The list mark of the crawl that last sent it (`ListMark`): bookkeeping for the
    /// crawler, never shown by the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<ListMark>,
}

/// How many earlier versions a posting keeps.
pub const HISTORY_LIMIT: usize = 10;

/// The key fields of a posting before one of its changes.
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostingChange {
    /// When the change was seen.
    pub changed_at: DateTime<Utc>,
    /// The title before the change.
    pub title: String,
    /// The salary before the change.
    pub salary: Option<Salary>,
    /// Hash of the description before the change.
    pub description_hash: String,
    /// The content hash before the change.
    pub content_hash: String,
}

/// The few fields the ingest rules compare, for every posting of a source or a fingerprint
/// group: small, so a whole source is read cheaply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// Posting id.
    pub id: String,
    /// Its source.
    pub source: String,
    /// Its content hash.
    pub content_hash: String,
    /// Its cross-source fingerprint.
    pub fingerprint: String,
    /// When the stored copy was fetched.
    pub fetched_at: DateTime<Utc>,
    /// When it was first seen.
    pub first_seen_at: DateTime<Utc>,
    /// When it closed, if it did.
    pub closed_at: Option<DateTime<Utc>>,
    /// The canonical posting it duplicates, if any.
    pub duplicate_of: Option<String>,
    /// Its `valid_through`.
    pub valid_through: Option<DateTime<Utc>>,
    /// Its revision.
    pub revision: u64,
    /// The list mark of the crawl that last sent it, if any.
    pub mark: Option<ListMark>,
}

impl IndexEntry {
    /// The index fields of a stored posting.
    pub fn of(stored: &StoredPosting) -> Self {
        let p = &stored.posting;
        IndexEntry {
            id: p.id.clone(),
            source: p.source.clone(),
            content_hash: p.content_hash.clone(),
            fingerprint: p.fingerprint.clone(),
            fetched_at: p.fetched_at,
            first_seen_at: p.first_seen_at.unwrap_or(p.fetched_at),
            closed_at: p.closed_at,
            duplicate_of: p.duplicate_of.clone(),
            valid_through: p.valid_through,
            revision: stored.revision,
            mark: stored.mark,
        }
    }
}

/// One conditional write.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Store a new posting; conflicts when the id already exists.
    Insert(StoredPosting),
    /// Replace a posting; conflicts unless the stored revision is `expected_revision`. The
    /// new value's `revision` is `expected_revision + 1`.
    Replace {
        /// The new value.
        posting: StoredPosting,
        /// The revision that was read.
        expected_revision: u64,
    },
}

impl Write {
    /// The id written.
    pub fn id(&self) -> &str {
        match self {
            Write::Insert(p) | Write::Replace { posting: p, .. } => &p.posting.id,
        }
    }
}

/// What happened to one write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// It was applied.
    Applied,
    /// Its condition failed (someone else wrote first); nothing was written.
    Conflict,
}

/// Store failures, split by what the caller should do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Worth retrying later: throttling, a busy database, a network error, repeated
    /// conflicts.
    #[error("store temporarily unavailable: {0}")]
    Retryable(String),
    /// Retrying will not help: invalid data, a misconfigured table.
    #[error("store error: {0}")]
    Permanent(String),
    /// A cursor that was tampered with, is malformed, or belongs to another query.
    #[error("bad cursor: {0}")]
    BadCursor(String),
}

impl StoreError {
    /// Whether the caller should retry (e.g. leave an SQS message for redelivery).
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Retryable(_))
    }
}

/// Filters and paging of a posting list. Absent filters match everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Words that must all appear in the title, company or skills.
    pub q: Option<String>,
    /// Company name (case-insensitive, exact).
    pub company: Option<String>,
    /// Skills that must all be present (canonical names).
    pub skills: Vec<String>,
    /// Seniority level.
    pub seniority: Option<Seniority>,
    /// Category.
    pub category: Option<Category>,
    /// Workplace.
    pub workplace: Option<Workplace>,
    /// ISO alpha-2 country: postings located there, or remote postings open to it.
    pub country: Option<String>,
    /// Employment type.
    pub employment_type: Option<EmploymentType>,
    /// Minimum pay: postings whose salary (max, else min) reaches it in this currency.
    pub salary_min: Option<SalaryFloor>,
    /// Only postings listed at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Include closed postings.
    pub include_closed: bool,
    /// Include postings that duplicate another source's posting.
    pub include_duplicates: bool,
}

/// A minimum salary in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalaryFloor {
    /// The amount, in units of the currency.
    pub amount: f64,
    /// ISO 4217 code.
    pub currency: String,
}

impl ListQuery {
    /// Whether a posting passes every filter (the reference semantics every adapter
    /// implements, whatever engine does the filtering).
    pub fn matches(&self, p: &JobPosting) -> bool {
        if p.closed_at.is_some() && !self.include_closed {
            return false;
        }
        if p.duplicate_of.is_some() && !self.include_duplicates {
            return false;
        }
        if let Some(q) = &self.q {
            let haystack =
                format!("{} {} {}", p.title, p.company.name, p.skills.join(" ")).to_lowercase();
            let words: Vec<String> = search_words(&haystack);
            if !search_words(q).iter().all(|w| words.contains(w)) {
                return false;
            }
        }
        if let Some(company) = &self.company
            && !p.company.name.eq_ignore_ascii_case(company.trim())
        {
            return false;
        }
        if !self.skills.iter().all(|s| p.skills.contains(s)) {
            return false;
        }
        if self.seniority.is_some() && p.seniority != self.seniority {
            return false;
        }
        if self.category.is_some() && p.category != self.category {
            return false;
        }
        if self.workplace.is_some() && p.workplace != self.workplace {
            return false;
        }
        if self.employment_type.is_some() && p.employment_type != self.employment_type {
            return false;
        }
        if let Some(country) = &self.country {
            let located = p
                .locations
                .iter()
                .any(|l| l.country.as_deref() == Some(country.as_str()));
            let open_remote = p.workplace == Some(Workplace::Remote)
                && (p.remote_regions.is_empty() || p.remote_regions.contains(country));
            if !located && !open_remote {
                return false;
            }
        }
        if let Some(floor) = &self.salary_min {
            let reaches = p.salary.as_ref().is_some_and(|s| {
                s.currency.as_deref() == Some(floor.currency.as_str())
                    && s.max.or(s.min).is_some_and(|top| top >= floor.amount)
            });
            if !reaches {
                return false;
            }
        }
        if let Some(since) = self.since
            && listed_at(p) < since
        {
            return false;
        }
        true
    }

    /// A stable hash of the filters, so a cursor can be tied to the query that made it.
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        crate::identity::hash_hex(&[&json])
    }
}

/// The key under which a remote posting open to every country is found by any `country`
/// filter, beside the named countries of `country_keys`.
pub const ANY_COUNTRY: &str = "*";

/// The keys a posting is found under by `country` filters, as `ListQuery::matches` decides:
/// its locations' countries, and when it is remote, its regions, or `ANY_COUNTRY` when it is
/// open to every country. The stores' country indexes hold exactly these.
pub fn country_keys(p: &JobPosting) -> std::collections::BTreeSet<&str> {
    let mut keys: std::collections::BTreeSet<&str> = p
        .locations
        .iter()
        .filter_map(|l| l.country.as_deref())
        .collect();
    if p.workplace == Some(Workplace::Remote) {
        if p.remote_regions.is_empty() {
            keys.insert(ANY_COUNTRY);
        } else {
            keys.extend(p.remote_regions.iter().map(String::as_str));
        }
    }
    keys
}

/// The words of a search text: lower case, split on anything but letters, digits, `#`,
/// `+` and `.` inside a word (so `c#`, `c++` and `node.js` are words).
pub fn search_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '#' | '+' | '.')))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// When a posting counts as listed, for "newest first": its publication date, but never
/// later than when it was first seen (a future `posted_at` does not pin it to the top).
pub fn listed_at(p: &JobPosting) -> DateTime<Utc> {
    let seen = p.first_seen_at.unwrap_or(p.fetched_at);
    p.posted_at.map_or(seen, |posted| posted.min(seen))
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Postings, newest first.
    pub items: Vec<StoredPosting>,
    /// Where the next page starts; `None` at the end.
    pub next_cursor: Option<String>,
}

/// The store's request counters, for cost tests and request logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct UsageSnapshot {
    /// Calls made to the engine.
    pub requests: u64,
    /// Items read.
    pub items_read: u64,
    /// Items written (inserted, replaced or deleted).
    pub items_written: u64,
    /// Read capacity units consumed (DynamoDB; 0 elsewhere).
    pub read_units: f64,
    /// Write capacity units consumed (DynamoDB; 0 elsewhere).
    pub write_units: f64,
}

impl UsageSnapshot {
    /// The usage between an earlier snapshot and this one.
    pub fn since(&self, earlier: &UsageSnapshot) -> UsageSnapshot {
        UsageSnapshot {
            requests: self.requests - earlier.requests,
            items_read: self.items_read - earlier.items_read,
            items_written: self.items_written - earlier.items_written,
            read_units: self.read_units - earlier.read_units,
            write_units: self.write_units - earlier.write_units,
        }
    }
}

/// Thread-safe counters behind `UsageSnapshot`; capacity units are kept in thousandths.
#[derive(Debug, Default)]
pub struct Usage {
    requests: AtomicU64,
    items_read: AtomicU64,
    items_written: AtomicU64,
    read_milli_units: AtomicU64,
    write_milli_units: AtomicU64,
}

impl Usage {
    /// Counts one engine call with the items it read and wrote.
    pub fn record(&self, items_read: u64, items_written: u64) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.items_read.fetch_add(items_read, Ordering::Relaxed);
        self.items_written
            .fetch_add(items_written, Ordering::Relaxed);
    }

    /// Adds consumed capacity units.
    pub fn record_units(&self, read_units: f64, write_units: f64) {
        let milli = |u: f64| (u.max(0.0) * 1000.0).round() as u64;
        self.read_milli_units
            .fetch_add(milli(read_units), Ordering::Relaxed);
        self.write_milli_units
            .fetch_add(milli(write_units), Ordering::Relaxed);
    }

    /// The counters now.
    pub fn snapshot(&self) -> UsageSnapshot {
        UsageSnapshot {
            requests: self.requests.load(Ordering::Relaxed),
            items_read: self.items_read.load(Ordering::Relaxed),
            items_written: self.items_written.load(Ordering::Relaxed),
            read_units: self.read_milli_units.load(Ordering::Relaxed) as f64 / 1000.0,
            write_units: self.write_milli_units.load(Ordering::Relaxed) as f64 / 1000.0,
        }
    }
}

/// The read side of postings: what the read API needs, and all it gets.
///
/// Every adapter must pass the conformance suite (`tests/store_conformance`).
#[async_trait]
pub trait PostingReader: Send + Sync {
    /// The stored postings with these ids (unknown ids are left out; order not kept).
    async fn get_many(&self, ids: &[String]) -> Result<Vec<StoredPosting>, StoreError>;

    /// Index entries of every stored posting with one of these fingerprints.
    async fn fingerprint_groups(
        &self,
        fingerprints: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError>;

    /// A page of postings matching `query`, newest first (by `listed_at`, then id), at most
    /// `limit` items, continuing after `cursor`. Reads a bounded number of items per call (at
    /// most a few times `limit`): a filter that matches little returns a short page with a
    /// cursor rather than reading the whole store. `BadCursor` for a cursor that is not
    /// this query's.
    async fn list(
        &self,
        query: &ListQuery,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page, StoreError>;

    /// As `list` (same items, order and cursors), for callers that show neither the HTML
    /// description nor the history: an adapter may leave each item's `description_html` and
    /// `history` empty when that saves reading them. The default is `list`.
    async fn list_brief(
        &self,
        query: &ListQuery,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page, StoreError> {
        self.list(query, limit, cursor).await
    }

    /// Counts of the open postings matching `query` per facet (`facets::Facets`), with a
    /// bounded number of reads. The default counts the newest matching postings through
    /// `list` (`facets::count_by_listing`); adapters with a cheaper exact count override it.
    async fn facets(&self, query: &ListQuery) -> Result<facets::Facets, StoreError> {
        facets::count_by_listing(self, query).await
    }

    /// The counters of this store handle.
    fn usage(&self) -> UsageSnapshot;
}

/// A source's stored postings as small index entries, page by page: what a crawl compares
/// its list against (which postings are known, with which list marks, which are open).
#[async_trait]
pub trait SourceIndex: Send + Sync {
    /// At most `limit` index entries of `source` (open and closed) whose ids sort after
    /// `after`, in id order. Walking the pages from `None` to a short page visits every
    /// posting of the source once, holding one page at a time.
    async fn source_index_page(
        &self,
        source: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IndexEntry>, StoreError>;
}

/// Index entries a `SourceIndex` returns per page when a caller reads a whole source.
pub const INDEX_PAGE: usize = 1000;

/// Every index entry of `source`, read page by page (for callers that need them all at
/// once; a large source is better walked with `source_index_page`).
pub async fn source_index(
    index: &dyn SourceIndex,
    source: &str,
) -> Result<Vec<IndexEntry>, StoreError> {
    let mut entries: Vec<IndexEntry> = Vec::new();
    loop {
        let after = entries.last().map(|e| e.id.clone());
        let page = index
            .source_index_page(source, after.as_deref(), INDEX_PAGE)
            .await?;
        let last_page = page.len() < INDEX_PAGE;
        entries.extend(page);
        if last_page {
            return Ok(entries);
        }
    }
}

/// The write side of postings: the primitives of the ingest rules, over the read side.
///
/// Every adapter must pass the conformance suite (`tests/store_conformance`).
#[async_trait]
pub trait PostingStore: PostingReader + SourceIndex {
    /// Index entries of the stored postings of `source` among `ids` (unknown ids, and ids
    /// of other sources, are left out; any order): what one message of a source needs.
    async fn source_entries(
        &self,
        source: &str,
        ids: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError>;

    /// Applies conditional writes, each on its own (one conflict does not stop the others).
    /// Returns one outcome per write, in order.
    async fn write(&self, writes: Vec<Write>) -> Result<Vec<WriteOutcome>, StoreError>;

    /// Deletes closed postings whose retention ended before `now`. Returns how many were
    /// deleted (0 for a store whose engine expires items itself, like DynamoDB's TTL).
    async fn delete_expired(
        &self,
        now: DateTime<Utc>,
        retention: chrono::Duration,
    ) -> Result<usize, StoreError>;
}

/// When a posting closed at `closed_at` may be deleted.
pub fn expires_at(closed_at: DateTime<Utc>, retention: chrono::Duration) -> DateTime<Utc> {
    closed_at + retention
}

/// The outcome of a source's last crawl.
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrawlOutcome {
    /// Fetched and ingested.
    Success,
    /// Nothing changed (HTTP 304 everywhere).
    Unchanged,
    /// Stopped early (page cap, partial crawl guard).
    Partial,
    /// Failed.
    Failed,
}

/// Counts of a source's last run.
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCounts {
    /// Open postings after the run.
    pub open: u64,
    /// New postings.
    pub new: u64,
    /// Changed postings.
    pub changed: u64,
    /// Closed postings.
    pub closed: u64,
}

/// What is known about one source between crawls.
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceState {
    /// Source name.
    pub name: String,
    /// When the last crawl started.
    pub last_started_at: Option<DateTime<Utc>>,
    /// When the last crawl finished.
    pub last_finished_at: Option<DateTime<Utc>>,
    /// How it ended.
    pub outcome: Option<CrawlOutcome>,
    /// Failures in a row (0 after a success).
    pub consecutive_failures: u32,
    /// When the source is next due.
    pub next_due_at: Option<DateTime<Utc>>,
    /// Validators per fetched URL.
    #[serde(default)]
    pub validators: std::collections::BTreeMap<String, Validators>,
    /// Counts of the last run.
    #[serde(default)]
    pub counts: RunCounts,
    /// The last error, short and without secrets.
    pub last_error: Option<String>,
    /// The last warning (e.g. a partial crawl that closed nothing).
    pub warning: Option<String>,
    /// The crawl in progress, if one is: it may span several invocations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<RunningCrawl>,
    /// Crawls started so far (each posting's refresh comes round once every so many).
    #[serde(default)]
    pub crawls: u64,
}

/// A crawl that started and has not finished: continued invocation after invocation until
/// its list is read, or taken over when it stops reporting (`updated_at`).
#[cfg_attr(feature = "api", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningCrawl {
    /// When the crawl started: its identity, stamped on its messages.
    pub started_at: DateTime<Utc>,
    /// The last time an invocation of it started or saved its progress.
    pub updated_at: DateTime<Utc>,
    /// Invocations so far, this one included.
    pub invocations: u32,
    /// Postings the crawl has listed so far.
    pub listed: u64,
    /// `due_at` of the scheduled task that started (or last took over) the crawl: that
    /// task delivered again means its invocation died.
    pub due_at: DateTime<Utc>,
}

/// The source states as the read API shows them.
#[async_trait]
pub trait SourceStateReader: Send + Sync {
    /// Every stored source state, by name.
    async fn source_states(&self) -> Result<Vec<SourceState>, StoreError>;
}

/// The source-state side of a store. A state has two writers: the crawler owns everything
/// but the ingest counts (`counts.new`, `counts.changed`), which ingest adds to. Each side
/// writes only its own fields, so neither undoes the other's concurrent update.
#[async_trait]
pub trait SourceStateStore: SourceStateReader {
    /// One source's state, if anything of it was ever stored (ingest counts alone read as a
    /// default state with them).
    async fn source_state(&self, name: &str) -> Result<Option<SourceState>, StoreError>;
    /// Stores the crawler's fields of a source's state (replacing their previous values);
    /// the ingest counts keep what they hold.
    async fn put_source_state(&self, state: &SourceState) -> Result<(), StoreError>;
    /// Sets a source's ingest counts back to zero (a crawl starts counting afresh).
    async fn reset_ingest_counts(&self, name: &str) -> Result<(), StoreError>;
}

/// Ingest's side of the source states: what it wrote of each source, counted. Apart from
/// `SourceStateStore` so that only ingest holds (and links) the counting write.
#[async_trait]
pub trait IngestCounter: Send + Sync {
    /// Adds to a source's ingest counts, atomically: concurrent ingests add up.
    async fn add_ingest_counts(&self, name: &str, new: u64, changed: u64)
    -> Result<(), StoreError>;
}

/// The source registry's read side: what the scheduler, the crawler and `/sources` read.
#[async_trait]
pub trait SourceRegistryReader: Send + Sync {
    /// Every record, removed ones included, in name order. Bounded reads: the records are
    /// read together (one partition on DynamoDB), never scanned out of the postings.
    async fn registered_sources(&self) -> Result<Vec<SourceEntry>, StoreError>;
    /// One record by name (strongly consistent where the store has a choice).
    async fn registered_source(&self, name: &str) -> Result<Option<SourceEntry>, StoreError>;
}

/// The source registry: sources kept in the store, so changing them needs no build and no
/// deploy (`jobfeed sources import | add | remove | enable | disable`).
#[async_trait]
pub trait SourceRegistry: SourceRegistryReader {
    /// Writes `entries`, each replacing the record of its name.
    async fn put_registered_sources(&self, entries: &[SourceEntry]) -> Result<(), StoreError>;
}

/// Every side of a store: what a process running the whole pipeline wires (`jobfeed crawl`,
/// `jobfeed serve`). Use cases take the narrower ports.
pub trait Store:
    PostingStore + SourceStateStore + IngestCounter + CheckpointStore + SourceRegistry
{
}

impl<T: PostingStore + SourceStateStore + IngestCounter + CheckpointStore + SourceRegistry> Store
    for T
{
}

/// Where a crawl that spans invocations keeps its progress between them: one opaque
/// document per source (the app layer's `CrawlProgress`), of any size (a store with an item
/// size limit splits it).
#[async_trait]
pub trait CheckpointStore: Send + Sync {
    /// The saved progress of `source`'s crawl, if any.
    async fn checkpoint(&self, source: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Saves `source`'s progress, replacing what was saved before.
    async fn put_checkpoint(&self, source: &str, progress: &[u8]) -> Result<(), StoreError>;
    /// Forgets `source`'s progress (its crawl is over).
    async fn delete_checkpoint(&self, source: &str) -> Result<(), StoreError>;
}
