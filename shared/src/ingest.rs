//! The ingest rules: turn a stream of crawled postings (repeated, redelivered, out of order,
//! from several processes) into a deduplicated, current set of postings. Written once over
//! the `PostingStore` port, so every adapter behaves the same.
//!
//! - New id → inserted with `first_seen_at = last_seen_at = now`.
//! - Known id, same content hash → no write (liveness is the source's last crawl, not a
//!   rewrite of every posting); a closed one that reappears in a copy fetched after its
//!   closing is reopened (an older copy delivered late is not a reappearance).
//! - Known id, new content hash, newer fetch → updated, `first_seen_at` kept, the previous
//!   title/salary/description hash recorded in `history`. An older copy never overwrites a
//!   newer one.
//! - `valid_through` in the past closes a posting.
//! - "Crawl complete" closes the source's open postings it no longer lists, unless the list
//!   is implausibly short (partial-crawl guard).
//! - Postings of different sources with one fingerprint are one job: the earliest seen open
//!   one is canonical, the others get `duplicate_of`; when the canonical closes, the next
//!   one takes over.
//!
//! Every write is conditional on the revision it read; a conflict (another process wrote
//! first) re-reads and re-plans that posting, so concurrent ingests lose no update.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::identity::hash_hex;
use crate::model::JobPosting;
use crate::store::{
    HISTORY_LIMIT, IndexEntry, PostingChange, PostingStore, StoreError, StoredPosting, Write,
    WriteOutcome,
};

/// Tunables of the ingest rules.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// A complete crawl listing fewer than this share of the source's open postings closes
    /// nothing (a broken page or API hiccup should not close a whole board).
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
}

/// What a "crawl complete" marker did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CompletionReport {
    /// Postings closed (no longer listed, or past `valid_through`).
    pub closed: u64,
    /// Open postings of the source afterwards.
    pub open: u64,
    /// Set when the partial-crawl guard kept postings open.
    pub warning: Option<String>,
}

/// Ingests crawled postings (any mix of sources). Idempotent: the same batch twice, or an
/// older copy after a newer one, leaves the same state.
pub async fn ingest_postings(
    store: &dyn PostingStore,
    postings: Vec<JobPosting>,
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<IngestReport, StoreError> {
    let mut report = IngestReport::default();
    let mut by_source: HashMap<String, HashMap<String, JobPosting>> = HashMap::new();
    for posting in postings {
        let slot = by_source.entry(posting.source.clone()).or_default();
        // Within one batch only the newest copy of a posting counts.
        match slot.get(&posting.id) {
            Some(kept) if kept.fetched_at >= posting.fetched_at => report.stale += 1,
            _ => {
                slot.insert(posting.id.clone(), posting);
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

/// Applies a "crawl complete" marker: `listed_ids` is every posting id the source has now.
/// Closes the source's open postings not listed (unless the partial-crawl guard trips) and
/// those past `valid_through`.
pub async fn complete_crawl(
    store: &dyn PostingStore,
    source: &str,
    listed_ids: &[String],
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<CompletionReport, StoreError> {
    let listed: HashSet<&str> = listed_ids.iter().map(String::as_str).collect();
    let mut report = CompletionReport::default();
    let mut closed_fingerprints = BTreeSet::new();
    for attempt in 0..=config.max_conflict_retries {
        if attempt == config.max_conflict_retries {
            return Err(StoreError::Retryable(format!(
                "closing postings of {source} kept conflicting with concurrent writes"
            )));
        }
        let index = store.source_index(source).await?;
        let open: Vec<&IndexEntry> = index.iter().filter(|e| e.closed_at.is_none()).collect();
        let guard_trips = !open.is_empty()
            && (listed.len() as f64) < config.min_complete_ratio * open.len() as f64;
        if guard_trips {
            report.warning = Some(format!(
                "the crawl listed {} postings but {} are open: a partial crawl, nothing closed \
                 for being unlisted",
                listed.len(),
                open.len()
            ));
        }
        let to_close: Vec<String> = open
            .iter()
            .filter(|e| {
                expired(e.valid_through, now) || (!guard_trips && !listed.contains(e.id.as_str()))
            })
            .map(|e| e.id.clone())
            .collect();
        if to_close.is_empty() {
            report.open = open.len() as u64;
            break;
        }
        let writes: Vec<Write> = store
            .get_many(&to_close)
            .await?
            .into_iter()
            .filter(|stored| stored.posting.closed_at.is_none())
            .map(|stored| {
                closed_fingerprints.insert(stored.posting.fingerprint.clone());
                let expected_revision = stored.revision;
                let mut posting = stored;
                posting.posting.closed_at = Some(now);
                posting.revision = expected_revision + 1;
                Write::Replace {
                    posting,
                    expected_revision,
                }
            })
            .collect();
        let outcomes = store.write(writes).await?;
        let applied = outcomes
            .iter()
            .filter(|o| **o == WriteOutcome::Applied)
            .count() as u64;
        report.closed += applied;
        if applied as usize == outcomes.len() {
            report.open = open.len() as u64 - applied;
            break;
        }
        // Some postings changed under us: re-read and decide again for those.
    }
    // Fingerprint groups are read from an eventually consistent index: two sources ingesting
    // one job at the same moment can each miss the other. Re-checking the recently first-seen
    // postings at the end of every complete crawl settles such pairs within a crawl or two.
    let recent = now - config.recheck_duplicates_for;
    let recheck = store
        .source_index(source)
        .await?
        .into_iter()
        .filter(|e| e.closed_at.is_none() && e.first_seen_at >= recent)
        .map(|e| e.fingerprint);
    closed_fingerprints.extend(recheck);
    resolve_duplicates(store, closed_fingerprints, config).await?;
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

/// When a closed posting may be deleted.
pub fn expires_at(closed_at: DateTime<Utc>, retention: Duration) -> DateTime<Utc> {
    closed_at + retention
}

/// What a planned write is, for the report.
#[derive(Debug, Clone, Copy)]
enum Planned {
    New,
    Changed,
    Reopened,
    Expired,
}

impl Planned {
    fn count(self, report: &mut IngestReport) {
        match self {
            Planned::New => report.new += 1,
            Planned::Changed => report.changed += 1,
            Planned::Reopened => report.reopened += 1,
            Planned::Expired => report.expired += 1,
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
    pending: &HashMap<String, JobPosting>,
    now: DateTime<Utc>,
    report: &mut IngestReport,
) -> Result<Plan, StoreError> {
    let mut plan = Plan::default();
    let mut needs_stored = Vec::new();
    for (id, incoming) in pending {
        let Some(entry) = index.get(id) else {
            let stored = new_stored(incoming.clone(), now);
            plan.fingerprints.insert(incoming.fingerprint.clone());
            plan.kinds.insert(id.clone(), Planned::New);
            plan.writes.push(Write::Insert(stored));
            continue;
        };
        let same_content = entry.content_hash == incoming.content_hash;
        let is_expired = expired(incoming.valid_through, now);
        if same_content {
            match (entry.closed_at, is_expired) {
                // Only a copy fetched after the posting was closed reopens it: an older copy
                // delivered late (SQS redelivery) is news from before the closing.
                (Some(closed_at), false) if incoming.fetched_at <= closed_at => report.stale += 1,
                (Some(_), false) => needs_stored.push((id.clone(), Planned::Reopened)),
                (None, true) => needs_stored.push((id.clone(), Planned::Expired)),
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
        let next = match kind {
            Planned::Changed => changed_stored(old, incoming.clone(), now),
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
            Planned::New => continue,
        };
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

fn new_stored(mut posting: JobPosting, now: DateTime<Utc>) -> StoredPosting {
    posting.first_seen_at = Some(now);
    posting.last_seen_at = Some(now);
    posting.closed_at = expired(posting.valid_through, now).then_some(now);
    posting.duplicate_of = None;
    StoredPosting {
        posting,
        history: Vec::new(),
        description_truncated: false,
        revision: 1,
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
    }
}

/// Settles which posting of each fingerprint group is canonical and marks the others of
/// other sources as its duplicates. Returns how many postings changed status.
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
        let changes = duplicate_changes(&entries);
        if changes.is_empty() {
            break;
        }
        let ids: Vec<String> = changes.keys().cloned().collect();
        let writes: Vec<Write> = store
            .get_many(&ids)
            .await?
            .into_iter()
            .filter_map(|stored| {
                let wanted = changes.get(&stored.posting.id)?.clone();
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

/// The `duplicate_of` each open posting should have, for those whose value is wrong.
/// Canonical: the open posting seen first (ties broken by id); open postings of other
/// sources duplicate it; postings of its own source stay canonical in their own right.
fn duplicate_changes(entries: &[IndexEntry]) -> HashMap<String, Option<String>> {
    let mut groups: HashMap<&str, Vec<&IndexEntry>> = HashMap::new();
    for entry in entries {
        groups.entry(&entry.fingerprint).or_default().push(entry);
    }
    let mut changes = HashMap::new();
    for members in groups.values() {
        let canonical = members
            .iter()
            .filter(|e| e.closed_at.is_none())
            .min_by(|a, b| (a.first_seen_at, &a.id).cmp(&(b.first_seen_at, &b.id)));
        for member in members.iter().filter(|e| e.closed_at.is_none()) {
            let wanted = canonical
                .filter(|c| c.id != member.id && c.source != member.source)
                .map(|c| c.id.clone());
            if wanted != member.duplicate_of {
                changes.insert(member.id.clone(), wanted);
            }
        }
    }
    changes
}
