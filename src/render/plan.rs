//! A plan for people: Terraform's grammar in a terminal, and Markdown for
//! a pull-request comment or a job summary. Values are never truncated:
//! short ones read `"old" → "new"`, multi-line ones as a unified line diff
//! with the changed words marked, keywords as added and removed tokens
//! with the count against Apple's 100 characters.

use super::{block, count, failed_tail, markdown_cell as cell, section, total_head, within};
use crate::model::Value;
use crate::model::{Attribute, Field};
use crate::plan::media::{MediaChange, MediaSummary};
use crate::plan::products::{NewVersion, ProductChange};
use crate::plan::{Action, AttributeChange, Change, Origin, Plan, SENSITIVE};
use crate::plan::{AppPlan, AppsPlan};
use similar::{ChangeTag, TextDiff};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The Markdown form fits one pull-request comment.
pub const MARKDOWN_LIMIT: usize = crate::github::COMMENT_LIMIT;
const SHORT: usize = 60;

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, style: anstyle::Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }
    fn add(&self, t: &str) -> String {
        self.paint(anstyle::AnsiColor::Green.on_default(), t)
    }
    fn del(&self, t: &str) -> String {
        self.paint(anstyle::AnsiColor::Red.on_default(), t)
    }
    fn upd(&self, t: &str) -> String {
        self.paint(anstyle::AnsiColor::Yellow.on_default(), t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint(anstyle::Style::new().dimmed(), t)
    }
    /// A change's mark: its action's symbol in its colour, `!` when blocked.
    fn mark(&self, blocked: bool, action: Action) -> String {
        let symbol = action.symbol().to_string();
        match (blocked, action) {
            (true, _) => self.dim("!"),
            (_, Action::Create) => self.add(&symbol),
            (_, Action::Update) => self.upd(&symbol),
            (_, Action::Delete) => self.del(&symbol),
        }
    }
    fn strong(&self, t: &str, tag: ChangeTag) -> String {
        let base = match tag {
            ChangeTag::Insert => anstyle::AnsiColor::Green.on_default(),
            ChangeTag::Delete => anstyle::AnsiColor::Red.on_default(),
            ChangeTag::Equal => anstyle::Style::new(),
        };
        if self.color {
            self.paint(base.bold().underline(), t)
        } else {
            t.to_owned()
        }
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Unset => String::new(),
        Value::Text(s) => s.clone(),
        other => other.to_string(),
    }
}

fn quoted(v: &Value) -> String {
    v.quoted()
}

/// The plan's headline, e.g. `Plan: 1 to create, 4 to update, 0 to delete (6 requests).`
pub fn summary_line(plan: &Plan) -> String {
    let s = &plan.summary;
    // Blocked differences are differences: never "No changes".
    if !plan.has_changes && s.blocked == 0 {
        let images = match &s.media {
            Some(m) if m.unchanged > 0 => {
                let what = if m.previews {
                    "screenshots and previews"
                } else {
                    "screenshots"
                };
                format!(" and its {} {what}", m.unchanged)
            }
            _ => String::new(),
        };
        return format!(
            "No changes. The App Store matches {}{images}.",
            plan.source.metadata_path
        );
    }
    let media = s
        .media
        .as_ref()
        .map(|m| format!(" {}", media_summary(m)))
        .unwrap_or_default();
    let blocked = if s.blocked > 0 {
        format!(", {} blocked", s.blocked)
    } else {
        String::new()
    };
    format!(
        "Plan: {} to create, {} to update, {} to delete{blocked} ({} request{}).",
        s.create,
        s.update,
        s.delete,
        s.requests,
        if s.requests == 1 { "" } else { "s" }
    ) + &media
}

/// `Screenshots: 4 to upload (9.8 MB), 2 to delete, 1 reorder, 150 unchanged.`
pub fn media_summary(m: &MediaSummary) -> String {
    let label = if m.previews {
        "Screenshots and previews"
    } else {
        "Screenshots"
    };
    let blocked = if m.blocked > 0 {
        format!(", {} blocked", count(m.blocked, "set"))
    } else {
        String::new()
    };
    format!(
        "{label}: {} to upload ({}), {} to delete, {}{blocked}, {} unchanged.",
        m.upload,
        size(m.upload_bytes),
        m.delete,
        count(m.reorder, "reorder"),
        m.unchanged
    )
}

/// A file size as people read it: `812 KB`, `9.8 MB`.
fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.0} KB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

/// The first 8 hex digits of an MD5, as plans show it.
fn short_md5(md5: Option<&str>) -> String {
    md5.map_or_else(|| "none".to_owned(), |m| m.chars().take(8).collect())
}

/// The release settings' lines, e.g. `~ releaseType: "MANUAL" → "AFTER_APPROVAL"`.
fn release_lines(plan: &Plan) -> Vec<(bool, char, String)> {
    use crate::plan::release::ReleaseSetting;
    plan.release
        .iter()
        .map(|c| {
            let (symbol, text) = match (c.setting, &c.after) {
                (ReleaseSetting::PhasedRelease, Value::Flag(true)) => (
                    '+',
                    "phased release (7 days, INACTIVE until the version is released)".to_owned(),
                ),
                (ReleaseSetting::PhasedRelease, _) => (
                    '-',
                    format!(
                        "phased release ({})",
                        c.phased_release.as_ref().map_or("", |p| p.state.as_str())
                    ),
                ),
                (ReleaseSetting::BetaGroup, _) => (
                    '+',
                    format!(
                        "build → TestFlight group \"{}\"",
                        c.group.as_ref().map_or("", |g| g.name.as_str())
                    ),
                ),
                (ReleaseSetting::WhatToTest, after) => (
                    if c.localization_id.is_some() { '~' } else { '+' },
                    format!(
                        "What to Test ({}): {} → {}",
                        c.locale.as_deref().unwrap_or_default(),
                        quoted(&c.before),
                        quoted(after)
                    ),
                ),
                (setting, after) => (
                    '~',
                    format!("{}: {} → {}", setting.name(), quoted(&c.before), quoted(after)),
                ),
            };
            let text = match &c.blocked {
                Some(reason) => format!("{text} (blocked, not sent: {reason})"),
                None => text,
            };
            (c.is_blocked(), symbol, text)
        })
        .collect()
}

fn release_block(out: &mut String, plan: &Plan, st: &Style) {
    let version = plan.release.first().map(|c| c.version_id.as_str()).unwrap_or_default();
    let _ = writeln!(
        out,
        "  {} update release settings of version {} (id {version})",
        st.upd("~"),
        plan.source.version_string
    );
    for (blocked, symbol, text) in release_lines(plan) {
        let line = format!("{symbol} {text}");
        let painted = match (blocked, symbol) {
            (true, _) => st.dim(&line),
            (_, '+') => st.add(&line),
            (_, '-') => st.del(&line),
            _ => st.upd(&line),
        };
        let _ = writeln!(out, "      {painted}");
    }
}

/// What a new product version means, said where the plan shows it.
fn new_version_note(v: &NewVersion) -> String {
    format!(
        "version {} is {}, so its texts cannot change: a new version takes them, and goes to review with the next submission. A version cannot be deleted.",
        v.from_version, v.from_state
    )
}

/// One product localization's change in the text form.
fn product_block(out: &mut String, c: &ProductChange, st: &Style) {
    let mark = st.mark(c.is_blocked(), c.action);
    let id = c.id.as_deref().map(|i| format!(" (id {i})")).unwrap_or_default();
    let new = if c.version_id.is_none() {
        " (on the new version)"
    } else {
        ""
    };
    let _ = writeln!(out, "  {mark} {} {}{id}{new}", c.action.verb(), c.label());
    if let Some(reason) = &c.blocked {
        let _ = writeln!(out, "      {}", st.dim(&format!("blocked, not sent: {reason}")));
    }
    for (text, a) in &c.attributes {
        let line = format!(
            "{} {text}: {} → {}",
            c.action.symbol(),
            quoted(&a.before),
            quoted(&a.after)
        );
        let painted = match c.action {
            Action::Create => st.add(&line),
            Action::Update => st.upd(&line),
            Action::Delete => st.del(&line),
        };
        let _ = writeln!(out, "      {painted}");
    }
}

/// The product changes as one Markdown block for a comment.
fn products_block(plan: &Plan) -> String {
    let mut body = String::new();
    for v in &plan.product_versions {
        let _ = writeln!(
            body,
            "+ create {} {}: {}",
            v.family.version_type(),
            v.product,
            new_version_note(v)
        );
    }
    for c in &plan.products {
        let mark = if c.is_blocked() { '!' } else { c.action.symbol() };
        let _ = writeln!(body, "{mark} {} {}", c.action.verb(), c.label());
        for (text, a) in &c.attributes {
            let _ = writeln!(body, "    {text}: {} → {}", quoted(&a.before), quoted(&a.after));
        }
    }
    let f = fence(&body);
    format!(
        "<details><summary>In-app purchases and subscriptions: {}</summary>\n\n{f}diff\n{body}{f}\n\n</details>\n\n",
        count(plan.products.len(), "change")
    )
}

/// One set's change in the text form.
fn media_block(out: &mut String, c: &MediaChange, st: &Style) {
    let (mark, verb) = match (c.is_blocked(), c.set_id.is_some()) {
        (true, _) => (st.dim("!"), "update"),
        (false, true) => (st.upd("~"), "update"),
        (false, false) => (st.add("+"), "create"),
    };
    let id = c.set_id.as_deref().map(|i| format!(" (id {i})")).unwrap_or_default();
    let _ = writeln!(out, "  {mark} {verb} {} {}{id}", c.slot.kind().set_type(), c.label());
    if let Some(reason) = &c.blocked {
        let _ = writeln!(out, "      {}", st.dim(&format!("blocked, not sent: {reason}")));
    }
    for u in &c.uploads {
        let pixels = match (u.width, u.height) {
            (Some(w), Some(h)) => format!("  {w}×{h}"),
            _ => String::new(),
        };
        let line = format!(
            "+ {}{pixels}  {}  md5 {}",
            u.file,
            size(u.file_size),
            short_md5(Some(&u.md5))
        );
        let _ = writeln!(out, "      {}", st.add(&line));
    }
    for d in &c.deletes {
        let why = match d.state.as_str() {
            "AWAITING_UPLOAD" => " (a reservation an interrupted upload left)",
            "FAILED" => " (Apple failed to process it)",
            _ if d.md5.is_none() => " (no checksum: uploaded without one)",
            _ => "",
        };
        let name = if d.file_name.is_empty() { &d.id } else { &d.file_name };
        let line = format!("- {name}  md5 {}{why}", short_md5(d.md5.as_deref()));
        let _ = writeln!(out, "      {}", st.del(&line));
    }
    if c.reorder {
        let _ = writeln!(out, "      {}", st.upd("~ order"));
    }
    if c.unchanged > 0 {
        let _ = writeln!(out, "      {}", st.dim(&format!("= {} unchanged", c.unchanged)));
    }
}

/// One set's change as a Markdown table, for a pull-request comment.
fn media_table(c: &MediaChange) -> String {
    let mut out = format!(
        "**{} {}** `{}`{}\n\n| | file | pixels | size | MD5 |\n|---|---|---|---|---|\n",
        c.slot.kind(),
        cell(&c.locale),
        c.slot.name(),
        c.blocked
            .as_deref()
            .map(|b| format!(" ⛔ {}", cell(b)))
            .unwrap_or_default()
    );
    for u in &c.uploads {
        let pixels = match (u.width, u.height) {
            (Some(w), Some(h)) => format!("{w}×{h}"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "| + | {} | {pixels} | {} | `{}` |",
            cell(&u.file),
            size(u.file_size),
            short_md5(Some(&u.md5))
        );
    }
    for d in &c.deletes {
        let name = if d.file_name.is_empty() { &d.id } else { &d.file_name };
        let _ = writeln!(
            out,
            "| − | {} ({}) | | | `{}` |",
            cell(name),
            cell(&d.state),
            short_md5(d.md5.as_deref())
        );
    }
    if c.reorder {
        out.push_str("| ~ | order | | | |\n");
    }
    if c.unchanged > 0 {
        let _ = writeln!(out, "| = | {} unchanged | | | |", c.unchanged);
    }
    out.push('\n');
    out
}

fn heading(plan: &Plan) -> String {
    let s = &plan.source;
    let state = if s.version_id.is_empty() {
        "to be created"
    } else {
        s.version_state.as_str()
    };
    format!("{}: {} version {} ({state})", s.bundle_id, s.platform, s.version_string)
}

/// The line that says a plan was limited with `--locale` or `--field`.
fn targeting_line(plan: &Plan) -> Option<String> {
    plan.targeting()
        .map(|t| format!("Limited to {t} (--locale, --field): differences elsewhere are left out of this plan."))
}

fn origin_legend(base: &str) -> String {
    format!(
        "[in this change]: the tree's files changed since {base}. [drift]: the files are as at {base}, but the live value differs (an edit on the web, or a change never applied)."
    )
}

/// The text form.
pub fn text(plan: &Plan, color: bool) -> String {
    let st = Style { color };
    let mut out = String::new();
    let _ = writeln!(out, "asc-sync plan for {}\n", heading(plan));
    if let Some(line) = targeting_line(plan) {
        let _ = writeln!(out, "{line}\n");
    }
    if let Some(base) = &plan.source.changed_since {
        let _ = writeln!(out, "{}\n", origin_legend(base));
    }
    for change in &plan.changes {
        change_block(&mut out, change, &st);
        out.push('\n');
    }
    for change in &plan.media {
        media_block(&mut out, change, &st);
        out.push('\n');
    }
    if !plan.release.is_empty() {
        release_block(&mut out, plan, &st);
        out.push('\n');
    }
    for version in &plan.product_versions {
        let _ = writeln!(
            out,
            "  {} create {} {}",
            st.add("+"),
            version.family.version_type(),
            version.product
        );
        let _ = writeln!(out, "      {}\n", st.dim(&new_version_note(version)));
    }
    for change in &plan.products {
        product_block(&mut out, change, &st);
        out.push('\n');
    }
    if !plan.notes.is_empty() {
        out.push_str("Notes:\n");
        for n in &plan.notes {
            let _ = writeln!(out, "  - {n}");
        }
        out.push('\n');
    }
    let line = summary_line(plan);
    let _ = writeln!(out, "{}", if plan.has_changes { st.upd(&line) } else { line });
    out
}

fn change_block(out: &mut String, c: &Change, st: &Style) {
    let mark = st.mark(c.is_blocked(), c.action);
    let id = c.id.as_deref().map(|i| format!(" (id {i})")).unwrap_or_default();
    let origin = match c.origin {
        Some(Origin::Change) => " [in this change]",
        Some(Origin::Drift) => " [drift]",
        None => "",
    };
    let _ = writeln!(out, "  {mark} {} {}{id}{origin}", c.action.verb(), c.label());
    if let Some(reason) = &c.blocked {
        let _ = writeln!(out, "      {}", st.dim(&format!("blocked, not sent: {reason}")));
    }
    for (name, a) in &c.attributes {
        attribute(out, *name, a, c.action, st);
    }
}

fn attribute(out: &mut String, name: Attribute, a: &AttributeChange, action: Action, st: &Style) {
    let symbol = match action {
        Action::Create => st.add("+"),
        Action::Delete => st.del("-"),
        Action::Update if a.after.is_unset() => st.del("-"),
        Action::Update => st.upd("~"),
    };
    if a.sensitive {
        let _ = writeln!(out, "      {symbol} {name}: {SENSITIVE}");
        return;
    }
    let (old, new) = (text_of(&a.before), text_of(&a.after));
    if name == Attribute::Localized(Field::Keywords) && action == Action::Update && !old.is_empty() && !new.is_empty() {
        let count = new.chars().count();
        let max = Field::Keywords.max_chars().unwrap_or_default();
        let _ = writeln!(out, "      {symbol} {name} ({count}/{max} characters):");
        let (added, removed) = keyword_diff(&old, &new);
        for k in &added {
            let _ = writeln!(out, "          {}", st.add(&format!("+ {k}")));
        }
        for k in &removed {
            let _ = writeln!(out, "          {}", st.del(&format!("- {k}")));
        }
        if added.is_empty() && removed.is_empty() {
            let _ = writeln!(out, "          {}", st.dim("(same keywords, changed order or spacing)"));
            let _ = writeln!(out, "          {} → {}", quoted(&a.before), quoted(&a.after));
        }
        return;
    }
    let whitespace_only = !old.is_empty() && old != new && old.split_whitespace().eq(new.split_whitespace());
    let label = if whitespace_only {
        format!("{name} (whitespace-only change)")
    } else {
        name.to_string()
    };
    let multiline = old.contains('\n') || new.contains('\n');
    let short = !multiline && old.chars().count() <= SHORT && new.chars().count() <= SHORT;
    // A whitespace-only change is shown quoted, where the whitespace is visible.
    if short || whitespace_only {
        let _ = writeln!(
            out,
            "      {symbol} {label}: {} → {}",
            quoted(&a.before),
            quoted(&a.after)
        );
        return;
    }
    let _ = writeln!(out, "      {symbol} {label}:");
    for line in line_diff(&old, &new, st) {
        let _ = writeln!(out, "          {line}");
    }
}

/// Keywords added and removed, compared case-insensitively after trimming.
pub fn keyword_diff(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .collect()
    };
    let (o, n) = (split(old), split(new));
    let has = |list: &[String], k: &str| list.iter().any(|x| x.to_lowercase() == k.to_lowercase());
    let added = n.iter().filter(|k| !has(&o, k)).cloned().collect();
    let removed = o.iter().filter(|k| !has(&n, k)).cloned().collect();
    (added, removed)
}

/// A unified line diff with three lines of context and the changed words
/// marked; every changed line is shown.
fn line_diff(old: &str, new: &str, st: &Style) -> Vec<String> {
    // Both sides end in a newline, so a last line is not "changed" by it.
    let with_newline = |s: &str| {
        if s.is_empty() || s.ends_with('\n') {
            s.to_owned()
        } else {
            format!("{s}\n")
        }
    };
    let (old, new) = (with_newline(old), with_newline(new));
    let diff = TextDiff::from_lines(&old, &new);
    let mut lines = Vec::new();
    for (i, group) in diff.grouped_ops(3).iter().enumerate() {
        if i > 0 {
            lines.push(st.dim("…"));
        }
        for op in group {
            for change in diff.iter_inline_changes(op) {
                let (sign, paint): (&str, fn(&Style, &str) -> String) = match change.tag() {
                    ChangeTag::Delete => ("- ", Style::del),
                    ChangeTag::Insert => ("+ ", Style::add),
                    ChangeTag::Equal => ("  ", Style::dim),
                };
                let mut line = paint(st, sign);
                for (emphasized, value) in change.iter_strings_lossy() {
                    let value = value.trim_end_matches(['\n', '\r']);
                    if emphasized {
                        line.push_str(&st.strong(value, change.tag()));
                    } else {
                        line.push_str(&paint(st, value));
                    }
                }
                lines.push(line);
            }
        }
    }
    lines
}

// ---------------------------------------------------------------- markdown

/// A fence longer than any backtick run in `content`, so nothing inside
/// can close the block.
pub(crate) fn fence(content: &str) -> String {
    let longest = content.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// Plain text of one change's attributes as a `diff` block body.
fn diff_block(c: &Change) -> String {
    let st = Style { color: false };
    let mut body = String::new();
    change_block(&mut body, c, &st);
    // GitHub colours a diff line by its first character: move +/- there.
    body.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            match trimmed.chars().next() {
                Some(sign @ ('+' | '-')) => format!("{sign}{}{}\n", " ".repeat(indent), &trimmed[1..]),
                _ => format!("{line}\n"),
            }
        })
        .collect()
}

/// The Markdown form, at most [`MARKDOWN_LIMIT`] characters: the summary
/// and the table are always kept; per-locale diffs are cut with a note.
pub fn markdown(plan: &Plan) -> String {
    markdown_within(plan, MARKDOWN_LIMIT)
}

pub fn markdown_within(plan: &Plan, limit: usize) -> String {
    use crate::render::markdown_cell as cell;
    let mut head = String::new();
    let _ = writeln!(head, "### asc-sync plan for {}\n", cell(&heading(plan)));
    let _ = writeln!(head, "**{}**\n", cell(&summary_line(plan)));
    if let Some(line) = targeting_line(plan) {
        let _ = writeln!(head, "{}\n", cell(&line));
    }
    if let Some(base) = &plan.source.changed_since {
        let _ = writeln!(head, "{}\n", cell(&origin_legend(base)));
    }
    // Changes grouped by locale ("" for app-wide ones).
    let mut groups: BTreeMap<String, Vec<&Change>> = BTreeMap::new();
    for c in &plan.changes {
        groups.entry(c.locale.clone().unwrap_or_default()).or_default().push(c);
    }
    if !groups.is_empty() {
        head.push_str(&overview(plan, &groups));
    }
    if !plan.notes.is_empty() {
        for n in &plan.notes {
            let _ = writeln!(head, "- {}", cell(n));
        }
        head.push('\n');
    }
    let blocks: Vec<String> = groups
        .iter()
        .map(|(locale, changes)| locale_block(locale, changes))
        .chain(plan.media.iter().map(media_table))
        .chain((!plan.release.is_empty()).then(|| {
            let body: String = release_lines(plan)
                .iter()
                .map(|(b, s, t)| format!("{} {t}\n", if *b { '!' } else { *s }))
                .collect();
            let f = fence(&body);
            format!("<details><summary>Release settings</summary>\n\n{f}diff\n{body}{f}\n\n</details>\n\n")
        }))
        .chain((!plan.products.is_empty() || !plan.product_versions.is_empty()).then(|| products_block(plan)))
        .collect();
    let mut out = head;
    let total = blocks.len();
    for (i, block) in blocks.into_iter().enumerate() {
        let note_room = 200;
        if out.chars().count() + block.chars().count() + note_room > limit {
            let _ = writeln!(
                out,
                "_{} of {total} locale diffs are not shown: a comment holds at most {limit} characters. Run `asc-sync plan` for all of them._",
                total - i
            );
            break;
        }
        out.push_str(&block);
    }
    if out.chars().count() > limit {
        // Even the table is too long: keep what fits, on a line boundary.
        let mut cut: String = out.chars().take(limit.saturating_sub(120)).collect();
        if let Some(i) = cut.rfind('\n') {
            cut.truncate(i + 1);
        }
        cut.push_str("\n_The plan is cut here: it does not fit in one comment. Run `asc-sync plan` for all of it._\n");
        out = cut;
    }
    out
}

/// The table of what changes where: a row per locale, a column per
/// attribute, the action's symbol (⛔ for blocked) in each cell.
fn overview(plan: &Plan, groups: &BTreeMap<String, Vec<&Change>>) -> String {
    use crate::render::markdown_cell as cell;
    let mut head = String::new();
    let mut columns: Vec<Attribute> = plan.changes.iter().flat_map(|c| c.attributes.keys().copied()).collect();
    columns.sort();
    columns.dedup();
    let _ = writeln!(
        head,
        "| locale | {} |",
        columns.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" | ")
    );
    let _ = writeln!(head, "|---|{}", "---|".repeat(columns.len()));
    for (locale, changes) in groups {
        let marks: Vec<String> = columns
            .iter()
            .map(|col| {
                changes
                    .iter()
                    .find(|c| c.attributes.contains_key(col))
                    .map(|c| {
                        if c.is_blocked() {
                            "⛔".to_owned()
                        } else {
                            c.action.symbol().to_string()
                        }
                    })
                    .unwrap_or_default()
            })
            .collect();
        let name = if locale.is_empty() {
            "(app)".to_owned()
        } else {
            cell(locale)
        };
        let _ = writeln!(head, "| {name} | {} |", marks.join(" | "));
    }
    head.push('\n');
    head
}

/// One locale's changes as a collapsed `diff` block.
fn locale_block(locale: &str, changes: &[&Change]) -> String {
    use crate::render::markdown_cell as cell;
    let body: String = changes.iter().map(|c| diff_block(c) + "\n").collect();
    let f = fence(&body);
    let what: Vec<String> = changes
        .iter()
        .flat_map(|c| {
            c.attributes
                .keys()
                .map(move |k| format!("{} {k}", if c.is_blocked() { '!' } else { c.action.symbol() }))
        })
        .collect();
    let mut name = if locale.is_empty() {
        "app".to_owned()
    } else {
        cell(locale)
    };
    let drift = changes.iter().filter(|c| c.origin == Some(Origin::Drift)).count();
    let own = changes.iter().filter(|c| c.origin == Some(Origin::Change)).count();
    match (own, drift) {
        (0, 0) => {}
        (_, 0) => name.push_str(" [in this change]"),
        (0, _) => name.push_str(" [drift]"),
        _ => name.push_str(" [in this change + drift]"),
    }
    format!(
        "<details><summary>{name}: {}</summary>\n\n{f}diff\n{}{f}\n\n</details>\n\n",
        cell(&what.join(", ")),
        body.trim_end_matches('\n').to_owned() + "\n"
    )
}

// A run over several apps.

pub fn apps_total(doc: &AppsPlan) -> String {
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

fn apps_line(app: &AppPlan) -> String {
    match (&app.plan, &app.error) {
        (Some(plan), _) => super::plan::summary_line(plan),
        (None, error) => format!("error: {}", error.as_deref().unwrap_or("not planned")),
    }
}

pub fn apps_text(doc: &AppsPlan, color: bool) -> String {
    let mut out = format!(
        "asc-sync plan for {} of {}\n\n",
        count(doc.apps.len(), "app"),
        doc.config
    );
    for app in &doc.apps {
        out.push_str(&section(&app.name, &app.bundle_id, app.platform));
        match &app.plan {
            Some(plan) => out.push_str(&super::plan::text(plan, color)),
            None => out.push_str(&(apps_line(app) + "\n")),
        }
        out.push('\n');
    }
    out + &apps_total(doc) + "\n"
}

pub fn apps_markdown(doc: &AppsPlan) -> String {
    let mut out = format!(
        "### asc-sync plan for {} of {}\n\n**{}**\n\n| app | bundle id | platform | plan |\n|---|---|---|---|\n",
        count(doc.apps.len(), "app"),
        cell(&doc.config),
        cell(&apps_total(doc))
    );
    for app in &doc.apps {
        let mark = if app.plan.is_some() { "" } else { "❌ " };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {mark}{} |",
            cell(&app.name),
            cell(&app.bundle_id),
            cell(app.platform.into()),
            cell(&apps_line(app))
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
