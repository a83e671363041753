//! What happens after an attempt without a usable answer: which failures
//! are worth retrying, how long to wait, and when to stop.
//!
//! | failure | what happens |
//! | --- | --- |
//! | 429 | waits `Retry-After` (seconds or an HTTP date) when given, else backs off; halves the limiter |
//! | 5xx, a timeout, a dropped connection | backs off (or waits `Retry-After`) until the deadline |
//! | 401 | renews the token and retries at once, once; a second 401 is [`ClientError::Unauthorized`] |
//! | connection refused, no such host, no route | two quick retries, then [`ClientError::Unreachable`] |
//! | a TLS handshake failure, an invalid URL | [`ClientError::Unreachable`] at once |
//! | any other 4xx | returned as it is, never retried |
//!
//! Backoff is exponential with full jitter: a random wait between zero and
//! `backoff_base * 2^n`, capped at `backoff_cap`. No wait may end past the
//! run's deadline.

use super::{Client, ClientError, path_only, token::Token};
use rand::RngExt;
use reqwest::Method;
use std::error::Error;
use std::io;
use std::time::{Duration, Instant, SystemTime};

/// Attempts before giving up on a failure that retrying is unlikely to
/// cure (a refused connection, a host that does not resolve): enough to
/// ride out a restart or a resolver hiccup, short enough to fail in seconds.
const QUICK_TRIES: u32 = 3;
/// The wait before the n-th quick retry is n times this.
const QUICK_PAUSE: Duration = Duration::from_millis(250);

/// Why a request cannot reach App Store Connect, when retrying will not help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unreachable {
    /// Nothing listens at the address (connection refused).
    Refused,
    /// The host name does not resolve.
    NoSuchHost,
    /// The network or the host is unreachable.
    NoRoute,
    /// The TLS handshake failed: a certificate, or https to a plain server.
    Tls,
    /// The URL is not one a request can be sent to.
    BadUrl,
}

impl Unreachable {
    fn tries(self) -> u32 {
        match self {
            Unreachable::Refused | Unreachable::NoSuchHost | Unreachable::NoRoute => QUICK_TRIES,
            Unreachable::Tls | Unreachable::BadUrl => 1,
        }
    }

    fn describe(self, cause: &str) -> String {
        match self {
            Unreachable::Refused => "the connection was refused: nothing is listening there".to_owned(),
            Unreachable::NoSuchHost => format!("the host name does not resolve ({cause})"),
            Unreachable::NoRoute => format!("there is no route to the host ({cause})"),
            Unreachable::Tls => format!("the TLS handshake failed ({cause})"),
            Unreachable::BadUrl => format!("the URL is not valid ({cause})"),
        }
    }

    /// What the user should check.
    pub fn advice(self) -> &'static str {
        match self {
            Unreachable::Refused => {
                "Check the base URL (--api-base-url or ASC_API_BASE_URL; without either, Apple's), \
                 that the server there is running, and any proxy (HTTPS_PROXY, HTTP_PROXY)."
            }
            Unreachable::NoSuchHost => {
                "Check the base URL (--api-base-url or ASC_API_BASE_URL) for a typo, \
                 and the network, its DNS and any proxy (HTTPS_PROXY)."
            }
            Unreachable::NoRoute => "Check the network connection, VPN and any proxy (HTTPS_PROXY).",
            Unreachable::Tls => {
                "Check that the base URL (--api-base-url or ASC_API_BASE_URL) speaks https \
                 (a local fake is plain http://127.0.0.1:PORT), the system clock, \
                 and any proxy that intercepts TLS."
            }
            Unreachable::BadUrl => "Check the base URL (--api-base-url or ASC_API_BASE_URL).",
        }
    }
}

/// How an attempt failed, and so what comes next.
pub(super) enum Failure {
    /// Worth retrying until the deadline: a 429, a 5xx, a timeout, a
    /// dropped connection. `after` is the server's `Retry-After`;
    /// `maybe_applied` when a write may have landed although no answer came.
    Transient {
        why: String,
        after: Option<Duration>,
        maybe_applied: bool,
    },
    /// A 401: renew `token` and retry at once, once; else end with `refusal`.
    Unauthorized { token: Token, refusal: Box<ClientError> },
    /// Retrying cannot help, beyond a quick try or two.
    Unreachable { kind: Unreachable, reason: String },
    /// The deadline passed before the attempt could start.
    OutOfTime,
    /// Never retried.
    Final(ClientError),
}

impl Failure {
    /// Whether a POST may have been applied although its answer was lost.
    pub(super) fn maybe_applied(&self) -> bool {
        matches!(
            self,
            Failure::Transient {
                maybe_applied: true,
                ..
            }
        )
    }
}

/// Classifies a request that got no HTTP answer, from reqwest's own
/// classification and the error's causes (no message is parsed).
pub(super) fn transport_failure(e: &reqwest::Error, is_post: bool) -> Failure {
    let cause = innermost(e);
    let unreachable = |kind: Unreachable| Failure::Unreachable {
        kind,
        reason: kind.describe(&cause),
    };
    if e.is_builder() {
        return unreachable(Unreachable::BadUrl);
    }
    if e.is_connect() && !e.is_timeout() {
        if e.is_dns() {
            return unreachable(Unreachable::NoSuchHost);
        }
        for c in causes(e) {
            if c.is::<rustls::Error>() {
                return unreachable(Unreachable::Tls);
            }
            match c.downcast_ref::<io::Error>().map(io::Error::kind) {
                Some(io::ErrorKind::ConnectionRefused) => return unreachable(Unreachable::Refused),
                Some(io::ErrorKind::NetworkUnreachable | io::ErrorKind::HostUnreachable) => {
                    return unreachable(Unreachable::NoRoute);
                }
                _ => {}
            }
        }
    }
    Failure::Transient {
        why: if e.is_timeout() {
            "the request timed out".to_owned()
        } else {
            format!("no answer: {cause}")
        },
        after: None,
        // A connection that broke after the request went out may have
        // carried it; only a GET can show whether it did.
        maybe_applied: is_post,
    }
}

/// An error and its causes, outermost first. An `io::Error`'s `source`
/// skips the error it wraps (rustls's, for one), so look inside it.
fn causes<'a>(e: &'a (dyn Error + 'static)) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(e), |&e| {
        match e.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => e.source(),
        }
    })
}

/// The innermost cause, which says what went wrong without the wrappers.
fn innermost(e: &reqwest::Error) -> String {
    causes(e).last().map(ToString::to_string).unwrap_or_default()
}

/// `Retry-After` as seconds or as an HTTP date; absent or unreadable is `None`.
pub(super) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    match value.parse::<u64>() {
        Ok(seconds) => Some(Duration::from_secs(seconds)),
        Err(_) => {
            let at = httpdate::parse_http_date(value).ok()?;
            Some(at.duration_since(SystemTime::now()).unwrap_or_default())
        }
    }
}

/// Full jitter: a random wait between zero and the capped exponential.
pub(super) fn full_jitter(base: Duration, cap: Duration, retry: u32) -> Duration {
    let ceiling = base.saturating_mul(2u32.saturating_pow(retry.min(20))).min(cap);
    ceiling.mul_f64(rand::rng().random::<f64>())
}

/// One logical request's retries.
pub(super) struct Retries<'a> {
    method: &'a Method,
    /// The path or URL as the caller gave it.
    path: &'a str,
    /// The URL without its query, for messages about reaching it.
    url: String,
    /// Attempts sent so far.
    sent: u32,
    /// Failures of the kind retrying will not help.
    hopeless: u32,
    /// Transient failures, the exponent of the backoff.
    transient: u32,
    renewed: bool,
    started: Instant,
    last: String,
}

impl<'a> Retries<'a> {
    pub(super) fn new(method: &'a Method, path: &'a str, url: &reqwest::Url) -> Retries<'a> {
        let mut url = url.clone();
        url.set_query(None);
        Retries {
            method,
            path,
            url: url.to_string(),
            sent: 0,
            hopeless: 0,
            transient: 0,
            renewed: false,
            started: Instant::now(),
            last: "no time left".to_owned(),
        }
    }
}

impl Client {
    /// After a failed attempt: sleeps until the next one may start, or
    /// returns the error to end with.
    pub(super) async fn pause(&self, r: &mut Retries<'_>, failure: Failure) -> Result<(), ClientError> {
        // Rate limits, token renewals and quick retries are routine;
        // anything else is worth a line even without -v, so a CI log shows
        // why a step is slow.
        let (wait, why, routine) = match failure {
            Failure::Final(e) => return Err(e),
            Failure::OutOfTime => return Err(self.deadline_error(r)),
            Failure::Unauthorized { token, refusal } => {
                r.sent += 1;
                if std::mem::replace(&mut r.renewed, true) {
                    return Err(self.unauthorized(r, refusal));
                }
                self.tokens.invalidate(&token);
                (Duration::ZERO, "401: renewing the token".to_owned(), true)
            }
            Failure::Unreachable { kind, reason } => {
                r.sent += 1;
                r.hopeless += 1;
                if r.hopeless >= kind.tries() {
                    return Err(ClientError::Unreachable {
                        method: r.method.to_string(),
                        url: r.url.clone(),
                        kind,
                        reason,
                        attempts: r.sent,
                        elapsed_s: r.started.elapsed().as_secs_f64(),
                    });
                }
                (QUICK_PAUSE * r.hopeless, reason, true)
            }
            Failure::Transient { why, after, .. } => {
                r.sent += 1;
                let backoff = full_jitter(self.options.backoff_base, self.options.backoff_cap, r.transient);
                r.transient += 1;
                let routine = why.starts_with("429");
                (after.unwrap_or(backoff), why, routine)
            }
        };
        r.last = why;
        if Instant::now() + wait >= self.deadline {
            return Err(self.deadline_error(r));
        }
        let (method, path, attempt) = (r.method.as_str(), path_only(r.path), r.sent);
        let wait_s = format!("{:.1}", wait.as_secs_f64());
        if routine {
            tracing::info!(method, %path, attempt, wait_s, why = r.last, "retrying");
        } else {
            tracing::warn!(method, %path, attempt, wait_s, why = r.last, "retrying");
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }

    fn deadline_error(&self, r: &Retries<'_>) -> ClientError {
        ClientError::Deadline {
            method: r.method.to_string(),
            path: path_only(r.path),
            attempts: r.sent,
            elapsed_s: self.started.elapsed().as_secs_f64(),
            last: r.last.clone(),
        }
    }

    fn unauthorized(&self, r: &Retries<'_>, refusal: Box<ClientError>) -> ClientError {
        let said = match refusal.as_ref() {
            ClientError::Api(api) => api
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.code, e.title))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        ClientError::Unauthorized {
            method: r.method.to_string(),
            url: r.url.clone(),
            key_id: self.tokens.key_id().to_owned(),
            said,
            api: match *refusal {
                ClientError::Api(api) => Some(Box::new(api)),
                _ => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_jitter_stays_under_the_capped_exponential() {
        let (base, cap) = (Duration::from_secs(1), Duration::from_secs(60));
        for retry in 0..40 {
            let ceiling = Duration::from_secs(2u64.saturating_pow(retry.min(20))).min(cap);
            assert!(full_jitter(base, cap, retry) <= ceiling);
        }
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", " 7 ".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        headers.insert("retry-after", soon.parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(27) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        headers.insert("retry-after", "Thu, 01 Jan 1970 00:00:00 GMT".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }
}
