//! Queries on `user_usage` (a learner's month) and the metering columns of
//! `conversation_sessions`. Callers hold the usage lock (`lock::key(c, "usage", …)`) inside
//! a write transaction before reading what they will change.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::{ConversationSession, NewUserUsage, UserUsage};
use crate::db::schema::{conversation_sessions, user_usage};
use crate::db::types::SessionState;
use crate::db::DbConn;

/// `user_id`'s row for `period` (`YYYY-MM`).
pub fn find_month(
    conn: &mut DbConn,
    user_id: &str,
    period: &str,
) -> QueryResult<Option<UserUsage>> {
    user_usage::table
        .find((user_id, period))
        .select(UserUsage::as_select())
        .first(conn)
        .optional()
}

/// `user_id`'s rows for `period` and `previous` (one query): (this month, the month before).
pub fn find_month_and_previous(
    conn: &mut DbConn,
    user_id: &str,
    period: &str,
    previous: &str,
) -> QueryResult<(Option<UserUsage>, Option<UserUsage>)> {
    let rows: Vec<UserUsage> = user_usage::table
        .filter(user_usage::user_id.eq(user_id))
        .filter(user_usage::period.eq_any([period, previous]))
        .select(UserUsage::as_select())
        .load(conn)?;
    let pick = |p: &str| rows.iter().find(|r| r.period == p).cloned();
    Ok((pick(period), pick(previous)))
}

pub fn insert_month(conn: &mut DbConn, row: &NewUserUsage) -> QueryResult<()> {
    diesel::insert_into(user_usage::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

/// The month's numbers as metered, and its conversation count.
#[derive(Debug, Clone, Copy)]
pub struct MonthNumbers {
    pub granted: i32,
    pub used: i32,
    pub banked: i32,
    pub banked_used: i32,
    pub reserved: i32,
    pub conversations: i32,
}

pub fn update_month(
    conn: &mut DbConn,
    user_id: &str,
    period: &str,
    n: MonthNumbers,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(user_usage::table.find((user_id, period)))
        .set((
            user_usage::granted_seconds.eq(n.granted),
            user_usage::seconds_used.eq(n.used),
            user_usage::banked_seconds.eq(n.banked),
            user_usage::banked_seconds_used.eq(n.banked_used),
            user_usage::reserved_seconds.eq(n.reserved),
            user_usage::conversations_used.eq(n.conversations),
            user_usage::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A guest's month, from their sessions: (seconds spent by settled sessions, seconds held
/// by open ones, sessions started).
pub fn guest_month(
    conn: &mut DbConn,
    guest_id: &str,
    period: &str,
) -> QueryResult<(i64, i64, i64)> {
    let rows: Vec<(SessionState, i32, i32)> = conversation_sessions::table
        .filter(conversation_sessions::guest_id.eq(guest_id))
        .filter(conversation_sessions::period.eq(period))
        .select((
            conversation_sessions::state,
            conversation_sessions::seconds_consumed,
            conversation_sessions::hold_seconds,
        ))
        .load(conn)?;
    let spent = rows
        .iter()
        .filter(|r| r.0 == SessionState::Settled)
        .map(|r| i64::from(r.1))
        .sum();
    let held = rows
        .iter()
        .filter(|r| r.0 == SessionState::Open)
        .map(|r| i64::from(r.2))
        .sum();
    Ok((spent, held, rows.len() as i64))
}

/// The join of a session to the month it is metered in (a learner's; a guest's has none).
#[diesel::dsl::auto_type]
pub(super) fn month_of_session() -> _ {
    user_usage::user_id
        .nullable()
        .eq(conversation_sessions::user_id)
        .and(
            user_usage::period
                .nullable()
                .eq(conversation_sessions::period),
        )
}

/// A conversation's sessions with their month (a learner's), newest first.
#[diesel::dsl::auto_type(no_type_alias)]
fn newest_session_of<'a>(conversation_id: &'a str) -> _ {
    conversation_sessions::table
        .left_join(user_usage::table.on(month_of_session()))
        .filter(conversation_sessions::conversation_id.eq(conversation_id))
        .order((
            conversation_sessions::start_time.desc(),
            conversation_sessions::id.desc(),
        ))
}

/// The conversation's newest session and, for a learner's, the month it is metered in.
pub fn find_latest_session(
    conn: &mut DbConn,
    conversation_id: &str,
) -> QueryResult<Option<(ConversationSession, Option<UserUsage>)>> {
    newest_session_of(conversation_id)
        .select((
            ConversationSession::as_select(),
            Option::<UserUsage>::as_select(),
        ))
        .first(conn)
        .optional()
}

/// The session's metering after a message or an extension.
pub fn update_open_session(
    conn: &mut DbConn,
    s: &ConversationSession,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(conversation_sessions::table.find(&s.id))
        .filter(conversation_sessions::state.eq(SessionState::Open))
        .set((
            conversation_sessions::duration_seconds.eq(s.duration_seconds),
            conversation_sessions::hold_seconds.eq(s.hold_seconds),
            conversation_sessions::deadline_at.eq(s.deadline_at),
            conversation_sessions::last_activity_at.eq(s.last_activity_at),
            conversation_sessions::extensions_used.eq(s.extensions_used),
            conversation_sessions::was_extended.eq(s.was_extended),
            conversation_sessions::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Marks an open session settled with what it spent; `false` when it was settled already
/// (whoever settles first wins; the session resolves once).
pub fn settle_session(
    conn: &mut DbConn,
    id: &str,
    end: NaiveDateTime,
    active_seconds: i32,
    spent: i32,
    input_tokens: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(conversation_sessions::table.find(id))
        .filter(conversation_sessions::state.eq(SessionState::Open))
        .set((
            input_tokens.map(|t| conversation_sessions::input_tokens.eq(t)),
            conversation_sessions::state.eq(SessionState::Settled),
            conversation_sessions::end_time.eq(end),
            conversation_sessions::duration_seconds.eq(active_seconds),
            conversation_sessions::seconds_consumed.eq(spent),
            conversation_sessions::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Open sessions whose time ran out before `before`, oldest first: (session, conversation).
pub fn list_expired(
    conn: &mut DbConn,
    before: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(String, Option<String>)>> {
    conversation_sessions::table
        .filter(conversation_sessions::state.eq(SessionState::Open))
        .filter(conversation_sessions::deadline_at.lt(before))
        .order(conversation_sessions::deadline_at.asc())
        .limit(limit)
        .select((
            conversation_sessions::id,
            conversation_sessions::conversation_id,
        ))
        .load(conn)
}

/// Counts one more realtime session in `user_id`'s month (the row exists: the caller wrote
/// it under the usage lock).
pub fn add_realtime_session(
    conn: &mut DbConn,
    user_id: &str,
    period: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(user_usage::table.find((user_id, period)))
        .set((
            user_usage::realtime_sessions_used.eq(user_usage::realtime_sessions_used + 1),
            user_usage::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Records the realtime call `call_id` on open session `id`: its id, whether the server
/// holds its sideband, and when calls began (kept from the first call). `false` when the
/// session is no longer open.
pub fn set_call(
    conn: &mut DbConn,
    id: &str,
    call_id: &str,
    sideband: bool,
    started_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(conversation_sessions::table.find(id))
        .filter(conversation_sessions::state.eq(SessionState::Open))
        .set((
            conversation_sessions::realtime_call_id.eq(call_id),
            conversation_sessions::call_sideband.eq(sideband),
            conversation_sessions::call_started_at.eq(started_at),
            conversation_sessions::call_ended_at.eq(None::<NaiveDateTime>),
            conversation_sessions::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Records that call `call_id` of session `id` ended at `ended_at`; `false` when it was
/// recorded already (or another call replaced it).
pub fn end_call(
    conn: &mut DbConn,
    id: &str,
    call_id: &str,
    ended_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(conversation_sessions::table.find(id))
        .filter(conversation_sessions::realtime_call_id.eq(call_id))
        .filter(conversation_sessions::call_ended_at.is_null())
        .set((
            conversation_sessions::call_ended_at.eq(ended_at),
            conversation_sessions::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}
