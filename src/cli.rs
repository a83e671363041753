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

    /// Run a local fake of App Store Connect, to rehearse a workflow
    /// without an account. Prints its base URL on the first line of stdout
    /// and serves until interrupted (Ctrl-C or SIGTERM).
    ///
    /// Point asc-sync at it with --api-base-url or ASC_API_BASE_URL.
    #[command(name = "fake-asc")]
    FakeAsc(Box<FakeAscArgs>),
}

#[derive(Debug, Args)]
pub struct FakeAscArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: String,

    /// Allow listening on a non-loopback address (the fake has no real security).
    #[arg(long)]
    pub listen_any: bool,

    /// Live state to start from (JSON, see the README).
    #[arg(long, value_name = "FILE", conflicts_with = "seed_tree")]
    pub state: Option<PathBuf>,

    /// Start from a live state equal to this metadata tree.
    #[arg(long, value_name = "DIR", requires = "bundle_id")]
    pub seed_tree: Option<PathBuf>,

    /// The app's bundle id, with --seed-tree.
    #[arg(long, value_name = "ID")]
    pub bundle_id: Option<String>,

    /// The platform of the seeded versions, with --seed-tree.
    #[arg(long, default_value = "IOS", value_name = "PLATFORM")]
    pub platform: String,

    /// Save the final state here when stopped.
    #[arg(long, value_name = "FILE")]
    pub state_out: Option<PathBuf>,

    /// A PEM public key; tokens must be signed by one of them (repeatable).
    /// Without any, token claims are still checked.
    #[arg(long, value_name = "PEM-FILE")]
    pub public_key: Vec<PathBuf>,

    /// Requests allowed per key id in a rolling hour.
    #[arg(long, default_value_t = 3600, value_name = "N")]
    pub rate_limit_per_hour: u32,

    /// Added to every API response.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,

    /// Random extra latency, up to this much.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub jitter_ms: u64,

    /// Answer 429 RATE_LIMIT_EXCEEDED with this probability.
    /// A rule is "P[ METHOD][ /path/glob][ xN]", e.g. "0.3 PATCH /v1/appStoreVersionLocalizations/*";
    /// xN fires at most N times.
    #[arg(long, value_name = "RULE")]
    pub fail_429: Option<crate::fake::FaultRule>,

    /// Send Retry-After: S with injected 429s.
    #[arg(long, value_name = "S")]
    pub retry_after: Option<u64>,

    /// Answer 500 with this probability (same rule syntax).
    #[arg(long, value_name = "RULE")]
    pub fail_5xx: Option<crate::fake::FaultRule>,

    /// Answer 401 NOT_AUTHORIZED as if the token had been revoked (same rule syntax).
    #[arg(long, value_name = "RULE")]
    pub fail_401: Option<crate::fake::FaultRule>,

    /// Close the connection without answering, with this probability.
    #[arg(long, value_name = "RULE")]
    pub drop: Option<crate::fake::FaultRule>,

    /// Apply a write, then close the connection without answering.
    #[arg(long, value_name = "RULE")]
    pub drop_after_write: Option<crate::fake::FaultRule>,

    /// Seed for every random choice, so a run can be repeated.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,
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
