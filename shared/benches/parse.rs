//! Throughput of the whole parse path (checks, extract, normalize, sanitize, identity) over
//! the recorded corpus, one core, per kind group: `jsonld` pages, `html_recipe` pages (with
//! their CSS recipes), `rss` feeds, `json_api` responses and the newer `ats` kinds, as listed in
//! `testdata/bench/parse_kinds.tsv`. `scripts/bench` runs it beside the Python tools
//! (`scripts/bench_python.py`) on the same files and writes BENCHMARKS.md.
//!
//! Before measuring, it prints one `postings<TAB>group<TAB>file<TAB>count` line per file so
//! the report can turn bytes per second into postings per second.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jobfeed::extract::{ExtractKind, HtmlRecipe};
use jobfeed::parse::{DEFAULT_MAX_DOCUMENT_BYTES, ParseOptions, parse_document};

/// The groups in report order.
const GROUPS: &[&str] = &["jsonld", "html_recipe", "rss", "json_api", "ats"];

struct Document {
    name: String,
    bytes: Vec<u8>,
    url: url::Url,
    kind: ExtractKind,
}

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// Tab-separated rows of a testdata table, comments and blank lines left out.
fn rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).expect("bench table is readable");
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}

/// The documents of one group, each with its URL (from `urls.tsv`) and its kind: `Auto`, or
/// the recipe the manifest names.
fn load(group: &str) -> Vec<Document> {
    let root = testdata();
    let urls = rows(&root.join("corpus/urls.tsv"));
    rows(&root.join("bench/parse_kinds.tsv"))
        .into_iter()
        .filter(|row| row[0] == group)
        .map(|row| {
            let name = &row[1];
            let url = urls
                .iter()
                .find(|u| &u[0] == name)
                .unwrap_or_else(|| panic!("{name} is in urls.tsv"));
            let kind = match row[2].as_str() {
                "-" => ExtractKind::Auto,
                recipe => {
                    let text = std::fs::read_to_string(root.join("recipes").join(recipe))
                        .expect("recipe is readable");
                    let recipe: HtmlRecipe = serde_json::from_str(&text).expect("recipe is valid");
                    ExtractKind::Recipe(Box::new(recipe))
                }
            };
            Document {
                bytes: std::fs::read(root.join("corpus").join(name)).expect("corpus file"),
                url: url::Url::parse(&url[1]).expect("corpus URL is valid"),
                name: name.clone(),
                kind,
            }
        })
        .collect()
}

fn parse_one(doc: &Document) -> usize {
    let options = ParseOptions {
        kind: doc.kind.clone(),
        url: Some(&doc.url),
        source: Some("bench"),
        company_override: None,
        fetched_at: Utc.with_ymd_and_hms(2026, 7, 20, 12, 0, 0).unwrap(),
        max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
    };
    parse_document(black_box(&doc.bytes), &options)
        .map(|parsed| parsed.postings.len())
        .unwrap_or(0)
}

fn bench_group(c: &mut Criterion, group_name: &str, documents: &[Document]) {
    for doc in documents {
        println!("postings\t{group_name}\t{}\t{}", doc.name, parse_one(doc));
    }
    let mut group = c.benchmark_group(group_name);
    for doc in documents {
        group.throughput(Throughput::Bytes(doc.bytes.len() as u64));
        // Criterion turns `/` into nested folders; the report looks the ids up flat.
        let id = doc.name.replace('/', "_");
        group.bench_function(id, |b| b.iter(|| parse_one(doc)));
    }
    let total: usize = documents.iter().map(|d| d.bytes.len()).sum();
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("all", |b| {
        b.iter(|| documents.iter().map(parse_one).sum::<usize>())
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    for group in GROUPS {
        bench_group(c, group, &load(group));
    }
}

criterion_group! {
    name = parse;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = benches
}
criterion_main!(parse);
