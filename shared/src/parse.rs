//! One document in, normalized postings out: input checks, extraction, normalization and
//! identity in one call. `jobfeed parse`, the crawler and the benchmarks all go through here.

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};

use crate::error::ParseError;
use crate::extract::{self, DocumentContext, ExtractKind, RawPosting};
use crate::model::{JobPosting, SourceKind};
use crate::normalize::{self, NormalizeContext, Skip};

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

/// One extracted record and what normalizing it takes: its id (the one normalizing gives),
/// the document it came from and when. The crawler sends these to ingest, which normalizes
/// them (`ExtractedPosting::normalize`), so the normalizer and its regexes, tables and
/// sanitizer live in the ingest function, not in the crawler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractedPosting {
    /// The posting's id, as `normalize::posting_id` gives it.
    pub id: String,
    /// The kind that extracted it.
    pub kind: SourceKind,
    /// The document's URL (it resolves relative links, and stands in for a missing posting
    /// URL on a single posting's page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_url: Option<String>,
    /// Whether the document holds just this posting.
    #[serde(default)]
    pub single_posting_document: bool,
    /// When the document was fetched.
    pub fetched_at: DateTime<Utc>,
    /// The record as the source states it.
    pub record: RawPosting,
    /// The crawl's list mark of the posting (`ListMark`), stored with it so the next crawl
    /// can tell whether to read it again; `None` outside a crawl.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<crate::identity::ListMark>,
}

impl ExtractedPosting {
    /// The normalized posting, as `parse_document` gives it for `source` (whose configured
    /// company name, if any, is `company_override`). A record whose id is not what its
    /// content gives (a message altered on the way) is `Skip::IdMismatch`.
    pub fn normalize(
        self,
        source: &str,
        company_override: Option<&str>,
    ) -> Result<JobPosting, Skip> {
        let document_url = self
            .document_url
            .as_deref()
            .and_then(|url| url::Url::parse(url).ok());
        let ctx = NormalizeContext {
            source,
            source_kind: self.kind,
            base_url: document_url.as_ref(),
            single_posting_document: self.single_posting_document,
            fetched_at: self.fetched_at,
            company_override,
        };
        let posting = normalize::normalize(self.record, &ctx)?;
        if posting.id == self.id {
            Ok(posting)
        } else {
            Err(Skip::IdMismatch)
        }
    }
}

/// The records of one document, extracted and identified but not normalized.
#[derive(Debug, Clone, Default)]
pub struct ExtractedDocument {
    /// The source name the ids were made for (the configured one, else the URL's host, else
    /// the kind).
    pub source: String,
    /// The records, in document order, without repeated ids.
    pub postings: Vec<ExtractedPosting>,
    /// Records recognised but not usable (no title, no URL), plus repeats.
    pub skipped: usize,
    /// The kind used (the detected one for `Auto`).
    pub kind: Option<SourceKind>,
}

/// Checks, extracts and identifies one document: what the crawler does with each page.
///
/// Errors (all permanent): empty, too large, binary, malformed or of another kind. A valid
/// document without postings is `Ok` with none.
pub fn extract_document(
    bytes: &[u8],
    options: &ParseOptions<'_>,
) -> Result<ExtractedDocument, ParseError> {
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

    let source = options
        .source
        .or_else(|| options.url.and_then(|u| u.host_str()))
        .unwrap_or(kind.as_str())
        .to_owned();
    let single_posting_document = extraction.postings.len() == 1;
    let ctx = NormalizeContext {
        source: &source,
        source_kind: kind,
        base_url: options.url,
        single_posting_document,
        fetched_at: options.fetched_at,
        company_override: options.company_override,
    };
    let mut postings = Vec::with_capacity(extraction.postings.len());
    let mut skipped = extraction.skipped;
    let mut seen = std::collections::HashSet::new();
    for record in extraction.postings {
        match normalize::posting_id(&record, &ctx) {
            Ok(id) if seen.insert(id.clone()) => postings.push(ExtractedPosting {
                id,
                kind,
                document_url: options.url.map(|url| url.to_string()),
                single_posting_document,
                fetched_at: options.fetched_at,
                record,
                mark: None,
            }),
            Ok(_) | Err(_) => skipped += 1,
        }
    }
    Ok(ExtractedDocument {
        source,
        postings,
        skipped,
        kind: Some(kind),
    })
}

/// Checks, extracts and normalizes one document (`extract_document`, then each record
/// normalized).
///
/// Errors (all permanent): empty, too large, binary, malformed or of another kind. A valid
/// document without postings is `Ok` with none.
pub fn parse_document(
    bytes: &[u8],
    options: &ParseOptions<'_>,
) -> Result<ParsedDocument, ParseError> {
    let extracted = extract_document(bytes, options)?;
    let mut parsed = ParsedDocument {
        postings: Vec::with_capacity(extracted.postings.len()),
        skipped: extracted.skipped,
        kind: extracted.kind,
    };
    for posting in extracted.postings {
        match posting.normalize(&extracted.source, options.company_override) {
            Ok(posting) => parsed.postings.push(posting),
            Err(_) => parsed.skipped += 1,
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
