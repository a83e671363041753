//! Several apps in one run, against the fake at 300 ms latency: 20 apps of
//! 10 locales each (every field), listed in one `asc-sync.toml`, on one
//! API key, through the real binary.
//!
//! `cargo bench --bench multi_app` prints: one app's `plan --app` and all
//! 20 apps' `plan`, medians of 5 runs, against the goal (at most 1.3 × one
//! app's), and all 20 again with one app's 8 requests in flight (a shared
//! client's default grows with its apps); one `apply` of every app after a web edit of every version
//! localization's description (200 writes), median of 5 runs: wall time,
//! requests and 429s (goal: zero 429s, the whole bench within the key's
//! 3,600 requests an hour); and the writes of a second `apply` with nothing left to change
//! (goal: 0 for every app).

mod common;
use common::text;

use asc_sync::fake::{FakeOptions, FakeServer, FaultConfig, Seed, State};
use asc_sync::model::Field;
use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};
use strum::IntoEnumIterator;

const LATENCY_MS: u64 = 300;
const APPS: usize = 20;
const LOCALES: usize = 10;
const RUNS: usize = 5;

fn bundle(app: usize) -> String {
    format!("com.example.bench.app{app:02}")
}

/// The `app`th tree: 10 locales, every field, names of its own (Apple
/// refuses a name another app of the account has).
fn tree_dir(root: &Path, app: usize) -> PathBuf {
    let metadata = root.join(format!("app{app:02}/metadata"));
    for (i, code) in asc_sync::locale::ALL.iter().take(LOCALES).enumerate() {
        let dir = metadata.join(code);
        std::fs::create_dir_all(&dir).unwrap();
        for field in Field::iter() {
            let value = match field {
                Field::Description => text(2000, i + app),
                Field::WhatsNew => text(500, i + 1),
                Field::Keywords => "movies,film,diary,watchlist,cinema".to_owned(),
                Field::PromotionalText => text(160, i + 2),
                Field::Name => format!("Bench {app:02} {code}"),
                Field::Subtitle => "Log films, rate, remember".to_owned(),
                Field::PrivacyPolicyText => text(300, i).replace('\n', " "),
                _ => format!("https://app{app:02}.example.com/{code}/{}", field.api_name()),
            };
            std::fs::write(dir.join(field.file_name()), value + "\n").unwrap();
        }
    }
    metadata
}

/// The fake holding every app as its tree says, then a web edit of every
/// version localization's description.
fn state(trees: &[asc_sync::tree::MetadataTree]) -> State {
    let bundles: Vec<String> = (1..=APPS).map(bundle).collect();
    let seeds: Vec<Seed> = trees
        .iter()
        .zip(&bundles)
        .map(|(tree, bundle_id)| Seed {
            tree,
            bundle_id,
            platform: "IOS",
        })
        .collect();
    let mut state = State::from_trees(&seeds);
    for app in &mut state.apps {
        for l in &mut app.app_store_versions[1].localizations {
            l.attributes
                .insert("description".into(), Some("Edited on the web".into()));
        }
    }
    state
}

struct Bench {
    fake: FakeServer,
    dir: tempfile::TempDir,
    /// The live listing every apply starts from.
    drifted: State,
}

impl Bench {
    fn run(&self, args: &[&str]) -> (Duration, Output) {
        let started = Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_asc-sync"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("RUST_LOG")
            .env_remove("GITHUB_ACTIONS")
            .env("ASC_KEY_ID", "BENCHKEY")
            .env("ASC_ISSUER_ID", "bench")
            .env("ASC_PRIVATE_KEY_PATH", self.dir.path().join("key.p8"))
            .env("ASC_API_BASE_URL", &self.fake.base_url)
            .output()
            .unwrap();
        (started.elapsed(), out)
    }

    /// The median wall time of `RUNS` runs, each checked by `check`.
    fn median(&self, args: &[&str], check: impl Fn(&Output)) -> Duration {
        let mut times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let (wall, out) = self.run(args);
                check(&out);
                wall
            })
            .collect();
        times.sort();
        times[RUNS / 2]
    }

    fn writes(&self) -> usize {
        self.fake.requests().iter().filter(|e| e.method != "GET").count()
    }
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
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-trees/multi-app");
    let dirs: Vec<PathBuf> = (1..=APPS).map(|app| tree_dir(&root, app)).collect();
    let trees: Vec<_> = dirs
        .iter()
        .map(|d| asc_sync::tree::load_dir(d, &Default::default()).tree)
        .collect();
    let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let drifted = state(&trees);
    let fake = FakeServer::start_local(FakeOptions {
        state: drifted.clone(),
        public_keys: vec![secret.public_key().to_public_key_pem(LineEnding::LF).unwrap()],
        faults: FaultConfig {
            latency_ms: LATENCY_MS,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pem = secret.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    std::fs::write(dir.path().join("key.p8"), pem).unwrap();
    let config: String = dirs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!(
                "[[apps]]\nname = \"app{:02}\"\nbundle_id = \"{}\"\nmetadata_path = {:?}\n\n",
                i + 1,
                bundle(i + 1),
                d.display().to_string()
            )
        })
        .collect();
    std::fs::write(dir.path().join("asc-sync.toml"), config).unwrap();
    let bench = Bench { fake, dir, drifted };
    tokio::task::spawn_blocking(move || measure(&bench)).await.unwrap();
}

fn measure(bench: &Bench) {
    let ok = |out: &Output| assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    bench.fake.reset_log();
    let one = bench.median(&["plan", "--app", "app01"], ok);
    let gets_one = bench.fake.requests().len() / RUNS;
    bench.fake.reset_log();
    let all = bench.median(&["plan"], ok);
    let gets_all = bench.fake.requests().len() / RUNS;
    println!("{APPS} apps x {LOCALES} locales, {LATENCY_MS} ms latency per request, one API key:");
    println!(
        "  plan, one app (--app):  {:>5.0} ms, {gets_one} GETs (median of {RUNS})",
        one.as_secs_f64() * 1000.0
    );
    println!(
        "  plan, all {APPS} apps:     {:>5.0} ms, {gets_all} GETs; ratio {:.2} (goal: at most 1.3)",
        all.as_secs_f64() * 1000.0,
        all.as_secs_f64() / one.as_secs_f64()
    );
    let capped = bench.median(&["plan", "--max-concurrency", "8"], ok);
    println!(
        "  plan, all {APPS} apps, 8 in flight (one app's default): {:>5.0} ms; ratio {:.2}",
        capped.as_secs_f64() * 1000.0,
        capped.as_secs_f64() / one.as_secs_f64()
    );
    // Each apply starts from the drifted listing again.
    let mut walls = Vec::new();
    let mut applied = (serde_json::Value::Null, Vec::new());
    for _ in 0..RUNS {
        bench.fake.set_state(bench.drifted.clone());
        bench.fake.reset_log();
        let (wall, out) = bench.run(&["apply", "--auto-approve", "--format", "json"]);
        ok(&out);
        walls.push(wall);
        applied = (serde_json::from_slice(&out.stdout).unwrap(), bench.fake.requests());
    }
    walls.sort();
    let (wall, (report, log)) = (walls[RUNS / 2], applied);
    let limited = log.iter().filter(|e| e.status == Some(429)).count();
    println!(
        "  apply, all {APPS} apps:    {:>5.0} ms (median of {RUNS}), {} applied, {} requests ({} writes), {limited} answered 429 (goal: 0)",
        wall.as_secs_f64() * 1000.0,
        report["summary"]["applied"],
        log.len(),
        log.iter().filter(|e| e.method != "GET").count()
    );
    assert_eq!(report["summary"]["applied"], APPS * LOCALES);
    assert_eq!(limited, 0);
    bench.fake.reset_log();
    let (_, again) = bench.run(&["apply", "--auto-approve", "--format", "json"]);
    ok(&again);
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    let idle: Vec<u64> = report["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["report"]["summary"]["applied"].as_u64().unwrap_or(0))
        .collect();
    println!(
        "  nothing changed: {} writes in all; applied per app {:?}",
        bench.writes(),
        idle
    );
    assert_eq!(bench.writes(), 0);
    let total = RUNS * (gets_one + 2 * gets_all + log.len()) + bench.fake.requests().len();
    println!("  the key's requests in this bench: {total} of Apple's 3,600 an hour");
    assert!(total <= 3600);
}
