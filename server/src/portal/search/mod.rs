//! (to be written in issue 4: see `portal/mod.rs`)

use crate::AppState;
use axum::Router;
use std::sync::Arc;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
}

pub const TEMPLATES: &[(&str, &str)] = &[];

pub fn openapi() -> utoipa::openapi::OpenApi {
    utoipa::openapi::OpenApiBuilder::new().build()
}
