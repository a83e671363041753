//! asc-sync keeps an app's App Store text metadata in git and reconciles it
//! with App Store Connect, plan then apply, the way Terraform does.
//!
//! The data flows one way through the modules:
//!
//! ```text
//! tree (metadata/ on disk or in git) ──► validate ──► findings ──► render
//! ```
//!
//! `fields` is the shared vocabulary (file name ↔ API attribute ↔ limit),
//! `locale` the 50 App Store locale codes. `commands` wires the stages and
//! is the only place that prints; `cli` is only the user's words.

pub mod apply;
pub mod appstore;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
#[cfg(feature = "fake")]
pub mod fake;
pub mod fields;
pub mod findings;
pub mod github;
pub mod gitinfo;
pub mod live;
pub mod locale;
pub mod logging;
pub mod plan;
pub mod render;
pub mod settings;
pub mod tree;
pub mod validate;
