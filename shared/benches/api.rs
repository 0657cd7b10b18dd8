//! Per-request time of our own code in the read API: the router (parameter parsing, the
//! handler, JSON or feed rendering, ETag hashing, CORS, the request log) called the way the
//! Lambda entry point calls it (`tower::ServiceExt::oneshot` on an `http::Request`), over a
//! canned store that hands back a ready page of 20 corpus postings without any work, so
//! what is measured excludes the store. `scripts/bench-api` runs it and writes BENCHMARKS.md.

use std::hint::black_box;
use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use jobfeed::JobPosting;
use jobfeed::api::{ApiConfig, ApiState, router};
use jobfeed::extract::ExtractKind;
use jobfeed::parse::{DEFAULT_MAX_DOCUMENT_BYTES, ParseOptions, parse_document};
use jobfeed::store::memory::MemoryStore;
use jobfeed::store::{
    IndexEntry, ListQuery, Page, PostingReader, StoreError, StoredPosting, UsageSnapshot,
};
use tower::ServiceExt;

/// Postings the canned store holds (one `/jobs` page).
const PAGE: usize = 20;

fn fetched_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 20, 12, 0, 0).unwrap()
}

/// The first `PAGE` postings of three corpus responses, as a store would return them.
fn page() -> Vec<StoredPosting> {
    let parse = |bytes: &[u8], url: &str, source: &str| -> Vec<JobPosting> {
        let url = url::Url::parse(url).unwrap();
        let options = ParseOptions {
            kind: ExtractKind::Auto,
            url: Some(&url),
            source: Some(source),
            company_override: None,
            fetched_at: fetched_at(),
            max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
        };
        parse_document(bytes, &options).unwrap().postings
    };
    let mut postings = parse(
        include_bytes!("../testdata/corpus/workable/jobs_rsp.json"),
        "https://apply.workable.com/api/v3/accounts/blueground/jobs",
        "workable-blueground",
    );
    postings.extend(parse(
        include_bytes!("../testdata/corpus/remoteok/jobs_rsp.json"),
        "https://remoteok.com/api",
        "remoteok",
    ));
    postings.extend(parse(
        include_bytes!("../testdata/corpus/ashby/board_rsp.json"),
        "https://api.ashbyhq.com/posting-api/job-board/browserbase",
        "ashby-browserbase",
    ));
    assert!(postings.len() >= PAGE);
    postings
        .into_iter()
        .take(PAGE)
        .enumerate()
        .map(|(i, mut posting)| {
            posting.first_seen_at = Some(fetched_at() - Duration::hours(i as i64));
            posting.last_seen_at = Some(fetched_at());
            StoredPosting {
                posting,
                history: Vec::new(),
                description_truncated: false,
                revision: 1,
                mark: None,
            }
        })
        .collect()
}

/// A store that answers reads from a fixed page and does nothing else: the store mocked out.
struct CannedStore(Vec<StoredPosting>);

#[async_trait]
impl PostingReader for CannedStore {
    async fn fingerprint_groups(&self, _: &[String]) -> Result<Vec<IndexEntry>, StoreError> {
        Ok(Vec::new())
    }
    async fn get_many(&self, ids: &[String]) -> Result<Vec<StoredPosting>, StoreError> {
        Ok(self
            .0
            .iter()
            .filter(|s| ids.contains(&s.posting.id))
            .cloned()
            .collect())
    }
    async fn list(&self, _: &ListQuery, limit: usize, _: Option<&str>) -> Result<Page, StoreError> {
        Ok(Page {
            items: self.0.iter().take(limit).cloned().collect(),
            next_cursor: Some("canned-next-page".into()),
        })
    }
    fn usage(&self) -> UsageSnapshot {
        UsageSnapshot::default()
    }
}

/// One request through the router, body read to the end (as the Lambda adapter does).
async fn call(router: &Router, uri: &str) -> usize {
    let request = Request::get(uri)
        .header(header::HOST, "api.example")
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .len()
}

fn api(c: &mut Criterion) {
    let page = page();
    // The posting with the longest description: the largest `/jobs/{id}` body of the page.
    let id = page
        .iter()
        .max_by_key(|s| s.posting.description_html.len())
        .map(|s| s.posting.id.clone())
        .unwrap();
    let router = router(ApiState {
        postings: Arc::new(CannedStore(page)),
        sources: Arc::new(MemoryStore::new()),
        registry: Arc::new(MemoryStore::new()),
        config: ApiConfig::default(),
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("api");
    for (name, uri) in [
        ("jobs_limit_20", "/jobs?limit=20".to_owned()),
        ("job_by_id", format!("/jobs/{id}")),
        ("feed_rss", "/feed.rss".to_owned()),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| runtime.block_on(call(&router, black_box(&uri))))
        });
    }
    group.finish();
}

criterion_group!(benches, api);
criterion_main!(benches);
