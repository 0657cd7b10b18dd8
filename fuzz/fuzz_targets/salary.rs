//! The salary parsers: free text (`$120k–$150k a year`), currency and period words, and
//! structured amounts (any `f64`, NaN and infinities included).
#![no_main]

use jobfeed::extract::RawSalary;
use jobfeed::normalize::salary::{
    currency_code, from_structured, parse_salary_text, salary_period,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() >= 16 {
        let (min, max) = data.split_at(8);
        let number = |bytes: &[u8]| bytes.try_into().ok().map(f64::from_le_bytes);
        let text = String::from_utf8_lossy(&data[16..]);
        let raw = RawSalary {
            min: number(min),
            max: number(&max[..8]),
            currency: Some(text.chars().take(8).collect()),
            period: Some(text.chars().skip(8).collect()),
        };
        let _ = from_structured(&raw);
    }
    let text = String::from_utf8_lossy(data);
    let _ = parse_salary_text(&text);
    let _ = currency_code(&text);
    let _ = salary_period(&text);
});
