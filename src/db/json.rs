//! The typed documents stored in JSON text columns (see `db::types::Json`). Keys are
//! camelCase, as in the spec, so exported data and seed files read the same way.
//! Optional parts carry `#[serde(default)]` so older documents keep loading.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Who the AI partner plays in a scenario (`scenarios.persona`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Persona {
    pub title: String,
    pub name_template: String,
    pub setting: String,
    pub intro_prompt: String,
    pub stakes: String,
}

/// Baseline comfort a learner at the recommended level should expect, each 1–5
/// (`scenarios.comfort_indicators`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComfortIndicators {
    pub confidence: u8,
    pub engagement: u8,
    pub understanding: u8,
}

/// Corrections found in one learner message (`messages.grammar_analysis`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrammarAnalysis {
    #[serde(default)]
    pub corrections: Vec<Correction>,
    #[serde(default)]
    pub went_well: Vec<String>,
}

/// One mistake with its fix and a one-line reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Correction {
    pub original: String,
    pub corrected: String,
    pub explanation: String,
}

/// New and misused words in a message (`messages.vocabulary_analysis`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VocabularyAnalysis {
    #[serde(default)]
    pub new_words: Vec<VocabularyItem>,
    #[serde(default)]
    pub misused_words: Vec<VocabularyItem>,
}

/// A word with its meaning and, for misused words, what was meant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VocabularyItem {
    pub word: String,
    #[serde(default)]
    pub meaning: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Free-form properties of an analytics event (`analytics_events.properties`).
pub type EventProperties = serde_json::Map<String, serde_json::Value>;

/// One day of a 4-week schedule (`learning_paths.schedule`, `learning_path_previews.schedule`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleDay {
    /// 1-based day number.
    pub day_index: i32,
    pub theme: String,
    #[serde(default)]
    pub description: String,
    pub difficulty: String,
    #[serde(default)]
    pub scenario_id: Option<String>,
}

/// A JSON value kept as its text: reading its row copies the text without building a tree,
/// and [`RawJson::parse`] reads it once, straight into its type.
///
/// why: a path's schedule (28 days) was read into a `serde_json::Value` and then into a
/// `Schedule` on every view of the dashboard and the preview, at an eighth of the page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawJson(Box<serde_json::value::RawValue>);

impl RawJson {
    /// `value` written out as JSON.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Self> {
        serde_json::value::to_raw_value(value).map(Self)
    }

    /// The value read as a `T`.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_str(self.0.get())
    }

    /// The JSON text.
    pub fn text(&self) -> &str {
        self.0.get()
    }
}

/// Equal when the values are, whatever their spacing or key order.
impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
            || self.parse::<serde_json::Value>().ok() == other.parse::<serde_json::Value>().ok()
    }
}

/// `learning_paths.metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathMetadata {
    #[serde(default)]
    pub cefr_level: Option<String>,
    #[serde(default)]
    pub primary_skill: Option<String>,
    #[serde(default)]
    pub estimated_minutes_per_day: Option<i32>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The planner's whole schedule (`app::paths::planner::Schedule`), which `schedule`
    /// summarises day by day.
    #[serde(default)]
    pub plan: Option<RawJson>,
    /// On a creator's course: its public template copy, while it is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_template_id: Option<String>,
}

/// `learning_path_assignments.metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentMetadata {
    #[serde(default)]
    pub invited_by: Option<String>,
    #[serde(default)]
    pub invite_note: Option<String>,
    #[serde(default)]
    pub feedback_requested: bool,
    #[serde(default)]
    pub custom_start_time: Option<String>,
    /// The days practised so far: which scenario and conversation each got.
    #[serde(default)]
    pub days: Vec<PathDayRecord>,
    /// A tester's feedback on the course's days (one per day, the latest kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feedback: Vec<DayFeedback>,
}

/// A tester's rating (1–5) and comment on one day of a course.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayFeedback {
    pub day_index: i32,
    pub rating: i32,
    #[serde(default)]
    pub comment: String,
    pub at: NaiveDateTime,
}

/// A day of a path the learner started (`learning_path_assignments.metadata.days`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathDayRecord {
    pub day_index: i32,
    pub scenario_id: String,
    pub conversation_id: String,
    pub started_at: NaiveDateTime,
}

/// A scenario drafted inside a preview for days 1–3 (`learning_path_previews.preview_scenarios`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewScenario {
    pub day_index: i32,
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub persona: Persona,
    #[serde(default)]
    pub learning_objectives: Vec<String>,
    #[serde(default)]
    pub cefr_level: Option<String>,
}

/// `learning_path_previews.metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewMetadata {
    #[serde(default)]
    pub parsed_intent: Option<serde_json::Value>,
    #[serde(default)]
    pub refinement_history: Vec<String>,
    #[serde(default)]
    pub regenerated_days: Vec<i32>,
    /// The planner's preview state (`app::paths::planner::PreviewState`): the schedule with
    /// its settings, and what undo restores.
    #[serde(default)]
    pub state: Option<RawJson>,
    /// With an AI provider: how the model's drafting of the first schedule stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<DraftProgress>,
}

/// The AI planner's drafting of a preview's first schedule (`app::paths::draft`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftProgress {
    /// When the latest attempt began (`None`: still waiting for a worker).
    #[serde(default)]
    pub started_at: Option<chrono::NaiveDateTime>,
    #[serde(default)]
    pub attempts: i32,
    /// Why the latest attempt failed, when it did.
    #[serde(default)]
    pub last_error: Option<String>,
    /// What the finished preview says about how its schedule was made.
    #[serde(default)]
    pub note: Option<String>,
}
