//! The store conformance suite on the in-memory reference store.

mod store_conformance;

use jobfeed::store::memory::MemoryStore;
use store_conformance::Capabilities;

conformance_tests!(
    async { MemoryStore::new() },
    Capabilities {
        deletes_expired: true
    }
);
