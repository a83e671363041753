//! The command line, as the user types it. Doc comments here are the
//! `--help` text; nothing in this module does any work.

use crate::render::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (validate: no errors; warnings allowed)
  1  error: the tree has errors, or the command could not run (usage errors too)";

/// Keep App Store Connect text metadata in git: validate, plan, apply.
///
/// asc-sync reads a fastlane-style metadata tree (metadata/<locale>/*.txt)
/// exactly as fastlane deliver does, and checks it offline.
#[derive(Debug, Parser)]
#[command(name = "asc-sync", version, after_help = EXIT_CODES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// More log detail on stderr: -v for progress, -vv for requests.
    /// RUST_LOG overrides it.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// The settings file [default: ./asc-sync.toml when it exists].
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// No colours, also when stdout is a terminal (NO_COLOR is honoured too).
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a metadata tree offline: everything App Store Connect would
    /// refuse, and hygiene warnings. Sends nothing.
    #[command(after_help = EXIT_CODES)]
    Validate(ValidateArgs),
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The metadata folder [default: metadata_path from asc-sync.toml, else fastlane/metadata].
    #[arg(long, value_name = "DIR")]
    pub metadata: Option<PathBuf>,

    /// Read the tree as it is in this git revision (branch, tag or sha),
    /// without touching the work tree.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}
