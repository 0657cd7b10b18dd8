//! The `crawler` function: each crawl task of the FIFO crawl queue → one invocation of the
//! crawl use case (`app::crawl::run_task`: the polite, conditional fetcher and extraction;
//! the postings are identified here and normalized by `ingest`) → what it finds on the
//! postings queue in size-bounded batches as it goes, then, once the source's list is read,
//! the close messages and the source's new state. A crawl that cannot finish before the
//! invocation's deadline (less a margin) saves its progress and queues a continuation task
//! on the crawl queue, in the same FIFO group; the next invocation goes on from there.
//!
//! A source that cannot be crawled (down, blocked, malformed) is not a failed message: its
//! state records the error and backs off its next crawl. Only a task that names no
//! configured source (permanent: to the DLQ) or a store or queue outage (retryable) fails.

use std::time::{Duration, SystemTime};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use chrono::Utc;
use jobfeed::app::RunError;
use jobfeed::app::crawl::{CrawlPorts, CrawlSettings, SourceRunReport, run_task};
use jobfeed::app::messages::{CrawlTask, IngestMessage};
use jobfeed::app::registry::{ResolvedSource, resolve_source};
use jobfeed::config::Config;
use jobfeed::crawl::fetch::Fetcher;
use jobfeed::crawl::source::Limits;
use jobfeed::queue::Queue;
use jobfeed::store::{
    CheckpointStore, CrawlOutcome, SourceIndex, SourceRegistryReader, SourceStateStore,
};
use jobfeed_fn::metrics::{MetricLine, Unit};
use jobfeed_fn::sqs::{RecordError, each_record};
use lambda_runtime::Context;

/// Time kept back from an invocation's deadline by default: the crawl stops taking
/// requests this long before it, to send what it found, save its progress and queue its
/// continuation (a request still running at the cut-off is abandoned).
pub const DEFAULT_DEADLINE_MARGIN: Duration = Duration::from_secs(20);

/// What the handler works with: built once per Lambda instance.
pub struct Crawler<'a> {
    /// The built-in sources (or `SOURCES_TOML`'s) and the crawl settings; a source in the
    /// registry is read from there instead, task by task.
    pub config: &'a Config,
    /// The source registry.
    pub registry: &'a dyn SourceRegistryReader,
    /// How crawls go on, fail and close.
    pub settings: &'a CrawlSettings,
    /// The HTTP fetcher (politeness and robots.txt state live in it).
    pub fetcher: &'a dyn Fetcher,
    /// The postings queue.
    pub postings: &'a dyn Queue<IngestMessage>,
    /// The crawl queue, for continuation tasks.
    pub tasks: &'a dyn Queue<CrawlTask>,
    /// Source states.
    pub states: &'a dyn SourceStateStore,
    /// Crawl progress between invocations.
    pub checkpoints: &'a dyn CheckpointStore,
    /// What the store holds of each source.
    pub index: &'a dyn SourceIndex,
}

/// The limits of the invocation of `context`: its deadline less `margin` (no deadline, as
/// when a test or a local run sets none, is no limit).
pub fn invocation_limits(context: &Context, margin: Duration) -> Limits {
    if context.deadline == 0 {
        return Limits::none();
    }
    let left = context
        .deadline()
        .duration_since(SystemTime::now())
        .unwrap_or_default()
        .saturating_sub(margin);
    Limits::until(tokio::time::Instant::now() + left)
}

/// Handles one SQS batch of crawl tasks (the template sends one at a time) within `limits`
/// and prints one EMF line per task: outcome and duration of a crawl that ended, a crawl
/// that goes on or a dropped task, messages sent.
pub async fn handle(crawler: &Crawler<'_>, event: SqsEvent, limits: Limits) -> SqsBatchResponse {
    each_record(event, |message| async move {
        let body = message.body.unwrap_or_default();
        let task: CrawlTask = serde_json::from_str(&body)
            .map_err(|e| RecordError::Permanent(format!("not a crawl task: {e}")))?;
        let source = match resolve_source(crawler.registry, crawler.config, &task.source)
            .await
            .map_err(|e| run_error(RunError::Store(e)))?
        {
            ResolvedSource::Source(source) => source,
            ResolvedSource::Removed => {
                let report =
                    SourceRunReport::skipped(&task.source, "the source was removed".into());
                tracing::info!(source = %task.source, "crawl task of a removed source dropped");
                metric_line(&report).emit();
                return Ok(report);
            }
            ResolvedSource::Invalid(problem) => {
                return Err(RecordError::Permanent(format!(
                    "source `{}` in the registry is invalid: {}",
                    task.source, problem.message
                )));
            }
            ResolvedSource::Unknown => {
                return Err(run_error(RunError::UnknownSource(task.source.clone())));
            }
        };
        let ports = CrawlPorts {
            fetcher: crawler.fetcher,
            postings: crawler.postings,
            tasks: crawler.tasks,
            states: crawler.states,
            checkpoints: crawler.checkpoints,
            index: crawler.index,
        };
        let report = run_task(ports, crawler.settings, &source, &task, limits, Utc::now())
            .await
            .map_err(run_error)?;
        tracing::info!(
            source = %report.source,
            outcome = ?report.outcome,
            continued = report.continued,
            skipped = report.skipped.as_deref(),
            invocations = report.invocations,
            listed = report.crawl.postings_found,
            sent = report.crawl.postings_sent,
            messages = report.messages,
            error = report.error.as_deref(),
            "crawl task done"
        );
        metric_line(&report).emit();
        Ok(report)
    })
    .await
    .response
}

/// The EMF line of one crawl task. Metrics (per function, not per source: see
/// `jobfeed_fn::metrics`): `CrawlSucceeded` (304s included) and `CrawlFailed` when a crawl
/// ends, and `CrawlDuration`, its time over all its invocations. The source, the outcome
/// and the rest are plain fields of the line.
pub fn metric_line(report: &SourceRunReport) -> MetricLine {
    let is = |outcome: CrawlOutcome| u64::from(report.outcome == Some(outcome));
    let ended = report.outcome.is_some();
    let total = |n: u32| if ended { u64::from(n) } else { 0 };
    let mut line = MetricLine::new("crawler")
        .count(
            "CrawlSucceeded",
            is(CrawlOutcome::Success) + is(CrawlOutcome::Unchanged),
        )
        .count("CrawlFailed", is(CrawlOutcome::Failed));
    if ended {
        line = line.value(
            "CrawlDuration",
            report.crawl.duration_ms as f64,
            Unit::Milliseconds,
        );
    }
    line.field("Source", report.source.as_str())
        .field(
            "Outcome",
            report
                .outcome
                .map(|o| format!("{o:?}").to_lowercase())
                .or_else(|| report.continued.then(|| "continued".to_owned()))
                .or_else(|| report.skipped.as_ref().map(|_| "skipped".to_owned())),
        )
        .field("Invocations", report.invocations)
        .field("PostingsFound", total(report.crawl.postings_found))
        .field("PostingsSent", total(report.crawl.postings_sent))
        .field("PagesFetched", total(report.crawl.pages_fetched))
        .field("PostingsClosed", report.closed)
        .field("MessagesSent", report.messages)
}

fn run_error(error: RunError) -> RecordError {
    if error.is_retryable() {
        RecordError::Retryable(error.to_string())
    } else {
        RecordError::Permanent(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_less_the_margin_limits_an_invocation_and_none_is_no_limit() {
        assert_eq!(
            invocation_limits(&Context::default(), DEFAULT_DEADLINE_MARGIN),
            Limits::none()
        );
        let mut context = Context::default();
        let in_a_minute = SystemTime::now() + Duration::from_secs(60);
        context.deadline = in_a_minute
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let limits = invocation_limits(&context, Duration::from_secs(20));
        let left = limits.deadline.unwrap() - tokio::time::Instant::now();
        assert!(
            (Duration::from_secs(38)..=Duration::from_secs(40)).contains(&left),
            "{left:?}"
        );
        // A deadline already closer than the margin: no request starts.
        context.deadline = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
            + 5_000;
        assert!(invocation_limits(&context, Duration::from_secs(20)).reached());
    }
}
