//! The catalog listing: filters, sorts, search and pages over public scenarios with their
//! aggregates. Listing filters are built once and shared by list and count so they never
//! drift apart.

use diesel::prelude::*;

use crate::db::models::ScenarioCardRow;
use crate::db::schema::{scenario_labels, scenario_metadata, scenarios};
use crate::db::search::{self, Matcher};
use crate::db::types::Visibility;
use crate::db::DbConn;

mod recommended;
use recommended::{recommended, Candidate};

/// What the catalog is narrowed to. Every field is optional; `terms` are normalized words.
#[derive(Debug, Clone, Default)]
pub struct CatalogFilter {
    pub terms: Vec<String>,
    pub category: Option<String>,
    pub tag: Option<String>,
    pub difficulty: Option<crate::db::types::Difficulty>,
    pub cefr_level: Option<crate::db::types::CefrLevel>,
    pub role: Option<crate::db::types::ScenarioRole>,
    pub skill: Option<crate::db::types::Skill>,
}

/// How the catalog is ordered.
#[derive(Debug, Clone)]
pub enum CatalogOrder {
    /// Best text match first (only meaningful with search terms).
    Relevance,
    /// Closest to the learner: `levels` lists CEFR levels best first; `goal` matches first.
    Recommended {
        levels: Vec<crate::db::types::CefrLevel>,
        goal: Option<crate::db::types::LearningGoal>,
    },
    /// Most used, then most saved.
    Trending,
    MostSaved,
    TopRated,
    Newest,
}

type CatalogQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoin<scenarios::table, scenario_metadata::table>,
    crate::db::conn::MultiBackend,
>;

/// How SQLite should find the listed scenarios.
#[derive(Clone, Copy, PartialEq)]
enum Plan {
    /// As its planner sees fit.
    Any,
    /// By walking the sort's index on `scenario_metadata`, checking each scenario's filters.
    ///
    /// why: SQLite's planner scans and sorts the whole catalog (50–70 ms at 100,000) rather
    /// than read the sort's index and stop after one page (about 2 ms); `+column` keeps it
    /// from choosing the scan. Only used when over `BROWSE_COUNT_LIMIT` scenarios are listed:
    /// with a narrow filter the walk could pass over most of the index.
    SortIndex,
}

/// The filtered catalog (public, active scenarios with their aggregates), shared by list and count.
fn catalog(matcher: Option<&Matcher>, filter: &CatalogFilter, plan: Plan) -> CatalogQuery {
    let q = scenarios::table
        .inner_join(scenario_metadata::table)
        .into_boxed();
    let sort_index = plan == Plan::SortIndex;
    let mut q = match plan {
        Plan::Any => q
            .filter(scenarios::is_active.eq(true))
            .filter(scenarios::visibility.eq(Visibility::Public)),
        Plan::SortIndex => q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "+scenarios.is_active = 1 AND +scenarios.visibility = 'public'",
        )),
    };
    if let Some(m) = matcher {
        q = q.filter(m.condition());
    }
    // why: categories and tags are indexed rows (`scenario_labels`), read once as a set.
    // Walking a sort's index, the `+` keeps SQLite from starting at the set instead and
    // sorting every member (8,000 scenarios of a category at 100,000: 40 ms, not 1).
    for (kind, value) in [("category", &filter.category), ("tag", &filter.tag)] {
        if let (Some(v), true) = (value, sort_index) {
            q = q.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "+scenarios.id IN (SELECT scenario_id FROM scenario_labels WHERE kind = ",
                )
                .bind::<diesel::sql_types::Text, _>(kind)
                .sql(" AND label = ")
                .bind::<diesel::sql_types::Text, _>(v.clone())
                .sql(")"),
            );
        } else if let Some(v) = value {
            q = q.filter(
                scenarios::id.eq_any(
                    scenario_labels::table
                        .filter(scenario_labels::kind.eq(kind))
                        .filter(scenario_labels::label.eq(v.clone()))
                        .select(scenario_labels::scenario_id),
                ),
            );
        }
    }
    if sort_index {
        // why: `+` keeps SQLite from reading these columns' own indexes (see `Plan`); the
        // column names are fixed and the values bound.
        let columns = [
            (
                "+scenarios.difficulty = ",
                filter.difficulty.map(|d| d.as_str()),
            ),
            (
                "+scenarios.cefr_level = ",
                filter.cefr_level.map(|l| l.as_str()),
            ),
            ("+scenarios.role = ", filter.role.map(|r| r.as_str())),
            (
                "+scenarios.primary_skill = ",
                filter.skill.map(|k| k.as_str()),
            ),
        ];
        for (column, value) in columns {
            if let Some(v) = value {
                q = q.filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(column)
                        .bind::<diesel::sql_types::Text, _>(v.to_owned()),
                );
            }
        }
        return q;
    }
    if let Some(d) = filter.difficulty {
        q = q.filter(scenarios::difficulty.eq(d));
    }
    if let Some(l) = filter.cefr_level {
        q = q.filter(scenarios::cefr_level.eq(l));
    }
    if let Some(r) = filter.role {
        q = q.filter(scenarios::role.eq(r));
    }
    if let Some(s) = filter.skill {
        q = q.filter(scenarios::primary_skill.eq(s));
    }
    q
}

/// `q` in `order`, ties broken (by title then id, or by id) so pages never overlap.
/// Relevance needs search terms (see `list_catalog`); without them it is trending.
fn ordered(q: CatalogQuery, order: &CatalogOrder) -> CatalogQuery {
    use diesel::dsl::sql;
    use diesel::sql_types::{Double, Integer};
    let q = match order {
        CatalogOrder::Recommended { levels, goal } => {
            // why: the CASE is built from enum spellings only, never from user input.
            let mut level_rank = String::from("CASE scenarios.cefr_level");
            for (i, l) in levels.iter().enumerate() {
                level_rank.push_str(&format!(" WHEN '{}' THEN {i}", l.as_str()));
            }
            level_rank.push_str(" ELSE 99 END");
            let goal_rank = match goal {
                Some(g) => format!(
                    "CASE WHEN scenarios.learning_goal = '{}' THEN 0 ELSE 1 END",
                    g.as_str()
                ),
                None => "0".to_owned(),
            };
            q.order(sql::<Integer>(&level_rank).sql(" ASC"))
                .then_order_by(sql::<Integer>(&goal_rank).sql(" ASC"))
                .then_order_by(scenario_metadata::amount_saved_count.desc())
        }
        // why: these three read exactly the order of an index on `scenario_metadata` (ties by
        // scenario id), so a page can be read from the index and stop after its rows.
        CatalogOrder::Trending | CatalogOrder::Relevance => {
            return q
                .order(scenario_metadata::total_times_used.desc())
                .then_order_by(scenario_metadata::amount_saved_count.desc())
                .then_order_by(scenario_metadata::scenario_id.asc())
        }
        CatalogOrder::MostSaved => {
            return q
                .order(scenario_metadata::amount_saved_count.desc())
                .then_order_by(scenario_metadata::scenario_id.asc())
        }
        CatalogOrder::TopRated => {
            // why: unrated last on both databases (PostgreSQL puts NULL first when descending).
            return q
                .order(sql::<Double>(
                    "scenario_metadata.average_rating DESC NULLS LAST",
                ))
                .then_order_by(scenario_metadata::ratings_count.desc())
                .then_order_by(scenario_metadata::scenario_id.asc());
        }
        CatalogOrder::Newest => q.order(scenarios::created_at.desc()),
    };
    q.then_order_by(scenarios::title.asc())
        .then_order_by(scenarios::id.asc())
}

/// Browsing without search text counts at most this many scenarios.
pub const BROWSE_COUNT_LIMIT: i64 = 1000;

/// A card's scenario with its save count and average rating.
pub type CardRow = (ScenarioCardRow, i32, Option<f64>);

/// One page of the catalog.
pub struct CatalogPage {
    pub rows: Vec<CardRow>,
    /// How many scenarios match in all.
    pub total: i64,
    /// `total` is a lower bound: the search text matched more scenarios than a search
    /// considers (`search::MAX_MATCHES`), or there are more than `BROWSE_COUNT_LIMIT`.
    pub capped: bool,
}

/// One page of the catalog in `order`, and how many scenarios match in all.
pub fn list_catalog(
    conn: &mut DbConn,
    filter: &CatalogFilter,
    order: &CatalogOrder,
    limit: i64,
    offset: i64,
) -> QueryResult<CatalogPage> {
    let Some(matcher) = search::matcher(conn, &filter.terms)? else {
        // why: counting every listed scenario takes time in proportion to the catalog
        // (80 ms at 100,000 on SQLite); past `BROWSE_COUNT_LIMIT` the page says "1000+".
        let counted = catalog(None, filter, Plan::Any)
            .select(scenarios::id)
            .limit(BROWSE_COUNT_LIMIT + 1)
            .load::<String>(conn)?
            .len() as i64;
        let plan = match (&*conn, order) {
            (
                DbConn::Sqlite(_),
                CatalogOrder::Trending
                | CatalogOrder::MostSaved
                | CatalogOrder::TopRated
                | CatalogOrder::Recommended { .. },
            ) if counted > BROWSE_COUNT_LIMIT => Plan::SortIndex,
            _ => Plan::Any,
        };
        if let CatalogOrder::Recommended { levels, goal } = order {
            // why: no index holds a learner's own order (their levels, their goal), and
            // sorting the whole catalog by it took 744 ms at 100,000. The most saved
            // `BROWSE_COUNT_LIMIT` (as many as a listing counts) are read from the saved
            // index and put in the learner's order here; under the limit that is the
            // whole listing.
            let candidates: Vec<Candidate> = catalog(None, filter, plan)
                .order((
                    scenario_metadata::amount_saved_count.desc(),
                    scenario_metadata::scenario_id.asc(),
                ))
                .limit(BROWSE_COUNT_LIMIT)
                .select((
                    scenarios::id,
                    scenarios::title,
                    scenarios::cefr_level,
                    scenarios::learning_goal,
                    scenario_metadata::amount_saved_count,
                ))
                .load(conn)?;
            let ids = recommended(candidates, levels, *goal, offset, limit);
            return Ok(CatalogPage {
                rows: load_in_order(conn, &ids)?,
                total: counted.min(BROWSE_COUNT_LIMIT),
                capped: counted > BROWSE_COUNT_LIMIT,
            });
        }
        // why: ordering ids only, then loading the page's rows, keeps a full sort (for orders
        // no index holds) from copying every scenario's columns.
        let ids: Vec<String> = ordered(catalog(None, filter, plan), order)
            .limit(limit)
            .offset(offset)
            .select(scenarios::id)
            .load(conn)?;
        return Ok(CatalogPage {
            rows: load_in_order(conn, &ids)?,
            total: counted.min(BROWSE_COUNT_LIMIT),
            capped: counted > BROWSE_COUNT_LIMIT,
        });
    };
    if matcher.is_empty() {
        return Ok(CatalogPage {
            rows: Vec::new(),
            total: 0,
            capped: false,
        });
    }
    // why: a search holds at most `MAX_MATCHES` scenarios, so one query orders all their
    // ids (giving the count too) and only the page's rows are loaded whole; sorting whole
    // rows would copy every matching description.
    let ids: Vec<String> = match order {
        CatalogOrder::Relevance => {
            let found: Vec<search::Found> = catalog(Some(&matcher), filter, Plan::Any)
                .select((
                    scenarios::id,
                    scenarios::title,
                    scenarios::search_title,
                    scenarios::search_body,
                    scenario_metadata::total_times_used,
                ))
                .load(conn)?;
            search::rank(found, &filter.terms)
        }
        _ => ordered(catalog(Some(&matcher), filter, Plan::Any), order)
            .select(scenarios::id)
            .load(conn)?,
    };
    let total = ids.len() as i64;
    let page: Vec<String> = ids
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    Ok(CatalogPage {
        rows: load_in_order(conn, &page)?,
        total,
        capped: matcher.capped(),
    })
}

/// The scenarios `ids` with their aggregates, in the order of `ids`.
fn load_in_order(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<CardRow>> {
    let mut rows: Vec<CardRow> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::db::queries::ONE_OF_WIDTH) {
        rows.extend(
            scenarios::table
                .inner_join(scenario_metadata::table)
                .into_boxed()
                .filter(crate::db::queries::one_of(scenarios::id, chunk))
                .select((
                    ScenarioCardRow::as_select(),
                    scenario_metadata::amount_saved_count,
                    scenario_metadata::average_rating,
                ))
                .load::<CardRow>(conn)?,
        );
    }
    rows.sort_by_key(|(s, _, _)| ids.iter().position(|id| *id == s.id));
    Ok(rows)
}
