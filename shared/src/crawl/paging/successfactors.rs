//! Paging of SuccessFactors career sites: the search page's `startrow` query parameter,
//! advanced past the rows each page shows, up to the total the page states.

use serde::{Deserialize, Serialize};
use url::Url;

use super::{PageRequest, Pager, RowWindow, next_row_offset, query_number, with_query};
use crate::crawl::fetch::Document;
use crate::extract::successfactors::search_page_facts;

/// Where a SuccessFactors crawl is in its list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pages {
    /// The search address every page is built from (its query kept, `startrow` set).
    url: Url,
    /// `startrow` of the page last asked for (0-based).
    startrow: u64,
}

/// The pager of a SuccessFactors source configured at `url` (the site's search address,
/// `https://careers.example.com/search/?q=&...`, or the site's root, searched with an empty
/// query), and its first request: that address as given.
pub fn start(url: &Url) -> (Pager, PageRequest) {
    let mut url = url.clone();
    if url.path() == "/" && url.query().is_none() {
        url.set_path("/search/");
        url.set_query(Some("q="));
    }
    let startrow = query_number(&url, "startrow").unwrap_or(0);
    let first = PageRequest::get(url.clone());
    (Pager::SuccessFactors(Pages { url, startrow }), first)
}

impl Pages {
    /// The request after `doc`, or `None` at the end of the list: a page that is no search
    /// page or lists no job, one that is not the page asked for (its first row is not
    /// `startrow` + 1), or the last rows of the stated total. Without a stated total, the
    /// page's own links must reach further.
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        let facts = search_page_facts(&doc.body)?;
        let window = RowWindow {
            rows: facts.rows,
            first: facts.first,
            last: facts.last,
            total: facts.total,
            furthest_link: facts.max_link_startrow,
        };
        let next = next_row_offset(self.startrow, window)?;
        self.startrow = next;
        Some(PageRequest::get(with_query(
            &self.url,
            &[("startrow", next)],
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH: &str = include_str!("../../../testdata/corpus/successfactors/search_rsp.html");
    const BASE: &str = "https://jobs.sap.com/search/?q=engineer&locationsearch=&startrow=0";

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    /// A table page with `rows` job links and the label "Results first – last of total".
    fn page(first: u64, rows: u64, total: u64) -> Document {
        let links: String = (0..rows)
            .map(|i| {
                format!(
                    r#"<tr class="data-row"><td><a class="jobTitle-link" href="/job/J/{}/">J</a></td></tr>"#,
                    1000 + first + i
                )
            })
            .collect();
        let last = first + rows - 1;
        let body = format!(
            r#"<span class="paginationLabel">Results <b>{first} – {last}</b> of <b>{total}</b></span>
               <table id="searchresults">{links}</table>"#
        );
        Document::new(url(BASE), body)
    }

    #[test]
    fn the_search_is_paged_by_startrow_up_to_the_stated_total() {
        let (mut pager, first) = start(&url(BASE));
        assert_eq!(first, PageRequest::get(url(BASE)));
        // The recorded page: results 1 – 25 of 633.
        let second = pager.next(&Document::new(url(BASE), SEARCH)).unwrap();
        assert_eq!(
            second.url.as_str(),
            "https://jobs.sap.com/search/?q=engineer&locationsearch=&startrow=25"
        );
        let third = pager.next(&page(26, 25, 60)).unwrap();
        assert!(third.url.as_str().ends_with("&startrow=50"));
        assert_eq!(
            pager.next(&page(51, 10, 60)),
            None,
            "rows 51 – 60 are the last"
        );
    }

    #[test]
    fn a_page_other_than_the_one_asked_for_ends_the_list() {
        let (mut pager, _) = start(&url(BASE));
        assert!(pager.next(&page(1, 25, 633)).is_some());
        assert_eq!(
            pager.next(&page(1, 25, 633)),
            None,
            "the site answered startrow=25 with the first page again"
        );
    }

    #[test]
    fn empty_unreadable_and_no_result_pages_end_the_list() {
        let (mut pager, _) = start(&url(BASE));
        let none =
            include_str!("../../../testdata/corpus/successfactors/search_no_results_rsp.html");
        assert_eq!(pager.next(&Document::new(url(BASE), none)), None);
        assert_eq!(pager.next(&Document::new(url(BASE), "<html></html>")), None);
        assert_eq!(pager.next(&Document::new(url(BASE), "{\"json\": 1}")), None);
    }

    #[test]
    fn without_a_total_the_page_links_say_whether_there_is_more() {
        let (mut pager, _) = start(&url("https://careers.example.com/search/?q="));
        let rows: String = (0..10)
            .map(|i| format!(r#"<li><a class="jobTitle-link" href="/job/J/{i}/">J</a></li>"#))
            .collect();
        let with_link = format!(r#"<ul>{rows}</ul><a href="?q=&amp;startrow=10">2</a>"#);
        let next = pager.next(&Document::new(url(BASE), with_link)).unwrap();
        assert_eq!(
            next.url.as_str(),
            "https://careers.example.com/search/?q=&startrow=10"
        );
        let last = format!(r#"<ul>{rows}</ul><a href="?q=&amp;startrow=0">1</a>"#);
        assert_eq!(pager.next(&Document::new(url(BASE), last)), None);
    }

    #[test]
    fn a_site_root_is_searched_with_an_empty_query() {
        let (pager, first) = start(&url("https://jobs.example.com/"));
        assert_eq!(first.url.as_str(), "https://jobs.example.com/search/?q=");
        let json = serde_json::to_string(&pager).unwrap();
        assert_eq!(serde_json::from_str::<Pager>(&json).unwrap(), pager);
        let (_, later) = start(&url("https://jobs.example.com/search/?q=x&startrow=50"));
        assert_eq!(
            later.url.as_str(),
            "https://jobs.example.com/search/?q=x&startrow=50"
        );
    }
}
