//! Turning results into text for people and machines. Renderers are pure
//! functions from data to `String`; only the command layer prints.

pub mod plan;
pub mod pull;
pub(crate) mod report;
pub(crate) mod validation;

/// Output formats, chosen with `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people at a terminal.
    Text,
    /// For pull-request comments and job summaries.
    Markdown,
    /// A versioned document for machines (`format_version`).
    Json,
    /// GitHub Actions workflow commands (`::error file=…::…`).
    Github,
}

/// A count with its noun in the right number: `1 request`, `2 requests`.
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Escapes a GitHub workflow-command message (`%`, CR, LF).
pub fn github_escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a GitHub workflow-command property (also `:` and `,`).
pub fn github_escape_property(s: &str) -> String {
    github_escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Makes untrusted text safe inside a Markdown table cell: no HTML, no
/// table breaks, no @mentions, no line breaks.
pub fn markdown_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' => out.push_str("\\`"),
            '@' => out.push_str("@\u{200B}"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

// The sections and totals of a run over several apps: one section per
// app, as the run of that app alone would print it, then a total;
// Markdown with a table of the apps first, each app within its share.

/// The line that opens an app's section of text output.
pub(crate) fn section(name: &str, bundle_id: &str, platform: crate::model::Platform) -> String {
    format!("=== {name}: {bundle_id} ({platform}) ===\n")
}

pub(crate) fn section_of(app: &crate::apps::AppId) -> String {
    section(&app.name, &app.bundle_id, app.platform)
}

/// `Total, 2 apps:` (with how many of them failed at the end).
pub(crate) fn total_head(apps: usize) -> String {
    format!("Total, {}:", count(apps, "app"))
}

pub(crate) fn failed_tail(failed: usize, what: &str) -> String {
    match failed {
        0 => String::new(),
        n => format!("; {} {what}", count(n, "app")),
    }
}

/// Text cut to `limit` characters at a line, with a note.
pub(crate) fn within(text: String, limit: usize, note: &str) -> String {
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
pub(crate) fn block(text: &str) -> String {
    let f = plan::fence(text);
    format!("{f}text\n{}\n{f}\n\n", text.trim_end())
}
