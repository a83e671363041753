//! `asc-sync validate` as a user runs it: exit codes and formats.

use crate::harness::{TempTree, asc_sync, example_metadata};
use predicates::str::contains;

#[test]
fn the_example_tree_is_valid() {
    asc_sync()
        .args(["validate", "--metadata"])
        .arg(example_metadata())
        .assert()
        .code(0)
        .stdout(contains("5 locales, 0 errors, 0 warnings."));
}

#[test]
fn a_31_character_name_fails_and_says_where_the_limit_and_the_length() {
    let t = TempTree::new(&[("en-US/name.txt", format!("{}\n", "N".repeat(31)).as_bytes())]);
    asc_sync()
        .args(["validate", "--metadata"])
        .arg(t.metadata())
        .assert()
        .code(1)
        .stdout(contains("en-US/name.txt:1:31: error[too-long]"))
        .stdout(contains("31 characters"))
        .stdout(contains("at most 30"));
}

#[test]
fn json_is_a_versioned_document() {
    let t = TempTree::new(&[
        ("en-US/name.txt", "N".repeat(31).as_bytes()),
        ("en-US/keywords.txt", b"a, b"),
    ]);
    let out = asc_sync()
        .args(["validate", "--format", "json", "--metadata"])
        .arg(t.metadata())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["warnings"], 1);
    assert_eq!(doc["locales"], serde_json::json!(["en-US"]));
    let f = &doc["findings"][1];
    assert_eq!(f["code"], "too-long");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"], 31);
    assert!(f["path"].as_str().unwrap().ends_with("en-US/name.txt"));
}

#[test]
fn github_annotations_stop_at_ten_per_code_then_count_the_rest() {
    let files: Vec<(String, Vec<u8>)> = asc_sync::locale::ALL[..13]
        .iter()
        .map(|l| (format!("{l}/name.txt"), "N".repeat(31).into_bytes()))
        .collect();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    let t = TempTree::new(&refs);
    let out = asc_sync()
        .args(["validate", "--format", "github", "--metadata"])
        .arg(t.metadata())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let errors: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 10, "{stdout}");
    assert!(
        errors[0].contains(",line=1,col=31,title=asc-sync too-long::"),
        "{}",
        errors[0]
    );
    assert!(
        stdout.contains("::notice title=too-long::3 more too-long findings"),
        "{stdout}"
    );
}

#[test]
fn usage_errors_exit_1_not_2() {
    asc_sync().args(["validate", "--no-such-flag"]).assert().code(1);
    asc_sync().args(["no-such-command"]).assert().code(1);
    asc_sync().args(["validate", "--format", "yaml"]).assert().code(1);
    asc_sync().arg("--help").assert().code(0).stdout(contains("Exit codes"));
}

#[test]
fn a_config_typo_is_an_error_naming_the_key() {
    let t = TempTree::new(&[("en-US/name.txt", b"Name")]);
    let config = t.dir.path().join("asc-sync.toml");
    std::fs::write(&config, "metadata_path = \"metadata\"\nunknown_folder = \"warn\"\n").unwrap();
    asc_sync()
        .current_dir(t.dir.path())
        .arg("validate")
        .assert()
        .code(1)
        .stderr(contains("asc-sync.toml"))
        .stderr(contains("line 2"))
        .stderr(contains("unknown_folder"));
}

#[test]
fn the_config_file_sets_the_metadata_path_and_unknown_folder_policy() {
    let t = TempTree::new(&[("en-US/name.txt", b"Name"), ("tlh/name.txt", b"x")]);
    let config = t.dir.path().join("asc-sync.toml");
    std::fs::write(&config, "metadata_path = \"metadata\"\n").unwrap();
    asc_sync()
        .current_dir(t.dir.path())
        .arg("validate")
        .assert()
        .code(1)
        .stdout(contains("error[unknown-folder]"));
    std::fs::write(&config, "metadata_path = \"metadata\"\nunknown_folders = \"warn\"\n").unwrap();
    asc_sync()
        .current_dir(t.dir.path())
        .arg("validate")
        .assert()
        .code(0)
        .stdout(contains("warning[unknown-folder]"));
}
