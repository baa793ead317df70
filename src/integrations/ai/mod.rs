//! The AI partner port: what the conversation service asks of a model, and the two adapters
//! behind it — the OpenAI-compatible HTTP API (`openai`) and the built-in offline partner
//! (`offline`). Tests run the real HTTP adapter against a local
//! mock server.

pub mod offline;
pub mod openai;

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;

use crate::db::types::MessageRole;

/// One message of the prompt sent to a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptMessage {
    pub role: MessageRole,
    pub content: String,
}

/// What the partner knows when it replies.
#[derive(Debug, Clone)]
pub struct ReplyRequest {
    /// The composed prompt (system instructions, then the conversation, trimmed).
    pub prompt: Vec<PromptMessage>,
    /// Scenario id, if any (the offline partner picks its dialogue by it).
    pub scenario_id: Option<String>,
    /// Target language id, e.g. "ja".
    pub language: String,
    /// The partner's display name for generic lines.
    pub partner_name: String,
    /// The learner's messages so far, in order (the offline partner replays its script by
    /// them).
    pub learner_messages: Vec<String>,
    /// The scenario's learning objectives (English), for guidance and hints.
    pub objectives: Vec<String>,
}

/// A reply as it arrives: text chunks to append, in order.
pub type ReplyStream = BoxStream<'static, Result<String, AiError>>;

/// A reply's extras the partner can give alongside (offline: authored).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplyExtras {
    pub translation: Option<String>,
    pub hint: Option<String>,
    pub suggested_replies: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum AiError {
    #[error("the AI provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the AI provider refused the request (status {status}): {message}")]
    Refused { status: u16, message: String },
    #[error("the AI provider's answer was malformed: {0}")]
    Malformed(String),
    #[error("the AI provider stopped answering midway: {0}")]
    Interrupted(String),
    #[error("the offline partner cannot do this")]
    Offline,
    /// The adapter has no way to do this (e.g. reach a running call).
    #[error("the AI provider's adapter cannot do this")]
    Unsupported,
}

/// What a whole (non-streamed) completion is for; each task may use its own model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Translation,
    Hint,
    Analysis,
    /// Learning paths: refining a schedule, writing a day's scenario (the analysis model).
    Planning,
}

/// A conversation partner.
pub trait ChatModel: Send + Sync {
    /// Streams the partner's next message.
    fn reply(&self, request: ReplyRequest) -> ReplyStream;

    /// Hints and translations for a reply, when the model has them without another call.
    fn extras(&self, _request: &ReplyRequest) -> ReplyExtras {
        ReplyExtras::default()
    }

    /// A whole (non-streamed) answer to `prompt`; with `json`, the provider is asked for a
    /// JSON object. The offline partner answers `AiError::Offline`.
    fn complete(
        &self,
        _task: Task,
        _prompt: Vec<PromptMessage>,
        _json: bool,
    ) -> BoxFuture<'static, Result<String, AiError>> {
        Box::pin(async { Err(AiError::Offline) })
    }

    /// Speech for `text` in a provider voice (MP3 bytes). Offline: `AiError::Offline`.
    fn speech(
        &self,
        _text: String,
        _voice: String,
    ) -> BoxFuture<'static, Result<Vec<u8>, AiError>> {
        Box::pin(async { Err(AiError::Offline) })
    }

    /// The text of a recorded answer (`content_type` as the browser recorded it).
    fn transcribe(
        &self,
        _audio: Vec<u8>,
        _content_type: String,
        _language: String,
    ) -> BoxFuture<'static, Result<String, AiError>> {
        Box::pin(async { Err(AiError::Offline) })
    }

    /// Whether this is the built-in offline partner (the UI says so).
    fn is_offline(&self) -> bool;

    /// A short name for `messages.translation_provider` and logs.
    fn name(&self) -> &'static str;
}
