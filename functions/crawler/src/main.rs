//! Lambda entry point of `crawler`: the sources configuration, the HTTP fetcher, the
//! DynamoDB store and the postings queue built once, then the runtime loop over
//! `jobfeed_fn_crawler::handle`.

use aws_lambda_events::event::sqs::SqsEvent;
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::queue::sqs::SqsQueue;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed_fn::{env, sources};
use jobfeed_fn_crawler::{Crawler, handle};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    jobfeed_fn::init_tracing();
    let table = env::required("TABLE_NAME")?;
    let queue_url = env::required("POSTINGS_QUEUE_URL")?;
    let config = sources::load()?;
    let fetcher = HttpFetcher::new(config.crawl.fetch_config())?;
    let aws = jobfeed_fn::aws_config().await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
    let postings = SqsQueue::standard(aws_sdk_sqs::Client::new(&aws), queue_url);
    let crawler = Crawler {
        config: &config,
        fetcher: &fetcher,
        postings: &postings,
        states: &store,
    };
    let crawler = &crawler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(handle(crawler, event.payload).await)
    }))
    .await
}
