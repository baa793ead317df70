//! What the billing pages show: the tiers with the viewer's plan (`/pricing`), and a
//! learner's plan with its payments (`/account/billing`).

use super::{plan, BillingError};
use crate::app::Ctx;
use crate::db::models::{Payment, Subscription, Tier, User};
use crate::db::queries;
use crate::db::types::SubscriptionStatus;

/// How many payments the account page lists.
const PAYMENTS_SHOWN: i64 = 24;

/// The pricing page's content.
pub struct Pricing {
    /// Active tiers, cheapest first.
    pub tiers: Vec<Tier>,
    /// The signed-in viewer's tier, if any.
    pub current_tier_id: Option<String>,
    /// Whether the viewer pays for a plan through Stripe, or owes a payment on one (plan
    /// changes and the card go through the portal).
    pub subscribed: bool,
    /// Whether Stripe is configured on this server.
    pub configured: bool,
}

/// The tiers, and the plan of `viewer` (a user id) when signed in.
pub async fn pricing(ctx: &Ctx, viewer: Option<String>) -> Result<Pricing, BillingError> {
    let now = ctx.clock.naive();
    let configured = ctx.stripe.is_some();
    let (tiers, current) = ctx
        .db
        .read(move |c| {
            let tiers = queries::tiers::list_active(c)?;
            let current = match viewer {
                Some(user_id) => Some(plan::tier_of(c, &user_id, now)?),
                None => None,
            };
            Ok((tiers, current))
        })
        .await?;
    let subscribed = current
        .as_ref()
        .is_some_and(|(sub, tier)| paid_through_stripe(sub, tier) || payment_outstanding(sub));
    Ok(Pricing {
        tiers,
        current_tier_id: current.map(|(_, tier)| tier.id),
        subscribed,
        configured,
    })
}

/// Whether `subscription` is a Stripe subscription that grants the paid tier `tier`.
pub(super) fn paid_through_stripe(subscription: &Option<Subscription>, tier: &Tier) -> bool {
    tier.id != plan::FREE_TIER
        && subscription
            .as_ref()
            .is_some_and(|s| s.stripe_subscription_id.is_some())
}

/// Whether `subscription` is a Stripe subscription whose payment is outstanding (past due,
/// also after its period ended, or unpaid): Stripe still retries or holds it, so buying
/// another plan would bill twice.
pub(super) fn payment_outstanding(subscription: &Option<Subscription>) -> bool {
    subscription.as_ref().is_some_and(|s| {
        s.stripe_subscription_id.is_some()
            && matches!(
                s.status,
                SubscriptionStatus::PastDue | SubscriptionStatus::Unpaid
            )
    })
}

/// A learner's billing page.
pub struct BillingAccount {
    /// The tier they have now.
    pub tier: Tier,
    /// Their current subscription row (Stripe's or an admin's), if any.
    pub subscription: Option<Subscription>,
    /// Their newest payments, newest first.
    pub payments: Vec<Payment>,
    /// Whether they can open Stripe's customer portal (Stripe configured, customer exists).
    pub can_manage: bool,
    /// Whether Stripe is configured on this server.
    pub configured: bool,
    /// This month's conversation time.
    pub usage: crate::app::usage::Summary,
}

/// The billing page of `user` (only ever the signed-in user's own).
pub async fn account(ctx: &Ctx, user: &User) -> Result<BillingAccount, BillingError> {
    let now = ctx.clock.naive();
    let configured = ctx.stripe.is_some();
    let user_id = user.id.clone();
    let (subscription, tier, payments, usage) = ctx
        .db
        .read(move |c| {
            let (subscription, tier) = plan::tier_of(c, &user_id, now)?;
            let payments = queries::billing::list_payments(c, &user_id, PAYMENTS_SHOWN)?;
            let usage =
                crate::app::usage::summary_of(c, &user_id, &tier, subscription.as_ref(), now)?;
            Ok((subscription, tier, payments, usage))
        })
        .await?;
    Ok(BillingAccount {
        tier,
        subscription,
        payments,
        can_manage: configured && user.stripe_customer_id.is_some(),
        configured,
        usage,
    })
}
