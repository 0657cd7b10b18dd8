//! Extractor for the Dayforce (Ceridian) candidate portal API on `jobs.dayforcehcm.com`: a
//! board's search page (`POST /api/geo/{ns}/jobposting/search`: `jobPostings`, `maxCount`,
//! `offset`, `count`) and one posting's detail (`GET /api/geo/{ns}/jobposting/{ns}/{culture}/
//! {jobBoardId}/{id}`), whose content and pay the search rows lack.
//!
//! Neither document names the board's code (`CANDIDATEPORTAL`), which the public posting page
//! needs (`/{culture}/{ns}/{board}/jobs/{id}`): the crawl carries it in the fragment of the
//! addresses it fetches (`#jobBoardCode=…&cultureCode=…`, never sent to the server), and a
//! document read without one is taken to be of the default board, `CANDIDATEPORTAL`.

use serde_json::{Map, Value};
use url::Url;

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, RawSalary, collect_postings,
    json_f64, json_str, parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Dayforce;

/// Where every tenant's public job pages are.
pub const PUBLIC_ORIGIN: &str = "https://jobs.dayforcehcm.com";

/// The board every tenant has (its `jobBoardId` is 1), assumed when a document's address
/// does not name one.
pub const DEFAULT_BOARD: &str = "CANDIDATEPORTAL";

/// The culture assumed when a document's address does not name one.
pub const DEFAULT_CULTURE: &str = "en-US";

/// Fragment parameter naming the board's code on the addresses the crawl fetches.
pub const BOARD_PARAM: &str = "jobBoardCode";

/// Fragment parameter naming the culture on the addresses the crawl fetches.
pub const CULTURE_PARAM: &str = "cultureCode";

/// Extracts the postings of one Dayforce API document: a search page or one posting.
///
/// Search rows carry their description as text with the HTML's entities left in (decoded
/// here); a row without one names its detail (`detail_url`), which has the description as
/// HTML (header, body and footer) and the pay (`HiringMinRate`/`HiringMaxRate` in
/// `isoCurrencyRegion`, often null: then no currency). `hasVirtualLocation: true` is the
/// remote signal; `false` says nothing. A row without a title or id is skipped and counted.
/// Errors, each saying what the document is: the API's problem documents (an unknown tenant
/// or board, a posting that does not exist), the search's bare `Forbidden` (no CSRF token),
/// the pre-flight's token, a board's attribute lists, an HTML page, other JSON.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let start = body.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if start.starts_with('<') {
        return Err(malformed(
            "an HTML page, not the Dayforce API: a board's page lists no postings itself (the \
             crawl reads the board's search API, derived from the page's address)",
        ));
    }
    if start.trim_end().eq_ignore_ascii_case("forbidden") {
        return Err(malformed(
            "the search answered `Forbidden`: it needs the token of `/api/auth/csrf` as \
             `X-CSRF-TOKEN`, with the cookie that request set",
        ));
    }
    let doc = parse_json(body, KIND)?;
    let Some(object) = doc.as_object() else {
        return Err(malformed(
            "expected a search page (`jobPostings`) or a posting (`jobPostingId`)",
        ));
    };
    let board = Board::of(ctx.url);
    if object.contains_key("jobPostings") || object.contains_key("maxCount") {
        let rows = match object.get("jobPostings") {
            Some(Value::Array(rows)) => rows.as_slice(),
            // A page past the end, or of an empty board.
            None | Some(Value::Null) => &[],
            Some(_) => return Err(malformed("`jobPostings` is not a list")),
        };
        return Ok(collect_postings(rows, |row| search_row(row, &board)));
    }
    if is_posting(object) {
        return Ok(collect_postings([&doc], |detail| {
            detail_posting(detail, &board)
        }));
    }
    Err(malformed(&refusal(object)))
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether an object is a Dayforce API document with postings (for `auto`): a search page
/// (`jobPostings` with `maxCount`) or one posting (`jobPostingId` with its content).
pub(crate) fn is_document(object: &Map<String, Value>) -> bool {
    let search =
        object.get("jobPostings").is_some_and(Value::is_array) && object.contains_key("maxCount");
    search || (is_posting(object) && object.contains_key("jobPostingContent"))
}

fn is_posting(object: &Map<String, Value>) -> bool {
    object.contains_key("jobPostingId") && object.contains_key("jobTitle")
}

/// Why an object with no postings is not a Dayforce page of postings.
fn refusal(object: &Map<String, Value>) -> String {
    if let Some(status) = object.get("status").and_then(Value::as_u64) {
        let title = json_str(object.get("title")).unwrap_or_default();
        return if status == 404 {
            "the API answered 404 Not Found: no such tenant or board (search), or no such \
             posting (detail)"
                .to_owned()
        } else {
            format!("the API answered {status} {}", clip(&title))
        };
    }
    if object.contains_key("csrfToken") {
        return "a CSRF token (the search's pre-flight), not postings".to_owned();
    }
    if object.contains_key("postingAttributesAttributesList") {
        return "a board's posting attributes (filter values), not postings".to_owned();
    }
    "expected a search page (`jobPostings`) or a posting (`jobPostingId`)".to_owned()
}

/// At most 100 characters of a server's text, for an error message.
fn clip(text: &str) -> String {
    text.chars().take(100).collect()
}

/// What a document's address says of its board.
#[derive(Debug, Clone, PartialEq)]
struct Board {
    /// Where the API was reached (for detail addresses).
    api_origin: String,
    /// The tenant (`clientNamespace`), from the API path.
    namespace: Option<String>,
    /// The board's code.
    code: String,
    /// The culture of the public pages.
    culture: String,
    /// The fragment the crawl's addresses carry, to pass on to detail addresses.
    fragment: String,
}

impl Board {
    fn of(url: Option<&Url>) -> Board {
        let fragment_value = |key: &str| {
            let fragment = url?.fragment()?;
            url::form_urlencoded::parse(fragment.as_bytes())
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| !v.is_empty() && is_segment(v))
        };
        let segments: Vec<&str> = url
            .and_then(Url::path_segments)
            .map(|s| s.filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        // `/api/geo/{ns}/jobposting/...`; a detail goes on `/{ns}/{culture}/{boardId}/{id}`.
        let api = segments.first() == Some(&"api") && segments.get(1) == Some(&"geo");
        let namespace = segments
            .get(2)
            .filter(|_| api)
            .map(|ns| (*ns).to_owned())
            .filter(|ns| is_segment(ns));
        let path_culture = segments
            .get(5)
            .filter(|_| api && segments.get(3) == Some(&"jobposting"))
            .filter(|c| is_culture(c))
            .map(|c| (*c).to_owned());
        let code = fragment_value(BOARD_PARAM).unwrap_or_else(|| DEFAULT_BOARD.to_owned());
        let culture = path_culture
            .or_else(|| fragment_value(CULTURE_PARAM).filter(|c| is_culture(c)))
            .unwrap_or_else(|| DEFAULT_CULTURE.to_owned());
        let fragment = url::form_urlencoded::Serializer::new(String::new())
            .append_pair(BOARD_PARAM, &code)
            .append_pair(CULTURE_PARAM, &culture)
            .finish();
        let api_origin = url
            .map(|u| u.origin().ascii_serialization())
            .filter(|origin| origin.starts_with("http"))
            .unwrap_or_else(|| PUBLIC_ORIGIN.to_owned());
        Board {
            api_origin,
            namespace,
            code,
            culture,
            fragment,
        }
    }

    /// The public page of posting `id` of tenant `namespace`.
    fn posting_url(&self, namespace: &str, id: &str) -> String {
        format!(
            "{PUBLIC_ORIGIN}/{}/{namespace}/{}/jobs/{id}",
            self.culture, self.code
        )
    }

    /// The detail request of posting `id` on board `board_id`, carrying the board's code.
    fn detail_url(&self, namespace: &str, board_id: &str, id: &str) -> String {
        format!(
            "{}/api/geo/{namespace}/jobposting/{namespace}/{}/{board_id}/{id}#{}",
            self.api_origin, self.culture, self.fragment
        )
    }
}

/// Whether a text can stand as one path segment (tenants, boards, ids are plain words).
pub(crate) fn is_segment(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// `en-US`, `fr-CA`, ...
pub(crate) fn is_culture(text: &str) -> bool {
    let mut parts = text.split('-');
    let (Some(language), Some(region), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    language.len() == 2
        && region.len() == 2
        && language.chars().all(|c| c.is_ascii_alphabetic())
        && region.chars().all(|c| c.is_ascii_alphabetic())
}

/// What a search row and a detail have alike.
fn common(record: &Map<String, Value>, namespace: &str, board: &Board) -> Option<RawPosting> {
    let id = json_str(record.get("jobPostingId")).filter(|id| is_segment(id))?;
    let title = json_str(record.get("jobTitle"))?;
    let remote = record.get("hasVirtualLocation").and_then(Value::as_bool) == Some(true);
    Some(RawPosting {
        url: Some(board.posting_url(namespace, &id)),
        external_id: Some(id),
        title: Some(title),
        company_name: Some(namespace.to_owned()),
        locations: locations(record.get("postingLocations")),
        // `false` is also what a posting with no place at all says: not a sign of on-site.
        workplace_hints: remote.then(|| "remote".to_owned()).into_iter().collect(),
        posted_at: date(record.get("postingStartTimestampUTC")),
        valid_through: date(record.get("postingExpiryTimestampUTC")),
        ..RawPosting::default()
    })
}

fn search_row(row: &Map<String, Value>, board: &Board) -> Option<RawPosting> {
    let namespace = json_str(row.get("clientNamespace"))
        .filter(|ns| is_segment(ns))
        .or_else(|| board.namespace.clone())?;
    let mut posting = common(row, &namespace, board)?;
    // Text with the HTML's entities (`&nbsp;`, `&rsquo;`) left in.
    posting.description_text = json_str(row.get("jobDescription"))
        .map(|text| html_escape::decode_html_entities(&text).into_owned())
        .filter(|text| !text.trim().is_empty());
    if posting.description_text.is_none() {
        let board_id = json_str(row.get("jobBoardId")).filter(|id| is_segment(id));
        if let (Some(board_id), Some(id)) = (board_id, posting.external_id.as_deref()) {
            posting.detail_url = Some(board.detail_url(&namespace, &board_id, id));
        }
    }
    Some(posting)
}

fn detail_posting(detail: &Map<String, Value>, board: &Board) -> Option<RawPosting> {
    let namespace = board
        .namespace
        .clone()
        .or_else(|| json_str(detail.get("clientNamespace")).filter(|ns| is_segment(ns)))?;
    let mut posting = common(detail, &namespace, board)?;
    let content = detail.get("jobPostingContent").and_then(Value::as_object);
    let sections: Vec<String> = [
        "jobDescriptionHeader",
        "jobDescription",
        "jobDescriptionFooter",
    ]
    .iter()
    .filter_map(|key| json_str(content?.get(*key)))
    .collect();
    posting.description_html = (!sections.is_empty()).then(|| sections.join("\n"));
    let attributes: Vec<&Map<String, Value>> = detail
        .get("jobPostingAttributes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    let attribute = |name: &str| {
        attributes
            .iter()
            .find(|a| json_str(a.get("name")).is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .and_then(|a| a.get("value"))
    };
    let bound = |name: &str| json_f64(attribute(name)).filter(|amount| *amount > 0.0);
    let (min, max) = (bound("HiringMinRate"), bound("HiringMaxRate"));
    posting.salary = (min.is_some() || max.is_some()).then(|| RawSalary {
        min,
        max,
        // Null on most tenants: then the pay has no stated currency.
        currency: json_str(detail.get("isoCurrencyRegion")),
        // `Hourly` or `Salary`, the board's pay types.
        period: json_str(attribute("PayType")),
    });
    // The board's pay classes (`Full-time`, ...) are its employment types.
    posting.employment_types = json_str(attribute("PayClass")).into_iter().collect();
    Some(posting)
}

fn date(value: Option<&Value>) -> Option<RawDate> {
    json_str(value).map(RawDate::Text)
}

/// `postingLocations`: each a formatted address with its city, state code and ISO country
/// (all null for a region such as `Europe`); null on rows without any.
fn locations(value: Option<&Value>) -> Vec<RawLocation> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter_map(|place| {
            let part = |key: &str| json_str(place.get(key));
            RawLocation::from_parts(
                part("formattedAddress"),
                part("cityName"),
                part("stateCode"),
                part("isoCountryCode"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH: &str = include_str!("../../testdata/corpus/dayforce/search_rsp.json");
    const PAGE_2: &str = include_str!("../../testdata/corpus/dayforce/search_page2_rsp.json");
    const DETAIL: &str = include_str!("../../testdata/corpus/dayforce/detail_rsp.json");
    const NULL_CURRENCY: &str =
        include_str!("../../testdata/corpus/dayforce/detail_null_currency_rsp.json");
    const NULL_HEADER: &str =
        include_str!("../../testdata/corpus/dayforce/detail_null_description_header_rsp.json");
    const NOT_FOUND: &str =
        include_str!("../../testdata/corpus/dayforce/detail_not_found_rsp.json");
    const UNKNOWN_TENANT: &str =
        include_str!("../../testdata/corpus/dayforce/search_unknown_tenant_rsp.json");
    const DEPARTMENTS: &str =
        include_str!("../../testdata/corpus/dayforce/attributes_departments_rsp.json");

    const SEARCH_URL: &str = "https://jobs.dayforcehcm.com/api/geo/pca/jobposting/search";
    const DETAIL_URL: &str =
        "https://jobs.dayforcehcm.com/api/geo/pca/jobposting/pca/en-US/1/62374";

    fn run(body: &str, url: &str) -> Result<Extraction, ParseError> {
        let url = Url::parse(url).unwrap();
        extract(body, DocumentContext { url: Some(&url) })
    }

    #[test]
    fn a_search_page_gives_each_row_with_its_text_description_and_public_page() {
        let extraction = run(SEARCH, SEARCH_URL).unwrap();
        assert_eq!(extraction.postings.len(), 25);
        assert_eq!(extraction.skipped, 0);
        let first = &extraction.postings[0];
        assert_eq!(first.external_id.as_deref(), Some("62333"));
        assert_eq!(first.title.as_deref(), Some("General Laborer- Wallula"));
        assert_eq!(
            first.url.as_deref(),
            Some("https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL/jobs/62333")
        );
        assert_eq!(first.company_name.as_deref(), Some("pca"));
        assert_eq!(first.detail_url, None, "the row has its description");
        let text = first.description_text.as_deref().unwrap();
        assert!(text.starts_with("Individuals hired as a General Labor Associate"));
        assert!(
            !text.contains("&nbsp;") && !text.contains("&amp;"),
            "entities decoded"
        );
        assert!(text.contains("KNOWLEDGE, SKILLS & ABILITIES"));
        assert_eq!(
            first.posted_at,
            Some(RawDate::Text("2026-08-10T07:00:00+00:00".into()))
        );
        assert_eq!(
            first.valid_through,
            Some(RawDate::Text("2026-08-15T06:59:00+00:00".into()))
        );
        assert!(first.workplace_hints.is_empty(), "false says nothing");
        assert_eq!(first.salary, None);
        assert_eq!(
            first.locations[0],
            RawLocation {
                raw: "PCA, 31572 Hwy 12, Wallula, Washington, United States of America".into(),
                city: Some("Wallula".into()),
                region: Some("WA".into()),
                country: Some("US".into()),
            }
        );
    }

    #[test]
    fn a_row_with_a_virtual_location_is_remote() {
        let extraction = run(SEARCH, SEARCH_URL).unwrap();
        let remote: Vec<&RawPosting> = extraction
            .postings
            .iter()
            .filter(|p| p.workplace_hints == ["remote"])
            .collect();
        assert_eq!(remote.len(), 1);
        assert_eq!(remote[0].external_id.as_deref(), Some("62239"));
        assert_eq!(remote[0].locations.len(), 9);
    }

    #[test]
    fn the_board_and_culture_of_the_crawls_fragment_make_the_public_page() {
        let url = format!("{SEARCH_URL}#jobBoardCode=alljobs&cultureCode=fr-CA");
        let extraction = run(PAGE_2, &url).unwrap();
        assert_eq!(extraction.postings.len(), 25);
        let first = &extraction.postings[0];
        let id = first.external_id.as_deref().unwrap();
        assert_eq!(
            first.url.as_deref().unwrap(),
            format!("https://jobs.dayforcehcm.com/fr-CA/pca/alljobs/jobs/{id}")
        );
    }

    #[test]
    fn a_row_without_a_description_names_its_detail_with_the_board_code() {
        let body = r#"{"jobPostings": [{"clientNamespace": "acme", "jobBoardId": 8,
            "jobPostingId": 77, "jobTitle": "Welder", "jobDescription": "  ",
            "hasVirtualLocation": true, "postingLocations": null,
            "postingStartTimestampUTC": "2026-08-01T00:00:00+00:00"}],
            "maxCount": 1, "offset": 0, "count": 1}"#;
        let url = "http://127.0.0.1:8080/api/geo/acme/jobposting/search#jobBoardCode=alljobs";
        let posting = &run(body, url).unwrap().postings[0];
        assert_eq!(posting.description_text, None);
        assert_eq!(
            posting.detail_url.as_deref(),
            Some(
                "http://127.0.0.1:8080/api/geo/acme/jobposting/acme/en-US/8/77\
                 #jobBoardCode=alljobs&cultureCode=en-US"
            )
        );
        assert_eq!(
            posting.url.as_deref(),
            Some("https://jobs.dayforcehcm.com/en-US/acme/alljobs/jobs/77")
        );
        assert_eq!(posting.workplace_hints, ["remote"]);
        assert!(posting.locations.is_empty());
        // The detail it names gives the posting at the same public page.
        let detail = DETAIL.replace("62374", "77");
        let detailed = run(&detail, posting.detail_url.as_deref().unwrap()).unwrap();
        assert_eq!(detailed.postings[0].url, posting.url);
    }

    #[test]
    fn a_detail_gives_its_html_sections_pay_and_places() {
        let extraction = run(DETAIL, DETAIL_URL).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        let posting = &extraction.postings[0];
        assert_eq!(posting.external_id.as_deref(), Some("62374"));
        assert_eq!(
            posting.title.as_deref(),
            Some("Electrical Engineering Co Op/Intern - All Mills")
        );
        assert_eq!(
            posting.url.as_deref(),
            Some("https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL/jobs/62374")
        );
        assert_eq!(posting.detail_url, None);
        let html = posting.description_html.as_deref().unwrap();
        assert!(html.contains("Fortune 500 company"), "the header");
        assert!(html.contains("We are seeking resumes"), "the body");
        assert_eq!(
            posting.salary,
            Some(RawSalary {
                min: Some(25.0),
                max: Some(30.0),
                currency: Some("USD".into()),
                period: Some("Salary".into()),
            })
        );
        assert_eq!(posting.locations.len(), 13);
        assert_eq!(posting.locations[0].city.as_deref(), Some("Massillon"));
        assert_eq!(posting.locations[0].region.as_deref(), Some("OH"));
        assert_eq!(posting.valid_through, None);
    }

    #[test]
    fn a_detail_with_a_null_currency_or_header_invents_nothing() {
        let url = "https://jobs.dayforcehcm.com/api/geo/jdemea/jobposting/jdemea/en-US/1/35762";
        let posting = &run(NULL_CURRENCY, url).unwrap().postings[0];
        assert_eq!(
            posting.title.as_deref(),
            Some("Area Profit Protection Manager - Oxfordshire")
        );
        assert_eq!(
            posting.url.as_deref(),
            Some("https://jobs.dayforcehcm.com/en-US/jdemea/CANDIDATEPORTAL/jobs/35762")
        );
        assert_eq!(posting.salary, None);
        assert!(posting.locations.is_empty());
        assert!(posting.workplace_hints.is_empty());
        let url = "https://jobs.dayforcehcm.com/api/geo/ara/jobposting/ara/en-US/1/8";
        let posting = &run(NULL_HEADER, url).unwrap().postings[0];
        let html = posting.description_html.as_deref().unwrap();
        assert!(html.starts_with("<p"), "the body leads: {}", &html[..20]);
        assert!(html.contains("PURPOSE"));
    }

    #[test]
    fn a_currency_without_amounts_is_no_salary_and_a_pay_class_is_an_employment_type() {
        let body = r#"{"jobPostingId": 5, "jobTitle": "Clerk", "isoCurrencyRegion": "CAD",
            "jobPostingContent": {"jobDescription": "<p>Filing</p>"},
            "jobPostingAttributes": [{"name": "PayClass", "value": "Part-time", "type": "string"},
                {"name": "HiringMaxRate", "value": 21.5, "type": "currency"},
                {"name": "TravelRequired", "value": true, "type": "bool"}]}"#;
        let url = "https://jobs.dayforcehcm.com/api/geo/x/jobposting/x/en-US/1/5";
        let posting = &run(body, url).unwrap().postings[0];
        assert_eq!(
            posting.salary,
            Some(RawSalary {
                min: None,
                max: Some(21.5),
                currency: Some("CAD".into()),
                period: None,
            })
        );
        assert_eq!(posting.employment_types, ["Part-time"]);
        let unpaid = body.replace("21.5", "0");
        assert_eq!(run(&unpaid, url).unwrap().postings[0].salary, None);
    }

    #[test]
    fn problems_refusals_and_other_documents_are_errors_that_say_what_they_are() {
        let cases = [
            (NOT_FOUND, DETAIL_URL, "no such posting"),
            (UNKNOWN_TENANT, SEARCH_URL, "no such tenant"),
            ("Forbidden", SEARCH_URL, "X-CSRF-TOKEN"),
            (r#"{"csrfToken": "abc"}"#, SEARCH_URL, "pre-flight"),
            (DEPARTMENTS, SEARCH_URL, "posting attributes"),
            ("<!DOCTYPE html><html></html>", SEARCH_URL, "HTML page"),
            (
                r#"{"status": 500, "title": "Server Error"}"#,
                SEARCH_URL,
                "500 Server Error",
            ),
            ("[]", SEARCH_URL, "expected a search page"),
            (r#"{"jobPostings": {}}"#, SEARCH_URL, "not a list"),
        ];
        for (body, url, reason) in cases {
            let error = run(body, url).unwrap_err().to_string();
            assert!(error.contains(reason), "{error}");
        }
    }

    #[test]
    fn an_empty_page_is_no_postings_and_unusable_rows_are_counted() {
        let empty = r#"{"jobPostings": [], "maxCount": 352, "offset": 375, "count": 0}"#;
        assert!(run(empty, SEARCH_URL).unwrap().postings.is_empty());
        let null = r#"{"jobPostings": null, "maxCount": 0}"#;
        assert!(run(null, SEARCH_URL).unwrap().postings.is_empty());
        let rows = r#"{"jobPostings": [{"jobPostingId": 1}, {"jobTitle": "No id"},
            {"jobPostingId": 2, "jobTitle": "Ok", "jobDescription": "x"}, 7], "maxCount": 4}"#;
        let extraction = run(rows, SEARCH_URL).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 3);
    }

    #[test]
    fn a_document_without_an_address_is_read_for_the_default_board() {
        let extraction = extract(SEARCH, DocumentContext::default()).unwrap();
        assert_eq!(
            extraction.postings[1].url.as_deref(),
            Some("https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL/jobs/62374")
        );
        // A detail names no tenant: without an address it has no public page.
        let detail = extract(DETAIL, DocumentContext::default()).unwrap();
        assert!(detail.postings.is_empty());
        assert_eq!(detail.skipped, 1);
    }
}
