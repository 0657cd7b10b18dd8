//! Test support for the functions (feature `testing`): the stack's table and queues created
//! on moto_server from the same definitions as `template.yaml`, the `events/` files, and a
//! stand-in for Lambda's SQS poller (receive a batch, hand it to a handler, delete what
//! succeeded, make the failures visible again). Panics freely: it only runs in tests.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use yaml_rust2::{Yaml, YamlLoader};

/// The repository's `template.yaml`.
pub const TEMPLATE: &str = include_str!("../../../template.yaml");

/// The AWS configuration, after checking the tests point at moto_server. Fails (never
/// skips) without it: `scripts/test` starts moto and sets `AWS_ENDPOINT_URL`.
pub async fn moto() -> aws_config::SdkConfig {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL").is_some(),
        "AWS_ENDPOINT_URL is not set: these tests need moto_server; run scripts/test, which \
         starts it and points the AWS SDK at it"
    );
    crate::aws_config().expect("the AWS configuration from the environment")
}

/// Serves `app` on a free port of 127.0.0.1 for the rest of the test (a source's board, a
/// stand-in for a site); returns its address.
pub async fn serve(app: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// A name no other test (or test process) uses.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A new table made by `store::dynamodb::create_table` (the schema the template test holds
/// `template.yaml` to).
pub async fn fresh_table(client: &aws_sdk_dynamodb::Client) -> String {
    let table = unique("jobfeed-test");
    jobfeed::store::dynamodb::create_table(client, &table)
        .await
        .unwrap();
    table
}

/// The queues of the stack, by their logical id in `template.yaml`.
#[derive(Debug, Clone)]
pub struct Queues {
    /// Queue URL by logical id (`CrawlQueue`, `PostingsQueue`, their dead-letter queues).
    pub urls: HashMap<String, String>,
    /// `maxReceiveCount` of each queue that has a dead-letter queue.
    pub max_receive: HashMap<String, u32>,
}

impl Queues {
    /// The URL of the queue `logical_id`.
    pub fn url(&self, logical_id: &str) -> &str {
        self.urls
            .get(logical_id)
            .unwrap_or_else(|| panic!("no queue {logical_id} in template.yaml"))
    }
}

/// Creates every `AWS::SQS::Queue` of `template.yaml` on moto under new names, with the
/// template's FIFO, content-based deduplication, visibility timeout, retention and redrive
/// settings (dead-letter queues first, so redrive policies can point at them).
pub async fn create_queues(client: &aws_sdk_sqs::Client) -> Queues {
    let docs = YamlLoader::load_from_str(TEMPLATE).unwrap();
    let resources = docs[0]["Resources"].as_hash().unwrap();
    let mut queues: Vec<(String, Yaml)> = resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::SQS::Queue"))
        .map(|(id, r)| (id.as_str().unwrap().to_owned(), r["Properties"].clone()))
        .collect();
    // Queues without a redrive policy (the dead-letter queues) come first.
    queues.sort_by_key(|(_, p)| !p["RedrivePolicy"].is_badvalue());
    let mut made = Queues {
        urls: HashMap::new(),
        max_receive: HashMap::new(),
    };
    let mut arns: HashMap<String, String> = HashMap::new();
    for (id, properties) in queues {
        let fifo = properties["FifoQueue"].as_bool() == Some(true);
        let name = format!("{}{}", unique(&id), if fifo { ".fifo" } else { "" });
        let mut attributes: HashMap<QueueAttributeName, String> = HashMap::new();
        if fifo {
            attributes.insert(QueueAttributeName::FifoQueue, "true".into());
        }
        if properties["ContentBasedDeduplication"].as_bool() == Some(true) {
            attributes.insert(QueueAttributeName::ContentBasedDeduplication, "true".into());
        }
        for (key, attribute) in [
            ("VisibilityTimeout", QueueAttributeName::VisibilityTimeout),
            (
                "MessageRetentionPeriod",
                QueueAttributeName::MessageRetentionPeriod,
            ),
        ] {
            if let Some(value) = properties[key].as_i64() {
                attributes.insert(attribute, value.to_string());
            }
        }
        let redrive = &properties["RedrivePolicy"];
        if !redrive.is_badvalue() {
            // `!GetAtt Dlq.Arn` reads as the plain string `Dlq.Arn`.
            let target = redrive["deadLetterTargetArn"].as_str().unwrap();
            let dlq = target.trim_end_matches(".Arn");
            let max = redrive["maxReceiveCount"].as_i64().unwrap();
            let policy = serde_json::json!({
                "deadLetterTargetArn": arns[dlq],
                "maxReceiveCount": max,
            });
            attributes.insert(QueueAttributeName::RedrivePolicy, policy.to_string());
            made.max_receive.insert(id.clone(), max as u32);
        }
        let url = client
            .create_queue()
            .queue_name(name)
            .set_attributes(Some(attributes))
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let arn = client
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap()[&QueueAttributeName::QueueArn]
            .clone();
        arns.insert(id.clone(), arn);
        made.urls.insert(id, url);
    }
    made
}

/// Every `events/<function>-*.json` file: (file name, contents), sorted by name.
pub fn events(function: &str) -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_owned();
            let mine = name.starts_with(&format!("{function}-")) && name.ends_with(".json");
            mine.then(|| (name, std::fs::read_to_string(&path).unwrap()))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no events/{function}-*.json");
    files
}

/// Up to ten messages of `queue_url` as Lambda would hand them to a function (an empty
/// event when the queue is empty).
pub async fn poll(client: &aws_sdk_sqs::Client, queue_url: &str) -> SqsEvent {
    let out = client
        .receive_message()
        .queue_url(queue_url)
        .max_number_of_messages(10)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .unwrap();
    let mut event = SqsEvent::default();
    event.records = out
        .messages
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            let mut record = SqsMessage::default();
            record.message_id = m.message_id;
            record.receipt_handle = m.receipt_handle;
            record.body = m.body;
            record.attributes = m
                .attributes
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k.as_str().to_owned(), v))
                .collect();
            record.event_source = Some("aws:sqs".into());
            record
        })
        .collect();
    event
}

/// What Lambda does with a handler's answer: deletes the records that succeeded, and makes
/// the failed ones visible again at once (standing in for their visibility timeout).
pub async fn settle(
    client: &aws_sdk_sqs::Client,
    queue_url: &str,
    event: &SqsEvent,
    response: &SqsBatchResponse,
) {
    for record in &event.records {
        let id = record.message_id.as_deref().unwrap_or_default();
        let handle = record.receipt_handle.as_deref().unwrap();
        let failed = response
            .batch_item_failures
            .iter()
            .any(|f| f.item_identifier == id);
        if failed {
            client
                .change_message_visibility()
                .queue_url(queue_url)
                .receipt_handle(handle)
                .visibility_timeout(0)
                .send()
                .await
                .unwrap();
        } else {
            client
                .delete_message()
                .queue_url(queue_url)
                .receipt_handle(handle)
                .send()
                .await
                .unwrap();
        }
    }
}

/// Messages on a queue (visible and in flight).
pub async fn depth(client: &aws_sdk_sqs::Client, queue_url: &str) -> usize {
    let attributes = client
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default();
    attributes
        .values()
        .map(|v| v.parse::<usize>().unwrap())
        .sum()
}

/// Every HTTP API route `template.yaml` declares on a function, as `METHOD /path`.
pub fn http_routes() -> std::collections::BTreeSet<String> {
    let docs = YamlLoader::load_from_str(TEMPLATE).unwrap();
    let resources = docs[0]["Resources"].as_hash().unwrap();
    resources
        .values()
        .filter_map(|r| r["Properties"]["Events"].as_hash())
        .flat_map(|events| events.values())
        .filter(|e| e["Type"].as_str() == Some("HttpApi"))
        .map(|e| {
            let p = &e["Properties"];
            format!(
                "{} {}",
                p["Method"].as_str().unwrap().to_ascii_uppercase(),
                p["Path"].as_str().unwrap()
            )
        })
        .collect()
}
