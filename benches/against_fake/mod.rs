//! What the benchmarks against the fake share: a tree of every field in
//! the first N locales, a key and a fake that trusts it, clients, the
//! rounds of requests in the fake's log, and the real binary measured by
//! `/usr/bin/time`. Each bench uses a part of it.
#![allow(dead_code)]

use crate::common::text;
use asc_sync::client::{Client, ClientOptions, Credentials};
use asc_sync::fake::{FakeOptions, FakeServer, FaultConfig, LogEntry, State};
use asc_sync::model::Field;
use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use strum::IntoEnumIterator;

pub const BUNDLE: &str = "com.example.bench";

/// A tree with every field in the first `locales` App Store locales;
/// 4000-character descriptions, 1500-character release notes. Written
/// once under `target/bench-trees/<name>`.
pub fn tree_dir(name: &str, locales: usize) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-trees")
        .join(name)
        .join("metadata");
    let codes = &asc_sync::locale::ALL[..locales];
    if root.join(codes[locales - 1]).join("name.txt").exists() {
        return root;
    }
    for (i, code) in codes.iter().enumerate() {
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
                // Apple refuses line breaks in the Apple TV privacy policy.
                Field::PrivacyPolicyText => text(300, i).replace('\n', " "),
                _ => format!("https://marquee.example.com/{code}/{}", field.api_name()),
            };
            std::fs::write(dir.join(field.file_name()), value + "\n").unwrap();
        }
    }
    root
}

/// A key, and a fake serving `state` that trusts it.
pub struct Bench {
    pub fake: FakeServer,
    pub pem: String,
    pub credentials: Credentials,
}

impl Bench {
    pub async fn start(state: State, latency_ms: u64) -> Bench {
        Bench::start_with(state, latency_ms, asc_sync::fake::DEFAULT_PROCESSING_MS).await
    }

    /// A fake that processes uploads in `processing_ms`.
    pub async fn start_with(state: State, latency_ms: u64, processing_ms: u64) -> Bench {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
        let fake = FakeServer::start_local(FakeOptions {
            state,
            public_keys: vec![secret.public_key().to_public_key_pem(LineEnding::LF).unwrap()],
            faults: FaultConfig {
                latency_ms,
                ..Default::default()
            },
            processing_ms,
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
        Bench { fake, pem, credentials }
    }

    /// A fresh client (its own counters) with `max` requests in flight.
    pub fn client(&self, max: usize) -> Arc<Client> {
        let options = ClientOptions {
            base_url: Some(self.fake.base_url.clone()),
            max_concurrency: max,
            ..Default::default()
        };
        Arc::new(Client::new(&self.credentials, options).unwrap())
    }

    pub fn gets(&self) -> usize {
        self.fake.requests().iter().filter(|e| e.method == "GET").count()
    }

    pub fn writes(&self) -> usize {
        self.fake.requests().iter().filter(|e| e.method != "GET").count()
    }

    /// Round trips in the log: a request that starts after one of the
    /// round before it ended opens a new round.
    pub fn rounds(&self) -> usize {
        rounds(&self.fake.requests())
    }

    /// Peak memory (max RSS, in MB) of the real `asc-sync apply` of
    /// `metadata` and `screenshots` against this fake.
    pub fn apply_peak_rss(&self, metadata: &Path, screenshots: &Path) -> Option<Result<f64, String>> {
        let args = ["apply", "--auto-approve", "--format", "json", "--screenshots"];
        let mut args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        args.push(screenshots.into());
        self.peak_rss(metadata, &args)
    }

    /// Peak memory (max RSS, in MB) and exit status of the real
    /// `asc-sync plan` on `metadata` against this fake, measured with
    /// `/usr/bin/time`; `None` when it is not installed.
    pub fn plan_peak_rss(&self, metadata: &Path) -> Option<Result<f64, String>> {
        self.peak_rss(metadata, &["plan".into(), "--format".into(), "json".into()])
    }

    fn peak_rss(&self, metadata: &Path, verb: &[std::ffi::OsString]) -> Option<Result<f64, String>> {
        let time = Path::new("/usr/bin/time");
        if !time.exists() {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key.p8");
        std::fs::write(&key, &self.pem).unwrap();
        let out = std::process::Command::new(time)
            .args(["-f", "%M"])
            .arg(env!("CARGO_BIN_EXE_asc-sync"))
            .args(verb)
            .args(["--bundle-id", BUNDLE, "--metadata"])
            .arg(metadata)
            .env("ASC_KEY_ID", &self.credentials.key_id)
            .env("ASC_ISSUER_ID", "bench")
            .env("ASC_PRIVATE_KEY_PATH", &key)
            .env("ASC_API_BASE_URL", &self.fake.base_url)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let kb = stderr.lines().last().and_then(|l| l.trim().parse::<f64>().ok());
        Some(match kb {
            Some(kb) if out.status.success() => Ok(kb / 1024.0),
            _ => Err(stderr),
        })
    }
}

/// Round trips among `entries`: sorted by start, a request that starts
/// after the earliest end of the current round opens the next one.
pub fn rounds(entries: &[LogEntry]) -> usize {
    let mut sorted: Vec<&LogEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.started_ms.total_cmp(&b.started_ms));
    let mut rounds = 0;
    let mut round_end = f64::MIN;
    for e in sorted {
        if e.started_ms >= round_end {
            rounds += 1;
            round_end = e.started_ms + e.ms;
        } else {
            round_end = round_end.min(e.started_ms + e.ms);
        }
    }
    rounds
}

/// The median of a few timings, in milliseconds.
pub fn median_ms(mut runs: Vec<std::time::Duration>) -> f64 {
    runs.sort();
    runs[runs.len() / 2].as_secs_f64() * 1000.0
}
