//! What scripts and CI steps rely on: JSON whenever JSON is asked for,
//! GitHub outputs and summaries on every run, keys as CI secrets hold
//! them, usage errors before any request, runs limited with `--locale`
//! and `--field`, and findings reported once, or not at all when asked.

use crate::harness::{TempTree, example_metadata};
use crate::support::{Env, drifted_state, example_state, stderr, stdout};
use base64::Engine;
use serde_json::Value;

const BUNDLE: &str = "com.example.marquee";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_prints_json_and_writes_github_outputs_also_when_there_is_nothing_to_do() {
    let env = Env::new(example_state()).await;
    let summary = env.dir.path().join("summary.md");
    let output = env.dir.path().join("output.txt");
    let metadata = example_metadata();
    let mut cmd = env.command(&[
        "apply",
        "--auto-approve",
        "--bundle-id",
        BUNDLE,
        "--metadata",
        metadata.to_str().unwrap(),
        "--format",
        "json",
        "--github",
    ]);
    cmd.env("GITHUB_STEP_SUMMARY", &summary).env("GITHUB_OUTPUT", &output);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON, not text");
    assert_eq!(report["format_version"], 1);
    assert_eq!(report["summary"]["applied"], 0);
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "stale=false\napplied=0\nfailed=0\nskipped=0\nalready_applied=0\n"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.contains("### asc-sync apply for com.example.marquee") && summary.contains("Nothing to apply"),
        "{summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_agree_with_their_nouns() {
    let mut state = example_state();
    let de = state.apps[0].app_store_versions[1].localization_mut("de-DE").unwrap();
    de.attributes.insert("whatsNew".into(), Some("Alt".into()));
    let env = Env::new(state).await;
    let plan = env.plan(&[]).await;
    assert!(
        stdout(&plan).contains("Plan: 0 to create, 1 to update, 0 to delete (1 request)."),
        "{}",
        stdout(&plan)
    );
    let apply = env.apply(&[]).await;
    assert!(
        stdout(&apply).contains("Apply: 1 applied, 0 failed, 0 skipped (1 request, 1 attempt)."),
        "{}",
        stdout(&apply)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_changed_since_base_is_refused_before_any_request() {
    let env = Env::new(example_state()).await;
    crate::github::git(env.dir.path(), &["init", "-q"]);
    let out = env.plan(&["--changed-since", "no-such-branch"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--changed-since: git revision 'no-such-branch' not found"),
        "{}",
        stderr(&out)
    );
    assert!(env.fake.requests().is_empty(), "no request before the usage error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_key_secret_with_literal_newlines_or_in_base64_is_read() {
    let env = Env::new(example_state()).await;
    let pem = env.signer.private_pem.clone();
    let base64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let der = {
        use p256::pkcs8::DecodePrivateKey;
        use p256::pkcs8::EncodePrivateKey;
        p256::SecretKey::from_pkcs8_pem(&pem).unwrap().to_pkcs8_der().unwrap()
    };
    let forms = [
        ("real newlines", pem.clone()),
        ("literal \\n", pem.trim_end().replace('\n', "\\n")),
        ("base64 of the PEM", base64(pem.as_bytes())),
        ("base64 of the DER", base64(der.as_bytes())),
    ];
    for (what, key) in forms {
        let mut cmd = env.command(&[
            "plan",
            "--bundle-id",
            BUNDLE,
            "--metadata",
            example_metadata().to_str().unwrap(),
        ]);
        cmd.env_remove("ASC_PRIVATE_KEY_PATH").env("ASC_PRIVATE_KEY", &key);
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
    }
    let mut cmd = env.command(&[
        "plan",
        "--bundle-id",
        BUNDLE,
        "--metadata",
        example_metadata().to_str().unwrap(),
    ]);
    cmd.env_remove("ASC_PRIVATE_KEY_PATH")
        .env("ASC_PRIVATE_KEY", "not a key at all");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("ASC_PRIVATE_KEY") && stderr(&out).contains("with literal \\n line breaks, or in base64"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("not a key at all"), "the secret is never echoed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locale_and_field_limit_the_plan_and_the_apply_and_show_in_the_header() {
    let env = Env::new(drifted_state()).await;
    let out = env
        .plan(&[
            "--locale",
            "de-DE,en-US",
            "--field",
            "whatsNew,promotional_text.txt",
            "--format",
            "json",
        ])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let planned: Vec<(String, Vec<String>)> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let attrs = c["attributes"].as_object().unwrap().keys().cloned().collect();
            (c["locale"].as_str().unwrap().to_owned(), attrs)
        })
        .collect();
    assert_eq!(
        planned,
        [
            ("de-DE".to_owned(), vec!["whatsNew".to_owned()]),
            ("en-US".to_owned(), vec!["promotionalText".to_owned()]),
        ]
    );
    let text = env.plan(&["--locale", "de-DE", "--field", "whatsNew"]).await;
    assert!(
        stdout(&text).contains("Limited to locales de-DE; fields whatsNew (--locale, --field)"),
        "{}",
        stdout(&text)
    );

    let apply = env.apply(&["--locale", "en-US"]).await;
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert_eq!(env.writes(), 1, "only en-US: {:?}", env.fake.requests());
    let rest = env.plan(&["--format", "json"]).await;
    let doc: Value = serde_json::from_slice(&rest.stdout).unwrap();
    assert_eq!(doc["summary"]["requests"], 3, "de-DE and fr-FR are left");

    // A saved plan is applied as it was limited, and only so.
    let plan = env.dir.path().join("plan.json");
    env.plan(&["--locale", "de-DE", "--out", plan.to_str().unwrap()]).await;
    let other = env.run(&["apply", plan.to_str().unwrap(), "--locale", "fr-FR"]).await;
    assert_eq!(other.status.code(), Some(1));
    assert!(
        stderr(&other).contains("--locale and --field must be what the plan was made with (locales de-DE)"),
        "{}",
        stderr(&other)
    );
    let same = env.run(&["apply", plan.to_str().unwrap(), "--locale", "de-de"]).await;
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
}

/// A tree with two hygiene warnings and no error.
fn noisy_tree() -> TempTree {
    TempTree::new(&[
        ("en-US/name.txt", b"Movies"),
        ("en-US/keywords.txt", b"movies, film,diary"),
        ("en-US/description.txt", b"Watch\xc2\xa0"),
    ])
}

#[test]
fn warnings_can_be_ignored_by_code_in_the_config_or_with_a_flag_but_errors_cannot() {
    let t = noisy_tree();
    let run = |args: &[&str]| {
        crate::harness::asc_sync()
            .args(["validate", "--metadata"])
            .arg(t.metadata())
            .args(args)
            .output()
            .unwrap()
    };
    let all = stdout(&run(&[]));
    assert!(
        all.contains("warning[keyword-spaces]") && all.contains("warning[invisible-character]"),
        "{all}"
    );
    let flag = stdout(&run(&["--ignore", "keyword-spaces"]));
    assert!(
        !flag.contains("keyword-spaces") && flag.contains("invisible-character"),
        "{flag}"
    );
    let config = t.dir.path().join("asc-sync.toml");
    std::fs::write(
        &config,
        "[validate]\nignore = [\"keyword-spaces\", \"invisible-character\"]\n",
    )
    .unwrap();
    let quiet = stdout(&run(&["--config", config.to_str().unwrap()]));
    assert!(quiet.contains("0 errors, 0 warnings"), "{quiet}");

    std::fs::write(&config, "[validate]\nignore = [\"keyword-space\"]\n").unwrap();
    let typo = run(&["--config", config.to_str().unwrap()]);
    assert_eq!(typo.status.code(), Some(1));
    assert!(
        stderr(&typo)
            .contains("[validate] ignore: 'keyword-space' is not a finding code; did you mean 'keyword-spaces'?"),
        "{}",
        stderr(&typo)
    );
    t.write("en-US/name.txt", "N".repeat(31).as_bytes());
    let error = run(&["--ignore", "too-long"]);
    assert_eq!(error.status.code(), Some(1), "an error is still an error");
    assert!(stdout(&error).contains("error[too-long]"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_are_annotated_once_per_job_and_not_at_all_with_no_annotations() {
    let env = Env::new(example_state()).await;
    let t = noisy_tree();
    let runner_temp = tempfile::tempdir().unwrap();
    let step = |args: &[&str]| {
        let mut cmd = env.command(args);
        cmd.env("GITHUB_ACTIONS", "true").env("RUNNER_TEMP", runner_temp.path());
        cmd.output().unwrap()
    };
    let metadata = t.metadata();
    let m = metadata.to_str().unwrap();
    let validate = step(&["validate", "--metadata", m, "--format", "github"]);
    assert!(stdout(&validate).contains("::warning file="), "{}", stdout(&validate));
    let plan = step(&["plan", "--bundle-id", BUNDLE, "--metadata", m]);
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    assert!(!stderr(&plan).contains("::warning"), "{}", stderr(&plan));
    assert!(stderr(&plan).contains("annotated by an earlier step of this job"));

    let fresh_job = tempfile::tempdir().unwrap();
    let mut cmd = env.command(&["plan", "--bundle-id", BUNDLE, "--metadata", m, "--no-annotations"]);
    cmd.env("GITHUB_ACTIONS", "true").env("RUNNER_TEMP", fresh_job.path());
    let quiet = cmd.output().unwrap();
    assert!(!stderr(&quiet).contains("::"), "{}", stderr(&quiet));
    let mut cmd = env.command(&["plan", "--bundle-id", BUNDLE, "--metadata", m]);
    cmd.env("GITHUB_ACTIONS", "true").env("RUNNER_TEMP", fresh_job.path());
    let first = cmd.output().unwrap();
    assert!(stderr(&first).contains("::warning file="), "{}", stderr(&first));
}
