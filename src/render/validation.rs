//! `asc-sync validate` output in every format.

use super::{github_escape_data, github_escape_property};
use super::{markdown_cell as cell, section_of, total_head};
use crate::FORMAT_VERSION;
use crate::apps::AppId;
use crate::findings::{Code, Finding, Severity, count};
use crate::tree::MetadataTree;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

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
    let mut out = listing(report.findings);
    let _ = writeln!(out, "{}", summary_line(report));
    out
}

/// The findings as a terminal shows them, a line each: grouped by code
/// unless the run has `-v` (see [`finding_lines`]). The `-v` count is the
/// one the command line gave [`crate::logging::init`], so that every place
/// that prints findings honours it without passing it along.
pub fn listing(findings: &[Finding]) -> String {
    finding_lines(findings, crate::logging::verbose() > 0)
        .into_iter()
        .map(|line| line + "\n")
        .collect()
}

/// Fewest findings that make a group: two lines are read as easily as one.
const GROUP_MIN: usize = 3;

/// At most this many file-name patterns on a group's line.
const GROUP_NAMES_SHOWN: usize = 6;

/// The lines that tell a terminal about `findings` (sorted), in their order.
///
/// With `every` (`-v`), a line per finding, `path:line:col: ...` as ever.
/// Without it, a warning that repeats across locales is told once: the
/// warnings with the same code and the same message (but for its numbers)
/// make one line with their count, their files' names as patterns and the
/// number of locales, in place of the first of them, e.g.
/// `warning[unknown-file]: 85 files: app_store_screenshot_{1..5}.txt,
/// promo_screenshot_{1..5}.txt in 17 locales: not a metadata file, ignored`.
/// A group forms only of [`GROUP_MIN`] findings or more in two folders or
/// more; any other warning keeps its own line, and so does every error:
/// an error stops the run until it is fixed, each in its own place, and
/// its own line names that place, which an editor or terminal turns into
/// a link. A last line says that `-v` lists what was grouped.
///
/// JSON, Markdown and GitHub annotations list every finding; only this
/// text for people is grouped.
pub fn finding_lines(findings: &[Finding], every: bool) -> Vec<String> {
    if every {
        return findings.iter().map(ToString::to_string).collect();
    }
    let mut groups: BTreeMap<(Code, String), Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate().filter(|(_, f)| !f.is_error()) {
        groups.entry((f.code, shape(&f.message))).or_default().push(i);
    }
    // A group's line, at the index of its first finding; the others are dropped.
    let mut lead: BTreeMap<usize, String> = BTreeMap::new();
    let mut grouped: BTreeSet<usize> = BTreeSet::new();
    for indices in groups.values() {
        let members: Vec<&Finding> = indices.iter().map(|&i| &findings[i]).collect();
        let folders: BTreeSet<&Path> = members.iter().filter_map(|f| Path::new(&f.path).parent()).collect();
        if members.len() < GROUP_MIN || folders.len() < 2 {
            continue;
        }
        lead.insert(indices[0], group_line(&members, &folders));
        grouped.extend(indices);
    }
    let mut lines = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        match lead.get(&i) {
            Some(line) => lines.push(line.clone()),
            None if grouped.contains(&i) => {}
            None => lines.push(f.to_string()),
        }
    }
    if !grouped.is_empty() {
        lines.push(format!(
            "note: {} warnings that repeat across locales are grouped above; -v lists each",
            grouped.len()
        ));
    }
    lines
}

/// `severity[code]: N files: names in K locales: message`.
fn group_line(members: &[&Finding], folders: &BTreeSet<&Path>) -> String {
    let first = members[0];
    let files: BTreeSet<&str> = members.iter().map(|f| f.path.as_str()).collect();
    let count = if files.len() == members.len() {
        super::count(files.len(), "file")
    } else {
        format!("{} in {}", members.len(), super::count(files.len(), "file"))
    };
    let names: BTreeSet<&str> = files
        .iter()
        .map(|p| Path::new(p).file_name().and_then(|n| n.to_str()).unwrap_or(p))
        .collect();
    let mut patterns = name_patterns(&names);
    if patterns.len() > GROUP_NAMES_SHOWN {
        let more = patterns.len() - (GROUP_NAMES_SHOWN - 1);
        patterns.truncate(GROUP_NAMES_SHOWN - 1);
        patterns.push(format!("{more} more names"));
    }
    let all_locales = folders.iter().all(|d| {
        d.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n == "default" || crate::locale::Locale::ignoring_case(n).is_some())
    });
    let place = super::count(folders.len(), if all_locales { "locale" } else { "folder" });
    format!(
        "{}[{}]: {count}: {} in {place}: {}",
        first.severity,
        first.code,
        patterns.join(", "),
        merged_message(members)
    )
}

/// A message with its numbers left out, so that "uses 4 of 100" and
/// "uses 6 of 100" are the same kind of finding.
fn shape(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_number = false;
    for c in message.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

/// Splits a message into its text and its numbers, alternately: text first.
fn pieces(message: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_number = false;
    for (i, c) in message.char_indices() {
        if c.is_ascii_digit() != in_number {
            out.push(&message[start..i]);
            start = i;
            in_number = !in_number;
        }
    }
    out.push(&message[start..]);
    out
}

/// The message the members share (they have one [`shape`]); a number that
/// differs between them is shown as its range, e.g. `4-7`.
fn merged_message(members: &[&Finding]) -> String {
    let split: Vec<Vec<&str>> = members.iter().map(|f| pieces(&f.message)).collect();
    let mut out = String::new();
    for (i, piece) in split[0].iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(piece);
            continue;
        }
        let numbers: Option<BTreeSet<u64>> = split.iter().map(|p| p.get(i)?.parse().ok()).collect();
        match numbers.as_ref().and_then(|n| Some((n.first()?, n.last()?))) {
            Some((first, last)) if first != last => {
                let _ = write!(out, "{first}-{last}");
            }
            _ => out.push_str(piece),
        }
    }
    out
}

/// File names as few patterns: names that differ only in their last
/// number are one, e.g. `app_store_screenshot_{1..5}.txt`, or
/// `shot_{1,3}.txt` when the numbers have gaps.
fn name_patterns(names: &BTreeSet<&str>) -> Vec<String> {
    let mut families: BTreeMap<(&str, &str), BTreeSet<u64>> = BTreeMap::new();
    let mut plain = Vec::new();
    for name in names {
        let split = name
            .rfind(|c: char| c.is_ascii_digit())
            .map(|end| {
                let start = name[..=end].rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
                (start, end + 1)
            })
            .filter(|&(start, end)| end - start == 1 || !name[start..].starts_with('0'));
        match split.and_then(|(start, end)| Some((start, end, name[start..end].parse::<u64>().ok()?))) {
            Some((start, end, n)) => {
                families.entry((&name[..start], &name[end..])).or_default().insert(n);
            }
            None => plain.push((*name).to_owned()),
        }
    }
    let mut out = plain;
    for ((prefix, suffix), numbers) in families {
        let (Some(&first), Some(&last)) = (numbers.first(), numbers.last()) else {
            continue;
        };
        let middle = match numbers.len() {
            1 => first.to_string(),
            n if last - first + 1 == n as u64 => format!("{{{first}..{last}}}"),
            _ => format!(
                "{{{}}}",
                numbers.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
            ),
        };
        out.push(format!("{prefix}{middle}{suffix}"));
    }
    out.sort();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(path: &str) -> Finding {
        Finding::warning(Code::UnknownFile, path, "not a metadata file, ignored")
    }

    fn spaces(path: &str, n: usize) -> Finding {
        Finding::warning(
            Code::KeywordSpaces,
            path,
            format!("spaces use {n} of the 100 characters"),
        )
        .at(Some((1, 3)))
    }

    #[test]
    fn a_warning_in_several_locales_is_one_line() {
        let mut findings = Vec::new();
        for locale in ["de-DE", "en-US", "fr-FR"] {
            for n in [1, 2, 3, 5] {
                findings.push(unknown(&format!("m/{locale}/shot_{n}.txt")));
            }
            findings.push(unknown(&format!("m/{locale}/notes.txt")));
        }
        crate::findings::sort(&mut findings);
        assert_eq!(
            finding_lines(&findings, false),
            [
                "warning[unknown-file]: 15 files: notes.txt, shot_{1,2,3,5}.txt in 3 locales: not a metadata file, ignored",
                "note: 15 warnings that repeat across locales are grouped above; -v lists each",
            ]
        );
        let every = finding_lines(&findings, true);
        assert_eq!(every.len(), 15);
        assert_eq!(
            every[0],
            "m/de-DE/notes.txt: warning[unknown-file]: not a metadata file, ignored"
        );
    }

    #[test]
    fn numbers_that_differ_show_as_a_range() {
        let findings = [
            spaces("m/de-DE/keywords.txt", 6),
            spaces("m/en-US/keywords.txt", 4),
            spaces("m/fr-FR/keywords.txt", 7),
        ];
        assert_eq!(
            finding_lines(&findings, false)[0],
            "warning[keyword-spaces]: 3 files: keywords.txt in 3 locales: spaces use 4-7 of the 100 characters"
        );
    }

    #[test]
    fn errors_few_findings_and_one_folder_keep_their_lines() {
        let errors: Vec<Finding> = ["de-DE", "en-US", "fr-FR"]
            .iter()
            .map(|l| Finding::error(Code::TooLong, format!("m/{l}/name.txt"), "too long").at(Some((1, 31))))
            .collect();
        let two = [unknown("m/de-DE/a.txt"), unknown("m/en-US/a.txt")];
        let one_folder = [
            unknown("m/en-US/a.txt"),
            unknown("m/en-US/b.txt"),
            unknown("m/en-US/c.txt"),
        ];
        for findings in [&errors[..], &two[..], &one_folder[..]] {
            let lines: Vec<String> = findings.iter().map(ToString::to_string).collect();
            assert_eq!(finding_lines(findings, false), lines);
        }
    }

    #[test]
    fn a_group_in_other_folders_counts_folders_and_repeats_in_one_file() {
        let findings = [
            Finding::warning(Code::DuplicateKeyword, "m/x/keywords.txt", "a is twice").at(Some((1, 1))),
            Finding::warning(Code::DuplicateKeyword, "m/x/keywords.txt", "b is twice").at(Some((1, 5))),
            Finding::warning(Code::DuplicateKeyword, "m/y/keywords.txt", "c is twice").at(Some((1, 1))),
        ];
        // Other messages: no group.
        assert_eq!(finding_lines(&findings, false).len(), 3);
        let same: Vec<Finding> = findings
            .iter()
            .map(|f| Finding {
                message: "a keyword is twice".into(),
                ..f.clone()
            })
            .collect();
        assert_eq!(
            finding_lines(&same, false)[0],
            "warning[duplicate-keyword]: 3 in 2 files: keywords.txt in 2 folders: a keyword is twice"
        );
    }
}

// A run over several apps.

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
            super::count(s.errors, "error"),
            super::count(s.warnings, "warning")
        )
    }
}

pub fn apps_text(doc: &AppsValidation) -> String {
    let mut out = String::new();
    for app in &doc.apps {
        out.push_str(&section_of(&app.app));
        out.push_str(&super::validation::text(&app.report));
        out.push('\n');
    }
    out + &doc.total() + "\n"
}

pub fn apps_markdown(doc: &AppsValidation) -> String {
    let mut out = format!("**{}**\n\n", cell(&doc.total()));
    for app in &doc.apps {
        let _ = write!(out, "#### {}: {}\n\n", cell(&app.app.name), cell(&app.app.bundle_id));
        out.push_str(&super::validation::markdown(&app.report));
        out.push('\n');
    }
    out
}

pub fn apps_json(doc: &AppsValidation) -> String {
    serde_json::to_string_pretty(doc).expect("a report always serializes") + "\n"
}

/// Every tree's annotations: they name their files, so one list serves.
pub fn apps_github(doc: &AppsValidation) -> String {
    doc.apps.iter().map(|a| super::validation::github(&a.report)).collect()
}
