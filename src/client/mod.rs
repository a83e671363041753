//! The App Store Connect client: API-key auth, a JSON:API transport, and
//! retries that survive 429s, 5xx and dropped connections without losing
//! or duplicating a write. It knows nothing of trees or plans.
//!
//! Retries (see `retry` for the whole table): 429, 5xx, timeouts and
//! dropped connections back off until one deadline for the run; a 401
//! renews the token once; a refused connection, an unknown host, a TLS
//! failure or a bad URL end within seconds with advice on what to check.
//! GET, PATCH and DELETE are repeated as they are (a PATCH carries the full
//! body, so a repeat is harmless); a POST is repeated only after a GET
//! shows the resource was not created. Other 4xx are never retried.

pub mod credentials;
pub mod jsonapi;
pub mod limiter;
mod retry;
pub mod token;
mod upload;

use jsonapi::{ApiError, Collection, Document, Resource};
use reqwest::{Method, Url};
use retry::{Failure, Retries};
use serde_json::Value;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub use credentials::{Credentials, CredentialsError, Partial, Sources};
pub use retry::Unreachable;
pub use upload::{UploadOperation, UploadProgress};

pub const DEFAULT_BASE_URL: &str = "https://api.appstoreconnect.apple.com";
pub const ENTERPRISE_BASE_URL: &str = "https://api.enterprise.developer.apple.com";

/// How the client behaves; the defaults are for the real service.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// `None`: Apple's host (the enterprise host for in-house keys).
    pub base_url: Option<String>,
    pub max_concurrency: usize,
    /// The whole run's deadline: no retry starts after it.
    pub timeout: Duration,
    /// One attempt's deadline.
    pub attempt_timeout: Duration,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Share of the hourly budget left for other tools using the key.
    pub reserve_fraction: f64,
    /// At most this many requests in any rolling hour, whatever Apple's
    /// budget says: this process's share of a key several jobs use.
    pub hourly_budget: Option<u64>,
    /// Most pages followed for one collection.
    pub page_cap: usize,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            base_url: None,
            max_concurrency: 8,
            timeout: Duration::from_secs(15 * 60),
            attempt_timeout: Duration::from_secs(60),
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(60),
            reserve_fraction: 0.05,
            hourly_budget: None,
            page_cap: 100,
        }
    }
}

/// `1 attempt`, `3 attempts`.
fn attempts_text(n: u32) -> String {
    format!("{n} attempt{}", if n == 1 { "" } else { "s" })
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(
        "{method} {path}: App Store Connect answered {status} with a {content_type} body instead of JSON: {excerpt}"
    )]
    NotJson {
        method: String,
        path: String,
        status: u16,
        content_type: String,
        excerpt: String,
    },
    #[error("{method} {path}: the response is not the expected JSON: {reason}")]
    Decode {
        method: String,
        path: String,
        reason: String,
    },
    #[error(
        "{method} {path}: gave up after {} in {elapsed_s:.0} s: another retry would pass the --timeout deadline. Last problem: {last}",
        attempts_text(*attempts)
    )]
    Deadline {
        method: String,
        path: String,
        attempts: u32,
        elapsed_s: f64,
        last: String,
    },
    #[error(
        "{method} {url}: {reason} (gave up after {} in {elapsed_s:.1} s: retrying will not help). {}",
        attempts_text(*attempts),
        kind.advice()
    )]
    Unreachable {
        method: String,
        url: String,
        kind: Unreachable,
        reason: String,
        attempts: u32,
        elapsed_s: f64,
    },
    #[error(
        "{method} {url}: App Store Connect refused API key {key_id} (401 {said}), also with a freshly signed token. \
         Check the key id (--key-id or ASC_KEY_ID), the issuer id (--issuer-id or ASC_ISSUER_ID; none for an individual key), \
         that the private key (--private-key-path, ASC_PRIVATE_KEY_PATH or ASC_PRIVATE_KEY) is this key's .p8 file, \
         that the key was not revoked, and the system clock"
    )]
    Unauthorized {
        method: String,
        url: String,
        key_id: String,
        /// Apple's code and title, or the start of a body that is not JSON.
        said: String,
        api: Option<Box<ApiError>>,
    },
    #[error("{url}: {reason}")]
    Paging { url: String, reason: String },
    #[error(
        "{method} {path}: not sent: this run may send {cap} requests an hour with its key (--hourly-budget, or [apply] hourly_budget), \
         all of them are spent, and the next could start only in {wait_min} min, after the --timeout deadline. \
         Give this job a larger share of the key's budget, or run it again later"
    )]
    Budget {
        method: String,
        path: String,
        cap: u64,
        wait_min: u64,
    },
    #[error(
        "--api-base-url {url}: {reason}. A bearer token must not travel in clear text: use https, or plain http only to a loopback address"
    )]
    BaseUrl { url: String, reason: String },
    #[error(transparent)]
    Token(#[from] token::TokenError),
    #[error("cannot start the HTTP client: {0}")]
    Http(String),
    #[error("{method} {host}: the storage host refused part {part} of {file} ({status}): {excerpt}")]
    Storage {
        method: String,
        host: String,
        part: usize,
        file: String,
        status: u16,
        excerpt: String,
    },
    #[error("{file}: cannot read it to upload: {reason}")]
    File { file: String, reason: String },
}

impl ClientError {
    /// The App Store Connect error, when the server refused the request.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api(e) => Some(e),
            ClientError::Unauthorized { api, .. } => api.as_deref(),
            _ => None,
        }
    }
}

/// Counters of a run, for reports and benchmarks.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Stats {
    /// Logical requests (a retried PATCH counts once).
    pub requests: u64,
    /// HTTP attempts, retries included.
    pub attempts: u64,
    pub rate_limited: u64,
    pub server_errors: u64,
    pub transport_errors: u64,
    /// Bytes of the answers' bodies, errors and retries included: what a
    /// run downloaded.
    pub bytes_read: u64,
    pub concurrency: Vec<limiter::LimitChange>,
}

impl Stats {
    /// The counts since `earlier` (the concurrency history is kept whole).
    pub fn since(&self, earlier: &Stats) -> Stats {
        Stats {
            requests: self.requests - earlier.requests,
            attempts: self.attempts - earlier.attempts,
            rate_limited: self.rate_limited - earlier.rate_limited,
            server_errors: self.server_errors - earlier.server_errors,
            transport_errors: self.transport_errors - earlier.transport_errors,
            bytes_read: self.bytes_read - earlier.bytes_read,
            concurrency: self.concurrency.clone(),
        }
    }
}

pub struct Client {
    http: reqwest::Client,
    base: Url,
    tokens: token::TokenSource,
    limiter: limiter::Limiter,
    options: ClientOptions,
    deadline: Instant,
    started: Instant,
    requests: AtomicU64,
    attempts: AtomicU64,
    rate_limited: AtomicU64,
    server_errors: AtomicU64,
    transport_errors: AtomicU64,
    bytes_read: AtomicU64,
}

/// A successful answer's body.
struct Answer {
    body: Vec<u8>,
}

/// Checks a base URL: https, or http to a loopback address.
pub fn check_base_url(url: &str) -> Result<Url, ClientError> {
    let bad = |reason: &str| ClientError::BaseUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" => {
            let host = parsed.host_str().unwrap_or_default();
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host
                    .trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback {
                Ok(parsed)
            } else {
                Err(bad("plain http to a host that is not loopback"))
            }
        }
        other => Err(bad(&format!("unsupported scheme '{other}'"))),
    }
}

impl Client {
    pub fn new(credentials: &Credentials, options: ClientOptions) -> Result<Client, ClientError> {
        Client::with_clock(credentials, options, token::system_clock())
    }

    pub fn with_clock(
        credentials: &Credentials,
        options: ClientOptions,
        clock: token::Clock,
    ) -> Result<Client, ClientError> {
        let default = if credentials.in_house {
            ENTERPRISE_BASE_URL
        } else {
            DEFAULT_BASE_URL
        };
        let base = check_base_url(options.base_url.as_deref().unwrap_or(default))?;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(concat!("asc-sync/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(options.max_concurrency)
            .build()
            .map_err(|e| ClientError::Http(e.to_string()))?;
        let now = Instant::now();
        Ok(Client {
            http,
            base,
            tokens: token::TokenSource::new(credentials, clock)?,
            limiter: limiter::Limiter::with_cap(
                options.max_concurrency,
                options.reserve_fraction,
                options.hourly_budget,
            ),
            deadline: now + options.timeout,
            started: now,
            options,
            requests: AtomicU64::new(0),
            attempts: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            server_errors: AtomicU64::new(0),
            transport_errors: AtomicU64::new(0),
            bytes_read: AtomicU64::new(0),
        })
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            attempts: self.attempts.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            server_errors: self.server_errors.load(Ordering::Relaxed),
            transport_errors: self.transport_errors.load(Ordering::Relaxed),
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            concurrency: self.limiter.history(),
        }
    }

    /// A path (`/v1/apps?…`) on the base URL, or an absolute URL on the
    /// same origin (a `links.next`), as is.
    fn url(&self, path_or_url: &str) -> Result<Url, ClientError> {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            let url = Url::parse(path_or_url).map_err(|e| ClientError::Paging {
                url: path_or_url.to_owned(),
                reason: e.to_string(),
            })?;
            if url.origin() != self.base.origin() {
                return Err(ClientError::Paging {
                    url: path_or_url.to_owned(),
                    reason: format!("a link leads away from {}; not following it with the token", self.base),
                });
            }
            return Ok(url);
        }
        self.base.join(path_or_url).map_err(|e| ClientError::Paging {
            url: path_or_url.to_owned(),
            reason: e.to_string(),
        })
    }

    pub async fn get(&self, path: &str) -> Result<Document<Value>, ClientError> {
        self.get_as(path).await
    }

    /// One document, its `data` decoded as `T`: a resource, one page of a
    /// collection (no `links.next` followed), or any JSON.
    pub async fn get_as<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<Document<T>, ClientError> {
        let answer = self.request(Method::GET, path, None).await?;
        decode("GET", path, &answer.body)
    }

    /// Every page of a collection, following `links.next` verbatim until it
    /// is absent, at most `page_cap` pages, refusing a link seen before.
    pub async fn get_all(&self, path: &str) -> Result<Collection, ClientError> {
        let mut out = Collection::default();
        let mut next = Some(path.to_owned());
        let mut seen = std::collections::HashSet::new();
        while let Some(url) = next.take() {
            if !seen.insert(url.clone()) {
                return Err(ClientError::Paging {
                    url,
                    reason: "the next page link repeats an earlier one (a cursor loop); stopped".into(),
                });
            }
            if out.pages >= self.options.page_cap {
                return Err(ClientError::Paging {
                    url,
                    reason: format!("more than {} pages; stopped", self.options.page_cap),
                });
            }
            let answer = self.request(Method::GET, &url, None).await?;
            let doc: Document<Vec<Resource>> = decode("GET", &url, &answer.body)?;
            out.pages += 1;
            out.data.extend(doc.data);
            out.included.extend(doc.included);
            next = doc.links.next;
        }
        Ok(out)
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Result<Document<Resource>, ClientError> {
        let answer = self.request(Method::PATCH, path, Some(body)).await?;
        decode("PATCH", path, &answer.body)
    }

    pub async fn delete(&self, path: &str) -> Result<(), ClientError> {
        self.request(Method::DELETE, path, None).await.map(|_| ())
    }

    /// A DELETE for which "not found" is success: the resource is gone,
    /// whether by this request (its answer lost) or another.
    pub async fn delete_gone(&self, path: &str) -> Result<(), ClientError> {
        match self.delete(path).await {
            Err(e) if e.api().is_some_and(|a| a.status == 404) => Ok(()),
            other => other,
        }
    }

    /// A POST adding to a to-many relationship, answered 204 with no body.
    /// Adding what is there already changes nothing, so a retry is safe.
    pub async fn post_relationship(&self, path: &str, body: &Value) -> Result<(), ClientError> {
        self.request(Method::POST, path, Some(body)).await.map(|_| ())
    }

    /// A PATCH of a relationship, answered 204 with no body.
    pub async fn patch_relationship(&self, path: &str, body: &Value) -> Result<(), ClientError> {
        self.request(Method::PATCH, path, Some(body)).await.map(|_| ())
    }

    /// POSTs a new resource. If the answer is lost (a dropped connection, a
    /// 5xx), `find_existing` is asked whether the resource exists now; it is
    /// returned if so, and the POST is repeated only if not, so a retry
    /// never creates a second one.
    pub async fn create<F, Fut>(&self, path: &str, body: &Value, find_existing: F) -> Result<Resource, ClientError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Option<Resource>, ClientError>>,
    {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let url = self.url(path)?;
        let mut retries = Retries::new(&Method::POST, path, &url);
        loop {
            match self.attempt(&Method::POST, path, &url, Some(body)).await {
                Ok(answer) => {
                    let doc: Document<Resource> = decode("POST", path, &answer.body)?;
                    return Ok(doc.data);
                }
                Err(failure) => {
                    if failure.maybe_applied() {
                        tracing::info!(path, "the answer to a create was lost; checking whether it was applied");
                        if let Some(existing) = find_existing().await? {
                            return Ok(existing);
                        }
                    }
                    self.pause(&mut retries, failure).await?;
                }
            }
        }
    }

    async fn request(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Answer, ClientError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let url = self.url(path)?;
        let mut retries = Retries::new(&method, path, &url);
        loop {
            match self.attempt(&method, path, &url, body).await {
                Ok(answer) => return Ok(answer),
                Err(failure) => self.pause(&mut retries, failure).await?,
            }
        }
    }

    /// One HTTP attempt within the concurrency limit and the deadline.
    async fn attempt(&self, method: &Method, path: &str, url: &Url, body: Option<&Value>) -> Result<Answer, Failure> {
        if let Some((until, cap)) = self.limiter.cap_spent_until()
            && until > self.deadline
        {
            return Err(Failure::Final(ClientError::Budget {
                method: method.to_string(),
                path: path_only(path),
                cap,
                wait_min: until.saturating_duration_since(Instant::now()).as_secs().div_ceil(60),
            }));
        }
        let Ok(permit) = tokio::time::timeout_at(self.deadline.into(), self.limiter.acquire()).await else {
            return Err(Failure::OutOfTime);
        };
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Failure::OutOfTime);
        }
        let token = self.tokens.token().map_err(|e| Failure::Final(e.into()))?;
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(token.expose())
            .header("accept", "application/json")
            .timeout(self.options.attempt_timeout.min(remaining));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        self.attempts.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let sent = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let bytes = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, bytes))
        }
        .await;
        drop(permit);
        let shown = path_only(path);
        match sent {
            Ok((status, headers, bytes)) => {
                self.bytes_read.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                let ms = started.elapsed().as_millis() as u64;
                tracing::debug!(%method, path = %shown, status, ms, "answered");
                self.judge(method, &shown, status, &headers, &bytes, token)
            }
            Err(e) => {
                self.transport_errors.fetch_add(1, Ordering::Relaxed);
                let failure = retry::transport_failure(&e, *method == Method::POST);
                tracing::debug!(%method, path = %shown, error = %e, "no answer");
                Err(failure)
            }
        }
    }

    /// Reads an HTTP answer: a success, or how the attempt failed.
    fn judge(
        &self,
        method: &Method,
        shown: &str,
        status: u16,
        headers: &reqwest::header::HeaderMap,
        bytes: &[u8],
        token: token::Token,
    ) -> Result<Answer, Failure> {
        if let Some(v) = headers.get("x-rate-limit").and_then(|v| v.to_str().ok()) {
            self.limiter.observe_budget(v);
        }
        match status {
            200..=299 => {
                self.limiter.on_success();
                Ok(Answer { body: bytes.to_vec() })
            }
            401 => Err(Failure::Unauthorized {
                token,
                refusal: Box::new(refusal(method, shown, status, headers, bytes)),
            }),
            429 => {
                self.rate_limited.fetch_add(1, Ordering::Relaxed);
                self.limiter.on_rate_limited();
                Err(Failure::Transient {
                    why: "429: rate limited".into(),
                    after: retry::retry_after(headers),
                    maybe_applied: false,
                })
            }
            500..=599 => {
                self.server_errors.fetch_add(1, Ordering::Relaxed);
                Err(Failure::Transient {
                    why: format!("{status}: server error"),
                    after: retry::retry_after(headers),
                    maybe_applied: *method == Method::POST,
                })
            }
            _ => Err(Failure::Final(refusal(method, shown, status, headers, bytes))),
        }
    }
}

/// An error answer as Apple's typed error, or as readable text.
fn refusal(
    method: &Method,
    shown: &str,
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
) -> ClientError {
    match ApiError::parse(status, method.as_str(), shown, body) {
        Some(e) => ClientError::Api(e),
        None => ClientError::NotJson {
            method: method.to_string(),
            path: shown.to_owned(),
            status,
            content_type: headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("unknown")
                .to_owned(),
            excerpt: excerpt(body),
        },
    }
}

fn decode<T: serde::de::DeserializeOwned>(method: &str, path: &str, body: &[u8]) -> Result<T, ClientError> {
    serde_json::from_slice(body).map_err(|e| ClientError::Decode {
        method: method.to_owned(),
        path: path_only(path),
        reason: e.to_string(),
    })
}

/// The path of a path or URL, for messages (no host, no query).
fn path_only(path_or_url: &str) -> String {
    let without_origin = match path_or_url.find("://") {
        Some(i) => path_or_url[i + 3..]
            .find('/')
            .map_or("/", |j| &path_or_url[i + 3 + j..]),
        None => path_or_url,
    };
    without_origin.split('?').next().unwrap_or_default().to_owned()
}

/// The start of a non-JSON body, on one line, for an error message.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = one_line.chars().take(200).collect();
    if one_line.chars().count() > 200 {
        cut.push('…');
    }
    if cut.is_empty() { "(empty)".into() } else { cut }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_not_send_a_token_in_clear_text() {
        assert!(check_base_url("https://api.appstoreconnect.apple.com").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("http://localhost:8080").is_ok());
        assert!(check_base_url("http://[::1]:8080").is_ok());
        assert!(check_base_url("http://example.com").is_err());
        assert!(check_base_url("http://10.0.0.1").is_err());
        assert!(check_base_url("ftp://127.0.0.1").is_err());
    }

    #[test]
    fn paths_in_messages_carry_no_host_or_query() {
        assert_eq!(path_only("http://127.0.0.1:1/v1/apps?cursor=x"), "/v1/apps");
        assert_eq!(path_only("/v1/apps?filter[bundleId]=x"), "/v1/apps");
    }
}
