//! `jobfeed catalog ...` and `jobfeed sources add --catalog` as a user runs them: the
//! embedded catalog searched and exported, an entry added to a sources file (once), and a
//! check against a local server playing a Greenhouse board (never the network).

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};

use axum::Router;
use axum::extract::Path as UrlPath;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

fn jobfeed(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jobfeed"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_search_finds_a_company_whatever_its_case_and_accents_best_matches_first() {
    let output = jobfeed(&["catalog", "search", "NVIDIA"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(
            "workday/nvidia/NVIDIAExternalCareerSite\tworkday\thttps://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite\tNvidia"
        ),
        "{text}"
    );
    // Accents folded both ways; a whole-name match comes first.
    let output = jobfeed(&[
        "catalog",
        "search",
        "Société Générale",
        "--kind",
        "smartrecruiters",
    ]);
    let text = stdout(&output);
    let first = text.lines().next().unwrap_or_default();
    assert!(first.ends_with("\tSociete Generale"), "{text}");
    let output = jobfeed(&["catalog", "search", "kearney", "--kind", "hrmos"]);
    assert!(
        stdout(&output).contains("hrmos/kearney\thtml (not ready)\t"),
        "{}",
        stdout(&output)
    );
    let output = jobfeed(&["catalog", "search", "no such company zzzz"]);
    assert!(!output.status.success());
}

#[test]
fn an_export_prints_valid_sources_and_comments_out_what_jobfeed_cannot_read() {
    let output = jobfeed(&[
        "catalog",
        "export",
        "--kind",
        "greenhouse",
        "--match",
        "gitlab",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let config = jobfeed::config::parse(&text, "export").unwrap();
    assert!(
        config.sources.iter().any(|s| s.url.as_str()
            == "https://boards-api.greenhouse.io/v1/boards/gitlab/jobs?content=true")
    );
    let output = jobfeed(&["catalog", "export", "--kind", "join"]);
    let text = stdout(&output);
    assert!(text.contains("# not ready: needs a `[source.listing]` recipe"));
    assert!(
        jobfeed::config::parse(&text, "join")
            .unwrap()
            .sources
            .is_empty()
    );
    assert_eq!(
        text.matches("# [[source]]").count(),
        1000,
        "every JOIN entry listed"
    );
}

#[test]
fn an_entry_is_registered_once_and_an_ambiguous_name_lists_the_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sources.toml");
    std::fs::write(&file, "[crawl]\nmin_delay_ms = 1000\n").unwrap();
    let db = dir.path().join("jobfeed.db");
    let (config, db) = (file.to_str().unwrap(), db.to_str().unwrap());
    let add = |key: &str| {
        jobfeed(&[
            "sources",
            "add",
            "--catalog",
            key,
            "--config",
            config,
            "--db",
            db,
        ])
    };
    let added = add("greenhouse/gitlab");
    assert!(added.status.success(), "{}", stderr(&added));
    let again = add("GitLab");
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already registered"),
        "{}",
        stderr(&again)
    );
    let export = jobfeed(&["sources", "export", "--config", config, "--db", db]);
    let exported = jobfeed::config::parse(&stdout(&export), "export").unwrap();
    assert_eq!(exported.sources.len(), 1);
    assert_eq!(exported.sources[0].company.as_deref(), Some("GitLab"));

    // "Nvidia" is on two rosters (Workday and Eightfold).
    let ambiguous = add("nvidia");
    assert!(!ambiguous.status.success());
    let message = stderr(&ambiguous);
    assert!(message.contains("names 2 catalog entries"), "{message}");
    assert!(
        message.contains("workday/nvidia/NVIDIAExternalCareerSite"),
        "{message}"
    );
    assert!(message.contains("eightfold/nvidia/nvidia.com"), "{message}");
    let not_ready = add("hrmos/kearney");
    assert!(!not_ready.status.success());
    assert!(stderr(&not_ready).contains("cannot be crawled yet"));
    let export = jobfeed(&["sources", "export", "--config", config, "--db", db]);
    assert_eq!(stdout(&export).matches("[[source]]").count(), 1);

    // A new database is seeded from its configuration file: a broken one is refused.
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "[[source]]\nname = \"x\"\n").unwrap();
    let other_db = dir.path().join("other.db");
    let refused = jobfeed(&[
        "sources",
        "add",
        "--catalog",
        "greenhouse/gitlab",
        "--config",
        broken.to_str().unwrap(),
        "--db",
        other_db.to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("broken.toml:1: source `x`: missing field"),
        "{}",
        stderr(&refused)
    );
}

fn corpus(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/testdata/corpus")
            .join(path),
    )
    .unwrap()
}

/// A Greenhouse board API on 127.0.0.1 that knows one board, `gitlab`.
fn serve_boards() -> SocketAddr {
    let board = corpus("greenhouse/jobs_rsp.json");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let app = Router::new().route(
                "/v1/boards/{token}/jobs",
                get(move |UrlPath(token): UrlPath<String>| async move {
                    let response: Response = if token == "gitlab" {
                        ([(header::CONTENT_TYPE, "application/json")], board).into_response()
                    } else {
                        StatusCode::NOT_FOUND.into_response()
                    };
                    response
                }),
            );
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

#[test]
fn a_check_reports_the_boards_that_answer_with_their_postings_and_those_that_fail() {
    let addr = serve_boards();
    let base = format!("http://{addr}/");
    let output = jobfeed(&[
        "catalog",
        "check",
        "--kind",
        "greenhouse",
        "--match",
        "git",
        "--limit",
        "3",
        "--delay-ms",
        "0",
        "--base-url",
        &base,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let gitlab = text
        .lines()
        .find(|l| l.starts_with("greenhouse/gitlab\t"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(gitlab, "greenhouse/gitlab\tanswers\t7 postings\tGitLab");
    let others: Vec<&str> = text.lines().filter(|l| *l != gitlab).collect();
    assert_eq!(others.len(), 2, "gitai and galaxy too: {text}");
    for line in others {
        assert!(line.contains("\tfails\tHTTP 404"), "{line}");
    }
    assert!(
        stderr(&output).contains("1 answered"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_check_lists_entries_jobfeed_cannot_read_yet_without_fetching_them() {
    let output = jobfeed(&[
        "catalog",
        "check",
        "--kind",
        "join",
        "--limit",
        "2",
        "--delay-ms",
        "0",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 2, "{text}");
    for line in text.lines() {
        assert!(line.starts_with("join/"), "{line}");
        assert!(
            line.contains("\tnot-ready\tnot ready: needs a `[source.listing]` recipe"),
            "{line}"
        );
    }
    assert!(stderr(&output).contains("0 answered, 0 failed, 2 not ready"));
}
