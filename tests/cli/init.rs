//! init end to end: from an empty folder to a first "No changes" plan in
//! two commands, through the built binary and the fake over real HTTP.

use crate::support::{Env, example_state, stderr, stdout};
use asc_sync::fake::State;
use serde_json::Value;

const BUNDLE: &str = "com.example.marquee";

fn read(env: &Env, rel: &str) -> String {
    std::fs::read_to_string(env.dir.path().join(rel)).unwrap()
}

/// Gives every id in a state document a prefix, so a copied app has ids
/// of its own.
fn prefix_ids(v: &mut Value, prefix: &str) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(id)) = map.get_mut("id") {
                *id = format!("{prefix}{id}");
            }
            map.values_mut().for_each(|v| prefix_ids(v, prefix));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| prefix_ids(v, prefix)),
        _ => {}
    }
}

/// The example app and a second one whose bundle id starts the same way
/// (Apple's bundle id filter returns both for the first).
fn two_apps() -> State {
    let mut state = example_state();
    let mut widget = serde_json::to_value(&state.apps[0]).unwrap();
    prefix_ids(&mut widget, "w");
    widget["bundleId"] = format!("{BUNDLE}.widget").into();
    state.apps.push(serde_json::from_value(widget).unwrap());
    state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_in_an_empty_folder_then_plan_shows_no_changes() {
    let env = Env::start(example_state(), Default::default()).await;
    let out = env.run(&["init"]).await;
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let config = read(&env, "asc-sync.toml");
    for line in [
        "bundle_id = \"com.example.marquee\"",
        "platform = \"IOS\"",
        "metadata_path = \"fastlane/metadata\"",
    ] {
        assert!(config.contains(line), "{config}");
    }
    assert_eq!(
        read(&env, "fastlane/metadata/en-US/name.txt"),
        "Marquee: Movie Journal\n"
    );
    assert!(
        stdout(&out).contains("Next: `asc-sync plan` shows No changes"),
        "{}",
        stdout(&out)
    );

    let app_id = &env.fake.state().apps[0].id;
    assert!(config.contains(&format!("app_id = \"{app_id}\"")), "{config}");

    // With the app id written, the plan skips the app lookup.
    env.fake.reset_log();
    let plan = env.run(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(plan.status.code(), Some(0), "{}{}", stdout(&plan), stderr(&plan));
    assert!(stdout(&plan).contains("No changes"), "{}", stdout(&plan));
    assert!(
        env.fake.requests().iter().all(|r| r.path != "/v1/apps"),
        "{:?}",
        env.fake.requests()
    );
    assert_eq!(env.writes(), 0, "init only reads App Store Connect");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_refuses_to_overwrite_a_config_unless_forced() {
    let env = Env::start(example_state(), Default::default()).await;
    let path = env.dir.path().join("asc-sync.toml");
    std::fs::write(&path, "bundle_id = \"com.example.other\"\n").unwrap();
    let out = env.run(&["init", "--bundle-id", BUNDLE]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("already exists") && err.contains("--force"), "{err}");
    assert_eq!(read(&env, "asc-sync.toml"), "bundle_id = \"com.example.other\"\n");
    assert!(env.fake.requests().is_empty(), "refused before any request");

    let out = env
        .run(&["init", "--bundle-id", BUNDLE, "--force", "--metadata", "store/metadata"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(read(&env, "asc-sync.toml").contains("metadata_path = \"store/metadata\""));
    assert!(env.dir.path().join("store/metadata/de-DE/release_notes.txt").is_file());
    let plan = env.run(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(plan.status.code(), Some(0), "{}", stdout(&plan));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_several_apps_init_asks_which_and_matches_the_bundle_id_exactly() {
    let env = Env::start(two_apps(), Default::default()).await;
    let out = env.run(&["init"]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("sees 2 apps") && err.contains("com.example.marquee.widget") && err.contains("--bundle-id"),
        "{err}"
    );
    assert!(!env.dir.path().join("asc-sync.toml").exists());

    let out = env.run(&["init", "--bundle-id", BUNDLE]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(read(&env, "asc-sync.toml").contains("bundle_id = \"com.example.marquee\"\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_finds_the_platform_the_app_has_versions_for() {
    let mut state = example_state();
    for v in &mut state.apps[0].app_store_versions {
        v.platform = "MAC_OS".into();
    }
    let env = Env::start(state, Default::default()).await;
    let out = env.run(&["init", "--bundle-id", BUNDLE]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(read(&env, "asc-sync.toml").contains("platform = \"MAC_OS\""));
    let plan = env.run(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(plan.status.code(), Some(0), "{}", stdout(&plan));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_init_leaves_no_settings_file() {
    let env = Env::start(example_state(), Default::default()).await;
    let out = env.run(&["init", "--bundle-id", "com.example.nothing"]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("com.example.nothing"), "{err}");
    assert!(!env.dir.path().join("asc-sync.toml").exists());
}

/// Between releases there is no editable version: init takes the version
/// on sale, as plan does, and the next plan agrees with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn between_releases_init_pulls_the_version_on_sale() {
    let mut state = example_state();
    state.apps[0].app_store_versions[1].app_version_state = "WAITING_FOR_EXPORT_COMPLIANCE".into();
    let env = Env::start(state, Default::default()).await;
    let out = env.run(&["init"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(env.dir.path().join("asc-sync.toml").exists());
    let plan = env.run(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(plan.status.code(), Some(0), "{}", stdout(&plan));
}
