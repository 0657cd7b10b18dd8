//! Paging of Eightfold career sites: the PCSX search (`/api/pcsx/search?domain=…&start=N`)
//! answers 10 positions a page, with the number found (`data.count`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{PageRequest, Pager, query_number, with_query};
use crate::crawl::fetch::Document;

/// Positions per page: the search's fixed page size.
pub const PAGE_SIZE: u64 = 10;

/// The career site's parameters the search understands; the rest (a selected position's
/// `pid`, tracking) are not passed on.
const SEARCH_PARAMETERS: &[&str] = &["domain", "query", "location", "hl", "sort_by"];

/// Where an Eightfold crawl is in its list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pages {
    /// The search address the pages are built from, or the source's address when that is
    /// neither a search nor a career site (it is then read once, as given).
    url: Url,
    /// Whether `url` is a search paged by `start`.
    paged: bool,
    /// `start` of the page last asked for.
    start: u64,
}

/// The pager of an Eightfold source configured at `url`, and its first request.
///
/// `url` may be the career site (`https://{tenant}.eightfold.ai/careers?domain=example.com`,
/// or a company's own host serving it), whose `domain`, `query`, `location`, `hl` and
/// `sort_by` are kept, or the search itself (`/api/pcsx/search?…`, or the older
/// `/api/apply/v2/jobs?…`), kept whole, starting at its own `start`. Any other address
/// (one position's details) is fetched as given.
pub fn start(url: &Url) -> (Pager, PageRequest) {
    let path = url.path();
    let search = if path.starts_with("/api/pcsx/search") || path.starts_with("/api/apply/v2/jobs") {
        Some(url.clone())
    } else if path == "/careers" || path.starts_with("/careers/") {
        let mut search = url.clone();
        search.set_path("/api/pcsx/search");
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(key, _)| SEARCH_PARAMETERS.contains(&key.as_ref()))
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect();
        search.query_pairs_mut().clear().extend_pairs(kept);
        search.set_fragment(None);
        Some(search)
    } else {
        None
    };
    let Some(search) = search else {
        let pages = Pages {
            url: url.clone(),
            paged: false,
            start: 0,
        };
        return (Pager::Eightfold(pages), PageRequest::get(url.clone()));
    };
    let start = query_number(&search, "start").unwrap_or(0);
    let first = with_query(&search, &[("start", start)]);
    let pages = Pages {
        url: search,
        paged: true,
        start,
    };
    (Pager::Eightfold(pages), PageRequest::get(first))
}

impl Pages {
    /// The request after `doc`, or `None` at the end of the list: an empty page, a page that
    /// reaches the `count` it reports, or (without a count) a short page.
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        if !self.paged {
            return None;
        }
        let page: Value = serde_json::from_str(&doc.body).ok()?;
        let data = page.get("data").filter(|d| d.is_object()).unwrap_or(&page);
        let count = data.get("positions")?.as_array()?.len() as u64;
        if count == 0 {
            return None;
        }
        let next = self.start.saturating_add(count);
        match data.get("count").and_then(Value::as_u64) {
            Some(total) if next >= total => return None,
            None if count < PAGE_SIZE => return None,
            _ => {}
        }
        self.start = next;
        Some(PageRequest::get(with_query(&self.url, &[("start", next)])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SEARCH: &str = include_str!("../../../testdata/corpus/eightfold/search_rsp.json");
    const API: &str = "https://morganstanley.eightfold.ai/api/pcsx/search?domain=morganstanley.com&query=&location=&start=0";

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn doc(body: &str) -> Document {
        Document::new(url(API), body)
    }

    fn page(count: usize, total: Option<u64>) -> String {
        let positions: Vec<Value> = (0..count)
            .map(|i| json!({ "id": i, "name": "Job", "positionUrl": format!("/careers/job/{i}") }))
            .collect();
        match total {
            Some(total) => {
                json!({ "status": 200, "data": { "positions": positions, "count": total } })
            }
            None => json!({ "status": 200, "data": { "positions": positions } }),
        }
        .to_string()
    }

    #[test]
    fn a_career_site_address_becomes_its_search_with_its_domain() {
        let (_, first) = start(&url(
            "https://morganstanley.eightfold.ai/careers?domain=morganstanley.com&pid=549798858854&utm_source=x",
        ));
        assert_eq!(
            first,
            PageRequest::get(url(
                "https://morganstanley.eightfold.ai/api/pcsx/search?domain=morganstanley.com&start=0"
            ))
        );
        let (_, first) = start(&url(
            "https://apply.careers.microsoft.com/careers?domain=microsoft.com&query=rust&location=Dublin",
        ));
        assert_eq!(
            first.url.as_str(),
            "https://apply.careers.microsoft.com/api/pcsx/search?domain=microsoft.com&query=rust&location=Dublin&start=0"
        );
        let (_, first) = start(&url(API));
        assert_eq!(first.url.as_str(), API, "the search itself is kept whole");
    }

    #[test]
    fn pages_follow_by_start_up_to_the_count() {
        let (mut pager, _) = start(&url(API));
        // The recorded page: 10 positions of 1,330.
        let second = pager.next(&doc(SEARCH)).unwrap();
        assert_eq!(
            second.url.as_str(),
            "https://morganstanley.eightfold.ai/api/pcsx/search?domain=morganstanley.com&query=&location=&start=10"
        );
        let third = pager.next(&doc(&page(10, Some(25)))).unwrap();
        assert!(third.url.as_str().ends_with("&start=20"));
        assert_eq!(
            pager.next(&doc(&page(5, Some(25)))),
            None,
            "20 + 5 is the 25 found"
        );
    }

    #[test]
    fn an_empty_page_or_a_short_page_without_a_count_ends_the_list() {
        let (mut pager, _) = start(&url(API));
        assert_eq!(pager.next(&doc(&page(0, Some(1330)))), None);
        let (mut pager, _) = start(&url(API));
        assert!(pager.next(&doc(&page(10, None))).is_some());
        assert_eq!(pager.next(&doc(&page(9, None))), None);
        let (mut pager, _) = start(&url(API));
        let refused =
            include_str!("../../../testdata/corpus/eightfold/position_details_not_found_rsp.json");
        assert_eq!(pager.next(&doc(refused)), None);
        assert_eq!(pager.next(&doc("<html></html>")), None);
    }

    #[test]
    fn a_search_starting_later_continues_from_there_and_details_are_one_document() {
        let (mut pager, first) = start(&url(
            "https://x.eightfold.ai/api/pcsx/search?domain=x.com&start=20",
        ));
        assert!(first.url.as_str().ends_with("start=20"));
        let next = pager.next(&doc(&page(10, Some(100)))).unwrap();
        assert!(next.url.as_str().ends_with("start=30"));
        let details =
            url("https://x.eightfold.ai/api/pcsx/position_details?position_id=1&domain=x.com");
        let (mut pager, first) = start(&details);
        assert_eq!(first, PageRequest::get(details));
        assert_eq!(pager.next(&doc(SEARCH)), None);
        let saved = serde_json::to_string(&pager).unwrap();
        assert_eq!(serde_json::from_str::<Pager>(&saved).unwrap(), pager);
    }
}
