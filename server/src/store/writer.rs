//! One writer thread for the writes that must be durable before they are acknowledged
//! (submits): it runs their transactions back to back, then makes the whole batch durable
//! with one flush, then answers each.
//!
//! Why a thread rather than each caller writing and then waiting for a shared flush: sled
//! runs one transaction at a time under a lock that every read also takes. Callers writing
//! from many threads queue on that lock behind each other, and each then parks until a flush
//! covers its write. Here the jobs that arrive while a flush runs wait in a queue, and the
//! next batch is all of them: over HTTP this gave about a fifth more durable submits per
//! second, with less system time (BENCHMARKS.md). Flushing on a second thread while the
//! writer goes on was measured too, and was slower: smaller batches, more flushes, and each
//! flush costs more than the transactions it covers.
//!
//! The promise, which the tests check: a job's `done` gets `Ok` only after a flush that
//! started after the job was written has succeeded; a job the write refuses is answered at
//! once (nothing was stored); if the flush fails, every job of its batch gets its error.

use super::error::{Result, StoreError};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

/// Called with the job (handed back) and its result.
pub type Done<J, T> = Box<dyn FnOnce(J, Result<T>) + Send>;

struct Queued<J, T> {
    job: J,
    done: Done<J, T>,
}

/// The queue to the writer thread. The thread ends once the writer is dropped and the queue
/// is empty.
pub struct Writer<J, T> {
    /// `None` only while dropping.
    queue: Option<mpsc::Sender<Queued<J, T>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl<J, T> Drop for Writer<J, T> {
    /// Closes the queue and waits for the thread to answer what is in it and end: whatever
    /// it holds (sled's database, so its lock on the folder) is released when this returns.
    fn drop(&mut self) {
        self.queue.take();
        if let Some(thread) = self.thread.take() {
            // A writer dropped by its own thread (from a `done`) cannot wait for itself.
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Backend("the store's writer thread has stopped".into())
}

impl<J: Send + 'static, T: Send + 'static> Writer<J, T> {
    /// Starts the thread: `write` stores one job (its own transaction) and `flush` makes
    /// everything written so far durable.
    pub fn spawn(
        name: &str,
        write: impl FnMut(&J) -> Result<T> + Send + 'static,
        flush: impl FnMut() -> Result<()> + Send + 'static,
    ) -> Result<Writer<J, T>> {
        let (queue, jobs) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || run(jobs, write, flush))
            .map_err(|e| StoreError::Backend(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer {
            queue: Some(queue),
            thread: Some(thread),
        })
    }

    /// Queues a job; `done` is called on the writer thread once it is durable or refused.
    pub fn write(&self, job: J, done: Done<J, T>) {
        let queued = Queued { job, done };
        let refused = match &self.queue {
            Some(queue) => queue.send(queued).err().map(|mpsc::SendError(q)| q),
            None => Some(queued),
        };
        if let Some(q) = refused {
            (q.done)(q.job, Err(stopped()));
        }
    }

    /// Queues a job and waits for its result (for callers that are not async).
    pub fn write_and_wait(&self, job: J) -> Result<T> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.write(
            job,
            Box::new(move |_, result| {
                let _ = tx.send(result);
            }),
        );
        rx.recv().unwrap_or_else(|_| Err(stopped()))
    }
}

fn run<J, T>(
    jobs: mpsc::Receiver<Queued<J, T>>,
    mut write: impl FnMut(&J) -> Result<T>,
    mut flush: impl FnMut() -> Result<()>,
) {
    while let Ok(first) = jobs.recv() {
        let mut written = Vec::new();
        for q in std::iter::once(first).chain(jobs.try_iter()) {
            // A panicking write must neither stop the writer nor leave its caller waiting.
            let result = catch_unwind(AssertUnwindSafe(|| write(&q.job)))
                .unwrap_or_else(|_| Err(StoreError::Backend("the write panicked".into())));
            match result {
                Ok(value) => written.push((q, value)),
                Err(e) => (q.done)(q.job, Err(e)),
            }
        }
        if written.is_empty() {
            continue;
        }
        // Starts after every write of the batch: covers them all.
        let flushed = catch_unwind(AssertUnwindSafe(&mut flush))
            .unwrap_or_else(|_| Err(StoreError::Backend("the flush to disk panicked".into())));
        for (q, value) in written {
            let result = match &flushed {
                Ok(()) => Ok(value),
                Err(e) => Err(e.clone()),
            };
            (q.done)(q.job, result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
    use std::sync::Arc;
    use std::time::Duration;

    /// A fake disk: `written` counts writes; a flush makes durable what was written when it
    /// started, after a delay (so that jobs pile up behind it).
    #[derive(Default)]
    struct Disk {
        written: AtomicU64,
        durable: AtomicU64,
        flushes: AtomicU64,
        fail_next: std::sync::atomic::AtomicBool,
    }

    fn writer(disk: &Arc<Disk>) -> Writer<u64, u64> {
        let (w, f) = (Arc::clone(disk), Arc::clone(disk));
        Writer::spawn(
            "test-writer",
            move |job: &u64| {
                if *job == 0 {
                    return Err(StoreError::Backend("refused".into()));
                }
                Ok(w.written.fetch_add(1, SeqCst) + 1)
            },
            move || {
                let upto = f.written.load(SeqCst);
                f.flushes.fetch_add(1, SeqCst);
                std::thread::sleep(Duration::from_millis(2));
                if f.fail_next.swap(false, SeqCst) {
                    return Err(StoreError::Backend("disk full".into()));
                }
                f.durable.fetch_max(upto, SeqCst);
                Ok(())
            },
        )
        .unwrap()
    }

    #[test]
    fn every_job_is_durable_when_answered_and_batches_share_flushes() {
        let disk = Arc::new(Disk::default());
        let writer = Arc::new(writer(&disk));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (disk, writer) = (Arc::clone(&disk), Arc::clone(&writer));
                std::thread::spawn(move || {
                    for _ in 0..25 {
                        let mine = writer.write_and_wait(1).unwrap();
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
        // 400 writes; one flush each would be 400. Batches make it far fewer.
        assert!(flushes < 200, "{flushes} flushes for 400 writes");
        assert_eq!(disk.durable.load(SeqCst), 400);
    }

    #[test]
    fn a_refused_job_is_answered_without_a_flush() {
        let disk = Arc::new(Disk::default());
        let writer = writer(&disk);
        let err = writer.write_and_wait(0).unwrap_err();
        assert_eq!(err, StoreError::Backend("refused".into()));
        assert_eq!(disk.flushes.load(SeqCst), 0);
    }

    #[test]
    fn a_failed_flush_fails_its_batch_and_the_next_batch_flushes_again() {
        let disk = Arc::new(Disk::default());
        let writer = writer(&disk);
        disk.fail_next.store(true, SeqCst);
        let err = writer.write_and_wait(1).unwrap_err();
        assert_eq!(err, StoreError::Backend("disk full".into()));
        assert_eq!(writer.write_and_wait(1).unwrap(), 2);
        assert_eq!(disk.durable.load(SeqCst), 2);
        assert_eq!(disk.flushes.load(SeqCst), 2);
    }

    #[test]
    fn the_job_comes_back_with_its_result() {
        let disk = Arc::new(Disk::default());
        let writer = writer(&disk);
        let (tx, rx) = mpsc::channel();
        writer.write(
            7,
            Box::new(move |job, result| tx.send((job, result)).unwrap()),
        );
        assert_eq!(rx.recv().unwrap(), (7, Ok(1)));
    }
}
