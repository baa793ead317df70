//! The one mock of the OpenAI-compatible API that every test needing a provider uses:
//! streamed chat completions (normal, with a correction line, failing midway, or down on
//! demand), JSON completions with a settable answer, speech and transcription; it records
//! every request.

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

/// An app whose AI partner is the real OpenAI-compatible adapter talking to this mock.
pub async fn app_with_provider() -> (TestApp, Provider) {
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
        });
    })
    .await;
    (app, provider)
}
