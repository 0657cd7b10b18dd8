//! The `scheduler` function: on each EventBridge schedule, reads the sources configuration
//! and every source's state, and enqueues one crawl task per due source
//! (`app::schedule::schedule_due`: never crawled, past its next due time, or running but
//! gone stale, to be taken over). It never fetches a page.
//!
//! The crawl queue is FIFO with the source's host as the message group ([`crawl_queue`]):
//! SQS hands out one task per group at a time, so two crawlers never fetch from one host
//! together, whatever the crawler's concurrency, while different hosts run in parallel.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use jobfeed::app::RunError;
use jobfeed::app::crawl::CrawlSettings;
use jobfeed::app::messages::CrawlTask;
use jobfeed::app::registry::{SourcesOrigin, effective_config};
use jobfeed::app::schedule::{host_group, schedule_due};
use jobfeed::config::Config;
use jobfeed::queue::Queue;
use jobfeed::queue::sqs::SqsQueue;
use jobfeed::store::{SourceRegistryReader, SourceStateStore};
use jobfeed_fn::metrics::MetricLine;
use serde::Serialize;

/// What one run did (the function's response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleReport {
    /// The sources enqueued, in configuration order.
    pub enqueued: Vec<String>,
    /// Sources configured (disabled ones included).
    pub sources: usize,
    /// Whether they came from the source registry (else from the built-in configuration).
    pub from_registry: bool,
    /// Registry records passed by because they no longer validate.
    pub invalid: usize,
}

/// The crawl queue, its messages grouped by the host they carry, else the host of their
/// source's URL in `config` (`app::schedule::host_group`).
pub fn crawl_queue(
    client: aws_sdk_sqs::Client,
    queue_url: impl Into<String>,
    config: &Config,
) -> SqsQueue<CrawlTask> {
    SqsQueue::fifo(client, queue_url, host_group(config))
}

/// Handles one scheduled event: reads the sources (the registry's when it holds any record,
/// else `base`'s: `app::registry::effective_config`, one Query), enqueues those due at
/// `now` and prints an EMF line with how many were enqueued. A registry record that no
/// longer validates is logged and passed by. An error (store or queue unavailable) fails
/// the invocation; the next schedule tries again.
pub async fn handle(
    base: &Config,
    registry: &dyn SourceRegistryReader,
    states: &dyn SourceStateStore,
    tasks: &dyn Queue<CrawlTask>,
    event: EventBridgeEvent<serde_json::Value>,
    now: DateTime<Utc>,
) -> Result<ScheduleReport, RunError> {
    tracing::info!(
        scheduled_for = ?event.time,
        rule = ?event.resources.as_ref().and_then(|r| r.first()),
        "looking for due sources"
    );
    let (config, origin, problems) = effective_config(registry, base).await?;
    for problem in &problems {
        tracing::warn!(
            source = problem.source.as_deref(),
            problem = %problem.message,
            "registered source passed by"
        );
    }
    let stale_after = CrawlSettings::default().stale_after;
    let enqueued = schedule_due(&config, states, tasks, stale_after, now).await?;
    tracing::info!(due = enqueued.len(), sources = ?enqueued, "crawl tasks enqueued");
    MetricLine::new("scheduler")
        .count("SourcesDue", enqueued.len() as u64)
        .emit();
    Ok(ScheduleReport {
        enqueued,
        sources: config.sources.len(),
        from_registry: origin == SourcesOrigin::Registry,
        invalid: problems.len(),
    })
}
