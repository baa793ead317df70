//! Google sign-in against a local mock provider that checks PKCE and issues ID tokens.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpResponse, HttpServer};
use base64::Engine;
use diesel::prelude::*;
use kaiwa::config::{GoogleSettings, Secret};
use kaiwa::db::schema::users;
use sha2::{Digest, Sha256};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

const ISSUER: &str = "http://mock-google.test";
const CLIENT: &str = "kaiwa-test-client";

#[derive(Default)]
struct Provider {
    /// The PKCE challenge the app sent to the authorization URL.
    challenge: String,
    /// The claims the next ID token carries.
    claims: serde_json::Value,
}

type Shared = Arc<Mutex<Provider>>;

#[derive(serde::Deserialize)]
struct TokenRequest {
    code: String,
    code_verifier: String,
}

async fn token(provider: web::Data<Shared>, form: web::Form<TokenRequest>) -> HttpResponse {
    let p = provider.lock().unwrap();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(form.code_verifier.as_bytes()));
    if form.code != "good-code" || challenge != p.challenge {
        return HttpResponse::BadRequest().json(serde_json::json!({"error": "invalid_grant"}));
    }
    let enc = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let id_token = format!(
        "{}.{}.signature",
        enc(&serde_json::json!({"alg": "RS256"})),
        enc(&p.claims)
    );
    HttpResponse::Ok().json(serde_json::json!({
        "access_token": "at", "token_type": "Bearer", "expires_in": 3600, "id_token": id_token
    }))
}

/// Starts the mock provider and an app configured to use it.
async fn app_with_provider() -> (TestApp, Shared) {
    let provider: Shared = Arc::default();
    let data = web::Data::new(provider.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/token", web::post().to(token))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    let app = spawn_app_with(|s| {
        s.seed_on_start = true;
        s.google = Some(GoogleSettings {
            client_id: CLIENT.into(),
            client_secret: Secret::new("test-secret"),
            auth_url: format!("http://127.0.0.1:{port}/auth"),
            token_url: format!("http://127.0.0.1:{port}/token"),
            issuer: ISSUER.into(),
        });
    })
    .await;
    (app, provider)
}

fn query_param(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Starts a sign-in in `browser`; returns the `state` and `nonce` the provider received.
async fn begin(browser: &crate::helpers::Browser, provider: &Shared) -> (String, String) {
    let res = browser.get("/auth/google").await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(query_param(&to, "code_challenge_method"), "S256");
    assert_eq!(query_param(&to, "client_id"), CLIENT);
    assert!(query_param(&to, "scope").contains("openid"));
    provider.lock().unwrap().challenge = query_param(&to, "code_challenge");
    (query_param(&to, "state"), query_param(&to, "nonce"))
}

fn claims(nonce: &str, sub: &str, email: &str, verified: bool) -> serde_json::Value {
    serde_json::json!({
        "iss": ISSUER, "aud": CLIENT, "sub": sub, "exp": chrono::Utc::now().timestamp() + 600,
        "nonce": nonce, "email": email, "email_verified": verified, "name": "Yui Google"
    })
}

#[tokio::test]
async fn a_new_google_user_gets_an_account_and_a_session() {
    let (app, provider) = app_with_provider().await;
    let b = app.new_browser();
    let (state, nonce) = begin(&b, &provider).await;
    provider.lock().unwrap().claims = claims(&nonce, "google-sub-1", "yui@example.com", true);
    let res = b
        .get(&format!(
            "/auth/google/callback?code=good-code&state={state}"
        ))
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/onboarding");
    assert_eq!(b.get("/account").await.status(), 200);
    let (google_id, verified): (Option<String>, Option<chrono::NaiveDateTime>) = users::table
        .filter(users::email.eq("yui@example.com"))
        .select((users::google_id, users::email_verified_at))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(google_id.as_deref(), Some("google-sub-1"));
    assert!(verified.is_some());

    // The same callback replayed (state already used) is refused and signs nobody in.
    let thief = app.new_browser();
    let replay = thief
        .get(&format!(
            "/auth/google/callback?code=good-code&state={state}"
        ))
        .await;
    assert_eq!(replay.status(), 400);
    let again = b
        .get(&format!(
            "/auth/google/callback?code=good-code&state={state}"
        ))
        .await;
    assert_eq!(again.status(), 400);
    assert_eq!(thief.get("/account").await.status(), 303);
}

#[tokio::test]
async fn a_tampered_state_or_nonce_is_refused() {
    let (app, provider) = app_with_provider().await;
    let b = app.new_browser();
    let (_, nonce) = begin(&b, &provider).await;
    provider.lock().unwrap().claims = claims(&nonce, "sub-2", "tam@example.com", true);
    let res = b
        .get("/auth/google/callback?code=good-code&state=forged")
        .await;
    assert_eq!(res.status(), 400);

    let (state, _) = begin(&b, &provider).await;
    provider.lock().unwrap().claims = claims("another-nonce", "sub-2", "tam@example.com", true);
    let res = b
        .get(&format!(
            "/auth/google/callback?code=good-code&state={state}"
        ))
        .await;
    assert_eq!(res.status(), 400);

    let (state, nonce) = begin(&b, &provider).await;
    provider.lock().unwrap().claims = claims(&nonce, "sub-2", "tam@example.com", true);
    let res = b
        .get(&format!(
            "/auth/google/callback?code=bad-code&state={state}"
        ))
        .await;
    assert_eq!(res.status(), 400, "the provider refused the code");
    let count: i64 = users::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn a_verified_google_email_links_to_the_existing_account_and_an_unverified_one_does_not() {
    let (app, provider) = app_with_provider().await;
    let uid = app
        .sign_up(
            &app.new_browser(),
            "kai@example.com",
            "river otter breakfast",
        )
        .await;

    let b = app.new_browser();
    let (state, nonce) = begin(&b, &provider).await;
    provider.lock().unwrap().claims = claims(&nonce, "sub-unverified", "kai@example.com", false);
    let res = b
        .get(&format!(
            "/auth/google/callback?code=good-code&state={state}"
        ))
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(b.get("/account").await.status(), 303);

    let (state, nonce) = begin(&b, &provider).await;
    provider.lock().unwrap().claims = claims(&nonce, "sub-kai", "KAI@example.com", true);
    let res = b
        .get(&format!(
            "/auth/google/callback?code=good-code&state={state}"
        ))
        .await;
    assert_eq!(res.status(), 303);
    let google_id: Option<String> = users::table
        .find(&uid)
        .select(users::google_id)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(google_id.as_deref(), Some("sub-kai"));
    let count: i64 = users::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(count, 1, "linked, not duplicated");
}

#[tokio::test]
async fn without_a_google_client_the_button_is_hidden_and_the_routes_are_gone() {
    let app = spawn_app().await;
    for path in ["/login", "/signup"] {
        let page = app.get_html(path).await;
        assert!(
            page.attrs("a[href^='/auth/google']", "href").is_empty(),
            "{path}"
        );
    }
    assert_eq!(app.get("/auth/google").await.status(), 404);
    assert_eq!(
        app.get("/auth/google/callback?code=x&state=y")
            .await
            .status(),
        404
    );

    let (with, _) = app_with_provider().await;
    let page = with.get_html("/login").await;
    assert_eq!(
        page.attrs("a[href^='/auth/google']", "href"),
        vec!["/auth/google"]
    );
}
