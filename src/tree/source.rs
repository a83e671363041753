//! Where a tree's bytes come from: the work tree on disk, or a git revision.
//!
//! Both sources answer the same two questions (what is in this folder, what
//! is in this file) with the same rules for symlinks, so a tree read from
//! `--rev main` means exactly what the same tree means on disk. A symlink is
//! followed only while it stays inside the metadata root: real trees link
//! `ar-SA/release_notes.txt` to `../en-US/release_notes.txt`, but nothing
//! outside the tree may ever be read and sent to Apple.

use std::path::{Component, Path, PathBuf};

/// Files over this size are refused unread: no App Store field is near it,
/// and a mistaken binary or log file must not be loaded into memory.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// What an entry of a folder is, after following symlinks inside the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    /// A socket, fifo, device or git submodule.
    Other,
    /// A symlink whose target is outside the metadata root.
    Escapes(String),
    /// A symlink that leads nowhere (missing target or a loop).
    Broken(String),
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// The name, lossily decoded when it is not UTF-8 (such a name can
    /// never be a known file, so it is only ever reported, never read).
    pub name: String,
    pub kind: Kind,
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    TooLarge(u64),
    Io(String),
}

pub trait Source {
    /// The entries of a folder inside the tree (`""` is the root), sorted
    /// by name. `Err` when the folder itself cannot be listed.
    fn list(&self, dir: &str) -> Result<Vec<Entry>, String>;
    /// The bytes of a file inside the tree, at most [`MAX_FILE_BYTES`].
    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError>;
    /// Whether the root exists and is a folder; `Err` says what it is instead.
    fn root_status(&self) -> Result<(), String>;
    /// What a path inside the tree (`""` is the root) is, following
    /// symlinks at any depth by the same rules as [`Source::list`]: a path
    /// that passes through a symlink out of the tree `Escapes`, one that
    /// names nothing is `Broken`.
    fn kind(&self, path: &str) -> Kind;
}

/// A tree in the file system.
pub struct FsSource {
    root: PathBuf,
    canonical_root: Option<PathBuf>,
}

impl FsSource {
    pub fn new(root: &Path) -> FsSource {
        FsSource {
            root: root.to_owned(),
            canonical_root: root.canonicalize().ok(),
        }
    }

    fn kind_of(&self, path: &Path, file_type: std::fs::FileType) -> Kind {
        if file_type.is_symlink() {
            let target = match std::fs::read_link(path) {
                Ok(t) => t.display().to_string(),
                Err(e) => return Kind::Broken(e.to_string()),
            };
            let resolved = match path.canonicalize() {
                Ok(p) => p,
                Err(e) => return Kind::Broken(format!("{target}: {e}")),
            };
            let inside = self.canonical_root.as_ref().is_some_and(|r| resolved.starts_with(r));
            if !inside {
                return Kind::Escapes(target);
            }
            match std::fs::metadata(&resolved) {
                Ok(m) if m.is_dir() => Kind::Dir,
                Ok(m) if m.is_file() => Kind::File,
                Ok(_) => Kind::Other,
                Err(e) => Kind::Broken(format!("{target}: {e}")),
            }
        } else if file_type.is_dir() {
            Kind::Dir
        } else if file_type.is_file() {
            Kind::File
        } else {
            Kind::Other
        }
    }
}

impl Source for FsSource {
    fn root_status(&self) -> Result<(), String> {
        match std::fs::metadata(&self.root) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err("it is a file, not a folder".into()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err("no such folder".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    fn list(&self, dir: &str) -> Result<Vec<Entry>, String> {
        let walker = walkdir::WalkDir::new(self.root.join(dir))
            .min_depth(1)
            .max_depth(1)
            .follow_links(false)
            .sort_by_file_name();
        let mut entries = Vec::new();
        for item in walker {
            let item = item.map_err(|e| match e.io_error() {
                Some(io) => io.to_string(),
                None => e.to_string(),
            })?;
            entries.push(Entry {
                name: item.file_name().to_string_lossy().into_owned(),
                kind: self.kind_of(item.path(), item.file_type()),
            });
        }
        Ok(entries)
    }

    fn kind(&self, path: &str) -> Kind {
        let resolved = match self.root.join(path).canonicalize() {
            Ok(p) => p,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Kind::Broken(format!("{path} is missing"));
            }
            Err(e) => return Kind::Broken(format!("{path}: {e}")),
        };
        if !self.canonical_root.as_ref().is_some_and(|r| resolved.starts_with(r)) {
            return Kind::Escapes(path.to_owned());
        }
        match std::fs::metadata(&resolved) {
            Ok(m) if m.is_dir() => Kind::Dir,
            Ok(m) if m.is_file() => Kind::File,
            Ok(_) => Kind::Other,
            Err(e) => Kind::Broken(format!("{path}: {e}")),
        }
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        use std::io::Read;
        let full = self.root.join(path);
        let file = std::fs::File::open(&full).map_err(|e| ReadError::Io(e.to_string()))?;
        let size = file.metadata().map_err(|e| ReadError::Io(e.to_string()))?.len();
        if size > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge(size));
        }
        // Read at most one byte past the cap, in case the file grew.
        let mut bytes = Vec::with_capacity(size as usize);
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ReadError::Io(e.to_string()))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge(bytes.len() as u64));
        }
        Ok(bytes)
    }
}

/// A tree as it is in a git revision, read without touching the work tree.
pub struct GitSource {
    repo: git2::Repository,
    /// The tree object of the metadata root at that revision, if it exists.
    root: Option<git2::Oid>,
}

/// Why a git revision could not be opened at all.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{path} is not inside a git repository: {source}")]
    NoRepository { path: String, source: git2::Error },
    #[error("the repository has no work tree, so a metadata path cannot be placed in it")]
    Bare,
    #[error("{path} is not inside the repository at {workdir}")]
    OutsideRepository { path: String, workdir: String },
    #[error("git revision '{rev}' not found: {source}")]
    BadRevision { rev: String, source: git2::Error },
}

const MODE_TREE: i32 = 0o040000;
const MODE_LINK: i32 = 0o120000;
const MODE_COMMIT: i32 = 0o160000;
/// How many symlinks one path may pass through before it counts as a loop.
pub const MAX_LINK_HOPS: usize = 16;

impl GitSource {
    /// Opens the repository around `metadata` and finds that folder in `rev`.
    pub fn open(metadata: &Path, rev: &str) -> Result<GitSource, GitError> {
        let absolute = std::path::absolute(metadata).unwrap_or_else(|_| metadata.to_owned());
        let start = existing_ancestor(&absolute);
        let repo = git2::Repository::discover(&start).map_err(|source| GitError::NoRepository {
            path: metadata.display().to_string(),
            source,
        })?;
        let workdir = repo.workdir().ok_or(GitError::Bare)?.to_owned();
        let workdir = workdir.canonicalize().unwrap_or(workdir);
        let canonical = canonicalize_existing_prefix(&absolute);
        let relative = canonical
            .strip_prefix(&workdir)
            .map_err(|_| GitError::OutsideRepository {
                path: metadata.display().to_string(),
                workdir: workdir.display().to_string(),
            })?
            .to_owned();
        let tree = repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_tree())
            .map_err(|source| GitError::BadRevision {
                rev: rev.to_owned(),
                source,
            })?;
        let root = if relative.as_os_str().is_empty() {
            Some(tree.id())
        } else {
            tree.get_path(&relative)
                .ok()
                .filter(|e| e.filemode() == MODE_TREE)
                .map(|e| e.id())
        };
        drop(tree);
        Ok(GitSource { repo, root })
    }

    /// Follows a path inside the metadata root, resolving symlinks at any
    /// depth, to the mode and id of the blob or tree it names. `Err(kind)`
    /// when it escapes the root or leads nowhere.
    fn resolve(&self, path: &str) -> Result<(i32, git2::Oid), Kind> {
        let root = self.root.ok_or_else(|| Kind::Broken("no metadata folder".into()))?;
        let mut pending: std::collections::VecDeque<String> =
            normalize(path).ok_or_else(|| Kind::Escapes(path.to_owned()))?.into();
        let mut done: Vec<String> = Vec::new();
        let mut current = (MODE_TREE, root);
        let mut hops = 0;
        while let Some(name) = pending.pop_front() {
            if current.0 != MODE_TREE {
                return Err(Kind::Broken(format!("{} is not a folder", done.join("/"))));
            }
            let tree = self
                .repo
                .find_tree(current.1)
                .map_err(|e| Kind::Broken(e.to_string()))?;
            let Some(entry) = tree.get_name(&name) else {
                done.push(name);
                return Err(Kind::Broken(format!("{} is missing", done.join("/"))));
            };
            if entry.filemode() != MODE_LINK {
                current = (entry.filemode(), entry.id());
                done.push(name);
                continue;
            }
            hops += 1;
            if hops > MAX_LINK_HOPS {
                return Err(Kind::Broken("too many levels of symbolic links".into()));
            }
            let blob = self
                .repo
                .find_blob(entry.id())
                .map_err(|e| Kind::Broken(e.to_string()))?;
            let target = String::from_utf8_lossy(blob.content()).into_owned();
            if target.starts_with('/') {
                return Err(Kind::Escapes(target));
            }
            let rest: Vec<String> = pending.drain(..).collect();
            let joined = [done.join("/"), target.clone(), rest.join("/")].join("/");
            pending = normalize(&joined).ok_or(Kind::Escapes(target))?.into();
            done.clear();
            current = (MODE_TREE, root);
        }
        Ok(current)
    }
}

impl Source for GitSource {
    fn root_status(&self) -> Result<(), String> {
        match self.root {
            Some(_) => Ok(()),
            None => Err("no such folder in that revision".into()),
        }
    }

    fn list(&self, dir: &str) -> Result<Vec<Entry>, String> {
        let (mode, id) = self.resolve(dir).map_err(|k| format!("{k:?}"))?;
        if mode != MODE_TREE {
            return Err("not a folder".into());
        }
        let tree = self.repo.find_tree(id).map_err(|e| e.to_string())?;
        let mut entries = Vec::new();
        for e in tree.iter() {
            let name = String::from_utf8_lossy(e.name_bytes()).into_owned();
            let kind = match e.filemode() {
                MODE_TREE => Kind::Dir,
                MODE_COMMIT => Kind::Other,
                MODE_LINK => {
                    let path = if dir.is_empty() {
                        name.clone()
                    } else {
                        format!("{dir}/{name}")
                    };
                    self.kind(&path)
                }
                _ => Kind::File,
            };
            entries.push(Entry { name, kind });
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    fn kind(&self, path: &str) -> Kind {
        match self.resolve(path) {
            Ok((MODE_TREE, _)) => Kind::Dir,
            Ok((MODE_COMMIT, _)) => Kind::Other,
            Ok(_) => Kind::File,
            Err(kind) => kind,
        }
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        let (_, id) = self.resolve(path).map_err(|k| ReadError::Io(format!("{k:?}")))?;
        let blob = self.repo.find_blob(id).map_err(|e| ReadError::Io(e.to_string()))?;
        let size = blob.size() as u64;
        if size > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge(size));
        }
        Ok(blob.content().to_vec())
    }
}

/// Splits a `/`-separated path inside the tree and resolves `.` and `..`;
/// `None` when it climbs above the root.
pub fn normalize(path: &str) -> Option<Vec<String>> {
    let mut parts: Vec<String> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p.to_owned()),
        }
    }
    Some(parts)
}

fn existing_ancestor(path: &Path) -> PathBuf {
    let mut p = path.to_owned();
    while !p.exists() {
        if !p.pop() {
            break;
        }
    }
    p
}

/// Canonicalizes the longest existing prefix of `path` and appends the rest,
/// so a metadata folder deleted from the work tree can still be read from
/// an older revision.
fn canonicalize_existing_prefix(path: &Path) -> PathBuf {
    let base = existing_ancestor(path);
    let rest = path.strip_prefix(&base).unwrap_or(Path::new(""));
    let mut out = base.canonicalize().unwrap_or(base);
    for c in rest.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    out
}
