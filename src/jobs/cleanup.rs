//! The hourly cleanup: expired sessions and tokens (`app::accounts::cleanup`), finished
//! jobs older than a week, and path previews that expired or were committed.

use serde::{Deserialize, Serialize};

use super::{Attempt, Runs};
use crate::app::jobs::Job;
use crate::app::{Ctx, DbError};
use crate::db::queries;

/// How long finished jobs stay listed (`kaiwa jobs`) before they are deleted.
const KEEP_DONE: chrono::Duration = chrono::Duration::days(7);

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Cleanup {}

impl Job for Cleanup {
    const KIND: &'static str = "cleanup";
    const MAX_ATTEMPTS: i32 = 3;

    fn dedupe_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }
}

impl Runs for Cleanup {
    async fn run(self, ctx: Ctx, _: Attempt) -> anyhow::Result<()> {
        let removed = crate::app::accounts::cleanup::remove_expired(&ctx).await?;
        let now = ctx.clock.naive();
        let before = now - KEEP_DONE;
        let (jobs, previews) = ctx
            .db
            .write(move |c| -> Result<(usize, usize), DbError> {
                Ok((
                    queries::jobs::delete_done_before(c, before)?,
                    queries::paths::delete_finished_previews(c, now)?,
                ))
            })
            .await?;
        tracing::info!(
            sessions = removed.sessions,
            tokens = removed.tokens,
            jobs,
            previews,
            "cleaned up"
        );
        Ok(())
    }
}
