//! The messages between the use cases: crawl tasks (scheduler → crawler, and crawler →
//! crawler for a crawl that goes on in another invocation) and ingest messages (crawler →
//! ingest), with how each is split to fit a queue's message limit.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::JobPosting;
use crate::parse::ExtractedPosting;
use crate::queue::{Body, QueueError};

/// Largest ingest message, in bytes of JSON (SQS allows 256 KiB; leave room for attributes).
pub const MAX_MESSAGE_BYTES: usize = 240 * 1024;

/// A request to crawl one source (scheduler → crawler, or crawler → crawler).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlTask {
    /// The source's configured name.
    pub source: String,
    /// When the scheduler found it due (or the crawler continued it).
    pub due_at: DateTime<Utc>,
    /// Set on a continuation: the crawl it goes on with and the step it is. A task whose
    /// step is not the crawl's next one (a duplicate, or one overtaken by a take-over) is
    /// dropped, so one crawl never runs twice at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<Resume>,
    /// The host of the source's URL, lower case: the task's FIFO group, carried so that a
    /// crawler whose configuration does not know the source (one registered after it
    /// started) groups the continuation with the task it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// Which crawl, and which step of it, a continuation task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resume {
    /// When the crawl started (its identity).
    pub started_at: DateTime<Utc>,
    /// The step this task runs (the first invocation is step 0).
    pub step: u32,
}

impl CrawlTask {
    /// A scheduled task for `source`.
    pub fn scheduled(source: impl Into<String>, due_at: DateTime<Utc>) -> Self {
        CrawlTask {
            source: source.into(),
            due_at,
            resume: None,
            host: None,
        }
    }
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
    /// The end of a complete crawl with every posting id the source had: what crawlers
    /// sent before they worked out what to close themselves (`Close`); still read, so
    /// messages queued across an upgrade are kept.
    CrawlComplete {
        /// The source.
        source: String,
        /// When the crawl started (postings fetched later are newer than this marker).
        started_at: DateTime<Utc>,
        /// Every current posting id.
        ids: Vec<String>,
    },
    /// Part of the end of a complete crawl: postings of the source it no longer lists (or
    /// past their `valid_through`) to close, and fingerprints of its recently first-seen
    /// postings whose duplicates are checked again. A crawl sends as many as its lists
    /// need; each stands on its own.
    Close {
        /// The source.
        source: String,
        /// When the crawl started: a posting fetched after it, or a crawl of the source
        /// started after it, makes this message's closing stale.
        started_at: DateTime<Utc>,
        /// Posting ids to close.
        #[serde(default)]
        ids: Vec<String>,
        /// Fingerprints whose duplicate groups are settled again.
        #[serde(default)]
        recheck: Vec<String>,
    },
}

impl IngestMessage {
    /// The source the message is about.
    pub fn source(&self) -> &str {
        match self {
            IngestMessage::Extracted { source, .. }
            | IngestMessage::Postings { source, .. }
            | IngestMessage::CrawlComplete { source, .. }
            | IngestMessage::Close { source, .. } => source,
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

    /// Splits what a crawl closes into `Close` messages whose JSON stays under `max_bytes`
    /// each (about 6,000 ids per SQS message). No message when there is nothing to do.
    pub fn close_batches(
        source: &str,
        started_at: DateTime<Utc>,
        ids: Vec<String>,
        recheck: Vec<String>,
        max_bytes: usize,
    ) -> Vec<Self> {
        // The envelope, then a quoted value and a comma per id or fingerprint.
        let envelope = 160 + source.len();
        let budget = max_bytes.saturating_sub(envelope).max(64);
        let mut messages = Vec::new();
        let mut current = (Vec::new(), Vec::new());
        let mut used = 0;
        let values = ids
            .into_iter()
            .map(|id| (true, id))
            .chain(recheck.into_iter().map(|f| (false, f)));
        for (is_id, value) in values {
            let size = value.len() + 3;
            if used + size > budget && (!current.0.is_empty() || !current.1.is_empty()) {
                let (ids, recheck) = std::mem::take(&mut current);
                messages.push(IngestMessage::Close {
                    source: source.to_owned(),
                    started_at,
                    ids,
                    recheck,
                });
                used = 0;
            }
            used += size;
            if is_id {
                current.0.push(value);
            } else {
                current.1.push(value);
            }
        }
        if !current.0.is_empty() || !current.1.is_empty() {
            messages.push(IngestMessage::Close {
                source: source.to_owned(),
                started_at,
                ids: current.0,
                recheck: current.1,
            });
        }
        messages
    }
}

impl Body for IngestMessage {
    /// A postings message (extracted or normalized) or a close message is split by size; the
    /// legacy crawl-complete marker is one body.
    fn into_bodies(self, max_bytes: usize) -> Result<Vec<String>, QueueError> {
        let messages = match self {
            IngestMessage::Extracted {
                source,
                company,
                postings,
            } => IngestMessage::extracted_batches(&source, company.as_deref(), postings, max_bytes),
            IngestMessage::Postings { source, postings } => {
                IngestMessage::postings_batches(&source, postings, max_bytes)
            }
            IngestMessage::Close {
                source,
                started_at,
                ids,
                recheck,
            } => IngestMessage::close_batches(&source, started_at, ids, recheck, max_bytes),
            complete @ IngestMessage::CrawlComplete { .. } => vec![complete],
        };
        Ok(messages.iter().map(IngestMessage::to_json).collect())
    }
}

impl Body for CrawlTask {
    fn into_bodies(self, _max_bytes: usize) -> Result<Vec<String>, QueueError> {
        serde_json::to_string(&self)
            .map(|body| vec![body])
            .map_err(|e| QueueError::Invalid(format!("crawl task of {}: {e}", self.source)))
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
        crate::markup::cut::truncate_descriptions(self, excess);
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
        crate::markup::cut::truncate_pair(&mut html, &mut text, excess);
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
    // In id order, so each message covers one slice of the ids it carries and the store
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

/// The size of a posting in a message, in bytes of JSON.
pub(crate) fn json_len(posting: &impl Serialize) -> usize {
    serde_json::to_vec(posting).map_or(0, |json| json.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::{extracted, posting};

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

    #[test]
    fn ingest_messages_round_trip_through_json_and_garbage_is_invalid() {
        let message = IngestMessage::Close {
            source: "gh".into(),
            started_at: Utc::now(),
            ids: vec!["x".into()],
            recheck: vec![],
        };
        assert_eq!(
            IngestMessage::from_json(&message.to_json()).unwrap(),
            message
        );
        assert!(message.to_json().contains("\"type\":\"close\""));
        let error = IngestMessage::from_json("{\"type\":\"nope\"}").unwrap_err();
        assert!(!error.is_retryable());
        assert!(IngestMessage::from_json("\u{0}garbage").is_err());
    }

    #[test]
    fn close_messages_split_any_number_of_ids_under_the_limit_and_drop_none() {
        let ids: Vec<String> = (0..20_000).map(|i| format!("{i:032x}")).collect();
        let recheck: Vec<String> = (0..3_000).map(|i| format!("{i:032}")).collect();
        let started = DateTime::UNIX_EPOCH;
        let messages =
            IngestMessage::close_batches("gh", started, ids.clone(), recheck.clone(), 64 * 1024);
        assert!(messages.len() > 10);
        let (mut got_ids, mut got_recheck) = (Vec::new(), Vec::new());
        for message in messages {
            assert!(message.to_json().len() <= 64 * 1024);
            let IngestMessage::Close {
                started_at,
                ids,
                recheck,
                ..
            } = message
            else {
                panic!("close messages only");
            };
            assert_eq!(started_at, started);
            got_ids.extend(ids);
            got_recheck.extend(recheck);
        }
        assert_eq!((got_ids, got_recheck), (ids, recheck));
        assert!(IngestMessage::close_batches("gh", started, vec![], vec![], 1024).is_empty());
    }

    #[test]
    fn a_crawl_task_is_one_json_body_and_a_continuation_names_its_crawl_and_step() {
        let task = CrawlTask::scheduled("gitlab", DateTime::UNIX_EPOCH);
        assert_eq!(
            task.into_bodies(100).unwrap(),
            vec![r#"{"source":"gitlab","due_at":"1970-01-01T00:00:00Z"}"#]
        );
        let continuation = CrawlTask {
            resume: Some(Resume {
                started_at: DateTime::UNIX_EPOCH,
                step: 3,
            }),
            ..CrawlTask::scheduled("gitlab", DateTime::UNIX_EPOCH)
        };
        let body = continuation.clone().into_bodies(1000).unwrap().remove(0);
        assert!(body.contains(r#""resume":{"started_at":"1970-01-01T00:00:00Z","step":3}"#));
        assert_eq!(
            serde_json::from_str::<CrawlTask>(&body).unwrap(),
            continuation
        );
    }
}
