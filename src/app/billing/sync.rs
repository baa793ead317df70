//! Bringing a Stripe customer's rows in line with Stripe: the `stripe_sync` job and the
//! return from Checkout read the customer's subscriptions (every status) and invoices from
//! the API and write `subscriptions` (one row per Stripe subscription, keyed by its id) and
//! `payments` (one per invoice, keyed by its id). Events only say "look again", so their
//! order and repeats do not matter: the rows follow Stripe's current state, and a read that
//! finds nothing new writes nothing.

use chrono::NaiveDateTime;

use super::{lock_user, BillingError};
use crate::app::Ctx;
use crate::db::models::{
    NewPayment, NewSubscription, PaymentChanges, Subscription, SubscriptionChanges,
};
use crate::db::types::{PaymentStatus, SubscriptionStatus};
use crate::db::{new_id, queries, DbConn};
use crate::integrations::stripe::{RemoteInvoice, RemoteSubscription};

/// Reads at most this many times in one sync when webhooks keep arriving meanwhile.
const PASSES: usize = 3;

/// Syncs customer `customer_id` from Stripe. A customer no Kaiwa account has is left alone.
/// Errors: not configured, Stripe failing (the job retries), the database.
pub async fn sync(ctx: &Ctx, customer_id: &str) -> Result<(), BillingError> {
    let stripe = ctx.stripe.clone().ok_or(BillingError::NotConfigured)?;
    for _ in 0..PASSES {
        // why: an event that arrives while this sync reads is deduplicated into this very
        // job (it is running), yet Stripe may have changed after the read: when more events
        // about the customer are stored after the write than before the read, read again.
        let customer = customer_id.to_owned();
        let seen = ctx
            .db
            .read(move |c| queries::billing::count_events(c, &customer))
            .await?;
        let subscriptions = stripe.list_subscriptions(customer_id).await?;
        let invoices = stripe.list_invoices(customer_id).await?;
        let now = ctx.clock.naive();
        let customer = customer_id.to_owned();
        let again = ctx
            .db
            .write(move |c| -> Result<bool, BillingError> {
                write_state(c, &customer, &subscriptions, &invoices, now)?;
                Ok(queries::billing::count_events(c, &customer)? > seen)
            })
            .await?;
        if !again {
            break;
        }
    }
    Ok(())
}

/// Writes what Stripe says about `customer_id`'s subscriptions and invoices. Call inside
/// `write_transaction`.
fn write_state(
    conn: &mut DbConn,
    customer_id: &str,
    remote: &[RemoteSubscription],
    invoices: &[RemoteInvoice],
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    let Some(user) = queries::billing::find_user_by_customer(conn, customer_id)? else {
        tracing::warn!(
            customer_id,
            "a Stripe customer no account has; nothing synced"
        );
        return Ok(());
    };
    lock_user(conn, &user.id)?;
    let hand_set = queries::billing::find_hand_set(conn, &user.id)?.is_some();
    let current = current_index(remote);
    let mut rows: Vec<(String, String)> = Vec::new();
    for (i, s) in remote.iter().enumerate() {
        let Some(price) = s.price_id.as_deref() else {
            continue;
        };
        let Some(tier) = queries::billing::find_tier_by_price(conn, price)? else {
            tracing::warn!(price, subscription = %s.id, "a Stripe price no tier sells; skipped");
            continue;
        };
        let wanted = Wanted {
            tier_id: tier.id,
            customer_id: customer_id.to_owned(),
            price_id: price.to_owned(),
            status: s.status.parse().unwrap_or(SubscriptionStatus::Incomplete),
            start: s.current_period_start,
            end: s.current_period_end,
            cancel_at_period_end: s.cancel_at_period_end,
            // why: an admin's hand-set plan wins while it exists; clearing it queues a sync.
            is_active: current == Some(i) && !hand_set,
        };
        let id = match queries::billing::find_by_stripe_subscription(conn, &s.id)? {
            Some(row) => {
                if let Some(changes) = wanted.changes_to(&row, &user.id, now) {
                    queries::billing::update_subscription(conn, &row.id, changes)?;
                }
                row.id
            }
            None => {
                let id = new_id();
                queries::billing::insert_subscription(
                    conn,
                    &wanted.insert(&id, &user.id, &s.id, now),
                )?;
                id
            }
        };
        rows.push((s.id.clone(), id));
    }
    for invoice in invoices {
        let Some(status) = payment_status(invoice, now) else {
            continue;
        };
        let subscription_id = invoice
            .subscription_id
            .as_ref()
            .and_then(|sid| rows.iter().find(|(s, _)| s == sid))
            .map(|(_, id)| id.clone());
        let amount = i32::try_from(invoice.amount).unwrap_or(i32::MAX);
        match queries::billing::find_payment_by_invoice(conn, &invoice.id)? {
            Some(p) => {
                let same = p.status == status
                    && p.amount_cents == amount
                    && p.currency == invoice.currency
                    && p.subscription_id == subscription_id
                    && p.user_id == user.id;
                if !same {
                    let changes = PaymentChanges {
                        user_id: Some(user.id.clone()),
                        subscription_id: Some(subscription_id),
                        amount_cents: Some(amount),
                        currency: Some(invoice.currency.clone()),
                        status: Some(status),
                        updated_at: Some(now),
                        ..Default::default()
                    };
                    queries::billing::update_payment(conn, &p.id, changes)?;
                }
            }
            None => queries::billing::insert_payment(
                conn,
                &NewPayment {
                    id: new_id(),
                    user_id: user.id.clone(),
                    subscription_id,
                    stripe_payment_intent_id: None,
                    stripe_invoice_id: Some(invoice.id.clone()),
                    amount_cents: amount,
                    currency: invoice.currency.clone(),
                    status,
                    created_at: invoice.at,
                    updated_at: now,
                },
            )?,
        }
    }
    Ok(())
}

/// A subscription row as Stripe's state says it should be.
struct Wanted {
    tier_id: String,
    customer_id: String,
    price_id: String,
    status: SubscriptionStatus,
    start: Option<NaiveDateTime>,
    end: Option<NaiveDateTime>,
    cancel_at_period_end: bool,
    is_active: bool,
}

impl Wanted {
    /// The changes that make `row` this, or `None` when it already is.
    fn changes_to(
        &self,
        row: &Subscription,
        user_id: &str,
        now: NaiveDateTime,
    ) -> Option<SubscriptionChanges> {
        let same = row.user_id == user_id
            && row.tier_id == self.tier_id
            && row.stripe_customer_id.as_deref() == Some(self.customer_id.as_str())
            && row.stripe_price_id.as_deref() == Some(self.price_id.as_str())
            && row.status == self.status
            && row.current_period_start == self.start
            && row.current_period_end == self.end
            && row.cancel_at_period_end == self.cancel_at_period_end
            && row.is_active == self.is_active;
        (!same).then(|| SubscriptionChanges {
            user_id: Some(user_id.to_owned()),
            tier_id: Some(self.tier_id.clone()),
            stripe_customer_id: Some(Some(self.customer_id.clone())),
            stripe_price_id: Some(Some(self.price_id.clone())),
            status: Some(self.status),
            current_period_start: Some(self.start),
            current_period_end: Some(self.end),
            cancel_at_period_end: Some(self.cancel_at_period_end),
            is_active: Some(self.is_active),
            updated_at: Some(now),
            ..Default::default()
        })
    }

    fn insert(
        &self,
        id: &str,
        user_id: &str,
        stripe_id: &str,
        now: NaiveDateTime,
    ) -> NewSubscription {
        NewSubscription {
            id: id.to_owned(),
            user_id: user_id.to_owned(),
            tier_id: self.tier_id.clone(),
            stripe_subscription_id: Some(stripe_id.to_owned()),
            stripe_customer_id: Some(self.customer_id.clone()),
            stripe_price_id: Some(self.price_id.clone()),
            status: self.status,
            current_period_start: self.start,
            current_period_end: self.end,
            cancel_at_period_end: self.cancel_at_period_end,
            is_active: self.is_active,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Which of a customer's subscriptions is the current one: the newest that is still alive
/// (anything but canceled or expired), else the newest.
pub fn current_index(subscriptions: &[RemoteSubscription]) -> Option<usize> {
    let alive =
        |s: &RemoteSubscription| !matches!(s.status.as_str(), "canceled" | "incomplete_expired");
    let newest = |pick: &dyn Fn(&RemoteSubscription) -> bool| {
        subscriptions
            .iter()
            .enumerate()
            .filter(|(_, s)| pick(s))
            .max_by_key(|(_, s)| (s.created, s.id.clone()))
            .map(|(i, _)| i)
    };
    newest(&alive).or_else(|| newest(&|_| true))
}

/// The payment an invoice stands for at `now`: paid → succeeded; written off, a failed
/// attempt or past its due date → failed; finalized and not yet attempted → pending; drafts
/// and voided invoices → none.
pub fn payment_status(invoice: &RemoteInvoice, now: NaiveDateTime) -> Option<PaymentStatus> {
    match invoice.status.as_str() {
        "paid" => Some(PaymentStatus::Succeeded),
        "uncollectible" => Some(PaymentStatus::Failed),
        "open" if invoice.attempted || invoice.due.is_some_and(|due| due < now) => {
            Some(PaymentStatus::Failed)
        }
        "open" => Some(PaymentStatus::Pending),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, day)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
    }

    fn sub(id: &str, status: &str, day: u32) -> RemoteSubscription {
        RemoteSubscription {
            id: id.into(),
            customer_id: "cus_1".into(),
            status: status.into(),
            price_id: Some("price_1".into()),
            current_period_start: None,
            current_period_end: None,
            cancel_at_period_end: false,
            created: at(day),
        }
    }

    #[test]
    fn the_current_subscription_is_the_newest_alive_one() {
        assert_eq!(current_index(&[]), None);
        let subs = [
            sub("a", "canceled", 9),
            sub("b", "active", 2),
            sub("c", "past_due", 3),
        ];
        assert_eq!(current_index(&subs), Some(2));
        let ended = [sub("a", "canceled", 1), sub("b", "incomplete_expired", 5)];
        assert_eq!(current_index(&ended), Some(1), "else the newest");
    }

    fn invoice(status: &str, attempted: bool, due: Option<u32>) -> RemoteInvoice {
        RemoteInvoice {
            id: "in_1".into(),
            customer_id: Some("cus_1".into()),
            subscription_id: None,
            status: status.into(),
            attempted,
            due: due.map(at),
            amount: 900,
            currency: "usd".into(),
            at: at(1),
        }
    }

    #[test]
    fn invoices_become_payments_by_their_state() {
        let now = at(10);
        let status = |i: RemoteInvoice| payment_status(&i, now);
        assert_eq!(
            status(invoice("paid", true, None)),
            Some(PaymentStatus::Succeeded)
        );
        assert_eq!(
            status(invoice("open", true, None)),
            Some(PaymentStatus::Failed)
        );
        assert_eq!(
            status(invoice("open", false, Some(9))),
            Some(PaymentStatus::Failed)
        );
        assert_eq!(
            status(invoice("open", false, Some(11))),
            Some(PaymentStatus::Pending)
        );
        assert_eq!(
            status(invoice("uncollectible", true, None)),
            Some(PaymentStatus::Failed)
        );
        assert_eq!(status(invoice("draft", false, None)), None);
        assert_eq!(status(invoice("void", false, None)), None);
    }
}
