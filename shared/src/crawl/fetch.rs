//! The fetch port: what the crawler asks of an HTTP client, and what it gets back. Free of any
//! HTTP library so the crawl of a source can be tested with a scripted fetcher; the reqwest
//! adapter lives in `crawl::http`.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use url::Url;

use crate::model::Validators;

/// How to ask for a URL.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum FetchMethod {
    /// A plain `GET`.
    Get,
    /// A `POST` with this JSON body (search APIs of some job boards). Retried like a `GET`:
    /// those endpoints only read.
    PostJson(serde_json::Value),
}

/// One fetch to perform.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchRequest {
    /// The URL to fetch; only `http` and `https` are accepted.
    pub url: Url,
    /// The method and body.
    pub method: FetchMethod,
    /// Validators of the last response for this URL; sent as `If-None-Match` /
    /// `If-Modified-Since` so an unchanged document costs a 304.
    pub validators: Option<Validators>,
    /// Whether loopback and private addresses may be fetched (local tests, intranet sources).
    /// `false` for every source from the open web.
    pub allow_private: bool,
    /// When set, every URL fetched for this request (the first and each redirect hop) must have
    /// one of these host names (exact, case-insensitive); `None` allows any host that passes the
    /// address checks.
    pub allowed_hosts: Option<Vec<String>>,
    /// Extra request headers (name, value) a provider needs, such as a CSRF token and the
    /// cookie that goes with it; sent on every hop to the request's own host only.
    pub headers: Vec<(String, String)>,
}

impl FetchRequest {
    /// A `GET` of `url` without validators, public addresses only, any host.
    pub fn get(url: Url) -> Self {
        Self {
            url,
            method: FetchMethod::Get,
            validators: None,
            allow_private: false,
            allowed_hosts: None,
            headers: Vec::new(),
        }
    }

    /// A `POST` of `body` as JSON to `url`, otherwise like [`FetchRequest::get`].
    pub fn post_json(url: Url, body: serde_json::Value) -> Self {
        Self {
            method: FetchMethod::PostJson(body),
            ..Self::get(url)
        }
    }

    /// This request, made conditional on `validators`.
    pub fn with_validators(mut self, validators: Validators) -> Self {
        self.validators = Some(validators);
        self
    }

    /// Whether `host` may be fetched for this request according to `allowed_hosts`.
    pub fn host_is_allowed(&self, host: &str) -> bool {
        match &self.allowed_hosts {
            None => true,
            Some(hosts) => hosts.iter().any(|h| h.eq_ignore_ascii_case(host)),
        }
    }
}

/// A fetched document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The URL after redirects.
    pub final_url: Url,
    /// The HTTP status (2xx).
    pub status: u16,
    /// The `Content-Type` header as sent, if any.
    pub content_type: Option<String>,
    /// The body, decompressed and decoded to UTF-8 (undecodable bytes become U+FFFD).
    pub body: String,
    /// `ETag` and `Last-Modified` of the response, to store for the next conditional fetch.
    pub validators: Validators,
    /// The cookies the response set, as `name=value` (attributes dropped): a pre-flight's
    /// session cookie, sent back by the pager with the request it unlocks.
    pub cookies: Vec<String>,
}

impl Document {
    /// A 200 `body` fetched from `url`, with no headers of note (tests and tools).
    pub fn new(url: Url, body: impl Into<String>) -> Self {
        Document {
            final_url: url,
            status: 200,
            content_type: None,
            body: body.into(),
            validators: Validators::default(),
            cookies: Vec::new(),
        }
    }
}

/// Why robots.txt keeps the crawler away from a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisallowReason {
    /// The host's robots.txt disallows this URL for our user agent.
    RobotsTxt,
    /// The host's robots.txt could not be read (5xx, 429, timeout, refused connection): the
    /// whole host is treated as disallowed for the rest of this run (RFC 9309 §2.3.1.4). A later
    /// run asks again.
    RobotsUnreachable(String),
}

impl fmt::Display for DisallowReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RobotsTxt => f.write_str("disallowed by robots.txt"),
            Self::RobotsUnreachable(why) => write!(f, "robots.txt unreachable ({why})"),
        }
    }
}

/// The result of a fetch that did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    /// The document was fetched.
    Fetched(Document),
    /// The server answered 304: the document is unchanged since the sent validators.
    NotModified,
    /// robots.txt keeps us away; nothing was requested from that URL.
    Disallowed {
        /// Why.
        reason: DisallowReason,
    },
}

/// Why a fetch failed. [`FetchError::is_retryable`] splits transient failures (worth another
/// try later) from permanent ones (the same request fails the same way).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// No connection could be made (DNS failure, refused, reset during connect). Retryable.
    #[error("cannot connect to {url}: {detail}")]
    Connect {
        /// The URL being fetched.
        url: Url,
        /// What the client said.
        detail: String,
    },
    /// The connect or total timeout elapsed. Retryable.
    #[error("timed out fetching {url}")]
    Timeout {
        /// The URL being fetched.
        url: Url,
    },
    /// The connection broke while the response was read. Retryable.
    #[error("network error fetching {url}: {detail}")]
    Network {
        /// The URL being fetched.
        url: Url,
        /// What the client said.
        detail: String,
    },
    /// The server answered with an error status. Retryable for 429 and 5xx (after the
    /// fetcher's own retries were used up), permanent for other 4xx.
    #[error("HTTP {status} from {url}")]
    Status {
        /// The URL that answered.
        url: Url,
        /// The status code.
        status: u16,
    },
    /// The body is larger than the configured limit; reading stopped at the limit. Permanent.
    #[error("the body of {url} is over the {limit}-byte limit")]
    BodyTooLarge {
        /// The URL being fetched.
        url: Url,
        /// The limit in bytes.
        limit: u64,
    },
    /// More redirects than the configured limit (or a loop). Permanent.
    #[error("more than {limit} redirects from {url}")]
    TooManyRedirects {
        /// The URL first requested.
        url: Url,
        /// The limit.
        limit: usize,
    },
    /// The URL (or a redirect hop) points at a non-public address or at a host outside the
    /// request's allowed hosts. Permanent.
    #[error("refused to fetch {url}: {reason}")]
    Refused {
        /// The refused URL.
        url: Url,
        /// Why.
        reason: String,
    },
    /// The URL or a redirect `Location` is not a valid http(s) URL. Permanent.
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// The URL's scheme is neither `http` nor `https`. Permanent.
    #[error("unsupported scheme in {url}")]
    UnsupportedScheme {
        /// The URL.
        url: Url,
    },
    /// The response could not be understood (broken compression, malformed HTTP). Permanent.
    #[error("bad response from {url}: {detail}")]
    Protocol {
        /// The URL being fetched.
        url: Url,
        /// What was wrong.
        detail: String,
    },
}

impl FetchError {
    /// Whether trying the same request later may succeed: connection errors, timeouts, 429 and
    /// 5xx. Everything else is permanent.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Timeout { .. } | Self::Network { .. } => true,
            Self::Status { status, .. } => is_retryable_status(*status),
            Self::BodyTooLarge { .. }
            | Self::TooManyRedirects { .. }
            | Self::Refused { .. }
            | Self::InvalidUrl(_)
            | Self::UnsupportedScheme { .. }
            | Self::Protocol { .. } => false,
        }
    }
}

/// Whether an HTTP status is transient: 429 (rate limited) and every 5xx.
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

/// Fetches documents politely. Implementations honour robots.txt, per-host politeness, the
/// limits of [`FetchConfig`] and the address rules of the request.
#[async_trait]
pub trait Fetcher: Send + Sync {
    /// Fetches `request`. `Ok` for a document, a 304 or a robots.txt refusal; `Err` otherwise.
    async fn fetch(&self, request: FetchRequest) -> Result<FetchOutcome, FetchError>;
}

/// Limits and manners of a fetcher. One per run; the defaults suit crawling public job boards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// The `User-Agent` header; its first token (before `/` or a space) is the agent name that
    /// robots.txt groups are matched against. Deployments should append a contact URL.
    pub user_agent: String,
    /// At most this many requests in flight to one host name (default 1).
    pub per_host_concurrency: usize,
    /// At least this long between the starts of two requests to one host name (default 1 s).
    pub min_delay_per_host: Duration,
    /// Timeout to establish a connection (default 10 s).
    pub connect_timeout: Duration,
    /// Timeout of one attempt, from connecting to the last byte of the body (default 30 s).
    pub total_timeout: Duration,
    /// Largest accepted body after decompression, in bytes (default 10 MB).
    pub max_body_bytes: u64,
    /// Most redirects followed for one request (default 5).
    pub max_redirects: usize,
    /// Most retries of one request after a transient failure (default 3).
    pub max_retries: u32,
    /// Base of the exponential backoff between retries (default 500 ms).
    pub backoff_base: Duration,
    /// Longest wait between retries, also the cap on a server's `Retry-After` (default 30 s).
    pub backoff_cap: Duration,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            user_agent: concat!("jobfeed/", env!("CARGO_PKG_VERSION")).to_owned(),
            per_host_concurrency: 1,
            min_delay_per_host: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            max_retries: 3,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
        }
    }
}

impl From<&crate::config::CrawlDefaults> for FetchConfig {
    /// The fetcher settings of `sources.toml`'s `[crawl]` table (timeouts and retries keep
    /// the fetcher's own defaults).
    fn from(crawl: &crate::config::CrawlDefaults) -> Self {
        FetchConfig {
            user_agent: crawl.user_agent.clone(),
            per_host_concurrency: crawl.per_host_concurrency.max(1),
            min_delay_per_host: Duration::from_millis(crawl.min_delay_ms),
            max_body_bytes: crawl.max_body_bytes,
            ..FetchConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://jobs.example.com/feed").unwrap()
    }

    #[test]
    fn rate_limits_server_errors_and_network_failures_are_retryable() {
        for status in [429, 500, 502, 503, 599] {
            let e = FetchError::Status { url: url(), status };
            assert!(e.is_retryable(), "{status}");
        }
        assert!(FetchError::Timeout { url: url() }.is_retryable());
        let connect = FetchError::Connect {
            url: url(),
            detail: "refused".into(),
        };
        assert!(connect.is_retryable());
    }

    #[test]
    fn client_errors_and_refusals_are_permanent() {
        for status in [400, 401, 403, 404, 410, 451] {
            let e = FetchError::Status { url: url(), status };
            assert!(!e.is_retryable(), "{status}");
        }
        let too_large = FetchError::BodyTooLarge {
            url: url(),
            limit: 10,
        };
        assert!(!too_large.is_retryable());
        let refused = FetchError::Refused {
            url: url(),
            reason: "loopback".into(),
        };
        assert!(!refused.is_retryable());
        assert!(!FetchError::UnsupportedScheme { url: url() }.is_retryable());
    }

    #[test]
    fn allowed_hosts_match_exact_names_ignoring_case() {
        let mut request = FetchRequest::get(url());
        assert!(request.host_is_allowed("anything.example"));
        request.allowed_hosts = Some(vec!["Jobs.Example.com".into()]);
        assert!(request.host_is_allowed("jobs.example.com"));
        assert!(!request.host_is_allowed("evil.example.com"));
        assert!(!request.host_is_allowed("example.com"));
    }

    #[test]
    fn default_config_is_polite() {
        let config = FetchConfig::default();
        assert_eq!(config.per_host_concurrency, 1);
        assert_eq!(config.min_delay_per_host, Duration::from_secs(1));
        assert_eq!(config.max_body_bytes, 10_485_760);
        assert_eq!(config.max_redirects, 5);
        assert!(config.user_agent.starts_with("jobfeed/"));
    }
}
