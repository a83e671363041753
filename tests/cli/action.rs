//! The GitHub Action (`action.yml`, `action/run.sh`), outside GitHub.
//!
//! `Runner` reads action.yml and runs its steps as the Actions runner
//! would: each `${{ }}` evaluated (inputs with their defaults, `github`,
//! `runner`, earlier steps' outputs, `always()`), each `run:` step through
//! `bash --noprofile --norc -eo pipefail` with a fresh `$GITHUB_OUTPUT`,
//! steps after a failure skipped unless their `if:` says `always()`, and
//! the action's outputs computed from its `outputs:`. Steps that `uses:`
//! another action are not run; their evaluated `with:` is kept for the
//! assertions. A stand-in server plays the release download (a locally
//! built archive and its checksum) and GitHub's comments API (it records
//! every request), and the fake App Store Connect plays Apple.

use crate::harness::example_metadata;
use crate::support::{Env, drifted_state};
use serde_json::{Value, json};
use serde_yaml::Value as Yaml;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn action() -> Yaml {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// The tools action/run.sh uses, all on GitHub's runners. Without one the
/// test is skipped with a line on stderr; under CI (`CI=true`) it fails.
fn tools_or_skip(test: &str) -> bool {
    let missing: Vec<&str> = ["bash", "curl", "jq", "tar", "xz"]
        .into_iter()
        .filter(|tool| which(tool).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!("{test}: needs {} on PATH", missing.join(", "));
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "skipped {message}");
    false
}

pub fn which(tool: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(tool))
        .find(|path| path.is_file())
}

// ---------------------------------------------------------------------------
// Expressions: the part of GitHub's expression language action.yml uses.

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Path(String),
    Str(String),
    Op(&'static str),
}

fn tokenize(expr: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(format!("unclosed string in `{expr}`")),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        s.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(&other) => {
                        s.push(other);
                        i += 1;
                    }
                }
            }
            tokens.push(Token::Str(s));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "_-.".contains(chars[i])) {
                i += 1;
            }
            tokens.push(Token::Path(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = match (two.as_str(), c) {
                ("==", _) => "==",
                ("!=", _) => "!=",
                ("&&", _) => "&&",
                ("||", _) => "||",
                (_, '!') => "!",
                (_, '(') => "(",
                (_, ')') => ")",
                _ => return Err(format!("unexpected `{c}` in `{expr}`")),
            };
            i += op.len();
            tokens.push(Token::Op(op));
        }
    }
    Ok(tokens)
}

/// What an expression may read, and what it did read.
struct Scope<'a> {
    contexts: &'a Value,
    /// Declared inputs and the ids of the steps before this one.
    inputs: &'a [String],
    steps: &'a [String],
    failed: bool,
}

struct Parser<'a, 'b> {
    tokens: Vec<Token>,
    at: usize,
    scope: &'a Scope<'b>,
}

impl Parser<'_, '_> {
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self) -> Result<Value, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Op("||")) {
            self.at += 1;
            let right = self.and()?;
            left = if truthy(&left) { left } else { right };
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Value, String> {
        let mut left = self.equality()?;
        while self.peek() == Some(&Token::Op("&&")) {
            self.at += 1;
            let right = self.equality()?;
            left = if truthy(&left) { right } else { left };
        }
        Ok(left)
    }

    fn equality(&mut self) -> Result<Value, String> {
        let left = self.unary()?;
        match self.peek() {
            Some(Token::Op(op @ ("==" | "!="))) => {
                let equal_wanted = *op == "==";
                self.at += 1;
                let right = self.unary()?;
                Ok(Value::Bool(loosely_equal(&left, &right) == equal_wanted))
            }
            _ => Ok(left),
        }
    }

    fn unary(&mut self) -> Result<Value, String> {
        match self.next() {
            Some(Token::Op("!")) => Ok(Value::Bool(!truthy(&self.unary()?))),
            Some(Token::Op("(")) => {
                let v = self.or()?;
                match self.next() {
                    Some(Token::Op(")")) => Ok(v),
                    other => Err(format!("expected `)`, found {other:?}")),
                }
            }
            Some(Token::Str(s)) => Ok(Value::String(s)),
            Some(Token::Path(p)) if self.peek() == Some(&Token::Op("(")) => {
                self.at += 1;
                match self.next() {
                    Some(Token::Op(")")) => {}
                    other => return Err(format!("{p}() takes no arguments here, found {other:?}")),
                }
                match p.as_str() {
                    "always" => Ok(Value::Bool(true)),
                    "success" => Ok(Value::Bool(!self.scope.failed)),
                    "failure" => Ok(Value::Bool(self.scope.failed)),
                    "cancelled" => Ok(Value::Bool(false)),
                    other => Err(format!("function {other}() is not one this test evaluates")),
                }
            }
            Some(Token::Path(p)) => self.lookup(&p),
            other => Err(format!("unexpected {other:?}")),
        }
    }

    /// A context property; `inputs` and `steps` only as declared, and only
    /// the contexts a composite action can read.
    fn lookup(&self, path: &str) -> Result<Value, String> {
        let parts: Vec<&str> = path.split('.').collect();
        match parts[0] {
            "inputs" => {
                let name = parts.get(1).ok_or("`inputs` alone")?;
                if !self.scope.inputs.iter().any(|i| i == name) {
                    return Err(format!("inputs.{name} is not declared"));
                }
            }
            "steps" => {
                let id = parts.get(1).ok_or("`steps` alone")?;
                if !self.scope.steps.iter().any(|s| s == id) {
                    return Err(format!("steps.{id} is not a step before this one"));
                }
            }
            "github" | "runner" | "env" | "job" | "strategy" | "matrix" => {}
            other => return Err(format!("`{other}` is not a context a composite action can read")),
        }
        let mut v = self.scope.contexts;
        for part in &parts {
            match v.get(part) {
                Some(next) => v = next,
                None => return Ok(Value::Null),
            }
        }
        Ok(v.clone())
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// GitHub's `==`: strings ignore case; values of different types are
/// compared as numbers (null and '' are 0).
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Null, Value::Null) => true,
        _ => {
            let num = |v: &Value| match v {
                Value::Null => Some(0.0),
                Value::Bool(b) => Some(f64::from(u8::from(*b))),
                Value::Number(n) => n.as_f64(),
                Value::String(s) if s.trim().is_empty() => Some(0.0),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            matches!((num(a), num(b)), (Some(x), Some(y)) if x == y)
        }
    }
}

fn evaluate(expr: &str, scope: &Scope) -> Result<Value, String> {
    let mut parser = Parser {
        tokens: tokenize(expr)?,
        at: 0,
        scope,
    };
    let v = parser.or()?;
    match parser.peek() {
        None => Ok(v),
        Some(t) => Err(format!("unexpected {t:?} in `{expr}`")),
    }
}

fn to_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A string with `${{ }}` in it, as the runner fills it in.
fn interpolate(text: &str, scope: &Scope) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .ok_or_else(|| format!("unclosed ${{{{ in `{text}`"))?;
        out.push_str(&to_text(&evaluate(&rest[start + 3..start + end], scope)?));
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// An `if:`: an expression with or without `${{ }}`, `success()` when absent.
fn condition(step: &Yaml, scope: &Scope) -> Result<bool, String> {
    let Some(cond) = step.get("if").and_then(Yaml::as_str) else {
        return Ok(!scope.failed);
    };
    let cond = cond.trim();
    let expr = cond
        .strip_prefix("${{")
        .and_then(|c| c.strip_suffix("}}"))
        .unwrap_or(cond);
    let mentions_status = ["always()", "success()", "failure()", "cancelled()"]
        .iter()
        .any(|f| expr.contains(f));
    let v = truthy(&evaluate(expr, scope)?);
    // Without a status function, GitHub adds success().
    Ok(if mentions_status { v } else { v && !scope.failed })
}

// ---------------------------------------------------------------------------
// The runner.

/// What one run of the action did.
#[derive(Debug, Default)]
struct Run {
    /// Each step by name: whether it ran and how it ended.
    steps: Vec<StepRun>,
    outputs: BTreeMap<String, String>,
}

#[derive(Debug)]
struct StepRun {
    name: String,
    ran: bool,
    ok: bool,
    stdout: String,
    stderr: String,
    /// For `uses:` steps, the evaluated `with:`.
    with: BTreeMap<String, String>,
}

impl Run {
    fn step(&self, name: &str) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no step {name}"))
    }

    fn log(&self) -> String {
        self.steps
            .iter()
            .map(|s| format!("--- {} (ran {}, ok {})\n{}{}", s.name, s.ran, s.ok, s.stdout, s.stderr))
            .collect()
    }
}

/// The simulated runner: its folders and the job's environment.
struct Runner {
    home: tempfile::TempDir,
    tool_cache: PathBuf,
    workspace: PathBuf,
    event: Value,
    /// The job's `env:` and the runner's own variables.
    env: BTreeMap<String, String>,
}

impl Runner {
    fn new(workspace: PathBuf, api_url: &str) -> Runner {
        let home = tempfile::tempdir().unwrap();
        let tool_cache = home.path().join("tool-cache");
        std::fs::create_dir_all(&tool_cache).unwrap();
        let event = json!({"pull_request": {"number": 7, "head": {"sha": "0123456789abcdef0123456789abcdef01234567"}}});
        let event_path = home.path().join("event.json");
        std::fs::write(&event_path, event.to_string()).unwrap();
        let (os, arch) = runner_platform();
        let mut env = BTreeMap::new();
        for (k, v) in [
            ("GITHUB_ACTIONS", "true"),
            ("CI", "true"),
            ("GITHUB_REPOSITORY", "octo/app"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_SHA", "fedcba9876543210fedcba9876543210fedcba98"),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("RUNNER_OS", os),
            ("RUNNER_ARCH", arch),
        ] {
            env.insert(k.to_owned(), v.to_owned());
        }
        let path = |p: &Path| p.display().to_string();
        env.insert("GITHUB_API_URL".into(), api_url.to_owned());
        env.insert("GITHUB_EVENT_PATH".into(), path(&event_path));
        env.insert("GITHUB_WORKSPACE".into(), path(&workspace));
        env.insert("GITHUB_ACTION_PATH".into(), path(repo()));
        env.insert("GITHUB_STEP_SUMMARY".into(), path(&home.path().join("summary.md")));
        env.insert("GITHUB_PATH".into(), path(&home.path().join("path.txt")));
        env.insert("GITHUB_ENV".into(), path(&home.path().join("env.txt")));
        env.insert("RUNNER_TEMP".into(), path(&home.path().join("temp")));
        env.insert("RUNNER_TOOL_CACHE".into(), path(&tool_cache));
        std::fs::create_dir_all(home.path().join("temp")).unwrap();
        Runner {
            home,
            tool_cache,
            workspace,
            event,
            env,
        }
    }

    fn contexts(&self, inputs: &BTreeMap<String, String>, steps: &BTreeMap<String, Value>) -> Value {
        let e = |k: &str| self.env.get(k).cloned().unwrap_or_default();
        json!({
            "github": {
                "token": "ghs_test-token",
                "sha": e("GITHUB_SHA"),
                "event_name": e("GITHUB_EVENT_NAME"),
                "event": self.event,
                "repository": e("GITHUB_REPOSITORY"),
                "workspace": e("GITHUB_WORKSPACE"),
                "action_path": e("GITHUB_ACTION_PATH"),
                "api_url": e("GITHUB_API_URL"),
                "server_url": e("GITHUB_SERVER_URL"),
            },
            "runner": {
                "os": e("RUNNER_OS"),
                "arch": e("RUNNER_ARCH"),
                "temp": e("RUNNER_TEMP"),
                "tool_cache": e("RUNNER_TOOL_CACHE"),
            },
            "env": self.env,
            "inputs": inputs,
            "steps": steps,
        })
    }

    /// Runs the action's steps with these inputs (the rest take their
    /// defaults), as `uses: ./` in a job would.
    fn run(&self, given: &[(&str, &str)]) -> Run {
        let action = action();
        let declared = declared_inputs(&action);
        for (name, _) in given {
            assert!(declared.iter().any(|d| d == name), "no input {name}");
        }
        // Defaults are expressions too (github.token, the head sha).
        let mut inputs = BTreeMap::new();
        {
            let contexts = self.contexts(&BTreeMap::new(), &BTreeMap::new());
            let scope = Scope {
                contexts: &contexts,
                inputs: &[],
                steps: &[],
                failed: false,
            };
            for name in &declared {
                let spec = &action["inputs"][name.as_str()];
                let value = match given.iter().find(|(n, _)| n == name) {
                    Some((_, v)) => (*v).to_owned(),
                    None => interpolate(&yaml_text(spec.get("default")), &scope).unwrap(),
                };
                inputs.insert(name.clone(), value);
            }
        }
        let mut steps: BTreeMap<String, Value> = BTreeMap::new();
        let mut ids: Vec<String> = Vec::new();
        let mut failed = false;
        let mut run = Run::default();
        for (i, step) in action["runs"]["steps"].as_sequence().unwrap().iter().enumerate() {
            let name = step["name"].as_str().unwrap().to_owned();
            let contexts = self.contexts(&inputs, &steps);
            let scope = Scope {
                contexts: &contexts,
                inputs: &declared,
                steps: &ids,
                failed,
            };
            let mut record = StepRun {
                name: name.clone(),
                ran: false,
                ok: true,
                stdout: String::new(),
                stderr: String::new(),
                with: BTreeMap::new(),
            };
            let mut outputs = BTreeMap::new();
            if condition(step, &scope).unwrap_or_else(|e| panic!("step {name}: {e}")) {
                if let Some(script) = step.get("run").and_then(Yaml::as_str) {
                    let (ok, out, err, outs) = self.run_script(i, step, script, &scope);
                    record.ran = true;
                    record.ok = ok;
                    record.stdout = out;
                    record.stderr = err;
                    outputs = outs;
                    failed |= !ok;
                } else {
                    record.ran = true;
                    for (k, v) in step["with"].as_mapping().into_iter().flatten() {
                        let value = interpolate(&yaml_text(Some(v)), &scope).unwrap();
                        record.with.insert(k.as_str().unwrap().to_owned(), value);
                    }
                }
            }
            if let Some(id) = step.get("id").and_then(Yaml::as_str) {
                let outcome = if !record.ran {
                    "skipped"
                } else if record.ok {
                    "success"
                } else {
                    "failure"
                };
                steps.insert(id.to_owned(), json!({"outputs": outputs, "outcome": outcome}));
                ids.push(id.to_owned());
            }
            run.steps.push(record);
        }
        let contexts = self.contexts(&inputs, &steps);
        let scope = Scope {
            contexts: &contexts,
            inputs: &declared,
            steps: &ids,
            failed,
        };
        for (name, spec) in action["outputs"].as_mapping().unwrap() {
            let value = interpolate(spec["value"].as_str().unwrap(), &scope).unwrap();
            run.outputs.insert(name.as_str().unwrap().to_owned(), value);
        }
        run
    }

    /// One `run:` step: bash as GitHub runs it, the job's environment and
    /// the step's `env:`, a fresh `$GITHUB_OUTPUT`.
    fn run_script(
        &self,
        index: usize,
        step: &Yaml,
        script: &str,
        scope: &Scope,
    ) -> (bool, String, String, BTreeMap<String, String>) {
        assert_eq!(step["shell"].as_str(), Some("bash"));
        let dir = self.home.path().join(format!("step-{index}"));
        std::fs::create_dir_all(&dir).unwrap();
        let script_path = dir.join("script.sh");
        std::fs::write(&script_path, script).unwrap();
        let output_path = dir.join("output.txt");
        std::fs::write(&output_path, "").unwrap();
        let cwd = match step.get("working-directory") {
            Some(wd) => self.workspace.join(interpolate(&yaml_text(Some(wd)), scope).unwrap()),
            None => self.workspace.clone(),
        };
        let mut cmd = std::process::Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_path)
            .current_dir(cwd)
            .env_clear()
            .envs(&self.env)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("GITHUB_OUTPUT", &output_path);
        for (k, v) in step["env"].as_mapping().into_iter().flatten() {
            let value = interpolate(&yaml_text(Some(v)), scope).unwrap_or_else(|e| panic!("{e}"));
            cmd.env(k.as_str().unwrap(), value);
        }
        let out = cmd.output().unwrap();
        let outputs = parse_outputs(&std::fs::read_to_string(&output_path).unwrap());
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs,
        )
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(&self.env["GITHUB_STEP_SUMMARY"]).unwrap_or_default()
    }

    fn path_additions(&self) -> String {
        std::fs::read_to_string(&self.env["GITHUB_PATH"]).unwrap_or_default()
    }
}

/// `$GITHUB_OUTPUT`: `name=value` lines and `name<<DELIMITER` blocks.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            outputs.insert(name.to_owned(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_owned(), value.to_owned());
        }
    }
    outputs
}

fn yaml_text(v: Option<&Yaml>) -> String {
    match v {
        None | Some(Yaml::Null) => String::new(),
        Some(Yaml::String(s)) => s.clone(),
        Some(Yaml::Bool(b)) => b.to_string(),
        Some(Yaml::Number(n)) => n.to_string(),
        Some(other) => panic!("not a scalar: {other:?}"),
    }
}

fn declared_inputs(action: &Yaml) -> Vec<String> {
    action["inputs"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

/// RUNNER_OS and RUNNER_ARCH of this machine, so the archive served is one
/// this machine can run.
fn runner_platform() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "macOS",
        "windows" => "Windows",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "X64",
        "aarch64" => "ARM64",
        other => other,
    };
    (os, arch)
}

// ---------------------------------------------------------------------------
// The stand-in for GitHub: release downloads and the comments API.

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    authorization: String,
    body: String,
}

#[derive(Default)]
struct GithubState {
    /// Downloadable files by path (`/download/v0.1.0/asc-sync-….tar.xz`).
    files: BTreeMap<String, Vec<u8>>,
    comments: Vec<Value>,
    requests: Vec<Request>,
}

struct StandIn {
    url: String,
    state: Arc<Mutex<GithubState>>,
    _server: tokio::task::JoinHandle<()>,
}

impl StandIn {
    async fn start() -> StandIn {
        use axum::body::Bytes;
        use axum::extract::State;
        use axum::http::{HeaderMap, Method, StatusCode, Uri};
        use axum::response::IntoResponse;

        async fn handle(
            State(state): State<Arc<Mutex<GithubState>>>,
            method: Method,
            uri: Uri,
            headers: HeaderMap,
            body: Bytes,
        ) -> axum::response::Response {
            let mut s = state.lock().unwrap();
            let path = uri.path().to_owned();
            s.requests.push(Request {
                method: method.to_string(),
                path: uri.to_string(),
                authorization: headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned(),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
            if let Some(file) = s.files.get(&path) {
                return file.clone().into_response();
            }
            let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            let base = "https://github.com/octo/app/pull/7";
            match (method.as_str(), parts.as_slice()) {
                ("GET", ["api", "repos", _, _, "issues", _, "comments"]) => {
                    axum::Json(Value::Array(s.comments.clone())).into_response()
                }
                ("POST", ["api", "repos", _, _, "issues", _, "comments"]) => {
                    let body: Value = serde_json::from_slice(&body).unwrap();
                    let id = 1000 + s.comments.len() as u64;
                    let comment =
                        json!({"id": id, "body": body["body"], "html_url": format!("{base}#issuecomment-{id}")});
                    s.comments.push(comment.clone());
                    (StatusCode::CREATED, axum::Json(comment)).into_response()
                }
                ("PATCH", ["api", "repos", _, _, "issues", "comments", id]) => {
                    let body: Value = serde_json::from_slice(&body).unwrap();
                    let id: u64 = id.parse().unwrap();
                    match s.comments.iter_mut().find(|c| c["id"] == id) {
                        Some(c) => {
                            c["body"] = body["body"].clone();
                            axum::Json(c.clone()).into_response()
                        }
                        None => StatusCode::NOT_FOUND.into_response(),
                    }
                }
                _ => StatusCode::NOT_FOUND.into_response(),
            }
        }

        let state = Arc::new(Mutex::new(GithubState::default()));
        let app = axum::Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        StandIn {
            url,
            state,
            _server: server,
        }
    }

    fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    fn serve(&self, path: String, bytes: Vec<u8>) {
        self.state.lock().unwrap().files.insert(path, bytes);
    }
}

/// The release archive as cargo-dist lays it out for this machine's
/// target (`asc-sync-TARGET/asc-sync` in a .tar.xz), holding the binary
/// under test, and its `.sha256` file as cargo-dist writes it. Made once:
/// the debug binary is large, so it is compressed fast (xz -0) and shared
/// by the tests.
///
/// `ASC_SYNC_RELEASE_ARCHIVE=target/distrib/asc-sync-TARGET.tar.xz` serves
/// a real archive from `dist build` instead, with its `.sha256`.
fn release_archive(target: &str) -> (String, Vec<u8>, String) {
    static ARCHIVE: std::sync::OnceLock<(String, Vec<u8>, String)> = std::sync::OnceLock::new();
    ARCHIVE
        .get_or_init(|| match std::env::var_os("ASC_SYNC_RELEASE_ARCHIVE") {
            Some(path) => {
                let path = PathBuf::from(path);
                let name = path.file_name().unwrap().to_str().unwrap().to_owned();
                assert_eq!(name, format!("asc-sync-{target}.tar.xz"));
                let checksum = std::fs::read_to_string(format!("{}.sha256", path.display())).unwrap();
                (name, std::fs::read(&path).unwrap(), checksum)
            }
            None => make_archive(target),
        })
        .clone()
}

fn make_archive(target: &str) -> (String, Vec<u8>, String) {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("asc-sync-{target}");
    std::fs::create_dir_all(dir.path().join(&name)).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_asc-sync"), dir.path().join(&name).join("asc-sync")).unwrap();
    std::fs::write(dir.path().join(&name).join("README.md"), "asc-sync\n").unwrap();
    let archive = format!("{name}.tar.xz");
    let status = std::process::Command::new("tar")
        .current_dir(dir.path())
        .env("XZ_OPT", "-0")
        .args(["-cJf", &archive, &name])
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = std::fs::read(dir.path().join(&archive)).unwrap();
    let checksum = format!("{} *{archive}\n", hex::encode(Sha256::digest(&bytes)));
    (archive, bytes, checksum)
}

fn target_for(os: &str, arch: &str) -> &'static str {
    match (os, arch) {
        ("Linux", "X64") => "x86_64-unknown-linux-musl",
        ("Linux", "ARM64") => "aarch64-unknown-linux-musl",
        ("macOS", "X64") => "x86_64-apple-darwin",
        ("macOS", "ARM64") => "aarch64-apple-darwin",
        other => panic!("no release archive for {other:?}"),
    }
}

/// A workspace with an app folder: asc-sync.toml naming the app and the
/// example tree.
fn workspace() -> tempfile::TempDir {
    let ws = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(ws.path().join("app")).unwrap();
    std::fs::write(
        ws.path().join("app/asc-sync.toml"),
        format!(
            "bundle_id = \"com.example.marquee\"\nmetadata_path = {:?}\n",
            example_metadata().display().to_string()
        ),
    )
    .unwrap();
    ws
}

// ---------------------------------------------------------------------------
// The tests.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_action_installs_the_checked_release_plans_and_keeps_one_sticky_comment() {
    if !tools_or_skip("the_action_installs_the_checked_release_plans_and_keeps_one_sticky_comment") {
        return;
    }
    let env = Env::new(drifted_state()).await;
    let github = StandIn::start().await;
    let (os, arch) = runner_platform();
    let (archive, bytes, checksum) = release_archive(target_for(os, arch));
    let version = env!("CARGO_PKG_VERSION");
    github.serve(format!("/download/v{version}/{archive}"), bytes);
    github.serve(format!("/download/v{version}/{archive}.sha256"), checksum.into_bytes());

    let ws = workspace();
    let mut runner = Runner::new(ws.path().to_owned(), &format!("{}/api", github.url));
    runner.env.insert("ASC_API_BASE_URL".into(), env.fake.base_url.clone());
    let key = std::fs::read_to_string(&env.key_path).unwrap();
    let download_url = format!("{}/download", github.url);
    let inputs = [
        ("command", "plan"),
        ("working-directory", "app"),
        ("config", "asc-sync.toml"),
        ("download-url", download_url.as_str()),
        ("key-id", env.signer.kid.as_str()),
        ("issuer-id", "57246542-96fe-1a63-e053-0824d011072a"),
        ("private-key", key.as_str()),
    ];
    let run = tokio::task::block_in_place(|| runner.run(&inputs));
    let log = run.log();

    // The release: the version of this checkout, downloaded once, checked,
    // and put on PATH for the job's later steps.
    assert!(run.steps.iter().all(|s| s.ok), "{log}");
    assert_eq!(run.outputs["version"], version);
    let downloads: Vec<String> = github
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/download/"))
        .map(|r| r.path)
        .collect();
    assert_eq!(
        downloads,
        [
            format!("/download/v{version}/{archive}"),
            format!("/download/v{version}/{archive}.sha256")
        ]
    );
    let install = run.step("Install asc-sync");
    assert!(install.stdout.contains("matches"), "{log}");
    assert!(install.stdout.contains(&format!("asc-sync {version}")), "{log}");
    let installed = runner.path_additions();
    assert!(
        installed.starts_with(runner.tool_cache.to_str().unwrap()),
        "{installed}"
    );
    assert!(Path::new(installed.trim()).join("asc-sync").is_file());
    let cache = &run.step("Cache the binary").with;
    assert_eq!(cache["path"], installed.trim());
    assert!(cache["key"].starts_with(&format!("asc-sync-{version}-")), "{cache:?}");

    // The plan: asc-sync's outputs are the action's, the summary has it,
    // and the plan is kept under the head commit's name.
    assert_eq!(run.outputs["has_changes"], "true");
    assert_eq!(run.outputs["create"], "2");
    assert_eq!(run.outputs["update"], "2");
    assert_eq!(run.outputs["exit-code"], "2", "changes present, not a failure");
    assert!(
        runner
            .summary()
            .starts_with("### asc-sync plan for com.example.marquee"),
        "{}",
        runner.summary()
    );
    let upload = &run.step("Keep the plan").with;
    assert_eq!(upload["name"], "asc-sync-plan-0123456789abcdef0123456789abcdef01234567");
    assert_eq!(upload["path"], run.outputs["plan_path"]);
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&upload["path"]).unwrap()).unwrap();
    assert_eq!(plan["source"]["bundle_id"], "com.example.marquee");

    // The comment: one POST with the job's token, the marker, then the
    // Markdown plan.
    let posts: Vec<Request> = github.requests().into_iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].path, "/api/repos/octo/app/issues/7/comments");
    assert_eq!(posts[0].authorization, "Bearer ghs_test-token");
    let body: Value = serde_json::from_str(&posts[0].body).unwrap();
    let body = body["body"].as_str().unwrap();
    assert!(
        body.starts_with("<!-- asc-sync plan: com.example.marquee -->\n### asc-sync plan for com.example.marquee"),
        "{body}"
    );
    assert!(body.contains("Plan: 2 to create, 2 to update, 0 to delete"), "{body}");
    assert_eq!(
        run.outputs["comment-url"],
        "https://github.com/octo/app/pull/7#issuecomment-1000"
    );

    // A second push: the binary comes from the cache, and the same comment
    // is updated in place.
    let before = github.requests().len();
    let again = tokio::task::block_in_place(|| runner.run(&inputs));
    assert!(again.steps.iter().all(|s| s.ok), "{}", again.log());
    let later = &github.requests()[before..];
    assert!(later.iter().all(|r| !r.path.starts_with("/download/")), "{later:?}");
    let methods: Vec<&str> = later.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["GET", "PATCH"]);
    assert_eq!(later[1].path, "/api/repos/octo/app/issues/comments/1000");
    assert_eq!(github.state.lock().unwrap().comments.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_checksum_stops_the_job_before_anything_runs() {
    if !tools_or_skip("a_wrong_checksum_stops_the_job_before_anything_runs") {
        return;
    }
    let github = StandIn::start().await;
    let (os, arch) = runner_platform();
    let (archive, bytes, _) = release_archive(target_for(os, arch));
    let version = env!("CARGO_PKG_VERSION");
    let wrong = format!("{}  {archive}\n", "ab".repeat(32));
    github.serve(format!("/download/v{version}/{archive}"), bytes);
    github.serve(format!("/download/v{version}/{archive}.sha256"), wrong.into_bytes());
    let ws = workspace();
    let runner = Runner::new(ws.path().to_owned(), &format!("{}/api", github.url));
    let download_url = format!("{}/download", github.url);
    let run = tokio::task::block_in_place(|| runner.run(&[("command", "plan"), ("download-url", &download_url)]));
    let install = run.step("Install asc-sync");
    assert!(install.ran && !install.ok, "{}", run.log());
    assert!(
        install.stdout.contains(&format!(
            "::error title=asc-sync action::checksum mismatch for {archive}: "
        )) && install.stdout.contains("Nothing was installed."),
        "{}",
        run.log()
    );
    assert!(!run.step("Run asc-sync").ran);
    assert!(!run.step("Keep the plan").ran);
    assert!(!run.step("Comment on the pull request").ran);
    assert_eq!(runner.path_additions(), "");
    let leftovers: Vec<_> = walkdir::WalkDir::new(&runner.tool_cache)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(github.requests().iter().all(|r| r.method == "GET"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_sets_its_outputs_and_a_drift_check_fails_on_changes() {
    if !tools_or_skip("validate_sets_its_outputs_and_a_drift_check_fails_on_changes") {
        return;
    }
    let env = Env::new(drifted_state()).await;
    let github = StandIn::start().await;
    let (os, arch) = runner_platform();
    let (archive, bytes, checksum) = release_archive(target_for(os, arch));
    let version = env!("CARGO_PKG_VERSION");
    github.serve(format!("/download/v{version}/{archive}"), bytes);
    github.serve(format!("/download/v{version}/{archive}.sha256"), checksum.into_bytes());
    let ws = workspace();
    let mut runner = Runner::new(ws.path().to_owned(), &format!("{}/api", github.url));
    // A scheduled drift check: no pull request, the key from the job's env.
    runner.env.insert("GITHUB_EVENT_NAME".into(), "schedule".into());
    runner.event = json!({"schedule": "17 6 * * *"});
    std::fs::write(&runner.env["GITHUB_EVENT_PATH"], runner.event.to_string()).unwrap();
    runner.env.insert("ASC_API_BASE_URL".into(), env.fake.base_url.clone());
    runner.env.insert("ASC_KEY_ID".into(), env.signer.kid.clone());
    runner
        .env
        .insert("ASC_PRIVATE_KEY_PATH".into(), env.key_path.display().to_string());
    let download_url = format!("{}/download", github.url);
    let common = [("working-directory", "app"), ("download-url", download_url.as_str())];
    let validate = tokio::task::block_in_place(|| runner.run(&[&common[..], &[("command", "validate")]].concat()));
    let drift = tokio::task::block_in_place(|| {
        runner.run(&[&common[..], &[("command", "plan"), ("fail-on-changes", "true")]].concat())
    });

    assert!(validate.steps.iter().all(|s| s.ok), "{}", validate.log());
    assert_eq!(validate.outputs["errors"], "0");
    assert_eq!(validate.outputs["exit-code"], "0");
    assert!(!validate.step("Keep the plan").ran);
    assert!(!validate.step("Comment on the pull request").ran);

    let run = drift.step("Run asc-sync");
    assert!(run.ran && !run.ok, "{}", drift.log());
    assert!(
        run.stdout
            .contains("::error title=asc-sync action::the live listing differs"),
        "{}",
        drift.log()
    );
    assert_eq!(drift.outputs["exit-code"], "2");
    assert_eq!(drift.outputs["has_changes"], "true");
    // The comment step runs after a failure, and finds no pull request.
    let comment = drift.step("Comment on the pull request");
    assert!(comment.ran && comment.ok, "{}", drift.log());
    assert!(
        comment.stdout.contains("Not a pull request (schedule)"),
        "{}",
        drift.log()
    );
    assert!(github.requests().iter().all(|r| !r.path.starts_with("/api/")));
}

/// Every expression in action.yml, checked without running anything:
/// inputs that exist, steps that come before, contexts a composite action
/// can read; no expression inside a script; every input used by a step.
#[test]
fn the_action_is_a_composite_action_whose_expressions_all_resolve() {
    let action = action();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let declared = declared_inputs(&action);
    let contexts = json!({});
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let all_ids: Vec<String> = steps
        .iter()
        .filter_map(|s| s.get("id").and_then(Yaml::as_str).map(str::to_owned))
        .collect();
    let mut used_inputs = std::collections::BTreeSet::new();
    let mut ids: Vec<String> = Vec::new();
    let script = std::fs::read_to_string(repo().join("action/run.sh")).unwrap();
    for step in steps {
        let name = step["name"].as_str().expect("every step has a name");
        let scope = Scope {
            contexts: &contexts,
            inputs: &declared,
            steps: &ids,
            failed: false,
        };
        let mut strings = Vec::new();
        collect_strings(step, &mut strings);
        for text in strings {
            for expr in expressions(&text) {
                evaluate(&expr, &scope).unwrap_or_else(|e| panic!("step {name}: `{expr}`: {e}"));
                used_inputs.extend(references(&expr, "inputs."));
            }
        }
        if let Some(cond) = step.get("if").and_then(Yaml::as_str) {
            condition(step, &scope).unwrap_or_else(|e| panic!("step {name}: if {cond}: {e}"));
            used_inputs.extend(references(cond, "inputs."));
        }
        match step.get("run").and_then(Yaml::as_str) {
            Some(run) => {
                assert_eq!(step["shell"].as_str(), Some("bash"), "step {name}");
                assert!(!run.contains("${{"), "step {name}: an expression inside a script");
                let phase = run.rsplit(' ').next().unwrap();
                assert!(
                    script.contains(&format!("\n{phase}() {{")),
                    "step {name}: run.sh has no phase {phase}"
                );
            }
            None => {
                let uses = step["uses"].as_str().expect("a step runs or uses");
                assert!(
                    uses.rsplit_once('@').is_some_and(|(_, v)| v.starts_with('v')),
                    "{uses}: pin a release"
                );
            }
        }
        if let Some(id) = step.get("id").and_then(Yaml::as_str) {
            ids.push(id.to_owned());
        }
    }
    let unused: Vec<&String> = declared.iter().filter(|i| !used_inputs.contains(*i)).collect();
    assert!(unused.is_empty(), "inputs no step uses: {unused:?}");

    // Outputs read steps that exist, and only outputs someone writes: the
    // script's own, or asc-sync's (the pull-request workflow page lists them).
    let outputs_page = std::fs::read_to_string(repo().join("docs/pull-request-workflow.md")).unwrap();
    let scope = Scope {
        contexts: &contexts,
        inputs: &declared,
        steps: &all_ids,
        failed: false,
    };
    for (name, spec) in action["outputs"].as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        let value = spec["value"].as_str().unwrap();
        assert!(spec["description"].as_str().is_some(), "output {name}");
        for expr in expressions(value) {
            evaluate(&expr, &scope).unwrap_or_else(|e| panic!("output {name}: {e}"));
            for reference in references(&expr, "steps.") {
                let (_, output) = reference.split_once(".outputs.").unwrap();
                let by_script = script.contains(&format!("output {output} "));
                let by_asc_sync = outputs_page.contains(&format!("`{output}`"));
                assert!(by_script || by_asc_sync, "output {name}: nothing writes {output}");
            }
        }
    }
    for input in &declared {
        assert!(
            action["inputs"][input.as_str()]["description"].as_str().is_some(),
            "input {input}"
        );
    }
}

fn collect_strings(v: &Yaml, out: &mut Vec<String>) {
    match v {
        Yaml::String(s) => out.push(s.clone()),
        Yaml::Mapping(m) => m.values().for_each(|v| collect_strings(v, out)),
        Yaml::Sequence(s) => s.iter().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// The expressions between `${{` and `}}`.
fn expressions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let end = rest[start..].find("}}").expect("unclosed ${{");
        out.push(rest[start + 3..start + end].trim().to_owned());
        rest = &rest[start + end + 2..];
    }
    out
}

/// The names after `prefix` in an expression (`inputs.command` → `command`,
/// `steps.run.outputs.x` → `run.outputs.x`).
fn references(expr: &str, prefix: &str) -> Vec<String> {
    tokenize(expr)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| match t {
            Token::Path(p) => p.strip_prefix(prefix).map(str::to_owned),
            _ => None,
        })
        .collect()
}
