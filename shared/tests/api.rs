//! The read API end to end: requests through the router (`tower::ServiceExt::oneshot`) over a
//! store filled by the ingest rules with postings parsed from the recorded corpus, plus a few
//! synthetic ones (a cross-source duplicate, a changed posting, a closed posting and a salary
//! in euros). Every scenario runs over each store adapter (`api_tests!`): in memory, SQLite on
//! a temporary file, and DynamoDB on moto_server (with the `dynamodb` feature; those fail
//! without `AWS_ENDPOINT_URL`, see `scripts/test`).
//!
//! The fixture, read by hand from the corpus files: Ashby 5 (3 software engineers, skills `go`
//! on two), Workable 10 (4 senior, 4 hybrid, 2 contract, 6 located in GR), We Work Remotely 7
//! (all remote and unrestricted, 3 back-end by Proxify AB, 4 senior), RemoteOK 6 (all remote,
//! one paying 50,000–70,000 USD). So 28 open canonical postings.

#![cfg(feature = "api")]

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::BodyExt;
use jobfeed::JobPosting;
use jobfeed::api::{ApiConfig, ApiState, Endpoint, PROBLEM_CONTENT_TYPE, Param, openapi, router};
use jobfeed::app::ingest::{Incoming, IngestConfig, ingest_postings};
use jobfeed::extract::ExtractKind;
use jobfeed::model::Salary;
use jobfeed::parse::{DEFAULT_MAX_DOCUMENT_BYTES, ParseOptions, parse_document};
use jobfeed::store::memory::MemoryStore;
use jobfeed::store::{
    IndexEntry, ListQuery, Page, PostingReader, PostingStore, SourceRegistry, SourceStateStore,
    StoreError, StoredPosting, UsageSnapshot,
};
use serde_json::Value;
use tower::ServiceExt;

/// Open canonical postings in the fixture.
const OPEN_CANONICAL: usize = 28;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 20, 12, 0, 0).unwrap()
}

fn parse(bytes: &[u8], url: &str, source: &str) -> Vec<JobPosting> {
    let url = url::Url::parse(url).unwrap();
    let options = ParseOptions {
        kind: ExtractKind::Auto,
        url: Some(&url),
        source: Some(source),
        company_override: None,
        fetched_at: t0(),
        max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
    };
    parse_document(bytes, &options).unwrap().postings
}

fn corpus() -> Vec<JobPosting> {
    let mut postings = parse(
        include_bytes!("../testdata/corpus/ashby/board_rsp.json"),
        "https://api.ashbyhq.com/posting-api/job-board/browserbase",
        "ashby-browserbase",
    );
    postings.extend(parse(
        include_bytes!("../testdata/corpus/workable/jobs_rsp.json"),
        "https://apply.workable.com/api/v3/accounts/blueground/jobs",
        "workable-blueground",
    ));
    postings.extend(parse(
        include_bytes!("../testdata/corpus/weworkremotely/back_end_rsp.xml"),
        "https://weworkremotely.com/categories/remote-back-end-programming-jobs.rss",
        "wwr-backend",
    ));
    postings.extend(parse(
        include_bytes!("../testdata/corpus/remoteok/jobs_rsp.json"),
        "https://remoteok.com/api",
        "remoteok",
    ));
    postings
}

fn titled<'a>(postings: &'a [JobPosting], title: &str) -> &'a JobPosting {
    postings
        .iter()
        .find(|p| p.title == title)
        .unwrap_or_else(|| panic!("a posting titled {title:?}"))
}

/// The store interface the router reads through.
trait ApiStore: PostingStore + SourceStateStore + SourceRegistry {}
impl<T: PostingStore + SourceStateStore + SourceRegistry> ApiStore for T {}

/// The store adapter a scenario runs over (`api_tests!` runs each scenario on every one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The in-memory reference store.
    Memory,
    /// SQLite on a fresh file (WAL mode, as `jobfeed serve` runs it).
    #[cfg(feature = "sqlite")]
    Sqlite,
    /// DynamoDB on moto_server (started by `scripts/test`), on a fresh table.
    #[cfg(feature = "dynamodb")]
    DynamoDb,
}

impl Kind {
    /// A new, empty store of this kind.
    async fn empty_store(self) -> Arc<dyn ApiStore> {
        match self {
            Kind::Memory => Arc::new(MemoryStore::new()),
            #[cfg(feature = "sqlite")]
            Kind::Sqlite => sqlite_store(),
            #[cfg(feature = "dynamodb")]
            Kind::DynamoDb => dynamodb_store().await,
        }
    }
}

/// A store on a new database file, kept under cargo's scratch directory for integration
/// tests (the store outlives any guard a helper could hold).
#[cfg(feature = "sqlite")]
fn sqlite_store() -> Arc<dyn ApiStore> {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
        .keep();
    Arc::new(jobfeed::store::sqlite::SqliteStore::open(dir.join("jobfeed.db")).unwrap())
}

/// A store on a new, uniquely named table. Fails (never skips) without moto: the tests
/// must run through `scripts/test`, which starts it.
#[cfg(feature = "dynamodb")]
async fn dynamodb_store() -> Arc<dyn ApiStore> {
    use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};
    use std::sync::atomic::{AtomicUsize, Ordering};
    static TABLES: AtomicUsize = AtomicUsize::new(0);
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL").is_some(),
        "AWS_ENDPOINT_URL is not set: the DynamoDB API tests need moto_server; run scripts/test, \
         which starts it and points the AWS SDK at it"
    );
    let client = client_from_env().await;
    let table = format!(
        "jobfeed-api-test-{}-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default(),
        TABLES.fetch_add(1, Ordering::Relaxed)
    );
    create_table(&client, &table).await.unwrap();
    Arc::new(DynamoStore::new(client, table))
}

/// A store with the corpus and the synthetic postings, ingested the way the crawler would.
async fn filled_store(kind: Kind) -> Arc<dyn ApiStore> {
    let store = kind.empty_store().await;
    let config = IngestConfig::default();
    let mut postings = corpus();
    // A salary in euros on the Workable iOS posting (before its first ingest).
    let ios = postings
        .iter_mut()
        .find(|p| p.title == "Senior Software Engineer, iOS")
        .unwrap();
    ios.salary = Some(Salary {
        min: Some(80_000.0),
        max: Some(95_000.0),
        currency: Some("EUR".into()),
        period: None,
    });
    // A posting whose validity ended before it was crawled: stored closed.
    let mut expired = titled(&postings, "Voice Actor").clone();
    expired.id = "0000000000000000000000000000dead".into();
    expired.title = "Expired Voice Actor".into();
    expired.content_hash = "expired".into();
    expired.fingerprint = "expired-fingerprint".into();
    expired.valid_through = Some(t0() - Duration::days(10));
    postings.push(expired);
    ingest_postings(store.as_ref(), incoming(postings.clone()), t0(), &config)
        .await
        .unwrap();

    // The WWR Java posting seen an hour later through another source: a duplicate.
    let mut copy = titled(&postings, "Senior Java Backend Developer").clone();
    copy.id = "0000000000000000000000000000c0de".into();
    copy.source = "proxify-board".into();
    copy.url = "https://proxify.example/jobs/java".into();
    copy.fetched_at = t0() + Duration::hours(1);
    ingest_postings(
        store.as_ref(),
        incoming(vec![copy]),
        t0() + Duration::hours(1),
        &config,
    )
    .await
    .unwrap();

    // The Ashby Dashboard posting renamed a day later: one history entry.
    let mut renamed = titled(&postings, "Software Engineer (Dashboard)").clone();
    renamed.title = "Software Engineer (Dashboard & Billing)".into();
    renamed.content_hash = "renamed".into();
    renamed.fetched_at = t0() + Duration::days(1);
    ingest_postings(
        store.as_ref(),
        incoming(vec![renamed]),
        t0() + Duration::days(1),
        &config,
    )
    .await
    .unwrap();
    store
}

/// Postings as ingest takes them (no list marks).
fn incoming(postings: Vec<JobPosting>) -> Vec<Incoming> {
    postings.into_iter().map(Incoming::from).collect()
}

struct Api {
    router: Router,
    store: Arc<dyn ApiStore>,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&self.body));
        })
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .unwrap_or_else(|| panic!("a {name} header"))
            .to_str()
            .unwrap()
    }

    fn titles(&self) -> Vec<String> {
        self.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Asserts a 400 problem naming `parameter`.
    fn assert_bad(&self, parameter: &str) {
        assert_eq!(self.status, StatusCode::BAD_REQUEST);
        assert_eq!(self.header(header::CONTENT_TYPE), PROBLEM_CONTENT_TYPE);
        let problem = self.json();
        assert_eq!(problem["status"], 400);
        assert_eq!(problem["title"], "Bad Request");
        assert_eq!(problem["type"], "about:blank");
        assert_eq!(problem["parameter"], parameter);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(&format!("`{parameter}`")), "{detail}");
    }
}

impl Api {
    /// An API whose feeds build their links from `Host` for `api.test`, the host every
    /// request of these tests names.
    async fn new(kind: Kind) -> Api {
        let config = ApiConfig {
            link_hosts: vec!["api.test".into()],
            ..ApiConfig::default()
        };
        Api::with_config(kind, config).await
    }

    async fn with_config(kind: Kind, config: ApiConfig) -> Api {
        let store = filled_store(kind).await;
        let router = router(ApiState {
            postings: store.clone(),
            sources: store.clone(),
            registry: store.clone(),
            config,
        });
        Api { router, store }
    }

    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, uri: &str) -> Reply {
        self.get_with(uri, &[]).await
    }

    async fn get_with(&self, uri: &str, headers: &[(header::HeaderName, &str)]) -> Reply {
        let mut request = Request::get(uri).header(header::HOST, "api.test");
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Every posting title a cursor walk over `query` returns, with the pages it took.
    async fn walk(&self, query: &str, limit: usize) -> (Vec<String>, usize) {
        let mut titles = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut uri = format!("/jobs?{query}&limit={limit}");
            if let Some(c) = &cursor {
                uri.push_str(&format!("&cursor={c}"));
            }
            let reply = self.get(&uri).await;
            assert_eq!(reply.status, StatusCode::OK, "{uri}");
            pages += 1;
            let page = reply.json();
            assert!(page["items"].as_array().unwrap().len() <= limit);
            titles.extend(reply.titles());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return (titles, pages),
            }
            assert!(pages < 100, "the walk ends");
        }
    }

    async fn count(&self, query: &str) -> usize {
        let reply = self.get(&format!("/jobs?{query}&limit=100")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        assert!(reply.json()["next_cursor"].is_null(), "{query}");
        reply.titles().len()
    }

    async fn id_of(&self, title: &str) -> String {
        let reply = self
            .get("/jobs?limit=100&include_duplicates=true&include_closed=true")
            .await;
        reply.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["title"] == title && i.get("duplicate_of").is_none())
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("a listed posting titled {title:?}"))
    }
}

async fn jobs_lists_open_canonical_postings_newest_first_with_the_default_limit(kind: Kind) {
    let api = Api::new(kind).await;
    let reply = api.get("/jobs").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header(header::CONTENT_TYPE), "application/json");
    let page = reply.json();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    assert!(page["next_cursor"].is_string());
    // RemoteOK's newest posting (2026-07-17T18:07:48Z) leads.
    assert_eq!(
        items[0]["title"],
        "Patient Access Scheduler Centralized Scheduling FT 8 30A 5P"
    );
    assert_eq!(items[0]["first_seen_at"], "2026-07-20T12:00:00Z");
    assert_eq!(api.count("").await, OPEN_CANONICAL);
}

async fn list_items_omit_the_html_description_unless_fields_is_full(kind: Kind) {
    let api = Api::new(kind).await;
    let summary = api.get("/jobs?limit=1").await.json();
    let item = &summary["items"][0];
    assert!(item.get("description_html").is_none());
    assert!(!item["description_text"].as_str().unwrap().is_empty());
    let full = api.get("/jobs?limit=1&fields=full").await.json();
    assert!(
        full["items"][0]["description_html"]
            .as_str()
            .unwrap()
            .contains('<')
    );
}

async fn each_filter_narrows_the_list_to_what_the_corpus_says(kind: Kind) {
    let api = Api::new(kind).await;
    for (query, expected) in [
        ("seniority=senior", 8),
        ("category=backend", 3),
        ("workplace=hybrid", 4),
        ("workplace=remote", 14),
        ("employment_type=contract", 2),
        ("skill=go", 2),
        ("skill=GO&skill=kubernetes", 1),
        ("q=proxify", 3),
        ("q=software+engineer", 7),
        ("company=PROXIFY%20AB", 3),
        // 6 located in Greece, plus 7 WWR and 6 RemoteOK remote postings open anywhere.
        ("country=gr", 19),
        // Workable's junior account executive, its remote iOS posting (located in Greece but
        // open anywhere) and the 13 other unrestricted remote ones.
        ("country=BR", 15),
        ("salary_min=60000&currency=usd", 1),
        ("salary_min=80000&currency=USD", 0),
        ("salary_min=90000&currency=eur", 1),
        // 2 Workable (07-14), 3 WWR (07-13 afternoon) and 6 RemoteOK (07-15 to 07-17).
        ("since=2026-07-13", 11),
        ("since=2026-07-13T13:00:00Z", 10),
        ("since=2026-07-13T15:00:00%2B02:00", 10),
        ("include_closed=true", OPEN_CANONICAL + 1),
        ("include_duplicates=true", OPEN_CANONICAL + 1),
        (
            "include_closed=true&include_duplicates=true",
            OPEN_CANONICAL + 2,
        ),
        (
            "include_closed=false&include_duplicates=false",
            OPEN_CANONICAL,
        ),
        ("seniority=senior&category=backend&skill=python", 1),
    ] {
        assert_eq!(api.count(query).await, expected, "{query}");
    }
    let backend = api.get("/jobs?category=backend").await.titles();
    assert_eq!(
        backend,
        [
            "Senior Java Backend Developer",
            "Senior Ruby on Rails Developer",
            "Senior Backend Developer (Python)"
        ]
    );
    let closed = api.get("/jobs?include_closed=true&q=expired").await.json();
    assert_eq!(closed["items"][0]["closed_at"], "2026-07-20T12:00:00Z");
}

async fn a_cursor_walk_returns_every_matching_posting_exactly_once(kind: Kind) {
    let api = Api::new(kind).await;
    for (query, expected) in [
        ("", OPEN_CANONICAL),
        ("workplace=remote", 14),
        (
            "include_closed=true&include_duplicates=true",
            OPEN_CANONICAL + 2,
        ),
    ] {
        let (titles, pages) = api.walk(query, 3).await;
        assert_eq!(titles.len(), expected, "{query}");
        assert_eq!(pages, expected.div_ceil(3), "{query}");
        let once: HashSet<&String> = titles.iter().collect();
        // The duplicate shares its title with the canonical posting.
        let shared_titles = usize::from(query.contains("duplicates"));
        assert_eq!(once.len(), expected - shared_titles, "{query}");
    }
}

async fn each_list_request_makes_a_bounded_read_of_the_store(kind: Kind) {
    let api = Api::new(kind).await;
    let before = api.store.usage();
    let reply = api.get("/jobs?limit=5&seniority=senior").await;
    assert_eq!(reply.titles().len(), 5);
    let used = api.store.usage().since(&before);
    match kind {
        // One call reading exactly the page.
        Kind::Memory => assert_eq!((used.requests, used.items_read), (1, 5)),
        // One query reading one row more than the page, to know that a next page exists.
        #[cfg(feature = "sqlite")]
        Kind::Sqlite => assert_eq!((used.requests, used.items_read), (1, 6)),
        #[cfg(feature = "dynamodb")]
        // The months list (one item), index Queries until 6 matches (at most 8 Queries and
        // 5 × 6 index items), then one BatchGetItem of the 5 postings.
        Kind::DynamoDb => {
            assert!(used.requests <= 1 + 8 + 1, "{used:?}");
            assert!(used.items_read <= 1 + 5 * 6 + 5, "{used:?}");
        }
    }
}

async fn a_matching_if_none_match_gives_304_and_other_tags_give_200(kind: Kind) {
    let api = Api::new(kind).await;
    for uri in [
        "/jobs?skill=go",
        "/feed.rss",
        "/feed.atom",
        "/feed.json",
        "/sources",
        "/openapi.json",
        "/health",
    ] {
        let first = api.get(uri).await;
        assert_eq!(first.status, StatusCode::OK, "{uri}");
        let etag = first.header(header::ETAG).to_owned();
        assert!(etag.starts_with('"') && etag.len() == 34, "{uri}: {etag}");
        let again = api.get(uri).await;
        assert_eq!(again.header(header::ETAG), etag, "{uri} is stable");
        for sent in [etag.clone(), format!("\"nope\", {etag}"), "*".to_owned()] {
            let cached = api.get_with(uri, &[(header::IF_NONE_MATCH, &sent)]).await;
            assert_eq!(cached.status, StatusCode::NOT_MODIFIED, "{uri} {sent}");
            assert!(cached.body.is_empty());
        }
        let stale = api
            .get_with(uri, &[(header::IF_NONE_MATCH, "\"nope\"")])
            .await;
        assert_eq!(stale.status, StatusCode::OK, "{uri}");
    }
}

async fn the_etag_changes_when_the_data_changes(kind: Kind) {
    let api = Api::new(kind).await;
    let before = api.get("/jobs?skill=go").await;
    let etag = before.header(header::ETAG).to_owned();
    let feed_etag = api
        .get("/feed.json?skill=go")
        .await
        .header(header::ETAG)
        .to_owned();
    let mut newcomer = titled(&corpus(), "Software Engineer (Core Infrastructure)").clone();
    newcomer.id = "00000000000000000000000000000123".into();
    newcomer.title = "Go Engineer".into();
    newcomer.fingerprint = "go-engineer".into();
    newcomer.content_hash = "go-engineer".into();
    newcomer.posted_at = Some(t0() + Duration::days(2));
    ingest_postings(
        api.store.as_ref(),
        incoming(vec![newcomer]),
        t0() + Duration::days(2),
        &IngestConfig::default(),
    )
    .await
    .unwrap();
    let after = api
        .get_with("/jobs?skill=go", &[(header::IF_NONE_MATCH, &etag)])
        .await;
    assert_eq!(after.status, StatusCode::OK);
    assert_ne!(after.header(header::ETAG), etag);
    assert_eq!(after.titles()[0], "Go Engineer");
    let feed = api.get("/feed.json?skill=go").await;
    assert_ne!(feed.header(header::ETAG), feed_etag);
}

async fn lists_feeds_and_postings_are_publicly_cacheable_and_operations_are_not(kind: Kind) {
    let api = Api::with_config(
        kind,
        ApiConfig {
            cache_max_age_secs: 120,
            ..ApiConfig::default()
        },
    )
    .await;
    let id = api.id_of("Voice Actor").await;
    for uri in [
        "/jobs".to_owned(),
        format!("/jobs/{id}"),
        "/feed.rss".to_owned(),
        "/feed.atom".to_owned(),
        "/feed.json".to_owned(),
        "/openapi.json".to_owned(),
    ] {
        let reply = api.get(&uri).await;
        assert_eq!(
            reply.header(header::CACHE_CONTROL),
            "public, max-age=120",
            "{uri}"
        );
    }
    assert_eq!(
        api.get("/sources").await.header(header::CACHE_CONTROL),
        "no-cache"
    );
    assert_eq!(
        api.get("/health").await.header(header::CACHE_CONTROL),
        "no-store"
    );
    assert_eq!(
        api.get("/jobs?limit=0").await.header(header::CACHE_CONTROL),
        "no-store"
    );
}

async fn every_bad_parameter_is_a_400_problem_naming_it(kind: Kind) {
    let api = Api::new(kind).await;
    for (query, parameter) in [
        ("seniority=guru", "seniority"),
        ("category=sales", "category"),
        ("workplace=moon", "workplace"),
        ("employment_type=FullTime", "employment_type"),
        ("since=last-week", "since"),
        ("since=2026-02-30", "since"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-1", "limit"),
        ("salary_min=50000", "salary_min"),
        ("currency=USD", "currency"),
        ("salary_min=lots&currency=USD", "salary_min"),
        ("salary_min=1&currency=dollars", "currency"),
        ("country=Germany", "country"),
        ("include_closed=1", "include_closed"),
        ("include_duplicates=yes", "include_duplicates"),
        ("fields=everything", "fields"),
        ("cursor=garbage", "cursor"),
        ("sort=newest", "sort"),
        ("limit=1&limit=2", "limit"),
    ] {
        api.get(&format!("/jobs?{query}"))
            .await
            .assert_bad(parameter);
    }
    for query in ["limit=10", "cursor=x", "seniority=guru"] {
        let parameter = query.split('=').next().unwrap();
        api.get(&format!("/feed.rss?{query}"))
            .await
            .assert_bad(parameter);
    }
}

async fn a_cursor_from_another_query_is_a_400_naming_cursor(kind: Kind) {
    let api = Api::new(kind).await;
    let page = api.get("/jobs?seniority=senior&limit=2").await.json();
    let cursor = page["next_cursor"].as_str().unwrap();
    let same = api
        .get(&format!("/jobs?seniority=senior&limit=2&cursor={cursor}"))
        .await;
    assert_eq!(same.status, StatusCode::OK);
    api.get(&format!("/jobs?category=backend&limit=2&cursor={cursor}"))
        .await
        .assert_bad("cursor");
    let tampered = format!("{}x", cursor);
    api.get(&format!("/jobs?seniority=senior&limit=2&cursor={tampered}"))
        .await
        .assert_bad("cursor");
}

async fn unknown_postings_and_routes_are_404_problems_and_other_methods_405(kind: Kind) {
    let api = Api::new(kind).await;
    for uri in [
        "/jobs/ffffffffffffffffffffffffffffffff",
        "/jobs/not%20an%20id",
        "/nowhere",
        "/jobs/a/b",
    ] {
        let reply = api.get(uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(reply.header(header::CONTENT_TYPE), PROBLEM_CONTENT_TYPE);
        assert_eq!(reply.json()["status"], 404);
        assert_eq!(reply.json()["title"], "Not Found");
    }
    let post = api
        .send(
            Request::post("/jobs")
                .header(header::HOST, "api.test")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post.header(header::CONTENT_TYPE), PROBLEM_CONTENT_TYPE);
    assert_eq!(post.json()["status"], 405);
    assert!(post.header(header::ALLOW).contains("GET"));
}

async fn head_answers_like_get_without_a_body(kind: Kind) {
    let api = Api::new(kind).await;
    let get = api.get("/jobs").await;
    let head = api
        .send(
            Request::head("/jobs")
                .header(header::HOST, "api.test")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    assert_eq!(head.header(header::ETAG), get.header(header::ETAG));
}

async fn a_posting_comes_with_its_full_description_history_and_lifecycle(kind: Kind) {
    let api = Api::new(kind).await;
    let id = api.id_of("Software Engineer (Dashboard & Billing)").await;
    let reply = api.get(&format!("/jobs/{id}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    let job = reply.json();
    assert_eq!(job["id"], id.as_str());
    assert_eq!(job["source"], "ashby-browserbase");
    assert!(job["description_html"].as_str().unwrap().contains('<'));
    assert_eq!(job["first_seen_at"], "2026-07-20T12:00:00Z");
    assert_eq!(job["fetched_at"], "2026-07-21T12:00:00Z");
    assert_eq!(job["description_truncated"], false);
    let history = job["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["title"], "Software Engineer (Dashboard)");
    assert_eq!(history[0]["changed_at"], "2026-07-21T12:00:00Z");
    assert_eq!(job["duplicates"], Value::Array(vec![]));
    assert!(job.get("revision").is_none());
}

async fn a_posting_lists_its_duplicates_from_other_sources_both_ways(kind: Kind) {
    let api = Api::new(kind).await;
    let canonical = api.id_of("Senior Java Backend Developer").await;
    let before = api.store.usage();
    let job = api.get(&format!("/jobs/{canonical}")).await.json();
    assert_eq!(api.store.usage().since(&before).requests, 3);
    let duplicates = job["duplicates"].as_array().unwrap();
    assert_eq!(duplicates.len(), 1);
    let duplicate = &duplicates[0];
    assert_eq!(duplicate["id"], "0000000000000000000000000000c0de");
    assert_eq!(duplicate["source"], "proxify-board");
    assert_eq!(duplicate["title"], "Senior Java Backend Developer");
    assert_eq!(duplicate["company"], "Proxify AB");
    assert_eq!(duplicate["url"], "https://proxify.example/jobs/java");
    assert_eq!(duplicate["duplicate_of"], canonical.as_str());
    assert_eq!(duplicate["first_seen_at"], "2026-07-20T13:00:00Z");

    let copy = api
        .get("/jobs/0000000000000000000000000000c0de")
        .await
        .json();
    assert_eq!(copy["duplicate_of"], canonical.as_str());
    assert_eq!(copy["duplicates"][0]["id"], canonical.as_str());
    assert_eq!(copy["duplicates"][0]["source"], "wwr-backend");
    assert!(copy["duplicates"][0]["duplicate_of"].is_null());
}

async fn feeds_parse_back_with_titles_links_and_dates_intact(kind: Kind) {
    let api = Api::new(kind).await;
    for (uri, content_type, kind) in [
        (
            "/feed.rss",
            "application/rss+xml; charset=utf-8",
            feed_rs::model::FeedType::RSS2,
        ),
        (
            "/feed.atom",
            "application/atom+xml; charset=utf-8",
            feed_rs::model::FeedType::Atom,
        ),
        (
            "/feed.json",
            "application/feed+json; charset=utf-8",
            feed_rs::model::FeedType::JSON,
        ),
    ] {
        let reply = api.get(uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert_eq!(reply.header(header::CONTENT_TYPE), content_type);
        let feed =
            feed_rs::parser::parse(reply.body.as_ref()).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(feed.feed_type, kind, "{uri}");
        assert_eq!(feed.title.unwrap().content, "jobfeed", "{uri}");
        assert_eq!(feed.entries.len(), OPEN_CANONICAL, "{uri}");
        let first = &feed.entries[0];
        assert_eq!(
            first.title.as_ref().unwrap().content,
            "Patient Access Scheduler Centralized Scheduling FT 8 30A 5P at Orchestrate Consulting Group",
            "{uri}"
        );
        assert!(
            first.links[0].href.starts_with("https://remoteok.com/"),
            "{uri}: {}",
            first.links[0].href
        );
        assert_eq!(
            first.published,
            Some(Utc.with_ymd_and_hms(2026, 7, 17, 18, 7, 48).unwrap()),
            "{uri}"
        );
        assert!(
            first.id.starts_with("http://api.test/jobs/"),
            "{uri}: {}",
            first.id
        );
        let renamed = feed
            .entries
            .iter()
            .find(|e| {
                e.title
                    .as_ref()
                    .unwrap()
                    .content
                    .starts_with("Software Engineer (Dashboard")
            })
            .unwrap();
        assert_eq!(
            renamed.title.as_ref().unwrap().content,
            "Software Engineer (Dashboard & Billing) at browserbase"
        );
    }
}

async fn feed_links_follow_only_allowed_hosts_and_every_response_is_nosniff(kind: Kind) {
    let allowed = Api::new(kind).await;
    let reply = allowed.get("/feed.atom").await;
    assert_eq!(reply.headers[header::VARY], "Host, X-Forwarded-Proto");
    let feed = feed_rs::parser::parse(reply.body.as_ref()).unwrap();
    assert!(
        feed.links
            .iter()
            .any(|l| l.href == "http://api.test/feed.atom")
    );

    // Any other host (a shared cache may key without it) gets links relative to the feed.
    let other = Api::with_config(kind, ApiConfig::default()).await;
    let request = Request::get("/feed.rss")
        .header(header::HOST, "evil.example")
        .body(Body::empty())
        .unwrap();
    let reply = other.send(request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .headers
            .get(header::VARY)
            .is_none_or(|v| !v.to_str().unwrap().contains("Host"))
    );
    let xml = String::from_utf8(reply.body.to_vec()).unwrap();
    assert!(!xml.contains("evil.example"));
    assert!(!xml.contains("api.test"));
    assert!(
        xml.contains(r#"<guid isPermaLink="false">jobs/"#),
        "{xml:.300}"
    );
    assert!(xml.contains(r#"<atom:link href="feed.rss""#), "{xml:.300}");

    for uri in [
        "/jobs",
        "/feed.json",
        "/no-such-path",
        "/jobs?limit=-1",
        "/openapi.json",
    ] {
        let reply = other.get(uri).await;
        assert_eq!(
            reply.headers[header::X_CONTENT_TYPE_OPTIONS],
            "nosniff",
            "{uri}"
        );
    }
}

async fn feeds_take_the_list_filters_and_link_to_themselves(kind: Kind) {
    let api = Api::new(kind).await;
    let reply = api
        .get_with(
            "/feed.atom?category=backend",
            &[(
                header::HeaderName::from_static("x-forwarded-proto"),
                "https",
            )],
        )
        .await;
    let feed = feed_rs::parser::parse(reply.body.as_ref()).unwrap();
    assert_eq!(feed.entries.len(), 3);
    let links: Vec<(&str, Option<&str>)> = feed
        .links
        .iter()
        .map(|l| (l.href.as_str(), l.rel.as_deref()))
        .collect();
    assert!(
        links.contains(&("https://api.test/feed.atom?category=backend", Some("self"))),
        "{links:?}"
    );

    let configured = Api::with_config(
        kind,
        ApiConfig {
            public_base_url: Some(url::Url::parse("https://jobs.example/prod").unwrap()),
            feed_title: "Back-end jobs".into(),
            ..ApiConfig::default()
        },
    )
    .await;
    let json = configured.get("/feed.json?skill=go").await.json();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["title"], "Back-end jobs");
    assert_eq!(
        json["feed_url"],
        "https://jobs.example/prod/feed.json?skill=go"
    );
    assert_eq!(
        json["home_page_url"],
        "https://jobs.example/prod/jobs?skill=go"
    );
    assert!(
        json["items"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("https://jobs.example/prod/jobs/")
    );
    assert_eq!(json["items"].as_array().unwrap().len(), 2);
}

async fn sources_lists_every_source_state(kind: Kind) {
    let api = Api::new(kind).await;
    use jobfeed::store::SourceState;
    for name in ["wwr-backend", "remoteok"] {
        api.store
            .put_source_state(&SourceState {
                name: name.into(),
                consecutive_failures: u32::from(name == "remoteok"),
                last_error: (name == "remoteok").then(|| "HTTP 503".to_owned()),
                ..SourceState::default()
            })
            .await
            .unwrap();
    }
    let sources = api.get("/sources").await.json();
    let list = sources["sources"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], "remoteok");
    assert_eq!(list[0]["consecutive_failures"], 1);
    assert_eq!(list[0]["last_error"], "HTTP 503");
    assert_eq!(list[1]["name"], "wwr-backend");
}

async fn sources_shows_each_registered_sources_status_beside_its_state(kind: Kind) {
    let api = Api::new(kind).await;
    use jobfeed::store::SourceState;
    let file = "[[source]]\nname = \"lever\"\nkind = \"lever\"\n\
                url = \"https://api.lever.co/v0/postings/acme?mode=json\"\n\n\
                [[source]]\nname = \"wwr\"\nkind = \"rss\"\n\
                url = \"https://weworkremotely.com/remote-jobs.rss\"\n\n\
                [[source]]\nname = \"old\"\nkind = \"rss\"\n\
                url = \"https://old.example/feed.rss\"\n";
    let now = chrono::Utc::now();
    jobfeed::app::registry::import(api.store.as_ref(), file, "sources.toml", now)
        .await
        .unwrap();
    jobfeed::app::registry::set_enabled(api.store.as_ref(), "wwr", false, now)
        .await
        .unwrap();
    let rules = jobfeed::app::ingest::IngestConfig::default();
    jobfeed::app::registry::remove(api.store.as_ref(), api.store.as_ref(), "old", &rules, now)
        .await
        .unwrap();
    // A source of the built-in configuration, with a state but no record.
    api.store
        .put_source_state(&SourceState {
            name: "builtin".into(),
            consecutive_failures: 2,
            ..SourceState::default()
        })
        .await
        .unwrap();
    let sources = api.get("/sources").await.json();
    let list = sources["sources"].as_array().unwrap();
    let by_name = |name: &str| {
        list.iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {sources}"))
    };
    assert_eq!(list.len(), 4, "{sources}");
    assert_eq!(by_name("lever")["status"], "enabled");
    assert_eq!(by_name("wwr")["status"], "disabled");
    assert_eq!(by_name("old")["status"], "removed");
    assert!(by_name("builtin").get("status").is_none());
    assert_eq!(by_name("builtin")["consecutive_failures"], 2);
}

async fn health_answers_ok_without_a_store_call(kind: Kind) {
    let api = Api::new(kind).await;
    let before = api.store.usage();
    let reply = api.get("/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["status"], "ok");
    assert_eq!(api.store.usage().since(&before).requests, 0);
}

async fn a_cors_preflight_allows_any_origin_by_default_and_only_configured_ones_otherwise(
    kind: Kind,
) {
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/jobs")
            .header(header::HOST, "api.test")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "if-none-match")
            .body(Body::empty())
            .unwrap()
    };
    let api = Api::new(kind).await;
    let reply = api.send(preflight("https://reader.example")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
    let methods = reply.header(header::ACCESS_CONTROL_ALLOW_METHODS);
    assert!(
        methods.contains("GET") && !methods.contains("POST"),
        "{methods}"
    );
    assert!(
        reply
            .header(header::ACCESS_CONTROL_ALLOW_HEADERS)
            .contains("if-none-match")
    );
    let get = api
        .get_with("/jobs", &[(header::ORIGIN, "https://reader.example")])
        .await;
    assert_eq!(get.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
    assert!(
        get.header(header::ACCESS_CONTROL_EXPOSE_HEADERS)
            .contains("etag")
    );

    let strict = Api::with_config(
        kind,
        ApiConfig {
            cors_origins: vec!["https://jobs.example".into()],
            ..ApiConfig::default()
        },
    )
    .await;
    let allowed = strict.send(preflight("https://jobs.example")).await;
    assert_eq!(
        allowed.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        "https://jobs.example"
    );
    let refused = strict.send(preflight("https://evil.example")).await;
    assert!(
        refused
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

async fn responses_are_gzipped_for_clients_that_accept_it_with_their_own_etag(kind: Kind) {
    let api = Api::new(kind).await;
    let plain = api.get("/jobs").await;
    let gzipped = api
        .get_with("/jobs", &[(header::ACCEPT_ENCODING, "gzip")])
        .await;
    assert_eq!(gzipped.status, StatusCode::OK);
    assert_eq!(gzipped.header(header::CONTENT_ENCODING), "gzip");
    assert_eq!(gzipped.body.get(..2), Some(&[0x1f, 0x8b][..]));
    assert!(gzipped.body.len() < plain.body.len());
    let plain_tag = plain.header(header::ETAG);
    let gzip_tag = gzipped.header(header::ETAG);
    assert_eq!(
        gzip_tag,
        format!("{}-gzip\"", plain_tag.trim_end_matches('"'))
    );
    let revalidated = api
        .get_with(
            "/jobs",
            &[
                (header::ACCEPT_ENCODING, "gzip"),
                (header::IF_NONE_MATCH, gzip_tag),
            ],
        )
        .await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
    assert_eq!(revalidated.header(header::ETAG), gzip_tag);
    let brotli = api
        .get_with("/feed.rss", &[(header::ACCEPT_ENCODING, "br")])
        .await;
    assert_eq!(brotli.header(header::CONTENT_ENCODING), "br");
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
}

/// A store whose every call fails with one error.
struct FailingStore(StoreError);

#[async_trait]
impl PostingReader for FailingStore {
    async fn fingerprint_groups(&self, _: &[String]) -> Result<Vec<IndexEntry>, StoreError> {
        Err(self.0.clone())
    }
    async fn get_many(&self, _: &[String]) -> Result<Vec<StoredPosting>, StoreError> {
        Err(self.0.clone())
    }
    async fn list(&self, _: &ListQuery, _: usize, _: Option<&str>) -> Result<Page, StoreError> {
        Err(self.0.clone())
    }
    fn usage(&self) -> UsageSnapshot {
        UsageSnapshot::default()
    }
}

#[tokio::test]
async fn store_failures_are_503_or_500_problems_without_internals() {
    for (error, status) in [
        (
            StoreError::Retryable("ProvisionedThroughputExceeded on jobs-prod".into()),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        (
            StoreError::Permanent("ResourceNotFound: table jobs-prod".into()),
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    ] {
        let router = router(ApiState {
            postings: Arc::new(FailingStore(error)),
            sources: Arc::new(MemoryStore::new()),
            registry: Arc::new(MemoryStore::new()),
            config: ApiConfig::default(),
        });
        for uri in ["/jobs", "/jobs/abc", "/feed.rss"] {
            let response = router
                .clone()
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(response.status(), status, "{uri}");
            assert_eq!(
                response.headers()[header::CONTENT_TYPE],
                PROBLEM_CONTENT_TYPE
            );
            let body = response.into_body().collect().await.unwrap().to_bytes();
            let text = String::from_utf8_lossy(&body);
            assert!(!text.contains("jobs-prod"), "{text}");
            let problem: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(problem["status"], status.as_u16());
        }
    }
}

async fn the_openapi_document_is_3_1_and_names_every_route_and_parameter(kind: Kind) {
    let api = Api::new(kind).await;
    let reply = api.get("/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let document = reply.json();
    assert_eq!(document, serde_json::to_value(openapi()).unwrap());
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = document["paths"].as_object().unwrap();
    let mut documented: Vec<&str> = paths.keys().map(String::as_str).collect();
    documented.sort_unstable();
    assert_eq!(
        documented,
        [
            "/facets",
            "/feed.atom",
            "/feed.json",
            "/feed.rss",
            "/health",
            "/jobs",
            "/jobs/{id}",
            "/openapi.json",
            "/sources"
        ]
    );
    // Every documented path is served (and nothing else is: unknown paths are 404 above).
    let id = api.id_of("Voice Actor").await;
    for path in &documented {
        let uri = path.replace("{id}", &id);
        assert_eq!(api.get(&uri).await.status, StatusCode::OK, "{uri}");
        assert!(paths[*path].get("get").is_some(), "{path}");
    }
    let names = |path: &str| -> Vec<String> {
        paths[path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let jobs: Vec<String> = Param::accepted(Endpoint::Jobs)
        .map(|p| p.name().to_owned())
        .collect();
    assert_eq!(jobs.len(), Param::ALL.len());
    assert_eq!(names("/jobs"), jobs);
    let filters: Vec<String> = Param::accepted(Endpoint::Feed)
        .map(|p| p.name().to_owned())
        .collect();
    for feed in ["/feed.rss", "/feed.atom", "/feed.json"] {
        assert_eq!(names(feed), filters, "{feed}");
    }
    assert_eq!(names("/jobs/{id}"), ["id"]);
    for schema in [
        "JobList",
        "JobListItem",
        "JobDetail",
        "JobPosting",
        "Problem",
        "SourceList",
    ] {
        assert!(
            document["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
    }
    let item_required = &document["components"]["schemas"]["JobListItem"]["required"];
    assert!(
        !item_required
            .as_array()
            .unwrap()
            .contains(&"description_html".into())
    );
    assert!(item_required.as_array().unwrap().contains(&"title".into()));
}

async fn served_enum_values_are_ones_the_openapi_document_allows(kind: Kind) {
    let api = Api::new(kind).await;
    let document = api.get("/openapi.json").await.json();
    let allowed = |schema: &str| -> Vec<Value> {
        document["components"]["schemas"][schema]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema} is an enum"))
            .clone()
    };
    let items = api
        .get("/jobs?limit=100&include_closed=true&include_duplicates=true")
        .await
        .json()["items"]
        .as_array()
        .unwrap()
        .clone();
    let mut checked = 0;
    for item in &items {
        for (field, schema) in [
            ("source_kind", "SourceKind"),
            ("workplace", "Workplace"),
            ("employment_type", "EmploymentType"),
            ("seniority", "Seniority"),
            ("category", "Category"),
        ] {
            if !item[field].is_null() {
                assert!(
                    allowed(schema).contains(&item[field]),
                    "{field}: {}",
                    item[field]
                );
                checked += 1;
            }
        }
        if let Some(period) = item["salary"].get("period").filter(|p| !p.is_null()) {
            assert!(allowed("SalaryPeriod").contains(period), "{period}");
            checked += 1;
        }
    }
    // 30 postings, each with a source kind, and most with some of the others.
    assert!(checked > 2 * items.len(), "{checked}");
}

async fn every_documented_parameter_is_accepted_with_its_example_value(kind: Kind) {
    let api = Api::new(kind).await;
    let example = |param: Param| match param {
        Param::Q => "engineer",
        Param::Company => "Proxify%20AB",
        Param::Skill => "rust",
        Param::Seniority => "senior",
        Param::Category => "backend",
        Param::Workplace => "remote",
        Param::Country => "de",
        Param::EmploymentType => "full_time",
        Param::SalaryMin => "1000",
        Param::Currency => "EUR",
        Param::Since => "2026-01-01",
        Param::IncludeClosed | Param::IncludeDuplicates => "true",
        Param::Limit => "7",
        Param::Cursor => "",
        Param::Fields => "full",
    };
    let query = |endpoint: Endpoint| {
        Param::accepted(endpoint)
            .map(|p| format!("{}={}", p.name(), example(p)))
            .collect::<Vec<_>>()
            .join("&")
    };
    assert_eq!(
        api.get(&format!("/jobs?{}", query(Endpoint::Jobs)))
            .await
            .status,
        StatusCode::OK
    );
    for feed in ["/feed.rss", "/feed.atom", "/feed.json"] {
        let uri = format!("{feed}?{}", query(Endpoint::Feed));
        assert_eq!(api.get(&uri).await.status, StatusCode::OK, "{uri}");
    }
}

type LogLine = std::collections::BTreeMap<String, String>;

thread_local! {
    /// Where this thread's `jobfeed::api` events go while a scenario captures them.
    static CAPTURE: std::cell::RefCell<Option<Vec<LogLine>>> = const { std::cell::RefCell::new(None) };
}

/// The process-wide subscriber: interested in every callsite, so tracing's global interest
/// cache can never mark the request log disabled (a thread-local subscriber races other test
/// threads on that cache), and it hands each `jobfeed::api` event to the emitting thread's
/// capture buffer, if any — parallel tests never see each other's lines.
struct ThreadCapture;

struct Fields(LogLine);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl tracing::Subscriber for ThreadCapture {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::always()
    }
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if event.metadata().target() != "jobfeed::api" {
            return;
        }
        CAPTURE.with(|capture| {
            if let Some(lines) = capture.borrow_mut().as_mut() {
                let mut fields = Fields(LogLine::new());
                event.record(&mut fields);
                lines.push(fields.0);
            }
        });
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Runs `requests` on this thread and returns the request-log lines they emitted.
async fn captured_lines(requests: impl std::future::Future<Output = ()>) -> Vec<LogLine> {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        // Nothing else in this test binary installs a global subscriber.
        tracing::subscriber::set_global_default(ThreadCapture).expect("no other global subscriber");
    });
    CAPTURE.with(|capture| *capture.borrow_mut() = Some(Vec::new()));
    requests.await;
    CAPTURE.with(|capture| capture.borrow_mut().take().unwrap_or_default())
}

async fn each_request_logs_one_line_with_route_status_items_and_store_requests(kind: Kind) {
    let api = Api::new(kind).await;
    let canonical = api.id_of("Senior Java Backend Developer").await;
    let lines = captured_lines(async {
        api.get(&format!("/jobs/{canonical}")).await;
        api.get("/jobs?limit=4").await;
        api.get("/nowhere").await;
    })
    .await;
    assert_eq!(lines.len(), 3, "{lines:?}");
    let field = |i: usize, name: &str| lines[i].get(name).cloned().unwrap_or_default();
    assert_eq!(field(0, "method"), "GET");
    assert_eq!(field(0, "route"), "/jobs/{id}");
    assert_eq!(field(0, "status"), "200");
    assert_eq!(field(0, "items"), "1");
    assert_eq!(field(0, "store_requests"), "3");
    assert!(field(0, "latency_us").parse::<u64>().is_ok());
    assert_eq!(field(1, "route"), "/jobs");
    assert_eq!(field(1, "items"), "4");
    assert_eq!(field(1, "store_requests"), "1");
    assert_eq!(field(2, "route"), "unmatched");
    assert_eq!(field(2, "status"), "404");
    assert_eq!(field(2, "store_requests"), "0");
    assert!(lines.iter().all(|l| !l.contains_key("body")));
}

async fn the_request_log_carries_no_credentials_query_values_or_path_ids(kind: Kind) {
    let api = Api::new(kind).await;
    let canonical = api.id_of("Senior Java Backend Developer").await;
    let secret = "s3cr3t-token-4711";
    let lines = captured_lines(async {
        api.get_with(
            &format!("/jobs?q={secret}&company={secret}"),
            &[
                (header::AUTHORIZATION, &format!("Bearer {secret}")),
                (header::COOKIE, &format!("session={secret}")),
            ],
        )
        .await;
        api.get(&format!("/jobs/{canonical}?{secret}=1")).await;
    })
    .await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    for line in &lines {
        let keys: Vec<&str> = line.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "items",
                "latency_us",
                "message",
                "method",
                "route",
                "status",
                "store_requests"
            ],
            "only the request's shape is logged: {line:?}"
        );
        assert!(
            line.values()
                .all(|v| !v.contains(secret) && !v.contains(&canonical)),
            "{line:?}"
        );
    }
}

/// Instantiates every scenario above as a test over the store `$kind`.
macro_rules! api_tests {
    ($kind:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($kind).await;
            }
        )*
    };
}

/// Instantiates every scenario over `$kind` (one list, so no store misses one).
macro_rules! all_scenarios {
    ($kind:expr) => {
        api_tests!($kind;
            jobs_lists_open_canonical_postings_newest_first_with_the_default_limit,
            list_items_omit_the_html_description_unless_fields_is_full,
            each_filter_narrows_the_list_to_what_the_corpus_says,
            a_cursor_walk_returns_every_matching_posting_exactly_once,
            each_list_request_makes_a_bounded_read_of_the_store,
            a_matching_if_none_match_gives_304_and_other_tags_give_200,
            the_etag_changes_when_the_data_changes,
            feed_links_follow_only_allowed_hosts_and_every_response_is_nosniff,
            lists_feeds_and_postings_are_publicly_cacheable_and_operations_are_not,
            every_bad_parameter_is_a_400_problem_naming_it,
            a_cursor_from_another_query_is_a_400_naming_cursor,
            unknown_postings_and_routes_are_404_problems_and_other_methods_405,
            head_answers_like_get_without_a_body,
            a_posting_comes_with_its_full_description_history_and_lifecycle,
            a_posting_lists_its_duplicates_from_other_sources_both_ways,
            feeds_parse_back_with_titles_links_and_dates_intact,
            feeds_take_the_list_filters_and_link_to_themselves,
            sources_lists_every_source_state,
            sources_shows_each_registered_sources_status_beside_its_state,
            health_answers_ok_without_a_store_call,
            a_cors_preflight_allows_any_origin_by_default_and_only_configured_ones_otherwise,
            responses_are_gzipped_for_clients_that_accept_it_with_their_own_etag,
            the_openapi_document_is_3_1_and_names_every_route_and_parameter,
            served_enum_values_are_ones_the_openapi_document_allows,
            every_documented_parameter_is_accepted_with_its_example_value,
            each_request_logs_one_line_with_route_status_items_and_store_requests,
            the_request_log_carries_no_credentials_query_values_or_path_ids,
        );
    };
}

mod memory {
    all_scenarios!(super::Kind::Memory);
}

#[cfg(feature = "sqlite")]
mod sqlite {
    all_scenarios!(super::Kind::Sqlite);
}

#[cfg(feature = "dynamodb")]
mod dynamodb {
    all_scenarios!(super::Kind::DynamoDb);
}
