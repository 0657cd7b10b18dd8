//! Extractor for UKG Pro Recruiting (UltiPro) job boards: a board's search results (the JSON
//! that `POST .../JobBoard/{board}/JobBoardView/LoadSearchResults` answers) and an
//! opportunity's page (`.../OpportunityDetail?opportunityId=...`, HTML embedding the whole
//! posting as a JSON object literal).
//!
//! Search results carry a short `BriefDescription` only, so each record names its
//! opportunity page as its detail; the page gives the full posting.

use serde_json::{Map, Value};
use url::Url;

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, RawSalary, board_slug,
    collect_postings, json_f64, json_str, parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::UltiPro;

/// What precedes the posting's JSON on an opportunity page.
const DETAIL_MARKER: &str = "CandidateOpportunityDetail(";

/// The translation key of the message an opportunity page shows for an unknown or unposted
/// opportunity (the page is an HTTP 200 either way).
const NOT_FOUND_MARKER: &str = "Opportunity.OpportunityError.";

/// Extracts the postings of one UltiPro document.
///
/// Search results give one record per opportunity, each with `detail_url` set to its
/// opportunity page (the search has no descriptions); an opportunity page gives its one
/// posting, or none when it says the opportunity is closed. Posting URLs are built from the
/// board's address in `ctx.url` (`https://{host}/{tenant}/JobBoard/{board}/...`); without it
/// search records have no address and are skipped. `JobLocationType` 0/1/2 becomes the hint
/// `hybrid`/`onsite`/`remote`; pay comes only from the structured annual or hourly bounds, or
/// from the pay range when the board shows it.
///
/// Errors: JSON without an `opportunities` list; an opportunity page without its posting
/// (the opportunity does not exist or is no longer posted); a "Not Found" page (an unknown
/// company or board); any other page.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let start = body.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let board = ctx.url.and_then(board_url);
    if start.starts_with(['{', '[']) {
        let doc = parse_json(start, KIND)?;
        let Some(items) = doc.get("opportunities").and_then(Value::as_array) else {
            return Err(malformed(
                "expected search results: an object with an `opportunities` list",
            ));
        };
        return Ok(collect_postings(items, |item| {
            list_posting(item, board.as_ref())
        }));
    }
    let Some(opportunity) = embedded_opportunity(body)? else {
        return Err(malformed(page_problem(body)));
    };
    let mut out = Extraction::default();
    if opportunity
        .get("OpportunityIsClosed")
        .and_then(Value::as_bool)
        == Some(true)
    {
        // The page still renders a closed opportunity; it is no longer open to apply.
        out.skipped = 1;
        return Ok(out);
    }
    match detail_posting(&opportunity, board.as_ref()) {
        Some(posting) => out.postings.push(posting),
        None => out.skipped = 1,
    }
    Ok(out)
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Why an HTML page without an embedded opportunity cannot be read.
fn page_problem(body: &str) -> &'static str {
    if body.contains(NOT_FOUND_MARKER) {
        "the opportunity page says the opportunity was not found (it does not exist or is \
         no longer posted)"
    } else if title_says_not_found(body) {
        "a \"Not Found\" page: the company or job board does not exist"
    } else {
        "neither search results nor an opportunity page (no embedded opportunity)"
    }
}

/// Whether the page's `<title>` (text or its `data-i18n` key) is "Not Found".
fn title_says_not_found(body: &str) -> bool {
    // The head is near the start; the cut must fall on a character boundary.
    let end = (0..=body.len().min(4096))
        .rev()
        .find(|at| body.is_char_boundary(*at))
        .unwrap_or(0);
    let lower = body.get(..end).unwrap_or_default().to_ascii_lowercase();
    lower.find("<title").is_some_and(|at| {
        lower
            .get(at..(at + 120).min(lower.len()))
            .is_some_and(|tag| tag.contains("not found"))
    })
}

/// Whether an object is a page of UltiPro search results (for `auto`): an `opportunities`
/// list with a `totalCount`, whose records carry UltiPro's own field names.
pub(crate) fn is_search_results(object: &Map<String, Value>) -> bool {
    let Some(first) = object
        .get("opportunities")
        .and_then(Value::as_array)
        .and_then(|items| items.first())
        .and_then(Value::as_object)
    else {
        return false;
    };
    object.contains_key("totalCount")
        && first.contains_key("Id")
        && first.contains_key("Title")
        && (first.contains_key("RequisitionNumber") || first.contains_key("JobLocationType"))
}

/// Whether an HTML page is an UltiPro opportunity page, found or not (for `auto`).
pub(crate) fn is_opportunity_page(body: &str) -> bool {
    body.contains("US.Opportunity.CandidateOpportunityDetail(") || body.contains(NOT_FOUND_MARKER)
}

/// Whether `host` (lower case) serves UKG Pro Recruiting boards: `recruiting.ultipro.com`
/// and its numbered and Canadian siblings, and `{company}.rec.pro.ukg.net`.
pub(crate) fn is_board_host(host: &str) -> bool {
    let recruiting = |domain: &str| {
        host.strip_suffix(domain)
            .is_some_and(|name| name.starts_with("recruiting") && !name.contains('.'))
    };
    recruiting(".ultipro.com") || recruiting(".ultipro.ca") || host.ends_with(".rec.pro.ukg.net")
}

/// The board's address, `https://{host}/{tenant}/JobBoard/{board}/`, from any address under
/// it (the public board, the search endpoint, an opportunity page).
pub(crate) fn board_url(url: &Url) -> Option<Url> {
    let segments: Vec<&str> = url.path_segments()?.collect();
    let at = segments
        .iter()
        .position(|s| s.eq_ignore_ascii_case("JobBoard"))?;
    let board = segments.get(at + 1).filter(|b| !b.is_empty())?;
    if at == 0 {
        return None;
    }
    let mut base = url.clone();
    base.set_query(None);
    base.set_fragment(None);
    let prefix = segments.get(..at)?.join("/");
    base.set_path(&format!("/{prefix}/JobBoard/{board}/"));
    Some(base)
}

/// The posting's page on its board.
fn posting_url(board: &Url, id: &str) -> Option<String> {
    let mut url = board.join("OpportunityDetail").ok()?;
    url.query_pairs_mut().append_pair("opportunityId", id);
    Some(url.into())
}

/// The JSON object the page passes to `CandidateOpportunityDetail(...)`; `None` when the
/// page has none.
fn embedded_opportunity(body: &str) -> Result<Option<Map<String, Value>>, ParseError> {
    let Some(at) = body.find(DETAIL_MARKER) else {
        return Ok(None);
    };
    let rest = body.get(at + DETAIL_MARKER.len()..).unwrap_or_default();
    // Only the first value is read; the script goes on after it.
    let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
    match values.next() {
        Some(Ok(Value::Object(object))) => Ok(Some(object)),
        Some(Ok(_)) => Err(malformed("the embedded opportunity is not a JSON object")),
        Some(Err(e)) => Err(malformed(&format!(
            "the embedded opportunity is not JSON: {e}"
        ))),
        None => Err(malformed("the embedded opportunity is missing")),
    }
}

/// A search record: everything but the description, with the opportunity page to read.
fn list_posting(item: &Map<String, Value>, board: Option<&Url>) -> Option<RawPosting> {
    let mut posting = common(item, board)?;
    posting.detail_url = posting.url.clone();
    Some(posting)
}

/// An opportunity page's posting.
fn detail_posting(item: &Map<String, Value>, board: Option<&Url>) -> Option<RawPosting> {
    let mut posting = common(item, board)?;
    posting.description_html = json_str(item.get("Description"));
    posting.salary = salary(item);
    Some(posting)
}

/// The fields search records and opportunity pages share; `None` without a title, an id or
/// a board to build the address on.
fn common(item: &Map<String, Value>, board: Option<&Url>) -> Option<RawPosting> {
    let id = json_str(item.get("Id"))?;
    let title = json_str(item.get("Title"))?;
    let url = posting_url(board?, &id)?;
    Some(RawPosting {
        company_name: board_slug(Some(url.as_str())),
        external_id: Some(id),
        url: Some(url),
        title: Some(title),
        department: json_str(item.get("JobCategoryName")),
        locations: item
            .get("Locations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(location)
            .collect(),
        workplace_hints: workplace(item.get("JobLocationType")).into_iter().collect(),
        employment_types: match item.get("FullTime").and_then(Value::as_bool) {
            Some(true) => vec!["FULL_TIME".to_owned()],
            Some(false) => vec!["PART_TIME".to_owned()],
            None => Vec::new(),
        },
        posted_at: json_str(item.get("PostedDate")).map(RawDate::Text),
        ..RawPosting::default()
    })
}

/// UltiPro's `JobLocationType` in the workplace vocabulary.
fn workplace(value: Option<&Value>) -> Option<String> {
    let word = match value?.as_i64()? {
        0 => "hybrid",
        1 => "onsite",
        2 => "remote",
        _ => return None,
    };
    Some(word.to_owned())
}

/// One location: the address's city, state and country, else the location's own name.
fn location(value: &Value) -> Option<RawLocation> {
    let place = value.as_object()?;
    let address = place.get("Address").and_then(Value::as_object);
    let part = |key: &str| address.and_then(|a| a.get(key));
    let named = |value: Option<&Value>, key: &str| value.and_then(|v| json_str(v.get(key)));
    let city = json_str(part("City"));
    let country_name = named(part("Country"), "Name");
    // Some boards put the country's name in the state as well; that is no region.
    let region = named(part("State"), "Name")
        .or_else(|| named(part("State"), "Code"))
        .filter(|state| Some(state) != country_name.as_ref());
    let country = named(part("Country"), "Code").or_else(|| country_name.clone());
    let country_text = country_name.or_else(|| country.clone());
    let parts: Vec<&str> = [&city, &region, &country_text]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let raw = if parts.is_empty() {
        json_str(place.get("LocalizedDescription"))
            .or_else(|| json_str(place.get("LocalizedName")))?
    } else {
        parts.join(", ")
    };
    Some(RawLocation {
        raw,
        city,
        region,
        country,
    })
}

/// Pay from the structured bounds: annual, else hourly, else the pay range when shown.
fn salary(item: &Map<String, Value>) -> Option<RawSalary> {
    let amount = |key: &str| json_f64(item.get(key)).filter(|n| *n > 0.0);
    let currency = json_str(item.get("CompensationCurrencyCode"))
        .or_else(|| json_str(item.get("PayRangeCurrencyCode")));
    for (min, max, period) in [
        (
            "CompensationAnnualMinimum",
            "CompensationAnnualMaximum",
            "YEAR",
        ),
        (
            "CompensationHourlyMinimum",
            "CompensationHourlyMaximum",
            "HOUR",
        ),
    ] {
        let (min, max) = (amount(min), amount(max));
        if min.is_some() || max.is_some() {
            return Some(RawSalary {
                min,
                max,
                currency,
                period: Some(period.to_owned()),
            });
        }
    }
    if item.get("PayRangeVisible").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    let range = item.get("PayRange").and_then(Value::as_object)?;
    let bound = |key: &str| json_f64(range.get(key)).filter(|n| *n > 0.0);
    let (min, max) = (bound("PayRangeMinimum"), bound("PayRangeMaximum"));
    (min.is_some() || max.is_some()).then(|| RawSalary {
        min,
        max,
        currency: json_str(item.get("PayRangeCurrencyCode")),
        period: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH: &str = include_str!("../../testdata/corpus/ultipro/search_rsp.json");
    const DETAIL: &str = include_str!("../../testdata/corpus/ultipro/detail_rsp.html");
    const NOT_FOUND: &str = include_str!("../../testdata/corpus/ultipro/detail_not_found_rsp.html");
    const UNKNOWN_COMPANY: &str =
        include_str!("../../testdata/corpus/ultipro/search_unknown_company_rsp.html");
    const BOARD: &str = "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/";

    fn run(body: &str, url: &str) -> Result<Extraction, ParseError> {
        let url = Url::parse(url).unwrap();
        extract(body, DocumentContext { url: Some(&url) })
    }

    #[test]
    fn search_results_give_records_that_name_their_opportunity_page() {
        let found = run(SEARCH, &format!("{BOARD}JobBoardView/LoadSearchResults")).unwrap();
        assert_eq!((found.postings.len(), found.skipped), (20, 0));
        let first = &found.postings[0];
        let page =
            format!("{BOARD}OpportunityDetail?opportunityId=015f6d1c-4d62-40dc-8b8c-1bd4646fd4d7");
        assert_eq!(first.url.as_deref(), Some(page.as_str()));
        assert_eq!(first.detail_url.as_deref(), Some(page.as_str()));
        assert_eq!(
            first.external_id.as_deref(),
            Some("015f6d1c-4d62-40dc-8b8c-1bd4646fd4d7")
        );
        assert_eq!(
            first.title.as_deref(),
            Some("Finance Assistant- Maternity Cover (4 months)")
        );
        assert_eq!(first.company_name.as_deref(), Some("TEC1006TESER"));
        assert_eq!(first.department.as_deref(), Some("Finance"));
        assert_eq!(first.employment_types, ["FULL_TIME"]);
        assert_eq!(first.workplace_hints, ["onsite"]);
        assert_eq!(
            first.locations,
            [RawLocation {
                raw: "Aleta Wondo, Aleta Wondo, Ethiopia".into(),
                city: Some("Aleta Wondo".into()),
                region: Some("Aleta Wondo".into()),
                country: Some("ETH".into()),
            }]
        );
        assert_eq!(
            first.posted_at,
            Some(RawDate::Text("2026-07-17T11:59:56.932Z".into()))
        );
        assert_eq!(
            first.description_html, None,
            "the search has no descriptions"
        );
        let hints: Vec<&[String]> = found
            .postings
            .iter()
            .map(|p| p.workplace_hints.as_slice())
            .collect();
        assert!(hints.contains(&&["hybrid".to_owned()][..]));
        assert!(hints.contains(&&["remote".to_owned()][..]));
    }

    #[test]
    fn a_state_named_like_its_country_is_no_region() {
        let found = run(SEARCH, &format!("{BOARD}JobBoardView/LoadSearchResults")).unwrap();
        let puebla = found
            .postings
            .iter()
            .flat_map(|p| &p.locations)
            .find(|l| l.city.as_deref() == Some("Puebla"))
            .unwrap();
        assert_eq!(puebla.region, None);
        assert_eq!(puebla.raw, "Puebla, Mexico");
    }

    #[test]
    fn an_opportunity_page_gives_the_whole_posting() {
        let url =
            format!("{BOARD}OpportunityDetail?opportunityId=0b81b2f5-ffe3-4604-93b8-19d912c2424f");
        let found = run(DETAIL, &url).unwrap();
        assert_eq!(found.postings.len(), 1);
        let p = &found.postings[0];
        assert_eq!(p.url.as_deref(), Some(url.as_str()));
        assert_eq!(p.detail_url, None);
        assert_eq!(
            p.title.as_deref(),
            Some("Conseiller Senior en Partenariat-BeniBiz")
        );
        assert_eq!(p.department.as_deref(), Some("Human Resources"));
        assert_eq!(p.locations[0].city.as_deref(), Some("Cotonou, Littoral"));
        assert_eq!(p.locations[0].country.as_deref(), Some("BEN"));
        assert!(p.workplace_hints.is_empty(), "JobLocationType is null");
        assert!(
            p.description_html
                .as_deref()
                .is_some_and(|d| d.starts_with("<p><strong>Titre du poste</strong>"))
        );
        assert_eq!(
            p.salary, None,
            "the pay range is not shown and has no bounds"
        );
    }

    #[test]
    fn structured_pay_is_read_and_a_hidden_pay_range_is_not() {
        let pay = |json: &str| {
            salary(
                serde_json::from_str::<Value>(json)
                    .unwrap()
                    .as_object()
                    .unwrap(),
            )
        };
        assert_eq!(
            pay(
                r#"{"CompensationAnnualMinimum": 50000, "CompensationAnnualMaximum": 70000,
                    "CompensationCurrencyCode": "USD"}"#
            ),
            Some(RawSalary {
                min: Some(50000.0),
                max: Some(70000.0),
                currency: Some("USD".into()),
                period: Some("YEAR".into()),
            })
        );
        assert_eq!(
            pay(r#"{"CompensationHourlyMinimum": 20.5, "PayRangeCurrencyCode": "CAD"}"#)
                .map(|s| (s.min, s.period, s.currency)),
            Some((Some(20.5), Some("HOUR".into()), Some("CAD".into())))
        );
        let range = r#"{"PayRange": {"PayRangeMinimum": 10, "PayRangeMaximum": 20},
                        "PayRangeCurrencyCode": "USD", "PayRangeVisible": VISIBLE}"#;
        assert_eq!(pay(&range.replace("VISIBLE", "false")), None);
        assert_eq!(
            pay(&range.replace("VISIBLE", "true")).map(|s| (s.min, s.max)),
            Some((Some(10.0), Some(20.0)))
        );
    }

    #[test]
    fn a_closed_opportunity_gives_no_posting() {
        let closed = DETAIL.replacen(
            "\"OpportunityIsClosed\":false",
            "\"OpportunityIsClosed\":true",
            1,
        );
        assert_ne!(closed, DETAIL);
        let found = run(&closed, BOARD).unwrap();
        assert_eq!((found.postings.len(), found.skipped), (0, 1));
    }

    #[test]
    fn not_found_pages_are_errors_that_say_why() {
        let error = run(NOT_FOUND, BOARD).unwrap_err().to_string();
        assert!(error.contains("opportunity was not found"), "{error}");
        let error = run(UNKNOWN_COMPANY, BOARD).unwrap_err().to_string();
        assert!(
            error.contains("company or job board does not exist"),
            "{error}"
        );
        let error = run("<html><body>hello</body></html>", BOARD)
            .unwrap_err()
            .to_string();
        assert!(error.contains("neither search results"), "{error}");
    }

    #[test]
    fn other_json_and_broken_embedded_json_are_malformed() {
        assert!(run(r#"{"jobs": []}"#, BOARD).is_err());
        assert!(run("[]", BOARD).is_err());
        assert!(
            run(
                "<script>x.CandidateOpportunityDetail({\"Id\": </script>",
                BOARD
            )
            .is_err()
        );
    }

    #[test]
    fn records_without_a_board_address_title_or_id_are_skipped() {
        let body = r#"{"opportunities": [{"Id": "a", "Title": "T"}, {"Id": "b"}, {"Title": "c"}],
                       "totalCount": 3}"#;
        let found = run(body, &format!("{BOARD}JobBoardView/LoadSearchResults")).unwrap();
        assert_eq!((found.postings.len(), found.skipped), (1, 2));
        let found = run(body, "https://recruiting.ultipro.com/elsewhere").unwrap();
        assert_eq!((found.postings.len(), found.skipped), (0, 3));
    }

    #[test]
    fn the_board_address_is_found_under_any_of_its_pages() {
        for url in [
            "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24",
            "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/?q=&o=postedDateDesc",
            "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/JobBoardView/LoadSearchResults",
        ] {
            let board = board_url(&Url::parse(url).unwrap()).unwrap();
            assert_eq!(board.as_str(), BOARD, "{url}");
        }
        assert_eq!(
            board_url(&Url::parse("https://recruiting.ultipro.com/JobBoard/x").unwrap()),
            None
        );
        assert_eq!(
            board_url(&Url::parse("https://recruiting.ultipro.com/T/JobBoard/").unwrap()),
            None
        );
    }
}
