//! Which version a run targets when the one asked for is not there:
//! between releases (no version editable) the plan checks the live
//! version and counts every blocked difference as drift; a version
//! string that does not exist is created (or the editable version
//! renamed, as deliver does), and its localizations follow in one apply.

use crate::support::{Env, example_state, stderr, stdout};
use asc_sync::fake::State;
use serde_json::Value;

/// Between releases: only the version on sale, and the live app info.
fn between_releases() -> State {
    let mut state = example_state();
    let app = &mut state.apps[0];
    app.app_store_versions
        .retain(|v| v.app_version_state == "READY_FOR_DISTRIBUTION");
    app.app_infos.retain(|i| i.state == "READY_FOR_DISTRIBUTION");
    state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn between_releases_blocked_drift_is_counted_and_fails_a_detailed_exitcode_check() {
    let mut state = between_releases();
    for l in &mut state.apps[0].app_store_versions[0].localizations {
        l.attributes
            .insert("description".into(), Some("Edited on the web".into()));
    }
    let env = Env::new(state).await;
    let out = env.plan(&["--detailed-exitcode"]).await;
    assert_eq!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("No IOS version is editable") && text.contains("compares the tree with version 1.0 on sale"),
        "{text}"
    );
    assert!(
        text.contains("Plan: 0 to create, 0 to update, 0 to delete, 5 blocked (0 requests)."),
        "{text}"
    );
    assert!(!text.contains("No changes"), "{text}");
    // Only promotional text can still change: drift there is planned.
    let mut state = env.fake.state();
    let en = state.apps[0].app_store_versions[0].localization_mut("en-US").unwrap();
    en.attributes.insert("promotionalText".into(), Some("Edited".into()));
    env.fake.set_state(state);
    let json = env.plan(&["--format", "json"]).await;
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["summary"]["update"], 1, "{doc}");
    assert_eq!(doc["summary"]["blocked"], 5);
    assert_eq!(env.writes(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_that_does_not_exist_is_created_with_its_localizations_in_one_apply() {
    let env = Env::new(between_releases()).await;
    let plan = env.dir.path().join("plan.json");
    let out = env
        .plan(&["--app-version", "2.2", "--out", plan.to_str().unwrap()])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("com.example.marquee: IOS version 2.2 (to be created)"),
        "{text}"
    );
    assert!(
        text.contains("+ create appStoreVersions") && text.contains("+ versionString: (unset) → \"2.2\""),
        "{text}"
    );
    assert!(
        text.contains("apply creates it, then writes its localizations in the same run"),
        "{text}"
    );
    assert_eq!(env.writes(), 0);

    let applied = env.run(&["apply", plan.to_str().unwrap()]).await;
    assert_eq!(
        applied.status.code(),
        Some(0),
        "{}{}",
        stdout(&applied),
        stderr(&applied)
    );
    let state = env.fake.state();
    let version = state.apps[0]
        .app_store_versions
        .iter()
        .find(|v| v.version_string == "2.2")
        .expect("created");
    assert_eq!(version.app_version_state, "PREPARE_FOR_SUBMISSION");
    let mut locales: Vec<&str> = version.localizations.iter().map(|l| l.locale.as_str()).collect();
    locales.sort();
    assert_eq!(locales, ["ar-SA", "de-DE", "en-US", "fr-FR", "ja"]);
    let en = version.localization("en-US").unwrap();
    assert!(en.attributes["whatsNew"].is_some(), "{en:?}");
    assert!(version.review_detail.is_some());
    let posts = env
        .fake
        .requests()
        .iter()
        .filter(|e| e.method == "POST" && e.path == "/v1/appStoreVersions")
        .count();
    assert_eq!(posts, 1);

    // A second run finds everything live; a new plan finds nothing.
    env.fake.reset_log();
    let again = env.run(&["apply", plan.to_str().unwrap()]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(env.writes(), 0);
    assert!(stdout(&again).contains("Already applied"), "{}", stdout(&again));
    let fresh = env.plan(&["--app-version", "2.2", "--format", "json"]).await;
    let doc: Value = serde_json::from_slice(&fresh.stdout).unwrap();
    assert_eq!(doc["summary"]["requests"], 0, "{doc}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editable_version_is_renamed_to_the_asked_version_as_deliver_does() {
    let env = Env::new(example_state()).await;
    let out = env
        .run(&[
            "apply",
            "--auto-approve",
            "--bundle-id",
            "com.example.marquee",
            "--metadata",
            crate::harness::example_metadata().to_str().unwrap(),
            "--app-version",
            "1.2",
        ])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the editable version 1.1 is renamed to 1.2")
            && stderr(&out).contains("~ versionString: \"1.1\" → \"1.2\""),
        "{}",
        stderr(&out)
    );
    let state = env.fake.state();
    let strings: Vec<&str> = state.apps[0]
        .app_store_versions
        .iter()
        .map(|v| v.version_string.as_str())
        .collect();
    assert_eq!(strings, ["1.0", "1.2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_lower_than_the_live_one_is_refused_before_any_write() {
    let env = Env::new(between_releases()).await;
    let out = env.plan(&["--app-version", "0.9"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("there is no version 0.9, and it cannot be created")
            && stderr(&out).contains("higher than 1.0"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.writes(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_refuses_a_second_version_in_progress_and_a_used_version_string() {
    let env = Env::new(example_state()).await;
    let client = asc_sync::client::Client::new(
        &env.signer.credentials(),
        asc_sync::client::ClientOptions {
            base_url: Some(env.fake.base_url.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let post = |body: Value| {
        let client = &client;
        async move {
            client
                .create("/v1/appStoreVersions", &body, || async { Ok(None) })
                .await
        }
    };
    let body = |version: &str| {
        serde_json::json!({"data": {"type": "appStoreVersions",
            "attributes": {"platform": "IOS", "versionString": version},
            "relationships": {"app": {"data": {"type": "apps", "id": env.fake.state().apps[0].id}}}}})
    };
    let in_progress = post(body("1.2")).await.unwrap_err();
    let api = in_progress.api().expect("Apple's error");
    assert_eq!(api.status, 409);
    assert_eq!(api.errors[0].code, "ENTITY_ERROR.RELATIONSHIP.INVALID");
    let used = post(body("1.1")).await.unwrap_err();
    let codes: Vec<&str> = used.api().unwrap().errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE"
        ]
    );
}
