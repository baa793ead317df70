//! Creators writing scenarios: the form's raw values, their validation into a typed draft
//! (pure), a preview of a draft, and creating, updating and deactivating scenarios. Authors
//! edit their own; admins may deactivate any.

use std::ops::ControlFlow;

use chrono::NaiveDateTime;
use serde::Deserialize;

use super::{may_deactivate, CatalogError, CATEGORIES};
use crate::app::Ctx;
use crate::db::json::{ComfortIndicators, Persona};
use crate::db::models::{NewScenario, NewScenarioMetadata, Scenario, ScenarioChanges, User};
use crate::db::types::{
    CefrLevel, Difficulty, Json, LearningGoal, ScenarioRole, Skill, Visibility,
};
use crate::db::{new_id, queries, search, DbConn};

/// The authoring form as submitted: every field a string, kept to re-fill the form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RawDraft {
    pub title: String,
    pub description: String,
    pub role: String,
    pub difficulty: String,
    pub difficulty_rating: String,
    pub cefr_level: String,
    pub learning_goal: String,
    pub primary_skill: String,
    pub visibility: String,
    pub instructions: String,
    pub context: String,
    pub cefr_recommendation: String,
    pub persona_title: String,
    pub persona_name: String,
    pub persona_setting: String,
    pub persona_intro: String,
    pub persona_stakes: String,
    pub expected_outcome: String,
    pub objectives: String,
    pub comfort_confidence: String,
    pub comfort_engagement: String,
    pub comfort_understanding: String,
    #[serde(rename = "categories")]
    pub categories: Vec<String>,
    pub tags: String,
    pub search_keywords: String,
    pub thumbnail_url: String,
    pub estimated_minutes: String,
}

impl RawDraft {
    /// The empty new-scenario form: public, 10 minutes.
    pub fn new_form() -> Self {
        Self {
            visibility: "public".into(),
            estimated_minutes: "10".into(),
            ..Default::default()
        }
    }

    /// The form pre-filled from an existing scenario.
    pub fn from_scenario(s: &Scenario) -> Self {
        Self {
            title: s.title.clone(),
            description: s.description.clone(),
            role: s.role.to_string(),
            difficulty: s.difficulty.to_string(),
            difficulty_rating: s.difficulty_rating.to_string(),
            cefr_level: s.cefr_level.to_string(),
            learning_goal: s.learning_goal.map(|g| g.to_string()).unwrap_or_default(),
            primary_skill: s.primary_skill.to_string(),
            visibility: s.visibility.to_string(),
            instructions: s.instructions.clone(),
            context: s.context.clone(),
            cefr_recommendation: s.cefr_recommendation.clone().unwrap_or_default(),
            persona_title: s.persona.title.clone(),
            persona_name: s.persona.name_template.clone(),
            persona_setting: s.persona.setting.clone(),
            persona_intro: s.persona.intro_prompt.clone(),
            persona_stakes: s.persona.stakes.clone(),
            expected_outcome: s.expected_outcome.clone(),
            objectives: s.learning_objectives.join("\n"),
            comfort_confidence: s.comfort_indicators.confidence.to_string(),
            comfort_engagement: s.comfort_indicators.engagement.to_string(),
            comfort_understanding: s.comfort_indicators.understanding.to_string(),
            categories: s.categories.0.clone(),
            tags: s.tags.join(", "),
            search_keywords: s.search_keywords.join(", "),
            thumbnail_url: s.thumbnail_url.clone().unwrap_or_default(),
            estimated_minutes: ((s.estimated_duration_seconds + 59) / 60).to_string(),
        }
    }
}

/// A validated scenario, ready to store.
#[derive(Debug, Clone)]
pub struct Draft {
    pub title: String,
    pub description: String,
    pub role: ScenarioRole,
    pub difficulty: Difficulty,
    pub difficulty_rating: i32,
    pub cefr_level: CefrLevel,
    pub learning_goal: Option<LearningGoal>,
    pub primary_skill: Skill,
    pub visibility: Visibility,
    pub instructions: String,
    pub context: String,
    pub cefr_recommendation: Option<String>,
    pub persona: Persona,
    pub expected_outcome: String,
    pub objectives: Vec<String>,
    pub comfort: ComfortIndicators,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub search_keywords: Vec<String>,
    pub thumbnail_url: Option<String>,
    pub estimated_duration_seconds: i32,
}

/// A field and what is wrong with it.
pub type FieldErrors = Vec<(&'static str, String)>;

fn text(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
    required: bool,
) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.push((field, format!("{label} is required.")));
    } else if value.chars().count() > max {
        errors.push((field, format!("{label} must be at most {max} characters.")));
    }
    value.to_owned()
}

fn choice<T: std::str::FromStr>(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
) -> Option<T> {
    match value.trim().parse() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push((field, format!("Choose a {label}.")));
            None
        }
    }
}

fn number(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
    range: std::ops::RangeInclusive<i32>,
    default: i32,
) -> i32 {
    if value.trim().is_empty() {
        return default;
    }
    match value.trim().parse::<i32>() {
        Ok(n) if range.contains(&n) => n,
        _ => {
            errors.push((
                field,
                format!(
                    "{label} must be a whole number from {} to {}.",
                    range.start(),
                    range.end()
                ),
            ));
            default
        }
    }
}

fn list(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
    sep: char,
    max_items: usize,
    max_len: usize,
) -> Vec<String> {
    let items: Vec<String> = value
        .split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if items.len() > max_items {
        errors.push((field, format!("List at most {max_items} {label}.")));
    }
    if items.iter().any(|i| i.chars().count() > max_len) {
        errors.push((
            field,
            format!("Keep each of the {label} under {max_len} characters."),
        ));
    }
    items
}

/// Checks every field; all problems are reported at once.
pub fn validate(raw: &RawDraft) -> Result<Draft, FieldErrors> {
    let mut e = FieldErrors::new();
    let title = text(&mut e, "title", "The title", &raw.title, 120, true);
    let description = text(
        &mut e,
        "description",
        "The description",
        &raw.description,
        2000,
        true,
    );
    let role = choice(&mut e, "role", "partner role", &raw.role);
    let difficulty: Option<Difficulty> =
        choice(&mut e, "difficulty", "difficulty", &raw.difficulty);
    let cefr_level = choice(&mut e, "cefr_level", "CEFR level", &raw.cefr_level);
    let primary_skill = choice(&mut e, "primary_skill", "primary skill", &raw.primary_skill);
    let visibility = choice(&mut e, "visibility", "visibility", &raw.visibility);
    let learning_goal = if raw.learning_goal.trim().is_empty() {
        None
    } else {
        choice(&mut e, "learning_goal", "learning goal", &raw.learning_goal)
    };
    let default_rating = match difficulty {
        Some(Difficulty::Beginner) => 2,
        Some(Difficulty::Intermediate) => 5,
        _ => 8,
    };
    let difficulty_rating = number(
        &mut e,
        "difficulty_rating",
        "The difficulty rating",
        &raw.difficulty_rating,
        1..=10,
        default_rating,
    );
    let instructions = text(
        &mut e,
        "instructions",
        "The instructions",
        &raw.instructions,
        4000,
        false,
    );
    let context = text(&mut e, "context", "The situation", &raw.context, 2000, true);
    let cefr_recommendation = text(
        &mut e,
        "cefr_recommendation",
        "Who it suits",
        &raw.cefr_recommendation,
        300,
        false,
    );
    let persona = Persona {
        title: text(
            &mut e,
            "persona_title",
            "The partner's role",
            &raw.persona_title,
            80,
            true,
        ),
        name_template: text(
            &mut e,
            "persona_name",
            "The partner's name",
            &raw.persona_name,
            80,
            false,
        ),
        setting: text(
            &mut e,
            "persona_setting",
            "The setting",
            &raw.persona_setting,
            300,
            true,
        ),
        intro_prompt: text(
            &mut e,
            "persona_intro",
            "The opening line",
            &raw.persona_intro,
            500,
            true,
        ),
        stakes: text(
            &mut e,
            "persona_stakes",
            "What's at stake",
            &raw.persona_stakes,
            300,
            false,
        ),
    };
    let expected_outcome = text(
        &mut e,
        "expected_outcome",
        "The expected outcome",
        &raw.expected_outcome,
        500,
        true,
    );
    let objectives = list(
        &mut e,
        "objectives",
        "objectives",
        &raw.objectives,
        '\n',
        8,
        200,
    );
    if objectives.is_empty() {
        e.push(("objectives", "Add at least one learning objective.".into()));
    }
    let comfort = ComfortIndicators {
        confidence: number(
            &mut e,
            "comfort_confidence",
            "Confidence",
            &raw.comfort_confidence,
            1..=5,
            3,
        ) as u8,
        engagement: number(
            &mut e,
            "comfort_engagement",
            "Engagement",
            &raw.comfort_engagement,
            1..=5,
            3,
        ) as u8,
        understanding: number(
            &mut e,
            "comfort_understanding",
            "Understanding",
            &raw.comfort_understanding,
            1..=5,
            3,
        ) as u8,
    };
    let mut categories: Vec<String> = raw
        .categories
        .iter()
        .filter(|c| CATEGORIES.contains(&c.as_str()))
        .cloned()
        .collect();
    categories.dedup();
    if categories.is_empty() || categories.len() != raw.categories.len() {
        e.push((
            "categories",
            "Choose at least one category from the list.".into(),
        ));
    }
    let tags: Vec<String> = list(&mut e, "tags", "tags", &raw.tags, ',', 10, 30)
        .into_iter()
        .map(|t| {
            t.to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect();
    if tags
        .iter()
        .any(|t| !t.chars().all(|c| c.is_alphanumeric() || c == '-'))
    {
        e.push(("tags", "Tags use letters, digits and dashes.".into()));
    }
    let search_keywords: Vec<String> = list(
        &mut e,
        "search_keywords",
        "keywords",
        &raw.search_keywords,
        ',',
        15,
        40,
    )
    .into_iter()
    .map(|k| k.to_lowercase())
    .collect();
    let thumbnail = raw.thumbnail_url.trim();
    let thumbnail_url = if thumbnail.is_empty() {
        None
    } else if url::Url::parse(thumbnail).is_ok_and(|u| u.scheme() == "https")
        && thumbnail.len() <= 500
    {
        Some(thumbnail.to_owned())
    } else {
        e.push((
            "thumbnail_url",
            "The picture must be an https:// address.".into(),
        ));
        None
    };
    let minutes = number(
        &mut e,
        "estimated_minutes",
        "The length",
        &raw.estimated_minutes,
        1..=60,
        10,
    );
    match (role, difficulty, cefr_level, primary_skill, visibility) {
        (Some(role), Some(difficulty), Some(cefr_level), Some(primary_skill), Some(visibility))
            if e.is_empty() =>
        {
            Ok(Draft {
                title,
                description,
                role,
                difficulty,
                difficulty_rating,
                cefr_level,
                learning_goal,
                primary_skill,
                visibility,
                instructions: if instructions.is_empty() {
                    "Stay in character, keep your turns short, and ask when the learner is unclear."
                        .into()
                } else {
                    instructions
                },
                context,
                cefr_recommendation: (!cefr_recommendation.is_empty())
                    .then_some(cefr_recommendation),
                persona,
                expected_outcome,
                objectives,
                comfort,
                categories,
                tags,
                search_keywords,
                thumbnail_url,
                estimated_duration_seconds: minutes * 60,
            })
        }
        _ => Err(e),
    }
}

/// What the creator asked for with the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// See the scenario page the draft would make; nothing is saved.
    Preview,
    Save,
}

/// What became of a submitted form.
pub enum Submitted {
    /// Something is wrong: the form again, with every problem and its field.
    Invalid(RawDraft, FieldErrors),
    /// The scenario this draft would make, to preview; nothing is saved.
    Preview(RawDraft, Box<Scenario>),
    /// Saved: the scenario's id.
    Saved(String),
}

/// A validated form: the draft to go on and save, or, to answer without saving, its errors
/// or the preview asked for.
fn checked(raw: RawDraft, intent: Intent, now: NaiveDateTime) -> ControlFlow<Submitted, Draft> {
    match validate(&raw) {
        Err(errors) => ControlFlow::Break(Submitted::Invalid(raw, errors)),
        Ok(d) if intent == Intent::Preview => {
            ControlFlow::Break(Submitted::Preview(raw, Box::new(d.preview(now))))
        }
        Ok(d) => ControlFlow::Continue(d),
    }
}

/// Validates `raw` and, unless a preview was asked, stores it as a new scenario by `author`
/// (with empty aggregates).
pub async fn create(
    ctx: &Ctx,
    author: User,
    raw: RawDraft,
    intent: Intent,
) -> Result<Submitted, CatalogError> {
    let now = ctx.clock.naive();
    let d = match checked(raw, intent, now) {
        ControlFlow::Continue(d) => d,
        ControlFlow::Break(answer) => return Ok(answer),
    };
    let row = new_row(&author, d, now);
    let saved = ctx
        .db
        .write(move |c| {
            queries::scenarios::insert(c, &row)?;
            queries::scenarios::insert_metadata(c, &NewScenarioMetadata::empty(&row.id, now))?;
            Ok::<_, CatalogError>(Submitted::Saved(row.id.clone()))
        })
        .await?;
    ctx.cache.public_changed();
    Ok(saved)
}

/// `author`'s own scenario `id`, to edit; anyone else's is `NotFound`.
pub async fn editable(ctx: &Ctx, author: User, id: String) -> Result<Scenario, CatalogError> {
    ctx.db.run(move |c| find_own(c, &author, &id)).await
}

/// Validates `raw` for `author`'s own scenario `id` and, unless a preview was asked,
/// replaces its content (usage and aggregates are kept). Anyone else's is `NotFound`, even
/// with an invalid form.
pub async fn update(
    ctx: &Ctx,
    author: User,
    id: String,
    raw: RawDraft,
    intent: Intent,
) -> Result<Submitted, CatalogError> {
    let now = ctx.clock.naive();
    let (a, i) = (author.clone(), id.clone());
    ctx.db.run(move |c| find_own(c, &a, &i)).await?;
    let d = match checked(raw, intent, now) {
        ControlFlow::Continue(d) => d,
        ControlFlow::Break(answer) => return Ok(answer),
    };
    let saved = ctx
        .db
        .write(move |c| {
            find_own(c, &author, &id)?;
            queries::scenarios::update(c, &id, changes(d, now))?;
            Ok::<_, CatalogError>(Submitted::Saved(id))
        })
        .await?;
    ctx.cache.public_changed();
    Ok(saved)
}

/// Deactivates scenario `id` for `user`, its author or an admin (anyone else gets
/// `NotFound`); it leaves the catalog.
pub async fn deactivate(ctx: &Ctx, user: User, id: String) -> Result<(), CatalogError> {
    let now = ctx.clock.naive();
    ctx.db
        .write(move |c| {
            let scenario = queries::scenarios::find(c, &id)?.ok_or(CatalogError::NotFound)?;
            if !may_deactivate(&scenario, Some(&user)) {
                return Err(CatalogError::NotFound);
            }
            let changes = ScenarioChanges {
                is_active: Some(false),
                updated_at: Some(now),
                ..Default::default()
            };
            Ok::<_, CatalogError>(queries::scenarios::update(c, &id, changes)?)
        })
        .await?;
    ctx.cache.public_changed();
    Ok(())
}

impl Draft {
    /// The scenario this draft would make, as a preview shows it (never stored).
    pub fn preview(&self, now: NaiveDateTime) -> Scenario {
        let d = self.clone();
        Scenario {
            id: "preview".into(),
            title: d.title,
            description: d.description,
            role: d.role,
            difficulty: d.difficulty,
            difficulty_rating: d.difficulty_rating,
            cefr_level: d.cefr_level,
            instructions: d.instructions,
            context: d.context,
            learning_goal: d.learning_goal,
            cefr_recommendation: d.cefr_recommendation,
            persona: Json(d.persona),
            expected_outcome: d.expected_outcome,
            learning_objectives: Json(d.objectives),
            comfort_indicators: Json(d.comfort),
            categories: Json(d.categories),
            tags: Json(d.tags),
            primary_skill: d.primary_skill,
            search_keywords: Json(d.search_keywords),
            thumbnail_url: d.thumbnail_url,
            estimated_duration_seconds: d.estimated_duration_seconds,
            created_by_user_id: None,
            visibility: d.visibility,
            usage_count: 0,
            is_active: true,
            created_at: now,
            updated_at: now,
            search_title: String::new(),
            search_body: String::new(),
        }
    }
}

fn searchable(d: &Draft) -> (String, String) {
    search::searchable(
        &d.title,
        &d.description,
        &d.persona.title,
        &[&d.tags, &d.search_keywords, &d.categories],
    )
}

/// The row of a new scenario by `author`.
fn new_row(author: &User, d: Draft, now: NaiveDateTime) -> NewScenario {
    let (search_title, search_body) = searchable(&d);
    NewScenario {
        id: new_id(),
        title: d.title,
        description: d.description,
        role: d.role,
        difficulty: d.difficulty,
        difficulty_rating: d.difficulty_rating,
        cefr_level: d.cefr_level,
        instructions: d.instructions,
        context: d.context,
        learning_goal: d.learning_goal,
        cefr_recommendation: d.cefr_recommendation,
        persona: Json(d.persona),
        expected_outcome: d.expected_outcome,
        learning_objectives: Json(d.objectives),
        comfort_indicators: Json(d.comfort),
        categories: Json(d.categories),
        tags: Json(d.tags),
        primary_skill: d.primary_skill,
        search_keywords: Json(d.search_keywords),
        thumbnail_url: d.thumbnail_url,
        estimated_duration_seconds: d.estimated_duration_seconds,
        created_by_user_id: Some(author.id.clone()),
        visibility: d.visibility,
        usage_count: 0,
        is_active: true,
        created_at: now,
        updated_at: now,
        search_title,
        search_body,
    }
}

/// The author's own scenario, for editing.
fn find_own(conn: &mut DbConn, author: &User, id: &str) -> Result<Scenario, CatalogError> {
    match queries::scenarios::find(conn, id)? {
        Some(s) if s.created_by_user_id.as_deref() == Some(author.id.as_str()) => Ok(s),
        _ => Err(CatalogError::NotFound),
    }
}

/// A draft as the changes replacing a scenario's content.
fn changes(d: Draft, now: NaiveDateTime) -> ScenarioChanges {
    let (search_title, search_body) = searchable(&d);
    ScenarioChanges {
        title: Some(d.title),
        description: Some(d.description),
        role: Some(d.role),
        difficulty: Some(d.difficulty),
        difficulty_rating: Some(d.difficulty_rating),
        cefr_level: Some(d.cefr_level),
        instructions: Some(d.instructions),
        context: Some(d.context),
        learning_goal: Some(d.learning_goal),
        cefr_recommendation: Some(d.cefr_recommendation),
        persona: Some(Json(d.persona)),
        expected_outcome: Some(d.expected_outcome),
        learning_objectives: Some(Json(d.objectives)),
        comfort_indicators: Some(Json(d.comfort)),
        categories: Some(Json(d.categories)),
        tags: Some(Json(d.tags)),
        primary_skill: Some(d.primary_skill),
        search_keywords: Some(Json(d.search_keywords)),
        thumbnail_url: Some(d.thumbnail_url),
        estimated_duration_seconds: Some(d.estimated_duration_seconds),
        visibility: Some(d.visibility),
        updated_at: Some(now),
        search_title: Some(search_title),
        search_body: Some(search_body),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn valid() -> RawDraft {
        RawDraft {
            title: "Returning a jacket".into(),
            description: "The zip broke after a week.".into(),
            role: "character".into(),
            difficulty: "intermediate".into(),
            cefr_level: "B1".into(),
            primary_skill: "speaking".into(),
            visibility: "public".into(),
            context: "A shop counter".into(),
            persona_title: "Shop assistant".into(),
            persona_setting: "A department store".into(),
            persona_intro: "Hello, can I help?".into(),
            expected_outcome: "A refund or exchange".into(),
            objectives: "Explain a problem\nAsk for a refund".into(),
            categories: vec!["shopping".into()],
            tags: "Returns, polite requests".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_form_becomes_a_draft() {
        let d = validate(&valid()).unwrap();
        assert_eq!(d.objectives, ["Explain a problem", "Ask for a refund"]);
        assert_eq!(d.tags, ["returns", "polite-requests"]);
        assert_eq!(d.difficulty_rating, 5);
        assert_eq!(d.estimated_duration_seconds, 600);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut raw = valid();
        raw.title.clear();
        raw.description = "x".repeat(100_000);
        raw.role = "villain".into();
        raw.categories = vec!["space".into()];
        raw.thumbnail_url = "javascript:alert(1)".into();
        let errors = validate(&raw).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        for f in [
            "title",
            "description",
            "role",
            "categories",
            "thumbnail_url",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }
}
