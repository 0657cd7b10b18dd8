//! RFC 9457 problem details: every error response of the API is one of these, as
//! `application/problem+json`, with a detail a client can act on and never an internal message.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

/// The media type of every error response.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Seconds a client is told to wait before retrying after a 503.
const RETRY_AFTER_SECS: &str = "5";

/// An error response body (RFC 9457).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status code says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status code's reason phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, naming the offending parameter for a 400.
    pub detail: String,
    /// The query parameter that was refused (400 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

impl Problem {
    /// A problem with this status and detail.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Problem {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            parameter: None,
        }
    }

    /// A 400 for a bad value of query parameter `name`; `detail` must name it.
    pub fn bad_parameter(name: &str, detail: impl Into<String>) -> Self {
        Problem {
            parameter: Some(name.to_owned()),
            ..Problem::new(StatusCode::BAD_REQUEST, detail)
        }
    }

    /// A 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::NOT_FOUND, detail)
    }

    /// The client-facing problem for a store error: a refused cursor is the client's 400, the
    /// rest are generic 503 (retryable) or 500 (permanent) without the store's message.
    pub fn from_store(error: &StoreError) -> Self {
        match error {
            StoreError::BadCursor(_) => Problem::bad_parameter(
                "cursor",
                "parameter `cursor` is not a cursor of this query: start again without it",
            ),
            StoreError::Retryable(_) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the job store is temporarily unavailable; retry shortly",
            ),
            StoreError::Permanent(_) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the job store failed to answer this request",
            ),
        }
    }

    /// The status as a `StatusCode` (500 if `status` was set to something invalid).
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        // Serializing strings and a number cannot fail; an empty body is the harmless fallback.
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        );
        // Errors are not worth caching: a 503 must not stick, a 400 is cheap to recompute.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_never_leak_their_message() {
        for error in [
            StoreError::Retryable("table jobs-prod throttled at 10.0.0.7".into()),
            StoreError::Permanent("ValidationException: key schema jobs-prod".into()),
            StoreError::BadCursor("checksum mismatch".into()),
        ] {
            let problem = Problem::from_store(&error);
            let json = serde_json::to_string(&problem).unwrap();
            assert!(!json.contains("jobs-prod"), "{json}");
            assert!(!json.contains("checksum"), "{json}");
        }
    }

    #[test]
    fn store_errors_map_to_400_503_and_500() {
        let status = |e: StoreError| Problem::from_store(&e).status;
        assert_eq!(status(StoreError::BadCursor(String::new())), 400);
        assert_eq!(status(StoreError::Retryable(String::new())), 503);
        assert_eq!(status(StoreError::Permanent(String::new())), 500);
        assert_eq!(
            Problem::from_store(&StoreError::BadCursor(String::new())).parameter,
            Some("cursor".to_owned())
        );
    }

    #[test]
    fn a_problem_response_is_problem_json_and_not_cached() {
        let response = Problem::new(StatusCode::SERVICE_UNAVAILABLE, "later").into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            PROBLEM_CONTENT_TYPE
        );
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(response.headers()[header::RETRY_AFTER], "5");
    }
}
