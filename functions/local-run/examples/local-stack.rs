//! Creates the stack's table and queues on the endpoint `AWS_ENDPOINT_URL` points at
//! (moto_server) and prints the environment the functions need, for `cargo lambda watch`:
//!
//! ```sh
//! eval "$(cargo run -q -p jobfeed-fn-local-run --example local-stack)"
//! ```
//!
//! With `--sam-env FILE` it also writes that environment as the `--env-vars` file of
//! `sam local invoke` / `sam local start-api` (every function of the template, the endpoint
//! and dummy credentials included): run those with `--docker-network host` so the containers
//! reach moto_server on this machine's loopback address.

use std::collections::BTreeMap;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sam_env = match args.as_slice() {
        [] => None,
        [flag, file] if flag == "--sam-env" => Some(file.clone()),
        _ => anyhow::bail!("usage: local-stack [--sam-env FILE]"),
    };
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .map_err(|_| anyhow::anyhow!("AWS_ENDPOINT_URL is not set (moto_server's address)"))?;
    let aws = jobfeed_fn::testing::moto().await;
    let table = jobfeed_fn::testing::fresh_table(&aws_sdk_dynamodb::Client::new(&aws)).await;
    let queues = jobfeed_fn::testing::create_queues(&aws_sdk_sqs::Client::new(&aws)).await;
    let environment = BTreeMap::from([
        ("TABLE_NAME", table),
        ("CRAWL_QUEUE_URL", queues.url("CrawlQueue").to_owned()),
        ("POSTINGS_QUEUE_URL", queues.url("PostingsQueue").to_owned()),
    ]);
    for (name, value) in &environment {
        println!("export {name}={value}");
    }
    if let Some(file) = sam_env {
        let mut variables: BTreeMap<&str, String> = environment.clone();
        variables.insert("AWS_ENDPOINT_URL", endpoint);
        variables.insert("AWS_ACCESS_KEY_ID", "test".into());
        variables.insert("AWS_SECRET_ACCESS_KEY", "test".into());
        // `Parameters` applies to every function of the template.
        let document = serde_json::json!({ "Parameters": variables });
        if let Some(parent) = std::path::Path::new(&file).parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&file, serde_json::to_string_pretty(&document)?)?;
        eprintln!(
            "wrote {file}: pass it to sam local with --env-vars {file} --docker-network host"
        );
    }
    Ok(())
}
