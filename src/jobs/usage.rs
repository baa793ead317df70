//! The usage janitor, every minute: settles conversation sessions left open past their
//! deadline (the learner closed the tab) and ends their conversations
//! (`app::usage::settle_expired`).

use serde::{Deserialize, Serialize};

use super::{Attempt, Runs};
use crate::app::jobs::Job;
use crate::app::Ctx;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct SettleExpiredSessions {}

impl Job for SettleExpiredSessions {
    const KIND: &'static str = "settle_expired_sessions";
    const MAX_ATTEMPTS: i32 = 3;

    fn dedupe_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }
}

impl Runs for SettleExpiredSessions {
    async fn run(self, ctx: Ctx, _: Attempt) -> anyhow::Result<()> {
        let settled = crate::app::usage::settle_expired(&ctx).await?;
        if settled > 0 {
            tracing::info!(settled, "expired conversation sessions settled");
        }
        Ok(())
    }
}
