//! The crawl of one source, one request at a time: fetch its list through the [`Fetcher`]
//! port, follow its pages, and extract each document's postings (identified, not yet
//! normalized: that is done at ingest). Knows nothing of stores or queues: the caller
//! publishes what each step finds, and decides what a finished crawl closes.
//!
//! A crawl is a resumable job ([`CrawlJob`]). Its list pass yields postings (API kinds,
//! feeds, JSON-LD pages) or links to posting pages (`html` listings), each under a list key
//! with a change hint (`ListMark`). What the store already holds (`Known`) decides what is
//! read again: a linked page only when its posting is new, closed, its hint changed or its
//! refresh is due; an API record (whose hint is the whole record) only when it is new,
//! closed or changed. Between any two
//! requests the job can stop (its [`Limits`] reached) and hand out its [`CrawlProgress`],
//! from which another process goes on; it holds keys of what it listed, never postings.
//!
//! Failure of the first document fails the crawl ([`CrawlError`]): nothing is known about the
//! source. Failure of any later document (a page, a posting page) is recorded in the report
//! and makes the crawl incomplete, so a flaky page can never cause postings to be closed.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::time::Instant;

use chrono::{DateTime, Utc};
use scraper::{Html, Selector};
use serde::{Deserialize, Serialize};
use url::Url;

use super::known::{Known, Refresh, Seen};
use crate::config::{ListingRecipe, SourceConfig};
use crate::crawl::fetch::{
    DisallowReason, Document, FetchError, FetchOutcome, FetchRequest, Fetcher,
};
use crate::crawl::paging::{PageRequest, Pager};
use crate::error::ParseError;
use crate::extract::ExtractKind;
use crate::identity::{ListMark, hash64, id_key};
use crate::model::{SourceKind, Validators};
use crate::parse::{ExtractedDocument, ExtractedPosting, ParseOptions, extract_document};

/// Most error lines a crawl's report keeps (the count goes on in `CrawlReport::failures`).
const MAX_REPORTED_ERRORS: usize = 50;

/// What one source's crawl produced, read to its end in one go ([`crawl_source`]).
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
    /// `ETag` / `Last-Modified` to store in the source state, by URL (see
    /// [`CrawlJob::validators`]).
    pub validators: BTreeMap<String, Validators>,
    /// What happened, for logs and the source state.
    pub report: CrawlReport,
}

/// The numbers and problems of one source's crawl (over all its invocations).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CrawlReport {
    /// Documents fetched (2xx): API pages, listing pages and posting pages.
    pub pages_fetched: u32,
    /// 304 answers.
    pub not_modified: u32,
    /// Postings the list named (after removing repeats), sent on or known as they are.
    pub postings_found: u32,
    /// Postings sent on to ingest: new, changed, reopened or due for a refresh.
    #[serde(default)]
    pub postings_sent: u32,
    /// Posting pages not read again because the store holds them as the list says.
    #[serde(default)]
    pub details_skipped: u32,
    /// Records recognised but not usable, and repeats of an id already found.
    pub skipped_records: u32,
    /// URLs robots.txt kept us from (each makes the crawl incomplete).
    pub disallowed: Vec<String>,
    /// Later pages that failed, one line each (each makes the crawl incomplete); the first
    /// `MAX_REPORTED_ERRORS`.
    pub errors: Vec<String>,
    /// Every failure, counted (`errors` keeps only the first lines).
    #[serde(default)]
    pub failures: u32,
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

/// How far one invocation of a crawl may go: no request starts once `deadline` passed or
/// `max_requests` were made, and a request still running at the deadline is abandoned (and
/// made again by the next invocation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// When to stop.
    pub deadline: Option<tokio::time::Instant>,
    /// How many requests to make at most.
    pub max_requests: Option<u32>,
    /// Requests made so far.
    pub requests: u32,
}

impl Limits {
    /// No limit: the crawl runs to its end (the CLI).
    pub fn none() -> Self {
        Self::default()
    }

    /// Stop at `deadline`.
    pub fn until(deadline: tokio::time::Instant) -> Self {
        Limits {
            deadline: Some(deadline),
            ..Self::default()
        }
    }

    /// Stop after `max_requests` requests.
    pub fn requests(max_requests: u32) -> Self {
        Limits {
            max_requests: Some(max_requests),
            ..Self::default()
        }
    }

    /// Whether no further request may start.
    pub fn reached(&self) -> bool {
        self.max_requests.is_some_and(|max| self.requests >= max)
            || self
                .deadline
                .is_some_and(|deadline| tokio::time::Instant::now() >= deadline)
    }
}

/// The limits every invocation of a crawl gets, from its own start (what `Limits` are
/// made from when a process runs invocation after invocation itself).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InvocationLimits {
    /// Requests an invocation makes at most.
    pub max_requests: Option<u32>,
    /// How long an invocation takes requests for, at most.
    pub max_time: Option<std::time::Duration>,
}

impl InvocationLimits {
    /// No limit: every crawl runs to its end in one invocation.
    pub const NONE: InvocationLimits = InvocationLimits {
        max_requests: None,
        max_time: None,
    };

    /// The limits of an invocation starting now.
    pub fn start(&self) -> Limits {
        Limits {
            deadline: self.max_time.map(|time| tokio::time::Instant::now() + time),
            max_requests: self.max_requests,
            requests: 0,
        }
    }
}

/// What one step of a crawl did.
#[derive(Debug)]
pub enum Step {
    /// Postings to send on (possibly none: a page whose postings were all known as they
    /// are).
    Found(Vec<ExtractedPosting>),
    /// The single document is unchanged (304): nothing to send, nothing to close.
    Unchanged,
    /// The list is read to its end.
    Done,
    /// The invocation's limits are reached; [`CrawlJob::progress`] says where to go on.
    Paused,
}

/// Where a crawl stands between two of its requests: everything another process needs to
/// go on with it. Serialized into the crawl's checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrawlProgress {
    list: ListPass,
    /// Posting pages of the links read so far that are still to be read.
    pending: VecDeque<Detail>,
    /// What the crawl listed.
    seen: Seen,
    /// Whether nothing went wrong yet (see `CrawlOutput::complete`).
    complete: bool,
    /// Whether the first document was read (a failure after it is not the crawl's).
    started: bool,
    /// Posting pages read so far (against the listing's `max_posting_pages`).
    details_read: usize,
    report: CrawlReport,
}

/// Where the list pass is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum ListPass {
    /// Pages of the source's own kind (API responses, feeds, JSON-LD pages).
    Pages {
        pager: Pager,
        /// The page to read next; `None` when the list is read.
        next: Option<PageRequest>,
        /// Pages read.
        read: u32,
    },
    /// An `html` listing of links to posting pages.
    Listing {
        /// The listing page to read next; `None` when the listing is read.
        next: Option<Url>,
        /// Keys of the listing pages read (a next link seen before ends the listing).
        visited: Vec<u64>,
        /// Pages read.
        read: u32,
        /// Keys of the posting links taken (one link on several pages is read once).
        links: Seen,
    },
}

/// A posting's own document to read (a listing's posting page; an API's detail request),
/// under its list key and hint. The detail queue does not care where the list came from:
/// any list pass that names postings without their content queues these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Detail {
    request: PageRequest,
    key: u64,
    hint: u64,
}

impl CrawlProgress {
    /// A crawl of `source` that has not made a request yet.
    pub fn new(source: &SourceConfig) -> Self {
        let list = match (&source.kind, &source.listing) {
            (SourceKind::Html, Some(_)) => ListPass::Listing {
                next: Some(source.url.clone()),
                visited: Vec::new(),
                read: 0,
                links: Seen::default(),
            },
            (kind, _) => {
                let (pager, first) = Pager::start(*kind, &source.url);
                ListPass::Pages {
                    pager,
                    next: Some(first),
                    read: 0,
                }
            }
        };
        CrawlProgress {
            list,
            pending: VecDeque::new(),
            seen: Seen::default(),
            complete: true,
            started: false,
            details_read: 0,
            report: CrawlReport::default(),
        }
    }

    /// What the crawl listed so far.
    pub fn seen(&self) -> &Seen {
        &self.seen
    }

    /// Whether nothing has made the crawl incomplete so far.
    pub fn complete(&self) -> bool {
        self.complete
    }

    /// The crawl's report so far.
    pub fn report(&self) -> &CrawlReport {
        &self.report
    }

    /// The report, mutably (the caller adds the time it spent).
    pub fn report_mut(&mut self) -> &mut CrawlReport {
        &mut self.report
    }

    /// Marks the crawl incomplete for `reason` (recorded in its report).
    pub fn fail(&mut self, reason: String) {
        self.complete = false;
        self.report.failures = self.report.failures.saturating_add(1);
        if self.report.errors.len() < MAX_REPORTED_ERRORS {
            self.report.errors.push(reason);
        }
    }

    /// Requests still known to be ahead (posting pages pending, plus one if the list goes
    /// on): 0 once the crawl is done.
    pub fn work_ahead(&self) -> usize {
        let list_goes_on = match &self.list {
            ListPass::Pages { next, .. } => next.is_some(),
            ListPass::Listing { next, .. } => next.is_some(),
        };
        self.pending.len() + usize::from(list_goes_on)
    }
}

/// Crawls one source to its end in one go, with nothing known of it: every posting found is
/// in the output (`jobfeed crawl --dry-run`, and tests of the list pass).
///
/// `validators` are the stored validators by URL (the source state); the one document of a
/// single-document source is fetched conditionally with them. `now` is the `fetched_at` of
/// every posting. Errors only when the first document cannot be fetched, is refused by
/// robots.txt, or is not of the source's kind; everything later is recorded in the report.
pub async fn crawl_source(
    fetcher: &dyn Fetcher,
    source: &SourceConfig,
    validators: &BTreeMap<String, Validators>,
    now: DateTime<Utc>,
) -> Result<CrawlOutput, CrawlError> {
    let started = Instant::now();
    let known = Known::new();
    let mut job = CrawlJob::new(
        fetcher,
        source,
        &known,
        Refresh::NEVER,
        now,
        CrawlProgress::new(source),
    )?
    .with_validators(validators.clone());
    let mut limits = Limits::none();
    let mut postings = Vec::new();
    let mut unchanged = false;
    loop {
        match job.step(&mut limits).await? {
            Step::Found(found) => postings.extend(found),
            Step::Unchanged => {
                unchanged = true;
                break;
            }
            Step::Done | Step::Paused => break,
        }
    }
    let validators = job.validators().clone();
    let mut progress = job.into_progress();
    progress.report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(CrawlOutput {
        postings,
        complete: progress.complete && !unchanged,
        unchanged,
        validators,
        report: progress.report,
    })
}

/// One crawl of one source in progress in this process: [`CrawlJob::step`] makes at most one
/// request and says what it found.
pub struct CrawlJob<'a> {
    fetcher: &'a dyn Fetcher,
    source: &'a SourceConfig,
    known: &'a Known,
    refresh: Refresh,
    now: DateTime<Utc>,
    progress: CrawlProgress,
    allowed_hosts: Vec<String>,
    selectors: Option<ListingSelectors>,
    /// The validators stored for the single document, sent with its fetch.
    stored_validators: BTreeMap<String, Validators>,
    /// The validators to store after this crawl.
    validators: BTreeMap<String, Validators>,
}

impl<'a> CrawlJob<'a> {
    /// A job going on from `progress` (`CrawlProgress::new` for a new crawl). `known` is what
    /// the store holds of the source, `refresh` which unchanged postings to read again, and
    /// `now` the `fetched_at` of what this job fetches. Fails when the source's listing
    /// recipe does not compile.
    pub fn new(
        fetcher: &'a dyn Fetcher,
        source: &'a SourceConfig,
        known: &'a Known,
        refresh: Refresh,
        now: DateTime<Utc>,
        progress: CrawlProgress,
    ) -> Result<Self, CrawlError> {
        // The kind may derive its API address on another host than the career site's
        // (Rippling's `ats.` site and `api.` API): that host is the source's too.
        let api_host = match &source.kind {
            SourceKind::Html => None,
            kind => Pager::start(*kind, &source.url)
                .1
                .url
                .host_str()
                .map(str::to_owned),
        };
        let mut allowed_hosts: Vec<String> = source
            .url
            .host_str()
            .into_iter()
            .chain(api_host.as_deref())
            .chain(source.extra_hosts.iter().map(String::as_str))
            .map(str::to_ascii_lowercase)
            .collect();
        allowed_hosts.dedup();
        let selectors = source
            .listing
            .as_ref()
            .filter(|_| source.kind == SourceKind::Html)
            .map(ListingSelectors::compile)
            .transpose()
            .map_err(|error| CrawlError::Parse {
                url: source.url.to_string(),
                error,
            })?;
        Ok(CrawlJob {
            fetcher,
            source,
            known,
            refresh,
            now,
            progress,
            allowed_hosts,
            selectors,
            stored_validators: BTreeMap::new(),
            validators: BTreeMap::new(),
        })
    }

    /// The same job, fetching the single document of a single-document source
    /// conditionally with these stored validators (by URL).
    pub fn with_validators(mut self, stored: BTreeMap<String, Validators>) -> Self {
        self.stored_validators = stored;
        self
    }

    /// Where the crawl stands.
    pub fn progress(&self) -> &CrawlProgress {
        &self.progress
    }

    /// Where the crawl stands, to save or to finish with.
    pub fn into_progress(self) -> CrawlProgress {
        self.progress
    }

    /// `ETag` / `Last-Modified` to store in the source state, by URL. Only the document that
    /// is fetched conditionally (the one document of a single-document source) is kept: the
    /// validators of other pages would never be sent, and a large source would carry
    /// thousands of them. After a 304 the validators that were sent are kept.
    pub fn validators(&self) -> &BTreeMap<String, Validators> {
        &self.validators
    }

    /// Makes the crawl's next request, unless `limits` are reached, and says what it found:
    /// a posting page first (of links read before), else the next list page. An error only
    /// when the crawl's first document fails.
    pub async fn step(&mut self, limits: &mut Limits) -> Result<Step, CrawlError> {
        if let Some(detail) = self.progress.pending.pop_front() {
            return Ok(self.read_detail(detail, limits).await);
        }
        match &self.progress.list {
            ListPass::Pages { next: Some(_), .. } => self.read_page(limits).await,
            ListPass::Listing { next: Some(_), .. } => self.read_listing(limits).await,
            _ => Ok(Step::Done),
        }
    }

    /// Reads the next page of a source read as pages of its own kind.
    async fn read_page(&mut self, limits: &mut Limits) -> Result<Step, CrawlError> {
        let ListPass::Pages {
            pager,
            next: Some(page),
            read,
        } = &self.progress.list
        else {
            return Ok(Step::Done);
        };
        let (mut pager, page, read) = (pager.clone(), page.clone(), *read);
        let first = !self.progress.started;
        let conditional = pager
            .is_single()
            .then(|| self.stored_validators.get(page.url.as_str()).cloned())
            .flatten();
        let Some(outcome) = self.fetch(&page, conditional.clone(), limits).await else {
            return Ok(Step::Paused);
        };
        if page.preflight {
            return self.read_preflight(pager, &page, read, first, outcome);
        }
        // A refusal of a later page may be an expired session (a crawl going on in another
        // invocation): the pager renews it once and the page is asked again.
        if !first
            && matches!(
                &outcome,
                Err(FetchError::Status {
                    status: 401 | 403,
                    ..
                })
            )
            && let Some(renewal) = pager.renew()
        {
            tracing::info!(source = %self.source.name, url = %page.url, "session renewed");
            self.progress.list = ListPass::Pages {
                pager,
                next: Some(renewal),
                read,
            };
            return Ok(Step::Found(Vec::new()));
        }
        let doc = if first {
            match self.first_document(&page.url, outcome)? {
                Some(doc) => doc,
                None => {
                    // 304: the one document is as it was.
                    if let Some(sent) = conditional {
                        self.validators.insert(page.url.to_string(), sent);
                    }
                    self.end_list();
                    return Ok(Step::Unchanged);
                }
            }
        } else {
            match self.later_document(&page.url, outcome) {
                Some(doc) => doc,
                None => {
                    self.end_list();
                    return Ok(Step::Found(Vec::new()));
                }
            }
        };
        if pager.is_single() {
            self.keep_validators(&page.url, &doc);
        }
        let found = match self.parse(&doc) {
            Ok(parsed) => self.listed_records(parsed),
            Err(error) if first => {
                return Err(CrawlError::Parse {
                    url: doc.final_url.to_string(),
                    error,
                });
            }
            Err(error) => {
                self.progress.fail(format!("{}: {error}", doc.final_url));
                self.end_list();
                return Ok(Step::Found(Vec::new()));
            }
        };
        let read = read + 1;
        let mut next = pager.next(&doc);
        if let Some(capped) = next.as_ref().filter(|_| read >= self.source.max_pages) {
            self.capped(&capped.url);
            next = None;
        }
        self.progress.list = ListPass::Pages { pager, next, read };
        Ok(Step::Found(found))
    }

    /// Takes a pre-flight's answer (a token, a site's configuration) to the pager, which
    /// builds the list's first page from it. The pre-flight is not a page of the list: it
    /// is not parsed, not counted against `max_pages`, and the list's first page is still
    /// the crawl's first document (whose failure is the crawl's).
    fn read_preflight(
        &mut self,
        mut pager: Pager,
        page: &PageRequest,
        read: u32,
        first: bool,
        outcome: Result<FetchOutcome, FetchError>,
    ) -> Result<Step, CrawlError> {
        let doc = if first {
            let doc = self.first_document(&page.url, outcome)?;
            self.progress.started = false;
            doc
        } else {
            self.later_document(&page.url, outcome)
        };
        let next = doc.as_ref().and_then(|doc| pager.next(doc));
        if next.is_none() && doc.is_some() {
            let error = format!("{}: the pre-flight's answer cannot be read", page.url);
            if first {
                return Err(CrawlError::Parse {
                    url: page.url.to_string(),
                    error: ParseError::malformed(self.source.kind, error),
                });
            }
            self.progress.fail(error);
        }
        self.progress.list = ListPass::Pages { pager, next, read };
        Ok(Step::Found(Vec::new()))
    }

    /// Reads the next page of an `html` listing: its links become posting pages to read,
    /// unless the store holds their postings as the listing describes them.
    async fn read_listing(&mut self, limits: &mut Limits) -> Result<Step, CrawlError> {
        let ListPass::Listing {
            next: Some(url),
            read,
            ..
        } = &self.progress.list
        else {
            return Ok(Step::Done);
        };
        let (url, read) = (url.clone(), *read);
        let first = !self.progress.started;
        let page = PageRequest::get(url.clone());
        let Some(outcome) = self.fetch(&page, None, limits).await else {
            return Ok(Step::Paused);
        };
        let document = if first {
            match self.first_document(&url, outcome)? {
                Some(doc) => Some(doc),
                None => {
                    // Nothing was sent conditionally, so a 304 here is the server's confusion.
                    self.progress
                        .fail(format!("{url}: unexpected 304 Not Modified"));
                    None
                }
            }
        } else {
            self.later_document(&url, outcome)
        };
        let Some(doc) = document else {
            self.end_list();
            return Ok(Step::Found(Vec::new()));
        };
        if crate::markup::nesting::html_too_deep(&doc.body) {
            let error = crate::markup::nesting::too_deep(SourceKind::Html);
            self.progress.fail(format!("{}: {error}", doc.final_url));
            self.end_list();
            return Ok(Step::Found(Vec::new()));
        }
        let found = match &self.selectors {
            Some(selectors) => selectors.read(&doc.body, &doc.final_url, &self.allowed_hosts),
            None => ListingLinks::default(),
        };
        let ListPass::Listing {
            next,
            visited,
            read: pages_read,
            links,
        } = &mut self.progress.list
        else {
            return Ok(Step::Done);
        };
        visited.push(hash64(&["url", url.as_str()]));
        visited.push(hash64(&["url", doc.final_url.as_str()]));
        *pages_read = read + 1;
        let mut pending = Vec::new();
        let mut skipped = 0;
        let mut listed = Vec::new();
        for (link, text) in found.links {
            let key = hash64(&["url", link.as_str()]);
            if !links.insert_key(key) {
                continue;
            }
            let hint = hash64(&["text", &text]);
            if self.known.unchanged(key, hint, self.refresh) {
                skipped += 1;
                listed.extend(self.known.listed(key).iter().map(|p| p.id));
            } else {
                pending.push(Detail {
                    request: PageRequest::get(link),
                    key,
                    hint,
                });
            }
        }
        // A next link seen before means the listing went round in a circle: its end.
        let mut after = found
            .next
            .filter(|next| !visited.contains(&hash64(&["url", next.as_str()])));
        let capped = after.take_if(|_| read + 1 >= self.source.max_pages);
        *next = after;
        self.progress.pending.extend(pending);
        self.progress.report.details_skipped += skipped;
        for id in listed {
            if self.progress.seen.insert_key(id) {
                self.progress.report.postings_found += 1;
            }
        }
        if let Some(capped) = capped {
            self.capped(&capped);
        }
        Ok(Step::Found(Vec::new()))
    }

    /// Reads one posting's own document (a posting page of an `html` listing).
    async fn read_detail(&mut self, detail: Detail, limits: &mut Limits) -> Step {
        let cap = self
            .source
            .listing
            .as_ref()
            .map_or(usize::MAX, |listing| listing.max_posting_pages);
        if self.progress.details_read >= cap {
            // Reading the rest would take hours at one request per second; the crawl is
            // incomplete so nothing beyond the cap is closed as withdrawn.
            if self.progress.details_read == cap {
                let needed = cap + 1 + self.progress.pending.len();
                self.progress.details_read += 1;
                self.progress.fail(format!(
                    "{}: {needed} posting pages need reading, over `max_posting_pages` = \
                     {cap}; the rest were not read",
                    self.source.url
                ));
            }
            return Step::Found(Vec::new());
        }
        let Some(outcome) = self.fetch(&detail.request, None, limits).await else {
            self.progress.pending.push_front(detail);
            return Step::Paused;
        };
        self.progress.details_read += 1;
        if let Err(FetchError::Status {
            status: 404 | 410, ..
        }) = &outcome
        {
            // The list named a posting that is gone by the time its own page is asked for
            // (withdrawn between the two requests): not sent, and not a failure of the crawl,
            // or one such job would keep every other withdrawn job of the source open.
            tracing::info!(source = %self.source.name, url = %detail.request.url, "a listed posting is gone");
            self.progress.report.skipped_records += 1;
            return Step::Found(Vec::new());
        }
        let Some(doc) = self.later_document(&detail.request.url, outcome) else {
            return Step::Found(Vec::new());
        };
        match self.parse(&doc) {
            Ok(parsed) if parsed.postings.is_empty() => {
                // The listing says a posting is here; finding none is a broken page or
                // recipe, and must not look like the posting was withdrawn.
                self.progress.report.skipped_records += count(parsed.skipped);
                self.progress.fail(format!(
                    "{}: no job posting found on the page",
                    doc.final_url
                ));
                Step::Found(Vec::new())
            }
            Ok(parsed) => {
                let mark = ListMark {
                    key: detail.key,
                    hint: detail.hint,
                };
                Step::Found(self.absorb(parsed, |_| Some(mark)))
            }
            Err(error) => {
                self.progress.fail(format!("{}: {error}", doc.final_url));
                Step::Found(Vec::new())
            }
        }
    }

    /// The records of an API page, feed or JSON-LD page to send on: each is listed, and sent
    /// unless the store holds it, open, with the same hint. The hint covers the whole record
    /// (and the jobfeed version that normalizes it), so an unchanged hint is an unchanged
    /// posting: these records need no refresh, which is for posting pages read apart from
    /// their list.
    ///
    /// A record that names its detail request (a list without descriptions) is not sent:
    /// its detail is queued, under the record's key and hint, unless the store holds the
    /// posting as the list describes it and it is not due for refresh.
    fn listed_records(&mut self, mut parsed: ExtractedDocument) -> Vec<ExtractedPosting> {
        let known = self.known;
        let company = self.source.company.as_deref().unwrap_or_default();
        let (summaries, whole): (Vec<_>, Vec<_>) = std::mem::take(&mut parsed.postings)
            .into_iter()
            .partition(|posting| posting.record.detail_url.is_some());
        parsed.postings = whole;
        self.queue_details(summaries, company);
        self.absorb(parsed, |posting| {
            let key = id_key(&posting.id);
            let hint = record_hint(posting, company);
            (!known.unchanged(key, hint, Refresh::NEVER)).then_some(ListMark { key, hint })
        })
    }

    /// Queues the detail of each list record that needs reading (see `listed_records`);
    /// the others are listed as the store holds them.
    fn queue_details(&mut self, summaries: Vec<ExtractedPosting>, company: &str) {
        let mut skipped = 0;
        let mut listed = Vec::new();
        let mut pending = Vec::new();
        // The detail gives the posting under the record's id, and reading it notes that id
        // as listed (`absorb`); noting it here already would drop the detail as a repeat.
        // So a repeat is a record listed or queued before.
        let mut queued: HashSet<u64> = self.progress.pending.iter().map(|d| d.key).collect();
        for posting in summaries {
            let key = id_key(&posting.id);
            if self.progress.seen.contains(&posting.id) || !queued.insert(key) {
                self.progress.report.skipped_records += 1;
                continue;
            }
            let detail = posting
                .record
                .detail_url
                .as_deref()
                .and_then(|url| Url::parse(url).ok());
            let Some(detail) = detail else {
                self.progress.report.skipped_records += 1;
                continue;
            };
            let hint = summary_hint(&posting, company);
            if self.known.unchanged(key, hint, self.refresh) {
                skipped += 1;
                listed.extend(self.known.listed(key).iter().map(|p| p.id));
            } else {
                pending.push(Detail {
                    request: PageRequest::get(detail),
                    key,
                    hint,
                });
            }
        }
        self.progress.pending.extend(pending);
        self.progress.report.details_skipped += skipped;
        for id in listed {
            if self.progress.seen.insert_key(id) {
                self.progress.report.postings_found += 1;
            }
        }
    }

    /// Notes a document's postings as listed (a repeat of an id found before is skipped)
    /// and returns those `mark` gives a list mark: the ones to send on.
    fn absorb(
        &mut self,
        parsed: ExtractedDocument,
        mark: impl Fn(&ExtractedPosting) -> Option<ListMark>,
    ) -> Vec<ExtractedPosting> {
        let report = &mut self.progress.report;
        report.skipped_records += count(parsed.skipped);
        let mut sent = Vec::new();
        for mut posting in parsed.postings {
            if !self.progress.seen.insert(&posting.id) {
                report.skipped_records += 1;
                continue;
            }
            report.postings_found += 1;
            if let Some(mark) = mark(&posting) {
                posting.mark = Some(mark);
                report.postings_sent += 1;
                sent.push(posting);
            }
        }
        sent
    }

    /// The fetch request for `page`, with this source's address rules.
    fn request(&self, page: &PageRequest, validators: Option<Validators>) -> FetchRequest {
        FetchRequest {
            url: page.url.clone(),
            method: page.method.clone(),
            validators,
            allow_private: self.source.allow_private,
            allowed_hosts: Some(self.allowed_hosts.clone()),
            headers: page.headers.clone(),
        }
    }

    /// Fetches `page` unless `limits` are reached; `None` when they are, or when the
    /// deadline passes while the request runs (it is abandoned, to be made again).
    async fn fetch(
        &mut self,
        page: &PageRequest,
        validators: Option<Validators>,
        limits: &mut Limits,
    ) -> Option<Result<FetchOutcome, FetchError>> {
        if limits.reached() {
            return None;
        }
        limits.requests += 1;
        let fetching = self.fetcher.fetch(self.request(page, validators));
        match limits.deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, fetching).await.ok(),
            None => Some(fetching.await),
        }
    }

    /// The first document of the crawl: `None` for a 304; any failure fails the crawl.
    fn first_document(
        &mut self,
        url: &Url,
        outcome: Result<FetchOutcome, FetchError>,
    ) -> Result<Option<Document>, CrawlError> {
        match outcome? {
            FetchOutcome::Fetched(doc) => {
                self.progress.started = true;
                self.progress.report.pages_fetched += 1;
                Ok(Some(doc))
            }
            FetchOutcome::NotModified => {
                self.progress.started = true;
                self.progress.report.not_modified += 1;
                Ok(None)
            }
            FetchOutcome::Disallowed { reason } => Err(CrawlError::Disallowed {
                url: url.to_string(),
                reason,
            }),
        }
    }

    /// A later document; a failure is recorded, makes the crawl incomplete and gives `None`.
    fn later_document(
        &mut self,
        url: &Url,
        outcome: Result<FetchOutcome, FetchError>,
    ) -> Option<Document> {
        match outcome {
            Ok(FetchOutcome::Fetched(doc)) => {
                self.progress.report.pages_fetched += 1;
                Some(doc)
            }
            Ok(FetchOutcome::NotModified) => {
                self.progress.report.not_modified += 1;
                self.progress
                    .fail(format!("{url}: unexpected 304 Not Modified"));
                None
            }
            Ok(FetchOutcome::Disallowed { reason }) => {
                tracing::info!(source = %self.source.name, %url, %reason, "skipped");
                self.progress.report.disallowed.push(url.to_string());
                self.progress.complete = false;
                None
            }
            Err(error) => {
                tracing::warn!(source = %self.source.name, %error, "a later document failed");
                self.progress.fail(error.to_string());
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

    fn keep_validators(&mut self, url: &Url, doc: &Document) {
        let v = &doc.validators;
        if v.etag.is_some() || v.last_modified.is_some() {
            self.validators.insert(url.to_string(), v.clone());
        }
    }

    /// Ends the list pass (its next page failed or cannot be read).
    fn end_list(&mut self) {
        match &mut self.progress.list {
            ListPass::Pages { next, .. } => *next = None,
            ListPass::Listing { next, .. } => *next = None,
        }
    }

    /// Records that `max_pages` stopped the crawl before `next`.
    fn capped(&mut self, next: &Url) {
        tracing::info!(
            source = %self.source.name,
            max_pages = self.source.max_pages,
            %next,
            "page cap reached; the crawl is incomplete"
        );
        self.progress.complete = false;
    }
}

/// The change hint of an API record: everything normalizing it reads (its kind, document,
/// record and the source's company override) and the version of jobfeed that normalizes it,
/// so a posting whose hint is unchanged would normalize to what is stored, and an upgrade
/// sends every posting on once to be normalized anew.
fn record_hint(posting: &ExtractedPosting, company: &str) -> u64 {
    let record = serde_json::to_string(&posting.record).unwrap_or_default();
    hash64(&[
        env!("CARGO_PKG_VERSION"),
        posting.kind.as_str(),
        posting.document_url.as_deref().unwrap_or_default(),
        if posting.single_posting_document {
            "single"
        } else {
            "many"
        },
        company,
        &record,
    ])
}

/// The change hint of a list record that names its detail: like [`record_hint`], but
/// without the list page's address, which changes when a job moves to another page of a
/// list paged in its URL (`startrow`, `jobOffset`) while the job stays as it was.
fn summary_hint(posting: &ExtractedPosting, company: &str) -> u64 {
    let record = serde_json::to_string(&posting.record).unwrap_or_default();
    hash64(&[
        env!("CARGO_PKG_VERSION"),
        posting.kind.as_str(),
        "summary",
        company,
        &record,
    ])
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
    /// Posting pages: absolute http(s) URLs on an allowed host, without fragment, each once,
    /// with their link text (whitespace collapsed): the posting's change hint.
    links: Vec<(Url, String)>,
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
                let text = element.text().collect::<Vec<_>>().join(" ");
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                out.links.push((url, text));
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
        let links: Vec<&str> = found.links.iter().map(|(url, _)| url.as_str()).collect();
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
        assert_eq!(found.links[0].1, "One", "the first link's text is its hint");
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
