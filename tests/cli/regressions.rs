//! Bugs found in review, each pinned by the behaviour that was wrong.

use crate::harness::{TempTree, fixture_state};
use crate::support::{Env, stderr, stdout};
use std::path::Path;

fn pinned_plan() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/plan-v1/plan.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A plan file is user input: its `commit` may hold any text, and apply
/// must not cut it inside a character (it panicked with exit 101).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_whose_commit_is_not_ascii_applies_with_a_warning() {
    let env = Env::new(fixture_state("../plan-v1/live.json")).await;
    let mut plan = pinned_plan();
    // Its twelfth byte falls inside a character.
    plan["source"]["commit"] = "aéééééééé-commit".into();
    // The review change reads the demo password from a path relative to
    // the repository; this test applies the rest.
    plan["changes"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["resource_type"] != "appStoreReviewDetails");
    let path = env.dir.path().join("plan.json");
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    // Apply runs in a repository whose HEAD is another commit, where it
    // warns with both commits' ids.
    let repo = git2::Repository::init(env.dir.path()).unwrap();
    let sig = git2::Signature::now("t", "t@example.com").unwrap();
    let tree = repo.find_tree(repo.index().unwrap().write_tree().unwrap()).unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "empty", &tree, &[]).unwrap();

    let out = env.run(&["apply", path.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("made from commit aéééééééé-co, but HEAD is"),
        "{}",
        stderr(&out)
    );
}

/// The "clears too much" guard counts every live value a plan could
/// clear; it said "clears 2 of 1 live values (200%)" when the cleared
/// values were review details.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clear_guard_counts_review_values_in_its_base() {
    let state = fixture_state("../plan-v1/live.json");
    let env = Env::new(state).await;
    let t = TempTree::new(&[
        ("en-US/description.txt", b"Watch movies."),
        ("de-DE/description.txt", b"Filme schauen."),
        ("review_information/first_name.txt", b""),
        ("review_information/last_name.txt", b""),
        ("review_information/phone_number.txt", b""),
        ("review_information/email_address.txt", b""),
        ("review_information/notes.txt", b""),
    ]);
    let config = t.dir.path().join("asc-sync.toml");
    std::fs::write(&config, "blank_files = \"clear\"\n").unwrap();
    let out = env
        .run(&[
            "plan",
            "--config",
            config.to_str().unwrap(),
            "--bundle-id",
            "com.example.movies",
            "--metadata",
            t.metadata().to_str().unwrap(),
        ])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    // Live: 4 + 3 localized version values, copyright, 1 + 3 + 1 app-info
    // values (name, subtitle, privacy URL; de-DE name), the primary
    // category, 5 review texts: 18 in all.
    assert!(err.contains("clears 5 of 18 live values (28%"), "{err}");
}

/// A demo password file edited after the plan is named as such, not as
/// a response that "is not the expected JSON", and before any write: the
/// plan is bound to its files' digests (the password's keyed), so apply
/// refuses it whole (exit 4) without showing either password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_file_changed_after_the_plan_is_reported_as_such() {
    let env = Env::new(fixture_state("../plan-v1/live.json")).await;
    let t = TempTree::new(&[
        ("en-US/description.txt", b"Watch movies."),
        ("de-DE/description.txt", b"Filme schauen."),
        ("review_information/demo_user.txt", b"reviewer"),
        ("review_information/demo_password.txt", b"first secret"),
    ]);
    let plan = env.dir.path().join("plan.json");
    let metadata = t.metadata();
    let args = [
        "--bundle-id",
        "com.example.movies",
        "--metadata",
        metadata.to_str().unwrap(),
    ];
    let out = env
        .run(&[&["plan", "--out", plan.to_str().unwrap()][..], &args].concat())
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    t.write("review_information/demo_password.txt", b"second secret");
    env.fake.reset_log();
    let out = env.run(&["apply", plan.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(4), "{}", stdout(&out));
    let report = stderr(&out);
    assert!(
        report.contains("review_information/demo_password.txt: changed since the plan was made"),
        "{report}"
    );
    assert!(!report.contains("not the expected JSON"), "{report}");
    for text in [stdout(&out), stderr(&out), std::fs::read_to_string(&plan).unwrap()] {
        assert!(!text.contains("second secret") && !text.contains("first secret"));
    }
    assert_eq!(env.writes(), 0, "nothing was written");
}

/// A live app info refuses every field, privacy URLs too: the plan shows
/// the change as blocked with its reason, and apply never sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privacy_urls_on_a_live_app_info_are_blocked_and_never_sent() {
    let mut state = fixture_state("../plan-v1/live.json");
    state.apps[0].app_infos.retain(|i| i.state == "READY_FOR_DISTRIBUTION");
    let env = Env::new(state).await;
    let t = TempTree::new(&[
        ("en-US/description.txt", b"Watch movies."),
        ("en-US/privacy_url.txt", b"https://example.com/privacy-2026"),
        ("en-US/privacy_choices_url.txt", b"https://example.com/choices"),
        ("de-DE/description.txt", b"Filme schauen."),
    ]);
    let metadata = t.metadata();
    let args = [
        "--bundle-id",
        "com.example.movies",
        "--metadata",
        metadata.to_str().unwrap(),
    ];
    let out = env.run(&[&["plan"][..], &args].concat()).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("! update appInfoLocalizations en-US"), "{text}");
    assert!(
        text.contains(
            "blocked, not sent: privacyChoicesUrl cannot change while the app info is READY_FOR_DISTRIBUTION"
        ),
        "{text}"
    );
    assert!(
        text.contains("privacyPolicyUrl: \"https://example.com/privacy\""),
        "{text}"
    );
    // de-DE's app info, which the tree holds nothing for, is no change:
    // a note says what to add.
    assert!(
        text.contains("Plan: 0 to create, 0 to update, 0 to delete, 2 blocked"),
        "{text}"
    );
    assert!(text.contains("Add de-DE/name.txt"), "{text}");

    let out = env.run(&[&["apply", "--auto-approve"][..], &args].concat()).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(env.writes(), 0, "{:?}", env.fake.requests());
}

/// What apply cannot know offline, it reports as Apple says it, naming
/// the field: here an app name another app of the account already has.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_names_the_field_apple_pointed_at_in_every_report_format() {
    let mut state = fixture_state("../plan-v1/live.json");
    let mut other = state.apps[0].clone();
    other.id = "2".into();
    other.bundle_id = "com.example.other".into();
    for info in &mut other.app_infos {
        info.id = format!("{}-other", info.id);
        for l in &mut info.localizations {
            l.id = format!("{}-other", l.id);
            l.attributes.insert("name".into(), Some("Marquee".into()));
        }
    }
    other.app_store_versions.clear();
    state.apps.push(other);
    let env = Env::new(state).await;
    let t = TempTree::new(&[
        ("en-US/description.txt", b"Watch movies."),
        ("en-US/name.txt", b"Marquee"),
        ("de-DE/description.txt", b"Filme schauen."),
    ]);
    let metadata = t.metadata();
    let comment = env.dir.path().join("comment.md");
    let args = [
        "--bundle-id",
        "com.example.movies",
        "--metadata",
        metadata.to_str().unwrap(),
    ];
    let out = env
        .run(
            &[
                &[
                    "apply",
                    "--auto-approve",
                    "--format",
                    "json",
                    "--comment-out",
                    comment.to_str().unwrap(),
                ][..],
                &args,
            ]
            .concat(),
        )
        .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let failed = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "failed")
        .unwrap();
    let problem = &failed["error"]["problems"][0];
    assert_eq!(problem["field"], "name");
    assert_eq!(problem["code"], "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE.SAME_ACCOUNT");
    // The progress lines (stderr) and the Markdown report name it too.
    assert!(
        stderr(&out).contains("FAILED   update appInfoLocalizations en-US (name): 409 name: ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE.SAME_ACCOUNT The app name you entered is already being used"),
        "{}",
        stderr(&out)
    );
    let markdown = std::fs::read_to_string(&comment).unwrap();
    assert!(
        markdown.contains("| ❌ | update appInfoLocalizations | en-US | name | 409 name: ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE.SAME_ACCOUNT"),
        "{markdown}"
    );
}
