//! Benchmark: the job queue. For each database (SQLite always; PostgreSQL when
//! `KAIWA_BENCH_POSTGRES_URL` is set) it measures, in one run:
//! - throughput: 2,000 jobs that each write one row, run by 4 workers, in jobs per second,
//!   against a baseline of the same 2,000 writes done directly, one transaction each, by one
//!   connection (the ratio is what claiming, leasing and finishing costs on top);
//! - the added latency from enqueue to start: one job enqueued while the workers idle (the
//!   in-process wake-up), median and p90 of 50.
//!
//! Run with `cargo bench --bench jobs`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use kaiwa::app::jobs::{enqueue, Job};
use kaiwa::app::{Clock, Ctx, SystemClock};
use kaiwa::config::Settings;
use kaiwa::db::conn::{write_transaction, DatabaseTarget};
use kaiwa::db::queries;
use kaiwa::jobs::{Attempt, Registry, Runs, WorkerOptions, WorkerPool};
use serde::{Deserialize, Serialize};

const JOBS: usize = 2_000;
const WORKERS: usize = 4;
const LATENCY_SAMPLES: usize = 50;

static DONE: AtomicUsize = AtomicUsize::new(0);
static STARTED: LazyLock<Mutex<Option<Instant>>> = LazyLock::new(Default::default);

/// Writes one row, like a small real job.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Write {
    n: usize,
}

impl Job for Write {
    const KIND: &'static str = "bench_write";
}

impl Runs for Write {
    async fn run(self, ctx: Ctx, _: Attempt) -> anyhow::Result<()> {
        let (key, now) = (format!("bench:{}", self.n), ctx.clock.naive());
        ctx.db
            .read(move |c| queries::rate_limits::hit(c, &key, chrono::Duration::hours(1), now))
            .await?;
        DONE.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// Notes when it started.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Ping {}

impl Job for Ping {
    const KIND: &'static str = "bench_ping";
}

impl Runs for Ping {
    async fn run(self, _: Ctx, _: Attempt) -> anyhow::Result<()> {
        *STARTED.lock().unwrap() = Some(Instant::now());
        Ok(())
    }
}

fn context(target: DatabaseTarget, dir: &std::path::Path) -> Ctx {
    let settings = Settings::for_tests(dir.to_path_buf(), target);
    let pool = kaiwa::startup::prepare_database(&settings).expect("the database");
    kaiwa::startup::context(Arc::new(settings), pool, Arc::new(SystemClock)).expect("a context")
}

async fn wait_for(count: usize) {
    while DONE.load(Ordering::SeqCst) < count {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

async fn measure(name: &str, target: DatabaseTarget, dir: &std::path::Path) {
    let ctx = context(target, dir);
    // Baseline: the same writes, done directly.
    let pool = ctx.db.pool().clone();
    let started = Instant::now();
    tokio::task::spawn_blocking(move || {
        let mut c = pool.get().unwrap();
        for n in 0..JOBS {
            let key = format!("baseline:{n}");
            queries::rate_limits::hit(
                &mut c,
                &key,
                chrono::Duration::hours(1),
                chrono::Utc::now().naive_utc(),
            )
            .unwrap();
        }
    })
    .await
    .unwrap();
    let baseline = JOBS as f64 / started.elapsed().as_secs_f64();

    // Throughput through the queue.
    DONE.store(0, Ordering::SeqCst);
    let pool = ctx.db.pool().clone();
    let now = SystemClock.naive();
    tokio::task::spawn_blocking(move || {
        let mut c = pool.get().unwrap();
        write_transaction(&mut c, |c| {
            for n in 0..JOBS {
                enqueue(c, &Write { n }, now)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    })
    .await
    .unwrap();
    let registry = Arc::new(Registry::standard().register::<Write>().register::<Ping>());
    let options = WorkerOptions {
        poll: Duration::from_millis(200),
        ..WorkerOptions::default()
    };
    let started = Instant::now();
    let workers = WorkerPool::start(ctx.clone(), registry, WORKERS, options);
    wait_for(JOBS).await;
    let queued = JOBS as f64 / started.elapsed().as_secs_f64();

    // Latency: enqueue one job while the workers idle.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut latencies = Vec::new();
    for _ in 0..LATENCY_SAMPLES {
        *STARTED.lock().unwrap() = None;
        let pool = ctx.db.pool().clone();
        let enqueued = Instant::now();
        tokio::task::spawn_blocking(move || {
            let mut c = pool.get().unwrap();
            enqueue(&mut c, &Ping {}, SystemClock.naive()).unwrap();
        })
        .await
        .unwrap();
        ctx.jobs.notify();
        loop {
            if let Some(at) = *STARTED.lock().unwrap() {
                latencies.push(at - enqueued);
                break;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    workers.shutdown().await;
    println!(
        "{name:<10} throughput {queued:>7.0} jobs/s with {WORKERS} workers · baseline {baseline:>7.0} direct writes/s · ratio {:.2}×",
        queued / baseline
    );
    println!(
        "{name:<10} enqueue → start: median {:.2} ms, p90 {:.2} ms ({LATENCY_SAMPLES} jobs)",
        percentile(latencies.clone(), 0.5).as_secs_f64() * 1000.0,
        percentile(latencies, 0.9).as_secs_f64() * 1000.0
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    println!(
        "job queue benchmark: {JOBS} jobs, {WORKERS} workers, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    runtime.block_on(measure(
        "SQLite",
        DatabaseTarget::Sqlite(dir.path().join("bench.db")),
        dir.path(),
    ));
    if let Ok(base) = std::env::var("KAIWA_BENCH_POSTGRES_URL") {
        let schema = "kaiwa_bench_jobs";
        let mut admin = PgConnection::establish(&base).expect("KAIWA_BENCH_POSTGRES_URL answers");
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
        runtime.block_on(measure(
            "PostgreSQL",
            DatabaseTarget::Postgres(url),
            dir.path(),
        ));
        admin
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .unwrap();
    }
}
