//! Metering conversation time on the server: reserve, then settle.
//!
//! - Starting a conversation opens a **session** that holds the tier's session length (or
//!   what is left of the month, if less) in the learner's month (`user_usage`), under the
//!   usage lock, so concurrent starts can never hold more than the month has. Guests have
//!   no month row: their month is the sum of their sessions, under the same lock.
//! - Each learner message records active time (the gap since the last action, capped at
//!   [`meter::ACTIVE_GAP_SECONDS`]). At the deadline the session stops taking messages; a
//!   message that arrives within [`LATE_GRACE_SECONDS`] after it is kept (never lost) and
//!   ends the conversation.
//! - An extension (where the tier has them) holds more and moves the deadline.
//! - Ending settles the session once (`state` open → settled): the active time measured (for
//!   a realtime voice call, the call's time), at most what was held, banked time spent first;
//!   the rest is released. The janitor job
//!   settles sessions left open past their deadline.
//!
//! The arithmetic is pure ([`meter`]); what a plan allows is [`entitlements`].

mod clock;
pub mod entitlements;
pub mod meter;
mod summary;

use chrono::{Duration, NaiveDateTime};

use crate::app::billing::plan;
use crate::app::Ctx;
use crate::db::models::{
    ConversationSession, NewConversationSession, NewUserUsage, UsageSeconds, UserUsage,
};
use crate::db::queries::usage::MonthNumbers;
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::{ConversationMode, SessionState};
use crate::db::{lock, new_id, DbConn};
pub use clock::{extend, session_clock, SessionClock};
pub use entitlements::Entitlements;
use meter::{Meter, Reserve};
pub use summary::{summary_of, Summary};

/// How long after the deadline a learner's message is still kept (it ends the conversation).
pub const LATE_GRACE_SECONDS: i64 = 60;
/// When the page warns that the session is about to end.
pub const WARN_SECONDS: i64 = 60;

/// Why time could not be held.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// Refused, with the learner-facing reason.
    #[error("{0}")]
    Refused(String),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Unavailable(#[from] crate::app::DbError),
}

fn lock_key(owner: &Owner) -> String {
    match owner {
        Owner::User(u) => format!("user:{u}"),
        Owner::Guest(g) => format!("guest:{g}"),
    }
}

/// What `user_id` may use at `now`.
pub fn entitlements_of(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<(Entitlements, bool)> {
    let (subscription, tier) = plan::tier_of(conn, user_id, now)?;
    // why: a month with no row had no conversation; whether its grant carries over depends
    // on whether the learner was already on a plan then (the current one stands in for it).
    let subscribed_before = subscription.is_some_and(|s| s.created_at < month_start(now));
    Ok((Entitlements::of(&tier), subscribed_before))
}

fn month_start(now: NaiveDateTime) -> NaiveDateTime {
    let period = meter::period_of(now);
    chrono::NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(now)
}

fn meter_of(u: &UserUsage) -> Meter {
    seconds_meter(&UsageSeconds::from(u))
}

fn seconds_meter(u: &UsageSeconds) -> Meter {
    Meter {
        granted: u.granted_seconds,
        used: u.seconds_used,
        banked: u.banked_seconds,
        banked_used: u.banked_seconds_used,
        reserved: u.reserved_seconds,
    }
}

/// The learner's month as it stands (opened from the month before when it has no row yet,
/// without writing it), and whether the row exists.
fn month(
    conn: &mut DbConn,
    user_id: &str,
    ent: &Entitlements,
    subscribed_before: bool,
    now: NaiveDateTime,
) -> diesel::QueryResult<(Meter, i32, bool)> {
    let period = meter::period_of(now);
    let previous_period = meter::previous_period(&period).unwrap_or_default();
    let (current, previous) =
        queries::usage::find_month_and_previous(conn, user_id, &period, &previous_period)?;
    if let Some(row) = current {
        let mut m = meter_of(&row);
        m.regrant(ent.monthly_seconds);
        return Ok((m, row.conversations_used, true));
    }
    let previous = previous
        .map(|r| meter_of(&r))
        .or_else(|| subscribed_before.then(|| Meter::open(ent.monthly_seconds, None, None)));
    Ok((
        Meter::open(ent.monthly_seconds, previous.as_ref(), ent.bank_cap),
        0,
        false,
    ))
}

/// A meter's numbers as the month's row stores them.
fn numbers(m: Meter, conversations: i32) -> MonthNumbers {
    MonthNumbers {
        granted: m.granted,
        used: m.used,
        banked: m.banked,
        banked_used: m.banked_used,
        reserved: m.reserved,
        conversations,
    }
}

fn write_month(
    conn: &mut DbConn,
    user_id: &str,
    m: Meter,
    conversations: i32,
    exists: bool,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    let period = meter::period_of(now);
    if !exists {
        queries::usage::insert_month(
            conn,
            &NewUserUsage {
                user_id: user_id.to_owned(),
                period: period.clone(),
                conversations_used: 0,
                seconds_used: 0,
                realtime_sessions_used: 0,
                banked_seconds: m.banked,
                banked_seconds_used: 0,
                granted_seconds: m.granted,
                reserved_seconds: 0,
                created_at: now,
                updated_at: now,
            },
        )?;
    }
    let numbers = numbers(m, conversations);
    queries::usage::update_month(conn, user_id, &period, numbers, now)
}

fn refused_start(ent: &Entitlements, left: i32) -> UsageError {
    UsageError::Refused(if left > 0 {
        format!(
            "Only {} of conversation time is left this month on the {} plan: not enough to start. \
             See the plans for more time.",
            crate::app::pricing::format_duration(left.max(60)),
            ent.tier_name
        )
    } else {
        format!(
            "You have used this month's conversation time on the {} plan. It comes back at the \
             start of next month; the plans have more.",
            ent.tier_name
        )
    })
}

/// Why a realtime voice session is refused for a plan, or `None` when it may start with
/// `used` realtime sessions already this month.
pub fn realtime_refusal(ent: &Entitlements, used: i32) -> Option<String> {
    if !ent.realtime {
        return Some(format!(
            "Realtime voice needs the Plus plan; the {} plan has text and voice mode.",
            ent.tier_name
        ));
    }
    match ent.monthly_realtime_sessions {
        Some(n) if used >= n => Some(format!(
            "The {} plan allows {n} realtime sessions a month, and you have had them. \
             Text and voice mode is still open.",
            ent.tier_name
        )),
        _ => None,
    }
}

/// Opens the metered session of a new conversation for `owner`: holds the session's
/// length in their month, or refuses. `metered: false` (usage limits off on this server)
/// opens a session without a deadline that holds nothing. A realtime conversation also
/// needs a plan with realtime voice and a realtime session left this month, and counts one
/// (`user_usage.realtime_sessions_used`) in the same locked update; guests have none. Call
/// inside the write transaction that inserts the conversation (lock order: conversation,
/// then usage).
pub fn open_session(
    conn: &mut DbConn,
    owner: &Owner,
    conversation_id: &str,
    language: &str,
    mode: ConversationMode,
    metered: bool,
    now: NaiveDateTime,
) -> Result<ConversationSession, UsageError> {
    lock::key(conn, "usage", &lock_key(owner))?;
    let realtime = mode == ConversationMode::Realtime;
    let period = meter::period_of(now);
    let (ent, hold) = match owner {
        _ if !metered => {
            let free = queries::tiers::get(conn, plan::FREE_TIER)?;
            (Entitlements::of(&free), 0)
        }
        Owner::User(user_id) => {
            let (ent, before) = entitlements_of(conn, user_id, now)?;
            let (mut m, conversations, exists) = month(conn, user_id, &ent, before, now)?;
            if realtime {
                let used = queries::usage::find_month(conn, user_id, &period)?
                    .map_or(0, |u| u.realtime_sessions_used);
                if let Some(why) = realtime_refusal(&ent, used) {
                    return Err(UsageError::Refused(why));
                }
            }
            if ent
                .monthly_conversations
                .is_some_and(|n| conversations >= n)
            {
                return Err(UsageError::Refused(format!(
                    "The {} plan allows {} conversations a month, and you have had them. \
                     The plans have more.",
                    ent.tier_name,
                    ent.monthly_conversations.unwrap_or(0)
                )));
            }
            let hold = match m.reserve(ent.max_session_seconds, meter::MIN_START_SECONDS) {
                Reserve::Held(h) => h,
                Reserve::NotEnough(left) => return Err(refused_start(&ent, left)),
            };
            write_month(conn, user_id, m, conversations + 1, exists, now)?;
            if realtime {
                queries::usage::add_realtime_session(conn, user_id, &period, now)?;
            }
            (ent, hold)
        }
        Owner::Guest(_) if realtime => {
            return Err(UsageError::Refused(
                "Realtime voice needs an account on the Plus plan; guests have text and voice \
                 mode."
                    .into(),
            ))
        }
        Owner::Guest(guest_id) => {
            let free = queries::tiers::get(conn, plan::FREE_TIER)?;
            let ent = Entitlements::of(&free);
            let (spent, held, _) = queries::usage::guest_month(conn, guest_id, &period)?;
            let mut m = Meter {
                granted: ent.monthly_seconds,
                used: i32::try_from(spent)
                    .unwrap_or(i32::MAX)
                    .min(ent.monthly_seconds),
                reserved: i32::try_from(held).unwrap_or(i32::MAX),
                ..Meter::default()
            };
            let hold = match m.reserve(ent.max_session_seconds, meter::MIN_START_SECONDS) {
                Reserve::Held(h) => h,
                Reserve::NotEnough(_) => {
                    return Err(UsageError::Refused(
                        "Guests have 15 minutes of conversation a month, and they are used. \
                         Create a free account to keep practising."
                            .into(),
                    ))
                }
            };
            (ent, hold)
        }
    };
    let (user_id, guest_id) = match owner {
        Owner::User(u) => (Some(u.clone()), None),
        Owner::Guest(g) => (None, Some(g.clone())),
    };
    let row = NewConversationSession {
        id: new_id(),
        conversation_id: Some(conversation_id.to_owned()),
        user_id,
        language: language.to_owned(),
        start_time: now,
        end_time: None,
        duration_seconds: 0,
        seconds_consumed: 0,
        input_tokens: 0,
        was_extended: false,
        extensions_used: 0,
        created_at: now,
        updated_at: now,
        period: Some(period),
        guest_id,
        hold_seconds: hold,
        deadline_at: metered.then(|| now + Duration::seconds(i64::from(hold))),
        last_activity_at: Some(now),
        max_extensions: if metered { ent.max_extensions } else { 0 },
        extension_seconds: if metered { ent.extension_seconds } else { 0 },
        state: SessionState::Open,
        realtime_call_id: None,
        call_started_at: None,
        call_ended_at: None,
        call_sideband: false,
    };
    queries::conversations::insert_session(conn, &row)?;
    Ok(queries::usage::find_latest_session(conn, conversation_id)?
        .map(|(s, _)| s)
        .ok_or(diesel::result::Error::NotFound)?)
}

/// What a learner's message meets in the conversation's session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Within the session's time (or a conversation from before metering).
    Open,
    /// Just past the deadline: the message is kept, and the conversation ends now.
    Last,
    /// Long past it: nothing more is taken.
    Over,
}

/// Records the learner's action at `now` in conversation `conversation_id`'s session.
/// Call inside the conversation's write transaction (under its lock).
pub fn record_activity(
    conn: &mut DbConn,
    conversation_id: &str,
    now: NaiveDateTime,
) -> Result<Activity, UsageError> {
    let Some((mut s, _)) = queries::usage::find_latest_session(conn, conversation_id)? else {
        return Ok(Activity::Open);
    };
    let (SessionState::Open, Some(deadline)) = (s.state, s.deadline_at) else {
        return Ok(match s.deadline_at {
            // why: a metered session already settled (by the janitor) ended its conversation.
            Some(_) => Activity::Over,
            None => Activity::Open,
        });
    };
    if now > deadline + Duration::seconds(LATE_GRACE_SECONDS) {
        return Ok(Activity::Over);
    }
    let last = s.last_activity_at.unwrap_or(s.start_time);
    s.duration_seconds += meter::active_gap(last, now.min(deadline));
    s.last_activity_at = Some(now.min(deadline));
    queries::usage::update_open_session(conn, &s, now)?;
    Ok(if now > deadline {
        Activity::Last
    } else {
        Activity::Open
    })
}

/// Settles conversation `conversation_id`'s open session at `now` (or its deadline, if
/// earlier): the active time, plus the last gap, capped at what it held; for a realtime
/// conversation the call's time (start to hang-up, or to the end), capped the same way.
/// Nothing when it is settled already. `input_tokens`: the conversation's size, when known.
/// Call inside a write transaction.
pub fn settle_conversation(
    conn: &mut DbConn,
    conversation_id: &str,
    input_tokens: Option<i32>,
    now: NaiveDateTime,
) -> Result<Option<i32>, UsageError> {
    let Some((s, _)) = queries::usage::find_latest_session(conn, conversation_id)? else {
        return Ok(None);
    };
    if s.state != SessionState::Open {
        return Ok(None);
    }
    let owner = match (&s.user_id, &s.guest_id) {
        (Some(u), _) => Owner::User(u.clone()),
        (None, Some(g)) => Owner::Guest(g.clone()),
        (None, None) => return Ok(None),
    };
    lock::key(conn, "usage", &lock_key(&owner))?;
    let end = s.deadline_at.map_or(now, |d| now.min(d));
    let realtime = queries::conversations::find(conn, conversation_id)?
        .is_some_and(|c| c.mode == ConversationMode::Realtime);
    let active = if realtime {
        // why: voice time is the call as the server saw it, not the gaps between messages.
        meter::call_seconds(s.call_started_at, s.call_ended_at, end)
    } else {
        let last = s.last_activity_at.unwrap_or(s.start_time);
        s.duration_seconds + meter::active_gap(last, end)
    };
    let spent = active.clamp(0, s.hold_seconds);
    if !queries::usage::settle_session(conn, &s.id, end, active, spent, input_tokens, now)? {
        return Ok(None);
    }
    if let (Owner::User(user_id), Some(period)) = (&owner, &s.period) {
        if let Some(row) = queries::usage::find_month(conn, user_id, period)? {
            let mut m = meter_of(&row);
            m.settle(s.hold_seconds, active);
            let numbers = numbers(m, row.conversations_used);
            queries::usage::update_month(conn, user_id, period, numbers, now)?;
        }
    }
    Ok(Some(spent))
}

/// Settles every session left open past its deadline (and the grace), ending its
/// conversation as the learner would; the number settled.
pub async fn settle_expired(ctx: &Ctx) -> Result<usize, UsageError> {
    let now = ctx.clock.naive();
    let before = now - Duration::seconds(LATE_GRACE_SECONDS);
    let expired = ctx
        .db
        .read(move |c| queries::usage::list_expired(c, before, 200))
        .await?;
    let mut settled = 0;
    for (_, conversation_id) in expired {
        let Some(id) = conversation_id else { continue };
        match crate::app::conversations::report::finish_at_cap(ctx, id).await {
            Ok(()) => settled += 1,
            Err(e) => tracing::warn!(error = %e, "an expired session could not be settled"),
        }
    }
    Ok(settled)
}
