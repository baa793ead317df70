//! Queries on `conversations`, `messages` and `conversation_sessions`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::conn::on_backend;
use crate::db::models::{
    Conversation, ConversationChanges, ConversationPage, ConversationSession, ConversationSummary,
    Message, MessageChanges, MessageLine, NewConversation, NewConversationSession, NewMessage,
    ScenarioBrief, SessionTimes, UsageSeconds,
};
use crate::db::queries::preferences::Owner;
use crate::db::schema::{conversation_sessions, conversations, messages, scenarios, user_usage};
use crate::db::DbConn;

pub fn insert(conn: &mut DbConn, row: &NewConversation) -> QueryResult<()> {
    diesel::insert_into(conversations::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

/// A conversation by id, whoever owns it (jobs acting for the system).
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Conversation>> {
    conversations::table
        .find(id)
        .select(Conversation::as_select())
        .first(conn)
        .optional()
}

/// A conversation of this owner; `None` for anyone else's.
///
/// why: one fixed statement per owner kind (not a boxed query), run on the backend's own
/// connection, so the statement cache finds it by its type; a boxed one was prepared again
/// on every page view.
pub fn find_owned(conn: &mut DbConn, id: &str, owner: &Owner) -> QueryResult<Option<Conversation>> {
    on_backend!(conn, |c| {
        let q = conversations::table
            .find(id)
            .select(Conversation::as_select());
        match owner {
            Owner::User(u) => q.filter(conversations::user_id.eq(u)).first(c),
            Owner::Guest(g) => q.filter(conversations::guest_id.eq(g)).first(c),
        }
    })
    .optional()
}

/// The conversation page's row: `owner`'s conversation `id` (`None` for anyone else's), its
/// scenario's brief, and its newest session's clock with the month that session is metered
/// in.
///
/// why: one statement instead of three; on PostgreSQL each statement is a round trip, and
/// the round trips were most of this page's cost.
pub fn find_owned_page(
    conn: &mut DbConn,
    id: &str,
    owner: &Owner,
) -> QueryResult<Option<ConversationPage>> {
    // why: the subselect reads `conversation_sessions` again, so it needs an alias; its bind
    // is owned because a statement the cache keeps must not borrow. Its order is
    // `newest_session_of`'s in `queries::usage` (newest start, then id).
    let newest = diesel::alias!(conversation_sessions as newest);
    let newest_session = newest
        .filter(
            newest
                .field(conversation_sessions::conversation_id)
                .eq(id.to_owned()),
        )
        .order((
            newest.field(conversation_sessions::start_time).desc(),
            newest.field(conversation_sessions::id).desc(),
        ))
        .select(newest.field(conversation_sessions::id))
        .limit(1)
        .single_value();
    on_backend!(conn, |c| {
        let q = conversations::table
            .left_join(scenarios::table)
            .left_join(
                conversation_sessions::table
                    .on(conversation_sessions::id.nullable().eq(newest_session)),
            )
            .left_join(user_usage::table.on(super::usage::month_of_session()))
            .filter(conversations::id.eq(id))
            .select((
                Conversation::as_select(),
                Option::<ScenarioBrief>::as_select(),
                Option::<SessionTimes>::as_select(),
                Option::<UsageSeconds>::as_select(),
            ));
        match owner {
            Owner::User(u) => q.filter(conversations::user_id.eq(u)).first(c),
            Owner::Guest(g) => q.filter(conversations::guest_id.eq(g)).first(c),
        }
    })
    .optional()
    .map(|found| {
        found.map(
            |(conversation, scenario, session, month)| ConversationPage {
                conversation,
                scenario,
                session: session.map(|s| (s, month)),
            },
        )
    })
}

/// The owner's conversations, newest first, with their scenario's title.
pub fn list_owned(
    conn: &mut DbConn,
    owner: &Owner,
    limit: i64,
) -> QueryResult<Vec<(ConversationSummary, Option<String>)>> {
    on_backend!(conn, |c| {
        let q = conversations::table
            .left_join(scenarios::table)
            .select((
                ConversationSummary::as_select(),
                scenarios::title.nullable(),
            ))
            .order(conversations::started_at.desc())
            .limit(limit);
        match owner {
            Owner::User(u) => q.filter(conversations::user_id.eq(u)).load(c),
            Owner::Guest(g) => q.filter(conversations::guest_id.eq(g)).load(c),
        }
    })
}

/// The conversations `ids` (the ones that exist).
pub fn list_by_ids(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<Conversation>> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(super::ONE_OF_WIDTH) {
        rows.extend(
            conversations::table
                .into_boxed()
                .filter(super::one_of(conversations::id, chunk))
                .select(Conversation::as_select())
                .load::<Conversation>(conn)?,
        );
    }
    Ok(rows)
}

pub fn update(conn: &mut DbConn, id: &str, changes: ConversationChanges) -> QueryResult<()> {
    diesel::update(conversations::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

/// Every message of a conversation, in order.
pub fn list_messages(conn: &mut DbConn, conversation_id: &str) -> QueryResult<Vec<Message>> {
    messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .order(messages::position.asc())
        .select(Message::as_select())
        .load(conn)
}

/// A conversation's messages as its transcript shows them, in order.
pub fn list_lines(conn: &mut DbConn, conversation_id: &str) -> QueryResult<Vec<MessageLine>> {
    on_backend!(conn, |c| messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .order(messages::position.asc())
        .select(MessageLine::as_select())
        .load(c))
}

/// The next free position in a conversation. Takes the conversation's lock for the rest of
/// the transaction (call it inside `write_transaction`), so two messages sent at once never
/// get the same position.
pub fn next_position(conn: &mut DbConn, conversation_id: &str) -> QueryResult<i32> {
    crate::db::lock::key(conn, "conversation", conversation_id)?;
    let max: Option<i32> = messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .select(diesel::dsl::max(messages::position))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// Whether conversation `conversation_id` has the line of provider item `item_id` already.
pub fn exists_provider_item(
    conn: &mut DbConn,
    conversation_id: &str,
    item_id: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        messages::table
            .filter(messages::conversation_id.eq(conversation_id))
            .filter(messages::provider_item_id.eq(item_id)),
    ))
    .get_result(conn)
}

pub fn insert_message(conn: &mut DbConn, row: &NewMessage) -> QueryResult<()> {
    diesel::insert_into(messages::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

pub fn insert_session(conn: &mut DbConn, row: &NewConversationSession) -> QueryResult<()> {
    diesel::insert_into(conversation_sessions::table)
        .values(row.clone())
        .execute(conn)
        .map(|_| ())
}

/// The open session of a conversation (not ended yet).
pub fn find_open_session(
    conn: &mut DbConn,
    conversation_id: &str,
) -> QueryResult<Option<ConversationSession>> {
    conversation_sessions::table
        .filter(conversation_sessions::conversation_id.eq(conversation_id))
        .filter(conversation_sessions::end_time.is_null())
        .select(ConversationSession::as_select())
        .first(conn)
        .optional()
}

/// Closes a session with what it consumed.
pub fn close_session(
    conn: &mut DbConn,
    id: &str,
    end: NaiveDateTime,
    seconds: i32,
    input_tokens: i32,
) -> QueryResult<()> {
    diesel::update(conversation_sessions::table.find(id))
        .set((
            conversation_sessions::end_time.eq(end),
            conversation_sessions::duration_seconds.eq(seconds),
            conversation_sessions::seconds_consumed.eq(seconds),
            conversation_sessions::input_tokens.eq(input_tokens),
            conversation_sessions::updated_at.eq(end),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Stores a message's analysis.
pub fn set_analysis(
    conn: &mut DbConn,
    message_id: &str,
    grammar: Option<crate::db::json::GrammarAnalysis>,
    vocabulary: Option<crate::db::json::VocabularyAnalysis>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    use crate::db::types::Json;
    diesel::update(messages::table.find(message_id))
        .set((
            messages::grammar_analysis.eq(grammar.map(Json)),
            messages::vocabulary_analysis.eq(vocabulary.map(Json)),
            messages::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Stores a message's translation with where it came from and how sure it is.
pub fn set_translation(
    conn: &mut DbConn,
    message_id: &str,
    text: &str,
    provider: &str,
    confidence: f64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(messages::table.find(message_id))
        .set((
            messages::translated_content.eq(Some(text)),
            messages::translation_provider.eq(Some(provider)),
            messages::translation_confidence.eq(Some(confidence)),
            messages::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Adds spoken seconds to a conversation's `audio_seconds`.
pub fn add_audio_seconds(
    conn: &mut DbConn,
    id: &str,
    seconds: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(conversations::table.find(id))
        .set((
            conversations::audio_seconds.eq(conversations::audio_seconds + seconds),
            conversations::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Up to `limit` messages whose reading aids were computed before `version`, each with its
/// conversation's language, oldest first.
pub fn list_messages_with_aids_before(
    conn: &mut DbConn,
    version: i32,
    limit: i64,
) -> QueryResult<Vec<(Message, String)>> {
    messages::table
        .inner_join(conversations::table)
        .filter(messages::aids_version.lt(version))
        .order((messages::created_at.asc(), messages::id.asc()))
        .limit(limit)
        .select((Message::as_select(), conversations::target_language_id))
        .load(conn)
}

/// Whether any message has reading aids computed before `version`.
pub fn any_message_with_aids_before(conn: &mut DbConn, version: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        messages::table.filter(messages::aids_version.lt(version)),
    ))
    .get_result(conn)
}

/// Stores a message's reading aids and the version that computed them.
pub fn update_message_aids(
    conn: &mut DbConn,
    id: &str,
    changes: MessageChanges,
) -> QueryResult<()> {
    diesel::update(messages::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}
