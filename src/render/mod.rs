//! Turning results into text for people and machines. Renderers are pure
//! functions from data to `String`; only the command layer prints.

pub(crate) mod apps;
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
