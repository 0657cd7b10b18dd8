//! The use cases, each written once over the ports (`store`, `queue`, `crawl::fetch`) and
//! wired to adapters by the entry points (`functions/*`, `cli`): schedule the due sources
//! ([`schedule`]), crawl one source and publish what it finds ([`crawl`]), apply an ingest
//! message ([`ingest`]), and all of them in one process ([`pipeline`]). The messages between
//! them are in [`messages`]. [`check`] reads a source's list once to count its postings
//! (catalog and discover checks). [`facets`] recounts a store's facet counters. Nothing
//! below this module imports it.

pub mod check;
pub mod crawl;
pub mod facets;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod ingest;
pub mod messages;
pub mod pipeline;
pub mod registry;
pub mod schedule;

use crate::queue::QueueError;
use crate::store::StoreError;

/// Failures of a use case's run (a crawl's own failures are recorded in the source state
/// instead).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Reading or writing the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Sending messages failed.
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// A crawl task names no configured source.
    #[error("unknown source `{0}`")]
    UnknownSource(String),
}

impl RunError {
    /// Whether retrying (e.g. redelivering the crawl task) can help.
    pub fn is_retryable(&self) -> bool {
        match self {
            RunError::Store(e) => e.is_retryable(),
            RunError::Queue(e) => e.is_retryable(),
            RunError::UnknownSource(_) => false,
        }
    }
}
