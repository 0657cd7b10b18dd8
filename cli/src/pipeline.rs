//! `jobfeed crawl`, `jobfeed serve` and `jobfeed sources`: the one-machine pipeline on the
//! embedded SQLite store.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::Utc;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use jobfeed::api::{self, ApiConfig, ApiState};
use jobfeed::app::crawl::{CrawlSettings, SourceRunReport};
use jobfeed::app::ingest::IngestConfig;
use jobfeed::app::pipeline::{self, Pipeline, PipelineReport, Progress, Selection};
use jobfeed::config::{self, Config};
use jobfeed::crawl::fetch::Fetcher;
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::crawl::source::InvocationLimits;
use jobfeed::store::sqlite::SqliteStore;
use jobfeed::store::{PostingReader, SourceStateReader, Store};
use tokio::sync::watch;

/// Where the configuration and the database live.
#[derive(Debug, Args)]
pub struct Paths {
    /// The sources configuration.
    #[arg(long, default_value = "sources.toml", value_name = "FILE")]
    config: PathBuf,
    /// The SQLite database file (created when missing).
    #[arg(long, default_value = "jobfeed.db", value_name = "FILE")]
    db: PathBuf,
}

/// Arguments of `jobfeed crawl`.
#[derive(Debug, Args)]
pub struct CrawlArgs {
    #[command(flatten)]
    paths: Paths,
    /// Crawl this source, due or not (repeatable). Default: every due source.
    #[arg(long = "source", value_name = "NAME")]
    sources: Vec<String>,
    /// Print the normalized postings as JSON Lines instead of storing them.
    #[arg(long)]
    dry_run: bool,
}

/// Arguments of `jobfeed serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    paths: Paths,
    /// Address to serve the API on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// How often to look for due sources, in seconds.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    check_every: u64,
    /// Serve only: never crawl (e.g. while another process runs `jobfeed crawl`).
    #[arg(long)]
    no_crawl: bool,
    /// The API's public address, for the links in feeds (e.g. behind a proxy).
    #[arg(long, value_name = "URL")]
    public_url: Option<url::Url>,
    /// Host names whose requests may build absolute feed links from their `Host` header
    /// (without `--public-url`); any other host gets links relative to the feed.
    #[arg(long = "link-host", value_name = "HOST", default_values_t = ["localhost".to_owned(), "127.0.0.1".to_owned(), "[::1]".to_owned()])]
    link_hosts: Vec<String>,
}

/// Arguments of `jobfeed sources`.
#[derive(Debug, Args)]
pub struct SourcesArgs {
    #[command(flatten)]
    paths: Paths,
    #[command(subcommand)]
    action: Option<SourcesAction>,
}

/// What `jobfeed sources` does besides listing.
#[derive(Debug, clap::Subcommand)]
enum SourcesAction {
    /// Append a catalog entry's `[[source]]` to the sources file (validated, never twice).
    Add(crate::catalog::AddArgs),
}

fn load_config(path: &Path) -> anyhow::Result<Config> {
    // Every problem, each with its line, then a non-zero exit before anything is fetched.
    config::load(path).map_err(|e| anyhow::anyhow!("{e}"))
}

fn open_store(path: &Path) -> anyhow::Result<Arc<SqliteStore>> {
    let store = SqliteStore::open(path)
        .with_context(|| format!("opening the database {}", path.display()))?;
    Ok(Arc::new(store))
}

/// The crawl settings of `config` (its politeness; the rest as default).
fn crawl_settings(config: &Config) -> CrawlSettings {
    CrawlSettings {
        min_delay: Duration::from_millis(config.crawl.min_delay_ms),
        ..CrawlSettings::default()
    }
}

/// How a source's run ended, in a word.
fn outcome_word(report: &SourceRunReport) -> String {
    match (&report.outcome, report.continued, &report.skipped) {
        (Some(outcome), _, _) => format!("{outcome:?}").to_lowercase(),
        (None, true, _) => "continued".to_owned(),
        (None, false, Some(_)) => "skipped".to_owned(),
        (None, false, None) => "-".to_owned(),
    }
}

fn fetcher(config: &Config) -> anyhow::Result<Arc<dyn Fetcher>> {
    let fetcher = HttpFetcher::new(jobfeed::crawl::fetch::FetchConfig::from(&config.crawl))
        .context("building the HTTP client")?;
    Ok(Arc::new(fetcher))
}

/// Progress on a terminal: a bar; otherwise one log line per source.
struct CrawlProgress {
    bar: Option<ProgressBar>,
}

impl CrawlProgress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{spinner} crawling [{bar:30}] {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        CrawlProgress { bar }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for CrawlProgress {
    fn start(&self, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
        }
    }

    fn source_done(&self, report: &SourceRunReport) {
        match &self.bar {
            Some(bar) => {
                bar.set_message(report.source.clone());
                bar.inc(1);
            }
            None => eprintln!(
                "crawled {}: {}, {} postings{}",
                report.source,
                outcome_word(report),
                report.crawl.postings_found,
                report
                    .error
                    .as_deref()
                    .map(|e| format!(", error: {e}"))
                    .unwrap_or_default()
            ),
        }
    }
}

/// Runs `jobfeed crawl`.
pub async fn crawl(args: CrawlArgs) -> anyhow::Result<()> {
    let config = load_config(&args.paths.config)?;
    let fetcher = fetcher(&config)?;
    let now = Utc::now();
    if args.dry_run {
        return dry_run(&config, &args.sources, fetcher.as_ref()).await;
    }
    let store = open_store(&args.paths.db)?;
    let selection = if args.sources.is_empty() {
        Selection::Due
    } else {
        Selection::Named(args.sources.clone())
    };
    let progress = Arc::new(CrawlProgress::new());
    let pipeline = Pipeline {
        fetcher,
        store: store as Arc<dyn Store>,
        ingest: IngestConfig::default(),
        crawl: crawl_settings(&config),
        limits: InvocationLimits::NONE,
        progress: progress.clone(),
    };
    let reports = pipeline.run(&config, selection, now).await?;
    progress.finish();
    print_reports(&reports)?;
    Ok(())
}

async fn dry_run(config: &Config, names: &[String], fetcher: &dyn Fetcher) -> anyhow::Result<()> {
    let selected: Vec<_> = if names.is_empty() {
        config.sources.iter().collect()
    } else {
        let mut picked = Vec::new();
        for name in names {
            match config.sources.iter().find(|s| &s.name == name) {
                Some(source) => picked.push(source),
                None => bail!("unknown source `{name}`"),
            }
        }
        picked
    };
    let mut failed = false;
    for source in selected {
        match pipeline::dry_run(fetcher, source, Utc::now()).await {
            Ok((postings, report)) => {
                let mut out = std::io::stdout().lock();
                for posting in &postings {
                    serde_json::to_writer(&mut out, posting)?;
                    out.write_all(b"\n")?;
                }
                eprintln!(
                    "{}: {} postings, {} skipped, {} pages{}",
                    source.name,
                    postings.len(),
                    report.skipped_records,
                    report.pages_fetched,
                    if report.errors.is_empty() {
                        String::new()
                    } else {
                        format!(", errors: {}", report.errors.join("; "))
                    }
                );
            }
            Err(error) => {
                failed = true;
                eprintln!("{}: error: {error}", source.name);
            }
        }
    }
    if failed {
        bail!("some sources failed");
    }
    Ok(())
}

fn print_reports(reports: &[PipelineReport]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if reports.is_empty() {
        return writeln!(
            out,
            "no source is due (use --source NAME to crawl one anyway)"
        );
    }
    writeln!(
        out,
        "{:<24} {:<10} {:>6} {:>5} {:>8} {:>5} {:>5} {:>7} {:>6} {:>7} {:>8}  error",
        "source",
        "outcome",
        "pages",
        "304s",
        "postings",
        "sent",
        "new",
        "changed",
        "closed",
        "skipped",
        "ms"
    )?;
    for r in reports {
        let error = r
            .run
            .error
            .clone()
            .or_else(|| r.run.crawl.errors.first().cloned())
            .or_else(|| r.ingest_errors.first().cloned())
            .unwrap_or_default();
        writeln!(
            out,
            "{:<24} {:<10} {:>6} {:>5} {:>8} {:>5} {:>5} {:>7} {:>6} {:>7} {:>8}  {}",
            r.run.source,
            outcome_word(&r.run),
            r.run.crawl.pages_fetched,
            r.run.crawl.not_modified,
            r.run.crawl.postings_found,
            r.run.crawl.postings_sent,
            r.new,
            r.changed,
            r.closed,
            r.run.crawl.skipped_records,
            r.run.crawl.duration_ms,
            error
        )?;
    }
    Ok(())
}

/// Runs `jobfeed serve`: the read API plus an in-process schedule, until Ctrl-C. On Ctrl-C
/// the server stops accepting and drains, and a crawl in flight finishes its batch first.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = Arc::new(load_config(&args.paths.config)?);
    let store = open_store(&args.paths.db)?;
    let state = ApiState {
        postings: store.clone() as Arc<dyn PostingReader>,
        sources: store.clone() as Arc<dyn SourceStateReader>,
        config: ApiConfig {
            public_base_url: args.public_url.clone(),
            link_hosts: args.link_hosts.clone(),
            ..ApiConfig::default()
        },
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    eprintln!(
        "jobfeed: serving http://{} ({} sources)",
        listener.local_addr()?,
        config.sources.len()
    );

    let (stop_tx, stop_rx) = watch::channel(false);
    let scheduler = if args.no_crawl {
        None
    } else {
        let pipeline = Pipeline {
            fetcher: fetcher(&config)?,
            store: store.clone() as Arc<dyn Store>,
            ingest: IngestConfig::default(),
            crawl: crawl_settings(&config),
            limits: InvocationLimits::NONE,
            progress: Arc::new(CrawlProgress { bar: None }),
        };
        let config = Arc::clone(&config);
        let mut stop = stop_rx.clone();
        let every = Duration::from_secs(args.check_every.max(1));
        Some(tokio::spawn(async move {
            loop {
                let reports = pipeline.run(&config, Selection::Due, Utc::now()).await;
                match reports {
                    Ok(reports) if !reports.is_empty() => {
                        let _ = print_reports(&reports);
                    }
                    Ok(_) => {}
                    Err(error) => eprintln!("jobfeed: crawl run failed: {error}"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = stop.changed() => break,
                }
            }
        }))
    };

    axum::serve(listener, api::router(state))
        .with_graceful_shutdown(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("jobfeed: shutting down (finishing the crawl in flight)");
            }
        })
        .await
        .context("serving the API")?;
    // The scheduler sees the stop between runs, so a crawl in flight is ingested whole.
    let _ = stop_tx.send(true);
    if let Some(scheduler) = scheduler {
        let _ = scheduler.await;
    }
    Ok(())
}

/// Runs `jobfeed sources`: every configured source with its state.
pub async fn sources(args: SourcesArgs) -> anyhow::Result<()> {
    if let Some(SourcesAction::Add(add)) = &args.action {
        return crate::catalog::add(add);
    }
    let config = load_config(&args.paths.config)?;
    let store = open_store(&args.paths.db)?;
    let states = store.source_states().await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<24} {:<16} {:<20} {:<10} {:<20} {:>5}  last error",
        "source", "kind", "last run", "outcome", "next due", "open"
    )?;
    let time = |t: Option<chrono::DateTime<Utc>>| {
        t.map_or_else(
            || "-".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
        )
    };
    for source in &config.sources {
        let state = states.iter().find(|s| s.name == source.name);
        writeln!(
            out,
            "{:<24} {:<16} {:<20} {:<10} {:<20} {:>5}  {}",
            source.name,
            source.kind.as_str(),
            time(state.and_then(|s| s.last_finished_at)),
            match state {
                Some(s) if s.running.is_some() => "running".to_owned(),
                _ => state
                    .and_then(|s| s.outcome)
                    .map_or_else(|| "never".to_owned(), |o| format!("{o:?}").to_lowercase()),
            },
            state
                .and_then(|s| s.next_due_at)
                .map_or_else(|| "now".to_owned(), |t| time(Some(t))),
            state.map_or(0, |s| s.counts.open),
            state.and_then(|s| s.last_error.clone()).unwrap_or_default()
        )?;
    }
    Ok(())
}
