//! Lambda entry point of `scheduler`: the sources configuration, the DynamoDB store and the
//! crawl queue built once, then the runtime loop over `jobfeed_fn_scheduler::handle`.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed_fn::{env, sources};
use jobfeed_fn_scheduler::{crawl_queue, handle};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    jobfeed_fn::init_tracing();
    let table = env::required("TABLE_NAME")?;
    let queue_url = env::required("CRAWL_QUEUE_URL")?;
    let config = sources::load()?;
    let aws = jobfeed_fn::aws_config().await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
    let queue = crawl_queue(aws_sdk_sqs::Client::new(&aws), queue_url, &config);
    let (config, store, queue) = (&config, &store, &queue);
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<EventBridgeEvent<serde_json::Value>>| async move {
            handle(config, store, queue, event.payload, chrono::Utc::now())
                .await
                .map_err(Error::from)
        },
    ))
    .await
}
