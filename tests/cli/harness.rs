//! Shared helpers: temporary trees, the shared corpus, the built binary.

use asc_sync::findings::Finding;
use asc_sync::live::{LiveAppInfo, LiveLocalization, LiveState, LiveVersion};
use asc_sync::model::Field;
use asc_sync::tree::{self, LoadOptions, Loaded};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The parts of the shared corpus the tests read. The corpus is not in this
/// repository: it sits at `shared/corpus` beside the clone (CI clones it
/// there), or where `ASC_SYNC_CORPUS` says; Apple's OpenAPI spec sits beside
/// it, in `shared/asc-openapi`.
#[derive(Clone, Copy, Debug)]
pub enum Corpus {
    /// Ten real public metadata trees, `real-trees/<owner>__<repo>/metadata`.
    RealTrees,
    /// The trees reconstructed from fastlane deliver's own specs.
    DeliverCases,
    /// fastlane's App Store Connect API key JSON fixtures.
    KeyFixtures,
    /// Apple's App Store Connect OpenAPI spec (a file).
    OpenApiSpec,
}

impl Corpus {
    fn what(self) -> &'static str {
        match self {
            Corpus::RealTrees => "the ten real metadata trees",
            Corpus::DeliverCases => "fastlane deliver's test cases",
            Corpus::KeyFixtures => "fastlane's API key fixtures",
            Corpus::OpenApiSpec => "Apple's OpenAPI spec",
        }
    }

    /// Where this part is looked for (it may be missing).
    pub fn path(self) -> PathBuf {
        corpus_dir().join(self.path_in_corpus())
    }

    fn path_in_corpus(self) -> &'static str {
        match self {
            Corpus::RealTrees => "real-trees",
            Corpus::DeliverCases => "fastlane-deliver-fixtures/reconstructed-from-deliver-specs",
            Corpus::KeyFixtures => "fastlane-deliver-fixtures/copied/spaceship/spec/connect_api/fixtures",
            Corpus::OpenApiSpec => "../asc-openapi/app-store-connect-openapi-specification.json",
        }
    }
}

/// Where the shared corpus is looked for: `ASC_SYNC_CORPUS`, or
/// `shared/corpus` beside the repository.
fn corpus_dir() -> PathBuf {
    match std::env::var_os("ASC_SYNC_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            manifest.parent().unwrap_or(manifest).join("shared/corpus")
        }
    }
}

/// Whether a missing corpus fails the test instead of skipping it
/// (`ASC_SYNC_REQUIRE_CORPUS=1`, as CI sets it).
fn corpus_required() -> bool {
    std::env::var_os("ASC_SYNC_REQUIRE_CORPUS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// A part of the shared corpus, or `None` when it is missing: then the test
/// returns early, and one line on stderr (written to the handle, so the test
/// harness does not capture it) says what was skipped and how to run it.
/// With `ASC_SYNC_REQUIRE_CORPUS=1` a missing part fails the test instead.
///
/// ```ignore
/// let Some(trees) = corpus_or_skip(Corpus::RealTrees) else { return };
/// ```
pub fn corpus_or_skip(part: Corpus) -> Option<PathBuf> {
    let path = part.path();
    if path.exists() {
        return Some(path);
    }
    let how = "put the corpus at ../shared/corpus beside this repository or set ASC_SYNC_CORPUS to its folder";
    assert!(
        !corpus_required(),
        "{} from the shared corpus not found at {}, and ASC_SYNC_REQUIRE_CORPUS is set. To fix it, {how} (docs/corpus.md, \"The shared corpus\"), or unset ASC_SYNC_REQUIRE_CORPUS to skip the tests that need it",
        part.what(),
        path.display()
    );
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    // One write of the whole line, on the handle: the print macros would be
    // captured for a passing test, and the line would never be seen.
    let line = format!(
        "skipped {test}: needs {} from the shared corpus (not found at {}); to run it, {how}\n",
        part.what(),
        path.display()
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    None
}

/// `fixtures/trees/<quirk>/metadata`: our own small tree for one quirk.
pub fn fixture_tree(quirk: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/trees")
        .join(quirk)
        .join("metadata")
}

/// Copies a tree into `to`, symlinks as symlinks with the same target.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.path_is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &dest).unwrap();
        } else if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::write(&dest, std::fs::read(entry.path()).unwrap()).unwrap();
        }
    }
}

pub fn example_metadata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("metadata-example/metadata")
}

/// A temporary metadata tree built from `(path, bytes)` pairs.
pub struct TempTree {
    pub dir: tempfile::TempDir,
}

impl TempTree {
    pub fn new(files: &[(&str, &[u8])]) -> TempTree {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("metadata")).unwrap();
        let t = TempTree { dir };
        for (path, bytes) in files {
            t.write(path, bytes);
        }
        t
    }

    pub fn metadata(&self) -> PathBuf {
        self.dir.path().join("metadata")
    }

    pub fn write(&self, path: &str, bytes: &[u8]) {
        let full = self.metadata().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
    }

    pub fn symlink(&self, link: &str, target: &str) {
        let full = self.metadata().join(link);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, full).unwrap();
    }

    pub fn load(&self) -> Loaded {
        tree::load_dir(&self.metadata(), &LoadOptions::default())
    }
}

/// Loader findings plus validation findings, as `validate` reports them.
pub fn all_findings(loaded: &Loaded) -> Vec<Finding> {
    let mut f = loaded.findings.clone();
    f.extend(asc_sync::validate::validate(&loaded.tree));
    asc_sync::findings::sort(&mut f);
    f
}

pub fn asc_sync() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_asc-sync"));
    cmd.env_remove("RUST_LOG").env("NO_COLOR", "1");
    cmd
}

/// An ES256 key pair and tokens signed with it, as an App Store Connect
/// API key would make them.
pub struct Signer {
    pub kid: String,
    encoding: jsonwebtoken::EncodingKey,
    pub private_pem: String,
    pub public_pem: String,
}

impl Signer {
    pub fn new(kid: &str) -> Signer {
        use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
        let private = secret.to_pkcs8_pem(LineEnding::LF).unwrap();
        let public_pem = secret.public_key().to_public_key_pem(LineEnding::LF).unwrap();
        Signer {
            kid: kid.into(),
            encoding: jsonwebtoken::EncodingKey::from_ec_pem(private.as_bytes()).unwrap(),
            private_pem: private.to_string(),
            public_pem,
        }
    }

    pub fn sign(&self, kid: Option<&str>, claims: &serde_json::Value) -> String {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }

    /// A valid team-key token, 10 minutes long.
    pub fn token(&self) -> String {
        let now = now();
        self.sign(
            Some(&self.kid),
            &serde_json::json!({"iss": "57246542-96fe-1a63-e053-0824d011072a", "iat": now - 60, "exp": now + 540, "aud": "appstoreconnect-v1"}),
        )
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn fixture_state(name: &str) -> asc_sync::fake::State {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/live").join(name);
    asc_sync::fake::State::from_json(&std::fs::read_to_string(&path).unwrap(), name).unwrap()
}

/// A running fake plus an HTTP client holding a valid token.
pub struct Api {
    pub fake: asc_sync::fake::FakeServer,
    pub http: reqwest::Client,
    pub signer: Signer,
    pub token: String,
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: serde_json::Value,
    pub text: String,
}

impl Api {
    pub async fn start(options: asc_sync::fake::FakeOptions) -> Api {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let signer = Signer::new("TESTKEY123");
        let options = asc_sync::fake::FakeOptions {
            public_keys: if options.public_keys.is_empty() {
                vec![signer.public_pem.clone()]
            } else {
                options.public_keys
            },
            ..options
        };
        let fake = asc_sync::fake::FakeServer::start_local(options).await.unwrap();
        let token = signer.token();
        Api {
            fake,
            http: reqwest::Client::new(),
            signer,
            token,
        }
    }

    pub async fn movies() -> Api {
        Api::start(asc_sync::fake::FakeOptions {
            state: fixture_state("movies.json"),
            ..Default::default()
        })
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.fake.base_url)
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<String>) -> Result<Answer, reqwest::Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, self.url(path)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        Ok(Answer {
            status,
            headers,
            body,
            text,
        })
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None).await.unwrap()
    }

    pub async fn patch(&self, path: &str, body: serde_json::Value) -> Answer {
        self.send("PATCH", path, Some(body.to_string())).await.unwrap()
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> Answer {
        self.send("POST", path, Some(body.to_string())).await.unwrap()
    }
}

impl Answer {
    /// The first error's code, for error answers.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or("")
    }
}

impl Signer {
    /// The same key as asc-sync credentials (a team key).
    pub fn credentials(&self) -> asc_sync::client::Credentials {
        asc_sync::client::Credentials {
            key_id: self.kid.clone(),
            issuer_id: Some("57246542-96fe-1a63-e053-0824d011072a".into()),
            private_key: self.private_pem.clone().into(),
            duration: 1200,
            in_house: false,
        }
    }
}

impl Api {
    /// A client for this fake with fast backoff, for tests.
    pub fn client(&self, tweak: impl FnOnce(&mut asc_sync::client::ClientOptions)) -> asc_sync::client::Client {
        let mut options = asc_sync::client::ClientOptions {
            base_url: Some(self.fake.base_url.clone()),
            backoff_base: std::time::Duration::from_millis(10),
            backoff_cap: std::time::Duration::from_millis(200),
            timeout: std::time::Duration::from_secs(20),
            ..Default::default()
        };
        tweak(&mut options);
        asc_sync::client::Client::new(&self.signer.credentials(), options).unwrap()
    }
}

/// Serves a small axum app on a free loopback port: for answers the fake
/// never gives (a proxy's plain-text page, a cursor loop).
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// A live localization with the given values set.
pub fn loc(id: &str, values: &[(Field, &str)]) -> LiveLocalization {
    LiveLocalization {
        id: id.into(),
        values: values.iter().map(|(f, v)| (*f, Some(v.to_string()))).collect(),
    }
}

/// The example app's live state: an editable version 2.1 and app info,
/// holding these localizations.
pub fn live(version_locs: Vec<(&str, LiveLocalization)>, info_locs: Vec<(&str, LiveLocalization)>) -> LiveState {
    LiveState {
        app_id: "1".into(),
        bundle_id: "com.example.marquee".into(),
        primary_locale: "en-US".into(),
        platform: asc_sync::model::Platform::Ios,
        version: LiveVersion {
            id: "v1".into(),
            version_string: "2.1".into(),
            state: asc_sync::model::VersionState::PrepareForSubmission,
            copyright: Some("2026 Marquee Labs Ltd.".into()),
            release_type: None,
            earliest_release_date: None,
            is_first: false,
            localizations: version_locs.into_iter().map(|(l, v)| (l.to_owned(), v)).collect(),
            planned: None,
        },
        app_info: Some(LiveAppInfo {
            id: "i1".into(),
            state: asc_sync::model::AppInfoState::PrepareForSubmission,
            categories: BTreeMap::new(),
            localizations: info_locs.into_iter().map(|(l, v)| (l.to_owned(), v)).collect(),
        }),
        review: None,
        notes: Vec::new(),
    }
}
