//! The App Store Connect client against a real local server: retries,
//! lost answers to writes, token renewal, paging, and readable errors.

use crate::harness::{Api, fixture_state, serve};
use asc_sync::client::{Client, ClientError, ClientOptions, Unreachable};
use asc_sync::fake::{FakeOptions, FaultConfig};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn with_faults(faults: FaultConfig) -> FakeOptions {
    FakeOptions {
        state: fixture_state("movies.json"),
        faults,
        ..Default::default()
    }
}

fn statuses(api: &Api, method: &str) -> Vec<Option<u16>> {
    api.fake
        .requests()
        .iter()
        .filter(|e| e.method == method)
        .map(|e| e.status)
        .collect()
}

/// A client with default options for a small test server.
fn client_for(base: String) -> Client {
    let signer = crate::harness::Signer::new("K");
    Client::new(
        &signer.credentials(),
        ClientOptions {
            base_url: Some(base),
            ..Default::default()
        },
    )
    .unwrap()
}

fn keywords_patch(value: &str) -> Value {
    json!({"data": {"type": "appStoreVersionLocalizations", "id": "l1", "attributes": {"keywords": value}}})
}

#[tokio::test]
async fn a_429_with_retry_after_waits_as_told() {
    let api = Api::start(with_faults(FaultConfig {
        fail_429: Some("1 GET x1".parse().unwrap()),
        retry_after: Some(1),
        ..Default::default()
    }))
    .await;
    let client = api.client(|_| {});
    let started = Instant::now();
    let doc = client.get("/v1/apps/1").await.unwrap();
    assert_eq!(doc.data["id"], "1");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    let stats = client.stats();
    assert_eq!((stats.requests, stats.attempts, stats.rate_limited), (1, 2, 1));
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_with_jitter() {
    let api = Api::start(with_faults(FaultConfig {
        fail_429: Some("1 GET x3".parse().unwrap()),
        ..Default::default()
    }))
    .await;
    let client = api.client(|_| {});
    client.get("/v1/apps/1").await.unwrap();
    assert_eq!(statuses(&api, "GET"), [Some(429), Some(429), Some(429), Some(200)]);
    assert_eq!(client.stats().attempts, 4);
}

#[tokio::test]
async fn a_500_then_success() {
    let api = Api::start(with_faults(FaultConfig {
        fail_5xx: Some("1 x1".parse().unwrap()),
        ..Default::default()
    }))
    .await;
    let client = api.client(|_| {});
    client.get("/v1/apps/1").await.unwrap();
    assert_eq!(statuses(&api, "GET"), [Some(500), Some(200)]);
}

#[tokio::test]
async fn a_timeout_ends_at_the_deadline_with_a_clear_error() {
    let api = Api::start(with_faults(FaultConfig {
        latency_ms: 400,
        ..Default::default()
    }))
    .await;
    let client = api.client(|o| {
        o.attempt_timeout = Duration::from_millis(100);
        o.timeout = Duration::from_millis(900);
    });
    let started = Instant::now();
    let err = client.get("/v1/apps/1").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    let message = err.to_string();
    assert!(matches!(err, ClientError::Deadline { .. }), "{message}");
    assert!(
        message.contains("timed out") && message.contains("/v1/apps/1"),
        "{message}"
    );
}

#[tokio::test]
async fn a_patch_whose_answer_is_lost_is_repeated_and_lands_once() {
    let api = Api::start(with_faults(FaultConfig {
        drop_after_write: Some("1 PATCH x1".parse().unwrap()),
        ..Default::default()
    }))
    .await;
    let client = api.client(|_| {});
    let doc = client
        .patch("/v1/appStoreVersionLocalizations/l1", &keywords_patch("retried"))
        .await
        .unwrap();
    assert_eq!(doc.data.str("keywords"), Some("retried"));
    let patches: Vec<_> = api
        .fake
        .requests()
        .into_iter()
        .filter(|e| e.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 2);
    assert!(patches[0].dropped && patches[0].status == Some(200));
    let state = api.fake.state();
    assert_eq!(
        state.apps[0].app_store_versions[1].localizations[0].attributes["keywords"].as_deref(),
        Some("retried")
    );
}

/// How many fr-FR localizations the editable version has: a duplicate create shows here.
fn french_localizations(api: &Api) -> usize {
    let state = api.fake.state();
    state.apps[0].app_store_versions[1]
        .localizations
        .iter()
        .filter(|l| l.locale == "fr-FR")
        .count()
}

async fn create_fr(api: &Api, client: &Client) -> asc_sync::client::jsonapi::Resource {
    let body = json!({"data": {"type": "appStoreVersionLocalizations", "attributes": {"locale": "fr-FR", "description": "Bonjour"},
        "relationships": {"appStoreVersion": {"data": {"type": "appStoreVersions", "id": "v1"}}}}});
    let _ = api;
    client
        .create("/v1/appStoreVersionLocalizations", &body, || async {
            let found = client
                .get_all("/v1/appStoreVersions/v1/appStoreVersionLocalizations?filter[locale]=fr-FR")
                .await?;
            Ok(found.data.into_iter().next())
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_post_whose_answer_is_lost_is_not_sent_twice() {
    let api = Api::start(with_faults(FaultConfig {
        drop_after_write: Some("1 POST x1".parse().unwrap()),
        ..Default::default()
    }))
    .await;
    let client = api.client(|_| {});
    let created = create_fr(&api, &client).await;
    assert_eq!(created.str("locale"), Some("fr-FR"));
    assert_eq!(
        statuses(&api, "POST").len(),
        1,
        "the POST was applied once and not repeated"
    );
    assert_eq!(french_localizations(&api), 1);
}

#[tokio::test]
async fn a_post_dropped_before_it_was_applied_is_repeated_once() {
    let api = Api::start(with_faults(FaultConfig {
        drop: Some("1 POST x1".parse().unwrap()),
        ..Default::default()
    }))
    .await;
    let client = api.client(|_| {});
    create_fr(&api, &client).await;
    assert_eq!(statuses(&api, "POST"), [None, Some(201)]);
    assert_eq!(french_localizations(&api), 1);
}

#[tokio::test]
async fn a_401_renews_the_token_once() {
    let api = Api::start(with_faults(FaultConfig {
        fail_401: Some("1 x1".parse().unwrap()),
        ..Default::default()
    }))
    .await;
    let client = api.client(|_| {});
    client.get("/v1/apps/1").await.unwrap();
    assert_eq!(statuses(&api, "GET"), [Some(401), Some(200)]);
    // A second 401 in a row is an error, not a loop.
    let api = Api::start(with_faults(FaultConfig {
        fail_401: Some("1 x2".parse().unwrap()),
        ..Default::default()
    }))
    .await;
    let err = api.client(|_| {}).get("/v1/apps/1").await.unwrap_err();
    assert!(
        err.api()
            .is_some_and(|e| e.status == 401 && e.has_code("NOT_AUTHORIZED")),
        "{err}"
    );
}

#[tokio::test]
async fn an_expiring_token_is_renewed_before_it_is_sent() {
    let api = Api::movies().await;
    let offset = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let clock_offset = offset.clone();
    let clock: asc_sync::client::token::Clock =
        std::sync::Arc::new(move || crate::harness::now() + clock_offset.load(std::sync::atomic::Ordering::SeqCst));
    let mut credentials = api.signer.credentials();
    credentials.duration = 200;
    let options = ClientOptions {
        base_url: Some(api.fake.base_url.clone()),
        ..Default::default()
    };
    let client = Client::with_clock(&credentials, options, clock).unwrap();
    client.get("/v1/apps/1").await.unwrap();
    // 90 s later the token has 50 s left: it must be renewed, not sent.
    offset.store(90, std::sync::atomic::Ordering::SeqCst);
    client.get("/v1/apps/1").await.unwrap();
    assert_eq!(
        statuses(&api, "GET"),
        [Some(200), Some(200)],
        "no 401: no expired token was sent"
    );
}

#[tokio::test]
async fn all_pages_are_followed() {
    let mut state = fixture_state("movies.json");
    let mut third = state.apps[1].clone();
    third.id = "3".into();
    third.bundle_id = "com.example.movies.tv".into();
    state.apps.push(third);
    let api = Api::start(FakeOptions {
        state,
        ..Default::default()
    })
    .await;
    let all = api
        .client(|_| {})
        .get_all("/v1/apps?filter[bundleId]=com.example.movies&limit=1")
        .await
        .unwrap();
    assert_eq!(all.pages, 3);
    let ids: Vec<&str> = all.data.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
}

#[tokio::test]
async fn a_cursor_loop_is_stopped() {
    let app = axum::Router::new().route(
        "/v1/apps",
        axum::routing::get(|headers: axum::http::HeaderMap| async move {
            let host = headers["host"].to_str().unwrap().to_owned();
            axum::Json(json!({"data": [{"type": "apps", "id": "1"}], "links": {"self": "x", "next": format!("http://{host}/v1/apps?cursor=same")}}))
        }),
    );
    let base = serve(app).await;
    let client = client_for(base);
    let err = client.get_all("/v1/apps").await.unwrap_err();
    assert!(err.to_string().contains("cursor loop"), "{err}");
}

#[tokio::test]
async fn a_plain_text_error_body_is_readable() {
    let app = axum::Router::new().route(
        "/v1/apps",
        axum::routing::get(|| async {
            (
                axum::http::StatusCode::NOT_ACCEPTABLE,
                "Not Acceptable: application/xml only\n",
            )
        }),
    );
    let base = serve(app).await;
    let client = client_for(base);
    let err = client.get("/v1/apps").await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, ClientError::NotJson { status: 406, .. }), "{message}");
    assert!(
        message.contains("406") && message.contains("Not Acceptable: application/xml only"),
        "{message}"
    );
}

#[tokio::test]
async fn apple_errors_are_typed_and_never_retried() {
    let api = Api::movies().await;
    let client = api.client(|_| {});
    let err = client
        .patch(
            "/v1/appStoreVersionLocalizations/l-live-en",
            &json!({"data": {"type": "appStoreVersionLocalizations", "id": "l-live-en", "attributes": {"description": "x"}}}),
        )
        .await
        .unwrap_err();
    let api_err = err.api().unwrap();
    assert_eq!(api_err.status, 409);
    assert!(api_err.has_code("STATE_ERROR"));
    assert!(
        err.to_string()
            .contains("Attribute 'description' cannot be edited at this time"),
        "{err}"
    );
    assert_eq!(statuses(&api, "PATCH").len(), 1);
}

#[tokio::test]
async fn the_limiter_shrinks_under_a_429_storm_and_grows_back() {
    let api = Api::start(with_faults(FaultConfig {
        fail_429: Some("1 GET x12".parse().unwrap()),
        ..Default::default()
    }))
    .await;
    let client = std::sync::Arc::new(api.client(|o| o.max_concurrency = 8));
    let mut tasks = Vec::new();
    for _ in 0..60 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move { c.get("/v1/apps/1").await.map(|_| ()) }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let history: Vec<usize> = client.stats().concurrency.iter().map(|c| c.limit).collect();
    let lowest = *history.iter().min().unwrap();
    let low_at = history.iter().position(|l| *l == lowest).unwrap();
    assert!(lowest <= 2, "{history:?}");
    assert!(
        history[low_at..].iter().any(|l| *l > lowest),
        "it grows back: {history:?}"
    );
    assert_eq!(client.stats().rate_limited, 12);
}

#[test]
fn base_urls_refuse_clear_text_to_other_hosts() {
    let signer = crate::harness::Signer::new("K");
    let options = ClientOptions {
        base_url: Some("http://example.com".into()),
        ..Default::default()
    };
    let err = Client::new(&signer.credentials(), options).err().unwrap().to_string();
    assert!(err.contains("clear text"), "{err}");
}

/// A loopback URL where nothing listens: a port that was free a moment ago.
fn nothing_listening() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn nothing_listening_fails_within_seconds_naming_the_url() {
    let base = nothing_listening();
    let client = client_for(base.clone());
    let started = Instant::now();
    let err = client.get("/v1/apps/1").await.unwrap_err();
    let elapsed = started.elapsed();
    let message = err.to_string();
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}: {message}");
    assert!(
        matches!(
            err,
            ClientError::Unreachable {
                kind: Unreachable::Refused,
                attempts: 3,
                ..
            }
        ),
        "{message}"
    );
    assert!(message.contains(&format!("{base}/v1/apps/1")), "{message}");
    assert!(
        message.contains("refused") && message.contains("ASC_API_BASE_URL"),
        "{message}"
    );
    assert_eq!(client.stats().attempts, 3);
}

#[tokio::test]
async fn https_to_a_plain_http_server_fails_at_once() {
    let api = Api::movies().await;
    let base = api.fake.base_url.replacen("http://", "https://", 1);
    let client = client_for(base.clone());
    let err = client.get("/v1/apps/1").await.unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(
            err,
            ClientError::Unreachable {
                kind: Unreachable::Tls,
                attempts: 1,
                ..
            }
        ),
        "{message}"
    );
    assert!(
        message.contains(&base) && message.contains("TLS") && message.contains("http://127.0.0.1:PORT"),
        "{message}"
    );
}

#[tokio::test]
async fn a_host_that_does_not_resolve_fails_within_seconds() {
    // A proxy would resolve the name itself and answer for it.
    if ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .any(|v| std::env::var_os(v).is_some())
    {
        return;
    }
    // `.invalid` never resolves (RFC 6761).
    let client = client_for("https://asc-sync-test.invalid".into());
    let started = Instant::now();
    let err = client.get("/v1/apps").await.unwrap_err();
    let message = err.to_string();
    assert!(started.elapsed() < Duration::from_secs(10), "{message}");
    assert!(
        matches!(
            err,
            ClientError::Unreachable {
                kind: Unreachable::NoSuchHost,
                ..
            }
        ),
        "{message}"
    );
    assert!(
        message.contains("https://asc-sync-test.invalid/v1/apps") && message.contains("does not resolve"),
        "{message}"
    );
}

#[tokio::test]
async fn a_401_after_a_renewed_token_ends_at_once_with_advice_on_the_key() {
    let api = Api::start(with_faults(FaultConfig {
        fail_401: Some("1".parse().unwrap()),
        ..Default::default()
    }))
    .await;
    let started = Instant::now();
    let err = api.client(|_| {}).get("/v1/apps/1").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(statuses(&api, "GET"), [Some(401), Some(401)]);
    let message = err.to_string();
    assert!(matches!(err, ClientError::Unauthorized { .. }), "{message}");
    let key = format!("API key {}", api.signer.kid);
    for needle in [
        api.fake.base_url.as_str(),
        &key,
        "NOT_AUTHORIZED",
        "ASC_KEY_ID",
        "ASC_ISSUER_ID",
        "ASC_PRIVATE_KEY_PATH",
    ] {
        assert!(message.contains(needle), "{needle} in {message}");
    }
}

/// `asc-sync plan` of the example tree with a fresh key, against `base`.
async fn plan_against(base: &str) -> (std::process::Output, Duration) {
    let signer = crate::harness::Signer::new("TESTKEY123");
    let dir = tempfile::tempdir().unwrap();
    let metadata = crate::harness::example_metadata();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_asc-sync"));
    cmd.current_dir(dir.path())
        .args(["plan", "--bundle-id", "com.example.marquee", "--metadata"])
        .arg(metadata)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .env("ASC_KEY_ID", &signer.kid)
        .env("ASC_ISSUER_ID", "57246542-96fe-1a63-e053-0824d011072a")
        .env("ASC_PRIVATE_KEY", &signer.private_pem)
        .env("ASC_API_BASE_URL", base)
        .stdin(std::process::Stdio::null());
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    (out, started.elapsed())
}

#[tokio::test]
async fn plan_with_nothing_listening_exits_1_within_seconds_naming_the_url() {
    let base = nothing_listening();
    let (out, elapsed) = plan_against(&base).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}: {stderr}");
    assert!(
        stderr.contains(&base) && stderr.contains("refused") && stderr.contains("ASC_API_BASE_URL"),
        "{stderr}"
    );
    assert!(!stderr.contains("WARN"), "quick retries are not warnings: {stderr}");
}

#[tokio::test]
async fn plan_with_a_key_the_server_refuses_exits_1_with_advice_on_the_key() {
    let env = crate::support::Env::start(
        crate::support::example_state(),
        FaultConfig {
            fail_401: Some("1".parse().unwrap()),
            ..Default::default()
        },
    )
    .await;
    let started = Instant::now();
    let out = env.plan(&[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10), "{stderr}");
    assert!(
        stderr.contains("401") && stderr.contains("TESTKEY123") && stderr.contains("ASC_KEY_ID"),
        "{stderr}"
    );
    assert_eq!(env.gets(), 2, "one renewal, then no more tries");
}
