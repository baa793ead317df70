//! Display-ready scenario cards and details.

use crate::db::models::{Scenario, ScenarioMetadata};
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

fn minutes(seconds: i32) -> i32 {
    (seconds + 59) / 60
}

impl From<&Scenario> for ScenarioCard {
    fn from(s: &Scenario) -> Self {
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
        }
    }
}

/// Everything a scenario page shows.
pub struct ScenarioDetail {
    pub card: ScenarioCard,
    pub context: String,
    pub persona_name: String,
    pub setting: String,
    pub stakes: String,
    pub objectives: Vec<String>,
    pub expected_outcome: String,
    pub recommendation: String,
    pub comfort: Vec<(&'static str, u8)>,
    pub tags: Vec<String>,
    pub saved_count: i32,
    pub rating: Option<String>,
}

impl ScenarioDetail {
    pub fn new(s: &Scenario, metadata: Option<&ScenarioMetadata>) -> Self {
        let comfort = &s.comfort_indicators;
        Self {
            card: ScenarioCard::from(s),
            context: s.context.clone(),
            persona_name: s.persona.name_template.clone(),
            setting: s.persona.setting.clone(),
            stakes: s.persona.stakes.clone(),
            objectives: s.learning_objectives.0.clone(),
            expected_outcome: s.expected_outcome.clone(),
            recommendation: s.cefr_recommendation.clone().unwrap_or_default(),
            comfort: vec![
                ("Confidence", comfort.confidence),
                ("Engagement", comfort.engagement),
                ("Understanding", comfort.understanding),
            ],
            tags: s.tags.0.clone(),
            saved_count: metadata.map_or(0, |m| m.amount_saved_count),
            rating: metadata
                .and_then(|m| m.average_rating)
                .map(|r| format!("{r:.1}")),
        }
    }
}
