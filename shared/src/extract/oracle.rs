//! Extractor for Oracle Recruiting Cloud (Candidate Experience) sites: the requisitions search
//! (`/hcmRestApi/resources/latest/recruitingCEJobRequisitions?finder=findReqs;siteNumber=…`,
//! one `items` entry holding `TotalJobsCount` and the page's `requisitionList`) and one
//! requisition's details (`recruitingCEJobRequisitionDetails?finder=ById;Id="…",siteNumber=…`,
//! `items` holding the requisition with its description).
//!
//! A posting's public page is `https://{host}/hcmUI/CandidateExperience/{lang}/sites/{site}/job/{Id}`,
//! where `site` is the site's public name (`Mayo-US`), which no API document states. The crawl
//! carries it, with the language, in the fragment of the addresses it fetches
//! (`#siteName=Mayo-US&lang=en`, never sent to the server); a document read without one uses
//! the site number of its finder (`CX_1`), which is also the name of every site not renamed.

use serde_json::{Map, Value};
use url::Url;

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, collect_postings, json_str,
    parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Oracle;

/// Where the requisition resources are, on the API's host.
pub const API_PATH: &str = "/hcmRestApi/resources/latest/";

/// Fragment parameter naming the site's public name on the addresses the crawl fetches.
pub const SITE_NAME_PARAM: &str = "siteName";

/// Fragment parameter naming the language of the public pages.
pub const LANGUAGE_PARAM: &str = "lang";

/// The language assumed when an address names none.
pub const DEFAULT_LANGUAGE: &str = "en";

/// Extracts the postings of one Oracle Recruiting Cloud document: a search page or details.
///
/// Search rows have no description: each names its details (`detail_url`, asked with
/// `expand=all`), which keep the public page of the row. Details give the description as
/// HTML: `ExternalDescriptionStr`, then the responsibilities and qualifications (under their
/// headings), then the organization's and corporate descriptions. `WorkplaceTypeCode`
/// (`ORA_REMOTE`, `ORA_HYBRID`, `ORA_ON_SITE`) and its label are workplace words; job
/// schedule, contract and job types are employment words. No pay is read: the API has none
/// but the sites' own free-form fields. A valid empty collection (a requisition that no
/// longer exists, an empty site) is no postings; a record without a title or id is skipped
/// and counted. Errors: an HTML page, the API's error documents, other JSON.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let start = body.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if start.starts_with('<') {
        return Err(malformed(
            "an HTML page, not the Oracle Recruiting API: a careers site's page lists no \
             postings itself (the crawl reads the site's requisitions search, found from it)",
        ));
    }
    let doc = parse_json(body, KIND)?;
    let Some(object) = doc.as_object() else {
        return Err(malformed("expected an object with `items`"));
    };
    let Some(items) = object.get("items") else {
        return Err(malformed(&refusal(object)));
    };
    let Some(items) = items.as_array() else {
        return Err(malformed("`items` is not a list"));
    };
    let site = Site::of(ctx.url);
    let searches: Vec<&Map<String, Value>> = items
        .iter()
        .filter_map(Value::as_object)
        .filter(|item| item.contains_key("requisitionList") || item.contains_key("TotalJobsCount"))
        .collect();
    if !searches.is_empty() {
        let rows = searches
            .iter()
            .filter_map(|search| search.get("requisitionList")?.as_array())
            .flatten();
        return Ok(collect_postings(rows, |row| requisition(row, &site, false)));
    }
    Ok(collect_postings(items, |item| {
        requisition(item, &site, true)
    }))
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether an object is an Oracle requisitions document (for `auto`): `items` of a search
/// (`requisitionList`, `TotalJobsCount`) or of details (`External…` fields), or an empty
/// collection whose links name the requisition resources.
pub(crate) fn is_document(object: &Map<String, Value>) -> bool {
    let Some(items) = object.get("items").and_then(Value::as_array) else {
        return false;
    };
    match items.first().and_then(Value::as_object) {
        Some(first) => [
            "requisitionList",
            "TotalJobsCount",
            "ExternalDescriptionStr",
            "ExternalPostedStartDate",
            "ExternalQualificationsStr",
        ]
        .iter()
        .any(|key| first.contains_key(*key)),
        None => object
            .get("links")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|link| link.get("href")?.as_str())
            .any(|href| href.contains("/recruitingCEJobRequisition")),
    }
}

/// Why an object without `items` is not a requisitions document: Oracle's error documents
/// have a `title`, a `status` and `o:errorDetails`.
fn refusal(object: &Map<String, Value>) -> String {
    let status = json_str(object.get("status"));
    let title = json_str(object.get("title"));
    if status.is_none() && title.is_none() {
        return "expected an object with `items`".to_owned();
    }
    let detail = object
        .get("o:errorDetails")
        .and_then(Value::as_array)
        .and_then(|details| details.first())
        .and_then(|first| json_str(first.get("detail")))
        .or_else(|| json_str(object.get("detail")));
    let mut message = format!(
        "the API answered {} {}",
        status.unwrap_or_default(),
        title.unwrap_or_default()
    );
    if let Some(detail) = detail {
        message.push_str(": ");
        message.extend(detail.chars().take(160));
    }
    message
}

/// What a document's address says of its site.
struct Site {
    /// `scheme://host[:port]` of the API, which also serves the public pages.
    origin: Option<String>,
    /// The site number of the finder (`CX_1`).
    number: Option<String>,
    /// The site's public name.
    name: Option<String>,
    /// The language of the public pages.
    language: String,
}

impl Site {
    fn of(url: Option<&Url>) -> Site {
        let fragment = |key: &str| {
            url::form_urlencoded::parse(url?.fragment()?.as_bytes())
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| is_atom(v))
        };
        let number = url
            .and_then(|url| url.query_pairs().find(|(k, _)| k == "finder"))
            .and_then(|(_, finder)| finder_arg(&finder, "siteNumber"))
            .filter(|n| is_atom(n));
        let name = fragment(SITE_NAME_PARAM).or_else(|| number.clone());
        Site {
            origin: url
                .map(|u| u.origin().ascii_serialization())
                .filter(|o| o.starts_with("http")),
            number,
            name,
            language: fragment(LANGUAGE_PARAM).unwrap_or_else(|| DEFAULT_LANGUAGE.to_owned()),
        }
    }

    fn posting_url(&self, id: &str) -> Option<String> {
        let (origin, name) = (self.origin.as_deref()?, self.name.as_deref()?);
        let mut url = Url::parse(origin).ok()?;
        url.path_segments_mut().ok()?.extend([
            "hcmUI",
            "CandidateExperience",
            &self.language,
            "sites",
            name,
            "job",
            id,
        ]);
        Some(url.into())
    }

    /// The details request of requisition `id`, carrying the site's name and language.
    fn detail_url(&self, id: &str) -> Option<String> {
        let (origin, number) = (self.origin.as_deref()?, self.number.as_deref()?);
        let id = id.replace('"', "");
        let mut url = Url::parse(&format!(
            "{origin}{API_PATH}recruitingCEJobRequisitionDetails"
        ))
        .ok()?;
        url.query_pairs_mut()
            .append_pair("expand", "all")
            .append_pair("onlyData", "true")
            .append_pair("finder", &format!("ById;Id=\"{id}\",siteNumber={number}"));
        url.set_fragment(Some(&self.fragment()));
        Some(url.into())
    }

    fn fragment(&self) -> String {
        let mut fragment = url::form_urlencoded::Serializer::new(String::new());
        if let Some(name) = &self.name {
            fragment.append_pair(SITE_NAME_PARAM, name);
        }
        fragment
            .append_pair(LANGUAGE_PARAM, &self.language)
            .finish()
    }

    /// The site's name as a company name, unless it is a bare site number (`CX_1`).
    fn company(&self) -> Option<String> {
        let name = self.name.as_deref()?;
        let numbered = name
            .strip_prefix("CX_")
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
        (!numbered).then(|| name.to_owned())
    }
}

/// Site numbers, site names, languages and ids are plain words (they go in a finder and a
/// path).
pub(crate) fn is_atom(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The arguments of an ADF finder (`findReqs;siteNumber=CX_1,facetsList=A;B,keyword="x,y"`)
/// as `(name, value)` pairs, split on the commas outside quotes.
pub(crate) fn finder_args(finder: &str) -> Vec<(String, String)> {
    let Some((_, args)) = finder.split_once(';') else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in args.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .filter_map(|part| {
            let (key, value) = part.split_once('=')?;
            Some((key.trim().to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// One argument of an ADF finder.
pub(crate) fn finder_arg(finder: &str, key: &str) -> Option<String> {
    finder_args(finder)
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A search row (`full` false) or a requisition's details (`full` true).
fn requisition(item: &Map<String, Value>, site: &Site, full: bool) -> Option<RawPosting> {
    let field = |key: &str| json_str(item.get(key));
    let id = field("Id").filter(|id| is_atom(id))?;
    let title = field("Title")?;
    let url = site.posting_url(&id)?;
    let description_html = description(item);
    // A search asked with `expand` has a short description: the details have the whole one.
    let detail_url = (!full && field("ExternalDescriptionStr").is_none())
        .then(|| site.detail_url(&id))
        .flatten();
    let tags: Vec<String> = ["Category", "JobFamily", "JobFunction"]
        .iter()
        .filter_map(|key| field(key))
        .chain(
            item.get("skills")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|skill| json_str(skill.get("Skill"))),
        )
        .collect();
    Some(RawPosting {
        external_id: Some(id),
        url: Some(url),
        title: Some(title),
        company_name: site.company(),
        department: field("Department"),
        locations: locations(item),
        workplace_hints: ["WorkplaceTypeCode", "WorkplaceType"]
            .iter()
            .filter_map(|key| field(key))
            .collect(),
        employment_types: ["JobSchedule", "ContractType", "JobType", "WorkerType"]
            .iter()
            .filter_map(|key| field(key))
            .collect(),
        description_html: description_html.or_else(|| field("ShortDescriptionStr")),
        tags,
        posted_at: field("ExternalPostedStartDate")
            .or_else(|| field("PostedDate"))
            .map(RawDate::Text),
        valid_through: field("ExternalPostedEndDate")
            .or_else(|| field("PostingEndDate"))
            .map(RawDate::Text),
        detail_url,
        ..RawPosting::default()
    })
}

/// The sections of a requisition's description, as its public page shows them.
fn description(item: &Map<String, Value>) -> Option<String> {
    let sections = [
        ("ExternalDescriptionStr", None),
        ("ExternalResponsibilitiesStr", Some("Responsibilities")),
        ("ExternalQualificationsStr", Some("Qualifications")),
        ("OrganizationDescriptionStr", None),
        ("CorporateDescriptionStr", None),
    ];
    let mut html = String::new();
    for (key, heading) in sections {
        let Some(section) = json_str(item.get(key)) else {
            continue;
        };
        if let Some(heading) = heading {
            html.push_str(&format!("<h3>{heading}</h3>"));
        }
        html.push_str(&section);
        html.push('\n');
    }
    (!html.is_empty()).then_some(html)
}

/// `PrimaryLocation` (`Phoenix, AZ, United States`, with `PrimaryLocationCountry`), then the
/// `secondaryLocations`; the work locations' addresses when there is no primary location.
fn locations(item: &Map<String, Value>) -> Vec<RawLocation> {
    let mut places: Vec<RawLocation> = Vec::new();
    let mut add = |place: RawLocation| {
        if !places.iter().any(|p| p.raw == place.raw) {
            places.push(place);
        }
    };
    if let Some(primary) = json_str(item.get("PrimaryLocation")) {
        add(RawLocation {
            country: json_str(item.get("PrimaryLocationCountry")),
            ..RawLocation::text(primary)
        });
    }
    let list = |key: &str| {
        item.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
    };
    for secondary in list("secondaryLocations") {
        if let Some(name) = json_str(secondary.get("Name")) {
            add(RawLocation {
                country: json_str(secondary.get("CountryCode")),
                ..RawLocation::text(name)
            });
        }
    }
    if json_str(item.get("PrimaryLocation")).is_none() {
        for work in list("workLocation") {
            let part = |key: &str| json_str(work.get(key));
            let (city, region, country) = (part("TownOrCity"), part("Region2"), part("Country"));
            let parts: Vec<&str> = [&city, &region, &country]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            if parts.is_empty() {
                continue;
            }
            add(RawLocation {
                raw: parts.join(", "),
                city,
                region,
                country,
            });
        }
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH: &str = include_str!("../../testdata/corpus/oracle/search_rsp.json");
    const FACETS: &str = include_str!("../../testdata/corpus/oracle/search_facets_rsp.json");
    const DETAIL: &str = include_str!("../../testdata/corpus/oracle/job_detail_rsp.json");
    const NOT_FOUND: &str =
        include_str!("../../testdata/corpus/oracle/job_detail_not_found_rsp.json");
    const CAREERS: &str = include_str!("../../testdata/corpus/oracle/careers_page_rsp.html");

    const HOST: &str = "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com";

    fn search_url(fragment: &str) -> String {
        format!(
            "{HOST}/hcmRestApi/resources/latest/recruitingCEJobRequisitions?onlyData=true\
             &finder=findReqs%3BsiteNumber%3DCX_1%2CfacetsList%3DNONE%2Climit%3D3%2Coffset%3D0{fragment}"
        )
    }

    fn detail_url(fragment: &str) -> String {
        format!(
            "{HOST}/hcmRestApi/resources/latest/recruitingCEJobRequisitionDetails?onlyData=true\
             &finder=ById%3BId%3D%22386920%22%2CsiteNumber%3DCX_1{fragment}"
        )
    }

    fn run(body: &str, url: &str) -> Result<Extraction, ParseError> {
        let url = Url::parse(url).unwrap();
        extract(body, DocumentContext { url: Some(&url) })
    }

    #[test]
    fn a_search_gives_each_row_with_its_public_page_and_its_details_request() {
        let extraction = run(SEARCH, &search_url("#siteName=Mayo-US&lang=en")).unwrap();
        assert_eq!(extraction.postings.len(), 3);
        assert_eq!(extraction.skipped, 0);
        let first = &extraction.postings[0];
        assert_eq!(first.external_id.as_deref(), Some("361564"));
        assert_eq!(
            first.title.as_deref(),
            Some("Cardiologist - Echo / Imaging")
        );
        assert_eq!(
            first.url.as_deref(),
            Some(
                "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/CandidateExperience/en/sites/Mayo-US/job/361564"
            )
        );
        assert_eq!(
            first.detail_url.as_deref(),
            Some(
                "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmRestApi/resources/latest/\
                 recruitingCEJobRequisitionDetails?expand=all&onlyData=true\
                 &finder=ById%3BId%3D%22361564%22%2CsiteNumber%3DCX_1#siteName=Mayo-US&lang=en"
            )
        );
        assert_eq!(first.company_name.as_deref(), Some("Mayo-US"));
        assert_eq!(first.posted_at, Some(RawDate::Text("2026-07-14".into())));
        assert_eq!(
            first.locations,
            [RawLocation::text("Phoenix, AZ, United States")]
        );
        assert!(
            first.workplace_hints.is_empty(),
            "an empty type says nothing"
        );
        assert_eq!(first.description_html, None);
    }

    #[test]
    fn the_details_a_row_names_give_the_posting_at_the_same_public_page() {
        let search = run(SEARCH, &search_url("#siteName=Mayo-US&lang=en")).unwrap();
        let row = &search.postings[0];
        let detail = DETAIL.replace("386920", "361564");
        let details = run(&detail, row.detail_url.as_deref().unwrap()).unwrap();
        assert_eq!(details.postings.len(), 1);
        assert_eq!(details.postings[0].url, row.url);
        assert_eq!(details.postings[0].external_id, row.external_id);
        assert_eq!(details.postings[0].detail_url, None);
    }

    #[test]
    fn details_give_the_description_sections_dates_and_place() {
        let extraction = run(DETAIL, &detail_url("")).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        let posting = &extraction.postings[0];
        assert_eq!(posting.external_id.as_deref(), Some("386920"));
        assert_eq!(posting.title.as_deref(), Some("Senior Analyst - ATS"));
        // Without the crawl's fragment the site is named by its number.
        assert_eq!(
            posting.url.as_deref(),
            Some(
                "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1/job/386920"
            )
        );
        assert_eq!(posting.company_name, None, "a site number is no company");
        assert_eq!(
            posting.posted_at,
            Some(RawDate::Text("2026-07-14T14:00:09+00:00".into()))
        );
        let html = posting.description_html.as_deref().unwrap();
        assert!(html.starts_with("<p>Please include a cover letter"));
        assert!(html.contains("<h3>Qualifications</h3><p>Bachelor's degree"));
        assert!(
            !html.contains("<h3>Responsibilities</h3>"),
            "an empty section has no heading"
        );
        assert!(
            html.contains("Why Mayo Clinic"),
            "the corporate description"
        );
        assert_eq!(
            posting.locations,
            [RawLocation::text("Phoenix, AZ, United States")]
        );
        assert_eq!(posting.detail_url, None);
    }

    #[test]
    fn expanded_records_give_country_workplace_employment_and_end_date() {
        let body = r#"{"items": [{"Id": "9", "Title": "Nurse", "PostedDate": "2026-07-01",
            "PostingEndDate": "2026-09-01", "PrimaryLocation": "Paris, France",
            "PrimaryLocationCountry": "FR", "WorkplaceTypeCode": "ORA_HYBRID",
            "WorkplaceType": "Hybrid", "JobSchedule": "Full time", "JobFamily": "Nursing",
            "ShortDescriptionStr": "Care for patients.",
            "secondaryLocations": [{"Name": "Lyon, France", "CountryCode": "FR"},
                {"Name": "Paris, France"}]}],
            "TotalJobsCount": 1}"#;
        // Details shape (no `requisitionList`): read in full.
        let posting = &run(body, &detail_url("#siteName=Careers&lang=fr"))
            .unwrap()
            .postings[0];
        assert_eq!(posting.workplace_hints, ["ORA_HYBRID", "Hybrid"]);
        assert_eq!(posting.employment_types, ["Full time"]);
        assert_eq!(posting.tags, ["Nursing"]);
        assert_eq!(
            posting.valid_through,
            Some(RawDate::Text("2026-09-01".into()))
        );
        assert_eq!(
            posting.locations.len(),
            2,
            "the repeated place is kept once"
        );
        assert_eq!(posting.locations[0].country.as_deref(), Some("FR"));
        assert_eq!(posting.locations[1].raw, "Lyon, France");
        assert_eq!(
            posting.description_html.as_deref(),
            Some("Care for patients.")
        );
        assert!(
            posting
                .url
                .as_deref()
                .unwrap()
                .ends_with("/fr/sites/Careers/job/9")
        );
        assert_eq!(posting.company_name.as_deref(), Some("Careers"));
    }

    #[test]
    fn a_search_with_facets_and_work_locations_without_a_primary_place() {
        let extraction = run(FACETS, &search_url("")).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        let body = r#"{"items": [{"TotalJobsCount": 1, "requisitionList": [{"Id": "5",
            "Title": "Porter", "workLocation": [{"TownOrCity": "Austin", "Region2": "TX",
            "Country": "US"}], "ShortDescriptionStr": "Short."}]}]}"#;
        let row = &run(body, &search_url("")).unwrap().postings[0];
        assert_eq!(
            row.locations,
            [RawLocation {
                raw: "Austin, TX, US".into(),
                city: Some("Austin".into()),
                region: Some("TX".into()),
                country: Some("US".into()),
            }]
        );
        assert_eq!(row.description_html.as_deref(), Some("Short."));
        assert!(
            row.detail_url.is_some(),
            "a short description is not the description"
        );
    }

    #[test]
    fn a_requisition_that_does_not_exist_is_no_postings() {
        let extraction = run(NOT_FOUND, &detail_url("")).unwrap();
        assert!(extraction.postings.is_empty());
        assert_eq!(extraction.skipped, 0);
        let empty = r#"{"items": [{"TotalJobsCount": 0, "requisitionList": []}]}"#;
        assert!(run(empty, &search_url("")).unwrap().postings.is_empty());
    }

    #[test]
    fn records_without_an_id_title_or_address_are_skipped() {
        let body = r#"{"items": [{"TotalJobsCount": 3, "requisitionList": [
            {"Id": "1"}, {"Title": "No id"}, {"Id": "a/b", "Title": "Bad id"}, {"Id": "2", "Title": "Ok"}]}]}"#;
        let extraction = run(body, &search_url("")).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 3);
        // Without an address there is no host for the public page.
        let none = extract(body, DocumentContext::default()).unwrap();
        assert!(none.postings.is_empty());
    }

    #[test]
    fn pages_errors_and_other_shapes_are_errors_that_say_what_they_are() {
        let error_doc = r#"{"title": "Bad Request", "status": "400",
            "o:errorDetails": [{"detail": "The finder siteNumber is invalid.", "o:errorCode": "27024"}]}"#;
        let cases = [
            (CAREERS, "HTML page"),
            (
                error_doc,
                "400 Bad Request: The finder siteNumber is invalid.",
            ),
            (r#"{"jobs": []}"#, "expected an object with `items`"),
            (r#"{"items": {}}"#, "not a list"),
            ("[1]", "expected an object"),
        ];
        for (body, reason) in cases {
            let error = run(body, &search_url("")).unwrap_err().to_string();
            assert!(error.contains(reason), "{error}");
        }
    }

    #[test]
    fn finder_arguments_are_split_outside_quotes() {
        let finder =
            r#"findReqs;siteNumber=CX_1,facetsList=TITLES;LOCATIONS,keyword="a, b",limit=25"#;
        assert_eq!(
            finder_args(finder),
            [
                ("siteNumber".to_owned(), "CX_1".to_owned()),
                ("facetsList".to_owned(), "TITLES;LOCATIONS".to_owned()),
                ("keyword".to_owned(), "\"a, b\"".to_owned()),
                ("limit".to_owned(), "25".to_owned()),
            ]
        );
        assert_eq!(finder_arg(finder, "sitenumber").as_deref(), Some("CX_1"));
        assert!(finder_args("findReqs").is_empty());
    }
}
