//! The list-cursor decoder: arbitrary client-supplied cursors, and cursors that carry a valid
//! checksum over arbitrary payloads (so the decoding past the checksum is reached too).
#![no_main]

use jobfeed::store::cursor::{decode, encode};
use libfuzzer_sys::fuzz_target;

const FINGERPRINT: &str = "fuzz-query";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = decode(&text, FINGERPRINT);
    // A real cursor round-trips, unless it is over the decoder's length limit (2048 bytes,
    // private to the store): a position is a few keys, so only fuzz input gets there.
    let position = serde_json::Value::String(text.clone().into_owned());
    let cursor = encode(FINGERPRINT, position.clone());
    match decode(&cursor, FINGERPRINT) {
        Ok(decoded) => assert_eq!(decoded, position),
        Err(error) => assert!(cursor.len() > 2048, "{error}"),
    }
    assert!(decode(&cursor, "another-query").is_err());
});
