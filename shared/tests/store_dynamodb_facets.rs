//! Facet counters on DynamoDB against moto_server: what a counter-served `/facets` request
//! reads (one Query per scope, no posting), and the repair (`rebuild_facet_counters`) of
//! counters that went wrong or were never written.

mod store_conformance;

use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use jobfeed::JobPosting;
use jobfeed::app::ingest::{self, Incoming, IngestConfig};
use jobfeed::model::{Category, Location, Seniority, Workplace};
use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};
use jobfeed::store::facets::counters::FacetCounterRepair;
use jobfeed::store::facets::{FacetTally, Facets};
use jobfeed::store::{ListQuery, PostingReader};
use store_conformance::{edited, posting, t};

/// A store on a new, uniquely named table, with the client and the table's name.
async fn fresh_store() -> (DynamoStore, Client, String) {
    static TABLES: AtomicUsize = AtomicUsize::new(0);
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL").is_some(),
        "AWS_ENDPOINT_URL is not set: the DynamoDB tests need moto_server (scripts/test)"
    );
    let client = client_from_env().await;
    let table = format!(
        "jobfeed-facets-{}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default(),
        TABLES.fetch_add(1, Ordering::Relaxed)
    );
    create_table(&client, &table).await.unwrap();
    (
        DynamoStore::new(client.clone(), table.clone()),
        client,
        table,
    )
}

/// `n` postings of one board: categories, seniorities, workplaces, countries and skills
/// varied, 40 companies.
fn varied(n: usize) -> Vec<JobPosting> {
    (0..n)
        .map(|i| {
            edited(
                &posting("gh", &i.to_string(), &format!("Engineer {i}"), t(0)),
                |p| {
                    p.company.name = format!("Company {}", i % 40);
                    p.category = [Some(Category::Backend), Some(Category::Data), None][i % 3];
                    p.seniority = [Some(Seniority::Senior), Some(Seniority::Junior)][i % 2];
                    p.workplace = [Some(Workplace::Remote), Some(Workplace::Onsite)][i % 2];
                    p.remote_regions = if i % 4 == 1 {
                        vec![]
                    } else {
                        vec!["FR".into()]
                    };
                    p.locations = vec![Location {
                        raw: "somewhere".into(),
                        country: Some(["DE", "US", "GB", "NL", "PL"][i % 5].into()),
                        ..Location::default()
                    }];
                    p.skills = vec![
                        ["go", "rust", "sql", "java", "python"][i % 5].into(),
                        ["aws", "gcp"][i % 2].into(),
                    ];
                },
            )
        })
        .collect()
}

async fn ingest(store: &DynamoStore, postings: Vec<JobPosting>) {
    let incoming = postings.into_iter().map(Incoming::from).collect();
    ingest::ingest_postings(store, incoming, t(1), &IngestConfig::default())
        .await
        .unwrap();
}

/// The reference count of `query`: `FacetTally` over every posting `list` returns.
async fn reference(store: &DynamoStore, query: &ListQuery) -> Facets {
    let mut tally = FacetTally::default();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list(query, 200, cursor.as_deref()).await.unwrap();
        for stored in &page.items {
            tally.add(&stored.posting);
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return tally.finish(true),
        }
    }
}

fn queries() -> Vec<ListQuery> {
    vec![
        ListQuery::default(),
        ListQuery {
            country: Some("DE".into()),
            ..ListQuery::default()
        },
        ListQuery {
            country: Some("JP".into()),
            ..ListQuery::default()
        },
        ListQuery {
            category: Some(Category::Data),
            ..ListQuery::default()
        },
        ListQuery {
            seniority: Some(Seniority::Junior),
            ..ListQuery::default()
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counter_served_facets_request_is_one_query_per_scope_and_reads_no_posting() {
    let (store, _, _) = fresh_store().await;
    ingest(&store, varied(1000)).await;
    let all = ListQuery::default();
    let before = (store.usage(), store.estimated_usage());
    let facets = store.facets(&all).await.unwrap();
    let cost = store.usage().since(&before.0);
    let estimated = store.estimated_usage().since(&before.1);
    println!("counter-served /facets, 1000 postings: {cost:?}; estimated: {estimated:?}");
    assert_eq!(facets, reference(&store, &all).await);
    assert_eq!(facets.total, 1000);
    assert_eq!(cost.requests, 1, "one Query of the `all` scope");
    // Its items are the distinct values: 2 categories, 2 seniorities, 2 workplaces, one
    // contract type, 6 countries, 40 companies, 7 skills, and the total.
    assert_eq!(cost.items_read, 2 + 2 + 2 + 1 + 6 + 40 + 7 + 1);
    assert!(estimated.read_units <= 1.0, "{estimated:?}");

    let de = ListQuery {
        country: Some("DE".into()),
        ..ListQuery::default()
    };
    let before = store.usage();
    let facets = store.facets(&de).await.unwrap();
    let cost = store.usage().since(&before);
    assert_eq!(facets, reference(&store, &de).await);
    assert_eq!(
        cost.requests, 2,
        "the country's scope and the remote-anywhere one"
    );

    // Not counter-served: the bounded fallback over `list` (for BENCHMARKS.md).
    let skill = ListQuery {
        skills: vec!["go".into()],
        ..ListQuery::default()
    };
    let before = (store.usage(), store.estimated_usage());
    let facets = store.facets(&skill).await.unwrap();
    let cost = store.usage().since(&before.0);
    let estimated = store.estimated_usage().since(&before.1);
    println!("fallback /facets?skill=go, 1000 postings: {cost:?}; estimated: {estimated:?}");
    assert_eq!(facets, reference(&store, &skill).await);
    let before = (store.usage(), store.estimated_usage());
    let facets = super_fallback(&store, &all).await;
    let cost = store.usage().since(&before.0);
    let estimated = store.estimated_usage().since(&before.1);
    println!("fallback /facets, no filter, 1000 postings: {cost:?}; estimated: {estimated:?}");
    assert_eq!(facets.total, 1000);
}

/// The bounded fallback on an unfiltered query: what DynamoDB answered before counters.
async fn super_fallback(store: &DynamoStore, query: &ListQuery) -> Facets {
    jobfeed::store::facets::count_by_listing(store, query)
        .await
        .unwrap()
}

/// One counter item's key.
fn counter_key(scope: &str, cell: &str) -> std::collections::HashMap<String, AttributeValue> {
    std::collections::HashMap::from([
        (
            "pk".to_owned(),
            AttributeValue::S(format!("facets#{scope}")),
        ),
        ("sk".to_owned(), AttributeValue::S(cell.to_owned())),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_makes_lost_stale_and_missing_counters_right_again() {
    let (store, client, table) = fresh_store().await;
    ingest(&store, varied(200)).await;
    for query in queries() {
        assert_eq!(
            store.facets(&query).await.unwrap(),
            reference(&store, &query).await
        );
    }
    // A lost update, a stale scope (no posting is in Japan) and a missing total.
    client
        .update_item()
        .table_name(&table)
        .set_key(Some(counter_key("all", "company#Company 1")))
        .update_expression("ADD n :n")
        .expression_attribute_values(":n", AttributeValue::N("5".into()))
        .send()
        .await
        .unwrap();
    let mut stale = counter_key("country=JP", "total#");
    stale.insert("n".into(), AttributeValue::N("3".into()));
    client
        .put_item()
        .table_name(&table)
        .set_item(Some(stale))
        .send()
        .await
        .unwrap();
    let mut stale_country = counter_key("all", "country#JP");
    stale_country.insert("n".into(), AttributeValue::N("3".into()));
    client
        .put_item()
        .table_name(&table)
        .set_item(Some(stale_country))
        .send()
        .await
        .unwrap();
    client
        .delete_item()
        .table_name(&table)
        .set_key(Some(counter_key("category=data", "total#")))
        .send()
        .await
        .unwrap();
    for query in &queries()[..4] {
        if *query == queries()[1] {
            continue;
        }
        assert_ne!(
            store.facets(query).await.unwrap(),
            reference(&store, query).await,
            "{query:?} is off before the rebuild"
        );
    }
    let counted = store.rebuild_facet_counters().await.unwrap();
    assert_eq!(counted, 200);
    for query in queries() {
        assert_eq!(
            store.facets(&query).await.unwrap(),
            reference(&store, &query).await,
            "{query:?}"
        );
    }
}
