//! Queries on the job queue (`jobs`, `job_schedules`): enqueue (deduplicated), claim with a
//! lease, finish only while holding the lease, retry or bury, recover expired leases, list
//! for operators, and fire periodic slots once across processes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text, Timestamp};

use crate::db::conn::write_transaction;
use crate::db::models::{Job, NewJob};
use crate::db::schema::{job_schedules, jobs};
use crate::db::types::JobStatus;
use crate::db::DbConn;

/// Inserts `job` unless a queued or running job has the same dedupe key; returns whether
/// it was inserted. Call it inside the transaction of the change that causes the job.
pub fn insert(conn: &mut DbConn, job: &NewJob) -> QueryResult<bool> {
    // why: a plain check-then-insert races on PostgreSQL; the partial unique index on
    // `dedupe_key` decides, and a conflict means "already queued".
    let inserted = diesel::sql_query(
        "INSERT INTO jobs (id, kind, payload, dedupe_key, status, run_at, attempts, \
         max_attempts, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9) \
         ON CONFLICT DO NOTHING",
    )
    .bind::<Text, _>(&job.id)
    .bind::<Text, _>(&job.kind)
    .bind::<Text, _>(&job.payload)
    .bind::<Nullable<Text>, _>(job.dedupe_key.as_deref())
    .bind::<Text, _>(job.status.as_str())
    .bind::<Timestamp, _>(job.run_at)
    .bind::<Integer, _>(job.max_attempts)
    .bind::<Timestamp, _>(job.created_at)
    .bind::<Timestamp, _>(job.updated_at)
    .execute(conn)?;
    Ok(inserted == 1)
}

#[derive(QueryableByName)]
struct FoundId {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Claims the job due first at `now` — queued and due, or running with an expired lease (its
/// worker died) — for `lease_owner` until `lease_until`, counting an attempt. `None` when
/// nothing is due. Only `kinds` are claimed (the kinds this worker can run).
pub fn claim(
    conn: &mut DbConn,
    kinds: &[String],
    lease_owner: &str,
    lease_until: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<Option<Job>> {
    write_transaction(conn, |conn| {
        let kinds_json = serde_json::to_string(kinds).unwrap_or_else(|_| "[]".into());
        // why: PostgreSQL lets concurrent workers skip rows another transaction has locked
        // (`FOR UPDATE SKIP LOCKED`), so they never wait on or take the same job. SQLite has
        // no row locks: `write_transaction` already holds the database's write lock
        // (`BEGIN IMMEDIATE`), so one claim runs at a time there.
        let sql = match conn {
            DbConn::Postgres(_) => {
                "SELECT id FROM jobs WHERE kind IN (SELECT json_array_elements_text($1::json)) \
                 AND ((status = 'queued' AND run_at <= $2) \
                 OR (status = 'running' AND lease_expires_at < $2)) \
                 ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
            }
            DbConn::Sqlite(_) => {
                "SELECT id FROM jobs WHERE kind IN (SELECT value FROM json_each($1)) \
                 AND ((status = 'queued' AND run_at <= $2) \
                 OR (status = 'running' AND lease_expires_at < $2)) \
                 ORDER BY run_at, id LIMIT 1"
            }
        };
        let found: Option<FoundId> = diesel::sql_query(sql)
            .bind::<Text, _>(kinds_json)
            .bind::<Timestamp, _>(now)
            .get_result(conn)
            .optional()?;
        let Some(FoundId { id }) = found else {
            return Ok(None);
        };
        diesel::update(jobs::table.find(&id))
            .set((
                jobs::status.eq(JobStatus::Running),
                jobs::lease_owner.eq(lease_owner),
                jobs::lease_expires_at.eq(lease_until),
                jobs::attempts.eq(jobs::attempts + 1),
                jobs::updated_at.eq(now),
            ))
            .execute(conn)?;
        jobs::table
            .find(&id)
            .select(Job::as_select())
            .first(conn)
            .optional()
    })
}

/// The job `$id` while `$owner` still holds its lease: the only row a worker may finish.
macro_rules! leased {
    ($id:expr, $owner:expr) => {
        jobs::table
            .find($id)
            .filter(jobs::lease_owner.eq($owner))
            .filter(jobs::status.eq(JobStatus::Running))
    };
}

/// Marks a claimed job done; `false` when the lease was lost (another worker took it over).
pub fn complete(
    conn: &mut DbConn,
    id: &str,
    lease_owner: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(leased!(id, lease_owner))
        .set((
            jobs::status.eq(JobStatus::Done),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_expires_at.eq(None::<NaiveDateTime>),
            jobs::finished_at.eq(now),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Records a failed attempt of a claimed job: queued again at `retry_at`, or dead with
/// `error` kept when `retry_at` is `None`. `false` when the lease was lost.
pub fn fail(
    conn: &mut DbConn,
    id: &str,
    lease_owner: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    // why: a dead job keeps `run_at` at its last attempt; only a retry moves it forward.
    let (status, run_at, finished) = match retry_at {
        Some(at) => (JobStatus::Queued, at, None),
        None => (JobStatus::Dead, now, Some(now)),
    };
    let n = diesel::update(leased!(id, lease_owner))
        .set((
            jobs::status.eq(status),
            jobs::run_at.eq(run_at),
            jobs::last_error.eq(error),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_expires_at.eq(None::<NaiveDateTime>),
            jobs::finished_at.eq(finished),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Gives a claimed job back without counting the attempt (graceful shutdown).
pub fn release(
    conn: &mut DbConn,
    id: &str,
    lease_owner: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(leased!(id, lease_owner))
        .set((
            jobs::status.eq(JobStatus::Queued),
            jobs::attempts.eq(jobs::attempts - 1),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_expires_at.eq(None::<NaiveDateTime>),
            jobs::run_at.eq(now),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Jobs in `status` (all when `None`), newest first.
pub fn list(conn: &mut DbConn, status: Option<JobStatus>, limit: i64) -> QueryResult<Vec<Job>> {
    let mut q = jobs::table.select(Job::as_select()).into_boxed();
    if let Some(s) = status {
        q = q.filter(jobs::status.eq(s));
    }
    q.order((jobs::created_at.desc(), jobs::id.desc()))
        .limit(limit)
        .load(conn)
}

/// One job by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Job>> {
    jobs::table
        .find(id)
        .select(Job::as_select())
        .first(conn)
        .optional()
}

/// Queues a dead job again with a fresh set of attempts; `false` when `id` is not dead.
pub fn retry_dead(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        jobs::table
            .find(id)
            .filter(jobs::status.eq(JobStatus::Dead)),
    )
    .set((
        jobs::status.eq(JobStatus::Queued),
        jobs::attempts.eq(0),
        jobs::run_at.eq(now),
        jobs::finished_at.eq(None::<NaiveDateTime>),
        jobs::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// How many jobs are queued (due or not) or running: what a worker pool has left to do.
pub fn count_pending(conn: &mut DbConn) -> QueryResult<i64> {
    jobs::table
        .filter(jobs::status.eq_any([JobStatus::Queued, JobStatus::Running]))
        .count()
        .get_result(conn)
}

/// When the next queued job is due, if any.
pub fn next_run_at(conn: &mut DbConn) -> QueryResult<Option<NaiveDateTime>> {
    jobs::table
        .filter(jobs::status.eq(JobStatus::Queued))
        .select(diesel::dsl::min(jobs::run_at))
        .first(conn)
}

/// Deletes finished jobs older than `before`; returns how many.
pub fn delete_done_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        jobs::table
            .filter(jobs::status.eq(JobStatus::Done))
            .filter(jobs::finished_at.lt(before)),
    )
    .execute(conn)
}

/// Takes the periodic slot `slot` of schedule `name` if no process took it (or a later one)
/// yet; returns whether this call took it. Enqueue the slot's job in the same transaction.
pub fn take_slot(conn: &mut DbConn, name: &str, slot: NaiveDateTime) -> QueryResult<bool> {
    // why: one conditional statement per backend decides between racing processes; the
    // insert covers a schedule's first slot, the update every later one.
    let inserted = diesel::sql_query(
        "INSERT INTO job_schedules (name, last_slot) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind::<Text, _>(name)
    .bind::<Timestamp, _>(slot)
    .execute(conn)?;
    if inserted == 1 {
        return Ok(true);
    }
    let n = diesel::update(
        job_schedules::table
            .find(name)
            .filter(job_schedules::last_slot.lt(slot)),
    )
    .set(job_schedules::last_slot.eq(slot))
    .execute(conn)?;
    Ok(n == 1)
}

/// How many attempts `id` has had (tests and the CLI).
pub fn attempts(conn: &mut DbConn, id: &str) -> QueryResult<i32> {
    jobs::table.find(id).select(jobs::attempts).first(conn)
}

/// The newest job with this dedupe key, whatever its status.
pub fn find_by_dedupe_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<Job>> {
    jobs::table
        .filter(jobs::dedupe_key.eq(key))
        .order((jobs::created_at.desc(), jobs::id.desc()))
        .select(Job::as_select())
        .first(conn)
        .optional()
}
