//! pull end to end: the built binary against the fake over real HTTP.
//! After a pull, plan shows No changes; into a tree that already states
//! the live listing, a pull changes no byte; links are never written
//! through; the demo password stays out unless asked for.

use crate::harness::{Corpus, TempTree, copy_tree, corpus_or_skip, example_metadata, fixture_tree};
use crate::real_trees::valid_real_trees;
use crate::support::{Env, example_state, stderr, stdout};
use asc_sync::fake::State;
use asc_sync::fake::state::Localization;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

const BUNDLE: &str = "com.example.marquee";
const PASSWORD: &str = "correct-horse-battery";

/// What is in a tree: each file's bytes, each symlink's target.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    File(Vec<u8>),
    Link(PathBuf),
}

fn snapshot(root: &Path) -> BTreeMap<String, Entry> {
    walkdir::WalkDir::new(root)
        .min_depth(1)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path_is_symlink() || e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap().display().to_string();
            let entry = if e.path_is_symlink() {
                Entry::Link(std::fs::read_link(e.path()).unwrap())
            } else {
                Entry::File(std::fs::read(e.path()).unwrap())
            };
            (rel, entry)
        })
        .collect()
}

/// A live state equal to the tree at `root`.
fn seeded(root: &Path, bundle: &str) -> State {
    let loaded = asc_sync::tree::load_dir(root, &Default::default());
    assert!(!loaded.has_errors(), "{:#?}", loaded.findings);
    State::from_tree(&loaded.tree, bundle, "IOS")
}

/// The editable version's localization of `locale` (the one pull reads).
fn version_loc<'a>(state: &'a mut State, locale: &str) -> &'a mut Localization {
    state.apps[0].app_store_versions[1].localization_mut(locale).unwrap()
}

fn set(loc: &mut Localization, attribute: &str, value: Option<&str>) {
    loc.attributes.insert(attribute.into(), value.map(str::to_owned));
}

async fn pull(env: &Env, bundle: &str, metadata: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["pull", "--bundle-id", bundle, "--metadata", metadata.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.run(&args).await
}

/// Plans `metadata` and checks that it shows No changes.
async fn assert_no_changes(env: &Env, bundle: &str, metadata: &Path) {
    let args = [
        "plan",
        "--detailed-exitcode",
        "--bundle-id",
        bundle,
        "--metadata",
        metadata.to_str().unwrap(),
    ];
    let out = env.run(&args).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: {}{}",
        metadata.display(),
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("No changes"), "{}", stdout(&out));
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// The round trip for one tree: a pull into an empty folder plans No
/// changes, and a pull into a copy of the tree changes no byte.
async fn round_trip(tree: &Path, bundle: &str) {
    let env = Env::start(seeded(tree, bundle), Default::default()).await;
    let fresh = env.dir.path().join("pulled/metadata");
    let out = pull(&env, bundle, &fresh, &["--detailed-exitcode"]).await;
    assert_eq!(out.status.code(), Some(2), "{}: {}", tree.display(), stderr(&out));
    assert_no_changes(&env, bundle, &fresh).await;
    for (path, entry) in snapshot(&fresh) {
        // Unset live values create no files, and new files end with one "\n".
        let Entry::File(bytes) = entry else {
            panic!("{path} is a link")
        };
        assert!(bytes.ends_with(b"\n") && !bytes.ends_with(b"\n\n"), "{path}");
        assert!(!String::from_utf8(bytes).unwrap().trim().is_empty(), "{path} is blank");
    }
    let before = snapshot(&fresh);
    let again = pull(&env, bundle, &fresh, &["--detailed-exitcode"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert_eq!(snapshot(&fresh), before, "a second pull changes no byte");

    let copy = env.dir.path().join("copy/metadata");
    copy_tree(tree, &copy);
    let original = snapshot(&copy);
    let out = pull(&env, bundle, &copy, &["--detailed-exitcode"]).await;
    assert_eq!(out.status.code(), Some(0), "{}: {}", tree.display(), stdout(&out));
    assert_eq!(snapshot(&copy), original, "{}: a byte changed", tree.display());
    assert_eq!(env.writes(), 0, "pull never writes to App Store Connect");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_tree_round_trips() {
    round_trip(&example_metadata(), BUNDLE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_valid_real_tree_round_trips() {
    let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
        return;
    };
    let valid = valid_real_trees(&trees);
    assert_eq!(valid.len(), 7, "the seven real trees without errors");
    for dir in valid {
        round_trip(&dir.join("metadata"), "com.example.real").await;
    }
}

/// Each quirk the real trees taught us (CRLF, a BOM, padding, blank files,
/// symlinks and symlinks checked out as files, linked folders, an empty
/// locale folder, legacy review names), in the fixtures that plan accepts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_quirk_fixture_round_trips() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/trees");
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let root = entry.unwrap().path().join("metadata");
        let loaded = asc_sync::tree::load_dir(&root, &Default::default());
        if loaded.has_errors() || asc_sync::validate::validate(&loaded.tree).iter().any(|f| f.is_error()) {
            continue;
        }
        round_trip(&root, BUNDLE).await;
        checked.push(root.parent().unwrap().file_name().unwrap().to_owned());
    }
    checked.sort();
    assert!(checked.len() >= 10, "{checked:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_files_are_written_under_the_name_the_loader_reads() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("metadata");
    copy_tree(&fixture_tree("legacy-review"), &root);
    let mut state = seeded(&root, BUNDLE);
    let review = state.apps[0].app_store_versions[1].review_detail.as_mut().unwrap();
    review.notes = Some("Use the demo account.".into());
    let env = Env::start(state, Default::default()).await;
    let current = std::fs::read(root.join("review_information/notes.txt")).unwrap();
    let out = pull(&env, BUNDLE, &root, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        read(&root.join("review_information/review_notes.txt")),
        "Use the demo account.\n"
    );
    assert_eq!(
        std::fs::read(root.join("review_information/notes.txt")).unwrap(),
        current
    );
    assert_no_changes(&env, BUNDLE, &root).await;
}

fn git(repo: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
        .args(args)
        .output()
        .expect("git is installed");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_web_edits_change_exactly_three_files() {
    let mut state = example_state();
    set(
        version_loc(&mut state, "de-DE"),
        "whatsNew",
        Some("Neu in 2.1:\n• Fehlerbehebungen\n"),
    );
    set(
        version_loc(&mut state, "en-US"),
        "keywords",
        Some("movies,film,diary,imdb"),
    );
    state.apps[0].app_store_versions[1].copyright = Some("2027 Marquee Labs Ltd.".into());
    let env = Env::start(state, Default::default()).await;
    let repo = env.dir.path().join("repo");
    copy_tree(&example_metadata(), &repo.join("metadata"));
    git(&repo, &["init", "--quiet"]);
    git(&repo, &["add", "--all"]);
    git(&repo, &["commit", "--quiet", "--message", "the tree as it was"]);

    let metadata = repo.join("metadata");
    let out = pull(&env, BUNDLE, &metadata, &["--detailed-exitcode"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        git(&repo, &["diff", "--name-only"]),
        "metadata/copyright.txt\nmetadata/de-DE/release_notes.txt\nmetadata/en-US/keywords.txt\n"
    );
    assert_eq!(
        git(&repo, &["status", "--porcelain"]).lines().count(),
        3,
        "no new files"
    );
    assert_eq!(
        read(&metadata.join("de-DE/release_notes.txt")),
        "Neu in 2.1:\n• Fehlerbehebungen\n"
    );
    assert!(
        stdout(&out).contains("Pull: 0 files created, 3 changed"),
        "{}",
        stdout(&out)
    );
    assert_no_changes(&env, BUNDLE, &metadata).await;
}

/// en-US and de-DE share their release notes through a link.
fn linked_tree(link: fn(&TempTree)) -> TempTree {
    let t = TempTree::new(&[
        ("en-US/name.txt", b"Notes\n"),
        ("en-US/release_notes.txt", b"Bug fixes\n"),
        ("de-DE/name.txt", b"Notizen\n"),
    ]);
    link(&t);
    t
}

fn real_link(t: &TempTree) {
    t.symlink("de-DE/release_notes.txt", "../en-US/release_notes.txt");
}

fn plain_file_link(t: &TempTree) {
    t.write("de-DE/release_notes.txt", b"../en-US/release_notes.txt");
}

/// The drifts of a linked pair, each as pulled: what de-DE's file then
/// holds, and whether it is still a link.
async fn pull_linked(link: fn(&TempTree), en: Option<&str>, de: Option<&str>) -> (Env, TempTree, Output) {
    let t = linked_tree(link);
    let mut state = seeded(&t.metadata(), BUNDLE);
    if let Some(en) = en {
        set(version_loc(&mut state, "en-US"), "whatsNew", Some(en));
    }
    if let Some(de) = de {
        set(version_loc(&mut state, "de-DE"), "whatsNew", Some(de));
    }
    let env = Env::start(state, Default::default()).await;
    let out = pull(&env, BUNDLE, &t.metadata(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_no_changes(&env, BUNDLE, &t.metadata()).await;
    (env, t, out)
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).unwrap().file_type().is_symlink()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linked_release_note_that_diverged_live_becomes_a_file_and_its_target_is_unchanged() {
    for link in [real_link, plain_file_link] {
        let (_env, t, out) = pull_linked(link, None, Some("Fehlerbehebungen")).await;
        let de = t.metadata().join("de-DE/release_notes.txt");
        assert!(!is_symlink(&de));
        assert_eq!(read(&de), "Fehlerbehebungen\n");
        assert_eq!(read(&t.metadata().join("en-US/release_notes.txt")), "Bug fixes\n");
        let err = stderr(&out);
        assert!(
            err.contains("warning:")
                && err.contains("de-DE/release_notes.txt was a link to ../en-US/release_notes.txt")
                && err.contains("a file of its own"),
            "{err}"
        );
        assert!(
            stdout(&out).contains("(was a link to ../en-US/release_notes.txt; now a file of its own)"),
            "{}",
            stdout(&out)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_whose_target_changed_alone_keeps_its_locales_live_text() {
    let (_env, t, _) = pull_linked(real_link, Some("New in 2.2"), None).await;
    assert_eq!(read(&t.metadata().join("en-US/release_notes.txt")), "New in 2.2\n");
    let de = t.metadata().join("de-DE/release_notes.txt");
    assert!(!is_symlink(&de));
    assert_eq!(read(&de), "Bug fixes\n", "de-DE's live text, no longer the target's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_stays_a_link_when_both_locales_changed_alike() {
    let (_env, t, out) = pull_linked(real_link, Some("New in 2.2"), Some("New in 2.2")).await;
    assert!(is_symlink(&t.metadata().join("de-DE/release_notes.txt")));
    assert_eq!(read(&t.metadata().join("en-US/release_notes.txt")), "New in 2.2\n");
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linked_locale_folder_that_diverged_becomes_a_folder_of_its_own() {
    for fixture in ["folder-symlink", "folder-symlink-as-file"] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("metadata");
        copy_tree(&fixture_tree(fixture), &root);
        assert!(!root.join("en-GB").is_dir() || is_symlink(&root.join("en-GB")));
        let mut state = seeded(&root, BUNDLE);
        set(
            version_loc(&mut state, "en-GB"),
            "whatsNew",
            Some("Fixes for the colour picker, innit."),
        );
        let env = Env::start(state, Default::default()).await;
        let out = pull(&env, BUNDLE, &root, &[]).await;
        assert_eq!(out.status.code(), Some(0), "{fixture}: {}", stderr(&out));
        let en_gb = std::fs::symlink_metadata(root.join("en-GB")).unwrap();
        assert!(en_gb.is_dir(), "{fixture}: now a real folder");
        assert_eq!(
            read(&root.join("en-GB/release_notes.txt")),
            "Fixes for the colour picker, innit.\n"
        );
        assert_eq!(read(&root.join("en-GB/name.txt")), "Colour Notes\n", "copied");
        assert_eq!(
            read(&root.join("en-US/release_notes.txt")),
            "Fixes for the colour picker.\n"
        );
        assert!(stderr(&out).contains("en-GB was a link to en-US"), "{}", stderr(&out));
        assert_no_changes(&env, BUNDLE, &root).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_password_is_in_no_file_and_no_output_unless_asked_for() {
    let env = Env::start(example_state(), Default::default()).await;
    let fresh = env.dir.path().join("fresh/metadata");
    let mut outputs = Vec::new();
    for format in ["text", "markdown", "json"] {
        let out = pull(&env, BUNDLE, &fresh, &["--format", format, "-vv"]).await;
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        outputs.push(out);
    }
    assert!(!fresh.join("review_information/demo_password.txt").exists());
    assert!(
        stdout(&outputs[0]).contains("demoAccountPassword left as it is: a secret"),
        "the summary says so: {}",
        stdout(&outputs[0])
    );
    assert_no_changes(&env, BUNDLE, &fresh).await;

    let out = pull(&env, BUNDLE, &fresh, &["--include-secrets", "--format", "json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        read(&fresh.join("review_information/demo_password.txt")),
        format!("{PASSWORD}\n")
    );
    assert_eq!(
        read(&fresh.join("review_information/demo_user.txt")),
        "reviewer@example.com\n"
    );
    outputs.push(out);
    for out in &outputs {
        assert!(!stdout(out).contains(PASSWORD) && !stderr(out).contains(PASSWORD));
    }
    let files_without = snapshot(&env.dir.path().join("fresh"));
    assert_eq!(
        files_without
            .values()
            .filter(|e| matches!(e, Entry::File(b) if String::from_utf8_lossy(b).contains(PASSWORD)))
            .count(),
        1,
        "only demo_password.txt, and only with --include-secrets"
    );
    assert_no_changes(&env, BUNDLE, &fresh).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_password_file_is_left_and_the_summary_says_so() {
    let mut state = example_state();
    state.apps[0].app_store_versions[1]
        .review_detail
        .as_mut()
        .unwrap()
        .demo_account_password = Some("a-new-secret".into());
    let env = Env::start(state, Default::default()).await;
    let copy = env.dir.path().join("copy/metadata");
    copy_tree(&example_metadata(), &copy);
    let out = pull(&env, BUNDLE, &copy, &["--format", "json", "--detailed-exitcode"]).await;
    assert_eq!(out.status.code(), Some(0), "nothing written: {}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["left"], 1);
    assert_eq!(doc["files"][0]["action"], "left");
    assert_eq!(doc["files"][0]["attribute"], "demoAccountPassword");
    assert_eq!(
        read(&copy.join("review_information/demo_password.txt")),
        format!("{PASSWORD}\n")
    );
    assert!(!stdout(&out).contains("a-new-secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_already_mean_the_live_value_keep_every_byte() {
    let t = TempTree::new(&[
        ("en-US/name.txt", b"  Notes  \n\n"),
        ("en-US/description.txt", b"Line one\r\nLine two\r\n"),
        ("en-US/keywords.txt", b"\xEF\xBB\xBFnotes,lists"),
        ("en-US/subtitle.txt", b"\n"),
        ("en-US/promotional_text.txt", b"Old promo"),
    ]);
    let mut state = seeded(&t.metadata(), BUNDLE);
    let en = version_loc(&mut state, "en-US");
    set(en, "description", Some("Line one\r\nLine three"));
    set(en, "promotionalText", Some("New promo"));
    let env = Env::start(state, Default::default()).await;
    let before = snapshot(&t.metadata());
    let out = pull(&env, BUNDLE, &t.metadata(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after = snapshot(&t.metadata());
    let changed: Vec<&String> = after.keys().filter(|k| after.get(*k) != before.get(*k)).collect();
    assert_eq!(changed, ["en-US/description.txt", "en-US/promotional_text.txt"]);
    let bytes = |rel: &str| std::fs::read(t.metadata().join(rel)).unwrap();
    assert_eq!(
        bytes("en-US/description.txt"),
        b"Line one\r\nLine three\r\n",
        "keeps CRLF"
    );
    assert_eq!(
        bytes("en-US/promotional_text.txt"),
        b"New promo",
        "keeps no final newline"
    );
    assert_no_changes(&env, BUNDLE, &t.metadata()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_default_supplies_are_not_duplicated_into_locales() {
    let t = TempTree::new(&[
        ("default/support_url.txt", b"https://notes.example.com/support\n"),
        ("en-US/name.txt", b"Notes\n"),
        ("de-DE/name.txt", b"Notizen\n"),
        ("fr-FR/name.txt", b"Notes FR\n"),
    ]);
    let mut state = seeded(&t.metadata(), BUNDLE);
    set(
        version_loc(&mut state, "de-DE"),
        "supportUrl",
        Some("https://notes.example.com/de/support"),
    );
    set(version_loc(&mut state, "fr-FR"), "supportUrl", None);
    let env = Env::start(state, Default::default()).await;
    let out = pull(&env, BUNDLE, &t.metadata(), &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        !t.metadata().join("en-US/support_url.txt").exists(),
        "default/ supplies it"
    );
    assert_eq!(
        read(&t.metadata().join("de-DE/support_url.txt")),
        "https://notes.example.com/de/support\n"
    );
    // Cleared on the web: a blank file, so that default/ does not fill it.
    assert_eq!(read(&t.metadata().join("fr-FR/support_url.txt")), "\n");
    assert_no_changes(&env, BUNDLE, &t.metadata()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_writes_nothing_and_exits_2_when_files_would_change() {
    let env = Env::start(example_state(), Default::default()).await;
    let fresh = env.dir.path().join("fresh/metadata");
    let out = pull(
        &env,
        BUNDLE,
        &fresh,
        &["--dry-run", "--detailed-exitcode", "--format", "json"],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!fresh.exists(), "nothing written");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["format_version"], 1);
    assert_eq!(
        (doc["dry_run"].clone(), doc["has_changes"].clone()),
        (true.into(), true.into())
    );
    assert_eq!(doc["summary"]["created"], 50);
    assert_eq!(
        doc["files"][0]["path"],
        format!("{}/ar-SA/description.txt", fresh.display())
    );
    assert_eq!(doc["files"][0]["action"], "created");
    let md = pull(&env, BUNDLE, &fresh, &["--dry-run", "--format", "markdown"]).await;
    assert!(
        stdout(&md).contains("| + | ") && stdout(&md).contains("`asc-sync apply`"),
        "{}",
        stdout(&md)
    );
    let text = pull(&env, BUNDLE, &fresh, &["--dry-run"]).await;
    assert!(
        stdout(&text).contains("Pull (dry run, nothing written): 50 files to create"),
        "{}",
        stdout(&text)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locale_and_field_limit_what_is_written() {
    let mut state = example_state();
    set(version_loc(&mut state, "de-DE"), "whatsNew", Some("Neu"));
    set(version_loc(&mut state, "de-DE"), "keywords", Some("neu"));
    set(version_loc(&mut state, "en-US"), "whatsNew", Some("New"));
    let env = Env::start(state, Default::default()).await;
    let copy = env.dir.path().join("copy/metadata");
    copy_tree(&example_metadata(), &copy);
    let out = pull(
        &env,
        BUNDLE,
        &copy,
        &["--locale", "de-de", "--field", "release_notes.txt", "--format", "json"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, [format!("{}/de-DE/release_notes.txt", copy.display())]);
    assert_eq!(read(&copy.join("de-DE/release_notes.txt")), "Neu\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locale_the_web_lacks_is_left_with_a_note() {
    let mut state = example_state();
    for v in &mut state.apps[0].app_store_versions {
        v.localizations.retain(|l| l.locale != "fr-FR");
    }
    for i in &mut state.apps[0].app_infos {
        i.localizations.retain(|l| l.locale != "fr-FR");
    }
    let env = Env::start(state, Default::default()).await;
    let copy = env.dir.path().join("copy/metadata");
    copy_tree(&example_metadata(), &copy);
    let before = snapshot(&copy);
    let out = pull(&env, BUNDLE, &copy, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(snapshot(&copy), before, "pull never deletes a translation");
    assert!(
        stdout(&out).contains("fr-FR is in the tree but not live: pull leaves its files"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tree_with_errors_or_a_revision_is_refused_before_anything_is_written() {
    let env = Env::start(example_state(), Default::default()).await;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("notes.txt"), "outside\n").unwrap();
    let t = TempTree::new(&[("en-US/name.txt", b"Old\n")]);
    t.symlink(
        "en-US/release_notes.txt",
        outside.path().join("notes.txt").to_str().unwrap(),
    );
    let before = snapshot(&t.metadata());
    let out = pull(&env, BUNDLE, &t.metadata(), &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nothing was written"), "{}", stderr(&out));
    assert_eq!(snapshot(&t.metadata()), before);
    assert_eq!(read(&outside.path().join("notes.txt")), "outside\n");
    assert!(env.fake.requests().is_empty(), "refused before any request");

    let out = pull(&env, BUNDLE, &example_metadata(), &["--rev", "HEAD"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--rev"), "{}", stderr(&out));
}

/// A tree of every App Store locale with every field, as the reconcile
/// benchmark builds it.
fn fifty_locales() -> TempTree {
    let t = TempTree::new(&[]);
    for code in asc_sync::locale::ALL {
        for field in <asc_sync::model::Field as strum::IntoEnumIterator>::iter() {
            let value = match field.kind() {
                asc_sync::model::Kind::Url => format!("https://notes.example.com/{code}/{}", field.api_name()),
                _ => format!("{} {code}", field.label()),
            };
            t.write(
                &format!("{code}/{}", field.file_name()),
                format!("{value}\n").as_bytes(),
            );
        }
    }
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifty_locale_pull_takes_as_many_gets_as_a_plan() {
    let t = fifty_locales();
    let mut state = seeded(&t.metadata(), BUNDLE);
    set(version_loc(&mut state, "ja"), "whatsNew", Some("ウェブで編集"));
    let env = Env::start(state, Default::default()).await;
    let plan = env
        .run(&[
            "plan",
            "--bundle-id",
            BUNDLE,
            "--metadata",
            t.metadata().to_str().unwrap(),
        ])
        .await;
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    let plan_gets = env.gets();
    env.fake.reset_log();
    let fresh = env.dir.path().join("fresh/metadata");
    let out = pull(&env, BUNDLE, &fresh, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let pull_gets = env.gets();
    eprintln!("50 locales: plan {plan_gets} GETs, pull {pull_gets} GETs");
    assert_eq!(pull_gets, plan_gets);
    assert_eq!(pull_gets, 4, "constant in the number of locales");
    assert_eq!(env.writes(), 0);
    assert_no_changes(&env, BUNDLE, &fresh).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_github_actions_pull_writes_the_body_the_job_summary_and_the_outputs() {
    let mut state = example_state();
    set(version_loc(&mut state, "de-DE"), "whatsNew", Some("Neu @org/team <b>"));
    let env = Env::start(state, Default::default()).await;
    let copy = env.dir.path().join("copy/metadata");
    copy_tree(&example_metadata(), &copy);
    let (summary, output, body) = (
        env.dir.path().join("summary.md"),
        env.dir.path().join("output.txt"),
        env.dir.path().join("body.md"),
    );
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_asc-sync"));
    cmd.current_dir(env.dir.path())
        .args(["pull", "--bundle-id", BUNDLE, "--metadata", copy.to_str().unwrap()])
        .args(["--body-out", body.to_str().unwrap()])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("ASC_KEY_ID", &env.signer.kid)
        .env("ASC_ISSUER_ID", "57246542-96fe-1a63-e053-0824d011072a")
        .env("ASC_PRIVATE_KEY_PATH", &env.key_path)
        .env("ASC_API_BASE_URL", &env.fake.base_url);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let body = read(&body);
    assert!(body.starts_with("### asc-sync pull: com.example.marquee"), "{body}");
    assert!(
        body.contains("| ~ | ") && body.contains("de-DE/release_notes.txt | de-DE | whatsNew |"),
        "{body}"
    );
    assert!(
        !body.contains("@org") && !body.contains("<b>"),
        "paths and names only, never a value"
    );
    assert_eq!(read(&summary), body);
    assert_eq!(read(&output), "has_changes=true\ncreated=0\nchanged=1\nleft=0\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_pulls_the_web_edits_into_a_copy_and_plans_no_changes() {
    let before = snapshot(&example_metadata());
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_asc-sync"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["demo", "--pull"])
        .env("NO_COLOR", "1");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let plan = text.find("$ asc-sync plan\n").unwrap();
    let pulled = text.find("$ asc-sync pull").unwrap();
    let again = text.rfind("$ asc-sync plan --metadata").unwrap();
    assert!(plan < pulled && pulled < again, "{text}");
    assert!(text[plan..pulled].contains("Plan: 0 to create, 2 to update"), "{text}");
    assert!(
        text[pulled..again].contains("Pull: 0 files created, 3 changed"),
        "{text}"
    );
    assert!(text[again..].contains("No changes."), "{text}");
    assert_eq!(snapshot(&example_metadata()), before, "the checkout is never written");
}

/// What a reviewer reads: web edits, a link that became a file, the demo
/// password left out, and a locale the web lacks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_reads_well_in_text_and_markdown() {
    let mut state = example_state();
    set(
        version_loc(&mut state, "de-DE"),
        "whatsNew",
        Some("Neu in 2.1: Fehlerbehebungen"),
    );
    set(
        version_loc(&mut state, "en-US"),
        "promotionalText",
        Some("Edited on the web"),
    );
    set(version_loc(&mut state, "ja"), "promotionalText", Some("ウェブで編集"));
    let review = state.apps[0].app_store_versions[1].review_detail.as_mut().unwrap();
    review.demo_account_password = Some("a-new-secret".into());
    for v in &mut state.apps[0].app_store_versions {
        v.localizations.retain(|l| l.locale != "fr-FR");
    }
    for i in &mut state.apps[0].app_infos {
        i.localizations.retain(|l| l.locale != "fr-FR");
    }
    let env = Env::start(state, Default::default()).await;
    copy_tree(&example_metadata(), &env.dir.path().join("copy/metadata"));
    let relative = Path::new("copy/metadata");
    let text = pull(&env, BUNDLE, relative, &["--dry-run"]).await;
    insta::assert_snapshot!("pull_text", stdout(&text));
    let markdown = pull(&env, BUNDLE, relative, &["--dry-run", "--format", "markdown"]).await;
    insta::assert_snapshot!("pull_markdown", stdout(&markdown));
}
