//! Extractor for Dayforce (being built).

use super::{DocumentContext, Extraction};
use crate::error::ParseError;
use crate::model::SourceKind;

/// Extracts the postings of one Dayforce document.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let _ = (body, ctx);
    Err(ParseError::malformed(
        SourceKind::Dayforce,
        "not readable yet",
    ))
}
