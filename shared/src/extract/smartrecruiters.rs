//! Extractor for the SmartRecruiters v1 Posting API: a company's postings list
//! (`{"content": [...]}`) and one posting's detail (with `jobAd.sections` and `postingUrl`).

use serde_json::{Map, Value};

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, collect_postings, json_str,
    parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::SmartRecruiters;

/// The job ad's sections in the order the posting page shows them; any other section with
/// text follows these.
const SECTION_ORDER: &[&str] = &[
    "companyDescription",
    "jobDescription",
    "qualifications",
    "additionalInformation",
];

/// Extracts the postings of one SmartRecruiters document: a postings list or one detail.
///
/// The detail's `postingUrl` and `applyUrl` are used as given. List items carry no public
/// URL, so it is built the way `postingUrl` is written:
/// `https://jobs.smartrecruiters.com/{company.identifier}/{id}-{slug of the name}`. The job
/// ad's sections become one description, each under its title. List items that are not
/// objects are counted in `skipped`. Errors: invalid JSON, or neither a `content` array of
/// SmartRecruiters postings nor one posting.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    // SmartRecruiters URLs are absolute or built from the record, never from the address.
    let _ = ctx;
    let doc = parse_json(body, KIND)?;
    let Some(object) = doc.as_object() else {
        return Err(malformed(
            "expected an object with a `content` array or one posting",
        ));
    };
    if let Some(content) = object.get("content") {
        let Some(items) = content.as_array() else {
            return Err(malformed("`content` is not an array"));
        };
        if !items.is_empty() && !items.iter().any(is_posting) {
            return Err(malformed(
                "the `content` items are not SmartRecruiters postings",
            ));
        }
        return Ok(collect_postings(items, |item| Some(posting(item))));
    }
    if is_posting(&doc) {
        return Ok(Extraction {
            postings: vec![posting(object)],
            skipped: 0,
        });
    }
    Err(malformed(
        "expected an object with a `content` array or one posting",
    ))
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether a value carries fields only SmartRecruiters postings have.
fn is_posting(value: &Value) -> bool {
    value.as_object().is_some_and(|p| {
        ["releasedDate", "refNumber", "jobAd", "postingUrl"]
            .iter()
            .any(|key| p.contains_key(*key))
    })
}

fn posting(p: &Map<String, Value>) -> RawPosting {
    let label = |key: &str| json_str(p.get(key).and_then(|v| v.get("label")));
    let company = p.get("company");
    let id = json_str(p.get("id"));
    let title = json_str(p.get("name"));
    let location = p.get("location");
    RawPosting {
        url: json_str(p.get("postingUrl")).or_else(|| {
            let identifier = json_str(company.and_then(|c| c.get("identifier")))?;
            Some(posting_url(&identifier, id.as_deref()?, title.as_deref()))
        }),
        apply_url: json_str(p.get("applyUrl")),
        external_id: id,
        title,
        company_name: json_str(company.and_then(|c| c.get("name"))),
        department: label("department"),
        locations: location.and_then(raw_location).into_iter().collect(),
        workplace_hints: workplace_hints(location),
        employment_types: label("typeOfEmployment").into_iter().collect(),
        seniority_hint: label("experienceLevel"),
        description_html: description_html(p.get("jobAd").and_then(|ad| ad.get("sections"))),
        posted_at: json_str(p.get("releasedDate")).map(RawDate::Text),
        ..RawPosting::default()
    }
}

/// The public posting page: `/{identifier}/{id}-{slug}`, the slug being the name in lower
/// case with every run of other characters as one `-` (as in `postingUrl`). The site finds
/// the posting by its id, so an unusual name cannot make the link dead.
fn posting_url(identifier: &str, id: &str, name: Option<&str>) -> String {
    let mut slug = String::new();
    for c in name.unwrap_or_default().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("https://jobs.smartrecruiters.com/{identifier}/{id}")
    } else {
        format!("https://jobs.smartrecruiters.com/{identifier}/{id}-{slug}")
    }
}

fn raw_location(location: &Value) -> Option<RawLocation> {
    let part = |key: &str| json_str(location.get(key));
    let (city, region, country) = (part("city"), part("region"), part("country"));
    let raw = part("fullLocation").unwrap_or_else(|| {
        [&city, &region, &country]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    });
    if raw.is_empty() {
        return None;
    }
    Some(RawLocation {
        raw,
        city,
        region,
        country,
    })
}

/// The `remote` and `hybrid` flags; both false says nothing (not necessarily on-site).
fn workplace_hints(location: Option<&Value>) -> Vec<String> {
    ["remote", "hybrid"]
        .into_iter()
        .filter(|flag| location.and_then(|l| l.get(*flag)) == Some(&Value::Bool(true)))
        .map(str::to_owned)
        .collect()
}

/// Each section with text, under its title (HTML-escaped: titles are plain text).
fn description_html(sections: Option<&Value>) -> Option<String> {
    let sections = sections?.as_object()?;
    let known = SECTION_ORDER.iter().filter_map(|key| sections.get(*key));
    let others = sections
        .iter()
        .filter(|(key, _)| !SECTION_ORDER.contains(&key.as_str()))
        .map(|(_, section)| section);
    let mut html = String::new();
    for section in known.chain(others) {
        let Some(text) = json_str(section.get("text")) else {
            continue;
        };
        if let Some(title) = json_str(section.get("title")) {
            html.push_str(&format!("<h3>{}</h3>", html_escape::encode_text(&title)));
        }
        html.push_str(&text);
    }
    (!html.is_empty()).then_some(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = include_str!("../../testdata/corpus/smartrecruiters/postings_rsp.json");
    const DETAIL: &str =
        include_str!("../../testdata/corpus/smartrecruiters/posting_detail_rsp.json");

    fn run(body: &str) -> Result<Extraction, ParseError> {
        extract(body, DocumentContext::default())
    }

    fn houston() -> RawLocation {
        RawLocation {
            raw: "Houston, TX, United States".into(),
            city: Some("Houston".into()),
            region: Some("TX".into()),
            country: Some("us".into()),
        }
    }

    #[test]
    fn the_list_yields_every_posting_with_a_built_url() {
        let extraction = run(LIST).unwrap();
        assert_eq!(extraction.postings.len(), 5);
        assert_eq!(extraction.skipped, 0);

        let first = &extraction.postings[0];
        assert_eq!(
            first.title.as_deref(),
            Some("Female Locker Room Associate, Houston")
        );
        assert_eq!(first.external_id.as_deref(), Some("744000137225639"));
        // The same address the detail's `postingUrl` gives for this posting.
        assert_eq!(
            first.url.as_deref(),
            Some(
                "https://jobs.smartrecruiters.com/Equinox/744000137225639-female-locker-room-associate-houston"
            )
        );
        assert_eq!(first.apply_url, None);
        assert_eq!(first.company_name.as_deref(), Some("Equinox"));
        assert_eq!(first.department.as_deref(), Some("Club - Staff"));
        assert_eq!(first.locations, vec![houston()]);
        assert!(first.workplace_hints.is_empty());
        assert_eq!(first.employment_types, vec!["Part-time".to_owned()]);
        assert_eq!(first.seniority_hint.as_deref(), Some("Not Applicable"));
        assert_eq!(
            first.posted_at,
            Some(RawDate::Text("2026-07-10T23:49:03.072Z".into()))
        );
        assert_eq!(first.description_html, None);

        let third = &extraction.postings[2];
        assert_eq!(
            third.title.as_deref(),
            Some("Membership Sales Advisor, Chicago")
        );
        assert_eq!(
            third.url.as_deref(),
            Some(
                "https://jobs.smartrecruiters.com/Equinox/744000137204752-membership-sales-advisor-chicago"
            )
        );
        assert_eq!(third.department.as_deref(), Some("Club - Sales"));
        assert_eq!(third.employment_types, vec!["Full-time".to_owned()]);
        assert_eq!(third.seniority_hint.as_deref(), Some("Associate"));
        assert_eq!(
            third.locations[0].raw,
            "Chicago, IL, United States".to_owned()
        );
    }

    #[test]
    fn the_detail_gives_its_urls_and_the_job_ad_sections_in_page_order() {
        let extraction = run(DETAIL).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        let job = &extraction.postings[0];
        assert_eq!(
            job.title.as_deref(),
            Some("Female Locker Room Associate, Houston")
        );
        assert_eq!(job.external_id.as_deref(), Some("744000137225639"));
        assert_eq!(
            job.url.as_deref(),
            Some(
                "https://jobs.smartrecruiters.com/Equinox/744000137225639-female-locker-room-associate-houston"
            )
        );
        assert_eq!(
            job.apply_url.as_deref(),
            Some(
                "https://jobs.smartrecruiters.com/Equinox/744000137225639-female-locker-room-associate-houston?oga=true"
            )
        );
        assert_eq!(job.company_name.as_deref(), Some("Equinox"));
        assert_eq!(job.locations, vec![houston()]);
        assert_eq!(job.employment_types, vec!["Part-time".to_owned()]);

        let html = job.description_html.as_deref().unwrap();
        assert!(html.starts_with("<h3>Company Description</h3><p><strong><u>OUR&#xa0;STORY:"));
        let order: Vec<usize> = [
            "<h3>Company Description</h3>",
            "<h3>Job Description</h3>",
            "<h3>Qualifications</h3>",
            "<h3>Additional Information</h3>",
        ]
        .iter()
        .map(|heading| html.find(heading).unwrap())
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn remote_and_hybrid_flags_become_hints() {
        let body = r#"{"content": [{"id": "1", "name": "Café Lead (m/w/d)", "refNumber": "R",
            "company": {"identifier": "Acme", "name": "Acme GmbH"},
            "location": {"city": "Berlin", "country": "de", "remote": true, "hybrid": true}}]}"#;
        let job = &run(body).unwrap().postings[0];
        assert_eq!(
            job.workplace_hints,
            vec!["remote".to_owned(), "hybrid".to_owned()]
        );
        assert_eq!(
            job.locations,
            vec![RawLocation {
                raw: "Berlin, de".into(),
                city: Some("Berlin".into()),
                region: None,
                country: Some("de".into()),
            }]
        );
        assert_eq!(
            job.url.as_deref(),
            Some("https://jobs.smartrecruiters.com/Acme/1-caf-lead-m-w-d")
        );
    }

    #[test]
    fn non_objects_are_skipped_and_an_empty_list_has_zero_postings() {
        let extraction = run(r#"{"content": [1, {"refNumber": "R"}]}"#).unwrap();
        assert_eq!((extraction.postings.len(), extraction.skipped), (1, 1));
        assert_eq!(extraction.postings[0].url, None);
        assert_eq!(
            run(r#"{"offset": 0, "limit": 100, "totalFound": 0, "content": []}"#).unwrap(),
            Extraction::default()
        );
    }

    #[test]
    fn other_shapes_and_broken_json_are_malformed() {
        let workable = include_str!("../../testdata/corpus/workable/jobs_rsp.json");
        let greenhouse = include_str!("../../testdata/corpus/greenhouse/job_detail_rsp.json");
        for body in [workable, greenhouse, "[]", r#"{"content": "x"}"#, "{"] {
            assert!(
                matches!(
                    run(body),
                    Err(ParseError::Malformed {
                        kind: SourceKind::SmartRecruiters,
                        ..
                    })
                ),
                "{body:.40}"
            );
        }
    }
}
