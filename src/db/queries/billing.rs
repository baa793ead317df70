//! Queries of the billing area: `subscriptions`, `payments`, `stripe_events`, the Stripe
//! customer of a user and the Stripe prices of `tiers`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamp};

use crate::db::models::{
    NewPayment, NewStripeEvent, NewSubscription, Payment, PaymentChanges, Subscription,
    SubscriptionChanges, Tier, User,
};
use crate::db::schema::{payments, subscriptions, tiers, users};
use crate::db::DbConn;

/// The learner's current subscription: the newest row marked active (Stripe keeps one
/// subscription per customer; older rows are kept, inactive, for the history).
pub fn find_current_subscription(
    conn: &mut DbConn,
    user_id: &str,
) -> QueryResult<Option<Subscription>> {
    subscriptions::table
        .filter(subscriptions::user_id.eq(user_id))
        .filter(subscriptions::is_active.eq(true))
        .order((subscriptions::updated_at.desc(), subscriptions::id.desc()))
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

/// Stores a webhook event unless one with its id is stored already; returns whether it was
/// new. Call it inside the transaction that enqueues the event's work.
pub fn insert_event(conn: &mut DbConn, event: &NewStripeEvent) -> QueryResult<bool> {
    // why: two deliveries of one event may race; the primary key decides, and a conflict
    // means "seen before" (a check first would let both through on PostgreSQL).
    let inserted = diesel::sql_query(
        "INSERT INTO stripe_events (id, type, created, customer_id, payload, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
    )
    .bind::<Text, _>(&event.id)
    .bind::<Text, _>(&event.event_type)
    .bind::<Timestamp, _>(event.created)
    .bind::<Nullable<Text>, _>(event.customer_id.as_deref())
    .bind::<Text, _>(&event.payload)
    .bind::<Timestamp, _>(event.received_at)
    .execute(conn)?;
    Ok(inserted == 1)
}

/// How many events about `customer_id` are stored.
pub fn count_events(conn: &mut DbConn, customer_id: &str) -> QueryResult<i64> {
    use crate::db::schema::stripe_events;
    stripe_events::table
        .filter(stripe_events::customer_id.eq(customer_id))
        .count()
        .get_result(conn)
}

/// The user whose Stripe customer is `customer_id`.
pub fn find_user_by_customer(conn: &mut DbConn, customer_id: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::stripe_customer_id.eq(customer_id))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// The Stripe customer stored for user `user_id`, if any.
pub fn find_customer_id(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<String>> {
    users::table
        .find(user_id)
        .select(users::stripe_customer_id)
        .first::<Option<String>>(conn)
        .optional()
        .map(Option::flatten)
}

/// Stores `customer_id` as user `user_id`'s Stripe customer unless one is stored already;
/// returns the one stored afterwards (the first wins).
pub fn update_customer_id_if_none(
    conn: &mut DbConn,
    user_id: &str,
    customer_id: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    diesel::update(
        users::table
            .find(user_id)
            .filter(users::stripe_customer_id.is_null()),
    )
    .set((
        users::stripe_customer_id.eq(customer_id),
        users::updated_at.eq(now),
    ))
    .execute(conn)?;
    users::table
        .find(user_id)
        .select(users::stripe_customer_id.assume_not_null())
        .first(conn)
}

/// The subscription row of Stripe subscription `stripe_id`, if stored.
pub fn find_by_stripe_subscription(
    conn: &mut DbConn,
    stripe_id: &str,
) -> QueryResult<Option<Subscription>> {
    subscriptions::table
        .filter(subscriptions::stripe_subscription_id.eq(stripe_id))
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

/// The subscription an admin set by hand for `user_id` (no Stripe id), if any.
pub fn find_hand_set(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<Subscription>> {
    subscriptions::table
        .filter(subscriptions::user_id.eq(user_id))
        .filter(subscriptions::stripe_subscription_id.is_null())
        .order(subscriptions::updated_at.desc())
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

/// Inserts a subscription row.
pub fn insert_subscription(conn: &mut DbConn, row: &NewSubscription) -> QueryResult<()> {
    diesel::insert_into(subscriptions::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

/// Applies `changes` to subscription row `id`.
pub fn update_subscription(
    conn: &mut DbConn,
    id: &str,
    changes: SubscriptionChanges,
) -> QueryResult<()> {
    diesel::update(subscriptions::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

/// Marks every subscription row of `user_id` inactive; returns how many changed.
pub fn update_all_inactive(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        subscriptions::table
            .filter(subscriptions::user_id.eq(user_id))
            .filter(subscriptions::is_active.eq(true)),
    )
    .set((
        subscriptions::is_active.eq(false),
        subscriptions::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Deletes the subscriptions an admin set by hand for `user_id`; returns how many.
pub fn delete_hand_set(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(
        subscriptions::table
            .filter(subscriptions::user_id.eq(user_id))
            .filter(subscriptions::stripe_subscription_id.is_null()),
    )
    .execute(conn)
}

/// The payment row of Stripe invoice `invoice_id`, if stored.
pub fn find_payment_by_invoice(
    conn: &mut DbConn,
    invoice_id: &str,
) -> QueryResult<Option<Payment>> {
    payments::table
        .filter(payments::stripe_invoice_id.eq(invoice_id))
        .select(Payment::as_select())
        .first(conn)
        .optional()
}

/// Inserts a payment row.
pub fn insert_payment(conn: &mut DbConn, row: &NewPayment) -> QueryResult<()> {
    diesel::insert_into(payments::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

/// Applies `changes` to payment row `id`.
pub fn update_payment(conn: &mut DbConn, id: &str, changes: PaymentChanges) -> QueryResult<()> {
    diesel::update(payments::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

/// The newest `limit` payments of `user_id`, newest first.
pub fn list_payments(conn: &mut DbConn, user_id: &str, limit: i64) -> QueryResult<Vec<Payment>> {
    payments::table
        .filter(payments::user_id.eq(user_id))
        .order((payments::created_at.desc(), payments::id.desc()))
        .limit(limit)
        .select(Payment::as_select())
        .load(conn)
}

/// Every tier that sells `price_id` (monthly or annual).
pub fn find_tier_by_price(conn: &mut DbConn, price_id: &str) -> QueryResult<Option<Tier>> {
    tiers::table
        .filter(
            tiers::stripe_price_id_monthly
                .eq(price_id)
                .or(tiers::stripe_price_id_annual.eq(price_id)),
        )
        .select(Tier::as_select())
        .first(conn)
        .optional()
}

/// Sets tier `tier_id`'s monthly or annual Stripe price; returns whether the tier exists.
pub fn update_tier_price(
    conn: &mut DbConn,
    tier_id: &str,
    annual: bool,
    price_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let target = tiers::table.find(tier_id);
    let changed = if annual {
        diesel::update(target)
            .set((
                tiers::stripe_price_id_annual.eq(price_id),
                tiers::updated_at.eq(now),
            ))
            .execute(conn)?
    } else {
        diesel::update(target)
            .set((
                tiers::stripe_price_id_monthly.eq(price_id),
                tiers::updated_at.eq(now),
            ))
            .execute(conn)?
    };
    Ok(changed == 1)
}
