//! Facet counters on DynamoDB: one small item per counter cell (`store::facets::counters`),
//! `facets#{scope}`/`{dimension}#{value}` with the count in `n`, kept by `write`.
//!
//! Writing: every posting PutItem returns the item it replaced (`ReturnValues: ALL_OLD`,
//! which costs no read unit), so the change of each posting is known without a read; the
//! changes of a whole `write` batch are summed per cell (many postings of one source share
//! their company, category, country...) and applied with one `UpdateItem ADD` per changed
//! cell, `COUNTER_CONCURRENCY` in flight. An unchanged posting changes no cell and costs no
//! counter write. Cells that drop to zero stay (a zero costs a few bytes and is skipped on
//! reading); `rebuild` removes them.
//!
//! The rule when counting fails after the postings were written: the postings' outcomes
//! are returned as they are and the failure is logged (`facet counters not updated`), never
//! turned into an error. An error would only have SQS redeliver the message, whose re-plan
//! finds the postings already written and changes nothing, so the lost change would stay
//! lost either way; an `ADD` retried after a lost answer may also count twice. Counters can
//! therefore drift after such failures (or a crash between the two writes); `jobfeed facets
//! rebuild` recounts them from the postings, and is also how a table deployed before the
//! counters gets its first ones. A batch whose posting writes fail partway still counts
//! the ones applied before returning the failure, since its redelivery will not see them
//! as changes.
//!
//! Reading: a counter-served `/facets` request is one Query per scope partition (two for a
//! country), eventually consistent: the items are the values the scope's postings have
//! (a few thousand at most for the unfiltered scope: companies, skills, countries), so the
//! read is bounded by the distinct values, not by the postings, and capped at
//! `COUNTER_READ_LIMIT` items a scope; past the cap the bounded fallback answers.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use futures::{StreamExt, TryStreamExt, stream};

use super::capacity::{self, Units};
use super::filter_index::{self, FilterPlan};
use super::item::{Item, s};
use super::schema::SCHEMA;
use super::{DynamoStore, PartitionRead, reported, sdk_error};
use crate::model::{Category, EmploymentType, Seniority, Workplace};
use crate::store::facets::Facets;
use crate::store::facets::counters::{
    Cell, CounterDeltas, Dimension, FacetCounterRepair, SCOPE_ALL, SCOPE_ANY_COUNTRY, TOTAL,
    facets_from_counters, posting_cells,
};
use crate::store::{ANY_COUNTRY, ListQuery, PostingReader, StoreError, Write, WriteOutcome};

/// Partition prefix of the counter items: `facets#{scope}`.
const PARTITION_PREFIX: &str = "facets#";
/// The count attribute of a counter item.
const COUNT: &str = "n";
/// Counter updates in flight at once.
const COUNTER_CONCURRENCY: usize = 16;
/// Most counter items one scope's read takes before the request falls back to counting
/// postings (the unfiltered scope of a large feed holds a few thousand).
const COUNTER_READ_LIMIT: usize = 20_000;
/// How long a store handle plans filtered lists with the counter cells it read.
pub(super) const PLAN_COUNTS_TTL: std::time::Duration = std::time::Duration::from_secs(60);
/// Postings per `list` page of a rebuild.
const REBUILD_PAGE: usize = 500;

/// The table key of one counter cell.
fn counter_key(scope: &str, dimension: &str, value: &str) -> Item {
    Item::from([
        (
            SCHEMA.partition_key.to_owned(),
            s(format!("{PARTITION_PREFIX}{scope}")),
        ),
        (
            SCHEMA.sort_key.to_owned(),
            s(format!("{dimension}#{value}")),
        ),
    ])
}

/// A counter item's key as one string (`{pk}/{sk}`), to match what BatchGetItem returns.
fn cell_name(item: &Item) -> String {
    let part = |name: &str| match item.get(name) {
        Some(AttributeValue::S(v)) => v.as_str(),
        _ => "",
    };
    format!("{}/{}", part(SCHEMA.partition_key), part(SCHEMA.sort_key))
}

/// `(dimension, value, count)` of a counter item; `None` for anything else.
fn counter_row(item: &Item) -> Option<(String, String, i64)> {
    let AttributeValue::S(sk) = item.get(SCHEMA.sort_key)? else {
        return None;
    };
    let AttributeValue::N(n) = item.get(COUNT)? else {
        return None;
    };
    // Dimension names hold no `#`; values (company names) may.
    let (dimension, value) = sk.split_once('#')?;
    Some((dimension.to_owned(), value.to_owned(), n.parse().ok()?))
}

impl DynamoStore {
    /// The filter index plan of `query` (`filter_index::plan_with`). With two or more
    /// values that could drive its walk, the one the unfiltered scope's counters find
    /// rarest drives: their cells are read by one BatchGetItem and reused by this handle for
    /// `PLAN_COUNTS_TTL`. With one, or when the counters are missing or cannot be read, the
    /// fixed guesses of `filter_index::expected_share` decide. Counts only choose among
    /// correct walks, so stale ones cost reads, never results.
    pub(super) async fn filter_plan(&self, query: &ListQuery) -> Option<FilterPlan> {
        let candidates = filter_index::candidates(query);
        if candidates.len() < 2 {
            return filter_index::plan(query);
        }
        let all = |dimension: &str, value: &str| counter_key(SCOPE_ALL, dimension, value);
        let mut keys: Vec<Item> = candidates
            .iter()
            .filter(|c| !(c.dimension == filter_index::COUNTRY && c.value == ANY_COUNTRY))
            .map(|c| all(c.dimension, &c.value))
            .collect();
        keys.push(all(TOTAL, ""));
        keys.push(counter_key(SCOPE_ANY_COUNTRY, TOTAL, ""));
        let counts = match self.plan_counts(keys).await {
            Ok(counts) => counts,
            Err(e) => {
                tracing::warn!(error = %e, "facet counters unreadable: the list is planned by fixed guesses");
                return filter_index::plan(query);
            }
        };
        let count = |key: &Item| counts.get(&cell_name(key)).copied().unwrap_or(0);
        let total = count(&all(TOTAL, ""));
        let anywhere = count(&counter_key(SCOPE_ANY_COUNTRY, TOTAL, ""));
        filter_index::plan_with(query, |value| {
            filter_index::counted_share(
                value,
                count(&all(value.dimension, &value.value)),
                total,
                anywhere,
            )
            .unwrap_or_else(|| filter_index::expected_share(value))
        })
    }

    /// The counts of the cells `keys` (0 for a cell with no item), by `cell_name`: from
    /// this handle's memory when read within `PLAN_COUNTS_TTL`, else by one BatchGetItem.
    async fn plan_counts(&self, keys: Vec<Item>) -> Result<HashMap<String, i64>, StoreError> {
        let now = Instant::now();
        let mut counts = HashMap::new();
        let mut missing = Vec::new();
        {
            let known = self.plan_counts.lock().unwrap_or_else(|e| e.into_inner());
            for key in keys {
                let name = cell_name(&key);
                match known.get(&name) {
                    Some((at, n)) if now.duration_since(*at) < PLAN_COUNTS_TTL => {
                        counts.insert(name, *n);
                    }
                    _ => missing.push(key),
                }
            }
        }
        if missing.is_empty() {
            return Ok(counts);
        }
        let names: Vec<String> = missing.iter().map(cell_name).collect();
        let found: HashMap<String, i64> = self
            .batch_get(missing, false)
            .await?
            .iter()
            .filter_map(|item| Some((cell_name(item), counter_row(item)?.2)))
            .collect();
        let mut known = self.plan_counts.lock().unwrap_or_else(|e| e.into_inner());
        // Expired cells go, so the memory holds the cells of the last minute's plans: at most
        // the enum values, the countries and the two totals.
        known.retain(|_, (at, _)| now.duration_since(*at) < PLAN_COUNTS_TTL);
        for name in names {
            let n = found.get(&name).copied().unwrap_or(0);
            known.insert(name.clone(), (now, n));
            counts.insert(name, n);
        }
        Ok(counts)
    }

    /// Sums the counter changes of the applied `writes` (`old`: the item each replaced, as
    /// PutItem returned it) and applies them; a counting failure is logged, not returned
    /// (see the module's rule). Returns the outcomes, or the first failed write's error.
    pub(super) async fn keep_facet_counters(
        &self,
        writes: &[Write],
        results: Vec<Result<(WriteOutcome, Option<Item>), StoreError>>,
    ) -> Result<Vec<WriteOutcome>, StoreError> {
        let mut deltas = CounterDeltas::default();
        for (write, result) in writes.iter().zip(&results) {
            let Ok((WriteOutcome::Applied, old)) = result else {
                continue;
            };
            let old = match old.clone().map(super::item::stored_posting).transpose() {
                Ok(old) => old,
                Err(e) => {
                    tracing::warn!(error = %e, id = write.id(), "replaced posting unreadable: its old facet values are not subtracted");
                    None
                }
            };
            let new = &super::posting_of(write).posting;
            deltas.record(old.as_ref().map(|o| &o.posting), Some(new));
        }
        if let Err(e) = self.add_to_counters(&deltas).await {
            tracing::error!(
                error = %e,
                cells = deltas.len(),
                "facet counters not updated: they are off until `jobfeed facets rebuild`"
            );
        }
        results
            .into_iter()
            .map(|result| result.map(|(outcome, _)| outcome))
            .collect()
    }

    /// One `UpdateItem ADD` per changed cell, `COUNTER_CONCURRENCY` in flight.
    async fn add_to_counters(&self, deltas: &CounterDeltas) -> Result<(), StoreError> {
        // Owned cells: a stream of borrowed ones trips the `Send` check of async traits.
        let changes: Vec<(Cell, i64)> = deltas.iter().map(|(c, n)| (c.clone(), n)).collect();
        stream::iter(changes)
            .map(|(cell, n)| async move { self.add_to_counter(&cell, n).await })
            .buffer_unordered(COUNTER_CONCURRENCY)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    async fn add_to_counter(&self, cell: &Cell, n: i64) -> Result<(), StoreError> {
        let key = counter_key(&cell.scope, cell.dimension_key(), &cell.value);
        self.add_to_numbers(key, &[(COUNT, n)]).await
    }

    /// The counter items of one scope, at most `COUNTER_READ_LIMIT + 1`.
    async fn scope_counters(&self, scope: &str) -> Result<Vec<Item>, StoreError> {
        let partition = format!("{PARTITION_PREFIX}{scope}");
        self.query(PartitionRead {
            limit: Some(COUNTER_READ_LIMIT + 1),
            ..PartitionRead::new(None, &partition)
        })
        .await
    }

    /// The facets of a counter-served query from its scopes' counters; `None` when a scope
    /// holds more than `COUNTER_READ_LIMIT` items (the caller counts its bounded way).
    pub(super) async fn counter_facets(
        &self,
        scopes: &[String],
    ) -> Result<Option<Facets>, StoreError> {
        let mut rows: Vec<(String, String, i64)> = Vec::new();
        for scope in scopes {
            let items = self.scope_counters(scope).await?;
            if items.len() > COUNTER_READ_LIMIT {
                return Ok(None);
            }
            rows.extend(items.iter().filter_map(counter_row));
        }
        Ok(Some(facets_from_counters(
            rows.iter().map(|(d, v, n)| (d.as_str(), v.as_str(), *n)),
        )))
    }

    /// Recounts the counters from the open canonical postings (one walk of `by_listed`
    /// through `list`, fetching each page's postings) and rewrites them: every counted cell
    /// is put with its count, and every other counter item of the scopes a counter can be
    /// in (the unfiltered one, every enum value's, `country=*`, and the countries the old
    /// or new unfiltered counts name) is deleted. Returns the postings counted.
    pub(super) async fn rebuild_counters(&self) -> Result<u64, StoreError> {
        let mut cells: BTreeMap<Cell, i64> = BTreeMap::new();
        let mut counted = 0u64;
        let mut cursor: Option<String> = None;
        let query = ListQuery::default();
        loop {
            let page = self.list(&query, REBUILD_PAGE, cursor.as_deref()).await?;
            for stored in &page.items {
                counted += 1;
                for cell in posting_cells(&stored.posting) {
                    *cells.entry(cell).or_default() += 1;
                }
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut scopes: BTreeSet<String> = cells.keys().map(|c| c.scope.clone()).collect();
        scopes.insert(SCOPE_ALL.to_owned());
        scopes.insert(SCOPE_ANY_COUNTRY.to_owned());
        let enums = Category::ALL
            .iter()
            .map(|v| ("category", v.as_str()))
            .chain(Seniority::ALL.iter().map(|v| ("seniority", v.as_str())))
            .chain(Workplace::ALL.iter().map(|v| ("workplace", v.as_str())))
            .chain(
                EmploymentType::ALL
                    .iter()
                    .map(|v| ("employment_type", v.as_str())),
            );
        scopes.extend(enums.map(|(d, v)| format!("{d}={v}")));
        // Countries that once had counts are named in the old unfiltered scope.
        let country = Dimension::Country.as_str();
        for item in self.query_all_counters(SCOPE_ALL).await? {
            if let Some((dimension, value, _)) = counter_row(&item)
                && dimension == country
            {
                scopes.insert(format!("{country}={value}"));
            }
        }
        let mut stale: Vec<Item> = Vec::new();
        for scope in &scopes {
            for item in self.query_all_counters(scope).await? {
                let Some((dimension, value, _)) = counter_row(&item) else {
                    continue;
                };
                let cell = Cell {
                    scope: scope.clone(),
                    dimension: Dimension::parse(&dimension),
                    value: value.clone(),
                };
                let known =
                    (cell.dimension.is_some() || dimension == TOTAL) && cells.contains_key(&cell);
                if !known {
                    stale.push(counter_key(scope, &dimension, &value));
                }
            }
        }
        stream::iter(cells)
            .map(|(cell, n)| async move { self.put_counter(&cell, n).await })
            .buffer_unordered(COUNTER_CONCURRENCY)
            .try_collect::<Vec<()>>()
            .await?;
        stream::iter(stale)
            .map(|key| self.delete_counter(key))
            .buffer_unordered(COUNTER_CONCURRENCY)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(counted)
    }

    /// Every counter item of one scope (no cap: the rebuild reads them all).
    async fn query_all_counters(&self, scope: &str) -> Result<Vec<Item>, StoreError> {
        let partition = format!("{PARTITION_PREFIX}{scope}");
        self.query(PartitionRead::new(None, &partition)).await
    }

    async fn put_counter(&self, cell: &Cell, n: i64) -> Result<(), StoreError> {
        let mut item = counter_key(&cell.scope, cell.dimension_key(), &cell.value);
        item.insert(COUNT.to_owned(), AttributeValue::N(n.to_string()));
        self.put_plain(item).await
    }

    async fn delete_counter(&self, key: Item) -> Result<(), StoreError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|e| sdk_error("DeleteItem", e))?;
        self.count(
            0,
            1,
            reported(out.consumed_capacity.as_ref()),
            Units::writes(capacity::write_units(0)),
        );
        Ok(())
    }
}

#[async_trait]
impl FacetCounterRepair for DynamoStore {
    /// See `DynamoStore::rebuild_counters`: not atomic, so run it while ingest is paused.
    async fn rebuild_facet_counters(&self) -> Result<u64, StoreError> {
        self.rebuild_counters().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_item_reads_back_as_its_cell_even_with_a_hash_in_the_value() {
        let mut item = counter_key("all", "company", "C# Shop #1");
        item.insert(COUNT.into(), AttributeValue::N("3".into()));
        assert_eq!(
            counter_row(&item),
            Some(("company".into(), "C# Shop #1".into(), 3))
        );
        let mut total = counter_key("country=*", TOTAL, "");
        total.insert(COUNT.into(), AttributeValue::N("-1".into()));
        assert_eq!(counter_row(&total), Some((TOTAL.into(), String::new(), -1)));
    }
}
