//! Extractor for Eightfold career sites (the PCSX API under `/api/pcsx/`, on
//! `{tenant}.eightfold.ai` or a company's own host): a search page (`data.positions`, without
//! descriptions) and one position's details (`data` is the position).

use serde_json::{Map, Value};
use url::Url;

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, collect_postings, json_str,
    parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Eightfold;

/// Epoch values at or above this are milliseconds (as seconds they would be past the year
/// 5000); Eightfold sends seconds.
const MILLIS_FROM: i64 = 100_000_000_000;

/// Extracts the postings of one Eightfold API document.
///
/// Both documents wrap their content as `{"status", "error", "data"}`. A search page's
/// positions carry no description: each names its details (`detail_url`, the
/// `position_details` address on the document's host with its `domain`), which the crawl
/// reads. A position's details give exactly one posting. The workplace is the position's
/// `workLocationOption` (`onsite`, `hybrid`, `remote`), the date its `postedTs` (epoch
/// seconds), the public page its `publicUrl` (else `positionUrl`, resolved against the
/// document's host). Tenant-named fields (`efcustomText…`) give employment types (names
/// with `EmploymentType`, `TimeType` or `WorkerSubtype`) and a seniority (`JobLevel`).
///
/// Errors: invalid JSON, the API's refusal (a `status` of 400 or more, or an empty `data`
/// with an error message, as for a position that does not exist), or another shape.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let doc = parse_json(body, KIND)?;
    let Some(object) = doc.as_object() else {
        return Err(malformed(
            "expected an object with `data` (positions or one position)",
        ));
    };
    let message = object
        .get("error")
        .and_then(|e| json_str(e.get("message")).or_else(|| json_str(Some(e))));
    let status = object.get("status").and_then(Value::as_u64);
    if let Some(status) = status.filter(|s| *s >= 400) {
        let reason = message.unwrap_or_else(|| "no reason given".into());
        return Err(malformed(&format!("the API answered {status}: {reason}")));
    }
    // The older API (`/api/apply/v2/jobs`) sends the same records unwrapped.
    let data = match object.get("data") {
        Some(Value::Object(data)) => data,
        Some(_) => return Err(malformed("`data` is not an object")),
        None => object,
    };
    let tenant = ctx.url.map(Tenant::from_url);
    if let Some(positions) = data.get("positions") {
        let Some(positions) = positions.as_array() else {
            return Err(malformed("`positions` is not an array"));
        };
        if !positions.is_empty()
            && !positions
                .iter()
                .any(|p| p.as_object().is_some_and(is_position))
        {
            return Err(malformed(
                "the `positions` items are not Eightfold positions",
            ));
        }
        return Ok(collect_postings(positions, |position| {
            posting(position, tenant.as_ref(), true)
        }));
    }
    if is_position(data) {
        let posting = posting(data, tenant.as_ref(), false);
        return Ok(Extraction {
            skipped: usize::from(posting.is_none()),
            postings: posting.into_iter().collect(),
        });
    }
    match message {
        Some(reason) => Err(malformed(&format!("the API refused the request: {reason}"))),
        None if data.is_empty() => Err(malformed("the answer holds no position (`data` is empty)")),
        None => Err(malformed(
            "expected `data` with `positions` (a search) or a position's fields (its details)",
        )),
    }
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether a value has the fields of an Eightfold position: a `name` and one of its
/// addresses or ids (`positionUrl`, `publicUrl`, `canonicalPositionUrl`, `displayJobId`,
/// `atsJobId`).
fn is_position(value: &Map<String, Value>) -> bool {
    value.contains_key("name")
        && [
            "positionUrl",
            "publicUrl",
            "canonicalPositionUrl",
            "displayJobId",
            "atsJobId",
            "display_job_id",
        ]
        .iter()
        .any(|key| value.contains_key(*key))
}

/// Whether an object is an Eightfold API document (for `auto`): `data` (or, in the older
/// API, the object itself) holds `positions` of Eightfold positions, or is one position.
pub(crate) fn is_document(object: &Map<String, Value>) -> bool {
    let data = object
        .get("data")
        .and_then(Value::as_object)
        .unwrap_or(object);
    match data.get("positions").and_then(Value::as_array) {
        Some(positions) => positions
            .first()
            .and_then(Value::as_object)
            .is_some_and(is_position),
        None => object.contains_key("data") && is_position(data),
    }
}

/// What the document's address says about the tenant.
struct Tenant {
    /// `scheme://host[:port]`, when the address is http(s).
    origin: Option<Url>,
    /// The `domain` parameter (`morganstanley.com`): the tenant on a shared host.
    domain: Option<String>,
    /// The `hl` (language) parameter.
    language: Option<String>,
    /// A company name: the domain's first label, else the host's.
    company: Option<String>,
}

impl Tenant {
    fn from_url(url: &Url) -> Tenant {
        let param = |name: &str| {
            url.query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        let domain = param("domain");
        let origin = matches!(url.scheme(), "http" | "https")
            .then(|| Url::parse(&url.origin().ascii_serialization()).ok())
            .flatten();
        let host_label = url
            .host_str()
            .filter(|host| host.ends_with(".eightfold.ai"))
            .and_then(|host| host.split('.').next())
            .map(str::to_owned);
        let company = domain
            .as_deref()
            .and_then(|d| d.split('.').next())
            .filter(|label| !label.is_empty())
            .map(str::to_owned)
            .or(host_label);
        Tenant {
            origin,
            domain,
            language: param("hl"),
            company,
        }
    }

    /// The `position_details` address of position `id`.
    fn details_url(&self, id: &str) -> Option<String> {
        let mut url = self
            .origin
            .as_ref()?
            .join("/api/pcsx/position_details")
            .ok()?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("position_id", id);
            if let Some(domain) = &self.domain {
                query.append_pair("domain", domain);
            }
            if let Some(language) = &self.language {
                query.append_pair("hl", language);
            }
        }
        Some(url.into())
    }

    /// `address` made absolute against the tenant's host (kept as given without one).
    fn absolute(&self, address: &str) -> String {
        self.origin
            .as_ref()
            .and_then(|origin| origin.join(address).ok())
            .map_or_else(|| address.to_owned(), String::from)
    }
}

/// One position: `listed` is a search result, which names its details when it has no
/// description.
fn posting(
    position: &Map<String, Value>,
    tenant: Option<&Tenant>,
    listed: bool,
) -> Option<RawPosting> {
    let field = |key: &str| json_str(position.get(key));
    let title = field("name")?;
    let page = ["publicUrl", "canonicalPositionUrl", "positionUrl"]
        .iter()
        .find_map(|key| field(key))?;
    let url = match tenant {
        Some(tenant) => tenant.absolute(&page),
        None => page,
    };
    let id = field("id");
    let description = field("jobDescription").or_else(|| field("job_description"));
    let detail_url = if listed && description.is_none() {
        tenant
            .zip(id.as_deref())
            .and_then(|(t, id)| t.details_url(id))
    } else {
        None
    };
    let apply_url = position
        .get("positionUserActions")
        .and_then(|a| a.get("applyAction"))
        .and_then(|a| json_str(a.get("applyUrl")))
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let workplace = field("workLocationOption")
        .or_else(|| field("work_location_option"))
        .map(|w| vec![w])
        .unwrap_or_else(|| custom(position, &["workplacetype"]));
    Some(RawPosting {
        external_id: id,
        url: Some(url),
        apply_url,
        title: Some(title),
        company_name: tenant.and_then(|t| t.company.clone()),
        department: field("department"),
        locations: locations(position),
        workplace_hints: workplace,
        employment_types: custom(
            position,
            &["employmenttype", "timetype", "workersubtype", "workertype"],
        ),
        seniority_hint: custom(position, &["joblevel", "careerlevel"])
            .into_iter()
            .next(),
        description_html: description,
        posted_at: epoch(
            position
                .get("postedTs")
                .or_else(|| position.get("t_create")),
        ),
        detail_url,
        ..RawPosting::default()
    })
}

/// The values of the tenant's own fields (`efcustomText…`) whose name contains one of
/// `words` (lower case); each is a list of texts or one text.
fn custom(position: &Map<String, Value>, words: &[&str]) -> Vec<String> {
    position
        .iter()
        .filter(|(key, _)| {
            let key = key.to_ascii_lowercase();
            key.starts_with("efcustom") && words.iter().any(|w| key.contains(w))
        })
        .flat_map(|(_, value)| match value {
            Value::Array(items) => items.iter().filter_map(|i| json_str(Some(i))).collect(),
            other => json_str(Some(other)).into_iter().collect::<Vec<_>>(),
        })
        .collect()
}

/// The position's places: the display texts of `locations` (`Bengaluru, Karnataka, India`)
/// with the parts of the matching `standardizedLocations` entry (`Bengaluru, KA, IN`: city,
/// region code, country code; or just the country code) when the two lists pair up.
fn locations(position: &Map<String, Value>) -> Vec<RawLocation> {
    let texts: Vec<String> = match position.get("locations") {
        Some(Value::Array(items)) => items.iter().filter_map(|i| json_str(Some(i))).collect(),
        _ => json_str(position.get("location")).into_iter().collect(),
    };
    let standard: Vec<&Value> = position
        .get("standardizedLocations")
        .and_then(Value::as_array)
        .map(|items| items.iter().collect())
        .unwrap_or_default();
    if standard.len() != texts.len() {
        return texts.into_iter().map(RawLocation::text).collect();
    }
    texts
        .into_iter()
        .zip(standard)
        .map(|(raw, parts)| standardized(raw, parts))
        .collect()
}

fn standardized(raw: String, parts: &Value) -> RawLocation {
    if let Value::Object(parts) = parts {
        return RawLocation {
            raw,
            city: json_str(parts.get("city")),
            region: json_str(parts.get("state")).or_else(|| json_str(parts.get("region"))),
            country: json_str(parts.get("country")),
        };
    }
    let text = json_str(Some(parts)).unwrap_or_default();
    let pieces: Vec<&str> = text.split(',').map(str::trim).collect();
    let code = |p: &str| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic())).then(|| p.to_owned())
    };
    match pieces.as_slice() {
        [city, region, country] if !city.is_empty() && !region.is_empty() => RawLocation {
            raw,
            city: Some((*city).to_owned()),
            region: Some((*region).to_owned()),
            country: code(country),
        },
        [.., country] => RawLocation {
            raw,
            country: code(country),
            ..RawLocation::default()
        },
        [] => RawLocation::text(raw),
    }
}

fn epoch(value: Option<&Value>) -> Option<RawDate> {
    let number = value?.as_i64().filter(|n| *n > 0)?;
    Some(if number >= MILLIS_FROM {
        RawDate::EpochMillis(number)
    } else {
        RawDate::EpochSeconds(number)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH: &str = include_str!("../../testdata/corpus/eightfold/search_rsp.json");
    const DETAILS: &str = include_str!("../../testdata/corpus/eightfold/position_details_rsp.json");
    const NOT_FOUND: &str =
        include_str!("../../testdata/corpus/eightfold/position_details_not_found_rsp.json");
    const SEARCH_URL: &str = "https://morganstanley.eightfold.ai/api/pcsx/search?domain=morganstanley.com&query=&location=&start=0";
    const DETAILS_URL: &str = "https://morganstanley.eightfold.ai/api/pcsx/position_details?position_id=549798858854&domain=morganstanley.com&hl=en";

    fn run(body: &str, address: &str) -> Result<Extraction, ParseError> {
        let address = Url::parse(address).unwrap();
        extract(
            body,
            DocumentContext {
                url: Some(&address),
            },
        )
    }

    #[test]
    fn an_eightfold_search_page_gives_each_position_with_its_details_address() {
        let extraction = run(SEARCH, SEARCH_URL).unwrap();
        assert_eq!(extraction.postings.len(), 10);
        assert_eq!(extraction.skipped, 0);
        let first = &extraction.postings[0];
        assert_eq!(
            first.title.as_deref(),
            Some("Vice President - Prin Software Eng")
        );
        assert_eq!(first.external_id.as_deref(), Some("549798858854"));
        assert_eq!(
            first.url.as_deref(),
            Some("https://morganstanley.eightfold.ai/careers/job/549798858854")
        );
        assert_eq!(
            first.detail_url.as_deref(),
            Some(
                "https://morganstanley.eightfold.ai/api/pcsx/position_details?position_id=549798858854&domain=morganstanley.com"
            )
        );
        assert_eq!(first.company_name.as_deref(), Some("morganstanley"));
        assert_eq!(first.department.as_deref(), Some("Software Engineering"));
        assert_eq!(first.workplace_hints, ["hybrid"]);
        assert_eq!(first.posted_at, Some(RawDate::EpochSeconds(1783900800)));
        assert_eq!(first.description_html, None);
        assert_eq!(
            first.locations,
            [RawLocation {
                raw: "Bengaluru, Karnataka, India".into(),
                city: Some("Bengaluru".into()),
                region: Some("KA".into()),
                country: Some("IN".into()),
            }]
        );
        let two_places = &extraction.postings[3];
        assert_eq!(two_places.locations.len(), 2);
        assert_eq!(
            two_places.locations[1].raw,
            "Boston, Massachusetts, United States of America"
        );
        assert_eq!(two_places.locations[1].region.as_deref(), Some("MA"));
        assert_eq!(two_places.workplace_hints, ["onsite"]);
    }

    #[test]
    fn a_positions_details_give_one_full_posting() {
        let extraction = run(DETAILS, DETAILS_URL).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        let job = &extraction.postings[0];
        assert_eq!(
            job.title.as_deref(),
            Some("Vice President - Prin Software Eng")
        );
        assert_eq!(
            job.url.as_deref(),
            Some("https://morganstanley.eightfold.ai/careers/job/549798858854")
        );
        assert_eq!(job.external_id.as_deref(), Some("549798858854"));
        assert!(
            job.apply_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://ms.wd5.myworkdayjobs.com/External/job/"))
        );
        assert_eq!(job.employment_types, ["Full time"]);
        assert_eq!(job.seniority_hint.as_deref(), Some("Vice President"));
        assert_eq!(job.workplace_hints, ["hybrid"]);
        assert_eq!(job.detail_url, None);
        assert!(
            job.description_html
                .as_deref()
                .is_some_and(|d| d.starts_with("<p><b>Morgan Stanley</b></p>"))
        );
    }

    #[test]
    fn a_position_that_does_not_exist_is_an_error_that_says_so() {
        let error = run(NOT_FOUND, DETAILS_URL).unwrap_err().to_string();
        assert!(
            error.contains("404") && error.contains("Position not found"),
            "{error}"
        );
        let empty = r#"{"status": 200, "error": {"message": ""}, "data": {}}"#;
        assert!(run(empty, DETAILS_URL).is_err());
    }

    #[test]
    fn an_empty_search_is_no_postings_and_other_shapes_are_refused() {
        let empty = r#"{"status": 200, "data": {"positions": [], "count": 0}}"#;
        assert_eq!(run(empty, SEARCH_URL).unwrap(), Extraction::default());
        for body in [
            "[]",
            "not json",
            r#"{"data": []}"#,
            r#"{"data": {"positions": {}}}"#,
            r#"{"data": {"positions": [{"title": "x"}]}}"#,
            r#"{"data": {"hello": 1}}"#,
        ] {
            assert!(run(body, SEARCH_URL).is_err(), "{body}");
        }
    }

    #[test]
    fn a_position_without_a_title_or_address_is_skipped_and_a_described_one_names_no_details() {
        let body = r#"{"data": {"positions": [
            {"id": 1, "name": "Analyst", "positionUrl": "/careers/job/1", "jobDescription": "<p>Full text</p>",
             "locations": ["Remote"], "standardizedLocations": ["US"], "workLocationOption": "remote"},
            {"id": 2, "positionUrl": "/careers/job/2"},
            {"id": 3, "name": "No address", "atsJobId": "R3"},
            "not a position"
        ], "count": 4}}"#;
        let extraction = run(
            body,
            "https://apply.careers.microsoft.com/api/pcsx/search?domain=microsoft.com&start=0",
        )
        .unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 3);
        let job = &extraction.postings[0];
        assert_eq!(job.detail_url, None, "its description is here");
        assert_eq!(
            job.url.as_deref(),
            Some("https://apply.careers.microsoft.com/careers/job/1")
        );
        assert_eq!(job.company_name.as_deref(), Some("microsoft"));
        assert_eq!(job.workplace_hints, ["remote"]);
        assert_eq!(job.locations[0].country.as_deref(), Some("US"));
        assert_eq!(job.locations[0].city, None);
    }

    #[test]
    fn tenant_fields_and_millisecond_dates_are_read() {
        let body = r#"{"data": {"id": 7, "name": "Engineer", "publicUrl": "https://x.eightfold.ai/careers/job/7",
            "efcustomTextEmploymentType": ["Full-Time"], "efcustomTextWorkplaceType": ["Hybrid"],
            "efcustomTextRoletype": ["People Manager"], "postedTs": 1783900800000}}"#;
        let job = &run(
            body,
            "https://x.eightfold.ai/api/pcsx/position_details?position_id=7",
        )
        .unwrap()
        .postings[0];
        assert_eq!(job.employment_types, ["Full-Time"]);
        assert_eq!(job.workplace_hints, ["Hybrid"], "no workLocationOption");
        assert_eq!(job.posted_at, Some(RawDate::EpochMillis(1783900800000)));
        assert_eq!(job.company_name.as_deref(), Some("x"));
    }
}
