//! The cold-start baseline of `scripts/bench-lambda`: the smallest `lambda_runtime` function
//! (it answers every event with the event itself), built by the same release profile as the
//! four functions, so their init times can be read against it.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<_, Error>(event.payload)
    }))
    .await
}
