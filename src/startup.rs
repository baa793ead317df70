//! Builds the running application from `Settings`: the pool, migrations, seed content, the
//! listener (port 0 works, the real port is reported back) and the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::config::PersistentSession;
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::{time, Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context;

use crate::config::Settings;
use crate::db::{self, conn, DbPool};
use crate::web::{self as http, AppState};

/// A built, bound, not yet running application.
pub struct Application {
    port: u16,
    server: Server,
    pool: DbPool,
    settings: Arc<Settings>,
}

/// Connects to the database and applies pending migrations; returns the pool.
pub fn prepare_database(settings: &Settings) -> anyhow::Result<DbPool> {
    let pool = conn::build_pool(&settings.database, settings.db_pool_size)?;
    let mut c = pool.get().context("cannot get a database connection")?;
    let applied = conn::run_migrations(&mut c)?;
    if applied > 0 {
        tracing::info!(applied, database = %settings.database.redacted(), "migrations applied");
    }
    let indexed = db::queries::scenarios::backfill_search_text(&mut c)?;
    if indexed > 0 {
        tracing::info!(indexed, "search text filled for older scenarios");
    }
    Ok(pool)
}

/// Inserts the seed content that is missing.
pub fn seed(pool: &DbPool) -> anyhow::Result<db::seed::SeedReport> {
    let mut c = pool.get().context("cannot get a database connection")?;
    let report = db::seed::run(&mut c, chrono::Utc::now().naive_utc())?;
    if report.total() > 0 {
        tracing::info!(?report, "seed content inserted");
    }
    Ok(report)
}

impl Application {
    /// Prepares the database, seeds it when asked, and binds the listener.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = prepare_database(&settings)?;
        if settings.seed_on_start {
            seed(&pool)?;
        }
        let listener = TcpListener::bind(settings.bind)
            .map_err(|e| anyhow::anyhow!("KAIWA_BIND: cannot listen on {}: {e}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let settings = Arc::new(settings);
        let ai: Arc<dyn crate::integrations::ai::ChatModel> = match settings.ai.clone() {
            Some(ai) => Arc::new(crate::integrations::ai::openai::OpenAiCompatible::new(ai)),
            None => Arc::new(crate::app::conversations::offline::OfflinePartner),
        };
        let state = AppState {
            pool: pool.clone(),
            settings: settings.clone(),
            ai,
        };
        // why: the cookie key is derived from the session secret, so every instance that
        // shares the secret reads the same cookies.
        let key = Key::derive_from(settings.session_secret.expose().as_bytes());
        let secure = settings.secure_cookies();
        let server = HttpServer::new(move || {
            let sessions = SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                .cookie_name("kaiwa_state".into())
                .cookie_secure(secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .session_lifecycle(
                    PersistentSession::default().session_ttl(time::Duration::days(30)),
                )
                .build();
            App::new()
                .app_data(web::Data::new(state.clone()))
                .wrap(from_fn(http::csrf::protect))
                .wrap(sessions)
                .wrap(from_fn(http::input::guard))
                .wrap(Compress::default())
                .wrap(from_fn(http::middleware::security_headers))
                .wrap(from_fn(http::middleware::log_request))
                .configure(http::configure)
                .default_service(web::to(http::system::not_found))
        })
        // why: streamed replies write small chunks; with Nagle's algorithm on, each waits
        // for the previous segment's (delayed, ~40 ms) acknowledgement.
        .on_connect(|conn, _| {
            if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
                let _ = tcp.set_nodelay(true);
            }
        })
        // why: on SIGTERM actix stops accepting and lets in-flight requests finish this long.
        .shutdown_timeout(30)
        .listen(listener)?
        .run();
        Ok(Self {
            port,
            server,
            pool,
            settings,
        })
    }

    /// The port actually bound (useful when the settings asked for port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The application's connection pool (tests read rows through it).
    pub fn pool(&self) -> DbPool {
        self.pool.clone()
    }

    /// Serves until SIGTERM/SIGINT; in-flight requests finish on SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        match self.settings.smtp.clone() {
            Some(smtp) => {
                tokio::spawn(crate::integrations::mailer::run(self.pool.clone(), smtp));
            }
            None => tracing::info!("no KAIWA_SMTP_URL: emails are kept in the outbox for admins"),
        }
        self.server.await
    }
}
