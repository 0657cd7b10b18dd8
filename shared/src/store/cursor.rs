//! Opaque list cursors: an adapter's position, tied to the query that produced it and
//! checksummed, so a tampered, truncated or foreign cursor is a `BadCursor` error rather than
//! a wrong page or a full read.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StoreError;
use crate::identity::hash_hex;

/// Longest cursor accepted (a position is a few keys; anything longer is not ours).
const MAX_CURSOR_LEN: usize = 2048;

#[derive(Serialize, Deserialize)]
struct Envelope {
    /// Format version.
    v: u8,
    /// Fingerprint of the query.
    q: String,
    /// The adapter's position.
    p: Value,
}

/// Encodes an adapter position for `query_fingerprint` (see `ListQuery::fingerprint`).
pub fn encode(query_fingerprint: &str, position: Value) -> String {
    let envelope = Envelope {
        v: 1,
        q: query_fingerprint.to_owned(),
        p: position,
    };
    // Serializing a struct of strings and a JSON value cannot fail.
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&envelope).unwrap_or_default());
    let check = checksum(&payload);
    format!("{payload}.{check}")
}

/// Decodes a cursor made by `encode` for the same query; returns the adapter position.
pub fn decode(cursor: &str, query_fingerprint: &str) -> Result<Value, StoreError> {
    let bad = |why: &str| StoreError::BadCursor(why.to_owned());
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(bad("too long"));
    }
    let (payload, check) = cursor.rsplit_once('.').ok_or_else(|| bad("malformed"))?;
    if checksum(payload) != check {
        return Err(bad("checksum mismatch"));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| bad("malformed"))?;
    let envelope: Envelope = serde_json::from_slice(&bytes).map_err(|_| bad("malformed"))?;
    if envelope.v != 1 {
        return Err(bad("unknown version"));
    }
    if envelope.q != query_fingerprint {
        return Err(bad("belongs to another query"));
    }
    Ok(envelope.p)
}

fn checksum(payload: &str) -> String {
    hash_hex(&["jobfeed-cursor", payload])
        .get(..12)
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_cursor_round_trips_for_its_own_query() {
        let cursor = encode("q1", json!({"at": "2026-07-01T00:00:00Z", "id": "abc"}));
        assert_eq!(
            decode(&cursor, "q1").unwrap(),
            json!({"at": "2026-07-01T00:00:00Z", "id": "abc"})
        );
    }

    #[test]
    fn a_cursor_of_another_query_is_refused() {
        let cursor = encode("q1", json!(1));
        assert_eq!(
            decode(&cursor, "q2"),
            Err(StoreError::BadCursor("belongs to another query".into()))
        );
    }

    #[test]
    fn tampered_truncated_and_garbage_cursors_are_refused() {
        let cursor = encode("q1", json!({"id": "abc"}));
        let mut tampered = cursor.clone().into_bytes();
        tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        for bad in [
            tampered.as_str(),
            &cursor[..cursor.len() - 1],
            "",
            "not-a-cursor",
            "....",
            "\u{0}\u{ffff}",
        ] {
            assert!(
                matches!(decode(bad, "q1"), Err(StoreError::BadCursor(_))),
                "{bad:?}"
            );
        }
        assert!(matches!(
            decode(&"a".repeat(5000), "q1"),
            Err(StoreError::BadCursor(_))
        ));
    }
}
