//! Periodic jobs. Time is cut into slots per schedule (every hour, say); the first process to
//! take a slot in the database enqueues that slot's job in the same transaction, so however
//! many `serve` and `worker` processes run, each slot fires once.

use std::time::Duration;

use chrono::NaiveDateTime;

use crate::app::jobs::{enqueue, Job};
use crate::app::{Ctx, DbError};
use crate::db::{queries, DbConn};

/// How often the scheduler looks at the clock.
const TICK: Duration = Duration::from_secs(30);

/// One periodic job.
struct Schedule {
    name: &'static str,
    every: chrono::Duration,
    enqueue: fn(&mut DbConn, NaiveDateTime) -> diesel::QueryResult<bool>,
}

fn enqueue_job<J: Job + Default>(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> diesel::QueryResult<bool> {
    enqueue(conn, &J::default(), now)
}

fn schedules() -> Vec<Schedule> {
    vec![
        Schedule {
            name: "cleanup",
            every: chrono::Duration::hours(1),
            enqueue: enqueue_job::<super::cleanup::Cleanup>,
        },
        Schedule {
            name: "settle_expired_sessions",
            every: chrono::Duration::minutes(1),
            enqueue: enqueue_job::<super::usage::SettleExpiredSessions>,
        },
        Schedule {
            name: "path_reminders",
            every: chrono::Duration::minutes(15),
            enqueue: enqueue_job::<crate::app::paths::SendPathReminders>,
        },
    ]
}

/// The start of the slot of length `every` that holds `now` (slots count from the epoch).
pub fn slot_of(now: NaiveDateTime, every: chrono::Duration) -> NaiveDateTime {
    let step = every.num_seconds().max(1);
    let t = now.and_utc().timestamp();
    chrono::DateTime::from_timestamp(t - t.rem_euclid(step), 0)
        .map(|d| d.naive_utc())
        .unwrap_or(now)
}

/// Fires every schedule whose current slot no process has taken yet; returns how many fired.
pub async fn tick(ctx: &Ctx) -> Result<usize, DbError> {
    let now = ctx.clock.naive();
    let mut fired = 0;
    for s in schedules() {
        let slot = slot_of(now, s.every);
        let took = ctx
            .db
            .write(move |c| -> Result<bool, DbError> {
                if !queries::jobs::take_slot(c, s.name, slot)? {
                    return Ok(false);
                }
                (s.enqueue)(c, now)?;
                Ok(true)
            })
            .await?;
        if took {
            tracing::info!(schedule = s.name, %slot, "periodic job queued");
            fired += 1;
        }
    }
    if fired > 0 {
        ctx.jobs.notify();
    }
    Ok(fired)
}

/// Runs the periodic job `name` once, now, in this process (`kaiwa cron NAME`); an unknown
/// name is an error listing the known ones.
pub async fn run_now(ctx: &Ctx, name: &str) -> anyhow::Result<()> {
    match name {
        "cleanup" => {
            use super::Runs;
            super::cleanup::Cleanup::default()
                .run(ctx.clone(), super::Attempt { number: 1, max: 1 })
                .await
        }
        "settle_expired_sessions" => {
            use super::Runs;
            super::usage::SettleExpiredSessions::default()
                .run(ctx.clone(), super::Attempt { number: 1, max: 1 })
                .await
        }
        "path_reminders" => {
            use super::Runs;
            crate::app::paths::SendPathReminders::default()
                .run(ctx.clone(), super::Attempt { number: 1, max: 1 })
                .await
        }
        other => {
            let known: Vec<&str> = schedules().iter().map(|s| s.name).collect();
            anyhow::bail!(
                "no periodic job is called `{other}` (known: {})",
                known.join(", ")
            )
        }
    }
}

/// Ticks until asked to stop.
pub async fn run(ctx: Ctx, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        if let Err(e) = tick(&ctx).await {
            tracing::error!(error = %e, "the scheduler could not reach the database");
        }
        tokio::select! {
            () = tokio::time::sleep(TICK) => {}
            _ = stop.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::slot_of;
    use chrono::{Duration, NaiveDate};

    #[test]
    fn slots_start_on_the_hour() {
        let t = NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(9, 41, 7)
            .unwrap();
        let slot = slot_of(t, Duration::hours(1));
        assert_eq!(slot.to_string(), "2026-12-01 09:00:00");
        assert_eq!(slot_of(slot, Duration::hours(1)), slot);
        assert_eq!(
            slot_of(t, Duration::days(1)).to_string(),
            "2026-12-01 00:00:00"
        );
    }
}
