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
use crate::parse::ExtractedPosting;
use crate::store::{PostingStore, StoreError};

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
    /// Extracted postings of one source, normalized by ingest (a crawl is split over several
    /// of these). What the crawler sends.
    Extracted {
        /// The source.
        source: String,
        /// The source's configured company name, which overrides what its postings say.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        company: Option<String>,
        /// The postings.
        postings: Vec<ExtractedPosting>,
    },
    /// Normalized postings of one source. What crawlers sent before postings were
    /// normalized at ingest; still read, so messages queued across an upgrade are kept.
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
            IngestMessage::Extracted { source, .. }
            | IngestMessage::Postings { source, .. }
            | IngestMessage::CrawlComplete { source, .. } => source,
        }
    }

    /// Reads a message body (e.g. an SQS body). A body that is not a valid message is a
    /// permanent error: redelivering it cannot help.
    pub fn from_json(body: &str) -> Result<Self, QueueError> {
        serde_json::from_str(body).map_err(|e| QueueError::Invalid(e.to_string()))
    }

    /// Splits a source's normalized postings into `Postings` messages whose JSON stays under
    /// `max_bytes` each, in id order (each message then covers one slice of ids). A posting
    /// too large for any message on its own has its descriptions truncated to fit: delivered
    /// shortened, never dropped.
    pub fn postings_batches(
        source: &str,
        postings: Vec<JobPosting>,
        max_bytes: usize,
    ) -> Vec<Self> {
        batches(source, postings, max_bytes, |postings| {
            IngestMessage::Postings {
                source: source.to_owned(),
                postings,
            }
        })
    }

    /// Splits a source's extracted postings into `Extracted` messages as `postings_batches`
    /// splits normalized ones.
    pub fn extracted_batches(
        source: &str,
        company: Option<&str>,
        postings: Vec<ExtractedPosting>,
        max_bytes: usize,
    ) -> Vec<Self> {
        let envelope_extra = company.map_or(0, |company| company.len() + 16);
        batches(
            source,
            postings,
            max_bytes.saturating_sub(envelope_extra),
            |postings| IngestMessage::Extracted {
                source: source.to_owned(),
                company: company.map(str::to_owned),
                postings,
            },
        )
    }

    /// The message as JSON.
    pub fn to_json(&self) -> String {
        // Plain data of strings, numbers and dates always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A posting as an ingest message carries it: what batching needs of it.
trait Batched: Serialize {
    fn id(&self) -> &str;
    /// Shortens its descriptions by about `excess` bytes of JSON.
    fn shorten(&mut self, excess: usize);
}

impl Batched for JobPosting {
    fn id(&self) -> &str {
        &self.id
    }

    fn shorten(&mut self, excess: usize) {
        crate::normalize::sanitize::truncate_descriptions(self, excess);
    }
}

impl Batched for ExtractedPosting {
    fn id(&self) -> &str {
        &self.id
    }

    fn shorten(&mut self, excess: usize) {
        let record = &mut self.record;
        let mut html = record.description_html.take().unwrap_or_default();
        let mut text = record.description_text.take().unwrap_or_default();
        crate::normalize::sanitize::truncate_pair(&mut html, &mut text, excess);
        record.description_html = (!html.is_empty()).then_some(html);
        record.description_text = (!text.is_empty()).then_some(text);
    }
}

/// Splits `postings` into messages (`make` wraps each batch) whose JSON stays under
/// `max_bytes`, in id order, shortening any posting too large for a message of its own.
fn batches<T: Batched>(
    source: &str,
    postings: Vec<T>,
    max_bytes: usize,
    make: impl Fn(Vec<T>) -> IngestMessage,
) -> Vec<IngestMessage> {
    // The envelope around the postings array, plus a comma per posting.
    let envelope = 64 + source.len();
    let budget = max_bytes.saturating_sub(envelope).max(1024);
    let mut messages = Vec::new();
    let mut batch = Vec::new();
    let mut batch_bytes = 0;
    // In id order, so each message covers one slice of the source's ids and the store
    // reads only that slice of its index (`PostingStore::source_entries`).
    let mut postings = postings;
    postings.sort_unstable_by(|a, b| a.id().cmp(b.id()));
    for mut posting in postings {
        let mut size = json_len(&posting);
        if size > budget {
            posting.shorten(size - budget);
            size = json_len(&posting);
        }
        if !batch.is_empty() && batch_bytes + size + 1 > budget {
            messages.push(make(std::mem::take(&mut batch)));
            batch_bytes = 0;
        }
        batch_bytes += size + 1;
        batch.push(posting);
    }
    if !batch.is_empty() {
        messages.push(make(batch));
    }
    messages
}

fn json_len(posting: &impl Serialize) -> usize {
    serde_json::to_vec(posting).map_or(0, |json| json.len())
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
/// on SQS and in process. Safe under at-least-once, unordered delivery: a crawl-complete
/// marker never closes a posting fetched after its crawl started.
pub async fn handle_ingest_message(
    store: &dyn PostingStore,
    message: IngestMessage,
    now: DateTime<Utc>,
    config: &IngestConfig,
) -> Result<Handled, StoreError> {
    match message {
        IngestMessage::Extracted {
            source,
            company,
            postings,
        } => {
            // Normalized here, with the source the message names (a record claiming an id
            // its content does not give is dropped, as a foreign posting is below).
            let postings = postings
                .into_iter()
                .filter_map(|posting| {
                    let id = posting.id.clone();
                    posting
                        .normalize(&source, company.as_deref())
                        .inspect_err(|skip| tracing::warn!(%source, %id, %skip, "record dropped"))
                        .ok()
                })
                .collect();
            ingest::ingest_postings(store, postings, now, config)
                .await
                .map(Handled::Postings)
        }
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
        IngestMessage::CrawlComplete {
            source,
            started_at,
            mut ids,
        } => {
            // SQS may deliver a marker late, after a later crawl's postings: a posting that
            // crawl fetched (first seen, or changed, after this crawl started) is newer news
            // than this marker's list, so it counts as listed and a stale marker cannot close
            // it. One more read of the source's index, once per crawl.
            ids.extend(
                store
                    .source_index(&source)
                    .await?
                    .into_iter()
                    .filter(|entry| entry.fetched_at > started_at)
                    .map(|entry| entry.id),
            );
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

    #[test]
    fn postings_are_split_into_messages_under_the_size_limit_and_none_is_dropped() {
        let mut postings: Vec<JobPosting> =
            (0..40).map(|i| posting("lever", &i.to_string())).collect();
        let mut huge = posting("lever", "huge");
        huge.description_html = format!("<p>{}</p>", "Backend work in Rust. ".repeat(40_000));
        huge.description_text = "Backend work in Rust. ".repeat(40_000);
        postings.push(huge);
        let limit = 64 * 1024;
        let messages = IngestMessage::postings_batches("lever", postings, limit);
        assert!(messages.len() > 2);
        let mut ids = Vec::new();
        for message in &messages {
            assert!(
                message.to_json().len() <= limit,
                "{}",
                message.to_json().len()
            );
            let IngestMessage::Postings { source, postings } = message else {
                panic!("postings messages only");
            };
            assert_eq!(source, "lever");
            ids.extend(postings.iter().map(|p| p.external_id.clone().unwrap()));
        }
        assert_eq!(ids.len(), 41, "every posting is delivered");
        assert!(ids.contains(&"huge".to_owned()));
        let last = messages
            .iter()
            .find_map(|m| match m {
                IngestMessage::Postings { postings, .. } => postings
                    .iter()
                    .find(|p| p.external_id.as_deref() == Some("huge"))
                    .cloned(),
                _ => None,
            })
            .unwrap();
        assert!(last.description_text.ends_with('…'));
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

    /// Postings of `lever` fetched at `at`, with these external ids.
    fn fetched(ids: &[&str], at: DateTime<Utc>) -> Vec<JobPosting> {
        ids.iter()
            .map(|id| JobPosting {
                fetched_at: at,
                ..posting("lever", id)
            })
            .collect()
    }

    fn hours(h: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + chrono::Duration::hours(h)
    }

    async fn deliver(store: &MemoryStore, message: IngestMessage, now: DateTime<Utc>) -> Handled {
        handle_ingest_message(store, message, now, &IngestConfig::default())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_late_marker_of_an_older_crawl_does_not_close_what_a_newer_crawl_fetched() {
        let store = MemoryStore::new();
        let second = fetched(&["a", "b"], hours(2));
        let postings = IngestMessage::Postings {
            source: "lever".into(),
            postings: second.clone(),
        };
        deliver(&store, postings, hours(3)).await;
        let complete = |started_at, ids: &[JobPosting]| IngestMessage::CrawlComplete {
            source: "lever".into(),
            started_at,
            ids: ids.iter().map(|p| p.id.clone()).collect(),
        };
        deliver(&store, complete(hours(2), &second), hours(3)).await;
        // The first crawl (at hour 1) listed only "a"; its marker arrives last.
        let handled = deliver(&store, complete(hours(1), &second[..1]), hours(4)).await;
        assert!(matches!(handled, Handled::CrawlComplete(r) if r.closed == 0 && r.open == 2));
        let open = store.get_many(&[second[1].id.clone()]).await.unwrap();
        assert_eq!(open[0].posting.closed_at, None);
    }

    #[tokio::test]
    async fn a_copy_fetched_before_a_posting_closed_does_not_reopen_it_and_a_later_one_does() {
        let store = MemoryStore::new();
        let first = fetched(&["keep", "gone"], hours(1));
        let message = |postings: Vec<JobPosting>| IngestMessage::Postings {
            source: "lever".into(),
            postings,
        };
        deliver(&store, message(first.clone()), hours(1)).await;
        let complete = IngestMessage::CrawlComplete {
            source: "lever".into(),
            started_at: hours(2),
            ids: vec![first[0].id.clone()],
        };
        deliver(&store, complete, hours(2)).await;

        // A redelivered copy from hour 1: news from before the closing.
        let Handled::Postings(report) = deliver(&store, message(first.clone()), hours(3)).await
        else {
            panic!("a postings report");
        };
        assert_eq!((report.reopened, report.stale), (0, 1));
        let gone = store.get_many(&[first[1].id.clone()]).await.unwrap();
        assert_eq!(gone[0].posting.closed_at, Some(hours(2)));

        // Listed again by a crawl after the closing: reopened.
        let back = fetched(&["gone"], hours(4));
        let Handled::Postings(report) = deliver(&store, message(back), hours(4)).await else {
            panic!("a postings report");
        };
        assert_eq!(report.reopened, 1);
        let gone = store.get_many(&[first[1].id.clone()]).await.unwrap();
        assert_eq!(gone[0].posting.closed_at, None);
    }

    /// The Lever board's first posting as the crawler sends it, with this external id.
    fn extracted(id: &str) -> ExtractedPosting {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/corpus/lever/postings_rsp.json"
        ))
        .unwrap();
        let options = crate::parse::ParseOptions {
            kind: crate::extract::ExtractKind::Auto,
            url: None,
            source: Some("lever"),
            company_override: None,
            fetched_at: hours(1),
            max_bytes: crate::parse::DEFAULT_MAX_DOCUMENT_BYTES,
        };
        let mut posting = crate::parse::extract_document(&bytes, &options)
            .unwrap()
            .postings
            .remove(0);
        posting.record.external_id = Some(id.into());
        posting.id = crate::identity::posting_id("lever", Some(id), &{
            let url = posting.record.url.clone().unwrap();
            crate::identity::canonical_url(&url, None).unwrap()
        });
        posting
    }

    #[tokio::test]
    async fn extracted_postings_are_normalized_at_ingest_and_an_altered_one_is_dropped() {
        let store = MemoryStore::new();
        let good = extracted("1");
        let mut altered = extracted("2");
        altered.id = "0123456789abcdef0123456789abcdef".into();
        let message = IngestMessage::Extracted {
            source: "lever".into(),
            company: Some("Lever Co".into()),
            postings: vec![good.clone(), altered],
        };
        let Handled::Postings(report) = deliver(&store, message, hours(2)).await else {
            panic!("a postings report");
        };
        assert_eq!(report.new, 1);
        let stored = store
            .get_many(std::slice::from_ref(&good.id))
            .await
            .unwrap();
        let posting = &stored[0].posting;
        assert_eq!(
            posting.company.name, "Lever Co",
            "the source's company override"
        );
        assert_eq!(posting.source, "lever");
        assert!(
            !posting.description_text.is_empty(),
            "normalized: {posting:?}"
        );
        assert!(
            store
                .get_many(&["0123456789abcdef0123456789abcdef".into()])
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn extracted_postings_are_split_under_the_size_limit_with_raw_descriptions_cut() {
        let mut postings: Vec<ExtractedPosting> =
            (0..30).map(|i| extracted(&i.to_string())).collect();
        let mut huge = extracted("huge");
        huge.record.description_html = Some(format!(
            "<div style=\"x\"><p>{}</p></div>",
            "Rust &amp; Go. ".repeat(30_000)
        ));
        postings.push(huge);
        let limit = 64 * 1024;
        let messages = IngestMessage::extracted_batches("lever", Some("Lever Co"), postings, limit);
        let mut delivered = 0;
        for message in &messages {
            assert!(
                message.to_json().len() <= limit,
                "{}",
                message.to_json().len()
            );
            let IngestMessage::Extracted {
                source,
                company,
                postings,
            } = message
            else {
                panic!("extracted messages only");
            };
            assert_eq!(
                (source.as_str(), company.as_deref()),
                ("lever", Some("Lever Co"))
            );
            for posting in postings {
                let html = posting
                    .record
                    .description_html
                    .as_deref()
                    .unwrap_or_default();
                if posting.record.external_id.as_deref() == Some("huge") {
                    assert!(
                        html.len() < limit && html.ends_with("</p></div>"),
                        "{}",
                        &html[html.len() - 40..]
                    );
                }
                delivered += 1;
            }
        }
        assert_eq!(delivered, 31, "every posting is delivered");
    }
}
