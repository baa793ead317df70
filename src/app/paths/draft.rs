//! With an AI provider, a preview's first schedule is drafted by the model in the background
//! ([`DraftPathPreview`], a job). The preview opens at once as `generating`, with the
//! built-in planner's schedule kept behind it; its page shows how the drafting stands and
//! polls until it is ready. The model's schedule replaces the planner's only once it passes
//! the same checks as every schedule and starts at the learner's level. An unusable answer,
//! or a provider still unreachable after the last attempt, leaves the planner's schedule, and
//! the preview says so.

use serde::{Deserialize, Serialize};

use super::planner::{self, Candidate, PreviewState, Schedule};
use super::{candidates, PathError};
use crate::app::jobs::Job;
use crate::app::Ctx;
use crate::db::conn::write_transaction;
use crate::db::json::DraftProgress;
use crate::db::lock;
use crate::db::models::LearningPathPreviewChanges;
use crate::db::queries;
use crate::db::types::{Json, MessageRole, PreviewStatus};
use crate::integrations::ai::{PromptMessage, Task};

/// Drafts preview `session_id`'s first schedule with the AI provider.
#[derive(Debug, Serialize, Deserialize)]
pub struct DraftPathPreview {
    pub session_id: String,
}

impl Job for DraftPathPreview {
    const KIND: &'static str = "draft_path_preview";
    /// A learner is waiting on the page: a few quick retries, then the planner's schedule.
    const MAX_ATTEMPTS: i32 = 3;
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

    fn dedupe_key(&self) -> Option<String> {
        Some(format!("{}:{}", Self::KIND, self.session_id))
    }
}

/// Why the model's schedule was not taken.
#[derive(Debug)]
pub enum Refused {
    /// It did not answer (worth another attempt).
    Unreachable(String),
    /// It answered with something that cannot be used.
    Unusable(String),
}

impl Refused {
    pub fn reason(&self) -> &str {
        match self {
            Refused::Unreachable(why) | Refused::Unusable(why) => why,
        }
    }
}

const DRAFT_PROMPT: &str = "You plan four-week language learning paths. Improve the draft \
    schedule for the learner's intent and answer with one JSON object: {\"summary\": one \
    sentence saying what you planned, \"schedule\": the whole schedule in the same shape}. Keep \
    28 days, each week's demand and kinds of day, the first day's level, levels that never \
    fall, and link only scenarios from the list (or {\"type\": \"generate\", \"brief\": …}).";

/// One attempt at drafting `session_id`. An unreachable provider is an error (the job tries
/// again; after its last attempt [`settle`] keeps the planner's schedule).
pub async fn draft(ctx: &Ctx, session_id: &str) -> Result<(), PathError> {
    let Some((state, intent, cands)) = begin(ctx, session_id).await? else {
        return Ok(());
    };
    let start = state.schedule.day(1).map(|d| d.cefr_level);
    let payload = serde_json::json!({"intent": intent, "draft": state.schedule});
    match ask_model(ctx, DRAFT_PROMPT, payload, &cands).await {
        Err(Refused::Unreachable(why)) => Err(PathError::Invalid(format!(
            "the AI planner did not answer: {why}"
        ))),
        Ok((_, next)) if next.day(1).map(|d| d.cefr_level) != start => {
            let why = Refused::Unusable("it did not start at your level".into());
            settle(ctx, session_id, Err(why)).await
        }
        outcome => settle(ctx, session_id, outcome).await,
    }
}

/// Marks an attempt begun; the state, intent and candidates it drafts from (`None` when the
/// preview is gone or no longer generating).
async fn begin(
    ctx: &Ctx,
    session_id: &str,
) -> Result<Option<(PreviewState, String, Vec<Candidate>)>, PathError> {
    let now = ctx.clock.naive();
    let key = session_id.to_owned();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "path_preview", &key)?;
                let Some(row) = queries::paths::find_preview_for_job(c, &key)? else {
                    return Ok(None);
                };
                if row.status != PreviewStatus::Generating {
                    return Ok(None);
                }
                let mut meta = row.metadata.0.clone();
                let progress = meta.draft.get_or_insert_with(DraftProgress::default);
                progress.started_at = Some(now);
                progress.attempts += 1;
                queries::paths::update_preview(
                    c,
                    &row.id,
                    LearningPathPreviewChanges {
                        metadata: Some(Json(meta)),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                let cands = candidates(queries::paths::list_candidates(c)?, &row.target_language);
                Ok(Some((super::preview::state_of(&row)?, row.intent, cands)))
            })
        })
        .await
}

/// Finishes the drafting: the model's schedule (`Ok`), or the planner's with the reason the
/// model's was not used. Either way the preview is ready.
pub async fn settle(
    ctx: &Ctx,
    session_id: &str,
    outcome: Result<(String, Schedule), Refused>,
) -> Result<(), PathError> {
    let now = ctx.clock.naive();
    let key = session_id.to_owned();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "path_preview", &key)?;
                let Some(row) = queries::paths::find_preview_for_job(c, &key)? else {
                    return Ok(());
                };
                if row.status != PreviewStatus::Generating {
                    return Ok(());
                }
                let mut meta = row.metadata.0.clone();
                let mut state = super::preview::state_of(&row)?;
                let progress = meta.draft.get_or_insert_with(DraftProgress::default);
                let (mut title, mut description) = (row.title.clone(), row.description.clone());
                match outcome {
                    Ok((summary, next)) => {
                        progress.note = Some(format!("Drafted by the AI planner: {summary}"));
                        state = PreviewState::new(next);
                        let language = queries::languages::find(c, &row.target_language)?
                            .map_or_else(|| row.target_language.clone(), |l| l.name);
                        (title, description) =
                            super::preview::headline(&state.schedule, &language, &row.intent);
                    }
                    Err(refused) => {
                        progress.note = Some(format!(
                            "The AI planner's draft could not be used ({}), so this is the \
                             built-in planner's schedule.",
                            refused.reason()
                        ));
                    }
                }
                let cands = candidates(queries::paths::list_candidates(c)?, &row.target_language);
                meta.state = Some(super::preview::to_json(&state)?);
                queries::paths::update_preview(
                    c,
                    &row.id,
                    LearningPathPreviewChanges {
                        title: Some(title),
                        description: Some(description),
                        schedule: Some(Json(super::preview::summary_days(&state.schedule))),
                        preview_scenarios: Some(Json(super::preview::first_days(
                            &state.schedule,
                            &cands,
                        ))),
                        status: Some(PreviewStatus::Ready),
                        metadata: Some(Json(meta)),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                Ok(())
            })
        })
        .await
}

/// Records a failed attempt on the preview (its page says it is trying again).
pub async fn attempt_failed(ctx: &Ctx, session_id: &str, error: String) -> Result<(), PathError> {
    let now = ctx.clock.naive();
    let key = session_id.to_owned();
    ctx.db
        .run(move |c| {
            write_transaction(c, |c| {
                lock::key(c, "path_preview", &key)?;
                let Some(row) = queries::paths::find_preview_for_job(c, &key)? else {
                    return Ok(());
                };
                let mut meta = row.metadata.0.clone();
                let progress = meta.draft.get_or_insert_with(DraftProgress::default);
                progress.last_error = Some(error.chars().take(300).collect());
                progress.started_at = None;
                queries::paths::update_preview(
                    c,
                    &row.id,
                    LearningPathPreviewChanges {
                        metadata: Some(Json(meta)),
                        updated_at: Some(now),
                        ..Default::default()
                    },
                )?;
                Ok(())
            })
        })
        .await
}

/// Asks the planning model for a whole schedule: `system` says what to do with `payload`
/// (the offered catalog scenarios are added). Answers its one-line summary and the schedule,
/// validated against `cands`.
pub(super) async fn ask_model(
    ctx: &Ctx,
    system: &str,
    mut payload: serde_json::Value,
    cands: &[Candidate],
) -> Result<(String, Schedule), Refused> {
    let offered: Vec<serde_json::Value> = cands
        .iter()
        .take(200)
        .map(|c| serde_json::json!({"id": c.id, "title": c.title, "topics": [&c.categories, &c.tags], "cefrLevel": c.cefr_level.as_str()}))
        .collect();
    payload["scenarios"] = serde_json::Value::Array(offered);
    let prompt = vec![
        PromptMessage {
            role: MessageRole::System,
            content: system.to_owned(),
        },
        PromptMessage {
            role: MessageRole::User,
            content: payload.to_string(),
        },
    ];
    let answer = ctx
        .ai
        .complete(Task::Planning, prompt, true)
        .await
        .map_err(|e| Refused::Unreachable(e.to_string()))?;
    let parsed: serde_json::Value =
        serde_json::from_str(&answer).map_err(|_| Refused::Unusable("it was not JSON".into()))?;
    let summary = parsed["summary"]
        .as_str()
        .map(|s| {
            s.chars()
                .filter(|c| !c.is_control())
                .take(300)
                .collect::<String>()
        })
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "The schedule was changed as you asked.".into());
    let next = planner::from_json(&parsed["schedule"].to_string(), cands)
        .map_err(|errors| Refused::Unusable(errors.join(" ")))?;
    Ok((summary, next))
}
