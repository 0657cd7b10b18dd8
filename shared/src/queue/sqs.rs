//! SQS adapter of the queue port. Messages go out with `SendMessageBatch`: at most ten
//! entries and `SQS_MAX_MESSAGE_BYTES` per call, a message too big for SQS split by its own
//! `Body::into_bodies`, and the entries a batch reports as failed sent again (bounded, with
//! backoff). Nothing is dropped: what cannot be sent is an error.
//!
//! A FIFO queue (the crawl queue) gets a `MessageGroupId` per message from the queue's
//! grouping function (the source's host: SQS then runs one crawl per host at a time) and a
//! `MessageDeduplicationId` hashed from the body, so a retried send is not delivered twice
//! whether or not the queue has content-based deduplication.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::config::http::HttpResponse;
use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;

use super::{Body, Queue, QueueError};
use crate::identity::hash_hex;

/// SQS's limit on one message body, and on the bodies of one `SendMessageBatch` together:
/// 256 KiB.
pub const SQS_MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// SQS's limit on entries per `SendMessageBatch`.
pub const MAX_BATCH_ENTRIES: usize = 10;

/// How often and how patiently the entries a batch reports as failed are sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Calls per batch in all (the first one included).
    pub attempts: u32,
    /// The wait before the first retry; doubled before each further one.
    pub base_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(100),
        }
    }
}

/// Gives a FIFO message its `MessageGroupId`.
pub type GroupFn<M> = Arc<dyn Fn(&M) -> String + Send + Sync>;

/// One SQS queue carrying messages of kind `M`.
pub struct SqsQueue<M> {
    client: Client,
    queue_url: String,
    group_of: Option<GroupFn<M>>,
    max_bytes: usize,
    retry: RetryPolicy,
}

impl<M> fmt::Debug for SqsQueue<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqsQueue")
            .field("queue_url", &self.queue_url)
            .field("fifo", &self.group_of.is_some())
            .field("max_bytes", &self.max_bytes)
            .field("retry", &self.retry)
            .finish()
    }
}

impl<M: Body> SqsQueue<M> {
    /// A standard queue (e.g. the postings queue).
    pub fn standard(client: Client, queue_url: impl Into<String>) -> Self {
        SqsQueue {
            client,
            queue_url: queue_url.into(),
            group_of: None,
            max_bytes: SQS_MAX_MESSAGE_BYTES,
            retry: RetryPolicy::default(),
        }
    }

    /// A FIFO queue whose messages are grouped by `group_of` (SQS delivers one group's
    /// messages one at a time, in order).
    pub fn fifo(
        client: Client,
        queue_url: impl Into<String>,
        group_of: impl Fn(&M) -> String + Send + Sync + 'static,
    ) -> Self {
        SqsQueue {
            group_of: Some(Arc::new(group_of)),
            ..Self::standard(client, queue_url)
        }
    }

    /// The same queue with another retry policy (tests use short delays).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The same queue with a smaller message limit (a queue whose `MaximumMessageSize` is
    /// below SQS's maximum); values above `SQS_MAX_MESSAGE_BYTES` are capped to it.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes.min(SQS_MAX_MESSAGE_BYTES);
        self
    }

    /// The queue's URL.
    pub fn url(&self) -> &str {
        &self.queue_url
    }

    /// Every message as entries, checked against the size limit before anything is sent, so
    /// a message that can never go out stops the call with nothing half sent.
    fn entries(&self, messages: Vec<M>) -> Result<Vec<Entry>, QueueError> {
        let mut entries = Vec::new();
        for message in messages {
            let group = self.group_of.as_ref().map(|group_of| group_of(&message));
            for body in message.into_bodies(self.max_bytes)? {
                if body.len() > self.max_bytes {
                    return Err(QueueError::Invalid(format!(
                        "a message of {} bytes is over the {}-byte SQS limit",
                        body.len(),
                        self.max_bytes
                    )));
                }
                entries.push(Entry {
                    group: group.clone(),
                    body,
                });
            }
        }
        Ok(entries)
    }
}

#[async_trait]
impl<M: Body> Queue<M> for SqsQueue<M> {
    fn max_message_bytes(&self) -> Option<usize> {
        Some(self.max_bytes)
    }

    async fn send(&self, messages: Vec<M>) -> Result<(), QueueError> {
        let entries = self.entries(messages)?;
        send_entries(
            &self.client,
            &self.queue_url,
            &entries,
            self.max_bytes,
            self.retry,
        )
        .await
    }
}

/// Sends entries in order, packed into batches, each delivered with `retry`. Not generic
/// over the message type: every queue of a process shares one copy of the SDK call (the
/// crawler has two, and a bootstrap size goal).
async fn send_entries(
    client: &Client,
    queue_url: &str,
    entries: &[Entry],
    max_bytes: usize,
    retry: RetryPolicy,
) -> Result<(), QueueError> {
    for batch in pack(entries, max_bytes) {
        deliver(&batch, retry, |pending| async move {
            send_batch(client, queue_url, &pending).await
        })
        .await?;
    }
    Ok(())
}

/// One `SendMessageBatch` call: the indexes (into `batch`) of the entries SQS refused.
async fn send_batch(
    client: &Client,
    queue_url: &str,
    batch: &[&Entry],
) -> Result<Vec<Failed>, QueueError> {
    let entries = batch
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(&entry.body)
                .set_message_group_id(entry.group.clone())
                .set_message_deduplication_id(
                    entry.group.as_ref().map(|_| hash_hex(&[&entry.body])),
                )
                .build()
                .map_err(|e| QueueError::Invalid(format!("invalid SQS entry: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let out = client
        .send_message_batch()
        .queue_url(queue_url)
        .set_entries(Some(entries))
        .send()
        .await
        .map_err(sdk_error)?;
    Ok(out
        .failed
        .iter()
        .map(|f| Failed {
            index: f.id.parse().unwrap_or(usize::MAX),
            sender_fault: f.sender_fault,
            reason: format!("{}: {}", f.code, f.message.as_deref().unwrap_or_default()),
        })
        .collect())
}

/// One message body on its way, with its FIFO group.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    group: Option<String>,
    body: String,
}

/// An entry a batch reported as not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Failed {
    /// Its index in the batch that was sent.
    index: usize,
    /// Whether SQS blames the entry itself (sending it again cannot help).
    sender_fault: bool,
    /// SQS's code and message.
    reason: String,
}

/// Entries in order, as batches of at most `MAX_BATCH_ENTRIES` whose bodies add up to at
/// most `max_bytes`.
fn pack(entries: &[Entry], max_bytes: usize) -> Vec<Vec<&Entry>> {
    let mut batches = Vec::new();
    let mut batch: Vec<&Entry> = Vec::new();
    let mut bytes = 0;
    for entry in entries {
        if !batch.is_empty()
            && (batch.len() == MAX_BATCH_ENTRIES || bytes + entry.body.len() > max_bytes)
        {
            batches.push(std::mem::take(&mut batch));
            bytes = 0;
        }
        bytes += entry.body.len();
        batch.push(entry);
    }
    if !batch.is_empty() {
        batches.push(batch);
    }
    batches
}

/// Sends one batch through `send`, then again only the entries it reports as failed, up to
/// `retry.attempts` calls with doubling waits. An entry SQS blames on the sender is
/// `Invalid` at once; entries still failing after the last attempt are `Retryable`.
async fn deliver<'a, F, Fut>(
    batch: &[&'a Entry],
    retry: RetryPolicy,
    mut send: F,
) -> Result<(), QueueError>
where
    F: FnMut(Vec<&'a Entry>) -> Fut,
    Fut: Future<Output = Result<Vec<Failed>, QueueError>>,
{
    let mut pending: Vec<&Entry> = batch.to_vec();
    let mut delay = retry.base_delay;
    for attempt in 1..=retry.attempts.max(1) {
        let failed = send(pending.clone()).await?;
        if failed.is_empty() {
            return Ok(());
        }
        if let Some(blamed) = failed.iter().find(|f| f.sender_fault) {
            return Err(QueueError::Invalid(format!(
                "SQS refused a message: {}",
                blamed.reason
            )));
        }
        let retried: Vec<&Entry> = failed
            .iter()
            .filter_map(|f| pending.get(f.index).copied())
            .collect();
        if retried.len() != failed.len() {
            // An id we did not send: the answer cannot be trusted to say what went out.
            return Err(QueueError::Retryable(
                "SQS reported a failure for an unknown batch entry".into(),
            ));
        }
        if attempt == retry.attempts.max(1) {
            return Err(QueueError::Retryable(format!(
                "{} of {} messages still not accepted by SQS after {attempt} attempts (last: {})",
                retried.len(),
                batch.len(),
                failed.first().map_or("", |f| f.reason.as_str())
            )));
        }
        tracing::warn!(
            failed = retried.len(),
            attempt,
            reason = failed.first().map_or("", |f| f.reason.as_str()),
            "SQS did not accept some batch entries; sending them again"
        );
        pending = retried;
        tokio::time::sleep(delay).await;
        delay = delay.saturating_mul(2);
    }
    Ok(())
}

/// SQS error codes that blame the request's content.
const INVALID_CODES: &[&str] = &[
    "BatchRequestTooLong",
    "InvalidMessageContents",
    "InvalidParameterValue",
    "EmptyBatchRequest",
    "TooManyEntriesInBatchRequest",
    "BatchEntryIdsNotDistinct",
    "InvalidBatchEntryId",
];

/// Maps an SDK error: a request SQS calls malformed is `Invalid`; anything else (throttling,
/// server errors, network, a missing queue that may yet be deployed) is `Retryable`, so the
/// caller's message goes back to its queue and, failing long enough, to its DLQ.
fn sdk_error<E>(err: SdkError<E, HttpResponse>) -> QueueError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = err.code().unwrap_or_default().to_owned();
    let text = format!("SQS SendMessageBatch: {}", DisplayErrorContext(&err));
    if INVALID_CODES.iter().any(|c| code.ends_with(c)) {
        QueueError::Invalid(text)
    } else {
        QueueError::Retryable(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn entry(body: &str) -> Entry {
        Entry {
            group: None,
            body: body.to_owned(),
        }
    }

    #[test]
    fn batches_hold_at_most_ten_entries_and_the_byte_limit() {
        let entries: Vec<Entry> = (0..23).map(|i| entry(&"x".repeat(10 + i))).collect();
        let sizes: Vec<usize> = pack(&entries, 1_000).iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![10, 10, 3]);

        // 400 + 400 fits in 1000, a third does not.
        let big: Vec<Entry> = (0..5).map(|_| entry(&"y".repeat(400))).collect();
        let sizes: Vec<usize> = pack(&big, 1_000).iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![2, 2, 1]);
        assert!(pack(&[], 1_000).is_empty());
    }

    fn quick() -> RetryPolicy {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(1),
        }
    }

    #[tokio::test]
    async fn only_the_entries_a_batch_reports_as_failed_are_sent_again() {
        let entries: Vec<Entry> = ["a", "b", "c", "d"].into_iter().map(entry).collect();
        let batch: Vec<&Entry> = entries.iter().collect();
        let calls: Mutex<Vec<Vec<String>>> = Mutex::new(Vec::new());
        deliver(&batch, quick(), |pending| {
            let bodies: Vec<String> = pending.iter().map(|e| e.body.clone()).collect();
            let first = calls.lock().unwrap().is_empty();
            calls.lock().unwrap().push(bodies);
            async move {
                // The first call loses "b" and "d" to throttling.
                Ok(if first {
                    [1, 3]
                        .into_iter()
                        .map(|index| Failed {
                            index,
                            sender_fault: false,
                            reason: "ThrottlingException: slow down".into(),
                        })
                        .collect()
                } else {
                    Vec::new()
                })
            }
        })
        .await
        .unwrap();
        assert_eq!(
            *calls.lock().unwrap(),
            vec![vec!["a", "b", "c", "d"], vec!["b", "d"]]
        );
    }

    #[tokio::test]
    async fn entries_failing_every_attempt_are_a_retryable_error_never_a_silent_drop() {
        let entries = [entry("a"), entry("b")];
        let batch: Vec<&Entry> = entries.iter().collect();
        let calls = Mutex::new(0);
        let error = deliver(&batch, quick(), |_| {
            *calls.lock().unwrap() += 1;
            async {
                Ok(vec![Failed {
                    index: 0,
                    sender_fault: false,
                    reason: "InternalError: try again".into(),
                }])
            }
        })
        .await
        .unwrap_err();
        assert_eq!(*calls.lock().unwrap(), 3);
        assert!(error.is_retryable());
        assert!(error.to_string().contains("1 of 2 messages"), "{error}");
    }

    #[tokio::test]
    async fn an_entry_sqs_blames_on_the_sender_is_invalid_without_retrying() {
        let entries = [entry("a")];
        let batch: Vec<&Entry> = entries.iter().collect();
        let calls = Mutex::new(0);
        let error = deliver(&batch, quick(), |_| {
            *calls.lock().unwrap() += 1;
            async {
                Ok(vec![Failed {
                    index: 0,
                    sender_fault: true,
                    reason: "InvalidMessageContents: bad character".into(),
                }])
            }
        })
        .await
        .unwrap_err();
        assert_eq!(*calls.lock().unwrap(), 1);
        assert!(!error.is_retryable());
    }
}
