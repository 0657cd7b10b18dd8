//! A linear pre-check of how deeply an HTML document nests its elements, run before handing
//! untrusted HTML to html5ever (scraper).
//!
//! html5ever keeps every open element on a stack and walks that stack for most start tags
//! (the "in scope" checks), so a page of 100,000 nested `<div>`s costs billions of steps:
//! minutes of CPU for a 1 MB body. Browsers cap the nesting instead (Chromium's parser stops
//! at 512); job pages nest a few dozen deep, so anything past the cap is refused.

use crate::error::ParseError;
use crate::model::SourceKind;

/// Deepest element nesting accepted, the same cap browsers apply.
pub const MAX_HTML_DEPTH: usize = 512;

/// Elements that never have content (no end tag follows).
pub(crate) const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose end tag may be left out: a page full of unclosed `<p>`/`<li>`/`<td>` is
/// flat, and counting them would refuse ordinary old-style HTML.
const OPTIONAL_END: &[&str] = &[
    "body", "colgroup", "dd", "dt", "head", "html", "li", "optgroup", "option", "p", "rb", "rp",
    "rt", "rtc", "tbody", "td", "tfoot", "th", "thead", "tr",
];

/// Whether `html` nests elements deeper than `MAX_HTML_DEPTH`, by counting start tags
/// against end tags (void, self-closing and optional-end elements, comments and doctypes
/// aside). An upper estimate for real pages (mismatched end tags can only lower it), linear
/// in the input and allocation-free. Never panics.
pub fn html_too_deep(html: &str) -> bool {
    let bytes = html.as_bytes();
    let mut depth: usize = 0;
    let mut at = 0;
    while let Some(offset) = bytes.get(at..).and_then(|rest| memchr::memchr(b'<', rest)) {
        let start = at + offset + 1;
        at = start;
        match bytes.get(start) {
            Some(b'/') => depth = depth.saturating_sub(1),
            // A comment may hold markup that opens nothing; resume after it.
            Some(b'!') if bytes.get(start..start + 3) == Some(b"!--") => {
                let rest = bytes.get(start + 3..).unwrap_or_default();
                match memchr::memmem::find(rest, b"-->") {
                    Some(end) => at = start + 3 + end + 3,
                    None => break,
                }
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let name_len = bytes
                    .get(start..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
                    .count();
                let name = html.get(start..start + name_len).unwrap_or_default();
                let is = |list: &[&str]| list.iter().any(|n| n.eq_ignore_ascii_case(name));
                if is(VOID) || is(OPTIONAL_END) || self_closing(bytes, start + name_len) {
                    continue;
                }
                depth += 1;
                if depth > MAX_HTML_DEPTH {
                    return true;
                }
            }
            // `<!--`, `<!DOCTYPE`, `<?xml` and a bare `<` in text open nothing.
            _ => {}
        }
    }
    false
}

/// The error of a document refused by `html_too_deep`, as read by `kind`.
pub fn too_deep(kind: SourceKind) -> ParseError {
    ParseError::malformed(
        kind,
        format!("elements are nested deeper than {MAX_HTML_DEPTH}"),
    )
}

/// Whether the tag whose name ends at `from` closes itself (`<x ... />`).
fn self_closing(bytes: &[u8], from: usize) -> bool {
    let rest = bytes.get(from..).unwrap_or_default();
    match memchr::memchr(b'>', rest) {
        Some(end) => end > 0 && rest.get(end - 1) == Some(&b'/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_job_page_is_well_within_the_cap() {
        let page = include_str!("../../testdata/corpus/icims/job_detail_rsp.html");
        assert!(!html_too_deep(page));
    }

    #[test]
    fn elements_nested_past_the_cap_are_too_deep() {
        let deep = |n: usize| format!("{}x{}", "<div>".repeat(n), "</div>".repeat(n));
        assert!(!html_too_deep(&deep(MAX_HTML_DEPTH)));
        assert!(html_too_deep(&deep(MAX_HTML_DEPTH + 1)));
    }

    #[test]
    fn flat_siblings_and_void_and_unclosed_list_items_do_not_add_up() {
        let siblings = "<div>x</div>".repeat(10_000);
        let voids = "<br><img src=a><hr/>".repeat(10_000);
        let items = format!("<ul>{}</ul>", "<li>item<p>para".repeat(10_000));
        let self_closed = "<span/>".repeat(10_000);
        for html in [siblings, voids, items, self_closed] {
            assert!(!html_too_deep(&html), "{}", &html[..40]);
        }
    }

    #[test]
    fn comments_doctypes_and_stray_less_than_signs_open_nothing() {
        let html = "<!DOCTYPE html><!-- <div> -->a < b".repeat(10_000);
        assert!(!html_too_deep(&html));
    }
}
