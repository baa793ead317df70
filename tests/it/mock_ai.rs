//! The one mock of the OpenAI-compatible API that every test needing a provider uses:
//! streamed chat completions (normal, with a correction line, failing midway, or down on
//! demand), JSON completions with a settable answer, speech and transcription, realtime
//! calls (`/realtime/calls` and their hang-up) and their sideband (a WebSocket at
//! `/realtime?call_id=…`, which can be refused); it records every request.
//!
//! One port serves both: a small front reads the first bytes of each connection and hands
//! a sideband handshake to tokio-tungstenite, anything else to the actix server behind it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpResponse, HttpServer};
use futures_util::{SinkExt, StreamExt};
use kaiwa::config::{AiSettings, Secret};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{spawn_app_with, TestApp};

/// How the mock provider answers.
#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    Stream,
    /// A reply with an immediate-correction line.
    Correcting,
    FailMidway,
    Down,
}

#[derive(Clone)]
pub struct Provider {
    /// How streamed replies behave (switch it mid-test to make the provider fail).
    pub mode: Arc<Mutex<Mode>>,
    /// Every request received, in order (auth header and JSON body).
    pub requests: Arc<Mutex<Vec<serde_json::Value>>>,
    /// What a non-streamed (JSON) completion answers.
    pub completion: Arc<Mutex<String>>,
    /// The realtime sideband.
    pub sideband: Sideband,
}

/// Sideband handshakes: the call id and the auth header of each.
type Handshakes = Vec<(String, Option<String>)>;

/// The mock's realtime sideband: whether it accepts, every handshake, what came over each
/// socket, and the open sockets (to push events to).
#[derive(Clone)]
pub struct Sideband {
    /// `false`: the WebSocket endpoint answers 404, as a provider without a sideband.
    pub accept: Arc<AtomicBool>,
    /// Every handshake, refused ones too: the call id and the auth header.
    handshakes: Arc<Mutex<Handshakes>>,
    /// Every text frame received, with its call id.
    received: Arc<Mutex<Vec<(String, serde_json::Value)>>>,
    /// The open sockets' outgoing sides, by call id.
    open: Arc<Mutex<HashMap<String, Vec<mpsc::UnboundedSender<String>>>>>,
    /// Sockets the app closed, by call id.
    closed: Arc<Mutex<Vec<String>>>,
}

async fn completions(
    p: web::Data<Provider>,
    req: actix_web::HttpRequest,
    body: web::Json<serde_json::Value>,
) -> HttpResponse {
    let body = body.into_inner();
    let streamed = body["stream"] != false;
    p.requests.lock().unwrap().push(serde_json::json!({ "auth": req.headers().get("authorization").map(|v| v.to_str().unwrap().to_owned()), "body": body }));
    if !streamed {
        if *p.mode.lock().unwrap() == Mode::Down {
            return HttpResponse::ServiceUnavailable().finish();
        }
        let content = p.completion.lock().unwrap().clone();
        return HttpResponse::Ok().json(serde_json::json!({"choices": [{"message": {"role": "assistant", "content": content}}]}));
    }
    let chunk = |t: &str| {
        web::Bytes::from(format!(
            "data: {}\n\n",
            serde_json::json!({"choices": [{"delta": {"content": t}}]})
        ))
    };
    match *p.mode.lock().unwrap() {
        Mode::Down => HttpResponse::ServiceUnavailable().finish(),
        Mode::Stream => {
            let parts = vec![
                chunk("Bonjour"),
                chunk(" ! Comment"),
                chunk(" allez-vous ?"),
                web::Bytes::from("data: [DONE]\n\n"),
            ];
            HttpResponse::Ok()
                .content_type("text/event-stream")
                .streaming(futures_util::stream::iter(
                    parts.into_iter().map(Ok::<_, actix_web::Error>),
                ))
        }
        Mode::Correcting => {
            let parts = vec![
                chunk("Très bien !\n✎ J'ai acheté"),
                chunk(" — passé composé for a finished action\nEt ensuite ?"),
                web::Bytes::from("data: [DONE]\n\n"),
            ];
            HttpResponse::Ok()
                .content_type("text/event-stream")
                .streaming(futures_util::stream::iter(
                    parts.into_iter().map(Ok::<_, actix_web::Error>),
                ))
        }
        Mode::FailMidway => {
            let parts: Vec<Result<web::Bytes, actix_web::Error>> = vec![
                Ok(chunk("Bonjour")),
                Err(actix_web::error::ErrorInternalServerError(
                    "provider crashed",
                )),
            ];
            HttpResponse::Ok()
                .content_type("text/event-stream")
                .streaming(futures_util::stream::iter(parts))
        }
    }
}

async fn speech(p: web::Data<Provider>, body: web::Json<serde_json::Value>) -> HttpResponse {
    p.requests
        .lock()
        .unwrap()
        .push(serde_json::json!({ "speech": body.into_inner() }));
    HttpResponse::Ok()
        .content_type("audio/mpeg")
        .body("ID3-fake-mp3")
}

async fn transcriptions(
    p: web::Data<Provider>,
    req: actix_web::HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let text = String::from_utf8_lossy(&body).into_owned();
    let content_type = req
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    p.requests
        .lock()
        .unwrap()
        .push(serde_json::json!({ "transcription": text, "content_type": content_type }));
    HttpResponse::Ok().json(serde_json::json!({ "text": "J'ai mal à la tête." }))
}

/// The realtime call id the mock gives (`rtc_test_1`, `rtc_test_2`, …).
static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The SDP answer the mock sends back for every call.
pub const ANSWER_SDP: &str = "v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\ns=mock answer\r\n";

/// `POST /v1/realtime/calls`: records the auth header, the content type and the multipart
/// body as text; answers 201 with the SDP and the call's `Location`.
async fn realtime_calls(
    p: web::Data<Provider>,
    req: actix_web::HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let header = |n: &str| req.headers().get(n).map(|v| v.to_str().unwrap().to_owned());
    let id = format!(
        "rtc_test_{}",
        CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
    );
    p.requests.lock().unwrap().push(serde_json::json!({
        "realtime_call": String::from_utf8_lossy(&body),
        "auth": header("authorization"),
        "content_type": header("content-type"),
        "call_id": id,
    }));
    HttpResponse::Created()
        .insert_header(("Location", format!("/v1/realtime/calls/{id}")))
        .content_type("application/sdp")
        .body(ANSWER_SDP)
}

async fn hangup(
    p: web::Data<Provider>,
    req: actix_web::HttpRequest,
    id: web::Path<String>,
) -> HttpResponse {
    let auth = req
        .headers()
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned());
    p.requests
        .lock()
        .unwrap()
        .push(serde_json::json!({ "hangup": id.into_inner(), "auth": auth }));
    HttpResponse::Ok().finish()
}

impl Provider {
    /// Sends `event` to every open sideband socket of call `call_id`; how many got it.
    pub fn push(&self, call_id: &str, event: serde_json::Value) -> usize {
        let open = self.sideband.open.lock().unwrap();
        open.get(call_id).map_or(0, |sockets| {
            sockets
                .iter()
                .filter(|s| s.send(event.to_string()).is_ok())
                .count()
        })
    }

    /// The sideband handshakes, refused ones too: (call id, auth header).
    pub fn sideband_handshakes(&self) -> Handshakes {
        self.sideband.handshakes.lock().unwrap().clone()
    }

    /// The events the app sent over call `call_id`'s sideband, in order.
    pub fn sideband_received(&self, call_id: &str) -> Vec<serde_json::Value> {
        let received = self.sideband.received.lock().unwrap();
        received
            .iter()
            .filter(|(c, _)| c == call_id)
            .map(|(_, e)| e.clone())
            .collect()
    }

    /// How many of call `call_id`'s sideband sockets the app closed.
    pub fn sideband_closed(&self, call_id: &str) -> usize {
        let closed = self.sideband.closed.lock().unwrap();
        closed.iter().filter(|c| *c == call_id).count()
    }

    /// The realtime calls opened, in order.
    pub fn realtime_calls(&self) -> Vec<serde_json::Value> {
        let requests = self.requests.lock().unwrap();
        requests
            .iter()
            .filter(|r| r.get("realtime_call").is_some())
            .cloned()
            .collect()
    }

    /// The call ids hung up, in order.
    pub fn hangups(&self) -> Vec<String> {
        let requests = self.requests.lock().unwrap();
        requests
            .iter()
            .filter_map(|r| r["hangup"].as_str().map(str::to_owned))
            .collect()
    }
}

/// An app whose AI partner is the real OpenAI-compatible adapter talking to this mock.
pub async fn app_with_provider() -> (TestApp, Provider) {
    app_with_provider_and(|_| {}).await
}

/// [`app_with_provider`] with realtime voice calls (`KAIWA_AI_REALTIME_MODEL` set).
pub async fn app_with_realtime() -> (TestApp, Provider) {
    app_with_provider_and(|s| {
        if let Some(ai) = s.ai.as_mut() {
            ai.realtime_model = Some("test-realtime-model".into());
        }
    })
    .await
}

/// [`app_with_provider`] after `adjust` has changed the settings.
pub async fn app_with_provider_and(
    adjust: impl FnOnce(&mut kaiwa::config::Settings),
) -> (TestApp, Provider) {
    let provider = Provider {
        mode: Arc::new(Mutex::new(Mode::Stream)),
        requests: Arc::default(),
        completion: Arc::default(),
        sideband: Sideband {
            accept: Arc::new(AtomicBool::new(true)),
            handshakes: Arc::default(),
            received: Arc::default(),
            open: Arc::default(),
            closed: Arc::default(),
        },
    };
    let data = web::Data::new(provider.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/v1/chat/completions", web::post().to(completions))
            .route("/v1/audio/speech", web::post().to(speech))
            .route("/v1/audio/transcriptions", web::post().to(transcriptions))
            .route("/v1/realtime/calls", web::post().to(realtime_calls))
            .route("/v1/realtime/calls/{id}/hangup", web::post().to(hangup))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let backend = server.addrs()[0].port();
    tokio::spawn(server.run());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(front(listener, backend, provider.clone()));
    let app = spawn_app_with(|s| {
        s.seed_on_start = true;
        s.ai = Some(AiSettings {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            api_key: Secret::new("sk-test"),
            model: "test-model".into(),
            translation_model: "test-translation-model".into(),
            hint_model: "test-model".into(),
            analysis_model: "test-analysis-model".into(),
            tts_model: "tts-1".into(),
            stt_model: "whisper-1".into(),
            realtime_model: None,
        });
        adjust(s);
    })
    .await;
    (app, provider)
}

/// The mock's one port: a sideband handshake goes to [`sideband`], the rest to the actix
/// server on `backend`.
async fn front(listener: TcpListener, backend: u16, provider: Provider) {
    while let Ok((stream, _)) = listener.accept().await {
        let provider = provider.clone();
        tokio::spawn(async move {
            const SIDEBAND: &[u8] = b"GET /v1/realtime?";
            let mut head = [0u8; 17];
            loop {
                let n = stream.peek(&mut head).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                if n == head.len() || head[..n].contains(&b'\n') {
                    break;
                }
                // why: peek answers at once with what has arrived so far.
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            if head == SIDEBAND {
                sideband(stream, provider).await;
            } else if let Ok(mut to) = TcpStream::connect(("127.0.0.1", backend)).await {
                let mut stream = stream;
                let _ = tokio::io::copy_bidirectional(&mut stream, &mut to).await;
            }
        });
    }
}

/// One sideband socket: the handshake checks the path, the call id and the server's key
/// (refused with 404 when the mock has no sideband); then events pushed by the test go out
/// and the app's events are recorded until either side closes.
// why: the handshake callback's error type is tungstenite's HTTP response, not ours to box.
#[allow(clippy::result_large_err)]
async fn sideband(stream: TcpStream, p: Provider) {
    let accept = p.sideband.accept.load(Ordering::SeqCst);
    let mut call = String::new();
    let check = |req: &Request, res: Response| -> Result<Response, ErrorResponse> {
        let query = req.uri().query().unwrap_or_default();
        call = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "call_id")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let auth = req
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned());
        p.sideband
            .handshakes
            .lock()
            .unwrap()
            .push((call.clone(), auth.clone()));
        let refuse = |status: u16| {
            let mut res = ErrorResponse::new(Some("no sideband here".into()));
            *res.status_mut() = status.try_into().unwrap();
            Err(res)
        };
        if !accept || req.uri().path() != "/v1/realtime" || call.is_empty() {
            return refuse(404);
        }
        if auth.as_deref() != Some("Bearer sk-test") {
            return refuse(401);
        }
        Ok(res)
    };
    let Ok(socket) = tokio_tungstenite::accept_hdr_async(stream, check).await else {
        return;
    };
    let (tx, mut outgoing) = mpsc::unbounded_channel::<String>();
    p.sideband
        .open
        .lock()
        .unwrap()
        .entry(call.clone())
        .or_default()
        .push(tx);
    let (mut sink, mut incoming) = socket.split();
    loop {
        tokio::select! {
            out = outgoing.recv() => match out {
                Some(text) => {
                    if sink.send(Message::text(text)).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            frame = incoming.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let event = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
                    p.sideband.received.lock().unwrap().push((call.clone(), event));
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    p.sideband.closed.lock().unwrap().push(call.clone());
                    break;
                }
                Some(Ok(_)) => {}
            },
        }
    }
    drop(outgoing);
    if let Some(sockets) = p.sideband.open.lock().unwrap().get_mut(&call) {
        sockets.retain(|s| !s.is_closed());
    }
}
