//! Cross-source duplicates on a labelled table (`testdata/dedup/pairs.tsv`): pairs of
//! postings written the way Greenhouse, Lever, Ashby, We Work Remotely, RemoteOK and JSON-LD
//! pages write them, normalized as the crawler does and ingested on every store (memory,
//! SQLite, DynamoDB on moto_server). Prints precision and recall; fails on any false merge
//! or a recall under 95%.

use chrono::{DateTime, Duration, TimeZone, Utc};
use jobfeed::JobPosting;
use jobfeed::app::ingest::{Incoming, IngestConfig, ingest_postings};
use jobfeed::extract::{RawLocation, RawPosting};
use jobfeed::model::SourceKind;
use jobfeed::normalize::{NormalizeContext, normalize};
use jobfeed::store::memory::MemoryStore;
use jobfeed::store::{PostingStore, StoredPosting};

const PAIRS: &str = include_str!("../testdata/dedup/pairs.tsv");
const DESCRIPTIONS: &str = include_str!("../testdata/dedup/descriptions.tsv");

/// The recall the issue asks for.
const MIN_RECALL: f64 = 0.95;

fn t(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap() + Duration::hours(hours)
}

/// One side of a pair, as the table states it.
struct Side<'a> {
    kind: &'a str,
    company: &'a str,
    title: &'a str,
    location: &'a str,
    hint: &'a str,
    description: &'a str,
}

/// One labelled pair.
struct Pair<'a> {
    line: usize,
    same: bool,
    variation: &'a str,
    a: Side<'a>,
    b: Side<'a>,
}

fn pairs() -> Vec<Pair<'static>> {
    PAIRS
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty())
        .map(|(index, line)| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 14, "line {}: {line}", index + 1);
            let side = |at: usize| Side {
                kind: f[at],
                company: f[at + 1],
                title: f[at + 2],
                location: f[at + 3],
                hint: f[at + 4],
                description: f[at + 5],
            };
            let same = match f[0] {
                "same" => true,
                "diff" => false,
                other => panic!("line {}: label {other}", index + 1),
            };
            Pair {
                line: index + 1,
                same,
                variation: f[1],
                a: side(2),
                b: side(8),
            }
        })
        .collect()
}

fn description(key: &str, title: &str, company: &str) -> String {
    if key == "-" {
        return format!("<p>{title} at {company}.</p>");
    }
    let text = DESCRIPTIONS
        .lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| line.strip_prefix(key)?.strip_prefix('\t'))
        .unwrap_or_else(|| panic!("no description {key}"));
    format!("<p>{text}</p>")
}

/// The company name with the pair's number after its first word, so each pair has a company
/// of its own in one store (`Acme Inc.` → `Acme P7 Inc.`: the aliases still differ the same
/// way).
fn numbered(company: &str, pair: usize) -> String {
    match company.split_once(' ') {
        Some((first, rest)) => format!("{first} P{pair} {rest}"),
        None => format!("{company} P{pair}"),
    }
}

/// The posting a source of `side.kind` gives for this side, normalized as the crawler does.
fn posting(side: &Side<'_>, pair: usize, which: &str) -> JobPosting {
    let company = numbered(side.company, pair);
    let id = format!("{pair}{which}");
    let slug = format!("acme-p{pair}");
    let hints: Vec<String> = (side.hint != "-")
        .then(|| side.hint.to_owned())
        .into_iter()
        .collect();
    let mut raw = RawPosting {
        external_id: Some(id.clone()),
        title: Some(side.title.to_owned()),
        company_name: Some(company.clone()),
        locations: vec![RawLocation::text(side.location)],
        workplace_hints: hints,
        description_html: Some(description(side.description, side.title, &company)),
        ..RawPosting::default()
    };
    let (kind, url) = match side.kind {
        "greenhouse" => (
            SourceKind::Greenhouse,
            format!("https://boards.greenhouse.io/{slug}/jobs/{id}"),
        ),
        "lever" => (
            SourceKind::Lever,
            format!("https://jobs.lever.co/{slug}/{id}"),
        ),
        "ashby" => (
            SourceKind::Ashby,
            format!("https://jobs.ashbyhq.com/{slug}/{id}"),
        ),
        "wwr" => {
            // The RSS reader keeps the region line as a place and as a remote region; the
            // board puts a header before the company's text.
            raw.remote_regions = vec![side.location.to_owned()];
            let body = raw.description_html.take().unwrap_or_default();
            raw.description_html = Some(format!(
                "<p><strong>Headquarters:</strong> Somewhere<br /><strong>URL:</strong> \
                 <a href=\"https://{slug}.example\">https://{slug}.example</a></p>{body}"
            ));
            (
                SourceKind::Rss,
                format!("https://weworkremotely.com/remote-jobs/{slug}-{id}"),
            )
        }
        "remoteok" => {
            raw.workplace_hints = vec!["remote".to_owned()];
            (
                SourceKind::RemoteOk,
                format!("https://remoteok.com/remote-jobs/{id}"),
            )
        }
        "jsonld" => {
            if side.hint == "TELECOMMUTE" {
                // `applicantLocationRequirements` of a remote posting, no `jobLocation`.
                raw.locations = vec![];
                raw.remote_regions = vec![side.location.to_owned()];
            }
            (
                SourceKind::JsonLd,
                format!("https://careers.{slug}.example/jobs/{id}"),
            )
        }
        other => panic!("unknown kind {other}"),
    };
    raw.url = Some(url);
    let ctx = NormalizeContext {
        source: side.kind,
        source_kind: kind,
        base_url: None,
        single_posting_document: false,
        fetched_at: t(0),
        company_override: None,
    };
    normalize(raw, &ctx).expect("a complete posting")
}

/// Precision and recall of the stored duplicate marks over the table.
#[derive(Debug, Default)]
struct Score {
    true_merges: usize,
    false_merges: usize,
    missed: usize,
    kept_apart: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        let merged = self.true_merges + self.false_merges;
        if merged == 0 {
            1.0
        } else {
            self.true_merges as f64 / merged as f64
        }
    }

    fn recall(&self) -> f64 {
        let same = self.true_merges + self.missed;
        if same == 0 {
            1.0
        } else {
            self.true_merges as f64 / same as f64
        }
    }
}

async fn stored(store: &dyn PostingStore, id: &str) -> StoredPosting {
    store
        .get_many(&[id.to_owned()])
        .await
        .unwrap()
        .pop()
        .expect("stored")
}

/// Which side of each pair is ingested first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    AFirst,
    BFirst,
}

/// Ingests each pair in both orders (one side, then the other an hour later, each as its
/// source's own message; each order with companies of its own) and scores what the store
/// then says: the one ingested first must be canonical and the other its duplicate.
async fn score_pairs(store: &dyn PostingStore, engine: &str) -> Score {
    let mut score = Score::default();
    for order in [Order::AFirst, Order::BFirst] {
        score_pairs_in(store, engine, order, &mut score).await;
    }
    println!(
        "{engine}: {} pairs × 2 orders ({} same, {} different): precision {:.3}, recall {:.3} \
         ({} merged rightly, {} missed, {} false merges, {} kept apart rightly)",
        pairs().len(),
        score.true_merges + score.missed,
        score.false_merges + score.kept_apart,
        score.precision(),
        score.recall(),
        score.true_merges,
        score.missed,
        score.false_merges,
        score.kept_apart
    );
    score
}

async fn score_pairs_in(store: &dyn PostingStore, engine: &str, order: Order, score: &mut Score) {
    let table = pairs();
    assert!(table.len() >= 60, "at least 60 labelled pairs");
    let config = IngestConfig::default();
    for pair in &table {
        assert_ne!(pair.a.kind, pair.b.kind, "line {}: two sources", pair.line);
        let number = match order {
            Order::AFirst => pair.line,
            Order::BFirst => 500 + pair.line,
        };
        let (a, b) = match order {
            Order::AFirst => (posting(&pair.a, number, "a"), posting(&pair.b, number, "b")),
            // The table's b ingested first: it is `a` below.
            Order::BFirst => (posting(&pair.b, number, "b"), posting(&pair.a, number, "a")),
        };
        for (p, at) in [(&a, t(1)), (&b, t(2))] {
            ingest_postings(store, vec![Incoming::from(p.clone())], at, &config)
                .await
                .unwrap();
        }
        let (a_dup, b_dup) = (
            stored(store, &a.id).await.posting.duplicate_of,
            stored(store, &b.id).await.posting.duplicate_of,
        );
        let merged = b_dup.as_deref() == Some(a.id.as_str()) && a_dup.is_none();
        let any_mark = a_dup.is_some() || b_dup.is_some();
        match (pair.same, merged) {
            (true, true) => score.true_merges += 1,
            (true, false) => {
                score.missed += 1;
                println!(
                    "{engine}: missed ({order:?}), line {} ({}): {:?} / {:?}",
                    pair.line,
                    pair.variation,
                    jobfeed::dedup::same_job(&a, &b),
                    (&a.title, &a.locations, a.workplace, &a.remote_regions)
                );
            }
            (false, _) if any_mark => {
                score.false_merges += 1;
                println!(
                    "{engine}: FALSE MERGE ({order:?}), line {} ({})",
                    pair.line, pair.variation
                );
            }
            (false, _) => score.kept_apart += 1,
        }
    }
}

fn assert_goal(score: &Score) {
    assert_eq!(score.false_merges, 0, "no false merge: {score:?}");
    assert!(
        score.recall() >= MIN_RECALL,
        "recall {:.3} under {MIN_RECALL}: {score:?}",
        score.recall()
    );
}

/// A posting of `kind` for the lifecycle tests (company `Acme L{n}`, one per test).
fn side_posting(kind: &str, n: usize, title: &str, location: &str, which: &str) -> JobPosting {
    let side = Side {
        kind,
        company: "Acme",
        title,
        location,
        hint: "-",
        description: "ledger",
    };
    posting(&side, 1000 + n, which)
}

async fn ingest_at(store: &dyn PostingStore, p: &JobPosting, at: DateTime<Utc>) {
    let copy = JobPosting {
        fetched_at: at,
        ..p.clone()
    };
    ingest_postings(
        store,
        vec![Incoming::from(copy)],
        at,
        &IngestConfig::default(),
    )
    .await
    .unwrap();
}

async fn duplicate_of(store: &dyn PostingStore, p: &JobPosting) -> Option<String> {
    stored(store, &p.id).await.posting.duplicate_of
}

/// A merge that a changed place or title disproves is undone at the next ingest of either
/// posting, and made again when the change is reverted.
async fn a_merge_disproved_by_a_change_is_undone_and_redone(store: &dyn PostingStore) {
    let ats = side_posting(
        "greenhouse",
        1,
        "Backend Engineer (Go)",
        "Berlin, Germany",
        "a",
    );
    let board = side_posting("lever", 1, "Backend Engineer - Go", "Berlin", "b");
    ingest_at(store, &ats, t(1)).await;
    ingest_at(store, &board, t(2)).await;
    assert_eq!(duplicate_of(store, &board).await, Some(ats.id.clone()));

    // The board's copy moves to Munich: another job now.
    let mut moved = posting(
        &Side {
            kind: "lever",
            company: "Acme",
            title: "Backend Engineer - Go",
            location: "Munich",
            hint: "-",
            description: "ledger",
        },
        1001,
        "b",
    );
    moved.fetched_at = t(3);
    assert_eq!(moved.id, board.id);
    ingest_at(store, &moved, t(3)).await;
    assert_eq!(
        duplicate_of(store, &board).await,
        None,
        "a place change undoes it"
    );

    ingest_at(store, &board, t(4)).await;
    assert_eq!(
        duplicate_of(store, &board).await,
        Some(ats.id.clone()),
        "merged again"
    );

    // The canonical's title changes to another level: undone from the other side.
    let promoted = side_posting(
        "greenhouse",
        1,
        "Senior Backend Engineer (Go)",
        "Berlin, Germany",
        "a",
    );
    assert_eq!(promoted.id, ats.id);
    ingest_at(store, &promoted, t(5)).await;
    assert_eq!(
        duplicate_of(store, &board).await,
        None,
        "a title change undoes it"
    );
    assert_eq!(duplicate_of(store, &ats).await, None);
}

/// Three copies of one job: the first seen is canonical; when it closes the next takes
/// over and the third follows it.
async fn when_the_canonical_closes_the_next_copy_takes_over(store: &dyn PostingStore) {
    let ats = side_posting("greenhouse", 2, "Senior Data Engineer", "Remote (EU)", "a");
    let wwr = side_posting("wwr", 2, "Sr. Data Engineer", "Europe Only", "b");
    let remoteok = side_posting("remoteok", 2, "Senior Data Engineer", "Europe", "c");
    ingest_at(store, &ats, t(1)).await;
    ingest_at(store, &wwr, t(2)).await;
    ingest_at(store, &remoteok, t(3)).await;
    assert_eq!(duplicate_of(store, &wwr).await, Some(ats.id.clone()));
    assert_eq!(duplicate_of(store, &remoteok).await, Some(ats.id.clone()));

    let config = IngestConfig {
        min_complete_ratio: 0.0,
        ..IngestConfig::default()
    };
    jobfeed::app::ingest::close_postings(
        store,
        "greenhouse",
        std::slice::from_ref(&ats.id),
        vec![],
        t(4),
        t(4),
        &config,
    )
    .await
    .unwrap();
    assert_eq!(
        duplicate_of(store, &wwr).await,
        None,
        "the next one is canonical"
    );
    assert_eq!(duplicate_of(store, &remoteok).await, Some(wwr.id.clone()));
}

/// A posting stored under an older fingerprint rule is rewritten once with the current
/// fingerprint when its crawl next sends it unchanged, and then found by the other source.
async fn a_posting_with_an_old_fingerprint_is_rekeyed_once(store: &dyn PostingStore) {
    let ats = side_posting(
        "greenhouse",
        3,
        "Site Reliability Engineer",
        "New York, NY",
        "a",
    );
    let mut old = StoredPosting {
        posting: ats.clone(),
        history: vec![],
        description_truncated: false,
        revision: 1,
        mark: None,
    };
    old.posting.fingerprint = "0123456789abcdef0123456789abcdef".into();
    old.posting.first_seen_at = Some(t(1));
    old.posting.last_seen_at = Some(t(1));
    store
        .write(vec![jobfeed::store::Write::Insert(old)])
        .await
        .unwrap();
    let report = ingest_postings(
        store,
        vec![Incoming::from(ats.clone())],
        t(2),
        &IngestConfig::default(),
    )
    .await
    .unwrap();
    assert_eq!((report.rekeyed, report.unchanged), (1, 0));
    assert_eq!(
        stored(store, &ats.id).await.posting.fingerprint,
        ats.fingerprint
    );
    let again = ingest_postings(
        store,
        vec![Incoming::from(ats.clone())],
        t(3),
        &IngestConfig::default(),
    )
    .await
    .unwrap();
    assert_eq!((again.rekeyed, again.unchanged), (0, 1), "once");

    let board = side_posting(
        "jsonld",
        3,
        "Site Reliability Engineer (SRE)",
        "New York, New York, United States",
        "b",
    );
    ingest_at(store, &board, t(4)).await;
    assert_eq!(duplicate_of(store, &board).await, Some(ats.id.clone()));
}

/// Every lifecycle test on one store.
async fn lifecycle(store: &dyn PostingStore) {
    a_merge_disproved_by_a_change_is_undone_and_redone(store).await;
    when_the_canonical_closes_the_next_copy_takes_over(store).await;
    a_posting_with_an_old_fingerprint_is_rekeyed_once(store).await;
}

#[test]
fn the_table_holds_every_variation_of_the_issue_on_every_kind_of_source() {
    let table = pairs();
    let same = table.iter().filter(|p| p.same).count();
    assert!(
        same >= 30 && table.len() - same >= 20,
        "{same} of {}",
        table.len()
    );
    for kind in ["greenhouse", "lever", "ashby", "wwr", "remoteok", "jsonld"] {
        assert!(
            table.iter().any(|p| p.a.kind == kind || p.b.kind == kind),
            "{kind}"
        );
    }
}

#[tokio::test]
async fn labelled_pairs_on_the_memory_store_merge_with_no_false_merge() {
    let store = MemoryStore::new();
    assert_goal(&score_pairs(&store, "memory").await);
}

#[tokio::test]
async fn merges_are_undone_taken_over_and_rekeyed_on_the_memory_store() {
    lifecycle(&MemoryStore::new()).await;
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn labelled_pairs_on_the_sqlite_store_merge_with_no_false_merge() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temporary directory");
    let store = jobfeed::store::sqlite::SqliteStore::open(dir.path().join("jobfeed.db"))
        .expect("open a fresh database");
    assert_goal(&score_pairs(&store, "sqlite").await);
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn merges_are_undone_taken_over_and_rekeyed_on_the_sqlite_store() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temporary directory");
    let store = jobfeed::store::sqlite::SqliteStore::open(dir.path().join("jobfeed.db"))
        .expect("open a fresh database");
    lifecycle(&store).await;
}

#[cfg(feature = "dynamodb")]
mod dynamodb {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};

    /// A store on a new, uniquely named table. Fails (never skips) without moto: the tests
    /// must run through `scripts/test`, which starts it.
    async fn fresh_store() -> DynamoStore {
        static TABLES: AtomicUsize = AtomicUsize::new(0);
        assert!(
            std::env::var_os("AWS_ENDPOINT_URL").is_some(),
            "AWS_ENDPOINT_URL is not set: run scripts/test, which starts moto_server"
        );
        let client = client_from_env().await;
        let table = format!(
            "jobfeed-dedup-{}-{}-{}",
            std::process::id(),
            Utc::now().timestamp_nanos_opt().unwrap_or_default(),
            TABLES.fetch_add(1, Ordering::Relaxed)
        );
        create_table(&client, &table).await.unwrap();
        DynamoStore::new(client, table)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn labelled_pairs_on_the_dynamodb_store_merge_with_no_false_merge() {
        let store = fresh_store().await;
        assert_goal(&score_pairs(&store, "dynamodb").await);
    }

    /// The new postings of each batch below. The extra reads are per posting (BENCHMARKS.md
    /// has them per 1,000); moto_server answers a Query by reading the whole table, so more
    /// postings only make the run longer.
    const BOARD: usize = 250;

    /// `BOARD` postings of one source, each with its own role, numbered `n` as a pair is
    /// (company and external ids).
    fn board(n: usize, kind: &str, company: &str, title: &str, location: &str) -> Vec<Incoming> {
        (0..BOARD)
            .map(|i| {
                let side = Side {
                    kind,
                    company,
                    title: &format!("{title} {i}"),
                    location,
                    hint: "-",
                    description: "ledger",
                };
                Incoming::from(posting(&side, n, &format!("-{i}")))
            })
            .collect()
    }

    /// The extra reads of settling duplicates: new board postings that no other source has,
    /// against as many that copy an ATS's postings (every group then holds two sources, so
    /// both postings are read and compared). Figures by DynamoDB's billing rules
    /// (`estimated_usage`), recorded in BENCHMARKS.md per 1,000 postings.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_board_copying_ats_postings_reads_a_bounded_amount_per_new_posting() {
        let store = fresh_store().await;
        let config = IngestConfig::default();
        let ats = board(
            5000,
            "greenhouse",
            "Acme",
            "Backend Engineer, Team",
            "Berlin, Germany",
        );
        ingest_postings(&store, ats, t(1), &config).await.unwrap();

        let before = store.estimated_usage();
        let alone = board(5001, "wwr", "Other", "Backend Engineer - Team", "Germany");
        let report = ingest_postings(&store, alone, t(2), &config).await.unwrap();
        let baseline = store.estimated_usage().since(&before);
        assert_eq!((report.new, report.duplicates_updated), (BOARD as u64, 0));

        let before = store.estimated_usage();
        let copies = board(
            5000,
            "wwr",
            "Acme GmbH",
            "Backend Engineer - Team",
            "Germany",
        );
        let report = ingest_postings(&store, copies, t(3), &config)
            .await
            .unwrap();
        let copied = store.estimated_usage().since(&before);
        assert_eq!(
            (report.new, report.duplicates_updated),
            (BOARD as u64, BOARD as u64)
        );

        let extra = copied.read_units - baseline.read_units;
        println!(
            "{BOARD} new postings, no other source: {baseline:?}\n\
             {BOARD} new postings copying another source's: {copied:?}\n\
             extra read units per new posting that is a copy: {}",
            extra / BOARD as f64
        );
        // Both postings of each group read whole, strongly consistent (`get_many`: a unit
        // each, under 4 KB) and the group's Query of two entries instead of one. Before the
        // comparison, ingest read the one posting it marked: a unit less.
        assert!(extra <= BOARD as f64 * 2.1, "{extra}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn merges_are_undone_taken_over_and_rekeyed_on_the_dynamodb_store() {
        lifecycle(&fresh_store().await).await;
    }
}
