//! jobfeed's domain: the job model, extractors for job sources, the normalizer and the identity
//! rules. Nothing here knows about AWS, HTTP clients or databases; adapters depend on this
//! crate, never the other way round.

#[cfg(feature = "api")]
pub mod api;
pub mod config;
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
