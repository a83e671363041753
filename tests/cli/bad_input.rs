//! Every kind of bad input ends in a finding that names its path, never a
//! panic, and the rest of the tree is still read.

use crate::harness::{TempTree, all_findings};
use asc_sync::findings::Finding;
use asc_sync::locale::Locale;
use asc_sync::model::Field;

fn only<'a>(findings: &'a [Finding], code: &str) -> &'a Finding {
    let hits: Vec<_> = findings.iter().filter(|f| f.code.as_str() == code).collect();
    assert_eq!(hits.len(), 1, "expected one {code}: {findings:#?}");
    hits[0]
}

#[test]
fn invalid_utf8_names_the_file_and_the_byte_offset() {
    let t = TempTree::new(&[
        ("en-US/description.txt", b"Hello\nw\xF6rld"),
        ("en-US/name.txt", b"Fine"),
    ]);
    let loaded = t.load();
    let f = only(&loaded.findings, "invalid-utf8");
    assert!(f.is_error());
    assert!(f.path.ends_with("metadata/en-US/description.txt"));
    assert!(f.message.contains("offset 7"), "{}", f.message);
    assert_eq!((f.line, f.column), (Some(2), Some(2)));
    // The other file of the locale is still read.
    assert_eq!(
        loaded.tree.locales[&Locale::exact("en-US").unwrap()].fields[&Field::Name].value,
        "Fine"
    );
}

#[test]
fn a_file_over_one_mebibyte_is_refused_unread() {
    let big = vec![b'a'; 1024 * 1024 + 1];
    let t = TempTree::new(&[("en-US/description.txt", &big)]);
    let loaded = t.load();
    let f = only(&loaded.findings, "file-too-large");
    assert!(
        f.path.ends_with("en-US/description.txt") && f.message.contains("1048577 bytes"),
        "{f}"
    );
}

#[test]
fn a_symlink_leading_outside_the_tree_is_never_followed() {
    let t = TempTree::new(&[("en-US/name.txt", b"Name")]);
    std::fs::write(t.dir.path().join("secret.txt"), "do not send me").unwrap();
    t.symlink("en-US/description.txt", "../../secret.txt");
    t.symlink("de-DE", "../../");
    let loaded = t.load();
    let hits: Vec<_> = loaded
        .findings
        .iter()
        .filter(|f| f.code.as_str() == "symlink-outside-tree")
        .collect();
    assert_eq!(hits.len(), 2, "{:#?}", loaded.findings);
    assert!(hits.iter().any(|f| f.path.ends_with("en-US/description.txt")));
    assert!(hits.iter().any(|f| f.path.ends_with("metadata/de-DE")));
    let en = &loaded.tree.locales[&Locale::exact("en-US").unwrap()];
    assert!(!en.fields.contains_key(&Field::Description));
    assert!(format!("{:?}", loaded.tree).find("do not send me").is_none());
}

#[test]
fn a_symlink_inside_the_tree_is_followed() {
    let t = TempTree::new(&[("en-US/release_notes.txt", b"Bug fixes\n")]);
    t.symlink("de-DE/release_notes.txt", "../en-US/release_notes.txt");
    t.symlink("en-GB", "en-US");
    let loaded = t.load();
    assert!(!loaded.has_errors(), "{:#?}", loaded.findings);
    for l in ["de-DE", "en-GB"] {
        assert_eq!(
            loaded.tree.locales[&Locale::exact(l).unwrap()].fields[&Field::WhatsNew].value,
            "Bug fixes"
        );
    }
}

#[test]
fn a_folder_where_a_file_is_expected_is_an_error() {
    let t = TempTree::new(&[("en-US/description.txt/oops.txt", b"x")]);
    let loaded = t.load();
    let f = only(&loaded.findings, "not-a-file");
    assert!(f.path.ends_with("en-US/description.txt"));
}

#[test]
fn an_unreadable_file_is_an_error_and_the_rest_is_read() {
    // Running as root makes permission bits meaningless, so a symlink loop
    // stands in for a file that cannot be opened.
    let t = TempTree::new(&[("en-US/name.txt", b"Name")]);
    t.symlink("en-US/keywords.txt", "keywords2.txt");
    t.symlink("en-US/keywords2.txt", "keywords.txt");
    let loaded = t.load();
    let f = only(&loaded.findings, "unreadable");
    assert!(f.path.ends_with("en-US/keywords.txt"), "{f}");
    assert!(
        loaded.tree.locales[&Locale::exact("en-US").unwrap()]
            .fields
            .contains_key(&Field::Name)
    );
}

#[test]
fn a_missing_metadata_folder_says_how_to_point_at_one() {
    let t = TempTree::new(&[]);
    let loaded = asc_sync::tree::load_dir(&t.dir.path().join("nope"), &Default::default());
    let f = only(&loaded.findings, "metadata-not-found");
    assert!(f.message.contains("--metadata"));
}

#[test]
fn all_problems_are_reported_together() {
    let t = TempTree::new(&[
        ("en-US/name.txt", "N".repeat(31).as_bytes()),
        ("en-US/description.txt", b"\xFF"),
        ("it-IT/name.txt", b"x"),
        ("fr-ca/name.txt", b"x"),
        ("fr-CA/name.txt", b"y"),
        ("de-DE/releasenotes.txt", b"x"),
        ("de-DE/support_url.txt", b"www.example.com"),
        ("ja/name.txt", b"\xEF\xBB\xBFName"),
    ]);
    let loaded = t.load();
    let codes: Vec<_> = all_findings(&loaded).iter().map(|f| f.code.as_str()).collect();
    for code in [
        "too-long",
        "invalid-utf8",
        "unknown-folder",
        "duplicate-locale",
        "unknown-file",
        "invalid-url",
        "bom-removed",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let hint = all_findings(&loaded)
        .into_iter()
        .find(|f| f.code.as_str() == "unknown-file")
        .unwrap();
    assert!(hint.message.contains("release_notes.txt"), "{}", hint.message);
    let ja = &loaded.tree.locales[&Locale::exact("ja").unwrap()].fields[&Field::Name];
    assert_eq!(ja.value, "Name");
}

#[test]
fn legacy_review_file_names_win_with_a_warning() {
    let t = TempTree::new(&[
        ("review_information/review_notes.txt", b"old"),
        ("review_information/notes.txt", b"new"),
    ]);
    let loaded = t.load();
    assert_eq!(loaded.tree.review[&asc_sync::model::ReviewField::Notes].value, "old");
    let f = only(&loaded.findings, "legacy-review-file");
    assert!(f.message.contains("notes.txt"));
}

#[test]
fn a_folder_name_in_the_wrong_case_is_read_as_apples_code() {
    let t = TempTree::new(&[("fr-ca/name.txt", b"Nom")]);
    let loaded = t.load();
    let f = only(&loaded.findings, "locale-case");
    assert!(!f.is_error() && f.message.contains("'fr-CA'"));
    let fr = &loaded.tree.locales[&Locale::exact("fr-CA").unwrap()];
    assert_eq!(fr.folder.as_deref(), Some("fr-ca"));
}

#[test]
fn a_nested_misplaced_locale_is_reported_and_ignored() {
    let t = TempTree::new(&[("sv/th/name.txt", b"x"), ("sv/name.txt", b"Namn")]);
    let loaded = t.load();
    let f = only(&loaded.findings, "nested-folder");
    assert!(f.path.ends_with("metadata/sv/th"));
}

#[test]
fn nul_and_ascii_whitespace_are_stripped_but_unicode_spaces_are_kept() {
    let t = TempTree::new(&[("en-US/subtitle.txt", "\0 \u{a0}Sub\u{a0}\t\r\n".as_bytes())]);
    let loaded = t.load();
    assert_eq!(
        loaded.tree.locales[&Locale::exact("en-US").unwrap()].fields[&Field::Subtitle].value,
        "\u{a0}Sub\u{a0}"
    );
    assert!(
        all_findings(&loaded)
            .iter()
            .any(|f| f.code.as_str() == "invisible-character")
    );
}

#[test]
fn a_symlink_checked_out_as_a_plain_file_is_read_as_the_link_means() {
    let t = TempTree::new(&[
        ("en-US/release_notes.txt", b"Bug fixes\n"),
        ("de-DE/release_notes.txt", b"../en-US/release_notes.txt"),
        ("fr-FR/release_notes.txt", b"../../../etc/passwd.txt"),
    ]);
    let loaded = t.load();
    let de = &loaded.tree.locales[&Locale::exact("de-DE").unwrap()].fields[&Field::WhatsNew];
    assert_eq!(de.value, "Bug fixes");
    assert!(de.path.ends_with("de-DE/release_notes.txt"));
    let f = only(&loaded.findings, "symlink-as-file");
    assert!(!f.is_error() && f.path.ends_with("de-DE/release_notes.txt"));
    let escape = only(&loaded.findings, "symlink-outside-tree");
    assert!(escape.path.ends_with("fr-FR/release_notes.txt"));
    assert!(
        !loaded.tree.locales[&Locale::exact("fr-FR").unwrap()]
            .fields
            .contains_key(&Field::WhatsNew)
    );
}
