//! The `api` function: the read API's router (`jobfeed::api::router`) on the DynamoDB store,
//! behind API Gateway's HTTP API. `lambda_http` turns each HTTP API (payload 2.0) event into
//! an `http::Request` for the router and its answer back into the event response.

use std::sync::Arc;

use axum::Router;
use jobfeed::api::{ApiConfig, ApiState, router};
use jobfeed::store::{PostingStore, SourceStateStore};
use jobfeed_fn::env::{self, EnvError};

/// The read API's settings from the environment: `CORS_ORIGINS` (comma-separated; unset
/// allows any origin), `PUBLIC_BASE_URL` (the address feed links use), `CACHE_MAX_AGE_SECS`
/// (default 60) and `FEED_TITLE` (default `jobfeed`).
pub fn config_from_env() -> Result<ApiConfig, EnvError> {
    let defaults = ApiConfig::default();
    let public_base_url = match env::optional("PUBLIC_BASE_URL") {
        None => None,
        Some(value) => Some(url::Url::parse(&value).map_err(|e| EnvError::Invalid {
            name: "PUBLIC_BASE_URL".into(),
            reason: e.to_string(),
            value,
        })?),
    };
    Ok(ApiConfig {
        cache_max_age_secs: env::parsed("CACHE_MAX_AGE_SECS", defaults.cache_max_age_secs)?,
        cors_origins: env::optional("CORS_ORIGINS")
            .map(|origins| {
                origins
                    .split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        public_base_url,
        feed_title: env::optional("FEED_TITLE").unwrap_or(defaults.feed_title),
    })
}

/// The router over one store that holds both postings and source states.
pub fn app<S>(store: Arc<S>, config: ApiConfig) -> Router
where
    S: PostingStore + SourceStateStore + 'static,
{
    router(ApiState {
        postings: store.clone(),
        sources: store,
        config,
    })
}
