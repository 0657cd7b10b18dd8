//! The location parser: free text and structured parts, country names/codes and remote
//! regions.
#![no_main]

use jobfeed::extract::RawLocation;
use jobfeed::normalize::location::{country_code, parse_location, remote_region};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_location(&RawLocation::text(text.as_ref()));
    // The same text split into structured parts at the first two commas.
    let mut parts = text.splitn(3, ',').map(str::to_owned);
    let structured = RawLocation {
        raw: String::new(),
        city: parts.next(),
        region: parts.next(),
        country: parts.next(),
    };
    let _ = parse_location(&structured);
    let _ = country_code(&text);
    let _ = remote_region(&text);
});
