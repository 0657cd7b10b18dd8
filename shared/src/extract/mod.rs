//! Extraction: one module per source kind, each turning a response body into `RawPosting`s —
//! the source's fields mapped but not yet interpreted. The normalizer does the interpreting.

pub mod ashby;
pub mod avature;
pub mod bamboohr;
pub mod dayforce;
pub mod detect;
pub mod eightfold;
pub mod greenhouse;
pub mod herp;
pub mod himalayas;
pub mod html_recipe;
pub mod jsonld;
pub mod lever;
pub mod microdata;
pub mod oracle;
pub mod recruitee;
pub mod remoteok;
pub mod rippling;
pub mod rss;
pub mod smartrecruiters;
pub mod successfactors;
pub mod teamtailor;
pub mod ultipro;
pub mod workable;
pub mod workday;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ParseError;
use crate::model::SourceKind;

pub use html_recipe::HtmlRecipe;

/// A posting as a source states it: every field optional, texts untouched except for
/// decoding the source's own escaping (e.g. Greenhouse's HTML-escaped `content`).
///
/// Extractors fill what the source has and leave interpretation (dates, salaries, locations,
/// seniority, skills, sanitizing) to `normalize`.
///
/// It travels from the crawler to ingest as JSON (see `parse::ExtractedPosting`); empty
/// fields are left out of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawPosting {
    /// The source's own id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Posting URL; may be relative (resolved against the document's URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Application URL, when separate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apply_url: Option<String>,
    /// Title as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Company name as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Company website.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_url: Option<String>,
    /// Company logo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_logo_url: Option<String>,
    /// Department or team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Locations: raw text, plus any structured parts the source gives.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<RawLocation>,
    /// Workplace words in the source's vocabulary (`TELECOMMUTE`, `remote`, `On-Site`,
    /// `Hybrid`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workplace_hints: Vec<String>,
    /// Regions a remote job is open to, as the source states them (`USA Only`, `EU`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remote_regions: Vec<String>,
    /// Employment type words in any vocabulary (`FULL_TIME`, `Full-time`, `Contractor`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub employment_types: Vec<String>,
    /// The source's own seniority label (e.g. SmartRecruiters' `experienceLevel`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seniority_hint: Option<String>,
    /// Structured pay, already in units of the currency (extractors convert cents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salary: Option<RawSalary>,
    /// Free-text pay statement (`$120k–$150k`, `DOE`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salary_text: Option<String>,
    /// Description as HTML (unsanitized).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description_html: Option<String>,
    /// Description as plain text, when the source gives only that.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description_text: Option<String>,
    /// Source tags (RemoteOK tags, categories) that can name skills.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Publication date as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posted_at: Option<RawDate>,
    /// Expiry date as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_through: Option<RawDate>,
    /// Where the posting's own full record is (a list record without its description
    /// names its detail request): the crawl reads it, when the posting is new, changed or
    /// due for refresh, instead of sending this record. Absolute; read only by the crawl,
    /// so it never travels with the posting.
    #[serde(skip)]
    pub detail_url: Option<String>,
}

/// A location as the source gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawLocation {
    /// Text to keep and to parse when the parts are missing.
    pub raw: String,
    /// City, when structured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Region/state, when structured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Country as given: a code or a name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl RawLocation {
    /// A location from its structured parts, its text the source's own (`raw`) or else the
    /// parts joined (`Austin, TX, US`); `None` when there is neither.
    pub(crate) fn from_parts(
        raw: Option<String>,
        city: Option<String>,
        region: Option<String>,
        country: Option<String>,
    ) -> Option<Self> {
        let raw = raw.or_else(|| {
            let parts: Vec<&str> = [&city, &region, &country]
                .into_iter()
                .filter_map(|p| p.as_deref())
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        })?;
        Some(RawLocation {
            raw,
            city,
            region,
            country,
        })
    }

    /// A location known only by its text.
    pub fn text(raw: impl Into<String>) -> Self {
        RawLocation {
            raw: raw.into(),
            ..RawLocation::default()
        }
    }
}

/// Structured pay in units of the currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawSalary {
    /// Lower bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Upper bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Currency code or symbol as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Period word as given (`YEAR`, `per hour`, `annual`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
}

/// A date as the source gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawDate {
    /// Text: ISO 8601 (possibly partial or sloppy), RFC 2822, `2026-07-13 13:42:26 UTC`,
    /// or relative (`3 days ago`).
    Text(String),
    /// Seconds since the Unix epoch.
    EpochSeconds(i64),
    /// Milliseconds since the Unix epoch.
    EpochMillis(i64),
}

/// What an extractor found in one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    /// The postings, in document order.
    pub postings: Vec<RawPosting>,
    /// Records the extractor recognised but could not use (counted, never emitted).
    pub skipped: usize,
}

/// Where a document came from, for resolving links and filling gaps.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocumentContext<'a> {
    /// The address the document was fetched from.
    pub url: Option<&'a url::Url>,
}

/// How to extract a document: a fixed kind, or detect it.
#[derive(Debug, Clone, PartialEq)]
pub enum ExtractKind {
    /// Detect from the content (and URL when given).
    Auto,
    /// One of the API/feed/structured-data kinds (not `Html`).
    Fixed(SourceKind),
    /// A CSS-selector recipe (the `html` kind).
    Recipe(Box<HtmlRecipe>),
}

/// Extracts the postings of one document with the given kind.
///
/// Returns the kind actually used (resolving `Auto`) with the extraction. Errors are
/// permanent: malformed content or content of another kind. A document that is valid but
/// holds no posting (a "job closed" page, an empty board) is `Ok` with zero postings.
pub fn extract(
    kind: &ExtractKind,
    body: &str,
    ctx: DocumentContext<'_>,
) -> Result<(SourceKind, Extraction), ParseError> {
    let kind = match kind {
        ExtractKind::Auto => detect::detect_kind(body, ctx.url)?,
        ExtractKind::Fixed(SourceKind::Html) => {
            return Err(ParseError::Usage(
                "the html kind needs a recipe (selectors per field)".into(),
            ));
        }
        ExtractKind::Fixed(kind) => *kind,
        ExtractKind::Recipe(recipe) => {
            return Ok((SourceKind::Html, html_recipe::extract(recipe, body, ctx)?));
        }
    };
    let extraction = match kind {
        SourceKind::JsonLd => jsonld::extract(body, ctx)?,
        SourceKind::Greenhouse => greenhouse::extract(body, ctx)?,
        SourceKind::Lever => lever::extract(body, ctx)?,
        SourceKind::Ashby => ashby::extract(body, ctx)?,
        SourceKind::Workable => workable::extract(body, ctx)?,
        SourceKind::SmartRecruiters => smartrecruiters::extract(body, ctx)?,
        SourceKind::Recruitee => recruitee::extract(body, ctx)?,
        SourceKind::RemoteOk => remoteok::extract(body, ctx)?,
        SourceKind::Rss => rss::extract(body, ctx)?,
        SourceKind::Himalayas => himalayas::extract(body, ctx)?,
        SourceKind::Workday => workday::extract(body, ctx)?,
        SourceKind::BambooHr => bamboohr::extract(body, ctx)?,
        SourceKind::Teamtailor => teamtailor::extract(body, ctx)?,
        SourceKind::Dayforce => dayforce::extract(body, ctx)?,
        SourceKind::Rippling => rippling::extract(body, ctx)?,
        SourceKind::Oracle => oracle::extract(body, ctx)?,
        SourceKind::UltiPro => ultipro::extract(body, ctx)?,
        SourceKind::Herp => herp::extract(body, ctx)?,
        SourceKind::Eightfold => eightfold::extract(body, ctx)?,
        SourceKind::SuccessFactors => successfactors::extract(body, ctx)?,
        SourceKind::Avature => avature::extract(body, ctx)?,
        SourceKind::Html => {
            return Err(ParseError::Usage(
                "the html kind needs a recipe (selectors per field)".into(),
            ));
        }
    };
    Ok((kind, extraction))
}

/// Turns each JSON object of `items` into a posting with `to_posting`; items that are not
/// objects, or that `to_posting` declines (e.g. unlisted jobs), are counted as skipped.
pub(crate) fn collect_postings<'a>(
    items: impl IntoIterator<Item = &'a Value>,
    mut to_posting: impl FnMut(&'a serde_json::Map<String, Value>) -> Option<RawPosting>,
) -> Extraction {
    let mut extraction = Extraction::default();
    for item in items {
        match item.as_object().and_then(&mut to_posting) {
            Some(posting) => extraction.postings.push(posting),
            None => extraction.skipped += 1,
        }
    }
    extraction
}

/// The first path segment of an absolute URL (`https://jobs.lever.co/leverdemo/…` →
/// `leverdemo`): the board slug that hosted-board URLs carry, used as the company name where
/// an API names none (the source's configured `company` overrides it).
pub(crate) fn board_slug(url: Option<&str>) -> Option<String> {
    let url = url::Url::parse(url?).ok()?;
    let slug = url.path_segments()?.next()?.trim();
    (!slug.is_empty()).then(|| slug.to_owned())
}

/// Parses a JSON body, mapping failure to a permanent `Malformed` error for `kind`.
pub(crate) fn parse_json(body: &str, kind: SourceKind) -> Result<Value, ParseError> {
    serde_json::from_str(body)
        .map_err(|e| ParseError::malformed(kind, format!("invalid JSON: {e}")))
}

/// A JSON value as a trimmed, non-empty string; numbers and booleans are written out.
pub(crate) fn json_str(value: Option<&Value>) -> Option<String> {
    let text = match value? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// A JSON value as a number, accepting numeric strings such as `"120,000"` or `" 95000.50 "`
/// (real feeds write numbers as strings). Non-finite results are refused.
pub(crate) fn json_f64(value: Option<&Value>) -> Option<f64> {
    let number = match value? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => {
            let cleaned: String = s
                .trim()
                .chars()
                .filter(|c| !matches!(c, ',' | ' ' | '_' | '\u{a0}'))
                .collect();
            cleaned.parse::<f64>().ok()?
        }
        _ => return None,
    };
    number.is_finite().then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_numbers_are_read_from_numbers_and_numeric_strings() {
        assert_eq!(json_f64(Some(&json!(120000))), Some(120000.0));
        assert_eq!(json_f64(Some(&json!("120,000"))), Some(120000.0));
        assert_eq!(json_f64(Some(&json!(" 95000.50 "))), Some(95000.5));
        assert_eq!(json_f64(Some(&json!("NaN"))), None);
        assert_eq!(json_f64(Some(&json!("abc"))), None);
        assert_eq!(json_f64(Some(&json!(null))), None);
    }

    #[test]
    fn json_strings_are_trimmed_and_empty_ones_are_none() {
        assert_eq!(json_str(Some(&json!("  a  "))), Some("a".into()));
        assert_eq!(json_str(Some(&json!("   "))), None);
        assert_eq!(json_str(Some(&json!(42))), Some("42".into()));
        assert_eq!(json_str(Some(&json!({}))), None);
    }
}
