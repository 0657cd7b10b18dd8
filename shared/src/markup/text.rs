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
    // Every forbidden character is an ASCII control byte, which UTF-8 never uses inside a
    // longer character, or U+FFFE/U+FFFF: a byte scan (in blocks without early exit, so
    // it vectorizes) and two substring searches clear clean text (nearly all of it) many
    // times faster than decoding each character.
    let control = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r');
    let clean_bytes = text
        .as_bytes()
        .chunks(256)
        .all(|block| !block.iter().fold(false, |seen, &b| seen | control(b)));
    if clean_bytes && !text.contains('\u{fffe}') && !text.contains('\u{ffff}') {
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

/// The byte a character stands for when UTF-8 was read as windows-1252 (or Latin-1): its
/// code point up to U+00FF (C1 controls included, as Latin-1 leaves them), or the
/// windows-1252 byte of the typographic characters that encoding puts at 0x80 to 0x9F.
fn mojibake_byte(c: char) -> Option<u8> {
    if let Ok(byte) = u8::try_from(u32::from(c)) {
        return (byte >= 0x80).then_some(byte);
    }
    let byte = match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(byte)
}

/// `text` with its double-encoded stretches repaired: UTF-8 that was decoded as
/// windows-1252 or Latin-1 and encoded again (`CocaâCola`, `Â£20k`, `donâ€™t`). A stretch
/// is a run of characters that stand for bytes 0x80 to 0xFF (see `mojibake_byte`); it is
/// replaced only when those bytes are valid UTF-8 that reads as at least one character
/// above U+007F and no C1 control, which text that is fine practically never is (a lone
/// `é` is not valid UTF-8; `ÇÃ` is not either). In `html`, `&nbsp;` inside a stretch stands
/// for byte 0xA0 (`Â&nbsp;`: a no-break space double-encoded, then escaped).
pub fn repair_double_encoding(text: &str, html: bool) -> Cow<'_, str> {
    // Fast path: nothing above ASCII, nothing to repair.
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while at < text.len() {
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        if mojibake_byte(c).is_none() {
            at += c.len_utf8();
            continue;
        }
        // A run of byte-like characters from `at`.
        let start = at;
        let mut bytes = Vec::new();
        let mut end = at;
        loop {
            let rest = &text[end..];
            if html && !bytes.is_empty() && rest.starts_with("&nbsp;") {
                bytes.push(0xA0);
                end += "&nbsp;".len();
                continue;
            }
            match rest
                .chars()
                .next()
                .and_then(|c| Some((c, mojibake_byte(c)?)))
            {
                Some((c, byte)) => {
                    bytes.push(byte);
                    end += c.len_utf8();
                }
                _ => break,
            }
        }
        let repaired = std::str::from_utf8(&bytes)
            .ok()
            .filter(|decoded| plausible_repair(decoded));
        if let Some(decoded) = repaired {
            out.push_str(&text[copied..start]);
            out.push_str(decoded);
            copied = end;
        }
        at = end.max(start + c.len_utf8());
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Whether the text a run of byte-like characters re-decodes to is what double encoding
/// makes of real text. Letters of Latin-1 and Latin Extended-A (`é`, `ł`) and anything
/// encoded in three or four bytes (`’`, `—`, `€`, CJK) are strong evidence; Latin
/// Extended-B, Greek and Cyrillic are weak (an accented capital before a quote mark re-reads
/// as one of them), so they need a second such letter; anything else (IPA, Hebrew, Syriac,
/// C1 controls: what `Ü“` or `Ö°` would re-read as) means the text was fine.
fn plausible_repair(decoded: &str) -> bool {
    let (mut strong, mut weak) = (0, 0);
    for c in decoded.chars() {
        match u32::from(c) {
            0x00..=0x7F => {}
            0xA0..=0x17F | 0x800.. => strong += 1,
            0x180..=0x24F | 0x370..=0x4FF => weak += 1,
            _ => return false,
        }
    }
    strong > 0 || weak >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn double_encoded_text_is_repaired() {
        let cases = [
            ("Coca\u{e2}\u{80}\u{91}Cola", "Coca\u{2011}Cola"),
            (
                "Ð¡Ñ‚Ð°Ñ€ÑˆÐ¸Ð¹ Ñ€Ð°Ð·Ñ€Ð°Ð±Ð¾Ñ‚Ñ‡Ð¸Ðº",
                "Старший разработчик",
            ),
            ("ã‚·ãƒ‹ã‚¢", "シニア"),
            ("Â£20k bonus", "£20k bonus"),
            ("donâ€™t apply", "don’t apply"),
            (
                "No experience is required \u{e2}\u{80}\u{94} training",
                "No experience is required — training",
            ),
            ("Ingénieur", "Ingénieur"),
            ("MontrÃ©al, QuÃ©bec", "Montréal, Québec"),
            ("â€œQuotedâ€\u{9d}", "“Quoted”"),
        ];
        for (broken, fixed) in cases {
            assert_eq!(repair_double_encoding(broken, false), fixed, "{broken:?}");
        }
        assert_eq!(
            repair_double_encoding("<p>an\u{c2}&nbsp;<strong>Entry</strong></p>", true),
            "<p>an\u{a0}<strong>Entry</strong></p>"
        );
    }

    #[test]
    fn text_that_is_fine_is_left_alone() {
        for text in [
            "Senior Back-End Developer",
            "Développeur back-end sénior, Montréal",
            "SÃO PAULO — ÇÃO",
            "Zürich · München · Köln",
            "Große Straße ÄÖÜ äöü ß",
            "Łódź, Kraków",
            "Ørsted, Århus, Æbeltoft",
            "シニアバックエンドエンジニア",
            "Старший бэкенд-разработчик",
            "Μηχανικός λογισμικού",
            "مهندس برمجيات أول",
            "€100k – €120k “base” ‘bonus’ • 5 × 2",
            "Café «crème» ¿qué? ¡sí! © ® ° ± ½",
            "CAFÉ” ÜBER“ KÖLN° FRANÇ’",
        ] {
            assert_eq!(repair_double_encoding(text, false), text);
            assert_eq!(repair_double_encoding(text, true), text);
        }
    }

    /// Real words of many scripts (accented Latin of a dozen languages, Cyrillic, Greek,
    /// Japanese, Chinese, Arabic, Hebrew) and the signs job postings put between them.
    const WORDS: &[&str] = &[
        "Développeur",
        "sénior",
        "Montréal",
        "Québec",
        "cœur",
        "œuvre",
        "façade",
        "naïve",
        "Zürich",
        "München",
        "Köln",
        "Straße",
        "Größe",
        "ÄÖÜ",
        "Łódź",
        "Kraków",
        "Gdańsk",
        "Ørsted",
        "Århus",
        "Ærø",
        "København",
        "São",
        "Paulo",
        "João",
        "ação",
        "ÇÃO",
        "Ñandú",
        "España",
        "año",
        "Málaga",
        "Reykjavík",
        "Þór",
        "Brăila",
        "Şişli",
        "İzmir",
        "Čeština",
        "Žilina",
        "Škoda",
        "Ελλάδα",
        "Μηχανικός",
        "Москва",
        "разработчик",
        "Старший",
        "シニア",
        "エンジニア",
        "東京",
        "北京",
        "工程师",
        "مهندس",
        "برمجيات",
        "מהנדס",
        "€100k",
        "£80,000",
        "¥8,000,000",
        "C++",
        "C#",
        "R&D",
        "5–10",
        "©",
        "®",
        "½",
        "°C",
        "±",
        "¿qué?",
        "¡sí!",
        "«crème»",
        "“base”",
        "‘bonus’",
        "—",
        "•",
        "…",
    ];

    proptest! {
        #[test]
        fn clean_text_in_many_scripts_stays_untouched(
            words in prop::collection::vec(prop::sample::select(WORDS), 0..16),
            glue in prop::collection::vec(prop::sample::select(&[" ", ", ", " – ", ": ", "\n", " / "][..]), 16),
        ) {
            let mut text = String::new();
            for (word, glue) in words.iter().zip(&glue) {
                text.push_str(word);
                text.push_str(glue);
            }
            prop_assert_eq!(repair_double_encoding(&text, false), text.as_str());
        }
    }

    proptest! {
        #[test]
        fn the_byte_scan_clears_exactly_the_text_whose_every_character_xml_allows(
            text in "(\\PC|[\\x00-\\x1f]|\u{fffd}|\u{fffe}|\u{ffff}|\u{efbf}){0,24}",
        ) {
            let kept = remove_xml_forbidden(&text);
            prop_assert_eq!(
                matches!(kept, Cow::Borrowed(_)),
                text.chars().all(xml_allowed),
                "{:?}", text
            );
            prop_assert!(kept.chars().all(xml_allowed));
        }
    }

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
