//! Scenarios for the days of a path that link no catalog scenario, made by a job
//! ([`GeneratePathScenario`], one per day, a `scenario_generation_queue` row each): week 1
//! at commit, later days the morning before they are due. With an AI provider the model
//! writes the scenario as JSON, checked before it is stored; offline (or to fill what the
//! model left out) it is adapted from the catalog scenario closest to the day's topic and
//! level, and says so. Always private to the learner, in the path's language.
//!
//! A failed attempt is retried with backoff by the job queue and shown on the dashboard;
//! after the last one the day says it failed and offers a retry. A day started before its
//! scenario is ready gets the adapted one at once (see `progress::start_day`).

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::planner::{self, Day, ScenarioLink, Schedule};
use super::{candidates, PathError};
use crate::app::jobs::{enqueue_at, Job};
use crate::app::Ctx;
use crate::db::conn::write_transaction;
use crate::db::models::{
    LearningPath, NewScenario, NewScenarioGenerationJob, NewScenarioMetadata, Scenario,
    ScenarioGenerationJob, ScenarioGenerationJobChanges,
};
use crate::db::queries;
use crate::db::types::{GenerationStatus, Json, MessageRole, Visibility};
use crate::db::{lock, DbConn};
use crate::integrations::ai::{PromptMessage, Task};

/// Makes the scenario of one queued day.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GeneratePathScenario {
    pub generation_id: String,
}

impl Job for GeneratePathScenario {
    const KIND: &'static str = "generate_path_scenario";
    const MAX_ATTEMPTS: i32 = 4;
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

    fn dedupe_key(&self) -> Option<String> {
        Some(format!("{}:{}", Self::KIND, self.generation_id))
    }
}

/// When day `day` of a path that starts on the local date of `starts_at` gets its scenario
/// (in UTC): week 1 now, a later day at 06:00 the day before it is due, in the learner's zone.
pub fn due_at(
    starts_at: NaiveDateTime,
    day: u8,
    now: NaiveDateTime,
    tz: chrono_tz::Tz,
) -> NaiveDateTime {
    if day <= 7 {
        return now;
    }
    let before = starts_at.date() + Duration::days(i64::from(day) - 2);
    let morning = before.and_hms_opt(6, 0, 0).unwrap_or(now);
    crate::app::accounts::time_zone::utc_of(tz, morning).max(now)
}

/// Queues a generation for every day of `schedule` that links no catalog scenario (inside
/// the commit's transaction).
pub(super) fn queue(
    c: &mut DbConn,
    path_id: &str,
    schedule: &Schedule,
    starts_at: NaiveDateTime,
    now: NaiveDateTime,
    tz: chrono_tz::Tz,
) -> diesel::QueryResult<()> {
    for day in &schedule.days {
        if matches!(day.scenario, ScenarioLink::Catalog { .. }) {
            continue;
        }
        let at = due_at(starts_at, day.index, now, tz);
        let row = NewScenarioGenerationJob {
            id: uuid::Uuid::now_v7().to_string(),
            path_id: path_id.to_owned(),
            day_index: i32::from(day.index),
            target_generation_date: at,
            status: GenerationStatus::Pending,
            last_error: None,
            retry_count: 0,
            last_processed_at: None,
            next_attempt_at: Some(at),
            scenario_id: None,
            created_at: now,
            updated_at: now,
        };
        queries::paths::insert_generation(c, &row)?;
        let job = GeneratePathScenario {
            generation_id: row.id,
        };
        enqueue_at(c, &job, at, now)?;
    }
    Ok(())
}

/// What an attempt works from, read under the row's lock.
struct Work {
    path: LearningPath,
    day: Day,
    base: Scenario,
}

/// Makes and stores the scenario of generation `id` (nothing when it is ready already).
pub async fn generate(ctx: &Ctx, id: &str) -> Result<(), PathError> {
    let now = ctx.clock.naive();
    let key = id.to_owned();
    let Some(work) = ctx
        .db
        .run(move |c| write_transaction(c, |c| begin(c, &key, now)))
        .await?
    else {
        return Ok(());
    };
    let owner = work.path.user_id.clone().unwrap_or_default();
    let mut row = adapted(&work.base, &owner, &work.day, now);
    if !ctx.ai.is_offline() {
        row.description = format!(
            "Day {} of your path: {}. Written for your path by the AI planner.",
            work.day.index, work.day.theme
        );
        let written = written_by_model(ctx, &work).await?;
        written.apply(&mut row, &work.base);
    }
    let key = id.to_owned();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "path_generation", &key)?;
                let current =
                    queries::paths::find_generation(c, &key)?.ok_or(PathError::NotFound)?;
                if current.status == GenerationStatus::Ready {
                    return Ok(());
                }
                store(c, &current, &row, now)
            })
        })
        .await
}

/// Records a failed attempt: waiting for the next one, or failed for good after the last.
pub async fn failed(ctx: &Ctx, id: &str, error: String, last: bool) -> Result<(), PathError> {
    let now = ctx.clock.naive();
    let key = id.to_owned();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "path_generation", &key)?;
                let Some(row) = queries::paths::find_generation(c, &key)? else {
                    return Ok(());
                };
                let changes = ScenarioGenerationJobChanges {
                    status: Some(if last {
                        GenerationStatus::Failed
                    } else {
                        GenerationStatus::Pending
                    }),
                    last_error: Some(Some(error.chars().take(500).collect())),
                    retry_count: Some(row.retry_count + 1),
                    updated_at: Some(now),
                    ..Default::default()
                };
                Ok(queries::paths::update_generation(c, &key, changes)?)
            })
        })
        .await
}

/// Marks the row processing and reads what the attempt needs; `None` when it is done.
fn begin(c: &mut DbConn, id: &str, now: NaiveDateTime) -> Result<Option<Work>, PathError> {
    lock::key(c, "path_generation", id)?;
    let row = queries::paths::find_generation(c, id)?.ok_or(PathError::NotFound)?;
    if row.status == GenerationStatus::Ready {
        return Ok(None);
    }
    let path = queries::paths::find_path(c, &row.path_id)?.ok_or(PathError::NotFound)?;
    let schedule = super::progress::schedule_of(&path)?;
    let day = u8::try_from(row.day_index)
        .ok()
        .and_then(|d| schedule.day(d).cloned())
        .ok_or(PathError::NotFound)?;
    let base = closest(c, &path.target_language, &day)?;
    queries::paths::update_generation(
        c,
        id,
        ScenarioGenerationJobChanges {
            status: Some(GenerationStatus::Processing),
            last_processed_at: Some(Some(now)),
            updated_at: Some(now),
            ..Default::default()
        },
    )?;
    Ok(Some(Work { path, day, base }))
}

/// Stores `row` as the scenario of generation `g`.
pub(super) fn store(
    c: &mut DbConn,
    g: &ScenarioGenerationJob,
    row: &NewScenario,
    now: NaiveDateTime,
) -> Result<(), PathError> {
    queries::scenarios::insert(c, row)?;
    queries::scenarios::insert_metadata(c, &NewScenarioMetadata::empty(&row.id, now))?;
    queries::paths::update_generation(
        c,
        &g.id,
        ScenarioGenerationJobChanges {
            status: Some(GenerationStatus::Ready),
            scenario_id: Some(Some(row.id.clone())),
            last_error: Some(None),
            updated_at: Some(now),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// The catalog scenario closest to `day`: on its topic if any is, at the nearest level.
pub(super) fn closest(c: &mut DbConn, language: &str, day: &Day) -> Result<Scenario, PathError> {
    let cands = candidates(queries::paths::list_candidates(c)?, language);
    let distance = |s: &planner::Candidate| {
        let (a, b) = (
            planner::level_index(s.cefr_level),
            planner::level_index(day.cefr_level),
        );
        ((a - b).abs(), s.id.clone())
    };
    let closest = cands
        .iter()
        .filter(|s| s.is_about(&day.topic))
        .min_by_key(|s| distance(s))
        .or_else(|| cands.iter().min_by_key(|s| distance(s)))
        .ok_or_else(|| PathError::Invalid("The catalog has no scenario to adapt yet.".into()))?;
    queries::scenarios::find(c, &closest.id)?.ok_or(PathError::NotFound)
}

/// What the model writes for a day; every field is checked, and what is missing or empty
/// keeps the adapted value.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Written {
    title: String,
    description: String,
    context: String,
    persona_title: String,
    persona_setting: String,
    persona_intro: String,
    objectives: Vec<String>,
}

impl Written {
    fn apply(self, row: &mut NewScenario, base: &Scenario) {
        let fit = |s: &str, max: usize| {
            let s = s.trim();
            (!s.is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control))
                .then(|| s.to_owned())
        };
        if let Some(t) = fit(&self.title, 120) {
            row.title = t;
        }
        if let Some(d) = fit(&self.description, 600) {
            row.description = format!("{d} Written for your path by the AI planner.");
        }
        if let Some(x) = fit(&self.context, 1000) {
            row.context = x;
        }
        let mut persona = base.persona.0.clone();
        if let Some(p) = fit(&self.persona_title, 120) {
            persona.title = p;
        }
        if let Some(p) = fit(&self.persona_setting, 300) {
            persona.setting = p;
        }
        if let Some(p) = fit(&self.persona_intro, 300) {
            persona.intro_prompt = p;
        }
        row.persona = Json(persona);
        let objectives: Vec<String> = self
            .objectives
            .iter()
            .filter_map(|o| fit(o, 200))
            .take(5)
            .collect();
        if objectives.len() >= 2 {
            row.learning_objectives = Json(objectives);
        }
    }
}

/// Asks the model to write `work`'s scenario; an answer that is not JSON is an error (the
/// job tries again).
async fn written_by_model(ctx: &Ctx, work: &Work) -> Result<Written, PathError> {
    let prompt = vec![
        PromptMessage {
            role: MessageRole::System,
            content: "You write role-play scenarios for language learners. Answer with one JSON \
                object: {\"title\", \"description\", \"context\", \"personaTitle\", \
                \"personaSetting\", \"personaIntro\" (in the target language), \
                \"objectives\": [2 to 4 short sentences]}."
                .into(),
        },
        PromptMessage {
            role: MessageRole::User,
            content: serde_json::json!({
                "language": work.path.target_language,
                "theme": work.day.theme,
                "cefrLevel": work.day.cefr_level.as_str(),
                "objectives": work.day.objectives,
                "basedOn": {"title": work.base.title, "context": work.base.context},
            })
            .to_string(),
        },
    ];
    let answer = ctx
        .ai
        .complete(Task::Planning, prompt, true)
        .await
        .map_err(|e| PathError::Invalid(format!("the AI provider failed: {e}")))?;
    serde_json::from_str(&answer).map_err(|_| {
        PathError::Invalid("the AI provider's scenario was not the JSON asked for".into())
    })
}

/// A private scenario for `day`, adapted from the catalog scenario `base`: the day's theme,
/// level and objectives on `base`'s persona and setting. Its description says how it was made.
pub(super) fn adapted(base: &Scenario, owner: &str, day: &Day, now: NaiveDateTime) -> NewScenario {
    let brief = match &day.scenario {
        ScenarioLink::Generate { brief } => brief.clone(),
        ScenarioLink::Catalog { .. } => day.theme.clone(),
    };
    let description = format!(
        "Day {} of your path: {brief} Adapted from “{}” without an AI provider: the partner \
         guides you through the day's objectives.",
        day.index, base.title
    );
    let mut categories = base.categories.0.clone();
    if !categories.contains(&day.topic) {
        categories.push(day.topic.clone());
    }
    let (search_title, search_body) = crate::db::search::searchable(
        &day.theme,
        &description,
        &base.persona.title,
        &[&base.tags.0, &base.search_keywords.0, &categories],
    );
    NewScenario {
        id: uuid::Uuid::now_v7().to_string(),
        title: day.theme.clone(),
        description,
        role: base.role,
        difficulty: day.difficulty,
        difficulty_rating: base.difficulty_rating,
        cefr_level: day.cefr_level,
        instructions: base.instructions.clone(),
        context: base.context.clone(),
        learning_goal: base.learning_goal,
        cefr_recommendation: base.cefr_recommendation.clone(),
        persona: base.persona.clone(),
        expected_outcome: base.expected_outcome.clone(),
        learning_objectives: Json(day.objectives.clone()),
        comfort_indicators: base.comfort_indicators.clone(),
        categories: Json(categories),
        tags: base.tags.clone(),
        primary_skill: base.primary_skill,
        search_keywords: base.search_keywords.clone(),
        thumbnail_url: base.thumbnail_url.clone(),
        estimated_duration_seconds: base.estimated_duration_seconds,
        created_by_user_id: Some(owner.to_owned()),
        visibility: Visibility::Private,
        usage_count: 0,
        is_active: true,
        created_at: now,
        updated_at: now,
        search_title,
        search_body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn week_one_is_made_at_once_and_later_days_the_morning_before() {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let now = start + Duration::hours(15);
        let utc = chrono_tz::Tz::UTC;
        assert_eq!(due_at(start, 3, now, utc), now);
        assert_eq!(
            due_at(start, 10, now, utc),
            start + Duration::days(8) + Duration::hours(6),
            "day 10 is due on the 10th; made on the 9th at 06:00"
        );
        assert_eq!(
            due_at(start, 10, now, chrono_tz::Asia::Tokyo),
            start + Duration::days(8) - Duration::hours(3),
            "06:00 in Tokyo is 21:00 UTC the day before"
        );
    }
}
