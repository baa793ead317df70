//! Starting a conversation: the form's choices (a scenario, the languages, the learner's
//! own, whether realtime voice is offered), whether the learner must onboard first, and
//! starting with the partner's opening line (a realtime call opens by voice instead).

use super::{reply::reply_now, start as create, ConversationError, Start};
use crate::app::catalog::{self, CatalogError, ScenarioView};
use crate::app::usage;
use crate::app::Ctx;
use crate::db::models::{Conversation, Language, User};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::ConversationMode;

/// What the "start a conversation" form offers.
pub struct NewForm {
    pub scenario: Option<ScenarioView>,
    pub languages: Vec<Language>,
    /// The learner's target language, else Spanish.
    pub chosen_language: String,
    /// Why realtime voice is not offered, or `None` when it is.
    pub realtime_refused: Option<String>,
}

/// Why `owner` cannot start a realtime conversation now (`None`: they can).
fn realtime_refused(
    c: &mut crate::db::DbConn,
    owner: Option<&Owner>,
    realtime_calls: bool,
    metered: bool,
    now: chrono::NaiveDateTime,
) -> diesel::QueryResult<Option<String>> {
    if !realtime_calls {
        return Ok(Some(super::REALTIME_NOT_CONFIGURED.into()));
    }
    match owner {
        Some(Owner::User(_)) if !metered => Ok(None),
        Some(Owner::User(user_id)) => {
            let (ent, _) = usage::entitlements_of(c, user_id, now)?;
            let used = queries::usage::find_month(c, user_id, &usage::meter::period_of(now))?
                .map_or(0, |u| u.realtime_sessions_used);
            Ok(usage::realtime_refusal(&ent, used))
        }
        _ => Ok(Some(
            "Realtime voice needs an account on the Plus plan.".into(),
        )),
    }
}

/// Whether the visitor has preferences (a learner without them onboards first).
pub async fn has_preferences(ctx: &Ctx, owner: Option<Owner>) -> Result<bool, ConversationError> {
    let Some(owner) = owner else {
        return Ok(false);
    };
    Ok(ctx
        .db
        .read(move |c| queries::preferences::find(c, &owner))
        .await?
        .is_some())
}

/// The form, for `scenario_id` when one is chosen (`NotFound` when the viewer may not see it).
pub async fn new_form(
    ctx: &Ctx,
    viewer: Option<User>,
    owner: Option<Owner>,
    scenario_id: Option<String>,
) -> Result<NewForm, ConversationError> {
    let (realtime_calls, metered) = (ctx.voice.is_some(), ctx.settings.usage_limits);
    let now = ctx.clock.naive();
    ctx.db
        .run(move |c| -> Result<NewForm, ConversationError> {
            let scenario = match scenario_id {
                Some(id) => Some(catalog::show(c, &id, viewer.as_ref()).map_err(|e| match e {
                    CatalogError::NotFound => ConversationError::NotFound,
                    CatalogError::Invalid(m) => ConversationError::Invalid(m),
                    CatalogError::Db(d) => ConversationError::Db(d),
                    CatalogError::Unavailable(d) => ConversationError::Unavailable(d),
                })?),
                None => None,
            };
            let prefs = match &owner {
                Some(o) => queries::preferences::find(c, o)?,
                None => None,
            };
            let realtime_refused =
                realtime_refused(c, owner.as_ref(), realtime_calls, metered, now)?;
            Ok(NewForm {
                realtime_refused,
                scenario,
                languages: queries::languages::list_active(c)?,
                chosen_language: prefs
                    .map(|p| p.target_language_id)
                    .unwrap_or_else(|| "es".into()),
            })
        })
        .await
}

/// A started conversation and, when the partner could not open it, why (the page offers a
/// retry; the conversation exists either way).
pub struct Started {
    pub conversation: Conversation,
    pub opening_failed: Option<String>,
}

/// Starts a conversation for `owner` and asks the partner for its opening line.
pub async fn start(ctx: &Ctx, owner: Owner, input: Start) -> Result<Started, ConversationError> {
    let (o, now) = (owner.clone(), ctx.clock.naive());
    let (metered, realtime_calls) = (ctx.settings.usage_limits, ctx.voice.is_some());
    let conversation = ctx
        .db
        .run(move |c| create(c, &o, input, metered, realtime_calls, now))
        .await?;
    if conversation.mode == ConversationMode::Realtime {
        // why: in a realtime call the partner opens by voice once the learner connects.
        return Ok(Started {
            conversation,
            opening_failed: None,
        });
    }
    let opening_failed = match reply_now(ctx, &owner, &conversation.id).await {
        Ok(()) => None,
        Err(ConversationError::Partner(m)) => Some(m),
        Err(e) => return Err(e),
    };
    Ok(Started {
        conversation,
        opening_failed,
    })
}
