//! Extractor for the RemoteOK `/api` feed: an array whose first element is a legal notice,
//! followed by the jobs.

use serde_json::{Map, Value};

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, RawSalary, collect_postings,
    json_f64, json_str, parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::RemoteOk;

/// Extracts the postings of one RemoteOK `/api` document.
///
/// The legal notice (an object with `legal` and no job fields) is not a record and is
/// neither emitted nor counted. Every RemoteOK job is remote, so each gets the `remote` hint;
/// `location` is kept as text. `salary_min`/`salary_max` of 0 mean unknown; other figures
/// are the annual US-dollar salary RemoteOK asks posters for. The date is taken from
/// `epoch` (seconds, exact), falling back to the ISO `date`. Items that are not objects are
/// counted in `skipped`. Errors: invalid JSON, anything but an array, or an array without
/// RemoteOK jobs.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    // RemoteOK gives absolute URLs, so the document's address adds nothing.
    let _ = ctx;
    let doc = parse_json(body, KIND)?;
    let Some(items) = doc.as_array() else {
        return Err(malformed("expected an array of jobs"));
    };
    let records: Vec<&Value> = items.iter().filter(|item| !is_notice(item)).collect();
    if !records.is_empty() && !records.iter().any(|item| is_job(item)) {
        return Err(malformed("the array items are not RemoteOK jobs"));
    }
    Ok(collect_postings(records, |job| Some(posting(job))))
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

fn is_notice(value: &Value) -> bool {
    value.get("legal").is_some() && !is_job(value)
}

/// Whether a value carries fields only RemoteOK jobs have (Lever is an array too).
fn is_job(value: &Value) -> bool {
    value.as_object().is_some_and(|job| {
        ["slug", "epoch", "position"]
            .iter()
            .any(|key| job.contains_key(*key))
    })
}

fn posting(job: &Map<String, Value>) -> RawPosting {
    let field = |key: &str| json_str(job.get(key));
    RawPosting {
        external_id: field("id"),
        url: field("url"),
        apply_url: field("apply_url"),
        title: field("position"),
        company_name: field("company"),
        company_logo_url: field("company_logo").or_else(|| field("logo")),
        locations: field("location")
            .map(RawLocation::text)
            .into_iter()
            .collect(),
        workplace_hints: vec!["remote".to_owned()],
        salary: salary(job),
        description_html: field("description"),
        tags: job
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|tag| json_str(Some(tag)))
            .collect(),
        posted_at: job
            .get("epoch")
            .and_then(Value::as_i64)
            .map(RawDate::EpochSeconds)
            .or_else(|| field("date").map(RawDate::Text)),
        ..RawPosting::default()
    }
}

fn salary(job: &Map<String, Value>) -> Option<RawSalary> {
    // 0 is RemoteOK's "not stated".
    let bound = |key: &str| json_f64(job.get(key)).filter(|amount| *amount > 0.0);
    let (min, max) = (bound("salary_min"), bound("salary_max"));
    (min.is_some() || max.is_some()).then(|| RawSalary {
        min,
        max,
        currency: Some("USD".to_owned()),
        period: Some("year".to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOBS: &str = include_str!("../../testdata/corpus/remoteok/jobs_rsp.json");

    fn run(body: &str) -> Result<Extraction, ParseError> {
        extract(body, DocumentContext::default())
    }

    #[test]
    fn the_legal_notice_is_neither_a_posting_nor_skipped() {
        let extraction = run(JOBS).unwrap();
        assert_eq!(extraction.postings.len(), 6);
        assert_eq!(extraction.skipped, 0);
        assert!(extraction.postings.iter().all(|p| p.title.is_some()));
    }

    #[test]
    fn jobs_map_their_fields_and_zero_salaries_are_unknown() {
        let extraction = run(JOBS).unwrap();

        let first = &extraction.postings[0];
        assert_eq!(
            first.title.as_deref(),
            Some("Patient Access Scheduler Centralized Scheduling FT 8 30A 5P")
        );
        assert_eq!(first.external_id.as_deref(), Some("1134996"));
        let url = "https://remoteOK.com/remote-jobs/remote-patient-access-scheduler-centralized-scheduling-ft-8-30a-5p-orchestrate-consulting-group-1134996";
        assert_eq!(first.url.as_deref(), Some(url));
        assert_eq!(first.apply_url.as_deref(), Some(url));
        assert_eq!(
            first.company_name.as_deref(),
            Some("Orchestrate Consulting Group")
        );
        assert_eq!(first.company_logo_url, None);
        // Trimmed by `json_str`; the dangling comma is the normalizer's to read.
        assert_eq!(first.locations, vec![RawLocation::text("Los Angeles,")]);
        assert_eq!(first.workplace_hints, vec!["remote".to_owned()]);
        assert_eq!(first.salary, None);
        assert_eq!(first.posted_at, Some(RawDate::EpochSeconds(1784311668)));
        assert_eq!(first.tags.len(), 15);
        assert_eq!(first.tags[0], "virtual assistant");
        assert!(first.description_html.is_some());

        let third = &extraction.postings[2];
        assert_eq!(third.title.as_deref(), Some("Voice Actor"));
        assert_eq!(third.company_name.as_deref(), Some("Gritter Francona"));
        assert_eq!(
            third.locations,
            vec![RawLocation::text("Florida, Florida, United States")]
        );
        assert_eq!(third.posted_at, Some(RawDate::EpochSeconds(1784309001)));

        let last = &extraction.postings[5];
        assert_eq!(
            last.title.as_deref(),
            Some("Entry Level Crypto Market Specialist")
        );
        assert_eq!(last.external_id.as_deref(), Some("1134871"));
        assert!(last.locations.is_empty());
        assert_eq!(
            last.salary,
            Some(RawSalary {
                min: Some(50000.0),
                max: Some(70000.0),
                currency: Some("USD".into()),
                period: Some("year".into()),
            })
        );
        assert_eq!(last.tags, vec!["other".to_owned(), "finance".to_owned()]);
    }

    #[test]
    fn without_epoch_the_iso_date_is_used_and_non_objects_are_skipped() {
        let body = r#"[{"legal": "terms"}, {"slug": "s", "position": "Dev",
            "date": "2026-07-17T18:07:48+00:00", "salary_min": 0, "salary_max": 90000}, 5]"#;
        let extraction = run(body).unwrap();
        assert_eq!(extraction.skipped, 1);
        let job = &extraction.postings[0];
        assert_eq!(
            job.posted_at,
            Some(RawDate::Text("2026-07-17T18:07:48+00:00".into()))
        );
        assert_eq!(job.salary.as_ref().and_then(|s| s.min), None);
        assert_eq!(job.salary.as_ref().and_then(|s| s.max), Some(90000.0));
    }

    #[test]
    fn an_empty_feed_has_zero_postings() {
        assert_eq!(run("[]").unwrap(), Extraction::default());
        assert_eq!(
            run(r#"[{"last_updated": 1, "legal": "terms"}]"#).unwrap(),
            Extraction::default()
        );
    }

    #[test]
    fn other_shapes_and_broken_json_are_malformed() {
        let lever = include_str!("../../testdata/corpus/lever/postings_rsp.json");
        let greenhouse = include_str!("../../testdata/corpus/greenhouse/jobs_rsp.json");
        for body in [lever, greenhouse, "{}", "[1, 2]", "[{\"slug\""] {
            assert!(
                matches!(
                    run(body),
                    Err(ParseError::Malformed {
                        kind: SourceKind::RemoteOk,
                        ..
                    })
                ),
                "{body:.40}"
            );
        }
    }
}
