//! Email: SMTP delivery against a local mock SMTP server, the admin outbox page, and the
//! operator commands `kaiwa outbox` and `kaiwa make-admin`.

use std::sync::{Arc, Mutex};

use diesel::prelude::*;
use kaiwa::config::{Secret, SmtpSettings};
use kaiwa::db::schema::email_outbox;
use kaiwa::db::types::OutboxStatus;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::{spawn_app, spawn_app_with};

/// A minimal SMTP server: accepts every message and keeps what it received.
pub(crate) async fn mock_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    mock_smtp_stalling(Arc::default()).await
}

/// A mock SMTP server that, while `stall` is set, accepts connections and never answers.
pub(crate) async fn mock_smtp_stalling(
    stall: Arc<std::sync::atomic::AtomicBool>,
) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            let stalled = stall.load(std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                if stalled {
                    tokio::time::sleep(std::time::Duration::from_secs(600)).await;
                    return;
                }
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 mock ESMTP\r\n").await.unwrap();
                let mut in_data = false;
                let mut message = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store.lock().unwrap().push(std::mem::take(&mut message));
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-mock\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn with_smtp_configured_emails_are_delivered_and_marked_sent() {
    let (port, received) = mock_smtp().await;
    let app = spawn_app_with(|s| {
        s.seed_on_start = true;
        s.smtp = Some(SmtpSettings {
            url: Secret::new(format!("smtp://127.0.0.1:{port}")),
            from: "Kaiwa <hello@kaiwa.test>".into(),
        });
    })
    .await;
    let res = app
        .browser
        .post_form(
            "/signup",
            &[
                ("email", "smtp@example.com"),
                ("password", "river otter breakfast"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.run_jobs_until_idle().await, 1, "one delivery job");
    let status: OutboxStatus = email_outbox::table
        .select(email_outbox::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, OutboxStatus::Sent);
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].contains("To: smtp@example.com"),
        "{}",
        messages[0]
    );
    assert!(messages[0].contains("Subject: Confirm your email for Kaiwa"));
    assert!(messages[0].contains("/verify-email?token="));
}

#[tokio::test]
async fn with_smtp_unreachable_emails_are_retried_later_with_the_error_kept() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let app = spawn_app_with(|s| {
        s.smtp = Some(SmtpSettings {
            url: Secret::new(format!("smtp://127.0.0.1:{port}")),
            from: "Kaiwa <hello@kaiwa.test>".into(),
        });
    })
    .await;
    // Queue one email directly and wait for a failed attempt.
    kaiwa::app::mail::queue(
        &mut app.conn(),
        kaiwa::app::mail::Email {
            list_unsubscribe: None,
            to: "x@example.com".into(),
            user_id: None,
            subject: "Hi".into(),
            body: "Body".into(),
        },
        chrono::Utc::now().naive_utc(),
    )
    .unwrap();
    assert_eq!(
        app.run_jobs_until_idle().await,
        1,
        "one attempt, then a wait"
    );
    let (attempts, error, status): (i32, Option<String>, OutboxStatus) = email_outbox::table
        .select((
            email_outbox::attempts,
            email_outbox::last_error,
            email_outbox::status,
        ))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(attempts, 1);
    assert_eq!(status, OutboxStatus::Queued, "retried later, not dropped");
    assert!(error.is_some());
    assert_eq!(
        app.run_jobs_until_idle().await,
        0,
        "the retry waits for its backoff"
    );
    // Six attempts in all, then the email is marked failed with its error.
    for _ in 0..10 {
        app.clock.advance(chrono::Duration::hours(2));
        app.run_jobs_until_idle().await;
    }
    let (attempts, status): (i32, OutboxStatus) = email_outbox::table
        .select((email_outbox::attempts, email_outbox::status))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((attempts, status), (6, OutboxStatus::Failed));
}

#[tokio::test]
async fn only_admins_can_read_the_outbox() {
    let app = spawn_app().await;
    assert_eq!(app.get("/admin/outbox").await.status(), 404, "signed out");
    let b = app.new_browser();
    let uid = app
        .sign_up(&b, "op@example.com", "river otter breakfast")
        .await;
    assert_eq!(b.get("/admin/outbox").await.status(), 404, "a learner");
    diesel::update(kaiwa::db::schema::users::table.find(&uid))
        .set(kaiwa::db::schema::users::is_admin.eq(true))
        .execute(&mut app.conn())
        .unwrap();
    let page = b.get_html("/admin/outbox").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.text(".email h2"), "Confirm your email for Kaiwa");
    assert!(page.text("main").contains("No SMTP server is configured"));
}

#[test]
fn the_outbox_and_make_admin_commands_help_an_operator_without_smtp() {
    let db = crate::helpers::TestDb::new();
    let url = match &db.target {
        kaiwa::db::conn::DatabaseTarget::Sqlite(p) => format!("sqlite://{}", p.display()),
        kaiwa::db::conn::DatabaseTarget::Postgres(u) => u.clone(),
    };
    let data = db.dir.path().to_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kaiwa"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env("KAIWA_DATA_DIR", &data)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let empty = run(&["outbox"]);
    assert!(String::from_utf8_lossy(&empty.stdout).contains("The outbox is empty."));
    let missing = run(&["make-admin", "nobody@example.com"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no account uses nobody@example.com"));

    let mut settings = db.settings();
    settings.seed_on_start = true;
    let pool = kaiwa::startup::prepare_database(&settings).unwrap();
    let mut conn = pool.get().unwrap();
    kaiwa::app::accounts::sign_up(
        &mut conn,
        kaiwa::app::accounts::SignUp {
            email: "op@example.com".into(),
            password: "river otter breakfast".into(),
            display_name: String::new(),
            time_zone: "UTC".into(),
        },
        "127.0.0.1",
        None,
        "https://kaiwa.test",
        chrono::Utc::now().naive_utc(),
    )
    .unwrap();
    let printed = String::from_utf8_lossy(&run(&["outbox"]).stdout).into_owned();
    assert!(printed.contains("to op@example.com"), "{printed}");
    assert!(
        printed.contains("https://kaiwa.test/verify-email?token="),
        "{printed}"
    );
    let promoted = run(&["make-admin", "OP@example.com"]);
    assert!(
        promoted.status.success(),
        "status {:?}, stderr: {}, stdout: {}",
        promoted.status,
        String::from_utf8_lossy(&promoted.stderr),
        String::from_utf8_lossy(&promoted.stdout)
    );
    let user = kaiwa::db::queries::users::find_by_email(&mut conn, "op@example.com")
        .unwrap()
        .unwrap();
    assert!(user.is_admin);
}
