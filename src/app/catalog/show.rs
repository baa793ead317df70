//! One scenario as a given viewer may see it: the scenario, its aggregates and the viewer's
//! own progress; private or deactivated scenarios are "not found" to everyone else.

use super::{can_view, CatalogError};
use crate::app::Ctx;
use crate::db::models::{Scenario, ScenarioMetadata, User, UserScenarioProgress};
use crate::db::{queries, DbConn};

/// A scenario page's content: the scenario, its aggregates and the viewer's progress.
pub struct ScenarioView {
    pub scenario: Scenario,
    pub metadata: Option<ScenarioMetadata>,
    pub progress: Option<UserScenarioProgress>,
}

/// Scenario `id` as `viewer` may see it, or `NotFound`.
pub async fn scenario(
    ctx: &Ctx,
    id: String,
    viewer: Option<User>,
) -> Result<ScenarioView, CatalogError> {
    ctx.db.run(move |c| show(c, &id, viewer.as_ref())).await
}

/// The scenario as `viewer` may see it, or `NotFound`.
pub fn show(
    conn: &mut DbConn,
    id: &str,
    viewer: Option<&User>,
) -> Result<ScenarioView, CatalogError> {
    let scenario = queries::scenarios::find(conn, id)?.ok_or(CatalogError::NotFound)?;
    if !can_view(&scenario, viewer) {
        return Err(CatalogError::NotFound);
    }
    let metadata = queries::scenarios::find_metadata(conn, id)?;
    let progress = match viewer {
        Some(u) => queries::progress::find(conn, &u.id, id)?,
        None => None,
    };
    Ok(ScenarioView {
        scenario,
        metadata,
        progress,
    })
}
