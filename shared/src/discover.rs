//! Recognising where a company publishes its jobs, from its site's pages (`jobfeed
//! discover`): pure functions over URLs and markup. Which pages to fetch, and fetching them,
//! is the caller's.
//!
//! - [`recognise`] maps any address of a job board jobfeed reads (a career site, a job page,
//!   an embed script, an API address) to the source that reads the whole board.
//! - [`scan`] reads one page: the boards its links, iframes, scripts (their `src` and the
//!   addresses in their text), forms and `<link>`s point at; its links to likely careers
//!   pages (in several languages); links that look like job pages; and the schema.org
//!   `JobPosting`s it carries.
//! - [`listing_suggestion`] and [`page_suggestion`] make `html` and `jsonld` sources of a
//!   site's own pages.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use scraper::{Html, Selector};
use url::Url;

use crate::catalog::{Suggestion, source_name};
use crate::config::{DEFAULT_MAX_POSTING_PAGES, ListingRecipe};
use crate::extract::DocumentContext;
use crate::model::SourceKind;

/// A job board, as a source that reads all of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Board {
    /// The kind that reads it.
    pub kind: SourceKind,
    /// Where its crawl starts.
    pub url: Url,
    /// The board's own id (token, slug, tenant), for the source's name.
    pub id: String,
}

impl Board {
    fn new(kind: SourceKind, url: &str, id: &str) -> Option<Board> {
        let url = Url::parse(url).ok()?;
        let id = id.trim();
        (!id.is_empty()).then(|| Board {
            kind,
            url,
            id: id.to_owned(),
        })
    }

    /// The board as a ready source suggestion, found as `origin` says.
    pub fn suggestion(&self, origin: String) -> Suggestion {
        Suggestion {
            name: source_name(&self.id),
            kind: self.kind,
            url: self.url.clone(),
            company: None,
            listing: None,
            missing: None,
            origin,
        }
    }
}

/// A board token, slug or account name: letters, digits, `-`, `_`, `.`.
fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 100
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Path segments, empty ones dropped.
fn segments(url: &Url) -> Vec<&str> {
    url.path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default()
}

fn query(url: &Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Whether a path segment is a language tag (`en`, `en-US`, `fr_CA`).
fn is_language(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    (bytes.len() == 2 && segment.chars().all(|c| c.is_ascii_lowercase()))
        || (bytes.len() == 5
            && matches!(bytes[2], b'-' | b'_')
            && segment[..2].chars().all(|c| c.is_ascii_alphabetic())
            && segment[3..].chars().all(|c| c.is_ascii_alphabetic()))
}

/// Words in a board's first path segment that are the provider's own pages, not a board.
const NOT_A_BOARD: [&str; 8] = [
    "embed",
    "api",
    "static",
    "assets",
    "js",
    "css",
    "favicon.ico",
    "robots.txt",
];

/// The board an address belongs to, when it is one jobfeed reads: a career site, one of its
/// job pages, its embed script or its API. `None` for any other address.
pub fn recognise(url: &Url) -> Option<Board> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let path = segments(url);
    let first = path.first().copied().filter(|s| is_slug(s));
    let board_slug = first.filter(|s| !NOT_A_BOARD.contains(&s.to_ascii_lowercase().as_str()));
    match host.as_str() {
        "boards.greenhouse.io"
        | "job-boards.greenhouse.io"
        | "boards.eu.greenhouse.io"
        | "job-boards.eu.greenhouse.io" => {
            // The embed (`/embed/job_board?for=acme`, its script `/embed/job_board/js?for=`)
            // names the board in `for`; every other page in its first segment.
            let token = match first {
                Some(s) if s.eq_ignore_ascii_case("embed") => query(url, "for"),
                _ => board_slug.map(str::to_owned),
            }
            .filter(|t| is_slug(t))?;
            let api = if host.contains(".eu.") {
                "boards-api.eu.greenhouse.io"
            } else {
                "boards-api.greenhouse.io"
            };
            Board::new(
                SourceKind::Greenhouse,
                &format!("https://{api}/v1/boards/{token}/jobs?content=true"),
                &token,
            )
        }
        "boards-api.greenhouse.io" | "boards-api.eu.greenhouse.io" => match path.as_slice() {
            ["v1", "boards", token, ..] if is_slug(token) => Board::new(
                SourceKind::Greenhouse,
                &format!("https://{host}/v1/boards/{token}/jobs?content=true"),
                token,
            ),
            _ => None,
        },
        "jobs.lever.co" | "jobs.eu.lever.co" => {
            let site = board_slug?;
            let api = if host == "jobs.eu.lever.co" {
                "api.eu.lever.co"
            } else {
                "api.lever.co"
            };
            Board::new(
                SourceKind::Lever,
                &format!("https://{api}/v0/postings/{site}?mode=json"),
                site,
            )
        }
        "api.lever.co" | "api.eu.lever.co" => match path.as_slice() {
            ["v0", "postings", site, ..] if is_slug(site) => Board::new(
                SourceKind::Lever,
                &format!("https://{host}/v0/postings/{site}?mode=json"),
                site,
            ),
            _ => None,
        },
        "jobs.ashbyhq.com" => {
            let board = board_slug?;
            Board::new(
                SourceKind::Ashby,
                &format!(
                    "https://api.ashbyhq.com/posting-api/job-board/{board}?includeCompensation=true"
                ),
                board,
            )
        }
        "api.ashbyhq.com" => match path.as_slice() {
            ["posting-api", "job-board", board, ..] if is_slug(board) => Board::new(
                SourceKind::Ashby,
                &format!(
                    "https://api.ashbyhq.com/posting-api/job-board/{board}?includeCompensation=true"
                ),
                board,
            ),
            _ => None,
        },
        "apply.workable.com" => {
            let account = match path.as_slice() {
                ["api", _, "accounts", account, ..] => Some(*account),
                [account, ..] if !account.eq_ignore_ascii_case("api") => Some(*account),
                _ => None,
            }
            .filter(|a| is_slug(a))?;
            workable(account)
        }
        "jobs.smartrecruiters.com" | "careers.smartrecruiters.com" => {
            let company = board_slug?;
            smartrecruiters(company)
        }
        "api.smartrecruiters.com" => match path.as_slice() {
            ["v1", "companies", company, ..] if is_slug(company) => smartrecruiters(company),
            _ => None,
        },
        "herp.careers" => match path.as_slice() {
            ["v1", slug, ..] | ["careers", "companies", slug, ..] if is_slug(slug) => Board::new(
                SourceKind::Herp,
                &format!("https://herp.careers/v1/{slug}"),
                slug,
            ),
            _ => None,
        },
        "jobs.dayforcehcm.com" => {
            let (culture, rest) = match path.as_slice() {
                [culture, rest @ ..] if is_language(culture) => (*culture, rest),
                rest => ("en-US", rest),
            };
            match rest {
                [namespace, board, ..]
                    if is_slug(namespace)
                        && is_slug(board)
                        && !namespace.eq_ignore_ascii_case("api") =>
                {
                    Board::new(
                        SourceKind::Dayforce,
                        &format!("https://jobs.dayforcehcm.com/{culture}/{namespace}/{board}"),
                        namespace,
                    )
                }
                _ => None,
            }
        }
        "ats.rippling.com" => {
            let rest = match path.as_slice() {
                [language, rest @ ..] if is_language(language) => rest,
                rest => rest,
            };
            match rest {
                ["api", ..] => None,
                [board, ..] if is_slug(board) => Board::new(
                    SourceKind::Rippling,
                    &format!("https://ats.rippling.com/{board}/jobs"),
                    board,
                ),
                _ => None,
            }
        }
        "api.rippling.com" => match path.as_slice() {
            ["platform", "api", "ats", _, "board", board, ..] if is_slug(board) => Board::new(
                SourceKind::Rippling,
                &format!("https://api.rippling.com/platform/api/ats/v1/board/{board}/jobs"),
                board,
            ),
            _ => None,
        },
        _ => recognise_by_suffix(url, &host, &path),
    }
}

fn workable(account: &str) -> Option<Board> {
    Board::new(
        SourceKind::Workable,
        &format!("https://apply.workable.com/api/v3/accounts/{account}/jobs"),
        account,
    )
}

fn smartrecruiters(company: &str) -> Option<Board> {
    Board::new(
        SourceKind::SmartRecruiters,
        &format!("https://api.smartrecruiters.com/v1/companies/{company}/postings"),
        company,
    )
}

/// The first label of `host` when it is `{label}{suffix}` with nothing else before.
fn subdomain<'a>(host: &'a str, suffix: &str) -> Option<&'a str> {
    host.strip_suffix(suffix)
        .filter(|label| is_slug(label) && !label.contains('.'))
}

/// Boards on providers' subdomains: Recruitee, Teamtailor, BambooHR, Workable's older
/// account hosts, Workday, Eightfold, Oracle, UKG, SuccessFactors, Avature.
fn recognise_by_suffix(url: &Url, host: &str, path: &[&str]) -> Option<Board> {
    if let Some(slug) = subdomain(host, ".recruitee.com") {
        return Board::new(
            SourceKind::Recruitee,
            &format!("https://{slug}.recruitee.com/api/offers/"),
            slug,
        );
    }
    if let Some(slug) = subdomain(host, ".teamtailor.com").filter(|s| *s != "www") {
        return Board::new(
            SourceKind::Teamtailor,
            &format!("https://{slug}.teamtailor.com/jobs"),
            slug,
        );
    }
    if let Some(slug) = subdomain(host, ".bamboohr.com").filter(|s| *s != "www") {
        return Board::new(
            SourceKind::BambooHr,
            &format!("https://{slug}.bamboohr.com/careers"),
            slug,
        );
    }
    if let Some(account) = subdomain(host, ".workable.com")
        .filter(|a| !matches!(*a, "www" | "apply" | "jobs" | "careers"))
    {
        return workable(account);
    }
    if let Some((tenant, instance)) = host
        .strip_suffix(".myworkdayjobs.com")
        .and_then(|rest| rest.split_once('.'))
        .filter(|(tenant, instance)| {
            is_slug(tenant) && instance.starts_with("wd") && !instance.contains('.')
        })
    {
        let site = match path {
            [language, site, ..] if is_language(language) => Some(*site),
            [site, ..] => Some(*site),
            [] => None,
        }
        .filter(|s| is_slug(s) && !s.eq_ignore_ascii_case("wday"))?;
        return Board::new(
            SourceKind::Workday,
            &format!("https://{tenant}.{instance}.myworkdayjobs.com/{site}"),
            &format!("{tenant}-{site}"),
        );
    }
    if let Some(tenant) = subdomain(host, ".eightfold.ai").filter(|t| *t != "www") {
        let mut board = Url::parse(&format!("https://{tenant}.eightfold.ai/careers")).ok()?;
        if let Some(domain) = query(url, "domain") {
            board.query_pairs_mut().append_pair("domain", &domain);
        }
        return Board::new(SourceKind::Eightfold, board.as_str(), tenant);
    }
    if host.ends_with(".oraclecloud.com") {
        let at = path
            .iter()
            .position(|s| s.eq_ignore_ascii_case("CandidateExperience"))?;
        return match path.get(at + 1..at + 4)? {
            [language, sites, site] if sites.eq_ignore_ascii_case("sites") && is_slug(site) => {
                Board::new(
                    SourceKind::Oracle,
                    &format!(
                        "https://{host}/hcmUI/CandidateExperience/{language}/sites/{site}/jobs"
                    ),
                    &format!("{}-{site}", host.split('.').next().unwrap_or(host)),
                )
            }
            _ => None,
        };
    }
    if crate::extract::ultipro::is_board_host(host) {
        let board = crate::extract::ultipro::board_url(url)?;
        let id = path.first().copied().unwrap_or(host);
        return Board::new(SourceKind::UltiPro, board.as_str(), id);
    }
    if crate::extract::successfactors::is_site_host(host) {
        let mut board = url.clone();
        board.set_path("/search/");
        board.set_query(None);
        board.set_fragment(None);
        // The older career sites name the company in `company`; keep it.
        if let Some(company) = query(url, "company") {
            board.query_pairs_mut().append_pair("company", &company);
        }
        let id = query(url, "company").unwrap_or_else(|| host.to_owned());
        return Board::new(SourceKind::SuccessFactors, board.as_str(), &id);
    }
    if crate::extract::avature::is_site_host(host) {
        let portal = path
            .iter()
            .take_while(|s| !matches!(s.to_ascii_lowercase().as_str(), "searchjobs" | "jobdetail"))
            .copied()
            .collect::<Vec<_>>();
        let portal = portal.first()?;
        return Board::new(
            SourceKind::Avature,
            &format!("https://{host}/{portal}/SearchJobs/"),
            host.split('.').next().unwrap_or(host),
        );
    }
    None
}

/// How a page points at a board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A link (`<a href>`, `<link href>`, `<area href>`).
    Link,
    /// An `<iframe src>` (or `<embed>`/`<object>`).
    Iframe,
    /// A `<script src>`, or an address inside a script's text (embed settings).
    Script,
    /// A `<form action>`.
    Form,
    /// The page itself redirected there.
    Redirect,
    /// Another address in the page's markup (a `data-` attribute, a meta refresh).
    Markup,
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Via::Link => "link",
            Via::Iframe => "iframe",
            Via::Script => "embed script",
            Via::Form => "form",
            Via::Redirect => "redirect",
            Via::Markup => "markup",
        })
    }
}

/// What one page shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageScan {
    /// Boards it points at, each once, in page order, with how.
    pub boards: Vec<(Board, Via)>,
    /// Links of its own site that look like careers pages (by their text or path), best
    /// first, each once.
    pub careers_links: Vec<Url>,
    /// Links of its own site that look like job pages (a careers or jobs path with a
    /// further segment), each once, in page order.
    pub job_links: Vec<Url>,
    /// schema.org `JobPosting`s in the page (JSON-LD or microdata).
    pub job_postings: usize,
}

/// Words of links to careers pages, folded (lower case, no accents), in several languages.
const CAREERS_WORDS: [&str; 34] = [
    "careers",
    "career",
    "jobs",
    "job openings",
    "open positions",
    "openings",
    "vacancies",
    "join us",
    "join our team",
    "work with us",
    "work at",
    "we re hiring",
    "we are hiring",
    "karriere",
    "stellenangebote",
    "jobs bei",
    "offene stellen",
    "carrieres",
    "carriere",
    "emplois",
    "recrutement",
    "nous rejoindre",
    "rejoignez nous",
    "empleo",
    "trabaja con nosotros",
    "unete",
    "lavora con noi",
    "carriera",
    "vacatures",
    "werken bij",
    "vagas",
    "trabalhe conosco",
    "採用",
    "求人",
];

/// Path segments of careers pages.
const CAREERS_PATHS: [&str; 16] = [
    "careers",
    "career",
    "jobs",
    "join-us",
    "joinus",
    "work-with-us",
    "karriere",
    "stellenangebote",
    "carrieres",
    "carriere",
    "emplois",
    "empleo",
    "vacatures",
    "vacancies",
    "recruit",
    "saiyo",
];

/// Path segments under which a site lists its job pages.
const JOB_PATHS: [&str; 8] = [
    "jobs",
    "job",
    "careers",
    "career",
    "positions",
    "openings",
    "vacancies",
    "stellen",
];

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"https?:(?:\\?/){2}[A-Za-z0-9.-]+(?:\\?[/?][^\s"'<>)]*)?"#)
        .unwrap_or_else(|_| unreachable!("a valid literal pattern"))
});

/// Whether `url` is on the site of `base` (the same host, or one differing by `www.`).
pub fn same_site(base: &Url, url: &Url) -> bool {
    let bare = |u: &Url| {
        u.host_str()
            .map(|h| h.to_ascii_lowercase().trim_start_matches("www.").to_owned())
    };
    bare(base).is_some() && bare(base) == bare(url)
}

/// Whether a link (its folded text, and its address) looks like a careers page.
fn careers_score(text: &str, url: &Url) -> Option<u8> {
    let text = crate::catalog::fold(text);
    let padded = format!(" {text} ");
    // Words of scripts written without spaces (採用情報) match anywhere in the text.
    let by_text = CAREERS_WORDS
        .iter()
        .any(|w| padded.contains(&format!(" {w} ")) || (!w.is_ascii() && text.contains(w)));
    let path = url.path().to_ascii_lowercase();
    let by_path = path
        .split('/')
        .any(|s| CAREERS_PATHS.contains(&s.trim_end_matches(".html")));
    match (by_text, by_path) {
        (true, true) => Some(0),
        (true, false) => Some(1),
        (false, true) => Some(2),
        (false, false) => None,
    }
}

/// Whether a same-site link looks like a job page: a segment of [`JOB_PATHS`] followed by
/// at least one more.
fn is_job_link(url: &Url) -> bool {
    let segments = segments(url);
    segments
        .iter()
        .position(|s| JOB_PATHS.contains(&s.to_ascii_lowercase().as_str()))
        .is_some_and(|at| at + 1 < segments.len())
}

/// Reads one page fetched from `page` (after redirects).
pub fn scan(page: &Url, html: &str) -> PageScan {
    let document = Html::parse_document(html);
    let mut scan = PageScan::default();
    let mut boards_seen = HashSet::new();
    let mut add_board = |scan: &mut PageScan, url: &Url, via: Via| {
        if let Some(board) = recognise(url)
            && boards_seen.insert((board.kind, board.url.clone()))
        {
            scan.boards.push((board, via));
        }
    };
    let mut careers: Vec<(u8, usize, Url)> = Vec::new();
    let mut job_links_seen = HashSet::new();
    let attributes: [(&str, &str, Via); 8] = [
        ("a[href]", "href", Via::Link),
        ("area[href]", "href", Via::Link),
        ("link[href]", "href", Via::Link),
        ("iframe[src]", "src", Via::Iframe),
        ("embed[src]", "src", Via::Iframe),
        ("object[data]", "data", Via::Iframe),
        ("script[src]", "src", Via::Script),
        ("form[action]", "action", Via::Form),
    ];
    for (selector, attribute, via) in attributes {
        let Ok(selector) = Selector::parse(selector) else {
            continue;
        };
        for element in document.select(&selector) {
            let Some(url) = element
                .value()
                .attr(attribute)
                .and_then(|href| page.join(href.trim()).ok())
            else {
                continue;
            };
            add_board(&mut scan, &url, via);
            if via == Via::Link && element.value().name() == "a" && same_site(page, &url) {
                let text: String = element.text().collect::<Vec<_>>().join(" ");
                let mut bare = url.clone();
                bare.set_fragment(None);
                if bare != *page
                    && let Some(score) = careers_score(&text, &bare)
                    && !careers.iter().any(|(_, _, u)| *u == bare)
                {
                    careers.push((score, careers.len(), bare.clone()));
                }
                if is_job_link(&bare) && job_links_seen.insert(bare.clone()) {
                    scan.job_links.push(bare);
                }
            }
        }
    }
    // Addresses anywhere else: embed settings in scripts (`boardToken`, a JSON `\/` form),
    // `data-` attributes, a meta refresh.
    for found in ADDRESS.find_iter(html) {
        let text = found.as_str().replace("\\/", "/");
        if let Ok(url) = Url::parse(&text) {
            let via = if html[..found.start()]
                .rfind("<script")
                .is_some_and(|open| html[open..found.start()].find("</script").is_none())
            {
                Via::Script
            } else {
                Via::Markup
            };
            add_board(&mut scan, &url, via);
        }
    }
    careers.sort();
    scan.careers_links = careers.into_iter().map(|(_, _, url)| url).collect();
    scan.job_postings = crate::extract::jsonld::extract(html, DocumentContext { url: Some(page) })
        .map_or(0, |e| e.postings.len());
    scan
}

/// A `jsonld` source of a page of the site that carries several `JobPosting`s itself.
pub fn page_suggestion(page: &Url, postings: usize) -> Suggestion {
    Suggestion {
        name: source_name(page.host_str().unwrap_or("site")),
        kind: SourceKind::JsonLd,
        url: page.clone(),
        company: None,
        listing: None,
        missing: None,
        origin: format!("{postings} JobPostings in the page {page}"),
    }
}

/// An `html` source of a careers page whose links lead to job pages that carry a
/// `JobPosting` (`job`, one of them): the listing's links are those under the job page's
/// parent path.
pub fn listing_suggestion(careers: &Url, job: &Url) -> Suggestion {
    let path = job.path().trim_end_matches('/');
    let parent = path.rsplit_once('/').map_or("/", |(parent, _)| parent);
    let prefix = format!("{}/", parent.trim_end_matches('/'));
    let links = format!("a[href*=\"{}\"]", prefix.replace('"', "%22"));
    Suggestion {
        name: source_name(careers.host_str().unwrap_or("site")),
        kind: SourceKind::Html,
        url: careers.clone(),
        company: None,
        listing: Some(ListingRecipe {
            links,
            next: None,
            max_posting_pages: DEFAULT_MAX_POSTING_PAGES,
        }),
        missing: None,
        origin: format!("job pages with a JobPosting linked from {careers} (e.g. {job})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board(url: &str) -> Option<(SourceKind, String)> {
        recognise(&Url::parse(url).unwrap()).map(|b| (b.kind, b.url.to_string()))
    }

    fn is(url: &str, kind: SourceKind, start: &str) {
        assert_eq!(
            board(url),
            Some((kind, start.to_owned())),
            "{url} should be {kind} at {start}"
        );
    }

    #[test]
    fn greenhouse_boards_job_pages_embeds_and_api_addresses_are_one_board() {
        let api = "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true";
        for url in [
            "https://boards.greenhouse.io/acme",
            "https://boards.greenhouse.io/acme/jobs/4012345",
            "https://job-boards.greenhouse.io/acme/jobs/4012345?gh_src=x",
            "https://boards.greenhouse.io/embed/job_board?for=acme",
            "https://boards.greenhouse.io/embed/job_board/js?for=acme",
            "https://boards-api.greenhouse.io/v1/boards/acme/jobs",
        ] {
            is(url, SourceKind::Greenhouse, api);
        }
        is(
            "https://job-boards.eu.greenhouse.io/acme",
            SourceKind::Greenhouse,
            "https://boards-api.eu.greenhouse.io/v1/boards/acme/jobs?content=true",
        );
        assert_eq!(
            board("https://boards.greenhouse.io/embed/job_board/js"),
            None
        );
        assert_eq!(board("https://www.greenhouse.io/careers"), None);
        assert_eq!(board("https://boards.greenhouse.io/"), None);
    }

    #[test]
    fn lever_ashby_workable_and_smartrecruiters_boards_are_recognised() {
        let lever = "https://api.lever.co/v0/postings/acme?mode=json";
        is("https://jobs.lever.co/acme", SourceKind::Lever, lever);
        is(
            "https://jobs.lever.co/acme/0b7e-11/apply",
            SourceKind::Lever,
            lever,
        );
        is(
            "https://jobs.eu.lever.co/acme",
            SourceKind::Lever,
            "https://api.eu.lever.co/v0/postings/acme?mode=json",
        );
        assert_eq!(board("https://www.lever.co/acme"), None);
        let ashby = "https://api.ashbyhq.com/posting-api/job-board/acme?includeCompensation=true";
        is("https://jobs.ashbyhq.com/acme", SourceKind::Ashby, ashby);
        is(
            "https://jobs.ashbyhq.com/acme/embed?version=2",
            SourceKind::Ashby,
            ashby,
        );
        assert_eq!(board("https://www.ashbyhq.com/customers"), None);
        let workable = "https://apply.workable.com/api/v3/accounts/acme/jobs";
        is(
            "https://apply.workable.com/acme/",
            SourceKind::Workable,
            workable,
        );
        is(
            "https://apply.workable.com/acme/j/3C1D6A/",
            SourceKind::Workable,
            workable,
        );
        is("https://acme.workable.com/", SourceKind::Workable, workable);
        assert_eq!(board("https://www.workable.com/pricing"), None);
        let sr = "https://api.smartrecruiters.com/v1/companies/Acme1/postings";
        is(
            "https://jobs.smartrecruiters.com/Acme1",
            SourceKind::SmartRecruiters,
            sr,
        );
        is(
            "https://jobs.smartrecruiters.com/Acme1/744000-backend-engineer",
            SourceKind::SmartRecruiters,
            sr,
        );
        is(
            "https://careers.smartrecruiters.com/Acme1",
            SourceKind::SmartRecruiters,
            sr,
        );
        assert_eq!(board("https://www.smartrecruiters.com/"), None);
    }

    #[test]
    fn subdomain_boards_are_recognised_and_the_providers_own_sites_are_not() {
        is(
            "https://acme.recruitee.com/o/backend-engineer",
            SourceKind::Recruitee,
            "https://acme.recruitee.com/api/offers/",
        );
        is(
            "https://acme.teamtailor.com/jobs/123-engineer",
            SourceKind::Teamtailor,
            "https://acme.teamtailor.com/jobs",
        );
        is(
            "https://acme.bamboohr.com/careers/12",
            SourceKind::BambooHr,
            "https://acme.bamboohr.com/careers",
        );
        is(
            "https://acme.bamboohr.com/js/embed.js",
            SourceKind::BambooHr,
            "https://acme.bamboohr.com/careers",
        );
        assert_eq!(board("https://www.teamtailor.com/en/"), None);
        assert_eq!(board("https://www.bamboohr.com/"), None);
        assert_eq!(board("https://recruitee.com/"), None);
    }

    #[test]
    fn workday_sites_keep_their_tenant_instance_and_site() {
        let start = "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite";
        is(start, SourceKind::Workday, start);
        is(
            "https://nvidia.wd5.myworkdayjobs.com/en-US/NVIDIAExternalCareerSite/job/Santa-Clara/Engineer_JR1",
            SourceKind::Workday,
            start,
        );
        assert_eq!(board("https://nvidia.wd5.myworkdayjobs.com/"), None);
        assert_eq!(board("https://www.myworkdayjobs.com/NVIDIA"), None);
        assert_eq!(board("https://workday.com/en-us/careers"), None);
    }

    #[test]
    fn dayforce_rippling_herp_eightfold_oracle_ukg_successfactors_and_avature_are_recognised() {
        is(
            "https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL/jobs/1234",
            SourceKind::Dayforce,
            "https://jobs.dayforcehcm.com/en-US/pca/CANDIDATEPORTAL",
        );
        assert_eq!(board("https://jobs.dayforcehcm.com/api/auth/csrf"), None);
        is(
            "https://ats.rippling.com/pythian/jobs/3b5c",
            SourceKind::Rippling,
            "https://ats.rippling.com/pythian/jobs",
        );
        is(
            "https://ats.rippling.com/en-GB/pythian/jobs",
            SourceKind::Rippling,
            "https://ats.rippling.com/pythian/jobs",
        );
        is(
            "https://herp.careers/careers/companies/notainc/jobs/abc",
            SourceKind::Herp,
            "https://herp.careers/v1/notainc",
        );
        assert_eq!(board("https://herp.careers/"), None);
        is(
            "https://morganstanley.eightfold.ai/careers?domain=morganstanley.com&pid=5",
            SourceKind::Eightfold,
            "https://morganstanley.eightfold.ai/careers?domain=morganstanley.com",
        );
        is(
            "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/CandidateExperience/en/sites/Mayo-US/job/123",
            SourceKind::Oracle,
            "https://fa-euwp-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/CandidateExperience/en/sites/Mayo-US/jobs",
        );
        assert_eq!(board("https://login.oraclecloud.com/"), None);
        is(
            "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/OpportunityDetail?opportunityId=1",
            SourceKind::UltiPro,
            "https://recruiting.ultipro.com/TEC1006TESER/JobBoard/18180d88-ced0-4361-bd09-d5eef66dab24/",
        );
        assert_eq!(board("https://www.ultipro.com/"), None);
        is(
            "https://career5.successfactors.eu/career?company=acmeAG&career_ns=job_listing",
            SourceKind::SuccessFactors,
            "https://career5.successfactors.eu/search/?company=acmeAG",
        );
        is(
            "https://bloomberg.avature.net/careers/JobDetail/Engineer/123",
            SourceKind::Avature,
            "https://bloomberg.avature.net/careers/SearchJobs/",
        );
        assert_eq!(board("https://www.avature.net/"), None);
        assert_eq!(board("mailto:jobs@example.com"), None);
        assert_eq!(board("https://example.com/careers"), None);
    }

    fn page(url: &str, html: &str) -> PageScan {
        scan(&Url::parse(url).unwrap(), html)
    }

    fn kinds(scan: &PageScan) -> Vec<(SourceKind, Via)> {
        scan.boards.iter().map(|(b, via)| (b.kind, *via)).collect()
    }

    #[test]
    fn a_page_points_at_boards_by_links_iframes_scripts_forms_and_script_text() {
        let scan = page(
            "https://www.example.com/careers",
            r#"<html><body>
            <a href="https://jobs.lever.co/example">Open roles</a>
            <iframe src="https://jobs.ashbyhq.com/example/embed"></iframe>
            <div id="grnhse_app"></div>
            <script src="https://boards.greenhouse.io/embed/job_board/js?for=example"></script>
            <form action="https://jobs.smartrecruiters.com/Example1/search"><input name="q"></form>
            <script>window.config = {"board":"https:\/\/example.recruitee.com\/o\/backend"};</script>
            <div data-url="https://example.teamtailor.com/jobs"></div>
            </body></html>"#,
        );
        assert_eq!(
            kinds(&scan),
            [
                (SourceKind::Lever, Via::Link),
                (SourceKind::Ashby, Via::Iframe),
                (SourceKind::Greenhouse, Via::Script),
                (SourceKind::SmartRecruiters, Via::Form),
                (SourceKind::Recruitee, Via::Script),
                (SourceKind::Teamtailor, Via::Markup),
            ]
        );
        assert_eq!(scan.boards[2].0.id, "example");
    }

    #[test]
    fn careers_links_are_found_by_text_or_path_in_several_languages_on_the_same_site_only() {
        let scan = page(
            "https://example.de/",
            r#"<nav>
            <a href="/about">Über uns</a>
            <a href="/karriere">Karriere</a>
            <a href="/team">Werde Teil des Teams – Offene Stellen</a>
            <a href="https://www.example.de/jobs/">Jobs</a>
            <a href="https://other.example/careers">Careers elsewhere</a>
            <a href="/fr/nous-rejoindre">Nous rejoindre</a>
            <a href="/blog/careers-advice">Blog</a>
            <a href="/ja/people">採用情報</a>
            </nav>"#,
        );
        let links: Vec<&str> = scan.careers_links.iter().map(Url::as_str).collect();
        assert_eq!(
            links,
            [
                "https://example.de/karriere",
                "https://www.example.de/jobs/",
                "https://example.de/team",
                "https://example.de/fr/nous-rejoindre",
                "https://example.de/ja/people",
            ]
        );
        assert!(scan.boards.is_empty());
    }

    #[test]
    fn job_links_and_job_postings_of_the_site_itself_are_counted() {
        let listing = page(
            "https://example.com/careers",
            r#"<ul><li><a href="/careers/jobs/backend-engineer">Backend Engineer</a></li>
            <li><a href="/careers/jobs/sre">SRE</a></li><li><a href="/careers">All</a></li></ul>"#,
        );
        let jobs: Vec<&str> = listing.job_links.iter().map(Url::path).collect();
        assert_eq!(
            jobs,
            ["/careers/jobs/backend-engineer", "/careers/jobs/sre"]
        );
        assert_eq!(listing.job_postings, 0);
        let job = page(
            "https://example.com/careers/jobs/sre",
            r#"<html><head><script type="application/ld+json">{"@context":"https://schema.org",
            "@type":"JobPosting","title":"SRE","datePosted":"2026-11-01",
            "hiringOrganization":{"@type":"Organization","name":"Example"},
            "description":"<p>Keep it up.</p>"}</script></head><body></body></html>"#,
        );
        assert_eq!(job.job_postings, 1);
        let suggestion = listing_suggestion(
            &Url::parse("https://example.com/careers").unwrap(),
            &Url::parse("https://example.com/careers/jobs/sre").unwrap(),
        );
        let config = crate::config::parse(&suggestion.to_toml(), "s").unwrap();
        let listing = config.sources[0].listing.as_ref().unwrap();
        assert_eq!(listing.links, "a[href*=\"/careers/jobs/\"]");
    }
}
