//! Plan files of `format_version` 1, saved by an earlier asc-sync and
//! pinned in `fixtures/plan-v1/`: users keep them as CI artifacts between
//! a pull request and its merge, so a new asc-sync must read, render and
//! apply them exactly as the one that wrote them.

use crate::support::{Env, stderr, stdout};
use asc_sync::fake::State;
use asc_sync::plan::Plan;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/plan-v1")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn state(name: &str) -> State {
    State::from_json(&read(name), name).unwrap()
}

#[test]
fn a_v1_plan_file_reads_and_writes_back_byte_for_byte() {
    for name in ["plan.json", "plan-waiting.json"] {
        let text = read(name);
        let plan = Plan::from_json(&text, name).unwrap();
        assert_eq!(plan.to_json(), text, "{name} changed on a round trip");
    }
}

#[test]
fn a_v1_plan_file_renders_as_it_did() {
    for name in ["plan", "plan-waiting"] {
        let plan = Plan::from_json(&read(&format!("{name}.json")), name).unwrap();
        assert_eq!(
            asc_sync::render::plan::text(&plan, false),
            read(&format!("{name}.txt")),
            "{name}: text"
        );
        assert_eq!(
            asc_sync::render::plan::markdown(&plan),
            read(&format!("{name}.md")),
            "{name}: markdown"
        );
    }
}

/// Runs `asc-sync apply <fixture>` from the repository root, where the
/// plan's relative file paths (the demo password's) resolve.
async fn apply(env: &Env, plan: &str) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_asc-sync"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["apply", fixture(plan).to_str().unwrap()])
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .env("ASC_KEY_ID", &env.signer.kid)
        .env("ASC_ISSUER_ID", "57246542-96fe-1a63-e053-0824d011072a")
        .env("ASC_PRIVATE_KEY_PATH", &env.key_path)
        .env("ASC_API_BASE_URL", &env.fake.base_url)
        .stdin(std::process::Stdio::null());
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v1_plan_file_applies_every_kind_of_change() {
    let env = Env::new(state("live.json")).await;
    let out = apply(&env, "plan.json").await;
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    // 2 creates, 4 updates, 2 deletes: one request each.
    assert_eq!(env.writes(), 8, "{:?}", env.fake.requests());

    let app = &env.fake.state().apps[0];
    let version = app.app_store_versions.iter().find(|v| v.id == "v1").unwrap();
    assert_eq!(version.copyright.as_deref(), Some("2027 Example Inc."));
    assert!(version.localization("de-DE").is_none());
    let fr = version.localization("fr-FR").unwrap();
    assert_eq!(fr.attributes["description"].as_deref(), Some("Regarder des films."));
    let review = version.review_detail.as_ref().unwrap();
    assert_eq!(
        review.demo_account_password.as_deref(),
        Some("correct horse battery staple")
    );
    assert_eq!(review.demo_account_required, Some(true));
    let info = app.app_infos.iter().find(|i| i.id == "i1").unwrap();
    assert_eq!(info.secondary_category.as_deref(), Some("PHOTO_AND_VIDEO"));
    assert!(info.localizations.iter().any(|l| l.locale == "fr-FR"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v1_plan_file_with_a_blocked_change_sends_the_rest() {
    let env = Env::new(state("live-waiting.json")).await;
    let out = apply(&env, "plan-waiting.json").await;
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    // 5 requests; the blocked fr-FR version localization is never sent.
    assert_eq!(env.writes(), 5, "{:?}", env.fake.requests());
    let app = &env.fake.state().apps[0];
    let version = app.app_store_versions.iter().find(|v| v.id == "v1").unwrap();
    assert!(version.localization("fr-FR").is_none());
    let review = version.review_detail.as_ref().unwrap();
    assert_eq!(review.contact_first_name.as_deref(), Some("Jane"));
}
