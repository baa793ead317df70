//! What the operator pages show and do, and who may: only admins. For anyone else the
//! pages do not exist, and their forms are refused. Admins can give a learner a plan by
//! hand (no Stripe) and take it back.

use crate::app::{Ctx, DbError};
use crate::db::models::{OutboxEmail, Tier, User};
use crate::db::queries;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The viewer is not an admin (the pages answer as if they did not exist).
    #[error("not found")]
    NotAdmin,
    /// The viewer is not an admin and sent one of the admin forms.
    #[error("Only admins can do that.")]
    Forbidden,
    /// The form names something that does not exist; the message says what.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for AdminError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// How many of the latest emails the outbox page lists.
const OUTBOX_PAGE: i64 = 200;

/// The outbox page: the latest emails, and whether SMTP delivers them at all.
pub struct Outbox {
    pub emails: Vec<OutboxEmail>,
    pub smtp_configured: bool,
}

/// The latest emails the app sent or kept, for `viewer` if they are an admin.
pub async fn outbox(ctx: &Ctx, viewer: Option<&User>) -> Result<Outbox, AdminError> {
    if !viewer.is_some_and(|u| u.is_admin) {
        return Err(AdminError::NotAdmin);
    }
    let emails = ctx
        .db
        .read(|c| queries::mail::list_recent(c, OUTBOX_PAGE))
        .await?;
    Ok(Outbox {
        emails,
        smtp_configured: ctx.settings.smtp.is_some(),
    })
}

/// The tiers an admin can give a learner by hand, for `viewer` if they are an admin.
pub async fn billing(ctx: &Ctx, viewer: Option<&User>) -> Result<Vec<Tier>, AdminError> {
    if !viewer.is_some_and(|u| u.is_admin) {
        return Err(AdminError::NotAdmin);
    }
    Ok(ctx.db.read(queries::tiers::list_active).await?)
}

/// Gives the learner with `email` tier `tier_id` by hand (`app::billing::set_by_hand`), or
/// with `tier_id` `None` takes a hand-set plan back; the learner's id. Errors: `Forbidden`
/// unless `viewer` is an admin, `Invalid` for an unknown email or tier.
pub async fn set_plan(
    ctx: &Ctx,
    viewer: Option<&User>,
    email: &str,
    tier_id: Option<String>,
) -> Result<String, AdminError> {
    if !viewer.is_some_and(|u| u.is_admin) {
        return Err(AdminError::Forbidden);
    }
    let email = email.trim().to_lowercase();
    let (now, stripe) = (ctx.clock.naive(), ctx.stripe.is_some());
    let (user_id, queued) = ctx
        .db
        .write(move |c| -> Result<(String, bool), AdminError> {
            let user = queries::users::find_by_email(c, &email)?
                .ok_or_else(|| AdminError::Invalid(format!("No account has the email {email}.")))?;
            let queued = match tier_id {
                Some(tier_id) => {
                    queries::tiers::find(c, &tier_id)?
                        .filter(|t| t.is_active)
                        .ok_or_else(|| AdminError::Invalid("There is no such tier.".into()))?;
                    crate::app::billing::set_by_hand(c, &user.id, &tier_id, now)?;
                    false
                }
                None => crate::app::billing::clear_by_hand(c, &user.id, stripe, now)?,
            };
            Ok((user.id, queued))
        })
        .await?;
    if queued {
        ctx.jobs.notify();
    }
    Ok(user_id)
}
