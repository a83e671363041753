//! Loading and validating a 50-locale tree with 4000-character
//! descriptions: every App Store locale, every file, realistic sizes.
//!
//! `cargo bench --bench load_validate` runs it and leaves the tree in
//! `target/bench-trees/50-locales/metadata`, so peak memory can be measured
//! on the real binary:
//! `/usr/bin/time -v target/release/asc-sync validate --metadata target/bench-trees/50-locales/metadata`.

use asc_sync::fields::Field;
use asc_sync::locale;
use asc_sync::tree::{self, LoadOptions};
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::{Path, PathBuf};

fn text(chars: usize, seed: usize) -> String {
    let words = [
        "Marquee",
        "films",
        "journal",
        "détails",
        "映画",
        "كتاب",
        "watchlist",
        "über",
        "rate",
        "log",
    ];
    let mut s = String::new();
    let mut i = seed;
    while s.chars().count() < chars {
        s.push_str(words[i % words.len()]);
        s.push(if i % 11 == 10 { '\n' } else { ' ' });
        i += 1;
    }
    s.chars().take(chars).collect::<String>().trim_end().to_owned() + "\n"
}

/// Writes the tree once and returns its metadata folder.
fn tree() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-trees/50-locales/metadata");
    if root.join("zh-Hant/description.txt").exists() {
        return root;
    }
    for (i, code) in locale::ALL.iter().enumerate() {
        let dir = root.join(code);
        std::fs::create_dir_all(&dir).unwrap();
        for field in Field::ALL {
            let value = match field {
                Field::Description | Field::WhatsNew => text(4000, i),
                Field::Keywords => "movies,film,diary,watchlist,cinema,reviews,tracker".to_owned(),
                Field::PromotionalText => text(170, i),
                Field::Name => "Marquee: Movie Journal".to_owned(),
                Field::Subtitle => "Log films, rate, remember".to_owned(),
                Field::PrivacyPolicyText => text(500, i),
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
