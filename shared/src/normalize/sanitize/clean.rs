//! The allowlist sanitizer: one pass over a description's tokens that keeps structural
//! elements and safe links, drops everything else, and writes well-formed, fully escaped
//! HTML (and, when asked, its readable text) as it goes.
//!
//! Safety does not rest on reading the input the way a browser would: the output is written
//! here, element by element, from a fixed list of elements and attributes, with every text
//! and attribute value escaped, so no markup reaches it that this module did not write.
//! Fidelity does: where it matters for real descriptions, the tree builder's rules are
//! followed, so the result matches what an HTML5 parser and re-serializer (ammonia, which
//! this replaced) give: a new block closes an open `<p>`, a list item closes the previous
//! one, table rows get their implied `<tbody>`, `</p>` without a `<p>` is an empty
//! paragraph, newlines right after `<pre>` are dropped, and the content of `<svg>`,
//! `<math>`, `<form>`... goes with them (but the first HTML block in an `<svg>` ends it, as
//! in a browser, and in an `<svg>` inside a dropped `<template>` a `<template>` is SVG
//! markup that does not nest in it). Not followed, as descriptions written by people or CMSs do not need it:
//! inline formatting that a block cut short is not reopened after it (`<p><b>a<div>b`
//! leaves `b` plain), misnested formatting (`<b><i></b></i>`) and stray content in tables
//! stay in place instead of being rearranged, HTML inside `<svg>`'s `foreignObject` or
//! MathML's `mi` goes with its `<svg>`/`<math>`, and a form nested in a form (which HTML
//! does not allow) ends at the first `</form>`, even where the tree builder ignores that
//! end tag (from inside a table cell) and keeps dropping to the end of the description.

use super::{ALLOWED_TAGS, DROPPED_WITH_CONTENT, TextBuilder};
use crate::markup::nesting::MAX_HTML_DEPTH;
use crate::markup::tokenizer::{RAW_TEXT, Tag, Token, Tokenizer};

/// Start tags that close an open `<p>` first.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "search",
    "section",
    "summary",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "listing",
    "form",
    "li",
    "dd",
    "dt",
    "plaintext",
    "table",
    "hr",
    "xmp",
];

/// HTML start tags that end `<svg>`/`<math>` content (the standard's breakout list).
const ENDS_FOREIGN: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

/// Kept elements that the tree builder treats as "special" (a list item's search for the
/// previous item stops at them), `div` and `p` aside.
const SPECIAL: &[&str] = &[
    "blockquote",
    "caption",
    "dd",
    "dl",
    "dt",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ol",
    "pre",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Open elements that an end tag or an implied end never reaches past (table cells and
/// captions are closed only by their own table's rules).
const SCOPE_BOUNDARIES: &[&str] = &["table", "td", "th", "caption"];

const HEADINGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];

/// Kept elements that have no content and no end tag.
const VOID: &[&str] = &["br", "hr"];

/// The `rel` every kept link gets.
const LINK_REL: &str = "nofollow noopener";

/// The sanitized form of `html`, and its text when `with_text` (see `super::html_to_text`).
pub(super) fn clean(
    html: &str,
    base: Option<&url::Url>,
    with_text: bool,
) -> (String, Option<String>) {
    let mut cleaner = Cleaner {
        html: String::with_capacity(html.len()),
        text: with_text.then(TextBuilder::default),
        open: Vec::new(),
        dropping: None,
        base,
        skip_newline: false,
        pre_opened: false,
        decoded: String::new(),
    };
    let mut tokens = Tokenizer::new(html);
    while let Some(token) = tokens.next() {
        let skip_newline = std::mem::take(&mut cleaner.skip_newline);
        match token {
            Token::Text(raw) => {
                // The tree builder drops a newline right after `<pre>`: it is not content.
                let raw = if skip_newline {
                    raw.strip_prefix('\n').unwrap_or(raw)
                } else {
                    raw
                };
                cleaner.text(raw, true);
            }
            Token::Start(tag) => cleaner.start(&tag, &mut tokens),
            Token::End(name) => cleaner.end(&name),
        }
    }
    cleaner.close_to(0);
    let html = trimmed(cleaner.html);
    let text = cleaner.text.map(|text| {
        // `html_to_text` reads markup-free HTML as plain text lines; so does this.
        if memchr::memchr2(b'<', b'&', html.as_bytes()).is_none() {
            super::clean_text(&html)
        } else {
            trimmed(text.out)
        }
    });
    (html, text)
}

fn trimmed(text: String) -> String {
    let trimmed = text.trim();
    if trimmed.len() == text.len() {
        text
    } else {
        trimmed.to_owned()
    }
}

/// An element being dropped with its content, and how deeply it nests in itself.
struct Dropping {
    name: &'static str,
    depth: usize,
    /// The `<svg>`/`<math>` elements, and the elements in them, open inside a dropped HTML
    /// element, innermost last: a tag there is foreign markup (a `<template>` in an `<svg>`
    /// does not nest in the dropped `<template>`, a `<style>` holds tags), until a tag of
    /// the breakout list or an end tag that matches none of them returns to HTML.
    foreign: Vec<Box<str>>,
}

impl Dropping {
    fn new(name: &'static str) -> Self {
        Dropping {
            name,
            depth: 1,
            foreign: Vec::new(),
        }
    }
}

struct Cleaner<'u> {
    html: String,
    text: Option<TextBuilder>,
    /// The kept elements open in the output, outermost first.
    open: Vec<&'static str>,
    dropping: Option<Dropping>,
    base: Option<&'u url::Url>,
    /// The previous token was `<pre>`: a newline right after it is not content.
    skip_newline: bool,
    /// The last thing written is `<pre>`: newlines starting the content that follows are
    /// dropped.
    pre_opened: bool,
    /// Scratch space for decoded text.
    decoded: String,
}

fn find(list: &[&'static str], name: &str) -> Option<&'static str> {
    list.iter().copied().find(|item| *item == name)
}

impl Cleaner<'_> {
    fn start(&mut self, tag: &Tag<'_>, tokens: &mut Tokenizer<'_>) {
        let name = &*tag.name;
        if let Some(dropping) = &mut self.dropping {
            let foreign = matches!(dropping.name, "svg" | "math");
            if foreign && ENDS_FOREIGN.contains(&name) {
                self.dropping = None;
            } else {
                if !dropping.foreign.is_empty() {
                    if !ENDS_FOREIGN.contains(&name) {
                        // Bounded like the kept elements: past it, tags go uncounted.
                        if !tag.self_closing && dropping.foreign.len() < MAX_HTML_DEPTH {
                            dropping.foreign.push(name.into());
                        }
                        return;
                    }
                    dropping.foreign.clear();
                }
                if !foreign && matches!(name, "svg" | "math") && !tag.self_closing {
                    dropping.foreign.push(name.into());
                    return;
                }
                if name == dropping.name && !(foreign && tag.self_closing) {
                    match name {
                        // A nested form or button start tag is ignored by the tree builder.
                        "form" | "button" => {}
                        // A `<select>` in a `<select>` closes it.
                        "select" => self.dropping = None,
                        _ => dropping.depth += 1,
                    }
                }
                // In `<svg>` and `<math>` every tag is markup, `<script>` and `<style>` too.
                if !foreign && RAW_TEXT.contains(&name) {
                    tokens.raw_text(name);
                }
                return;
            }
        }
        // A body fragment has no document structure: these tags are ignored, their content
        // kept.
        if matches!(name, "html" | "head" | "body") {
            return;
        }
        self.implied_ends(name);
        if let Some(dropped) = find(DROPPED_WITH_CONTENT, name) {
            if RAW_TEXT.contains(&name) {
                tokens.raw_text(name);
            } else if !(dropped == "embed" || tag.self_closing && matches!(dropped, "svg" | "math"))
            {
                self.dropping = Some(Dropping::new(dropped));
            }
            return;
        }
        match name {
            "plaintext" => {
                let rest = tokens.rest_as_text();
                self.text(rest, false);
                return;
            }
            // Not kept, but their raw content is text.
            "xmp" | "noembed" | "noframes" => {
                let raw = tokens.raw_text(name);
                self.text(raw, false);
                return;
            }
            _ => {}
        }
        let Some(name) = find(ALLOWED_TAGS, name) else {
            return;
        };
        if !self.table_context(name) {
            return;
        }
        if !matches!(
            name,
            "table" | "caption" | "thead" | "tbody" | "tfoot" | "tr" | "td" | "th"
        ) {
            self.cell_for_content();
        }
        let attributes = self.attributes(name, tag);
        if VOID.contains(&name) {
            self.write_start(name, &attributes);
            return;
        }
        if self.open.len() >= MAX_HTML_DEPTH {
            // Past what a browser nests: the tag goes, its content stays.
            return;
        }
        self.write_start(name, &attributes);
        self.open.push(name);
        if name == "pre" {
            self.skip_newline = true;
        }
    }

    /// The ends a start tag implies: an open `<p>`, the previous list item or term, an open
    /// heading when another starts, an open link when another starts.
    fn implied_ends(&mut self, name: &str) {
        match name {
            "li" => self.close_previous_item(&["li"]),
            "dd" | "dt" => self.close_previous_item(&["dd", "dt"]),
            _ => {}
        }
        if CLOSES_P.contains(&name)
            && let Some(p) = self.in_scope("p", &[])
        {
            self.close_to(p);
        }
        if HEADINGS.contains(&name) && self.open.last().is_some_and(|top| HEADINGS.contains(top)) {
            self.close_to(self.open.len() - 1);
        }
        if name == "a"
            && let Some(a) = self.in_scope("a", &[])
        {
            self.close_to(a);
        }
    }

    /// Closes the nearest open element of `items`, unless a special element (other than
    /// `div` and `p`) comes first.
    fn close_previous_item(&mut self, items: &[&str]) {
        for (index, open) in self.open.iter().enumerate().rev() {
            if items.contains(open) {
                self.close_to(index);
                return;
            }
            if SPECIAL.contains(open) {
                return;
            }
        }
    }

    /// Whether a table part may start here (`tr`, `td`... only inside a table), after
    /// closing what it ends and opening the `<tbody>` and `<tr>` it implies. A table that
    /// starts directly in another's rows ends that one first.
    fn table_context(&mut self, name: &'static str) -> bool {
        if name == "table"
            && self.in_table_rows()
            && let Some(table) = self.open.iter().rposition(|open| *open == "table")
        {
            self.close_to(table);
        }
        if !matches!(
            name,
            "caption" | "thead" | "tbody" | "tfoot" | "tr" | "td" | "th"
        ) {
            return true;
        }
        let Some(table) = self.open.iter().rposition(|open| *open == "table") else {
            return false;
        };
        let above = |open: &[&str], names: &[&str]| {
            open.iter()
                .rposition(|element| names.contains(element))
                .filter(|index| *index > table)
        };
        let section = above(&self.open, &["thead", "tbody", "tfoot"]);
        match name {
            "tr" => match section {
                Some(section) => self.close_to(section + 1),
                None => {
                    self.close_to(table + 1);
                    self.open_implied("tbody");
                }
            },
            "td" | "th" => match (above(&self.open, &["tr"]), section) {
                (Some(row), _) => self.close_to(row + 1),
                (None, Some(section)) => {
                    self.close_to(section + 1);
                    self.open_implied("tr");
                }
                (None, None) => {
                    self.close_to(table + 1);
                    self.open_implied("tbody");
                    self.open_implied("tr");
                }
            },
            _ => self.close_to(table + 1),
        }
        true
    }

    /// Whether the innermost open element is a table or one of its row groups or rows,
    /// where only table parts (and whitespace) may go.
    fn in_table_rows(&self) -> bool {
        self.open
            .last()
            .is_some_and(|top| matches!(*top, "table" | "thead" | "tbody" | "tfoot" | "tr"))
    }

    /// Opens the cell (and the row and row group) that content between table rows needs.
    /// A parser would move such content in front of the table ("foster parenting"), which
    /// a single pass cannot do; a cell keeps it, and keeps the output what it says.
    fn cell_for_content(&mut self) {
        match self.open.last().copied() {
            Some("table") => {
                self.open_implied("tbody");
                self.open_implied("tr");
                self.open_implied("td");
            }
            Some("thead" | "tbody" | "tfoot") => {
                self.open_implied("tr");
                self.open_implied("td");
            }
            Some("tr") => self.open_implied("td"),
            _ => {}
        }
    }

    fn open_implied(&mut self, name: &'static str) {
        self.write_start(name, &[]);
        self.open.push(name);
    }

    fn end(&mut self, name: &str) {
        if let Some(dropping) = &mut self.dropping {
            if let Some(open) = dropping.foreign.iter().rposition(|open| **open == *name) {
                dropping.foreign.truncate(open);
                return;
            }
            // An end tag no foreign element matches closes them all and is read as HTML.
            dropping.foreign.clear();
            if name == dropping.name {
                dropping.depth -= 1;
                if dropping.depth == 0 {
                    self.dropping = None;
                }
            }
            return;
        }
        let target = match name {
            // `</br>` is read as `<br>`.
            "br" => {
                self.cell_for_content();
                self.write_start("br", &[]);
                return;
            }
            "p" => {
                if let Some(p) = self.in_scope("p", &[]) {
                    self.close_to(p);
                } else if !self.in_table_rows() {
                    // No paragraph to close: the tree builder makes an empty one (in front of
                    // the table, between rows, which is not worth a cell).
                    self.write_start("p", &[]);
                    self.write_end("p");
                }
                return;
            }
            _ if HEADINGS.contains(&name) => self.in_scope_any(HEADINGS, &[]),
            "table" => self.open.iter().rposition(|open| *open == "table"),
            "caption" | "thead" | "tbody" | "tfoot" | "tr" | "td" | "th" => self
                .open
                .iter()
                .rev()
                .take_while(|open| **open != "table")
                .position(|open| *open == name)
                .map(|from_top| self.open.len() - 1 - from_top),
            "li" => self.in_scope("li", &["ul", "ol"]),
            _ => self.in_scope(name, &[]),
        };
        if let Some(index) = target {
            self.close_to(index);
        }
    }

    /// Where `name` is open without a scope boundary (or one of `more`) above it.
    fn in_scope(&self, name: &str, more: &[&str]) -> Option<usize> {
        self.in_scope_any(&[name], more)
    }

    fn in_scope_any(&self, names: &[&str], more: &[&str]) -> Option<usize> {
        for (index, open) in self.open.iter().enumerate().rev() {
            if names.contains(open) {
                return Some(index);
            }
            if SCOPE_BOUNDARIES.contains(open) || more.contains(open) {
                return None;
            }
        }
        None
    }

    /// Closes the open elements from `index` up.
    fn close_to(&mut self, index: usize) {
        while self.open.len() > index {
            if let Some(name) = self.open.pop() {
                self.write_end(name);
            }
        }
    }

    /// The attributes `name` keeps from `tag`, in source order: `title` and `lang` on any
    /// element, a link's safe `href`, a cell's spans; then a link's `rel`.
    fn attributes(&self, name: &str, tag: &Tag<'_>) -> Vec<(&'static str, String)> {
        let mut kept: Vec<(&'static str, String)> = Vec::new();
        let wanted: &[&'static str] = match name {
            "a" => &["title", "lang", "href"],
            "td" | "th" => &["title", "lang", "colspan", "rowspan"],
            _ => &["title", "lang"],
        };
        for (attribute, value) in tag.attributes() {
            // The first of a repeated attribute counts.
            let Some(attribute) = find(wanted, &attribute) else {
                continue;
            };
            if kept.iter().any(|(seen, _)| *seen == attribute) {
                continue;
            }
            let mut value = html_escape::decode_html_entities(value);
            if value.contains(['\r', '\0']) {
                value = value
                    .replace("\r\n", "\n")
                    .replace('\r', "\n")
                    .replace('\0', "\u{fffd}")
                    .into();
            }
            let value = if attribute == "href" {
                match self.safe_link(&value) {
                    Some(link) => link,
                    None => continue,
                }
            } else {
                value.into_owned()
            };
            kept.push((attribute, value));
        }
        if name == "a" {
            kept.push(("rel", LINK_REL.to_owned()));
        }
        kept
    }

    /// A link target kept as written when its scheme is http, https or mailto; a relative
    /// one resolved against the document's URL (and dropped without one); anything else
    /// dropped. The check reads the URL as browsers do (the URL standard), so spellings
    /// like ` JaVa\tScript:` are the schemes they are.
    fn safe_link(&self, href: &str) -> Option<String> {
        match url::Url::parse(href) {
            Ok(url) => matches!(url.scheme(), "http" | "https" | "mailto").then(|| href.to_owned()),
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                self.base?.join(href).ok().map(String::from)
            }
            Err(_) => None,
        }
    }

    fn write_start(&mut self, name: &'static str, attributes: &[(&'static str, String)]) {
        self.pre_opened = name == "pre";
        self.html.push('<');
        self.html.push_str(name);
        for (attribute, value) in attributes {
            self.html.push(' ');
            self.html.push_str(attribute);
            self.html.push_str("=\"");
            escape(&mut self.html, value, true);
            self.html.push('"');
        }
        self.html.push('>');
        if let Some(text) = &mut self.text {
            text.open(name);
        }
    }

    fn write_end(&mut self, name: &'static str) {
        self.pre_opened = false;
        self.html.push_str("</");
        self.html.push_str(name);
        self.html.push('>');
        if let Some(text) = &mut self.text {
            text.close(name);
        }
    }

    /// Writes text, escaped; `decode` when it is HTML text (character references), not raw.
    fn text(&mut self, raw: &str, decode: bool) {
        if self.dropping.is_some() || raw.is_empty() {
            return;
        }
        let mut decoded = std::mem::take(&mut self.decoded);
        decoded.clear();
        let mut content = raw;
        if decode && raw.contains('&') {
            html_escape::decode_html_entities_to_string(raw, &mut decoded);
            content = &decoded;
        }
        // As a parser reads the input: CR and CR LF are LF, NUL characters are dropped.
        let normalized;
        if memchr::memchr2(b'\r', b'\0', content.as_bytes()).is_some() {
            normalized = content
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .replace('\0', "");
            content = &normalized;
        }
        if self.pre_opened {
            // A parser drops one newline right after `<pre>` and a serializer does not write
            // it back, so no newline there reads back unchanged: leading blank lines of a
            // `<pre>` go (they show nothing in a description).
            content = content.trim_start_matches('\n');
            self.pre_opened = content.is_empty();
        }
        if !content.is_empty() {
            if !content.bytes().all(is_html_space) {
                self.cell_for_content();
            }
            escape(&mut self.html, content, false);
            if let Some(text) = &mut self.text {
                text.push_text(content);
            }
        }
        self.decoded = decoded;
    }
}

fn is_html_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Appends `text` to `out` escaped as the HTML serializer does: `&`, `<`, `>` and the
/// no-break space always, `"` in attribute values.
fn escape(out: &mut String, text: &str, attribute: bool) {
    let bytes = text.as_bytes();
    let quote = if attribute { b'"' } else { b'&' };
    let mut done = 0;
    let mut from = 0;
    while let Some(offset) = bytes.get(from..).and_then(|rest| {
        // Two searches beat one that checks five bytes each: `<`, `>` and `"` are rare.
        let markup = memchr::memchr3(b'<', b'>', quote, rest).unwrap_or(rest.len());
        let head = rest.get(..markup).unwrap_or_default();
        memchr::memchr2(b'&', 0xC2, head).or((markup < rest.len()).then_some(markup))
    }) {
        let at = from + offset;
        let (replacement, len) = match bytes.get(at) {
            Some(b'&') => ("&amp;", 1),
            Some(b'<') => ("&lt;", 1),
            Some(b'>') => ("&gt;", 1),
            Some(b'"') => ("&quot;", 1),
            _ if bytes.get(at + 1) == Some(&0xA0) => ("&nbsp;", 2),
            // Another character starting with 0xC2: not special.
            _ => {
                from = at + 1;
                continue;
            }
        };
        out.push_str(text.get(done..at).unwrap_or_default());
        out.push_str(replacement);
        done = at + len;
        from = done;
    }
    out.push_str(text.get(done..).unwrap_or_default());
}
