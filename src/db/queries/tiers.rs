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
