DROP TABLE IF EXISTS stripe_events;
DROP INDEX IF EXISTS subscriptions_stripe_customer_id_idx;
UPDATE subscriptions SET status = 'canceled'
    WHERE status NOT IN ('active', 'canceled', 'past_due', 'trialing');
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_status_check;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_status_check
    CHECK (status IN ('active', 'canceled', 'past_due', 'trialing'));
