//! Realtime voice conversations, through the voice port (`integrations::realtime`):
//!
//! - [`offer`]: the browser's WebRTC offer goes to the provider on the server's key, with
//!   the partner's instructions, while the session has time left; the server then follows
//!   the call when the provider lets it (a sideband, `sideband::follow`); the call's id is
//!   kept on the session and two jobs are queued: the wrap-up [`WRAP_UP_BEFORE_SECONDS`]
//!   before the deadline and the hang-up at it ([`RealtimeCallDeadline`]).
//! - [`hang_up_open`]: ends a call still open (the learner's End, the janitor).
//! - [`transcript`]: the call's lines become the conversation's messages, under the same
//!   lock and checks as typed ones, once per provider item: the sideband and the browser
//!   (which reads the same events, as the fallback) may both deliver a line.
//!
//! Voice time is the call as the server saw it (start → hang-up, capped at the hold;
//! `usage::settle_conversation`); no time is taken from the call's events. No provider call
//! happens inside a transaction.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::{
    build_request, get, new_message, ConversationError, MAX_MESSAGE_CHARS, REALTIME_NOT_CONFIGURED,
};
use crate::app::ids::ConversationId;
use crate::app::jobs::{enqueue_at, Job};
use crate::app::usage::LATE_GRACE_SECONDS;
use crate::app::Ctx;
use crate::db::conn::write_transaction;
use crate::db::models::{Conversation, ConversationSession};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::{ConversationMode, ConversationStatus, MessageRole, SessionState};
use crate::integrations::ai::AiError;
use crate::integrations::realtime::CallConfig;

/// The largest SDP offer accepted (a browser's is a few kilobytes).
pub const MAX_OFFER_BYTES: usize = 64 * 1024;
/// How long before the deadline the partner is told to wrap up.
pub const WRAP_UP_BEFORE_SECONDS: i64 = 30;
/// The least time a session must have left for a call to start.
pub const MIN_CALL_SECONDS: i64 = 10;
/// The most lines one transcript post may carry.
pub const MAX_LINES: usize = 200;
/// The longest provider item id accepted with a line.
pub const MAX_ITEM_ID_CHARS: usize = 100;

/// What the partner is told shortly before the deadline.
pub const WRAP_UP_INSTRUCTION: &str = "The session ends in about thirty seconds. Bring the \
    conversation to a natural close now: one short closing line in character, then stop.";

const REALTIME_RULES: &str = "\n\nThis is a spoken, realtime call. Keep each turn short (one \
    or two sentences), speak only the target language unless the learner is lost, and open \
    the call yourself with your first line as soon as it connects.";

/// The session has no time for a call (the learner-facing reason).
fn no_time() -> ConversationError {
    ConversationError::Limit(
        "This session has no time left for a realtime call. Your transcript is kept; see \
         your feedback, or start another conversation."
            .into(),
    )
}

/// What the offer needs from the database, read before the provider is called.
struct Prepared {
    config: CallConfig,
    /// A call this conversation opened before and did not hang up (a reloaded page).
    previous: Option<(String, String)>,
}

fn prepare(
    conn: &mut crate::db::DbConn,
    owner: &Owner,
    id: &str,
    now: NaiveDateTime,
) -> Result<Prepared, ConversationError> {
    let conversation = realtime_conversation(conn, owner, id)?;
    let session = open_session_with_time(conn, id, now)?;
    let messages = queries::conversations::list_messages(conn, id)?;
    let request = build_request(conn, owner, &conversation, &messages)?;
    let instructions = request
        .prompt
        .first()
        .map(|m| m.content.clone())
        .unwrap_or_default()
        + REALTIME_RULES;
    let voice = match &conversation.speaker_id {
        Some(s) => queries::languages::list_speakers(conn, &conversation.target_language_id)?
            .into_iter()
            .find(|sp| &sp.id == s)
            .and_then(|sp| sp.openai_voice_id),
        None => None,
    };
    let previous = match (&session.realtime_call_id, session.call_ended_at) {
        (Some(call), None) => Some((session.id.clone(), call.clone())),
        _ => None,
    };
    Ok(Prepared {
        config: CallConfig {
            instructions,
            voice: voice.unwrap_or_else(|| "alloy".into()),
            language: conversation.target_language_id.clone(),
        },
        previous,
    })
}

/// `owner`'s conversation `id`, in realtime mode and not ended.
fn realtime_conversation(
    conn: &mut crate::db::DbConn,
    owner: &Owner,
    id: &str,
) -> Result<Conversation, ConversationError> {
    let conversation = get(conn, owner, id)?;
    if conversation.mode != ConversationMode::Realtime {
        return Err(ConversationError::Invalid(
            "This conversation is in text and voice mode; start a realtime one for a call.".into(),
        ));
    }
    if conversation.status == ConversationStatus::Ended {
        return Err(ConversationError::Ended);
    }
    Ok(conversation)
}

/// The conversation's session when it is open with at least [`MIN_CALL_SECONDS`] left
/// (a session without a deadline, on a server without limits, always has).
fn open_session_with_time(
    conn: &mut crate::db::DbConn,
    id: &str,
    now: NaiveDateTime,
) -> Result<ConversationSession, ConversationError> {
    let (session, _) = queries::usage::find_latest_session(conn, id)?.ok_or_else(no_time)?;
    let time_left = session
        .deadline_at
        .is_none_or(|d| d - now >= Duration::seconds(MIN_CALL_SECONDS));
    if session.state != SessionState::Open || !time_left {
        return Err(no_time());
    }
    Ok(session)
}

fn provider_failed(e: AiError) -> ConversationError {
    tracing::warn!(error = %e, "the realtime call could not be opened");
    ConversationError::Provider("the realtime voice provider did not answer".into())
}

/// What the browser gets for its offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    /// The provider's SDP answer.
    pub answer_sdp: String,
    /// Whether the server follows the call: then it sends the wrap-up and stores the
    /// transcript itself, and the browser's lines are only a fallback.
    pub sideband: bool,
}

/// Opens a realtime call for `owner`'s conversation `id` with the browser's SDP `offer`,
/// and follows it from the server when the provider allows; the provider's SDP answer and
/// whether the server follows the call. Refused (`Limit`, nothing called) when the session
/// has no time left; `Invalid` without realtime calls on this server or for a text
/// conversation.
pub async fn offer(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
    offer_sdp: String,
) -> Result<Offered, ConversationError> {
    let voice = ctx
        .voice
        .clone()
        .ok_or_else(|| ConversationError::Invalid(REALTIME_NOT_CONFIGURED.into()))?;
    if !offer_sdp.trim_start().starts_with("v=") || offer_sdp.len() > MAX_OFFER_BYTES {
        return Err(ConversationError::Invalid(
            "The browser's call offer was not valid SDP.".into(),
        ));
    }
    let now = ctx.clock.naive();
    let (o, i) = (owner.clone(), id.to_string());
    let prepared = ctx.db.run(move |c| prepare(c, &o, &i, now)).await?;
    if let Some((session_id, call)) = prepared.previous {
        if let Err(e) = hang_up_call(ctx, &session_id, &call).await {
            tracing::warn!(error = %e, "the previous realtime call could not be hung up");
        }
    }
    let opened = voice
        .open_call(offer_sdp, prepared.config)
        .await
        .map_err(provider_failed)?;
    let events = match voice.follow(opened.call_id.clone()).await {
        Ok(events) => Some(events),
        Err(AiError::Unsupported) => None,
        Err(e) => {
            tracing::warn!(error = %e, "no sideband to the realtime call; the browser stands in");
            None
        }
    };
    let sideband = events.is_some();
    let now = ctx.clock.naive();
    let (o, i, call) = (owner.clone(), id.to_string(), opened.call_id.clone());
    let kept = ctx
        .db
        .run(move |c| {
            write_transaction(c, |c| {
                crate::db::lock::key(c, "conversation", &i)?;
                realtime_conversation(c, &o, &i)?;
                let session = open_session_with_time(c, &i, now)?;
                let started = session.call_started_at.unwrap_or(now);
                if !queries::usage::set_call(c, &session.id, &call, sideband, started, now)? {
                    return Err(no_time());
                }
                if let Some(deadline) = session.deadline_at {
                    let wrap_up = deadline - Duration::seconds(WRAP_UP_BEFORE_SECONDS);
                    for (hang_up, due) in [(false, wrap_up.max(now)), (true, deadline)] {
                        let job = RealtimeCallDeadline {
                            conversation_id: i.clone(),
                            call_id: call.clone(),
                            hang_up,
                            due,
                        };
                        enqueue_at(c, &job, due, now)?;
                    }
                }
                Ok::<_, ConversationError>(())
            })
        })
        .await;
    if let Err(e) = kept {
        // why: the session ended while the provider answered: the new call must not run.
        drop(events);
        if let Err(h) = voice.hang_up(opened.call_id).await {
            tracing::warn!(error = %h, "a realtime call opened too late could not be hung up");
        }
        return Err(e);
    }
    if let Some(events) = events {
        let follower = super::sideband::follow(ctx.clone(), owner, id, opened.call_id, events);
        tokio::spawn(follower);
    }
    Ok(Offered {
        answer_sdp: opened.answer_sdp,
        sideband,
    })
}

/// Hangs up call `call_id` of session `session_id` and records when it ended (once).
async fn hang_up_call(ctx: &Ctx, session_id: &str, call_id: &str) -> Result<(), ConversationError> {
    let voice = ctx
        .voice
        .clone()
        .ok_or_else(|| ConversationError::Invalid(REALTIME_NOT_CONFIGURED.into()))?;
    voice.hang_up(call_id.to_owned()).await.map_err(|e| {
        tracing::warn!(error = %e, "a realtime call could not be hung up");
        ConversationError::Provider("the realtime voice provider did not answer".into())
    })?;
    let now = ctx.clock.naive();
    let (s, call) = (session_id.to_owned(), call_id.to_owned());
    ctx.db
        .write(move |c| -> Result<bool, ConversationError> {
            Ok(queries::usage::end_call(c, &s, &call, now, now)?)
        })
        .await?;
    Ok(())
}

/// Hangs up conversation `conversation_id`'s realtime call if one is still open; `true`
/// when one was. Call before settling its session.
pub async fn hang_up_open(ctx: &Ctx, conversation_id: &str) -> Result<bool, ConversationError> {
    let id = conversation_id.to_owned();
    let session = ctx
        .db
        .read(move |c| queries::usage::find_latest_session(c, &id))
        .await?;
    let Some((s, _)) = session else {
        return Ok(false);
    };
    let (Some(call), None) = (&s.realtime_call_id, s.call_ended_at) else {
        return Ok(false);
    };
    hang_up_call(ctx, &s.id, call).await?;
    Ok(true)
}

/// A realtime call's deadline step: the wrap-up instruction (`hang_up: false`) or the
/// hang-up, due at `due`. An extension moves the deadline: the step then queues itself again
/// for the new time. Nothing happens for a call that ended or was replaced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RealtimeCallDeadline {
    pub conversation_id: String,
    pub call_id: String,
    pub hang_up: bool,
    pub due: NaiveDateTime,
}

impl Job for RealtimeCallDeadline {
    const KIND: &'static str = "realtime_call_deadline";
    const MAX_ATTEMPTS: i32 = 4;
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

    fn dedupe_key(&self) -> Option<String> {
        Some(format!(
            "{}:{}:{}",
            self.call_id,
            if self.hang_up { "hang_up" } else { "wrap_up" },
            self.due.and_utc().timestamp()
        ))
    }
}

/// Runs one deadline step of a call (the job's use case; safe to repeat).
pub async fn at_deadline(ctx: &Ctx, step: RealtimeCallDeadline) -> Result<(), ConversationError> {
    let id = step.conversation_id.clone();
    let session = ctx
        .db
        .read(move |c| queries::usage::find_latest_session(c, &id))
        .await?;
    let Some((s, _)) = session else {
        return Ok(());
    };
    let current = s.realtime_call_id.as_deref() == Some(step.call_id.as_str());
    let (true, None, SessionState::Open, Some(deadline)) =
        (current, s.call_ended_at, s.state, s.deadline_at)
    else {
        return Ok(());
    };
    let due = match step.hang_up {
        true => deadline,
        false => deadline - Duration::seconds(WRAP_UP_BEFORE_SECONDS),
    };
    let now = ctx.clock.naive();
    if due > step.due && due > now {
        // why: an extension moved the deadline after this step was queued.
        let again = RealtimeCallDeadline { due, ..step };
        ctx.db
            .write(move |c| -> Result<bool, ConversationError> {
                Ok(enqueue_at(c, &again, due, now)?)
            })
            .await?;
        return Ok(());
    }
    if step.hang_up {
        return hang_up_call(ctx, &s.id, &step.call_id).await;
    }
    // why: without a sideband when the call started, the browser was told to send the
    // wrap-up itself (`realtime.js`); and a wrap-up retried past the deadline is pointless.
    let (Some(voice), true, true) = (ctx.voice.clone(), s.call_sideband, now < deadline) else {
        return Ok(());
    };
    match voice
        .send_instruction(step.call_id, WRAP_UP_INSTRUCTION.into())
        .await
    {
        Ok(()) | Err(AiError::Unsupported) => Ok(()),
        Err(e) => {
            tracing::warn!(error = %e, "the wrap-up instruction could not be sent");
            Err(ConversationError::Provider(
                "the realtime voice provider did not take the wrap-up".into(),
            ))
        }
    }
}

/// One line of a call's transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// `User` (the learner) or `Assistant` (the partner).
    pub role: MessageRole,
    pub text: String,
    /// The provider's id of the conversation item the line belongs to, when known: a line
    /// of an item already stored is skipped.
    pub item_id: Option<String>,
}

/// Stores the lines of `owner`'s realtime conversation `id` as its messages, in order; how
/// many were stored. Refused after the conversation ended (`Ended`) or long past its
/// deadline (`TimeUp`); a line that is empty, or of a provider item already stored, is
/// skipped; one too long, or an item id that is not one, refuses the post.
pub async fn transcript(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
    lines: Vec<Line>,
) -> Result<usize, ConversationError> {
    if lines.len() > MAX_LINES {
        return Err(ConversationError::Invalid(format!(
            "Send at most {MAX_LINES} lines at a time."
        )));
    }
    let lines: Vec<Line> = lines
        .into_iter()
        .filter(|l| l.role != MessageRole::System)
        .map(|l| Line {
            text: l.text.trim().to_owned(),
            ..l
        })
        .filter(|l| !l.text.is_empty())
        .collect();
    if lines
        .iter()
        .any(|l| l.text.chars().count() > MAX_MESSAGE_CHARS)
    {
        return Err(ConversationError::Invalid(format!(
            "Keep a line under {MAX_MESSAGE_CHARS} characters."
        )));
    }
    if lines
        .iter()
        .filter_map(|l| l.item_id.as_deref())
        .any(|i| !is_item_id(i))
    {
        return Err(ConversationError::Invalid(
            "A line's item id is the provider's (letters, digits, _ and -).".into(),
        ));
    }
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                // why: as for typed messages, checked under the conversation's lock so no
                // line slips in after the conversation ended.
                crate::db::lock::key(c, "conversation", &id)?;
                let conversation = realtime_conversation(c, &owner, &id)?;
                if let Some((s, _)) = queries::usage::find_latest_session(c, &id)? {
                    let late = s
                        .deadline_at
                        .is_some_and(|d| now > d + Duration::seconds(LATE_GRACE_SECONDS));
                    if s.state != SessionState::Open || late {
                        return Err(ConversationError::TimeUp);
                    }
                }
                let mut stored = 0;
                for line in &lines {
                    let item = line.item_id.as_deref();
                    // why: the sideband and the browser read the same events; under the
                    // conversation's lock the first to deliver an item stores it.
                    if let Some(item) = item {
                        if queries::conversations::exists_provider_item(c, &id, item)? {
                            continue;
                        }
                    }
                    new_message(c, &conversation, line.role, &line.text, None, item, now)?;
                    stored += 1;
                }
                Ok(stored)
            })
        })
        .await
}

/// Whether `id` looks like a provider's item id (`item_…`).
fn is_item_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ITEM_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
