//! Sending a message: the learner's words stored (checked under the conversation's lock);
//! the reply follows separately (`reply`).

use super::{add_learner_message, get, Added, ConversationError};
use crate::app::ids::ConversationId;
use crate::app::Ctx;
use crate::db::models::Message;
use crate::db::queries::preferences::Owner;

/// A stored message and its conversation's language.
pub struct Sent {
    pub message: Message,
    pub language: String,
    /// The session's time ran out with this message: the conversation has ended and no
    /// reply follows.
    pub last: bool,
}

/// Stores what the learner wrote in conversation `id`; empty, oversized or late (the
/// conversation ended, or its session's time ran out) messages are refused and nothing
/// is written.
pub async fn send(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
    content: String,
) -> Result<Sent, ConversationError> {
    let (now, offline) = (ctx.clock.naive(), ctx.ai.is_offline());
    let sent = ctx
        .db
        .run(move |c| {
            let added = add_learner_message(c, &owner, &id, &content, offline, now)?;
            let language = get(c, &owner, &id)?.target_language_id;
            Ok::<_, ConversationError>((added, language))
        })
        .await?;
    ctx.jobs.notify();
    match sent {
        (Added::Message(message, last), language) => Ok(Sent {
            message: *message,
            language,
            last,
        }),
        (Added::TimeUp, _) => Err(ConversationError::TimeUp),
    }
}
