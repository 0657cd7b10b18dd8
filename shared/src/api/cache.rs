//! HTTP caching: a strong `ETag` (a hash of the body) on every 200, `304 Not Modified` on a
//! matching `If-None-Match`, and one `Cache-Control` policy per endpoint.
//!
//! The compression layer sits outside the handlers, so the handler's tag describes the
//! uncompressed body. A compressed body is a different representation and gets its own strong
//! tag (`"<hash>-gzip"`, added by `tag_encoding`); `If-None-Match` accepts either spelling of
//! the same hash, and a 304 echoes the tag the client sent.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// How long a response may be cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachePolicy {
    /// `public, max-age=N`: lists, feeds, postings, the OpenAPI document.
    Public(u32),
    /// `no-cache`: may be stored, but revalidated (with the ETag) every time: `/sources`,
    /// which operators read to see the latest crawl.
    Revalidate,
    /// `no-store`: `/health`, whose answer must be live.
    NoStore,
}

impl CachePolicy {
    /// The `Cache-Control` value of this policy.
    pub(crate) fn header_value(self) -> HeaderValue {
        match self {
            CachePolicy::Public(secs) => HeaderValue::from_str(&format!("public, max-age={secs}"))
                .unwrap_or(HeaderValue::from_static("no-cache")),
            CachePolicy::Revalidate => HeaderValue::from_static("no-cache"),
            CachePolicy::NoStore => HeaderValue::from_static("no-store"),
        }
    }
}

/// The strong entity tag of a body, quoted: 32 hex digits of its 128-bit XXH3 hash. A tag
/// only tells versions of one resource apart, so it needs no cryptographic hash, and SHA-256
/// took a tenth of the CPU of a 100-item list (BENCHMARKS.md, search section).
pub fn etag_of(body: &str) -> String {
    format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(body.as_bytes()))
}

/// A 200 with `body`, its ETag and cache policy, or a 304 when `request_headers` carry a
/// matching `If-None-Match`.
pub fn respond(
    request_headers: &HeaderMap,
    content_type: &'static str,
    policy: CachePolicy,
    body: String,
) -> Response {
    let etag = etag_of(&body);
    let (status, body, etag) = match matching_tag(request_headers, &etag) {
        Some(sent) => (StatusCode::NOT_MODIFIED, Body::empty(), sent),
        None => (StatusCode::OK, Body::from(body), etag),
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    if status == StatusCode::OK {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, policy.header_value());
    response
}

/// The tag of `If-None-Match` that matches `etag` (the current, uncompressed tag), as sent;
/// `*` matches anything and answers with `etag`. Comparison is weak (RFC 9110 §13.1.2): a
/// `W/` prefix is ignored.
fn matching_tag(request_headers: &HeaderMap, etag: &str) -> Option<String> {
    let hash = etag.trim_matches('"');
    request_headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .find_map(|sent| {
            if sent == "*" {
                return Some(etag.to_owned());
            }
            let opaque = sent.strip_prefix("W/").unwrap_or(sent).trim_matches('"');
            let base = opaque
                .strip_suffix("-gzip")
                .or_else(|| opaque.strip_suffix("-br"))
                .unwrap_or(opaque);
            (base == hash).then(|| sent.to_owned())
        })
}

/// Response middleware: gives a compressed response its own strong tag by appending the
/// content coding (`"abc"` → `"abc-gzip"`), since the bytes differ from the uncompressed ones.
pub async fn tag_encoding(mut response: Response) -> Response {
    let coding = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .filter(|c| matches!(*c, "gzip" | "br"))
        .map(str::to_owned);
    let Some(coding) = coding else {
        return response;
    };
    let tagged = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .and_then(|tag| tag.strip_suffix('"'))
        .map(|open| format!("{open}-{coding}\""))
        .and_then(|tag| HeaderValue::from_str(&tag).ok());
    if let Some(tagged) = tagged {
        response.headers_mut().insert(header::ETAG, tagged);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_if_none_match(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_etag_is_a_quoted_hash_of_the_body() {
        let tag = etag_of("{}");
        assert_eq!(tag.len(), 34);
        assert!(tag.starts_with('"') && tag.ends_with('"'));
        assert_ne!(tag, etag_of("{ }"));
    }

    #[test]
    fn if_none_match_matches_lists_weak_tags_encodings_and_star() {
        let tag = etag_of("body");
        let hash = tag.trim_matches('"');
        for (sent, echoed) in [
            (tag.clone(), tag.clone()),
            (format!("\"other\", {tag}"), tag.clone()),
            (format!("W/{tag}"), format!("W/{tag}")),
            (format!("\"{hash}-gzip\""), format!("\"{hash}-gzip\"")),
            ("*".to_owned(), tag.clone()),
        ] {
            assert_eq!(
                matching_tag(&with_if_none_match(&sent), &tag),
                Some(echoed),
                "{sent}"
            );
        }
        assert_eq!(matching_tag(&with_if_none_match("\"other\""), &tag), None);
        assert_eq!(matching_tag(&HeaderMap::new(), &tag), None);
    }

    #[test]
    fn a_match_gives_an_empty_304_with_the_sent_tag() {
        let tag = etag_of("body");
        let response = respond(
            &with_if_none_match(&tag),
            "application/json",
            CachePolicy::Public(60),
            "body".into(),
        );
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(response.headers()[header::ETAG], tag.as_str());
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "public, max-age=60"
        );
        assert!(response.headers().get(header::CONTENT_TYPE).is_none());
    }

    #[tokio::test]
    async fn a_compressed_response_gets_a_tag_of_its_own() {
        let mut response = respond(
            &HeaderMap::new(),
            "application/json",
            CachePolicy::NoStore,
            "body".into(),
        );
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        let hash = etag_of("body");
        let hash = hash.trim_matches('"');
        let response = tag_encoding(response).await;
        assert_eq!(
            response.headers()[header::ETAG],
            format!("\"{hash}-gzip\"").as_str()
        );
    }
}
