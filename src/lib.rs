//! asc-sync keeps an app's App Store text metadata in git and reconciles it
//! with App Store Connect, plan then apply, the way Terraform does.
//!
//! The data flows one way, and the modules follow it:
//!
//! ```text
//! tree ──► validate ──┐                 (metadata/ on disk or at a git rev → findings)
//!                     ├──► plan::diff ──► plan::check_safety ──► render ──► apply
//! client ──► live ────┘                 (App Store Connect now → Plan → text/Markdown/JSON → writes)
//! ```
//!
//! - `tree` reads a fastlane tree into typed values; `validate` predicts
//!   what Apple would refuse, offline; both report `findings`.
//! - `client` speaks App Store Connect's API (auth, JSON:API, retries,
//!   rate limits); `live` reads one app's current listing through it.
//! - `plan` diffs the tree against the live state into a `Plan`: data, not
//!   closures, saved and loaded as versioned JSON; `render` turns plans,
//!   reports and findings into text, Markdown, JSON and GitHub commands;
//!   `apply` sends what is not live yet of a plan, and refuses a stale one.
//!   A saved plan records digests of the files it was made from
//!   (`plan::content`, secrets keyed by the API key in `plan::secret`), so
//!   its apply can prove it still follows from the tree.
//! - `pull` goes the other way: the live state written back into the tree,
//!   only the files whose meaning differs, never through a link.
//! - `model` is the vocabulary they share: resources, attributes, the file
//!   for each, and the rules of Apple's that asc-sync predicts; `locale`
//!   the 50 App Store locale codes.
//! - `commands` wires the stages for each subcommand and is the only place
//!   that prints; `cli` is only the user's words and `settings` resolves
//!   them with `asc-sync.toml` and the environment. A run is a list of
//!   apps (`[[apps]]`, or one implicit app): every verb runs one per-app
//!   stage over it, concurrently, through one client per API key, and ends
//!   in one emit step; `apps` and `plan::AppsPlan` hold a list's documents.
//! - `fake` is a separate room: an App Store Connect of its own, with its
//!   own statement of Apple's rules, for tests, the demo and benchmarks.

pub mod apply;
pub mod apps;
pub mod cli;
pub mod client;
pub mod commands;
pub(crate) mod config;
#[cfg(feature = "fake")]
pub mod fake;
pub mod findings;
pub mod github;
pub(crate) mod gitinfo;
pub mod live;
pub mod locale;
pub mod logging;
pub mod model;
pub mod plan;
pub mod pull;
pub mod render;
pub(crate) mod settings;
pub mod targeting;
pub mod tree;
pub mod validate;

/// Version of every JSON document asc-sync writes (plans, reports,
/// validation results). Bumped only on a change that breaks readers;
/// additions keep it.
pub const FORMAT_VERSION: u32 = 1;

/// What `asc-sync --version` prints after the name: the version, and the
/// git commit when built from a checkout (see `build.rs`).
pub const LONG_VERSION: &str = env!("ASC_SYNC_LONG_VERSION");
