//! Where a HERP crawl starts, and the pages of its jobs API.
//!
//! A company's API document (`/careers/api/v1/companies/{slug}`) holds all its jobs at once.
//! The jobs API (`/careers/api/v1/jobs`) pages by company, numbered from 1 (`page`, `limit`
//! of at most 100) up to its `totalPages`, each company with a few of its jobs.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{PageRequest, Pager, query_number, with_query};
use crate::crawl::fetch::Document;

/// Companies per page asked of the jobs API when the address names none (its maximum: more
/// is a 400).
pub const JOBS_PAGE_SIZE: u64 = 100;

/// Where a crawl of the jobs API is in its pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pages {
    /// The address the pages are built from.
    url: Url,
    /// `page` of the page last asked for.
    page: u64,
}

/// The pager of a HERP source configured at `url`, and its first request.
///
/// A company's career site on HERP Hire (`https://herp.careers/v1/{slug}`, a job page
/// under it) or on HERP Career (`/careers/companies/{slug}`) becomes the company's API
/// document, one document. The jobs API is paged (a `limit` of [`JOBS_PAGE_SIZE`] added
/// when it names none, from its `page` or 1). Any other address, the company API itself
/// included, is fetched as given, one document.
pub fn start(url: &Url) -> (Pager, PageRequest) {
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    if let ["careers", "api", "v1", "jobs"] = segments.as_slice() {
        let page = query_number(url, "page").filter(|p| *p > 0).unwrap_or(1);
        let first = if query_number(url, "limit").is_some() {
            url.clone()
        } else {
            with_query(url, &[("limit", JOBS_PAGE_SIZE)])
        };
        let pages = Pages {
            url: first.clone(),
            page,
        };
        return (Pager::Herp(pages), PageRequest::get(first));
    }
    let on_herp = url
        .host_str()
        .is_some_and(|host| host.eq_ignore_ascii_case("herp.careers"));
    let slug = match segments.as_slice() {
        ["v1", slug, ..] | ["careers", "companies", slug, ..] if on_herp => Some(*slug),
        _ => None,
    };
    let Some(slug) = slug else {
        return (Pager::Single, PageRequest::get(url.clone()));
    };
    let mut company = url.clone();
    company.set_path(&format!("/careers/api/v1/companies/{slug}"));
    company.set_query(None);
    company.set_fragment(None);
    (Pager::Single, PageRequest::get(company))
}

impl Pages {
    /// The next page while there are more than the pages read (`totalPages`); `None` after
    /// the last, on a page without companies, or when the page cannot be read.
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        let page: Value = serde_json::from_str(&doc.body).ok()?;
        let count = page.get("companies")?.as_array()?.len();
        let total = page.get("totalPages")?.as_u64()?;
        // The page the API says it gave, else the one asked for.
        let current = page
            .get("page")
            .and_then(Value::as_u64)
            .unwrap_or(self.page);
        let next = current.checked_add(1)?;
        if count == 0 || next > total {
            return None;
        }
        self.page = next;
        Some(PageRequest::get(with_query(&self.url, &[("page", next)])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn a_companys_career_site_leads_to_its_api_document() {
        for site in [
            "https://herp.careers/v1/notainc",
            "https://herp.careers/v1/notainc/",
            "https://herp.careers/v1/notainc/ZluM2laebsdh?utm_source=x",
            "https://herp.careers/careers/companies/notainc",
            "https://herp.careers/careers/companies/notainc/jobs/i3jT6wNu2_Ym",
        ] {
            let (pager, first) = start(&url(site));
            assert_eq!(pager, Pager::Single, "{site}");
            assert_eq!(
                first.url.as_str(),
                "https://herp.careers/careers/api/v1/companies/notainc",
                "{site}"
            );
        }
    }

    #[test]
    fn the_company_api_and_other_shapes_are_one_document_fetched_as_given() {
        for given in [
            "https://herp.careers/careers/api/v1/companies/notainc",
            "http://127.0.0.1:9000/careers/api/v1/companies/notainc",
            "https://herp.careers/",
            "https://example.com/v1/notainc",
        ] {
            let (pager, first) = start(&url(given));
            assert_eq!(pager, Pager::Single, "{given}");
            assert_eq!(first.url.as_str(), given);
        }
    }

    #[test]
    fn the_jobs_api_is_paged_up_to_its_total_pages() {
        let base = url("https://herp.careers/careers/api/v1/jobs");
        let (mut pager, first) = start(&base);
        assert_eq!(
            first.url.as_str(),
            "https://herp.careers/careers/api/v1/jobs?limit=100"
        );
        let page = |n: u64, companies: usize| {
            let companies: Vec<Value> = (0..companies)
                .map(|i| serde_json::json!({ "companySlug": i.to_string(), "jobs": [] }))
                .collect();
            let body = serde_json::json!({ "companies": companies, "total": 250,
                "page": n, "totalPages": 3, "statusCode": 200 });
            Document::new(base.clone(), body.to_string())
        };
        let second = pager.next(&page(1, 100)).unwrap();
        assert_eq!(
            second.url.as_str(),
            "https://herp.careers/careers/api/v1/jobs?limit=100&page=2"
        );
        assert!(pager.next(&page(2, 100)).is_some());
        assert_eq!(pager.next(&page(3, 50)), None);
        assert_eq!(pager.next(&page(2, 0)), None, "an empty page ends the list");
        let error = r#"{"error": {"message": "Function"}}"#;
        assert_eq!(pager.next(&Document::new(base.clone(), error)), None);
    }

    #[test]
    fn the_recorded_jobs_page_asks_for_the_next() {
        let given = url("https://herp.careers/careers/api/v1/jobs?page=1&limit=2");
        let (mut pager, first) = start(&given);
        assert_eq!(first.url, given);
        let corpus = include_str!("../../../testdata/corpus/herp/jobs_rsp.json");
        let next = pager.next(&Document::new(given.clone(), corpus)).unwrap();
        assert_eq!(
            next.url.as_str(),
            "https://herp.careers/careers/api/v1/jobs?page=2&limit=2"
        );
    }
}
