//! A fake App Store Connect: the slice of Apple's API that asc-sync uses,
//! with Apple's envelopes, errors, auth, rate limits and state rules, plus
//! injectable latency and faults. Tests, the demo and benchmarks run
//! against it over real HTTP; `asc-sync fake-asc` runs it as a process.
//!
//! Requests flow: connection → `/_fake/*` (loopback only, no auth) or the
//! API pipeline: drop? → latency → auth → rate limit → injected 429/5xx →
//! body size → [`api::handle`] → drop-after-write? → response with
//! `X-Rate-Limit`. The API rules themselves live in `api.rs`, pure over
//! the state.

pub mod api;
pub mod auth;
pub mod errors;
pub mod faults;
pub mod query;
pub mod state;

use axum::Router;
use axum::body::Body;
use axum::extract::{Extension, Request as AxumRequest, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use errors::ApiError;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};

pub use faults::{FaultConfig, FaultRule};
pub use state::State;

/// Requests bodies over this size are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
pub const DEFAULT_RATE_LIMIT_PER_HOUR: u32 = 3600;

/// How to start a fake.
#[derive(Clone, Debug)]
pub struct FakeOptions {
    pub state: State,
    /// PEM public keys; a token must be signed by one of them. Without any,
    /// the claims are still checked.
    pub public_keys: Vec<String>,
    pub rate_limit_per_hour: u32,
    pub faults: FaultConfig,
}

impl Default for FakeOptions {
    fn default() -> FakeOptions {
        FakeOptions {
            state: State::default(),
            public_keys: Vec::new(),
            rate_limit_per_hour: DEFAULT_RATE_LIMIT_PER_HOUR,
            faults: FaultConfig::default(),
        }
    }
}

/// One entry of `GET /_fake/requests`. The token is never logged.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct LogEntry {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// The status the server answered, or decided on before dropping the
    /// connection; `null` when it dropped the connection before handling.
    pub status: Option<u16>,
    pub ms: f64,
    /// The connection was closed without sending the response.
    #[serde(default)]
    pub dropped: bool,
}

struct Shared {
    state: Mutex<State>,
    log: Mutex<Vec<LogEntry>>,
    auth: auth::Auth,
    faults: faults::Faults,
    rate: RateLimiter,
}

/// A running fake; dropping it stops the server.
pub struct FakeServer {
    pub base_url: String,
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: String, source: std::io::Error },
    #[error("{0}")]
    Key(#[from] auth::KeyError),
}

impl FakeServer {
    /// Starts on `addr` (use `127.0.0.1:0` for a free port).
    pub async fn start(addr: &str, options: FakeOptions) -> Result<FakeServer, StartError> {
        let listener = TcpListener::bind(addr).await.map_err(|source| StartError::Listen {
            addr: addr.to_owned(),
            source,
        })?;
        let local = listener.local_addr().map_err(|source| StartError::Listen {
            addr: addr.to_owned(),
            source,
        })?;
        let shared = Arc::new(Shared {
            state: Mutex::new(options.state),
            log: Mutex::new(Vec::new()),
            auth: auth::Auth::new(&options.public_keys)?,
            faults: faults::Faults::new(options.faults),
            rate: RateLimiter::new(options.rate_limit_per_hour),
        });
        let router = router(shared.clone());
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, router, rx));
        Ok(FakeServer {
            base_url: format!("http://{local}"),
            addr: local,
            shared,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Starts on a free loopback port.
    pub async fn start_local(options: FakeOptions) -> Result<FakeServer, StartError> {
        FakeServer::start("127.0.0.1:0", options).await
    }

    pub fn state(&self) -> State {
        self.shared.state.lock().expect("state").clone()
    }

    pub fn set_state(&self, state: State) {
        *self.shared.state.lock().expect("state") = state;
    }

    pub fn requests(&self) -> Vec<LogEntry> {
        self.shared.log.lock().expect("log").clone()
    }

    pub fn reset_log(&self) {
        self.shared.log.lock().expect("log").clear();
    }

    /// Stops accepting connections and returns the final state.
    pub async fn stop(mut self) -> State {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.state()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Per-connection facts a handler needs: who is calling, and a way to
/// close the connection without answering.
#[derive(Clone)]
struct Connection {
    peer: SocketAddr,
    kill: Arc<Notify>,
}

impl Connection {
    /// Closes the connection without a response; never returns.
    async fn drop_connection(&self) -> Response {
        self.kill.notify_one();
        std::future::pending().await
    }
}

async fn accept_loop(listener: TcpListener, router: Router, mut shutdown: oneshot::Receiver<()>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve_connection(stream, peer, router.clone()));
            }
            _ = &mut shutdown => break,
        }
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, peer: SocketAddr, router: Router) {
    use tower::ServiceExt;
    let kill = Arc::new(Notify::new());
    let connection = Connection {
        peer,
        kill: kill.clone(),
    };
    let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(connection.clone());
        router.clone().oneshot(req.map(Body::new))
    });
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(hyper_util::rt::TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        // Dropping the connection future closes the socket unanswered.
        _ = kill.notified() => {}
    }
}

fn router(shared: Arc<Shared>) -> Router {
    let own = Router::new()
        .route("/_fake/state", get(get_state).put(put_state))
        .route("/_fake/requests", get(get_requests))
        .route("/_fake/reset", post(reset))
        .route_layer(axum::middleware::from_fn(loopback_only));
    Router::new().merge(own).fallback(api_handler).with_state(shared)
}

/// `/_fake/*` answers only on loopback; elsewhere it does not exist.
async fn loopback_only(
    Extension(conn): Extension<Connection>,
    request: AxumRequest,
    next: axum::middleware::Next,
) -> Response {
    if conn.peer.ip().is_loopback() {
        next.run(request).await
    } else {
        ApiError::path_error(request.uri().path()).into_response()
    }
}

async fn get_state(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let state = shared.state.lock().expect("state").clone();
    axum::Json(state).into_response()
}

async fn put_state(AxumState(shared): AxumState<Arc<Shared>>, body: Body) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, 64 * MAX_BODY_BYTES).await else {
        return ApiError::too_large(64 * MAX_BODY_BYTES).into_response();
    };
    match State::from_json(&String::from_utf8_lossy(&bytes), "PUT /_fake/state") {
        Ok(state) => {
            *shared.state.lock().expect("state") = state.clone();
            axum::Json(state).into_response()
        }
        Err(e) => ApiError::entity_invalid(e.to_string()).into_response(),
    }
}

async fn get_requests(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let log = shared.log.lock().expect("log").clone();
    axum::Json(log).into_response()
}

async fn reset(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    shared.log.lock().expect("log").clear();
    StatusCode::NO_CONTENT.into_response()
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

async fn api_handler(
    AxumState(shared): AxumState<Arc<Shared>>,
    Extension(conn): Extension<Connection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    request: AxumRequest,
) -> Response {
    let started = Instant::now();
    let path = uri.path().to_owned();
    let query = uri.query().map(str::to_owned);
    let log = |status: Option<u16>, dropped: bool| {
        let entry = LogEntry {
            method: method.to_string(),
            path: path.clone(),
            query: query.clone(),
            status,
            ms: started.elapsed().as_secs_f64() * 1000.0,
            dropped,
        };
        shared.log.lock().expect("log").push(entry);
    };
    let faults = &shared.faults;
    if faults.hit(&faults.config.drop, &method, &path) {
        log(None, true);
        return conn.drop_connection().await;
    }
    let delay = faults.latency();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    let revoked = faults.hit(&faults.config.fail_401, &method, &path);
    let checked = if revoked {
        Err(ApiError::not_authorized())
    } else {
        shared.auth.check(authorization, now_unix())
    };
    let kid = match checked {
        Ok(kid) => kid,
        Err(e) => {
            log(Some(401), false);
            return with_rate_header(e.into_response(), shared.rate.limit, shared.rate.limit);
        }
    };
    let Some(remaining) = shared.rate.take(&kid) else {
        log(Some(429), false);
        return with_rate_header(ApiError::rate_limited().into_response(), shared.rate.limit, 0);
    };
    let respond = |response: Response| with_rate_header(response, shared.rate.limit, remaining);
    if faults.hit(&faults.config.fail_429, &method, &path) {
        log(Some(429), false);
        let mut e = ApiError::rate_limited();
        e.retry_after = faults.config.retry_after;
        return respond(e.into_response());
    }
    if faults.hit(&faults.config.fail_5xx, &method, &path) {
        log(Some(500), false);
        return respond(ApiError::server_error().into_response());
    }
    let body = match axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            log(Some(413), false);
            return respond(ApiError::too_large(MAX_BODY_BYTES).into_response());
        }
    };
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let base = format!("http://{host}");
    let req = api::Request {
        method: &method,
        path: &path,
        query: query.as_deref(),
        body: &body,
        base: &base,
    };
    let result = {
        let mut state = shared.state.lock().expect("state");
        api::handle(&mut state, &req)
    };
    let response = match result {
        Ok(reply) => {
            let status = reply.status;
            if api::is_write(&method) && faults.hit(&faults.config.drop_after_write, &method, &path) {
                log(Some(status.as_u16()), true);
                return conn.drop_connection().await;
            }
            let mut response = match reply.body {
                Some(body) => (status, axum::Json(body)).into_response(),
                None => status.into_response(),
            };
            if let Some(location) = reply.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
                response.headers_mut().insert("location", location);
            }
            response
        }
        Err(e) => e.into_response(),
    };
    log(Some(response.status().as_u16()), false);
    respond(response)
}

fn with_rate_header(mut response: Response, limit: u32, remaining: u32) -> Response {
    let value = format!("user-hour-lim:{limit};user-hour-rem:{remaining};");
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert("x-rate-limit", v);
    }
    response
}

/// A rolling one-hour request budget per API key id, as Apple keeps one.
struct RateLimiter {
    limit: u32,
    windows: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    fn new(limit: u32) -> RateLimiter {
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
