//! What an app's history costs `plan`: 300 versions of 26 locales with
//! 4000-character descriptions against 2 versions of the same locales.
//!
//! `cargo bench --bench history` prints, for both apps, the bytes `plan`
//! reads (the client's count) and the peak memory (max RSS) of the real
//! `asc-sync plan` binary, measured with `/usr/bin/time`; goals: the 300
//! versions read at most 1.2 × the bytes of 2, and peak under 25 MB. For
//! scale it also prints what reading every version with its
//! localizations inline would download. Only counts are asserted.

mod against_fake;
mod common;

use against_fake::{BUNDLE, Bench, tree_dir};
use asc_sync::fake::State;
use asc_sync::live::VersionSelector;

const LOCALES: usize = 26;
const VERSIONS: usize = 300;

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

/// The version on sale and the one being prepared, after `older` releases
/// replaced long ago, each with every localization.
fn with_history(two: &State, older: usize) -> State {
    let mut state = two.clone();
    let app = &mut state.apps[0];
    let template = app.app_store_versions[0].clone();
    let mut versions = Vec::new();
    for i in 0..older {
        let mut v = template.clone();
        v.id = String::new();
        v.version_string = format!("0.{i}");
        v.app_version_state = "REPLACED_WITH_NEW_VERSION".into();
        v.review_detail = None;
        for l in &mut v.localizations {
            l.id = String::new();
        }
        versions.push(v);
    }
    versions.append(&mut app.app_store_versions);
    app.app_store_versions = versions;
    state.normalize().unwrap();
    state
}

/// What `plan` reads of one app: bytes and GETs in process, then the
/// binary's peak memory.
struct Read {
    bytes: u64,
    gets: u64,
    every_version_inline: u64,
    peak_mb: Option<Result<f64, String>>,
}

async fn read(state: State, metadata: &std::path::Path) -> Read {
    let bench = Bench::start(state, 0).await;
    let client = bench.client(8);
    asc_sync::live::fetch(
        &client,
        BUNDLE,
        asc_sync::model::Platform::Ios,
        &VersionSelector::Editable,
    )
    .await
    .unwrap();
    let stats = client.stats();
    let app_id = &bench.fake.state().apps[0].id;
    let inline = bench.client(8);
    inline
        .get_all(&format!(
            "/v1/apps/{app_id}/appStoreVersions?filter[platform]=IOS&include=appStoreVersionLocalizations,appStoreReviewDetail&limit[appStoreVersionLocalizations]=50&limit=200"
        ))
        .await
        .unwrap();
    Read {
        bytes: stats.bytes_read,
        gets: stats.requests,
        every_version_inline: inline.stats().bytes_read,
        peak_mb: bench.plan_peak_rss(metadata),
    }
}

async fn run() {
    let root = tree_dir("history-26", LOCALES);
    let tree = asc_sync::tree::load_dir(&root, &Default::default()).tree;
    assert_eq!(tree.locales.len(), LOCALES);
    let two = State::from_tree(&tree, BUNDLE, "IOS");
    assert_eq!(two.apps[0].app_store_versions.len(), 2);
    let long = with_history(&two, VERSIONS - 2);
    assert_eq!(long.apps[0].app_store_versions.len(), VERSIONS);
    println!("plan of an app with {LOCALES} locales, 4000-character descriptions:");
    let short = read(two, &root).await;
    let history = read(long, &root).await;
    assert_eq!(short.gets, history.gets, "the same requests");
    for (versions, r) in [(2, &short), (VERSIONS, &history)] {
        let peak = match &r.peak_mb {
            Some(Ok(mb)) => format!("{mb:.1} MB"),
            Some(Err(e)) => format!("not measured ({e})"),
            None => "not measured (/usr/bin/time not installed)".into(),
        };
        println!(
            "  {versions:>3} versions: {:>7} bytes in {} GETs, peak memory of the binary {peak} (the list of every version with its localizations inline alone: {} bytes)",
            r.bytes, r.gets, r.every_version_inline
        );
    }
    let ratio = history.bytes as f64 / short.bytes as f64;
    println!(
        "  bytes read, {VERSIONS} versions / 2: {ratio:.3} (goal at most 1.2: {})",
        if ratio <= 1.2 { "met" } else { "NOT met" }
    );
    if let Some(Ok(mb)) = history.peak_mb {
        println!(
            "  peak memory with {VERSIONS} versions: {mb:.1} MB (goal under 25 MB: {})",
            if mb < 25.0 { "met" } else { "NOT met" }
        );
    }
}
