//! Throughput of the whole parse path (checks, extract, normalize, sanitize, identity) over
//! the recorded corpus, one core. `scripts/bench` runs it beside Python's extruct on the same
//! HTML pages and writes BENCHMARKS.md.

use std::hint::black_box;
use std::path::Path;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jobfeed::extract::ExtractKind;
use jobfeed::parse::{DEFAULT_MAX_DOCUMENT_BYTES, ParseOptions, parse_document};

struct Document {
    name: String,
    bytes: Vec<u8>,
    url: url::Url,
}

/// Loads the corpus files listed in `urls.tsv` (file, the address it was fetched from) whose
/// names satisfy `wanted`.
fn load(wanted: impl Fn(&str) -> bool) -> Vec<Document> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus");
    let index = std::fs::read_to_string(root.join("urls.tsv")).expect("urls.tsv is readable");
    index
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .filter(|(name, _)| wanted(name))
        .map(|(name, url)| Document {
            bytes: std::fs::read(root.join(name)).expect("corpus file is readable"),
            url: url::Url::parse(url).expect("corpus URL is valid"),
            name: name.to_owned(),
        })
        .collect()
}

fn parse_all(documents: &[Document]) -> usize {
    let fetched_at = Utc.with_ymd_and_hms(2026, 7, 20, 12, 0, 0).unwrap();
    documents
        .iter()
        .map(|doc| {
            let options = ParseOptions {
                kind: ExtractKind::Auto,
                url: Some(&doc.url),
                source: Some("bench"),
                company_override: None,
                fetched_at,
                max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            };
            parse_document(black_box(&doc.bytes), &options)
                .map(|parsed| parsed.postings.len())
                .unwrap_or(0)
        })
        .sum()
}

fn bench_group(c: &mut Criterion, group_name: &str, documents: &[Document]) {
    let mut group = c.benchmark_group(group_name);
    for doc in documents {
        group.throughput(Throughput::Bytes(doc.bytes.len() as u64));
        // Criterion turns `/` into nested folders; the report looks the ids up flat.
        let id = doc.name.replace('/', "_");
        group.bench_function(id, |b| b.iter(|| parse_all(std::slice::from_ref(doc))));
    }
    let total: usize = documents.iter().map(|d| d.bytes.len()).sum();
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("all", |b| b.iter(|| parse_all(documents)));
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_group(c, "html_pages", &load(|name| name.ends_with(".html")));
    bench_group(c, "feeds_and_apis", &load(|name| !name.ends_with(".html")));
}

criterion_group! {
    name = parse;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = benches
}
criterion_main!(parse);
