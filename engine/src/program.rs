//! A loaded program: its manifest, the compiled forms and scripts it uses, and its version.

use crate::manifest::{FilledBy, Manifest};
use crate::rules::Script;
use crate::schema::Form;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug)]
pub struct Program {
    pub manifest: Manifest,
    /// The manifest file, for messages.
    pub file: PathBuf,
    /// Forms in manifest order (same order as `manifest.forms`).
    pub(crate) forms: Vec<Arc<Form>>,
    pub(crate) profile: Arc<Form>,
    pub(crate) scripts: Vec<Arc<Script>>,
    pub(crate) rhai: Arc<rhai::Engine>,
    /// `sha256:` of every file the program loaded (manifest, schemas, code tables, scripts,
    /// shared library): two decisions with the same version used the same rules.
    pub version: String,
}

impl Program {
    pub fn id(&self) -> &str {
        &self.manifest.id
    }

    /// The forms the program uses, in manifest order.
    pub fn forms(&self) -> impl Iterator<Item = &Arc<Form>> {
        self.forms.iter()
    }

    /// A form of this program by id.
    pub fn form(&self, id: &str) -> Option<&Arc<Form>> {
        self.forms.iter().find(|f| f.id == id)
    }

    /// Forms with who fills them.
    pub fn form_uses(&self) -> impl Iterator<Item = (&Arc<Form>, FilledBy, bool)> {
        self.forms
            .iter()
            .zip(&self.manifest.forms)
            .map(|(f, u)| (f, u.filled_by, u.required))
    }

    pub fn profile(&self) -> &Form {
        &self.profile
    }

    pub fn scripts(&self) -> &[Arc<Script>] {
        &self.scripts
    }
}
