//! Conversations with the AI partner: starting one (scenario or free chat, users and
//! guests), the learner's messages, the partner's replies (streamed by the web layer from
//! the `ChatModel`, stored whole here), ending with a report, and history. Only the owner
//! (user or guest) ever reaches a conversation. No network call happens inside a transaction.

pub mod analyse;
pub mod analysis;
pub mod assist;
pub mod completion;
pub mod help;
pub mod reading_aids;
pub mod realtime;
pub mod recompute_aids;
pub mod reply;
pub mod report;
pub mod send;
pub mod show;
pub mod sideband;
pub mod start;
pub mod voice;

use chrono::NaiveDateTime;

use crate::app::usage::Activity;
use crate::db::conn::write_transaction;
use crate::db::models::{
    Conversation, ConversationChanges, Message, NewConversation, NewMessage, Said, Scenario,
    ScenarioBrief,
};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::{
    Completion, ConversationMode, ConversationStatus, EngagementLevel, Json, MessageRole,
};
use crate::db::{new_id, DbConn};
use crate::integrations::ai::{PromptMessage, ReplyExtras, ReplyRequest};

/// The longest message a learner can send, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// How much of the conversation goes into the prompt (characters, about 4 per token).
const PROMPT_BUDGET_CHARS: usize = 12_000;

#[derive(Debug, thiserror::Error)]
pub enum ConversationError {
    #[error("{0}")]
    Invalid(String),
    #[error("not found")]
    NotFound,
    #[error("This conversation has ended; start a new one to keep practising.")]
    Ended,
    /// The AI provider failed or answered something unusable.
    #[error("the AI provider failed: {0}")]
    Provider(String),
    /// The partner could not answer; the message (for the learner) says why and that their
    /// own message is kept.
    #[error("{0}")]
    Partner(String),
    /// The plan's limits refuse it (the learner-facing reason).
    #[error("{0}")]
    Limit(String),
    /// The session's time ran out: nothing more is taken in this conversation.
    #[error("This session's time is up, so the conversation has ended. Your messages are kept; see your feedback, or start another conversation.")]
    TimeUp,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Unavailable(#[from] crate::app::DbError),
}

impl From<crate::app::usage::UsageError> for ConversationError {
    fn from(e: crate::app::usage::UsageError) -> Self {
        use crate::app::usage::UsageError;
        match e {
            UsageError::Refused(m) => ConversationError::Limit(m),
            UsageError::NotFound => ConversationError::NotFound,
            UsageError::Db(d) => ConversationError::Db(d),
            UsageError::Unavailable(d) => ConversationError::Unavailable(d),
        }
    }
}

/// How a conversation starts.
pub struct Start {
    pub scenario_id: Option<String>,
    pub language: String,
    pub mode: String,
}

fn owner_columns(owner: &Owner) -> (Option<String>, Option<String>) {
    match owner {
        Owner::User(u) => (Some(u.clone()), None),
        Owner::Guest(g) => (None, Some(g.clone())),
    }
}

/// Why realtime voice is refused on a server without realtime calls.
pub const REALTIME_NOT_CONFIGURED: &str =
    "Realtime voice is not configured on this server; use the text and voice mode.";

/// Creates a conversation (and its usage session, `metered` by the plan's limits or not)
/// for `owner`. Realtime mode needs `realtime_calls` (the provider has them) and a plan
/// with realtime voice (`Limit` otherwise).
pub fn start(
    conn: &mut DbConn,
    owner: &Owner,
    input: Start,
    metered: bool,
    realtime_calls: bool,
    now: NaiveDateTime,
) -> Result<Conversation, ConversationError> {
    let mode: ConversationMode = input
        .mode
        .parse()
        .map_err(|_| ConversationError::Invalid("Choose text/voice or realtime mode.".into()))?;
    if mode == ConversationMode::Realtime && !realtime_calls {
        return Err(ConversationError::Invalid(REALTIME_NOT_CONFIGURED.into()));
    }
    let language = queries::languages::find(conn, input.language.trim())?
        .filter(|l| l.is_active)
        .ok_or_else(|| ConversationError::Invalid("Choose a language to practise.".into()))?;
    let scenario = match input
        .scenario_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(id) => {
            let s = queries::scenarios::find(conn, id)?.ok_or(ConversationError::NotFound)?;
            let visible = s.is_active && s.visibility == crate::db::types::Visibility::Public
                || matches!(owner, Owner::User(u) if s.created_by_user_id.as_deref() == Some(u.as_str()));
            if !visible {
                return Err(ConversationError::NotFound);
            }
            Some(s)
        }
        None => None,
    };
    let speaker = queries::languages::list_speakers(conn, &language.id)?
        .into_iter()
        .next();
    let (user_id, guest_id) = owner_columns(owner);
    let row = NewConversation {
        id: new_id(),
        user_id: user_id.clone(),
        guest_id,
        target_language_id: language.id.clone(),
        mode,
        scenario_id: scenario.as_ref().map(|s| s.id.clone()),
        speaker_id: speaker.map(|s| s.id),
        title: Some(
            scenario
                .as_ref()
                .map(|s| s.title.clone())
                .unwrap_or_else(|| format!("Free conversation in {}", language.name)),
        ),
        status: ConversationStatus::Active,
        is_onboarding: false,
        started_at: now,
        ended_at: None,
        duration_seconds: 0,
        message_count: 0,
        audio_seconds: 0,
        comfort_rating: None,
        engagement_level: None,
        completion: None,
        objectives_met: None,
        created_at: now,
        updated_at: now,
    };
    write_transaction(conn, |conn| {
        queries::conversations::insert(conn, &row)?;
        crate::app::usage::open_session(conn, owner, &row.id, &language.id, mode, metered, now)?;
        Ok::<_, ConversationError>(())
    })?;
    queries::conversations::find_owned(conn, &row.id, owner)?.ok_or(ConversationError::NotFound)
}

/// The owner's conversation or `NotFound`.
pub fn get(conn: &mut DbConn, owner: &Owner, id: &str) -> Result<Conversation, ConversationError> {
    queries::conversations::find_owned(conn, id, owner)?.ok_or(ConversationError::NotFound)
}

/// Stores what the learner wrote. Empty or oversized messages are refused and nothing is written.
pub fn add_learner_message(
    conn: &mut DbConn,
    owner: &Owner,
    id: &str,
    content: &str,
    offline: bool,
    now: NaiveDateTime,
) -> Result<Added, ConversationError> {
    let content = content.trim();
    if content.is_empty() {
        return Err(ConversationError::Invalid("Write something first.".into()));
    }
    if content.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ConversationError::Invalid(format!(
            "Keep a message under {MAX_MESSAGE_CHARS} characters."
        )));
    }
    write_transaction(conn, |conn| {
        // why: checked under the conversation's lock, so a message can't slip in after the
        // conversation ended in a concurrent request.
        crate::db::lock::key(conn, "conversation", id)?;
        let conversation = get(conn, owner, id)?;
        if conversation.status == ConversationStatus::Ended {
            return Err(ConversationError::Ended);
        }
        let activity = crate::app::usage::record_activity(conn, id, now)?;
        if activity == Activity::Over {
            end(conn, owner, id, Ending::default(), offline, now)?;
            return Ok(Added::TimeUp);
        }
        let message = new_message(
            conn,
            &conversation,
            MessageRole::User,
            content,
            None,
            None,
            now,
        )?;
        if activity == Activity::Last {
            // why: the message that meets the deadline is kept, and is the last one.
            end(conn, owner, id, Ending::default(), offline, now)?;
        }
        Ok(Added::Message(
            Box::new(message),
            activity == Activity::Last,
        ))
    })
}

/// What became of a learner's message.
pub enum Added {
    /// Stored; `true` when it was the last one the session's time allowed (the
    /// conversation has ended and no reply follows).
    Message(Box<Message>, bool),
    /// Not stored: the session's time ran out earlier (the conversation is now ended).
    TimeUp,
}

fn new_message(
    conn: &mut DbConn,
    conversation: &Conversation,
    role: MessageRole,
    content: &str,
    translation: Option<(String, &str)>,
    provider_item_id: Option<&str>,
    now: NaiveDateTime,
) -> diesel::QueryResult<Message> {
    let aids = reading_aids::annotate(&conversation.target_language_id, content);
    let position = queries::conversations::next_position(conn, &conversation.id)?;
    let row = NewMessage {
        id: new_id(),
        conversation_id: conversation.id.clone(),
        position,
        role,
        content: content.to_owned(),
        translated_content: translation.as_ref().map(|(t, _)| t.clone()),
        romanization: aids.romanization,
        pinyin: aids.pinyin,
        hiragana: aids.hiragana,
        katakana: aids.katakana,
        kanji: aids.kanji,
        ruby: aids.ruby,
        aids_version: reading_aids::VERSION,
        provider_item_id: provider_item_id.map(str::to_owned),
        translation_confidence: translation.as_ref().map(|_| 1.0),
        translation_provider: translation.as_ref().map(|(_, p)| (*p).to_owned()),
        grammar_analysis: None,
        vocabulary_analysis: None,
        created_at: now,
        updated_at: now,
    };
    queries::conversations::insert_message(conn, &row)?;
    queries::conversations::update(
        conn,
        &conversation.id,
        ConversationChanges {
            message_count: Some(position),
            updated_at: Some(now),
            ..Default::default()
        },
    )?;
    queries::conversations::list_messages(conn, &conversation.id)?
        .pop()
        .ok_or(diesel::result::Error::NotFound)
}

/// Whether the partner owes a reply: nothing said yet, or the learner spoke last.
pub fn awaiting_reply(messages: &[impl Said]) -> bool {
    messages
        .last()
        .is_none_or(|m| m.role() == MessageRole::User)
}

/// What to ask the partner for the next reply, or `None` when none is owed.
pub fn reply_request(
    conn: &mut DbConn,
    owner: &Owner,
    id: &str,
) -> Result<Option<ReplyRequest>, ConversationError> {
    let conversation = get(conn, owner, id)?;
    if conversation.status == ConversationStatus::Ended {
        return Ok(None);
    }
    let messages = queries::conversations::list_messages(conn, id)?;
    if !awaiting_reply(&messages) {
        return Ok(None);
    }
    build_request(conn, owner, &conversation, &messages).map(Some)
}

/// What the partner's latest line needs to offer its hint and suggested replies (no prompt:
/// only the offline partner has extras without a call, and it needs none).
pub fn extras_request(
    conversation: &Conversation,
    scenario: Option<&ScenarioBrief>,
    messages: &[impl Said],
) -> ReplyRequest {
    ReplyRequest {
        prompt: Vec::new(),
        scenario_id: conversation.scenario_id.clone(),
        language: conversation.target_language_id.clone(),
        partner_name: partner_name(scenario.map(|s| &s.persona.0)),
        learner_messages: completion::learner_messages(messages),
        objectives: scenario
            .map(|s| s.learning_objectives.0.clone())
            .unwrap_or_default(),
    }
}

/// The partner's display name: the persona's, when it is a plain name.
fn partner_name(persona: Option<&crate::db::json::Persona>) -> String {
    persona
        .map(|p| p.name_template.clone())
        .filter(|n| !n.is_empty() && !n.contains('{'))
        .unwrap_or_else(|| "Kai".into())
}

fn build_request(
    conn: &mut DbConn,
    owner: &Owner,
    conversation: &Conversation,
    messages: &[Message],
) -> Result<ReplyRequest, ConversationError> {
    let scenario = match &conversation.scenario_id {
        Some(s) => queries::scenarios::find(conn, s)?,
        None => None,
    };
    let language = queries::languages::find(conn, &conversation.target_language_id)?
        .ok_or(ConversationError::NotFound)?;
    let prefs = queries::preferences::find(conn, owner)?;
    let partner_name = partner_name(scenario.as_ref().map(|s| &s.persona.0));
    let system = system_prompt(
        scenario.as_ref(),
        &language.name,
        &partner_name,
        prefs.as_ref(),
    );
    Ok(ReplyRequest {
        prompt: compose(system, messages),
        scenario_id: conversation.scenario_id.clone(),
        language: conversation.target_language_id.clone(),
        partner_name,
        learner_messages: messages
            .iter()
            .filter(|m| m.role == MessageRole::User)
            .map(|m| m.content.clone())
            .collect(),
        objectives: scenario
            .map(|s| s.learning_objectives.0)
            .unwrap_or_default(),
    })
}

const PARTNER_PROMPT: &str = include_str!("prompts/partner.txt");

/// The partner's instructions from the prompt file, the persona and the learner's preferences.
pub fn system_prompt(
    scenario: Option<&Scenario>,
    language: &str,
    partner_name: &str,
    prefs: Option<&crate::db::models::UserPreferences>,
) -> String {
    use crate::db::types::{ChallengePreference, CorrectionStyle};
    let level = prefs
        .map(|p| crate::app::onboarding::target_level(p).to_string())
        .unwrap_or_else(|| "A2".into());
    let correction = match prefs.map(|p| p.correction_style) {
        Some(CorrectionStyle::Immediate) => "After each learner message with a mistake, add one line starting with \"✎\" giving the correction and a one-line reason.",
        Some(CorrectionStyle::EndOfSession) => "Do not correct mistakes during the conversation; they are reviewed at the end.",
        _ => "When the learner makes a mistake, recast it correctly and naturally in your reply, in character, without pointing it out.",
    };
    let challenge = match prefs.map(|p| p.challenge_preference) {
        Some(ChallengePreference::Comfortable) => "comfortable, at their level",
        Some(ChallengePreference::Challenging) => "challenging, a little above their level",
        _ => "mostly at their level with a few new words",
    };
    PARTNER_PROMPT
        .replace("{partner_name}", partner_name)
        .replace(
            "{persona_title}",
            &scenario
                .map(|s| s.persona.title.clone())
                .unwrap_or_else(|| "a friendly conversation partner".into()),
        )
        .replace("{language}", language)
        .replace(
            "{setting}",
            &scenario
                .map(|s| s.persona.setting.clone())
                .unwrap_or_else(|| "a relaxed chat".into()),
        )
        .replace(
            "{context}",
            &scenario.map(|s| s.context.clone()).unwrap_or_default(),
        )
        .replace(
            "{stakes}",
            &scenario
                .map(|s| s.persona.stakes.clone())
                .unwrap_or_else(|| "practice".into()),
        )
        .replace(
            "{instructions}",
            &scenario.map(|s| s.instructions.clone()).unwrap_or_default(),
        )
        .replace("{level}", &level)
        .replace(
            "{goal}",
            &prefs
                .map(|p| p.learning_goal.to_string())
                .unwrap_or_else(|| "Connection".into()),
        )
        .replace("{challenge}", challenge)
        .replace("{correction_rule}", correction)
        .replace(
            "{objectives}",
            &scenario
                .map(|s| s.learning_objectives.join("; "))
                .unwrap_or_else(|| "get to know the learner".into()),
        )
}

/// The system prompt followed by as much of the conversation as fits the budget (newest kept).
pub fn compose(system: String, messages: &[Message]) -> Vec<PromptMessage> {
    let mut budget = PROMPT_BUDGET_CHARS.saturating_sub(system.len());
    let mut kept: Vec<PromptMessage> = Vec::new();
    for m in messages.iter().rev() {
        let size = m.content.len();
        if size > budget {
            break;
        }
        budget -= size;
        kept.push(PromptMessage {
            role: m.role,
            content: m.content.clone(),
        });
    }
    kept.reverse();
    let mut prompt = vec![PromptMessage {
        role: MessageRole::System,
        content: system,
    }];
    prompt.extend(kept);
    prompt
}

/// Stores the partner's whole reply, unless a reply was stored meanwhile (then `None`).
pub fn save_reply(
    conn: &mut DbConn,
    owner: &Owner,
    id: &str,
    text: &str,
    extras: &ReplyExtras,
    provider: &'static str,
    now: NaiveDateTime,
) -> Result<Option<Message>, ConversationError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let conversation = get(conn, owner, id)?;
    let (text, corrections) = split_corrections(text);
    write_transaction(conn, |conn| {
        // why: two streams for one conversation must not both store a reply: the check below
        // runs under the conversation's lock.
        crate::db::lock::key(conn, "conversation", id)?;
        let messages = queries::conversations::list_messages(conn, id)?;
        if !awaiting_reply(&messages) {
            return Ok(None);
        }
        // With the "immediate" style the partner adds ✎ lines: they belong to the learner's
        // last message, not to the partner's reply.
        if let (false, Some(learner)) = (corrections.is_empty(), messages.last()) {
            let analysis = crate::db::json::GrammarAnalysis {
                corrections: corrections
                    .iter()
                    .map(|(corrected, why)| crate::db::json::Correction {
                        original: learner.content.clone(),
                        corrected: corrected.clone(),
                        explanation: why.clone(),
                    })
                    .collect(),
                went_well: Vec::new(),
            };
            queries::conversations::set_analysis(conn, &learner.id, Some(analysis), None, now)?;
        }
        if text.is_empty() {
            return Ok(None);
        }
        let text = text.as_str();
        let translation = extras.translation.clone().map(|t| (t, provider));
        Ok(Some(new_message(
            conn,
            &conversation,
            MessageRole::Assistant,
            text,
            translation,
            None,
            now,
        )?))
    })
}

/// Splits a reply into the partner's words and its `✎ corrected — why` lines.
pub fn split_corrections(text: &str) -> (String, Vec<(String, String)>) {
    let mut words = Vec::new();
    let mut corrections = Vec::new();
    for line in text.lines() {
        match line.trim().strip_prefix('✎') {
            Some(c) => {
                let c = c.trim();
                let (corrected, why) = c
                    .split_once(" — ")
                    .or_else(|| c.split_once(" - "))
                    .unwrap_or((c, ""));
                if !corrected.trim().is_empty() {
                    corrections.push((corrected.trim().to_owned(), why.trim().to_owned()));
                }
            }
            None => words.push(line),
        }
    }
    (words.join("\n").trim().to_owned(), corrections)
}

/// The learner's self-report when ending.
#[derive(Debug, Default)]
pub struct Ending {
    pub comfort_rating: Option<i32>,
    pub engagement: Option<EngagementLevel>,
}

/// Ends a conversation: durations and counts recorded, the usage session closed, and for
/// signed-in learners their scenario progress and the scenario's aggregates updated.
///
/// Whether it counts as completed follows [`completion`]'s rules (`offline`: the offline
/// partner answered); with a provider, its analysis is queued as a job in the same
/// transaction (and may complete the conversation later, see [`store_analysis`]).
pub fn end(
    conn: &mut DbConn,
    owner: &Owner,
    id: &str,
    ending: Ending,
    offline: bool,
    now: NaiveDateTime,
) -> Result<Conversation, ConversationError> {
    if ending.comfort_rating.is_some_and(|r| !(1..=5).contains(&r)) {
        return Err(ConversationError::Invalid(
            "Rate your comfort from 1 to 5.".into(),
        ));
    }
    write_transaction(conn, |conn| {
        // why: two concurrent ends must not both count the attempt; the second waits here and
        // then finds the conversation ended.
        crate::db::lock::key(conn, "conversation", id)?;
        let conversation = get(conn, owner, id)?;
        if conversation.status == ConversationStatus::Ended {
            return Ok(());
        }
        let messages = queries::conversations::list_messages(conn, id)?;
        let seconds = (now - conversation.started_at)
            .num_seconds()
            .clamp(0, i32::MAX as i64) as i32;
        let learner_turns = messages
            .iter()
            .filter(|m| m.role == MessageRole::User)
            .count();
        let tokens = (messages.iter().map(|m| m.content.len()).sum::<usize>() / 4) as i32;
        let completion =
            completion::progress_of(conn, &conversation, &messages, offline)?.completion();
        queries::conversations::update(
            conn,
            id,
            ConversationChanges {
                status: Some(ConversationStatus::Ended),
                ended_at: Some(Some(now)),
                duration_seconds: Some(seconds),
                message_count: Some(messages.len() as i32),
                comfort_rating: Some(ending.comfort_rating),
                engagement_level: Some(ending.engagement),
                completion: Some(completion),
                updated_at: Some(now),
                ..Default::default()
            },
        )?;
        // A metered session is settled with the time measured; one from before metering is
        // closed with the conversation's length.
        crate::app::usage::settle_conversation(conn, id, Some(tokens), now)?;
        if let Some(session) = queries::conversations::find_open_session(conn, id)? {
            queries::conversations::close_session(conn, &session.id, now, seconds, tokens)?;
        }
        if let (Owner::User(user_id), Some(scenario_id)) = (owner, &conversation.scenario_id) {
            let completed = completion.is_some();
            queries::progress::ensure_and_lock(conn, user_id, scenario_id, now)?;
            queries::progress::record_attempt(conn, user_id, scenario_id, completed, seconds, now)?;
            queries::progress::add_attempt(conn, scenario_id, completed, seconds, now)?;
        }
        if !offline && learner_turns > 0 {
            let job = analyse::AnalyseConversation {
                conversation_id: id.into(),
            };
            crate::app::jobs::enqueue(conn, &job, now)?;
        }
        Ok::<_, ConversationError>(())
    })?;
    get(conn, owner, id)
}

/// What the analysis prompt needs.
pub struct AnalysisInput {
    /// The target language's name.
    pub language: String,
    /// The learner's own language (English when unknown).
    pub native: String,
    /// The scenario's objectives (none for a free conversation).
    pub objectives: Vec<String>,
    pub messages: Vec<Message>,
}

/// What the analysis prompt needs for `owner`'s conversation `id`.
pub fn analysis_input(
    conn: &mut DbConn,
    owner: &Owner,
    id: &str,
) -> Result<AnalysisInput, ConversationError> {
    let conversation = get(conn, owner, id)?;
    let language = queries::languages::find(conn, &conversation.target_language_id)?
        .map(|l| l.name)
        .unwrap_or_default();
    let native_id = match owner {
        Owner::User(u) => queries::users::find(conn, u)?.and_then(|u| u.native_language_id),
        Owner::Guest(_) => None,
    };
    let native = match native_id {
        Some(l) => queries::languages::find(conn, &l)?.map(|l| l.name),
        None => None,
    }
    .unwrap_or_else(|| "English".into());
    let objectives = match &conversation.scenario_id {
        Some(s) => queries::scenarios::find(conn, s)?.map(|s| s.learning_objectives.0),
        None => None,
    }
    .unwrap_or_default();
    Ok(AnalysisInput {
        language,
        native,
        objectives,
        messages: queries::conversations::list_messages(conn, id)?,
    })
}

/// Stores an analysis on the learner's messages: each gets its corrections (none when the
/// provider had nothing to say), the last one the conversation's vocabulary; the conversation
/// the objectives met. When every objective was met and the conversation had not counted as
/// completed, it does now, and the learner's progress and the scenario's aggregates gain the
/// completion. All or nothing.
pub fn store_analysis(
    conn: &mut DbConn,
    owner: &Owner,
    id: &str,
    analysis: analysis::Analysis,
    now: NaiveDateTime,
) -> Result<(), ConversationError> {
    get(conn, owner, id)?;
    write_transaction(conn, |conn| {
        // why: a second store (a retried job) must not count the completion twice.
        crate::db::lock::key(conn, "conversation", id)?;
        let conversation = get(conn, owner, id)?;
        let learner: Vec<Message> = queries::conversations::list_messages(conn, id)?
            .into_iter()
            .filter(|m| m.role == MessageRole::User)
            .collect();
        let last = learner.len().saturating_sub(1);
        for (i, m) in learner.iter().enumerate() {
            let grammar = analysis
                .per_message
                .iter()
                .find(|(idx, _)| *idx == i)
                .map(|(_, g)| g.clone())
                .unwrap_or_default();
            let vocabulary = (i == last).then(|| analysis.vocabulary.clone());
            queries::conversations::set_analysis(conn, &m.id, Some(grammar), vocabulary, now)?;
        }
        let scenario = match &conversation.scenario_id {
            Some(s) => queries::scenarios::find(conn, s)?,
            None => None,
        };
        let (Some(met), Some(scenario)) = (&analysis.objectives_met, scenario) else {
            return Ok(());
        };
        let objectives = &scenario.learning_objectives.0;
        let texts: Vec<String> = met
            .iter()
            .filter_map(|i| objectives.get(*i).cloned())
            .collect();
        let all_met = !objectives.is_empty() && texts.len() == objectives.len();
        let newly_completed = all_met && conversation.completion.is_none();
        queries::conversations::update(
            conn,
            id,
            ConversationChanges {
                objectives_met: Some(Some(Json(texts))),
                completion: newly_completed.then_some(Some(Completion::ObjectivesMet)),
                updated_at: Some(now),
                ..Default::default()
            },
        )?;
        if let (true, Owner::User(user_id)) = (newly_completed, owner) {
            queries::progress::record_late_completion(conn, user_id, &scenario.id, now)?;
        }
        if newly_completed {
            queries::progress::add_late_completion(conn, &scenario.id, now)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(role: MessageRole, content: &str) -> Message {
        let t = NaiveDateTime::default();
        Message {
            id: content.into(),
            conversation_id: "c".into(),
            position: 1,
            role,
            content: content.into(),
            translated_content: None,
            romanization: None,
            pinyin: None,
            hiragana: None,
            katakana: None,
            kanji: None,
            ruby: None,
            aids_version: 0,
            provider_item_id: None,
            translation_confidence: None,
            translation_provider: None,
            grammar_analysis: None,
            vocabulary_analysis: None,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn the_prompt_keeps_the_newest_messages_within_the_budget() {
        let long = "x".repeat(7000);
        let messages = vec![
            message(MessageRole::Assistant, &long),
            message(MessageRole::User, &long),
            message(MessageRole::Assistant, "short"),
            message(MessageRole::User, "latest"),
        ];
        let prompt = compose("system".into(), &messages);
        assert_eq!(prompt[0].role, MessageRole::System);
        assert_eq!(prompt.last().unwrap().content, "latest");
        assert_eq!(prompt.len(), 4, "the oldest long message no longer fits");
    }

    #[test]
    fn correction_lines_are_split_from_the_partners_words() {
        let (words, corrections) = split_corrections(
            "Très bien !\n✎ J'ai acheté — passé composé for a finished action\nEt ensuite ?",
        );
        assert_eq!(words, "Très bien !\nEt ensuite ?");
        assert_eq!(
            corrections,
            vec![(
                "J'ai acheté".to_owned(),
                "passé composé for a finished action".to_owned()
            )]
        );
        assert_eq!(split_corrections("Bonjour").1, vec![]);
    }

    #[test]
    fn a_reply_is_owed_at_the_start_and_after_the_learner_speaks() {
        assert!(awaiting_reply(&[] as &[Message]));
        assert!(awaiting_reply(&[message(MessageRole::User, "hi")]));
        assert!(!awaiting_reply(&[
            message(MessageRole::User, "hi"),
            message(MessageRole::Assistant, "hello")
        ]));
    }

    #[test]
    fn the_system_prompt_carries_the_persona_and_the_rule_against_agreeing() {
        let prompt = system_prompt(None, "Japanese", "Kai", None);
        assert!(prompt.contains("Speak only Japanese"));
        assert!(prompt.contains("Do not agree with everything"));
        assert!(
            !prompt.contains('{'),
            "every placeholder is filled: {prompt}"
        );
    }
}
