//! The ingest use case: apply each message of the postings queue to the store. Its rules turn
//! a stream of crawled postings (repeated, redelivered, out of order, from several
//! processes) into a deduplicated, current set of postings, written once over the
//! `PostingStore` port, so every adapter behaves the same.
//!
//! - New id → inserted with `first_seen_at = last_seen_at = now`.
//! - Known id, same content hash → no write (liveness is the source's last crawl, not a
//!   rewrite of every posting); a closed one that reappears in a copy fetched after its
//!   closing is reopened (an older copy delivered late is not a reappearance); a new list
//!   mark alone (`ListMark`: the crawl's note of what its list said) is written without a
//!   history entry.
//! - Known id, new content hash, newer fetch → updated, `first_seen_at` kept, the previous
//!   title/salary/description hash recorded in `history`. An older copy never overwrites a
//!   newer one.
//! - `valid_through` in the past closes a posting.
//! - A complete crawl's `Close` messages close the postings it no longer lists (the crawl
//!   works out which, `app::crawl`), unless a newer crawl of the source has started or the
//!   posting was fetched after the crawl started: a late or repeated part of an older crawl
//!   never closes what a newer one saw.
//! - Postings of different sources are one job when `dedup::same_job` says so; only
//!   postings with one fingerprint (`dedup::block_key`: company and role) are compared. The
//!   earliest seen open copy is canonical, the others get `duplicate_of`; when the canonical
//!   closes, the next one takes over; a merge a changed title or place disproves is undone
//!   when either posting is next ingested (its group is settled afresh).
//! - A stored posting whose fingerprint an older rule computed is rewritten once with the
//!   current one the next time its crawl sends it (`rekeyed`), even when nothing else
//!   changed: until then it is grouped with the postings of the same old fingerprint.
//!
//! Every write is conditional on the revision it read; a conflict (another process wrote
//! first) re-reads and re-plans that posting, so concurrent ingests lose no update.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::messages::IngestMessage;
use crate::identity::{ListMark, hash_hex};
use crate::model::JobPosting;
use crate::store::{
    HISTORY_LIMIT, IndexEntry, IngestCounter, PostingChange, PostingStore, SourceStateStore,
    StoreError, StoredPosting, Write, WriteOutcome,
};

/// Tunables of the ingest rules.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// A complete crawl listing fewer than this share of the source's open postings closes
    /// nothing (a broken page or API hiccup should not close a whole board). The crawl
    /// applies it when it works out what to close; ingest only for the legacy
    /// `CrawlComplete` marker.
    pub min_complete_ratio: f64,
    /// How long closed postings are kept before deletion.
    pub retention: Duration,
    /// How many times a conflicting write is re-planned before giving up (retryable).
    pub max_conflict_retries: usize,
    /// How long after first being seen a posting's duplicate status is re-checked at each
    /// complete crawl of its source.
    pub recheck_duplicates_for: Duration,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            min_complete_ratio: 0.5,
            retention: Duration::days(30),
            max_conflict_retries: 5,
            recheck_duplicates_for: Duration::days(2),
        }
    }
}

/// What one ingest call did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    /// Postings inserted.
    pub new: u64,
    /// Postings updated with new content.
    pub changed: u64,
    /// Postings already stored as they are (no write).
    pub unchanged: u64,
    /// Closed postings that reappeared and were reopened.
    pub reopened: u64,
    /// Copies older than the stored one (ignored).
    pub stale: u64,
    /// Postings closed because their `valid_through` passed.
    pub expired: u64,
    /// Postings whose duplicate status changed.
    pub duplicates_updated: u64,
    /// Postings whose list mark alone changed (written, nothing visible changed).
    pub marked: u64,
    /// Unchanged postings rewritten only because their stored fingerprint came from an
    /// older rule (once per posting after the rule changes).
    pub rekeyed: u64,
}

/// A posting on its way in, with the list mark of the crawl that sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The normalized posting.
    pub posting: JobPosting,
    /// Its list mark, when the crawl keeps one (`ListMark`).
    pub mark: Option<ListMark>,
}

impl From<JobPosting> for Incoming {
    fn from(posting: JobPosting) -> Self {
        Incoming {
            posting,
            mark: None,
        }
    }
}

/// What the end of a crawl (a `Close` message, or a legacy `CrawlComplete` marker) did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CompletionReport {
    /// Postings closed (no longer listed, or past `valid_through`).
    pub closed: u64,
    /// Open postings of the source afterwards (legacy marker only: 0 for `Close`).
    pub open: u64,
    /// Set when the partial-crawl guard kept postings open, or a `Close` came from a crawl
    /// that a newer one has overtaken.
    pub warning: Option<String>,
}

/// What handling one ingest message did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Handled {
    /// A postings batch was ingested.
    Postings(IngestReport),
    /// Postings a crawl no longer lists were closed.
    Closed(CompletionReport),
}

/// The ports ingest works on.
#[derive(Clone, Copy)]
pub struct IngestPorts<'a> {
    /// Where postings go.
    pub postings: &'a dyn PostingStore,
    /// Source states: ingest reads which crawl is the latest.
    pub states: &'a dyn SourceStateStore,
    /// Where ingest adds what it wrote of each source.
    pub counts: &'a dyn IngestCounter,
}

/// Applies one ingest message to the store: the whole job of the `ingest` consumer, the same
/// on SQS and in process. Safe under at-least-once, unordered delivery: a `Close` never
/// closes a posting fetched after its crawl started, nor anything once a newer crawl of the
/// source has started. What it added is recorded in the source's ingest counts (a failure
/// to record them is logged: they are bookkeeping, never a reason to ingest again).
pub async fn handle_message(
    ports: IngestPorts<'_>,
    message: IngestMessage,
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<Handled, StoreError> {
    let store = ports.postings;
    let source = message.source().to_owned();
    let handled = match message {
        IngestMessage::Extracted {
            source,
            company,
            postings,
        } => {
            // Normalized here, with the source the message names (a record claiming an id
            // its content does not give is dropped, as a foreign posting is below).
            let postings = postings
                .into_iter()
                .filter_map(|posting| {
                    let id = posting.id.clone();
                    let mark = posting.mark;
                    posting
                        .normalize(&source, company.as_deref())
                        .inspect_err(|skip| tracing::warn!(%source, %id, %skip, "record dropped"))
                        .ok()
                        .map(|posting| Incoming { posting, mark })
                })
                .collect();
            Handled::Postings(ingest_postings(store, postings, now, config).await?)
        }
        IngestMessage::Postings { source, postings } => {
            // A message names its source; a posting claiming another one is not trusted.
            // Nothing on the queue is: already normalized postings are sanitized again.
            let postings = postings
                .into_iter()
                .filter(|p| p.source == source)
                .filter_map(crate::normalize::sanitize_normalized)
                .map(Incoming::from)
                .collect();
            Handled::Postings(ingest_postings(store, postings, now, config).await?)
        }
        IngestMessage::Close {
            source,
            started_at,
            ids,
            recheck,
        } => {
            let latest = ports
                .states
                .source_state(&source)
                .await?
                .and_then(|state| state.last_started_at);
            if latest.is_some_and(|latest| latest > started_at) {
                Handled::Closed(CompletionReport {
                    warning: Some(format!(
                        "a close message of the crawl started at {started_at} came after a \
                         newer crawl started: ignored"
                    )),
                    ..CompletionReport::default()
                })
            } else {
                Handled::Closed(
                    close_postings(store, &source, &ids, recheck, started_at, now, config).await?,
                )
            }
        }
        IngestMessage::CrawlComplete {
            source,
            started_at,
            mut ids,
        } => {
            // SQS may deliver a marker late, after a later crawl's postings: a posting that
            // crawl fetched (first seen, or changed, after this crawl started) is newer news
            // than this marker's list, so it counts as listed and a stale marker cannot close
            // it. One more read of the source's index, once per crawl.
            let index = crate::store::source_index(store, &source).await?;
            ids.extend(
                index
                    .iter()
                    .filter(|entry| entry.fetched_at > started_at)
                    .map(|entry| entry.id.clone()),
            );
            Handled::Closed(complete_crawl(store, &source, &ids, now, config).await?)
        }
    };
    if let Handled::Postings(report) = &handled {
        let changed = report.changed + report.reopened;
        if (report.new, changed) != (0, 0)
            && let Err(e) = ports
                .counts
                .add_ingest_counts(&source, report.new, changed)
                .await
        {
            tracing::warn!(%source, error = %e, "could not record the ingest counts");
        }
    }
    Ok(handled)
}

/// Ingests crawled postings (any mix of sources). Idempotent: the same batch twice, or an
/// older copy after a newer one, leaves the same state.
pub async fn ingest_postings(
    store: &dyn PostingStore,
    postings: Vec<Incoming>,
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<IngestReport, StoreError> {
    let mut report = IngestReport::default();
    let mut by_source: HashMap<String, HashMap<String, Incoming>> = HashMap::new();
    for incoming in postings {
        let posting = &incoming.posting;
        let slot = by_source.entry(posting.source.clone()).or_default();
        // Within one batch only the newest copy of a posting counts.
        match slot.get(&posting.id) {
            Some(kept) if kept.posting.fetched_at >= posting.fetched_at => report.stale += 1,
            _ => {
                slot.insert(posting.id.clone(), incoming);
            }
        }
    }
    let mut touched_fingerprints = BTreeSet::new();
    for (source, mut pending) in by_source {
        for attempt in 0..=config.max_conflict_retries {
            if pending.is_empty() {
                break;
            }
            if attempt == config.max_conflict_retries {
                return Err(StoreError::Retryable(format!(
                    "{} postings of {source} kept conflicting with concurrent writes",
                    pending.len()
                )));
            }
            // Only this batch's entries: a source's crawl comes as many batches.
            let ids: Vec<String> = pending.keys().cloned().collect();
            let index: HashMap<String, IndexEntry> = store
                .source_entries(&source, &ids)
                .await?
                .into_iter()
                .map(|e| (e.id.clone(), e))
                .collect();
            let plan = plan_postings(store, &index, &pending, now, &mut report).await?;
            touched_fingerprints.extend(plan.fingerprints);
            let outcomes = store.write(plan.writes.clone()).await?;
            let mut conflicted = HashMap::new();
            for (write, outcome) in plan.writes.iter().zip(outcomes) {
                let id = write.id();
                match outcome {
                    WriteOutcome::Applied => {
                        if let Some(kind) = plan.kinds.get(id) {
                            kind.count(&mut report);
                        }
                    }
                    WriteOutcome::Conflict => {
                        if let Some(posting) = pending.remove(id) {
                            conflicted.insert(id.to_owned(), posting);
                        }
                    }
                }
            }
            pending = conflicted;
        }
    }
    report.duplicates_updated += resolve_duplicates(store, touched_fingerprints, config).await?;
    Ok(report)
}

/// Applies a legacy "crawl complete" marker: `listed_ids` is every posting id the source
/// has now. Closes the source's open postings not listed (unless the partial-crawl guard
/// trips) and those past `valid_through`.
pub async fn complete_crawl(
    store: &dyn PostingStore,
    source: &str,
    listed_ids: &[String],
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<CompletionReport, StoreError> {
    let listed: HashSet<&str> = listed_ids.iter().map(String::as_str).collect();
    let index = crate::store::source_index(store, source).await?;
    let open: Vec<&IndexEntry> = index.iter().filter(|e| e.closed_at.is_none()).collect();
    let guard_trips = partial_crawl(listed.len() as u64, open.len() as u64, config);
    let to_close: Vec<String> = open
        .iter()
        .filter(|e| {
            expired(e.valid_through, now) || (!guard_trips && !listed.contains(e.id.as_str()))
        })
        .map(|e| e.id.clone())
        .collect();
    let recheck = recent_fingerprints(&index, now, config);
    let mut report = close_ids(store, source, &to_close, recheck, None, now, config).await?;
    report.open = (open.len() as u64).saturating_sub(report.closed);
    if guard_trips {
        report.warning = Some(partial_crawl_warning(
            listed.len() as u64,
            open.len() as u64,
        ));
    }
    Ok(report)
}

/// Whether a complete crawl that listed `listed` postings, of a source with `open` open
/// ones, is implausibly short: the partial-crawl guard, which then closes nothing for
/// being unlisted.
pub fn partial_crawl(listed: u64, open: u64, config: &IngestConfig) -> bool {
    open > 0 && (listed as f64) < config.min_complete_ratio * open as f64
}

/// The warning a tripped partial-crawl guard leaves in the source's state.
pub fn partial_crawl_warning(listed: u64, open: u64) -> String {
    format!(
        "the crawl listed {listed} postings but {open} are open: a partial crawl, nothing \
         closed for being unlisted"
    )
}

/// Fingerprint groups are read from an eventually consistent index: two sources ingesting
/// one job at the same moment can each miss the other. Re-checking the recently first-seen
/// postings at the end of every complete crawl settles such pairs within a crawl or two:
/// these are the fingerprints to re-check among `entries`.
pub fn recent_fingerprints(
    entries: &[IndexEntry],
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Vec<String> {
    let recent = now - config.recheck_duplicates_for;
    entries
        .iter()
        .filter(|e| e.closed_at.is_none() && e.first_seen_at >= recent)
        .map(|e| e.fingerprint.clone())
        .collect()
}

/// Applies one `Close` message: closes those of `ids` that belong to `source`, are open and
/// were not fetched after `started_at` (a posting written by a newer crawl is newer news
/// than this crawl's list), then settles the duplicate groups of what closed and of
/// `recheck`.
pub async fn close_postings(
    store: &dyn PostingStore,
    source: &str,
    ids: &[String],
    recheck: Vec<String>,
    started_at: DateTime<Utc>,
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<CompletionReport, StoreError> {
    close_ids(store, source, ids, recheck, Some(started_at), now, config).await
}

/// Closes `ids` (those of `source` still open and, with `fetched_by`, fetched no later than
/// it), re-planning any that changed under it, then resolves the duplicates of the closed
/// postings' fingerprints and of `recheck`.
async fn close_ids(
    store: &dyn PostingStore,
    source: &str,
    ids: &[String],
    recheck: Vec<String>,
    fetched_by: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<CompletionReport, StoreError> {
    let mut report = CompletionReport::default();
    let mut fingerprints: BTreeSet<String> = recheck.into_iter().collect();
    let closable = |stored: &StoredPosting| {
        let p = &stored.posting;
        p.source == source
            && p.closed_at.is_none()
            && fetched_by.is_none_or(|by| p.fetched_at <= by)
    };
    let mut pending: Vec<String> = ids.to_vec();
    for attempt in 0..=config.max_conflict_retries {
        if pending.is_empty() {
            break;
        }
        if attempt == config.max_conflict_retries {
            return Err(StoreError::Retryable(format!(
                "closing postings of {source} kept conflicting with concurrent writes"
            )));
        }
        let writes: Vec<Write> = store
            .get_many(&pending)
            .await?
            .into_iter()
            .filter(closable)
            .map(|stored| {
                fingerprints.insert(stored.posting.fingerprint.clone());
                let expected_revision = stored.revision;
                let mut posting = stored;
                posting.posting.closed_at = Some(now);
                replace(posting, expected_revision)
            })
            .collect();
        let outcomes = store.write(writes.clone()).await?;
        pending.clear();
        for (write, outcome) in writes.iter().zip(outcomes) {
            match outcome {
                WriteOutcome::Applied => report.closed += 1,
                // Changed under us: read again and decide again.
                WriteOutcome::Conflict => pending.push(write.id().to_owned()),
            }
        }
    }
    resolve_duplicates(store, fingerprints, config).await?;
    Ok(report)
}

/// Deletes closed postings past their retention (engines with their own expiry, such as
/// DynamoDB's TTL, report 0).
pub async fn sweep(
    store: &dyn PostingStore,
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<usize, StoreError> {
    store.delete_expired(now, config.retention).await
}

/// What a planned write is, for the report.
#[derive(Debug, Clone, Copy)]
enum Planned {
    New,
    Changed,
    Reopened,
    Expired,
    Marked,
    Rekeyed,
}

impl Planned {
    fn count(self, report: &mut IngestReport) {
        match self {
            Planned::New => report.new += 1,
            Planned::Changed => report.changed += 1,
            Planned::Reopened => report.reopened += 1,
            Planned::Expired => report.expired += 1,
            Planned::Marked => report.marked += 1,
            Planned::Rekeyed => report.rekeyed += 1,
        }
    }
}

#[derive(Default)]
struct Plan {
    writes: Vec<Write>,
    kinds: HashMap<String, Planned>,
    fingerprints: BTreeSet<String>,
}

/// Decides, against the source's index, what each pending posting needs.
async fn plan_postings(
    store: &dyn PostingStore,
    index: &HashMap<String, IndexEntry>,
    pending: &HashMap<String, Incoming>,
    now: DateTime<Utc>,
    report: &mut IngestReport,
) -> Result<Plan, StoreError> {
    let mut plan = Plan::default();
    let mut needs_stored = Vec::new();
    for (id, incoming) in pending {
        let Incoming {
            posting: incoming,
            mark,
        } = incoming;
        let Some(entry) = index.get(id) else {
            let stored = new_stored(incoming.clone(), *mark, now);
            plan.fingerprints.insert(incoming.fingerprint.clone());
            plan.kinds.insert(id.clone(), Planned::New);
            plan.writes.push(Write::Insert(stored));
            continue;
        };
        let same_content = entry.content_hash == incoming.content_hash;
        let is_expired = expired(incoming.valid_through, now);
        // A mark is only ever replaced by a newer copy's (a redelivered older message must
        // not bring an older list back).
        let new_mark =
            mark.is_some() && *mark != entry.mark && incoming.fetched_at > entry.fetched_at;
        if same_content {
            match (entry.closed_at, is_expired) {
                // Only a copy fetched after the posting was closed reopens it: an older copy
                // delivered late (SQS redelivery) is news from before the closing.
                (Some(closed_at), false) if incoming.fetched_at <= closed_at => report.stale += 1,
                (Some(_), false) => needs_stored.push((id.clone(), Planned::Reopened)),
                (None, true) => needs_stored.push((id.clone(), Planned::Expired)),
                _ if new_mark => needs_stored.push((id.clone(), Planned::Marked)),
                _ if entry.fingerprint != incoming.fingerprint => {
                    needs_stored.push((id.clone(), Planned::Rekeyed));
                }
                _ => report.unchanged += 1,
            }
        } else if incoming.fetched_at <= entry.fetched_at {
            report.stale += 1;
        } else {
            needs_stored.push((id.clone(), Planned::Changed));
        }
    }
    if needs_stored.is_empty() {
        return Ok(plan);
    }
    let ids: Vec<String> = needs_stored.iter().map(|(id, _)| id.clone()).collect();
    let stored: HashMap<String, StoredPosting> = store
        .get_many(&ids)
        .await?
        .into_iter()
        .map(|s| (s.posting.id.clone(), s))
        .collect();
    for (id, kind) in needs_stored {
        // Listed in the index but gone now (deleted by a sweep): leave it for the retry.
        let (Some(old), Some(incoming)) = (stored.get(&id), pending.get(&id)) else {
            continue;
        };
        let mut next = match kind {
            Planned::Changed => changed_stored(old, incoming.posting.clone(), now),
            Planned::Reopened => {
                let mut next = old.clone();
                next.posting.closed_at = None;
                next.posting.last_seen_at = Some(now);
                next
            }
            Planned::Expired => {
                let mut next = old.clone();
                next.posting.closed_at = Some(now);
                next
            }
            Planned::Marked => {
                // The copy is the same but newer: its mark (and fetch time) win.
                let mut next = old.clone();
                next.posting.fetched_at = incoming.posting.fetched_at;
                next
            }
            Planned::Rekeyed => old.clone(),
            Planned::New => continue,
        };
        // The content is the same, so the incoming fingerprint is the stored content's
        // under the current rule.
        next.posting.fingerprint = incoming.posting.fingerprint.clone();
        if incoming.mark.is_some() {
            next.mark = incoming.mark;
        }
        plan.fingerprints.insert(old.posting.fingerprint.clone());
        plan.fingerprints.insert(next.posting.fingerprint.clone());
        plan.kinds.insert(id, kind);
        plan.writes.push(replace(next, old.revision));
    }
    Ok(plan)
}

fn replace(mut posting: StoredPosting, expected_revision: u64) -> Write {
    posting.revision = expected_revision + 1;
    Write::Replace {
        posting,
        expected_revision,
    }
}

fn expired(valid_through: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    valid_through.is_some_and(|until| until < now)
}

fn new_stored(
    mut posting: JobPosting,
    mark: Option<ListMark>,
    now: DateTime<Utc>,
) -> StoredPosting {
    posting.first_seen_at = Some(now);
    posting.last_seen_at = Some(now);
    posting.closed_at = expired(posting.valid_through, now).then_some(now);
    posting.duplicate_of = None;
    StoredPosting {
        posting,
        history: Vec::new(),
        description_truncated: false,
        revision: 1,
        mark,
    }
}

fn changed_stored(
    old: &StoredPosting,
    mut incoming: JobPosting,
    now: DateTime<Utc>,
) -> StoredPosting {
    let before = &old.posting;
    incoming.first_seen_at = before.first_seen_at.or(Some(now));
    incoming.last_seen_at = Some(now);
    incoming.closed_at = expired(incoming.valid_through, now).then_some(now);
    // Duplicate status is settled by `resolve_duplicates` once the writes are in.
    incoming.duplicate_of = before.duplicate_of.clone();
    let mut history = Vec::with_capacity(HISTORY_LIMIT);
    history.push(PostingChange {
        changed_at: now,
        title: before.title.clone(),
        salary: before.salary.clone(),
        description_hash: hash_hex(&[&before.description_html]),
        content_hash: before.content_hash.clone(),
    });
    history.extend(old.history.iter().take(HISTORY_LIMIT - 1).cloned());
    StoredPosting {
        posting: incoming,
        history,
        description_truncated: false,
        revision: old.revision,
        mark: old.mark,
    }
}

/// Settles which posting of each fingerprint group is canonical and marks the others of
/// other sources that are the same job as its duplicates. Returns how many postings changed
/// status.
async fn resolve_duplicates(
    store: &dyn PostingStore,
    fingerprints: BTreeSet<String>,
    config: &IngestConfig,
) -> Result<u64, StoreError> {
    let fingerprints: Vec<String> = fingerprints.into_iter().filter(|f| !f.is_empty()).collect();
    if fingerprints.is_empty() {
        return Ok(0);
    }
    let mut updated = 0;
    for attempt in 0..=config.max_conflict_retries {
        if attempt == config.max_conflict_retries {
            return Err(StoreError::Retryable(
                "duplicate marking kept conflicting with concurrent writes".into(),
            ));
        }
        let entries = store.fingerprint_groups(&fingerprints).await?;
        let (changes, mut read) = duplicate_changes(store, &entries).await?;
        if changes.is_empty() {
            break;
        }
        let unread: Vec<String> = changes
            .keys()
            .filter(|id| !read.contains_key(*id))
            .cloned()
            .collect();
        if !unread.is_empty() {
            read.extend(
                store
                    .get_many(&unread)
                    .await?
                    .into_iter()
                    .map(|s| (s.posting.id.clone(), s)),
            );
        }
        let writes: Vec<Write> = changes
            .into_iter()
            .filter_map(|(id, wanted)| {
                let stored = read.remove(&id)?;
                let expected = stored.revision;
                let mut next = stored;
                next.posting.duplicate_of = wanted;
                Some(replace(next, expected))
            })
            .collect();
        let outcomes = store.write(writes).await?;
        updated += outcomes
            .iter()
            .filter(|o| **o == WriteOutcome::Applied)
            .count() as u64;
        if outcomes.iter().all(|o| *o == WriteOutcome::Applied) {
            break;
        }
    }
    Ok(updated)
}

/// How many open postings of one fingerprint group (one company's one role) are read to
/// settle it: the earliest seen (the canonicals) and the `GROUP_READ_LATEST` latest (new
/// copies). Bounds the reads of a new posting in a group of several sources; in a larger
/// group the postings in between keep the status they have.
pub const GROUP_READ_LIMIT: usize = 100;

/// How many of the latest seen postings of a group larger than `GROUP_READ_LIMIT` are read.
pub const GROUP_READ_LATEST: usize = 10;

/// The `duplicate_of` each open posting should have, for those whose value is wrong, and
/// the postings read to decide. A group whose open postings all come from one source needs
/// no comparison (a source never duplicates itself): only groups of several sources are
/// read whole and settled by `dedup::assign_canonicals`, so a posting no other source
/// shares a fingerprint with costs no read beyond its group's index entries.
async fn duplicate_changes(
    store: &dyn PostingStore,
    entries: &[IndexEntry],
) -> Result<
    (
        HashMap<String, Option<String>>,
        HashMap<String, StoredPosting>,
    ),
    StoreError,
> {
    let mut groups: HashMap<&str, Vec<&IndexEntry>> = HashMap::new();
    for entry in entries.iter().filter(|e| e.closed_at.is_none()) {
        groups.entry(&entry.fingerprint).or_default().push(entry);
    }
    let mut changes = HashMap::new();
    let mut compared: Vec<Vec<String>> = Vec::new();
    for members in groups.values_mut() {
        let sources: HashSet<&str> = members.iter().map(|e| e.source.as_str()).collect();
        if sources.len() > 1 {
            // Canonicals are the earliest seen, and a new copy the latest: those are the
            // ones worth reading when a group is too large to read whole.
            members.sort_by(|a, b| (a.first_seen_at, &a.id).cmp(&(b.first_seen_at, &b.id)));
            let latest = members.len().saturating_sub(GROUP_READ_LATEST);
            compared.push(
                members
                    .iter()
                    .enumerate()
                    .filter(|(at, _)| *at < GROUP_READ_LIMIT - GROUP_READ_LATEST || *at >= latest)
                    .map(|(_, e)| e.id.clone())
                    .collect(),
            );
        } else {
            for member in members.iter().filter(|e| e.duplicate_of.is_some()) {
                changes.insert(member.id.clone(), None);
            }
        }
    }
    let ids: Vec<String> = compared.iter().flatten().cloned().collect();
    let read: HashMap<String, StoredPosting> = if ids.is_empty() {
        HashMap::new()
    } else {
        store
            .get_many(&ids)
            .await?
            .into_iter()
            .map(|s| (s.posting.id.clone(), s))
            .collect()
    };
    for group in &compared {
        // Read after the index: one that closed (or went) since is left out.
        let open: Vec<&JobPosting> = group
            .iter()
            .filter_map(|id| read.get(id))
            .map(|s| &s.posting)
            .filter(|p| p.closed_at.is_none())
            .collect();
        for (id, wanted) in crate::dedup::assign_canonicals(&open) {
            if read
                .get(&id)
                .is_some_and(|s| s.posting.duplicate_of != wanted)
            {
                changes.insert(id, wanted);
            }
        }
    }
    Ok((changes, read))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::{extracted, hours, posting};
    use crate::parse::ExtractedPosting;
    use crate::store::PostingReader;
    use crate::store::memory::MemoryStore;

    fn ports(store: &MemoryStore) -> IngestPorts<'_> {
        IngestPorts {
            postings: store,
            states: store,
            counts: store,
        }
    }

    #[tokio::test]
    async fn ingest_messages_reach_the_store_and_foreign_postings_are_dropped() {
        let store = MemoryStore::new();
        let config = IngestConfig::default();
        let own = posting("lever", "1");
        let foreign = posting("greenhouse", "2");
        let message = IngestMessage::Postings {
            source: "lever".into(),
            postings: vec![own.clone(), foreign],
        };
        let handled = handle_message(ports(&store), message, Utc::now(), &config)
            .await
            .unwrap();
        let Handled::Postings(report) = handled else {
            panic!("a postings report");
        };
        assert_eq!(report.new, 1);
        assert!(
            crate::store::source_index(&store, "greenhouse")
                .await
                .unwrap()
                .is_empty()
        );

        let complete = IngestMessage::CrawlComplete {
            source: "lever".into(),
            started_at: Utc::now(),
            ids: vec![own.id.clone()],
        };
        let handled = handle_message(ports(&store), complete, Utc::now(), &config)
            .await
            .unwrap();
        assert!(matches!(handled, Handled::Closed(r) if r.open == 1 && r.closed == 0));
    }

    /// Postings of `lever` fetched at `at`, with these external ids.
    fn fetched(ids: &[&str], at: DateTime<Utc>) -> Vec<JobPosting> {
        ids.iter()
            .map(|id| JobPosting {
                fetched_at: at,
                ..posting("lever", id)
            })
            .collect()
    }

    async fn deliver(store: &MemoryStore, message: IngestMessage, now: DateTime<Utc>) -> Handled {
        handle_message(ports(store), message, now, &IngestConfig::default())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_late_marker_of_an_older_crawl_does_not_close_what_a_newer_crawl_fetched() {
        let store = MemoryStore::new();
        let second = fetched(&["a", "b"], hours(2));
        let postings = IngestMessage::Postings {
            source: "lever".into(),
            postings: second.clone(),
        };
        deliver(&store, postings, hours(3)).await;
        let complete = |started_at, ids: &[JobPosting]| IngestMessage::CrawlComplete {
            source: "lever".into(),
            started_at,
            ids: ids.iter().map(|p| p.id.clone()).collect(),
        };
        deliver(&store, complete(hours(2), &second), hours(3)).await;
        // The first crawl (at hour 1) listed only "a"; its marker arrives last.
        let handled = deliver(&store, complete(hours(1), &second[..1]), hours(4)).await;
        assert!(matches!(handled, Handled::Closed(r) if r.closed == 0 && r.open == 2));
        let open = store.get_many(&[second[1].id.clone()]).await.unwrap();
        assert_eq!(open[0].posting.closed_at, None);
    }

    #[tokio::test]
    async fn a_copy_fetched_before_a_posting_closed_does_not_reopen_it_and_a_later_one_does() {
        let store = MemoryStore::new();
        let first = fetched(&["keep", "gone"], hours(1));
        let message = |postings: Vec<JobPosting>| IngestMessage::Postings {
            source: "lever".into(),
            postings,
        };
        deliver(&store, message(first.clone()), hours(1)).await;
        let complete = IngestMessage::CrawlComplete {
            source: "lever".into(),
            started_at: hours(2),
            ids: vec![first[0].id.clone()],
        };
        deliver(&store, complete, hours(2)).await;

        // A redelivered copy from hour 1: news from before the closing.
        let Handled::Postings(report) = deliver(&store, message(first.clone()), hours(3)).await
        else {
            panic!("a postings report");
        };
        assert_eq!((report.reopened, report.stale), (0, 1));
        let gone = store.get_many(&[first[1].id.clone()]).await.unwrap();
        assert_eq!(gone[0].posting.closed_at, Some(hours(2)));

        // Listed again by a crawl after the closing: reopened.
        let back = fetched(&["gone"], hours(4));
        let Handled::Postings(report) = deliver(&store, message(back), hours(4)).await else {
            panic!("a postings report");
        };
        assert_eq!(report.reopened, 1);
        let gone = store.get_many(&[first[1].id.clone()]).await.unwrap();
        assert_eq!(gone[0].posting.closed_at, None);
    }

    #[tokio::test]
    async fn extracted_postings_are_normalized_at_ingest_and_an_altered_one_is_dropped() {
        let store = MemoryStore::new();
        let good = extracted("1");
        let mut altered = extracted("2");
        altered.id = "0123456789abcdef0123456789abcdef".into();
        let message = IngestMessage::Extracted {
            source: "lever".into(),
            company: Some("Lever Co".into()),
            postings: vec![good.clone(), altered],
        };
        let Handled::Postings(report) = deliver(&store, message, hours(2)).await else {
            panic!("a postings report");
        };
        assert_eq!(report.new, 1);
        let stored = store
            .get_many(std::slice::from_ref(&good.id))
            .await
            .unwrap();
        let posting = &stored[0].posting;
        assert_eq!(
            posting.company.name, "Lever Co",
            "the source's company override"
        );
        assert_eq!(posting.source, "lever");
        assert!(
            !posting.description_text.is_empty(),
            "normalized: {posting:?}"
        );
        assert!(
            store
                .get_many(&["0123456789abcdef0123456789abcdef".into()])
                .await
                .unwrap()
                .is_empty()
        );
    }

    /// A `Close` of `ids` by the crawl of `lever` started at `started_at`.
    fn close(started_at: DateTime<Utc>, ids: &[&JobPosting]) -> IngestMessage {
        IngestMessage::Close {
            source: "lever".into(),
            started_at,
            ids: ids.iter().map(|p| p.id.clone()).collect(),
            recheck: vec![],
        }
    }

    async fn closed_at(store: &MemoryStore, posting: &JobPosting) -> Option<DateTime<Utc>> {
        store
            .get_many(std::slice::from_ref(&posting.id))
            .await
            .unwrap()[0]
            .posting
            .closed_at
    }

    #[tokio::test]
    async fn a_close_closes_what_its_crawl_no_longer_lists_and_a_repeat_changes_nothing() {
        let store = MemoryStore::new();
        let postings = fetched(&["a", "b"], hours(1));
        let message = IngestMessage::Postings {
            source: "lever".into(),
            postings: postings.clone(),
        };
        deliver(&store, message, hours(1)).await;
        let handled = deliver(&store, close(hours(2), &[&postings[1]]), hours(3)).await;
        assert!(matches!(handled, Handled::Closed(r) if r.closed == 1 && r.warning.is_none()));
        assert_eq!(closed_at(&store, &postings[1]).await, Some(hours(3)));
        assert_eq!(closed_at(&store, &postings[0]).await, None);
        // SQS delivers it again: already closed, nothing written.
        let handled = deliver(&store, close(hours(2), &[&postings[1]]), hours(4)).await;
        assert!(matches!(handled, Handled::Closed(r) if r.closed == 0));
        assert_eq!(closed_at(&store, &postings[1]).await, Some(hours(3)));
    }

    #[tokio::test]
    async fn a_close_never_closes_a_posting_fetched_after_its_crawl_started() {
        let store = MemoryStore::new();
        let newer = fetched(&["a"], hours(5));
        let message = IngestMessage::Postings {
            source: "lever".into(),
            postings: newer.clone(),
        };
        deliver(&store, message, hours(5)).await;
        let handled = deliver(&store, close(hours(4), &[&newer[0]]), hours(6)).await;
        assert!(matches!(handled, Handled::Closed(r) if r.closed == 0));
        assert_eq!(closed_at(&store, &newer[0]).await, None);
    }

    #[tokio::test]
    async fn a_close_of_a_crawl_overtaken_by_a_newer_one_is_ignored() {
        let store = MemoryStore::new();
        let postings = fetched(&["a"], hours(1));
        let message = IngestMessage::Postings {
            source: "lever".into(),
            postings: postings.clone(),
        };
        deliver(&store, message, hours(1)).await;
        store
            .put_source_state(&crate::store::SourceState {
                name: "lever".into(),
                last_started_at: Some(hours(3)),
                ..crate::store::SourceState::default()
            })
            .await
            .unwrap();
        // The crawl of hour 2 did not list "a"; the crawl of hour 3 (which did) has started.
        let handled = deliver(&store, close(hours(2), &[&postings[0]]), hours(4)).await;
        let Handled::Closed(report) = handled else {
            panic!("a close report");
        };
        assert_eq!(report.closed, 0);
        assert!(report.warning.unwrap().contains("newer crawl"));
        assert_eq!(closed_at(&store, &postings[0]).await, None);
    }

    #[tokio::test]
    async fn a_new_list_mark_alone_is_written_without_a_history_entry_and_counts_add_up() {
        let store = MemoryStore::new();
        let state = crate::store::SourceState {
            name: "lever".into(),
            ..crate::store::SourceState::default()
        };
        store.put_source_state(&state).await.unwrap();
        let mut first = extracted("1");
        first.mark = Some(ListMark { key: 1, hint: 1 });
        let message = |postings: Vec<ExtractedPosting>| IngestMessage::Extracted {
            source: "lever".into(),
            company: None,
            postings,
        };
        deliver(&store, message(vec![first.clone()]), hours(1)).await;
        let mut remarked = first.clone();
        remarked.fetched_at = hours(2);
        remarked.mark = Some(ListMark { key: 1, hint: 2 });
        let Handled::Postings(report) = deliver(&store, message(vec![remarked]), hours(2)).await
        else {
            panic!("a postings report");
        };
        assert_eq!((report.marked, report.changed, report.new), (1, 0, 0));
        let stored = store
            .get_many(std::slice::from_ref(&first.id))
            .await
            .unwrap();
        assert_eq!(stored[0].mark, Some(ListMark { key: 1, hint: 2 }));
        assert!(stored[0].history.is_empty());
        // An older copy with the older mark does not bring it back.
        let Handled::Postings(report) =
            deliver(&store, message(vec![first.clone()]), hours(3)).await
        else {
            panic!("a postings report");
        };
        assert_eq!((report.marked, report.unchanged), (0, 1));
        let state = store.source_state("lever").await.unwrap().unwrap();
        assert_eq!((state.counts.new, state.counts.changed), (1, 0));
    }

    #[tokio::test]
    async fn a_copy_joining_a_group_larger_than_the_read_limit_is_merged_with_bounded_reads() {
        let store = MemoryStore::new();
        let config = IngestConfig::default();
        let mut office = posting("lever", "0");
        office.title = "Account Executive".into();
        crate::identity::stamp(&mut office);
        let openings: Vec<Incoming> = (0..150)
            .map(|i| {
                let mut p = office.clone();
                p.external_id = Some(format!("opening-{i}"));
                crate::identity::stamp(&mut p);
                Incoming::from(p)
            })
            .collect();
        // Seen at one time, so the canonical is the one of least id.
        let first = openings.iter().map(|o| o.posting.id.clone()).min().unwrap();
        ingest_postings(&store, openings, hours(1), &config)
            .await
            .unwrap();
        let mut copy = office.clone();
        copy.source = "board".into();
        copy.external_id = Some("copy".into());
        crate::identity::stamp(&mut copy);
        let before = store.usage();
        let report = ingest_postings(&store, vec![copy.clone().into()], hours(2), &config)
            .await
            .unwrap();
        let read = store.usage().since(&before).items_read;
        assert_eq!(report.duplicates_updated, 1);
        let stored = store
            .get_many(std::slice::from_ref(&copy.id))
            .await
            .unwrap();
        assert_eq!(stored[0].posting.duplicate_of, Some(first));
        // The group's 151 index entries, and at most GROUP_READ_LIMIT postings read whole.
        assert!(read <= 151 + GROUP_READ_LIMIT as u64, "{read}");
    }
}
