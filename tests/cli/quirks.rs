//! Our own small trees, one per quirk the real trees taught us
//! (`fixtures/trees/<quirk>/metadata`), so that a clone without the shared
//! corpus still tests each: the values read, and the findings reported by
//! the loader and by `asc-sync validate`.

use crate::harness::{all_findings, asc_sync, copy_tree, fixture_tree};
use asc_sync::locale::Locale;
use asc_sync::model::{CategorySlot, Field, ReviewField, RootField};
use asc_sync::tree::{self, LoadOptions, Loaded, TextValue, UnknownFolders};
use std::path::Path;

fn load(root: &Path) -> Loaded {
    tree::load_dir(root, &LoadOptions::default())
}

/// Every finding of the loader and of validation, as `path:line:column
/// severity[code]` with the path relative to the tree.
fn findings(loaded: &Loaded) -> Vec<String> {
    let root = format!("{}/", loaded.tree.root);
    all_findings(loaded)
        .iter()
        .map(|f| {
            let path = f.path.strip_prefix(&root).unwrap_or(&f.path);
            let at = match (f.line, f.column) {
                (Some(l), Some(c)) => format!(":{l}:{c}"),
                _ => String::new(),
            };
            let severity = if f.is_error() { "error" } else { "warning" };
            format!("{path}{at} {severity}[{}]", f.code.as_str())
        })
        .collect()
}

/// The value of a locale's file, as read (filled from `default/` or not).
fn field<'a>(loaded: &'a Loaded, locale: &str, file: &str) -> &'a TextValue {
    let field = Field::from_file_name(file).unwrap();
    let values = &loaded.tree.locales[&Locale::exact(locale).unwrap()];
    values
        .fields
        .get(&field)
        .unwrap_or_else(|| panic!("{locale}/{file} was not read"))
}

fn locales(loaded: &Loaded) -> Vec<&'static str> {
    loaded.tree.locales.keys().map(|l| l.code()).collect()
}

/// `asc-sync validate` on a tree: the exit code and the last line (the summary).
fn validate(root: &Path) -> (i32, String) {
    let out = asc_sync().args(["validate", "--metadata"]).arg(root).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let summary = stdout.lines().last().unwrap_or_default();
    let summary = summary.rsplit_once(": ").map_or(summary, |(_, s)| s).to_owned();
    (out.status.code().unwrap(), summary)
}

/// The same tree twice: `de-DE/release_notes.txt` is a real git symlink to
/// `../en-US/release_notes.txt` in one, and that symlink as git checks it
/// out with `core.symlinks=false` in the other (a plain file holding only
/// the path). Both read the same values; only the plain file is reported.
#[test]
fn a_symlink_reads_the_same_as_a_link_or_as_a_plain_file() {
    let (link, file) = (fixture_tree("symlink"), fixture_tree("symlink-as-file"));
    let link_path = link.join("de-DE/release_notes.txt");
    assert!(
        link_path.symlink_metadata().unwrap().file_type().is_symlink(),
        "{} is not a symlink: this clone was made with core.symlinks=false; clone again with symlinks on",
        link_path.display()
    );
    assert_eq!(
        std::fs::read(file.join("de-DE/release_notes.txt")).unwrap(),
        b"../en-US/release_notes.txt"
    );

    let (as_link, as_file) = (load(&link), load(&file));
    for loaded in [&as_link, &as_file] {
        let de = field(loaded, "de-DE", "release_notes.txt");
        assert_eq!(de.value, "Bug fixes and a faster start.");
        assert!(
            de.path.ends_with("metadata/de-DE/release_notes.txt"),
            "the link's own path: {}",
            de.path
        );
        assert_eq!(field(loaded, "de-DE", "name.txt").value, "Verknüpfte Notizen");
    }
    // The same tree, value for value, once the folder names are aligned.
    let mut relocated = as_file.tree.clone();
    let (from, to) = (as_file.tree.root.as_str(), as_link.tree.root.as_str());
    relocated.root = to.to_owned();
    for values in relocated.locales.values_mut() {
        for v in values.fields.values_mut() {
            v.path = v.path.replacen(from, to, 1);
        }
    }
    assert_eq!(relocated, as_link.tree);

    assert_eq!(findings(&as_link), Vec::<String>::new());
    assert_eq!(findings(&as_file), ["de-DE/release_notes.txt warning[symlink-as-file]"]);
    assert_eq!(validate(&link), (0, "2 locales, 0 errors, 0 warnings.".into()));
    assert_eq!(validate(&file), (0, "2 locales, 0 errors, 1 warning.".into()));
}

/// The same for a folder: `en-GB` is a real git symlink to `en-US` in one
/// tree, and that symlink checked out with `core.symlinks=false` in the
/// other (a plain file `en-GB` holding `en-US`). fastlane skips such a
/// file, so the locale would silently never be updated; asc-sync reads the
/// folder it names, as the link means, and reports only the plain file.
#[test]
fn a_folder_symlink_reads_the_same_as_a_link_or_as_a_plain_file() {
    let (link, file) = (fixture_tree("folder-symlink"), fixture_tree("folder-symlink-as-file"));
    let link_path = link.join("en-GB");
    assert!(
        link_path.symlink_metadata().unwrap().file_type().is_symlink(),
        "{} is not a symlink: this clone was made with core.symlinks=false; clone again with symlinks on",
        link_path.display()
    );
    assert_eq!(std::fs::read(file.join("en-GB")).unwrap(), b"en-US");

    let (as_link, as_file) = (load(&link), load(&file));
    for loaded in [&as_link, &as_file] {
        assert_eq!(locales(loaded), ["en-GB", "en-US"]);
        let gb = field(loaded, "en-GB", "release_notes.txt");
        assert_eq!(gb.value, "Fixes for the colour picker.");
        assert!(
            gb.path.ends_with("metadata/en-GB/release_notes.txt"),
            "read through the link: {}",
            gb.path
        );
        assert_eq!(field(loaded, "en-GB", "name.txt").value, "Colour Notes");
    }
    let mut relocated = as_file.tree.clone();
    let (from, to) = (as_file.tree.root.as_str(), as_link.tree.root.as_str());
    relocated.root = to.to_owned();
    for values in relocated.locales.values_mut() {
        for v in values.fields.values_mut() {
            v.path = v.path.replacen(from, to, 1);
        }
    }
    assert_eq!(relocated, as_link.tree);

    assert_eq!(findings(&as_link), Vec::<String>::new());
    assert_eq!(findings(&as_file), ["en-GB warning[symlink-as-file]"]);
    let warning = &as_file.findings[0];
    assert!(
        warning.message.contains("'en-US'") && warning.message.contains("core.symlinks=false"),
        "{}",
        warning.message
    );
    assert_eq!(validate(&link), (0, "2 locales, 0 errors, 0 warnings.".into()));
    assert_eq!(validate(&file), (0, "2 locales, 0 errors, 1 warning.".into()));
}

#[test]
fn crlf_line_ends_are_kept_inside_and_stripped_at_the_end() {
    let loaded = load(&fixture_tree("crlf"));
    assert_eq!(
        field(&loaded, "en-US", "description.txt").value,
        "First line.\r\nSecond line.\r\n\r\nLast line."
    );
    assert_eq!(field(&loaded, "en-US", "name.txt").value, "Windows Notes");
    assert_eq!(field(&loaded, "en-US", "keywords.txt").value, "notes,windows");
    assert_eq!(
        field(&loaded, "en-US", "support_url.txt").value,
        "https://example.com/help"
    );
    assert_eq!(findings(&loaded), Vec::<String>::new());
    assert_eq!(
        validate(&fixture_tree("crlf")),
        (0, "1 locale, 0 errors, 0 warnings.".into())
    );
}

#[test]
fn a_utf8_bom_is_removed_with_a_warning() {
    let loaded = load(&fixture_tree("bom"));
    assert_eq!(field(&loaded, "en-US", "name.txt").value, "BOM Notes");
    assert_eq!(field(&loaded, "en-US", "description.txt").value, "No mark here.");
    assert_eq!(findings(&loaded), ["en-US/name.txt warning[bom-removed]"]);
    assert_eq!(
        validate(&fixture_tree("bom")),
        (0, "1 locale, 0 errors, 1 warning.".into())
    );
}

#[test]
fn blank_and_whitespace_only_files_are_blank_not_absent() {
    let loaded = load(&fixture_tree("blank"));
    for file in [
        "subtitle.txt",
        "promotional_text.txt",
        "keywords.txt",
        "marketing_url.txt",
    ] {
        let v = field(&loaded, "en-US", file);
        assert!(v.is_blank() && !v.from_default, "{file}: {v:?}");
    }
    // A blank file blocks `default/`; an absent one is filled from it.
    let description = field(&loaded, "en-US", "description.txt");
    assert_eq!(description.value, "Default description.");
    assert!(description.from_default);
    let root = |f: RootField| &loaded.tree.root_fields[&f];
    assert_eq!(
        root(RootField::Category(CategorySlot::PrimaryCategory)).value,
        "PRODUCTIVITY"
    );
    assert!(
        root(RootField::Category(CategorySlot::SecondaryCategory)).is_blank(),
        "a zero-byte file"
    );
    assert!(
        root(RootField::Category(CategorySlot::PrimarySubcategoryOne)).is_blank(),
        "a single newline"
    );
    assert_eq!(findings(&loaded), Vec::<String>::new());
    assert_eq!(
        validate(&fixture_tree("blank")),
        (0, "1 locale, 0 errors, 0 warnings.".into())
    );
}

/// Git cannot store an empty folder, so the test makes `de-DE/` in a copy;
/// `fr-FR/` holds only a `.gitkeep`, as real trees keep such a folder.
#[test]
fn an_empty_locale_folder_enables_its_locale_and_gets_everything_from_default() {
    let fixture = fixture_tree("empty-locale");
    assert!(!fixture.join("de-DE").exists());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("metadata");
    copy_tree(&fixture, &root);
    std::fs::create_dir(root.join("de-DE")).unwrap();

    let loaded = load(&root);
    assert_eq!(locales(&loaded), ["de-DE", "en-US", "fr-FR"]);
    for locale in ["de-DE", "fr-FR"] {
        let values = &loaded.tree.locales[&Locale::exact(locale).unwrap()];
        assert_eq!(values.fields.len(), 2, "{locale}");
        assert!(values.fields.values().all(|v| v.from_default), "{locale}");
        assert_eq!(field(&loaded, locale, "name.txt").value, "Default Notes");
    }
    assert_eq!(field(&loaded, "en-US", "name.txt").value, "Own Notes");
    assert!(!field(&loaded, "en-US", "name.txt").from_default);
    assert!(field(&loaded, "en-US", "description.txt").from_default);
    assert_eq!(findings(&loaded), Vec::<String>::new());
    assert_eq!(validate(&root), (0, "3 locales, 0 errors, 0 warnings.".into()));
}

#[test]
fn unknown_folders_are_errors_with_a_hint_and_android_is_skipped() {
    let root = fixture_tree("unknown-folder");
    let loaded = load(&root);
    assert_eq!(locales(&loaded), ["en-US"]);
    assert_eq!(
        findings(&loaded),
        [
            "drafts error[unknown-folder]",
            "nb error[unknown-folder]",
            "zh_TW error[unknown-folder]",
        ]
    );
    let message = |folder: &str| {
        let f = loaded.findings.iter().find(|f| f.path.ends_with(&format!("/{folder}")));
        f.unwrap().message.clone()
    };
    assert!(message("nb").contains("did you mean 'no'?"), "{}", message("nb"));
    assert!(
        message("zh_TW").contains("did you mean 'zh-Hant'?"),
        "{}",
        message("zh_TW")
    );
    assert!(!message("drafts").contains("did you mean"), "{}", message("drafts"));
    assert_eq!(validate(&root), (1, "1 locale, 3 errors, 0 warnings.".into()));

    // unknown_folders = "warn": the same folders, skipped with a warning.
    let options = LoadOptions {
        unknown_folders: UnknownFolders::Warn,
        ..LoadOptions::default()
    };
    let warned = tree::load_dir(&root, &options);
    assert!(!warned.has_errors(), "{:#?}", warned.findings);
    assert_eq!(warned.findings.len(), 3);
    assert_eq!(locales(&warned), ["en-US"]);
}

#[test]
fn unknown_files_beside_known_ones_are_warnings_with_a_hint() {
    let loaded = load(&fixture_tree("unknown-files"));
    assert_eq!(field(&loaded, "en-US", "name.txt").value, "Busy Notes");
    assert_eq!(
        findings(&loaded),
        [
            "en-US/app_store_screenshot_1.txt warning[unknown-file]",
            "en-US/whats_new.txt warning[unknown-file]",
            "screenshots_text.txt warning[unknown-file]",
        ]
    );
    let hint = loaded
        .findings
        .iter()
        .find(|f| f.path.ends_with("whats_new.txt"))
        .unwrap();
    assert!(hint.message.contains("'release_notes.txt'"), "{}", hint.message);
}

/// deliver reads `review_first_name.txt` etc. before the current names, so
/// a legacy file wins even beside its current name.
#[test]
fn legacy_review_file_names_are_read_first_with_a_warning() {
    let loaded = load(&fixture_tree("legacy-review"));
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
            ("contactPhone", "+44 20 7946 0000"),
            ("contactEmail", "alice@example.com"),
            ("demoAccountName", "demo"),
            ("demoAccountPassword", "hunter2"),
            ("notes", "Old notes."),
        ]
    );
    assert!(
        loaded.tree.review[&ReviewField::Notes]
            .path
            .ends_with("review_information/review_notes.txt")
    );
    assert_eq!(loaded.tree.demo_account_required(), Some(true));
    let legacy = [
        "review_demo_password",
        "review_demo_user",
        "review_email",
        "review_first_name",
        "review_last_name",
        "review_notes",
        "review_phone_number",
    ]
    .map(|name| format!("review_information/{name}.txt warning[legacy-review-file]"));
    assert_eq!(findings(&loaded), legacy);
    let notes = loaded
        .findings
        .iter()
        .find(|f| f.path.ends_with("review_notes.txt"))
        .unwrap();
    assert!(
        notes.message.contains("'notes.txt' is ignored while it exists"),
        "{}",
        notes.message
    );
    // Renaming onto a name that is taken is no advice: keep one of the two.
    assert!(
        !notes.message.contains("rename") && notes.message.contains("delete 'review_notes.txt'"),
        "{}",
        notes.message
    );
    let alone = loaded
        .findings
        .iter()
        .find(|f| f.path.ends_with("review_first_name.txt"))
        .unwrap();
    assert!(
        alone.message.contains("rename it to 'first_name.txt'"),
        "{}",
        alone.message
    );
    assert_eq!(
        validate(&fixture_tree("legacy-review")),
        (0, "1 locale, 0 errors, 7 warnings.".into())
    );
}

/// Limits count characters, not bytes (100 three-byte keywords characters
/// pass), and the finding points at the first character over the limit,
/// past a leading blank line.
#[test]
fn text_over_apples_limits_is_an_error_at_the_first_character_over() {
    let root = fixture_tree("too-long");
    let loaded = load(&root);
    assert!(!loaded.has_errors(), "reading is fine, validation is not");
    assert_eq!(field(&loaded, "en-US", "description.txt").value.chars().count(), 4001);
    assert_eq!(
        findings(&loaded),
        [
            "en-US/description.txt:2:4001 error[too-long]",
            "en-US/keywords.txt:1:101 error[too-long]",
            "en-US/name.txt:1:31 error[too-long]",
            "en-US/promotional_text.txt:1:171 error[too-long]",
            "en-US/release_notes.txt:1:4001 error[too-long]",
            "en-US/subtitle.txt:1:31 error[too-long]",
        ]
    );
    assert_eq!(field(&loaded, "de-DE", "keywords.txt").value.len(), 300);
    assert_eq!(validate(&root), (1, "2 locales, 6 errors, 0 warnings.".into()));
}

/// Invisible characters and control characters are warnings with their
/// position; a no-break space or ZWNJ inside text is meant and not reported,
/// and NUL at the ends is stripped as `String#strip` does.
#[test]
fn invisible_and_control_characters_are_warnings_at_their_position() {
    let root = fixture_tree("invisible");
    let loaded = load(&root);
    assert_eq!(
        findings(&loaded),
        [
            "de-DE/subtitle.txt:1:4 warning[control-character]",
            "en-US/keywords.txt:1:7 warning[control-character]",
            "en-US/name.txt:1:5 warning[invisible-character]",
            "en-US/promotional_text.txt:1:6 warning[invisible-character]",
            "en-US/release_notes.txt:1:6 warning[invisible-character]",
            "en-US/subtitle.txt:1:1 warning[invisible-character]",
        ]
    );
    // Read as they are: the characters are reported, not removed.
    assert_eq!(field(&loaded, "en-US", "name.txt").value, "Zero\u{200B}Width");
    assert_eq!(field(&loaded, "en-US", "subtitle.txt").value, "\u{A0}Padded subtitle");
    assert_eq!(field(&loaded, "en-US", "keywords.txt").value, "one,tw\u{7}o");
    assert_eq!(field(&loaded, "de-DE", "name.txt").value, "Name");
    assert_eq!(field(&loaded, "de-DE", "subtitle.txt").value, "Sub\0title");
    assert!(field(&loaded, "en-US", "description.txt").value.contains("\u{200C}"));
    assert_eq!(validate(&root), (0, "2 locales, 0 errors, 6 warnings.".into()));
}

/// `String#strip`'s set (ASCII whitespace and NUL) is removed at both ends,
/// and nothing else: a no-break space stays, and is reported at the edge.
#[test]
fn padding_is_stripped_like_ruby_and_the_value_starts_where_the_text_does() {
    let loaded = load(&fixture_tree("padding"));
    let description = field(&loaded, "en-US", "description.txt");
    assert_eq!(description.value, "Starts after two blank lines.");
    assert_eq!(description.origin, (3, 3));
    assert_eq!(field(&loaded, "en-US", "name.txt").value, "Padded Notes");
    assert_eq!(field(&loaded, "en-US", "subtitle.txt").value, "\u{A0}Kept\u{A0}");
    assert_eq!(field(&loaded, "en-US", "keywords.txt").value, "notes,padding");
    assert_eq!(
        findings(&loaded),
        ["en-US/subtitle.txt:1:1 warning[invisible-character]"]
    );
}
