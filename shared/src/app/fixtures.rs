//! Test fixtures of the app layer: postings of the recorded Lever board.

use chrono::{DateTime, Utc};

use crate::model::JobPosting;
use crate::parse::ExtractedPosting;

/// The Lever board's first posting, normalized for `source`, with this external id.
pub(crate) fn posting(source: &str, id: &str) -> JobPosting {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/corpus/lever/postings_rsp.json"
    ))
    .unwrap();
    let options = crate::parse::ParseOptions {
        kind: crate::extract::ExtractKind::Auto,
        url: None,
        source: Some(source),
        company_override: None,
        fetched_at: Utc::now(),
        max_bytes: crate::parse::DEFAULT_MAX_DOCUMENT_BYTES,
    };
    let mut p = crate::parse::parse_document(&bytes, &options)
        .unwrap()
        .postings
        .remove(0);
    p.external_id = Some(id.into());
    crate::identity::stamp(&mut p);
    p
}

/// The Lever board's first posting as the crawler sends it, with this external id.
pub(crate) fn extracted(id: &str) -> ExtractedPosting {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/corpus/lever/postings_rsp.json"
    ))
    .unwrap();
    let options = crate::parse::ParseOptions {
        kind: crate::extract::ExtractKind::Auto,
        url: None,
        source: Some("lever"),
        company_override: None,
        fetched_at: hours(1),
        max_bytes: crate::parse::DEFAULT_MAX_DOCUMENT_BYTES,
    };
    let mut posting = crate::parse::extract_document(&bytes, &options)
        .unwrap()
        .postings
        .remove(0);
    posting.record.external_id = Some(id.into());
    posting.id = crate::identity::posting_id("lever", Some(id), &{
        let url = posting.record.url.clone().unwrap();
        crate::identity::canonical_url(&url, None).unwrap()
    });
    posting
}

/// 1970-01-01 plus `h` hours.
pub(crate) fn hours(h: i64) -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + chrono::Duration::hours(h)
}
