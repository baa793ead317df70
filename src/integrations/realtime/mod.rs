//! The voice port: realtime voice calls with a provider, opened by the server so the server
//! holds the call's id and can end it. [`RealtimeCalls`] is what the conversation service
//! asks; [`OpenAiRealtime`] is the adapter for OpenAI's unified interface (the browser's SDP
//! offer goes to Kaiwa, Kaiwa posts it to `POST {base}/realtime/calls` with the server's key
//! and relays the answer; `POST {base}/realtime/calls/{id}/hangup` ends the call), with its
//! sideband (`sideband`: a WebSocket to the running call for instructions and the
//! transcript). Another provider's API (a live-sessions API, say) is another adapter behind
//! the same trait.

pub mod sideband;

use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;

use crate::config::AiSettings;
use crate::integrations::ai::openai::{post_multipart, refused};
use crate::integrations::ai::AiError;

/// How the call's session is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallConfig {
    /// The partner's instructions (persona, level, correction style).
    pub instructions: String,
    /// The provider voice, e.g. `alloy`.
    pub voice: String,
    /// The target language's id (ISO 639-1), for the learner's transcription.
    pub language: String,
}

/// A call the provider accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedCall {
    /// The SDP answer for the browser's `setRemoteDescription`.
    pub answer_sdp: String,
    /// The provider's id of the call (to hang it up).
    pub call_id: String,
}

/// Who said a line of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    Learner,
    Partner,
}

/// What the server reads from a call it follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    /// A finished line: the learner's transcribed speech or the partner's words, with the
    /// provider's id of the conversation item it belongs to (the browser sees the same id).
    Line {
        item_id: String,
        speaker: Speaker,
        text: String,
    },
}

/// A followed call's events, in order; the stream ends when the call or the connection does.
pub type CallEvents = BoxStream<'static, CallEvent>;

/// Realtime voice calls with a provider.
pub trait RealtimeCalls: Send + Sync {
    /// Opens a call for the browser's SDP `offer`; the answer and the call's id.
    fn open_call(
        &self,
        offer_sdp: String,
        config: CallConfig,
    ) -> BoxFuture<'static, Result<OpenedCall, AiError>>;

    /// Ends call `call_id`; a call already over is not an error.
    fn hang_up(&self, call_id: String) -> BoxFuture<'static, Result<(), AiError>>;

    /// Tells the partner, mid-call, to follow `text` (e.g. to wrap up), from any process.
    /// Adapters that cannot reach a running call answer `AiError::Unsupported` (the browser
    /// then sends it over its data channel).
    fn send_instruction(
        &self,
        _call_id: String,
        _text: String,
    ) -> BoxFuture<'static, Result<(), AiError>> {
        Box::pin(async { Err(AiError::Unsupported) })
    }

    /// Follows call `call_id` from the server: its finished transcript lines until the call
    /// or the connection ends (dropping the stream stops following). Adapters that cannot
    /// reach a running call answer `AiError::Unsupported`, as does a provider that refuses.
    fn follow(&self, _call_id: String) -> BoxFuture<'static, Result<CallEvents, AiError>> {
        Box::pin(async { Err(AiError::Unsupported) })
    }

    /// The model calls run on (for logs and the page).
    fn model(&self) -> &str;
}

/// OpenAI's realtime calls (and compatible providers that have `/realtime/calls`).
pub struct OpenAiRealtime {
    base_url: String,
    api_key: String,
    model: String,
    transcription_model: String,
    http: reqwest::Client,
    /// The sideband connections this process holds.
    sidebands: sideband::Sidebands,
}

impl OpenAiRealtime {
    /// The adapter for `settings`, when they name a realtime model.
    pub fn from_settings(settings: &AiSettings) -> Option<Self> {
        let model = settings.realtime_model.clone()?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        Some(Self {
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            api_key: settings.api_key.expose().to_owned(),
            model,
            transcription_model: settings.stt_model.clone(),
            http,
            sidebands: sideband::Sidebands::default(),
        })
    }
}

/// The `session` part of a call: the model, the partner's instructions, its voice, and the
/// learner's speech transcribed (both transcripts come as events: on the sideband and on
/// the browser's `oai-events`).
pub fn session_json(model: &str, transcription_model: &str, config: &CallConfig) -> String {
    serde_json::json!({
        "type": "realtime",
        "model": model,
        "instructions": config.instructions,
        "audio": {
            "input": {
                "transcription": { "model": transcription_model, "language": config.language },
                "turn_detection": { "type": "server_vad" }
            },
            "output": { "voice": config.voice }
        }
    })
    .to_string()
}

/// The call id from a `Location` header (`/v1/realtime/calls/rtc_…` or the bare id).
pub fn call_id_of(location: &str) -> Option<String> {
    let id = location
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()?
        .split(['?', '#'])
        .next()?;
    let valid = !id.is_empty()
        && id.len() <= 200
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    valid.then(|| id.to_owned())
}

impl RealtimeCalls for OpenAiRealtime {
    fn open_call(
        &self,
        offer_sdp: String,
        config: CallConfig,
    ) -> BoxFuture<'static, Result<OpenedCall, AiError>> {
        let http = self.http.clone();
        let url = format!("{}/realtime/calls", self.base_url);
        let key = self.api_key.clone();
        let session = session_json(&self.model, &self.transcription_model, &config);
        Box::pin(async move {
            let form = reqwest::multipart::Form::new()
                .text("sdp", offer_sdp)
                .text("session", session);
            let res = post_multipart(&http, &url, &key, form).await?;
            let call_id = res
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .and_then(call_id_of)
                .ok_or_else(|| AiError::Malformed("no call id in the Location header".into()))?;
            let answer_sdp = res
                .text()
                .await
                .map_err(|e| AiError::Interrupted(e.without_url().to_string()))?;
            if !answer_sdp.trim_start().starts_with("v=") {
                return Err(AiError::Malformed("the answer is not SDP".into()));
            }
            Ok(OpenedCall {
                answer_sdp,
                call_id,
            })
        })
    }

    fn hang_up(&self, call_id: String) -> BoxFuture<'static, Result<(), AiError>> {
        let http = self.http.clone();
        let url = format!("{}/realtime/calls/{call_id}/hangup", self.base_url);
        let key = self.api_key.clone();
        let sidebands = self.sidebands.clone();
        Box::pin(async move {
            let res = http
                .post(&url)
                .bearer_auth(&key)
                .send()
                .await
                .map_err(|e| AiError::Unreachable(e.without_url().to_string()))?;
            // why: a call the learner or the provider already ended is gone (404): hung up.
            if res.status().is_success() || res.status().as_u16() == 404 {
                sidebands.release(&call_id);
                return Ok(());
            }
            Err(refused(res).await)
        })
    }

    fn send_instruction(
        &self,
        call_id: String,
        text: String,
    ) -> BoxFuture<'static, Result<(), AiError>> {
        let url = sideband::url_for(&self.base_url, &call_id);
        let key = self.api_key.clone();
        let sidebands = self.sidebands.clone();
        Box::pin(async move {
            let events = sideband::instruction_events(&text);
            sidebands.send(&url?, &key, &call_id, &events).await
        })
    }

    fn follow(&self, call_id: String) -> BoxFuture<'static, Result<CallEvents, AiError>> {
        let url = sideband::url_for(&self.base_url, &call_id);
        let key = self.api_key.clone();
        let sidebands = self.sidebands.clone();
        Box::pin(async move { sidebands.follow(&url?, &key, &call_id).await })
    }

    fn model(&self) -> &str {
        &self.model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_id_is_the_last_segment_of_the_location() {
        assert_eq!(
            call_id_of("/v1/realtime/calls/rtc_abc123").as_deref(),
            Some("rtc_abc123")
        );
        assert_eq!(call_id_of("rtc_x-1").as_deref(), Some("rtc_x-1"));
        assert_eq!(
            call_id_of("https://api.example/v1/realtime/calls/rtc_9?x=1").as_deref(),
            Some("rtc_9")
        );
        assert_eq!(call_id_of(""), None);
        assert_eq!(call_id_of("/calls/a b"), None);
    }

    #[test]
    fn the_session_names_the_model_voice_and_transcription() {
        let config = CallConfig {
            instructions: "Be Kai.".into(),
            voice: "alloy".into(),
            language: "ja".into(),
        };
        let v: serde_json::Value =
            serde_json::from_str(&session_json("gpt-realtime", "whisper-1", &config)).unwrap();
        assert_eq!(v["type"], "realtime");
        assert_eq!(v["model"], "gpt-realtime");
        assert_eq!(v["instructions"], "Be Kai.");
        assert_eq!(v["audio"]["output"]["voice"], "alloy");
        assert_eq!(v["audio"]["input"]["transcription"]["language"], "ja");
    }
}
