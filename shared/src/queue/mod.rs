//! Queue port: the narrow trait that sends messages (scheduler → crawler → ingest), with an
//! in-process adapter (`memory`) for one machine and an SQS adapter (`sqs`) on AWS. The
//! messages themselves belong to the use cases (`app::messages`); a queue only needs
//! to turn each into bodies (`Body`).

pub mod memory;
#[cfg(feature = "sqs")]
pub mod sqs;

use async_trait::async_trait;

/// A message a queue that carries text bodies (SQS) can send: how it becomes bodies.
pub trait Body: Send + Sync + 'static {
    /// The bodies carrying this message, each at most `max_bytes` (more than one when the
    /// message has to be split). `Invalid` when it cannot be carried at all.
    fn into_bodies(self, max_bytes: usize) -> Result<Vec<String>, QueueError>;
}

/// Queue failures, split by what the caller should do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    /// Worth retrying: throttling, a network error, a closed in-process queue being
    /// restarted.
    #[error("queue temporarily unavailable: {0}")]
    Retryable(String),
    /// A message that can never be processed or sent (malformed, too large).
    #[error("invalid message: {0}")]
    Invalid(String),
}

impl QueueError {
    /// Whether the caller should retry.
    pub fn is_retryable(&self) -> bool {
        matches!(self, QueueError::Retryable(_))
    }
}

/// Sends messages of one kind.
#[async_trait]
pub trait Queue<M: Send + Sync + 'static>: Send + Sync {
    /// Sends every message or fails; never drops one silently.
    async fn send(&self, messages: Vec<M>) -> Result<(), QueueError>;

    /// The largest message body this queue carries, in bytes of JSON, or `None` when there
    /// is no limit (in process). Publishers check a message that cannot be split against it
    /// before sending, since `send` fails as a whole on one message over the limit.
    fn max_message_bytes(&self) -> Option<usize> {
        None
    }
}
