//! Load errors: each names the file, where in it (line or JSON pointer) and what is wrong.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The whole file.
    File,
    /// A line and column (scripts, and JSON that does not parse).
    Line { line: usize, column: usize },
    /// A JSON pointer into a manifest or schema, e.g. `/forms/0/form`.
    Pointer(String),
}

/// One problem found while loading the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: PathBuf,
    pub location: Location,
    pub message: String,
}

impl LoadError {
    pub fn new(
        file: impl AsRef<Path>,
        location: Location,
        message: impl Into<String>,
    ) -> LoadError {
        LoadError {
            file: file.as_ref().to_path_buf(),
            location,
            message: message.into(),
        }
    }

    pub fn at_pointer(
        file: impl AsRef<Path>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> LoadError {
        LoadError::new(file, Location::Pointer(pointer.into()), message)
    }

    pub fn at_line(
        file: impl AsRef<Path>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> LoadError {
        LoadError::new(file, Location::Line { line, column }, message)
    }

    pub fn in_file(file: impl AsRef<Path>, message: impl Into<String>) -> LoadError {
        LoadError::new(file, Location::File, message)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        match &self.location {
            Location::File => write!(f, "{file}: {}", self.message),
            Location::Line { line, column } => {
                write!(f, "{file}:{line}:{column}: {}", self.message)
            }
            Location::Pointer(p) if p.is_empty() => write!(f, "{file}: {}", self.message),
            Location::Pointer(p) => write!(f, "{file} at {p}: {}", self.message),
        }
    }
}

/// Every problem found in one pass. A catalogue with any of them is refused as a whole.
#[derive(Debug, Clone, Default)]
pub struct LoadErrors(pub Vec<LoadError>);

impl LoadErrors {
    pub fn push(&mut self, e: LoadError) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn iter(&self) -> impl Iterator<Item = &LoadError> {
        self.0.iter()
    }
}

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "error: {e}")?;
        }
        write!(f, "{} error(s); the catalogue was not loaded", self.0.len())
    }
}

impl std::error::Error for LoadErrors {}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn pointer_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}
