//! Locations: splitting and parsing (`Remote - US`, `Remote (EU)`, `Berlin, Germany; London,
//! UK`, `San Francisco, CA`), country names and codes to ISO 3166-1 alpha-2, remote regions.

use crate::extract::RawLocation;
use crate::model::{Location, Workplace};

/// What one raw location said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedPlaces {
    /// The places (one raw text can name several).
    pub locations: Vec<Location>,
    /// Workplace words found in the text (`Remote`, `Hybrid`).
    pub workplace: Option<Workplace>,
    /// Region restrictions of a remote job (`US`, `EU`, ...).
    pub remote_regions: Vec<String>,
}

/// Parses one raw location (using its structured parts where present). Never panics.
pub fn parse_location(raw: &RawLocation) -> ParsedPlaces {
    let _ = raw;
    ParsedPlaces::default()
}

/// ISO 3166-1 alpha-2 code for a country name or code (`Germany`, `DEU`, `de`, `USA`,
/// `United Kingdom`, `UK` → `GB`). `None` when unknown.
pub fn country_code(name_or_code: &str) -> Option<&'static str> {
    let _ = name_or_code;
    None
}

/// Normalizes a remote-region restriction (`USA Only` → `US`, `Europe` → `EU`, `Americas`,
/// `EMEA`, a country name → its code). `None` for "anywhere"/"worldwide" or unknown text.
pub fn remote_region(text: &str) -> Option<String> {
    let _ = text;
    None
}
