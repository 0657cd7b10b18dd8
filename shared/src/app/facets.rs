//! Repairing the facet counters a store keeps (`store::facets::counters`): recount them from
//! the stored postings. The backfill of a store that had postings before it kept counters
//! (a DynamoDB table deployed earlier), and the repair after counter updates were lost.

use crate::store::facets::counters::FacetCounterRepair;
use crate::store::{ListQuery, PostingReader, StoreError};

/// What a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildReport {
    /// Open, canonical postings counted.
    pub counted: u64,
    /// The unfiltered facet total read back from the new counters (equal to `counted`
    /// unless postings were written during the rebuild).
    pub total: u64,
}

/// Recounts every facet counter of `store` from its postings, then reads the unfiltered
/// counts back. Writes made while it runs may be missed (see
/// `FacetCounterRepair::rebuild_facet_counters`).
pub async fn rebuild_facet_counters<S>(store: &S) -> Result<RebuildReport, StoreError>
where
    S: FacetCounterRepair + PostingReader + ?Sized,
{
    let counted = store.rebuild_facet_counters().await?;
    let total = store.facets(&ListQuery::default()).await?.total;
    Ok(RebuildReport { counted, total })
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;

    #[tokio::test]
    async fn a_rebuild_of_an_empty_store_counts_nothing_and_reads_back_zero() {
        let store = SqliteStore::open_in_memory().unwrap();
        let report = rebuild_facet_counters(&store).await.unwrap();
        assert_eq!(
            report,
            RebuildReport {
                counted: 0,
                total: 0
            }
        );
    }
}
