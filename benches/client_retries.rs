//! 200 PATCHes against the fake at 100 ms latency while 30 % of requests
//! are answered 429 with `Retry-After: 1`: every PATCH must land exactly
//! once, within the deadline. Prints wall time, attempts and how the
//! shared concurrency limit moved.
//!
//! `cargo bench --bench client_retries`

use asc_sync::client::{Client, ClientOptions, Credentials};
use asc_sync::fake::state::{App, Localization, Version};
use asc_sync::fake::{FakeOptions, FakeServer, FaultConfig, State};
use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use std::sync::Arc;
use std::time::{Duration, Instant};

const APPS: usize = 4; // 4 apps x 50 locales = 200 localizations

fn state() -> State {
    let mut state = State::default();
    for a in 0..APPS {
        let localizations = asc_sync::locale::ALL
            .iter()
            .map(|code| Localization {
                id: String::new(),
                locale: code.to_string(),
                attributes: Default::default(),
            })
            .collect();
        state.apps.push(App {
            bundle_id: format!("com.example.bench{a}"),
            app_store_versions: vec![
                Version {
                    platform: "IOS".into(),
                    version_string: "1.0".into(),
                    app_version_state: "READY_FOR_DISTRIBUTION".into(),
                    ..Default::default()
                },
                Version {
                    platform: "IOS".into(),
                    version_string: "1.1".into(),
                    app_version_state: "PREPARE_FOR_SUBMISSION".into(),
                    localizations,
                    ..Default::default()
                },
            ],
            ..Default::default()
        });
    }
    state.normalize().unwrap();
    state
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

async fn run() {
    let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let state = state();
    let ids: Vec<String> = state
        .apps
        .iter()
        .flat_map(|a| a.app_store_versions[1].localizations.iter().map(|l| l.id.clone()))
        .collect();
    let fake = FakeServer::start_local(FakeOptions {
        state,
        public_keys: vec![secret.public_key().to_public_key_pem(LineEnding::LF).unwrap()],
        faults: FaultConfig {
            latency_ms: 100,
            fail_429: Some("0.3".parse().unwrap()),
            retry_after: Some(1),
            seed: 1,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let credentials = Credentials {
        key_id: "BENCHKEY".into(),
        issuer_id: Some("bench".into()),
        private_key: secret.to_pkcs8_pem(LineEnding::LF).unwrap().to_string().into(),
        duration: 1200,
        in_house: false,
    };
    let options = ClientOptions {
        base_url: Some(fake.base_url.clone()),
        ..Default::default()
    };
    let deadline = options.timeout;
    let client = Arc::new(Client::new(&credentials, options).unwrap());

    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let (client, id) = (client.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let body = serde_json::json!({"data": {"type": "appStoreVersionLocalizations", "id": id,
                "attributes": {"keywords": format!("bench,{i}")}}});
            client
                .patch(&format!("/v1/appStoreVersionLocalizations/{id}"), &body)
                .await
        }));
    }
    let mut failed = 0;
    for t in tasks {
        if let Err(e) = t.await.unwrap() {
            eprintln!("failed: {e}");
            failed += 1;
        }
    }
    let wall = started.elapsed();
    let stats = client.stats();

    // Every PATCH landed exactly once, with its own value.
    let log = fake.requests();
    let final_state = fake.state();
    let mut landed_once = 0;
    for (i, id) in ids.iter().enumerate() {
        let path = format!("/v1/appStoreVersionLocalizations/{id}");
        let ok = log.iter().filter(|e| e.path == path && e.status == Some(200)).count();
        let value = final_state
            .apps
            .iter()
            .flat_map(|a| &a.app_store_versions[1].localizations)
            .find(|l| &l.id == id)
            .unwrap();
        if ok == 1 && value.attributes["keywords"].as_deref() == Some(format!("bench,{i}").as_str()) {
            landed_once += 1;
        }
    }
    println!("200 PATCHes, 100 ms latency, 30% 429 with Retry-After: 1 (max concurrency 8)");
    println!(
        "  succeeded:        {}/{} (failed {failed}); landed exactly once: {landed_once}",
        ids.len() - failed,
        ids.len()
    );
    println!(
        "  wall time:        {:.1} s (deadline {} s)",
        wall.as_secs_f64(),
        deadline.as_secs()
    );
    println!(
        "  attempts:         {} for {} requests ({} answered 429)",
        stats.attempts, stats.requests, stats.rate_limited
    );
    let timeline: Vec<String> = stats
        .concurrency
        .iter()
        .map(|c| format!("{:.1}s:{}", c.at_ms as f64 / 1000.0, c.limit))
        .collect();
    println!(
        "  concurrency over time ({} changes): {}",
        timeline.len(),
        timeline.join(" ")
    );
    let mean = mean_limit(&stats.concurrency, wall);
    println!("  time-weighted mean concurrency: {mean:.2}");
    assert_eq!(failed, 0);
    assert_eq!(landed_once, ids.len());
    assert!(wall < deadline);
}

fn mean_limit(history: &[asc_sync::client::limiter::LimitChange], wall: Duration) -> f64 {
    let end = wall.as_millis() as u64;
    let mut total = 0.0;
    for (i, c) in history.iter().enumerate() {
        let until = history.get(i + 1).map_or(end, |n| n.at_ms).min(end);
        total += (until.saturating_sub(c.at_ms)) as f64 * c.limit as f64;
    }
    total / end.max(1) as f64
}
