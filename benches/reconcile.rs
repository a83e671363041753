//! plan and apply against the fake at 300 ms latency with 50 locales.
//!
//! `cargo bench --bench reconcile` prints: plan wall time and GET count
//! against the goal (at most 5 GETs, within 1.2 × sequential GETs × 300 ms);
//! apply of 50 changed version localizations at concurrency 8 against the
//! ideal ceil(50/8) × 300 ms (goal 1.15 ×); the same change sent the way
//! fastlane deliver sends it (every non-blank field of every locale, 10 at a
//! time) as a baseline; writes when nothing changed; peak memory of `plan`.

mod common;
use common::text;

use asc_sync::apply::Remaining;
use asc_sync::client::{Client, ClientOptions, Credentials};
use asc_sync::fake::{FakeOptions, FakeServer, FaultConfig, State};
use asc_sync::live::VersionSelector;
use asc_sync::model::{Field, Localization};
use asc_sync::plan::secret::DigestKey;
use asc_sync::plan::{DiffOptions, diff};
use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use strum::IntoEnumIterator;

const LATENCY_MS: u64 = 300;
const BUNDLE: &str = "com.example.bench";

/// A 50-locale tree with every field; 4000-character descriptions.
fn tree_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-trees/reconcile-50/metadata");
    if root.join("zh-Hant/name.txt").exists() {
        return root;
    }
    for (i, code) in asc_sync::locale::ALL.iter().enumerate() {
        let dir = root.join(code);
        std::fs::create_dir_all(&dir).unwrap();
        for field in Field::iter() {
            let value = match field {
                Field::Description => text(4000, i),
                Field::WhatsNew => text(1500, i + 1),
                Field::Keywords => "movies,film,diary,watchlist,cinema".to_owned(),
                Field::PromotionalText => text(160, i + 2),
                Field::Name => format!("Marquee {i}"),
                Field::Subtitle => "Log films, rate, remember".to_owned(),
                Field::PrivacyPolicyText => text(300, i),
                _ => format!("https://marquee.example.com/{code}/{}", field.api_name()),
            };
            std::fs::write(dir.join(field.file_name()), value + "\n").unwrap();
        }
    }
    root
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

async fn run() {
    let root = tree_dir();
    let tree = asc_sync::tree::load_dir(&root, &Default::default()).tree;
    assert_eq!(tree.locales.len(), 50);
    let mut state = State::from_tree(&tree, BUNDLE, "IOS");
    // Drift: every version localization's description was edited on the web.
    for l in &mut state.apps[0].app_store_versions[1].localizations {
        l.attributes
            .insert("description".into(), Some("Edited on the web".into()));
    }
    let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let fake = FakeServer::start_local(FakeOptions {
        state,
        public_keys: vec![secret.public_key().to_public_key_pem(LineEnding::LF).unwrap()],
        faults: FaultConfig {
            latency_ms: LATENCY_MS,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let pem = secret.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let credentials = Credentials {
        key_id: "BENCHKEY".into(),
        issuer_id: Some("bench".into()),
        private_key: pem.clone().into(),
        duration: 1200,
        in_house: false,
    };
    let client = |max: usize| {
        Arc::new(
            Client::new(
                &credentials,
                ClientOptions {
                    base_url: Some(fake.base_url.clone()),
                    max_concurrency: max,
                    ..Default::default()
                },
            )
            .unwrap(),
        )
    };
    let latency = Duration::from_millis(LATENCY_MS);
    let key = Arc::new(DigestKey::ephemeral());
    let options = DiffOptions {
        metadata_path: root.display().to_string(),
        key: Some(key.clone()),
        ..Default::default()
    };

    // Plan.
    let c = client(8);
    fake.reset_log();
    let started = Instant::now();
    let live = asc_sync::live::fetch(&c, BUNDLE, "IOS", &VersionSelector::Editable)
        .await
        .unwrap();
    let plan = diff(&tree, &live, &options);
    let plan_wall = started.elapsed();
    let gets = fake.requests().iter().filter(|e| e.method == "GET").count();
    let plan_goal = latency.mul_f64(1.2 * gets as f64);
    assert_eq!(plan.summary.update, 50);

    // Apply: 50 changed version localizations at concurrency 8.
    fake.reset_log();
    let started = Instant::now();
    let report = asc_sync::apply::execute(c.clone(), &plan, Remaining::all(&plan), &key, |_| {}).await;
    let apply_wall = started.elapsed();
    let writes = fake.requests().iter().filter(|e| e.method != "GET").count();
    assert_eq!(report.summary.applied, 50);
    let ideal = latency * 50usize.div_ceil(8) as u32;

    // No change: plan again, apply nothing.
    fake.reset_log();
    let live = asc_sync::live::fetch(&c, BUNDLE, "IOS", &VersionSelector::Editable)
        .await
        .unwrap();
    let again = diff(&tree, &live, &options);
    let report = asc_sync::apply::execute(c.clone(), &again, Remaining::all(&again), &key, |_| {}).await;
    let idle_writes = fake.requests().iter().filter(|e| e.method != "GET").count();
    assert!(!again.has_changes && report.results.is_empty());

    // Baseline: what deliver sends for the same change, every non-blank
    // field of every version and app-info localization, 10 at a time.
    let b = client(10);
    fake.reset_log();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (resource, locs) in [
        (Localization::Version, &live.version.localizations),
        (Localization::AppInfo, &live.app_info.as_ref().unwrap().localizations),
    ] {
        for (locale, loc) in locs.iter() {
            let values = &tree.locales[&asc_sync::locale::Locale::exact(locale).unwrap()].fields;
            let attributes: serde_json::Map<String, serde_json::Value> = values
                .iter()
                .filter(|(f, v)| f.localization() == resource && !v.is_blank())
                .map(|(f, v)| (f.api_name().to_owned(), serde_json::Value::String(v.value.clone())))
                .collect();
            let body = serde_json::json!({"data": {"type": resource.kind().type_name(), "id": loc.id, "attributes": attributes}});
            let (b, path) = (b.clone(), format!("/v1/{}/{}", resource.kind(), loc.id));
            tasks.push(tokio::spawn(async move { b.patch(&path, &body).await.map(|_| ()) }));
        }
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let deliver_wall = started.elapsed();
    let deliver_writes = fake.requests().iter().filter(|e| e.method != "GET").count();

    println!("50 locales, {LATENCY_MS} ms latency per request:");
    println!(
        "  plan:    {:>6.0} ms, {gets} GETs (goal: at most 5 GETs and {:.0} ms = 1.2 x {gets} x {LATENCY_MS} ms)",
        plan_wall.as_secs_f64() * 1000.0,
        plan_goal.as_secs_f64() * 1000.0
    );
    println!(
        "  apply:   {:>6.0} ms, {writes} PATCHes at concurrency 8 (ideal ceil(50/8) x {LATENCY_MS} = {:.0} ms; ratio {:.2}, goal 1.15)",
        apply_wall.as_secs_f64() * 1000.0,
        ideal.as_secs_f64() * 1000.0,
        apply_wall.as_secs_f64() / ideal.as_secs_f64()
    );
    println!(
        "  deliver: {:>6.0} ms, {deliver_writes} PATCHes at 10 threads (every non-blank field of every locale)",
        deliver_wall.as_secs_f64() * 1000.0
    );
    println!("  nothing changed: {idle_writes} writes");
    peak_memory_of_plan(&fake, &root, &pem);
}

/// Peak memory (max RSS) of the real `asc-sync plan` binary on this tree,
/// measured with /usr/bin/time when it is installed.
fn peak_memory_of_plan(fake: &FakeServer, root: &Path, pem: &str) {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        println!("  plan peak memory: /usr/bin/time not installed, not measured");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.p8");
    std::fs::write(&key, pem).unwrap();
    let out = std::process::Command::new(time)
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_asc-sync"))
        .args(["plan", "--format", "json", "--bundle-id", BUNDLE, "--metadata"])
        .arg(root)
        .env("ASC_KEY_ID", "BENCHKEY")
        .env("ASC_ISSUER_ID", "bench")
        .env("ASC_PRIVATE_KEY_PATH", &key)
        .env("ASC_API_BASE_URL", &fake.base_url)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kb = stderr.lines().last().and_then(|l| l.trim().parse::<f64>().ok());
    match kb {
        Some(kb) if out.status.success() => {
            println!("  plan peak memory (max RSS of asc-sync plan): {:.1} MB", kb / 1024.0)
        }
        _ => println!("  plan peak memory: not measured ({stderr})"),
    }
}
