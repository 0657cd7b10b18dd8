//! Postings, index entries and source states as DynamoDB items: the posting document
//! (serde_dynamo) plus the key and filter attributes the indexes need, fitted under
//! DynamoDB's 400 KB item limit.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::schema::{BY_LISTED, COMPANY_KEY, SCHEMA};
use crate::model::JobPosting;
use crate::normalize::sanitize::sanitize_html;
use crate::store::{IndexEntry, StoreError, StoredPosting, listed_at};

/// One DynamoDB item.
pub(super) type Item = HashMap<String, AttributeValue>;

/// Sort key of a posting item (its partition key is `posting#{id}`).
const POSTING_SORT: &str = "posting";
/// Partition of the source-state items (sort key: the source name), read by one Query.
pub(super) const SOURCES_PARTITION: &str = "sources";
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

/// Posting fields that are also index keys. DynamoDB refuses an empty string in a key, so
/// an empty value is left out of the item (the posting is then in no such index) and
/// restored as empty when read.
const KEY_FIELDS: &[&str] = &["id", "source", "fingerprint"];

/// A string attribute.
pub(super) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// The primary key of a posting.
pub(super) fn posting_key(id: &str) -> Item {
    key(format!("posting#{id}"), POSTING_SORT)
}

/// The primary key of a source's state.
pub(super) fn source_key(name: &str) -> Item {
    key(SOURCES_PARTITION, name)
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
        truncate_descriptions(p, excess);
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
    for field in KEY_FIELDS {
        if matches!(item.get(*field), Some(AttributeValue::S(v)) if v.is_empty()) {
            item.remove(*field);
        }
    }
    item.extend(posting_key(&p.id));
    let at = listed_at(p);
    item.insert(BY_LISTED.partition_key.to_owned(), s(list_bucket(at)));
    item.insert(BY_LISTED.sort_key.to_owned(), s(list_sort(at, &p.id)));
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

/// Shortens the two descriptions by about `excess` bytes in total, each in proportion to
/// its length: the text keeps a prefix ending in `…`, the HTML a prefix with any half tag
/// dropped and its open elements closed again by the sanitizer.
fn truncate_descriptions(p: &mut JobPosting, excess: usize) {
    let html_len = p.description_html.len();
    let total = html_len + p.description_text.len();
    if total == 0 {
        return;
    }
    // A little extra for the ellipsis and the closing tags added back.
    let keep = total.saturating_sub(excess + 256);
    let html_keep = (keep as u128 * html_len as u128 / total as u128) as usize;
    let text_keep = keep.saturating_sub(html_keep);
    p.description_html = cut_html(&p.description_html, html_keep);
    p.description_text = cut_text(&p.description_text, text_keep);
}

fn cut_text(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let end = floor_char_boundary(text, max.saturating_sub('…'.len_utf8()));
    format!("{}…", text.get(..end).unwrap_or_default())
}

fn cut_html(html: &str, max: usize) -> String {
    if html.len() <= max {
        return html.to_owned();
    }
    let prefix = html
        .get(..floor_char_boundary(html, max))
        .unwrap_or_default();
    // A tag cut in half would end up as text.
    let prefix = match (prefix.rfind('<'), prefix.rfind('>')) {
        (Some(open), close) if close.is_none_or(|close| close < open) => {
            prefix.get(..open).unwrap_or_default()
        }
        _ => prefix,
    };
    sanitize_html(prefix, None)
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    if index >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// An upper bound of an item's size as DynamoDB counts it (attribute names plus values;
/// numbers are counted as their text, which is never less than their stored size).
pub(super) fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(v) | AttributeValue::N(v) => v.len(),
        AttributeValue::B(v) => v.as_ref().len(),
        AttributeValue::Ss(v) | AttributeValue::Ns(v) => v.iter().map(String::len).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(v) => 3 + v.iter().map(|e| 1 + value_size(e)).sum::<usize>(),
        AttributeValue::M(v) => {
            3 + v
                .iter()
                .map(|(k, e)| 1 + k.len() + value_size(e))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// The stored posting in an item.
pub(super) fn stored_posting(item: Item) -> Result<StoredPosting, StoreError> {
    decode(restore_key_fields(item))
}

/// The posting fields the list index holds, as a posting with empty descriptions: enough
/// for `ListQuery::matches` and `listed_at`.
pub(super) fn list_view(mut item: Item) -> Result<JobPosting, StoreError> {
    item.insert("description_html".to_owned(), s(""));
    item.insert("description_text".to_owned(), s(""));
    decode(restore_key_fields(item))
}

/// The index entry in an index-entry index item.
pub(super) fn index_entry(item: Item) -> Result<IndexEntry, StoreError> {
    /// `IndexEntry` as projected: lifecycle fields absent until set.
    #[derive(Deserialize)]
    struct Projected {
        id: String,
        source: String,
        content_hash: String,
        fingerprint: String,
        fetched_at: DateTime<Utc>,
        first_seen_at: Option<DateTime<Utc>>,
        closed_at: Option<DateTime<Utc>>,
        duplicate_of: Option<String>,
        valid_through: Option<DateTime<Utc>>,
        #[serde(default)]
        revision: u64,
    }
    let p: Projected = decode(restore_key_fields(item))?;
    Ok(IndexEntry {
        id: p.id,
        source: p.source,
        content_hash: p.content_hash,
        fingerprint: p.fingerprint,
        fetched_at: p.fetched_at,
        first_seen_at: p.first_seen_at.unwrap_or(p.fetched_at),
        closed_at: p.closed_at,
        duplicate_of: p.duplicate_of,
        valid_through: p.valid_through,
        revision: p.revision,
    })
}

fn restore_key_fields(mut item: Item) -> Item {
    for field in KEY_FIELDS {
        item.entry((*field).to_owned()).or_insert_with(|| s(""));
    }
    item
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
        assert!(!item.contains_key("fingerprint"), "empty keys are left out");
        assert_eq!(stored_posting(item.clone()).unwrap(), original);
        let entry = index_entry(item).unwrap();
        assert_eq!(entry, IndexEntry::of(&original));
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
    fn cuts_never_split_a_character_or_a_tag() {
        assert_eq!(cut_text("héllo", 4), "h…");
        assert_eq!(cut_text("short", 10), "short");
        assert_eq!(cut_html("<p>ab</p><p>cd</p>", 11), "<p>ab</p>");
        assert_eq!(cut_html("<p>abcdef</p>", 7), "<p>abcd</p>");
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
