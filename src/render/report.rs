//! What `apply` did, per change: applied, failed (with Apple's code,
//! title and detail), skipped (blocked) or already applied (by an earlier
//! run), and what stopped a stale plan.

use super::{block, count, failed_tail, markdown_cell as cell, section_of, total_head};
use crate::apply::{ApplyReport, ChangeResult, Failure, MediaResult, ProductResult, ReleaseResult, Stale, Status};
use crate::apps::{AppApply, ApplyOutcome, AppsApply};
use crate::model::Attribute;
use std::fmt::Write;

fn names(attributes: &[Attribute]) -> String {
    attributes.iter().map(|a| a.api_name()).collect::<Vec<_>>().join(", ")
}

/// One line for a finished write, as progress when not on a terminal.
pub fn result_line(r: &ChangeResult) -> String {
    let what = match &r.locale {
        Some(l) => format!("{} {} {l}", r.action.verb(), r.resource),
        None => format!("{} {}", r.action.verb(), r.resource),
    };
    let attrs = if r.attributes.is_empty() {
        String::new()
    } else {
        format!(" ({})", names(&r.attributes))
    };
    status_line(
        r.status,
        r.error.as_ref(),
        r.reason.as_deref(),
        &format!("{what}{attrs}"),
    )
}

/// `applied  what`, `live     what: already applied`, `skipped  what: why`
/// or `FAILED   what: Apple's answer`: every result's line.
fn status_line(status: Status, error: Option<&Failure>, reason: Option<&str>, what: &str) -> String {
    match (status, error) {
        (Status::Applied, _) => format!("applied  {what}"),
        (Status::AlreadyApplied, _) => format!("live     {what}: already applied"),
        (Status::Skipped, _) => format!("skipped  {what}: {}", reason.unwrap_or("blocked")),
        (Status::Failed, Some(e)) => format!("FAILED   {what}: {}", failure_text(e)),
        (Status::Failed, None) => format!("FAILED   {what}"),
    }
}

/// A result's mark in a Markdown table.
fn icon(status: Status) -> &'static str {
    match status {
        Status::Applied => "✅",
        Status::AlreadyApplied => "☑️",
        Status::Skipped => "⛔",
        Status::Failed => "❌",
    }
}

/// One line for a finished screenshot or preview set.
pub fn media_line(r: &MediaResult) -> String {
    let what = format!("{} {}", r.slot.kind(), r.label());
    let mut done = Vec::new();
    if !r.uploaded.is_empty() {
        done.push(format!("{} uploaded", r.uploaded.len()));
    }
    if r.deleted > 0 {
        done.push(format!("{} deleted", r.deleted));
    }
    if r.reordered {
        done.push("reordered".to_owned());
    }
    let done = if done.is_empty() {
        String::new()
    } else {
        format!(" ({})", done.join(", "))
    };
    status_line(
        r.status,
        r.error.as_ref(),
        r.reason.as_deref(),
        &format!("{what}{done}"),
    )
}

fn text_of(v: &crate::model::Value) -> String {
    v.as_text().unwrap_or_default().to_owned()
}

/// One line for a finished release setting.
pub fn release_line(r: &ReleaseResult) -> String {
    let what = match (r.setting, &r.after) {
        (crate::plan::release::ReleaseSetting::PhasedRelease, crate::model::Value::Flag(true)) => {
            "create appStoreVersionPhasedReleases".to_owned()
        }
        (crate::plan::release::ReleaseSetting::PhasedRelease, _) => "delete appStoreVersionPhasedReleases".to_owned(),
        (crate::plan::release::ReleaseSetting::Build, after) => {
            format!("update appStoreVersions build ({})", text_of(after))
        }
        (crate::plan::release::ReleaseSetting::BetaGroup, _) => format!(
            "add the build to TestFlight group \"{}\"",
            r.group.as_deref().unwrap_or_default()
        ),
        (crate::plan::release::ReleaseSetting::WhatToTest, _) => format!(
            "write betaBuildLocalizations {} (whatsNew)",
            r.locale.as_deref().unwrap_or_default()
        ),
        (setting, after) => format!("update appStoreVersions ({}: {})", setting.name(), after.quoted()),
    };
    status_line(r.status, r.error.as_ref(), r.reason.as_deref(), &what)
}

/// One line for a finished product text write.
pub fn product_line(r: &ProductResult) -> String {
    let what = format!("{} {}", r.action.verb(), r.label());
    let attrs = if r.attributes.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = r.attributes.iter().map(|a| a.api_name()).collect();
        format!(" ({})", names.join(", "))
    };
    status_line(
        r.status,
        r.error.as_ref(),
        r.reason.as_deref(),
        &format!("{what}{attrs}"),
    )
}

/// Apple's answer in one line: the status, then each error with the
/// field it names, its code, and its detail (or title).
fn failure_text(e: &Failure) -> String {
    if e.problems.is_empty() {
        let status = e.status.map(|s| format!("{s}: ")).unwrap_or_default();
        return format!("{status}{}", e.detail);
    }
    let problems: Vec<String> = e
        .problems
        .iter()
        .map(|p| {
            let field = p.field.as_deref().map(|f| format!("{f}: ")).unwrap_or_default();
            format!("{field}{} {}", p.code, p.text())
        })
        .collect();
    let status = e.status.map(|s| format!("{s} ")).unwrap_or_default();
    format!("{status}{}", problems.join("; "))
}

pub fn text(report: &ApplyReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "asc-sync apply for {} version {}\n",
        report.bundle_id, report.version_string
    );
    for r in &report.results {
        let _ = writeln!(out, "  {}", result_line(r));
    }
    for r in &report.media {
        let _ = writeln!(out, "  {}", media_line(r));
    }
    for r in &report.products {
        let _ = writeln!(out, "  {}", product_line(r));
    }
    for r in &report.release {
        let _ = writeln!(out, "  {}", release_line(r));
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "\n{} ({}, {}).",
        summary(report),
        crate::render::count(report.requests.requests as usize, "request"),
        crate::render::count(report.requests.attempts as usize, "attempt")
    );
    if report.already_applied() {
        out.push_str("Already applied: every change of this plan is live; nothing was sent.\n");
    }
    if s.failed > 0 {
        out.push_str("Some writes failed; the rest were applied. Run asc-sync plan again to see what is left.\n");
    }
    out
}

/// `Apply: 4 applied, 0 failed, 0 skipped`, and how many were live already.
fn summary(report: &ApplyReport) -> String {
    let s = &report.summary;
    let already = if s.already_applied > 0 {
        format!(", {} already applied", s.already_applied)
    } else {
        String::new()
    };
    format!(
        "Apply: {} applied, {} failed, {} skipped{already}",
        s.applied, s.failed, s.skipped
    )
}

pub fn json(report: &ApplyReport) -> String {
    serde_json::to_string_pretty(report).expect("a report always serializes") + "\n"
}

pub fn stale_text(stale: &[Stale]) -> String {
    let mut out =
        String::from("The saved plan is stale: the live listing changed since it was made. Nothing was written.\n\n");
    for s in stale {
        let attr = s.attribute.map(|a| format!(" {a}")).unwrap_or_default();
        let _ = writeln!(out, "  {}{attr}: {}", s.change, s.reason);
        if s.attribute.is_some() {
            let _ = writeln!(out, "      planned from: {}", show(&s.planned_before));
            let _ = writeln!(out, "      live now:     {}", show(&s.now));
        }
    }
    out.push_str("\nMake a new plan (asc-sync plan --out plan.json), review it, and apply that.\n");
    out
}

/// Why a saved plan does not follow from the tree it is applied in.
pub fn unbound_text(plan: &crate::plan::Plan, differences: &[String]) -> String {
    let mut out = format!(
        "The saved plan does not follow from the tree at {}: it was made from other files or settings, or edited. Nothing was written.\n\n",
        plan.source.metadata_path
    );
    for d in differences {
        let _ = writeln!(out, "  {d}");
    }
    out.push_str("\nMake a new plan from this tree (asc-sync plan --out plan.json), review it, and apply that.\n");
    out
}

fn show(v: &crate::model::Value) -> String {
    v.quoted()
}

/// The apply report for a job summary or a comment.
pub fn markdown(report: &ApplyReport) -> String {
    use crate::render::markdown_cell as cell;
    let mut out = format!(
        "### asc-sync apply for {} version {}\n\n**{}.**\n\n",
        cell(&report.bundle_id),
        cell(&report.version_string),
        summary(report)
    );
    if report.results.is_empty() && report.media.is_empty() && report.products.is_empty() && report.release.is_empty() {
        out.push_str("Nothing to apply: the App Store matches the tree.\n");
        return out;
    }
    if report.already_applied() {
        out.push_str("Already applied: every change of this plan is live; nothing was sent.\n\n");
    }
    out.push_str("| result | change | locale | fields | detail |\n|---|---|---|---|---|\n");
    for r in &report.results {
        let (icon, detail) = match (&r.status, &r.error, &r.reason) {
            (Status::Applied, _, _) => ("✅", String::new()),
            (Status::AlreadyApplied, _, _) => ("☑️", "already applied".to_owned()),
            (Status::Skipped, _, reason) => ("⛔", reason.clone().unwrap_or_default()),
            (Status::Failed, Some(e), _) => ("❌", failure_text(e)),
            (Status::Failed, None, _) => ("❌", String::new()),
        };
        let _ = writeln!(
            out,
            "| {icon} | {} {} | {} | {} | {} |",
            r.action.verb(),
            cell(r.resource.type_name()),
            cell(r.locale.as_deref().unwrap_or("")),
            cell(&names(&r.attributes)),
            cell(detail.trim())
        );
    }
    for r in &report.release {
        let line = release_line(r);
        let icon = icon(r.status);
        let _ = writeln!(out, "| {icon} | {} | | {} | |", cell(&line), r.setting.name());
    }
    for r in &report.products {
        let line = product_line(r);
        let detail = line.split_once(": ").map(|(_, d)| d).unwrap_or_default();
        let icon = icon(r.status);
        let names: Vec<&str> = r.attributes.iter().map(|a| a.api_name()).collect();
        let _ = writeln!(
            out,
            "| {icon} | {} {} {} | {} | {} | {} |",
            r.action.verb(),
            r.family.localization_type(),
            cell(&r.product),
            cell(&r.locale),
            names.join(", "),
            cell(detail.trim())
        );
    }
    for r in &report.media {
        let line = media_line(r);
        let icon = icon(r.status);
        let detail = line.split_once(": ").map(|(_, d)| d).unwrap_or_default();
        let _ = writeln!(
            out,
            "| {icon} | {} {} | {} | {} | {} |",
            r.slot.kind(),
            cell(r.slot.name()),
            cell(&r.locale),
            r.uploaded.len(),
            cell(detail.trim())
        );
    }
    out
}

// A run over several apps.

pub fn apps_total(doc: &AppsApply) -> String {
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

fn apps_line(app: &AppApply) -> String {
    match (app.outcome, &app.report) {
        (ApplyOutcome::Refused, _) => {
            "refused: the saved plan is stale or does not follow from the tree; nothing was written".into()
        }
        (ApplyOutcome::Error, _) => format!("error: {}", app.error.as_deref().unwrap_or_default()),
        (_, Some(r)) if r.results.is_empty() && r.media.is_empty() && r.products.is_empty() && r.release.is_empty() => {
            "nothing to apply".into()
        }
        (_, Some(r)) => format!(
            "{} applied, {} failed, {} skipped, {} already applied",
            r.summary.applied, r.summary.failed, r.summary.skipped, r.summary.already_applied
        ),
        (_, None) => String::new(),
    }
}

pub fn apps_text(doc: &AppsApply) -> String {
    let mut out = format!(
        "asc-sync apply for {} of {}\n\n",
        count(doc.apps.len(), "app"),
        doc.config
    );
    for app in &doc.apps {
        out.push_str(&section_of(&app.app));
        match (&app.report, &app.refused, &app.error) {
            (Some(r), _, _)
                if r.results.is_empty() && r.media.is_empty() && r.products.is_empty() && r.release.is_empty() =>
            {
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
    out + &apps_total(doc) + "\n"
}

pub fn apps_markdown(doc: &AppsApply) -> String {
    let mut out = format!(
        "### asc-sync apply for {} of {}\n\n**{}**\n\n| app | bundle id | platform | result |\n|---|---|---|---|\n",
        count(doc.apps.len(), "app"),
        cell(&doc.config),
        cell(&apps_total(doc))
    );
    for app in &doc.apps {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&app.app.name),
            cell(&app.app.bundle_id),
            cell(app.app.platform.into()),
            cell(&apps_line(app))
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

pub fn apps_json(doc: &AppsApply) -> String {
    serde_json::to_string_pretty(doc).expect("a report always serializes") + "\n"
}
