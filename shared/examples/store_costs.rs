//! What ingest costs on each store (issue 3 "Cost", issue 7 item 5), as a markdown section
//! for `BENCHMARKS.md`: DynamoDB on a new table at `AWS_ENDPOINT_URL` (moto_server, started
//! by `scripts/bench`) and SQLite on a new file, beside the naive DynamoDB design measured
//! by the same harness on a second table of the same shape.
//!
//! Scenarios, on 1,000 postings of one source, each from the previous one's state: all new
//! (an empty store), the unchanged snapshot sent again (what a crawl sent before crawls became
//! incremental; now what a jobfeed upgrade's one resend of every posting costs), the snapshot with 5%
//! of its postings changed, then reading a page of 50 and the next page of the default feed.
//! Postings take the crawler's and the ingest function's path: a Greenhouse board response
//! of the 1,000 jobs is extracted as the crawler extracts it (`parse::extract_document`, not
//! timed) and split into its SQS-sized messages (`IngestMessage::extracted_batches`); each
//! is decoded from JSON, normalized and applied by `app::ingest::handle_message` (which
//! records its counts), as `functions/ingest` does.
//!
//! The naive design: the same messages, each posting normalized the same way, then one
//! PutItem per posting of the full item, conditional only on not overwriting a newer fetch,
//! no index read, no hash check.
//!
//! Run: `cargo run --release -p jobfeed-shared --features dynamodb --example store_costs`
//! (with `AWS_ENDPOINT_URL`, `AWS_REGION` and credentials set, as `scripts/bench` does).
//! Requests and units do not depend on the build profile; postings/s do.

use std::collections::HashMap;
use std::error::Error;
use std::time::Instant;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, TimeZone, Utc};
use futures::{StreamExt, TryStreamExt, stream};
use jobfeed::app::ingest::{Handled, IngestConfig, IngestPorts, IngestReport, handle_message};
use jobfeed::app::messages::IngestMessage;
use jobfeed::extract::ExtractKind;
use jobfeed::model::{JobPosting, SourceKind};
use jobfeed::parse::{
    DEFAULT_MAX_DOCUMENT_BYTES, ExtractedPosting, ParseOptions, extract_document,
};
use jobfeed::store::dynamodb::capacity;
use jobfeed::store::dynamodb::schema::{ENTRY_FETCHED_AT, SCHEMA};
use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};
use jobfeed::store::sqlite::SqliteStore;
use jobfeed::store::{
    IngestCounter, ListQuery, PostingReader, PostingStore, SourceStateStore, StoredPosting, Usage,
    UsageSnapshot,
};

/// Postings in the snapshot.
const POSTINGS: usize = 1000;
/// Every this many postings, one changes in the 5%-changed scenario.
const CHANGED_EVERY: usize = 20;
/// Postings per list page.
const PAGE: usize = 50;
/// The source: a realistic name length (it is in every index entry of the source).
const SOURCE: &str = "greenhouse:acme";
/// The crawler splits a source's postings into messages of at most SQS's 256 KiB.
const MESSAGE_BYTES: usize = 256 * 1024;
/// Naive PutItems in flight at once (as many as `DynamoStore::write` has).
const NAIVE_CONCURRENCY: usize = 16;

/// One ingest scenario: our counters, the naive design's, and the time each took.
struct IngestRow {
    scenario: &'static str,
    /// The most write units the scenario may take, as a share of naive's.
    goal: Option<f64>,
    dynamo: UsageSnapshot,
    estimated: UsageSnapshot,
    naive: UsageSnapshot,
    sqlite: UsageSnapshot,
    /// Seconds on DynamoDB (moto), the naive design (moto) and SQLite.
    seconds: [f64; 3],
    /// The crawler's messages for the scenario.
    messages: usize,
}

/// One ingest scenario's input and what it must do.
struct Scenario<'a> {
    name: &'static str,
    /// The crawl's postings, as the crawler extracted them.
    postings: &'a [ExtractedPosting],
    /// The ingest time.
    now: DateTime<Utc>,
    /// The most write units it may take, as a share of naive's.
    goal: Option<f64>,
    /// Postings new, changed and unchanged.
    expected: [u64; 3],
}

/// One read scenario on both stores.
struct ReadRow {
    scenario: &'static str,
    dynamo: UsageSnapshot,
    estimated: UsageSnapshot,
    sqlite: UsageSnapshot,
}

/// The naive design on its own table: one conditional PutItem of the full item per posting.
struct Naive {
    client: Client,
    table: String,
    /// Our adapter on the same table, for its item layout only.
    layout: DynamoStore,
    /// Calls, items and estimated units.
    usage: Usage,
}

impl Naive {
    /// Puts every posting as a full item unless the stored copy was fetched later; an
    /// overwrite rewrites the item and all three index entries (each holds the fetch time).
    async fn put_all(
        &self,
        postings: &[JobPosting],
        now: DateTime<Utc>,
    ) -> Result<(), Box<dyn Error>> {
        let items = postings
            .iter()
            .map(|p| {
                let mut posting = p.clone();
                posting.first_seen_at = Some(now);
                posting.last_seen_at = Some(now);
                let stored = StoredPosting {
                    posting,
                    history: Vec::new(),
                    description_truncated: false,
                    revision: 1,
                    mark: None,
                };
                self.layout.posting_item(&stored)
            })
            .collect::<Result<Vec<_>, _>>()?;
        stream::iter(items)
            .map(|item| self.put(item))
            .buffer_unordered(NAIVE_CONCURRENCY)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    async fn put(&self, item: HashMap<String, AttributeValue>) -> Result<(), Box<dyn Error>> {
        let fetched = item.get(ENTRY_FETCHED_AT).cloned().ok_or("no fetch time")?;
        let applied = capacity::put_write_units(&item, SCHEMA.indexes);
        let refused = capacity::write_units(capacity::item_size(&item));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk) OR #t < :t")
            .expression_attribute_names("#pk", SCHEMA.partition_key)
            .expression_attribute_names("#t", ENTRY_FETCHED_AT)
            .expression_attribute_values(":t", fetched)
            .send()
            .await;
        self.usage.record(0, u64::from(result.is_ok()));
        match result {
            Ok(_) => self.usage.record_units(0.0, applied),
            // A failed condition is billed the item's write, without index writes.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                self.usage.record_units(0.0, refused)
            }
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }
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
    let naive_table = format!("jobfeed-bench-naive-{}", std::process::id());
    create_table(&client, &table).await?;
    create_table(&client, &naive_table).await?;
    let dynamo = DynamoStore::new(client.clone(), table.as_str());
    let naive = Naive {
        client: client.clone(),
        table: naive_table.clone(),
        layout: DynamoStore::new(client.clone(), naive_table.as_str()),
        usage: Usage::default(),
    };
    let dir = tempfile::tempdir()?;
    let sqlite = SqliteStore::open(dir.path().join("jobfeed.db"))?;

    let rows = run(&dynamo, &naive, &sqlite).await;
    for t in [&table, &naive_table] {
        client.delete_table().table_name(t).send().await?;
    }
    let (ingest_rows, read_rows) = rows?;
    print!("{}", report(&ingest_rows, &read_rows));
    Ok(())
}

/// Ingests `postings` the way the ingest function does: SQS-sized messages, each decoded
/// from its JSON body, handled, and its counts recorded in the source state.
async fn ingest<S: PostingStore + SourceStateStore + IngestCounter>(
    store: &S,
    bodies: &[String],
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<IngestReport, Box<dyn Error>> {
    let mut total = IngestReport::default();
    for body in bodies {
        let message = IngestMessage::from_json(body)?;
        let ports = IngestPorts {
            postings: store,
            states: store,
            counts: store,
        };
        let handled = handle_message(ports, message, now, config).await?;
        if let Handled::Postings(r) = handled {
            total.new += r.new;
            total.changed += r.changed;
            total.unchanged += r.unchanged;
        }
    }
    Ok(total)
}

/// The naive design's ingest of the same messages: each posting normalized as ingest
/// normalizes it, then put.
async fn naive_ingest(
    naive: &Naive,
    bodies: &[String],
    now: DateTime<Utc>,
) -> Result<(), Box<dyn Error>> {
    for body in bodies {
        let IngestMessage::Extracted { postings, .. } = IngestMessage::from_json(body)? else {
            return Err("the crawler sends extracted postings".into());
        };
        naive.put_all(&normalized(&postings)?, now).await?;
    }
    Ok(())
}

/// `postings` normalized, as ingest normalizes them.
fn normalized(postings: &[ExtractedPosting]) -> Result<Vec<JobPosting>, Box<dyn Error>> {
    postings
        .iter()
        .map(|p| {
            p.clone()
                .normalize(SOURCE, None)
                .map_err(|skip| format!("posting {} skipped: {skip:?}", p.id).into())
        })
        .collect()
}

/// The JSON bodies of the messages the crawler sends for `postings`.
fn bodies(postings: &[ExtractedPosting]) -> Vec<String> {
    IngestMessage::extracted_batches(SOURCE, None, postings.to_vec(), MESSAGE_BYTES)
        .iter()
        .map(IngestMessage::to_json)
        .collect()
}

/// Runs every scenario on every store, in order (each starts from the previous one's state).
async fn run(
    dynamo: &DynamoStore,
    naive: &Naive,
    sqlite: &SqliteStore,
) -> Result<(Vec<IngestRow>, Vec<ReadRow>), Box<dyn Error>> {
    // A fixed crawl time mid-month, so the newest postings (and the first pages) are in one
    // month whatever the day the benchmark runs, with the nanoseconds a real clock has.
    let crawled = Utc
        .with_ymd_and_hms(2026, 7, 15, 12, 0, 0)
        .single()
        .ok_or("invalid crawl time")?
        + Duration::nanoseconds(137_234_567);
    let snapshot = extract(&board(false), crawled)?;
    let refetched = extract(&board(false), crawled + Duration::hours(6))?;
    // 5% changed: a raise and a sentence more in the description, seen at the next crawl.
    let changed = extract(&board(true), crawled + Duration::hours(12))?;
    let (before, after) = (normalized(&snapshot)?, normalized(&changed)?);
    check(
        before.iter().zip(&after).all(|(a, b)| a.id == b.id),
        "a change keeps the postings' ids",
    )?;
    let changes = before
        .iter()
        .zip(&after)
        .filter(|(a, b)| a.content_hash != b.content_hash)
        .count();
    check(
        changes == POSTINGS / CHANGED_EVERY,
        "5% of the contents changed",
    )?;

    let config = IngestConfig::default();
    let ingested = crawled + Duration::minutes(5);
    let scenarios = [
        Scenario {
            name: "(a) 1,000 new postings (empty store)",
            postings: &snapshot,
            now: ingested,
            goal: None,
            expected: [1000, 0, 0],
        },
        Scenario {
            name: "(b) the 1,000 sent again, unchanged",
            postings: &refetched,
            now: ingested + Duration::hours(6),
            goal: Some(0.02),
            expected: [0, 0, 1000],
        },
        Scenario {
            name: "(c) the 1,000 sent again, 5% (50) changed",
            postings: &changed,
            now: ingested + Duration::hours(12),
            goal: Some(0.10),
            expected: [0, 50, 950],
        },
    ];
    let mut ingest_rows = Vec::new();
    let mut measured = Measure::start(dynamo, sqlite);
    for Scenario {
        name: scenario,
        postings,
        now,
        goal,
        expected: [new, updated, same],
    } in scenarios
    {
        let bodies = bodies(postings);
        let mut seconds = [0.0; 3];
        let before_naive = naive.usage.snapshot();
        let clock = Instant::now();
        let ours = ingest(dynamo, &bodies, now, &config).await?;
        seconds[0] = clock.elapsed().as_secs_f64();
        let clock = Instant::now();
        naive_ingest(naive, &bodies, now).await?;
        seconds[1] = clock.elapsed().as_secs_f64();
        let clock = Instant::now();
        let theirs = ingest(sqlite, &bodies, now, &config).await?;
        seconds[2] = clock.elapsed().as_secs_f64();
        for report in [ours, theirs] {
            check(
                (report.new, report.changed, report.unchanged) == (new, updated, same),
                scenario,
            )?;
        }
        let [dynamo, estimated, sqlite] = measured.next();
        ingest_rows.push(IngestRow {
            scenario,
            goal,
            dynamo,
            estimated,
            naive: naive.usage.snapshot().since(&before_naive),
            sqlite,
            seconds,
            messages: bodies.len(),
        });
    }

    let query = ListQuery::default();
    let mut read_rows = Vec::new();
    let mut cursors = Vec::new();
    for store in [dynamo as &dyn PostingStore, sqlite] {
        let page = store.list(&query, PAGE, None).await?;
        check(page.items.len() == PAGE, "a full first page")?;
        cursors.push(page.next_cursor);
    }
    let [dynamo_usage, estimated, sqlite_usage] = measured.next();
    read_rows.push(ReadRow {
        scenario: "first page of 50",
        dynamo: dynamo_usage,
        estimated,
        sqlite: sqlite_usage,
    });
    for (store, cursor) in [dynamo as &dyn PostingStore, sqlite]
        .into_iter()
        .zip(cursors)
    {
        let page = store.list(&query, PAGE, cursor.as_deref()).await?;
        check(page.items.len() == PAGE, "a full next page")?;
    }
    let [dynamo_usage, estimated, sqlite_usage] = measured.next();
    read_rows.push(ReadRow {
        scenario: "next page of 50",
        dynamo: dynamo_usage,
        estimated,
        sqlite: sqlite_usage,
    });
    Ok((ingest_rows, read_rows))
}

/// The board response `document` as the crawler extracts it at `fetched_at`.
fn extract(
    document: &str,
    fetched_at: DateTime<Utc>,
) -> Result<Vec<ExtractedPosting>, Box<dyn Error>> {
    let url = url::Url::parse("https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true")?;
    let extracted = extract_document(
        document.as_bytes(),
        &ParseOptions {
            kind: ExtractKind::Auto,
            url: Some(&url),
            source: Some(SOURCE),
            company_override: None,
            fetched_at,
            max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
        },
    )?;
    check(
        extracted.kind == Some(SourceKind::Greenhouse)
            && extracted.postings.len() == POSTINGS
            && extracted.skipped == 0,
        "the board's 1,000 jobs, read as Greenhouse",
    )?;
    Ok(extracted.postings)
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

    /// DynamoDB's reported and estimated usage and SQLite's, since the last call.
    fn next(&mut self) -> [UsageSnapshot; 3] {
        let now = Measure::start(self.dynamo, self.sqlite).at;
        let used = [0, 1, 2].map(|i| now[i].since(&self.at[i]));
        self.at = now;
        used
    }
}

fn report(ingest_rows: &[IngestRow], read_rows: &[ReadRow]) -> String {
    let mut out = String::new();
    let messages = ingest_rows.first().map_or(0, |row| row.messages);
    out.push_str("## Ingest cost and speed: DynamoDB, the naive design, SQLite\n\n");
    out.push_str(&format!(
        "Issue 7 item 5 (and issue 3's cost scenarios) on 1,000 postings of one source (a \
         ~1.7 KB description, stored as HTML and as text: ~4 KB items), run by \
         `scripts/bench` as\n\n```\ncargo run --release -p jobfeed-shared --features dynamodb \
         --example store_costs\n```\n\nagainst moto_server (two new tables of the same \
         shape: ours and the naive design's) and a new SQLite file, one scenario after the \
         other. Postings take the crawler's and the ingest function's path: a Greenhouse board \
         response of the 1,000 jobs extracted as the crawler extracts it (not timed), split \
         into its SQS-sized messages (256 KiB, {messages} here), each decoded from JSON, \
         normalized and applied by `app::ingest::handle_message`, which adds its new and \
         changed counts to the source (one UpdateItem per message that has any). The naive design: the same \
         messages and the same normalization, then one PutItem of the full item per posting, \
         conditional only on not overwriting a newer fetch, no index read, no hash check.\n\n",
    ));
    out.push_str("### Request units per 1,000 postings (DynamoDB)\n\n");
    out.push_str(
        "| scenario | requests | est. RCU | est. WCU | naive requests | naive WCU | WCU vs naive | goal | met |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for row in ingest_rows {
        let ratio = row.estimated.write_units / row.naive.write_units.max(f64::MIN_POSITIVE);
        let (goal, met) = match row.goal {
            Some(goal) => (
                format!("≤ {:.0}%", goal * 100.0),
                if ratio <= goal { "yes" } else { "**no**" },
            ),
            None => ("–".to_owned(), "–"),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {:.1}% | {} | {} |\n",
            row.scenario,
            row.dynamo.requests,
            row.estimated.read_units,
            row.estimated.write_units,
            row.naive.requests,
            row.naive.write_units,
            ratio * 100.0,
            goal,
            met,
        ));
    }
    out.push_str(
        "\n- est. RCU / WCU: estimated from the items' sizes by DynamoDB's billing rules \
         (`store::dynamodb::capacity`): an item's size is its attribute names plus values; a \
         write unit per 1 KB of each item written, rounded up per item, plus the same for \
         each global secondary index entry the write puts (every posting has three: \
         `by_source`, `by_fingerprint`, `by_listed`, each holding the fetch time, so every \
         overwrite rewrites all three); a read unit per 4 KB of a Query or GetItem, rounded \
         up once per call (per item in BatchGetItem), halved for eventually consistent \
         reads; a failed condition costs the item's write. moto_server's own \
         `ConsumedCapacity` is a placeholder (one unit per call or item, whatever the size), \
         so it is not used for these columns.\n\
         - naive WCU: the same estimate for the naive PutItems (the naive design reads \
         nothing).\n\
         - (a): one conditional PutItem per posting (item + 3 index entries, ~8 WCU for these \
         ~4 KB postings), one months item update, the source's index Query, a `by_fingerprint` \
         Query per new fingerprint (half a read unit each) and one UpdateItem of the source's \
         ingest counts per message.\n\
         - (b): per message, the source's index Query of its postings (~140 bytes an entry); \
         no write at all.\n\
         - (c): (b) plus, for the 50 changed postings, a strongly consistent BatchGetItem of \
         the stored items (the history needs the old values), 50 conditional PutItems, the \
         duplicate check of their fingerprints and the ingest counts' UpdateItem.\n\n",
    );
    out.push_str("### Speed (postings/s, one process, wall time of the scenario)\n\n");
    out.push_str("| scenario | DynamoDB on moto | naive on moto | SQLite |\n");
    out.push_str("|---|---:|---:|---:|\n");
    for row in ingest_rows {
        let rate = |s: f64| format!("{:.0}", POSTINGS as f64 / s.max(f64::MIN_POSITIVE));
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            row.scenario,
            rate(row.seconds[0]),
            rate(row.seconds[1]),
            rate(row.seconds[2]),
        ));
    }
    out.push_str(
        "\n- moto_server is a single Python process on the same 2 cores: its time per call \
         (~ms) dominates the DynamoDB columns, so they compare designs by calls, not \
         DynamoDB's own latency. SQLite is one file on local disk, one transaction per store \
         call.\n\n",
    );
    out.push_str("### Every scenario's counters\n\n");
    out.push_str(
        "| scenario | DynamoDB requests | items read | items written | est. RCU | est. WCU | \
         moto-reported RCU / WCU | SQLite requests | rows read | rows written |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let rows = ingest_rows
        .iter()
        .map(|r| (r.scenario, &r.dynamo, &r.estimated, &r.sqlite))
        .chain(
            read_rows
                .iter()
                .map(|r| (r.scenario, &r.dynamo, &r.estimated, &r.sqlite)),
        );
    for (scenario, dynamo, estimated, sqlite) in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} / {} | {} | {} | {} |\n",
            scenario,
            dynamo.requests,
            dynamo.items_read,
            dynamo.items_written,
            estimated.read_units,
            estimated.write_units,
            dynamo.read_units,
            dynamo.write_units,
            sqlite.requests,
            sqlite.items_read,
            sqlite.items_written,
        ));
    }
    out.push_str(
        "\n- goals of issue 3: a page of 50 in ≤ 3 requests; an unchanged re-crawl with no \
         posting write. Since crawls became incremental (issue 16), a crawl sends only what \
         is new, changed or closed, and an unchanged board sends nothing (\"What a crawl \
         costs\" below); (b) is now what a jobfeed upgrade costs once (every posting is sent \
         again to be normalized anew). SQLite requests are calls of the store port (each one \
         transaction); SQLite has no capacity units.\n\
         - moto pages an index Query at 1 MB of the whole items (~4 KB each here), so the \
         source's index takes a few Queries; DynamoDB pages at 1 MB of index entries and \
         reads the ~140 KB of this source's entries in one. Each page is rounded up to 4 KB \
         on its own, so the estimate here is at most half a unit per extra page above \
         DynamoDB's.\n",
    );
    out
}

/// A Greenhouse board response (`?content=true`) of the snapshot's jobs; with `changed`,
/// every `CHANGED_EVERY`th job has a raise and a sentence more.
fn board(changed: bool) -> String {
    let jobs: Vec<serde_json::Value> = (0..POSTINGS)
        .map(|i| job(i, changed && i % CHANGED_EVERY == 0))
        .collect();
    serde_json::json!({ "jobs": jobs, "meta": { "total": POSTINGS } }).to_string()
}

/// Job `i` of the board, with the fields Greenhouse gives and a description of ~1.7 KB (in
/// Greenhouse's escaped HTML), so items weigh what real ones do.
fn job(i: usize, raised: bool) -> serde_json::Value {
    let id = 4_000_000 + i;
    let title = format!("Senior Backend Engineer {i}");
    let top = if raised { "95,000" } else { "90,000" };
    let paragraphs = [
        "You will design, build and run the services behind our job search: Rust on the \
         backend, PostgreSQL and DynamoDB for storage, queues between them.",
        "You know how to keep a system simple while it grows, write code others can change, \
         and measure before you optimise.",
        &format!(
            "We offer a salary between 70,000 and {top} EUR, 30 days of holidays, a learning \
             budget and a team that reviews code kindly and quickly."
        ),
        "Our hiring process has three steps: a call with the hiring manager, a take-home \
         exercise reviewed together, and a conversation with the team.",
    ];
    let mut html = format!("<h2>{title}</h2><p>{}</p>", paragraphs.join(" ").repeat(3));
    if raised {
        html.push_str("<p>The range was raised to 95,000 EUR.</p>");
    }
    let escaped = html_escape::encode_quoted_attribute(&html);
    let posted = Utc
        .with_ymd_and_hms(2026, 7, 15, 11, 0, 0)
        .single()
        .unwrap_or_default()
        - Duration::hours(i as i64);
    serde_json::json!({
        "absolute_url": format!("https://job-boards.greenhouse.io/acme/jobs/{id}"),
        "internal_job_id": 3_000_000 + i,
        "location": { "name": "Berlin, Germany" },
        "metadata": null,
        "id": id,
        "updated_at": posted.to_rfc3339(),
        "requisition_id": format!("R{i}"),
        "title": title,
        "company_name": "Acme",
        "first_published": posted.to_rfc3339(),
        "language": "en",
        "content": escaped,
        "departments": [{ "id": 41, "name": "Engineering", "child_ids": [], "parent_id": null }],
        "offices": [{ "id": 7, "name": "Berlin", "location": "Berlin, Germany", "child_ids": [], "parent_id": null }],
    })
}
