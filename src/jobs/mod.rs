//! Running the job queue: a registry of the job kinds this binary can run, worker loops that
//! claim due jobs with a lease, run them with a timeout and record the outcome (done, retried
//! with backoff, or dead with its error), a scheduler for periodic jobs, and
//! [`run_until_idle`] for tests and one-shot commands. Each job kind is one file here that
//! hands its payload to the use case in `app` it stands for; nothing here decides anything a
//! use case should.
//!
//! Delivery is at least once: a job whose worker dies mid-run is claimed again after its lease
//! expires, so every job's effect must be safe to repeat (each use case checks its own state).

pub mod analysis;
pub mod billing;
pub mod cleanup;
pub mod mail;
pub mod path_reminders;
pub mod paths;
pub mod reading_aids;
pub mod realtime;
pub mod scheduler;
pub mod usage;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tracing::Instrument;

use crate::app::jobs::{backoff, Job};
use crate::app::{Ctx, DbError};
use crate::db::models::Job as JobRow;
use crate::db::queries;

/// Which attempt of a job this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    pub number: i32,
    pub max: i32,
}

impl Attempt {
    /// Whether a failure now makes the job dead.
    pub fn is_last(self) -> bool {
        self.number >= self.max
    }
}

/// A job kind this binary can run: the payload type's `Job` description plus how to run it.
pub trait Runs: Job {
    /// Runs one attempt. An error is retried with backoff until the job's attempts run out.
    fn run(self, ctx: Ctx, attempt: Attempt) -> impl Future<Output = anyhow::Result<()>> + Send;
}

type RunFn = fn(Ctx, String, Attempt) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

struct Entry {
    run: RunFn,
    timeout: Duration,
}

/// The job kinds a worker can run.
pub struct Registry {
    entries: HashMap<&'static str, Entry>,
}

fn run_erased<J: Runs>(
    ctx: Ctx,
    payload: String,
    attempt: Attempt,
) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>> {
    Box::pin(async move {
        let job: J = serde_json::from_str(&payload)
            .map_err(|e| anyhow::anyhow!("the payload of a {} job does not parse: {e}", J::KIND))?;
        job.run(ctx, attempt).await
    })
}

impl Registry {
    pub fn empty() -> Self {
        Self {
            entries: HashMap::new(),
        }
    }

    /// Every job kind of the app.
    pub fn standard() -> Self {
        Self::empty()
            .register::<crate::app::mail::DeliverEmail>()
            .register::<crate::app::conversations::analyse::AnalyseConversation>()
            .register::<cleanup::Cleanup>()
            .register::<crate::app::conversations::recompute_aids::RecomputeReadingAids>()
            .register::<crate::app::paths::generation::GeneratePathScenario>()
            .register::<crate::app::paths::draft::DraftPathPreview>()
            .register::<crate::app::paths::SendPathReminders>()
            .register::<usage::SettleExpiredSessions>()
            .register::<crate::app::billing::SyncCustomer>()
            .register::<crate::app::conversations::realtime::RealtimeCallDeadline>()
    }

    /// Adds a kind.
    pub fn register<J: Runs>(mut self) -> Self {
        self.entries.insert(
            J::KIND,
            Entry {
                run: run_erased::<J>,
                timeout: J::TIMEOUT,
            },
        );
        self
    }

    fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.entries.keys().map(|k| (*k).to_owned()).collect();
        kinds.sort();
        kinds
    }

    /// The longest timeout of any kind: a lease must outlast any attempt.
    fn longest_timeout(&self) -> Duration {
        self.entries
            .values()
            .map(|e| e.timeout)
            .max()
            .unwrap_or(Duration::from_secs(60))
    }
}

/// How workers behave.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// How long a claim holds a job beyond the longest timeout; a dead worker's job becomes
    /// claimable again this long after its attempt could have ended.
    pub lease_margin: Duration,
    /// How long an idle worker waits before looking again (enqueues in this process wake it
    /// at once; other processes' enqueues are found at the next look).
    pub poll: Duration,
    /// How long a running job may go on after shutdown is asked before its lease is given back.
    pub shutdown_grace: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            lease_margin: Duration::from_secs(30),
            poll: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(20),
        }
    }
}

/// What one look at the queue did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Idle,
    Done,
    Retried,
    Dead,
    /// The lease was lost (another worker took it over), or given back at shutdown.
    Abandoned,
}

/// Claims one due job and runs it; `Idle` when nothing is due.
pub async fn run_one(
    ctx: &Ctx,
    registry: &Registry,
    options: &WorkerOptions,
    worker: &str,
    shutdown: Option<&tokio::sync::watch::Receiver<bool>>,
) -> Result<Outcome, DbError> {
    let lease_owner = format!("{worker}:{}", uuid::Uuid::now_v7().simple());
    let now = ctx.clock.naive();
    let lease = registry.longest_timeout() + options.lease_margin;
    let lease_until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::hours(1));
    let kinds = registry.kinds();
    let owner = lease_owner.clone();
    let claimed: Option<JobRow> = ctx
        .db
        .run(move |c| {
            queries::jobs::claim(c, &kinds, &owner, lease_until, now).map_err(DbError::from)
        })
        .await?;
    let Some(job) = claimed else {
        return Ok(Outcome::Idle);
    };
    let attempt = Attempt {
        number: job.attempts,
        max: job.max_attempts,
    };
    let span = tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = attempt.number);
    attempt_job(ctx, registry, options, shutdown, job, lease_owner, attempt)
        .instrument(span)
        .await
}

async fn attempt_job(
    ctx: &Ctx,
    registry: &Registry,
    options: &WorkerOptions,
    shutdown: Option<&tokio::sync::watch::Receiver<bool>>,
    job: JobRow,
    lease_owner: String,
    attempt: Attempt,
) -> Result<Outcome, DbError> {
    let result = match registry.entries.get(job.kind.as_str()) {
        _ if attempt.number > attempt.max => Err(anyhow::anyhow!(
            "gave up: the job's worker stopped {} times without finishing",
            attempt.max
        )),
        Some(entry) => {
            let run = (entry.run)(ctx.clone(), job.payload.clone(), attempt);
            let timed = tokio::time::timeout(entry.timeout, run);
            match shutdown {
                Some(rx) => {
                    let mut rx = rx.clone();
                    let grace = options.shutdown_grace;
                    tokio::select! {
                        r = timed => r.unwrap_or_else(|_| Err(anyhow::anyhow!("timed out after {:?}", entry.timeout))),
                        () = async move {
                            let _ = rx.wait_for(|stop| *stop).await;
                            tokio::time::sleep(grace).await;
                        } => {
                            let (id, owner, at) = (job.id.clone(), lease_owner.clone(), ctx.clock.naive());
                            ctx.db.run(move |c| queries::jobs::release(c, &id, &owner, at).map_err(DbError::from)).await?;
                            tracing::warn!("shutting down: the job's lease was given back");
                            return Ok(Outcome::Abandoned);
                        }
                    }
                }
                None => timed.await.unwrap_or_else(|_| {
                    Err(anyhow::anyhow!("timed out after {:?}", entry.timeout))
                }),
            }
        }
        None => Err(anyhow::anyhow!("no worker here runs {} jobs", job.kind)),
    };
    finish(ctx, &job, &lease_owner, attempt, result).await
}

async fn finish(
    ctx: &Ctx,
    job: &JobRow,
    lease_owner: &str,
    attempt: Attempt,
    result: anyhow::Result<()>,
) -> Result<Outcome, DbError> {
    let now = ctx.clock.naive();
    let (id, owner) = (job.id.clone(), lease_owner.to_owned());
    match result {
        Ok(()) => {
            let kept = ctx
                .db
                .run(move |c| queries::jobs::complete(c, &id, &owner, now).map_err(DbError::from))
                .await?;
            if kept {
                tracing::info!("job done");
                Ok(Outcome::Done)
            } else {
                tracing::warn!("job finished after its lease was lost");
                Ok(Outcome::Abandoned)
            }
        }
        Err(error) => {
            let message = format!("{error:#}");
            let retry_at = (!attempt.is_last())
                .then(|| now + backoff(attempt.number, rand::thread_rng().gen::<f64>()));
            let text = message.clone();
            let kept = ctx
                .db
                .run(move |c| {
                    queries::jobs::fail(c, &id, &owner, &text, retry_at, now).map_err(DbError::from)
                })
                .await?;
            match (kept, retry_at) {
                (false, _) => Ok(Outcome::Abandoned),
                (true, Some(at)) => {
                    tracing::warn!(error = %message, retry_at = %at, "job failed; will retry");
                    Ok(Outcome::Retried)
                }
                (true, None) => {
                    tracing::error!(error = %message, "job failed for the last time; it is dead");
                    Ok(Outcome::Dead)
                }
            }
        }
    }
}

/// Runs due jobs one after another until none is due; returns how many attempts ran.
/// Tests call it (with the settable clock, jobs due later wait until the clock is moved).
pub async fn run_until_idle(ctx: &Ctx, registry: &Registry) -> Result<usize, DbError> {
    let options = WorkerOptions::default();
    let mut ran = 0;
    while run_one(ctx, registry, &options, "inline", None).await? != Outcome::Idle {
        ran += 1;
    }
    Ok(ran)
}

/// A pool of worker loops (and the scheduler) running in this process.
pub struct WorkerPool {
    stop: tokio::sync::watch::Sender<bool>,
    handles: Vec<tokio::task::JoinHandle<()>>,
}

impl WorkerPool {
    /// Starts `count` workers and the scheduler.
    pub fn start(ctx: Ctx, registry: Arc<Registry>, count: usize, options: WorkerOptions) -> Self {
        let (stop, rx) = tokio::sync::watch::channel(false);
        let process = format!("{}-{}", std::process::id(), uuid::Uuid::now_v7().simple());
        let mut handles = Vec::new();
        for n in 0..count {
            let (ctx, registry, options, rx) =
                (ctx.clone(), registry.clone(), options.clone(), rx.clone());
            let name = format!("{process}-w{n}");
            handles.push(tokio::spawn(async move {
                work(ctx, registry, options, name, rx).await;
            }));
        }
        if count > 0 {
            handles.push(tokio::spawn(scheduler::run(ctx, rx)));
        }
        tracing::info!(workers = count, "job workers started");
        Self { stop, handles }
    }

    /// Asks every worker to stop after its current job and waits for them.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for h in self.handles {
            let _ = h.await;
        }
        tracing::info!("job workers stopped");
    }
}

async fn work(
    ctx: Ctx,
    registry: Arc<Registry>,
    options: WorkerOptions,
    name: String,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        match run_one(&ctx, &registry, &options, &name, Some(&stop)).await {
            Ok(Outcome::Idle) => {
                tokio::select! {
                    () = ctx.jobs.notified() => {}
                    () = tokio::time::sleep(options.poll) => {}
                    _ = stop.changed() => {}
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, worker = %name, "the job queue could not be read");
                tokio::select! {
                    () = tokio::time::sleep(options.poll * 2) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }
}
