//! Shared helpers: temporary trees, the shared corpus, the built binary.

use asc_sync::findings::Finding;
use asc_sync::tree::{self, LoadOptions, Loaded};
use std::path::{Path, PathBuf};

/// `shared/corpus`, beside the repository (CI clones it there), or where
/// `ASC_SYNC_CORPUS` says.
pub fn corpus() -> PathBuf {
    let dir = std::env::var_os("ASC_SYNC_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    assert!(
        dir.is_dir(),
        "the shared corpus is missing at {}: clone shared/ beside the repository or set ASC_SYNC_CORPUS",
        dir.display()
    );
    dir
}

pub fn example_metadata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("metadata-example/metadata")
}

/// A temporary metadata tree built from `(path, bytes)` pairs.
pub struct TempTree {
    pub dir: tempfile::TempDir,
}

impl TempTree {
    pub fn new(files: &[(&str, &[u8])]) -> TempTree {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("metadata")).unwrap();
        let t = TempTree { dir };
        for (path, bytes) in files {
            t.write(path, bytes);
        }
        t
    }

    pub fn metadata(&self) -> PathBuf {
        self.dir.path().join("metadata")
    }

    pub fn write(&self, path: &str, bytes: &[u8]) {
        let full = self.metadata().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
    }

    pub fn symlink(&self, link: &str, target: &str) {
        let full = self.metadata().join(link);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, full).unwrap();
    }

    pub fn load(&self) -> Loaded {
        tree::load_dir(&self.metadata(), &LoadOptions::default())
    }
}

/// Loader findings plus validation findings, as `validate` reports them.
pub fn all_findings(loaded: &Loaded) -> Vec<Finding> {
    let mut f = loaded.findings.clone();
    f.extend(asc_sync::validate::validate(&loaded.tree));
    asc_sync::findings::sort(&mut f);
    f
}

pub fn asc_sync() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_asc-sync"));
    cmd.env_remove("RUST_LOG").env("NO_COLOR", "1");
    cmd
}
