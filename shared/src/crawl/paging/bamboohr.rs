//! Where a BambooHR crawl starts: the careers list (`/careers/list`), one document holding
//! every opening of the company, derived from the careers site's address.

use serde::{Deserialize, Serialize};
use url::Url;

use super::{PageRequest, Pager};
use crate::crawl::fetch::Document;

/// BambooHR's list is one document, so [`start`] gives `Pager::Single`; these pages only
/// complete the pager's shape and end at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pages {
    url: Url,
}

/// The pager of a BambooHR source configured at `url`, and its first request.
///
/// On a `{company}.bamboohr.com` host, any address other than an API one (the careers site
/// `/careers`, the older `/jobs`, a posting page, the bare host) becomes the careers list
/// `/careers/list`; the list and a detail (`/careers/{id}/detail`) are fetched as given, as
/// is any address on another host.
pub fn start(url: &Url) -> (Pager, PageRequest) {
    (Pager::Single, PageRequest::get(list_url(url)))
}

impl Pages {
    /// Always `None`: the list is one document.
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        let _ = (&self.url, doc);
        None
    }
}

fn list_url(url: &Url) -> Url {
    let on_bamboohr = url
        .host_str()
        .is_some_and(|host| host.to_ascii_lowercase().ends_with(".bamboohr.com"));
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let is_api = matches!(
        segments.as_slice(),
        ["careers", "list"] | ["careers", _, "detail"]
    );
    if !on_bamboohr || is_api {
        return url.clone();
    }
    let mut list = url.clone();
    list.set_path("/careers/list");
    list.set_query(None);
    list.set_fragment(None);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(url: &str) -> (Pager, String) {
        let (pager, request) = start(&Url::parse(url).unwrap());
        (pager, request.url.to_string())
    }

    #[test]
    fn the_careers_site_and_its_pages_lead_to_the_careers_list() {
        for site in [
            "https://acme.bamboohr.com/careers",
            "https://acme.bamboohr.com/careers/",
            "https://acme.bamboohr.com/jobs/",
            "https://acme.bamboohr.com",
            "https://ACME.BambooHR.com/careers/42?source=linkedin#top",
        ] {
            let (pager, list) = first(site);
            assert_eq!(pager, Pager::Single, "{site}");
            assert_eq!(list, "https://acme.bamboohr.com/careers/list", "{site}");
        }
    }

    #[test]
    fn the_api_itself_and_other_hosts_are_fetched_as_given() {
        for api in [
            "https://acme.bamboohr.com/careers/list",
            "https://acme.bamboohr.com/careers/17/detail",
            "http://127.0.0.1:8080/careers/list",
            "https://jobs.example.com/careers",
        ] {
            assert_eq!(first(api), (Pager::Single, api.to_owned()));
        }
    }

    #[test]
    fn the_pages_end_at_once() {
        let url = Url::parse("https://acme.bamboohr.com/careers/list").unwrap();
        let mut pages = Pages { url: url.clone() };
        assert_eq!(pages.next(&Document::new(url, "{}")), None);
    }
}
