//! Reading and checking a screenshots tree: 10 locales × 2 slots × 8
//! images (160 files of 150-250 KB), headers only.
//!
//! `cargo bench --bench screenshots` runs it and leaves the tree in
//! `target/bench-trees/screenshots/` (`metadata/` with `screenshots/`
//! beside it), so the whole command can be timed on the real binary:
//! `/usr/bin/time -v target/release/asc-sync validate --metadata target/bench-trees/screenshots/metadata`.

use asc_sync::tree::assets::{AssetOptions, load};
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::{Path, PathBuf};

const LOCALES: [&str; 10] = [
    "en-US", "de-DE", "fr-FR", "es-ES", "it", "ja", "ko", "pt-BR", "zh-Hans", "nl-NL",
];

/// A PNG of `width × height` padded to `bytes` with a text chunk: the
/// header is real, the rest is what a reader must not read.
fn png(width: u32, height: u32, bytes: usize, tag: &str) -> Vec<u8> {
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
    let mut text = format!("Comment\0{tag}").into_bytes();
    text.resize(bytes, b'.');
    chunk(&mut out, b"tEXt", &text);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Writes the tree once and returns its root.
fn tree() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-trees/screenshots");
    if root.join("screenshots/nl-NL/ipad-08.png").exists() {
        return root;
    }
    let mut n = 0;
    for locale in LOCALES {
        std::fs::create_dir_all(root.join("metadata").join(locale)).unwrap();
        std::fs::write(root.join("metadata").join(locale).join("name.txt"), "Marquee").unwrap();
        let dir = root.join("screenshots").join(locale);
        std::fs::create_dir_all(&dir).unwrap();
        for i in 1..=8 {
            n += 1;
            let iphone = png(1320, 2868, 150_000 + n * 613, &format!("{locale}-iphone-{i}"));
            std::fs::write(dir.join(format!("iphone-{i:02}.png")), iphone).unwrap();
            let ipad = png(2064, 2752, 200_000 + n * 587, &format!("{locale}-ipad-{i}"));
            std::fs::write(dir.join(format!("ipad-{i:02}.png")), ipad).unwrap();
        }
    }
    root
}

fn bench(c: &mut Criterion) {
    let root = tree();
    let options = AssetOptions {
        screenshots: root.join("screenshots"),
        app_previews: root.join("app_previews"),
        ..AssetOptions::default()
    };
    let (assets, findings) = load(&options);
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(assets.screenshot_sets().count(), 20);
    c.bench_function("screenshots: 10 locales x 2 slots x 8 images", |b| {
        b.iter(|| load(&options))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
