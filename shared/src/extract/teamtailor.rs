//! Extractor for Teamtailor career sites' `jobs.json`: a JSON Feed (jsonfeed.org) whose items
//! each embed the job's schema.org `JobPosting` under `_jobposting`.

use serde_json::{Map, Value};

use super::{
    DocumentContext, Extraction, RawDate, RawPosting, collect_postings, json_str, parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Teamtailor;

/// The JSON Feed version addresses start so (`https://jsonfeed.org/version/1.1`).
const JSON_FEED_VERSION: &str = "https://jsonfeed.org/version/";

/// Extracts the postings of one Teamtailor `jobs.json` page.
///
/// Each item's `_jobposting` is read with the JSON-LD mapping (title, description, date,
/// places, pay, company, workplace); the feed item fills what it lacks: the public page
/// (`url`), `title`, `content_html`, `date_published`, and the feed's `title` (the company)
/// for the company. The id is the posting's `identifier` (Teamtailor's job number), else the
/// item's `id`. Null fields and items without places are read as far as they go; an item
/// without a title or a URL is skipped and counted. A feed without items is `Ok` with none.
///
/// Errors: an empty body (Teamtailor's answer, with a 404, for an unknown company), invalid
/// JSON, or JSON that is not a feed with an `items` list.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    // The items carry absolute addresses; the document's adds nothing.
    let _ = ctx;
    if body.trim().is_empty() {
        return Err(malformed(
            "an empty body (Teamtailor's answer for a company it does not know)",
        ));
    }
    let doc = parse_json(body, KIND)?;
    let Some(items) = doc.get("items").and_then(Value::as_array) else {
        return Err(malformed("expected a JSON Feed with an `items` list"));
    };
    let company = json_str(doc.get("title"));
    Ok(collect_postings(items, |item| {
        posting(item, company.as_deref())
    }))
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether an object is a Teamtailor jobs feed (for `auto`): a JSON Feed whose items embed a
/// `_jobposting`, or one without items whose own address is on `teamtailor.com`. Any other
/// JSON Feed (a blog's) is not.
pub(crate) fn is_feed(object: &Map<String, Value>) -> bool {
    let is_json_feed = object
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|version| version.starts_with(JSON_FEED_VERSION));
    let Some(items) = object.get("items").and_then(Value::as_array) else {
        return false;
    };
    if !is_json_feed {
        return false;
    }
    if items.is_empty() {
        return ["feed_url", "home_page_url"].iter().any(|key| {
            json_str(object.get(*key))
                .and_then(|address| url::Url::parse(&address).ok())
                .and_then(|address| address.host_str().map(str::to_ascii_lowercase))
                .is_some_and(|host| host.ends_with(".teamtailor.com"))
        });
    }
    items
        .iter()
        .any(|item| item.get("_jobposting").is_some_and(Value::is_object))
}

fn posting(item: &Map<String, Value>, feed_company: Option<&str>) -> Option<RawPosting> {
    let field = |key: &str| json_str(item.get(key));
    let mut posting = item
        .get("_jobposting")
        .and_then(Value::as_object)
        .map(super::jsonld::posting_from_node)
        .unwrap_or_default();
    // The item's `url` is the job's page on the career site; the posting names none.
    posting.url = field("url").or(posting.url);
    posting.title = posting.title.or_else(|| field("title"));
    if posting.url.is_none() || posting.title.is_none() {
        return None;
    }
    posting.external_id = posting.external_id.or_else(|| field("id"));
    posting.description_html = posting.description_html.or_else(|| field("content_html"));
    posting.posted_at = posting
        .posted_at
        .or_else(|| field("date_published").map(RawDate::Text));
    posting.company_name = posting
        .company_name
        .or_else(|| feed_company.map(str::to_owned));
    posting.tags.extend(
        item.get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|tag| json_str(Some(tag))),
    );
    Some(posting)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{RawLocation, RawSalary};

    const NULLS: &str = include_str!("../../testdata/corpus/teamtailor/jobs_nulls_rsp.json");
    const MISSING_LOCATION: &str =
        include_str!("../../testdata/corpus/teamtailor/jobs_missing_location_rsp.json");
    const UNKNOWN_COMPANY: &str =
        include_str!("../../testdata/corpus/teamtailor/jobs_unknown_company_rsp.json");

    fn run(body: &str) -> Result<Extraction, ParseError> {
        extract(body, DocumentContext::default())
    }

    #[test]
    fn an_item_is_read_from_its_job_posting_with_null_parts_left_out() {
        let extraction = run(NULLS).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 0);
        let job = &extraction.postings[0];
        assert_eq!(job.title.as_deref(), Some("Business & Finance Manager"));
        assert_eq!(
            job.url.as_deref(),
            Some("https://tiptapp.teamtailor.com/jobs/7939271-business-finance-manager")
        );
        assert_eq!(job.external_id.as_deref(), Some("7939271"));
        assert_eq!(job.company_name.as_deref(), Some("Tiptapp"));
        assert_eq!(
            job.posted_at,
            Some(RawDate::Text("2026-06-18T17:11:27+02:00".into()))
        );
        assert_eq!(job.locations.len(), 1);
        let RawLocation {
            city,
            region,
            country,
            ..
        } = &job.locations[0];
        assert_eq!(city.as_deref(), Some("Stockholm"));
        assert_eq!(region.as_deref(), None, "a null region is no region");
        assert_eq!(country.as_deref(), Some("SE"));
        assert!(
            job.description_html
                .as_deref()
                .is_some_and(|d| d.contains("Stockholm (hybrid)"))
        );
    }

    #[test]
    fn an_item_without_a_place_still_gives_its_posting_and_pay_is_structured() {
        let extraction = run(MISSING_LOCATION).unwrap();
        assert_eq!(extraction.postings.len(), 2);
        let nationwide = &extraction.postings[0];
        assert!(nationwide.locations.is_empty());
        assert_eq!(
            nationwide.company_name.as_deref(),
            Some("Carr Talent Acquisition")
        );
        assert_eq!(nationwide.external_id.as_deref(), Some("661904"));
        let buyer = &extraction.postings[1];
        assert_eq!(buyer.title.as_deref(), Some("Home Buying Specialist"));
        assert_eq!(
            buyer.salary,
            Some(RawSalary {
                min: Some(120000.0),
                max: Some(130000.0),
                currency: Some("USD".into()),
                period: Some("YEAR".into()),
            })
        );
        assert_eq!(buyer.locations[0].city.as_deref(), Some("Miami"));
        assert_eq!(buyer.locations[0].country.as_deref(), Some("US"));
    }

    #[test]
    fn an_unknown_companys_empty_answer_is_an_error_that_says_so() {
        let error = run(UNKNOWN_COMPANY).unwrap_err().to_string();
        assert!(error.contains("empty body"), "{error}");
    }

    #[test]
    fn the_feed_item_fills_what_the_posting_lacks_and_items_without_title_or_url_are_skipped() {
        let body = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Acme",
            "items": [
              {"id": "u-1", "url": "https://acme.teamtailor.com/jobs/1-dev", "title": "Dev",
               "content_html": "<p>Build</p>", "date_published": "2026-01-02T03:04:05Z",
               "tags": ["Rust", null], "_jobposting": null},
              {"id": "u-2", "title": "No address", "_jobposting": {"title": "No address"}},
              {"id": "u-3", "url": "https://acme.teamtailor.com/jobs/3-x", "title": null},
              null
            ]}"#;
        let extraction = run(body).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 3);
        let dev = &extraction.postings[0];
        assert_eq!(dev.external_id.as_deref(), Some("u-1"));
        assert_eq!(dev.company_name.as_deref(), Some("Acme"));
        assert_eq!(dev.description_html.as_deref(), Some("<p>Build</p>"));
        assert_eq!(
            dev.posted_at,
            Some(RawDate::Text("2026-01-02T03:04:05Z".into()))
        );
        assert_eq!(dev.tags, ["Rust"]);
    }

    #[test]
    fn a_remote_posting_keeps_its_job_location_type() {
        let body = r#"{"version": "https://jsonfeed.org/version/1.1", "items": [
            {"id": "u", "url": "https://a.teamtailor.com/jobs/5-x", "title": "X",
             "_jobposting": {"@type": "JobPosting", "title": "X",
               "jobLocationType": "TELECOMMUTE"}}]}"#;
        let posting = &run(body).unwrap().postings[0];
        assert_eq!(posting.workplace_hints, ["TELECOMMUTE"]);
    }

    #[test]
    fn only_job_feeds_are_teamtailor_feeds() {
        let object = |body: &str| -> Map<String, Value> { serde_json::from_str(body).unwrap() };
        assert!(is_feed(&object(NULLS)));
        assert!(is_feed(&object(MISSING_LOCATION)));
        let empty = r#"{"version": "https://jsonfeed.org/version/1.1",
            "feed_url": "https://acme.teamtailor.com/jobs.json", "items": []}"#;
        assert!(is_feed(&object(empty)));
        let blog = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "A blog",
            "items": [{"id": "1", "url": "https://blog.example/1", "content_html": "<p>Hi</p>"}]}"#;
        assert!(!is_feed(&object(blog)));
        let empty_blog = r#"{"version": "https://jsonfeed.org/version/1",
            "feed_url": "https://blog.example/feed.json", "items": []}"#;
        assert!(!is_feed(&object(empty_blog)));
        assert!(!is_feed(&object(r#"{"items": [{"_jobposting": {}}]}"#)));
    }

    #[test]
    fn other_shapes_are_malformed() {
        for body in ["[]", r#"{"jobs": []}"#, r#"{"items": {}}"#, "not json"] {
            assert!(run(body).is_err(), "{body}");
        }
        assert_eq!(run(r#"{"items": []}"#).unwrap(), Extraction::default());
    }
}
