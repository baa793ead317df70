//! The scenario catalog: browsing it with filters and sorts ([`browse`]), a scenario as a
//! given viewer may see it ([`show`]), a learner's saves, ratings and notes with the
//! aggregates kept exact ([`progress`]), and creators writing scenarios ([`authoring`]).
//! Who may see, edit or deactivate a scenario is decided here.

pub mod authoring;
pub mod browse;
pub mod progress;
pub mod show;

pub use browse::{effective_sort, levels_by_closeness, CatalogPage, Search, Sort};
pub use progress::{update_progress, ProgressChange};
pub use show::{show, ScenarioView};

use crate::db::models::{Scenario, User};
use crate::db::types::Visibility;

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
    #[error(transparent)]
    Unavailable(#[from] crate::app::DbError),
}

/// Whether `viewer` may see `scenario`: public and active for everyone; private or
/// deactivated ones only for their author (and admins).
pub fn can_view(scenario: &Scenario, viewer: Option<&User>) -> bool {
    let is_admin = viewer.is_some_and(|u| u.is_admin);
    (scenario.is_active && scenario.visibility == Visibility::Public)
        || is_author(scenario, viewer)
        || is_admin
}

/// Whether `viewer` wrote `scenario` (only its author may edit it).
pub fn is_author(scenario: &Scenario, viewer: Option<&User>) -> bool {
    viewer.is_some_and(|u| scenario.created_by_user_id.as_deref() == Some(u.id.as_str()))
}

/// Whether `viewer` may deactivate `scenario`: its author or an admin, while it is active.
pub fn can_deactivate(scenario: &Scenario, viewer: Option<&User>) -> bool {
    scenario.is_active && may_deactivate(scenario, viewer)
}

/// The deactivation rule without the "still active" part (deactivating twice is harmless).
fn may_deactivate(scenario: &Scenario, viewer: Option<&User>) -> bool {
    is_author(scenario, viewer) || viewer.is_some_and(|u| u.is_admin)
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
}
