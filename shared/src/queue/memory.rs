//! In-process queue: a tokio channel standing in for SQS on one machine. Unbounded, so a
//! crawl never blocks on a slow ingest; the consumer drains it in order.

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{Queue, QueueError};

/// The sending half of an in-process queue.
#[derive(Debug)]
pub struct InProcessQueue<M> {
    sender: mpsc::UnboundedSender<M>,
}

impl<M> Clone for InProcessQueue<M> {
    fn clone(&self) -> Self {
        InProcessQueue {
            sender: self.sender.clone(),
        }
    }
}

/// A new queue and the receiver its consumer reads from.
pub fn channel<M>() -> (InProcessQueue<M>, mpsc::UnboundedReceiver<M>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    (InProcessQueue { sender }, receiver)
}

#[async_trait]
impl<M: Send + Sync + 'static> Queue<M> for InProcessQueue<M> {
    async fn send(&self, messages: Vec<M>) -> Result<(), QueueError> {
        for message in messages {
            self.sender
                .send(message)
                .map_err(|_| QueueError::Retryable("the in-process consumer has stopped".into()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::IngestMessage;
    use chrono::Utc;

    #[tokio::test]
    async fn messages_arrive_in_order_and_a_stopped_consumer_is_a_retryable_error() {
        let (queue, mut receiver) = channel::<IngestMessage>();
        let complete = |source: &str| IngestMessage::CrawlComplete {
            source: source.into(),
            started_at: Utc::now(),
            ids: vec![],
        };
        queue
            .send(vec![complete("a"), complete("b")])
            .await
            .unwrap();
        assert_eq!(receiver.recv().await.unwrap().source(), "a");
        assert_eq!(receiver.recv().await.unwrap().source(), "b");
        drop(receiver);
        let error = queue.send(vec![complete("c")]).await.unwrap_err();
        assert!(error.is_retryable());
    }

    #[test]
    fn ingest_messages_round_trip_through_json_and_garbage_is_invalid() {
        let message = IngestMessage::CrawlComplete {
            source: "gh".into(),
            started_at: Utc::now(),
            ids: vec!["x".into()],
        };
        assert_eq!(
            IngestMessage::from_json(&message.to_json()).unwrap(),
            message
        );
        assert!(message.to_json().contains("\"type\":\"crawl_complete\""));
        let error = IngestMessage::from_json("{\"type\":\"nope\"}").unwrap_err();
        assert!(!error.is_retryable());
        assert!(IngestMessage::from_json("\u{0}garbage").is_err());
    }
}
