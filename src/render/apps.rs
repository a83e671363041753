//! A run over several apps for people: one section per app, as the run of
//! that app alone would print it, then a total; Markdown with a table of
//! the apps first, each app's part within its share of a comment.

use super::{count, markdown_cell as cell};
use crate::apps::{AppId, ApplyOutcome, AppsApply, AppsPull};
use crate::plan::{AppPlan, AppsPlan};
use crate::render::validation::ValidationReport;
use serde::Serialize;
use std::fmt::Write;

/// What a comment or a pull request's body holds at most.
const MARKDOWN_LIMIT: usize = crate::github::COMMENT_LIMIT;

/// The line that opens an app's section of text output.
pub fn section(name: &str, bundle_id: &str, platform: crate::model::Platform) -> String {
    format!("=== {name}: {bundle_id} ({platform}) ===\n")
}

fn section_of(app: &AppId) -> String {
    section(&app.name, &app.bundle_id, app.platform)
}

/// `Total, 2 apps:` (with how many of them failed at the end).
fn total_head(apps: usize) -> String {
    format!("Total, {}:", count(apps, "app"))
}

fn failed_tail(failed: usize, what: &str) -> String {
    match failed {
        0 => String::new(),
        n => format!("; {} {what}", count(n, "app")),
    }
}

/// Text cut to `limit` characters at a line, with a note.
fn within(text: String, limit: usize, note: &str) -> String {
    if text.chars().count() <= limit {
        return text;
    }
    let mut cut: String = text.chars().take(limit.saturating_sub(note.chars().count())).collect();
    if let Some(i) = cut.rfind('\n') {
        cut.truncate(i + 1);
    }
    cut + note
}

/// An error or refusal as a fenced block: its text may quote live values.
fn block(text: &str) -> String {
    let f = super::plan::fence(text);
    format!("{f}text\n{}\n{f}\n\n", text.trim_end())
}

pub fn plan_total(doc: &AppsPlan) -> String {
    let s = &doc.summary;
    let failed = failed_tail(s.failed, "could not be planned");
    if !doc.differs() {
        return format!("{} No changes{failed}.", total_head(s.apps));
    }
    let blocked = if s.blocked > 0 {
        format!(", {} blocked", s.blocked)
    } else {
        String::new()
    };
    format!(
        "{} {} to create, {} to update, {} to delete{blocked} ({}){failed}.",
        total_head(s.apps),
        s.create,
        s.update,
        s.delete,
        count(s.requests, "request")
    )
}

fn plan_line(app: &AppPlan) -> String {
    match (&app.plan, &app.error) {
        (Some(plan), _) => super::plan::summary_line(plan),
        (None, error) => format!("error: {}", error.as_deref().unwrap_or("not planned")),
    }
}

pub fn plan_text(doc: &AppsPlan, color: bool) -> String {
    let mut out = format!(
        "asc-sync plan for {} of {}\n\n",
        count(doc.apps.len(), "app"),
        doc.config
    );
    for app in &doc.apps {
        out.push_str(&section(&app.name, &app.bundle_id, app.platform));
        match &app.plan {
            Some(plan) => out.push_str(&super::plan::text(plan, color)),
            None => out.push_str(&(plan_line(app) + "\n")),
        }
        out.push('\n');
    }
    out + &plan_total(doc) + "\n"
}

pub fn plan_markdown(doc: &AppsPlan) -> String {
    let mut out = format!(
        "### asc-sync plan for {} of {}\n\n**{}**\n\n| app | bundle id | platform | plan |\n|---|---|---|---|\n",
        count(doc.apps.len(), "app"),
        cell(&doc.config),
        cell(&plan_total(doc))
    );
    for app in &doc.apps {
        let mark = if app.plan.is_some() { "" } else { "❌ " };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {mark}{} |",
            cell(&app.name),
            cell(&app.bundle_id),
            cell(app.platform.into()),
            cell(&plan_line(app))
        );
    }
    out.push('\n');
    let share = MARKDOWN_LIMIT.saturating_sub(out.chars().count() + 200) / doc.apps.len().max(1);
    for app in &doc.apps {
        match &app.plan {
            Some(plan) => out.push_str(&super::plan::markdown_within(plan, share)),
            None => {
                let _ = write!(out, "### {}: could not be planned\n\n", cell(&app.name));
                out.push_str(&block(app.error.as_deref().unwrap_or_default()));
            }
        }
        out.push('\n');
    }
    let note = "\n_The rest is cut: a comment holds at most 65,536 characters. Run `asc-sync plan` for all of it._\n";
    within(out, MARKDOWN_LIMIT, note)
}

pub fn apply_total(doc: &AppsApply) -> String {
    let s = &doc.summary;
    let already = if s.changes.already_applied > 0 {
        format!(", {} already applied", s.changes.already_applied)
    } else {
        String::new()
    };
    format!(
        "{} {} applied, {} failed, {} skipped{already}{}{}.",
        total_head(s.apps),
        s.changes.applied,
        s.changes.failed,
        s.changes.skipped,
        failed_tail(s.refused, "refused (nothing written)"),
        failed_tail(s.errors, "stopped by an error (nothing written)")
    )
}

fn apply_line(app: &crate::apps::AppApply) -> String {
    match (app.outcome, &app.report) {
        (ApplyOutcome::Refused, _) => {
            "refused: the saved plan is stale or does not follow from the tree; nothing was written".into()
        }
        (ApplyOutcome::Error, _) => format!("error: {}", app.error.as_deref().unwrap_or_default()),
        (_, Some(r)) if r.results.is_empty() => "nothing to apply".into(),
        (_, Some(r)) => format!(
            "{} applied, {} failed, {} skipped, {} already applied",
            r.summary.applied, r.summary.failed, r.summary.skipped, r.summary.already_applied
        ),
        (_, None) => String::new(),
    }
}

pub fn apply_text(doc: &AppsApply) -> String {
    let mut out = format!(
        "asc-sync apply for {} of {}\n\n",
        count(doc.apps.len(), "app"),
        doc.config
    );
    for app in &doc.apps {
        out.push_str(&section_of(&app.app));
        match (&app.report, &app.refused, &app.error) {
            (Some(r), _, _) if r.results.is_empty() => {
                out.push_str("Nothing to apply: the App Store matches the tree.\n")
            }
            (Some(r), _, _) => out.push_str(&super::report::text(r)),
            (None, Some(text), _) => out.push_str(text),
            (None, None, error) => {
                let _ = writeln!(out, "error: {}", error.as_deref().unwrap_or_default());
            }
        }
        out.push('\n');
    }
    out + &apply_total(doc) + "\n"
}

pub fn apply_markdown(doc: &AppsApply) -> String {
    let mut out = format!(
        "### asc-sync apply for {} of {}\n\n**{}**\n\n| app | bundle id | platform | result |\n|---|---|---|---|\n",
        count(doc.apps.len(), "app"),
        cell(&doc.config),
        cell(&apply_total(doc))
    );
    for app in &doc.apps {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&app.app.name),
            cell(&app.app.bundle_id),
            cell(app.app.platform.into()),
            cell(&apply_line(app))
        );
    }
    out.push('\n');
    for app in &doc.apps {
        match (&app.report, &app.refused, &app.error) {
            (Some(r), _, _) => out.push_str(&super::report::markdown(r)),
            (None, text, error) => {
                let what = if text.is_some() { "refused" } else { "error" };
                let _ = write!(out, "### {}: {what}\n\n", cell(&app.app.name));
                out.push_str(&block(text.as_deref().or(error.as_deref()).unwrap_or_default()));
            }
        }
        out.push('\n');
    }
    out
}

pub fn apply_json(doc: &AppsApply) -> String {
    serde_json::to_string_pretty(doc).expect("a report always serializes") + "\n"
}

pub fn pull_total(doc: &AppsPull) -> String {
    let s = &doc.summary;
    let (created, changed) = if doc.dry_run {
        ("to create", "to change")
    } else {
        ("created", "changed")
    };
    format!(
        "{} {} {created}, {} {changed}, {} left as it is, {} unchanged{}.",
        total_head(s.apps),
        count(s.files.created, "file"),
        s.files.changed,
        s.files.left,
        s.files.unchanged,
        failed_tail(s.errors, "stopped by an error (nothing written)")
    )
}

pub fn pull_text(doc: &AppsPull) -> String {
    let mut out = format!(
        "asc-sync pull for {} of {}\n\n",
        count(doc.apps.len(), "app"),
        doc.config
    );
    for app in &doc.apps {
        out.push_str(&section_of(&app.app));
        match &app.report {
            Some(r) => out.push_str(&super::pull::text(r)),
            None => {
                let _ = writeln!(out, "error: {}", app.error.as_deref().unwrap_or_default());
            }
        }
        out.push('\n');
    }
    out + &pull_total(doc) + "\n"
}

/// The body of one pull request for every app's files.
pub fn pull_markdown(doc: &AppsPull) -> String {
    let mut out = format!(
        "### asc-sync pull for {} of {}\n\n**{}**\n\n",
        count(doc.apps.len(), "app"),
        cell(&doc.config),
        cell(&pull_total(doc))
    );
    for app in &doc.apps {
        match &app.report {
            Some(r) => out.push_str(&super::pull::markdown(r)),
            None => {
                let _ = write!(out, "### {}: error\n\n", cell(&app.app.name));
                out.push_str(&block(app.error.as_deref().unwrap_or_default()));
            }
        }
        out.push('\n');
    }
    let note = "\n_The rest is cut: GitHub limits this text. Run `asc-sync pull --dry-run` to see it all._\n";
    within(out, MARKDOWN_LIMIT, note)
}

pub fn pull_json(doc: &AppsPull) -> String {
    serde_json::to_string_pretty(doc).expect("a pull report always serializes") + "\n"
}

/// `validate` over several apps: each tree's report, and the totals.
#[derive(Serialize)]
pub struct AppsValidation<'a> {
    pub format_version: u32,
    pub config: String,
    pub ok: bool,
    pub summary: ValidationTotals,
    pub apps: Vec<AppValidation<'a>>,
}

#[derive(Serialize)]
pub struct ValidationTotals {
    pub apps: usize,
    pub errors: usize,
    pub warnings: usize,
}

#[derive(Serialize)]
pub struct AppValidation<'a> {
    #[serde(flatten)]
    pub app: AppId,
    pub ok: bool,
    pub report: ValidationReport<'a>,
}

impl<'a> AppsValidation<'a> {
    pub fn new(config: &str, apps: Vec<AppValidation<'a>>) -> AppsValidation<'a> {
        let summary = ValidationTotals {
            apps: apps.len(),
            errors: apps.iter().map(|a| a.report.summary.errors).sum(),
            warnings: apps.iter().map(|a| a.report.summary.warnings).sum(),
        };
        AppsValidation {
            format_version: crate::FORMAT_VERSION,
            config: config.to_owned(),
            ok: summary.errors == 0,
            summary,
            apps,
        }
    }

    pub fn total(&self) -> String {
        let s = &self.summary;
        format!(
            "{} {}, {}.",
            total_head(s.apps),
            count(s.errors, "error"),
            count(s.warnings, "warning")
        )
    }
}

pub fn validation_text(doc: &AppsValidation) -> String {
    let mut out = String::new();
    for app in &doc.apps {
        out.push_str(&section_of(&app.app));
        out.push_str(&super::validation::text(&app.report));
        out.push('\n');
    }
    out + &doc.total() + "\n"
}

pub fn validation_markdown(doc: &AppsValidation) -> String {
    let mut out = format!("**{}**\n\n", cell(&doc.total()));
    for app in &doc.apps {
        let _ = write!(out, "#### {}: {}\n\n", cell(&app.app.name), cell(&app.app.bundle_id));
        out.push_str(&super::validation::markdown(&app.report));
        out.push('\n');
    }
    out
}

pub fn validation_json(doc: &AppsValidation) -> String {
    serde_json::to_string_pretty(doc).expect("a report always serializes") + "\n"
}

/// Every tree's annotations: they name their files, so one list serves.
pub fn validation_github(doc: &AppsValidation) -> String {
    doc.apps.iter().map(|a| super::validation::github(&a.report)).collect()
}
