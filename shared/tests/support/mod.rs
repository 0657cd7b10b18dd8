//! What the crawl-level tests (`crawl_source.rs`, `hostile.rs`) share: a local server on
//! 127.0.0.1, sources written as `sources.toml` lines against it, the fetcher settings of a
//! test, and the fixed time every crawl runs at.

use std::net::SocketAddr;

use axum::Router;
use chrono::{DateTime, Utc};
use jobfeed::config::SourceConfig;
use jobfeed::crawl::fetch::FetchConfig;

/// Serves the router `app` makes for the address it gets (a free port of 127.0.0.1) for the
/// rest of the test; returns that address.
pub async fn serve(app: impl FnOnce(SocketAddr) -> Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app(addr);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// A source from `sources.toml` lines (`name`, `kind` and the rest) fetched from the server
/// at `addr`, private addresses allowed; `{base}` in the lines is the server's address.
pub fn source(addr: SocketAddr, lines: &str) -> SourceConfig {
    let base = format!("http://{addr}");
    let text = format!(
        "[[source]]\nallow_private = true\n{}\n",
        lines.replace("{base}", &base)
    );
    let mut config = jobfeed::config::parse(&text, "test.toml").unwrap();
    config.sources.remove(0)
}

/// The fetcher settings of a test: its own User-Agent and no retries (a test that wants
/// retries says so), the rest as configured by default.
pub fn fetch_config() -> FetchConfig {
    FetchConfig {
        user_agent: "jobfeed-test/1.0".into(),
        max_retries: 0,
        ..FetchConfig::default()
    }
}

/// The time every test crawl runs at.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-07-15T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}
