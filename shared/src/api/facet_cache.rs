//! Facet counts kept for a short while per filter set. Counting is the dearest read of the
//! search page (every open posting the filters leave, up to the store's bound), and the same
//! few filter sets (the bare `/` above all) are asked for again and again; the counts may be
//! as old as the `max-age` every list answer already allows a cache to keep.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::store::facets::Facets;
use crate::store::{ListQuery, PostingReader, StoreError};

/// Filter sets kept at once: past it, expired counts go, and if none has expired, all.
const CAPACITY: usize = 256;

/// Facet counts by filter set, each kept for `ttl` after it was counted.
#[derive(Debug)]
pub(crate) struct FacetCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Facets)>>,
}

impl FacetCache {
    /// A cache keeping counts for `ttl` (zero: counts are never kept).
    pub(crate) fn new(ttl: Duration) -> Self {
        FacetCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The counts for `query`: kept ones younger than the ttl, else counted by `postings`
    /// (and kept). A failed count is not kept.
    pub(crate) async fn counts(
        &self,
        postings: &dyn PostingReader,
        query: &ListQuery,
    ) -> Result<Facets, StoreError> {
        if self.ttl.is_zero() {
            return postings.facets(query).await;
        }
        // The query's JSON names every filter, so equal filter sets share a key.
        let key = serde_json::to_string(query).unwrap_or_default();
        let now = Instant::now();
        if let Some((at, facets)) = self.lock().get(&key)
            && now.duration_since(*at) < self.ttl
        {
            return Ok(facets.clone());
        }
        let facets = postings.facets(query).await?;
        let mut entries = self.lock();
        if entries.len() >= CAPACITY {
            entries.retain(|_, (at, _)| now.duration_since(*at) < self.ttl);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, (now, facets.clone()));
        Ok(facets)
    }

    /// The entries, even after a panic elsewhere poisoned the lock: each is replaced whole.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Facets)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;

    use super::*;
    use crate::model::Seniority;
    use crate::store::{IndexEntry, Page, StoredPosting, UsageSnapshot};

    /// A reader that counts its facet calls and answers each with the call's number as total.
    #[derive(Default)]
    struct Counting(AtomicUsize);

    #[async_trait]
    impl PostingReader for Counting {
        async fn get_many(&self, _: &[String]) -> Result<Vec<StoredPosting>, StoreError> {
            Ok(Vec::new())
        }
        async fn fingerprint_groups(&self, _: &[String]) -> Result<Vec<IndexEntry>, StoreError> {
            Ok(Vec::new())
        }
        async fn list(&self, _: &ListQuery, _: usize, _: Option<&str>) -> Result<Page, StoreError> {
            Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            })
        }
        async fn facets(&self, _: &ListQuery) -> Result<Facets, StoreError> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(Facets {
                total: n as u64,
                ..Facets::default()
            })
        }
        fn usage(&self) -> UsageSnapshot {
            UsageSnapshot::default()
        }
    }

    fn senior() -> ListQuery {
        ListQuery {
            seniority: Some(Seniority::Senior),
            ..ListQuery::default()
        }
    }

    #[tokio::test]
    async fn one_filter_set_is_counted_once_within_the_ttl_and_others_apart() {
        let reader = Counting::default();
        let cache = FacetCache::new(Duration::from_secs(60));
        let first = cache.counts(&reader, &ListQuery::default()).await.unwrap();
        let again = cache.counts(&reader, &ListQuery::default()).await.unwrap();
        assert_eq!((first.total, again.total), (1, 1));
        assert_eq!(cache.counts(&reader, &senior()).await.unwrap().total, 2);
        assert_eq!(reader.0.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn counts_older_than_the_ttl_are_counted_again_and_a_zero_ttl_keeps_none() {
        let reader = Counting::default();
        let cache = FacetCache::new(Duration::from_millis(30));
        cache.counts(&reader, &senior()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(cache.counts(&reader, &senior()).await.unwrap().total, 2);
        let never = FacetCache::new(Duration::ZERO);
        never.counts(&reader, &senior()).await.unwrap();
        assert_eq!(never.counts(&reader, &senior()).await.unwrap().total, 4);
    }
}
