//! The description sanitizer against an HTML5 parser: ammonia (html5ever's tree builder and
//! serializer, configured with the same allowlist) is the reference.
//!
//! - Safety, on any input: html5ever reads jobfeed's output back exactly as written (ammonia
//!   leaves it unchanged), so what a browser builds from it is what jobfeed wrote: only
//!   allowlisted elements, only `href` (http, https, mailto) and cell spans as attributes.
//! - Fidelity: on every description of the recorded corpus and on generated well-formed
//!   fragments, jobfeed's output is ammonia's, byte for byte.

#[path = "support/sanitizer_reference.rs"]
mod reference;

use jobfeed::extract::{DocumentContext, ExtractKind, extract};
use jobfeed::normalize::sanitize::{html_to_text, sanitize_html, sanitize_with_text};
use proptest::prelude::*;
use reference::{only_allowlisted_markup, reference, reference_for};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/corpus");

/// Every raw HTML description the corpus holds, with the document's URL.
fn corpus_descriptions() -> Vec<(String, url::Url, String)> {
    let urls = std::fs::read_to_string(format!("{CORPUS}/urls.tsv")).unwrap();
    let mut out = Vec::new();
    for (file, url) in urls.lines().filter_map(|line| line.split_once('\t')) {
        let Ok(body) = std::fs::read_to_string(format!("{CORPUS}/{file}")) else {
            continue;
        };
        let url = url::Url::parse(url).unwrap();
        let Ok((_, extraction)) = extract(
            &ExtractKind::Auto,
            &body,
            DocumentContext { url: Some(&url) },
        ) else {
            continue;
        };
        for (i, posting) in extraction.postings.into_iter().enumerate() {
            if let Some(html) = posting.description_html {
                out.push((format!("{file}#{i}"), url.clone(), html));
            }
        }
    }
    out
}

#[test]
fn every_corpus_description_is_sanitized_exactly_as_the_html5_parser_does() {
    let descriptions = corpus_descriptions();
    assert!(
        descriptions.len() >= 25,
        "{} descriptions",
        descriptions.len()
    );
    for (name, url, html) in &descriptions {
        let ours = sanitize_html(html, Some(url));
        assert_eq!(ours, reference_for(html, Some(url)), "{name}");
    }
}

#[test]
fn the_one_pass_text_is_the_text_of_the_sanitized_html() {
    for (name, url, html) in corpus_descriptions() {
        let (clean, text) = sanitize_with_text(&html, Some(&url));
        assert_eq!(clean, sanitize_html(&html, Some(&url)), "{name}");
        assert_eq!(text, html_to_text(&clean), "{name}");
    }
}

#[test]
fn a_form_nested_in_a_form_ends_at_the_first_end_tag_and_stays_well_formed() {
    // The tree builder ignores the inner `</form>` from a table cell, then the outer one
    // (the form pointer is gone), and drops "a" with the rest; the sanitizer ends the form
    // at the inner one. Either way no form content is kept and the output is safe.
    let html =
        "<form><table><tbody><tr><td><form>x</form></td></tr></tbody></table>a</form><p>b</p>";
    let clean = sanitize_html(html, None);
    assert_eq!(clean, "a<p>b</p>");
    assert_eq!(reference(&clean, None), clean);
}

#[test]
fn tree_building_rules_match_the_html5_parser() {
    let base = url::Url::parse("https://jobs.example.com/a/b").unwrap();
    for html in [
        // Implied ends: paragraphs, list items, terms, headings, links.
        "<p>one<p>two<div>three</div>four",
        "<ul><li>a<li>b<ul><li>c</ul><li>d</ul>",
        "<dl><dt>x<dd>y<dt>z</dl>",
        "<h1>a<h2>b</h2>c",
        "<p>x</h3>y",
        "<a href=/1>one<a href=/2>two</a>",
        "<p>a<section>b</section>c",
        "<p>a<table><tr><td>b</table>c",
        // Tables: implied tbody and tr, cells closing cells, spans kept.
        "<table><tr><td colspan=2 rowspan='3' id=x>a<td>b<tr><th>c</table>",
        "<table><td>cell</td></table>",
        "<table><thead><tr><th>h<tbody><tr><td>d</table>",
        "<td>outside</td><tr>rows</tr>",
        // Stray end tags.
        "a</p>b</br>c</div>d</li>",
        // Dropped with content, and what ends that.
        "a<form>b<form>c</form>d",
        "a<select><option>b<select>c",
        "a<svg><g>b</g><p>c</p></svg>d",
        "a<svg/>b<math><mi>x</mi></math>c",
        "a<object><object>b</object>c</object>d",
        "a<button>b<button>c</button>d",
        "a<embed src=x>b",
        "a<template><p>b</template>c",
        // Foreign content inside a dropped element: its tags do not nest in it, until a
        // breakout tag returns to HTML.
        "<template><svg><template><b></b></template></svg>a</template>b",
        "<object><svg><object></object></svg>a</object>b",
        "<form><math><style><p>x</p></style></math>a</form>b",
        // Raw text.
        "a<script>if (a<b) '</p>'</script>b",
        "a<style><p>x</p></style>b<textarea><b>t</b></textarea>c",
        "a<xmp><b>raw</b></xmp>b<noembed>&amp;</noembed>c",
        "a<plaintext><b>rest</b>",
        "a<title>t</title>b<noscript><p>n</p></noscript>c",
        // Document tags, comments and doctypes.
        "<html><head><title>x</title></head><body><p>a</p></body></html>",
        "<!DOCTYPE html><!-- c --><p>a<!-->b<!--->c</p>",
        // Text: entities, no-break spaces, pre's first newline.
        "<p>&lt;b&gt; &amp; &nbsp;&#65;&#x42; &copy; \u{a0}</p>",
        "<pre>\nline one\n  two</pre>",
        // Attributes: quoting, entities, case, duplicates, unsafe schemes.
        "<A HREF=\"https://x.test/?a=1&amp;b=2\" HREF=/other>q</A>",
        "<a href='java\tscript:alert(1)'>x</a><a href=' https://x.test/ '>y</a>",
        "<a href=\"/rel?x=&quot;1&quot;\">r</a><a href=//cdn.test/x>s</a>",
        "<a href=\"mailto:jobs@x.test\">m</a><a href=data:text/html,x>d</a>",
        "<p title=\"a > b\" onclick=x()>quoted</p>",
        // Unknown elements go, their content stays.
        "<font color=red>red</font><center>c</center><custom-el>x</custom-el>",
        "<img src=x onerror=alert(1)>after",
    ] {
        assert_eq!(
            sanitize_html(html, Some(&base)),
            reference_for(html, Some(&base)),
            "{html}"
        );
        assert_eq!(
            sanitize_html(html, None),
            reference_for(html, None),
            "{html}"
        );
    }
}

#[test]
fn blank_lines_opening_a_pre_are_dropped_so_the_output_reads_back_unchanged() {
    // A parser drops one newline after `<pre>` and html5ever's serializer does not write
    // it back: any newline left there would be lost (or another one eaten) on each re-read.
    for (html, expected) in [
        ("<pre>\n\n", "<pre></pre>"),
        ("<pre>\n\n\ncode\n</pre>", "<pre>code\n</pre>"),
        ("<pre>&#10;x</pre>", "<pre>x</pre>"),
        ("<pre><script>s</script>\n\nx</pre>", "<pre>x</pre>"),
        ("<pre><!-- c -->\n<!-- d -->\nx</pre>", "<pre>x</pre>"),
        ("<pre> \nx</pre>", "<pre> \nx</pre>"),
        ("<pre><b>\n\nx</b></pre>", "<pre><b>\n\nx</b></pre>"),
    ] {
        let (clean, text) = sanitize_with_text(html, None);
        assert_eq!(clean, expected, "{html:?}");
        assert_eq!(reference(&clean, None), clean, "{html:?}");
        assert_eq!(text, html_to_text(&clean), "{html:?}");
    }
}

#[test]
fn a_description_nested_past_the_browser_cap_is_cleaned_in_linear_time() {
    let depth = 100_000;
    let html = format!(
        "{}<script>alert(1)</script>Senior <b>Rust</b> &amp; Go{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let (clean, text) = sanitize_with_text(&html, None);
    let cap = jobfeed::markup::nesting::MAX_HTML_DEPTH;
    assert_eq!(clean.matches("<div>").count(), cap);
    assert_eq!(clean.matches("</div>").count(), cap);
    // Past the cap, tags go and their text stays.
    assert!(clean.contains("Senior Rust &amp; Go") && !clean.contains("script"));
    assert_eq!(text, "Senior Rust & Go");
    // A parser reads it back unchanged.
    assert_eq!(reference(&clean, None), clean);
}

/// Text, character references, void elements and comments.
fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-z ]{1,12}",
        1 => Just("&amp;".to_owned()),
        1 => Just("&lt;x&gt;".to_owned()),
        1 => Just("&nbsp; &#233;\u{a0}".to_owned()),
        1 => Just(" 3 < 4 ".to_owned()),
        1 => Just("\n".to_owned()),
        1 => Just("<br>".to_owned()),
        1 => Just("<!-- note -->".to_owned()),
        1 => Just("<img src=x onerror=alert(1)>".to_owned()),
    ]
}

fn attributes() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        4 => Just(""),
        1 => Just(" class=\"x\" style=\"color:red\""),
        1 => Just(" href=\"https://x.test/?a=1&amp;b=2\""),
        1 => Just(" href=\"/relative\""),
        1 => Just(" href=\"javascript:alert(1)\""),
        1 => Just(" HREF='mailto:a@b.test' onclick=\"x()\""),
        1 => Just(" colspan=2 rowspan=\"3\""),
    ]
}

fn element(name: &str, attributes: &str, children: &[String]) -> String {
    format!("<{name}{attributes}>{}</{name}>", children.concat())
}

/// Phrasing content: text and inline elements (links hold text only: a link in a link is
/// split by the parser).
fn phrasing() -> impl Strategy<Value = String> {
    leaf().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            4 => (
                prop_oneof![Just("b"), Just("em"), Just("span"), Just("code"), Just("font"), Just("sub")],
                attributes(),
                prop::collection::vec(inner, 0..3),
            )
                .prop_map(|(name, attributes, children)| element(name, attributes, &children)),
            1 => (attributes(), "[a-z ]{0,8}").prop_map(|(attributes, text)| element("a", attributes, &[text])),
        ]
    })
}

/// `html` with every form inside another form made a `<div>`: a form does not nest, and the
/// tree builder's answer to one that does (its end tag closes the outer form, or, from a
/// table cell, nothing at all and no later `</form>` either) is not followed by the
/// sanitizer (see its module doc).
fn without_nested_forms(html: String) -> String {
    let mut out = String::with_capacity(html.len());
    // For each open form: whether it is nested (and so written as a div).
    let mut forms: Vec<bool> = Vec::new();
    let mut rest = html.as_str();
    while let Some(at) = rest
        .find("<form")
        .into_iter()
        .chain(rest.find("</form>"))
        .min()
    {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("</form>") {
            out.push_str(if forms.pop() == Some(true) {
                "</div>"
            } else {
                "</form>"
            });
            rest = after;
        } else {
            let nested = !forms.is_empty();
            forms.push(nested);
            out.push_str(if nested { "<div" } else { "<form" });
            rest = &rest["<form".len()..];
        }
    }
    out.push_str(rest);
    out
}

/// Flow content as an author writes it (blocks hold blocks, paragraphs and headings hold
/// phrasing content, forms do not nest), with kept, dropped and unknown elements: HTML the
/// parser does not restructure, so its result is the reference byte for byte.
fn fragment() -> impl Strategy<Value = String> {
    well_formed_flow().prop_map(without_nested_forms)
}

fn well_formed_flow() -> impl Strategy<Value = String> {
    phrasing().prop_recursive(4, 48, 4, |inner| {
        let blocks = prop_oneof![
            Just("div"),
            Just("blockquote"),
            Just("section"),
            Just("form"),
            Just("svg"),
            Just("script"),
            Just("style"),
            Just("iframe"),
            Just("template"),
            Just("object"),
        ];
        prop_oneof![
            3 => (blocks, attributes(), prop::collection::vec(inner.clone(), 0..4))
                .prop_map(|(name, attributes, children)| element(name, attributes, &children)),
            2 => (prop_oneof![Just("p"), Just("h2")], attributes(), prop::collection::vec(phrasing(), 0..4))
                .prop_map(|(name, attributes, children)| element(name, attributes, &children)),
            1 => prop::collection::vec(inner.clone(), 1..4).prop_map(|items| {
                let items: Vec<String> = items.iter().map(|i| element("li", "", std::slice::from_ref(i))).collect();
                element("ul", "", &items)
            }),
            1 => prop::collection::vec(inner.clone(), 1..3).prop_map(|cells| {
                let cells: Vec<String> = cells.iter().map(|c| element("td", " colspan=2", std::slice::from_ref(c))).collect();
                element("table", "", &[element("tbody", "", &[element("tr", "", &cells)])])
            }),
            1 => Just("<hr>".to_owned()),
            2 => prop::collection::vec(inner, 2..4).prop_map(|parts| parts.concat()),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn well_formed_fragments_are_sanitized_exactly_as_the_html5_parser_does(html in fragment()) {
        let base = url::Url::parse("https://jobs.example.com/a/b").unwrap();
        prop_assert_eq!(sanitize_html(&html, Some(&base)), reference_for(&html, Some(&base)));
    }

    #[test]
    fn any_input_comes_out_as_html_the_parser_reads_back_unchanged(
        html in prop_oneof![
            any::<String>(),
            "[<>/a-z =\"'&;#!?\n\t-]{0,300}",
            "(<(/?)(p|a|b|li|ul|td|tr|table|script|style|svg|form|pre|textarea|div|br|!--|!)( href=(\"|')?(javascript:|https://x|/)?[a-z\"'<>]{0,6})?>|[a-z &<>;\"'\n-]{0,8}){0,40}",
        ],
    ) {
        let base = url::Url::parse("https://jobs.example.com/a/b").unwrap();
        let (clean, text) = sanitize_with_text(&html, Some(&base));
        prop_assert_eq!(&reference(&clean, Some(&base)), &clean);
        prop_assert_eq!(text, html_to_text(&clean));
        prop_assert!(only_allowlisted_markup(&clean), "{}", clean);
    }
}
