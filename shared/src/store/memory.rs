//! In-memory store: the reference adapter for unit tests and the conformance suite. Not
//! persistent; every operation takes one lock.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::{
    IndexEntry, ListQuery, Page, PostingStore, SourceState, SourceStateStore, StoreError,
    StoredPosting, Usage, UsageSnapshot, Write, WriteOutcome, cursor, listed_at,
};

/// A store that keeps everything in process memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    postings: Mutex<HashMap<String, StoredPosting>>,
    sources: Mutex<BTreeMap<String, SourceState>>,
    usage: Usage,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn postings(&self) -> std::sync::MutexGuard<'_, HashMap<String, StoredPosting>> {
        // A panic elsewhere while holding the lock leaves consistent data (every write is a
        // whole insert or replace), so a poisoned lock is still usable.
        self.postings.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl PostingStore for MemoryStore {
    async fn source_index(&self, source: &str) -> Result<Vec<IndexEntry>, StoreError> {
        let postings = self.postings();
        let entries: Vec<IndexEntry> = postings
            .values()
            .filter(|p| p.posting.source == source)
            .map(IndexEntry::of)
            .collect();
        self.usage.record(entries.len() as u64, 0);
        Ok(entries)
    }

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
                .is_none_or(|closed| crate::ingest::expires_at(closed, retention) > now)
        });
        let deleted = before - postings.len();
        self.usage.record(0, deleted as u64);
        Ok(deleted)
    }

    fn usage(&self) -> UsageSnapshot {
        self.usage.snapshot()
    }
}

#[async_trait]
impl SourceStateStore for MemoryStore {
    async fn source_state(&self, name: &str) -> Result<Option<SourceState>, StoreError> {
        let sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        Ok(sources.get(name).cloned())
    }

    async fn put_source_state(&self, state: &SourceState) -> Result<(), StoreError> {
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        sources.insert(state.name.clone(), state.clone());
        Ok(())
    }

    async fn source_states(&self) -> Result<Vec<SourceState>, StoreError> {
        let sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        Ok(sources.values().cloned().collect())
    }
}
