//! GitHub Actions: the job summary, step outputs, a sticky pull-request
//! comment body, and annotations. Switched on by `--github` or by
//! `GITHUB_ACTIONS=true` (unless `--no-github`), so a workflow step needs
//! no extra flags to show the plan where reviewers look.

use std::io::Write;
use std::path::{Path, PathBuf};

/// GitHub's cap on one step's summary.
pub const SUMMARY_LIMIT: usize = 1024 * 1024;
/// GitHub's cap on a comment body.
pub const COMMENT_LIMIT: usize = 65_536;

#[derive(Clone, Debug, Default)]
pub struct Github {
    pub step_summary: Option<PathBuf>,
    pub output: Option<PathBuf>,
}

impl Github {
    /// Active when asked for, or inside GitHub Actions unless refused.
    pub fn detect(flag: bool, refuse: bool) -> Option<Github> {
        let in_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
        if refuse || !(flag || in_actions) {
            return None;
        }
        let path = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        Some(Github {
            step_summary: path("GITHUB_STEP_SUMMARY"),
            output: path("GITHUB_OUTPUT"),
        })
    }

    /// Appends Markdown to the job summary, keeping the file under GitHub's
    /// 1 MiB cap (the text is cut at a line, with a note, past it).
    pub fn append_summary(&self, markdown: &str) -> std::io::Result<()> {
        let Some(path) = &self.step_summary else { return Ok(()) };
        let existing = std::fs::metadata(path).map_or(0, |m| m.len() as usize);
        let room = SUMMARY_LIMIT.saturating_sub(existing);
        let note = "\n\n_The rest is cut: a job summary holds at most 1 MiB._\n";
        if markdown.len() > room && room <= note.len() {
            return Ok(()); // full already: nothing more fits, not even the note
        }
        append(path, &fit(markdown, room, note))
    }

    /// Writes step outputs (`name=value` lines; a multi-line value uses a
    /// heredoc delimiter, as GitHub documents).
    pub fn set_outputs(&self, outputs: &[(&str, String)]) -> std::io::Result<()> {
        let Some(path) = &self.output else { return Ok(()) };
        let mut text = String::new();
        for (name, value) in outputs {
            if value.contains('\n') {
                text.push_str(&format!("{name}<<ASC_SYNC_EOF\n{value}\nASC_SYNC_EOF\n"));
            } else {
                text.push_str(&format!("{name}={value}\n"));
            }
        }
        append(path, &text)
    }
}

/// Writes annotations (to stderr, which the runner reads) once per job:
/// a later step with the very same findings (a `plan` after `validate`)
/// skips them, as does `--no-annotations`. The job's `RUNNER_TEMP` holds
/// a marker of what was annotated.
pub fn annotate(annotations: &str, skip: bool) -> std::io::Result<()> {
    if skip || annotations.is_empty() {
        return Ok(());
    }
    if !first_time(annotations)? {
        eprintln!("(these findings were annotated by an earlier step of this job)");
        return Ok(());
    }
    eprint!("{annotations}");
    Ok(())
}

/// Whether these annotations are new to this job, marking them as
/// written; always true outside a runner (no `RUNNER_TEMP`).
pub fn first_time(annotations: &str) -> std::io::Result<bool> {
    let Some(dir) = std::env::var_os("RUNNER_TEMP").filter(|d| !d.is_empty()) else {
        return Ok(true);
    };
    use sha2::Digest;
    let digest = hex::encode(sha2::Sha256::digest(annotations.as_bytes()));
    let marker = Path::new(&dir).join(format!("asc-sync-annotated-{}", &digest[..16]));
    if marker.exists() {
        return Ok(false);
    }
    std::fs::write(&marker, "")?;
    Ok(true)
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(text.as_bytes())
}

/// `text` cut at a line so that it and `note` fit in `limit` bytes.
fn fit(text: &str, limit: usize, note: &str) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut cut = limit.saturating_sub(note.len());
    while cut > 0 && !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = text[..cut].to_owned();
    if let Some(i) = out.rfind('\n') {
        out.truncate(i + 1);
    }
    out.push_str(note);
    out
}

/// The hidden first line of the sticky comment, stable per app, so a
/// workflow finds and updates its one comment instead of adding one per push.
pub fn comment_marker(bundle_id: &str) -> String {
    format!("<!-- asc-sync plan: {} -->", bundle_id.replace("--", "-"))
}

/// A comment body: the marker, then the Markdown, within 65,536 characters.
pub fn comment_body(bundle_id: &str, markdown: &str) -> String {
    let marker = comment_marker(bundle_id);
    let body = format!("{marker}\n{markdown}");
    if body.chars().count() <= COMMENT_LIMIT {
        return body;
    }
    let note = format!(
        "\n\n_The rest is cut: a comment holds at most {COMMENT_LIMIT} characters. Run `asc-sync plan` for all of it._\n"
    );
    let keep = COMMENT_LIMIT - note.chars().count();
    let mut cut: String = body.chars().take(keep).collect();
    if let Some(i) = cut.rfind('\n') {
        cut.truncate(i + 1);
    }
    cut + &note
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_comment_starts_with_the_marker_and_fits() {
        let body = comment_body("com.example.app", &"x\n".repeat(60_000));
        assert!(body.starts_with("<!-- asc-sync plan: com.example.app -->\n"));
        assert!(body.chars().count() <= COMMENT_LIMIT);
    }

    #[test]
    fn fitting_cuts_at_a_line_with_a_note() {
        let out = fit("aaa\nbbb\nccc\n", 10, "!");
        assert_eq!(out, "aaa\nbbb\n!");
    }
}
