//! The context every use case receives: the database (run on the blocking pool), the AI
//! The context every use case receives: the database (run on the blocking pool), the AI
//! partner and its realtime calls, the clock, the job queue's wake-up signal, SMTP, Stripe and
//! the settings. Built once at start-up and cloned cheaply into handlers and jobs.

use std::sync::Arc;

use crate::app::clock::Clock;
use crate::config::Settings;
use crate::db::conn::{read_transaction, write_transaction};
use crate::db::{DbConn, DbPool};
use crate::integrations::ai::ChatModel;

/// What a use case may reach.
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub ai: Arc<dyn ChatModel>,
    /// Realtime voice calls, when the provider has them (`KAIWA_AI_REALTIME_MODEL`).
    pub voice: Option<Arc<dyn crate::integrations::realtime::RealtimeCalls>>,
    pub clock: Arc<dyn Clock>,
    pub jobs: JobSignal,
    /// SMTP delivery, when configured; otherwise emails stay in the outbox.
    pub mail: Option<Arc<crate::integrations::mail::Smtp>>,
    /// Stripe, when `STRIPE_SECRET_KEY` is set; otherwise billing says it is not configured.
    pub stripe: Option<Arc<crate::integrations::stripe::Stripe>>,
    pub settings: Arc<Settings>,
    /// Short-lived copies of what every visitor reads the same (see `app::cache`).
    pub cache: Arc<crate::app::cache::Caches>,
}

/// A database error as use cases see it: a failed query, or no connection at all.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
}

impl From<r2d2::Error> for DbError {
    fn from(e: r2d2::Error) -> Self {
        Self::Unavailable(e.to_string())
    }
}

/// The pool, used only through [`Db::read`] and [`Db::write`], which run diesel on the
/// blocking thread pool so no connection is held across an `.await`.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    /// One permit per pooled connection: a task takes one before it takes a blocking thread.
    ///
    /// why: without it, every request that found the pool busy held a blocking thread while it
    /// waited for a connection; at 64 concurrent requests on 8 connections that was 200 threads,
    /// and the allocator kept memory for each of them.
    permits: Arc<tokio::sync::Semaphore>,
}

impl Db {
    pub fn new(pool: DbPool) -> Self {
        let permits = usize::try_from(pool.max_size()).unwrap_or(1);
        Self {
            pool,
            permits: Arc::new(tokio::sync::Semaphore::new(permits)),
        }
    }

    /// The pool (start-up, the CLI and tests; use cases go through `read`/`write`).
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Runs `f` with a connection, outside any transaction it does not open itself.
    pub async fn read<T, F>(&self, f: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut DbConn) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |c| f(c).map_err(DbError::from)).await
    }

    /// Runs a point read (one row by its key, microseconds on SQLite) at once on this thread
    /// when the database is SQLite and a connection is free; otherwise as [`Db::read`].
    ///
    /// why: handing a query to the blocking pool and back costs two thread wake-ups, more
    /// than such a read itself; every signed-in request makes one (its session).
    pub async fn lookup<T, F>(&self, f: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut DbConn) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        if let Some(mut conn) = self.pool.try_get() {
            if matches!(&*conn, DbConn::Sqlite(_)) {
                return f(&mut conn).map_err(DbError::from);
            }
        }
        self.read(f).await
    }

    /// Runs a page's reads (read-only and bounded: rows by key, short lists) in one read
    /// transaction, at once on this thread when the database is SQLite and a connection is
    /// free; otherwise as [`Db::run`], outside a transaction. `f` must not write: on SQLite a
    /// write here could wait for the write lock on the request thread.
    ///
    /// why: outside a transaction SQLite takes and drops the file's shared lock around every
    /// statement (`fcntl` calls the profile showed at a fifth of a page's database time); one
    /// transaction takes it once and reads one snapshot. The blocking pool's hand-over costs
    /// two thread wake-ups, more than such reads. PostgreSQL keeps autocommit: a `BEGIN` and
    /// `COMMIT` would be two more round trips.
    pub async fn page<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        E: From<diesel::result::Error> + From<DbError> + Send + 'static,
        T: Send + 'static,
    {
        if let Some(mut conn) = self.pool.try_get() {
            if matches!(&*conn, DbConn::Sqlite(_)) {
                return read_transaction(&mut conn, f);
            }
        }
        self.run(f).await
    }

    /// Runs `f` in a transaction that holds the write lock from its first statement
    /// ([`write_transaction`]); an error from `f` rolls everything back.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        E: From<diesel::result::Error> + From<DbError> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |c| write_transaction(c, f)).await
    }

    /// Runs `f` with a connection; `f` decides about transactions.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        E: From<DbError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        // why: the same bound as waiting in the pool itself, so an unreachable database still
        // fails each request after the pool's wait rather than queueing it for ever.
        let permit = tokio::time::timeout(
            pool.connection_timeout(),
            self.permits.clone().acquire_owned(),
        )
        .await
        .map_err(|_| DbError::Unavailable("timed out waiting for a database connection".into()))?
        .map_err(|e| DbError::Unavailable(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut conn = pool.get().map_err(DbError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| E::from(DbError::Unavailable(format!("a database task failed: {e}"))))?
    }
}

/// Wakes idle workers in this process when a job is enqueued, so a job starts at once
/// rather than at the next poll. Other processes find it at their next poll.
#[derive(Clone, Default)]
pub struct JobSignal(Arc<tokio::sync::Notify>);

impl JobSignal {
    /// Tells one waiting worker there is work.
    pub fn notify(&self) {
        self.0.notify_waiters();
    }

    /// Waits until [`JobSignal::notify`] is called.
    pub async fn notified(&self) {
        self.0.notified().await;
    }
}
