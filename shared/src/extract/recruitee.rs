//! Extractor for Recruitee's careers-site API: `/api/offers/` (`{"offers": [...]}`) and one
//! offer (`{"offer": {...}}`), where most fields may be null.

use serde_json::{Map, Value};

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, RawSalary, collect_postings,
    json_f64, json_str, parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Recruitee;

/// Extracts the postings of one Recruitee document.
///
/// Null fields simply stay empty: an offer without description still becomes a posting.
/// `description` and `requirements` form one description (requirements under a heading);
/// the `remote`/`hybrid`/`on_site` flags become workplace hints. Offers whose `status` is
/// given and is not `published` are not public and, like items that are not objects, are
/// counted in `skipped`. Errors: invalid JSON, or neither an `offers` array of Recruitee
/// offers nor an `offer` object.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    // Recruitee gives absolute URLs, so the document's address adds nothing.
    let _ = ctx;
    let doc = parse_json(body, KIND)?;
    let offers: Vec<&Value> = match (doc.get("offers"), doc.get("offer")) {
        (Some(Value::Array(offers)), _) => {
            if !offers.is_empty() && !offers.iter().any(is_offer) {
                return Err(malformed("the `offers` items are not Recruitee offers"));
            }
            offers.iter().collect()
        }
        (None, Some(offer)) if is_offer(offer) => vec![offer],
        _ => return Err(malformed("expected an object with an `offers` array")),
    };
    Ok(collect_postings(offers, |offer| {
        is_public(offer).then(|| posting(offer))
    }))
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether a value carries fields only Recruitee offers have.
fn is_offer(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.contains_key("careers_url") || o.contains_key("careers_apply_url"))
}

fn is_public(offer: &Map<String, Value>) -> bool {
    json_str(offer.get("status")).is_none_or(|status| status == "published")
}

fn posting(offer: &Map<String, Value>) -> RawPosting {
    let field = |key: &str| json_str(offer.get(key));
    RawPosting {
        external_id: field("id"),
        url: field("careers_url"),
        apply_url: field("careers_apply_url"),
        title: field("title"),
        company_name: field("company_name")
            .or_else(|| field("careers_url").as_deref().and_then(tenant)),
        department: field("department"),
        locations: locations(offer),
        workplace_hints: [
            ("remote", "remote"),
            ("hybrid", "hybrid"),
            ("on_site", "on-site"),
        ]
        .into_iter()
        .filter(|(flag, _)| offer.get(*flag) == Some(&Value::Bool(true)))
        .map(|(_, hint)| hint.to_owned())
        .collect(),
        employment_types: field("employment_type_code").into_iter().collect(),
        seniority_hint: field("experience_code"),
        salary: offer.get("salary").and_then(salary),
        description_html: description_html(offer),
        tags: offer
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|tag| json_str(Some(tag)))
            .collect(),
        posted_at: field("published_at")
            .or_else(|| field("created_at"))
            .map(RawDate::Text),
        ..RawPosting::default()
    }
}

/// The `locations` array when it has entries, else the offer's own `location` text with its
/// `city`, state and country parts.
fn locations(offer: &Map<String, Value>) -> Vec<RawLocation> {
    let listed: Vec<RawLocation> = offer
        .get("locations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter_map(|l| location(l, None))
        .collect();
    if !listed.is_empty() {
        return listed;
    }
    location(offer, json_str(offer.get("location")))
        .into_iter()
        .collect()
}

/// A location from an object with `city`, `state`/`state_code` and
/// `country_code`/`country`; `raw` is the given text or else the parts joined.
fn location(value: &Map<String, Value>, text: Option<String>) -> Option<RawLocation> {
    let part = |key: &str| json_str(value.get(key));
    let city = part("city");
    let region = part("state").or_else(|| part("state_code"));
    let country_name = part("country");
    let raw = text.unwrap_or_else(|| {
        [&city, &region, &country_name]
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
        country: part("country_code").or(country_name),
    })
}

fn salary(salary: &Value) -> Option<RawSalary> {
    let salary = RawSalary {
        min: json_f64(salary.get("min")),
        max: json_f64(salary.get("max")),
        currency: json_str(salary.get("currency")),
        period: json_str(salary.get("period")),
    };
    (salary.min.is_some() || salary.max.is_some()).then_some(salary)
}

/// `description`, then `requirements` under a heading, as the careers page shows them.
fn description_html(offer: &Map<String, Value>) -> Option<String> {
    let mut html = json_str(offer.get("description")).unwrap_or_default();
    if let Some(requirements) = json_str(offer.get("requirements")) {
        html.push_str("<h3>Requirements</h3>");
        html.push_str(&requirements);
    }
    (!html.is_empty()).then_some(html)
}

/// The tenant of a Recruitee careers URL (`https://bunq.recruitee.com/o/…` → `bunq`).
fn tenant(careers_url: &str) -> Option<String> {
    let url = url::Url::parse(careers_url).ok()?;
    let tenant = url.host_str()?.strip_suffix(".recruitee.com")?;
    (!tenant.is_empty() && !tenant.contains('.')).then(|| tenant.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NULLS: &str = include_str!("../../testdata/corpus/recruitee/offers_nulls_rsp.json");

    fn run(body: &str) -> Result<Extraction, ParseError> {
        extract(body, DocumentContext::default())
    }

    #[test]
    fn an_offer_full_of_nulls_still_becomes_a_posting() {
        let extraction = run(NULLS).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 0);
        let job = &extraction.postings[0];
        assert_eq!(job.title.as_deref(), Some("Minimal Job"));
        assert_eq!(job.external_id.as_deref(), Some("12345"));
        assert_eq!(
            job.url.as_deref(),
            Some("https://minimal.recruitee.com/o/minimal-job")
        );
        assert_eq!(
            job.apply_url.as_deref(),
            Some("https://minimal.recruitee.com/o/minimal-job/c/new")
        );
        assert_eq!(
            job.posted_at,
            Some(RawDate::Text("2026-07-13 12:00:00 UTC".into()))
        );
        // No `company_name`: the tenant of the careers URL stands in.
        assert_eq!(job.company_name.as_deref(), Some("minimal"));
        assert_eq!(job.description_html, None);
        assert!(job.locations.is_empty());
        assert!(job.workplace_hints.is_empty());
        assert!(job.employment_types.is_empty());
        assert!(job.tags.is_empty());
        assert_eq!(job.department, None);
        assert_eq!(job.salary, None);
    }

    #[test]
    fn a_complete_offer_maps_every_field() {
        let body = r#"{"offers": [{"id": 7, "title": "Data Analyst", "status": "published",
            "company_name": "Acme", "careers_url": "https://acme.recruitee.com/o/data",
            "description": "<p>Analyse.</p>", "requirements": "<ul><li>SQL</li></ul>",
            "location": "Amsterdam, Netherlands", "city": "Amsterdam", "state_code": "NH",
            "country": "Netherlands", "country_code": "NL",
            "remote": false, "hybrid": true, "on_site": true,
            "employment_type_code": "fulltime_permanent", "experience_code": "mid_level",
            "department": "Data", "tags": ["SQL", "Python"],
            "salary": {"min": "4000", "max": 5500, "currency": "EUR", "period": "month"},
            "published_at": "2026-08-14 08:23:10 UTC"}]}"#;
        let job = &run(body).unwrap().postings[0];
        assert_eq!(job.company_name.as_deref(), Some("Acme"));
        assert_eq!(
            job.description_html.as_deref(),
            Some("<p>Analyse.</p><h3>Requirements</h3><ul><li>SQL</li></ul>")
        );
        assert_eq!(
            job.locations,
            vec![RawLocation {
                raw: "Amsterdam, Netherlands".into(),
                city: Some("Amsterdam".into()),
                region: Some("NH".into()),
                country: Some("NL".into()),
            }]
        );
        assert_eq!(
            job.workplace_hints,
            vec!["hybrid".to_owned(), "on-site".to_owned()]
        );
        assert_eq!(job.employment_types, vec!["fulltime_permanent".to_owned()]);
        assert_eq!(job.seniority_hint.as_deref(), Some("mid_level"));
        assert_eq!(job.department.as_deref(), Some("Data"));
        assert_eq!(job.tags, vec!["SQL".to_owned(), "Python".to_owned()]);
        assert_eq!(
            job.salary,
            Some(RawSalary {
                min: Some(4000.0),
                max: Some(5500.0),
                currency: Some("EUR".into()),
                period: Some("month".into()),
            })
        );
    }

    #[test]
    fn unpublished_offers_and_non_objects_are_counted_as_skipped() {
        let body = r#"{"offers": [{"careers_url": "https://x.test/o/a", "status": "closed"},
            {"careers_url": "https://x.test/o/b"}, null]}"#;
        let extraction = run(body).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 2);
    }

    #[test]
    fn a_single_offer_document_is_one_posting() {
        let body = r#"{"offer": {"title": "Solo", "careers_url": "https://x.test/o/solo"}}"#;
        let extraction = run(body).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.postings[0].title.as_deref(), Some("Solo"));
    }

    #[test]
    fn an_empty_list_has_zero_postings() {
        assert_eq!(run(r#"{"offers": []}"#).unwrap(), Extraction::default());
    }

    #[test]
    fn other_shapes_and_broken_json_are_malformed() {
        let greenhouse = include_str!("../../testdata/corpus/greenhouse/jobs_rsp.json");
        let ashby = include_str!("../../testdata/corpus/ashby/board_rsp.json");
        for body in [
            greenhouse,
            ashby,
            "[]",
            r#"{"offers": {}}"#,
            r#"{"offers": [{"id": 1}]}"#,
            "{\"offers\":",
        ] {
            assert!(
                matches!(
                    run(body),
                    Err(ParseError::Malformed {
                        kind: SourceKind::Recruitee,
                        ..
                    })
                ),
                "{body:.40}"
            );
        }
    }
}
