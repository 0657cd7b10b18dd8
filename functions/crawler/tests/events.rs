//! Every `events/crawler-*.json` through the crawler handler: the source is served by a
//! local server playing its board (the recorded Greenhouse response), the postings queue is
//! made from `template.yaml` on moto, and the source state lives in a moto table.

use std::net::SocketAddr;

use aws_lambda_events::event::sqs::SqsEvent;
use axum::Router;
use axum::http::header;
use axum::routing::get;
use jobfeed::config;
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::queue::IngestMessage;
use jobfeed::queue::sqs::SqsQueue;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed::store::{CrawlOutcome, SourceStateStore};
use jobfeed_fn::testing::{create_queues, events, fresh_table, moto, poll, settle};
use jobfeed_fn_crawler::{Crawler, handle};

const BOARD: &str = include_str!("../../../shared/testdata/corpus/greenhouse/jobs_rsp.json");

/// Serves the board at `/v1/boards/gitlab/jobs` on 127.0.0.1 for the test's lifetime.
async fn serve_board() -> SocketAddr {
    jobfeed_fn::testing::serve(Router::new().route(
        "/v1/boards/gitlab/jobs",
        get(|| async { ([(header::CONTENT_TYPE, "application/json")], BOARD) }),
    ))
    .await
}

#[tokio::test]
async fn a_crawl_task_sends_the_sources_postings_then_its_marker_and_records_the_crawl() {
    let aws = moto().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let addr = serve_board().await;
    let config = config::parse(
        &format!(
            "[crawl]\nmin_delay_ms = 0\n\n[[source]]\nname = \"gitlab\"\nkind = \"greenhouse\"\n\
             url = \"http://{addr}/v1/boards/gitlab/jobs?content=true\"\nallow_private = true\n"
        ),
        "test sources",
    )
    .unwrap();
    let fetcher = HttpFetcher::new(config.crawl.fetch_config()).unwrap();
    for (file, json) in events("crawler") {
        assert_eq!(
            file, "crawler-crawl-task.json",
            "add an expectation for {file}"
        );
        let store = DynamoStore::new(dynamo.clone(), fresh_table(&dynamo).await);
        let queues = create_queues(&sqs).await;
        let url = queues.url("PostingsQueue");
        let postings = SqsQueue::standard(sqs.clone(), url);
        let crawler = Crawler {
            config: &config,
            fetcher: &fetcher,
            postings: &postings,
            states: &store,
        };
        let event: SqsEvent = serde_json::from_str(&json).unwrap();
        let response = handle(&crawler, event).await;
        assert!(response.batch_item_failures.is_empty(), "{file}");

        let mut found = Vec::new();
        let mut markers = Vec::new();
        loop {
            let batch = poll(&sqs, url).await;
            if batch.records.is_empty() {
                break;
            }
            for record in &batch.records {
                match IngestMessage::from_json(record.body.as_deref().unwrap()).unwrap() {
                    IngestMessage::Extracted {
                        source, postings, ..
                    } => {
                        assert_eq!(source, "gitlab");
                        found.extend(postings.into_iter().map(|p| p.id));
                    }
                    other @ IngestMessage::Postings { .. } => {
                        panic!("{file}: the crawler sends extracted postings, not {other:?}")
                    }
                    IngestMessage::CrawlComplete { ids, .. } => markers.push(ids),
                }
            }
            settle(&sqs, url, &batch, &Default::default()).await;
        }
        found.sort();
        assert_eq!(found.len(), 7, "{file}: the board's seven postings");
        assert_eq!(markers.len(), 1, "{file}: one crawl-complete marker");
        markers[0].sort();
        assert_eq!(markers[0], found, "{file}: the marker lists every posting");

        let state = store.source_state("gitlab").await.unwrap().unwrap();
        assert_eq!(state.outcome, Some(CrawlOutcome::Success), "{file}");
        assert_eq!(state.consecutive_failures, 0, "{file}");
        assert!(state.next_due_at.is_some(), "{file}");
    }
}

#[tokio::test]
async fn a_task_for_an_unknown_source_or_a_garbled_body_is_reported_as_failed() {
    let aws = moto().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&aws);
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let config = config::parse("", "no sources").unwrap();
    let fetcher = HttpFetcher::new(config.crawl.fetch_config()).unwrap();
    let store = DynamoStore::new(dynamo.clone(), fresh_table(&dynamo).await);
    let queues = create_queues(&sqs).await;
    let postings = SqsQueue::standard(sqs.clone(), queues.url("PostingsQueue"));
    let crawler = Crawler {
        config: &config,
        fetcher: &fetcher,
        postings: &postings,
        states: &store,
    };
    let (_, json) = events("crawler").remove(0);
    let mut event: SqsEvent = serde_json::from_str(&json).unwrap();
    let mut garbled = event.records[0].clone();
    garbled.message_id = Some("garbled".into());
    garbled.body = Some("{\"source\":".into());
    event.records.push(garbled);
    let response = handle(&crawler, event).await;
    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["5e1f0000-0000-0000-0000-000000001f01", "garbled"]);
}
