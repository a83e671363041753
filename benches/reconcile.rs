//! plan and apply against the fake at 300 ms latency with 50 locales.
//!
//! `cargo bench --bench reconcile` prints, each against its floor in round
//! trips of 300 ms (the goal is 1.15 × the floor):
//! - `plan`: the app lookup, then one parallel round (floor 2), and with
//!   the app id known, one round (floor 1); at most 5 GETs;
//! - `apply plan.json` of 50 changed version localizations at concurrency
//!   8: one parallel re-read by id, then ceil(50/8) rounds of writes;
//! - the same change sent the way fastlane deliver sends it (every
//!   non-blank field of every locale, 10 at a time), as a baseline;
//! - writes when nothing changed; peak memory of the `plan` binary.
//!
//! Timings are the median of three runs. Only counts are asserted: wall
//! times are printed with their goal, never asserted.

mod against_fake;
mod common;

use against_fake::{BUNDLE, Bench, median_ms, tree_dir};
use asc_sync::apply::Remaining;
use asc_sync::fake::State;
use asc_sync::live::{AppRef, VersionSelector};
use asc_sync::model::Localization;
use asc_sync::plan::secret::DigestKey;
use asc_sync::plan::{DiffOptions, Plan, diff};
use asc_sync::tree::MetadataTree;
use std::sync::Arc;
use std::time::Instant;

const LATENCY_MS: u64 = 300;
const RUNS: usize = 3;
const CONCURRENCY: usize = 8;

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

/// The tree, the live state that drifted from it, and how to diff them.
struct Setup {
    tree: MetadataTree,
    drifted: State,
    key: Arc<DigestKey>,
    options: DiffOptions,
}

async fn run() {
    let root = tree_dir("reconcile-50", 50);
    let tree = asc_sync::tree::load_dir(&root, &Default::default()).tree;
    assert_eq!(tree.locales.len(), 50);
    let mut drifted = State::from_tree(&tree, BUNDLE, "IOS");
    // Drift: every version localization's description was edited on the web.
    for l in &mut drifted.apps[0].app_store_versions[1].localizations {
        l.attributes
            .insert("description".into(), Some("Edited on the web".into()));
    }
    let key = Arc::new(DigestKey::ephemeral());
    let options = DiffOptions {
        metadata_path: root.display().to_string(),
        key: Some(key.clone()),
        ..Default::default()
    };
    let setup = Setup {
        tree,
        drifted,
        key,
        options,
    };
    let bench = Bench::start(setup.drifted.clone(), LATENCY_MS).await;
    println!("50 locales, {LATENCY_MS} ms latency per request, median of {RUNS} runs:");
    let app_id = setup.drifted.apps[0].id.clone();
    let plan = plan_figure(&bench, &setup, None).await;
    plan_figure(&bench, &setup, Some(&app_id)).await;
    apply_figure(&bench, &setup, &plan).await;
    nothing_changed(&bench, &setup).await;
    deliver_baseline(&bench, &setup).await;
    match bench.plan_peak_rss(&root) {
        Some(Ok(mb)) => println!("  plan peak memory (max RSS of the asc-sync plan binary): {mb:.1} MB"),
        Some(Err(e)) => println!("  plan peak memory: not measured ({e})"),
        None => println!("  plan peak memory: /usr/bin/time not installed, not measured"),
    }
}

/// Prints a wall time against its floor of `floor` round trips.
fn against_floor(what: &str, ms: f64, floor: usize, detail: &str) {
    let ideal = (floor as u64 * LATENCY_MS) as f64;
    let ratio = ms / ideal;
    println!(
        "  {what}: {ms:>6.0} ms, {detail}; floor {floor} x {LATENCY_MS} = {ideal:.0} ms, ratio {ratio:.2} (goal 1.15: {})",
        if ratio <= 1.15 { "met" } else { "NOT met" }
    );
}

/// `1 round trip`, `8 round trips`.
fn rounds_text(n: usize) -> String {
    format!("{n} round trip{}", if n == 1 { "" } else { "s" })
}

/// `plan`: the live state read and diffed, by bundle id or by app id.
async fn plan_figure(bench: &Bench, setup: &Setup, app_id: Option<&str>) -> Plan {
    let app = AppRef {
        bundle_id: BUNDLE,
        app_id,
    };
    let mut runs = Vec::new();
    let mut planned = None;
    for _ in 0..RUNS {
        let client = bench.client(CONCURRENCY);
        bench.fake.reset_log();
        let started = Instant::now();
        let live = asc_sync::live::fetch_app(
            &client,
            &app,
            asc_sync::model::Platform::Ios,
            &VersionSelector::Editable,
        )
        .await
        .unwrap();
        let plan = diff(&setup.tree, &live, &setup.options);
        runs.push(started.elapsed());
        planned = Some(plan);
    }
    let (gets, rounds) = (bench.gets(), bench.rounds());
    assert!(gets <= 5, "plan sent {gets} GETs");
    let plan = planned.unwrap();
    assert_eq!(plan.summary.update, 50);
    let (what, floor) = match app_id {
        None => ("plan           ", 2),
        Some(_) => ("plan (app_id)  ", 1),
    };
    against_floor(
        what,
        median_ms(runs),
        floor,
        &format!("{gets} GETs in {}", rounds_text(rounds)),
    );
    plan
}

/// `apply plan.json`: the saved plan read back from its JSON, its
/// resources read again by id, what is not live yet written.
async fn apply_figure(bench: &Bench, setup: &Setup, plan: &Plan) {
    let saved = Plan::from_json(&plan.to_json(), "plan.json").unwrap();
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        bench.fake.set_state(setup.drifted.clone());
        let client = bench.client(CONCURRENCY);
        bench.fake.reset_log();
        let started = Instant::now();
        let live = asc_sync::apply::reread(&client, &saved).await.unwrap();
        let remaining = asc_sync::apply::remaining(&saved, &live, &setup.key).unwrap();
        let report = asc_sync::apply::execute(
            client,
            &saved,
            remaining,
            &setup.key,
            |_| {},
            &|_| {},
            &Default::default(),
        )
        .await;
        runs.push(started.elapsed());
        assert_eq!(report.summary.applied, 50);
    }
    let (gets, writes, rounds) = (bench.gets(), bench.writes(), bench.rounds());
    assert_eq!(writes, 50);
    let floor = 1 + 50usize.div_ceil(CONCURRENCY);
    let detail = format!(
        "{gets} GET{} and {writes} PATCHes at concurrency {CONCURRENCY} in {}",
        if gets == 1 { "" } else { "s" },
        rounds_text(rounds)
    );
    against_floor("apply plan.json", median_ms(runs), floor, &detail);
}

/// Plan again once applied, then apply that plan, saved and not: nothing
/// is written.
async fn nothing_changed(bench: &Bench, setup: &Setup) {
    let client = bench.client(CONCURRENCY);
    bench.fake.reset_log();
    let live = asc_sync::live::fetch(
        &client,
        BUNDLE,
        asc_sync::model::Platform::Ios,
        &VersionSelector::Editable,
    )
    .await
    .unwrap();
    let again = diff(&setup.tree, &live, &setup.options);
    assert!(!again.has_changes);
    let report = asc_sync::apply::execute(
        client.clone(),
        &again,
        Remaining::all(&again),
        &setup.key,
        |_| {},
        &|_| {},
        &Default::default(),
    )
    .await;
    assert!(report.results.is_empty());
    let live = asc_sync::apply::reread(&client, &again).await.unwrap();
    let remaining = asc_sync::apply::remaining(&again, &live, &setup.key).unwrap();
    assert!(remaining.to_send.is_empty());
    let writes = bench.writes();
    assert_eq!(writes, 0);
    println!("  nothing changed: {writes} writes (plan, then apply and apply plan.json)");
}

/// What deliver sends for the same change: every non-blank field of every
/// version and app-info localization, 10 at a time.
async fn deliver_baseline(bench: &Bench, setup: &Setup) {
    bench.fake.set_state(setup.drifted.clone());
    let b = bench.client(10);
    let live = asc_sync::live::fetch(&b, BUNDLE, asc_sync::model::Platform::Ios, &VersionSelector::Editable)
        .await
        .unwrap();
    bench.fake.reset_log();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (resource, locs) in [
        (Localization::Version, &live.version.localizations),
        (Localization::AppInfo, &live.app_info.as_ref().unwrap().localizations),
    ] {
        for (locale, loc) in locs.iter() {
            let values = &setup.tree.locales[&asc_sync::locale::Locale::exact(locale).unwrap()].fields;
            let attributes: serde_json::Map<String, serde_json::Value> = values
                .iter()
                .filter(|(f, v)| f.localization() == resource && !v.is_blank())
                .map(|(f, v)| (f.api_name().to_owned(), serde_json::Value::String(v.value.clone())))
                .collect();
            let body = serde_json::json!({"data": {"type": resource.kind().type_name(), "id": loc.id, "attributes": attributes}});
            let (b, path) = (b.clone(), format!("/v1/{}/{}", resource.kind(), loc.id));
            tasks.push(tokio::spawn(async move { b.patch(&path, &body).await.map(|_| ()) }));
        }
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    println!(
        "  deliver:          {:>6.0} ms, {} PATCHes at 10 threads (every non-blank field of every locale)",
        started.elapsed().as_secs_f64() * 1000.0,
        bench.writes()
    );
}
