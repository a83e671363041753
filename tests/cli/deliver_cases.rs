//! The cases of shared/corpus/fastlane-deliver-fixtures/CASES.md: what
//! deliver's own specs assert about reading a tree.

use crate::harness::{Corpus, corpus_or_skip};
use asc_sync::locale::Locale;
use asc_sync::model::{Field, ReviewField};
use asc_sync::tree::{self, LoadOptions, Loaded};
use std::path::Path;

fn case(cases: &Path, name: &str, options: &LoadOptions) -> Loaded {
    let path = cases.join(name).join("metadata");
    let loaded = tree::load_dir(&path, options);
    assert!(!loaded.has_errors(), "{:#?}", loaded.findings);
    loaded
}

fn locales(loaded: &Loaded) -> Vec<&'static str> {
    loaded.tree.locales.keys().map(|l| l.code()).collect()
}

fn value(loaded: &Loaded, locale: &str, field: Field) -> Option<String> {
    loaded.tree.locales[&Locale::exact(locale).unwrap()]
        .fields
        .get(&field)
        .map(|v| v.value.clone())
}

#[test]
fn review_information_is_read_from_its_files() {
    let Some(cases) = corpus_or_skip(Corpus::DeliverCases) else {
        return;
    };
    let loaded = case(&cases, "review-information", &LoadOptions::default());
    let review: Vec<(&str, &str)> = loaded
        .tree
        .review
        .iter()
        .map(|(f, v)| (f.api_name(), v.value.as_str()))
        .collect();
    assert_eq!(
        review,
        [
            ("contactFirstName", "Alice"),
            ("contactLastName", "Smith"),
            ("contactPhone", "+819012345678"),
            ("contactEmail", "deliver@example.com"),
            ("demoAccountName", "user"),
            ("demoAccountPassword", "password"),
            ("notes", "This is a note from file"),
        ]
    );
    assert_eq!(loaded.tree.demo_account_required(), Some(true));
}

#[test]
fn demo_account_is_not_required_when_user_or_password_is_blank() {
    let t = crate::harness::TempTree::new(&[
        ("review_information/demo_user.txt", b""),
        ("review_information/demo_password.txt", b"\n"),
    ]);
    assert_eq!(t.load().tree.demo_account_required(), Some(false));
    let none = crate::harness::TempTree::new(&[("en-US/name.txt", b"x")]);
    assert_eq!(none.load().tree.demo_account_required(), None);
    let only_user = crate::harness::TempTree::new(&[("review_information/demo_user.txt", b"u")]);
    assert_eq!(only_user.load().tree.demo_account_required(), Some(false));
    assert!(only_user.load().tree.review.contains_key(&ReviewField::DemoAccountName));
}

#[test]
fn empty_folders_enable_their_locales() {
    let Some(cases) = corpus_or_skip(Corpus::DeliverCases) else {
        return;
    };
    let loaded = case(&cases, "languages-folders-only", &LoadOptions::default());
    assert_eq!(locales(&loaded), ["de-DE", "el", "en-US"]);
    assert!(loaded.tree.locales.values().all(|l| l.fields.is_empty()));
}

#[test]
fn default_is_not_a_locale() {
    let Some(cases) = corpus_or_skip(Corpus::DeliverCases) else {
        return;
    };
    let loaded = case(&cases, "languages-default-and-en-US", &LoadOptions::default());
    assert_eq!(locales(&loaded), ["en-US"]);
    assert!(loaded.tree.defaults.is_empty());
}

#[test]
fn default_fills_an_absent_field() {
    let Some(cases) = corpus_or_skip(Corpus::DeliverCases) else {
        return;
    };
    let loaded = case(&cases, "default-folder-with-description", &LoadOptions::default());
    assert_eq!(
        value(&loaded, "en-US", Field::Description).as_deref(),
        Some("something")
    );
    let v = &loaded.tree.locales[&Locale::exact("en-US").unwrap()].fields[&Field::Description];
    assert!(v.from_default);
    assert!(v.path.ends_with("default/description.txt"));
}

#[test]
fn default_fills_every_enabled_locale_that_lacks_the_file() {
    let Some(cases) = corpus_or_skip(Corpus::DeliverCases) else {
        return;
    };
    let dir = cases.join("release-notes-default-fill");
    let options: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("deliver-options.json")).unwrap()).unwrap();
    let languages = options["languages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| Locale::ignoring_case(l.as_str().unwrap()).unwrap())
        .collect();
    let loaded = case(
        &cases,
        "release-notes-default-fill",
        &LoadOptions {
            languages,
            ..LoadOptions::default()
        },
    );
    let notes = |l| value(&loaded, l, Field::WhatsNew);
    assert_eq!(notes("en-US").as_deref(), Some("something else"));
    assert_eq!(notes("es-MX").as_deref(), Some("something else else"));
    for l in ["en-AU", "en-CA", "en-GB", "de-DE", "el"] {
        assert_eq!(notes(l).as_deref(), Some("something"), "{l}");
    }
}

#[test]
fn a_blank_file_blocks_the_default_and_stays_blank() {
    let t = crate::harness::TempTree::new(&[
        ("default/subtitle.txt", b"From default"),
        ("en-US/subtitle.txt", b"  \n"),
        ("de-DE/name.txt", b"Name"),
    ]);
    let loaded = t.load();
    let en = &loaded.tree.locales[&Locale::exact("en-US").unwrap()].fields[&Field::Subtitle];
    assert!(en.is_blank() && !en.from_default);
    let de = &loaded.tree.locales[&Locale::exact("de-DE").unwrap()].fields[&Field::Subtitle];
    assert_eq!(de.value, "From default");
}
