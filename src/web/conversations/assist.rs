//! Help on request: a hint with suggested replies, "say it in my language", and translating
//! a partner's message, each rendered into the conversation page (htmx selects `#assist`).

use super::*;
use crate::app::conversations::help;

/// htmx gets the page (it selects `#assist`); without JS the help is kept for the page a 303
/// leads back to, so a refresh never posts again.
async fn with_help(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    owner: Owner,
    id: ConversationId,
    assist: Assistance,
) -> Result<HttpResponse, AppError> {
    if is_htmx(req) {
        let page = show_page(state, visitor, owner, id, String::new(), assist).await?;
        return render(req, page);
    }
    crate::web::visitor::keep_for_next_page(req, &assist)?;
    Ok(to_conversation(&id))
}

pub(super) async fn hint(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
) -> Result<HttpResponse, AppError> {
    let (owner, id) = (owner(&state, &visitor).0, id.into_inner());
    let assist = help::hint(&state.ctx, owner.clone(), id.clone()).await?;
    with_help(&req, &state, &visitor, owner, id, assist).await
}

#[derive(Deserialize)]
pub(super) struct SayForm {
    #[serde(default)]
    sentence: String,
}

pub(super) async fn say(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
    form: web::Form<SayForm>,
) -> Result<HttpResponse, AppError> {
    let (owner, id) = (owner(&state, &visitor).0, id.into_inner());
    let sentence = form.into_inner().sentence;
    match help::say(&state.ctx, owner.clone(), id.clone(), sentence).await {
        Ok(assist) => with_help(&req, &state, &visitor, owner, id, assist).await,
        Err(ConversationError::Invalid(m)) => invalid(&req, &state, &visitor, owner, id, m).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn translate(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(ConversationId, MessageId)>,
) -> Result<HttpResponse, AppError> {
    let (owner, (id, message_id)) = (owner(&state, &visitor).0, path.into_inner());
    let assist = help::translate(&state.ctx, owner.clone(), id.clone(), message_id).await?;
    with_help(&req, &state, &visitor, owner, id, assist).await
}
