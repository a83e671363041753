//! Arbitrary file names and bytes never make the loader or the validator
//! panic, and every finding names a path inside the tree.

use proptest::prelude::*;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

fn name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Names the loader cares about, to reach deep code paths.
        prop::sample::select(vec![
            "en-US",
            "fr-ca",
            "default",
            "review_information",
            "description.txt",
            "keywords.txt",
            "name.txt",
            "support_url.txt",
            "notes.txt",
            "review_notes.txt",
            "copyright.txt",
            "android",
            ".hidden",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        // Anything a Linux file name can be.
        prop::collection::vec(any::<u8>().prop_filter("no / or NUL", |b| *b != b'/' && *b != 0), 1..12),
    ]
}

fn contents() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        ".{0,150}".prop_map(|s: String| s.into_bytes()),
        Just(b"\xEF\xBB\xBF".to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
    #[test]
    fn the_loader_never_panics(files in prop::collection::vec((name(), name(), contents()), 0..12)) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("metadata");
        std::fs::create_dir(&root).unwrap();
        for (folder, file, bytes) in &files {
            let folder = root.join(OsStr::from_bytes(folder));
            if name_is_special(&folder) || std::fs::create_dir_all(&folder).is_err() {
                continue;
            }
            let path = folder.join(OsStr::from_bytes(file));
            let _ = std::fs::write(&path, bytes);
        }
        let loaded = asc_sync::tree::load_dir(&root, &Default::default());
        let findings = crate::harness::all_findings(&loaded);
        for f in &findings {
            prop_assert!(f.path.starts_with(&root.display().to_string()), "{}", f);
        }
    }
}

fn name_is_special(p: &std::path::Path) -> bool {
    matches!(p.file_name().map(|n| n.as_bytes()), Some(b".") | Some(b".."))
}
