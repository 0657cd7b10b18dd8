//! Extractor for Workable: the v3 jobs list (`{"results": [...], "nextPage": ...}`) and the
//! v2 job detail (one job with `description`, `requirements` and `benefits` HTML).

use serde_json::{Map, Value};

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, collect_postings, json_str,
    parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Workable;

/// Extracts the postings of one Workable document: a v3 list page or a v2 job detail.
///
/// Workable's responses hold no posting URL; it is built as
/// `https://apply.workable.com/{account}/j/{shortcode}/` with the account taken from the API
/// address in `ctx.url` (`/api/v3/accounts/{account}/jobs`). Without that address the URL
/// stays `None` (the normalizer then skips the record). The detail's three HTML parts become
/// one description under `Requirements` / `Benefits` headings. List items that are not
/// objects are counted in `skipped`. Errors: invalid JSON, or neither a `results` array of
/// Workable jobs nor one Workable job.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let doc = parse_json(body, KIND)?;
    let account = ctx.url.and_then(account);
    let Some(object) = doc.as_object() else {
        return Err(malformed(
            "expected an object with a `results` array or one job",
        ));
    };
    if let Some(results) = object.get("results") {
        let Some(results) = results.as_array() else {
            return Err(malformed("`results` is not an array"));
        };
        if !results.is_empty() && !results.iter().any(is_job) {
            return Err(malformed("the `results` items are not Workable jobs"));
        }
        return Ok(collect_postings(results, |job| {
            Some(posting(job, account.as_deref()))
        }));
    }
    if is_job(&doc) {
        return Ok(Extraction {
            postings: vec![posting(object, account.as_deref())],
            skipped: 0,
        });
    }
    Err(malformed(
        "expected an object with a `results` array or one job",
    ))
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether a value carries the field only Workable jobs have.
fn is_job(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|job| job.contains_key("shortcode"))
}

/// Workable's own short `type` codes (`full`, `part`) spelled out; other codes (`contract`,
/// `temporary`, `internship`, `other`) already read as themselves.
fn employment_word(code: String) -> String {
    match code.as_str() {
        "full" => "full_time".to_owned(),
        "part" => "part_time".to_owned(),
        _ => code,
    }
}

/// The account in an API address: the path segment after `accounts`.
fn account(url: &url::Url) -> Option<String> {
    let mut segments = url.path_segments()?;
    segments.find(|s| *s == "accounts")?;
    segments.next().filter(|s| !s.is_empty()).map(str::to_owned)
}

fn posting(job: &Map<String, Value>, account: Option<&str>) -> RawPosting {
    let shortcode = json_str(job.get("shortcode"));
    RawPosting {
        url: account
            .zip(shortcode.as_deref())
            .map(|(account, code)| format!("https://apply.workable.com/{account}/j/{code}/")),
        external_id: shortcode,
        // Workable's API names no company; the account is its board slug.
        company_name: account.map(str::to_owned),
        title: json_str(job.get("title")),
        department: department(job.get("department")),
        locations: locations(job),
        workplace_hints: workplace_hints(job),
        employment_types: json_str(job.get("type"))
            .map(employment_word)
            .into_iter()
            .collect(),
        description_html: description_html(job),
        posted_at: json_str(job.get("published")).map(RawDate::Text),
        ..RawPosting::default()
    }
}

/// `department` is an array of names (a department and its parents) or, rarely, a string.
fn department(value: Option<&Value>) -> Option<String> {
    if let Some(names) = value.and_then(Value::as_array) {
        let names: Vec<String> = names.iter().filter_map(|n| json_str(Some(n))).collect();
        return (!names.is_empty()).then(|| names.join(", "));
    }
    json_str(value)
}

/// `workplace` (`on_site`, `hybrid`, `remote`) when given; the older `remote` flag only stands
/// in for it.
fn workplace_hints(job: &Map<String, Value>) -> Vec<String> {
    match json_str(job.get("workplace")) {
        Some(workplace) => vec![workplace],
        None if job.get("remote") == Some(&Value::Bool(true)) => vec!["remote".to_owned()],
        None => Vec::new(),
    }
}

/// The primary `location` (with its display text), then the other visible `locations`.
fn locations(job: &Map<String, Value>) -> Vec<RawLocation> {
    let mut locations: Vec<RawLocation> =
        job.get("location").and_then(location).into_iter().collect();
    for other in job
        .get("locations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if other.get("hidden") == Some(&Value::Bool(true)) {
            continue;
        }
        let Some(other) = location(other) else {
            continue;
        };
        // The list repeats the primary location, without its display text.
        let same_place = |l: &RawLocation| {
            (&l.city, &l.region, &l.country) == (&other.city, &other.region, &other.country)
        };
        if !locations.iter().any(same_place) {
            locations.push(other);
        }
    }
    locations
}

fn location(value: &Value) -> Option<RawLocation> {
    let part = |key: &str| json_str(value.get(key));
    let (city, region) = (part("city"), part("region"));
    let country_name = part("country");
    let raw = part("display").unwrap_or_else(|| {
        [&city, &region, &country_name]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    });
    let country = part("countryCode").or(country_name);
    if raw.is_empty() && country.is_none() {
        return None;
    }
    Some(RawLocation {
        raw,
        city,
        region,
        country,
    })
}

/// The detail's `description`, then `requirements` and `benefits` under their headings, as
/// the posting page shows them. Empty parts are left out.
fn description_html(job: &Map<String, Value>) -> Option<String> {
    let mut html = json_str(job.get("description")).unwrap_or_default();
    for (key, heading) in [("requirements", "Requirements"), ("benefits", "Benefits")] {
        if let Some(part) = json_str(job.get(key)) {
            html.push_str(&format!("<h3>{heading}</h3>{part}"));
        }
    }
    (!html.is_empty()).then_some(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = include_str!("../../testdata/corpus/workable/jobs_rsp.json");
    const DETAIL: &str = include_str!("../../testdata/corpus/workable/job_detail_rsp.json");

    fn run(body: &str, url: Option<&str>) -> Result<Extraction, ParseError> {
        let url = url.map(|u| url::Url::parse(u).unwrap());
        extract(body, DocumentContext { url: url.as_ref() })
    }

    fn athens() -> RawLocation {
        RawLocation {
            raw: "Athens, Greece".into(),
            city: Some("Athens".into()),
            region: Some("Attica".into()),
            country: Some("GR".into()),
        }
    }

    #[test]
    fn the_v3_list_yields_every_job_with_a_url_built_from_the_account() {
        let extraction = run(
            LIST,
            Some("https://apply.workable.com/api/v3/accounts/blueground/jobs"),
        )
        .unwrap();
        assert_eq!(extraction.postings.len(), 10);
        assert_eq!(extraction.skipped, 0);

        let first = &extraction.postings[0];
        assert_eq!(
            first.title.as_deref(),
            Some("Senior Performance Marketing Strategist")
        );
        assert_eq!(first.external_id.as_deref(), Some("264C395E51"));
        assert_eq!(
            first.url.as_deref(),
            Some("https://apply.workable.com/blueground/j/264C395E51/")
        );
        assert_eq!(first.company_name.as_deref(), Some("blueground"));
        assert_eq!(first.apply_url, None);
        assert_eq!(first.department.as_deref(), Some("Shared Services"));
        assert_eq!(first.locations, vec![athens()]);
        assert_eq!(first.workplace_hints, vec!["on_site".to_owned()]);
        assert_eq!(first.employment_types, vec!["full_time".to_owned()]);
        assert_eq!(
            first.posted_at,
            Some(RawDate::Text("2026-07-14T00:00:00.000Z".into()))
        );
        assert_eq!(first.description_html, None);

        let third = &extraction.postings[2];
        assert_eq!(
            third.title.as_deref(),
            Some("Operations Partner (Flexible Contract BOS)")
        );
        assert_eq!(third.external_id.as_deref(), Some("0FD06D2AC9"));
        assert_eq!(third.department.as_deref(), Some("City Core"));
        assert_eq!(
            third.locations,
            vec![RawLocation {
                raw: "Boston, Massachusetts, United States".into(),
                city: Some("Boston".into()),
                region: Some("Massachusetts".into()),
                country: Some("US".into()),
            }]
        );
        assert_eq!(third.employment_types, vec!["contract".to_owned()]);

        let sixth = &extraction.postings[5];
        assert_eq!(sixth.title.as_deref(), Some("UX Research Internship"));
        assert_eq!(sixth.workplace_hints, vec!["hybrid".to_owned()]);
        assert_eq!(sixth.employment_types, vec!["temporary".to_owned()]);
    }

    #[test]
    fn the_v2_detail_joins_description_requirements_and_benefits() {
        let extraction = run(
            DETAIL,
            Some("https://apply.workable.com/api/v2/accounts/blueground/jobs/B02DA69C8F"),
        )
        .unwrap();
        assert_eq!(extraction.postings.len(), 1);
        let job = &extraction.postings[0];
        assert_eq!(job.title.as_deref(), Some("Senior Software Engineer, iOS"));
        assert_eq!(job.external_id.as_deref(), Some("B02DA69C8F"));
        assert_eq!(
            job.url.as_deref(),
            Some("https://apply.workable.com/blueground/j/B02DA69C8F/")
        );
        assert_eq!(job.locations, vec![athens()]);
        assert_eq!(job.workplace_hints, vec!["remote".to_owned()]);
        assert_eq!(
            job.posted_at,
            Some(RawDate::Text("2026-07-14T00:00:00.000Z".into()))
        );
        // This posting writes its requirements inside `description` and leaves the
        // `requirements` and `benefits` fields empty: no heading is added.
        let html = job.description_html.as_deref().unwrap();
        assert!(html.starts_with("<p></p><h3>🌍 Redefining how people live</h3>"));
        assert!(html.ends_with("check our Engineering Blog!</p><p></p><p></p>"));
        assert_eq!(html.matches("<h3>Requirements</h3>").count(), 1);
        assert_eq!(html.matches("<h3>Benefits</h3>").count(), 0);

        let parts = r#"{"shortcode": "S", "description": "<p>D</p>",
            "requirements": "<ul><li>R</li></ul>", "benefits": "<p>B</p>"}"#;
        let job = &run(parts, None).unwrap().postings[0];
        assert_eq!(
            job.description_html.as_deref(),
            Some("<p>D</p><h3>Requirements</h3><ul><li>R</li></ul><h3>Benefits</h3><p>B</p>")
        );
    }

    #[test]
    fn without_the_api_address_the_url_is_left_empty() {
        let extraction = run(LIST, None).unwrap();
        assert_eq!(extraction.postings.len(), 10);
        assert!(extraction.postings.iter().all(|p| p.url.is_none()));
    }

    #[test]
    fn extra_visible_locations_follow_the_primary_one() {
        let body = r#"{"results": [{"shortcode": "S",
            "location": {"city": "Athens", "region": "Attica", "countryCode": "GR",
                         "country": "Greece", "display": "Athens, Greece"},
            "locations": [
                {"city": "Athens", "region": "Attica", "countryCode": "GR", "country": "Greece"},
                {"city": "Lisbon", "region": "Lisbon", "countryCode": "PT", "country": "Portugal"},
                {"city": "Oslo", "countryCode": "NO", "country": "Norway", "hidden": true}
            ]}, "x"]}"#;
        let extraction = run(body, None).unwrap();
        assert_eq!(extraction.skipped, 1);
        assert_eq!(
            extraction.postings[0].locations,
            vec![
                athens(),
                RawLocation {
                    raw: "Lisbon, Lisbon, Portugal".into(),
                    city: Some("Lisbon".into()),
                    region: Some("Lisbon".into()),
                    country: Some("PT".into()),
                }
            ]
        );
    }

    #[test]
    fn an_empty_list_has_zero_postings() {
        assert_eq!(
            run(r#"{"total": 0, "results": []}"#, None).unwrap(),
            Extraction::default()
        );
    }

    #[test]
    fn other_shapes_and_broken_json_are_malformed() {
        let smartrecruiters =
            include_str!("../../testdata/corpus/smartrecruiters/postings_rsp.json");
        let greenhouse = include_str!("../../testdata/corpus/greenhouse/job_detail_rsp.json");
        for body in [
            smartrecruiters,
            greenhouse,
            "[]",
            r#"{"results": 3}"#,
            "{\"results\": [",
        ] {
            assert!(
                matches!(
                    run(body, None),
                    Err(ParseError::Malformed {
                        kind: SourceKind::Workable,
                        ..
                    })
                ),
                "{body:.40}"
            );
        }
    }
}
