//! `jobfeed catalog search|export|check|about` and `jobfeed sources add --catalog`: the
//! company board catalog embedded in this binary (only here: the Lambda functions never
//! carry it), read through `jobfeed::catalog`.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use futures::StreamExt;
use jobfeed::app::check::check_source;
use jobfeed::catalog::{Catalog, Entry, Provider, Suggestion};
use jobfeed::config::{self, SourceConfig};
use jobfeed::crawl::fetch::{FetchConfig, Fetcher};
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::model::SourceKind;
use url::Url;

/// The catalog, gzip-compressed (built by `scripts/catalog-build` from the rosters).
const CATALOG_GZ: &[u8] = include_bytes!("../catalog/catalog.tsv.gz");
/// The rosters' licence, shipped with them.
pub const LICENSE: &str = include_str!("../catalog/LICENSE.openings-mcp");

/// The embedded catalog, decompressed and parsed.
pub fn embedded() -> anyhow::Result<Catalog> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(CATALOG_GZ), &mut text)
        .context("decompressing the embedded catalog")?;
    Catalog::parse(&text).context("reading the embedded catalog")
}

/// Arguments of `jobfeed catalog`.
#[derive(Debug, Args)]
pub struct CatalogArgs {
    #[command(subcommand)]
    command: CatalogCommand,
}

#[derive(Debug, Subcommand)]
enum CatalogCommand {
    /// Companies whose name matches TEXT (case- and accent-insensitive; whole names, then
    /// prefixes, then word starts, then the rest), one a line: key, kind, URL, company.
    Search {
        /// Part of a company's name (or of its board's id).
        text: String,
        /// Only this roster or kind (`greenhouse`, `workday`, `icims`, `html`, ...).
        #[arg(long)]
        kind: Option<String>,
        /// At most this many lines.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Print `[[source]]` tables for every company of a roster (those jobfeed cannot read
    /// yet commented out, with what they lack).
    Export {
        /// The roster or kind.
        #[arg(long)]
        kind: String,
        /// Only companies whose name matches this text.
        #[arg(long = "match", value_name = "TEXT")]
        matching: Option<String>,
    },
    /// Fetch entries' boards politely (robots.txt, one request a second per host) and report
    /// which answer and how many postings each lists.
    Check {
        /// Only this roster or kind.
        #[arg(long)]
        kind: Option<String>,
        /// Only companies whose name matches this text.
        #[arg(long = "match", value_name = "TEXT")]
        matching: Option<String>,
        /// Check at most this many entries.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// List pages read per board at most.
        #[arg(long, default_value_t = 2)]
        pages: u32,
        /// Milliseconds between two requests to one host.
        #[arg(long, default_value_t = 1000)]
        delay_ms: u64,
        /// Testing only: send every request to this origin (scheme, host, port) instead of
        /// the board's, and allow private addresses.
        #[arg(long, value_name = "URL", hide = true)]
        base_url: Option<Url>,
    },
    /// The catalog's version, attribution, entries per roster and licence.
    About,
}

/// Runs `jobfeed catalog ...`.
pub async fn run(args: CatalogArgs) -> anyhow::Result<()> {
    let catalog = embedded()?;
    let mut out = std::io::stdout().lock();
    match args.command {
        CatalogCommand::Search { text, kind, limit } => {
            let providers = providers(kind.as_deref())?;
            let found = catalog.search(&text, &providers);
            if found.is_empty() {
                bail!("no company in the catalog matches `{text}`");
            }
            for (_, entry) in found.iter().take(limit) {
                writeln!(out, "{}", line(entry))?;
            }
            if found.len() > limit {
                eprintln!("{} more (--limit)", found.len() - limit);
            }
        }
        CatalogCommand::Export { kind, matching } => {
            let providers = providers(Some(&kind))?;
            let entries = select(&catalog, &providers, matching.as_deref());
            let suggestions: Vec<Suggestion> =
                entries.iter().filter_map(|e| e.suggestion()).collect();
            let (ready, waiting): (Vec<_>, Vec<_>) =
                suggestions.into_iter().partition(Suggestion::is_ready);
            let appended = jobfeed::sources_file::append("", "export", &ready)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            writeln!(
                out,
                "# jobfeed catalog {} ({}); boards move and close: check before relying on one.\n",
                catalog.version, catalog.attribution
            )?;
            out.write_all(appended.text.as_bytes())?;
            for suggestion in &waiting {
                writeln!(out, "\n{}", suggestion.to_toml().trim_end())?;
            }
            eprintln!(
                "{} sources, {} not ready (commented out), {} repeats left out",
                appended.added.len(),
                waiting.len(),
                appended.skipped.len()
            );
        }
        CatalogCommand::Check {
            kind,
            matching,
            limit,
            pages,
            delay_ms,
            base_url,
        } => {
            let providers = providers(kind.as_deref())?;
            let entries: Vec<&Entry> = select(&catalog, &providers, matching.as_deref())
                .into_iter()
                .take(limit)
                .collect();
            drop(out);
            check(&entries, pages, delay_ms, base_url.as_ref()).await?;
        }
        CatalogCommand::About => {
            writeln!(
                out,
                "jobfeed catalog {}: {} companies\nsource: {}\n",
                catalog.version,
                catalog.entries.len(),
                catalog.attribution
            )?;
            for provider in Provider::ALL {
                let count = catalog
                    .entries
                    .iter()
                    .filter(|e| e.provider == provider)
                    .count();
                let status = provider
                    .missing()
                    .map_or_else(|| "ready".to_owned(), |m| format!("not ready: needs {m}"));
                writeln!(
                    out,
                    "{:<16} {:>6}  kind {:<16} {status}",
                    provider.name(),
                    count,
                    provider.kind().as_str()
                )?;
            }
            writeln!(out, "\n{LICENSE}")?;
        }
    }
    Ok(())
}

/// One search result: key, kind (with `(not ready)`), URL, company.
fn line(entry: &Entry) -> String {
    let kind = match entry.provider.missing() {
        Some(_) => format!("{} (not ready)", entry.provider.kind()),
        None => entry.provider.kind().to_string(),
    };
    let url = entry
        .url()
        .map_or_else(|| "-".to_owned(), |u| u.to_string());
    format!("{}\t{kind}\t{url}\t{}", entry.key(), entry.company)
}

/// The rosters a `--kind` names: a roster, or every roster read by that jobfeed kind.
fn providers(kind: Option<&str>) -> anyhow::Result<Vec<Provider>> {
    let Some(kind) = kind else {
        return Ok(Vec::new());
    };
    if let Some(provider) = Provider::parse(kind) {
        return Ok(vec![provider]);
    }
    let by_kind: Vec<Provider> = kind
        .parse::<SourceKind>()
        .map(|kind| {
            Provider::ALL
                .into_iter()
                .filter(|p| p.kind() == kind)
                .collect()
        })
        .unwrap_or_default();
    if by_kind.is_empty() {
        let names: Vec<&str> = Provider::ALL.iter().map(|p| p.name()).collect();
        bail!(
            "no roster of kind `{kind}` in the catalog (rosters: {}, or `html`)",
            names.join(", ")
        );
    }
    Ok(by_kind)
}

/// The entries of `providers` (every one when empty), matching `text` (best first) if given,
/// else in catalog order.
fn select<'a>(catalog: &'a Catalog, providers: &[Provider], text: Option<&str>) -> Vec<&'a Entry> {
    match text {
        Some(text) => catalog
            .search(text, providers)
            .into_iter()
            .map(|(_, e)| e)
            .collect(),
        None => catalog
            .entries
            .iter()
            .filter(|e| providers.is_empty() || providers.contains(&e.provider))
            .collect(),
    }
}

/// The source a suggestion makes, as `sources.toml` would load it.
pub fn source_config(suggestion: &Suggestion) -> anyhow::Result<SourceConfig> {
    let mut config = config::parse(&suggestion.to_toml(), &suggestion.origin)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    config
        .sources
        .pop()
        .with_context(|| format!("{} is not ready", suggestion.origin))
}

/// A fetcher for checks: the crawl's manners, with this delay between requests to a host.
pub fn check_fetcher(delay_ms: u64) -> anyhow::Result<Arc<dyn Fetcher>> {
    let config = FetchConfig {
        min_delay_per_host: Duration::from_millis(delay_ms),
        max_retries: 1,
        ..FetchConfig::from(&config::CrawlDefaults::default())
    };
    Ok(Arc::new(
        HttpFetcher::new(config).context("building the HTTP client")?,
    ))
}

/// `url` on `base`'s origin (scheme, host, port), path and query kept.
fn rebase(url: &Url, base: &Url) -> Url {
    let mut moved = base.clone();
    moved.set_path(url.path());
    moved.set_query(url.query());
    moved
}

async fn check(
    entries: &[&Entry],
    pages: u32,
    delay_ms: u64,
    base_url: Option<&Url>,
) -> anyhow::Result<()> {
    let fetcher = check_fetcher(delay_ms)?;
    let mut answered = 0;
    let mut failed = 0;
    let mut waiting = 0;
    let checks = entries.iter().map(|entry| {
        let fetcher = Arc::clone(&fetcher);
        async move {
            let Some(suggestion) = entry.suggestion() else {
                return (entry, Err("its fields make no URL".to_owned()));
            };
            if let Some(missing) = &suggestion.missing {
                return (entry, Err(format!("not ready: needs {missing}")));
            }
            let mut source = match source_config(&suggestion) {
                Ok(source) => source,
                Err(e) => return (entry, Err(format!("{e:#}"))),
            };
            if let Some(base) = base_url {
                source.url = rebase(&source.url, base);
                source.allow_private = true;
            }
            let outcome = check_source(fetcher.as_ref(), &source, pages)
                .await
                .map_err(|e| e.to_string());
            (entry, outcome)
        }
    });
    let mut results = futures::stream::iter(checks).buffer_unordered(8);
    let mut out = std::io::stdout().lock();
    while let Some((entry, outcome)) = results.next().await {
        match outcome {
            Ok(report) => {
                answered += 1;
                writeln!(
                    out,
                    "{}\tanswers\t{}{} postings\t{}",
                    entry.key(),
                    report.postings,
                    if report.more { "+" } else { "" },
                    entry.company
                )?;
            }
            Err(reason) if reason.starts_with("not ready") => {
                waiting += 1;
                writeln!(
                    out,
                    "{}\tnot-ready\t{reason}\t{}",
                    entry.key(),
                    entry.company
                )?;
            }
            Err(reason) => {
                failed += 1;
                writeln!(out, "{}\tfails\t{reason}\t{}", entry.key(), entry.company)?;
            }
        }
    }
    eprintln!("{answered} answered, {failed} failed, {waiting} not ready");
    Ok(())
}

/// The ready source of a catalog entry named by `text`: `KIND/ID` (as `jobfeed catalog
/// search` prints it) or a company's whole name when only one entry has it. No entry, an
/// ambiguous name (the candidates are listed) or an entry jobfeed cannot read yet is an
/// error saying so.
pub fn ready_suggestion(text: &str) -> anyhow::Result<Suggestion> {
    let catalog = embedded()?;
    let found = catalog.lookup(text);
    let entry = match found.as_slice() {
        [one] => *one,
        [] => {
            let near: Vec<String> = catalog
                .search(text, &[])
                .into_iter()
                .take(10)
                .map(|(_, e)| format!("  {}", line(e)))
                .collect();
            if near.is_empty() {
                bail!("no catalog entry `{text}`");
            }
            bail!("no catalog entry `{text}`; near it:\n{}", near.join("\n"));
        }
        many => {
            let list: Vec<String> = many.iter().map(|e| format!("  {}", line(e))).collect();
            bail!(
                "`{text}` names {} catalog entries; add one by its key:\n{}",
                many.len(),
                list.join("\n")
            );
        }
    };
    let suggestion = entry
        .suggestion()
        .with_context(|| format!("{} makes no URL", entry.key()))?;
    if let Some(missing) = &suggestion.missing {
        bail!(
            "{} ({}) cannot be crawled yet: it needs {missing}",
            entry.key(),
            entry.company
        );
    }
    Ok(suggestion)
}

/// Appends the ready `suggestions` to the sources file at `path` (created when missing)
/// after validating it, never repeating a source it has; returns the names added. The file
/// is replaced in one rename, so a reader never sees half of it.
pub fn append_to_file(path: &Path, suggestions: &[Suggestion]) -> anyhow::Result<Vec<String>> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let appended =
        jobfeed::sources_file::append(&existing, &path.display().to_string(), suggestions)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (name, why) in &appended.skipped {
        eprintln!("skipped {name}: {why}");
    }
    if !appended.added.is_empty() {
        let temporary = path.with_extension("toml.jobfeed-tmp");
        std::fs::write(&temporary, &appended.text)
            .with_context(|| format!("writing {}", temporary.display()))?;
        std::fs::rename(&temporary, path)
            .with_context(|| format!("replacing {}", path.display()))?;
        for name in &appended.added {
            eprintln!("added source `{name}` to {}", path.display());
        }
    }
    Ok(appended.added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jobfeed::crawl::paging::Pager;

    #[test]
    fn the_embedded_catalog_has_every_roster_and_each_ready_entry_is_a_valid_source() {
        let catalog = embedded().unwrap();
        assert_eq!(catalog.entries.len(), 41_189);
        assert!(!catalog.version.is_empty());
        assert!(catalog.attribution.contains("MIT"));
        assert!(LICENSE.starts_with("MIT License"));
        let mut ready = Vec::new();
        for provider in Provider::ALL {
            let entries: Vec<&Entry> = catalog
                .entries
                .iter()
                .filter(|e| e.provider == provider)
                .collect();
            assert!(!entries.is_empty(), "{provider}");
            for entry in entries {
                let suggestion = entry.suggestion().unwrap_or_else(|| panic!("{entry:?}"));
                assert_eq!(suggestion.kind, provider.kind());
                if suggestion.is_ready() {
                    ready.push(suggestion);
                } else {
                    assert!(matches!(
                        provider,
                        Provider::Hrmos | Provider::Join | Provider::Engage
                    ));
                }
            }
        }
        // Every ready entry in one file: valid, names made unique, and each kind's pager
        // derives its requests from the URL (only single API documents are fetched as given).
        let appended = jobfeed::sources_file::append("", "catalog", &ready).unwrap();
        let config = config::parse(&appended.text, "catalog").unwrap();
        assert!(config.sources.len() > 36_000, "{}", config.sources.len());
        for source in &config.sources {
            let (pager, first) = Pager::start(source.kind, &source.url);
            let derived = !pager.is_single() || first.url != source.url;
            let as_given = matches!(
                source.kind,
                SourceKind::Greenhouse
                    | SourceKind::Ashby
                    | SourceKind::Recruitee
                    | SourceKind::Rippling
                    | SourceKind::Html
            );
            assert_eq!(derived, !as_given, "{} {}", source.kind, source.url);
        }
    }

    #[test]
    fn a_kind_option_names_a_roster_or_every_roster_of_a_kind() {
        assert_eq!(providers(Some("Workday")).unwrap(), [Provider::Workday]);
        assert_eq!(
            providers(Some("html")).unwrap(),
            [
                Provider::Engage,
                Provider::Hrmos,
                Provider::Icims,
                Provider::Join
            ]
        );
        assert!(providers(Some("rss")).is_err());
        assert!(providers(None).unwrap().is_empty());
    }

    #[test]
    fn a_rebased_url_keeps_its_path_and_query() {
        let url = Url::parse("https://api.lever.co/v0/postings/x?mode=json").unwrap();
        let base = Url::parse("http://127.0.0.1:4000/").unwrap();
        assert_eq!(
            rebase(&url, &base).as_str(),
            "http://127.0.0.1:4000/v0/postings/x?mode=json"
        );
    }
}
