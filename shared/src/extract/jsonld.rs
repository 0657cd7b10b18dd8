//! Extractor for the `jsonld` kind (being written).

use super::{DocumentContext, Extraction};
use crate::error::ParseError;

/// Extracts the postings of one `jsonld` document.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let _ = (body, ctx);
    Ok(Extraction::default())
}
