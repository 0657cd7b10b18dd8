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
