//! What git knows about the tree a plan was made from: the commit and
//! whether the work tree was dirty (recorded in a saved plan), and which
//! files changed since a base revision (to tell "what this pull request
//! changes" from "drift": a web edit, or a change never applied).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub commit: String,
    /// Tracked files modified, or untracked files present.
    pub dirty: bool,
}

fn existing_ancestor(path: &Path) -> PathBuf {
    let mut p = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    while !p.exists() && p.pop() {}
    p
}

fn open(path: &Path) -> Option<git2::Repository> {
    git2::Repository::discover(existing_ancestor(path)).ok()
}

/// HEAD of the repository around `path`, if there is one.
pub fn head(path: &Path) -> Option<Head> {
    let repo = open(path)?;
    let commit = repo.head().ok()?.peel_to_commit().ok()?.id().to_string();
    let mut options = git2::StatusOptions::new();
    options.include_untracked(true).include_ignored(false);
    let dirty = repo
        .statuses(Some(&mut options))
        .map(|s| !s.is_empty())
        .unwrap_or(false);
    Some(Head { commit, dirty })
}

/// A path made absolute with its folder's symlinks resolved, so paths
/// from git and from the tree compare equal.
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => dir.canonicalize().unwrap_or_else(|_| dir.to_owned()).join(name),
        _ => absolute,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChangedSinceError {
    #[error("--changed-since needs a git repository around {0}")]
    NoRepository(String),
    #[error("--changed-since: git revision '{rev}' not found: {source}")]
    BadRevision { rev: String, source: git2::Error },
    #[error("--changed-since {rev}: {source}")]
    Diff { rev: String, source: git2::Error },
}

/// Every file that differs between `base` and the work tree (staged or
/// not, added, deleted or renamed), as normalized absolute paths.
pub fn changed_since(path: &Path, base: &str) -> Result<HashSet<PathBuf>, ChangedSinceError> {
    let repo = open(path).ok_or_else(|| ChangedSinceError::NoRepository(path.display().to_string()))?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| ChangedSinceError::NoRepository(path.display().to_string()))?
        .to_owned();
    let tree = repo
        .revparse_single(base)
        .and_then(|o| o.peel_to_tree())
        .map_err(|source| ChangedSinceError::BadRevision {
            rev: base.to_owned(),
            source,
        })?;
    let mut options = git2::DiffOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true);
    let diff = repo
        .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut options))
        .map_err(|source| ChangedSinceError::Diff {
            rev: base.to_owned(),
            source,
        })?;
    let mut changed = HashSet::new();
    for delta in diff.deltas() {
        for file in [delta.old_file().path(), delta.new_file().path()].into_iter().flatten() {
            changed.insert(normalize(&workdir.join(file)));
        }
    }
    Ok(changed)
}

/// The commit a revision names, in the repository around `path`.
pub fn resolve(path: &Path, rev: &str) -> Option<String> {
    let repo = open(path)?;
    Some(repo.revparse_single(rev).ok()?.peel_to_commit().ok()?.id().to_string())
}
