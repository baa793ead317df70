//! OpenAI's sideband: a WebSocket from the server to a running realtime call
//! (`wss://{base}/realtime?call_id=…`, `Authorization: Bearer` the server's key; `ws://`
//! for an `http://` base, as tests use). Over it the server tells the partner what to do
//! (the wrap-up) and reads the call's events, of which it keeps the finished transcript
//! lines ([`event_of`]). While a call is followed, its connection is held in this process
//! ([`Sidebands`]) and instructions go over it; an instruction for a call this process does
//! not hold (another instance follows it, or none does) goes over a short-lived connection.
//! Nothing here touches the database.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, Message};

use super::{CallEvent, CallEvents, Speaker};
use crate::integrations::ai::AiError;

/// How long opening the WebSocket may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long sending over a short-lived connection may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The sideband address of call `call_id` for the provider at `base_url`: the same host
/// and path prefix, `ws`/`wss` for `http`/`https`, then `/realtime?call_id=…`.
pub fn url_for(base_url: &str, call_id: &str) -> Result<String, AiError> {
    let mut url = url::Url::parse(base_url)
        .map_err(|e| AiError::Malformed(format!("the provider's base URL: {e}")))?;
    let scheme = match url.scheme() {
        "https" => "wss",
        "http" => "ws",
        other => {
            return Err(AiError::Malformed(format!(
                "no WebSocket for a {other} base URL"
            )))
        }
    };
    url.set_scheme(scheme)
        .map_err(|()| AiError::Malformed("the provider's base URL".into()))?;
    let path = format!("{}/realtime", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url.query_pairs_mut()
        .clear()
        .append_pair("call_id", call_id);
    Ok(url.into())
}

/// The events that tell a partner to follow `text` now: a system item in the conversation,
/// then a response (which keeps the session's instructions, so the partner stays in
/// character).
pub fn instruction_events(text: &str) -> [String; 2] {
    [
        serde_json::json!({
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "system",
                "content": [{ "type": "input_text", "text": text }]
            }
        })
        .to_string(),
        serde_json::json!({ "type": "response.create" }).to_string(),
    ]
}

/// The transcript line a server event carries, if it is a finished one: the learner's from
/// `conversation.item.input_audio_transcription.completed`, the partner's from
/// `response.output_audio_transcript.done` (or `response.output_text.done` for a text
/// response; `response.audio_transcript.done` is the beta name). Each names its item.
pub fn event_of(text: &str) -> Option<CallEvent> {
    #[derive(serde::Deserialize)]
    struct Raw {
        #[serde(rename = "type")]
        kind: String,
        item_id: Option<String>,
        transcript: Option<String>,
        text: Option<String>,
    }
    let raw: Raw = serde_json::from_str(text).ok()?;
    let (speaker, said) = match raw.kind.as_str() {
        "conversation.item.input_audio_transcription.completed" => {
            (Speaker::Learner, raw.transcript)
        }
        "response.output_audio_transcript.done" | "response.audio_transcript.done" => {
            (Speaker::Partner, raw.transcript)
        }
        "response.output_text.done" => (Speaker::Partner, raw.text),
        _ => return None,
    };
    let item_id = raw.item_id.filter(|i| !i.is_empty())?;
    Some(CallEvent::Line {
        item_id,
        speaker,
        text: said?,
    })
}

/// A held connection's outgoing side: frames for its writer task.
struct Held {
    generation: u64,
    frames: mpsc::UnboundedSender<Message>,
}

/// The sideband connections this process holds, by call id.
#[derive(Clone, Default)]
pub struct Sidebands {
    held: Arc<Mutex<HashMap<String, Held>>>,
    generations: Arc<AtomicU64>,
}

/// Removes its call's connection from [`Sidebands`] when the follower's stream is dropped
/// (the call ended, the socket closed, or the follower stopped), unless a newer one
/// replaced it.
struct Release {
    sidebands: Sidebands,
    call_id: String,
    generation: u64,
}

impl Drop for Release {
    fn drop(&mut self) {
        let mut held = self.sidebands.lock();
        if held
            .get(&self.call_id)
            .is_some_and(|h| h.generation == self.generation)
        {
            held.remove(&self.call_id);
        }
    }
}

fn refused(e: tungstenite::Error) -> AiError {
    match e {
        tungstenite::Error::Http(res) => AiError::Refused {
            status: res.status().as_u16(),
            message: res
                .body()
                .as_deref()
                .map(|b| String::from_utf8_lossy(b).chars().take(300).collect())
                .unwrap_or_default(),
        },
        other => AiError::Unreachable(other.to_string()),
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// TLS for `wss://`: webpki's roots and the ring provider, built once.
fn tls() -> Result<tokio_tungstenite::Connector, AiError> {
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        // why: named, not rustls's process default, which panics if a second provider is
        // ever compiled in.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
            .map_err(|e| e.to_string())
    });
    match config {
        Ok(config) => Ok(tokio_tungstenite::Connector::Rustls(config.clone())),
        Err(e) => Err(AiError::Unreachable(format!("TLS for the sideband: {e}"))),
    }
}

async fn connect(url: &str, key: &str) -> Result<Socket, AiError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| AiError::Malformed(format!("the sideband request: {e}")))?;
    let auth = format!("Bearer {key}")
        .parse()
        .map_err(|_| AiError::Malformed("the API key is not a header value".into()))?;
    request.headers_mut().insert("authorization", auth);
    let connecting =
        tokio_tungstenite::connect_async_tls_with_config(request, None, false, Some(tls()?));
    match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(e)) => Err(refused(e)),
        Err(_) => Err(AiError::Unreachable(
            "the sideband did not open in time".into(),
        )),
    }
}

impl Sidebands {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Held>> {
        // why: the map stays consistent even if a holder panicked (each change is one call).
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens call `call_id`'s sideband at `url` and holds it: the call's transcript lines
    /// until the connection closes. Dropping the stream closes the connection.
    pub async fn follow(&self, url: &str, key: &str, call_id: &str) -> Result<CallEvents, AiError> {
        let socket = connect(url, key).await?;
        let (mut sink, read) = socket.split();
        let (frames, mut outgoing) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(frame) = outgoing.recv().await {
                if sink.send(frame).await.is_err() {
                    return;
                }
            }
            // why: every sender is gone (released or replaced): close the connection.
            let _ = sink.send(Message::Close(None)).await;
            let _ = sink.close().await;
        });
        let generation = self.generations.fetch_add(1, Ordering::Relaxed);
        self.lock()
            .insert(call_id.to_owned(), Held { generation, frames });
        let release = Release {
            sidebands: self.clone(),
            call_id: call_id.to_owned(),
            generation,
        };
        let events =
            futures_util::stream::unfold((read, release), |(mut read, release)| async move {
                loop {
                    match read.next().await {
                        Some(Ok(Message::Text(text))) => {
                            if let Some(event) = event_of(&text) {
                                return Some((event, (read, release)));
                            }
                        }
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
                        Some(Ok(_)) => {}
                    }
                }
            });
        Ok(events.boxed())
    }

    /// Sends `events` to call `call_id`: over its held connection, or else over a new one
    /// to `url` that is closed again.
    pub async fn send(
        &self,
        url: &str,
        key: &str,
        call_id: &str,
        events: &[String],
    ) -> Result<(), AiError> {
        let sent_over_held = {
            let held = self.lock();
            held.get(call_id).is_some_and(|h| {
                events
                    .iter()
                    .all(|e| h.frames.send(Message::text(e.clone())).is_ok())
            })
        };
        if sent_over_held {
            return Ok(());
        }
        let mut socket = connect(url, key).await?;
        let sending = async {
            for e in events {
                socket.send(Message::text(e.clone())).await?;
            }
            socket.close(None).await
        };
        match tokio::time::timeout(SEND_TIMEOUT, sending).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(AiError::Interrupted(e.to_string())),
            Err(_) => Err(AiError::Interrupted("the sideband send timed out".into())),
        }
    }

    /// Closes call `call_id`'s held connection, if this process holds one.
    pub fn release(&self, call_id: &str) {
        self.lock().remove(call_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sideband_url_follows_the_base_url() {
        assert_eq!(
            url_for("https://api.openai.com/v1", "rtc_1").unwrap(),
            "wss://api.openai.com/v1/realtime?call_id=rtc_1"
        );
        assert_eq!(
            url_for("http://127.0.0.1:9000/v1/", "rtc_a-2").unwrap(),
            "ws://127.0.0.1:9000/v1/realtime?call_id=rtc_a-2"
        );
        assert!(url_for("ftp://example.com", "rtc_1").is_err());
        assert!(url_for("not a url", "rtc_1").is_err());
    }

    #[test]
    fn finished_lines_are_read_and_everything_else_is_skipped() {
        let learner = r#"{"type":"conversation.item.input_audio_transcription.completed",
            "item_id":"item_1","content_index":0,"transcript":"ラーメンをください。"}"#;
        assert_eq!(
            event_of(learner),
            Some(CallEvent::Line {
                item_id: "item_1".into(),
                speaker: Speaker::Learner,
                text: "ラーメンをください。".into()
            })
        );
        let partner = r#"{"type":"response.output_audio_transcript.done","response_id":"r",
            "item_id":"item_2","output_index":0,"content_index":0,"transcript":"はい！"}"#;
        assert_eq!(
            event_of(partner),
            Some(CallEvent::Line {
                item_id: "item_2".into(),
                speaker: Speaker::Partner,
                text: "はい！".into()
            })
        );
        let text = r#"{"type":"response.output_text.done","item_id":"item_3","text":"どうぞ"}"#;
        assert!(matches!(
            event_of(text),
            Some(CallEvent::Line {
                speaker: Speaker::Partner,
                ..
            })
        ));
        for skipped in [
            r#"{"type":"response.output_audio_transcript.delta","item_id":"i","delta":"は"}"#,
            r#"{"type":"session.created","session":{}}"#,
            r#"{"type":"response.output_audio_transcript.done","transcript":"no item"}"#,
            r#"{"type":"conversation.item.input_audio_transcription.completed","item_id":"i"}"#,
            "not json",
        ] {
            assert_eq!(event_of(skipped), None, "{skipped}");
        }
    }

    #[test]
    fn wss_has_its_tls_configuration() {
        assert!(matches!(tls(), Ok(tokio_tungstenite::Connector::Rustls(_))));
    }

    #[test]
    fn an_instruction_is_a_system_item_then_a_response() {
        let [item, response] = instruction_events("Wrap up.");
        let item: serde_json::Value = serde_json::from_str(&item).unwrap();
        assert_eq!(item["type"], "conversation.item.create");
        assert_eq!(item["item"]["role"], "system");
        assert_eq!(item["item"]["content"][0]["text"], "Wrap up.");
        let response: serde_json::Value = serde_json::from_str(&response).unwrap();
        assert_eq!(response["type"], "response.create");
    }
}
