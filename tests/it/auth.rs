//! Sign-up, sign-in, sessions, password reset, CSRF and guests, through the front door.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use kaiwa::db::models::{Session, User};
use kaiwa::db::schema::{
    auth_tokens, conversations, rate_limits, sessions, user_preferences, users,
};

use crate::helpers::{spawn_app, TestApp};

const PASSWORD: &str = "river otter breakfast";

fn user(app: &TestApp, email: &str) -> Option<User> {
    kaiwa::db::queries::users::find_by_email(&mut app.conn(), email).unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn signing_up_sends_a_link_that_confirms_the_email_and_signs_in_once() {
    let app = spawn_app().await;
    let b = &app.browser;
    let res = b
        .post_form(
            "/signup",
            &[
                ("email", " Aiko@Example.com "),
                ("password", PASSWORD),
                ("display_name", "Aiko"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/verify-email");
    let page = b.get_html("/verify-email").await;
    assert!(page.text(".flash").contains("aiko@example.com"));

    let created = user(&app, "aiko@example.com").expect("the email is stored lower-cased");
    assert!(created.email_verified_at.is_none());
    assert!(created
        .password_hash
        .as_deref()
        .unwrap()
        .starts_with("$argon2id$"));
    assert_eq!(created.display_name.as_deref(), Some("Aiko"));

    // Not confirmed yet: signing in is refused, and a fresh link goes out.
    let res = b
        .post_form(
            "/login",
            &[("email", "aiko@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 403);
    let links = app
        .outbox()
        .iter()
        .filter(|e| e.body_text.contains("/verify-email?token="))
        .count();
    assert_eq!(links, 2);

    let token = app.token_in_email("aiko@example.com", "/verify-email?token=");
    let confirm = b.get_html(&format!("/verify-email?token={token}")).await;
    assert_eq!(confirm.status, 200);
    assert_eq!(
        confirm.attrs("form[action='/verify-email'] input[name=token]", "value"),
        vec![token.clone()]
    );
    let res = b.post_form("/verify-email", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        "/onboarding",
        "a new account goes on to onboarding"
    );
    assert!(user(&app, "aiko@example.com")
        .unwrap()
        .email_verified_at
        .is_some());
    let account = b.get_html("/account").await;
    assert_eq!(account.status, 200);
    assert!(account.text("main").contains("aiko@example.com"));

    // The link works once.
    let again = app
        .new_browser()
        .post_form("/verify-email", &[("token", &token)])
        .await;
    assert_eq!(again.status(), 400);
    let stale = app
        .new_browser()
        .get_html(&format!("/verify-email?token={token}"))
        .await;
    assert_eq!(stale.status, 400);
    assert!(stale
        .text(".form-error")
        .contains("expired or has already been used"));
}

#[tokio::test]
async fn sign_up_answers_the_same_for_a_registered_email_and_tells_its_owner() {
    let app = spawn_app().await;
    app.sign_up(&app.browser, "ken@example.com", PASSWORD).await;
    let other = app.new_browser();
    let fresh = other
        .post_form(
            "/signup",
            &[("email", "new@example.com"), ("password", PASSWORD)],
        )
        .await;
    let taken = other
        .post_form(
            "/signup",
            &[
                ("email", "ken@example.com"),
                ("password", "another long secret"),
            ],
        )
        .await;
    assert_eq!(
        (fresh.status(), location(&fresh)),
        (taken.status(), location(&taken))
    );
    let reminder = app
        .outbox()
        .into_iter()
        .rev()
        .find(|e| e.to_address == "ken@example.com")
        .unwrap();
    assert_eq!(reminder.subject, "You already have a Kaiwa account");
    let count: i64 = users::table
        .filter(users::email.eq("ken@example.com"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn bad_sign_up_input_gets_a_clear_message_and_writes_nothing() {
    let app = spawn_app().await;
    for (email, password, expected) in [
        ("not-an-email", PASSWORD, "valid email"),
        ("a@example.com", "short", "at least 10"),
        ("a@example.com", "password123", "most common"),
    ] {
        let page = app
            .browser
            .post_page("/signup", &[("email", email), ("password", password)])
            .await;
        assert_eq!(page.status, 422, "{email} / {password}");
        assert!(
            page.text(".form-error").contains(expected),
            "{}",
            page.text(".form-error")
        );
        assert_eq!(
            page.attrs("input[name=email]", "value"),
            vec![email.to_owned()],
            "the email is kept"
        );
        assert!(
            page.attrs("input[name=password]", "value").is_empty(),
            "the password is not echoed"
        );
    }
    let count: i64 = users::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(count, 0);
    assert!(app.outbox().is_empty());
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    app.sign_up(&app.new_browser(), "mia@example.com", PASSWORD)
        .await;
    let b = app.new_browser();
    let wrong = b
        .post_page(
            "/login",
            &[
                ("email", "mia@example.com"),
                ("password", "not the password"),
            ],
        )
        .await;
    let unknown = b
        .post_page(
            "/login",
            &[
                ("email", "nobody@example.com"),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.text(".form-error"), unknown.text(".form-error"));
    assert!(b.get("/account").await.status() == 303, "still signed out");

    let ok = b
        .post_form(
            "/login",
            &[
                ("email", "MIA@example.com"),
                ("password", PASSWORD),
                ("next", "/settings"),
            ],
        )
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(location(&ok), "/settings");
    assert_eq!(b.get("/account").await.status(), 200);
}

#[tokio::test]
async fn sign_in_refuses_to_redirect_off_site() {
    let app = spawn_app().await;
    app.sign_up(&app.new_browser(), "zoe@example.com", PASSWORD)
        .await;
    let b = app.new_browser();
    let res = b
        .post_form(
            "/login",
            &[
                ("email", "zoe@example.com"),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with('/') && !location(&res).starts_with("//"));
}

#[tokio::test]
async fn repeated_wrong_passwords_throttle_the_account_with_a_clear_message() {
    let app = spawn_app().await;
    app.sign_up(&app.new_browser(), "sam@example.com", PASSWORD)
        .await;
    let b = app.new_browser();
    for _ in 0..5 {
        let res = b
            .post_form(
                "/login",
                &[
                    ("email", "sam@example.com"),
                    ("password", "wrong wrong wrong"),
                ],
            )
            .await;
        assert_eq!(res.status(), 401);
    }
    let blocked = b
        .post_page(
            "/login",
            &[("email", "sam@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(blocked.status, 429, "even the right password waits");
    assert!(blocked.text(".form-error").contains("Too many attempts"));
    let keys: Vec<String> = rate_limits::table
        .select(rate_limits::key)
        .load(&mut app.conn())
        .unwrap();
    assert!(
        keys.iter().all(|k| !k.contains("sam@")),
        "no email in throttle keys: {keys:?}"
    );

    // Unknown accounts throttle the same way, so throttling reveals nothing either.
    for _ in 0..5 {
        b.post_form(
            "/login",
            &[
                ("email", "ghost@example.com"),
                ("password", "wrong wrong wrong"),
            ],
        )
        .await;
    }
    let ghost = b
        .post_form(
            "/login",
            &[
                ("email", "ghost@example.com"),
                ("password", "wrong wrong wrong"),
            ],
        )
        .await;
    assert_eq!(ghost.status(), 429);
}

#[tokio::test]
async fn password_reset_links_work_once_expire_and_sign_out_everywhere() {
    let app = spawn_app().await;
    let first = app.new_browser();
    let uid = app.sign_up(&first, "lea@example.com", PASSWORD).await;
    assert_eq!(first.get("/account").await.status(), 200);

    let b = app.new_browser();
    let known = b
        .post_form("/forgot-password", &[("email", "lea@example.com")])
        .await;
    let unknown = b
        .post_form("/forgot-password", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(
        (known.status(), location(&known)),
        (unknown.status(), location(&unknown))
    );
    assert!(app
        .outbox()
        .iter()
        .all(|e| e.to_address != "nobody@example.com"));

    let token = app.token_in_email("lea@example.com", "/reset-password?token=");
    let form = b.get_html(&format!("/reset-password?token={token}")).await;
    assert_eq!(form.status, 200);
    let weak = b
        .post_page(
            "/reset-password",
            &[("token", &token), ("password", "qwertyuiop")],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert_eq!(
        weak.attrs("input[name=token]", "value"),
        vec![token.clone()],
        "the form stays usable"
    );

    let done = b
        .post_form(
            "/reset-password",
            &[("token", &token), ("password", "a brand new sentence")],
        )
        .await;
    assert_eq!(done.status(), 303);
    assert_eq!(
        b.get("/account").await.status(),
        200,
        "the reset signs this browser in"
    );
    assert_eq!(
        first.get("/account").await.status(),
        303,
        "other sessions ended"
    );
    let live: i64 = sessions::table
        .filter(sessions::user_id.eq(&uid))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(live, 1);

    let reused = app
        .new_browser()
        .post_page(
            "/reset-password",
            &[("token", &token), ("password", "yet another sentence")],
        )
        .await;
    assert_eq!(reused.status, 400);

    // An expired link is refused.
    app.new_browser()
        .post_form("/forgot-password", &[("email", "lea@example.com")])
        .await;
    let expired = app.token_in_email("lea@example.com", "/reset-password?token=");
    diesel::update(auth_tokens::table.filter(auth_tokens::used_at.is_null()))
        .set(auth_tokens::expires_at.eq(Utc::now().naive_utc() - Duration::minutes(1)))
        .execute(&mut app.conn())
        .unwrap();
    let page = app
        .new_browser()
        .get_html(&format!("/reset-password?token={expired}"))
        .await;
    assert_eq!(page.status, 400);
    let old_password = app
        .new_browser()
        .post_form(
            "/login",
            &[("email", "lea@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old_password.status(), 401);
}

#[tokio::test]
async fn a_missing_or_wrong_csrf_token_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let fields = [("email", "eve@example.com"), ("password", PASSWORD)];
    let missing = b.post_form_without_csrf("/signup", &fields).await;
    assert_eq!(missing.status(), 403);
    let mut wrong: Vec<(&str, &str)> = fields.to_vec();
    wrong.push(("csrf_token", "0000"));
    let wrong = b
        .client
        .post(b.url("/signup"))
        .form(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let header_wrong = b
        .client
        .post(b.url("/onboarding"))
        .header("X-CSRF-Token", "nope")
        .form(&[("step", "language"), ("language", "ja")])
        .send()
        .await
        .unwrap();
    assert_eq!(header_wrong.status(), 403);

    // A valid token from another site's page is refused too.
    let token = b.csrf().await;
    let mut cross: Vec<(&str, &str)> = fields.to_vec();
    cross.push(("csrf_token", &token));
    let cross = b
        .client
        .post(b.url("/signup"))
        .header("Origin", "https://evil.example")
        .form(&cross)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);

    let users_count: i64 = users::table.count().get_result(&mut app.conn()).unwrap();
    let prefs: i64 = user_preferences::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!((users_count, prefs), (0, 0));
    assert!(app.outbox().is_empty());

    // Signed in, sign-out without a token does not sign out.
    app.sign_up(&b, "eve@example.com", PASSWORD).await;
    assert_eq!(b.post_form_without_csrf("/logout", &[]).await.status(), 403);
    assert_eq!(b.get("/account").await.status(), 200);
}

#[tokio::test]
async fn sessions_rotate_at_sign_in_and_expired_ones_are_refused_and_removed() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let uid = app.sign_up(&b, "ivy@example.com", PASSWORD).await;
    let before: Vec<Session> = sessions::table
        .select(Session::as_select())
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(before.len(), 1);
    let res = b
        .post_form(
            "/login",
            &[("email", "ivy@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("kaiwa_auth="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let after: Vec<Session> = sessions::table
        .select(Session::as_select())
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(after.len(), 1, "the old session ended");
    assert_ne!(after[0].id, before[0].id, "the id rotated");
    assert!(
        !cookie.contains(&after[0].id),
        "the cookie holds a token, not the stored hash"
    );

    diesel::update(sessions::table.filter(sessions::user_id.eq(&uid)))
        .set(sessions::expires_at.eq(Utc::now().naive_utc() - Duration::seconds(1)))
        .execute(&mut app.conn())
        .unwrap();
    let res = b.get("/account").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?next=%2Faccount");
    let left: i64 = sessions::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(left, 0, "the expired session is cleaned up");
}

#[tokio::test]
async fn sign_out_ends_this_session_and_sign_out_everywhere_ends_them_all() {
    let app = spawn_app().await;
    let (a, b, c) = (app.new_browser(), app.new_browser(), app.new_browser());
    let uid = app.sign_up(&a, "max@example.com", PASSWORD).await;
    for browser in [&b, &c] {
        let res = browser
            .post_form(
                "/login",
                &[("email", "max@example.com"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let count = |app: &TestApp| -> i64 {
        sessions::table
            .filter(sessions::user_id.eq(&uid))
            .count()
            .get_result(&mut app.conn())
            .unwrap()
    };
    assert_eq!(count(&app), 3);
    assert_eq!(a.post_form("/logout", &[]).await.status(), 303);
    assert_eq!(a.get("/account").await.status(), 303);
    assert_eq!(count(&app), 2);
    let listed = b.get_html("/account").await;
    assert_eq!(listed.texts("table.sessions tbody tr").len(), 2);
    assert_eq!(
        b.post_form("/account/sessions/revoke", &[]).await.status(),
        303
    );
    assert_eq!(c.get("/account").await.status(), 303);
    assert_eq!(count(&app), 0);
}

#[tokio::test]
async fn a_guests_work_moves_to_the_account_they_create() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let res = b
        .post_form("/onboarding", &[("step", "language"), ("language", "ja")])
        .await;
    assert_eq!(res.status(), 303);
    let res = b
        .post_form("/onboarding", &[("step", "goal"), ("goal", "Travel")])
        .await;
    assert_eq!(res.status(), 303);
    let guest: String = user_preferences::table
        .select(user_preferences::guest_id.assume_not_null())
        .first(&mut app.conn())
        .unwrap();
    diesel::sql_query(format!(
        "INSERT INTO conversations (id, guest_id, target_language_id, created_at, updated_at) \
         VALUES ('guest-convo', '{guest}', 'ja', '2026-11-27 10:00:00', '2026-11-27 10:00:00')"
    ))
    .execute(&mut app.conn())
    .unwrap();

    let uid = app.sign_up(&b, "gia@example.com", PASSWORD).await;
    let (owner, guest_left): (Option<String>, Option<String>) = user_preferences::table
        .select((user_preferences::user_id, user_preferences::guest_id))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(owner.as_deref(), Some(uid.as_str()));
    assert_eq!(guest_left, None);
    let (convo_owner, convo_guest): (Option<String>, Option<String>) = conversations::table
        .find("guest-convo")
        .select((conversations::user_id, conversations::guest_id))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(convo_owner.as_deref(), Some(uid.as_str()));
    assert_eq!(convo_guest, None);
    let settings = b.get_html("/settings").await;
    assert_eq!(
        settings.attrs("input[name=goal][checked]", "value"),
        vec!["Travel"]
    );
}

#[tokio::test]
async fn one_user_cannot_reach_another_users_sessions_or_preferences() {
    let app = spawn_app().await;
    let (a, b) = (app.new_browser(), app.new_browser());
    app.sign_up(&a, "ann@example.com", PASSWORD).await;
    app.sign_up(&b, "bob@example.com", PASSWORD).await;
    a.post_form("/onboarding", &[("step", "language"), ("language", "ja")])
        .await;
    b.post_form("/onboarding", &[("step", "language"), ("language", "fr")])
        .await;
    // Bob signing everyone out only signs Bob out.
    b.post_form("/account/sessions/revoke", &[]).await;
    assert_eq!(a.get("/account").await.status(), 200);
    let page = a.get_html("/settings").await;
    assert_eq!(
        page.attrs("select[name=language] option[selected]", "value"),
        vec!["ja"]
    );
    let account = a.get_html("/account").await;
    assert!(!account.text("main").contains("bob@example.com"));
    let export: serde_json::Value = a.get("/account/export").await.json().await.unwrap();
    assert_eq!(export["user"]["email"], "ann@example.com");
    assert!(export["user"].get("password_hash").is_none());
    assert_eq!(export["preferences"].as_array().unwrap().len(), 1);
    assert_eq!(export["preferences"][0]["target_language_id"], "ja");
}

#[tokio::test]
async fn deleting_an_account_leaves_no_row_of_that_user() {
    let app = spawn_app().await;
    let b = app.new_browser();
    let uid = app.sign_up(&b, "del@example.com", PASSWORD).await;
    b.post_form("/onboarding", &[("step", "language"), ("language", "es")])
        .await;
    let t = "2026-11-27 10:00:00";
    for sql in [
        format!("INSERT INTO conversations (id, user_id, target_language_id, created_at, updated_at) VALUES ('c1', '{uid}', 'es', '{t}', '{t}')"),
        format!("INSERT INTO messages (id, conversation_id, position, role, content, created_at, updated_at) VALUES ('m1', 'c1', 1, 'user', 'Hola', '{t}', '{t}')"),
        format!("INSERT INTO user_scenario_progress (user_id, scenario_id, created_at, updated_at) SELECT '{uid}', MIN(id), '{t}', '{t}' FROM scenarios"),
        format!("INSERT INTO user_usage (user_id, period, created_at, updated_at) VALUES ('{uid}', '2026-11', '{t}', '{t}')"),
        format!("INSERT INTO analytics_events (id, user_id, event_name, created_at) VALUES ('e1', '{uid}', 'signup', '{t}')"),
        format!("INSERT INTO scenarios (id, title, description, role, difficulty, difficulty_rating, cefr_level, instructions, context, persona, expected_outcome, comfort_indicators, primary_skill, estimated_duration_seconds, created_by_user_id, visibility, created_at, updated_at) VALUES ('mine', 'T', 'D', 'tutor', 'beginner', 1, 'A1', 'I', 'C', '{{}}', 'E', '{{}}', 'speaking', 300, '{uid}', 'private', '{t}', '{t}')"),
    ] {
        diesel::sql_query(sql).execute(&mut app.conn()).unwrap();
    }
    let wrong = b
        .post_page("/account/delete", &[("confirm", "someone@else.com")])
        .await;
    assert_eq!(wrong.status, 422);
    assert!(user(&app, "del@example.com").is_some());

    let res = b
        .post_form("/account/delete", &[("confirm", "del@example.com")])
        .await;
    assert_eq!(res.status(), 303);
    assert!(user(&app, "del@example.com").is_none());
    let mut conn = app.conn();
    for table in [
        "user_preferences",
        "sessions",
        "conversations",
        "user_scenario_progress",
        "user_usage",
        "analytics_events",
        "auth_tokens",
    ] {
        let n: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
            "SELECT COUNT(*) FROM {table} WHERE user_id = '{uid}'"
        ))
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    let messages: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "SELECT COUNT(*) FROM messages WHERE id = 'm1'",
    )
    .get_result(&mut conn)
    .unwrap();
    let authored: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "SELECT COUNT(*) FROM scenarios WHERE id = 'mine'",
    )
    .get_result(&mut conn)
    .unwrap();
    assert_eq!((messages, authored), (0, 0));
    assert!(app
        .outbox()
        .iter()
        .all(|e| e.to_address != "del@example.com"));
    assert_eq!(b.get("/account").await.status(), 303, "signed out");
}
