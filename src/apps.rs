//! The results of a run over several apps (`[[apps]]` in `asc-sync.toml`):
//! one document per command with an entry per app, the totals, and the API
//! keys the run used. `format_version` 1, like every document asc-sync
//! writes; the plan's is [`crate::plan::AppsPlan`], since it is read back.
//!
//! ```text
//! apply:    { "format_version", "config",
//!             "summary": {applied, failed, skipped, already_applied, apps, refused, errors},
//!             "apps": [{ "name", "bundle_id", "platform",
//!                        "outcome": "applied" | "partial" | "refused" | "error",
//!                        "report"?: {one app's apply report}, "refused"?: "…", "error"?: "…" }],
//!             "keys": [{ "key_id", "apps", "requests" }] }
//! pull:     { "format_version", "config", "dry_run", "has_changes",
//!             "summary": {created, changed, left, unchanged, apps, errors},
//!             "apps": [{ "name", "bundle_id", "platform", "outcome": "changes" | "no_changes" | "error",
//!                        "report"?: {one app's pull report}, "error"?: "…" }],
//!             "keys": […] }
//! validate: { "format_version", "config", "ok", "summary": {apps, errors, warnings},
//!             "apps": [{ "name", "bundle_id", "platform", "ok", "report": {one tree's validation} }] }
//! ```

use crate::FORMAT_VERSION;
use crate::apply::{ApplyReport, ReportSummary};
use crate::plan::KeyUse;
use crate::pull::{PullReport, PullSummary};
use serde::Serialize;

/// Which app an entry is about.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AppId {
    pub name: String,
    pub bundle_id: String,
    pub platform: crate::model::Platform,
}

/// How one app's apply ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplyOutcome {
    /// Every change applied (or live already, or none to make).
    Applied,
    /// Some writes failed; the rest were applied.
    Partial,
    /// The app's part of the saved plan is stale or does not follow from
    /// its tree: nothing was written for it.
    Refused,
    /// An error before any write for this app.
    Error,
}

/// Why an app's apply stopped before any write.
#[derive(Clone, Debug, PartialEq)]
pub enum Halt {
    Error(String),
    Refused(String),
}

#[derive(Clone, Debug, Serialize)]
pub struct AppApply {
    #[serde(flatten)]
    pub app: AppId,
    pub outcome: ApplyOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ApplyReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl AppApply {
    pub fn new(app: AppId, result: Result<ApplyReport, Halt>) -> AppApply {
        let (outcome, report, refused, error) = match result {
            Ok(r) if r.is_partial() => (ApplyOutcome::Partial, Some(r), None, None),
            Ok(r) => (ApplyOutcome::Applied, Some(r), None, None),
            Err(Halt::Refused(text)) => (ApplyOutcome::Refused, None, Some(text), None),
            Err(Halt::Error(text)) => (ApplyOutcome::Error, None, None, Some(text)),
        };
        AppApply {
            app,
            outcome,
            report,
            refused,
            error,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AppsApplySummary {
    #[serde(flatten)]
    pub changes: ReportSummary,
    pub apps: usize,
    /// Apps whose part of a saved plan was refused.
    pub refused: usize,
    /// Apps that stopped on an error before any write.
    pub errors: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct AppsApply {
    pub format_version: u32,
    pub config: String,
    pub summary: AppsApplySummary,
    pub apps: Vec<AppApply>,
    pub keys: Vec<KeyUse>,
}

impl AppsApply {
    pub fn new(config: &str, apps: Vec<AppApply>, keys: Vec<KeyUse>) -> AppsApply {
        let mut summary = AppsApplySummary {
            apps: apps.len(),
            ..AppsApplySummary::default()
        };
        for app in &apps {
            match (&app.report, app.outcome) {
                (Some(r), _) => {
                    let (total, s) = (&mut summary.changes, &r.summary);
                    total.applied += s.applied;
                    total.failed += s.failed;
                    total.skipped += s.skipped;
                    total.already_applied += s.already_applied;
                }
                (None, ApplyOutcome::Refused) => summary.refused += 1,
                (None, _) => summary.errors += 1,
            }
        }
        AppsApply {
            format_version: FORMAT_VERSION,
            config: config.to_owned(),
            summary,
            apps,
            keys,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PullOutcome {
    Changes,
    NoChanges,
    Error,
}

#[derive(Clone, Debug, Serialize)]
pub struct AppPull {
    #[serde(flatten)]
    pub app: AppId,
    pub outcome: PullOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<PullReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl AppPull {
    pub fn new(app: AppId, result: Result<PullReport, String>) -> AppPull {
        match result {
            Ok(report) => AppPull {
                app,
                outcome: if report.has_changes {
                    PullOutcome::Changes
                } else {
                    PullOutcome::NoChanges
                },
                report: Some(report),
                error: None,
            },
            Err(error) => AppPull {
                app,
                outcome: PullOutcome::Error,
                report: None,
                error: Some(error),
            },
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AppsPullSummary {
    #[serde(flatten)]
    pub files: PullSummary,
    pub apps: usize,
    pub errors: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct AppsPull {
    pub format_version: u32,
    pub config: String,
    pub dry_run: bool,
    pub has_changes: bool,
    pub summary: AppsPullSummary,
    pub apps: Vec<AppPull>,
    pub keys: Vec<KeyUse>,
}

impl AppsPull {
    pub fn new(config: &str, dry_run: bool, apps: Vec<AppPull>, keys: Vec<KeyUse>) -> AppsPull {
        let mut summary = AppsPullSummary {
            apps: apps.len(),
            ..AppsPullSummary::default()
        };
        for app in &apps {
            let Some(r) = &app.report else {
                summary.errors += 1;
                continue;
            };
            let (total, s) = (&mut summary.files, &r.summary);
            total.created += s.created;
            total.changed += s.changed;
            total.left += s.left;
            total.unchanged += s.unchanged;
        }
        AppsPull {
            format_version: FORMAT_VERSION,
            config: config.to_owned(),
            dry_run,
            has_changes: apps.iter().any(|a| a.outcome == PullOutcome::Changes),
            summary,
            apps,
            keys,
        }
    }
}
