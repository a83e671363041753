//! The fake states Apple's facts for itself: no file of `src/fake/` may
//! reach into the product, or a wrong fact there would become the fake's
//! too. Only `seed.rs`, which turns a metadata tree into a state, may read
//! the product's types.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each mention of a product path on a line: `crate::` not followed by
/// `fake`, or the library's own name.
fn product_mentions(line: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for (at, _) in line.match_indices("crate::") {
        let before = line[..at].chars().next_back();
        let part_of_longer_name = before.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !part_of_longer_name && !line[at..].starts_with("crate::fake") {
            found.push(&line[at..]);
        }
    }
    found.extend(line.match_indices("asc_sync::").map(|(at, _)| &line[at..]));
    found
}

#[test]
fn the_fake_takes_no_rule_from_the_product() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/fake");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    assert!(files.len() > 5, "src/fake has its files: {files:?}");
    let mut offences = Vec::new();
    for file in &files {
        if file == &root.join("seed.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for mention in product_mentions(line) {
                offences.push(format!("{}:{}: {}", file.display(), n + 1, mention.trim()));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the fake must state Apple's facts itself, not read the product's:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_check_finds_what_it_looks_for() {
    assert_eq!(product_mentions("use crate::model::Field;").len(), 1);
    assert_eq!(product_mentions("x: crate::locale::Locale, y: asc_sync::tree").len(), 2);
    assert!(product_mentions("use crate::fake::apple;").is_empty());
    assert!(product_mentions("use super::apple; // not_crate::x").is_empty());
}
