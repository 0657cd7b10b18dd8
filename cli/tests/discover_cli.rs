//! `jobfeed discover` against local sites built from real markup patterns, never the
//! network: careers pages that link to, embed (scripts) or iframe each job board kind, a
//! form posting to one, a site that redirects to its board, sites whose own pages carry
//! schema.org JobPostings (checked and written to a sources file once), and a site with
//! none of these.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::Html;
use axum::routing::get;

/// Serves `app` on 127.0.0.1 from a background thread for the test's lifetime.
fn serve(app: Router) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

fn page(body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><title>Acme</title></head><body>{body}</body></html>"
    ))
}

/// A company site: a home page linking to its careers page at `path` with `text`, and the
/// careers page holding `snippet`.
fn site(path: &'static str, text: &'static str, snippet: &'static str) -> SocketAddr {
    let home = page(&format!(
        "<header><nav><a href=\"/about\">About</a> <a href=\"{path}\">{text}</a></nav></header>"
    ));
    let careers = page(&format!("<main><h1>Careers</h1>{snippet}</main>"));
    serve(
        Router::new()
            .route("/", get(move || async move { home }))
            .route(path, get(move || async move { careers })),
    )
}

fn discover(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jobfeed"))
        .arg("discover")
        .args(["--allow-private", "--delay-ms", "0"])
        .args(args)
        .output()
        .unwrap()
}

/// Each kind's real-world markup, and the source it must become.
const BOARDS: [(&str, &str, &str); 18] = [
    (
        r#"<div id="grnhse_app"></div><script src="https://boards.greenhouse.io/embed/job_board/js?for=acmegh"></script>"#,
        "greenhouse",
        "https://boards-api.greenhouse.io/v1/boards/acmegh/jobs?content=true",
    ),
    (
        r#"<a class="btn" href="https://jobs.lever.co/acmelever">View openings</a>"#,
        "lever",
        "https://api.lever.co/v0/postings/acmelever?mode=json",
    ),
    (
        r#"<div id="ashby_embed"></div><script src="https://jobs.ashbyhq.com/acmeashby/embed?version=2" defer></script>"#,
        "ashby",
        "https://api.ashbyhq.com/posting-api/job-board/acmeashby?includeCompensation=true",
    ),
    (
        r#"<iframe src="https://apply.workable.com/acmewk/" width="100%" height="800"></iframe>"#,
        "workable",
        "https://apply.workable.com/api/v3/accounts/acmewk/jobs",
    ),
    (
        r#"<form action="https://jobs.smartrecruiters.com/AcmeSR1/" method="get"><input name="search"><button>Search jobs</button></form>"#,
        "smartrecruiters",
        "https://api.smartrecruiters.com/v1/companies/AcmeSR1/postings",
    ),
    (
        r#"<a href="https://acmerec.recruitee.com/">All jobs</a>"#,
        "recruitee",
        "https://acmerec.recruitee.com/api/offers/",
    ),
    (
        r#"<a href="https://acmett.teamtailor.com/jobs">See all jobs</a>"#,
        "teamtailor",
        "https://acmett.teamtailor.com/jobs",
    ),
    (
        r#"<div id="BambooHR" data-domain="acmebh.bamboohr.com" data-version="1.0.0" data-departmentId=""></div><script src="https://acmebh.bamboohr.com/js/embed.js" type="text/javascript" async defer></script>"#,
        "bamboohr",
        "https://acmebh.bamboohr.com/careers",
    ),
    (
        r#"<a href="https://acmewd.wd5.myworkdayjobs.com/en-US/External">Search jobs</a>"#,
        "workday",
        "https://acmewd.wd5.myworkdayjobs.com/External",
    ),
    (
        r#"<a href="https://jobs.dayforcehcm.com/en-US/acmedf/CANDIDATEPORTAL">Current openings</a>"#,
        "dayforce",
        "https://jobs.dayforcehcm.com/en-US/acmedf/CANDIDATEPORTAL",
    ),
    (
        r#"<a href="https://ats.rippling.com/acmerip/jobs">Open roles</a>"#,
        "rippling",
        "https://ats.rippling.com/acmerip/jobs",
    ),
    (
        r#"<a href="https://abcd.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1/requisitions">Jobs</a>"#,
        "oracle",
        "https://abcd.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1/jobs",
    ),
    (
        r#"<iframe src="https://recruiting.ultipro.com/ACM1000ACME/JobBoard/0e836885-d812-4a6b-8037-9c1ca641e913/?q=&o=postedDateDesc"></iframe>"#,
        "ultipro",
        "https://recruiting.ultipro.com/ACM1000ACME/JobBoard/0e836885-d812-4a6b-8037-9c1ca641e913/",
    ),
    (
        r#"<a href="https://herp.careers/v1/acmeherp">採用情報</a>"#,
        "herp",
        "https://herp.careers/v1/acmeherp",
    ),
    (
        r#"<a href="https://acmeef.eightfold.ai/careers?domain=acme.example">Careers</a>"#,
        "eightfold",
        "https://acmeef.eightfold.ai/careers?domain=acme.example",
    ),
    (
        r#"<a href="https://career5.successfactors.eu/career?company=acmeAG&career_ns=job_listing">Stellenangebote</a>"#,
        "successfactors",
        "https://career5.successfactors.eu/search/?company=acmeAG",
    ),
    (
        r#"<a href="https://acmeav.avature.net/careers/SearchJobs">Search</a>"#,
        "avature",
        "https://acmeav.avature.net/careers/SearchJobs/",
    ),
    (
        r#"<script>var Grnhse = { Settings: { scrollOnLoad: true } }; window.boardUrl = "https:\/\/job-boards.greenhouse.io\/acmegh2";</script>"#,
        "greenhouse",
        "https://boards-api.greenhouse.io/v1/boards/acmegh2/jobs?content=true",
    ),
];

#[test]
fn every_board_kind_is_found_by_link_embed_iframe_form_or_redirect_and_nothing_on_a_bare_site() {
    // Careers pages in several languages and paths.
    let paths = [
        ("/careers", "Careers"),
        ("/karriere", "Karriere"),
        ("/join-us", "Join us"),
        ("/company/team", "Work with us"),
    ];
    let mut targets = Vec::new();
    for (i, (snippet, _, _)) in BOARDS.iter().enumerate() {
        let (path, text) = paths[i % paths.len()];
        targets.push(format!("http://{}/", site(path, text, snippet)));
    }
    // A site whose careers page redirects to its board.
    let redirecting = serve(
        Router::new()
            .route("/", get(|| async { page(r#"<a href="/jobs">Jobs</a>"#) }))
            .route(
                "/jobs",
                get(|| async {
                    (
                        StatusCode::FOUND,
                        [(header::LOCATION, "https://jobs.lever.co/acmeredirect")],
                    )
                }),
            ),
    );
    targets.push(format!("http://{redirecting}/"));
    // A site with no careers page at all.
    let bare = serve(Router::new().route(
        "/",
        get(|| async { page("<p>We make things.</p><a href=\"/about\">About</a>") }),
    ));
    targets.push(format!("http://{bare}/"));

    let args: Vec<&str> = targets.iter().map(String::as_str).collect();
    let output = discover(&args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let config = jobfeed::config::parse(&stdout, "discovered").unwrap();
    for (i, (_, kind, url)) in BOARDS.iter().enumerate() {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&format!("{}: ", targets[i])))
            .unwrap_or_else(|| panic!("no line for {}:\n{stderr}", targets[i]));
        assert!(
            line.contains(&format!("found {kind} {url} (")),
            "{i}: {line}"
        );
        assert!(
            config
                .sources
                .iter()
                .any(|s| s.kind.as_str() == *kind && s.url.as_str() == *url),
            "{kind} {url} in\n{stdout}"
        );
    }
    let redirect_line = stderr
        .lines()
        .find(|l| l.starts_with(&format!("http://{redirecting}/: ")))
        .unwrap();
    assert!(
        redirect_line.contains(
            "found lever https://api.lever.co/v0/postings/acmeredirect?mode=json (redirect from"
        ),
        "{redirect_line}"
    );
    let bare_line = stderr
        .lines()
        .find(|l| l.starts_with(&format!("http://{bare}/: ")))
        .unwrap();
    assert!(
        bare_line.contains(": nothing found (looked at "),
        "{bare_line}"
    );
    assert!(
        bare_line.contains(&format!("http://{bare}/careers (failed: HTTP 404")),
        "{bare_line}"
    );
    assert!(
        bare_line.contains(&format!("http://{bare}/jobs (failed: HTTP 404")),
        "{bare_line}"
    );
    assert_eq!(config.sources.len(), BOARDS.len() + 1);
}

fn corpus(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/testdata/corpus")
            .join(path),
    )
    .unwrap()
}

/// Two JobPostings in one careers page (JSON-LD).
const POSTINGS_PAGE: &str = r#"<script type="application/ld+json">[
 {"@context":"https://schema.org","@type":"JobPosting","title":"Backend Engineer",
  "url":"https://acme.example/careers/backend","datePosted":"2026-11-20",
  "hiringOrganization":{"@type":"Organization","name":"Acme"},"description":"<p>Rust.</p>"},
 {"@context":"https://schema.org","@type":"JobPosting","title":"SRE",
  "url":"https://acme.example/careers/sre","datePosted":"2026-11-21",
  "hiringOrganization":{"@type":"Organization","name":"Acme"},"description":"<p>Ops.</p>"}
]</script><h2>Backend Engineer</h2><h2>SRE</h2>"#;

#[test]
fn a_sites_own_job_pages_become_checked_sources_written_once() {
    // Careers page linking to job pages that carry JSON-LD (a real iCIMS job page).
    let job = corpus("icims/job_detail_rsp.html");
    let listing = serve(
        Router::new()
            .route("/", get(|| async { page(r#"<a href="/join-us">Join us</a>"#) }))
            .route(
                "/join-us",
                get(|| async {
                    page(
                        r#"<ul><li><a href="/join-us/jobs/1977-senior-product-manager">Senior Product Manager</a></li>
                        <li><a href="/join-us/jobs/1980-backend-engineer">Backend Engineer</a></li></ul>"#,
                    )
                }),
            )
            .route(
                "/join-us/jobs/{slug}",
                get(move || async move { Html(job) }),
            ),
    );
    // A careers page that carries its JobPostings itself.
    let inline = serve(
        Router::new()
            .route(
                "/",
                get(|| async { page(r#"<a href="/careers">Careers</a>"#) }),
            )
            .route("/careers", get(|| async { page(POSTINGS_PAGE) })),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sources.toml");
    std::fs::write(&file, "[crawl]\nmin_delay_ms = 0\n").unwrap();
    let listing_target = format!("http://{listing}/");
    let inline_target = format!("http://{inline}/");
    let args = [
        "--check",
        "--write",
        file.to_str().unwrap(),
        listing_target.as_str(),
        inline_target.as_str(),
    ];
    let output = discover(&args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(output.stdout.is_empty(), "--write prints no TOML");
    assert!(
        stderr.contains(&format!(
            "{listing_target}: found html {listing_target}join-us, 2 postings"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{inline_target}: found jsonld {inline_target}careers, 2 postings"
        )),
        "{stderr}"
    );
    let config = jobfeed::config::load(&file).unwrap();
    assert_eq!(config.sources.len(), 2, "{stderr}");
    let html = &config.sources[0];
    assert_eq!(html.kind.as_str(), "html");
    assert_eq!(
        html.listing.as_ref().unwrap().links,
        "a[href*=\"/join-us/jobs/\"]"
    );
    assert_eq!(config.sources[1].kind.as_str(), "jsonld");

    // Again: both are there already, the file is unchanged.
    let before = std::fs::read_to_string(&file).unwrap();
    let again = discover(&args);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already in"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
}

#[test]
fn a_checked_candidate_without_postings_is_refused_and_a_dead_target_is_an_error_line() {
    // The careers page lists one job when discover reads it, and none when the check
    // reads it again (the role was filled in between): the check refuses the source.
    let reads = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let empty = serve(
        Router::new()
            .route("/", get(|| async { page(r#"<a href="/careers">Careers</a>"#) }))
            .route(
                "/careers",
                get(move || async move {
                    if reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                        page(r#"<a href="/careers/jobs/old-role">Old role</a>"#)
                    } else {
                        page("<p>No open positions right now.</p>")
                    }
                }),
            )
            .route(
                "/careers/jobs/old-role",
                get(|| async {
                    page(
                        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"JobPosting","title":"Old role","url":"/careers/jobs/old-role","hiringOrganization":{"@type":"Organization","name":"Acme"}}</script>"#,
                    )
                }),
            ),
    );
    // Nothing listens there once the listener is dropped.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let empty_target = format!("http://{empty}/");
    let dead_target = format!("http://{dead}/");
    let output = discover(&["--check", &empty_target, &dead_target]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the dead target fails the run");
    let empty_line = stderr
        .lines()
        .find(|l| l.starts_with(&format!("{empty_target}: ")))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        empty_line.contains(&format!(
            "nothing found (looked at {empty_target}, {empty_target}careers, {empty_target}careers/jobs/old-role); refused: html {empty_target}careers gives no postings"
        )),
        "{empty_line}"
    );
    assert!(
        output.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let dead_line = stderr
        .lines()
        .find(|l| l.starts_with(&format!("{dead_target}: ")))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        dead_line.contains(": error: no page could be read"),
        "{dead_line}"
    );
}

#[test]
fn the_catalog_is_asked_first_and_a_board_on_the_targets_domain_needs_no_fetch() {
    // Amdocs' Eightfold tenant names amdocs.com in the catalog: no page is fetched (this
    // test has no network, and no --allow-private, so any fetch would fail the target).
    let output = Command::new(env!("CARGO_BIN_EXE_jobfeed"))
        .args([
            "discover",
            "amdocs.com",
            "https://jobs.lever.co/acme/abc-123",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "amdocs.com: found eightfold https://amdocs.eightfold.ai/careers?domain=amdocs.com (catalog eightfold/amdocs/amdocs.com, on amdocs.com)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "found lever https://api.lever.co/v0/postings/acme?mode=json (the address given"
        ),
        "{stderr}"
    );
    let config =
        jobfeed::config::parse(&String::from_utf8_lossy(&output.stdout), "stdout").unwrap();
    assert_eq!(config.sources.len(), 2);
    assert_eq!(config.sources[0].company.as_deref(), Some("Amdocs"));
}
