//! What the DynamoDB filter index (issue 23, `store::dynamodb::filter_index`) saves on reads
//! and costs on writes, before (every list walks `by_listed`) and after, as markdown tables
//! for `BENCHMARKS.md`, on moto_server at `AWS_ENDPOINT_URL`.
//!
//! Reads: `COUNT` postings (default 10,000) derived from the recorded corpus as
//! `seed_sqlite COUNT` derives them (own id, title, company, one more skill, posted 5
//! minutes apart) are written to a new table with the filter index; then every path of
//! `scripts/bench_search_paths.tsv` is asked of the read API's router (as `/jobs` with its
//! query; a feed as `/jobs?limit=50`) twice: through a store without the filter index
//! (`by_listed`, the code before) and with it. For each: the first page's store requests,
//! items read and estimated read units, and the calls (cursors followed, `MAX_CALLS` at
//! most) until a page holds a match.
//!
//! Writes: 1,000 postings of one source through `app::ingest::ingest_postings` on two new
//! tables (without and with the filter index): all new, sent again unchanged, sent again
//! with a new description each, sent again with a new seniority each.
//!
//! Run: `cargo run --release -p jobfeed-shared --features dynamodb --example filter_costs
//! [COUNT] [reads]` (`reads`: the read table alone, without the write scenarios), with
//! `AWS_ENDPOINT_URL`, `AWS_REGION` and credentials set, as `scripts/test` sets them for
//! moto_server. Units are estimated from item sizes (`capacity`), not taken from moto,
//! whose reported units are placeholders.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use axum::body::Body;
use chrono::{DateTime, Duration, Utc};
use http_body_util::BodyExt;
use jobfeed::JobPosting;
use jobfeed::api::{ApiConfig, ApiState, router};
use jobfeed::app::ingest::{Incoming, IngestConfig, ingest_postings};
use jobfeed::extract::ExtractKind;
use jobfeed::identity;
use jobfeed::model::Seniority;
use jobfeed::parse::{DEFAULT_MAX_DOCUMENT_BYTES, ParseOptions, parse_document};
use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};
use jobfeed::store::{PostingStore, StoredPosting, UsageSnapshot, Write};
use tower::ServiceExt;

/// Postings seeded for the reads unless `COUNT` is given.
const DEFAULT_COUNT: usize = 10_000;
/// Skills added to copies in turn (as `seed_sqlite`).
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
/// Distinct companies the copies are spread over (as `seed_sqlite`).
const COMPANIES: usize = 2000;
/// Minutes between the posting times of consecutive copies (as `seed_sqlite`).
const MINUTES_APART: i64 = 5;
/// Calls made at most to find the first match (moto answers a `by_listed` walk of 10,000
/// postings slowly: every Query of an index goes through the whole table).
const MAX_CALLS: usize = 20;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let count = match std::env::args().nth(1) {
        Some(c) => c.parse::<usize>().context("COUNT must be a number")?,
        None => DEFAULT_COUNT,
    };
    if std::env::var_os("AWS_ENDPOINT_URL").is_none() {
        bail!("set AWS_ENDPOINT_URL to moto_server (see scripts/test)");
    }
    let now = Utc::now();
    let corpus = corpus_postings(now)?;
    let client = client_from_env().await;
    let stamp = now.timestamp_nanos_opt().unwrap_or_default();
    if std::env::args().nth(2).as_deref() != Some("reads") {
        write_tables(&client, &corpus, now, stamp).await?;
    }

    let table = format!("jobfeed-filter-costs-r-{stamp}");
    create_table(&client, &table).await?;
    let store = Arc::new(DynamoStore::new(client.clone(), table.as_str()));
    let started = std::time::Instant::now();
    let mut batch = Vec::new();
    for i in 0..count {
        let p = copy(&corpus, i, now);
        batch.push(Write::Insert(StoredPosting {
            posting: JobPosting {
                first_seen_at: Some(p.fetched_at),
                last_seen_at: Some(p.fetched_at),
                ..p
            },
            history: vec![],
            description_truncated: false,
            revision: 1,
            mark: None,
        }));
        if batch.len() == 1000 || i + 1 == count {
            store.write(std::mem::take(&mut batch)).await?;
        }
    }
    eprintln!(
        "filter_costs: {count} postings written in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let listed = Arc::new(DynamoStore::new(client, table.as_str()).without_filter_index());
    let paths = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/bench_search_paths.tsv"),
    )?;
    let since = (now - Duration::days(7)).format("%Y-%m-%d").to_string();
    println!("\n### First page and calls to the first match at {count} postings\n");
    println!(
        "| combination | path | before: requests | items read | RCU | calls to 1st match \
         | after: requests | items read | RCU | calls to 1st match |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for line in paths.lines().filter(|l| !l.starts_with('#')) {
        let mut fields = line.split('\t');
        let (Some(_), Some(path), Some(label)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let query = jobs_query(&path.replace("@SINCE@", &since));
        let before = probe(&listed, &query).await?;
        let after = probe(&store, &query).await?;
        println!(
            "| {label} | `{path}` | {} | {} | {:.1} | {} | {} | {} | {:.1} | {} |",
            before.0.requests,
            before.0.items_read,
            before.0.read_units,
            before.1,
            after.0.requests,
            after.0.items_read,
            after.0.read_units,
            after.1
        );
    }
    Ok(())
}

/// The write tables: the four scenarios on a table without the filter index and one with it.
async fn write_tables(
    client: &aws_sdk_dynamodb::Client,
    corpus: &[JobPosting],
    now: DateTime<Utc>,
    stamp: i64,
) -> anyhow::Result<()> {
    println!("### Write units per 1,000 postings of one source (ingest rules)\n");
    println!("| scenario | requests before | WCU before | requests after | WCU after |");
    println!("|---|---:|---:|---:|---:|");
    let mut costs = Vec::new();
    for with_index in [false, true] {
        let table = format!("jobfeed-filter-costs-w{}-{stamp}", u8::from(with_index));
        create_table(client, &table).await?;
        let store = DynamoStore::new(client.clone(), table);
        let store = if with_index {
            store
        } else {
            store.without_filter_index()
        };
        costs.push(write_scenarios(&store, corpus, now).await?);
    }
    for (i, name) in [
        "(a) 1,000 new postings",
        "(b) the 1,000 sent again, unchanged",
        "(c) the 1,000 sent again, each with a new description",
        "(d) the 1,000 sent again, each with a new seniority",
    ]
    .iter()
    .enumerate()
    {
        let (before, after) = (&costs[0][i], &costs[1][i]);
        println!(
            "| {name} | {} | {:.0} | {} | {:.0} |",
            before.requests, before.write_units, after.requests, after.write_units
        );
    }

    Ok(())
}

/// The `/jobs` query of a bench path: a feed is one list of 50.
fn jobs_query(path: &str) -> String {
    let (endpoint, query) = path.split_once('?').unwrap_or((path, ""));
    if endpoint.starts_with("/feed") {
        format!("limit=50&{query}")
    } else {
        query.to_owned()
    }
}

/// The estimated cost of the first page of `/jobs?{query}` and the calls to the first match:
/// `- (N, end)` when the list ended after N calls without one, `- (> N)` when N calls
/// (`MAX_CALLS`) found none.
async fn probe(store: &Arc<DynamoStore>, query: &str) -> anyhow::Result<(UsageSnapshot, String)> {
    let app = router(ApiState {
        postings: store.clone(),
        sources: store.clone(),
        registry: store.clone(),
        config: ApiConfig::default(),
    });
    let mut first_cost = None;
    let mut cursor: Option<String> = None;
    for call in 1..=MAX_CALLS {
        let before = store.estimated_usage();
        let uri = match &cursor {
            Some(c) => format!("/jobs?{query}&cursor={c}"),
            None => format!("/jobs?{query}"),
        };
        let response = app
            .clone()
            .oneshot(axum::http::Request::get(uri).body(Body::empty())?)
            .await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            bail!(
                "/jobs?{query}: {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        let page: serde_json::Value = serde_json::from_slice(&body)?;
        first_cost.get_or_insert_with(|| store.estimated_usage().since(&before));
        let items = page["items"].as_array().map_or(0, Vec::len);
        if items > 0 {
            return Ok((first_cost.unwrap_or_default(), call.to_string()));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok((first_cost.unwrap_or_default(), format!("- ({call}, end)"))),
        }
    }
    Ok((first_cost.unwrap_or_default(), format!("- (> {MAX_CALLS})")))
}

/// The four write scenarios on `store`: the estimated cost of each.
async fn write_scenarios(
    store: &DynamoStore,
    corpus: &[JobPosting],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<UsageSnapshot>> {
    let config = IngestConfig::default();
    let postings: Vec<JobPosting> = (0..1000)
        .map(|i| JobPosting {
            source: "greenhouse:acme".into(),
            ..copy(corpus, i, now)
        })
        .map(|mut p| {
            identity::stamp(&mut p);
            p
        })
        .collect();
    let later = |hours: i64, change: &dyn Fn(&mut JobPosting)| -> Vec<Incoming> {
        postings
            .iter()
            .map(|p| {
                let mut p = p.clone();
                p.fetched_at = now + Duration::hours(hours);
                change(&mut p);
                identity::stamp(&mut p);
                Incoming::from(p)
            })
            .collect()
    };
    let scenarios: [Vec<Incoming>; 4] = [
        postings.iter().cloned().map(Incoming::from).collect(),
        later(1, &|_| {}),
        later(2, &|p| p.description_html.push_str("<p>Updated.</p>")),
        later(3, &|p| {
            p.description_html.push_str("<p>Updated.</p>");
            p.seniority = Some(match p.seniority {
                Some(Seniority::Lead) => Seniority::Staff,
                _ => Seniority::Lead,
            });
        }),
    ];
    let mut costs = Vec::new();
    for (i, incoming) in scenarios.into_iter().enumerate() {
        let before = store.estimated_usage();
        let at = now + Duration::hours(i as i64) + Duration::minutes(30);
        ingest_postings(store, incoming, at, &config).await?;
        costs.push(store.estimated_usage().since(&before));
    }
    Ok(costs)
}

/// The postings of every corpus response, parsed as of `now` (as `seed_sqlite`).
fn corpus_postings(now: DateTime<Utc>) -> anyhow::Result<Vec<JobPosting>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus");
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
        // A recorded refusal (a job or company that does not exist) has nothing to seed.
        let Ok(parsed) = parse_document(&bytes, &options) else {
            continue;
        };
        postings.extend(parsed.postings.into_iter().map(|mut p| {
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

/// The `i`th synthetic posting (as `seed_sqlite`'s copies).
fn copy(corpus: &[JobPosting], i: usize, now: DateTime<Utc>) -> JobPosting {
    let base = &corpus[i % corpus.len()];
    let mut posting = base.clone();
    posting.source = format!("seed-{}", i / 1000);
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
