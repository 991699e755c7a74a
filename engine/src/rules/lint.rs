//! Checks made when a program loads, by reading its scripts' syntax tree: every field path,
//! message, fee, document, form, period and program a rule names with a literal must exist.
//! Also lists every reporting call site, for rule coverage.

use super::api::REPORTING;
use crate::diagnostics::LoadError;
use crate::manifest::Manifest;
use crate::schema::Form;
use rhai::{ASTNode, Expr, Stmt, AST};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// One call of a reporting function in a script.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct CallSite {
    pub script: String,
    pub line: usize,
    pub function: String,
}

/// A function call with its string-literal arguments (`None` where not a literal).
#[derive(Debug, Clone)]
pub struct Call {
    pub function: String,
    pub line: usize,
    pub column: usize,
    pub args: Vec<Option<String>>,
}

/// Every function call in a script, function bodies included. In method-call syntax
/// (`p.field("x")`) the object counts as the first argument.
pub fn calls(ast: &AST) -> Vec<Call> {
    let mut out = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        let node = path.last();
        let (f, pos, method) = match node {
            Some(ASTNode::Expr(Expr::FnCall(f, pos))) => (f, pos, false),
            Some(ASTNode::Expr(Expr::MethodCall(f, pos))) => (f, pos, true),
            Some(ASTNode::Stmt(Stmt::FnCall(f, pos))) => (f, pos, false),
            _ => return true,
        };
        if !f.namespace.is_empty() {
            return true;
        }
        let mut args: Vec<Option<String>> = Vec::with_capacity(f.args.len() + 1);
        if method {
            args.push(None);
        }
        args.extend(f.args.iter().map(|a| match a {
            Expr::StringConstant(s, _) => Some(s.to_string()),
            _ => None,
        }));
        out.push(Call {
            function: f.name.to_string(),
            line: pos.line().unwrap_or(0),
            column: pos.position().unwrap_or(0),
            args,
        });
        true
    });
    out
}

/// The reporting call sites of a script.
pub fn call_sites(script: &str, ast: &AST) -> Vec<CallSite> {
    let mut sites: Vec<CallSite> = calls(ast)
        .into_iter()
        .filter(|c| REPORTING.contains(&c.function.as_str()))
        .map(|c| CallSite {
            script: script.to_string(),
            line: c.line,
            function: c.function,
        })
        .collect();
    sites.sort();
    sites.dedup();
    sites
}

/// What a program's scripts may name.
pub struct Context<'a> {
    pub manifest: &'a Manifest,
    pub forms: &'a BTreeMap<String, Arc<Form>>,
    pub profile: &'a Form,
    pub programs: &'a [String],
}

/// Checks one script against one program.
pub fn check(ctx: &Context<'_>, file: &Path, ast: &AST, errors: &mut Vec<LoadError>) {
    let m = ctx.manifest;
    for call in calls(ast) {
        let arg = |i: usize| call.args.get(i).cloned().flatten();
        let mut fail =
            |msg: String| errors.push(LoadError::at_line(file, call.line, call.column, msg));
        let check_message = |i: usize, fail: &mut dyn FnMut(String)| {
            if let Some(code) = arg(i) {
                if !m.messages.contains_key(&code) {
                    fail(format!(
                        "message `{code}` is not in the \"messages\" of program {}",
                        m.id
                    ));
                }
            }
        };
        match call.function.as_str() {
            "field" | "filled" | "incomplete" => {
                if let Some(path) = arg(1) {
                    if let Err(e) = check_path(ctx, &path) {
                        fail(format!("`{}`: {e} (program {})", path, m.id));
                    }
                }
                if call.function == "incomplete" {
                    check_message(2, &mut fail);
                }
            }
            "ineligible" | "paper_only" | "warn" => check_message(0, &mut fail),
            "fee" | "fee_amount" | "waive" | "fee_for" | "waive_for" => {
                let i = usize::from(call.function == "fee_for" || call.function == "waive_for");
                if let Some(code) = arg(i) {
                    if !m.fees.iter().any(|f| f.code == code) {
                        fail(format!(
                            "fee `{code}` is not in the \"fees\" of program {}",
                            m.id
                        ));
                    }
                }
                if call.function == "waive" {
                    check_message(1, &mut fail);
                } else if call.function == "waive_for" {
                    check_message(2, &mut fail);
                }
            }
            "require_document" | "document" => {
                if let Some(code) = arg(0) {
                    if !m.documents.iter().any(|d| d.code == code) {
                        fail(format!(
                            "document `{code}` is not in the \"documents\" of program {}",
                            m.id
                        ));
                    }
                }
            }
            "require_form" => {
                if let Some(form) = arg(1) {
                    if !m.forms.iter().any(|f| f.form == form) {
                        fail(format!(
                            "form `{form}` is not in the \"forms\" of program {}",
                            m.id
                        ));
                    }
                }
            }
            "signature" => {
                if let Some(what) = arg(1) {
                    if !m.signatures.iter().any(|s| s.what == what) {
                        fail(format!(
                            "signature `{what}` is not in the \"signatures\" of program {}",
                            m.id
                        ));
                    }
                }
            }
            "data" => {
                if let Some(name) = arg(0) {
                    if !m.data.contains_key(&name) {
                        fail(format!(
                            "data `{name}` is not in the \"data\" of program {}",
                            m.id
                        ));
                    }
                }
            }
            "in_period" | "period" => {
                if let Some(name) = arg(0) {
                    if !m.periods.contains_key(&name) {
                        fail(format!(
                            "period `{name}` is not in the \"periods\" of program {}",
                            m.id
                        ));
                    }
                }
            }
            "also_create" => {
                if let Some(id) = arg(0) {
                    if !ctx.programs.contains(&id) {
                        fail(format!(
                            "also_create names program `{id}`, which does not exist"
                        ));
                    }
                }
            }
            _ => {}
        }
    }
}

/// A person path must start with `profile` or a form of the program, and name a field of it.
fn check_path(ctx: &Context<'_>, path: &str) -> Result<(), String> {
    crate::program::check_person_path(path, ctx.profile, |id| {
        ctx.manifest
            .forms
            .iter()
            .any(|f| f.form == id)
            .then(|| ctx.forms.get(id).map(|f| f.as_ref()))
            .flatten()
    })
}

/// Every string literal of a script, wherever it stands (call arguments, variables, maps).
pub fn string_literals(ast: &AST, into: &mut std::collections::HashSet<String>) {
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::StringConstant(s, _))) = path.last() {
            into.insert(s.to_string());
        }
        true
    });
}

/// Things a manifest declares that no script names: usually a typo or a leftover. `used` holds
/// the string literals of the program's scripts and of the shared library.
pub fn unused(
    file: &Path,
    m: &Manifest,
    used: &std::collections::HashSet<String>,
) -> Vec<LoadError> {
    let mut out = Vec::new();
    let mut warn = |pointer: String, what: String| {
        out.push(LoadError::at_pointer(
            file,
            pointer,
            format!("{what}, but no rule uses it"),
        ));
    };
    for code in m.messages.keys() {
        if !used.contains(code) {
            warn(
                format!("/messages/{code}"),
                format!("message `{code}` is defined"),
            );
        }
    }
    for (i, f) in m.fees.iter().enumerate() {
        if !used.contains(&f.code) {
            warn(format!("/fees/{i}"), format!("fee `{}` is listed", f.code));
        }
    }
    for (i, d) in m.documents.iter().enumerate() {
        if d.required == crate::manifest::Requirement::WhenRulesSay && !used.contains(&d.code) {
            warn(
                format!("/documents/{i}"),
                format!("document `{}` is required when the rules say", d.code),
            );
        }
    }
    for (i, f) in m.forms.iter().enumerate() {
        if !f.required && !used.contains(&f.form) {
            warn(
                format!("/forms/{i}"),
                format!("form `{}` is required only when a rule asks", f.form),
            );
        }
    }
    for name in m.data.keys() {
        if !used.contains(name) {
            warn(format!("/data/{name}"), format!("data `{name}` is defined"));
        }
    }
    for name in m.periods.keys() {
        if !used.contains(name) {
            warn(
                format!("/periods/{name}"),
                format!("period `{name}` is defined"),
            );
        }
    }
    out
}
