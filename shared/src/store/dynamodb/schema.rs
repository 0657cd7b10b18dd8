//! The one definition of the DynamoDB table: keys, global secondary indexes and the TTL
//! attribute. `create_table` builds the table from it, and the SAM template is checked
//! against it, so the two cannot drift apart.

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use super::sdk_error;
use crate::store::StoreError;

/// A global secondary index: a string partition key, an optional string sort key, and the
/// non-key attributes it copies (`INCLUDE` projection; the table's and the index's keys are
/// always projected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexSchema {
    /// Index name.
    pub name: &'static str,
    /// Partition key attribute (a string).
    pub partition_key: &'static str,
    /// Sort key attribute (a string), if the index has one.
    pub sort_key: Option<&'static str>,
    /// Non-key attributes copied into the index.
    pub projected: &'static [&'static str],
}

/// The table: string partition and sort keys, its indexes and the TTL attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSchema {
    /// Partition key attribute (a string).
    pub partition_key: &'static str,
    /// Sort key attribute (a string).
    pub sort_key: &'static str,
    /// Global secondary indexes.
    pub indexes: &'static [IndexSchema],
    /// Attribute holding the epoch second after which DynamoDB may delete the item.
    pub ttl_attribute: &'static str,
}

/// The table's partition key (`posting#{id}` for postings); also `by_source`'s sort key.
pub const PARTITION_KEY: &str = "pk";

/// The list index's sort key, `{listed_at}#{id}`.
pub const LIST_SORT: &str = "list_sort";

/// Lower-cased company name, for the case-insensitive company filter.
pub const COMPANY_KEY: &str = "company_key";

/// The index-entry copy of a posting: the `IndexEntry` fields under one-letter names, next
/// to the posting document (which keeps its own full-named fields for every other reader).
/// Only this copy goes into `by_source` and `by_fingerprint`, because a re-crawl reads a
/// source's whole index and DynamoDB bills that read by the bytes of attribute names and
/// values (`capacity`). The id is not copied: it is the table key `posting#{id}`, which
/// every index item holds anyway.
///
/// Source (the `by_source` key; absent when empty, as DynamoDB refuses empty keys).
pub const ENTRY_SOURCE: &str = "s";
/// Fingerprint, 32 hex characters as computed (the `by_fingerprint` key; absent when empty).
pub const ENTRY_FINGERPRINT: &str = "f";
/// Content hash: 16 bytes (binary) when it is 32 lower-case hex characters, else the string;
/// followed by the posting's list mark when it has one (`item::hash_and_mark_value`).
pub const ENTRY_CONTENT_HASH: &str = "h";
/// `fetched_at`, as epoch nanoseconds (a number; an RFC 3339 string outside 1677–2262).
pub const ENTRY_FETCHED_AT: &str = "t";
/// `first_seen_at` like `fetched_at`, absent when equal to it.
pub const ENTRY_FIRST_SEEN_AT: &str = "a";
/// `closed_at` like `fetched_at`, absent while open.
pub const ENTRY_CLOSED_AT: &str = "c";
/// `duplicate_of`, encoded like the content hash, absent for a canonical posting.
pub const ENTRY_DUPLICATE_OF: &str = "d";
/// `valid_through` like `fetched_at`, absent when unknown.
pub const ENTRY_VALID_THROUGH: &str = "v";
/// Revision (a number).
pub const ENTRY_REVISION: &str = "r";

/// What `by_source` copies besides its key: the rest of the index entry.
const BY_SOURCE_FIELDS: &[&str] = &[
    ENTRY_FINGERPRINT,
    ENTRY_CONTENT_HASH,
    ENTRY_FETCHED_AT,
    ENTRY_FIRST_SEEN_AT,
    ENTRY_CLOSED_AT,
    ENTRY_DUPLICATE_OF,
    ENTRY_VALID_THROUGH,
    ENTRY_REVISION,
];

/// What `by_fingerprint` copies besides its key: the rest of the index entry.
const BY_FINGERPRINT_FIELDS: &[&str] = &[
    ENTRY_SOURCE,
    ENTRY_CONTENT_HASH,
    ENTRY_FETCHED_AT,
    ENTRY_FIRST_SEEN_AT,
    ENTRY_CLOSED_AT,
    ENTRY_DUPLICATE_OF,
    ENTRY_VALID_THROUGH,
    ENTRY_REVISION,
];

/// Every posting field `ListQuery::matches` reads, plus the required fields a `JobPosting`
/// needs to decode (the descriptions are left out: they are most of a posting's size).
const LIST_FIELDS: &[&str] = &[
    "id",
    "source",
    "source_kind",
    "url",
    "title",
    "company",
    COMPANY_KEY,
    "locations",
    "workplace",
    "remote_regions",
    "employment_type",
    "seniority",
    "category",
    "skills",
    "salary",
    "posted_at",
    "fetched_at",
    "fingerprint",
    "content_hash",
    "first_seen_at",
    "closed_at",
    "duplicate_of",
];

/// Index of every posting by source (`source_index`, read whole), sorted by the posting's
/// table key (`posting#{id}`) so an ingest message reads only the slice of ids it carries
/// (`source_entries`).
pub const BY_SOURCE: IndexSchema = IndexSchema {
    name: "by_source",
    partition_key: ENTRY_SOURCE,
    sort_key: Some(PARTITION_KEY),
    projected: BY_SOURCE_FIELDS,
};

/// Index of every posting by cross-source fingerprint (`fingerprint_groups`), read whole
/// per fingerprint like `by_source`.
pub const BY_FINGERPRINT: IndexSchema = IndexSchema {
    name: "by_fingerprint",
    partition_key: ENTRY_FINGERPRINT,
    sort_key: None,
    projected: BY_FINGERPRINT_FIELDS,
};

/// Index of every posting by the month it was listed, newest last in each month (`list`).
pub const BY_LISTED: IndexSchema = IndexSchema {
    name: "by_listed",
    partition_key: "list_bucket",
    sort_key: Some(LIST_SORT),
    projected: LIST_FIELDS,
};

/// A filter index item's `{dimension}={value}` (`filter_index`): the `by_filter` key.
pub const FILTER_KEY: &str = "filter_key";

/// A filter index item's countries (a string set): where its posting is located, its remote
/// regions when remote, `*` when remote anywhere (`filter_index::ANYWHERE`).
pub const FILTER_COUNTRIES: &str = "countries";

/// What `by_filter` copies besides its keys: the values of the other filters a list may
/// combine with the one it is driven by, checked by a filter expression on the index (the
/// words, the salary floor, closed and duplicate postings go the `by_listed` way).
const BY_FILTER_FIELDS: &[&str] = &[
    "seniority",
    "category",
    "workplace",
    "employment_type",
    FILTER_COUNTRIES,
    COMPANY_KEY,
    "skills",
];

/// Sparse index of the filter index items only (`filter_index`): per served filter value,
/// the open canonical postings that have it, newest last, so a list filtered by a selective
/// value reads about what it returns. Posting items have no `filter_key` and stay out.
pub const BY_FILTER: IndexSchema = IndexSchema {
    name: "by_filter",
    partition_key: FILTER_KEY,
    sort_key: Some(LIST_SORT),
    projected: BY_FILTER_FIELDS,
};

/// The jobfeed table.
pub const SCHEMA: TableSchema = TableSchema {
    partition_key: PARTITION_KEY,
    sort_key: "sk",
    indexes: &[BY_SOURCE, BY_FINGERPRINT, BY_LISTED, BY_FILTER],
    ttl_attribute: "expires_at",
};

/// How long `create_table` waits for a new table to become active.
const CREATE_TIMEOUT: Duration = Duration::from_secs(300);

/// Creates `table_name` from `SCHEMA` (on-demand billing), waits until it is active, turns
/// on TTL and marks its (empty) filter index complete. For tests and first deployments; production tables come from the SAM
/// template.
pub async fn create_table(client: &Client, table_name: &str) -> Result<(), StoreError> {
    let schema = SCHEMA;
    let key_attributes: BTreeSet<&str> = [schema.partition_key, schema.sort_key]
        .into_iter()
        .chain(
            schema
                .indexes
                .iter()
                .flat_map(|i| std::iter::once(i.partition_key).chain(i.sort_key)),
        )
        .collect();
    let definitions = key_attributes
        .into_iter()
        .map(|name| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(build_error)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let indexes = schema
        .indexes
        .iter()
        .map(|index| {
            GlobalSecondaryIndex::builder()
                .index_name(index.name)
                .set_key_schema(Some(key_schema(index.partition_key, index.sort_key)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::Include)
                        .set_non_key_attributes(Some(
                            index.projected.iter().map(|a| (*a).to_owned()).collect(),
                        ))
                        .build(),
                )
                .build()
                .map_err(build_error)
        })
        .collect::<Result<Vec<_>, _>>()?;
    client
        .create_table()
        .table_name(table_name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(definitions))
        .set_key_schema(Some(key_schema(
            schema.partition_key,
            Some(schema.sort_key),
        )?))
        .set_global_secondary_indexes(Some(indexes))
        .send()
        .await
        .map_err(|e| sdk_error("CreateTable", e))?;
    client
        .wait_until_table_exists()
        .table_name(table_name)
        .wait(CREATE_TIMEOUT)
        .await
        .map_err(|_| StoreError::Retryable(format!("table {table_name} did not become active")))?;
    client
        .update_time_to_live()
        .table_name(table_name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(schema.ttl_attribute)
                .build()
                .map_err(build_error)?,
        )
        .send()
        .await
        .map_err(|e| sdk_error("UpdateTimeToLive", e))?;
    // A new table has no postings, so its filter index is complete from the start.
    client
        .put_item()
        .table_name(table_name)
        .set_item(Some(super::filter_index::ready_item()))
        .send()
        .await
        .map_err(|e| sdk_error("PutItem", e))?;
    Ok(())
}

fn key_schema(partition: &str, sort: Option<&str>) -> Result<Vec<KeySchemaElement>, StoreError> {
    std::iter::once((partition, KeyType::Hash))
        .chain(sort.map(|sort| (sort, KeyType::Range)))
        .map(|(name, kind)| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(build_error)
        })
        .collect()
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Permanent(format!("invalid DynamoDB request: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_index_projects_what_its_reader_decodes() {
        // Each index-entry index holds the whole entry: its own key plus the others.
        for index in [BY_SOURCE, BY_FINGERPRINT] {
            let mut held: Vec<&str> = index.projected.to_vec();
            held.push(index.partition_key);
            held.sort_unstable();
            assert_eq!(
                held,
                ["a", "c", "d", "f", "h", "r", "s", "t", "v"],
                "{}",
                index.name
            );
        }
        // The list index must hold every field `ListQuery::matches` reads.
        for field in [
            "title",
            "company",
            "skills",
            "locations",
            "remote_regions",
            "salary",
            "posted_at",
            "first_seen_at",
        ] {
            assert!(BY_LISTED.projected.contains(&field), "{field}");
        }
    }
}
