//! The partner's reply: asked of the AI partner with no transaction open, then stored whole.
//! [`reply_now`] waits for all of it (pages without JS); [`stream`] hands the tokens on as
//! they come and stores the reply at the end (htmx + server-sent events). A failure keeps the
//! learner's message and says why in words a learner can act on.

use futures_util::stream::BoxStream;
use futures_util::StreamExt;

use super::completion::progress_of;
use super::{get, reply_request, save_reply, ConversationError};
use crate::app::ids::ConversationId;
use crate::app::Ctx;
use crate::db::models::Message;
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::MessageRole;
use crate::integrations::ai::AiError;

/// What the learner is told when the AI partner fails (the cause goes to the log).
pub fn partner_failure(e: &AiError) -> String {
    let why = match e {
        AiError::Refused {
            status: 401 | 403, ..
        } => "the AI provider refused Kaiwa's key (the operator can check it)",
        AiError::Refused { .. } | AiError::Unreachable(_) => {
            "the AI provider can't be reached right now"
        }
        AiError::Interrupted(_) | AiError::Malformed(_) => {
            "the AI provider stopped answering midway"
        }
        AiError::Offline | AiError::Unsupported => "this needs an AI provider",
    };
    format!(
        "Your partner couldn't answer: {why}. Your message is saved; use \"Get the reply\" to try again."
    )
}

/// Asks the partner for the reply it owes (if any), waits for all of it and stores it.
pub async fn reply_now(ctx: &Ctx, owner: &Owner, id: &str) -> Result<(), ConversationError> {
    let (o, i) = (owner.clone(), id.to_owned());
    let Some(request) = ctx.db.run(move |c| reply_request(c, &o, &i)).await? else {
        return Ok(());
    };
    let extras = ctx.ai.extras(&request);
    let mut text = String::new();
    let mut chunks = ctx.ai.reply(request);
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| {
            tracing::warn!(error = %e, "a partner reply failed; the learner's message is kept");
            ConversationError::Partner(partner_failure(&e))
        })?;
        text.push_str(&chunk);
    }
    let (o, i, provider, now) = (
        owner.clone(),
        id.to_owned(),
        ctx.ai.name(),
        ctx.clock.naive(),
    );
    ctx.db
        .run(move |c| save_reply(c, &o, &i, &text, &extras, provider, now))
        .await?;
    Ok(())
}

/// One step of a streamed reply.
#[derive(Debug)]
pub enum ReplyEvent {
    /// The next piece of the partner's words.
    Token(String),
    /// The reply is stored: the partner's message (none when nothing was owed), the
    /// learner's last message when it gained an immediate correction, and the hint and
    /// suggested replies that go with the new line.
    Done {
        reply: Option<Box<Message>>,
        corrected: Option<Box<Message>>,
        help: Box<crate::integrations::ai::ReplyExtras>,
        /// How far the conversation has come with the reply.
        progress: Option<super::completion::Progress>,
    },
    /// The provider stopped midway; nothing was stored and the learner's message is kept.
    Failed(String),
}

/// A streamed reply and the conversation's language (to render what arrives).
pub struct ReplyStream {
    pub language: String,
    pub events: BoxStream<'static, ReplyEvent>,
}

/// Streams the reply the partner owes in conversation `id`: tokens, then `Done` once it is
/// stored, or `Failed`. When no reply is owed the stream is just `Done` with nothing.
pub async fn stream(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
) -> Result<ReplyStream, ConversationError> {
    let (o, i) = (owner.clone(), id.clone());
    let (language, request) = ctx
        .db
        .run(move |c| -> Result<_, ConversationError> {
            let language = get(c, &o, &i)?.target_language_id;
            Ok((language, reply_request(c, &o, &i)?))
        })
        .await?;
    let Some(request) = request else {
        let done = ReplyEvent::Done {
            reply: None,
            corrected: None,
            help: Box::default(),
            progress: None,
        };
        return Ok(ReplyStream {
            language,
            events: futures_util::stream::iter([done]).boxed(),
        });
    };
    let ctx = ctx.clone();
    let extras = ctx.ai.extras(&request);
    let chunks = ctx.ai.reply(request);
    let events = async_stream(ctx, owner, id.0, extras, chunks);
    Ok(ReplyStream { language, events })
}

fn async_stream(
    ctx: Ctx,
    owner: Owner,
    id: String,
    extras: crate::integrations::ai::ReplyExtras,
    chunks: crate::integrations::ai::ReplyStream,
) -> BoxStream<'static, ReplyEvent> {
    enum State {
        Streaming {
            chunks: crate::integrations::ai::ReplyStream,
            text: String,
        },
        Finished,
    }
    let start = State::Streaming {
        chunks,
        text: String::new(),
    };
    futures_util::stream::unfold(start, move |state| {
        let (ctx, owner, id, extras) = (ctx.clone(), owner.clone(), id.clone(), extras.clone());
        async move {
            let State::Streaming {
                mut chunks,
                mut text,
            } = state
            else {
                return None;
            };
            match chunks.next().await {
                Some(Ok(t)) => {
                    text.push_str(&t);
                    Some((ReplyEvent::Token(t), State::Streaming { chunks, text }))
                }
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "a streamed reply failed midway; nothing stored");
                    let message =
                        "The reply was interrupted. Your message is saved: try again.".to_owned();
                    Some((ReplyEvent::Failed(message), State::Finished))
                }
                None => Some((store(&ctx, owner, id, text, extras).await, State::Finished)),
            }
        }
    })
    .boxed()
}

async fn store(
    ctx: &Ctx,
    owner: Owner,
    id: String,
    text: String,
    extras: crate::integrations::ai::ReplyExtras,
) -> ReplyEvent {
    let (provider, now, help) = (ctx.ai.name(), ctx.clock.naive(), Box::new(extras.clone()));
    let offline = ctx.ai.is_offline();
    let saved = ctx
        .db
        .run(move |c| -> Result<_, ConversationError> {
            let reply = save_reply(c, &owner, &id, &text, &extras, provider, now)?;
            let messages = queries::conversations::list_messages(c, &id)?;
            let conversation = get(c, &owner, &id)?;
            let progress = progress_of(c, &conversation, &messages, offline)?;
            let corrected = messages
                .into_iter()
                .rev()
                .find(|m| m.role == MessageRole::User)
                .filter(|m| m.grammar_analysis.is_some());
            Ok((reply, corrected, progress))
        })
        .await;
    match saved {
        Ok((reply, corrected, progress)) => ReplyEvent::Done {
            reply: reply.map(Box::new),
            corrected: corrected.map(Box::new),
            help,
            progress: Some(progress),
        },
        Err(e) => {
            tracing::error!(error = %e, "storing a streamed reply failed");
            ReplyEvent::Failed(
                "The reply couldn't be saved. Your message is kept: try again.".into(),
            )
        }
    }
}
