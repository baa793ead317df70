//! What a use case needs to queue work for later: the [`Job`] description (kind, payload,
//! attempts, timeout, dedupe key) and [`enqueue`], which writes the job in the caller's
//! transaction so the job exists exactly when the change that causes it does. Running jobs
//! is `crate::jobs`' business (which calls back into use cases); this module runs nothing.

use std::time::Duration;

use chrono::NaiveDateTime;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::db::models::NewJob;
use crate::db::types::JobStatus;
use crate::db::{new_id, queries, DbConn};

/// A kind of job: its payload is the implementing type, stored as JSON.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The name stored in `jobs.kind`; never change it once jobs of it exist.
    const KIND: &'static str;
    /// Attempts before the job is dead.
    const MAX_ATTEMPTS: i32 = 5;
    /// How long one attempt may run before it counts as failed.
    const TIMEOUT: Duration = Duration::from_secs(120);

    /// At most one queued or running job per key (`None`: no deduplication).
    fn dedupe_key(&self) -> Option<String> {
        None
    }
}

/// Queues `job`, due now; `false` when a job with its dedupe key is already waiting.
pub fn enqueue<J: Job>(
    conn: &mut DbConn,
    job: &J,
    now: NaiveDateTime,
) -> diesel::QueryResult<bool> {
    enqueue_at(conn, job, now, now)
}

/// Queues `job`, due at `run_at`.
pub fn enqueue_at<J: Job>(
    conn: &mut DbConn,
    job: &J,
    run_at: NaiveDateTime,
    now: NaiveDateTime,
) -> diesel::QueryResult<bool> {
    let payload = serde_json::to_string(job)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    queries::jobs::insert(
        conn,
        &NewJob {
            id: new_id(),
            kind: J::KIND.to_owned(),
            payload,
            dedupe_key: job.dedupe_key(),
            status: JobStatus::Queued,
            run_at,
            max_attempts: J::MAX_ATTEMPTS,
            created_at: now,
            updated_at: now,
        },
    )
}

/// The wait before retrying after failed attempt number `attempt` (1-based): 5 s doubling
/// each time, capped at an hour, then spread by `jitter` (0.0–1.0) over ±25 % so failed jobs
/// do not retry in lockstep.
pub fn backoff(attempt: i32, jitter: f64) -> chrono::Duration {
    let base_ms = (5_000_i64 << (attempt.clamp(1, 20) - 1)).min(3_600_000);
    let spread = 0.75 + 0.5 * jitter.clamp(0.0, 1.0);
    chrono::Duration::milliseconds((base_ms as f64 * spread) as i64)
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let mid = |n| backoff(n, 0.5).num_milliseconds();
        assert_eq!(mid(1), 5_000);
        assert_eq!(mid(2), 10_000);
        assert_eq!(mid(3), 20_000);
        assert_eq!(mid(30), 3_600_000);
        for n in 1..15 {
            assert!(mid(n + 1) >= mid(n), "never shrinks");
        }
    }

    #[test]
    fn jitter_spreads_by_a_quarter_either_way() {
        assert_eq!(backoff(1, 0.0).num_milliseconds(), 3_750);
        assert_eq!(backoff(1, 1.0).num_milliseconds(), 6_250);
        assert_eq!(backoff(1, 7.0).num_milliseconds(), 6_250, "clamped");
    }
}
