//! What a crawl knows besides the pages it reads: the source's postings as the store holds
//! them (`Known`: list key, hint and open flag of each, read from the source index at the
//! start of every invocation) and the postings the crawl has listed so far (`Seen`, carried
//! from invocation to invocation). Both hold 64-bit keys, never postings, so a source of
//! 100,000 postings costs a few MB.

use std::collections::HashSet;

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::identity::{ListMark, id_key};

/// One posting of the source as the store holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownPosting {
    /// The key its list names it by: its mark's key, or (stored before marks, or by an API
    /// list) its id's key.
    pub key: u64,
    /// Its mark's hint, when it has a mark.
    pub hint: Option<u64>,
    /// Its id's key (`identity::id_key`).
    pub id: u64,
    /// Whether it is open.
    pub open: bool,
}

/// The source's stored postings, by list key.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Sorted by key once `finish` ran.
    postings: Vec<KnownPosting>,
    open: usize,
}

impl Known {
    /// An empty set (a source never ingested).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the posting `id` with its list `mark` (call `finish` after the last one).
    pub fn push(&mut self, id: &str, mark: Option<ListMark>, open: bool) {
        let id = id_key(id);
        self.open += usize::from(open);
        self.postings.push(KnownPosting {
            key: mark.map_or(id, |mark| mark.key),
            hint: mark.map(|mark| mark.hint),
            id,
            open,
        });
    }

    /// Sorts what was pushed, for `listed`.
    pub fn finish(&mut self) {
        self.postings.sort_unstable_by_key(|p| (p.key, p.id));
    }

    /// Postings stored.
    pub fn len(&self) -> usize {
        self.postings.len()
    }

    /// Whether none are stored.
    pub fn is_empty(&self) -> bool {
        self.postings.is_empty()
    }

    /// Open postings stored.
    pub fn open(&self) -> usize {
        self.open
    }

    /// The stored postings listed under `key` (usually one; a page may hold several).
    pub fn listed(&self, key: u64) -> &[KnownPosting] {
        let start = self.postings.partition_point(|p| p.key < key);
        let end = self.postings.partition_point(|p| p.key <= key);
        self.postings.get(start..end).unwrap_or_default()
    }

    /// Whether the postings listed under `key` can be taken as they are stored: there are
    /// some, all open, all with this `hint`, and their refresh is not due.
    pub fn unchanged(&self, key: u64, hint: u64, refresh: Refresh) -> bool {
        let listed = self.listed(key);
        !listed.is_empty()
            && !refresh.due(key)
            && listed.iter().all(|p| p.open && p.hint == Some(hint))
    }
}

/// Which postings a crawl re-reads although their list says nothing changed: each crawl
/// takes one of `every` slots of keys (`ListMark::refresh_due`), so every posting is re-read
/// once per `every` crawls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refresh {
    /// The crawl's number (`SourceState::crawls`).
    pub crawl: u64,
    /// One crawl in this many re-reads a given posting (0: never, 1: always).
    pub every: u64,
}

impl Refresh {
    /// Re-reads nothing that is unchanged.
    pub const NEVER: Refresh = Refresh { crawl: 0, every: 0 };

    /// The refresh of crawl number `crawl` re-reading `share` of the postings (0 to 1): one
    /// crawl in `round(1 / share)` re-reads each.
    pub fn share(crawl: u64, share: f64) -> Self {
        let every = if share.is_nan() || share <= 0.0 {
            0
        } else {
            (1.0 / share.min(1.0)).round() as u64
        };
        Refresh { crawl, every }
    }

    /// Whether the posting listed under `key` is re-read in this crawl.
    pub fn due(self, key: u64) -> bool {
        self.every != 0 && ListMark::refresh_due(key, self.crawl, self.every)
    }
}

/// The id keys of the postings a crawl has listed (`identity::id_key`). Serialized as the
/// keys in ascending order, 8 bytes each, in base64.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen(HashSet<u64>);

impl Seen {
    /// Notes that the posting `id` was listed; `false` when it already was.
    pub fn insert(&mut self, id: &str) -> bool {
        self.0.insert(id_key(id))
    }

    /// Notes that the posting with id key `key` was listed.
    pub fn insert_key(&mut self, key: u64) -> bool {
        self.0.insert(key)
    }

    /// Whether the posting `id` was listed.
    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(&id_key(id))
    }

    /// Postings listed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing was listed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Seen {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut keys: Vec<u64> = self.0.iter().copied().collect();
        keys.sort_unstable();
        let bytes: Vec<u8> = keys.iter().flat_map(|k| k.to_le_bytes()).collect();
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }
}

impl<'de> Deserialize<'de> for Seen {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)?;
        if bytes.len() % 8 != 0 {
            return Err(serde::de::Error::custom("seen keys are 8 bytes each"));
        }
        let keys = bytes
            .chunks_exact(8)
            .filter_map(|chunk| <[u8; 8]>::try_from(chunk).ok())
            .map(u64::from_le_bytes)
            .collect();
        Ok(Seen(keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0000000000000001ffffffffffffffff";
    const B: &str = "0000000000000002ffffffffffffffff";

    #[test]
    fn postings_are_found_by_their_marks_key_or_else_their_ids() {
        let mut known = Known::new();
        known.push(A, Some(ListMark { key: 77, hint: 5 }), true);
        known.push(B, None, false);
        known.finish();
        assert_eq!(known.len(), 2);
        assert_eq!(known.open(), 1);
        assert_eq!(known.listed(77).len(), 1);
        assert_eq!(
            known.listed(2)[0].id,
            2,
            "no mark: listed under its id's key"
        );
        assert!(known.listed(1).is_empty());
        assert!(known.unchanged(77, 5, Refresh::NEVER));
        assert!(!known.unchanged(77, 6, Refresh::NEVER), "another hint");
        assert!(
            !known.unchanged(2, 5, Refresh::NEVER),
            "closed, and no hint"
        );
        assert!(!known.unchanged(99, 5, Refresh::NEVER), "not stored");
        assert!(
            !known.unchanged(77, 5, Refresh { crawl: 3, every: 1 }),
            "refresh due"
        );
    }

    #[test]
    fn a_share_of_a_twentieth_refreshes_each_key_once_in_twenty_crawls() {
        assert_eq!(Refresh::share(4, 0.05).every, 20);
        assert_eq!(Refresh::share(4, 0.0).every, 0);
        assert_eq!(Refresh::share(4, 2.0).every, 1);
        assert!(!Refresh::NEVER.due(0));
        let due = (0..20)
            .filter(|crawl| Refresh::share(*crawl, 0.05).due(12_345))
            .count();
        assert_eq!(due, 1);
    }

    #[test]
    fn seen_ids_round_trip_through_json_compactly() {
        let mut seen = Seen::default();
        assert!(seen.insert(A));
        assert!(!seen.insert(A));
        seen.insert("any other id");
        let json = serde_json::to_string(&seen).unwrap();
        assert_eq!(json.len(), 2 + 24, "two keys: 16 bytes in base64");
        let back: Seen = serde_json::from_str(&json).unwrap();
        assert_eq!(back, seen);
        assert!(back.contains(A) && back.contains("any other id") && !back.contains(B));
        assert!(serde_json::from_str::<Seen>("\"AAAA\"").is_err());
    }
}
