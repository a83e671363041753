//! The fake's unpleasant parts: auth, rate limits, injected faults, its
//! own `/_fake/` endpoints, and running it as a process.

use crate::harness::{Api, asc_sync, fixture_state, now};
use asc_sync::fake::{FakeOptions, FaultConfig, FaultRule};
use serde_json::{Value, json};
use std::time::Instant;

async fn get_with(api: &Api, token: Option<&str>) -> (u16, Value) {
    let mut req = api.http.get(api.url("/v1/apps"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn tokens_are_checked_like_apple_checks_them() {
    let api = Api::movies().await;
    let s = &api.signer;
    let t = now();
    let claims = |extra: Value| {
        let mut c = json!({"iss": "issuer-uuid", "iat": t - 60, "exp": t + 540, "aud": "appstoreconnect-v1"});
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    let good = s.sign(Some(&s.kid), &claims(json!({})));
    assert_eq!(get_with(&api, Some(&good)).await.0, 200);
    let individual = s.sign(Some(&s.kid), &claims(json!({"iss": null, "sub": "user"})));
    assert_eq!(get_with(&api, Some(&individual)).await.0, 200);
    // fastlane's longest token: iat a minute back, exp 20 minutes ahead.
    // The cap counts from now, so its 21-minute lifetime is accepted.
    let fastlane = s.sign(Some(&s.kid), &claims(json!({"exp": t + 1200})));
    assert_eq!(get_with(&api, Some(&fastlane)).await.0, 200);

    let bad = [
        ("no kid", s.sign(None, &claims(json!({})))),
        (
            "wrong audience",
            s.sign(Some(&s.kid), &claims(json!({"aud": "appstoreconnect-v2"}))),
        ),
        ("no issuer", s.sign(Some(&s.kid), &claims(json!({"iss": null})))),
        (
            "expired",
            s.sign(Some(&s.kid), &claims(json!({"iat": t - 1300, "exp": t - 100}))),
        ),
        (
            "expiring more than 20 minutes from now",
            s.sign(Some(&s.kid), &claims(json!({"exp": t + 1260}))),
        ),
        (
            "issued in the future",
            s.sign(Some(&s.kid), &claims(json!({"iat": t + 600, "exp": t + 900}))),
        ),
        (
            "signed by another key",
            crate::harness::Signer::new("OTHER").sign(Some(&s.kid), &claims(json!({}))),
        ),
        ("not a JWT", "abc.def.ghi".to_owned()),
    ];
    for (why, token) in bad {
        let (status, body) = get_with(&api, Some(&token)).await;
        assert_eq!(status, 401, "{why}");
        let e = &body["errors"][0];
        assert_eq!(e["code"], "NOT_AUTHORIZED", "{why}");
        assert_eq!(e["title"], "Authentication credentials are missing or invalid.");
        assert!(
            e["detail"]
                .as_str()
                .unwrap()
                .starts_with("Provide a properly configured and signed bearer token")
        );
    }
    assert_eq!(get_with(&api, None).await.0, 401);
}

#[tokio::test]
async fn without_public_keys_the_claims_are_still_checked() {
    // This test builds its own reqwest client, so it needs the provider even
    // when it runs first or alone.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let signer = crate::harness::Signer::new("K");
    let fake = asc_sync::fake::FakeServer::start_local(FakeOptions::default())
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let ok = http
        .get(format!("{}/v1/apps", fake.base_url))
        .bearer_auth(signer.token())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let t = now();
    let expired = signer.sign(
        Some("K"),
        &json!({"iss": "i", "iat": t - 2000, "exp": t - 1000, "aud": "appstoreconnect-v1"}),
    );
    let no = http
        .get(format!("{}/v1/apps", fake.base_url))
        .bearer_auth(expired)
        .send()
        .await
        .unwrap();
    assert_eq!(no.status(), 401);
}

/// Apple accepts tokens without `iat` (some clients sign none); the
/// 20-minute cap then counts from now.
#[tokio::test]
async fn a_token_without_iat_is_accepted_within_twenty_minutes() {
    let api = Api::movies().await;
    let s = &api.signer;
    let t = now();
    let token = |exp: i64| {
        s.sign(
            Some(&s.kid),
            &json!({"iss": "issuer-uuid", "exp": exp, "aud": "appstoreconnect-v1"}),
        )
    };
    assert_eq!(get_with(&api, Some(&token(t + 900))).await.0, 200);
    assert_eq!(get_with(&api, Some(&token(t + 1800))).await.0, 401);
    assert_eq!(get_with(&api, Some(&token(t - 10))).await.0, 401);
}

#[tokio::test]
async fn every_response_carries_the_hourly_budget_and_a_spent_budget_is_a_429() {
    let api = Api::start(FakeOptions {
        rate_limit_per_hour: 3,
        state: fixture_state("movies.json"),
        ..Default::default()
    })
    .await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let a = api.get("/v1/apps/1").await;
        assert_eq!(a.status, 200);
        remaining.push(a.headers["x-rate-limit"].to_str().unwrap().to_owned());
    }
    assert_eq!(
        remaining,
        [
            "user-hour-lim:3;user-hour-rem:2;",
            "user-hour-lim:3;user-hour-rem:1;",
            "user-hour-lim:3;user-hour-rem:0;"
        ]
    );
    let spent = api.get("/v1/apps/1").await;
    assert_eq!((spent.status, spent.code()), (429, "RATE_LIMIT_EXCEEDED"));
    assert_eq!(
        spent.body["errors"][0]["title"],
        "The request rate limit has been reached."
    );
    assert_eq!(spent.headers["x-rate-limit"], "user-hour-lim:3;user-hour-rem:0;");
    // The budget is per key id: another key still has its own.
    let other = crate::harness::Signer::new("OTHERKEY");
    let resp = api
        .http
        .get(api.url("/v1/apps/1"))
        .bearer_auth(api.signer.sign(
            Some(&other.kid),
            &json!({
        "iss": "i", "iat": now() - 60, "exp": now() + 500, "aud": "appstoreconnect-v1"}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

fn faults(config: FaultConfig) -> FakeOptions {
    FakeOptions {
        state: fixture_state("movies.json"),
        faults: config,
        ..Default::default()
    }
}

#[tokio::test]
async fn injected_429s_carry_retry_after_when_asked() {
    let api = Api::start(faults(FaultConfig {
        fail_429: Some(FaultRule::always()),
        retry_after: Some(3),
        ..Default::default()
    }))
    .await;
    let a = api.get("/v1/apps").await;
    assert_eq!((a.status, a.code()), (429, "RATE_LIMIT_EXCEEDED"));
    assert_eq!(a.headers["retry-after"], "3");
    assert!(a.headers.contains_key("x-rate-limit"));
}

#[tokio::test]
async fn injected_5xx_and_latency() {
    let api = Api::start(faults(FaultConfig {
        fail_5xx: Some("1 GET /v1/apps".parse().unwrap()),
        latency_ms: 120,
        ..Default::default()
    }))
    .await;
    let started = Instant::now();
    let a = api.get("/v1/apps").await;
    assert_eq!(a.status, 500);
    assert_eq!(a.body["errors"][0]["status"], "500");
    assert!(started.elapsed().as_millis() >= 120);
    // The rule is limited to one path: others answer normally.
    assert_eq!(api.get("/v1/apps/1").await.status, 200);
}

#[tokio::test]
async fn a_dropped_connection_gets_no_response_and_changes_nothing() {
    let api = Api::start(faults(FaultConfig {
        drop: Some("1 PATCH".parse().unwrap()),
        ..Default::default()
    }))
    .await;
    let body =
        json!({"data": {"type": "appStoreVersionLocalizations", "id": "l1", "attributes": {"keywords": "dropped"}}});
    let err = api
        .send("PATCH", "/v1/appStoreVersionLocalizations/l1", Some(body.to_string()))
        .await;
    assert!(err.is_err(), "the client must see a transport error");
    assert_eq!(
        api.fake.state().apps[0].app_store_versions[1].localizations[0].attributes["keywords"].as_deref(),
        Some("movies,film")
    );
    assert_eq!(
        api.get("/v1/apps/1").await.status,
        200,
        "GETs are not dropped by a PATCH rule"
    );
    let log = api.fake.requests();
    assert!(
        log.iter()
            .any(|e| e.method == "PATCH" && e.dropped && e.status.is_none())
    );
}

#[tokio::test]
async fn a_drop_after_write_applies_the_write_but_the_client_cannot_know() {
    let api = Api::start(faults(FaultConfig {
        drop_after_write: Some(FaultRule::always()),
        ..Default::default()
    }))
    .await;
    let body =
        json!({"data": {"type": "appStoreVersionLocalizations", "id": "l1", "attributes": {"keywords": "applied"}}});
    let err = api
        .send("PATCH", "/v1/appStoreVersionLocalizations/l1", Some(body.to_string()))
        .await;
    assert!(err.is_err());
    assert_eq!(
        api.fake.state().apps[0].app_store_versions[1].localizations[0].attributes["keywords"].as_deref(),
        Some("applied")
    );
    let log = api.fake.requests();
    assert!(
        log.iter()
            .any(|e| e.method == "PATCH" && e.dropped && e.status == Some(200))
    );
}

#[tokio::test]
async fn faults_repeat_under_the_same_seed() {
    let run = |seed| async move {
        let api = Api::start(faults(FaultConfig {
            fail_429: Some("0.5".parse().unwrap()),
            seed,
            ..Default::default()
        }))
        .await;
        let mut statuses = Vec::new();
        for _ in 0..24 {
            statuses.push(api.get("/v1/apps/1").await.status);
        }
        statuses
    };
    let a = run(42).await;
    assert_eq!(a, run(42).await);
    assert!(a.contains(&429) && a.contains(&200));
}

#[tokio::test]
async fn the_fake_endpoints_show_state_and_a_request_log_without_tokens() {
    let api = Api::movies().await;
    api.get("/v1/apps?filter[bundleId]=com.example.movies").await;
    let log: Value = api
        .http
        .get(api.url("/_fake/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &log[0];
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], "/v1/apps");
    assert_eq!(first["query"], "filter[bundleId]=com.example.movies");
    assert_eq!(first["status"], 200);
    assert!(first["ms"].is_number());
    assert!(!log.to_string().contains(&api.token));

    let reset = api.http.post(api.url("/_fake/reset")).send().await.unwrap();
    assert_eq!(reset.status(), 204);
    assert!(api.fake.requests().is_empty());

    let mut state: Value = api
        .http
        .get(api.url("/_fake/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["apps"][0]["bundleId"], "com.example.movies");
    state["apps"][0]["name"] = json!("Renamed");
    let put = api
        .http
        .put(api.url("/_fake/state"))
        .body(state.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    assert_eq!(api.fake.state().apps[0].name, "Renamed");
    let bad = api
        .http
        .put(api.url("/_fake/state"))
        .body("{\"apps\": 5}")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn state_files_with_unknown_attributes_are_refused_with_their_place() {
    let err = asc_sync::fake::State::from_json(
        r#"{"apps": [{"bundleId": "x", "appStoreVersions": [{"platform": "IOS", "versionString": "1", "appVersionState": "PREPARE_FOR_SUBMISSION",
            "localizations": [{"locale": "en-US", "whatsnew": "typo"}]}]}]}"#,
        "state.json",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("state.json") && err.contains("whatsnew") && err.contains("en-US"),
        "{err}"
    );
}

#[test]
fn as_a_process_it_prints_its_url_serves_and_saves_its_state_on_sigterm() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("state-out.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_asc-sync"))
        .args([
            "fake-asc",
            "--listen",
            "127.0.0.1:0",
            "--bundle-id",
            "com.example.marquee",
            "--seed-tree",
        ])
        .arg(crate::harness::example_metadata())
        .arg("--state-out")
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state: Value = rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::get(format!("{url}/_fake/state"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let app = &state["apps"][0];
    assert_eq!(app["bundleId"], "com.example.marquee");
    let editable = &app["appStoreVersions"][1];
    assert_eq!(editable["appVersionState"], "PREPARE_FOR_SUBMISSION");
    assert_eq!(editable["localizations"].as_array().unwrap().len(), 5);
    assert_eq!(app["appInfos"][1]["localizations"][0]["name"], "ماركي: مذكرات الأفلام");

    let status = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(saved, state);
}

#[test]
fn as_a_process_it_refuses_a_public_address_without_listen_any() {
    asc_sync()
        .args(["fake-asc", "--listen", "0.0.0.0:0"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("--listen-any"));
}
