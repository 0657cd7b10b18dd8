//! schema.org `JobPosting`s in HTML microdata (`itemscope`/`itemtype`/`itemprop`), the
//! fallback of the `jsonld` kind for pages without JSON-LD.
//!
//! Each microdata item is turned into the JSON shape JSON-LD would give it (nested items
//! become nested objects), so one mapping ([`super::jsonld`]'s) serves both formats.

use scraper::{ElementRef, Html};
use serde_json::{Map, Value};

use super::html_recipe::element_text;
use super::jsonld::{find_ignore_case, posting_from_node};
use super::{DocumentContext, Extraction, RawPosting};
use crate::error::ParseError;

/// How deep nested items are followed; deeper ones are read as text (a guard against
/// adversarial nesting, real postings need three levels).
const MAX_ITEM_DEPTH: usize = 8;

/// Extracts the microdata `JobPosting`s of one HTML page (zero when it has none).
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    if crate::markup::nesting::html_too_deep(body) {
        return Err(crate::markup::nesting::too_deep(
            crate::model::SourceKind::JsonLd,
        ));
    }
    let html = Html::parse_document(body);
    Ok(Extraction {
        postings: extract_from_html(&html, ctx),
        skipped: 0,
    })
}

/// The microdata `JobPosting` items of a parsed page, in document order, each mapped like a
/// JSON-LD posting. Description is the element's inner HTML; other values follow the
/// microdata rules (`content`, `href`, `src`, `datetime`, ... or the text).
pub fn extract_from_html(html: &Html, ctx: DocumentContext<'_>) -> Vec<RawPosting> {
    // Relative links stay relative: the normalizer resolves them against the document URL.
    let _ = ctx;
    html.root_element()
        .descendent_elements()
        .filter(|el| el.attr("itemscope").is_some() && has_job_posting_type(el))
        .filter_map(|el| match item_to_json(el, 0) {
            Value::Object(node) => Some(posting_from_node(&node)),
            _ => None,
        })
        .collect()
}

/// True when some `itemtype` attribute of the page names `JobPosting` — a cheap byte scan
/// so that pages without microdata postings never pay for a DOM.
pub(crate) fn mentions_job_posting(body: &str) -> bool {
    let bytes = body.as_bytes();
    let mut from = 0;
    while let Some(at) = bytes
        .get(from..)
        .and_then(|rest| find_ignore_case(rest, b"itemtype"))
    {
        let start = from + at;
        // The attribute value follows within a few bytes: `itemtype="https://schema.org/JobPosting"`.
        let window = bytes
            .get(start..(start + 120).min(bytes.len()))
            .unwrap_or_default();
        if memchr::memmem::find(window, b"JobPosting").is_some() {
            return true;
        }
        from = start + 1;
    }
    false
}

/// Whether an element's `itemtype` (a space-separated list of type URLs) has `JobPosting`.
fn has_job_posting_type(el: &ElementRef<'_>) -> bool {
    el.attr("itemtype").is_some_and(|types| {
        types
            .split_ascii_whitespace()
            .any(|t| t.ends_with("/JobPosting"))
    })
}

/// One item as a JSON object: `@type` from `itemtype`, then its properties. Several values
/// of one property become an array, as in JSON-LD.
fn item_to_json(scope: ElementRef<'_>, depth: usize) -> Value {
    let mut node = Map::new();
    if let Some(types) = scope.attr("itemtype") {
        let types = types
            .split_ascii_whitespace()
            .map(|t| Value::String(t.to_owned()))
            .collect();
        node.insert("@type".into(), Value::Array(types));
    }
    // An explicit stack (children pushed in reverse) keeps document order without recursing
    // down arbitrarily deep markup.
    let mut pending: Vec<ElementRef<'_>> = scope.child_elements().collect();
    pending.reverse();
    while let Some(el) = pending.pop() {
        if let Some(names) = el.attr("itemprop") {
            for name in names.split_ascii_whitespace() {
                let value = property_value(el, name, depth);
                add_value(&mut node, name, value);
            }
        }
        // The properties inside a nested item belong to that item.
        if el.attr("itemscope").is_none() {
            let first = pending.len();
            pending.extend(el.child_elements());
            pending[first..].reverse();
        }
    }
    Value::Object(node)
}

/// The value of one `itemprop` element.
fn property_value(el: ElementRef<'_>, name: &str, depth: usize) -> Value {
    if el.attr("itemscope").is_some() && depth < MAX_ITEM_DEPTH {
        return item_to_json(el, depth + 1);
    }
    if let Some(content) = el.attr("content") {
        return Value::String(content.to_owned());
    }
    let attribute = match el.value().name() {
        "a" | "area" | "link" => Some("href"),
        "img" | "audio" | "embed" | "iframe" | "source" | "track" | "video" => Some("src"),
        "object" => Some("data"),
        "data" | "meter" => Some("value"),
        "time" => Some("datetime"),
        _ => None,
    };
    if let Some(value) = attribute.and_then(|a| el.attr(a)) {
        return Value::String(value.to_owned());
    }
    if name == "description" {
        return Value::String(el.inner_html().trim().to_owned());
    }
    Value::String(element_text(el))
}

/// Adds a property value, turning repeated properties into an array.
fn add_value(node: &mut Map<String, Value>, name: &str, value: Value) {
    match node.get_mut(name) {
        None => {
            node.insert(name.to_owned(), value);
        }
        Some(Value::Array(values)) => values.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{RawDate, RawLocation, RawSalary, jsonld};

    const PAGE: &str = include_str!("../../testdata/synthetic/microdata_job.html");

    #[test]
    fn microdata_posting_maps_every_property() {
        let found = extract(PAGE, DocumentContext::default()).unwrap().postings;
        assert_eq!(
            found,
            [RawPosting {
                external_id: Some("JOB-42".into()),
                url: Some("/jobs/42".into()),
                title: Some("Microdata Engineer".into()),
                company_name: Some("Micro Co".into()),
                company_url: Some("https://micro.example".into()),
                locations: vec![RawLocation {
                    raw: "Utrecht, UT, NL".into(),
                    city: Some("Utrecht".into()),
                    region: Some("UT".into()),
                    country: Some("NL".into()),
                }],
                employment_types: vec!["FULL_TIME".into(), "CONTRACTOR".into()],
                salary: Some(RawSalary {
                    min: Some(4000.0),
                    max: Some(5500.0),
                    currency: Some("EUR".into()),
                    period: Some("MONTH".into()),
                }),
                description_html: Some("<p>Build <b>things</b> &amp; ship them.</p>".into()),
                posted_at: Some(RawDate::Text("2026-03-02".into())),
                valid_through: Some(RawDate::Text("2026-04-30".into())),
                ..RawPosting::default()
            }]
        );
    }

    #[test]
    fn json_ld_extraction_falls_back_to_microdata() {
        let found = jsonld::extract(PAGE, DocumentContext::default()).unwrap();
        assert_eq!(found.postings.len(), 1);
        assert_eq!(
            found.postings[0].title.as_deref(),
            Some("Microdata Engineer")
        );
    }

    #[test]
    fn the_cheap_check_sees_only_job_posting_item_types() {
        assert!(mentions_job_posting(PAGE));
        assert!(mentions_job_posting(
            r#"<div ITEMTYPE="http://schema.org/JobPosting">"#
        ));
        assert!(!mentions_job_posting(
            r#"<div itemtype="https://schema.org/Organization">"#
        ));
        assert!(!mentions_job_posting("JobPosting without any item type"));
    }

    #[test]
    fn a_page_without_microdata_postings_has_none() {
        let page = r#"<div itemscope itemtype="https://schema.org/Organization"><span itemprop="name">X</span></div>"#;
        assert!(
            extract(page, DocumentContext::default())
                .unwrap()
                .postings
                .is_empty()
        );
    }
}
