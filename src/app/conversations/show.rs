//! What the conversation page shows: the transcript, the voice, and the hint and suggested
//! replies for the partner's latest line — loaded once.

use super::completion::{progress_of, Progress};
use super::{awaiting_reply, get, latest_line_request, ConversationError};
use crate::app::ids::ConversationId;
use crate::app::Ctx;
use crate::db::models::{Conversation, Message};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::ConversationStatus;
use crate::integrations::ai::ReplyExtras;

/// A conversation as its page shows it.
pub struct Transcript {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    /// The BCP 47 voice of the conversation's speaker (else the language's first voice).
    pub voice: String,
    /// Whether the partner owes a reply (the page fetches it).
    pub pending: bool,
    /// The hint and suggested replies for the partner's latest line.
    pub extras: ReplyExtras,
    /// How far the conversation has come.
    pub progress: Progress,
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
    let (conversation, messages, voice, request, progress) = ctx
        .db
        .run(move |c| -> Result<_, ConversationError> {
            let conversation = get(c, &owner, &id)?;
            let messages = queries::conversations::list_messages(c, &id)?;
            let speakers = queries::languages::list_speakers(c, &conversation.target_language_id)?;
            let voice = speakers
                .iter()
                .find(|sp| Some(&sp.id) == conversation.speaker_id.as_ref())
                .or(speakers.first())
                .map(|sp| sp.bcp47_code.clone())
                .unwrap_or_default();
            let request = latest_line_request(c, &owner, &id)?;
            let progress = progress_of(c, &conversation, &messages, offline)?;
            Ok((conversation, messages, voice, request, progress))
        })
        .await?;
    let pending = awaiting_reply(&messages) && conversation.status == ConversationStatus::Active;
    let extras = match (&request, pending) {
        (Some(r), false) => ctx.ai.extras(r),
        _ => ReplyExtras::default(),
    };
    Ok(Transcript {
        conversation,
        messages,
        voice,
        pending,
        extras,
        progress,
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
