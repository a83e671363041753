//! How the live state is read, at its floor whatever the number of locales
//! and the length of the app's history: `plan` looks the app up, then
//! reads the target version, whether it is the platform's first, and the
//! app infos in one parallel round (one round in all with `app_id` in
//! asc-sync.toml); `apply plan.json` reads again, by the ids its plan
//! recorded, only what it writes. Latency is injected, so the fake's log
//! shows which requests were in flight together.

use crate::harness::{Api, example_metadata};
use crate::support::{Env, drifted_state, example_state, stderr, stdout};
use asc_sync::fake::{FakeOptions, FaultConfig, LogEntry, State};
use asc_sync::live::{self, VersionSelector};
use serde_json::Value;

const BUNDLE: &str = "com.example.marquee";

fn slow() -> FaultConfig {
    FaultConfig {
        latency_ms: 150,
        ..Default::default()
    }
}

fn gets(env: &Env) -> Vec<LogEntry> {
    env.fake.requests().into_iter().filter(|e| e.method == "GET").collect()
}

fn ended(e: &LogEntry) -> f64 {
    e.started_ms + e.ms
}

/// Whether every request started before any of them ended: they were in
/// flight together, one round trip.
fn one_round(entries: &[LogEntry]) -> bool {
    let last_start = entries.iter().map(|e| e.started_ms).fold(f64::MIN, f64::max);
    let first_end = entries.iter().map(ended).fold(f64::MAX, f64::min);
    last_start < first_end
}

/// A request's query parameters, decoded.
fn query(e: &LogEntry) -> Vec<(String, String)> {
    serde_urlencoded::from_str(e.query.as_deref().unwrap_or("")).unwrap()
}

fn has(e: &LogEntry, name: &str) -> bool {
    query(e).iter().any(|(n, _)| n == name)
}

/// A line per request, for failure messages.
fn shown(entries: &[LogEntry]) -> String {
    entries
        .iter()
        .map(|e| {
            format!(
                "{} {}?{} at {:.0} ms for {:.0} ms",
                e.method,
                e.path,
                e.query.as_deref().unwrap_or(""),
                e.started_ms,
                e.ms
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// No request downloads versions with their localizations unless a filter
/// picks the version: the rest of the history is never read that way.
fn only_targeted_versions_carry_localizations(entries: &[LogEntry]) -> bool {
    entries
        .iter()
        .filter(|e| e.path.ends_with("/appStoreVersions"))
        .filter(|e| {
            query(e)
                .iter()
                .any(|(n, v)| n == "include" && v.contains("appStoreVersionLocalizations"))
        })
        .all(|e| has(e, "filter[appVersionState]") || has(e, "filter[versionString]") || has(e, "filter[id]"))
}

/// Writes `asc-sync.toml` in the test's folder.
fn config(env: &Env, text: &str) {
    std::fs::write(env.dir.path().join("asc-sync.toml"), text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_looks_the_app_up_then_reads_the_version_and_the_app_infos_in_one_parallel_round() {
    let env = Env::start(drifted_state(), slow()).await;
    let out = env.plan(&["--format", "json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = gets(&env);
    assert_eq!(log.len(), 4, "{}", shown(&log));
    let (lookup, round) = log.split_first().unwrap();
    assert_eq!(lookup.path, "/v1/apps");
    assert!(has(lookup, "filter[bundleId]"));
    assert!(
        round.iter().all(|e| e.started_ms >= ended(lookup)),
        "after the lookup:\n{}",
        shown(&log)
    );
    assert!(one_round(round), "in parallel:\n{}", shown(&log));
    let app = &example_state().apps[0].id;
    let mut paths: Vec<&str> = round.iter().map(|e| e.path.as_str()).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            format!("/v1/apps/{app}/appInfos"),
            format!("/v1/apps/{app}/appStoreVersions"),
            format!("/v1/apps/{app}/appStoreVersions"),
        ]
    );
    let first_two = round.iter().find(|e| has(e, "fields[appStoreVersions]")).unwrap();
    assert!(query(first_two).contains(&("limit".into(), "2".into())));
    assert!(!has(first_two, "include"));
    assert!(only_targeted_versions_carry_localizations(&log), "{}", shown(&log));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_app_id_in_asc_sync_toml_plan_reads_everything_in_one_round_trip() {
    let env = Env::start(drifted_state(), slow()).await;
    let metadata = example_metadata();
    let looked_up = env.plan(&["--format", "json"]).await;
    let app = &example_state().apps[0].id;
    config(
        &env,
        &format!("bundle_id = \"{BUNDLE}\"\napp_id = \"{app}\"\nmetadata_path = {metadata:?}\n"),
    );
    env.fake.reset_log();
    let out = env.run(&["plan", "--format", "json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = gets(&env);
    assert_eq!(log.len(), 4, "{}", shown(&log));
    assert!(log.iter().all(|e| e.path != "/v1/apps"), "no lookup:\n{}", shown(&log));
    assert!(log.iter().any(|e| e.path == format!("/v1/apps/{app}")));
    assert!(one_round(&log), "in parallel:\n{}", shown(&log));
    let changes = |out: &std::process::Output| serde_json::from_slice::<Value>(&out.stdout).unwrap()["changes"].clone();
    assert_eq!(changes(&out), changes(&looked_up), "the same plan");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_id_of_another_app_or_of_none_is_refused_before_anything_is_planned() {
    let mut state = example_state();
    let mut other = state.apps[0].clone();
    other.id = "other-app".into();
    other.bundle_id = "com.example.other".into();
    state.apps.push(other);
    let env = Env::new(state).await;
    let metadata = example_metadata();
    config(
        &env,
        &format!("bundle_id = \"{BUNDLE}\"\napp_id = \"other-app\"\nmetadata_path = {metadata:?}\n"),
    );
    let out = env.run(&["plan"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("app id 'other-app' is the app com.example.other, not com.example.marquee"),
        "{}",
        stderr(&out)
    );
    config(
        &env,
        &format!("bundle_id = \"{BUNDLE}\"\napp_id = \"404\"\nmetadata_path = {metadata:?}\n"),
    );
    let out = env.run(&["plan"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no app with id '404' (given for com.example.marquee)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.writes(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_existing_version_is_read_in_the_same_round_whatever_names_it() {
    let between = {
        let mut state = example_state();
        state.apps[0]
            .app_store_versions
            .retain(|v| v.app_version_state == "READY_FOR_DISTRIBUTION");
        state
    };
    for (state, version, note) in [
        (example_state(), "editable", None),
        (example_state(), "live", None),
        (example_state(), "1.1", None),
        (between, "editable", Some("compares the tree with version 1.0 on sale")),
    ] {
        let env = Env::start(state, slow()).await;
        let out = env.plan(&["--app-version", version]).await;
        assert_eq!(out.status.code(), Some(0), "{version}: {}", stderr(&out));
        if let Some(note) = note {
            assert!(stdout(&out).contains(note), "{}", stdout(&out));
        }
        let log = gets(&env);
        assert_eq!(log.len(), 4, "{version}:\n{}", shown(&log));
        assert!(one_round(&log[1..]), "{version}:\n{}", shown(&log));
        assert!(only_targeted_versions_carry_localizations(&log), "{}", shown(&log));
    }
}

/// The example app with `older` releases before 1.0, each with every
/// localization: a long history.
fn with_history(older: usize) -> State {
    let mut state = example_state();
    let app = &mut state.apps[0];
    let live = app.app_store_versions[0].clone();
    for i in 0..older {
        let mut v = live.clone();
        v.id = format!("old-{i:03}");
        v.version_string = format!("0.{i}");
        v.app_version_state = "REPLACED_WITH_NEW_VERSION".into();
        v.review_detail = None;
        for l in &mut v.localizations {
            l.id = String::new();
        }
        app.app_store_versions.push(v);
    }
    state.normalize().unwrap();
    state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_history_costs_no_request_and_almost_no_byte() {
    let mut read = Vec::new();
    for state in [example_state(), with_history(60)] {
        let api = Api::start(FakeOptions {
            state,
            ..Default::default()
        })
        .await;
        let client = api.client(|_| {});
        let live = live::fetch(
            &client,
            BUNDLE,
            asc_sync::model::Platform::Ios,
            &VersionSelector::Editable,
        )
        .await
        .unwrap();
        read.push((live, client.stats()));
    }
    let [(short, few), (long, many)] = &read[..] else {
        unreachable!()
    };
    assert_eq!(long.version, short.version, "the same version, read the same way");
    assert_eq!(many.requests, few.requests);
    let ratio = many.bytes_read as f64 / few.bytes_read as f64;
    assert!(
        ratio < 1.02,
        "{} bytes with 61 releases, {} with 1",
        many.bytes_read,
        few.bytes_read
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_of_a_saved_plan_reads_again_by_id_only_what_it_writes_in_one_round() {
    let env = Env::start(drifted_state(), slow()).await;
    let plan_path = env.dir.path().join("plan.json");
    let out = env.plan(&["--out", plan_path.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    let (version, info) = (&plan["source"]["version_id"], &plan["source"]["app_info_id"]);
    env.fake.reset_log();
    let applied = env.run(&["apply", plan_path.to_str().unwrap()]).await;
    assert_eq!(
        applied.status.code(),
        Some(0),
        "{}{}",
        stdout(&applied),
        stderr(&applied)
    );
    let log = gets(&env);
    let mut paths: Vec<String> = log.iter().map(|e| e.path.clone()).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            format!("/v1/appInfos/{}", info.as_str().unwrap()),
            format!("/v1/appStoreVersions/{}", version.as_str().unwrap()),
        ],
        "no lookup, no list of versions:\n{}",
        shown(&log)
    );
    assert!(one_round(&log), "in parallel:\n{}", shown(&log));
    let reads_end = log.iter().map(ended).fold(f64::MIN, f64::max);
    let requests = env.fake.requests();
    assert!(
        requests
            .iter()
            .filter(|e| e.method != "GET")
            .all(|e| e.started_ms >= reads_end),
        "the writes follow the reads:\n{}",
        shown(&requests)
    );
    assert_eq!(env.writes(), 4);

    // Only release notes changed: only the version is read again.
    let mut state = env.fake.state();
    let de = state.apps[0].app_store_versions[1].localization_mut("de-DE").unwrap();
    de.attributes
        .insert("whatsNew".into(), Some("Im Web bearbeitet".into()));
    env.fake.set_state(state);
    let out = env.plan(&["--out", plan_path.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    env.fake.reset_log();
    let applied = env.run(&["apply", plan_path.to_str().unwrap()]).await;
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    let log = gets(&env);
    assert_eq!(log.len(), 1, "{}", shown(&log));
    assert_eq!(
        log[0].path,
        format!("/v1/appStoreVersions/{}", version.as_str().unwrap())
    );
    assert_eq!(env.writes(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_that_creates_its_version_finds_the_app_by_the_id_it_recorded() {
    let mut state = example_state();
    state.apps[0]
        .app_store_versions
        .retain(|v| v.app_version_state == "READY_FOR_DISTRIBUTION");
    let env = Env::new(state).await;
    let plan_path = env.dir.path().join("plan.json");
    let out = env
        .plan(&["--app-version", "2.2", "--out", plan_path.to_str().unwrap()])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    env.fake.reset_log();
    let applied = env.run(&["apply", plan_path.to_str().unwrap()]).await;
    assert_eq!(
        applied.status.code(),
        Some(0),
        "{}{}",
        stdout(&applied),
        stderr(&applied)
    );
    let requests = env.fake.requests();
    assert!(
        requests.iter().all(|e| e.path != "/v1/apps"),
        "no lookup:\n{}",
        shown(&requests)
    );
    let created = env.fake.state().apps[0]
        .app_store_versions
        .iter()
        .any(|v| v.version_string == "2.2");
    assert!(created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_past_fifty_localizations_reads_the_paged_list_of_its_version() {
    let mut state = example_state();
    let version = &mut state.apps[0].app_store_versions[1];
    let template = version.localizations[0].clone();
    for i in 0..50 {
        let mut extra = template.clone();
        extra.id = String::new();
        extra.locale = format!("x-test-{i:02}");
        version.localizations.push(extra);
    }
    let en = version.localization_mut("en-US").unwrap();
    en.attributes
        .insert("keywords".into(), Some("edited,on,the,web".into()));
    state.normalize().unwrap();
    let env = Env::new(state).await;
    let plan_path = env.dir.path().join("plan.json");
    let out = env.plan(&["--out", plan_path.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    env.fake.reset_log();
    let applied = env.run(&["apply", plan_path.to_str().unwrap()]).await;
    assert_eq!(
        applied.status.code(),
        Some(0),
        "{}{}",
        stdout(&applied),
        stderr(&applied)
    );
    let log = gets(&env);
    assert_eq!(log.len(), 2, "the version, then its paged list:\n{}", shown(&log));
    assert!(log[1].path.ends_with("/appStoreVersionLocalizations"));
    assert_eq!(env.writes(), 1);
    let state = env.fake.state();
    let en = state.apps[0].app_store_versions[1].localization("en-US").unwrap();
    assert_ne!(en.attributes["keywords"].as_deref(), Some("edited,on,the,web"));
}
