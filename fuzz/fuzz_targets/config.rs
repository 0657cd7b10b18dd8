//! `sources.toml` parsing and validation: any text gives a configuration or errors that name
//! what is wrong, never a panic (a schedule of billions of days, a huge number, bad UTF-8
//! replaced, deep tables).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(error) = jobfeed::config::parse(&text, "sources.toml") {
        // Every error is reported with its origin.
        assert!(error.to_string().contains("sources.toml"), "{error}");
    }
});
