//! The crawl use case: one crawl task, one invocation of a crawl that may span many.
//!
//! A crawl starts by recording itself as running in the source's state (before any fetch,
//! so a crawl killed mid-way is seen as stale, then resumed or restarted), reads what the
//! store holds of the source (`Known`: keys, never postings), and steps through the source
//! ([`CrawlJob`]), sending what it finds to ingest in size-bounded messages as it goes.
//! Before the invocation's limits (on Lambda, its deadline minus a margin) it stops taking
//! requests, saves its progress (`CheckpointStore`) and queues a continuation task for the
//! same source, which the next invocation takes up. A complete crawl then walks the
//! source's index once more and sends, in chunked `Close` messages stamped with its start,
//! the postings it no longer lists; ingest applies them unless a newer crawl has started
//! since. Nothing holds every id of a source in one message or item.
//!
//! Steps: every invocation of one crawl carries the next step number; a task whose step is
//! not the saved one (a duplicate, or one overtaken by a take-over) is dropped, so one
//! crawl never runs twice at once. A crawl that makes no progress in
//! `CrawlSettings::max_idle_invocations` invocations in a row fails with backoff.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::RunError;
use super::ingest::{IngestConfig, partial_crawl, partial_crawl_warning};
use super::messages::{CrawlTask, IngestMessage, MAX_MESSAGE_BYTES, Resume, json_len};
use super::schedule::next_due;
use crate::config::SourceConfig;
use crate::crawl::fetch::Fetcher;
use crate::crawl::known::{Known, Refresh, Seen};
use crate::crawl::source::{CrawlError, CrawlJob, CrawlProgress, CrawlReport, Limits, Step};
use crate::parse::ExtractedPosting;
use crate::queue::Queue;
use crate::store::{
    CheckpointStore, CrawlOutcome, INDEX_PAGE, RunningCrawl, SourceIndex, SourceState,
    SourceStateStore, StoreError,
};

/// The ports a crawl works on.
#[derive(Clone, Copy)]
pub struct CrawlPorts<'a> {
    /// Fetches pages (per-host politeness and robots.txt live here).
    pub fetcher: &'a dyn Fetcher,
    /// Where postings and close messages go.
    pub postings: &'a dyn Queue<IngestMessage>,
    /// Where a continuation task goes (the crawl queue).
    pub tasks: &'a dyn Queue<CrawlTask>,
    /// Source states.
    pub states: &'a dyn SourceStateStore,
    /// Crawl progress between invocations.
    pub checkpoints: &'a dyn CheckpointStore,
    /// What the store holds of a source.
    pub index: &'a dyn SourceIndex,
}

/// How crawls go on, fail and close.
#[derive(Debug, Clone)]
pub struct CrawlSettings {
    /// The closing rules (partial-crawl guard, duplicate re-check window).
    pub rules: IngestConfig,
    /// A running crawl not heard of for this long is taken over by the next scheduled
    /// task (its invocation died without handing on).
    pub stale_after: Duration,
    /// Invocations in a row without a finished request after which the crawl fails.
    pub max_idle_invocations: u32,
    /// How often a long invocation saves its progress, so a killed one loses little.
    pub save_every: std::time::Duration,
    /// The least time between two requests to one host (`[crawl] min_delay_ms`): a
    /// continuation waits this long after its predecessor's last request.
    pub min_delay: std::time::Duration,
}

impl Default for CrawlSettings {
    fn default() -> Self {
        CrawlSettings {
            rules: IngestConfig::default(),
            stale_after: Duration::hours(1),
            max_idle_invocations: 3,
            save_every: std::time::Duration::from_secs(120),
            min_delay: std::time::Duration::from_secs(1),
        }
    }
}

/// What one crawl task did.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRunReport {
    /// The source.
    pub source: String,
    /// How the crawl ended, when it ended in this invocation.
    pub outcome: Option<CrawlOutcome>,
    /// The crawl goes on: a continuation task was queued.
    pub continued: bool,
    /// Why the task was dropped without crawling (a duplicate or an overtaken task).
    pub skipped: Option<String>,
    /// The crawl's own counts so far, over all its invocations.
    pub crawl: CrawlReport,
    /// Invocations of this crawl so far, this one included.
    pub invocations: u32,
    /// Ingest messages sent by this invocation.
    pub messages: usize,
    /// Postings the finished crawl sent to be closed.
    pub closed: u64,
    /// The crawl's error, when it failed.
    pub error: Option<String>,
    /// When the source is due next, once the crawl ended.
    pub next_due_at: Option<DateTime<Utc>>,
}

impl SourceRunReport {
    /// A report of a task dropped without crawling, and why.
    pub fn skipped(source: &str, reason: String) -> Self {
        SourceRunReport {
            source: source.to_owned(),
            outcome: None,
            continued: false,
            skipped: Some(reason),
            crawl: CrawlReport::default(),
            invocations: 0,
            messages: 0,
            closed: 0,
            error: None,
            next_due_at: None,
        }
    }
}

/// A crawl's progress as saved between invocations.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Checkpoint {
    /// When the crawl started (its identity).
    started_at: DateTime<Utc>,
    /// The source's configuration the crawl was started with (`config_key`): progress made
    /// under another one (its URL or recipe changed since) is not gone on with.
    #[serde(default)]
    config: u64,
    /// The step the next invocation runs.
    step: u32,
    /// The crawl's number, for the refresh rotation.
    crawl: u64,
    /// Invocations in a row that finished no request.
    idle: u32,
    /// When the last request of the last invocation was made (politeness).
    last_request_at: Option<DateTime<Utc>>,
    /// When the source's previous crawl started: postings first seen since then are the
    /// ones whose duplicates this crawl checks again.
    #[serde(default)]
    previous_started_at: Option<DateTime<Utc>>,
    /// The crawl itself.
    progress: CrawlProgress,
}

impl Checkpoint {
    fn encode(&self) -> Result<Vec<u8>, RunError> {
        serde_json::to_vec(self)
            .map_err(|e| RunError::Store(StoreError::Permanent(format!("checkpoint: {e}"))))
    }
}

/// What to do with a task.
enum Plan {
    /// Start a new crawl.
    Start,
    /// Go on from a saved checkpoint.
    Resume(Box<Checkpoint>),
    /// Drop the task.
    Skip(String),
}

/// Runs one crawl task of `source` within `limits`, at `now`: starts, resumes, or drops it
/// (see the module). A failing source is recorded in its state (error, consecutive
/// failures, backed-off next due time) and reported, not returned as an error: one broken
/// source never fails the others. Errors are only for the store or the queues, and are
/// retryable or not as they are.
pub async fn run_task(
    ports: CrawlPorts<'_>,
    settings: &CrawlSettings,
    source: &SourceConfig,
    task: &CrawlTask,
    mut limits: Limits,
    now: DateTime<Utc>,
) -> Result<SourceRunReport, RunError> {
    if !source.enabled {
        // Disabled after the task was queued (a continuation, or a task already in the
        // queue): dropped; a crawl it leaves running is taken over once re-enabled.
        return Ok(SourceRunReport::skipped(
            &source.name,
            "the source is disabled".into(),
        ));
    }
    let clock = std::time::Instant::now();
    let mut state = ports
        .states
        .source_state(&source.name)
        .await?
        .unwrap_or_else(|| SourceState {
            name: source.name.clone(),
            ..SourceState::default()
        });
    let saved = match &state.running {
        Some(_) => load_checkpoint(ports.checkpoints, &source.name).await?,
        None => None,
    };
    let had_saved = saved.is_some();
    let planned = match plan(&state, saved, task, settings, now) {
        // Progress made under another configuration (the source's URL or recipe changed
        // since): the crawl starts over.
        Plan::Resume(saved) if saved.config != config_key(source) => {
            tracing::info!(source = %source.name, "the source's configuration changed; the crawl starts over");
            Plan::Start
        }
        planned => planned,
    };
    let mut checkpoint = match planned {
        Plan::Skip(reason) => {
            tracing::info!(source = %source.name, %reason, "task dropped");
            return Ok(SourceRunReport::skipped(&source.name, reason));
        }
        Plan::Resume(checkpoint) => {
            // `plan` resumes only a running crawl.
            if let Some(running) = &mut state.running {
                running.updated_at = now;
                running.invocations += 1;
                if task.resume.is_none() {
                    // A take-over: this task's own redelivery is recognised from now on.
                    running.due_at = task.due_at;
                }
            }
            *checkpoint
        }
        Plan::Start => {
            let previous_started_at = state.last_started_at;
            let crawl = state.crawls + 1;
            state.crawls = crawl;
            state.last_started_at = Some(now);
            state.running = Some(RunningCrawl {
                started_at: now,
                updated_at: now,
                invocations: 1,
                listed: 0,
                due_at: task.due_at,
            });
            if state.counts.new != 0 || state.counts.changed != 0 {
                ports.states.reset_ingest_counts(&source.name).await?;
            }
            Checkpoint {
                started_at: now,
                config: config_key(source),
                step: 0,
                crawl,
                idle: 0,
                last_request_at: None,
                previous_started_at,
                progress: CrawlProgress::new(source),
            }
        }
    };
    // A checkpoint is on record (to delete when the crawl ends) if one was read, or this
    // crawl goes on from one.
    let resumed = had_saved || checkpoint.step > 0;
    // Recorded before any fetch: a crawl killed from here on is seen as running, then
    // stale, and is taken over rather than lost.
    ports.states.put_source_state(&state).await?;

    let known = load_known(ports.index, &source.name).await?;
    if let Some(last) = checkpoint.last_request_at {
        polite_wait(last, settings.min_delay, &limits).await;
    }
    let refresh = Refresh::share(checkpoint.crawl, source.refresh_share);
    let progress = std::mem::replace(&mut checkpoint.progress, CrawlProgress::new(source));
    let job = CrawlJob::new(ports.fetcher, source, &known, refresh, now, progress)
        .map(|job| job.with_validators(state.validators.clone()));
    let mut job = match job {
        Ok(job) => job,
        Err(error) => {
            let report = CrawlReport::default();
            return fail(
                ports,
                &mut state,
                source,
                report,
                error.to_string(),
                resumed,
                now,
            )
            .await;
        }
    };
    let finished_before = finished_requests(job.progress().report());
    let mut publisher = Publisher::new(ports.postings, source);
    let mut last_save = std::time::Instant::now();
    let mut saved_now = false;
    let ending = loop {
        let step = job.step(&mut limits).await;
        match step {
            Ok(Step::Found(postings)) => publisher.add(postings).await?,
            Ok(Step::Unchanged) => break Ending::Unchanged,
            Ok(Step::Done) => break Ending::Done,
            Ok(Step::Paused) => break Ending::Paused,
            Err(error) => break Ending::Failed(error),
        }
        if last_save.elapsed() >= settings.save_every {
            // What the checkpoint counts as listed must have gone out first.
            publisher.flush().await?;
            checkpoint.progress = job.progress().clone();
            checkpoint.last_request_at = Some(Utc::now());
            ports
                .checkpoints
                .put_checkpoint(&source.name, &checkpoint.encode()?)
                .await?;
            heartbeat(
                ports.states,
                &mut state,
                job.progress().seen(),
                at(now, clock),
            )
            .await?;
            last_save = std::time::Instant::now();
            saved_now = true;
        }
    };
    publisher.flush().await?;
    let validators = job.validators().clone();
    let mut progress = job.into_progress();
    let elapsed = u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX);
    progress.report_mut().duration_ms += elapsed;
    let had_checkpoint = resumed || saved_now;
    // The invocation's end, on the clock `now` started.
    let finished = at(now, clock);
    let messages = publisher.sent;
    let mut report = match ending {
        Ending::Failed(error) => {
            let report = progress.report().clone();
            fail(
                ports,
                &mut state,
                source,
                report,
                error.to_string(),
                had_checkpoint,
                finished,
            )
            .await?
        }
        Ending::Paused => {
            let made_progress = finished_requests(progress.report()) > finished_before;
            checkpoint.idle = if made_progress {
                0
            } else {
                checkpoint.idle + 1
            };
            if checkpoint.idle >= settings.max_idle_invocations {
                let reason = format!(
                    "no request finished in {} invocations in a row{}",
                    checkpoint.idle,
                    progress
                        .report()
                        .errors
                        .last()
                        .map(|e| format!(" (last error: {e})"))
                        .unwrap_or_default()
                );
                let report = progress.report().clone();
                fail(ports, &mut state, source, report, reason, true, finished).await?
            } else {
                pause(ports, &mut state, source, checkpoint, progress, finished).await?
            }
        }
        Ending::Unchanged => {
            let report = progress.report().clone();
            finish(
                ports,
                &mut state,
                source,
                Finish::Unchanged,
                report,
                had_checkpoint,
                finished,
            )
            .await?
        }
        Ending::Done => {
            let mut closed = 0;
            let mut close_messages = 0;
            state.warning = None;
            if progress.complete() {
                // Each new posting's duplicates are checked again once, by the crawl after
                // the one that found it (a race between two sources' ingests has settled by
                // then), and never after the re-check window.
                let window = now - settings.rules.recheck_duplicates_for;
                let recheck_since = checkpoint
                    .previous_started_at
                    .map_or(window, |previous| previous.max(window));
                let closing = close_unlisted(
                    ports.index,
                    ports.postings,
                    Closed {
                        rules: &settings.rules,
                        source: &source.name,
                        started_at: checkpoint.started_at,
                        recheck_since,
                        now: finished,
                    },
                    progress.seen(),
                    known.open(),
                )
                .await?;
                closed = closing.closed;
                close_messages = closing.messages;
                state.counts.open = closing.open;
                state.warning = closing.warning;
            } else {
                state.counts.open = (known.open() as u64).max(progress.seen().len() as u64);
            }
            state.counts.closed = closed;
            state.validators = validators;
            let outcome = if progress.complete() {
                Finish::Complete
            } else {
                Finish::Partial
            };
            let report = progress.report().clone();
            let mut run = finish(
                ports,
                &mut state,
                source,
                outcome,
                report,
                had_checkpoint,
                finished,
            )
            .await?;
            run.closed = closed;
            run.messages += close_messages;
            run
        }
    };
    report.messages += messages;
    Ok(report)
}

/// How an invocation's loop ended.
enum Ending {
    Unchanged,
    Done,
    Paused,
    Failed(CrawlError),
}

/// How a crawl that ended went.
enum Finish {
    Unchanged,
    Complete,
    Partial,
}

/// `now` (the invocation's start) moved on by the time the invocation has taken.
fn at(now: DateTime<Utc>, clock: std::time::Instant) -> DateTime<Utc> {
    now + Duration::from_std(clock.elapsed()).unwrap_or_default()
}

/// Decides what `task` does, given the source's `state` and its `saved` checkpoint.
fn plan(
    state: &SourceState,
    saved: Option<Checkpoint>,
    task: &CrawlTask,
    settings: &CrawlSettings,
    now: DateTime<Utc>,
) -> Plan {
    let Some(running) = &state.running else {
        return match task.resume {
            Some(_) => Plan::Skip("a continuation of a crawl that is over".into()),
            None if state
                .last_started_at
                .is_some_and(|last| last >= task.due_at) =>
            {
                Plan::Skip(format!(
                    "the source was crawled after this task was scheduled ({})",
                    task.due_at
                ))
            }
            None => Plan::Start,
        };
    };
    // A checkpoint of another crawl (left by one that failed to clear it) is no use.
    let saved = saved.filter(|c| c.started_at == running.started_at);
    match (task.resume, saved) {
        (Some(Resume { started_at, step }), Some(saved))
            if started_at == saved.started_at && step == saved.step =>
        {
            Plan::Resume(Box::new(saved))
        }
        (Some(_), _) => Plan::Skip("a continuation another task has overtaken".into()),
        (None, saved) => {
            let stale = running.updated_at + settings.stale_after <= now;
            // The task that started (or last took over) this crawl, delivered again: its
            // invocation died. Any other task waits for the crawl to go stale.
            let redelivered = task.due_at == running.due_at;
            match saved {
                _ if !stale && !redelivered => Plan::Skip(format!(
                    "a crawl of this source is running (since {})",
                    running.started_at
                )),
                Some(mut saved) => {
                    // Taking over moves the crawl to its next step: a continuation the
                    // dead invocation may still have queued is dropped when it comes.
                    saved.step += 1;
                    Plan::Resume(Box::new(saved))
                }
                None => Plan::Start,
            }
        }
    }
}

/// What identifies a source's configuration for its crawl's progress: its kind, URL, page
/// cap and recipes.
fn config_key(source: &SourceConfig) -> u64 {
    let recipes = format!(
        "{:?} {} {:?} {:?}",
        source.kind, source.max_pages, source.listing, source.detail
    );
    crate::identity::hash64(&[source.url.as_str(), &recipes])
}

/// The checkpoint of `source`, if one is saved and readable (an unreadable one is logged
/// and ignored: the crawl starts over).
async fn load_checkpoint(
    checkpoints: &dyn CheckpointStore,
    source: &str,
) -> Result<Option<Checkpoint>, RunError> {
    let Some(bytes) = checkpoints.checkpoint(source).await? else {
        return Ok(None);
    };
    match serde_json::from_slice(&bytes) {
        Ok(checkpoint) => Ok(Some(checkpoint)),
        Err(error) => {
            tracing::warn!(source, %error, "the saved crawl progress is unreadable; starting over");
            Ok(None)
        }
    }
}

/// What the store holds of `source`, one page of its index at a time.
pub async fn load_known(index: &dyn SourceIndex, source: &str) -> Result<Known, StoreError> {
    let mut known = Known::new();
    let mut after: Option<String> = None;
    loop {
        let page = index
            .source_index_page(source, after.as_deref(), INDEX_PAGE)
            .await?;
        for entry in &page {
            known.push(&entry.id, entry.mark, entry.closed_at.is_none());
        }
        if page.len() < INDEX_PAGE {
            break;
        }
        after = page.last().map(|entry| entry.id.clone());
    }
    known.finish();
    Ok(known)
}

/// Requests that came back (documents, 304s, failures, refusals): what an invocation that
/// made progress has more of.
fn finished_requests(report: &CrawlReport) -> u64 {
    u64::from(report.pages_fetched)
        + u64::from(report.not_modified)
        + u64::from(report.failures)
        + report.disallowed.len() as u64
}

/// Waits until `min_delay` after `last` (the previous invocation's last request), so a
/// continuation is as polite as one process would be; never past the deadline.
async fn polite_wait(last: DateTime<Utc>, min_delay: std::time::Duration, limits: &Limits) {
    let since = (Utc::now() - last).to_std().unwrap_or_default();
    let Some(wait) = min_delay.checked_sub(since) else {
        return;
    };
    let until = tokio::time::Instant::now() + wait;
    let until = limits
        .deadline
        .map_or(until, |deadline| until.min(deadline));
    tokio::time::sleep_until(until).await;
}

/// Records that the crawl is alive at `at` and how far it got.
async fn heartbeat(
    states: &dyn SourceStateStore,
    state: &mut SourceState,
    seen: &Seen,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Some(running) = &mut state.running {
        running.updated_at = at;
        running.listed = seen.len() as u64;
    }
    states.put_source_state(state).await
}

/// Saves the crawl's progress at `at` and queues its continuation.
async fn pause(
    ports: CrawlPorts<'_>,
    state: &mut SourceState,
    source: &SourceConfig,
    mut checkpoint: Checkpoint,
    progress: CrawlProgress,
    at: DateTime<Utc>,
) -> Result<SourceRunReport, RunError> {
    checkpoint.step += 1;
    // Wall-clock time: the next invocation measures the host's delay from it.
    checkpoint.last_request_at = Some(Utc::now());
    checkpoint.progress = progress;
    ports
        .checkpoints
        .put_checkpoint(&source.name, &checkpoint.encode()?)
        .await?;
    heartbeat(ports.states, state, checkpoint.progress.seen(), at).await?;
    let continuation = CrawlTask {
        source: source.name.clone(),
        due_at: at,
        resume: Some(Resume {
            started_at: checkpoint.started_at,
            step: checkpoint.step,
        }),
        host: Some(super::schedule::host_of(source)),
    };
    // Not sent (the queue down): the crawl stays running, goes stale, and the next
    // scheduled task takes it over from this checkpoint.
    if let Err(error) = ports.tasks.send(vec![continuation]).await {
        tracing::error!(source = %source.name, %error, "the continuation task could not be queued");
    }
    tracing::info!(
        source = %source.name,
        step = checkpoint.step,
        listed = checkpoint.progress.seen().len(),
        ahead = checkpoint.progress.work_ahead(),
        "crawl paused; it goes on in the next invocation"
    );
    Ok(SourceRunReport {
        source: source.name.clone(),
        outcome: None,
        continued: true,
        skipped: None,
        crawl: checkpoint.progress.report().clone(),
        invocations: state.running.as_ref().map_or(1, |r| r.invocations),
        messages: 0,
        closed: 0,
        error: None,
        next_due_at: None,
    })
}

/// Records a failed crawl: its error, one more consecutive failure and the backed-off next
/// due time; the crawl is over.
async fn fail(
    ports: CrawlPorts<'_>,
    state: &mut SourceState,
    source: &SourceConfig,
    report: CrawlReport,
    error: String,
    had_checkpoint: bool,
    now: DateTime<Utc>,
) -> Result<SourceRunReport, RunError> {
    state.consecutive_failures = state.consecutive_failures.saturating_add(1);
    state.last_error = Some(error.clone());
    let mut run = end(
        ports,
        state,
        source,
        CrawlOutcome::Failed,
        report,
        had_checkpoint,
        now,
    )
    .await?;
    run.error = Some(error);
    Ok(run)
}

/// Records a crawl that ended without failing.
async fn finish(
    ports: CrawlPorts<'_>,
    state: &mut SourceState,
    source: &SourceConfig,
    how: Finish,
    report: CrawlReport,
    had_checkpoint: bool,
    now: DateTime<Utc>,
) -> Result<SourceRunReport, RunError> {
    state.consecutive_failures = 0;
    state.last_error = report.errors.first().cloned();
    let outcome = match how {
        Finish::Unchanged => CrawlOutcome::Unchanged,
        Finish::Complete => CrawlOutcome::Success,
        Finish::Partial => CrawlOutcome::Partial,
    };
    end(ports, state, source, outcome, report, had_checkpoint, now).await
}

/// The end of a crawl at `now`, whatever its outcome: the state says so, the next crawl is
/// scheduled, and the checkpoint goes.
async fn end(
    ports: CrawlPorts<'_>,
    state: &mut SourceState,
    source: &SourceConfig,
    outcome: CrawlOutcome,
    report: CrawlReport,
    had_checkpoint: bool,
    now: DateTime<Utc>,
) -> Result<SourceRunReport, RunError> {
    let invocations = state.running.take().map_or(1, |r| r.invocations);
    state.outcome = Some(outcome);
    state.last_finished_at = Some(now);
    let next = next_due(source, state.consecutive_failures, now);
    state.next_due_at = Some(next);
    ports.states.put_source_state(state).await?;
    if had_checkpoint {
        ports.checkpoints.delete_checkpoint(&source.name).await?;
    }
    Ok(SourceRunReport {
        source: source.name.clone(),
        outcome: Some(outcome),
        continued: false,
        skipped: None,
        crawl: report,
        invocations,
        messages: 0,
        closed: 0,
        error: None,
        next_due_at: Some(next),
    })
}

/// What a complete crawl closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    /// Postings sent to be closed.
    pub closed: u64,
    /// Open postings left: those the crawl listed, and those the guard kept open.
    pub open: u64,
    /// The partial-crawl guard's warning, if it tripped.
    pub warning: Option<String>,
    /// Close messages sent.
    pub messages: usize,
}

/// Ids and fingerprints gathered before a batch of close messages goes out.
const CLOSE_CHUNK: usize = 5000;

/// What closing a complete crawl needs besides what it listed.
#[derive(Debug, Clone, Copy)]
pub struct Closed<'a> {
    /// The closing rules (the partial-crawl guard).
    pub rules: &'a IngestConfig,
    /// The source.
    pub source: &'a str,
    /// When the crawl started (stamped on its close messages).
    pub started_at: DateTime<Utc>,
    /// Postings first seen since then have their duplicates checked again.
    pub recheck_since: DateTime<Utc>,
    /// Now (`valid_through` before it closes a posting).
    pub now: DateTime<Utc>,
}

/// The end of a complete crawl that listed `seen`, of a source that had `open_before` open
/// postings: walks the source's index once and sends to `postings`, in chunked `Close`
/// messages stamped with the crawl's start, the open postings the crawl did not list
/// (unless it listed implausibly few: the partial-crawl guard) or whose `valid_through`
/// passed, with the fingerprints of the postings first seen since `recheck_since` to check
/// again for duplicates. Holds at most `CLOSE_CHUNK` ids at a time.
pub async fn close_unlisted(
    index: &dyn SourceIndex,
    postings: &dyn Queue<IngestMessage>,
    closed: Closed<'_>,
    seen: &Seen,
    open_before: usize,
) -> Result<Closing, RunError> {
    let Closed {
        rules,
        source,
        started_at,
        recheck_since,
        now,
    } = closed;
    let listed = seen.len() as u64;
    let guard = partial_crawl(listed, open_before as u64, rules);
    let mut closing = Closing {
        closed: 0,
        open: 0,
        warning: guard.then(|| partial_crawl_warning(listed, open_before as u64)),
        messages: 0,
    };
    let limit = message_limit(postings);
    let (mut ids, mut recheck) = (Vec::new(), Vec::new());
    let mut kept = 0;
    let mut after: Option<String> = None;
    loop {
        let page = index
            .source_index_page(source, after.as_deref(), INDEX_PAGE)
            .await?;
        for entry in &page {
            if entry.closed_at.is_some() {
                continue;
            }
            let expired = entry.valid_through.is_some_and(|until| until < now);
            let listed = seen.contains(&entry.id);
            if expired || (!guard && !listed) {
                ids.push(entry.id.clone());
                continue;
            }
            if !listed {
                // Kept open by the partial-crawl guard.
                kept += 1;
            }
            if entry.first_seen_at >= recheck_since && !entry.fingerprint.is_empty() {
                recheck.push(entry.fingerprint.clone());
            }
        }
        let last_page = page.len() < INDEX_PAGE;
        after = page.last().map(|entry| entry.id.clone());
        if ids.len() + recheck.len() >= CLOSE_CHUNK || last_page {
            closing.closed += ids.len() as u64;
            let messages = IngestMessage::close_batches(
                source,
                started_at,
                std::mem::take(&mut ids),
                std::mem::take(&mut recheck),
                limit,
            );
            closing.messages += messages.len();
            if !messages.is_empty() {
                postings.send(messages).await?;
            }
        }
        if last_page {
            // What the crawl listed (stored by now or on its way) and what the guard kept.
            closing.open = listed + kept;
            return Ok(closing);
        }
    }
}

/// The largest message to build for `queue`.
fn message_limit(queue: &dyn Queue<IngestMessage>) -> usize {
    queue
        .max_message_bytes()
        .map_or(MAX_MESSAGE_BYTES, |limit| limit.min(MAX_MESSAGE_BYTES))
}

/// Sends a crawl's postings as they are found, a message's worth at a time, so a crawl
/// holds at most one message of postings.
struct Publisher<'a> {
    queue: &'a dyn Queue<IngestMessage>,
    source: &'a SourceConfig,
    limit: usize,
    buffer: Vec<ExtractedPosting>,
    bytes: usize,
    sent: usize,
}

impl<'a> Publisher<'a> {
    fn new(queue: &'a dyn Queue<IngestMessage>, source: &'a SourceConfig) -> Self {
        Publisher {
            queue,
            source,
            limit: message_limit(queue),
            buffer: Vec::new(),
            bytes: 0,
            sent: 0,
        }
    }

    async fn add(&mut self, postings: Vec<ExtractedPosting>) -> Result<(), RunError> {
        for posting in postings {
            self.bytes += json_len(&posting) + 1;
            self.buffer.push(posting);
            if self.bytes >= self.limit {
                self.flush().await?;
            }
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), RunError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.bytes = 0;
        let messages = IngestMessage::extracted_batches(
            &self.source.name,
            self.source.company.as_deref(),
            std::mem::take(&mut self.buffer),
            self.limit,
        );
        self.sent += messages.len();
        self.queue.send(messages).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::minutes(minutes)
    }

    fn source() -> SourceConfig {
        crate::config::parse(
            "[[source]]\nname = \"a\"\nkind = \"rss\"\nurl = \"https://a.example/feed\"\n",
            "test.toml",
        )
        .unwrap()
        .sources
        .remove(0)
    }

    /// A state whose crawl started at minute 0 (from the task due then), last heard of at
    /// `updated`, with a checkpoint at `step`.
    fn running(updated: i64, step: u32) -> (SourceState, Checkpoint) {
        let state = SourceState {
            name: "a".into(),
            last_started_at: Some(at(0)),
            running: Some(RunningCrawl {
                started_at: at(0),
                updated_at: at(updated),
                invocations: 1,
                listed: 0,
                due_at: at(0),
            }),
            ..SourceState::default()
        };
        let checkpoint = Checkpoint {
            started_at: at(0),
            config: config_key(&source()),
            step,
            crawl: 1,
            idle: 0,
            last_request_at: None,
            previous_started_at: None,
            progress: CrawlProgress::new(&source()),
        };
        (state, checkpoint)
    }

    fn continuation(started: i64, step: u32) -> CrawlTask {
        CrawlTask {
            resume: Some(Resume {
                started_at: at(started),
                step,
            }),
            ..CrawlTask::scheduled("a", at(5))
        }
    }

    fn decide(
        state: &SourceState,
        saved: Option<Checkpoint>,
        task: &CrawlTask,
        now: i64,
    ) -> String {
        match plan(state, saved, task, &CrawlSettings::default(), at(now)) {
            Plan::Start => "start".into(),
            Plan::Resume(checkpoint) => format!("resume {}", checkpoint.step),
            Plan::Skip(reason) => format!("skip: {reason}"),
        }
    }

    #[test]
    fn a_continuation_resumes_only_its_own_crawl_at_its_own_step() {
        let (state, saved) = running(5, 2);
        assert_eq!(
            decide(&state, Some(saved.clone()), &continuation(0, 2), 6),
            "resume 2"
        );
        assert!(decide(&state, Some(saved.clone()), &continuation(0, 1), 6).starts_with("skip"));
        assert!(decide(&state, Some(saved), &continuation(1, 2), 6).starts_with("skip"));
        let idle = SourceState::default();
        assert!(decide(&idle, None, &continuation(0, 2), 6).contains("is over"));
    }

    #[test]
    fn a_scheduled_task_starts_a_crawl_takes_over_a_stale_one_and_waits_for_a_live_one() {
        let idle = SourceState {
            last_started_at: Some(at(0)),
            ..SourceState::default()
        };
        assert_eq!(
            decide(&idle, None, &CrawlTask::scheduled("a", at(5)), 6),
            "start"
        );
        // Queued before the last crawl started: a duplicate of a backlog.
        let duplicate = CrawlTask::scheduled("a", at(-5));
        assert!(decide(&idle, None, &duplicate, 6).contains("crawled after"));

        let (state, saved) = running(5, 2);
        let fresh = CrawlTask::scheduled("a", at(30));
        assert!(decide(&state, Some(saved.clone()), &fresh, 30).contains("is running"));
        // Stale an hour after it was last heard of: taken over one step on.
        let late = CrawlTask::scheduled("a", at(70));
        assert_eq!(decide(&state, Some(saved.clone()), &late, 70), "resume 3");
        // The task that started it, delivered again (its invocation died): taken over too.
        let again = CrawlTask::scheduled("a", at(0));
        assert_eq!(decide(&state, Some(saved), &again, 10), "resume 3");
        // Died before its first save: started over.
        assert_eq!(decide(&state, None, &late, 70), "start");
    }
}
