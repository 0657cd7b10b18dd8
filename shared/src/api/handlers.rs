//! The endpoint handlers and their response bodies. Each handler makes a bounded number of
//! store calls (one `list`, or up to three small reads for one posting), and answers through
//! `cache::respond`, so every 200 carries an ETag and honours `If-None-Match`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use url::Url;
use utoipa::openapi::{RefOr, schema::Schema};
use utoipa::{PartialSchema, ToSchema};

use super::Shared;
use super::cache::{CachePolicy, respond};
use super::feeds::{self, FEED_ITEMS, FeedFormat, FeedMeta, JsonFeed};
use super::meter::Stores;
use super::params::{self, Endpoint, FeedParams, JobsParams};
use super::problem::{PROBLEM_CONTENT_TYPE, Problem};
use crate::model::JobPosting;
use crate::registry::SourceStatus;
use crate::store::{PostingChange, PostingReader, SourceState, SourceStateReader};

const JSON: &str = "application/json";
/// Most duplicates listed for one posting (a fingerprint group is a handful of sources).
const MAX_DUPLICATES: usize = 20;

/// A page of postings.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobList<'a> {
    /// Postings, newest first.
    #[schema(value_type = Vec<JobListItem>)]
    pub items: Vec<ListItem<'a>>,
    /// Pass as `cursor` (with the same filters) for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A posting in list form: a `JobPosting` whose `description_html` is only present with
/// `fields=full`.
pub struct JobListItem;

impl PartialSchema for JobListItem {
    fn schema() -> RefOr<Schema> {
        let mut schema = JobPosting::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.required.retain(|field| field != "description_html");
            object.description = Some(
                "A job posting; `description_html` is only present with `fields=full`.".into(),
            );
        }
        schema
    }
}

impl ToSchema for JobListItem {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <JobPosting as ToSchema>::schemas(schemas);
    }
}

/// One posting with its full description, lifecycle fields, history and duplicates.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobDetail {
    /// The posting.
    #[serde(flatten)]
    pub posting: JobPosting,
    /// Earlier versions' key fields, newest first.
    pub history: Vec<PostingChange>,
    /// Whether the stored description was cut to fit the store.
    pub description_truncated: bool,
    /// The same job as seen through other sources.
    pub duplicates: Vec<DuplicateSummary>,
}

/// A short view of a posting of the same job from another source.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateSummary {
    /// Its id (`/jobs/{id}`).
    pub id: String,
    /// Its source.
    pub source: String,
    /// Its title.
    pub title: String,
    /// Its company name.
    pub company: String,
    /// Its page.
    pub url: String,
    /// When it was first seen.
    pub first_seen_at: Option<DateTime<Utc>>,
    /// When it closed, if it did.
    pub closed_at: Option<DateTime<Utc>>,
    /// The canonical posting it duplicates; `null` for the canonical one.
    pub duplicate_of: Option<String>,
}

/// Every source's crawl state.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceList {
    /// Sources by name.
    pub sources: Vec<SourceView>,
}

/// One source: its status in the source registry and its crawl state.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceView {
    /// `enabled` (crawled), `disabled` (not crawled, postings kept open) or `removed` (not
    /// crawled, postings closed); absent for a source the registry does not hold (one of
    /// the built-in configuration).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<SourceStatus>,
    /// The crawl state (a registered source never crawled has the default one).
    #[serde(flatten)]
    pub state: SourceState,
}

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

/// Serializes `body` as JSON and answers it with caching.
pub(super) fn json<T: Serialize>(headers: &HeaderMap, policy: CachePolicy, body: &T) -> Response {
    match serde_json::to_string(body) {
        Ok(text) => respond(headers, JSON, policy, text),
        Err(_) => Problem::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "the response could not be written",
        )
        .into_response(),
    }
}

/// A posting as a list item: `JobPosting`'s JSON without `description_html` unless `full`.
/// Written field by field rather than through a `serde_json::Value` with one key removed,
/// which took a quarter of a 100-item page's CPU (BENCHMARKS.md, search section).
#[derive(Debug)]
pub struct ListItem<'a> {
    posting: &'a JobPosting,
    full: bool,
}

impl Serialize for ListItem<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        // Every field named, no `..`: a field added to the model does not compile here
        // until the list item shows it too.
        let JobPosting {
            id,
            source,
            source_kind,
            external_id,
            url,
            apply_url,
            title,
            company,
            department,
            locations,
            workplace,
            remote_regions,
            employment_type,
            seniority,
            category,
            skills,
            salary,
            description_html,
            description_text,
            posted_at,
            valid_through,
            fetched_at,
            fingerprint,
            content_hash,
            first_seen_at,
            last_seen_at,
            closed_at,
            duplicate_of,
        } = self.posting;
        let mut item = serializer.serialize_struct("JobPosting", 28)?;
        item.serialize_field("id", id)?;
        item.serialize_field("source", source)?;
        item.serialize_field("source_kind", source_kind)?;
        item.serialize_field("external_id", external_id)?;
        item.serialize_field("url", url)?;
        item.serialize_field("apply_url", apply_url)?;
        item.serialize_field("title", title)?;
        item.serialize_field("company", company)?;
        item.serialize_field("department", department)?;
        item.serialize_field("locations", locations)?;
        item.serialize_field("workplace", workplace)?;
        item.serialize_field("remote_regions", remote_regions)?;
        item.serialize_field("employment_type", employment_type)?;
        item.serialize_field("seniority", seniority)?;
        item.serialize_field("category", category)?;
        item.serialize_field("skills", skills)?;
        item.serialize_field("salary", salary)?;
        if self.full {
            item.serialize_field("description_html", description_html)?;
        } else {
            item.skip_field("description_html")?;
        }
        item.serialize_field("description_text", description_text)?;
        item.serialize_field("posted_at", posted_at)?;
        item.serialize_field("valid_through", valid_through)?;
        item.serialize_field("fetched_at", fetched_at)?;
        item.serialize_field("fingerprint", fingerprint)?;
        item.serialize_field("content_hash", content_hash)?;
        // The lifecycle fields are absent until a store sets them, as in `JobPosting`.
        let lifecycle = [
            ("first_seen_at", first_seen_at),
            ("last_seen_at", last_seen_at),
            ("closed_at", closed_at),
        ];
        for (name, value) in lifecycle {
            match value {
                Some(at) => item.serialize_field(name, at)?,
                None => item.skip_field(name)?,
            }
        }
        match duplicate_of {
            Some(canonical) => item.serialize_field("duplicate_of", canonical)?,
            None => item.skip_field("duplicate_of")?,
        }
        item.end()
    }
}

/// Postings, newest first, filtered and paged.
#[utoipa::path(
    get,
    path = "/jobs",
    tag = "jobs",
    params(JobsParams),
    responses(
        (status = 200, description = "A page of postings", body = JobList, content_type = "application/json",
            headers(("ETag" = String, description = "Strong tag of the body"), ("Cache-Control" = String))),
        (status = 304, description = "Not modified: the `If-None-Match` tag is current"),
        (status = 400, description = "A bad parameter (named in `detail` and `parameter`)", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 414, description = "The query string is longer than `MAX_QUERY_BYTES` (8 KiB)", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 500, description = "The store failed", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 503, description = "The store is temporarily unavailable; retry", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
    )
)]
pub async fn list_jobs(
    State(shared): State<Shared>,
    stores: Stores,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let request = params::parse(uri.query(), Endpoint::Jobs)?;
    let page = if request.full {
        stores
            .postings
            .list(&request.query, request.limit, request.cursor.as_deref())
    } else {
        stores
            .postings
            .list_brief(&request.query, request.limit, request.cursor.as_deref())
    }
    .await
    .map_err(|e| stores.meter.store_failed(e))?;
    stores.meter.set_items(page.items.len());
    let body = JobList {
        items: page
            .items
            .iter()
            .map(|stored| ListItem {
                posting: &stored.posting,
                full: request.full,
            })
            .collect(),
        next_cursor: page.next_cursor,
    };
    Ok(json(&headers, shared.public_cache(), &body))
}

/// Whether `id` can be a posting id at all; anything else is a 404 without a store call.
pub(super) fn plausible_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// One posting in full.
#[utoipa::path(
    get,
    path = "/jobs/{id}",
    tag = "jobs",
    params(("id" = String, Path, description = "Posting id")),
    responses(
        (status = 200, description = "The posting", body = JobDetail, content_type = "application/json",
            headers(("ETag" = String, description = "Strong tag of the body"), ("Cache-Control" = String))),
        (status = 303, description = "The request's `Accept` ranks `text/html` above JSON (a browser): see the posting's page, `../postings/{id}`",
            headers(("Location" = String, description = "The posting page, relative to this address"), ("Vary" = String))),
        (status = 304, description = "Not modified: the `If-None-Match` tag is current"),
        (status = 404, description = "No such posting", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 500, description = "The store failed", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 503, description = "The store is temporarily unavailable; retry", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
    )
)]
pub async fn get_job(
    State(shared): State<Shared>,
    stores: Stores,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, Problem> {
    let not_found = || Problem::not_found("no posting has this id");
    let id = id
        .ok()
        .map(|Path(id)| id)
        .filter(|id| plausible_id(id))
        .ok_or_else(not_found)?;
    if prefers_html(&headers) {
        return Ok(see_posting_page(&id, shared.public_cache()));
    }
    let stored = stores
        .postings
        .get_many(std::slice::from_ref(&id))
        .await
        .map_err(|e| stores.meter.store_failed(e))?
        .into_iter()
        .find(|s| s.posting.id == id)
        .ok_or_else(not_found)?;
    let duplicates = duplicates_of(&stores, &stored.posting)
        .await
        .map_err(|e| stores.meter.store_failed(e))?;
    stores.meter.set_items(1);
    let body = JobDetail {
        posting: stored.posting,
        history: stored.history,
        description_truncated: stored.description_truncated,
        duplicates,
    };
    let mut response = json(&headers, shared.public_cache(), &body);
    response
        .headers_mut()
        .append(header::VARY, header::HeaderValue::from_static("Accept"));
    Ok(response)
}

/// Whether the `Accept` header ranks HTML above JSON, as a browser's does
/// (`text/html,…,*/*;q=0.8`). Equal ranks, `*/*` alone and no header at all mean JSON, so
/// every API client keeps getting what it got before pages existed.
pub(super) fn prefers_html(headers: &HeaderMap) -> bool {
    let mut html = 0.0_f32;
    let mut json = 0.0_f32;
    for accept in headers.get_all(header::ACCEPT) {
        let Ok(accept) = accept.to_str() else {
            continue;
        };
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                .clamp(0.0, 1.0);
            let (for_html, for_json) = match media.as_str() {
                "text/html" | "application/xhtml+xml" => (true, false),
                "application/json" => (false, true),
                "text/*" => (true, false),
                "application/*" | "*/*" => (false, true),
                _ => (false, false),
            };
            if for_html {
                html = html.max(quality);
            }
            if for_json {
                json = json.max(quality);
            }
        }
    }
    html > json
}

/// A `303 See Other` from `/jobs/{id}` to the posting's page: relative, so it stays under
/// whatever prefix (an API Gateway stage) the request came through, and `Vary: Accept`
/// because the same address answers JSON to every other client.
fn see_posting_page(id: &str, cache: CachePolicy) -> Response {
    let location = format!("../postings/{id}");
    let mut response = (
        axum::http::StatusCode::SEE_OTHER,
        [(header::LOCATION, location)],
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::VARY, header::HeaderValue::from_static("Accept"));
    headers.insert(header::CACHE_CONTROL, cache.header_value());
    response
}

/// The other postings of the posting's duplicate cluster (the canonical one and every
/// posting pointing at it), sorted by source and id so the body is stable.
pub(super) async fn duplicates_of(
    stores: &Stores,
    posting: &JobPosting,
) -> Result<Vec<DuplicateSummary>, crate::store::StoreError> {
    if posting.fingerprint.is_empty() {
        return Ok(Vec::new());
    }
    let canonical = posting.duplicate_of.as_deref().unwrap_or(&posting.id);
    let group = stores
        .postings
        .fingerprint_groups(std::slice::from_ref(&posting.fingerprint))
        .await?;
    let mut ids: Vec<String> = group
        .into_iter()
        .filter(|e| {
            e.id != posting.id
                && (e.id == canonical || e.duplicate_of.as_deref() == Some(canonical))
        })
        .map(|e| e.id)
        .collect();
    ids.sort();
    ids.truncate(MAX_DUPLICATES);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = stores.postings.get_many(&ids).await?;
    found.sort_by(|a, b| {
        (&a.posting.source, &a.posting.id).cmp(&(&b.posting.source, &b.posting.id))
    });
    Ok(found
        .into_iter()
        .map(|s| {
            let p = s.posting;
            DuplicateSummary {
                id: p.id,
                source: p.source,
                title: p.title,
                company: p.company.name,
                url: p.url,
                first_seen_at: p.first_seen_at,
                closed_at: p.closed_at,
                duplicate_of: p.duplicate_of,
            }
        })
        .collect())
}

/// Where a feed's links start.
struct LinkBase {
    /// The API's base address ending in `/`, or empty for links relative to the feed.
    base: String,
    /// Whether it was read from the request's headers (the response varies by them).
    from_headers: bool,
}

/// The API's base address: the configured one; else the request's `Host` (and
/// `X-Forwarded-Proto`, as set by API Gateway and most proxies) when that host is one of
/// `link_hosts`; else none, and the feed's links are relative.
fn link_base(shared: &Shared, headers: &HeaderMap) -> LinkBase {
    let config = &shared.api.config;
    if let Some(base) = &config.public_base_url {
        let mut base = base.clone();
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        return LinkBase {
            base: base.into(),
            from_headers: false,
        };
    }
    let relative = LinkBase {
        base: String::new(),
        from_headers: false,
    };
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return relative;
    };
    let name = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    let allowed = config
        .link_hosts
        .iter()
        .any(|allowed| allowed.eq_ignore_ascii_case(host) || allowed.eq_ignore_ascii_case(name));
    if !allowed {
        return relative;
    }
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split(',').next())
        .map(str::trim)
        .filter(|s| matches!(*s, "http" | "https"))
        .unwrap_or("http");
    match Url::parse(&format!("{scheme}://{host}/")) {
        Ok(url) if url.path() == "/" && url.query().is_none() => LinkBase {
            base: url.into(),
            from_headers: true,
        },
        _ => relative,
    }
}

/// `base` followed by `path`, with the request's query.
fn address(base: &str, path: &str, query: Option<&str>) -> String {
    match query {
        Some(query) => format!("{base}{path}?{query}"),
        None => format!("{base}{path}"),
    }
}

async fn feed(
    format: FeedFormat,
    path: &str,
    shared: Shared,
    stores: Stores,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let request = params::parse(uri.query(), Endpoint::Feed)?;
    let LinkBase { base, from_headers } = link_base(&shared, &headers);
    let page = stores
        .postings
        .list(&request.query, FEED_ITEMS, None)
        .await
        .map_err(|e| stores.meter.store_failed(e))?;
    stores.meter.set_items(page.items.len());
    let postings: Vec<JobPosting> = page.items.into_iter().map(|s| s.posting).collect();
    let meta = FeedMeta {
        title: shared.api.config.feed_title.clone(),
        self_url: address(&base, path, uri.query()),
        home_url: address(&base, "jobs", uri.query()),
        base_url: base,
    };
    let body = feeds::render(format, &meta, &postings).ok_or_else(|| {
        Problem::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "the feed could not be written",
        )
    })?;
    let mut response = respond(&headers, format.content_type(), shared.public_cache(), body);
    if from_headers {
        response.headers_mut().append(
            header::VARY,
            axum::http::HeaderValue::from_static("Host, X-Forwarded-Proto"),
        );
    }
    Ok(response)
}

/// The newest postings as RSS 2.0.
#[utoipa::path(
    get,
    path = "/feed.rss",
    tag = "feeds",
    params(FeedParams),
    responses(
        (status = 200, description = "RSS 2.0 feed of the newest 50 postings", body = String, content_type = "application/rss+xml",
            headers(("ETag" = String, description = "Strong tag of the body"), ("Cache-Control" = String))),
        (status = 304, description = "Not modified: the `If-None-Match` tag is current"),
        (status = 400, description = "A bad parameter (named in `detail` and `parameter`)", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 414, description = "The query string is longer than `MAX_QUERY_BYTES` (8 KiB)", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 500, description = "The store failed", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 503, description = "The store is temporarily unavailable; retry", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
    )
)]
pub async fn feed_rss(
    State(shared): State<Shared>,
    stores: Stores,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    feed(FeedFormat::Rss, "feed.rss", shared, stores, uri, headers).await
}

/// The newest postings as Atom.
#[utoipa::path(
    get,
    path = "/feed.atom",
    tag = "feeds",
    params(FeedParams),
    responses(
        (status = 200, description = "Atom feed of the newest 50 postings", body = String, content_type = "application/atom+xml",
            headers(("ETag" = String, description = "Strong tag of the body"), ("Cache-Control" = String))),
        (status = 304, description = "Not modified: the `If-None-Match` tag is current"),
        (status = 400, description = "A bad parameter (named in `detail` and `parameter`)", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 414, description = "The query string is longer than `MAX_QUERY_BYTES` (8 KiB)", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 500, description = "The store failed", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 503, description = "The store is temporarily unavailable; retry", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
    )
)]
pub async fn feed_atom(
    State(shared): State<Shared>,
    stores: Stores,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    feed(FeedFormat::Atom, "feed.atom", shared, stores, uri, headers).await
}

/// The newest postings as JSON Feed 1.1.
#[utoipa::path(
    get,
    path = "/feed.json",
    tag = "feeds",
    params(FeedParams),
    responses(
        (status = 200, description = "JSON Feed 1.1 of the newest 50 postings", body = JsonFeed, content_type = "application/feed+json",
            headers(("ETag" = String, description = "Strong tag of the body"), ("Cache-Control" = String))),
        (status = 304, description = "Not modified: the `If-None-Match` tag is current"),
        (status = 400, description = "A bad parameter (named in `detail` and `parameter`)", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 414, description = "The query string is longer than `MAX_QUERY_BYTES` (8 KiB)", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 500, description = "The store failed", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 503, description = "The store is temporarily unavailable; retry", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
    )
)]
pub async fn feed_json(
    State(shared): State<Shared>,
    stores: Stores,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    feed(FeedFormat::Json, "feed.json", shared, stores, uri, headers).await
}

/// Every source's crawl state, for operators.
#[utoipa::path(
    get,
    path = "/sources",
    tag = "operations",
    responses(
        (status = 200, description = "Source states (revalidate on every use: `no-cache`)", body = SourceList, content_type = "application/json",
            headers(("ETag" = String, description = "Strong tag of the body"), ("Cache-Control" = String))),
        (status = 304, description = "Not modified: the `If-None-Match` tag is current"),
        (status = 500, description = "The store failed", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 503, description = "The store is temporarily unavailable; retry", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
    )
)]
pub async fn list_sources(
    State(shared): State<Shared>,
    stores: Stores,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let (states, registered) = tokio::try_join!(
        stores.sources.source_states(),
        shared.api.registry.registered_sources()
    )
    .map_err(|e| stores.meter.store_failed(e))?;
    let mut views: std::collections::BTreeMap<String, SourceView> = states
        .into_iter()
        .map(|state| {
            let view = SourceView {
                status: None,
                state,
            };
            (view.state.name.clone(), view)
        })
        .collect();
    for entry in registered {
        views
            .entry(entry.name.clone())
            .or_insert_with(|| SourceView {
                status: None,
                state: SourceState {
                    name: entry.name.clone(),
                    ..SourceState::default()
                },
            })
            .status = Some(entry.status);
    }
    let sources: Vec<SourceView> = views.into_values().collect();
    stores.meter.set_items(sources.len());
    Ok(json(
        &headers,
        CachePolicy::Revalidate,
        &SourceList { sources },
    ))
}

/// Liveness: answers without touching the store (a health probe should cost nothing).
#[utoipa::path(
    get,
    path = "/health",
    tag = "operations",
    responses(
        (status = 200, description = "The API is up (`no-store`)", body = Health, content_type = "application/json"),
        (status = 304, description = "Not modified: the `If-None-Match` tag is current"),
    )
)]
pub async fn health(headers: HeaderMap) -> Response {
    json(
        &headers,
        CachePolicy::NoStore,
        &Health {
            status: "ok".to_owned(),
        },
    )
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document", body = Object, content_type = "application/json",
            headers(("ETag" = String, description = "Strong tag of the body"), ("Cache-Control" = String))),
        (status = 304, description = "Not modified: the `If-None-Match` tag is current"),
    )
)]
pub async fn openapi_json(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    respond(
        &headers,
        JSON,
        shared.public_cache(),
        shared.openapi_json.to_string(),
    )
}

/// Unknown routes.
pub async fn not_found() -> Problem {
    Problem::not_found("no such endpoint; see /openapi.json")
}

/// Known routes with another method than GET or HEAD (axum adds the `Allow` header).
pub async fn method_not_allowed() -> Problem {
    Problem::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "this endpoint only answers GET and HEAD",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_item_is_the_posting_json_without_its_html_unless_full() {
        let bare = crate::app::fixtures::posting("lever", "1");
        let now = Utc::now();
        let with_lifecycle = JobPosting {
            first_seen_at: Some(now),
            last_seen_at: Some(now),
            closed_at: Some(now),
            duplicate_of: Some("canonical".into()),
            ..bare.clone()
        };
        for posting in [&bare, &with_lifecycle] {
            let whole = serde_json::to_value(posting).unwrap();
            let full = ListItem {
                posting,
                full: true,
            };
            assert_eq!(serde_json::to_value(&full).unwrap(), whole);
            let mut without_html = whole.clone();
            without_html
                .as_object_mut()
                .unwrap()
                .remove("description_html");
            let brief = ListItem {
                posting,
                full: false,
            };
            assert_eq!(serde_json::to_value(&brief).unwrap(), without_html);
        }
        assert!(
            serde_json::to_string(&ListItem {
                posting: &bare,
                full: false
            })
            .unwrap()
            .starts_with(r#"{"id":""#)
        );
    }

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, value.parse().unwrap());
        headers
    }

    #[test]
    fn browsers_accept_headers_prefer_html() {
        for browser in [
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
            "application/xhtml+xml",
            "TEXT/HTML; Q=1, application/json;q=0.5",
        ] {
            assert!(prefers_html(&accept(browser)), "{browser}");
        }
    }

    #[test]
    fn api_clients_and_ties_keep_json() {
        assert!(!prefers_html(&HeaderMap::new()));
        for client in [
            "*/*",
            "application/json",
            "application/json, text/html",
            "text/html;q=0.5, application/json",
            "text/html;q=0.8, */*;q=0.8",
            "text/html;q=0, */*",
            "image/png",
            "text/html;q=nonsense;, application/*",
        ] {
            assert!(!prefers_html(&accept(client)), "{client}");
        }
    }
}
