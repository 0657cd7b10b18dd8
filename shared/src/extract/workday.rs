//! Extractor for Workday career sites (the candidate-experience API under `/wday/cxs/`): a
//! search page (`jobPostings`, without descriptions) and one job's detail (`jobPostingInfo`).

use serde_json::{Map, Value};
use url::Url;

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, collect_postings, json_str,
    parse_json,
};
use crate::error::ParseError;
use crate::model::SourceKind;
use crate::normalize::location::country_code;

const KIND: SourceKind = SourceKind::Workday;

/// Extracts the postings of one Workday API document.
///
/// A search page (`{"total", "jobPostings", "facets"}`) gives one record per job with its
/// title, public address, requisition id and single location, and the address of its detail
/// (`detail_url`), which the crawl reads for the description. Those addresses are built from
/// the document's own address (`/wday/cxs/{tenant}/{site}/jobs`), so a search page with jobs
/// and no such address is an error. The facets never become postings. The search page's
/// relative `postedOn` is left out: it changes every day, and each change would make the
/// crawl read the detail again; the detail carries the date (`startDate`).
///
/// A detail (`{"jobPostingInfo", "hiringOrganization", "similarJobs"}`) gives exactly one
/// posting; the similar jobs are not read. Errors: invalid JSON, an error answer of the API
/// (`errorCode`/`message`), or JSON of another shape.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let doc = parse_json(body, KIND)?;
    let Some(object) = doc.as_object() else {
        return Err(malformed(
            "expected an object with `jobPostings` or `jobPostingInfo`",
        ));
    };
    let site = ctx.url.and_then(Site::from_url);
    if let Some(info) = object.get("jobPostingInfo") {
        let Some(info) = info.as_object() else {
            return Err(malformed("`jobPostingInfo` is not an object"));
        };
        let posting = detail(info, object, ctx.url, site.as_ref());
        return Ok(Extraction {
            skipped: usize::from(posting.is_none()),
            postings: posting.into_iter().collect(),
        });
    }
    if let Some(jobs) = object.get("jobPostings") {
        let Some(jobs) = jobs.as_array() else {
            return Err(malformed("`jobPostings` is not an array"));
        };
        if jobs.is_empty() {
            return Ok(Extraction::default());
        }
        if !jobs.iter().any(|job| job.get("externalPath").is_some()) {
            return Err(malformed(
                "the `jobPostings` items are not Workday jobs (no `externalPath`)",
            ));
        }
        let Some(site) = site else {
            return Err(malformed(
                "a search page links its jobs relative to its site: give its address \
                 (https://{host}/wday/cxs/{tenant}/{site}/jobs)",
            ));
        };
        return Ok(collect_postings(jobs, |job| summary(job, &site)));
    }
    if let Some(reason) = api_error(object) {
        return Err(malformed(&format!("the API answered an error: {reason}")));
    }
    Err(malformed(
        "expected a search page (`jobPostings`) or a job's detail (`jobPostingInfo`)",
    ))
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// The error a Workday error answer states (`{"errorCode": "...", "message": "..."}`).
fn api_error(object: &Map<String, Value>) -> Option<String> {
    let code = json_str(object.get("errorCode")).or_else(|| json_str(object.get("httpStatus")));
    let message = json_str(object.get("message"))
        .or_else(|| json_str(object.get("error")))
        .or_else(|| object.get("error").and_then(|e| json_str(e.get("message"))));
    match (code, message) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (one, other) => one.or(other),
    }
}

/// Whether an object is a Workday API document (for `auto`): a job's detail
/// (`jobPostingInfo`), or a search page whose jobs carry an `externalPath` (Dayforce also
/// names its list `jobPostings`), or an empty search page with its `facets`.
pub(crate) fn is_document(object: &Map<String, Value>) -> bool {
    if object.get("jobPostingInfo").is_some_and(Value::is_object) {
        return true;
    }
    let Some(jobs) = object.get("jobPostings").and_then(Value::as_array) else {
        return false;
    };
    match jobs.first() {
        Some(first) => first.get("externalPath").is_some_and(Value::is_string),
        None => object.get("facets").is_some_and(Value::is_array),
    }
}

/// A Workday career site: where its API and its public pages are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Site {
    /// `scheme://host[:port]`.
    origin: String,
    /// The tenant (`nvidia`).
    pub(crate) tenant: String,
    /// The site's name (`NVIDIAExternalCareerSite`).
    pub(crate) site: String,
    /// Whether public pages sit under `/recruiting/{tenant}/` (the `myworkdaysite.com`
    /// hosts, whose host does not name the tenant).
    recruiting: bool,
}

impl Site {
    /// The site of an API address (`https://{host}/wday/cxs/{tenant}/{site}/…`, any host) or
    /// of a public career-site address (`https://{tenant}.wd5.myworkdayjobs.com/[en-US/]{site}[/…]`,
    /// `https://wd1.myworkdaysite.com/[en-US/]recruiting/{tenant}/{site}[/…]`). `None` for
    /// other addresses.
    pub(crate) fn from_url(url: &Url) -> Option<Site> {
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        let host = url.host_str()?.to_ascii_lowercase();
        let origin = url.origin().ascii_serialization();
        let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
        let named = |tenant: &str, site: &str, recruiting: bool| {
            let valid = |s: &str| !s.is_empty() && !s.contains(['%', '?', '#']);
            (valid(tenant) && valid(site)).then(|| Site {
                origin: origin.clone(),
                tenant: tenant.to_owned(),
                site: site.to_owned(),
                recruiting,
            })
        };
        let on_site_host = host.ends_with(".myworkdaysite.com");
        if let ["wday", "cxs", tenant, site, ..] = segments.as_slice() {
            return named(tenant, site, on_site_host);
        }
        let rest = match segments.as_slice() {
            [first, rest @ ..] if !rest.is_empty() && is_locale(first) => rest,
            all => all,
        };
        if on_site_host {
            return match rest {
                ["recruiting", tenant, site, ..] => named(tenant, site, true),
                _ => None,
            };
        }
        let tenant = host.strip_suffix(".myworkdayjobs.com")?.split('.').next()?;
        // `wd5.myworkdayjobs.com` names a data centre, not a tenant.
        let is_shard = tenant
            .strip_prefix("wd")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if is_shard {
            return None;
        }
        named(tenant, rest.first()?, false)
    }

    /// The site's search endpoint (`POST`).
    pub(crate) fn search_url(&self) -> Option<Url> {
        Url::parse(&self.api_url("/jobs")).ok()
    }

    /// The API address of `path` (a job's `externalPath`, `/job/…`).
    fn api_url(&self, path: &str) -> String {
        format!(
            "{}/wday/cxs/{}/{}{}",
            self.origin, self.tenant, self.site, path
        )
    }

    /// The public page of `path` (a job's `externalPath`), without a locale segment.
    fn public_url(&self, path: &str) -> String {
        if self.recruiting {
            format!(
                "{}/recruiting/{}/{}{}",
                self.origin, self.tenant, self.site, path
            )
        } else {
            format!("{}/{}{}", self.origin, self.site, path)
        }
    }
}

/// A locale path segment of a career-site address (`en-US`, `fr-CA`, `de`).
fn is_locale(segment: &str) -> bool {
    let (language, country) = segment.split_once('-').unwrap_or((segment, ""));
    language.len() == 2
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && (country.is_empty()
            || ((2..=4).contains(&country.len())
                && country.bytes().all(|b| b.is_ascii_alphanumeric())))
}

/// A search result: no description, so it names its detail.
fn summary(job: &Map<String, Value>, site: &Site) -> Option<RawPosting> {
    let title = json_str(job.get("title"))?;
    let path = json_str(job.get("externalPath")).filter(|p| p.starts_with('/'))?;
    let locations = json_str(job.get("locationsText"))
        .filter(|text| !is_place_count(text))
        .map(|text| place(&text, None))
        .into_iter()
        .collect();
    Some(RawPosting {
        external_id: requisition_id(job, &path),
        url: Some(site.public_url(&path)),
        title: Some(title),
        company_name: Some(site.tenant.clone()),
        locations,
        detail_url: Some(site.api_url(&path)),
        ..RawPosting::default()
    })
}

/// The requisition id among a search result's `bulletFields` (tenants choose what those
/// show): the one the job's address ends with (`…_JR2017740-1` for `JR2017740`), so that the
/// list and the detail (`jobReqId`) give the posting the same id.
fn requisition_id(job: &Map<String, Value>, path: &str) -> Option<String> {
    let last = path.rsplit('/').next()?;
    job.get("bulletFields")?
        .as_array()?
        .iter()
        .filter_map(|field| json_str(Some(field)))
        .find(|field| {
            last.match_indices(field.as_str()).any(|(at, _)| {
                let before = last.get(..at).is_some_and(|b| b.ends_with('_'));
                let after = last.get(at + field.len()..).unwrap_or_default();
                let ends = after.is_empty()
                    || after
                        .strip_prefix('-')
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                before && ends
            })
        })
}

/// Whether a `locationsText` counts places instead of naming one (`3 Locations`): the
/// search page only counts a job's places when it has several.
fn is_place_count(text: &str) -> bool {
    text.split_once(char::is_whitespace)
        .is_some_and(|(number, word)| {
            !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit())
                && !word.trim().is_empty()
                && word.trim().chars().all(char::is_alphabetic)
        })
}

/// One place as the site names it. Many tenants write it from the country down (`US, CA,
/// Santa Clara`, `Israel, Yokneam`), which would read as a city named after the country if
/// read from the right as usual: such a text (a country first, not last, three parts at
/// most) is given in parts. Otherwise the text stays whole, with `country` when known.
fn place(text: &str, country: Option<String>) -> RawLocation {
    let parts: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if let [first, middle @ .., last] = parts.as_slice()
        && middle.len() <= 1
        && country_code(first).is_some()
        && country_code(last).is_none()
    {
        return RawLocation {
            raw: text.to_owned(),
            city: Some((*last).to_owned()),
            region: middle.first().map(|r| (*r).to_owned()),
            country: Some((*first).to_owned()),
        };
    }
    RawLocation {
        raw: text.to_owned(),
        country,
        ..RawLocation::default()
    }
}

/// The one posting of a job's detail.
fn detail(
    info: &Map<String, Value>,
    document: &Map<String, Value>,
    url: Option<&Url>,
    site: Option<&Site>,
) -> Option<RawPosting> {
    let field = |key: &str| json_str(info.get(key));
    let title = field("title")?;
    let public = field("externalUrl")
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .or_else(|| {
            // The detail's own address minus the API prefix is the job's `externalPath`.
            let (url, site) = (url?, site?);
            let prefix = format!("/wday/cxs/{}/{}/", site.tenant, site.site);
            let path = url.path().strip_prefix(&prefix)?;
            Some(site.public_url(&format!("/{path}")))
        })?;
    let requisition = info.get("jobRequisitionLocation");
    let country = requisition
        .and_then(|l| l.get("country"))
        .and_then(|c| json_str(c.get("alpha2Code")))
        .or_else(|| {
            info.get("country")
                .and_then(|c| json_str(c.get("descriptor")))
        });
    let primary =
        field("location").or_else(|| requisition.and_then(|l| json_str(l.get("descriptor"))));
    let mut locations: Vec<RawLocation> = primary.map(|p| place(&p, country)).into_iter().collect();
    locations.extend(
        info.get("additionalLocations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|l| json_str(Some(l)).or_else(|| json_str(l.get("descriptor"))))
            .map(|l| place(&l, None)),
    );
    let company = document
        .get("hiringOrganization")
        .and_then(|o| json_str(o.get("name")))
        .or_else(|| site.map(|s| s.tenant.clone()));
    // `startDate` is the day the posting went up; `postedOn` only says it relative to today.
    let posted_at = field("startDate")
        .or_else(|| field("postedOn"))
        .map(RawDate::Text);
    Some(RawPosting {
        external_id: field("jobReqId"),
        url: Some(public),
        title: Some(title),
        company_name: company,
        locations,
        workplace_hints: field("remoteType").into_iter().collect(),
        employment_types: field("timeType").into_iter().collect(),
        description_html: field("jobDescription"),
        posted_at,
        ..RawPosting::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOBS: &str = include_str!("../../testdata/corpus/workday/nvidia_jobs_rsp.json");
    const DETAIL: &str = include_str!("../../testdata/corpus/workday/nvidia_job_detail_rsp.json");
    const FACETS: &str = include_str!("../../testdata/corpus/workday/facets_rsp.json");
    const SEARCH_URL: &str =
        "https://nvidia.wd5.myworkdayjobs.com/wday/cxs/nvidia/NVIDIAExternalCareerSite/jobs";
    const DETAIL_URL: &str = "https://nvidia.wd5.myworkdayjobs.com/wday/cxs/nvidia/NVIDIAExternalCareerSite/job/Israel-Yokneam/Senior-Software-Golang-Kubernetes-Engineer_JR2015916";

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn run(body: &str, address: &str) -> Result<Extraction, ParseError> {
        let address = url(address);
        extract(
            body,
            DocumentContext {
                url: Some(&address),
            },
        )
    }

    #[test]
    fn a_workday_search_page_gives_each_job_with_its_detail_address_and_no_description() {
        let extraction = run(JOBS, SEARCH_URL).unwrap();
        assert_eq!(extraction.postings.len(), 20);
        assert_eq!(extraction.skipped, 0);
        let first = &extraction.postings[0];
        assert_eq!(
            first.title.as_deref(),
            Some("Software Golang Kubernetes Engineer")
        );
        assert_eq!(
            first.url.as_deref(),
            Some(
                "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite/job/Israel-Tel-Aviv/Software-Golang-Kubernetes-Engineer_JR2020442"
            )
        );
        assert_eq!(
            first.detail_url.as_deref(),
            Some(
                "https://nvidia.wd5.myworkdayjobs.com/wday/cxs/nvidia/NVIDIAExternalCareerSite/job/Israel-Tel-Aviv/Software-Golang-Kubernetes-Engineer_JR2020442"
            )
        );
        assert_eq!(first.external_id.as_deref(), Some("JR2020442"));
        assert_eq!(first.company_name.as_deref(), Some("nvidia"));
        assert!(first.locations.is_empty(), "`3 Locations` names no place");
        assert_eq!(first.description_html, None);
        assert_eq!(first.posted_at, None, "`Posted 3 Days Ago` changes daily");
        // A reposted requisition's address ends `_JR2017740-1`.
        let reposted = &extraction.postings[3];
        assert_eq!(reposted.external_id.as_deref(), Some("JR2017740"));
        let one_place = &extraction.postings[6];
        assert_eq!(
            one_place.locations,
            [RawLocation {
                raw: "US, CA, Santa Clara".into(),
                city: Some("Santa Clara".into()),
                region: Some("CA".into()),
                country: Some("US".into()),
            }]
        );
    }

    #[test]
    fn a_workday_detail_gives_one_full_posting_and_ignores_the_similar_jobs() {
        let extraction = run(DETAIL, DETAIL_URL).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        let job = &extraction.postings[0];
        assert_eq!(
            job.title.as_deref(),
            Some("Senior Software Golang Kubernetes Engineer")
        );
        assert_eq!(
            job.url.as_deref(),
            Some(
                "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite/job/Israel-Yokneam/Senior-Software-Golang-Kubernetes-Engineer_JR2015916"
            )
        );
        assert_eq!(job.external_id.as_deref(), Some("JR2015916"));
        assert_eq!(
            job.company_name.as_deref(),
            Some("IL00 Mellanox Technologies, Ltd.")
        );
        assert_eq!(job.employment_types, ["Full time"]);
        assert_eq!(job.posted_at, Some(RawDate::Text("2026-04-24".into())));
        assert_eq!(job.detail_url, None);
        let places: Vec<(&str, Option<&str>, Option<&str>)> = job
            .locations
            .iter()
            .map(|l| (l.raw.as_str(), l.city.as_deref(), l.country.as_deref()))
            .collect();
        assert_eq!(
            places,
            [
                ("Israel, Yokneam", Some("Yokneam"), Some("Israel")),
                ("Israel, Raanana", Some("Raanana"), Some("Israel")),
                ("Israel, Tel Aviv", Some("Tel Aviv"), Some("Israel")),
            ]
        );
        assert!(
            job.description_html
                .as_deref()
                .is_some_and(|d| d.starts_with("<p>NVIDIA Networking"))
        );
    }

    #[test]
    fn a_detail_without_an_external_url_is_linked_from_its_own_address() {
        let mut doc: Value = serde_json::from_str(DETAIL).unwrap();
        doc["jobPostingInfo"]["externalUrl"] = Value::Null;
        doc["jobPostingInfo"]["remoteType"] = "Hybrid".into();
        doc["jobPostingInfo"]["startDate"] = Value::Null;
        let job = &run(&doc.to_string(), DETAIL_URL).unwrap().postings[0];
        assert_eq!(
            job.url.as_deref(),
            Some(
                "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite/job/Israel-Yokneam/Senior-Software-Golang-Kubernetes-Engineer_JR2015916"
            )
        );
        assert_eq!(job.workplace_hints, ["Hybrid"]);
        assert_eq!(
            job.posted_at,
            Some(RawDate::Text("Posted 30+ Days Ago".into()))
        );
    }

    #[test]
    fn the_facets_of_a_search_page_give_no_postings() {
        let extraction = run(FACETS, SEARCH_URL).unwrap();
        assert_eq!(extraction.postings.len(), 1, "its one job, not its facets");
        assert_eq!(extraction.skipped, 0);
        let facets_only = r#"{"total": 0, "jobPostings": [], "facets": [{"facetParameter": "x", "values": [{"descriptor": "Engineering", "id": "1", "count": 3}]}]}"#;
        assert_eq!(run(facets_only, SEARCH_URL).unwrap(), Extraction::default());
    }

    #[test]
    fn a_search_page_needs_its_address_and_other_shapes_are_refused() {
        let error = extract(JOBS, DocumentContext::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("/wday/cxs/"), "{error}");
        let refusal =
            r#"{"errorCode": "HTTP_404", "message": "The job posting is no longer available"}"#;
        let error = run(refusal, DETAIL_URL).unwrap_err().to_string();
        assert!(error.contains("no longer available"), "{error}");
        let dayforce = r#"{"jobPostings": [{"jobPostingId": 1, "jobTitle": "x"}], "maxCount": 1}"#;
        assert!(run(dayforce, SEARCH_URL).is_err());
        for body in ["[]", "{}", r#"{"jobPostings": {}}"#, "not json"] {
            assert!(run(body, SEARCH_URL).is_err(), "{body}");
        }
    }

    #[test]
    fn a_job_without_a_title_or_path_is_skipped_and_counted() {
        let body = r#"{"total": 3, "jobPostings": [
            {"title": "Engineer", "externalPath": "/job/Berlin/Engineer_R1", "locationsText": "Berlin, Germany"},
            {"externalPath": "/job/x/y_R2"},
            {"title": "No path"},
            7
        ]}"#;
        let extraction = run(body, SEARCH_URL).unwrap();
        assert_eq!(extraction.postings.len(), 1);
        assert_eq!(extraction.skipped, 3);
        let job = &extraction.postings[0];
        assert_eq!(job.external_id, None, "no bullet field names it");
        assert_eq!(job.locations, [RawLocation::text("Berlin, Germany")]);
    }

    #[test]
    fn sites_are_read_from_api_and_public_addresses() {
        let site = |text: &str| Site::from_url(&url(text));
        let nvidia = site("https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite").unwrap();
        assert_eq!(
            (nvidia.tenant.as_str(), nvidia.site.as_str()),
            ("nvidia", "NVIDIAExternalCareerSite")
        );
        for same in [
            "https://nvidia.wd5.myworkdayjobs.com/en-US/NVIDIAExternalCareerSite",
            "https://nvidia.wd5.myworkdayjobs.com/en-US/NVIDIAExternalCareerSite/details/x_JR1?q=go",
            "https://nvidia.wd5.myworkdayjobs.com/wday/cxs/nvidia/NVIDIAExternalCareerSite/jobs",
        ] {
            assert_eq!(site(same).as_ref(), Some(&nvidia), "{same}");
        }
        let wells =
            site("https://wd1.myworkdaysite.com/en-US/recruiting/wf/WellsFargoJobs").unwrap();
        assert_eq!(
            wells.search_url().unwrap().as_str(),
            "https://wd1.myworkdaysite.com/wday/cxs/wf/WellsFargoJobs/jobs"
        );
        assert_eq!(
            wells.public_url("/job/a/b_R1"),
            "https://wd1.myworkdaysite.com/recruiting/wf/WellsFargoJobs/job/a/b_R1"
        );
        let api = site("https://wd1.myworkdaysite.com/wday/cxs/wf/WellsFargoJobs/jobs").unwrap();
        assert_eq!(api, wells);
        let local = site("http://127.0.0.1:8080/wday/cxs/acme/External/jobs").unwrap();
        assert_eq!(
            local.public_url("/job/x"),
            "http://127.0.0.1:8080/External/job/x"
        );
        for none in [
            "https://wd5.myworkdayjobs.com/External",
            "https://nvidia.wd5.myworkdayjobs.com/",
            "https://example.com/careers",
            "https://wd1.myworkdaysite.com/en-US/WellsFargoJobs",
        ] {
            assert_eq!(site(none), None, "{none}");
        }
    }

    #[test]
    fn place_counts_and_country_first_places_are_told_from_ordinary_places() {
        assert!(is_place_count("3 Locations"));
        assert!(is_place_count("12 Standorte"));
        assert!(!is_place_count("US, CA, Santa Clara"));
        assert!(!is_place_count("Remote"));
        assert_eq!(
            place("Santa Clara, CA", None),
            RawLocation::text("Santa Clara, CA")
        );
        assert_eq!(
            place("Paris, France", None),
            RawLocation::text("Paris, France")
        );
        assert_eq!(place("Singapore, Singapore", None).city, None);
        let remote = place("Germany, Remote", None);
        assert_eq!(remote.city.as_deref(), Some("Remote"));
        assert_eq!(remote.country.as_deref(), Some("Germany"));
        let given = place("Santa Clara, CA", Some("US".into()));
        assert_eq!(given.country.as_deref(), Some("US"));
        assert_eq!(given.city, None);
    }
}
