//! In-process queues: a bounded tokio channel standing in for SQS on one machine (a crawl
//! that gets ahead of ingest waits, so the messages in flight stay bounded), and a
//! collector that keeps what is sent (a crawl's continuation tasks on one machine).

use std::sync::Mutex;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{Queue, QueueError};

/// The sending half of an in-process queue.
#[derive(Debug)]
pub struct InProcessQueue<M> {
    sender: mpsc::Sender<M>,
}

impl<M> Clone for InProcessQueue<M> {
    fn clone(&self) -> Self {
        InProcessQueue {
            sender: self.sender.clone(),
        }
    }
}

/// A new queue holding at most `capacity` messages (at least one), and the receiver its
/// consumer reads from.
pub fn channel<M>(capacity: usize) -> (InProcessQueue<M>, mpsc::Receiver<M>) {
    let (sender, receiver) = mpsc::channel(capacity.max(1));
    (InProcessQueue { sender }, receiver)
}

#[async_trait]
impl<M: Send + Sync + 'static> Queue<M> for InProcessQueue<M> {
    /// Waits while the queue is full.
    async fn send(&self, messages: Vec<M>) -> Result<(), QueueError> {
        for message in messages {
            self.sender
                .send(message)
                .await
                .map_err(|_| QueueError::Retryable("the in-process consumer has stopped".into()))?;
        }
        Ok(())
    }
}

/// A queue that keeps every message sent to it, in order, until taken.
#[derive(Debug)]
pub struct Collector<M> {
    sent: Mutex<Vec<M>>,
}

impl<M> Default for Collector<M> {
    fn default() -> Self {
        Collector {
            sent: Mutex::new(Vec::new()),
        }
    }
}

impl<M> Collector<M> {
    /// Everything sent since the last `take`, oldest first.
    pub fn take(&self) -> Vec<M> {
        std::mem::take(&mut *self.sent.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[async_trait]
impl<M: Send + Sync + 'static> Queue<M> for Collector<M> {
    async fn send(&self, messages: Vec<M>) -> Result<(), QueueError> {
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(messages);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn messages_arrive_in_order_and_a_stopped_consumer_is_a_retryable_error() {
        let (queue, mut receiver) = channel::<&'static str>(4);
        queue.send(vec!["a", "b"]).await.unwrap();
        assert_eq!(receiver.recv().await, Some("a"));
        assert_eq!(receiver.recv().await, Some("b"));
        drop(receiver);
        let error = queue.send(vec!["c"]).await.unwrap_err();
        assert!(error.is_retryable());
    }

    #[tokio::test]
    async fn a_full_queue_makes_the_sender_wait_for_the_consumer() {
        let (queue, mut receiver) = channel::<u32>(2);
        let sending = tokio::spawn(async move { queue.send((0..5).collect()).await });
        tokio::task::yield_now().await;
        assert!(!sending.is_finished(), "five messages do not fit in two");
        let mut got = Vec::new();
        while got.len() < 5 {
            got.push(receiver.recv().await.unwrap());
        }
        sending.await.unwrap().unwrap();
        assert_eq!(got, vec![0, 1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn a_collector_keeps_what_was_sent_until_it_is_taken() {
        let collector = Collector::default();
        collector.send(vec![1, 2]).await.unwrap();
        collector.send(vec![3]).await.unwrap();
        assert_eq!(collector.take(), vec![1, 2, 3]);
        assert!(collector.take().is_empty());
    }
}
