//! Group commit: many writers that each need "my write is on disk" share one flush.
//!
//! A submit is acknowledged only once it is durable. Flushing once per submit makes the disk
//! the limit (and with sled, concurrent flushes get in each other's way: each seals and
//! writes its own small buffer). Here a writer that needs durability after its transaction
//! calls [`GroupCommit::sync`]: if no flush is running it runs one itself (the "leader"); if
//! one is running, that flush may have started before the writer's transaction and so may
//! not cover it, so the writer waits for the *next* flush, which one of the waiters leads
//! and which covers every transaction committed while the previous one ran. Under load a
//! single flush therefore makes a whole batch durable, and no writer waits for more than the
//! flush in progress plus its own.
//!
//! The promise, which the tests check: `sync` returns `Ok` only after a flush that *started
//! after `sync` was called* has succeeded; if that flush fails, `sync` returns its error.

use super::error::{Result, StoreError};
use std::sync::{Condvar, Mutex, MutexGuard};

/// Coordinates the flushes of one store.
#[derive(Default)]
pub struct GroupCommit {
    state: Mutex<State>,
    finished: Condvar,
}

#[derive(Default)]
struct State {
    /// Flushes started so far; the number of the latest is its generation.
    started: u64,
    /// Whether a flush is running now (generation `started`).
    running: bool,
    /// The generation of the latest flush that ended, well or not.
    ended: u64,
    /// The generation of the latest flush that succeeded.
    succeeded: u64,
    /// Why the latest failed flush failed.
    failure: Option<StoreError>,
}

impl GroupCommit {
    pub fn new() -> GroupCommit {
        GroupCommit::default()
    }

    /// Returns once everything written before this call is durable: a `flush` that started
    /// after this call has succeeded, run by this thread or by another. `flush` must make
    /// every write that completed before it was called durable.
    pub fn sync(&self, flush: impl FnOnce() -> Result<()>) -> Result<()> {
        let mut flush = Some(flush);
        let mut state = self.lock();
        // A flush running now may have started before our write: the next one covers it.
        let needed = state.started + 1;
        loop {
            if state.succeeded >= needed {
                return Ok(());
            }
            if state.ended >= needed {
                // Every flush from ours on failed (a later success returns above).
                return Err(state
                    .failure
                    .clone()
                    .unwrap_or_else(|| StoreError::Backend("the flush to disk failed".into())));
            }
            if state.running {
                state = self
                    .finished
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                continue;
            }
            // Lead the next flush; it starts now, after our write.
            state.running = true;
            state.started += 1;
            let generation = state.started;
            drop(state);
            let flush = flush.take().expect("a caller leads at most one flush");
            // A panicking flush must not leave the others waiting for ever.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(flush))
                .unwrap_or_else(|_| Err(StoreError::Backend("the flush to disk panicked".into())));
            state = self.lock();
            state.running = false;
            state.ended = generation;
            match result {
                Ok(()) => state.succeeded = generation,
                Err(e) => state.failure = Some(e),
            }
            self.finished.notify_all();
            // Our own flush started after our write: its result is ours.
            return if state.succeeded == generation {
                Ok(())
            } else {
                Err(state.failure.clone().expect("a failed flush records why"))
            };
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent between statements, so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
    use std::sync::Arc;
    use std::time::Duration;

    /// A fake disk: `written` counts writes; a flush makes durable what was written when it
    /// started, after a delay (so that writers pile up behind it).
    #[derive(Default)]
    struct Disk {
        written: AtomicU64,
        durable: AtomicU64,
        flushes: AtomicU64,
    }

    impl Disk {
        fn flush(&self, fail: bool) -> Result<()> {
            let upto = self.written.load(SeqCst);
            self.flushes.fetch_add(1, SeqCst);
            std::thread::sleep(Duration::from_millis(2));
            if fail {
                return Err(StoreError::Backend("disk full".into()));
            }
            self.durable.fetch_max(upto, SeqCst);
            Ok(())
        }
    }

    #[test]
    fn every_write_is_durable_when_sync_returns_and_writers_share_flushes() {
        let disk = Arc::new(Disk::default());
        let commits = Arc::new(GroupCommit::new());
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (disk, commits) = (Arc::clone(&disk), Arc::clone(&commits));
                std::thread::spawn(move || {
                    for _ in 0..25 {
                        let mine = disk.written.fetch_add(1, SeqCst) + 1;
                        commits.sync(|| disk.flush(false)).unwrap();
                        assert!(
                            disk.durable.load(SeqCst) >= mine,
                            "write {mine} acknowledged before it was durable"
                        );
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let flushes = disk.flushes.load(SeqCst);
        // 400 writes; one flush each would be 400. Sharing makes it far fewer.
        assert!(flushes < 200, "{flushes} flushes for 400 writes");
        assert_eq!(disk.durable.load(SeqCst), 400);
    }

    #[test]
    fn a_failed_flush_fails_its_waiters_and_the_next_one_runs() {
        let disk = Disk::default();
        let commits = GroupCommit::new();
        let err = commits.sync(|| disk.flush(true)).unwrap_err();
        assert_eq!(err, StoreError::Backend("disk full".into()));
        disk.written.fetch_add(1, SeqCst);
        commits.sync(|| disk.flush(false)).unwrap();
        assert_eq!(disk.durable.load(SeqCst), 1);
        assert_eq!(disk.flushes.load(SeqCst), 2);
    }

    #[test]
    fn a_writer_waits_for_a_flush_that_started_after_its_write() {
        // A flush is running (it started before our write): `sync` must not return with it.
        let disk = Arc::new(Disk::default());
        let commits = Arc::new(GroupCommit::new());
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let leader = {
            let (disk, commits) = (Arc::clone(&disk), Arc::clone(&commits));
            std::thread::spawn(move || {
                commits
                    .sync(|| {
                        let upto = disk.written.load(SeqCst);
                        started_tx.send(()).unwrap();
                        release_rx.recv().unwrap();
                        disk.durable.fetch_max(upto, SeqCst);
                        disk.flushes.fetch_add(1, SeqCst);
                        Ok(())
                    })
                    .unwrap()
            })
        };
        started_rx.recv().unwrap();
        let mine = disk.written.fetch_add(1, SeqCst) + 1;
        let waiter = {
            let (disk, commits) = (Arc::clone(&disk), Arc::clone(&commits));
            std::thread::spawn(move || {
                commits.sync(|| disk.flush(false)).unwrap();
                disk.durable.load(SeqCst)
            })
        };
        std::thread::sleep(Duration::from_millis(20));
        release_tx.send(()).unwrap();
        leader.join().unwrap();
        assert!(waiter.join().unwrap() >= mine);
        assert_eq!(disk.flushes.load(SeqCst), 2);
    }
}
