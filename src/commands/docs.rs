//! `asc-sync completions` and `asc-sync man`: shell completion scripts and
//! manual pages, generated from the command line's own definition
//! (`cli.rs`), so they cannot drift from `--help`. The release archives
//! ship both (`completions/`, `man/`), made by these commands.

use super::{Outcome, print};
use crate::cli::{Cli, CompletionsArgs, ManArgs};
use anyhow::Context;
use clap::{CommandFactory, ValueEnum};
use clap_complete::{Generator, Shell};
use clap_mangen::Man;
use clap_mangen::roff::{Roff, roman};
use std::path::Path;

const BIN: &str = "asc-sync";

pub fn completions(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    match (args.shell, args.out_dir) {
        (Some(shell), _) => print(&script(shell)?)?,
        (None, Some(dir)) => {
            create_dir(&dir)?;
            for shell in Shell::value_variants() {
                let path = dir.join(shell.file_name(BIN));
                std::fs::write(&path, script(*shell)?).with_context(|| format!("cannot write {}", path.display()))?;
                tracing::info!(path = %path.display(), "wrote completions");
            }
        }
        (None, None) => anyhow::bail!("name a shell, or give --out-dir"),
    }
    Ok(Outcome::Success)
}

/// One shell's completion script.
///
/// clap_complete's bash script completes nothing after a command when the
/// binary's name has a hyphen: its dispatch loop and its case arms spell
/// the state differently (clap-rs/clap#6421). Generated for `asc_sync`,
/// the two agree; only the last line, which registers the function for a
/// command name, then names `asc-sync`.
fn script(shell: Shell) -> anyhow::Result<String> {
    let mut cmd = Cli::command();
    let name = if shell == Shell::Bash { "asc_sync" } else { BIN };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut script);
    let script = String::from_utf8(script).context("a completion script is not UTF-8")?;
    Ok(match shell {
        Shell::Bash => {
            script
                .lines()
                .map(|line| {
                    if line.trim_start().starts_with("complete -F ") {
                        line.replace(" asc_sync", " asc-sync")
                    } else {
                        line.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        }
        _ => script,
    })
}

pub fn man(args: ManArgs) -> anyhow::Result<Outcome> {
    // As clap_mangen::generate_to prepares it: no `help` command, which
    // would list a page that does not exist.
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    match args.out_dir {
        Some(dir) => {
            create_dir(&dir)?;
            write_pages(&cmd, &dir).with_context(|| format!("cannot write the manual pages into {}", dir.display()))?;
        }
        None => print(&page(&cmd)?)?,
    }
    Ok(Outcome::Success)
}

/// `cmd`'s page and one for each of its commands, named as `man` looks
/// them up (asc-sync-plan.1).
fn write_pages(cmd: &clap::Command, dir: &Path) -> anyhow::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir)?;
    }
    let name = Man::new(cmd.clone()).get_filename();
    std::fs::write(dir.join(name), page(cmd)?)?;
    Ok(())
}

/// One manual page: clap_mangen's sections, and the text shown after
/// `--help` (the exit codes, how to install completions) as a section of
/// its own, unfilled so that its columns stay aligned.
fn page(cmd: &clap::Command) -> anyhow::Result<String> {
    let man = Man::new(cmd.clone().after_help(None::<&str>));
    let mut w = Vec::new();
    man.render_title(&mut w)?;
    man.render_name_section(&mut w)?;
    man.render_synopsis_section(&mut w)?;
    man.render_description_section(&mut w)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut w)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut w)?;
    }
    if let Some(after) = cmd.get_after_help() {
        after_help_section(&after.to_string()).to_writer(&mut w)?;
    }
    man.render_version_section(&mut w)?;
    String::from_utf8(w).context("a manual page is not UTF-8")
}

/// "Exit codes:\n  0 ..." becomes the section EXIT CODES with the lines
/// below it as they are.
fn after_help_section(text: &str) -> Roff {
    let (heading, body) = match text.split_once('\n') {
        Some((first, rest)) if first.ends_with(':') => (first.trim_end_matches(':').to_uppercase(), rest),
        _ => ("NOTES".to_owned(), text),
    };
    let mut roff = Roff::new();
    roff.control("SH", [heading.as_str()]).control("nf", []);
    for line in body.lines() {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
    roff
}

fn create_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}
