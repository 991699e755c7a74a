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
    /// The code tables (`programs/codes/`), for rules that name a code in a message.
    pub(crate) codes: Arc<std::collections::BTreeMap<String, serde_json::Value>>,
    /// The portal's own declarations (`programs/declarations/`), shared by every program.
    pub(crate) declarations: Arc<crate::catalogue::declarations::PortalDeclarations>,
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

    /// The declarations the representative makes on this program's applications (the texts
    /// of its signatures are in `manifest.signatures`).
    pub fn portal_declarations(&self) -> &crate::catalogue::declarations::PortalDeclarations {
        &self.declarations
    }

    pub fn scripts(&self) -> &[Arc<Script>] {
        &self.scripts
    }

    /// The English and French titles of `code` in code table `table`; `Err` when there is no
    /// such table, `Ok(None)` when the table has no such code.
    pub fn code_title(&self, table: &str, code: &str) -> Result<Option<crate::text::Text>, String> {
        let list = self
            .codes
            .get(table)
            .and_then(|t| t.as_array())
            .ok_or_else(|| format!("there is no code table `{table}` in programs/codes/"))?;
        Ok(list
            .iter()
            .find(|item| item.get("const").and_then(|c| c.as_str()) == Some(code))
            .and_then(|item| crate::schema::text_of(item, "title")))
    }

    /// Checks that a person path names a field of the profile or of one of the program's forms.
    pub fn check_path(&self, path: &str) -> Result<(), String> {
        check_person_path(path, &self.profile, |id| self.form(id).map(|f| f.as_ref()))
    }
}

/// Checks a person path (`imm5257.visit.purpose`, `profile.identity.sex`): it must be well
/// formed, start with `profile` or a form `form_of` knows, and name a field of that form.
pub fn check_person_path<'f>(
    path: &str,
    profile: &'f Form,
    form_of: impl Fn(&str) -> Option<&'f Form>,
) -> Result<(), String> {
    if crate::application::parse_path(path).is_none() {
        return Err("not a field path (write form.section.field, with [n] for list items)".into());
    }
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    let form = if head == "profile" {
        profile
    } else {
        form_of(head)
            .ok_or_else(|| format!("`{head}` is not `profile` nor a form of this program"))?
    };
    if rest.is_empty() || form.field(rest).is_some() {
        Ok(())
    } else {
        Err(format!("form `{head}` has no field `{rest}`"))
    }
}
