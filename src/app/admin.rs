//! What the operator pages show, and who may see them: only admins; for anyone else the
//! pages do not exist.

use crate::app::{Ctx, DbError};
use crate::db::models::{OutboxEmail, User};
use crate::db::queries;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The viewer is not an admin (the pages answer as if they did not exist).
    #[error("not found")]
    NotAdmin,
    #[error(transparent)]
    Db(#[from] DbError),
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
