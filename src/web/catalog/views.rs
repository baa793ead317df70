//! Display-ready scenario details, categories and the learner's progress (cards are the
//! shared `components::ScenarioCard`).

use crate::app::catalog::CATEGORIES;
use crate::db::models::{Scenario, ScenarioMetadata, UserScenarioProgress};
pub use crate::web::components::scenario_card::{minutes, role_label, ScenarioCard};

/// The learner-facing name of a category slug.
pub fn category_label(slug: &str) -> String {
    let words = slug.replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// Every category as (slug, label).
pub fn categories() -> Vec<(&'static str, String)> {
    CATEGORIES.iter().map(|c| (*c, category_label(c))).collect()
}

/// Everything a scenario page shows.
pub struct ScenarioDetail {
    pub id: String,
    pub card: ScenarioCard,
    pub context: String,
    pub persona_name: String,
    pub setting: String,
    pub stakes: String,
    pub intro: String,
    pub objectives: Vec<String>,
    pub expected_outcome: String,
    pub recommendation: String,
    pub comfort: Vec<(&'static str, u8)>,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    pub is_public: bool,
}

impl ScenarioDetail {
    pub fn new(s: &Scenario, metadata: Option<&ScenarioMetadata>) -> Self {
        let comfort = &s.comfort_indicators;
        let card = match metadata {
            Some(m) => ScenarioCard::with_metadata(s, m),
            None => ScenarioCard::from(s),
        };
        Self {
            id: s.id.clone(),
            card,
            context: s.context.clone(),
            persona_name: s.persona.name_template.clone(),
            setting: s.persona.setting.clone(),
            stakes: s.persona.stakes.clone(),
            intro: s.persona.intro_prompt.clone(),
            objectives: s.learning_objectives.0.clone(),
            expected_outcome: s.expected_outcome.clone(),
            recommendation: s.cefr_recommendation.clone().unwrap_or_default(),
            comfort: vec![
                ("Confidence", comfort.confidence),
                ("Engagement", comfort.engagement),
                ("Understanding", comfort.understanding),
            ],
            tags: s.tags.0.clone(),
            categories: s.categories.iter().map(|c| category_label(c)).collect(),
            is_public: s.is_active && s.visibility == crate::db::types::Visibility::Public,
        }
    }
}

/// The signed-in learner's relation with a scenario.
pub struct ProgressView {
    pub scenario_id: String,
    pub saved: bool,
    pub rating: i32,
    pub notes: String,
    pub attempts: i32,
    pub completions: i32,
    pub minutes: i32,
    pub last_attempt: String,
}

impl ProgressView {
    pub fn new(scenario_id: &str, p: Option<&UserScenarioProgress>) -> Self {
        Self {
            scenario_id: scenario_id.to_owned(),
            saved: p.is_some_and(|p| p.is_saved),
            rating: p.and_then(|p| p.user_rating).unwrap_or(0),
            notes: p.and_then(|p| p.user_notes.clone()).unwrap_or_default(),
            attempts: p.map_or(0, |p| p.times_attempted),
            completions: p.map_or(0, |p| p.times_completed),
            minutes: p.map_or(0, |p| (p.total_time_spent_seconds + 59) / 60),
            last_attempt: p
                .and_then(|p| p.last_attempt_at)
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        }
    }
}

/// The schema.org description of a public scenario, as JSON-LD safe to put in a page.
pub fn json_ld(s: &Scenario, url: &str) -> String {
    let value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "LearningResource",
        "name": s.title,
        "description": s.description,
        "url": url,
        "learningResourceType": "Role-play conversation",
        "educationalLevel": s.cefr_level.as_str(),
        "timeRequired": format!("PT{}M", minutes(s.estimated_duration_seconds)),
        "teaches": s.learning_objectives.0,
        "keywords": s.tags.join(", "),
        "isAccessibleForFree": true,
    });
    crate::web::components::json_ld::script_json(&value)
}

/// A scenario's save count and rating as the page's stats line shows them.
pub struct StatsView {
    pub saved: i32,
    /// "learner" or "learners", to go with `saved`.
    pub learners: &'static str,
    pub rating: Option<String>,
}

impl StatsView {
    pub fn new(m: Option<&ScenarioMetadata>) -> Self {
        let saved = m.map_or(0, |m| m.amount_saved_count);
        Self {
            saved,
            learners: if saved == 1 { "learner" } else { "learners" },
            rating: m.and_then(|m| m.average_rating).map(|r| format!("{r:.1}")),
        }
    }
}
