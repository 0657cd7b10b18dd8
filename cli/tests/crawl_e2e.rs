//! End to end: `jobfeed crawl` against a local server playing a Greenhouse board, into a fresh
//! SQLite file. A repeat crawl writes nothing; removing one job and changing another closes
//! exactly one and changes exactly one.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jobfeed::store::sqlite::SqliteStore;
use jobfeed::store::{ListQuery, PostingReader, StoredPosting};

/// What the board serves now, and whether it answers conditional requests.
#[derive(Default)]
struct Board {
    body: String,
    etags: bool,
    requests: Vec<Option<String>>,
}

type Shared = Arc<Mutex<Board>>;

async fn jobs(State(board): State<Shared>, headers: HeaderMap) -> Response {
    let mut board = board.lock().unwrap();
    let sent = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    board.requests.push(sent.clone());
    let etag = format!("\"{}\"", jobfeed::identity::hash_hex(&[&board.body]));
    if board.etags && sent.as_deref() == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut response = (
        [(header::CONTENT_TYPE, "application/json")],
        board.body.clone(),
    )
        .into_response();
    if board.etags {
        response
            .headers_mut()
            .insert(header::ETAG, etag.parse().unwrap());
    }
    response
}

/// Serves the board on 127.0.0.1 from a background thread for the test's lifetime.
fn serve(board: Shared) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let app = Router::new()
                .route("/v1/boards/safariai/jobs", get(jobs))
                .with_state(board);
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

fn corpus_board() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata/corpus/greenhouse/jobs_rsp.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

struct Run {
    outcome: String,
    sent: u64,
    new: u64,
    changed: u64,
    closed: u64,
}

fn crawl(dir: &Path) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_jobfeed"))
        .args(["crawl", "--source", "gh", "--config"])
        .arg(dir.join("sources.toml"))
        .arg("--db")
        .arg(dir.join("jobfeed.db"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.starts_with("gh "))
        .unwrap_or_else(|| panic!("a report line for gh in:\n{stdout}"));
    let columns: Vec<&str> = line.split_whitespace().collect();
    Run {
        outcome: columns[1].to_owned(),
        sent: columns[5].parse().unwrap(),
        new: columns[6].parse().unwrap(),
        changed: columns[7].parse().unwrap(),
        closed: columns[8].parse().unwrap(),
    }
}

fn stored(dir: &Path) -> Vec<StoredPosting> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(dir.join("jobfeed.db")).unwrap();
        let query = ListQuery {
            include_closed: true,
            include_duplicates: true,
            ..ListQuery::default()
        };
        let mut items = store.list(&query, 100, None).await.unwrap().items;
        items.sort_by(|a, b| a.posting.id.cmp(&b.posting.id));
        items
    })
}

fn setup(board: &Shared) -> PathBuf {
    let addr = serve(Arc::clone(board));
    let dir = std::env::temp_dir().join(format!(
        "jobfeed-crawl-e2e-{}-{}",
        std::process::id(),
        addr.port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("sources.toml"),
        format!(
            "[crawl]\nmin_delay_ms = 0\n\n[[source]]\nname = \"gh\"\nkind = \"greenhouse\"\n\
             url = \"http://{addr}/v1/boards/safariai/jobs\"\nallow_private = true\n"
        ),
    )
    .unwrap();
    dir
}

#[test]
fn a_repeat_crawl_writes_nothing_and_a_changed_board_closes_one_and_changes_one() {
    let mut jobs = corpus_board();
    let board: Shared = Arc::new(Mutex::new(Board {
        body: jobs.to_string(),
        etags: false,
        requests: vec![],
    }));
    let dir = setup(&board);

    let first = crawl(&dir);
    assert_eq!((first.outcome.as_str(), first.new), ("success", 7));
    let after_first = stored(&dir);
    assert_eq!(after_first.len(), 7);

    // The same board again, fully parsed (no validators): nothing to write, nothing even
    // sent to ingest (each record's hint is as stored).
    let again = crawl(&dir);
    assert_eq!((again.new, again.changed, again.closed), (0, 0, 0));
    assert_eq!(again.sent, 0);
    assert_eq!(stored(&dir), after_first, "no posting was written");

    // With ETags the board answers 304 and nothing is even parsed.
    board.lock().unwrap().etags = true;
    crawl(&dir);
    let unchanged = crawl(&dir);
    assert_eq!(unchanged.outcome, "unchanged");
    assert!(board.lock().unwrap().requests.last().unwrap().is_some());
    assert_eq!(stored(&dir), after_first);

    // One job leaves the board, another is renamed.
    let list = jobs["jobs"].as_array_mut().unwrap();
    let removed = list.remove(0);
    list[0]["title"] = "GTM Engineering Intern (Summer)".into();
    board.lock().unwrap().body = jobs.to_string();
    let changed = crawl(&dir);
    assert_eq!((changed.new, changed.changed, changed.closed), (0, 1, 1));
    let after = stored(&dir);
    let closed: Vec<&StoredPosting> = after
        .iter()
        .filter(|p| p.posting.closed_at.is_some())
        .collect();
    assert_eq!(closed.len(), 1);
    assert_eq!(
        closed[0].posting.external_id.as_deref(),
        removed["id"].as_u64().map(|id| id.to_string()).as_deref()
    );
    let renamed = after
        .iter()
        .find(|p| p.posting.title == "GTM Engineering Intern (Summer)")
        .expect("the renamed posting");
    assert_eq!(renamed.history.len(), 1);
    assert_eq!(renamed.history[0].title, "GTM Engineering Intern");
}

/// Runs `jobfeed sources ARGS` on the test's files; its stdout, after checking it succeeded
/// (or failed, when `ok` is false).
fn sources(dir: &Path, args: &[&str], ok: bool) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_jobfeed"))
        .arg("sources")
        .args(args)
        .arg("--config")
        .arg(dir.join("sources.toml"))
        .arg("--db")
        .arg(dir.join("jobfeed.db"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.success(), ok, "{stdout}\n{stderr}");
    stdout + &stderr
}

/// The status column of `name` in `jobfeed sources`.
fn status(dir: &Path, name: &str) -> String {
    let list = sources(dir, &[], true);
    let line = list
        .lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} in:\n{list}"));
    line.split_whitespace().nth(1).unwrap().to_owned()
}

#[test]
fn sources_are_registered_disabled_removed_and_added_back_in_the_database() {
    let board: Shared = Arc::new(Mutex::new(Board {
        body: corpus_board().to_string(),
        etags: false,
        requests: vec![],
    }));
    let dir = setup(&board);
    // A new database starts with the file's sources.
    assert_eq!(crawl(&dir).new, 7);
    assert_eq!(status(&dir, "gh"), "enabled");

    // A source added from flags, then refused a second time; a bad one is refused with why.
    let added = sources(
        &dir,
        &[
            "add",
            "--name",
            "wwr",
            "--kind",
            "rss",
            "--url",
            "https://weworkremotely.com/remote-jobs.rss",
            "--schedule",
            "every 2h",
        ],
        true,
    );
    assert!(added.contains("added wwr"), "{added}");
    sources(
        &dir,
        &[
            "add",
            "--name",
            "wwr",
            "--kind",
            "rss",
            "--url",
            "https://w.example/",
        ],
        false,
    );
    let bad = sources(
        &dir,
        &[
            "add",
            "--name",
            "x",
            "--kind",
            "gopher",
            "--url",
            "https://x.example/",
        ],
        false,
    );
    assert!(bad.contains("source `x`"), "{bad}");

    // Disabled: kept, not crawled; the file no longer decides.
    sources(&dir, &["disable", "wwr"], true);
    assert_eq!(status(&dir, "wwr"), "disabled");
    let export = sources(&dir, &["export"], true);
    assert!(
        export.contains("name = \"wwr\"") && export.contains("enabled = false"),
        "{export}"
    );
    assert!(export.contains("schedule = \"every 2h\""), "{export}");

    // Removed: its open postings close now and it is crawled no more.
    let removed = sources(&dir, &["remove", "gh"], true);
    assert!(removed.contains("7 open postings closed"), "{removed}");
    assert_eq!(status(&dir, "gh"), "removed");
    assert!(stored(&dir).iter().all(|p| p.posting.closed_at.is_some()));
    let output = Command::new(env!("CARGO_BIN_EXE_jobfeed"))
        .args(["crawl", "--config"])
        .arg(dir.join("sources.toml"))
        .arg("--db")
        .arg(dir.join("jobfeed.db"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("no source is due"), "{stdout}");

    // Importing the file brings it back (and leaves `wwr`, not in the file, as it is).
    let imported = sources(
        &dir,
        &["import", dir.join("sources.toml").to_str().unwrap()],
        true,
    );
    assert!(imported.contains("1 added"), "{imported}");
    assert_eq!(status(&dir, "gh"), "enabled");
    assert_eq!(status(&dir, "wwr"), "disabled");
    // Its postings are listed again by the next crawl.
    let back = crawl(&dir);
    assert_eq!(back.outcome, "success");
    assert!(stored(&dir).iter().all(|p| p.posting.closed_at.is_none()));
}
