//! Paging of Workday career sites: the search endpoint (`/wday/cxs/{tenant}/{site}/jobs`) is
//! POSTed `{"appliedFacets", "limit", "offset", "searchText"}`, 20 jobs at most a page.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

use super::{PageRequest, Pager};
use crate::crawl::fetch::Document;
use crate::extract::workday::Site;

/// Jobs asked for per page: the most Workday answers.
pub const PAGE_SIZE: u64 = 20;

/// The `total` Workday reports at most: a tenant with more jobs still says this, so it only
/// bounds the list from below.
pub const TOTAL_CAP: u64 = 2000;

/// Where a Workday crawl is in its list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pages {
    /// The search endpoint, or the source's address when that is not a Workday site.
    search: Url,
    /// Whether `search` is the search endpoint (otherwise it is read once, as given).
    paged: bool,
    /// `offset` of the page last asked for.
    offset: u64,
    /// The number of jobs the first page reported (later pages report 0), when below the cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
    /// `searchText` (the career site's `q` parameter).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    search_text: String,
    /// `appliedFacets` (the career site's facet parameters: facet name to value ids).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    facets: BTreeMap<String, Vec<String>>,
}

/// The pager of a Workday source configured at `url`, and its first request.
///
/// `url` may be the career site (`https://nvidia.wd5.myworkdayjobs.com/[en-US/]NVIDIAExternalCareerSite[/…]`,
/// `https://wd1.myworkdaysite.com/recruiting/wf/WellsFargoJobs`) or the search endpoint
/// itself, on any host. The site's `q` parameter becomes the search text and parameters whose
/// values are Workday ids (32 hex digits, as the site writes its facets) become applied
/// facets; other parameters (tracking) are dropped. Any other address is fetched as given.
pub fn start(url: &Url) -> (Pager, PageRequest) {
    let Some(search) = Site::from_url(url).and_then(|site| site.search_url()) else {
        let pages = Pages {
            search: url.clone(),
            paged: false,
            offset: 0,
            total: None,
            search_text: String::new(),
            facets: BTreeMap::new(),
        };
        return (Pager::Workday(pages), PageRequest::get(url.clone()));
    };
    let mut search_text = String::new();
    let mut facets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, value) in url.query_pairs() {
        if key == "q" {
            search_text = value.trim().to_owned();
        } else if is_id(&value) {
            facets
                .entry(key.into_owned())
                .or_default()
                .push(value.into_owned());
        }
    }
    let pages = Pages {
        search,
        paged: true,
        offset: 0,
        total: None,
        search_text,
        facets,
    };
    let first = pages.request();
    (Pager::Workday(pages), first)
}

/// Whether a query value is a Workday object id (`0c40f6bd1d8f10ae43ffaefd46dc7e78`).
fn is_id(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Pages {
    /// The search request for the current offset.
    fn request(&self) -> PageRequest {
        PageRequest::post_json(
            self.search.clone(),
            json!({
                "appliedFacets": self.facets,
                "limit": PAGE_SIZE,
                "offset": self.offset,
                "searchText": self.search_text,
            }),
        )
    }

    /// The request after `doc`, or `None` at the end of the list.
    ///
    /// The list ends at an empty or short page, or when the pages cover the `total` the first
    /// page reported, unless that total is the cap (then only a short page ends it).
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        if !self.paged {
            return None;
        }
        let page: Value = serde_json::from_str(&doc.body).ok()?;
        let count = page.get("jobPostings")?.as_array()?.len() as u64;
        if let Some(total) = page.get("total").and_then(Value::as_u64).filter(|t| *t > 0)
            && self.total.is_none()
            && total < TOTAL_CAP
        {
            self.total = Some(total);
        }
        if count < PAGE_SIZE {
            return None;
        }
        self.offset = self.offset.saturating_add(count);
        if self.total.is_some_and(|total| self.offset >= total) {
            return None;
        }
        Some(self.request())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crawl::fetch::FetchMethod;

    const JOBS: &str = include_str!("../../../testdata/corpus/workday/nvidia_jobs_rsp.json");
    const FACETS: &str = include_str!("../../../testdata/corpus/workday/facets_rsp.json");
    const SEARCH: &str =
        "https://nvidia.wd5.myworkdayjobs.com/wday/cxs/nvidia/NVIDIAExternalCareerSite/jobs";

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn doc(body: &str) -> Document {
        Document::new(url(SEARCH), body)
    }

    fn body(request: &PageRequest) -> Value {
        match &request.method {
            FetchMethod::PostJson(body) => body.clone(),
            FetchMethod::Get => panic!("expected a POST"),
        }
    }

    fn page(count: usize, total: u64) -> String {
        let jobs: Vec<Value> = (0..count)
            .map(|i| json!({ "title": "Job", "externalPath": format!("/job/x/Job_R{i}") }))
            .collect();
        json!({ "total": total, "jobPostings": jobs }).to_string()
    }

    #[test]
    fn a_career_site_address_becomes_a_post_to_its_search_endpoint() {
        for address in [
            "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite",
            "https://nvidia.wd5.myworkdayjobs.com/en-US/NVIDIAExternalCareerSite/",
            "https://nvidia.wd5.myworkdayjobs.com/en-US/NVIDIAExternalCareerSite/job/x/y_JR1?source=linkedin",
            SEARCH,
        ] {
            let (_, first) = start(&url(address));
            assert_eq!(first.url.as_str(), SEARCH, "{address}");
            assert_eq!(
                body(&first),
                json!({ "appliedFacets": {}, "limit": 20, "offset": 0, "searchText": "" }),
                "{address}"
            );
            assert!(!first.preflight);
        }
    }

    #[test]
    fn the_sites_search_text_and_facets_are_kept() {
        let address = url(
            "https://nvidia.wd5.myworkdayjobs.com/en-US/NVIDIAExternalCareerSite?q=golang\
             &jobFamilyGroup=0c40f6bd1d8f10ae43ffaefd46dc7e78&utm_source=x",
        );
        let (_, first) = start(&address);
        assert_eq!(
            body(&first),
            json!({
                "appliedFacets": { "jobFamilyGroup": ["0c40f6bd1d8f10ae43ffaefd46dc7e78"] },
                "limit": 20,
                "offset": 0,
                "searchText": "golang",
            })
        );
    }

    #[test]
    fn pages_follow_by_offset_until_the_first_pages_total_is_covered() {
        let (mut pager, _) = start(&url(SEARCH));
        // The recorded page: 20 of a total of 27.
        let second = pager.next(&doc(JOBS)).unwrap();
        assert_eq!(second.url.as_str(), SEARCH);
        assert_eq!(body(&second)["offset"], 20);
        // Later pages report a total of 0; the first page's total still ends the list.
        let third = pager.next(&doc(&page(20, 0)));
        assert_eq!(third, None, "40 covers the 27");
    }

    #[test]
    fn a_capped_total_does_not_end_the_list_but_a_short_page_does() {
        let (mut pager, _) = start(&url(SEARCH));
        for n in 1..=(TOTAL_CAP / PAGE_SIZE + 2) {
            let next = pager.next(&doc(&page(20, TOTAL_CAP))).unwrap();
            assert_eq!(body(&next)["offset"], n * PAGE_SIZE);
        }
        // The recorded one-job page (its total, 2000, is the cap) is short.
        assert_eq!(pager.next(&doc(FACETS)), None);
        let (mut pager, _) = start(&url(SEARCH));
        assert_eq!(pager.next(&doc(&page(0, 0))), None);
    }

    #[test]
    fn unreadable_pages_and_other_addresses_end_the_list() {
        let (mut pager, _) = start(&url(SEARCH));
        assert_eq!(pager.next(&doc("<html>busy</html>")), None);
        assert_eq!(pager.next(&doc(r#"{"errorCode": "x"}"#)), None);
        let other = url("https://example.com/careers");
        let (mut pager, first) = start(&other);
        assert_eq!(first, PageRequest::get(other));
        assert_eq!(pager.next(&doc(JOBS)), None);
    }

    #[test]
    fn the_pager_survives_a_checkpoint() {
        let (mut pager, _) = start(&url(
            "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite?q=go",
        ));
        pager.next(&doc(JOBS)).unwrap();
        let saved = serde_json::to_string(&pager).unwrap();
        let mut restored: Pager = serde_json::from_str(&saved).unwrap();
        assert_eq!(restored, pager);
        assert_eq!(restored.next(&doc(&page(20, 0))), None);
    }
}
