//! The one emit step every verb ends with: the result on stdout, the
//! comment or pull-request body file, the GitHub job summary and the step
//! outputs, in that order, and the exit code. The verbs only say what to
//! emit; nothing else writes step outputs.

use super::{Outcome, print};
use crate::github::Github;
use anyhow::Context;
use std::path::PathBuf;

/// What a verb emits.
pub(crate) struct Emit {
    /// For stderr before the result (why a saved plan was refused).
    pub stderr: String,
    /// The result, for stdout.
    pub stdout: String,
    /// The result for reviewers: the job summary, and the comment's body.
    pub markdown: String,
    /// `--comment-out` with the label of its sticky marker, or
    /// `--body-out` (no marker: a pull request's body).
    pub file: Option<(PathBuf, Option<String>)>,
    /// The step outputs, when inside GitHub Actions.
    pub outputs: Vec<(&'static str, String)>,
    pub outcome: Outcome,
}

impl Emit {
    pub fn new(stdout: String, markdown: String, outputs: Vec<(&'static str, String)>, outcome: Outcome) -> Emit {
        Emit {
            stderr: String::new(),
            stdout,
            markdown,
            file: None,
            outputs,
            outcome,
        }
    }

    /// The comment file, with its marker, when `--comment-out` was given.
    pub fn comment(mut self, path: Option<&PathBuf>, label: String) -> Emit {
        self.file = path.map(|p| (p.clone(), Some(label)));
        self
    }

    /// The pull request's body file, when `--body-out` was given.
    pub fn body(mut self, path: Option<&PathBuf>) -> Emit {
        self.file = path.map(|p| (p.clone(), None));
        self
    }

    pub fn run(self, github: Option<&Github>) -> anyhow::Result<Outcome> {
        eprint!("{}", self.stderr);
        print(&self.stdout)?;
        if let Some((path, label)) = &self.file {
            let text = match label {
                Some(label) => crate::github::comment_body(label, &self.markdown),
                None => self.markdown.clone(),
            };
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        }
        if let Some(gh) = github {
            gh.append_summary(&self.markdown)?;
            gh.set_outputs(&self.outputs)?;
        }
        Ok(self.outcome)
    }
}

/// Each app's values of a step output, as one JSON object by app name
/// (`fromJSON(steps.plan.outputs.apps).main.has_changes`).
pub(crate) fn by_app(apps: impl Iterator<Item = (String, serde_json::Value)>) -> String {
    serde_json::Value::Object(apps.collect()).to_string()
}
