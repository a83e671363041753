//! `--rev`: the tree as committed, read through git2 without touching the
//! work tree, with the same rules and errors as on disk.

use crate::harness::asc_sync;
use asc_sync::locale::Locale;
use asc_sync::model::Field;
use asc_sync::tree::{self, LoadOptions};
use std::path::Path;

fn commit_all(repo: &git2::Repository, message: &str) -> git2::Oid {
    let mut index = repo.index().unwrap();
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("Test", "test@example.com").unwrap();
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents).unwrap()
}

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

#[test]
fn a_revision_is_read_as_committed_not_as_in_the_work_tree() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let meta = dir.path().join("fastlane/metadata");
    write(&meta, "en-US/name.txt", "Committed\n");
    write(&meta, "en-US/release_notes.txt", "Notes\n");
    std::os::unix::fs::symlink("../en-US/release_notes.txt", meta.join("de-DE/release_notes.txt")).unwrap_or_else(
        |_| {
            std::fs::create_dir_all(meta.join("de-DE")).unwrap();
            std::os::unix::fs::symlink("../en-US/release_notes.txt", meta.join("de-DE/release_notes.txt")).unwrap();
        },
    );
    commit_all(&repo, "first");
    write(&meta, "en-US/name.txt", "Edited in the work tree\n");
    std::fs::remove_dir_all(meta.join("de-DE")).unwrap();

    let loaded = tree::load_rev(&meta, "HEAD", &LoadOptions::default()).unwrap();
    assert!(!loaded.has_errors(), "{:#?}", loaded.findings);
    let en = &loaded.tree.locales[&Locale::exact("en-US").unwrap()];
    assert_eq!(en.fields[&Field::Name].value, "Committed");
    let de = &loaded.tree.locales[&Locale::exact("de-DE").unwrap()];
    assert_eq!(de.fields[&Field::WhatsNew].value, "Notes");
    // The work tree is untouched.
    assert_eq!(
        std::fs::read_to_string(meta.join("en-US/name.txt")).unwrap(),
        "Edited in the work tree\n"
    );
}

#[test]
fn the_same_errors_as_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let meta = dir.path().join("metadata");
    write(&meta, "en-US/name.txt", &"N".repeat(31));
    std::fs::write(meta.join("en-US/description.txt"), b"bad \xFF byte").unwrap();
    write(dir.path(), "outside.txt", "secret");
    std::os::unix::fs::symlink("../../outside.txt", meta.join("en-US/keywords.txt")).unwrap();
    write(&meta, "it-IT/name.txt", "x");
    commit_all(&repo, "bad");

    let from_git = tree::load_rev(&meta, "HEAD", &LoadOptions::default()).unwrap();
    let from_disk = tree::load_dir(&meta, &LoadOptions::default());
    let codes = |l: &tree::Loaded| {
        let mut f = crate::harness::all_findings(l);
        f.iter_mut().for_each(|f| f.message.clear());
        f.into_iter()
            .map(|f| (f.code, f.path, f.line, f.column))
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(&from_git), codes(&from_disk));
    assert_eq!(codes(&from_git).len(), 4, "{:#?}", from_git.findings);
}

#[test]
fn validate_rev_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let meta = dir.path().join("metadata");
    write(&meta, "en-US/name.txt", "Short");
    commit_all(&repo, "ok");
    write(&meta, "en-US/name.txt", &"N".repeat(31));
    asc_sync()
        .current_dir(dir.path())
        .args(["validate", "--metadata", "metadata", "--rev", "HEAD"])
        .assert()
        .code(0);
    asc_sync()
        .current_dir(dir.path())
        .args(["validate", "--metadata", "metadata"])
        .assert()
        .code(1);
    asc_sync()
        .current_dir(dir.path())
        .args(["validate", "--metadata", "metadata", "--rev", "no-such-branch"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no-such-branch"));
}
