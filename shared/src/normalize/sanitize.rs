//! Description sanitizing (allowlist HTML) and HTML to readable text.

/// Allowlisted HTML: no script/style/iframe, no event handlers, no `javascript:` URLs;
/// relative links resolved against `base`.
pub fn sanitize_html(html: &str, base: Option<&url::Url>) -> String {
    let _ = (html, base);
    String::new()
}

/// Readable plain text of an HTML fragment (paragraphs and list items on their own lines).
pub fn html_to_text(html: &str) -> String {
    let _ = html;
    String::new()
}

/// HTML for a source that only gives plain text (paragraphs from blank lines, escaped).
pub fn text_to_html(text: &str) -> String {
    let _ = text;
    String::new()
}
