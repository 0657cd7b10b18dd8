//! Crawls at scale, end to end on one machine (`app::pipeline`, the crawl and ingest use
//! cases over the in-memory and SQLite stores) against a local `html` site of listing pages
//! and posting pages: crawls cut into invocations by their limits and continued, the
//! incremental re-crawl (asserted from the site's request log), changed hints, closing and
//! reopening, a crawl that makes no progress, politeness across invocations, and a crawl
//! whose continuation was lost being taken over.
#![cfg(all(feature = "http", feature = "sqlite"))]

mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use jobfeed::app::crawl::{CrawlPorts, CrawlSettings, SourceRunReport, run_task};
use jobfeed::app::ingest::IngestConfig;
use jobfeed::app::messages::{CrawlTask, IngestMessage};
use jobfeed::app::pipeline::{Pipeline, PipelineReport, Progress, Selection};
use jobfeed::app::schedule::due_sources;
use jobfeed::config::{Config, SourceConfig};
use jobfeed::crawl::fetch::{FetchConfig, Fetcher};
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::crawl::known::Refresh;
use jobfeed::crawl::source::{InvocationLimits, Limits};
use jobfeed::identity::hash64;
use jobfeed::queue::memory::Collector;
use jobfeed::store::memory::MemoryStore;
use jobfeed::store::sqlite::SqliteStore;
use jobfeed::store::{CrawlOutcome, ListQuery, SourceStateReader, Store, source_index};
use serde_json::json;

/// Links per listing page.
const PER_PAGE: usize = 50;

/// The site: its postings by number (title, or `None` once withdrawn), how long a page
/// takes, and every request it answered, in order, with when it came.
#[derive(Default)]
struct Site {
    titles: BTreeMap<usize, Option<String>>,
    delay: Duration,
    log: Vec<(String, std::time::Instant)>,
}

type Shared = Arc<Mutex<Site>>;

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// The open postings' numbers, in order.
fn listed(site: &Site) -> Vec<(usize, String)> {
    site.titles
        .iter()
        .filter_map(|(n, title)| Some((*n, title.clone()?)))
        .collect()
}

async fn listing(State(site): State<Shared>, Path(page): Path<usize>) -> Response {
    let (delay, open) = {
        let mut site = site.lock().unwrap();
        site.log
            .push((format!("/list/{page}"), std::time::Instant::now()));
        (site.delay, listed(&site))
    };
    tokio::time::sleep(delay).await;
    let first = (page.max(1) - 1) * PER_PAGE;
    let mut body = String::from("<html><body><ul>");
    for (n, title) in open.iter().skip(first).take(PER_PAGE) {
        body.push_str(&format!(
            "<li><a class=\"job\" href=\"/jobs/{n}\">{title}</a></li>"
        ));
    }
    body.push_str("</ul>");
    if first + PER_PAGE < open.len() {
        body.push_str(&format!(
            "<a class=\"next\" href=\"/list/{}\">Next</a>",
            page + 1
        ));
    }
    html(body + "</body></html>")
}

async fn detail(State(site): State<Shared>, Path(n): Path<usize>) -> Response {
    let (delay, title) = {
        let mut site = site.lock().unwrap();
        site.log
            .push((format!("/jobs/{n}"), std::time::Instant::now()));
        (site.delay, site.titles.get(&n).cloned().flatten())
    };
    tokio::time::sleep(delay).await;
    let Some(title) = title else {
        return (StatusCode::NOT_FOUND, "gone").into_response();
    };
    let posting = json!({
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "name": "Acme", "value": n.to_string()},
        "title": title,
        "description": format!("<p>{title}: build our services in Rust.</p>"),
        "datePosted": "2026-07-01",
        "hiringOrganization": {"@type": "Organization", "name": "Acme"},
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress",
            "addressLocality": "Berlin", "addressCountry": "DE"}},
    });
    html(format!(
        "<html><head><script type=\"application/ld+json\">{posting}</script></head>\
         <body><h1>{title}</h1></body></html>"
    ))
}

/// A site of `n` postings on 127.0.0.1, and its address.
async fn site(n: usize) -> (Shared, SocketAddr) {
    let site: Shared = Arc::new(Mutex::new(Site {
        titles: (0..n)
            .map(|i| (i, Some(format!("Backend Engineer {i}"))))
            .collect(),
        ..Site::default()
    }));
    let app = Router::new()
        .route("/robots.txt", get(|| async { "User-agent: *\nAllow: /\n" }))
        .route("/list/{page}", get(listing))
        .route("/jobs/{n}", get(detail))
        .with_state(site.clone());
    let addr = support::serve(|_| app).await;
    (site, addr)
}

/// The site's source: its listing walked through every page (at most `pages`).
fn config(addr: SocketAddr, pages: usize) -> Config {
    let source = support::source(
        addr,
        &format!(
            "name = \"site\"\nkind = \"html\"\nurl = \"{{base}}/list/1\"\ncompany = \"Acme\"\n\
             max_pages = {pages}\n[source.listing]\nlinks = \"a.job\"\nnext = \"a.next\"\n\
             max_posting_pages = 100000"
        ),
    );
    Config {
        crawl: jobfeed::config::CrawlDefaults {
            min_delay_ms: 0,
            ..jobfeed::config::CrawlDefaults::default()
        },
        sources: vec![source],
    }
}

struct Quiet;

impl Progress for Quiet {
    fn start(&self, _total: usize) {}
    fn source_done(&self, _report: &SourceRunReport) {}
}

fn fetcher() -> Arc<dyn Fetcher> {
    Arc::new(
        HttpFetcher::new(FetchConfig {
            min_delay_per_host: Duration::ZERO,
            ..support::fetch_config()
        })
        .unwrap(),
    )
}

fn pipeline(store: Arc<dyn Store>, limits: InvocationLimits) -> Pipeline {
    Pipeline {
        fetcher: fetcher(),
        store,
        ingest: IngestConfig::default(),
        crawl: CrawlSettings {
            min_delay: Duration::ZERO,
            ..CrawlSettings::default()
        },
        limits,
        progress: Arc::new(Quiet),
    }
}

async fn crawl(pipeline: &Pipeline, config: &Config, now: DateTime<Utc>) -> PipelineReport {
    let mut reports = pipeline
        .run(config, Selection::Named(vec!["site".into()]), now)
        .await
        .unwrap();
    reports.remove(0)
}

/// The posting pages the site served since `from` (an index into its log), by number.
fn details_since(site: &Shared, from: usize) -> Vec<usize> {
    let site = site.lock().unwrap();
    let mut numbers: Vec<usize> = site.log[from..]
        .iter()
        .filter_map(|(path, _)| path.strip_prefix("/jobs/")?.parse().ok())
        .collect();
    numbers.sort_unstable();
    numbers
}

fn log_len(site: &Shared) -> usize {
    site.lock().unwrap().log.len()
}

/// The posting numbers whose refresh is due in crawl number `crawl` (one in 20 by default).
fn refresh_due(addr: SocketAddr, numbers: impl Iterator<Item = usize>, crawl: u64) -> Vec<usize> {
    let refresh = Refresh::share(crawl, jobfeed::config::DEFAULT_REFRESH_SHARE);
    numbers
        .filter(|n| refresh.due(hash64(&["url", &format!("http://{addr}/jobs/{n}")])))
        .collect()
}

/// Open postings of the site, by title.
async fn open_titles(store: &dyn Store) -> Vec<String> {
    let mut titles = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store
            .list(&ListQuery::default(), 100, cursor.as_deref())
            .await
            .unwrap();
        titles.extend(page.items.into_iter().map(|p| p.posting.title));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    titles.sort();
    titles
}

fn hours(h: i64) -> DateTime<Utc> {
    support::now() + chrono::Duration::hours(h)
}

async fn a_500_posting_listing_read_100_requests_at_a_time_is_stored_whole_and_kept_incrementally(
    store: Arc<dyn Store>,
) {
    let (site, addr) = site(500).await;
    let config = config(addr, 20);
    let limited = pipeline(
        store.clone(),
        InvocationLimits {
            max_requests: Some(100),
            max_time: None,
        },
    );

    // 10 listing pages and 500 posting pages: six invocations of at most 100 requests.
    let first = crawl(&limited, &config, hours(0)).await;
    assert_eq!(first.run.outcome, Some(CrawlOutcome::Success), "{first:?}");
    assert_eq!(first.run.invocations, 6);
    assert_eq!(first.new, 500, "every posting stored once");
    assert_eq!((first.changed, first.closed), (0, 0));
    assert!(first.ingest_errors.is_empty(), "{:?}", first.ingest_errors);
    assert_eq!(details_since(&site, 0), (0..500).collect::<Vec<_>>());
    let state = store.source_state("site").await.unwrap().unwrap();
    assert_eq!((state.running, state.counts.open), (None, 500));
    assert_eq!(state.crawls, 1);
    assert_eq!(
        source_index(store.as_ref(), "site").await.unwrap().len(),
        500
    );
    assert_eq!(open_titles(store.as_ref()).await.len(), 500);

    // The unchanged site again: its listing, plus only the posting pages due for refresh.
    let before = log_len(&site);
    let writes = store.usage().items_written;
    let second = crawl(&limited, &config, hours(1)).await;
    assert_eq!(second.run.outcome, Some(CrawlOutcome::Success));
    assert_eq!(
        second.run.invocations, 1,
        "ten listing pages and the refreshes fit one"
    );
    let due = refresh_due(addr, 0..500, 2);
    assert!(
        (10..=45).contains(&due.len()),
        "about a twentieth: {}",
        due.len()
    );
    assert_eq!(
        details_since(&site, before),
        due,
        "exactly the refresh share"
    );
    assert_eq!(log_len(&site) - before, 10 + due.len());
    assert_eq!((second.new, second.changed, second.closed), (0, 0, 0));
    assert_eq!(store.usage().items_written, writes, "nothing written");

    // One posting renamed (its link text, the listing's hint, changes with it): exactly
    // its page is read again, besides this crawl's refresh share.
    site.lock()
        .unwrap()
        .titles
        .insert(7, Some("Staff Backend Engineer 7".into()));
    let before = log_len(&site);
    let third = crawl(&limited, &config, hours(2)).await;
    let mut expected = refresh_due(addr, 0..500, 3);
    if !expected.contains(&7) {
        expected.push(7);
        expected.sort_unstable();
    }
    assert_eq!(details_since(&site, before), expected);
    assert_eq!((third.new, third.changed, third.closed), (0, 1, 0));
    assert!(
        open_titles(store.as_ref())
            .await
            .contains(&"Staff Backend Engineer 7".to_owned())
    );

    // Two postings withdrawn: closed (their pages are not read); one comes back: read again
    // (it is closed) and reopened.
    for n in [3, 4] {
        site.lock().unwrap().titles.insert(n, None);
    }
    let fourth = crawl(&limited, &config, hours(3)).await;
    assert_eq!(fourth.closed, 2, "{fourth:?}");
    assert_eq!(open_titles(store.as_ref()).await.len(), 498);
    site.lock()
        .unwrap()
        .titles
        .insert(3, Some("Backend Engineer 3".into()));
    let before = log_len(&site);
    let fifth = crawl(&limited, &config, hours(4)).await;
    assert!(details_since(&site, before).contains(&3));
    assert_eq!((fifth.changed, fifth.closed), (1, 0), "reopened: {fifth:?}");
    assert_eq!(open_titles(store.as_ref()).await.len(), 499);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_posting_listing_read_100_requests_at_a_time_is_stored_whole_and_kept_incrementally_in_memory()
 {
    a_500_posting_listing_read_100_requests_at_a_time_is_stored_whole_and_kept_incrementally(
        Arc::new(MemoryStore::new()),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_posting_listing_read_100_requests_at_a_time_is_stored_whole_and_kept_incrementally_in_sqlite()
 {
    a_500_posting_listing_read_100_requests_at_a_time_is_stored_whole_and_kept_incrementally(
        Arc::new(SqliteStore::open_in_memory().unwrap()),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawl_whose_requests_never_finish_in_time_fails_with_backoff_after_three_invocations() {
    let (site, addr) = site(5).await;
    // Every page takes a second; each invocation has a tenth of one.
    site.lock().unwrap().delay = Duration::from_secs(1);
    let config = config(addr, 20);
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let limited = pipeline(
        store.clone(),
        InvocationLimits {
            max_requests: None,
            max_time: Some(Duration::from_millis(100)),
        },
    );
    let report = crawl(&limited, &config, hours(0)).await;
    assert_eq!(report.run.outcome, Some(CrawlOutcome::Failed));
    assert_eq!(report.run.invocations, 3);
    let state = store.source_state("site").await.unwrap().unwrap();
    assert_eq!(state.consecutive_failures, 1);
    assert!(state.running.is_none());
    let error = state.last_error.unwrap();
    assert!(
        error.contains("no request finished in 3 invocations"),
        "{error}"
    );
    // Backed off: due later than the hourly schedule would make it.
    assert!(
        state.next_due_at.unwrap() > hours(1),
        "{:?}",
        state.next_due_at
    );
}

/// The ports of one invocation with a fetcher of its own (as a new Lambda instance has).
struct Invocation {
    fetcher: HttpFetcher,
    postings: Collector<IngestMessage>,
    tasks: Collector<CrawlTask>,
}

impl Invocation {
    fn new() -> Self {
        Invocation {
            fetcher: HttpFetcher::new(FetchConfig {
                min_delay_per_host: Duration::ZERO,
                ..support::fetch_config()
            })
            .unwrap(),
            postings: Collector::default(),
            tasks: Collector::default(),
        }
    }

    async fn run(
        &self,
        store: &MemoryStore,
        settings: &CrawlSettings,
        source: &SourceConfig,
        task: &CrawlTask,
        limits: Limits,
        now: DateTime<Utc>,
    ) -> SourceRunReport {
        let ports = CrawlPorts {
            fetcher: &self.fetcher,
            postings: &self.postings,
            tasks: &self.tasks,
            states: store,
            checkpoints: store,
            index: store,
        };
        run_task(ports, settings, source, task, limits, now)
            .await
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuation_in_a_new_process_waits_the_hosts_delay_after_the_last_request() {
    let (site, addr) = site(3).await;
    let config = config(addr, 20);
    let source = &config.sources[0];
    let store = MemoryStore::new();
    let settings = CrawlSettings {
        min_delay: Duration::from_millis(400),
        ..CrawlSettings::default()
    };
    let first = Invocation::new();
    let scheduled = CrawlTask::scheduled("site", hours(0));
    let report = first
        .run(
            &store,
            &settings,
            source,
            &scheduled,
            Limits::requests(2),
            hours(0),
        )
        .await;
    assert!(report.continued);
    let continuation = first.tasks.take().remove(0);
    // Another process (its own fetcher, so its own politeness gates) goes on at once.
    let second = Invocation::new();
    let report = second
        .run(
            &store,
            &settings,
            source,
            &continuation,
            Limits::requests(2),
            hours(0),
        )
        .await;
    assert_eq!(report.outcome, Some(CrawlOutcome::Success), "{report:?}");
    let log = site.lock().unwrap().log.clone();
    // robots.txt is not in the log: the listing page, a posting page, then the second
    // invocation's first request.
    assert_eq!(log.len(), 4, "{log:?}");
    let gap = log[2].1 - log[1].1;
    assert!(
        gap >= Duration::from_millis(390),
        "{gap:?} between invocations"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawl_whose_continuation_was_lost_goes_stale_and_the_scheduler_takes_it_over() {
    let (site, addr) = site(4).await;
    let config = config(addr, 20);
    let source = &config.sources[0];
    let store = MemoryStore::new();
    let settings = CrawlSettings {
        min_delay: Duration::ZERO,
        ..CrawlSettings::default()
    };
    let invocation = Invocation::new();
    let scheduled = CrawlTask::scheduled("site", hours(0));
    let report = invocation
        .run(
            &store,
            &settings,
            source,
            &scheduled,
            Limits::requests(3),
            hours(0),
        )
        .await;
    assert!(report.continued);
    // The continuation is lost (the queue failed it); the crawl is recorded as running.
    let lost = invocation.tasks.take().remove(0);
    let states = store.source_states().await.unwrap();
    assert!(states[0].running.is_some());
    // While it is fresh the scheduler leaves it alone, and a new task is dropped.
    assert!(due_sources(&config, &states, settings.stale_after, hours(0)).is_empty());
    let early = CrawlTask::scheduled("site", hours(0) + chrono::Duration::minutes(5));
    let report = invocation
        .run(&store, &settings, source, &early, Limits::none(), hours(0))
        .await;
    assert!(report.skipped.unwrap().contains("running"));
    // An hour later it is stale: due, and the scheduler's task takes it over from its
    // checkpoint (the pages read before are not read again) and finishes it.
    let later = hours(1) + chrono::Duration::minutes(1);
    assert_eq!(
        due_sources(&config, &states, settings.stale_after, later).len(),
        1
    );
    let before = log_len(&site);
    let takeover = CrawlTask::scheduled("site", later);
    let report = invocation
        .run(&store, &settings, source, &takeover, Limits::none(), later)
        .await;
    assert_eq!(report.outcome, Some(CrawlOutcome::Success), "{report:?}");
    assert_eq!(report.invocations, 2);
    let read_again = details_since(&site, before);
    assert_eq!(
        read_again.len(),
        2,
        "only the two pages not read before: {read_again:?}"
    );
    // The lost continuation turns up after all: the crawl is over, it is dropped.
    let report = invocation
        .run(&store, &settings, source, &lost, Limits::none(), later)
        .await;
    assert!(report.skipped.is_some());
    let sent: usize = invocation
        .postings
        .take()
        .iter()
        .map(|m| match m {
            IngestMessage::Extracted { postings, .. } => postings.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(sent, 4, "every posting sent once over both invocations");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawl_whose_source_changed_between_invocations_starts_over() {
    let (_site, addr) = site(4).await;
    let config = config(addr, 20);
    let store = MemoryStore::new();
    let settings = CrawlSettings {
        min_delay: Duration::ZERO,
        ..CrawlSettings::default()
    };
    let invocation = Invocation::new();
    let scheduled = CrawlTask::scheduled("site", hours(0));
    let report = invocation
        .run(
            &store,
            &settings,
            &config.sources[0],
            &scheduled,
            Limits::requests(2),
            hours(0),
        )
        .await;
    assert!(report.continued);
    let continuation = invocation.tasks.take().remove(0);
    // The operator raises the page cap before the continuation runs.
    let mut changed = config.sources[0].clone();
    changed.max_pages = 30;
    let report = invocation
        .run(
            &store,
            &settings,
            &changed,
            &continuation,
            Limits::none(),
            hours(0),
        )
        .await;
    assert_eq!(report.outcome, Some(CrawlOutcome::Success), "{report:?}");
    assert_eq!(
        report.invocations, 1,
        "a new crawl, not the old one's second step"
    );
    assert_eq!(
        report.crawl.pages_fetched, 5,
        "the listing and every posting page again"
    );
    assert_eq!(
        jobfeed::store::CheckpointStore::checkpoint(&store, "site")
            .await
            .unwrap(),
        None
    );
}
