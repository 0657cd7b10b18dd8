//! The one-machine pipeline (`jobfeed crawl` / `jobfeed serve`): the crawl and ingest use
//! cases in one process, an in-process queue between them, and a crawl's continuations
//! (when its invocations are limited) run one after the other.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tracing::{Instrument, info, info_span, warn};

use super::RunError;
use super::crawl::{CrawlPorts, CrawlSettings, SourceRunReport, run_task};
use super::ingest::{Handled, IngestConfig, IngestPorts, handle_message};
use super::messages::{CrawlTask, IngestMessage};
use super::schedule::due_sources;
use crate::config::{Config, SourceConfig};
use crate::crawl::fetch::Fetcher;
use crate::crawl::source::{CrawlError, CrawlReport, InvocationLimits, crawl_source};
use crate::model::JobPosting;
use crate::queue::memory;
use crate::store::Store;

/// Ingest messages the in-process queue holds before a crawl waits for ingest to catch up:
/// at most about 4 MB of postings in flight, whatever the source's size.
const QUEUE_CAPACITY: usize = 16;

/// Which sources a one-machine run crawls.
#[derive(Debug, Clone)]
pub enum Selection {
    /// The due ones.
    Due,
    /// These, due or not.
    Named(Vec<String>),
}

/// A source's run with what ingest did with it (one-machine pipeline).
#[derive(Debug, Clone, Serialize)]
pub struct PipelineReport {
    /// The crawl side.
    pub run: SourceRunReport,
    /// Postings inserted.
    pub new: u64,
    /// Postings updated (incl. reopened).
    pub changed: u64,
    /// Postings closed.
    pub closed: u64,
    /// Posting writes avoided because nothing changed.
    pub unchanged: u64,
    /// Ingest errors for this source.
    pub ingest_errors: Vec<String>,
}

/// Progress callbacks of a one-machine run (a progress bar on a terminal, log lines
/// otherwise).
pub trait Progress: Send + Sync {
    /// The run will crawl `total` sources.
    fn start(&self, total: usize);
    /// A source finished crawling.
    fn source_done(&self, report: &SourceRunReport);
}

/// The one-machine pipeline: the fetcher, the store and the settings, wired once.
#[derive(Clone)]
pub struct Pipeline {
    /// Fetches pages (per-host politeness lives here).
    pub fetcher: Arc<dyn Fetcher>,
    /// Where postings, source states and crawl progress go.
    pub store: Arc<dyn Store>,
    /// The ingest rules' settings.
    pub ingest: IngestConfig,
    /// How crawls go on, fail and close.
    pub crawl: CrawlSettings,
    /// The limits of each invocation of a crawl (none on one machine: a crawl runs to its
    /// end; tests and benchmarks set some to run a crawl as Lambda does, continuation
    /// after continuation).
    pub limits: InvocationLimits,
    /// Progress callbacks.
    pub progress: Arc<dyn Progress>,
}

impl Pipeline {
    /// Crawls the selected sources (different hosts in parallel), passes their messages
    /// through an in-process queue to the store, and reports per source once everything is
    /// ingested.
    pub async fn run(
        &self,
        config: &Config,
        selection: Selection,
        now: DateTime<Utc>,
    ) -> Result<Vec<PipelineReport>, RunError> {
        let selected: Vec<SourceConfig> = match &selection {
            Selection::Due => {
                let known = self.store.source_states().await?;
                due_sources(config, &known, self.crawl.stale_after, now)
                    .into_iter()
                    .cloned()
                    .collect()
            }
            Selection::Named(names) => {
                let mut picked = Vec::new();
                for name in names {
                    let source = config
                        .sources
                        .iter()
                        .find(|s| &s.name == name)
                        .ok_or_else(|| RunError::UnknownSource(name.clone()))?;
                    picked.push(source.clone());
                }
                picked
            }
        };
        self.progress.start(selected.len());

        let (queue, mut receiver) = memory::channel::<IngestMessage>(QUEUE_CAPACITY);
        // One clock for the crawls and ingest: `now`, moved on as the run goes.
        let clock = std::time::Instant::now();
        let consumer = {
            let store = Arc::clone(&self.store);
            let config = self.ingest.clone();
            tokio::spawn(async move {
                let mut results: HashMap<String, (Vec<Handled>, Vec<String>)> = HashMap::new();
                while let Some(message) = receiver.recv().await {
                    let source = message.source().to_owned();
                    let entry = results.entry(source).or_default();
                    let ports = IngestPorts {
                        postings: store.as_ref(),
                        states: store.as_ref(),
                        counts: store.as_ref(),
                    };
                    let at = now + chrono::Duration::from_std(clock.elapsed()).unwrap_or_default();
                    match handle_message(ports, message, at, &config).await {
                        Ok(handled) => entry.0.push(handled),
                        Err(e) => entry.1.push(e.to_string()),
                    }
                }
                results
            })
        };

        let mut crawls = tokio::task::JoinSet::new();
        for source in selected {
            let pipeline = self.clone();
            let queue = queue.clone();
            let span = info_span!("crawl", source = %source.name);
            crawls.spawn(
                async move {
                    let report = pipeline.crawl_to_end(&queue, &source, now).await;
                    if let Ok(report) = &report {
                        info!(outcome = ?report.outcome, pages = report.crawl.pages_fetched,
                              postings = report.crawl.postings_found,
                              invocations = report.invocations,
                              error = report.error.as_deref(), "crawled");
                        pipeline.progress.source_done(report);
                    }
                    report
                }
                .instrument(span),
            );
        }
        drop(queue);
        let mut runs = Vec::new();
        let mut first_error = None;
        while let Some(joined) = crawls.join_next().await {
            match joined {
                Ok(Ok(report)) => runs.push(report),
                Ok(Err(error)) => {
                    first_error.get_or_insert(error);
                }
                // A panicking crawl task is a bug; keep the others' results.
                Err(join_error) => warn!(error = %join_error, "a crawl task panicked"),
            }
        }
        let mut ingested = consumer.await.unwrap_or_default();
        if let Some(error) = first_error {
            return Err(error);
        }
        runs.sort_by(|a, b| a.source.cmp(&b.source));
        Ok(runs
            .into_iter()
            .map(|run| {
                let (handled, ingest_errors) = ingested.remove(&run.source).unwrap_or_default();
                let mut report = PipelineReport {
                    run,
                    new: 0,
                    changed: 0,
                    closed: 0,
                    unchanged: 0,
                    ingest_errors,
                };
                for h in handled {
                    match h {
                        Handled::Postings(r) => {
                            report.new += r.new;
                            report.changed += r.changed + r.reopened;
                            report.unchanged += r.unchanged;
                            report.closed += r.expired;
                        }
                        Handled::Closed(r) => report.closed += r.closed,
                    }
                }
                report
            })
            .collect())
    }

    /// Runs a crawl of `source` invocation after invocation (one, without limits) until it
    /// ends, as the crawler function would over its continuation tasks.
    async fn crawl_to_end(
        &self,
        queue: &memory::InProcessQueue<IngestMessage>,
        source: &SourceConfig,
        now: DateTime<Utc>,
    ) -> Result<SourceRunReport, RunError> {
        let tasks = memory::Collector::default();
        let ports = CrawlPorts {
            fetcher: self.fetcher.as_ref(),
            postings: queue,
            tasks: &tasks,
            states: self.store.as_ref(),
            checkpoints: self.store.as_ref(),
            index: self.store.as_ref(),
        };
        let clock = std::time::Instant::now();
        let mut task = CrawlTask::scheduled(source.name.clone(), now);
        let mut messages = 0;
        loop {
            let at = now + chrono::Duration::from_std(clock.elapsed()).unwrap_or_default();
            let limits = self.limits.start();
            let mut report = run_task(ports, &self.crawl, source, &task, limits, at).await?;
            messages += report.messages;
            match tasks.take().pop() {
                Some(next) if report.continued => task = next,
                _ => {
                    report.messages = messages;
                    return Ok(report);
                }
            }
        }
    }
}

/// The postings a crawl would store, without storing them (`jobfeed crawl --dry-run`).
pub async fn dry_run(
    fetcher: &dyn Fetcher,
    source: &SourceConfig,
    now: DateTime<Utc>,
) -> Result<(Vec<JobPosting>, CrawlReport), CrawlError> {
    let output = crawl_source(fetcher, source, &Default::default(), now).await?;
    // Normalized here as ingest would.
    let postings: Vec<JobPosting> = output
        .postings
        .into_iter()
        .filter_map(|posting| {
            posting
                .normalize(&source.name, source.company.as_deref())
                .ok()
        })
        .collect();
    Ok((postings, output.report))
}
