//! Running crawls: which sources are due, crawling one and publishing what it found, and the
//! one-machine pipeline (`jobfeed crawl` / `jobfeed serve`). The Lambda functions call the
//! same functions with SQS and DynamoDB adapters.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use tracing::{Instrument, info, info_span, warn};

use super::fetch::Fetcher;
use super::source::{CrawlOutput, CrawlReport, crawl_source};
use crate::config::{Config, SourceConfig};
use crate::ingest::IngestConfig;
use crate::model::JobPosting;
use crate::queue::{
    CrawlTask, Handled, IngestMessage, Queue, QueueError, handle_ingest_message, memory,
};
use crate::store::{CrawlOutcome, PostingStore, SourceState, SourceStateStore, StoreError};

/// Longest wait between retries of a failing source.
const MAX_BACKOFF: Duration = Duration::days(1);

/// Largest ingest message, in bytes of JSON (SQS allows 256 KiB; leave room for attributes).
pub const MAX_MESSAGE_BYTES: usize = 240 * 1024;

/// Run-loop failures (the crawl's own failures are recorded in the source state instead).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Reading or writing source state failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Publishing messages failed.
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// A crawl task names no configured source.
    #[error("unknown source `{0}`")]
    UnknownSource(String),
}

impl RunError {
    /// Whether retrying (e.g. redelivering the crawl task) can help.
    pub fn is_retryable(&self) -> bool {
        match self {
            RunError::Store(e) => e.is_retryable(),
            RunError::Queue(e) => e.is_retryable(),
            RunError::UnknownSource(_) => false,
        }
    }
}

/// What one source's run did.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRunReport {
    /// The source.
    pub source: String,
    /// How the crawl ended.
    pub outcome: CrawlOutcome,
    /// The crawl's own counts (pages, 304s, postings found, skipped, errors, duration).
    pub crawl: CrawlReport,
    /// Ingest messages published.
    pub messages: usize,
    /// The crawl's error, when it failed.
    pub error: Option<String>,
    /// When it is due next.
    pub next_due_at: DateTime<Utc>,
}

/// The sources due at `now`: never crawled, or past their `next_due_at`.
pub fn due_sources<'a>(
    config: &'a Config,
    states: &[SourceState],
    now: DateTime<Utc>,
) -> Vec<&'a SourceConfig> {
    let by_name: HashMap<&str, &SourceState> =
        states.iter().map(|s| (s.name.as_str(), s)).collect();
    config
        .sources
        .iter()
        .filter(|source| {
            by_name
                .get(source.name.as_str())
                .and_then(|state| state.next_due_at)
                .is_none_or(|due| due <= now)
        })
        .collect()
}

/// When a source is next due: its schedule after a success, pushed out exponentially (capped
/// at a day) after consecutive failures, so a broken source is retried ever less often.
pub fn next_due(
    source: &SourceConfig,
    consecutive_failures: u32,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let base = source.schedule.0;
    if consecutive_failures == 0 {
        return now + base;
    }
    let factor = 1_i32 << consecutive_failures.min(10);
    now + (base * factor).min(MAX_BACKOFF.max(base))
}

/// Enqueues one crawl task per due source (the scheduler's whole job). Returns the names.
pub async fn schedule_due(
    config: &Config,
    states: &dyn SourceStateStore,
    tasks: &dyn Queue<CrawlTask>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, RunError> {
    let known = states.source_states().await?;
    let due: Vec<CrawlTask> = due_sources(config, &known, now)
        .into_iter()
        .map(|s| CrawlTask {
            source: s.name.clone(),
            due_at: now,
        })
        .collect();
    let names = due.iter().map(|t| t.source.clone()).collect();
    if !due.is_empty() {
        tasks.send(due).await?;
    }
    Ok(names)
}

/// Crawls one source, publishes its postings (in messages under `MAX_MESSAGE_BYTES`) and, for
/// a complete crawl, the crawl-complete marker; then records the outcome in its state.
///
/// A failing source is recorded (error, consecutive failures, backed-off next due time) and
/// reported, not returned as an error: one broken source never fails the others. Errors are
/// only for the state store or the queue.
pub async fn crawl_and_publish(
    fetcher: &dyn Fetcher,
    queue: &dyn Queue<IngestMessage>,
    states: &dyn SourceStateStore,
    source: &SourceConfig,
    now: DateTime<Utc>,
) -> Result<SourceRunReport, RunError> {
    let mut state = states
        .source_state(&source.name)
        .await?
        .unwrap_or_else(|| SourceState {
            name: source.name.clone(),
            ..SourceState::default()
        });
    state.last_started_at = Some(now);
    let started = std::time::Instant::now();
    let result = crawl_source(fetcher, source, &state.validators, now).await;
    let mut messages = 0;
    let (outcome, crawl, error) = match result {
        Ok(mut output) => {
            let published = publish(queue, source, &output, now).await?;
            messages = published.messages;
            if let Some(reason) = published.marker_left_out {
                // Without its marker the crawl closes nothing: for the record it is partial.
                output.complete = false;
                output.report.errors.push(reason);
            }
            let outcome = if output.unchanged {
                CrawlOutcome::Unchanged
            } else if output.complete {
                CrawlOutcome::Success
            } else {
                CrawlOutcome::Partial
            };
            if !output.unchanged {
                state.validators = output.validators;
            }
            (outcome, output.report, None)
        }
        Err(error) => (
            CrawlOutcome::Failed,
            CrawlReport::default(),
            Some(error.to_string()),
        ),
    };
    state.consecutive_failures = match outcome {
        CrawlOutcome::Failed => state.consecutive_failures.saturating_add(1),
        _ => 0,
    };
    let finished = now + Duration::from_std(started.elapsed()).unwrap_or_default();
    state.last_finished_at = Some(finished);
    state.outcome = Some(outcome);
    state.last_error = error.clone().or_else(|| crawl.errors.first().cloned());
    state.next_due_at = Some(next_due(source, state.consecutive_failures, now));
    // Ingest keeps the counts; re-read so this write does not undo its updates.
    if let Some(latest) = states.source_state(&source.name).await? {
        state.counts = latest.counts;
        state.warning = latest.warning;
    }
    states.put_source_state(&state).await?;
    Ok(SourceRunReport {
        source: source.name.clone(),
        outcome,
        crawl,
        messages,
        error,
        next_due_at: state.next_due_at.unwrap_or(now),
    })
}

/// What `publish` sent.
struct Published {
    /// Messages sent.
    messages: usize,
    /// Why a complete crawl's marker did not go out.
    marker_left_out: Option<String>,
}

async fn publish(
    queue: &dyn Queue<IngestMessage>,
    source: &SourceConfig,
    output: &CrawlOutput,
    now: DateTime<Utc>,
) -> Result<Published, QueueError> {
    let mut published = Published {
        messages: 0,
        marker_left_out: None,
    };
    if output.unchanged {
        return Ok(published);
    }
    let limit = queue.max_message_bytes();
    let mut messages = IngestMessage::extracted_batches(
        &source.name,
        source.company.as_deref(),
        output.postings.clone(),
        limit.map_or(MAX_MESSAGE_BYTES, |limit| limit.min(MAX_MESSAGE_BYTES)),
    );
    if output.complete {
        let marker = IngestMessage::CrawlComplete {
            source: source.name.clone(),
            started_at: now,
            ids: output.postings.iter().map(|p| p.id.clone()).collect(),
        };
        // The marker lists every id at once and cannot be split. Over the queue's limit
        // (about 7,000 postings on SQS) the postings still go out, but this run closes
        // nothing, as after a partial crawl, and says why.
        let size = limit.map(|_| serde_json::to_vec(&marker).map_or(usize::MAX, |body| body.len()));
        match (limit, size) {
            (Some(limit), Some(size)) if size > limit => {
                published.marker_left_out = Some(format!(
                    "the crawl-complete marker for {} postings is {size} bytes, over the \
                     queue's {limit}-byte limit: postings missing from this crawl were not \
                     closed",
                    output.postings.len()
                ));
            }
            _ => messages.push(marker),
        }
    }
    published.messages = messages.len();
    queue.send(messages).await?;
    Ok(published)
}

/// Records what ingest did in the source's state counts (new/changed accumulate over a run's
/// batches; the crawl-complete marker sets open/closed and any partial-crawl warning).
/// Counters only: a lost race between two writers costs a count, never a posting.
pub async fn record_ingest(
    states: &dyn SourceStateStore,
    source: &str,
    handled: &Handled,
) -> Result<(), StoreError> {
    let mut state = states
        .source_state(source)
        .await?
        .unwrap_or_else(|| SourceState {
            name: source.to_owned(),
            ..SourceState::default()
        });
    match handled {
        Handled::Postings(report) => {
            state.counts.new += report.new;
            state.counts.changed += report.changed + report.reopened;
        }
        Handled::CrawlComplete(report) => {
            state.counts.open = report.open;
            state.counts.closed = report.closed;
            state.warning.clone_from(&report.warning);
        }
    }
    states.put_source_state(&state).await
}

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

/// The one-machine pipeline: the fetcher, the stores and the ingest settings, wired once.
#[derive(Clone)]
pub struct Pipeline {
    /// Fetches pages (per-host politeness lives here).
    pub fetcher: Arc<dyn Fetcher>,
    /// Where postings go.
    pub postings: Arc<dyn PostingStore>,
    /// Where source states go.
    pub states: Arc<dyn SourceStateStore>,
    /// The ingest rules' settings.
    pub ingest: IngestConfig,
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
        let Pipeline {
            fetcher,
            postings,
            states,
            ingest,
            progress,
        } = self.clone();
        let ingest_config = ingest;
        let selected: Vec<SourceConfig> = match &selection {
            Selection::Due => {
                let known = states.source_states().await?;
                due_sources(config, &known, now)
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
        progress.start(selected.len());

        let (queue, mut receiver) = memory::channel::<IngestMessage>();
        let consumer = {
            let postings = Arc::clone(&postings);
            let states = Arc::clone(&states);
            tokio::spawn(async move {
                let mut results: HashMap<String, (Vec<Handled>, Vec<String>)> = HashMap::new();
                while let Some(message) = receiver.recv().await {
                    let source = message.source().to_owned();
                    let entry = results.entry(source.clone()).or_default();
                    match handle_ingest_message(
                        postings.as_ref(),
                        message,
                        Utc::now(),
                        &ingest_config,
                    )
                    .await
                    {
                        Ok(handled) => {
                            if let Err(e) = record_ingest(states.as_ref(), &source, &handled).await
                            {
                                warn!(source, error = %e, "could not record ingest counts");
                            }
                            entry.0.push(handled);
                        }
                        Err(e) => entry.1.push(e.to_string()),
                    }
                }
                results
            })
        };

        let mut crawls = tokio::task::JoinSet::new();
        for source in selected {
            let fetcher = Arc::clone(&fetcher);
            let states = Arc::clone(&states);
            let queue = queue.clone();
            let progress = Arc::clone(&progress);
            let span = info_span!("crawl", source = %source.name);
            crawls.spawn(
                async move {
                    let report =
                        crawl_and_publish(fetcher.as_ref(), &queue, states.as_ref(), &source, now)
                            .await;
                    if let Ok(report) = &report {
                        info!(outcome = ?report.outcome, pages = report.crawl.pages_fetched,
                              postings = report.crawl.postings_found, error = report.error.as_deref(),
                              "crawled");
                        progress.source_done(report);
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
                        Handled::CrawlComplete(r) => report.closed += r.closed,
                    }
                }
                report
            })
            .collect())
    }
}

/// The postings a crawl would store, without storing them (`jobfeed crawl --dry-run`).
pub async fn dry_run(
    fetcher: &dyn Fetcher,
    source: &SourceConfig,
    now: DateTime<Utc>,
) -> Result<(Vec<JobPosting>, CrawlReport), super::source::CrawlError> {
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
