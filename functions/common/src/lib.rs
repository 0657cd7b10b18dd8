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

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the global tracing subscriber: JSON lines when Lambda's log format is JSON
/// (`AWS_LAMBDA_LOG_FORMAT=JSON`), plain text otherwise; the level from `RUST_LOG`, else
/// Lambda's `AWS_LAMBDA_LOG_LEVEL`, else `info`. A second call does nothing.
pub fn init_tracing() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .or_else(|| std::env::var("AWS_LAMBDA_LOG_LEVEL").ok())
        .and_then(|level| log_filter(&level))
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let lines = tracing_subscriber::fmt::layer()
        .with_target(false)
        // CloudWatch stamps every line already, and colour codes are noise in it.
        .with_ansi(false);
    let registry = tracing_subscriber::registry().with(filter);
    // `try_init` fails only when a subscriber is already installed, which is fine.
    let _ = if json {
        let lines = lines
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false);
        registry.with(lines).try_init()
    } else {
        registry.with(lines.without_time()).try_init()
    };
}

/// The filter for a `RUST_LOG`-style value (`info`, `jobfeed=debug,warn`) or one of Lambda's
/// log levels (`DEBUG`, `FATAL`...), or `None` when it is not one. Per-target directives are
/// enough here, so the functions do without `EnvFilter` and the regex engine it brings.
fn log_filter(value: &str) -> Option<Targets> {
    let value = value.trim().to_ascii_lowercase();
    // Lambda's FATAL has no tracing level of its own.
    let value = if value == "fatal" {
        "error".to_owned()
    } else {
        value
    };
    value.parse().ok()
}

/// The AWS configuration from the variables Lambda sets on every function: `AWS_REGION`
/// (or `AWS_DEFAULT_REGION`), `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
/// `AWS_SESSION_TOKEN`, plus `AWS_ENDPOINT_URL` to point the clients elsewhere (moto_server
/// locally and in tests). Call it once during init and build every client from it; a missing
/// region or key fails there, naming the variable.
///
/// It deliberately reads only the environment, not aws-config's default chain (profiles,
/// SSO, web identity through STS, ECS, IMDS): a function never needs those, and leaving them
/// out keeps their code, STS's client among it, out of every bootstrap (BENCHMARKS.md,
/// "Lambda bootstraps"). Outside Lambda, export the variables, e.g. with
/// `eval "$(aws configure export-credentials --format env)"`.
pub fn aws_config() -> Result<aws_config::SdkConfig, env::EnvError> {
    let region = env::optional("AWS_REGION")
        .or_else(|| env::optional("AWS_DEFAULT_REGION"))
        .ok_or_else(|| env::EnvError::Missing("AWS_REGION".to_owned()))?;
    env::required("AWS_ACCESS_KEY_ID")?;
    env::required("AWS_SECRET_ACCESS_KEY")?;
    let credentials = aws_config::environment::EnvironmentVariableCredentialsProvider::new();
    let mut config = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
        );
    config.set_endpoint_url(env::optional("AWS_ENDPOINT_URL"));
    Ok(config.build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    fn enables(filter: &Targets, target: &str, level: Level) -> bool {
        filter.would_enable(target, &level)
    }

    #[test]
    fn lambda_log_levels_and_rust_log_directives_become_target_filters() {
        let debug = log_filter("DEBUG").expect("a level");
        assert!(enables(&debug, "jobfeed::ingest", Level::DEBUG));
        assert!(!enables(&debug, "jobfeed::ingest", Level::TRACE));
        let fatal = log_filter("FATAL").expect("a level");
        assert!(enables(&fatal, "jobfeed", Level::ERROR));
        assert!(!enables(&fatal, "jobfeed", Level::WARN));
        let mixed = log_filter("warn,jobfeed::crawl=trace").expect("directives");
        assert!(enables(&mixed, "jobfeed::crawl::fetch", Level::TRACE));
        assert!(!enables(&mixed, "aws_smithy_runtime", Level::INFO));
        assert!(log_filter("jobfeed=loud").is_none());
    }
}
