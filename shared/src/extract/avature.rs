//! Extractor for Avature career portals (`https://{portal}.avature.net/{portal path}/...`
//! or a company's own domain): a `SearchJobs` page lists jobs without descriptions, each
//! linking to its `JobDetail` page, which holds the posting as labelled fields.
//!
//! Portals are themed differently (cards in `article`s or `li`s, titles in headings or
//! title blocks, older portals' `FolderDetail`/`folderOffset`), so this reads what the themes
//! share rather than one theme's classes: the page's `avature.portal.page` meta tag (what the
//! page is), links to detail pages (the jobs), the results legend ("1-12 of 436"), offset
//! paging links, and a detail page's label/value field pairs, title meta and canonical link.

use std::collections::HashSet;
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::html_recipe::element_text;
use super::successfactors::{numbers, visible_text};
use super::{DocumentContext, Extraction, RawDate, RawLocation, RawPosting, jsonld};
use crate::error::ParseError;
use crate::model::SourceKind;

const KIND: SourceKind = SourceKind::Avature;

/// Path segments that name a job's page.
const DETAIL_SEGMENTS: &[&str] = &["JobDetail", "FolderDetail"];

/// Query parameters that page a search, newer portals' first.
pub(crate) const OFFSET_KEYS: &[&str] = &["jobOffset", "folderOffset"];

/// How far up from a job link its card is looked for.
const MAX_CARD_DEPTH: usize = 6;

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("static selector is valid")
}

static LINK: LazyLock<Selector> = LazyLock::new(|| selector("a[href]"));
static META: LazyLock<Selector> = LazyLock::new(|| selector("meta[name][content]"));
static OG: LazyLock<Selector> = LazyLock::new(|| selector("meta[property][content]"));
static CANONICAL: LazyLock<Selector> = LazyLock::new(|| selector("link[rel=canonical][href]"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
static HEADING: LazyLock<Selector> = LazyLock::new(|| selector("h1, h2, h3, h4, h5, h6"));
static CLASSED: LazyLock<Selector> = LazyLock::new(|| selector("[class]"));
static DEFINITION: LazyLock<Selector> = LazyLock::new(|| selector("dt"));

/// What a job field's label means (labels lower case, without a trailing colon).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Location,
    City,
    Region,
    Country,
    Department,
    Employment,
    Workplace,
    Posted,
    Closing,
    Salary,
    Seniority,
    /// A reference number: neither a field of the posting nor description.
    Reference,
}

const LABELS: &[(&str, Field)] = &[
    ("job title", Field::Title),
    ("title", Field::Title),
    ("job name", Field::Title),
    ("posting title", Field::Title),
    ("position title", Field::Title),
    ("location", Field::Location),
    ("locations", Field::Location),
    ("work location", Field::Location),
    ("job location", Field::Location),
    ("primary location", Field::Location),
    ("office location", Field::Location),
    ("city", Field::City),
    ("state", Field::Region),
    ("state/province", Field::Region),
    ("province", Field::Region),
    ("region", Field::Region),
    ("country", Field::Country),
    ("business area", Field::Department),
    ("business unit", Field::Department),
    ("business function", Field::Department),
    ("department", Field::Department),
    ("function", Field::Department),
    ("job family", Field::Department),
    ("job category", Field::Department),
    ("category", Field::Department),
    ("career area", Field::Department),
    ("team", Field::Department),
    ("employment type", Field::Employment),
    ("job type", Field::Employment),
    ("type of contract", Field::Employment),
    ("contract type", Field::Employment),
    ("worker type", Field::Employment),
    ("position type", Field::Employment),
    ("time type", Field::Employment),
    ("full time/part time", Field::Employment),
    ("full/part time", Field::Employment),
    ("onsite or remote", Field::Workplace),
    ("remote type", Field::Workplace),
    ("workplace type", Field::Workplace),
    ("work model", Field::Workplace),
    ("work arrangement", Field::Workplace),
    ("location type", Field::Workplace),
    ("remote", Field::Workplace),
    ("posted date", Field::Posted),
    ("date posted", Field::Posted),
    ("posting date", Field::Posted),
    ("date published", Field::Posted),
    ("publish date", Field::Posted),
    ("closing date", Field::Closing),
    ("application deadline", Field::Closing),
    ("apply by", Field::Closing),
    ("salary", Field::Salary),
    ("salary range", Field::Salary),
    ("pay range", Field::Salary),
    ("base pay range", Field::Salary),
    ("compensation", Field::Salary),
    ("pay rate", Field::Salary),
    ("experience level", Field::Seniority),
    ("career level", Field::Seniority),
    ("seniority", Field::Seniority),
    ("ref #", Field::Reference),
    ("ref#", Field::Reference),
    ("job #", Field::Reference),
    ("job id", Field::Reference),
    ("requisition #", Field::Reference),
    ("requisition id", Field::Reference),
    ("req id", Field::Reference),
];

fn field_of(label: &str) -> Option<Field> {
    let label = label.trim().trim_end_matches(':').trim().to_lowercase();
    LABELS
        .iter()
        .find(|(name, _)| *name == label)
        .map(|(_, field)| *field)
}

/// Extracts the postings of one Avature page.
///
/// A search page gives one record per job it links to (grouped by job: a card links its job
/// from the title and from buttons), with the title, address, id and the location and date
/// its card shows, and `detail_url` = the job page; a search that found nothing gives none.
/// A job page gives its posting: the title (`og:title`, a title field, or the page title),
/// the canonical address and id, mapped fields (location, department, employment type,
/// workplace, dates, pay text, level) and the other fields, with their section headings, as
/// the description; a JSON-LD `JobPosting`, when a portal has one, comes first. Job links
/// without a title are skipped and counted.
///
/// Errors: the portal's error page (where an unknown or closed job redirects), a job page
/// without a title, a search page that states results but lists no job it can read, and any
/// page that is neither a search page nor a job page.
pub fn extract(body: &str, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    if crate::markup::nesting::html_too_deep(body) {
        return Err(crate::markup::nesting::too_deep(KIND));
    }
    let html = Html::parse_document(body);
    match page_kind(&html, ctx) {
        Page::Search => search_page(&html, ctx),
        Page::Job => job_page(body, &html, ctx),
        Page::Error => Err(malformed(
            "the portal's error page: the job does not exist or is no longer posted",
        )),
        Page::Other(name) => Err(malformed(&format!(
            "an Avature {name:?} page is neither a job search nor a job page"
        ))),
        Page::Unknown => Err(malformed(
            "neither a job search nor a job page of an Avature portal",
        )),
    }
}

fn malformed(detail: &str) -> ParseError {
    ParseError::malformed(KIND, detail)
}

/// Whether `host` (lower case) is an Avature portal host (`{portal}.avature.net`).
pub(crate) fn is_site_host(host: &str) -> bool {
    host.ends_with(".avature.net")
}

/// Whether a page is an Avature portal page (for `auto`, on a company's own domain): it
/// names its portal page in a meta tag.
pub(crate) fn is_page(body: &str) -> bool {
    body.contains("<meta name=\"avature.portal.page\"")
}

/// What a page is.
enum Page {
    Search,
    Job,
    Error,
    Other(String),
    Unknown,
}

/// What a page is: as its `avature.portal.page` meta tag says (`SearchJobs`, `JobDetail`,
/// `Error`, ...), else as its address and links suggest.
fn page_kind(html: &Html, ctx: DocumentContext<'_>) -> Page {
    if let Some(name) = meta(html, "avature.portal.page") {
        return if name.eq_ignore_ascii_case("Error") {
            Page::Error
        } else if name.contains("Detail") {
            Page::Job
        } else if name.contains("Search") {
            Page::Search
        } else {
            Page::Other(name.chars().take(40).collect())
        };
    }
    if ctx.url.is_some_and(detail_path) {
        Page::Job
    } else if !job_links(html, ctx).is_empty() {
        Page::Search
    } else {
        Page::Unknown
    }
}

/// The `content` of the page's `<meta name="...">`.
fn meta(html: &Html, name: &str) -> Option<String> {
    html.select(&META)
        .find(|el| {
            el.attr("name")
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .and_then(|el| el.attr("content"))
        .map(str::trim)
        .filter(|content| !content.is_empty())
        .map(str::to_owned)
}

/// The `content` of the page's `<meta property="...">` (Open Graph).
fn og(html: &Html, property: &str) -> Option<String> {
    html.select(&OG)
        .find(|el| el.attr("property") == Some(property))
        .and_then(|el| el.attr("content"))
        .map(str::trim)
        .filter(|content| !content.is_empty())
        .map(str::to_owned)
}

/// Whether an address is a job's page (`.../JobDetail/{slug}/{id}`, `.../JobDetail?jobId=`).
fn detail_path(url: &Url) -> bool {
    url.path_segments()
        .is_some_and(|mut segments| segments.any(|s| DETAIL_SEGMENTS.contains(&s)))
}

/// A job's id: the all-digit last segment of its page's path, else its `jobId`/`folderId`.
fn job_id(url: &Url) -> Option<String> {
    let last = url
        .path_segments()?
        .rev()
        .find(|segment| !segment.is_empty())?;
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return Some(last.to_owned());
    }
    url.query_pairs()
        .find(|(key, _)| key == "jobId" || key == "folderId")
        .map(|(_, value)| value.trim().to_owned())
        .filter(|id| !id.is_empty())
}

/// One job linked from a search page: its address and the links to it.
struct JobLinks<'a> {
    url: Url,
    links: Vec<ElementRef<'a>>,
}

/// The jobs a page links to, in document order, each with every link to it.
fn job_links<'a>(html: &'a Html, ctx: DocumentContext<'_>) -> Vec<JobLinks<'a>> {
    let base = ctx.url;
    let mut jobs: Vec<JobLinks<'a>> = Vec::new();
    for link in html.select(&LINK) {
        let Some(href) = link.attr("href").map(str::trim) else {
            continue;
        };
        let parsed = match base {
            Some(base) => base.join(href),
            None => Url::parse(href),
        };
        let Ok(mut url) = parsed else {
            continue;
        };
        if !detail_path(&url) {
            continue;
        }
        url.set_fragment(None);
        match jobs.iter_mut().find(|job| job.url == url) {
            Some(job) => job.links.push(link),
            None => jobs.push(JobLinks {
                url,
                links: vec![link],
            }),
        }
    }
    jobs
}

/// A search page's records.
fn search_page(html: &Html, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    let jobs = job_links(html, ctx);
    if jobs.is_empty() {
        if let Some(total) = legend(html).and_then(|l| l.total).filter(|t| *t > 0) {
            return Err(malformed(&format!(
                "the search page states {total} results but lists no job page it can read"
            )));
        }
        return Ok(Extraction::default());
    }
    let company = company(html, ctx);
    let mut out = Extraction::default();
    for job in &jobs {
        match card_posting(job, &jobs, company.as_deref(), ctx) {
            Some(posting) => out.postings.push(posting),
            None => out.skipped += 1,
        }
    }
    Ok(out)
}

/// One search record: the job's title link and what its card shows.
fn card_posting(
    job: &JobLinks<'_>,
    all: &[JobLinks<'_>],
    company: Option<&str>,
    ctx: DocumentContext<'_>,
) -> Option<RawPosting> {
    let (link, title) = title_link(&job.links)?;
    let card = card_of(link, job, all);
    let text_of = |wanted: fn(&str) -> bool| {
        card.and_then(|card| {
            card.select(&CLASSED)
                .filter(|el| {
                    el.attr("class")
                        .is_some_and(|c| c.split_whitespace().any(wanted))
                })
                .filter(|el| !el.select(&LINK).any(|_| true))
                .map(element_text)
                .find(|text| !text.is_empty())
        })
    };
    let _ = ctx;
    let url = job.url.to_string();
    Some(RawPosting {
        external_id: job_id(&job.url),
        title: Some(title),
        company_name: company.map(str::to_owned),
        locations: text_of(|class| class.to_lowercase().contains("location"))
            .map(RawLocation::text)
            .into_iter()
            .collect(),
        posted_at: text_of(is_date_class).map(RawDate::Text),
        detail_url: Some(url.clone()),
        url: Some(url),
        ..RawPosting::default()
    })
}

/// Whether a class names a date (`list-item-date`, `posted-date`), not a candidate or an
/// update.
fn is_date_class(class: &str) -> bool {
    let class = class.to_lowercase();
    class.contains("date") && !class.contains("candidate") && !class.contains("update")
}

/// The link that carries a job's title, and the title: one in or around a heading, else
/// one marked as a title, else the first that is not a button.
fn title_link<'a>(links: &[ElementRef<'a>]) -> Option<(ElementRef<'a>, String)> {
    let nonempty = |text: String| Some(text).filter(|t| !t.is_empty());
    for link in links {
        if let Some(heading) = link.select(&HEADING).next()
            && let Some(text) = nonempty(element_text(heading))
        {
            return Some((*link, text));
        }
        let in_heading = link
            .ancestors()
            .take(3)
            .filter_map(ElementRef::wrap)
            .any(|el| matches!(el.value().name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6"));
        if in_heading && let Some(text) = nonempty(element_text(*link)) {
            return Some((*link, text));
        }
    }
    let marked = |el: &ElementRef<'_>| {
        el.attr("class")
            .is_some_and(|c| c.to_lowercase().contains("title"))
    };
    let is_button = |el: &ElementRef<'_>| {
        el.attr("class")
            .is_some_and(|c| c.to_lowercase().contains("button"))
    };
    let titled = links.iter().find(|link| {
        marked(link)
            || link
                .parent()
                .and_then(ElementRef::wrap)
                .is_some_and(|parent| marked(&parent))
    });
    titled
        .into_iter()
        .chain(links.iter().filter(|link| !is_button(link)))
        .find_map(|link| nonempty(element_text(*link)).map(|text| (*link, text)))
}

/// The card a job's title link sits in: the link itself when it wraps a heading (a card
/// that is one link), else the nearest `article`, `li` or `tr` around it that links to no
/// other job.
fn card_of<'a>(
    link: ElementRef<'a>,
    job: &JobLinks<'_>,
    all: &[JobLinks<'_>],
) -> Option<ElementRef<'a>> {
    if link.select(&HEADING).next().is_some() {
        return Some(link);
    }
    let others: HashSet<_> = all
        .iter()
        .filter(|other| other.url != job.url)
        .flat_map(|other| other.links.iter().map(|l| l.id()))
        .collect();
    link.ancestors()
        .take(MAX_CARD_DEPTH)
        .filter_map(ElementRef::wrap)
        .take_while(|el| !el.descendants().any(|node| others.contains(&node.id())))
        .find(|el| matches!(el.value().name(), "article" | "li" | "tr"))
}

/// The hiring company: the portal's site name, else the portal's host name.
fn company(html: &Html, ctx: DocumentContext<'_>) -> Option<String> {
    og(html, "og:site_name").or_else(|| {
        let host = ctx.url?.host_str()?;
        let portal = host.strip_suffix(".avature.net")?;
        (!portal.is_empty() && !portal.contains('.')).then(|| portal.to_owned())
    })
}

/// What a search page says about its place in the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SearchPage {
    /// Jobs listed on the page.
    pub rows: u64,
    /// The first row's number (1-based), when the page states it.
    pub first: Option<u64>,
    /// The last row's number, when the page states it.
    pub last: Option<u64>,
    /// Jobs found in all, when the page states it.
    pub total: Option<u64>,
    /// The offset parameter the page's links use (`jobOffset`, `folderOffset`).
    pub offset_key: Option<&'static str>,
    /// The largest offset those links name.
    pub max_link_offset: Option<u64>,
}

/// The paging facts of a search page (`url` resolves its links); `None` for any other page.
pub(crate) fn search_page_facts(body: &str, url: &Url) -> Option<SearchPage> {
    if crate::markup::nesting::html_too_deep(body) {
        return None;
    }
    let html = Html::parse_document(body);
    let ctx = DocumentContext { url: Some(url) };
    if !matches!(page_kind(&html, ctx), Page::Search) {
        return None;
    }
    let mut facts = legend(&html).unwrap_or_default();
    facts.rows = job_links(&html, ctx).len() as u64;
    for link in html.select(&LINK) {
        let Some(Ok(target)) = link.attr("href").map(|href| url.join(href.trim())) else {
            continue;
        };
        for (key, value) in target.query_pairs() {
            let Some(known) = OFFSET_KEYS.iter().find(|k| **k == key) else {
                continue;
            };
            facts.offset_key.get_or_insert(*known);
            if let Ok(offset) = value.trim().parse::<u64>() {
                facts.max_link_offset = facts.max_link_offset.max(Some(offset));
            }
        }
    }
    Some(facts)
}

/// The results legend ("1-12 of 436 results"; its `aria-label` may hold just the total):
/// the first element with a `legend` class that states a row range, else one that states a
/// total (a page has other legends, such as its sort control's).
fn legend(html: &Html) -> Option<SearchPage> {
    let mut total_only = None;
    for legend in html.select(&CLASSED).filter(|el| {
        el.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|t| t.contains("legend")))
    }) {
        if let [first, last, .., total] = numbers(&element_text(legend))[..] {
            return Some(SearchPage {
                first: Some(first),
                last: Some(last),
                total: Some(total),
                ..SearchPage::default()
            });
        }
        if total_only.is_none()
            && let [total] = legend.attr("aria-label").map(numbers).unwrap_or_default()[..]
        {
            total_only = Some(SearchPage {
                total: Some(total),
                ..SearchPage::default()
            });
        }
    }
    total_only
}

/// A job page's posting.
fn job_page(body: &str, html: &Html, ctx: DocumentContext<'_>) -> Result<Extraction, ParseError> {
    // A portal with Google for Jobs enabled has the posting as JSON-LD.
    let mut posting = match jsonld::extract(body, ctx) {
        Ok(found) if found.postings.len() == 1 => {
            found.postings.into_iter().next().unwrap_or_default()
        }
        _ => RawPosting::default(),
    };
    let address = html
        .select(&CANONICAL)
        .next()
        .and_then(|link| link.attr("href"))
        .map(str::trim)
        .filter(|href| !href.is_empty())
        .map(str::to_owned)
        .or_else(|| og(html, "og:url"))
        .or_else(|| ctx.url.map(Url::to_string));
    let page_url = address.as_deref().and_then(|a| match ctx.url {
        Some(base) => base.join(a).ok(),
        None => Url::parse(a).ok(),
    });
    let fields = fields(html);
    posting.external_id = posting
        .external_id
        .take()
        .or_else(|| {
            meta(html, "avature.portallist.search")
                .filter(|id| id.bytes().all(|b| b.is_ascii_digit()))
        })
        .or_else(|| page_url.as_ref().and_then(job_id));
    let site = og(html, "og:site_name");
    let title = posting
        .title
        .take()
        // Some portals' pages all carry the site's name as their Open Graph title.
        .or_else(|| og(html, "og:title").filter(|t| Some(t) != site.as_ref()))
        .or_else(|| labelled(&fields, Field::Title))
        .or_else(|| page_title(html, posting.external_id.as_deref()));
    let Some(title) = title else {
        return Err(malformed("a job page without a job title"));
    };
    posting.url = posting.url.take().or(address);
    posting.company_name = posting.company_name.take().or_else(|| company(html, ctx));
    fill_from_fields(&mut posting, &fields, &title);
    if posting.description_html.is_none() {
        posting.description_html = description(&fields, &title);
    }
    posting.title = Some(title);
    Ok(Extraction {
        postings: vec![posting],
        skipped: 0,
    })
}

/// The page's `<title>`, without the " - {id} - {company}" the portal appends.
fn page_title(html: &Html, id: Option<&str>) -> Option<String> {
    let text = element_text(html.select(&TITLE).next()?);
    let title = match id.and_then(|id| text.find(&format!(" - {id}"))) {
        Some(end) => text.get(..end).unwrap_or_default(),
        None => &text,
    }
    .trim();
    (!title.is_empty()).then(|| title.to_owned())
}

/// One field of a job page: its label (if any) and its value element.
struct JobField<'a> {
    label: Option<String>,
    value: ElementRef<'a>,
}

/// A job page's fields in document order: value elements (a class ending in `value`, not
/// inside another) with the label element before them (a class ending in `label`), and
/// `dt`/`dd` pairs.
fn fields(html: &Html) -> Vec<JobField<'_>> {
    let has_class = |el: &ElementRef<'_>, suffix: &str| {
        el.attr("class").is_some_and(|c| {
            c.split_whitespace()
                .any(|t| t.to_lowercase().ends_with(suffix))
        })
    };
    let mut out: Vec<JobField<'_>> = Vec::new();
    let mut taken: HashSet<_> = HashSet::new();
    for value in html.select(&CLASSED).filter(|el| has_class(el, "value")) {
        if value.ancestors().any(|a| taken.contains(&a.id())) {
            continue;
        }
        taken.insert(value.id());
        let label = value
            .prev_siblings()
            .filter_map(ElementRef::wrap)
            .next()
            .filter(|el| has_class(el, "label"))
            .map(element_text)
            .filter(|text| !text.is_empty());
        out.push(JobField { label, value });
    }
    for term in html.select(&DEFINITION) {
        let Some(value) = term
            .next_siblings()
            .filter_map(ElementRef::wrap)
            .next()
            .filter(|el| el.value().name() == "dd")
        else {
            continue;
        };
        if value.ancestors().any(|a| taken.contains(&a.id())) {
            continue;
        }
        let label = Some(element_text(term)).filter(|t| !t.is_empty());
        out.push(JobField { label, value });
    }
    out
}

/// The text of the first field labelled as `wanted`.
fn labelled(fields: &[JobField<'_>], wanted: Field) -> Option<String> {
    fields
        .iter()
        .filter(|f| f.label.as_deref().and_then(field_of) == Some(wanted))
        .map(|f| visible_text(f.value))
        .find(|text| !text.is_empty())
}

/// A field's mapping: by its label, or, for an unlabelled short value, by the label it
/// writes itself (`Work Location: Los Angeles, CA, USA`).
fn mapped(field: &JobField<'_>) -> Option<(Field, String)> {
    let text = visible_text(field.value);
    if text.is_empty() {
        return None;
    }
    if let Some(label) = &field.label {
        return field_of(label).map(|f| (f, text));
    }
    if text.chars().count() > 200 {
        return None;
    }
    let (label, value) = text.split_once(':')?;
    let value = value.trim();
    field_of(label)
        .filter(|_| !value.is_empty())
        .map(|f| (f, value.to_owned()))
}

/// Fills the posting's gaps from the mapped fields.
fn fill_from_fields(posting: &mut RawPosting, fields: &[JobField<'_>], title: &str) {
    let (mut city, mut region, mut country) = (None, None, None);
    for field in fields {
        let Some((kind, text)) = mapped(field) else {
            continue;
        };
        match kind {
            Field::Location if text != title => {
                if !posting.locations.iter().any(|l| l.raw == text) {
                    posting.locations.push(RawLocation::text(text));
                }
            }
            Field::City => city = city.or(Some(text)),
            Field::Region => region = region.or(Some(text)),
            Field::Country => country = country.or(Some(text)),
            Field::Department => {
                posting.department.get_or_insert(text);
            }
            Field::Employment => posting.employment_types.push(text),
            Field::Workplace => posting.workplace_hints.push(text),
            Field::Posted => {
                posting.posted_at.get_or_insert(RawDate::Text(text));
            }
            Field::Closing => {
                posting.valid_through.get_or_insert(RawDate::Text(text));
            }
            Field::Salary => {
                posting.salary_text.get_or_insert(text);
            }
            Field::Seniority => {
                posting.seniority_hint.get_or_insert(text);
            }
            Field::Title | Field::Location | Field::Reference => {}
        }
    }
    if posting.locations.is_empty() && (city.is_some() || region.is_some() || country.is_some()) {
        let raw = [&city, &region, &country]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        posting.locations.push(RawLocation {
            raw,
            city,
            region,
            country,
        });
    }
}

/// The description: every field that is not mapped and not the title, labelled ones under
/// their label, each section's heading before its first field.
fn description(fields: &[JobField<'_>], title: &str) -> Option<String> {
    let mut out = String::new();
    let mut sections_seen = HashSet::new();
    for field in fields {
        if mapped(field).is_some() {
            continue;
        }
        let text = visible_text(field.value);
        if text.is_empty() || text == title {
            continue;
        }
        if let Some((section, heading)) = section_heading(field.value)
            && sections_seen.insert(section.id())
        {
            out.push_str(&format!("<h2>{}</h2>", html_escape::encode_text(&heading)));
        }
        if let Some(label) = &field.label {
            out.push_str(&format!("<h3>{}</h3>", html_escape::encode_text(label)));
        }
        out.push_str(field.value.inner_html().trim());
        out.push('\n');
    }
    let out = out.trim().to_owned();
    (!out.is_empty()).then_some(out)
}

/// The heading of the section (`article`, `section`) a field sits in: its first heading that
/// is in no field value.
fn section_heading(value: ElementRef<'_>) -> Option<(ElementRef<'_>, String)> {
    let section = value
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|el| matches!(el.value().name(), "article" | "section"))?;
    let heading = section.select(&HEADING).find(|h| {
        !h.ancestors().filter_map(ElementRef::wrap).any(|a| {
            a.attr("class").is_some_and(|c| {
                c.split_whitespace()
                    .any(|t| t.to_lowercase().ends_with("value"))
            })
        })
    })?;
    let text = element_text(heading);
    (!text.is_empty()).then_some((section, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH: &str = include_str!("../../testdata/corpus/avature/search_rsp.html");
    const SEARCH_OFFSET: &str =
        include_str!("../../testdata/corpus/avature/search_offset_rsp.html");
    const NO_RESULTS: &str =
        include_str!("../../testdata/corpus/avature/search_no_results_rsp.html");
    const JOB: &str = include_str!("../../testdata/corpus/avature/job_detail_rsp.html");
    const NOT_FOUND: &str =
        include_str!("../../testdata/corpus/avature/job_detail_not_found_rsp.html");
    const SEARCH_URL: &str = "https://bloomberg.avature.net/careers/SearchJobs/";
    const JOB_URL: &str = "https://bloomberg.avature.net/careers/JobDetail/Enterprise-Services-FXGO-Tradedesk-Client-Services-Specialist-Singapore/20873";

    fn run(body: &str, url: &str) -> Result<Extraction, ParseError> {
        let url = Url::parse(url).unwrap();
        extract(body, DocumentContext { url: Some(&url) })
    }

    #[test]
    fn a_search_page_gives_one_record_per_job_naming_its_job_page() {
        let found = run(SEARCH, SEARCH_URL).unwrap();
        assert_eq!((found.postings.len(), found.skipped), (12, 0));
        let first = &found.postings[0];
        assert_eq!(
            first.title.as_deref(),
            Some("Enterprise Services - FXGO Tradedesk, Client Services Specialist - Singapore")
        );
        assert_eq!(first.url.as_deref(), Some(JOB_URL));
        assert_eq!(first.detail_url.as_deref(), Some(JOB_URL));
        assert_eq!(first.external_id.as_deref(), Some("20873"));
        assert_eq!(first.company_name.as_deref(), Some("Bloomberg"));
        assert_eq!(first.locations, [RawLocation::text("Singapore, Singapore")]);
        assert_eq!(first.description_html, None);
        let second = &found.postings[1];
        assert_eq!(
            second.locations,
            [RawLocation::text(
                "New York, New York, United States of America"
            )]
        );
        let offset = run(SEARCH_OFFSET, &format!("{SEARCH_URL}?jobOffset=12")).unwrap();
        assert_eq!(offset.postings.len(), 12);
        assert!(offset.postings.iter().all(|p| !found.postings.contains(p)));
    }

    #[test]
    fn a_search_page_states_its_rows_total_and_offset_links() {
        let url = Url::parse(SEARCH_URL).unwrap();
        assert_eq!(
            search_page_facts(SEARCH, &url),
            Some(SearchPage {
                rows: 12,
                first: Some(1),
                last: Some(12),
                total: Some(436),
                offset_key: Some("jobOffset"),
                max_link_offset: Some(24),
            })
        );
        let none = search_page_facts(NO_RESULTS, &url).unwrap();
        assert_eq!((none.rows, none.total), (0, Some(0)));
        assert_eq!(search_page_facts(JOB, &url), None);
        assert_eq!(search_page_facts(NOT_FOUND, &url), None);
    }

    #[test]
    fn a_search_that_found_nothing_has_no_records() {
        let url = format!("{SEARCH_URL}?search=zzzznonexistentkeyword12345");
        assert_eq!(run(NO_RESULTS, &url).unwrap(), Extraction::default());
    }

    #[test]
    fn a_search_page_that_states_results_but_shows_no_job_links_is_an_error() {
        let page = r#"<meta name="avature.portal.page" content="SearchJobs"/>
            <div class="pagination__legend">1-10 of 19 results</div>"#;
        let error = run(page, SEARCH_URL).unwrap_err().to_string();
        assert!(error.contains("states 19 results"), "{error}");
    }

    #[test]
    fn a_job_page_gives_its_labelled_fields_and_description() {
        let found = run(JOB, JOB_URL).unwrap();
        assert_eq!(found.postings.len(), 1);
        let p = &found.postings[0];
        assert_eq!(
            p.title.as_deref(),
            Some("Enterprise Services - FXGO Tradedesk, Client Services Specialist - Singapore")
        );
        assert_eq!(p.url.as_deref(), Some(JOB_URL));
        assert_eq!(p.external_id.as_deref(), Some("20873"));
        assert_eq!(p.company_name.as_deref(), Some("Bloomberg"));
        assert_eq!(p.locations, [RawLocation::text("Singapore")]);
        assert_eq!(p.department.as_deref(), Some("Sales and Client Service"));
        assert_eq!(p.detail_url, None);
        let description = p.description_html.as_deref().unwrap();
        assert!(
            description.starts_with("<h2>Description &amp; Requirements</h2>"),
            "{description}"
        );
        assert!(description.contains("Bloomberg is a global leader"));
        assert!(description.contains("podcast series"));
        assert!(
            !description.contains("10052667"),
            "the reference is no description"
        );
        assert!(!description.contains("Sales and Client Service"));
    }

    #[test]
    fn the_error_page_and_other_pages_are_errors_that_say_why() {
        let url = "https://bloomberg.avature.net/careers/JobDetail/Nonexistent-Job/999999999";
        let error = run(NOT_FOUND, url).unwrap_err().to_string();
        assert!(error.contains("error page"), "{error}");
        let login = r#"<meta name="avature.portal.page" content="Login"/>"#;
        let error = run(login, SEARCH_URL).unwrap_err().to_string();
        assert!(error.contains("\"Login\" page"), "{error}");
        let error = run(
            "<html><body>Welcome</body></html>",
            "https://x.avature.net/careers",
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("neither a job search nor a job page"),
            "{error}"
        );
        let untitled = r#"<meta name="avature.portal.page" content="JobDetail"/>
            <meta property="og:title" content="Acme"/><meta property="og:site_name" content="Acme"/>"#;
        let error = run(untitled, JOB_URL).unwrap_err().to_string();
        assert!(error.contains("without a job title"), "{error}");
    }

    /// An older portal theme: list items with title blocks, `FolderDetail` pages and
    /// `folderOffset` paging, no meta tags.
    const OLD_THEME: &str = r#"<html><head><title>Job Search | Voutique</title></head><body>
        <div class="sort"><span class="sort__legend">Sort by</span></div>
        <ul class="list list--jobs">
          <li class="list__item list__item--boxed">
            <div class="list__item__text">
              <div class="list__item__text__title">
                <a href="https://voutique.avature.net/careers/FolderDetail/Atlanta-GA-United-States-System-Security-Analyst/3270">System Security Analyst</a>
              </div>
              <div class="list__item__text__subtitle"><span>Atlanta, GA, United States.</span></div>
            </div>
            <div class="list__item__actions">
              <a class="button button--action-default" href="https://voutique.avature.net/careers/ApplicationMethods?folderId=3270">Apply</a>
            </div>
          </li>
          <li class="list__item">
            <div class="list__item__text__title">
              <a href="/careers/FolderDetail/Madrid-Spain-UX-Developer/3262">UX Developer</a>
            </div>
          </li>
        </ul>
        <div class="pagination"><span class="pagination__legend">1-2 of 19 results</span>
          <a href="https://voutique.avature.net/careers/SearchJobs/?folderOffset=10" class="pagination__item paginationNextLink">Next</a>
        </div></body></html>"#;

    #[test]
    fn an_older_theme_is_read_by_its_detail_links_and_legend() {
        let url = "https://voutique.avature.net/careers/SearchJobs";
        let found = run(OLD_THEME, url).unwrap();
        let read: Vec<_> = found
            .postings
            .iter()
            .map(|p| {
                (
                    p.title.as_deref().unwrap(),
                    p.external_id.as_deref().unwrap(),
                    p.detail_url.as_deref().unwrap(),
                    p.company_name.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                (
                    "System Security Analyst",
                    "3270",
                    "https://voutique.avature.net/careers/FolderDetail/Atlanta-GA-United-States-System-Security-Analyst/3270",
                    Some("voutique"),
                ),
                (
                    "UX Developer",
                    "3262",
                    "https://voutique.avature.net/careers/FolderDetail/Madrid-Spain-UX-Developer/3262",
                    Some("voutique"),
                ),
            ]
        );
        let facts = search_page_facts(OLD_THEME, &Url::parse(url).unwrap()).unwrap();
        assert_eq!(
            (
                facts.rows,
                facts.total,
                facts.offset_key,
                facts.max_link_offset
            ),
            (2, Some(19), Some("folderOffset"), Some(10))
        );
    }

    #[test]
    fn cards_that_are_whole_links_take_their_heading_as_the_title() {
        let page = r#"<meta name="avature.portal.page" content="SearchJobs"/>
            <div class="results">
              <a class="card" href="/en_US/careers/JobDetail?jobId=77">
                <h3>Data Engineer</h3><span class="card__location">Austin, TX</span>
                <span class="card__posted-date">2026-07-01</span></a>
              <a class="card" href="/en_US/careers/JobDetail?jobId=78"><h3>Analyst</h3></a>
            </div>"#;
        let found = run(page, "https://acme.avature.net/en_US/careers/SearchJobs").unwrap();
        assert_eq!(found.postings.len(), 2);
        let p = &found.postings[0];
        assert_eq!(p.title.as_deref(), Some("Data Engineer"));
        assert_eq!(p.external_id.as_deref(), Some("77"));
        assert_eq!(
            p.detail_url.as_deref(),
            Some("https://acme.avature.net/en_US/careers/JobDetail?jobId=77")
        );
        assert_eq!(p.company_name.as_deref(), Some("acme"));
        assert_eq!(p.locations, [RawLocation::text("Austin, TX")]);
        assert_eq!(p.posted_at, Some(RawDate::Text("2026-07-01".into())));
        assert!(found.postings[1].locations.is_empty());
    }

    #[test]
    fn a_job_page_of_another_theme_reads_self_labelled_values_and_definition_lists() {
        let page = r#"<html><head>
            <meta name="avature.portal.page" content="JobDetail"/>
            <meta name="avature.portallist.search" content="13859"/>
            <meta property="og:title" content="Transplant Referral Coordinator"/>
            <meta property="og:site_name" content="UCLA Health"/></head><body>
            <article class="article article--details">
              <h3 class="article__header__text__title">General Information</h3>
              <div class="article__content__view__field">
                <div class="article__content__view__field__value"><strong>Work Location: Los Angeles, CA, USA</strong></div></div>
              <div class="article__content__view__field">
                <div class="article__content__view__field__label">Onsite or Remote</div>
                <div class="article__content__view__field__value">Fully On-Site</div></div>
              <div class="article__content__view__field">
                <div class="article__content__view__field__label">Work Schedule</div>
                <div class="article__content__view__field__value">Monday-Friday 7:30am-4:00pm</div></div>
              <div class="article__content__view__field">
                <div class="article__content__view__field__value"><strong>Salary Range</strong>: $30.36 - 43.49 Hourly</div></div>
            </article>
            <dl><dt>Employment Type</dt><dd>Full time</dd><dt>Posted Date</dt><dd>2026-07-17</dd></dl>
            <article class="article article--details">
              <h3>Primary Duties and Responsibilities</h3>
              <div class="field"><div class="field__value"><p>Under the direction of the manager.</p></div></div>
            </article></body></html>"#;
        let url = "https://uclahealth.avature.net/careers/JobDetail/Transplant-Referral-Coordinator/13859";
        let p = run(page, url).unwrap().postings.remove(0);
        assert_eq!(p.title.as_deref(), Some("Transplant Referral Coordinator"));
        assert_eq!(p.external_id.as_deref(), Some("13859"));
        assert_eq!(p.url.as_deref(), Some(url));
        assert_eq!(p.company_name.as_deref(), Some("UCLA Health"));
        assert_eq!(p.locations, [RawLocation::text("Los Angeles, CA, USA")]);
        assert_eq!(p.workplace_hints, ["Fully On-Site"]);
        assert_eq!(p.salary_text.as_deref(), Some("$30.36 - 43.49 Hourly"));
        assert_eq!(p.salary, None, "pay text is never read as structured pay");
        assert_eq!(p.employment_types, ["Full time"]);
        assert_eq!(p.posted_at, Some(RawDate::Text("2026-07-17".into())));
        assert_eq!(
            p.description_html.as_deref(),
            Some(
                "<h2>General Information</h2><h3>Work Schedule</h3>Monday-Friday 7:30am-4:00pm\n\
                 <h2>Primary Duties and Responsibilities</h2><p>Under the direction of the manager.</p>"
            )
        );
    }

    #[test]
    fn without_a_title_meta_the_page_title_loses_the_id_and_company_the_portal_appends() {
        let page = JOB.replace("og:title", "og:other");
        let p = run(&page, JOB_URL).unwrap().postings.remove(0);
        assert_eq!(
            p.title.as_deref(),
            Some("Enterprise Services - FXGO Tradedesk, Client Services Specialist - Singapore")
        );
    }

    #[test]
    fn portals_are_told_by_their_hosts_and_meta_tags() {
        assert!(is_site_host("bloomberg.avature.net"));
        assert!(!is_site_host("avature.net.example.org"));
        for page in [SEARCH, SEARCH_OFFSET, NO_RESULTS, JOB, NOT_FOUND] {
            assert!(is_page(page));
        }
        assert!(!is_page("<a href=\"/careers/JobDetail/x/1\">x</a>"));
    }
}
