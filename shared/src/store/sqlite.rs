//! Embedded SQLite store: one database file on one machine, shared by `jobfeed crawl`
//! (writing) and `jobfeed serve` (reading) through WAL mode. Behaves like the in-memory
//! reference store; SQL only narrows the candidates and `ListQuery::matches` has the last
//! word on every listed row.
//!
//! Layout: `postings` keeps each posting as JSON (`body`, without its descriptions), the
//! descriptions, history and bookkeeping in columns of their own, and the columns the port and the
//! list filters read; `posting_skills`, `posting_countries` and the FTS5 table
//! `posting_fts` are side rows kept in sync by every write; `facet_counts` holds the facet
//! counters, changed in every write's transaction (`sqlite/facet_counters.rs`); `sources`
//! keeps source states as JSON. The schema is migrated by `PRAGMA user_version` (see
//! `MIGRATIONS`).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration as StdDuration;
use tokio::sync::Semaphore;

use async_trait::async_trait;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::types::Value as SqlValue;
use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Row, Transaction, TransactionBehavior, params,
    params_from_iter,
};
use serde_json::{Value, json};

use super::facets::counters::{CounterDeltas, FacetCounterRepair, counter_scopes};
use super::{
    ANY_COUNTRY, CheckpointStore, IndexEntry, IngestCounter, ListQuery, Page, PostingReader,
    PostingStore, SourceIndex, SourceRegistry, SourceRegistryReader, SourceState,
    SourceStateReader, SourceStateStore, StoreError, StoredPosting, Usage, UsageSnapshot, Write,
    WriteOutcome, country_keys, cursor, listed_at, search_words,
};
use crate::identity::ListMark;
use crate::model::JobPosting;
use crate::registry::{SourceEntry, SourceStatus};

mod plan;

use plan::Plans;

mod facets;

mod facet_counters;

/// How long a statement waits for another process's lock before failing as retryable.
const BUSY_TIMEOUT: StdDuration = StdDuration::from_secs(5);

/// The page cache of each reader connection, in KiB (SQLite's default is 2 MiB).
const READER_CACHE_KIB: i64 = 64 * 1024;

/// A list call reads at most this many candidate rows per requested item.
const READ_BUDGET_FACTOR: usize = 5;

/// Ids or fingerprints per `IN (...)` list, well under SQLite's bound-variable limit.
const IN_CHUNK: usize = 500;

/// Version 5: the facet counts' covering index (`sqlite/facets.rs`): the open canonical
/// postings newest first with every column a facet groups by, so counting reads no row (the
/// columns sit after the JSON body, whose overflow pages a row read would walk).
const SCHEMA_FACETS: &str = r#"
CREATE INDEX postings_open_facets ON postings
    (listed_at DESC, id DESC, category, seniority, workplace, employment_type, company)
    WHERE closed_at IS NULL AND duplicate_of IS NULL;
"#;

/// The schema, one step per version: step `n` takes a database from `user_version` `n` to
/// `n + 1`. Steps are only ever appended; a shipped step never changes.
const MIGRATIONS: &[&str] = &[
    SCHEMA_V1,
    SCHEMA_V2,
    SCHEMA_V3,
    SCHEMA_REGISTRY,
    SCHEMA_FACETS,
    facet_counters::SCHEMA_FACET_COUNTERS,
    SCHEMA_SPLIT_BODY,
];

/// Version 7: `body` holds the `JobPosting` alone, its two descriptions empty, so a list row
/// decodes a plain posting of about a kilobyte, with no flattened fields to buffer and no
/// long escaped text to unescape. The description text (read as is, plain text), the HTML,
/// the history and the truncation flag move to columns of their own (appended, so after
/// `body`: a row read for a list stops before the HTML's overflow pages); `revision` and
/// `mark` already had theirs.
const SCHEMA_SPLIT_BODY: &str = r#"
ALTER TABLE postings ADD COLUMN description_text TEXT NOT NULL DEFAULT '';
ALTER TABLE postings ADD COLUMN description_html TEXT NOT NULL DEFAULT '';
ALTER TABLE postings ADD COLUMN history TEXT NOT NULL DEFAULT '[]';
ALTER TABLE postings ADD COLUMN description_truncated INTEGER NOT NULL DEFAULT 0;
UPDATE postings SET
    description_text = coalesce(json_extract(body, '$.description_text'), ''),
    description_html = coalesce(json_extract(body, '$.description_html'), ''),
    history = coalesce(json_extract(body, '$.history'), '[]'),
    description_truncated = coalesce(json_extract(body, '$.description_truncated'), 0),
    body = json_remove(json_set(body, '$.description_html', '', '$.description_text', ''),
        '$.history', '$.description_truncated', '$.revision', '$.mark');
"#;

/// Version 1. `pk` is an explicit rowid alias so the FTS rows, keyed by rowid, stay attached
/// to their posting even through a `VACUUM` (which may renumber implicit rowids); `id` is
/// the posting's key for everything else. Timestamps are RFC 3339 text, except `listed_at`:
/// nanoseconds since the epoch (saturated outside 1677–2262), so the list order is an
/// integer order.
const SCHEMA_V1: &str = r#"
CREATE TABLE postings (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    source TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    closed_at TEXT,
    duplicate_of TEXT,
    valid_through TEXT,
    revision INTEGER NOT NULL,
    listed_at INTEGER NOT NULL,
    company TEXT NOT NULL,
    seniority TEXT,
    category TEXT,
    workplace TEXT,
    employment_type TEXT,
    salary_currency TEXT,
    salary_top REAL
);
CREATE INDEX postings_by_source ON postings (source);
CREATE INDEX postings_by_fingerprint ON postings (fingerprint);
CREATE INDEX postings_by_listed ON postings (listed_at DESC, id DESC);
CREATE INDEX postings_open_by_listed ON postings (listed_at DESC, id DESC)
    WHERE closed_at IS NULL AND duplicate_of IS NULL;
CREATE INDEX postings_by_company ON postings (company, listed_at DESC, id DESC);
CREATE INDEX postings_closed ON postings (closed_at) WHERE closed_at IS NOT NULL;

CREATE TABLE posting_skills (
    id TEXT NOT NULL REFERENCES postings (id) ON DELETE CASCADE,
    skill TEXT NOT NULL,
    PRIMARY KEY (id, skill)
) WITHOUT ROWID;
CREATE INDEX posting_skills_by_skill ON posting_skills (skill, id);

CREATE TABLE posting_countries (
    id TEXT NOT NULL REFERENCES postings (id) ON DELETE CASCADE,
    country TEXT NOT NULL,
    PRIMARY KEY (id, country)
) WITHOUT ROWID;
CREATE INDEX posting_countries_by_country ON posting_countries (country, id);

-- Holds the `search_words` of each field, space separated. The tokenizer keeps every
-- character `search_words` keeps (letters, marks, numbers, symbols like circled letters,
-- `#`, `+`, `.`) inside a token, so each search word is exactly one token.
CREATE VIRTUAL TABLE posting_fts USING fts5 (
    title, company, skills,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M* So' tokenchars '#+.'"
);
CREATE TRIGGER postings_delete_fts AFTER DELETE ON postings BEGIN
    DELETE FROM posting_fts WHERE rowid = old.pk;
END;

CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL
) WITHOUT ROWID;
"#;

/// Version 2: a posting's list mark (`mark`, 32 hex digits, for the crawl's list pass), the
/// source index walked by id (`source, id`), ingest counts kept apart from the crawler's
/// state (so neither writer undoes the other), and crawl checkpoints.
const SCHEMA_V2: &str = r#"
ALTER TABLE postings ADD COLUMN mark TEXT;
CREATE INDEX postings_by_source_id ON postings (source, id);
DROP INDEX postings_by_source;
CREATE TABLE source_counts (
    name TEXT PRIMARY KEY,
    new INTEGER NOT NULL,
    changed INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE checkpoints (
    name TEXT PRIMARY KEY,
    progress BLOB NOT NULL
) WITHOUT ROWID;
"#;

/// Version 3: an index per list filter that starts with the filter and goes on in listing
/// order, so a list call walks only the postings of its most selective filter (see
/// `plan`). Each also holds every other column filter (and `postings_by_id_filters` holds
/// them by id, for the skill and country walks), so SQLite rejects a candidate on index
/// entries alone and reads a table row (with its large body) only for candidates that pass;
/// the skill and country rows get their posting's `listed_at` to be walked in listing order.
const SCHEMA_V3: &str = r#"
CREATE INDEX postings_by_seniority_listed
    ON postings (seniority, listed_at DESC, id DESC,
        closed_at, duplicate_of, category, workplace, employment_type, company, salary_currency, salary_top);
CREATE INDEX postings_by_category_listed
    ON postings (category, listed_at DESC, id DESC,
        closed_at, duplicate_of, seniority, workplace, employment_type, company, salary_currency, salary_top);
CREATE INDEX postings_by_workplace_listed
    ON postings (workplace, listed_at DESC, id DESC,
        closed_at, duplicate_of, seniority, category, employment_type, company, salary_currency, salary_top);
CREATE INDEX postings_by_employment_type_listed
    ON postings (employment_type, listed_at DESC, id DESC,
        closed_at, duplicate_of, seniority, category, workplace, company, salary_currency, salary_top);
CREATE INDEX postings_by_salary_listed
    ON postings (salary_currency, listed_at DESC, id DESC, salary_top,
        closed_at, duplicate_of, seniority, category, workplace, employment_type, company);
CREATE INDEX postings_by_company_listed
    ON postings (company, listed_at DESC, id DESC,
        closed_at, duplicate_of, seniority, category, workplace, employment_type, salary_currency, salary_top);
CREATE INDEX postings_by_id_filters
    ON postings (id, listed_at, closed_at, duplicate_of, seniority, category, workplace,
        employment_type, company, salary_currency, salary_top);
DROP INDEX postings_by_company;
ALTER TABLE posting_skills ADD COLUMN listed_at INTEGER NOT NULL DEFAULT 0;
UPDATE posting_skills
    SET listed_at = (SELECT p.listed_at FROM postings p WHERE p.id = posting_skills.id);
DROP INDEX posting_skills_by_skill;
CREATE INDEX posting_skills_by_skill_listed ON posting_skills (skill, listed_at DESC, id DESC);
ALTER TABLE posting_countries ADD COLUMN listed_at INTEGER NOT NULL DEFAULT 0;
UPDATE posting_countries
    SET listed_at = (SELECT p.listed_at FROM postings p WHERE p.id = posting_countries.id);
DROP INDEX posting_countries_by_country;
CREATE INDEX posting_countries_by_country_listed
    ON posting_countries (country, listed_at DESC, id DESC);
"#;

/// The source registry: one row per registered source, its `[[source]]` table as TOML text
/// (`registry::SourceEntry`).
const SCHEMA_REGISTRY: &str = r#"
CREATE TABLE source_registry (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
"#;

/// A store in one SQLite database. Cloning shares the connections; another process (or
/// another `open` of the same file) gets its own and sees committed writes.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    /// Read-only connections for the API's reads (lists, facets, postings by id), so
    /// concurrent requests read in parallel beside the writer (WAL readers block nobody).
    /// Empty for an in-memory database, which only its own connection sees: reads use
    /// `conn` then.
    readers: Arc<[Mutex<Connection>]>,
    /// One permit per reader. A read takes one before it leaves the executor, so waiting
    /// reads queue in arrival order (the semaphore is fair) without holding a blocking
    /// thread, and each then finds a reader free. Before, a read picked a busy reader round
    /// robin and slept on its lock, whose wake-up order is arbitrary, while another reader
    /// could be free: the tail of a loaded server's latency (BENCHMARKS.md, search section).
    reader_slots: Arc<Semaphore>,
    /// The plans of recent list queries (`plan::Plans`).
    plans: Arc<Plans>,
    usage: Arc<Usage>,
    list_steps: Arc<AtomicU64>,
}

impl SqliteStore {
    /// Index entries of the postings whose `column` is one of `values`. Values are made
    /// distinct first, so one repeated across chunks does not return its rows twice.
    async fn index_entries_where(
        &self,
        column: &'static str,
        values: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let values: Vec<String> = values
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        self.run(move |conn, usage| {
            let select = format!("SELECT {INDEX_COLUMNS} FROM postings WHERE {column}");
            let entries = in_chunks(conn, &select, &values, |rows, out| {
                out.extend(index_entries(rows)?);
                Ok(())
            })?;
            usage.record(entries.len() as u64, 0);
            Ok(entries)
        })
        .await
    }

    /// Opens (creating it if needed) the database file at `path`, in WAL mode, and migrates
    /// its schema; then opens the read-only connections that lists, facets and `get_many`
    /// run on (one per core, see `reader_count`). A database written by a newer jobfeed (a
    /// schema version this build does not know) is refused with `StoreError::Permanent`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path.as_ref(), BUSY_TIMEOUT)
    }

    /// The virtual-machine instructions SQLite has run for this handle's list calls so far
    /// (planning, window and candidates): the engine's own measure of the work a list
    /// does, which the scan window bounds however little a query matches.
    pub fn list_steps(&self) -> u64 {
        self.list_steps.load(Ordering::Relaxed)
    }

    /// A private database in memory, for tests: gone when the last clone is dropped.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().map_err(db_error)?;
        Self::prepare(conn, BUSY_TIMEOUT)
    }

    fn open_with(path: &Path, busy_timeout: StdDuration) -> Result<Self, StoreError> {
        let open = || {
            Connection::open(path)
                .map_err(|e| StoreError::Permanent(format!("cannot open {}: {e}", path.display())))
        };
        let mut store = Self::prepare(open()?, busy_timeout)?;
        if pragma_text(
            &store.conn.lock().unwrap_or_else(PoisonError::into_inner),
            "journal_mode",
        )?
        .eq_ignore_ascii_case("wal")
        {
            // After the migration, so readers never see an older schema. Outside WAL mode
            // a reader would block the writer: reads stay on the one connection then.
            let readers = (0..reader_count())
                .map(|_| {
                    let reader = open()?;
                    reader.busy_timeout(busy_timeout).map_err(db_error)?;
                    reader
                        .pragma_update(None, "query_only", true)
                        .map_err(db_error)?;
                    // The index pages a list probes (side rows, ids, search words) stay
                    // in memory: with SQLite's 2 MiB default every probe of a large
                    // database went back to the file.
                    reader
                        .pragma_update(None, "cache_size", -READER_CACHE_KIB)
                        .map_err(db_error)?;
                    Ok(Mutex::new(reader))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            store.reader_slots = Arc::new(Semaphore::new(readers.len()));
            store.readers = readers.into();
        }
        Ok(store)
    }

    fn prepare(mut conn: Connection, busy_timeout: StdDuration) -> Result<Self, StoreError> {
        // The timeout first: the pragmas and the migration may wait for another process.
        conn.busy_timeout(busy_timeout).map_err(db_error)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(db_error)?;
        if !matches!(mode.to_ascii_lowercase().as_str(), "wal" | "memory") {
            // Still correct, only readers and the writer now block each other.
            tracing::warn!(journal_mode = %mode, "SQLite refused WAL mode");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(db_error)?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            readers: Arc::new([]),
            reader_slots: Arc::new(Semaphore::new(0)),
            plans: Arc::new(Plans::default()),
            usage: Arc::new(Usage::default()),
            list_steps: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Runs blocking SQLite work off the async executor (inline when there is no Tokio
    /// runtime to hand it to, rather than panicking).
    async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &Usage) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let usage = Arc::clone(&self.usage);
        off_executor(move || {
            // A panic while holding the lock leaves the database consistent (an open
            // transaction is rolled back when it is dropped), so a poisoned lock is usable.
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut conn, &usage)
        })
        .await
    }

    /// One list page, its rows read whole or as `BRIEF_ROW` (`brief`).
    async fn list_rows(
        &self,
        query: &ListQuery,
        limit: usize,
        cursor: Option<&str>,
        brief: bool,
    ) -> Result<Page, StoreError> {
        let after = cursor.map(|c| decode_position(c, query)).transpose()?;
        let query = query.clone();
        let steps = Arc::clone(&self.list_steps);
        let plans = Arc::clone(&self.plans);
        self.read(move |conn, usage| {
            let request = PageRequest {
                query: &query,
                limit,
                after,
                brief,
            };
            list_page(conn, usage, &steps, &plans, request)
        })
        .await
    }

    /// As `run`, for work that only reads: on a free reader connection, in the order the
    /// reads arrived when all are busy; on the writer's when there are no readers.
    async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &Usage) -> Result<T, StoreError> + Send + 'static,
    {
        if self.readers.is_empty() {
            return self.run(work).await;
        }
        let slot = Arc::clone(&self.reader_slots)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Retryable("the store is closing".into()))?;
        let readers = Arc::clone(&self.readers);
        let usage = Arc::clone(&self.usage);
        off_executor(move || {
            // Declared first, so the reader is unlocked before the permit is returned.
            let _slot = slot;
            let free = readers.iter().find_map(|reader| reader.try_lock().ok());
            // A permit per reader leaves one unlocked: every read unlocks its reader before
            // it returns the permit, even when it panics. The wait is only a fallback.
            let mut conn =
                free.unwrap_or_else(|| readers[0].lock().unwrap_or_else(PoisonError::into_inner));
            work(&mut conn, &usage)
        })
        .await
    }
}

/// How many reader connections a file store opens: one per core (at least two, at most
/// eight), as many reads as can run at once.
fn reader_count() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// A text pragma's value.
fn pragma_text(conn: &Connection, name: &str) -> Result<String, StoreError> {
    conn.query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
        .map_err(db_error)
}

/// Runs blocking work off the async executor (inline when there is no Tokio runtime to
/// hand it to, rather than panicking).
async fn off_executor<T, F>(job: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
{
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle.spawn_blocking(job).await.map_err(|e| {
            if e.is_cancelled() {
                StoreError::Retryable("store task cancelled".into())
            } else {
                StoreError::Permanent(format!("store task failed: {e}"))
            }
        })?,
        Err(_) => job(),
    }
}

/// Brings the schema to the newest version, one step per transaction. The write lock is
/// taken before the version is read, so two processes opening a new file migrate it once.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len();
    if schema_version(conn)? == known {
        return Ok(());
    }
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_error)?;
        let version = schema_version(&tx)?;
        let Some(step) = MIGRATIONS.get(version) else {
            return Ok(());
        };
        tx.execute_batch(step).map_err(|e| {
            StoreError::Permanent(format!("schema migration to version {}: {e}", version + 1))
        })?;
        // `version` is below `MIGRATIONS.len()`, far from overflowing.
        let next = i64::try_from(version + 1).unwrap_or(i64::MAX);
        tx.pragma_update(None, "user_version", next)
            .map_err(db_error)?;
        tx.commit().map_err(db_error)?;
    }
}

/// The database's schema version; an error when it is newer than this build knows.
fn schema_version(conn: &Connection) -> Result<usize, StoreError> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(db_error)?;
    let known = MIGRATIONS.len();
    match usize::try_from(version) {
        Ok(v) if v <= known => Ok(v),
        _ => Err(StoreError::Permanent(format!(
            "the database has schema version {version}, but this jobfeed knows versions up to \
             {known}: open it with a newer jobfeed"
        ))),
    }
}

/// Busy and locked databases are worth retrying; anything else (corruption, a broken
/// schema, a full disk) is not.
fn db_error(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Retryable(format!("database busy: {e}"))
        }
        _ => StoreError::Permanent(format!("sqlite: {e}")),
    }
}

fn timestamp_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Permanent(format!("stored timestamp {text:?}: {e}")))
}

/// The integer `listed_at` column. Saturating keeps the mapping monotonic, so SQL range
/// filters on it never drop a row `ListQuery::matches` would keep.
fn listed_key(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// Revisions are stored bit for bit in SQLite's signed integers, so every `u64` round
/// trips and equality is kept.
fn revision_column(revision: u64) -> i64 {
    i64::from_ne_bytes(revision.to_ne_bytes())
}

fn revision_value(column: i64) -> u64 {
    u64::from_ne_bytes(column.to_ne_bytes())
}

/// A whole posting row, in `decode_row`'s column order.
const FULL_ROW: &str =
    "id, body, revision, mark, description_text, description_html, history, description_truncated";

/// A posting row without its HTML and history (`PostingReader::list_brief`).
const BRIEF_ROW: &str = "id, body, revision, mark, description_text";

/// The posting alone from its `body` (its descriptions empty): for readers that only need
/// the fields the facets count.
fn decode_body(id: &str, body: &[u8]) -> Result<JobPosting, StoreError> {
    serde_json::from_slice(body).map_err(|e| invalid_row(id, &e))
}

/// Column `index` of `row` as borrowed bytes: JSON that serde_json decodes in place (it
/// checks each string's UTF-8 as it parses, so the text is neither copied nor scanned twice).
fn column_bytes<'r>(row: &'r Row<'_>, index: usize) -> Result<&'r [u8], StoreError> {
    row.get_ref(index)
        .and_then(|value| value.as_bytes().map_err(Into::into))
        .map_err(db_error)
}

/// Column `index` of `row` as text. Long descriptions (a 50-entry feed reads about 250 KB of
/// them) are checked with SIMD, which keeps its speed on text that is not ASCII: the standard
/// check was an eighth of the Atom feed's CPU on the seeded corpus, whose Japanese postings
/// fall off its ASCII fast path.
fn column_text(row: &Row<'_>, index: usize) -> Result<String, StoreError> {
    let bytes = column_bytes(row, index)?;
    simdutf8::basic::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| StoreError::Permanent(format!("column {index} is not valid UTF-8")))
}

fn invalid_row(id: &str, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::Permanent(format!("stored posting {id} is not valid: {e}"))
}

/// A posting from a row selected as `FULL_ROW` (`full`) or `BRIEF_ROW`. A brief row leaves
/// `description_html` empty and `history` empty.
fn decode_row(row: &Row<'_>, full: bool) -> Result<StoredPosting, StoreError> {
    let id: String = row.get(0).map_err(db_error)?;
    let mut posting = decode_body(&id, column_bytes(row, 1)?)?;
    let revision = revision_value(row.get(2).map_err(db_error)?);
    let mark = row
        .get::<_, Option<String>>(3)
        .map_err(db_error)?
        .map(ListMark::try_from)
        .transpose()
        .map_err(|e| invalid_row(&id, &e))?;
    posting.description_text = column_text(row, 4)?;
    let (history, description_truncated) = if full {
        posting.description_html = column_text(row, 5)?;
        let history =
            serde_json::from_slice(column_bytes(row, 6)?).map_err(|e| invalid_row(&id, &e))?;
        (history, row.get(7).map_err(db_error)?)
    } else {
        (Vec::new(), false)
    };
    Ok(StoredPosting {
        posting,
        history,
        description_truncated,
        revision,
        mark,
    })
}

/// `?, ?, ...` for an `IN` list of `n` values.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The side rows of one posting.
struct Derived {
    skills: BTreeSet<String>,
    countries: BTreeSet<String>,
    words: [String; 3],
}

impl Derived {
    fn of(p: &JobPosting) -> Self {
        let countries = country_keys(p).into_iter().map(str::to_owned).collect();
        // The same words `ListQuery::matches` finds in its lower-cased haystack; the
        // fields are space separated there too, so splitting per field gives the same words.
        let words = |text: &str| search_words(&text.to_lowercase()).join(" ");
        Derived {
            skills: p.skills.iter().cloned().collect(),
            countries,
            words: [
                words(&p.title),
                words(&p.company.name),
                words(&p.skills.join(" ")),
            ],
        }
    }
}

/// Inserts a posting's columns (`?1..?24`); returns its `pk`, or nothing when the id exists.
const INSERT_POSTING: &str = "INSERT INTO postings (id, body, source, fingerprint, \
    content_hash, fetched_at, first_seen_at, closed_at, duplicate_of, valid_through, revision, \
    listed_at, company, seniority, category, workplace, employment_type, salary_currency, \
    salary_top, mark, description_html, history, description_truncated, description_text) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
    ?19, ?20, ?21, ?22, ?23, ?24) ON CONFLICT (id) DO NOTHING RETURNING pk";

/// Replaces a posting's columns (same parameters as `INSERT_POSTING`) when its revision is
/// `?25`; returns its `pk`, or nothing when the condition fails.
const UPDATE_POSTING: &str = "UPDATE postings SET body = ?2, source = ?3, fingerprint = ?4, \
    content_hash = ?5, fetched_at = ?6, first_seen_at = ?7, closed_at = ?8, duplicate_of = ?9, \
    valid_through = ?10, revision = ?11, listed_at = ?12, company = ?13, seniority = ?14, \
    category = ?15, workplace = ?16, employment_type = ?17, salary_currency = ?18, \
    salary_top = ?19, mark = ?20, description_html = ?21, history = ?22, \
    description_truncated = ?23, description_text = ?24 WHERE id = ?1 AND revision = ?25 \
    RETURNING pk";

/// Applies one write inside `tx`; a failed condition is `Conflict`, not an error.
fn apply(tx: &Transaction<'_>, write: &Write) -> Result<WriteOutcome, StoreError> {
    let (stored, expected) = match write {
        Write::Insert(stored) => (stored, None),
        Write::Replace {
            posting,
            expected_revision,
        } => (posting, Some(revision_column(*expected_revision))),
    };
    let p = &stored.posting;
    let unstorable = |e: serde_json::Error| {
        StoreError::Permanent(format!("posting {} cannot be stored: {e}", p.id))
    };
    // The body is the posting without its descriptions, which have columns of their own
    // (version 7).
    let body = serde_json::to_string(&JobPosting {
        description_html: String::new(),
        description_text: String::new(),
        ..p.clone()
    })
    .map_err(unstorable)?;
    let history = serde_json::to_string(&stored.history).map_err(unstorable)?;
    let salary_currency = p.salary.as_ref().and_then(|s| s.currency.clone());
    let salary_top = p.salary.as_ref().and_then(|s| s.max.or(s.min));
    let sql = if expected.is_some() {
        UPDATE_POSTING
    } else {
        INSERT_POSTING
    };
    let mut values: Vec<SqlValue> = vec![
        p.id.clone().into(),
        body.into(),
        p.source.clone().into(),
        p.fingerprint.clone().into(),
        p.content_hash.clone().into(),
        timestamp_text(p.fetched_at).into(),
        timestamp_text(p.first_seen_at.unwrap_or(p.fetched_at)).into(),
        p.closed_at.map(timestamp_text).into(),
        p.duplicate_of.clone().into(),
        p.valid_through.map(timestamp_text).into(),
        revision_column(stored.revision).into(),
        listed_key(listed_at(p)).into(),
        p.company.name.to_ascii_lowercase().into(),
        p.seniority.map(|v| v.as_str().to_owned()).into(),
        p.category.map(|v| v.as_str().to_owned()).into(),
        p.workplace.map(|v| v.as_str().to_owned()).into(),
        p.employment_type.map(|v| v.as_str().to_owned()).into(),
        salary_currency.into(),
        salary_top.into(),
        stored.mark.map(String::from).into(),
        p.description_html.clone().into(),
        history.into(),
        stored.description_truncated.into(),
        p.description_text.clone().into(),
    ];
    if let Some(expected) = expected {
        values.push(expected.into());
    }
    let pk: Option<i64> = tx
        .prepare_cached(sql)
        .and_then(|mut stmt| {
            stmt.query_row(params_from_iter(values), |row| row.get(0))
                .optional()
        })
        .map_err(db_error)?;
    let Some(pk) = pk else {
        return Ok(WriteOutcome::Conflict);
    };
    let listed = listed_key(listed_at(p));
    write_side_rows(tx, pk, &p.id, listed, &Derived::of(p), expected.is_some())
        .map_err(db_error)?;
    Ok(WriteOutcome::Applied)
}

/// Replaces the skill, country and search rows of one posting (`listed` is its `listed_at`
/// column, which the skill and country rows repeat for their indexes).
fn write_side_rows(
    tx: &Transaction<'_>,
    pk: i64,
    id: &str,
    listed: i64,
    derived: &Derived,
    replacing: bool,
) -> rusqlite::Result<()> {
    if replacing {
        tx.prepare_cached("DELETE FROM posting_skills WHERE id = ?1")?
            .execute([id])?;
        tx.prepare_cached("DELETE FROM posting_countries WHERE id = ?1")?
            .execute([id])?;
        tx.prepare_cached("DELETE FROM posting_fts WHERE rowid = ?1")?
            .execute([pk])?;
    }
    let mut skill =
        tx.prepare_cached("INSERT INTO posting_skills (id, skill, listed_at) VALUES (?1, ?2, ?3)")?;
    for s in &derived.skills {
        skill.execute(params![id, s, listed])?;
    }
    let mut country = tx.prepare_cached(
        "INSERT INTO posting_countries (id, country, listed_at) VALUES (?1, ?2, ?3)",
    )?;
    for c in &derived.countries {
        country.execute(params![id, c, listed])?;
    }
    let [title, company, skills] = &derived.words;
    tx.prepare_cached(
        "INSERT INTO posting_fts (rowid, title, company, skills) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![pk, title, company, skills])?;
    Ok(())
}

/// The columns `index_entry` reads, in its order.
const INDEX_COLUMNS: &str = "id, source, content_hash, fingerprint, fetched_at, first_seen_at, \
    closed_at, duplicate_of, valid_through, revision, mark";

/// Index entries from rows selected with `INDEX_COLUMNS`.
fn index_entries(rows: &mut rusqlite::Rows<'_>) -> Result<Vec<IndexEntry>, StoreError> {
    let mut entries = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        entries.push(index_entry(row)?);
    }
    Ok(entries)
}

fn index_entry(row: &Row<'_>) -> Result<IndexEntry, StoreError> {
    let text = |i: usize| row.get::<_, String>(i).map_err(db_error);
    let optional_time = |i: usize| -> Result<Option<DateTime<Utc>>, StoreError> {
        row.get::<_, Option<String>>(i)
            .map_err(db_error)?
            .as_deref()
            .map(parse_timestamp)
            .transpose()
    };
    Ok(IndexEntry {
        id: text(0)?,
        source: text(1)?,
        content_hash: text(2)?,
        fingerprint: text(3)?,
        fetched_at: parse_timestamp(&text(4)?)?,
        first_seen_at: parse_timestamp(&text(5)?)?,
        closed_at: optional_time(6)?,
        duplicate_of: row.get(7).map_err(db_error)?,
        valid_through: optional_time(8)?,
        revision: revision_value(row.get(9).map_err(db_error)?),
        mark: row
            .get::<_, Option<String>>(10)
            .map_err(db_error)?
            .map(|text| {
                ListMark::try_from(text)
                    .map_err(|e| StoreError::Permanent(format!("stored list mark: {e}")))
            })
            .transpose()?,
    })
}

/// A list position: the `listed_at` column and id of the last row a page covered.
type Position = (i64, String);

fn decode_position(cursor: &str, query: &ListQuery) -> Result<Position, StoreError> {
    let position = cursor::decode(cursor, &query.fingerprint())?;
    let at = position.get("at").and_then(Value::as_i64);
    let id = position.get("id").and_then(Value::as_str);
    match (at, id) {
        (Some(at), Some(id)) => Ok((at, id.to_owned())),
        _ => Err(StoreError::BadCursor("malformed position".into())),
    }
}

fn encode_position(query: &ListQuery, (at, id): &Position) -> String {
    cursor::encode(&query.fingerprint(), json!({"at": at, "id": id}))
}

/// The FTS5 query for `q`: every search word as a quoted phrase (all must match). `None`
/// when `q` has no words, which matches everything.
fn fts_terms(q: &str) -> Option<String> {
    let terms: Vec<String> = search_words(q)
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// What one list call asks for.
struct PageRequest<'q> {
    query: &'q ListQuery,
    limit: usize,
    /// The cursor's position: the page starts after it.
    after: Option<Position>,
    /// Rows read as `BRIEF_ROW`.
    brief: bool,
}

/// Reads one page: candidates in order, each confirmed by `ListQuery::matches`, until the
/// page is full and one more match shows there is more, or the read budget runs out.
fn list_page(
    conn: &Connection,
    usage: &Usage,
    list_steps: &AtomicU64,
    plans: &Plans,
    request: PageRequest<'_>,
) -> Result<Page, StoreError> {
    let PageRequest {
        query,
        limit,
        after,
        brief,
    } = request;
    if limit == 0 {
        usage.record(0, 0);
        return Ok(Page {
            items: Vec::new(),
            next_cursor: None,
        });
    }
    let budget = limit.saturating_mul(READ_BUDGET_FACTOR);
    // One snapshot for the plan, the candidates and the bodies read after them (a
    // concurrent write cannot remove a candidate between its key and its body).
    let snapshot = conn.unchecked_transaction().map_err(db_error)?;
    let mut steps = 0u64;
    let plan = plans.plan(conn, query, &mut steps)?;
    let floor = plan
        .driver
        .window_floor(conn, query, after.as_ref(), &mut steps)?;
    let statements = plan.candidates_sql(query, after.as_ref(), floor.as_ref(), budget);
    let mut walk = Walk {
        conn,
        query,
        limit,
        brief,
        items: Vec::new(),
        read: 0,
        last_item: None,
        last_read: None,
        more_matches: false,
    };
    if let [(sql, args)] = statements.as_slice() {
        // One walk in listing order: read only as far as the page needs.
        let mut stmt = conn.prepare_cached(sql).map_err(db_error)?;
        {
            let mut rows = stmt.query(params_from_iter(args)).map_err(db_error)?;
            while let Some(candidate) = next_candidate(&mut rows)? {
                if !walk.take(candidate)? {
                    break;
                }
            }
        }
        steps += plan::step_count(&stmt);
    } else if let [(first_sql, first_args), (second_sql, second_args)] = statements.as_slice() {
        // Two lists (a country's and the remote-anywhere one), each in listing order:
        // merged as they are read, newest first, a posting on both taken once. Each list
        // gives at most `budget`, so the first `budget` distinct of the merge are the
        // first of the union; reading stops as soon as the page is full.
        let mut first_stmt = conn.prepare_cached(first_sql).map_err(db_error)?;
        let mut second_stmt = conn.prepare_cached(second_sql).map_err(db_error)?;
        {
            let mut first = first_stmt
                .query(params_from_iter(first_args))
                .map_err(db_error)?;
            let mut second = second_stmt
                .query(params_from_iter(second_args))
                .map_err(db_error)?;
            let mut a = next_candidate(&mut first)?;
            let mut b = next_candidate(&mut second)?;
            while walk.read < budget {
                let newer_first = match (&a, &b) {
                    (None, None) => break,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (Some(x), Some(y)) => (x.0, &x.1) >= (y.0, &y.1),
                };
                let (taken, other, taken_rows, other_rows) = if newer_first {
                    (&mut a, &mut b, &mut first, &mut second)
                } else {
                    (&mut b, &mut a, &mut second, &mut first)
                };
                let Some(candidate) = taken.take() else { break };
                *taken = next_candidate(taken_rows)?;
                // A posting on both lists has the same position on each: the other
                // list's copy is its head now (everything newer there is already read).
                if other.as_ref().is_some_and(|head| head.1 == candidate.1) {
                    *other = next_candidate(other_rows)?;
                }
                if !walk.take(candidate)? {
                    break;
                }
            }
        }
        steps += plan::step_count(&first_stmt) + plan::step_count(&second_stmt);
    }
    snapshot.commit().map_err(db_error)?;
    list_steps.fetch_add(steps, Ordering::Relaxed);
    usage.record(walk.read as u64, 0);
    let next = if walk.more_matches {
        walk.last_item
    } else if walk.read >= budget {
        // Budget spent: continue after everything read, matched or not.
        walk.last_read
    } else {
        // The candidates ran out before the budget did: the end, or the end of this call's
        // window (the next call goes on below its floor).
        floor
    };
    Ok(Page {
        items: walk.items,
        next_cursor: next.map(|position| encode_position(query, &position)),
    })
}

/// The next `(listed_at, id, pk)` of a candidate query.
fn next_candidate(rows: &mut rusqlite::Rows<'_>) -> Result<Option<(i64, String, i64)>, StoreError> {
    match rows.next().map_err(db_error)? {
        Some(row) => Ok(Some((
            row.get(0).map_err(db_error)?,
            row.get(1).map_err(db_error)?,
            row.get(2).map_err(db_error)?,
        ))),
        None => Ok(None),
    }
}

/// The candidates of one list page as they are read, in listing order.
struct Walk<'q> {
    conn: &'q Connection,
    query: &'q ListQuery,
    limit: usize,
    /// Rows read as `BRIEF_ROW`.
    brief: bool,
    items: Vec<StoredPosting>,
    read: usize,
    last_item: Option<Position>,
    last_read: Option<Position>,
    more_matches: bool,
}

impl Walk<'_> {
    /// Takes one candidate `(listed_at, id, pk)`; `false` once the page is full and this
    /// candidate showed there is more. Its body is read and decoded here, for
    /// `ListQuery::matches` to have the last word: SQL has already applied every filter,
    /// so about the page's rows (and the one after) are decoded, not every candidate.
    fn take(&mut self, (at, id, pk): (i64, String, i64)) -> Result<bool, StoreError> {
        self.read += 1;
        let columns = if self.brief { BRIEF_ROW } else { FULL_ROW };
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {columns} FROM postings WHERE pk = ?1"))
            .map_err(db_error)?;
        let mut rows = stmt.query([pk]).map_err(db_error)?;
        // The read transaction keeps every candidate's row; a missing one is not listed.
        let Some(row) = rows.next().map_err(db_error)? else {
            self.last_read = Some((at, id));
            return Ok(true);
        };
        let stored = decode_row(row, !self.brief)?;
        let matched = self.query.matches(&stored.posting);
        if matched && self.items.len() == self.limit {
            self.more_matches = true;
            return Ok(false);
        }
        if matched {
            self.items.push(stored);
            self.last_item = Some((at, id.clone()));
        }
        self.last_read = Some((at, id));
        Ok(true)
    }
}

/// Runs `each` over `values` in `IN`-list sized chunks, inside one read transaction so the
/// chunks see one snapshot.
fn in_chunks<T>(
    conn: &mut Connection,
    select: &str,
    values: &[String],
    mut each: impl FnMut(&mut rusqlite::Rows<'_>, &mut Vec<T>) -> Result<(), StoreError>,
) -> Result<Vec<T>, StoreError> {
    let tx = conn.transaction().map_err(db_error)?;
    let mut out = Vec::new();
    for chunk in values.chunks(IN_CHUNK) {
        let sql = format!("{select} IN ({})", placeholders(chunk.len()));
        let mut stmt = tx.prepare_cached(&sql).map_err(db_error)?;
        let mut rows = stmt.query(params_from_iter(chunk)).map_err(db_error)?;
        each(&mut rows, &mut out)?;
    }
    tx.commit().map_err(db_error)?;
    Ok(out)
}

/// Whether a posting closed at `closed_at` is past `retention` at `now` (as
/// `store::expires_at`, without overflowing on extreme dates).
fn retention_ended(closed_at: DateTime<Utc>, retention: Duration, now: DateTime<Utc>) -> bool {
    match closed_at.checked_add_signed(retention) {
        Some(expires) => expires <= now,
        None => retention < Duration::zero(),
    }
}

#[async_trait]
impl SourceIndex for SqliteStore {
    async fn source_index_page(
        &self,
        source: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let source = source.to_owned();
        let after = after.unwrap_or_default().to_owned();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |conn, usage| {
            let sql = format!(
                "SELECT {INDEX_COLUMNS} FROM postings WHERE source = ?1 AND id > ?2 \
                 ORDER BY id LIMIT ?3"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(db_error)?;
            let entries = index_entries(
                &mut stmt
                    .query(params![source, after, limit])
                    .map_err(db_error)?,
            )?;
            usage.record(entries.len() as u64, 0);
            Ok(entries)
        })
        .await
    }
}

#[async_trait]
impl PostingReader for SqliteStore {
    async fn fingerprint_groups(
        &self,
        fingerprints: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        self.index_entries_where("fingerprint", fingerprints).await
    }

    async fn get_many(&self, ids: &[String]) -> Result<Vec<StoredPosting>, StoreError> {
        let ids = ids.to_vec();
        self.read(move |conn, usage| {
            let found = in_chunks(
                conn,
                &format!("SELECT {FULL_ROW} FROM postings WHERE id"),
                &ids,
                |rows, out| {
                    while let Some(row) = rows.next().map_err(db_error)? {
                        let stored = decode_row(row, true)?;
                        out.push((stored.posting.id.clone(), stored));
                    }
                    Ok(())
                },
            )?;
            let by_id: HashMap<String, StoredPosting> = found.into_iter().collect();
            // In the order asked, like the reference store.
            let postings: Vec<StoredPosting> =
                ids.iter().filter_map(|id| by_id.get(id).cloned()).collect();
            usage.record(postings.len() as u64, 0);
            Ok(postings)
        })
        .await
    }

    async fn list(
        &self,
        query: &ListQuery,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page, StoreError> {
        self.list_rows(query, limit, cursor, false).await
    }

    /// Reads `BRIEF_ROW`: no HTML and no history to read or decode.
    async fn list_brief(
        &self,
        query: &ListQuery,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page, StoreError> {
        self.list_rows(query, limit, cursor, true).await
    }

    /// Counter-served filter sets: exact, from the counters the writes keep
    /// (`sqlite/facet_counters.rs`). Others: exact up to the newest `facets::FACET_ROWS`
    /// matching postings (`sqlite/facets.rs`).
    async fn facets(&self, query: &ListQuery) -> Result<super::facets::Facets, StoreError> {
        let query = query.clone();
        self.read(move |conn, usage| match counter_scopes(&query) {
            Some(scopes) => facet_counters::facets(conn, usage, &scopes),
            None => facets::facets(conn, usage, &query),
        })
        .await
    }

    fn usage(&self) -> UsageSnapshot {
        self.usage.snapshot()
    }
}

#[async_trait]
impl PostingStore for SqliteStore {
    /// By primary key, in chunks: a message's postings only, however large the source.
    async fn source_entries(
        &self,
        source: &str,
        ids: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let mut entries = self.index_entries_where("id", ids).await?;
        entries.retain(|e| e.source == source);
        Ok(entries)
    }

    async fn write(&self, writes: Vec<Write>) -> Result<Vec<WriteOutcome>, StoreError> {
        self.run(move |conn, usage| {
            if writes.is_empty() {
                usage.record(0, 0);
                return Ok(Vec::new());
            }
            // Immediate: take the write lock up front, so a concurrent writer makes this wait
            // (busy timeout) instead of failing halfway through.
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db_error)?;
            // The facet counters change with the postings, in the same transaction.
            let mut deltas = CounterDeltas::default();
            let outcomes = writes
                .iter()
                .map(|write| {
                    let old = facet_counters::replaced(&tx, write)?;
                    let outcome = apply(&tx, write)?;
                    if outcome == WriteOutcome::Applied {
                        let (Write::Insert(new) | Write::Replace { posting: new, .. }) = write;
                        deltas.record(old.as_ref(), Some(&new.posting));
                    }
                    Ok(outcome)
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            facet_counters::apply(&tx, &deltas)?;
            tx.commit().map_err(db_error)?;
            let written = outcomes
                .iter()
                .filter(|o| **o == WriteOutcome::Applied)
                .count();
            usage.record(0, written as u64);
            Ok(outcomes)
        })
        .await
    }

    async fn delete_expired(
        &self,
        now: DateTime<Utc>,
        retention: Duration,
    ) -> Result<usize, StoreError> {
        self.run(move |conn, usage| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db_error)?;
            // Decided in Rust with exact timestamps; the partial index keeps the read to
            // closed postings only.
            let closed: Vec<(String, String)> = {
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT id, closed_at FROM postings WHERE closed_at IS NOT NULL",
                    )
                    .map_err(db_error)?;
                let rows = stmt
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                    .map_err(db_error)?;
                rows.collect::<Result<_, _>>().map_err(db_error)?
            };
            let mut deleted = 0;
            {
                // Skill and country rows go by cascade, search rows by trigger.
                let mut delete = tx
                    .prepare_cached("DELETE FROM postings WHERE id = ?1")
                    .map_err(db_error)?;
                for (id, closed_at) in &closed {
                    if retention_ended(parse_timestamp(closed_at)?, retention, now) {
                        deleted += delete.execute([id]).map_err(db_error)?;
                    }
                }
            }
            tx.commit().map_err(db_error)?;
            usage.record(closed.len() as u64, deleted as u64);
            Ok(deleted)
        })
        .await
    }
}

#[async_trait]
impl FacetCounterRepair for SqliteStore {
    /// Recounts in one write transaction: readers see the old counters or the new ones.
    async fn rebuild_facet_counters(&self) -> Result<u64, StoreError> {
        self.run(facet_counters::rebuild).await
    }
}

fn decode_state(name: &str, json: &str) -> Result<SourceState, StoreError> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Permanent(format!("stored state of source {name}: {e}")))
}

/// Every source state, or the one named `name`, with its ingest counts filled in (a source
/// with counts but no state yet reads as a default state with them).
fn read_states(conn: &Connection, name: Option<&str>) -> Result<Vec<SourceState>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, state, new, changed FROM ( \
                 SELECT s.name, s.state, c.new, c.changed FROM sources s \
                 LEFT JOIN source_counts c ON c.name = s.name \
                 UNION ALL \
                 SELECT c.name, NULL, c.new, c.changed FROM source_counts c \
                 WHERE c.name NOT IN (SELECT name FROM sources)) \
             WHERE ?1 IS NULL OR name = ?1 ORDER BY name",
        )
        .map_err(db_error)?;
    let rows = stmt
        .query_map([name], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, Option<i64>>(2)?,
                row.get::<_, Option<i64>>(3)?,
            ))
        })
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(db_error)?;
    rows.into_iter()
        .map(|(name, json, new, changed)| {
            let mut state = match json {
                Some(json) => decode_state(&name, &json)?,
                None => SourceState {
                    name,
                    ..SourceState::default()
                },
            };
            state.counts.new = new.map_or(0, revision_value);
            state.counts.changed = changed.map_or(0, revision_value);
            Ok(state)
        })
        .collect()
}

#[async_trait]
impl SourceStateReader for SqliteStore {
    async fn source_states(&self) -> Result<Vec<SourceState>, StoreError> {
        self.run(move |conn, _| read_states(conn, None)).await
    }
}

/// The registry rows named `name`, or all of them, in name order.
fn read_registry(conn: &Connection, name: Option<&str>) -> Result<Vec<SourceEntry>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, definition, status, updated_at FROM source_registry \
             WHERE ?1 IS NULL OR name = ?1 ORDER BY name",
        )
        .map_err(db_error)?;
    let rows = stmt
        .query_map([name], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(db_error)?;
    rows.into_iter()
        .map(|(name, definition, status, updated_at)| {
            let corrupt = |what: &str| {
                StoreError::Permanent(format!("registry record of source {name}: bad {what}"))
            };
            Ok(SourceEntry {
                status: SourceStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
                updated_at: DateTime::parse_from_rfc3339(&updated_at)
                    .map_err(|_| corrupt("time"))?
                    .with_timezone(&Utc),
                name,
                definition,
            })
        })
        .collect()
}

#[async_trait]
impl SourceRegistryReader for SqliteStore {
    async fn registered_sources(&self) -> Result<Vec<SourceEntry>, StoreError> {
        self.run(move |conn, _| read_registry(conn, None)).await
    }

    async fn registered_source(&self, name: &str) -> Result<Option<SourceEntry>, StoreError> {
        let name = name.to_owned();
        self.run(move |conn, _| Ok(read_registry(conn, Some(&name))?.pop()))
            .await
    }
}

#[async_trait]
impl SourceRegistry for SqliteStore {
    async fn put_registered_sources(&self, entries: &[SourceEntry]) -> Result<(), StoreError> {
        let entries = entries.to_vec();
        self.run(move |conn, _| {
            let tx = conn.transaction().map_err(db_error)?;
            {
                let mut stmt = tx
                    .prepare_cached(
                        "INSERT INTO source_registry (name, definition, status, updated_at) \
                         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET \
                         definition = excluded.definition, status = excluded.status, \
                         updated_at = excluded.updated_at",
                    )
                    .map_err(db_error)?;
                for entry in &entries {
                    stmt.execute(params![
                        entry.name,
                        entry.definition,
                        entry.status.as_str(),
                        entry.updated_at.to_rfc3339(),
                    ])
                    .map_err(db_error)?;
                }
            }
            tx.commit().map_err(db_error)
        })
        .await
    }
}

#[async_trait]
impl SourceStateStore for SqliteStore {
    async fn source_state(&self, name: &str) -> Result<Option<SourceState>, StoreError> {
        let name = name.to_owned();
        self.run(move |conn, _| Ok(read_states(conn, Some(&name))?.pop()))
            .await
    }

    async fn put_source_state(&self, state: &SourceState) -> Result<(), StoreError> {
        let name = state.name.clone();
        let json = serde_json::to_string(state)
            .map_err(|e| StoreError::Permanent(format!("state of source {name}: {e}")))?;
        self.run(move |conn, _| {
            conn.prepare_cached(
                "INSERT INTO sources (name, state) VALUES (?1, ?2) \
                 ON CONFLICT (name) DO UPDATE SET state = excluded.state",
            )
            .and_then(|mut stmt| stmt.execute(params![name, json]))
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn reset_ingest_counts(&self, name: &str) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.run(move |conn, _| {
            conn.prepare_cached("DELETE FROM source_counts WHERE name = ?1")
                .and_then(|mut stmt| stmt.execute([name]))
                .map_err(db_error)?;
            Ok(())
        })
        .await
    }
}

#[async_trait]
impl CheckpointStore for SqliteStore {
    async fn checkpoint(&self, source: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let source = source.to_owned();
        self.run(move |conn, _| {
            conn.prepare_cached("SELECT progress FROM checkpoints WHERE name = ?1")
                .and_then(|mut stmt| stmt.query_row([source], |row| row.get(0)).optional())
                .map_err(db_error)
        })
        .await
    }

    async fn put_checkpoint(&self, source: &str, progress: &[u8]) -> Result<(), StoreError> {
        let (source, progress) = (source.to_owned(), progress.to_vec());
        self.run(move |conn, _| {
            conn.prepare_cached(
                "INSERT INTO checkpoints (name, progress) VALUES (?1, ?2) \
                 ON CONFLICT (name) DO UPDATE SET progress = excluded.progress",
            )
            .and_then(|mut stmt| stmt.execute(params![source, progress]))
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn delete_checkpoint(&self, source: &str) -> Result<(), StoreError> {
        let source = source.to_owned();
        self.run(move |conn, _| {
            conn.prepare_cached("DELETE FROM checkpoints WHERE name = ?1")
                .and_then(|mut stmt| stmt.execute([source]))
                .map_err(db_error)?;
            Ok(())
        })
        .await
    }
}

#[async_trait]
impl IngestCounter for SqliteStore {
    async fn add_ingest_counts(
        &self,
        name: &str,
        new: u64,
        changed: u64,
    ) -> Result<(), StoreError> {
        let name = name.to_owned();
        let (new, changed) = (revision_column(new), revision_column(changed));
        self.run(move |conn, _| {
            conn.prepare_cached(
                "INSERT INTO source_counts (name, new, changed) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (name) DO UPDATE SET new = new + excluded.new, \
                 changed = changed + excluded.changed",
            )
            .and_then(|mut stmt| stmt.execute(params![name, new, changed]))
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Category, Company, EmploymentType, Location, Salary, Seniority, SourceKind, Workplace,
    };
    use crate::store::memory::MemoryStore;
    use crate::store::{PostingChange, SalaryFloor, source_index};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// A stored posting first seen (and so listed) at `listed`.
    fn stored(id: &str, title: &str, listed: &str) -> StoredPosting {
        let seen = at(listed);
        StoredPosting {
            posting: JobPosting {
                id: id.into(),
                source: "board".into(),
                source_kind: SourceKind::Greenhouse,
                external_id: Some(id.into()),
                url: format!("https://jobs.example/{id}"),
                apply_url: None,
                title: title.into(),
                company: Company {
                    name: "Acme".into(),
                    url: None,
                    logo_url: None,
                },
                department: None,
                locations: vec![],
                workplace: None,
                remote_regions: vec![],
                employment_type: None,
                seniority: None,
                category: None,
                skills: vec![],
                salary: None,
                description_html: "<p>Build things.</p>".into(),
                description_text: "Build things.".into(),
                posted_at: None,
                valid_through: None,
                fetched_at: seen,
                fingerprint: format!("fp-{id}"),
                content_hash: format!("hash-{id}"),
                first_seen_at: Some(seen),
                last_seen_at: Some(seen),
                closed_at: None,
                duplicate_of: None,
            },
            history: vec![],
            description_truncated: false,
            revision: 1,
            mark: None,
        }
    }

    async fn insert(store: &SqliteStore, postings: Vec<StoredPosting>) {
        let n = postings.len();
        let outcomes = store
            .write(postings.into_iter().map(Write::Insert).collect())
            .await
            .unwrap();
        assert_eq!(outcomes, vec![WriteOutcome::Applied; n]);
    }

    /// Every id a query lists, following cursors `limit` at a time.
    async fn walk(store: &dyn PostingStore, query: &ListQuery, limit: usize) -> Vec<String> {
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10_000 {
            let page = store.list(query, limit, cursor.as_deref()).await.unwrap();
            assert!(page.items.len() <= limit);
            ids.extend(page.items.into_iter().map(|s| s.posting.id));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return ids,
            }
        }
        panic!("the cursor walk did not end");
    }

    fn pragma(store: &SqliteStore, name: &str) -> String {
        let conn = store.conn.lock().unwrap();
        conn.query_row(&format!("PRAGMA {name}"), [], |row| {
            row.get::<_, rusqlite::types::Value>(0)
        })
        .map(|v| match v {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
        .unwrap()
    }

    fn count(store: &SqliteStore, sql: &str) -> i64 {
        let conn = store.conn.lock().unwrap();
        conn.query_row(sql, [], |row| row.get(0)).unwrap()
    }

    #[tokio::test]
    async fn a_new_file_is_migrated_to_the_latest_version_and_reopening_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobfeed.db");
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(pragma(&store, "user_version"), MIGRATIONS.len().to_string());
        insert(
            &store,
            vec![stored("a", "Rust Engineer", "2026-07-01T00:00:00Z")],
        )
        .await;
        drop(store);

        let reopened = SqliteStore::open(&path).unwrap();
        assert_eq!(
            pragma(&reopened, "user_version"),
            MIGRATIONS.len().to_string()
        );
        let got = reopened.get_many(&["a".into()]).await.unwrap();
        assert_eq!(
            got,
            vec![stored("a", "Rust Engineer", "2026-07-01T00:00:00Z")]
        );
    }

    #[test]
    fn a_database_of_a_newer_schema_version_is_refused_as_permanent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobfeed.db");
        drop(SqliteStore::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        match SqliteStore::open(&path) {
            Err(StoreError::Permanent(message)) => {
                assert!(message.contains("schema version 99"), "{message}");
            }
            other => panic!("expected a permanent error, got {other:?}"),
        }
    }

    #[test]
    fn a_file_database_uses_wal_normal_sync_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("jobfeed.db")).unwrap();
        assert_eq!(pragma(&store, "journal_mode"), "wal");
        // 1 is NORMAL.
        assert_eq!(pragma(&store, "synchronous"), "1");
        assert_eq!(pragma(&store, "foreign_keys"), "1");
        assert_eq!(pragma(&store, "busy_timeout"), "5000");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_handles_on_one_file_read_while_the_other_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobfeed.db");
        let writer = SqliteStore::open(&path).unwrap();
        let reader = SqliteStore::open(&path).unwrap();
        let writing = tokio::spawn(async move {
            for batch in 0..40 {
                let postings = (0..5)
                    .map(|i| {
                        let id = format!("p{batch:02}-{i}");
                        stored(&id, "Backend Engineer", "2026-07-01T00:00:00Z")
                    })
                    .collect();
                insert(&writer, postings).await;
            }
        });
        let query = ListQuery::default();
        let mut seen_counts = Vec::new();
        while !writing.is_finished() {
            // Each read sees a committed state: whole batches of five.
            let ids = walk(&reader, &query, 50).await;
            assert_eq!(ids.len() % 5, 0, "{}", ids.len());
            seen_counts.push(ids.len());
        }
        writing.await.unwrap();
        assert!(!seen_counts.is_empty());
        assert_eq!(walk(&reader, &query, 50).await.len(), 200);
    }

    #[tokio::test]
    async fn reads_waiting_for_a_reader_get_one_in_the_order_they_arrived() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path().join("jobfeed.db")).unwrap();
        // One permit, so the reads run one at a time and their order shows.
        store.reader_slots = Arc::new(Semaphore::new(1));
        let held = Arc::clone(&store.reader_slots)
            .acquire_owned()
            .await
            .unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let reads: Vec<_> = (0..8)
            .map(|i| {
                let (store, order) = (store.clone(), Arc::clone(&order));
                tokio::spawn(async move {
                    store
                        .read(move |_, _| {
                            order.lock().unwrap().push(i);
                            Ok(())
                        })
                        .await
                })
            })
            .collect();
        // The test's runtime polls the spawned reads in spawn order: each queues for the
        // permit behind the one before.
        tokio::task::yield_now().await;
        drop(held);
        for read in reads {
            read.await.unwrap().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), (0..8).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_file_store_lists_on_its_readers_while_its_writer_connection_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("jobfeed.db")).unwrap();
        insert(
            &store,
            vec![stored("a", "Backend Engineer", "2026-07-01T00:00:00Z")],
        )
        .await;
        assert!(store.readers.len() >= 2);
        // The writer's connection is held (as by a long ingest write): reads go on.
        let writer = Arc::clone(&store.conn);
        let (locked, is_locked) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let holder = std::thread::spawn(move || {
            let _held = writer.lock().unwrap();
            locked.send(()).unwrap();
            let _ = released.recv();
        });
        is_locked.recv().unwrap();
        let reading = async {
            let page = store.list(&ListQuery::default(), 20, None).await.unwrap();
            let again = store.get_many(&["a".to_owned()]).await.unwrap();
            (page.items.len(), again.len())
        };
        let read = tokio::time::timeout(StdDuration::from_secs(10), reading).await;
        release.send(()).unwrap();
        holder.join().unwrap();
        assert_eq!(read.expect("reads wait for the writer"), (1, 1));
        // A write that commits is seen by the next read on any reader.
        insert(
            &store,
            vec![stored("b", "Data Engineer", "2026-07-02T00:00:00Z")],
        )
        .await;
        for _ in 0..4 {
            let page = store.list(&ListQuery::default(), 20, None).await.unwrap();
            assert_eq!(page.items.len(), 2);
        }
    }

    #[tokio::test]
    async fn a_database_locked_by_another_writer_is_a_retryable_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobfeed.db");
        let store = SqliteStore::open_with(&path, StdDuration::from_millis(50)).unwrap();
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let write = vec![Write::Insert(stored("a", "Dev", "2026-07-01T00:00:00Z"))];
        match store.write(write.clone()).await {
            Err(e) => assert!(e.is_retryable(), "{e:?}"),
            Ok(outcomes) => panic!("wrote through a lock: {outcomes:?}"),
        }
        other.execute_batch("COMMIT").unwrap();
        assert_eq!(
            store.write(write).await.unwrap(),
            vec![WriteOutcome::Applied]
        );
    }

    #[tokio::test]
    async fn writes_conflict_on_an_existing_id_or_a_stale_revision_without_stopping_others() {
        let store = SqliteStore::open_in_memory().unwrap();
        insert(&store, vec![stored("a", "Dev", "2026-07-01T00:00:00Z")]).await;
        let mut next = stored("a", "Senior Dev", "2026-07-01T00:00:00Z");
        next.revision = 2;
        let outcomes = store
            .write(vec![
                Write::Insert(stored("a", "Other", "2026-07-01T00:00:00Z")),
                Write::Replace {
                    posting: next.clone(),
                    expected_revision: 7,
                },
                Write::Insert(stored("b", "Ops", "2026-07-02T00:00:00Z")),
                Write::Replace {
                    posting: next.clone(),
                    expected_revision: 1,
                },
                Write::Replace {
                    posting: stored("missing", "Gone", "2026-07-01T00:00:00Z"),
                    expected_revision: 1,
                },
            ])
            .await
            .unwrap();
        use WriteOutcome::{Applied, Conflict};
        assert_eq!(
            outcomes,
            vec![Conflict, Conflict, Applied, Applied, Conflict]
        );
        let got = store
            .get_many(&["a".into(), "missing".into()])
            .await
            .unwrap();
        assert_eq!(got, vec![next]);
        let usage = store.usage();
        assert_eq!((usage.items_written, usage.read_units), (3, 0.0));
    }

    #[tokio::test]
    async fn a_replace_moves_the_skill_country_and_search_rows_along() {
        let store = SqliteStore::open_in_memory().unwrap();
        let mut before = stored("a", "Go Developer", "2026-07-01T00:00:00Z");
        before.posting.skills = vec!["go".into()];
        before.posting.locations = vec![Location {
            raw: "Berlin".into(),
            country: Some("DE".into()),
            ..Location::default()
        }];
        insert(&store, vec![before]).await;
        let mut after = stored("a", "Rust Developer", "2026-07-01T00:00:00Z");
        after.posting.skills = vec!["rust".into()];
        after.posting.workplace = Some(Workplace::Remote);
        after.posting.remote_regions = vec!["EU".into()];
        after.revision = 2;
        let outcome = store
            .write(vec![Write::Replace {
                posting: after,
                expected_revision: 1,
            }])
            .await
            .unwrap();
        assert_eq!(outcome, vec![WriteOutcome::Applied]);

        let ids = |q: ListQuery| {
            let store = store.clone();
            async move { walk(&store, &q, 10).await }
        };
        let q = |text: &str| ListQuery {
            q: Some(text.into()),
            ..ListQuery::default()
        };
        assert_eq!(ids(q("go")).await, Vec::<String>::new());
        assert_eq!(ids(q("rust")).await, vec!["a"]);
        let skill = |s: &str| ListQuery {
            skills: vec![s.into()],
            ..ListQuery::default()
        };
        assert_eq!(ids(skill("go")).await, Vec::<String>::new());
        assert_eq!(ids(skill("rust")).await, vec!["a"]);
        let country = |c: &str| ListQuery {
            country: Some(c.into()),
            ..ListQuery::default()
        };
        assert_eq!(ids(country("DE")).await, Vec::<String>::new());
        assert_eq!(ids(country("EU")).await, vec!["a"]);
        assert_eq!(count(&store, "SELECT count(*) FROM posting_skills"), 1);
        assert_eq!(count(&store, "SELECT count(*) FROM posting_fts"), 1);
    }

    #[tokio::test]
    async fn q_needs_every_word_whole_in_title_company_or_skills() {
        let store = SqliteStore::open_in_memory().unwrap();
        let mut csharp = stored("cs", "Senior C# Developer.", "2026-07-03T00:00:00Z");
        csharp.posting.skills = vec!["node.js".into(), "c++".into()];
        let mut rust = stored("rs", "Rustacean (Backend)", "2026-07-02T00:00:00Z");
        rust.posting.company.name = "Ferris & Co".into();
        rust.posting.skills = vec!["rust".into()];
        insert(&store, vec![csharp, rust]).await;
        let cases: &[(&str, &[&str])] = &[
            ("c#", &["cs"]),
            ("C++ senior", &["cs"]),
            ("node.js developer", &["cs"]),
            ("node", &[]),
            ("developer.", &["cs"]),
            ("rust ferris", &["rs"]),
            ("rust", &["rs"]),
            ("rustacean backend", &["rs"]),
            ("rus", &[]),
            ("acme", &["cs"]),
            ("acme rust", &[]),
            ("\"OR\" NOT", &[]),
            ("   ", &["cs", "rs"]),
        ];
        for (q, expected) in cases {
            let query = ListQuery {
                q: Some((*q).into()),
                ..ListQuery::default()
            };
            assert_eq!(walk(&store, &query, 10).await, *expected, "q = {q:?}");
        }
    }

    #[tokio::test]
    async fn a_cursor_walk_lists_every_match_once_newest_first_with_ids_breaking_ties() {
        let store = SqliteStore::open_in_memory().unwrap();
        let postings = (0..23)
            .map(|i| {
                // Pairs share a listing time, so ids decide their order.
                let day = 1 + i / 2;
                stored(
                    &format!("id{i:02}"),
                    "Dev",
                    &format!("2026-07-{day:02}T00:00:00Z"),
                )
            })
            .collect();
        insert(&store, postings).await;
        let query = ListQuery::default();
        let mut expected: Vec<String> = (0..23).map(|i| format!("id{i:02}")).collect();
        expected.reverse();
        for limit in [1, 2, 5, 23, 100] {
            assert_eq!(walk(&store, &query, limit).await, expected, "limit {limit}");
        }
        let last = store.list(&query, 23, None).await.unwrap();
        assert_eq!(last.next_cursor, None);
        let empty = store.list(&query, 0, None).await.unwrap();
        assert_eq!((empty.items.len(), empty.next_cursor), (0, None));
    }

    #[tokio::test]
    async fn tampered_foreign_and_malformed_cursors_are_bad_cursors() {
        let store = SqliteStore::open_in_memory().unwrap();
        let postings = (0..4)
            .map(|i| stored(&format!("id{i}"), "Dev", "2026-07-01T00:00:00Z"))
            .collect();
        insert(&store, postings).await;
        let query = ListQuery::default();
        let cursor = store
            .list(&query, 2, None)
            .await
            .unwrap()
            .next_cursor
            .unwrap();
        let other = ListQuery {
            include_closed: true,
            ..ListQuery::default()
        };
        let wrong_shape = cursor::encode(&query.fingerprint(), json!({"at": "x", "id": 1}));
        let tampered = cursor.replacen('.', "x.", 1);
        for (cursor, query) in [
            (cursor.as_str(), &other),
            (tampered.as_str(), &query),
            (wrong_shape.as_str(), &query),
            ("garbage", &query),
        ] {
            assert!(
                matches!(
                    store.list(query, 2, Some(cursor)).await,
                    Err(StoreError::BadCursor(_))
                ),
                "{cursor}"
            );
        }
    }

    #[tokio::test]
    async fn rows_sql_lets_through_but_matches_rejects_are_skipped_within_a_bounded_read() {
        let store = SqliteStore::open_in_memory().unwrap();
        let postings: Vec<StoredPosting> = (1..30)
            .map(|i| {
                stored(
                    &format!("id{i:02}"),
                    "Dev",
                    &format!("2026-07-{i:02}T00:00:00Z"),
                )
            })
            .map(|mut p| {
                p.posting.locations = vec![Location {
                    raw: "Paris".into(),
                    country: Some("FR".into()),
                    ..Location::default()
                }];
                p
            })
            .collect();
        insert(&store, postings).await;
        // Side rows that disagree with the postings: SQL now lets every row through for
        // "US", and only `matches` can tell that none is located there.
        store
            .conn
            .lock()
            .unwrap()
            .execute_batch("UPDATE posting_countries SET country = 'US'")
            .unwrap();
        let query = ListQuery {
            country: Some("US".into()),
            ..ListQuery::default()
        };
        let before = store.usage();
        let page = store.list(&query, 2, None).await.unwrap();
        assert!(page.items.is_empty());
        assert_eq!(store.usage().since(&before).items_read, 10);
        // The cursor continues after the last row read: 29 rows in all, 10 per call.
        let mut cursor = page.next_cursor;
        let mut calls = 1;
        while let Some(c) = cursor {
            let page = store.list(&query, 2, Some(&c)).await.unwrap();
            assert!(page.items.is_empty());
            cursor = page.next_cursor;
            calls += 1;
        }
        assert_eq!(calls, 3);
        assert_eq!(store.usage().since(&before).items_read, 29);
    }

    #[tokio::test]
    async fn expired_closed_postings_are_deleted_with_their_side_rows() {
        let store = SqliteStore::open_in_memory().unwrap();
        let now = at("2026-08-01T00:00:00Z");
        let mut old = stored("old", "Rust Dev", "2026-06-01T00:00:00Z");
        old.posting.closed_at = Some(at("2026-07-01T00:00:00Z"));
        old.posting.skills = vec!["rust".into()];
        let mut edge = stored("edge", "Dev", "2026-06-01T00:00:00Z");
        edge.posting.closed_at = Some(at("2026-07-02T00:00:00Z"));
        let mut recent = stored("recent", "Dev", "2026-06-01T00:00:00Z");
        recent.posting.closed_at = Some(at("2026-07-20T00:00:00Z"));
        let open = stored("open", "Dev", "2026-01-01T00:00:00Z");
        insert(&store, vec![old, edge, recent, open]).await;

        // Retention ends exactly at `now` for "edge": deleted, as in the memory store.
        let deleted = store.delete_expired(now, Duration::days(30)).await.unwrap();
        assert_eq!(deleted, 2);
        let all: Vec<String> = ["old", "edge", "recent", "open"].map(String::from).into();
        let mut left: Vec<String> = store
            .get_many(&all)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.posting.id)
            .collect();
        left.sort();
        assert_eq!(left, vec!["open", "recent"]);
        assert_eq!(count(&store, "SELECT count(*) FROM posting_skills"), 0);
        assert_eq!(count(&store, "SELECT count(*) FROM posting_fts"), 2);
        let rust = ListQuery {
            q: Some("rust".into()),
            include_closed: true,
            ..ListQuery::default()
        };
        assert!(walk(&store, &rust, 5).await.is_empty());
    }

    #[tokio::test]
    async fn index_entries_keep_exact_timestamps_and_revisions() {
        let store = SqliteStore::open_in_memory().unwrap();
        let mut p = stored("a", "Dev", "2026-07-01T12:34:56.123456789Z");
        p.posting.fetched_at = at("2026-07-02T00:00:00.5Z");
        p.posting.valid_through = Some(at("9999-12-31T23:59:59Z"));
        p.posting.closed_at = Some(at("2026-07-03T00:00:00+02:00"));
        p.posting.duplicate_of = Some("b".into());
        p.posting.fingerprint = "shared".into();
        p.revision = u64::MAX;
        p.mark = Some(crate::identity::ListMark {
            key: u64::MAX,
            hint: 7,
        });
        let mut q = stored("c", "Dev", "1900-01-01T00:00:00Z");
        q.posting.fingerprint = "shared".into();
        insert(&store, vec![p.clone(), q.clone()]).await;
        assert_eq!(source_index(&store, "board").await.unwrap().len(), 2);
        assert!(source_index(&store, "elsewhere").await.unwrap().is_empty());
        let mut groups = store
            .fingerprint_groups(&["shared".into(), "shared".into(), "none".into()])
            .await
            .unwrap();
        groups.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(groups, vec![IndexEntry::of(&p), IndexEntry::of(&q)]);
    }

    #[tokio::test]
    async fn source_entries_are_the_asked_ids_of_that_source_only() {
        let store = SqliteStore::open_in_memory().unwrap();
        let a = stored("a", "Dev", "2026-07-01T00:00:00Z");
        let b = stored("b", "Ops", "2026-07-01T00:00:00Z");
        let mut other = stored("c", "QA", "2026-07-01T00:00:00Z");
        other.posting.source = "elsewhere".into();
        insert(&store, vec![a.clone(), b, other]).await;
        let asked = [
            "a".to_owned(),
            "a".to_owned(),
            "c".to_owned(),
            "gone".to_owned(),
        ];
        let entries = store.source_entries("board", &asked).await.unwrap();
        assert_eq!(entries, vec![IndexEntry::of(&a)]);
    }

    #[tokio::test]
    async fn get_many_and_fingerprint_groups_span_more_ids_than_one_in_list() {
        let store = SqliteStore::open_in_memory().unwrap();
        let postings: Vec<StoredPosting> = (0..1203)
            .map(|i| stored(&format!("id{i:04}"), "Dev", "2026-07-01T00:00:00Z"))
            .collect();
        insert(&store, postings).await;
        let mut ids: Vec<String> = (0..1300).map(|i| format!("id{i:04}")).collect();
        ids.reverse();
        let got = store.get_many(&ids).await.unwrap();
        let got_ids: Vec<&str> = got.iter().map(|s| s.posting.id.as_str()).collect();
        let expected: Vec<String> = (0..1203).rev().map(|i| format!("id{i:04}")).collect();
        assert_eq!(got_ids, expected);
        let fingerprints: Vec<String> = ids.iter().map(|id| format!("fp-{id}")).collect();
        assert_eq!(
            store.fingerprint_groups(&fingerprints).await.unwrap().len(),
            1203
        );
    }

    #[tokio::test]
    async fn source_states_round_trip_and_list_by_name() {
        let store = SqliteStore::open_in_memory().unwrap();
        assert_eq!(store.source_state("wwr").await.unwrap(), None);
        let mut wwr = SourceState {
            name: "wwr".into(),
            consecutive_failures: 2,
            last_error: Some("HTTP 503".into()),
            ..SourceState::default()
        };
        store.put_source_state(&wwr).await.unwrap();
        wwr.consecutive_failures = 0;
        wwr.last_error = None;
        store.put_source_state(&wwr).await.unwrap();
        let acme = SourceState {
            name: "acme".into(),
            ..SourceState::default()
        };
        store.put_source_state(&acme).await.unwrap();
        assert_eq!(store.source_state("wwr").await.unwrap(), Some(wwr.clone()));
        assert_eq!(store.source_states().await.unwrap(), vec![acme, wwr]);
    }

    #[test]
    fn the_store_works_without_a_tokio_runtime() {
        let store = SqliteStore::open_in_memory().unwrap();
        let waker = std::task::Waker::noop();
        let mut context = std::task::Context::from_waker(waker);
        let mut future = std::pin::pin!(store.source_states());
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(states) => assert_eq!(states.unwrap(), vec![]),
            std::task::Poll::Pending => panic!("inline work should finish at once"),
        }
    }

    /// A deterministic pseudo-random sequence, so the corpus is the same on every run.
    struct Lcg(u64);

    impl Lcg {
        fn pick<'a, T>(&mut self, options: &'a [T]) -> &'a T {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            &options[(self.0 >> 33) as usize % options.len()]
        }
    }

    fn varied_corpus() -> Vec<StoredPosting> {
        let mut rng = Lcg(7);
        (0..120)
            .map(|i| {
                let title = format!(
                    "{} {} {}",
                    rng.pick(&["Senior", "Junior", "Staff", "Lead"]),
                    rng.pick(&["Rust", "Go", "C#", "Node.js", "Data"]),
                    rng.pick(&["Engineer", "Developer.", "SRE", "Ingénieur"]),
                );
                let day = rng.pick(&[1, 2, 3, 4, 5, 6, 7, 8]);
                let mut s = stored(
                    &format!("p{i:03}"),
                    &title,
                    &format!("2026-07-{day:02}T00:00:00Z"),
                );
                let p = &mut s.posting;
                p.posted_at = *rng.pick(&[
                    None,
                    Some(at("2026-06-15T08:00:00Z")),
                    Some(at("2027-01-01T00:00:00Z")),
                ]);
                p.source = rng.pick(&["a", "b"]).to_string();
                p.company.name = rng.pick(&["Acme", "ACME", "Globex", "Ünïcorn"]).to_string();
                p.seniority = *rng.pick(&[None, Some(Seniority::Senior), Some(Seniority::Junior)]);
                p.category = *rng.pick(&[None, Some(Category::Backend), Some(Category::Data)]);
                p.workplace = *rng.pick(&[
                    None,
                    Some(Workplace::Remote),
                    Some(Workplace::Onsite),
                    Some(Workplace::Hybrid),
                ]);
                p.remote_regions = rng
                    .pick(&[
                        vec![],
                        vec!["US".to_string()],
                        vec!["EU".into(), "DE".into()],
                    ])
                    .clone();
                p.locations = rng
                    .pick(&[
                        vec![],
                        vec![Some("DE")],
                        vec![Some("US"), None],
                        vec![Some("FR"), Some("DE")],
                    ])
                    .iter()
                    .map(|c| Location {
                        raw: "x".into(),
                        country: c.map(String::from),
                        ..Location::default()
                    })
                    .collect();
                p.employment_type = *rng.pick(&[
                    None,
                    Some(EmploymentType::FullTime),
                    Some(EmploymentType::Contract),
                ]);
                p.skills = rng
                    .pick(&[
                        vec![],
                        vec!["rust"],
                        vec!["go", "rust"],
                        vec!["c#", "sql"],
                        vec!["node.js"],
                    ])
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                p.salary = rng
                    .pick(&[
                        None,
                        Some((Some(50_000.0), Some(90_000.0), "EUR")),
                        Some((Some(120_000.0), None, "USD")),
                        Some((None, Some(70_000.5), "USD")),
                    ])
                    .map(|(min, max, currency)| Salary {
                        min,
                        max,
                        currency: Some(currency.into()),
                        period: None,
                    });
                p.closed_at = *rng.pick(&[None, None, None, Some(at("2026-07-20T00:00:00Z"))]);
                p.duplicate_of = rng
                    .pick(&[None, None, None, Some("p000".to_string())])
                    .clone();
                s
            })
            .collect()
    }

    fn varied_queries() -> Vec<ListQuery> {
        let base = ListQuery::default();
        let mut queries = vec![
            base.clone(),
            ListQuery {
                include_closed: true,
                include_duplicates: true,
                ..base.clone()
            },
            ListQuery {
                include_closed: true,
                ..base.clone()
            },
            ListQuery {
                company: Some(" acme ".into()),
                ..base.clone()
            },
            ListQuery {
                company: Some("ünïcorn".into()),
                ..base.clone()
            },
            ListQuery {
                company: Some("Ünïcorn".into()),
                ..base.clone()
            },
            ListQuery {
                seniority: Some(Seniority::Senior),
                ..base.clone()
            },
            ListQuery {
                category: Some(Category::Data),
                workplace: Some(Workplace::Remote),
                ..base.clone()
            },
            ListQuery {
                employment_type: Some(EmploymentType::Contract),
                ..base.clone()
            },
            ListQuery {
                since: Some(at("2026-07-04T00:00:00Z")),
                ..base.clone()
            },
            ListQuery {
                skills: vec!["rust".into()],
                ..base.clone()
            },
            ListQuery {
                skills: vec!["go".into(), "rust".into(), "rust".into()],
                ..base.clone()
            },
            ListQuery {
                salary_min: Some(SalaryFloor {
                    amount: 70_000.5,
                    currency: "USD".into(),
                }),
                ..base.clone()
            },
            ListQuery {
                salary_min: Some(SalaryFloor {
                    amount: 80_000.0,
                    currency: "EUR".into(),
                }),
                ..base.clone()
            },
            ListQuery {
                q: Some("senior rust".into()),
                ..base.clone()
            },
            ListQuery {
                q: Some("developer".into()),
                include_closed: true,
                ..base.clone()
            },
            ListQuery {
                q: Some("INGÉNIEUR acme".into()),
                ..base.clone()
            },
            ListQuery {
                q: Some("c# sql".into()),
                ..base.clone()
            },
            ListQuery {
                q: Some("node.js".into()),
                skills: vec!["node.js".into()],
                ..base.clone()
            },
        ];
        for country in ["DE", "US", "FR", "EU", "JP"] {
            queries.push(ListQuery {
                country: Some(country.into()),
                include_closed: true,
                ..base.clone()
            });
        }
        queries
    }

    #[tokio::test]
    async fn a_repeated_query_reuses_its_plan_and_counts_nothing_again() {
        let store = SqliteStore::open_in_memory().unwrap();
        let writes: Vec<Write> = varied_corpus().into_iter().map(Write::Insert).collect();
        store.write(writes).await.unwrap();
        let two_filters = ListQuery {
            q: Some("engineer".into()),
            skills: vec!["rust".into()],
            country: Some("DE".into()),
            ..ListQuery::default()
        };
        let steps_of = |query: ListQuery| {
            let store = &store;
            async move {
                let before = store.list_steps();
                let page = store.list(&query, 5, None).await.unwrap();
                (store.list_steps() - before, page)
            }
        };
        let (first, first_page) = steps_of(two_filters.clone()).await;
        let (again, again_page) = steps_of(two_filters.clone()).await;
        assert_eq!(again_page, first_page);
        // The same walk without the counts that chose its driver.
        assert!(again < first, "{again} steps again, {first} the first time");
        let other = ListQuery {
            skills: vec!["go".into()],
            ..two_filters
        };
        let (planned, _) = steps_of(other.clone()).await;
        let (replanned, _) = steps_of(other).await;
        assert!(replanned < planned, "another query is planned on its own");
    }

    #[tokio::test]
    async fn every_query_lists_exactly_what_the_memory_store_lists_in_the_same_order() {
        let sqlite = SqliteStore::open_in_memory().unwrap();
        let memory = MemoryStore::new();
        let corpus = varied_corpus();
        let writes: Vec<Write> = corpus.into_iter().map(Write::Insert).collect();
        memory.write(writes.clone()).await.unwrap();
        sqlite.write(writes).await.unwrap();
        for query in varied_queries() {
            let expected = walk(&memory, &query, 1000).await;
            for limit in [1, 3, 7, 1000] {
                assert_eq!(
                    walk(&sqlite, &query, limit).await,
                    expected,
                    "{query:?} limit {limit}"
                );
            }
        }
    }

    /// Puts a database back in version 6's layout: the whole `StoredPosting` as `body`, and
    /// no description, history or truncation column.
    pub(super) fn back_to_version_6(path: &Path) {
        let conn = Connection::open(path).unwrap();
        let rows: Vec<StoredPosting> = conn
            .prepare(&format!("SELECT {FULL_ROW} FROM postings"))
            .unwrap()
            .query_map([], |row| Ok(decode_row(row, true).unwrap()))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for stored in rows {
            conn.execute(
                "UPDATE postings SET body = ?2 WHERE id = ?1",
                params![stored.posting.id, serde_json::to_string(&stored).unwrap()],
            )
            .unwrap();
        }
        conn.execute_batch(
            "ALTER TABLE postings DROP COLUMN description_text; \
             ALTER TABLE postings DROP COLUMN description_html; \
             ALTER TABLE postings DROP COLUMN history; \
             ALTER TABLE postings DROP COLUMN description_truncated;",
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 6).unwrap();
    }

    #[tokio::test]
    async fn version_7_moves_the_html_and_history_out_of_the_body_and_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.db");
        let mut first = stored("a", "Rust Dev", "2026-07-01T00:00:00Z");
        first.history = vec![PostingChange {
            changed_at: at("2026-06-30T00:00:00Z"),
            title: "Rust Developer".into(),
            salary: None,
            description_hash: "d".into(),
            content_hash: "c".into(),
        }];
        first.description_truncated = true;
        first.mark = Some(ListMark { key: 7, hint: 9 });
        let second = stored("b", "Go Dev", "2026-07-02T00:00:00Z");
        let ids = vec!["a".to_owned(), "b".to_owned()];
        let store = SqliteStore::open(&path).unwrap();
        store
            .write(vec![Write::Insert(first), Write::Insert(second)])
            .await
            .unwrap();
        let whole = store.get_many(&ids).await.unwrap();
        let listed = store.list(&ListQuery::default(), 5, None).await.unwrap();
        drop(store);
        back_to_version_6(&path);
        let old_body: String = Connection::open(&path)
            .unwrap()
            .query_row("SELECT body FROM postings WHERE id = 'a'", [], |r| r.get(0))
            .unwrap();
        assert!(old_body.contains("Build things") && old_body.contains("Rust Developer"));

        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(pragma(&store, "user_version"), MIGRATIONS.len().to_string());
        assert_eq!(store.get_many(&ids).await.unwrap(), whole);
        assert_eq!(
            store.list(&ListQuery::default(), 5, None).await.unwrap(),
            listed
        );
        assert_eq!(whole[0].history.len(), 1);
        assert!(whole[0].description_truncated);
        assert_eq!(whole[0].posting.description_html, "<p>Build things.</p>");
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM postings WHERE description_html = '<p>Build things.</p>' \
                 AND description_text = 'Build things.' \
                 AND json_extract(body, '$.description_html') = '' \
                 AND json_extract(body, '$.description_text') = '' \
                 AND json_type(body, '$.history') IS NULL"
            ),
            2
        );
        // A brief list has the same items, order and cursor, without HTML and history.
        let brief = store
            .list_brief(&ListQuery::default(), 1, None)
            .await
            .unwrap();
        let full = store.list(&ListQuery::default(), 1, None).await.unwrap();
        assert_eq!(brief.next_cursor, full.next_cursor);
        assert_eq!(brief.items.len(), 1);
        let (b, f) = (&brief.items[0], &full.items[0]);
        assert_eq!(
            (b.posting.description_html.as_str(), b.history.len()),
            ("", 0)
        );
        assert_eq!(
            JobPosting {
                description_html: f.posting.description_html.clone(),
                ..b.posting.clone()
            },
            f.posting
        );
        assert_eq!((b.revision, b.mark), (f.revision, f.mark));
    }

    #[tokio::test]
    async fn a_version_2_database_gets_the_listing_order_on_its_skill_and_country_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        let mut old = stored("a", "Rust Dev", "2026-07-01T00:00:00Z");
        old.posting.skills = vec!["rust".into()];
        old.posting.locations = vec![Location {
            raw: "Berlin".into(),
            country: Some("DE".into()),
            ..Location::default()
        }];
        let listed = listed_key(listed_at(&old.posting));
        {
            // The rows version 2 wrote: side rows without `listed_at`.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_V1).unwrap();
            conn.execute_batch(SCHEMA_V2).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
            conn.execute(
                "INSERT INTO postings (id, body, source, fingerprint, content_hash, \
                 fetched_at, first_seen_at, revision, listed_at, company) \
                 VALUES ('a', ?1, 'board', 'fp', 'h', ?2, ?2, 0, ?3, 'acme')",
                params![
                    serde_json::to_string(&old).unwrap(),
                    timestamp_text(old.posting.fetched_at),
                    listed
                ],
            )
            .unwrap();
            conn.execute_batch(
                "INSERT INTO posting_skills (id, skill) VALUES ('a', 'rust'); \
                 INSERT INTO posting_countries (id, country) VALUES ('a', 'DE');",
            )
            .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(
            count(
                &store,
                &format!(
                    "SELECT count(*) FROM posting_skills s JOIN posting_countries c \
                     USING (id, listed_at) WHERE listed_at = {listed}"
                )
            ),
            1
        );
        for query in [
            ListQuery {
                skills: vec!["rust".into()],
                ..ListQuery::default()
            },
            ListQuery {
                country: Some("DE".into()),
                ..ListQuery::default()
            },
        ] {
            assert_eq!(walk(&store, &query, 5).await, vec!["a"], "{query:?}");
        }
    }
}
