//! Every extractor through `parse_document`: the first byte picks the kind (auto-detection,
//! each fixed kind, or a CSS recipe), the rest is the document. Any panic, hang or runaway
//! allocation is a bug; errors are expected. Whatever postings come out must make RSS and
//! Atom feeds that a strict XML 1.0 parser accepts.
#![no_main]

use chrono::{TimeZone, Utc};
use jobfeed::api::feeds::{FeedFormat, FeedMeta, render};
use jobfeed::extract::ExtractKind;
use jobfeed::extract::html_recipe::{FieldSelector, HtmlRecipe};
use jobfeed::model::SourceKind;
use jobfeed::parse::{DEFAULT_MAX_DOCUMENT_BYTES, ParseOptions, parse_document};
use libfuzzer_sys::fuzz_target;

/// A recipe touching every field kind: text, attribute and URL selectors.
fn recipe() -> HtmlRecipe {
    let css = |s: &str| Some(FieldSelector::Css(s.to_owned()));
    HtmlRecipe {
        item: Some("li.job, article".to_owned()),
        title: css("h1, h2, .title"),
        company: css(".company"),
        location: css(".location"),
        description: css(".description"),
        posted_at: Some(FieldSelector::WithAttr {
            selector: "time".to_owned(),
            attr: Some("datetime".to_owned()),
        }),
        employment_type: css(".type"),
        salary: css(".salary"),
        department: css(".dept"),
        apply_url: Some(FieldSelector::WithAttr {
            selector: "a.apply".to_owned(),
            attr: Some("href".to_owned()),
        }),
        url: Some(FieldSelector::WithAttr {
            selector: "a".to_owned(),
            attr: Some("href".to_owned()),
        }),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    // Auto, then every kind (`Html` without a recipe is a usage error, still worth a run),
    // then the recipe.
    let choices = SourceKind::ALL.len() + 2;
    let kind = match usize::from(selector) % choices {
        0 => ExtractKind::Auto,
        n if n <= SourceKind::ALL.len() => ExtractKind::Fixed(SourceKind::ALL[n - 1]),
        _ => ExtractKind::Recipe(Box::new(recipe())),
    };
    let url = url::Url::parse("https://jobs.example.com/board/").ok();
    let options = ParseOptions {
        kind,
        url: url.as_ref(),
        source: None,
        company_override: None,
        fetched_at: Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap(),
        max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
    };
    let Ok(parsed) = parse_document(body, &options) else {
        return;
    };
    if parsed.postings.is_empty() {
        return;
    }
    let meta = FeedMeta {
        title: "fuzz".to_owned(),
        self_url: "https://feeds.example.org/feed.rss".to_owned(),
        home_url: "https://feeds.example.org/jobs".to_owned(),
        base_url: "https://feeds.example.org/".to_owned(),
    };
    for format in [FeedFormat::Rss, FeedFormat::Atom] {
        let document = render(format, &meta, &parsed.postings).expect("a feed is written");
        if let Err(error) = roxmltree::Document::parse(&document) {
            panic!("{format:?} feed is not well-formed XML: {error}");
        }
    }
});
