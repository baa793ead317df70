//! The session's clock as the conversation page shows it, and extending a session by one of
//! the tier's extensions.

use chrono::{Duration, NaiveDateTime};

use super::meter::{self, Reserve};
use super::{lock_key, meter_of, numbers, seconds_meter, UsageError, WARN_SECONDS};
use crate::app::Ctx;
use crate::db::lock;
use crate::db::models::{SessionTimes, UsageSeconds};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::SessionState;

/// What the conversation page shows of the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionClock {
    pub deadline: NaiveDateTime,
    /// Seconds left in this session at `now`.
    pub session_left: i64,
    /// Seconds left this month beyond what open sessions hold (`None` for a guest).
    pub month_left: Option<i32>,
    pub extensions_left: i32,
    pub extension_seconds: i32,
    pub open: bool,
    /// The session was stopped by its deadline (not ended by the learner first).
    pub capped: bool,
}

impl SessionClock {
    /// Whether the page should warn that time is nearly up.
    pub fn warn(&self) -> bool {
        self.open && self.session_left <= WARN_SECONDS
    }

    /// Whether the learner can extend now (the tier allows another and the month has time).
    pub fn can_extend(&self) -> bool {
        self.open
            && self.extensions_left > 0
            && self
                .month_left
                .is_some_and(|l| l >= meter::MIN_START_SECONDS)
    }
}

/// The clock of a conversation whose newest session is `s` (metered in `month`) at `now`
/// (`None` before metering).
pub fn session_clock(
    s: &SessionTimes,
    month: Option<&UsageSeconds>,
    now: NaiveDateTime,
) -> Option<SessionClock> {
    let deadline = s.deadline_at?;
    let open = s.state == SessionState::Open && now <= deadline;
    Some(SessionClock {
        deadline,
        session_left: if open {
            (deadline - now).num_seconds().max(0)
        } else {
            0
        },
        month_left: month.map(|u| seconds_meter(u).left()),
        extensions_left: (s.max_extensions - s.extensions_used).max(0),
        extension_seconds: s.extension_seconds,
        open,
        capped: s.state == SessionState::Settled && s.end_time.is_some_and(|e| e >= deadline),
    })
}

/// Extends `owner`'s conversation `conversation_id` by one of the tier's extensions: holds
/// more of the month and moves the deadline. Refused past the deadline, beyond the
/// extensions the tier allows, or without the time.
pub async fn extend(
    ctx: &Ctx,
    owner: Owner,
    conversation_id: String,
) -> Result<SessionClock, UsageError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            crate::db::conn::write_transaction(c, |c| {
                lock::key(c, "conversation", &conversation_id)?;
                queries::conversations::find_owned(c, &conversation_id, &owner)?
                    .ok_or(UsageError::NotFound)?;
                lock::key(c, "usage", &lock_key(&owner))?;
                let Some((mut s, _)) = queries::usage::find_latest_session(c, &conversation_id)?
                else {
                    return Err(UsageError::Refused("This conversation has no time to extend.".into()));
                };
                let deadline = match (s.state, s.deadline_at) {
                    (SessionState::Open, Some(d)) if now <= d => d,
                    _ => {
                        return Err(UsageError::Refused(
                            "This session's time is up: it can no longer be extended.".into(),
                        ))
                    }
                };
                if s.extension_seconds <= 0 || s.extensions_used >= s.max_extensions {
                    return Err(UsageError::Refused(if s.max_extensions == 0 {
                        "Your plan has no extensions; the plans with them give 5 more minutes at a time."
                            .into()
                    } else {
                        format!(
                            "You have used all {} extensions of this session.",
                            s.max_extensions
                        )
                    }));
                }
                let Owner::User(user_id) = &owner else {
                    return Err(UsageError::Refused("Guests cannot extend a session.".into()));
                };
                let period = s.period.clone().unwrap_or_else(|| meter::period_of(now));
                let row = queries::usage::find_month(c, user_id, &period)?
                    .ok_or(diesel::result::Error::NotFound)?;
                let mut m = meter_of(&row);
                let hold = match m.reserve(s.extension_seconds, meter::MIN_START_SECONDS) {
                    Reserve::Held(h) => h,
                    Reserve::NotEnough(_) => {
                        return Err(UsageError::Refused(
                            "Not enough of this month's time is left for an extension.".into(),
                        ))
                    }
                };
                let numbers = numbers(m, row.conversations_used);
                queries::usage::update_month(c, user_id, &period, numbers, now)?;
                s.hold_seconds += hold;
                s.deadline_at = Some(deadline + Duration::seconds(i64::from(hold)));
                s.extensions_used += 1;
                s.was_extended = true;
                queries::usage::update_open_session(c, &s, now)?;
                let month = queries::usage::find_month(c, user_id, &period)?;
                let month = month.as_ref().map(UsageSeconds::from);
                Ok(session_clock(&(&s).into(), month.as_ref(), now).ok_or(diesel::result::Error::NotFound)?)
            })
        })
        .await
}
