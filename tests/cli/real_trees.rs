//! The ten real trees in shared/corpus/real-trees: each loads without a
//! panic, every finding names its path, and what asc-sync reads and
//! reports is pinned by a snapshot so a change in behaviour shows in review.

use crate::harness::{all_findings, corpus};
use asc_sync::locale::Locale;
use asc_sync::model::Field;
use asc_sync::tree::{self, LoadOptions, Loaded, TextValue};
use std::fmt::Write;
use std::path::PathBuf;

fn tree_path(name: &str) -> PathBuf {
    corpus().join("real-trees").join(name).join("metadata")
}

fn load(name: &str) -> Loaded {
    tree::load_dir(&tree_path(name), &LoadOptions::default())
}

fn tag(v: &TextValue) -> &'static str {
    match (v.from_default, v.is_blank()) {
        (true, _) => "=default",
        (false, true) => "=blank",
        (false, false) => "",
    }
}

/// What was read and what was found, with the corpus path replaced by `metadata`.
fn describe(name: &str) -> String {
    let loaded = load(name);
    let root = tree_path(name).display().to_string();
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
    let findings = all_findings(&loaded);
    let _ = writeln!(out, "findings: {}", findings.len());
    for f in &findings {
        assert!(f.path.starts_with(&root), "finding without the tree's path: {f}");
        let _ = writeln!(out, "{}", f.to_string().replacen(&root, "metadata", 1));
    }
    out
}

macro_rules! real_tree {
    ($test:ident, $name:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(stringify!($test), describe($name));
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
    let loaded = load("BlueWallet__BlueWallet");
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
    let loaded = load("duckduckgo__iOS");
    let ja = value(&loaded, "ja", Field::Description);
    assert!(ja.value.contains("\r\n"));
    assert!(!ja.value.ends_with(['\r', '\n', ' ']));
}

#[test]
fn pocket_casts_empty_en_us_folder_gets_everything_from_default() {
    let loaded = load("Automattic__pocket-casts-ios");
    let en = &loaded.tree.locales[&Locale::exact("en-US").unwrap()];
    assert!(!en.fields.is_empty());
    assert!(en.fields.values().all(|v| v.from_default));
}

#[test]
fn openfoodfacts_over_long_descriptions_are_errors_with_position() {
    let loaded = load("openfoodfacts__openfoodfacts-ios");
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
    let findings = all_findings(&load("inaturalist__SeekReactNative"));
    assert!(findings.iter().all(|f| !f.path.contains("/android")), "{findings:#?}");
}

#[test]
fn dashwallet_foreign_folder_names_get_suggestions() {
    let findings = all_findings(&load("dashpay__dashwallet-ios"));
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
    let loaded = load("paulgessinger__swift-paperless");
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
    let options = LoadOptions {
        unknown_folders: tree::UnknownFolders::Warn,
        ..LoadOptions::default()
    };
    let loaded = tree::load_dir(&tree_path("dashpay__dashwallet-ios"), &options);
    assert!(!loaded.has_errors(), "{:#?}", loaded.findings);
    assert!(loaded.findings.iter().any(|f| f.code.as_str() == "unknown-folder"));
}

/// Every real tree without errors plans no change against a live state
/// equal to it, through the fake: no false diff from CRLF, padding, NBSP,
/// symlinks, defaults, blank files or legacy category names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_real_trees_plan_no_change_against_their_own_live_state() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut checked = 0;
    for entry in std::fs::read_dir(corpus().join("real-trees")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("metadata").is_dir() {
            continue;
        }
        let loaded = tree::load_dir(&dir.join("metadata"), &LoadOptions::default());
        if loaded.has_errors() || !asc_sync::validate::validate(&loaded.tree).iter().all(|f| !f.is_error()) {
            continue;
        }
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
            "IOS",
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
