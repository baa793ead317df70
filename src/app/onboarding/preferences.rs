//! The settings page: every onboarding answer on one page ([`current`]), saved all or
//! nothing ([`save`]).

use super::{save_all, Answer, OnboardingError};
use crate::app::Ctx;
use crate::db::models::{Language, UserPreferences};
use crate::db::queries::{self, preferences::Owner};
use crate::db::DbConn;

/// What the settings page shows: the learner's answers (none yet for a new visitor) and the
/// languages offered.
pub struct Current {
    pub prefs: Option<UserPreferences>,
    pub languages: Vec<Language>,
}

/// `owner`'s current answers.
pub async fn current(ctx: &Ctx, owner: Owner) -> Result<Current, OnboardingError> {
    ctx.db.run(move |c| load(c, &owner)).await
}

/// What saving the settings came to.
pub enum Saved {
    Saved,
    /// Nothing was saved; the page again, with the reason.
    Refused {
        reason: String,
        current: Box<Current>,
    },
}

/// Saves every answer of `owner`'s settings page at once, or none of them: an answer that
/// could not be read (`Err`) or that is refused leaves everything as it was.
pub async fn save(
    ctx: &Ctx,
    owner: Owner,
    answers: Result<Vec<Answer>, OnboardingError>,
) -> Result<Saved, OnboardingError> {
    let now = ctx.clock.naive();
    ctx.db
        .run(
            move |c| match answers.and_then(|a| save_all(c, &owner, a, now)) {
                Ok(_) => Ok(Saved::Saved),
                Err(e) if e.is_refusal() => Ok(Saved::Refused {
                    reason: e.to_string(),
                    current: Box::new(load(c, &owner)?),
                }),
                Err(e) => Err(e),
            },
        )
        .await
}

fn load(conn: &mut DbConn, owner: &Owner) -> Result<Current, OnboardingError> {
    Ok(Current {
        prefs: queries::preferences::find(conn, owner)?,
        languages: queries::languages::list_active(conn)?,
    })
}
