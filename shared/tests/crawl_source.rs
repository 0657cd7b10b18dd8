//! The crawl of one source (`crawl::source`) through the real HTTP fetcher against a local
//! server that serves the recorded corpus at its original paths: paging of every API kind,
//! conditional GET, the page cap, `html` listings with posting pages, robots.txt, and what
//! the server was (and was not) asked for.
#![cfg(feature = "http")]

mod support;

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jobfeed::JobPosting;
use jobfeed::config::SourceConfig;
use jobfeed::crawl::fetch::{DisallowReason, FetchConfig, FetchError, FetchRequest, Fetcher};
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::crawl::source::{CrawlError, CrawlOutput, CrawlReport, crawl_source};
use jobfeed::model::SourceKind;
use jobfeed::model::Validators;
use serde_json::{Value, json};
use support::now;

const ROBOTS: &str = "User-agent: *\nDisallow: /private/\n";
const GREENHOUSE_ETAG: &str = "\"gh-safariai-1\"";
const WWR_LAST_MODIFIED: &str = "Mon, 13 Jul 2026 08:00:00 GMT";
const WORKABLE_TOKEN: &str = "WzE3ODEwNDk2MDAwMDAsNTg0NDk1Nl0=";

const GREENHOUSE: &str = include_str!("../testdata/corpus/greenhouse/jobs_rsp.json");
const LEVER: &str = include_str!("../testdata/corpus/lever/postings_rsp.json");
const WORKABLE: &str = include_str!("../testdata/corpus/workable/jobs_rsp.json");
const HIMALAYAS: &str = include_str!("../testdata/corpus/himalayas/search_rsp.json");
const SMARTRECRUITERS: &str = include_str!("../testdata/corpus/smartrecruiters/postings_rsp.json");
const WWR: &str = include_str!("../testdata/corpus/weworkremotely/back_end_rsp.xml");
const NODESK: &str = include_str!("../testdata/corpus/nodesk/job_detail_rsp.html");
const NODESK_GONE: &str = include_str!("../testdata/corpus/nodesk/job_detail_notfound_rsp.html");
const JOIN: &str = include_str!("../testdata/corpus/join/job_detail_rsp.html");
const ENGAGE: &str = include_str!("../testdata/corpus/engage/job_detail_no_jsonld_rsp.html");
const PAGE_1: &str = include_str!("../testdata/synthetic/crawl/page-1.html");
const PAGE_2: &str = include_str!("../testdata/synthetic/crawl/page-2.html");
const BROKEN: &str = include_str!("../testdata/synthetic/crawl/broken.html");
const SF_SEARCH: &str = include_str!("../testdata/corpus/successfactors/search_rsp.html");
const SF_JOB: &str = include_str!("../testdata/corpus/successfactors/job_detail_rsp.html");
const AVATURE_SEARCH: &str = include_str!("../testdata/corpus/avature/search_rsp.html");
const AVATURE_SEARCH_OFFSET: &str =
    include_str!("../testdata/corpus/avature/search_offset_rsp.html");
const AVATURE_JOB: &str = include_str!("../testdata/corpus/avature/job_detail_rsp.html");
const ULTIPRO_BOARD: &str = "/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24";
const ULTIPRO_SEARCH: &str = include_str!("../testdata/corpus/ultipro/search_rsp.json");
const ULTIPRO_DETAIL: &str = include_str!("../testdata/corpus/ultipro/detail_rsp.html");
const DAYFORCE_SEARCH: &str = include_str!("../testdata/corpus/dayforce/search_rsp.json");
const DAYFORCE_PAGE_2: &str = include_str!("../testdata/corpus/dayforce/search_page2_rsp.json");
const DAYFORCE_DETAIL: &str = include_str!("../testdata/corpus/dayforce/detail_rsp.json");
const DAYFORCE_TOKEN: &str = "f3a9c0de1b";
const DAYFORCE_COOKIE: &str = "__Host-next-auth.csrf-token=f3a9c0de1b%7C9e8d";
const ORACLE_CAREERS: &str = include_str!("../testdata/corpus/oracle/careers_page_rsp.html");
const ORACLE_SEARCH: &str = include_str!("../testdata/corpus/oracle/search_rsp.json");
const ORACLE_DETAIL: &str = include_str!("../testdata/corpus/oracle/job_detail_rsp.json");
const ORACLE_NOT_FOUND: &str =
    include_str!("../testdata/corpus/oracle/job_detail_not_found_rsp.json");
const BAMBOOHR_LIST: &str = include_str!("../testdata/corpus/bamboohr/list_variety_rsp.json");
const BAMBOOHR_DETAIL: &str = include_str!("../testdata/corpus/bamboohr/detail_rsp.json");
const RIPPLING: &str = include_str!("../testdata/corpus/rippling/jobs_rsp.json");
const RIPPLING_DETAIL: &str = include_str!("../testdata/corpus/rippling/job_detail_rsp.json");
const HERP_JOBS: &str = include_str!("../testdata/corpus/herp/jobs_rsp.json");
const HERP_SPARSE: &str = include_str!("../testdata/corpus/herp/company_sparse_rsp.json");
const TEAMTAILOR: &str = include_str!("../testdata/corpus/teamtailor/jobs_nulls_rsp.json");
const TEAMTAILOR_MORE: &str =
    include_str!("../testdata/corpus/teamtailor/jobs_missing_location_rsp.json");
const WORKDAY_JOBS: &str = include_str!("../testdata/corpus/workday/nvidia_jobs_rsp.json");
const WORKDAY_DETAIL: &str = include_str!("../testdata/corpus/workday/nvidia_job_detail_rsp.json");
const EIGHTFOLD_SEARCH: &str = include_str!("../testdata/corpus/eightfold/search_rsp.json");
const EIGHTFOLD_DETAILS: &str =
    include_str!("../testdata/corpus/eightfold/position_details_rsp.json");
const EIGHTFOLD_NOT_FOUND: &str =
    include_str!("../testdata/corpus/eightfold/position_details_not_found_rsp.json");

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    host: String,
    path: String,
    query: Option<String>,
    method: String,
    headers: HeaderMap,
    body: String,
}

struct TestServer {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl TestServer {
    async fn start() -> Self {
        let log = Arc::new(Mutex::new(Vec::new()));
        let state_log = Arc::clone(&log);
        let addr = support::serve(move |addr| {
            Router::new().fallback(handle).with_state(ServerState {
                log: state_log,
                port: addr.port(),
            })
        })
        .await;
        Self { addr, log }
    }

    /// A source from TOML lines fetched from this server (see `support::source`).
    fn source(&self, lines: &str) -> SourceConfig {
        support::source(self.addr, lines)
    }

    fn log(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// Requests for `path` (robots.txt aside), in order.
    fn hits(&self, path: &str) -> Vec<Seen> {
        self.log().into_iter().filter(|s| s.path == path).collect()
    }
}

#[derive(Clone)]
struct ServerState {
    log: Arc<Mutex<Vec<Seen>>>,
    port: u16,
}

async fn handle(State(state): State<ServerState>, request: Request) -> Response {
    let headers = request.headers().clone();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':'))
        .map(|(name, _)| name.to_owned())
        .unwrap_or_default();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let method = request.method().to_string();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap();
    let seen = Seen {
        host,
        path,
        query,
        method,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    state.log.lock().unwrap().push(seen.clone());
    respond(&seen, state.port)
}

/// The corpus at its original paths, plus the synthetic pages each test needs.
fn respond(seen: &Seen, port: u16) -> Response {
    let html = |body: &str| {
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body.to_owned(),
        )
    };
    let json = |value: Value| {
        (
            [(header::CONTENT_TYPE, "application/json")],
            value.to_string(),
        )
    };
    let param = |key: &str| -> Option<usize> {
        let query = seen.query.as_deref()?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.parse().ok())
    };
    match seen.path.as_str() {
        "/robots.txt" => ROBOTS.into_response(),
        "/v1/boards/safariai/jobs" => {
            let sent = seen.headers.get(header::IF_NONE_MATCH);
            if sent.is_some_and(|etag| etag == GREENHOUSE_ETAG) {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            let headers = [
                (header::CONTENT_TYPE, "application/json"),
                (header::ETAG, GREENHOUSE_ETAG),
            ];
            (headers, GREENHOUSE).into_response()
        }
        // Lever pages are slices of the recorded array (3 postings).
        "/v0/postings/leverdemo" => {
            let all: Vec<Value> = serde_json::from_str(LEVER).unwrap();
            let skip = param("skip").unwrap_or(0).min(all.len());
            let limit = param("limit").unwrap_or(all.len());
            let end = skip.saturating_add(limit).min(all.len());
            json(Value::Array(all[skip..end].to_vec())).into_response()
        }
        // Workable: the recorded first page (10 results and a `nextPage`), then a last page.
        "/api/v3/accounts/blueground/jobs" if seen.method == "POST" => {
            let body: Value = serde_json::from_str(&seen.body).unwrap_or(Value::Null);
            match body.get("token").and_then(Value::as_str) {
                None => (
                    [(header::CONTENT_TYPE, "application/json")],
                    WORKABLE.to_owned(),
                )
                    .into_response(),
                Some(WORKABLE_TOKEN) => json(workable_last_page()).into_response(),
                Some(_) => StatusCode::BAD_REQUEST.into_response(),
            }
        }
        // SmartRecruiters: the recorded page of 5 with a total of 7, then 2 more at offset 5.
        "/v1/companies/equinox/postings" => match param("offset").unwrap_or(0) {
            0 => {
                let mut page: Value = serde_json::from_str(SMARTRECRUITERS).unwrap();
                page["totalFound"] = json!(7);
                json(page).into_response()
            }
            5 => json(smartrecruiters_second_page()).into_response(),
            _ => StatusCode::BAD_REQUEST.into_response(),
        },
        path if path.starts_with(ULTIPRO_BOARD) => ultipro(seen, path),
        // SuccessFactors: the recorded search (its total cut to 27), a last page of 2 rows
        // at startrow 25, and every job page (the recorded one under the asked-for id).
        "/search/" => match param("startrow").unwrap_or(0) {
            0 => html(&SF_SEARCH.replace("of <b>633</b>", "of <b>27</b>")).into_response(),
            25 => html(&successfactors_last_page()).into_response(),
            _ => StatusCode::BAD_REQUEST.into_response(),
        },
        // Avature: the recorded search pages (1-12 and 13-24, their total cut to 24) and
        // every job page (the recorded one under the asked-for id), their links to the
        // portal's host pointed at this server.
        "/careers/SearchJobs/" => {
            let local = |body: &str| {
                body.replace(
                    "https://bloomberg.avature.net",
                    &format!("http://127.0.0.1:{port}"),
                )
                .replace("of 436", "of 24")
            };
            match param("jobOffset").unwrap_or(0) {
                0 => html(&local(AVATURE_SEARCH)).into_response(),
                12 => html(&local(AVATURE_SEARCH_OFFSET)).into_response(),
                _ => StatusCode::BAD_REQUEST.into_response(),
            }
        }
        path if path.starts_with("/careers/JobDetail/") => {
            let id = path.rsplit('/').next().unwrap_or_default();
            let body = AVATURE_JOB
                .replace(
                    "https://bloomberg.avature.net",
                    &format!("http://127.0.0.1:{port}"),
                )
                .replace("20873", id);
            html(&body).into_response()
        }
        path if path.starts_with("/job/") => {
            let id = path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default();
            html(&SF_JOB.replace("1414343333", id)).into_response()
        }
        // Himalayas search: the recorded page of 20 (its total cut to 23), then 3 more.
        "/jobs/api/search" => match param("page").unwrap_or(1) {
            1 => {
                let mut page: Value = serde_json::from_str(HIMALAYAS).unwrap();
                page["totalCount"] = json!(23);
                json(page).into_response()
            }
            2 => json(himalayas_second_page()).into_response(),
            _ => StatusCode::BAD_REQUEST.into_response(),
        },
        "/categories/remote-back-end-programming-jobs.rss" => {
            let headers = [
                (header::CONTENT_TYPE, "application/rss+xml"),
                (header::LAST_MODIFIED, WWR_LAST_MODIFIED),
            ];
            (headers, WWR).into_response()
        }
        // Dayforce: the CSRF pre-flight sets a cookie; the search wants both back (403 else).
        "/api/auth/csrf" => (
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (
                    header::SET_COOKIE,
                    format!("{DAYFORCE_COOKIE}; Path=/; HttpOnly; SameSite=Lax"),
                ),
            ],
            json!({ "csrfToken": DAYFORCE_TOKEN }).to_string(),
        )
            .into_response(),
        "/api/geo/pca/jobposting/search" if seen.method == "POST" => {
            let token = seen.headers.get("x-csrf-token");
            let cookie = seen
                .headers
                .get(header::COOKIE)
                .and_then(|c| c.to_str().ok());
            if token.is_none_or(|t| t != DAYFORCE_TOKEN)
                || cookie.is_none_or(|c| !c.split("; ").any(|pair| pair == DAYFORCE_COOKIE))
            {
                return (StatusCode::FORBIDDEN, "Forbidden").into_response();
            }
            let body: Value = serde_json::from_str(&seen.body).unwrap_or(Value::Null);
            match body["paginationStart"].as_u64() {
                Some(0) => {
                    let mut page: Value = serde_json::from_str(DAYFORCE_SEARCH).unwrap();
                    page["maxCount"] = json!(27);
                    json(page).into_response()
                }
                Some(25) => json(dayforce_second_page()).into_response(),
                _ => StatusCode::BAD_REQUEST.into_response(),
            }
        }
        // A board whose search refuses every page after the first, token or not (an expired
        // session the pre-flight cannot renew).
        "/api/geo/expiring/jobposting/search" if seen.method == "POST" => {
            let body: Value = serde_json::from_str(&seen.body).unwrap_or(Value::Null);
            match body["paginationStart"].as_u64() {
                Some(0) => {
                    let mut page: Value = serde_json::from_str(DAYFORCE_SEARCH).unwrap();
                    page["maxCount"] = json!(27);
                    json(page).into_response()
                }
                _ => (StatusCode::FORBIDDEN, "Forbidden").into_response(),
            }
        }
        path if path.starts_with("/api/geo/pca/jobposting/pca/en-US/1/") => {
            let id = path.rsplit('/').next().unwrap_or_default();
            match dayforce_detail(id) {
                Some(detail) => json(detail).into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }
        // Oracle: the careers page names the site number and (here) this server as the API.
        "/hcmUI/CandidateExperience/en/sites/Mayo-US/jobs" => html(&ORACLE_CAREERS.replace(
            "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com:443",
            &format!("http://127.0.0.1:{port}"),
        ))
        .into_response(),
        "/hcmRestApi/resources/latest/recruitingCEJobRequisitions" => {
            match oracle_finder(seen).as_deref() {
                Some("findReqs;siteNumber=CX_1,facetsList=NONE,limit=25,offset=0") => {
                    let mut page: Value = serde_json::from_str(ORACLE_SEARCH).unwrap();
                    page["items"][0]["TotalJobsCount"] = json!(5);
                    json(page).into_response()
                }
                Some("findReqs;siteNumber=CX_1,facetsList=NONE,limit=25,offset=3") => {
                    json(oracle_second_page()).into_response()
                }
                _ => StatusCode::BAD_REQUEST.into_response(),
            }
        }
        "/hcmRestApi/resources/latest/recruitingCEJobRequisitionDetails" => {
            let finder = oracle_finder(seen).unwrap_or_default();
            let id = finder
                .strip_prefix("ById;Id=\"")
                .and_then(|rest| rest.strip_suffix("\",siteNumber=CX_1"))
                .unwrap_or_default();
            match oracle_detail(id) {
                Some(detail) => json(detail).into_response(),
                None => json(serde_json::from_str(ORACLE_NOT_FOUND).unwrap()).into_response(),
            }
        }
        "/careers/page-1.html" | "/private/page-1.html" => {
            html(&PAGE_1.replace("{{PORT}}", &port.to_string())).into_response()
        }
        "/careers/page-2.html" => html(PAGE_2).into_response(),
        "/careers/broken.html" => html(BROKEN).into_response(),
        "/remote-jobs/sticker-mule-software-engineer/" => html(NODESK).into_response(),
        "/careers/refused-job" => StatusCode::FORBIDDEN.into_response(),
        "/remote-jobs/no-such-job-slug/" => {
            (StatusCode::NOT_FOUND, html(NODESK_GONE)).into_response()
        }
        "/companies/routinelabs/16397229-senior-software-engineer-backend-llm-infrastructure" => {
            html(JOIN).into_response()
        }
        "/aspark-tokyo/work_17068421/" => html(ENGAGE).into_response(),
        "/offhost/job" | "/private/job-1" => html(NODESK).into_response(),
        path if path.starts_with("/wday/cxs/") => workday_respond(seen),
        path if path.starts_with("/api/pcsx/") => eightfold_respond(seen),
        "/careers/list" => json(serde_json::from_str(BAMBOOHR_LIST).unwrap()).into_response(),
        // Teamtailor: the recorded feed of one item, given a `next_url`, then another feed.
        "/jobs.json" => match seen.query.as_deref() {
            Some("per_page=100") => {
                let mut feed: Value = serde_json::from_str(TEAMTAILOR).unwrap();
                let next = format!("http://127.0.0.1:{port}/jobs.json?page=2&per_page=100");
                feed["next_url"] = json!(next);
                json(feed).into_response()
            }
            Some("page=2&per_page=100") => {
                json(serde_json::from_str(TEAMTAILOR_MORE).unwrap()).into_response()
            }
            _ => StatusCode::BAD_REQUEST.into_response(),
        },
        // HERP's jobs API: the recorded page 1 (its total cut to 2 pages), then a page 2 of
        // the recorded sparse company with two of its jobs.
        "/careers/api/v1/jobs" => match param("page") {
            Some(1) => {
                let mut page: Value = serde_json::from_str(HERP_JOBS).unwrap();
                page["totalPages"] = json!(2);
                json(page).into_response()
            }
            Some(2) => json(herp_second_page()).into_response(),
            _ => StatusCode::BAD_REQUEST.into_response(),
        },
        "/platform/api/ats/v1/board/pythian/jobs" => {
            json(serde_json::from_str(RIPPLING).unwrap()).into_response()
        }
        path if path.starts_with("/platform/api/ats/v1/board/pythian/jobs/") => {
            let uuid = path.rsplit('/').next().unwrap_or_default();
            match rippling_detail(uuid) {
                Some(detail) => json(detail).into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }
        path if path.starts_with("/careers/") && path.ends_with("/detail") => {
            let id = path.split('/').nth(2).unwrap_or_default();
            match bamboohr_detail(id) {
                Some(detail) => json(detail).into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A SuccessFactors search page with rows 26 – 27 of 27.
fn successfactors_last_page() -> String {
    let rows: String = ["9000000001", "9000000002"]
        .iter()
        .map(|id| {
            format!(
                r#"<tr class="data-row"><td class="colTitle">
                <a class="jobTitle-link" href="/job/Walldorf-Synthetic-Role-69190/{id}/">Synthetic Role {id}</a>
                <span class="jobLocation">Walldorf, DE, 69190</span></td></tr>"#
            )
        })
        .collect();
    format!(
        r#"<!DOCTYPE html><html><head><link rel="stylesheet" href="//rmkcdn.successfactors.com/x.css" /></head>
        <body><span class="paginationLabel">Results <b>26 – 27</b> of <b>27</b></span>
        <table id="searchresults"><tbody>{rows}</tbody></table></body></html>"#
    )
}

/// An UltiPro board: the recorded search (its total cut to 23) and 3 more records at `Skip`
/// 20, and each opportunity's page (the recorded one under the asked-for id).
fn ultipro(seen: &Seen, path: &str) -> Response {
    let json = |value: Value| {
        (
            [(header::CONTENT_TYPE, "application/json")],
            value.to_string(),
        )
            .into_response()
    };
    match path.strip_prefix(ULTIPRO_BOARD) {
        Some("/JobBoardView/LoadSearchResults") if seen.method == "POST" => {
            let asked: Value = serde_json::from_str(&seen.body).unwrap_or(Value::Null);
            let mut page: Value = serde_json::from_str(ULTIPRO_SEARCH).unwrap();
            page["totalCount"] = json!(23);
            match asked["opportunitySearch"]["Skip"].as_u64() {
                Some(0) => json(page),
                Some(20) => {
                    let more: Vec<Value> = page["opportunities"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .take(3)
                        .enumerate()
                        .map(|(i, o)| {
                            let mut o = o.clone();
                            o["Id"] = json!(format!("00000000-0000-0000-0000-00000000002{i}"));
                            o
                        })
                        .collect();
                    page["opportunities"] = json!(more);
                    json(page)
                }
                _ => StatusCode::BAD_REQUEST.into_response(),
            }
        }
        Some("/OpportunityDetail") => {
            let id = seen
                .query
                .as_deref()
                .and_then(|q| q.strip_prefix("opportunityId="))
                .unwrap_or_default();
            let body = ULTIPRO_DETAIL.replace("0b81b2f5-ffe3-4604-93b8-19d912c2424f", id);
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The recorded sparse HERP company with two of its jobs, as the jobs API's last page.
fn herp_second_page() -> Value {
    let sparse: Value = serde_json::from_str(HERP_SPARSE).unwrap();
    let mut company = sparse["company"].clone();
    let jobs: Vec<Value> = company["jobs"].as_array().unwrap()[..2].to_vec();
    company["jobs"] = Value::Array(jobs);
    json!({ "companies": [company], "total": 3, "page": 2, "totalPages": 2, "statusCode": 200 })
}

/// The recorded Rippling detail for every job of the recorded board: as recorded for its own
/// job, under another job's uuid, title, address and locations (those of its list rows) for
/// the others.
fn rippling_detail(uuid: &str) -> Option<Value> {
    let rows: Vec<Value> = serde_json::from_str(RIPPLING).unwrap();
    let rows: Vec<&Value> = rows.iter().filter(|row| row["uuid"] == uuid).collect();
    let first = rows.first()?;
    let mut detail: Value = serde_json::from_str(RIPPLING_DETAIL).unwrap();
    if detail["uuid"] != uuid {
        let places: Vec<Value> = rows
            .iter()
            .map(|r| r["workLocation"]["label"].clone())
            .collect();
        detail["uuid"] = json!(uuid);
        detail["name"] = first["name"].clone();
        detail["url"] = first["url"].clone();
        detail["workLocations"] = Value::Array(places);
    }
    Some(detail)
}

/// The recorded BambooHR detail (opening 201) for every opening of the recorded list, under
/// that opening's id and title.
fn bamboohr_detail(id: &str) -> Option<Value> {
    let list: Value = serde_json::from_str(BAMBOOHR_LIST).unwrap();
    let row = list["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["id"] == id)?;
    let mut detail: Value = serde_json::from_str(BAMBOOHR_DETAIL).unwrap();
    let opening = &mut detail["result"]["jobOpening"];
    opening["jobOpeningName"] = row["jobOpeningName"].clone();
    opening["jobOpeningShareUrl"] =
        json!(format!("https://curtinmaritime.bamboohr.com/careers/{id}"));
    Some(detail)
}

/// Two recorded Workable results under new ids: the last page has no `nextPage`.
fn workable_last_page() -> Value {
    let first: Value = serde_json::from_str(WORKABLE).unwrap();
    let results: Vec<Value> = first["results"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            r["id"] = json!(9_000_000 + i);
            r["shortcode"] = json!(format!("SYNTH0000{i}"));
            r
        })
        .collect();
    json!({ "total": 12, "results": results })
}

/// Two recorded SmartRecruiters postings under new ids, as the page at offset 5.
fn smartrecruiters_second_page() -> Value {
    let first: Value = serde_json::from_str(SMARTRECRUITERS).unwrap();
    let content: Vec<Value> = first["content"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .enumerate()
        .map(|(i, p)| {
            let mut p = p.clone();
            p["id"] = json!(format!("90000000000000{i}"));
            p
        })
        .collect();
    json!({ "offset": 5, "limit": 5, "totalFound": 7, "content": content })
}

/// Three recorded Himalayas jobs under new addresses, as the search's second page.
fn himalayas_second_page() -> Value {
    let first: Value = serde_json::from_str(HIMALAYAS).unwrap();
    let jobs: Vec<Value> = first["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .enumerate()
        .map(|(i, job)| {
            let mut job = job.clone();
            let address = format!("https://himalayas.app/companies/synth/jobs/job-{i}");
            job["guid"] = json!(address);
            job["applicationLink"] = json!(address);
            job
        })
        .collect();
    json!({ "offset": 20, "limit": 20, "totalCount": 23, "jobs": jobs })
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new(FetchConfig {
        min_delay_per_host: Duration::from_millis(5),
        ..support::fetch_config()
    })
    .unwrap()
}

/// A crawl's output with its postings normalized as ingest normalizes them.
#[derive(Debug)]
struct Output {
    postings: Vec<JobPosting>,
    complete: bool,
    unchanged: bool,
    validators: BTreeMap<String, Validators>,
    report: CrawlReport,
}

fn normalized(output: CrawlOutput, source: &SourceConfig) -> Output {
    let postings = output
        .postings
        .into_iter()
        .map(|posting| {
            posting
                .normalize(&source.name, source.company.as_deref())
                .expect("every extracted posting normalizes")
        })
        .collect();
    Output {
        postings,
        complete: output.complete,
        unchanged: output.unchanged,
        validators: output.validators,
        report: output.report,
    }
}

async fn crawl(source: &SourceConfig) -> Result<Output, CrawlError> {
    crawl_source(&fetcher(), source, &BTreeMap::new(), now())
        .await
        .map(|output| normalized(output, source))
}

/// Every posting is of `source`, fetched now, and no id repeats.
fn assert_postings_belong_to(output: &Output, source: &str) {
    let ids: HashSet<&str> = output.postings.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), output.postings.len(), "ids are unique");
    for posting in &output.postings {
        assert_eq!(posting.source, source, "{}", posting.title);
        assert_eq!(posting.fetched_at, now());
    }
    assert_eq!(output.report.postings_found as usize, output.postings.len());
}

#[tokio::test]
async fn a_greenhouse_board_is_one_document_and_its_etag_is_kept() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"safari\"\nkind = \"greenhouse\"\nurl = \"{base}/v1/boards/safariai/jobs?content=false\"",
    );
    let output = crawl(&source).await.unwrap();
    assert_eq!(output.postings.len(), 7);
    assert!(output.complete);
    assert!(!output.unchanged);
    assert_postings_belong_to(&output, "safari");
    assert_eq!(output.postings[0].title, "GTM and Business Operations Lead");
    assert_eq!(output.postings[0].company.name, "Safari AI");
    assert_eq!(output.report.pages_fetched, 1);
    assert!(output.report.errors.is_empty());
    let expected = Validators {
        etag: Some(GREENHOUSE_ETAG.into()),
        last_modified: None,
    };
    assert_eq!(
        output.validators,
        BTreeMap::from([(source.url.to_string(), expected)])
    );
    let hits = server.hits("/v1/boards/safariai/jobs");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].query.as_deref(), Some("content=false"));
    assert!(hits[0].headers.get(header::IF_NONE_MATCH).is_none());
}

#[tokio::test]
async fn a_304_to_the_stored_validators_is_unchanged_and_parses_nothing() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"safari\"\nkind = \"greenhouse\"\nurl = \"{base}/v1/boards/safariai/jobs?content=false\"",
    );
    let first = crawl(&source).await.unwrap();
    let second = crawl_source(&fetcher(), &source, &first.validators, now())
        .await
        .unwrap();
    assert!(second.unchanged);
    assert!(
        !second.complete,
        "an unchanged crawl must not close anything"
    );
    assert!(second.postings.is_empty());
    assert_eq!(second.report.not_modified, 1);
    assert_eq!(second.report.pages_fetched, 0);
    assert_eq!(
        second.validators, first.validators,
        "the validators sent stay valid"
    );
    let hits = server.hits("/v1/boards/safariai/jobs");
    assert_eq!(hits.len(), 2);
    assert_eq!(
        hits[1].headers.get(header::IF_NONE_MATCH).unwrap(),
        GREENHOUSE_ETAG
    );
}

#[tokio::test]
async fn the_company_override_replaces_every_postings_company() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"safari\"\nkind = \"greenhouse\"\ncompany = \"Acme Robotics\"\nurl = \"{base}/v1/boards/safariai/jobs\"",
    );
    let output = crawl(&source).await.unwrap();
    assert_eq!(output.postings.len(), 7);
    assert!(
        output
            .postings
            .iter()
            .all(|p| p.company.name == "Acme Robotics")
    );
}

#[tokio::test]
async fn lever_is_followed_by_skip_and_limit_to_the_last_short_page() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"lever\"\nkind = \"lever\"\nurl = \"{base}/v0/postings/leverdemo?mode=json&skip=0&limit=2\"",
    );
    let output = crawl(&source).await.unwrap();
    assert_eq!(output.postings.len(), 3);
    assert!(output.complete);
    assert_postings_belong_to(&output, "lever");
    assert_eq!(output.postings[0].title, "AbelsonTaylor Writer");
    let queries: Vec<Option<String>> = server
        .hits("/v0/postings/leverdemo")
        .into_iter()
        .map(|s| s.query)
        .collect();
    assert_eq!(
        queries,
        [
            Some("mode=json&skip=0&limit=2".to_owned()),
            Some("mode=json&skip=2&limit=2".to_owned())
        ]
    );
    assert_eq!(output.report.pages_fetched, 2);
    assert!(
        output.validators.is_empty(),
        "a paged source is never fetched conditionally"
    );
}

#[tokio::test]
async fn the_page_cap_stops_a_paged_source_and_leaves_it_incomplete() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"lever\"\nkind = \"lever\"\nmax_pages = 1\nurl = \"{base}/v0/postings/leverdemo?mode=json&limit=2\"",
    );
    let output = crawl(&source).await.unwrap();
    assert_eq!(output.postings.len(), 2);
    assert!(!output.complete);
    assert!(output.report.errors.is_empty(), "a cap is not an error");
    assert_eq!(server.hits("/v0/postings/leverdemo").len(), 1);
}

#[tokio::test]
async fn workable_posts_the_next_page_token_until_the_last_page() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"blueground\"\nkind = \"workable\"\nurl = \"{base}/api/v3/accounts/blueground/jobs\"",
    );
    let output = crawl(&source).await.unwrap();
    assert_eq!(output.postings.len(), 12);
    assert!(output.complete);
    assert_postings_belong_to(&output, "blueground");
    let last = output.postings.last().unwrap();
    assert_eq!(
        last.url,
        "https://apply.workable.com/blueground/j/SYNTH00001"
    );
    assert_eq!(last.external_id.as_deref(), Some("SYNTH00001"));
    let bodies: Vec<Value> = server
        .hits("/api/v3/accounts/blueground/jobs")
        .into_iter()
        .map(|s| {
            assert_eq!(s.method, "POST");
            serde_json::from_str(&s.body).unwrap()
        })
        .collect();
    assert_eq!(
        bodies,
        [
            json!({ "query": "" }),
            json!({ "query": "", "token": WORKABLE_TOKEN })
        ]
    );
}

#[tokio::test]
async fn smartrecruiters_is_followed_by_offset_up_to_the_total_found() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"equinox\"\nkind = \"smartrecruiters\"\nurl = \"{base}/v1/companies/equinox/postings?limit=5\"",
    );
    let output = crawl(&source).await.unwrap();
    assert_eq!(output.postings.len(), 7);
    assert!(output.complete);
    assert_postings_belong_to(&output, "equinox");
    let queries: Vec<Option<String>> = server
        .hits("/v1/companies/equinox/postings")
        .into_iter()
        .map(|s| s.query)
        .collect();
    assert_eq!(
        queries,
        [
            Some("limit=5".to_owned()),
            Some("limit=5&offset=5".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_himalayas_search_is_followed_by_page_up_to_the_total_count() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"himalayas-golang\"\nkind = \"himalayas\"\nurl = \"{base}/jobs/api/search?q=golang&sort=recent\"",
    );
    let output = crawl(&source).await.unwrap();
    assert_eq!(output.postings.len(), 23);
    assert!(output.complete);
    assert_postings_belong_to(&output, "himalayas-golang");
    let queries: Vec<Option<String>> = server
        .hits("/jobs/api/search")
        .into_iter()
        .map(|s| s.query)
        .collect();
    assert_eq!(
        queries,
        [
            Some("q=golang&sort=recent".to_owned()),
            Some("q=golang&sort=recent&page=2".to_owned())
        ]
    );
}

#[tokio::test]
async fn an_rss_feed_is_one_document_and_its_last_modified_is_kept() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"wwr\"\nkind = \"rss\"\nurl = \"{base}/categories/remote-back-end-programming-jobs.rss\"",
    );
    let output = crawl(&source).await.unwrap();
    assert_eq!(output.postings.len(), 7);
    assert!(output.complete);
    assert_postings_belong_to(&output, "wwr");
    assert!(
        output
            .postings
            .iter()
            .all(|p| p.source_kind == SourceKind::Rss)
    );
    let kept = output.validators.get(source.url.as_str()).unwrap();
    assert_eq!(kept.last_modified.as_deref(), Some(WWR_LAST_MODIFIED));
    assert_eq!(kept.etag, None);
}

fn listing_source(server: &TestServer, page: &str) -> SourceConfig {
    server.source(&format!(
        "name = \"careers\"\nkind = \"html\"\nurl = \"{{base}}{page}\"\n\
         [source.listing]\nlinks = \"a.job\"\nnext = \"a.next\"\n\
         [source.detail]\ntitle = \"h1\"\n"
    ))
}

#[tokio::test]
async fn an_html_listing_is_walked_and_each_posting_page_read_on_the_allowed_host_only() {
    let server = TestServer::start().await;
    let source = listing_source(&server, "/careers/page-1.html");
    let output = crawl(&source).await.unwrap();
    assert!(output.complete, "{:?}", output.report);
    assert_postings_belong_to(&output, "careers");
    let titles: Vec<&str> = output.postings.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert_eq!(titles[0], "Software engineer");
    assert_eq!(
        titles[1],
        "Senior Software Engineer (Backend/LLM Infrastructure)"
    );
    // The engage page has no JSON-LD: the detail recipe's `h1` gives its title.
    assert!(titles[2].contains("株式会社アスパーク"), "{}", titles[2]);
    assert_eq!(output.postings[0].source_kind, SourceKind::JsonLd);
    assert_eq!(output.postings[2].source_kind, SourceKind::Html);
    // 2 listing pages + 3 posting pages; page 2's link back to page 1 ends the walk.
    assert_eq!(output.report.pages_fetched, 5);
    assert_eq!(server.hits("/careers/page-1.html").len(), 1);
    assert_eq!(server.hits("/careers/page-2.html").len(), 1);
    assert_eq!(
        server
            .hits("/remote-jobs/sticker-mule-software-engineer/")
            .len(),
        1,
        "a link repeated with a fragment is fetched once"
    );
    let log = server.log();
    assert!(log.iter().all(|s| s.path != "/offhost/job"), "{log:?}");
    assert!(log.iter().all(|s| s.host == "127.0.0.1"));
    assert!(log.iter().all(|s| s.method == "GET"));
}

#[tokio::test]
async fn a_failed_or_forbidden_posting_page_is_reported_and_makes_the_crawl_incomplete() {
    let server = TestServer::start().await;
    let source = listing_source(&server, "/careers/broken.html");
    let output = crawl(&source).await.unwrap();
    assert!(!output.complete);
    assert_eq!(output.postings.len(), 1, "the good posting is kept");
    assert_eq!(output.postings[0].title, "Software engineer");
    // A page that is gone (404) is a posting withdrawn since the listing: skipped, not an
    // error. A refusal is an error.
    assert_eq!(output.report.errors.len(), 1, "{:?}", output.report.errors);
    assert!(
        output.report.errors[0].contains("HTTP 403")
            && output.report.errors[0].contains("/careers/refused-job"),
        "{}",
        output.report.errors[0]
    );
    assert_eq!(output.report.skipped_records, 1);
    assert_eq!(server.hits("/remote-jobs/no-such-job-slug/").len(), 1);
    let forbidden = format!("http://{}/private/job-1", server.addr);
    assert_eq!(output.report.disallowed, [forbidden]);
    assert!(server.hits("/private/job-1").is_empty());
}

#[tokio::test]
async fn a_listing_robots_txt_disallows_fails_the_crawl_without_fetching_it() {
    let server = TestServer::start().await;
    let source = listing_source(&server, "/private/page-1.html");
    let error = crawl(&source).await.unwrap_err();
    match &error {
        CrawlError::Disallowed { url, reason } => {
            assert_eq!(url, source.url.as_str());
            assert_eq!(reason, &DisallowReason::RobotsTxt);
        }
        other => panic!("expected Disallowed, got {other:?}"),
    }
    assert!(!error.is_retryable());
    assert!(server.hits("/private/page-1.html").is_empty());
    assert_eq!(server.hits("/robots.txt").len(), 1);
}

#[tokio::test]
async fn a_first_document_of_another_kind_is_a_permanent_parse_error() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"wrong\"\nkind = \"lever\"\nurl = \"{base}/categories/remote-back-end-programming-jobs.rss\"",
    );
    let error = crawl(&source).await.unwrap_err();
    assert!(matches!(error, CrawlError::Parse { .. }), "{error:?}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_missing_first_document_is_a_permanent_fetch_error() {
    let server = TestServer::start().await;
    let source = server
        .source("name = \"gone\"\nkind = \"greenhouse\"\nurl = \"{base}/v1/boards/nobody/jobs\"");
    let error = crawl(&source).await.unwrap_err();
    assert!(matches!(error, CrawlError::Fetch(_)), "{error:?}");
    assert!(!error.is_retryable());
}

#[test]
fn the_crawl_future_can_be_spawned() {
    fn assert_send<T: Send>(_: &T) {}
    let source = jobfeed::config::parse(
        "[[source]]\nname = \"a\"\nkind = \"rss\"\nurl = \"https://a.example/feed\"\n",
        "test.toml",
    )
    .unwrap()
    .sources
    .remove(0);
    let fetcher = fetcher();
    let validators = BTreeMap::new();
    let future = crawl_source(&fetcher, &source, &validators, now());
    assert_send(&future);
}

#[tokio::test]
async fn a_later_page_that_fails_keeps_the_earlier_postings_and_leaves_the_crawl_incomplete() {
    let server = TestServer::start().await;
    // A page size of 4 asks for offset 4, which the server refuses with a 400.
    let source = server.source(
        "name = \"equinox\"\nkind = \"smartrecruiters\"\nurl = \"{base}/v1/companies/equinox/postings?limit=4\"",
    );
    let output = crawl(&source).await.unwrap();
    assert!(!output.complete);
    assert_eq!(
        output.postings.len(),
        5,
        "the first page's postings are kept"
    );
    assert_eq!(output.report.errors.len(), 1);
    assert!(
        output.report.errors[0].starts_with("HTTP 400 from "),
        "{}",
        output.report.errors[0]
    );
    assert_eq!(server.hits("/v1/companies/equinox/postings").len(), 2);
}

#[tokio::test]
async fn a_jsonld_source_is_one_job_page() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"nodesk\"\nkind = \"jsonld\"\nurl = \"{base}/remote-jobs/sticker-mule-software-engineer/\"",
    );
    let output = crawl(&source).await.unwrap();
    assert!(output.complete);
    assert_eq!(output.postings.len(), 1);
    assert_postings_belong_to(&output, "nodesk");
    let job = &output.postings[0];
    assert_eq!(job.title, "Software engineer");
    assert_eq!(job.company.name, "Sticker Mule");
    // The JSON-LD names no URL, so the posting is the page it was fetched from.
    assert_eq!(
        job.url,
        format!(
            "http://{}/remote-jobs/sticker-mule-software-engineer",
            server.addr
        )
    );
}

#[tokio::test]
async fn an_html_source_without_a_listing_reads_its_one_page_with_the_recipe() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"aspark\"\nkind = \"html\"\nurl = \"{base}/aspark-tokyo/work_17068421/\"\n\
         [source.detail]\ntitle = \"h1\"\n",
    );
    let output = crawl(&source).await.unwrap();
    assert!(output.complete);
    assert_eq!(output.postings.len(), 1);
    assert_eq!(output.postings[0].source_kind, SourceKind::Html);
    assert!(output.postings[0].title.contains("株式会社アスパーク"));
    assert_eq!(output.report.pages_fetched, 1);
}

/// Workday: the recorded search page (its total cut from 27 to 23) at offset 0, then three
/// recorded jobs under new addresses at offset 20 (with the total of 0 later pages report);
/// each job's detail is the recorded one under that job's address and requisition.
fn workday_respond(seen: &Seen) -> Response {
    const SITE: &str = "/wday/cxs/nvidia/NVIDIAExternalCareerSite";
    let json = |value: Value| {
        (
            [(header::CONTENT_TYPE, "application/json")],
            value.to_string(),
        )
            .into_response()
    };
    if seen.path == format!("{SITE}/jobs") && seen.method == "POST" {
        let body: Value = serde_json::from_str(&seen.body).unwrap_or(Value::Null);
        let mut page: Value = serde_json::from_str(WORKDAY_JOBS).unwrap();
        return match body.get("offset").and_then(Value::as_u64) {
            Some(0) => {
                page["total"] = json!(23);
                json(page)
            }
            Some(20) => {
                let jobs: Vec<Value> = page["jobPostings"].as_array().unwrap()[..3]
                    .iter()
                    .enumerate()
                    .map(|(i, job)| {
                        let mut job = job.clone();
                        let id = format!("JR900000{i}");
                        job["externalPath"] = json!(format!("/job/US-CA-Santa-Clara/Synth_{id}"));
                        job["bulletFields"] = json!([id]);
                        job
                    })
                    .collect();
                json(json!({ "total": 0, "jobPostings": jobs, "facets": [] }))
            }
            _ => StatusCode::BAD_REQUEST.into_response(),
        };
    }
    match seen.path.strip_prefix(SITE) {
        Some(path) if path.starts_with("/job/") && seen.method == "GET" => {
            let name = path.rsplit('/').next().unwrap_or_default();
            let requisition = name.rsplit('_').next().unwrap_or_default();
            let requisition = requisition.split('-').next().unwrap_or_default();
            let mut detail: Value = serde_json::from_str(WORKDAY_DETAIL).unwrap();
            detail["jobPostingInfo"]["jobReqId"] = json!(requisition);
            detail["jobPostingInfo"]["externalUrl"] = json!(format!(
                "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite{path}"
            ));
            json(detail)
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Eightfold: the recorded search page (its count cut from 1,330 to 13) at start 0, then
/// three recorded positions under new ids at start 10; each position's details are the
/// recorded ones under its id, and an unknown id is the recorded 404.
fn eightfold_respond(seen: &Seen) -> Response {
    let json = |status: StatusCode, value: Value| {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            value.to_string(),
        )
            .into_response()
    };
    let param = |key: &str| -> Option<String> {
        url::form_urlencoded::parse(seen.query.as_deref()?.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    if param("domain").as_deref() != Some("morganstanley.com") {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let mut search: Value = serde_json::from_str(EIGHTFOLD_SEARCH).unwrap();
    search["data"]["count"] = json!(13);
    let synthetic = |i: usize| 900_000_000_000_u64 + i as u64;
    match seen.path.as_str() {
        "/api/pcsx/search" => match param("start").as_deref() {
            Some("0") => json(StatusCode::OK, search),
            Some("10") => {
                let positions: Vec<Value> = search["data"]["positions"].as_array().unwrap()[..3]
                    .iter()
                    .enumerate()
                    .map(|(i, position)| {
                        let mut position = position.clone();
                        position["id"] = json!(synthetic(i));
                        position["positionUrl"] = json!(format!("/careers/job/{}", synthetic(i)));
                        position
                    })
                    .collect();
                search["data"]["positions"] = json!(positions);
                json(StatusCode::OK, search)
            }
            _ => StatusCode::BAD_REQUEST.into_response(),
        },
        "/api/pcsx/position_details" => {
            let id = param("position_id").unwrap_or_default();
            let number = id.parse::<u64>().ok();
            let listed = number.is_some_and(|number| {
                search["data"]["positions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["id"].as_u64() == Some(number))
                    || (0..3).any(|i| synthetic(i) == number)
            });
            if !listed {
                let gone: Value = serde_json::from_str(EIGHTFOLD_NOT_FOUND).unwrap();
                return json(StatusCode::NOT_FOUND, gone);
            }
            let mut details: Value = serde_json::from_str(EIGHTFOLD_DETAILS).unwrap();
            details["data"]["id"] = json!(number);
            details["data"]["positionUrl"] = json!(format!("/careers/job/{id}"));
            details["data"]["publicUrl"] = json!(format!(
                "https://morganstanley.eightfold.ai/careers/job/{id}"
            ));
            json(StatusCode::OK, details)
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

#[tokio::test]
async fn a_workday_search_is_posted_page_by_page_and_each_jobs_detail_is_read() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"nvidia\"\nkind = \"workday\"\nurl = \"{base}/wday/cxs/nvidia/NVIDIAExternalCareerSite/jobs\"",
    );
    let output = crawl(&source).await.unwrap();
    assert!(output.complete, "{:?}", output.report);
    assert!(
        output.report.errors.is_empty(),
        "{:?}",
        output.report.errors
    );
    assert_eq!(output.postings.len(), 23);
    assert_postings_belong_to(&output, "nvidia");
    // Every posting is its detail: described, dated, and under its requisition.
    for posting in &output.postings {
        assert_eq!(posting.source_kind, SourceKind::Workday);
        assert!(
            posting.description_text.contains("NVIDIA Networking"),
            "{}",
            posting.url
        );
        let start_date = chrono::DateTime::parse_from_rfc3339("2026-04-24T00:00:00Z").unwrap();
        assert_eq!(
            posting.posted_at,
            Some(start_date.with_timezone(&chrono::Utc))
        );
        assert!(
            posting
                .url
                .starts_with("https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite/job/")
        );
    }
    let requisitions: HashSet<&str> = output
        .postings
        .iter()
        .filter_map(|p| p.external_id.as_deref())
        .collect();
    assert_eq!(requisitions.len(), 23);
    assert!(requisitions.contains("JR2015916") && requisitions.contains("JR9000002"));
    let bodies: Vec<Value> = server
        .hits("/wday/cxs/nvidia/NVIDIAExternalCareerSite/jobs")
        .into_iter()
        .map(|s| {
            assert_eq!(s.method, "POST");
            serde_json::from_str(&s.body).unwrap()
        })
        .collect();
    assert_eq!(
        bodies,
        [
            json!({ "appliedFacets": {}, "limit": 20, "offset": 0, "searchText": "" }),
            json!({ "appliedFacets": {}, "limit": 20, "offset": 20, "searchText": "" }),
        ]
    );
    let details: Vec<Seen> = server
        .log()
        .into_iter()
        .filter(|s| {
            s.path
                .starts_with("/wday/cxs/nvidia/NVIDIAExternalCareerSite/job/")
        })
        .collect();
    assert_eq!(details.len(), 23, "one detail per job");
    assert!(details.iter().all(|s| s.method == "GET"));
}

#[tokio::test]
async fn an_eightfold_career_site_is_searched_by_start_up_to_the_count_and_each_positions_details_read()
 {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"morganstanley\"\nkind = \"eightfold\"\nurl = \"{base}/careers?domain=morganstanley.com\"",
    );
    let output = crawl(&source).await.unwrap();
    assert!(output.complete, "{:?}", output.report);
    assert!(
        output.report.errors.is_empty(),
        "{:?}",
        output.report.errors
    );
    assert_eq!(output.postings.len(), 13);
    assert_postings_belong_to(&output, "morganstanley");
    for posting in &output.postings {
        assert_eq!(posting.source_kind, SourceKind::Eightfold);
        assert!(
            posting.description_text.contains("Morgan Stanley"),
            "{}",
            posting.url
        );
        assert_eq!(
            posting.url,
            format!(
                "https://morganstanley.eightfold.ai/careers/job/{}",
                posting.external_id.as_deref().unwrap()
            )
        );
        assert!(posting.workplace.is_some());
    }
    let queries: Vec<Option<String>> = server
        .hits("/api/pcsx/search")
        .into_iter()
        .map(|s| s.query)
        .collect();
    assert_eq!(
        queries,
        [
            Some("domain=morganstanley.com&start=0".to_owned()),
            Some("domain=morganstanley.com&start=10".to_owned())
        ]
    );
    let details = server.hits("/api/pcsx/position_details");
    assert_eq!(details.len(), 13, "one details request per position");
    assert!(details.iter().all(|s| s.query.as_deref().is_some_and(
        |q| q.starts_with("position_id=") && q.ends_with("&domain=morganstanley.com")
    )));
}

#[tokio::test]
async fn a_bamboohr_list_is_followed_by_the_detail_of_each_opening() {
    let server = TestServer::start().await;
    let source =
        server.source("name = \"curtin\"\nkind = \"bamboohr\"\nurl = \"{base}/careers/list\"");
    let output = crawl(&source).await.unwrap();
    assert!(output.complete, "{:?}", output.report);
    assert_eq!(output.postings.len(), 21, "{:?}", output.report);
    assert_postings_belong_to(&output, "curtin");
    assert!(
        output
            .postings
            .iter()
            .all(|p| p.source_kind == SourceKind::BambooHr && !p.description_text.is_empty()),
        "every posting is its detail, with the description"
    );
    let chef = output
        .postings
        .iter()
        .find(|p| p.external_id.as_deref() == Some("201"))
        .unwrap();
    assert_eq!(chef.title, "Vessel Chef");
    assert_eq!(chef.url, "https://curtinmaritime.bamboohr.com/careers/201");
    assert!(chef.salary.is_some());
    assert_eq!(server.hits("/careers/list").len(), 1);
    assert_eq!(server.hits("/careers/201/detail").len(), 1);
    let details = server
        .log()
        .into_iter()
        .filter(|s| s.path.ends_with("/detail"))
        .count();
    assert_eq!(details, 21);
    assert_eq!(output.report.pages_fetched, 22);
}

#[tokio::test]
async fn a_teamtailor_feed_is_followed_by_its_next_url() {
    let server = TestServer::start().await;
    let source =
        server.source("name = \"tiptapp\"\nkind = \"teamtailor\"\nurl = \"{base}/jobs.json\"");
    let output = crawl(&source).await.unwrap();
    assert!(output.complete, "{:?}", output.report);
    assert_eq!(output.postings.len(), 3);
    assert_postings_belong_to(&output, "tiptapp");
    assert_eq!(output.postings[0].title, "Business & Finance Manager");
    assert_eq!(output.postings[2].title, "Home Buying Specialist");
    assert!(
        output
            .postings
            .iter()
            .all(|p| !p.description_text.is_empty())
    );
    let queries: Vec<Option<String>> = server
        .hits("/jobs.json")
        .into_iter()
        .map(|s| s.query)
        .collect();
    assert_eq!(
        queries,
        [
            Some("per_page=100".to_owned()),
            Some("page=2&per_page=100".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_rippling_board_gives_one_posting_per_job_read_from_its_detail() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"pythian\"\nkind = \"rippling\"\nurl = \"{base}/platform/api/ats/v1/board/pythian/jobs\"",
    );
    let output = crawl(&source).await.unwrap();
    assert!(output.complete, "{:?}", output.report);
    assert_eq!(output.postings.len(), 12, "33 rows, 12 jobs");
    assert_postings_belong_to(&output, "pythian");
    assert!(
        output
            .postings
            .iter()
            .all(|p| !p.description_text.is_empty() && p.company.name == "Pythian"),
        "every posting is its detail"
    );
    let devops = output
        .postings
        .iter()
        .find(|p| p.external_id.as_deref() == Some("144f31c4-38a4-4666-97b4-2c88a3f123da"))
        .unwrap();
    let places: Vec<&str> = devops.locations.iter().map(|l| l.raw.as_str()).collect();
    assert_eq!(
        places,
        ["India", "United Kingdom", "Poland", "Spain", "Romania"]
    );
    let sales = output
        .postings
        .iter()
        .find(|p| p.title == "Senior Sales Executive")
        .unwrap();
    assert_eq!(sales.locations.len(), 7);
    assert_eq!(
        server.hits("/platform/api/ats/v1/board/pythian/jobs").len(),
        1
    );
    let details = server
        .log()
        .into_iter()
        .filter(|s| {
            s.path
                .starts_with("/platform/api/ats/v1/board/pythian/jobs/")
        })
        .count();
    assert_eq!(details, 12, "one detail per job, not per row");
}

#[tokio::test]
async fn herp_jobs_api_is_followed_by_page_up_to_its_total_pages() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"herp\"\nkind = \"herp\"\nurl = \"{base}/careers/api/v1/jobs?page=1&limit=2\"",
    );
    let output = crawl(&source).await.unwrap();
    assert!(output.complete, "{:?}", output.report);
    assert_eq!(output.postings.len(), 6);
    assert_postings_belong_to(&output, "herp");
    assert_eq!(output.postings[0].company.name, "株式会社Helpfeel");
    assert_eq!(output.postings[5].company.name, "株式会社リスマ");
    assert!(
        output.postings.iter().all(
            |p| p.url.starts_with("https://herp.careers/v1/") && !p.description_text.is_empty()
        )
    );
    let queries: Vec<Option<String>> = server
        .hits("/careers/api/v1/jobs")
        .into_iter()
        .map(|s| s.query)
        .collect();
    assert_eq!(
        queries,
        [
            Some("page=1&limit=2".to_owned()),
            Some("page=2&limit=2".to_owned())
        ]
    );
}

/// Dayforce's page at 25: two recorded rows of page 2 without their descriptions, so that
/// their details are read.
fn dayforce_second_page() -> Value {
    let page: Value = serde_json::from_str(DAYFORCE_PAGE_2).unwrap();
    let rows: Vec<Value> = page["jobPostings"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|row| {
            let mut row = row.clone();
            row["jobDescription"] = json!("");
            row
        })
        .collect();
    json!({ "jobPostings": rows, "maxCount": 27, "offset": 25, "count": 2 })
}

/// The recorded Dayforce detail under the id and title of a row of the second page.
fn dayforce_detail(id: &str) -> Option<Value> {
    let rows = dayforce_second_page();
    let row = rows["jobPostings"]
        .as_array()?
        .iter()
        .find(|row| {
            row["jobPostingId"]
                .as_u64()
                .is_some_and(|n| n.to_string() == id)
        })?
        .clone();
    let mut detail: Value = serde_json::from_str(DAYFORCE_DETAIL).unwrap();
    detail["jobPostingId"] = row["jobPostingId"].clone();
    detail["jobTitle"] = row["jobTitle"].clone();
    Some(detail)
}

/// The `finder` parameter of an Oracle request.
fn oracle_finder(seen: &Seen) -> Option<String> {
    let query = seen.query.as_deref()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "finder")
        .map(|(_, v)| v.into_owned())
}

/// Oracle's page at offset 3: two recorded rows under new ids, the last of 5.
fn oracle_second_page() -> Value {
    let first: Value = serde_json::from_str(ORACLE_SEARCH).unwrap();
    let rows: Vec<Value> = first["items"][0]["requisitionList"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .enumerate()
        .map(|(i, row)| {
            let mut row = row.clone();
            row["Id"] = json!(format!("90000{i}"));
            row
        })
        .collect();
    json!({ "items": [{ "TotalJobsCount": 5, "Limit": 25, "Offset": 3, "requisitionList": rows }],
        "count": 1, "hasMore": false })
}

/// The recorded Oracle details under the id and title of a listed row.
fn oracle_detail(id: &str) -> Option<Value> {
    let first: Value = serde_json::from_str(ORACLE_SEARCH).unwrap();
    let second = oracle_second_page();
    let row = first["items"][0]["requisitionList"]
        .as_array()?
        .iter()
        .chain(second["items"][0]["requisitionList"].as_array()?)
        .find(|row| row["Id"] == id)?
        .clone();
    let mut detail: Value = serde_json::from_str(ORACLE_DETAIL).unwrap();
    detail["items"][0]["Id"] = row["Id"].clone();
    detail["items"][0]["Title"] = row["Title"].clone();
    detail["items"][0]["PrimaryLocation"] = row["PrimaryLocation"].clone();
    Some(detail)
}

#[tokio::test]
async fn a_dayforce_board_is_searched_with_the_preflights_token_and_cookie_page_by_page() {
    let server = TestServer::start().await;
    let source = server
        .source("name = \"pca\"\nkind = \"dayforce\"\nurl = \"{base}/en-US/pca/CANDIDATEPORTAL\"");
    let output = crawl(&source).await.unwrap();
    assert!(output.complete, "{:?}", output.report);
    assert!(
        output.report.errors.is_empty(),
        "{:?}",
        output.report.errors
    );
    assert_eq!(output.postings.len(), 27);
    assert_postings_belong_to(&output, "pca");
    assert!(
        output
            .postings
            .iter()
            .all(|p| p.source_kind == SourceKind::Dayforce && !p.description_text.is_empty())
    );
    let laborer = output
        .postings
        .iter()
        .find(|p| p.external_id.as_deref() == Some("62333"))
        .unwrap();
    assert_eq!(
        laborer.url,
        "https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL/jobs/62333"
    );
    // The rows of page 2 named their details: those postings are the details'.
    let page_2 = dayforce_second_page();
    for row in page_2["jobPostings"].as_array().unwrap() {
        let id = row["jobPostingId"].to_string();
        let posting = output
            .postings
            .iter()
            .find(|p| p.external_id.as_deref() == Some(id.as_str()))
            .unwrap();
        assert_eq!(posting.title, row["jobTitle"].as_str().unwrap());
        assert_eq!(
            posting.url,
            format!("https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL/jobs/{id}")
        );
        assert!(posting.description_text.contains("Fortune 500 company"));
        assert_eq!(posting.salary.as_ref().and_then(|s| s.max), Some(30.0));
        let hits = server.hits(&format!("/api/geo/pca/jobposting/pca/en-US/1/{id}"));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].method, "GET");
        assert_eq!(
            hits[0].query, None,
            "the board's code stays in the fragment"
        );
    }
    // One pre-flight, then two pages, each with the token and the cookie.
    let preflights = server.hits("/api/auth/csrf");
    assert_eq!(preflights.len(), 1);
    assert_eq!(preflights[0].method, "GET");
    let searches = server.hits("/api/geo/pca/jobposting/search");
    let starts: Vec<Value> = searches
        .iter()
        .map(|s| {
            assert_eq!(s.headers.get("x-csrf-token").unwrap(), DAYFORCE_TOKEN);
            assert_eq!(s.headers.get(header::COOKIE).unwrap(), DAYFORCE_COOKIE);
            let body: Value = serde_json::from_str(&s.body).unwrap();
            assert_eq!(body["clientNamespace"], "pca");
            assert_eq!(body["jobBoardCode"], "CANDIDATEPORTAL");
            assert_eq!(body["cultureCode"], "en-US");
            body["paginationStart"].clone()
        })
        .collect();
    assert_eq!(starts, [json!(0), json!(25)]);
    // The pre-flight is not a page of the list; a detail is not a repeat of its record.
    assert_eq!(output.report.pages_fetched, 1 + 2 + 2);
    assert_eq!(output.report.skipped_records, 0);
    // Without the pre-flight's token and cookie the search is refused.
    let search = format!("http://{}/api/geo/pca/jobposting/search", server.addr);
    let bare = FetchRequest {
        allow_private: true,
        ..FetchRequest::post_json(
            url::Url::parse(&search).unwrap(),
            json!({ "clientNamespace": "pca", "jobBoardCode": "CANDIDATEPORTAL",
                "cultureCode": "en-US", "paginationStart": 0 }),
        )
    };
    let refused = fetcher().fetch(bare).await.unwrap_err();
    assert!(
        matches!(refused, FetchError::Status { status: 403, .. }),
        "{refused}"
    );
}

#[tokio::test]
async fn an_oracle_site_is_read_for_its_number_then_searched_by_offset_and_each_requisition_detailed()
 {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"mayo\"\nkind = \"oracle\"\nurl = \"{base}/hcmUI/CandidateExperience/en/sites/Mayo-US/jobs\"",
    );
    let output = crawl(&source).await.unwrap();
    assert!(output.complete, "{:?}", output.report);
    assert!(
        output.report.errors.is_empty(),
        "{:?}",
        output.report.errors
    );
    assert_eq!(output.postings.len(), 5);
    assert_postings_belong_to(&output, "mayo");
    for posting in &output.postings {
        let id = posting.external_id.as_deref().unwrap();
        assert_eq!(posting.source_kind, SourceKind::Oracle);
        assert_eq!(
            posting.url,
            format!(
                "http://{}/hcmUI/CandidateExperience/en/sites/Mayo-US/job/{id}",
                server.addr
            )
        );
        assert!(
            posting
                .description_text
                .starts_with("Please include a cover letter"),
            "{id}: the details' description"
        );
    }
    let cardiologist = output
        .postings
        .iter()
        .find(|p| p.external_id.as_deref() == Some("361564"))
        .unwrap();
    assert_eq!(cardiologist.title, "Cardiologist - Echo / Imaging");
    assert_eq!(cardiologist.locations[0].city.as_deref(), Some("Phoenix"));
    assert_eq!(
        server
            .hits("/hcmUI/CandidateExperience/en/sites/Mayo-US/jobs")
            .len(),
        1
    );
    let offsets: Vec<String> = server
        .hits("/hcmRestApi/resources/latest/recruitingCEJobRequisitions")
        .iter()
        .map(|s| oracle_finder(s).unwrap())
        .collect();
    assert_eq!(
        offsets,
        [
            "findReqs;siteNumber=CX_1,facetsList=NONE,limit=25,offset=0",
            "findReqs;siteNumber=CX_1,facetsList=NONE,limit=25,offset=3"
        ]
    );
    let details = server.hits("/hcmRestApi/resources/latest/recruitingCEJobRequisitionDetails");
    assert_eq!(details.len(), 5);
    assert!(details.iter().all(|s| {
        s.query
            .as_deref()
            .is_some_and(|q| q.starts_with("expand=all&onlyData=true&finder="))
    }));
    assert_eq!(output.report.pages_fetched, 1 + 2 + 5);
    assert_eq!(output.report.skipped_records, 0);
}

#[tokio::test]
async fn an_ultipro_board_is_searched_by_skip_and_each_opportunity_page_read() {
    let server = TestServer::start().await;
    let source = server.source(&format!(
        "name = \"technoserve\"\nkind = \"ultipro\"\nurl = \"{{base}}{ULTIPRO_BOARD}/?q=&o=postedDateDesc\""
    ));
    let output = crawl(&source).await.unwrap();
    assert!(output.complete, "{:?}", output.report);
    assert_postings_belong_to(&output, "technoserve");
    assert_eq!(output.postings.len(), 23, "{:?}", output.report);
    for posting in &output.postings {
        assert_eq!(posting.source_kind, SourceKind::UltiPro);
        assert!(
            posting.description_text.contains("Conseiller Senior"),
            "{} has the detail's description",
            posting.url
        );
        let id = posting.external_id.as_deref().unwrap();
        assert!(
            posting
                .url
                .ends_with(&format!("OpportunityDetail?opportunityId={id}"))
        );
    }
    let searches = server.hits(&format!("{ULTIPRO_BOARD}/JobBoardView/LoadSearchResults"));
    let skips: Vec<Value> = searches
        .iter()
        .map(|s| {
            assert_eq!(s.method, "POST");
            assert_eq!(s.headers.get("x-requested-with").unwrap(), "XMLHttpRequest");
            serde_json::from_str::<Value>(&s.body).unwrap()["opportunitySearch"]["Skip"].clone()
        })
        .collect();
    assert_eq!(skips, [json!(0), json!(20)]);
    let details = server.hits(&format!("{ULTIPRO_BOARD}/OpportunityDetail"));
    assert_eq!(details.len(), 23);
    assert!(details.iter().all(|s| s.method == "GET"));
    assert_eq!(output.report.pages_fetched, 2 + 23);
}

#[tokio::test]
async fn a_successfactors_search_is_paged_by_startrow_and_each_job_page_read() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"sap\"\nkind = \"successfactors\"\nurl = \"{base}/search/?q=engineer&locationsearch=&startrow=0\"",
    );
    let output = crawl(&source).await.unwrap();
    assert!(output.complete, "{:?}", output.report);
    assert_postings_belong_to(&output, "sap");
    assert_eq!(output.postings.len(), 27);
    for posting in &output.postings {
        assert_eq!(posting.source_kind, SourceKind::SuccessFactors);
        assert_eq!(posting.company.name, "SAP", "the job page names it");
        assert!(
            posting
                .description_text
                .contains("Application Engineering: Job Profile T1"),
            "{} has the job page's description",
            posting.url
        );
        let id = posting.external_id.as_deref().unwrap();
        assert!(posting.url.ends_with(id), "{}", posting.url);
    }
    let queries: Vec<Option<String>> = server
        .hits("/search/")
        .into_iter()
        .map(|s| s.query)
        .collect();
    assert_eq!(
        queries,
        [
            Some("q=engineer&locationsearch=&startrow=0".to_owned()),
            Some("q=engineer&locationsearch=&startrow=25".to_owned())
        ]
    );
    let jobs = server
        .log()
        .into_iter()
        .filter(|s| s.path.starts_with("/job/"))
        .count();
    assert_eq!(jobs, 27);
    assert!(
        server
            .hits("/job/Walldorf-Synthetic-Role-69190/9000000002/")
            .len()
            == 1,
        "the second page's jobs are read too"
    );
}

#[tokio::test]
async fn an_avature_search_is_paged_by_job_offset_and_each_job_page_read() {
    let server = TestServer::start().await;
    let source = server
        .source("name = \"bloomberg\"\nkind = \"avature\"\nurl = \"{base}/careers/SearchJobs/\"");
    let output = crawl(&source).await.unwrap();
    assert!(output.complete, "{:?}", output.report);
    assert_postings_belong_to(&output, "bloomberg");
    assert_eq!(output.postings.len(), 24);
    for posting in &output.postings {
        assert_eq!(posting.source_kind, SourceKind::Avature);
        assert_eq!(posting.company.name, "Bloomberg");
        assert!(
            posting
                .description_text
                .contains("Bloomberg is a global leader"),
            "{} has the job page's description",
            posting.url
        );
        let id = posting.external_id.as_deref().unwrap();
        assert!(posting.url.ends_with(&format!("/{id}")), "{}", posting.url);
    }
    let queries: Vec<Option<String>> = server
        .hits("/careers/SearchJobs/")
        .into_iter()
        .map(|s| s.query)
        .collect();
    assert_eq!(queries, [None, Some("jobOffset=12".to_owned())]);
    let jobs: Vec<String> = server
        .log()
        .into_iter()
        .filter(|s| s.path.starts_with("/careers/JobDetail/"))
        .map(|s| s.path)
        .collect();
    assert_eq!(jobs.len(), 24);
    assert!(
        jobs.iter().any(|path| path.ends_with("/20826")),
        "the second page's jobs are read too: {jobs:?}"
    );
    assert!(server.log().iter().all(|s| s.host == "127.0.0.1"));
}

#[tokio::test]
async fn a_dayforce_page_refused_mid_crawl_renews_the_preflight_once_then_ends_incomplete() {
    let server = TestServer::start().await;
    let source = server.source(
        "name = \"expiring\"\nkind = \"dayforce\"\nurl = \"{base}/en-US/expiring/CANDIDATEPORTAL\"",
    );
    let output = crawl(&source).await.unwrap();
    // The refused page was asked again after a new pre-flight, then the list ended there.
    assert_eq!(server.hits("/api/auth/csrf").len(), 2);
    let searches = server.hits("/api/geo/expiring/jobposting/search");
    let starts: Vec<u64> = searches
        .iter()
        .map(|s| {
            serde_json::from_str::<Value>(&s.body).unwrap()["paginationStart"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(starts, [0, 25, 25]);
    assert!(
        !output.complete,
        "a refused page leaves the crawl incomplete"
    );
    assert_eq!(output.report.errors.len(), 1, "{:?}", output.report.errors);
    assert!(
        output.report.errors[0].contains("403"),
        "{:?}",
        output.report.errors
    );
    // The first page's rows that carry their description are kept.
    assert!(!output.postings.is_empty());
}
