//! One document in, normalized postings out: input checks, extraction, normalization and
//! identity in one call. `jobfeed parse`, the crawler and the benchmarks all go through here.

use chrono::{DateTime, Utc};

use crate::error::ParseError;
use crate::extract::{self, DocumentContext, ExtractKind};
use crate::model::{JobPosting, SourceKind};
use crate::normalize::{self, NormalizeContext};

/// Documents larger than this are refused by default (a job page or API response is far
/// smaller; anything bigger is a mistake or an attack).
pub const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 10 * 1024 * 1024;

/// How to read one document.
#[derive(Debug, Clone)]
pub struct ParseOptions<'a> {
    /// The kind, or `Auto`.
    pub kind: ExtractKind,
    /// Where the document came from.
    pub url: Option<&'a url::Url>,
    /// The configured source name (defaults to the URL's host, else the kind).
    pub source: Option<&'a str>,
    /// Company name to use instead of the source's.
    pub company_override: Option<&'a str>,
    /// When the document was fetched.
    pub fetched_at: DateTime<Utc>,
    /// Size limit in bytes.
    pub max_bytes: u64,
}

/// The result of one document.
#[derive(Debug, Clone, Default)]
pub struct ParsedDocument {
    /// Normalized postings, in document order, without repeated ids.
    pub postings: Vec<JobPosting>,
    /// Records recognised but not emitted (no title, no URL, unusable), plus repeats.
    pub skipped: usize,
    /// The kind used (the detected one for `Auto`).
    pub kind: Option<SourceKind>,
}

/// Checks, extracts and normalizes one document.
///
/// Errors (all permanent): empty, too large, binary, malformed or of another kind. A valid
/// document without postings is `Ok` with none.
pub fn parse_document(
    bytes: &[u8],
    options: &ParseOptions<'_>,
) -> Result<ParsedDocument, ParseError> {
    let size = bytes.len() as u64;
    if size > options.max_bytes {
        return Err(ParseError::TooLarge {
            size,
            limit: options.max_bytes,
        });
    }
    let body = decode_text(bytes)?;
    if body.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let (kind, extraction) =
        extract::extract(&options.kind, &body, DocumentContext { url: options.url })?;

    let default_source = options
        .url
        .and_then(|u| u.host_str())
        .unwrap_or(kind.as_str())
        .to_owned();
    let ctx = NormalizeContext {
        source: options.source.unwrap_or(&default_source),
        source_kind: kind,
        base_url: options.url,
        single_posting_document: extraction.postings.len() == 1,
        fetched_at: options.fetched_at,
        company_override: options.company_override,
    };
    let mut parsed = ParsedDocument {
        postings: Vec::with_capacity(extraction.postings.len()),
        skipped: extraction.skipped,
        kind: Some(kind),
    };
    let mut seen = std::collections::HashSet::new();
    for raw in extraction.postings {
        match normalize::normalize(raw, &ctx) {
            Ok(posting) if seen.insert(posting.id.clone()) => parsed.postings.push(posting),
            Ok(_) | Err(_) => parsed.skipped += 1,
        }
    }
    Ok(parsed)
}

/// Decodes a document to text: UTF-8 (with or without BOM); a document with NUL bytes is
/// binary. Invalid UTF-8 sequences in otherwise textual input are replaced, since real pages
/// carry the odd stray Latin-1 byte.
fn decode_text(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if memchr::memchr(0, bytes).is_some() {
        return Err(ParseError::NotText("it contains NUL bytes".into()));
    }
    // The strict check first: it validates ASCII a word at a time, where the lossy decoder
    // walks byte by byte (16% of a JSON-LD page's whole parse, by perf).
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(std::borrow::Cow::Borrowed(text));
    }
    let text = String::from_utf8_lossy(bytes);
    if let std::borrow::Cow::Owned(owned) = &text {
        // Mostly replacement characters means it was never text.
        let replaced = owned.chars().filter(|c| *c == '\u{FFFD}').count();
        if replaced * 10 > owned.chars().count() {
            return Err(ParseError::NotText("it is not UTF-8 text".into()));
        }
    }
    Ok(text)
}
