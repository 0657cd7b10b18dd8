//! Postings, index entries and source states as DynamoDB items: the posting document
//! (serde_dynamo) plus the key and filter attributes the indexes need (among them the
//! compact index-entry copy, `schema::ENTRY_*`), fitted under DynamoDB's 400 KB item limit.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::de::DeserializeOwned;

use super::capacity::item_size;
use super::schema::{
    BY_LISTED, COMPANY_KEY, ENTRY_CLOSED_AT, ENTRY_CONTENT_HASH, ENTRY_DUPLICATE_OF,
    ENTRY_FETCHED_AT, ENTRY_FINGERPRINT, ENTRY_FIRST_SEEN_AT, ENTRY_REVISION, ENTRY_SOURCE,
    ENTRY_VALID_THROUGH, LIST_SORT, SCHEMA,
};
use crate::identity::ListMark;
use crate::model::JobPosting;
use crate::store::{IndexEntry, StoreError, StoredPosting, listed_at};

/// One DynamoDB item.
pub(super) type Item = HashMap<String, AttributeValue>;

/// Partition key prefix of a posting item: `posting#{id}`.
const POSTING_PREFIX: &str = "posting#";
/// Sort key of a posting item.
pub(super) const POSTING_SORT: &str = "posting";
/// Partition of the source-state items (sort key: the source name), read by one Query.
pub(super) const SOURCES_PARTITION: &str = "sources";
/// Partition of the ingest-count items of sources (sort key: the source name), kept apart
/// from the crawler's state items so that each writer only ever writes its own item.
pub(super) const COUNTS_PARTITION: &str = "source_counts";
/// Partition of the source registry's records (sort key: the source name), read by one
/// Query (a 2,000-source registry is one or two 1 MB pages).
pub(super) const REGISTRY_PARTITION: &str = "registry";
/// Partition prefix of a source's crawl checkpoint: `checkpoint#{source}`, holding a head
/// item and the parts the progress is split into.
const CHECKPOINT_PREFIX: &str = "checkpoint#";
/// Sort key of a checkpoint's head item.
pub(super) const CHECKPOINT_HEAD: &str = "head";
/// Partition and sort key of the item listing the months that hold postings.
const META_PARTITION: &str = "meta";
const BUCKETS_SORT: &str = "list_buckets";
/// The string-set attribute of that item.
pub(super) const BUCKETS_ATTRIBUTE: &str = "buckets";

/// DynamoDB's item size limit.
const ITEM_LIMIT: usize = 400 * 1024;
/// What an oversized posting is cut to: under the limit with room for the estimate's slack
/// and the HTML re-balanced after the cut.
pub(super) const ITEM_TARGET: usize = 350 * 1024;

/// A string attribute.
pub(super) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// The primary key of a posting.
pub(super) fn posting_key(id: &str) -> Item {
    key(posting_partition(id), POSTING_SORT)
}

/// The partition key value of posting `id` (also the `by_source` sort key).
pub(super) fn posting_partition(id: &str) -> String {
    format!("{POSTING_PREFIX}{id}")
}

/// The posting id of a `posting#{id}` partition key (`None` for other partitions).
pub(super) fn posting_id(partition: &str) -> Option<&str> {
    partition.strip_prefix(POSTING_PREFIX)
}

/// The primary key of a source's state.
pub(super) fn source_key(name: &str) -> Item {
    key(SOURCES_PARTITION, name)
}

/// The primary key of a source's registry record.
pub(super) fn registry_key(name: &str) -> Item {
    key(REGISTRY_PARTITION, name)
}

/// The primary key of a source's ingest counts.
pub(super) fn counts_key(name: &str) -> Item {
    key(COUNTS_PARTITION, name)
}

/// The partition of a source's checkpoint items.
pub(super) fn checkpoint_partition(source: &str) -> String {
    format!("{CHECKPOINT_PREFIX}{source}")
}

/// The primary key of one item of a source's checkpoint (`CHECKPOINT_HEAD` or a part).
pub(super) fn checkpoint_key(source: &str, sort: &str) -> Item {
    key(checkpoint_partition(source), sort)
}

/// The sort key of part `n` of a checkpoint (zero-padded, so parts sort in order).
pub(super) fn checkpoint_part(n: usize) -> String {
    format!("part#{n:05}")
}

/// The primary key of the list-buckets item.
pub(super) fn buckets_key() -> Item {
    key(META_PARTITION, BUCKETS_SORT)
}

fn key(partition: impl Into<String>, sort: impl Into<String>) -> Item {
    HashMap::from([
        (SCHEMA.partition_key.to_owned(), s(partition)),
        (SCHEMA.sort_key.to_owned(), s(sort)),
    ])
}

/// The attributes of a source's ingest-count item.
pub(super) const COUNT_NEW: &str = "new";
pub(super) const COUNT_CHANGED: &str = "changed";

/// The source name and (new, changed) counts of an ingest-count item.
pub(super) fn counts_of(found: &Item) -> Option<(String, (u64, u64))> {
    let name = match found.get(SCHEMA.sort_key) {
        Some(AttributeValue::S(name)) => name.clone(),
        _ => return None,
    };
    let number = |attribute: &str| match found.get(attribute) {
        Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
        _ => 0,
    };
    Some((name, (number(COUNT_NEW), number(COUNT_CHANGED))))
}

/// A source's ingest-count item with both counts at zero.
pub(super) fn zero_counts_item(name: &str) -> Item {
    let mut item = counts_key(name);
    item.insert(COUNT_NEW.to_owned(), AttributeValue::N("0".into()));
    item.insert(COUNT_CHANGED.to_owned(), AttributeValue::N("0".into()));
    item
}

/// How long checkpoint items outlive their last save before DynamoDB's TTL removes them
/// (a crawl saves every few minutes while it runs; an ended one leaves an empty head).
pub(super) const CHECKPOINT_TTL: Duration = Duration::days(7);

/// Bytes of progress per checkpoint part: an item stays well under DynamoDB's 400 KB.
pub(super) const CHECKPOINT_PART_BYTES: usize = 350 * 1024;
/// The binary attribute holding a part's bytes.
const CHECKPOINT_DATA: &str = "data";
/// The attribute naming the save a head or part belongs to.
const CHECKPOINT_GENERATION: &str = "generation";
/// The head's attribute counting the parts of its save.
const CHECKPOINT_PARTS: &str = "parts";

/// Part `n` of a checkpoint save, expiring at `expires`.
pub(super) fn checkpoint_part_item(
    source: &str,
    n: usize,
    generation: &str,
    bytes: &[u8],
    expires: DateTime<Utc>,
) -> Item {
    let mut item = checkpoint_key(source, &checkpoint_part(n));
    item.insert(
        CHECKPOINT_DATA.to_owned(),
        AttributeValue::B(Blob::new(bytes.to_vec())),
    );
    item.insert(CHECKPOINT_GENERATION.to_owned(), s(generation));
    item.insert(
        SCHEMA.ttl_attribute.to_owned(),
        AttributeValue::N(expires.timestamp().to_string()),
    );
    item
}

/// The head of a checkpoint save of `parts` parts (none: no checkpoint), expiring at
/// `expires`.
pub(super) fn checkpoint_head_item(
    source: &str,
    parts: usize,
    generation: &str,
    expires: DateTime<Utc>,
) -> Item {
    let mut item = checkpoint_key(source, CHECKPOINT_HEAD);
    item.insert(
        CHECKPOINT_PARTS.to_owned(),
        AttributeValue::N(parts.to_string()),
    );
    item.insert(CHECKPOINT_GENERATION.to_owned(), s(generation));
    item.insert(
        SCHEMA.ttl_attribute.to_owned(),
        AttributeValue::N(expires.timestamp().to_string()),
    );
    item
}

/// The progress bytes of a checkpoint's items (its whole partition): the head's parts in
/// order, each of the head's generation. `None` without a head or with a head of no parts
/// (a deleted checkpoint), or when a part is missing or of another save (logged).
pub(super) fn assemble_checkpoint(source: &str, items: Vec<Item>) -> Option<Vec<u8>> {
    let mut by_sort: HashMap<String, Item> = items
        .into_iter()
        .filter_map(|found| Some((string_of(&found, SCHEMA.sort_key)?, found)))
        .collect();
    let head = by_sort.remove(CHECKPOINT_HEAD)?;
    let generation = string_of(&head, CHECKPOINT_GENERATION)?;
    let parts: usize = match head.get(CHECKPOINT_PARTS) {
        Some(AttributeValue::N(n)) => n.parse().ok()?,
        _ => return None,
    };
    if parts == 0 {
        return None;
    }
    let mut progress = Vec::new();
    for n in 0..parts {
        let part = by_sort.remove(&checkpoint_part(n));
        let bytes = part.as_ref().and_then(|part| {
            (string_of(part, CHECKPOINT_GENERATION).as_deref() == Some(generation.as_str()))
                .then(|| match part.get(CHECKPOINT_DATA) {
                    Some(AttributeValue::B(bytes)) => Some(bytes.as_ref()),
                    _ => None,
                })
                .flatten()
        });
        let Some(bytes) = bytes else {
            tracing::warn!(
                source,
                part = n,
                "a checkpoint part is missing or of another save"
            );
            return None;
        };
        progress.extend_from_slice(bytes);
    }
    Some(progress)
}

fn string_of(found: &Item, attribute: &str) -> Option<String> {
    match found.get(attribute) {
        Some(AttributeValue::S(text)) => Some(text.clone()),
        _ => None,
    }
}

/// The list index partition a posting listed at `at` belongs to: its month, `2026-07`.
pub(super) fn list_bucket(at: DateTime<Utc>) -> String {
    at.format("%Y-%m").to_string()
}

/// A fixed-width, lexicographically ordered form of `at` (nanosecond precision), so the
/// list index sorts like `(listed_at, id)`. Years outside 0000–9999 sort out of place.
pub(super) fn sort_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

/// The list index sort key of a posting: `{sort_time}#{id}`.
pub(super) fn list_sort(at: DateTime<Utc>, id: &str) -> String {
    format!("{}#{id}", sort_time(at))
}

/// The item of a stored posting, with its index attributes and, once closed, its expiry
/// (`closed_at + retention`). A posting over `ITEM_TARGET` has its descriptions cut (and
/// `description_truncated` set) until it fits; only a posting too big without any
/// description is refused (`Permanent`).
pub(super) fn posting_item(
    stored: &StoredPosting,
    retention: Duration,
) -> Result<Item, StoreError> {
    let item = unchecked_posting_item(stored, retention)?;
    let mut size = item_size(&item);
    if size <= ITEM_TARGET {
        return Ok(item);
    }
    let mut cut = stored.clone();
    cut.description_truncated = true;
    // The cut aims at the target; re-balanced HTML can grow a little, so check and retry.
    for _ in 0..4 {
        let excess = size.saturating_sub(ITEM_TARGET);
        let p = &mut cut.posting;
        if p.description_html.is_empty() && p.description_text.is_empty() {
            break;
        }
        crate::markup::cut::truncate_descriptions(p, excess);
        let item = unchecked_posting_item(&cut, retention)?;
        size = item_size(&item);
        if size <= ITEM_LIMIT {
            return Ok(item);
        }
    }
    Err(StoreError::Permanent(format!(
        "posting {} is {size} bytes even with its description cut, over DynamoDB's item limit",
        stored.posting.id
    )))
}

fn unchecked_posting_item(stored: &StoredPosting, retention: Duration) -> Result<Item, StoreError> {
    let p = &stored.posting;
    let mut item: Item = serde_dynamo::aws_sdk_dynamodb_1::to_item(stored)
        .map_err(|e| StoreError::Permanent(format!("posting {} cannot be encoded: {e}", p.id)))?;
    item.extend(posting_key(&p.id));
    item.extend(entry_attributes(&IndexEntry::of(stored)));
    let at = listed_at(p);
    item.insert(BY_LISTED.partition_key.to_owned(), s(list_bucket(at)));
    item.insert(LIST_SORT.to_owned(), s(list_sort(at, &p.id)));
    // `ListQuery::company` is matched ignoring ASCII case, which a filter expression can
    // only do against a lower-cased copy.
    item.insert(
        COMPANY_KEY.to_owned(),
        s(p.company.name.to_ascii_lowercase()),
    );
    let expires = p.closed_at.and_then(|c| c.checked_add_signed(retention));
    if let Some(expires) = expires {
        item.insert(
            SCHEMA.ttl_attribute.to_owned(),
            AttributeValue::N(expires.timestamp().to_string()),
        );
    }
    Ok(item)
}

/// The stored posting in an item.
pub(super) fn stored_posting(item: Item) -> Result<StoredPosting, StoreError> {
    decode(item)
}

/// The posting fields the list index holds, as a posting with empty descriptions: enough
/// for `ListQuery::matches` and `listed_at`.
pub(super) fn list_view(mut item: Item) -> Result<JobPosting, StoreError> {
    item.insert("description_html".to_owned(), s(""));
    item.insert("description_text".to_owned(), s(""));
    decode(item)
}

/// The compact index-entry copy of a posting (`schema::ENTRY_*`); the id is the table key.
fn entry_attributes(entry: &IndexEntry) -> Item {
    let mut item = Item::new();
    // DynamoDB refuses an empty string as an index key: such a posting is in no such index.
    if !entry.source.is_empty() {
        item.insert(ENTRY_SOURCE.to_owned(), s(entry.source.as_str()));
    }
    if !entry.fingerprint.is_empty() {
        item.insert(ENTRY_FINGERPRINT.to_owned(), s(entry.fingerprint.as_str()));
    }
    item.insert(
        ENTRY_CONTENT_HASH.to_owned(),
        hash_and_mark_value(&entry.content_hash, entry.mark),
    );
    item.insert(ENTRY_FETCHED_AT.to_owned(), time_value(entry.fetched_at));
    if entry.first_seen_at != entry.fetched_at {
        item.insert(
            ENTRY_FIRST_SEEN_AT.to_owned(),
            time_value(entry.first_seen_at),
        );
    }
    if let Some(closed) = entry.closed_at {
        item.insert(ENTRY_CLOSED_AT.to_owned(), time_value(closed));
    }
    if let Some(canonical) = &entry.duplicate_of {
        item.insert(ENTRY_DUPLICATE_OF.to_owned(), hash_value(canonical));
    }
    if let Some(until) = entry.valid_through {
        item.insert(ENTRY_VALID_THROUGH.to_owned(), time_value(until));
    }
    item.insert(
        ENTRY_REVISION.to_owned(),
        AttributeValue::N(entry.revision.to_string()),
    );
    item
}

/// The index entry in an item of `by_source` or `by_fingerprint` (or a whole posting item).
pub(super) fn index_entry(item: &Item) -> Result<IndexEntry, StoreError> {
    let pk = match item.get(SCHEMA.partition_key) {
        Some(AttributeValue::S(pk)) => pk.as_str(),
        _ => "(no key)",
    };
    let bad = |what: &str| StoreError::Permanent(format!("index item {pk} has no valid {what}"));
    let id = pk.strip_prefix(POSTING_PREFIX).ok_or_else(|| bad("key"))?;
    let text = |name: &str| match item.get(name) {
        None => Ok(String::new()),
        Some(AttributeValue::S(v)) => Ok(v.clone()),
        Some(_) => Err(bad(name)),
    };
    let hash = |name: &str| {
        item.get(name)
            .map(hash_text)
            .transpose()
            .map_err(|()| bad(name))
    };
    let time = |name: &str| {
        item.get(name)
            .map(time_of)
            .transpose()
            .map_err(|()| bad(name))
    };
    let (content_hash, mark) = item
        .get(ENTRY_CONTENT_HASH)
        .map(hash_and_mark)
        .transpose()
        .map_err(|()| bad(ENTRY_CONTENT_HASH))?
        .ok_or_else(|| bad(ENTRY_CONTENT_HASH))?;
    let fetched_at = time(ENTRY_FETCHED_AT)?.ok_or_else(|| bad(ENTRY_FETCHED_AT))?;
    let revision = match item.get(ENTRY_REVISION) {
        Some(AttributeValue::N(n)) => n.parse().map_err(|_| bad(ENTRY_REVISION))?,
        _ => return Err(bad(ENTRY_REVISION)),
    };
    Ok(IndexEntry {
        id: id.to_owned(),
        source: text(ENTRY_SOURCE)?,
        content_hash,
        fingerprint: text(ENTRY_FINGERPRINT)?,
        fetched_at,
        first_seen_at: time(ENTRY_FIRST_SEEN_AT)?.unwrap_or(fetched_at),
        closed_at: time(ENTRY_CLOSED_AT)?,
        duplicate_of: hash(ENTRY_DUPLICATE_OF)?,
        valid_through: time(ENTRY_VALID_THROUGH)?,
        revision,
        mark,
    })
}

/// Separates a list mark from a content hash in a string `ENTRY_CONTENT_HASH` (a hash that
/// is not 32 hex digits; identity never makes one, but every value reads back exactly).
const MARK_SEPARATOR: char = '\u{1f}';

/// The content hash with the posting's list mark after it, in one attribute: the mark
/// rides in `ENTRY_CONTENT_HASH`, which both index projections already copy, because
/// DynamoDB cannot add an attribute to the projection of a deployed index. 16 bytes of hash
/// and 16 of mark (binary), or the hash alone, as `hash_value` writes it.
fn hash_and_mark_value(hash: &str, mark: Option<ListMark>) -> AttributeValue {
    match (hash_value(hash), mark) {
        (AttributeValue::B(bytes), Some(mark)) => {
            let mut packed = bytes.into_inner();
            packed.extend_from_slice(&mark.key.to_be_bytes());
            packed.extend_from_slice(&mark.hint.to_be_bytes());
            AttributeValue::B(Blob::new(packed))
        }
        (AttributeValue::S(text), Some(mark)) => {
            s(format!("{text}{MARK_SEPARATOR}{}", String::from(mark)))
        }
        (value, _) => value,
    }
}

/// The content hash and list mark of an `ENTRY_CONTENT_HASH` value.
fn hash_and_mark(value: &AttributeValue) -> Result<(String, Option<ListMark>), ()> {
    match value {
        AttributeValue::B(bytes) if bytes.as_ref().len() == 32 => {
            let (hash, mark) = bytes.as_ref().split_at(16);
            let word = |range: std::ops::Range<usize>| {
                mark.get(range)
                    .and_then(|b| <[u8; 8]>::try_from(b).ok())
                    .map(u64::from_be_bytes)
                    .ok_or(())
            };
            let mark = ListMark {
                key: word(0..8)?,
                hint: word(8..16)?,
            };
            Ok((hex(hash), Some(mark)))
        }
        AttributeValue::S(text) => match text.split_once(MARK_SEPARATOR) {
            Some((hash, mark)) => {
                let mark = ListMark::try_from(mark.to_owned()).map_err(|_| ())?;
                Ok((hash.to_owned(), Some(mark)))
            }
            None => Ok((text.clone(), None)),
        },
        other => hash_text(other).map(|hash| (hash, None)),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A hash or id: 16 bytes when it is 32 lower-case hex characters (as `identity` makes
/// them), else the string as it is, so every value reads back exactly.
fn hash_value(text: &str) -> AttributeValue {
    match hex_bytes(text) {
        Some(bytes) => AttributeValue::B(Blob::new(bytes)),
        None => s(text),
    }
}

fn hash_text(value: &AttributeValue) -> Result<String, ()> {
    match value {
        AttributeValue::S(text) => Ok(text.clone()),
        AttributeValue::B(bytes) if bytes.as_ref().len() == 16 => Ok(hex(bytes.as_ref())),
        _ => Err(()),
    }
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    if text.len() != 32 {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => Some(nibble(*hi)? << 4 | nibble(*lo)?),
            _ => None,
        })
        .collect()
}

/// A time as epoch nanoseconds (exact, and a whole second costs only its significant
/// digits); outside the 1677–2262 range nanoseconds fit in, an RFC 3339 string.
fn time_value(at: DateTime<Utc>) -> AttributeValue {
    match at.timestamp_nanos_opt() {
        Some(nanos) => AttributeValue::N(nanos.to_string()),
        None => s(at.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
    }
}

fn time_of(value: &AttributeValue) -> Result<DateTime<Utc>, ()> {
    match value {
        AttributeValue::N(nanos) => nanos
            .parse()
            .map(DateTime::from_timestamp_nanos)
            .map_err(|_| ()),
        AttributeValue::S(text) => DateTime::parse_from_rfc3339(text)
            .map(|at| at.with_timezone(&Utc))
            .map_err(|_| ()),
        _ => Err(()),
    }
}

/// Decodes an item written by this adapter; anything else is a `Permanent` error naming the
/// item's key only.
pub(super) fn decode<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    let key = match item.get(SCHEMA.partition_key) {
        Some(AttributeValue::S(pk)) => pk.clone(),
        _ => String::from("(no key)"),
    };
    serde_dynamo::aws_sdk_dynamodb_1::from_item(item)
        .map_err(|e| StoreError::Permanent(format!("item {key} cannot be decoded: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Company, SourceKind};
    use crate::store::dynamodb::schema::BY_SOURCE;
    use chrono::TimeZone;

    fn stored(html: String, text: String) -> StoredPosting {
        let at = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        StoredPosting {
            posting: JobPosting {
                id: "abc".into(),
                source: "gh".into(),
                source_kind: SourceKind::Greenhouse,
                external_id: None,
                url: "https://example.com/jobs/1".into(),
                apply_url: None,
                title: "Engineer".into(),
                company: Company {
                    name: "ACME Corp".into(),
                    ..Company::default()
                },
                department: None,
                locations: vec![],
                workplace: None,
                remote_regions: vec![],
                employment_type: None,
                seniority: None,
                category: None,
                skills: vec!["go".into()],
                salary: None,
                description_html: html,
                description_text: text,
                posted_at: Some(at),
                valid_through: None,
                fetched_at: at,
                fingerprint: String::new(),
                content_hash: "h".into(),
                first_seen_at: Some(at),
                last_seen_at: Some(at),
                closed_at: Some(at),
                duplicate_of: None,
            },
            history: vec![],
            description_truncated: false,
            revision: 3,
            mark: None,
        }
    }

    #[test]
    fn a_posting_round_trips_through_its_item_with_index_attributes() {
        let original = stored("<p>Hi</p>".into(), "Hi".into());
        let item = posting_item(&original, Duration::days(30)).unwrap();
        assert_eq!(item["pk"], s("posting#abc"));
        assert_eq!(item["list_bucket"], s("2026-07"));
        assert_eq!(item["list_sort"], s("2026-07-01T12:00:00.000000000Z#abc"));
        assert_eq!(item["company_key"], s("acme corp"));
        // closed 2026-07-01T12:00Z + 30 days = 2026-07-31T12:00Z.
        assert_eq!(item["expires_at"], AttributeValue::N("1785499200".into()));
        assert!(!item.contains_key("f"), "an empty key is left out");
        assert_eq!(item["fingerprint"], s(""), "the document keeps it");
        assert_eq!(stored_posting(item.clone()).unwrap(), original);
        let entry = index_entry(&item).unwrap();
        assert_eq!(entry, IndexEntry::of(&original));
    }

    #[test]
    fn the_index_entry_copy_is_compact_and_reads_back_exactly() {
        let mut p = stored("<p>Hi</p>".into(), "Hi".into());
        p.posting.id = "0123456789abcdef0123456789abcdef".into();
        p.posting.fingerprint = "fedcba9876543210fedcba9876543210".into();
        p.posting.content_hash = "00ff00ff00ff00ff00ff00ff00ff00ff".into();
        p.posting.duplicate_of = Some("not-a-hex-id".into());
        p.posting.fetched_at += Duration::nanoseconds(123_456_789);
        p.posting.valid_through = Some(Utc.with_ymd_and_hms(2300, 1, 1, 0, 0, 0).unwrap());
        let item = posting_item(&p, Duration::days(30)).unwrap();
        assert_eq!(item["s"], s("gh"));
        assert_eq!(item["f"], s("fedcba9876543210fedcba9876543210"));
        assert_eq!(item["h"], AttributeValue::B(Blob::new([0, 255].repeat(8))));
        assert_eq!(item["d"], s("not-a-hex-id"), "a non-hex id stays a string");
        // 2026-07-01T12:00:00.123456789Z, and `first_seen_at` one fetch earlier.
        assert_eq!(item["t"], AttributeValue::N("1782907200123456789".into()));
        assert_eq!(item["a"], AttributeValue::N("1782907200000000000".into()));
        assert_eq!(item["c"], AttributeValue::N("1782907200000000000".into()));
        assert_eq!(item["v"], s("2300-01-01T00:00:00Z"), "past 2262: a string");
        assert_eq!(item["r"], AttributeValue::N("3".into()));
        assert_eq!(index_entry(&item).unwrap(), IndexEntry::of(&p));
    }

    #[test]
    fn a_list_mark_rides_after_the_content_hash_and_reads_back_exactly() {
        let mut p = stored("<p>Hi</p>".into(), "Hi".into());
        p.posting.content_hash = "00ff00ff00ff00ff00ff00ff00ff00ff".into();
        p.mark = Some(ListMark {
            key: 0x0102_0304_0506_0708,
            hint: u64::MAX,
        });
        let item = posting_item(&p, Duration::days(30)).unwrap();
        let mut packed = [0, 255].repeat(8);
        packed.extend([1, 2, 3, 4, 5, 6, 7, 8]);
        packed.extend([255; 8]);
        assert_eq!(item["h"], AttributeValue::B(Blob::new(packed)));
        assert_eq!(index_entry(&item).unwrap(), IndexEntry::of(&p));
        assert_eq!(
            stored_posting(item).unwrap(),
            p,
            "the document keeps it too"
        );

        // A content hash that is not hex keeps its mark after a separator.
        p.posting.content_hash = "h".into();
        let item = posting_item(&p, Duration::days(30)).unwrap();
        assert_eq!(item["h"], s("h\u{1f}0102030405060708ffffffffffffffff"));
        assert_eq!(index_entry(&item).unwrap(), IndexEntry::of(&p));
    }

    #[test]
    fn first_seen_at_equal_to_fetched_at_is_not_stored_twice() {
        let mut p = stored("<p>Hi</p>".into(), "Hi".into());
        p.posting.closed_at = None;
        let item = posting_item(&p, Duration::days(30)).unwrap();
        assert!(!item.contains_key("a"));
        assert!(!item.contains_key("c"));
        assert_eq!(index_entry(&item).unwrap(), IndexEntry::of(&p));
    }

    #[test]
    fn a_by_source_entry_of_an_identity_stamped_posting_is_138_bytes() {
        let mut p = stored("<p>Hi</p>".into(), "Hi".into());
        p.posting.closed_at = None;
        p.posting.source = "greenhouse:acme".into();
        crate::identity::stamp(&mut p.posting);
        p.posting.fetched_at += Duration::nanoseconds(123_456_789);
        let item = posting_item(&p, Duration::days(30)).unwrap();
        // pk 2+40, sk 2+7, s 1+15, f 1+32, h 1+16, t 1+11 (19 digits), a 1+5, r 1+2.
        let size = super::super::capacity::index_entry_size(&item, &BY_SOURCE);
        assert_eq!(size, Some(42 + 9 + 16 + 33 + 17 + 12 + 6 + 3));
    }

    #[test]
    fn malformed_index_items_are_permanent_errors_naming_the_key() {
        let item = posting_item(&stored("".into(), "".into()), Duration::days(30)).unwrap();
        for (attribute, value) in [
            ("t", s("yesterday")),
            ("h", AttributeValue::B(Blob::new(vec![1, 2]))),
            ("r", s("3")),
        ] {
            let mut broken = item.clone();
            broken.insert(attribute.into(), value);
            let err = index_entry(&broken).unwrap_err();
            assert_eq!(
                err,
                StoreError::Permanent(format!("index item posting#abc has no valid {attribute}"))
            );
        }
        let mut keyless = item;
        keyless.insert("pk".into(), s("sources"));
        assert!(index_entry(&keyless).is_err());
    }

    #[test]
    fn an_open_posting_has_no_expiry() {
        let mut open = stored("<p>Hi</p>".into(), "Hi".into());
        open.posting.closed_at = None;
        let item = posting_item(&open, Duration::days(30)).unwrap();
        assert!(!item.contains_key("expires_at"));
        assert!(!item.contains_key("closed_at"));
    }

    #[test]
    fn a_megabyte_description_is_cut_to_fit_and_marked() {
        let html = format!("<ul>{}</ul>", "<li>Rust &amp; Go</li>".repeat(50_000));
        let text = "Rust & Go\n".repeat(100_000);
        let big = stored(html, text.clone());
        let item = posting_item(&big, Duration::days(30)).unwrap();
        let size = item_size(&item);
        assert!(size <= ITEM_TARGET + 1024, "{size}");
        assert!(
            size > ITEM_TARGET - 20 * 1024,
            "cut no more than needed: {size}"
        );
        let back = stored_posting(item).unwrap();
        assert!(back.description_truncated);
        let html = &back.posting.description_html;
        assert!(html.starts_with("<ul><li>Rust &amp; Go</li>"));
        assert!(html.ends_with("</ul>"), "open elements are closed again");
        let kept = back.posting.description_text.strip_suffix('…').unwrap();
        assert!(text.starts_with(kept));
        assert_eq!(back.posting.content_hash, "h", "the hash is the source's");
    }

    #[test]
    fn sort_keys_order_like_listed_at_then_id() {
        let early = Utc.with_ymd_and_hms(2026, 7, 1, 9, 0, 0).unwrap();
        let late = early + Duration::nanoseconds(1);
        assert!(list_sort(early, "b") < list_sort(late, "a"));
        assert!(list_sort(early, "a") < list_sort(early, "b"));
        assert_eq!(list_bucket(late), "2026-07");
    }
}
