//! What jobfeed's four Lambda functions share, so each `main.rs` stays a few lines: tracing
//! set up the way Lambda expects ([`init_tracing`]), configuration from the environment that
//! fails fast naming the missing variable ([`env`]), one shared AWS configuration
//! ([`aws_config`]), the sources configuration ([`sources`]), SQS batches with partial
//! failures and caught panics ([`sqs`]) and CloudWatch Embedded Metric Format lines
//! ([`metrics`]); with feature `testing`, test support ([`testing`], [`fault_proxy`]).

pub mod env;
#[cfg(feature = "testing")]
pub mod fault_proxy;
pub mod metrics;
pub mod sources;
pub mod sqs;
#[cfg(feature = "testing")]
pub mod testing;

use tracing_subscriber::EnvFilter;

/// Installs the global tracing subscriber: JSON lines when Lambda's log format is JSON
/// (`AWS_LAMBDA_LOG_FORMAT=JSON`), plain text otherwise; the level from `RUST_LOG`, else
/// Lambda's `AWS_LAMBDA_LOG_LEVEL`, else `info`. A second call does nothing.
pub fn init_tracing() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .or_else(|| std::env::var("AWS_LAMBDA_LOG_LEVEL").ok())
        .and_then(|level| EnvFilter::try_new(level.to_ascii_lowercase()).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        // CloudWatch stamps every line already, and colour codes are noise in it.
        .with_ansi(false);
    // `try_init` fails only when a subscriber is already installed, which is fine.
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.without_time().try_init()
    };
}

/// The AWS configuration from the environment (region, credentials and, in tests,
/// `AWS_ENDPOINT_URL` pointing at moto). Load it once during init and build every client
/// from it.
pub async fn aws_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await
}
