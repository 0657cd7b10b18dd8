//! Paging: where a source's list starts (the API address a kind derives from a career-site
//! address) and where its next page is, read from the current one. Lever, Workable,
//! SmartRecruiters and Himalayas are paged here; each later kind has its own module. The
//! extractors stay unaware of paging; the other kinds are one document.

use serde_json::{Value, json};
use url::Url;

use crate::crawl::fetch::{Document, FetchMethod};
use crate::model::SourceKind;

pub mod avature;
pub mod bamboohr;
pub mod dayforce;
pub mod eightfold;
pub mod herp;
pub mod oracle;
pub mod rippling;
pub mod successfactors;
pub mod teamtailor;
pub mod ultipro;
pub mod workday;

/// Page size asked of Lever and SmartRecruiters when the configured URL names none (the most
/// SmartRecruiters accepts).
pub const DEFAULT_PAGE_SIZE: u64 = 100;

/// One page to fetch.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PageRequest {
    /// The page's URL.
    pub url: Url,
    /// How to ask for it.
    pub method: FetchMethod,
    /// Request headers the provider needs (a CSRF token and its cookie), name and value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// Whether this is a pre-flight (a token, a site's configuration) rather than a page
    /// of the list: its body goes to the pager only, never to the extractor.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preflight: bool,
}

impl PageRequest {
    /// A `GET` of `url`, a page of the list.
    pub fn get(url: Url) -> Self {
        Self {
            url,
            method: FetchMethod::Get,
            headers: Vec::new(),
            preflight: false,
        }
    }

    /// A `POST` of `body` as JSON to `url`, a page of the list.
    pub fn post_json(url: Url, body: Value) -> Self {
        Self {
            method: FetchMethod::PostJson(body),
            ..Self::get(url)
        }
    }
}

/// Where a source is in its list of pages.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Pager {
    /// The whole list is one document.
    Single,
    /// Lever: `skip`/`limit` query parameters; a full page means there may be another.
    Lever {
        /// The URL the pages are built from.
        url: Url,
        /// `skip` of the page last asked for.
        skip: u64,
        /// Page size.
        limit: u64,
    },
    /// SmartRecruiters: `offset`/`limit` query parameters up to `totalFound`.
    SmartRecruiters {
        /// The URL the pages are built from.
        url: Url,
        /// `offset` of the page last asked for.
        offset: u64,
        /// Page size.
        limit: u64,
    },
    /// Himalayas: pages up to the response's `totalCount`, by `offset` on the browse API
    /// (`/jobs/api`) and by `page` (from 1) on the search API (`/jobs/api/search`).
    Himalayas {
        /// The URL the pages are built from.
        url: Url,
        /// `offset` (browse) or `page` (search) of the page last asked for.
        position: u64,
        /// Whether pages are numbered (search) rather than offset (browse).
        by_page: bool,
    },
    /// Workable v3: a POST per page, the previous response's `nextPage` sent as `token`.
    Workable {
        /// The endpoint every page is posted to.
        url: Url,
    },
    /// Workday: see [`workday`].
    Workday(workday::Pages),
    /// BambooHr: see [`bamboohr`].
    BambooHr(bamboohr::Pages),
    /// Teamtailor: see [`teamtailor`].
    Teamtailor(teamtailor::Pages),
    /// Dayforce: see [`dayforce`].
    Dayforce(dayforce::Pages),
    /// Rippling: see [`rippling`].
    Rippling(rippling::Pages),
    /// Oracle: see [`oracle`].
    Oracle(oracle::Pages),
    /// UltiPro: see [`ultipro`].
    UltiPro(ultipro::Pages),
    /// Herp: see [`herp`].
    Herp(herp::Pages),
    /// Eightfold: see [`eightfold`].
    Eightfold(eightfold::Pages),
    /// SuccessFactors: see [`successfactors`].
    SuccessFactors(successfactors::Pages),
    /// Avature: see [`avature`].
    Avature(avature::Pages),
}

impl Pager {
    /// The pager of a source of `kind` at `url`, and its first page. A page size already in
    /// the URL is kept; otherwise [`DEFAULT_PAGE_SIZE`] is added.
    pub fn start(kind: SourceKind, url: &Url) -> (Self, PageRequest) {
        match kind {
            SourceKind::Lever => {
                let skip = query_number(url, "skip").unwrap_or(0);
                let limit = page_size(url);
                let first = with_query(url, &[("limit", limit)]);
                let pager = Pager::Lever {
                    url: url.clone(),
                    skip,
                    limit,
                };
                (pager, PageRequest::get(first))
            }
            SourceKind::SmartRecruiters => {
                let offset = query_number(url, "offset").unwrap_or(0);
                let limit = page_size(url);
                let first = with_query(url, &[("limit", limit)]);
                let pager = Pager::SmartRecruiters {
                    url: url.clone(),
                    offset,
                    limit,
                };
                (pager, PageRequest::get(first))
            }
            SourceKind::Workable => {
                let first = PageRequest::post_json(url.clone(), json!({ "query": "" }));
                (Pager::Workable { url: url.clone() }, first)
            }
            SourceKind::Workday => workday::start(url),
            SourceKind::BambooHr => bamboohr::start(url),
            SourceKind::Teamtailor => teamtailor::start(url),
            SourceKind::Dayforce => dayforce::start(url),
            SourceKind::Rippling => rippling::start(url),
            SourceKind::Oracle => oracle::start(url),
            SourceKind::UltiPro => ultipro::start(url),
            SourceKind::Herp => herp::start(url),
            SourceKind::Eightfold => eightfold::start(url),
            SourceKind::SuccessFactors => successfactors::start(url),
            SourceKind::Avature => avature::start(url),
            SourceKind::Himalayas => {
                let by_page = url.path().trim_end_matches('/').ends_with("/search");
                let position = if by_page {
                    query_number(url, "page").filter(|p| *p > 0).unwrap_or(1)
                } else {
                    query_number(url, "offset").unwrap_or(0)
                };
                let pager = Pager::Himalayas {
                    url: url.clone(),
                    position,
                    by_page,
                };
                (pager, PageRequest::get(url.clone()))
            }
            SourceKind::JsonLd
            | SourceKind::Greenhouse
            | SourceKind::Ashby
            | SourceKind::Recruitee
            | SourceKind::RemoteOk
            | SourceKind::Rss
            | SourceKind::Html => (Pager::Single, PageRequest::get(url.clone())),
        }
    }

    /// Whether the source is one document (so its first fetch may be conditional).
    pub fn is_single(&self) -> bool {
        matches!(self, Pager::Single)
    }

    /// A request that may get a refused page (401/403) accepted on a second try: a new
    /// pre-flight for the kinds whose session expires (Dayforce's CSRF token). `None` for
    /// every other kind, and once a page was renewed for already.
    pub fn renew(&mut self) -> Option<PageRequest> {
        match self {
            Pager::Dayforce(pages) => pages.renew(),
            _ => None,
        }
    }

    /// The request after `doc` (a page, or a pre-flight's answer), or `None` when that was
    /// the last one (or the document does not say: a page the pager cannot read ends the list
    /// rather than guessing).
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        match self {
            Pager::Workday(pages) => pages.next(doc),
            Pager::BambooHr(pages) => pages.next(doc),
            Pager::Teamtailor(pages) => pages.next(doc),
            Pager::Dayforce(pages) => pages.next(doc),
            Pager::Rippling(pages) => pages.next(doc),
            Pager::Oracle(pages) => pages.next(doc),
            Pager::UltiPro(pages) => pages.next(doc),
            Pager::Herp(pages) => pages.next(doc),
            Pager::Eightfold(pages) => pages.next(doc),
            Pager::SuccessFactors(pages) => pages.next(doc),
            Pager::Avature(pages) => pages.next(doc),
            _ => self.next_json(&doc.body),
        }
    }

    /// The page after the one whose JSON body is `body`, for the kinds paged here.
    fn next_json(&mut self, body: &str) -> Option<PageRequest> {
        if self.is_single() {
            return None;
        }
        // The extractor parses the body too; paging reads its own copy so that the extractors
        // keep a single job (one document in, postings out).
        let doc: Value = serde_json::from_str(body).ok()?;
        match self {
            Pager::Single => None,
            Pager::Lever { url, skip, limit } => {
                let count = doc.as_array()?.len() as u64;
                if count < *limit {
                    return None;
                }
                *skip = skip.saturating_add(*limit);
                Some(PageRequest::get(with_query(
                    url,
                    &[("skip", *skip), ("limit", *limit)],
                )))
            }
            Pager::SmartRecruiters { url, offset, limit } => {
                let total = doc.get("totalFound")?.as_u64()?;
                let count = doc.get("content")?.as_array()?.len();
                // An empty page before the announced total would otherwise be asked for again
                // and again, one offset further each time.
                if count == 0 || offset.saturating_add(*limit) >= total {
                    return None;
                }
                *offset = offset.saturating_add(*limit);
                Some(PageRequest::get(with_query(
                    url,
                    &[("offset", *offset), ("limit", *limit)],
                )))
            }
            Pager::Himalayas {
                url,
                position,
                by_page,
            } => {
                let count = doc.get("jobs")?.as_array()?.len() as u64;
                let total = doc.get("totalCount")?.as_u64()?;
                // Where this page started, as the API says (it may cap the page size).
                let offset = doc.get("offset").and_then(Value::as_u64).unwrap_or(0);
                if count == 0 || offset.saturating_add(count) >= total {
                    return None;
                }
                let (key, next) = if *by_page {
                    ("page", position.saturating_add(1))
                } else {
                    ("offset", offset.saturating_add(count))
                };
                *position = next;
                Some(PageRequest::get(with_query(url, &[(key, next)])))
            }
            Pager::Workable { url } => {
                let token = doc.get("nextPage")?.as_str().filter(|t| !t.is_empty())?;
                Some(PageRequest::post_json(
                    url.clone(),
                    json!({ "query": "", "token": token }),
                ))
            }
            _ => None,
        }
    }
}

/// What an HTML search page says of the rows it shows (the career sites paged by a row
/// offset: SuccessFactors' `startrow`, Avature's `jobOffset`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RowWindow {
    /// Job rows on the page.
    pub rows: u64,
    /// The first row's number (from 1), when the page states it.
    pub first: Option<u64>,
    /// The last row's number, when stated.
    pub last: Option<u64>,
    /// The rows of the whole search, when stated.
    pub total: Option<u64>,
    /// The furthest offset the page's own paging links reach, when it has any.
    pub furthest_link: Option<u64>,
}

/// The offset of the page after one read at `offset` that shows `window`, or `None` at the
/// end: a page without rows, one that is not the page asked for (its first row is not
/// `offset + 1`), the last rows of the stated total, or (without a total) an offset the
/// page's own links do not reach.
pub(crate) fn next_row_offset(offset: u64, window: RowWindow) -> Option<u64> {
    if window.rows == 0
        || window
            .first
            .is_some_and(|first| first != offset.saturating_add(1))
    {
        return None;
    }
    let next = match window.last {
        Some(last) if last > offset => last,
        _ => offset.saturating_add(window.rows),
    };
    let more = match window.total {
        Some(total) => next < total,
        None => window
            .furthest_link
            .is_some_and(|furthest| furthest >= next),
    };
    more.then_some(next)
}

/// The `limit` of `url` when it is a positive number, else [`DEFAULT_PAGE_SIZE`].
fn page_size(url: &Url) -> u64 {
    query_number(url, "limit")
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_PAGE_SIZE)
}

/// The first value of query parameter `key` as a number.
pub(crate) fn query_number(url: &Url, key: &str) -> Option<u64> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.trim().parse().ok())
}

/// `url` with each of `set` replacing the parameter of that name in place (every other
/// parameter kept in order), or appended when absent.
pub(crate) fn with_query(url: &Url, set: &[(&str, u64)]) -> Url {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut placed: Vec<&str> = Vec::new();
    for (key, value) in url.query_pairs() {
        match set.iter().find(|(k, _)| *k == key) {
            Some((k, v)) if !placed.contains(k) => {
                placed.push(k);
                pairs.push(((*k).to_owned(), v.to_string()));
            }
            // A repeat of a parameter being set would contradict the new value.
            Some(_) => {}
            None => pairs.push((key.into_owned(), value.into_owned())),
        }
    }
    for (key, value) in set {
        if !placed.contains(key) {
            pairs.push(((*key).to_owned(), value.to_string()));
        }
    }
    let mut out = url.clone();
    out.query_pairs_mut().clear().extend_pairs(pairs);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn lever_page(n: usize) -> String {
        let items: Vec<Value> = (0..n).map(|i| json!({ "id": i.to_string() })).collect();
        Value::Array(items).to_string()
    }

    #[test]
    fn lever_asks_for_the_next_skip_while_pages_are_full() {
        let base = url("https://api.lever.co/v0/postings/acme?mode=json&skip=0&limit=2");
        let (mut pager, first) = Pager::start(SourceKind::Lever, &base);
        assert_eq!(
            first.url, base,
            "a URL with a limit is fetched as configured"
        );
        let second = pager.next_json(&lever_page(2)).unwrap();
        assert_eq!(
            second.url.as_str(),
            "https://api.lever.co/v0/postings/acme?mode=json&skip=2&limit=2"
        );
        let third = pager.next_json(&lever_page(2)).unwrap();
        assert_eq!(
            third.url.as_str(),
            "https://api.lever.co/v0/postings/acme?mode=json&skip=4&limit=2"
        );
        assert_eq!(pager.next_json(&lever_page(1)), None);
    }

    #[test]
    fn lever_without_a_limit_gets_pages_of_one_hundred() {
        let base = url("https://api.lever.co/v0/postings/acme?mode=json");
        let (mut pager, first) = Pager::start(SourceKind::Lever, &base);
        assert_eq!(
            first.url.as_str(),
            "https://api.lever.co/v0/postings/acme?mode=json&limit=100"
        );
        assert_eq!(pager.next_json(&lever_page(99)), None);
        let second = pager.next_json(&lever_page(100)).unwrap();
        assert_eq!(
            second.url.as_str(),
            "https://api.lever.co/v0/postings/acme?mode=json&skip=100&limit=100"
        );
    }

    #[test]
    fn smartrecruiters_pages_by_offset_until_the_total_is_reached() {
        let base = url("https://api.smartrecruiters.com/v1/companies/equinox/postings?limit=5");
        let (mut pager, first) = Pager::start(SourceKind::SmartRecruiters, &base);
        assert_eq!(first.url, base);
        let page = |n: usize| {
            let content: Vec<Value> = (0..n).map(|i| json!({ "id": i })).collect();
            json!({ "offset": 0, "limit": 5, "totalFound": 12, "content": content }).to_string()
        };
        let second = pager.next_json(&page(5)).unwrap();
        assert_eq!(
            second.url.as_str(),
            "https://api.smartrecruiters.com/v1/companies/equinox/postings?limit=5&offset=5"
        );
        let third = pager.next_json(&page(5)).unwrap();
        assert!(third.url.as_str().ends_with("?limit=5&offset=10"));
        assert_eq!(
            pager.next_json(&page(2)),
            None,
            "10 + 5 covers the 12 found"
        );
    }

    #[test]
    fn smartrecruiters_stops_on_an_empty_page_before_the_total() {
        let base = url("https://api.smartrecruiters.com/v1/companies/x/postings");
        let (mut pager, first) = Pager::start(SourceKind::SmartRecruiters, &base);
        assert!(first.url.as_str().ends_with("/postings?limit=100"));
        let empty = json!({ "totalFound": 500, "content": [] }).to_string();
        assert_eq!(pager.next_json(&empty), None);
    }

    #[test]
    fn workable_posts_the_next_page_token_until_there_is_none() {
        let base = url("https://apply.workable.com/api/v3/accounts/blueground/jobs");
        let (mut pager, first) = Pager::start(SourceKind::Workable, &base);
        assert_eq!(first.method, FetchMethod::PostJson(json!({ "query": "" })));
        let corpus = include_str!("../../../testdata/corpus/workable/jobs_rsp.json");
        let second = pager.next_json(corpus).unwrap();
        assert_eq!(second.url, base);
        assert_eq!(
            second.method,
            FetchMethod::PostJson(
                json!({ "query": "", "token": "WzE3ODEwNDk2MDAwMDAsNTg0NDk1Nl0=" })
            )
        );
        assert_eq!(pager.next_json(r#"{"total": 29, "results": []}"#), None);
        assert_eq!(pager.next_json(r#"{"results": [], "nextPage": ""}"#), None);
    }

    #[test]
    fn himalayas_browse_pages_by_offset_up_to_the_total() {
        let base = url("https://himalayas.app/jobs/api?limit=3");
        let (mut pager, first) = Pager::start(SourceKind::Himalayas, &base);
        assert_eq!(first, PageRequest::get(base.clone()));
        // The recorded page: offset 0, three jobs of 92,721.
        let corpus = include_str!("../../../testdata/corpus/himalayas/browse_rsp.json");
        let second = pager.next_json(corpus).unwrap();
        assert_eq!(
            second.url.as_str(),
            "https://himalayas.app/jobs/api?limit=3&offset=3"
        );
        let last = r#"{"offset": 92720, "totalCount": 92721, "jobs": [{}]}"#;
        assert_eq!(pager.next_json(last), None);
        let empty = r#"{"offset": 3, "totalCount": 92721, "jobs": []}"#;
        assert_eq!(pager.next_json(empty), None);
    }

    #[test]
    fn himalayas_search_pages_by_page_number_up_to_the_total() {
        let base = url("https://himalayas.app/jobs/api/search?q=golang&sort=recent");
        let (mut pager, _) = Pager::start(SourceKind::Himalayas, &base);
        // The recorded page: offset 0, twenty jobs of 97.
        let corpus = include_str!("../../../testdata/corpus/himalayas/search_rsp.json");
        let second = pager.next_json(corpus).unwrap();
        assert_eq!(
            second.url.as_str(),
            "https://himalayas.app/jobs/api/search?q=golang&sort=recent&page=2"
        );
        let fifth = r#"{"offset": 80, "totalCount": 97, "jobs": [{}, {}]}"#;
        assert_eq!(
            pager.next_json(fifth).unwrap().url.as_str(),
            "https://himalayas.app/jobs/api/search?q=golang&sort=recent&page=3"
        );
        let refused = r#"{"ok": false, "errors": "Invalid company"}"#;
        assert_eq!(pager.next_json(refused), None);
    }

    #[test]
    fn single_document_kinds_and_unreadable_bodies_have_no_next_page() {
        let base = url("https://boards-api.greenhouse.io/v1/boards/x/jobs");
        let (mut pager, first) = Pager::start(SourceKind::Greenhouse, &base);
        assert!(pager.is_single());
        assert_eq!(first, PageRequest::get(base.clone()));
        assert_eq!(pager.next_json("[]"), None);
        let (mut lever, _) = Pager::start(SourceKind::Lever, &base);
        assert!(!lever.is_single());
        assert_eq!(lever.next_json("<html>not json</html>"), None);
        assert_eq!(lever.next_json(r#"{"not": "an array"}"#), None);
    }

    #[test]
    fn a_zero_or_junk_limit_falls_back_to_the_default_page_size() {
        let zero = url("https://api.lever.co/v0/postings/a?limit=0&limit=7");
        assert_eq!(page_size(&zero), DEFAULT_PAGE_SIZE);
        assert_eq!(
            with_query(&zero, &[("limit", 3)]).as_str(),
            "https://api.lever.co/v0/postings/a?limit=3"
        );
        let junk = url("https://api.lever.co/v0/postings/a?limit=lots");
        assert_eq!(page_size(&junk), DEFAULT_PAGE_SIZE);
    }
}
