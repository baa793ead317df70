//! Benchmark: the server's added latency before the first streamed token. A local mock of
//! the OpenAI-compatible API answers with its first token at once; we time (a) a client
//! reading the first token straight from the mock, and (b) a learner's browser reading the
//! first `token` event from `/conversations/{id}/stream` through the app (SQLite). The
//! difference is what Kaiwa adds: loading the conversation, composing the prompt, the
//! provider round trip and the SSE relay. Run with `cargo bench --bench first_token`.

use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use futures_util::StreamExt;
use kaiwa::config::{AiSettings, Secret, Settings};
use kaiwa::db::conn::DatabaseTarget;
use kaiwa::startup::Application;

const ROUNDS: usize = 60;

async fn completions() -> HttpResponse {
    let chunk = |t: &str| {
        web::Bytes::from(format!(
            "data: {}\n\n",
            serde_json::json!({"choices": [{"delta": {"content": t}}]})
        ))
    };
    let parts = vec![
        chunk("Bonjour"),
        chunk(" !"),
        web::Bytes::from("data: [DONE]\n\n"),
    ];
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .streaming(futures_util::stream::iter(
            parts.into_iter().map(Ok::<_, actix_web::Error>),
        ))
}

/// Time until the first body bytes containing `needle` arrive.
async fn first(res: reqwest::Response, needle: &str, started: Instant) -> Duration {
    let mut stream = res.bytes_stream();
    let mut seen = String::new();
    while let Some(chunk) = stream.next().await {
        seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        if seen.contains(needle) {
            return started.elapsed();
        }
    }
    panic!("no {needle} in {seen}");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn csrf(html: &str) -> String {
    let start = html.find("name=\"csrf_token\" value=\"").expect("a token") + 25;
    html[start..start + 64].to_owned()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mock = HttpServer::new(|| App::new().route("/v1/chat/completions", web::post().to(completions)))
            .workers(1)
            .bind("127.0.0.1:0")
            .unwrap();
        let mock_port = mock.addrs()[0].port();
        tokio::spawn(mock.run());

        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::for_tests(dir.path().to_path_buf(), DatabaseTarget::Sqlite(dir.path().join("kaiwa.db")));
        settings.seed_on_start = true;
        settings.ai = Some(AiSettings {
            base_url: format!("http://127.0.0.1:{mock_port}/v1"),
            api_key: Secret::new("bench"),
            model: "bench".into(),
            translation_model: "test-translation-model".into(),
            hint_model: "test-model".into(),
            analysis_model: "test-analysis-model".into(),
            tts_model: "tts-1".into(),
            stt_model: "whisper-1".into(),
            realtime_model: None,
        });
        let app = Application::build(settings).unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());

        let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let token = csrf(&client.get(format!("{base}/conversations/new")).send().await.unwrap().text().await.unwrap());
        let res = client
            .post(format!("{base}/conversations"))
            .form(&[("csrf_token", token.as_str()), ("language", "fr"), ("mode", "traditional"), ("scenario_id", "pharmacy-fever-lyon")])
            .send()
            .await
            .unwrap();
        let path = res.headers()["location"].to_str().unwrap().to_owned();

        let direct_url = format!("http://127.0.0.1:{mock_port}/v1/chat/completions");
        let body = serde_json::json!({"model": "bench", "stream": true, "messages": [{"role": "user", "content": "Bonjour"}]});
        let (mut direct, mut through) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS + 5 {
            let t = Instant::now();
            let res = client.post(&direct_url).json(&body).send().await.unwrap();
            let d = first(res, "data:", t).await;

            let sent = client
                .post(format!("{base}{path}/messages"))
                .header("HX-Request", "true")
                .header("X-CSRF-Token", &token)
                .form(&[("content", "J'ai de la fièvre depuis hier.")])
                .send()
                .await
                .unwrap();
            assert!(sent.status().is_success());
            let t = Instant::now();
            let res = client.get(format!("{base}{path}/stream")).send().await.unwrap();
            let a = first(res, "event: token", t).await;
            if round >= 5 {
                direct.push(d);
                through.push(a);
            }
            // Let the reply be stored before the next message.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (d, a) = (median(direct), median(through));
        println!("\nTime to the first streamed token, median of {ROUNDS} (after 5 warm-up rounds):");
        println!("  straight from the mock provider:     {:>7.2} ms", d.as_secs_f64() * 1e3);
        println!("  through Kaiwa's /stream (SSE relay): {:>7.2} ms", a.as_secs_f64() * 1e3);
        println!("  added by the server:                 {:>7.2} ms ({:.2}x the direct time)", (a - d).as_secs_f64() * 1e3, a.as_secs_f64() / d.as_secs_f64());
    });
}
