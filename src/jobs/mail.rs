//! Delivering one outbox email (`app::mail::deliver`).

use super::{Attempt, Runs};
use crate::app::mail::{deliver, DeliverEmail};
use crate::app::Ctx;

impl Runs for DeliverEmail {
    async fn run(self, ctx: Ctx, attempt: Attempt) -> anyhow::Result<()> {
        let outcome = deliver(&ctx, &self.email_id, attempt.is_last()).await?;
        tracing::info!(email_id = %self.email_id, ?outcome, "email delivery");
        Ok(())
    }
}
