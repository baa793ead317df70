//! What a learner's plan allows (pure): read from the tier their subscription grants at a
//! moment (`billing::plan`), else the free tier.

use chrono::NaiveDateTime;

use crate::app::billing::plan;
use crate::db::models::{Subscription, Tier};

/// What a learner may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlements {
    pub tier_id: String,
    pub tier_name: String,
    pub monthly_seconds: i32,
    /// `None`: as many as time allows.
    pub monthly_conversations: Option<i32>,
    /// `None`: as many as time allows; `Some(0)` with no realtime access.
    pub monthly_realtime_sessions: Option<i32>,
    pub max_session_seconds: i32,
    /// The most seconds a month may carry into the next; `None`: no banking.
    pub bank_cap: Option<i32>,
    pub max_extensions: i32,
    pub extension_seconds: i32,
    pub realtime: bool,
    pub advanced_voices: bool,
    pub analytics: bool,
}

impl Entitlements {
    /// What `tier` allows.
    pub fn of(tier: &Tier) -> Self {
        let banks = tier.session_banking_enabled && tier.max_banked_seconds > 0;
        let extends = tier.max_extensions > 0 && tier.extension_seconds > 0;
        Self {
            tier_id: tier.id.clone(),
            tier_name: tier.name.clone(),
            monthly_seconds: tier.monthly_seconds.max(0),
            monthly_conversations: tier.monthly_conversations.map(|n| n.max(0)),
            monthly_realtime_sessions: if tier.has_realtime_access {
                tier.monthly_realtime_sessions.map(|n| n.max(0))
            } else {
                Some(0)
            },
            max_session_seconds: tier.max_session_length_seconds.max(0),
            bank_cap: banks.then_some(tier.max_banked_seconds),
            max_extensions: if extends { tier.max_extensions } else { 0 },
            extension_seconds: if extends { tier.extension_seconds } else { 0 },
            realtime: tier.has_realtime_access,
            advanced_voices: tier.has_advanced_voices,
            analytics: tier.has_analytics,
        }
    }

    /// What a learner with `subscription` may use at `now`: the subscribed tier while the
    /// subscription grants it (`plan::effective_tier_id`), else `free`.
    pub fn at(
        subscription: Option<&Subscription>,
        subscribed: Option<&Tier>,
        free: &Tier,
        now: NaiveDateTime,
    ) -> Self {
        let wanted = plan::effective_tier_id(subscription, now);
        match subscribed.filter(|t| t.id == wanted) {
            Some(tier) => Self::of(tier),
            None => Self::of(free),
        }
    }

    /// Whether another extension fits a session that has had `used` of them.
    pub fn may_extend(&self, used: i32) -> bool {
        self.max_extensions > 0 && used < self.max_extensions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::types::SubscriptionStatus;
    use chrono::NaiveDate;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    fn at(day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, day)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    fn tier(id: &str, seconds: i32, session: i32, bank: i32, ext: (i32, i32), rt: bool) -> Tier {
        Tier {
            id: id.into(),
            name: id.to_uppercase(),
            description: String::new(),
            monthly_conversations: None,
            monthly_seconds: seconds,
            monthly_realtime_sessions: if rt { None } else { Some(0) },
            max_session_length_seconds: session,
            session_banking_enabled: bank > 0,
            max_banked_seconds: bank,
            max_extensions: ext.0,
            extension_seconds: ext.1,
            has_realtime_access: rt,
            has_advanced_voices: rt,
            has_analytics: rt,
            monthly_price_usd_cents: 0,
            annual_price_usd_cents: 0,
            stripe_product_id: None,
            stripe_price_id_monthly: None,
            stripe_price_id_annual: None,
            sort_order: 0,
            is_active: true,
            created_at: at(1),
            updated_at: at(1),
        }
    }

    fn free() -> Tier {
        tier("free", 900, 240, 0, (0, 0), false)
    }

    fn plus() -> Tier {
        tier("plus", 36_000, 900, 18_000, (3, 300), true)
    }

    fn sub(status: SubscriptionStatus, cancel: bool) -> Subscription {
        Subscription {
            id: "s".into(),
            user_id: "u".into(),
            tier_id: "plus".into(),
            stripe_subscription_id: Some("sub_1".into()),
            stripe_customer_id: Some("cus_1".into()),
            stripe_price_id: None,
            status,
            current_period_start: Some(at(1)),
            current_period_end: Some(at(20)),
            cancel_at_period_end: cancel,
            is_active: true,
            created_at: at(1),
            updated_at: at(1),
        }
    }

    #[test]
    fn the_free_tier_allows_short_sessions_and_nothing_else() {
        let e = Entitlements::of(&free());
        assert_eq!((e.monthly_seconds, e.max_session_seconds), (900, 240));
        assert_eq!((e.bank_cap, e.max_extensions), (None, 0));
        assert_eq!(e.monthly_realtime_sessions, Some(0));
        assert!(!e.realtime && !e.may_extend(0));
    }

    #[test]
    fn plus_banks_extends_and_has_realtime() {
        let e = Entitlements::at(
            Some(&sub(SubscriptionStatus::Active, false)),
            Some(&plus()),
            &free(),
            at(5),
        );
        assert_eq!(e.tier_id, "plus");
        assert_eq!(
            (e.bank_cap, e.max_extensions, e.extension_seconds),
            (Some(18_000), 3, 300)
        );
        assert!(e.may_extend(2) && !e.may_extend(3));
        assert!(e.realtime);
    }

    #[test]
    fn banking_or_extensions_switched_off_in_one_column_are_off() {
        let mut t = plus();
        t.max_banked_seconds = 0;
        t.extension_seconds = 0;
        let e = Entitlements::of(&t);
        assert_eq!((e.bank_cap, e.max_extensions), (None, 0));
    }

    /// Whatever the subscription's status, moment and flags, a learner gets exactly the
    /// free tier's or the subscribed tier's allowance, never a mix, and the subscribed one
    /// only when the plan rules grant it.
    #[test]
    fn entitlements_are_always_one_whole_tier() {
        let mut rng = StdRng::seed_from_u64(7);
        let (free, plus) = (free(), plus());
        for _ in 0..2_000 {
            let status = SubscriptionStatus::ALL[rng.gen_range(0..SubscriptionStatus::ALL.len())];
            let mut s = sub(status, rng.gen_bool(0.5));
            s.is_active = rng.gen_bool(0.8);
            let now = at(rng.gen_range(1..=28));
            let subscription = rng.gen_bool(0.9).then_some(&s);
            let e = Entitlements::at(subscription, Some(&plus), &free, now);
            let granted = plan::effective_tier_id(subscription, now) == "plus";
            let expected = if granted {
                Entitlements::of(&plus)
            } else {
                Entitlements::of(&free)
            };
            assert_eq!(e, expected, "{status:?} at {now}");
            if subscription.is_none() || !s.is_active {
                assert_eq!(e.tier_id, "free");
            }
        }
    }
}
