//! Lambda entry point of `crawler`: the sources configuration and settings during init; the
//! HTTP fetcher, the DynamoDB store and the two queues on the first task; then the runtime
//! loop over `jobfeed_fn_crawler::handle`, each invocation limited by its deadline.

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use jobfeed::app::crawl::CrawlSettings;
use jobfeed::app::schedule::host_group;
use jobfeed::crawl::fetch::FetchConfig;
use jobfeed::crawl::http::HttpFetcher;
use jobfeed::queue::sqs::SqsQueue;
use jobfeed::store::dynamodb::DynamoStore;
use jobfeed_fn::{env, sources};
use jobfeed_fn_crawler::{Crawler, DEFAULT_DEADLINE_MARGIN, handle, invocation_limits};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use tokio::sync::OnceCell;

#[tokio::main]
async fn main() -> Result<(), Error> {
    jobfeed_fn::init_tracing();
    let table = env::required("TABLE_NAME")?;
    let postings_url = env::required("POSTINGS_QUEUE_URL")?;
    let crawl_url = env::required("CRAWL_QUEUE_URL")?;
    let margin = Duration::from_secs(env::parsed(
        "DEADLINE_MARGIN_SECS",
        DEFAULT_DEADLINE_MARGIN.as_secs(),
    )?);
    let config = sources::load()?;
    let settings = CrawlSettings {
        min_delay: Duration::from_millis(config.crawl.min_delay_ms),
        ..CrawlSettings::default()
    };
    let aws = jobfeed_fn::aws_config()?;
    // The fetcher's two HTTP clients (strict and private-address) and the SDK's clients (their
    // HTTPS client) each read the system's CA certificates when built: TLS set-up
    // for the first crawl, not for init (see scripts/bench-lambda).
    let clients = OnceCell::new();
    let (table, postings_url, crawl_url, config, settings, clients, aws) = (
        &table,
        &postings_url,
        &crawl_url,
        &config,
        &settings,
        &clients,
        &aws,
    );
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let limits = invocation_limits(&event.context, margin);
        let (fetcher, store, postings, tasks) = clients
            .get_or_try_init(|| async {
                let fetcher = HttpFetcher::new(FetchConfig::from(&config.crawl))?;
                let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(aws), table.as_str());
                let sqs = aws_sdk_sqs::Client::new(aws);
                let postings = SqsQueue::standard(sqs.clone(), postings_url.as_str());
                let tasks = SqsQueue::fifo(sqs, crawl_url.as_str(), host_group(config));
                Ok::<_, Error>((fetcher, store, postings, tasks))
            })
            .await?;
        let crawler = Crawler {
            config,
            registry: store,
            settings,
            fetcher,
            postings,
            tasks,
            states: store,
            checkpoints: store,
            index: store,
        };
        Ok::<_, Error>(handle(&crawler, event.payload, limits).await)
    }))
    .await
}
