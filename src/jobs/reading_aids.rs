//! Recomputing stored reading aids (`app::conversations::recompute_aids`).

use super::{Attempt, Runs};
use crate::app::conversations::recompute_aids::{recompute, RecomputeReadingAids};
use crate::app::Ctx;

impl Runs for RecomputeReadingAids {
    async fn run(self, ctx: Ctx, _: Attempt) -> anyhow::Result<()> {
        let updated = recompute(&ctx, self.round).await?;
        tracing::info!(updated, "reading aids recomputed");
        Ok(())
    }
}
