//! The `ingest` function: a batch of the postings queue → each message applied to the store
//! by the ingest use case (`app::ingest::handle_message`: normalization, dedup, change
//! detection, closing, duplicates, the source's counts), one message at a time. Answers with the messages to deliver again (`batchItemFailures`), so
//! one bad message never fails or repeats the batch: a malformed message is permanent and
//! ends in the DLQ after `maxReceiveCount`; throttling is retried by SQS.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use chrono::{DateTime, Utc};
use jobfeed::app::ingest::{Handled, IngestConfig, IngestPorts, handle_message};
use jobfeed::app::messages::IngestMessage;
use jobfeed::store::{IngestCounter, PostingStore, SourceStateStore, StoreError};
use jobfeed_fn::metrics::MetricLine;
use jobfeed_fn::sqs::{RecordError, each_record};

/// What the handler works on: built once per Lambda instance.
pub struct Ingest<'a> {
    /// Where postings go.
    pub postings: &'a dyn PostingStore,
    /// Source states: which crawl of a source is the latest.
    pub states: &'a dyn SourceStateStore,
    /// Where each source's counts are recorded.
    pub counts: &'a dyn IngestCounter,
    /// The ingest rules' tunables.
    pub config: &'a IngestConfig,
}

/// Handles one SQS batch of `IngestMessage` bodies at `now` (the time stamped on what it
/// writes) and prints its EMF metric line (postings new/changed/closed, batch item
/// failures, DynamoDB capacity consumed).
pub async fn handle(ingest: &Ingest<'_>, event: SqsEvent, now: DateTime<Utc>) -> SqsBatchResponse {
    let before = ingest.postings.usage();
    let outcome = each_record(event, |message| async move {
        let body = message.body.unwrap_or_default();
        let message =
            IngestMessage::from_json(&body).map_err(|e| RecordError::Permanent(e.to_string()))?;
        let source = message.source().to_owned();
        let ports = IngestPorts {
            postings: ingest.postings,
            states: ingest.states,
            counts: ingest.counts,
        };
        let handled = handle_message(ports, message, now, ingest.config)
            .await
            .map_err(record_error)?;
        tracing::info!(source, result = ?handled, "ingested");
        Ok(handled)
    })
    .await;

    let (mut new, mut changed, mut closed) = (0, 0, 0);
    for handled in &outcome.handled {
        match handled {
            Handled::Postings(report) => {
                new += report.new;
                changed += report.changed + report.reopened;
                closed += report.expired;
            }
            Handled::Closed(report) => closed += report.closed,
        }
    }
    let used = ingest.postings.usage().since(&before);
    // Metrics per function (see `jobfeed_fn::metrics`); the rest as plain fields.
    MetricLine::new("ingest")
        .count("PostingsNew", new)
        .count(
            "BatchItemFailures",
            outcome.response.batch_item_failures.len() as u64,
        )
        .field("PostingsChanged", changed)
        .field("PostingsClosed", closed)
        .field("DynamoDBReadCapacity", used.read_units)
        .field("DynamoDBWriteCapacity", used.write_units)
        .emit();
    outcome.response
}

fn record_error(error: StoreError) -> RecordError {
    if error.is_retryable() {
        RecordError::Retryable(error.to_string())
    } else {
        RecordError::Permanent(error.to_string())
    }
}
