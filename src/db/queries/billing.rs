//! Queries on `subscriptions` and `payments`.

use diesel::prelude::*;

use crate::db::models::Subscription;
use crate::db::schema::subscriptions;
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
