//! The filter index of the DynamoDB store (issue 23): the common filters (seniority,
//! category, workplace, employment type, country) served from keys, so a list filtered by a
//! selective value reads about what it returns instead of walking `by_listed` and dropping
//! what the filter rejects.
//!
//! Layout: per open, canonical posting, one small item per value of each served filter,
//! `posting#{id}`/`filter#{dimension}={value}`, holding `filter_key` = `{dimension}={value}`,
//! the posting's `list_sort` and the values of the other filters a list may combine with it
//! (`schema::BY_FILTER`'s projection: ~200–300 bytes, one write unit plus one for the index
//! entry). The one sparse index `by_filter` (partition `filter_key`, sort `list_sort`) holds
//! only these items: CloudFormation adds one index per table update, and one index keyed by
//! `{dimension}={value}` serves every dimension.
//!
//! Country: a posting matches `country=X` when located in X, or remote and open to X (its
//! remote regions, or anywhere when it has none: `ListQuery::matches`). So its country items
//! are its location countries, its remote regions when remote, and `country=*` when remote
//! anywhere; a country list merges the partitions `country=X` and `country=*`, newest first.
//!
//! Left out on purpose: closed and duplicate postings have no items (a list asking for them
//! walks `by_listed`, as do lists with words or a salary floor, which the items cannot check);
//! `employment_type=full_time` has no items (most postings have it, so `by_listed` finds it
//! about as fast, and those items would be most of the index's writes).
//!
//! Writes: the posting's PutItem returns its old item (`ReturnValues::ALL_OLD`, no extra
//! units), and only items that appear or change are put; items whose value went are
//! overwritten by a key-only tombstone that leaves the index and expires by TTL (the
//! functions are granted no DeleteItem). A posting whose filter values and `list_sort` stay
//! writes no item, and an unchanged re-crawl writes nothing at all. A failure between the
//! posting's write and its items' leaves the index stale until a `backfill_filter_index`
//! (which adds the missing items and replaces the stale ones) or, for the items the failed
//! write would have added, the posting's next write; every page is checked against the
//! full postings (`ListQuery::matches`), so a stale item costs a read and never lists a
//! wrong posting.
//!
//! Tables created before this index have postings without items: lists use `by_listed`
//! until `backfill_filter_index` wrote every open posting's items and the `meta`/
//! `filter_index` marker (`create_table` writes the marker on a new, empty table).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::atomic::Ordering;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt, stream};

use super::capacity::{self, Units};
use super::item::{self, Item, s};
use super::schema::{
    BY_FILTER, BY_LISTED, COMPANY_KEY, FILTER_COUNTRIES, FILTER_KEY, LIST_SORT, SCHEMA,
};
use super::{
    DynamoStore, LIST_MAX_QUERIES, LIST_READ_FACTOR, ListingRead, PartitionRead, QUERY_PAGE,
    SortRange, WRITE_CONCURRENCY, list_filter, reported, sdk_error, string_attribute,
};
use crate::model::JobPosting;
use crate::store::country_keys;
use crate::store::{ListQuery, StoreError, listed_at};

/// Sort key prefix of a filter index item: `filter#{dimension}={value}`.
const FILTER_PREFIX: &str = "filter#";
/// The country value of a posting that is remote anywhere (matches every country).
pub const ANYWHERE: &str = crate::store::ANY_COUNTRY;
/// Sort key, in the `meta` partition, of the marker saying every posting has its items.
const READY_SORT: &str = "filter_index";
/// Partition of the marker (the `meta` partition of `item`).
const META_PARTITION: &str = "meta";

/// The served filters' dimensions, as in `filter_key` and the API's parameters.
pub const SENIORITY: &str = "seniority";
/// Category dimension.
pub const CATEGORY: &str = "category";
/// Workplace dimension.
pub const WORKPLACE: &str = "workplace";
/// Employment type dimension.
pub const EMPLOYMENT_TYPE: &str = "employment_type";
/// Country dimension (ISO alpha-2, or `ANYWHERE`).
pub const COUNTRY: &str = "country";

/// One served filter value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FilterValue {
    /// One of the dimensions above.
    pub dimension: &'static str,
    /// The value as the API spells it.
    pub value: String,
}

impl FilterValue {
    fn new(dimension: &'static str, value: impl Into<String>) -> Self {
        Self {
            dimension,
            value: value.into(),
        }
    }

    /// `{dimension}={value}`: the `by_filter` partition of this value.
    pub fn key(&self) -> String {
        format!("{}={}", self.dimension, self.value)
    }
}

/// Whether a value gets index items. `employment_type=full_time` does not: most postings
/// have it, so `by_listed` reads about what it returns for it anyway.
fn indexed(value: &FilterValue) -> bool {
    !(value.dimension == EMPLOYMENT_TYPE && value.value == "full_time")
}

/// The filter values a posting is listed under: none when closed or a duplicate (hidden
/// from every list the index serves), else its enum values and its countries as
/// `ListQuery::matches` reads them (see the module doc).
pub fn filter_values(p: &JobPosting) -> BTreeSet<FilterValue> {
    let mut values = BTreeSet::new();
    if p.closed_at.is_some() || p.duplicate_of.is_some() {
        return values;
    }
    let enums = [
        (SENIORITY, p.seniority.map(|v| v.as_str())),
        (CATEGORY, p.category.map(|v| v.as_str())),
        (WORKPLACE, p.workplace.map(|v| v.as_str())),
        (EMPLOYMENT_TYPE, p.employment_type.map(|v| v.as_str())),
    ];
    for (dimension, value) in enums {
        if let Some(value) = value {
            values.insert(FilterValue::new(dimension, value));
        }
    }
    for country in country_keys(p) {
        values.insert(FilterValue::new(COUNTRY, country));
    }
    values.retain(indexed);
    values
}

/// The filter index items of a posting, by sort key: each holds its key, the posting's
/// `list_sort` and the same copy of the posting's filter fields (`schema::BY_FILTER`).
pub(super) fn filter_items(p: &JobPosting) -> BTreeMap<String, Item> {
    let values = filter_values(p);
    if values.is_empty() {
        return BTreeMap::new();
    }
    let mut shared = Item::new();
    shared.insert(
        SCHEMA.partition_key.to_owned(),
        s(item::posting_partition(&p.id)),
    );
    shared.insert(
        LIST_SORT.to_owned(),
        s(item::list_sort(listed_at(p), &p.id)),
    );
    let enums = [
        (SENIORITY, p.seniority.map(|v| v.as_str())),
        (CATEGORY, p.category.map(|v| v.as_str())),
        (WORKPLACE, p.workplace.map(|v| v.as_str())),
        (EMPLOYMENT_TYPE, p.employment_type.map(|v| v.as_str())),
    ];
    for (field, value) in enums {
        if let Some(value) = value {
            shared.insert(field.to_owned(), s(value));
        }
    }
    let countries = country_keys(p);
    if !countries.is_empty() {
        shared.insert(
            FILTER_COUNTRIES.to_owned(),
            AttributeValue::Ss(countries.into_iter().map(str::to_owned).collect()),
        );
    }
    shared.insert(
        COMPANY_KEY.to_owned(),
        s(p.company.name.to_ascii_lowercase()),
    );
    // A string set: `contains` tests membership like the posting's list; sorted and
    // without repeats, so an unchanged posting builds an equal item.
    let skills: BTreeSet<&String> = p.skills.iter().collect();
    if !skills.is_empty() {
        shared.insert(
            "skills".to_owned(),
            AttributeValue::Ss(skills.into_iter().cloned().collect()),
        );
    }
    values
        .into_iter()
        .map(|value| {
            let key = value.key();
            let sort = format!("{FILTER_PREFIX}{key}");
            let mut item = shared.clone();
            item.insert(SCHEMA.sort_key.to_owned(), s(sort.clone()));
            item.insert(FILTER_KEY.to_owned(), s(key));
            (sort, item)
        })
        .collect()
}

/// The writes that take a posting's filter items from `old` (its previous version, `None`
/// when new or unknown) to `new`.
#[derive(Debug, Default, PartialEq)]
pub(super) struct FilterChanges {
    /// Items that appear or whose content changed.
    pub puts: Vec<Item>,
    /// Key-only items (expiring at once) replacing items whose value went.
    pub tombstones: Vec<Item>,
}

impl FilterChanges {
    fn is_empty(&self) -> bool {
        self.puts.is_empty() && self.tombstones.is_empty()
    }
}

/// The item writes from `old` to `new` (see `FilterChanges`); `now` dates the tombstones'
/// expiry.
pub(super) fn changes(
    old: Option<&JobPosting>,
    new: &JobPosting,
    now: DateTime<Utc>,
) -> FilterChanges {
    let before = old.map(filter_items).unwrap_or_default();
    let after = filter_items(new);
    let puts = after
        .iter()
        .filter(|(sort, item)| before.get(*sort) != Some(*item))
        .map(|(_, item)| item.clone())
        .collect();
    let tombstones = before
        .keys()
        .filter(|sort| !after.contains_key(*sort))
        .map(|sort| tombstone(old.map_or(new.id.as_str(), |p| p.id.as_str()), sort, now))
        .collect();
    FilterChanges { puts, tombstones }
}

/// The key-only item that replaces posting `id`'s filter item `sort`: without `filter_key`
/// it leaves `by_filter`, and it expires at `now`.
fn tombstone(id: &str, sort: &str, now: DateTime<Utc>) -> Item {
    HashMap::from([
        (
            SCHEMA.partition_key.to_owned(),
            s(item::posting_partition(id)),
        ),
        (SCHEMA.sort_key.to_owned(), s(sort)),
        (
            SCHEMA.ttl_attribute.to_owned(),
            AttributeValue::N(now.timestamp().to_string()),
        ),
    ])
}

/// How a list is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterPlan {
    /// The value the walk is driven by.
    pub driver: FilterValue,
    /// The `by_filter` partitions merged newest first: the driver's, and `country=*` for a
    /// country.
    pub partitions: Vec<String>,
}

/// The plan of `query` on the filter index with the fixed guesses of `expected_share`
/// (`plan_with`).
pub fn plan(query: &ListQuery) -> Option<FilterPlan> {
    plan_with(query, expected_share)
}

/// The plan of `query` on the filter index, `None` when it must walk `by_listed`: it asks
/// for closed or duplicate postings (which have no items), has words or a salary floor
/// (which the items cannot check), or has no served, indexed filter. Otherwise the most
/// selective of `candidates(query)` by `share` drives.
pub fn plan_with(query: &ListQuery, share: impl Fn(&FilterValue) -> f64) -> Option<FilterPlan> {
    let driver = most_selective(candidates(query), share)?;
    let mut partitions = vec![driver.key()];
    if driver.dimension == COUNTRY && driver.value != ANYWHERE {
        partitions.push(FilterValue::new(COUNTRY, ANYWHERE).key());
    }
    Some(FilterPlan { driver, partitions })
}

/// The served, indexed values of `query` that could drive its walk; none when the query
/// must walk `by_listed` (see `plan_with`).
pub fn candidates(query: &ListQuery) -> Vec<FilterValue> {
    if query.include_closed
        || query.include_duplicates
        || query.q.is_some()
        || query.salary_min.is_some()
    {
        return Vec::new();
    }
    [
        (SENIORITY, query.seniority.map(|v| v.as_str().to_owned())),
        (CATEGORY, query.category.map(|v| v.as_str().to_owned())),
        (WORKPLACE, query.workplace.map(|v| v.as_str().to_owned())),
        (
            EMPLOYMENT_TYPE,
            query.employment_type.map(|v| v.as_str().to_owned()),
        ),
        (COUNTRY, query.country.clone()),
    ]
    .into_iter()
    .filter_map(|(dimension, value)| value.map(|v| FilterValue::new(dimension, v)))
    .filter(indexed)
    .collect()
}

/// The share of the open postings a walk driven by `value` reads, from the facet counters
/// of the unfiltered scope: `count` postings have the value, of `total`; a country walk
/// also reads the `anywhere` postings (remote, open to every country), and `country=*`
/// reads only those (its `count` is unused). `None` without a positive total (counters
/// never built), for the fixed guess to answer instead.
pub fn counted_share(value: &FilterValue, count: i64, total: i64, anywhere: i64) -> Option<f64> {
    if total <= 0 {
        return None;
    }
    let read = match (value.dimension, value.value.as_str()) {
        (COUNTRY, ANYWHERE) => anywhere,
        (COUNTRY, _) => count + anywhere,
        _ => count,
    };
    Some(read.max(0) as f64 / total as f64)
}

/// The candidate with the smallest `share` (the fraction of postings expected to have it),
/// the first of equals: `counted_share` from the writer's counters, or the fixed guesses of
/// `expected_share`.
pub fn most_selective(
    candidates: Vec<FilterValue>,
    share: impl Fn(&FilterValue) -> f64,
) -> Option<FilterValue> {
    candidates
        .into_iter()
        .map(|c| (share(&c), c))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A fixed guess of the fraction of open postings with `value`, for a table without facet
/// counters (or when reading them failed): the common values of each dimension high, the
/// rest low. A wrong guess costs reads (the walk is driven by a less selective value),
/// never results.
pub fn expected_share(value: &FilterValue) -> f64 {
    // A country walk reads the remote-anywhere partition too.
    const ANYWHERE_SHARE: f64 = 0.2;
    match (value.dimension, value.value.as_str()) {
        (COUNTRY, ANYWHERE) => ANYWHERE_SHARE,
        (COUNTRY, "US") => 0.4 + ANYWHERE_SHARE,
        (COUNTRY, "GB" | "DE" | "IN" | "CA") => 0.08 + ANYWHERE_SHARE,
        (COUNTRY, _) => 0.03 + ANYWHERE_SHARE,
        (SENIORITY, "senior") => 0.35,
        (SENIORITY, "mid") => 0.3,
        (SENIORITY, _) => 0.06,
        (CATEGORY, "backend" | "other") => 0.25,
        (CATEGORY, _) => 0.08,
        (WORKPLACE, "onsite") => 0.45,
        (WORKPLACE, _) => 0.25,
        (EMPLOYMENT_TYPE, _) => 0.05,
        _ => 1.0,
    }
}

/// Where a merged stream of one partition stands: nothing read yet (`Top`, or the cursor's
/// position), read down to a `list_sort` (everything newer was seen), or read to its end.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Frontier {
    Exhausted,
    At(String),
    Top,
}

/// One partition of a merged walk: matches read but not yet handed out, and where to go on.
struct Stream {
    partition: String,
    buffer: VecDeque<(String, String)>,
    start: Option<Item>,
    frontier: Frontier,
}

/// How a filter walk stopped.
pub(super) enum FilterStop {
    /// One more match than the page holds was found.
    Full,
    /// Every partition (down to `since`) was read.
    End,
    /// The read budget ran out; the walk goes on strictly before this `list_sort`.
    Budget(String),
}

/// What the `backfill_filter_index` run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FilterBackfill {
    /// Postings read from `by_listed`.
    pub postings: usize,
    /// Filter index items written.
    pub items: usize,
    /// Items a posting no longer has (left by a write that failed between the posting and
    /// its items) replaced by tombstones.
    pub stale: usize,
}

/// The marker item of a complete filter index.
pub(super) fn ready_item() -> Item {
    HashMap::from([
        (SCHEMA.partition_key.to_owned(), s(META_PARTITION)),
        (SCHEMA.sort_key.to_owned(), s(READY_SORT)),
        ("complete".to_owned(), AttributeValue::Bool(true)),
    ])
}

impl DynamoStore {
    /// Whether lists may use the filter index: the store has it turned on and the table
    /// holds the marker (`backfill_filter_index`). One GetItem until the marker is seen,
    /// then none for the handle's life.
    pub(super) async fn filter_index_ready(&self) -> Result<bool, StoreError> {
        if !self.filter_index {
            return Ok(false);
        }
        if self.filter_index_ready.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let mut key = ready_item();
        key.remove("complete");
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", e))?;
        let size = out.item.as_ref().map_or(0, capacity::item_size);
        self.count(
            usize::from(out.item.is_some()),
            0,
            reported(out.consumed_capacity.as_ref()),
            Units::reads(capacity::read_units(size, false)),
        );
        let ready = out
            .item
            .is_some_and(|i| i.get("complete") == Some(&AttributeValue::Bool(true)));
        if ready {
            self.filter_index_ready.store(true, Ordering::Relaxed);
        }
        Ok(ready)
    }

    /// Brings the filter items of the postings just written from their old versions
    /// (`old`, the items the PutItems replaced) to the new ones, `WRITE_CONCURRENCY`
    /// PutItems at a time.
    pub(super) async fn sync_filter_items(
        &self,
        written: Vec<(&JobPosting, Option<Item>)>,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut puts = Vec::new();
        for (posting, old) in written {
            let old = old.and_then(|old| match item::list_view(old) {
                Ok(view) => Some(view),
                Err(e) => {
                    // Its items cannot be known: the new ones are all put, the old stay
                    // (re-checked against the posting on every page) until a backfill.
                    tracing::warn!(error = %e, id = %posting.id, "undecodable old posting");
                    None
                }
            });
            let changes = changes(old.as_ref(), posting, now);
            if changes.is_empty() {
                continue;
            }
            puts.extend(changes.puts.into_iter().map(|i| (i, false)));
            puts.extend(changes.tombstones.into_iter().map(|i| (i, true)));
        }
        stream::iter(puts)
            .map(|(item, tombstone)| self.put_filter_item(item, tombstone))
            .buffer_unordered(WRITE_CONCURRENCY)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    /// One unconditional PutItem of a filter item (or a tombstone, whose write also takes
    /// the old entry out of `by_filter`: one more unit).
    async fn put_filter_item(&self, item: Item, tombstone: bool) -> Result<(), StoreError> {
        let estimated = capacity::put_write_units(&item, SCHEMA.indexes)
            + if tombstone {
                capacity::write_units(0)
            } else {
                0.0
            };
        self.put_unconditional(item, estimated).await
    }

    /// Writes the filter items of every open, canonical posting (read from `by_listed`,
    /// month by month, 1,000 at a time: Queries, no Scan), replaces with tombstones the
    /// items any posting, open or not, no longer has (`filter_repair`: one consistent Query
    /// of its own partition each), then writes the marker that lets lists use them.
    /// Idempotent: run it once after the update that adds `by_filter`, and again as the
    /// repair after a failed write.
    pub async fn backfill_filter_index(&self) -> Result<FilterBackfill, StoreError> {
        let mut report = FilterBackfill::default();
        let now = Utc::now();
        for bucket in self.buckets().await? {
            let mut after: Option<String> = None;
            loop {
                let read = PartitionRead {
                    sort: after.as_deref().map_or(SortRange::All, SortRange::After),
                    limit: Some(QUERY_PAGE),
                    ..PartitionRead::new(Some(&BY_LISTED), &bucket)
                };
                let found = self.query(read).await?;
                let Some(last) = found.last().and_then(|i| string_attribute(i, LIST_SORT)) else {
                    break;
                };
                let full = found.len() >= QUERY_PAGE;
                report.postings += found.len();
                let ids: Vec<String> = found
                    .iter()
                    .filter_map(|i| string_attribute(i, SCHEMA.partition_key))
                    .filter_map(|pk| item::posting_id(&pk).map(str::to_owned))
                    .collect();
                let repairs: Vec<FilterChanges> = stream::iter(&ids)
                    .map(|id| self.filter_repair(id, now))
                    .buffer_unordered(WRITE_CONCURRENCY)
                    .try_collect()
                    .await?;
                let mut writes = Vec::new();
                for repair in repairs {
                    report.items += repair.puts.len();
                    report.stale += repair.tombstones.len();
                    writes.extend(repair.puts.into_iter().map(|i| (i, false)));
                    writes.extend(repair.tombstones.into_iter().map(|i| (i, true)));
                }
                stream::iter(writes)
                    .map(|(item, tombstone)| self.put_filter_item(item, tombstone))
                    .buffer_unordered(WRITE_CONCURRENCY)
                    .try_collect::<Vec<()>>()
                    .await?;
                if !full {
                    break;
                }
                after = Some(last);
            }
        }
        self.put_plain(ready_item()).await?;
        self.filter_index_ready.store(true, Ordering::Relaxed);
        Ok(report)
    }

    /// The writes that bring posting `id`'s filter items in line with the posting as stored
    /// now: every item it should have, and tombstones for the ones it has but should not.
    /// One strongly consistent Query of its partition reads the posting and its items
    /// together, so a write that landed after the `by_listed` page was read is not undone
    /// (one landing during this Query still can be: the repair is exact while nothing
    /// ingests). A posting that cannot be decoded keeps its items as they are.
    async fn filter_repair(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<FilterChanges, StoreError> {
        let partition = item::posting_partition(id);
        // The filter items (`filter#…`) and then the posting item sort in this range.
        let read = PartitionRead {
            sort: SortRange::Between(FILTER_PREFIX, item::POSTING_SORT),
            consistent: true,
            ..PartitionRead::new(None, &partition)
        };
        let mut current = BTreeMap::new();
        let mut stored = Vec::new();
        for found in self.query(read).await? {
            match string_attribute(&found, SCHEMA.sort_key) {
                Some(sort) if sort == item::POSTING_SORT => match item::list_view(found) {
                    Ok(posting) => current = filter_items(&posting),
                    Err(e) => {
                        tracing::warn!(error = %e, %id, "undecodable posting: its filter items are left as they are");
                        return Ok(FilterChanges::default());
                    }
                },
                Some(sort) if found.contains_key(FILTER_KEY) => stored.push(sort),
                _ => {}
            }
        }
        let tombstones = stored
            .iter()
            .filter(|sort| !current.contains_key(*sort))
            .map(|sort| tombstone(id, sort, now))
            .collect();
        Ok(FilterChanges {
            puts: current.into_values().collect(),
            tombstones,
        })
    }

    /// Walks the `partitions` of `by_filter` newest first, merged, strictly before `before`
    /// (and not older than `query.since`), until one more match than `limit` is found, every
    /// partition is read, or the read budget (`LIST_READ_FACTOR × (limit + 1)` items,
    /// `LIST_MAX_QUERIES` Queries) runs out. Returns `(list_sort, id)` in order.
    pub(super) async fn filter_walk(
        &self,
        query: &ListQuery,
        limit: usize,
        partitions: &[String],
        before: Option<String>,
    ) -> Result<(Vec<(String, String)>, FilterStop), StoreError> {
        let budget = limit.saturating_add(1).saturating_mul(LIST_READ_FACTOR);
        let start = before.clone().map_or(Frontier::Top, Frontier::At);
        let mut streams: Vec<Stream> = partitions
            .iter()
            .map(|p| Stream {
                partition: p.clone(),
                buffer: VecDeque::new(),
                start: None,
                frontier: start.clone(),
            })
            .collect();
        let mut found: Vec<(String, String)> = Vec::new();
        let (mut examined, mut queries) = (0usize, 0usize);
        loop {
            // Read the partitions that hold the merge back: those read the least far.
            let high = streams.iter().map(|s| s.frontier.clone()).max();
            let first = examined == 0;
            for stream in streams
                .iter_mut()
                .filter(|s| Some(&s.frontier) == high.as_ref())
            {
                if stream.frontier == Frontier::Exhausted {
                    continue;
                }
                let want = if first {
                    limit + 1
                } else {
                    budget.saturating_sub(examined).max(1)
                };
                queries += 1;
                let (items, last, scanned) = self
                    .filter_query(
                        query,
                        &stream.partition,
                        before.as_deref(),
                        want,
                        stream.start.take(),
                    )
                    .await?;
                examined += scanned;
                for candidate in items {
                    let (Some(sort), Some(id)) = (
                        string_attribute(&candidate, LIST_SORT),
                        string_attribute(&candidate, SCHEMA.partition_key)
                            .and_then(|pk| item::posting_id(&pk).map(str::to_owned)),
                    ) else {
                        continue;
                    };
                    if before.as_deref() == Some(sort.as_str()) {
                        continue;
                    }
                    stream.buffer.push_back((sort, id));
                }
                stream.frontier = match last.as_ref().and_then(|k| string_attribute(k, LIST_SORT)) {
                    Some(sort) => Frontier::At(sort),
                    None => Frontier::Exhausted,
                };
                stream.start = last;
            }
            // Everything at or after the least-read partition's frontier was seen in every
            // partition: hand it out in order (a posting in two partitions once).
            let point = streams
                .iter()
                .map(|s| s.frontier.clone())
                .max()
                .unwrap_or(Frontier::Exhausted);
            loop {
                let next = streams
                    .iter_mut()
                    .filter(|s| {
                        s.buffer
                            .front()
                            .is_some_and(|(sort, _)| Frontier::At(sort.clone()) >= point)
                    })
                    .max_by(|a, b| a.buffer.front().cmp(&b.buffer.front()));
                let Some((sort, id)) = next.and_then(|s| s.buffer.pop_front()) else {
                    break;
                };
                if found.last().is_some_and(|(last, _)| *last == sort) {
                    continue;
                }
                found.push((sort, id));
                if found.len() > limit {
                    return Ok((found, FilterStop::Full));
                }
            }
            match point {
                Frontier::Exhausted => return Ok((found, FilterStop::End)),
                Frontier::At(at) if examined >= budget || queries >= LIST_MAX_QUERIES => {
                    return Ok((found, FilterStop::Budget(at)));
                }
                _ => {}
            }
        }
    }

    /// One Query of a `by_filter` partition, newest first, strictly before `before` (the
    /// bound itself is skipped by the caller when `since` makes it a BETWEEN), filtered by
    /// the query's other filters on the projected copy. Returns the items that passed, where
    /// the partition goes on, and the items read.
    async fn filter_query(
        &self,
        query: &ListQuery,
        partition: &str,
        before: Option<&str>,
        want: usize,
        start: Option<Item>,
    ) -> Result<(Vec<Item>, Option<Item>, usize), StoreError> {
        let mut names = HashMap::new();
        let mut values = HashMap::new();
        let mut filter = list_filter(query, &mut names, &mut values);
        if let Some(country) = &query.country {
            names.insert("#countries".into(), FILTER_COUNTRIES.into());
            values.insert(":country".into(), s(country.as_str()));
            values.insert(":anywhere".into(), s(ANYWHERE));
            let part = "(contains(#countries, :country) OR contains(#countries, :anywhere))";
            filter = Some(match filter {
                Some(rest) => format!("{rest} AND {part}"),
                None => part.to_owned(),
            });
        }
        let read = ListingRead {
            index: &BY_FILTER,
            partition,
            since: query.since.map(item::sort_time),
            before,
            filter,
            names,
            values,
            // A filter item dropped by the expression weighs about what a kept one does.
            dropped_guess: FILTER_ITEM_GUESS,
        };
        let chunk = self.listing_query(read, want, start).await?;
        Ok((chunk.items, chunk.last, chunk.scanned))
    }
}

/// What a `by_filter` entry dropped by a filter expression is assumed to weigh when the
/// same Query returned none to measure.
const FILTER_ITEM_GUESS: usize = 250;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Company, EmploymentType, Location, Seniority, Workplace};

    /// A recorded posting (the Lever board's first) with known filter values.
    fn posting() -> JobPosting {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/corpus/lever/postings_rsp.json"
        ))
        .unwrap();
        let options = crate::parse::ParseOptions {
            kind: crate::extract::ExtractKind::Auto,
            url: None,
            source: Some("gh"),
            company_override: None,
            fetched_at: Utc::now(),
            max_bytes: crate::parse::DEFAULT_MAX_DOCUMENT_BYTES,
        };
        let mut p = crate::parse::parse_document(&bytes, &options)
            .unwrap()
            .postings
            .remove(0);
        p.id = "p1".into();
        p.company = Company {
            name: "Acme Corp".into(),
            ..p.company
        };
        p.seniority = Some(Seniority::Senior);
        p.category = Some(Category::Data);
        p.workplace = Some(Workplace::Hybrid);
        p.employment_type = Some(EmploymentType::Contract);
        p.locations = vec![Location {
            raw: "Berlin".into(),
            country: Some("DE".into()),
            ..Location::default()
        }];
        p.remote_regions = vec![];
        p.skills = vec!["rust".into(), "go".into(), "rust".into()];
        p.closed_at = None;
        p.duplicate_of = None;
        p
    }

    fn keys(p: &JobPosting) -> Vec<String> {
        filter_values(p).iter().map(FilterValue::key).collect()
    }

    #[test]
    fn an_open_posting_is_listed_under_each_served_value_but_full_time() {
        let mut p = posting();
        assert_eq!(
            keys(&p),
            [
                "category=data",
                "country=DE",
                "employment_type=contract",
                "seniority=senior",
                "workplace=hybrid"
            ]
        );
        p.employment_type = Some(EmploymentType::FullTime);
        assert!(!keys(&p).contains(&"employment_type=full_time".to_owned()));
        let items = filter_items(&p);
        let item = &items["filter#category=data"];
        assert_eq!(item[FILTER_KEY], s("category=data"));
        assert_eq!(item["pk"], s("posting#p1"));
        assert_eq!(item[COMPANY_KEY], s("acme corp"));
        assert_eq!(
            item["skills"],
            AttributeValue::Ss(vec!["go".into(), "rust".into()])
        );
        assert!(
            !item.contains_key("list_bucket"),
            "filter items stay out of by_listed"
        );
        assert!(capacity::item_size(item) < 1024, "one write unit");
    }

    #[test]
    fn closed_and_duplicate_postings_have_no_filter_items() {
        let closed = JobPosting {
            closed_at: Some(Utc::now()),
            ..posting()
        };
        let duplicate = JobPosting {
            duplicate_of: Some("other".into()),
            ..posting()
        };
        assert!(filter_items(&closed).is_empty());
        assert!(filter_items(&duplicate).is_empty());
    }

    #[test]
    fn country_items_follow_what_matches_reads_for_remote_postings() {
        let mut p = posting();
        p.workplace = Some(Workplace::Remote);
        p.remote_regions = vec![];
        assert!(keys(&p).contains(&"country=*".to_owned()));
        p.remote_regions = vec!["US".into(), "CA".into()];
        let listed: Vec<String> = keys(&p)
            .into_iter()
            .filter(|k| k.starts_with("country="))
            .collect();
        assert_eq!(listed, ["country=CA", "country=DE", "country=US"]);
        // Regions of a posting that is not remote do not count (`ListQuery::matches`).
        p.workplace = Some(Workplace::Onsite);
        assert!(!keys(&p).contains(&"country=US".to_owned()));
        // Every country the posting's values claim is one `matches` accepts, and back.
        for (workplace, regions) in [
            (Workplace::Remote, vec![]),
            (Workplace::Remote, vec!["FR".to_owned()]),
            (Workplace::Onsite, vec!["FR".to_owned()]),
        ] {
            p.workplace = Some(workplace);
            p.remote_regions = regions;
            let items = country_keys(&p);
            for country in ["DE", "FR", "US", "JP"] {
                let query = ListQuery {
                    country: Some(country.into()),
                    ..ListQuery::default()
                };
                let indexed = items.contains(country) || items.contains(ANYWHERE);
                assert_eq!(indexed, query.matches(&p), "{country} {workplace:?}");
            }
        }
    }

    #[test]
    fn an_unchanged_posting_writes_no_filter_item() {
        let p = posting();
        let mut fetched_again = p.clone();
        fetched_again.fetched_at = Utc::now();
        fetched_again.description_text = "edited".into();
        assert_eq!(
            changes(Some(&p), &fetched_again, Utc::now()),
            FilterChanges::default()
        );
    }

    #[test]
    fn a_changed_value_puts_its_new_item_and_tombstones_the_old_one() {
        let p = posting();
        let mut moved = p.clone();
        moved.category = Some(Category::Backend);
        let now = Utc::now();
        let changes = changes(Some(&p), &moved, now);
        // Every item holds the category copy, so all are rewritten; the old value goes.
        assert_eq!(changes.puts.len(), filter_items(&moved).len());
        assert_eq!(changes.tombstones.len(), 1);
        let tombstone = &changes.tombstones[0];
        assert_eq!(tombstone["sk"], s("filter#category=data"));
        assert!(!tombstone.contains_key(FILTER_KEY), "leaves by_filter");
        assert_eq!(
            tombstone["expires_at"],
            AttributeValue::N(now.timestamp().to_string())
        );
        // Closing takes every item out.
        let closed = JobPosting {
            closed_at: Some(now),
            ..moved.clone()
        };
        let closing = super::changes(Some(&moved), &closed, now);
        assert!(closing.puts.is_empty());
        assert_eq!(closing.tombstones.len(), filter_items(&moved).len());
        // A new posting puts them all.
        assert_eq!(
            super::changes(None, &p, now).puts.len(),
            filter_items(&p).len()
        );
    }

    #[test]
    fn the_most_selective_served_filter_drives_and_a_country_merges_remote_anywhere() {
        let query = ListQuery {
            country: Some("JP".into()),
            category: Some(Category::Data),
            seniority: Some(Seniority::Senior),
            ..ListQuery::default()
        };
        // A country also reads the remote-anywhere partition: the category is smaller.
        assert_eq!(plan_key(&query), Some("category=data".into()));
        let query = ListQuery {
            country: Some("JP".into()),
            ..ListQuery::default()
        };
        let plan = plan(&query).unwrap();
        assert_eq!(plan.driver.key(), "country=JP");
        assert_eq!(plan.partitions, ["country=JP", "country=*"]);
        let query = ListQuery {
            country: Some("US".into()),
            seniority: Some(Seniority::Intern),
            ..ListQuery::default()
        };
        assert_eq!(plan_key(&query), Some("seniority=intern".into()));
        // Counts, once they exist, choose instead of the guesses.
        let counted = most_selective(
            vec![
                FilterValue::new(COUNTRY, "US"),
                FilterValue::new(SENIORITY, "intern"),
            ],
            |v| if v.dimension == COUNTRY { 1.0 } else { 9.0 },
        );
        assert_eq!(counted.unwrap().key(), "country=US");
    }

    #[test]
    fn counted_shares_add_the_anywhere_postings_to_a_country_and_need_a_total() {
        let de = FilterValue::new(COUNTRY, "DE");
        let anywhere = FilterValue::new(COUNTRY, ANYWHERE);
        let devops = FilterValue::new(CATEGORY, "devops");
        assert_eq!(counted_share(&devops, 30, 1_000, 200), Some(0.03));
        assert_eq!(counted_share(&de, 30, 1_000, 200), Some(0.23));
        assert_eq!(counted_share(&anywhere, 0, 1_000, 200), Some(0.2));
        assert_eq!(counted_share(&devops, 30, 0, 200), None);
        // Interns are the rarest by the guesses, devops by these counts.
        let query = ListQuery {
            country: Some("DE".into()),
            category: Some(Category::Devops),
            seniority: Some(Seniority::Intern),
            ..ListQuery::default()
        };
        assert_eq!(plan_key(&query), Some("seniority=intern".into()));
        let counts = |v: &FilterValue| {
            let count = match v.dimension {
                CATEGORY => 30,
                SENIORITY => 300,
                _ => 90,
            };
            counted_share(v, count, 1_000, 200).unwrap()
        };
        let plan = plan_with(&query, counts).unwrap();
        assert_eq!(plan.driver.key(), "category=devops");
        assert_eq!(plan.partitions, ["category=devops"]);
    }

    fn plan_key(query: &ListQuery) -> Option<String> {
        plan(query).map(|p| p.driver.key())
    }

    #[test]
    fn lists_the_items_cannot_answer_walk_by_listed() {
        let base = ListQuery {
            category: Some(Category::Data),
            ..ListQuery::default()
        };
        assert!(plan(&base).is_some());
        for query in [
            ListQuery::default(),
            ListQuery {
                include_closed: true,
                ..base.clone()
            },
            ListQuery {
                include_duplicates: true,
                ..base.clone()
            },
            ListQuery {
                q: Some("rust".into()),
                ..base.clone()
            },
            ListQuery {
                employment_type: Some(EmploymentType::FullTime),
                ..ListQuery::default()
            },
            ListQuery {
                skills: vec!["go".into()],
                ..ListQuery::default()
            },
        ] {
            assert_eq!(plan(&query), None, "{query:?}");
        }
    }
}
