//! A realtime call's deadline steps: the wrap-up shortly before the deadline and the
//! hang-up at it (`app::conversations::realtime::at_deadline`).

use super::{Attempt, Runs};
use crate::app::conversations::realtime::{at_deadline, RealtimeCallDeadline};
use crate::app::Ctx;

impl Runs for RealtimeCallDeadline {
    async fn run(self, ctx: Ctx, _: Attempt) -> anyhow::Result<()> {
        at_deadline(&ctx, self).await?;
        Ok(())
    }
}
