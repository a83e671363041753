//! The merge-to-main workflow: a plan made on a pull-request branch is
//! applied on main after a merge commit, a squash or a rebase, because it
//! is bound to the files it read, not to a commit. A tree that moved on
//! since, a hand-edited plan, and a run that names another app are
//! refused before anything is written.

use crate::github::git;
use crate::harness::{copy_tree, example_metadata};
use crate::support::{Env, example_state, stderr, stdout};
use serde_json::Value;
use std::path::Path;

const KEYWORDS: &str = "fastlane/metadata/en-US/keywords.txt";
const NEW_KEYWORDS: &str = "movies,film,journal,watchlist";

/// How a pull request reaches main.
#[derive(Clone, Copy, Debug)]
enum Merge {
    NoFastForward,
    Squash,
    Rebase,
}

/// A repository whose main holds the example tree (equal to the live
/// listing) and a branch `pr` that changes the English keywords; main has
/// moved on by an unrelated commit since the branch was made.
fn repository(repo: &Path) {
    copy_tree(&example_metadata(), &repo.join("fastlane/metadata"));
    std::fs::write(repo.join("asc-sync.toml"), "bundle_id = \"com.example.marquee\"\n").unwrap();
    std::fs::write(repo.join(".gitignore"), "*.p8\nplan.json\n").unwrap();
    git(repo, &["init", "-q", "-b", "main"]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "base"]);
    git(repo, &["checkout", "-q", "-b", "pr"]);
    std::fs::write(repo.join(KEYWORDS), format!("{NEW_KEYWORDS}\n")).unwrap();
    git(repo, &["commit", "-q", "-am", "New keywords"]);
    git(repo, &["checkout", "-q", "main"]);
    std::fs::write(repo.join("README.md"), "An app.\n").unwrap();
    git(repo, &["add", "README.md"]);
    git(repo, &["commit", "-q", "-m", "Unrelated work on main"]);
}

fn merge(repo: &Path, how: Merge) {
    match how {
        Merge::NoFastForward => {
            git(repo, &["merge", "-q", "--no-ff", "pr", "-m", "Merge pull request #1"]);
        }
        Merge::Squash => {
            git(repo, &["merge", "-q", "--squash", "pr"]);
            git(repo, &["commit", "-q", "-m", "New keywords (#1)"]);
        }
        Merge::Rebase => {
            git(repo, &["checkout", "-q", "pr"]);
            git(repo, &["rebase", "-q", "main"]);
            git(repo, &["checkout", "-q", "main"]);
            git(repo, &["merge", "-q", "--ff-only", "pr"]);
        }
    }
}

/// Plans on the branch, as the pull-request workflow does.
async fn plan_on_branch(env: &Env) -> Value {
    let repo = env.dir.path();
    git(repo, &["checkout", "-q", "pr"]);
    let out = env.run(&["plan", "--out", "plan.json", "--format", "json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    git(repo, &["checkout", "-q", "main"]);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn live_keywords(env: &Env) -> Option<String> {
    let state = env.fake.state();
    let en = state.apps[0].app_store_versions[1].localization("en-US").unwrap();
    en.attributes["keywords"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_reviewed_on_the_branch_applies_on_main_after_a_merge_commit_a_squash_and_a_rebase() {
    for how in [Merge::NoFastForward, Merge::Squash, Merge::Rebase] {
        let env = Env::new(example_state()).await;
        repository(env.dir.path());
        let plan = plan_on_branch(&env).await;
        assert_eq!(plan["summary"]["update"], 1, "{how:?}: {plan}");
        let made_from = plan["source"]["commit"].as_str().unwrap().to_owned();
        merge(env.dir.path(), how);
        assert_ne!(git(env.dir.path(), &["rev-parse", "HEAD"]), made_from, "{how:?}");

        env.fake.reset_log();
        let out = env.run(&["apply", "plan.json"]).await;
        assert_eq!(out.status.code(), Some(0), "{how:?}: {}{}", stdout(&out), stderr(&out));
        assert!(
            stdout(&out).contains("Apply: 1 applied, 0 failed, 0 skipped (1 request,"),
            "{}",
            stdout(&out)
        );
        assert_eq!(env.writes(), 1, "{how:?}");
        assert_eq!(live_keywords(&env).as_deref(), Some(NEW_KEYWORDS), "{how:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_change_merged_to_main_after_the_plan_is_refused_naming_the_file() {
    let env = Env::new(example_state()).await;
    let repo = env.dir.path();
    repository(repo);
    plan_on_branch(&env).await;
    merge(repo, Merge::NoFastForward);
    let other = "fastlane/metadata/de-DE/description.txt";
    std::fs::write(repo.join(other), "Eine andere Beschreibung.\n").unwrap();
    git(repo, &["commit", "-q", "-am", "Another pull request"]);

    env.fake.reset_log();
    let out = env.run(&["apply", "plan.json"]).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("de-DE/description.txt: changed since the plan was made") && err.contains("Nothing was written"),
        "{err}"
    );
    assert!(env.fake.requests().is_empty(), "refused before any request");
    assert_eq!(
        live_keywords(&env).as_deref(),
        Some("movies,film,diary,watchlist,cinema,reviews,tracker,letterbox,tv shows,ratings")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_edited_after_is_refused() {
    let env = Env::new(example_state()).await;
    let repo = env.dir.path();
    repository(repo);
    plan_on_branch(&env).await;
    merge(repo, Merge::Squash);
    let path = repo.join("plan.json");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(NEW_KEYWORDS));
    std::fs::write(&path, text.replace(NEW_KEYWORDS, "casino,free,coins")).unwrap();

    env.fake.reset_log();
    let out = env.run(&["apply", "plan.json"]).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("appStoreVersionLocalizations en-US keywords: the plan sets \"casino,free,coins\"")
            && err.contains("en-US/keywords.txt says \"movies,film,journal,watchlist\"")
            && err.contains("was the plan file edited?"),
        "{err}"
    );
    assert!(env.fake.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_is_not_applied_to_another_app_platform_or_version() {
    let env = Env::new(example_state()).await;
    let repo = env.dir.path();
    repository(repo);
    plan_on_branch(&env).await;
    merge(repo, Merge::NoFastForward);
    env.fake.reset_log();
    let cases: [(&[&str], &str); 3] = [
        (
            &["--bundle-id", "com.example.other"],
            "the plan is for the app com.example.marquee, but --bundle-id names com.example.other",
        ),
        (
            &["--platform", "mac_os"],
            "the plan is for platform IOS, but --platform names mac_os",
        ),
        (
            &["--app-version", "9.9"],
            "the plan is for version 1.1 (editable), but --app-version names 9.9",
        ),
    ];
    for (flags, message) in cases {
        let out = env.run(&[&["apply", "plan.json"][..], flags].concat()).await;
        assert_eq!(out.status.code(), Some(1), "{flags:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{flags:?}: {}", stderr(&out));
    }
    // The config names another app: the same refusal, naming the config.
    std::fs::write(repo.join("asc-sync.toml"), "bundle_id = \"com.example.b\"\n").unwrap();
    let out = env.run(&["apply", "plan.json"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("but bundle_id in asc-sync.toml names com.example.b"),
        "{}",
        stderr(&out)
    );
    // Naming what the plan is for is fine.
    std::fs::write(
        repo.join("asc-sync.toml"),
        "bundle_id = \"com.example.marquee\"\nversion = \"editable\"\n",
    )
    .unwrap();
    assert!(
        env.fake.requests().is_empty(),
        "no request was sent for a refused target"
    );
    let out = env
        .run(&[
            "apply",
            "plan.json",
            "--bundle-id",
            "com.example.marquee",
            "--platform",
            "IOS",
        ])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrency_of_zero_in_the_config_is_refused_naming_the_file() {
    let env = Env::new(example_state()).await;
    std::fs::write(env.dir.path().join("asc-sync.toml"), "[apply]\nmax_concurrency = 0\n").unwrap();
    let out = env.plan(&[]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("asc-sync.toml: [apply] max_concurrency = 0: it must be between 1 and 64"),
        "{err}"
    );
    assert!(env.fake.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_file_holds_no_digest_a_password_can_be_guessed_from() {
    let env = Env::new(example_state()).await;
    let repo = env.dir.path();
    repository(repo);
    let password = "fastlane/metadata/review_information/demo_password.txt";
    std::fs::write(repo.join(password), "hunter2\n").unwrap();
    let out = env.run(&["plan", "--out", "plan.json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(repo.join("plan.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    // No salt, no plain digest: only digests keyed by the API key.
    assert!(doc.get("secret_salt").is_none(), "{text}");
    let sha256 = |s: &str| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(s.as_bytes()))
    };
    assert!(!text.contains(&sha256("hunter2")) && !text.contains("hunter2"));
    let file_digest = doc["content"]["files"]["review_information/demo_password.txt"]
        .as_str()
        .unwrap();
    assert!(file_digest.starts_with("hmac-sha256:"), "{file_digest}");
    let change = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["attributes"].get("demoAccountPassword").is_some())
        .unwrap();
    let after = change["attributes"]["demoAccountPassword"]["fingerprints"]["after"]
        .as_str()
        .unwrap();
    assert!(after.starts_with("hmac-sha256:"), "{after}");
    assert_eq!(doc["content"]["secrets_key_id"], env.signer.kid.as_str());

    // The secret file changes: apply notices, names the file, shows neither value.
    std::fs::write(repo.join(password), "hunter3\n").unwrap();
    let out = env.run(&["apply", "plan.json"]).await;
    assert_eq!(out.status.code(), Some(4));
    let err = stderr(&out);
    assert!(err.contains("review_information/demo_password.txt: changed"), "{err}");
    assert!(!err.contains("hunter") && !stdout(&out).contains("hunter"));
    assert_eq!(env.writes(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_applies_from_a_checkout_elsewhere_with_metadata() {
    let env = Env::new(example_state()).await;
    let repo = env.dir.path();
    repository(repo);
    plan_on_branch(&env).await;
    merge(repo, Merge::Squash);
    // The same files, checked out in another folder.
    let elsewhere = repo.join("elsewhere");
    copy_tree(&repo.join("fastlane/metadata"), &elsewhere);
    let out = env
        .run(&["apply", "plan.json", "--metadata", elsewhere.to_str().unwrap()])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(live_keywords(&env).as_deref(), Some(NEW_KEYWORDS));
}
