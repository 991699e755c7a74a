//! `intake-server`: serves the API over the repository's programs and rules.

use clap::Parser;
use server::config::Config;
use server::rules::Rules;
use server::AppState;
use std::process::ExitCode;
use std::sync::Arc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = Config::parse();
    let sources = engine::Sources {
        programs: config.programs.clone(),
        rules: config.rules.clone(),
    };
    let rules = match Rules::load(sources) {
        Ok(r) => Arc::new(r),
        Err(errors) => {
            eprintln!(
                "{errors}\nFix the files above (intake check lists the same), then start again."
            );
            return ExitCode::FAILURE;
        }
    };
    let _watcher = if config.no_watch {
        None
    } else {
        match rules.watch() {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::warn!("not watching the rule files ({e}): changes need a restart");
                None
            }
        }
    };
    let state = Arc::new(AppState { rules });
    let listener = match tokio::net::TcpListener::bind(config.address).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {}: {e}", config.address);
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("listening on http://{}", config.address);
    let served = axum::serve(listener, server::router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
