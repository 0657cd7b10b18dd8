//! Extractor for the Lever Postings API (`mode=json`): a bare array of postings with
//! epoch-millisecond dates.

use serde_json::{Map, Value};

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, RawSalary, board_slug,
    collect_postings, json_f64, json_str, parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Lever;

/// Extracts the postings of one Lever `mode=json` document: the postings list (an array),
/// or one posting (`/v0/postings/{company}/{id}`, an object).
///
/// The description is assembled from `description`, the `lists` (each under its own heading)
/// and `additional`; `createdAt` becomes `RawDate::EpochMillis`; `salaryRange` becomes a
/// salary whose Lever interval (`per-year-salary`) is reduced to a period word (`year`).
/// Lever names no company, so `company_name` is the board slug of `hostedUrl`. Array items that are not objects
/// are counted in `skipped`. Errors: invalid JSON, Lever's own refusal (`{"ok": false,
/// "error": ...}`, as for a posting that does not exist), an object that is not a posting,
/// or an array whose items are not Lever postings.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    // Lever gives absolute URLs, so the document's address adds nothing.
    let _ = ctx;
    let doc = parse_json(body, KIND)?;
    if let Some(object) = doc.as_object() {
        if object.get("ok").and_then(Value::as_bool) == Some(false) {
            let reason = json_str(object.get("error")).unwrap_or_else(|| "no reason given".into());
            return Err(malformed(&format!("Lever refused the request: {reason}")));
        }
        if !is_posting(&doc) {
            return Err(malformed(
                "expected an array of postings or one posting (`mode=json`)",
            ));
        }
        return Ok(collect_postings([&doc], |item| Some(posting(item))));
    }
    let Some(items) = doc.as_array() else {
        return Err(malformed("expected an array of postings (`mode=json`)"));
    };
    if !items.is_empty() && !items.iter().any(is_posting) {
        return Err(malformed("the array items are not Lever postings"));
    }
    Ok(collect_postings(items, |item| Some(posting(item))))
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether a value carries fields only Lever postings have (RemoteOK is an array too).
fn is_posting(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|p| p.contains_key("hostedUrl") || p.contains_key("categories"))
}

fn posting(p: &Map<String, Value>) -> RawPosting {
    let category = |key: &str| json_str(p.get("categories").and_then(|c| c.get(key)));
    let description_html = description_html(p);
    RawPosting {
        external_id: json_str(p.get("id")),
        url: json_str(p.get("hostedUrl")),
        company_name: board_slug(json_str(p.get("hostedUrl")).as_deref()),
        apply_url: json_str(p.get("applyUrl")),
        title: json_str(p.get("text")),
        department: category("department").or_else(|| category("team")),
        locations: locations(p),
        workplace_hints: json_str(p.get("workplaceType"))
            .filter(|w| w != "unspecified")
            .into_iter()
            .collect(),
        employment_types: category("commitment").into_iter().collect(),
        seniority_hint: category("level"),
        salary: salary(p.get("salaryRange")),
        salary_text: json_str(p.get("salaryDescriptionPlain")),
        description_text: if description_html.is_none() {
            json_str(p.get("descriptionPlain"))
        } else {
            None
        },
        description_html,
        posted_at: p.get("createdAt").and_then(epoch_millis),
        ..RawPosting::default()
    }
}

/// `allLocations` when given, else `location`. The posting's `country` code belongs to its
/// one location; with several it would be a guess which, so it is then left out.
fn locations(p: &Map<String, Value>) -> Vec<RawLocation> {
    let categories = p.get("categories");
    let mut texts: Vec<String> = categories
        .and_then(|c| c.get("allLocations"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| json_str(Some(l)))
        .collect();
    if texts.is_empty() {
        texts.extend(json_str(categories.and_then(|c| c.get("location"))));
    }
    let country = json_str(p.get("country")).filter(|_| texts.len() == 1);
    texts
        .into_iter()
        .map(|raw| RawLocation {
            raw,
            country: country.clone(),
            ..RawLocation::default()
        })
        .collect()
}

/// `description` (opening and body), then each list under its heading, then `additional`:
/// the order the hosted posting page shows them in.
fn description_html(p: &Map<String, Value>) -> Option<String> {
    let mut html = json_str(p.get("description")).unwrap_or_default();
    for list in p
        .get("lists")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(items) = json_str(list.get("content")) else {
            continue;
        };
        if let Some(heading) = json_str(list.get("text")) {
            // The heading is plain text; escape it before placing it in HTML.
            html.push_str(&format!("<h3>{}</h3>", html_escape::encode_text(&heading)));
        }
        html.push_str(&format!("<ul>{items}</ul>"));
    }
    if let Some(additional) = json_str(p.get("additional")) {
        html.push_str(&additional);
    }
    (!html.is_empty()).then_some(html)
}

fn salary(range: Option<&Value>) -> Option<RawSalary> {
    let range = range?;
    let salary = RawSalary {
        min: json_f64(range.get("min")),
        max: json_f64(range.get("max")),
        currency: json_str(range.get("currency")),
        period: json_str(range.get("interval")).map(|interval| period(&interval)),
    };
    (salary.min.is_some() || salary.max.is_some()).then_some(salary)
}

/// Lever's interval vocabulary (`per-year-salary`, `per-hour-wage`, ...) as a plain period
/// word; intervals without a plain equivalent (`bi-week-salary`, `one-time`) stay as given.
fn period(interval: &str) -> String {
    const PERIODS: &[(&str, &str)] = &[
        ("per-year-", "year"),
        ("per-month-", "month"),
        ("per-week-", "week"),
        ("per-day-", "day"),
        ("per-hour-", "hour"),
    ];
    PERIODS
        .iter()
        .find(|(prefix, _)| interval.starts_with(prefix))
        .map_or_else(|| interval.to_owned(), |(_, word)| (*word).to_owned())
}

fn epoch_millis(value: &Value) -> Option<RawDate> {
    // Milliseconds fit an f64 exactly for any real date; the cast saturates on absurd input.
    let millis = value
        .as_i64()
        .or_else(|| json_f64(Some(value)).map(|f| f as i64))?;
    Some(RawDate::EpochMillis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POSTINGS: &str = include_str!("../../testdata/corpus/lever/postings_rsp.json");

    fn run(body: &str) -> Result<Extraction, ParseError> {
        extract(body, DocumentContext::default())
    }

    #[test]
    fn every_posting_of_the_array_is_extracted() {
        let extraction = run(POSTINGS).unwrap();
        assert_eq!(extraction.postings.len(), 3);
        assert_eq!(extraction.skipped, 0);

        let first = &extraction.postings[0];
        assert_eq!(first.title.as_deref(), Some("AbelsonTaylor Writer"));
        assert_eq!(
            first.external_id.as_deref(),
            Some("33538a2f-d27d-4a96-8f05-fa4b0e4d940e")
        );
        assert_eq!(
            first.url.as_deref(),
            Some("https://jobs.lever.co/leverdemo/33538a2f-d27d-4a96-8f05-fa4b0e4d940e")
        );
        assert_eq!(
            first.apply_url.as_deref(),
            Some("https://jobs.lever.co/leverdemo/33538a2f-d27d-4a96-8f05-fa4b0e4d940e/apply")
        );
        assert_eq!(first.company_name.as_deref(), Some("leverdemo"));
        assert_eq!(first.department.as_deref(), Some("Customer Success"));
        assert_eq!(
            first.locations,
            vec![RawLocation {
                raw: "Arlington, TX".into(),
                country: Some("US".into()),
                ..RawLocation::default()
            }]
        );
        assert_eq!(first.workplace_hints, vec!["hybrid".to_owned()]);
        assert_eq!(
            first.employment_types,
            vec!["Regular Full Time (Salary)".to_owned()]
        );
        assert_eq!(first.posted_at, Some(RawDate::EpochMillis(1553186035299)));
        assert_eq!(first.salary, None);

        let html = first.description_html.as_deref().unwrap();
        assert!(html.starts_with("<div>Welcome to the <b>Demo Job Listing</b> for Lever!"));
        assert!(html.contains("<h3>Qualifications</h3><ul><li>be smart</li>"));
        assert!(html.contains("<h3>Duties</h3><ul><li>work hard</li>"));
        assert!(html.contains("<div>you will never find a job better than this one!!!</div>"));
        assert_eq!(first.description_text, None);

        let third = &extraction.postings[2];
        assert_eq!(third.title.as_deref(), Some("Account Executive"));
        assert_eq!(third.department.as_deref(), Some("Sales"));
        assert_eq!(
            third.locations,
            vec![RawLocation {
                raw: "Bombay, MH".into(),
                country: Some("IN".into()),
                ..RawLocation::default()
            }]
        );
        // `unspecified` says nothing about the workplace.
        assert!(third.workplace_hints.is_empty());
        assert!(third.employment_types.is_empty());
        assert_eq!(third.posted_at, Some(RawDate::EpochMillis(1558041148927)));
    }

    #[test]
    fn salary_range_intervals_become_period_words() {
        let body = r#"[{"id": "a", "text": "Engineer", "hostedUrl": "https://jobs.lever.co/x/a",
            "categories": {"allLocations": ["Berlin", "Paris"], "level": "Senior"},
            "country": "DE", "descriptionPlain": "Plain only",
            "salaryRange": {"min": 60000, "max": 80000, "currency": "EUR",
                            "interval": "per-year-salary"},
            "salaryDescriptionPlain": "Plus equity"}]"#;
        let job = &run(body).unwrap().postings[0];
        assert_eq!(
            job.salary,
            Some(RawSalary {
                min: Some(60000.0),
                max: Some(80000.0),
                currency: Some("EUR".into()),
                period: Some("year".into()),
            })
        );
        assert_eq!(job.salary_text.as_deref(), Some("Plus equity"));
        assert_eq!(job.seniority_hint.as_deref(), Some("Senior"));
        assert_eq!(
            job.locations,
            vec![RawLocation::text("Berlin"), RawLocation::text("Paris")]
        );
        assert_eq!(job.description_html, None);
        assert_eq!(job.description_text.as_deref(), Some("Plain only"));
        assert_eq!(period("per-hour-wage"), "hour");
        assert_eq!(period("bi-week-salary"), "bi-week-salary");
    }

    #[test]
    fn items_that_are_not_objects_are_counted_as_skipped() {
        let extraction = run(r#"[{"categories": {}}, "x", null]"#).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 2);
    }

    #[test]
    fn a_single_posting_object_gives_that_posting() {
        let list = include_str!("../../testdata/corpus/lever/postings_rsp.json");
        let list: Value = serde_json::from_str(list).unwrap();
        let one = list[0].to_string();
        let from_list = run(list.to_string().as_str()).unwrap().postings.remove(0);
        let extraction = run(&one).unwrap();
        assert_eq!(extraction.postings, [from_list]);
        assert_eq!(extraction.skipped, 0);
    }

    #[test]
    fn a_refusal_says_why() {
        let err = run(r#"{"ok": false, "error": "Document not found"}"#).unwrap_err();
        assert!(err.to_string().contains("Document not found"), "{err}");
    }

    #[test]
    fn an_empty_array_has_zero_postings() {
        assert_eq!(run("[]").unwrap(), Extraction::default());
    }

    #[test]
    fn other_shapes_and_broken_json_are_malformed() {
        let greenhouse = include_str!("../../testdata/corpus/greenhouse/jobs_rsp.json");
        let remoteok = include_str!("../../testdata/corpus/remoteok/jobs_rsp.json");
        let not_found = r#"{"ok": false, "error": "Document not found"}"#;
        for body in [greenhouse, remoteok, not_found, "[{", "\"text\""] {
            assert!(
                matches!(
                    run(body),
                    Err(ParseError::Malformed {
                        kind: SourceKind::Lever,
                        ..
                    })
                ),
                "{body:.40}"
            );
        }
    }
}
