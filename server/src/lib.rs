//! # Intake server
//!
//! The HTTP side of Intake, over the engine: axum handlers that stay thin, one shared state,
//! one error type that renders as a response. This part serves the engine's stateless API
//! (list programs, validate and decide an application document as of a date) for
//! case-management software and testers, with its OpenAPI document, and keeps the rules
//! current: it reloads `programs/` and `rules/` when they change, and a reload that fails
//! keeps the rules that were live. The portal for representatives and clients (accounts,
//! storage, pages) builds on this.

pub mod api;
pub mod config;
pub mod error;
pub mod rules;
pub mod store;

use axum::Router;
use std::sync::Arc;

/// What every handler shares.
pub struct AppState {
    pub rules: std::sync::Arc<rules::Rules>,
}

/// The whole application: every route with its state.
pub fn router(state: Arc<AppState>) -> Router {
    api::routes().with_state(state)
}
