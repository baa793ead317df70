//! Buying a plan: the learner's Stripe customer (made once, on the first checkout), a
//! Checkout Session for the tier's price, the return from Checkout (which syncs at once, so
//! the learner sees the plan without waiting for the webhook) and the customer portal.

use std::sync::Arc;

use super::{
    lock_user,
    pages::{paid_through_stripe, payment_outstanding},
    plan, sync, BillingError, Interval, SyncCustomer,
};
use crate::app::Ctx;
use crate::db::models::User;
use crate::db::queries;
use crate::integrations::stripe::{CheckoutRequest, Stripe, StripeFailure};

/// How long a repeated checkout click reuses the same Checkout Session (the bucket of its
/// idempotency key), in seconds.
const CHECKOUT_KEY_BUCKET: i64 = 600;

fn stripe(ctx: &Ctx) -> Result<Arc<Stripe>, BillingError> {
    ctx.stripe.clone().ok_or(BillingError::NotConfigured)
}

/// Starts Checkout for `user` on tier `tier_id`, billed `interval`; the Checkout URL to send
/// the browser to. Errors: not configured, an unknown or free tier, no price for the
/// interval, a Stripe subscription already paying for a plan or owing a payment, or Stripe
/// failing.
pub async fn checkout(
    ctx: &Ctx,
    user: &User,
    tier_id: String,
    interval: Interval,
) -> Result<String, BillingError> {
    let stripe = stripe(ctx)?;
    let now = ctx.clock.naive();
    let user_id = user.id.clone();
    let (tier, (current, current_tier)) = ctx
        .db
        .read(move |c| {
            let tier = queries::tiers::find(c, &tier_id)?;
            Ok((tier, plan::tier_of(c, &user_id, now)?))
        })
        .await?;
    let tier = tier
        .filter(|t| t.is_active && t.id != plan::FREE_TIER)
        .ok_or(BillingError::UnknownPlan)?;
    let price = match interval {
        Interval::Monthly => tier.stripe_price_id_monthly.clone(),
        Interval::Annual => tier.stripe_price_id_annual.clone(),
    }
    .ok_or_else(|| BillingError::PriceMissing(tier.name.clone(), interval.adverb()))?;
    if paid_through_stripe(&current, &current_tier) {
        return Err(BillingError::AlreadySubscribed(current_tier.name));
    }
    if payment_outstanding(&current) {
        return Err(BillingError::PaymentOutstanding);
    }
    let customer_id = customer_of(ctx, &stripe, user).await?;
    let base = &ctx.settings.base_url;
    let success_url = format!("{base}/billing/return?session_id={{CHECKOUT_SESSION_ID}}");
    let cancel_url = format!("{base}/pricing");
    // why: a double click within the bucket sends the same key, so Stripe answers both with
    // the one session instead of making two.
    let key = format!(
        "kaiwa-checkout-{}-{price}-{}",
        user.id,
        now.and_utc().timestamp() / CHECKOUT_KEY_BUCKET
    );
    let url = stripe
        .create_checkout_session(&CheckoutRequest {
            customer_id: &customer_id,
            user_id: &user.id,
            price_id: &price,
            success_url: &success_url,
            cancel_url: &cancel_url,
            idempotency_key: &key,
        })
        .await?;
    Ok(url)
}

/// `user`'s Stripe customer, made on first use. Two clicks at once make one customer: the
/// create carries the idempotency key `kaiwa-customer-{user id}` (Stripe answers a repeat
/// with the first's customer), and the id is stored under the user's lock only while none
/// is stored, so the first stored wins and every caller uses it.
async fn customer_of(ctx: &Ctx, stripe: &Stripe, user: &User) -> Result<String, BillingError> {
    let user_id = user.id.clone();
    let stored = ctx
        .db
        .read(move |c| queries::billing::find_customer_id(c, &user_id))
        .await?;
    if let Some(id) = stored {
        return Ok(id);
    }
    let key = format!("kaiwa-customer-{}", user.id);
    let created = stripe.create_customer(&user.id, &user.email, &key).await?;
    let (user_id, now) = (user.id.clone(), ctx.clock.naive());
    let stored = ctx
        .db
        .write(move |c| -> Result<String, BillingError> {
            lock_user(c, &user_id)?;
            Ok(queries::billing::update_customer_id_if_none(
                c, &user_id, &created, now,
            )?)
        })
        .await?;
    Ok(stored)
}

/// How the return from Checkout went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// The plan was read from Stripe and stored.
    Synced,
    /// Stripe did not answer; a sync job is queued and the plan shows once it ran.
    Queued,
}

/// The learner `user_id` is back from Checkout (`session_id` is Stripe's
/// `{CHECKOUT_SESSION_ID}`): syncs their customer now. Only the signed-in learner's own
/// customer is read, whatever the session id says.
pub async fn return_from_checkout(
    ctx: &Ctx,
    user_id: String,
    session_id: &str,
) -> Result<Returned, BillingError> {
    if !session_id.starts_with("cs_") {
        return Err(BillingError::BadReturn);
    }
    stripe(ctx)?;
    let customer = ctx
        .db
        .read(move |c| queries::billing::find_customer_id(c, &user_id))
        .await?
        .ok_or(BillingError::NoCustomer)?;
    match sync(ctx, &customer).await {
        Ok(()) => Ok(Returned::Synced),
        Err(BillingError::Stripe(e)) => {
            tracing::warn!(error = %e, "the sync after Checkout failed; queued as a job");
            queue_sync(ctx, customer).await?;
            Ok(Returned::Queued)
        }
        Err(e) => Err(e),
    }
}

async fn queue_sync(ctx: &Ctx, customer_id: String) -> Result<(), BillingError> {
    let now = ctx.clock.naive();
    ctx.db
        .write(move |c| -> Result<bool, BillingError> {
            Ok(crate::app::jobs::enqueue(
                c,
                &SyncCustomer { customer_id },
                now,
            )?)
        })
        .await?;
    ctx.jobs.notify();
    Ok(())
}

/// A customer portal session for learner `user_id`, coming back to `/account/billing`; its
/// URL. Errors: not configured, never a customer, Stripe failing.
pub async fn portal(ctx: &Ctx, user_id: String) -> Result<String, BillingError> {
    let stripe = stripe(ctx)?;
    let customer = ctx
        .db
        .read(move |c| queries::billing::find_customer_id(c, &user_id))
        .await?
        .ok_or(BillingError::NoCustomer)?;
    let back = format!("{}/account/billing", ctx.settings.base_url);
    let url = stripe
        .create_portal_session(&customer, &back)
        .await
        .map_err(|e: StripeFailure| BillingError::Stripe(e))?;
    Ok(url)
}
