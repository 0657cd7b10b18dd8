//! Paging of Teamtailor's `jobs.json`: the feed derived from the career site's address, then
//! each page's JSON Feed `next_url` while there is one (the feed is paged, `per_page` items
//! a page).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{PageRequest, Pager, query_number, with_query};
use crate::crawl::fetch::Document;

/// Items per page asked of the feed when the address names no `per_page`.
pub const PAGE_SIZE: u64 = 100;

/// Where a Teamtailor crawl is in its feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pages {
    /// The feed's first page.
    url: Url,
}

/// The pager of a Teamtailor source configured at `url`, and its first request.
///
/// A `jobs.json` address is fetched as given. Otherwise the career site's jobs list
/// (`/jobs`, with any locale segment before it) or a job page under it becomes its
/// `jobs.json`, and a `*.teamtailor.com` address of any other path (the site's root) becomes
/// `/jobs.json`; an address of another shape on another host (a custom domain's root counts
/// as the site's root) is fetched as given. A feed address without `per_page` gets
/// [`PAGE_SIZE`].
pub fn start(url: &Url) -> (Pager, PageRequest) {
    let mut first = feed_url(url);
    if first.path().ends_with("/jobs.json") && query_number(&first, "per_page").is_none() {
        first = with_query(&first, &[("per_page", PAGE_SIZE)]);
    }
    let pages = Pages { url: first.clone() };
    (Pager::Teamtailor(pages), PageRequest::get(first))
}

impl Pages {
    /// The page the JSON Feed's `next_url` names, or `None` when it names none (Teamtailor's
    /// feeds are one page so far), names the page just read or the first one again, is not
    /// http(s), leaves the feed's host, or the page cannot be read.
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        let feed: Value = serde_json::from_str(&doc.body).ok()?;
        let next = feed.get("next_url")?.as_str()?.trim();
        let next = doc.final_url.join(next).ok()?;
        let same_host = next.host_str() == self.url.host_str();
        let http = matches!(next.scheme(), "http" | "https");
        let again = next == doc.final_url || next == self.url;
        (same_host && http && !again).then(|| PageRequest::get(next))
    }
}

fn feed_url(url: &Url) -> Url {
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    if segments.last().is_some_and(|last| last.ends_with(".json")) {
        return url.clone();
    }
    let on_teamtailor = url
        .host_str()
        .is_some_and(|host| host.to_ascii_lowercase().ends_with(".teamtailor.com"));
    let path = match segments.iter().position(|s| *s == "jobs") {
        Some(at) => {
            let through: Vec<&str> = segments.iter().take(at + 1).copied().collect();
            format!("/{}.json", through.join("/"))
        }
        None if segments.is_empty() || on_teamtailor => "/jobs.json".to_owned(),
        None => return url.clone(),
    };
    let mut feed = url.clone();
    feed.set_path(&path);
    feed.set_query(None);
    feed.set_fragment(None);
    feed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn first(text: &str) -> String {
        let first = start(&url(text)).1.url.to_string();
        first
            .replace("?per_page=100", "")
            .replace("&per_page=100", "")
    }

    #[test]
    fn the_career_site_and_its_pages_lead_to_the_jobs_feed() {
        for (site, feed) in [
            (
                "https://tiptapp.teamtailor.com/jobs",
                "https://tiptapp.teamtailor.com/jobs.json",
            ),
            (
                "https://tiptapp.teamtailor.com/",
                "https://tiptapp.teamtailor.com/jobs.json",
            ),
            (
                "https://carrtalent.na.teamtailor.com/jobs/661904-home-buyer?utm=x",
                "https://carrtalent.na.teamtailor.com/jobs.json",
            ),
            (
                "https://tiptapp.teamtailor.com/departments/tech",
                "https://tiptapp.teamtailor.com/jobs.json",
            ),
            (
                "https://tiptapp.teamtailor.com/sv/jobs/",
                "https://tiptapp.teamtailor.com/sv/jobs.json",
            ),
            (
                "https://jobs.carrtalent.com",
                "https://jobs.carrtalent.com/jobs.json",
            ),
            (
                "https://jobs.carrtalent.com/jobs",
                "https://jobs.carrtalent.com/jobs.json",
            ),
        ] {
            assert_eq!(first(site), feed, "{site}");
        }
    }

    #[test]
    fn a_feed_without_a_page_size_asks_for_pages_of_one_hundred() {
        let (_, request) = start(&url("https://tiptapp.teamtailor.com/jobs"));
        assert_eq!(
            request.url.as_str(),
            "https://tiptapp.teamtailor.com/jobs.json?per_page=100"
        );
        let given = url("https://tiptapp.teamtailor.com/jobs.json?per_page=20");
        assert_eq!(start(&given).1.url, given);
        let elsewhere = url("https://careers.example.com/about");
        assert_eq!(start(&elsewhere).1.url, elsewhere);
    }

    #[test]
    fn the_feed_itself_and_unknown_shapes_elsewhere_are_fetched_as_given() {
        for given in [
            "https://tiptapp.teamtailor.com/jobs.json",
            "https://tiptapp.teamtailor.com/jobs.json?department_id=7",
            "http://127.0.0.1:8080/jobs.json",
            "https://careers.example.com/about",
        ] {
            assert_eq!(first(given), given);
        }
    }

    #[test]
    fn the_next_url_of_a_json_feed_is_followed_until_there_is_none() {
        let base = url("https://acme.teamtailor.com/jobs.json");
        let (mut pager, first) = start(&base);
        assert_eq!(
            first.url.as_str(),
            "https://acme.teamtailor.com/jobs.json?per_page=100"
        );
        let page = |next: &str| {
            let body = format!(
                r#"{{"version": "https://jsonfeed.org/version/1.1", "items": [], "next_url": {next}}}"#
            );
            Document::new(base.clone(), body)
        };
        let second = pager.next(&page(r#""/jobs.json?page=2""#)).unwrap();
        assert_eq!(
            second.url.as_str(),
            "https://acme.teamtailor.com/jobs.json?page=2"
        );
        let corpus = include_str!("../../../testdata/corpus/teamtailor/jobs_nulls_rsp.json");
        assert_eq!(pager.next(&Document::new(base.clone(), corpus)), None);
        assert_eq!(pager.next(&page("null")), None);
        assert_eq!(
            pager.next(&page(r#""https://acme.teamtailor.com/jobs.json""#)),
            None
        );
        assert_eq!(
            pager.next(&page(r#""https://evil.example/jobs.json?page=2""#)),
            None
        );
        assert_eq!(pager.next(&page(r#""ftp://acme.teamtailor.com/x""#)), None);
        assert_eq!(pager.next(&Document::new(base.clone(), "")), None);
    }
}
