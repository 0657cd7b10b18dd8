//! Lambda entry point of `scheduler`: the sources configuration during init, the DynamoDB
//! store and the crawl queue on the first event, then the runtime loop over
//! `jobfeed_fn_scheduler::handle`.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed_fn::{env, sources};
use jobfeed_fn_scheduler::{crawl_queue, handle};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use tokio::sync::OnceCell;

#[tokio::main]
async fn main() -> Result<(), Error> {
    jobfeed_fn::init_tracing();
    let table = env::required("TABLE_NAME")?;
    let queue_url = env::required("CRAWL_QUEUE_URL")?;
    let config = sources::load()?;
    let aws = jobfeed_fn::aws_config()?;
    // Building the SDK's clients reads the system's CA certificates (their HTTPS client):
    // work for the first event, not for init (see scripts/bench-lambda).
    let clients = OnceCell::new();
    let (table, queue_url, config, clients, aws) = (&table, &queue_url, &config, &clients, &aws);
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<EventBridgeEvent<serde_json::Value>>| async move {
            let (store, queue) = clients
                .get_or_init(|| async {
                    let store =
                        DynamoStore::new(aws_sdk_dynamodb::Client::new(aws), table.as_str());
                    let queue =
                        crawl_queue(aws_sdk_sqs::Client::new(aws), queue_url.as_str(), config);
                    (store, queue)
                })
                .await;
            handle(
                config,
                store,
                store,
                queue,
                event.payload,
                chrono::Utc::now(),
            )
            .await
            .map_err(Error::from)
        },
    ))
    .await
}
