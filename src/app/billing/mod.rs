//! Billing: which plan a learner is on, and (with Stripe configured) how they change it.
//! `plan` is the one place that decides a learner's tier from their subscription; metering
//! (`app::usage`) and every page that shows the plan ask it.
//!
//! - `pages`: what `/pricing` and `/account/billing` show;
//! - `checkout`: the Stripe customer (one per account), Checkout and the customer portal,
//!   and the return from Checkout, which syncs at once;
//! - `webhook`: a signed Stripe event is stored once by its id and queues one
//!   [`SyncCustomer`] job per customer;
//! - `sync`: that job (and the return page) re-reads the customer's subscriptions and
//!   invoices from Stripe and writes `subscriptions` and `payments` to match, so any order
//!   of events, and any repeat, ends in the same rows;
//! - [`set_by_hand`] / [`clear_by_hand`]: an admin's plan for a learner, without Stripe.

pub mod checkout;
pub mod pages;
pub mod plan;
pub mod sync;
pub mod webhook;

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::app::jobs::Job;
use crate::app::DbError;
use crate::config::TierPrice;
use crate::db::models::NewSubscription;
use crate::db::types::SubscriptionStatus;
use crate::db::{lock, new_id, queries, DbConn};
use crate::integrations::stripe::{StripeFailure, WebhookRejection};

pub use checkout::{checkout, portal, return_from_checkout, Returned};
pub use pages::{account, pricing, BillingAccount, Pricing};
pub use sync::sync;
pub use webhook::receive;

/// What can go wrong in billing.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    /// No `STRIPE_SECRET_KEY` on this server.
    #[error("Billing is not configured on this server, so plans can't be bought here.")]
    NotConfigured,
    /// The tier has no Stripe price for that interval.
    #[error("{0} can't be bought {1} on this server yet.")]
    PriceMissing(String, &'static str),
    /// The form named a tier that cannot be bought.
    #[error("There is no such plan. Choose one on the pricing page.")]
    UnknownPlan,
    /// The form named neither monthly nor annual billing.
    #[error("Choose monthly or annual billing.")]
    BadInterval,
    /// The learner pays for a plan already; changes go through the customer portal.
    #[error("You already have {0}. Use “Manage billing” to change or cancel it.")]
    AlreadySubscribed(String),
    /// The learner's subscription is past due or unpaid: Stripe still holds it, so a second
    /// one would bill twice; the card is updated (or the plan canceled) in the portal.
    #[error(
        "Your last payment didn't go through. Use “Manage billing” to update your card or \
         cancel before choosing a plan."
    )]
    PaymentOutstanding,
    /// The learner has never bought a plan, so there is nothing to manage.
    #[error("You have no billing account yet: choose a plan first.")]
    NoCustomer,
    /// The Checkout return named no session.
    #[error("That address is not a Checkout return.")]
    BadReturn,
    /// A webhook that is not Stripe's (or is too old, or no secret is configured).
    #[error("webhook refused: {0}")]
    Rejected(#[from] WebhookRejection),
    /// Stripe refused or could not be reached.
    #[error(transparent)]
    Stripe(#[from] StripeFailure),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for BillingError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// How often a plan is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Monthly,
    Annual,
}

impl Interval {
    /// `monthly` or `annual`, as forms and links send it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Monthly => "monthly",
            Self::Annual => "annual",
        }
    }

    /// "monthly" / "yearly", as a sentence says it.
    pub fn adverb(self) -> &'static str {
        match self {
            Self::Monthly => "monthly",
            Self::Annual => "yearly",
        }
    }
}

impl std::str::FromStr for Interval {
    type Err = BillingError;
    fn from_str(s: &str) -> Result<Self, BillingError> {
        match s {
            "monthly" => Ok(Self::Monthly),
            "annual" => Ok(Self::Annual),
            _ => Err(BillingError::BadInterval),
        }
    }
}

/// The job that brings a Stripe customer's rows in line with Stripe ([`sync::sync`]).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SyncCustomer {
    pub customer_id: String,
}

impl Job for SyncCustomer {
    const KIND: &'static str = "stripe_sync";
    const MAX_ATTEMPTS: i32 = 8;
    const TIMEOUT: Duration = Duration::from_secs(90);

    /// One waiting sync per customer: six events at a checkout make one or two syncs.
    fn dedupe_key(&self) -> Option<String> {
        Some(format!("stripe_sync:{}", self.customer_id))
    }
}

/// The lock every change to a learner's plan takes (sync, hand-set plans, the customer).
pub(crate) fn lock_user(conn: &mut DbConn, user_id: &str) -> QueryResult<()> {
    lock::key(conn, "billing_user", user_id)
}

/// Writes the configured Stripe prices into `tiers` (start-up); a price for a tier that
/// does not exist is logged and skipped.
pub fn apply_prices(
    conn: &mut DbConn,
    prices: &[TierPrice],
    now: NaiveDateTime,
) -> QueryResult<()> {
    for p in prices {
        if !queries::billing::update_tier_price(conn, &p.tier_id, p.annual, &p.price_id, now)? {
            tracing::warn!(tier = %p.tier_id, "a Stripe price is configured for a tier that does not exist");
        }
    }
    Ok(())
}

/// Gives `user_id` tier `tier_id` by hand: a subscription without Stripe, active, with no
/// period end, which holds until cleared (any Stripe subscription rows stay, inactive).
/// Call inside `write_transaction`.
pub fn set_by_hand(
    conn: &mut DbConn,
    user_id: &str,
    tier_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    lock_user(conn, user_id)?;
    queries::billing::delete_hand_set(conn, user_id)?;
    queries::billing::update_all_inactive(conn, user_id, now)?;
    queries::billing::insert_subscription(
        conn,
        &NewSubscription {
            id: new_id(),
            user_id: user_id.to_owned(),
            tier_id: tier_id.to_owned(),
            stripe_subscription_id: None,
            stripe_customer_id: None,
            stripe_price_id: None,
            status: SubscriptionStatus::Active,
            current_period_start: Some(now),
            current_period_end: None,
            cancel_at_period_end: false,
            is_active: true,
            created_at: now,
            updated_at: now,
        },
    )
}

/// Removes a hand-set plan of `user_id`; when they are a Stripe customer and `stripe` is
/// configured, queues a sync so their Stripe subscription counts again (returns whether it
/// did). Call inside `write_transaction`.
pub fn clear_by_hand(
    conn: &mut DbConn,
    user_id: &str,
    stripe: bool,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    lock_user(conn, user_id)?;
    queries::billing::delete_hand_set(conn, user_id)?;
    match queries::billing::find_customer_id(conn, user_id)? {
        Some(customer_id) if stripe => {
            crate::app::jobs::enqueue(conn, &SyncCustomer { customer_id }, now)
        }
        _ => Ok(false),
    }
}
