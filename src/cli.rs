//! The command line, as the user types it. Doc comments here are the
//! `--help` text; nothing in this module does any work.

use crate::render::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  success: validate found no errors; plan found no differences (or some, without
     --detailed-exitcode); apply applied every change, or every change was live already
  1  error before any write: a tree with errors, a bad key, a usage error, an
     unsafe plan refused, a saved plan for another app or version, App Store
     Connect unreachable
  2  plan --detailed-exitcode: differences present: changes to apply, or blocked
     differences that App Store Connect does not let change now (drift between
     releases); pull --detailed-exitcode: files written (or to write, with --dry-run)
  3  apply: partial, some writes failed and the rest were applied
     (a new plan shows only what is left)
  4  apply: the saved plan is stale (the live listing changed), or does not follow
     from the tree it is applied in (other files, or an edited plan); nothing written

With several apps ([[apps]] in asc-sync.toml), every app is run and reported, and the
exit code is the worst app's: 1 over 4 over 3 over 2 over 0.";

const VALIDATE_EXIT_CODES: &str = "\
Exit codes:
  0  the tree has no errors (warnings allowed)
  1  the tree has errors, or an error before reading it (a usage error, a bad asc-sync.toml)

With several apps ([[apps]] in asc-sync.toml), every app is validated and reported, and
the exit code is the worst app's: 1 over 0.";

const PLAN_EXIT_CODES: &str = "\
Exit codes:
  0  no differences (or some, without --detailed-exitcode)
  1  error: a tree with errors, a bad key, a usage error, an unsafe plan refused,
     App Store Connect unreachable
  2  --detailed-exitcode: differences present: changes to apply, or blocked differences
     that App Store Connect does not let change now (drift between releases)

With several apps ([[apps]] in asc-sync.toml), every app is planned and reported, and
the exit code is the worst app's: 1 over 2 over 0.";

const APPLY_EXIT_CODES: &str = "\
Exit codes:
  0  every change applied, or every change was live already
  1  error before any write: a tree with errors, a bad key, a usage error, an
     unsafe plan refused, a saved plan for another app or version, App Store
     Connect unreachable
  3  partial: some writes failed and the rest were applied
     (a new plan shows only what is left)
  4  the saved plan is stale (the live listing changed), or does not follow
     from the tree it is applied in (other files, or an edited plan); nothing written

With several apps ([[apps]] in asc-sync.toml), every app is applied and reported, and
the exit code is the worst app's: 1 over 4 over 3 over 0.";

const PULL_EXIT_CODES: &str = "\
Exit codes:
  0  success: files written, or none to write (any, without --detailed-exitcode)
  1  error before any write: a tree with errors, a bad key, a usage error,
     App Store Connect unreachable
  2  --detailed-exitcode: files written (or to write, with --dry-run)

With several apps ([[apps]] in asc-sync.toml), every app is pulled and reported, and
the exit code is the worst app's: 1 over 2 over 0.";

/// For the commands that end in success or an error only.
const PLAIN_EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  error (a usage error too)";

#[cfg(feature = "fake")]
const DEMO_EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  error
  3  --apply: partial, some writes to the fake failed";

/// Keep App Store Connect text metadata in git: validate, plan, apply.
///
/// asc-sync reads a fastlane-style metadata tree (metadata/<locale>/*.txt)
/// exactly as fastlane deliver does, and checks it offline.
#[derive(Debug, Parser)]
#[command(
    name = "asc-sync",
    version = crate::LONG_VERSION,
    after_help = EXIT_CODES,
    propagate_version = true,
    max_term_width = 100
)]
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
    #[arg(short, long, action = clap::ArgAction::Count, global = true, help_heading = "Global")]
    pub verbose: u8,

    /// The settings file [default: ./asc-sync.toml when it exists].
    #[arg(long, value_name = "FILE", global = true, help_heading = "Global")]
    pub config: Option<PathBuf>,

    /// No colours, also when stdout is a terminal (NO_COLOR is honoured too).
    #[arg(long, global = true, help_heading = "Global")]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a metadata tree offline for what App Store Connect would refuse.
    ///
    /// Reports everything App Store Connect would refuse, and hygiene
    /// warnings. Sends nothing.
    #[command(after_help = VALIDATE_EXIT_CODES)]
    Validate(ValidateArgs),

    /// Show what apply would change on the App Store, per locale and field.
    ///
    /// Reads the live listing; writes nothing.
    #[command(after_help = PLAN_EXIT_CODES)]
    Plan(PlanArgs),

    /// Apply a saved plan, or plan and apply in one go after confirmation.
    ///
    /// A saved plan is refused if it does not follow from the tree here, or
    /// the live listing moved since; what is live already is not sent again.
    #[command(after_help = APPLY_EXIT_CODES)]
    Apply(ApplyArgs),

    /// Render a saved plan.
    #[command(after_help = PLAIN_EXIT_CODES)]
    Show(ShowArgs),

    /// Write the live listing into the tree: the App Store's edits into git.
    ///
    /// Writes only the files whose meaning differs from the App Store, so
    /// `git diff` shows just the web's edits and a plan afterwards shows No
    /// changes. Accepts the App Store's version into git; `apply` restores
    /// git's version instead.
    #[command(after_help = PULL_EXIT_CODES)]
    Pull(PullArgs),

    /// Start from the live listing: write asc-sync.toml and pull the tree.
    ///
    /// Finds the app, writes asc-sync.toml (bundle id, platform, metadata
    /// path) and pulls the tree into it.
    #[command(after_help = PLAIN_EXIT_CODES)]
    Init(InitArgs),

    /// Print a shell's completion script, or write every shell's into a folder.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),

    /// Print the manual page (roff), or write one page per command into a folder.
    ///
    /// Read it with: asc-sync man | man -l -
    #[command(after_help = PLAIN_EXIT_CODES)]
    Man(ManArgs),

    /// See the whole loop on a built-in fake App Store Connect.
    ///
    /// An example tree, a live listing that drifted, the plan, and with
    /// --apply the apply.
    #[cfg(feature = "fake")]
    #[command(after_help = DEMO_EXIT_CODES)]
    Demo(DemoArgs),

    /// Run a local fake of App Store Connect, to rehearse without an account.
    ///
    /// Prints its base URL on the first line of stdout and serves until
    /// interrupted (Ctrl-C or SIGTERM).
    ///
    /// Point asc-sync at it with --api-base-url or ASC_API_BASE_URL.
    #[cfg(feature = "fake")]
    #[command(name = "fake-asc", after_help = PLAIN_EXIT_CODES)]
    FakeAsc(Box<FakeAscArgs>),
}

#[cfg(feature = "fake")]
#[derive(Debug, Args)]
pub struct FakeAscArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: String,

    /// Allow listening on a non-loopback address (the fake has no real security).
    #[arg(long)]
    pub listen_any: bool,

    /// Live state to start from (JSON, see docs/fake-asc.md, "State").
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

    /// How long a committed screenshot or preview takes to process.
    #[arg(long, default_value_t = crate::fake::DEFAULT_PROCESSING_MS, value_name = "MS")]
    pub processing_ms: u64,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub apps: AppArgs,

    /// The metadata folder [default: metadata_path from asc-sync.toml, else fastlane/metadata].
    #[arg(long, value_name = "DIR", help_heading = "Tree")]
    pub metadata: Option<PathBuf>,

    /// The screenshots folder (<locale>/*.png|jpg) [default: screenshots_path
    /// from asc-sync.toml, else screenshots beside the metadata folder].
    #[arg(long, value_name = "DIR", help_heading = "Tree")]
    pub screenshots: Option<PathBuf>,

    /// The app previews folder (<locale>/*.mp4|mov|m4v) [default:
    /// app_previews_path from asc-sync.toml, else app_previews beside the
    /// metadata folder].
    #[arg(long, value_name = "DIR", help_heading = "Tree")]
    pub app_previews: Option<PathBuf>,

    /// Read the tree as it is in this git revision (branch, tag or sha),
    /// without touching the work tree.
    #[arg(long, value_name = "REV", help_heading = "Tree")]
    pub rev: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, help_heading = "Output")]
    pub format: Format,

    #[command(flatten)]
    pub findings: FindingArgs,

    #[command(flatten)]
    pub github: GithubArgs,
}

/// Which findings to report.
#[derive(Debug, Args, Clone, Default)]
pub struct FindingArgs {
    /// Do not report warnings with these codes (comma-separated, e.g.
    /// keyword-spaces,invisible-character); adds to [validate] ignore in
    /// asc-sync.toml. Errors are always reported.
    #[arg(long = "ignore", value_name = "CODES", value_delimiter = ',', help_heading = "Tree")]
    pub ignore: Vec<String>,
}

/// Which app, version and tree.
#[derive(Debug, Args, Clone, Default)]
pub struct TargetArgs {
    /// The metadata folder [default: metadata_path from asc-sync.toml, else fastlane/metadata].
    #[arg(long, value_name = "DIR", help_heading = "Tree")]
    pub metadata: Option<PathBuf>,

    /// The screenshots folder (<locale>/*.png|jpg) [default: screenshots_path
    /// from asc-sync.toml, else screenshots beside the metadata folder].
    #[arg(long, value_name = "DIR", help_heading = "Tree")]
    pub screenshots: Option<PathBuf>,

    /// The app previews folder (<locale>/*.mp4|mov|m4v) [default:
    /// app_previews_path from asc-sync.toml, else app_previews beside the
    /// metadata folder].
    #[arg(long, value_name = "DIR", help_heading = "Tree")]
    pub app_previews: Option<PathBuf>,

    /// Read the tree as committed in this git revision instead of the work tree.
    #[arg(long, value_name = "REV", help_heading = "Tree")]
    pub rev: Option<String>,

    /// The app's bundle id [default: bundle_id from asc-sync.toml].
    #[arg(long, value_name = "ID", help_heading = "Target")]
    pub bundle_id: Option<String>,

    /// IOS, MAC_OS, TV_OS or VISION_OS [default: platform from asc-sync.toml, else IOS].
    #[arg(long, value_name = "PLATFORM", help_heading = "Target")]
    pub platform: Option<String>,

    /// "editable" (the version being prepared), "live" (the version on sale:
    /// only promotional text can change), or a version string such as 2.1.
    #[arg(long = "app-version", value_name = "VERSION", help_heading = "Target")]
    pub app_version: Option<String>,
}

/// `--locale` and `--field`, read by [`crate::targeting::Targeting`].
#[derive(Debug, Args, Clone, Default)]
pub struct TargetingArgs {
    /// Only these locales (comma-separated, e.g. de-DE,fr-FR); app-wide
    /// values (copyright, categories, review details) are left out.
    #[arg(
        long = "locale",
        value_name = "LOCALES",
        value_delimiter = ',',
        help_heading = "Target"
    )]
    pub locales: Vec<String>,
    /// Only these fields (comma-separated), by API name (whatsNew),
    /// fastlane file name (release_notes.txt), screenshots or previews.
    #[arg(
        long = "field",
        value_name = "FIELDS",
        value_delimiter = ',',
        help_heading = "Target"
    )]
    pub fields: Vec<String>,
}

/// Which apps of an `asc-sync.toml` that lists several (`[[apps]]`).
#[derive(Debug, Args, Clone, Default)]
pub struct AppArgs {
    /// Only these apps of asc-sync.toml's [[apps]], by name (repeatable, or
    /// comma-separated) [default: every app it lists].
    #[arg(long = "app", value_name = "NAME", value_delimiter = ',', help_heading = "Target")]
    pub names: Vec<String>,
}

/// How to reach App Store Connect.
#[derive(Debug, Args, Clone, Default)]
pub struct ConnectionArgs {
    /// The API's base URL: https, or http to a loopback address (e.g. asc-sync fake-asc).
    #[arg(
        long,
        value_name = "URL",
        env = "ASC_API_BASE_URL",
        hide_env_values = true,
        help_heading = "Connection"
    )]
    pub api_base_url: Option<String>,

    /// The API key's id (else ASC_KEY_ID, else [auth] key_id).
    #[arg(long, value_name = "ID", help_heading = "Connection")]
    pub key_id: Option<String>,

    /// The API key's issuer id; omit for an individual key (else ASC_ISSUER_ID).
    #[arg(long, value_name = "UUID", help_heading = "Connection")]
    pub issuer_id: Option<String>,

    /// The .p8 private key file (else ASC_PRIVATE_KEY_PATH or ASC_PRIVATE_KEY).
    #[arg(long, value_name = "FILE", help_heading = "Connection")]
    pub private_key_path: Option<PathBuf>,

    /// A fastlane API-key JSON file (else ASC_API_KEY_PATH).
    #[arg(long, value_name = "FILE", help_heading = "Connection")]
    pub api_key_path: Option<PathBuf>,

    /// Most requests in flight [default: [apply] max_concurrency, else 8].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64), help_heading = "Connection")]
    pub max_concurrency: Option<u16>,

    /// Give up retrying after this many seconds in all.
    #[arg(long, value_name = "SECONDS", default_value_t = 900, help_heading = "Connection")]
    pub timeout: u64,

    /// Send at most N requests per rolling hour for each API key: this
    /// job's share of a key other jobs use too [default: [apply]
    /// hourly_budget, else Apple's budget alone].
    #[arg(
        help_heading = "Connection",
        long,
        value_name = "N",
        env = "ASC_HOURLY_BUDGET",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub hourly_budget: Option<u64>,
}

/// Formats of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub apps: AppArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub targeting: TargetingArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text, help_heading = "Output")]
    pub format: PlanFormat,

    /// Save the plan (JSON) for `asc-sync apply FILE`.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub out: Option<PathBuf>,

    /// Exit 2 when the live listing differs from the tree: changes to
    /// apply, or blocked differences (0 when none, 1 on error).
    #[arg(long, help_heading = "Output")]
    pub detailed_exitcode: bool,

    /// Delete live locales that the tree does not have (never the primary locale).
    #[arg(long, help_heading = "Safety")]
    pub allow_delete: bool,

    /// Allow a plan that deletes locales or clears more than 20% of the live values.
    #[arg(long, help_heading = "Safety")]
    pub allow_destructive: bool,

    /// Mark each change as "in this change" (the tree's files differ from
    /// this git revision) or "drift" (files unchanged, live value moved).
    #[arg(long, value_name = "BASE", help_heading = "Output")]
    pub changed_since: Option<String>,

    /// Write a pull-request comment body here: a stable hidden marker, then
    /// the Markdown plan, at most 65,536 characters.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub comment_out: Option<PathBuf>,

    #[command(flatten)]
    pub findings: FindingArgs,

    #[command(flatten)]
    pub github: GithubArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved by `asc-sync plan --out`. Without it, asc-sync plans,
    /// shows the plan and applies it after confirmation.
    #[arg(value_name = "PLAN")]
    pub plan: Option<PathBuf>,

    #[command(flatten)]
    pub apps: AppArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub targeting: TargetingArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Apply without asking (required when not on a terminal).
    #[arg(long, help_heading = "Safety")]
    pub auto_approve: bool,

    /// Format of the final report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, help_heading = "Output")]
    pub format: ReportFormat,

    /// Without a plan file: delete live locales the tree does not have.
    #[arg(long, help_heading = "Safety")]
    pub allow_delete: bool,

    /// Without a plan file: allow deleting locales or clearing over 20% of live values.
    #[arg(long, help_heading = "Safety")]
    pub allow_destructive: bool,

    /// Refuse a saved plan that was not made from this commit. Without it,
    /// a saved plan is checked against the files it was made from, which
    /// survives merge commits, squashes and rebases.
    #[arg(long, value_name = "SHA", requires = "plan", help_heading = "Safety")]
    pub expect_commit: Option<String>,

    /// Write the apply report as a pull-request comment body here.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub comment_out: Option<PathBuf>,

    #[command(flatten)]
    pub findings: FindingArgs,

    #[command(flatten)]
    pub github: GithubArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan saved by `asc-sync plan --out`.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,

    #[arg(long, value_enum, default_value_t = PlanFormat::Text, help_heading = "Output")]
    pub format: PlanFormat,
}

#[cfg(feature = "fake")]
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Apply the plan too, then plan again to show that nothing is left.
    #[arg(long)]
    pub apply: bool,

    /// Accept the web's edits instead: pull them into a temporary copy of
    /// the example tree, then plan again to show that nothing is left.
    #[arg(long, conflicts_with = "apply")]
    pub pull: bool,
}

#[derive(Debug, Args)]
// Pull writes the work tree: reading a committed revision means nothing here.
#[command(mut_arg("rev", |a| a.hide(true)))]
pub struct PullArgs {
    #[command(flatten)]
    pub apps: AppArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub targeting: TargetingArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Output format: text, markdown (a pull request's body) or json.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text, help_heading = "Output")]
    pub format: PlanFormat,

    /// Show what would be written, and write nothing.
    #[arg(long, help_heading = "Safety")]
    pub dry_run: bool,

    /// Exit 2 when files were written (or would be, with --dry-run); 0 when none, 1 on error.
    #[arg(long, help_heading = "Output")]
    pub detailed_exitcode: bool,

    /// Write the review demo password too. Without it, its file is left as
    /// it is: the password is a secret and does not belong in git.
    #[arg(long, help_heading = "Safety")]
    pub include_secrets: bool,

    /// Also write the Markdown summary here, as the body of a pull request
    /// that brings the App Store's edits into git.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub body_out: Option<PathBuf>,

    #[command(flatten)]
    pub github: GithubArgs,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The app's bundle id [default: the only app the API key can see].
    #[arg(long, value_name = "ID", help_heading = "Target")]
    pub bundle_id: Option<String>,

    /// IOS, MAC_OS, TV_OS or VISION_OS [default: the platform the app has
    /// versions for; IOS when it has several].
    #[arg(long, value_name = "PLATFORM", help_heading = "Target")]
    pub platform: Option<String>,

    /// Where the tree goes, relative to the settings file [default: fastlane/metadata].
    #[arg(long, value_name = "DIR", help_heading = "Tree")]
    pub metadata: Option<PathBuf>,

    /// "editable" (the default), "live" or a version string; written to
    /// asc-sync.toml when given.
    #[arg(long = "app-version", value_name = "VERSION", help_heading = "Target")]
    pub app_version: Option<String>,

    /// Replace an existing asc-sync.toml (with a new file: its other
    /// settings are not kept).
    #[arg(long, help_heading = "Safety")]
    pub force: bool,

    /// Write the review demo password too (see pull).
    #[arg(long, help_heading = "Safety")]
    pub include_secrets: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

const COMPLETIONS_HELP: &str = "\
Install:
  bash        asc-sync completions bash > ~/.local/share/bash-completion/completions/asc-sync
  zsh         asc-sync completions zsh > ~/.zfunc/_asc-sync   (with fpath+=~/.zfunc before compinit)
  fish        asc-sync completions fish > ~/.config/fish/completions/asc-sync.fish
  powershell  asc-sync completions powershell | Out-String | Invoke-Expression   (in $PROFILE)";

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, required_unless_present = "out_dir")]
    pub shell: Option<clap_complete::Shell>,

    /// Write the script of every shell into this folder instead, each under
    /// the name its shell looks for (asc-sync.bash, _asc-sync, asc-sync.fish, ...).
    #[arg(long, value_name = "DIR", conflicts_with = "shell")]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write asc-sync.1 and a page per command (asc-sync-plan.1, ...) into
    /// this folder instead.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// GitHub Actions integration.
#[derive(Debug, Args, Clone, Default)]
pub struct GithubArgs {
    /// Write the job summary ($GITHUB_STEP_SUMMARY), step outputs
    /// ($GITHUB_OUTPUT) and annotations. On by itself when GITHUB_ACTIONS=true.
    #[arg(long, help_heading = "Output")]
    pub github: bool,

    /// Do not, even inside GitHub Actions.
    #[arg(long, conflicts_with = "github", help_heading = "Output")]
    pub no_github: bool,

    /// In GitHub mode, write no annotations (for a step after `validate`,
    /// which has annotated the files already). Findings are annotated once
    /// per job anyway: a later step with the same findings skips them.
    #[arg(long, help_heading = "Output")]
    pub no_annotations: bool,
}
