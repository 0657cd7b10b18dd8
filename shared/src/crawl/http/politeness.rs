//! Per-host politeness: a bounded number of requests in flight to one host name, and a minimum
//! gap between the starts of two requests to it. Different hosts never wait for each other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The gates of every host seen in one run.
#[derive(Debug)]
pub(crate) struct Politeness {
    concurrency: usize,
    min_delay: Duration,
    hosts: Mutex<HashMap<String, Arc<HostGate>>>,
}

#[derive(Debug)]
struct HostGate {
    in_flight: Arc<Semaphore>,
    /// The earliest time the next request to this host may start.
    next_start: tokio::sync::Mutex<Instant>,
}

/// Leave to talk to a host; the host's slot is free again when this is dropped.
#[derive(Debug)]
pub(crate) struct HostTurn {
    _permit: Option<OwnedSemaphorePermit>,
}

impl Politeness {
    /// Gates allowing `concurrency` requests in flight per host (at least one) and starting
    /// them at least `min_delay` apart.
    pub(crate) fn new(concurrency: usize, min_delay: Duration) -> Self {
        Self {
            concurrency: concurrency.max(1),
            min_delay,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until a request to `host` may start, and returns the turn to hold while it runs
    /// (through the last byte of the body).
    pub(crate) async fn turn(&self, host: &str) -> HostTurn {
        let gate = self.gate(host);
        // Acquiring only fails on a closed semaphore, and these are never closed.
        let permit = Arc::clone(&gate.in_flight).acquire_owned().await.ok();
        let start = {
            let mut next_start = gate.next_start.lock().await;
            let start = (*next_start).max(Instant::now());
            *next_start = start + self.min_delay;
            start
        };
        tokio::time::sleep_until(start).await;
        HostTurn { _permit: permit }
    }

    fn gate(&self, host: &str) -> Arc<HostGate> {
        // A poisoned map only means another task panicked while inserting; the map is intact.
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        let gate = hosts.entry(host.to_ascii_lowercase()).or_insert_with(|| {
            Arc::new(HostGate {
                in_flight: Arc::new(Semaphore::new(self.concurrency)),
                next_start: tokio::sync::Mutex::new(Instant::now()),
            })
        });
        Arc::clone(gate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn starts_to_one_host_are_spaced_by_the_minimum_delay() {
        let politeness = Politeness::new(4, Duration::from_millis(100));
        let t0 = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..3 {
            let _turn = politeness.turn("jobs.example.com").await;
            starts.push(Instant::now() - t0);
        }
        let expected: Vec<Duration> = [0, 100, 200].map(Duration::from_millis).to_vec();
        assert_eq!(starts, expected);
    }

    #[tokio::test(start_paused = true)]
    async fn another_host_does_not_wait_for_a_busy_one() {
        let politeness = Politeness::new(1, Duration::from_secs(5));
        let t0 = Instant::now();
        let _busy = politeness.turn("a.example.com").await;
        let _other = politeness.turn("b.example.com").await;
        assert_eq!(Instant::now() - t0, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn host_names_are_compared_ignoring_case() {
        let politeness = Politeness::new(2, Duration::from_secs(1));
        let t0 = Instant::now();
        drop(politeness.turn("Jobs.Example.com").await);
        drop(politeness.turn("jobs.example.com").await);
        assert_eq!(Instant::now() - t0, Duration::from_secs(1));
    }
}
