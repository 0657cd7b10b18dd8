//! Lambda entry point of `ingest`: configuration from the environment during init, the
//! DynamoDB store on the first batch, then the runtime loop over `jobfeed_fn_ingest::handle`.

use aws_lambda_events::event::sqs::SqsEvent;
use jobfeed::app::ingest::IngestConfig;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed_fn::env;
use jobfeed_fn_ingest::{Ingest, handle};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use tokio::sync::OnceCell;

#[tokio::main]
async fn main() -> Result<(), Error> {
    jobfeed_fn::init_tracing();
    let table = env::required("TABLE_NAME")?;
    // Bounded so the duration cannot overflow: at most ten years.
    let retention = chrono::Duration::days(env::bounded("RETENTION_DAYS", 30, 1, 3650)?);
    let config = IngestConfig {
        retention,
        ..IngestConfig::default()
    };
    let aws = jobfeed_fn::aws_config()?;
    // Building the SDK's clients reads the system's CA certificates (their HTTPS client):
    // work for the first batch, not for init (see scripts/bench-lambda).
    let store = OnceCell::new();
    let (table, config, store, aws) = (&table, &config, &store, &aws);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let store = store
            .get_or_init(|| async {
                DynamoStore::new(aws_sdk_dynamodb::Client::new(aws), table.as_str())
                    .with_retention(retention)
            })
            .await;
        let ingest = Ingest {
            postings: store,
            states: store,
            counts: store,
            config,
        };
        Ok::<_, Error>(handle(&ingest, event.payload, chrono::Utc::now()).await)
    }))
    .await
}
