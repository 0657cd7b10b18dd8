//! The sanitizer's reference: ammonia (html5ever's tree builder and serializer) with the
//! allowlist jobfeed's sanitizer had when it was built on it, and the check that a parser
//! finds only allowlisted markup. Shared by `tests/sanitizer.rs` and the `sanitize` fuzz
//! target (`#[path]`-included by both).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

pub const ALLOWED: &[&str] = &[
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "hr",
    "span",
    "div",
    "dl",
    "dt",
    "dd",
];

const DROPPED: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "form", "noscript", "template", "textarea",
    "select", "button", "svg", "math", "title",
];

/// The allowlist as the sanitizer had it when it was built on ammonia.
pub fn reference(html: &str, base: Option<&url::Url>) -> String {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(ALLOWED.iter().copied().collect())
        .clean_content_tags(DROPPED.iter().copied().collect())
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href"])),
            ("td", HashSet::from(["colspan", "rowspan"])),
            ("th", HashSet::from(["colspan", "rowspan"])),
        ]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("nofollow noopener"))
        .strip_comments(true);
    builder.url_relative(ammonia::UrlRelative::Custom(Box::new(Resolver(
        base.cloned(),
    ))));
    builder.clean(html).to_string().trim().to_owned()
}

/// Relative links joined to the document's URL, dropped without one.
struct Resolver(Option<url::Url>);

impl ammonia::UrlRelativeEvaluate<'static> for Resolver {
    fn evaluate<'a>(&self, relative: &'a str) -> Option<Cow<'a, str>> {
        let joined = self.0.as_ref()?.join(relative).ok()?;
        Some(Cow::Owned(joined.into()))
    }
}

/// `reference` of what `sanitize_html` reads: a body with escaped tags and no real one
/// (Greenhouse's) unescaped once first.
pub fn reference_for(html: &str, base: Option<&url::Url>) -> String {
    if !html.contains('<') && html.contains("&lt;") {
        reference(&html_escape::decode_html_entities(html), base)
    } else {
        reference(html, base)
    }
}

/// Whether an HTML5 parser finds only allowlisted elements in `html`, each with only its
/// allowed attributes, and links only to absolute http, https or mailto URLs.
pub fn only_allowlisted_markup(html: &str) -> bool {
    let fragment = scraper::Html::parse_fragment(html);
    fragment.root_element().descendants().skip(1).all(|node| {
        let Some(element) = node.value().as_element() else {
            return node.value().is_text();
        };
        let name = element.name();
        ALLOWED.contains(&name)
            && element
                .attrs()
                .all(|(attribute, value)| match (name, attribute) {
                    (_, "title" | "lang") => true,
                    ("a", "rel") => value == "nofollow noopener",
                    ("a", "href") => url::Url::parse(value)
                        .is_ok_and(|url| matches!(url.scheme(), "http" | "https" | "mailto")),
                    ("td" | "th", "colspan" | "rowspan") => true,
                    _ => false,
                })
    })
}
