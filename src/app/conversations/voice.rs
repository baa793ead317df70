//! Voice with a provider: the partner's lines spoken in the conversation speaker's provider
//! voice, and the learner's recorded answers transcribed (their length added to the
//! conversation's spoken seconds). Offline, the browser's own voices are used instead.

use super::{get, ConversationError};
use crate::app::ids::{ConversationId, MessageId};
use crate::app::Ctx;
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::MessageRole;

/// The partner's message `message_id` spoken (MP3 bytes); `NotFound` offline or for anything
/// but one of the partner's messages in `owner`'s conversation.
pub async fn speech(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
    message_id: MessageId,
) -> Result<Vec<u8>, ConversationError> {
    if ctx.ai.is_offline() {
        return Err(ConversationError::NotFound);
    }
    let (text, voice) = ctx
        .db
        .run(move |c| -> Result<_, ConversationError> {
            let conversation = get(c, &owner, &id)?;
            let message = queries::conversations::list_messages(c, &id)?
                .into_iter()
                .find(|m| m.id == message_id && m.role == MessageRole::Assistant)
                .ok_or(ConversationError::NotFound)?;
            let voice = match &conversation.speaker_id {
                Some(s) => queries::languages::list_speakers(c, &conversation.target_language_id)?
                    .into_iter()
                    .find(|sp| &sp.id == s)
                    .and_then(|sp| sp.openai_voice_id),
                None => None,
            };
            Ok((message.content, voice.unwrap_or_else(|| "alloy".into())))
        })
        .await?;
    ctx.ai.speech(text, voice).await.map_err(|e| {
        tracing::warn!(error = %e, "speech failed");
        ConversationError::Provider("the voice provider did not answer".into())
    })
}

/// A recording to transcribe.
pub struct Recording {
    pub audio: Vec<u8>,
    pub content_type: String,
    /// How long the browser says it recorded (0–600 s).
    pub seconds: i32,
}

/// The largest recording accepted for transcription.
pub const MAX_AUDIO_BYTES: usize = 10 * 1024 * 1024;

/// The text of a recorded answer in `owner`'s conversation `id`.
pub async fn transcribe(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
    recording: Recording,
) -> Result<String, ConversationError> {
    let (o, i) = (owner.clone(), id.clone());
    let language = ctx
        .db
        .run(move |c| get(c, &o, &i))
        .await?
        .target_language_id;
    if ctx.ai.is_offline() {
        return Err(ConversationError::NotFound);
    }
    if !recording.content_type.starts_with("audio/")
        || recording.audio.is_empty()
        || recording.audio.len() > MAX_AUDIO_BYTES
    {
        return Err(ConversationError::Invalid(
            "Send a recording of up to 10 MB.".into(),
        ));
    }
    let text = ctx
        .ai
        .transcribe(recording.audio, recording.content_type, language)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "transcription failed");
            ConversationError::Provider("the speech provider did not answer".into())
        })?;
    let seconds = recording.seconds.clamp(0, 600);
    if seconds > 0 {
        let now = ctx.clock.naive();
        ctx.db
            .read(move |c| queries::conversations::add_audio_seconds(c, &id, seconds, now))
            .await?;
    }
    Ok(text)
}
