//! The newest postings as RSS 2.0, Atom and JSON Feed 1.1, for feed readers. RSS is written
//! by the `rss` crate, Atom here (`atom_feed` says why), JSON Feed is a small serde struct.
//!
//! Every format carries the same facts per posting: the title (`<title> at <company>`), the
//! posting's page as the link, this API's `/jobs/{id}` address as the stable id, the listing
//! date as published, the last fetched copy as updated, the company as author, the skills as
//! categories and the sanitized description as HTML content. Nothing depends on the clock, so
//! the same data always gives the same bytes (and ETag).

use chrono::{DateTime, Utc};
use quick_xml::escape::escape;
use rss::extension::atom;
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

/// The Atom document, written here rather than through `atom_syndication`'s owned structs:
/// those took a copy of every description, and their writer escaped each byte of the HTML
/// content one at a time (with its UTF-8 check of the result, about a quarter of the feed's CPU).
/// The content goes in a CDATA section instead, as the `rss` crate writes RSS descriptions;
/// short fields are escaped by quick-xml. The element order is the one `atom_syndication`
/// wrote, so the bytes of a feed did not change beyond the content's quoting.
fn atom_feed(meta: &FeedMeta, postings: &[JobPosting]) -> Option<String> {
    let entries = entries(meta, postings);
    let html_bytes: usize = postings.iter().map(|p| p.description_html.len()).sum();
    let mut xml = String::with_capacity(html_bytes + 1_024 * (postings.len() + 1));
    xml.push_str(r#"<?xml version="1.0"?>"#);
    xml.push_str(r#"<feed xmlns="http://www.w3.org/2005/Atom">"#);
    text_element(&mut xml, "title", &meta.title);
    text_element(&mut xml, "id", &meta.self_url);
    text_element(&mut xml, "updated", &feed_updated(&entries).to_rfc3339());
    link_element(&mut xml, &meta.self_url, "self", "application/atom+xml");
    link_element(&mut xml, &meta.home_url, "alternate", "application/json");
    for e in &entries {
        xml.push_str("<entry>");
        text_element(&mut xml, "title", &e.title);
        text_element(&mut xml, "id", &e.id);
        text_element(&mut xml, "updated", &e.updated.to_rfc3339());
        xml.push_str("<author>");
        text_element(&mut xml, "name", &e.posting.company.name);
        if let Some(uri) = &e.posting.company.url {
            text_element(&mut xml, "uri", uri);
        }
        xml.push_str("</author>");
        for skill in &e.posting.skills {
            xml.push_str(r#"<category term=""#);
            xml.push_str(&escape(skill));
            xml.push_str(r#""/>"#);
        }
        link_element(&mut xml, &e.posting.url, "alternate", "text/html");
        text_element(&mut xml, "published", &e.published.to_rfc3339());
        xml.push_str(r#"<content type="html">"#);
        push_cdata(&mut xml, &e.posting.description_html);
        xml.push_str("</content></entry>");
    }
    xml.push_str("</feed>");
    xml_safe(xml)
}

/// `<name>text</name>`, the text escaped.
fn text_element(xml: &mut String, name: &str, text: &str) {
    xml.push('<');
    xml.push_str(name);
    xml.push('>');
    xml.push_str(&escape(text));
    xml.push_str("</");
    xml.push_str(name);
    xml.push('>');
}

/// An Atom `<link>` with its relation and media type.
fn link_element(xml: &mut String, href: &str, rel: &str, mime_type: &str) {
    xml.push_str(r#"<link href=""#);
    xml.push_str(&escape(href));
    xml.push_str(r#"" rel=""#);
    xml.push_str(rel);
    xml.push_str(r#"" type=""#);
    xml.push_str(mime_type);
    xml.push_str(r#""/>"#);
}

/// `text` as CDATA: no byte of it is escaped. A `]]>` inside would end the section, so the
/// section is closed after its `]]` and a new one opens for the `>`.
fn push_cdata(xml: &mut String, text: &str) {
    xml.push_str("<![CDATA[");
    let mut rest = text;
    while let Some(at) = memchr::memmem::find(rest.as_bytes(), b"]]>") {
        xml.push_str(&rest[..at + 2]);
        xml.push_str("]]><![CDATA[");
        rest = &rest[at + 2..];
    }
    xml.push_str(rest);
    xml.push_str("]]>");
}

/// A JSON Feed 1.1 document (<https://www.jsonfeed.org/version/1.1/>).
// It borrows the postings' text: the descriptions are most of its bytes, written once, not
// copied first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JsonFeed<'a> {
    /// Always `https://jsonfeed.org/version/1.1`.
    pub version: &'static str,
    /// The feed's title.
    pub title: &'a str,
    /// The same list as JSON.
    pub home_page_url: &'a str,
    /// This feed's address.
    pub feed_url: &'a str,
    /// What the feed is.
    pub description: String,
    /// The newest postings.
    pub items: Vec<JsonFeedItem<'a>>,
}

/// One JSON Feed item.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JsonFeedItem<'a> {
    /// This API's address of the posting (stable).
    pub id: String,
    /// The posting's page.
    pub url: &'a str,
    /// `<title> at <company>`.
    pub title: String,
    /// The sanitized description.
    pub content_html: &'a str,
    /// When the posting was listed (RFC 3339).
    pub date_published: String,
    /// When the stored copy was fetched (RFC 3339).
    pub date_modified: String,
    /// The hiring company.
    pub authors: [JsonFeedAuthor<'a>; 1],
    /// The posting's skills.
    pub tags: &'a [String],
}

/// A JSON Feed author: the hiring company.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JsonFeedAuthor<'a> {
    /// Company name.
    pub name: &'a str,
    /// Company website.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
}

fn json_feed<'a>(meta: &'a FeedMeta, postings: &'a [JobPosting]) -> JsonFeed<'a> {
    let items = entries(meta, postings)
        .into_iter()
        .map(|e| JsonFeedItem {
            id: e.id,
            url: &e.posting.url,
            title: e.title,
            content_html: &e.posting.description_html,
            date_published: e.published.to_rfc3339(),
            date_modified: e.updated.to_rfc3339(),
            authors: [JsonFeedAuthor {
                name: &e.posting.company.name,
                url: e.posting.company.url.as_deref(),
            }],
            tags: &e.posting.skills,
        })
        .collect();
    JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &meta.title,
        home_page_url: &meta.home_url,
        feed_url: &meta.self_url,
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

    /// The text of every Atom `<content>` in `document`, as a strict parser reads it.
    fn atom_contents(document: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(document).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("content"))
            .map(|n| n.children().filter_map(|c| c.text()).collect())
            .collect()
    }

    #[test]
    fn atom_content_reads_back_as_the_stored_html_even_with_a_cdata_end_inside() {
        let mut stored = posting("Backend Engineer", "Acme & Sons", "Berlin", "<p>x</p>").unwrap();
        for html in ["<p>a]]>b</p>", "]]>", "]]]]>>", "<p>1 < 2 & 3 > 2</p>", ""] {
            stored.description_html = html.to_owned();
            let document =
                render(FeedFormat::Atom, &meta(), std::slice::from_ref(&stored)).unwrap();
            assert_eq!(atom_contents(&document), [html], "{document}");
            let feed = feed_rs::parser::parse(document.as_bytes()).unwrap();
            assert_eq!(
                feed.entries[0].title.as_ref().unwrap().content,
                "Backend Engineer at Acme & Sons"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_stored_html_reads_back_unchanged_from_the_atom_content(html in "\\PC{0,60}|[\\]>\\[<&a!]{0,30}") {
            let mut stored = posting("Engineer", "Acme", "Berlin", "<p>x</p>").unwrap();
            stored.description_html = html.clone();
            let document = render(FeedFormat::Atom, &meta(), std::slice::from_ref(&stored)).unwrap();
            prop_assert_eq!(atom_contents(&document), vec![html]);
        }

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
