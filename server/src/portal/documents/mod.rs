//! (to be written in issue 4: see `portal/mod.rs`)

use super::AppView;
use crate::AppState;
use axum::Router;
use minijinja::value::Value;
use std::sync::Arc;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
}

pub const TEMPLATES: &[(&str, &str)] = &[];

pub fn openapi() -> utoipa::openapi::OpenApi {
    utoipa::openapi::OpenApiBuilder::new().build()
}

/// This concern's section of the application page (`None`: no section).
pub(crate) fn section(_view: &AppView) -> Option<Value> {
    None
}
