//! `jobfeed facets rebuild`: on a database file, and with `--dynamodb TABLE` on a table on
//! moto_server (started by `scripts/test`) whose counters are missing, as on a table
//! deployed before the store kept them.

use std::process::Command;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{TimeZone, Utc};
use jobfeed::JobPosting;
use jobfeed::model::{Category, Company, Location, Seniority, SourceKind, Workplace};
use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};
use jobfeed::store::facets::count_by_listing;
use jobfeed::store::{ListQuery, PostingReader, PostingStore, StoredPosting, Write};

/// Runs `jobfeed facets rebuild ARGS`; its output, after checking the exit.
fn rebuild(args: &[&str], ok: bool) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_jobfeed"))
        .args(["facets", "rebuild"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.success(), ok, "{text}");
    text
}

/// Open posting `i` of one board, categories, seniorities and places varied.
fn stored(i: usize) -> StoredPosting {
    let at = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(i as i64);
    StoredPosting {
        posting: JobPosting {
            id: format!("p{i}"),
            source: "board".into(),
            source_kind: SourceKind::Greenhouse,
            external_id: Some(i.to_string()),
            url: format!("https://jobs.example/{i}"),
            apply_url: None,
            title: format!("Engineer {i}"),
            company: Company {
                name: format!("Company {}", i % 3),
                url: None,
                logo_url: None,
            },
            department: None,
            locations: vec![Location {
                raw: "somewhere".into(),
                country: Some(["DE", "US"][i % 2].into()),
                ..Location::default()
            }],
            workplace: [Some(Workplace::Remote), Some(Workplace::Onsite)][i % 2],
            remote_regions: vec![],
            employment_type: None,
            seniority: [Some(Seniority::Senior), Some(Seniority::Junior), None][i % 3],
            category: [Some(Category::Backend), Some(Category::Data)][i % 2],
            skills: vec!["rust".into()],
            salary: None,
            description_html: String::new(),
            description_text: String::new(),
            posted_at: None,
            valid_through: None,
            fetched_at: at,
            fingerprint: format!("fp{i}"),
            content_hash: format!("h{i}"),
            first_seen_at: Some(at),
            last_seen_at: Some(at),
            closed_at: None,
            duplicate_of: None,
        },
        history: vec![],
        description_truncated: false,
        revision: 0,
        mark: None,
    }
}

fn served() -> Vec<ListQuery> {
    vec![
        ListQuery::default(),
        ListQuery {
            country: Some("US".into()),
            ..ListQuery::default()
        },
        ListQuery {
            category: Some(Category::Data),
            ..ListQuery::default()
        },
    ]
}

#[tokio::test]
async fn a_table_without_counters_gets_them_from_facets_rebuild() {
    let client = client_from_env().await;
    let table = format!("cli-facets-{}", std::process::id());
    create_table(&client, &table).await.unwrap();
    let store = DynamoStore::new(client.clone(), table.as_str());
    store
        .write((0..30).map(|i| Write::Insert(stored(i))).collect())
        .await
        .unwrap();
    // Every counter item goes: the table as a deployment before the counters left it.
    for scope in ["all", "country=US", "country=*", "category=data"] {
        let items = client
            .query()
            .table_name(&table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(format!("facets#{scope}")))
            .send()
            .await
            .unwrap()
            .items
            .unwrap_or_default();
        assert!(!items.is_empty(), "{scope}");
        for mut item in items {
            let key = [("pk", item.remove("pk")), ("sk", item.remove("sk"))]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.unwrap()))
                .collect();
            client
                .delete_item()
                .table_name(&table)
                .set_key(Some(key))
                .send()
                .await
                .unwrap();
        }
    }
    assert_eq!(store.facets(&ListQuery::default()).await.unwrap().total, 0);

    let out = rebuild(&["--dynamodb", &table], true);
    assert!(out.contains("counted 30 open postings"), "{out}");
    for query in served() {
        let expected = count_by_listing(&store, &query).await.unwrap();
        assert!(expected.complete);
        assert_eq!(store.facets(&query).await.unwrap(), expected, "{query:?}");
    }
}

#[test]
fn a_missing_database_file_is_an_error_not_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.db");
    let out = rebuild(&["--db", path.to_str().unwrap()], false);
    assert!(out.contains("no database"), "{out}");
    assert!(!path.exists());
}
