//! Queue port: the messages that flow from the scheduler to the crawler and from the crawler
//! to ingest, and the narrow trait that sends them. SQS carries them on AWS; an in-process
//! queue carries them on one machine.

pub mod memory;
#[cfg(feature = "sqs")]
pub mod sqs;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ingest::{self, IngestConfig};
use crate::model::JobPosting;
use crate::normalize::sanitize::sanitize_html;
use crate::store::{PostingStore, StoreError};

/// SQS's limit on one message body, and on the bodies of one `SendMessageBatch` together:
/// 256 KiB.
pub const SQS_MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// A request to crawl one source (scheduler → crawler).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlTask {
    /// The source's configured name.
    pub source: String,
    /// When the scheduler found it due.
    pub due_at: DateTime<Utc>,
}

/// What the crawler sends to ingest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum IngestMessage {
    /// Normalized postings of one source (a crawl is split over several of these).
    Postings {
        /// The source.
        source: String,
        /// The postings.
        postings: Vec<JobPosting>,
    },
    /// The end of a complete crawl: every posting id the source has now.
    CrawlComplete {
        /// The source.
        source: String,
        /// When the crawl started (postings fetched later are newer than this marker).
        started_at: DateTime<Utc>,
        /// Every current posting id.
        ids: Vec<String>,
    },
}

impl IngestMessage {
    /// The source the message is about.
    pub fn source(&self) -> &str {
        match self {
            IngestMessage::Postings { source, .. }
            | IngestMessage::CrawlComplete { source, .. } => source,
        }
    }

    /// Reads a message body (e.g. an SQS body). A body that is not a valid message is a
    /// permanent error: redelivering it cannot help.
    pub fn from_json(body: &str) -> Result<Self, QueueError> {
        serde_json::from_str(body).map_err(|e| QueueError::Invalid(e.to_string()))
    }

    /// The message as JSON.
    pub fn to_json(&self) -> String {
        // Plain data of strings, numbers and dates always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Every posting of `source`, in order, as `Postings` messages whose JSON is at most
    /// `max_bytes` each (none for no postings). A posting too big for a message of its own
    /// has its descriptions cut (the text ends in `…`, the HTML is re-balanced) until it
    /// fits: it is never dropped. Only a posting that is too big even without any
    /// description stays over the limit, for the sender to refuse loudly.
    pub fn postings_batches(
        source: &str,
        postings: Vec<JobPosting>,
        max_bytes: usize,
    ) -> Vec<IngestMessage> {
        let empty = IngestMessage::Postings {
            source: source.to_owned(),
            postings: Vec::new(),
        };
        // Compact JSON is context-free: a message is its envelope plus each posting's own
        // JSON plus one comma between two postings.
        let envelope = empty.to_json().len();
        let room = max_bytes.saturating_sub(envelope);
        let mut messages = Vec::new();
        let mut current: Vec<JobPosting> = Vec::new();
        let mut used = 0;
        for mut posting in postings {
            let mut size = json_len(&posting);
            if size > room {
                size = shrink_descriptions(&mut posting, room);
            }
            let needed = if current.is_empty() { size } else { size + 1 };
            if !current.is_empty() && used + needed > room {
                messages.push(IngestMessage::Postings {
                    source: source.to_owned(),
                    postings: std::mem::take(&mut current),
                });
                used = 0;
            }
            used += if current.is_empty() { size } else { size + 1 };
            current.push(posting);
        }
        if !current.is_empty() {
            messages.push(IngestMessage::Postings {
                source: source.to_owned(),
                postings: current,
            });
        }
        messages
    }
}

fn json_len(posting: &JobPosting) -> usize {
    serde_json::to_vec(posting).map_or(0, |json| json.len())
}

/// Cuts a posting's descriptions until its JSON is at most `max_bytes`, and returns its
/// size then (still over `max_bytes` only when the descriptions are gone and it does not fit
/// anyway).
fn shrink_descriptions(posting: &mut JobPosting, max_bytes: usize) -> usize {
    let mut size = json_len(posting);
    // Escaping makes JSON longer than the text it holds, and the sanitizer can add closing
    // tags back, so a cut is checked and, rarely, repeated.
    for _ in 0..8 {
        let html = posting.description_html.len();
        let total = html + posting.description_text.len();
        if size <= max_bytes || total == 0 {
            break;
        }
        let keep = total.saturating_sub(size - max_bytes + 256);
        let html_keep = (keep as u128 * html as u128 / total as u128) as usize;
        posting.description_html = cut_html(&posting.description_html, html_keep);
        posting.description_text =
            cut_text(&posting.description_text, keep.saturating_sub(html_keep));
        size = json_len(posting);
    }
    size
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let end = (0..=max.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    text.get(..end).unwrap_or_default()
}

fn cut_text(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    format!("{}…", prefix(text, max.saturating_sub('…'.len_utf8())))
}

fn cut_html(html: &str, max: usize) -> String {
    if html.len() <= max {
        return html.to_owned();
    }
    let head = prefix(html, max);
    // A tag cut in half would otherwise come back as text.
    let head = match (head.rfind('<'), head.rfind('>')) {
        (Some(open), close) if close.is_none_or(|close| close < open) => {
            head.get(..open).unwrap_or_default()
        }
        _ => head,
    };
    // The sanitizer closes the elements the cut left open.
    sanitize_html(head, None)
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
}

/// What handling one ingest message did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Handled {
    /// A postings batch was ingested.
    Postings(ingest::IngestReport),
    /// A crawl-complete marker was applied.
    CrawlComplete(ingest::CompletionReport),
}

/// Applies one ingest message to the store: the whole job of the `ingest` consumer, the same
/// on SQS and in process.
pub async fn handle_ingest_message(
    store: &dyn PostingStore,
    message: IngestMessage,
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<Handled, StoreError> {
    match message {
        IngestMessage::Postings { source, postings } => {
            // A message names its source; a posting claiming another one is not trusted.
            let postings = postings
                .into_iter()
                .filter(|p| p.source == source)
                .collect();
            ingest::ingest_postings(store, postings, now, config)
                .await
                .map(Handled::Postings)
        }
        IngestMessage::CrawlComplete { source, ids, .. } => {
            ingest::complete_crawl(store, &source, &ids, now, config)
                .await
                .map(Handled::CrawlComplete)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory::MemoryStore;

    fn posting(source: &str, id: &str) -> JobPosting {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/corpus/lever/postings_rsp.json"
        ))
        .unwrap();
        let options = crate::parse::ParseOptions {
            kind: crate::extract::ExtractKind::Auto,
            url: None,
            source: Some(source),
            company_override: None,
            fetched_at: Utc::now(),
            max_bytes: crate::parse::DEFAULT_MAX_DOCUMENT_BYTES,
        };
        let mut p = crate::parse::parse_document(&bytes, &options)
            .unwrap()
            .postings
            .remove(0);
        p.external_id = Some(id.into());
        crate::identity::stamp(&mut p);
        p
    }

    #[tokio::test]
    async fn ingest_messages_reach_the_store_and_foreign_postings_are_dropped() {
        let store = MemoryStore::new();
        let config = IngestConfig::default();
        let own = posting("lever", "1");
        let foreign = posting("greenhouse", "2");
        let message = IngestMessage::Postings {
            source: "lever".into(),
            postings: vec![own.clone(), foreign],
        };
        let handled = handle_ingest_message(&store, message, Utc::now(), &config)
            .await
            .unwrap();
        let Handled::Postings(report) = handled else {
            panic!("a postings report");
        };
        assert_eq!(report.new, 1);
        assert!(store.source_index("greenhouse").await.unwrap().is_empty());

        let complete = IngestMessage::CrawlComplete {
            source: "lever".into(),
            started_at: Utc::now(),
            ids: vec![own.id.clone()],
        };
        let handled = handle_ingest_message(&store, complete, Utc::now(), &config)
            .await
            .unwrap();
        assert!(matches!(handled, Handled::CrawlComplete(r) if r.open == 1 && r.closed == 0));
    }

    #[test]
    fn postings_are_split_by_size_in_order_and_none_is_lost() {
        let postings: Vec<JobPosting> = (0..40)
            .map(|i| {
                let mut p = posting("lever", &i.to_string());
                p.description_text = format!("{i} ").repeat(2_000);
                p
            })
            .collect();
        let ids: Vec<String> = postings.iter().map(|p| p.id.clone()).collect();
        let max = 32 * 1024;
        let messages = IngestMessage::postings_batches("lever", postings, max);
        assert!(messages.len() > 1, "{} messages", messages.len());
        let mut seen = Vec::new();
        for message in &messages {
            assert!(message.to_json().len() <= max, "{}", message.to_json().len());
            let IngestMessage::Postings { source, postings } = message else {
                panic!("a postings message");
            };
            assert_eq!(source, "lever");
            assert!(!postings.is_empty());
            seen.extend(postings.iter().map(|p| p.id.clone()));
        }
        assert_eq!(seen, ids);
        assert!(IngestMessage::postings_batches("lever", Vec::new(), max).is_empty());
    }

    #[test]
    fn a_posting_too_big_for_one_message_is_cut_to_fit_not_dropped() {
        let mut big = posting("lever", "big");
        big.description_text = "Rust and SQS. ".repeat(30_000);
        big.description_html = "<p>Rust &amp; <b>SQS</b> \"quoted\"</p>".repeat(10_000);
        let max = crate::queue::SQS_MAX_MESSAGE_BYTES;
        let messages = IngestMessage::postings_batches("lever", vec![big.clone()], max);
        assert_eq!(messages.len(), 1);
        let json = messages[0].to_json();
        assert!(json.len() <= max, "{}", json.len());
        // Most of the room is still used: the cut is not needlessly deep.
        assert!(json.len() > max / 2, "{}", json.len());
        let IngestMessage::Postings { postings, .. } = &messages[0] else {
            panic!("a postings message");
        };
        let cut = &postings[0];
        assert_eq!(cut.id, big.id);
        assert_eq!(cut.title, big.title);
        assert!(cut.description_text.ends_with('…'));
        assert!(big.description_text.starts_with(cut.description_text.trim_end_matches('…')));
        assert!(cut.description_html.starts_with("<p>Rust &amp; <b>SQS</b>"));
        assert!(cut.description_html.ends_with("</p>"), "balanced HTML");
    }
}
