-- The job queue: every side effect that runs later (emails, end-of-conversation analysis,
-- cleanups, and later scenario generation, reminders, Stripe syncs) is a row here, enqueued in
-- the same transaction as the change that causes it.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    -- the job's typed payload as JSON text
    payload TEXT NOT NULL,
    -- at most one queued or running job per key (NULL: no deduplication)
    dedupe_key TEXT,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'dead')),
    run_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    -- a random token per claim: only the holder of the current lease may finish the job
    lease_owner TEXT,
    lease_expires_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE UNIQUE INDEX jobs_dedupe_key_idx ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running');
CREATE INDEX jobs_due_idx ON jobs (status, run_at);
CREATE INDEX jobs_lease_idx ON jobs (status, lease_expires_at);

-- Periodic jobs: the last slot each schedule fired, so many processes fire each slot once.
CREATE TABLE job_schedules (
    name TEXT PRIMARY KEY NOT NULL,
    last_slot TIMESTAMP NOT NULL
);
