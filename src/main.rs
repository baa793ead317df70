//! The `kaiwa` command: `serve` (default), `worker`, `jobs`, `migrate`, `seed`, `outbox`,
//! `make-admin`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use kaiwa::config::{parse_bind, Settings};
use kaiwa::startup::{self, Application};

#[derive(Parser)]
#[command(
    name = "kaiwa",
    version,
    about = "Kaiwa: practise real conversations with an AI partner"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (the default): migrates and seeds the database first.
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080 (overrides KAIWA_BIND).
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
    },
    /// Run job workers only (no web server) until SIGTERM or Ctrl-C; a running job finishes
    /// or gives its lease back.
    Worker {
        /// How many jobs to run at once (default: KAIWA_WORKERS, or 2 when that is 0).
        #[arg(long)]
        workers: Option<usize>,
    },
    /// Run one periodic job now, once, in this process (for operators who schedule with cron
    /// or systemd timers and run `serve` with KAIWA_WORKERS=0). Jobs: cleanup.
    Cron {
        /// The job's name.
        job: String,
    },
    /// List queued, running and dead jobs, or retry a dead one.
    Jobs {
        #[command(subcommand)]
        action: Option<JobsAction>,
    },
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Insert the built-in languages, voices, tiers and scenarios that are missing, then exit.
    Seed,
    /// Print the newest emails in the outbox (useful when no SMTP server is configured).
    Outbox {
        /// How many emails to print.
        #[arg(long, default_value_t = 5)]
        limit: i64,
    },
    /// Give an existing account admin rights (the admin area, the outbox).
    MakeAdmin {
        /// The account's email address.
        email: String,
    },
}

#[derive(Subcommand)]
enum JobsAction {
    /// The newest jobs (default: queued, running and dead).
    List {
        /// Only jobs in this state: queued, running, done or dead.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Queue a dead job again with fresh attempts.
    Retry {
        /// The job's id (from `kaiwa jobs`).
        id: String,
    },
}

fn main() -> ExitCode {
    let allocator = startup::tune_allocator();
    let cli = Cli::parse();
    kaiwa::telemetry::init();
    if let Err(e) = allocator {
        tracing::warn!("freed memory will not be given back to the OS: {e}");
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One readable line, the cause chain joined: no panic trace.
            eprintln!("kaiwa: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::load()?;
    match cli.command.unwrap_or(Command::Serve { bind: None }) {
        Command::Serve { bind } => {
            if let Some(bind) = bind {
                settings.rebind(parse_bind(&bind).map_err(|e| anyhow::anyhow!("--bind: {e}"))?);
            }
            serve(settings)
        }
        Command::Worker { workers } => worker(settings, workers),
        Command::Jobs { action } => jobs(settings, action),
        Command::Cron { job } => cron(settings, &job),
        Command::Migrate => {
            let pool = startup::prepare_database(&settings)?;
            drop(pool);
            println!("database is up to date ({})", settings.database.redacted());
            Ok(())
        }
        Command::Seed => {
            let pool = startup::prepare_database(&settings)?;
            let report = startup::seed(&pool)?;
            println!(
                "seeded {} languages, {} voices, {} tiers, {} scenarios, {} courses (rows already present are kept)",
                report.languages, report.speakers, report.tiers, report.scenarios, report.courses
            );
            Ok(())
        }
        Command::Outbox { limit } => {
            let pool = startup::prepare_database(&settings)?;
            let mut conn = pool.get()?;
            let emails = kaiwa::db::queries::mail::list_recent(&mut conn, limit.clamp(1, 1000))?;
            if emails.is_empty() {
                println!("The outbox is empty.");
            }
            for e in emails {
                println!(
                    "--- {} · to {} · {}",
                    e.created_at.format("%Y-%m-%d %H:%M:%S"),
                    e.to_address,
                    e.status
                );
                println!("Subject: {}\n\n{}", e.subject, e.body_text);
            }
            Ok(())
        }
        Command::MakeAdmin { email } => {
            let pool = startup::prepare_database(&settings)?;
            let email = kaiwa::app::accounts::normalize_email(&email)?;
            let mut conn = pool.get()?;
            let user = kaiwa::db::queries::users::find_by_email(&mut conn, &email)?
                .ok_or_else(|| anyhow::anyhow!("no account uses {email}"))?;
            let changes = kaiwa::db::models::UserChanges {
                is_admin: Some(true),
                ..Default::default()
            };
            kaiwa::db::queries::users::update(
                &mut conn,
                &user.id,
                changes,
                chrono::Utc::now().naive_utc(),
            )?;
            println!("{email} is now an admin");
            Ok(())
        }
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let bind = settings.bind;
        let app = Application::build(settings)?;
        tracing::info!("Kaiwa is listening on http://{}:{}", bind.ip(), app.port());
        app.run_until_stopped().await?;
        tracing::info!("Kaiwa stopped");
        Ok(())
    })
}

fn worker(settings: Settings, workers: Option<usize>) -> anyhow::Result<()> {
    let count = workers
        .unwrap_or(if settings.workers == 0 {
            2
        } else {
            settings.workers
        })
        .clamp(1, 64);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let pool = startup::prepare_database(&settings)?;
        let options = startup::worker_options(&settings);
        let ctx = startup::context(
            std::sync::Arc::new(settings),
            pool,
            std::sync::Arc::new(kaiwa::app::SystemClock),
        )?;
        let registry = std::sync::Arc::new(kaiwa::jobs::Registry::standard());
        let pool = kaiwa::jobs::WorkerPool::start(ctx, registry, count, options);
        tracing::info!(
            workers = count,
            "Kaiwa worker running; stop it with SIGTERM or Ctrl-C"
        );
        wait_for_stop().await;
        pool.shutdown().await;
        Ok(())
    })
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn jobs(settings: Settings, action: Option<JobsAction>) -> anyhow::Result<()> {
    use kaiwa::db::queries::jobs as q;
    use kaiwa::db::types::JobStatus;
    let pool = startup::prepare_database(&settings)?;
    let mut conn = pool.get()?;
    match action.unwrap_or(JobsAction::List {
        status: None,
        limit: 50,
    }) {
        JobsAction::List { status, limit } => {
            let limit = limit.clamp(1, 1000);
            let rows = match status {
                Some(s) => {
                    let s: JobStatus = s.parse().map_err(|e| anyhow::anyhow!("--status: {e}"))?;
                    q::list(&mut conn, Some(s), limit)?
                }
                None => {
                    let mut all = Vec::new();
                    for s in [JobStatus::Running, JobStatus::Queued, JobStatus::Dead] {
                        all.extend(q::list(&mut conn, Some(s), limit)?);
                    }
                    all
                }
            };
            if rows.is_empty() {
                println!("No jobs.");
            }
            for j in rows {
                println!(
                    "{}  {:<8} {:<22} attempts {}/{}  run at {}{}",
                    j.id,
                    j.status,
                    j.kind,
                    j.attempts,
                    j.max_attempts,
                    j.run_at.format("%Y-%m-%d %H:%M:%S"),
                    j.last_error
                        .map(|e| format!("\n    last error: {e}"))
                        .unwrap_or_default()
                );
            }
            Ok(())
        }
        JobsAction::Retry { id } => {
            if q::retry_dead(&mut conn, &id, chrono::Utc::now().naive_utc())? {
                println!("job {id} is queued again");
                Ok(())
            } else {
                anyhow::bail!("no dead job has the id {id}")
            }
        }
    }
}

fn cron(settings: Settings, job: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let pool = startup::prepare_database(&settings)?;
        let ctx = startup::context(
            std::sync::Arc::new(settings),
            pool,
            std::sync::Arc::new(kaiwa::app::SystemClock),
        )?;
        kaiwa::jobs::scheduler::run_now(&ctx, job).await?;
        println!("{job}: done");
        Ok(())
    })
}
