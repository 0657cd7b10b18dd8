//! Decoding a document's bytes to UTF-8, in the order the specifications give: a byte-order
//! mark first, then the `Content-Type` charset (when the bytes came over HTTP), then the XML
//! declaration (`<?xml ... encoding="..."?>`) of an XML document, then a `<meta>` declaration
//! near the top of an HTML one, else UTF-8 (lossy). The crawler's fetcher and `jobfeed parse`
//! (a saved file) decode the same way.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// How far into the body a `<meta>` charset declaration is looked for (the HTML prescan also
/// stops at 1024 bytes).
const META_PRESCAN_BYTES: usize = 1024;

/// The label of the first `<meta>` tag in `head` that declares a charset: both
/// `<meta charset="x">` and `<meta http-equiv="Content-Type" content="text/html;
/// charset=x">` carry `charset=` inside one `<meta ...>` tag. Any case; spaces allowed
/// around `=` and inside the quotes. A byte scan: the crawler carries no regex engine.
fn meta_charset_label(head: &[u8]) -> Option<&[u8]> {
    let is_space = |b: &u8| matches!(b, b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' | b' ');
    let is_label = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-');
    let starts = |text: &[u8], at: usize, word: &[u8]| {
        text.get(at..at + word.len())
            .is_some_and(|found| found.eq_ignore_ascii_case(word))
    };
    let skip = |text: &[u8], mut at: usize, class: &dyn Fn(&u8) -> bool| {
        while text.get(at).is_some_and(class) {
            at += 1;
        }
        at
    };
    for start in (0..head.len()).filter(|&at| starts(head, at, b"<meta")) {
        let attributes = start + 5;
        if !head.get(attributes).is_some_and(is_space) {
            continue;
        }
        let rest = head.get(attributes..).unwrap_or_default();
        let tag = rest
            .get(..memchr::memchr(b'>', rest).unwrap_or(rest.len()))
            .unwrap_or_default();
        for at in (0..tag.len()).filter(|&at| starts(tag, at, b"charset")) {
            let mut at = skip(tag, at + 7, &is_space);
            if tag.get(at) != Some(&b'=') {
                continue;
            }
            at = skip(tag, at + 1, &is_space);
            if matches!(tag.get(at), Some(b'"' | b'\'')) {
                at += 1;
            }
            at = skip(tag, at, &is_space);
            let end = skip(tag, at, &is_label);
            if end > at {
                return tag.get(at..end);
            }
        }
    }
    None
}

/// The label the XML declaration at the very start of `head` gives (`<?xml version="1.0"
/// encoding="ISO-8859-1"?>`), if any: single or double quotes, any spacing.
fn xml_declaration_label(head: &[u8]) -> Option<&[u8]> {
    let declaration = head.strip_prefix(b"<?xml")?;
    let declaration = declaration.get(..memchr::memmem::find(declaration, b"?>")?)?;
    let at = memchr::memmem::find(declaration, b"encoding")? + b"encoding".len();
    let rest = declaration
        .get(at..)?
        .trim_ascii_start()
        .strip_prefix(b"=")?;
    let rest = rest.trim_ascii_start();
    let quote = *rest.first().filter(|q| matches!(q, b'"' | b'\''))?;
    let value = rest.get(1..)?;
    let end = memchr::memchr(quote, value)?;
    value.get(..end).map(<[u8]>::trim_ascii)
}

/// The encoding an XML declaration at the start of `body` names, if any (`body` after a
/// byte-order mark is not looked at: the mark decides then).
fn xml_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = body.get(..META_PRESCAN_BYTES).unwrap_or(body);
    let encoding = Encoding::for_label(xml_declaration_label(head)?)?;
    // Bytes that spell the declaration in ASCII are not UTF-16, whatever it claims.
    if encoding == UTF_16LE || encoding == UTF_16BE {
        Some(UTF_8)
    } else {
        Some(encoding)
    }
}

/// Decodes `body` to UTF-8. `content_type` is the response's `Content-Type` header, if any
/// (`None` for a saved file). Malformed sequences become U+FFFD; this never fails.
pub fn decode_body(content_type: Option<&str>, body: &[u8]) -> String {
    let encoding = content_type
        .and_then(charset_param)
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        .or_else(|| xml_charset(body))
        .or_else(|| meta_charset(body))
        .unwrap_or(UTF_8);
    // `decode` lets a byte-order mark override the declared encoding, as browsers do.
    let (text, _, _) = encoding.decode(body);
    text.into_owned()
}

/// A saved document (no HTTP header) decoded by what it declares: `Some` when a byte-order
/// mark or its XML or `<meta>` declaration names an encoding other than UTF-8, `None` when it
/// is UTF-8 by every account (the caller reads its bytes as they are, with its own checks
/// for binary input).
pub fn decode_declared(body: &[u8]) -> Option<String> {
    let (encoding, _) = Encoding::for_bom(body).or_else(|| {
        xml_charset(body)
            .or_else(|| meta_charset(body))
            .map(|e| (e, 0))
    })?;
    (encoding != UTF_8).then(|| decode_body(None, body))
}

/// The `charset` parameter of a `Content-Type` value, unquoted.
fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']).to_owned())
    })
}

/// The encoding a `<meta>` tag in the first [`META_PRESCAN_BYTES`] declares, if any.
fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = body.get(..META_PRESCAN_BYTES).unwrap_or(body);
    let label = meta_charset_label(head)?;
    let encoding = Encoding::for_label(label)?;
    // A document whose bytes could be read as ASCII to find this tag is not UTF-16; the HTML
    // standard reads such a declaration as UTF-8.
    if encoding == UTF_16LE || encoding == UTF_16BE {
        Some(UTF_8)
    } else {
        Some(encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAFE_LATIN1: &[u8] = b"Caf\xe9 cr\xe8me";

    #[test]
    fn the_header_charset_decodes_latin1() {
        let text = decode_body(Some("text/html; charset=ISO-8859-1"), CAFE_LATIN1);
        assert_eq!(text, "Café crème");
    }

    #[test]
    fn a_quoted_header_charset_is_understood() {
        let text = decode_body(
            Some("text/plain; format=flowed; charset=\"latin1\""),
            CAFE_LATIN1,
        );
        assert_eq!(text, "Café crème");
    }

    #[test]
    fn the_meta_charset_applies_when_the_header_has_none() {
        let mut body = b"<html><head><meta charset=\"iso-8859-1\"></head><p>".to_vec();
        body.extend_from_slice(CAFE_LATIN1);
        let text = decode_body(Some("text/html"), &body);
        assert!(text.ends_with("<p>Café crème"), "{text}");
    }

    #[test]
    fn the_meta_http_equiv_content_type_applies_when_the_header_has_none() {
        let mut body = b"<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" \
            CONTENT=\"text/html; charset=windows-1252\"></HEAD>\x93"
            .to_vec();
        body.extend_from_slice(CAFE_LATIN1);
        let text = decode_body(None, &body);
        assert!(text.ends_with("</HEAD>\u{201c}Café crème"), "{text}");
    }

    #[test]
    fn the_header_charset_wins_over_the_meta_charset() {
        let body = "<meta charset=\"iso-8859-1\">Café".as_bytes();
        let text = decode_body(Some("text/html; charset=utf-8"), body);
        assert_eq!(text, "<meta charset=\"iso-8859-1\">Café");
    }

    #[test]
    fn a_meta_charset_after_the_first_1024_bytes_is_ignored() {
        let mut body = vec![b' '; 1100];
        body.extend_from_slice(b"<meta charset=\"iso-8859-1\">");
        body.extend_from_slice(CAFE_LATIN1);
        let text = decode_body(None, &body);
        assert!(text.ends_with("Caf\u{fffd} cr\u{fffd}me"), "{text}");
    }

    #[test]
    fn without_any_declaration_utf8_is_assumed_and_bad_bytes_are_replaced() {
        assert_eq!(decode_body(None, "Zürich".as_bytes()), "Zürich");
        assert_eq!(decode_body(None, b"Z\xfcrich"), "Z\u{fffd}rich");
    }

    #[test]
    fn an_unknown_header_charset_falls_back_to_the_meta_charset() {
        let mut body = b"<meta charset=latin1>".to_vec();
        body.extend_from_slice(CAFE_LATIN1);
        let text = decode_body(Some("text/html; charset=klingon"), &body);
        assert_eq!(text, "<meta charset=latin1>Café crème");
    }

    #[test]
    fn a_byte_order_mark_overrides_the_declared_charset() {
        let body = b"\xef\xbb\xbfCaf\xc3\xa9";
        assert_eq!(
            decode_body(Some("text/html; charset=iso-8859-1"), body),
            "Café"
        );
    }

    #[test]
    fn a_meta_declaration_of_utf16_is_read_as_utf8() {
        let body = "<meta charset=\"utf-16\">Café".as_bytes();
        assert_eq!(decode_body(None, body), "<meta charset=\"utf-16\">Café");
    }

    /// The declaration as a regex reads it (what this scan replaced in the crawler).
    #[test]
    fn the_xml_declaration_decodes_a_latin1_feed_without_a_header_charset() {
        let feed = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><title>D\xe9veloppeur back-end s\xe9nior, Montr\xe9al</title></channel></rss>";
        let text = decode_body(Some("application/rss+xml"), feed);
        assert!(
            text.contains("Développeur back-end sénior, Montréal"),
            "{text}"
        );
        let text = decode_body(None, feed);
        assert!(text.contains("Montréal"), "{text}");
    }

    #[test]
    fn the_xml_declaration_reads_windows_1252_and_shift_jis_in_either_quote() {
        let feed = b"<?xml version='1.0' encoding = 'windows-1252' ?><rss><title>\x93Senior\x94 Engineer \x80100k</title></rss>";
        assert!(decode_body(None, feed).contains("\u{201c}Senior\u{201d} Engineer \u{20ac}100k"));
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("シニアバックエンドエンジニア");
        let mut feed = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><rss><title>".to_vec();
        feed.extend_from_slice(&bytes);
        feed.extend_from_slice(b"</title></rss>");
        assert!(decode_body(Some("text/xml"), &feed).contains("シニアバックエンドエンジニア"));
    }

    #[test]
    fn the_header_charset_wins_over_the_xml_declaration_and_a_bom_over_both() {
        let feed = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>Caf\xc3\xa9</t>";
        assert!(decode_body(Some("text/xml; charset=utf-8"), feed).contains("Café"));
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>Café</t>".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert!(decode_body(Some("text/xml; charset=iso-8859-1"), &utf16).contains("Café"));
        assert!(decode_body(None, &utf16).contains("Café"));
    }

    #[test]
    fn a_saved_document_is_decoded_only_when_it_declares_another_encoding() {
        assert_eq!(decode_declared(b"{\"jobs\": []}"), None);
        assert_eq!(decode_declared(b"\xef\xbb\xbf<rss/>"), None);
        assert_eq!(
            decode_declared(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss/>"),
            None
        );
        let latin1 = b"<?xml version=\"1.0\" encoding=\"latin1\"?><t>S\xe9nior</t>";
        assert!(decode_declared(latin1).unwrap().contains("Sénior"));
        let utf16 = [0xFF, 0xFE, b'<', 0, b't', 0, b'/', 0, b'>', 0];
        assert_eq!(decode_declared(&utf16).as_deref(), Some("<t/>"));
    }

    #[test]
    fn a_shift_jis_page_is_read_by_its_meta_charset() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("バックエンドエンジニア");
        let mut page = b"<html><head><meta charset=\"Shift_JIS\"></head><body><h1>".to_vec();
        page.extend_from_slice(&bytes);
        page.extend_from_slice(b"</h1></body></html>");
        assert!(decode_body(None, &page).contains("バックエンドエンジニア"));
    }

    #[test]
    fn an_xml_declaration_without_an_encoding_or_not_at_the_start_is_not_read() {
        assert_eq!(
            xml_declaration_label(b"<?xml version=\"1.0\"?><rss/>"),
            None
        );
        assert_eq!(
            xml_declaration_label(b"<rss><?xml encoding=\"latin1\"?>"),
            None
        );
        assert_eq!(
            xml_declaration_label(b"<?xml version=\"1.0\" encoding=\"latin1\"?>"),
            Some(&b"latin1"[..])
        );
        assert_eq!(
            xml_declaration_label(b"<?xml encoding=\"unterminated"),
            None
        );
    }

    fn reference(head: &[u8]) -> Option<&[u8]> {
        let pattern = r#"(?i-u)<meta\s[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)"#;
        let regex = regex::bytes::Regex::new(pattern).unwrap();
        Some(regex.captures(head)?.get(1)?.as_bytes())
    }

    proptest::proptest! {
        #[test]
        fn the_meta_scan_finds_the_label_a_regex_finds(
            pieces in proptest::collection::vec(proptest::prop_oneof![
                "[a-z =\"'<>/-]{0,8}",
                proptest::strategy::Just("<meta".to_owned()),
                proptest::strategy::Just("<META ".to_owned()),
                proptest::strategy::Just(" charset".to_owned()),
                proptest::strategy::Just("CharSet = ".to_owned()),
                proptest::strategy::Just("\"  UTF-8".to_owned()),
                proptest::strategy::Just("iso-8859-1".to_owned()),
                proptest::strategy::Just(" http-equiv=\"Content-Type\" content=\"text/html; ".to_owned()),
                proptest::strategy::Just(">".to_owned()),
                proptest::strategy::Just("\t".to_owned()),
            ], 0..14)
        ) {
            let head = pieces.concat();
            proptest::prop_assert_eq!(meta_charset_label(head.as_bytes()), reference(head.as_bytes()));
        }
    }
}
