//! Fills a SQLite database for `jobfeed serve --no-crawl` without crawling: the contract test
//! (`scripts/test`, schemathesis) and the API benchmark (`scripts/bench-api`, wrk) use it.
//!
//! Usage: `cargo run --release -p jobfeed-shared --example seed_sqlite -- DB [COUNT]`
//!
//! Every recorded corpus response (`testdata/corpus/urls.tsv`) is parsed and normalized like a
//! crawl would. Without `COUNT`, those postings are ingested as they are (about 50), with a
//! source state per source. With `COUNT`, `COUNT` distinct postings are derived from them
//! instead: each copy gets its own id, title, company, one more skill and a posting time a
//! few minutes older than the previous one (so the list spans months), and goes through the
//! same ingest rules in batches of one synthetic source each.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, Duration, Utc};
use jobfeed::JobPosting;
use jobfeed::app::ingest::{Incoming, IngestConfig, ingest_postings};
use jobfeed::extract::ExtractKind;
use jobfeed::identity;
use jobfeed::parse::{DEFAULT_MAX_DOCUMENT_BYTES, ParseOptions, parse_document};
use jobfeed::store::sqlite::SqliteStore;
use jobfeed::store::{CrawlOutcome, SourceState, SourceStateStore};

/// Postings per ingest call (and per synthetic source) when deriving copies.
const BATCH: usize = 1000;
/// Skills added to copies in turn, so skill filters select a fraction of them.
const EXTRA_SKILLS: &[&str] = &[
    "go",
    "rust",
    "python",
    "java",
    "typescript",
    "kubernetes",
    "aws",
    "postgresql",
    "react",
    "terraform",
];
/// Distinct companies the copies are spread over.
const COMPANIES: usize = 2000;
/// Minutes between the posting times of consecutive copies (100,000 copies span ~ a year).
const MINUTES_APART: i64 = 5;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(db), count) = (args.next(), args.next()) else {
        bail!("usage: seed_sqlite DB [COUNT]");
    };
    let count = count
        .map(|c| c.parse::<usize>().context("COUNT must be a number"))
        .transpose()?;
    let now = Utc::now();
    let corpus = corpus_postings(now)?;
    let store = SqliteStore::open(&db).with_context(|| format!("opening {db}"))?;
    let config = IngestConfig::default();
    let mut stored = 0;
    match count {
        None => {
            let sources: std::collections::BTreeSet<String> =
                corpus.iter().map(|p| p.source.clone()).collect();
            let incoming = corpus.into_iter().map(Incoming::from).collect();
            stored += ingest_postings(&store, incoming, now, &config).await?.new;
            for name in sources {
                store
                    .put_source_state(&SourceState {
                        name,
                        last_started_at: Some(now),
                        last_finished_at: Some(now),
                        outcome: Some(CrawlOutcome::Success),
                        next_due_at: Some(now + Duration::hours(1)),
                        ..SourceState::default()
                    })
                    .await?;
            }
        }
        Some(count) => {
            let mut batch = Vec::with_capacity(BATCH);
            for i in 0..count {
                batch.push(copy(&corpus, i, now));
                if batch.len() == BATCH || i + 1 == count {
                    let postings = std::mem::take(&mut batch).into_iter().map(Incoming::from);
                    stored += ingest_postings(&store, postings.collect(), now, &config)
                        .await?
                        .new;
                }
            }
        }
    }
    eprintln!("seed_sqlite: {stored} new postings in {db}");
    Ok(())
}

/// The postings of every corpus response, parsed as of `now`, each source named after its
/// folder (`ashby`, `workable`...).
fn corpus_postings(now: DateTime<Utc>) -> anyhow::Result<Vec<JobPosting>> {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus");
    let list = std::fs::read_to_string(dir.join("urls.tsv")).context("reading urls.tsv")?;
    let mut postings = Vec::new();
    for line in list.lines().filter(|l| !l.starts_with('#')) {
        let Some((file, address)) = line.split_once('\t') else {
            continue;
        };
        let url = url::Url::parse(address.trim()).with_context(|| format!("{file}: url"))?;
        let source = file.split('/').next().unwrap_or(file);
        let bytes = std::fs::read(dir.join(file)).with_context(|| format!("reading {file}"))?;
        let options = ParseOptions {
            kind: ExtractKind::Auto,
            url: Some(&url),
            source: Some(source),
            company_override: None,
            fetched_at: now,
            max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
        };
        let parsed = match parse_document(&bytes, &options) {
            Ok(parsed) => parsed,
            // A recorded refusal (a job or company that does not exist) is an error by design,
            // with nothing to seed.
            Err(_) if records_a_refusal(file) => continue,
            Err(e) => bail!("{file}: {e}"),
        };
        postings.extend(parsed.postings.into_iter().map(|mut p| {
            // A corpus posting whose validity ended would be stored closed and never listed.
            p.valid_through = None;
            identity::stamp(&mut p);
            p
        }));
    }
    if postings.is_empty() {
        bail!("the corpus gave no postings");
    }
    Ok(postings)
}

/// The `i`th synthetic posting: a corpus posting with its own identity, title, company,
/// an extra skill and a posting time `i × MINUTES_APART` before `now`.
fn copy(corpus: &[JobPosting], i: usize, now: DateTime<Utc>) -> JobPosting {
    let base = &corpus[i % corpus.len()];
    let mut posting = base.clone();
    posting.source = format!("seed-{}", i / BATCH);
    posting.external_id = Some(format!("seed-{i}"));
    posting.url = format!("https://seed.jobfeed.example/jobs/{i}");
    posting.title = format!("{} {}", base.title, i / corpus.len() + 1);
    posting.company.name = format!("{} {}", base.company.name, i % COMPANIES);
    let extra = EXTRA_SKILLS[i % EXTRA_SKILLS.len()];
    if !posting.skills.iter().any(|s| s == extra) {
        posting.skills.push(extra.to_owned());
    }
    posting.posted_at = Some(now - Duration::minutes(MINUTES_APART * i as i64));
    identity::stamp(&mut posting);
    posting
}

/// Whether a corpus file records a provider's refusal (its name says so, as in
/// `tests/extract_mutations.rs`): a not-found job, an unknown company.
fn records_a_refusal(file: &str) -> bool {
    file.contains("not_found") || file.contains("unknown_company")
}
