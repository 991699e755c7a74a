//! What the load examples share: running jobs from many threads at once, timing each one,
//! and the summary line with the rate and the latency percentiles.

use std::time::{Duration, Instant};

/// The timing of a run: how long it took, and each job's latency, sorted.
pub struct Timed {
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl Timed {
    /// The latency under which `p` percent of the jobs finished.
    pub fn percentile(&self, p: usize) -> Duration {
        let n = self.latencies.len();
        self.latencies[(n * p / 100).min(n.saturating_sub(1))]
    }

    /// `N in X s: R/s; latency p50 …, p99 …, max …` (`what` names the jobs).
    pub fn summary(&self, what: &str) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        format!(
            "{} {what} in {:.2} s: {:.0}/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.latencies.len(),
            self.elapsed.as_secs_f64(),
            self.latencies.len() as f64 / self.elapsed.as_secs_f64(),
            ms(self.percentile(50)),
            ms(self.percentile(99)),
            ms(self.latencies.last().copied().unwrap_or_default()),
        )
    }
}

/// Runs `job` once for every id, the ids shared out between `threads` threads that start
/// together; each thread first makes its own state with `state` (a connection, a handle).
pub fn run<S>(
    ids: &[u64],
    threads: usize,
    state: impl Fn() -> S + Sync,
    job: impl Fn(&mut S, u64) + Sync,
) -> Timed {
    let per_thread = ids.len().div_ceil(threads.max(1)).max(1);
    let (state, job) = (&state, &job);
    let started = Instant::now();
    let mut latencies: Vec<Duration> = std::thread::scope(|scope| {
        let workers: Vec<_> = ids
            .chunks(per_thread)
            .map(|chunk| {
                scope.spawn(move || {
                    let mut s = state();
                    chunk
                        .iter()
                        .map(|&id| {
                            let t = Instant::now();
                            job(&mut s, id);
                            t.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a load thread panicked"))
            .collect()
    });
    let elapsed = started.elapsed();
    latencies.sort();
    Timed { elapsed, latencies }
}
