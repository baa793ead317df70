//! Queries on `scenarios` and `scenario_metadata`. Listing filters are built once and
//! shared by list and count so they never drift apart.

use diesel::prelude::*;

use crate::db::models::{Scenario, ScenarioMetadata};
use crate::db::schema::{scenario_metadata, scenarios};
use crate::db::types::{Difficulty, Visibility};
use crate::db::DbConn;

/// Scenarios anyone may see: active and public.
fn publicly_listed() -> scenarios::BoxedQuery<'static, crate::db::conn::MultiBackend> {
    scenarios::table
        .filter(scenarios::is_active.eq(true))
        .filter(scenarios::visibility.eq(Visibility::Public))
        .into_boxed()
}

/// A handful of public scenarios for the home page: the gentlest first, so a newcomer's
/// first click is one they can do.
pub fn list_featured(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<Scenario>> {
    publicly_listed()
        .filter(scenarios::difficulty.eq(Difficulty::Beginner))
        .order((
            scenarios::difficulty_rating.asc(),
            scenarios::created_at.asc(),
            scenarios::id.asc(),
        ))
        .limit(limit)
        .select(Scenario::as_select())
        .load(conn)
}

/// Public scenarios, one page of them, in title order.
pub fn list_public(conn: &mut DbConn, limit: i64, offset: i64) -> QueryResult<Vec<Scenario>> {
    publicly_listed()
        .order((scenarios::title.asc(), scenarios::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(Scenario::as_select())
        .load(conn)
}

/// How many scenarios `list_public` pages through.
pub fn count_public(conn: &mut DbConn) -> QueryResult<i64> {
    publicly_listed().count().get_result(conn)
}

/// An active, public scenario by id; `None` for private, inactive or unknown ones.
pub fn find_public(conn: &mut DbConn, id: &str) -> QueryResult<Option<Scenario>> {
    publicly_listed()
        .filter(scenarios::id.eq(id))
        .select(Scenario::as_select())
        .first(conn)
        .optional()
}

/// The aggregates of one scenario.
pub fn find_metadata(
    conn: &mut DbConn,
    scenario_id: &str,
) -> QueryResult<Option<ScenarioMetadata>> {
    scenario_metadata::table
        .find(scenario_id)
        .select(ScenarioMetadata::as_select())
        .first(conn)
        .optional()
}
