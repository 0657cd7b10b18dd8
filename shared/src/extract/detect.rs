//! Detects a document's kind from its URL and content, for `auto`.
//!
//! The URL decides first, because API hosts are unambiguous; but an API's URL rule only
//! applies to a body that looks like JSON (an HTML error page served by an API host is then
//! sniffed like any page). Career-site hosts whose documents are HTML (SuccessFactors,
//! Avature, UltiPro) have rules
//! that apply to markup too. Content sniffing looks at the first bytes for markup, at a
//! page's provider markers, and at the shape of JSON (its keys) for the API kinds.

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::model::SourceKind;

/// Detects the kind of `body`, using `url` (the address it was fetched from) when given.
///
/// Feeds (`<?xml`, `<rss`, `<feed`) are `Rss`; other HTML is `JsonLd` (the structured-data
/// kind, which finds zero postings on a page without any). JSON is told apart by its keys.
/// Anything else is `UnknownKind` with a short reason.
pub fn detect_kind(body: &str, url: Option<&url::Url>) -> Result<SourceKind, ParseError> {
    let start = body.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let looks_like_json = start.starts_with(['{', '[']);
    if looks_like_json && let Some(kind) = url.and_then(kind_from_url) {
        return Ok(kind);
    }
    if start.starts_with('<') {
        if let Some(kind) = url.and_then(career_site_kind) {
            return Ok(kind);
        }
        return Ok(markup_kind(start));
    }
    if !looks_like_json {
        return Err(ParseError::UnknownKind(
            "neither markup nor JSON (the first character is neither `<`, `{` nor `[`)".into(),
        ));
    }
    let value: Value = serde_json::from_str(start)
        .map_err(|e| ParseError::UnknownKind(format!("invalid JSON: {e}")))?;
    json_kind(&value)
        .ok_or_else(|| ParseError::UnknownKind("JSON of no known job-source shape".into()))
}

/// The kind an API address names.
fn kind_from_url(url: &url::Url) -> Option<SourceKind> {
    let host = url.host_str()?.to_ascii_lowercase();
    let path = url.path();
    let kind = match host.as_str() {
        "boards-api.greenhouse.io" => SourceKind::Greenhouse,
        "boards.greenhouse.io" | "job-boards.greenhouse.io" if path.contains("/jobs") => {
            SourceKind::Greenhouse
        }
        "api.lever.co" | "api.eu.lever.co" => SourceKind::Lever,
        "api.ashbyhq.com" if path.starts_with("/posting-api") => SourceKind::Ashby,
        "apply.workable.com" | "www.workable.com" if path.starts_with("/api") => {
            SourceKind::Workable
        }
        "api.smartrecruiters.com" => SourceKind::SmartRecruiters,
        "remoteok.com" | "www.remoteok.com" | "remoteok.io" if path.starts_with("/api") => {
            SourceKind::RemoteOk
        }
        "himalayas.app" | "www.himalayas.app" if path.starts_with("/jobs/api") => {
            SourceKind::Himalayas
        }
        _ if host.ends_with(".recruitee.com") && path.starts_with("/api/offers") => {
            SourceKind::Recruitee
        }
        // The candidate-experience API of `*.myworkdayjobs.com` and `*.myworkdaysite.com`;
        // the path is Workday's own, so a company host proxying it counts too.
        _ if path.starts_with("/wday/cxs/") => SourceKind::Workday,
        // Eightfold's PCSX API, on `*.eightfold.ai` or a company's own host.
        _ if path.starts_with("/api/pcsx/") => SourceKind::Eightfold,
        _ if host.ends_with(".eightfold.ai") && path.starts_with("/api/apply/v2/jobs") => {
            SourceKind::Eightfold
        }
        _ if host.ends_with(".bamboohr.com") && path.starts_with("/careers/") => {
            SourceKind::BambooHr
        }
        _ if host.ends_with(".teamtailor.com") && path.ends_with("/jobs.json") => {
            SourceKind::Teamtailor
        }
        "api.rippling.com" if path.starts_with("/platform/api/ats/") => SourceKind::Rippling,
        "herp.careers" if path.starts_with("/careers/api/v1/") => SourceKind::Herp,
        _ if host.starts_with("ats.")
            && host.ends_with(".rippling.com")
            && path.starts_with("/api/") =>
        {
            SourceKind::Rippling
        }
        _ if (host == "dayforcehcm.com" || host.ends_with(".dayforcehcm.com"))
            && path.starts_with("/api/") =>
        {
            SourceKind::Dayforce
        }
        _ if host.ends_with(".oraclecloud.com") && path.starts_with("/hcmRestApi/") => {
            SourceKind::Oracle
        }
        _ if super::ultipro::is_board_host(&host) => SourceKind::UltiPro,
        _ => return None,
    };
    Some(kind)
}

/// The kind a career site's host names, for markup bodies: these providers serve their
/// search and job pages (and their error pages) as HTML, so an HTML body from their hosts is
/// theirs — and a page their extractor cannot read is its clear error, not an empty
/// `jsonld` result. Hosts of every other provider keep the plain page sniffing.
fn career_site_kind(url: &url::Url) -> Option<SourceKind> {
    let host = url.host_str()?.to_ascii_lowercase();
    if super::successfactors::is_site_host(&host) {
        Some(SourceKind::SuccessFactors)
    } else if super::avature::is_site_host(&host) {
        Some(SourceKind::Avature)
    } else if super::ultipro::is_board_host(&host) {
        Some(SourceKind::UltiPro)
    } else {
        None
    }
}

/// Feeds are `Rss`; pages carrying a career-site provider's own markers (served from a
/// company's domain) are that provider's; everything else that starts with markup is treated
/// as an HTML page.
fn markup_kind(start: &str) -> SourceKind {
    match root_element_name(start) {
        Some(name) if ["rss", "feed", "rdf:rdf"].contains(&name.to_ascii_lowercase().as_str()) => {
            SourceKind::Rss
        }
        _ if super::avature::is_page(start) => SourceKind::Avature,
        _ if super::successfactors::is_page(start) => SourceKind::SuccessFactors,
        _ if super::ultipro::is_opportunity_page(start) => SourceKind::UltiPro,
        _ => SourceKind::JsonLd,
    }
}

/// The name of the first element, past the XML declaration, processing instructions,
/// comments and a doctype.
fn root_element_name(mut markup: &str) -> Option<&str> {
    loop {
        markup = markup.trim_start();
        let skip_to = if markup.starts_with("<?") {
            "?>"
        } else if markup.starts_with("<!--") {
            "-->"
        } else if markup.starts_with("<!") {
            ">"
        } else {
            break;
        };
        markup = markup.split_once(skip_to)?.1;
    }
    let name = markup
        .strip_prefix('<')?
        .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .next()?;
    (!name.is_empty()).then_some(name)
}

/// The API kind a JSON document's shape matches.
fn json_kind(value: &Value) -> Option<SourceKind> {
    match value {
        Value::Array(items) => {
            let first = items.first()?.as_object()?;
            if super::rippling::is_list_row(first) {
                Some(SourceKind::Rippling)
            } else if first.contains_key("legal") {
                Some(SourceKind::RemoteOk)
            } else if first.contains_key("hostedUrl") || first.contains_key("createdAt") {
                Some(SourceKind::Lever)
            } else {
                None
            }
        }
        Value::Object(object) => object_kind(object),
        _ => None,
    }
}

fn object_kind(object: &Map<String, Value>) -> Option<SourceKind> {
    let has = |key: &str| object.contains_key(key);
    // The keys of the first element of a list field.
    let first_of = |key: &str| -> Option<&Map<String, Value>> {
        object.get(key)?.as_array()?.first()?.as_object()
    };
    if let Some(job) = first_of("jobs") {
        if job.contains_key("absolute_url") {
            return Some(SourceKind::Greenhouse);
        }
        if job.contains_key("jobUrl") {
            return Some(SourceKind::Ashby);
        }
    }
    if super::himalayas::is_page(object) {
        return Some(SourceKind::Himalayas);
    }
    if super::ultipro::is_search_results(object) {
        return Some(SourceKind::UltiPro);
    }
    if super::dayforce::is_document(object) {
        return Some(SourceKind::Dayforce);
    }
    if super::oracle::is_document(object) {
        return Some(SourceKind::Oracle);
    }
    if super::workday::is_document(object) {
        return Some(SourceKind::Workday);
    }
    if super::eightfold::is_document(object) {
        return Some(SourceKind::Eightfold);
    }
    if super::bamboohr::is_document(object) {
        return Some(SourceKind::BambooHr);
    }
    if super::teamtailor::is_feed(object) {
        return Some(SourceKind::Teamtailor);
    }
    if super::rippling::is_document(object) {
        return Some(SourceKind::Rippling);
    }
    if super::herp::is_document(object) {
        return Some(SourceKind::Herp);
    }
    let kind = if has("hostedUrl") && (has("text") || has("categories")) {
        // One Lever posting (`/v0/postings/{company}/{id}`).
        SourceKind::Lever
    } else if has("absolute_url") && has("internal_job_id") {
        SourceKind::Greenhouse
    } else if has("jobs") && has("apiVersion") {
        SourceKind::Ashby
    } else if has("shortcode") || first_of("results").is_some_and(|r| r.contains_key("shortcode")) {
        SourceKind::Workable
    } else if (has("content") && has("totalFound")) || has("jobAd") {
        SourceKind::SmartRecruiters
    } else if object.get("offers").is_some_and(Value::is_array) {
        SourceKind::Recruitee
    } else if object
        .get("jobs")
        .is_some_and(|jobs| jobs.as_array().is_some_and(Vec::is_empty))
    {
        // An empty board: `{"jobs": []}` with nothing else is Greenhouse's shape.
        SourceKind::Greenhouse
    } else {
        return None;
    };
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every corpus document, the URL it was fetched from, and its kind.
    const CORPUS: &[(&str, &str, SourceKind)] = &[
        (
            include_str!("../../testdata/corpus/ashby/board_rsp.json"),
            "https://api.ashbyhq.com/posting-api/job-board/browserbase",
            SourceKind::Ashby,
        ),
        (
            include_str!("../../testdata/corpus/greenhouse/jobs_rsp.json"),
            "https://boards-api.greenhouse.io/v1/boards/safariai/jobs",
            SourceKind::Greenhouse,
        ),
        (
            include_str!("../../testdata/corpus/greenhouse/job_detail_rsp.json"),
            "https://boards-api.greenhouse.io/v1/boards/anthropic/jobs/5183053008",
            SourceKind::Greenhouse,
        ),
        (
            include_str!("../../testdata/corpus/lever/postings_rsp.json"),
            "https://api.lever.co/v0/postings/leverdemo",
            SourceKind::Lever,
        ),
        (
            include_str!("../../testdata/corpus/workable/jobs_rsp.json"),
            "https://apply.workable.com/api/v3/accounts/blueground/jobs",
            SourceKind::Workable,
        ),
        (
            include_str!("../../testdata/corpus/workable/job_detail_rsp.json"),
            "https://apply.workable.com/api/v2/accounts/blueground/jobs/B02DA69C8F",
            SourceKind::Workable,
        ),
        (
            include_str!("../../testdata/corpus/smartrecruiters/postings_rsp.json"),
            "https://api.smartrecruiters.com/v1/companies/equinox/postings",
            SourceKind::SmartRecruiters,
        ),
        (
            include_str!("../../testdata/corpus/smartrecruiters/posting_detail_rsp.json"),
            "https://api.smartrecruiters.com/v1/companies/equinox/postings/744000137225639",
            SourceKind::SmartRecruiters,
        ),
        (
            include_str!("../../testdata/corpus/recruitee/offers_nulls_rsp.json"),
            "https://bunq.recruitee.com/api/offers/",
            SourceKind::Recruitee,
        ),
        (
            include_str!("../../testdata/corpus/remoteok/jobs_rsp.json"),
            "https://remoteok.com/api",
            SourceKind::RemoteOk,
        ),
        (
            include_str!("../../testdata/corpus/weworkremotely/back_end_rsp.xml"),
            "https://weworkremotely.com/categories/remote-back-end-programming-jobs.rss",
            SourceKind::Rss,
        ),
        (
            include_str!("../../testdata/corpus/nodesk/job_detail_rsp.html"),
            "https://nodesk.co/remote-jobs/sticker-mule-software-engineer/",
            SourceKind::JsonLd,
        ),
        (
            include_str!("../../testdata/corpus/nodesk/job_detail_notfound_rsp.html"),
            "https://nodesk.co/remote-jobs/no-such-job-slug/",
            SourceKind::JsonLd,
        ),
        (
            include_str!("../../testdata/corpus/icims/job_detail_rsp.html"),
            "https://careers-buspatrol.icims.com/jobs/1977/senior-product-manager/job",
            SourceKind::JsonLd,
        ),
        (
            include_str!("../../testdata/corpus/icims/search_rsp.html"),
            "https://careers-buspatrol.icims.com/jobs/search",
            SourceKind::JsonLd,
        ),
        (
            include_str!("../../testdata/corpus/join/job_detail_rsp.html"),
            "https://join.com/companies/routinelabs/16397229-senior-software-engineer-backend-llm-infrastructure",
            SourceKind::JsonLd,
        ),
        (
            include_str!("../../testdata/corpus/engage/job_detail_no_jsonld_rsp.html"),
            "https://en-gage.net/aspark-tokyo/work_17068421/",
            SourceKind::JsonLd,
        ),
        (
            include_str!("../../testdata/corpus/linkedin/job_detail_rsp.html"),
            "https://www.linkedin.com/jobs/view/4422697744",
            SourceKind::JsonLd,
        ),
        (
            include_str!("../../testdata/corpus/himalayas/browse_rsp.json"),
            "https://himalayas.app/jobs/api?limit=3",
            SourceKind::Himalayas,
        ),
        (
            include_str!("../../testdata/corpus/himalayas/search_rsp.json"),
            "https://himalayas.app/jobs/api/search?q=golang&sort=recent",
            SourceKind::Himalayas,
        ),
        (
            include_str!("../../testdata/corpus/workday/nvidia_jobs_rsp.json"),
            "https://nvidia.wd5.myworkdayjobs.com/wday/cxs/nvidia/NVIDIAExternalCareerSite/jobs",
            SourceKind::Workday,
        ),
        (
            include_str!("../../testdata/corpus/workday/nvidia_job_detail_rsp.json"),
            "https://nvidia.wd5.myworkdayjobs.com/wday/cxs/nvidia/NVIDIAExternalCareerSite/job/Israel-Yokneam/Senior-Software-Golang-Kubernetes-Engineer_JR2015916",
            SourceKind::Workday,
        ),
        (
            include_str!("../../testdata/corpus/workday/facets_rsp.json"),
            "https://nvidia.wd5.myworkdayjobs.com/wday/cxs/nvidia/NVIDIAExternalCareerSite/jobs",
            SourceKind::Workday,
        ),
        (
            include_str!("../../testdata/corpus/eightfold/search_rsp.json"),
            "https://morganstanley.eightfold.ai/api/pcsx/search?domain=morganstanley.com&query=&location=&start=0",
            SourceKind::Eightfold,
        ),
        (
            include_str!("../../testdata/corpus/eightfold/position_details_rsp.json"),
            "https://morganstanley.eightfold.ai/api/pcsx/position_details?position_id=549798858854&domain=morganstanley.com&hl=en",
            SourceKind::Eightfold,
        ),
        (
            include_str!("../../testdata/corpus/bamboohr/list_variety_rsp.json"),
            "https://curtinmaritime.bamboohr.com/careers/list",
            SourceKind::BambooHr,
        ),
        (
            include_str!("../../testdata/corpus/bamboohr/list_empty_rsp.json"),
            "https://zapier.bamboohr.com/careers/list",
            SourceKind::BambooHr,
        ),
        (
            include_str!("../../testdata/corpus/bamboohr/detail_rsp.json"),
            "https://curtinmaritime.bamboohr.com/careers/201/detail",
            SourceKind::BambooHr,
        ),
        (
            include_str!("../../testdata/corpus/teamtailor/jobs_nulls_rsp.json"),
            "https://tiptapp.teamtailor.com/jobs.json",
            SourceKind::Teamtailor,
        ),
        (
            include_str!("../../testdata/corpus/teamtailor/jobs_missing_location_rsp.json"),
            "https://carrtalent.na.teamtailor.com/jobs.json",
            SourceKind::Teamtailor,
        ),
        (
            include_str!("../../testdata/corpus/rippling/jobs_rsp.json"),
            "https://api.rippling.com/platform/api/ats/v1/board/pythian/jobs",
            SourceKind::Rippling,
        ),
        (
            include_str!("../../testdata/corpus/rippling/job_detail_rsp.json"),
            "https://api.rippling.com/platform/api/ats/v1/board/pythian/jobs/144f31c4-38a4-4666-97b4-2c88a3f123da",
            SourceKind::Rippling,
        ),
        (
            include_str!("../../testdata/corpus/herp/company_rsp.json"),
            "https://herp.careers/careers/api/v1/companies/notainc",
            SourceKind::Herp,
        ),
        (
            include_str!("../../testdata/corpus/herp/company_sparse_rsp.json"),
            "https://herp.careers/careers/api/v1/companies/resmahr",
            SourceKind::Herp,
        ),
        (
            include_str!("../../testdata/corpus/herp/jobs_rsp.json"),
            "https://herp.careers/careers/api/v1/jobs?page=1&limit=2",
            SourceKind::Herp,
        ),
        (
            include_str!("../../testdata/corpus/dayforce/search_rsp.json"),
            "https://jobs.dayforcehcm.com/api/geo/pca/jobposting/search",
            SourceKind::Dayforce,
        ),
        (
            include_str!("../../testdata/corpus/dayforce/search_page2_rsp.json"),
            "https://jobs.dayforcehcm.com/api/geo/pca/jobposting/search",
            SourceKind::Dayforce,
        ),
        (
            include_str!("../../testdata/corpus/dayforce/detail_rsp.json"),
            "https://jobs.dayforcehcm.com/api/geo/pca/jobposting/pca/en-US/1/62374",
            SourceKind::Dayforce,
        ),
        (
            include_str!("../../testdata/corpus/dayforce/detail_null_currency_rsp.json"),
            "https://jobs.dayforcehcm.com/api/geo/jdemea/jobposting/jdemea/en-US/1/35762",
            SourceKind::Dayforce,
        ),
        (
            include_str!("../../testdata/corpus/dayforce/detail_null_description_header_rsp.json"),
            "https://jobs.dayforcehcm.com/api/geo/ara/jobposting/ara/en-US/1/8",
            SourceKind::Dayforce,
        ),
        (
            include_str!("../../testdata/corpus/oracle/search_rsp.json"),
            "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmRestApi/resources/latest/recruitingCEJobRequisitions?onlyData=true&finder=findReqs%3BsiteNumber%3DCX_1%2CfacetsList%3DNONE%2Climit%3D3%2Coffset%3D0",
            SourceKind::Oracle,
        ),
        (
            include_str!("../../testdata/corpus/oracle/search_facets_rsp.json"),
            "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmRestApi/resources/latest/recruitingCEJobRequisitions?onlyData=true&finder=findReqs%3BsiteNumber%3DCX_1%2Climit%3D1%2Coffset%3D0",
            SourceKind::Oracle,
        ),
        (
            include_str!("../../testdata/corpus/oracle/job_detail_rsp.json"),
            "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmRestApi/resources/latest/recruitingCEJobRequisitionDetails?onlyData=true&finder=ById%3BId%3D%22386920%22%2CsiteNumber%3DCX_1",
            SourceKind::Oracle,
        ),
        (
            include_str!("../../testdata/corpus/oracle/job_detail_not_found_rsp.json"),
            "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmRestApi/resources/latest/recruitingCEJobRequisitionDetails?onlyData=true&finder=ById%3BId%3D%22999999999999%22%2CsiteNumber%3DCX_1",
            SourceKind::Oracle,
        ),
        // A careers site's page is HTML like any page (its postings are in the API).
        (
            include_str!("../../testdata/corpus/oracle/careers_page_rsp.html"),
            "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/CandidateExperience/en/sites/Mayo-US/jobs",
            SourceKind::JsonLd,
        ),
        (
            include_str!("../../testdata/corpus/ultipro/search_rsp.json"),
            "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/JobBoardView/LoadSearchResults",
            SourceKind::UltiPro,
        ),
        (
            include_str!("../../testdata/corpus/ultipro/detail_rsp.html"),
            "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/OpportunityDetail?opportunityId=0b81b2f5-ffe3-4604-93b8-19d912c2424f",
            SourceKind::UltiPro,
        ),
        (
            include_str!("../../testdata/corpus/ultipro/detail_not_found_rsp.html"),
            "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/OpportunityDetail?opportunityId=00000000-0000-0000-0000-000000000000",
            SourceKind::UltiPro,
        ),
    ];

    /// Error answers of the corpus: their address says whose they are (and the extractor
    /// says why); their content alone is no known kind, not another provider's.
    const ERRORS: &[(&str, &str, SourceKind)] = &[
        (
            include_str!("../../testdata/corpus/bamboohr/detail_not_found_rsp.json"),
            "https://giatecscientific.bamboohr.com/careers/999999/detail",
            SourceKind::BambooHr,
        ),
        (
            include_str!("../../testdata/corpus/rippling/jobs_unknown_board_rsp.json"),
            "https://api.rippling.com/platform/api/ats/v1/board/this-board-does-not-exist-xyz/jobs",
            SourceKind::Rippling,
        ),
        (
            include_str!("../../testdata/corpus/rippling/job_not_found_rsp.json"),
            "https://ats.rippling.com/api/v1/board/pythian/jobs/1b2c3d4e-5f60-4789-8abc-def012345678",
            SourceKind::Rippling,
        ),
        (
            include_str!("../../testdata/corpus/herp/company_not_found_rsp.json"),
            "https://herp.careers/careers/api/v1/companies/this-company-does-not-exist-xyz",
            SourceKind::Herp,
        ),
    ];

    const SUCCESSFACTORS: &[(&str, &str, SourceKind)] = &[
        (
            include_str!("../../testdata/corpus/successfactors/search_rsp.html"),
            "https://jobs.sap.com/search/?q=engineer&locationsearch=&optionsFacetsDD_department=&optionsFacetsDD_customfield3=&optionsFacetsDD_country=&startrow=0",
            SourceKind::SuccessFactors,
        ),
        (
            include_str!("../../testdata/corpus/successfactors/search_no_results_rsp.html"),
            "https://jobs.sap.com/search/?q=zzzznonexistentkeyword12345&locationsearch=&optionsFacetsDD_department=&optionsFacetsDD_customfield3=&optionsFacetsDD_country=&startrow=0",
            SourceKind::SuccessFactors,
        ),
        (
            include_str!("../../testdata/corpus/successfactors/job_detail_rsp.html"),
            "https://jobs.sap.com/job/1414343333/1414343333/",
            SourceKind::SuccessFactors,
        ),
        (
            include_str!("../../testdata/corpus/successfactors/job_detail_not_found_rsp.html"),
            "https://jobs.sap.com/job/999999999/999999999/",
            SourceKind::SuccessFactors,
        ),
    ];

    #[test]
    fn successfactors_pages_are_detected_by_their_markers_and_hosts() {
        for (body, url, kind) in SUCCESSFACTORS {
            assert_eq!(detect_kind(body, None), Ok(*kind), "{url}");
            let url = url::Url::parse(url).unwrap();
            assert_eq!(detect_kind(body, Some(&url)), Ok(*kind), "{url}");
        }
        let page = "<!DOCTYPE html><html><body>hello</body></html>";
        for host in [
            "career5.successfactors.eu",
            "career4.successfactors.com",
            "career55.sapsf.eu",
            "acme.jobs2web.com",
        ] {
            let url = url::Url::parse(&format!("https://{host}/career")).unwrap();
            assert_eq!(
                detect_kind(page, Some(&url)),
                Ok(SourceKind::SuccessFactors)
            );
        }
        for (body, url, kind) in CORPUS {
            if *kind == SourceKind::JsonLd {
                assert!(!super::super::successfactors::is_page(body), "{url}");
            }
        }
    }

    const AVATURE: &[(&str, &str, SourceKind)] = &[
        (
            include_str!("../../testdata/corpus/avature/search_rsp.html"),
            "https://bloomberg.avature.net/careers/SearchJobs/",
            SourceKind::Avature,
        ),
        (
            include_str!("../../testdata/corpus/avature/search_offset_rsp.html"),
            "https://bloomberg.avature.net/careers/SearchJobs/?jobOffset=12",
            SourceKind::Avature,
        ),
        (
            include_str!("../../testdata/corpus/avature/search_no_results_rsp.html"),
            "https://bloomberg.avature.net/careers/SearchJobs/?search=zzzznonexistentkeyword12345",
            SourceKind::Avature,
        ),
        (
            include_str!("../../testdata/corpus/avature/job_detail_rsp.html"),
            "https://bloomberg.avature.net/careers/JobDetail/Enterprise-Services-FXGO-Tradedesk-Client-Services-Specialist-Singapore/20873",
            SourceKind::Avature,
        ),
        (
            include_str!("../../testdata/corpus/avature/job_detail_not_found_rsp.html"),
            "https://bloomberg.avature.net/careers/JobDetail/Nonexistent-Job/999999999",
            SourceKind::Avature,
        ),
    ];

    #[test]
    fn avature_pages_are_detected_by_their_meta_tags_and_hosts() {
        for (body, url, kind) in AVATURE {
            assert_eq!(detect_kind(body, None), Ok(*kind), "{url}");
            let url = url::Url::parse(url).unwrap();
            assert_eq!(detect_kind(body, Some(&url)), Ok(*kind), "{url}");
        }
        let page = "<!DOCTYPE html><html><body>hello</body></html>";
        let url = url::Url::parse("https://acme.avature.net/careers/SearchJobs").unwrap();
        assert_eq!(detect_kind(page, Some(&url)), Ok(SourceKind::Avature));
        for (body, url, kind) in CORPUS.iter().chain(SUCCESSFACTORS) {
            if *kind != SourceKind::Avature {
                assert!(!super::super::avature::is_page(body), "{url}");
            }
        }
        for (body, url, _) in AVATURE {
            assert!(!super::super::successfactors::is_page(body), "{url}");
            assert!(!super::super::ultipro::is_opportunity_page(body), "{url}");
        }
    }

    /// Corpus documents only their address places: error pages without provider markers.
    const BY_URL_ONLY: &[(&str, &str, SourceKind)] = &[(
        include_str!("../../testdata/corpus/ultipro/search_unknown_company_rsp.html"),
        "https://recruiting.ultipro.com/NOSUCHCOMPANYXYZ/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/JobBoardView/LoadSearchResults",
        SourceKind::UltiPro,
    )];

    #[test]
    fn career_site_error_pages_are_placed_by_their_address_alone() {
        for (body, url, kind) in BY_URL_ONLY {
            assert_eq!(detect_kind(body, None), Ok(SourceKind::JsonLd), "{url}");
            let url = url::Url::parse(url).unwrap();
            assert_eq!(detect_kind(body, Some(&url)), Ok(*kind), "{url}");
        }
    }

    #[test]
    fn career_site_hosts_place_html_and_other_hosts_keep_sniffing() {
        let page = "<!DOCTYPE html><html><body>hello</body></html>";
        for (url, kind) in [
            (
                "https://recruiting.ultipro.com/T/JobBoard/b/",
                SourceKind::UltiPro,
            ),
            (
                "https://recruiting2.ultipro.com/T/JobBoard/b/",
                SourceKind::UltiPro,
            ),
            (
                "https://recruiting.ultipro.ca/T/JobBoard/b/",
                SourceKind::UltiPro,
            ),
            (
                "https://acme.rec.pro.ukg.net/T/JobBoard/b/",
                SourceKind::UltiPro,
            ),
            ("https://www.ultipro.com/", SourceKind::JsonLd),
            ("https://ultipro.com.example.org/", SourceKind::JsonLd),
            ("https://careers.example.com/jobs/1", SourceKind::JsonLd),
            (
                "https://boards.greenhouse.io/acme/jobs/1",
                SourceKind::JsonLd,
            ),
        ] {
            let url = url::Url::parse(url).unwrap();
            assert_eq!(detect_kind(page, Some(&url)), Ok(kind), "{url}");
        }
        let url = url::Url::parse("https://recruiting.ultipro.com/T/JobBoard/b/x").unwrap();
        assert_eq!(detect_kind("[]", Some(&url)), Ok(SourceKind::UltiPro));
    }

    #[test]
    fn every_other_corpus_document_is_no_career_site_page() {
        for (body, url, kind) in CORPUS {
            if *kind != SourceKind::JsonLd {
                continue;
            }
            assert!(!super::super::ultipro::is_opportunity_page(body), "{url}");
        }
    }

    #[test]
    fn every_corpus_document_is_detected_from_its_content_alone() {
        for (body, url, kind) in CORPUS {
            assert_eq!(detect_kind(body, None), Ok(*kind), "{url}");
        }
    }

    #[test]
    fn every_corpus_document_is_detected_with_its_url() {
        for (body, url, kind) in CORPUS {
            let url = url::Url::parse(url).unwrap();
            assert_eq!(detect_kind(body, Some(&url)), Ok(*kind), "{url}");
        }
    }

    #[test]
    fn the_url_decides_for_json_that_sniffing_cannot_place() {
        let url = url::Url::parse("https://api.lever.co/v0/postings/acme").unwrap();
        assert_eq!(detect_kind("[]", Some(&url)), Ok(SourceKind::Lever));
        let url = url::Url::parse("https://acme.recruitee.com/api/offers/").unwrap();
        assert_eq!(detect_kind("{}", Some(&url)), Ok(SourceKind::Recruitee));
        // A refusal names no jobs; its address says whose it is (and the extractor says why).
        let url = url::Url::parse("https://himalayas.app/jobs/api/search?company=x").unwrap();
        let refusal =
            include_str!("../../testdata/corpus/himalayas/search_unknown_company_rsp.json");
        assert_eq!(detect_kind(refusal, Some(&url)), Ok(SourceKind::Himalayas));
    }

    #[test]
    fn an_html_error_page_from_an_api_host_is_sniffed_as_a_page() {
        let url = url::Url::parse("https://api.lever.co/v0/postings/acme").unwrap();
        assert_eq!(
            detect_kind("<!DOCTYPE html><html><body>502</body></html>", Some(&url)),
            Ok(SourceKind::JsonLd)
        );
    }

    #[test]
    fn json_shapes_are_told_apart_by_their_keys() {
        let cases = [
            (r#"{"jobs":[]}"#, SourceKind::Greenhouse),
            (
                r#"{"jobs":[{"jobUrl":"x"}],"apiVersion":"1"}"#,
                SourceKind::Ashby,
            ),
            (r#"{"shortcode":"AB12"}"#, SourceKind::Workable),
            (r#"{"id":"1","jobAd":{}}"#, SourceKind::SmartRecruiters),
            (r#"{"offers":[]}"#, SourceKind::Recruitee),
            (r#"[{"id":"x","hostedUrl":"u"}]"#, SourceKind::Lever),
            (
                r#"{"jobs":[{"guid":"g","applicationLink":"a"}],"totalCount":1}"#,
                SourceKind::Himalayas,
            ),
            (
                r#"{"opportunities":[{"Id":"x","Title":"t","JobLocationType":1}],"totalCount":1}"#,
                SourceKind::UltiPro,
            ),
        ];
        for (body, kind) in cases {
            assert_eq!(detect_kind(body, None), Ok(kind), "{body}");
        }
    }

    #[test]
    fn unknown_documents_are_refused_with_a_reason() {
        for body in [
            "plain text",
            r#"{"hello":"world"}"#,
            r#"{"opportunities":[{"Id":"x","Title":"t"}],"totalCount":1}"#,
            r#"{"opportunities":[],"totalCount":0}"#,
            "[1,2]",
            "{broken",
            "[]",
        ] {
            assert!(
                matches!(detect_kind(body, None), Err(ParseError::UnknownKind(_))),
                "{body}"
            );
        }
    }

    #[test]
    fn feeds_and_pages_are_told_apart_by_their_root() {
        assert_eq!(
            detect_kind(
                "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"/>",
                None
            ),
            Ok(SourceKind::Rss)
        );
        assert_eq!(
            detect_kind("\u{feff}  <rss version=\"2.0\"></rss>", None),
            Ok(SourceKind::Rss)
        );
        assert_eq!(
            detect_kind(
                "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"></html>",
                None
            ),
            Ok(SourceKind::JsonLd)
        );
        assert_eq!(
            detect_kind("<div>fragment</div>", None),
            Ok(SourceKind::JsonLd)
        );
    }

    #[test]
    fn one_lever_posting_is_lever_by_its_shape() {
        let list = include_str!("../../testdata/corpus/lever/postings_rsp.json");
        let list: Value = serde_json::from_str(list).unwrap();
        let one = list[0].to_string();
        assert_eq!(detect_kind(&one, None), Ok(SourceKind::Lever));
    }

    #[test]
    fn workday_and_eightfold_are_told_by_their_api_paths_and_shapes_without_confusing_look_alikes()
    {
        let url = |text: &str| url::Url::parse(text).unwrap();
        // Eightfold's not-found answer is its usual envelope with an empty `data`: only its
        // address places it.
        let gone =
            include_str!("../../testdata/corpus/eightfold/position_details_not_found_rsp.json");
        assert!(detect_kind(gone, None).is_err());
        let details = url(
            "https://morganstanley.eightfold.ai/api/pcsx/position_details?position_id=1&domain=morganstanley.com&hl=en",
        );
        assert_eq!(detect_kind(gone, Some(&details)), Ok(SourceKind::Eightfold));
        let own_host =
            url("https://apply.careers.microsoft.com/api/pcsx/search?domain=microsoft.com");
        assert_eq!(
            detect_kind("{}", Some(&own_host)),
            Ok(SourceKind::Eightfold)
        );
        let site = url("https://wd1.myworkdaysite.com/wday/cxs/wf/WellsFargoJobs/jobs");
        assert_eq!(detect_kind("{}", Some(&site)), Ok(SourceKind::Workday));
        let cases = [
            (
                r#"{"total": 0, "jobPostings": [], "facets": []}"#,
                Some(SourceKind::Workday),
            ),
            (
                r#"{"jobPostingInfo": {"title": "x"}, "hiringOrganization": {}}"#,
                Some(SourceKind::Workday),
            ),
            (
                r#"{"status": 200, "data": {"positions": [{"id": 1, "name": "x", "positionUrl": "/careers/job/1"}], "count": 1}}"#,
                Some(SourceKind::Eightfold),
            ),
            (
                r#"{"positions": [{"id": 1, "name": "x", "canonicalPositionUrl": "https://x.eightfold.ai/careers/job/1"}]}"#,
                Some(SourceKind::Eightfold),
            ),
            // Dayforce also lists `jobPostings`, without Workday's `externalPath`.
            (
                r#"{"jobPostings": [{"jobPostingId": 1, "jobTitle": "x"}], "maxCount": 1}"#,
                Some(SourceKind::Dayforce),
            ),
            (r#"{"jobPostings": []}"#, None),
            (r#"{"data": {"positions": [{"title": "x"}]}}"#, None),
            (r#"{"data": {"name": "x"}}"#, None),
        ];
        for (body, kind) in cases {
            assert_eq!(detect_kind(body, None).ok(), kind, "{body}");
        }
    }

    #[test]
    fn error_answers_are_placed_by_their_address_only() {
        for (body, url, kind) in ERRORS {
            let parsed = url::Url::parse(url).unwrap();
            assert_eq!(detect_kind(body, Some(&parsed)), Ok(*kind), "{url}");
            assert!(
                matches!(detect_kind(body, None), Err(ParseError::UnknownKind(_))),
                "{url}"
            );
        }
    }

    #[test]
    fn dayforce_problems_and_attribute_lists_are_dayforce_only_by_their_address() {
        let documents = [
            (
                include_str!("../../testdata/corpus/dayforce/detail_not_found_rsp.json"),
                "https://jobs.dayforcehcm.com/api/geo/pca/jobposting/pca/en-US/1/99999999",
            ),
            (
                include_str!("../../testdata/corpus/dayforce/search_unknown_tenant_rsp.json"),
                "https://jobs.dayforcehcm.com/api/geo/nosuchtenantxyz/jobposting/search",
            ),
            (
                include_str!("../../testdata/corpus/dayforce/attributes_departments_rsp.json"),
                "https://jobs.dayforcehcm.com/api/geo/pca/postingattributes/departments/pca/1/en-US",
            ),
        ];
        for (body, address) in documents {
            let url = url::Url::parse(address).unwrap();
            assert_eq!(
                detect_kind(body, Some(&url)),
                Ok(SourceKind::Dayforce),
                "{address}"
            );
            // An RFC 9457 problem or a list of attributes could be anyone's.
            assert!(
                matches!(detect_kind(body, None), Err(ParseError::UnknownKind(_))),
                "{address}"
            );
        }
        // The board's own page is not the API.
        let page =
            url::Url::parse("https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL").unwrap();
        assert_eq!(
            detect_kind("<!DOCTYPE html><html></html>", Some(&page)),
            Ok(SourceKind::JsonLd)
        );
    }

    #[test]
    fn look_alikes_of_dayforce_and_oracle_are_not_taken_for_them() {
        for body in [
            r#"{"jobPostings": [{"id": 1}]}"#,
            r#"{"jobPostingId": 1, "jobTitle": "x"}"#,
            r#"{"items": [{"id": 1, "title": "x"}], "count": 1}"#,
            r#"{"items": [], "links": [{"href": "https://example.com/api/items"}]}"#,
            r#"{"items": []}"#,
        ] {
            assert!(
                matches!(detect_kind(body, None), Err(ParseError::UnknownKind(_))),
                "{body}"
            );
        }
        let cases = [
            (
                r#"{"jobPostings": [], "maxCount": 0}"#,
                SourceKind::Dayforce,
            ),
            (
                r#"{"jobPostingId": 1, "jobTitle": "x", "jobPostingContent": {}}"#,
                SourceKind::Dayforce,
            ),
            (
                r#"{"items": [{"TotalJobsCount": 0, "requisitionList": []}]}"#,
                SourceKind::Oracle,
            ),
        ];
        for (body, kind) in cases {
            assert_eq!(detect_kind(body, None), Ok(kind), "{body}");
        }
        // Other hosts' `/api/` and `/hcmRestApi/` paths are not these kinds.
        let url = url::Url::parse("https://dayforcehcm.example.com/api/x").unwrap();
        assert!(detect_kind("{}", Some(&url)).is_err());
        let url = url::Url::parse("https://oraclecloud.com.example/hcmRestApi/x").unwrap();
        assert!(detect_kind("{}", Some(&url)).is_err());
    }
}
