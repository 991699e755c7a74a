//! The live catalogue. Requests take the catalogue that is live when they start and keep it
//! to the end; a reload swaps in a new one only when it loads without any error, so a broken
//! edit never takes the service down and never mixes two versions in one decision.

use arc_swap::ArcSwap;
use engine::{Catalogue, LoadErrors, Sources};
use notify::{RecursiveMode, Watcher};
use std::sync::Arc;
use std::time::Duration;

pub struct Rules {
    sources: Sources,
    live: ArcSwap<Catalogue>,
}

impl Rules {
    pub fn load(sources: Sources) -> Result<Rules, LoadErrors> {
        let catalogue = Catalogue::load(&sources)?;
        Ok(Rules {
            sources,
            live: ArcSwap::from_pointee(catalogue),
        })
    }

    /// The catalogue live now.
    pub fn current(&self) -> Arc<Catalogue> {
        self.live.load_full()
    }

    /// Loads the files again; on any error the live catalogue stays as it was.
    pub fn reload(&self) -> Result<(), LoadErrors> {
        let catalogue = Catalogue::load(&self.sources)?;
        self.live.store(Arc::new(catalogue));
        Ok(())
    }

    /// Reloads whenever a file under the program or rule folders changes (after a short quiet
    /// time, so that an editor's save of several files is one reload). The watcher lives as
    /// long as the returned handle.
    pub fn watch(self: &Arc<Self>) -> notify::Result<notify::RecommendedWatcher> {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if event.is_ok_and(|e| !e.kind.is_access()) {
                    let _ = tx.send(());
                }
            })?;
        watcher.watch(&self.sources.programs, RecursiveMode::Recursive)?;
        watcher.watch(&self.sources.rules, RecursiveMode::Recursive)?;
        let rules = Arc::clone(self);
        std::thread::spawn(move || {
            while rx.recv().is_ok() {
                // Let the burst of events of one save settle.
                while rx.recv_timeout(Duration::from_millis(200)).is_ok() {}
                match rules.reload() {
                    Ok(()) => tracing::info!("rules reloaded"),
                    Err(errors) => tracing::error!(
                        "rules not reloaded, the previous ones stay live:\n{errors}"
                    ),
                }
            }
        });
        Ok(watcher)
    }
}
