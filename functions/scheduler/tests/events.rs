//! Every `events/scheduler-*.json` through the scheduler handler, against a moto table and
//! the crawl queue made from `template.yaml` (FIFO, content-based deduplication).

use std::collections::BTreeMap;

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Duration, Utc};
use futures::{StreamExt, TryStreamExt};
use jobfeed::app::registry;
use jobfeed::config;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed::store::{PostingReader, SourceState, SourceStateStore};
use jobfeed_fn::testing::{create_queues, events, fresh_table, moto, poll, settle};
use jobfeed_fn_scheduler::{crawl_queue, handle};

const SOURCES: &str = r#"
[[source]]
name = "gitlab"
kind = "greenhouse"
url = "https://boards-api.greenhouse.io/v1/boards/gitlab/jobs?content=true"

[[source]]
name = "datadog"
kind = "greenhouse"
url = "https://boards-api.greenhouse.io/v1/boards/datadog/jobs?content=true"

[[source]]
name = "plaid"
kind = "lever"
url = "https://api.lever.co/v0/postings/plaid?mode=json"

[[source]]
name = "ramp"
kind = "ashby"
url = "https://api.ashbyhq.com/posting-api/job-board/ramp"
"#;

#[tokio::test]
async fn the_scheduled_event_enqueues_each_due_source_grouped_by_host() {
    let aws = moto().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let config = config::parse(SOURCES, "test sources").unwrap();
    for (file, json) in events("scheduler") {
        assert_eq!(
            file, "scheduler-scheduled.json",
            "add an expectation for {file}"
        );
        let event: EventBridgeEvent<serde_json::Value> = serde_json::from_str(&json).unwrap();
        let now: DateTime<Utc> = event.time.unwrap();
        let store = DynamoStore::new(dynamo.clone(), fresh_table(&dynamo).await);
        // `ramp` was crawled a minute ago and is not due; the others never were.
        store
            .put_source_state(&SourceState {
                name: "ramp".into(),
                next_due_at: Some(now + Duration::minutes(59)),
                ..SourceState::default()
            })
            .await
            .unwrap();
        let queues = create_queues(&sqs).await;
        let url = queues.url("CrawlQueue");
        let queue = crawl_queue(sqs.clone(), url, &config);

        let report = handle(&config, &store, &store, &queue, event.clone(), now)
            .await
            .unwrap();
        assert_eq!(report.enqueued, ["gitlab", "datadog", "plaid"]);
        assert_eq!(report.sources, 4);
        // The same event again (EventBridge delivers at least once) adds no task: SQS
        // drops a FIFO message whose deduplication id it saw in the last five minutes.
        handle(&config, &store, &store, &queue, event, now)
            .await
            .unwrap();

        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        loop {
            let batch = poll(&sqs, url).await;
            if batch.records.is_empty() {
                break;
            }
            for record in &batch.records {
                let task: serde_json::Value =
                    serde_json::from_str(record.body.as_deref().unwrap()).unwrap();
                groups
                    .entry(record.attributes["MessageGroupId"].clone())
                    .or_default()
                    .push(task["source"].as_str().unwrap().to_owned());
            }
            settle(&sqs, url, &batch, &Default::default()).await;
        }
        let expected = BTreeMap::from([
            ("api.lever.co".to_owned(), vec!["plaid".to_owned()]),
            (
                "boards-api.greenhouse.io".to_owned(),
                vec!["gitlab".to_owned(), "datadog".to_owned()],
            ),
        ]);
        assert_eq!(groups, expected);
    }
}

#[tokio::test]
async fn two_thousand_registered_sources_are_scheduled_from_the_registry_with_a_bounded_number_of_reads()
 {
    let aws = moto().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let store = DynamoStore::new(dynamo.clone(), fresh_table(&dynamo).await);
    let now: DateTime<Utc> = "2026-12-05T12:00:00Z".parse().unwrap();
    // 2,000 sources over 20 hosts: every fourth disabled, and all but 100 of the others
    // crawled a minute ago (not due). Far past the 4 KB a `SourcesToml` parameter could hold.
    let mut file = String::new();
    for n in 0..2000 {
        let enabled = if n % 4 == 3 { "enabled = false\n" } else { "" };
        file.push_str(&format!(
            "[[source]]\nname = \"board-{n:04}\"\nkind = \"greenhouse\"\n\
             url = \"https://boards{}.example.com/v1/boards/b{n}/jobs\"\n{enabled}\n",
            n % 20
        ));
    }
    assert!(file.len() > 100 * 1024);
    let report = registry::import(&store, &file, "big.toml", now)
        .await
        .unwrap();
    assert_eq!(report.added.len(), 2000);
    let crawled: Vec<SourceState> = (0..2000)
        .filter(|n| n % 4 != 3 && n % 15 != 0)
        .map(|n| SourceState {
            name: format!("board-{n:04}"),
            next_due_at: Some(now + Duration::minutes(59)),
            ..SourceState::default()
        })
        .collect();
    futures::stream::iter(crawled.iter().map(|state| store.put_source_state(state)))
        .buffer_unordered(16)
        .try_collect::<Vec<()>>()
        .await
        .unwrap();
    // The built-in configuration is not used once the registry holds records.
    let base = config::parse(SOURCES, "test sources").unwrap();
    let queues = create_queues(&sqs).await;
    let url = queues.url("CrawlQueue");
    let queue = crawl_queue(sqs.clone(), url, &base);
    let event: EventBridgeEvent<serde_json::Value> =
        serde_json::from_str(&events("scheduler")[0].1).unwrap();

    let before = store.usage();
    let report = handle(&base, &store, &store, &queue, event, now)
        .await
        .unwrap();
    let reads = store.usage().since(&before);

    assert!(report.from_registry);
    assert_eq!(report.sources, 2000);
    assert_eq!(
        report.enqueued.len(),
        100,
        "2,000 less 500 disabled, 1,400 not due"
    );
    assert!(
        report
            .enqueued
            .iter()
            .all(|name| !name.starts_with("gitlab"))
    );
    // The registry (two 1 MB pages at most), the states and the counts: each one Query of
    // one partition, however many sources.
    assert!(reads.requests <= 6, "{reads:?}");
    assert_eq!(reads.items_written, 0);
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .unwrap();
    let queued = attributes.attributes().unwrap()
        [&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages]
        .clone();
    assert_eq!(queued, "100");
}
