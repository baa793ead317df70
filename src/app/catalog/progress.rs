//! A learner's own relation with scenarios: saving, a 1–5 rating and private notes, with the
//! scenario's aggregates kept equal to a recount ([`change`]), and their scenarios by where
//! they stand ([`mine`]).

use chrono::NaiveDateTime;

use super::{can_view, CatalogError};
use crate::app::Ctx;
use crate::db::conn::write_transaction;
use crate::db::models::{Scenario, ScenarioMetadata, User, UserScenarioProgress};
use crate::db::{queries, DbConn};

/// A change a learner makes to their relation with a scenario.
pub enum ProgressChange {
    Save(bool),
    Rate(Option<i32>),
    Notes(String),
}

/// What a change leaves: the learner's progress with the scenario, and why the change was
/// refused, when it was (the progress is then as it was).
pub struct ProgressUpdate {
    pub progress: Option<UserScenarioProgress>,
    pub refused: Option<String>,
    /// The scenario's aggregates after the change (save count, rating), for the page's stats.
    pub metadata: Option<ScenarioMetadata>,
}

/// Applies `change` of `user` to scenario `scenario_id`; an invalid change is refused with
/// the reason and the unchanged progress, a scenario they may not see is `NotFound`.
pub async fn change(
    ctx: &Ctx,
    user: User,
    scenario_id: String,
    change: ProgressChange,
) -> Result<ProgressUpdate, CatalogError> {
    let now = ctx.clock.naive();
    let update = ctx
        .db
        .run(move |c| {
            let (progress, refused) = match update_progress(c, &user, &scenario_id, change, now) {
                Ok(p) => (Some(p), None),
                Err(CatalogError::Invalid(reason)) => (
                    queries::progress::find(c, &user.id, &scenario_id)?,
                    Some(reason),
                ),
                Err(e) => return Err(e),
            };
            Ok(ProgressUpdate {
                progress,
                refused,
                metadata: queries::scenarios::find_metadata(c, &scenario_id)?,
            })
        })
        .await?;
    // why: save counts and ratings show on public cards.
    if update.refused.is_none() {
        ctx.cache.public_changed();
    }
    Ok(update)
}

/// A learner's scenarios: saved, started but not finished, completed, and written by them.
pub struct MyScenarios {
    pub saved: Vec<Scenario>,
    pub in_progress: Vec<Scenario>,
    pub completed: Vec<Scenario>,
    pub authored: Vec<Scenario>,
}

/// `user`'s scenarios by where they stand (only those they may still see), and the ones
/// they wrote.
pub async fn mine(ctx: &Ctx, user: User) -> Result<MyScenarios, CatalogError> {
    let uid = user.id.clone();
    let (rows, authored) = ctx
        .db
        .read(move |c| {
            Ok((
                queries::progress::list_for_user(c, &uid)?,
                queries::scenarios::list_by_author(c, &uid)?,
            ))
        })
        .await?;
    let pick = |pred: &dyn Fn(&UserScenarioProgress) -> bool| -> Vec<Scenario> {
        rows.iter()
            .filter(|(p, s)| pred(p) && can_view(s, Some(&user)))
            .map(|(_, s)| s.clone())
            .collect()
    };
    Ok(MyScenarios {
        saved: pick(&|p| p.is_saved),
        in_progress: pick(&|p| p.times_attempted > 0 && p.times_completed == 0),
        completed: pick(&|p| p.times_completed > 0),
        authored,
    })
}

/// Applies a save, rating or notes change and keeps the scenario's aggregates equal to a
/// recount of every learner's progress, in one write transaction.
pub fn update_progress(
    conn: &mut DbConn,
    user: &User,
    scenario_id: &str,
    change: ProgressChange,
    now: NaiveDateTime,
) -> Result<UserScenarioProgress, CatalogError> {
    match &change {
        ProgressChange::Rate(Some(r)) if !(1..=5).contains(r) => {
            return Err(CatalogError::Invalid("Rate from 1 to 5 stars.".into()))
        }
        ProgressChange::Notes(n) if n.chars().count() > 4000 => {
            return Err(CatalogError::Invalid(
                "Keep notes under 4,000 characters.".into(),
            ))
        }
        _ => {}
    }
    let scenario = queries::scenarios::find(conn, scenario_id)?.ok_or(CatalogError::NotFound)?;
    if !can_view(&scenario, Some(user)) {
        return Err(CatalogError::NotFound);
    }
    write_transaction(conn, |conn| {
        let current = queries::progress::ensure_and_lock(conn, &user.id, scenario_id, now)?;
        match change {
            ProgressChange::Save(saved) => {
                if current.is_saved != saved {
                    queries::progress::set_saved(conn, &user.id, scenario_id, saved, now)?;
                    queries::progress::add_saved(
                        conn,
                        scenario_id,
                        if saved { 1 } else { -1 },
                        now,
                    )?;
                }
            }
            ProgressChange::Rate(rating) => {
                if current.user_rating != rating {
                    let count_delta =
                        i32::from(rating.is_some()) - i32::from(current.user_rating.is_some());
                    let sum_delta = rating.unwrap_or(0) - current.user_rating.unwrap_or(0);
                    queries::progress::set_rating(conn, &user.id, scenario_id, rating, now)?;
                    queries::progress::add_rating(conn, scenario_id, count_delta, sum_delta, now)?;
                }
            }
            ProgressChange::Notes(notes) => {
                let notes = notes.trim().to_owned();
                queries::progress::set_notes(
                    conn,
                    &user.id,
                    scenario_id,
                    (!notes.is_empty()).then_some(notes),
                    now,
                )?;
            }
        }
        Ok(queries::progress::find(conn, &user.id, scenario_id)?
            .ok_or(diesel::result::Error::NotFound)?)
    })
}
