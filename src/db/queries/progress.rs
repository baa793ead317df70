//! Queries on `user_scenario_progress` and the aggregates in `scenario_metadata` that must
//! stay equal to a recount of it. Callers run these inside one write transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};

use crate::db::models::UserScenarioProgress;
use crate::db::schema::{scenario_metadata, user_scenario_progress as usp};
use crate::db::DbConn;

/// One learner's progress with one scenario.
pub fn find(
    conn: &mut DbConn,
    user_id: &str,
    scenario_id: &str,
) -> QueryResult<Option<UserScenarioProgress>> {
    usp::table
        .find((user_id, scenario_id))
        .select(UserScenarioProgress::as_select())
        .first(conn)
        .optional()
}

/// Makes sure the progress row exists, and locks it until the transaction ends (`db::lock`).
///
/// why: `ON CONFLICT DO NOTHING` is spelled the same on both backends and never aborts a
/// PostgreSQL transaction the way a caught unique violation would; SQLite's `BEGIN IMMEDIATE`
/// already serializes writers, PostgreSQL needs the lock so one learner's two concurrent
/// requests cannot both read the old value.
pub fn ensure_and_lock(
    conn: &mut DbConn,
    user_id: &str,
    scenario_id: &str,
    now: NaiveDateTime,
) -> QueryResult<UserScenarioProgress> {
    diesel::sql_query(
        "INSERT INTO user_scenario_progress (user_id, scenario_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $3) ON CONFLICT (user_id, scenario_id) DO NOTHING",
    )
    .bind::<Text, _>(user_id)
    .bind::<Text, _>(scenario_id)
    .bind::<Timestamp, _>(now)
    .execute(conn)?;
    crate::db::lock::key(conn, "progress", &format!("{user_id}:{scenario_id}"))?;
    find(conn, user_id, scenario_id)?.ok_or(diesel::result::Error::NotFound)
}

/// Sets whether the learner has saved the scenario.
pub fn set_saved(
    conn: &mut DbConn,
    user_id: &str,
    scenario_id: &str,
    saved: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(usp::table.find((user_id, scenario_id)))
        .set((
            usp::is_saved.eq(saved),
            usp::saved_at.eq(saved.then_some(now)),
            usp::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Sets (or clears) the learner's rating.
pub fn set_rating(
    conn: &mut DbConn,
    user_id: &str,
    scenario_id: &str,
    rating: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(usp::table.find((user_id, scenario_id)))
        .set((usp::user_rating.eq(rating), usp::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// Sets (or clears) the learner's private notes.
pub fn set_notes(
    conn: &mut DbConn,
    user_id: &str,
    scenario_id: &str,
    notes: Option<String>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(usp::table.find((user_id, scenario_id)))
        .set((usp::user_notes.eq(notes), usp::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// Adds `delta` to a scenario's saved count.
pub fn add_saved(
    conn: &mut DbConn,
    scenario_id: &str,
    delta: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(scenario_metadata::table.find(scenario_id))
        .set((
            scenario_metadata::amount_saved_count.eq(scenario_metadata::amount_saved_count + delta),
            scenario_metadata::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Adds to a scenario's rating count and sum, then recomputes the average from them.
pub fn add_rating(
    conn: &mut DbConn,
    scenario_id: &str,
    count_delta: i32,
    sum_delta: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(scenario_metadata::table.find(scenario_id))
        .set((
            scenario_metadata::ratings_count.eq(scenario_metadata::ratings_count + count_delta),
            scenario_metadata::ratings_sum.eq(scenario_metadata::ratings_sum + sum_delta),
            scenario_metadata::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::sql_query(
        "UPDATE scenario_metadata SET average_rating = CASE WHEN ratings_count > 0 \
         THEN CAST(ratings_sum AS DOUBLE PRECISION) / ratings_count ELSE NULL END WHERE scenario_id = $1",
    )
    .bind::<Text, _>(scenario_id)
    .execute(conn)
    .map(|_| ())
}

/// The learner's scenarios with their progress: saved, attempted or completed ones.
pub fn list_for_user(
    conn: &mut DbConn,
    user_id: &str,
) -> QueryResult<Vec<(UserScenarioProgress, crate::db::models::Scenario)>> {
    use crate::db::schema::scenarios;
    usp::table
        .inner_join(scenarios::table)
        .filter(usp::user_id.eq(user_id))
        .filter(
            usp::is_saved
                .eq(true)
                .or(usp::times_attempted.gt(0))
                .or(usp::times_completed.gt(0)),
        )
        .order(usp::updated_at.desc())
        .select((
            UserScenarioProgress::as_select(),
            crate::db::models::Scenario::as_select(),
        ))
        .load(conn)
}

/// A recount of a scenario's saves and ratings from the progress rows (for checks).
pub fn recount(conn: &mut DbConn, scenario_id: &str) -> QueryResult<(i64, i64, i64)> {
    #[derive(QueryableByName)]
    struct Counts {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        saved: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        rated: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        total: i64,
    }
    let c: Counts = diesel::sql_query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN is_saved THEN 1 ELSE 0 END), 0) AS BIGINT) AS saved, \
         CAST(COUNT(user_rating) AS BIGINT) AS rated, CAST(COALESCE(SUM(user_rating), 0) AS BIGINT) AS total \
         FROM user_scenario_progress WHERE scenario_id = $1",
    )
    .bind::<Text, _>(scenario_id)
    .get_result(conn)?;
    Ok((c.saved, c.rated, c.total))
}

/// Records one attempt (and completion) on a learner's progress row.
pub fn record_attempt(
    conn: &mut DbConn,
    user_id: &str,
    scenario_id: &str,
    completed: bool,
    seconds: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(usp::table.find((user_id, scenario_id)))
        .set((
            usp::times_attempted.eq(usp::times_attempted + 1),
            usp::times_completed.eq(usp::times_completed + i32::from(completed)),
            usp::last_attempt_at.eq(Some(now)),
            usp::total_time_spent_seconds.eq(usp::total_time_spent_seconds + seconds),
            usp::updated_at.eq(now),
        ))
        .execute(conn)?;
    if completed {
        diesel::update(usp::table.find((user_id, scenario_id)))
            .set(usp::last_completed_at.eq(Some(now)))
            .execute(conn)?;
    }
    Ok(())
}

/// Counts a completion found after the attempt was recorded (the provider's analysis came
/// later) on a learner's progress row.
pub fn record_late_completion(
    conn: &mut DbConn,
    user_id: &str,
    scenario_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(usp::table.find((user_id, scenario_id)))
        .set((
            usp::times_completed.eq(usp::times_completed + 1),
            usp::last_completed_at.eq(Some(now)),
            usp::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Counts a late completion (see [`record_late_completion`]) in a scenario's aggregates and
/// recomputes the completion rate.
pub fn add_late_completion(
    conn: &mut DbConn,
    scenario_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(scenario_metadata::table.find(scenario_id))
        .set((
            scenario_metadata::total_completions.eq(scenario_metadata::total_completions + 1),
            scenario_metadata::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::sql_query(
        "UPDATE scenario_metadata SET \
         completion_rate = CASE WHEN total_attempts > 0 THEN CAST(total_completions AS DOUBLE PRECISION) / total_attempts ELSE 0 END \
         WHERE scenario_id = $1",
    )
    .bind::<Text, _>(scenario_id)
    .execute(conn)?;
    Ok(())
}

/// Adds one attempt to a scenario's aggregates and recomputes the completion rate and the
/// average time from the totals.
pub fn add_attempt(
    conn: &mut DbConn,
    scenario_id: &str,
    completed: bool,
    seconds: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    use crate::db::schema::scenarios;
    diesel::update(scenario_metadata::table.find(scenario_id))
        .set((
            scenario_metadata::total_attempts.eq(scenario_metadata::total_attempts + 1),
            scenario_metadata::total_times_used.eq(scenario_metadata::total_times_used + 1),
            scenario_metadata::total_completions
                .eq(scenario_metadata::total_completions + i32::from(completed)),
            scenario_metadata::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::sql_query(
        "UPDATE scenario_metadata SET \
         completion_rate = CASE WHEN total_attempts > 0 THEN CAST(total_completions AS DOUBLE PRECISION) / total_attempts ELSE 0 END, \
         average_time_spent = CASE WHEN total_attempts > 0 THEN (average_time_spent * (total_attempts - 1) + $1) / total_attempts ELSE 0 END \
         WHERE scenario_id = $2",
    )
    .bind::<diesel::sql_types::Integer, _>(seconds)
    .bind::<Text, _>(scenario_id)
    .execute(conn)?;
    diesel::update(scenarios::table.find(scenario_id))
        .set(scenarios::usage_count.eq(scenarios::usage_count + 1))
        .execute(conn)?;
    Ok(())
}
