//! Bringing stored reading aids up to date: messages whose aids were computed with older rules
//! (`messages.aids_version` below `reading_aids::VERSION`) get them computed again, in
//! batches, by the `recompute_reading_aids` job. Start-up queues the job while any message is
//! behind (`enqueue_if_stale`), so a new version of the rules reaches old conversations once.

use std::time::Duration;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::reading_aids;
use crate::app::jobs::{enqueue, Job};
use crate::app::{Ctx, DbError};
use crate::db::models::MessageChanges;
use crate::db::{queries, DbConn};

/// Messages recomputed per write transaction.
const BATCH: i64 = 200;

/// How long one run works before handing the rest to a follow-up job (within `TIMEOUT`).
const BUDGET: Duration = Duration::from_secs(200);

/// The job: recompute the messages that are behind, a batch at a time; a run that has more
/// left after [`BUDGET`] queues round `round + 1` for the rest.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct RecomputeReadingAids {
    #[serde(default)]
    pub round: u32,
}

impl Job for RecomputeReadingAids {
    const KIND: &'static str = "recompute_reading_aids";
    const MAX_ATTEMPTS: i32 = 3;
    // why: every lease lasts as long as the longest timeout of any kind, so this one stays
    // short; a large backlog is spread over follow-up rounds instead.
    const TIMEOUT: Duration = Duration::from_secs(300);

    fn dedupe_key(&self) -> Option<String> {
        Some(format!("{}:{}", Self::KIND, self.round))
    }
}

/// Queues the job when some message's aids are older than the rules; `true` when it did.
pub fn enqueue_if_stale(conn: &mut DbConn, now: NaiveDateTime) -> diesel::QueryResult<bool> {
    if !queries::conversations::any_message_with_aids_before(conn, reading_aids::VERSION)? {
        return Ok(false);
    }
    enqueue(conn, &RecomputeReadingAids::default(), now)
}

/// Recomputes the aids of the messages that are behind (for about [`BUDGET`], then queues
/// round `round + 1` for the rest); returns how many. Safe to repeat: a message already at the
/// current version is not touched again.
pub async fn recompute(ctx: &Ctx, round: u32) -> Result<usize, DbError> {
    let started = std::time::Instant::now();
    let mut done = 0;
    loop {
        let now = ctx.clock.naive();
        let updated = ctx
            .db
            .write(move |c| -> Result<usize, DbError> {
                let batch = queries::conversations::list_messages_with_aids_before(
                    c,
                    reading_aids::VERSION,
                    BATCH,
                )?;
                for (message, language) in &batch {
                    let aids = reading_aids::annotate(language, &message.content);
                    let changes = MessageChanges {
                        romanization: Some(aids.romanization),
                        pinyin: Some(aids.pinyin),
                        hiragana: Some(aids.hiragana),
                        katakana: Some(aids.katakana),
                        kanji: Some(aids.kanji),
                        ruby: Some(aids.ruby),
                        aids_version: Some(reading_aids::VERSION),
                        updated_at: Some(now),
                        ..Default::default()
                    };
                    queries::conversations::update_message_aids(c, &message.id, changes)?;
                }
                Ok(batch.len())
            })
            .await?;
        done += updated;
        if updated < BATCH as usize {
            return Ok(done);
        }
        if started.elapsed() > BUDGET {
            let now = ctx.clock.naive();
            let next = RecomputeReadingAids { round: round + 1 };
            ctx.db
                .write(move |c| -> Result<bool, DbError> { Ok(enqueue(c, &next, now)?) })
                .await?;
            return Ok(done);
        }
    }
}
