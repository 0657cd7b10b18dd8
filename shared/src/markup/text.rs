//! Plain-text hygiene: characters XML 1.0 cannot carry, and tag-shaped text in fields that
//! are text, not markup (titles, companies, departments, places).

use std::borrow::Cow;

/// Whether XML 1.0 allows `c` in a document: not a C0 control other than tab, newline and
/// carriage return, and not U+FFFE or U+FFFF. (Surrogates cannot occur in a `str`.)
pub fn xml_allowed(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// `text` without what XML 1.0 forbids. An ANSI escape sequence (`ESC [ ... m`, as
/// copy-pasted from a terminal) goes whole, so no `[31m` is left behind.
pub fn remove_xml_forbidden(text: &str) -> Cow<'_, str> {
    if text.chars().all(xml_allowed) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            // Parameter and intermediate bytes, then the final byte (`@` to `~`).
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else if xml_allowed(c) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Removes, in place, what XML 1.0 forbids (see [`remove_xml_forbidden`]).
pub fn scrub(text: &mut String) {
    if let Cow::Owned(clean) = remove_xml_forbidden(text) {
        *text = clean;
    }
}

/// `text` with everything tag-shaped removed: a `<` followed by a letter, `/`, `!` or `?`,
/// up to its `>` (or to the end when none closes it). Each removal leaves a space, so the
/// text on its two sides can never join into a new tag (`<<!---->img ...>`) and the words
/// beside it stay apart: one pass leaves nothing tag-shaped. A `<` before anything else
/// (`5 < 10 years`, `<3`) is text and stays.
///
/// For fields that are text, after their HTML was turned into text: no job title, company,
/// department or place legitimately holds a tag, and clients drop these fields into pages.
pub fn remove_tag_shapes(text: &str) -> Cow<'_, str> {
    let Some(first) = tag_start(text, 0) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    let mut next = Some(first);
    while let Some(start) = next {
        out.push_str(&text[from..start]);
        out.push(' ');
        from = text[start..]
            .find('>')
            .map_or(text.len(), |close| start + close + 1);
        next = tag_start(text, from);
    }
    out.push_str(&text[from..]);
    Cow::Owned(out)
}

/// Where the first tag-shaped `<` of `text` at or after byte `from` is.
fn tag_start(text: &str, from: usize) -> Option<usize> {
    let tail = text.get(from..)?;
    tail.match_indices('<').map(|(at, _)| from + at).find(|at| {
        text[at + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_forbidden_characters_and_ansi_escapes_are_removed() {
        assert_eq!(
            remove_xml_forbidden("Backend Engineer \u{1b}[31m"),
            "Backend Engineer "
        );
        assert_eq!(
            remove_xml_forbidden("a\u{b}b\u{c}c\u{8}d\u{1}e\u{0}f\u{fffe}\u{ffff}"),
            "abcdef"
        );
        assert_eq!(
            remove_xml_forbidden("tab\tline\nreturn\r"),
            "tab\tline\nreturn\r"
        );
        assert!(matches!(
            remove_xml_forbidden("日本語 ok"),
            Cow::Borrowed(_)
        ));
        assert_eq!(remove_xml_forbidden("cut \u{1b}[1;3"), "cut ");
        assert_eq!(remove_xml_forbidden("lone \u{1b} escape"), "lone  escape");
    }

    #[test]
    fn tag_shapes_go_however_they_are_spelled() {
        let gone = [
            "<img src=x onerror=alert(1)>",
            "<script>alert(1)</script>",
            "</>",
            "<!-- comment -->",
            "<?xml x?>",
            "<!x>",
            "<svg/onload=alert(1)",
            "<<img src=x onerror=alert(1)>>",
        ];
        for text in gone {
            let clean = remove_tag_shapes(text);
            assert!(tag_start(&clean, 0).is_none(), "{text:?} -> {clean:?}");
            assert!(
                !clean.contains("onerror") || !clean.contains('<'),
                "{clean:?}"
            );
        }
        assert_eq!(
            remove_tag_shapes("Backend <b>Engineer</b>")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["Backend", "Engineer"]
        );
    }

    #[test]
    fn text_that_only_looks_like_markup_survives() {
        for text in [
            "C++ / C#",
            "R&D Engineer",
            "5 < 10 years",
            "<3 our team",
            "a <= b",
            "シニアバックエンドエンジニア",
            "مهندس برمجيات أول",
            "Engineer (Go) > 5 years",
        ] {
            assert_eq!(remove_tag_shapes(text), text);
            assert!(matches!(remove_tag_shapes(text), Cow::Borrowed(_)));
        }
    }
}
