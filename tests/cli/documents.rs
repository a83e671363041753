//! The JSON documents and text of a run, pinned byte for byte: one app
//! (a settings file without `[[apps]]`) and several apps, for plan, apply,
//! pull and validate. Only what changes from run to run (the time, the
//! temporary folder, the fake's port, the tool's version) is replaced.

use crate::apps::{CONFIG, drift, start};
use crate::harness::example_metadata;
use crate::support::{BUNDLE, Env, drifted_state, stderr};

/// The output with what differs between runs replaced by placeholders.
fn stable(env: &Env, out: &std::process::Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let dir = env.dir.path().display().to_string();
    let mut text = text
        .replace(&dir, "[dir]")
        .replace(&env.fake.base_url, "[fake]")
        .replace(env!("CARGO_PKG_VERSION"), "[version]");
    // RFC 3339 times: `"created_at": "2026-…Z"`.
    while let Some(at) = text.find("\"created_at\": \"2") {
        let start = at + "\"created_at\": \"".len();
        let end = start + text[start..].find('"').unwrap_or(0);
        text.replace_range(start..end, "[time]");
    }
    // A report's request statistics: apps that share a client count each
    // other's requests as they overlap, and times vary.
    let mut at = 0;
    while let Some(found) = text[at..].find("\"requests\": {") {
        let start = at + found + "\"requests\": ".len();
        let mut depth = 0;
        let mut end = start;
        for (i, c) in text[start..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = start + i + 1;
                break;
            }
        }
        text.replace_range(start..end, "\"[statistics]\"");
        at = start;
    }
    // Keyed digests of secrets: keyed by the test's random API key.
    let mut at = 0;
    while let Some(found) = text[at..].find("hmac-sha256:") {
        let start = at + found + "hmac-sha256:".len();
        let end = start + text[start..].find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(0);
        text.replace_range(start..end, "[keyed]");
        at = start;
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_app_documents_are_as_pinned() {
    let env = Env::new(drifted_state()).await;
    // A copy outside any git repository: the plan records no commit.
    crate::harness::copy_tree(&example_metadata(), &env.dir.path().join("metadata"));
    let metadata = env.dir.path().join("metadata");
    let tree = "metadata";
    let base = ["--bundle-id", BUNDLE, "--metadata", tree];
    let run = |verb: &[&str], extra: &[&str]| {
        let mut args: Vec<&str> = verb.to_vec();
        args.extend_from_slice(&base);
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let exec = async |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        env.run(&refs).await
    };
    let plan_text = exec(run(&["plan"], &[])).await;
    insta::assert_snapshot!("one_app_plan_text", stable(&env, &plan_text));
    let plan_json = exec(run(&["plan"], &["--format", "json"])).await;
    insta::assert_snapshot!("one_app_plan_json", stable(&env, &plan_json));
    let validate = env.run(&["validate", "--metadata", tree, "--format", "json"]).await;
    insta::assert_snapshot!("one_app_validate_json", stable(&env, &validate));

    let pulled = tempfile::tempdir().unwrap();
    crate::harness::copy_tree(&metadata, &pulled.path().join("metadata"));
    let pull_tree = pulled.path().join("metadata");
    let pull = env
        .run(&[
            "pull",
            "--bundle-id",
            BUNDLE,
            "--metadata",
            pull_tree.to_str().unwrap(),
            "--dry-run",
            "--format",
            "json",
        ])
        .await;
    let pull = stable(&env, &pull).replace(&pulled.path().display().to_string(), "[pulled]");
    insta::assert_snapshot!("one_app_pull_json", pull);

    let apply = exec(run(&["apply"], &["--auto-approve", "--format", "json"])).await;
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    insta::assert_snapshot!("one_app_apply_json", stable(&env, &apply));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_app_documents_are_as_pinned() {
    let (env, _) = start(CONFIG, drift).await;
    let plan_text = env.run(&["plan"]).await;
    insta::assert_snapshot!("apps_plan_text", stable(&env, &plan_text));
    let plan_json = env.run(&["plan", "--format", "json"]).await;
    insta::assert_snapshot!("apps_plan_json", stable(&env, &plan_json));
    let validate = env.run(&["validate", "--format", "json"]).await;
    insta::assert_snapshot!("apps_validate_json", stable(&env, &validate));
    let pull = env.run(&["pull", "--dry-run", "--format", "json"]).await;
    insta::assert_snapshot!("apps_pull_json", stable(&env, &pull));
    let apply = env.run(&["apply", "--auto-approve", "--format", "json"]).await;
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    insta::assert_snapshot!("apps_apply_json", stable(&env, &apply));
}
