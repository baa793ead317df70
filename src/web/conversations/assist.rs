//! Help on request: a hint with suggested replies, "say it in my language", and translating
//! a partner's message, each rendered into the conversation page (htmx selects `#assist`).

use super::*;

/// The target language's name, the learner's language and the partner's latest line.
pub(super) async fn assist_context(
    state: &web::Data<AppState>,
    owner: &Owner,
    id: &str,
) -> Result<(String, String, Vec<crate::db::models::Message>), AppError> {
    let (o, i) = (owner.clone(), id.to_owned());
    state
        .db(move |c| Ok(convo::analysis_input(c, &o, &i)?))
        .await
}

pub(super) const NEEDS_PROVIDER: &str = "This needs an AI provider; the offline partner's hints and translations are shown with each line.";

pub(super) async fn hint(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let (language, native, messages) = assist_context(&state, &owner, &id).await?;
    let mut assist = Assist {
        title: "A hint".into(),
        ..Default::default()
    };
    if state.ai.is_offline() {
        assist.note = NEEDS_PROVIDER.into();
    } else {
        let partner_line = messages
            .iter()
            .rev()
            .find(|m| m.role == crate::db::types::MessageRole::Assistant)
            .map(|m| m.content.clone())
            .unwrap_or_default();
        match state
            .ai
            .complete(
                crate::integrations::ai::Task::Hint,
                convo::assist::hint_prompt(&language, &native, &partner_line),
                true,
            )
            .await
            .map_err(|e| e.to_string())
            .and_then(|t| convo::assist::parse_hint(&t))
        {
            Ok(h) => {
                assist.note = h.hint;
                assist.lines = h
                    .replies
                    .into_iter()
                    .map(|r| (r.text, r.translation))
                    .collect();
            }
            Err(e) => {
                tracing::warn!(error = %e, "a hint failed");
                assist.note =
                    "No hint right now; the AI provider didn't answer. Try again in a moment."
                        .into();
            }
        }
    }
    crate::web::render(&show_page_with(&state, &visitor, owner, id, String::new(), assist).await?)
}

#[derive(Deserialize)]
pub(super) struct SayForm {
    #[serde(default)]
    sentence: String,
}

pub(super) async fn say(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<SayForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let sentence = form.into_inner().sentence.trim().to_owned();
    if sentence.is_empty() || sentence.chars().count() > convo::MAX_MESSAGE_CHARS {
        let page = show_page(
            &state,
            &visitor,
            owner,
            id,
            "Write the sentence you want to say, in your language.".into(),
        )
        .await?;
        return crate::web::accounts::render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let (language, native, _) = assist_context(&state, &owner, &id).await?;
    let mut assist = Assist {
        title: "Say it like this".into(),
        ..Default::default()
    };
    if state.ai.is_offline() {
        assist.note = NEEDS_PROVIDER.into();
    } else {
        match state
            .ai
            .complete(
                crate::integrations::ai::Task::Translation,
                convo::assist::say_it_prompt(&language, &native, &sentence),
                false,
            )
            .await
        {
            Ok(t) => assist.lines = vec![(convo::assist::clean_line(&t), sentence)],
            Err(e) => {
                tracing::warn!(error = %e, "say-it-in-my-language failed");
                assist.note = "The AI provider didn't answer. Try again in a moment.".into();
            }
        }
    }
    crate::web::render(&show_page_with(&state, &visitor, owner, id, String::new(), assist).await?)
}

pub(super) async fn translate(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, message_id) = path.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let (language, native, messages) = assist_context(&state, &owner, &id).await?;
    let message = messages
        .into_iter()
        .find(|m| m.id == message_id)
        .ok_or(AppError::NotFound)?;
    let mut assist = Assist::default();
    if message.translated_content.is_none() {
        if state.ai.is_offline() {
            assist.title = "Translation".into();
            assist.note = NEEDS_PROVIDER.into();
        } else {
            match state
                .ai
                .complete(
                    crate::integrations::ai::Task::Translation,
                    convo::assist::translate_prompt(&language, &native, &message.content),
                    false,
                )
                .await
            {
                Ok(t) => {
                    let (text, provider) = (convo::assist::clean_line(&t), state.ai.name());
                    // why: a model's translation is good but not certain; the authored ones are 1.0.
                    state
                        .db(move |c| {
                            Ok(queries::conversations::set_translation(
                                c,
                                &message.id,
                                &text,
                                provider,
                                0.8,
                                Utc::now().naive_utc(),
                            )?)
                        })
                        .await?;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "a translation failed");
                    assist.title = "Translation".into();
                    assist.note = "The AI provider didn't answer. Try again in a moment.".into();
                }
            }
        }
    }
    crate::web::render(&show_page_with(&state, &visitor, owner, id, String::new(), assist).await?)
}
