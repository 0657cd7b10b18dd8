//! The `rss` kind: RSS 2.0 (and RSS 1.0) and Atom job feeds, read with quick-xml.
//!
//! Job boards extend RSS with their own, often non-namespaced, elements; the ones We Work
//! Remotely uses (`region`, `skills`, `type`, `expires_at`, `media:content`, ...) are mapped.
//! Its `country` and `state` name the company's headquarters, not where the job is, so they
//! are left out rather than misplace remote jobs.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{DocumentContext, Extraction, RawDate, RawLocation, RawPosting};
use crate::error::ParseError;
use crate::model::SourceKind;

/// Extracts the items of an RSS or Atom feed, in feed order.
///
/// Item titles written "Company: Role" (We Work Remotely) are split into company and title
/// when the item has no company element of its own; this is done for RSS only, where that
/// convention lives. Broken XML, or XML that is not a feed, is `Malformed`.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let _ = ctx;
    let mut reader = Reader::from_str(body);
    // Fields are read past the reader (below), which then no longer sees their end tags; the
    // depth count here still refuses a document that ends inside an element.
    reader.config_mut().check_end_names = false;
    // What the reader was moved past: its own offsets do not count it.
    let mut skipped = 0usize;
    let mut out = Extraction::default();
    let mut root: Option<String> = None;
    let mut depth = 0usize;
    // The item being read and the depth of its element.
    let mut item: Option<(Item, usize)> = None;
    loop {
        let event = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            malformed(format!(
                "invalid XML at byte {}: {e}",
                at.saturating_add(skipped)
            ))
        })?;
        match event {
            Event::Start(start) => {
                depth += 1;
                let name = start.name().as_ref().to_owned();
                if root.is_none() {
                    root = Some(local(&name).to_owned());
                }
                match &mut item {
                    None if is_item(&name) => item = Some((Item::default(), depth)),
                    Some((current, item_depth)) if depth == *item_depth + 1 => {
                        current.attributes(&name, &start);
                        // A field is found whole, up to its end tag, and decoded in one pass:
                        // event by event, an escaped-HTML description is thousands of text
                        // and reference events.
                        let content = usize::try_from(reader.buffer_position())
                            .unwrap_or(usize::MAX)
                            .saturating_add(skipped);
                        let Some((content_end, after)) = element_end(body, content, &name) else {
                            return Err(malformed(format!(
                                "<{name}> at byte {content} is never closed"
                            )));
                        };
                        current.set(
                            &name,
                            field_text(body.get(content..content_end).unwrap_or_default()),
                        );
                        *reader.get_mut() = body.as_bytes().get(after..).unwrap_or_default();
                        skipped = after - usize::try_from(reader.buffer_position()).unwrap_or(0);
                        depth -= 1;
                    }
                    _ => {}
                }
            }
            Event::Empty(empty) => {
                let name = empty.name().as_ref().to_owned();
                if root.is_none() {
                    root = Some(local(&name).to_owned());
                }
                if let Some((current, item_depth)) = &mut item
                    && depth == *item_depth
                {
                    current.attributes(&name, &empty);
                }
            }
            Event::End(_) => {
                if let Some((_, item_depth)) = &item
                    && depth == *item_depth
                    && let Some((done, _)) = item.take()
                {
                    out.postings.push(done.into_posting());
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(malformed("the document ends inside an element".into()));
    }
    match root.as_deref() {
        Some("rss" | "feed" | "RDF") => Ok(out),
        Some(other) => Err(malformed(format!(
            "the root element is <{other}>, not <rss> or <feed>"
        ))),
        None => Err(malformed("no root element".into())),
    }
}

fn malformed(detail: String) -> ParseError {
    ParseError::Malformed {
        kind: SourceKind::Rss,
        detail,
    }
}

/// The local part of a qualified name (`media:content` → `content`).
fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, local)| local)
}

/// RSS `item` and Atom `entry` (any prefix).
fn is_item(name: &str) -> bool {
    matches!(local(name), "item" | "entry")
}

/// Where the content of the element `name` whose start tag ends at `from` ends, and where
/// its end tag ends: CDATA sections and comments are skipped, elements of the same name
/// inside it counted. `None` when it is never closed.
fn element_end(body: &str, from: usize, name: &str) -> Option<(usize, usize)> {
    let bytes = body.as_bytes();
    let name_ends = |at: usize| {
        bytes.get(at..at + name.len()) == Some(name.as_bytes())
            && bytes
                .get(at + name.len())
                .is_some_and(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
    };
    let after = |at: usize, terminator: &str| {
        memchr::memmem::find(bytes.get(at..)?, terminator.as_bytes())
            .map(|i| at + i + terminator.len())
    };
    let mut nested = 0usize;
    let mut at = from;
    loop {
        let lt = at + memchr::memchr(b'<', bytes.get(at..)?)?;
        let rest = bytes.get(lt..)?;
        if rest.starts_with(b"<![CDATA[") {
            at = after(lt, "]]>")?;
        } else if rest.starts_with(b"<!--") {
            at = after(lt, "-->")?;
        } else if rest.starts_with(b"</") && name_ends(lt + 2) {
            let end = after(lt, ">")?;
            if nested == 0 {
                return Some((lt, end));
            }
            nested -= 1;
            at = end;
        } else if name_ends(lt + 1) {
            let end = tag_end(bytes, lt)?;
            if bytes.get(end - 2) != Some(&b'/') {
                nested += 1;
            }
            at = end;
        } else {
            at = lt + 1;
        }
    }
}

/// Where the tag starting at `lt` ends (just past its `>`, quoted attribute values skipped).
fn tag_end(bytes: &[u8], lt: usize) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(lt) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(i + 1),
            None => {}
        }
    }
    None
}

/// The text of a field's content as written in the feed: references resolved (the five XML
/// entities and character references; an HTML entity such as `&nbsp;`, which sloppy feeds
/// use, stays as written: the description is HTML, where it means something), CDATA sections
/// as they are, line ends normalized, and any markup inside (elements, comments, processing
/// instructions) left out with its text kept.
fn field_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = memchr::memchr2(b'&', b'<', rest.as_bytes()) {
        let (text, markup) = rest.split_at(at);
        push_normalized_eols(&mut out, text);
        rest = if markup.starts_with('&') {
            push_reference(&mut out, markup)
        } else if let Some(cdata) = markup.strip_prefix("<![CDATA[") {
            let (content, after) = cdata.split_once("]]>").unwrap_or((cdata, ""));
            push_normalized_eols(&mut out, content);
            after
        } else if markup.starts_with("<!--") || markup.starts_with("<?") {
            let close = if markup.starts_with("<!--") {
                "-->"
            } else {
                "?>"
            };
            markup.split_once(close).map_or("", |(_, after)| after)
        } else {
            tag_end(markup.as_bytes(), 0)
                .and_then(|end| markup.get(end..))
                .unwrap_or_default()
        };
    }
    push_normalized_eols(&mut out, rest);
    out
}

/// Appends `text` with `\r\n` and lone `\r` read as `\n`, as XML parsers do.
fn push_normalized_eols(out: &mut String, text: &str) {
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        out.push_str(text);
        return;
    }
    out.push_str(&text.replace("\r\n", "\n").replace('\r', "\n"));
}

/// Appends what the reference at the start of `text` (which starts with `&`) stands for, and
/// returns the text after it. A `&` that starts no reference is kept as it is.
fn push_reference<'a>(out: &mut String, text: &'a str) -> &'a str {
    let body = text.get(1..).unwrap_or_default();
    let Some(end) = body.bytes().take(32).position(|b| b == b';') else {
        out.push('&');
        return body;
    };
    let name = body.get(..end).unwrap_or_default();
    let after = body.get(end + 1..).unwrap_or_default();
    let character = match name.strip_prefix('#') {
        Some(hex) if hex.starts_with(['x', 'X']) => {
            u32::from_str_radix(hex.get(1..).unwrap_or_default(), 16).ok()
        }
        Some(decimal) => decimal.parse::<u32>().ok(),
        None => None,
    }
    .and_then(char::from_u32)
    .filter(|c| *c != '\0');
    match (
        character,
        quick_xml::escape::resolve_predefined_entity(name),
    ) {
        (Some(c), _) => out.push(c),
        (None, Some(text)) => out.push_str(text),
        (None, None) => {
            out.push('&');
            out.push_str(name);
            out.push(';');
        }
    }
    after
}

/// Splits a list written as an English sentence by Rails' `to_sentence` ("A and B",
/// "A, B, and C") into its items.
fn split_sentence(text: &str) -> Vec<String> {
    let items: Vec<&str> = if text.contains(", ") {
        text.split(", ")
            .map(|item| item.strip_prefix("and ").unwrap_or(item))
            .collect()
    } else {
        text.splitn(2, " and ").collect()
    };
    items
        .into_iter()
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The fields of one item as the feed wrote them.
#[derive(Default)]
struct Item {
    atom: bool,
    title: Option<String>,
    company: Option<String>,
    link: Option<String>,
    guid: Option<String>,
    posted: Option<String>,
    updated: Option<String>,
    expires: Option<String>,
    description: Option<String>,
    /// `content:encoded` (RSS) or `content` (Atom): the full text, preferred over summaries.
    content: Option<String>,
    /// The `type` of the Atom `content`/`summary` being read.
    text_type: Option<String>,
    content_is_text: bool,
    summary_is_text: bool,
    summary: Option<String>,
    region: Option<String>,
    employment_type: Option<String>,
    logo: Option<String>,
    tags: Vec<String>,
}

impl Item {
    /// Reads what an element carries in attributes: Atom links and categories, media logos,
    /// Atom text types.
    fn attributes(&mut self, name: &str, element: &BytesStart<'_>) {
        let attr = |key: &str| -> Option<String> {
            let attribute = element.try_get_attribute(key).ok()??;
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_or_else(|_| attribute.value.to_string(), |v| v.into_owned());
            let value = value.trim();
            (!value.is_empty()).then(|| value.to_owned())
        };
        match name {
            "link" => {
                // Atom: the `alternate` link (the default relation) is the posting page.
                if let Some(href) = attr("href") {
                    self.atom = true;
                    if attr("rel").is_none_or(|rel| rel == "alternate") {
                        self.link.get_or_insert(href);
                    }
                }
            }
            "category" => self.tags.extend(attr("term")),
            "media:content" | "media:thumbnail" => {
                let is_image = attr("medium").is_none_or(|m| m == "image")
                    && attr("type").is_none_or(|t| t.starts_with("image/"));
                if is_image {
                    self.logo = self.logo.take().or_else(|| attr("url"));
                }
            }
            "content" | "summary" => self.text_type = attr("type"),
            _ => {}
        }
    }

    /// Stores the text of one child element.
    fn set(&mut self, name: &str, text: String) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let text = text.to_owned();
        let is_text = self.text_type.take().is_none_or(|t| t == "text");
        match name {
            "title" => self.title = Some(text),
            "company" | "job:company" | "company_name" => self.company = Some(text),
            "link" => self.link = Some(text),
            "guid" | "id" => self.guid = Some(text),
            "pubDate" | "published" | "dc:date" => {
                self.posted.get_or_insert(text);
            }
            "updated" => self.updated = Some(text),
            "expires_at" | "expires" => self.expires = Some(text),
            "description" => self.description = Some(text),
            "content:encoded" => self.content = Some(text),
            "content" => {
                self.atom = true;
                (self.content, self.content_is_text) = (Some(text), is_text);
            }
            "summary" => {
                self.atom = true;
                (self.summary, self.summary_is_text) = (Some(text), is_text);
            }
            "region" => self.region = Some(text),
            "type" | "job_type" => self.employment_type = Some(text),
            "category" => self.tags.push(text),
            "skills" => self.tags.extend(split_sentence(&text)),
            _ => {}
        }
    }

    fn into_posting(self) -> RawPosting {
        let mut posting = RawPosting {
            external_id: self.guid,
            url: self.link,
            company_name: self.company,
            company_logo_url: self.logo,
            posted_at: self.posted.or(self.updated).map(RawDate::Text),
            valid_through: self.expires.map(RawDate::Text),
            employment_types: self.employment_type.into_iter().collect(),
            tags: self.tags,
            ..RawPosting::default()
        };
        if let Some(region) = self.region {
            posting.locations.push(RawLocation::text(region.clone()));
            posting.remote_regions.push(region);
        }
        // Atom `content`/`summary` say whether they are text or HTML; RSS descriptions are
        // HTML by practice.
        let (body, is_text) = match (self.content, self.description, self.summary) {
            (Some(content), _, _) => (Some(content), self.atom && self.content_is_text),
            (None, Some(description), _) => (Some(description), false),
            (None, None, summary) => (summary, self.summary_is_text),
        };
        if is_text {
            posting.description_text = body;
        } else {
            posting.description_html = body;
        }
        posting.title = self.title;
        if !self.atom
            && posting.company_name.is_none()
            && let Some((company, role)) = posting.title.as_deref().and_then(|t| t.split_once(": "))
        {
            let (company, role) = (company.trim().to_owned(), role.trim().to_owned());
            if !company.is_empty() && !role.is_empty() {
                posting.company_name = Some(company);
                posting.title = Some(role);
            }
        }
        posting
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract_ok(body: &str) -> Extraction {
        extract(body, DocumentContext::default()).unwrap()
    }

    fn text(s: &str) -> Option<RawDate> {
        Some(RawDate::Text(s.into()))
    }

    #[test]
    fn we_work_remotely_feed_yields_every_item_with_its_custom_fields() {
        let found = extract_ok(include_str!(
            "../../testdata/corpus/weworkremotely/back_end_rsp.xml"
        ));
        assert_eq!((found.postings.len(), found.skipped), (7, 0));

        let first = &found.postings[0];
        assert_eq!(first.company_name.as_deref(), Some("Proxify AB"));
        assert_eq!(
            first.title.as_deref(),
            Some("Senior Java Backend Developer")
        );
        assert_eq!(
            first.url.as_deref(),
            Some("https://weworkremotely.com/remote-jobs/proxify-ab-senior-java-backend-developer")
        );
        assert_eq!(first.external_id, first.url);
        assert_eq!(first.remote_regions, ["Anywhere in the World"]);
        assert_eq!(
            first.locations,
            [RawLocation::text("Anywhere in the World")]
        );
        assert_eq!(first.employment_types, ["Full-Time"]);
        assert_eq!(first.posted_at, text("Mon, 13 Jul 2026 13:41:15 +0000"));
        assert_eq!(first.valid_through, text("Wed, 12 Aug 2026 13:41:15 +0000"));
        assert_eq!(
            first.company_logo_url.as_deref(),
            Some("https://wwr-pro.s3.amazonaws.com/logos/0084/0935/logo.gif")
        );
        assert_eq!(first.tags, ["Java", "Back-End Dev", "Back-End Programming"]);
        // The escaped HTML is decoded once: tags become markup, `&amp;nbsp;` an entity.
        let html = first.description_html.as_deref().unwrap();
        assert!(html.starts_with("<img src=\"https://we-work-remotely.imgix.net/logos/0084/0935/logo.gif?ixlib=rails-4.0.0&w=50"));
        assert!(html.contains("<p>&nbsp;</p>"));

        let fourth = &found.postings[3];
        assert_eq!(fourth.company_name.as_deref(), Some("Vidalytics"));
        assert_eq!(
            fourth.title.as_deref(),
            Some("AI Automation Engineer, In-House MarTech Video SaaS")
        );
        assert_eq!(fourth.posted_at, text("Tue, 07 Jul 2026 12:49:42 +0000"));
        assert_eq!(fourth.company_logo_url, None);
        assert_eq!(fourth.tags, ["Back-End Programming"]);

        let fifth = &found.postings[4];
        assert_eq!(fifth.company_name.as_deref(), Some("bunny.net"));
        assert_eq!(
            fifth.title.as_deref(),
            Some("Staff Software Engineer (Magic Containers)")
        );
        assert_eq!(
            fifth.tags,
            [
                "Containers",
                "Linux",
                "Network Protocols",
                "C#",
                "Kubernetes",
                "Large-scale Distributed Systems",
                "Back-End Programming"
            ]
        );
    }

    #[test]
    fn atom_entries_map_link_id_dates_and_content() {
        let found = extract_ok(include_str!("../../testdata/synthetic/rss/atom_jobs.xml"));
        assert_eq!(
            found.postings,
            [
                RawPosting {
                    external_id: Some("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a".into()),
                    url: Some("https://jobs.example/atom/1".into()),
                    title: Some("Platform Engineer: Storage".into()),
                    description_html: Some("<p>Keep the <b>disks</b> spinning.</p>".into()),
                    posted_at: text("2026-05-01T09:00:00Z"),
                    tags: vec!["engineering".into()],
                    ..RawPosting::default()
                },
                RawPosting {
                    external_id: Some("tag:jobs.example,2026:2".into()),
                    url: Some("https://jobs.example/atom/2".into()),
                    title: Some("Support Lead".into()),
                    description_text: Some("Plain text summary & more.".into()),
                    posted_at: text("2026-05-03T10:00:00Z"),
                    ..RawPosting::default()
                },
            ]
        );
    }

    #[test]
    fn rss_items_with_cdata_and_a_company_element_keep_their_title() {
        let found = extract_ok(
            r#"<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
            <item><title>Role: Backend</title><company>Acme</company>
            <description><![CDATA[<p>Hi &amp; bye</p>]]></description>
            <category>A</category><category>B</category></item></channel></rss>"#,
        );
        let p = &found.postings[0];
        assert_eq!(p.title.as_deref(), Some("Role: Backend"));
        assert_eq!(p.company_name.as_deref(), Some("Acme"));
        assert_eq!(p.description_html.as_deref(), Some("<p>Hi &amp; bye</p>"));
        assert_eq!(p.tags, ["A", "B"]);
    }

    #[test]
    fn malformed_or_foreign_xml_is_refused() {
        for body in [
            "<rss><channel><item><title>x</item></channel></rss>",
            "<rss><channel><item><title>x</title>",
            "<html><body>not a feed</body></html>",
            "",
            "<rss attr=\"unclosed></rss>",
        ] {
            assert!(
                matches!(
                    extract(body, DocumentContext::default()),
                    Err(ParseError::Malformed {
                        kind: SourceKind::Rss,
                        ..
                    })
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn a_field_is_read_whole_with_its_references_cdata_and_inner_markup() {
        let feed = "<rss><channel><item><title>A &amp; B</title><link>https://x.test/1</link>\
            <description><![CDATA[<p>x</p></description>]]> &lt;b&gt; &nbsp; &#233;&#x4A; &#0; \
            5 & 6<!-- c --><br/>tail\r\nend</description></item></channel></rss>";
        let item = &extract_ok(feed).postings[0];
        assert_eq!(item.title.as_deref(), Some("A & B"));
        assert_eq!(
            item.description_html.as_deref(),
            Some("<p>x</p></description> <b> &nbsp; éJ &#0; 5 & 6tail\nend")
        );
    }

    #[test]
    fn a_field_holding_its_own_name_ends_at_its_own_end_tag() {
        let feed = "<rss><channel><item><title>T</title><description>a<description x=\"/>\">\
            b</description>c<description/>d</description><link>https://x.test/2</link>\
            </item></channel></rss>";
        let item = &extract_ok(feed).postings[0];
        assert_eq!(item.description_html.as_deref(), Some("abcd"));
        assert_eq!(item.url.as_deref(), Some("https://x.test/2"));
        let unclosed = "<rss><channel><item><description>a<![CDATA[</description>";
        assert!(extract(unclosed, DocumentContext::default()).is_err());
    }

    #[test]
    fn an_empty_feed_has_no_postings() {
        assert_eq!(
            extract_ok("<rss version=\"2.0\"><channel><title>none</title></channel></rss>"),
            Extraction::default()
        );
    }
}
