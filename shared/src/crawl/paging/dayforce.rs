//! Paging of the Dayforce candidate portal search: a CSRF pre-flight (`GET /api/auth/csrf`,
//! whose `csrfToken` goes back as `X-CSRF-TOKEN` with the cookie it set; without them the
//! search answers 403), then `POST /api/geo/{ns}/jobposting/search` with `paginationStart`
//! stepping by the rows of each page (25) up to the page's `maxCount`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

use super::{PageRequest, Pager};
use crate::crawl::fetch::Document;
use crate::extract::dayforce::{
    BOARD_PARAM, CULTURE_PARAM, DEFAULT_BOARD, DEFAULT_CULTURE, is_culture, is_segment as is_word,
};

/// Where a Dayforce crawl is in a board's search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pages {
    /// The search endpoint (`/api/geo/{ns}/jobposting/search`), its fragment naming the
    /// board and culture (for the search's body and for the extractor). The state is kept
    /// this small because every crawl's checkpoint holds it.
    search: Url,
    /// The pre-flight's token and cookie, once read; every page is asked with them (a crawl
    /// continued in another process has them from its checkpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session: Option<Session>,
    /// `paginationStart` of the page last asked for.
    start: u64,
    /// The `start` of the page a renewed pre-flight was made for: a second refusal of the
    /// same page ends the list instead of renewing again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    renewed_at: Option<u64>,
}

/// What the CSRF pre-flight gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Session {
    token: String,
    /// The `Cookie` header: the pre-flight's cookies as `name=value; ...`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    cookie: String,
}

/// The pager of a Dayforce source configured at `url`, and its first request (the CSRF
/// pre-flight).
///
/// `url` is the board's public address (`https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL`,
/// with or without the culture, or one of its job pages) or the search endpoint itself
/// (`/api/geo/{ns}/jobposting/search`, for the default board and culture unless its query or
/// fragment names `jobBoardCode`/`cultureCode`). The API is asked on the address's own
/// host. Any other address is fetched as given, as one document.
pub fn start(url: &Url) -> (Pager, PageRequest) {
    let Some((namespace, board, culture)) = board_of(url) else {
        return (Pager::Single, PageRequest::get(url.clone()));
    };
    let mut search = url.clone();
    search.set_path(&format!("/api/geo/{namespace}/jobposting/search"));
    search.set_query(None);
    let fragment = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(BOARD_PARAM, &board)
        .append_pair(CULTURE_PARAM, &culture)
        .finish();
    search.set_fragment(Some(&fragment));
    let mut csrf = url.clone();
    csrf.set_path("/api/auth/csrf");
    csrf.set_query(None);
    csrf.set_fragment(None);
    let pages = Pages {
        search,
        session: None,
        start: 0,
        renewed_at: None,
    };
    let preflight = PageRequest {
        preflight: true,
        ..PageRequest::get(csrf)
    };
    (Pager::Dayforce(pages), preflight)
}

/// Tenant, board code and culture of a board's public address or of the search endpoint.
fn board_of(url: &Url) -> Option<(String, String, String)> {
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let named = |key: &str| {
        let from_query = url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v);
        let from_fragment = url.fragment().and_then(|fragment| {
            url::form_urlencoded::parse(fragment.as_bytes())
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
        });
        from_query
            .or(from_fragment)
            .map(|v| v.trim().to_owned())
            .filter(|v| is_word(v))
    };
    match segments.as_slice() {
        ["api", "geo", namespace, "jobposting", "search"] if is_word(namespace) => Some((
            (*namespace).to_owned(),
            named(BOARD_PARAM).unwrap_or_else(|| DEFAULT_BOARD.to_owned()),
            named(CULTURE_PARAM)
                .filter(|c| is_culture(c))
                .unwrap_or_else(|| DEFAULT_CULTURE.to_owned()),
        )),
        // `/{culture}/{ns}/{board}`, perhaps of one job (`/jobs/{id}`); or without the culture.
        [culture, namespace, board] | [culture, namespace, board, "jobs", ..]
            if is_culture(culture) =>
        {
            board_parts(culture, namespace, board)
        }
        [namespace, board] | [namespace, board, "jobs", ..] => {
            board_parts(DEFAULT_CULTURE, namespace, board)
        }
        _ => None,
    }
}

fn board_parts(culture: &str, namespace: &str, board: &str) -> Option<(String, String, String)> {
    let reserved = ["api", "_next", "profile", "jobs"];
    let usable = is_word(namespace)
        && is_word(board)
        && !reserved.contains(&namespace.to_ascii_lowercase().as_str())
        && !is_culture(namespace);
    usable.then(|| (namespace.to_owned(), board.to_owned(), culture.to_owned()))
}

impl Pages {
    /// The request after `doc`: after the pre-flight, the search's first page (with the
    /// token and cookie); after a page, the next one while rows remain before `maxCount`.
    /// `None` at the end, or when `doc` cannot be read (a pre-flight without a token).
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        let body: Value = serde_json::from_str(&doc.body).ok()?;
        if self.session.is_none() {
            let token = body.get("csrfToken")?.as_str()?.trim();
            if token.is_empty() {
                return None;
            }
            self.session = Some(Session {
                token: token.to_owned(),
                cookie: doc.cookies.join("; "),
            });
            // The list's first page, or the page a renewed pre-flight was made for.
            return Some(self.page());
        }
        let rows = body.get("jobPostings")?.as_array()?.len() as u64;
        let total = body.get("maxCount")?.as_u64()?;
        // Where this page started, as the API echoes it.
        let offset = body
            .get("offset")
            .and_then(Value::as_u64)
            .unwrap_or(self.start);
        let next = offset.saturating_add(rows);
        // An empty page before `maxCount` would otherwise be asked for again and again.
        if rows == 0 || next >= total {
            return None;
        }
        self.start = next;
        Some(self.page())
    }

    /// A new CSRF pre-flight after the search refused the page at `start` (401/403: the
    /// token expired, as it does when a crawl goes on in a later invocation); the page is
    /// asked again with the new token. `None` when this page was renewed for already.
    pub fn renew(&mut self) -> Option<PageRequest> {
        if self.session.is_none() || self.renewed_at == Some(self.start) {
            return None;
        }
        self.session = None;
        self.renewed_at = Some(self.start);
        let mut csrf = self.search.clone();
        csrf.set_path("/api/auth/csrf");
        csrf.set_query(None);
        csrf.set_fragment(None);
        Some(PageRequest {
            preflight: true,
            ..PageRequest::get(csrf)
        })
    }

    /// Tenant, board code and culture, as `start` wrote them in the search's address.
    fn board(&self) -> (String, String, String) {
        let namespace = self
            .search
            .path_segments()
            .and_then(|mut segments| segments.nth(2))
            .unwrap_or_default()
            .to_owned();
        let named = |key: &str, default: &str| {
            self.search
                .fragment()
                .and_then(|fragment| {
                    url::form_urlencoded::parse(fragment.as_bytes())
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v.into_owned())
                })
                .unwrap_or_else(|| default.to_owned())
        };
        (
            namespace,
            named(BOARD_PARAM, DEFAULT_BOARD),
            named(CULTURE_PARAM, DEFAULT_CULTURE),
        )
    }

    /// The search page at `self.start`, with the pre-flight's token and cookie.
    fn page(&self) -> PageRequest {
        let (namespace, board, culture) = self.board();
        let body = json!({
            "clientNamespace": namespace,
            "jobBoardCode": board,
            "cultureCode": culture,
            "paginationStart": self.start,
        });
        let mut request = PageRequest::post_json(self.search.clone(), body);
        if let Some(session) = &self.session {
            request
                .headers
                .push(("X-CSRF-TOKEN".to_owned(), session.token.clone()));
            if !session.cookie.is_empty() {
                request
                    .headers
                    .push(("Cookie".to_owned(), session.cookie.clone()));
            }
        }
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crawl::fetch::FetchMethod;

    const SEARCH: &str = include_str!("../../../testdata/corpus/dayforce/search_rsp.json");
    const PAGE_2: &str = include_str!("../../../testdata/corpus/dayforce/search_page2_rsp.json");
    const COOKIE: &str = "__Host-next-auth.csrf-token=abc%7Cdef";

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn doc(body: &str) -> Document {
        Document::new(url("https://jobs.dayforcehcm.com/api/auth/csrf"), body)
    }

    fn csrf_answer() -> Document {
        let mut answer = doc(r#"{"csrfToken": "tok123"}"#);
        answer.cookies = vec![COOKIE.to_owned(), "other=1".to_owned()];
        answer
    }

    fn pages(pager: Pager) -> Pages {
        match pager {
            Pager::Dayforce(pages) => pages,
            other => panic!("a Dayforce pager, not {other:?}"),
        }
    }

    #[test]
    fn a_board_address_starts_with_the_csrf_preflight_then_posts_the_search_with_it() {
        let (pager, first) = Pager::start(
            crate::model::SourceKind::Dayforce,
            &url("https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL"),
        );
        assert!(first.preflight);
        assert_eq!(
            first.url.as_str(),
            "https://jobs.dayforcehcm.com/api/auth/csrf"
        );
        assert_eq!(first.method, FetchMethod::Get);
        let mut pages = pages(pager);
        let search = pages.next(&csrf_answer()).unwrap();
        assert!(!search.preflight);
        assert_eq!(
            search.url.as_str(),
            "https://jobs.dayforcehcm.com/api/geo/pca/jobposting/search\
             #jobBoardCode=CANDIDATEPORTAL&cultureCode=en-US"
        );
        assert_eq!(
            search.method,
            FetchMethod::PostJson(json!({
                "clientNamespace": "pca",
                "jobBoardCode": "CANDIDATEPORTAL",
                "cultureCode": "en-US",
                "paginationStart": 0
            }))
        );
        assert_eq!(
            search.headers,
            [
                ("X-CSRF-TOKEN".to_owned(), "tok123".to_owned()),
                ("Cookie".to_owned(), format!("{COOKIE}; other=1")),
            ]
        );
    }

    #[test]
    fn a_refused_page_renews_the_token_once_and_is_asked_again_at_the_same_start() {
        let (pager, _) = start(&url(
            "https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL",
        ));
        let mut pages = pages(pager);
        pages.next(&csrf_answer()).unwrap();
        // The first page read, the second asked for at paginationStart 25.
        let second = pages.next(&doc(SEARCH)).unwrap();
        let FetchMethod::PostJson(body) = &second.method else {
            panic!("a POST");
        };
        let start = body["paginationStart"].clone();
        assert_ne!(start, json!(0));
        // Refused (the token expired): a new pre-flight, then the same page with the new token.
        let preflight = pages.renew().unwrap();
        assert!(preflight.preflight);
        assert_eq!(
            preflight.url.as_str(),
            "https://jobs.dayforcehcm.com/api/auth/csrf"
        );
        let mut fresh = doc(r#"{"csrfToken": "tok456"}"#);
        fresh.cookies = vec![COOKIE.to_owned()];
        let again = pages.next(&fresh).unwrap();
        let FetchMethod::PostJson(body) = &again.method else {
            panic!("a POST");
        };
        assert_eq!(body["paginationStart"], start);
        assert_eq!(
            again.headers[0],
            ("X-CSRF-TOKEN".to_owned(), "tok456".to_owned())
        );
        // Refused again with a fresh token: the list ends rather than asking forever.
        assert_eq!(pages.renew(), None);
    }

    #[test]
    fn pages_step_by_their_rows_up_to_the_max_count_keeping_the_token() {
        let (pager, _) = start(&url(
            "https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL",
        ));
        let mut pages = pages(pager);
        pages.next(&csrf_answer()).unwrap();
        // The recorded first page: 25 rows of 352 from offset 0.
        let second = pages.next(&doc(SEARCH)).unwrap();
        let FetchMethod::PostJson(body) = &second.method else {
            panic!("a POST");
        };
        assert_eq!(body["paginationStart"], 25);
        assert_eq!(
            second.headers.len(),
            2,
            "the token and cookie go with every page"
        );
        // The recorded second page: offset 25.
        let third = pages.next(&doc(PAGE_2)).unwrap();
        let FetchMethod::PostJson(body) = &third.method else {
            panic!("a POST");
        };
        assert_eq!(body["paginationStart"], 50);
        let last = r#"{"jobPostings": [{}, {}], "maxCount": 352, "offset": 350, "count": 2}"#;
        assert_eq!(pages.next(&doc(last)), None);
        let empty = r#"{"jobPostings": [], "maxCount": 352, "offset": 75, "count": 0}"#;
        assert_eq!(pages.next(&doc(empty)), None);
        assert_eq!(pages.next(&doc("Forbidden")), None);
    }

    #[test]
    fn the_pager_survives_a_checkpoint_with_its_session() {
        let (pager, _) = start(&url(
            "https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL",
        ));
        let mut pages = pages(pager);
        pages.next(&csrf_answer()).unwrap();
        pages.next(&doc(SEARCH)).unwrap();
        let saved = serde_json::to_string(&Pager::Dayforce(pages.clone())).unwrap();
        let restored: Pager = serde_json::from_str(&saved).unwrap();
        let Pager::Dayforce(mut restored) = restored else {
            panic!("a Dayforce pager");
        };
        assert_eq!(restored, pages);
        let third = restored.next(&doc(PAGE_2)).unwrap();
        assert_eq!(third.headers[0].1, "tok123");
    }

    #[test]
    fn a_preflight_without_a_token_ends_the_crawl_and_no_cookie_sends_no_cookie_header() {
        let (pager, _) = start(&url(
            "https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL",
        ));
        let mut pages = pages(pager);
        assert_eq!(pages.next(&doc("<html>oops</html>")), None);
        assert_eq!(pages.next(&doc(r#"{"csrfToken": ""}"#)), None);
        let search = pages.next(&doc(r#"{"csrfToken": "t"}"#)).unwrap();
        assert_eq!(
            search.headers,
            [("X-CSRF-TOKEN".to_owned(), "t".to_owned())]
        );
    }

    #[test]
    fn board_addresses_of_every_shape_and_the_search_endpoint_are_understood() {
        let cases = [
            (
                "https://jobs.dayforcehcm.com/fr-CA/acme/alljobs",
                "acme",
                "alljobs",
                "fr-CA",
            ),
            (
                "https://jobs.dayforcehcm.com/acme/alljobs/",
                "acme",
                "alljobs",
                "en-US",
            ),
            (
                "https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL/jobs/62374",
                "pca",
                "CANDIDATEPORTAL",
                "en-US",
            ),
            (
                "https://jobs.dayforcehcm.com/api/geo/pca/jobposting/search",
                "pca",
                "CANDIDATEPORTAL",
                "en-US",
            ),
            (
                "https://jobs.dayforcehcm.com/api/geo/pca/jobposting/search?jobBoardCode=ENG&cultureCode=en-GB",
                "pca",
                "ENG",
                "en-GB",
            ),
            (
                "http://127.0.0.1:9/api/geo/pca/jobposting/search#jobBoardCode=ENG",
                "pca",
                "ENG",
                "en-US",
            ),
        ];
        for (address, namespace, board, culture) in cases {
            let (pager, first) = start(&url(address));
            assert!(first.preflight, "{address}");
            let pages = pages(pager);
            assert_eq!(
                pages.board(),
                (namespace.to_owned(), board.to_owned(), culture.to_owned()),
                "{address}"
            );
            assert_eq!(
                pages.search.path(),
                format!("/api/geo/{namespace}/jobposting/search")
            );
            assert_eq!(pages.search.query(), None);
        }
        let (pager, first) = start(&url("http://127.0.0.1:9/en-US/pca/CANDIDATEPORTAL"));
        assert_eq!(first.url.as_str(), "http://127.0.0.1:9/api/auth/csrf");
        assert_eq!(pages(pager).search.host_str(), Some("127.0.0.1"));
    }

    #[test]
    fn other_addresses_are_fetched_as_given() {
        for address in [
            "https://jobs.dayforcehcm.com/api/geo/pca/jobposting/pca/en-US/1/62374",
            "https://jobs.dayforcehcm.com/en-US/pca",
            "https://jobs.dayforcehcm.com/",
            "https://jobs.dayforcehcm.com/api/auth/csrf",
        ] {
            let (pager, first) = start(&url(address));
            assert!(pager.is_single(), "{address}");
            assert_eq!(first, PageRequest::get(url(address)));
        }
    }
}
