//! A warning that repeats across locales is told once in text, with its
//! count and its files' names; `-v`, JSON and GitHub annotations keep each.

use crate::harness::{Corpus, asc_sync, corpus_or_skip, fixture_tree};
use crate::support::{Env, stderr, stdout};
use std::path::Path;

fn validate(metadata: &Path, extra: &[&str]) -> std::process::Output {
    asc_sync()
        .arg("validate")
        .arg("--metadata")
        .arg(metadata)
        .args(extra)
        .output()
        .unwrap()
}

fn warning_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.contains("warning[")).collect()
}

fn json_findings(metadata: &Path) -> usize {
    let out = validate(metadata, &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["findings"].as_array().unwrap().len()
}

#[test]
fn warnings_that_repeat_across_locales_are_one_line_each_kind() {
    let tree = fixture_tree("repeated-warnings");
    let out = validate(&tree, &[]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let root = tree.display().to_string();
    assert_eq!(
        warning_lines(&text),
        [
            "warning[unknown-file]: 13 files: app_store_screenshot_{1..3}.txt, promo_screenshot_1.txt in 4 locales: not a metadata file, ignored".to_owned(),
            "warning[keyword-spaces]: 4 files: keywords.txt in 4 locales: spaces around commas use 1 of the 100 keyword characters; Apple needs only commas (\"one,two,three\")".to_owned(),
            // Alone of its kind: its own line, with its path.
            format!("{root}/en-US/whats_new.txt: warning[unknown-file]: not a metadata file, ignored; did you mean 'release_notes.txt'?"),
        ],
        "{text}"
    );
    assert!(
        text.contains("note: 17 warnings that repeat across locales are grouped above; -v lists each\n"),
        "{text}"
    );
    // The summary counts every warning.
    assert!(
        text.ends_with(&format!("{root}: 4 locales, 0 errors, 18 warnings.\n")),
        "{text}"
    );
}

#[test]
fn verbose_lists_every_warning_with_its_path() {
    let tree = fixture_tree("repeated-warnings");
    let text = stdout(&validate(&tree, &["-v"]));
    let lines = warning_lines(&text);
    assert_eq!(lines.len(), 18, "{text}");
    let root = tree.display().to_string();
    for locale in ["de-DE", "en-US", "fr-FR", "ja"] {
        for n in 1..=3 {
            let line = format!(
                "{root}/{locale}/app_store_screenshot_{n}.txt: warning[unknown-file]: not a metadata file, ignored"
            );
            assert!(lines.contains(&line.as_str()), "{line}\n{text}");
        }
        let line = format!(
            "{root}/{locale}/keywords.txt:1:7: warning[keyword-spaces]: spaces around commas use 1 of the 100 keyword characters; Apple needs only commas (\"one,two,three\")"
        );
        assert!(lines.contains(&line.as_str()), "{line}\n{text}");
    }
    assert!(!text.contains("note:"), "{text}");
}

#[test]
fn json_and_github_annotations_keep_every_finding() {
    let tree = fixture_tree("repeated-warnings");
    assert_eq!(json_findings(&tree), 18);
    let github = stdout(&validate(&tree, &["--format", "github"]));
    // At most ten annotations a code, as GitHub shows them, then the count.
    assert_eq!(github.matches("::warning file=").count(), 10 + 4, "{github}");
    assert!(
        github.contains("::notice title=unknown-file::4 more unknown-file findings"),
        "{github}"
    );
}

/// A warning that does not repeat across locales keeps its own line.
#[test]
fn a_warning_in_one_locale_only_is_not_grouped() {
    let tree = fixture_tree("unknown-files");
    let text = stdout(&validate(&tree, &[]));
    let root = tree.display().to_string();
    assert_eq!(
        warning_lines(&text),
        [
            format!("{root}/en-US/app_store_screenshot_1.txt: warning[unknown-file]: not a metadata file, ignored"),
            format!(
                "{root}/en-US/whats_new.txt: warning[unknown-file]: not a metadata file, ignored; did you mean 'release_notes.txt'?"
            ),
            format!(
                "{root}/screenshots_text.txt: warning[unknown-file]: not a metadata file at the top of the tree, ignored"
            ),
        ],
        "{text}"
    );
}

fn woocommerce() -> Option<std::path::PathBuf> {
    let trees = corpus_or_skip(Corpus::RealTrees)?;
    Some(trees.join("woocommerce__woocommerce-ios/metadata"))
}

/// woocommerce-ios: 117 warnings, 85 of them the same unknown-file in 17
/// locales, used to bury the result; they fit in a screen now.
#[test]
fn a_real_tree_validates_in_at_most_ten_warning_lines() {
    let Some(tree) = woocommerce() else { return };
    let findings = json_findings(&tree);
    assert!(findings > 100, "{findings}");
    let out = validate(&tree, &[]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(warning_lines(&text).len() <= 10, "{text}");
    assert!(text.contains("warning[unknown-file]: 85 files: app_store_screenshot_{1..5}.txt, promo_screenshot_{1..5}.txt in 17 locales: not a metadata file, ignored\n"), "{text}");
    let every = stdout(&validate(&tree, &["-v"]));
    assert_eq!(warning_lines(&every).len(), findings, "{every}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_tree_plans_in_at_most_ten_warning_lines() {
    let Some(tree) = woocommerce() else { return };
    let findings = json_findings(&tree);
    let loaded = asc_sync::tree::load_dir(&tree, &Default::default());
    assert!(!loaded.has_errors());
    let state = asc_sync::fake::State::from_tree(&loaded.tree, "com.example.real", "IOS");
    let env = Env::new(state).await;
    let args = [
        "plan",
        "--bundle-id",
        "com.example.real",
        "--metadata",
        tree.to_str().unwrap(),
    ];
    let out = env.run(&args).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(warning_lines(&text).len() <= 10, "{text}");
    let mut verbose = args.to_vec();
    verbose.push("-v");
    let every = stderr(&env.run(&verbose).await);
    assert_eq!(warning_lines(&every).len(), findings, "{every}");
}
