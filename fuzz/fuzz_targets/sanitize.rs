//! The description sanitizer on any input: never a panic or a hang, and its output is HTML
//! that an HTML5 parser (html5ever, through ammonia) reads back unchanged and finds only
//! allowlisted markup in; the one-pass text is the text of that output.
#![no_main]

#[path = "../../shared/tests/support/sanitizer_reference.rs"]
#[allow(dead_code)] // `reference_for` is for the tests
mod reference;

use jobfeed::normalize::sanitize::{html_to_text, sanitize_with_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let base = url::Url::parse("https://jobs.example.com/a/b").expect("a valid base");
    let (clean, text) = sanitize_with_text(&html, Some(&base));
    assert_eq!(reference::reference(&clean, Some(&base)), clean);
    assert!(reference::only_allowlisted_markup(&clean), "{clean}");
    assert_eq!(text, html_to_text(&clean));
});
