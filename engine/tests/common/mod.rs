//! Shared by the integration tests: a throw-away copy of the repository's catalogue.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A copy of `programs/` and `rules/` in a temporary folder, removed when dropped.
pub struct CatalogueCopy {
    pub root: PathBuf,
}

impl CatalogueCopy {
    pub fn new(name: &str) -> CatalogueCopy {
        let root = std::env::temp_dir().join(format!("intake-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for sub in ["programs", "rules"] {
            copy_dir(&repo().join(sub), &root.join(sub));
        }
        CatalogueCopy { root }
    }
}

impl Drop for CatalogueCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
