//! What the home page shows: the languages offered, featured scenarios and the tiers.

use crate::app::{Ctx, DbError};
use crate::db::models::{Language, ScenarioCardRow, Tier};
use crate::db::queries;
use crate::db::DbConn;

/// Everything the landing page needs, read in one go.
pub struct Overview {
    pub languages: Vec<Language>,
    pub featured: Vec<ScenarioCardRow>,
    pub tiers: Vec<Tier>,
    pub scenario_count: i64,
}

const FEATURED: i64 = 6;

/// The landing page's content, read at most once a minute (and again after public data
/// changed).
pub async fn overview(ctx: &Ctx) -> Result<std::sync::Arc<Overview>, DbError> {
    let (now, version) = (ctx.clock.naive(), ctx.cache.public_version());
    if let Some(cached) = ctx.cache.home.get(now, version) {
        return Ok(cached);
    }
    let overview = ctx.db.read(read_overview).await?;
    Ok(ctx.cache.home.put(now, version, overview))
}

fn read_overview(conn: &mut DbConn) -> diesel::QueryResult<Overview> {
    Ok(Overview {
        languages: queries::languages::list_active(conn)?,
        featured: queries::scenarios::list_featured(conn, FEATURED)?,
        tiers: queries::tiers::list_active(conn)?,
        scenario_count: queries::scenarios::count_public(conn)?,
    })
}
