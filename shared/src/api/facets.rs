//! `GET /facets`: how many open postings the `/jobs` filters leave per category, seniority,
//! workplace, employment type and country, and the top companies and skills. At most one
//! store call (`PostingReader::facets`, whose reads are bounded by the adapter): counts of
//! the same filters are kept for the lists' `max-age` (`facet_cache`).

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;

use super::Shared;
use super::handlers::json;
use super::meter::Stores;
use super::params::{self, Endpoint, FeedParams};
use super::problem::{PROBLEM_CONTENT_TYPE, Problem};
use crate::store::facets::Facets;

/// Facet counts of the postings matching the filters.
#[utoipa::path(
    get,
    path = "/facets",
    tag = "jobs",
    params(FeedParams),
    responses(
        (status = 200, description = "Counts per facet for the filters (`complete: false` when the store counted only the newest matching postings)", body = Facets, content_type = "application/json",
            headers(("ETag" = String, description = "Strong tag of the body"), ("Cache-Control" = String))),
        (status = 304, description = "Not modified: the `If-None-Match` tag is current"),
        (status = 400, description = "A bad parameter (named in `detail` and `parameter`)", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 414, description = "The query string is longer than `MAX_QUERY_BYTES` (8 KiB)", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 500, description = "The store failed", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
        (status = 503, description = "The store is temporarily unavailable; retry", body = Problem, content_type = PROBLEM_CONTENT_TYPE),
    )
)]
pub async fn facets(
    State(shared): State<Shared>,
    stores: Stores,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let request = params::parse(uri.query(), Endpoint::Feed)?;
    let facets = shared
        .facets
        .counts(&stores.postings, &request.query)
        .await
        .map_err(|e| stores.meter.store_failed(e))?;
    Ok(json(&headers, shared.public_cache(), &facets))
}
