//! The steps every API request goes through before and after its handler,
//! as middleware layers, outermost first: record it in the request log;
//! maybe drop the connection; wait the injected latency; check the token
//! (Apple's 401, or 403 outside its scope); take one request from the key's hourly budget (Apple's
//! 429, and `X-Rate-Limit` on every answer); maybe answer an injected 429
//! or 500; refuse a body over [`MAX_BODY_BYTES`]; and, after a write was
//! applied, maybe drop the connection so the client never learns it.

use super::errors::ApiError;
use super::{Connection, LogEntry, MAX_BODY_BYTES, Shared};
use axum::Router;
use axum::body::Body;
use axum::extract::{Extension, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower::ServiceBuilder;

/// Wraps the API routes (and their 404/405 answers) in the pipeline.
pub fn wrap(routes: Router<Arc<Shared>>, shared: &Arc<Shared>) -> Router<Arc<Shared>> {
    let s = || shared.clone();
    routes.layer(
        ServiceBuilder::new()
            .layer(from_fn_with_state(s(), record))
            .layer(from_fn_with_state(s(), drop_before))
            .layer(from_fn_with_state(s(), latency))
            .layer(from_fn_with_state(s(), authenticate))
            .layer(from_fn_with_state(s(), rate_limit))
            .layer(from_fn_with_state(s(), inject_faults))
            .layer(axum::middleware::from_fn(limit_body))
            .layer(from_fn_with_state(s(), drop_after_write)),
    )
}

/// Wraps the upload endpoint of screenshots and previews, which stands for
/// Apple's storage host, not the API: no token is asked for (Apple's
/// upload operations carry none), no API rate budget is spent and the
/// body cap is the part size. It is logged like the API, waits the
/// injected latency, and answers the injected upload 429 bursts.
pub fn wrap_uploads(routes: Router<Arc<Shared>>, shared: &Arc<Shared>) -> Router<Arc<Shared>> {
    let s = || shared.clone();
    routes.layer(
        ServiceBuilder::new()
            .layer(from_fn_with_state(s(), record))
            .layer(from_fn_with_state(s(), latency))
            .layer(from_fn_with_state(s(), upload_faults)),
    )
}

/// The storage host's 429: its body is not documented; the fake sends
/// Apple's API error body, and `Retry-After` when configured (inferred).
async fn upload_faults(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let faults = &shared.faults;
    if faults.hit(&faults.config.fail_upload_429, request.method(), request.uri().path()) {
        let mut e = ApiError::rate_limited();
        e.retry_after = faults.config.retry_after;
        return e.into_response();
    }
    next.run(request).await
}

/// When and what a request asked, for its log entry.
#[derive(Clone)]
struct Started {
    method: Method,
    path: String,
    query: Option<String>,
    kid: Option<String>,
    at: Instant,
    /// `at`, in milliseconds since the fake started.
    started_ms: f64,
}

impl Started {
    fn entry(&self, status: Option<u16>, dropped: bool) -> LogEntry {
        LogEntry {
            method: self.method.to_string(),
            path: self.path.clone(),
            query: self.query.clone(),
            status,
            started_ms: self.started_ms,
            ms: self.at.elapsed().as_secs_f64() * 1000.0,
            dropped,
            kid: self.kid.clone(),
        }
    }
}

/// Logs every answered request. A dropped connection never comes back
/// here: the step that drops it logs it.
async fn record(State(shared): State<Arc<Shared>>, mut request: Request, next: Next) -> Response {
    let at = Instant::now();
    let started = Started {
        method: request.method().clone(),
        path: request.uri().path().to_owned(),
        query: request.uri().query().map(str::to_owned),
        kid: super::auth::claimed_kid(request.headers().get("authorization").and_then(|v| v.to_str().ok())),
        at,
        started_ms: at.duration_since(shared.epoch).as_secs_f64() * 1000.0,
    };
    request.extensions_mut().insert(started.clone());
    let response = next.run(request).await;
    shared.log(started.entry(Some(response.status().as_u16()), false));
    response
}

async fn drop_before(
    State(shared): State<Arc<Shared>>,
    Extension(conn): Extension<Connection>,
    Extension(started): Extension<Started>,
    request: Request,
    next: Next,
) -> Response {
    let faults = &shared.faults;
    if faults.hit(&faults.config.drop, request.method(), request.uri().path()) {
        shared.log(started.entry(None, true));
        return conn.drop_connection().await;
    }
    next.run(request).await
}

async fn latency(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let delay = shared.faults.latency();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    next.run(request).await
}

/// The key id of an authenticated request.
#[derive(Clone)]
struct KeyId(String);

async fn authenticate(State(shared): State<Arc<Shared>>, mut request: Request, next: Next) -> Response {
    let faults = &shared.faults;
    let revoked = faults.hit(&faults.config.fail_401, request.method(), request.uri().path());
    let checked = if revoked {
        Err(ApiError::not_authorized())
    } else {
        let authorization = request.headers().get("authorization").and_then(|v| v.to_str().ok());
        let line = super::auth::RequestLine {
            method: request.method().as_str(),
            path: request.uri().path(),
            query: request.uri().query(),
        };
        shared.auth.check(authorization, now_unix(), &line)
    };
    match checked {
        Ok(kid) => {
            request.extensions_mut().insert(KeyId(kid));
            next.run(request).await
        }
        Err(e) => with_rate_header(e.into_response(), shared.rate.limit, shared.rate.limit),
    }
}

async fn rate_limit(
    State(shared): State<Arc<Shared>>,
    Extension(KeyId(kid)): Extension<KeyId>,
    request: Request,
    next: Next,
) -> Response {
    let limit = shared.rate.limit;
    match shared.rate.take(&kid) {
        Some(remaining) => with_rate_header(next.run(request).await, limit, remaining),
        None => with_rate_header(ApiError::rate_limited().into_response(), limit, 0),
    }
}

async fn inject_faults(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let faults = &shared.faults;
    let (method, path) = (request.method(), request.uri().path());
    if faults.hit(&faults.config.fail_429, method, path) {
        let mut e = ApiError::rate_limited();
        e.retry_after = faults.config.retry_after;
        return e.into_response();
    }
    if faults.hit(&faults.config.fail_5xx, method, path) {
        return ApiError::server_error().into_response();
    }
    next.run(request).await
}

/// Reads the body, refusing one over [`MAX_BODY_BYTES`] with 413.
async fn limit_body(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(_) => ApiError::too_large(MAX_BODY_BYTES).into_response(),
    }
}

async fn drop_after_write(
    State(shared): State<Arc<Shared>>,
    Extension(conn): Extension<Connection>,
    Extension(started): Extension<Started>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let (method, path) = (&started.method, started.path.as_str());
    let write = matches!(*method, Method::POST | Method::PATCH | Method::DELETE);
    let faults = &shared.faults;
    if response.status().is_success() && write && faults.hit(&faults.config.drop_after_write, method, path) {
        shared.log(started.entry(Some(response.status().as_u16()), true));
        return conn.drop_connection().await;
    }
    response
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Apple's `X-Rate-Limit: user-hour-lim:N;user-hour-rem:M;`.
fn with_rate_header(mut response: Response, limit: u32, remaining: u32) -> Response {
    let value = format!("user-hour-lim:{limit};user-hour-rem:{remaining};");
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert("x-rate-limit", v);
    }
    response
}

/// A rolling one-hour request budget per API key id, as Apple keeps one.
pub struct RateLimiter {
    limit: u32,
    windows: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(limit: u32) -> RateLimiter {
        RateLimiter {
            limit,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request; the remaining budget, or `None` when spent.
    fn take(&self, kid: &str) -> Option<u32> {
        let now = Instant::now();
        let hour = Duration::from_secs(3600);
        let mut windows = self.windows.lock().expect("rate limiter");
        let window = windows.entry(kid.to_owned()).or_default();
        while window.front().is_some_and(|t| now.duration_since(*t) >= hour) {
            window.pop_front();
        }
        if window.len() as u32 >= self.limit {
            return None;
        }
        window.push_back(now);
        Some(self.limit - window.len() as u32)
    }
}
