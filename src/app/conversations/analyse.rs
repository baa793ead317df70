//! The end-of-conversation analysis as a job: ending a conversation queues
//! [`AnalyseConversation`] in the same transaction; the job asks the provider (no transaction
//! open meanwhile), checks the answer and stores it. The report shows "being prepared" while
//! the job waits or runs ([`state`]), and says so plainly if it failed for good.

use serde::{Deserialize, Serialize};

use super::{analysis, analysis_input, store_analysis, ConversationError};
use crate::app::ids::ConversationId;
use crate::app::jobs::Job;
use crate::app::{Ctx, DbError};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::{JobStatus, MessageRole};
use crate::integrations::ai::Task;

/// The job analysing one ended conversation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalyseConversation {
    pub conversation_id: ConversationId,
}

impl AnalyseConversation {
    fn key(conversation_id: &str) -> String {
        format!("analyse_conversation:{conversation_id}")
    }
}

impl Job for AnalyseConversation {
    const KIND: &'static str = "analyse_conversation";
    const MAX_ATTEMPTS: i32 = 4;
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(90);

    fn dedupe_key(&self) -> Option<String> {
        Some(Self::key(&self.conversation_id))
    }
}

/// Where a conversation's analysis stands, as the report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalysisState {
    /// Stored on the messages.
    Ready,
    /// Queued or running.
    Preparing,
    /// The provider failed on every attempt (or answered nonsense).
    Failed,
    /// Never asked for (the offline partner, or nothing the learner wrote).
    NotRequested,
}

/// Analyses conversation `id` and stores the result; does nothing when it is already analysed
/// or the learner wrote nothing. A provider failure or malformed answer is an error (the job
/// retries it).
pub async fn analyse(ctx: &Ctx, id: &str) -> Result<(), ConversationError> {
    let i = id.to_owned();
    let input = ctx
        .db
        .run(move |c| -> Result<_, ConversationError> {
            let Some(conversation) = queries::conversations::find(c, &i)? else {
                return Ok(None);
            };
            let owner = match (conversation.user_id, conversation.guest_id) {
                (Some(u), _) => Owner::User(u),
                (None, Some(g)) => Owner::Guest(g),
                (None, None) => return Ok(None),
            };
            let input = analysis_input(c, &owner, &i)?;
            Ok(Some((owner, input)))
        })
        .await?;
    let Some((owner, input)) = input else {
        return Ok(());
    };
    let learner: Vec<_> = input
        .messages
        .iter()
        .filter(|m| m.role == MessageRole::User)
        .collect();
    if learner.is_empty() || learner.iter().any(|m| m.grammar_analysis.is_some()) {
        return Ok(());
    }
    let prompt = analysis::prompt(
        &input.language,
        &input.native,
        &input.objectives,
        &input.messages,
    );
    let text = ctx
        .ai
        .complete(Task::Analysis, prompt, true)
        .await
        .map_err(|e| ConversationError::Provider(e.to_string()))?;
    let parsed = analysis::parse(&text, learner.len(), input.objectives.len())
        .map_err(ConversationError::Provider)?;
    let (i, now) = (id.to_owned(), ctx.clock.naive());
    ctx.db
        .run(move |c| store_analysis(c, &owner, &i, parsed, now))
        .await
}

/// Where the analysis of conversation `id` stands (`analysed`: whether any message has one).
pub async fn state(ctx: &Ctx, id: &str, analysed: bool) -> Result<AnalysisState, DbError> {
    if analysed {
        return Ok(AnalysisState::Ready);
    }
    let key = AnalyseConversation::key(id);
    let job = ctx
        .db
        .read(move |c| queries::jobs::find_by_dedupe_key(c, &key))
        .await?;
    Ok(match job.map(|j| j.status) {
        Some(JobStatus::Queued | JobStatus::Running) => AnalysisState::Preparing,
        Some(JobStatus::Dead) => AnalysisState::Failed,
        Some(JobStatus::Done) | None => AnalysisState::NotRequested,
    })
}
