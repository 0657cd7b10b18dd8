//! Extractor for Teamtailor (being built).

use super::{DocumentContext, Extraction};
use crate::error::ParseError;
use crate::model::SourceKind;

/// Extracts the postings of one Teamtailor document.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let _ = (body, ctx);
    Err(ParseError::malformed(
        SourceKind::Teamtailor,
        "not readable yet",
    ))
}
