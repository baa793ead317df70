//! The test harness: `spawn_app()` runs the real application on port 0 against a fresh
//! database — a temporary SQLite file, or, when `KAIWA_TEST_POSTGRES_URL` is set, a fresh
//! PostgreSQL schema that is dropped afterwards — and returns a `TestApp` that reads like a
//! small client.

use std::path::PathBuf;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use kaiwa::app::SettableClock;
use kaiwa::config::Settings;
use kaiwa::db::conn::{DatabaseTarget, DbPool, PooledConn};
use kaiwa::db::models::OutboxEmail;
use kaiwa::db::queries;
use kaiwa::startup::Application;
use reqwest::StatusCode;
use scraper::{Html, Selector};

/// A database made for one test, removed when dropped.
pub struct TestDb {
    pub target: DatabaseTarget,
    pub dir: tempfile::TempDir,
    pg_schema: Option<(String, String)>,
}

impl TestDb {
    /// A fresh, empty database on the backend this run tests.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        match std::env::var("KAIWA_TEST_POSTGRES_URL") {
            Ok(base) if !base.trim().is_empty() => {
                let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
                let mut admin =
                    PgConnection::establish(&base).expect("KAIWA_TEST_POSTGRES_URL answers");
                admin
                    .batch_execute(&format!("CREATE SCHEMA {schema}"))
                    .expect("create schema");
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!(
                    "{base}{sep}options=-csearch_path%3D{schema}&application_name={schema}"
                );
                Self {
                    target: DatabaseTarget::Postgres(url),
                    dir,
                    pg_schema: Some((base, schema)),
                }
            }
            _ => {
                let path = dir.path().join("kaiwa.db");
                Self {
                    target: DatabaseTarget::Sqlite(path),
                    dir,
                    pg_schema: None,
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg_schema.is_some()
    }

    /// Settings for an app on this database.
    pub fn settings(&self) -> Settings {
        Settings::for_tests(PathBuf::from(self.dir.path()), self.target.clone())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.pg_schema {
            if let Ok(mut admin) = PgConnection::establish(base) {
                // why: the app's server threads outlive the test; end their connections so a
                // long run never exhausts PostgreSQL's connection slots.
                let _ = admin.batch_execute(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{schema}'; \
                     DROP SCHEMA IF EXISTS {schema} CASCADE"
                ));
            }
        }
    }
}

/// A running application and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pool: DbPool,
    pub db: TestDb,
    /// The default browser (shares `client`'s cookie jar).
    pub browser: Browser,
    /// The app's clock: `app.clock.advance(Duration::days(1))` is tomorrow for the app.
    pub clock: std::sync::Arc<SettableClock>,
    /// The app's use-case context (jobs run through it).
    pub ctx: kaiwa::app::Ctx,
}

/// One browser: its own cookie jar (sessions, guest id, CSRF token).
pub struct Browser {
    pub client: reqwest::Client,
    address: String,
    csrf: std::sync::Mutex<Option<String>>,
}

fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("a client")
}

pub async fn parse(res: reqwest::Response) -> Page {
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.text().await.expect("a body");
    Page {
        status,
        headers,
        html: Html::parse_document(&body),
    }
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        let res = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("the request is answered");
        self.forget_rotated_token(&res);
        res
    }

    pub async fn get_html(&self, path: &str) -> Page {
        parse(self.get(path).await).await
    }

    /// The app rotates the CSRF token whenever the login cookie is set or removed; the
    /// cached one is then stale.
    fn forget_rotated_token(&self, res: &reqwest::Response) {
        let account_changed = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap_or_default().starts_with("kaiwa_auth="));
        if account_changed {
            *self.csrf.lock().unwrap() = None;
        }
    }

    /// This browser's CSRF token, read once from a page's form.
    pub async fn csrf(&self) -> String {
        if let Some(token) = self.csrf.lock().unwrap().clone() {
            return token;
        }
        let page = self.get_html("/forgot-password").await;
        let token = page
            .attrs("input[name=csrf_token]", "value")
            .into_iter()
            .next()
            .expect("a CSRF token on the page");
        *self.csrf.lock().unwrap() = Some(token.clone());
        token
    }

    /// Starts a conversation with `scenario` (empty: a free one) in `language`, as the
    /// "new conversation" form does; the conversation's path.
    pub async fn start_conversation(&self, scenario: &str, language: &str) -> String {
        let fields = [
            ("scenario_id", scenario),
            ("language", language),
            ("mode", "traditional"),
        ];
        let res = self.post_form("/conversations", &fields).await;
        assert_eq!(res.status(), 303, "starting answers with a redirect");
        res.headers()["location"].to_str().unwrap().to_owned()
    }

    /// POSTs a form with this browser's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        let res = self
            .client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .expect("the request is answered");
        self.forget_rotated_token(&res);
        res
    }

    /// GETs `path` as htmx does (`HX-Request` set).
    pub async fn htmx_get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("HX-Request", "true")
            .send()
            .await
            .expect("the request is answered")
    }

    /// POSTs a form as htmx does: the token in the `X-CSRF-Token` header, `HX-Request` set.
    pub async fn htmx_post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().await;
        let res = self
            .client
            .post(self.url(path))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", token)
            .form(fields)
            .send()
            .await
            .expect("the request is answered");
        self.forget_rotated_token(&res);
        res
    }

    /// POSTs a form with no CSRF token at all.
    pub async fn post_form_without_csrf(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("the request is answered")
    }

    pub async fn post_page(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        parse(self.post_form(path, fields).await).await
    }
}

/// Starts the app on a fresh, seeded database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|settings| settings.seed_on_start = true).await
}

/// Starts the app on a fresh database after `adjust` has changed the test settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDb::new();
    let mut settings = db.settings();
    adjust(&mut settings);
    start(db, settings)
}

/// Starts an app with exactly these settings on an existing database.
pub fn start(db: TestDb, settings: Settings) -> TestApp {
    // why: `RUST_LOG=warn cargo test -- --nocapture` then shows the app's logs.
    if std::env::var_os("RUST_LOG").is_some() {
        kaiwa::telemetry::init();
    }
    let clock = std::sync::Arc::new(SettableClock::running());
    let app = Application::build_with_clock(settings, clock.clone()).expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool();
    let ctx = app.ctx();
    tokio::spawn(app.run_until_stopped());
    let client = new_client();
    let browser = Browser {
        client: client.clone(),
        address: address.clone(),
        csrf: Default::default(),
    };
    TestApp {
        address,
        client,
        pool,
        db,
        browser,
        clock,
        ctx,
    }
}

/// A parsed page with its status and headers.
pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub html: Html,
}

impl Page {
    /// Every element matching `selector`, as trimmed text.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = Selector::parse(selector).expect("a valid selector");
        self.html
            .select(&sel)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The first match's text; panics with the selector when there is none.
    pub fn text(&self, selector: &str) -> String {
        self.texts(selector)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("nothing matches `{selector}`"))
    }

    /// An attribute of every element matching `selector`.
    pub fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        let sel = Selector::parse(selector).expect("a valid selector");
        self.html
            .select(&sel)
            .filter_map(|e| e.value().attr(attr).map(str::to_owned))
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    /// Runs every job due now (by the app's clock) until none is; returns how many attempts ran.
    pub async fn run_jobs_until_idle(&self) -> usize {
        kaiwa::jobs::run_until_idle(&self.ctx, &kaiwa::jobs::Registry::standard())
            .await
            .expect("the job queue answers")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the request is answered")
    }

    /// GETs `path` and parses the answer as HTML.
    pub async fn get_html(&self, path: &str) -> Page {
        parse(self.get(path).await).await
    }

    /// A browser already signed in as `user_id` (a session made directly, no password).
    pub fn browser_for(&self, user_id: &str) -> Browser {
        let token = kaiwa::app::accounts::start_session(
            &mut self.conn(),
            user_id,
            None,
            None,
            None,
            kaiwa::app::Clock::naive(&*self.clock),
        )
        .expect("a session");
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        jar.add_cookie_str(
            &format!("kaiwa_auth={token}; Path=/"),
            &self.address.parse::<reqwest::Url>().unwrap(),
        );
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar)
            .build()
            .expect("a client");
        Browser {
            client,
            address: self.address.clone(),
            csrf: Default::default(),
        }
    }

    /// Inserts a verified user directly (no password hashing); returns the id.
    pub fn create_user(&self, email: &str) -> String {
        let now = chrono::Utc::now().naive_utc();
        let user = kaiwa::db::models::NewUser {
            id: kaiwa::db::new_id(),
            email: email.to_owned(),
            email_verified_at: Some(now),
            password_hash: None,
            google_id: None,
            display_name: None,
            username: None,
            avatar_url: None,
            stripe_customer_id: None,
            native_language_id: None,
            preferred_ui_language_id: None,
            is_admin: false,
            last_login_at: None,
            created_at: now,
            updated_at: now,
            time_zone: "UTC".into(),
        };
        queries::users::insert(&mut self.conn(), &user).expect("a user");
        user.id
    }

    /// A new browser with an empty cookie jar.
    pub fn new_browser(&self) -> Browser {
        Browser {
            client: new_client(),
            address: self.address.clone(),
            csrf: Default::default(),
        }
    }

    /// Every email in the outbox, oldest first.
    pub fn outbox(&self) -> Vec<OutboxEmail> {
        let mut all = queries::mail::list_recent(&mut self.conn(), 1000).expect("the outbox");
        all.reverse();
        all
    }

    /// The newest link to `path` in an email to `to`.
    pub fn link_in_email(&self, to: &str, path: &str) -> String {
        let email = self
            .outbox()
            .into_iter()
            .rev()
            .find(|e| e.to_address == to && e.body_text.contains(path))
            .unwrap_or_else(|| panic!("no email to {to} with a {path} link"));
        let start = email.body_text.find(path).expect("the link's path");
        email.body_text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect()
    }

    /// The token of the newest `path` link emailed to `to`.
    pub fn token_in_email(&self, to: &str, path: &str) -> String {
        let link = self.link_in_email(to, path);
        link.split("token=")
            .nth(1)
            .expect("a token in the link")
            .to_owned()
    }

    /// Signs `email` up in `browser`, confirms the emailed link, and leaves it signed in.
    pub async fn sign_up(&self, browser: &Browser, email: &str, password: &str) -> String {
        let res = browser
            .post_form(
                "/signup",
                &[
                    ("email", email),
                    ("password", password),
                    ("display_name", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "sign-up answers with a redirect");
        let token = self.token_in_email(email, "/verify-email?token=");
        let res = browser
            .post_form("/verify-email", &[("token", &token)])
            .await;
        assert_eq!(res.status(), 303, "the link signs in");
        self.user_id(email)
    }

    /// The id of the user with this email.
    pub fn user_id(&self, email: &str) -> String {
        queries::users::find_by_email(&mut self.conn(), email)
            .unwrap()
            .expect("the user exists")
            .id
    }

    /// A connection to the app's database, for checking rows.
    pub fn conn(&self) -> PooledConn {
        self.pool.get().expect("a database connection")
    }
}

/// How many rows every table holds, by table name: compared before and after a request to
/// prove it wrote nothing.
pub fn row_counts(app: &TestApp) -> Vec<(&'static str, i64)> {
    use diesel::prelude::*;
    use kaiwa::db::schema::*;
    let mut conn = app.conn();
    macro_rules! counts {
        ($($t:ident),*) => {
            vec![$((stringify!($t), $t::table.count().get_result::<i64>(&mut conn).expect("a count"))),*]
        };
    }
    counts!(
        languages,
        speakers,
        users,
        user_preferences,
        sessions,
        scenarios,
        scenario_labels,
        scenario_metadata,
        user_scenario_progress,
        conversations,
        messages,
        tiers,
        subscriptions,
        payments,
        user_usage,
        conversation_sessions,
        analytics_events,
        learning_paths,
        learning_path_assignments,
        learning_path_previews,
        scenario_generation_queue,
        auth_tokens,
        email_outbox,
        rate_limits,
        stripe_events
    )
}

/// A learner made by [`TestApp::learner`]: their id and a browser signed in as them.
pub struct Learner {
    pub id: String,
    pub browser: Browser,
}

/// Builds a learner: `app.learner().onboarded("ja").create().await`.
pub struct LearnerBuilder<'a> {
    app: &'a TestApp,
    email: Option<String>,
    language: Option<String>,
}

impl LearnerBuilder<'_> {
    /// The learner's email (default: a fresh one).
    pub fn email(mut self, email: &str) -> Self {
        self.email = Some(email.to_owned());
        self
    }

    /// The learner has saved preferences for `language` (through the settings form).
    pub fn onboarded(mut self, language: &str) -> Self {
        self.language = Some(language.to_owned());
        self
    }

    pub async fn create(self) -> Learner {
        let email = self
            .email
            .unwrap_or_else(|| format!("learner-{}@example.com", uuid::Uuid::now_v7().simple()));
        let id = self.app.create_user(&email);
        let browser = self.app.browser_for(&id);
        if let Some(language) = self.language {
            let res = browser
                .post_form(
                    "/settings",
                    &[
                        ("language", language.as_str()),
                        ("goal", "Travel"),
                        ("speaking", "30"),
                        ("listening", "40"),
                        ("reading", "30"),
                        ("writing", "20"),
                        ("challenge", "moderate"),
                        ("correction", "gentle"),
                        ("goals", ""),
                    ],
                )
                .await;
            assert_eq!(res.status(), 303, "the settings are saved");
        }
        Learner { id, browser }
    }
}

/// Builds a conversation: `app.conversation(&learner).with_messages(10).create().await`.
pub struct ConversationBuilder<'a> {
    learner: &'a Learner,
    scenario: String,
    language: String,
    messages: usize,
}

impl ConversationBuilder<'_> {
    /// The scenario (default: ordering ramen in Osaka, in Japanese).
    pub fn scenario(mut self, scenario: &str, language: &str) -> Self {
        self.scenario = scenario.to_owned();
        self.language = language.to_owned();
        self
    }

    /// The learner sends `n` messages (each answered by the partner).
    pub fn with_messages(mut self, n: usize) -> Self {
        self.messages = n;
        self
    }

    /// Starts it through the front door; returns the conversation's id.
    pub async fn create(self) -> String {
        let b = &self.learner.browser;
        let res = b
            .post_form(
                "/conversations",
                &[
                    ("scenario_id", self.scenario.as_str()),
                    ("language", self.language.as_str()),
                    ("mode", "traditional"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "the conversation starts");
        let path = res.headers()["location"].to_str().unwrap().to_owned();
        for n in 0..self.messages {
            let res = b
                .post_form(
                    &format!("{path}/messages"),
                    &[("content", &format!("はい、{n}つ"))],
                )
                .await;
            assert_eq!(res.status(), 303, "message {n} is sent");
        }
        path.trim_start_matches("/conversations/").to_owned()
    }
}

impl TestApp {
    /// A learner to build (see [`LearnerBuilder`]).
    pub fn learner(&self) -> LearnerBuilder<'_> {
        LearnerBuilder {
            app: self,
            email: None,
            language: None,
        }
    }

    /// A conversation of `learner` to build (see [`ConversationBuilder`]).
    pub fn conversation<'a>(&self, learner: &'a Learner) -> ConversationBuilder<'a> {
        ConversationBuilder {
            learner,
            scenario: "ordering-ramen-osaka".into(),
            language: "ja".into(),
            messages: 0,
        }
    }
}
