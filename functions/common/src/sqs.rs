//! One SQS batch, one record at a time, with a partial batch response: a record that fails
//! (or panics) is reported in `batchItemFailures` and only it comes back, after the
//! visibility timeout; the others are deleted. After the queue's `maxReceiveCount` a record
//! that keeps failing moves to the dead-letter queue, which is how a permanent failure (a
//! malformed message) ends up there: it is logged as permanent and reported like any other.
//!
//! The event source mapping must enable `ReportBatchItemFailures` (template.yaml does).

use std::panic::AssertUnwindSafe;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use futures::FutureExt;
use tracing::Instrument;

/// Why one record could not be handled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Worth another delivery: throttling, a network error, a conflict.
    #[error("retryable: {0}")]
    Retryable(String),
    /// Another delivery will fail the same way (malformed message, unknown source); it goes
    /// to the DLQ after `maxReceiveCount` deliveries.
    #[error("permanent: {0}")]
    Permanent(String),
}

/// What one batch did.
#[derive(Debug)]
pub struct BatchOutcome<T> {
    /// The answer for Lambda: the records to deliver again.
    pub response: SqsBatchResponse,
    /// What each record that succeeded returned, in order.
    pub handled: Vec<T>,
    /// Records that failed permanently (malformed, unknown) or panicked.
    pub permanent: usize,
    /// Records that failed in a retryable way.
    pub retryable: usize,
}

/// Runs `handle` on every record of `event` in order, each in its own span and with its
/// panics caught, and collects the records that failed. A record without a message id
/// cannot be named in the answer, so it is reported with an empty identifier, which makes
/// Lambda deliver the whole batch again rather than lose it.
pub async fn each_record<T, F, Fut>(event: SqsEvent, mut handle: F) -> BatchOutcome<T>
where
    F: FnMut(SqsMessage) -> Fut,
    Fut: Future<Output = Result<T, RecordError>>,
{
    let mut outcome = BatchOutcome {
        response: SqsBatchResponse::default(),
        handled: Vec::new(),
        permanent: 0,
        retryable: 0,
    };
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let receive_count = record
            .attributes
            .get("ApproximateReceiveCount")
            .cloned()
            .unwrap_or_default();
        let span =
            tracing::info_span!("sqs_message", message_id = %id, receive_count = %receive_count);
        let result = AssertUnwindSafe(handle(record).instrument(span.clone()))
            .catch_unwind()
            .await;
        let _entered = span.enter();
        let failed = match result {
            Ok(Ok(value)) => {
                outcome.handled.push(value);
                false
            }
            Ok(Err(RecordError::Retryable(reason))) => {
                tracing::warn!(%reason, "message failed; SQS will deliver it again");
                outcome.retryable += 1;
                true
            }
            Ok(Err(RecordError::Permanent(reason))) => {
                tracing::error!(%reason, "message cannot be handled; it goes to the DLQ after maxReceiveCount deliveries");
                outcome.permanent += 1;
                true
            }
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_owned());
                tracing::error!(%reason, "handling the message panicked; the rest of the batch goes on");
                outcome.permanent += 1;
                true
            }
        };
        if failed {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            outcome.response.batch_item_failures.push(failure);
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(bodies: &[&str]) -> SqsEvent {
        let mut event = SqsEvent::default();
        event.records = bodies
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let mut message = SqsMessage::default();
                message.message_id = Some(format!("m{i}"));
                message.body = Some((*body).to_owned());
                message
            })
            .collect();
        event
    }

    fn failed_ids(outcome: &BatchOutcome<usize>) -> Vec<&str> {
        outcome
            .response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect()
    }

    #[tokio::test]
    async fn failing_and_panicking_records_are_reported_and_the_rest_are_handled() {
        let outcome = each_record(
            event(&["ok", "panic", "retry", "bad", "fine"]),
            |message| async move {
                match message.body.as_deref().unwrap_or_default() {
                    "panic" => panic!("boom"),
                    "retry" => Err(RecordError::Retryable("throttled".into())),
                    "bad" => Err(RecordError::Permanent("not json".into())),
                    body => Ok(body.len()),
                }
            },
        )
        .await;
        assert_eq!(outcome.handled, vec![2, 4]);
        assert_eq!(failed_ids(&outcome), vec!["m1", "m2", "m3"]);
        assert_eq!((outcome.permanent, outcome.retryable), (2, 1));
    }

    #[tokio::test]
    async fn a_record_without_an_id_fails_the_whole_batch_rather_than_vanish() {
        let mut event = event(&["x"]);
        event.records[0].message_id = None;
        let outcome = each_record(event, |_| async {
            Err::<usize, _>(RecordError::Retryable("x".into()))
        })
        .await;
        assert_eq!(failed_ids(&outcome), vec![""]);
    }
}
