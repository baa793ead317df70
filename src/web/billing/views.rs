//! Billing as its pages show it: a tier's card on `/pricing` (price for the chosen interval,
//! limits in plain words, what its button does) and a learner's plan and payments.

use chrono::NaiveDateTime;

use crate::app::billing::{BillingAccount, Interval, Pricing};
use crate::app::pricing::{format_usd, limits};
use crate::db::models::{Payment, Tier};
use crate::db::types::{PaymentStatus, SubscriptionStatus};

/// A date as the pages write it: "4 January 2027".
pub fn day(at: NaiveDateTime) -> String {
    at.format("%-d %B %Y").to_string()
}

/// An amount in a currency's minor unit: "$9", "$9.50", "12.00 EUR".
pub fn money(cents: i32, currency: &str) -> String {
    match (currency, cents) {
        ("usd", 0) => "$0".into(),
        ("usd", c) => format_usd(c),
        (other, c) => format!("{}.{:02} {}", c / 100, c % 100, other.to_uppercase()),
    }
}

/// One tier on the pricing page.
pub struct TierCard {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The price for the chosen interval ("$9", "Free").
    pub price: String,
    /// "/ month", "/ year", or empty for a free tier.
    pub per: &'static str,
    /// The other interval's price ("or $90 a year"), if any.
    pub other: String,
    pub features: Vec<String>,
    pub highlighted: bool,
    /// The viewer is on this tier.
    pub current: bool,
    /// What its button does: `checkout` (a POST form), `link` (to the sign-in and confirm
    /// step), `portal` (change plan in Stripe), `unavailable` (with `note`), or `none`.
    pub action: &'static str,
    pub note: String,
    /// The confirm step's address, for `link`.
    pub href: String,
}

impl TierCard {
    /// `tier` as the pricing page shows it for `pricing`'s viewer, billed `interval`;
    /// `signed_in` decides between a POST form and a link.
    pub fn new(tier: &Tier, pricing: &Pricing, interval: Interval, signed_in: bool) -> Self {
        let free = tier.monthly_price_usd_cents == 0 && tier.annual_price_usd_cents == 0;
        let (cents, per, other) = match interval {
            Interval::Monthly => (
                tier.monthly_price_usd_cents,
                "/ month",
                (tier.annual_price_usd_cents > 0)
                    .then(|| format!("or {} a year", format_usd(tier.annual_price_usd_cents))),
            ),
            Interval::Annual => (
                tier.annual_price_usd_cents,
                "/ year",
                (tier.monthly_price_usd_cents > 0)
                    .then(|| format!("or {} a month", format_usd(tier.monthly_price_usd_cents))),
            ),
        };
        let current = pricing.current_tier_id.as_deref() == Some(tier.id.as_str());
        let price_id = match interval {
            Interval::Monthly => &tier.stripe_price_id_monthly,
            Interval::Annual => &tier.stripe_price_id_annual,
        };
        let (action, note) = if free || current {
            ("none", String::new())
        } else if !pricing.configured {
            (
                "unavailable",
                "Billing is not configured on this server.".to_owned(),
            )
        } else if price_id.is_none() {
            (
                "unavailable",
                format!(
                    "{} can't be bought {} here yet.",
                    tier.name,
                    interval.adverb()
                ),
            )
        } else if pricing.subscribed {
            ("portal", String::new())
        } else if signed_in {
            ("checkout", String::new())
        } else {
            ("link", String::new())
        };
        Self {
            id: tier.id.clone(),
            name: tier.name.clone(),
            description: tier.description.clone(),
            price: if free {
                "Free".into()
            } else {
                format_usd(cents)
            },
            per: if free { "" } else { per },
            other: other.unwrap_or_default(),
            features: limits(tier),
            highlighted: tier.id == "plus",
            current,
            action,
            note,
            href: format!(
                "/billing/checkout?tier={}&interval={}",
                tier.id,
                interval.as_str()
            ),
        }
    }
}

/// A payment row of the account page.
pub struct PaymentRow {
    pub date: String,
    pub amount: String,
    pub status: &'static str,
}

impl From<&Payment> for PaymentRow {
    fn from(p: &Payment) -> Self {
        Self {
            date: day(p.created_at),
            amount: money(p.amount_cents, &p.currency),
            status: match p.status {
                PaymentStatus::Succeeded => "Paid",
                PaymentStatus::Failed => "Failed",
                PaymentStatus::Pending => "Pending",
                PaymentStatus::Refunded => "Refunded",
            },
        }
    }
}

/// The learner's plan as the account page says it.
pub struct PlanView {
    pub name: String,
    /// "Active", "Past due", …; empty on the free plan without a subscription.
    pub status: String,
    /// "Renews on …", "Cancels on …", "Ended on …", "Payment past due: …", "Payment
    /// failed: …", "Set by an administrator", or empty.
    pub period: String,
    pub features: Vec<String>,
    pub paid: bool,
}

fn status_label(status: SubscriptionStatus) -> &'static str {
    match status {
        SubscriptionStatus::Active => "Active",
        SubscriptionStatus::Trialing => "Trial",
        SubscriptionStatus::PastDue => "Past due",
        SubscriptionStatus::Canceled => "Canceled",
        SubscriptionStatus::Unpaid => "Unpaid",
        SubscriptionStatus::Incomplete => "Incomplete",
        SubscriptionStatus::IncompleteExpired => "Expired",
        SubscriptionStatus::Paused => "Paused",
    }
}

impl PlanView {
    /// What `account` says at `now`.
    pub fn new(account: &BillingAccount, now: NaiveDateTime) -> Self {
        let sub = account.subscription.as_ref();
        // why: a subscription that still says active but no longer grants its tier (a
        // cancellation whose period is over, before Stripe's deletion arrives) has ended.
        let status = sub
            .map(|s| match s.status {
                SubscriptionStatus::Active | SubscriptionStatus::Trialing
                    if s.tier_id != account.tier.id =>
                {
                    "Ended"
                }
                other => status_label(other),
            })
            .unwrap_or_default();
        let period = match sub {
            None => String::new(),
            Some(s) if s.stripe_subscription_id.is_none() => "Set by an administrator".into(),
            Some(s) => match (s.status, s.current_period_end) {
                (_, None) => String::new(),
                (
                    SubscriptionStatus::Canceled | SubscriptionStatus::IncompleteExpired,
                    Some(end),
                ) => {
                    format!("Ended on {}", day(end.min(now)))
                }
                (_, Some(end)) if s.cancel_at_period_end && end <= now => {
                    format!("Ended on {}", day(end))
                }
                (_, Some(end)) if s.cancel_at_period_end => format!("Cancels on {}", day(end)),
                (SubscriptionStatus::PastDue, Some(end)) if end <= now => format!(
                    "Payment past due: the paid plan ended on {}; paying the invoice brings it back",
                    day(end)
                ),
                (SubscriptionStatus::PastDue, Some(end)) => {
                    format!("Payment past due: retrying until {}", day(end))
                }
                (SubscriptionStatus::Unpaid, Some(_)) => {
                    "Payment failed: the paid plan is off until the invoice is paid".into()
                }
                (SubscriptionStatus::Active | SubscriptionStatus::Trialing, Some(end)) => {
                    format!("Renews on {}", day(end))
                }
                _ => String::new(),
            },
        };
        Self {
            name: account.tier.name.clone(),
            status: status.to_owned(),
            period,
            features: limits(&account.tier),
            paid: account.tier.id != crate::app::billing::plan::FREE_TIER,
        }
    }
}

/// This month's conversation time as the billing page shows it.
pub struct UsageView {
    pub used: String,
    pub left: String,
    pub granted: String,
    /// "2 h 30 min of 5 h banked from last month left", empty without banked time.
    pub banked: String,
    /// Time held by conversations going on now, empty when none.
    pub held: String,
    pub resets: String,
    pub session: String,
}

impl UsageView {
    pub fn new(u: &crate::app::usage::Summary) -> Self {
        let d = crate::app::pricing::format_duration;
        let e = &u.entitlements;
        let mut session = format!("Sessions of up to {}", d(e.max_session_seconds));
        if e.max_extensions > 0 {
            session.push_str(&format!(
                ", with up to {} extensions of {} each",
                e.max_extensions,
                d(e.extension_seconds)
            ));
        }
        match e.bank_cap {
            Some(cap) => session.push_str(&format!(
                "; unused time carries into next month, up to {}.",
                d(cap)
            )),
            None => session.push('.'),
        }
        Self {
            used: d(u.used),
            left: d(u.left),
            granted: d(u.granted + u.banked),
            banked: if u.banked > 0 {
                format!(
                    "{} of the {} banked from last month left (spent first)",
                    d(u.banked_left),
                    d(u.banked)
                )
            } else {
                String::new()
            },
            held: if u.held > 0 {
                format!("{} held by a conversation going on now", d(u.held))
            } else {
                String::new()
            },
            resets: u.resets_at.format("%-d %B %Y").to_string(),
            session,
        }
    }
}
