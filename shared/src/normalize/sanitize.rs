//! Description sanitizing (allowlist HTML), HTML to readable text, and plain text to HTML.

mod clean;

use crate::markup::tokenizer::{RAW_TEXT, Token, Tokenizer};

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
    "select", "button", "svg", "math", "title",
];

/// Allowlisted HTML: no script/style/iframe, no event handlers, no `javascript:` URLs;
/// relative links resolved against `base`.
///
/// Only structural tags survive (paragraphs, lists, emphasis, headings, links, quotes, code,
/// tables); links keep only an http(s) or mailto `href` and get `rel="nofollow noopener"`;
/// without a `base`, relative links lose their `href`. The output is well formed (every
/// element closed, every attribute quoted, all text escaped) and nests at most
/// `MAX_HTML_DEPTH` elements deep. Text that is HTML escaped once more than it should be
/// (`&lt;p&gt;…`, no real tag in it) is unescaped first, so a doubly escaped Greenhouse body
/// still renders as HTML. Linear in the input; never panics.
pub fn sanitize_html(html: &str, base: Option<&url::Url>) -> String {
    clean::clean(&unescape_doubly_escaped(html), base, false).0
}

/// `sanitize_html` and `html_to_text` of its result, in one pass over the input: the
/// sanitized HTML and its readable text.
pub fn sanitize_with_text(html: &str, base: Option<&url::Url>) -> (String, String) {
    let (html, text) = clean::clean(&unescape_doubly_escaped(html), base, true);
    (html, text.unwrap_or_default())
}

/// `html` unescaped once when it holds no tag but escaped ones (`&lt;p&gt;`).
fn unescape_doubly_escaped(html: &str) -> std::borrow::Cow<'_, str> {
    if !html.contains('<') && html.contains("&lt;") {
        html_escape::decode_html_entities(html)
    } else {
        std::borrow::Cow::Borrowed(html)
    }
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
    let mut text = TextBuilder::default();
    let mut tokens = Tokenizer::new(html);
    let mut after_pre = false;
    while let Some(token) = tokens.next() {
        let skip_newline = std::mem::replace(&mut after_pre, false);
        match token {
            // As a parser does, a newline right after `<pre>` is not content.
            Token::Text(encoded) if skip_newline => {
                text.push_encoded_text(encoded.strip_prefix('\n').unwrap_or(encoded));
            }
            Token::Text(encoded) => text.push_encoded_text(encoded),
            Token::Start(tag) => {
                after_pre = tag.name == "pre";
                text.open(&tag.name);
                if RAW_TEXT.contains(&&*tag.name) {
                    // Script-like content is not text; its end tag comes next.
                    tokens.raw_text(&tag.name);
                }
            }
            Token::End(name) => text.close(&name),
        }
    }
    text.out.trim().to_owned()
}

/// A one-line text field (title, company name) without markup: tags are dropped (script and
/// style content with them) and the words around them kept, as a title never legitimately
/// carries HTML and some readers render RSS titles as HTML. Prose like `(<5 years)` stays.
pub fn strip_markup(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('<') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut tokens = Tokenizer::new(text);
    while let Some(token) = tokens.next() {
        match token {
            Token::Text(words) => out.push_str(words),
            Token::Start(tag) if RAW_TEXT.contains(&&*tag.name) => {
                tokens.raw_text(&tag.name);
            }
            // A tag stands between words: keep them apart.
            Token::Start(_) | Token::End(_) => out.push(' '),
        }
    }
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

/// The first whitespace in `text` that is not a single ASCII space between two words: where
/// it starts and where the whitespace run ends.
fn next_gap(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let width = if byte < 0x80 {
            if !byte.is_ascii_whitespace() && byte != 0x0b {
                i += 1;
                continue;
            }
            1
        } else {
            match text.get(i..).and_then(|tail| tail.chars().next()) {
                Some(c) if c.is_whitespace() => c.len_utf8(),
                Some(c) => {
                    i += c.len_utf8();
                    continue;
                }
                None => return None,
            }
        };
        let single_space = byte == b' '
            && i > 0
            && bytes
                .get(i + 1)
                .is_some_and(|&next| next < 0x80 && !next.is_ascii_whitespace() && next != 0x0b);
        if single_space {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + width;
        while let Some(c) = text.get(end..).and_then(|tail| tail.chars().next()) {
            if !c.is_whitespace() {
                break;
            }
            end += c.len_utf8();
        }
        return Some((start, end));
    }
    None
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

    /// Appends text with its whitespace collapsed (kept inside `<pre>`).
    fn push_text(&mut self, content: &str) {
        if self.pre > 0 {
            self.out.push_str(content);
            self.space = false;
            return;
        }
        // Runs of words with single spaces between them are copied whole; any other
        // whitespace (a line break, two spaces, a tab, a no-break space) ends a run and owes
        // one space before the next word.
        let mut rest = content;
        while !rest.is_empty() {
            let (run, gap) = match next_gap(rest) {
                Some(gap) => gap,
                None => (rest.len(), rest.len()),
            };
            if run > 0 {
                if self.space && !self.out.is_empty() && !self.out.ends_with(['\n', ' ']) {
                    self.out.push(' ');
                }
                self.space = false;
                self.out.push_str(rest.get(..run).unwrap_or_default());
            }
            if gap > run {
                self.space = true;
            }
            rest = rest.get(gap..).unwrap_or_default();
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
