//! The crawl of one source: fetch its document(s) through the [`Fetcher`] port, follow its
//! pages, extract each document's postings (identified, not yet normalized: that is done at
//! ingest), and say whether the result is the source's complete list. Knows nothing of stores or queues: the caller decides what to do
//! with the postings (ingest them, close what a complete crawl no longer lists).
//!
//! Failure of the first document fails the crawl ([`CrawlError`]): nothing is known about the
//! source. Failure of any later document (a page, a posting page) is recorded in the report
//! and makes the crawl incomplete, so a flaky page can never cause postings to be closed.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, Utc};
use scraper::{Html, Selector};
use serde::Serialize;
use url::Url;

use crate::config::{ListingRecipe, SourceConfig};
use crate::crawl::fetch::{
    DisallowReason, Document, FetchError, FetchMethod, FetchOutcome, FetchRequest, Fetcher,
};
use crate::crawl::paging::{PageRequest, Pager};
use crate::error::ParseError;
use crate::extract::ExtractKind;
use crate::model::SourceKind;
use crate::parse::{ExtractedDocument, ExtractedPosting, ParseOptions, extract_document};
use crate::store::Validators;

/// What one source's crawl produced.
#[derive(Debug, Clone)]
pub struct CrawlOutput {
    /// Extracted postings, ids unique (the first occurrence kept), identified for the
    /// configured source name; normalized at ingest.
    pub postings: Vec<ExtractedPosting>,
    /// Every page was read: not stopped by `max_pages`, no page or posting page failed, no
    /// robots.txt refusal. Only a complete crawl may close postings it no longer lists.
    pub complete: bool,
    /// The source answered 304 to the conditional fetch of its single document: nothing was
    /// parsed and there is nothing to ingest (`postings` is empty, `complete` is false).
    pub unchanged: bool,
    /// `ETag` / `Last-Modified` to store in the source state, by URL. Only the document that
    /// is fetched conditionally (the one document of a single-document source) is kept: the
    /// validators of other pages would never be sent, and a large `html` source would carry
    /// hundreds of them. After a 304 the validators that were sent are kept.
    pub validators: BTreeMap<String, Validators>,
    /// What happened, for logs and the source state.
    pub report: CrawlReport,
}

/// The numbers and problems of one source's crawl.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CrawlReport {
    /// Documents fetched (2xx): API pages, listing pages and posting pages.
    pub pages_fetched: u32,
    /// 304 answers.
    pub not_modified: u32,
    /// Postings in the output (after removing repeats).
    pub postings_found: u32,
    /// Records recognised but not usable, and repeats of an id already found.
    pub skipped_records: u32,
    /// URLs robots.txt kept us from (each makes the crawl incomplete).
    pub disallowed: Vec<String>,
    /// Later pages that failed, one line each (each makes the crawl incomplete).
    pub errors: Vec<String>,
    /// Wall-clock time of the crawl.
    pub duration_ms: u64,
}

/// Why a source could not be crawled at all: its first document failed.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// The first document could not be fetched.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The first document is not what the source's kind expects (or the source's recipe is
    /// unusable).
    #[error("cannot read {url}: {error}")]
    Parse {
        /// The document's URL (after redirects).
        url: String,
        /// Why.
        error: ParseError,
    },
    /// robots.txt keeps us from the first URL.
    #[error("{url}: {reason}")]
    Disallowed {
        /// The refused URL.
        url: String,
        /// Disallowed, or robots.txt unreachable.
        reason: DisallowReason,
    },
}

impl CrawlError {
    /// Whether crawling again later may succeed: a transient fetch failure, or a robots.txt
    /// that could not be read. A document of the wrong kind or a robots.txt refusal will fail
    /// the same way until the configuration (or the site) changes.
    pub fn is_retryable(&self) -> bool {
        match self {
            CrawlError::Fetch(e) => e.is_retryable(),
            CrawlError::Parse { .. } => false,
            CrawlError::Disallowed { reason, .. } => {
                matches!(reason, DisallowReason::RobotsUnreachable(_))
            }
        }
    }
}

/// Crawls one source once.
///
/// `validators` are the stored validators by URL (the source state); the one document of a
/// single-document source is fetched conditionally with them. `now` is the `fetched_at` of
/// every posting. Paged APIs (Lever, SmartRecruiters, Workable) and `html` listing pages are
/// followed to the end or to `source.max_pages` pages; `html` posting pages are read with
/// JSON-LD first, then the source's `detail` recipe. Every request carries the source's
/// `allow_private` and is confined to the host of `source.url` plus `source.extra_hosts`.
///
/// Errors only when the first document cannot be fetched, is refused by robots.txt, or is
/// not of the source's kind; everything later is recorded in the report.
pub async fn crawl_source(
    fetcher: &dyn Fetcher,
    source: &SourceConfig,
    validators: &BTreeMap<String, Validators>,
    now: DateTime<Utc>,
) -> Result<CrawlOutput, CrawlError> {
    let started = Instant::now();
    let mut crawl = Crawl::new(fetcher, source, now);
    let unchanged = match (&source.kind, &source.listing) {
        (SourceKind::Html, Some(listing)) => {
            crawl.html_listing(listing).await?;
            false
        }
        _ => crawl.pages(validators).await?,
    };
    Ok(crawl.finish(unchanged, started))
}

/// The state of one crawl in progress.
struct Crawl<'a> {
    fetcher: &'a dyn Fetcher,
    source: &'a SourceConfig,
    allowed_hosts: Vec<String>,
    now: DateTime<Utc>,
    postings: Vec<ExtractedPosting>,
    ids: HashSet<String>,
    complete: bool,
    validators: BTreeMap<String, Validators>,
    report: CrawlReport,
}

impl<'a> Crawl<'a> {
    fn new(fetcher: &'a dyn Fetcher, source: &'a SourceConfig, now: DateTime<Utc>) -> Self {
        let allowed_hosts = source
            .url
            .host_str()
            .into_iter()
            .chain(source.extra_hosts.iter().map(String::as_str))
            .map(str::to_ascii_lowercase)
            .collect();
        Self {
            fetcher,
            source,
            allowed_hosts,
            now,
            postings: Vec::new(),
            ids: HashSet::new(),
            complete: true,
            validators: BTreeMap::new(),
            report: CrawlReport::default(),
        }
    }

    /// A source read as a sequence of pages of its own kind (every kind but `html` with a
    /// listing). Returns whether the single document was unchanged (304).
    async fn pages(&mut self, stored: &BTreeMap<String, Validators>) -> Result<bool, CrawlError> {
        let (mut pager, first) = Pager::start(self.source.kind, &self.source.url);
        let conditional = pager
            .is_single()
            .then(|| stored.get(first.url.as_str()).cloned())
            .flatten();
        let Some(mut doc) = self.fetch_first(&first, conditional.clone()).await? else {
            if let Some(sent) = conditional {
                self.validators.insert(first.url.to_string(), sent);
            }
            return Ok(true);
        };
        if pager.is_single() {
            self.keep_validators(&first.url, &doc);
        }
        let mut fetched = 1;
        let mut first_page = true;
        loop {
            match self.parse(&doc) {
                Ok(parsed) => self.absorb(parsed),
                Err(error) if first_page => {
                    return Err(CrawlError::Parse {
                        url: doc.final_url.to_string(),
                        error,
                    });
                }
                Err(error) => {
                    self.fail(format!("{}: {error}", doc.final_url));
                    break;
                }
            }
            first_page = false;
            let Some(next) = pager.next(&doc.body) else {
                break;
            };
            if fetched >= self.source.max_pages {
                self.capped(&next.url);
                break;
            }
            match self.fetch_later(&next).await {
                Some(page) => doc = page,
                None => break,
            }
            fetched += 1;
        }
        Ok(false)
    }

    /// An `html` source with a listing: walk the listing pages, then read each posting page.
    async fn html_listing(&mut self, listing: &ListingRecipe) -> Result<(), CrawlError> {
        let selectors = ListingSelectors::compile(listing).map_err(|error| CrawlError::Parse {
            url: self.source.url.to_string(),
            error,
        })?;
        let first = PageRequest {
            url: self.source.url.clone(),
            method: FetchMethod::Get,
        };
        let Some(mut page) = self.fetch_first(&first, None).await? else {
            // Nothing was sent conditionally, so a 304 here is the server's confusion.
            self.fail(format!("{}: unexpected 304 Not Modified", first.url));
            return Ok(());
        };
        let mut visited: HashSet<Url> = HashSet::from([first.url]);
        // Posting links in listing order, without repeats. The set is bounded by the listing
        // pages read (each under the fetcher's body cap), the list by the posting-page cap.
        let mut seen_links: HashSet<Url> = HashSet::new();
        let mut links: Vec<Url> = Vec::new();
        let mut fetched = 1;
        loop {
            visited.insert(page.final_url.clone());
            if crate::extract::nesting::html_too_deep(&page.body) {
                let error = crate::extract::nesting::too_deep(SourceKind::Html);
                self.fail(format!("{}: {error}", page.final_url));
                break;
            }
            let found = selectors.read(&page.body, &page.final_url, &self.allowed_hosts);
            for link in found.links {
                if links.len() < listing.max_posting_pages && !seen_links.contains(&link) {
                    links.push(link.clone());
                }
                seen_links.insert(link);
            }
            // A next link seen before means the listing went round in a circle: its end.
            let Some(next) = found.next.filter(|next| !visited.contains(next)) else {
                break;
            };
            if fetched >= self.source.max_pages {
                self.capped(&next);
                break;
            }
            visited.insert(next.clone());
            let request = PageRequest {
                url: next,
                method: FetchMethod::Get,
            };
            match self.fetch_later(&request).await {
                Some(next_page) => page = next_page,
                None => break,
            }
            fetched += 1;
        }
        if seen_links.len() > links.len() {
            // Reading the rest would take hours at one request per second; the crawl is
            // incomplete so nothing beyond the cap is closed as withdrawn.
            self.fail(format!(
                "{}: the listing has {} posting links; only the first {} were read",
                self.source.url,
                seen_links.len(),
                links.len()
            ));
        }
        for link in links {
            let request = PageRequest {
                url: link,
                method: FetchMethod::Get,
            };
            let Some(doc) = self.fetch_later(&request).await else {
                continue;
            };
            match self.parse(&doc) {
                Ok(parsed) if parsed.postings.is_empty() => {
                    // The listing says a posting is here; finding none is a broken page or
                    // recipe, and must not look like the posting was withdrawn.
                    self.report.skipped_records += count(parsed.skipped);
                    self.fail(format!(
                        "{}: no job posting found on the page",
                        doc.final_url
                    ));
                }
                Ok(parsed) => self.absorb(parsed),
                Err(error) => self.fail(format!("{}: {error}", doc.final_url)),
            }
        }
        Ok(())
    }

    /// The fetch request for `page`, with this source's address rules.
    fn request(&self, page: &PageRequest, validators: Option<Validators>) -> FetchRequest {
        FetchRequest {
            url: page.url.clone(),
            method: page.method.clone(),
            validators,
            allow_private: self.source.allow_private,
            allowed_hosts: Some(self.allowed_hosts.clone()),
        }
    }

    /// Fetches the first document: `None` for a 304; any failure fails the crawl.
    async fn fetch_first(
        &mut self,
        page: &PageRequest,
        validators: Option<Validators>,
    ) -> Result<Option<Document>, CrawlError> {
        match self.fetcher.fetch(self.request(page, validators)).await? {
            FetchOutcome::Fetched(doc) => {
                self.report.pages_fetched += 1;
                Ok(Some(doc))
            }
            FetchOutcome::NotModified => {
                self.report.not_modified += 1;
                Ok(None)
            }
            FetchOutcome::Disallowed { reason } => Err(CrawlError::Disallowed {
                url: page.url.to_string(),
                reason,
            }),
        }
    }

    /// Fetches a later document; a failure is recorded, makes the crawl incomplete and gives
    /// `None`.
    async fn fetch_later(&mut self, page: &PageRequest) -> Option<Document> {
        match self.fetcher.fetch(self.request(page, None)).await {
            Ok(FetchOutcome::Fetched(doc)) => {
                self.report.pages_fetched += 1;
                Some(doc)
            }
            Ok(FetchOutcome::NotModified) => {
                self.report.not_modified += 1;
                self.fail(format!("{}: unexpected 304 Not Modified", page.url));
                None
            }
            Ok(FetchOutcome::Disallowed { reason }) => {
                tracing::info!(source = %self.source.name, url = %page.url, %reason, "skipped");
                self.report.disallowed.push(page.url.to_string());
                self.complete = false;
                None
            }
            Err(error) => {
                self.fail(error.to_string());
                None
            }
        }
    }

    /// Parses a document of this source: its kind for API and feed sources; JSON-LD, then
    /// the `detail` recipe when JSON-LD finds nothing, for `html` pages.
    fn parse(&self, doc: &Document) -> Result<ExtractedDocument, ParseError> {
        let parse = |kind: ExtractKind| {
            let options = ParseOptions {
                kind,
                url: Some(&doc.final_url),
                source: Some(&self.source.name),
                company_override: self.source.company.as_deref(),
                fetched_at: self.now,
                // The fetcher already enforced the configured body limit; a second, different
                // limit here would only turn accepted documents into errors.
                max_bytes: u64::MAX,
            };
            extract_document(doc.body.as_bytes(), &options)
        };
        match self.source.kind {
            SourceKind::Html => {
                let structured = parse(ExtractKind::Fixed(SourceKind::JsonLd));
                match (structured, &self.source.detail) {
                    (Ok(parsed), _) if !parsed.postings.is_empty() => Ok(parsed),
                    (_, Some(recipe)) => parse(ExtractKind::Recipe(Box::new(recipe.clone()))),
                    (structured, None) => structured,
                }
            }
            kind => parse(ExtractKind::Fixed(kind)),
        }
    }

    /// Adds a document's postings, keeping the first of any id seen on an earlier page.
    fn absorb(&mut self, parsed: ExtractedDocument) {
        self.report.skipped_records += count(parsed.skipped);
        for posting in parsed.postings {
            if self.ids.insert(posting.id.clone()) {
                self.postings.push(posting);
            } else {
                self.report.skipped_records += 1;
            }
        }
    }

    fn keep_validators(&mut self, url: &Url, doc: &Document) {
        let v = &doc.validators;
        if v.etag.is_some() || v.last_modified.is_some() {
            self.validators.insert(url.to_string(), v.clone());
        }
    }

    /// Records a failed later document: the crawl goes on but is no longer complete.
    fn fail(&mut self, message: String) {
        tracing::warn!(source = %self.source.name, "{message}");
        self.report.errors.push(message);
        self.complete = false;
    }

    /// Records that `max_pages` stopped the crawl before `next`.
    fn capped(&mut self, next: &Url) {
        tracing::info!(
            source = %self.source.name,
            max_pages = self.source.max_pages,
            %next,
            "page cap reached; the crawl is incomplete"
        );
        self.complete = false;
    }

    fn finish(mut self, unchanged: bool, started: Instant) -> CrawlOutput {
        self.report.postings_found = count(self.postings.len());
        self.report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        CrawlOutput {
            postings: self.postings,
            complete: self.complete && !unchanged,
            unchanged,
            validators: self.validators,
            report: self.report,
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A listing recipe's selectors, compiled once per crawl.
struct ListingSelectors {
    links: Selector,
    next: Option<Selector>,
}

/// What one listing page points to.
#[derive(Debug, Default, PartialEq)]
struct ListingLinks {
    /// Posting pages: absolute http(s) URLs on an allowed host, without fragment, each once.
    links: Vec<Url>,
    /// The next listing page, absolute (its host is checked when it is fetched).
    next: Option<Url>,
}

impl ListingSelectors {
    /// Compiles the recipe; `sources.toml` was validated at load, so an error here means a
    /// configuration built some other way.
    fn compile(listing: &ListingRecipe) -> Result<Self, ParseError> {
        let compile = |field: &str, selector: &str| {
            Selector::parse(selector).map_err(|e| {
                ParseError::Usage(format!(
                    "listing `{field}` selector `{selector}` is invalid: {e}"
                ))
            })
        };
        Ok(Self {
            links: compile("links", &listing.links)?,
            next: listing
                .next
                .as_deref()
                .map(|next| compile("next", next))
                .transpose()?,
        })
    }

    /// Reads the posting links and the next-page link of one listing page at `base`. Links to
    /// hosts outside `allowed_hosts` (lower case) are dropped: a listing routinely links to
    /// social sites and job boards the source does not cover.
    fn read(&self, body: &str, base: &Url, allowed_hosts: &[String]) -> ListingLinks {
        let html = Html::parse_document(body);
        let resolve = |href: &str| {
            let mut url = base.join(href.trim()).ok()?;
            url.set_fragment(None);
            matches!(url.scheme(), "http" | "https").then_some(url)
        };
        let mut out = ListingLinks::default();
        // A set beside the list: a page of tens of thousands of links must not cost a
        // quadratic scan.
        let mut seen: HashSet<Url> = HashSet::new();
        for element in html.select(&self.links) {
            let Some(url) = element.attr("href").and_then(resolve) else {
                continue;
            };
            let allowed = url.host_str().is_some_and(|host| {
                allowed_hosts
                    .iter()
                    .any(|allowed| allowed.eq_ignore_ascii_case(host))
            });
            if allowed && seen.insert(url.clone()) {
                out.links.push(url);
            }
        }
        out.next = self.next.as_ref().and_then(|next| {
            html.select(next)
                .find_map(|element| element.attr("href").and_then(resolve))
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selectors(links: &str, next: Option<&str>) -> ListingSelectors {
        ListingSelectors::compile(&ListingRecipe {
            links: links.into(),
            next: next.map(str::to_owned),
            max_posting_pages: crate::config::DEFAULT_MAX_POSTING_PAGES,
        })
        .unwrap()
    }

    #[test]
    fn listing_links_are_absolute_deduplicated_and_kept_on_allowed_hosts() {
        let body = r##"<ul>
            <li><a class="job" href="/jobs/1#apply">One</a></li>
            <li><a class="job" href="/jobs/1">One again</a></li>
            <li><a class="job" href="2">Two, relative</a></li>
            <li><a class="job" href="https://JOBS.example.com/jobs/3">Three</a></li>
            <li><a class="job" href="https://partner.example.org/jobs/4">Partner</a></li>
            <li><a class="job" href="https://elsewhere.example.net/jobs/5">Elsewhere</a></li>
            <li><a class="job" href="mailto:jobs@example.com">Mail</a></li>
            <li><a class="job" href="javascript:void(0)">Script</a></li>
            <li><a class="job">No href</a></li>
        </ul><a rel="next" href="?page=2">Next</a>"##;
        let base = Url::parse("https://jobs.example.com/jobs/").unwrap();
        let allowed = [
            "jobs.example.com".to_owned(),
            "partner.example.org".to_owned(),
        ];
        let found = selectors("a.job", Some("a[rel=next]")).read(body, &base, &allowed);
        let links: Vec<&str> = found.links.iter().map(Url::as_str).collect();
        assert_eq!(
            links,
            [
                "https://jobs.example.com/jobs/1",
                "https://jobs.example.com/jobs/2",
                "https://jobs.example.com/jobs/3",
                "https://partner.example.org/jobs/4",
            ]
        );
        assert_eq!(
            found.next.as_ref().map(Url::as_str),
            Some("https://jobs.example.com/jobs/?page=2")
        );
    }

    #[test]
    fn a_listing_without_next_selector_or_next_link_has_no_next_page() {
        let base = Url::parse("https://jobs.example.com/").unwrap();
        let allowed = ["jobs.example.com".to_owned()];
        let body = r#"<a class="job" href="/a">A</a>"#;
        assert_eq!(
            selectors("a.job", None).read(body, &base, &allowed).next,
            None
        );
        let found = selectors("a.job", Some("a.next")).read(body, &base, &allowed);
        assert_eq!(found.next, None);
        assert_eq!(found.links.len(), 1);
    }

    #[test]
    fn an_invalid_listing_selector_is_a_usage_error() {
        let recipe = ListingRecipe {
            links: "a[[".into(),
            next: None,
            max_posting_pages: crate::config::DEFAULT_MAX_POSTING_PAGES,
        };
        let error = ListingSelectors::compile(&recipe).err().unwrap();
        assert!(
            matches!(&error, ParseError::Usage(m) if m.contains("`links`")),
            "{error}"
        );
    }

    #[test]
    fn only_transient_failures_make_a_crawl_error_retryable() {
        let url = Url::parse("https://jobs.example.com/feed").unwrap();
        let unavailable = FetchError::Status {
            url: url.clone(),
            status: 503,
        };
        assert!(CrawlError::from(unavailable).is_retryable());
        let gone = FetchError::Status {
            url: url.clone(),
            status: 404,
        };
        assert!(!CrawlError::from(gone).is_retryable());
        let parse = CrawlError::Parse {
            url: url.to_string(),
            error: ParseError::Empty,
        };
        assert!(!parse.is_retryable());
        let refused = CrawlError::Disallowed {
            url: url.to_string(),
            reason: DisallowReason::RobotsTxt,
        };
        assert!(!refused.is_retryable());
        assert_eq!(
            refused.to_string(),
            "https://jobs.example.com/feed: disallowed by robots.txt"
        );
        let unreachable = CrawlError::Disallowed {
            url: url.to_string(),
            reason: DisallowReason::RobotsUnreachable("HTTP 503".into()),
        };
        assert!(unreachable.is_retryable());
    }
}
