//! The `crawler` function: each crawl task of the FIFO crawl queue → the crawl of one source
//! (`crawl::run::crawl_and_publish`: the polite, conditional fetcher and extraction; the
//! postings are identified here and normalized by `ingest`) → its postings on the postings
//! queue in size-bounded batches, then the crawl-complete marker, and the source's new state.
//!
//! A source that cannot be crawled (down, blocked, malformed) is not a failed message: its
//! state records the error and backs off its next crawl. Only a task that names no
//! configured source (permanent: to the DLQ) or a store or queue outage (retryable) fails.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use chrono::Utc;
use jobfeed::config::Config;
use jobfeed::crawl::fetch::Fetcher;
use jobfeed::crawl::run::{RunError, SourceRunReport, crawl_and_publish};
use jobfeed::queue::{CrawlTask, IngestMessage, Queue};
use jobfeed::store::{CrawlOutcome, SourceStateStore};
use jobfeed_fn::metrics::{MetricLine, Unit};
use jobfeed_fn::sqs::{RecordError, each_record};

/// What the handler works with: built once per Lambda instance.
pub struct Crawler<'a> {
    /// The sources.
    pub config: &'a Config,
    /// The HTTP fetcher (politeness and robots.txt state live in it).
    pub fetcher: &'a dyn Fetcher,
    /// The postings queue.
    pub postings: &'a dyn Queue<IngestMessage>,
    /// Source states.
    pub states: &'a dyn SourceStateStore,
}

/// Handles one SQS batch of crawl tasks (the template sends one at a time) and prints one
/// EMF line per crawl: outcome and duration per source, postings found, messages sent.
pub async fn handle(crawler: &Crawler<'_>, event: SqsEvent) -> SqsBatchResponse {
    each_record(event, |message| async move {
        let body = message.body.unwrap_or_default();
        let task: CrawlTask = serde_json::from_str(&body)
            .map_err(|e| RecordError::Permanent(format!("not a crawl task: {e}")))?;
        let source = crawler
            .config
            .sources
            .iter()
            .find(|s| s.name == task.source)
            .ok_or_else(|| run_error(RunError::UnknownSource(task.source.clone())))?;
        let report = crawl_and_publish(
            crawler.fetcher,
            crawler.postings,
            crawler.states,
            source,
            Utc::now(),
        )
        .await
        .map_err(run_error)?;
        tracing::info!(
            source = %report.source,
            outcome = ?report.outcome,
            postings = report.crawl.postings_found,
            messages = report.messages,
            error = report.error.as_deref(),
            "crawled"
        );
        metric_line(&report).emit();
        Ok(report)
    })
    .await
    .response
}

/// The EMF line of one crawl (dimensions: function and source).
pub fn metric_line(report: &SourceRunReport) -> MetricLine {
    let is = |outcome: CrawlOutcome| u64::from(report.outcome == outcome);
    MetricLine::new("crawler")
        .dimension("Source", report.source.as_str())
        .value(
            "CrawlDuration",
            report.crawl.duration_ms as f64,
            Unit::Milliseconds,
        )
        .count("CrawlSucceeded", is(CrawlOutcome::Success))
        .count("CrawlUnchanged", is(CrawlOutcome::Unchanged))
        .count("CrawlPartial", is(CrawlOutcome::Partial))
        .count("CrawlFailed", is(CrawlOutcome::Failed))
        .count("PostingsFound", u64::from(report.crawl.postings_found))
        .count("PagesFetched", u64::from(report.crawl.pages_fetched))
        .count("MessagesSent", report.messages as u64)
}

fn run_error(error: RunError) -> RecordError {
    if error.is_retryable() {
        RecordError::Retryable(error.to_string())
    } else {
        RecordError::Permanent(error.to_string())
    }
}
