//! Extractor for UltiPro (being built).

use super::{DocumentContext, Extraction};
use crate::error::ParseError;
use crate::model::SourceKind;

/// Extracts the postings of one UltiPro document.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let _ = (body, ctx);
    Err(ParseError::malformed(
        SourceKind::UltiPro,
        "not readable yet",
    ))
}
