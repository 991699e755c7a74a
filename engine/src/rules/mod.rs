//! Rule scripts (Rhai): a sandboxed engine with the rule API, scripts compiled once, the
//! shared library under `rules/lib/`, and running a program's scripts on an application.

pub mod api;
pub mod lint;
pub mod primitives;
pub mod state;

use crate::diagnostics::LoadError;
use rhai::{Engine, EvalAltResult, Module, Scope, AST};
use std::path::Path;

pub use state::{Message, Reported, Reports, Run, Source};

/// Sandbox limits. Generous for real rules (the heaviest program uses a few thousand
/// operations), small enough that an endless loop stops in well under a second.
pub const MAX_OPERATIONS: u64 = 500_000;
pub const MAX_CALL_LEVELS: usize = 24;
pub const MAX_EXPR_DEPTH: usize = 64;
pub const MAX_FN_EXPR_DEPTH: usize = 32;
pub const MAX_STRING_SIZE: usize = 64 * 1024;
pub const MAX_ARRAY_SIZE: usize = 10_000;
pub const MAX_MAP_SIZE: usize = 10_000;

/// A compiled rule script and the reporting calls it contains.
#[derive(Debug)]
pub struct Script {
    /// Path under the rules folder, e.g. `apr/visitor-visa.rhai`; also the Rhai source name.
    pub path: String,
    pub ast: AST,
    pub sites: Vec<lint::CallSite>,
}

/// A new sandboxed engine with the rule API: no I/O, no `eval`, no file imports, and no clock
/// (Rhai is built with `no_time`: a decision is a pure function of its inputs, and the
/// decision date is `as_of()`).
pub fn new_engine() -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(MAX_CALL_LEVELS)
        .set_max_expr_depths(MAX_EXPR_DEPTH, MAX_FN_EXPR_DEPTH)
        .set_max_string_size(MAX_STRING_SIZE)
        .set_max_array_size(MAX_ARRAY_SIZE)
        .set_max_map_size(MAX_MAP_SIZE)
        .set_max_modules(0)
        .set_strict_variables(true)
        // No string interning: Rhai's interner is one locked cache per engine, shared by
        // every thread deciding at once, and once full (256 strings) each new string scans
        // it to evict one; under load in the server that cost more than the allocations it
        // saves (BENCHMARKS.md).
        .set_max_strings_interned(0)
        .set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
    engine.disable_symbol("eval");
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    api::register(&mut engine);
    engine
}

fn parse_error(file: &Path, e: &rhai::ParseError) -> LoadError {
    let (line, column) = (e.1.line().unwrap_or(0), e.1.position().unwrap_or(0));
    LoadError::at_line(file, line, column, format!("Rhai syntax error: {}", e.0))
}

/// Compiles a script; `name` is its path under the rules folder.
pub fn compile(engine: &Engine, name: &str, file: &Path, source: &str) -> Result<AST, LoadError> {
    let mut ast = engine.compile(source).map_err(|e| parse_error(file, &e))?;
    ast.set_source(name);
    Ok(ast)
}

/// Compiles a shared library script and registers it as module `module` (`dates::age_on`).
pub fn load_library(
    engine: &mut Engine,
    module: &str,
    name: &str,
    file: &Path,
    source: &str,
) -> Result<AST, LoadError> {
    let ast = compile(engine, name, file, source)?;
    let m = Module::eval_ast_as_new(Scope::new(), &ast, engine).map_err(|e| {
        LoadError::at_line(file, e.position().line().unwrap_or(0), 0, e.to_string())
    })?;
    engine.register_static_module(module, m.into());
    Ok(ast)
}

/// A script failed while deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub script: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rules/{}:{}: {}", self.script, self.line, self.message)
    }
}

/// Runs every script of the run's program, in order. Reports accumulate in `run.reports`.
pub fn run_scripts(
    engine: &Engine,
    scripts: &[std::sync::Arc<Script>],
    run: &Run<'_>,
) -> Result<(), ScriptError> {
    state::with_run(run, || {
        for script in scripts {
            let mut scope = Scope::new();
            engine
                .run_ast_with_scope(&mut scope, &script.ast)
                .map_err(|e| script_error(&script.path, *e))?;
        }
        Ok(())
    })
}

fn script_error(script: &str, e: EvalAltResult) -> ScriptError {
    // Errors inside a library function name that library and the line inside it.
    let (mut script, mut pos, mut inner) = (script.to_string(), e.position(), e);
    while let EvalAltResult::ErrorInFunctionCall(_, src, cause, p) = inner {
        if !src.is_empty() {
            script = src;
        }
        pos = if cause.position().is_none() {
            p
        } else {
            cause.position()
        };
        inner = *cause;
    }
    let message = match &inner {
        EvalAltResult::ErrorTooManyOperations(_) => format!(
            "the script was stopped after {MAX_OPERATIONS} operations: does it loop without end?"
        ),
        EvalAltResult::ErrorStackOverflow(_) => format!(
            "the script was stopped at {MAX_CALL_LEVELS} nested calls: does a function call itself without end?"
        ),
        EvalAltResult::ErrorRuntime(msg, _) => msg.to_string(),
        other => other.to_string().split(" (line ").next().unwrap_or_default().to_string(),
    };
    ScriptError {
        script,
        line: pos.line().unwrap_or(0),
        message,
    }
}
