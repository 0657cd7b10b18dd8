//! Extractor for Rippling's job board API: a board's jobs (v1: a bare array with one row per
//! job and location; v2 on `ats.rippling.com`: pages of `items` with their `locations`), and
//! one job's detail (`/jobs/{uuid}`) with its description, locations and pay bands.

use std::collections::HashMap;

use serde_json::{Map, Value};
use url::Url;

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, RawSalary, json_f64, json_str,
    parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Rippling;

/// Extracts the postings of one Rippling list page or job detail.
///
/// A list gives one row per job and location: the rows of one job (same `uuid`, or `id` in
/// v2) become one posting with every location, in the order first seen. List rows carry no
/// description, so each posting names its detail, the list's address (without its query)
/// followed by `/{uuid}`, in `detail_url` (without a list address it names none and is sent
/// as is). The company is the board's slug (the list names none).
///
/// A detail gives the posting with its `workLocations`, the description's company and role
/// parts (HTML), `createdOn`, the employment type (`id` is the tenant's label, `label` the
/// code), the company name, and pay from `payRangeDetails`: the bands of the first band's
/// currency and frequency, from the lowest start to the highest end. Its `jsonLd`, when
/// given, fills what the rest lacks.
///
/// Errors: invalid JSON, the API's `error_code` answer (an unknown board: `RESOURCE_NOT_FOUND`),
/// its `{"ok": false}` answer (an unknown or malformed job id), or another shape.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let doc = parse_json(body, KIND)?;
    match &doc {
        Value::Array(rows) => Ok(list(rows, ctx.url)),
        Value::Object(object) => {
            if let Some(refusal) = refusal(object) {
                return Err(malformed(&refusal));
            }
            if let Some(items) = object.get("items").and_then(Value::as_array) {
                return Ok(list(items, ctx.url));
            }
            if !is_detail(object) {
                return Err(malformed(
                    "expected a list of jobs, a page of `items`, or a job with its `uuid`",
                ));
            }
            let mut out = Extraction::default();
            match detail(object) {
                Some(posting) => out.postings.push(posting),
                None => out.skipped = 1,
            }
            Ok(out)
        }
        _ => Err(malformed("expected a list of jobs or one job")),
    }
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether a list's first row is a Rippling v1 job row (for `auto`): a `uuid` and its
/// `workLocation`.
pub(crate) fn is_list_row(row: &Map<String, Value>) -> bool {
    row.contains_key("uuid") && row.contains_key("workLocation")
}

/// Whether an object is a Rippling document (for `auto`): a job detail, or a v2 page whose
/// first item has `locations` and a posting address on `rippling.com`.
pub(crate) fn is_document(object: &Map<String, Value>) -> bool {
    if is_detail(object) {
        return true;
    }
    let Some(first) = object
        .get("items")
        .and_then(Value::as_array)
        .and_then(|items| items.first())
        .and_then(Value::as_object)
    else {
        return false;
    };
    first.get("locations").is_some_and(Value::is_array)
        && json_str(first.get("url"))
            .and_then(|url| Url::parse(&url).ok())
            .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
            .is_some_and(|host| host == "rippling.com" || host.ends_with(".rippling.com"))
}

fn is_detail(object: &Map<String, Value>) -> bool {
    object.contains_key("uuid")
        && (object.contains_key("workLocations") || object.contains_key("payRangeDetails"))
}

/// What the API's error answers say: `{"error_code", "message"}` (board) and
/// `{"ok": false, "error"}` (job).
fn refusal(object: &Map<String, Value>) -> Option<String> {
    if let Some(code) = json_str(object.get("error_code")) {
        let message = json_str(object.get("message")).unwrap_or_else(|| "no message".into());
        return Some(format!("the API answered {code}: {message}"));
    }
    if object.get("ok").and_then(Value::as_bool) == Some(false) {
        let reason = json_str(object.get("error")).unwrap_or_else(|| "no reason given".into());
        return Some(format!(
            "the API refused the request: {reason} (an unknown or malformed job id)"
        ));
    }
    None
}

/// The postings of a list, the rows of one job merged.
fn list(rows: &[Value], base: Option<&Url>) -> Extraction {
    let mut out = Extraction::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let Some(row) = row.as_object() else {
            out.skipped += 1;
            continue;
        };
        let Some(posting) = list_posting(row, base) else {
            out.skipped += 1;
            continue;
        };
        let existing = posting
            .external_id
            .as_ref()
            .and_then(|id| index.get(id))
            .and_then(|at| out.postings.get_mut(*at));
        match existing {
            Some(job) => merge(job, posting),
            None => {
                if let Some(id) = &posting.external_id {
                    index.insert(id.clone(), out.postings.len());
                }
                out.postings.push(posting);
            }
        }
    }
    out
}

/// Adds the places and workplace words of another row of the same job.
fn merge(job: &mut RawPosting, row: RawPosting) {
    for place in row.locations {
        if !job.locations.contains(&place) {
            job.locations.push(place);
        }
    }
    for hint in row.workplace_hints {
        if !job.workplace_hints.contains(&hint) {
            job.workplace_hints.push(hint);
        }
    }
}

fn list_posting(row: &Map<String, Value>, base: Option<&Url>) -> Option<RawPosting> {
    let field = |key: &str| json_str(row.get(key));
    let id = field("uuid").or_else(|| field("id"));
    let title = field("name")?;
    let url = field("url").or_else(|| {
        let board = base.and_then(api_board)?;
        Some(format!(
            "https://ats.rippling.com/{board}/jobs/{}",
            id.as_deref()?
        ))
    })?;
    let mut posting = RawPosting {
        title: Some(title),
        company_name: board_of_page(&url).or_else(|| base.and_then(api_board)),
        department: row.get("department").and_then(department),
        detail_url: detail_url(base, id.as_deref()),
        url: Some(url),
        external_id: id,
        ..RawPosting::default()
    };
    // v1: one `workLocation` per row; v2: the item's `locations`.
    if let Some(label) = row.get("workLocation").and_then(label) {
        posting.locations.push(RawLocation::text(label));
    }
    for place in row
        .get("locations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
    {
        if let Some(location) = structured_location(place)
            && !posting.locations.contains(&location)
        {
            posting.locations.push(location);
        }
        if let Some(hint) = json_str(place.get("workplaceType")).and_then(|t| workplace_word(&t))
            && !posting.workplace_hints.iter().any(|h| h == hint)
        {
            posting.workplace_hints.push(hint.to_owned());
        }
    }
    Some(posting)
}

/// The detail of a job listed at `base` (a list address ending in `/jobs`): `{base}/{id}`.
fn detail_url(base: Option<&Url>, id: Option<&str>) -> Option<String> {
    let (base, id) = (base?, id?);
    if !base.path().trim_end_matches('/').ends_with("/jobs") {
        return None;
    }
    let mut detail = base.clone();
    detail.set_query(None);
    detail.set_fragment(None);
    detail.path_segments_mut().ok()?.pop_if_empty().push(id);
    Some(detail.to_string())
}

/// The board of an API address (`…/board/{board}/jobs…`).
fn api_board(url: &Url) -> Option<String> {
    let mut segments = url.path_segments()?;
    segments.find(|s| *s == "board")?;
    segments.next().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The board of a posting page (`https://ats.rippling.com[/{locale}]/{board}/jobs/{id}`):
/// the segment before `jobs`.
fn board_of_page(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    let segments: Vec<&str> = url.path_segments()?.collect();
    let at = segments.iter().position(|s| *s == "jobs")?;
    let board = segments.get(at.checked_sub(1)?)?;
    (!board.is_empty()).then(|| (*board).to_owned())
}

/// A `{label, id}` pair's label (or its `name`, or a plain string).
fn label(value: &Value) -> Option<String> {
    match value {
        Value::Object(pair) => json_str(pair.get("label")).or_else(|| json_str(pair.get("name"))),
        other => json_str(Some(other)),
    }
}

/// A department: a list's `{label, id}` or `{name}`, or a detail's `{name, base_department,
/// department_tree}` (its leaf `name`).
fn department(value: &Value) -> Option<String> {
    label(value)
}

/// A v2 location: `name`, with its `city`, `state` and country code (or name).
fn structured_location(place: &Map<String, Value>) -> Option<RawLocation> {
    let part = |key: &str| json_str(place.get(key));
    RawLocation::from_parts(
        part("name"),
        part("city"),
        part("state"),
        part("countryCode").or_else(|| part("country")),
    )
}

/// The workplace word of a v2 `workplaceType` (`REMOTE`, `HYBRID`, `ON_SITE`).
fn workplace_word(kind: &str) -> Option<&'static str> {
    match kind.to_ascii_uppercase().replace(['-', ' '], "_").as_str() {
        "REMOTE" => Some("remote"),
        "HYBRID" => Some("hybrid"),
        "ON_SITE" | "ONSITE" | "IN_OFFICE" => Some("onsite"),
        _ => None,
    }
}

fn detail(job: &Map<String, Value>) -> Option<RawPosting> {
    let field = |key: &str| json_str(job.get(key));
    let board = job.get("board");
    let mut posting = RawPosting {
        external_id: field("uuid"),
        url: field("url"),
        title: field("name"),
        company_name: field("companyName")
            .or_else(|| json_str(board.and_then(|b| b.get("companyName"))))
            .or_else(|| json_str(board.and_then(|b| b.get("title")))),
        department: job.get("department").and_then(department),
        locations: job
            .get("workLocations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(label)
            .map(RawLocation::text)
            .collect(),
        employment_types: ["id", "label"]
            .iter()
            .filter_map(|key| json_str(job.get("employmentType").and_then(|t| t.get(*key))))
            .collect(),
        salary: job.get("payRangeDetails").and_then(pay),
        description_html: job.get("description").and_then(description),
        posted_at: field("createdOn").map(RawDate::Text),
        ..RawPosting::default()
    };
    posting.locations.dedup();
    if let Some(ld) = job.get("jsonLd").and_then(Value::as_object) {
        fill_from_json_ld(&mut posting, ld);
    }
    (posting.title.is_some() && posting.url.is_some()).then_some(posting)
}

/// What the job's schema.org `JobPosting` adds to the rest: the fields the rest lacks.
fn fill_from_json_ld(posting: &mut RawPosting, ld: &Map<String, Value>) {
    let extra = super::jsonld::posting_from_node(ld);
    posting.url = posting.url.take().or(extra.url);
    posting.title = posting.title.take().or(extra.title);
    posting.description_html = posting.description_html.take().or(extra.description_html);
    posting.posted_at = posting.posted_at.take().or(extra.posted_at);
    posting.valid_through = posting.valid_through.take().or(extra.valid_through);
    posting.salary = posting.salary.take().or(extra.salary);
    if posting.workplace_hints.is_empty() {
        posting.workplace_hints = extra.workplace_hints;
    }
    if posting.remote_regions.is_empty() {
        posting.remote_regions = extra.remote_regions;
    }
    if posting.locations.is_empty() {
        posting.locations = extra.locations;
    }
}

/// The description: its `company` part and its `role` part (HTML), in that order, as the
/// board's page shows them; a plain string as is.
fn description(value: &Value) -> Option<String> {
    if let Some(html) = json_str(Some(value)) {
        return Some(html);
    }
    let parts: Vec<String> = ["company", "role"]
        .iter()
        .filter_map(|key| json_str(value.get(*key)))
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}

/// Pay from the pay-transparency bands (`currency`, `frequency`, `rangeStart`, `rangeEnd`):
/// the bands of the first usable band's currency and frequency, lowest start to highest end.
fn pay(bands: &Value) -> Option<RawSalary> {
    let bands: Vec<RawSalary> = bands
        .as_array()?
        .iter()
        .map(|band| {
            let amount = |key: &str| json_f64(band.get(key)).filter(|a| *a > 0.0);
            RawSalary {
                min: amount("rangeStart"),
                max: amount("rangeEnd"),
                currency: json_str(band.get("currency")),
                period: json_str(band.get("frequency")),
            }
        })
        .filter(|band| band.min.is_some() || band.max.is_some())
        .collect();
    let first = bands.first()?;
    let same = || {
        bands
            .iter()
            .filter(|band| band.currency == first.currency && band.period == first.period)
    };
    Some(RawSalary {
        min: same().filter_map(|band| band.min).reduce(f64::min),
        max: same().filter_map(|band| band.max).reduce(f64::max),
        currency: first.currency.clone(),
        period: first.period.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOBS: &str = include_str!("../../testdata/corpus/rippling/jobs_rsp.json");
    const DETAIL: &str = include_str!("../../testdata/corpus/rippling/job_detail_rsp.json");
    const UNKNOWN_BOARD: &str =
        include_str!("../../testdata/corpus/rippling/jobs_unknown_board_rsp.json");
    const NOT_FOUND: &str = include_str!("../../testdata/corpus/rippling/job_not_found_rsp.json");

    const LIST_URL: &str = "https://api.rippling.com/platform/api/ats/v1/board/pythian/jobs";

    fn run(body: &str, url: &str) -> Result<Extraction, ParseError> {
        let url = Url::parse(url).unwrap();
        extract(body, DocumentContext { url: Some(&url) })
    }

    fn texts(posting: &RawPosting) -> Vec<&str> {
        posting.locations.iter().map(|l| l.raw.as_str()).collect()
    }

    #[test]
    fn the_rows_of_one_job_become_one_posting_with_every_location() {
        let extraction = run(JOBS, LIST_URL).unwrap();
        assert_eq!(extraction.postings.len(), 12, "33 rows, 12 jobs");
        assert_eq!(extraction.skipped, 0);
        let devops = &extraction.postings[0];
        let uuid = "144f31c4-38a4-4666-97b4-2c88a3f123da";
        assert_eq!(devops.external_id.as_deref(), Some(uuid));
        assert_eq!(devops.title.as_deref(), Some("DevOps Engineer"));
        assert_eq!(
            devops.url.as_deref(),
            Some("https://ats.rippling.com/pythian/jobs/144f31c4-38a4-4666-97b4-2c88a3f123da")
        );
        assert_eq!(
            texts(devops),
            ["Poland", "Spain", "Romania", "India", "United Kingdom"]
        );
        assert_eq!(devops.department.as_deref(), Some("Managed Services"));
        assert_eq!(devops.company_name.as_deref(), Some("pythian"));
        assert_eq!(
            devops.detail_url.as_deref(),
            Some(&*format!("{LIST_URL}/{uuid}"))
        );
        assert_eq!(devops.description_html, None);
        // The same title under another uuid is another job.
        let other = &extraction.postings[1];
        assert_eq!(other.title.as_deref(), Some("DevOps Engineer"));
        assert_eq!(texts(other), ["India"]);
        let sales = extraction
            .postings
            .iter()
            .find(|p| p.title.as_deref() == Some("Senior Sales Executive"))
            .unwrap();
        assert_eq!(sales.locations.len(), 7);
    }

    #[test]
    fn a_detail_gives_the_posting_with_all_its_locations_and_its_description() {
        let url = format!("{LIST_URL}/144f31c4-38a4-4666-97b4-2c88a3f123da");
        let extraction = run(DETAIL, &url).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        let job = &extraction.postings[0];
        assert_eq!(
            job.external_id.as_deref(),
            Some("144f31c4-38a4-4666-97b4-2c88a3f123da")
        );
        assert_eq!(job.title.as_deref(), Some("DevOps Engineer"));
        assert_eq!(
            texts(job),
            ["India", "United Kingdom", "Poland", "Spain", "Romania"]
        );
        assert_eq!(job.company_name.as_deref(), Some("Pythian"));
        assert_eq!(job.department.as_deref(), Some("SRE"));
        assert_eq!(
            job.employment_types,
            ["Employee (Full-Time)", "SALARIED_FT"]
        );
        assert_eq!(
            job.posted_at,
            Some(RawDate::Text("2026-06-25T09:07:41.686000-07:00".into()))
        );
        assert_eq!(job.salary, None, "no pay band");
        assert_eq!(job.detail_url, None);
        let html = job.description_html.as_deref().unwrap();
        assert!(html.contains("Why Pythian"), "the company part");
        assert!(html.len() > 20_000, "and the role part");
    }

    #[test]
    fn pay_bands_of_one_currency_and_frequency_span_from_lowest_to_highest() {
        let body = r#"{"uuid": "u", "name": "Engineer", "url": "https://ats.rippling.com/a/jobs/u",
            "workLocations": ["Remote (United States)"],
            "payRangeDetails": [
              {"location": "Tier 1", "currency": "USD", "frequency": "YEAR",
               "rangeStart": 150000, "rangeEnd": 180000, "isRemote": false},
              {"location": "Tier 2", "currency": "USD", "frequency": "YEAR",
               "rangeStart": 135000, "rangeEnd": 162000, "isRemote": true},
              {"location": "UK", "currency": "GBP", "frequency": "YEAR",
               "rangeStart": 90000, "rangeEnd": 100000}]}"#;
        let job = &run(body, "https://api.rippling.com/x").unwrap().postings[0];
        assert_eq!(
            job.salary,
            Some(RawSalary {
                min: Some(135000.0),
                max: Some(180000.0),
                currency: Some("USD".into()),
                period: Some("YEAR".into()),
            })
        );
        let none = r#"{"uuid": "u", "name": "E", "url": "https://x.example/u",
            "payRangeDetails": [{"currency": "USD", "rangeStart": 0, "rangeEnd": null}]}"#;
        assert_eq!(
            run(none, "https://api.rippling.com/x").unwrap().postings[0].salary,
            None
        );
    }

    #[test]
    fn a_detail_takes_what_it_lacks_from_its_json_ld() {
        let body = r#"{"uuid": "u", "name": "Engineer", "url": "https://ats.rippling.com/a/jobs/u",
            "workLocations": [], "payRangeDetails": [],
            "jsonLd": {"@type": "JobPosting", "title": "Engineer", "datePosted": "2026-05-01",
              "jobLocationType": "TELECOMMUTE", "validThrough": "2026-09-01"}}"#;
        let job = &run(body, "https://api.rippling.com/x").unwrap().postings[0];
        assert_eq!(job.posted_at, Some(RawDate::Text("2026-05-01".into())));
        assert_eq!(job.valid_through, Some(RawDate::Text("2026-09-01".into())));
        assert_eq!(job.workplace_hints, ["TELECOMMUTE"]);
    }

    #[test]
    fn a_v2_page_merges_items_and_reads_structured_locations_and_workplaces() {
        let body = r#"{"page": 0, "pageSize": 20, "totalItems": 3, "totalPages": 1, "items": [
            {"id": "a1", "name": "Designer", "url": "https://ats.rippling.com/acme/jobs/a1",
             "department": {"name": "Design"},
             "locations": [{"name": "New York, NY", "city": "New York", "state": "New York",
               "stateCode": "NY", "country": "United States", "countryCode": "US",
               "workplaceType": "HYBRID"}]},
            {"id": "a1", "name": "Designer", "url": "https://ats.rippling.com/acme/jobs/a1",
             "locations": [{"name": "Remote (US)", "country": "United States",
               "countryCode": "US", "workplaceType": "REMOTE"}]},
            {"id": "b2", "name": "Writer", "url": "https://ats.rippling.com/acme/jobs/b2",
             "locations": []}]}"#;
        let url = "https://ats.rippling.com/api/v2/board/acme/jobs?page=0&pageSize=20";
        let extraction = run(body, url).unwrap();
        assert_eq!(extraction.postings.len(), 2);
        let designer = &extraction.postings[0];
        assert_eq!(designer.department.as_deref(), Some("Design"));
        assert_eq!(
            designer.locations[0],
            RawLocation {
                raw: "New York, NY".into(),
                city: Some("New York".into()),
                region: Some("New York".into()),
                country: Some("US".into()),
            }
        );
        assert_eq!(texts(designer), ["New York, NY", "Remote (US)"]);
        assert_eq!(designer.workplace_hints, ["hybrid", "remote"]);
        assert_eq!(
            designer.detail_url.as_deref(),
            Some("https://ats.rippling.com/api/v2/board/acme/jobs/a1")
        );
        assert_eq!(designer.company_name.as_deref(), Some("acme"));
    }

    #[test]
    fn the_apis_error_answers_are_errors_that_say_why() {
        let board = run(UNKNOWN_BOARD, LIST_URL).unwrap_err().to_string();
        assert!(board.contains("RESOURCE_NOT_FOUND"), "{board}");
        assert!(board.contains("Job Board not found"), "{board}");
        let job = run(NOT_FOUND, &format!("{LIST_URL}/1b2c3d4e"))
            .unwrap_err()
            .to_string();
        assert!(job.contains("unknown or malformed job id"), "{job}");
    }

    #[test]
    fn rows_without_a_name_are_skipped_and_without_a_list_address_name_no_detail() {
        let body = r#"[{"uuid": "1", "name": "A", "url": "https://ats.rippling.com/b/jobs/1"},
            {"uuid": "2", "url": "https://ats.rippling.com/b/jobs/2"}, 3]"#;
        let extraction = extract(body, DocumentContext::default()).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 2);
        assert_eq!(extraction.postings[0].detail_url, None);
        // Without its own URL a row's page is built from the board of the list's address.
        let bare = r#"[{"uuid": "9", "name": "B"}]"#;
        let posting = &run(bare, LIST_URL).unwrap().postings[0];
        assert_eq!(
            posting.url.as_deref(),
            Some("https://ats.rippling.com/pythian/jobs/9")
        );
    }

    #[test]
    fn documents_are_recognised_by_their_shape() {
        let object = |body: &str| -> Map<String, Value> { serde_json::from_str(body).unwrap() };
        let rows: Vec<Map<String, Value>> = serde_json::from_str(JOBS).unwrap();
        assert!(is_list_row(&rows[0]));
        assert!(is_document(&object(DETAIL)));
        assert!(!is_document(&object(UNKNOWN_BOARD)));
        assert!(!is_document(&object(NOT_FOUND)));
        let feed = r#"{"items": [{"id": "1", "url": "https://blog.example/1", "locations": []}]}"#;
        assert!(!is_document(&object(feed)));
    }

    #[test]
    fn other_shapes_are_malformed() {
        for body in [r#"{"jobs": []}"#, r#"{"uuid": "x"}"#, "12", "not json"] {
            assert!(run(body, LIST_URL).is_err(), "{body}");
        }
        assert_eq!(run("[]", LIST_URL).unwrap(), Extraction::default());
    }
}
