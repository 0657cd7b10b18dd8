//! Extractor for the Ashby Posting API job board (`/posting-api/job-board/{org}`, with or
//! without `includeCompensation=true`).

use serde_json::{Map, Value};

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, RawSalary, board_slug,
    collect_postings, json_f64, json_str, parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Ashby;

/// Extracts the postings of one Ashby job-board document.
///
/// Each job's primary and secondary locations keep their structured address; with
/// compensation included, the tier summary becomes `salary_text` and the `Salary` component
/// the structured salary. Jobs with `isListed: false` are not public and are counted in
/// `skipped`, as are items that are not objects. The body names no company, so
/// `company_name` is the board slug of `jobUrl`. Errors: invalid JSON, or not an object with a `jobs` array
/// of Ashby jobs.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    // Ashby gives absolute URLs, so the document's address adds nothing.
    let _ = ctx;
    let doc = parse_json(body, KIND)?;
    let Some(jobs) = doc.get("jobs").and_then(Value::as_array) else {
        return Err(malformed("expected an object with a `jobs` array"));
    };
    if !jobs.is_empty() && !jobs.iter().any(is_job) {
        return Err(malformed("the `jobs` items are not Ashby jobs"));
    }
    Ok(collect_postings(jobs, |job| {
        (job.get("isListed") != Some(&Value::Bool(false))).then(|| posting(job))
    }))
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether a value carries fields only Ashby jobs have (Greenhouse also uses `jobs`).
fn is_job(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|job| job.contains_key("jobUrl") || job.contains_key("isListed"))
}

fn posting(job: &Map<String, Value>) -> RawPosting {
    let description_html = json_str(job.get("descriptionHtml"));
    let compensation = job.get("compensation");
    RawPosting {
        external_id: json_str(job.get("id")),
        url: json_str(job.get("jobUrl")),
        company_name: board_slug(json_str(job.get("jobUrl")).as_deref()),
        apply_url: json_str(job.get("applyUrl")),
        title: json_str(job.get("title")),
        department: json_str(job.get("department")).or_else(|| json_str(job.get("team"))),
        locations: locations(job),
        workplace_hints: workplace_hints(job),
        employment_types: json_str(job.get("employmentType")).into_iter().collect(),
        salary: compensation.and_then(salary),
        salary_text: json_str(compensation.and_then(|c| c.get("compensationTierSummary"))),
        description_text: if description_html.is_none() {
            json_str(job.get("descriptionPlain"))
        } else {
            None
        },
        description_html,
        posted_at: json_str(job.get("publishedAt")).map(RawDate::Text),
        ..RawPosting::default()
    }
}

/// `workplaceType` (`OnSite`, `Hybrid`, `Remote`) when given; `isRemote` only stands in for
/// it, since Ashby also sets `isRemote` on hybrid jobs.
fn workplace_hints(job: &Map<String, Value>) -> Vec<String> {
    match json_str(job.get("workplaceType")) {
        Some(workplace) => vec![workplace],
        None if job.get("isRemote") == Some(&Value::Bool(true)) => vec!["Remote".to_owned()],
        None => Vec::new(),
    }
}

/// The primary location, then the secondary ones, each with its postal address's parts.
fn locations(job: &Map<String, Value>) -> Vec<RawLocation> {
    let primary = location(job.get("location"), job.get("address"));
    let secondary = job
        .get("secondaryLocations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| location(l.get("location"), l.get("address")));
    primary.into_iter().chain(secondary).collect()
}

fn location(text: Option<&Value>, address: Option<&Value>) -> Option<RawLocation> {
    let postal = address.and_then(|a| a.get("postalAddress"));
    let part = |key: &str| json_str(postal.and_then(|p| p.get(key)));
    let location = RawLocation {
        raw: json_str(text).unwrap_or_default(),
        city: part("addressLocality"),
        region: part("addressRegion"),
        country: part("addressCountry"),
    };
    let empty = location.raw.is_empty()
        && location.city.is_none()
        && location.region.is_none()
        && location.country.is_none();
    (!empty).then_some(location)
}

/// The `Salary` summary component (equity and bonus components are not pay).
fn salary(compensation: &Value) -> Option<RawSalary> {
    let component = compensation
        .get("summaryComponents")?
        .as_array()?
        .iter()
        .find(|c| json_str(c.get("compensationType")).as_deref() == Some("Salary"))?;
    let salary = RawSalary {
        min: json_f64(component.get("minValue")),
        max: json_f64(component.get("maxValue")),
        currency: json_str(component.get("currencyCode")),
        period: json_str(component.get("interval")).map(|i| period(&i)),
    };
    (salary.min.is_some() || salary.max.is_some()).then_some(salary)
}

/// Ashby writes intervals with a count (`1 YEAR`, `1 HOUR`); a count of one is just the
/// period word. Other counts are kept whole, since `2 WEEK` is not `WEEK`.
fn period(interval: &str) -> String {
    interval
        .strip_prefix("1 ")
        .unwrap_or(interval)
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOARD: &str = include_str!("../../testdata/corpus/ashby/board_rsp.json");

    fn run(body: &str) -> Result<Extraction, ParseError> {
        extract(body, DocumentContext::default())
    }

    fn san_francisco() -> RawLocation {
        RawLocation {
            raw: "San Francisco".into(),
            city: Some("San Francisco".into()),
            region: Some("CA".into()),
            country: Some("United States".into()),
        }
    }

    #[test]
    fn every_listed_job_of_the_board_is_extracted() {
        let extraction = run(BOARD).unwrap();
        assert_eq!(extraction.postings.len(), 5);
        assert_eq!(extraction.skipped, 0);

        let first = &extraction.postings[0];
        assert_eq!(
            first.title.as_deref(),
            Some("Software Engineer (Agent Platform)")
        );
        assert_eq!(
            first.external_id.as_deref(),
            Some("7724fbe3-6a27-4418-9705-2dcc40751a16")
        );
        assert_eq!(
            first.url.as_deref(),
            Some("https://jobs.ashbyhq.com/browserbase/7724fbe3-6a27-4418-9705-2dcc40751a16")
        );
        assert_eq!(
            first.apply_url.as_deref(),
            Some(
                "https://jobs.ashbyhq.com/browserbase/7724fbe3-6a27-4418-9705-2dcc40751a16/application"
            )
        );
        assert_eq!(first.company_name.as_deref(), Some("browserbase"));
        assert_eq!(first.department.as_deref(), Some("Engineering"));
        assert_eq!(
            first.locations,
            vec![
                san_francisco(),
                RawLocation {
                    raw: "New York".into(),
                    city: Some("New York".into()),
                    region: Some("New York".into()),
                    country: Some("United States".into()),
                }
            ]
        );
        assert_eq!(first.workplace_hints, vec!["OnSite".to_owned()]);
        assert_eq!(first.employment_types, vec!["FullTime".to_owned()]);
        assert_eq!(
            first.posted_at,
            Some(RawDate::Text("2025-08-25T20:13:34.942+00:00".into()))
        );
        assert!(
            first
                .description_html
                .as_deref()
                .unwrap()
                .starts_with("<h2>About the Role</h2>")
        );
        assert_eq!(first.description_text, None);
        assert_eq!(first.salary, None);
        assert_eq!(first.salary_text, None);

        let second = &extraction.postings[1];
        assert_eq!(
            second.title.as_deref(),
            Some("Business Development Representative")
        );
        assert_eq!(second.department.as_deref(), Some("GTM"));
        assert_eq!(second.locations, vec![san_francisco()]);
        assert_eq!(
            second.posted_at,
            Some(RawDate::Text("2026-04-30T16:50:31.980+00:00".into()))
        );
    }

    #[test]
    fn compensation_gives_salary_text_and_the_salary_component() {
        let body = r#"{"jobs": [{"id": "j", "title": "Engineer", "isListed": true,
            "isRemote": true, "location": "Remote",
            "jobUrl": "https://jobs.ashbyhq.com/x/j",
            "compensation": {
                "compensationTierSummary": "$150K – $190K • Offers Equity",
                "summaryComponents": [
                    {"compensationType": "EquityPercentage", "minValue": 0.1, "maxValue": 0.2},
                    {"compensationType": "Salary", "interval": "1 YEAR",
                     "currencyCode": "USD", "minValue": 150000, "maxValue": 190000}
                ]}}]}"#;
        let job = &run(body).unwrap().postings[0];
        assert_eq!(
            job.salary_text.as_deref(),
            Some("$150K – $190K • Offers Equity")
        );
        assert_eq!(
            job.salary,
            Some(RawSalary {
                min: Some(150000.0),
                max: Some(190000.0),
                currency: Some("USD".into()),
                period: Some("YEAR".into()),
            })
        );
        assert_eq!(job.workplace_hints, vec!["Remote".to_owned()]);
        assert_eq!(job.locations, vec![RawLocation::text("Remote")]);
    }

    #[test]
    fn unlisted_jobs_and_non_objects_are_counted_as_skipped() {
        let body = r#"{"jobs": [{"id": "a", "isListed": false, "jobUrl": "https://x.test/a"},
            {"id": "b", "isListed": true, "jobUrl": "https://x.test/b"}, 7]}"#;
        let extraction = run(body).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.postings[0].external_id.as_deref(), Some("b"));
        assert_eq!(extraction.skipped, 2);
    }

    #[test]
    fn an_empty_board_has_zero_postings() {
        assert_eq!(
            run(r#"{"jobs": [], "apiVersion": "1"}"#).unwrap(),
            Extraction::default()
        );
    }

    #[test]
    fn other_shapes_and_broken_json_are_malformed() {
        let greenhouse = include_str!("../../testdata/corpus/greenhouse/jobs_rsp.json");
        let lever = include_str!("../../testdata/corpus/lever/postings_rsp.json");
        for body in [
            greenhouse,
            lever,
            "{}",
            r#"{"jobs": null}"#,
            "{\"jobs\"",
            "[]",
        ] {
            assert!(
                matches!(
                    run(body),
                    Err(ParseError::Malformed {
                        kind: SourceKind::Ashby,
                        ..
                    })
                ),
                "{body:.40}"
            );
        }
    }
}
