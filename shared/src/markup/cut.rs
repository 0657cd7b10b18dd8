//! Cutting descriptions to fit a size limit (a queue message, a database item) without
//! leaving half a tag, half an entity or an unclosed element behind.

use super::tokenizer::{Token, Tokenizer};

/// Shortens a posting's two descriptions by about `excess` bytes in total, each in
/// proportion to its length, so the posting fits a size limit (a queue message, a database
/// item): the text keeps a prefix ending in `…`, the HTML a prefix with any half tag dropped
/// and its open elements closed again. Identity fields are left alone: the
/// content hash still describes the source's posting.
pub fn truncate_descriptions(posting: &mut crate::model::JobPosting, excess: usize) {
    truncate_pair(
        &mut posting.description_html,
        &mut posting.description_text,
        excess,
    );
}

/// Shortens an HTML description and its text as `truncate_descriptions` does. The HTML may
/// be a source's raw HTML (a record on its way to ingest): the cut never ends inside a tag
/// or an entity, and the sanitizer makes the rest well formed.
pub fn truncate_pair(html: &mut String, text: &mut String, excess: usize) {
    let html_len = html.len();
    let total = html_len + text.len();
    if total == 0 || excess == 0 {
        return;
    }
    // A little extra for the ellipsis and the closing tags added back.
    let keep = total.saturating_sub(excess + 256);
    let html_keep = (keep as u128 * html_len as u128 / total as u128) as usize;
    let text_keep = keep.saturating_sub(html_keep);
    *html = cut_html(html, html_keep);
    *text = cut_text(text, text_keep);
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
    let cut = |at: usize| trim_partial_entity(html.get(..at.min(limit)).unwrap_or_default());
    let mut open: Vec<String> = Vec::new();
    let mut tokens = Tokenizer::new(html);
    // Where the last whole token ended: markup skipped after it (a comment) that runs past
    // the limit is cut off here.
    let mut whole = 0;
    while let Some((start, token)) = tokens.next_with_start() {
        let end = tokens.offset();
        if start > limit {
            return (cut(whole), open);
        }
        match token {
            Token::Text(_) if end > limit => return (cut(limit), open),
            Token::Text(_) => {}
            _ if end > limit => return (cut(start), open),
            Token::Start(tag) => {
                if !tag.self_closing && !super::nesting::VOID.contains(&&*tag.name) {
                    open.push(tag.name.into_owned());
                }
            }
            Token::End(name) => {
                if let Some(i) = open.iter().rposition(|o| *o == name) {
                    open.truncate(i);
                }
            }
        }
        whole = end;
    }
    // What follows the last token is skipped markup: whole if it fits, else cut off.
    let end = if html.len() <= limit {
        html.len()
    } else {
        whole
    };
    (cut(end), open)
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

/// The largest char boundary of `text` at or below `index`.
pub(crate) fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    if index >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::sanitize::sanitize_html;

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
}
