//! Puts the git commit into `asc-sync --version` when the binary is built
//! from a checkout (`asc-sync 0.2.0 (3f2a9c1)`), so a bug report names the
//! exact source. A build of the published crate has no `.git` beside its
//! Cargo.toml and shows the version alone.
//!
//! It asks git once, and cargo runs it again only when HEAD or the branch
//! it points to moves, not on every edit.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let long = match commit(&dir) {
        Some(commit) => format!("{version} ({commit})"),
        None => {
            // `cargo package` verifies the crate in the checkout's target
            // dir, under the same build-script unit as the checkout's own
            // build, and cargo keeps the file list of whichever ran last.
            // Listing this file, which only a package has, by a path
            // relative to the package, makes that list stale in the
            // checkout, so the next build there asks git again instead of
            // keeping a version without its commit.
            if dir.join(".cargo_vcs_info.json").exists() {
                println!("cargo:rerun-if-changed=.cargo_vcs_info.json");
            }
            version
        }
    };
    println!("cargo:rustc-env=ASC_SYNC_LONG_VERSION={long}");
}

/// The short commit of HEAD, when `dir` is the root of a checkout.
///
/// `.git` must be in `dir` itself: `cargo package` verifies the crate in
/// `target/package/`, inside the checkout, and that build must not take
/// the checkout's commit as its own.
fn commit(dir: &Path) -> Option<String> {
    if !dir.join(".git").exists() {
        return None;
    }
    let commit = git(dir, &["rev-parse", "--short", "HEAD"])?;
    for path in watched(dir) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    Some(commit)
}

/// The files whose change means a new commit: HEAD (a checkout or a switch
/// of branch), the branch's ref (a commit), and packed-refs (a ref may live
/// only there). A ref that is not loose yet is watched through its folder,
/// where git writes it on the next commit. Paths come from git itself, so
/// that worktrees, whose HEAD and refs live apart, are watched right.
fn watched(dir: &Path) -> Vec<PathBuf> {
    let git_path = |name: &str| git(dir, &["rev-parse", "--git-path", name]).map(|p| dir.join(p));
    let mut paths = Vec::new();
    paths.extend(git_path("HEAD"));
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"])
        && let Some(loose) = git_path(&branch)
    {
        match (loose.exists(), loose.parent()) {
            (true, _) => paths.push(loose),
            (false, Some(folder)) if folder.exists() => paths.push(folder.to_owned()),
            _ => {}
        }
    }
    paths.extend(git_path("packed-refs").filter(|p| p.exists()));
    paths
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}
