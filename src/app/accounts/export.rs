//! "Download my data": everything Kaiwa keeps about one user, as one JSON document
//! ([`document`]). Secrets (password hash, session and link token hashes) are left out.

use diesel::prelude::*;
use serde_json::{json, Value};

use super::AccountError;
use crate::app::Ctx;
use crate::db::models::*;
use crate::db::schema::*;
use crate::db::DbConn;

/// The data of `user_id` ([`export`]) as pretty-printed JSON, ready to download.
pub async fn document(ctx: &Ctx, user_id: String) -> Result<String, AccountError> {
    let data = ctx.db.read(move |c| export(c, &user_id)).await?;
    serde_json::to_string_pretty(&data).map_err(|e| AccountError::Internal(e.into()))
}

/// The user's data. Only rows that belong to `user_id` are read.
pub fn export(conn: &mut DbConn, user_id: &str) -> diesel::QueryResult<Value> {
    let user: User = users::table
        .find(user_id)
        .select(User::as_select())
        .first(conn)?;
    let mut user_json = serde_json::to_value(&user).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut user_json {
        map.remove("password_hash");
    }
    let preferences: Vec<UserPreferences> = user_preferences::table
        .filter(user_preferences::user_id.eq(user_id))
        .select(UserPreferences::as_select())
        .load(conn)?;
    let sessions: Vec<Value> = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .select(Session::as_select())
        .load(conn)?
        .into_iter()
        .map(|s| json!({ "created_at": s.created_at, "expires_at": s.expires_at, "user_agent": s.user_agent }))
        .collect();
    let conversations: Vec<Conversation> = conversations::table
        .filter(conversations::user_id.eq(user_id))
        .order(conversations::started_at.asc())
        .select(Conversation::as_select())
        .load(conn)?;
    let conversation_ids: Vec<&str> = conversations.iter().map(|c| c.id.as_str()).collect();
    let messages: Vec<Message> = messages::table
        .filter(messages::conversation_id.eq_any(&conversation_ids))
        .order((messages::conversation_id.asc(), messages::position.asc()))
        .select(Message::as_select())
        .load(conn)?;
    let progress: Vec<UserScenarioProgress> = user_scenario_progress::table
        .filter(user_scenario_progress::user_id.eq(user_id))
        .select(UserScenarioProgress::as_select())
        .load(conn)?;
    let subscriptions: Vec<Subscription> = subscriptions::table
        .filter(subscriptions::user_id.eq(user_id))
        .select(Subscription::as_select())
        .load(conn)?;
    let payments: Vec<Payment> = payments::table
        .filter(payments::user_id.eq(user_id))
        .select(Payment::as_select())
        .load(conn)?;
    let usage: Vec<UserUsage> = user_usage::table
        .filter(user_usage::user_id.eq(user_id))
        .select(UserUsage::as_select())
        .load(conn)?;
    let paths: Vec<LearningPath> = learning_paths::table
        .filter(
            learning_paths::user_id
                .eq(user_id)
                .or(learning_paths::created_by_user_id.eq(user_id)),
        )
        .select(LearningPath::as_select())
        .load(conn)?;
    let assignments: Vec<LearningPathAssignment> = learning_path_assignments::table
        .filter(learning_path_assignments::user_id.eq(user_id))
        .select(LearningPathAssignment::as_select())
        .load(conn)?;
    let scenarios: Vec<Scenario> = scenarios::table
        .filter(scenarios::created_by_user_id.eq(user_id))
        .select(Scenario::as_select())
        .load(conn)?;
    let events: Vec<AnalyticsEvent> = analytics_events::table
        .filter(analytics_events::user_id.eq(user_id))
        .select(AnalyticsEvent::as_select())
        .load(conn)?;
    Ok(json!({
        "exported_by": "Kaiwa",
        "user": user_json,
        "preferences": preferences,
        "sessions": sessions,
        "conversations": conversations,
        "messages": messages,
        "scenario_progress": progress,
        "scenarios_authored": scenarios,
        "subscriptions": subscriptions,
        "payments": payments,
        "usage": usage,
        "learning_paths": paths,
        "learning_path_assignments": assignments,
        "analytics_events": events,
    }))
}
