//! The SQS queue adapter against moto_server (started by `scripts/test`): postings split
//! over several messages and batches arrive whole, crawl tasks on a FIFO queue carry their
//! group, and a message that can never be sent is an error, not a silent drop.

use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use chrono::{DateTime, Utc};
use jobfeed::JobPosting;
use jobfeed::app::messages::{CrawlTask, IngestMessage};
use jobfeed::queue::Queue;
use jobfeed::queue::sqs::{SQS_MAX_MESSAGE_BYTES, SqsQueue};

async fn client() -> Client {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL").is_some(),
        "AWS_ENDPOINT_URL is not set: the SQS tests need moto_server; run scripts/test, \
         which starts it and points the AWS SDK at it"
    );
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    Client::new(&config)
}

/// A new, uniquely named queue's URL (`.fifo` names make FIFO queues).
async fn fresh_queue(client: &Client, fifo: bool) -> String {
    static QUEUES: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "jobfeed-test-{}-{}{}",
        std::process::id(),
        QUEUES.fetch_add(1, Ordering::Relaxed),
        if fifo { ".fifo" } else { "" }
    );
    let mut request = client.create_queue().queue_name(name);
    if fifo {
        request = request
            .attributes(QueueAttributeName::FifoQueue, "true")
            .attributes(QueueAttributeName::ContentBasedDeduplication, "true");
    }
    request.send().await.unwrap().queue_url.unwrap()
}

/// Every message body on the queue, received until it is empty (and deleted).
async fn drain(client: &Client, url: &str) -> Vec<aws_sdk_sqs::types::Message> {
    let mut all = Vec::new();
    loop {
        let out = client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .message_system_attribute_names(MessageSystemAttributeName::MessageGroupId)
            .send()
            .await
            .unwrap();
        let messages = out.messages.unwrap_or_default();
        if messages.is_empty() {
            return all;
        }
        for message in &messages {
            client
                .delete_message()
                .queue_url(url)
                .receipt_handle(message.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
        all.extend(messages);
    }
}

fn corpus_postings(source: &str) -> Vec<JobPosting> {
    let bytes = include_bytes!("../testdata/corpus/greenhouse/jobs_rsp.json");
    let options = jobfeed::parse::ParseOptions {
        kind: jobfeed::extract::ExtractKind::Auto,
        url: None,
        source: Some(source),
        company_override: None,
        fetched_at: DateTime::UNIX_EPOCH,
        max_bytes: jobfeed::parse::DEFAULT_MAX_DOCUMENT_BYTES,
    };
    jobfeed::parse::parse_document(bytes, &options)
        .unwrap()
        .postings
}

#[tokio::test]
async fn a_crawl_larger_than_one_message_arrives_whole_in_messages_within_the_limit() {
    let client = client().await;
    let url = fresh_queue(&client, false).await;
    // The recorded board, repeated under new ids and with long descriptions, is well over
    // one 256 KiB message (and over one 10-entry batch).
    let mut postings = Vec::new();
    for round in 0..60 {
        for mut p in corpus_postings("gh") {
            p.id = format!("{}-{round}", p.id);
            p.description_text = format!("{round} {}", "Go and Rust services. ".repeat(2_000));
            postings.push(p);
        }
    }
    let sent_bytes: usize = postings
        .iter()
        .map(|p| serde_json::to_vec(p).unwrap().len())
        .sum();
    assert!(
        sent_bytes > 12 * SQS_MAX_MESSAGE_BYTES,
        "{sent_bytes} bytes"
    );
    let ids: Vec<String> = postings.iter().map(|p| p.id.clone()).collect();
    // A crawl's end that closes 20,000 postings: more ids than one SQS message holds.
    let closing: Vec<String> = (0..20_000).map(|i| format!("{i:032x}")).collect();
    let started_at = Utc::now();
    let close = IngestMessage::Close {
        source: "gh".into(),
        started_at,
        ids: closing.clone(),
        recheck: vec![],
    };
    let queue = SqsQueue::standard(client.clone(), &url);
    queue
        .send(vec![
            IngestMessage::Postings {
                source: "gh".into(),
                postings,
            },
            close,
        ])
        .await
        .unwrap();

    let received = drain(&client, &url).await;
    assert!(received.len() > 12, "{} messages", received.len());
    let mut got = Vec::new();
    let mut closed = Vec::new();
    let mut close_messages = 0;
    for message in &received {
        let body = message.body().unwrap();
        assert!(body.len() <= SQS_MAX_MESSAGE_BYTES, "{}", body.len());
        match IngestMessage::from_json(body).unwrap() {
            IngestMessage::Postings { source, postings } => {
                assert_eq!(source, "gh");
                got.extend(postings.into_iter().map(|p| p.id));
            }
            IngestMessage::Close {
                source,
                started_at: stamped,
                ids,
                ..
            } => {
                assert_eq!((source.as_str(), stamped), ("gh", started_at));
                close_messages += 1;
                closed.extend(ids);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    got.sort();
    let mut expected = ids;
    expected.sort();
    assert_eq!(got, expected, "every posting exactly once");
    assert!(close_messages > 1, "{close_messages} close messages");
    assert_eq!(closed, closing, "every id to close exactly once, in order");
}

#[tokio::test]
async fn crawl_tasks_on_a_fifo_queue_are_grouped_by_host() {
    let client = client().await;
    let url = fresh_queue(&client, true).await;
    let queue = SqsQueue::fifo(client.clone(), &url, |task: &CrawlTask| {
        if task.source.starts_with("gh-") {
            "boards-api.greenhouse.io".to_owned()
        } else {
            "api.lever.co".to_owned()
        }
    });
    let due_at = Utc::now();
    let tasks: Vec<CrawlTask> = ["gh-gitlab", "plaid", "gh-datadog"]
        .into_iter()
        .map(|source| CrawlTask::scheduled(source, due_at))
        .collect();
    queue.send(tasks.clone()).await.unwrap();
    // The same tasks again (a retried scheduler run) are deduplicated by SQS.
    queue.send(tasks).await.unwrap();

    let received = drain(&client, &url).await;
    let mut groups: Vec<(String, String)> = received
        .iter()
        .map(|m| {
            let task: CrawlTask = serde_json::from_str(m.body().unwrap()).unwrap();
            let group = m
                .attributes()
                .and_then(|a| a.get(&MessageSystemAttributeName::MessageGroupId))
                .cloned()
                .unwrap();
            (task.source, group)
        })
        .collect();
    groups.sort();
    assert_eq!(
        groups,
        vec![
            ("gh-datadog".into(), "boards-api.greenhouse.io".into()),
            ("gh-gitlab".into(), "boards-api.greenhouse.io".into()),
            ("plaid".into(), "api.lever.co".into()),
        ]
    );
}

#[tokio::test]
async fn a_message_that_cannot_be_split_under_the_limit_is_refused_before_anything_is_sent() {
    let client = client().await;
    let url = fresh_queue(&client, false).await;
    let queue = SqsQueue::standard(client.clone(), &url).with_max_bytes(1_000);
    let small = IngestMessage::CrawlComplete {
        source: "gh".into(),
        started_at: Utc::now(),
        ids: vec!["x".into()],
    };
    let huge = IngestMessage::CrawlComplete {
        source: "gh".into(),
        started_at: Utc::now(),
        ids: vec!["a".repeat(32); 100],
    };
    let error = queue.send(vec![small, huge]).await.unwrap_err();
    assert!(!error.is_retryable());
    assert!(drain(&client, &url).await.is_empty(), "nothing half sent");
}

#[tokio::test]
async fn a_missing_queue_is_a_retryable_error() {
    let client = client().await;
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap();
    let queue: SqsQueue<CrawlTask> = SqsQueue::standard(
        client,
        format!("{endpoint}/123456789012/jobfeed-no-such-queue"),
    );
    let error = queue
        .send(vec![CrawlTask::scheduled("gh", Utc::now())])
        .await
        .unwrap_err();
    assert!(error.is_retryable(), "{error}");
}
