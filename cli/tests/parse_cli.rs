//! End-to-end tests of `jobfeed parse`: the real binary on the repo's recorded corpus and on
//! hostile inputs. Bad input must end in one clear error line and a non-zero exit, never a
//! panic and never partial output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/corpus")
        .join(relative)
}

fn jobfeed(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jobfeed"))
        .args(args)
        .output()
        .expect("the jobfeed binary runs")
}

fn stdout_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(output.stdout.clone())
        .expect("stdout is UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("every stdout line is one JSON object"))
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jobfeed-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

const FETCHED_AT: &str = "2026-07-20T12:00:00Z";

#[test]
fn parsing_a_greenhouse_board_prints_one_json_line_per_posting_and_a_summary() {
    let file = corpus("greenhouse/jobs_rsp.json");
    let output = jobfeed(&["parse", "--fetched-at", FETCHED_AT, file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let postings = stdout_lines(&output);
    assert_eq!(postings.len(), 7);
    for posting in &postings {
        assert_eq!(posting["source_kind"], "greenhouse");
        assert_eq!(posting["company"]["name"], "Safari AI");
        assert!(posting["id"].as_str().unwrap().len() == 32);
        assert_eq!(posting["fetched_at"], "2026-07-20T12:00:00Z");
    }
    let summary = stderr(&output);
    assert!(
        summary.contains("jobs_rsp.json: 7 postings, 0 skipped (greenhouse)"),
        "{summary}"
    );
}

#[test]
fn several_files_are_printed_in_argument_order_with_a_summary_each() {
    let lever = corpus("lever/postings_rsp.json");
    let wwr = corpus("weworkremotely/back_end_rsp.xml");
    let output = jobfeed(&["parse", lever.to_str().unwrap(), wwr.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let kinds: Vec<String> = stdout_lines(&output)
        .iter()
        .map(|p| p["source_kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds.len(), 3 + 7);
    assert!(kinds[..3].iter().all(|k| k == "lever"));
    assert!(kinds[3..].iter().all(|k| k == "rss"));
    assert_eq!(stderr(&output).lines().count(), 2);
}

#[test]
fn source_and_url_options_feed_the_posting_identity() {
    let page = corpus("nodesk/job_detail_rsp.html");
    let run = |source: &str| {
        let output = jobfeed(&[
            "parse",
            "--source",
            source,
            "--url",
            "https://nodesk.co/remote-jobs/sticker-mule-software-engineer/",
            page.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        stdout_lines(&output).remove(0)
    };
    let first = run("nodesk");
    assert_eq!(first["source"], "nodesk");
    assert_eq!(
        first["id"],
        run("nodesk")["id"],
        "ids are stable across runs"
    );
    assert_ne!(first["id"], run("other")["id"], "ids depend on the source");
}

#[test]
fn a_page_without_postings_yields_zero_postings_and_success() {
    let page = corpus("nodesk/job_detail_notfound_rsp.html");
    let output = jobfeed(&["parse", page.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("0 postings"));
}

#[test]
fn malformed_json_fails_with_one_line_naming_the_file() {
    let file = temp_file("broken.json", br#"{"jobs": [{"title": "x""#);
    let output = jobfeed(&["parse", "--kind", "greenhouse", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("broken.json") && err.contains("not a valid greenhouse document"),
        "{err}"
    );
}

#[test]
fn a_file_of_the_wrong_kind_is_an_error_not_zero_postings() {
    let file = corpus("weworkremotely/back_end_rsp.xml");
    let output = jobfeed(&["parse", "--kind", "lever", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(
        stderr(&output).contains("not a valid lever document"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_feed_declared_latin1_or_utf16_is_read_as_its_declaration_says() {
    let latin1 = temp_file(
        "latin1.xml",
        b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\"><channel><title>Emplois</title>\
<item><title>D\xe9veloppeur back-end s\xe9nior</title><link>https://example.com/jobs/1</link>\
<description>Montr\xe9al, Qu\xe9bec</description></item></channel></rss>",
    );
    let mut utf16 = vec![0xFF, 0xFE];
    let feed = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><title>Jobs</title>\
<item><title>Développeur back-end sénior</title><link>https://example.com/jobs/2</link></item></channel></rss>";
    for unit in feed.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let utf16 = temp_file("utf16.xml", &utf16);
    for file in [latin1, utf16] {
        let output = jobfeed(&["parse", file.to_str().unwrap()]);
        assert!(output.status.success(), "{}", stderr(&output));
        let lines = stdout_lines(&output);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["title"], "Développeur back-end sénior");
    }
}

#[test]
fn binary_garbage_empty_and_oversized_files_are_refused_with_a_reason() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let binary = temp_file("garbage.bin", &garbage);
    let empty = temp_file("empty.json", b"  \n");
    let huge = temp_file("huge.html", b"");
    // A sparse 100 MB file: refused from its size before anything is read.
    std::fs::File::options()
        .write(true)
        .open(&huge)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    for (file, reason) in [
        (&binary, "binary"),
        (&empty, "empty"),
        (&huge, "over the 10485760-byte limit"),
    ] {
        let output = jobfeed(&["parse", file.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "{}", file.display());
        assert!(output.stdout.is_empty());
        let err = stderr(&output);
        assert!(
            err.contains(reason) && err.contains(file.file_name().unwrap().to_str().unwrap()),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn one_bad_file_among_good_ones_fails_the_run_but_keeps_the_good_output_whole() {
    let good = corpus("lever/postings_rsp.json");
    let bad = temp_file("bad.json", b"[not json");
    let output = jobfeed(&["parse", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout_lines(&output).len(), 3);
    assert!(stderr(&output).contains("bad.json"));
}

#[test]
fn a_missing_file_and_bad_options_are_reported_plainly() {
    let output = jobfeed(&["parse", "/nonexistent/file.json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("/nonexistent/file.json: cannot open"));

    let output = jobfeed(&["parse", "--kind", "monster", "x.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("expected auto or one of"));

    let output = jobfeed(&["parse", "--kind", "html", "x.html"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--kind html needs --recipe"));

    let output = jobfeed(&["parse", "--fetched-at", "yesterday", "x.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("RFC 3339"));
}

#[test]
fn a_recipe_extracts_a_page_with_no_structured_data() {
    let page = corpus("engage/job_detail_no_jsonld_rsp.html");
    let recipe =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/recipes/engage.json");
    let output = jobfeed(&[
        "parse",
        "--recipe",
        recipe.to_str().unwrap(),
        "--url",
        "https://en-gage.net/aspark-tokyo/work_17068421/",
        page.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let postings = stdout_lines(&output);
    assert_eq!(postings.len(), 1);
    assert_eq!(postings[0]["source_kind"], "html");
    assert_eq!(
        postings[0]["url"],
        "https://en-gage.net/aspark-tokyo/work_17068421"
    );
}
