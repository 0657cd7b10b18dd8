//! Extractor for BambooHR hosted careers sites: the list (`/careers/list`, a `result` array
//! of summaries without descriptions) and one opening's detail (`/careers/{id}/detail`,
//! `result.jobOpening` with the whole posting).

use serde_json::{Map, Value};
use url::Url;

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, collect_postings, json_str,
    parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::BambooHr;

/// Extracts the postings of one BambooHR list or detail document.
///
/// A list row has no description: it names its detail (`/careers/{id}/detail` on the
/// list's host) in `detail_url`, and its URL is the public posting page
/// (`/careers/{id}`), both built from the document's address (without it a row has no
/// URL and is skipped). `locationType` `0`/`1`/`2` become the workplace words
/// `onsite`/`remote`/`hybrid` (an older `isRemote: true` is `remote`). The place is
/// `location`, completed by `atsLocation` (which alone names the country on some rows).
/// The company is the tenant's subdomain, as the documents never name it.
///
/// An empty list is `Ok` with no posting. Errors: invalid JSON, an HTML page (BambooHR
/// redirects an unknown company to its marketing site), its `not_found` answer for an
/// unknown opening, or an object of another shape.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    if body.trim_start().starts_with('<') {
        return Err(malformed(
            "an HTML page, not the careers API (BambooHR sends an unknown company to its \
             marketing site)",
        ));
    }
    let doc = parse_json(body, KIND)?;
    if let Some(reason) = not_found(&doc) {
        return Err(malformed(&format!("the opening was not found: {reason}")));
    }
    let base = ctx.url;
    match doc.get("result") {
        Some(Value::Array(rows)) => Ok(collect_postings(rows, |row| list_posting(row, base))),
        Some(Value::Object(result)) => {
            let Some(opening) = result.get("jobOpening").and_then(Value::as_object) else {
                return Err(malformed("a `result` object without its `jobOpening`"));
            };
            let mut out = Extraction::default();
            match detail_posting(opening, base) {
                Some(posting) => out.postings.push(posting),
                None => out.skipped = 1,
            }
            Ok(out)
        }
        _ => Err(malformed(
            "expected a `result` list (careers list) or a `result.jobOpening` (detail)",
        )),
    }
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether an object is a BambooHR careers document (for `auto`): a `result` list whose rows
/// name a `jobOpeningName`, a `result.jobOpening`, or the empty list (`result: []` beside a
/// `meta` holding only `totalCount`).
pub(crate) fn is_document(object: &Map<String, Value>) -> bool {
    match object.get("result") {
        Some(Value::Array(rows)) => match rows.first() {
            Some(row) => row.get("jobOpeningName").is_some(),
            None => {
                object.len() == 2
                    && object
                        .get("meta")
                        .and_then(Value::as_object)
                        .is_some_and(|meta| meta.len() == 1 && meta.contains_key("totalCount"))
            }
        },
        Some(Value::Object(result)) => result
            .get("jobOpening")
            .and_then(Value::as_object)
            .is_some_and(|opening| opening.contains_key("jobOpeningName")),
        _ => false,
    }
}

/// The reason of BambooHR's `{"type": "not_found", "title": ..., "details": ...}` answer.
fn not_found(doc: &Value) -> Option<String> {
    if doc.get("type").and_then(Value::as_str) != Some("not_found") {
        return None;
    }
    let parts: Vec<String> = ["title", "details"]
        .iter()
        .filter_map(|key| json_str(doc.get(*key)))
        .collect();
    Some(if parts.is_empty() {
        "no reason given".to_owned()
    } else {
        parts.join(" ")
    })
}

fn list_posting(row: &Map<String, Value>, base: Option<&Url>) -> Option<RawPosting> {
    let field = |key: &str| json_str(row.get(key));
    let id = field("id")?;
    let title = field("jobOpeningName")?;
    let base = base?;
    let url = base.join(&format!("/careers/{id}")).ok()?;
    let detail = base.join(&format!("/careers/{id}/detail")).ok()?;
    Some(RawPosting {
        external_id: Some(id),
        url: Some(url.to_string()),
        title: Some(title),
        company_name: tenant(Some(base)),
        department: field("departmentLabel"),
        locations: location(row, None).into_iter().collect(),
        workplace_hints: workplace(row),
        employment_types: field("employmentStatusLabel").into_iter().collect(),
        detail_url: Some(detail.to_string()),
        ..RawPosting::default()
    })
}

fn detail_posting(opening: &Map<String, Value>, base: Option<&Url>) -> Option<RawPosting> {
    let field = |key: &str| json_str(opening.get(key));
    let share = field("jobOpeningShareUrl");
    let page = share.as_deref().and_then(|s| Url::parse(s).ok());
    // The detail names no id: the address it was fetched from does, and so does its page.
    let id = base
        .and_then(detail_id)
        .or_else(|| page.as_ref().and_then(last_segment));
    let url = share.or_else(|| {
        let page = base?.join(&format!("/careers/{}", id.as_deref()?)).ok()?;
        Some(page.to_string())
    })?;
    let country = json_str(
        opening
            .get("location")
            .and_then(|l| l.get("addressCountry")),
    );
    Some(RawPosting {
        external_id: id,
        url: Some(url),
        title: field("jobOpeningName"),
        company_name: tenant(page.as_ref()).or_else(|| tenant(base)),
        department: field("departmentLabel"),
        locations: location(opening, country).into_iter().collect(),
        workplace_hints: workplace(opening),
        employment_types: field("employmentStatusLabel").into_iter().collect(),
        seniority_hint: field("minimumExperience"),
        salary_text: field("compensation"),
        description_html: field("description"),
        posted_at: field("datePosted").map(RawDate::Text),
        ..RawPosting::default()
    })
}

/// The opening id of a detail address (`/careers/{id}/detail`).
fn detail_id(url: &Url) -> Option<String> {
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [.., "careers", id, "detail"] => Some((*id).to_owned()),
        _ => None,
    }
}

fn last_segment(url: &Url) -> Option<String> {
    let last = url.path_segments()?.rev().find(|s| !s.is_empty())?;
    Some(last.to_owned())
}

/// The company's subdomain of a `{company}.bamboohr.com` address.
fn tenant(url: Option<&Url>) -> Option<String> {
    let host = url?.host_str()?.to_ascii_lowercase();
    let company = host.strip_suffix(".bamboohr.com")?;
    (!company.is_empty() && !company.contains('.')).then(|| company.to_owned())
}

/// The workplace word of `locationType` (`0` on site, `1` remote, `2` hybrid), else of an
/// older `isRemote` flag.
fn workplace(record: &Map<String, Value>) -> Vec<String> {
    let word = match json_str(record.get("locationType")).as_deref() {
        Some("0") => Some("onsite"),
        Some("1") => Some("remote"),
        Some("2") => Some("hybrid"),
        _ => match record.get("isRemote") {
            Some(Value::Bool(true)) => Some("remote"),
            _ => None,
        },
    };
    word.map(str::to_owned).into_iter().collect()
}

/// The place of a row or opening: `location` (city, state), completed part by part by
/// `atsLocation` (city, state or province, country); `country` overrides when given.
fn location(record: &Map<String, Value>, country: Option<String>) -> Option<RawLocation> {
    let part = |object: &str, key: &str| json_str(record.get(object).and_then(|o| o.get(key)));
    let city = part("location", "city").or_else(|| part("atsLocation", "city"));
    let region = part("location", "state")
        .or_else(|| part("atsLocation", "state"))
        .or_else(|| part("atsLocation", "province"));
    let country = country.or_else(|| part("atsLocation", "country"));
    let raw: Vec<&str> = [&city, &region, &country]
        .into_iter()
        .filter_map(|p| p.as_deref())
        .collect();
    if raw.is_empty() {
        return None;
    }
    Some(RawLocation {
        raw: raw.join(", "),
        city,
        region,
        country,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = include_str!("../../testdata/corpus/bamboohr/list_variety_rsp.json");
    const DETAIL: &str = include_str!("../../testdata/corpus/bamboohr/detail_rsp.json");
    const EMPTY: &str = include_str!("../../testdata/corpus/bamboohr/list_empty_rsp.json");
    const NOT_FOUND: &str =
        include_str!("../../testdata/corpus/bamboohr/detail_not_found_rsp.json");

    fn run(body: &str, url: &str) -> Result<Extraction, ParseError> {
        let url = Url::parse(url).unwrap();
        extract(body, DocumentContext { url: Some(&url) })
    }

    #[test]
    fn a_list_gives_summaries_that_name_their_detail_and_public_page() {
        let extraction = run(LIST, "https://curtinmaritime.bamboohr.com/careers/list").unwrap();
        assert_eq!(extraction.postings.len(), 21);
        assert_eq!(extraction.skipped, 0);
        let chef = &extraction.postings[0];
        assert_eq!(chef.external_id.as_deref(), Some("201"));
        assert_eq!(chef.title.as_deref(), Some("Vessel Chef"));
        assert_eq!(
            chef.url.as_deref(),
            Some("https://curtinmaritime.bamboohr.com/careers/201")
        );
        assert_eq!(
            chef.detail_url.as_deref(),
            Some("https://curtinmaritime.bamboohr.com/careers/201/detail")
        );
        assert_eq!(chef.company_name.as_deref(), Some("curtinmaritime"));
        assert_eq!(chef.department.as_deref(), Some("Marine Transportation"));
        assert_eq!(chef.employment_types, ["Full-Time"]);
        assert_eq!(chef.workplace_hints, ["onsite"]);
        assert_eq!(
            chef.locations,
            [RawLocation {
                raw: "Long Beach, California".into(),
                city: Some("Long Beach".into()),
                region: Some("California".into()),
                country: None,
            }]
        );
        assert_eq!(chef.description_html, None);
    }

    #[test]
    fn location_type_codes_are_workplace_words_and_ats_location_fills_a_null_location() {
        let extraction = run(LIST, "https://curtinmaritime.bamboohr.com/careers/list").unwrap();
        let by_id = |id: &str| {
            extraction
                .postings
                .iter()
                .find(|p| p.external_id.as_deref() == Some(id))
                .unwrap()
        };
        assert_eq!(by_id("335").workplace_hints, ["hybrid"]);
        let remote = by_id("339");
        assert_eq!(remote.workplace_hints, ["remote"]);
        assert_eq!(
            remote.locations,
            [RawLocation {
                raw: "Long Beach, California, United States".into(),
                city: Some("Long Beach".into()),
                region: Some("California".into()),
                country: Some("United States".into()),
            }]
        );
    }

    #[test]
    fn a_detail_gives_the_whole_posting_under_the_lists_id() {
        let extraction = run(
            DETAIL,
            "https://curtinmaritime.bamboohr.com/careers/201/detail",
        )
        .unwrap();
        assert_eq!(extraction.postings.len(), 1);
        let chef = &extraction.postings[0];
        assert_eq!(chef.external_id.as_deref(), Some("201"));
        assert_eq!(chef.title.as_deref(), Some("Vessel Chef"));
        assert_eq!(
            chef.url.as_deref(),
            Some("https://curtinmaritime.bamboohr.com/careers/201")
        );
        assert_eq!(chef.detail_url, None);
        assert_eq!(chef.company_name.as_deref(), Some("curtinmaritime"));
        assert_eq!(chef.workplace_hints, ["onsite"]);
        assert_eq!(chef.locations[0].country.as_deref(), Some("United States"));
        assert_eq!(chef.locations[0].city.as_deref(), Some("Long Beach"));
        assert_eq!(chef.posted_at, Some(RawDate::Text("2025-04-22".into())));
        assert_eq!(chef.seniority_hint.as_deref(), Some("Experienced"));
        assert_eq!(
            chef.salary_text.as_deref(),
            Some("$300 - $425/Day ($21.43 - $30.35 per hour)")
        );
        assert!(chef.salary.is_none(), "the pay is text only");
        assert!(chef.description_html.as_deref().unwrap().contains("<p>"));
    }

    #[test]
    fn a_detail_without_its_address_takes_the_id_from_its_share_url() {
        let extraction = extract(DETAIL, DocumentContext::default()).unwrap();
        assert_eq!(extraction.postings[0].external_id.as_deref(), Some("201"));
    }

    #[test]
    fn an_empty_list_is_no_posting_and_not_found_is_an_error_that_says_so() {
        let empty = run(EMPTY, "https://zapier.bamboohr.com/careers/list").unwrap();
        assert_eq!(empty, Extraction::default());
        let error = run(
            NOT_FOUND,
            "https://giatecscientific.bamboohr.com/careers/999999/detail",
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("not found"), "{error}");
        assert!(error.contains("doesn't exist"), "{error}");
    }

    #[test]
    fn the_marketing_page_of_an_unknown_company_is_an_error() {
        let page = "<!DOCTYPE html><html><head><title>BambooHR</title></head></html>";
        let error = run(page, "https://www.bamboohr.com/")
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown company"), "{error}");
    }

    #[test]
    fn rows_without_an_id_or_title_or_a_document_address_are_skipped() {
        let body = r#"{"result": [{"id": "1", "jobOpeningName": "Welder"},
            {"id": "2"}, {"jobOpeningName": "No id"}, 7]}"#;
        let extraction = run(body, "https://acme.bamboohr.com/careers/list").unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 3);
        let without_address = extract(body, DocumentContext::default()).unwrap();
        assert!(without_address.postings.is_empty());
    }

    #[test]
    fn an_older_is_remote_flag_is_remote() {
        let body = r#"{"result": [{"id": "9", "jobOpeningName": "Support",
            "isRemote": true, "locationType": null, "location": null, "atsLocation": null}]}"#;
        let posting = &run(body, "https://acme.bamboohr.com/careers/list")
            .unwrap()
            .postings[0];
        assert_eq!(posting.workplace_hints, ["remote"]);
        assert!(posting.locations.is_empty());
    }

    #[test]
    fn documents_are_recognised_by_their_shape() {
        let object = |body: &str| -> Map<String, Value> { serde_json::from_str(body).unwrap() };
        assert!(is_document(&object(LIST)));
        assert!(is_document(&object(DETAIL)));
        assert!(is_document(&object(EMPTY)));
        assert!(!is_document(&object(NOT_FOUND)));
        assert!(!is_document(&object(
            r#"{"result": [], "meta": {"page": 1}}"#
        )));
        assert!(!is_document(&object(r#"{"result": [{"name": "x"}]}"#)));
    }

    #[test]
    fn other_shapes_are_malformed() {
        for body in ["[]", r#"{"jobs": []}"#, r#"{"result": {}}"#, "not json"] {
            assert!(
                run(body, "https://acme.bamboohr.com/careers/list").is_err(),
                "{body}"
            );
        }
    }
}
