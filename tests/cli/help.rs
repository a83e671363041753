//! `--help`: each line fits in 100 columns, the flags come under headings,
//! and each command lists the exit codes it can end with, no others.

use crate::harness::asc_sync;

/// Every command with its own `--help`, and the exit codes it can end
/// with; `None` for a command whose help has no exit-code section.
const COMMANDS: &[(&str, Option<&[u8]>)] = &[
    ("", Some(&[0, 1, 2, 3, 4])),
    ("validate", Some(&[0, 1])),
    ("plan", Some(&[0, 1, 2])),
    ("apply", Some(&[0, 1, 3, 4])),
    ("show", Some(&[0, 1])),
    ("pull", Some(&[0, 1, 2])),
    ("init", Some(&[0, 1])),
    ("completions", None),
    ("man", Some(&[0, 1])),
    ("demo", Some(&[0, 1, 3])),
    ("fake-asc", Some(&[0, 1])),
];

/// `asc-sync [COMMAND] FLAG`, on a terminal as wide as COLUMNS says.
fn help(command: &str, flag: &str, columns: &str) -> String {
    let mut cmd = asc_sync();
    if !command.is_empty() {
        cmd.arg(command);
    }
    let out = cmd.arg(flag).env("COLUMNS", columns).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "asc-sync {command} {flag}");
    String::from_utf8(out.stdout).unwrap()
}

/// The codes listed under "Exit codes:", one per line that starts with one.
fn exit_codes(help: &str) -> Option<Vec<u8>> {
    let (_, section) = help.split_once("\nExit codes:\n")?;
    Some(
        section
            .lines()
            .take_while(|l| !l.is_empty())
            .filter_map(|l| l.strip_prefix("  ")?.split_once("  ")?.0.parse().ok())
            .collect(),
    )
}

#[test]
fn every_help_line_fits_in_100_columns() {
    // Wider terminals too: the help is wrapped at 100 columns at most.
    for columns in ["100", "250"] {
        for (command, _) in COMMANDS {
            for flag in ["--help", "-h"] {
                let text = help(command, flag, columns);
                for line in text.lines() {
                    assert!(
                        line.chars().count() <= 100,
                        "asc-sync {command} {flag} (COLUMNS={columns}) has a line of {} columns:\n{line}",
                        line.chars().count()
                    );
                }
            }
        }
    }
}

#[test]
fn the_command_list_has_one_line_per_command() {
    let text = help("", "--help", "250");
    let (_, list) = text.split_once("\nCommands:\n").unwrap();
    let list: Vec<&str> = list.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(list.len(), COMMANDS.len(), "one line per command and help: {list:#?}");
    for (command, _) in COMMANDS.iter().filter(|(c, _)| !c.is_empty()) {
        assert!(
            list.iter().any(|l| l.trim_start().starts_with(&format!("{command} "))),
            "{command}: {list:#?}"
        );
    }
}

#[test]
fn plan_help_groups_its_flags_under_headings() {
    let text = help("plan", "--help", "100");
    let headings = ["Target:", "Tree:", "Connection:", "Output:", "Safety:", "Global:"];
    let at: Vec<usize> = headings
        .iter()
        .map(|h| {
            text.find(&format!("\n{h}\n"))
                .unwrap_or_else(|| panic!("plan --help has no heading {h}:\n{text}"))
        })
        .collect();
    // The global flags come together, after the command's own.
    assert!(at.iter().all(|&a| a <= at[5]), "{text}");
    let flag = |f: &str| {
        let matches: Vec<usize> = text.match_indices(&format!(" {f}\n")).map(|(i, _)| i).collect();
        assert_eq!(matches.len(), 1, "{f} once in plan --help:\n{text}");
        matches[0]
    };
    let under = |f: &str, heading: usize| {
        let i = flag(f);
        let next = at
            .iter()
            .filter(|&&a| a > at[heading])
            .min()
            .copied()
            .unwrap_or(usize::MAX);
        assert!(
            at[heading] < i && i < next,
            "{f} is not under {}:\n{text}",
            headings[heading]
        );
    };
    under("--bundle-id <ID>", 0);
    under("--locale <LOCALES>", 0);
    under("--metadata <DIR>", 1);
    under("--ignore <CODES>", 1);
    under("--key-id <ID>", 2);
    under("--format <FORMAT>", 3);
    under("--detailed-exitcode", 3);
    under("--allow-delete", 4);
    under("--config <FILE>", 5);
    under("--no-color", 5);
    // The short help has the same headings.
    let short = help("plan", "-h", "100");
    for h in headings {
        assert!(
            short.contains(&format!("\n{h}\n")),
            "plan -h has no heading {h}:\n{short}"
        );
    }
}

#[test]
fn each_command_lists_only_its_own_exit_codes() {
    for (command, codes) in COMMANDS {
        let text = help(command, "--help", "100");
        assert_eq!(
            exit_codes(&text).as_deref(),
            codes.as_deref(),
            "asc-sync {command} --help:\n{text}"
        );
    }
}
