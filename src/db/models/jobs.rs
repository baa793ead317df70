//! Rows of the job queue: `jobs` and `job_schedules`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{job_schedules, jobs};
use crate::db::types::JobStatus;

/// A queued, running, finished or dead job.
#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Identifiable)]
#[diesel(table_name = jobs)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub dedupe_key: Option<String>,
    pub status: JobStatus,
    pub run_at: NaiveDateTime,
    pub attempts: i32,
    pub max_attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

/// A job to enqueue.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = jobs)]
pub struct NewJob {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub dedupe_key: Option<String>,
    pub status: JobStatus,
    pub run_at: NaiveDateTime,
    pub max_attempts: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The last slot a periodic job fired.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = job_schedules)]
pub struct JobSchedule {
    pub name: String,
    pub last_slot: NaiveDateTime,
}
