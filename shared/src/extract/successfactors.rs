//! Extractor for SAP SuccessFactors career sites (Career Site Builder, on a company's own
//! domain or `{company}.jobs2web.com`): a search page (`/search/?q=...&startrow=N`) lists
//! jobs without descriptions, each linking to its job page (`/job/{slug}/{id}/`), which holds
//! the posting as schema.org microdata.
//!
//! Sites differ by theme: search results come as a table (`tr.data-row`) or as tiles
//! (`li.job-tile`), both with `a.jobTitle-link` links and `jobLocation`/`jobDate` or
//! `section-field location`/`date` values; the page states its row range and total
//! ("Results 1 – 25 of 633").

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::html_recipe::element_text;
use super::{DocumentContext, Extraction, RawDate, RawLocation, RawPosting, microdata};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::SuccessFactors;

/// How far up from a job link its row (`tr`, `li`) is looked for.
const MAX_ROW_DEPTH: usize = 8;

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("static selector is valid")
}

static JOB_LINK: LazyLock<Selector> = LazyLock::new(|| selector("a.jobTitle-link[href]"));
static NO_RESULTS: LazyLock<Selector> = LazyLock::new(|| selector("#noresults"));
static RESULTS: LazyLock<Selector> =
    LazyLock::new(|| selector("#searchresults, #job-tile-list, .paginationLabel"));
static LABEL: LazyLock<Selector> = LazyLock::new(|| selector(".paginationLabel"));
static TILE_LIST: LazyLock<Selector> = LazyLock::new(|| selector("#job-tile-list"));
static TABLE: LazyLock<Selector> = LazyLock::new(|| selector("table#searchresults"));
static PAGE_LINK: LazyLock<Selector> = LazyLock::new(|| selector("a[href*='startrow=']"));
static LOCATION: LazyLock<Selector> =
    LazyLock::new(|| selector(".jobLocation, .location .section-value"));
static DATE: LazyLock<Selector> = LazyLock::new(|| selector(".jobDate, .date .section-value"));
static DEPARTMENT: LazyLock<Selector> =
    LazyLock::new(|| selector(".jobDepartment, .department .section-value"));
static CANONICAL: LazyLock<Selector> = LazyLock::new(|| selector("link[rel=canonical][href]"));
static PROPERTY: LazyLock<Selector> = LazyLock::new(|| selector("[data-careersite-propertyid]"));
static LAYOUT_TOKEN: LazyLock<Selector> = LazyLock::new(|| selector(".joblayouttoken"));
static TOKEN_LABEL: LazyLock<Selector> = LazyLock::new(|| selector(".joblayouttoken-label"));
static APPLY: LazyLock<Selector> = LazyLock::new(|| selector("a.apply[href], .applylink a[href]"));
static ERROR_LINK: LazyLock<Selector> = LazyLock::new(|| selector("a[href*='/errorpage/']"));

/// Labels (lower case, without the colon) of a job page's employment-type field, in the
/// languages career sites are commonly set up in.
const EMPLOYMENT_LABELS: &[&str] = &[
    "employment type",
    "job type",
    "type of employment",
    "contract type",
    "work type",
    "beschäftigungsart",
    "anstellungsart",
    "vertragsart",
    "type de contrat",
    "type d'emploi",
    "tipo de contrato",
    "tipo de empleo",
];

/// Extracts the postings of one SuccessFactors page.
///
/// A job page (a microdata `JobPosting`, else its `title`/`description`/`location`/`date`
/// fields) gives its posting: the microdata mapped as the `jsonld` kind maps it, the id from the page's address (`/job/{slug}/{id}/`), its Java-style
/// date (`Mon Jul 13 00:00:00 UTC 2026`) as an ISO date, department and employment type from
/// the page's fields. A search page gives one record per job link, with its title, address,
/// id and the location, date and department the row shows, and `detail_url` = the job page;
/// a search page that says it found nothing gives none. A job link without a title is
/// skipped and counted.
///
/// Errors: the site's error page (where an unknown or closed job redirects), or any other
/// page that is neither a search page nor a job page.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    if crate::markup::nesting::html_too_deep(body) {
        return Err(crate::markup::nesting::too_deep(KIND));
    }
    let html = Html::parse_document(body);
    let postings = microdata::extract_from_html(&html, ctx);
    if !postings.is_empty() {
        return Ok(job_page(&html, postings, ctx));
    }
    if let Some(found) = search_page(&html, ctx) {
        return Ok(found);
    }
    if let Some(posting) = fields_posting(&html) {
        return Ok(job_page(&html, vec![posting], ctx));
    }
    let error_page = ctx
        .url
        .is_some_and(|url| url.path().starts_with("/errorpage"))
        || html.select(&ERROR_LINK).next().is_some();
    Err(ParseError::malformed(
        KIND,
        if error_page {
            "the career site's error page: the job does not exist or is no longer posted"
        } else {
            "neither a search page nor a job page of a SuccessFactors career site"
        },
    ))
}

/// Whether `host` (lower case) is one of SuccessFactors' own: its data centres
/// (`career5.successfactors.eu`, `career55.sapsf.eu`, ...) and Career Site Builder's
/// default domain (`{company}.jobs2web.com`).
pub(crate) fn is_site_host(host: &str) -> bool {
    [
        ".successfactors.com",
        ".successfactors.eu",
        ".sapsf.com",
        ".sapsf.eu",
        ".jobs2web.com",
    ]
    .iter()
    .any(|domain| host.ends_with(domain))
}

/// Whether a page is a Career Site Builder page (for `auto`, on a company's own domain): it
/// loads the builder's assets and has its job links, job fields or error links.
pub(crate) fn is_page(body: &str) -> bool {
    body.contains("rmkcdn.successfactors.com")
        && (body.contains("jobTitle-link")
            || body.contains("data-careersite-propertyid")
            || body.contains("/errorpage/"))
}

/// What a search page says about its place in the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SearchPage {
    /// Jobs listed on the page.
    pub rows: u64,
    /// The first row's number (1-based), when the page states it.
    pub first: Option<u64>,
    /// The last row's number (1-based), when the page states it.
    pub last: Option<u64>,
    /// Jobs found in all, when the page states it.
    pub total: Option<u64>,
    /// The largest `startrow` its page links name.
    pub max_link_startrow: Option<u64>,
}

/// The paging facts of a search page; `None` for any other page (or one that says it found
/// nothing).
pub(crate) fn search_page_facts(body: &str) -> Option<SearchPage> {
    if crate::markup::nesting::html_too_deep(body) {
        return None;
    }
    let html = Html::parse_document(body);
    let links = job_links(&html);
    if html.select(&NO_RESULTS).next().is_some() || !is_search(&html, &links) {
        return None;
    }
    let rows = links.len() as u64;
    let mut facts = SearchPage {
        rows,
        ..SearchPage::default()
    };
    if let Some(label) = html.select(&LABEL).next() {
        let numbers = numbers(&element_text(label));
        if let [first, last, .., total] = numbers.as_slice() {
            (facts.first, facts.last, facts.total) = (Some(*first), Some(*last), Some(*total));
        } else if let [total] = numbers.as_slice() {
            facts.total = Some(*total);
        }
    }
    if facts.total.is_none() {
        facts.total = html
            .select(&TILE_LIST)
            .next()
            .and_then(|list| list.attr("aria-rowcount"))
            .and_then(|count| count.trim().parse().ok());
    }
    if facts.total.is_none() {
        // The table's label: "... Page 1 of 26, Results 1 to 25 of 633".
        let label = html
            .select(&TABLE)
            .next()
            .and_then(|table| table.attr("aria-label"))
            .map(numbers)
            .unwrap_or_default();
        if let [.., first, last, total] = label.as_slice() {
            (facts.first, facts.last, facts.total) = (Some(*first), Some(*last), Some(*total));
        }
    }
    facts.max_link_startrow = html
        .select(&PAGE_LINK)
        .filter_map(|a| a.attr("href"))
        .filter_map(|href| {
            let query = href.split_once('?')?.1;
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == "startrow")
                .and_then(|(_, value)| value.trim().parse::<u64>().ok())
        })
        .max();
    Some(facts)
}

/// The numbers in a text, in order; digit groups split by `,`, `.` or a (narrow) no-break
/// space before exactly three digits are one number (`1,234`).
pub(crate) fn numbers(text: &str) -> Vec<u64> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
            continue;
        }
        let mut digits = String::new();
        while let Some(c) = chars.get(i) {
            if c.is_ascii_digit() {
                digits.push(*c);
                i += 1;
            } else if matches!(c, ',' | '.' | '\u{a0}' | '\u{202f}')
                && (1..=3).all(|k| chars.get(i + k).is_some_and(char::is_ascii_digit))
                && !chars.get(i + 4).is_some_and(char::is_ascii_digit)
            {
                i += 1;
            } else {
                break;
            }
        }
        if let Ok(number) = digits.parse() {
            out.push(number);
        }
    }
    out
}

/// The job links of a search page, one per job page in document order (a row links its job
/// twice, for wide and narrow screens).
fn job_links(html: &Html) -> Vec<ElementRef<'_>> {
    let mut seen: Vec<&str> = Vec::new();
    let mut links = Vec::new();
    for link in html.select(&JOB_LINK) {
        let Some(href) = link.attr("href").map(str::trim) else {
            continue;
        };
        if href.is_empty() || seen.contains(&href) {
            continue;
        }
        seen.push(href);
        links.push(link);
    }
    links
}

/// Whether a page with these job links is a search page: it lists jobs, or has the results
/// table, tiles or row count of one.
fn is_search(html: &Html, links: &[ElementRef<'_>]) -> bool {
    !links.is_empty() || html.select(&RESULTS).next().is_some()
}

/// A search page's records, or `None` when the page is no search page.
fn search_page(html: &Html, ctx: DocumentContext<'_>) -> Option<Extraction> {
    let links = job_links(html);
    let no_results = html.select(&NO_RESULTS).next().is_some();
    if !no_results && !is_search(html, &links) {
        return None;
    }
    let mut out = Extraction::default();
    if no_results {
        // Below "no results" a site may list its latest jobs, which the search did not find.
        return Some(out);
    }
    for link in links {
        match row_posting(link, ctx) {
            Some(posting) => out.postings.push(posting),
            None => out.skipped += 1,
        }
    }
    Some(out)
}

/// One search record: its link's title and address, and what its row shows.
fn row_posting(link: ElementRef<'_>, ctx: DocumentContext<'_>) -> Option<RawPosting> {
    let title = Some(element_text(link)).filter(|t| !t.is_empty())?;
    let href = link.attr("href")?.trim();
    let absolute = ctx.url.and_then(|base| base.join(href).ok());
    let row = row_of(link);
    let first_text = |selector: &Selector| {
        row.and_then(|row| {
            row.select(selector)
                .map(element_text)
                .find(|text| !text.is_empty())
        })
    };
    Some(RawPosting {
        external_id: job_id(href),
        url: Some(
            absolute
                .as_ref()
                .map_or_else(|| href.to_owned(), Url::to_string),
        ),
        title: Some(title),
        company_name: ctx.url.and_then(site_company),
        department: first_text(&DEPARTMENT),
        locations: first_text(&LOCATION).map(location).into_iter().collect(),
        posted_at: first_text(&DATE).map(RawDate::Text),
        detail_url: absolute.map(String::from),
        ..RawPosting::default()
    })
}

/// A location as Career Site Builder writes it, `City, [State,] CC[, Postal code]`
/// (`Bangalore, IN, 560066`, `Greensboro, NC, US, 27409`), with its parts when it has that
/// shape; other text is kept as text.
fn location(text: String) -> RawLocation {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let is_country = |part: &&str| part.len() == 2 && part.bytes().all(|b| b.is_ascii_uppercase());
    let is_postal = |part: &&str| part.bytes().any(|b| b.is_ascii_digit());
    let place = match parts.as_slice() {
        [rest @ .., postal] if is_postal(postal) => rest,
        all => all,
    };
    let (city, region, country) = match place {
        [city, country] if is_country(country) => (city, None, country),
        [city, region, country] if is_country(country) => (city, Some(region), country),
        _ => return RawLocation::text(text),
    };
    let part = |value: &str| Some(value.to_owned()).filter(|v| !v.is_empty());
    RawLocation {
        city: part(city),
        region: region.and_then(|r| part(r)),
        country: part(country),
        raw: text,
    }
}

/// The row (`tr`, `li`) a job link sits in.
fn row_of(link: ElementRef<'_>) -> Option<ElementRef<'_>> {
    link.ancestors()
        .take(MAX_ROW_DEPTH)
        .filter_map(ElementRef::wrap)
        .find(|el| matches!(el.value().name(), "tr" | "li"))
}

/// The job's id: the last all-digit segment of its page's path (`/job/{slug}/{id}/`).
fn job_id(href: &str) -> Option<String> {
    let path = href.split(['?', '#']).next()?;
    path.rsplit('/')
        .find(|segment| !segment.is_empty())
        .filter(|segment| segment.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

/// The company a `{company}.jobs2web.com` site belongs to; other domains name none (the
/// job page does).
fn site_company(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    let company = host.strip_suffix(".jobs2web.com")?;
    (!company.is_empty() && !company.contains('.')).then(|| company.to_owned())
}

/// The postings of a job page, completed from the page's own fields.
fn job_page(html: &Html, mut postings: Vec<RawPosting>, ctx: DocumentContext<'_>) -> Extraction {
    let canonical = html
        .select(&CANONICAL)
        .next()
        .and_then(|link| link.attr("href"))
        .map(str::trim)
        .filter(|href| !href.is_empty());
    let address = canonical
        .map(str::to_owned)
        .or_else(|| ctx.url.map(Url::to_string));
    let apply = html
        .select(&APPLY)
        .next()
        .and_then(|a| a.attr("href"))
        .map(|href| href.trim().to_owned());
    let id = address
        .as_deref()
        .and_then(job_id)
        .or_else(|| apply.as_deref().and_then(job_id));
    let department = property(html, "department");
    let date = property(html, "date");
    let employment = employment_type(html);
    let single = postings.len() == 1;
    for posting in &mut postings {
        if single {
            posting.url = posting.url.take().or_else(|| address.clone());
            posting.external_id = posting.external_id.take().or_else(|| id.clone());
            posting.apply_url = posting.apply_url.take().or_else(|| apply.clone());
        }
        posting.posted_at = match posting.posted_at.take() {
            Some(RawDate::Text(text)) => Some(RawDate::Text(java_date(&text).unwrap_or(text))),
            other => other.or_else(|| date.clone().map(RawDate::Text)),
        };
        for place in &mut posting.locations {
            if place.city.is_none() && place.region.is_none() && place.country.is_none() {
                *place = location(std::mem::take(&mut place.raw));
            }
        }
        if posting.department.is_none() {
            posting.department = department.clone();
        }
        if posting.employment_types.is_empty() {
            posting.employment_types.extend(employment.clone());
        }
        if posting.company_name.is_none() {
            posting.company_name = ctx.url.and_then(site_company);
        }
    }
    Extraction {
        postings,
        skipped: 0,
    }
}

/// A job page without microdata, read from its fields (`data-careersite-propertyid`
/// `title`, `description`, `location`, `date`); `None` without a title field.
fn fields_posting(html: &Html) -> Option<RawPosting> {
    let title = property(html, "title")?;
    let description = html
        .select(&PROPERTY)
        .find(|el| el.attr("data-careersite-propertyid") == Some("description"))
        .map(|el| el.inner_html().trim().to_owned())
        .filter(|d| !d.is_empty());
    Some(RawPosting {
        title: Some(title),
        description_html: description,
        locations: property(html, "location")
            .map(location)
            .into_iter()
            .collect(),
        ..RawPosting::default()
    })
}

/// The first non-empty value of a job page field (`data-careersite-propertyid`).
fn property(html: &Html, name: &str) -> Option<String> {
    html.select(&PROPERTY)
        .filter(|el| el.attr("data-careersite-propertyid") == Some(name))
        .map(visible_text)
        .find(|text| !text.is_empty())
}

/// [`element_text`] without the text of the scripts and styles inside the element (a job
/// page's location field carries its own `<style>`).
pub(crate) fn visible_text(el: ElementRef<'_>) -> String {
    let hidden = |node: &scraper::Node| {
        node.as_element()
            .is_some_and(|e| matches!(e.name(), "script" | "style" | "noscript" | "template"))
    };
    if !el.descendants().any(|node| hidden(node.value())) {
        return element_text(el);
    }
    let mut raw = String::new();
    for node in el.descendants() {
        if let scraper::Node::Text(text) = node.value()
            && !node.ancestors().any(|a| hidden(a.value()))
        {
            raw.push_str(text);
            raw.push(' ');
        }
    }
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value of the job page field whose label names the employment type (the field's id
/// means different things on different sites; its label says what it is).
fn employment_type(html: &Html) -> Option<String> {
    html.select(&LAYOUT_TOKEN).find_map(|token| {
        let label = element_text(token.select(&TOKEN_LABEL).next()?);
        let label = label.trim_end_matches([':', ' ']).to_lowercase();
        if !EMPLOYMENT_LABELS.contains(&label.as_str()) {
            return None;
        }
        token
            .select(&PROPERTY)
            .map(visible_text)
            .find(|text| !text.is_empty())
    })
}

/// A Java `Date` as SuccessFactors writes it (`Mon Jul 13 00:00:00 UTC 2026`) as the ISO
/// date it names; `None` for other text.
fn java_date(text: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let [_, month, day, time, _, year] = text.split_whitespace().collect::<Vec<_>>()[..] else {
        return None;
    };
    let month = MONTHS.iter().position(|m| *m == month)? + 1;
    let day: u32 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let year: u32 = year.parse().ok().filter(|y| (1000..=9999).contains(y))?;
    time.contains(':')
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH: &str = include_str!("../../testdata/corpus/successfactors/search_rsp.html");
    const NO_RESULTS_PAGE: &str =
        include_str!("../../testdata/corpus/successfactors/search_no_results_rsp.html");
    const JOB: &str = include_str!("../../testdata/corpus/successfactors/job_detail_rsp.html");
    const NOT_FOUND: &str =
        include_str!("../../testdata/corpus/successfactors/job_detail_not_found_rsp.html");

    fn run(body: &str, url: &str) -> Result<Extraction, ParseError> {
        let url = Url::parse(url).unwrap();
        extract(body, DocumentContext { url: Some(&url) })
    }

    const SEARCH_URL: &str = "https://jobs.sap.com/search/?q=engineer&locationsearch=&optionsFacetsDD_department=&optionsFacetsDD_customfield3=&optionsFacetsDD_country=&startrow=0";

    #[test]
    fn a_search_page_gives_one_record_per_job_naming_its_job_page() {
        let found = run(SEARCH, SEARCH_URL).unwrap();
        assert_eq!((found.postings.len(), found.skipped), (25, 0));
        let first = &found.postings[0];
        let page = "https://jobs.sap.com/job/Bangalore-Developer-Associate-560066/1414343333/";
        assert_eq!(first.title.as_deref(), Some("Developer Associate"));
        assert_eq!(first.url.as_deref(), Some(page));
        assert_eq!(first.detail_url.as_deref(), Some(page));
        assert_eq!(first.external_id.as_deref(), Some("1414343333"));
        assert_eq!(
            first.locations,
            [RawLocation {
                raw: "Bangalore, IN, 560066".into(),
                city: Some("Bangalore".into()),
                region: None,
                country: Some("IN".into()),
            }]
        );
        assert_eq!(first.description_html, None);
        let fourth = &found.postings[3];
        assert_eq!(
            fourth.title.as_deref(),
            Some("Development Manager, SAP Concur Travel AI & Core Engineering")
        );
        assert_eq!(
            fourth.url.as_deref(),
            Some(
                "https://jobs.sap.com/job/Bangalore-Development-Manager%2C-SAP-Concur-Travel-AI-&-Core-Engineering-KA-562149/1414120633/"
            )
        );
    }

    #[test]
    fn a_search_page_states_its_rows_and_total() {
        assert_eq!(
            search_page_facts(SEARCH),
            Some(SearchPage {
                rows: 25,
                first: Some(1),
                last: Some(25),
                total: Some(633),
                max_link_startrow: Some(625),
            })
        );
        assert_eq!(search_page_facts(NO_RESULTS_PAGE), None);
        assert_eq!(search_page_facts(JOB), None);
        assert_eq!(search_page_facts(NOT_FOUND), None);
    }

    #[test]
    fn a_tile_layout_gives_its_rows_and_row_count() {
        let tiles = r#"<ul id="job-tile-list" aria-rowcount="949" data-per-page="100">
            <li class="job-tile" data-url="/job/Nashville-Principal%2C-Contracts-TN-37203/1413204900/">
              <a class="jobTitle-link" href="/job/Nashville-Principal%2C-Contracts-TN-37203/1413204900/"> Principal, Contracts </a>
              <div class="section-field location"><span class="section-label">Location</span>
                <div><span class="section-value">Nashville, TN, US, 37203</span></div></div>
              <div class="section-field date"><span class="section-label">Date</span>
                <div><span class="section-value">Oct 3, 2026</span></div></div>
            </li></ul>"#;
        let found = run(tiles, "https://careers.example.com/search/?q=").unwrap();
        let p = &found.postings[0];
        assert_eq!(p.title.as_deref(), Some("Principal, Contracts"));
        assert_eq!(p.external_id.as_deref(), Some("1413204900"));
        assert_eq!(
            p.locations,
            [RawLocation {
                raw: "Nashville, TN, US, 37203".into(),
                city: Some("Nashville".into()),
                region: Some("TN".into()),
                country: Some("US".into()),
            }]
        );
        assert_eq!(p.posted_at, Some(RawDate::Text("Oct 3, 2026".into())));
        let facts = search_page_facts(tiles).unwrap();
        assert_eq!((facts.rows, facts.total), (1, Some(949)));
    }

    #[test]
    fn a_search_that_found_nothing_has_no_records() {
        let found = run(NO_RESULTS_PAGE, SEARCH_URL).unwrap();
        assert_eq!(found, Extraction::default());
    }

    #[test]
    fn a_job_page_gives_its_microdata_posting_completed_from_the_page() {
        let url = "https://jobs.sap.com/job/Bangalore-Developer-Associate-560066/1414343333/";
        let found = run(JOB, url).unwrap();
        assert_eq!(found.postings.len(), 1);
        let p = &found.postings[0];
        assert_eq!(p.title.as_deref(), Some("Developer Associate"));
        assert_eq!(p.url.as_deref(), Some(url));
        assert_eq!(p.external_id.as_deref(), Some("1414343333"));
        assert_eq!(p.company_name.as_deref(), Some("SAP"));
        assert_eq!(p.posted_at, Some(RawDate::Text("2026-07-13".into())));
        assert_eq!(p.locations[0].raw, "Bangalore, IN, 560066");
        assert_eq!(p.locations[0].country.as_deref(), Some("IN"));
        assert_eq!(
            p.department.as_deref(),
            Some("Software-Design and Development")
        );
        assert_eq!(p.employment_types, ["Regular Full Time"]);
        assert_eq!(
            p.apply_url.as_deref(),
            Some("/talentcommunity/apply/1414343333/?locale=en_US")
        );
        assert_eq!(p.detail_url, None);
        assert!(
            p.description_html
                .as_deref()
                .is_some_and(|d| d.contains("Application Engineering: Job Profile T1"))
        );
        assert!(p.tags.iter().any(|t| t.contains("Quality Assurance")));
    }

    #[test]
    fn a_job_page_without_microdata_is_read_from_its_fields() {
        let url = "https://jobs.sap.com/job/Bangalore-Developer-Associate-560066/1414343333/";
        let plain = JOB
            .replace("itemscope", "data-x")
            .replace("itemtype", "data-y");
        let found = run(&plain, url).unwrap();
        assert_eq!(found.postings.len(), 1);
        let p = &found.postings[0];
        assert_eq!(p.title.as_deref(), Some("Developer Associate"));
        assert_eq!(p.external_id.as_deref(), Some("1414343333"));
        assert_eq!(p.posted_at, Some(RawDate::Text("Jul 13, 2026".into())));
        assert_eq!(
            p.locations[0].raw, "Bangalore, IN, 560066",
            "without the field's style"
        );
        assert_eq!(p.locations[0].city.as_deref(), Some("Bangalore"));
        assert_eq!(p.employment_types, ["Regular Full Time"]);
        assert!(
            p.description_html
                .as_deref()
                .is_some_and(|d| d.contains("Application Engineering: Job Profile T1"))
        );
    }

    #[test]
    fn the_error_page_and_other_pages_are_errors_that_say_why() {
        let error = run(NOT_FOUND, "https://jobs.sap.com/job/999999999/999999999/")
            .unwrap_err()
            .to_string();
        assert!(error.contains("error page"), "{error}");
        let error = run("<html><body><p>Welcome</p></body></html>", SEARCH_URL)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("neither a search page nor a job page"),
            "{error}"
        );
    }

    #[test]
    fn locations_of_the_builders_shape_are_split_and_others_kept_as_text() {
        let parts = |text: &str| {
            let l = location(text.to_owned());
            (l.city, l.region, l.country)
        };
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            parts("Berlin, DE, 10557"),
            (some("Berlin"), None, some("DE"))
        );
        assert_eq!(parts("Berlin, DE"), (some("Berlin"), None, some("DE")));
        assert_eq!(
            parts("Ho Chi Minh, 70, VN, 700000"),
            (some("Ho Chi Minh"), some("70"), some("VN"))
        );
        assert_eq!(parts("Remote"), (None, None, None));
        assert_eq!(parts("Walldorf, Germany"), (None, None, None));
        assert_eq!(
            location("Walldorf, Germany".into()).raw,
            "Walldorf, Germany"
        );
    }

    #[test]
    fn java_dates_become_iso_dates_and_other_text_is_left_alone() {
        assert_eq!(
            java_date("Mon Jul 13 00:00:00 UTC 2026").as_deref(),
            Some("2026-07-13")
        );
        assert_eq!(
            java_date("Fri Jan 02 00:00:00 CET 2026").as_deref(),
            Some("2026-01-02")
        );
        assert_eq!(java_date("2026-07-13"), None);
        assert_eq!(java_date("Mon Foo 13 00:00:00 UTC 2026"), None);
        assert_eq!(java_date("Mon Jul 99 00:00:00 UTC 2026"), None);
    }

    #[test]
    fn numbers_are_read_with_their_thousands_separators() {
        assert_eq!(numbers("Results 1 – 25 of 633"), [1, 25, 633]);
        assert_eq!(numbers("Ergebnisse 26 – 50 von 1.234"), [26, 50, 1234]);
        assert_eq!(
            numbers("1\u{a0}001 – 1\u{a0}025 of 12,345"),
            [1001, 1025, 12345]
        );
        assert_eq!(numbers("2.5 of 3,14"), [2, 5, 3, 14]);
        assert!(numbers("none").is_empty());
    }

    #[test]
    fn links_without_a_title_are_skipped_and_ids_need_digits() {
        let page = r#"<table id="searchresults"><tr class="data-row">
            <td><a class="jobTitle-link" href="/job/A/123/"> </a></td></tr>
            <tr class="data-row"><td><a class="jobTitle-link" href="/job/B/">B</a></td></tr></table>"#;
        let found = run(page, SEARCH_URL).unwrap();
        assert_eq!((found.postings.len(), found.skipped), (1, 1));
        assert_eq!(found.postings[0].external_id, None);
        assert_eq!(job_id("/job/x/42/?locale=de_DE"), Some("42".into()));
    }

    #[test]
    fn sites_are_told_by_their_hosts_and_builder_markers() {
        assert!(is_site_host("career5.successfactors.eu"));
        assert!(is_site_host("career55.sapsf.eu"));
        assert!(is_site_host("assaabloy.jobs2web.com"));
        assert!(!is_site_host("jobs.sap.com"));
        assert!(!is_site_host("successfactors.com.example.org"));
        for page in [SEARCH, NO_RESULTS_PAGE, JOB, NOT_FOUND] {
            assert!(is_page(page));
        }
        assert!(!is_page(
            "<a class=\"jobTitle-link\" href=\"/job/1/\">x</a>"
        ));
        let url = Url::parse("https://assaabloy.jobs2web.com/search/").unwrap();
        assert_eq!(site_company(&url).as_deref(), Some("assaabloy"));
        assert_eq!(site_company(&Url::parse(SEARCH_URL).unwrap()), None);
    }
}
