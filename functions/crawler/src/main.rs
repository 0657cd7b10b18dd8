//! Lambda entry point of `crawler`: the sources configuration during init; the HTTP fetcher,
//! the DynamoDB store and the postings queue on the first task; then the runtime loop over
//! `jobfeed_fn_crawler::handle`.

use aws_lambda_events::event::sqs::SqsEvent;
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::queue::sqs::SqsQueue;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed_fn::{env, sources};
use jobfeed_fn_crawler::{Crawler, handle};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use tokio::sync::OnceCell;

#[tokio::main]
async fn main() -> Result<(), Error> {
    jobfeed_fn::init_tracing();
    let table = env::required("TABLE_NAME")?;
    let queue_url = env::required("POSTINGS_QUEUE_URL")?;
    let config = sources::load()?;
    let aws = jobfeed_fn::aws_config()?;
    // The fetcher's two HTTP clients (strict and private-address) and the SDK's clients (their
    // HTTPS client) each read the system's CA certificates when built: TLS set-up
    // for the first crawl, not for init (see scripts/bench-lambda).
    let clients = OnceCell::new();
    let (table, queue_url, config, clients, aws) = (&table, &queue_url, &config, &clients, &aws);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let (fetcher, store, postings) = clients
            .get_or_try_init(|| async {
                let fetcher = HttpFetcher::new(config.crawl.fetch_config())?;
                let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(aws), table.as_str());
                let postings =
                    SqsQueue::standard(aws_sdk_sqs::Client::new(aws), queue_url.as_str());
                Ok::<_, Error>((fetcher, store, postings))
            })
            .await?;
        let crawler = Crawler {
            config,
            fetcher,
            postings,
            states: store,
        };
        Ok::<_, Error>(handle(&crawler, event.payload).await)
    }))
    .await
}
