//! Lambda entry point of `api`: configuration from the environment, the DynamoDB store
//! built once, then `lambda_http::run` with the read API's router.

use std::sync::Arc;

use jobfeed::store::dynamodb::DynamoStore;
use jobfeed_fn::env;
use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    jobfeed_fn::init_tracing();
    let table = env::required("TABLE_NAME")?;
    let config = jobfeed_fn_api::config_from_env()?;
    let aws = jobfeed_fn::aws_config().await;
    let store = Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table));
    lambda_http::run(jobfeed_fn_api::app(store, config)).await
}
