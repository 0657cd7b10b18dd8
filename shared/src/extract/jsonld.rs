//! The `jsonld` kind: schema.org `JobPosting`s in the JSON-LD blocks of any HTML page, with
//! microdata as a fallback.
//!
//! Speed matters here (whole pages are large, the posting is a small part of them), so the
//! `<script type="application/ld+json">` blocks are found by a byte scan, never by building a
//! DOM; only a page with no JSON-LD posting whose markup names a microdata `JobPosting` pays
//! for a DOM (see [`super::microdata`]).

use std::borrow::Cow;

use memchr::{memchr, memchr2, memmem};
use serde_json::{Map, Value};

use super::{
    DocumentContext, Extraction, RawDate, RawLocation, RawPosting, RawSalary, json_f64, json_str,
    microdata,
};
use crate::error::ParseError;

/// Extracts every schema.org `JobPosting` of one HTML page.
///
/// Looks in the JSON-LD blocks first (objects, arrays, `@graph`, nested nodes), then in a
/// Next.js `__NEXT_DATA__` block, then in microdata. When the page holds exactly one posting,
/// a missing URL is the document's and a missing apply link is read from a
/// `data-apply-url` attribute (nodesk). A page with no posting (a listing page,
/// a "job closed" page) is `Ok` with zero postings. A JSON-LD block that names `JobPosting`
/// but cannot be parsed even after repairs counts as skipped.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let mut out = Extraction::default();
    for block in scripts(body).filter(|s| s.is_ld_json) {
        match parse_block(block.content) {
            Some(value) => collect_postings(&value, &mut out.postings),
            None if mentions_job_posting(block.content) => out.skipped += 1,
            None => {}
        }
    }
    if out.postings.is_empty() {
        collect_from_next_data(body, &mut out.postings);
    }
    if out.postings.is_empty() && microdata::mentions_job_posting(body) {
        out.postings = microdata::extract(body, ctx)?.postings;
    }
    // nodesk-style pages keep the outbound apply link in an attribute, not in the JSON-LD;
    // with several postings on a page it could belong to any of them, so only fill one.
    if let [posting] = out.postings.as_mut_slice() {
        if posting.apply_url.is_none() {
            posting.apply_url = attribute_value(body, "data-apply-url");
        }
        // A page about one posting is that posting's page.
        if posting.url.is_none() {
            posting.url = ctx.url.map(url::Url::to_string);
        }
    }
    Ok(out)
}

/// Maps one schema.org `JobPosting` node (JSON-LD, or microdata converted to the same shape)
/// to a `RawPosting`, tolerating the usual breakage: strings where objects belong and the
/// reverse, single values where lists belong, numbers written as strings.
pub(crate) fn posting_from_node(node: &Map<String, Value>) -> RawPosting {
    let mut posting = RawPosting {
        external_id: node.get("identifier").and_then(identifier),
        url: text(node.get("url")),
        title: text(node.get("title")).or_else(|| text(node.get("name"))),
        description_html: node.get("description").and_then(description),
        posted_at: json_str(node.get("datePosted")).map(RawDate::Text),
        valid_through: json_str(node.get("validThrough")).map(RawDate::Text),
        workplace_hints: list(node.get("jobLocationType"))
            .filter_map(item_text)
            .collect(),
        remote_regions: list(node.get("applicantLocationRequirements"))
            .filter_map(named)
            .collect(),
        locations: list(node.get("jobLocation")).flat_map(locations).collect(),
        employment_types: list(node.get("employmentType"))
            .filter_map(|v| json_str(Some(v)))
            .flat_map(|v| split_list(&v))
            .collect(),
        ..RawPosting::default()
    };
    match node.get("hiringOrganization") {
        Some(Value::Object(org)) => {
            posting.company_name = text(org.get("name")).or_else(|| text(org.get("legalName")));
            // Google's guide puts the company's website in `sameAs`; `url` is often the
            // board's page about the company (join.com), so it only fills a gap.
            posting.company_url = list(org.get("sameAs"))
                .find_map(item_text)
                .or_else(|| text(org.get("url")));
            posting.company_logo_url = list(org.get("logo")).find_map(image_url);
        }
        other => posting.company_name = list(other).find_map(item_text),
    }
    fill_salary(node, &mut posting);
    for key in ["industry", "occupationalCategory"] {
        posting
            .tags
            .extend(list(node.get(key)).filter_map(item_text));
    }
    posting.tags.extend(
        list(node.get("skills"))
            .filter_map(item_text)
            .flat_map(|s| split_list(&s)),
    );
    posting
}

/// True when `haystack` names the `JobPosting` type at all (a cheap pre-check).
fn mentions_job_posting(haystack: &str) -> bool {
    memmem::find(haystack.as_bytes(), b"JobPosting").is_some()
}

/// One `<script>` element found by the byte scan.
struct Script<'a> {
    /// The opening tag's attributes (raw text).
    attributes: &'a str,
    /// Whether its `type` is JSON-LD.
    is_ld_json: bool,
    /// The text between the opening and the closing tag.
    content: &'a str,
}

/// The `<script>` elements of a page, in order, by a byte scan that matches tag names and
/// the type case-insensitively. An unclosed script ends the scan (browsers treat the rest
/// of the page as script text, so nothing after it is markup).
fn scripts(body: &str) -> impl Iterator<Item = Script<'_>> {
    let bytes = body.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        loop {
            let open = pos + find_ignore_case(bytes.get(pos..)?, b"<script")?;
            let after_name = open + b"<script".len();
            // `<scripts>` or `<script-x>` is another tag.
            let next = *bytes.get(after_name)?;
            if !(next.is_ascii_whitespace() || next == b'>' || next == b'/') {
                pos = after_name;
                continue;
            }
            let tag_end = after_name + tag_end(bytes.get(after_name..)?)?;
            let content_start = tag_end + 1;
            let content_len = find_ignore_case(bytes.get(content_start..)?, b"</script")?;
            let content_end = content_start + content_len;
            pos = content_end + b"</script".len();
            // The positions are at ASCII bytes, so they are char boundaries.
            let attributes = body.get(after_name..tag_end)?;
            return Some(Script {
                attributes,
                is_ld_json: find_ignore_case(attributes.as_bytes(), b"application/ld+json")
                    .is_some(),
                content: body.get(content_start..content_end)?,
            });
        }
    })
}

/// The offset of the `>` ending an opening tag whose attributes start `tag`, skipping quoted
/// attribute values (a `>` may sit inside one). A quote opens a value only right after `=`,
/// so a stray quote elsewhere cannot swallow the rest of the page.
fn tag_end(tag: &[u8]) -> Option<usize> {
    let mut quote = None;
    let mut after_equals = false;
    for (i, &byte) in tag.iter().enumerate() {
        match quote {
            Some(open) if byte == open => quote = None,
            Some(_) => {}
            None if byte == b'>' => return Some(i),
            None if after_equals && (byte == b'"' || byte == b'\'') => quote = Some(byte),
            None => {}
        }
        if !byte.is_ascii_whitespace() {
            after_equals = byte == b'=';
        }
    }
    None
}

/// The offset of the first case-insensitive match of `needle` (lowercase ASCII, starting with
/// a byte that has no case or a letter) in `haystack`.
pub(crate) fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(found) =
        memchr2(first, first.to_ascii_uppercase(), haystack.get(from..)?).map(|i| from + i)
    {
        let tail = haystack.get(found + 1..found + 1 + rest.len())?;
        if tail.eq_ignore_ascii_case(rest) {
            return Some(found);
        }
        from = found + 1;
    }
    None
}

/// Parses the text of one JSON-LD block, repairing what pages commonly break: comment and
/// CDATA wrappers, HTML-escaped JSON, raw line breaks inside strings.
fn parse_block(content: &str) -> Option<Value> {
    let mut json = content.trim();
    for (open, close) in [
        ("<!--", "-->"),
        ("//<![CDATA[", "//]]>"),
        ("<![CDATA[", "]]>"),
    ] {
        if let Some(inner) = json.strip_prefix(open) {
            json = inner.strip_suffix(close).unwrap_or(inner).trim();
        }
    }
    if let Ok(value) = serde_json::from_str(json) {
        return Some(value);
    }
    let mut repaired = Cow::Borrowed(json);
    if json.contains("&quot;") || json.contains("&#34;") {
        repaired = Cow::Owned(html_escape::decode_html_entities(json).into_owned());
        if let Ok(value) = serde_json::from_str(&repaired) {
            return Some(value);
        }
    }
    // JSON forbids raw control characters in strings; outside strings they are whitespace,
    // so turning them all into spaces is safe.
    let spaced: String = repaired
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    serde_json::from_str(&spaced).ok()
}

/// Collects the `JobPosting` nodes anywhere in `value` (top level, arrays, `@graph`,
/// `mainEntity`, ...), skipping exact duplicates (pages repeat their JSON-LD).
fn collect_postings(value: &Value, out: &mut Vec<RawPosting>) {
    match value {
        Value::Object(node) if is_job_posting(node) => {
            let posting = posting_from_node(node);
            if !out.contains(&posting) {
                out.push(posting);
            }
        }
        Value::Object(node) => node.values().for_each(|v| collect_postings(v, out)),
        Value::Array(items) => items.iter().for_each(|v| collect_postings(v, out)),
        _ => {}
    }
}

/// Whether a node's `@type` (a string or a list) is `JobPosting`, however the vocabulary
/// is spelled (`JobPosting`, `schema:JobPosting`, `http://schema.org/JobPosting`).
fn is_job_posting(node: &Map<String, Value>) -> bool {
    list(node.get("@type")).any(|t| {
        t.as_str().is_some_and(|t| {
            let t = t.trim();
            t == "JobPosting" || t.ends_with("/JobPosting") || t.ends_with(":JobPosting")
        })
    })
}

/// Next.js pages (join.com) may carry the posting only in their `__NEXT_DATA__` JSON, as an
/// object or as a JSON-LD string inside it.
fn collect_from_next_data(body: &str, out: &mut Vec<RawPosting>) {
    let Some(script) = scripts(body).find(|s| s.attributes.contains("__NEXT_DATA__")) else {
        return;
    };
    if !mentions_job_posting(script.content) {
        return;
    }
    if let Ok(data) = serde_json::from_str::<Value>(script.content) {
        collect_embedded(&data, out);
    }
}

/// Like [`collect_postings`], but also parses strings that hold a JSON-LD posting.
fn collect_embedded(value: &Value, out: &mut Vec<RawPosting>) {
    match value {
        Value::Object(node) if is_job_posting(node) => collect_postings(value, out),
        Value::Object(node) => node.values().for_each(|v| collect_embedded(v, out)),
        Value::Array(items) => items.iter().for_each(|v| collect_embedded(v, out)),
        Value::String(s) if mentions_job_posting(s) => {
            if let Some(inner) = parse_block(s) {
                collect_postings(&inner, out);
            }
        }
        _ => {}
    }
}

/// The value of the first `name=...` attribute in the page, entity-decoded; `None` when
/// absent or empty.
fn attribute_value(body: &str, name: &str) -> Option<String> {
    let bytes = body.as_bytes();
    let mut from = 0;
    let (start, quote) = loop {
        let at = from + memmem::find(bytes.get(from..)?, name.as_bytes())?;
        let eq = at + name.len();
        // `data-apply-url-x=` is another attribute.
        if bytes.get(eq) == Some(&b'=') {
            match bytes.get(eq + 1)? {
                q @ (b'"' | b'\'') => break (eq + 2, Some(*q)),
                _ => break (eq + 1, None),
            }
        }
        from = eq;
    };
    let rest = bytes.get(start..)?;
    let len = match quote {
        Some(q) => memchr(q, rest)?,
        None => rest
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'>')
            .unwrap_or(rest.len()),
    };
    let raw = body.get(start..start + len)?.trim();
    (!raw.is_empty()).then(|| html_escape::decode_html_entities(raw).into_owned())
}

/// A value that may be a single item or a list, as an iterator over its items (`null` and
/// absent give none).
fn list(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    let items: &[Value] = match value {
        None | Some(Value::Null) => &[],
        Some(Value::Array(items)) => items,
        Some(single) => std::slice::from_ref(single),
    };
    items.iter()
}

/// Plain text: a trimmed non-empty string (or a number), with HTML entities decoded because
/// pages often HTML-escape the text in their JSON-LD (`AI &amp; Hardware`).
fn text(value: Option<&Value>) -> Option<String> {
    let raw = json_str(value)?;
    if !raw.contains('&') {
        return Some(raw);
    }
    let decoded = html_escape::decode_html_entities(&raw).trim().to_owned();
    (!decoded.is_empty()).then_some(decoded)
}

/// [`text`] of one list item.
fn item_text(value: &Value) -> Option<String> {
    text(Some(value))
}

/// A node's `name`, or the value itself when it is a plain string (`"addressCountry": "US"`
/// versus `{"@type": "Country", "name": "US"}`).
fn named(value: &Value) -> Option<String> {
    match value {
        Value::Object(node) => text(node.get("name")),
        other => text(Some(other)),
    }
}

/// An `identifier`: a plain value, or a `PropertyValue` whose `value` is the id.
fn identifier(value: &Value) -> Option<String> {
    match value {
        Value::Object(node) => json_str(node.get("value")).or_else(|| json_str(node.get("@id"))),
        Value::Array(items) => items.iter().find_map(identifier),
        other => json_str(Some(other)),
    }
}

/// A logo: a URL string or an `ImageObject`.
fn image_url(value: &Value) -> Option<String> {
    match value {
        Value::Object(node) => text(node.get("url")).or_else(|| text(node.get("contentUrl"))),
        other => text(Some(other)),
    }
}

/// The description HTML. Some pages HTML-escape it once more inside the JSON (join.com:
/// `&lt;p&gt;`); that escaping is undone once, and only when no real tag is present.
fn description(value: &Value) -> Option<String> {
    let html = json_str(Some(value))?;
    if !html.contains('<') && html.contains("&lt;") {
        return Some(html_escape::decode_html_entities(&html).into_owned());
    }
    Some(html)
}

/// Splits a comma-separated list (`"FULL_TIME, CONTRACTOR"`) into trimmed items.
fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The `jobLocation` entries of one `Place` (or a bare address string): its `address`
/// (a `PostalAddress`, a string, or a list of them), else the place's name.
fn locations(place: &Value) -> Vec<RawLocation> {
    let Value::Object(node) = place else {
        return text(Some(place))
            .map(RawLocation::text)
            .into_iter()
            .collect();
    };
    let from_addresses: Vec<RawLocation> = match node.get("address") {
        Some(address) => list(Some(address)).filter_map(address_location).collect(),
        // A `PostalAddress` given directly as the location.
        None => address_location(place).into_iter().collect(),
    };
    if from_addresses.is_empty() {
        return text(node.get("name"))
            .map(RawLocation::text)
            .into_iter()
            .collect();
    }
    from_addresses
}

/// One `PostalAddress` (or address text) as a location; `raw` joins the city, region and
/// country as given, falling back to the street, postal code or name when those are missing.
fn address_location(address: &Value) -> Option<RawLocation> {
    let Value::Object(node) = address else {
        return text(Some(address)).map(RawLocation::text);
    };
    let city = text(node.get("addressLocality"));
    let region = list(node.get("addressRegion")).find_map(named);
    let country = list(node.get("addressCountry")).find_map(named);
    let parts: Vec<&str> = [&city, &region, &country]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let raw = if parts.is_empty() {
        ["streetAddress", "postalCode", "name"]
            .into_iter()
            .find_map(|key| text(node.get(key)))?
    } else {
        parts.join(", ")
    };
    Some(RawLocation {
        raw,
        city,
        region,
        country,
    })
}

/// Fills the salary from `baseSalary` (else `estimatedSalary`) and `salaryCurrency`.
fn fill_salary(node: &Map<String, Value>, posting: &mut RawPosting) {
    let amount = list(node.get("baseSalary"))
        .next()
        .or_else(|| list(node.get("estimatedSalary")).next());
    let mut salary = RawSalary::default();
    match amount {
        Some(Value::Object(amount)) => {
            salary.currency = text(amount.get("currency"));
            salary.period = text(amount.get("unitText"));
            match amount.get("value") {
                Some(Value::Object(value)) => read_quantity(value, &mut salary),
                Some(Value::Array(values)) => {
                    if let Some(Value::Object(value)) = values.first() {
                        read_quantity(value, &mut salary);
                    }
                }
                Some(value) => match json_f64(Some(value)) {
                    Some(n) => (salary.min, salary.max) = (Some(n), Some(n)),
                    None => posting.salary_text = text(Some(value)),
                },
                // A `MonetaryAmount` may carry the bounds itself.
                None => read_quantity(amount, &mut salary),
            }
        }
        Some(value) => match json_f64(Some(value)) {
            Some(n) => (salary.min, salary.max) = (Some(n), Some(n)),
            None => posting.salary_text = text(Some(value)),
        },
        None => {}
    }
    // `salaryCurrency` should be an ISO 4217 code; iCIMS writes the whole pay statement
    // there ("USD $190,000.00 - USD $200,000.00 /Yr."), which is salary text.
    if let Some(currency) = text(node.get("salaryCurrency")) {
        if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_alphabetic()) {
            salary.currency.get_or_insert(currency);
        } else if posting.salary_text.is_none() {
            posting.salary_text = Some(currency);
        }
    }
    if salary.min.is_some() || salary.max.is_some() {
        posting.salary = Some(salary);
    }
}

/// Reads a `QuantitativeValue`: `value`, or `minValue`/`maxValue`, and `unitText`.
fn read_quantity(value: &Map<String, Value>, salary: &mut RawSalary) {
    let exact = json_f64(value.get("value"));
    salary.min = json_f64(value.get("minValue")).or(exact);
    salary.max = json_f64(value.get("maxValue")).or(exact);
    if let Some(unit) = text(value.get("unitText")) {
        salary.period = Some(unit);
    }
    if salary.currency.is_none() {
        salary.currency = text(value.get("currency"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn postings(body: &str) -> Vec<RawPosting> {
        extract(body, DocumentContext::default()).unwrap().postings
    }

    fn only(body: &str) -> RawPosting {
        let mut found = postings(body);
        assert_eq!(found.len(), 1, "expected exactly one posting: {found:#?}");
        found.remove(0)
    }

    fn text_date(s: &str) -> Option<RawDate> {
        Some(RawDate::Text(s.into()))
    }

    #[test]
    fn nodesk_job_page_yields_its_posting_with_salary_and_apply_link() {
        let url = url::Url::parse("https://nodesk.co/remote-jobs/sticker-mule-software-engineer/")
            .unwrap();
        let mut found = extract(
            include_str!("../../testdata/corpus/nodesk/job_detail_rsp.html"),
            DocumentContext { url: Some(&url) },
        )
        .unwrap();
        assert_eq!((found.postings.len(), found.skipped), (1, 0));
        let p = found.postings.remove(0);
        assert_eq!(p.title.as_deref(), Some("Software engineer"));
        assert_eq!(p.company_name.as_deref(), Some("Sticker Mule"));
        assert_eq!(
            p.company_url.as_deref(),
            Some("https://www.stickermule.com/")
        );
        assert!(
            p.company_logo_url
                .as_deref()
                .unwrap()
                .starts_with("https://nodesk.co/remote-companies/assets/logos/sticker-mule.")
        );
        // The JSON-LD has no `url`: the page's own address stands in.
        assert_eq!(
            p.url.as_deref(),
            Some("https://nodesk.co/remote-jobs/sticker-mule-software-engineer/")
        );
        assert_eq!(
            p.apply_url.as_deref(),
            Some(
                "https://jobs.ashbyhq.com/stickermule/6db27241-e2d4-4f35-a2c4-b58d84621843?utm_source=8"
            )
        );
        assert!(p.locations.is_empty());
        assert_eq!(p.workplace_hints, ["TELECOMMUTE"]);
        assert_eq!(p.remote_regions, ["Anywhere"]);
        assert_eq!(p.employment_types, ["FULL_TIME"]);
        assert_eq!(
            p.salary,
            Some(RawSalary {
                min: Some(150000.0),
                max: Some(250000.0),
                currency: Some("USD".into()),
                period: Some("YEAR".into()),
            })
        );
        assert_eq!(p.posted_at, text_date("2026-07-10"));
        assert_eq!(p.valid_through, text_date("2026-08-25"));
        assert!(
            p.description_html
                .as_deref()
                .unwrap()
                .starts_with("<p>Sticker Mule is building")
        );
    }

    #[test]
    fn nodesk_page_for_a_missing_posting_has_no_posting() {
        let found = extract(
            include_str!("../../testdata/corpus/nodesk/job_detail_notfound_rsp.html"),
            DocumentContext::default(),
        )
        .unwrap();
        assert_eq!(found, Extraction::default());
    }

    #[test]
    fn icims_job_page_yields_its_posting_and_keeps_the_misplaced_pay_as_text() {
        let p = only(include_str!(
            "../../testdata/corpus/icims/job_detail_rsp.html"
        ));
        assert_eq!(p.title.as_deref(), Some("Senior Product Manager"));
        assert_eq!(p.company_name.as_deref(), Some("BusPatrol"));
        assert_eq!(
            p.company_url.as_deref(),
            Some("https://buspatrol.icims.com/")
        );
        assert_eq!(
            p.url.as_deref(),
            Some("https://careers-buspatrol.icims.com/jobs/1977/senior-product-manager/job")
        );
        assert_eq!(
            p.locations,
            [RawLocation {
                raw: "Austin, TX, US".into(),
                city: Some("Austin".into()),
                region: Some("TX".into()),
                country: Some("US".into()),
            }]
        );
        assert_eq!(p.employment_types, ["FULL_TIME"]);
        assert_eq!(p.salary, None);
        assert_eq!(
            p.salary_text.as_deref(),
            Some("USD $190,000.00 - USD $200,000.00 /Yr.")
        );
        assert_eq!(p.posted_at, text_date("2025-12-05T05:00:00.000Z"));
        assert_eq!(p.valid_through, text_date("2027-12-05T05:00:00.000Z"));
        assert_eq!(p.tags, ["Technology - Product Management"]);
        assert!(
            p.description_html
                .as_deref()
                .unwrap()
                .starts_with("<h2>Overview</h2>")
        );
        assert_eq!(p.apply_url, None);
    }

    #[test]
    fn icims_search_page_has_no_json_ld_posting() {
        assert!(postings(include_str!("../../testdata/corpus/icims/search_rsp.html")).is_empty());
    }

    #[test]
    fn join_page_yields_its_posting_with_the_escaped_description_decoded_once() {
        let p = only(include_str!(
            "../../testdata/corpus/join/job_detail_rsp.html"
        ));
        assert_eq!(
            p.title.as_deref(),
            Some("Senior Software Engineer (Backend/LLM Infrastructure)")
        );
        assert_eq!(p.company_name.as_deref(), Some("Routine Labs"));
        assert_eq!(p.company_url.as_deref(), Some("https://routinelabs.ai"));
        assert_eq!(
            p.company_logo_url.as_deref(),
            Some("https://cdn.join.com/69a1747e79b29c00082ad67c/routine-labs-logo-m.png")
        );
        assert_eq!(
            p.url.as_deref(),
            Some(
                "https://join.com/companies/routinelabs/16397229-senior-software-engineer-backend-llm-infrastructure"
            )
        );
        assert_eq!(
            p.locations,
            [RawLocation {
                raw: "Berlin, Germany".into(),
                city: Some("Berlin".into()),
                region: None,
                country: Some("Germany".into()),
            }]
        );
        assert_eq!(p.employment_types, ["FULL_TIME"]);
        assert_eq!(p.posted_at, text_date("2025-12-18T15:37:26.494Z"));
        // `&lt;p&gt;...Europe&amp;#39;s` becomes HTML that still holds one entity.
        let html = p.description_html.unwrap();
        assert!(html.starts_with(
            "<p>At <strong>Routine Labs</strong>, we are building Europe&#39;s first"
        ));
    }

    #[test]
    fn pages_without_structured_data_have_no_posting() {
        for page in [
            include_str!("../../testdata/corpus/engage/job_detail_no_jsonld_rsp.html"),
            include_str!("../../testdata/corpus/linkedin/job_detail_rsp.html"),
        ] {
            assert_eq!(
                extract(page, DocumentContext::default()).unwrap(),
                Extraction::default()
            );
        }
    }

    #[test]
    fn graph_arrays_and_several_blocks_each_contribute_their_postings() {
        let found = postings(include_str!(
            "../../testdata/synthetic/jsonld/graph_array_blocks.html"
        ));
        let titles: Vec<_> = found.iter().map(|p| p.title.as_deref().unwrap()).collect();
        assert_eq!(
            titles,
            [
                "Graph Role",
                "Array Role One",
                "Array Role Two",
                "Uppercase Tag Role",
                "Full IRI Role"
            ]
        );
    }

    #[test]
    fn html_escaped_json_and_comment_wrappers_are_repaired() {
        let found = postings(include_str!(
            "../../testdata/synthetic/jsonld/escaped_json.html"
        ));
        let titles: Vec<_> = found.iter().map(|p| p.title.as_deref().unwrap()).collect();
        assert_eq!(
            titles,
            [
                "Escaped Role",
                "Commented Role",
                "CDATA Role",
                "Raw Newline Role"
            ]
        );
        assert_eq!(found[0].company_name.as_deref(), Some("Quote & Co"));
    }

    #[test]
    fn sloppy_values_are_passed_through_raw() {
        let p = only(include_str!(
            "../../testdata/synthetic/jsonld/sloppy_values.html"
        ));
        assert_eq!(p.posted_at, text_date("2026-4-1"));
        assert_eq!(p.company_name.as_deref(), Some("String Org"));
        assert_eq!(p.external_id.as_deref(), Some("REQ-77"));
        assert_eq!(p.employment_types, ["FULL_TIME", "CONTRACTOR", "PART_TIME"]);
        assert_eq!(
            p.salary,
            Some(RawSalary {
                min: Some(50000.0),
                max: Some(70000.0),
                currency: Some("EUR".into()),
                period: Some("YEAR".into()),
            })
        );
        assert_eq!(p.tags, ["Software", "Rust", "Tokio"]);
    }

    #[test]
    fn remote_postings_keep_their_telecommute_hint_and_regions() {
        let p = only(include_str!("../../testdata/synthetic/jsonld/remote.html"));
        assert_eq!(p.workplace_hints, ["TELECOMMUTE"]);
        assert_eq!(p.remote_regions, ["USA", "Ontario", "EU"]);
        assert_eq!(
            p.company_logo_url.as_deref(),
            Some("https://example.com/logo.png")
        );
        assert_eq!(
            p.locations,
            [
                RawLocation {
                    raw: "Lisbon, Portugal".into(),
                    city: Some("Lisbon".into()),
                    region: None,
                    country: Some("Portugal".into()),
                },
                RawLocation::text("Remote, Earth"),
            ]
        );
        assert_eq!(p.external_id.as_deref(), Some("9001"));
    }

    #[test]
    fn salary_shapes_map_to_min_max_currency_and_period() {
        let found = postings(include_str!(
            "../../testdata/synthetic/jsonld/salaries.html"
        ));
        let salaries: Vec<_> = found.iter().map(|p| p.salary.clone()).collect();
        let salary = |min, max, currency: &str, period: Option<&str>| {
            Some(RawSalary {
                min: Some(min),
                max: Some(max),
                currency: Some(currency.into()),
                period: period.map(Into::into),
            })
        };
        assert_eq!(
            salaries,
            [
                salary(80000.0, 80000.0, "USD", Some("YEAR")),
                salary(45.0, 45.0, "GBP", Some("HOUR")),
                salary(60000.0, 90000.0, "CAD", Some("YEAR")),
                salary(100000.0, 100000.0, "USD", None),
                None,
            ]
        );
        assert_eq!(found[4].salary_text.as_deref(), Some("Competitive"));
    }

    #[test]
    fn next_js_data_holding_the_posting_as_a_string_is_read() {
        let p = only(include_str!(
            "../../testdata/synthetic/jsonld/next_data.html"
        ));
        assert_eq!(p.title.as_deref(), Some("Next Role"));
        assert_eq!(p.company_name.as_deref(), Some("Next Co"));
    }

    #[test]
    fn a_broken_posting_block_is_counted_as_skipped() {
        let found = extract(
            r#"<html><script type="application/ld+json">{"@type":"JobPosting", "title": </script></html>"#,
            DocumentContext::default(),
        )
        .unwrap();
        assert_eq!((found.postings.len(), found.skipped), (0, 1));
    }

    #[test]
    fn unclosed_scripts_and_odd_markup_do_not_panic() {
        for page in [
            "<script",
            "<script type='application/ld+json'",
            "<script type=application/ld+json>{",
            "<SCRIPT>",
            "<scripts></scripts><script a=\">\" type=\"application/ld+json\">[]</script>",
            "data-apply-url=",
            "data-apply-url=\"",
        ] {
            assert!(postings(page).is_empty());
        }
    }

    #[test]
    fn case_insensitive_search_finds_mixed_case_needles() {
        assert_eq!(find_ignore_case(b"ab<ScRiPt>", b"<script"), Some(2));
        assert_eq!(find_ignore_case(b"<scrip", b"<script"), None);
        assert_eq!(
            find_ignore_case(b"xAPPLICATION/LD+JSON", b"application/ld+json"),
            Some(1)
        );
    }

    #[test]
    fn case_insensitive_search_agrees_with_a_byte_by_byte_search() {
        let reference = |haystack: &[u8], needle: &[u8]| {
            haystack
                .windows(needle.len())
                .position(|w| w.eq_ignore_ascii_case(needle))
        };
        // Every string of these pieces up to four long: cases mixed, near misses, upper-case
        // hits before and after lower-case ones, and needles cut off by the end.
        let pieces: [&[u8]; 7] = [b"<", b"<s", b"<S", b"<ScRiPt", b"<script", b"cript", b"x"];
        let mut haystacks: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<u8>> = haystacks
                .iter()
                .flat_map(|h| pieces.iter().map(move |p| [h.as_slice(), p].concat()))
                .collect();
            haystacks.extend(longer);
        }
        for haystack in &haystacks {
            for needle in [&b"<script"[..], b"<s"] {
                assert_eq!(
                    find_ignore_case(haystack, needle),
                    reference(haystack, needle),
                    "{:?}",
                    String::from_utf8_lossy(haystack)
                );
            }
        }
    }
}
