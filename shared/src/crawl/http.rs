//! The reqwest adapter of [`Fetcher`]: a polite, conditional, bounded HTTP client.
//!
//! Every hop of a fetch (the first URL and each redirect) is checked in the same order: scheme,
//! literal-IP address, allowed hosts, robots.txt; then it waits for its host's turn, and is
//! retried on transient failures. Decisions worth knowing:
//! - robots.txt is fetched once per origin per fetcher (one fetcher per run). A 4xx (or an
//!   unusable file) allows everything; a 5xx, 429 or network failure, after the usual retries,
//!   disallows the whole origin for the rest of the run ([`DisallowReason::RobotsUnreachable`]),
//!   as RFC 9309 asks; the next run asks again.
//! - Waits between retries use exponential backoff with full jitter, capped by
//!   `backoff_cap`; a `Retry-After` (seconds or HTTP date) replaces the backoff and is capped by
//!   the same value, so one server cannot stall a run for hours.
//! - The SSRF guard lives in the DNS resolver of the client (see `ssrf`), so it also covers
//!   redirect hops and cannot be bypassed by a host name that resolves to a private address.
//!   There are two clients, strict and permissive, so a connection opened for a private
//!   request is never reused by a public one. No proxy is used: a proxy would resolve names for
//!   us and defeat the guard.

mod politeness;
mod robots;
mod ssrf;

use std::error::Error as StdError;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
    LOCATION, RETRY_AFTER,
};
use reqwest::{Client, redirect};
use url::{Host, Url};

use crate::crawl::fetch::{
    DisallowReason, Document, FetchConfig, FetchError, FetchMethod, FetchOutcome, FetchRequest,
    Fetcher, is_retryable_status,
};
use crate::model::Validators;
use politeness::Politeness;
use robots::{MAX_ROBOTS_BYTES, RobotsCache, RobotsRules};
use ssrf::{AddressPolicy, AddressRefused, GuardedResolver};

/// The reqwest-backed [`Fetcher`]. Build one per run and share it: it holds the connection
/// pools, the per-host politeness gates and the robots.txt cache.
#[derive(Debug)]
pub struct HttpFetcher {
    config: FetchConfig,
    strict: Client,
    permissive: Client,
    politeness: Politeness,
    robots: RobotsCache,
    robots_agent: String,
}

impl HttpFetcher {
    /// A fetcher following `config`. Fails only if the HTTP client cannot be built (an invalid
    /// user agent, or a TLS backend that cannot start).
    pub fn new(config: FetchConfig) -> Result<Self, reqwest::Error> {
        let strict = build_client(&config, AddressPolicy::PublicOnly)?;
        let permissive = build_client(&config, AddressPolicy::AllowPrivate)?;
        Ok(Self {
            politeness: Politeness::new(config.per_host_concurrency, config.min_delay_per_host),
            robots: RobotsCache::default(),
            robots_agent: robots::agent_token(&config.user_agent).to_owned(),
            strict,
            permissive,
            config,
        })
    }

    /// Follows `request` through its redirects. Robots purpose fetches skip the robots check
    /// (they are the check) and keep the first [`MAX_ROBOTS_BYTES`] of an oversized file.
    async fn follow(&self, request: &FetchRequest, purpose: Purpose) -> Result<Final, FetchError> {
        let policy = if request.allow_private {
            AddressPolicy::AllowPrivate
        } else {
            AddressPolicy::PublicOnly
        };
        let client = match policy {
            AddressPolicy::PublicOnly => &self.strict,
            AddressPolicy::AllowPrivate => &self.permissive,
        };
        let limit = match purpose {
            Purpose::Page => BodyLimit {
                bytes: self.config.max_body_bytes,
                truncate: false,
            },
            Purpose::Robots => BodyLimit {
                bytes: self.config.max_body_bytes.min(MAX_ROBOTS_BYTES),
                truncate: true,
            },
        };
        let mut url = request.url.clone();
        let mut method = request.method.clone();
        let mut redirects = 0;
        loop {
            let host = check_hop(&url, request, policy)?;
            if purpose == Purpose::Page {
                let fetch_rules = || self.fetch_robots(&url, request);
                if let Some(reason) = self.robots.verdict(&url, fetch_rules).await {
                    return Ok(Final::Disallowed(reason));
                }
            }
            let hop = Hop {
                client,
                host: &host,
                url: &url,
                method: &method,
                validators: request.validators.as_ref(),
                // A provider's token and cookie are for its own host, not a redirect's.
                headers: if url.host_str() == request.url.host_str() {
                    &request.headers
                } else {
                    &[]
                },
                limit,
            };
            match self.attempt_with_retries(&hop).await? {
                Answer::Redirect { status, location } => {
                    if redirects >= self.config.max_redirects {
                        return Err(FetchError::TooManyRedirects {
                            url: request.url.clone(),
                            limit: self.config.max_redirects,
                        });
                    }
                    redirects += 1;
                    let next = url
                        .join(&location)
                        .map_err(|e| FetchError::InvalidUrl(format!("{location:?}: {e}")))?;
                    // A POST answered by 303, or by 301/302 in long-standing client practice,
                    // goes on as a GET; 307/308 repeat the request as it was.
                    let to_get = matches!(status, 301..=303);
                    if to_get && matches!(method, FetchMethod::PostJson(_)) {
                        method = FetchMethod::Get;
                    }
                    tracing::debug!(from = %url, to = %next, status, "following redirect");
                    url = next;
                }
                Answer::NotModified => return Ok(Final::NotModified),
                Answer::Body(body) => return Ok(Final::Body(body)),
            }
        }
    }

    /// The robots.txt rules of `url`'s origin, fetched with `request`'s address rules.
    async fn fetch_robots(&self, url: &Url, request: &FetchRequest) -> RobotsRules {
        let Ok(robots_url) = url.join("/robots.txt") else {
            return RobotsRules::AllowAll;
        };
        let robots_request = FetchRequest {
            allow_private: request.allow_private,
            allowed_hosts: request.allowed_hosts.clone(),
            ..FetchRequest::get(robots_url)
        };
        // Boxed: `follow` awaits this function, so its future cannot contain itself unboxed.
        match Box::pin(self.follow(&robots_request, Purpose::Robots)).await {
            Ok(Final::Body(body)) => RobotsRules::parse(&self.robots_agent, &body.bytes),
            Ok(Final::NotModified | Final::Disallowed(_)) => RobotsRules::AllowAll,
            Err(error) if error.is_retryable() => {
                tracing::warn!(%error, "robots.txt unreachable, disallowing the origin this run");
                RobotsRules::Unreachable(error.to_string())
            }
            Err(error) => {
                tracing::debug!(%error, "no usable robots.txt, allowing all");
                RobotsRules::AllowAll
            }
        }
    }

    /// One hop, retried on transient failures with backoff (or the server's `Retry-After`).
    async fn attempt_with_retries(&self, hop: &Hop<'_>) -> Result<Answer, FetchError> {
        let mut attempt = 0;
        loop {
            match self.attempt(hop).await {
                Ok(answer) => return Ok(answer),
                Err(failure)
                    if failure.error.is_retryable() && attempt < self.config.max_retries =>
                {
                    let wait = match failure.retry_after {
                        Some(asked) => asked.min(self.config.backoff_cap),
                        None => backoff(&self.config, attempt),
                    };
                    tracing::debug!(error = %failure.error, ?wait, attempt, "retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(failure) => return Err(failure.error),
            }
        }
    }

    /// One request of one hop, holding the host's turn until its body is read.
    async fn attempt(&self, hop: &Hop<'_>) -> Result<Answer, Failure> {
        let _turn = self.politeness.turn(hop.host).await;
        let url = hop.url;
        let mut builder = match hop.method {
            FetchMethod::Get => hop.client.get(url.clone()),
            FetchMethod::PostJson(json) => hop
                .client
                .post(url.clone())
                .header(CONTENT_TYPE, "application/json")
                .body(json.to_string()),
        };
        if let Some(validators) = hop.validators {
            // A stored validator that is not a valid header value is not sent; the fetch then
            // is simply unconditional.
            let conditions = [
                (IF_NONE_MATCH, &validators.etag),
                (IF_MODIFIED_SINCE, &validators.last_modified),
            ];
            for (name, value) in conditions {
                if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                    builder = builder.header(name, value);
                }
            }
        }
        for (name, value) in hop.headers {
            // A header the provider's answer made unsendable is left out; the request then
            // fails as the provider decides, with its status.
            if let (Ok(name), Ok(value)) = (
                reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                builder = builder.header(name, value);
            }
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| Failure::from(client_error(url, &e)))?;
        let status = response.status().as_u16();
        let headers = response.headers();
        if status == 304 {
            return Ok(Answer::NotModified);
        }
        if (300..400).contains(&status)
            && let Some(location) = header_str(headers, &LOCATION)
        {
            return Ok(Answer::Redirect {
                status,
                location: location.to_owned(),
            });
        }
        if !(200..300).contains(&status) {
            let retry_after = is_retryable_status(status)
                .then(|| header_str(headers, &RETRY_AFTER).and_then(parse_retry_after))
                .flatten();
            let error = FetchError::Status {
                url: url.clone(),
                status,
            };
            return Err(Failure { error, retry_after });
        }
        let content_type = header_str(headers, &CONTENT_TYPE).map(str::to_owned);
        let validators = Validators {
            etag: header_str(headers, &ETAG).map(str::to_owned),
            last_modified: header_str(headers, &LAST_MODIFIED).map(str::to_owned),
        };
        let cookies = headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .filter_map(|cookie| cookie.split(';').next())
            .map(str::trim)
            .filter(|pair| pair.contains('='))
            .map(str::to_owned)
            .collect();
        let bytes = read_body(&mut response, url, hop.limit).await?;
        Ok(Answer::Body(Body {
            final_url: url.clone(),
            status,
            content_type,
            validators,
            cookies,
            bytes,
        }))
    }
}

#[async_trait]
impl Fetcher for HttpFetcher {
    async fn fetch(&self, request: FetchRequest) -> Result<FetchOutcome, FetchError> {
        Ok(match self.follow(&request, Purpose::Page).await? {
            Final::Disallowed(reason) => FetchOutcome::Disallowed { reason },
            Final::NotModified => FetchOutcome::NotModified,
            Final::Body(body) => FetchOutcome::Fetched(Document {
                body: crate::markup::charset::decode_body(
                    body.content_type.as_deref(),
                    &body.bytes,
                ),
                final_url: body.final_url,
                status: body.status,
                content_type: body.content_type,
                validators: body.validators,
                cookies: body.cookies,
            }),
        })
    }
}

fn build_client(config: &FetchConfig, policy: AddressPolicy) -> Result<Client, reqwest::Error> {
    Client::builder()
        .user_agent(config.user_agent.as_str())
        .connect_timeout(config.connect_timeout)
        .timeout(config.total_timeout)
        // Redirects are followed by `follow`, so that each hop is checked and counted.
        .redirect(redirect::Policy::none())
        .no_proxy()
        .dns_resolver(GuardedResolver { policy })
        .build()
}

/// Why a fetch is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// The caller's document.
    Page,
    /// A robots.txt, on the way to a document.
    Robots,
}

/// How much body to accept, and whether to keep the head of a larger one or fail.
#[derive(Debug, Clone, Copy)]
struct BodyLimit {
    bytes: u64,
    truncate: bool,
}

/// One hop of a fetch: what to send where.
struct Hop<'a> {
    client: &'a Client,
    host: &'a str,
    url: &'a Url,
    method: &'a FetchMethod,
    validators: Option<&'a Validators>,
    headers: &'a [(String, String)],
    limit: BodyLimit,
}

/// What one hop answered.
enum Answer {
    Redirect { status: u16, location: String },
    NotModified,
    Body(Body),
}

/// How a followed fetch ended.
enum Final {
    Disallowed(DisallowReason),
    NotModified,
    Body(Body),
}

/// A 2xx response, read in full.
struct Body {
    final_url: Url,
    status: u16,
    content_type: Option<String>,
    validators: Validators,
    cookies: Vec<String>,
    bytes: Vec<u8>,
}

/// A failed attempt, and how long the server asked us to wait before the next one.
struct Failure {
    error: FetchError,
    retry_after: Option<Duration>,
}

impl From<FetchError> for Failure {
    fn from(error: FetchError) -> Self {
        Self {
            error,
            retry_after: None,
        }
    }
}

/// Checks a hop before anything is sent and returns its host name (the politeness key).
fn check_hop(
    url: &Url,
    request: &FetchRequest,
    policy: AddressPolicy,
) -> Result<String, FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::UnsupportedScheme { url: url.clone() });
    }
    let refused = |reason: String| FetchError::Refused {
        url: url.clone(),
        reason,
    };
    // Literal addresses never reach the resolver, so they are judged here.
    let literal = match url.host() {
        None => return Err(FetchError::InvalidUrl(format!("{url} has no host"))),
        Some(Host::Ipv4(ip)) => Some(ip.into()),
        Some(Host::Ipv6(ip)) => Some(ip.into()),
        Some(Host::Domain(_)) => None,
    };
    if let Some(reason) = literal.and_then(|ip| policy.refusal(ip)) {
        return Err(refused(format!("the host is {reason}")));
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if !request.host_is_allowed(&host) {
        return Err(refused(format!("{host} is not among the allowed hosts")));
    }
    Ok(host)
}

/// Reads the body chunk by chunk, stopping as soon as it passes the limit so an oversized (or
/// endless) body is never buffered.
async fn read_body(
    response: &mut reqwest::Response,
    url: &Url,
    limit: BodyLimit,
) -> Result<Vec<u8>, FetchError> {
    let too_large = || FetchError::BodyTooLarge {
        url: url.clone(),
        limit: limit.bytes,
    };
    // A declared length over the limit (known only for an uncompressed body) fails before
    // any of the body is read.
    if !limit.truncate
        && response
            .content_length()
            .is_some_and(|len| len > limit.bytes)
    {
        return Err(too_large());
    }
    let max = usize::try_from(limit.bytes).unwrap_or(usize::MAX);
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| client_error(url, &e))? {
        let room = max.saturating_sub(body.len());
        if chunk.len() > room {
            if !limit.truncate {
                return Err(too_large());
            }
            body.extend_from_slice(chunk.get(..room).unwrap_or_default());
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Maps a client error to the port's error, recognising the SSRF guard's refusals.
fn client_error(url: &Url, error: &reqwest::Error) -> FetchError {
    if let Some(refused) = find_refusal(error) {
        return FetchError::Refused {
            url: url.clone(),
            reason: refused.to_string(),
        };
    }
    let detail = describe(error);
    if error.is_timeout() {
        FetchError::Timeout { url: url.clone() }
    } else if error.is_connect() {
        FetchError::Connect {
            url: url.clone(),
            detail,
        }
    } else if error.is_decode() || error.is_builder() || error.is_redirect() {
        FetchError::Protocol {
            url: url.clone(),
            detail,
        }
    } else {
        FetchError::Network {
            url: url.clone(),
            detail,
        }
    }
}

/// The resolver's refusal somewhere in `error`'s source chain. An `io::Error` hides the error
/// it wraps from `source()`, so it is opened with `get_ref`.
fn find_refusal<'e>(error: &'e (dyn StdError + 'static)) -> Option<&'e AddressRefused> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(refused) = e.downcast_ref::<AddressRefused>() {
            return Some(refused);
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            && let Some(refused) = find_refusal(inner)
        {
            return Some(refused);
        }
        current = e.source();
    }
    None
}

/// `error` and its causes on one line, for logs and error details.
fn describe(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn header_str<'h>(headers: &'h HeaderMap, name: &reqwest::header::HeaderName) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The wait before retry number `attempt + 1`: "full jitter", a uniform draw from zero to the
/// capped exponential `backoff_base * 2^attempt`, so retrying clients spread out.
fn backoff(config: &FetchConfig, attempt: u32) -> Duration {
    let ceiling = config
        .backoff_base
        .saturating_mul(2u32.saturating_pow(attempt))
        .min(config.backoff_cap);
    ceiling.mul_f64(fastrand::f64())
}

/// A `Retry-After` value: delay-seconds or an HTTP date (a date in the past means now).
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (date.with_timezone(&Utc) - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> FetchConfig {
        FetchConfig {
            backoff_base: Duration::from_millis(100),
            backoff_cap: Duration::from_secs(1),
            ..FetchConfig::default()
        }
    }

    #[test]
    fn backoff_stays_under_the_doubling_ceiling_and_the_cap() {
        let config = config();
        for _ in 0..200 {
            assert!(backoff(&config, 0) <= Duration::from_millis(100));
            assert!(backoff(&config, 2) <= Duration::from_millis(400));
            assert!(backoff(&config, 10) <= Duration::from_secs(1));
            assert!(backoff(&config, u32::MAX) <= Duration::from_secs(1));
        }
    }

    #[test]
    fn backoff_is_jittered() {
        let config = config();
        let draws: std::collections::HashSet<Duration> =
            (0..50).map(|_| backoff(&config, 3)).collect();
        assert!(draws.len() > 40, "{draws:?}");
    }

    #[test]
    fn retry_after_in_seconds_is_read() {
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("0"), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_as_an_http_date_is_the_time_until_then() {
        let in_a_minute = (Utc::now() + chrono::Duration::seconds(60))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let wait = parse_retry_after(&in_a_minute).unwrap();
        assert!(
            wait > Duration::from_secs(57) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        let past = parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(past, Some(Duration::ZERO));
    }

    #[test]
    fn a_garbled_retry_after_is_ignored() {
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-5"), None);
    }

    #[test]
    fn hops_to_other_schemes_are_refused() {
        let request = FetchRequest::get(Url::parse("https://jobs.example.com/").unwrap());
        let ftp = Url::parse("ftp://jobs.example.com/feed.xml").unwrap();
        let err = check_hop(&ftp, &request, AddressPolicy::PublicOnly).unwrap_err();
        assert_eq!(err, FetchError::UnsupportedScheme { url: ftp });
    }

    #[test]
    fn literal_private_and_metadata_addresses_are_refused_before_connecting() {
        let request = FetchRequest::get(Url::parse("https://jobs.example.com/").unwrap());
        for target in [
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://10.0.0.7/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:169.254.169.254]/",
        ] {
            let url = Url::parse(target).unwrap();
            let err = check_hop(&url, &request, AddressPolicy::PublicOnly).unwrap_err();
            assert!(matches!(err, FetchError::Refused { .. }), "{target}: {err}");
        }
        let metadata = Url::parse("http://169.254.169.254/").unwrap();
        let err = check_hop(&metadata, &request, AddressPolicy::AllowPrivate).unwrap_err();
        assert!(matches!(err, FetchError::Refused { .. }), "{err}");
    }

    #[test]
    fn a_hop_returns_its_lowercased_host_as_the_politeness_key() {
        let url = Url::parse("https://Jobs.Example.COM:8443/x").unwrap();
        let request = FetchRequest::get(url.clone());
        assert_eq!(
            check_hop(&url, &request, AddressPolicy::PublicOnly).unwrap(),
            "jobs.example.com"
        );
    }

    #[test]
    fn hops_outside_the_allowed_hosts_are_refused() {
        let mut request = FetchRequest::get(Url::parse("https://jobs.example.com/").unwrap());
        request.allowed_hosts = Some(vec!["jobs.example.com".into()]);
        let elsewhere = Url::parse("https://cdn.example.net/jobs").unwrap();
        let err = check_hop(&elsewhere, &request, AddressPolicy::PublicOnly).unwrap_err();
        assert_eq!(
            err,
            FetchError::Refused {
                url: elsewhere,
                reason: "cdn.example.net is not among the allowed hosts".into()
            }
        );
    }
}
