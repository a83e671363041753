//! plan, apply and show end to end: the built binary against the fake over
//! real HTTP, with a live listing that drifted from metadata-example.

use crate::harness::example_metadata;
use crate::support::{BUNDLE, Env, drifted_state, example_state, stderr, stdout};
use asc_sync::fake::{FaultConfig, State};
use serde_json::Value;

fn planned(doc: &Value) -> Vec<String> {
    doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let attrs: Vec<&str> = c["attributes"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            format!(
                "{} {} {} [{}]{}",
                c["action"].as_str().unwrap(),
                c["resource_type"].as_str().unwrap(),
                c["locale"].as_str().unwrap_or("-"),
                attrs.join(","),
                if c["blocked"].is_null() { "" } else { " blocked" }
            )
        })
        .collect()
}

/// The localized values of the editable version and app info, by locale,
/// without ids: what "equal to the tree" means.
/// (which localization, its attributes) pairs.
type Values = Vec<(String, Vec<(String, Option<String>)>)>;

fn values(state: &State) -> Values {
    let app = &state.apps[0];
    let mut out = Vec::new();
    for l in &app.app_store_versions[1].localizations {
        out.push((
            format!("version {}", l.locale),
            l.attributes.clone().into_iter().collect(),
        ));
    }
    for l in &app.app_infos[1].localizations {
        out.push((format!("info {}", l.locale), l.attributes.clone().into_iter().collect()));
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_shows_exactly_the_drift_in_four_gets() {
    let env = Env::new(drifted_state()).await;
    let out = env.plan(&["--format", "json", "--detailed-exitcode"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["has_changes"], true);
    assert_eq!(
        planned(&doc),
        [
            "update appStoreVersionLocalizations de-DE [whatsNew]",
            "update appStoreVersionLocalizations en-US [keywords,promotionalText]",
            "create appStoreVersionLocalizations fr-FR [description,keywords,marketingUrl,supportUrl,whatsNew]",
            "create appInfoLocalizations fr-FR [name,privacyPolicyUrl,subtitle]",
        ]
    );
    assert_eq!(
        doc["summary"],
        serde_json::json!({"create": 2, "update": 2, "delete": 0, "blocked": 0, "requests": 4})
    );
    let en = &doc["changes"][1];
    assert_eq!(en["attributes"]["promotionalText"]["before"], "Edited on the web");
    assert!(en["id"].is_string());
    assert!(doc["changes"][2]["id"].is_null());
    assert_eq!(env.writes(), 0, "plan writes nothing");
    assert!(env.gets() <= 5, "plan used {} GETs", env.gets());
    assert_eq!(env.gets(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_makes_the_live_state_equal_the_tree_and_a_second_plan_is_empty() {
    let env = Env::new(drifted_state()).await;
    let out = env.apply(&[]).await;
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Apply: 4 applied, 0 failed, 0 skipped (4 requests"),
        "{}",
        stdout(&out)
    );
    assert_eq!(values(&env.fake.state()), values(&example_state()));

    env.fake.reset_log();
    let again = env.plan(&["--detailed-exitcode"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert!(
        stdout(&again).contains("No changes. The App Store matches"),
        "{}",
        stdout(&again)
    );
    assert_eq!(env.writes(), 0);
    let apply_again = env.apply(&[]).await;
    assert_eq!(apply_again.status.code(), Some(0));
    assert_eq!(env.writes(), 0, "nothing to write, nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_is_refused_when_a_planned_value_moved() {
    let env = Env::new(drifted_state()).await;
    let plan_path = env.dir.path().join("plan.json");
    let out = env.plan(&["--out", plan_path.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0));

    // Someone edits a planned attribute on the web.
    let mut state = env.fake.state();
    let en = state.apps[0].app_store_versions[1].localization_mut("en-US").unwrap();
    en.attributes.insert("keywords".into(), Some("edited,again".into()));
    env.fake.set_state(state);
    env.fake.reset_log();

    let apply = env.run(&["apply", plan_path.to_str().unwrap()]).await;
    assert_eq!(apply.status.code(), Some(4), "{}", stderr(&apply));
    let err = stderr(&apply);
    assert!(
        err.contains("stale") && err.contains("en-US keywords") && err.contains("edited,again"),
        "{err}"
    );
    assert_eq!(env.writes(), 0, "a stale plan writes nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_edit_the_plan_does_not_touch_does_not_block_it() {
    let env = Env::new(drifted_state()).await;
    let plan_path = env.dir.path().join("plan.json");
    env.plan(&["--out", plan_path.to_str().unwrap()]).await;
    let mut state = env.fake.state();
    let ja = state.apps[0].app_store_versions[1].localization_mut("ja").unwrap();
    ja.attributes
        .insert("promotionalText".into(), Some("ウェブで編集".into()));
    env.fake.set_state(state);

    let apply = env
        .run(&["apply", plan_path.to_str().unwrap(), "--format", "json"])
        .await;
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let report: Value = serde_json::from_slice(&apply.stdout).unwrap();
    assert_eq!(report["summary"]["applied"], 4);
    let state = env.fake.state();
    let ja = state.apps[0].app_store_versions[1].localization("ja").unwrap();
    assert_eq!(
        ja.attributes["promotionalText"].as_deref(),
        Some("ウェブで編集"),
        "the web edit is kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_failure_names_the_locale_and_applies_the_rest() {
    let state = drifted_state();
    let de_id = state.apps[0].app_store_versions[1]
        .localization("de-DE")
        .unwrap()
        .id
        .clone();
    // A fake that fails that one PATCH for good.
    let rule = format!("1 PATCH /v1/appStoreVersionLocalizations/{de_id}");
    let env = Env::start(
        state,
        FaultConfig {
            fail_5xx: Some(rule.parse().unwrap()),
            ..Default::default()
        },
    )
    .await;
    let plan_path = env.dir.path().join("plan.json");
    env.plan(&["--out", plan_path.to_str().unwrap()]).await;
    let apply = env.run(&["apply", plan_path.to_str().unwrap(), "--timeout", "3"]).await;
    assert_eq!(apply.status.code(), Some(3), "{}\n{}", stdout(&apply), stderr(&apply));
    let out = stdout(&apply);
    assert!(
        out.contains("FAILED   update appStoreVersionLocalizations de-DE (whatsNew)"),
        "{out}"
    );
    assert!(out.contains("3 applied, 1 failed"), "{out}");
    // What is left is only the failed change.
    let again = env.plan(&["--format", "json"]).await;
    let doc: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(planned(&doc), ["update appStoreVersionLocalizations de-DE [whatsNew]"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_409_the_plan_did_not_predict_is_reported_with_apples_words() {
    let env = Env::new(drifted_state()).await;
    let plan_path = env.dir.path().join("plan.json");
    env.plan(&["--out", plan_path.to_str().unwrap()]).await;
    // The version goes into review between plan and apply.
    let mut state = env.fake.state();
    state.apps[0].app_store_versions[1].app_version_state = "IN_REVIEW".into();
    env.fake.set_state(state);
    let apply = env
        .run(&["apply", plan_path.to_str().unwrap(), "--format", "json"])
        .await;
    assert_eq!(apply.status.code(), Some(3), "{}", stderr(&apply));
    let report: Value = serde_json::from_slice(&apply.stdout).unwrap();
    let failed: Vec<&Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "failed")
        .collect();
    assert!(!failed.is_empty());
    let e = &failed[0]["error"];
    assert_eq!(e["status"], 409);
    assert_eq!(e["code"], "STATE_ERROR");
    assert!(
        e["detail"].as_str().unwrap().contains("cannot be edited at this time")
            || e["detail"].as_str().unwrap().contains("cannot be created"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_fields_are_shown_and_never_sent() {
    // The version on sale drifted in description and promotional text:
    // only promotional text may change there.
    let mut state = example_state();
    let live = &mut state.apps[0].app_store_versions[0];
    let en = live.localization_mut("en-US").unwrap();
    en.attributes.insert("description".into(), Some("Edited".into()));
    en.attributes.insert("promotionalText".into(), Some("Old promo".into()));
    let env = Env::new(state).await;
    let plan = env.plan(&["--app-version", "live", "--format", "json"]).await;
    let doc: Value = serde_json::from_slice(&plan.stdout).unwrap();
    let rows = planned(&doc);
    assert!(
        rows.contains(&"update appStoreVersionLocalizations en-US [promotionalText]".to_owned()),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("en-US [description") && r.ends_with("blocked")),
        "{rows:?}"
    );
    let reason = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| !c["blocked"].is_null())
        .unwrap()["blocked"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(reason.contains("READY_FOR_DISTRIBUTION"), "{reason}");

    let apply = env
        .run(&[
            "apply",
            "--auto-approve",
            "--app-version",
            "live",
            "--bundle-id",
            BUNDLE,
            "--metadata",
            example_metadata().to_str().unwrap(),
        ])
        .await;
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let state = env.fake.state();
    let en = state.apps[0].app_store_versions[0].localization("en-US").unwrap();
    assert_eq!(
        en.attributes["description"].as_deref(),
        Some("Edited"),
        "blocked: never sent"
    );
    assert!(
        en.attributes["promotionalText"]
            .as_deref()
            .unwrap()
            .starts_with("New: shared watchlists")
    );
    assert!(
        env.fake.requests().iter().all(|e| e.status != Some(409)),
        "no refused request was sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_tree_stops_the_plan_before_any_request() {
    let env = Env::new(example_state()).await;
    let t = crate::harness::TempTree::new(&[("en-US/name.txt", "N".repeat(31).as_bytes()), ("nb/name.txt", b"x")]);
    let out = env
        .run(&[
            "plan",
            "--bundle-id",
            BUNDLE,
            "--metadata",
            t.metadata().to_str().unwrap(),
        ])
        .await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error[too-long]") && err.contains("error[unknown-folder]") && err.contains("nothing was sent"),
        "{err}"
    );
    assert!(env.fake.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_locales_needs_two_yeses() {
    let mut state = example_state();
    let mut it = state.apps[0].app_store_versions[1].localizations[0].clone();
    it.id = String::new();
    it.locale = "it".into();
    state.apps[0].app_store_versions[1].localizations.push(it);
    state.normalize().unwrap();
    let env = Env::new(state).await;
    let kept = env.plan(&[]).await;
    assert!(
        stdout(&kept).contains("it is live but not in the tree; it is kept (pass --allow-delete"),
        "{}",
        stdout(&kept)
    );
    let refused = env.plan(&["--allow-delete"]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("--allow-destructive"), "{}", stderr(&refused));
    let ok = env
        .plan(&["--allow-delete", "--allow-destructive", "--format", "json"])
        .await;
    let doc: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(doc["summary"]["delete"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_renders_a_saved_plan_and_refuses_other_versions() {
    let env = Env::new(drifted_state()).await;
    let plan_path = env.dir.path().join("plan.json");
    let text = env.plan(&["--out", plan_path.to_str().unwrap()]).await;
    let shown = env.run(&["show", plan_path.to_str().unwrap()]).await;
    assert_eq!(stdout(&shown), stdout(&text));
    let md = env
        .run(&["show", plan_path.to_str().unwrap(), "--format", "markdown"])
        .await;
    assert!(stdout(&md).contains("<details><summary>de-DE"), "{}", stdout(&md));
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    doc["format_version"] = 99.into();
    std::fs::write(&plan_path, doc.to_string()).unwrap();
    let refused = env.run(&["show", plan_path.to_str().unwrap()]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("format version 99"), "{}", stderr(&refused));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_without_a_plan_file_needs_approval_off_a_terminal() {
    let env = Env::new(drifted_state()).await;
    let out = env
        .run(&[
            "apply",
            "--bundle-id",
            BUNDLE,
            "--metadata",
            example_metadata().to_str().unwrap(),
        ])
        .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--auto-approve"), "{}", stderr(&out));
    assert_eq!(env.writes(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_any_output_even_at_the_most_verbose_level() {
    let env = Env::new(drifted_state()).await;
    let plan_path = env.dir.path().join("plan.json");
    let mut outputs = Vec::new();
    let mut cmd_out = env
        .plan(&["-vvv", "--out", plan_path.to_str().unwrap(), "--format", "json"])
        .await;
    outputs.push(std::mem::take(&mut cmd_out.stdout));
    outputs.push(std::mem::take(&mut cmd_out.stderr));
    let applied = {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_asc-sync"));
        cmd.current_dir(env.dir.path())
            .args(["apply", plan_path.to_str().unwrap(), "-vvv"])
            .env("RUST_LOG", "trace")
            .env("ASC_KEY_ID", &env.signer.kid)
            .env("ASC_ISSUER_ID", "57246542-96fe-1a63-e053-0824d011072a")
            .env("ASC_PRIVATE_KEY", &env.signer.private_pem)
            .env("ASC_API_BASE_URL", &env.fake.base_url);
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap()
    };
    assert_eq!(
        applied.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert!(
        String::from_utf8_lossy(&applied.stderr).contains("answered"),
        "trace logs were on"
    );
    outputs.push(applied.stdout);
    outputs.push(applied.stderr);
    outputs.push(std::fs::read(&plan_path).unwrap());
    let key_lines: Vec<&str> = env
        .signer
        .private_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    for out in &outputs {
        let text = String::from_utf8_lossy(out);
        // A JWT's header and claims both start "eyJ" ({"…): none may appear.
        assert!(!text.contains("eyJ"), "a token leaked: {text}");
        for line in &key_lines {
            assert!(!text.contains(line), "the private key leaked");
        }
        assert!(!text.contains("PRIVATE KEY"), "the private key leaked");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_editable_and_no_live_version_the_error_lists_the_versions_and_their_states() {
    let mut state = example_state();
    state.apps[0].app_store_versions[0].app_version_state = "REPLACED_WITH_NEW_VERSION".into();
    state.apps[0].app_store_versions[1].app_version_state = "WAITING_FOR_EXPORT_COMPLIANCE".into();
    let env = Env::new(state).await;
    let out = env.plan(&[]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no version is in an editable state and none is on sale") && err.contains("--app-version X.Y"),
        "{err}"
    );
    assert!(
        err.contains("1.0 (REPLACED_WITH_NEW_VERSION), 1.1 (WAITING_FOR_EXPORT_COMPLIANCE)"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_fifty_inline_localizations_the_paged_list_is_read() {
    let mut state = example_state();
    let template = state.apps[0].app_store_versions[1].localizations[0].clone();
    for i in 0..50 {
        let mut extra = template.clone();
        extra.id = String::new();
        extra.locale = format!("x-test-{i:02}");
        state.apps[0].app_store_versions[1].localizations.push(extra);
    }
    state.normalize().unwrap();
    let env = Env::new(state).await;
    let out = env.plan(&["--format", "json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = doc["notes"].as_array().unwrap();
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.as_str().unwrap().starts_with("x-test-"))
            .count(),
        50,
        "every live locale was seen"
    );
    assert_eq!(env.gets(), 5, "four GETs and one paged list");
    assert_eq!(doc["has_changes"], false);
}
