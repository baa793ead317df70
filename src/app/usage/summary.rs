//! A learner's month as the billing page shows it.

use chrono::NaiveDateTime;

use super::{meter, month, month_start, Entitlements};
use crate::db::DbConn;

/// A learner's month for the account pages.
#[derive(Debug, Clone)]
pub struct Summary {
    pub entitlements: Entitlements,
    pub period: String,
    /// When the month's time comes back.
    pub resets_at: NaiveDateTime,
    pub granted: i32,
    pub used: i32,
    pub banked: i32,
    pub banked_left: i32,
    pub held: i32,
    pub left: i32,
    pub conversations: i32,
}

/// `user_id`'s month at `now`, on `tier` (as `billing::plan::tier_of` read it).
pub fn summary_of(
    conn: &mut DbConn,
    user_id: &str,
    tier: &crate::db::models::Tier,
    subscription: Option<&crate::db::models::Subscription>,
    now: NaiveDateTime,
) -> diesel::QueryResult<Summary> {
    let ent = Entitlements::of(tier);
    let before = subscription.is_some_and(|s| s.created_at < month_start(now));
    let (m, conversations, _) = month(conn, user_id, &ent, before, now)?;
    Ok(Summary {
        period: meter::period_of(now),
        resets_at: meter::period_end(now),
        granted: m.granted,
        used: m.used + m.banked_used,
        banked: m.banked,
        banked_left: m.banked_left(),
        held: m.reserved,
        left: m.left(),
        conversations,
        entitlements: ent,
    })
}
