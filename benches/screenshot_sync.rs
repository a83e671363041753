//! Screenshots planned and applied against the fake at 200 ms latency:
//! 10 locales × 2 slots × 8 images (160 images of about 375 KB, 60 MB).
//!
//! `cargo bench --bench screenshot_sync` prints, each against its floor
//! in round trips of 200 ms:
//! - `plan` with nothing changed: the app lookup, the version round, then
//!   one round of set reads (10 GETs at concurrency 8: 2 rounds); 0 writes;
//! - `apply` of one changed image (the first of a set, so the order
//!   changes too): reserve, 1 part, commit, polls, 1 delete, 1 reorder;
//! - `apply` of all 160 images new: wall time and MB/s, and the peak
//!   memory of the real binary;
//! - a second apply with nothing changed: 0 writes.
//!
//! Only counts are asserted; wall times are printed with their goal.

mod against_fake;
mod common;

use against_fake::{BUNDLE, Bench, median_ms, tree_dir};
use asc_sync::apply::Remaining;
use asc_sync::fake::State;
use asc_sync::live::VersionSelector;
use asc_sync::plan::media::{DesiredMedia, desired, diff, reads};
use asc_sync::plan::secret::DigestKey;
use asc_sync::targeting::Targeting;
use asc_sync::tree::assets::{AssetOptions, load};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

const LATENCY_MS: u64 = 200;
const CONCURRENCY: usize = 8;
const LOCALES: usize = 10;
const PER_SLOT: usize = 8;
const IMAGE_BYTES: usize = 375_000;
const RUNS: usize = 3;

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

/// A PNG header of `width × height` padded with incompressible bytes to
/// `size` (a text chunk), distinct by `seed`.
fn png(width: u32, height: u32, size: usize, seed: u64) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(kind);
        out.extend(data);
        out.extend([0, 0, 0, 0]);
    };
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let padding: Vec<u8> = (0..size.saturating_sub(60))
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    chunk(&mut out, b"tEXt", &padding);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The screenshots tree: per locale, 8 iPhone 6.9" and 8 iPad 13" images.
fn screenshots_dir(codes: &[&str]) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-trees/screenshots-160/screenshots");
    for (l, code) in codes.iter().enumerate() {
        let dir = root.join(code);
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..PER_SLOT {
            let seed = (l * 100 + i) as u64;
            std::fs::write(dir.join(format!("iphone_{i}.png")), png(1290, 2796, IMAGE_BYTES, seed)).unwrap();
            std::fs::write(
                dir.join(format!("ipad_{i}.png")),
                png(2064, 2752, IMAGE_BYTES, seed + 50),
            )
            .unwrap();
        }
    }
    root
}

fn desired_of(root: &Path) -> DesiredMedia {
    let (assets, findings) = load(&AssetOptions {
        screenshots: root.to_owned(),
        app_previews: root.join("none"),
        ..Default::default()
    });
    assert!(findings.iter().all(|f| !f.is_error()), "{findings:?}");
    desired(&assets).unwrap()
}

async fn run() {
    let metadata = tree_dir("screenshots-160", LOCALES);
    let codes: Vec<&str> = asc_sync::locale::ALL[..LOCALES].to_vec();
    let shots = screenshots_dir(&codes);
    let tree = asc_sync::tree::load_dir(&metadata, &Default::default()).tree;
    let empty = State::from_tree(&tree, BUNDLE, "IOS");
    let bench = Bench::start_with(empty.clone(), LATENCY_MS, 0).await;
    let key = Arc::new(DigestKey::ephemeral());
    let all = Targeting::default();
    let desired = desired_of(&shots);
    let megabytes = desired.values().flatten().map(|f| f.file_size).sum::<u64>() as f64 / 1e6;
    println!(
        "{LOCALES} locales × 2 slots × {PER_SLOT} images ({megabytes:.0} MB), {LATENCY_MS} ms latency, concurrency {CONCURRENCY}:"
    );

    // All 160 new: one apply from an empty listing.
    let plan_of = |client: Arc<asc_sync::client::Client>| {
        let (tree, desired, all) = (&tree, &desired, &all);
        async move {
            let live = asc_sync::live::fetch(
                &client,
                BUNDLE,
                asc_sync::model::Platform::Ios,
                &VersionSelector::Editable,
            )
            .await
            .unwrap();
            let mut plan = asc_sync::plan::diff(tree, &live, &Default::default());
            let media = asc_sync::live::media::fetch(&client, &reads(desired, &live, all))
                .await
                .unwrap();
            let changes = diff(desired, &live, &media, &Default::default(), all);
            plan.set_media(changes, false);
            plan
        }
    };
    let client = bench.client(CONCURRENCY);
    let plan = plan_of(client.clone()).await;
    assert_eq!(plan.summary.media.as_ref().unwrap().upload, 160);
    bench.fake.reset_log();
    let started = Instant::now();
    let report = asc_sync::apply::execute(
        client,
        &plan,
        Remaining::all(&plan),
        &key,
        |_| {},
        &|_| {},
        &Default::default(),
    )
    .await;
    let took = started.elapsed().as_secs_f64();
    assert_eq!(report.summary.failed, 0, "{:?}", report.media);
    // Per image: reserve, part, commit, ≥1 poll; sets first, 20 of them.
    let per_image_rounds = 4.0;
    let floor = (1.0 + 160.0 * per_image_rounds / CONCURRENCY as f64) * LATENCY_MS as f64 / 1000.0;
    println!(
        "  apply, all 160 new: {took:.1} s, {:.1} MB/s; {} requests; floor (1 + 160 × 4 / {CONCURRENCY}) round trips = {floor:.1} s, ratio {:.2}",
        megabytes / took,
        bench.fake.requests().len(),
        took / floor
    );
    let uploaded = bench.fake.state();

    // Nothing changed: plan reads, no write.
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        bench.fake.reset_log();
        let started = Instant::now();
        let plan = plan_of(bench.client(CONCURRENCY)).await;
        runs.push(started.elapsed());
        assert!(!plan.has_changes, "{:?}", plan.media);
    }
    let (gets, rounds, writes) = (bench.gets(), bench.rounds(), bench.writes());
    assert_eq!(writes, 0);
    let floor = 2 + LOCALES.div_ceil(CONCURRENCY);
    let ms = median_ms(runs);
    println!(
        "  plan, nothing changed: {ms:.0} ms, {gets} GETs in {rounds} round trips, {writes} writes; floor {floor} × {LATENCY_MS} = {} ms, ratio {:.2} (goal 1.15)",
        floor as u64 * LATENCY_MS,
        ms / (floor as u64 * LATENCY_MS) as f64
    );

    // A second apply with nothing changed.
    bench.fake.reset_log();
    let client = bench.client(CONCURRENCY);
    let again = plan_of(client.clone()).await;
    let report = asc_sync::apply::execute(
        client,
        &again,
        Remaining::all(&again),
        &key,
        |_| {},
        &|_| {},
        &Default::default(),
    )
    .await;
    assert!(report.media.is_empty());
    println!("  second apply, nothing changed: {} writes", bench.writes());

    // One image changed: the first of en's iPhone set.
    let changed = shots.join(codes[0]).join("iphone_0.png");
    let original = std::fs::read(&changed).unwrap();
    std::fs::write(&changed, png(1290, 2796, IMAGE_BYTES, 9_999)).unwrap();
    let one = desired_of(&shots);
    let mut runs = Vec::new();
    let mut kinds = String::new();
    for _ in 0..RUNS {
        bench.fake.set_state(uploaded.clone());
        let client = bench.client(CONCURRENCY);
        let live = asc_sync::live::fetch(
            &client,
            BUNDLE,
            asc_sync::model::Platform::Ios,
            &VersionSelector::Editable,
        )
        .await
        .unwrap();
        let mut plan = asc_sync::plan::diff(&tree, &live, &Default::default());
        let media = asc_sync::live::media::fetch(&client, &reads(&one, &live, &all))
            .await
            .unwrap();
        plan.set_media(diff(&one, &live, &media, &Default::default(), &all), false);
        bench.fake.reset_log();
        let started = Instant::now();
        let report = asc_sync::apply::execute(
            client,
            &plan,
            Remaining::all(&plan),
            &key,
            |_| {},
            &|_| {},
            &Default::default(),
        )
        .await;
        runs.push(started.elapsed());
        assert_eq!(report.summary.applied, 1);
        kinds = bench
            .fake
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path.split('/').nth(2).unwrap_or("")))
            .collect::<Vec<_>>()
            .join(", ");
    }
    std::fs::write(&changed, original).unwrap();
    // reserve, part, commit, the first poll after 200 ms, delete, reorder.
    let floor_ms = 6 * LATENCY_MS + 200;
    let ms = median_ms(runs);
    println!(
        "  apply, one image changed: {ms:.0} ms ({kinds}); floor 6 round trips + the first poll's 200 ms wait = {floor_ms} ms, ratio {:.2} (goal 1.2)",
        ms / floor_ms as f64
    );

    // Peak memory of the real binary applying all 160 new.
    bench.fake.set_state(empty);
    match bench.apply_peak_rss(&metadata, &shots) {
        Some(Ok(mb)) => {
            println!("  apply of all 160 new: peak memory (max RSS of the asc-sync binary) {mb:.1} MB (goal < 64 MB)")
        }
        Some(Err(e)) => println!("  apply peak memory: not measured ({e})"),
        None => println!("  apply peak memory: /usr/bin/time not installed, not measured"),
    }
}
