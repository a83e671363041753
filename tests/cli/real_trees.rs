//! The ten real trees in shared/corpus/real-trees: each loads without a
//! panic, every finding names its path, and what asc-sync reads and
//! reports is pinned by a snapshot so a change in behaviour shows in review.

use crate::harness::{Corpus, all_findings, copy_tree, corpus_or_skip};
use asc_sync::locale::Locale;
use asc_sync::model::Field;
use asc_sync::tree::{self, LoadOptions, Loaded, TextValue};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn tree_path(trees: &Path, name: &str) -> PathBuf {
    trees.join(name).join("metadata")
}

fn load(trees: &Path, name: &str) -> Loaded {
    tree::load_dir(&tree_path(trees, name), &LoadOptions::default())
}

fn tag(v: &TextValue) -> &'static str {
    match (v.from_default, v.is_blank()) {
        (true, _) => "=default",
        (false, true) => "=blank",
        (false, false) => "",
    }
}

/// The symlinks of a tree, by path inside it, with their targets: real
/// symlinks, and symlinks that git checked out as plain files (the loader
/// reports those as `symlink-as-file`; the file holds only the target).
fn links(root: &Path, loaded: &Loaded) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root).min_depth(1) {
        let entry = entry.unwrap();
        if entry.path_is_symlink() {
            let target = std::fs::read_link(entry.path()).unwrap();
            let rel = entry.path().strip_prefix(root).unwrap();
            out.insert(rel.display().to_string(), target.display().to_string());
        }
    }
    for f in loaded.findings.iter().filter(|f| f.code.as_str() == "symlink-as-file") {
        let rel = Path::new(&f.path).strip_prefix(root).unwrap();
        let target = std::fs::read_to_string(&f.path).unwrap();
        out.insert(rel.display().to_string(), target);
    }
    out
}

/// What was read and what was found, with the tree's path replaced by
/// `metadata`. The same whether git checked the tree's symlinks out as
/// links or as plain files (`core.symlinks=false`): symlinks are listed in
/// either form, and the `symlink-as-file` warnings that only the plain-file
/// form carries are left out (`symlinks_read_the_same_as_links_or_as_files`
/// checks both forms against each other).
fn describe(root: &Path) -> String {
    let loaded = tree::load_dir(root, &LoadOptions::default());
    let root_display = root.display().to_string();
    let mut out = String::new();
    for (locale, values) in &loaded.tree.locales {
        let fields: Vec<String> = values
            .fields
            .iter()
            .map(|(f, v)| format!("{}{}", f.api_name(), tag(v)))
            .collect();
        let folder = match values.folder.as_deref() {
            Some(f) if f != locale.code() => format!(" (folder {f})"),
            _ => String::new(),
        };
        let _ = writeln!(out, "{locale}{folder}: {}", fields.join(" "));
    }
    let root_fields: Vec<String> = loaded
        .tree
        .root_fields
        .iter()
        .map(|(f, v)| format!("{}{}", f.attribute().api_name(), tag(v)))
        .collect();
    let _ = writeln!(out, "root: {}", root_fields.join(" "));
    let review: Vec<String> = loaded
        .tree
        .review
        .iter()
        .map(|(f, v)| format!("{}{}", f.api_name(), tag(v)))
        .collect();
    let _ = writeln!(out, "review: {}", review.join(" "));
    let links = links(root, &loaded);
    if !links.is_empty() {
        let _ = writeln!(out, "symlinks: {}", links.len());
    }
    for (link, target) in &links {
        let _ = writeln!(out, "metadata/{link} -> {target}");
    }
    let findings: Vec<_> = all_findings(&loaded)
        .into_iter()
        .filter(|f| f.code.as_str() != "symlink-as-file")
        .collect();
    let _ = writeln!(out, "findings: {}", findings.len());
    for f in &findings {
        assert!(
            f.path.starts_with(&root_display),
            "finding without the tree's path: {f}"
        );
        let _ = writeln!(out, "{}", f.to_string().replacen(&root_display, "metadata", 1));
    }
    out
}

macro_rules! real_tree {
    ($test:ident, $name:literal) => {
        #[test]
        fn $test() {
            let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
                return;
            };
            insta::assert_snapshot!(stringify!($test), describe(&tree_path(&trees, $name)));
        }
    };
}

real_tree!(antidote, "Antidote-for-Tox__Antidote");
real_tree!(pocket_casts, "Automattic__pocket-casts-ios");
real_tree!(bluewallet, "BlueWallet__BlueWallet");
real_tree!(dashwallet, "dashpay__dashwallet-ios");
real_tree!(duckduckgo, "duckduckgo__iOS");
real_tree!(home_assistant, "home-assistant__iOS");
real_tree!(seek, "inaturalist__SeekReactNative");
real_tree!(openfoodfacts, "openfoodfacts__openfoodfacts-ios");
real_tree!(swift_paperless, "paulgessinger__swift-paperless");
real_tree!(woocommerce, "woocommerce__woocommerce-ios");

fn value<'a>(loaded: &'a Loaded, locale: &str, field: Field) -> &'a TextValue {
    &loaded.tree.locales[&Locale::exact(locale).unwrap()].fields[&field]
}

#[test]
fn bluewallet_release_notes_symlinks_are_followed_inside_the_tree() {
    let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
        return;
    };
    let loaded = load(&trees, "BlueWallet__BlueWallet");
    let en = value(&loaded, "en-US", Field::WhatsNew);
    let ar = value(&loaded, "ar-SA", Field::WhatsNew);
    assert!(!en.is_blank());
    assert_eq!(ar.value, en.value);
    assert!(
        ar.path.ends_with("ar-SA/release_notes.txt"),
        "the link's own path is reported: {}",
        ar.path
    );
}

#[test]
fn duckduckgo_crlf_inside_text_is_kept_and_padding_is_stripped() {
    let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
        return;
    };
    let loaded = load(&trees, "duckduckgo__iOS");
    let ja = value(&loaded, "ja", Field::Description);
    assert!(ja.value.contains("\r\n"));
    assert!(!ja.value.ends_with(['\r', '\n', ' ']));
}

#[test]
fn pocket_casts_empty_en_us_folder_gets_everything_from_default() {
    let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
        return;
    };
    let loaded = load(&trees, "Automattic__pocket-casts-ios");
    let en = &loaded.tree.locales[&Locale::exact("en-US").unwrap()];
    assert!(!en.fields.is_empty());
    assert!(en.fields.values().all(|v| v.from_default));
}

#[test]
fn openfoodfacts_over_long_descriptions_are_errors_with_position() {
    let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
        return;
    };
    let loaded = load(&trees, "openfoodfacts__openfoodfacts-ios");
    let findings = all_findings(&loaded);
    let too_long: Vec<_> = findings.iter().filter(|f| f.code.as_str() == "too-long").collect();
    assert!(
        too_long.iter().any(|f| f.path.ends_with("en-US/description.txt")),
        "{too_long:#?}"
    );
    assert!(too_long.iter().all(|f| f.line.is_some() && f.column.is_some()));
    // The leading blank line of every description is stripped, as deliver does.
    assert!(!value(&loaded, "en-US", Field::Description).value.starts_with('\n'));
}

#[test]
fn seek_android_tree_inside_metadata_is_skipped_like_deliver() {
    let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
        return;
    };
    let findings = all_findings(&load(&trees, "inaturalist__SeekReactNative"));
    assert!(findings.iter().all(|f| !f.path.contains("/android")), "{findings:#?}");
}

#[test]
fn dashwallet_foreign_folder_names_get_suggestions() {
    let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
        return;
    };
    let findings = all_findings(&load(&trees, "dashpay__dashwallet-ios"));
    let message = |folder: &str| {
        findings
            .iter()
            .find(|f| f.path.ends_with(&format!("/{folder}")))
            .map(|f| f.message.clone())
            .unwrap_or_default()
    };
    assert!(message("nb").contains("'no'"));
    assert!(message("zh_TW").contains("'zh-Hant'"));
    assert!(message("de").contains("'de-DE'"));
    assert!(message("sl_SI").contains("'sl-SI'"));
}

#[test]
fn swift_paperless_zero_byte_files_are_blank_not_absent() {
    let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
        return;
    };
    let loaded = load(&trees, "paulgessinger__swift-paperless");
    let secondary = loaded
        .tree
        .root_fields
        .get(&asc_sync::model::RootField::Category(
            asc_sync::model::CategorySlot::SecondaryCategory,
        ))
        .unwrap();
    assert!(secondary.is_blank());
}

#[test]
fn unknown_folders_can_be_downgraded_to_warnings() {
    let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
        return;
    };
    let options = LoadOptions {
        unknown_folders: tree::UnknownFolders::Warn,
        ..LoadOptions::default()
    };
    let loaded = tree::load_dir(&tree_path(&trees, "dashpay__dashwallet-ios"), &options);
    assert!(!loaded.has_errors(), "{:#?}", loaded.findings);
    assert!(loaded.findings.iter().any(|f| f.code.as_str() == "unknown-folder"));
}

/// The real trees that load and validate without errors (seven of the
/// ten), each as the folder holding its `metadata/`, in name order.
pub fn valid_real_trees(trees: &Path) -> Vec<PathBuf> {
    let mut valid: Vec<PathBuf> = std::fs::read_dir(trees)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|dir| {
            let metadata = dir.join("metadata");
            if !metadata.is_dir() {
                return false;
            }
            let loaded = tree::load_dir(&metadata, &LoadOptions::default());
            !loaded.has_errors() && asc_sync::validate::validate(&loaded.tree).iter().all(|f| !f.is_error())
        })
        .collect();
    valid.sort();
    valid
}

/// Every real tree without errors plans no change against a live state
/// equal to it, through the fake: no false diff from CRLF, padding, NBSP,
/// symlinks, defaults, blank files or legacy category names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_real_trees_plan_no_change_against_their_own_live_state() {
    let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
        return;
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut checked = 0;
    for dir in valid_real_trees(&trees) {
        let loaded = tree::load_dir(&dir.join("metadata"), &LoadOptions::default());
        let state = asc_sync::fake::State::from_tree(&loaded.tree, "com.example.real", "IOS");
        let api = crate::harness::Api::start(asc_sync::fake::FakeOptions {
            state,
            ..Default::default()
        })
        .await;
        let client = api.client(|_| {});
        let live = asc_sync::live::fetch(
            &client,
            "com.example.real",
            asc_sync::model::Platform::Ios,
            &asc_sync::live::VersionSelector::Editable,
        )
        .await
        .unwrap();
        let plan = asc_sync::plan::diff(&loaded.tree, &live, &Default::default());
        let changes: Vec<String> = plan
            .changes
            .iter()
            .map(|c| format!("{} {:?}", c.label(), c.attributes.keys()))
            .collect();
        assert!(
            !plan.has_changes && changes.is_empty(),
            "{}: {changes:#?}",
            dir.display()
        );
        checked += 1;
    }
    assert_eq!(checked, 7, "the seven trees without errors were checked");
}

/// The snapshots above hold whether git checked a tree's symlinks out as
/// links or as plain files: each tree with symlinks is copied, its links
/// made real symlinks, then plain files, and both forms read the same tree
/// and describe the same; only the plain files carry `symlink-as-file`.
#[test]
fn symlinks_read_the_same_as_links_or_as_files() {
    let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
        return;
    };
    let mut total = 0;
    for entry in std::fs::read_dir(&trees).unwrap() {
        let source = entry.unwrap().path().join("metadata");
        if !source.is_dir() {
            continue;
        }
        let links = links(&source, &tree::load_dir(&source, &LoadOptions::default()));
        if links.is_empty() {
            continue;
        }
        total += links.len();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("metadata");
        copy_tree(&source, &root);
        let mut forms = Vec::new();
        for as_files in [false, true] {
            for (link, target) in &links {
                let path = root.join(link);
                std::fs::remove_file(&path).unwrap();
                if as_files {
                    std::fs::write(&path, target).unwrap();
                } else {
                    std::os::unix::fs::symlink(target, &path).unwrap();
                }
            }
            forms.push((tree::load_dir(&root, &LoadOptions::default()), describe(&root)));
        }
        let [(as_links, links_described), (as_files, files_described)] = <[_; 2]>::try_from(forms).unwrap();
        assert_eq!(as_links.tree, as_files.tree, "{}", source.display());
        assert_eq!(links_described, files_described, "{}", source.display());
        let flagged = |l: &Loaded| {
            l.findings
                .iter()
                .filter(|f| f.code.as_str() == "symlink-as-file")
                .count()
        };
        assert_eq!(flagged(&as_links), 0);
        assert_eq!(flagged(&as_files), links.len());
        assert_eq!(as_files.findings.len() - links.len(), as_links.findings.len());
    }
    assert_eq!(total, 21, "BlueWallet's 21 release-note links");
}
