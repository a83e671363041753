//! The pull-request workflow: job summary, sticky comment, annotations,
//! step outputs, git-aware plans, secrets, and the example workflows.

use crate::harness::{TempTree, example_metadata};
use crate::support::{Env, drifted_state, stderr, stdout};
use asc_sync::live::LiveLocalization;
use asc_sync::model::Field;
use asc_sync::plan::{DiffOptions, diff};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde_json::Value;
use std::collections::BTreeMap;
use strum::IntoEnumIterator;

const EVIL: &str = "Backticks ``` and ```` here\n</details><script>alert(1)</script>\nPing @org/team and @someone\n<img src=x onerror=alert(1)>";

/// 50 locales, 4,000-character descriptions, every field changed, with
/// adversarial text in every description.
fn large_plan() -> asc_sync::plan::Plan {
    let description: String = format!("{EVIL}\n{}", "All work and no play. ".repeat(200))
        .chars()
        .take(4000)
        .collect();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut version_locs = BTreeMap::new();
    let mut info_locs = BTreeMap::new();
    for (i, code) in asc_sync::locale::ALL.iter().enumerate() {
        for field in Field::iter() {
            let value = match field {
                Field::Description => description.clone(),
                Field::WhatsNew => format!("{EVIL}\nRelease {i}"),
                Field::Keywords => format!("new,keywords,{i}"),
                Field::PromotionalText => format!("Promo {i} @org/team"),
                Field::Name => format!("Name {i}"),
                Field::Subtitle => format!("Subtitle {i}"),
                Field::PrivacyPolicyText => format!("Policy {i} </details>"),
                _ => format!("https://example.com/{code}/{}", field.api_name()),
            };
            files.push((format!("{code}/{}", field.file_name()), value.into_bytes()));
        }
        let old = |resource: asc_sync::model::Localization| LiveLocalization {
            id: format!("{code}-{resource:?}"),
            values: resource.fields().map(|f| (f, Some("old value".to_owned()))).collect(),
        };
        version_locs.insert(code.to_string(), old(asc_sync::model::Localization::Version));
        info_locs.insert(code.to_string(), old(asc_sync::model::Localization::AppInfo));
    }
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    let t = TempTree::new(&refs);
    let loaded = t.load();
    assert!(
        !loaded.has_errors(),
        "{:?}",
        loaded.findings.iter().filter(|f| f.is_error()).collect::<Vec<_>>()
    );
    let mut live = crate::harness::live(vec![], vec![]);
    live.version.copyright = None;
    live.version.localizations = version_locs;
    live.app_info.as_mut().unwrap().localizations = info_locs;
    diff(&loaded.tree, &live, &DiffOptions::default())
}

/// Checks Markdown as GitHub would read it: every code block and every
/// `<details>` closed, no live HTML but ours, no @mention outside code.
fn check_markdown(md: &str) {
    let mut in_code = false;
    let mut details_open = 0i32;
    let mut code_blocks = 0;
    for event in Parser::new(md) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => {
                in_code = true;
                code_blocks += 1;
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Html(html) | Event::InlineHtml(html) => {
                assert!(!in_code);
                for tag in html.split('<').skip(1) {
                    let name: String = tag.chars().take_while(|c| *c != '>' && *c != ' ').collect();
                    match name.as_str() {
                        "details" => details_open += 1,
                        "/details" => details_open -= 1,
                        "summary" | "/summary" | "!--" => {}
                        other => panic!("unexpected live HTML <{other}> in {html}"),
                    }
                }
            }
            Event::Text(text) if !in_code => {
                assert!(
                    !text.contains("@org/team") && !text.contains("@someone"),
                    "a live @mention: {text}"
                );
                assert!(!text.contains("<script"), "{text}");
            }
            _ => {}
        }
    }
    assert!(!in_code, "a code block is left open");
    assert_eq!(details_open, 0, "a <details> is left open");
    assert!(code_blocks > 0);
}

#[test]
fn a_large_plan_fits_a_comment_and_a_summary_and_parses_cleanly() {
    let plan = large_plan();
    assert_eq!(plan.summary.update, 100);
    let md = asc_sync::render::plan::markdown(&plan);
    let body = asc_sync::github::comment_body(&plan.source.bundle_id, &md);
    assert!(body.starts_with("<!-- asc-sync plan: com.example.marquee -->\n"));
    assert!(body.chars().count() <= 65_536, "{}", body.chars().count());
    check_markdown(&body);

    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let gh = asc_sync::github::Github {
        step_summary: Some(summary.clone()),
        output: None,
    };
    for _ in 0..20 {
        gh.append_summary(&md).unwrap();
    }
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(written.len() <= asc_sync::github::SUMMARY_LIMIT, "{}", written.len());
    assert!(written.ends_with("a job summary holds at most 1 MiB._\n"));
}

#[test]
fn adversarial_text_is_escaped_in_every_part_of_the_markdown() {
    let md = asc_sync::render::plan::markdown(&large_plan());
    check_markdown(&md);
    assert!(
        md.contains("<script>alert(1)</script>"),
        "inside code blocks the text is shown as it is"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_github_writes_the_summary_the_outputs_and_the_comment() {
    let env = Env::new(drifted_state()).await;
    let summary = env.dir.path().join("summary.md");
    let output = env.dir.path().join("output.txt");
    let comment = env.dir.path().join("comment.md");
    let plan_path = env.dir.path().join("plan.json");
    let metadata = example_metadata();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_asc-sync"));
    cmd.current_dir(env.dir.path())
        .args([
            "plan",
            "--bundle-id",
            "com.example.marquee",
            "--metadata",
            metadata.to_str().unwrap(),
        ])
        .args([
            "--out",
            plan_path.to_str().unwrap(),
            "--comment-out",
            comment.to_str().unwrap(),
        ])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("ASC_KEY_ID", &env.signer.kid)
        .env("ASC_ISSUER_ID", "i")
        .env("ASC_PRIVATE_KEY_PATH", &env.key_path)
        .env("ASC_API_BASE_URL", &env.fake.base_url);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("### asc-sync plan for com.example.marquee"),
        "{summary}"
    );
    assert!(summary.contains("Plan: 2 to create, 2 to update, 0 to delete (4 requests)."));
    let outputs = std::fs::read_to_string(&output).unwrap();
    let expected = format!(
        "has_changes=true\nplan_path={}\ncreate=2\nupdate=2\ndelete=0\nblocked=0\n",
        plan_path.display()
    );
    assert_eq!(outputs, expected);
    let comment = std::fs::read_to_string(&comment).unwrap();
    assert!(comment.starts_with("<!-- asc-sync plan: com.example.marquee -->\n### asc-sync plan"));
    check_markdown(&comment);
    // --no-github turns it off even inside Actions.
    let quiet_summary = env.dir.path().join("quiet.md");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_asc-sync"));
    cmd.current_dir(env.dir.path())
        .args([
            "plan",
            "--no-github",
            "--bundle-id",
            "com.example.marquee",
            "--metadata",
            metadata.to_str().unwrap(),
        ])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &quiet_summary)
        .env("ASC_KEY_ID", &env.signer.kid)
        .env("ASC_PRIVATE_KEY_PATH", &env.key_path)
        .env("ASC_API_BASE_URL", &env.fake.base_url);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!quiet_summary.exists());
}

#[test]
fn validate_github_annotates_and_summarizes() {
    let t = TempTree::new(&[
        ("en-US/name.txt", "N".repeat(31).as_bytes()),
        ("en-US/keywords.txt", b"a, b"),
    ]);
    let summary = t.dir.path().join("summary.md");
    let output = t.dir.path().join("output.txt");
    let out = crate::harness::asc_sync()
        .args(["validate", "--github", "--metadata"])
        .arg(t.metadata())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("::error file=") && err.contains(",line=1,col=31,title=asc-sync too-long::"),
        "{err}"
    );
    assert!(err.contains("::warning file="), "{err}");
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("| ❌ | `too-long` |")
    );
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "errors=1\nwarnings=1\n");
}

pub fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_since_tells_this_change_from_drift_and_the_plan_records_its_commit() {
    // The live listing equals the base commit's tree, except a web edit to
    // the German release notes.
    let mut state = crate::support::example_state();
    let de = state.apps[0].app_store_versions[1].localization_mut("de-DE").unwrap();
    de.attributes
        .insert("whatsNew".into(), Some("Edited on the web".into()));
    let env = Env::new(state).await;
    let repo = env.dir.path();
    copy_tree(&example_metadata(), &repo.join("fastlane/metadata"));
    std::fs::write(repo.join("asc-sync.toml"), "bundle_id = \"com.example.marquee\"\n").unwrap();
    git(repo, &["init", "-q"]);
    git(repo, &["add", "fastlane", "asc-sync.toml"]);
    git(repo, &["commit", "-q", "-m", "base"]);
    std::fs::write(
        repo.join("fastlane/metadata/en-US/keywords.txt"),
        "movies,film,journal\n",
    )
    .unwrap();
    git(repo, &["commit", "-q", "-am", "new keywords"]);
    std::fs::write(repo.join(".gitignore"), "*.p8\nplan.json\n").unwrap();
    git(repo, &["add", ".gitignore"]);
    git(repo, &["commit", "-q", "-m", "ignore the key and the plan"]);
    let head = git(repo, &["rev-parse", "HEAD"]);

    let out = env
        .run(&[
            "plan",
            "--changed-since",
            "HEAD~2",
            "--format",
            "json",
            "--out",
            "plan.json",
        ])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let origins: Vec<(String, String)> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["locale"].as_str().unwrap().to_owned(),
                c["origin"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        origins,
        [
            ("de-DE".to_owned(), "drift".to_owned()),
            ("en-US".to_owned(), "change".to_owned())
        ]
    );
    assert_eq!(doc["source"]["commit"], head.as_str());
    assert_eq!(doc["source"]["dirty"], false);
    assert_eq!(doc["source"]["changed_since"], "HEAD~2");

    let text = env.run(&["plan", "--changed-since", "HEAD~2"]).await;
    assert!(
        stdout(&text).contains("de-DE (id verloc-") && stdout(&text).contains("[drift]"),
        "{}",
        stdout(&text)
    );
    assert!(stdout(&text).contains("[in this change]"));
    let md = env
        .run(&["plan", "--changed-since", "HEAD~2", "--format", "markdown"])
        .await;
    assert!(stdout(&md).contains("<summary>de-DE [drift]:"), "{}", stdout(&md));
    assert!(
        stdout(&md).contains("<summary>en-US [in this change]:"),
        "{}",
        stdout(&md)
    );

    let refused = env
        .run(&["apply", "plan.json", "--expect-commit", "0123456789abcdef"])
        .await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("--expect-commit") && stderr(&refused).contains(&head),
        "{}",
        stderr(&refused)
    );
    assert_eq!(env.writes(), 0);
    // A later commit on HEAD that leaves the metadata alone: applied as
    // reviewed, its files compared instead of its commit.
    std::fs::write(repo.join("README"), "x").unwrap();
    git(repo, &["add", "README"]);
    git(repo, &["commit", "-q", "-m", "later"]);
    let applied = env.run(&["apply", "plan.json", "--expect-commit", &head[..12]]).await;
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    assert!(
        stderr(&applied).contains("note: the plan was made from commit")
            && stderr(&applied).contains("its files are compared with the tree here instead"),
        "{}",
        stderr(&applied)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_password_never_shows_in_any_format() {
    let mut state = crate::support::example_state();
    let review = state.apps[0].app_store_versions[1].review_detail.as_mut().unwrap();
    review.demo_account_password = Some("old-Secret-9".into());
    let env = Env::new(state).await;
    let secret = "correct-horse-battery";
    let mut texts = Vec::new();
    for format in ["text", "markdown", "json"] {
        let out = env.plan(&["--format", format, "--github", "--out", "plan.json"]).await;
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out) + &stderr(&out);
        assert!(text.contains("(sensitive value changed)"), "{format}: {text}");
        texts.push(text);
    }
    texts.push(std::fs::read_to_string(env.dir.path().join("plan.json")).unwrap());
    for t in &texts {
        assert!(
            !t.contains(secret) && !t.contains("old-Secret-9"),
            "a secret leaked: {t}"
        );
    }
    // And the plan still applies the real value.
    let applied = env.run(&["apply", "plan.json"]).await;
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    assert!(!stdout(&applied).contains(secret) && !stderr(&applied).contains(secret));
    let state = env.fake.state();
    assert_eq!(
        state.apps[0].app_store_versions[1]
            .review_detail
            .as_ref()
            .unwrap()
            .demo_account_password
            .as_deref(),
        Some(secret)
    );
}

/// Every `asc-sync …` command line in a workflow's `run:` steps.
fn asc_sync_calls(value: &serde_yaml::Value, out: &mut Vec<String>) {
    match value {
        serde_yaml::Value::Mapping(m) => {
            for (k, v) in m {
                if k.as_str() == Some("run") {
                    let script = v.as_str().unwrap().replace("\\\n", " ");
                    for line in script.lines() {
                        let line = line.trim();
                        if line.starts_with("asc-sync ") {
                            out.push(line.to_owned());
                        }
                    }
                } else {
                    asc_sync_calls(v, out);
                }
            }
        }
        serde_yaml::Value::Sequence(items) => items.iter().for_each(|i| asc_sync_calls(i, out)),
        _ => {}
    }
}

#[test]
fn the_example_workflows_are_valid_and_use_flags_that_exist() {
    use clap::Parser;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/github");
    let mut calls = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let yaml: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            yaml.get("on").is_some() && yaml.get("jobs").is_some(),
            "{}",
            path.display()
        );
        let mut lines = Vec::new();
        asc_sync_calls(&yaml, &mut lines);
        // Each use of the action is checked like a command line too.
        let actions = crate::release::check_action_uses(&yaml);
        calls += actions;
        assert!(!lines.is_empty() || actions > 0, "{} calls no asc-sync", path.display());
        for line in lines {
            // Expressions and quotes as the shell would leave them.
            let mut words = Vec::new();
            let mut rest = line.as_str();
            while let Some(start) = rest.find("${{") {
                words.push(rest[..start].to_owned());
                rest = &rest[start..];
                let end = rest.find("}}").unwrap() + 2;
                words.push("EXPR".to_owned());
                rest = &rest[end..];
            }
            words.push(rest.to_owned());
            let joined = words.join("").replace('"', "");
            let args: Vec<&str> = joined.split_whitespace().collect();
            if let Err(e) = asc_sync::cli::Cli::try_parse_from(&args) {
                panic!("{}: `{line}` does not parse: {e}", path.display());
            }
            calls += 1;
        }
    }
    assert!(calls >= 4, "{calls}");
}

fn workflow(name: &str) -> (String, serde_yaml::Value) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/github")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    let yaml = serde_yaml::from_str(&text).unwrap();
    (text, yaml)
}

/// The steps of a workflow's one job, by name.
fn steps(yaml: &serde_yaml::Value) -> Vec<serde_yaml::Value> {
    let jobs = yaml["jobs"].as_mapping().unwrap();
    let job = jobs.values().next().unwrap();
    job["steps"].as_sequence().unwrap().clone()
}

#[test]
fn on_merge_the_example_applies_the_merged_pull_requests_plan_or_says_it_planned_afresh() {
    let (text, yaml) = workflow("asc-sync-apply.yml");
    assert!(
        text.contains("listPullRequestsAssociatedWithCommit"),
        "found by pull request"
    );
    let apply_steps = steps(&yaml);
    let fetch = apply_steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("dawidd6/action-download-artifact"))
        })
        .unwrap();
    assert_eq!(fetch["with"]["pr"], "${{ steps.pr.outputs.number }}");
    assert_eq!(fetch["with"]["workflow"], "asc-sync-plan.yml");
    let step = |name: &str| {
        apply_steps
            .iter()
            .find(|s| s["name"].as_str() == Some(name))
            .unwrap()
            .clone()
    };
    let reviewed = step("Apply the reviewed plan");
    assert_eq!(reviewed["with"]["command"], "apply");
    assert_eq!(
        reviewed["with"]["args"], "plan.json",
        "no --expect-commit: the plan is bound to its files"
    );
    let fallback = step("No reviewed plan, so plan and apply");
    assert!(fallback["with"]["args"].as_str().unwrap().contains("--auto-approve"));
    let said = step("Say which plan is applied")["run"].as_str().unwrap().to_owned();
    assert!(said.contains("GITHUB_STEP_SUMMARY") && said.contains("unreviewed"));
    // The pull request's artifact is the one the apply looks for.
    let (_, plan) = workflow("asc-sync-plan.yml");
    let planned = steps(&plan)
        .into_iter()
        .find(|s| s["name"].as_str() == Some("Plan"))
        .unwrap();
    assert_eq!(planned["with"]["plan-artifact"], fetch["with"]["name"]);
}

#[test]
fn the_example_plan_annotates_once_and_the_drift_check_fails_on_any_difference() {
    let (_, plan) = workflow("asc-sync-plan.yml");
    let plan_step = steps(&plan)
        .into_iter()
        .find(|s| s["name"].as_str() == Some("Plan"))
        .unwrap();
    assert!(plan_step["with"]["args"].as_str().unwrap().contains("--no-annotations"));
    // The drift check fails on differences of any kind: the action adds
    // --detailed-exitcode to plan, and fail-on-changes fails the step on 2.
    let (_, drift) = workflow("asc-sync-drift.yml");
    let check = steps(&drift)
        .into_iter()
        .find(|s| s["name"].as_str() == Some("Check for drift"))
        .unwrap();
    assert_eq!(check["with"]["command"], "plan");
    assert_eq!(check["with"]["fail-on-changes"], "true");
}

#[test]
fn the_matrix_example_runs_one_job_per_app_each_within_its_share_of_its_key() {
    use clap::Parser;
    let (text, yaml) = workflow("asc-sync-matrix.yml");
    let job = &yaml["jobs"]["app"];
    assert_eq!(
        job["strategy"]["fail-fast"], false,
        "one app's failure cancels no other"
    );
    assert_eq!(job["env"]["ASC_HOURLY_BUDGET"], "${{ matrix.budget }}");
    let mut per_key: BTreeMap<String, u64> = BTreeMap::new();
    for entry in job["strategy"]["matrix"]["include"].as_sequence().unwrap() {
        let budget = entry["budget"].as_u64().unwrap();
        let args = ["asc-sync", "plan", "--hourly-budget", &budget.to_string()];
        asc_sync::cli::Cli::try_parse_from(args).unwrap();
        *per_key.entry(entry["key"].as_str().unwrap().to_owned()).or_default() += budget;
        assert!(entry["app"].is_string());
    }
    for (key, total) in per_key {
        assert!(
            total <= 3420,
            "key {key}: {total} requests an hour is more than Apple's 3,600 less 5 %"
        );
    }
    // Every use of the action names this job's app.
    let job_steps = job["steps"].as_sequence().unwrap();
    let uses: Vec<&serde_yaml::Value> = job_steps
        .iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("asc-sync/asc-sync@")))
        .collect();
    assert!(uses.len() >= 3, "{uses:?}");
    for step in &uses {
        let args = step["with"]["args"].as_str().unwrap();
        assert!(args.contains("--app ${{ matrix.app }}"), "{args}");
    }
    assert!(crate::release::check_action_uses(&yaml) >= 3);
    let plan = uses.iter().find(|s| s["with"]["command"] == "plan").unwrap();
    let download = job_steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("dawidd6/action-download-artifact"))
        })
        .unwrap()["with"]
        .clone();
    assert_eq!(plan["with"]["plan-artifact"], "asc-sync-plan-${{ matrix.app }}");
    assert_eq!(download["name"], plan["with"]["plan-artifact"]);
    assert_eq!(download["workflow"], "asc-sync-matrix.yml");
    assert!(text.contains("[[apps]]"), "it says where the names come from");
}
