//! jobfeed's library: the domain (job model, extractors, normalizer, identity, ingest rules)
//! and, behind cargo features, its adapters (HTTP fetcher, SQLite and DynamoDB stores). The
//! domain modules never import an adapter's crate; adapters implement the domain's ports.

#[cfg(feature = "api")]
pub mod api;
pub mod config;
pub mod crawl;
pub mod error;
pub mod extract;
pub mod identity;
pub mod ingest;
pub mod model;
pub mod normalize;
pub mod parse;
pub mod queue;
pub mod store;

pub use error::ParseError;
pub use model::JobPosting;
