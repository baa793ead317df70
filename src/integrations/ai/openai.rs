//! The OpenAI-compatible chat completions adapter (OpenAI, Ollama, llama.cpp, vLLM):
//! streamed replies over server-sent events, a timeout, and one retry when the request
//! fails before the first token. Configured by base URL, API key and model.

use std::time::Duration;

use futures_util::StreamExt;
use serde::Deserialize;

use super::{AiError, ChatModel, PromptMessage, ReplyRequest, ReplyStream, Task};
use crate::config::AiSettings;
use crate::db::types::MessageRole;

pub struct OpenAiCompatible {
    settings: AiSettings,
    http: reqwest::Client,
}

impl OpenAiCompatible {
    pub fn new(settings: AiSettings) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client");
        Self { settings, http }
    }
}

fn body(model: &str, prompt: &[PromptMessage]) -> serde_json::Value {
    let messages: Vec<serde_json::Value> = prompt
        .iter()
        .map(|m| {
            let role = match m.role {
                MessageRole::System => "system",
                MessageRole::User => "user",
                MessageRole::Assistant => "assistant",
            };
            serde_json::json!({ "role": role, "content": m.content })
        })
        .collect();
    serde_json::json!({ "model": model, "messages": messages, "stream": true, "temperature": 0.7 })
}

#[derive(Deserialize)]
struct Chunk {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Delta,
}

#[derive(Deserialize, Default)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
}

/// Sends the request, retrying once on a connection error or a 5xx.
async fn send(
    http: &reqwest::Client,
    url: &str,
    key: &str,
    body: &serde_json::Value,
) -> Result<reqwest::Response, AiError> {
    let mut last = AiError::Unreachable("no attempt".into());
    for attempt in 0..2 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let result = http.post(url).bearer_auth(key).json(body).send().await;
        match result {
            Ok(res) if res.status().is_success() => return Ok(res),
            Ok(res) if res.status().is_server_error() => {
                last = AiError::Refused {
                    status: res.status().as_u16(),
                    message: "server error".into(),
                };
            }
            Ok(res) => {
                let status = res.status().as_u16();
                let message = res
                    .text()
                    .await
                    .unwrap_or_default()
                    .chars()
                    .take(300)
                    .collect();
                return Err(AiError::Refused { status, message });
            }
            Err(e) => last = AiError::Unreachable(e.without_url().to_string()),
        }
    }
    Err(last)
}

/// Splits server-sent events into `data:` payloads.
fn data_lines(buffer: &mut String) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(pos) = buffer.find('\n') {
        let line: String = buffer.drain(..=pos).collect();
        let line = line.trim();
        if let Some(data) = line.strip_prefix("data:") {
            out.push(data.trim().to_owned());
        }
    }
    out
}

impl ChatModel for OpenAiCompatible {
    fn reply(&self, request: ReplyRequest) -> ReplyStream {
        let http = self.http.clone();
        let url = format!(
            "{}/chat/completions",
            self.settings.base_url.trim_end_matches('/')
        );
        let key = self.settings.api_key.expose().to_owned();
        let body = body(&self.settings.model, &request.prompt);
        let stream = async_stream(http, url, key, body);
        Box::pin(stream)
    }

    fn complete(
        &self,
        task: Task,
        prompt: Vec<PromptMessage>,
        json: bool,
    ) -> futures_util::future::BoxFuture<'static, Result<String, AiError>> {
        let http = self.http.clone();
        let url = format!(
            "{}/chat/completions",
            self.settings.base_url.trim_end_matches('/')
        );
        let key = self.settings.api_key.expose().to_owned();
        let model = match task {
            Task::Translation => &self.settings.translation_model,
            Task::Hint => &self.settings.hint_model,
            Task::Analysis | Task::Planning => &self.settings.analysis_model,
        };
        let mut body = body(model, &prompt);
        body["stream"] = serde_json::Value::Bool(false);
        if json {
            body["response_format"] = serde_json::json!({ "type": "json_object" });
        }
        Box::pin(async move {
            let res = send(&http, &url, &key, &body).await?;
            let value: serde_json::Value = res
                .json()
                .await
                .map_err(|e| AiError::Malformed(e.without_url().to_string()))?;
            value["choices"][0]["message"]["content"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| AiError::Malformed("no message content".into()))
        })
    }

    fn speech(
        &self,
        text: String,
        voice: String,
    ) -> futures_util::future::BoxFuture<'static, Result<Vec<u8>, AiError>> {
        let http = self.http.clone();
        let url = format!(
            "{}/audio/speech",
            self.settings.base_url.trim_end_matches('/')
        );
        let key = self.settings.api_key.expose().to_owned();
        let body = serde_json::json!({ "model": self.settings.tts_model, "voice": voice, "input": text, "response_format": "mp3" });
        Box::pin(async move {
            let res = send(&http, &url, &key, &body).await?;
            Ok(res
                .bytes()
                .await
                .map_err(|e| AiError::Interrupted(e.without_url().to_string()))?
                .to_vec())
        })
    }

    fn transcribe(
        &self,
        audio: Vec<u8>,
        content_type: String,
        language: String,
    ) -> futures_util::future::BoxFuture<'static, Result<String, AiError>> {
        let http = self.http.clone();
        let url = format!(
            "{}/audio/transcriptions",
            self.settings.base_url.trim_end_matches('/')
        );
        let key = self.settings.api_key.expose().to_owned();
        let model = self.settings.stt_model.clone();
        Box::pin(async move {
            let extension = if content_type.contains("ogg") {
                "ogg"
            } else if content_type.contains("mp4") {
                "mp4"
            } else {
                "webm"
            };
            let part = reqwest::multipart::Part::bytes(audio)
                .file_name(format!("answer.{extension}"))
                .mime_str(&content_type)
                .map_err(|e| AiError::Malformed(e.to_string()))?;
            let form = reqwest::multipart::Form::new()
                .text("model", model)
                .text("language", language)
                .part("file", part);
            let res = post_multipart(&http, &url, &key, form).await?;
            let value: serde_json::Value = res
                .json()
                .await
                .map_err(|e| AiError::Malformed(e.without_url().to_string()))?;
            value["text"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| AiError::Malformed("no text".into()))
        })
    }

    fn is_offline(&self) -> bool {
        false
    }

    fn name(&self) -> &'static str {
        "openai-compatible"
    }
}

fn async_stream(
    http: reqwest::Client,
    url: String,
    key: String,
    body: serde_json::Value,
) -> impl futures_util::Stream<Item = Result<String, AiError>> + Send {
    futures_util::stream::once(async move { send(&http, &url, &key, &body).await }).flat_map(
        |response| match response {
            Err(e) => futures_util::stream::once(async move { Err(e) }).boxed(),
            Ok(res) => {
                let mut buffer = String::new();
                let mut finished = false;
                res.bytes_stream()
                    .map(move |chunk| -> Vec<Result<String, AiError>> {
                        if finished {
                            return Vec::new();
                        }
                        let bytes = match chunk {
                            Ok(b) => b,
                            Err(e) => {
                                return vec![Err(AiError::Interrupted(e.without_url().to_string()))]
                            }
                        };
                        buffer.push_str(&String::from_utf8_lossy(&bytes));
                        let mut out = Vec::new();
                        for data in data_lines(&mut buffer) {
                            if data == "[DONE]" {
                                finished = true;
                                break;
                            }
                            match serde_json::from_str::<Chunk>(&data) {
                                Ok(c) => {
                                    if let Some(text) =
                                        c.choices.into_iter().next().and_then(|ch| ch.delta.content)
                                    {
                                        if !text.is_empty() {
                                            out.push(Ok(text));
                                        }
                                    }
                                }
                                Err(e) => out.push(Err(AiError::Malformed(e.to_string()))),
                            }
                        }
                        out
                    })
                    .flat_map(futures_util::stream::iter)
                    .boxed()
            }
        },
    )
}

/// Posts `form` to `url` on `key`; the response when it succeeded, else `Refused` with its
/// status and the start of its body (the transcription and realtime-call endpoints).
pub(crate) async fn post_multipart(
    http: &reqwest::Client,
    url: &str,
    key: &str,
    form: reqwest::multipart::Form,
) -> Result<reqwest::Response, AiError> {
    let res = http
        .post(url)
        .bearer_auth(key)
        .multipart(form)
        .send()
        .await
        .map_err(|e| AiError::Unreachable(e.without_url().to_string()))?;
    if res.status().is_success() {
        Ok(res)
    } else {
        Err(refused(res).await)
    }
}

/// What a provider that answered with an error status said: the status and the start of
/// its body.
pub(crate) async fn refused(res: reqwest::Response) -> AiError {
    let status = res.status().as_u16();
    let message = res
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    AiError::Refused { status, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_sent_events_split_into_data_payloads_across_chunks() {
        let mut buffer = String::from("data: {\"a\":1}\n\ndata: [DO");
        assert_eq!(data_lines(&mut buffer), vec!["{\"a\":1}"]);
        buffer.push_str("NE]\n\n");
        assert_eq!(data_lines(&mut buffer), vec!["[DONE]"]);
        assert!(buffer.trim().is_empty());
    }
}
