//! Help on request during a conversation: a hint with two suggested replies, "say it in my
//! language", and translating one of the partner's lines. Each asks the provider with no
//! transaction open (prompts and parsing in `assist`); offline, or when the provider fails,
//! the learner is told so in words, never with an error page.

use super::assist::{clean_line, hint_prompt, parse_hint, say_it_prompt, translate_prompt};
use super::{analysis_input, ConversationError, MAX_MESSAGE_CHARS};
use crate::app::ids::{ConversationId, MessageId};
use crate::app::Ctx;
use crate::db::models::Message;
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::MessageRole;
use crate::integrations::ai::Task;

/// What the help panel shows above the message box.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Assistance {
    pub title: String,
    pub note: String,
    /// (target-language line, its translation)
    pub lines: Vec<(String, String)>,
}

/// Offline: the provider-only helps say so.
pub const NEEDS_PROVIDER: &str = "This needs an AI provider; the offline partner's hints and translations are shown with each line.";

async fn context(
    ctx: &Ctx,
    owner: &Owner,
    id: &str,
) -> Result<(String, String, Vec<Message>), ConversationError> {
    let (o, i) = (owner.clone(), id.to_owned());
    let input = ctx.db.run(move |c| analysis_input(c, &o, &i)).await?;
    Ok((input.language, input.native, input.messages))
}

/// A hint for answering the partner's latest line, with two replies.
pub async fn hint(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
) -> Result<Assistance, ConversationError> {
    let (language, native, messages) = context(ctx, &owner, &id).await?;
    let mut help = Assistance {
        title: "A hint".into(),
        ..Default::default()
    };
    if ctx.ai.is_offline() {
        help.note = NEEDS_PROVIDER.into();
        return Ok(help);
    }
    let partner_line = messages
        .iter()
        .rev()
        .find(|m| m.role == MessageRole::Assistant)
        .map(|m| m.content.clone())
        .unwrap_or_default();
    let answer = ctx
        .ai
        .complete(
            Task::Hint,
            hint_prompt(&language, &native, &partner_line),
            true,
        )
        .await
        .map_err(|e| e.to_string())
        .and_then(|t| parse_hint(&t));
    match answer {
        Ok(h) => {
            help.note = h.hint;
            help.lines = h
                .replies
                .into_iter()
                .map(|r| (r.text, r.translation))
                .collect();
        }
        Err(e) => {
            tracing::warn!(error = %e, "a hint failed");
            help.note =
                "No hint right now; the AI provider didn't answer. Try again in a moment.".into();
        }
    }
    Ok(help)
}

/// `sentence` (in the learner's language) as they could say it in the target language.
/// An empty or oversized sentence is `Invalid`.
pub async fn say(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
    sentence: String,
) -> Result<Assistance, ConversationError> {
    let sentence = sentence.trim().to_owned();
    if sentence.is_empty() || sentence.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ConversationError::Invalid(
            "Write the sentence you want to say, in your language.".into(),
        ));
    }
    let (language, native, _) = context(ctx, &owner, &id).await?;
    let mut help = Assistance {
        title: "Say it like this".into(),
        ..Default::default()
    };
    if ctx.ai.is_offline() {
        help.note = NEEDS_PROVIDER.into();
        return Ok(help);
    }
    let prompt = say_it_prompt(&language, &native, &sentence);
    match ctx.ai.complete(Task::Translation, prompt, false).await {
        Ok(t) => help.lines = vec![(clean_line(&t), sentence)],
        Err(e) => {
            tracing::warn!(error = %e, "say-it-in-my-language failed");
            help.note = "The AI provider didn't answer. Try again in a moment.".into();
        }
    }
    Ok(help)
}

/// Translates message `message_id` and stores the translation on it (once); the page then
/// shows it under the message.
pub async fn translate(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
    message_id: MessageId,
) -> Result<Assistance, ConversationError> {
    let (language, native, messages) = context(ctx, &owner, &id).await?;
    let message = messages
        .into_iter()
        .find(|m| m.id == message_id)
        .ok_or(ConversationError::NotFound)?;
    let mut help = Assistance::default();
    if message.translated_content.is_some() {
        return Ok(help);
    }
    if ctx.ai.is_offline() {
        help.title = "Translation".into();
        help.note = NEEDS_PROVIDER.into();
        return Ok(help);
    }
    let prompt = translate_prompt(&language, &native, &message.content);
    match ctx.ai.complete(Task::Translation, prompt, false).await {
        Ok(t) => {
            let (text, provider, now) = (clean_line(&t), ctx.ai.name(), ctx.clock.naive());
            // why: a model's translation is good but not certain; the authored ones are 1.0.
            ctx.db
                .read(move |c| {
                    queries::conversations::set_translation(
                        c,
                        &message.id,
                        &text,
                        provider,
                        0.8,
                        now,
                    )
                })
                .await?;
        }
        Err(e) => {
            tracing::warn!(error = %e, "a translation failed");
            help.title = "Translation".into();
            help.note = "The AI provider didn't answer. Try again in a moment.".into();
        }
    }
    Ok(help)
}
