//! The newest postings as RSS 2.0, Atom and JSON Feed 1.1, for feed readers. RSS and Atom are
//! written by the `rss` and `atom_syndication` crates; JSON Feed is a small serde struct.
//!
//! Every format carries the same facts per posting: the title (`<title> at <company>`), the
//! posting's page as the link, this API's `/jobs/{id}` address as the stable id, the listing
//! date as published, the last fetched copy as updated, the company as author, the skills as
//! categories and the sanitized description as HTML content. Nothing depends on the clock, so
//! the same data always gives the same bytes (and ETag).

use atom_syndication as atom;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::JobPosting;
use crate::store::listed_at;

/// How many postings a feed carries.
pub const FEED_ITEMS: usize = 50;

/// What a feed is about, besides its postings. The links are absolute when the API's public
/// address is known, else relative to the feed's own address (`feed.rss?...`, `jobs/{id}`),
/// which every feed reader resolves against the address it fetched.
#[derive(Debug, Clone)]
pub struct FeedMeta {
    /// The feed's title.
    pub title: String,
    /// The feed's own address (with its query).
    pub self_url: String,
    /// The API's base address, ending in `/`; empty for relative links.
    pub base_url: String,
    /// The same list as JSON (`/jobs` with the feed's filters).
    pub home_url: String,
}

/// A feed format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// RSS 2.0.
    Rss,
    /// Atom 1.0.
    Atom,
    /// JSON Feed 1.1.
    Json,
}

impl FeedFormat {
    /// The response media type.
    pub fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml; charset=utf-8",
            FeedFormat::Atom => "application/atom+xml; charset=utf-8",
            FeedFormat::Json => "application/feed+json; charset=utf-8",
        }
    }
}

/// The feed document, or `None` if the writer failed (it writes to memory, so it should not).
pub fn render(format: FeedFormat, meta: &FeedMeta, postings: &[JobPosting]) -> Option<String> {
    match format {
        FeedFormat::Rss => rss_channel(meta, postings),
        FeedFormat::Atom => atom_feed(meta, postings),
        FeedFormat::Json => serde_json::to_string(&json_feed(meta, postings)).ok(),
    }
}

/// The facts every format shows for one posting.
struct Entry<'a> {
    id: String,
    title: String,
    posting: &'a JobPosting,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
}

fn entries<'a>(meta: &FeedMeta, postings: &'a [JobPosting]) -> Vec<Entry<'a>> {
    postings
        .iter()
        .map(|p| {
            let published = listed_at(p);
            Entry {
                id: item_url(&meta.base_url, &p.id),
                title: format!("{} at {}", p.title, p.company.name),
                posting: p,
                published,
                updated: p.fetched_at.max(published),
            }
        })
        .collect()
}

/// This API's address of one posting.
fn item_url(base: &str, id: &str) -> String {
    // Ids are URL-safe; encoding anyway keeps any other id one path segment.
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("{base}jobs/{id}")
}

/// The newest `updated` of the entries; a fixed date for an empty feed so its bytes (and
/// ETag) stay stable.
fn feed_updated(entries: &[Entry<'_>]) -> DateTime<Utc> {
    entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

fn rss_channel(meta: &FeedMeta, postings: &[JobPosting]) -> Option<String> {
    let entries = entries(meta, postings);
    let items: Vec<rss::Item> = entries
        .iter()
        .map(|e| {
            rss::ItemBuilder::default()
                .title(Some(e.title.clone()))
                .link(Some(e.posting.url.clone()))
                .guid(Some(rss::Guid {
                    value: e.id.clone(),
                    permalink: false,
                }))
                .pub_date(Some(e.published.to_rfc2822()))
                .categories(
                    e.posting
                        .skills
                        .iter()
                        .map(|s| rss::Category {
                            name: s.clone(),
                            domain: None,
                        })
                        .collect::<Vec<_>>(),
                )
                .description(Some(e.posting.description_html.clone()))
                .build()
        })
        .collect();
    let self_link = atom::Link {
        href: meta.self_url.clone(),
        rel: "self".to_owned(),
        mime_type: Some("application/rss+xml".to_owned()),
        ..atom::Link::default()
    };
    let channel = rss::ChannelBuilder::default()
        .title(meta.title.clone())
        .link(meta.home_url.clone())
        .description(format!("{} (newest {FEED_ITEMS})", meta.title))
        .last_build_date((!entries.is_empty()).then(|| feed_updated(&entries).to_rfc2822()))
        .atom_ext(Some(rss::extension::atom::AtomExtension {
            links: vec![self_link],
        }))
        .items(items)
        .build();
    let bytes = channel.write_to(Vec::new()).ok()?;
    xml_safe(String::from_utf8(bytes).ok()?)
}

/// The document without any character XML 1.0 forbids. The normalizer keeps them out of
/// what is stored; this keeps a posting stored by an older version, or any other text that
/// reaches a feed, from making the whole feed unreadable to strict readers.
fn xml_safe(mut document: String) -> Option<String> {
    crate::markup::text::scrub(&mut document);
    Some(document)
}

fn atom_feed(meta: &FeedMeta, postings: &[JobPosting]) -> Option<String> {
    let entries = entries(meta, postings);
    let atom_entries: Vec<atom::Entry> = entries
        .iter()
        .map(|e| {
            atom::EntryBuilder::default()
                .id(e.id.clone())
                .title(atom::Text::plain(e.title.clone()))
                .updated(e.updated.fixed_offset())
                .published(Some(e.published.fixed_offset()))
                .links(vec![atom::Link {
                    href: e.posting.url.clone(),
                    rel: "alternate".to_owned(),
                    mime_type: Some("text/html".to_owned()),
                    ..atom::Link::default()
                }])
                .authors(vec![atom::Person {
                    name: e.posting.company.name.clone(),
                    uri: e.posting.company.url.clone(),
                    ..atom::Person::default()
                }])
                .categories(
                    e.posting
                        .skills
                        .iter()
                        .map(|s| atom::Category {
                            term: s.clone(),
                            ..atom::Category::default()
                        })
                        .collect::<Vec<_>>(),
                )
                .content(Some(atom::Content {
                    value: Some(e.posting.description_html.clone()),
                    content_type: Some("html".to_owned()),
                    ..atom::Content::default()
                }))
                .build()
        })
        .collect();
    let feed = atom::FeedBuilder::default()
        .id(meta.self_url.clone())
        .title(atom::Text::plain(meta.title.clone()))
        .updated(feed_updated(&entries).fixed_offset())
        .links(vec![
            atom::Link {
                href: meta.self_url.clone(),
                rel: "self".to_owned(),
                mime_type: Some("application/atom+xml".to_owned()),
                ..atom::Link::default()
            },
            atom::Link {
                href: meta.home_url.clone(),
                rel: "alternate".to_owned(),
                mime_type: Some("application/json".to_owned()),
                ..atom::Link::default()
            },
        ])
        .entries(atom_entries)
        .build();
    let bytes = feed.write_to(Vec::new()).ok()?;
    xml_safe(String::from_utf8(bytes).ok()?)
}

/// A JSON Feed 1.1 document (<https://www.jsonfeed.org/version/1.1/>).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JsonFeed {
    /// Always `https://jsonfeed.org/version/1.1`.
    pub version: String,
    /// The feed's title.
    pub title: String,
    /// The same list as JSON.
    pub home_page_url: String,
    /// This feed's address.
    pub feed_url: String,
    /// What the feed is.
    pub description: String,
    /// The newest postings.
    pub items: Vec<JsonFeedItem>,
}

/// One JSON Feed item.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JsonFeedItem {
    /// This API's address of the posting (stable).
    pub id: String,
    /// The posting's page.
    pub url: String,
    /// `<title> at <company>`.
    pub title: String,
    /// The sanitized description.
    pub content_html: String,
    /// When the posting was listed (RFC 3339).
    pub date_published: String,
    /// When the stored copy was fetched (RFC 3339).
    pub date_modified: String,
    /// The hiring company.
    pub authors: Vec<JsonFeedAuthor>,
    /// The posting's skills.
    pub tags: Vec<String>,
}

/// A JSON Feed author: the hiring company.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JsonFeedAuthor {
    /// Company name.
    pub name: String,
    /// Company website.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

fn json_feed(meta: &FeedMeta, postings: &[JobPosting]) -> JsonFeed {
    let items = entries(meta, postings)
        .into_iter()
        .map(|e| JsonFeedItem {
            id: e.id,
            url: e.posting.url.clone(),
            title: e.title,
            content_html: e.posting.description_html.clone(),
            date_published: e.published.to_rfc3339(),
            date_modified: e.updated.to_rfc3339(),
            authors: vec![JsonFeedAuthor {
                name: e.posting.company.name.clone(),
                url: e.posting.company.url.clone(),
            }],
            tags: e.posting.skills.clone(),
        })
        .collect();
    JsonFeed {
        version: "https://jsonfeed.org/version/1.1".to_owned(),
        title: meta.title.clone(),
        home_page_url: meta.home_url.clone(),
        feed_url: meta.self_url.clone(),
        description: format!("{} (newest {FEED_ITEMS})", meta.title),
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{RawLocation, RawPosting};
    use crate::model::SourceKind;
    use crate::normalize::{NormalizeContext, normalize};
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn meta() -> FeedMeta {
        FeedMeta {
            title: "jobfeed".into(),
            self_url: "https://jobs.example.org/feed.rss".into(),
            home_url: "https://jobs.example.org/jobs".into(),
            base_url: "https://jobs.example.org/".into(),
        }
    }

    fn posting(title: &str, company: &str, place: &str, description: &str) -> Option<JobPosting> {
        let raw = RawPosting {
            title: Some(title.to_owned()),
            url: Some("https://example.com/jobs/1".into()),
            company_name: Some(company.to_owned()),
            department: Some(place.to_owned()),
            locations: vec![RawLocation::text(place)],
            description_html: Some(description.to_owned()),
            tags: vec![company.to_owned()],
            ..RawPosting::default()
        };
        let ctx = NormalizeContext {
            source: "s",
            source_kind: SourceKind::Greenhouse,
            base_url: None,
            single_posting_document: false,
            fetched_at: Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap(),
            company_override: None,
        };
        normalize(raw, &ctx).ok()
    }

    /// Both XML feeds of `postings` are well-formed XML 1.0 to a strict parser.
    fn assert_xml_feeds_parse(postings: &[JobPosting]) {
        for format in [FeedFormat::Rss, FeedFormat::Atom] {
            let document = render(format, &meta(), postings).unwrap();
            if let Err(error) = roxmltree::Document::parse(&document) {
                panic!("{format:?} is not well-formed: {error}");
            }
        }
    }

    #[test]
    fn control_characters_in_a_posting_never_reach_the_xml_feeds() {
        let posting = posting(
            "Backend Engineer \u{1b}[31m",
            "Acme\u{0}\u{1}",
            "Berlin\u{b}",
            "<p>a\u{c}b\u{8}c\u{fffe}\u{ffff}</p>",
        )
        .unwrap();
        assert_eq!(posting.title, "Backend Engineer");
        assert_eq!(posting.company.name, "Acme");
        assert_xml_feeds_parse(std::slice::from_ref(&posting));
    }

    #[test]
    fn a_stored_posting_with_control_characters_still_gives_well_formed_feeds() {
        // As if stored by an older version: the writers clean what the normalizer missed.
        let mut stored = posting("Backend Engineer", "Acme", "Berlin", "<p>x</p>").unwrap();
        stored.title.push('\u{1}');
        stored.company.name.push('\u{0}');
        stored.description_html.push_str("\u{b}<p>y\u{ffff}</p>");
        assert_xml_feeds_parse(&[stored]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_normalized_posting_gives_xml_feeds_a_strict_parser_accepts(
            title in "\\PC{0,40}|[\\x00-\\x1f<>&\\u{fffe}\\u{ffff}a-z ]{1,40}",
            company in any::<String>(),
            place in "[\\x00-\\x1f<>/!?a-z ]{0,30}",
            description in any::<String>(),
        ) {
            if let Some(posting) = posting(&title, &company, &place, &description) {
                assert_xml_feeds_parse(&[posting]);
            }
        }
    }
}
