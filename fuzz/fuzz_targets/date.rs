//! The date parser: text in every accepted shape (and none), and epoch numbers of any size.
#![no_main]

use chrono::{TimeZone, Utc};
use jobfeed::extract::RawDate;
use jobfeed::normalize::dates::parse_date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fetched_at = Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap();
    if let Some(bytes) = data.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
        let number = i64::from_le_bytes(bytes);
        let _ = parse_date(&RawDate::EpochSeconds(number), fetched_at);
        let _ = parse_date(&RawDate::EpochMillis(number), fetched_at);
    }
    let text = String::from_utf8_lossy(data).into_owned();
    let _ = parse_date(&RawDate::Text(text), fetched_at);
});
