//! Creates the stack's table and queues on the endpoint `AWS_ENDPOINT_URL` points at
//! (moto_server) and prints the environment the functions need, for `cargo lambda watch`:
//!
//! ```sh
//! eval "$(cargo run -q -p jobfeed-fn-local-run --example local-stack)"
//! ```

#[tokio::main]
async fn main() {
    let aws = jobfeed_fn::testing::moto().await;
    let table = jobfeed_fn::testing::fresh_table(&aws_sdk_dynamodb::Client::new(&aws)).await;
    let queues = jobfeed_fn::testing::create_queues(&aws_sdk_sqs::Client::new(&aws)).await;
    println!("export TABLE_NAME={table}");
    println!("export CRAWL_QUEUE_URL={}", queues.url("CrawlQueue"));
    println!("export POSTINGS_QUEUE_URL={}", queues.url("PostingsQueue"));
}
