//! The pages for people end to end, through the router (`tower::ServiceExt::oneshot`), over a
//! store filled by the ingest rules with postings parsed from the recorded corpus (Ashby,
//! Workable, We Work Remotely, RemoteOK) plus a cross-source duplicate, a renamed posting, a
//! closed posting and a hostile posting written straight into the store (unsanitized, as a
//! store written by another program could hold it). Every scenario runs over the in-memory
//! store, SQLite and (with the `dynamodb` feature) DynamoDB on moto_server (`page_tests!`).
//!
//! The pages are read back with `scraper` (html5ever), the way a browser parses them; the
//! browser itself is `scripts/browser-test`.

#![cfg(all(feature = "api", feature = "sqlite"))]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::BodyExt;
use jobfeed::JobPosting;
use jobfeed::api::{ApiConfig, ApiState, openapi, router};
use jobfeed::app::ingest::{Incoming, IngestConfig, ingest_postings};
use jobfeed::extract::ExtractKind;
use jobfeed::model::{Company, Location};
use jobfeed::parse::{DEFAULT_MAX_DOCUMENT_BYTES, ParseOptions, parse_document};
use jobfeed::store::memory::MemoryStore;
use jobfeed::store::{PostingStore, SourceRegistry, SourceStateStore, StoredPosting, Write};
use scraper::{Html, Selector};
use serde_json::Value;
use tower::ServiceExt;

/// The hostile posting's id.
const HOSTILE: &str = "00000000000000000000000000000bad";
/// The closed posting's id.
const CLOSED: &str = "0000000000000000000000000000dead";

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

trait PageStore: PostingStore + SourceStateStore + SourceRegistry {}
impl<T: PostingStore + SourceStateStore + SourceRegistry> PageStore for T {}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Memory,
    Sqlite,
    /// DynamoDB on moto_server (started by `scripts/test`), on a fresh table.
    #[cfg(feature = "dynamodb")]
    DynamoDb,
}

/// A store on a new, uniquely named table; fails (never skips) without moto.
#[cfg(feature = "dynamodb")]
async fn dynamodb_store() -> Arc<dyn PageStore> {
    use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};
    use std::sync::atomic::{AtomicUsize, Ordering};
    static TABLES: AtomicUsize = AtomicUsize::new(0);
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL").is_some(),
        "AWS_ENDPOINT_URL is not set: run scripts/test, which starts moto_server"
    );
    let client = client_from_env().await;
    let table = format!(
        "jobfeed-pages-test-{}-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default(),
        TABLES.fetch_add(1, Ordering::Relaxed)
    );
    create_table(&client, &table).await.unwrap();
    Arc::new(DynamoStore::new(client, table))
}

async fn empty_store(kind: Kind) -> Arc<dyn PageStore> {
    match kind {
        #[cfg(feature = "dynamodb")]
        Kind::DynamoDb => dynamodb_store().await,
        Kind::Memory => Arc::new(MemoryStore::new()),
        Kind::Sqlite => {
            let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR"))
                .unwrap()
                .keep();
            Arc::new(jobfeed::store::sqlite::SqliteStore::open(dir.join("pages.db")).unwrap())
        }
    }
}

/// Script and markup in every field a page shows.
fn hostile(template: &JobPosting) -> JobPosting {
    let mut p = template.clone();
    p.id = HOSTILE.into();
    p.source = "evil<script>alert('source')</script>".into();
    p.title = "<script>alert('title')</script><b>Bold</b> engineer".into();
    p.company = Company {
        name: "<img src=x onerror=alert('company')>Evil Corp".into(),
        url: Some("javascript:alert('company-url')".into()),
        logo_url: None,
    };
    p.locations = vec![Location {
        raw: "\"><svg onload=alert('location')>".into(),
        city: Some("</title><script>alert('city')</script>".into()),
        region: None,
        country: Some("DE".into()),
    }];
    p.skills = vec!["<i>rust</i>".into()];
    p.description_html = "<p>Fine text</p><script>alert('description')</script>\
        <a href=\"javascript:alert('link')\">link</a><img src=x onerror=\"alert('img')\">\
        <iframe src=\"https://evil.example\"></iframe></script><!--"
        .into();
    p.apply_url = Some("javascript:alert('apply')".into());
    p.fingerprint = "hostile-fingerprint".into();
    p.content_hash = "hostile".into();
    p.first_seen_at = Some(t0());
    p.last_seen_at = Some(t0());
    p.closed_at = None;
    p.duplicate_of = None;
    p
}

async fn filled_store(kind: Kind) -> Arc<dyn PageStore> {
    let store = empty_store(kind).await;
    let config = IngestConfig::default();
    let mut postings = corpus();
    let mut expired = titled(&postings, "Voice Actor").clone();
    expired.id = CLOSED.into();
    expired.title = "Expired Voice Actor".into();
    expired.content_hash = "expired".into();
    expired.fingerprint = "expired-fingerprint".into();
    expired.valid_through = Some(t0() - Duration::days(10));
    postings.push(expired);
    ingest_postings(store.as_ref(), incoming(postings.clone()), t0(), &config)
        .await
        .unwrap();
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
    let evil = hostile(&postings[0]);
    store
        .write(vec![Write::Insert(StoredPosting {
            posting: evil,
            history: Vec::new(),
            description_truncated: false,
            revision: 1,
            mark: None,
        })])
        .await
        .unwrap();
    store
}

fn incoming(postings: Vec<JobPosting>) -> Vec<Incoming> {
    postings.into_iter().map(Incoming::from).collect()
}

struct Site {
    router: Router,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .unwrap_or_else(|| panic!("a {name} header"))
            .to_str()
            .unwrap()
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).unwrap()
    }

    fn html(&self) -> Html {
        Html::parse_document(&self.text())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

fn select(html: &Html, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap();
    html.select(&selector)
        .map(|e| e.text().collect::<String>())
        .collect()
}

fn attrs(html: &Html, css: &str, name: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap();
    html.select(&selector)
        .filter_map(|e| e.value().attr(name).map(str::to_owned))
        .collect()
}

/// The posting ids a search page links to, in order.
fn result_ids(html: &Html) -> Vec<String> {
    attrs(html, "ol.postings h3 a", "href")
        .into_iter()
        .map(|href| href.strip_prefix("postings/").unwrap().to_owned())
        .collect()
}

impl Site {
    async fn new(kind: Kind) -> Site {
        let store = filled_store(kind).await;
        let router = router(ApiState {
            postings: store.clone(),
            sources: store.clone(),
            registry: store,
            config: ApiConfig::default(),
        });
        Site { router }
    }

    async fn get_with(&self, uri: &str, headers: &[(header::HeaderName, &str)]) -> Reply {
        let mut request = Request::get(uri);
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
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

    /// The ids `/jobs` returns for `query`.
    async fn jobs_ids(&self, query: &str) -> Vec<String> {
        let reply = self.get(&format!("/jobs?{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        reply.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

async fn the_search_page_shows_what_jobs_returns_for_the_same_query(kind: Kind) {
    let site = Site::new(kind).await;
    for query in [
        "",
        "seniority=senior",
        "workplace=remote&q=developer",
        "country=GR&employment_type=",
        "skill=go",
        "include_closed=true&limit=5",
    ] {
        let reply = site.get(&format!("/?{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        let ids = result_ids(&reply.html());
        assert!(!ids.is_empty(), "{query}");
        assert_eq!(ids, site.jobs_ids(query).await, "{query}");
    }
}

async fn more_results_pages_through_the_same_postings_as_the_cursor_of_jobs(kind: Kind) {
    let site = Site::new(kind).await;
    let mut uri = "/?limit=7".to_owned();
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..20 {
        let html = site.get(&uri).await.html();
        seen.extend(result_ids(&html));
        match attrs(&html, "a[rel=next]", "href").first() {
            Some(next) => uri = format!("/{}", next.trim_start_matches("./")),
            None => break,
        }
    }
    let all = site.jobs_ids("limit=100").await;
    assert_eq!(seen, all);
    assert!(all.len() > 7, "more than one page");
}

async fn a_search_that_matches_nothing_says_why_and_a_refused_filter_says_which(kind: Kind) {
    let site = Site::new(kind).await;
    let reply = site.get("/?q=zzzz-no-such-word").await;
    assert_eq!(reply.status, StatusCode::OK);
    let empty = select(&reply.html(), ".empty").concat();
    assert!(empty.contains("No open posting matches"), "{empty}");
    assert!(empty.contains("include closed postings"), "{empty}");

    let reply = site.get("/?seniority=guru&q=rust").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
    let html = reply.html();
    let error = select(&html, "[role=alert]").concat();
    assert!(error.contains("`seniority`"), "{error}");
    // The form keeps what was typed.
    assert_eq!(attrs(&html, "input#q", "value"), ["rust"]);
}

async fn hostile_postings_render_as_text_and_carry_no_script(kind: Kind) {
    let site = Site::new(kind).await;
    for uri in [
        "/?include_closed=true&limit=100".to_owned(),
        format!("/postings/{HOSTILE}"),
    ] {
        let reply = site.get(&uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        let html = reply.html();
        // Only the JSON-LD data block is a script element; nothing has an event handler or a
        // script address; no frame.
        let scripts = Selector::parse("script").unwrap();
        for script in html.select(&scripts) {
            assert_eq!(
                script.value().attr("type"),
                Some("application/ld+json"),
                "{uri}"
            );
        }
        let any = Selector::parse("*").unwrap();
        for element in html.select(&any) {
            assert!(
                !matches!(element.value().name(), "iframe" | "img" | "svg"),
                "{uri}"
            );
            for (name, value) in element.value().attrs() {
                assert!(!name.starts_with("on"), "{uri}: {name}");
                assert!(
                    !value.trim_start().to_lowercase().starts_with("javascript:"),
                    "{uri}: {value}"
                );
            }
        }
        let text = html.root_element().text().collect::<String>();
        assert!(
            text.contains("<script>alert('title')</script><b>Bold</b> engineer"),
            "{uri}"
        );
        assert!(
            text.contains("<img src=x onerror=alert('company')>Evil Corp"),
            "{uri}"
        );
    }
    let page = site.get(&format!("/postings/{HOSTILE}")).await.html();
    assert_eq!(
        select(&page, "h1"),
        ["<script>alert('title')</script><b>Bold</b> engineer"]
    );
    assert_eq!(
        select(&page, ".description").concat().trim(),
        "Fine textlink"
    );
    // A script address is never a link, so the apply button is the posting's own page.
    assert_eq!(attrs(&page, "a.button", "href"), [corpus()[0].url.clone()]);
}

async fn pages_have_a_strict_policy_an_etag_and_compression(kind: Kind) {
    let site = Site::new(kind).await;
    let posting = site.jobs_ids("limit=1").await.remove(0);
    for uri in ["/".to_owned(), format!("/postings/{posting}")] {
        let reply = site.get(&uri).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.header(header::CONTENT_TYPE),
            "text/html; charset=utf-8"
        );
        let csp = reply.header(header::CONTENT_SECURITY_POLICY);
        assert!(
            csp.starts_with("default-src 'none'") && !csp.contains("script-src"),
            "{csp}"
        );
        assert_eq!(reply.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(
            reply.header(header::REFERRER_POLICY),
            "strict-origin-when-cross-origin"
        );
        assert_eq!(reply.header(header::CACHE_CONTROL), "public, max-age=60");
        let etag = reply.header(header::ETAG).to_owned();
        let again = site.get_with(&uri, &[(header::IF_NONE_MATCH, &etag)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(again.body.is_empty());
        let zipped = site
            .get_with(&uri, &[(header::ACCEPT_ENCODING, "gzip")])
            .await;
        assert_eq!(zipped.header(header::CONTENT_ENCODING), "gzip", "{uri}");
        assert!(zipped.body.len() < reply.body.len());
        let html = reply.html();
        assert_eq!(attrs(&html, "link[rel=stylesheet]", "href").len(), 1);
        assert_eq!(attrs(&html, "link[rel=alternate]", "type").len(), 3);
        assert_eq!(select(&html, "main").len(), 1);
        assert_eq!(attrs(&html, "html", "lang"), ["en"]);
    }
    let css = site.get("/assets/style.css").await;
    assert_eq!(css.header(header::CONTENT_TYPE), "text/css; charset=utf-8");
    assert!(css.text().contains("prefers-color-scheme: dark"));
}

async fn every_form_field_has_a_label_and_the_form_is_exactly_the_jobs_filters(kind: Kind) {
    let site = Site::new(kind).await;
    let html = site.get("/?skill=go").await.html();
    let ids = attrs(&html, "form input:not([type=hidden]), form select", "id");
    let labelled = attrs(&html, "label", "for");
    for id in &ids {
        assert!(labelled.contains(id), "{id} has a label");
    }
    let mut names = attrs(&html, "form input, form select", "name");
    names.sort();
    names.dedup();
    let mut filters: Vec<String> = jobfeed::api::Param::ALL
        .iter()
        .filter(|p| p.is_filter())
        .map(|p| p.name().to_owned())
        .collect();
    filters.sort();
    assert_eq!(names, filters);
    assert_eq!(attrs(&html, "form", "method"), ["get"]);
}

async fn subscribe_links_are_the_feeds_of_the_same_filters(kind: Kind) {
    let site = Site::new(kind).await;
    let html = site.get("/?workplace=remote&skill=go&limit=3").await.html();
    let links = attrs(&html, "nav.subscribe a", "href");
    assert_eq!(
        links,
        [
            "feed.rss?workplace=remote&skill=go",
            "feed.atom?workplace=remote&skill=go",
            "feed.json?workplace=remote&skill=go",
            "jobs?workplace=remote&skill=go",
        ]
    );
    for link in &links[..3] {
        let reply = site.get(&format!("/{link}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{link}");
        feed_rs::parser::parse(&reply.body[..]).unwrap();
    }
    assert_eq!(
        attrs(&html, "link[rel=alternate]", "href")[0],
        "feed.rss?workplace=remote&skill=go"
    );
}

async fn the_posting_page_embeds_one_job_posting_with_the_postings_values(kind: Kind) {
    let site = Site::new(kind).await;
    let id = site
        .jobs_ids("q=Senior+Java+Backend&limit=1")
        .await
        .remove(0);
    let detail = site.get(&format!("/jobs/{id}")).await.json();
    let reply = site.get(&format!("/postings/{id}")).await;
    let html = reply.html();
    let blocks = select(&html, "script[type='application/ld+json']");
    assert_eq!(blocks.len(), 1);
    let ld: Value = serde_json::from_str(&blocks[0]).unwrap();
    assert_eq!(ld["@type"], "JobPosting");
    assert_eq!(ld["title"], detail["title"]);
    assert_eq!(ld["hiringOrganization"]["name"], detail["company"]["name"]);
    assert!(ld["datePosted"].as_str().unwrap().starts_with("20"));
    assert!(ld["description"].as_str().unwrap().starts_with('<'));
    assert_eq!(select(&html, "h1"), [detail["title"].as_str().unwrap()]);
    let apply = attrs(&html, "a.button", "href");
    let expected = detail["apply_url"]
        .as_str()
        .or(detail["url"].as_str())
        .unwrap();
    assert_eq!(apply, [expected]);
    assert!(attrs(&html, "meta[name=robots]", "content").is_empty());
    assert!(reply.headers.get("x-robots-tag").is_none());
}

async fn a_closed_posting_says_so_and_is_noindex(kind: Kind) {
    let site = Site::new(kind).await;
    let reply = site.get(&format!("/postings/{CLOSED}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::HeaderName::from_static("x-robots-tag")),
        "noindex"
    );
    let html = reply.html();
    assert_eq!(attrs(&html, "meta[name=robots]", "content"), ["noindex"]);
    assert!(
        select(&html, ".closed")
            .concat()
            .contains("This posting closed on")
    );
}

async fn the_posting_page_tells_its_history_and_the_same_job_elsewhere(kind: Kind) {
    let site = Site::new(kind).await;
    let renamed = site.jobs_ids("q=Dashboard+Billing").await.remove(0);
    let html = site.get(&format!("/postings/{renamed}")).await.html();
    assert_eq!(
        select(&html, "ul.history li"),
        ["On 21 July 2026, the title changed (it was “Software Engineer (Dashboard)”)."]
    );
    let java = site.jobs_ids("q=Senior+Java+Backend").await.remove(0);
    let html = site.get(&format!("/postings/{java}")).await.html();
    let elsewhere = select(&html, "ul.duplicates li").concat();
    assert!(elsewhere.contains("via proxify-board"), "{elsewhere}");
    assert_eq!(
        attrs(&html, "ul.duplicates a", "href"),
        ["0000000000000000000000000000c0de"]
    );
}

async fn unknown_postings_are_404_pages(kind: Kind) {
    let site = Site::new(kind).await;
    for uri in ["/postings/nope", "/postings/%3Cscript%3E"] {
        let reply = site.get(uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(
            reply.header(header::CONTENT_TYPE),
            "text/html; charset=utf-8"
        );
        assert!(reply.text().contains("no posting has this address"));
    }
}

async fn a_browser_asking_for_a_job_is_sent_to_its_page_and_clients_still_get_json(kind: Kind) {
    let site = Site::new(kind).await;
    let uri = format!("/jobs/{CLOSED}");
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let reply = site.get_with(&uri, &[(header::ACCEPT, browser)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let location = reply.header(header::LOCATION).to_owned();
    assert_eq!(location, format!("../postings/{CLOSED}"));
    assert!(varies_by_accept(&reply));
    // The relative Location resolves to the posting page, which is there.
    let page = url::Url::parse("https://feed.example/Prod/jobs/x")
        .unwrap()
        .join(&location)
        .unwrap();
    assert_eq!(page.path(), format!("/Prod/postings/{CLOSED}"));
    let reply = site.get(&format!("/postings/{CLOSED}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    for accept in [
        None,
        Some("*/*"),
        Some("application/json"),
        Some("text/html;q=0.5, application/json"),
        Some("application/json, text/html"),
    ] {
        let headers: Vec<(header::HeaderName, &str)> =
            accept.map(|a| (header::ACCEPT, a)).into_iter().collect();
        let reply = site.get_with(&uri, &headers).await;
        assert_eq!(reply.status, StatusCode::OK, "{accept:?}");
        assert_eq!(reply.json()["id"], CLOSED, "{accept:?}");
        assert!(varies_by_accept(&reply), "{accept:?}");
    }
}

/// Whether one of the reply's `Vary` headers names `Accept` (not just `Accept-Encoding`).
fn varies_by_accept(reply: &Reply) -> bool {
    reply
        .headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept"))
}

async fn facets_count_the_open_postings_the_filters_leave(kind: Kind) {
    let site = Site::new(kind).await;
    for query in ["", "workplace=remote", "country=GR", "skill=go&q=engineer"] {
        let reply = site.get(&format!("/facets?{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        let facets = reply.json();
        let listed = site
            .get(&format!("/jobs?{query}&limit=100&fields=full"))
            .await
            .json();
        let items = listed["items"].as_array().unwrap();
        assert_eq!(facets["total"], items.len(), "{query}");
        assert_eq!(facets["complete"], true);
        for (dimension, field) in [
            ("seniority", "seniority"),
            ("workplace", "workplace"),
            ("category", "category"),
            ("employment_type", "employment_type"),
        ] {
            for count in facets[dimension].as_array().unwrap() {
                let expected = items.iter().filter(|i| i[field] == count["value"]).count();
                assert_eq!(count["count"], expected, "{query} {dimension} {count}");
            }
        }
        for count in facets["skill"].as_array().unwrap() {
            let expected = items
                .iter()
                .filter(|i| i["skills"].as_array().unwrap().contains(&count["value"]))
                .count();
            assert_eq!(count["count"], expected, "{query} {count}");
        }
        for count in facets["company"].as_array().unwrap() {
            let expected = items
                .iter()
                .filter(|i| i["company"]["name"] == count["value"])
                .count();
            assert_eq!(count["count"], expected, "{query} {count}");
        }
    }
    let page = site.get("/?workplace=remote").await.html();
    let options = select(&page, "select#workplace option");
    assert!(
        options.iter().any(|o| o.starts_with("Remote (")),
        "{options:?}"
    );
}

#[test]
fn facets_are_in_the_openapi_document_with_the_filters_of_jobs() {
    let document = serde_json::to_value(openapi()).unwrap();
    let operation = &document["paths"]["/facets"]["get"];
    let names: Vec<&str> = operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"q") && names.contains(&"skill") && !names.contains(&"cursor"));
    assert!(document["components"]["schemas"]["Facets"].is_object());
}

macro_rules! page_tests {
    ($kind:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($kind).await;
            }
        )*
    };
}

macro_rules! all_scenarios {
    ($kind:expr) => {
        page_tests!($kind;
            the_search_page_shows_what_jobs_returns_for_the_same_query,
            more_results_pages_through_the_same_postings_as_the_cursor_of_jobs,
            a_search_that_matches_nothing_says_why_and_a_refused_filter_says_which,
            hostile_postings_render_as_text_and_carry_no_script,
            pages_have_a_strict_policy_an_etag_and_compression,
            every_form_field_has_a_label_and_the_form_is_exactly_the_jobs_filters,
            subscribe_links_are_the_feeds_of_the_same_filters,
            the_posting_page_embeds_one_job_posting_with_the_postings_values,
            a_closed_posting_says_so_and_is_noindex,
            the_posting_page_tells_its_history_and_the_same_job_elsewhere,
            unknown_postings_are_404_pages,
            a_browser_asking_for_a_job_is_sent_to_its_page_and_clients_still_get_json,
            facets_count_the_open_postings_the_filters_leave,
        );
    };
}

mod memory {
    all_scenarios!(super::Kind::Memory);
}

mod sqlite {
    all_scenarios!(super::Kind::Sqlite);
}

#[cfg(feature = "dynamodb")]
mod dynamodb {
    all_scenarios!(super::Kind::DynamoDb);
}
