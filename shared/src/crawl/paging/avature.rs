//! Paging of Avature portals: the `SearchJobs` page's `jobOffset` query parameter (older
//! portals' `folderOffset`), advanced past the jobs each page lists, up to the total its
//! results legend states.

use serde::{Deserialize, Serialize};
use url::Url;

use super::{PageRequest, Pager, RowWindow, next_row_offset, query_number, with_query};
use crate::crawl::fetch::Document;
use crate::extract::avature::{OFFSET_KEYS, search_page_facts};

/// Where an Avature crawl is in its list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pages {
    /// The search address every page is built from (its query kept, the offset set).
    url: Url,
    /// The offset of the page last asked for.
    offset: u64,
}

/// The pager of an Avature source configured at `url` (the portal's search address,
/// `https://{portal}.avature.net/careers/SearchJobs`, or the portal's root such as
/// `https://{portal}.avature.net/careers`, whose `SearchJobs` page is searched), and its
/// first request. Other addresses are fetched as given.
pub fn start(url: &Url) -> (Pager, PageRequest) {
    let mut url = url.clone();
    let segments: Vec<String> = url
        .path_segments()
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let portal_root = (1..=2).contains(&segments.len())
        && !segments
            .iter()
            .any(|s| s.contains("SearchJobs") || s.contains("Detail"));
    if portal_root {
        url.set_path(&format!("/{}/SearchJobs/", segments.join("/")));
    }
    let offset = OFFSET_KEYS
        .iter()
        .find_map(|key| query_number(&url, key))
        .unwrap_or(0);
    let first = PageRequest::get(url.clone());
    (Pager::Avature(Pages { url, offset }), first)
}

impl Pages {
    /// The request after `doc`, or `None` at the end of the list: a page that is no search
    /// page or lists no job, one that is not the page asked for (its legend's first row is
    /// not the offset + 1), or the last rows of the stated total. Without a stated total, the
    /// page's own offset links must reach further.
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        let facts = search_page_facts(&doc.body, &doc.final_url)?;
        let window = RowWindow {
            rows: facts.rows,
            first: facts.first,
            last: facts.last,
            total: facts.total,
            furthest_link: facts.max_link_offset,
        };
        let next = next_row_offset(self.offset, window)?;
        let key = facts
            .offset_key
            .or_else(|| {
                OFFSET_KEYS
                    .iter()
                    .copied()
                    .find(|k| query_number(&self.url, k).is_some())
            })
            .unwrap_or("jobOffset");
        self.offset = next;
        Some(PageRequest::get(with_query(&self.url, &[(key, next)])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH: &str = include_str!("../../../testdata/corpus/avature/search_rsp.html");
    const SEARCH_OFFSET: &str =
        include_str!("../../../testdata/corpus/avature/search_offset_rsp.html");
    const BASE: &str = "https://bloomberg.avature.net/careers/SearchJobs/";

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    /// A page listing `rows` jobs from `first` with the legend "first-last of total".
    fn page(first: u64, rows: u64, total: u64) -> Document {
        let links: String = (0..rows)
            .map(|i| {
                format!(
                    r#"<article><h3><a href="/careers/JobDetail/J/{}">J</a></h3></article>"#,
                    first + i
                )
            })
            .collect();
        let last = first + rows - 1;
        let body = format!(
            r#"<meta name="avature.portal.page" content="SearchJobs"/>
               <div class="list-controls__text__legend">{first}-{last} of {total} results</div>{links}"#
        );
        Document::new(url(BASE), body)
    }

    #[test]
    fn the_search_is_paged_by_job_offset_up_to_the_stated_total() {
        let (mut pager, first) = start(&url(BASE));
        assert_eq!(first, PageRequest::get(url(BASE)));
        // The recorded pages: 1-12 and 13-24 of 436.
        let second = pager.next(&Document::new(url(BASE), SEARCH)).unwrap();
        assert_eq!(second.url.as_str(), format!("{BASE}?jobOffset=12"));
        let third = pager
            .next(&Document::new(second.url.clone(), SEARCH_OFFSET))
            .unwrap();
        assert_eq!(third.url.as_str(), format!("{BASE}?jobOffset=24"));
        assert_eq!(pager.next(&page(25, 12, 30)), None, "25-36 reaches 30");
    }

    #[test]
    fn the_query_is_kept_and_a_page_other_than_the_one_asked_for_ends_the_list() {
        let search = url(&format!("{BASE}?search=engineer&jobRecordsPerPage=12"));
        let (mut pager, first) = start(&search);
        assert_eq!(first.url, search);
        let second = pager.next(&page(1, 12, 40)).unwrap();
        assert_eq!(
            second.url.as_str(),
            format!("{BASE}?search=engineer&jobRecordsPerPage=12&jobOffset=12")
        );
        assert_eq!(pager.next(&page(1, 12, 40)), None, "the first page again");
    }

    #[test]
    fn no_results_other_pages_and_junk_end_the_list() {
        let (mut pager, _) = start(&url(BASE));
        let none = include_str!("../../../testdata/corpus/avature/search_no_results_rsp.html");
        assert_eq!(pager.next(&Document::new(url(BASE), none)), None);
        let job = include_str!("../../../testdata/corpus/avature/job_detail_rsp.html");
        assert_eq!(pager.next(&Document::new(url(BASE), job)), None);
        assert_eq!(pager.next(&Document::new(url(BASE), "not html")), None);
    }

    #[test]
    fn older_portals_page_by_their_links_offset_key() {
        let (mut pager, _) = start(&url("https://acme.avature.net/careers/SearchJobs"));
        let body = r#"<ul><li><a href="/careers/FolderDetail/A/1">A</a></li>
            <li><a href="/careers/FolderDetail/B/2">B</a></li></ul>
            <a class="paginationNextLink" href="/careers/SearchJobs/?folderOffset=2">Next</a>"#;
        let doc = Document::new(url("https://acme.avature.net/careers/SearchJobs"), body);
        let next = pager.next(&doc).unwrap();
        assert_eq!(
            next.url.as_str(),
            "https://acme.avature.net/careers/SearchJobs?folderOffset=2"
        );
        let last = r#"<ul><li><a href="/careers/FolderDetail/C/3">C</a></li></ul>"#;
        assert_eq!(
            pager.next(&Document::new(next.url.clone(), last)),
            None,
            "no link further and no total"
        );
    }

    #[test]
    fn a_portal_root_is_searched_on_its_search_page() {
        for (given, searched) in [
            (
                "https://bloomberg.avature.net/careers",
                "https://bloomberg.avature.net/careers/SearchJobs/",
            ),
            (
                "https://acme.avature.net/en_US/careers/",
                "https://acme.avature.net/en_US/careers/SearchJobs/",
            ),
            (
                "https://acme.avature.net/careers/SearchJobs/?jobOffset=24",
                "https://acme.avature.net/careers/SearchJobs/?jobOffset=24",
            ),
            (
                "https://acme.avature.net/careers/JobDetail/x/1",
                "https://acme.avature.net/careers/JobDetail/x/1",
            ),
        ] {
            let (pager, first) = start(&url(given));
            assert_eq!(first.url.as_str(), searched, "{given}");
            let json = serde_json::to_string(&pager).unwrap();
            assert_eq!(serde_json::from_str::<Pager>(&json).unwrap(), pager);
        }
        let (Pager::Avature(pages), _) = start(&url(
            "https://acme.avature.net/careers/SearchJobs/?jobOffset=24",
        )) else {
            panic!("an Avature pager")
        };
        assert_eq!(pages.offset, 24);
    }
}
