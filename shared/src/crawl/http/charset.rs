//! Decoding a response body to UTF-8: a byte-order mark first, then the `Content-Type` charset,
//! then a `<meta>` declaration near the top of the document, else UTF-8 (lossy).

use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use regex::bytes::Regex;

/// How far into the body a `<meta>` charset declaration is looked for (the HTML prescan also
/// stops at 1024 bytes).
const META_PRESCAN_BYTES: usize = 1024;

/// Both `<meta charset="x">` and `<meta http-equiv="Content-Type" content="text/html;
/// charset=x">` carry `charset=` inside one `<meta ...>` tag.
static META_CHARSET: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)<meta\s[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)"#).ok()
});

/// Decodes `body` to UTF-8. `content_type` is the response's `Content-Type` header, if any.
/// Malformed sequences become U+FFFD; this never fails.
pub(crate) fn decode_body(content_type: Option<&str>, body: &[u8]) -> String {
    let encoding = content_type
        .and_then(charset_param)
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        .or_else(|| meta_charset(body))
        .unwrap_or(UTF_8);
    // `decode` lets a byte-order mark override the declared encoding, as browsers do.
    let (text, _, _) = encoding.decode(body);
    text.into_owned()
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
    let regex = META_CHARSET.as_ref()?;
    let label = regex.captures(head)?.get(1)?.as_bytes();
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
}
