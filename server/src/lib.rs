//! # Intake server
//!
//! The HTTP side of Intake, over the engine: axum handlers that stay thin, one shared state,
//! one error type that renders as a response. This part serves the engine's stateless API
//! (list programs, validate and decide an application document as of a date) for
//! case-management software and testers, with its OpenAPI document, and keeps the rules
//! current: it reloads `programs/` and `rules/` when they change, and a reload that fails
//! keeps the rules that were live. Accounts and sign-in (`auth`) keep their records in the
//! [`store::Store`]; the portal's pages for representatives and clients build on both.

pub mod api;
pub mod auth;
pub mod config;
pub mod demo;
pub mod error;
pub mod mail;
pub mod maintenance;
pub mod pages;
pub mod portal;
pub mod rules;
pub mod store;

use axum::Router;
use std::sync::Arc;

/// What every handler shares.
pub struct AppState {
    /// The live catalogue.
    pub rules: Arc<rules::Rules>,
    /// Everything the portal keeps.
    pub store: Arc<dyn store::Store>,
    pub config: config::Config,
}

/// The whole application: every route with its state. Every state-changing request from a
/// signed-in session must carry the session's CSRF token ([`auth::csrf`]).
pub fn router(state: Arc<AppState>) -> Router {
    api::routes()
        .merge(auth::routes())
        .merge(pages::routes())
        .merge(portal::routes())
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            auth::csrf::require_csrf,
        ))
        // Outermost: during a maintenance window a change is refused before anything reads it.
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            maintenance::refuse_during,
        ))
        .with_state(state)
}
