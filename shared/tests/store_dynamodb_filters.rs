//! The DynamoDB filter index (`store::dynamodb::filter_index`) against moto_server: a
//! selective filter reads about what it returns, the writer keeps the items exactly (and
//! writes none for an unchanged posting), a country list merges remote-anywhere postings
//! through short pages, and lists stay right before and after the backfill of a table that
//! predates the index.

mod store_conformance;

use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Duration;
use jobfeed::model::JobPosting;
use jobfeed::model::{Category, Location, Seniority, Workplace};
use jobfeed::store::dynamodb::filter_index::filter_values;
use jobfeed::store::dynamodb::schema::{BY_FILTER, FILTER_KEY};
use jobfeed::store::dynamodb::{DynamoStore, client_from_env, create_table};
use jobfeed::store::facets::counters::CounterDeltas;
use jobfeed::store::{
    ListQuery, Page, PostingReader, PostingStore, StoredPosting, Write, listed_at,
};
use store_conformance::{edited, posting, t};

/// A new, uniquely named table (fails without moto: run the tests through `scripts/test`).
async fn fresh_table() -> (Client, String) {
    static TABLES: AtomicUsize = AtomicUsize::new(0);
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL").is_some(),
        "AWS_ENDPOINT_URL is not set: run scripts/test, which starts moto_server"
    );
    let client = client_from_env().await;
    let table = format!(
        "jobfeed-filters-{}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default(),
        TABLES.fetch_add(1, Ordering::Relaxed)
    );
    create_table(&client, &table).await.unwrap();
    (client, table)
}

fn stored(posting: jobfeed::JobPosting) -> StoredPosting {
    StoredPosting {
        posting,
        history: vec![],
        description_truncated: false,
        revision: 1,
        mark: None,
    }
}

/// Posting `i` listed `i` minutes after t(0); every 25th (the oldest first) is a data job.
fn corpus(n: usize) -> Vec<StoredPosting> {
    (0..n)
        .map(|i| {
            let at = t(0) + Duration::minutes(i as i64);
            stored(edited(
                &posting("gh", &format!("p{i}"), &format!("Engineer {i}"), at),
                |p| {
                    p.posted_at = None;
                    p.first_seen_at = Some(at);
                    if i % 25 == 0 {
                        p.category = Some(Category::Data);
                    }
                },
            ))
        })
        .collect()
}

/// The ids `query` selects from `postings`, newest first (the reference semantics).
fn expected(postings: &[StoredPosting], query: &ListQuery) -> Vec<String> {
    let mut selected: Vec<&StoredPosting> = postings
        .iter()
        .filter(|s| query.matches(&s.posting))
        .collect();
    selected.sort_by(|a, b| {
        (listed_at(&b.posting), &b.posting.id).cmp(&(listed_at(&a.posting), &a.posting.id))
    });
    selected.iter().map(|s| s.posting.id.clone()).collect()
}

/// Every page of `query`: the ids in order and the number of calls.
async fn walk(store: &DynamoStore, query: &ListQuery, limit: usize) -> (Vec<String>, usize) {
    let (mut ids, mut cursor, mut calls) = (Vec::new(), None::<String>, 0);
    loop {
        let Page { items, next_cursor } =
            store.list(query, limit, cursor.as_deref()).await.unwrap();
        calls += 1;
        assert!(items.len() <= limit);
        ids.extend(items.into_iter().map(|s| s.posting.id));
        match next_cursor {
            Some(next) => cursor = Some(next),
            None => return (ids, calls),
        }
        assert!(calls < 1000, "the walk never ended");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selective_filter_reads_about_what_it_returns() {
    let (client, table) = fresh_table().await;
    let store = DynamoStore::new(client.clone(), &table);
    let postings = corpus(300);
    store
        .write(postings.iter().cloned().map(Write::Insert).collect())
        .await
        .unwrap();
    let query = ListQuery {
        category: Some(Category::Data),
        ..ListQuery::default()
    };
    let want = expected(&postings, &query);
    assert_eq!(want.len(), 12);

    let before = store.usage();
    let page = store.list(&query, 20, None).await.unwrap();
    let cost = store.usage().since(&before);
    println!("by_filter, first page of category=data: {cost:?}");
    let ids: Vec<String> = page.items.iter().map(|s| s.posting.id.clone()).collect();
    assert_eq!(ids, want);
    assert_eq!(page.next_cursor, None);
    // The index marker (one GetItem), one Query reading the 12 items, one BatchGetItem.
    assert_eq!(cost.requests, 3, "{cost:?}");
    assert_eq!(cost.items_read, 1 + 12 + 12, "{cost:?}");

    // The same list on `by_listed` (the store before the filter index) reads its whole
    // budget of 5 × 21 index items for a short first page (one data job in 25 postings)
    // and takes several calls to list them all.
    let listed = DynamoStore::new(client, &table).without_filter_index();
    let before = listed.usage();
    let first = listed.list(&query, 20, None).await.unwrap();
    let cost = listed.usage().since(&before);
    println!("by_listed, first page of category=data: {cost:?}");
    assert!(first.items.len() < want.len() && first.next_cursor.is_some());
    assert!(cost.items_read >= 105, "{cost:?}");
    let (ids, calls) = walk(&listed, &query, 20).await;
    assert_eq!(ids, want);
    assert!(calls >= 3, "{calls} calls");
}

/// The facet counter cells a write from `old` to `new` changes (one UpdateItem each).
fn counter_cells(old: Option<&JobPosting>, new: &JobPosting) -> u64 {
    let mut deltas = CounterDeltas::default();
    deltas.record(old, Some(new));
    deltas.len() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_puts_only_changed_filter_items_and_none_for_an_unchanged_posting() {
    let (client, table) = fresh_table().await;
    let store = DynamoStore::new(client, &table);
    let first = stored(posting("gh", "1", "Senior Backend Engineer", t(0)));
    // Seniority, category, workplace, country: full time has no item.
    assert_eq!(filter_values(&first.posting).len(), 4);
    let before = store.usage();
    store
        .write(vec![Write::Insert(first.clone())])
        .await
        .unwrap();
    let written = store.usage().since(&before).items_written;
    // The posting, the months item, four filter items (and the facet counter cells the
    // write changes, one UpdateItem each: `store::facets::counters`).
    assert_eq!(written, 1 + 1 + 4 + counter_cells(None, &first.posting));

    let replace = |posting: &StoredPosting, revision: u64| Write::Replace {
        posting: StoredPosting {
            revision: revision + 1,
            ..posting.clone()
        },
        expected_revision: revision,
    };
    // A new description changes no filter value: the posting alone is written.
    let reworded = stored(edited(&first.posting, |p| {
        p.description_text = "Reworded.".into();
    }));
    let before = store.usage();
    store.write(vec![replace(&reworded, 1)]).await.unwrap();
    assert_eq!(counter_cells(Some(&first.posting), &reworded.posting), 0);
    assert_eq!(store.usage().since(&before).items_written, 1);

    // A new category: every item holds the category, so all four are put again, and the
    // old category's item is replaced by a tombstone.
    let moved = stored(edited(&reworded.posting, |p| {
        p.category = Some(Category::Data);
    }));
    let before = store.usage();
    store.write(vec![replace(&moved, 2)]).await.unwrap();
    let cells = counter_cells(Some(&reworded.posting), &moved.posting);
    assert_eq!(
        store.usage().since(&before).items_written,
        1 + 4 + 1 + cells
    );
    let backend = ListQuery {
        category: Some(Category::Backend),
        ..ListQuery::default()
    };
    let data = ListQuery {
        category: Some(Category::Data),
        ..ListQuery::default()
    };
    assert_eq!(walk(&store, &backend, 10).await.0, Vec::<String>::new());
    assert_eq!(
        walk(&store, &data, 10).await.0,
        std::slice::from_ref(&first.posting.id)
    );

    // Closing takes the posting out of every served list: four tombstones.
    let closed = stored(edited(&moved.posting, |p| p.closed_at = Some(t(2))));
    let before = store.usage();
    store.write(vec![replace(&closed, 3)]).await.unwrap();
    let cells = counter_cells(Some(&moved.posting), &closed.posting);
    assert_eq!(store.usage().since(&before).items_written, 1 + 4 + cells);
    let senior = ListQuery {
        seniority: Some(Seniority::Senior),
        ..ListQuery::default()
    };
    let (ids, calls) = walk(&store, &senior, 10).await;
    assert!(ids.is_empty());
    assert_eq!(calls, 1, "the tombstones left the index: nothing to read");
    // Still listed where closed postings are asked for (`by_listed`).
    let with_closed = ListQuery {
        include_closed: true,
        ..senior
    };
    assert_eq!(walk(&store, &with_closed, 10).await.0, [first.posting.id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_country_list_merges_remote_anywhere_postings_through_short_pages() {
    let (client, table) = fresh_table().await;
    let store = DynamoStore::new(client, &table);
    // Located in the US, remote anywhere, remote in the US, remote elsewhere, onsite
    // elsewhere with US "regions" (not remote: not open to the US), in turn; a few closed.
    let postings: Vec<StoredPosting> = (0..60)
        .map(|i| {
            let at = t(0) + Duration::minutes(7 * i as i64 % 240);
            stored(edited(
                &posting("gh", &format!("c{i}"), &format!("Engineer {i}"), at),
                |p| {
                    p.posted_at = None;
                    p.first_seen_at = Some(at);
                    let (country, workplace, regions): (&str, Workplace, &[&str]) = match i % 5 {
                        0 => ("US", Workplace::Onsite, &[]),
                        1 => ("DE", Workplace::Remote, &[]),
                        2 => ("GB", Workplace::Remote, &["US", "CA"]),
                        3 => ("GB", Workplace::Remote, &["GB"]),
                        _ => ("FR", Workplace::Onsite, &["US"]),
                    };
                    p.locations = vec![Location {
                        raw: country.into(),
                        country: Some(country.into()),
                        ..Location::default()
                    }];
                    p.workplace = Some(workplace);
                    p.remote_regions = regions.iter().map(|r| (*r).to_owned()).collect();
                    if i % 9 == 4 {
                        p.closed_at = Some(at + Duration::hours(1));
                    }
                },
            ))
        })
        .collect();
    store
        .write(postings.iter().cloned().map(Write::Insert).collect())
        .await
        .unwrap();
    for query in [
        ListQuery {
            country: Some("US".into()),
            ..ListQuery::default()
        },
        ListQuery {
            country: Some("GB".into()),
            workplace: Some(Workplace::Remote),
            ..ListQuery::default()
        },
        ListQuery {
            country: Some("JP".into()),
            since: Some(t(0) + Duration::minutes(100)),
            ..ListQuery::default()
        },
    ] {
        let want = expected(&postings, &query);
        assert!(!want.is_empty(), "{query:?}");
        for limit in [1, 2, 7, 100] {
            let (ids, _) = walk(&store, &query, limit).await;
            assert_eq!(ids, want, "{query:?} limit {limit}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_walk_by_listed_until_the_backfill_completes_the_filter_index() {
    let (client, table) = fresh_table().await;
    // A table deployed before the filter index: postings without items, no marker.
    client
        .delete_item()
        .table_name(&table)
        .key("pk", AttributeValue::S("meta".into()))
        .key("sk", AttributeValue::S("filter_index".into()))
        .send()
        .await
        .unwrap();
    let old = DynamoStore::new(client.clone(), &table).without_filter_index();
    let mut postings = corpus(120);
    postings[3].posting.duplicate_of = Some("elsewhere".into());
    old.write(postings.iter().cloned().map(Write::Insert).collect())
        .await
        .unwrap();
    let query = ListQuery {
        category: Some(Category::Data),
        ..ListQuery::default()
    };
    let want = expected(&postings, &query);
    assert_eq!(want.len(), 5);

    // The new code before the backfill: right answers, from `by_listed`.
    let store = DynamoStore::new(client, &table);
    assert_eq!(walk(&store, &query, 10).await.0, want);

    let report = store.backfill_filter_index().await.unwrap();
    assert_eq!(report.postings, 120);
    let open: usize = postings
        .iter()
        .map(|s| filter_values(&s.posting).len())
        .sum();
    assert_eq!(report.items, open);
    assert!(open < 120 * 4, "the duplicate has none");

    let before = store.usage();
    let (ids, calls) = walk(&store, &query, 10).await;
    let cost = store.usage().since(&before);
    assert_eq!(ids, want);
    assert_eq!(calls, 1);
    // One Query of the five items and one BatchGetItem: the marker was read by the backfill.
    assert_eq!(cost.items_read, 5 + 5, "{cost:?}");
}

/// The `pk`s of the items in one `by_filter` partition (`{dimension}={value}`).
async fn filter_partition(client: &Client, table: &str, key: &str) -> Vec<String> {
    let out = client
        .query()
        .table_name(table)
        .index_name(BY_FILTER.name)
        .key_condition_expression("#k = :k")
        .expression_attribute_names("#k", FILTER_KEY)
        .expression_attribute_values(":k", AttributeValue::S(key.into()))
        .send()
        .await
        .unwrap();
    let mut pks: Vec<String> = out
        .items()
        .iter()
        .filter_map(|i| i.get("pk")?.as_s().ok().cloned())
        .collect();
    pks.sort();
    pks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backfill_replaces_the_filter_items_a_failed_write_left_behind() {
    let (client, table) = fresh_table().await;
    let store = DynamoStore::new(client.clone(), &table);
    let mut postings = corpus(30);
    store
        .write(postings.iter().cloned().map(Write::Insert).collect())
        .await
        .unwrap();
    // Two postings written as if their filter items had failed after the posting's write:
    // one moved to another category, one closed.
    let blind = DynamoStore::new(client.clone(), &table).without_filter_index();
    let moved = edited(&postings[1].posting, |p| p.category = Some(Category::Data));
    let closed = edited(&postings[2].posting, |p| p.closed_at = Some(t(100)));
    let lost_items = filter_values(&postings[2].posting).len();
    let mut replaced = Vec::new();
    for (i, posting) in [(1, moved), (2, closed)] {
        replaced.push(Write::Replace {
            posting: StoredPosting {
                revision: 2,
                ..stored(posting.clone())
            },
            expected_revision: 1,
        });
        postings[i] = stored(posting);
    }
    blind.write(replaced).await.unwrap();
    let pk = |i: usize| format!("posting#{}", postings[i].posting.id);
    let backend = "category=backend";
    let stale = filter_partition(&client, &table, backend).await;
    assert!(stale.contains(&pk(1)) && stale.contains(&pk(2)));
    let data_items = filter_partition(&client, &table, "category=data").await;
    assert!(!data_items.contains(&pk(1)));

    let report = store.backfill_filter_index().await.unwrap();
    // p1's backend item, and every item of the closed p2.
    assert_eq!(report.stale, 1 + lost_items);
    let want = |category: Category| {
        let mut pks: Vec<String> = postings
            .iter()
            .filter(|s| s.posting.closed_at.is_none() && s.posting.category == Some(category))
            .map(|s| format!("posting#{}", s.posting.id))
            .collect();
        pks.sort();
        pks
    };
    assert_eq!(
        filter_partition(&client, &table, backend).await,
        want(Category::Backend)
    );
    assert_eq!(
        filter_partition(&client, &table, "category=data").await,
        want(Category::Data)
    );
    let data = ListQuery {
        category: Some(Category::Data),
        ..ListQuery::default()
    };
    assert_eq!(walk(&store, &data, 10).await.0, expected(&postings, &data));
    // Run again: tombstones are not stale items, so nothing more is replaced.
    assert_eq!(store.backfill_filter_index().await.unwrap().stale, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_of_two_filters_is_driven_by_the_value_the_counters_find_rarest() {
    let (client, table) = fresh_table().await;
    let store = DynamoStore::new(client, &table);
    // Every posting is backend, two are senior: the fixed guesses would drive the walk by
    // the category (guessed rarer than senior) and read all 40 items to find two.
    let postings: Vec<StoredPosting> = corpus(40)
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            stored(edited(&s.posting, |p| {
                p.category = Some(Category::Backend);
                if i % 20 != 7 {
                    p.seniority = Some(Seniority::Junior);
                }
            }))
        })
        .collect();
    store
        .write(postings.iter().cloned().map(Write::Insert).collect())
        .await
        .unwrap();
    let query = ListQuery {
        category: Some(Category::Backend),
        seniority: Some(Seniority::Senior),
        ..ListQuery::default()
    };
    assert_eq!(
        jobfeed::store::dynamodb::filter_index::plan(&query).map(|p| p.driver.key()),
        Some("category=backend".into())
    );
    let want = expected(&postings, &query);
    assert_eq!(want.len(), 2);

    let ids =
        |page: Page| -> Vec<String> { page.items.into_iter().map(|s| s.posting.id).collect() };
    let before = store.usage();
    let page = store.list(&query, 10, None).await.unwrap();
    let first = store.usage().since(&before);
    assert_eq!(ids(page), want);
    // The index marker, at most three counter cells (senior, backend, the total), the two
    // senior items and the two postings.
    assert!(first.items_read <= 1 + 3 + 2 + 2, "{first:?}");

    // Within the minute the counts are remembered: the two items and their postings.
    let before = store.usage();
    let page = store.list(&query, 10, None).await.unwrap();
    assert_eq!(ids(page), want);
    assert_eq!(store.usage().since(&before).items_read, 2 + 2);
}
