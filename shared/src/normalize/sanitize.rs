//! Description sanitizing (allowlist HTML), HTML to readable text, and plain text to HTML.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

/// Structural tags a description may keep. `span` and `div` keep no attributes.
const ALLOWED_TAGS: &[&str] = &[
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

/// Tags removed together with everything inside them (the rest lose only the tag).
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "form", "noscript", "template", "textarea",
    "select", "button", "svg", "math", "title", "head",
];

fn builder(relative: UrlRelative<'static>) -> Builder<'static> {
    let mut builder = Builder::empty();
    builder
        .tags(ALLOWED_TAGS.iter().copied().collect())
        .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect())
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href"])),
            ("td", HashSet::from(["colspan", "rowspan"])),
            ("th", HashSet::from(["colspan", "rowspan"])),
        ]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("nofollow noopener"))
        .strip_comments(true)
        .url_relative(relative);
    builder
}

/// The sanitizer for documents without a URL: relative links cannot be resolved, so they go.
static WITHOUT_BASE: LazyLock<Builder<'static>> = LazyLock::new(|| builder(UrlRelative::Deny));

/// The sanitizer for documents with a URL, built once like `WITHOUT_BASE`: building an
/// ammonia `Builder` (its default tables, then ours) for every posting cost about 3% of the
/// RSS path. The base of the running call reaches the resolver through `BASE`.
static WITH_BASE: LazyLock<Builder<'static>> =
    LazyLock::new(|| builder(UrlRelative::Custom(Box::new(resolve_against_base))));

thread_local! {
    /// The base URL of the `sanitize_html` call running on this thread (for `WITH_BASE`).
    static BASE: RefCell<Option<url::Url>> = const { RefCell::new(None) };
}

/// A relative link resolved against this thread's `BASE`; `None` (the attribute goes) when
/// there is no base or the link cannot be joined, as ammonia's `RewriteWithBase` does.
fn resolve_against_base(relative: &str) -> Option<Cow<'_, str>> {
    BASE.with_borrow(|base| base.as_ref()?.join(relative).ok())
        .map(|joined| Cow::Owned(joined.into()))
}

/// Allowlisted HTML: no script/style/iframe, no event handlers, no `javascript:` URLs;
/// relative links resolved against `base`.
///
/// Only structural tags survive (paragraphs, lists, emphasis, headings, links, quotes, code,
/// tables); links keep only an http(s) or mailto `href` and get `rel="nofollow noopener"`;
/// without a `base`, relative links lose their `href`. Text that is HTML escaped once more
/// than it should be (`&lt;p&gt;…`, no real tag in it) is unescaped first, so a doubly
/// escaped Greenhouse body still renders as HTML. Never panics.
pub fn sanitize_html(html: &str, base: Option<&url::Url>) -> String {
    let unescaped;
    let html = if !html.contains('<') && html.contains("&lt;") {
        unescaped = html_escape::decode_html_entities(html);
        &*unescaped
    } else {
        html
    };
    if crate::extract::nesting::html_too_deep(html) {
        // ammonia parses with html5ever, which is quadratic in the nesting depth; a
        // description nested past what any browser renders keeps only its text, escaped.
        return text_to_html(&html_to_text(html));
    }
    let cleaned = match base {
        Some(base) => {
            BASE.set(Some(base.clone()));
            let cleaned = WITH_BASE.clean(html).to_string();
            BASE.set(None);
            cleaned
        }
        None => WITHOUT_BASE.clean(html).to_string(),
    };
    cleaned.trim().to_owned()
}

/// Readable plain text of an HTML fragment (paragraphs and list items on their own lines).
///
/// Block elements and `<br>` start new lines, paragraphs, headings, lists and tables are set
/// apart by a blank line, list items read `- item` (indented when nested), entities are
/// decoded, whitespace is collapsed except inside `<pre>`, and there is never more than one
/// blank line in a row. Scripts and styles contribute nothing. Never panics.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return clean_text(html);
    }
    // A linear scan of tags and text rather than a DOM: this runs on every posting, and in
    // the pipeline its input is ammonia's output, where every element is explicitly closed
    // and every attribute quoted. Arbitrary HTML still gives readable text.
    let mut text = TextBuilder::default();
    let mut rest = html;
    while let Some(lt) = memchr::memchr(b'<', rest.as_bytes()) {
        // `<` is ASCII, so both sides of it are on character boundaries.
        let (before, markup) = rest.split_at(lt);
        text.push_encoded_text(before);
        rest = match read_markup(markup) {
            Markup::Tag {
                name,
                closing: true,
                len,
            } => {
                text.close(&name);
                markup.get(len..).unwrap_or("")
            }
            Markup::Tag { name, len, .. } => {
                text.open(&name);
                let after = markup.get(len..).unwrap_or("");
                if RAW_TEXT_ELEMENTS.contains(&name.as_str()) {
                    // Script-like content is raw text up to its own end tag.
                    text.close(&name);
                    skip_past_end_tag(after, &name)
                } else {
                    after
                }
            }
            Markup::Skipped { len } => markup.get(len..).unwrap_or(""),
            Markup::Text => {
                text.push_encoded_text("<");
                markup.get(1..).unwrap_or("")
            }
        };
    }
    text.push_encoded_text(rest);
    text.out.trim().to_owned()
}

/// Shortens a posting's two descriptions by about `excess` bytes in total, each in
/// proportion to its length, so the posting fits a size limit (a queue message, a database
/// item): the text keeps a prefix ending in `…`, the HTML a prefix with any half tag dropped
/// and its open elements closed again. Identity fields are left alone: the
/// content hash still describes the source's posting.
pub fn truncate_descriptions(posting: &mut crate::model::JobPosting, excess: usize) {
    let html_len = posting.description_html.len();
    let total = html_len + posting.description_text.len();
    if total == 0 || excess == 0 {
        return;
    }
    // A little extra for the ellipsis and the closing tags added back.
    let keep = total.saturating_sub(excess + 256);
    let html_keep = (keep as u128 * html_len as u128 / total as u128) as usize;
    let text_keep = keep.saturating_sub(html_keep);
    posting.description_html = cut_html(&posting.description_html, html_keep);
    posting.description_text = cut_text(&posting.description_text, text_keep);
}

fn cut_text(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let end = floor_char_boundary(text, max.saturating_sub('…'.len_utf8()));
    format!("{}…", text.get(..end).unwrap_or_default())
}

/// A prefix of sanitized HTML of at most about `max` bytes that is still well formed: a tag
/// or entity cut in half is dropped and the elements left open are closed again. This runs
/// where postings are cut to fit a queue message or a database item (the API and ingest
/// functions), so it balances tags itself instead of re-running the sanitizer, whose HTML
/// parser would be most of those binaries' size for a rare path.
fn cut_html(html: &str, max: usize) -> String {
    if html.len() <= max {
        return html.to_owned();
    }
    let mut budget = max;
    loop {
        let (prefix, open) = balanced_prefix(html, budget);
        let closers: usize = open.iter().map(|name| name.len() + 3).sum();
        // Closing tags count against the limit too; deep nesting may need a shorter prefix.
        if prefix.len() + closers <= max || prefix.is_empty() {
            let mut cut = String::with_capacity(prefix.len() + closers);
            cut.push_str(prefix);
            for name in open.iter().rev() {
                cut.push_str("</");
                cut.push_str(name);
                cut.push('>');
            }
            return cut;
        }
        // Leave room for these closers and always shorten the prefix, so this ends quickly.
        budget = max
            .saturating_sub(closers)
            .min(prefix.len().saturating_sub(1));
    }
}

/// The longest prefix of `html` within `max` bytes that ends between tags and entities, and
/// the elements open at its end, outermost first.
fn balanced_prefix(html: &str, max: usize) -> (&str, Vec<String>) {
    let limit = floor_char_boundary(html, max);
    let mut open: Vec<String> = Vec::new();
    let mut at = 0;
    while let Some(lt) = html.get(at..limit).and_then(|rest| rest.find('<')) {
        let start = at + lt;
        let markup = html.get(start..).unwrap_or_default();
        match read_markup(markup) {
            Markup::Tag { name, closing, len } => {
                if start + len > limit
                    || !markup
                        .as_bytes()
                        .get(..len)
                        .is_some_and(|t| t.ends_with(b">"))
                {
                    return (
                        trim_partial_entity(html.get(..start).unwrap_or_default()),
                        open,
                    );
                }
                let self_closing = markup.get(..len).is_some_and(|t| t.ends_with("/>"));
                if closing {
                    if let Some(i) = open.iter().rposition(|o| *o == name) {
                        open.truncate(i);
                    }
                } else if !self_closing && !crate::extract::nesting::VOID.contains(&name.as_str()) {
                    open.push(name);
                }
                at = start + len;
            }
            Markup::Skipped { len } if start + len <= limit => at = start + len,
            Markup::Skipped { .. } => {
                return (
                    trim_partial_entity(html.get(..start).unwrap_or_default()),
                    open,
                );
            }
            Markup::Text => at = start + 1,
        }
    }
    (
        trim_partial_entity(html.get(..limit).unwrap_or_default()),
        open,
    )
}

/// `text` without a character reference cut off at its end (`&am`), which would read as text.
fn trim_partial_entity(text: &str) -> &str {
    match text.rfind('&') {
        Some(amp)
            if text.get(amp + 1..).is_some_and(|tail| {
                tail.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'#')
            }) =>
        {
            text.get(..amp).unwrap_or_default()
        }
        _ => text,
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    if index >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Elements whose content is raw text, not markup (a `<` inside them starts no tag).
const RAW_TEXT_ELEMENTS: &[&str] = &["script", "style", "textarea", "title", "xmp", "iframe"];

/// What starts at a `<`.
enum Markup {
    /// An element's start or end tag: lower-case name, and its length in bytes.
    Tag {
        name: String,
        closing: bool,
        len: usize,
    },
    /// A comment, doctype or processing instruction, and its length in bytes.
    Skipped { len: usize },
    /// A lone `<` that is text.
    Text,
}

/// Reads the markup at the start of `markup` (which starts with `<`).
fn read_markup(markup: &str) -> Markup {
    let bytes = markup.as_bytes();
    let end_of = |from: usize, terminator: &str| {
        markup
            .get(from..)
            .and_then(|tail| tail.find(terminator))
            .map_or(markup.len(), |i| from + i + terminator.len())
    };
    match bytes.get(1) {
        Some(b'!') if markup.starts_with("<!--") => Markup::Skipped {
            len: end_of(4, "-->"),
        },
        Some(b'!' | b'?') => Markup::Skipped {
            len: end_of(2, ">"),
        },
        Some(b'/') => read_tag(bytes, 2, true),
        Some(c) if c.is_ascii_alphabetic() => read_tag(bytes, 1, false),
        _ => Markup::Text,
    }
}

fn read_tag(bytes: &[u8], name_start: usize, closing: bool) -> Markup {
    let name_len = bytes
        .get(name_start..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    if name_len == 0 {
        return Markup::Text;
    }
    // The tag ends at the first `>` outside a quoted attribute value.
    let mut quote = None;
    let mut end = None;
    for (i, &b) in bytes.iter().enumerate().skip(name_start + name_len) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => {
                end = Some(i + 1);
                break;
            }
            _ => {}
        }
    }
    let name_bytes = bytes
        .get(name_start..name_start + name_len)
        .unwrap_or_default();
    Markup::Tag {
        name: String::from_utf8_lossy(name_bytes).to_ascii_lowercase(),
        closing,
        len: end.unwrap_or(bytes.len()),
    }
}

/// The text after the end tag `</name ...>` in `after`, or nothing when it never comes.
fn skip_past_end_tag<'a>(after: &'a str, name: &str) -> &'a str {
    let needle = format!("</{name}");
    let found = after
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()));
    found
        .and_then(|i| after.get(i..))
        .and_then(|tail| tail.find('>').and_then(|j| tail.get(j + 1..)))
        .unwrap_or("")
}

/// A one-line text field (title, company name) without markup: tags are dropped (script and
/// style content with them) and the words around them kept, as a title never legitimately
/// carries HTML and some readers render RSS titles as HTML. Prose like `(<5 years)` stays.
pub fn strip_markup(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('<') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(lt) = memchr::memchr(b'<', rest.as_bytes()) {
        let (before, markup) = rest.split_at(lt);
        out.push_str(before);
        rest = match read_markup(markup) {
            Markup::Tag {
                name,
                closing: false,
                len,
            } if RAW_TEXT_ELEMENTS.contains(&name.as_str()) => {
                skip_past_end_tag(markup.get(len..).unwrap_or(""), &name)
            }
            // A tag stands between words: keep them apart.
            Markup::Tag { len, .. } => {
                out.push(' ');
                markup.get(len..).unwrap_or("")
            }
            Markup::Skipped { len } => markup.get(len..).unwrap_or(""),
            Markup::Text => {
                out.push('<');
                markup.get(1..).unwrap_or("")
            }
        };
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Tidies plain text: spaces collapsed and trimmed on each line, at most one blank line in a
/// row, no leading or trailing blank lines.
pub fn clean_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_pending = false;
    for line in text.lines() {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_none() {
            blank_pending = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_pending { "\n\n" } else { "\n" });
        }
        blank_pending = false;
        for (i, word) in words.enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// HTML for a source that only gives plain text (paragraphs from blank lines, escaped).
///
/// Each run of non-blank lines becomes a `<p>`, its lines joined by `<br>`. Blank text gives
/// an empty string.
pub fn text_to_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 32);
    let mut in_paragraph = false;
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            if in_paragraph {
                html.push_str("</p>");
                in_paragraph = false;
            }
            continue;
        }
        html.push_str(if in_paragraph { "<br>" } else { "<p>" });
        in_paragraph = true;
        html.push_str(&html_escape::encode_text(&line));
    }
    if in_paragraph {
        html.push_str("</p>");
    }
    html
}

/// Accumulates the text of a tree walk (see `html_to_text`).
#[derive(Default)]
struct TextBuilder {
    out: String,
    /// A space is owed before the next word (whitespace was collapsed).
    space: bool,
    /// Depth inside elements whose content is not text (`script`, `style`, ...).
    hidden: usize,
    /// Depth inside `<pre>`, where whitespace is kept.
    pre: usize,
    /// Depth of nested lists.
    lists: usize,
}

/// Elements set apart by a blank line.
fn is_paragraph(name: &str) -> bool {
    matches!(
        name,
        "p" | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "blockquote"
            | "pre"
            | "table"
            | "dl"
            | "hr"
            | "section"
            | "article"
            | "figure"
            | "header"
            | "footer"
    )
}

/// Elements that start on a new line.
fn is_line(name: &str) -> bool {
    matches!(
        name,
        "div"
            | "li"
            | "tr"
            | "dt"
            | "dd"
            | "caption"
            | "address"
            | "main"
            | "nav"
            | "aside"
            | "details"
            | "summary"
            | "figcaption"
            | "fieldset"
    )
}

impl TextBuilder {
    fn open(&mut self, name: &str) {
        if DROPPED_WITH_CONTENT.contains(&name) {
            self.hidden += 1;
            return;
        }
        match name {
            "br" => self.line_break(),
            "li" => {
                self.line_break();
                for _ in 1..self.lists {
                    self.out.push_str("  ");
                }
                self.out.push_str("- ");
            }
            "ul" | "ol" => {
                if self.lists == 0 {
                    self.blank_line();
                } else {
                    self.line_break();
                }
                self.lists += 1;
            }
            "pre" => {
                self.blank_line();
                self.pre += 1;
            }
            "td" | "th" => self.space = true,
            _ if is_paragraph(name) => self.blank_line(),
            _ if is_line(name) => self.line_break(),
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        if DROPPED_WITH_CONTENT.contains(&name) {
            self.hidden = self.hidden.saturating_sub(1);
            return;
        }
        match name {
            "ul" | "ol" => {
                self.lists = self.lists.saturating_sub(1);
                if self.lists == 0 {
                    self.blank_line();
                } else {
                    self.line_break();
                }
            }
            "pre" => {
                self.pre = self.pre.saturating_sub(1);
                self.blank_line();
            }
            "td" | "th" => self.space = true,
            _ if is_paragraph(name) => self.blank_line(),
            _ if is_line(name) => self.line_break(),
            _ => {}
        }
    }

    /// Text as it appears in HTML: entities decoded; nothing inside hidden elements.
    fn push_encoded_text(&mut self, encoded: &str) {
        if self.hidden == 0 && !encoded.is_empty() {
            self.push_text(&html_escape::decode_html_entities(encoded));
        }
    }

    fn push_text(&mut self, content: &str) {
        if self.pre > 0 {
            self.out.push_str(content);
            self.space = false;
            return;
        }
        for (i, word) in content.split(char::is_whitespace).enumerate() {
            if i > 0 {
                self.space = true;
            }
            if word.is_empty() {
                continue;
            }
            if self.space && !self.out.is_empty() && !self.out.ends_with(['\n', ' ']) {
                self.out.push(' ');
            }
            self.space = false;
            self.out.push_str(word);
        }
    }

    fn line_break(&mut self) {
        self.space = false;
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn blank_line(&mut self) {
        self.line_break();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_nested_past_the_browser_cap_keeps_only_its_escaped_text() {
        let depth = 100_000;
        let html = format!(
            "{}<script>alert(1)</script>Senior <b>Rust</b> &amp; Go{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let started = std::time::Instant::now();
        let clean = sanitize_html(&html, None);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        assert_eq!(clean, "<p>Senior Rust &amp; Go</p>");
    }

    #[test]
    fn scripts_frames_handlers_and_javascript_urls_are_removed() {
        let dirty = r#"<p onclick="steal()">Hi <script>alert(1)</script><b>there</b></p>
            <iframe src="https://evil.example/"></iframe><style>p{}</style>
            <a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>
            <form><input name=q>Search</form><object data="x.swf">fallback</object>"#;
        assert_eq!(
            sanitize_html(dirty, None),
            "<p>Hi <b>there</b></p>\n            \n            <a rel=\"nofollow noopener\">x</a>"
        );
    }

    #[test]
    fn each_call_resolves_relative_links_against_its_own_base() {
        let link = r#"<a href="apply">Apply</a>"#;
        let first = url::Url::parse("https://a.example.com/jobs/1").unwrap();
        let second = url::Url::parse("https://b.example.org/careers/").unwrap();
        assert_eq!(
            sanitize_html(link, Some(&first)),
            "<a href=\"https://a.example.com/jobs/apply\" rel=\"nofollow noopener\">Apply</a>"
        );
        assert_eq!(
            sanitize_html(link, Some(&second)),
            "<a href=\"https://b.example.org/careers/apply\" rel=\"nofollow noopener\">Apply</a>"
        );
        // The previous call's base does not linger.
        assert_eq!(
            sanitize_html(link, None),
            "<a rel=\"nofollow noopener\">Apply</a>"
        );
    }

    #[test]
    fn links_keep_only_safe_hrefs_and_get_rel() {
        let base = url::Url::parse("https://jobs.example.com/postings/42").unwrap();
        let html = r#"<a href="/apply?id=42" target="_blank" class="btn">Apply</a>
            <a href="mailto:jobs@example.com">Mail</a><a href="data:text/html,x">D</a>"#;
        assert_eq!(
            sanitize_html(html, Some(&base)),
            "<a href=\"https://jobs.example.com/apply?id=42\" rel=\"nofollow noopener\">Apply</a>\n            \
             <a href=\"mailto:jobs@example.com\" rel=\"nofollow noopener\">Mail</a>\
             <a rel=\"nofollow noopener\">D</a>"
        );
        assert_eq!(
            sanitize_html(r#"<a href="/apply">Apply</a>"#, None),
            "<a rel=\"nofollow noopener\">Apply</a>"
        );
    }

    #[test]
    fn structure_is_kept_and_attributes_dropped() {
        let html = r#"<div class="x" style="color:red"><h2 id="a">About</h2><ul><li><span style="x">One</span></li></ul></div>"#;
        assert_eq!(
            sanitize_html(html, None),
            "<div><h2>About</h2><ul><li><span>One</span></li></ul></div>"
        );
    }

    #[test]
    fn doubly_escaped_html_is_unescaped_before_sanitizing() {
        let escaped = "&lt;h2&gt;About the role&lt;/h2&gt;&lt;p&gt;Build &amp;amp; ship&lt;/p&gt;";
        assert_eq!(
            sanitize_html(escaped, None),
            "<h2>About the role</h2><p>Build &amp; ship</p>"
        );
        // Real markup that merely talks about tags is left alone.
        assert_eq!(
            sanitize_html("<p>Use &lt;div&gt; wisely</p>", None),
            "<p>Use &lt;div&gt; wisely</p>"
        );
    }

    #[test]
    fn greenhouse_content_becomes_sanitized_html_and_readable_text() {
        let json: serde_json::Value = serde_json::from_str(include_str!(
            "../../testdata/corpus/greenhouse/job_detail_rsp.json"
        ))
        .unwrap();
        let escaped = json["content"].as_str().unwrap();
        // The extractor decodes Greenhouse's escaping once; feed the still-escaped form to
        // prove the sanitizer copes with it too.
        let html = sanitize_html(escaped, None);
        assert!(html.starts_with("<div><h2><strong>About Anthropic</strong></h2>"));
        let text = html_to_text(&html);
        assert!(text.starts_with("About Anthropic\n\nAnthropic’s mission is to create reliable"));
        assert!(text.contains("\n\nAbout the role\n\nAs a AI Native Account Executive"));
        assert!(!text.contains("&nbsp;") && !text.contains('<'));
        assert!(!text.contains("\n\n\n"));
    }

    #[test]
    fn html_to_text_puts_blocks_and_list_items_on_their_own_lines() {
        let html = "<h2>About</h2><p>We  build\n things.<br>Fast &amp; well.</p>\
                    <ul><li>Rust</li><li>Go<ul><li>gRPC</li></ul></li></ul>\
                    <p></p><p></p><div>Apply&nbsp;now</div><script>x()</script>";
        assert_eq!(
            html_to_text(html),
            "About\n\nWe build things.\nFast & well.\n\n- Rust\n- Go\n  - gRPC\n\nApply now"
        );
    }

    #[test]
    fn html_to_text_skips_scripts_comments_and_tags_with_quoted_angle_brackets() {
        let html = concat!(
            "<p title=\"a > b\">One &amp; two</p><!-- <p>hidden</p> -->",
            "<script>if (a < b) { document.write('<p>x</p>') }</script>",
            "<STYLE>p > a { color: red }</STYLE><p>3 < 4 and 5 &gt; 2</p>",
            "<form><p>no form text</p></form><p>unclosed <b>bold"
        );
        assert_eq!(
            html_to_text(html),
            "One & two\n\n3 < 4 and 5 > 2\n\nunclosed bold"
        );
    }

    #[test]
    fn html_to_text_reads_sanitized_output_exactly() {
        let html = sanitize_html(
            "<div><h2>Role</h2><ul><li>Rust</li><li>Go<ul><li>gRPC</li></ul></li></ul></div>",
            None,
        );
        assert_eq!(html_to_text(&html), "Role\n\n- Rust\n- Go\n  - gRPC");
    }

    #[test]
    fn cuts_never_split_a_character_or_a_tag() {
        assert_eq!(cut_text("héllo", 4), "h…");
        assert_eq!(cut_text("short", 10), "short");
        assert_eq!(cut_html("<p>ab</p><p>cd</p>", 11), "<p>ab</p>");
        assert_eq!(cut_html("<p>abcdef</p>", 11), "<p>abcd</p>");
        assert_eq!(cut_html("<p>abcdef</p>", 7), "<p></p>");
    }

    #[test]
    fn a_cut_description_closes_what_it_left_open_and_drops_half_entities_and_tags() {
        let html = r#"<ul><li><a href="https://x.test/?a=1&amp;b=2" rel="nofollow noopener">Rust &amp; Go</a></li><li>more</li></ul>"#;
        for max in 0..html.len() {
            let cut = cut_html(html, max);
            assert!(cut.len() <= max, "{max}: {cut}");
            // Re-sanitizing a well-formed prefix changes nothing.
            assert_eq!(sanitize_html(&cut, None), cut, "{max}");
        }
        assert_eq!(cut_html("<p>a<br>b &amp; c</p>", 15), "<p>a<br>b </p>");
        // The closing tags count against the limit.
        assert_eq!(cut_html("<p>a<br/>bc</p>", 11), "<p>a</p>");
        assert_eq!(cut_html("<p>a<br/>bc</p>", 13), "<p>a<br/></p>");
        // An attribute value may hold a `>`: the tag still ends at the real one.
        assert_eq!(
            cut_html(r#"<p>x<a href="https://x.test/a>b">l</a></p>"#, 20),
            "<p>x</p>"
        );
    }

    #[test]
    fn deep_nesting_shortens_the_cut_so_closing_tags_fit_too() {
        let html = format!("{}text{}", "<div>".repeat(50), "</div>".repeat(50));
        let cut = cut_html(&html, 200);
        assert!(cut.len() <= 200, "{}", cut.len());
        assert_eq!(cut.matches("<div>").count(), cut.matches("</div>").count());
    }

    #[test]
    fn one_line_fields_lose_their_markup_but_keep_angle_brackets_in_prose() {
        assert_eq!(
            strip_markup("<script>alert(1)</script>Rust Engineer"),
            "Rust Engineer"
        );
        assert_eq!(
            strip_markup("Senior <b>Go</b>\nEngineer"),
            "Senior Go Engineer"
        );
        assert_eq!(strip_markup("<img src=x onerror=alert(1)>Acme"), "Acme");
        assert_eq!(
            strip_markup("Engineer (<5 years) & more"),
            "Engineer (<5 years) & more"
        );
        assert_eq!(strip_markup("C++ <3"), "C++ <3");
        assert_eq!(
            strip_markup("<svg onload=alert(1)>Platform Engineer"),
            "Platform Engineer"
        );
    }

    #[test]
    fn html_to_text_keeps_preformatted_text() {
        assert_eq!(
            html_to_text("<p>Run:</p><pre>cargo  test\n  --lib</pre><p>done</p>"),
            "Run:\n\ncargo  test\n  --lib\n\ndone"
        );
    }

    #[test]
    fn plain_text_becomes_escaped_paragraphs() {
        assert_eq!(
            text_to_html("Line <one>\nline two\n\n\n  R&D  team "),
            "<p>Line &lt;one&gt;<br>line two</p><p>R&amp;D team</p>"
        );
        assert_eq!(text_to_html("  \n "), "");
    }

    #[test]
    fn clean_text_collapses_spaces_and_blank_lines() {
        assert_eq!(clean_text("  a   b \n\n\n\n c\n \nd  "), "a b\n\nc\n\nd");
    }
}
