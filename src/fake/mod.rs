//! A fake App Store Connect: the slice of Apple's API that asc-sync uses,
//! with Apple's envelopes, errors, auth, rate limits and state rules, plus
//! injectable latency and faults. Tests, the demo and benchmarks run
//! against it over real HTTP; `asc-sync fake-asc` runs it as a process.
//!
//! It states Apple's facts for itself (`apple.rs`) and takes none from the
//! product, so that it can disagree with the product where the product is
//! wrong about Apple. Only `seed.rs`, which builds a state from a metadata
//! tree, reads the product's types.
//!
//! Requests flow: connection (ours, so it can be dropped unanswered) →
//! `/_fake/*` (loopback only, no auth) or the API: the `pipeline.rs`
//! layers (log, drop, latency, auth, rate limit, injected 429/5xx, body
//! size, drop after write) around the `routes.rs` router, whose handlers
//! (`read.rs`, `write.rs`, `media.rs`) are pure functions over the state;
//! or `/blobstore/*`, the storage host the upload operations of screenshots
//! and previews point at (`upload.rs`: no token, logged, its own 429s).
//! Asset processing advances with the clock: each request first settles
//! what has finished processing since the last one.

mod api;
pub mod apple;
pub mod auth;
mod body;
mod builds;
pub mod errors;
pub mod faults;
mod media;
mod mp4box;
mod pipeline;
mod products;
pub mod query;
mod read;
mod release;
mod render;
mod routes;
mod seed;
pub mod state;
mod upload;
mod versions;
mod write;

use axum::Router;
use axum::body::Body;
use axum::extract::{Extension, Request as AxumRequest, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use errors::ApiError;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};

pub use faults::{FaultConfig, FaultRule};
pub use seed::Seed;
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
    /// How long a committed screenshot or preview takes to process (from
    /// `UPLOAD_COMPLETE` to `COMPLETE` or `FAILED`; previews are
    /// `PROCESSING` from half way). Apple takes seconds for an image and
    /// 5–15 minutes for a video; the fake is quick by default.
    pub processing_ms: u64,
}

/// The default of [`FakeOptions::processing_ms`].
pub const DEFAULT_PROCESSING_MS: u64 = 20;

impl Default for FakeOptions {
    fn default() -> FakeOptions {
        FakeOptions {
            state: State::default(),
            public_keys: Vec::new(),
            rate_limit_per_hour: DEFAULT_RATE_LIMIT_PER_HOUR,
            faults: FaultConfig::default(),
            processing_ms: DEFAULT_PROCESSING_MS,
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
    /// When the request arrived, in milliseconds since the fake started:
    /// with `ms`, which requests were in flight together.
    #[serde(default)]
    pub started_ms: f64,
    pub ms: f64,
    /// The connection was closed without sending the response.
    #[serde(default)]
    pub dropped: bool,
    /// The `kid` of the request's bearer token, as the token says (signed
    /// or not): which API key a request was sent with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
}

struct Shared {
    /// When the fake started: the origin of the log's `started_ms`.
    epoch: std::time::Instant,
    state: Mutex<State>,
    log: Mutex<Vec<LogEntry>>,
    auth: auth::Auth,
    faults: faults::Faults,
    rate: pipeline::RateLimiter,
    processing_ms: u64,
}

impl Shared {
    fn log(&self, entry: LogEntry) {
        self.log.lock().expect("log").push(entry);
    }
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
            epoch: std::time::Instant::now(),
            state: Mutex::new(options.state),
            log: Mutex::new(Vec::new()),
            auth: auth::Auth::new(&options.public_keys)?,
            faults: faults::Faults::new(options.faults),
            rate: pipeline::RateLimiter::new(options.rate_limit_per_hour),
            processing_ms: options.processing_ms,
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
        let mut state = self.shared.state.lock().expect("state");
        state.settle_media(state::now_ms());
        state.clone()
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

/// The fake's own `/_fake/*` endpoints, and everything else through the
/// API pipeline.
fn router(shared: Arc<Shared>) -> Router {
    let own = Router::new()
        .route("/_fake/state", get(get_state).put(put_state))
        .route("/_fake/requests", get(get_requests))
        .route("/_fake/reset", post(reset))
        .route_layer(axum::middleware::from_fn(loopback_only));
    let uploads = pipeline::wrap_uploads(upload::router(), &shared);
    let api = pipeline::wrap(routes::router(), &shared);
    own.merge(uploads).merge(api).with_state(shared)
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
    let state = {
        let mut state = shared.state.lock().expect("state");
        state.settle_media(state::now_ms());
        state.clone()
    };
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
