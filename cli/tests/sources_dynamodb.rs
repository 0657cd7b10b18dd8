//! `jobfeed sources ... --dynamodb TABLE` against a table on moto_server (started by
//! `scripts/test`; `AWS_ENDPOINT_URL` points the SDK at it): the registry the deployed
//! scheduler and crawler read, changed from the command line.

use std::process::Command;

use jobfeed::registry::SourceStatus;
use jobfeed::store::SourceRegistryReader;
use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};

/// Runs `jobfeed sources ARGS --dynamodb TABLE`; stdout and stderr, after checking the exit.
fn sources(table: &str, args: &[&str], ok: bool) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_jobfeed"))
        .arg("sources")
        .args(args)
        .args(["--dynamodb", table, "--config", "/nonexistent/sources.toml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.success(), ok, "{stdout}\n{stderr}");
    stdout + &stderr
}

#[tokio::test]
async fn the_deployed_tables_registry_is_imported_changed_and_exported_from_the_command_line() {
    let client = client_from_env().await;
    let table = format!("cli-registry-{}", std::process::id());
    create_table(&client, &table).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sources.toml");
    std::fs::write(
        &file,
        "[[source]]\nname = \"gitlab\"\nkind = \"greenhouse\"\n\
         url = \"https://boards-api.greenhouse.io/v1/boards/gitlab/jobs?content=true\"\n\n\
         [[source]]\nname = \"wwr\"\nkind = \"rss\"\n\
         url = \"https://weworkremotely.com/remote-jobs.rss\"\n",
    )
    .unwrap();

    let imported = sources(&table, &["import", file.to_str().unwrap()], true);
    assert!(imported.contains("2 added"), "{imported}");
    let again = sources(&table, &["import", file.to_str().unwrap()], true);
    assert!(again.contains("2 unchanged"), "{again}");
    sources(&table, &["disable", "wwr"], true);
    sources(
        &table,
        &[
            "add",
            "--toml",
            "name = \"acme\"\nkind = \"lever\"\nurl = \"https://api.lever.co/v0/postings/acme?mode=json\"\n",
        ],
        true,
    );
    let removed = sources(&table, &["remove", "gitlab"], true);
    assert!(removed.contains("0 open postings closed"), "{removed}");
    sources(&table, &["enable", "nope"], false);

    let store = DynamoStore::new(client, table.as_str());
    let statuses: Vec<(String, SourceStatus)> = store
        .registered_sources()
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("acme".to_owned(), SourceStatus::Enabled),
            ("gitlab".to_owned(), SourceStatus::Removed),
            ("wwr".to_owned(), SourceStatus::Disabled),
        ]
    );
    let export = sources(&table, &["export"], true);
    assert!(
        export.contains("name = \"acme\"") && !export.contains("gitlab"),
        "{export}"
    );
    let list = sources(&table, &[], true);
    assert!(
        list.lines()
            .any(|l| l.starts_with("wwr ") && l.contains("disabled")),
        "{list}"
    );
}
