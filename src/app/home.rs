//! What the home page shows: the languages offered, featured scenarios and the tiers.

use crate::app::{Ctx, DbError};
use crate::db::models::{Language, Scenario, Tier};
use crate::db::queries;
use crate::db::DbConn;

/// Everything the landing page needs, read in one go.
pub struct Overview {
    pub languages: Vec<Language>,
    pub featured: Vec<Scenario>,
    pub tiers: Vec<Tier>,
    pub scenario_count: i64,
}

const FEATURED: i64 = 6;

/// The landing page's content.
pub async fn overview(ctx: &Ctx) -> Result<Overview, DbError> {
    ctx.db.read(read_overview).await
}

fn read_overview(conn: &mut DbConn) -> diesel::QueryResult<Overview> {
    Ok(Overview {
        languages: queries::languages::list_active(conn)?,
        featured: queries::scenarios::list_featured(conn, FEATURED)?,
        tiers: queries::tiers::list_active(conn)?,
        scenario_count: queries::scenarios::count_public(conn)?,
    })
}
