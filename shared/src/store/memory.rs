//! In-memory store: the reference adapter for unit tests and the conformance suite. Not
//! persistent; every operation takes one lock.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::{
    CheckpointStore, IndexEntry, IngestCounter, ListQuery, Page, PostingReader, PostingStore,
    SourceIndex, SourceRegistry, SourceRegistryReader, SourceState, SourceStateReader,
    SourceStateStore, StoreError, StoredPosting, Usage, UsageSnapshot, Write, WriteOutcome, cursor,
    expires_at, listed_at,
};
use crate::registry::SourceEntry;

/// A store that keeps everything in process memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    postings: Mutex<HashMap<String, StoredPosting>>,
    sources: Mutex<BTreeMap<String, SourceState>>,
    /// Ingest counts (new, changed) by source, kept apart from the crawler's fields.
    counts: Mutex<HashMap<String, (u64, u64)>>,
    checkpoints: Mutex<HashMap<String, Vec<u8>>>,
    registry: Mutex<BTreeMap<String, SourceEntry>>,
    usage: Usage,
}

/// The data behind a lock, even when a panic elsewhere poisoned it: every operation here
/// replaces whole values, so the data stays consistent.
fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn postings(&self) -> std::sync::MutexGuard<'_, HashMap<String, StoredPosting>> {
        locked(&self.postings)
    }

    /// The state of `name` with its ingest counts filled in.
    fn state_with_counts(&self, mut state: SourceState) -> SourceState {
        let (new, changed) = locked(&self.counts)
            .get(&state.name)
            .copied()
            .unwrap_or_default();
        state.counts.new = new;
        state.counts.changed = changed;
        state
    }
}

#[async_trait]
impl SourceIndex for MemoryStore {
    async fn source_index_page(
        &self,
        source: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let postings = self.postings();
        let mut entries: Vec<IndexEntry> = postings
            .values()
            .filter(|p| p.posting.source == source)
            .filter(|p| after.is_none_or(|after| p.posting.id.as_str() > after))
            .map(IndexEntry::of)
            .collect();
        entries.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        entries.truncate(limit);
        self.usage.record(entries.len() as u64, 0);
        Ok(entries)
    }
}

#[async_trait]
impl PostingReader for MemoryStore {
    async fn fingerprint_groups(
        &self,
        fingerprints: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let postings = self.postings();
        let entries: Vec<IndexEntry> = postings
            .values()
            .filter(|p| fingerprints.contains(&p.posting.fingerprint))
            .map(IndexEntry::of)
            .collect();
        self.usage.record(entries.len() as u64, 0);
        Ok(entries)
    }

    async fn get_many(&self, ids: &[String]) -> Result<Vec<StoredPosting>, StoreError> {
        let postings = self.postings();
        let found: Vec<StoredPosting> = ids
            .iter()
            .filter_map(|id| postings.get(id).cloned())
            .collect();
        self.usage.record(found.len() as u64, 0);
        Ok(found)
    }

    /// Exact: every stored posting is in memory already.
    async fn facets(&self, query: &ListQuery) -> Result<super::facets::Facets, StoreError> {
        let postings = self.postings();
        let mut tally = super::facets::FacetTally::default();
        for stored in postings.values().filter(|s| query.matches(&s.posting)) {
            tally.add(&stored.posting);
        }
        self.usage.record(postings.len() as u64, 0);
        Ok(tally.finish(true))
    }

    async fn list(
        &self,
        query: &ListQuery,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page, StoreError> {
        let after: Option<(DateTime<Utc>, String)> = match cursor {
            Some(c) => {
                let position = cursor::decode(c, &query.fingerprint())?;
                let at = position
                    .get("at")
                    .and_then(|v| v.as_str())
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map(|t| t.with_timezone(&Utc));
                let id = position.get("id").and_then(|v| v.as_str());
                match (at, id) {
                    (Some(at), Some(id)) => Some((at, id.to_owned())),
                    _ => return Err(StoreError::BadCursor("malformed position".into())),
                }
            }
            None => None,
        };
        let postings = self.postings();
        let mut matching: Vec<(DateTime<Utc>, &StoredPosting)> = postings
            .values()
            .filter(|p| query.matches(&p.posting))
            .map(|p| (listed_at(&p.posting), p))
            .filter(|(at, p)| match &after {
                Some((after_at, after_id)) => (*at, &p.posting.id) < (*after_at, after_id),
                None => true,
            })
            .collect();
        matching.sort_by(|a, b| (b.0, &b.1.posting.id).cmp(&(a.0, &a.1.posting.id)));
        let has_more = matching.len() > limit;
        let items: Vec<StoredPosting> = matching
            .into_iter()
            .take(limit)
            .map(|(_, p)| p.clone())
            .collect();
        let next_cursor = match items.last() {
            Some(last) if has_more => Some(cursor::encode(
                &query.fingerprint(),
                json!({"at": listed_at(&last.posting).to_rfc3339(), "id": last.posting.id}),
            )),
            _ => None,
        };
        self.usage.record(items.len() as u64, 0);
        Ok(Page { items, next_cursor })
    }

    fn usage(&self) -> UsageSnapshot {
        self.usage.snapshot()
    }
}

#[async_trait]
impl PostingStore for MemoryStore {
    async fn source_entries(
        &self,
        source: &str,
        ids: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        let postings = self.postings();
        let entries: Vec<IndexEntry> = ids
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .filter_map(|id| postings.get(id))
            .filter(|p| p.posting.source == source)
            .map(IndexEntry::of)
            .collect();
        self.usage.record(entries.len() as u64, 0);
        Ok(entries)
    }

    async fn write(&self, writes: Vec<Write>) -> Result<Vec<WriteOutcome>, StoreError> {
        let mut postings = self.postings();
        let mut written = 0;
        let outcomes = writes
            .into_iter()
            .map(|write| {
                let outcome = match write {
                    Write::Insert(new) if !postings.contains_key(&new.posting.id) => {
                        postings.insert(new.posting.id.clone(), new);
                        WriteOutcome::Applied
                    }
                    Write::Insert(_) => WriteOutcome::Conflict,
                    Write::Replace {
                        posting,
                        expected_revision,
                    } => match postings.get_mut(&posting.posting.id) {
                        Some(current) if current.revision == expected_revision => {
                            *current = posting;
                            WriteOutcome::Applied
                        }
                        _ => WriteOutcome::Conflict,
                    },
                };
                if outcome == WriteOutcome::Applied {
                    written += 1;
                }
                outcome
            })
            .collect();
        self.usage.record(0, written);
        Ok(outcomes)
    }

    async fn delete_expired(
        &self,
        now: DateTime<Utc>,
        retention: Duration,
    ) -> Result<usize, StoreError> {
        let mut postings = self.postings();
        let before = postings.len();
        postings.retain(|_, p| {
            p.posting
                .closed_at
                .is_none_or(|closed| expires_at(closed, retention) > now)
        });
        let deleted = before - postings.len();
        self.usage.record(0, deleted as u64);
        Ok(deleted)
    }
}

#[async_trait]
impl SourceStateReader for MemoryStore {
    async fn source_states(&self) -> Result<Vec<SourceState>, StoreError> {
        let mut states = locked(&self.sources).clone();
        for name in locked(&self.counts).keys() {
            states.entry(name.clone()).or_insert_with(|| SourceState {
                name: name.clone(),
                ..SourceState::default()
            });
        }
        Ok(states
            .into_values()
            .map(|state| self.state_with_counts(state))
            .collect())
    }
}

#[async_trait]
impl SourceStateStore for MemoryStore {
    async fn source_state(&self, name: &str) -> Result<Option<SourceState>, StoreError> {
        let state = locked(&self.sources).get(name).cloned().or_else(|| {
            locked(&self.counts)
                .contains_key(name)
                .then(|| SourceState {
                    name: name.to_owned(),
                    ..SourceState::default()
                })
        });
        Ok(state.map(|state| self.state_with_counts(state)))
    }

    async fn put_source_state(&self, state: &SourceState) -> Result<(), StoreError> {
        locked(&self.sources).insert(state.name.clone(), state.clone());
        Ok(())
    }

    async fn reset_ingest_counts(&self, name: &str) -> Result<(), StoreError> {
        locked(&self.counts).remove(name);
        Ok(())
    }
}

#[async_trait]
impl CheckpointStore for MemoryStore {
    async fn checkpoint(&self, source: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(locked(&self.checkpoints).get(source).cloned())
    }

    async fn put_checkpoint(&self, source: &str, progress: &[u8]) -> Result<(), StoreError> {
        locked(&self.checkpoints).insert(source.to_owned(), progress.to_vec());
        Ok(())
    }

    async fn delete_checkpoint(&self, source: &str) -> Result<(), StoreError> {
        locked(&self.checkpoints).remove(source);
        Ok(())
    }
}

#[async_trait]
impl SourceRegistryReader for MemoryStore {
    async fn registered_sources(&self) -> Result<Vec<SourceEntry>, StoreError> {
        Ok(locked(&self.registry).values().cloned().collect())
    }

    async fn registered_source(&self, name: &str) -> Result<Option<SourceEntry>, StoreError> {
        Ok(locked(&self.registry).get(name).cloned())
    }
}

#[async_trait]
impl SourceRegistry for MemoryStore {
    async fn put_registered_sources(&self, entries: &[SourceEntry]) -> Result<(), StoreError> {
        let mut registry = locked(&self.registry);
        for entry in entries {
            registry.insert(entry.name.clone(), entry.clone());
        }
        Ok(())
    }
}

#[async_trait]
impl IngestCounter for MemoryStore {
    async fn add_ingest_counts(
        &self,
        name: &str,
        new: u64,
        changed: u64,
    ) -> Result<(), StoreError> {
        let mut counts = locked(&self.counts);
        let entry = counts.entry(name.to_owned()).or_default();
        entry.0 = entry.0.saturating_add(new);
        entry.1 = entry.1.saturating_add(changed);
        Ok(())
    }
}
