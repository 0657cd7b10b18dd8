//! `jobfeed discover TARGET...`: where each company publishes its jobs, as ready
//! `[[source]]` tables. The catalog is asked first; then a handful of the site's pages are
//! read politely (the crawl's fetcher: robots.txt, per-host delay, SSRF guard, size caps)
//! and scanned with `jobfeed::discover`'s rules. Many targets run at once; one failing
//! never stops the others.

use std::collections::{HashSet, VecDeque};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::bail;
use clap::Args;
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use jobfeed::app::check::check_source;
use jobfeed::catalog::{Catalog, Suggestion};
use jobfeed::crawl::fetch::{Document, FetchError, FetchOutcome, FetchRequest, Fetcher};
use jobfeed::discover::{self, Board, Via};
use url::Url;

use crate::catalog::{append_to_file, check_fetcher, embedded, source_config};

/// Arguments of `jobfeed discover`.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// Company domains (`example.com`) or any URL of their sites.
    #[arg(required = true, value_name = "TARGET")]
    targets: Vec<String>,
    /// Read each candidate's list once and count its postings; drop candidates that give
    /// none or fail.
    #[arg(long)]
    check: bool,
    /// Append the sources found to this file (validated first, never a source twice)
    /// instead of printing them.
    #[arg(long, value_name = "FILE")]
    write: Option<PathBuf>,
    /// Pages of a site read at most per target.
    #[arg(long, default_value_t = 6)]
    max_pages: usize,
    /// Targets looked at concurrently.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Milliseconds between two requests to one host.
    #[arg(long, default_value_t = 1000)]
    delay_ms: u64,
    /// Testing and intranets only: allow loopback and private addresses.
    #[arg(long, hide = true)]
    allow_private: bool,
}

/// A source found for a target, and what its check said.
struct Found {
    suggestion: Suggestion,
    postings: Option<String>,
}

/// How one target ended.
struct Outcome {
    index: usize,
    target: String,
    found: Vec<Found>,
    refused: Vec<String>,
    looked_at: Vec<String>,
    error: Option<String>,
}

impl Outcome {
    /// The target's one summary line.
    fn line(&self) -> String {
        if let Some(error) = &self.error {
            return format!("{}: error: {error}", self.target);
        }
        if self.found.is_empty() {
            let refused = if self.refused.is_empty() {
                String::new()
            } else {
                format!("; refused: {}", self.refused.join("; "))
            };
            return format!(
                "{}: nothing found (looked at {}){refused}",
                self.target,
                if self.looked_at.is_empty() {
                    "no page".to_owned()
                } else {
                    self.looked_at.join(", ")
                }
            );
        }
        let found: Vec<String> = self
            .found
            .iter()
            .map(|f| {
                let postings = f
                    .postings
                    .as_deref()
                    .map(|p| format!(", {p}"))
                    .unwrap_or_default();
                let ready = if f.suggestion.is_ready() {
                    ""
                } else {
                    ", not ready"
                };
                format!(
                    "{} {}{postings}{ready} ({})",
                    f.suggestion.kind, f.suggestion.url, f.suggestion.origin
                )
            })
            .collect();
        format!("{}: found {}", self.target, found.join("; "))
    }
}

/// Runs `jobfeed discover`.
pub async fn run(args: DiscoverArgs) -> anyhow::Result<()> {
    let catalog = Arc::new(embedded()?);
    let fetcher = check_fetcher(args.delay_ms)?;
    let args = Arc::new(args);
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(args.targets.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{spinner} discovering [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let runs = args.targets.iter().enumerate().map(|(index, target)| {
        let (catalog, fetcher, args) = (
            Arc::clone(&catalog),
            Arc::clone(&fetcher),
            Arc::clone(&args),
        );
        let target = target.clone();
        async move { discover_target(index, target, &catalog, fetcher.as_ref(), &args).await }
    });
    let mut outcomes = Vec::new();
    let mut results = futures::stream::iter(runs).buffer_unordered(args.concurrency.max(1));
    while let Some(outcome) = results.next().await {
        match &bar {
            Some(bar) => {
                bar.println(outcome.line());
                bar.set_message(outcome.target.clone());
                bar.inc(1);
            }
            None => eprintln!("{}", outcome.line()),
        }
        outcomes.push(outcome);
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    outcomes.sort_by_key(|o| o.index);
    let suggestions: Vec<Suggestion> = outcomes
        .iter()
        .flat_map(|o| o.found.iter().map(|f| f.suggestion.clone()))
        .collect();
    let (ready, waiting): (Vec<_>, Vec<_>) =
        suggestions.into_iter().partition(Suggestion::is_ready);
    match &args.write {
        Some(path) => {
            append_to_file(path, &ready)?;
        }
        None => {
            let appended = jobfeed::sources_file::append("", "discover", &ready)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut out = std::io::stdout().lock();
            out.write_all(appended.text.as_bytes())?;
            for suggestion in &waiting {
                writeln!(out, "\n{}", suggestion.to_toml().trim_end())?;
            }
        }
    }
    let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
    if failed > 0 {
        bail!("{failed} of {} targets failed", outcomes.len());
    }
    Ok(())
}

/// The first page of a target: a URL as given, a bare domain over https.
fn start_url(target: &str) -> Result<Url, String> {
    let target = target.trim();
    let text = if target.contains("://") {
        target.to_owned()
    } else {
        format!("https://{target}/")
    };
    match Url::parse(&text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(url),
        _ => Err(format!("`{target}` is neither a domain nor an http(s) URL")),
    }
}

/// The host without `www.`.
fn bare_host(url: &Url) -> String {
    url.host_str()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .trim_start_matches("www.")
        .to_owned()
}

/// What a fetch of one of the site's pages gave.
enum Page {
    Fetched(Document),
    /// The page redirected to another host (not fetched): its address.
    Elsewhere(Url),
    Failed(String),
}

async fn fetch_page(fetcher: &dyn Fetcher, url: &Url, hosts: &[String], private: bool) -> Page {
    let request = FetchRequest {
        allow_private: private,
        // Redirects to another host are not followed: a redirect to a job board is the
        // answer itself, and nothing of the board needs fetching to name it.
        allowed_hosts: Some(hosts.to_vec()),
        ..FetchRequest::get(url.clone())
    };
    match fetcher.fetch(request).await {
        Ok(FetchOutcome::Fetched(doc)) => Page::Fetched(doc),
        Ok(FetchOutcome::NotModified) => Page::Failed("304 Not Modified".to_owned()),
        Ok(FetchOutcome::Disallowed { reason }) => Page::Failed(reason.to_string()),
        Err(FetchError::Refused { url: hop, reason })
            if reason.ends_with("is not among the allowed hosts") =>
        {
            Page::Elsewhere(hop)
        }
        Err(error) => Page::Failed(error.to_string()),
    }
}

async fn discover_target(
    index: usize,
    target: String,
    catalog: &Catalog,
    fetcher: &dyn Fetcher,
    args: &DiscoverArgs,
) -> Outcome {
    let mut outcome = Outcome {
        index,
        target: target.clone(),
        found: Vec::new(),
        refused: Vec::new(),
        looked_at: Vec::new(),
        error: None,
    };
    let start = match start_url(&target) {
        Ok(url) => url,
        Err(error) => {
            outcome.error = Some(error);
            return outcome;
        }
    };
    let suggestions = find(&start, catalog, fetcher, args, &mut outcome).await;
    if args.check {
        for suggestion in suggestions {
            if !suggestion.is_ready() {
                outcome.found.push(Found {
                    suggestion,
                    postings: None,
                });
                continue;
            }
            let checked = match source_config(&suggestion) {
                Ok(mut source) => {
                    source.allow_private |= args.allow_private;
                    check_source(fetcher, &source, 1)
                        .await
                        .map_err(|e| e.to_string())
                }
                Err(e) => Err(format!("{e:#}")),
            };
            match checked {
                Ok(report) if report.postings > 0 => outcome.found.push(Found {
                    postings: Some(format!(
                        "{}{} postings",
                        report.postings,
                        if report.more { "+" } else { "" }
                    )),
                    suggestion,
                }),
                Ok(_) => outcome.refused.push(format!(
                    "{} {} gives no postings",
                    suggestion.kind, suggestion.url
                )),
                Err(error) => outcome
                    .refused
                    .push(format!("{} {}: {error}", suggestion.kind, suggestion.url)),
            }
        }
    } else {
        outcome.found = suggestions
            .into_iter()
            .map(|suggestion| Found {
                suggestion,
                postings: None,
            })
            .collect();
    }
    if outcome.found.is_empty()
        && outcome.error.is_none()
        && !outcome.looked_at.is_empty()
        && outcome.looked_at.iter().all(|l| l.contains(" (failed: "))
    {
        // Not one page could be read: the target is an error, not a site without jobs.
        outcome.error = Some(format!(
            "no page could be read: {}",
            outcome.looked_at.join(", ")
        ));
    }
    outcome
}

/// The candidates of one target: the catalog's boards on its domain, else the boards its
/// pages point at, else its own pages with `JobPosting`s, else the catalog's entries of
/// its name.
async fn find(
    start: &Url,
    catalog: &Catalog,
    fetcher: &dyn Fetcher,
    args: &DiscoverArgs,
    outcome: &mut Outcome,
) -> Vec<Suggestion> {
    let domain = bare_host(start);
    if let Some(board) = discover::recognise(start) {
        return vec![board.suggestion(format!("the address given, {start}"))];
    }
    let from_catalog: Vec<Suggestion> = catalog
        .by_domain(&domain)
        .into_iter()
        .filter_map(|entry| {
            let mut s = entry.suggestion()?;
            s.origin = format!("catalog {}, on {domain}", entry.key());
            Some(s)
        })
        .collect();
    if !from_catalog.is_empty() {
        outcome.looked_at.push("the catalog".to_owned());
        return from_catalog;
    }
    let mut hosts = vec![domain.clone(), format!("www.{domain}")];
    let mut queue: VecDeque<Url> = VecDeque::from([start.clone()]);
    let mut visited: HashSet<Url> = HashSet::new();
    let mut boards: Vec<(Board, String)> = Vec::new();
    let mut pages_with_postings: Vec<Suggestion> = Vec::new();
    // A careers page and the first link of it that looks like a job page.
    let mut listing: Option<(Url, Url)> = None;
    let mut added_defaults = false;
    while let Some(url) = queue.pop_front() {
        if outcome.looked_at.len() >= args.max_pages {
            break;
        }
        if !visited.insert(url.clone()) {
            continue;
        }
        let page = fetch_page(fetcher, &url, &hosts, args.allow_private).await;
        let doc = match page {
            Page::Fetched(doc) => doc,
            Page::Elsewhere(hop) => {
                outcome
                    .looked_at
                    .push(format!("{url} (redirected to {hop})"));
                if let Some(board) = discover::recognise(&hop) {
                    boards.push((board, format!("{} from {url}", Via::Redirect)));
                } else if bare_host(&hop).ends_with(&format!(".{domain}")) {
                    // The company's own careers host: read it as part of the site.
                    if let Some(host) = hop.host_str() {
                        hosts.push(host.to_ascii_lowercase());
                    }
                    queue.push_front(hop);
                }
                if !boards.is_empty() {
                    break;
                }
                continue;
            }
            Page::Failed(error) => {
                outcome.looked_at.push(format!("{url} (failed: {error})"));
                if visited.len() == 1 && !error.starts_with("HTTP ") {
                    // The site itself cannot be reached (or is refused): its other pages
                    // cannot be either.
                    break;
                }
                if !added_defaults {
                    added_defaults = true;
                    push_defaults(&mut queue, &url);
                }
                continue;
            }
        };
        outcome.looked_at.push(url.to_string());
        let scan = discover::scan(&doc.final_url, &doc.body);
        for (board, via) in scan.boards {
            boards.push((board, format!("{via} on {}", doc.final_url)));
        }
        if scan.job_postings > 1 {
            pages_with_postings.push(discover::page_suggestion(&doc.final_url, scan.job_postings));
        } else if scan.job_postings == 1
            && let Some((careers, job)) = &listing
            && (*job == doc.final_url || *job == url)
        {
            pages_with_postings.push(discover::listing_suggestion(careers, job));
        }
        if !boards.is_empty() || !pages_with_postings.is_empty() {
            break;
        }
        if listing.is_none()
            && let Some(job) = scan.job_links.first()
        {
            listing = Some((doc.final_url.clone(), job.clone()));
            // Read one job page next: a JobPosting there makes the careers page a listing.
            queue.push_front(job.clone());
        }
        for link in scan.careers_links.iter().take(3) {
            if !visited.contains(link) && !queue.contains(link) {
                queue.push_back(link.clone());
            }
        }
        if !added_defaults {
            added_defaults = true;
            push_defaults(&mut queue, &doc.final_url);
        }
    }
    if !boards.is_empty() {
        let mut seen = HashSet::new();
        return boards
            .into_iter()
            .filter(|(board, _)| seen.insert((board.kind, board.url.clone())))
            .map(|(board, origin)| board.suggestion(origin))
            .collect();
    }
    if !pages_with_postings.is_empty() {
        return pages_with_postings;
    }
    // Nothing on the site: the catalog's boards of the domain's name, flagged as such (an
    // address given by IP has no name).
    if !matches!(start.host(), Some(url::Host::Domain(_))) {
        return Vec::new();
    }
    let label = domain.split('.').next().unwrap_or_default();
    catalog
        .by_name(label)
        .into_iter()
        .filter_map(|entry| {
            let mut s = entry.suggestion()?;
            s.origin = format!(
                "catalog {} ({}), by name only: nothing on the site links to it",
                entry.key(),
                entry.company
            );
            Some(s)
        })
        .collect()
}

/// `/careers` and `/jobs` of `page`'s site, after the pages already queued.
fn push_defaults(queue: &mut VecDeque<Url>, page: &Url) {
    for path in ["/careers", "/jobs"] {
        if let Ok(url) = page.join(path)
            && !queue.contains(&url)
        {
            queue.push_back(url);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_a_domain_or_an_http_url() {
        assert_eq!(
            start_url("example.com").unwrap().as_str(),
            "https://example.com/"
        );
        assert_eq!(
            start_url("http://127.0.0.1:8080/about").unwrap().as_str(),
            "http://127.0.0.1:8080/about"
        );
        assert!(start_url("ftp://example.com/").is_err());
        assert!(start_url("not a domain").is_err());
    }
}
