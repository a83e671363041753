//! How many GETs of one localization the fake serves per second at zero
//! latency, client and server on the same machine (so the figure is a
//! floor: the client's own work competes for the same cores).
//!
//! `cargo bench --bench fake_throughput` prints requests per second.
//! Goal: at least 5,000, so the fake never dominates our benchmarks.

use asc_sync::fake::{FakeOptions, FakeServer, State};
use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use std::time::Instant;

const REQUESTS: usize = 40_000;
const CONCURRENCY: usize = 32;

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let tree = asc_sync::tree::load_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("metadata-example/metadata"),
        &Default::default(),
    );
    let state = State::from_tree(&tree.tree, "com.example.marquee", "IOS");
    let loc_id = state.apps[0].app_store_versions[1].localizations[0].id.clone();

    let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let private = secret.to_pkcs8_pem(LineEnding::LF).unwrap();
    let public = secret.public_key().to_public_key_pem(LineEnding::LF).unwrap();
    let fake = FakeServer::start_local(FakeOptions {
        state,
        public_keys: vec![public],
        rate_limit_per_hour: u32::MAX,
        ..Default::default()
    })
    .await
    .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("BENCHKEY".into());
    let claims = serde_json::json!({"iss": "bench", "iat": now - 60, "exp": now + 1000, "aud": "appstoreconnect-v1"});
    let token = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_ec_pem(private.as_bytes()).unwrap(),
    )
    .unwrap();

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let url = format!("{}/v1/appStoreVersionLocalizations/{loc_id}", fake.base_url);
    // Warm up connections and the token cache.
    for _ in 0..CONCURRENCY {
        assert!(
            http.get(&url)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status()
                .is_success()
        );
    }
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..CONCURRENCY {
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        workers.push(tokio::spawn(async move {
            let mut ok = 0;
            for _ in (w..REQUESTS).step_by(CONCURRENCY) {
                let resp = http.get(&url).bearer_auth(&token).send().await.unwrap();
                assert!(resp.status().is_success());
                let _ = resp.bytes().await.unwrap();
                ok += 1;
            }
            ok
        }));
    }
    let mut total = 0;
    for w in workers {
        total += w.await.unwrap();
    }
    let elapsed = started.elapsed();
    println!(
        "fake GET appStoreVersionLocalizations/{{id}}: {total} requests in {:.2} s = {:.0} requests/s ({} concurrent connections, zero latency)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        CONCURRENCY
    );
    assert_eq!(fake.requests().len(), total + CONCURRENCY);
}
