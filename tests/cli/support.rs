//! What every end-to-end test starts from: a fake App Store Connect over
//! real HTTP, an API key it trusts, a folder for the run, and the built
//! binary run against them; the example tree's live states.

use crate::harness::{Signer, example_metadata};
use asc_sync::fake::{FakeOptions, FakeServer, FaultConfig, State};
use std::path::PathBuf;
use std::process::Output;

pub(crate) const BUNDLE: &str = "com.example.marquee";

/// The example tree's live state, before any drift.
pub fn example_state() -> State {
    let tree = asc_sync::tree::load_dir(&example_metadata(), &Default::default());
    State::from_tree(&tree.tree, BUNDLE, "IOS")
}

/// The drift of the demo: an edited release note, a missing locale, a
/// keyword change, promotional text edited on the web.
pub fn drifted_state() -> State {
    let mut state = example_state();
    let app = &mut state.apps[0];
    let v = &mut app.app_store_versions[1];
    v.localizations.retain(|l| l.locale != "fr-FR");
    for l in &mut v.localizations {
        match l.locale.as_str() {
            "de-DE" => {
                l.attributes
                    .insert("whatsNew".into(), Some("Neu in 2.1:\n• Fehlerbehebungen".into()));
            }
            "en-US" => {
                l.attributes
                    .insert("keywords".into(), Some("movies,film,diary,imdb".into()));
                l.attributes
                    .insert("promotionalText".into(), Some("Edited on the web".into()));
            }
            _ => {}
        }
    }
    app.app_infos[1].localizations.retain(|l| l.locale != "fr-FR");
    state
}

pub struct Env {
    pub fake: FakeServer,
    pub dir: tempfile::TempDir,
    pub key_path: PathBuf,
    pub signer: Signer,
}

impl Env {
    /// The fake holding `state`, answering every request.
    pub async fn new(state: State) -> Env {
        Env::with(FakeOptions {
            state,
            ..Default::default()
        })
        .await
    }

    /// The fake holding `state`, with `faults` injected.
    pub async fn start(state: State, faults: FaultConfig) -> Env {
        Env::with(FakeOptions {
            state,
            faults,
            ..Default::default()
        })
        .await
    }

    /// The fake started with `options`; it trusts the run's key
    /// TESTKEY123 besides any key `options` names.
    pub async fn with(mut options: FakeOptions) -> Env {
        let signer = Signer::new("TESTKEY123");
        options.public_keys.push(signer.public_pem.clone());
        let fake = FakeServer::start_local(options).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let key_path = dir.path().join("AuthKey_TESTKEY123.p8");
        std::fs::write(&key_path, &signer.private_pem).unwrap();
        Env {
            fake,
            dir,
            key_path,
            signer,
        }
    }

    /// asc-sync in the test's folder, with the key in the environment and
    /// the fake as the API, outside GitHub Actions.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_asc-sync"));
        cmd.current_dir(self.dir.path())
            .args(args)
            .env_remove("RUST_LOG")
            .env_remove("GITHUB_ACTIONS")
            .env("NO_COLOR", "1")
            .env("ASC_KEY_ID", &self.signer.kid)
            .env("ASC_ISSUER_ID", "57246542-96fe-1a63-e053-0824d011072a")
            .env("ASC_PRIVATE_KEY_PATH", &self.key_path)
            .env("ASC_API_BASE_URL", &self.fake.base_url)
            .stdin(std::process::Stdio::null());
        cmd
    }

    /// Runs asc-sync with the key in the environment and the fake as the API.
    pub async fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.command(args);
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap()
    }

    /// Runs asc-sync in `dir` instead of the test's folder.
    pub async fn run_in(&self, dir: &std::path::Path, args: &[&str]) -> Output {
        let mut cmd = self.command(args);
        cmd.current_dir(dir);
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap()
    }

    pub async fn plan(&self, extra: &[&str]) -> Output {
        let metadata = example_metadata();
        let mut args = vec!["plan", "--bundle-id", BUNDLE, "--metadata", metadata.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.run(&args).await
    }

    /// `apply --auto-approve` of the example tree, with `extra` flags.
    pub async fn apply(&self, extra: &[&str]) -> Output {
        let metadata = example_metadata();
        let mut args = vec![
            "apply",
            "--auto-approve",
            "--bundle-id",
            BUNDLE,
            "--metadata",
            metadata.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        self.run(&args).await
    }

    pub fn writes(&self) -> usize {
        self.fake.requests().iter().filter(|e| e.method != "GET").count()
    }

    pub fn gets(&self) -> usize {
        self.fake.requests().iter().filter(|e| e.method == "GET").count()
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
