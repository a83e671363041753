//! `[release]` in asc-sync.toml: the release type, its date and the phased
//! release as reviewed plan lines, applied once, and nothing touched that
//! the settings leave out (fastlane deliver deletes a phased release on
//! every run that does not set one: fastlane #20737).

use crate::harness::example_metadata;
use crate::support::{BUNDLE, Env, example_state, stderr, stdout};
use asc_sync::fake::state::PhasedRelease;

fn config(env: &Env, release: &str) {
    let text = format!(
        "bundle_id = \"{BUNDLE}\"\nmetadata_path = \"{}\"\n\n[release]\n{release}\n",
        example_metadata().display()
    );
    std::fs::write(env.dir.path().join("asc-sync.toml"), text).unwrap();
}

/// The editable version of the example app in the fake.
fn editable(env: &Env) -> asc_sync::fake::state::Version {
    env.fake.state().apps[0]
        .app_store_versions
        .iter()
        .find(|v| v.app_version_state == "PREPARE_FOR_SUBMISSION")
        .unwrap()
        .clone()
}

#[tokio::test]
async fn release_type_and_phased_release_are_planned_applied_once_and_then_clean() {
    let env = Env::new(example_state()).await;
    config(&env, "release_type = \"after_approval\"\nphased_release = true");
    let plan = env.run(&["plan"]).await;
    assert!(plan.status.success(), "{}", stderr(&plan));
    let text = stdout(&plan);
    assert!(
        text.contains("releaseType: (unset) → \"AFTER_APPROVAL\"")
            || text.contains("releaseType: \"MANUAL\" → \"AFTER_APPROVAL\""),
        "{text}"
    );
    assert!(text.contains("+ phased release"), "{text}");
    let out = env.run(&["apply", "--auto-approve"]).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let v = editable(&env);
    assert_eq!(v.release_type.as_deref(), Some("AFTER_APPROVAL"));
    assert_eq!(v.phased_release.map(|p| p.state).as_deref(), Some("INACTIVE"));
    env.fake.reset_log();
    let again = env.run(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    let second = env.run(&["apply", "--auto-approve"]).await;
    assert!(second.status.success());
    assert_eq!(env.writes(), 0, "a second apply sends nothing");
}

#[tokio::test]
async fn a_phased_release_the_settings_leave_out_is_left_alone() {
    let mut state = example_state();
    for v in &mut state.apps[0].app_store_versions {
        if v.app_version_state == "PREPARE_FOR_SUBMISSION" {
            v.phased_release = Some(PhasedRelease {
                id: "phased-1".into(),
                state: "INACTIVE".into(),
            });
        }
    }
    let env = Env::new(state).await;
    config(&env, "release_type = \"manual\"");
    let out = env.run(&["apply", "--auto-approve"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(editable(&env).phased_release.is_some(), "deliver would have deleted it");
    assert!(
        env.fake.requests().iter().all(|r| !r.path.contains("PhasedRelease")),
        "not even read"
    );
}

#[tokio::test]
async fn phased_release_false_removes_one_not_started_and_is_blocked_once_it_started() {
    let mut state = example_state();
    for v in &mut state.apps[0].app_store_versions {
        if v.app_version_state == "PREPARE_FOR_SUBMISSION" {
            v.phased_release = Some(PhasedRelease {
                id: "phased-1".into(),
                state: "ACTIVE".into(),
            });
        }
    }
    let env = Env::new(state.clone()).await;
    config(&env, "phased_release = false");
    let plan = env.run(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(
        plan.status.code(),
        Some(2),
        "blocked is a difference: {}",
        stdout(&plan)
    );
    assert!(
        stdout(&plan).contains("one that has started cannot be removed"),
        "{}",
        stdout(&plan)
    );

    let mut inactive = state;
    for v in &mut inactive.apps[0].app_store_versions {
        if let Some(p) = &mut v.phased_release {
            p.state = "INACTIVE".into();
        }
    }
    env.fake.set_state(inactive);
    let out = env.run(&["apply", "--auto-approve"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(editable(&env).phased_release.is_none());
}

#[tokio::test]
async fn a_scheduled_release_needs_its_date_and_is_refused_before_any_request() {
    let env = Env::new(example_state()).await;
    config(&env, "release_type = \"scheduled\"");
    let out = env.run(&["plan"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("needs earliest_release_date"), "{}", stderr(&out));
    assert!(env.fake.requests().is_empty());

    config(
        &env,
        "release_type = \"scheduled\"\nearliest_release_date = \"2027-01-15T08:00:00Z\"",
    );
    let out = env.run(&["apply", "--auto-approve"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v = editable(&env);
    assert_eq!(v.release_type.as_deref(), Some("SCHEDULED"));
    assert_eq!(v.earliest_release_date.as_deref(), Some("2027-01-15T08:00:00Z"));
}

#[tokio::test]
async fn a_saved_plan_is_stale_when_the_release_type_moved_since() {
    let env = Env::new(example_state()).await;
    config(&env, "release_type = \"after_approval\"");
    let saved = env.run(&["plan", "--out", "plan.json"]).await;
    assert!(saved.status.success(), "{}", stderr(&saved));
    let mut state = env.fake.state();
    for v in &mut state.apps[0].app_store_versions {
        if v.app_version_state == "PREPARE_FOR_SUBMISSION" {
            v.release_type = Some("SCHEDULED".into());
        }
    }
    env.fake.set_state(state);
    let out = env.run(&["apply", "plan.json"]).await;
    assert_eq!(out.status.code(), Some(4), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("releaseType"), "{}", stderr(&out));
}

/// The example state with builds of the editable version's string.
fn with_builds(builds: &[(&str, &str, &str)]) -> asc_sync::fake::State {
    let mut state = example_state();
    let app = state.apps[0].id.clone();
    let version = state.apps[0]
        .app_store_versions
        .iter()
        .find(|v| v.app_version_state == "PREPARE_FOR_SUBMISSION")
        .unwrap()
        .version_string
        .clone();
    for (number, processing, uploaded) in builds {
        state.builds.push(asc_sync::fake::state::Build {
            id: format!("build-{number}"),
            app: app.clone(),
            version: (*number).into(),
            pre_release_version: version.clone(),
            platform: "IOS".into(),
            processing_state: (*processing).into(),
            uploaded_date: Some((*uploaded).into()),
            uses_non_exempt_encryption: Some(false),
            ..Default::default()
        });
    }
    state
}

#[tokio::test]
async fn the_latest_processed_build_is_attached_once() {
    let env = Env::new(with_builds(&[
        ("41", "VALID", "2026-12-01T10:00:00Z"),
        ("42", "VALID", "2026-12-02T10:00:00Z"),
    ]))
    .await;
    config(&env, "build = \"latest\"");
    let plan = env.run(&["plan"]).await;
    assert!(
        stdout(&plan).contains("~ build: (unset) → \"1.1 (42)\""),
        "{}{}",
        stdout(&plan),
        stderr(&plan)
    );
    let out = env.run(&["apply", "--auto-approve"]).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(editable(&env).build.as_deref(), Some("build-42"));
    env.fake.reset_log();
    let again = env.run(&["apply", "--auto-approve"]).await;
    assert!(again.status.success());
    assert_eq!(env.writes(), 0, "a second apply sends nothing");

    config(&env, "build = \"41\"");
    let out = env.run(&["apply", "--auto-approve"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(editable(&env).build.as_deref(), Some("build-41"));
}

#[tokio::test]
async fn a_build_still_processing_or_missing_is_shown_blocked_and_not_sent() {
    let env = Env::new(with_builds(&[("43", "PROCESSING", "2026-12-03T10:00:00Z")])).await;
    config(&env, "build = \"latest\"");
    let plan = env.run(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(plan.status.code(), Some(2), "{}", stdout(&plan));
    assert!(stdout(&plan).contains("is PROCESSING"), "{}", stdout(&plan));
    config(&env, "build = \"99\"");
    let plan = env.run(&["plan"]).await;
    assert!(
        stdout(&plan).contains("no build 99 of version 1.1"),
        "{}",
        stdout(&plan)
    );
    env.fake.reset_log();
    let out = env.run(&["apply", "--auto-approve"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        env.fake
            .requests()
            .iter()
            .all(|r| !r.path.ends_with("relationships/build"))
    );
}

#[tokio::test]
async fn what_to_test_is_written_for_the_build_in_every_locale_of_the_tree() {
    let env = Env::new(with_builds(&[("42", "VALID", "2026-12-02T10:00:00Z")])).await;
    // A copy of the example tree, with testflight/ beside its metadata.
    let root = env.dir.path().join("fastlane");
    crate::harness::copy_tree(&example_metadata(), &root.join("metadata"));
    let write = |rel: &str, text: &str| {
        let path = root.join("testflight").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("default/what_to_test.txt", "Try the shared watchlists.\n");
    write("de-DE/what_to_test.txt", "Probiert die geteilten Merklisten aus.\n");
    let text =
        format!("bundle_id = \"{BUNDLE}\"\nmetadata_path = \"fastlane/metadata\"\n\n[release]\nbuild = \"latest\"\n");
    std::fs::write(env.dir.path().join("asc-sync.toml"), text).unwrap();
    let plan = env.run(&["plan"]).await;
    let said = stdout(&plan);
    assert!(
        said.contains("+ What to Test (de-DE): (unset) → \"Probiert die geteilten Merklisten aus.\""),
        "{said}{}",
        stderr(&plan)
    );
    assert!(
        said.contains("+ What to Test (en-US): (unset) → \"Try the shared watchlists.\""),
        "{said}"
    );
    let out = env.run(&["apply", "--auto-approve"]).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let build = env.fake.state().builds[0].clone();
    let locales: Vec<&str> = build.localizations.iter().map(|l| l.locale.as_str()).collect();
    let tree_locales = asc_sync::tree::load_dir(&example_metadata(), &Default::default())
        .tree
        .locales
        .len();
    assert_eq!(locales.len(), tree_locales, "every locale of the tree: {locales:?}");
    env.fake.reset_log();
    let again = env.run(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));

    write("de-DE/what_to_test.txt", "Neu: geteilte Merklisten.\n");
    let out = env.run(&["apply", "--auto-approve"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let build = env.fake.state().builds[0].clone();
    let de = build.localizations.iter().find(|l| l.locale == "de-DE").unwrap();
    assert_eq!(de.whats_new.as_deref(), Some("Neu: geteilte Merklisten."));
}

#[tokio::test]
async fn the_build_joins_the_named_testflight_groups_once_and_an_unknown_name_is_blocked() {
    let mut state = with_builds(&[("42", "VALID", "2026-12-02T10:00:00Z")]);
    let app = state.apps[0].id.clone();
    for (id, name, builds) in [
        ("g-ext", "External Beta", vec![]),
        ("g-int", "Internal", vec!["build-42".to_owned()]),
    ] {
        state.beta_groups.push(asc_sync::fake::state::BetaGroup {
            id: id.into(),
            app: app.clone(),
            name: name.into(),
            is_internal_group: name == "Internal",
            builds,
        });
    }
    let env = Env::new(state).await;
    config(
        &env,
        "build = \"latest\"\nbeta_groups = [\"External Beta\", \"Internal\", \"Nope\"]",
    );
    let plan = env.run(&["plan", "--detailed-exitcode"]).await;
    let said = stdout(&plan);
    assert_eq!(plan.status.code(), Some(2), "{said}");
    assert!(said.contains("+ build → TestFlight group \"External Beta\""), "{said}");
    assert!(!said.contains("group \"Internal\""), "it has the build already: {said}");
    assert!(
        said.contains("no TestFlight group named \"Nope\"; it has External Beta, Internal"),
        "{said}"
    );
    let out = env.run(&["apply", "--auto-approve"]).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let groups = env.fake.state().beta_groups;
    assert_eq!(groups[0].builds, ["build-42"]);
    env.fake.reset_log();
    let again = env.run(&["apply", "--auto-approve"]).await;
    assert!(again.status.success());
    assert_eq!(env.writes(), 0, "a second apply sends nothing");
}
