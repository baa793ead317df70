//! The learner's plan: the tier their subscription grants at a moment, else free.
//!
//! Rules (Stripe's statuses, read at `now`):
//! - no subscription row, or one marked inactive → free;
//! - `active` / `trialing` → the subscription's tier; with `cancel_at_period_end`, until the
//!   period ends, then free (Stripe also sends the deletion then; whichever comes first wins);
//! - `past_due` → the tier until the current period ends (Stripe is still retrying the card),
//!   then free;
//! - `canceled`, `unpaid`, `incomplete`, `incomplete_expired`, `paused` → free.
//!
//! A subscription an admin set by hand has no Stripe id and no period end: it holds until
//! changed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::{Subscription, Tier};
use crate::db::types::SubscriptionStatus;
use crate::db::{queries, DbConn};

/// The tier everyone has without a paid subscription.
pub const FREE_TIER: &str = "free";

/// The tier id `subscription` grants at `now`.
pub fn effective_tier_id(subscription: Option<&Subscription>, now: NaiveDateTime) -> &str {
    let Some(sub) = subscription.filter(|s| s.is_active) else {
        return FREE_TIER;
    };
    let period_over = sub.current_period_end.is_some_and(|end| now >= end);
    match sub.status {
        SubscriptionStatus::Active | SubscriptionStatus::Trialing
            if !(sub.cancel_at_period_end && period_over) =>
        {
            &sub.tier_id
        }
        SubscriptionStatus::PastDue if !period_over => &sub.tier_id,
        _ => FREE_TIER,
    }
}

/// The learner's current subscription row (if any) and the tier it grants at `now`. A tier
/// id that no longer exists falls back to free.
pub fn tier_of(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<(Option<Subscription>, Tier)> {
    let subscription = queries::billing::find_current_subscription(conn, user_id)?;
    let wanted = effective_tier_id(subscription.as_ref(), now);
    let tier = match queries::tiers::find(conn, wanted)? {
        Some(tier) => tier,
        None => queries::tiers::get(conn, FREE_TIER)?,
    };
    Ok((subscription, tier))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, day)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    fn sub(status: SubscriptionStatus, end_day: Option<u32>, cancel: bool) -> Subscription {
        Subscription {
            id: "s".into(),
            user_id: "u".into(),
            tier_id: "plus".into(),
            stripe_subscription_id: Some("sub_1".into()),
            stripe_customer_id: Some("cus_1".into()),
            stripe_price_id: Some("price_plus_monthly".into()),
            status,
            current_period_start: Some(at(1)),
            current_period_end: end_day.map(at),
            cancel_at_period_end: cancel,
            is_active: true,
            created_at: at(1),
            updated_at: at(1),
        }
    }

    #[test]
    fn no_subscription_is_free() {
        assert_eq!(effective_tier_id(None, at(5)), "free");
    }

    #[test]
    fn active_and_trialing_grant_their_tier() {
        for status in [SubscriptionStatus::Active, SubscriptionStatus::Trialing] {
            assert_eq!(
                effective_tier_id(Some(&sub(status, Some(20), false)), at(5)),
                "plus"
            );
            // Renewal is Stripe's business: an active row past its end still counts.
            assert_eq!(
                effective_tier_id(Some(&sub(status, Some(20), false)), at(25)),
                "plus"
            );
        }
    }

    #[test]
    fn a_cancellation_at_period_end_holds_until_the_end() {
        let s = sub(SubscriptionStatus::Active, Some(20), true);
        assert_eq!(effective_tier_id(Some(&s), at(19)), "plus");
        assert_eq!(effective_tier_id(Some(&s), at(20)), "free");
    }

    #[test]
    fn past_due_keeps_the_tier_until_the_period_ends() {
        let s = sub(SubscriptionStatus::PastDue, Some(20), false);
        assert_eq!(effective_tier_id(Some(&s), at(10)), "plus");
        assert_eq!(effective_tier_id(Some(&s), at(21)), "free");
    }

    #[test]
    fn canceled_unpaid_and_inactive_rows_are_free() {
        for status in [
            SubscriptionStatus::Canceled,
            SubscriptionStatus::Unpaid,
            SubscriptionStatus::Incomplete,
            SubscriptionStatus::IncompleteExpired,
            SubscriptionStatus::Paused,
        ] {
            assert_eq!(
                effective_tier_id(Some(&sub(status, Some(20), false)), at(5)),
                "free"
            );
        }
        let mut inactive = sub(SubscriptionStatus::Active, Some(20), false);
        inactive.is_active = false;
        assert_eq!(effective_tier_id(Some(&inactive), at(5)), "free");
    }

    #[test]
    fn a_hand_set_subscription_holds_until_changed() {
        let mut s = sub(SubscriptionStatus::Active, None, false);
        s.stripe_subscription_id = None;
        assert_eq!(effective_tier_id(Some(&s), at(28)), "plus");
    }
}
