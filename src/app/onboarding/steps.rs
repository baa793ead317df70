//! The onboarding flow, one question per screen: what a step shows ([`step`]) and answering
//! it ([`answer`]). A step after the first needs a language first.

use super::recommend::starting_scenarios;
use super::{save, Answer, OnboardingError, Step};
use crate::app::Ctx;
use crate::db::models::{Language, Scenario, UserPreferences};
use crate::db::queries::{self, preferences::Owner};
use crate::db::DbConn;

/// What a step shows: the step itself (the language question while no language is
/// chosen), the learner's answers so far, the languages offered, and on the last screen
/// three scenarios to start with.
pub struct StepView {
    pub step: Step,
    pub prefs: Option<UserPreferences>,
    pub languages: Vec<Language>,
    pub recommendations: Vec<Scenario>,
}

/// Step `step` as `owner` sees it.
pub async fn step(ctx: &Ctx, owner: Owner, step: Step) -> Result<StepView, OnboardingError> {
    ctx.db.run(move |c| load(c, &owner, step)).await
}

/// What answering a step leads to: the step to show next, or the same step again with why
/// the answer was refused.
pub struct Answered {
    pub view: StepView,
    pub refused: Option<String>,
}

/// Saves `owner`'s answer to `step` and returns the step that follows. An answer that could
/// not be read (`Err`) or that is refused is not saved, and the same step comes back with
/// the reason.
///
/// `browser_zone` is the time zone the browser reported (a hidden field): it becomes a
/// signed-in learner's zone while theirs is still the default UTC.
pub async fn answer(
    ctx: &Ctx,
    owner: Owner,
    step: Step,
    answer: Result<Answer, OnboardingError>,
    browser_zone: Option<String>,
) -> Result<Answered, OnboardingError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| {
            if let (Owner::User(id), Some(zone)) = (&owner, &browser_zone) {
                crate::app::accounts::time_zone::fill_from_browser(c, id, zone, now)?;
            }
            match answer.and_then(|a| save(c, &owner, a, now)) {
                Ok(_) => Ok(Answered {
                    view: load(c, &owner, step.next())?,
                    refused: None,
                }),
                Err(e) if e.is_refusal() => Ok(Answered {
                    view: load(c, &owner, step)?,
                    refused: Some(e.to_string()),
                }),
                Err(e) => Err(e),
            }
        })
        .await
}

fn load(conn: &mut DbConn, owner: &Owner, step: Step) -> Result<StepView, OnboardingError> {
    let prefs = queries::preferences::find(conn, owner)?;
    let step = if prefs.is_none() {
        Step::Language
    } else {
        step
    };
    let recommendations = match &prefs {
        Some(p) if step == Step::Done => starting_scenarios(conn, p)?,
        _ => Vec::new(),
    };
    Ok(StepView {
        step,
        prefs,
        languages: queries::languages::list_active(conn)?,
        recommendations,
    })
}
