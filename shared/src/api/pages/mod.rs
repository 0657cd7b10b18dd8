//! The pages for people, served by the same router as the JSON API: `GET /` (the search
//! form, its results and facet counts), `GET /postings/{id}` (one posting with its JSON-LD)
//! `GET /assets/style.css` (the one stylesheet) and `GET /assets/icon.svg`. No script runs on them: the form is a
//! plain GET, so every search is a shareable address, and the Content-Security-Policy allows
//! no script at all (the JSON-LD block is data, which CSP does not govern).
//!
//! Caching is the JSON API's (`cache::respond`: ETag, 304, `public, max-age`); refused
//! searches and failures are `no-store`. Every page also carries the policy headers of
//! `secure`.

mod jsonld;
mod view;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::Shared;
use super::cache::respond;
use super::handlers::{duplicates_of, plausible_id};
use super::meter::Stores;
use super::params::{self, Endpoint};
use super::problem::Problem;
use crate::store::PostingReader;

/// The pages' media type.
pub const HTML: &str = "text/html; charset=utf-8";
/// The stylesheet's media type.
const CSS: &str = "text/css; charset=utf-8";
/// The one stylesheet, compiled in.
const STYLESHEET: &str = include_str!("style.css");
/// The icon's media type.
const SVG: &str = "image/svg+xml";
/// The site icon (so browsers do not ask for a missing `/favicon.ico`), compiled in.
const ICON: &str = include_str!("icon.svg");

/// The pages' Content-Security-Policy: nothing but this origin's stylesheet; no script, no
/// frame, no plugin; forms only to this origin; the page may not be framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the page policy headers; `noindex` also tells crawlers to leave the page out.
fn secure(mut response: Response, noindex: bool) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if noindex {
        headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    }
    response
}

/// A page that is not the cacheable answer: a refused search, a missing posting, a failure.
fn uncached(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(HTML));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    secure(response, true)
}

/// A problem as a page, with its status.
fn problem_page(root: &str, problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    uncached(
        status,
        view::message_page(root, &problem.title, &problem.detail),
    )
}

/// `GET /`: the search form with the newest postings matching the query's filters (the
/// parameters of `/jobs`), the facet counts (first page only), feed links and paging.
pub async fn search(
    State(shared): State<Shared>,
    stores: Stores,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let form = view::FormValues::parse(uri.query());
    let now = Utc::now();
    let request = match params::parse(uri.query(), Endpoint::Jobs) {
        Ok(request) => request,
        Err(problem) => {
            let body = view::search_page(&view::SearchView {
                form: &form,
                error: Some(&problem.detail),
                results: &[],
                next_cursor: None,
                later_page: false,
                facets: None,
                now,
            });
            let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
            return uncached(status, body);
        }
    };
    let later_page = request.cursor.is_some();
    let list = stores
        .postings
        .list_brief(&request.query, request.limit, request.cursor.as_deref());
    let (page, facets) = if later_page {
        (list.await, None)
    } else {
        let counts = shared.facets.counts(&stores.postings, &request.query);
        let (page, facets) = tokio::join!(list, counts);
        // The counts are an aid: the results still show when only they failed.
        (page, facets.ok())
    };
    let page = match page {
        Ok(page) => page,
        Err(error) => return problem_page("", &stores.meter.store_failed(error)),
    };
    stores.meter.set_items(page.items.len());
    let body = view::search_page(&view::SearchView {
        form: &form,
        error: None,
        results: &page.items,
        next_cursor: page.next_cursor.as_deref(),
        later_page,
        facets: facets.as_ref(),
        now,
    });
    secure(respond(&headers, HTML, shared.public_cache(), body), false)
}

/// `GET /postings/{id}`: one posting for people, with its JSON-LD; a closed posting says so
/// and is `noindex`.
pub async fn posting(
    State(shared): State<Shared>,
    stores: Stores,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let not_found = || problem_page("../", &Problem::not_found("no posting has this address"));
    let Some(id) = id.ok().map(|Path(id)| id).filter(|id| plausible_id(id)) else {
        return not_found();
    };
    let found = match stores.postings.get_many(std::slice::from_ref(&id)).await {
        Ok(found) => found,
        Err(error) => return problem_page("../", &stores.meter.store_failed(error)),
    };
    let Some(stored) = found.into_iter().find(|s| s.posting.id == id) else {
        return not_found();
    };
    let duplicates = match duplicates_of(&stores, &stored.posting).await {
        Ok(duplicates) => duplicates,
        Err(error) => return problem_page("../", &stores.meter.store_failed(error)),
    };
    stores.meter.set_items(1);
    // Sanitized at ingest already; again here, so a store written by an older sanitizer (or
    // by hand) still cannot put markup of its choosing on the page.
    let description = crate::normalize::sanitize::sanitize_html(
        &stored.posting.description_html,
        url::Url::parse(&stored.posting.url).ok().as_ref(),
    );
    let json_ld = jsonld::job_posting_ld(&stored.posting, &description);
    let body = view::posting_page(&view::PostingView {
        stored: &stored,
        description_html: &description,
        json_ld: &json_ld,
        duplicates: &duplicates,
        now: Utc::now(),
    });
    let closed = stored.posting.closed_at.is_some();
    secure(respond(&headers, HTML, shared.public_cache(), body), closed)
}

/// `GET /assets/style.css`: the pages' stylesheet.
pub async fn stylesheet(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    respond(&headers, CSS, shared.public_cache(), STYLESHEET.to_owned())
}

/// `GET /assets/icon.svg`: the pages' icon.
pub async fn icon(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    respond(&headers, SVG, shared.public_cache(), ICON.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_no_script_and_no_inline_style() {
        assert!(!CONTENT_SECURITY_POLICY.contains("script-src"));
        assert!(CONTENT_SECURITY_POLICY.starts_with("default-src 'none'"));
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    }

    #[test]
    fn the_stylesheet_has_a_dark_scheme_and_a_narrow_layout() {
        assert!(STYLESHEET.contains("prefers-color-scheme: dark"));
        assert!(STYLESHEET.contains("@media (min-width"));
        assert!(STYLESHEET.len() < 8 * 1024, "one small stylesheet");
    }
}
