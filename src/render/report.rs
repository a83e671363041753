//! What `apply` did, per change: applied, failed (with Apple's code,
//! title and detail) or skipped (blocked), and what stopped a stale plan.

use crate::apply::{ApplyReport, ChangeResult, Failure, Stale, Status};
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
    match (&r.status, &r.error, &r.reason) {
        (Status::Applied, _, _) => format!("applied  {what}{attrs}"),
        (Status::Skipped, _, reason) => format!("skipped  {what}{attrs}: {}", reason.as_deref().unwrap_or("blocked")),
        (Status::Failed, Some(e), _) => format!("FAILED   {what}{attrs}: {}", failure_text(e)),
        (Status::Failed, None, _) => format!("FAILED   {what}{attrs}"),
    }
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
    let s = &report.summary;
    let _ = writeln!(
        out,
        "\nApply: {} applied, {} failed, {} skipped ({} requests, {} attempts).",
        s.applied, s.failed, s.skipped, report.requests.requests, report.requests.attempts
    );
    if s.failed > 0 {
        out.push_str("Some writes failed; the rest were applied. Run asc-sync plan again to see what is left.\n");
    }
    out
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

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "(unset)".into(),
        serde_json::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// The apply report for a job summary or a comment.
pub fn markdown(report: &ApplyReport) -> String {
    use crate::render::markdown_cell as cell;
    let s = &report.summary;
    let mut out = format!(
        "### asc-sync apply for {} version {}\n\n**Apply: {} applied, {} failed, {} skipped.**\n\n",
        cell(&report.bundle_id),
        cell(&report.version_string),
        s.applied,
        s.failed,
        s.skipped
    );
    if report.results.is_empty() {
        return out;
    }
    out.push_str("| result | change | locale | fields | detail |\n|---|---|---|---|---|\n");
    for r in &report.results {
        let (icon, detail) = match (&r.status, &r.error, &r.reason) {
            (Status::Applied, _, _) => ("✅", String::new()),
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
    out
}
