//! Extractor for HERP Career's API (herp.careers): one company with all its jobs
//! (`/careers/api/v1/companies/{slug}`), or a page of the jobs API (`/careers/api/v1/jobs`,
//! companies each with a few of their jobs). Every job comes whole, with its texts.

use serde_json::{Map, Value};
use url::Url;

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, RawSalary, json_f64, json_str,
    parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Herp;

/// HERP states pay in yen and names no currency.
const CURRENCY: &str = "JPY";

/// The sections of a job's text, in the order its page shows them: the field, and the
/// heading the page gives it.
const SECTIONS: &[(&str, &str)] = &[
    ("summary", "仕事概要"),
    ("requiredSkills", "必須スキル"),
    ("preferredSkills", "歓迎スキル"),
    ("personality", "求める人物像"),
    ("location", "勤務地"),
    ("formOfEmployment", "雇用形態"),
    ("workingConditions", "勤務体系"),
    ("trial", "試用期間"),
    ("welfare", "福利厚生"),
];

/// Extracts the postings of one HERP company document or jobs API page.
///
/// A job's title is its `name` (the ad's catch line, `title`, opens the description); its
/// URL is its page on HERP Hire, `https://herp.careers/v1/{companySlug}/{id}`. The
/// description is the job's texts under the headings its page gives them, as plain text.
/// Places are the structured `jobLocations` (prefecture and city, in Japan); the free-text
/// `location` stays in the description. `jobRemoteworkType` `FULL_REMOTEWORK` is `remote`
/// and `HYBRID_REMOTEWORK` `hybrid` (null says nothing). Pay is `salary` in yen (`minimum`,
/// `maximum`, `period`), its `text` the pay text. A job no longer taking applications
/// (`isApplicable: false`), or without a name, id or company slug, is skipped and counted.
///
/// Errors: invalid JSON, HERP's `{"error": {"message"}}` answer (a 404 for an unknown or
/// unlisted company, whose message says nothing useful), or another shape.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let doc = parse_json(body, KIND)?;
    if let Some(error) = doc.get("error") {
        let message = json_str(error.get("message")).unwrap_or_else(|| "no message".into());
        return Err(malformed(&format!(
            "HERP answered with an error (\"{message}\"): no company of that name is listed \
             on HERP Career"
        )));
    }
    let companies: Vec<&Map<String, Value>> = match (doc.get("company"), doc.get("companies")) {
        (Some(Value::Object(company)), _) => vec![company],
        (_, Some(Value::Array(companies))) => {
            companies.iter().filter_map(Value::as_object).collect()
        }
        _ => {
            return Err(malformed(
                "expected a `company` (companies API) or a `companies` list (jobs API)",
            ));
        }
    };
    let slug_of_address = ctx.url.and_then(address_slug);
    let mut out = Extraction::default();
    for company in companies {
        let jobs = company.get("jobs").and_then(Value::as_array);
        for job in jobs.into_iter().flatten() {
            let posting = job
                .as_object()
                .and_then(|job| posting(job, company, slug_of_address.as_deref()));
            match posting {
                Some(posting) => out.postings.push(posting),
                None => out.skipped += 1,
            }
        }
    }
    Ok(out)
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether an object is a HERP document (for `auto`): a `company` with its `companySlug` and
/// `jobs`, or a `companies` list whose first company has its `companySlug`.
pub(crate) fn is_document(object: &Map<String, Value>) -> bool {
    if let Some(company) = object.get("company").and_then(Value::as_object) {
        return company.contains_key("companySlug")
            && company.get("jobs").is_some_and(Value::is_array);
    }
    object
        .get("companies")
        .and_then(Value::as_array)
        .and_then(|companies| companies.first())
        .and_then(Value::as_object)
        .is_some_and(|company| company.contains_key("companySlug"))
}

/// The company slug of a companies API address (`/careers/api/v1/companies/{slug}`).
fn address_slug(url: &Url) -> Option<String> {
    let mut segments = url.path_segments()?;
    segments.find(|s| *s == "companies")?;
    segments.next().filter(|s| !s.is_empty()).map(str::to_owned)
}

fn posting(
    job: &Map<String, Value>,
    company: &Map<String, Value>,
    slug_of_address: Option<&str>,
) -> Option<RawPosting> {
    let field = |key: &str| json_str(job.get(key));
    // The company API repeats the company's fields in each job; the jobs API does not.
    let company_field = |key: &str| json_str(company.get(key)).or_else(|| field(key));
    if job.get("isApplicable").and_then(Value::as_bool) == Some(false) {
        return None;
    }
    let id = field("id")?;
    let title = field("name").or_else(|| field("title"))?;
    let slug = company_field("companySlug").or_else(|| slug_of_address.map(str::to_owned))?;
    Some(RawPosting {
        url: Some(format!("https://herp.careers/v1/{slug}/{id}")),
        external_id: Some(id),
        company_name: company_field("companyName"),
        company_url: company_field("companyUrl"),
        company_logo_url: company_field("companyLogoUrl"),
        locations: locations(job),
        workplace_hints: workplace(job).into_iter().collect(),
        employment_types: employment_codes(job)
            .into_iter()
            .chain(field("formOfEmployment"))
            .collect(),
        salary: salary(job),
        salary_text: json_str(job.get("salary").and_then(|s| s.get("text"))),
        description_text: description(job, &title),
        // The job roles (`インサイドセールス`, its parent `セールス・事業開発`) name the field.
        tags: roles(job),
        posted_at: field("jobPublishedAt").map(RawDate::Text),
        title: Some(title),
        ..RawPosting::default()
    })
}

/// The employment type codes as one phrase (`PART_TIME, INTERNSHIP`): a job of two types
/// is of the more specific one (an internship, a contract), which the normalizer picks
/// within a phrase but not across entries.
fn employment_codes(job: &Map<String, Value>) -> Option<String> {
    let codes: Vec<String> = job
        .get("jobEmploymentTypeIds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|id| json_str(Some(id)))
        .collect();
    (!codes.is_empty()).then(|| codes.join(", "))
}

/// The structured places: prefecture and city (`東京都`, `中央区`), in Japan.
fn locations(job: &Map<String, Value>) -> Vec<RawLocation> {
    let mut places: Vec<RawLocation> = Vec::new();
    for place in job
        .get("jobLocations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let prefecture = json_str(place.get("prefName"));
        let city = json_str(place.get("cityName"));
        if prefecture.is_none() && city.is_none() {
            continue;
        }
        // Japanese order, prefecture first, as the page writes it.
        let raw = [&prefecture, &city]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect::<String>();
        let location = RawLocation {
            raw,
            city,
            region: prefecture,
            country: Some("JP".to_owned()),
        };
        if !places.contains(&location) {
            places.push(location);
        }
    }
    places
}

/// The workplace word of `jobRemoteworkType` (`FULL_REMOTEWORK`, `HYBRID_REMOTEWORK`).
fn workplace(job: &Map<String, Value>) -> Option<String> {
    let code = json_str(job.get("jobRemoteworkType"))?.to_ascii_uppercase();
    let word = if code.contains("HYBRID") {
        "hybrid"
    } else if code.contains("FULL") && code.contains("REMOTE") {
        "remote"
    } else {
        return None;
    };
    Some(word.to_owned())
}

/// Pay in yen: `salary.minimum`/`maximum` and its `period` (`ANNUAL`, `MONTHLY`, `HOURLY`...).
fn salary(job: &Map<String, Value>) -> Option<RawSalary> {
    let salary = job.get("salary")?;
    let bound = |key: &str| json_f64(salary.get(key)).filter(|amount| *amount > 0.0);
    let (min, max) = (bound("minimum"), bound("maximum"));
    (min.is_some() || max.is_some()).then(|| RawSalary {
        min,
        max,
        currency: Some(CURRENCY.to_owned()),
        period: json_str(salary.get("period")),
    })
}

fn roles(job: &Map<String, Value>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for role in job
        .get("jobRoles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for key in ["name", "parentJobRoleName"] {
            if let Some(name) = json_str(role.get(key))
                && !tags.contains(&name)
            {
                tags.push(name);
            }
        }
    }
    tags
}

/// The job's texts as its page lays them out: the catch line (`title`, when it is not the
/// name), then each section under its heading; the pay text sits under `給与`.
fn description(job: &Map<String, Value>, name: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(catch_line) = json_str(job.get("title")).filter(|t| t != name) {
        parts.push(catch_line);
    }
    let pay = json_str(job.get("salary").and_then(|s| s.get("text")));
    for (key, heading) in SECTIONS {
        // The pay comes after the wanted person, as on the page.
        if *key == "location"
            && let Some(pay) = &pay
        {
            parts.push(format!("給与\n{pay}"));
        }
        if let Some(text) = json_str(job.get(*key)) {
            parts.push(format!("{heading}\n{text}"));
        }
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPANY: &str = include_str!("../../testdata/corpus/herp/company_rsp.json");
    const SPARSE: &str = include_str!("../../testdata/corpus/herp/company_sparse_rsp.json");
    const JOBS: &str = include_str!("../../testdata/corpus/herp/jobs_rsp.json");
    const NOT_FOUND: &str = include_str!("../../testdata/corpus/herp/company_not_found_rsp.json");

    fn run(body: &str, url: &str) -> Result<Extraction, ParseError> {
        let url = Url::parse(url).unwrap();
        extract(body, DocumentContext { url: Some(&url) })
    }

    fn by_id<'a>(extraction: &'a Extraction, id: &str) -> &'a RawPosting {
        extraction
            .postings
            .iter()
            .find(|p| p.external_id.as_deref() == Some(id))
            .unwrap()
    }

    #[test]
    fn a_company_gives_every_job_with_its_page_places_pay_and_texts() {
        let extraction = run(
            COMPANY,
            "https://herp.careers/careers/api/v1/companies/notainc",
        )
        .unwrap();
        assert_eq!(extraction.postings.len(), 51);
        assert_eq!(extraction.skipped, 0);
        let sales = by_id(&extraction, "ZluM2laebsdh");
        assert_eq!(sales.title.as_deref(), Some("100｜インサイドセールス"));
        assert_eq!(
            sales.url.as_deref(),
            Some("https://herp.careers/v1/notainc/ZluM2laebsdh")
        );
        assert_eq!(sales.company_name.as_deref(), Some("株式会社Helpfeel"));
        assert_eq!(
            sales.company_url.as_deref(),
            Some("https://corp.helpfeel.com/ja/home")
        );
        assert_eq!(sales.workplace_hints, ["remote"]);
        assert_eq!(
            sales.locations,
            [
                RawLocation {
                    raw: "東京都中央区".into(),
                    city: Some("中央区".into()),
                    region: Some("東京都".into()),
                    country: Some("JP".into()),
                },
                RawLocation {
                    raw: "京都府".into(),
                    city: None,
                    region: Some("京都府".into()),
                    country: Some("JP".into()),
                },
            ]
        );
        assert_eq!(
            sales.salary,
            Some(RawSalary {
                min: Some(4_000_000.0),
                max: None,
                currency: Some("JPY".into()),
                period: Some("ANNUAL".into()),
            })
        );
        assert!(sales.salary_text.as_deref().unwrap().contains("400万"));
        assert_eq!(
            sales.employment_types,
            ["FULL_TIME", "正社員（期間の定めなし）"]
        );
        assert_eq!(
            sales.posted_at,
            Some(RawDate::Text("2026-02-03T07:50:41.000Z".into()))
        );
        assert_eq!(sales.tags, ["インサイドセールス", "セールス・事業開発"]);
        let text = sales.description_text.as_deref().unwrap();
        assert!(text.starts_with("仕事概要\n【募集背景】"), "{text}");
        assert!(text.contains("\n\n必須スキル\n・法人に対する新規営業経験1年以上"));
        assert!(text.contains("\n\n給与\n・未経験の場合400万"));
        assert!(text.contains("\n\n福利厚生\n"));
        assert_eq!(sales.detail_url, None, "the job comes whole");
    }

    #[test]
    fn remote_work_codes_are_remote_or_hybrid_and_null_says_nothing() {
        let extraction = run(
            COMPANY,
            "https://herp.careers/careers/api/v1/companies/notainc",
        )
        .unwrap();
        let count = |hint: &[&str]| {
            extraction
                .postings
                .iter()
                .filter(|p| p.workplace_hints == hint)
                .count()
        };
        assert_eq!(count(&["remote"]), 45);
        assert_eq!(count(&["hybrid"]), 5);
        assert_eq!(count(&[]), 1);
    }

    #[test]
    fn a_sparse_company_keeps_the_catch_line_and_hourly_pay() {
        let extraction = run(
            SPARSE,
            "https://herp.careers/careers/api/v1/companies/resmahr",
        )
        .unwrap();
        assert_eq!(extraction.postings.len(), 7);
        let engineer = extraction
            .postings
            .iter()
            .find(|p| p.title.as_deref() == Some("AI駆動開発エンジニア（副業・業務委託）"))
            .unwrap();
        let text = engineer.description_text.as_deref().unwrap();
        assert!(text.starts_with("【副業／業務委託】Webアプリケーションエンジニア\n\n"));
        assert_eq!(engineer.salary, None, "a pay text without bounds");
        assert!(engineer.salary_text.is_some());
        let hourly = extraction
            .postings
            .iter()
            .find(|p| p.salary.as_ref().and_then(|s| s.period.as_deref()) == Some("HOURLY"))
            .unwrap();
        assert_eq!(hourly.salary.as_ref().unwrap().min, Some(1500.0));
        assert!(
            extraction
                .postings
                .iter()
                .all(|p| p.workplace_hints.is_empty())
        );
    }

    #[test]
    fn a_jobs_api_page_gives_each_companys_jobs_under_that_company() {
        let extraction = run(
            JOBS,
            "https://herp.careers/careers/api/v1/jobs?page=1&limit=2",
        )
        .unwrap();
        assert_eq!(extraction.postings.len(), 4);
        let analytics = by_id(&extraction, "i3jT6wNu2_Ym");
        assert_eq!(
            analytics.url.as_deref(),
            Some("https://herp.careers/v1/notainc/i3jT6wNu2_Ym")
        );
        assert_eq!(analytics.company_name.as_deref(), Some("株式会社Helpfeel"));
        let builder = by_id(&extraction, "U3ruFi-tkswY");
        assert_eq!(
            builder.url.as_deref(),
            Some("https://herp.careers/v1/algomatic/U3ruFi-tkswY")
        );
        assert_eq!(builder.company_name.as_deref(), Some("株式会社Algomatic"));
        assert_eq!(builder.workplace_hints, ["hybrid"]);
    }

    #[test]
    fn an_unknown_company_is_an_error_that_says_so() {
        let error = run(
            NOT_FOUND,
            "https://herp.careers/careers/api/v1/companies/this-company-does-not-exist-xyz",
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("no company of that name"), "{error}");
    }

    #[test]
    fn closed_jobs_and_jobs_without_name_or_slug_are_skipped() {
        let body = r#"{"company": {"companyName": "A", "jobs": [
            {"id": "1", "name": "Open", "isApplicable": true},
            {"id": "2", "name": "Closed", "isApplicable": false},
            {"id": "3", "name": null, "title": ""},
            {"name": "No id"}, 5]}}"#;
        let extraction = run(body, "https://herp.careers/careers/api/v1/companies/a-inc").unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 4);
        assert_eq!(
            extraction.postings[0].url.as_deref(),
            Some("https://herp.careers/v1/a-inc/1"),
            "the slug of the address stands in for a missing one"
        );
        let without_slug = extract(body, DocumentContext::default()).unwrap();
        assert!(without_slug.postings.is_empty());
    }

    #[test]
    fn documents_are_recognised_by_their_shape() {
        let object = |body: &str| -> Map<String, Value> { serde_json::from_str(body).unwrap() };
        assert!(is_document(&object(COMPANY)));
        assert!(is_document(&object(SPARSE)));
        assert!(is_document(&object(JOBS)));
        assert!(!is_document(&object(NOT_FOUND)));
        assert!(!is_document(&object(r#"{"company": {"name": "x"}}"#)));
        assert!(!is_document(&object(r#"{"companies": [{"name": "x"}]}"#)));
    }

    #[test]
    fn other_shapes_are_malformed() {
        for body in ["[]", r#"{"jobs": []}"#, r#"{"company": []}"#, "not json"] {
            assert!(
                run(body, "https://herp.careers/careers/api/v1/companies/x").is_err(),
                "{body}"
            );
        }
    }
}
