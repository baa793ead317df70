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

-- why: SQLite cannot change a CHECK in place, so `subscriptions` is rebuilt. DROP TABLE
-- deletes its rows first, which fires `payments.subscription_id … ON DELETE SET NULL` (the
-- migration runs in a transaction, where `PRAGMA foreign_keys = OFF` does nothing): the
-- payments' links are kept aside and restored after the rebuild.
CREATE TEMPORARY TABLE billing_payment_links AS
    SELECT id, subscription_id FROM payments WHERE subscription_id IS NOT NULL;

CREATE TABLE subscriptions_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tier_id TEXT NOT NULL REFERENCES tiers (id),
    stripe_subscription_id TEXT UNIQUE,
    stripe_customer_id TEXT,
    stripe_price_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'canceled', 'past_due', 'trialing',
        'unpaid', 'incomplete', 'incomplete_expired', 'paused')),
    current_period_start TIMESTAMP,
    current_period_end TIMESTAMP,
    cancel_at_period_end BOOLEAN NOT NULL DEFAULT FALSE,
    is_active BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO subscriptions_rebuilt (id, user_id, tier_id, stripe_subscription_id,
    stripe_customer_id, stripe_price_id, status, current_period_start, current_period_end,
    cancel_at_period_end, is_active, created_at, updated_at)
SELECT id, user_id, tier_id, stripe_subscription_id, stripe_customer_id, stripe_price_id,
    status, current_period_start, current_period_end, cancel_at_period_end, is_active,
    created_at, updated_at
FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_rebuilt RENAME TO subscriptions;
CREATE INDEX subscriptions_user_id_idx ON subscriptions (user_id, is_active);
CREATE INDEX subscriptions_stripe_customer_id_idx ON subscriptions (stripe_customer_id);

UPDATE payments
SET subscription_id = (SELECT l.subscription_id FROM billing_payment_links l WHERE l.id = payments.id)
WHERE id IN (SELECT id FROM billing_payment_links);
DROP TABLE billing_payment_links;

-- `users.stripe_customer_id` is already UNIQUE (its column constraint's index), so one
-- Stripe customer belongs to at most one account.
