//! The `api` function: the read API's router (`jobfeed::api::router`) on the DynamoDB store,
//! behind API Gateway's HTTP API. `lambda_http` turns each HTTP API (payload 2.0) event into
//! an `http::Request` for the router and its answer back into the event response.

use std::sync::Arc;

use axum::Router;
use jobfeed::api::{ApiConfig, ApiState, router};
use jobfeed::store::{PostingStore, SourceRegistryReader, SourceStateStore};
use jobfeed_fn::env::{self, EnvError};

/// The read API's settings from the environment: `CORS_ORIGINS` (see [`cors_origins`]),
/// `PUBLIC_BASE_URL` (the address feed links use), `LINK_HOSTS` (without it, the hosts
/// whose `Host` header may build feed links, comma-separated; none: links relative to the
/// feed), `CACHE_MAX_AGE_SECS` (default 60) and `FEED_TITLE` (default `jobfeed`).
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
        cors_origins: cors_origins(env::optional("CORS_ORIGINS").as_deref()),
        public_base_url,
        link_hosts: env::optional("LINK_HOSTS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|host| !host.is_empty())
            .map(str::to_owned)
            .collect(),
        feed_title: env::optional("FEED_TITLE").unwrap_or(defaults.feed_title),
    })
}

/// The allowed origins of a comma-separated list. Unset, empty or containing `*` (the
/// template's default) allows any origin, which the router spells as an empty list.
pub fn cors_origins(value: Option<&str>) -> Vec<String> {
    let origins: Vec<String> = value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect();
    if origins.iter().any(|o| o == "*") {
        Vec::new()
    } else {
        origins
    }
}

/// The router over one store that holds postings, source states and the source registry.
pub fn app<S>(store: Arc<S>, config: ApiConfig) -> Router
where
    S: PostingStore + SourceStateStore + SourceRegistryReader + 'static,
{
    router(ApiState {
        postings: store.clone(),
        sources: store.clone(),
        registry: store,
        config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_or_nothing_allows_any_origin_and_lists_are_split() {
        assert!(cors_origins(None).is_empty());
        assert!(cors_origins(Some("*")).is_empty());
        assert!(cors_origins(Some("https://a.example, *")).is_empty());
        assert_eq!(
            cors_origins(Some(" https://a.example ,https://b.example,")),
            ["https://a.example", "https://b.example"]
        );
    }
}
