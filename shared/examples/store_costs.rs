//! What the store's cost scenarios (issue 3, "Cost") take on each adapter, as a markdown
//! section for `BENCHMARKS.md`: DynamoDB on a new table at `AWS_ENDPOINT_URL` (moto_server,
//! started by `scripts/bench`) and SQLite on a new file.
//!
//! Scenarios, on 1,000 postings of one source: inserting them into an empty store,
//! re-ingesting the unchanged snapshot (fetched again later), and reading a page of 50 and
//! the next page of the default feed.
//!
//! Run: `cargo run -p jobfeed-shared --features dynamodb --example store_costs` (with
//! `AWS_ENDPOINT_URL`, `AWS_REGION` and credentials set, as `scripts/bench` does). It counts
//! calls, items and units, not time, so any build profile gives the same numbers.

use std::error::Error;

use chrono::{DateTime, Duration, TimeZone, Utc};
use jobfeed::identity;
use jobfeed::ingest::{self, IngestConfig};
use jobfeed::model::{
    Category, Company, EmploymentType, JobPosting, Location, Salary, SalaryPeriod, Seniority,
    SourceKind, Workplace,
};
use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};
use jobfeed::store::sqlite::SqliteStore;
use jobfeed::store::{ListQuery, PostingStore, UsageSnapshot};

/// Postings in the snapshot.
const POSTINGS: usize = 1000;
/// Postings per list page.
const PAGE: usize = 50;
/// The source: a realistic name length (it is in every index entry of the source).
const SOURCE: &str = "greenhouse:acme";

/// One scenario's counters on both adapters.
struct Row {
    scenario: &'static str,
    goal: &'static str,
    dynamo: UsageSnapshot,
    estimated: UsageSnapshot,
    sqlite: UsageSnapshot,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    if std::env::var_os("AWS_ENDPOINT_URL").is_none() {
        return Err(
            "AWS_ENDPOINT_URL is not set: run scripts/bench, which starts moto_server".into(),
        );
    }
    let client = client_from_env().await;
    let table = format!("jobfeed-bench-{}", std::process::id());
    create_table(&client, &table).await?;
    let dynamo = DynamoStore::new(client.clone(), table.as_str());
    let dir = tempfile::tempdir()?;
    let sqlite = SqliteStore::open(dir.path().join("jobfeed.db"))?;

    let rows = run(&dynamo, &sqlite).await;
    client.delete_table().table_name(&table).send().await?;
    print!("{}", report(&rows?));
    Ok(())
}

/// Runs every scenario on both stores, in order (each starts from the previous one's state).
async fn run(dynamo: &DynamoStore, sqlite: &SqliteStore) -> Result<Vec<Row>, Box<dyn Error>> {
    // A fixed crawl time mid-month, so the newest postings (and the first pages) are in one
    // month whatever the day the benchmark runs; each fetch a few milliseconds apart, with
    // the nanoseconds a real clock has.
    let crawled = Utc
        .with_ymd_and_hms(2026, 7, 15, 12, 0, 0)
        .single()
        .ok_or("invalid crawl time")?;
    let snapshot: Vec<JobPosting> = (0..POSTINGS)
        .map(|i| {
            let nanos = 137_000_000 * i as i64 + 1_234_567 * (i as i64 % 7);
            posting(i, crawled + Duration::nanoseconds(nanos))
        })
        .collect();
    let refetched: Vec<JobPosting> = snapshot
        .iter()
        .map(|p| JobPosting {
            fetched_at: p.fetched_at + Duration::hours(6),
            ..p.clone()
        })
        .collect();
    let config = IngestConfig::default();
    let query = ListQuery::default();
    let mut rows = Vec::new();

    let ingested = crawled + Duration::minutes(5);
    let mut measured = Measure::start(dynamo, sqlite);
    for store in [dynamo as &dyn PostingStore, sqlite] {
        let report = ingest::ingest_postings(store, snapshot.clone(), ingested, &config).await?;
        check(report.new == POSTINGS as u64, "every posting is new")?;
    }
    rows.push(measured.row(
        "1,000 new postings (empty store)",
        "writes: one per posting plus its index entries",
    ));

    let later = ingested + Duration::hours(6);
    for store in [dynamo as &dyn PostingStore, sqlite] {
        let report = ingest::ingest_postings(store, refetched.clone(), later, &config).await?;
        check(report.unchanged == POSTINGS as u64, "nothing changed")?;
    }
    rows.push(measured.row(
        "re-ingest of the unchanged 1,000-posting snapshot",
        "no posting write; ≤ ~20 read units",
    ));

    let mut cursors = Vec::new();
    for store in [dynamo as &dyn PostingStore, sqlite] {
        let page = store.list(&query, PAGE, None).await?;
        check(page.items.len() == PAGE, "a full first page")?;
        cursors.push(page.next_cursor);
    }
    rows.push(measured.row("first page of 50", "≤ 3 requests"));

    for (store, cursor) in [dynamo as &dyn PostingStore, sqlite]
        .into_iter()
        .zip(cursors)
    {
        let page = store.list(&query, PAGE, cursor.as_deref()).await?;
        check(page.items.len() == PAGE, "a full next page")?;
    }
    rows.push(measured.row("next page of 50", "≤ 3 requests"));
    Ok(rows)
}

fn check(condition: bool, what: &str) -> Result<(), Box<dyn Error>> {
    if condition {
        Ok(())
    } else {
        Err(format!("scenario went wrong: expected {what}").into())
    }
}

/// The counters of both stores at the start of a scenario.
struct Measure<'a> {
    dynamo: &'a DynamoStore,
    sqlite: &'a SqliteStore,
    at: [UsageSnapshot; 3],
}

impl<'a> Measure<'a> {
    fn start(dynamo: &'a DynamoStore, sqlite: &'a SqliteStore) -> Self {
        let at = [dynamo.usage(), dynamo.estimated_usage(), sqlite.usage()];
        Measure { dynamo, sqlite, at }
    }

    /// The scenario that just ran, and the start of the next one.
    fn row(&mut self, scenario: &'static str, goal: &'static str) -> Row {
        let now = Measure::start(self.dynamo, self.sqlite).at;
        let [dynamo, estimated, sqlite] = [0, 1, 2].map(|i| now[i].since(&self.at[i]));
        self.at = now;
        Row {
            scenario,
            goal,
            dynamo,
            estimated,
            sqlite,
        }
    }
}

fn report(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str("## Store costs: DynamoDB and SQLite\n\n");
    out.push_str(
        "The issue's cost scenarios on 1,000 postings of one source (a ~1.7 KB description, \
         stored as HTML and as text), run by `scripts/bench` as\n\n```\ncargo run -p jobfeed-shared \
         --features dynamodb --example store_costs\n```\n\nagainst moto_server (a new table) \
         and a new SQLite file, one scenario after the other.\n\n",
    );
    out.push_str("### DynamoDB\n\n");
    out.push_str(
        "| scenario | requests | items read | items written | est. read units | \
         est. write units | moto-reported read / write units | goal |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---|\n");
    for row in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} / {} | {} |\n",
            row.scenario,
            row.dynamo.requests,
            row.dynamo.items_read,
            row.dynamo.items_written,
            row.estimated.read_units,
            row.estimated.write_units,
            row.dynamo.read_units,
            row.dynamo.write_units,
            row.goal,
        ));
    }
    out.push_str(
        "\n- est. units: from the items' sizes by DynamoDB's billing rules \
         (`store::dynamodb::capacity`: names plus values; a Query rounded up to 4 KB per \
         page, BatchGetItem per item, eventually consistent reads at half a unit; writes per \
         1 KB, plus one entry per index). Index items also take 100 bytes of storage each, \
         which reads and writes are not billed on.\n\
         - moto-reported: what moto_server returned as `ConsumedCapacity`, a placeholder \
         (about one unit per call or item, whatever the size), not DynamoDB's bill.\n\
         - new postings: one conditional PutItem per posting, one UpdateItem of the months \
         item, the source's index Query and one `by_fingerprint` Query per new fingerprint \
         (the cross-source duplicate check; see the `store::dynamodb` module doc for why).\n\
         - re-ingest: moto pages an index Query at 1 MB of the whole items (~4 KB each here), \
         so it takes a few Queries; DynamoDB pages at 1 MB of index entries and reads the \
         ~140 KB of this source's entries in one. Each page is rounded up to 4 KB on its \
         own, so the estimate here is at most half a unit per extra page above DynamoDB's.\n\n",
    );
    out.push_str("### SQLite (`SqliteStore`, the one-machine store)\n\n");
    out.push_str("| scenario | requests | rows read | rows written |\n");
    out.push_str("|---|---:|---:|---:|\n");
    for row in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            row.scenario, row.sqlite.requests, row.sqlite.items_read, row.sqlite.items_written,
        ));
    }
    out.push_str(
        "\n- requests: calls of the store port (each one transaction on the database file); \
         SQLite has no capacity units.\n",
    );
    out
}

/// Posting `i` of the snapshot: realistic fields and a description of ~1.7 KB, so items
/// weigh what real ones do.
fn posting(i: usize, fetched_at: DateTime<Utc>) -> JobPosting {
    let title = format!("Senior Backend Engineer {i}");
    let paragraphs = [
        "You will design, build and run the services behind our job search: Rust on the \
         backend, PostgreSQL and DynamoDB for storage, queues between them.",
        "You know how to keep a system simple while it grows, write code others can change, \
         and measure before you optimise.",
        "We offer a salary between 70,000 and 90,000 EUR, 30 days of holidays, a learning \
         budget and a team that reviews code kindly and quickly.",
        "Our hiring process has three steps: a call with the hiring manager, a take-home \
         exercise reviewed together, and a conversation with the team.",
    ];
    let body = paragraphs.join(" ").repeat(3);
    let mut p = JobPosting {
        id: String::new(),
        source: SOURCE.into(),
        source_kind: SourceKind::Greenhouse,
        external_id: Some(format!("{}", 4_000_000 + i)),
        url: format!("https://boards.greenhouse.io/acme/jobs/{}", 4_000_000 + i),
        apply_url: None,
        title: title.clone(),
        company: Company {
            name: "Acme".into(),
            url: Some("https://acme.example".into()),
            logo_url: None,
        },
        department: Some("Engineering".into()),
        locations: vec![Location {
            raw: "Berlin, Germany".into(),
            city: Some("Berlin".into()),
            region: None,
            country: Some("DE".into()),
        }],
        workplace: Some(Workplace::Hybrid),
        remote_regions: vec![],
        employment_type: Some(EmploymentType::FullTime),
        seniority: Some(Seniority::Senior),
        category: Some(Category::Backend),
        skills: vec!["rust".into(), "postgresql".into(), "aws".into()],
        salary: Some(Salary {
            min: Some(70000.0),
            max: Some(90000.0),
            currency: Some("EUR".into()),
            period: Some(SalaryPeriod::Year),
        }),
        description_html: format!("<h2>{title}</h2><p>{body}</p>"),
        description_text: format!("{title}\n\n{body}"),
        posted_at: Some(fetched_at - Duration::hours(1 + i as i64)),
        valid_through: None,
        fetched_at,
        fingerprint: String::new(),
        content_hash: String::new(),
        first_seen_at: None,
        last_seen_at: None,
        closed_at: None,
        duplicate_of: None,
    };
    identity::stamp(&mut p);
    p
}
