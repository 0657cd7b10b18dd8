//! Date parsing: ISO 8601 (partial and sloppy too), epoch seconds/ms, RFC 2822,
//! `2026-07-13 13:42:26 UTC`, and relative text (`3 days ago`) against the fetch time.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use regex::Regex;

use crate::extract::RawDate;

/// Earliest year accepted: job boards did not exist before, so older values are bad data.
pub const MIN_YEAR: i32 = 1990;
/// Latest year accepted: anything later is a placeholder (`9999-12-31`) or a unit mix-up.
pub const MAX_YEAR: i32 = 2100;

/// Numeric text at or above this is epoch milliseconds, below it epoch seconds. 1e11 seconds
/// is the year 5138 and 1e11 milliseconds is 1973, both outside the plausible range, so the
/// split never misreads a plausible value.
const MILLIS_THRESHOLD: i64 = 100_000_000_000;

/// Parses a source date to UTC. `fetched_at` anchors relative text. `None` when the value
/// cannot be read as a plausible date (year outside 1990..=2100). Never panics.
///
/// Text without a time zone is read as UTC; a date without a time is midnight UTC. Relative
/// text counts a month as 30 days and a year as 365 days; an open count (`Posted 30+ Days
/// Ago`, Workday's word for anything older) gives no date.
pub fn parse_date(raw: &RawDate, fetched_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let parsed = match raw {
        RawDate::EpochSeconds(secs) => DateTime::from_timestamp(*secs, 0),
        RawDate::EpochMillis(millis) => DateTime::from_timestamp_millis(*millis),
        RawDate::Text(text) => parse_text(text.trim(), fetched_at),
    }?;
    plausible(parsed)
}

fn plausible(date: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (MIN_YEAR..=MAX_YEAR).contains(&date.year()).then_some(date)
}

fn parse_text(text: &str, fetched_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return parse_digits(text);
    }
    parse_iso(text)
        .or_else(|| parse_rfc2822(text))
        .or_else(|| parse_written(text))
        .or_else(|| parse_relative(text, fetched_at))
}

/// All-digit text: a compact `YYYYMMDD` date or an epoch count decided by magnitude.
fn parse_digits(text: &str) -> Option<DateTime<Utc>> {
    if text.len() == 8 {
        // As epoch seconds eight digits would be 1970–1973, never plausible, so it is a date.
        return NaiveDate::parse_from_str(text, "%Y%m%d")
            .ok()
            .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    let number: i64 = text.parse().ok()?;
    if number >= MILLIS_THRESHOLD {
        DateTime::from_timestamp_millis(number)
    } else {
        DateTime::from_timestamp(number, 0)
    }
}

/// ISO 8601 and its common sloppy relatives: single-digit month/day, a missing day, a space
/// instead of `T`, a missing seconds field, any fraction, `Z`/`UTC`/`GMT` or a numeric offset
/// with or without a colon, or none at all.
static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^
        (?P<y>\d{4}) [-/] (?P<mo>\d{1,2}) (?: [-/] (?P<d>\d{1,2}) )?
        (?: [T\s]+ (?P<h>\d{1,2}) : (?P<mi>\d{2}) (?: : (?P<s>\d{2}) (?: [.,] (?P<f>\d+) )? )? )?
        \s* (?P<z> Z | UTC | GMT | [+-]\d{2} (?: :?\d{2} )? )?
        $",
    )
    .expect("static regex is valid")
});

fn parse_iso(text: &str) -> Option<DateTime<Utc>> {
    let caps = ISO.captures(text)?;
    let num = |name: &str| -> Option<u32> {
        caps.name(name).map_or(Some(0), |m| m.as_str().parse().ok())
    };
    let year: i32 = caps.name("y")?.as_str().parse().ok()?;
    let day = caps
        .name("d")
        .map_or(Some(1), |m| m.as_str().parse().ok())?;
    let date = NaiveDate::from_ymd_opt(year, num("mo")?, day)?;
    let mut time = date.and_hms_opt(num("h")?, num("mi")?, num("s")?)?;
    if let Some(fraction) = caps.name("f") {
        // Only the first nine digits matter (nanoseconds); pad shorter fractions on the right.
        let digits: String = fraction.as_str().chars().take(9).collect();
        let nanos: i64 = format!("{digits:0<9}").parse().ok()?;
        time = time.checked_add_signed(TimeDelta::nanoseconds(nanos))?;
    }
    let offset = match caps.name("z").map(|m| m.as_str()) {
        None => return Some(time.and_utc()),
        Some(z) => parse_offset(z)?,
    };
    offset
        .from_local_datetime(&time)
        .single()
        .map(|d| d.to_utc())
}

/// `Z`/`UTC`/`GMT`, `+02`, `+0200` or `+02:00` as a fixed offset.
fn parse_offset(zone: &str) -> Option<FixedOffset> {
    let mut chars = zone.chars();
    let sign = match chars.next()? {
        '+' => 1,
        '-' => -1,
        _ => return FixedOffset::east_opt(0),
    };
    let digits: String = chars.filter(char::is_ascii_digit).collect();
    let hours: i32 = digits.get(..2)?.parse().ok()?;
    let minutes: i32 = match digits.get(2..) {
        Some(rest) if !rest.is_empty() => rest.parse().ok()?,
        _ => 0,
    };
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// RFC 2822 (`Tue, 14 Jul 2026 10:00:00 +0000`, `GMT` too). chrono rejects a weekday that
/// does not match the date; feeds get that wrong, so the weekday is dropped and it is retried.
fn parse_rfc2822(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(text)
        .ok()
        .or_else(|| {
            let (_, rest) = text.split_once(',')?;
            DateTime::parse_from_rfc2822(rest.trim()).ok()
        })
        .map(|d| d.to_utc())
}

/// Human-written calendar dates seen on job pages: `July 14, 2026`, `14 Jul 2026`,
/// `14.07.2026` (day first, as in German-speaking sources), each with an optional time.
fn parse_written(text: &str) -> Option<DateTime<Utc>> {
    const DATE_FORMATS: &[&str] = &["%B %d, %Y", "%B %d %Y", "%d %B %Y", "%d %B, %Y", "%d.%m.%Y"];
    const DATETIME_FORMATS: &[&str] = &["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S"];
    let text = text.trim_end_matches('.');
    DATE_FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
        .map(|d| d.and_time(chrono::NaiveTime::MIN))
        .or_else(|| {
            DATETIME_FORMATS
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        })
        .map(|d| d.and_utc())
}

static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?-u:\b) (?P<n> \d+ | an? | one ) (?P<more> \+ )? \s*
        (?P<unit> seconds? | secs? | minutes? | mins? | hours? | hrs? | h | days? | d
                | weeks? | wks? | w | months? | mos? | years? | yrs? | y ) \s+ ago (?-u:\b)",
    )
    .expect("static regex is valid")
});

static TODAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:today|just\s+(?:now|posted)|moments?\s+ago|few\s+(?:seconds|minutes|hours)\s+ago)(?-u:\b)")
        .expect("static regex is valid")
});

/// `3 days ago`, `Posted 3 Days Ago`, `an hour ago`, `today`, `Posted Yesterday`, `just
/// posted`. `30+ days ago` is `None`: it bounds the date from one side only.
fn parse_relative(text: &str, fetched_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if let Some(caps) = RELATIVE.captures(text) {
        if caps.name("more").is_some() {
            return None;
        }
        let n_text = caps.name("n")?.as_str().to_ascii_lowercase();
        let n: i64 = match n_text.as_str() {
            "a" | "an" | "one" => 1,
            digits => digits.parse().ok()?,
        };
        let unit = caps.name("unit")?.as_str().to_ascii_lowercase();
        let seconds_per_unit: i64 = match unit.trim_end_matches('s') {
            "second" | "sec" => 1,
            "minute" | "min" => 60,
            "hour" | "hr" | "h" => 3_600,
            "day" | "d" => 86_400,
            "week" | "wk" | "w" => 7 * 86_400,
            "month" | "mo" => 30 * 86_400,
            "year" | "yr" | "y" => 365 * 86_400,
            // The regex admits only the units above; this arm keeps the match total.
            _ => return None,
        };
        let delta = TimeDelta::try_seconds(n.checked_mul(seconds_per_unit)?)?;
        return fetched_at.checked_sub_signed(delta);
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("yesterday") {
        return fetched_at.checked_sub_signed(TimeDelta::days(1));
    }
    TODAY.is_match(text).then_some(fetched_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fetched() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 7, 17, 12, 0, 0).unwrap()
    }

    fn text(s: &str) -> Option<DateTime<Utc>> {
        parse_date(&RawDate::Text(s.to_owned()), fetched())
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn full_and_partial_iso_dates_are_read_as_utc() {
        assert_eq!(text("2026-04-01"), Some(utc(2026, 4, 1, 0, 0, 0)));
        assert_eq!(text("2026-4-1"), Some(utc(2026, 4, 1, 0, 0, 0)));
        assert_eq!(text("2026-04"), Some(utc(2026, 4, 1, 0, 0, 0)));
        assert_eq!(text("2026-04-01T10:00"), Some(utc(2026, 4, 1, 10, 0, 0)));
        assert_eq!(text("2026-07-10"), Some(utc(2026, 7, 10, 0, 0, 0)));
    }

    #[test]
    fn iso_offsets_and_fractions_are_applied() {
        assert_eq!(
            text("2025-12-18T15:37:26.494Z"),
            Some(utc(2025, 12, 18, 15, 37, 26) + TimeDelta::milliseconds(494))
        );
        assert_eq!(
            text("2024-12-20T13:53:38-05:00"),
            Some(utc(2024, 12, 20, 18, 53, 38))
        );
        assert_eq!(
            text("2026-07-15T15:39:53+00:00"),
            Some(utc(2026, 7, 15, 15, 39, 53))
        );
        assert_eq!(
            text("2026-04-01T10:00:00+0200"),
            Some(utc(2026, 4, 1, 8, 0, 0))
        );
        assert_eq!(text("2026-04-01T10:00Z"), Some(utc(2026, 4, 1, 10, 0, 0)));
    }

    #[test]
    fn space_separated_dates_with_zone_words_or_offsets_are_read() {
        assert_eq!(
            text("2026-07-13 13:42:26 UTC"),
            Some(utc(2026, 7, 13, 13, 42, 26))
        );
        assert_eq!(
            text("2026-07-13 13:42:26 -0400"),
            Some(utc(2026, 7, 13, 17, 42, 26))
        );
    }

    #[test]
    fn rfc_2822_dates_with_offset_or_gmt_are_read() {
        assert_eq!(
            text("Tue, 14 Jul 2026 10:00:00 +0000"),
            Some(utc(2026, 7, 14, 10, 0, 0))
        );
        assert_eq!(
            text("Tue, 14 Jul 2026 10:00:00 GMT"),
            Some(utc(2026, 7, 14, 10, 0, 0))
        );
        assert_eq!(
            text("Mon, 14 Jul 2026 10:00:00 +0000"),
            Some(utc(2026, 7, 14, 10, 0, 0)),
            "a wrong weekday does not spoil the date"
        );
        assert_eq!(
            text("Mon, 13 Jul 2026 13:41:15 +0000"),
            Some(utc(2026, 7, 13, 13, 41, 15))
        );
    }

    #[test]
    fn epoch_variants_and_numeric_text_are_told_apart_by_magnitude() {
        let f = fetched();
        assert_eq!(
            parse_date(&RawDate::EpochSeconds(1_784_129_993), f),
            Some(utc(2026, 7, 15, 15, 39, 53))
        );
        assert_eq!(
            parse_date(&RawDate::EpochMillis(1_558_041_148_927), f),
            Some(utc(2019, 5, 16, 21, 12, 28) + TimeDelta::milliseconds(927))
        );
        assert_eq!(text("1784129993"), Some(utc(2026, 7, 15, 15, 39, 53)));
        assert_eq!(
            text("1558041148927"),
            Some(utc(2019, 5, 16, 21, 12, 28) + TimeDelta::milliseconds(927))
        );
        assert_eq!(text("20260401"), Some(utc(2026, 4, 1, 0, 0, 0)));
    }

    #[test]
    fn relative_text_counts_back_from_the_fetch_time() {
        let f = fetched();
        assert_eq!(text("3 days ago"), Some(f - TimeDelta::days(3)));
        assert_eq!(text("Posted 3 Days Ago"), Some(f - TimeDelta::days(3)));
        assert_eq!(text("Posted Yesterday"), Some(f - TimeDelta::days(1)));
        assert_eq!(text("today"), Some(f));
        assert_eq!(text("Posted Today"), Some(f));
        assert_eq!(text("yesterday"), Some(f - TimeDelta::days(1)));
        assert_eq!(text("just posted"), Some(f));
        assert_eq!(text("an hour ago"), Some(f - TimeDelta::hours(1)));
        assert_eq!(text("2 weeks ago"), Some(f - TimeDelta::days(14)));
        assert_eq!(text("1 month ago"), Some(f - TimeDelta::days(30)));
    }

    #[test]
    fn an_open_relative_count_gives_no_date() {
        assert_eq!(text("Posted 30+ Days Ago"), None);
        assert_eq!(text("30+ days ago"), None);
        assert_eq!(
            text("Posted 30 Days Ago"),
            Some(fetched() - TimeDelta::days(30))
        );
    }

    #[test]
    fn written_out_calendar_dates_are_read() {
        assert_eq!(text("July 14, 2026"), Some(utc(2026, 7, 14, 0, 0, 0)));
        assert_eq!(text("14 Jul 2026"), Some(utc(2026, 7, 14, 0, 0, 0)));
        assert_eq!(text("14.07.2026"), Some(utc(2026, 7, 14, 0, 0, 0)));
    }

    #[test]
    fn implausible_or_unreadable_values_are_rejected() {
        let f = fetched();
        assert_eq!(text("1970-01-01"), None);
        assert_eq!(text("9999-12-31"), None);
        assert_eq!(text("1989-12-31T23:59:59Z"), None);
        assert_eq!(parse_date(&RawDate::EpochSeconds(0), f), None);
        assert_eq!(parse_date(&RawDate::EpochMillis(-1), f), None);
        assert_eq!(parse_date(&RawDate::EpochSeconds(i64::MAX), f), None);
        assert_eq!(text("2026-13-01"), None);
        assert_eq!(text("2026-02-30"), None);
        assert_eq!(text(""), None);
        assert_eq!(text("ASAP"), None);
        assert_eq!(text("99999999999999999999999"), None);
        assert_eq!(text("999999999999 years ago"), None);
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics_and_stays_in_bounds(s in "\\PC{0,40}") {
            if let Some(d) = text(&s) {
                prop_assert!((MIN_YEAR..=MAX_YEAR).contains(&d.year()));
            }
        }

        #[test]
        fn date_like_text_never_panics_and_stays_in_bounds(
            s in "[0-9]{1,5}[-/][0-9]{1,3}([-/][0-9]{1,3})?( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?( ?[+-][0-9]{2,4}| UTC|Z)?"
        ) {
            if let Some(d) = text(&s) {
                prop_assert!((MIN_YEAR..=MAX_YEAR).contains(&d.year()));
            }
        }

        #[test]
        fn arbitrary_epochs_never_panic_and_stay_in_bounds(n in any::<i64>()) {
            for raw in [RawDate::EpochSeconds(n), RawDate::EpochMillis(n), RawDate::Text(n.to_string())] {
                if let Some(d) = parse_date(&raw, fetched()) {
                    prop_assert!((MIN_YEAR..=MAX_YEAR).contains(&d.year()));
                }
            }
        }
    }
}
