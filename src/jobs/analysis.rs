//! The end-of-conversation analysis (`app::conversations::analyse`).

use super::{Attempt, Runs};
use crate::app::conversations::analyse::{analyse, AnalyseConversation};
use crate::app::Ctx;

impl Runs for AnalyseConversation {
    async fn run(self, ctx: Ctx, _: Attempt) -> anyhow::Result<()> {
        analyse(&ctx, &self.conversation_id).await?;
        Ok(())
    }
}
