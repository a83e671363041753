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

/// `en-GB` as git checks out a folder symlink with `core.symlinks=false`:
/// a plain file holding `en-US`. fastlane skips it (it is not a folder);
/// asc-sync reads the folder it names, exactly as the real symlink is read,
/// and warns on the plain file.
#[test]
fn a_folder_symlink_checked_out_as_a_plain_file_is_read_as_the_link_means() {
    let files: &[(&str, &[u8])] = &[
        ("en-US/release_notes.txt", b"Bug fixes\n"),
        ("en-US/name.txt", b"Notes"),
    ];
    let as_link = TempTree::new(files);
    as_link.symlink("en-GB", "en-US");
    let as_file = TempTree::new(files);
    as_file.write("en-GB", b"en-US");
    let (as_link, as_file) = (as_link.load(), as_file.load());

    let gb = &as_file.tree.locales[&Locale::exact("en-GB").unwrap()];
    assert_eq!(gb.folder.as_deref(), Some("en-GB"));
    assert_eq!(gb.fields[&Field::WhatsNew].value, "Bug fixes");
    assert!(
        gb.fields[&Field::WhatsNew]
            .path
            .ends_with("metadata/en-GB/release_notes.txt")
    );
    let f = only(&as_file.findings, "symlink-as-file");
    assert!(!f.is_error() && f.path.ends_with("metadata/en-GB"), "{f}");
    assert!(f.message.contains("'en-US'"), "{}", f.message);
    assert_eq!(as_file.findings.len(), 1, "{:#?}", as_file.findings);
    assert!(as_link.findings.is_empty(), "{:#?}", as_link.findings);
    // Value for value what the real symlink reads, paths included.
    let strip = |l: &asc_sync::tree::Loaded| {
        let mut t = l.tree.clone();
        let root = t.root.clone();
        for v in t.locales.values_mut().flat_map(|v| v.fields.values_mut()) {
            v.path = v.path.replacen(&root, "metadata", 1);
        }
        t.root.clear();
        t
    };
    assert_eq!(strip(&as_file), strip(&as_link));
}

/// A plain file where a locale, `default/` or `review_information/` folder
/// belongs is never dropped without a word: a folder link that cannot be
/// followed is an error like the same broken or escaping symlink, and any
/// other file is a warning saying it is skipped.
#[test]
fn a_plain_file_named_like_a_folder_is_never_dropped_silently() {
    let t = TempTree::new(&[
        ("en-US/name.txt", b"Notes"),
        ("en-GB", b"en-AU"),
        ("fr-FR", b"../elsewhere"),
        ("de-DE", b"en-US/name.txt"),
        ("it", b"Italian notes, to do"),
        ("default", b"./default"),
    ]);
    let loaded = t.load();
    let at = |name: &str| {
        let hits: Vec<_> = loaded
            .findings
            .iter()
            .filter(|f| f.path.ends_with(&format!("metadata/{name}")))
            .collect();
        assert_eq!(hits.len(), 1, "{name}: {:#?}", loaded.findings);
        hits[0]
    };
    let missing = at("en-GB");
    assert_eq!(missing.code.as_str(), "unreadable");
    assert!(missing.is_error());
    assert!(
        missing.message.contains("'en-AU'") && missing.message.contains("en-AU is missing"),
        "{}",
        missing.message
    );
    assert_eq!(at("fr-FR").code.as_str(), "symlink-outside-tree");
    let not_a_folder = at("de-DE");
    assert_eq!(not_a_folder.code.as_str(), "not-a-file");
    assert!(not_a_folder.is_error() && not_a_folder.message.contains("not a folder"));
    let text = at("it");
    assert_eq!(text.code.as_str(), "not-a-file");
    assert!(!text.is_error() && text.message.contains("skipped"), "{text}");
    let looped = at("default");
    assert!(looped.is_error(), "{looped}");
    assert_eq!(
        loaded.tree.locales.keys().map(|l| l.code()).collect::<Vec<_>>(),
        ["en-US"]
    );
}

/// The same link as a real symlink is an `unreadable` error; as a plain
/// file it must not become the value, or the path would be sent to Apple.
#[test]
fn a_plain_file_link_to_a_missing_file_is_an_error_and_nothing_is_sent() {
    let t = TempTree::new(&[
        ("en-US/release_notes.txt", b"Bug fixes"),
        ("de-DE/release_notes.txt", b"../en-US/nope.txt"),
        // Not unmistakably a path: a URL without its scheme stays text.
        ("de-DE/marketing_url.txt", b"www.example.com/terms.txt"),
    ]);
    let loaded = t.load();
    let f = only(&loaded.findings, "unreadable");
    assert!(
        f.is_error() && f.path.ends_with("metadata/de-DE/release_notes.txt"),
        "{f}"
    );
    assert!(
        f.message.contains("'../en-US/nope.txt'") && f.message.contains("en-US/nope.txt is missing"),
        "{}",
        f.message
    );
    let de = &loaded.tree.locales[&Locale::exact("de-DE").unwrap()];
    assert!(!de.fields.contains_key(&Field::WhatsNew), "{de:#?}");
    assert_eq!(de.fields[&Field::MarketingUrl].value, "www.example.com/terms.txt");
    assert_eq!(loaded.findings.len(), 1, "{:#?}", loaded.findings);
}

/// Git never ends a link with a line break, but editors and hand-made
/// trees do.
#[test]
fn a_plain_file_link_with_a_trailing_line_end_is_still_a_link() {
    let t = TempTree::new(&[
        ("en-US/release_notes.txt", b"Bug fixes\n"),
        ("de-DE/release_notes.txt", b"../en-US/release_notes.txt\n"),
        ("fr-FR/release_notes.txt", b"../en-US/release_notes.txt\r\n"),
        ("en-GB", b"en-US\n"),
    ]);
    let loaded = t.load();
    for l in ["de-DE", "fr-FR", "en-GB"] {
        assert_eq!(
            loaded.tree.locales[&Locale::exact(l).unwrap()].fields[&Field::WhatsNew].value,
            "Bug fixes",
            "{l}"
        );
    }
    let warned: Vec<_> = loaded
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.path.rsplit("metadata/").next().unwrap()))
        .collect();
    assert_eq!(
        warned,
        [
            ("symlink-as-file", "de-DE/release_notes.txt"),
            ("symlink-as-file", "en-GB"),
            ("symlink-as-file", "fr-FR/release_notes.txt"),
        ]
    );
}

/// With `core.symlinks=false` every link of a chain is a plain file: each
/// is followed, as the chain of real symlinks would be, and a loop is an
/// error, never text.
#[test]
fn a_plain_file_link_to_another_plain_file_link_is_followed_to_the_text() {
    let t = TempTree::new(&[
        ("en-US/release_notes.txt", b"Bug fixes"),
        ("en-GB/release_notes.txt", b"../en-US/release_notes.txt"),
        ("de-DE/release_notes.txt", b"../en-GB/release_notes.txt"),
        ("fr-FR/release_notes.txt", b"../it/release_notes.txt"),
        ("it/release_notes.txt", b"../fr-FR/release_notes.txt"),
    ]);
    let loaded = t.load();
    let notes = |l: &str| {
        let fields = &loaded.tree.locales[&Locale::exact(l).unwrap()].fields;
        fields.get(&Field::WhatsNew).map(|v| v.value.clone())
    };
    assert_eq!(notes("de-DE").as_deref(), Some("Bug fixes"));
    assert_eq!(notes("fr-FR"), None);
    assert_eq!(notes("it"), None);
    let errors: Vec<_> = loaded.findings.iter().filter(|f| f.is_error()).collect();
    assert_eq!(errors.len(), 2, "{:#?}", loaded.findings);
    assert!(errors.iter().all(|f| f.code.as_str() == "unreadable"));
}

/// A path that stays inside the tree on paper but passes through a real
/// symlink leading out of it is refused like that symlink itself.
#[test]
fn a_plain_file_link_through_a_symlink_out_of_the_tree_is_never_followed() {
    let t = TempTree::new(&[("de-DE/release_notes.txt", b"../escape/secret.txt")]);
    std::fs::write(t.dir.path().join("secret.txt"), "do not send me").unwrap();
    t.symlink("escape", "..");
    t.write("en-GB", b"escape");
    let loaded = t.load();
    let hits: Vec<_> = loaded
        .findings
        .iter()
        .filter(|f| f.code.as_str() == "symlink-outside-tree")
        .map(|f| f.path.rsplit("metadata/").next().unwrap())
        .collect();
    assert_eq!(hits, ["de-DE/release_notes.txt", "en-GB"], "{:#?}", loaded.findings);
    assert!(format!("{:?}", loaded.tree).find("do not send me").is_none());
}

/// deliver reads the legacy name first, so the current file beside it is
/// ignored; the advice is to keep one, not to rename onto a taken name.
#[test]
fn a_legacy_review_file_beside_its_current_name_says_to_keep_one() {
    let t = TempTree::new(&[
        ("review_information/review_notes.txt", b"old"),
        ("review_information/notes.txt", b"new"),
    ]);
    let loaded = t.load();
    assert_eq!(loaded.tree.review[&asc_sync::model::ReviewField::Notes].value, "old");
    let f = only(&loaded.findings, "legacy-review-file");
    assert!(f.path.ends_with("review_information/review_notes.txt"), "{f}");
    assert!(!f.message.contains("rename it to 'notes.txt'"), "{}", f.message);
    assert!(
        f.message.contains("move the text you want into 'notes.txt'")
            && f.message.contains("delete 'review_notes.txt'"),
        "{}",
        f.message
    );
}

/// Every kind of invisible or control character in a value is reported,
/// once per character with how often it occurs and where it first does,
/// so one pass fixes them all.
#[test]
fn each_invisible_or_control_character_is_reported_with_its_count() {
    let t = TempTree::new(&[
        (
            "en-US/description.txt",
            "\u{A0}a\u{200B}b\u{7}c\u{200B}d\u{1}e\u{200B}\u{A0}".as_bytes(),
        ),
        ("en-US/name.txt", "One\u{200B}Space".as_bytes()),
    ]);
    let loaded = t.load();
    let found: Vec<(String, &str, Option<usize>)> = all_findings(&loaded)
        .iter()
        .map(|f| {
            let path = f.path.rsplit("metadata/").next().unwrap().to_owned();
            (path, f.code.as_str(), f.column)
        })
        .collect();
    assert_eq!(
        found,
        [
            ("en-US/description.txt".into(), "invisible-character", Some(1)),
            ("en-US/description.txt".into(), "invisible-character", Some(3)),
            ("en-US/description.txt".into(), "control-character", Some(5)),
            ("en-US/description.txt".into(), "control-character", Some(9)),
            ("en-US/name.txt".into(), "invisible-character", Some(4)),
        ]
    );
    let message = |column: usize| {
        let all = all_findings(&loaded);
        let f = all
            .iter()
            .find(|f| f.path.ends_with("description.txt") && f.column == Some(column));
        f.unwrap().message.clone()
    };
    assert!(message(1).contains("U+00A0) at both edges"), "{}", message(1));
    assert!(message(3).contains("U+200B) 3 times"), "{}", message(3));
    assert!(message(5).contains("U+0007"), "{}", message(5));
    assert!(message(9).contains("U+0001"), "{}", message(9));
    // One occurrence reads as it always has.
    let name = all_findings(&loaded)
        .into_iter()
        .find(|f| f.path.ends_with("name.txt"))
        .unwrap();
    assert!(
        name.message
            .starts_with("contains a zero-width space (U+200B), invisible"),
        "{}",
        name.message
    );
}

fn commit_all(repo: &git2::Repository) {
    let mut index = repo.index().unwrap();
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("Test", "test@example.com").unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "links", &tree, &[]).unwrap();
}

/// `--rev` reads plain-file links by the same rules as the work tree:
/// followed inside the tree, refused when they lead nowhere or outside.
#[test]
fn plain_file_links_read_the_same_from_git_as_from_disk() {
    let t = TempTree::new(&[
        ("en-US/release_notes.txt", b"Bug fixes"),
        ("de-DE/release_notes.txt", b"../en-US/release_notes.txt\n"),
        ("fr-FR/release_notes.txt", b"../en-US/nope.txt"),
        ("it/release_notes.txt", b"../escape/secret.txt"),
        ("en-GB", b"en-US"),
        ("en-AU", b"en-NZ"),
    ]);
    t.symlink("escape", "..");
    std::fs::write(t.dir.path().join("secret.txt"), "do not send me").unwrap();
    let repo = git2::Repository::init(t.dir.path()).unwrap();
    commit_all(&repo);
    let options = asc_sync::tree::LoadOptions::default();
    let from_git = asc_sync::tree::load_rev(&t.metadata(), "HEAD", &options).unwrap();
    let from_disk = t.load();
    let described = |l: &asc_sync::tree::Loaded| {
        let findings: Vec<_> = l
            .findings
            .iter()
            .map(|f| (f.code, f.path.clone(), f.severity))
            .collect();
        (findings, l.tree.clone())
    };
    assert_eq!(described(&from_git), described(&from_disk));
    let codes: Vec<_> = from_disk.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "symlink-as-file",
            "unreadable",
            "symlink-as-file",
            "unreadable",
            "symlink-outside-tree"
        ],
        "{:#?}",
        from_disk.findings
    );
}
