//! Loading and validating a 50-locale tree with 4000-character
//! descriptions: every App Store locale, every file, realistic sizes.
//!
//! `cargo bench --bench load_validate` runs it and leaves the tree in
//! `target/bench-trees/50-locales/metadata`, so peak memory can be measured
//! on the real binary:
//! `/usr/bin/time -v target/release/asc-sync validate --metadata target/bench-trees/50-locales/metadata`.

mod common;
use common::text;

use asc_sync::locale;
use asc_sync::model::Field;
use asc_sync::tree::{self, LoadOptions};
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::{Path, PathBuf};
use strum::IntoEnumIterator;

/// Writes the tree once and returns its metadata folder.
fn tree() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-trees/50-locales/metadata");
    // A tree written before the privacy text was made one line is written again.
    let privacy = std::fs::read_to_string(root.join("zh-Hant/apple_tv_privacy_policy.txt")).unwrap_or_default();
    if root.join("zh-Hant/description.txt").exists() && privacy.lines().count() == 1 {
        return root;
    }
    for (i, code) in locale::ALL.iter().enumerate() {
        let dir = root.join(code);
        std::fs::create_dir_all(&dir).unwrap();
        for field in Field::iter() {
            let value = match field {
                Field::Description | Field::WhatsNew => text(4000, i) + "\n",
                Field::Keywords => "movies,film,diary,watchlist,cinema,reviews,tracker".to_owned(),
                Field::PromotionalText => text(170, i) + "\n",
                Field::Name => "Marquee: Movie Journal".to_owned(),
                Field::Subtitle => "Log films, rate, remember".to_owned(),
                // One line: Apple refuses line breaks in the Apple TV privacy policy.
                Field::PrivacyPolicyText => text(500, i).replace('\n', " ") + "\n",
                _ => format!("https://marquee.example.com/{code}/{}", field.api_name()),
            };
            std::fs::write(dir.join(field.file_name()), value).unwrap();
        }
    }
    root
}

fn bench(c: &mut Criterion) {
    let root = tree();
    let options = LoadOptions::default();
    let loaded = tree::load_dir(&root, &options);
    let findings = asc_sync::validate::validate(&loaded.tree);
    assert_eq!(loaded.tree.locales.len(), 50);
    assert!(
        !loaded.has_errors() && findings.is_empty(),
        "{:?} {:?}",
        loaded.findings,
        findings
    );
    c.bench_function("load+validate 50 locales x 11 files", |b| {
        b.iter(|| {
            let loaded = tree::load_dir(&root, &options);
            let findings = asc_sync::validate::validate(&loaded.tree);
            std::hint::black_box((loaded, findings))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
