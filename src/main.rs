//! The `kaiwa` command: `serve` (default), `migrate`, `seed`.

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

fn main() -> ExitCode {
    let cli = Cli::parse();
    kaiwa::telemetry::init();
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
                settings.bind = parse_bind(&bind).map_err(|e| anyhow::anyhow!("--bind: {e}"))?;
            }
            serve(settings)
        }
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
                "seeded {} languages, {} voices, {} tiers, {} scenarios (rows already present are kept)",
                report.languages, report.speakers, report.tiers, report.scenarios
            );
            Ok(())
        }
        Command::Outbox { limit } => {
            let pool = startup::prepare_database(&settings)?;
            let mut conn = pool.get()?;
            let emails = kaiwa::db::queries::outbox::list_recent(&mut conn, limit.clamp(1, 1000))?;
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
