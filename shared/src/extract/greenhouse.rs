//! Extractor for the Greenhouse Job Board API: a board's job list (`{"jobs": [...]}`, with or
//! without `content=true`) and one job's detail (a single job object).

use serde_json::{Map, Value};

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, RawSalary, collect_postings,
    json_f64, json_str, parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Greenhouse;

/// Metadata fields whose value names the workplace (`Location Type: On-Site`); boards name
/// this custom field themselves, so any of these words in the name counts.
const WORKPLACE_FIELD_WORDS: &[&str] = &["location type", "workplace", "remote"];

/// Extracts the postings of one Greenhouse document: a board list or one job's detail.
///
/// `content` (HTML-escaped HTML) is unescaped once into `description_html`, and
/// `pay_input_ranges` (in cents) becomes a salary in units. Items of the list that are not
/// objects are counted in `skipped`. Errors: invalid JSON, or JSON of another shape (an
/// object with neither a `jobs` array of Greenhouse jobs nor a job's own fields).
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    // Greenhouse gives absolute URLs, so the document's address adds nothing.
    let _ = ctx;
    let doc = parse_json(body, KIND)?;
    let Some(object) = doc.as_object() else {
        return Err(malformed(
            "expected an object with a `jobs` array or one job",
        ));
    };
    if let Some(jobs) = object.get("jobs") {
        let Some(jobs) = jobs.as_array() else {
            return Err(malformed("`jobs` is not an array"));
        };
        if !jobs.is_empty() && !jobs.iter().any(is_job) {
            return Err(malformed("the `jobs` items are not Greenhouse jobs"));
        }
        return Ok(collect_postings(jobs, |job| Some(posting(job))));
    }
    if is_job(&doc) {
        return Ok(Extraction {
            postings: vec![posting(object)],
            skipped: 0,
        });
    }
    Err(malformed(
        "expected an object with a `jobs` array or one job",
    ))
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether a value carries fields only Greenhouse jobs have (other boards also use `jobs`).
fn is_job(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|job| job.contains_key("absolute_url") || job.contains_key("internal_job_id"))
}

fn posting(job: &Map<String, Value>) -> RawPosting {
    RawPosting {
        external_id: json_str(job.get("id")),
        url: json_str(job.get("absolute_url")),
        title: json_str(job.get("title")),
        company_name: json_str(job.get("company_name")),
        department: names(job.get("departments")),
        locations: locations(job),
        workplace_hints: workplace_hints(job.get("metadata")),
        salary: salary(job.get("pay_input_ranges")),
        // The API escapes the HTML once more (`&lt;div&gt;`); undo exactly that layer.
        description_html: json_str(job.get("content"))
            .map(|content| html_escape::decode_html_entities(&content).into_owned()),
        posted_at: json_str(job.get("first_published"))
            .or_else(|| json_str(job.get("updated_at")))
            .map(RawDate::Text),
        valid_through: json_str(job.get("application_deadline")).map(RawDate::Text),
        ..RawPosting::default()
    }
}

/// `location.name` is the text the board shows for the job; the offices (organisational
/// units, sometimes broader than the job's place) stand in only when it is missing.
fn locations(job: &Map<String, Value>) -> Vec<RawLocation> {
    if let Some(name) = json_str(job.get("location").and_then(|l| l.get("name"))) {
        return vec![RawLocation::text(name)];
    }
    job.get("offices")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|office| {
            json_str(office.get("location")).or_else(|| json_str(office.get("name")))
        })
        .map(RawLocation::text)
        .collect()
}

/// The `name`s of an array of objects (departments), joined; `None` when there are none.
fn names(value: Option<&Value>) -> Option<String> {
    let names: Vec<String> = value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| json_str(item.get("name")))
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

fn workplace_hints(metadata: Option<&Value>) -> Vec<String> {
    let mut hints = Vec::new();
    for field in metadata.and_then(Value::as_array).into_iter().flatten() {
        let name = json_str(field.get("name"))
            .unwrap_or_default()
            .to_lowercase();
        if !WORKPLACE_FIELD_WORDS.iter().any(|word| name.contains(word)) {
            continue;
        }
        // Single-select fields hold a string, multi-select ones an array of strings.
        match field.get("value") {
            Some(Value::Array(values)) => {
                hints.extend(values.iter().filter_map(|v| json_str(Some(v))));
            }
            value => hints.extend(json_str(value)),
        }
    }
    hints
}

/// The first pay range, converted from cents. Greenhouse states no period; the range's
/// title (`Annual Salary`, `Hourly Pay`) is the only place that says one, so it is kept there.
fn salary(ranges: Option<&Value>) -> Option<RawSalary> {
    let range = ranges?.as_array()?.first()?;
    let cents_to_units = |key: &str| json_f64(range.get(key)).map(|cents| cents / 100.0);
    let salary = RawSalary {
        min: cents_to_units("min_cents"),
        max: cents_to_units("max_cents"),
        currency: json_str(range.get("currency_type")),
        period: json_str(range.get("title")),
    };
    (salary.min.is_some() || salary.max.is_some()).then_some(salary)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = include_str!("../../testdata/corpus/greenhouse/jobs_rsp.json");
    const DETAIL: &str = include_str!("../../testdata/corpus/greenhouse/job_detail_rsp.json");

    fn run(body: &str) -> Result<Extraction, ParseError> {
        extract(body, DocumentContext::default())
    }

    #[test]
    fn the_board_list_yields_every_job_without_description() {
        let extraction = run(LIST).unwrap();
        assert_eq!(extraction.postings.len(), 7);
        assert_eq!(extraction.skipped, 0);

        let first = &extraction.postings[0];
        assert_eq!(
            first.title.as_deref(),
            Some("GTM and Business Operations Lead")
        );
        assert_eq!(first.external_id.as_deref(), Some("5019966007"));
        assert_eq!(
            first.url.as_deref(),
            Some("https://job-boards.greenhouse.io/safariai/jobs/5019966007")
        );
        assert_eq!(first.company_name.as_deref(), Some("Safari AI"));
        assert_eq!(first.locations, vec![RawLocation::text("Miami")]);
        assert_eq!(
            first.posted_at,
            Some(RawDate::Text("2026-01-09T14:59:08-05:00".into()))
        );
        assert_eq!(first.description_html, None);
        assert_eq!(first.department, None);
        assert_eq!(first.apply_url, None);
        assert!(first.workplace_hints.is_empty());

        let third = &extraction.postings[2];
        assert_eq!(
            third.title.as_deref(),
            Some("Head of Client Success (East Cost candidates only)")
        );
        assert_eq!(third.external_id.as_deref(), Some("4677712007"));
        assert_eq!(
            third.locations,
            vec![RawLocation::text("Miami, FL or Remote")]
        );
        assert_eq!(
            third.posted_at,
            Some(RawDate::Text("2025-05-15T17:13:34-04:00".into()))
        );

        // The source's trailing space is trimmed, nothing else.
        let last = &extraction.postings[6];
        assert_eq!(
            last.title.as_deref(),
            Some("Sales Development Representative")
        );
        assert_eq!(
            last.locations,
            vec![RawLocation::text("Miami, Florida, United States")]
        );
    }

    #[test]
    fn the_detail_is_one_posting_with_its_unescaped_content() {
        let extraction = run(DETAIL).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        let job = &extraction.postings[0];
        assert_eq!(job.title.as_deref(), Some("Account Executive, AI Native"));
        assert_eq!(job.external_id.as_deref(), Some("4461450008"));
        assert_eq!(
            job.url.as_deref(),
            Some("https://job-boards.greenhouse.io/anthropic/jobs/4461450008")
        );
        assert_eq!(job.company_name.as_deref(), Some("Anthropic"));
        assert_eq!(job.department.as_deref(), Some("Sales"));
        assert_eq!(
            job.locations,
            vec![RawLocation::text("San Francisco, CA | New York City, NY")]
        );
        assert_eq!(job.workplace_hints, vec!["On-Site".to_owned()]);
        assert_eq!(
            job.posted_at,
            Some(RawDate::Text("2024-12-20T13:53:38-05:00".into()))
        );
        assert_eq!(job.valid_through, None);
        assert_eq!(job.salary, None);

        let html = job.description_html.as_deref().unwrap();
        assert!(html.starts_with("<div class=\"content-intro\"><h2><strong>About Anthropic"));
        assert!(!html.contains("&lt;"));
    }

    #[test]
    fn pay_ranges_in_cents_become_units() {
        let body = r#"{"id": 1, "title": "Engineer", "absolute_url": "https://x.test/jobs/1",
            "pay_input_ranges": [
                {"min_cents": 15000050, "max_cents": 20000000, "currency_type": "USD",
                 "title": "Annual Salary"},
                {"min_cents": 100, "max_cents": 200, "currency_type": "EUR", "title": "EU"}
            ]}"#;
        let job = &run(body).unwrap().postings[0];
        assert_eq!(
            job.salary,
            Some(RawSalary {
                min: Some(150000.5),
                max: Some(200000.0),
                currency: Some("USD".into()),
                period: Some("Annual Salary".into()),
            })
        );
    }

    #[test]
    fn a_list_with_content_unescapes_each_description() {
        let body = r#"{"jobs": [{"id": 7, "absolute_url": "https://x.test/jobs/7",
            "content": "&lt;p&gt;Fish &amp;amp; chips&lt;/p&gt;",
            "offices": [{"name": "Berlin", "location": "Berlin, Germany"}]}]}"#;
        let job = &run(body).unwrap().postings[0];
        // Exactly one layer is removed: the HTML's own `&amp;` survives.
        assert_eq!(
            job.description_html.as_deref(),
            Some("<p>Fish &amp; chips</p>")
        );
        assert_eq!(job.locations, vec![RawLocation::text("Berlin, Germany")]);
    }

    #[test]
    fn items_that_are_not_objects_are_counted_as_skipped() {
        let body = r#"{"jobs": [42, {"absolute_url": "https://x.test/jobs/1"}]}"#;
        let extraction = run(body).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 1);
        // No title: passed on for the normalizer to skip and count.
        assert_eq!(extraction.postings[0].title, None);
    }

    #[test]
    fn an_empty_board_has_zero_postings() {
        assert_eq!(
            run(r#"{"jobs": [], "meta": {"total": 0}}"#).unwrap(),
            Extraction::default()
        );
    }

    #[test]
    fn other_shapes_and_broken_json_are_malformed() {
        let ashby = include_str!("../../testdata/corpus/ashby/board_rsp.json");
        let lever = include_str!("../../testdata/corpus/lever/postings_rsp.json");
        for body in [
            ashby,
            lever,
            "{}",
            r#"{"jobs": {}}"#,
            "{\"jobs\": [",
            "null",
        ] {
            assert!(
                matches!(
                    run(body),
                    Err(ParseError::Malformed {
                        kind: SourceKind::Greenhouse,
                        ..
                    })
                ),
                "{body:.40}"
            );
        }
    }
}
