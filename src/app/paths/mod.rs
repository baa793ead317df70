//! Learning paths: a 28-day schedule previewed and refined, then committed as the learner's
//! own path, whose dashboard says what to practise each day.
//!
//! The schedule is made by the pure [`planner`]; the calendar (which day is today, done,
//! missed) by the pure [`calendar`]. The use cases here own the transactions: a preview is
//! read and written under its key's lock, so two refinements sent at once apply one after
//! the other, and a commit happens once. Daily email reminders and their one-click
//! unsubscribe are in `reminders`.

pub mod calendar;
pub mod draft;
pub mod generation;
pub mod planner;
mod preview;
mod progress;
mod reminders;

pub use calendar::{Calendar, DayState};
pub use preview::{commit, preview, refine, regenerate, start_preview, toggle_pin, undo};
pub use preview::{drafted, summary_days, Edited, PreviewPage, Source, PREVIEW_HOURS};
pub use progress::schedule_of;
pub use progress::{
    archive, dashboard, list, retry_generation, start_day, Dashboard, Generation, PathSummary,
};
pub use reminders::{send_reminders, set_reminders, unsubscribe, unsubscribe_target};
pub use reminders::{Reminder, ReminderPanel, SendPathReminders, Unsubscribe};

use crate::app::DbError;

/// Why a path use case could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    /// Not there, or not this learner's: the same answer, so ids reveal nothing.
    #[error("not found")]
    NotFound,
    /// The preview's 24 hours are over.
    #[error("This preview has expired.")]
    Expired,
    /// The planner needs the learner's language and levels: onboarding first.
    #[error("Tell us your language and level first.")]
    NeedsPreferences,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Unavailable(#[from] DbError),
    #[error(transparent)]
    Conversation(#[from] crate::app::conversations::ConversationError),
}

/// The titles of the scenarios `ids` (the ones that exist), each kept a minute in `cache`
/// (and dropped when public data changes), so a dashboard or preview usually reads none.
fn titles(
    c: &mut crate::db::DbConn,
    cache: &crate::app::cache::Caches,
    ids: &[String],
    now: chrono::NaiveDateTime,
) -> Result<Vec<(String, String)>, diesel::result::Error> {
    let version = cache.public_version();
    let mut found = Vec::with_capacity(ids.len());
    let mut missing: Vec<String> = Vec::new();
    for id in ids {
        if found.iter().any(|(f, _)| f == id) || missing.contains(id) {
            continue;
        }
        match cache.titles.get(id, now, version) {
            Some(title) => found.push((id.clone(), String::clone(&title))),
            None => missing.push(id.clone()),
        }
    }
    if !missing.is_empty() {
        for (id, title) in crate::db::queries::paths::list_titles(c, &missing)? {
            cache.titles.put(id.clone(), now, version, title.clone());
            found.push((id, title));
        }
    }
    Ok(found)
}

/// The catalog scenarios a planner may link days to, for `language`, read from the catalog.
pub fn candidates_for(
    c: &mut crate::db::DbConn,
    language: &str,
) -> Result<Vec<planner::Candidate>, diesel::result::Error> {
    Ok(candidates(
        crate::db::queries::paths::list_candidates(c)?,
        language,
    ))
}

/// The planner's whole schedule a path keeps in `metadata.plan`, if it can be read.
pub fn plan_of(metadata: &crate::db::json::PathMetadata) -> Option<planner::Schedule> {
    metadata.plan.as_ref()?.parse().ok()
}

/// [`plan_of`] the metadata column's text, in one pass over it: the other keys are skipped,
/// not read into a `PathMetadata` first.
pub fn plan_in(metadata: &str) -> Option<planner::Schedule> {
    #[derive(serde::Deserialize)]
    struct PlanOnly {
        #[serde(default)]
        plan: Option<planner::Schedule>,
    }
    serde_json::from_str::<PlanOnly>(metadata).ok()?.plan
}

/// The catalog scenarios a planner may link days to, for `language`.
fn candidates(
    rows: Vec<crate::db::queries::paths::CandidateRow>,
    language: &str,
) -> Vec<planner::Candidate> {
    rows.into_iter()
        .map(
            |(id, title, categories, tags, cefr_level, difficulty)| planner::Candidate {
                id,
                title,
                categories: categories.0,
                tags: tags.0,
                cefr_level,
                difficulty,
                language: language.to_owned(),
            },
        )
        .collect()
}
