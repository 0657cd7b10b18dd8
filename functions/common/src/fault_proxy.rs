//! A fault-injecting HTTP proxy for the functions' tests (feature `testing`): it sits on
//! 127.0.0.1 in front of moto_server and, call by call, either forwards an AWS request
//! untouched, answers it itself (a throttling error, a server error), or forwards a rewritten
//! request and rewrites moto's answer (a `SendMessageBatch` reporting some entries failed).
//! moto cannot produce these faults itself; the AWS SDK speaks plain JSON over HTTP to it, so
//! a proxy that reads `X-Amz-Target` can. Panics freely: it only runs in tests.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// One request as the rule sees it.
#[derive(Debug)]
pub struct Call<'a> {
    /// The `X-Amz-Target` header, e.g. `DynamoDB_20120810.Query` or
    /// `AmazonSQS.SendMessageBatch` (empty when absent).
    pub target: &'a str,
    /// How many requests with this target the proxy has seen, this one included (1-based).
    pub number: usize,
    /// The request body (JSON).
    pub body: &'a [u8],
}

/// Rewrites moto's answer body.
pub type Rewrite = Box<dyn FnOnce(Vec<u8>) -> Vec<u8> + Send>;

/// What the proxy does with one request.
pub enum Fault {
    /// Forward it to moto and hand back moto's answer.
    Forward,
    /// Answer it with this status and JSON body; moto never sees it.
    Reply {
        /// The HTTP status.
        status: u16,
        /// The JSON body (e.g. `{"__type": "...ThrottlingException", "message": "..."}`).
        body: String,
    },
    /// Forward `request` instead of the original body, then pass moto's answer through
    /// `response`.
    Rewrite {
        /// The body sent to moto.
        request: Vec<u8>,
        /// What moto's answer becomes.
        response: Rewrite,
    },
}

/// Decides the fate of each request.
pub type Rule = Arc<dyn Fn(&Call<'_>) -> Fault + Send + Sync>;

struct Inner {
    upstream: String,
    client: reqwest::Client,
    rule: Mutex<Rule>,
    seen: Mutex<HashMap<String, usize>>,
}

/// A running proxy; it lives until the test's runtime ends.
#[derive(Clone)]
pub struct FaultProxy {
    url: String,
    inner: Arc<Inner>,
}

impl FaultProxy {
    /// Starts a proxy in front of `AWS_ENDPOINT_URL` (moto) that applies `rule`.
    pub async fn start(rule: impl Fn(&Call<'_>) -> Fault + Send + Sync + 'static) -> FaultProxy {
        let upstream = std::env::var("AWS_ENDPOINT_URL")
            .expect("AWS_ENDPOINT_URL points at moto_server")
            .trim_end_matches('/')
            .to_owned();
        let inner = Arc::new(Inner {
            upstream,
            client: reqwest::Client::new(),
            rule: Mutex::new(Arc::new(rule)),
            seen: Mutex::new(HashMap::new()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let app = Router::new().fallback(relay).with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FaultProxy {
            url: format!("http://{addr}"),
            inner,
        }
    }

    /// The endpoint URL to give an SDK client.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Replaces the rule (e.g. "the store is back": forward everything).
    pub fn set_rule(&self, rule: impl Fn(&Call<'_>) -> Fault + Send + Sync + 'static) {
        *self.inner.rule.lock().unwrap() = Arc::new(rule);
    }

    /// How many requests with `target` the proxy has seen.
    pub fn calls(&self, target: &str) -> usize {
        self.inner
            .seen
            .lock()
            .unwrap()
            .get(target)
            .copied()
            .unwrap_or(0)
    }

    /// A DynamoDB client like `aws`'s that goes through the proxy.
    pub fn dynamodb(&self, aws: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::config::Builder::from(aws).endpoint_url(&self.url);
        aws_sdk_dynamodb::Client::from_conf(config.build())
    }

    /// An SQS client like `aws`'s that goes through the proxy.
    pub fn sqs(&self, aws: &aws_config::SdkConfig) -> aws_sdk_sqs::Client {
        let config = aws_sdk_sqs::config::Builder::from(aws).endpoint_url(&self.url);
        aws_sdk_sqs::Client::from_conf(config.build())
    }
}

/// The JSON error body AWS's JSON protocols use: `__type` names the error shape.
pub fn aws_error(type_name: &str, message: &str) -> String {
    serde_json::json!({ "__type": type_name, "message": message }).to_string()
}

async fn relay(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let number = {
        let mut seen = inner.seen.lock().unwrap();
        let count = seen.entry(target.clone()).or_default();
        *count += 1;
        *count
    };
    let rule = inner.rule.lock().unwrap().clone();
    let fault = rule(&Call {
        target: &target,
        number,
        body: &body,
    });
    let (request, rewrite): (Vec<u8>, Option<Rewrite>) = match fault {
        Fault::Reply { status, body } => {
            return (
                StatusCode::from_u16(status).unwrap(),
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/x-amz-json-1.0"),
                )],
                body,
            )
                .into_response();
        }
        Fault::Forward => (body.to_vec(), None),
        Fault::Rewrite { request, response } => (request, Some(response)),
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut forwarded = HeaderMap::new();
    for (name, value) in &headers {
        // The body may change length; reqwest sets both from what it sends.
        if name != header::HOST && name != header::CONTENT_LENGTH {
            forwarded.insert(name, value.clone());
        }
    }
    let answer = inner
        .client
        .request(method, format!("{}{path}", inner.upstream))
        .headers(forwarded)
        .body(request)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let content_type = answer.headers().get(header::CONTENT_TYPE).cloned();
    let mut bytes = answer.bytes().await.unwrap().to_vec();
    if let Some(rewrite) = rewrite {
        bytes = rewrite(bytes);
    }
    let mut response = (status, bytes).into_response();
    if let Some(content_type) = content_type {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
    }
    response
}
