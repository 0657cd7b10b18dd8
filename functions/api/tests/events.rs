//! Every `events/api-*.json` (HTTP API payload 2.0) through `lambda_http`'s request
//! conversion and the api function's router, on a moto table filled by the ingest function
//! from `events/ingest-postings-batch.json`.

use std::sync::Arc;

use aws_lambda_events::event::sqs::SqsEvent;
use axum::body::Body;
use axum::http::{Response, StatusCode, header};
use http_body_util::BodyExt;
use jobfeed::api::ApiConfig;
use jobfeed::app::ingest::IngestConfig;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed_fn::testing::{events, fresh_table, moto};
use serde_json::Value;
use tower::ServiceExt;

/// The recorded board's postings, newest first.
const NEWEST_FIRST: [&str; 7] = [
    "1b601320a459467dd33936dccaf63a89",
    "7bd522a7a205c673ac3ccebd827d91be",
    "022eceb727ea4b97462d5388773c451a",
    "1fd3b97cd9f3a9aba9addae1530fa7e1",
    "a07b5ea22da14123b774654e79b006a2",
    "92fd0a5cd33521a0dffe7c18b4fb8866",
    "3c1aa0f15e138bcf006904d8ca2a8603",
];

async fn filled_store() -> Arc<DynamoStore> {
    let aws = moto().await;
    let client = aws_sdk_dynamodb::Client::new(&aws);
    let store = Arc::new(DynamoStore::new(client.clone(), fresh_table(&client).await));
    let (_, batch) = events("ingest")
        .into_iter()
        .find(|(name, _)| name == "ingest-postings-batch.json")
        .unwrap();
    let event: SqsEvent = serde_json::from_str(&batch).unwrap();
    let config = IngestConfig::default();
    let ingest = jobfeed_fn_ingest::Ingest {
        postings: store.as_ref(),
        states: store.as_ref(),
        counts: store.as_ref(),
        config: &config,
    };
    // A fixed time, so every answer (and so every ETag) is the same on every run.
    let now = "2026-11-28T06:01:00Z".parse().unwrap();
    let response = jobfeed_fn_ingest::handle(&ingest, event, now).await;
    assert!(response.batch_item_failures.is_empty());
    store
}

struct Answer {
    status: StatusCode,
    content_type: String,
    etag: Option<String>,
    location: Option<String>,
    body: String,
}

async fn answer(response: Response<Body>) -> Answer {
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let status = response.status();
    let content_type = header(header::CONTENT_TYPE).unwrap_or_default();
    let etag = header(header::ETAG);
    let location = header(header::LOCATION);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        etag,
        location,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

fn json(answer: &Answer) -> Value {
    serde_json::from_str(&answer.body).unwrap()
}

/// Checks one event's answer; panics naming the file when it is not what the event is for.
fn check(file: &str, answer: &Answer) {
    let status = answer.status.as_u16();
    match file {
        "api-jobs.json" => {
            assert_eq!(status, 200);
            assert!(answer.content_type.starts_with("application/json"));
            let body = json(answer);
            let ids: Vec<&str> = body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap())
                .collect();
            assert_eq!(ids, NEWEST_FIRST[..3]);
            assert!(body["next_cursor"].is_string());
        }
        "api-jobs-bad-parameter.json" => {
            assert_eq!(status, 400);
            assert_eq!(answer.content_type, "application/problem+json");
            assert_eq!(json(answer)["parameter"], "limit");
        }
        "api-job.json" => {
            assert_eq!(status, 200);
            let body = json(answer);
            assert_eq!(body["id"], "92fd0a5cd33521a0dffe7c18b4fb8866");
            assert_eq!(body["title"], "GTM and Business Operations Lead");
            assert_eq!(body["first_seen_at"], "2026-11-28T06:01:00Z");
        }
        "api-job-from-browser.json" => {
            assert_eq!(status, 303);
            assert_eq!(
                answer.location.as_deref(),
                Some("../postings/92fd0a5cd33521a0dffe7c18b4fb8866")
            );
        }
        "api-job-if-none-match.json" => {
            assert_eq!(
                status, 304,
                "is the event's If-None-Match still the posting's ETag?"
            );
            assert!(answer.body.is_empty());
        }
        "api-job-unknown.json" => {
            assert_eq!(status, 404);
            assert_eq!(answer.content_type, "application/problem+json");
        }
        "api-feed-rss.json" => {
            assert_eq!(status, 200);
            assert!(answer.content_type.starts_with("application/rss+xml"));
            assert_eq!(answer.body.matches("<item>").count(), 7);
        }
        "api-feed-atom.json" => {
            assert_eq!(status, 200);
            assert!(answer.content_type.starts_with("application/atom+xml"));
            assert_eq!(answer.body.matches("<entry>").count(), 7);
        }
        "api-feed-json.json" => {
            assert_eq!(status, 200);
            assert!(answer.content_type.starts_with("application/feed+json"));
            let items = json(answer)["items"].as_array().unwrap().len();
            assert_eq!(items, 7);
        }
        "api-sources.json" => {
            assert_eq!(status, 200);
            let body = json(answer);
            assert_eq!(body["sources"][0]["name"], "gitlab");
            assert_eq!(body["sources"][0]["counts"]["new"], 7);
        }
        "api-openapi.json" => {
            assert_eq!(status, 200);
            assert_eq!(json(answer)["openapi"], "3.1.0");
        }
        "api-health.json" => {
            assert_eq!(status, 200);
            assert_eq!(json(answer)["status"], "ok");
        }
        "api-search-page.json" => {
            assert_eq!(status, 200);
            assert!(answer.content_type.starts_with("text/html"));
            // The form keeps the search, and the results are the postings it selects.
            assert!(answer.body.contains("<form"), "{}", answer.body);
            let links = answer.body.matches("href=\"postings/").count();
            assert!(links >= 1, "{}", answer.body);
        }
        "api-posting-page.json" => {
            assert_eq!(status, 200);
            assert!(answer.content_type.starts_with("text/html"));
            assert!(answer.body.contains("GTM and Business Operations Lead"));
            assert_eq!(answer.body.matches("application/ld+json").count(), 1);
        }
        "api-facets.json" => {
            assert_eq!(status, 200);
            let body = json(answer);
            assert_eq!(body["total"], 7, "{body}");
        }
        other => panic!("{other} has no expectation here: add one"),
    }
}

#[tokio::test]
async fn every_api_event_gets_the_answer_it_stands_for() {
    let store = filled_store().await;
    let app = jobfeed_fn_api::app(store, ApiConfig::default());
    for (file, event) in events("api") {
        let request = lambda_http::request::from_str(&event)
            .unwrap_or_else(|e| panic!("{file} is not an HTTP API event: {e}"));
        let response = app.clone().oneshot(request).await.unwrap();
        let answer = answer(response).await;
        if file == "api-job-if-none-match.json" && answer.status == StatusCode::OK {
            panic!(
                "{file}: the posting's ETag is now {:?}; put it in the event's if-none-match",
                answer.etag
            );
        }
        check(&file, &answer);
    }
}
