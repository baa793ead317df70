//! Following a realtime call from the server: the task [`follow`] that `realtime::offer`
//! spawns when the voice port could open the call's sideband. It stores each finished line
//! through `realtime::transcript` (the browser's use case, so the same checks apply and a
//! line both deliver is stored once), and stops when the events end (the call or the
//! connection closed; a hang-up closes it), when the conversation ended or its time is up,
//! or at the latest [`MAX_FOLLOW`] after it started. The task lives in this process only:
//! anything that must survive it (the wrap-up, the hang-up) is a job.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::Instant;

use super::realtime::{transcript, Line};
use super::ConversationError;
use crate::app::ids::ConversationId;
use crate::app::usage::LATE_GRACE_SECONDS;
use crate::app::Ctx;
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::{MessageRole, SessionState};
use crate::integrations::realtime::{CallEvent, CallEvents, Speaker};

/// The longest a call is followed, whatever its deadline says.
pub const MAX_FOLLOW: Duration = Duration::from_secs(2 * 60 * 60);

/// How long call `call_id` of conversation `id` may still send lines: until a minute past
/// its session's deadline (the grace the browser's lines have too); `None` once the session
/// is settled, the call ended or another call replaced it.
async fn time_left(ctx: &Ctx, id: &str, call_id: &str) -> Option<Duration> {
    let conversation = id.to_owned();
    let session = ctx
        .db
        .read(move |c| queries::usage::find_latest_session(c, &conversation))
        .await;
    let (s, _) = match session {
        Ok(found) => found?,
        Err(e) => {
            tracing::warn!(error = %e, "the followed call's session could not be read");
            return None;
        }
    };
    let current = s.realtime_call_id.as_deref() == Some(call_id);
    if !current || s.call_ended_at.is_some() || s.state != SessionState::Open {
        return None;
    }
    match s.deadline_at {
        None => Some(MAX_FOLLOW),
        Some(deadline) => {
            let end = deadline + chrono::Duration::seconds(LATE_GRACE_SECONDS);
            let left = (end - ctx.clock.naive()).to_std().ok()?;
            (!left.is_zero()).then_some(left)
        }
    }
}

/// Stores call `call_id`'s lines as `owner`'s conversation `id`'s messages until the call,
/// the connection or the session's time ends (see the module's comment).
pub async fn follow(
    ctx: Ctx,
    owner: Owner,
    id: ConversationId,
    call_id: String,
    mut events: CallEvents,
) {
    let started = Instant::now();
    let mut until = started;
    loop {
        if Instant::now() >= until {
            // why: an extension moves the deadline, so the bound is read again when it passes.
            let Some(left) = time_left(&ctx, &id, &call_id).await else {
                break;
            };
            until = (Instant::now() + left).min(started + MAX_FOLLOW);
            if Instant::now() >= until {
                break;
            }
        }
        let event = match tokio::time::timeout_at(until, events.next()).await {
            Ok(Some(event)) => event,
            Ok(None) => break,
            Err(_) => continue,
        };
        let CallEvent::Line {
            item_id,
            speaker,
            text,
        } = event;
        let role = match speaker {
            Speaker::Learner => MessageRole::User,
            Speaker::Partner => MessageRole::Assistant,
        };
        let line = Line {
            role,
            text,
            item_id: Some(item_id),
        };
        match transcript(&ctx, owner.clone(), id.clone(), vec![line]).await {
            Ok(_) => {}
            Err(ConversationError::Ended | ConversationError::TimeUp) => break,
            Err(ConversationError::NotFound) => break,
            Err(e) => tracing::warn!(error = %e, "a line from the call's sideband was not stored"),
        }
    }
    tracing::debug!(conversation = %&*id, "stopped following the realtime call");
}
