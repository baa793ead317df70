//! Ending a conversation and reading its report: [`finish`] ends it and queues the
//! provider's analysis; [`load`] gathers what the report shows, with where the analysis stands.

use super::analyse::{self, AnalysisState};
use super::completion::{self, Progress};
use super::{end, get, ConversationError, Ending};
use crate::app::ids::ConversationId;
use crate::app::Ctx;
use crate::db::models::{Conversation, ConversationSummary, Message, Scenario};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::ConversationStatus;

/// Ends conversation `id` of `owner` (hanging up its realtime call first, if one is open);
/// with a provider its analysis is queued in the same transaction and a worker woken.
/// Ending twice changes nothing.
pub async fn finish(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
    ending: Ending,
) -> Result<Conversation, ConversationError> {
    let offline = ctx.ai.is_offline();
    get_owned(ctx, &owner, &id).await?;
    if let Err(e) = super::realtime::hang_up_open(ctx, &id).await {
        // why: the call's deadline job hangs it up all the same; ending must not wait on it.
        tracing::warn!(error = %e, "the realtime call could not be hung up at the end");
    }
    let now = ctx.clock.naive();
    let conversation = ctx
        .db
        .run(move |c| end(c, &owner, &id, ending, offline, now))
        .await?;
    ctx.jobs.notify();
    Ok(conversation)
}

/// Ends conversation `id` whose session's time ran out (the janitor's call): its realtime
/// call hung up if still open, settled at its deadline, ended as if the learner had ended
/// it without rating it.
pub async fn finish_at_cap(ctx: &Ctx, id: String) -> Result<(), ConversationError> {
    // why: a call still open is hung up before the session is settled (an error leaves it
    // for the janitor's next round).
    super::realtime::hang_up_open(ctx, &id).await?;
    let offline = ctx.ai.is_offline();
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| -> Result<(), ConversationError> {
            let Some(conversation) = queries::conversations::find(c, &id)? else {
                return Ok(());
            };
            let owner = match (conversation.user_id, conversation.guest_id) {
                (Some(u), _) => Owner::User(u),
                (None, Some(g)) => Owner::Guest(g),
                (None, None) => return Ok(()),
            };
            end(c, &owner, &id, Ending::default(), offline, now)?;
            // why: an already-ended conversation whose session was left open (a crash
            // between the two before this change) is settled all the same.
            crate::db::conn::write_transaction(c, |c| {
                crate::app::usage::settle_conversation(c, &id, None, now)
            })?;
            Ok(())
        })
        .await?;
    ctx.jobs.notify();
    Ok(())
}

/// Checks that `owner` has conversation `id` (before anything else is done with it).
async fn get_owned(ctx: &Ctx, owner: &Owner, id: &str) -> Result<(), ConversationError> {
    let (o, i) = (owner.clone(), id.to_owned());
    ctx.db.run(move |c| get(c, &o, &i).map(|_| ())).await
}

/// What a report shows.
pub struct Report {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    pub scenario: Option<Scenario>,
    pub analysis: AnalysisState,
    /// Another public scenario at the same level, to practise next.
    pub next: Option<Scenario>,
    /// How far the conversation came (for "not completed yet: …").
    pub progress: Progress,
}

/// The report of `owner`'s conversation `id`; `Ok(None)` while it has not ended.
pub async fn load(
    ctx: &Ctx,
    owner: Owner,
    id: ConversationId,
) -> Result<Option<Report>, ConversationError> {
    let offline = ctx.ai.is_offline();
    let loaded = ctx
        .db
        .run(move |c| -> Result<_, ConversationError> {
            let conversation = get(c, &owner, &id)?;
            if conversation.status != ConversationStatus::Ended {
                return Ok(None);
            }
            let messages = queries::conversations::list_messages(c, &id)?;
            let scenario = match &conversation.scenario_id {
                Some(s) => queries::scenarios::find(c, s)?,
                None => None,
            };
            let next = match &scenario {
                Some(s) => queries::scenarios::list_public_at_levels(c, &[s.cefr_level], 20)?
                    .into_iter()
                    .find(|other| other.id != s.id),
                None => None,
            };
            Ok(Some((conversation, messages, scenario, next)))
        })
        .await?;
    let Some((conversation, messages, scenario, next)) = loaded else {
        return Ok(None);
    };
    let objectives = scenario.as_ref().map_or(0, |s| s.learning_objectives.len());
    let progress = completion::of(&conversation, objectives, &messages, offline);
    let analysed = messages.iter().any(|m| m.grammar_analysis.is_some());
    let analysis = if offline && !analysed {
        AnalysisState::NotRequested
    } else {
        analyse::state(ctx, &conversation.id, analysed).await?
    };
    Ok(Some(Report {
        conversation,
        messages,
        scenario,
        analysis,
        next,
        progress,
    }))
}

/// `owner`'s conversations, newest first (at most 200), with their scenario's title; none
/// for a visitor who has no identity yet.
pub async fn history(
    ctx: &Ctx,
    owner: Option<Owner>,
) -> Result<Vec<(ConversationSummary, Option<String>)>, ConversationError> {
    let Some(owner) = owner else {
        return Ok(Vec::new());
    };
    Ok(ctx
        .db
        .page(move |c| {
            queries::conversations::list_owned(c, &owner, 200).map_err(crate::app::DbError::from)
        })
        .await?)
}
