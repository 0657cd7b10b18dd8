//! Lambda entry point of `ingest`: configuration from the environment, the DynamoDB store
//! built once, then the runtime loop over `jobfeed_fn_ingest::handle`.

use aws_lambda_events::event::sqs::SqsEvent;
use jobfeed::ingest::IngestConfig;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed_fn::env;
use jobfeed_fn_ingest::{Ingest, handle};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    jobfeed_fn::init_tracing();
    let table = env::required("TABLE_NAME")?;
    let retention = chrono::Duration::days(env::parsed("RETENTION_DAYS", 30)?);
    let config = IngestConfig {
        retention,
        ..IngestConfig::default()
    };
    let aws = jobfeed_fn::aws_config().await;
    let store =
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table).with_retention(retention);
    let ingest = Ingest {
        postings: &store,
        states: &store,
        config: &config,
    };
    let ingest = &ingest;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(handle(ingest, event.payload, chrono::Utc::now()).await)
    }))
    .await
}
