//! Regression tests for the findings of a black-box security sweep: an open redirect through
//! `next`, 5xx answers (and half-written rows) on control characters, NUL bytes and over-long
//! values, security headers missing on error answers, cacheable signed-in pages, and a CSRF
//! token that survived sign-in. Each runs on both databases and counts rows before and after.

use diesel::prelude::*;
use kaiwa::db::schema::users;

use crate::helpers::{row_counts, spawn_app, spawn_app_with, Browser, TestApp};

const PASSWORD: &str = "a long enough passphrase";

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The security headers every answer must carry, errors included.
fn assert_security_headers(res: &reqwest::Response, what: &str) {
    assert!(
        header(res, "content-security-policy").contains("frame-ancestors 'none'"),
        "{what}: CSP with frame-ancestors"
    );
    assert_eq!(header(res, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(
        header(res, "referrer-policy"),
        "strict-origin-when-cross-origin",
        "{what}"
    );
    assert_eq!(header(res, "x-frame-options"), "DENY", "{what}");
}

/// A learner with a password, signed out again in a fresh browser.
async fn learner_with_password(app: &TestApp, email: &str) -> Browser {
    let b = app.new_browser();
    app.sign_up(&b, email, PASSWORD).await;
    let res = b.post_form("/logout", &[]).await;
    assert_eq!(res.status(), 303);
    app.new_browser()
}

#[tokio::test]
async fn next_with_a_tab_never_leaves_the_site() {
    let app = spawn_app().await;
    let b = learner_with_password(&app, "tab@example.com").await;

    let res = b
        .post_form(
            "/login",
            &[
                ("email", "tab@example.com"),
                ("password", PASSWORD),
                ("next", "/\t/evil.example"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "signed in, sent to the default page");
    let target = location(&res);
    assert!(
        target == "/" || target == "/onboarding",
        "no way off the site: {target:?}"
    );

    // Signed in now: the sign-in page sends the browser on to `next` at once.
    for next in [
        "/%09/evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "/\\evil.example",
    ] {
        let res = b.get(&format!("/login?next={next}")).await;
        assert!(res.status().is_redirection() || res.status().is_client_error());
        let target = location(&res);
        assert!(
            !target.contains("evil") && !target.starts_with("//"),
            "{next} → {target:?}"
        );
    }
    let res = b.get("/login?next=/scenarios%3Fq%3Dramen").await;
    assert_eq!(
        location(&res),
        "/scenarios?q=ramen",
        "a local next still works"
    );
}

#[tokio::test]
async fn next_with_line_breaks_answers_4xx_or_signs_in_and_never_half_writes() {
    let app = spawn_app().await;
    let b = learner_with_password(&app, "breaks@example.com").await;
    for next in ["/a\nSet-Cookie: x=1", "/a\r\nb", "/a\u{b}b", "/a\rb"] {
        let before = row_counts(&app);
        let res = b
            .post_form(
                "/login",
                &[
                    ("email", "breaks@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        let status = res.status();
        assert!(!status.is_server_error(), "{next:?} → {status}");
        assert_security_headers(&res, "login with a bad next");
        let after = row_counts(&app);
        if status == 303 {
            assert!(
                res.headers()
                    .get_all("set-cookie")
                    .iter()
                    .any(|c| c.to_str().unwrap_or_default().starts_with("kaiwa_auth=")),
                "a sign-in that wrote a session sets its cookie"
            );
            assert!(!location(&res).contains('\n') && location(&res).starts_with('/'));
            assert!(res.headers().get("x").is_none());
        } else {
            assert!(status.is_client_error());
            assert_eq!(before, after, "{next:?}: a refused request writes nothing");
        }
        // Signed in or not, start from a signed-out browser again.
        let _ = b.post_form("/logout", &[]).await;
    }
    // Signed in, GET /login with the same values in the query: never a 5xx.
    let signed_in = app.new_browser();
    let res = signed_in
        .post_form(
            "/login",
            &[("email", "breaks@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    for next in ["/a%0ASet-Cookie:%20x=1", "/a%0D%0Ab", "/a%0Bb"] {
        let res = signed_in.get(&format!("/login?next={next}")).await;
        assert!(res.status().is_client_error(), "{next} → {}", res.status());
        assert_security_headers(&res, "GET /login with a bad next");
    }
}

#[tokio::test]
async fn a_nul_byte_in_a_form_field_is_refused_with_the_fields_name_and_changes_nothing() {
    let app = spawn_app().await;
    let id = app.create_user("nul@example.com");
    let b = app.browser_for(&id);
    let before = row_counts(&app);
    let res = b
        .post_form("/account", &[("display_name", "a\0b"), ("username", "")])
        .await;
    assert_eq!(res.status(), 400);
    assert_security_headers(&res, "a NUL byte");
    let body = res.text().await.unwrap();
    assert!(body.contains("display_name"), "the message names the field");
    assert_eq!(before, row_counts(&app));
    let name: Option<String> = users::table
        .find(&id)
        .select(users::display_name)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(name, None, "the profile is unchanged");
}

#[tokio::test]
async fn bad_ids_in_queries_get_a_4xx_not_a_5xx() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let astral = "%F0%9F%98%80".repeat(3_000);
    for query in ["scenario_id=%00", &format!("scenario_id={astral}")] {
        let before = row_counts(&app);
        let res = b.get(&format!("/conversations/new?{query}")).await;
        assert_eq!(res.status(), 400, "{}", &query[..20.min(query.len())]);
        assert_security_headers(&res, "a bad scenario id");
        assert!(res.text().await.unwrap().contains("scenario_id"));
        assert_eq!(before, row_counts(&app));
    }
    let res = b.get("/scenarios/%00").await;
    assert_eq!(res.status(), 400, "a NUL byte in the path");
    assert_security_headers(&res, "a NUL byte in the path");
}

#[tokio::test]
async fn an_oversized_body_gets_413_with_every_security_header() {
    let app = spawn_app().await;
    let id = app.create_user("big@example.com");
    let b = app.browser_for(&id);
    let token = b.csrf().await;
    let before = row_counts(&app);
    let body = format!(
        "csrf_token={token}&display_name={}",
        "a".repeat(10 * 1024 * 1024)
    );
    let res = b
        .client
        .post(b.url("/account"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_security_headers(&res, "413");
    assert_eq!(before, row_counts(&app));
}

#[tokio::test]
async fn an_https_site_sends_strict_transport_security() {
    let app = spawn_app_with(|s| {
        s.seed_on_start = true;
        s.base_url = "https://kaiwa.example".into();
    })
    .await;
    for path in ["/", "/scenarios", "/no-such-page", "/static/app.css"] {
        let res = app.get(path).await;
        let hsts = header(&res, "strict-transport-security");
        let max_age: u64 = hsts
            .split(';')
            .find_map(|p| p.trim().strip_prefix("max-age="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        assert!(max_age >= 31_536_000, "{path}: {hsts:?}");
    }
    let plain = spawn_app().await;
    let res = plain.get("/").await;
    assert!(res.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn pages_with_a_learners_data_are_never_stored_by_caches() {
    let app = spawn_app().await;
    let id = app.create_user("cache@example.com");
    let b = app.browser_for(&id);
    let res = b
        .post_form(
            "/conversations",
            &[
                ("scenario_id", "ordering-ramen-osaka"),
                ("language", "ja"),
                ("mode", "traditional"),
            ],
        )
        .await;
    let conversation = location(&res);
    assert!(
        conversation.starts_with("/conversations/"),
        "{conversation}"
    );
    for path in [
        "/",
        "/scenarios",
        "/account",
        "/settings",
        "/conversations",
        conversation.as_str(),
        "/me/scenarios",
    ] {
        let res = b.get(path).await;
        assert!(res.status().is_success(), "{path}: {}", res.status());
        assert_eq!(header(&res, "cache-control"), "private, no-store", "{path}");
        assert!(header(&res, "vary").contains("Cookie"), "{path}");
    }
}

/// The CSRF token a page hands this browser now (not the cached one).
async fn fresh_token(b: &Browser) -> String {
    b.get_html("/forgot-password")
        .await
        .attrs("input[name=csrf_token]", "value")
        .into_iter()
        .next()
        .expect("a token")
}

#[tokio::test]
async fn the_csrf_token_changes_when_the_account_changes() {
    let app = spawn_app().await;
    let b = learner_with_password(&app, "rotate@example.com").await;
    let before_sign_in = fresh_token(&b).await;
    let res = b
        .client
        .post(b.url("/login"))
        .form(&[
            ("email", "rotate@example.com"),
            ("password", PASSWORD),
            ("csrf_token", before_sign_in.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let signed_in = fresh_token(&b).await;
    assert_ne!(before_sign_in, signed_in, "sign-in rotates the token");

    // The old token no longer works.
    let res = b
        .client
        .post(b.url("/account"))
        .form(&[("display_name", "Mallory"), ("csrf_token", &before_sign_in)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    let res = b
        .client
        .post(b.url("/logout"))
        .form(&[("csrf_token", signed_in.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let signed_out = fresh_token(&b).await;
    assert_ne!(signed_in, signed_out, "sign-out rotates the token");
}

/// Every route, with a realistic field for its form, signed in as the owner of the
/// conversation and the scenario in the path.
fn every_route(
    conversation: &str,
    message: &str,
    scenario: &str,
) -> Vec<(&'static str, String, &'static str)> {
    let c = |p: &str| format!("/conversations/{conversation}{p}");
    let s = |p: &str| format!("/scenarios/{scenario}{p}");
    vec![
        ("GET", "/".into(), "q"),
        ("GET", "/health".into(), "q"),
        ("GET", "/ready".into(), "q"),
        ("GET", "/robots.txt".into(), "q"),
        ("GET", "/sitemap.xml".into(), "q"),
        ("GET", "/static/app.css".into(), "v"),
        ("GET", "/scenarios".into(), "q"),
        ("GET", s(""), "tab"),
        ("GET", "/scenarios/new".into(), "from"),
        ("POST", "/scenarios".into(), "title"),
        ("GET", s("/edit"), "x"),
        ("POST", s("/edit"), "description"),
        ("POST", s("/deactivate"), "confirm"),
        ("POST", s("/save"), "saved"),
        ("POST", s("/rating"), "rating"),
        ("POST", s("/notes"), "notes"),
        ("GET", "/me/scenarios".into(), "page"),
        ("GET", "/signup".into(), "next"),
        ("POST", "/signup".into(), "email"),
        ("GET", "/login".into(), "next"),
        ("POST", "/login".into(), "email"),
        ("POST", "/logout".into(), "x"),
        ("GET", "/verify-email".into(), "token"),
        ("POST", "/verify-email".into(), "token"),
        ("GET", "/forgot-password".into(), "email"),
        ("POST", "/forgot-password".into(), "email"),
        ("GET", "/reset-password".into(), "token"),
        ("POST", "/reset-password".into(), "password"),
        ("GET", "/auth/google".into(), "next"),
        ("GET", "/auth/google/callback".into(), "state"),
        ("GET", "/onboarding".into(), "step"),
        ("POST", "/onboarding".into(), "target_language"),
        ("GET", "/settings".into(), "x"),
        ("POST", "/settings".into(), "goals"),
        ("GET", "/account".into(), "x"),
        ("POST", "/account".into(), "display_name"),
        ("POST", "/account/email".into(), "email"),
        ("GET", "/account/confirm-email".into(), "token"),
        ("POST", "/account/confirm-email".into(), "token"),
        ("POST", "/account/sessions/revoke".into(), "x"),
        ("GET", "/account/export".into(), "format"),
        ("POST", "/account/delete".into(), "confirm"),
        ("GET", "/admin/outbox".into(), "page"),
        ("GET", "/conversations".into(), "page"),
        ("POST", "/conversations".into(), "scenario_id"),
        ("GET", "/conversations/new".into(), "scenario_id"),
        ("GET", c(""), "x"),
        ("POST", c("/messages"), "content"),
        ("POST", c("/reply"), "x"),
        ("GET", c("/stream"), "x"),
        ("POST", c("/end"), "engagement"),
        ("POST", c("/hint"), "x"),
        ("POST", c("/aids"), "show"),
        ("POST", c("/transcribe"), "x"),
        ("GET", c(&format!("/messages/{message}/audio")), "x"),
        ("POST", c("/say"), "text"),
        ("POST", c(&format!("/messages/{message}/translate")), "x"),
        ("GET", c("/report"), "x"),
        ("GET", "/no-such-page".into(), "x"),
    ]
}

#[tokio::test]
async fn every_route_refuses_nul_bytes_long_values_and_huge_bodies_and_writes_nothing() {
    let app = spawn_app().await;
    let id = app.create_user("sweep@example.com");
    let b = app.browser_for(&id);
    let res = b
        .post_form(
            "/conversations",
            &[
                ("scenario_id", "ordering-ramen-osaka"),
                ("language", "ja"),
                ("mode", "traditional"),
            ],
        )
        .await;
    let conversation = location(&res)
        .trim_start_matches("/conversations/")
        .to_owned();
    let message: String = {
        use kaiwa::db::schema::messages;
        messages::table
            .filter(messages::conversation_id.eq(&conversation))
            .select(messages::id)
            .first(&mut app.conn())
            .unwrap()
    };
    let token = b.csrf().await;
    let long = "a".repeat(10_000);
    let huge = "a".repeat(10 * 1024 * 1024);
    let before = row_counts(&app);
    for (method, path, field) in every_route(&conversation, &message, "ordering-ramen-osaka") {
        for (what, value) in [
            ("a NUL byte", "a%00b"),
            ("10,000 characters", long.as_str()),
        ] {
            let res = if method == "GET" {
                b.get(&format!("{path}?{field}={value}")).await
            } else {
                b.client
                    .post(b.url(&path))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("csrf_token={token}&{field}={value}"))
                    .send()
                    .await
                    .unwrap()
            };
            let status = res.status();
            assert!(
                status.is_client_error(),
                "{method} {path} with {what}: {status}"
            );
            assert_security_headers(&res, &format!("{method} {path} with {what}"));
        }
        let request = if method == "GET" {
            b.client.get(b.url(&path))
        } else {
            b.client
                .post(b.url(&path))
                .header("content-type", "application/x-www-form-urlencoded")
        };
        let res = request
            .body(format!("csrf_token={token}&{field}={huge}"))
            .send()
            .await
            .unwrap();
        let status = res.status();
        assert!(
            status.is_client_error(),
            "{method} {path} with 10 MB: {status}"
        );
        assert_security_headers(&res, &format!("{method} {path} with 10 MB"));
    }
    assert_eq!(before, row_counts(&app), "no request wrote a row");
    let res = b.get("/account").await;
    assert_eq!(res.status(), 200, "still signed in: nothing was changed");
}

#[tokio::test]
async fn absurd_page_numbers_get_a_page_not_a_server_error() {
    let app = spawn_app().await;
    for page in ["9223372036854775807", "-9223372036854775808", "0", "abc"] {
        let res = app.get(&format!("/scenarios?page={page}")).await;
        assert_eq!(res.status(), 200, "page={page}");
        let res = app.get(&format!("/scenarios?q=ramen&page={page}")).await;
        assert_eq!(res.status(), 200, "search, page={page}");
    }
}
