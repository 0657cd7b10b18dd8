//! Paging of UKG Pro Recruiting (UltiPro) boards: a `POST` of the search to
//! `{board}/JobBoardView/LoadSearchResults` per page, `Skip` advanced by the records each
//! page returned, up to the response's `totalCount`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

use super::{PageRequest, Pager};
use crate::crawl::fetch::Document;
use crate::extract::ultipro::board_url;

/// Records asked for per page (`Top`); the board may return fewer, and `Skip` follows what
/// it returned.
pub const PAGE_SIZE: u64 = 50;

/// Where an UltiPro crawl is in its list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pages {
    /// The search endpoint every page is posted to; `None` for an address of unknown shape,
    /// fetched once as given.
    endpoint: Option<Url>,
    /// The board's search words (`q` of the public board address), usually empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    query: String,
    /// `Skip` of the page last asked for.
    skip: u64,
}

/// The pager of an UltiPro source configured at `url` (the public board address
/// `https://{host}/{tenant}/JobBoard/{board}/`, any page under it, or the search endpoint
/// itself), and its first request: the search posted with `Skip` 0. An address without a
/// board is fetched as given.
pub fn start(url: &Url) -> (Pager, PageRequest) {
    let Some(endpoint) =
        board_url(url).and_then(|board| board.join("JobBoardView/LoadSearchResults").ok())
    else {
        let pages = Pages {
            endpoint: None,
            query: String::new(),
            skip: 0,
        };
        return (Pager::UltiPro(pages), PageRequest::get(url.clone()));
    };
    let query = url
        .query_pairs()
        .find(|(key, _)| key == "q")
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default();
    let first = search(&endpoint, &query, 0);
    let pages = Pages {
        endpoint: Some(endpoint),
        query,
        skip: 0,
    };
    (Pager::UltiPro(pages), first)
}

impl Pages {
    /// The request after `doc`, or `None` at the end of the list: a page with no records, or
    /// `Skip` reaching `totalCount`, or a body that is not search results.
    pub fn next(&mut self, doc: &Document) -> Option<PageRequest> {
        let endpoint = self.endpoint.as_ref()?;
        let page: Value = serde_json::from_str(&doc.body).ok()?;
        let count = page.get("opportunities")?.as_array()?.len() as u64;
        let total = page.get("totalCount")?.as_u64()?;
        let next = self.skip.saturating_add(count);
        if count == 0 || next >= total {
            return None;
        }
        let request = search(endpoint, &self.query, next);
        self.skip = next;
        Some(request)
    }
}

/// The search posted to `endpoint` with `Skip` = `skip`, shaped as the board's own page
/// sends it.
fn search(endpoint: &Url, query: &str, skip: u64) -> PageRequest {
    let body = json!({
        "opportunitySearch": {
            "Top": PAGE_SIZE,
            "Skip": skip,
            "QueryString": query,
            "OrderBy": [
                {"Value": "postedDateDesc", "PropertyName": "PostedDate", "Ascending": false}
            ],
            "Filters": [
                {"t": "TermsSearchFilterDto", "fieldName": 4, "extra": null, "values": []},
                {"t": "TermsSearchFilterDto", "fieldName": 5, "extra": null, "values": []},
                {"t": "TermsSearchFilterDto", "fieldName": 6, "extra": null, "values": []},
                {"t": "TermsSearchFilterDto", "fieldName": 37, "extra": null, "values": []}
            ]
        },
        "matchCriteria": {
            "PreferredJobs": [],
            "Educations": [],
            "LicenseAndCertifications": [],
            "Skills": [],
            "hasNoLicenses": false,
            "SkippedSkills": []
        }
    });
    let mut request = PageRequest::post_json(endpoint.clone(), body);
    request
        .headers
        .push(("X-Requested-With".to_owned(), "XMLHttpRequest".to_owned()));
    request
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crawl::fetch::FetchMethod;

    const BOARD: &str = "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/";

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn skip_of(request: &PageRequest) -> Option<u64> {
        match &request.method {
            FetchMethod::PostJson(body) => body["opportunitySearch"]["Skip"].as_u64(),
            FetchMethod::Get => None,
        }
    }

    fn page(count: usize, total: u64) -> Document {
        let items: Vec<Value> = (0..count).map(|i| json!({ "Id": i.to_string() })).collect();
        let body = json!({ "opportunities": items, "totalCount": total }).to_string();
        Document::new(url(BOARD), body)
    }

    #[test]
    fn the_public_board_address_is_searched_by_post_from_skip_zero() {
        let (_, first) = start(&url(&format!("{BOARD}?q=&o=postedDateDesc")));
        assert_eq!(
            first.url.as_str(),
            format!("{BOARD}JobBoardView/LoadSearchResults")
        );
        assert_eq!(skip_of(&first), Some(0));
        let FetchMethod::PostJson(body) = &first.method else {
            panic!("a POST")
        };
        assert_eq!(body["opportunitySearch"]["Top"], json!(PAGE_SIZE));
        assert_eq!(body["opportunitySearch"]["QueryString"], json!(""));
        assert_eq!(
            body["opportunitySearch"]["OrderBy"][0]["Value"],
            json!("postedDateDesc")
        );
        assert!(
            first
                .headers
                .contains(&("X-Requested-With".to_owned(), "XMLHttpRequest".to_owned()))
        );
        let (_, again) = start(&url(&format!("{BOARD}JobBoardView/LoadSearchResults")));
        assert_eq!(again, first, "the endpoint itself gives the same request");
        let (_, words) = start(&url(&format!("{BOARD}?q=engineer")));
        let FetchMethod::PostJson(body) = &words.method else {
            panic!("a POST")
        };
        assert_eq!(body["opportunitySearch"]["QueryString"], json!("engineer"));
    }

    #[test]
    fn pages_follow_by_skip_until_the_total_count() {
        let (mut pager, _) = start(&url(BOARD));
        // The recorded first page: 20 of 90 (the board returned fewer than asked).
        let corpus = include_str!("../../../testdata/corpus/ultipro/search_rsp.json");
        let second = pager.next(&Document::new(url(BOARD), corpus)).unwrap();
        assert_eq!(skip_of(&second), Some(20));
        assert_eq!(skip_of(&pager.next(&page(50, 90)).unwrap()), Some(70));
        assert_eq!(pager.next(&page(20, 90)), None, "70 + 20 reaches 90");
    }

    #[test]
    fn an_empty_or_unreadable_page_ends_the_list() {
        let (mut pager, _) = start(&url(BOARD));
        assert_eq!(pager.next(&page(0, 90)), None);
        let (mut pager, _) = start(&url(BOARD));
        let html = Document::new(url(BOARD), "<html>Not Found</html>");
        assert_eq!(pager.next(&html), None);
    }

    #[test]
    fn an_address_without_a_board_is_fetched_once_as_given() {
        let odd = url("https://recruiting.ultipro.com/TEC1006TESER/");
        let (mut pager, first) = start(&odd);
        assert_eq!(first, PageRequest::get(odd.clone()));
        assert_eq!(pager.next(&page(20, 90)), None);
    }

    #[test]
    fn the_pager_state_survives_a_checkpoint() {
        let (pager, _) = start(&url(BOARD));
        let json = serde_json::to_string(&pager).unwrap();
        assert_eq!(serde_json::from_str::<Pager>(&json).unwrap(), pager);
    }
}
