//! The App Store Connect client: API-key auth, a JSON:API transport, and
//! retries that survive 429s, 5xx and dropped connections without losing
//! or duplicating a write. It knows nothing of trees or plans.
//!
//! Retries: 429 waits `Retry-After` when given, else exponential backoff
//! with full jitter (base 1 s, cap 60 s); 5xx, timeouts and connection
//! errors back off the same way; a 401 renews the token once. GET, PATCH
//! and DELETE are repeated as they are (a PATCH carries the full body, so a
//! repeat is harmless); a POST is repeated only after a GET shows the
//! resource was not created. Other 4xx are never retried. Everything is
//! bounded by one deadline for the run, not by a count of sleeps.

pub mod credentials;
pub mod jsonapi;
pub mod limiter;
pub mod token;

use jsonapi::{ApiError, Collection, Document, Resource};
use rand::RngExt;
use reqwest::{Method, Url};
use serde_json::Value;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub use credentials::{Credentials, CredentialsError, Partial, Sources};

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
            page_cap: 100,
        }
    }
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
        "{method} {path}: gave up after {attempts} attempt(s) in {elapsed_s:.0} s: another retry would pass the --timeout deadline. Last problem: {last}"
    )]
    Deadline {
        method: String,
        path: String,
        attempts: u32,
        elapsed_s: f64,
        last: String,
    },
    #[error("{url}: {reason}")]
    Paging { url: String, reason: String },
    #[error(
        "--api-base-url {url}: {reason}. A bearer token must not travel in clear text: use https, or plain http only to a loopback address"
    )]
    BaseUrl { url: String, reason: String },
    #[error(transparent)]
    Token(#[from] token::TokenError),
    #[error("cannot start the HTTP client: {0}")]
    Http(String),
}

impl ClientError {
    /// The App Store Connect error, when the server refused the request.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api(e) => Some(e),
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
}

/// A successful answer's body.
struct Answer {
    body: Vec<u8>,
}

/// What one attempt ended with, before deciding whether to retry.
enum Outcome {
    Done(Answer),
    Refused(ClientError),
    /// Retry after this long; `maybe_applied` when a write may have been
    /// applied although no answer came (a dropped connection, a 5xx).
    Retry {
        wait: Duration,
        why: String,
        maybe_applied: bool,
    },
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
            limiter: limiter::Limiter::new(options.max_concurrency, options.reserve_fraction),
            deadline: now + options.timeout,
            started: now,
            options,
            requests: AtomicU64::new(0),
            attempts: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            server_errors: AtomicU64::new(0),
            transport_errors: AtomicU64::new(0),
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
        let mut attempt = 0u32;
        let mut renewed = false;
        loop {
            match self
                .attempt(&Method::POST, path, Some(body), attempt, &mut renewed)
                .await?
            {
                Outcome::Done(answer) => {
                    let doc: Document<Resource> = decode("POST", path, &answer.body)?;
                    return Ok(doc.data);
                }
                Outcome::Refused(e) => return Err(e),
                Outcome::Retry {
                    wait,
                    why,
                    maybe_applied,
                } => {
                    attempt += 1;
                    if maybe_applied {
                        tracing::info!(path, %why, "the answer to a create was lost; checking whether it was applied");
                        if let Some(existing) = find_existing().await? {
                            return Ok(existing);
                        }
                    }
                    self.wait(wait, "POST", path, attempt, &why).await?;
                }
            }
        }
    }

    async fn request(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Answer, ClientError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut attempt = 0u32;
        let mut renewed = false;
        loop {
            match self.attempt(&method, path, body, attempt, &mut renewed).await? {
                Outcome::Done(answer) => return Ok(answer),
                Outcome::Refused(e) => return Err(e),
                Outcome::Retry { wait, why, .. } => {
                    attempt += 1;
                    self.wait(wait, method.as_str(), path, attempt, &why).await?;
                }
            }
        }
    }

    /// Sleeps before a retry, or gives up when the deadline would pass.
    async fn wait(
        &self,
        wait: Duration,
        method: &str,
        path: &str,
        attempts: u32,
        why: &str,
    ) -> Result<(), ClientError> {
        let now = Instant::now();
        if now + wait >= self.deadline {
            return Err(ClientError::Deadline {
                method: method.to_owned(),
                path: path_only(path),
                attempts,
                elapsed_s: self.started.elapsed().as_secs_f64(),
                last: why.to_owned(),
            });
        }
        // Rate limits are routine under load; anything else is worth a line
        // even without -v, so a CI log shows why a step is slow.
        let wait_s = format!("{:.1}", wait.as_secs_f64());
        if why.starts_with("429") || why.starts_with("401") {
            tracing::info!(method, path = %path_only(path), attempt = attempts, wait_s, why, "retrying");
        } else {
            tracing::warn!(method, path = %path_only(path), attempt = attempts, wait_s, why, "retrying");
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// Full jitter: a random wait between zero and the capped exponential.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .options
            .backoff_base
            .saturating_mul(2u32.saturating_pow(attempt.min(20)));
        let ceiling = exp.min(self.options.backoff_cap);
        ceiling.mul_f64(rand::rng().random::<f64>())
    }

    async fn attempt(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
        attempt: u32,
        renewed: &mut bool,
    ) -> Result<Outcome, ClientError> {
        let url = self.url(path)?;
        let shown = path_only(path);
        let permit = self.limiter.acquire().await;
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(ClientError::Deadline {
                method: method.to_string(),
                path: shown,
                attempts: attempt,
                elapsed_s: self.started.elapsed().as_secs_f64(),
                last: "no time left".into(),
            });
        }
        let token = self.tokens.token()?;
        let mut request = self
            .http
            .request(method.clone(), url)
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
        let is_post = *method == Method::POST;
        let (status, headers, bytes) = match sent {
            Ok(answer) => answer,
            Err(e) => {
                self.transport_errors.fetch_add(1, Ordering::Relaxed);
                let why = if e.is_timeout() {
                    "the request timed out".to_owned()
                } else {
                    transport_reason(&e)
                };
                tracing::debug!(%method, path = %shown, %why, "no answer");
                return Ok(Outcome::Retry {
                    wait: self.backoff(attempt),
                    why,
                    maybe_applied: is_post,
                });
            }
        };
        tracing::debug!(%method, path = %shown, status, ms = started.elapsed().as_millis() as u64, attempt, "answered");
        if let Some(v) = headers.get("x-rate-limit").and_then(|v| v.to_str().ok()) {
            self.limiter.observe_budget(v);
        }
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("unknown")
            .to_owned();
        match status {
            200..=299 => {
                self.limiter.on_success();
                Ok(Outcome::Done(Answer { body: bytes.to_vec() }))
            }
            401 if !*renewed => {
                *renewed = true;
                self.tokens.invalidate(&token);
                Ok(Outcome::Retry {
                    wait: Duration::ZERO,
                    why: "401: renewing the token".into(),
                    maybe_applied: false,
                })
            }
            429 => {
                self.rate_limited.fetch_add(1, Ordering::Relaxed);
                self.limiter.on_rate_limited();
                let wait = retry_after(&headers).unwrap_or_else(|| self.backoff(attempt));
                Ok(Outcome::Retry {
                    wait,
                    why: "429: rate limited".into(),
                    maybe_applied: false,
                })
            }
            500..=599 => {
                self.server_errors.fetch_add(1, Ordering::Relaxed);
                Ok(Outcome::Retry {
                    wait: self.backoff(attempt),
                    why: format!("{status}: server error"),
                    maybe_applied: is_post,
                })
            }
            _ => Ok(Outcome::Refused(
                match ApiError::parse(status, method.as_str(), &shown, &bytes) {
                    Some(e) => ClientError::Api(e),
                    None => ClientError::NotJson {
                        method: method.to_string(),
                        path: shown,
                        status,
                        content_type,
                        excerpt: excerpt(&bytes),
                    },
                },
            )),
        }
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

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    value.parse::<u64>().ok().map(Duration::from_secs)
}

fn transport_reason(e: &reqwest::Error) -> String {
    use std::error::Error;
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        reason = format!("{reason}: {s}");
        source = s.source();
    }
    reason
}

/// The start of a non-JSON body, on one line, for an error message.
fn excerpt(body: &[u8]) -> String {
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
