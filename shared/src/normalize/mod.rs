//! The normalizer, shared by all extractors: turns a `RawPosting` into a `JobPosting` —
//! cleaned title, seniority, category, skills, salary, locations, workplace, employment type,
//! dates, sanitized description — and stamps the identity fields.

pub mod category;
pub mod dates;
pub mod employment;
pub mod location;
pub mod salary;
pub mod sanitize;
pub mod seniority;
pub mod skills;
pub mod title;

use std::borrow::Cow;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;

use crate::extract::{RawLocation, RawPosting};
use crate::identity;
use crate::markup::text::{self, remove_tag_shapes, remove_xml_forbidden};
use crate::model::{Company, EmploymentType, JobPosting, SourceKind, Workplace};

/// What the normalizer needs to know beyond the record itself.
#[derive(Debug, Clone)]
pub struct NormalizeContext<'a> {
    /// The configured source name.
    pub source: &'a str,
    /// The kind that extracted the record.
    pub source_kind: SourceKind,
    /// The document's URL: resolves relative links and stands in for a missing posting URL
    /// when the document is a single posting's page.
    pub base_url: Option<&'a url::Url>,
    /// Whether the document is one posting's page (so `base_url` may be its URL).
    pub single_posting_document: bool,
    /// When the document was fetched: the reference for relative dates and `fetched_at`.
    pub fetched_at: DateTime<Utc>,
    /// Company name to use instead of the source's (a source's configured override).
    pub company_override: Option<&'a str>,
}

/// Why a record was skipped rather than emitted half-empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Skip {
    /// No usable title.
    #[error("record has no title")]
    MissingTitle,
    /// No usable http(s) URL, neither its own nor the document's.
    #[error("record has no URL")]
    MissingUrl,
    /// An extracted record whose stated id is not the one its content gives.
    #[error("record's id does not match its content")]
    IdMismatch,
}

/// Normalizes one record. Never panics on any input; a record without a title or URL is a
/// `Skip`, never a half-empty posting.
///
/// - URL: the record's own, canonicalized against the document's URL; when it has none (or
///   none usable) and the document is a single posting's page, the document's URL.
/// - Company name: the configured override, else the source's, else the URL's host without
///   `www.`, `jobs.` or `careers.`. Company and logo URLs are kept only as absolute http(s).
/// - Description: sanitized HTML and its text, or, for a text-only source, the tidied text
///   and HTML built from it.
/// - Workplace, first rule that gives an answer: the source's workplace words, then what the
///   location texts say, then the title (`Remote` as a word) and description (`fully remote`,
///   `100% remote`). Within one rule hybrid beats remote beats onsite: a record that names
///   several is at best partly remote, and hybrid is the only reading consistent with all.
/// - Employment type: the first of the source's words that parses, else the title's words
///   (`Contract`, `Part-time`, `Intern`).
/// - Salary: structured pay, else the source's pay text, else the description.
pub fn normalize(raw: RawPosting, ctx: &NormalizeContext<'_>) -> Result<JobPosting, Skip> {
    let raw = scrubbed(raw);
    let raw_title = raw.title.as_deref().unwrap_or("");
    let (title, url) = title_and_url(&raw, ctx)?;
    let apply_url = raw
        .apply_url
        .as_deref()
        .and_then(|apply| identity::canonical_url(apply, ctx.base_url))
        .filter(|apply| *apply != url);

    let company = Company {
        name: company_name(&raw, ctx, &url),
        url: absolute_http(raw.company_url.as_deref(), ctx.base_url),
        logo_url: absolute_http(raw.company_logo_url.as_deref(), ctx.base_url),
    };
    let (description_html, description_text) = description(&raw, ctx.base_url);

    let mut locations: Vec<crate::model::Location> = Vec::new();
    let mut location_workplaces = Vec::new();
    let mut remote_regions = Vec::new();
    for raw_location in &raw.locations {
        let parsed = location::parse_location(&plain_location(raw_location));
        for place in parsed.locations {
            if !locations.contains(&place) {
                locations.push(place);
            }
        }
        location_workplaces.extend(parsed.workplace);
        remote_regions.extend(parsed.remote_regions);
    }
    remote_regions.extend(
        raw.remote_regions
            .iter()
            .filter_map(|region| tidy(region))
            .filter_map(|region| location::remote_region(&region)),
    );
    remote_regions.sort();
    remote_regions.dedup();

    let hinted: Vec<Workplace> = raw
        .workplace_hints
        .iter()
        .filter_map(|hint| employment::parse_workplace(hint))
        .collect();
    let workplace = strongest_workplace(&hinted)
        .or_else(|| strongest_workplace(&location_workplaces))
        .or_else(|| workplace_from_words(raw_title, &description_text));

    let employment_type = raw
        .employment_types
        .iter()
        .find_map(|word| employment::parse_employment_type(word))
        .or_else(|| employment_from_title(raw_title));
    let salary = raw
        .salary
        .as_ref()
        .and_then(salary::from_structured)
        .or_else(|| {
            raw.salary_text
                .as_deref()
                .and_then(salary::parse_salary_text)
        })
        .or_else(|| salary::parse_salary_text(&description_text));
    let posted_at = raw
        .posted_at
        .as_ref()
        .and_then(|date| dates::parse_date(date, ctx.fetched_at));
    let valid_through = raw
        .valid_through
        .as_ref()
        .and_then(|date| dates::parse_date(date, ctx.fetched_at));

    let department = raw.department.as_deref().and_then(tidy);
    let seniority =
        seniority::detect_seniority(&title, raw.seniority_hint.as_deref(), &description_text);
    let category = category::detect_category(&title, department.as_deref(), &description_text);
    let skills = skills::extract_skills(&title, &description_text, &raw.tags);

    let mut posting = JobPosting {
        id: String::new(),
        source: ctx.source.to_owned(),
        source_kind: ctx.source_kind,
        external_id: raw.external_id.as_deref().and_then(tidy),
        url,
        apply_url,
        title,
        company,
        department,
        locations,
        workplace,
        remote_regions,
        employment_type,
        seniority,
        category,
        skills,
        salary,
        description_html,
        description_text,
        posted_at,
        valid_through,
        fetched_at: ctx.fetched_at,
        fingerprint: String::new(),
        content_hash: String::new(),
        first_seen_at: None,
        last_seen_at: None,
        closed_at: None,
        duplicate_of: None,
    };
    identity::stamp(&mut posting);
    Ok(posting)
}

/// A posting that arrives already normalized (an older crawler's message) made as safe as
/// one `normalize` makes: its description sanitized and turned into text again, its text
/// fields made text (no markup, nothing tag-shaped, nothing XML forbids), and its identity
/// stamped anew from what is left. Ingest trusts nothing on the postings queue. `None` when
/// no title is left.
pub fn sanitize_normalized(mut posting: JobPosting) -> Option<JobPosting> {
    let base = url::Url::parse(&posting.url).ok();
    let (html, text) = sanitize::sanitize_with_text(
        &remove_xml_forbidden(&posting.description_html),
        base.as_ref(),
    );
    posting.description_html = html;
    posting.description_text = text;
    posting.title = title::clean_title(&posting.title);
    if posting.title.is_empty() {
        return None;
    }
    posting.company.name = tidy(&posting.company.name).unwrap_or_default();
    posting.department = posting.department.as_deref().and_then(tidy);
    posting.external_id = posting.external_id.as_deref().and_then(tidy);
    for location in &mut posting.locations {
        location.raw = tidy(&location.raw).unwrap_or_default();
        for part in [
            &mut location.city,
            &mut location.region,
            &mut location.country,
        ] {
            *part = part.as_deref().and_then(tidy);
        }
    }
    let text_only = |values: &mut Vec<String>| {
        *values = values.iter().filter_map(|v| tidy(v)).collect();
    };
    text_only(&mut posting.remote_regions);
    text_only(&mut posting.skills);
    // Links are kept only when they are absolute http(s) addresses, as `normalize` keeps
    // them; a kept link is kept as written, so a clean posting stays byte for byte the same
    // (and an unchanged re-send writes nothing).
    let http_only =
        |link: Option<String>| link.filter(|link| absolute_http(Some(link), None).is_some());
    posting.company.url = http_only(posting.company.url.take());
    posting.company.logo_url = http_only(posting.company.logo_url.take());
    posting.apply_url = http_only(posting.apply_url.take());
    identity::stamp(&mut posting);
    Some(posting)
}

/// The id `normalize` gives `raw` (see `identity::posting_id`), without normalizing the rest:
/// what a crawl lists and deduplicates by before its postings are normalized at ingest.
/// Skips exactly what `normalize` skips. Cheap: the title's clean-up, the URL's
/// canonical form and one hash.
pub fn posting_id(raw: &RawPosting, ctx: &NormalizeContext<'_>) -> Result<String, Skip> {
    let (_, url) = title_and_url(raw, ctx)?;
    let external_id = raw.external_id.as_deref().and_then(tidy);
    Ok(identity::posting_id(
        ctx.source,
        external_id.as_deref(),
        &url,
    ))
}

/// The cleaned title and the canonical URL of a record: its own URL, else the document's
/// when the document is that one posting's page. Either missing is a `Skip`.
fn title_and_url(raw: &RawPosting, ctx: &NormalizeContext<'_>) -> Result<(String, String), Skip> {
    let title = title::clean_title(raw.title.as_deref().unwrap_or(""));
    if title.is_empty() {
        return Err(Skip::MissingTitle);
    }
    let url = raw
        .url
        .as_deref()
        .and_then(|url| identity::canonical_url(url, ctx.base_url))
        .or_else(|| {
            let base = ctx.base_url.filter(|_| ctx.single_posting_document)?;
            identity::canonical_url(base.as_str(), None)
        })
        .ok_or(Skip::MissingUrl)?;
    Ok((title, url))
}

/// Where, from byte `from`, the next character that may be a decimal digit is: an ASCII
/// digit, or any numeric character (a superset of the regexes' Unicode `\d`).
pub(crate) fn next_digit(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    loop {
        let offset = bytes
            .get(at..)?
            .iter()
            .position(|b| b.is_ascii_digit() || *b >= 0x80)?;
        at += offset;
        match text.get(at..).and_then(|tail| tail.chars().next()) {
            Some(c) if c.is_ascii_digit() || c.is_numeric() => return Some(at),
            Some(c) => at += c.len_utf8(),
            // Not on a character boundary (a continuation byte): step to the next one.
            None => at += 1,
        }
    }
}

pub(crate) use crate::markup::cut::floor_char_boundary;

/// A text field as text: entities decoded once, markup turned into text, anything still
/// tag-shaped removed (`markup::text::remove_tag_shapes`), what XML cannot carry dropped,
/// whitespace collapsed; `None` when nothing is left.
fn tidy(text: &str) -> Option<String> {
    let text = remove_xml_forbidden(text);
    let decoded = html_escape::decode_html_entities(&text);
    let stripped = sanitize::strip_markup(&decoded);
    let tidied = remove_tag_shapes(&stripped)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!tidied.is_empty()).then_some(tidied)
}

/// A location whose texts are text (see [`tidy`]): a place never holds markup.
fn plain_location(raw: &RawLocation) -> RawLocation {
    let part = |p: &Option<String>| p.as_deref().and_then(tidy);
    RawLocation {
        raw: tidy(&raw.raw).unwrap_or_default(),
        city: part(&raw.city),
        region: part(&raw.region),
        country: part(&raw.country),
    }
}

/// `raw` with its double-encoded texts repaired (`markup::text::repair_double_encoding`)
/// and without the characters XML 1.0 forbids in any of its texts (the URLs aside: their
/// parser percent-encodes controls, and ids are computed from them before this runs), so
/// no stored posting can break an XML feed.
fn scrubbed(mut raw: RawPosting) -> RawPosting {
    let repair = |field: &mut Option<String>, html: bool| {
        if let Some(text) = field
            && let Cow::Owned(repaired) = text::repair_double_encoding(text, html)
        {
            *text = repaired;
        }
    };
    repair(&mut raw.title, false);
    repair(&mut raw.company_name, false);
    repair(&mut raw.department, false);
    repair(&mut raw.salary_text, false);
    repair(&mut raw.description_html, true);
    repair(&mut raw.description_text, false);
    for location in &mut raw.locations {
        if let Cow::Owned(repaired) = text::repair_double_encoding(&location.raw, false) {
            location.raw = repaired;
        }
        repair(&mut location.city, false);
        repair(&mut location.region, false);
    }
    let scrub_all = |texts: &mut Vec<String>| texts.iter_mut().for_each(text::scrub);
    let texts = [
        &mut raw.external_id,
        &mut raw.title,
        &mut raw.company_name,
        &mut raw.department,
        &mut raw.seniority_hint,
        &mut raw.salary_text,
        &mut raw.description_html,
        &mut raw.description_text,
    ];
    texts.into_iter().flatten().for_each(text::scrub);
    scrub_all(&mut raw.workplace_hints);
    scrub_all(&mut raw.remote_regions);
    scrub_all(&mut raw.employment_types);
    scrub_all(&mut raw.tags);
    for location in &mut raw.locations {
        text::scrub(&mut location.raw);
        let parts = [
            &mut location.city,
            &mut location.region,
            &mut location.country,
        ];
        parts.into_iter().flatten().for_each(text::scrub);
    }
    if let Some(salary) = &mut raw.salary {
        [&mut salary.currency, &mut salary.period]
            .into_iter()
            .flatten()
            .for_each(text::scrub);
    }
    raw
}

/// The override, the source's name, or the posting URL's host without a jobs-site prefix.
fn company_name(raw: &RawPosting, ctx: &NormalizeContext<'_>, url: &str) -> String {
    if let Some(name) = ctx.company_override.and_then(tidy) {
        return name;
    }
    if let Some(name) = raw.company_name.as_deref().and_then(tidy) {
        return name;
    }
    let parsed = url::Url::parse(url).ok();
    let host = parsed.as_ref().and_then(|u| u.host_str()).unwrap_or(url);
    let mut name = host;
    while let Some(rest) = ["www.", "jobs.", "careers."]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))
        .filter(|rest| !rest.is_empty())
    {
        name = rest;
    }
    name.to_owned()
}

/// An absolute http(s) URL (relative ones resolved against `base`), else `None`.
fn absolute_http(raw: Option<&str>, base: Option<&url::Url>) -> Option<String> {
    let raw = raw?.trim();
    if raw.is_empty() {
        return None;
    }
    let url = match base {
        Some(base) => base.join(raw).ok()?,
        None => url::Url::parse(raw).ok()?,
    };
    let usable =
        matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty());
    usable.then(|| url.into())
}

/// Sanitized HTML and readable text: from the HTML when it has any text, else from the
/// source's plain text.
fn description(raw: &RawPosting, base: Option<&url::Url>) -> (String, String) {
    if let Some(html) = raw.description_html.as_deref() {
        let (clean, text) = sanitize::sanitize_with_text(html, base);
        let has_fallback = raw
            .description_text
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
        if !text.is_empty() || !has_fallback {
            return (clean, text);
        }
    }
    let text = raw
        .description_text
        .as_deref()
        .map(sanitize::clean_text)
        .unwrap_or_default();
    (sanitize::text_to_html(&text), text)
}

/// Hybrid over remote over onsite (see `normalize`).
fn strongest_workplace(votes: &[Workplace]) -> Option<Workplace> {
    [Workplace::Hybrid, Workplace::Remote, Workplace::Onsite]
        .into_iter()
        .find(|workplace| votes.contains(workplace))
}

static FULLY_REMOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:fully|100\s?%|completely|entirely)[\s-]+remote(?-u:\b)")
        .expect("the pattern is a valid constant")
});

/// `Remote` as a word of the title (not `Remote Sensing`), or a description that says the
/// job is fully remote.
fn workplace_from_words(title: &str, description_text: &str) -> Option<Workplace> {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let remote_title = words
        .iter()
        .enumerate()
        .any(|(i, word)| word == "remote" && words.get(i + 1).is_none_or(|next| next != "sensing"));
    (remote_title || FULLY_REMOTE.is_match(description_text)).then_some(Workplace::Remote)
}

/// Contract type words in a title (`Operations Partner (Flexible Contract)`, `Part-time`).
fn employment_from_title(title: &str) -> Option<EmploymentType> {
    let lower = title.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let pair = |a: &str, b: &str| words.windows(2).any(|w| w == [a, b]);
    words.iter().find_map(|word| match *word {
        "contract" | "contractor" | "freelance" | "freelancer" => Some(EmploymentType::Contract),
        "parttime" | "teilzeit" => Some(EmploymentType::PartTime),
        "part" if pair("part", "time") => Some(EmploymentType::PartTime),
        "intern" | "internship" | "werkstudent" | "praktikum" | "apprentice" | "apprenticeship" => {
            Some(EmploymentType::Internship)
        }
        "temporary" | "seasonal" => Some(EmploymentType::Temporary),
        "volunteer" => Some(EmploymentType::Volunteer),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Seniority};
    use proptest::prelude::*;

    fn base() -> url::Url {
        url::Url::parse("https://careers.acme.io/jobs/list?page=2").unwrap()
    }

    fn ctx(base: Option<&url::Url>) -> NormalizeContext<'_> {
        NormalizeContext {
            source: "acme",
            source_kind: SourceKind::JsonLd,
            base_url: base,
            single_posting_document: false,
            fetched_at: DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
            company_override: None,
        }
    }

    fn raw(title: &str, url: &str) -> RawPosting {
        RawPosting {
            title: Some(title.into()),
            url: Some(url.into()),
            ..RawPosting::default()
        }
    }

    #[test]
    fn text_fields_hold_no_tag_however_the_source_spells_it() {
        let evasions = [
            "<<!---->img src=x onerror=alert(1)>",
            "<</>script>alert(1)<</>/script>",
            "<<?x>svg onload=alert(1)>",
            "<<!x>iframe src=javascript:alert(1)>",
            "<![CDATA[<]]>script>alert(1)</script>",
            "&lt;img src=x onerror=alert(1)&gt;",
            "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
            "<img src=x onerror=alert(1)",
        ];
        for evasion in evasions {
            let mut record = raw(
                &format!("Backend Engineer {evasion}"),
                "https://example.com/j/1",
            );
            record.company_name = Some(format!("Acme {evasion}"));
            record.department = Some(format!("Platform {evasion}"));
            record.locations = vec![RawLocation {
                raw: format!("Berlin {evasion}"),
                city: Some(format!("Berlin{evasion}")),
                ..RawLocation::default()
            }];
            let posting = normalize(record, &ctx(None)).unwrap();
            let texts = [
                posting.title.clone(),
                posting.company.name.clone(),
                posting.department.clone().unwrap_or_default(),
                posting
                    .locations
                    .iter()
                    .map(|l| format!("{} {:?}", l.raw, l.city))
                    .collect(),
            ];
            for text in texts {
                let shaped = text.match_indices('<').any(|(at, _)| {
                    text[at + 1..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic() || "/!?".contains(c))
                });
                assert!(!shaped, "{evasion:?} left {text:?}");
            }
            assert!(
                posting.title.starts_with("Backend Engineer"),
                "{}",
                posting.title
            );
        }
    }

    #[test]
    fn no_field_of_a_posting_keeps_a_character_xml_forbids() {
        let mut record = raw(
            "Backend \u{1b}[1mEngineer\u{0}",
            "https://example.com/jobs/1?\u{1}x=\u{b}#\u{c}",
        );
        record.apply_url = Some("https://example.com/apply/\u{8}1".into());
        record.company_name = Some("Acme\u{ffff}".into());
        record.company_url = Some("https://acme.example/\u{1f}".into());
        record.department = Some("Plat\u{fffe}form".into());
        record.description_html = Some("<p>Go\u{b} and Rust\u{0}</p>".into());
        record.tags = vec!["rust\u{1}".into()];
        record.locations = vec![RawLocation::text("Berlin\u{c}, Germany")];
        let posting = normalize(record, &ctx(None)).unwrap();
        let json = serde_json::to_string(&posting).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        fn texts(value: &serde_json::Value, out: &mut Vec<String>) {
            match value {
                serde_json::Value::String(text) => out.push(text.clone()),
                serde_json::Value::Array(items) => items.iter().for_each(|v| texts(v, out)),
                serde_json::Value::Object(map) => map.values().for_each(|v| texts(v, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        texts(&value, &mut all);
        for text in all {
            assert!(
                text.chars().all(crate::markup::text::xml_allowed),
                "{text:?}"
            );
        }
        assert_eq!(posting.title, "Backend Engineer");
        assert_eq!(posting.department.as_deref(), Some("Platform"));
    }

    #[test]
    fn an_already_normalized_posting_is_sanitized_again_before_it_is_trusted() {
        let mut posting = normalize(
            raw("Backend Engineer", "https://example.com/j/1"),
            &ctx(None),
        )
        .unwrap();
        let id = posting.id.clone();
        posting.description_html =
            "<p>Hi</p><script>alert(1)</script><img src=x onerror=alert(1)>\u{1}".into();
        posting.title = "<<!---->img src=x onerror=alert(1)>Backend Engineer".into();
        posting.company.name = "<b>Acme</b>".into();
        posting.apply_url = Some("javascript:alert(1)".into());
        posting.skills = vec!["<script>rust</script>".into(), "go".into()];
        let clean = sanitize_normalized(posting).unwrap();
        assert_eq!(clean.id, id, "the identity does not change");
        // A clean posting comes out exactly as it went in.
        assert_eq!(sanitize_normalized(clean.clone()).as_ref(), Some(&clean));
        assert_eq!(clean.title, "Backend Engineer");
        assert_eq!(clean.company.name, "Acme");
        assert_eq!(clean.apply_url, None);
        assert_eq!(clean.skills, ["go"]);
        assert!(!clean.description_html.contains("script"));
        assert!(!clean.description_html.contains("onerror"));
        assert!(clean.description_html.contains("Hi"));
        assert!(!clean.description_html.contains('\u{1}'));
    }

    #[test]
    fn text_that_only_looks_like_markup_is_kept_in_text_fields() {
        for title in [
            "C++ / C# Developer",
            "R&D Engineer",
            "Engineer, 5 < 10 years",
            "<3 Community Engineer",
            "シニアバックエンドエンジニア",
            "مهندس برمجيات أول",
        ] {
            let mut record = raw(title, "https://example.com/j/1");
            record.company_name = Some(title.to_owned());
            record.department = Some(title.to_owned());
            let posting = normalize(record, &ctx(None)).unwrap();
            assert_eq!(posting.title, title);
            assert_eq!(posting.company.name, title);
            assert_eq!(posting.department.as_deref(), Some(title));
        }
    }

    #[test]
    fn records_without_a_title_are_skipped() {
        let base = base();
        let mut record = raw("  \n ", "/jobs/1");
        assert_eq!(
            normalize(record.clone(), &ctx(Some(&base))),
            Err(Skip::MissingTitle)
        );
        record.title = None;
        assert_eq!(
            normalize(record, &ctx(Some(&base))),
            Err(Skip::MissingTitle)
        );
    }

    #[test]
    fn records_without_a_usable_url_are_skipped() {
        let base = base();
        let mut record = raw("Engineer", "javascript:void(0)");
        assert_eq!(
            normalize(record.clone(), &ctx(Some(&base))),
            Err(Skip::MissingUrl)
        );
        record.url = None;
        assert_eq!(
            normalize(record.clone(), &ctx(Some(&base))),
            Err(Skip::MissingUrl)
        );
        record.url = Some("/jobs/1".into());
        assert_eq!(normalize(record, &ctx(None)), Err(Skip::MissingUrl));
    }

    #[test]
    fn a_single_posting_page_lends_its_url_to_a_record_without_one() {
        let page = url::Url::parse("https://jobs.example.com/job/42/?utm_source=x#top").unwrap();
        let context = NormalizeContext {
            single_posting_document: true,
            ..ctx(Some(&page))
        };
        let record = RawPosting {
            title: Some("Engineer".into()),
            ..RawPosting::default()
        };
        let posting = normalize(record, &context).unwrap();
        assert_eq!(posting.url, "https://jobs.example.com/job/42");
        assert_eq!(posting.company.name, "example.com");
    }

    #[test]
    fn urls_are_resolved_and_canonicalized() {
        let base = base();
        let mut record = raw("Engineer", "/jobs/77/backend/?gh_src=abc#apply");
        record.apply_url = Some("apply?step=1&utm_medium=mail".into());
        let posting = normalize(record, &ctx(Some(&base))).unwrap();
        assert_eq!(posting.url, "https://careers.acme.io/jobs/77/backend");
        assert_eq!(
            posting.apply_url.as_deref(),
            Some("https://careers.acme.io/jobs/apply?step=1")
        );

        let mut same = raw("Engineer", "https://acme.io/j/1");
        same.apply_url = Some("https://acme.io/j/1?utm_source=x".into());
        assert_eq!(normalize(same, &ctx(None)).unwrap().apply_url, None);
    }

    #[test]
    fn the_company_name_comes_from_the_override_the_source_or_the_host() {
        let base = base();
        let mut record = raw("Engineer", "/jobs/1");
        let from_host = normalize(record.clone(), &ctx(Some(&base))).unwrap();
        assert_eq!(from_host.company.name, "acme.io");

        record.company_name = Some("  Acme &amp; Co\n ".into());
        let from_source = normalize(record.clone(), &ctx(Some(&base))).unwrap();
        assert_eq!(from_source.company.name, "Acme & Co");

        let overridden = NormalizeContext {
            company_override: Some("Acme Corp"),
            ..ctx(Some(&base))
        };
        assert_eq!(
            normalize(record, &overridden).unwrap().company.name,
            "Acme Corp"
        );

        let www = raw("Engineer", "https://www.jobs.globex.com/1");
        assert_eq!(
            normalize(www, &ctx(None)).unwrap().company.name,
            "globex.com"
        );
    }

    #[test]
    fn company_links_must_be_absolute_http() {
        let base = base();
        let mut record = raw("Engineer", "/jobs/1");
        record.company_url = Some("javascript:alert(1)".into());
        record.company_logo_url = Some("/static/logo.png".into());
        let posting = normalize(record.clone(), &ctx(Some(&base))).unwrap();
        assert_eq!(posting.company.url, None);
        assert_eq!(
            posting.company.logo_url.as_deref(),
            Some("https://careers.acme.io/static/logo.png")
        );
        record.company_url = Some("ftp://acme.io/".into());
        record.company_logo_url = Some("   ".into());
        let posting = normalize(record, &ctx(Some(&base))).unwrap();
        assert_eq!(
            (posting.company.url, posting.company.logo_url),
            (None, None)
        );
    }

    #[test]
    fn html_descriptions_are_sanitized_and_turned_into_text() {
        let base = base();
        let mut record = raw("Engineer", "/jobs/1");
        record.description_html = Some(
            r#"<p onclick="x()">Build <b>APIs</b>.</p><script>alert(1)</script><a href="/team">Team</a>"#
                .into(),
        );
        let posting = normalize(record, &ctx(Some(&base))).unwrap();
        assert_eq!(
            posting.description_html,
            "<p>Build <b>APIs</b>.</p><a href=\"https://careers.acme.io/team\" rel=\"nofollow noopener\">Team</a>"
        );
        assert_eq!(posting.description_text, "Build APIs.\n\nTeam");
    }

    #[test]
    fn text_descriptions_are_tidied_and_turned_into_html() {
        let mut record = raw("Engineer", "https://acme.io/j/1");
        record.description_text = Some("  We <3 Rust.\n\n\n\nApply   now ".into());
        let posting = normalize(record, &ctx(None)).unwrap();
        assert_eq!(posting.description_text, "We <3 Rust.\n\nApply now");
        assert_eq!(
            posting.description_html,
            "<p>We &lt;3 Rust.</p><p>Apply now</p>"
        );
        assert_eq!(posting.skills, ["rust"]);
    }

    #[test]
    fn the_seed_page_is_a_senior_backend_job_with_its_named_skills() {
        let text = include_str!("../../testdata/seed/job-description.txt");
        let title = "Senior Software Developer Back End";
        assert_eq!(
            seniority::detect_seniority(title, None, text),
            Some(Seniority::Senior)
        );
        assert_eq!(
            category::detect_category(title, None, text),
            Some(Category::Backend)
        );

        let mut record = raw(title, "https://example.com/jobs/senior-backend");
        record.description_text = Some(text.into());
        let posting = normalize(record, &ctx(None)).unwrap();
        assert_eq!(posting.title, title);
        assert_eq!(posting.seniority, Some(Seniority::Senior));
        assert_eq!(posting.category, Some(Category::Backend));
        assert_eq!(posting.skills, skills::SEED_SKILLS);
    }

    #[test]
    fn title_derived_fields_are_filled() {
        let mut record = raw(
            "🚀 Senior Go Engineer (Remote) (m/w/d)",
            "https://acme.io/j/1",
        );
        record.department = Some("  Platform   Team ".into());
        record.tags = vec!["k8s".into()];
        record.seniority_hint = Some("Entry Level".into());
        let posting = normalize(record, &ctx(None)).unwrap();
        assert_eq!(posting.title, "Senior Go Engineer");
        assert_eq!(posting.department.as_deref(), Some("Platform Team"));
        assert_eq!(posting.seniority, Some(Seniority::Senior));
        assert_eq!(posting.category, Some(Category::Backend));
        assert_eq!(posting.skills, ["go", "kubernetes"]);
        assert_eq!(posting.workplace, Some(Workplace::Remote));

        let mut blank_department = raw(
            "Operations Partner (Flexible Contract BOS)",
            "https://a.io/1",
        );
        blank_department.department = Some("   ".into());
        let posting = normalize(blank_department, &ctx(None)).unwrap();
        assert_eq!(posting.department, None);
        assert_eq!(posting.employment_type, Some(EmploymentType::Contract));
        assert_eq!(posting.category, Some(Category::Other));
        assert_eq!(posting.workplace, None);
    }

    #[test]
    fn a_fully_remote_description_makes_the_job_remote() {
        let mut record = raw("Backend Engineer", "https://acme.io/j/1");
        record.description_text = Some("We are a 100% remote company.".into());
        assert_eq!(
            normalize(record, &ctx(None)).unwrap().workplace,
            Some(Workplace::Remote)
        );
        let sensing = raw("Remote Sensing Analyst", "https://acme.io/j/2");
        assert_eq!(normalize(sensing, &ctx(None)).unwrap().workplace, None);
    }

    #[test]
    fn the_next_digit_is_found_past_other_characters_and_non_ascii_digits_count() {
        assert_eq!(next_digit("ab 12", 0), Some(3));
        assert_eq!(next_digit("ab 12", 4), Some(4));
        assert_eq!(next_digit("é ’ 7", 0), Some(7));
        assert_eq!(next_digit("x ٣", 0), Some(2));
        assert_eq!(next_digit("no figures here", 0), None);
        assert_eq!(floor_char_boundary("aé", 2), 1);
        assert_eq!(floor_char_boundary("aé", 9), 3);
    }

    #[test]
    fn employment_type_falls_back_to_title_words() {
        let kind = |title: &str| employment_from_title(title);
        assert_eq!(kind("Part-time Barista"), Some(EmploymentType::PartTime));
        assert_eq!(
            kind("MBA Intern (Spring and/or Summer '26)"),
            Some(EmploymentType::Internship)
        );
        assert_eq!(kind("Freelance Designer"), Some(EmploymentType::Contract));
        assert_eq!(kind("International Partner Manager"), None);
    }

    #[test]
    fn ids_are_stable_and_identity_fields_are_stamped() {
        let mut record = raw("Engineer", "https://acme.io/j/1?utm_source=x");
        record.external_id = Some(" 4461450008 ".into());
        let first = normalize(record.clone(), &ctx(None)).unwrap();
        let again = normalize(record.clone(), &ctx(None)).unwrap();
        assert_eq!(first, again);
        assert_eq!(first.external_id.as_deref(), Some("4461450008"));
        assert_eq!(
            first.id,
            identity::posting_id("acme", Some("4461450008"), &first.url)
        );
        assert_eq!(first.fingerprint, identity::fingerprint(&first));
        assert_eq!(first.content_hash, identity::content_hash(&first));
        assert_eq!(first.fetched_at, ctx(None).fetched_at);

        record.description_text = Some("Now with a description.".into());
        let edited = normalize(record, &ctx(None)).unwrap();
        assert_eq!(edited.id, first.id);
        assert_ne!(edited.content_hash, first.content_hash);
    }

    proptest! {
        #[test]
        fn normalize_never_panics(
            title in any::<String>(),
            url in prop_oneof![any::<String>(), "(https?://|/|//)?[a-z./?=&#%-]{0,40}"],
            html in prop_oneof![any::<String>(), "[<>/a-z =\"'&;#!-]{0,200}"],
            text in any::<String>(),
            tag in any::<String>(),
        ) {
            let base = base();
            let record = RawPosting {
                title: Some(title.clone()),
                url: Some(url.clone()),
                apply_url: Some(url.clone()),
                company_name: Some(title.clone()),
                company_logo_url: Some(url),
                department: Some(text.clone()),
                seniority_hint: Some(tag.clone()),
                description_html: Some(html),
                description_text: Some(text),
                tags: vec![tag],
                ..RawPosting::default()
            };
            let single = NormalizeContext { single_posting_document: true, ..ctx(Some(&base)) };
            if let Ok(posting) = normalize(record.clone(), &single) {
                prop_assert!(!posting.title.is_empty());
                prop_assert!(!posting.company.name.is_empty());
            }
            let _ = normalize(record, &ctx(None));
        }

        #[test]
        fn sanitizing_and_text_conversion_never_panic(
            html in prop_oneof![any::<String>(), "[<>/a-z =\"'&;#!\n-]{0,300}"],
        ) {
            let clean = sanitize::sanitize_html(&html, None);
            prop_assert!(!clean.contains("<script"));
            let _ = sanitize::html_to_text(&html);
            let _ = sanitize::html_to_text(&clean);
            let _ = sanitize::text_to_html(&html);
        }
    }
}
