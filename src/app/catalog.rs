//! The scenario catalog: search with filters and sorts, a scenario as a given viewer may see
//! it, and a learner's saves, ratings and notes with the aggregates kept exact. Authoring
//! lives in `catalog::authoring`.

pub mod authoring;

use chrono::NaiveDateTime;

use crate::app::onboarding;
use crate::db::conn::write_transaction;
use crate::db::models::{Scenario, ScenarioMetadata, User, UserPreferences, UserScenarioProgress};
use crate::db::queries::scenarios::{CatalogFilter, CatalogOrder};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::{CefrLevel, Difficulty, ScenarioRole, Skill, Visibility};
use crate::db::{search, DbConn};

/// How many scenarios a catalog page lists.
pub const PAGE_SIZE: i64 = 24;

/// The categories scenarios are filed under.
pub const CATEGORIES: [&str; 12] = [
    "travel",
    "food",
    "work",
    "health",
    "services",
    "daily_life",
    "emergencies",
    "culture",
    "housing",
    "shopping",
    "education",
    "relationships",
];

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{0}")]
    Invalid(String),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// The sorts a learner can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Relevance,
    Recommended,
    Trending,
    MostSaved,
    TopRated,
    Newest,
}

impl Sort {
    pub const ALL: [Sort; 6] = [
        Sort::Relevance,
        Sort::Recommended,
        Sort::Trending,
        Sort::MostSaved,
        Sort::TopRated,
        Sort::Newest,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Recommended => "recommended",
            Sort::Trending => "trending",
            Sort::MostSaved => "most_saved",
            Sort::TopRated => "top_rated",
            Sort::Newest => "newest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Relevance => "Best match",
            Sort::Recommended => "Recommended for you",
            Sort::Trending => "Trending",
            Sort::MostSaved => "Most saved",
            Sort::TopRated => "Top rated",
            Sort::Newest => "Newest",
        }
    }

    pub fn from_slug(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|x| x.slug() == s)
    }
}

/// A catalog request, as typed values. Unknown filter values are ignored, not errors, so
/// an old shared link still shows something.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub q: String,
    pub category: Option<String>,
    pub tag: Option<String>,
    pub difficulty: Option<Difficulty>,
    pub cefr_level: Option<CefrLevel>,
    pub role: Option<ScenarioRole>,
    pub skill: Option<Skill>,
    pub sort: Option<Sort>,
    pub page: i64,
}

/// One page of results.
pub struct CatalogPage {
    pub scenarios: Vec<(Scenario, ScenarioMetadata)>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub sort: Sort,
    /// The search had more text matches than it considers (`search::MAX_MATCHES`).
    pub capped: bool,
}

/// The sort used when none is picked: best match for a search, recommended for a learner
/// with preferences, trending otherwise.
pub fn effective_sort(search: &Search, has_prefs: bool) -> Sort {
    match search.sort {
        Some(Sort::Relevance) if search::terms(&search.q).is_empty() => default_sort(has_prefs),
        Some(Sort::Recommended) if !has_prefs => Sort::Trending,
        Some(s) => s,
        None if !search::terms(&search.q).is_empty() => Sort::Relevance,
        None => default_sort(has_prefs),
    }
}

fn default_sort(has_prefs: bool) -> Sort {
    if has_prefs {
        Sort::Recommended
    } else {
        Sort::Trending
    }
}

/// CEFR levels ordered by closeness to the learner's target level.
pub fn levels_by_closeness(prefs: &UserPreferences) -> Vec<CefrLevel> {
    let all = [
        CefrLevel::A1,
        CefrLevel::A2,
        CefrLevel::B1,
        CefrLevel::B2,
        CefrLevel::C1,
        CefrLevel::C2,
    ];
    let target = all
        .iter()
        .position(|l| *l == onboarding::target_level(prefs))
        .unwrap_or(0) as i32;
    let mut levels = all.to_vec();
    // why: ties (one above, one below) prefer the easier level.
    levels.sort_by_key(|l| {
        let i = all.iter().position(|x| x == l).unwrap_or(0) as i32;
        ((i - target).abs() * 2, i > target)
    });
    levels
}

/// Searches the public catalog for a viewer (whose preferences, if any, drive "recommended").
pub fn search(
    conn: &mut DbConn,
    s: &Search,
    owner: Option<&Owner>,
) -> Result<CatalogPage, CatalogError> {
    let prefs = match owner {
        Some(o) => queries::preferences::find(conn, o)?,
        None => None,
    };
    let sort = effective_sort(s, prefs.is_some());
    let filter = CatalogFilter {
        terms: search::terms(&s.q),
        category: s
            .category
            .clone()
            .filter(|c| CATEGORIES.contains(&c.as_str())),
        tag: s
            .tag
            .clone()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty()),
        difficulty: s.difficulty,
        cefr_level: s.cefr_level,
        role: s.role,
        skill: s.skill,
    };
    let order = match sort {
        Sort::Relevance => CatalogOrder::Relevance,
        Sort::Recommended => match &prefs {
            Some(p) => CatalogOrder::Recommended {
                levels: levels_by_closeness(p),
                goal: Some(p.learning_goal),
            },
            None => CatalogOrder::Trending,
        },
        Sort::Trending => CatalogOrder::Trending,
        Sort::MostSaved => CatalogOrder::MostSaved,
        Sort::TopRated => CatalogOrder::TopRated,
        Sort::Newest => CatalogOrder::Newest,
    };
    let page = s.page.max(1);
    let found =
        queries::scenarios::list_catalog(conn, &filter, &order, PAGE_SIZE, (page - 1) * PAGE_SIZE)?;
    Ok(CatalogPage {
        scenarios: found.rows,
        total: found.total,
        page,
        pages: pages(found.total, PAGE_SIZE),
        sort,
        capped: found.capped,
    })
}

/// Whether `viewer` may see `scenario`: public and active for everyone; private or
/// deactivated ones only for their author (and admins).
pub fn can_view(scenario: &Scenario, viewer: Option<&User>) -> bool {
    let is_author =
        viewer.is_some_and(|u| scenario.created_by_user_id.as_deref() == Some(u.id.as_str()));
    let is_admin = viewer.is_some_and(|u| u.is_admin);
    (scenario.is_active && scenario.visibility == Visibility::Public) || is_author || is_admin
}

/// A scenario page's content: the scenario, its aggregates and the viewer's progress.
pub struct ScenarioView {
    pub scenario: Scenario,
    pub metadata: Option<ScenarioMetadata>,
    pub progress: Option<UserScenarioProgress>,
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

/// A change a learner makes to their relation with a scenario.
pub enum ProgressChange {
    Save(bool),
    Rate(Option<i32>),
    Notes(String),
}

/// Applies a save, rating or notes change and keeps the scenario's aggregates equal to a
/// recount of every learner's progress, in one write transaction.
pub fn update_progress(
    conn: &mut DbConn,
    user: &User,
    scenario_id: &str,
    change: ProgressChange,
    now: NaiveDateTime,
) -> Result<UserScenarioProgress, CatalogError> {
    match &change {
        ProgressChange::Rate(Some(r)) if !(1..=5).contains(r) => {
            return Err(CatalogError::Invalid("Rate from 1 to 5 stars.".into()))
        }
        ProgressChange::Notes(n) if n.chars().count() > 4000 => {
            return Err(CatalogError::Invalid(
                "Keep notes under 4,000 characters.".into(),
            ))
        }
        _ => {}
    }
    let scenario = queries::scenarios::find(conn, scenario_id)?.ok_or(CatalogError::NotFound)?;
    if !can_view(&scenario, Some(user)) {
        return Err(CatalogError::NotFound);
    }
    write_transaction(conn, |conn| {
        let current = queries::progress::ensure_and_lock(conn, &user.id, scenario_id, now)?;
        match change {
            ProgressChange::Save(saved) => {
                if current.is_saved != saved {
                    queries::progress::set_saved(conn, &user.id, scenario_id, saved, now)?;
                    queries::progress::add_saved(
                        conn,
                        scenario_id,
                        if saved { 1 } else { -1 },
                        now,
                    )?;
                }
            }
            ProgressChange::Rate(rating) => {
                if current.user_rating != rating {
                    let count_delta =
                        i32::from(rating.is_some()) - i32::from(current.user_rating.is_some());
                    let sum_delta = rating.unwrap_or(0) - current.user_rating.unwrap_or(0);
                    queries::progress::set_rating(conn, &user.id, scenario_id, rating, now)?;
                    queries::progress::add_rating(conn, scenario_id, count_delta, sum_delta, now)?;
                }
            }
            ProgressChange::Notes(notes) => {
                let notes = notes.trim().to_owned();
                queries::progress::set_notes(
                    conn,
                    &user.id,
                    scenario_id,
                    (!notes.is_empty()).then_some(notes),
                    now,
                )?;
            }
        }
        Ok(queries::progress::find(conn, &user.id, scenario_id)?
            .ok_or(diesel::result::Error::NotFound)?)
    })
}

/// How many pages of `size` hold `total` items (at least one).
pub fn pages(total: i64, size: i64) -> i64 {
    ((total + size - 1) / size).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_up_and_never_drop_to_zero() {
        assert_eq!(pages(0, 24), 1);
        assert_eq!(pages(24, 24), 1);
        assert_eq!(pages(25, 24), 2);
    }

    #[test]
    fn the_default_sort_follows_the_search_and_the_viewer() {
        let mut s = Search::default();
        assert_eq!(effective_sort(&s, false), Sort::Trending);
        assert_eq!(effective_sort(&s, true), Sort::Recommended);
        s.q = "ramen".into();
        assert_eq!(effective_sort(&s, true), Sort::Relevance);
        s.sort = Some(Sort::Newest);
        assert_eq!(effective_sort(&s, true), Sort::Newest);
        s.q.clear();
        s.sort = Some(Sort::Relevance);
        assert_eq!(
            effective_sort(&s, false),
            Sort::Trending,
            "no words, no relevance"
        );
        s.sort = Some(Sort::Recommended);
        assert_eq!(
            effective_sort(&s, false),
            Sort::Trending,
            "no preferences, no recommendation"
        );
    }
}
