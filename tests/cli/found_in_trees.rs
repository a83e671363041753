//! Cases found on public trees (issue #22): invisible characters named
//! wherever they hide, a phone copied out of macOS Contacts, a pulled tree
//! that always validates and plans, hints for old genre names and near
//! ids, and a tree without any name file whose drift check can go green.
//! Each has a small fixture of its own under `fixtures/trees/`.

use crate::harness::{asc_sync, copy_tree, fixture_tree};
use crate::support::{Env, example_state, stderr, stdout};
use asc_sync::fake::State;
use serde_json::Value;
use std::path::Path;

const BUNDLE: &str = "com.example.marquee";

/// One finding as (file inside the tree, severity, code, line:column, message).
type Shown = (String, String, String, String, String);

/// `validate --format json` of a tree: the exit code, and each finding.
fn validate(root: &Path) -> (i32, Vec<Shown>) {
    let out = asc_sync()
        .args(["validate", "--format", "json", "--metadata", root.to_str().unwrap()])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    let text = |f: &Value, key: &str| f[key].as_str().unwrap_or_default().to_owned();
    let findings = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = text(f, "path");
            let file = path.rsplit("metadata/").next().unwrap().to_owned();
            let at = format!("{}:{}", f["line"], f["column"]);
            (file, text(f, "severity"), text(f, "code"), at, text(f, "message"))
        })
        .collect();
    (out.status.code().unwrap(), findings)
}

#[test]
fn a_phone_copied_from_macos_contacts_is_taken_and_its_bidi_marks_are_named() {
    let (code, findings) = validate(&fixture_tree("contacts-phone"));
    assert_eq!(code, 0, "{findings:#?}");
    let shown: Vec<(&str, &str, &str, &str)> = findings
        .iter()
        .map(|f| (f.0.as_str(), f.1.as_str(), f.2.as_str(), f.3.as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "review_information/phone_number.txt",
                "warning",
                "invisible-character",
                "1:1"
            ),
            (
                "review_information/phone_number.txt",
                "warning",
                "invisible-character",
                "1:18"
            ),
        ]
    );
    assert!(
        findings[0].4.contains("a left-to-right override (U+202D)"),
        "{}",
        findings[0].4
    );
    assert!(findings[0].4.contains("macOS Contacts"), "{}", findings[0].4);
    assert!(
        findings[1].4.contains("a pop directional formatting (U+202C)"),
        "{}",
        findings[1].4
    );
    assert!(
        !findings.iter().any(|f| f.4.contains("country code")),
        "never the wrong reason"
    );
}

#[test]
fn a_phone_with_no_break_spaces_is_taken_and_the_spaces_are_named() {
    let (code, findings) = validate(&fixture_tree("nbsp-phone"));
    assert_eq!(code, 0, "{findings:#?}");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!((f.2.as_str(), f.3.as_str()), ("invisible-character", "1:3"));
    assert!(
        f.4.contains("a no-break space (U+00A0) 3 times (the first is marked; at 1:3, 1:7, 1:11)"),
        "{}",
        f.4
    );
    assert!(f.4.contains("where a plain space is meant"), "{}", f.4);
}

#[test]
fn a_phone_that_is_wrong_says_what_is_wrong_with_the_invisible_characters_set_aside() {
    let t = crate::harness::TempTree::new(&[
        (
            "review_information/phone_number.txt",
            "\u{202D}555 0100\u{202C}".as_bytes(),
        ),
        ("en-US/name.txt", b"Marquee"),
    ]);
    let (code, findings) = validate(&t.metadata());
    assert_eq!(code, 1);
    let phone: Vec<_> = findings.iter().filter(|f| f.2 == "phone-format").collect();
    assert_eq!(phone.len(), 1, "{findings:#?}");
    assert!(
        phone[0]
            .4
            .starts_with("'555 0100' (invisible characters aside) is not a phone number"),
        "{}",
        phone[0].4
    );
    assert_eq!(findings.iter().filter(|f| f.2 == "invisible-character").count(), 2);
}

/// validate and the fake judge a phone alike: one rule, stated once on
/// each side.
#[test]
fn validate_and_the_fake_agree_on_every_phone() {
    for phone in [
        "+44 844 209 0611",
        "\u{202D}+44 844 209 0611\u{202C}",
        "+44 844 209 0611\u{202C}",
        "+1\u{A0}415\u{A0}555\u{A0}0100",
        "\u{202D}+1 415 555 0100\u{202C}",
        "+1 (650) 539-4696",
        "+49 (30) 1234-5678",
        "+819012345678",
        "650.539.4696",
        "1 650 539 4696",
        "+1 555 0100 123",
        "+1 555 0100",
        "+1 055 0100",
        "+10000000000",
        "555 0100",
        "(555) 010-0100",
        "+0 123 4567",
        "+44 (0) 844 209 06 11",
        "+1 555 CALL NOW",
        "+44 844 209 0611 ext. 2",
        "+",
        "call me",
    ] {
        let t = crate::harness::TempTree::new(&[("review_information/phone_number.txt", phone.as_bytes())]);
        let loaded = t.load();
        let refused = asc_sync::validate::validate(&loaded.tree)
            .iter()
            .any(|f| f.code.as_str() == "phone-format");
        let value = &loaded.tree.review.values().next().unwrap().value;
        let fake_takes = asc_sync::fake::apple::phone_is_valid(value)
            && asc_sync::fake::apple::phone_as_judged(value).len() <= asc_sync::fake::apple::MAX_PHONE_BYTES;
        assert_eq!(!refused, fake_takes, "{phone:?}");
    }
}

#[test]
fn a_bidi_control_in_a_promotional_text_is_named() {
    let (code, findings) = validate(&fixture_tree("bidi-promo"));
    assert_eq!(code, 0, "{findings:#?}");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(
        (f.0.as_str(), f.1.as_str(), f.2.as_str(), f.3.as_str()),
        ("ar-SA/promotional_text.txt", "warning", "invisible-character", "1:1")
    );
    assert!(f.4.contains("a right-to-left embedding (U+202B)"), "{}", f.4);
    assert!(f.4.contains("bidirectional control"), "{}", f.4);
}

#[test]
fn old_genre_names_fastlane_does_not_map_get_a_hint() {
    let (code, findings) = validate(&fixture_tree("old-genres"));
    assert_eq!(code, 1);
    let hints: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.0.as_str(), f.4.rsplit("; ").next().unwrap()))
        .collect();
    assert_eq!(
        hints,
        [
            ("primary_category.txt", "did you mean UTILITIES?"),
            ("secondary_category.txt", "did you mean STICKERS?"),
        ]
    );
}

#[test]
fn near_ids_get_a_hint_that_says_where_they_belong() {
    let (code, findings) = validate(&fixture_tree("near-ids"));
    assert_eq!(code, 1);
    let hints: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.0.as_str(), f.4.split_once("; ").unwrap().1))
        .collect();
    assert_eq!(
        hints,
        [
            ("primary_category.txt", "did you mean PHOTO_AND_VIDEO?"),
            ("secondary_first_sub_category.txt", "did you mean GAMES_ROLE_PLAYING?"),
        ]
    );
    let t = crate::harness::TempTree::new(&[("primary_category.txt", b"GAMES_ROLEPLAYING")]);
    let (_, findings) = validate(&t.metadata());
    assert!(
        findings[0]
            .4
            .ends_with("did you mean GAMES_ROLE_PLAYING? It is a subcategory of GAMES: put GAMES here and GAMES_ROLE_PLAYING in a subcategory file"),
        "{}",
        findings[0].4
    );
}

/// A live state equal to the tree at `root`.
fn seeded(root: &Path) -> State {
    let loaded = asc_sync::tree::load_dir(root, &Default::default());
    assert!(!loaded.has_errors(), "{:#?}", loaded.findings);
    State::from_tree(&loaded.tree, BUNDLE, "IOS")
}

async fn run(env: &Env, command: &str, metadata: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![command, "--bundle-id", BUNDLE, "--metadata", metadata.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.run(&args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pulled_tree_with_a_contacts_phone_validates_and_plans_no_changes() {
    let env = Env::new(seeded(&fixture_tree("contacts-phone"))).await;
    let pulled = env.dir.path().join("pulled/metadata");
    let out = run(&env, "pull", &pulled, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let phone = std::fs::read_to_string(pulled.join("review_information/phone_number.txt")).unwrap();
    assert_eq!(phone, "\u{202D}+44 844 209 0611\u{202C}\n", "written as it is live");
    let (code, findings) = validate(&pulled);
    assert_eq!(code, 0, "{findings:#?}");
    let plan = run(&env, "plan", &pulled, &["--detailed-exitcode"]).await;
    assert_eq!(plan.status.code(), Some(0), "{}{}", stdout(&plan), stderr(&plan));
    assert!(stdout(&plan).contains("No changes"), "{}", stdout(&plan));
}

/// Every refusal `validate` knows, held live: pull leaves its file (the
/// report says why, with the code), and the pulled tree validates and
/// plans with no changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_never_writes_a_value_validate_refuses() {
    type Seed = fn(&mut State);
    let cases: [(&str, &str, Seed); 11] = [
        ("en-US/description.txt", "invalid-characters", |s| {
            version_loc(s, "en-US", "description", "Now with rockets 🚀")
        }),
        ("en-US/promotional_text.txt", "too-long", |s| {
            version_loc(s, "en-US", "promotionalText", &"a".repeat(171))
        }),
        ("en-US/support_url.txt", "invalid-url", |s| {
            version_loc(s, "en-US", "supportUrl", "example.com/help")
        }),
        ("en-US/name.txt", "too-long", |s| {
            info_loc(s, "en-US", "name", "Marquee: the film journal for everyone")
        }),
        ("en-US/apple_tv_privacy_policy.txt", "control-character", |s| {
            info_loc(s, "en-US", "privacyPolicyText", "We collect nothing.\nReally.")
        }),
        ("review_information/phone_number.txt", "phone-format", |s| {
            review(s).contact_phone = Some("555 0100".into())
        }),
        ("primary_category.txt", "unknown-category", |s| {
            for info in &mut s.apps[0].app_infos {
                info.primary_category = Some("PHOTO_VIDEO".into());
            }
        }),
        ("primary_category.txt", "category-kind", |s| {
            for info in &mut s.apps[0].app_infos {
                info.primary_category = Some("GAMES_ACTION".into());
            }
        }),
        ("primary_first_sub_category.txt", "subcategory-parent", |s| {
            for info in &mut s.apps[0].app_infos {
                info.primary_category = Some("BUSINESS".into());
                info.primary_subcategory_one = Some("GAMES_ACTION".into());
            }
        }),
        ("secondary_category.txt", "same-category", |s| {
            for info in &mut s.apps[0].app_infos {
                info.primary_category = Some("BOOKS".into());
                info.secondary_category = Some("BOOKS".into());
            }
        }),
        ("en-US/keywords.txt", "invalid-characters", |s| {
            version_loc(s, "en-US", "keywords", "films,🎬")
        }),
    ];
    for (file, code, seed) in cases {
        let mut state = example_state();
        seed(&mut state);
        let env = Env::new(state).await;
        let pulled = env.dir.path().join("pulled/metadata");
        let out = run(&env, "pull", &pulled, &["--format", "json", "--include-secrets"]).await;
        assert_eq!(out.status.code(), Some(0), "{file}: {}", stderr(&out));
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let left: Vec<&Value> = report["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["action"] == "left")
            .collect();
        assert_eq!(left.len(), 1, "{file}: {report:#}");
        assert!(left[0]["path"].as_str().unwrap().ends_with(file), "{file}: {report:#}");
        let reason = left[0]["reason"].as_str().unwrap();
        assert!(reason.contains(&format!("({code}")), "{file}: {reason}");
        assert!(reason.contains("plan keeps the live value"), "{file}: {reason}");
        assert!(!pulled.join(file).exists(), "{file} is not written");
        let (status, findings) = validate(&pulled);
        assert_eq!(status, 0, "{file}: {findings:#?}");
        let plan = run(&env, "plan", &pulled, &["--detailed-exitcode"]).await;
        assert_eq!(
            plan.status.code(),
            Some(0),
            "{file}: {}{}",
            stdout(&plan),
            stderr(&plan)
        );
    }
}

fn version_loc(state: &mut State, locale: &str, attribute: &str, value: &str) {
    let loc = state.apps[0].app_store_versions[1].localization_mut(locale).unwrap();
    loc.attributes.insert(attribute.into(), Some(value.into()));
}

fn info_loc(state: &mut State, locale: &str, attribute: &str, value: &str) {
    for info in &mut state.apps[0].app_infos {
        let loc = info.localizations.iter_mut().find(|l| l.locale == locale).unwrap();
        loc.attributes.insert(attribute.into(), Some(value.into()));
    }
}

fn review(state: &mut State) -> &mut asc_sync::fake::state::ReviewDetail {
    state.apps[0].app_store_versions[1].review_detail.as_mut().unwrap()
}

/// A team that keeps the name on the web: no name.txt anywhere. A new
/// locale's app info cannot be created from the tree; the plan says so
/// once, and after the version localization is applied the drift check
/// is green.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tree_without_any_name_file_can_go_green() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live/metadata");
    copy_tree(&fixture_tree("no-name").join("en-US"), &live.join("en-US"));
    std::fs::write(live.join("en-US/name.txt"), "Marquee\n").unwrap();
    let env = Env::new(seeded(&live)).await;
    let tree = fixture_tree("no-name");

    let first = run(&env, "plan", &tree, &["--detailed-exitcode"]).await;
    assert_eq!(first.status.code(), Some(2), "{}{}", stdout(&first), stderr(&first));
    let text = stdout(&first);
    assert_eq!(text.matches("Apple requires a name").count(), 1, "said once: {text}");
    assert!(text.contains("Add de-DE/name.txt"), "{text}");
    assert!(!text.contains("blocked"), "{text}");

    let apply = run(&env, "apply", &tree, &["--auto-approve"]).await;
    assert_eq!(apply.status.code(), Some(0), "{}{}", stdout(&apply), stderr(&apply));

    let again = run(&env, "plan", &tree, &["--detailed-exitcode"]).await;
    assert_eq!(again.status.code(), Some(0), "{}{}", stdout(&again), stderr(&again));
    assert!(stdout(&again).contains("No changes"), "{}", stdout(&again));
    assert!(stdout(&again).contains("Add de-DE/name.txt"), "{}", stdout(&again));
}

/// The fake takes a Contacts phone as Apple does, and keeps it as sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contacts_phone_is_applied_as_it_is() {
    let tree = fixture_tree("contacts-phone");
    let mut state = seeded(&tree);
    review(&mut state).contact_phone = Some("+44 20 7946 0000".into());
    let env = Env::new(state).await;
    let apply = run(&env, "apply", &tree, &["--auto-approve"]).await;
    assert_eq!(apply.status.code(), Some(0), "{}{}", stdout(&apply), stderr(&apply));
    let stored = env.fake.state().apps[0].app_store_versions[1]
        .review_detail
        .clone()
        .unwrap()
        .contact_phone;
    assert_eq!(stored.as_deref(), Some("\u{202D}+44 844 209 0611\u{202C}"));
}

/// A URL refused for a space names the space, and where it is.
#[test]
fn a_url_refused_for_a_space_names_which_and_where() {
    let t = crate::harness::TempTree::new(&[("en-US/support_url.txt", "https://example.com/\u{A0}help".as_bytes())]);
    let (code, findings) = validate(&t.metadata());
    assert_eq!(code, 1);
    let refused: Vec<_> = findings.iter().filter(|f| f.2 == "invalid-url").collect();
    assert_eq!(refused.len(), 1, "{findings:#?}");
    assert_eq!(refused[0].3, "1:21");
    assert!(
        refused[0].4.contains("contains a no-break space (U+00A0)"),
        "{}",
        refused[0].4
    );
}
