//! A scenario as a card shows it (`templates/components/scenario_card.html`): in the catalog,
//! on the home page and among onboarding's recommendations.

use crate::db::models::{Scenario, ScenarioCardRow, ScenarioMetadata};
use crate::db::types::ScenarioRole;

/// A scenario as a catalog card shows it.
pub struct ScenarioCard {
    pub href: String,
    pub title: String,
    pub persona: String,
    pub description: String,
    pub difficulty: &'static str,
    pub cefr_level: &'static str,
    pub role: &'static str,
    pub skill: &'static str,
    pub minutes: i32,
    pub rating: Option<String>,
    pub saved: i32,
    pub private: bool,
}

/// The learner-facing name of the partner's role.
pub fn role_label(role: ScenarioRole) -> &'static str {
    match role {
        ScenarioRole::Tutor => "Tutor",
        ScenarioRole::Character => "Role-play",
        ScenarioRole::FriendlyChat => "Friendly chat",
        ScenarioRole::Expert => "Expert",
    }
}

/// Whole minutes, rounded up.
pub fn minutes(seconds: i32) -> i32 {
    (seconds + 59) / 60
}

impl From<&Scenario> for ScenarioCard {
    fn from(s: &Scenario) -> Self {
        Self::from(&ScenarioCardRow::of(s))
    }
}

impl From<&ScenarioCardRow> for ScenarioCard {
    fn from(s: &ScenarioCardRow) -> Self {
        Self {
            href: format!("/scenarios/{}", s.id),
            title: s.title.clone(),
            persona: s.persona.title.clone(),
            description: s.description.clone(),
            difficulty: s.difficulty.as_str(),
            cefr_level: s.cefr_level.as_str(),
            role: role_label(s.role),
            skill: s.primary_skill.as_str(),
            minutes: minutes(s.estimated_duration_seconds),
            rating: None,
            saved: 0,
            private: s.visibility == crate::db::types::Visibility::Private,
        }
    }
}

impl ScenarioCard {
    /// A card as the catalog lists it: with the save count and average rating.
    pub fn listed(s: &ScenarioCardRow, saved: i32, rating: Option<f64>) -> Self {
        Self {
            rating: rating.map(|r| format!("{r:.1}")),
            saved,
            ..Self::from(s)
        }
    }

    /// A card with the scenario's rating and save count.
    pub fn with_metadata(s: &Scenario, m: &ScenarioMetadata) -> Self {
        Self {
            rating: m.average_rating.map(|r| format!("{r:.1}")),
            saved: m.amount_saved_count,
            ..Self::from(s)
        }
    }
}
