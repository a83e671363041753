//! What `pull` wrote, or would write: the files created, changed and left
//! as they are, as text, as Markdown for a pull request's body, and as
//! the versioned JSON document. Paths and attribute names only, never a
//! value, so a secret cannot reach any of them.

use super::{block, count, failed_tail, section_of, total_head, within};
use crate::apps::AppsPull;
use crate::pull::{FileAction, FileChange, PullReport};
use crate::render::markdown_cell as cell;
use std::fmt::Write;

/// GitHub refuses pull-request bodies over 65,536 characters.
const MARKDOWN_LIMIT: usize = crate::github::COMMENT_LIMIT;

/// The headline, e.g. `Pull: 1 file created, 2 changed, 1 left as it is, 40 unchanged.`
pub fn summary_line(report: &PullReport) -> String {
    let s = &report.summary;
    let metadata = &report.source.metadata_path;
    if !report.has_changes {
        let left = if s.left > 0 {
            format!(" ({} left as it is)", s.left)
        } else {
            String::new()
        };
        return format!("No changes. {metadata} already states the App Store's listing{left}.");
    }
    let (created, changed) = if report.dry_run {
        ("to create", "to change")
    } else {
        ("created", "changed")
    };
    let folders = match report.folders.len() {
        0 => String::new(),
        n => format!(", {n} linked folder{} made a folder", plural(n)),
    };
    format!(
        "Pull{}: {} file{} {created}, {} {changed}{folders}, {} left as it is, {} unchanged.",
        if report.dry_run {
            " (dry run, nothing written)"
        } else {
            ""
        },
        s.created,
        plural(s.created),
        s.changed,
        s.left,
        s.unchanged
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn heading(report: &PullReport) -> String {
    let s = &report.source;
    format!(
        "{}: {} version {} ({}) into {}",
        s.bundle_id, s.platform, s.version_string, s.version_state, s.metadata_path
    )
}

fn symbol(action: FileAction) -> char {
    match action {
        FileAction::Created => '+',
        FileAction::Changed => '~',
        FileAction::Left => '=',
    }
}

/// What a file entry says beside its path.
fn detail(f: &FileChange) -> String {
    let what = match &f.locale {
        Some(locale) => format!("{locale} {}", f.attribute),
        None => f.attribute.to_string(),
    };
    match (&f.was_link, &f.reason) {
        (Some(target), _) => format!("{what} (was a link to {target}; now a file of its own)"),
        (None, Some(reason)) => format!("{what} left as it is: {reason}"),
        (None, None) => what,
    }
}

pub fn text(report: &PullReport) -> String {
    let mut out = format!("asc-sync pull {}\n\n", heading(report));
    for folder in &report.folders {
        let _ = writeln!(
            out,
            "  ~ {}/ (was a link to {}; now a folder of its own)",
            folder.path, folder.was_link
        );
    }
    let width = report.files.iter().map(|f| f.path.chars().count()).max().unwrap_or(0);
    for f in &report.files {
        let _ = writeln!(out, "  {} {:width$}  {}", symbol(f.action), f.path, detail(f));
    }
    for f in &report.product_files {
        let _ = writeln!(out, "  {} {}", symbol(f.action), f.path);
    }
    if !report.folders.is_empty() || !report.files.is_empty() || !report.product_files.is_empty() {
        out.push('\n');
    }
    for note in &report.notes {
        let _ = writeln!(out, "Note: {note}");
    }
    if !report.notes.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{}", summary_line(report));
    out
}

pub fn json(report: &PullReport) -> String {
    serde_json::to_string_pretty(report).expect("a pull report always serializes") + "\n"
}

/// The body of the pull request that brings the App Store's edits into
/// git: what changed, and what merging means.
pub fn markdown(report: &PullReport) -> String {
    let mut out = format!("### asc-sync pull: {}\n\n", cell(&heading(report)));
    let _ = writeln!(out, "**{}**\n", cell(&summary_line(report)));
    if report.has_changes {
        let state = if report.dry_run { "would state" } else { "now state" };
        let _ = writeln!(
            out,
            "These files {state} the live App Store listing (edits made in App Store Connect since the tree was last in sync). \
             Merging accepts the App Store's version into git. To keep git's version instead, close this pull request and run \
             `asc-sync apply`, which restores the listing from the tree.\n"
        );
    }
    let rows = report.folders.len() + report.files.len();
    if rows > 0 {
        out.push_str("| | file | locale | field | |\n|---|---|---|---|---|\n");
    }
    let footer = notes_markdown(report);
    for (shown, row) in rows_markdown(report).into_iter().enumerate() {
        if out.len() + row.len() + footer.len() + 200 > MARKDOWN_LIMIT {
            let _ = writeln!(
                out,
                "\n{} more files are not listed here: GitHub limits this text. Run `asc-sync pull --dry-run` to see them all.",
                rows - shown
            );
            break;
        }
        out.push_str(&row);
    }
    out.push_str(&footer);
    out
}

fn rows_markdown(report: &PullReport) -> Vec<String> {
    let folders = report.folders.iter().map(|f| {
        format!(
            "| ~ | {}/ | | | was a link to {}; now a folder of its own |\n",
            cell(&f.path),
            cell(&f.was_link)
        )
    });
    let files = report.files.iter().map(|f| {
        let note = match (&f.was_link, &f.reason) {
            (Some(target), _) => format!("was a link to {}; now a file of its own", cell(target)),
            (None, Some(reason)) => format!("left as it is: {}", cell(reason)),
            (None, None) => String::new(),
        };
        format!(
            "| {} | {} | {} | {} | {note} |\n",
            symbol(f.action),
            cell(&f.path),
            cell(f.locale.as_deref().unwrap_or("")),
            cell(f.attribute.api_name())
        )
    });
    folders.chain(files).collect()
}

fn notes_markdown(report: &PullReport) -> String {
    let mut out = String::new();
    if !report.notes.is_empty() {
        out.push('\n');
        for note in &report.notes {
            let _ = writeln!(out, "- {}", cell(note));
        }
    }
    out
}

// A run over several apps.

pub fn apps_total(doc: &AppsPull) -> String {
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

pub fn apps_text(doc: &AppsPull) -> String {
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
    out + &apps_total(doc) + "\n"
}

/// The body of one pull request for every app's files.
pub fn apps_markdown(doc: &AppsPull) -> String {
    let mut out = format!(
        "### asc-sync pull for {} of {}\n\n**{}**\n\n",
        count(doc.apps.len(), "app"),
        cell(&doc.config),
        cell(&apps_total(doc))
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

pub fn apps_json(doc: &AppsPull) -> String {
    serde_json::to_string_pretty(doc).expect("a pull report always serializes") + "\n"
}
