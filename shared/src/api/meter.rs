//! Per-request accounting and the request log: every request gets its own `RequestMeter`, the
//! handlers reach the store only through counting wrappers tied to that meter, and one
//! structured line is logged when the response leaves. (The store's own `usage()` is shared by
//! concurrent requests, so diffing it would mix them up.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
use axum::extract::{FromRequestParts, MatchedPath, Request};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use super::Shared;
use super::problem::Problem;
use crate::store::{
    IndexEntry, ListQuery, Page, PostingReader, SourceState, SourceStateReader, StoreError,
    StoredPosting, UsageSnapshot,
};

/// What one request did, filled in by its handler and logged by `log_request`.
#[derive(Debug, Clone, Default)]
pub struct RequestMeter(Arc<MeterInner>);

#[derive(Debug, Default)]
struct MeterInner {
    store_requests: AtomicU64,
    items: AtomicU64,
    error: Mutex<Option<String>>,
}

impl RequestMeter {
    /// Store calls made so far.
    pub fn store_requests(&self) -> u64 {
        self.0.store_requests.load(Ordering::Relaxed)
    }

    /// Items the response returned.
    pub fn items(&self) -> u64 {
        self.0.items.load(Ordering::Relaxed)
    }

    /// Records how many items the response returns.
    pub fn set_items(&self, items: usize) {
        self.0.items.store(items as u64, Ordering::Relaxed);
    }

    /// Records a store failure for the log (where internals belong) and returns the
    /// client-facing problem (where they do not).
    pub fn store_failed(&self, error: StoreError) -> Problem {
        let problem = Problem::from_store(&error);
        *self.0.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(error.to_string());
        problem
    }

    fn error(&self) -> Option<String> {
        self.0
            .error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn count(&self) {
        self.0.store_requests.fetch_add(1, Ordering::Relaxed);
    }
}

/// Middleware: gives the request a meter and logs one line when the response is ready.
pub async fn log_request(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let meter = RequestMeter::default();
    request.extensions_mut().insert(meter.clone());
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let response = next.run(request).await;
    let error = meter.error();
    tracing::info!(
        target: "jobfeed::api",
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        latency_us = started.elapsed().as_micros() as u64,
        items = meter.items(),
        store_requests = meter.store_requests(),
        error = error.as_deref(),
        "request"
    );
    response
}

/// The stores as a handler sees them: counted against its request's meter.
pub struct Stores {
    /// Postings.
    pub postings: CountingPostings,
    /// Source states.
    pub sources: CountingSources,
    /// The request's meter.
    pub meter: RequestMeter,
}

impl FromRequestParts<Shared> for Stores {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Shared,
    ) -> Result<Self, Self::Rejection> {
        // Without the logging layer (never in `router()`) the calls are counted but not logged.
        let meter = parts
            .extensions
            .get::<RequestMeter>()
            .cloned()
            .unwrap_or_default();
        Ok(Stores {
            postings: CountingPostings {
                inner: shared.api.postings.clone(),
                meter: meter.clone(),
            },
            sources: CountingSources {
                inner: shared.api.sources.clone(),
                meter: meter.clone(),
            },
            meter,
        })
    }
}

/// A posting reader that counts each call on a request meter.
pub struct CountingPostings {
    inner: Arc<dyn PostingReader>,
    meter: RequestMeter,
}

#[async_trait]
impl PostingReader for CountingPostings {
    async fn fingerprint_groups(
        &self,
        fingerprints: &[String],
    ) -> Result<Vec<IndexEntry>, StoreError> {
        self.meter.count();
        self.inner.fingerprint_groups(fingerprints).await
    }

    async fn get_many(&self, ids: &[String]) -> Result<Vec<StoredPosting>, StoreError> {
        self.meter.count();
        self.inner.get_many(ids).await
    }

    async fn list(
        &self,
        query: &ListQuery,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page, StoreError> {
        self.meter.count();
        self.inner.list(query, limit, cursor).await
    }

    async fn list_brief(
        &self,
        query: &ListQuery,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page, StoreError> {
        self.meter.count();
        self.inner.list_brief(query, limit, cursor).await
    }

    async fn facets(&self, query: &ListQuery) -> Result<crate::store::facets::Facets, StoreError> {
        self.meter.count();
        self.inner.facets(query).await
    }

    fn usage(&self) -> UsageSnapshot {
        self.inner.usage()
    }
}

/// A source-state reader that counts each call on a request meter.
pub struct CountingSources {
    inner: Arc<dyn SourceStateReader>,
    meter: RequestMeter,
}

#[async_trait]
impl SourceStateReader for CountingSources {
    async fn source_states(&self) -> Result<Vec<SourceState>, StoreError> {
        self.meter.count();
        self.inner.source_states().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory::MemoryStore;

    #[tokio::test]
    async fn each_store_call_counts_once_on_its_own_meter() {
        let store = Arc::new(MemoryStore::new());
        let meter = RequestMeter::default();
        let other = RequestMeter::default();
        let counted = CountingPostings {
            inner: store.clone(),
            meter: meter.clone(),
        };
        counted.list(&ListQuery::default(), 5, None).await.unwrap();
        counted.get_many(&["x".to_owned()]).await.unwrap();
        let sources = CountingSources {
            inner: store,
            meter: other.clone(),
        };
        sources.source_states().await.unwrap();
        assert_eq!(meter.store_requests(), 2);
        assert_eq!(other.store_requests(), 1);
    }

    #[test]
    fn a_store_failure_is_kept_for_the_log_but_not_the_problem() {
        let meter = RequestMeter::default();
        let problem = meter.store_failed(StoreError::Permanent("disk full on /var/db".into()));
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("disk"));
        assert_eq!(
            meter.error().as_deref(),
            Some("store error: disk full on /var/db")
        );
    }
}
