//! The `scheduler` function: on each EventBridge schedule, reads the sources configuration
//! and every source's state, and enqueues one crawl task per due source
//! (`crawl::run::schedule_due`). It never fetches a page.
//!
//! The crawl queue is FIFO with the source's host as the message group ([`crawl_queue`]):
//! SQS hands out one task per group at a time, so two crawlers never fetch from one host
//! together, whatever the crawler's concurrency, while different hosts run in parallel.

use std::collections::HashMap;

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use jobfeed::config::Config;
use jobfeed::crawl::run::{RunError, schedule_due};
use jobfeed::queue::sqs::SqsQueue;
use jobfeed::queue::{CrawlTask, Queue};
use jobfeed::store::SourceStateStore;
use jobfeed_fn::metrics::MetricLine;
use serde::Serialize;

/// What one run did (the function's response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleReport {
    /// The sources enqueued, in configuration order.
    pub enqueued: Vec<String>,
    /// Sources configured.
    pub sources: usize,
}

/// The crawl queue, its messages grouped by the host of their source's URL (a task for a
/// source that is not configured, which the crawler will refuse, is grouped by its name).
pub fn crawl_queue(
    client: aws_sdk_sqs::Client,
    queue_url: impl Into<String>,
    config: &Config,
) -> SqsQueue<CrawlTask> {
    let hosts: HashMap<String, String> = config
        .sources
        .iter()
        .map(|s| {
            let host = s.url.host_str().unwrap_or(&s.name).to_ascii_lowercase();
            (s.name.clone(), host)
        })
        .collect();
    SqsQueue::fifo(client, queue_url, move |task: &CrawlTask| {
        hosts
            .get(&task.source)
            .cloned()
            .unwrap_or_else(|| task.source.clone())
    })
}

/// Handles one scheduled event: enqueues the sources due at `now` and prints an EMF line
/// with how many were enqueued. An error (state store or queue unavailable) fails the
/// invocation; the next schedule tries again.
pub async fn handle(
    config: &Config,
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
    let enqueued = schedule_due(config, states, tasks, now).await?;
    tracing::info!(due = enqueued.len(), sources = ?enqueued, "crawl tasks enqueued");
    MetricLine::new("scheduler")
        .count("SourcesDue", enqueued.len() as u64)
        .emit();
    Ok(ScheduleReport {
        enqueued,
        sources: config.sources.len(),
    })
}
