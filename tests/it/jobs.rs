//! The job queue on both databases: exactly-once effects across two worker pools, retries with
//! growing backoff and dead jobs with their error, a `kaiwa worker` killed mid-job, graceful
//! shutdown, periodic slots fired once across processes, email delivered once by two servers,
//! SQLite workers beside web requests, the cleanup job, and the `kaiwa jobs` command.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use kaiwa::app::jobs::{enqueue, Job};
use kaiwa::app::{Clock, Ctx, SettableClock};
use kaiwa::config::{Secret, SmtpSettings};
use kaiwa::db::models::Job as JobRow;
use kaiwa::db::queries;
use kaiwa::db::schema::{email_outbox, jobs};
use kaiwa::db::types::{JobStatus, OutboxStatus};
use kaiwa::jobs::{Attempt, Registry, Runs, WorkerOptions, WorkerPool};
use serde::{Deserialize, Serialize};

use crate::helpers::{spawn_app, spawn_app_with, start, TestApp, TestDb};
use crate::mail::mock_smtp_stalling;

/// How many times each (test, n) ran.
static RUNS: LazyLock<Mutex<HashMap<(String, usize), usize>>> = LazyLock::new(Default::default);

fn runs_of(test: &str) -> Vec<usize> {
    let runs = RUNS.lock().unwrap();
    let mut counts: Vec<(usize, usize)> = runs
        .iter()
        .filter(|((t, _), _)| t == test)
        .map(|((_, n), c)| (*n, *c))
        .collect();
    counts.sort();
    counts.into_iter().map(|(_, c)| c).collect()
}

/// Counts its run, and writes a row so workers contend for the database like real jobs.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Count {
    test: String,
    n: usize,
}

impl Job for Count {
    const KIND: &'static str = "test_count";
}

impl Runs for Count {
    async fn run(self, ctx: Ctx, _: Attempt) -> anyhow::Result<()> {
        let key = format!("job:{}:{}", self.test, self.n);
        let now = ctx.clock.naive();
        ctx.db
            .read(move |c| queries::rate_limits::hit(c, &key, chrono::Duration::hours(1), now))
            .await?;
        *RUNS.lock().unwrap().entry((self.test, self.n)).or_default() += 1;
        Ok(())
    }
}

/// Fails every time.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Broken {
    test: String,
}

impl Job for Broken {
    const KIND: &'static str = "test_broken";
    const MAX_ATTEMPTS: i32 = 3;
}

impl Runs for Broken {
    async fn run(self, _: Ctx, attempt: Attempt) -> anyhow::Result<()> {
        anyhow::bail!("the printer is on fire (attempt {})", attempt.number)
    }
}

/// Sleeps, so a shutdown can catch it running.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Slow {
    test: String,
}

impl Job for Slow {
    const KIND: &'static str = "test_slow";
}

impl Runs for Slow {
    async fn run(self, _: Ctx, _: Attempt) -> anyhow::Result<()> {
        tokio::time::sleep(Duration::from_millis(500)).await;
        *RUNS.lock().unwrap().entry((self.test, 0)).or_default() += 1;
        Ok(())
    }
}

fn registry() -> Arc<Registry> {
    Arc::new(
        Registry::standard()
            .register::<Count>()
            .register::<Broken>()
            .register::<Slow>(),
    )
}

fn quick() -> WorkerOptions {
    WorkerOptions {
        poll: Duration::from_millis(50),
        ..WorkerOptions::default()
    }
}

fn job_rows(app: &TestApp) -> Vec<JobRow> {
    jobs::table
        .select(JobRow::as_select())
        .order(jobs::created_at)
        .load(&mut app.conn())
        .unwrap()
}

/// Another process's context on the same database: its own pool and clock.
fn second_process(app: &TestApp) -> Ctx {
    let settings = app.db.settings();
    let pool = kaiwa::db::conn::build_pool(&settings.database, 8).unwrap();
    kaiwa::startup::context(Arc::new(settings), pool, Arc::new(SettableClock::running())).unwrap()
}

async fn wait_until_idle(app: &TestApp, limit: Duration) {
    let started = Instant::now();
    loop {
        let pending = queries::jobs::count_pending(&mut app.conn()).unwrap();
        if pending == 0 {
            return;
        }
        assert!(started.elapsed() < limit, "{pending} jobs still pending");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Queues `n` counting jobs in one transaction; returns their test key.
fn enqueue_counts(app: &TestApp, n: usize) -> String {
    let test = uuid::Uuid::now_v7().to_string();
    let now = app.clock.naive();
    kaiwa::db::conn::write_transaction(&mut app.conn(), |c| {
        for n in 0..n {
            let job = Count {
                test: test.clone(),
                n,
            };
            enqueue(c, &job, now)?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    test
}

#[tokio::test]
async fn two_worker_pools_run_a_thousand_jobs_each_exactly_once() {
    let app = spawn_app().await;
    let test = enqueue_counts(&app, 1000);
    let a = WorkerPool::start(app.ctx.clone(), registry(), 4, quick());
    let b = WorkerPool::start(second_process(&app), registry(), 4, quick());
    wait_until_idle(&app, Duration::from_secs(120)).await;
    a.shutdown().await;
    b.shutdown().await;
    let runs = runs_of(&test);
    assert_eq!(runs.len(), 1000, "every job ran");
    assert!(runs.iter().all(|c| *c == 1), "none ran twice");
    let done = job_rows(&app)
        .iter()
        .filter(|j| j.kind == "test_count" && j.status == JobStatus::Done && j.attempts == 1)
        .count();
    assert_eq!(done, 1000);
}

#[tokio::test]
async fn a_job_that_always_fails_backs_off_longer_each_time_then_is_dead_with_its_error() {
    let app = spawn_app().await;
    let test = uuid::Uuid::now_v7().to_string();
    let registry = registry();
    enqueue(&mut app.conn(), &Broken { test }, app.clock.naive()).unwrap();
    let mut waits = Vec::new();
    for attempt in 1..=3 {
        let before = app.clock.naive();
        assert_eq!(
            kaiwa::jobs::run_until_idle(&app.ctx, &registry)
                .await
                .unwrap(),
            1,
            "attempt {attempt} runs"
        );
        let row = job_rows(&app).pop().unwrap();
        assert_eq!(row.attempts, attempt);
        assert!(row
            .last_error
            .as_deref()
            .unwrap()
            .contains(&format!("the printer is on fire (attempt {attempt})")));
        if attempt < 3 {
            assert_eq!(row.status, JobStatus::Queued, "retried later");
            waits.push(row.run_at - before);
            assert_eq!(
                kaiwa::jobs::run_until_idle(&app.ctx, &registry)
                    .await
                    .unwrap(),
                0,
                "not before its backoff"
            );
            app.clock.advance(chrono::Duration::hours(2));
        } else {
            assert_eq!(row.status, JobStatus::Dead);
            assert!(row.finished_at.is_some());
        }
    }
    assert!(waits[1] > waits[0], "the backoff grows: {waits:?}");
    assert!(waits[0] >= chrono::Duration::seconds(3));
    app.clock.advance(chrono::Duration::days(1));
    assert_eq!(
        kaiwa::jobs::run_until_idle(&app.ctx, &registry)
            .await
            .unwrap(),
        0,
        "dead stays dead"
    );
}

#[tokio::test]
async fn a_duplicate_job_is_not_queued_while_the_first_waits() {
    let app = spawn_app().await;
    let job = kaiwa::app::mail::DeliverEmail {
        email_id: "e1".into(),
    };
    let now = app.clock.naive();
    assert!(enqueue(&mut app.conn(), &job, now).unwrap());
    assert!(
        !enqueue(&mut app.conn(), &job, now).unwrap(),
        "deduplicated"
    );
    assert_eq!(job_rows(&app).len(), 1);
    app.run_jobs_until_idle().await;
    assert!(
        enqueue(&mut app.conn(), &job, now).unwrap(),
        "queued again once the first is done"
    );
}

#[tokio::test]
async fn shutdown_lets_a_running_job_finish() {
    let app = spawn_app().await;
    let test = uuid::Uuid::now_v7().to_string();
    enqueue(
        &mut app.conn(),
        &Slow { test: test.clone() },
        app.clock.naive(),
    )
    .unwrap();
    let pool = WorkerPool::start(app.ctx.clone(), registry(), 1, quick());
    let started = Instant::now();
    while job_rows(&app)[0].status != JobStatus::Running {
        assert!(started.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    pool.shutdown().await;
    assert_eq!(runs_of(&test), vec![1]);
    assert_eq!(job_rows(&app)[0].status, JobStatus::Done);
}

#[tokio::test]
async fn each_periodic_slot_fires_once_across_processes() {
    let app = spawn_app().await;
    let other = second_process(&app);
    let (a, b) = tokio::join!(
        kaiwa::jobs::scheduler::tick(&app.ctx),
        kaiwa::jobs::scheduler::tick(&other)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a + b >= 1, "each schedule's slot was taken");
    assert_eq!(kaiwa::jobs::scheduler::tick(&app.ctx).await.unwrap(), 0);
    let cleanups = |app: &TestApp| job_rows(app).iter().filter(|j| j.kind == "cleanup").count();
    assert_eq!(cleanups(&app), 1, "one of the two took the cleanup slot");
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(
        kaiwa::jobs::scheduler::tick(&app.ctx).await.unwrap(),
        a + b,
        "the next hour's slots"
    );
}

#[tokio::test]
async fn the_cleanup_job_removes_expired_sessions_and_tokens() {
    let app = spawn_app().await;
    let user = app.create_user("old@example.com");
    let b = app.browser_for(&user);
    assert_eq!(b.get("/account").await.status(), 200);
    let res = app
        .new_browser()
        .post_form("/forgot-password", &[("email", "old@example.com")])
        .await;
    assert_eq!(res.status(), 303);
    let count = |app: &TestApp| {
        use kaiwa::db::schema::{auth_tokens, sessions};
        let s: i64 = sessions::table.count().get_result(&mut app.conn()).unwrap();
        let t: i64 = auth_tokens::table
            .count()
            .get_result(&mut app.conn())
            .unwrap();
        (s, t)
    };
    assert_eq!(count(&app), (1, 1));
    kaiwa::jobs::scheduler::tick(&app.ctx).await.unwrap();
    app.run_jobs_until_idle().await;
    assert_eq!(count(&app), (1, 1), "nothing has expired yet");
    app.clock.advance(chrono::Duration::days(60));
    kaiwa::jobs::scheduler::tick(&app.ctx).await.unwrap();
    app.run_jobs_until_idle().await;
    assert_eq!(count(&app), (0, 0), "both gone after they expired");
    assert_eq!(
        b.get("/account").await.status(),
        303,
        "the old session no longer signs in"
    );
}

fn smtp(port: u16) -> Option<SmtpSettings> {
    Some(SmtpSettings {
        url: Secret::new(format!("smtp://127.0.0.1:{port}")),
        from: "Kaiwa <hello@kaiwa.test>".into(),
    })
}

#[tokio::test]
async fn two_servers_deliver_each_queued_email_once() {
    let (port, received) = mock_smtp_stalling(Arc::default()).await;
    let db = TestDb::new();
    let mut settings = db.settings();
    settings.smtp = smtp(port);
    settings.workers = 4;
    let first = start(db, settings.clone());
    let second = kaiwa::startup::Application::build(settings).unwrap();
    tokio::spawn(second.run_until_stopped());
    let now = first.clock.naive();
    kaiwa::db::conn::write_transaction(&mut first.conn(), |c| {
        for n in 0..40 {
            kaiwa::app::mail::queue(
                c,
                kaiwa::app::mail::Email {
                    list_unsubscribe: None,
                    to: format!("learner{n}@example.com"),
                    user_id: None,
                    subject: format!("Hello {n}"),
                    body: "Body".into(),
                },
                now,
            )?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    let started = Instant::now();
    loop {
        let sent: i64 = email_outbox::table
            .filter(email_outbox::status.eq(OutboxStatus::Sent))
            .count()
            .get_result(&mut first.conn())
            .unwrap();
        if sent == 40 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{sent} of 40 sent"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let messages = received.lock().unwrap().clone();
    assert_eq!(
        messages.len(),
        40,
        "each email reached the SMTP server once"
    );
    for n in 0..40 {
        let to = format!("To: learner{n}@example.com");
        assert_eq!(
            messages.iter().filter(|m| m.contains(&to)).count(),
            1,
            "{to}"
        );
    }
}

/// The (one) email delivery job; a worker process may have queued a cleanup beside it.
fn delivery(app: &TestApp) -> JobRow {
    job_rows(app)
        .into_iter()
        .find(|j| j.kind == "deliver_email")
        .expect("a delivery job")
}

#[tokio::test]
async fn a_killed_worker_s_job_is_retried_after_its_lease_expires_and_delivered_once() {
    let stall = Arc::new(AtomicBool::new(true));
    let (port, received) = mock_smtp_stalling(stall.clone()).await;
    let app = spawn_app_with(|s| s.smtp = smtp(port)).await;
    kaiwa::app::mail::queue(
        &mut app.conn(),
        kaiwa::app::mail::Email {
            list_unsubscribe: None,
            to: "killed@example.com".into(),
            user_id: None,
            subject: "Once".into(),
            body: "Body".into(),
        },
        app.clock.naive(),
    )
    .unwrap();
    let url = match &app.db.target {
        kaiwa::db::conn::DatabaseTarget::Sqlite(p) => format!("sqlite://{}", p.display()),
        kaiwa::db::conn::DatabaseTarget::Postgres(u) => u.clone(),
    };
    let mut worker = Command::new(env!("CARGO_BIN_EXE_kaiwa"))
        .arg("worker")
        .env("DATABASE_URL", &url)
        .env("KAIWA_DATA_DIR", app.db.dir.path())
        .env("KAIWA_SMTP_URL", format!("smtp://127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .env_remove("KAIWA_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kaiwa worker starts");
    let started = Instant::now();
    loop {
        let row = delivery(&app);
        if row.status == JobStatus::Running {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            worker.kill().ok();
            let out = worker.wait_with_output().unwrap();
            panic!(
                "the worker never claimed the job {:?}: {}",
                job_rows(&app),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.kill().expect("SIGKILL");
    let _ = worker.wait();
    stall.store(false, Ordering::SeqCst);
    app.run_jobs_until_idle().await;
    assert_eq!(
        delivery(&app).status,
        JobStatus::Running,
        "still leased to the dead worker"
    );
    // The worker may also have died holding its scheduler's cleanup job: both come back.
    app.clock.advance(chrono::Duration::minutes(10));
    assert!(
        app.run_jobs_until_idle().await >= 1,
        "claimed again once the lease expired"
    );
    let row = delivery(&app);
    assert_eq!((row.status, row.attempts), (JobStatus::Done, 2));
    assert_eq!(received.lock().unwrap().len(), 1, "delivered once");
    let status: OutboxStatus = email_outbox::table
        .select(email_outbox::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, OutboxStatus::Sent);
}

#[tokio::test]
async fn workers_beside_web_requests_never_see_a_locked_database() {
    let app = spawn_app().await;
    let test = enqueue_counts(&app, 300);
    let learner = app.create_user("busy@example.com");
    let b = Arc::new(app.browser_for(&learner));
    let pool = WorkerPool::start(app.ctx.clone(), registry(), 4, quick());
    let mut requests = Vec::new();
    for n in 0..60 {
        let b = b.clone();
        requests.push(tokio::spawn(async move {
            let saved = if n % 2 == 0 { "true" } else { "false" };
            let res = b
                .post_form("/scenarios/ordering-ramen-osaka/save", &[("saved", saved)])
                .await;
            let page = b.get("/scenarios").await;
            (res.status().as_u16(), page.status().as_u16())
        }));
    }
    for r in requests {
        let (post, get) = r.await.unwrap();
        assert!(post < 500 && get < 500, "{post} {get}");
    }
    wait_until_idle(&app, Duration::from_secs(120)).await;
    pool.shutdown().await;
    assert_eq!(runs_of(&test).len(), 300);
    let failed: Vec<JobRow> = job_rows(&app)
        .into_iter()
        .filter(|j| j.last_error.is_some())
        .collect();
    assert!(
        failed.is_empty(),
        "{:?}",
        failed.first().map(|j| &j.last_error)
    );
}

#[test]
fn the_jobs_command_lists_dead_jobs_and_retries_one() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app());
    let now = app.clock.naive();
    enqueue(&mut app.conn(), &Broken { test: "cli".into() }, now).unwrap();
    let id = job_rows(&app)[0].id.clone();
    diesel::update(jobs::table.find(&id))
        .set((
            jobs::status.eq(JobStatus::Dead),
            jobs::attempts.eq(3),
            jobs::last_error.eq("the printer is on fire"),
        ))
        .execute(&mut app.conn())
        .unwrap();
    let url = match &app.db.target {
        kaiwa::db::conn::DatabaseTarget::Sqlite(p) => format!("sqlite://{}", p.display()),
        kaiwa::db::conn::DatabaseTarget::Postgres(u) => u.clone(),
    };
    let kaiwa = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_kaiwa"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env("KAIWA_DATA_DIR", app.db.dir.path())
            .env("RUST_LOG", "warn")
            .env_remove("KAIWA_CONFIG")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, listed) = kaiwa(&["jobs"]);
    assert!(ok);
    assert!(
        listed.contains(&id)
            && listed.contains("dead")
            && listed.contains("the printer is on fire"),
        "{listed}"
    );
    let (ok, said) = kaiwa(&["jobs", "retry", &id]);
    assert!(ok, "{said}");
    assert_eq!(job_rows(&app)[0].status, JobStatus::Queued);
    assert_eq!(job_rows(&app)[0].attempts, 0);
    let (ok, _) = kaiwa(&["jobs", "retry", &id]);
    assert!(!ok, "only a dead job can be retried");
    let (ok, said) = kaiwa(&["cron", "cleanup"]);
    assert!(ok && said.contains("cleanup: done"), "{said}");
    let (ok, _) = kaiwa(&["cron", "no-such-job"]);
    assert!(!ok);
}
