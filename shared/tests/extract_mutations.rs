//! No extractor panics on a damaged document: every recorded corpus response, cut, spliced
//! with random bytes or with a slice of itself, goes through the whole parse path (extraction
//! and normalization) under every kind and `auto`, and comes back as postings or an error.

use std::sync::LazyLock;

use chrono::{TimeZone, Utc};
use jobfeed::extract::ExtractKind;
use jobfeed::model::SourceKind;
use jobfeed::parse::{DEFAULT_MAX_DOCUMENT_BYTES, ParseOptions, parse_document};
use proptest::prelude::*;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/corpus");

/// Every corpus document named in `urls.tsv`, with the address it was fetched from: read
/// once for all the cases.
static CORPUS_DOCUMENTS: LazyLock<Vec<(Vec<u8>, url::Url)>> = LazyLock::new(corpus);

fn corpus() -> Vec<(Vec<u8>, url::Url)> {
    let urls = std::fs::read_to_string(format!("{CORPUS}/urls.tsv")).unwrap();
    urls.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .map(|(file, url)| {
            let body = std::fs::read(format!("{CORPUS}/{file}")).unwrap();
            (body, url::Url::parse(url).unwrap())
        })
        .collect()
}

/// One way to damage a document, at positions given as fractions of its length.
#[derive(Debug, Clone)]
enum Damage {
    /// Keep only the first part (a download cut short).
    Cut(f64),
    /// Put these bytes in at a position.
    Insert(f64, Vec<u8>),
    /// Take out a stretch.
    Remove(f64, f64),
    /// Copy a stretch of the document to another position (nesting and repeats).
    Repeat(f64, f64, f64),
}

fn damage() -> impl Strategy<Value = Damage> {
    let at = 0.0..=1.0f64;
    prop_oneof![
        at.clone().prop_map(Damage::Cut),
        (
            at.clone(),
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..16),
                // Bytes that mean something to JSON and markup.
                proptest::collection::vec(
                    prop::sample::select(b"{}[]\"\\:,<>/=&;'0-e .".to_vec()),
                    1..16
                ),
            ]
        )
            .prop_map(|(at, bytes)| Damage::Insert(at, bytes)),
        (at.clone(), at.clone()).prop_map(|(a, b)| Damage::Remove(a, b)),
        (at.clone(), at.clone(), at).prop_map(|(a, b, c)| Damage::Repeat(a, b, c)),
    ]
}

fn apply(body: &[u8], damages: &[Damage]) -> Vec<u8> {
    let mut out = body.to_vec();
    for damage in damages {
        let pos = |f: f64| ((out.len() as f64) * f) as usize;
        match damage {
            Damage::Cut(at) => out.truncate(pos(*at)),
            Damage::Insert(at, bytes) => {
                let at = pos(*at).min(out.len());
                out.splice(at..at, bytes.iter().copied());
            }
            Damage::Remove(a, b) => {
                let (from, to) = (pos(a.min(*b)), pos(a.max(*b)).min(out.len()));
                out.drain(from..to);
            }
            Damage::Repeat(a, b, c) => {
                let (from, to) = (pos(a.min(*b)), pos(a.max(*b)).min(out.len()));
                let stretch: Vec<u8> = out[from..to].to_vec();
                let at = pos(*c).min(out.len());
                out.splice(at..at, stretch);
            }
        }
    }
    out
}

fn kinds() -> Vec<ExtractKind> {
    std::iter::once(ExtractKind::Auto)
        .chain(SourceKind::ALL.iter().map(|kind| ExtractKind::Fixed(*kind)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn no_kind_panics_on_a_damaged_corpus_document(
        document in any::<prop::sample::Index>(),
        damages in proptest::collection::vec(damage(), 1..4),
        with_url in any::<bool>(),
    ) {
        let corpus = &*CORPUS_DOCUMENTS;
        let (body, url) = &corpus[document.index(corpus.len())];
        let damaged = apply(body, &damages);
        for kind in kinds() {
            let options = ParseOptions {
                kind,
                url: with_url.then_some(url),
                source: Some("mutations"),
                company_override: None,
                fetched_at: Utc.with_ymd_and_hms(2026, 7, 20, 12, 0, 0).unwrap(),
                max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            };
            // Postings or an error, never a panic; postings keep their invariants.
            if let Ok(parsed) = parse_document(&damaged, &options) {
                for posting in parsed.postings {
                    prop_assert!(!posting.title.trim().is_empty());
                    prop_assert!(posting.url.starts_with("http"));
                }
            }
        }
    }
}

/// Whether a corpus file records a refusal (an unknown company, a job that does not
/// exist), which may be a clear `Malformed` error of its provider's kind.
fn records_a_refusal(file: &str) -> bool {
    file.contains("not_found") || file.contains("unknown_company")
}

#[test]
fn every_undamaged_corpus_document_parses_under_auto() {
    let urls = std::fs::read_to_string(format!("{CORPUS}/urls.tsv")).unwrap();
    let files = urls
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .map(|(file, _)| file);
    for ((body, url), file) in CORPUS_DOCUMENTS.iter().zip(files) {
        let options = ParseOptions {
            kind: ExtractKind::Auto,
            url: Some(url),
            source: Some("mutations"),
            company_override: None,
            fetched_at: Utc.with_ymd_and_hms(2026, 7, 20, 12, 0, 0).unwrap(),
            max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
        };
        match parse_document(body, &options) {
            Ok(_) => {}
            Err(jobfeed::error::ParseError::Malformed { .. }) if records_a_refusal(file) => {}
            Err(error) => panic!("{file} ({url}): {error}"),
        }
    }
}
