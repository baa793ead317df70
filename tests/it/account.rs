//! The account page: profile, email change, export, deletion.

use diesel::prelude::*;
use kaiwa::db::models::{User, UserPreferences};
use kaiwa::db::schema::{auth_tokens, sessions, user_preferences, users};
use kaiwa::db::DbConn;
use scraper::Html;

use crate::helpers::{spawn_app, Browser, Page, TestApp};

const PASSWORD: &str = "river otter breakfast";

const SETTINGS: [(&str, &str); 9] = [
    ("language", "ja"),
    ("goal", "Travel"),
    ("speaking", "25"),
    ("listening", "25"),
    ("reading", "25"),
    ("writing", "25"),
    ("challenge", "moderate"),
    ("correction", "gentle"),
    ("goals", "Order ramen"),
];

fn user(app: &TestApp, id: &str) -> Option<User> {
    let conn: &mut DbConn = &mut app.conn();
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
        .unwrap()
}

fn prefs_of(app: &TestApp, user_id: &str) -> Vec<UserPreferences> {
    let conn: &mut DbConn = &mut app.conn();
    user_preferences::table
        .filter(user_preferences::user_id.eq(user_id))
        .select(UserPreferences::as_select())
        .load(conn)
        .unwrap()
}

fn session_ids(app: &TestApp, user_id: &str) -> Vec<String> {
    let conn: &mut DbConn = &mut app.conn();
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .select(sessions::id)
        .load(conn)
        .unwrap()
}

fn token_ids(app: &TestApp, user_id: &str) -> Vec<String> {
    let conn: &mut DbConn = &mut app.conn();
    auth_tokens::table
        .filter(auth_tokens::user_id.eq(user_id))
        .select(auth_tokens::id)
        .load(conn)
        .unwrap()
}

fn emails_to(app: &TestApp, to: &str) -> usize {
    app.outbox().iter().filter(|e| e.to_address == to).count()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A parsed page and its raw body.
async fn raw(res: reqwest::Response) -> (Page, String) {
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.text().await.expect("a body");
    let html = Html::parse_document(&body);
    (
        Page {
            status,
            headers,
            html,
        },
        body,
    )
}

/// A complete profile form.
fn profile<'a>(
    display_name: &'a str,
    username: &'a str,
    avatar_url: &'a str,
    native: &'a str,
    ui: &'a str,
) -> [(&'a str, &'a str); 5] {
    [
        ("display_name", display_name),
        ("username", username),
        ("avatar_url", avatar_url),
        ("native_language", native),
        ("ui_language", ui),
    ]
}

async fn save_profile(b: &Browser, fields: &[(&str, &str)]) {
    let res = b.post_form("/account", fields).await;
    assert_eq!(res.status(), 303, "{fields:?}");
    assert_eq!(location(&res), "/account");
}

#[tokio::test]
async fn the_account_pages_need_a_signed_in_user() {
    let app = spawn_app().await;
    let b = app.new_browser();

    let res = b.get("/account").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?next=%2Faccount");
    let res = b.get("/account/export").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?next=%2Faccount%2Fexport");

    for (path, fields) in [
        ("/account", [("display_name", "Mallory")]),
        ("/account/email", [("email", "mallory@example.com")]),
        ("/account/delete", [("confirm", "mallory@example.com")]),
    ] {
        let res = b.post_form(path, &fields).await;
        assert_eq!(res.status(), 303, "{path}");
        assert!(location(&res).starts_with("/login?next="), "{path}");
    }
    assert!(app.outbox().is_empty(), "nothing was sent");

    // A signed-in user without the CSRF token is refused too.
    let signed_in = app.new_browser();
    let uid = app.sign_up(&signed_in, "aiko@example.com", PASSWORD).await;
    let before = user(&app, &uid).unwrap();
    let res = signed_in
        .post_form_without_csrf("/account", &profile("Mallory", "mallory", "", "", ""))
        .await;
    assert_eq!(res.status(), 403);
    let res = signed_in
        .post_form_without_csrf("/account/delete", &[("confirm", "aiko@example.com")])
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(user(&app, &uid), Some(before));
}

#[tokio::test]
async fn a_profile_update_is_saved_and_a_taken_username_is_refused() {
    let app = spawn_app().await;
    let a = &app.browser;
    let uid_a = app.sign_up(a, "aiko@example.com", PASSWORD).await;

    let page = a.get_html("/account").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.text("h1"), "Your account");
    assert!(page
        .texts("#email-heading + p strong")
        .contains(&"aiko@example.com".to_owned()));
    assert_eq!(page.attrs("input#display_name", "value"), vec![""]);
    assert_eq!(
        page.attrs("select#native_language option[selected]", "value"),
        vec![""],
        "Not set"
    );

    save_profile(
        a,
        &profile(
            " Aiko Tanaka ",
            "Aiko_T",
            "https://example.com/aiko.png",
            "ja",
            "en",
        ),
    )
    .await;
    let page = a.get_html("/account").await;
    assert!(page.text(".flash").contains("Your profile is saved."));
    assert_eq!(
        page.attrs("input#display_name", "value"),
        vec!["Aiko Tanaka"]
    );
    assert_eq!(page.attrs("input#username", "value"), vec!["aiko_t"]);
    assert_eq!(
        page.attrs("input#avatar_url", "value"),
        vec!["https://example.com/aiko.png"]
    );
    assert_eq!(
        page.attrs("select#native_language option[selected]", "value"),
        vec!["ja"]
    );
    assert_eq!(
        page.attrs("select#ui_language option[selected]", "value"),
        vec!["en"]
    );
    assert_eq!(page.text(".nav-account a[href='/account']"), "Aiko Tanaka");

    let row = user(&app, &uid_a).unwrap();
    assert_eq!(row.display_name.as_deref(), Some("Aiko Tanaka"));
    assert_eq!(row.username.as_deref(), Some("aiko_t"));
    assert_eq!(
        row.avatar_url.as_deref(),
        Some("https://example.com/aiko.png")
    );
    assert_eq!(row.native_language_id.as_deref(), Some("ja"));
    assert_eq!(row.preferred_ui_language_id.as_deref(), Some("en"));
    assert_eq!(
        row.email, "aiko@example.com",
        "the profile form leaves the email"
    );

    let b = app.new_browser();
    let uid_b = app.sign_up(&b, "ben@example.com", PASSWORD).await;
    let before_b = user(&app, &uid_b).unwrap();
    for taken in ["aiko_t", "AIKO_T", " aiko_t "] {
        let page = b
            .post_page("/account", &profile("Ben", taken, "", "es", ""))
            .await;
        assert_eq!(page.status, 422, "{taken:?}");
        assert!(page.text("p.form-error").contains("taken"), "{taken:?}");
        assert_eq!(user(&app, &uid_b).as_ref(), Some(&before_b), "{taken:?}");
    }
    save_profile(&b, &profile("Ben", "ben_s", "", "es", "")).await;
    assert_eq!(
        user(&app, &uid_b).unwrap().username.as_deref(),
        Some("ben_s")
    );

    // Keeping one's own username is not "taken"; clearing fields clears them.
    save_profile(a, &profile("", "aiko_t", "", "", "")).await;
    let row = user(&app, &uid_a).unwrap();
    assert_eq!(row.username.as_deref(), Some("aiko_t"));
    assert_eq!(row.display_name, None);
    assert_eq!(row.avatar_url, None);
    assert_eq!(row.native_language_id, None);
    let page = a.get_html("/account").await;
    assert_eq!(page.text(".nav-account a[href='/account']"), "aiko_t");
}

#[tokio::test]
async fn bad_profile_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let b = &app.browser;
    let uid = app.sign_up(b, "aiko@example.com", PASSWORD).await;
    save_profile(
        b,
        &profile("Aiko", "aiko", "https://example.com/a.png", "ja", "en"),
    )
    .await;
    let before = user(&app, &uid).unwrap();

    let long_name = "n".repeat(81);
    let long_username = "u".repeat(31);
    let cases = [
        profile("Ken", "aiko", "http://example.com/a.png", "ja", "en"),
        profile("Ken", "aiko", "javascript:alert(1)", "ja", "en"),
        profile("Ken", "aiko", "not a url", "ja", "en"),
        profile("Ken", "ab", "", "ja", "en"),
        profile("Ken", "has space", "", "ja", "en"),
        profile("Ken", "dash-ed", "", "ja", "en"),
        profile("Ken", &long_username, "", "ja", "en"),
        profile(&long_name, "aiko", "", "ja", "en"),
        profile("Ken", "aiko", "", "xx", "en"),
        profile("Ken", "aiko", "", "ja", "zz"),
    ];
    for fields in cases {
        let page = b.post_page("/account", &fields).await;
        assert_eq!(page.status, 422, "{fields:?}");
        assert!(!page.text("p.form-error").is_empty(), "{fields:?}");
        assert_eq!(page.text("h1"), "Your account");
        assert_eq!(user(&app, &uid).as_ref(), Some(&before), "{fields:?}");
    }
    let page = b
        .post_page(
            "/account",
            &profile("Ken", "aiko", "http://example.com/a.png", "", ""),
        )
        .await;
    assert_eq!(
        page.text("p.form-error"),
        "The avatar must be an https:// image address."
    );
}

#[tokio::test]
async fn a_display_name_is_shown_as_text_never_as_markup() {
    let app = spawn_app().await;
    let b = &app.browser;
    let uid = app.sign_up(b, "aiko@example.com", PASSWORD).await;
    let evil = "<script>alert(1)</script>";
    save_profile(b, &profile(evil, "", "", "", "")).await;
    assert_eq!(
        user(&app, &uid).unwrap().display_name.as_deref(),
        Some(evil)
    );

    // The home page (`/`) is left out of the name check: it never shows who is signed in
    // (see `after_deleting_the_account_the_home_page_says_so`).
    for path in ["/account", "/settings", "/", "/onboarding", "/scenarios"] {
        let (page, body) = raw(b.get(path).await).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            page.texts("script").iter().all(|s| !s.contains("alert")),
            "{path} runs no injected script"
        );
        assert!(!body.contains(evil), "{path} has the raw markup");
        if path != "/" {
            assert_eq!(
                page.text(".nav-account a[href='/account']"),
                evil,
                "{path} shows the name as text"
            );
        }
    }
    let page = b.get_html("/account").await;
    assert_eq!(page.attrs("input#display_name", "value"), vec![evil]);

    // An attribute-breaking name stays inside its attribute.
    let quote = "\"><img src=x onerror=alert(1)>";
    save_profile(b, &profile(quote, "", "", "", "")).await;
    let page = b.get_html("/account").await;
    assert!(page.attrs("img", "onerror").is_empty());
    assert_eq!(page.attrs("input#display_name", "value"), vec![quote]);
}

#[tokio::test]
async fn an_email_change_takes_effect_only_through_the_link_sent_to_the_new_address() {
    let app = spawn_app().await;
    let b = &app.browser;
    let uid = app.sign_up(b, "aiko@example.com", PASSWORD).await;

    for bad in ["not-an-email", "aiko@example.com", " AIKO@example.com "] {
        let page = b.post_page("/account/email", &[("email", bad)]).await;
        assert_eq!(page.status, 422, "{bad:?}");
        assert!(!page.text("p.form-error").is_empty(), "{bad:?}");
    }

    let res = b
        .post_form("/account/email", &[("email", " Aiko.Old@Example.com ")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/account");
    let first_token = app.token_in_email("aiko.old@example.com", "/account/confirm-email?token=");
    assert_eq!(user(&app, &uid).unwrap().email, "aiko@example.com");
    let page = b.get_html("/account").await;
    assert!(page.text(".flash").contains("aiko.old@example.com"));
    assert!(page
        .texts("#email-heading + p strong")
        .contains(&"aiko@example.com".to_owned()));

    // A newer request replaces the older link.
    let res = b
        .post_form("/account/email", &[("email", "aiko.new@example.com")])
        .await;
    assert_eq!(res.status(), 303);
    let token = app.token_in_email("aiko.new@example.com", "/account/confirm-email?token=");
    assert_ne!(token, first_token);
    let stale = b
        .post_page("/account/confirm-email", &[("token", &first_token)])
        .await;
    assert_eq!(stale.status, 400, "the older link no longer works");
    assert_eq!(user(&app, &uid).unwrap().email, "aiko@example.com");

    let form = b
        .get_html(&format!("/account/confirm-email?token={token}"))
        .await;
    assert_eq!(form.status, 200);
    assert_eq!(
        form.attrs("input[name=token]", "value"),
        vec![token.clone()]
    );
    assert_eq!(
        user(&app, &uid).unwrap().email,
        "aiko@example.com",
        "showing the form changes nothing"
    );

    let res = b
        .post_form("/account/confirm-email", &[("token", &token)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/account");
    let row = user(&app, &uid).unwrap();
    assert_eq!(row.email, "aiko.new@example.com");
    assert!(row.email_verified_at.is_some());
    let page = b.get_html("/account").await;
    assert!(page
        .texts("#email-heading + p strong")
        .contains(&"aiko.new@example.com".to_owned()));

    let again = b
        .post_page("/account/confirm-email", &[("token", &token)])
        .await;
    assert_eq!(again.status, 400);
    assert!(!again.text("p.form-error").is_empty());
    let shown = b
        .get(&format!("/account/confirm-email?token={token}"))
        .await;
    assert_eq!(shown.status(), 400);
    assert_eq!(user(&app, &uid).unwrap().email, "aiko.new@example.com");

    let fresh = app.new_browser();
    let login = fresh
        .post_form(
            "/login",
            &[("email", "aiko.new@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login.status(), 303, "the new address signs in");
    let old = app
        .new_browser()
        .post_form(
            "/login",
            &[("email", "aiko@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_ne!(old.status(), 303, "the old address no longer does");
}

#[tokio::test]
async fn an_email_change_to_an_address_someone_owns_answers_the_same_and_sends_nothing() {
    let app = spawn_app().await;
    let a = &app.browser;
    let uid_a = app.sign_up(a, "aiko@example.com", PASSWORD).await;
    let b = app.new_browser();
    let uid_b = app.sign_up(&b, "ben@example.com", PASSWORD).await;
    let to_ben = emails_to(&app, "ben@example.com");

    let res = a
        .post_form("/account/email", &[("email", "Ben@Example.com")])
        .await;
    assert_eq!(res.status(), 303, "the same answer as for a free address");
    assert_eq!(location(&res), "/account");
    let page = a.get_html("/account").await;
    assert!(page.text(".flash").contains("ben@example.com"));
    assert_eq!(
        emails_to(&app, "ben@example.com"),
        to_ben,
        "nothing sent to Ben"
    );
    assert!(
        !app.outbox()
            .iter()
            .any(|e| e.body_text.contains("/account/confirm-email")),
        "no change link anywhere"
    );
    assert_eq!(user(&app, &uid_a).unwrap().email, "aiko@example.com");
    assert_eq!(user(&app, &uid_b).unwrap().email, "ben@example.com");

    // An address someone registers after the link was sent can't be taken with it.
    let res = a
        .post_form("/account/email", &[("email", "free@example.com")])
        .await;
    assert_eq!(res.status(), 303);
    let token = app.token_in_email("free@example.com", "/account/confirm-email?token=");
    let c = app.new_browser();
    let uid_c = app.sign_up(&c, "free@example.com", PASSWORD).await;
    let page = a
        .post_page("/account/confirm-email", &[("token", &token)])
        .await;
    assert_eq!(page.status, 400);
    assert_eq!(user(&app, &uid_a).unwrap().email, "aiko@example.com");
    assert_eq!(user(&app, &uid_c).unwrap().email, "free@example.com");
}

#[tokio::test]
async fn the_data_export_holds_the_users_data_and_no_secrets() {
    let app = spawn_app().await;
    let a = &app.browser;
    let uid = app.sign_up(a, "aiko@example.com", PASSWORD).await;
    assert_eq!(a.post_form("/settings", &SETTINGS).await.status(), 303);
    save_profile(a, &profile("Aiko", "aiko", "", "en", "")).await;
    let b = app.new_browser();
    app.sign_up(&b, "ben@example.com", PASSWORD).await;
    let mut ben_settings = SETTINGS;
    ben_settings[0] = ("language", "es");
    ben_settings[8] = ("goals", "Haggle at the rastro");
    assert_eq!(b.post_form("/settings", &ben_settings).await.status(), 303);

    let res = a.get("/account/export").await;
    assert_eq!(res.status(), 200);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("content-type").starts_with("application/json"));
    assert!(
        header("content-disposition").starts_with("attachment"),
        "{}",
        header("content-disposition")
    );
    assert_eq!(header("cache-control"), "no-store");
    let body = res.text().await.unwrap();
    let data: serde_json::Value = serde_json::from_str(&body).expect("JSON");

    assert_eq!(data["user"]["id"], uid.as_str());
    assert_eq!(data["user"]["email"], "aiko@example.com");
    assert_eq!(data["user"]["display_name"], "Aiko");
    assert_eq!(data["user"]["native_language_id"], "en");
    let user_keys = data["user"].as_object().expect("a user object");
    assert!(!user_keys.contains_key("password_hash"), "{user_keys:?}");
    assert!(!body.contains("password_hash"));
    assert!(!body.contains("$argon2"), "no password hash anywhere");

    let prefs = data["preferences"].as_array().expect("preferences");
    assert_eq!(prefs.len(), 1);
    assert_eq!(prefs[0]["target_language_id"], "ja");
    assert_eq!(prefs[0]["user_id"], uid.as_str());
    assert_eq!(
        prefs[0]["specific_goals"],
        serde_json::json!(["Order ramen"])
    );
    for key in ["conversations", "messages", "sessions"] {
        assert!(data[key].is_array(), "{key}");
    }
    assert!(!data["sessions"].as_array().unwrap().is_empty());

    for secret in session_ids(&app, &uid)
        .into_iter()
        .chain(token_ids(&app, &uid))
    {
        assert!(!body.contains(&secret), "a token hash leaked");
    }
    assert!(!body.contains("ben@example.com"));
    assert!(!body.contains("Haggle"), "nothing of another user");

    // The download link is on the account page.
    let page = a.get_html("/account").await;
    assert_eq!(page.attrs("a[download]", "href"), vec!["/account/export"]);
}

#[tokio::test]
async fn deleting_the_account_needs_the_email_typed_and_then_removes_everything() {
    let app = spawn_app().await;
    let a = &app.browser;
    let uid = app.sign_up(a, "aiko@example.com", PASSWORD).await;
    assert_eq!(a.post_form("/settings", &SETTINGS).await.status(), 303);
    let b = app.new_browser();
    let uid_b = app.sign_up(&b, "ben@example.com", PASSWORD).await;
    assert_eq!(b.post_form("/settings", &SETTINGS).await.status(), 303);

    for wrong in ["", "ben@example.com", "aiko@example", "delete"] {
        let page = a.post_page("/account/delete", &[("confirm", wrong)]).await;
        assert_eq!(page.status, 422, "{wrong:?}");
        assert!(!page.text("p.form-error").is_empty(), "{wrong:?}");
        assert!(user(&app, &uid).is_some(), "{wrong:?} deleted nothing");
        assert_eq!(prefs_of(&app, &uid).len(), 1);
    }

    let res = a
        .post_form("/account/delete", &[("confirm", " AIKO@example.com ")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    assert!(
        res.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|c| c.starts_with("kaiwa_auth=")),
        "the login cookie is removed"
    );

    assert_eq!(user(&app, &uid), None);
    assert!(prefs_of(&app, &uid).is_empty());
    assert!(session_ids(&app, &uid).is_empty());
    assert!(token_ids(&app, &uid).is_empty());
    assert_eq!(emails_to(&app, "aiko@example.com"), 0);

    let res = a.get("/account").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?next=%2Faccount");
    let login = app
        .new_browser()
        .post_form(
            "/login",
            &[("email", "aiko@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_ne!(login.status(), 303, "the account can no longer sign in");

    // The other user is untouched.
    assert!(user(&app, &uid_b).is_some());
    assert_eq!(prefs_of(&app, &uid_b).len(), 1);
    assert_eq!(b.get("/account").await.status(), 200);
}

#[tokio::test]
async fn after_deleting_the_account_the_home_page_says_so() {
    let app = spawn_app().await;
    let a = &app.browser;
    app.sign_up(a, "aiko@example.com", PASSWORD).await;
    save_profile(a, &profile("Aiko", "", "", "", "")).await;
    let signed_in_home = a.get_html("/").await;
    let nav = signed_in_home.texts(".nav-account a");

    let res = a
        .post_form("/account/delete", &[("confirm", "aiko@example.com")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");

    let home = a.get_html("/").await;
    let on_home = home.texts(".flash");
    let later = a.get_html("/scenarios").await.texts(".flash");
    assert!(
        on_home.iter().any(|f| f.contains("deleted")),
        "the deletion message shows on the page the user is sent to; `/` showed {on_home:?}, \
         the next page (/scenarios) showed {later:?}; while signed in, `/`'s nav was {nav:?}"
    );
}

#[tokio::test]
async fn the_account_page_names_devices_and_marks_this_one() {
    let app = spawn_app().await;
    let id = app.create_user("devices@example.com");
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    let other = kaiwa::app::accounts::start_session(
        &mut app.conn(),
        &id,
        None,
        None,
        Some("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1".into()),
        chrono::Utc::now().naive_utc(),
    )
    .unwrap();
    assert!(!other.is_empty());
    let token = kaiwa::app::accounts::start_session(
        &mut app.conn(),
        &id,
        None,
        None,
        Some(firefox.into()),
        chrono::Utc::now().naive_utc(),
    )
    .unwrap();
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    jar.add_cookie_str(
        &format!("kaiwa_auth={token}; Path=/"),
        &app.address.parse::<reqwest::Url>().unwrap(),
    );
    let client = reqwest::Client::builder()
        .cookie_provider(jar)
        .user_agent(firefox)
        .build()
        .unwrap();
    let html = client
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let page = scraper::Html::parse_document(&html);
    let rows: Vec<String> = page
        .select(&scraper::Selector::parse("table.sessions td:first-child").unwrap())
        .map(|e| e.text().collect::<String>())
        .collect();
    assert!(rows.iter().any(|r| r == "Safari on iPhone"), "{rows:?}");
    assert!(
        rows.iter().any(|r| r == "Firefox on Linux (this device)"),
        "{rows:?}"
    );
    assert!(!html.contains("Gecko/20100101"), "no raw user agents");
}
