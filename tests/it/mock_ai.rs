//! The one mock of the OpenAI-compatible API that every test needing a provider uses:
//! streamed chat completions (normal, with a correction line, failing midway, or down on
//! demand), JSON completions with a settable answer, speech and transcription, realtime
//! calls (`/realtime/calls` and their hang-up); it records every request.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpResponse, HttpServer};
use kaiwa::config::{AiSettings, Secret};

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
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
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
