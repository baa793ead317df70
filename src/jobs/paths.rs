//! A path day's scenario (`app::paths::generation`): a failed attempt is recorded on its
//! queue row (shown on the dashboard) before the job queue retries it. A preview's first
//! schedule drafted by the AI planner (`app::paths::draft`).

use super::{Attempt, Runs};
use crate::app::paths::draft::{attempt_failed, draft, settle, DraftPathPreview, Refused};
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

impl Runs for DraftPathPreview {
    async fn run(self, ctx: Ctx, attempt: Attempt) -> anyhow::Result<()> {
        match draft(&ctx, &self.session_id).await {
            Ok(()) => Ok(()),
            // A learner is waiting: after the last attempt the planner's schedule is kept.
            Err(e) if attempt.is_last() => {
                let why = Refused::Unreachable(e.to_string());
                Ok(settle(&ctx, &self.session_id, Err(why)).await?)
            }
            Err(e) => {
                attempt_failed(&ctx, &self.session_id, e.to_string()).await?;
                Err(e.into())
            }
        }
    }
}
