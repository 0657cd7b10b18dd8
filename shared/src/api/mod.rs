//! The read API: one axum `Router` over the store's read side, served by `lambda_http::run` on
//! Lambda and by `axum::serve` in `jobfeed serve`. It depends on neither runtime (no
//! `ConnectInfo`, no server types), only on the store's read side (`PostingReader`,
//! `SourceStateReader`).
//!
//! Endpoints: `GET /jobs`, `/jobs/{id}`, `/feed.rss`, `/feed.atom`, `/feed.json`, `/sources`,
//! `/openapi.json`, `/health` (HEAD too), `/facets`; and the pages for people (`pages`): `/`,
//! `/postings/{id}`, `/assets/style.css`, `/assets/icon.svg`. Every error is an `application/problem+json` body
//! (`problem`); unknown routes are 404 and other methods 405 problems.
//!
//! Caching (`cache`): a strong ETag on every 200 and 304 on `If-None-Match`. `Cache-Control` is
//! `public, max-age=N` (`ApiConfig::cache_max_age_secs`) on `/jobs`, `/jobs/{id}`, the feeds
//! and `/openapi.json`; `no-cache` on `/sources` (operators want the latest crawl, but a
//! revalidation with the ETag is still cheap); `no-store` on `/health` and on every problem.
//!
//! Layers, outermost first: the request log (`meter`), CORS, the per-encoding ETag, and
//! gzip/br compression.

mod cache;
mod facet_cache;
mod facets;
pub mod feeds;
mod handlers;
mod meter;
mod pages;
mod params;
mod problem;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Method, header};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use feeds::FEED_ITEMS;
pub use params::{DEFAULT_LIMIT, Endpoint, MAX_LIMIT, MAX_QUERY_BYTES, Param};
/// The query-string parser of `/jobs` and the feeds, exported only for the fuzz targets
/// (`fuzz/`); the router is the API's real entry point.
#[doc(hidden)]
pub use params::{ListRequest, parse as parse_list_query};
pub use problem::{PROBLEM_CONTENT_TYPE, Problem};

use crate::store::{PostingReader, SourceRegistryReader, SourceStateReader};

/// How long browsers keep a CORS preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// What the router serves from.
#[derive(Clone)]
pub struct ApiState {
    /// Postings (the read side: `list`, `get_many`, `fingerprint_groups`).
    pub postings: Arc<dyn PostingReader>,
    /// Source states (the read side: `source_states`).
    pub sources: Arc<dyn SourceStateReader>,
    /// The source registry (the read side: `registered_sources`), for each source's status
    /// in `/sources`.
    pub registry: Arc<dyn SourceRegistryReader>,
    /// Settings.
    pub config: ApiConfig,
}

/// Settings of the read API.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiConfig {
    /// `max-age` of lists, postings and feeds, in seconds.
    pub cache_max_age_secs: u32,
    /// Origins allowed by CORS; empty allows any (`*`). Values that are not valid header
    /// values are skipped with a warning.
    pub cors_origins: Vec<String>,
    /// The public address of the API (with any stage prefix), for the links in feeds.
    pub public_base_url: Option<url::Url>,
    /// Without a public address: the host names (as in `Host`, a port allowed) whose
    /// requests build absolute feed links from `Host` and `X-Forwarded-Proto` (the
    /// response then varies by those headers). Any other host gets links relative to the
    /// feed, so a shared cache can never hand one client links to a host another sent.
    pub link_hosts: Vec<String>,
    /// The feeds' title.
    pub feed_title: String,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            cache_max_age_secs: 60,
            cors_origins: Vec::new(),
            public_base_url: None,
            link_hosts: Vec::new(),
            feed_title: "jobfeed".to_owned(),
        }
    }
}

/// The router's state: the caller's state plus the OpenAPI document, rendered once.
#[derive(Clone)]
pub(crate) struct Shared {
    api: ApiState,
    openapi_json: Arc<str>,
    /// Facet counts per filter set, kept for the lists' `max-age`.
    facets: Arc<facet_cache::FacetCache>,
}

impl Shared {
    fn public_cache(&self) -> cache::CachePolicy {
        cache::CachePolicy::Public(self.api.config.cache_max_age_secs)
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "jobfeed",
        description = "Job postings aggregated from many sources: JSON with filters and cursors, RSS, Atom and JSON Feed."
    ),
    tags(
        (name = "jobs", description = "Postings as JSON"),
        (name = "feeds", description = "The newest postings for feed readers"),
        (name = "operations", description = "Crawl state, health and this document"),
    ),
    components(schemas(Problem))
)]
struct ApiDoc;

/// Every endpoint, registered together with its OpenAPI operation so the two cannot differ.
fn api_routes() -> OpenApiRouter<Shared> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(handlers::list_jobs))
        .routes(routes!(handlers::get_job))
        .routes(routes!(handlers::feed_rss))
        .routes(routes!(handlers::feed_atom))
        .routes(routes!(handlers::feed_json))
        .routes(routes!(facets::facets))
        .routes(routes!(handlers::list_sources))
        .routes(routes!(handlers::health))
        .routes(routes!(handlers::openapi_json))
}

/// The OpenAPI 3.1 document of the router (the one `/openapi.json` serves).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_routes().into_openapi()
}

/// The paths of the pages for people (HTML and their assets), served beside the endpoints
/// of the OpenAPI document: the search page, a posting's page, the stylesheet, the icon.
/// A deployment routes these as well as every documented endpoint.
pub const PAGE_ROUTES: [&str; 4] = [
    "/",
    "/postings/{id}",
    "/assets/style.css",
    "/assets/icon.svg",
];

/// The read API over `state`'s stores, with CORS, compression and the request log.
pub fn router(state: ApiState) -> Router {
    let (routes, document) = api_routes().split_for_parts();
    // Serializing the document (maps of strings) cannot fail; an empty body would show it.
    let openapi_json: Arc<str> = document.to_json().unwrap_or_default().into();
    let cors = cors_layer(&state.config.cors_origins);
    let facets = Arc::new(facet_cache::FacetCache::new(Duration::from_secs(
        u64::from(state.config.cache_max_age_secs),
    )));
    let shared = Shared {
        api: state,
        openapi_json,
        facets,
    };
    let [search, posting, stylesheet, icon] = PAGE_ROUTES;
    routes
        .route(search, axum::routing::get(pages::search))
        .route(posting, axum::routing::get(pages::posting))
        .route(stylesheet, axum::routing::get(pages::stylesheet))
        .route(icon, axum::routing::get(pages::icon))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .with_state(shared)
        .layer(CompressionLayer::new())
        .layer(axum::middleware::map_response(cache::tag_encoding))
        .layer(axum::middleware::map_response(no_sniffing))
        .layer(cors)
        .layer(axum::middleware::from_fn(meter::log_request))
}

/// `X-Content-Type-Options: nosniff` on every response: a browser never reads a JSON or
/// feed body as a page.
async fn no_sniffing(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    response
}

fn cors_layer(origins: &[String]) -> CorsLayer {
    let allow_origin = if origins.is_empty() {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|origin| {
            let value = HeaderValue::from_str(origin.trim()).ok();
            if value.is_none() {
                tracing::warn!(origin = %origin, "CORS origin is not a valid header value; skipped");
            }
            value
        }))
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers([header::IF_NONE_MATCH])
        .expose_headers([header::ETAG])
        .max_age(PREFLIGHT_MAX_AGE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, SalaryPeriod, Seniority, SourceKind};

    fn documented_enum(name: &str) -> Vec<String> {
        let document = serde_json::to_value(openapi()).unwrap();
        document["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has an enum"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn model_enums_are_documented_with_their_serialized_spellings() {
        assert_eq!(documented_enum("Workplace"), ["remote", "hybrid", "onsite"]);
        assert_eq!(documented_enum("SourceKind")[0], "jsonld");
        assert!(documented_enum("EmploymentType").contains(&"full_time".to_owned()));
        assert!(documented_enum("SalaryPeriod").contains(&"year".to_owned()));
        for (name, serialized) in [
            ("Seniority", serde_json::to_value(Seniority::ALL).unwrap()),
            ("Category", serde_json::to_value(Category::ALL).unwrap()),
            ("SourceKind", serde_json::to_value(SourceKind::ALL).unwrap()),
            (
                "SalaryPeriod",
                serde_json::to_value(SalaryPeriod::ALL).unwrap(),
            ),
        ] {
            assert_eq!(
                serde_json::to_value(documented_enum(name)).unwrap(),
                serialized
            );
        }
    }
}
