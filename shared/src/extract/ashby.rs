//! Extractor for the `ashby` kind (being written).

use super::{DocumentContext, Extraction};
use crate::error::ParseError;

/// Extracts the postings of one `ashby` document.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let _ = (body, ctx);
    Ok(Extraction::default())
}
