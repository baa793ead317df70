//! What the conversation page shows: the transcript, the voice, and the hint and suggested
//! replies for the partner's latest line — loaded once.

use super::completion::{self, Progress};
use super::{awaiting_reply, extras_request, get, ConversationError};
use crate::app::ids::ConversationId;
use crate::app::Ctx;
use crate::db::models::{Conversation, ConversationPage, MessageLine};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::ConversationStatus;
use crate::integrations::ai::ReplyExtras;

/// A conversation as its page shows it.
pub struct Transcript {
    pub conversation: Conversation,
    pub messages: Vec<MessageLine>,
    /// The BCP 47 voice of the conversation's speaker (else the language's first voice).
    pub voice: String,
    /// Whether the partner owes a reply (the page fetches it).
    pub pending: bool,
    /// The hint and suggested replies for the partner's latest line.
    pub extras: ReplyExtras,
    /// How far the conversation has come.
    pub progress: Progress,
    /// The session's clock (none before metering); once ended, whether time ran out.
    pub clock: Option<crate::app::usage::SessionClock>,
}

impl Transcript {
    pub fn ended(&self) -> bool {
        self.conversation.status == ConversationStatus::Ended
    }
}

/// `owner`'s conversation `id`; `NotFound` for anyone else's.
pub async fn transcript(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
) -> Result<Transcript, ConversationError> {
    let offline = ctx.ai.is_offline();
    // why: one read for the page — the conversation, its messages, its scenario and voices —
    // from which the progress and the latest line's hint are worked out.
    let (now, cache) = (ctx.clock.naive(), ctx.cache.clone());
    let (page, messages, voice) = ctx
        .db
        .page(move |c| -> Result<_, ConversationError> {
            let page = queries::conversations::find_owned_page(c, &id, &owner)?
                .ok_or(ConversationError::NotFound)?;
            let messages = queries::conversations::list_lines(c, &id)?;
            let conversation = &page.conversation;
            let language = &conversation.target_language_id;
            let speakers = match cache.speakers.get(language, now, 0) {
                Some(kept) => kept,
                None => {
                    let rows = queries::languages::list_speakers(c, language)?;
                    cache.speakers.put(language.clone(), now, 0, rows)
                }
            };
            let voice = speakers
                .iter()
                .find(|sp| Some(&sp.id) == conversation.speaker_id.as_ref())
                .or(speakers.first())
                .map(|sp| sp.bcp47_code.clone())
                .unwrap_or_default();
            Ok((page, messages, voice))
        })
        .await?;
    let ConversationPage {
        conversation,
        scenario,
        session,
    } = page;
    let clock =
        session.and_then(|(s, month)| crate::app::usage::session_clock(&s, month.as_ref(), now));
    let pending = awaiting_reply(&messages) && conversation.status == ConversationStatus::Active;
    let extras = if pending || conversation.status == ConversationStatus::Ended {
        ReplyExtras::default()
    } else {
        ctx.ai
            .extras(&extras_request(&conversation, scenario.as_ref(), &messages))
    };
    let objectives = scenario.as_ref().map_or(0, |s| s.learning_objectives.len());
    let progress = completion::of(&conversation, objectives, &messages, offline);
    Ok(Transcript {
        conversation,
        messages,
        voice,
        pending,
        extras,
        progress,
        clock,
    })
}

/// Whether `owner` may act on conversation `id` (`NotFound` otherwise).
pub async fn check(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
) -> Result<Conversation, ConversationError> {
    ctx.db.run(move |c| get(c, &owner, &id)).await
}
