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

/// A global secondary index: string partition and sort keys, and the non-key attributes it
/// copies (`INCLUDE` projection; the table's and the index's keys are always projected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexSchema {
    /// Index name.
    pub name: &'static str,
    /// Partition key attribute (a string).
    pub partition_key: &'static str,
    /// Sort key attribute (a string).
    pub sort_key: &'static str,
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

/// Lower-cased company name, for the case-insensitive company filter.
pub const COMPANY_KEY: &str = "company_key";

/// The fields of `IndexEntry`, copied into the two index-entry indexes so a source's or a
/// fingerprint group's entries are read without their postings.
const INDEX_ENTRY_FIELDS: &[&str] = &[
    "source",
    "content_hash",
    "fingerprint",
    "fetched_at",
    "first_seen_at",
    "closed_at",
    "duplicate_of",
    "valid_through",
    "revision",
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

/// Index of every posting by source (`source_index`).
pub const BY_SOURCE: IndexSchema = IndexSchema {
    name: "by_source",
    partition_key: "source",
    sort_key: "id",
    projected: INDEX_ENTRY_FIELDS,
};

/// Index of every posting by cross-source fingerprint (`fingerprint_groups`).
pub const BY_FINGERPRINT: IndexSchema = IndexSchema {
    name: "by_fingerprint",
    partition_key: "fingerprint",
    sort_key: "id",
    projected: INDEX_ENTRY_FIELDS,
};

/// Index of every posting by the month it was listed, newest last in each month (`list`).
pub const BY_LISTED: IndexSchema = IndexSchema {
    name: "by_listed",
    partition_key: "list_bucket",
    sort_key: "list_sort",
    projected: LIST_FIELDS,
};

/// The jobfeed table.
pub const SCHEMA: TableSchema = TableSchema {
    partition_key: "pk",
    sort_key: "sk",
    indexes: &[BY_SOURCE, BY_FINGERPRINT, BY_LISTED],
    ttl_attribute: "expires_at",
};

/// How long `create_table` waits for a new table to become active.
const CREATE_TIMEOUT: Duration = Duration::from_secs(300);

/// Creates `table_name` from `SCHEMA` (on-demand billing), waits until it is active and
/// turns on TTL. For tests and first deployments; production tables come from the SAM
/// template.
pub async fn create_table(client: &Client, table_name: &str) -> Result<(), StoreError> {
    let schema = SCHEMA;
    let key_attributes: BTreeSet<&str> = [schema.partition_key, schema.sort_key]
        .into_iter()
        .chain(
            schema
                .indexes
                .iter()
                .flat_map(|i| [i.partition_key, i.sort_key]),
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
        .set_key_schema(Some(key_schema(schema.partition_key, schema.sort_key)?))
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
    Ok(())
}

fn key_schema(partition: &str, sort: &str) -> Result<Vec<KeySchemaElement>, StoreError> {
    [(partition, KeyType::Hash), (sort, KeyType::Range)]
        .into_iter()
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
        for field in ["source", "content_hash", "revision", "closed_at"] {
            assert!(BY_SOURCE.projected.contains(&field), "{field}");
            assert!(BY_FINGERPRINT.projected.contains(&field), "{field}");
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
