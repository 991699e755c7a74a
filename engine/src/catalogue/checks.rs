//! Checks of what the catalogue reads, beyond its shape: code tables, manifests (ids, dates,
//! forms, duplicates), dated amounts, and the shared fee schedules fees refer to.

use crate::diagnostics::LoadError;
use crate::manifest::{DatedAmount, FeeSchedule, Manifest, Portal, Requirement};
use crate::schema::Form;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::stem;

pub(super) fn check_code_table(file: &Path, v: &Value, errors: &mut Vec<LoadError>) {
    let Some(items) = v.as_array() else {
        errors.push(LoadError::at_pointer(
            file,
            "",
            "a code table is a list of {const, title, x-title-fr}",
        ));
        return;
    };
    let mut seen = std::collections::HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let ok = item.get("const").is_some_and(|c| c.is_string())
            && item.get("title").is_some_and(|c| c.is_string())
            && item.get("x-title-fr").is_some_and(|c| c.is_string());
        if !ok {
            errors.push(LoadError::at_pointer(
                file,
                format!("/{i}"),
                "each code needs a string `const`, `title` (English) and `x-title-fr` (French)",
            ));
        } else if !seen.insert(item["const"].as_str().unwrap_or_default().to_string()) {
            errors.push(LoadError::at_pointer(
                file,
                format!("/{i}/const"),
                format!("duplicate code {}", item["const"]),
            ));
        }
    }
}

pub(super) fn check_manifest(
    file: &Path,
    m: &Manifest,
    forms: &BTreeMap<String, Arc<Form>>,
    errors: &mut Vec<LoadError>,
) {
    let mut err = |p: String, msg: String| errors.push(LoadError::at_pointer(file, p, msg));
    if stem(file, ".json") != m.id {
        err(
            "/id".into(),
            format!(
                "the id `{}` must match the file name `{}`",
                m.id,
                stem(file, ".json")
            ),
        );
    }
    if let Some(to) = m.effective.to {
        if to < m.effective.from {
            err(
                "/effective/to".into(),
                format!("ends ({to}) before it starts ({})", m.effective.from),
            );
        }
    }
    let expected = match m.portal {
        Portal::Pr => Some("pr."),
        Portal::Apr => Some("apr."),
        Portal::Paper => None,
    };
    if let Some(prefix) = expected {
        if !m.id.starts_with(prefix) {
            err(
                "/id".into(),
                format!(
                    "a program on the {prefix:?} portal must have an id starting with `{prefix}`"
                ),
            );
        }
    }
    if m.portal == Portal::Paper && m.paper_instructions.is_none() {
        err(
            "/paper_instructions".into(),
            "a paper program needs paper_instructions".into(),
        );
    }
    for (i, f) in m.forms.iter().enumerate() {
        if !forms.contains_key(&f.form) {
            err(
                format!("/forms/{i}/form"),
                format!(
                    "unknown form `{}`: there is no programs/forms/{}.schema.json",
                    f.form, f.form
                ),
            );
        }
    }
    let dupes = |codes: Vec<&str>, what: &str, err: &mut dyn FnMut(String, String)| {
        let mut seen = std::collections::HashSet::new();
        for (i, c) in codes.iter().enumerate() {
            if !seen.insert(*c) {
                err(
                    format!("/{what}/{i}"),
                    format!("`{c}` appears twice in {what}"),
                );
            }
        }
    };
    dupes(
        m.forms.iter().map(|f| f.form.as_str()).collect(),
        "forms",
        &mut err,
    );
    dupes(
        m.documents.iter().map(|d| d.code.as_str()).collect(),
        "documents",
        &mut err,
    );
    dupes(
        m.fees.iter().map(|d| d.code.as_str()).collect(),
        "fees",
        &mut err,
    );
    dupes(
        m.signatures.iter().map(|d| d.what.as_str()).collect(),
        "signatures",
        &mut err,
    );
    for (i, fee) in m.fees.iter().enumerate() {
        if fee.schedule.is_none() {
            check_amounts(file, &format!("/fees/{i}/amounts"), &fee.amounts, errors);
        }
    }
    // A program without fees never charges one, so such a document would never be asked for.
    if m.fees.is_empty() {
        for (i, d) in m.documents.iter().enumerate() {
            if d.required == Requirement::WhenFeesCharged {
                errors.push(LoadError::at_pointer(
                    file,
                    format!("/documents/{i}/required"),
                    format!(
                        "document `{}` is required when fees are charged, but the program lists no fees: list its fees or make the document `always` or `optional`",
                        d.code
                    ),
                ));
            }
        }
    }
}

/// Amounts must be in date order.
pub(super) fn check_amounts(
    file: &Path,
    pointer: &str,
    amounts: &[DatedAmount],
    errors: &mut Vec<LoadError>,
) {
    for (j, pair) in amounts.windows(2).enumerate() {
        if pair[1].from <= pair[0].from {
            errors.push(LoadError::at_pointer(
                file,
                format!("{pointer}/{}/from", j + 1),
                format!(
                    "amounts must be in date order: {} is not after {}",
                    pair[1].from, pair[0].from
                ),
            ));
        }
    }
}

/// Fills the fees that name a shared schedule with its title (unless the manifest gives one)
/// and amounts.
pub(super) fn resolve_schedules(
    file: &Path,
    m: &mut Manifest,
    schedules: &BTreeMap<String, FeeSchedule>,
    errors: &mut Vec<LoadError>,
) {
    for (i, fee) in m.fees.iter_mut().enumerate() {
        let Some(id) = &fee.schedule else { continue };
        match schedules.get(id) {
            Some(s) => {
                fee.amounts = s.amounts.clone();
                if fee.title.en.is_empty() {
                    fee.title = s.title.clone();
                }
            }
            None => errors.push(LoadError::at_pointer(
                file,
                format!("/fees/{i}/schedule"),
                format!("unknown fee schedule `{id}`: define it in a file of programs/fees/"),
            )),
        }
    }
}
