//! Where a Rippling crawl starts, and the pages of the v2 board API.
//!
//! The v1 board API (`api.rippling.com/platform/api/ats/v1/board/{board}/jobs`, also served
//! as `ats.rippling.com/api/v1/board/{board}/jobs`) answers with the whole board at once;
//! the v2 API of the career site (`ats.rippling.com/api/v2/board/{board}/jobs`) in pages
//! numbered from 0 (`page`, `pageSize`) up to its `totalPages`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{PageRequest, Pager, query_number, with_query};
use crate::crawl::fetch::Document;

/// Page size asked of the v2 API when the address names none (its default is 20).
pub const V2_PAGE_SIZE: u64 = 100;

/// Where a crawl of the v2 API is in the board's pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pages {
    /// The list's address the pages are built from.
    url: Url,
    /// `page` of the page last asked for.
    page: u64,
}

/// The pager of a Rippling source configured at `url`, and its first request.
///
/// An API address is fetched as given: one document for v1, pages for v2 (with a `pageSize`
/// of [`V2_PAGE_SIZE`] added when it has none). A career-site address on `ats.rippling.com`
/// (`/{board}/jobs`, a posting page under it, with or without a locale segment first)
/// becomes the board's v1 list, `https://api.rippling.com/platform/api/ats/v1/board/{board}/jobs`
/// (the crawl allows the host its first request goes to). Any other address is fetched as
/// given.
pub fn start(url: &Url) -> (Pager, PageRequest) {
    if is_v2_list(url) {
        let page = query_number(url, "page").unwrap_or(0);
        let first = if query_number(url, "pageSize").is_some() {
            url.clone()
        } else {
            with_query(url, &[("pageSize", V2_PAGE_SIZE)])
        };
        let pages = Pages {
            url: first.clone(),
            page,
        };
        return (Pager::Rippling(pages), PageRequest::get(first));
    }
    (Pager::Single, PageRequest::get(list_url(url)))
}

impl Pages {
    /// The next v2 page while the pages read are fewer than `totalPages`; `None` after the
    /// last, on an empty page, or when the page cannot be read.
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        let page: Value = serde_json::from_str(&doc.body).ok()?;
        let count = page.get("items")?.as_array()?.len();
        let total = page.get("totalPages")?.as_u64()?;
        // The page the API says it gave (it echoes `page`), else the one asked for.
        let current = page
            .get("page")
            .and_then(Value::as_u64)
            .unwrap_or(self.page);
        let next = current.checked_add(1)?;
        if count == 0 || next >= total {
            return None;
        }
        self.page = next;
        Some(PageRequest::get(with_query(&self.url, &[("page", next)])))
    }
}

/// Whether `url` is a v2 board list (`/api/v2/board/{board}/jobs`), on any host.
fn is_v2_list(url: &Url) -> bool {
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    matches!(segments.as_slice(), [.., "api", "v2", "board", _, "jobs"])
}

fn list_url(url: &Url) -> Url {
    let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
        return url.clone();
    };
    let career_site = host.starts_with("ats.") && host.ends_with(".rippling.com");
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    if !career_site || segments.first().is_none_or(|first| *first == "api") {
        return url.clone();
    }
    let board = match segments.iter().position(|s| *s == "jobs") {
        Some(at) => at.checked_sub(1).and_then(|before| segments.get(before)),
        // The board's root: `/{board}`, or `/{locale}/{board}`.
        None => segments.last(),
    };
    let Some(board) = board else {
        return url.clone();
    };
    Url::parse(&format!(
        "https://api.rippling.com/platform/api/ats/v1/board/{board}/jobs"
    ))
    .unwrap_or_else(|_| url.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn the_career_site_leads_to_the_boards_list_on_the_api_host() {
        for site in [
            "https://ats.rippling.com/pythian/jobs",
            "https://ats.rippling.com/pythian/jobs/",
            "https://ats.rippling.com/pythian",
            "https://ats.rippling.com/en-GB/pythian/jobs?department=x",
            "https://ats.rippling.com/pythian/jobs/144f31c4-38a4-4666-97b4-2c88a3f123da",
        ] {
            let (pager, first) = start(&url(site));
            assert_eq!(pager, Pager::Single, "{site}");
            assert_eq!(
                first.url.as_str(),
                "https://api.rippling.com/platform/api/ats/v1/board/pythian/jobs",
                "{site}"
            );
        }
    }

    #[test]
    fn v1_addresses_and_other_shapes_are_one_document_fetched_as_given() {
        for given in [
            "https://api.rippling.com/platform/api/ats/v1/board/pythian/jobs",
            "https://api.rippling.com/platform/api/ats/v1/board/pythian/jobs/144f31c4",
            "https://ats.rippling.com/api/v1/board/pythian/jobs",
            "http://127.0.0.1:9000/platform/api/ats/v1/board/pythian/jobs",
            "https://ats.rippling.com/",
            "https://careers.example.com/jobs",
        ] {
            let (pager, first) = start(&url(given));
            assert_eq!(pager, Pager::Single, "{given}");
            assert_eq!(first.url.as_str(), given);
        }
    }

    #[test]
    fn the_v2_list_is_paged_up_to_its_total_pages() {
        let base = url("https://ats.rippling.com/api/v2/board/acme/jobs");
        let (mut pager, first) = start(&base);
        assert_eq!(
            first.url.as_str(),
            "https://ats.rippling.com/api/v2/board/acme/jobs?pageSize=100"
        );
        let page = |n: u64, items: usize| {
            let items: Vec<Value> = (0..items).map(|i| serde_json::json!({ "id": i })).collect();
            let body = serde_json::json!({ "items": items, "page": n, "pageSize": 100,
                "totalItems": 250, "totalPages": 3 });
            Document::new(base.clone(), body.to_string())
        };
        let second = pager.next(&page(0, 100)).unwrap();
        assert_eq!(
            second.url.as_str(),
            "https://ats.rippling.com/api/v2/board/acme/jobs?pageSize=100&page=1"
        );
        let third = pager.next(&page(1, 100)).unwrap();
        assert!(third.url.as_str().ends_with("?pageSize=100&page=2"));
        assert_eq!(pager.next(&page(2, 50)), None);
        assert_eq!(pager.next(&page(1, 0)), None, "an empty page ends the list");
        let refused = r#"{"error_code": "RESOURCE_NOT_FOUND", "message": "Job Board not found"}"#;
        assert_eq!(pager.next(&Document::new(base.clone(), refused)), None);
    }

    #[test]
    fn a_v2_address_keeps_its_page_size_and_starting_page() {
        let given = url("https://ats.rippling.com/api/v2/board/acme/jobs?page=2&pageSize=20");
        let (mut pager, first) = start(&given);
        assert_eq!(first.url, given);
        let body = r#"{"items": [{"id": "x"}], "totalPages": 5}"#;
        let next = pager.next(&Document::new(given.clone(), body)).unwrap();
        assert_eq!(
            next.url.as_str(),
            "https://ats.rippling.com/api/v2/board/acme/jobs?page=3&pageSize=20"
        );
    }
}
