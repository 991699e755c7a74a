//! # Intake engine
//!
//! Turns immigration program definitions (data) into decisions. A program is a manifest,
//! JSON Schema forms and Rhai rule scripts, all loaded at run time from `programs/` and
//! `rules/` ([`Catalogue::load`]). The engine validates what a representative typed
//! ([`validate`]), decides an application at intake ([`decide()`]), runs rule fixtures
//! ([`fixture`]) and renders accessible HTML forms ([`render`]).
//!
//! It has no HTTP and no storage: the server and the command line build on it.

pub mod application;
pub mod catalogue;
pub mod date;
pub mod decide;
pub mod decision;
pub mod diagnostics;
pub mod fixture;
pub mod manifest;
pub mod program;
pub mod render;
pub mod rules;
pub mod schema;
pub mod text;
pub mod validate;

pub use catalogue::{Catalogue, Sources};
pub use date::Date;
pub use decide::{decide, decide_owned, CapState, DecideError};
pub use decision::{Decision, Outcome, Reason};
pub use diagnostics::{LoadError, LoadErrors};
pub use program::Program;
pub use text::{Lang, Paragraphs, Text};
