//! The posting page's schema.org `JobPosting` in JSON-LD, the form search engines' job
//! features read. Built from the stored posting alone (no clock), serialized so that it can
//! never end its `<script>` element early.

use serde_json::{Map, Value, json};

use crate::model::{EmploymentType, JobPosting, SalaryPeriod, Workplace};
use crate::store::listed_at;

/// The JSON-LD text of `posting`, safe to put between `<script type="application/ld+json">`
/// and `</script>`: `<`, `>` and `&` are written as JSON `\u` escapes (the same string to a
/// JSON reader), so no `</script>` or `<!--` can appear in it. `description_html` must be
/// the sanitized description.
pub fn job_posting_ld(posting: &JobPosting, description_html: &str) -> String {
    let text = serde_json::to_string(&job_posting_value(posting, description_html))
        .unwrap_or_else(|_| "{}".to_owned());
    script_safe(&text)
}

/// Escapes the characters that could close or comment out a script element.
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            // Valid in JSON but line terminators in old JavaScript parsers.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// schema.org's `employmentType` spelling.
fn employment_type(kind: EmploymentType) -> &'static str {
    match kind {
        EmploymentType::FullTime => "FULL_TIME",
        EmploymentType::PartTime => "PART_TIME",
        EmploymentType::Contract => "CONTRACTOR",
        EmploymentType::Temporary => "TEMPORARY",
        EmploymentType::Internship => "INTERN",
        EmploymentType::Volunteer => "VOLUNTEER",
        EmploymentType::Other => "OTHER",
    }
}

/// schema.org's `unitText` of a salary period.
fn unit_text(period: SalaryPeriod) -> &'static str {
    match period {
        SalaryPeriod::Hour => "HOUR",
        SalaryPeriod::Day => "DAY",
        SalaryPeriod::Week => "WEEK",
        SalaryPeriod::Month => "MONTH",
        SalaryPeriod::Year => "YEAR",
    }
}

/// Keeps only absolute http(s) addresses (a stored value is data, not trusted markup).
pub(super) fn web_url(raw: &str) -> Option<&str> {
    url::Url::parse(raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|_| raw)
}

fn job_posting_value(p: &JobPosting, description_html: &str) -> Value {
    let mut ld = Map::new();
    ld.insert("@context".into(), json!("https://schema.org"));
    ld.insert("@type".into(), json!("JobPosting"));
    ld.insert("title".into(), json!(p.title));
    // Search engines require a description; a posting listed without one gets its text or,
    // failing that, its title and company.
    let description = if !description_html.trim().is_empty() {
        description_html.to_owned()
    } else if !p.description_text.trim().is_empty() {
        p.description_text.clone()
    } else {
        format!("{} at {}", p.title, p.company.name)
    };
    ld.insert("description".into(), json!(description));
    ld.insert("datePosted".into(), json!(listed_at(p).to_rfc3339()));
    // A closed posting's offer ended when it closed, whatever date it announced.
    let valid_through = match (p.valid_through, p.closed_at) {
        (Some(valid), Some(closed)) => Some(valid.min(closed)),
        (valid, closed) => valid.or(closed),
    };
    if let Some(valid) = valid_through {
        ld.insert("validThrough".into(), json!(valid.to_rfc3339()));
    }
    if let Some(kind) = p.employment_type {
        ld.insert("employmentType".into(), json!(employment_type(kind)));
    }
    let mut organization = Map::new();
    organization.insert("@type".into(), json!("Organization"));
    organization.insert("name".into(), json!(p.company.name));
    if let Some(url) = p.company.url.as_deref().and_then(web_url) {
        organization.insert("sameAs".into(), json!(url));
    }
    if let Some(logo) = p.company.logo_url.as_deref().and_then(web_url) {
        organization.insert("logo".into(), json!(logo));
    }
    ld.insert("hiringOrganization".into(), Value::Object(organization));
    let places: Vec<Value> = p
        .locations
        .iter()
        .map(|l| {
            let mut address = Map::new();
            address.insert("@type".into(), json!("PostalAddress"));
            match (&l.city, &l.region, &l.country) {
                (None, None, None) => {
                    address.insert("addressLocality".into(), json!(l.raw));
                }
                (city, region, country) => {
                    for (key, value) in [
                        ("addressLocality", city),
                        ("addressRegion", region),
                        ("addressCountry", country),
                    ] {
                        if let Some(value) = value {
                            address.insert(key.into(), json!(value));
                        }
                    }
                }
            }
            json!({ "@type": "Place", "address": Value::Object(address) })
        })
        .collect();
    if !places.is_empty() {
        ld.insert("jobLocation".into(), Value::Array(places));
    }
    if p.workplace == Some(Workplace::Remote) {
        ld.insert("jobLocationType".into(), json!("TELECOMMUTE"));
        let countries: Vec<Value> = p
            .remote_regions
            .iter()
            .map(|code| json!({ "@type": "Country", "name": code }))
            .collect();
        if !countries.is_empty() {
            ld.insert(
                "applicantLocationRequirements".into(),
                Value::Array(countries),
            );
        }
    }
    if let Some(salary) = &p.salary
        && let Some(currency) = &salary.currency
        && (salary.min.is_some() || salary.max.is_some())
    {
        let mut value = Map::new();
        value.insert("@type".into(), json!("QuantitativeValue"));
        match (salary.min, salary.max) {
            (Some(min), Some(max)) if min == max => {
                value.insert("value".into(), json!(min));
            }
            (min, max) => {
                if let Some(min) = min {
                    value.insert("minValue".into(), json!(min));
                }
                if let Some(max) = max {
                    value.insert("maxValue".into(), json!(max));
                }
            }
        }
        if let Some(period) = salary.period {
            value.insert("unitText".into(), json!(unit_text(period)));
        }
        ld.insert(
            "baseSalary".into(),
            json!({ "@type": "MonetaryAmount", "currency": currency, "value": Value::Object(value) }),
        );
    }
    if !p.skills.is_empty() {
        ld.insert("skills".into(), json!(p.skills.join(", ")));
    }
    ld.insert(
        "identifier".into(),
        json!({ "@type": "PropertyValue", "name": p.source, "value": p.external_id.as_deref().unwrap_or(&p.id) }),
    );
    if let Some(url) = web_url(&p.url) {
        ld.insert("url".into(), json!(url));
    }
    Value::Object(ld)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Company, Location, Salary};
    use chrono::{TimeZone, Utc};

    fn posting() -> JobPosting {
        let t = Utc.with_ymd_and_hms(2026, 7, 1, 9, 0, 0).unwrap();
        let mut p = crate::app::fixtures::posting("acme-board", "1");
        p.id = "abc".into();
        p.url = "https://jobs.example/1".into();
        p.title = "Rust engineer</script><script>alert(1)</script>".into();
        p.company = Company {
            name: "Acme & Co <b>".into(),
            url: Some("javascript:alert(1)".into()),
            logo_url: None,
        };
        p.locations = vec![Location {
            raw: "Berlin, Germany".into(),
            city: Some("Berlin".into()),
            region: None,
            country: Some("DE".into()),
        }];
        p.workplace = Some(Workplace::Remote);
        p.remote_regions = vec!["DE".into(), "FR".into()];
        p.employment_type = Some(EmploymentType::FullTime);
        p.salary = Some(Salary {
            min: Some(70000.0),
            max: Some(90000.0),
            currency: Some("EUR".into()),
            period: Some(SalaryPeriod::Year),
        });
        p.posted_at = Some(t);
        p.first_seen_at = Some(t);
        p.valid_through = Some(Utc.with_ymd_and_hms(2026, 8, 1, 0, 0, 0).unwrap());
        p.closed_at = None;
        p.fetched_at = t;
        p
    }

    #[test]
    fn the_json_ld_cannot_close_its_script_element_and_reads_back_unchanged() {
        let p = posting();
        let text = job_posting_ld(&p, "<p>Hello</p><!-- x -->");
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["title"], p.title.as_str());
        assert_eq!(value["hiringOrganization"]["name"], "Acme & Co <b>");
        assert_eq!(value["description"], "<p>Hello</p><!-- x -->");
    }

    #[test]
    fn a_remote_posting_has_every_job_posting_field_a_search_engine_reads() {
        let value: Value = serde_json::from_str(&job_posting_ld(&posting(), "<p>x</p>")).unwrap();
        assert_eq!(value["@type"], "JobPosting");
        assert_eq!(value["@context"], "https://schema.org");
        assert_eq!(value["datePosted"], "2026-07-01T09:00:00+00:00");
        assert_eq!(value["validThrough"], "2026-08-01T00:00:00+00:00");
        assert_eq!(value["employmentType"], "FULL_TIME");
        assert_eq!(value["jobLocationType"], "TELECOMMUTE");
        assert_eq!(value["applicantLocationRequirements"][1]["name"], "FR");
        assert_eq!(value["jobLocation"][0]["address"]["addressCountry"], "DE");
        assert_eq!(value["baseSalary"]["currency"], "EUR");
        assert_eq!(value["baseSalary"]["value"]["minValue"], 70000.0);
        assert_eq!(value["baseSalary"]["value"]["unitText"], "YEAR");
        // A `javascript:` company address is data, never a link.
        assert!(value["hiringOrganization"].get("sameAs").is_none());
    }

    #[test]
    fn a_closed_posting_is_valid_only_until_it_closed() {
        let mut p = posting();
        p.closed_at = Some(Utc.with_ymd_and_hms(2026, 7, 10, 0, 0, 0).unwrap());
        let value: Value = serde_json::from_str(&job_posting_ld(&p, "")).unwrap();
        assert_eq!(value["validThrough"], "2026-07-10T00:00:00+00:00");
    }
}
