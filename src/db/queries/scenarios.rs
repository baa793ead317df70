//! Queries on `scenarios` and `scenario_metadata`; the catalog listing is in `listing`.

use diesel::prelude::*;

use crate::db::conn::on_backend;
use crate::db::models::{Scenario, ScenarioBrief, ScenarioCardRow, ScenarioMetadata};
use crate::db::schema::{scenario_metadata, scenarios};
use crate::db::types::{Difficulty, Visibility};
use crate::db::DbConn;

mod listing;
pub use listing::{
    list_catalog, CardRow, CatalogFilter, CatalogOrder, CatalogPage, BROWSE_COUNT_LIMIT,
};

/// Scenarios anyone may see: active and public.
fn publicly_listed() -> scenarios::BoxedQuery<'static, crate::db::conn::MultiBackend> {
    scenarios::table
        .filter(scenarios::is_active.eq(true))
        .filter(scenarios::visibility.eq(Visibility::Public))
        .into_boxed()
}

/// A handful of public scenarios for the home page: the gentlest first, so a newcomer's
/// first click is one they can do.
pub fn list_featured(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<ScenarioCardRow>> {
    publicly_listed()
        .filter(scenarios::difficulty.eq(Difficulty::Beginner))
        .order((
            scenarios::difficulty_rating.asc(),
            scenarios::created_at.asc(),
            scenarios::id.asc(),
        ))
        .limit(limit)
        .select(ScenarioCardRow::as_select())
        .load(conn)
}

/// Public scenarios at any of `levels`, at most `limit` (candidates for a recommendation).
pub fn list_public_at_levels(
    conn: &mut DbConn,
    levels: &[crate::db::types::CefrLevel],
    limit: i64,
) -> QueryResult<Vec<Scenario>> {
    publicly_listed()
        .filter(scenarios::cefr_level.eq_any(levels.to_vec()))
        .order((scenarios::difficulty_rating.asc(), scenarios::id.asc()))
        .limit(limit)
        .select(Scenario::as_select())
        .load(conn)
}

/// How many public, active scenarios there are.
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

/// Fills the search text of scenarios that have none (rows from before search existed).
pub fn backfill_search_text(conn: &mut DbConn) -> QueryResult<usize> {
    let missing: Vec<Scenario> = scenarios::table
        .filter(scenarios::search_title.eq(""))
        .select(Scenario::as_select())
        .load(conn)?;
    for s in &missing {
        let (title, body) = crate::db::search::searchable(
            &s.title,
            &s.description,
            &s.persona.title,
            &[&s.tags.0, &s.search_keywords.0, &s.categories.0],
        );
        diesel::update(scenarios::table.find(&s.id))
            .set((
                scenarios::search_title.eq(title),
                scenarios::search_body.eq(body),
            ))
            .execute(conn)?;
    }
    Ok(missing.len())
}

/// Any scenario by id, whatever its visibility (callers decide who may see it).
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Scenario>> {
    on_backend!(conn, |c| scenarios::table
        .find(id)
        .select(Scenario::as_select())
        .first(c))
    .optional()
}

/// The persona and objectives of scenario `id` (what a running conversation needs).
pub fn find_brief(conn: &mut DbConn, id: &str) -> QueryResult<Option<ScenarioBrief>> {
    on_backend!(conn, |c| scenarios::table
        .find(id)
        .select(ScenarioBrief::as_select())
        .first(c))
    .optional()
}

pub fn insert(conn: &mut DbConn, row: &crate::db::models::NewScenario) -> QueryResult<()> {
    diesel::insert_into(scenarios::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

pub fn insert_metadata(
    conn: &mut DbConn,
    row: &crate::db::models::NewScenarioMetadata,
) -> QueryResult<()> {
    diesel::insert_into(scenario_metadata::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

/// Applies `changes` to one scenario.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    changes: crate::db::models::ScenarioChanges,
) -> QueryResult<()> {
    diesel::update(scenarios::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

/// Every scenario an author wrote, newest first (private and inactive included).
pub fn list_by_author(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<Scenario>> {
    scenarios::table
        .filter(scenarios::created_by_user_id.eq(user_id))
        .order(scenarios::created_at.desc())
        .select(Scenario::as_select())
        .load(conn)
}

/// Ids and update times of public, active scenarios in creation order, one page of them
/// (for the sitemaps; the order is `scenarios_sitemap_idx`'s).
pub fn list_public_ids(
    conn: &mut DbConn,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<(String, chrono::NaiveDateTime)>> {
    scenarios::table
        .filter(scenarios::is_active.eq(true))
        .filter(scenarios::visibility.eq(Visibility::Public))
        .select((scenarios::id, scenarios::updated_at))
        .order((scenarios::created_at.asc(), scenarios::id.asc()))
        .limit(limit)
        .offset(offset)
        .load(conn)
}

/// For each page of `page_size` public, active scenarios in [`list_public_ids`]'s order,
/// first page first, when its newest change was (one read for the whole sitemap index).
///
/// why: the database numbers the rows and takes each page's latest time; reading every
/// row's time out (100,000 timestamps parsed one by one) took a hundred milliseconds.
pub fn list_public_page_times(
    conn: &mut DbConn,
    page_size: i64,
) -> QueryResult<Vec<chrono::NaiveDateTime>> {
    #[derive(QueryableByName)]
    struct PageTime {
        #[diesel(sql_type = diesel::sql_types::Timestamp)]
        updated: chrono::NaiveDateTime,
    }
    let rows: Vec<PageTime> = diesel::sql_query(
        "SELECT MAX(updated_at) AS updated FROM ( \
           SELECT updated_at, (ROW_NUMBER() OVER (ORDER BY created_at, id) - 1) / $1 AS page \
           FROM scenarios WHERE is_active = $2 AND visibility = $3) numbered \
         GROUP BY page ORDER BY page",
    )
    .bind::<diesel::sql_types::BigInt, _>(page_size.max(1))
    .bind::<diesel::sql_types::Bool, _>(true)
    .bind::<diesel::sql_types::Text, _>(Visibility::Public.as_str())
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.updated).collect())
}
