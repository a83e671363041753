//! Re-running an apply is safe: what is live already is counted, not sent
//! again. A plan applied twice writes nothing the second time, and an
//! apply killed midway is finished by the next run, each write landing
//! once.

use crate::support::{Env, drifted_state, stderr, stdout};
use asc_sync::fake::{FaultConfig, State};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The successful writes the fake logged, by method and path.
fn landed(env: &Env) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for e in env.fake.requests() {
        if e.method != "GET" && e.status.is_some_and(|s| s < 300) {
            *out.entry(format!("{} {}", e.method, e.path)).or_default() += 1;
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applying_the_same_plan_twice_writes_nothing_the_second_time() {
    let env = Env::new(drifted_state()).await;
    let plan = env.dir.path().join("plan.json");
    env.plan(&["--out", plan.to_str().unwrap()]).await;
    let first = env.run(&["apply", plan.to_str().unwrap()]).await;
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(env.writes(), 4);

    env.fake.reset_log();
    let again = env.run(&["apply", plan.to_str().unwrap()]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(env.writes(), 0, "nothing is sent twice");
    let out = stdout(&again);
    assert!(
        out.contains("Apply: 0 applied, 0 failed, 0 skipped, 4 already applied (0 requests, 0 attempts).")
            && out.contains("Already applied: every change of this plan is live; nothing was sent."),
        "{out}"
    );
    let json = env.run(&["apply", plan.to_str().unwrap(), "--format", "json"]).await;
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["summary"]["already_applied"], 4);
    assert!(
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "already_applied")
    );
}

/// The drift of the demo, and every description edited on the web too:
/// six changes, one request each.
fn much_drift() -> State {
    let mut state = drifted_state();
    for l in &mut state.apps[0].app_store_versions[1].localizations {
        l.attributes
            .insert("description".into(), Some(format!("Edited on the web ({})", l.locale)));
    }
    state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_killed_midway_is_finished_by_the_next_one_each_write_landing_once() {
    let slow = FaultConfig {
        latency_ms: 250,
        ..FaultConfig::default()
    };
    let env = Env::start(much_drift(), slow).await;
    let plan = env.dir.path().join("plan.json");
    let out = env.plan(&["--out", plan.to_str().unwrap(), "--format", "json"]).await;
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let planned = doc["summary"]["requests"].as_u64().unwrap() as usize;
    assert_eq!(planned, 6, "{doc}");

    env.fake.reset_log();
    let mut child = env
        .command(&["apply", plan.to_str().unwrap(), "--max-concurrency", "1"])
        .spawn()
        .unwrap();
    let started = Instant::now();
    while landed(&env).values().sum::<usize>() < 2 {
        assert!(started.elapsed() < Duration::from_secs(30), "the apply never wrote");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL: no cleanup, a write may be in flight
    child.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await; // let an in-flight write settle
    let before = landed(&env);
    let done: usize = before.values().sum();
    assert!((2..planned).contains(&done), "{before:?}");

    env.fake.reset_log();
    let rest = env.run(&["apply", plan.to_str().unwrap()]).await;
    assert_eq!(rest.status.code(), Some(0), "{}{}", stdout(&rest), stderr(&rest));
    let after = landed(&env);
    assert_eq!(
        after.values().sum::<usize>(),
        planned - done,
        "exactly the remaining writes"
    );
    assert!(
        after.keys().all(|k| !before.contains_key(k)),
        "{before:?} then {after:?}"
    );
    assert!(
        stdout(&rest).contains(&format!("{} already applied", done)),
        "{}",
        stdout(&rest)
    );
    // And the listing is the tree's now.
    let again = env.plan(&["--detailed-exitcode"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}
