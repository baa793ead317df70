//! Queries on `tiers`.

use diesel::prelude::*;

use crate::db::models::Tier;
use crate::db::schema::tiers;
use crate::db::DbConn;

/// Active tiers, cheapest first.
pub fn list_active(conn: &mut DbConn) -> QueryResult<Vec<Tier>> {
    tiers::table
        .filter(tiers::is_active.eq(true))
        .order((
            tiers::sort_order.asc(),
            tiers::monthly_price_usd_cents.asc(),
        ))
        .select(Tier::as_select())
        .load(conn)
}

/// The tier `id`, if it exists.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Tier>> {
    tiers::table
        .find(id)
        .select(Tier::as_select())
        .first(conn)
        .optional()
}

/// The tier `id`; an error when it does not exist.
pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<Tier> {
    tiers::table.find(id).select(Tier::as_select()).first(conn)
}
