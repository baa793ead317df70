//! The daily path reminders, run every 15 minutes (`app::paths::send_reminders`).

use super::{Attempt, Runs};
use crate::app::paths::{send_reminders, SendPathReminders};
use crate::app::Ctx;

impl Runs for SendPathReminders {
    async fn run(self, ctx: Ctx, _: Attempt) -> anyhow::Result<()> {
        let sent = send_reminders(&ctx).await?;
        tracing::info!(sent, "path reminders queued");
        Ok(())
    }
}
