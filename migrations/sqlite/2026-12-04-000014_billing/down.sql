DROP TABLE IF EXISTS stripe_events;

-- Back to the four statuses of the first schema; rows with a newer status become canceled.
CREATE TEMPORARY TABLE billing_payment_links AS
    SELECT id, subscription_id FROM payments WHERE subscription_id IS NOT NULL;
CREATE TABLE subscriptions_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tier_id TEXT NOT NULL REFERENCES tiers (id),
    stripe_subscription_id TEXT UNIQUE,
    stripe_customer_id TEXT,
    stripe_price_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'canceled', 'past_due', 'trialing')),
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
    CASE WHEN status IN ('active', 'canceled', 'past_due', 'trialing') THEN status ELSE 'canceled' END,
    current_period_start, current_period_end, cancel_at_period_end, is_active,
    created_at, updated_at
FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_rebuilt RENAME TO subscriptions;
CREATE INDEX subscriptions_user_id_idx ON subscriptions (user_id, is_active);
UPDATE payments
SET subscription_id = (SELECT l.subscription_id FROM billing_payment_links l WHERE l.id = payments.id)
WHERE id IN (SELECT id FROM billing_payment_links);
DROP TABLE billing_payment_links;
