//! The store conformance suite on the SQLite store: every test on a fresh file database in
//! its own temporary directory (WAL mode and all, as `jobfeed` runs it).

#![cfg(feature = "sqlite")]

mod store_conformance;

use jobfeed::store::sqlite::SqliteStore;
use store_conformance::Capabilities;

/// A store on a new database file. The store outlives any guard the macro could hold, so
/// the directory is kept, under cargo's scratch directory for integration tests rather
/// than the system's temporary directory.
async fn fresh_store() -> SqliteStore {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temporary directory")
        .keep();
    SqliteStore::open(dir.join("jobfeed.db")).expect("open a fresh database")
}

conformance_tests!(
    fresh_store(),
    Capabilities {
        deletes_expired: true
    }
);

/// A filter that matches little: the one intern posting is the oldest of 2,500. The
/// seniority index starts with the filter, so the first call goes straight to it.
#[tokio::test]
async fn a_filter_that_matches_little_finds_its_old_match_at_once_through_its_own_index() {
    use jobfeed::app::ingest::{Incoming, IngestConfig, ingest_postings};
    use jobfeed::model::Seniority;
    use jobfeed::store::{ListQuery, PostingReader};
    use store_conformance::{edited, posting, t};

    let store = fresh_store().await;
    let intern = edited(&posting("board", "0", "Backend Intern", t(0)), |p| {
        p.seniority = Some(Seniority::Intern);
    });
    let mut postings = vec![intern.clone()];
    postings.extend((1..2_500).map(|i| {
        posting(
            "board",
            &i.to_string(),
            &format!("Backend Engineer {i}"),
            t(i),
        )
    }));
    for (i, chunk) in postings.chunks(500).enumerate() {
        let incoming = chunk.iter().cloned().map(Incoming::from).collect();
        let now = t(3_000 + i as i64);
        ingest_postings(&store, incoming, now, &IngestConfig::default())
            .await
            .unwrap();
    }
    let query = ListQuery {
        seniority: Some(Seniority::Intern),
        ..ListQuery::default()
    };
    let before = store.usage();
    let first = store.list(&query, 20, None).await.unwrap();
    let used = store.usage().since(&before);
    let ids: Vec<&str> = first.items.iter().map(|s| s.posting.id.as_str()).collect();
    assert_eq!(ids, [intern.id.as_str()]);
    assert_eq!(first.next_cursor, None, "the list ends there");
    assert_eq!((used.requests, used.items_read), (1, 1));
    // A list without filters is not held back by the window.
    let all = store.list(&ListQuery::default(), 20, None).await.unwrap();
    assert_eq!(all.items.len(), 20);
}
