//! Sending a message: the learner's words stored (checked under the conversation's lock);
//! the reply follows separately (`reply`).

use super::{add_learner_message, get, ConversationError};
use crate::app::ids::ConversationId;
use crate::app::Ctx;
use crate::db::models::Message;
use crate::db::queries::preferences::Owner;

/// A stored message and its conversation's language.
pub struct Sent {
    pub message: Message,
    pub language: String,
}

/// Stores what the learner wrote in conversation `id`; empty, oversized or late (the
/// conversation ended) messages are refused and nothing is written.
pub async fn send(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
    content: String,
) -> Result<Sent, ConversationError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            let message = add_learner_message(c, &owner, &id, &content, now)?;
            let language = get(c, &owner, &id)?.target_language_id;
            Ok(Sent { message, language })
        })
        .await
}
