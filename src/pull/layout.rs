//! How the files of a tree hang together on disk: which paths are links
//! (real symlinks, or symlinks git checked out as plain files) and where
//! each leads. Pull needs this to know what a write to one file does to
//! the meaning of the others, and never to write through a link.
//!
//! The decision in `decide` asks these questions through [`Layout`], so it
//! is tested against a tree described in memory; [`DiskLayout`] answers
//! them from the file system.

use crate::findings::{Code, Finding};
use crate::tree::normalize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A link: the path inside the tree it leads to, as the next step of the
/// chain, and its target as written, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// `None` when it leads outside the tree (never followed).
    pub next: Option<String>,
    pub shown: String,
}

/// What a path inside the tree is, without following it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Missing,
    File,
    Link(Link),
}

pub trait Layout {
    /// The path `rel` (`de-DE/release_notes.txt`), in a folder that is
    /// not itself a link.
    fn kind(&self, rel: &str) -> Kind;
    /// Where a top-level folder leads when it is a link (`en-GB` → `en-US`).
    fn folder_link(&self, folder: &str) -> Option<Link>;
    /// The names of the regular files and links in a folder.
    fn files(&self, folder: &str) -> Vec<String>;
    /// The line end a rewritten file keeps: the one it ends with now,
    /// `""` when it has none, `"\n"` for a new file.
    fn ending(&self, rel: &str) -> &'static str;
}

/// The folder of a path inside the tree and the name in it.
pub fn split(rel: &str) -> (&str, &str) {
    rel.rsplit_once('/').unwrap_or(("", rel))
}

/// `target` as seen from the folder of `rel`, inside the tree.
fn beside(rel: &str, target: &str) -> Option<String> {
    let (folder, _) = split(rel);
    normalize(&format!("{folder}/{target}")).map(|parts| parts.join("/"))
}

/// The path a file holds when it is a symlink git checked out as a plain
/// file: its text without the line end an editor may add.
fn held_path(text: &str) -> &str {
    let line = text.strip_suffix('\n').unwrap_or(text);
    line.strip_suffix('\r').unwrap_or(line)
}

/// The tree on disk. Plain files that hold a link are the ones the loader
/// reported as `symlink-as-file`: the same rule, read once.
pub struct DiskLayout {
    root: PathBuf,
    canonical_root: Option<PathBuf>,
    plain_links: BTreeSet<String>,
}

impl DiskLayout {
    pub fn new(root: &Path, findings: &[Finding]) -> DiskLayout {
        let shown = root.display().to_string();
        let prefix = format!("{}/", shown.trim_end_matches('/'));
        let plain_links = findings
            .iter()
            .filter(|f| f.code == Code::SymlinkAsFile)
            .filter_map(|f| f.path.strip_prefix(&prefix).map(str::to_owned))
            .collect();
        DiskLayout {
            root: root.to_owned(),
            canonical_root: root.canonicalize().ok(),
            plain_links,
        }
    }

    /// A real symlink's next step: its target beside it, or for an
    /// absolute target the same place inside the tree.
    fn symlink(&self, rel: &str) -> Option<Link> {
        let target = std::fs::read_link(self.root.join(rel)).ok()?;
        let shown = target.display().to_string();
        let next = if target.is_absolute() {
            let inside = target.canonicalize().ok()?;
            let relative = inside.strip_prefix(self.canonical_root.as_ref()?).ok()?;
            Some(relative.display().to_string())
        } else {
            beside(rel, &shown)
        };
        Some(Link { next, shown })
    }

    fn plain_link(&self, rel: &str) -> Option<Link> {
        if !self.plain_links.contains(rel) {
            return None;
        }
        let text = std::fs::read_to_string(self.root.join(rel)).ok()?;
        let shown = held_path(&text).to_owned();
        Some(Link {
            next: beside(rel, &shown),
            shown,
        })
    }
}

impl Layout for DiskLayout {
    fn kind(&self, rel: &str) -> Kind {
        match std::fs::symlink_metadata(self.root.join(rel)) {
            Err(_) => Kind::Missing,
            Ok(m) if m.file_type().is_symlink() => self.symlink(rel).map_or(Kind::Missing, Kind::Link),
            Ok(_) => self.plain_link(rel).map_or(Kind::File, Kind::Link),
        }
    }

    fn folder_link(&self, folder: &str) -> Option<Link> {
        if folder.is_empty() || folder.contains('/') {
            return None;
        }
        let meta = std::fs::symlink_metadata(self.root.join(folder)).ok()?;
        if meta.file_type().is_symlink() {
            self.symlink(folder)
        } else {
            self.plain_link(folder)
        }
    }

    fn files(&self, folder: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.root.join(folder)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    }

    fn ending(&self, rel: &str) -> &'static str {
        let path = self.root.join(rel);
        let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        match std::fs::read(&path) {
            Ok(bytes) if regular && !self.plain_links.contains(rel) && !bytes.is_empty() => {
                if bytes.ends_with(b"\r\n") {
                    "\r\n"
                } else if bytes.ends_with(b"\n") {
                    "\n"
                } else {
                    ""
                }
            }
            _ => "\n",
        }
    }
}

#[cfg(test)]
pub mod memory {
    //! A tree described in memory, for the decision's unit tests.
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Default)]
    pub struct MemoryLayout {
        pub files: BTreeSet<String>,
        pub links: BTreeMap<String, String>,
        pub folder_links: BTreeMap<String, String>,
    }

    impl MemoryLayout {
        pub fn file(mut self, rel: &str) -> Self {
            self.files.insert(rel.to_owned());
            self
        }

        pub fn link(mut self, rel: &str, target: &str) -> Self {
            self.links.insert(rel.to_owned(), target.to_owned());
            self
        }

        pub fn folder_link(mut self, folder: &str, target: &str) -> Self {
            self.folder_links.insert(folder.to_owned(), target.to_owned());
            self
        }
    }

    impl Layout for MemoryLayout {
        fn kind(&self, rel: &str) -> Kind {
            if let Some(target) = self.links.get(rel) {
                return Kind::Link(Link {
                    next: beside(rel, target),
                    shown: target.clone(),
                });
            }
            if self.files.contains(rel) {
                Kind::File
            } else {
                Kind::Missing
            }
        }

        fn folder_link(&self, folder: &str) -> Option<Link> {
            self.folder_links.get(folder).map(|target| Link {
                next: beside(folder, target),
                shown: target.clone(),
            })
        }

        fn files(&self, folder: &str) -> Vec<String> {
            self.files
                .iter()
                .chain(self.links.keys())
                .filter_map(|rel| {
                    let (f, name) = split(rel);
                    (f == folder).then(|| name.to_owned())
                })
                .collect()
        }

        fn ending(&self, _rel: &str) -> &'static str {
            "\n"
        }
    }
}
