-- Billing: Stripe webhook events, stored once by their id (a delivery seen again is a no-op),
-- and every status a Stripe subscription can have.
CREATE TABLE stripe_events (
    id TEXT PRIMARY KEY NOT NULL,
    type TEXT NOT NULL,
    created TIMESTAMP NOT NULL,
    customer_id TEXT,
    payload TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX stripe_events_customer_id_idx ON stripe_events (customer_id, created);

ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_status_check;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_status_check
    CHECK (status IN ('active', 'canceled', 'past_due', 'trialing',
        'unpaid', 'incomplete', 'incomplete_expired', 'paused'));
CREATE INDEX subscriptions_stripe_customer_id_idx ON subscriptions (stripe_customer_id);

-- `users.stripe_customer_id` is already UNIQUE (its column constraint's index), so one
-- Stripe customer belongs to at most one account.
