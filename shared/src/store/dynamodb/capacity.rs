//! DynamoDB's billing rules, to estimate the capacity units each call consumes: moto_server,
//! which the tests and benchmarks run against, reports fixed placeholder units instead.
//!
//! The rules, from the DynamoDB developer guide ("Item sizes and formats", "Read/write
//! capacity units", "Global secondary indexes: provisioned throughput considerations"):
//! - an item's size is the sum of its attribute names' and values' bytes: strings and
//!   binaries their length, numbers 1 byte per two significant digits plus 1, null and
//!   booleans 1, lists and maps 3 plus their elements (and each element 1 more, which the
//!   guide leaves out and this estimate keeps, to stay on the high side);
//! - a read unit is 4 KB read strongly consistently, or 8 KB eventually consistently (half a
//!   unit per 4 KB). A Query or GetItem sums its items' sizes and rounds up once (at least one
//!   4 KB step, even when nothing is found); BatchGetItem rounds up each item on its own;
//! - an index Query is billed on the index entries' sizes (the projected attributes, always
//!   including the table's and the index's keys), not the table items';
//! - a write unit is 1 KB written, rounded up per item; a table write also writes, at the
//!   same rate, one entry in each index whose keys the item has (two, delete and put, when
//!   an update moves the item to another index key, which this estimate does not see);
//! - a conditional write whose condition fails still costs the item's write units.
//!
//! Each index item also takes `INDEX_ITEM_OVERHEAD` bytes of storage, which reads and
//! writes are not billed on.

use aws_sdk_dynamodb::types::AttributeValue;

use super::item::Item;
use super::schema::{IndexSchema, SCHEMA};

/// Bytes of one read unit (strongly consistent; eventually consistent reads get twice this).
pub const READ_UNIT_BYTES: usize = 4096;
/// Bytes of one write unit.
pub const WRITE_UNIT_BYTES: usize = 1024;
/// Storage DynamoDB adds to each index item (billed as storage, not as reads or writes).
pub const INDEX_ITEM_OVERHEAD: usize = 100;

/// Estimated capacity units of one or more calls.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Units {
    /// Read capacity units.
    pub read: f64,
    /// Write capacity units.
    pub write: f64,
}

impl Units {
    /// Read units only.
    pub fn reads(units: f64) -> Self {
        Units {
            read: units,
            write: 0.0,
        }
    }

    /// Write units only.
    pub fn writes(units: f64) -> Self {
        Units {
            read: 0.0,
            write: units,
        }
    }
}

/// An item's size as DynamoDB counts it: attribute names plus values (see the module doc).
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(v) => v.len(),
        AttributeValue::N(v) => number_size(v),
        AttributeValue::B(v) => v.as_ref().len(),
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| number_size(n)).sum(),
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

/// A number's size: 1 byte per two significant digits (leading and trailing zeros do not
/// count), plus 1.
fn number_size(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or_default();
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
    significant.div_ceil(2) + 1
}

/// The size of the entry `item` has in `index`: the table's keys, the index's keys and the
/// projected attributes it has. `None` when the item lacks an index key (it is not in the
/// index).
pub fn index_entry_size(item: &Item, index: &IndexSchema) -> Option<usize> {
    let keys = [index.partition_key]
        .into_iter()
        .chain(index.sort_key)
        .map(|key| item.get_key_value(key))
        .collect::<Option<Vec<_>>>()?;
    // A table key that is also an index key (`by_source` sorts by `pk`) is stored once.
    let index_keys = [Some(index.partition_key), index.sort_key];
    let table_keys = [SCHEMA.partition_key, SCHEMA.sort_key]
        .into_iter()
        .filter(move |key| !index_keys.contains(&Some(*key)))
        .filter_map(|key| item.get_key_value(key));
    let projected = index
        .projected
        .iter()
        .filter_map(|a| item.get_key_value(*a));
    Some(
        keys.into_iter()
            .chain(table_keys)
            .chain(projected)
            .map(|(name, value)| name.len() + value_size(value))
            .sum(),
    )
}

/// Read units of `bytes` read by one Query or GetItem: rounded up to 4 KB once, at least one
/// step, halved when eventually consistent.
pub fn read_units(bytes: usize, consistent: bool) -> f64 {
    let steps = bytes.div_ceil(READ_UNIT_BYTES).max(1) as f64;
    if consistent { steps } else { steps / 2.0 }
}

/// Read units of one Query page that returned `items` out of `scanned` items read. Items a
/// filter dropped are billed too but not returned; they are counted at the average size of
/// the returned ones, or at `dropped_guess` bytes each when none was returned.
pub fn query_read_units(
    items: &[Item],
    scanned: usize,
    dropped_guess: usize,
    consistent: bool,
) -> f64 {
    let returned: usize = items.iter().map(item_size).sum();
    let dropped = scanned.saturating_sub(items.len());
    let each_dropped = returned.checked_div(items.len()).unwrap_or(dropped_guess);
    read_units(returned + dropped * each_dropped, consistent)
}

/// Read units of one BatchGetItem call that asked for `requested` keys and got `items`: each
/// item rounded up on its own, and a key not found billed as one step.
pub fn batch_get_read_units(items: &[Item], requested: usize, consistent: bool) -> f64 {
    let found: f64 = items
        .iter()
        .map(|item| read_units(item_size(item), consistent))
        .sum();
    let missing = requested.saturating_sub(items.len()) as f64;
    found + missing * read_units(0, consistent)
}

/// Write units of a write of `bytes` (at least one).
pub fn write_units(bytes: usize) -> f64 {
    bytes.div_ceil(WRITE_UNIT_BYTES).max(1) as f64
}

/// Write units of putting `item` into a table with `indexes`: the item plus one entry per
/// index it belongs to. Replacing an item that was larger costs the larger size, which this
/// estimate does not know.
pub fn put_write_units(item: &Item, indexes: &[IndexSchema]) -> f64 {
    let entries: f64 = indexes
        .iter()
        .filter_map(|index| index_entry_size(item, index))
        .map(write_units)
        .sum();
    write_units(item_size(item)) + entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::dynamodb::item::s;
    use crate::store::dynamodb::schema::{BY_FINGERPRINT, BY_SOURCE};

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(text.into())
    }

    #[test]
    fn numbers_count_one_byte_per_two_significant_digits_plus_one() {
        assert_eq!(number_size("0"), 1);
        assert_eq!(number_size("7"), 2);
        assert_eq!(number_size("12"), 2);
        assert_eq!(number_size("123"), 3);
        // 2026-07-01T00:00:00Z in epoch nanoseconds: trailing zeros are free.
        assert_eq!(number_size("1782864000000000000"), 5);
        assert_eq!(number_size("-0.0012500"), 3);
        assert_eq!(number_size("1.5E+3"), 2);
    }

    #[test]
    fn an_item_is_its_names_and_values() {
        let item = Item::from([
            ("pk".to_owned(), s("posting#ab")),
            ("r".to_owned(), n("2")),
            ("h".to_owned(), AttributeValue::B(vec![0u8; 16].into())),
            ("l".to_owned(), AttributeValue::L(vec![s("go"), s("sql")])),
            ("ok".to_owned(), AttributeValue::Bool(true)),
        ]);
        // 2+10, 1+2, 1+16, 1+(3+1+2+1+3), 2+1
        assert_eq!(item_size(&item), 12 + 3 + 17 + 11 + 3);
    }

    #[test]
    fn an_index_entry_holds_keys_and_projected_attributes_only() {
        let item = Item::from([
            ("pk".to_owned(), s("posting#ab")),
            ("sk".to_owned(), s("posting")),
            ("s".to_owned(), s("gh")),
            ("r".to_owned(), n("2")),
            ("title".to_owned(), s("Engineer")),
        ]);
        // pk 12 + sk 9 + s 3 + r 3; the title is not projected.
        assert_eq!(index_entry_size(&item, &BY_SOURCE), Some(27));
        assert_eq!(index_entry_size(&item, &BY_FINGERPRINT), None, "no `f` key");
        assert_eq!(put_write_units(&item, &[BY_SOURCE, BY_FINGERPRINT]), 2.0);
    }

    #[test]
    fn reads_round_up_per_call_or_per_batched_item() {
        assert_eq!(
            read_units(0, false),
            0.5,
            "an empty Query still costs a step"
        );
        assert_eq!(read_units(4096, false), 0.5);
        assert_eq!(read_units(4097, true), 2.0);
        let item = Item::from([("pk".to_owned(), s("x".repeat(98)))]);
        // 1000 items of 100 bytes: 100,000 bytes = 25 steps of 4 KB in one Query...
        let items = vec![item.clone(); 1000];
        assert_eq!(query_read_units(&items, 1000, 0, false), 12.5);
        // ... but a step each in BatchGetItem, and a step for a key not found.
        assert_eq!(batch_get_read_units(&items[..100], 101, false), 50.5);
        // Items a filter dropped count at the returned items' average size.
        assert_eq!(query_read_units(&items[..10], 100, 0, false), 1.5);
        assert_eq!(query_read_units(&[], 100, 1000, false), 12.5);
    }
}
