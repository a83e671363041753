//! `asc-sync validate` output in every format.

use super::{github_escape_data, github_escape_property};
use crate::FORMAT_VERSION;
use crate::findings::{Code, Finding, Severity, count};
use crate::tree::MetadataTree;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// GitHub shows at most 10 annotations per step for each kind; past that we
/// print one line with the count instead of being silently cut.
pub const GITHUB_ANNOTATIONS_PER_CODE: usize = 10;

/// The JSON document of `validate --format json`.
#[derive(Serialize)]
pub struct ValidationReport<'a> {
    pub format_version: u32,
    pub metadata: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rev: Option<&'a str>,
    pub ok: bool,
    pub summary: Summary,
    pub locales: Vec<&'static str>,
    pub findings: &'a [Finding],
}

#[derive(Serialize)]
pub struct Summary {
    pub locales: usize,
    pub errors: usize,
    pub warnings: usize,
}

pub fn report<'a>(tree: &'a MetadataTree, rev: Option<&'a str>, findings: &'a [Finding]) -> ValidationReport<'a> {
    let errors = count(findings, Severity::Error);
    ValidationReport {
        format_version: FORMAT_VERSION,
        metadata: &tree.root,
        rev,
        ok: errors == 0,
        summary: Summary {
            locales: tree.locales.len(),
            errors,
            warnings: count(findings, Severity::Warning),
        },
        locales: tree.locales.keys().map(|l| l.code()).collect(),
        findings,
    }
}

pub fn json(report: &ValidationReport) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("a report always serializes");
    s.push('\n');
    s
}

pub fn text(report: &ValidationReport) -> String {
    let mut out = String::new();
    for f in report.findings {
        let _ = writeln!(out, "{f}");
    }
    let _ = writeln!(out, "{}", summary_line(report));
    out
}

fn summary_line(report: &ValidationReport) -> String {
    let s = &report.summary;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let at = report.rev.map(|r| format!(" at {r}")).unwrap_or_default();
    format!(
        "{}{at}: {}, {}, {}.",
        report.metadata,
        plural(s.locales, "locale"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning")
    )
}

pub fn markdown(report: &ValidationReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "**{}**\n", summary_line(report));
    if report.findings.is_empty() {
        return out;
    }
    out.push_str("| | code | file | message |\n|---|---|---|---|\n");
    for f in report.findings {
        let icon = if f.is_error() { "❌" } else { "⚠️" };
        let place = match (f.line, f.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", f.path),
            _ => f.path.clone(),
        };
        let _ = writeln!(
            out,
            "| {icon} | `{}` | {} | {} |",
            f.code,
            crate::render::markdown_cell(&place),
            crate::render::markdown_cell(&f.message)
        );
    }
    out
}

/// GitHub annotations, at most [`GITHUB_ANNOTATIONS_PER_CODE`] per code,
/// then one notice with the count of the rest, then the summary line.
pub fn github(report: &ValidationReport) -> String {
    let mut out = String::new();
    let mut shown: BTreeMap<Code, usize> = BTreeMap::new();
    let mut hidden: BTreeMap<Code, usize> = BTreeMap::new();
    for f in report.findings {
        let n = shown.entry(f.code).or_default();
        if *n >= GITHUB_ANNOTATIONS_PER_CODE {
            *hidden.entry(f.code).or_default() += 1;
            continue;
        }
        *n += 1;
        out.push_str(&annotation(f));
        out.push('\n');
    }
    for (code, n) in hidden {
        let _ = writeln!(
            out,
            "::notice title={}::{n} more {code} {} not shown as annotations; run asc-sync validate locally for the full list",
            github_escape_property(code.as_str()),
            if n == 1 { "finding" } else { "findings" }
        );
    }
    let _ = writeln!(out, "{}", summary_line(report));
    out
}

pub fn annotation(f: &Finding) -> String {
    let mut props = format!("file={}", github_escape_property(&f.path));
    if let Some(line) = f.line {
        let _ = write!(props, ",line={line}");
    }
    if let Some(col) = f.column {
        let _ = write!(props, ",col={col}");
    }
    let _ = write!(
        props,
        ",title={}",
        github_escape_property(&format!("asc-sync {}", f.code))
    );
    format!("::{} {props}::{}", f.severity, github_escape_data(&f.message))
}
