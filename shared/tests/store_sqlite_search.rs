//! Lists on a large SQLite store: whatever the filters, a call examines a bounded window of
//! its most selective filter's index, and following the cursors of short pages lists exactly
//! what an unbounded scan of the reference semantics lists.

#![cfg(feature = "sqlite")]

mod store_conformance;

use chrono::Duration;
use jobfeed::model::{Category, Location, Salary, Seniority, Workplace};
use jobfeed::store::sqlite::SqliteStore;
use jobfeed::store::{
    ListQuery, PostingReader, PostingStore, SalaryFloor, StoredPosting, Write, listed_at,
};
use store_conformance::{edited, posting, t};

/// A store on a new database file.
fn fresh_store() -> SqliteStore {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temporary directory")
        .keep();
    SqliteStore::open(dir.join("jobfeed.db")).expect("open a fresh database")
}

/// Posting `i` of a deterministic corpus, listed `i` minutes after the start: half senior
/// backend, half junior data (so so "senior data" matches nothing); a fifth
/// remote; a few rare values (Japan, Elixir, "reliability"); some closed, some duplicates.
fn corpus_posting(i: usize) -> StoredPosting {
    let listed = t(0) + Duration::minutes(i as i64);
    let title = format!(
        "{} Engineer {}",
        ["Backend", "Data"][i % 2],
        if i.is_multiple_of(13) {
            "Reliability"
        } else {
            "Platform"
        }
    );
    let p = edited(&posting("board", &i.to_string(), &title, listed), |p| {
        p.posted_at = None;
        p.first_seen_at = Some(listed);
        p.last_seen_at = Some(listed);
        p.company.name = format!("Company {}", i % 50);
        p.category = Some([Category::Backend, Category::Data][i % 2]);
        p.seniority = Some([Seniority::Senior, Seniority::Junior][i % 2]);
        let country = if i.is_multiple_of(997) {
            "JP"
        } else {
            ["US", "DE", "GB", "FR"][i % 4]
        };
        p.locations = vec![Location {
            raw: country.into(),
            country: Some(country.into()),
            ..Location::default()
        }];
        if i.is_multiple_of(5) {
            p.workplace = Some(Workplace::Remote);
            p.remote_regions = if i.is_multiple_of(10) {
                vec![]
            } else {
                vec!["US".into()]
            };
        }
        p.skills = match i % 3 {
            0 => vec!["go".into()],
            1 => vec!["postgresql".into(), "rust".into()],
            _ => vec!["python".into()],
        };
        if i.is_multiple_of(1009) {
            p.skills.push("elixir".into());
        }
        p.salary = i.is_multiple_of(4).then(|| Salary {
            min: None,
            max: Some(100_000.0 + (i % 7) as f64 * 20_000.0),
            currency: Some("USD".into()),
            period: None,
        });
        if i.is_multiple_of(17) {
            p.closed_at = Some(listed + Duration::days(1));
        }
        if i.is_multiple_of(19) {
            p.duplicate_of = Some("elsewhere".into());
        }
    });
    StoredPosting {
        posting: p,
        history: vec![],
        description_truncated: false,
        revision: 1,
        mark: None,
    }
}

async fn write_corpus(store: &SqliteStore, range: std::ops::Range<usize>) -> Vec<StoredPosting> {
    let postings: Vec<StoredPosting> = range.map(corpus_posting).collect();
    for chunk in postings.chunks(5_000) {
        store
            .write(chunk.iter().cloned().map(Write::Insert).collect())
            .await
            .unwrap();
    }
    postings
}

/// Ids of every page, following cursors to the end; and how many calls that took.
async fn walk(store: &SqliteStore, query: &ListQuery, limit: usize) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for calls in 1..10_000 {
        let page = store.list(query, limit, cursor.as_deref()).await.unwrap();
        assert!(page.items.len() <= limit);
        ids.extend(page.items.into_iter().map(|s| s.posting.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return (ids, calls),
        }
    }
    panic!("the cursor walk never ended");
}

/// What an unbounded scan of the reference semantics lists, newest first.
fn reference(corpus: &[StoredPosting], query: &ListQuery) -> Vec<String> {
    let mut matching: Vec<&StoredPosting> = corpus
        .iter()
        .filter(|s| query.matches(&s.posting))
        .collect();
    matching.sort_by(|a, b| {
        (listed_at(&b.posting), &b.posting.id).cmp(&(listed_at(&a.posting), &a.posting.id))
    });
    matching.into_iter().map(|s| s.posting.id.clone()).collect()
}

/// The VM steps of one first-page list call.
async fn first_page_steps(store: &SqliteStore, query: &ListQuery) -> (u64, bool, bool) {
    let before = store.list_steps();
    let page = store.list(query, 20, None).await.unwrap();
    (
        store.list_steps() - before,
        page.items.is_empty(),
        page.next_cursor.is_some(),
    )
}

#[tokio::test]
async fn a_no_match_combination_examines_one_window_however_large_the_table() {
    let store = fresh_store();
    let senior_data = ListQuery {
        category: Some(Category::Data),
        seniority: Some(Seniority::Senior),
        ..ListQuery::default()
    };
    let platform_senior_data = ListQuery {
        q: Some("platform engineer".into()),
        ..senior_data.clone()
    };
    write_corpus(&store, 0..20_000).await;
    let mut small = Vec::new();
    for query in [&senior_data, &platform_senior_data] {
        let (steps, empty, more) = first_page_steps(&store, query).await;
        assert!(empty, "nothing matches {query:?}");
        assert!(more, "the window ended, not the list");
        small.push(steps);
    }
    // Twice the postings, all newer: the first window is as large as before, and so is the
    // work (an unbounded walk would do twice as much).
    write_corpus(&store, 20_000..40_000).await;
    for (query, small) in [&senior_data, &platform_senior_data].into_iter().zip(small) {
        let (steps, empty, more) = first_page_steps(&store, query).await;
        assert!(empty && more);
        assert!(
            steps * 4 <= small * 5,
            "{query:?}: {steps} steps on 40,000 postings, {small} on 20,000"
        );
    }
    // The cursors walk on window by window to the end: about 20,000 senior postings (or
    // data postings), 2,000 entries per window.
    let (ids, calls) = walk(&store, &senior_data, 20).await;
    assert!(ids.is_empty());
    assert!((5..=12).contains(&calls), "{calls} calls");
}

#[tokio::test]
async fn following_the_cursors_of_short_pages_lists_what_an_unbounded_scan_lists() {
    let store = fresh_store();
    let corpus = write_corpus(&store, 0..6_000).await;
    let base = ListQuery::default();
    let queries = [
        ListQuery {
            category: Some(Category::Data),
            seniority: Some(Seniority::Senior),
            ..base.clone()
        },
        ListQuery {
            country: Some("JP".into()),
            ..base.clone()
        },
        ListQuery {
            country: Some("JP".into()),
            category: Some(Category::Data),
            include_closed: true,
            ..base.clone()
        },
        ListQuery {
            country: Some("US".into()),
            workplace: Some(Workplace::Remote),
            seniority: Some(Seniority::Senior),
            ..base.clone()
        },
        ListQuery {
            skills: vec!["elixir".into()],
            include_closed: true,
            include_duplicates: true,
            ..base.clone()
        },
        ListQuery {
            skills: vec!["rust".into(), "postgresql".into()],
            category: Some(Category::Backend),
            since: Some(t(0) + Duration::minutes(4_000)),
            ..base.clone()
        },
        ListQuery {
            q: Some("reliability".into()),
            salary_min: Some(SalaryFloor {
                amount: 200_000.0,
                currency: "USD".into(),
            }),
            ..base.clone()
        },
        ListQuery {
            q: Some("platform engineer".into()),
            company: Some("company 7".into()),
            workplace: Some(Workplace::Remote),
            ..base.clone()
        },
        ListQuery {
            q: Some("reliability".into()),
            country: Some("GB".into()),
            ..base.clone()
        },
        ListQuery {
            salary_min: Some(SalaryFloor {
                amount: 200_000.0,
                currency: "USD".into(),
            }),
            country: Some("DE".into()),
            ..base.clone()
        },
    ];
    for query in &queries {
        let expected = reference(&corpus, query);
        for limit in [7, 100] {
            let (ids, _) = walk(&store, query, limit).await;
            assert_eq!(ids, expected, "{query:?} limit {limit}");
        }
    }
}

#[tokio::test]
async fn words_too_common_to_gather_are_checked_in_sql_and_list_what_an_unbounded_scan_lists() {
    let store = fresh_store();
    // "platform engineer" is in 12 of every 13 titles: past the 10,000 full-text matches
    // a call gathers into a set, so each candidate's own search words are checked in SQL.
    let corpus = write_corpus(&store, 0..12_000).await;
    let common = ListQuery {
        q: Some("Platform engineer".into()),
        ..ListQuery::default()
    };
    let queries = [
        common.clone(),
        ListQuery {
            country: Some("JP".into()),
            ..common.clone()
        },
        ListQuery {
            category: Some(Category::Data),
            company: Some("company 7".into()),
            include_closed: true,
            ..common.clone()
        },
        ListQuery {
            skills: vec!["go".into()],
            workplace: Some(Workplace::Remote),
            ..common.clone()
        },
        ListQuery {
            q: Some("engineer data".into()),
            seniority: Some(Seniority::Junior),
            country: Some("US".into()),
            ..ListQuery::default()
        },
    ];
    for query in &queries {
        let expected = reference(&corpus, query);
        assert!(!expected.is_empty(), "{query:?} matches something");
        for limit in [20, 100] {
            let (ids, _) = walk(&store, query, limit).await;
            assert_eq!(ids, expected, "{query:?} limit {limit}");
        }
    }
    // A candidate whose title lacks a word is rejected in SQL, before its body is read:
    // the first page reads its 21 matches and not the "reliability" postings between.
    let before = store.usage();
    let page = store.list(&common, 20, None).await.unwrap();
    assert_eq!(page.items.len(), 20);
    assert_eq!(store.usage().since(&before).items_read, 21);
    // Counted common once, the words are not counted again for a minute: the same call
    // gives the same page for a fraction of the work (the count read 10,001 matches).
    let store = fresh_store();
    write_corpus(&store, 0..12_000).await;
    let (first, _, _) = first_page_steps(&store, &common).await;
    let (again, _, _) = first_page_steps(&store, &common).await;
    assert!(
        again * 2 < first,
        "{again} steps again, {first} the first time"
    );
    let (one, two) = (
        store.list(&common, 20, None).await.unwrap(),
        store.list(&common, 20, None).await.unwrap(),
    );
    assert_eq!(one, two);
}
