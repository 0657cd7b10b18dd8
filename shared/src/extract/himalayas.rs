//! Extractor for the Himalayas jobs API (`/jobs/api` to browse, `/jobs/api/search`): one page
//! of `jobs` with their whole descriptions, on a remote-only board.

use serde_json::{Map, Value};

use super::{
    DocumentContext, Extraction, RawDate, RawPosting, RawSalary, collect_postings, json_f64,
    json_str, parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Himalayas;

/// Epoch values at or above this are milliseconds: as seconds they would be past the year
/// 5000. Himalayas documents milliseconds and sends seconds; either is read right.
const MILLIS_FROM: i64 = 100_000_000_000;

/// Extracts the postings of one Himalayas API page.
///
/// Every job is remote (the board lists nothing else): each gets the `remote` hint, and its
/// `locationRestrictions` (the countries candidates must live in) become remote regions, not
/// places of work. `pubDate`/`expiryDate` are epoch seconds in the data (milliseconds in the
/// provider's documentation; both are read). Pay comes only from `minSalary`/`maxSalary`
/// with `currency` and `salaryPeriod`. A job without a title or an address is skipped and
/// counted. Errors: invalid JSON, the API's refusal (`{"ok": false, "errors": ...}`, as for
/// an unknown company or country), or an object without a `jobs` list.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    // Himalayas gives absolute URLs, so the document's address adds nothing.
    let _ = ctx;
    let doc = parse_json(body, KIND)?;
    if doc.get("ok").and_then(Value::as_bool) == Some(false) {
        let reason = json_str(doc.get("errors")).unwrap_or_else(|| "no reason given".into());
        return Err(malformed(&format!("the API refused the request: {reason}")));
    }
    let Some(jobs) = doc.get("jobs").and_then(Value::as_array) else {
        return Err(malformed("expected an object with a `jobs` list"));
    };
    Ok(collect_postings(jobs, posting))
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether an object is a Himalayas API page (for `auto`): a `jobs` list whose records carry
/// the fields only Himalayas names so (`guid` with `applicationLink` or `companySlug`).
pub(crate) fn is_page(object: &Map<String, Value>) -> bool {
    let Some(first) = object
        .get("jobs")
        .and_then(Value::as_array)
        .and_then(|jobs| jobs.first())
        .and_then(Value::as_object)
    else {
        return false;
    };
    first.contains_key("guid")
        && (first.contains_key("applicationLink") || first.contains_key("companySlug"))
}

fn posting(job: &Map<String, Value>) -> Option<RawPosting> {
    let field = |key: &str| json_str(job.get(key));
    let apply_url = field("applicationLink");
    // `guid` is the job's page on himalayas.app; the application link may lead elsewhere.
    let url = field("guid")
        .filter(|guid| guid.starts_with("http"))
        .or_else(|| apply_url.clone());
    let title = field("title");
    if url.is_none() || title.is_none() {
        return None;
    }
    Some(RawPosting {
        external_id: field("guid"),
        url,
        apply_url,
        title,
        company_name: field("companyName"),
        company_logo_url: field("companyLogo"),
        workplace_hints: vec!["remote".to_owned()],
        remote_regions: strings(job.get("locationRestrictions")),
        employment_types: field("employmentType").into_iter().collect(),
        seniority_hint: strings(job.get("seniority")).into_iter().next(),
        salary: salary(job),
        description_html: field("description"),
        // Categories are slugs (`Back-End-Developer`): words for the skill matcher.
        tags: strings(job.get("categories"))
            .into_iter()
            .map(|slug| slug.replace('-', " "))
            .collect(),
        posted_at: epoch(job.get("pubDate")),
        valid_through: epoch(job.get("expiryDate")),
        ..RawPosting::default()
    })
}

/// A list of texts; a location may also come as an object naming it (`name` or `country`).
fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| match item {
            Value::Object(place) => {
                json_str(place.get("name")).or_else(|| json_str(place.get("country")))
            }
            other => json_str(Some(other)),
        })
        .collect()
}

fn epoch(value: Option<&Value>) -> Option<RawDate> {
    let number = value?.as_i64().filter(|n| *n > 0)?;
    Some(if number >= MILLIS_FROM {
        RawDate::EpochMillis(number)
    } else {
        RawDate::EpochSeconds(number)
    })
}

fn salary(job: &Map<String, Value>) -> Option<RawSalary> {
    let bound = |key: &str| json_f64(job.get(key)).filter(|amount| *amount > 0.0);
    let (min, max) = (bound("minSalary"), bound("maxSalary"));
    (min.is_some() || max.is_some()).then(|| RawSalary {
        min,
        max,
        currency: json_str(job.get("currency")),
        period: json_str(job.get("salaryPeriod")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::RawLocation;

    const BROWSE: &str = include_str!("../../testdata/corpus/himalayas/browse_rsp.json");
    const SEARCH: &str = include_str!("../../testdata/corpus/himalayas/search_rsp.json");
    const INVALID_COUNTRY: &str =
        include_str!("../../testdata/corpus/himalayas/search_invalid_country_rsp.json");
    const UNKNOWN_COMPANY: &str =
        include_str!("../../testdata/corpus/himalayas/search_unknown_company_rsp.json");

    fn run(body: &str) -> Result<Extraction, ParseError> {
        extract(body, DocumentContext::default())
    }

    #[test]
    fn a_browse_page_gives_every_job_as_a_remote_posting() {
        let extraction = run(BROWSE).unwrap();
        assert_eq!(extraction.postings.len(), 3);
        assert_eq!(extraction.skipped, 0);
        let first = &extraction.postings[0];
        assert_eq!(first.title.as_deref(), Some("Retail & Merchandising Coach"));
        let page = "https://himalayas.app/companies/leland/jobs/retail-merchandising-coach";
        assert_eq!(first.url.as_deref(), Some(page));
        assert_eq!(first.external_id.as_deref(), Some(page));
        assert_eq!(first.company_name.as_deref(), Some("Leland"));
        assert_eq!(first.workplace_hints, ["remote"]);
        assert_eq!(first.remote_regions, ["United States"]);
        assert!(first.locations.is_empty());
        assert_eq!(first.employment_types, ["Contractor"]);
        assert_eq!(first.seniority_hint.as_deref(), Some("Mid-level"));
        assert_eq!(first.salary, None, "null bounds are no salary");
        assert_eq!(first.posted_at, Some(RawDate::EpochSeconds(1784404129)));
        assert_eq!(first.valid_through, Some(RawDate::EpochSeconds(1789588129)));
        assert!(first.tags.contains(&"Retail Merchandiser".to_owned()));
        assert!(
            first
                .description_html
                .as_deref()
                .is_some_and(|d| d.contains("Leland"))
        );
    }

    #[test]
    fn a_search_page_reads_structured_pay_with_its_currency_and_period() {
        let extraction = run(SEARCH).unwrap();
        assert_eq!(extraction.postings.len(), 20);
        let paid: Vec<&RawPosting> = extraction
            .postings
            .iter()
            .filter(|p| p.salary.is_some())
            .collect();
        assert!(!paid.is_empty());
        for posting in paid {
            let salary = posting.salary.as_ref().unwrap();
            assert!(salary.min.is_some() || salary.max.is_some());
            assert_eq!(salary.period.as_deref(), Some("annual"));
            assert!(salary.currency.is_some(), "{:?}", posting.title);
        }
    }

    #[test]
    fn the_apis_refusals_are_errors_that_say_why() {
        for (body, reason) in [
            (INVALID_COUNTRY, "Invalid country"),
            (UNKNOWN_COMPANY, "Invalid company"),
        ] {
            let error = run(body).unwrap_err().to_string();
            assert!(error.contains(reason), "{error}");
        }
    }

    #[test]
    fn a_job_without_a_title_or_address_is_skipped_and_counted() {
        let body = r#"{"jobs": [
            {"title": "Back-end Engineer", "guid": "https://himalayas.app/companies/a/jobs/b"},
            {"title": "No address"},
            {"guid": "https://himalayas.app/companies/a/jobs/c"},
            "not a job"
        ]}"#;
        let extraction = run(body).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 3);
    }

    #[test]
    fn millisecond_dates_and_object_locations_are_read_too() {
        let body = r#"{"jobs": [{"title": "Go Developer",
            "guid": "https://himalayas.app/companies/a/jobs/go",
            "pubDate": 1784404129000, "expiryDate": null,
            "locationRestrictions": [{"name": "Germany"}, "Canada", {"other": 1}]}]}"#;
        let posting = &run(body).unwrap().postings[0];
        assert_eq!(posting.posted_at, Some(RawDate::EpochMillis(1784404129000)));
        assert_eq!(posting.valid_through, None);
        assert_eq!(posting.remote_regions, ["Germany", "Canada"]);
        assert_eq!(posting.locations, Vec::<RawLocation>::new());
    }

    #[test]
    fn other_shapes_are_malformed() {
        assert!(run("[]").is_err());
        assert!(run(r#"{"offers": []}"#).is_err());
        assert!(run("not json").is_err());
    }
}
