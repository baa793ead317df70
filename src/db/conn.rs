//! Connections to either database: the `DbConn` multi-connection, the r2d2 pool that hands
//! them out, the embedded per-backend migrations and the SQLite set-up (WAL, foreign keys,
//! busy timeout). Which backend runs is decided by the database URL, once, at start-up.
//! Nothing here knows about HTTP.

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::result::QueryResult;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// A connection to SQLite or PostgreSQL; every query in `db::queries` runs on it.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$c` bound to the connection of the backend `$conn` is on (SQLite or
/// PostgreSQL), so the same query text serves both.
///
/// why: through `DbConn` a statement's query id is never static, so diesel writes its SQL
/// out again on every call to find it in the statement cache (a third of a page's database
/// time on the conversation page); on the backend's own connection a statement without
/// boxed parts or `IN` lists is found by its type. For the reads every page makes.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// Which database a URL names. Parsed once from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DatabaseTarget {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://…` or `postgresql://…`).
    Postgres(String),
}

impl DatabaseTarget {
    /// Reads `sqlite://PATH`, `sqlite:PATH`, `postgres://…`, `postgresql://…` or a plain
    /// file path. Any other scheme, or an empty value, is an error that says what is accepted.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("is empty".into());
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let parsed =
                url::Url::parse(url).map_err(|e| format!("is not a valid PostgreSQL URL ({e})"))?;
            if parsed.host_str().unwrap_or("").is_empty() {
                return Err("is a PostgreSQL URL without a host".into());
            }
            return Ok(Self::Postgres(url.to_owned()));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err("is a sqlite URL without a file path".into());
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(format!(
                "has the unsupported scheme `{scheme}`; use sqlite://PATH, a file path, or postgres://…"
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(url)))
    }

    /// The URL with any password replaced, fit for logs and pages.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => match url::Url::parse(url) {
                Ok(mut parsed) if parsed.password().is_some() => {
                    let _ = parsed.set_password(Some("****"));
                    parsed.to_string()
                }
                _ => url.clone(),
            },
        }
    }

    /// The backend's name, as shown on `/ready` and in logs.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// The connection pool handed to every request and job.
pub type DbPool = r2d2::Pool<ConnectionManager>;
/// A connection checked out of the pool.
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

/// Opens connections of the one backend the target names, set up for the app's use.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: DatabaseTarget,
    queries: Counter,
}

type Counter = std::sync::Arc<std::sync::atomic::AtomicU64>;

/// The statement counter of every pool this process built, by database.
fn counters() -> &'static std::sync::Mutex<std::collections::HashMap<DatabaseTarget, Counter>> {
    static COUNTERS: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<DatabaseTarget, Counter>>,
    > = std::sync::OnceLock::new();
    COUNTERS.get_or_init(Default::default)
}

/// How many statements the connections to `target` have run in this process (the pool's
/// health checks not counted): tests read it before and after a request to count its
/// queries.
pub fn query_count(target: &DatabaseTarget) -> u64 {
    counters()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(target)
        .map_or(0, |c| c.load(std::sync::atomic::Ordering::Relaxed))
}

/// Counts every query a connection starts (the pool runs none of its own: no check on
/// checkout), not the `BEGIN`/`COMMIT`/savepoints around them, and logs its SQL at trace level.
///
/// why: diesel announces each transaction step just before running its statement, so the
/// statement after such an event is left out without writing out any SQL.
fn count_queries(conn: &mut DbConn, counter: Counter) {
    use diesel::connection::InstrumentationEvent;
    let mut control_next = false;
    let count = move |event: InstrumentationEvent<'_>| match event {
        InstrumentationEvent::BeginTransaction { .. }
        | InstrumentationEvent::CommitTransaction { .. }
        | InstrumentationEvent::RollbackTransaction { .. } => control_next = true,
        InstrumentationEvent::StartQuery { query, .. } => {
            if !std::mem::take(&mut control_next) {
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            // why: writing out the SQL and its binds costs more than a point read itself.
            if tracing::enabled!(target: "kaiwa::db::queries", tracing::Level::TRACE) {
                tracing::trace!(target: "kaiwa::db::queries", sql = %query, "query");
            }
        }
        _ => {}
    };
    match conn {
        DbConn::Postgres(c) => c.set_instrumentation(count),
        DbConn::Sqlite(c) => c.set_instrumentation(count),
    }
}

// why: SQLite waits this long for a lock before answering "database is locked".
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

// why: reads of the hot start of the file (schema, indexes' upper levels) go straight to a
// memory map instead of read(2) into each connection's own cache. Bounded: every pooled
// connection maps the file on its own and every page it touches counts in the process's
// RSS, so a 1 GiB map per connection took RSS to 2.6 GB on a large catalog, and 16 MiB × 8
// connections still put it at 295 MB under load at 100,000 scenarios. Only the file's first
// bytes are mapped anyway (the rest is read as usual), so 4 MiB keeps a small database
// mapped whole and a large one's RSS near 200 MB. Writes still go through the WAL.
const SQLITE_MMAP_BYTES: u64 = 4 << 20;

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        let mut conn = self.open()?;
        count_queries(&mut conn, self.queries.clone());
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

impl ConnectionManager {
    fn open(&self) -> Result<DbConn, diesel::r2d2::Error> {
        match &self.target {
            DatabaseTarget::Postgres(url) => PgConnection::establish(url)
                .map(DbConn::Postgres)
                .map_err(diesel::r2d2::Error::ConnectionError),
            DatabaseTarget::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA foreign_keys = ON; \
                     PRAGMA synchronous = NORMAL; PRAGMA mmap_size = {SQLITE_MMAP_BYTES};"
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

/// Builds the pool and checks that the database answers. For SQLite the data file's folder
/// must exist and be writable; the file is created and switched to WAL mode.
pub fn build_pool(target: &DatabaseTarget, max_size: u32) -> anyhow::Result<DbPool> {
    if let DatabaseTarget::Sqlite(path) = target {
        prepare_sqlite_file(path)?;
    }
    let manager = ConnectionManager {
        target: target.clone(),
        queries: counters()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(target.clone())
            .or_default()
            .clone(),
    };
    // why: r2d2 reports an unreachable database only as a timeout after its wait; one direct
    // connection first fails fast with the real cause.
    let mut first = r2d2::ManageConnection::connect(&manager).map_err(|e| {
        anyhow::anyhow!(
            "cannot connect to the database at {}: {}",
            target.redacted(),
            // why: libpq's messages span lines; the start-up error must be one.
            e.to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        )
    })?;
    if let DbConn::Sqlite(sqlite) = &mut first {
        sqlite.batch_execute("PRAGMA journal_mode = WAL;")?;
    }
    drop(first);
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        // why: open connections on demand (and let idle ones expire) rather than holding
        // `max_size` open per process; many processes share one PostgreSQL. Background
        // connection filling also raced process exit in short CLI runs: libpq crashed
        // (SIGSEGV) while the process was tearing down.
        .min_idle(Some(0))
        // why: a check on every checkout is one more statement per query (a round trip on
        // PostgreSQL). A connection that broke is dropped after its failed query instead
        // (`has_broken`), and idle ones expire.
        .test_on_check_out(false)
        .idle_timeout(Some(Duration::from_secs(300)))
        .connection_timeout(Duration::from_secs(10))
        .build_unchecked(manager);
    Ok(pool)
}

fn prepare_sqlite_file(path: &Path) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("cannot create the data folder {}: {e}", dir.display()))?;
    // why: SQLite only reports an unwritable folder on the first write, with a vague message.
    let probe = dir.join(format!(".kaiwa-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"ok")
        .map_err(|e| anyhow::anyhow!("the data folder {} is not writable: {e}", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies every pending migration of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migrating the database failed: {e}"))?;
    Ok(applied.len())
}

/// Runs `f` in a deferred (read) transaction: one snapshot and, on SQLite, one shared lock
/// for all its statements. An error from `f` rolls back.
pub fn read_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(f)
}

/// Runs `f` in a transaction that holds the write lock from its first statement.
///
/// why: on SQLite a deferred transaction that reads and then writes fails at once when
/// another connection committed in between, even with a busy timeout; `BEGIN IMMEDIATE`
/// waits for the lock instead. PostgreSQL takes row locks as it goes, so a plain `BEGIN`.
/// Use it for everything that checks and then writes. Inside another transaction it is a
/// savepoint (the outer one already holds the lock).
pub fn write_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    type Manager = <DbConn as Connection>::TransactionManager;
    let nested = matches!(
        Manager::transaction_manager_status_mut(conn).transaction_depth(),
        Ok(Some(_))
    );
    match conn {
        DbConn::Sqlite(sqlite) if !nested => {
            AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?
        }
        _ => Manager::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// Answers whether the database responds to a trivial query.
pub fn ping(conn: &mut DbConn) -> QueryResult<()> {
    conn.ping()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_count_leaves_out_begin_commit_and_savepoints() {
        use diesel::RunQueryDsl;
        let counter = Counter::default();
        let mut conn = DbConn::Sqlite(SqliteConnection::establish(":memory:").unwrap());
        count_queries(&mut conn, counter.clone());
        let one = || diesel::sql_query("SELECT 1");
        read_transaction(&mut conn, |c| {
            one().execute(c)?;
            c.transaction(|c| one().execute(c))
        })
        .unwrap();
        let _ = write_transaction(&mut conn, |c| {
            one().execute(c)?;
            Err::<(), _>(diesel::result::Error::RollbackTransaction)
        });
        one().execute(&mut conn).unwrap();
        assert_eq!(counter.load(std::sync::atomic::Ordering::Relaxed), 4);
    }

    #[test]
    fn sqlite_keeps_one_plan_per_statement_whatever_is_bound() {
        use diesel::RunQueryDsl;
        // why: without the planner stability guarantee SQLite prepares a statement again
        // each time its bound LIMIT is bound (see `.cargo/config.toml`).
        let dir = tempfile::tempdir().unwrap();
        let pool = build_pool(&DatabaseTarget::Sqlite(dir.path().join("k.db")), 1).unwrap();
        let mut conn = pool.get().unwrap();
        let DbConn::Sqlite(sqlite) = &mut *conn else {
            unreachable!("a SQLite pool")
        };
        #[derive(diesel::QueryableByName)]
        struct Found {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            n: i32,
        }
        let found: Vec<Found> = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM pragma_compile_options WHERE compile_options = 'ENABLE_QPSG'",
        )
        .load(sqlite)
        .unwrap();
        assert_eq!(found[0].n, 1, "SQLite was built without SQLITE_ENABLE_QPSG");
    }

    #[test]
    fn database_urls_name_their_backend() {
        assert_eq!(
            DatabaseTarget::parse("sqlite://data/kaiwa.db").unwrap(),
            DatabaseTarget::Sqlite("data/kaiwa.db".into())
        );
        assert_eq!(
            DatabaseTarget::parse("/var/lib/kaiwa.db").unwrap(),
            DatabaseTarget::Sqlite("/var/lib/kaiwa.db".into())
        );
        assert!(matches!(
            DatabaseTarget::parse("postgres://u:p@localhost/kaiwa").unwrap(),
            DatabaseTarget::Postgres(_)
        ));
    }

    #[test]
    fn malformed_database_urls_are_refused_with_a_reason() {
        assert!(DatabaseTarget::parse("").unwrap_err().contains("empty"));
        assert!(DatabaseTarget::parse("mysql://x/y")
            .unwrap_err()
            .contains("mysql"));
        assert!(DatabaseTarget::parse("postgres://").is_err());
        assert!(DatabaseTarget::parse("sqlite://").is_err());
    }

    #[test]
    fn redacted_urls_hide_the_password() {
        let target = DatabaseTarget::parse("postgres://kaiwa:s3cret@db:5432/kaiwa").unwrap();
        assert!(!target.redacted().contains("s3cret"));
        assert!(target.redacted().contains("kaiwa:****@db"));
    }
}
