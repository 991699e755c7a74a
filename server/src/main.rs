//! `intake-server`: serves the portal and the API over the repository's programs and rules;
//! sends the outbox by SMTP when configured; seeds the demo data with `--demo`.

use server::config::Config;
use server::rules::Rules;
use server::store::{SledStore, Store};
use server::AppState;
use std::process::ExitCode;
use std::sync::Arc;

// mimalloc rather than the system allocator: a decision allocates thousands of small JSON,
// schema and rule values, and glibc's malloc took a fifth of the server's time under load
// (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = Config::load();
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
    let store: Arc<dyn Store> = match SledStore::open(&config.data) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!(
                "cannot open the data folder {}: {e}\nCheck that the folder can be created and \
                 written, and that no other intake-server is using it (--data or INTAKE_DATA \
                 chooses another).",
                config.data.display()
            );
            return ExitCode::FAILURE;
        }
    };
    purge_expired_hourly(Arc::clone(&store));
    let _mailer = match config.smtp() {
        Some(smtp) => match server::mail::spawn(Arc::clone(&store), smtp) {
            Ok(task) => Some(task),
            Err(e) => {
                eprintln!("{e}\nFix the SMTP settings (--smtp-*, INTAKE_SMTP_* or [smtp] in the configuration file).");
                return ExitCode::FAILURE;
            }
        },
        None => {
            tracing::info!(
                "no SMTP host configured: emails wait in the outbox{}",
                if config.dev_pages {
                    " (see /dev/outbox)"
                } else {
                    ""
                }
            );
            None
        }
    };
    let address = config.address;
    let state = Arc::new(AppState {
        rules,
        store: Arc::clone(&store),
        config,
    });
    if state.config.demo {
        match server::demo::seed(&state).await {
            Ok(seeded) => {
                if seeded.applications > 0 {
                    tracing::info!(
                        "demo data: {} accounts and {} applications added",
                        seeded.accounts,
                        seeded.applications
                    );
                }
                println!(
                    "Demo representative: sign in at http://{address}/sign-in with {} and the \
                     password {} (the demo clients, …@clients.intake.example, have the same \
                     password).",
                    server::demo::EMAIL,
                    server::demo::PASSWORD
                );
            }
            Err(e) => {
                eprintln!("the demo data could not be added: {e:?}");
                return ExitCode::FAILURE;
            }
        }
    }
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {address}: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("listening on http://{address}");
    let app = server::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    match tokio::task::spawn_blocking(move || store.flush()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!("the store was not flushed at shutdown: {e}"),
        Err(e) => tracing::error!("the store was not flushed at shutdown: {e}"),
    }
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Deletes expired sessions and reset tokens once an hour.
fn purge_expired_hourly(store: Arc<dyn Store>) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            let store = Arc::clone(&store);
            match tokio::task::spawn_blocking(move || store.purge_expired()).await {
                Ok(Ok(n)) if n > 0 => tracing::info!("purged {n} expired sessions and tokens"),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!("purging expired sessions failed: {e}"),
                Err(e) => tracing::warn!("purging expired sessions failed: {e}"),
            }
        }
    });
}
