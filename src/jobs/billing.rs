//! Syncing one Stripe customer's subscriptions and payments (`app::billing::sync`), queued
//! by the Stripe webhook and by clearing an admin's hand-set plan.

use super::{Attempt, Runs};
use crate::app::billing::{sync, SyncCustomer};
use crate::app::Ctx;

impl Runs for SyncCustomer {
    async fn run(self, ctx: Ctx, _: Attempt) -> anyhow::Result<()> {
        sync(&ctx, &self.customer_id).await?;
        tracing::info!(customer_id = %self.customer_id, "Stripe customer synced");
        Ok(())
    }
}
