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

use crate::app::{Clock, Ctx, Db, JobSignal, SystemClock};
use crate::config::Settings;
use crate::db::{self, conn, DbPool};
use crate::jobs::{Registry, WorkerOptions, WorkerPool};
use crate::web::{self as http, AppState};

/// How often the allocator is asked to give freed memory back to the OS.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MALLOC_TRIM_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Tunes glibc's malloc for a long-running server (each setting unless its `MALLOC_*`
/// variable says otherwise): one arena per core, blocks of 256 KiB and more mapped on their
/// own, and freed memory given back to the OS every few seconds. Call it first thing in
/// `main`, before any other thread starts; an error says the trimming thread did not start
/// (the settings hold regardless), for the caller to log once logging is set up.
///
/// why: glibc gives each thread that allocates at once its own arena, up to 8 per core; it
/// raises its mapping threshold for good after the Japanese dictionary's large buffers are
/// freed at start, so later large buffers land in the arenas; and it keeps what is freed in
/// the middle of an arena. On the 100,000-scenario set after every page at 64 concurrent
/// requests, the server held 280 MB from the OS with 95 MB in use; with these, its RSS was
/// 174 MB (one arena per core alone: 233 MB).
pub fn tune_allocator() -> std::io::Result<()> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let unset = |name: &str| std::env::var_os(name).is_none();
        if unset("MALLOC_ARENA_MAX") {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
            // SAFETY: mallopt only sets an allocator parameter; callers call this first thing
            // in `main`, before other threads allocate.
            unsafe {
                libc::mallopt(libc::M_ARENA_MAX, arenas);
            }
        }
        if unset("MALLOC_MMAP_THRESHOLD_") {
            // SAFETY: as above.
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
            }
        }
        std::thread::Builder::new()
            .name("malloc-trim".into())
            .spawn(|| loop {
                std::thread::sleep(MALLOC_TRIM_EVERY);
                // SAFETY: malloc_trim takes each arena's lock; any thread may call it.
                unsafe {
                    libc::malloc_trim(0);
                }
            })?;
    }
    Ok(())
}

/// A built, bound, not yet running application.
pub struct Application {
    port: u16,
    server: Server,
    pool: DbPool,
    ctx: Ctx,
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
    // why: messages stored with older reading-aid rules are recomputed by a job, queued here
    // once (its dedupe key keeps several starting processes from queuing it twice).
    let now = chrono::Utc::now().naive_utc();
    if crate::app::conversations::recompute_aids::enqueue_if_stale(&mut c, now)? {
        tracing::info!("reading aids of older messages queued for recomputing");
    }
    crate::app::conversations::reading_aids::warm_up();
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

/// The use cases' context for `settings`: the AI partner (the provider, or the offline
/// partner), SMTP and Stripe when configured (Stripe's price ids are written into `tiers`
/// here), the given clock.
pub fn context(
    settings: Arc<Settings>,
    pool: DbPool,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Ctx> {
    let ai: Arc<dyn crate::integrations::ai::ChatModel> = match settings.ai.clone() {
        Some(ai) => Arc::new(crate::integrations::ai::openai::OpenAiCompatible::new(ai)),
        None => Arc::new(crate::integrations::ai::offline::OfflinePartner),
    };
    let voice = settings.ai.as_ref().and_then(|ai| {
        crate::integrations::realtime::OpenAiRealtime::from_settings(ai)
            .map(|v| Arc::new(v) as Arc<dyn crate::integrations::realtime::RealtimeCalls>)
    });
    let mail = match &settings.smtp {
        Some(smtp) => Some(Arc::new(crate::integrations::mail::Smtp::new(smtp)?)),
        None => None,
    };
    let stripe = match &settings.stripe {
        Some(stripe) => {
            let mut c = pool.get().context("cannot get a database connection")?;
            crate::app::billing::apply_prices(&mut c, &stripe.prices, clock.naive())?;
            Some(Arc::new(crate::integrations::stripe::Stripe::new(stripe)?))
        }
        None => None,
    };
    Ok(Ctx {
        db: Db::new(pool),
        ai,
        voice,
        clock,
        jobs: JobSignal::default(),
        mail,
        stripe,
        settings,
        cache: Default::default(),
    })
}

/// How in-process and standalone workers behave, from the settings.
pub fn worker_options(settings: &Settings) -> WorkerOptions {
    WorkerOptions {
        lease_margin: std::time::Duration::from_secs(settings.job_lease_margin_seconds),
        ..WorkerOptions::default()
    }
}

impl Application {
    /// Prepares the database, seeds it when asked, and binds the listener.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock))
    }

    /// [`Application::build`] with another clock (tests move time with a settable one).
    pub fn build_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let pool = prepare_database(&settings)?;
        if settings.seed_on_start {
            seed(&pool)?;
        }
        let listener = TcpListener::bind(settings.bind)
            .map_err(|e| anyhow::anyhow!("KAIWA_BIND: cannot listen on {}: {e}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let settings = Arc::new(settings);
        let ctx = context(settings.clone(), pool.clone(), clock)?;
        let state = AppState {
            ctx: ctx.clone(),
            settings: settings.clone(),
            ai: ctx.ai.clone(),
            sitemaps: Default::default(),
            page_cache: Arc::new(crate::web::page_cache::PageCache::new(
                settings.page_cache_bytes,
            )),
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
                .wrap(from_fn(http::middleware::cache_validation))
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
            ctx,
        })
    }

    /// The use cases' context (tests run jobs and move the clock through it).
    pub fn ctx(&self) -> Ctx {
        self.ctx.clone()
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
    /// The job workers (`KAIWA_WORKERS`) run beside the server and stop after it, letting a
    /// running job finish or giving its lease back.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        if self.ctx.mail.is_none() {
            tracing::info!("no KAIWA_SMTP_URL: emails are kept in the outbox for admins");
        }
        let workers = (self.ctx.settings.workers > 0).then(|| {
            WorkerPool::start(
                self.ctx.clone(),
                Arc::new(Registry::standard()),
                self.ctx.settings.workers,
                worker_options(&self.ctx.settings),
            )
        });
        let served = self.server.await;
        if let Some(w) = workers {
            w.shutdown().await;
        }
        served
    }
}
