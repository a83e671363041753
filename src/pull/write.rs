//! Carrying out a pull on disk. Links are replaced, never written
//! through: a file that is a symlink is removed before the new file is
//! written in its place, and a linked folder is turned into a real folder
//! holding copies of what it showed before any file in it is written.

use std::path::Path;

/// A file to write, with its whole new content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileWrite {
    pub rel: String,
    pub content: String,
}

/// A linked folder to turn into a folder: the files it showed and, for
/// each, the regular file inside the tree to copy it from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderWrite {
    pub folder: String,
    pub copies: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct WriteError {
    path: String,
    source: std::io::Error,
}

/// Writes the folders first, then the files, under `root` (created when
/// missing); `shown` is the root as the user gave it, for errors.
pub fn carry_out(root: &Path, shown: &str, folders: &[FolderWrite], files: &[FileWrite]) -> Result<(), WriteError> {
    let failed = |rel: &str| {
        let path = format!("{}/{rel}", shown.trim_end_matches('/'));
        move |source| WriteError { path, source }
    };
    std::fs::create_dir_all(root).map_err(failed(""))?;
    for folder in folders {
        unlink_folder(root, folder).map_err(failed(&folder.folder))?;
    }
    for file in files {
        write_file(root, file).map_err(failed(&file.rel))?;
    }
    Ok(())
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn unlink_folder(root: &Path, folder: &FolderWrite) -> std::io::Result<()> {
    let copies = folder
        .copies
        .iter()
        .map(|(name, from)| Ok((name, std::fs::read(root.join(from))?)))
        .collect::<std::io::Result<Vec<_>>>()?;
    let path = root.join(&folder.folder);
    // A symlink or a plain file that held the folder's path: either way a
    // file, which removing does not follow.
    std::fs::remove_file(&path)?;
    std::fs::create_dir(&path)?;
    for (name, bytes) in copies {
        std::fs::write(path.join(name), bytes)?;
    }
    Ok(())
}

fn write_file(root: &Path, file: &FileWrite) -> std::io::Result<()> {
    let path = root.join(&file.rel);
    if let Some((folder, _)) = file.rel.rsplit_once('/') {
        let folder = root.join(folder);
        if is_link(&folder) {
            // The decision turns linked folders into folders first; a link
            // here means the tree changed under us.
            return Err(std::io::Error::other(
                "its folder is a link; asc-sync never writes through a link. Run pull again",
            ));
        }
        std::fs::create_dir_all(folder)?;
    }
    if is_link(&path) {
        std::fs::remove_file(&path)?;
    }
    std::fs::write(path, &file.content)
}
