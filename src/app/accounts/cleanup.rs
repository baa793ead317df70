//! Removing what has expired: login sessions past their lifetime and one-time links past
//! their expiry (used or not). Run hourly by the scheduler.

use crate::app::{Ctx, DbError};
use crate::db::queries;

/// What a cleanup removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    pub sessions: usize,
    pub tokens: usize,
}

/// Deletes expired sessions and tokens.
pub async fn remove_expired(ctx: &Ctx) -> Result<Removed, DbError> {
    let now = ctx.clock.naive();
    ctx.db
        .write(move |c| -> Result<Removed, DbError> {
            Ok(Removed {
                sessions: queries::sessions::delete_expired(c, now)?,
                tokens: queries::tokens::delete_expired(c, now)?,
            })
        })
        .await
}
