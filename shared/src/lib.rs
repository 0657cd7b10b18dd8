//! jobfeed's library, in layers whose imports only point down:
//! - the domain: `model`, `markup`, `extract`, `normalize`, `identity`, `dedup`, `parse`,
//!   `config`, `registry` (a source's record), `catalog` (company boards), `discover`
//!   (recognising job boards in pages), `sources_file` (appending sources to a `sources.toml`);
//! - the ports, each with its adapters behind cargo features: `crawl` (fetching, and the crawl
//!   of one source over the fetch port), `store` (read and write sides; memory, SQLite,
//!   DynamoDB), `queue` (in process, SQS);
//! - the use cases over the ports: `app` (schedule, crawl and publish, ingest, the
//!   one-machine pipeline);
//! - the read API: `api` (an axum router over the store's read side).
//!
//! The domain never imports an adapter's crate, and nothing below `app` imports `app`.

#[cfg(feature = "api")]
pub mod api;
pub mod app;
pub mod catalog;
pub mod config;
pub mod crawl;
pub mod dedup;
pub mod discover;
pub mod error;
pub mod extract;
pub mod identity;
pub mod markup;
pub mod model;
pub mod normalize;
pub mod parse;
pub mod queue;
pub mod registry;
pub mod sources_file;
pub mod store;

pub use error::ParseError;
pub use model::JobPosting;
