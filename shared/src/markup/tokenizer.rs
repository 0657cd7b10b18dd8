//! A tokenizer for untrusted HTML fragments: where tags, attributes, comments and raw text
//! begin and end, by the WHATWG tokenizer's rules, without building a tree.
//!
//! The sanitizer, the HTML-to-text reader and the description cutter all read markup through
//! here, so they agree on what is a tag. What matters for safety is not that this reading
//! matches a browser's in every corner (the sanitizer re-serializes everything it keeps, with
//! all text escaped), but where it follows the standard it keeps the content a browser
//! would show: a `>` inside a quoted attribute value does not end the tag, a quote in the
//! middle of an unquoted value does not start one, `<3` and `a < b` are text, comments end at
//! `-->` (or `--!>`, or right after `<!--` when it is followed by `>` or `->`), and a tag
//! cut off by the end of the input is dropped.

use std::borrow::Cow;

/// Elements whose content is not markup but raw text up to their own end tag (the
/// tokenizer's script, RAWTEXT and RCDATA states, with scripting on as in a browser).
pub(crate) const RAW_TEXT: &[&str] = &[
    "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "title", "textarea",
];

/// One piece of an HTML fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// Text as written, character references not yet decoded.
    Text(&'a str),
    /// A start tag.
    Start(Tag<'a>),
    /// An end tag's lower-case name (its attributes, which mean nothing, are skipped).
    End(Cow<'a, str>),
}

/// A start tag: its lower-case name, the source of its attributes, and whether it ends in
/// `/>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag<'a> {
    pub(crate) name: Cow<'a, str>,
    attributes: &'a str,
    pub(crate) self_closing: bool,
}

impl<'a> Tag<'a> {
    /// The attributes in source order, each name in lower case and each value as written
    /// (character references not decoded; empty for an attribute without a value).
    pub(crate) fn attributes(&self) -> std::vec::IntoIter<(Cow<'a, str>, &'a str)> {
        let mut pairs = Vec::new();
        // The source was already scanned to its end, so this scan cannot meet the end of
        // input; what it collects is all there is either way.
        let _ = scan_attributes(self.attributes, 0, |name, value| pairs.push((name, value)));
        pairs.into_iter()
    }
}

/// Reads a fragment token by token. Comments, doctypes, processing instructions and `</>`
/// yield nothing.
#[derive(Debug, Clone)]
pub(crate) struct Tokenizer<'a> {
    html: &'a str,
    at: usize,
}

impl<'a> Tokenizer<'a> {
    pub(crate) fn new(html: &'a str) -> Self {
        Self { html, at: 0 }
    }

    /// The byte offset of the next token (or skipped markup) in the fragment.
    pub(crate) fn offset(&self) -> usize {
        self.at
    }

    /// The content of a raw-text element whose start tag was just read (`script`, `style`,
    /// `textarea`...): everything up to its end tag `</name` (any case, followed by a
    /// space, `/` or `>`), which is left to be read next. Without an end tag, the rest.
    pub(crate) fn raw_text(&mut self, name: &str) -> &'a str {
        let rest = self.html.get(self.at..).unwrap_or_default();
        let end = find_end_tag(rest, name).unwrap_or(rest.len());
        self.at += end;
        rest.get(..end).unwrap_or_default()
    }

    /// Everything not yet read, as text (what follows `<plaintext>`).
    pub(crate) fn rest_as_text(&mut self) -> &'a str {
        let rest = self.html.get(self.at..).unwrap_or_default();
        self.at = self.html.len();
        rest
    }
}

impl<'a> Tokenizer<'a> {
    /// The next token and the offset where it starts (after any markup skipped before it).
    pub(crate) fn next_with_start(&mut self) -> Option<(usize, Token<'a>)> {
        loop {
            let start = self.at;
            let rest = self.html.get(start..).filter(|rest| !rest.is_empty())?;
            let markup = markup_start(rest.as_bytes());
            if markup > 0 {
                self.at += markup;
                return rest.get(..markup).map(|text| (start, Token::Text(text)));
            }
            let (token, len) = read_markup(rest);
            self.at += len.max(1);
            if let Some(token) = token {
                return Some((start, token));
            }
        }
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        self.next_with_start().map(|(_, token)| token)
    }
}

/// HTML whitespace (after the input stream's CR normalization, `\r` counts too).
fn is_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Where the first `<` that opens markup is (the end of the text before it), or the length.
fn markup_start(bytes: &[u8]) -> usize {
    let mut from = 0;
    while let Some(offset) = bytes
        .get(from..)
        .and_then(|rest| memchr::memchr(b'<', rest))
    {
        let lt = from + offset;
        match bytes.get(lt + 1) {
            Some(c) if c.is_ascii_alphabetic() || matches!(c, b'!' | b'?') => return lt,
            // `</` opens markup unless the input ends right after it.
            Some(b'/') if lt + 2 < bytes.len() => return lt,
            _ => from = lt + 1,
        }
    }
    bytes.len()
}

/// Reads the markup at the start of `markup` (a `<` that opens markup): the token, if any,
/// and how many bytes it takes.
fn read_markup(markup: &str) -> (Option<Token<'_>>, usize) {
    let bytes = markup.as_bytes();
    let up_to_gt = |from: usize| {
        bytes
            .get(from..)
            .and_then(|rest| memchr::memchr(b'>', rest))
            .map_or(bytes.len(), |i| from + i + 1)
    };
    match bytes.get(1) {
        Some(b'!') if bytes.get(2..4) == Some(b"--") => (None, comment_end(bytes)),
        // Doctypes, `<![CDATA[` (a bogus comment in HTML content), `<?...>`, `</ ...>`.
        Some(b'!' | b'?') => (None, up_to_gt(2)),
        Some(b'/') => match bytes.get(2) {
            Some(b'>') => (None, 3),
            Some(c) if c.is_ascii_alphabetic() => match read_tag(markup, 2) {
                Some((tag, len)) => (Some(Token::End(tag.name)), len),
                None => (None, bytes.len()),
            },
            _ => (None, up_to_gt(2)),
        },
        _ => match read_tag(markup, 1) {
            Some((tag, len)) => (Some(Token::Start(tag)), len),
            // A tag cut off by the end of the input is dropped.
            None => (None, bytes.len()),
        },
    }
}

/// The length of the comment at the start of `bytes` (which starts with `<!--`).
fn comment_end(bytes: &[u8]) -> usize {
    let body = bytes.get(4..).unwrap_or_default();
    if body.starts_with(b">") {
        return 5;
    }
    if body.starts_with(b"->") {
        return 6;
    }
    let mut from = 0;
    while let Some(offset) = body
        .get(from..)
        .and_then(|rest| memchr::memmem::find(rest, b"--"))
    {
        let dashes = from + offset;
        let after = body.get(dashes + 2..).unwrap_or_default();
        if after.starts_with(b">") {
            return 4 + dashes + 3;
        }
        if after.starts_with(b"!>") {
            return 4 + dashes + 4;
        }
        from = dashes + 1;
    }
    bytes.len()
}

/// Reads a tag whose name starts at `name_start`: the tag and its length, or `None` when the
/// input ends inside it.
fn read_tag(markup: &str, name_start: usize) -> Option<(Tag<'_>, usize)> {
    let bytes = markup.as_bytes();
    let name_len = bytes
        .get(name_start..)?
        .iter()
        .position(|&b| is_space(b) || b == b'/' || b == b'>')?;
    let name = markup.get(name_start..name_start + name_len)?;
    let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    };
    let attributes_start = name_start + name_len;
    let (end, self_closing) = scan_attributes(markup, attributes_start, |_, _| {})?;
    let attributes_end = end - if self_closing { 2 } else { 1 };
    let tag = Tag {
        name,
        attributes: markup.get(attributes_start..attributes_end)?,
        self_closing,
    };
    Some((tag, end))
}

/// Runs the tokenizer's attribute states over `source` from `from`, handing each attribute
/// (lower-case name, raw value) to `found`. Returns where the tag ends (just past its `>`)
/// and whether it was `/>`, or `None` when the input ends first. Without a closing `>` in
/// `source` (an attribute source already cut from its tag), attributes are still handed
/// over before the `None`.
fn scan_attributes<'a>(
    source: &'a str,
    from: usize,
    mut found: impl FnMut(Cow<'a, str>, &'a str),
) -> Option<(usize, bool)> {
    let bytes = source.as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    let slice = |from: usize, to: usize| source.get(from..to).unwrap_or_default();
    let mut i = from;
    loop {
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        match at(i)? {
            b'>' => return Some((i + 1, false)),
            b'/' => {
                if at(i + 1) == Some(b'>') {
                    return Some((i + 2, true));
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        // The name's first character may be anything, `=` included.
        let name_start = i;
        i += 1;
        while at(i).is_some_and(|b| !is_space(b) && !matches!(b, b'/' | b'>' | b'=')) {
            i += 1;
        }
        let raw_name = slice(name_start, i);
        let name = if raw_name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(raw_name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(raw_name)
        };
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        if at(i) != Some(b'=') {
            found(name, "");
            continue;
        }
        i += 1;
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        let value = match at(i) {
            Some(quote @ (b'"' | b'\'')) => {
                let start = i + 1;
                let Some(len) = bytes.get(start..).and_then(|r| memchr::memchr(quote, r)) else {
                    found(name, slice(start, bytes.len()));
                    return None;
                };
                i = start + len + 1;
                slice(start, start + len)
            }
            // `<a href=>`: an empty value, and the tag ends here.
            Some(b'>') => "",
            Some(_) => {
                let start = i;
                while at(i).is_some_and(|b| !is_space(b) && b != b'>') {
                    i += 1;
                }
                slice(start, i)
            }
            None => "",
        };
        found(name, value);
    }
}

/// Where the end tag `</name` (any case, then a space, `/` or `>`) starts in `text`.
fn find_end_tag(text: &str, name: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = bytes
        .get(from..)
        .and_then(|rest| memchr::memmem::find(rest, b"</"))
    {
        let start = from + offset;
        let name_end = start + 2 + name.len();
        let matches_name = bytes
            .get(start + 2..name_end)
            .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name.as_bytes()));
        if matches_name
            && bytes
                .get(name_end)
                .is_none_or(|&b| is_space(b) || b == b'/' || b == b'>')
        {
            return Some(start);
        }
        from = start + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens of `html`, written compactly: `<name attr=value ...>`, `</name>`, `"text"`.
    fn tokens(html: &str) -> Vec<String> {
        Tokenizer::new(html)
            .map(|token| match token {
                Token::Text(text) => format!("{text:?}"),
                Token::End(name) => format!("</{name}>"),
                Token::Start(tag) => {
                    let mut out = format!("<{}", tag.name);
                    for (name, value) in tag.attributes() {
                        out.push_str(&format!(" {name}={value}"));
                    }
                    if tag.self_closing {
                        out.push('/');
                    }
                    out.push('>');
                    out
                }
            })
            .collect()
    }

    #[test]
    fn tags_attributes_and_text_are_read_in_order() {
        assert_eq!(
            tokens(r#"<P Class="a b" id='x' HIDDEN data-n=3>Hi<br/></p>"#),
            [
                "<p class=a b id=x hidden= data-n=3>",
                "\"Hi\"",
                "<br/>",
                "</p>"
            ]
        );
    }

    #[test]
    fn a_quoted_gt_stays_in_the_value_and_a_stray_quote_starts_nothing() {
        assert_eq!(
            tokens(r#"<a title="a > b" href=x"y>t</a>"#),
            ["<a title=a > b href=x\"y>", "\"t\"", "</a>"]
        );
        // A quote that does not follow `=` is part of an attribute name.
        assert_eq!(tokens(r#"<a "b>c"#), ["<a \"b=>", "\"c\""]);
    }

    #[test]
    fn angle_brackets_that_open_no_markup_are_text() {
        assert_eq!(tokens("3 < 4 <3 a<=b"), ["\"3 < 4 <3 a<=b\""]);
        assert_eq!(tokens("x</"), ["\"x</\""]);
    }

    #[test]
    fn comments_doctypes_and_bogus_markup_yield_nothing() {
        assert_eq!(
            tokens("a<!-- <p>x</p> -->b<!DOCTYPE html>c<?xml v?>d</ x>e</>f<![CDATA[g]]>h"),
            [
                "\"a\"", "\"b\"", "\"c\"", "\"d\"", "\"e\"", "\"f\"", "\"h\""
            ]
        );
        assert_eq!(
            tokens("a<!-->b<!--->c<!--x--!>d"),
            ["\"a\"", "\"b\"", "\"c\"", "\"d\""]
        );
        assert_eq!(tokens("a<!-- never closed <p>"), ["\"a\""]);
    }

    #[test]
    fn a_tag_cut_off_by_the_end_of_input_is_dropped() {
        assert_eq!(tokens("ok<a href=\"x"), ["\"ok\""]);
        assert_eq!(tokens("ok<b"), ["\"ok\""]);
        assert_eq!(tokens("ok</b"), ["\"ok\""]);
    }

    #[test]
    fn raw_text_runs_to_its_own_end_tag_in_any_case() {
        let mut tokenizer = Tokenizer::new("<script>if (a</b) x('</scripts>')</SCRIPT >after");
        assert!(matches!(tokenizer.next(), Some(Token::Start(tag)) if tag.name == "script"));
        assert_eq!(tokenizer.raw_text("script"), "if (a</b) x('</scripts>')");
        assert_eq!(tokenizer.next(), Some(Token::End("script".into())));
        assert_eq!(tokenizer.next(), Some(Token::Text("after")));
        assert_eq!(tokenizer.next(), None);

        let mut unclosed = Tokenizer::new("<style>p { }");
        unclosed.next();
        assert_eq!(unclosed.raw_text("style"), "p { }");
        assert_eq!(unclosed.next(), None);
    }

    #[test]
    fn each_token_knows_where_it_starts_past_skipped_markup() {
        let mut tokenizer = Tokenizer::new("ab<i>c<!--x--></i>");
        let mut starts = Vec::new();
        while let Some((start, _)) = tokenizer.next_with_start() {
            starts.push(start);
        }
        assert_eq!(starts, [0, 2, 5, 14]);
        assert_eq!(tokenizer.offset(), 18);
    }
}
