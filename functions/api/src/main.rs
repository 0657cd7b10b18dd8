//! Lambda entry point of `api`: configuration from the environment during init, the
//! DynamoDB store and the read API's router on the first request, then `lambda_http::run`.

use std::sync::Arc;

use jobfeed::store::dynamodb::DynamoStore;
use jobfeed_fn::env;
use lambda_http::{Error, Request, service_fn};
use tokio::sync::OnceCell;
use tower::ServiceExt;

#[tokio::main]
async fn main() -> Result<(), Error> {
    jobfeed_fn::init_tracing();
    let table = env::required("TABLE_NAME")?;
    let config = jobfeed_fn_api::config_from_env()?;
    let aws = jobfeed_fn::aws_config()?;
    // Building the SDK's clients reads the system's CA certificates (their HTTPS client):
    // work for the first request, not for init (see scripts/bench-lambda).
    let router = OnceCell::new();
    let (table, config, router, aws) = (&table, &config, &router, &aws);
    lambda_http::run(service_fn(move |request: Request| async move {
        let app = router
            .get_or_init(|| async {
                let client = aws_sdk_dynamodb::Client::new(aws);
                let store = Arc::new(DynamoStore::new(client, table.as_str()));
                jobfeed_fn_api::app(store, config.clone())
            })
            .await;
        app.clone().oneshot(request).await
    }))
    .await
}
