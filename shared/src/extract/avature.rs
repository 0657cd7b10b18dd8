//! Extractor for Avature (being built).

use super::{DocumentContext, Extraction};
use crate::error::ParseError;
use crate::model::SourceKind;

/// Extracts the postings of one Avature document.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let _ = (body, ctx);
    Err(ParseError::malformed(
        SourceKind::Avature,
        "not readable yet",
    ))
}
