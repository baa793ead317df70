//! A path day's scenario (`app::paths::generation`): a failed attempt is recorded on its
//! queue row (shown on the dashboard) before the job queue retries it.

use super::{Attempt, Runs};
use crate::app::paths::generation::{failed, generate, GeneratePathScenario};
use crate::app::Ctx;

impl Runs for GeneratePathScenario {
    async fn run(self, ctx: Ctx, attempt: Attempt) -> anyhow::Result<()> {
        match generate(&ctx, &self.generation_id).await {
            Ok(()) => Ok(()),
            Err(e) => {
                failed(&ctx, &self.generation_id, e.to_string(), attempt.is_last()).await?;
                Err(e.into())
            }
        }
    }
}
