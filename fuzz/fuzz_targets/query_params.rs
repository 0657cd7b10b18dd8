//! The API's query-string parser for `/jobs` and the feeds: arbitrary bytes as a raw query
//! (invalid UTF-8 and percent-escapes included) must give a request or a 4xx problem.
#![no_main]

use jobfeed::api::{Endpoint, parse_list_query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A raw query string reaches the router as bytes; axum hands over a `&str`, so
    // invalid UTF-8 arrives percent-encoded or lossily decoded, as here.
    let raw = String::from_utf8_lossy(data);
    for endpoint in [Endpoint::Jobs, Endpoint::Feed] {
        if let Err(problem) = parse_list_query(Some(&raw), endpoint) {
            assert!(problem.status_code().is_client_error(), "{problem:?}");
        }
    }
});
