//! Conversations: `/conversations` (history), `/conversations/new` and `POST /conversations`
//! (start), `/conversations/{id}` (the transcript; send with `POST …/messages`), the reply
//! stream at `…/stream` (server-sent events), `POST …/end` and `…/report`.
//! Without JS a message post waits for the whole reply and redirects; with htmx the page
//! appends the learner's message and streams the reply into place.

mod views;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;
use futures_util::StreamExt;
use serde::Deserialize;

use crate::app::accounts;
use crate::app::conversations::{self as convo, ConversationError, Ending, Start};
use crate::db::queries::{self, preferences::Owner};
use crate::db::types::{ConversationStatus, EngagementLevel};
use crate::error::AppError;
use crate::integrations::ai::ReplyExtras;
use crate::web::accounts::ensure_guest;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;
use views::MessageView;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/conversations", web::get().to(index))
        .route("/conversations", web::post().to(create))
        .route("/conversations/new", web::get().to(new))
        .route("/conversations/{id}", web::get().to(show))
        .route("/conversations/{id}/messages", web::post().to(send))
        .route("/conversations/{id}/reply", web::post().to(reply))
        .route("/conversations/{id}/stream", web::get().to(stream))
        .route("/conversations/{id}/end", web::post().to(end))
        .route("/conversations/{id}/hint", web::post().to(hint))
        .route("/conversations/{id}/aids", web::post().to(toggle_aids))
        .route("/conversations/{id}/transcribe", web::post().to(transcribe))
        .route(
            "/conversations/{id}/messages/{message_id}/audio",
            web::get().to(audio),
        )
        .route("/conversations/{id}/say", web::post().to(say))
        .route(
            "/conversations/{id}/messages/{message_id}/translate",
            web::post().to(translate),
        )
        .route("/conversations/{id}/report", web::get().to(report));
}

impl From<ConversationError> for AppError {
    fn from(e: ConversationError) -> Self {
        match e {
            ConversationError::NotFound => AppError::NotFound,
            ConversationError::Invalid(m) => AppError::Unprocessable(m),
            ConversationError::Ended => {
                AppError::Unprocessable(ConversationError::Ended.to_string())
            }
            ConversationError::Db(d) => d.into(),
        }
    }
}

/// The visitor's owner identity (a guest id is created when needed, with its cookie).
fn owner(
    state: &AppState,
    visitor: &Visitor,
) -> (Owner, Option<actix_web::cookie::Cookie<'static>>) {
    match &visitor.user {
        Some(u) => (Owner::User(u.id.clone()), None),
        None => {
            let (guest, cookie) = ensure_guest(visitor, state.settings.secure_cookies());
            (Owner::Guest(guest), cookie)
        }
    }
}

/// Asks the partner for the owed reply, waits for all of it and stores it.
async fn reply_now(state: &web::Data<AppState>, owner: &Owner, id: &str) -> Result<(), AppError> {
    let (o, i) = (owner.clone(), id.to_owned());
    let Some(request) = state
        .db(move |c| Ok(convo::reply_request(c, &o, &i)?))
        .await?
    else {
        return Ok(());
    };
    let extras = state.ai.extras(&request);
    let mut text = String::new();
    let mut chunks = state.ai.reply(request);
    while let Some(chunk) = chunks.next().await {
        text.push_str(&chunk.map_err(|e| AppError::Unavailable(partner_failure(&e)))?);
    }
    let (o, i, provider) = (owner.clone(), id.to_owned(), state.ai.name());
    state
        .db(move |c| {
            Ok(convo::save_reply(
                c,
                &o,
                &i,
                &text,
                &extras,
                provider,
                Utc::now().naive_utc(),
            )?)
        })
        .await?;
    Ok(())
}

/// What the learner is told when the AI partner fails (the cause goes to the log).
fn partner_failure(e: &crate::integrations::ai::AiError) -> String {
    use crate::integrations::ai::AiError;
    let why = match e {
        AiError::Refused {
            status: 401 | 403, ..
        } => "the AI provider refused Kaiwa's key (the operator can check it)",
        AiError::Refused { .. } | AiError::Unreachable(_) => {
            "the AI provider can't be reached right now"
        }
        AiError::Interrupted(_) | AiError::Malformed(_) => {
            "the AI provider stopped answering midway"
        }
        AiError::Offline => "this needs an AI provider",
    };
    format!("Your partner couldn't answer: {why}. Your message is saved; use \"Get the reply\" to try again.")
}

/// Tells the learner (by flash) that the reply failed.
fn flash_failure(req: &HttpRequest, e: &AppError) {
    tracing::warn!(error = %e, "a partner reply failed; the learner's message is kept");
    let message = match e {
        AppError::Unavailable(m) if m.starts_with("Your partner") => m.clone(),
        _ => "Your partner couldn't answer. Your message is saved; try again in a moment.".into(),
    };
    crate::web::visitor::flash(req, "error", message);
}

struct Option3 {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "conversations/new.html")]
struct NewPage {
    layout: Layout,
    scenario: Option<crate::web::catalog::views::ScenarioDetail>,
    scenario_id: String,
    languages: Vec<Option3>,
    offline: bool,
    error: String,
}

#[derive(Deserialize)]
struct NewQuery {
    scenario_id: Option<String>,
}

async fn new_page(
    state: &web::Data<AppState>,
    visitor: &Visitor,
    scenario_id: Option<String>,
    error: String,
) -> Result<NewPage, AppError> {
    let viewer = visitor.user.clone();
    let owner = accounts::owner(visitor.user.as_ref(), visitor.guest_id.as_deref());
    let (scenario, languages, prefs) = state
        .db(move |c| {
            let scenario = match scenario_id {
                Some(id) => Some(crate::app::catalog::show(c, &id, viewer.as_ref())?),
                None => None,
            };
            let prefs = match &owner {
                Some(o) => queries::preferences::find(c, o)?,
                None => None,
            };
            Ok((scenario, queries::languages::list_active(c)?, prefs))
        })
        .await?;
    let chosen = prefs
        .map(|p| p.target_language_id)
        .unwrap_or_else(|| "es".into());
    Ok(NewPage {
        layout: visitor.layout(
            "Start a conversation — Kaiwa",
            "Practise with an AI partner.",
        ),
        scenario_id: scenario
            .as_ref()
            .map(|s| s.scenario.id.clone())
            .unwrap_or_default(),
        scenario: scenario.map(|v| {
            crate::web::catalog::views::ScenarioDetail::new(&v.scenario, v.metadata.as_ref())
        }),
        languages: languages
            .iter()
            .map(|l| Option3 {
                value: l.id.clone(),
                label: format!("{} ({})", l.name, l.native_name),
                selected: l.id == chosen,
            })
            .collect(),
        offline: state.ai.is_offline(),
        error,
    })
}

/// Where onboarding sends the learner when it is done (kept in the session cookie).
pub const AFTER_ONBOARDING_KEY: &str = "after_onboarding";

async fn new(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let scenario_id = query.into_inner().scenario_id.filter(|s| !s.is_empty());
    // A learner (guest or signed in) with no preferences onboards before the first conversation.
    let owner = accounts::owner(visitor.user.as_ref(), visitor.guest_id.as_deref());
    let has_prefs = match owner {
        Some(o) => {
            state
                .db(move |c| Ok(queries::preferences::find(c, &o)?.is_some()))
                .await?
        }
        None => false,
    };
    if !has_prefs {
        let back = match &scenario_id {
            Some(id) => format!(
                "/conversations/new?scenario_id={}",
                url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
            ),
            None => "/conversations/new".to_owned(),
        };
        use actix_session::SessionExt;
        let _ = req.get_session().insert(AFTER_ONBOARDING_KEY, back);
        return Ok(HttpResponse::SeeOther()
            .insert_header(("Location", "/onboarding"))
            .finish());
    }
    let page = new_page(&state, &visitor, scenario_id, String::new()).await?;
    crate::web::render(&page)
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    scenario_id: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    mode: String,
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<StartForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (owner, cookie) = owner(&state, &visitor);
    let input = Start {
        scenario_id: Some(form.scenario_id.clone()).filter(|s| !s.is_empty()),
        language: form.language,
        mode: if form.mode.is_empty() {
            "traditional".into()
        } else {
            form.mode
        },
    };
    let o = owner.clone();
    let started = state
        .db(move |c| Ok(convo::start(c, &o, input, Utc::now().naive_utc())))
        .await?;
    let conversation = match started {
        Ok(c) => c,
        Err(ConversationError::Invalid(m)) => {
            let page = new_page(
                &state,
                &visitor,
                Some(form.scenario_id).filter(|s| !s.is_empty()),
                m,
            )
            .await?;
            return crate::web::accounts::render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        Err(e) => return Err(e.into()),
    };
    // The partner opens; if the provider fails here, the page offers a retry.
    if let Err(e) = reply_now(&state, &owner, &conversation.id).await {
        flash_failure(&req, &e);
    }
    let mut res = HttpResponse::SeeOther();
    res.insert_header(("Location", format!("/conversations/{}", conversation.id)));
    if let Some(c) = cookie {
        res.cookie(c);
    }
    Ok(res.finish())
}

#[derive(Template)]
#[template(path = "conversations/show.html")]
struct ShowPage {
    layout: Layout,
    id: String,
    title: String,
    lang: String,
    voice: String,
    messages: Vec<MessageView>,
    pending: bool,
    ended: bool,
    offline: bool,
    hint: String,
    suggestions: Vec<(String, String)>,
    max_chars: usize,
    error: String,
    assist: Assist,
    /// Whether reading aids (furigana, pinyin, romanization) are shown.
    aids: bool,
    /// Whether the provider speaks and transcribes (otherwise the browser's voices).
    provider_voice: bool,
}

/// The partner's message spoken by the provider's voice for the conversation's speaker.
/// Offline there is no provider voice: 404, and the page uses the browser's voices.
async fn audio(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, message_id) = path.into_inner();
    let (owner, _) = owner(&state, &visitor);
    if state.ai.is_offline() {
        return Err(AppError::NotFound);
    }
    let (o, i) = (owner.clone(), id.clone());
    let (text, voice) = state
        .db(move |c| {
            let conversation = convo::get(c, &o, &i)?;
            let message = queries::conversations::list_messages(c, &i)?
                .into_iter()
                .find(|m| m.id == message_id && m.role == crate::db::types::MessageRole::Assistant)
                .ok_or(AppError::NotFound)?;
            let voice = match &conversation.speaker_id {
                Some(s) => queries::languages::list_speakers(c, &conversation.target_language_id)?
                    .into_iter()
                    .find(|sp| &sp.id == s)
                    .and_then(|sp| sp.openai_voice_id),
                None => None,
            };
            Ok((message.content, voice.unwrap_or_else(|| "alloy".into())))
        })
        .await?;
    let bytes = state.ai.speech(text, voice).await.map_err(|e| {
        tracing::warn!(error = %e, "speech failed");
        AppError::Unavailable("the voice provider did not answer".into())
    })?;
    Ok(HttpResponse::Ok()
        .content_type("audio/mpeg")
        .insert_header(("Cache-Control", "private, max-age=86400"))
        .body(bytes))
}

/// The largest recording accepted for transcription.
const MAX_AUDIO_BYTES: usize = 10 * 1024 * 1024;

/// Turns a recorded answer (the request body, as the browser recorded it) into text.
async fn transcribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let language = queries_lang(&state, &owner, &id).await?;
    if state.ai.is_offline() {
        return Err(AppError::NotFound);
    }
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !content_type.starts_with("audio/") || body.is_empty() || body.len() > MAX_AUDIO_BYTES {
        return Err(AppError::Unprocessable(
            "Send a recording of up to 10 MB.".into(),
        ));
    }
    // why: the browser says how long it recorded; bounded so a bad header can't inflate usage.
    let seconds = req
        .headers()
        .get("x-audio-seconds")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<f64>().ok())
        .map(|s| s.clamp(0.0, 600.0).round() as i32)
        .unwrap_or(0);
    let text = state
        .ai
        .transcribe(body.to_vec(), content_type, language)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "transcription failed");
            AppError::Unavailable("the speech provider did not answer".into())
        })?;
    if seconds > 0 {
        let i = id.clone();
        state
            .db(move |c| {
                Ok(queries::conversations::add_audio_seconds(
                    c,
                    &i,
                    seconds,
                    Utc::now().naive_utc(),
                )?)
            })
            .await?;
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "text": text })))
}

/// The cookie that remembers whether the learner wants reading aids.
const AIDS_COOKIE: &str = "kaiwa_aids";

#[derive(Deserialize)]
struct AidsForm {
    #[serde(default)]
    show: String,
}

/// Turns reading aids on or off for this browser and goes back to the conversation.
async fn toggle_aids(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<AidsForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    convo_exists(&state, &owner, &id).await?;
    let value = if form.show == "on" { "on" } else { "off" };
    let cookie = actix_web::cookie::Cookie::build(AIDS_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(actix_web::cookie::SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish();
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", format!("/conversations/{id}")))
        .cookie(cookie)
        .finish())
}

/// Help shown on request above the message box.
#[derive(Default)]
struct Assist {
    title: String,
    note: String,
    lines: Vec<(String, String)>,
}

async fn show_page(
    state: &web::Data<AppState>,
    visitor: &Visitor,
    owner: Owner,
    id: String,
    error: String,
) -> Result<ShowPage, AppError> {
    show_page_with(state, visitor, owner, id, error, Assist::default()).await
}

async fn show_page_with(
    state: &web::Data<AppState>,
    visitor: &Visitor,
    owner: Owner,
    id: String,
    error: String,
    assist: Assist,
) -> Result<ShowPage, AppError> {
    let o = owner.clone();
    let (conversation, messages, voice, request) = state
        .db(move |c| {
            let conversation = convo::get(c, &o, &id)?;
            let messages = queries::conversations::list_messages(c, &id)?;
            let voice = queries::languages::list_speakers(c, &conversation.target_language_id)?
                .into_iter()
                .next()
                .map(|s| s.bcp47_code)
                .unwrap_or_default();
            // The hint and suggestions belong to the partner's latest line.
            let mut request = convo::reply_request(c, &o, &id)?;
            if request.is_none() && conversation.status == ConversationStatus::Active {
                let learner_turns = messages
                    .iter()
                    .filter(|m| m.role == crate::db::types::MessageRole::User)
                    .count();
                request = Some(crate::integrations::ai::ReplyRequest {
                    prompt: Vec::new(),
                    scenario_id: conversation.scenario_id.clone(),
                    language: conversation.target_language_id.clone(),
                    partner_name: String::new(),
                    learner_turns,
                });
            }
            Ok((conversation, messages, voice, request))
        })
        .await?;
    let pending =
        convo::awaiting_reply(&messages) && conversation.status == ConversationStatus::Active;
    let extras = match (&request, pending) {
        (Some(r), false) => state.ai.extras(r),
        _ => ReplyExtras::default(),
    };
    let lang = conversation.target_language_id.clone();
    Ok(ShowPage {
        layout: visitor.layout(
            format!("{} — Kaiwa", conversation.title.clone().unwrap_or_default()),
            "A conversation.",
        ),
        id: conversation.id.clone(),
        title: conversation.title.clone().unwrap_or_default(),
        messages: messages
            .iter()
            .map(|m| MessageView::new(m, &lang).translatable(&conversation.id, &visitor.csrf_token))
            .collect(),
        lang,
        voice,
        pending,
        ended: conversation.status == ConversationStatus::Ended,
        offline: state.ai.is_offline(),
        hint: extras.hint.unwrap_or_default(),
        suggestions: extras.suggested_replies,
        max_chars: convo::MAX_MESSAGE_CHARS,
        error,
        assist,
        aids: visitor.reading_aids,
        provider_voice: !state.ai.is_offline(),
    })
}

/// The target language's name, the learner's language and the partner's latest line.
async fn assist_context(
    state: &web::Data<AppState>,
    owner: &Owner,
    id: &str,
) -> Result<(String, String, Vec<crate::db::models::Message>), AppError> {
    let (o, i) = (owner.clone(), id.to_owned());
    state
        .db(move |c| Ok(convo::analysis_input(c, &o, &i)?))
        .await
}

const NEEDS_PROVIDER: &str = "This needs an AI provider; the offline partner's hints and translations are shown with each line.";

async fn hint(
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
struct SayForm {
    #[serde(default)]
    sentence: String,
}

async fn say(
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

async fn translate(
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

async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (owner, _) = owner(&state, &visitor);
    crate::web::render(&show_page(&state, &visitor, owner, id.into_inner(), String::new()).await?)
}

#[derive(Template)]
#[template(path = "conversations/_sent.html")]
struct SentFragment {
    message: MessageView,
    stream_url: String,
}

#[derive(Template)]
#[template(
    source = "<p class=\"form-error\" role=\"alert\">{{ error }}</p>",
    ext = "html"
)]
struct ErrorFragment {
    error: String,
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    content: String,
}

async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let (o, i, content) = (owner.clone(), id.clone(), form.into_inner().content);
    let stored = state
        .db(move |c| {
            Ok(convo::add_learner_message(
                c,
                &o,
                &i,
                &content,
                Utc::now().naive_utc(),
            ))
        })
        .await?;
    let htmx = req.headers().contains_key("hx-request");
    let message = match stored {
        Ok(m) => m,
        Err(ConversationError::Invalid(error)) if htmx => {
            let body = ErrorFragment { error }.render()?;
            return Ok(HttpResponse::UnprocessableEntity()
                .content_type("text/html; charset=utf-8")
                .body(body));
        }
        Err(ConversationError::Invalid(m)) => {
            let page = show_page(&state, &visitor, owner, id, m).await?;
            return crate::web::accounts::render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        Err(e) => return Err(e.into()),
    };
    if htmx {
        let lang = queries_lang(&state, &owner, &id).await?;
        let fragment = SentFragment {
            message: MessageView::new(&message, &lang),
            stream_url: format!("/conversations/{id}/stream"),
        };
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(fragment.render()?));
    }
    if let Err(e) = reply_now(&state, &owner, &id).await {
        flash_failure(&req, &e);
    }
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", format!("/conversations/{id}")))
        .finish())
}

async fn queries_lang(
    state: &web::Data<AppState>,
    owner: &Owner,
    id: &str,
) -> Result<String, AppError> {
    let (o, i) = (owner.clone(), id.to_owned());
    state
        .db(move |c| Ok(convo::get(c, &o, &i)?.target_language_id))
        .await
}

/// Retries an owed reply without JS.
async fn reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    convo_exists(&state, &owner, &id).await?;
    if let Err(e) = reply_now(&state, &owner, &id).await {
        flash_failure(&req, &e);
    }
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", format!("/conversations/{id}")))
        .finish())
}

async fn convo_exists(
    state: &web::Data<AppState>,
    owner: &Owner,
    id: &str,
) -> Result<(), AppError> {
    queries_lang(state, owner, id).await.map(|_| ())
}

#[derive(Template)]
#[template(path = "conversations/_message.html")]
struct MessageFragment {
    m: MessageView,
}

fn sse(event: &str, data: &str) -> web::Bytes {
    let mut out = format!("event: {event}\n");
    for line in data.split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    web::Bytes::from(out)
}

/// Streams the owed reply as server-sent events: `token` chunks, then `done` with the
/// stored message's HTML, or `failed` (the learner's message stays; the page offers a retry).
async fn stream(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let (o, i) = (owner.clone(), id.clone());
    let request = state
        .db(move |c| Ok(convo::reply_request(c, &o, &i)?))
        .await?;
    let lang = queries_lang(&state, &owner, &id).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<web::Bytes>(64);
    let Some(request) = request else {
        let _ = tx.send(sse("done", "")).await;
        drop(tx);
        return Ok(sse_response(rx));
    };
    let st = state.clone();
    actix_web::rt::spawn(async move {
        let extras = st.ai.extras(&request);
        let mut chunks = st.ai.reply(request);
        let mut text = String::new();
        let mut failed = None;
        while let Some(chunk) = chunks.next().await {
            match chunk {
                Ok(t) => {
                    text.push_str(&t);
                    let _ = tx.send(sse("token", &t)).await;
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = failed {
            tracing::warn!(error = %e, "a streamed reply failed midway; nothing stored");
            let _ = tx
                .send(sse(
                    "failed",
                    "The reply was interrupted. Your message is saved: try again.",
                ))
                .await;
            return;
        }
        let provider = st.ai.name();
        let saved = st
            .db(move |c| {
                let saved = convo::save_reply(
                    c,
                    &owner,
                    &id,
                    &text,
                    &extras,
                    provider,
                    Utc::now().naive_utc(),
                )?;
                // The learner's message may have gained an immediate correction.
                let learner = queries::conversations::list_messages(c, &id)?
                    .into_iter()
                    .rev()
                    .find(|m| m.role == crate::db::types::MessageRole::User);
                Ok((saved, learner))
            })
            .await;
        // why: the first element replaces the pending bubble; the page's script swaps any
        // further element (the corrected learner message) in by its id.
        let html = match saved {
            Ok((Some(m), learner)) => {
                let mut html = MessageFragment {
                    m: MessageView::new(&m, &lang),
                }
                .render()
                .unwrap_or_default();
                if let Some(l) = learner.filter(|l| l.grammar_analysis.is_some()) {
                    html.push_str(
                        &MessageFragment {
                            m: MessageView::new(&l, &lang),
                        }
                        .render()
                        .unwrap_or_default(),
                    );
                }
                html
            }
            _ => String::new(),
        };
        let _ = tx.send(sse("done", &html)).await;
    });
    Ok(sse_response(rx))
}

fn sse_response(rx: tokio::sync::mpsc::Receiver<web::Bytes>) -> HttpResponse {
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, actix_web::Error>(b), rx))
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body)
}

#[derive(Deserialize)]
struct EndForm {
    #[serde(default)]
    comfort_rating: String,
    #[serde(default)]
    engagement: String,
}

async fn end(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<EndForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let form = form.into_inner();
    let comfort_rating = match form.comfort_rating.trim() {
        "" => None,
        r => Some(
            r.parse::<i32>()
                .map_err(|_| AppError::Unprocessable("Rate your comfort from 1 to 5.".into()))?,
        ),
    };
    let engagement = match form.engagement.trim() {
        "" => None,
        e => Some(
            e.parse::<EngagementLevel>()
                .map_err(|_| AppError::Unprocessable("Choose low, medium or high.".into()))?,
        ),
    };
    let (o, i) = (owner.clone(), id.clone());
    let was_active = state
        .db(move |c| Ok(convo::get(c, &o, &i)?.status == ConversationStatus::Active))
        .await?;
    let (o, i) = (owner.clone(), id.clone());
    let ending = Ending {
        comfort_rating,
        engagement,
    };
    state
        .db(move |c| Ok(convo::end(c, &o, &i, ending, Utc::now().naive_utc())?))
        .await?;
    if was_active && !state.ai.is_offline() {
        analyse(&state, &owner, &id).await;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", format!("/conversations/{id}/report")))
        .finish())
}

/// Asks the provider to analyse the learner's messages and stores the result; a failure
/// (provider down, malformed JSON) is logged and the report says the analysis is missing.
async fn analyse(state: &web::Data<AppState>, owner: &Owner, id: &str) {
    let (o, i) = (owner.clone(), id.to_owned());
    let Ok((language, native, messages)) = state
        .db(move |c| Ok(convo::analysis_input(c, &o, &i)?))
        .await
    else {
        return;
    };
    let learner = messages
        .iter()
        .filter(|m| m.role == crate::db::types::MessageRole::User)
        .count();
    if learner == 0 {
        return;
    }
    let prompt = convo::analysis::prompt(&language, &native, &messages);
    let parsed = match state
        .ai
        .complete(crate::integrations::ai::Task::Analysis, prompt, true)
        .await
    {
        Ok(text) => convo::analysis::parse(&text, learner),
        Err(e) => Err(e.to_string()),
    };
    match parsed {
        Ok(analysis) => {
            let (o, i) = (owner.clone(), id.to_owned());
            if let Err(e) = state
                .db(move |c| {
                    Ok(convo::store_analysis(
                        c,
                        &o,
                        &i,
                        analysis,
                        Utc::now().naive_utc(),
                    )?)
                })
                .await
            {
                tracing::warn!(error = %e, "storing an analysis failed");
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, conversation = %id, "the conversation analysis failed")
        }
    }
}

#[derive(Template)]
#[template(path = "conversations/report.html")]
struct ReportPage {
    layout: Layout,
    title: String,
    minutes: i32,
    seconds: i32,
    learner_messages: usize,
    partner_messages: usize,
    comfort: String,
    engagement: String,
    corrections: Vec<(String, String, String)>,
    words: Vec<(String, String)>,
    objectives: Vec<String>,
    offline: bool,
    analysed: bool,
    went_well: Vec<String>,
    messages: Vec<MessageView>,
}

async fn report(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (owner, _) = owner(&state, &visitor);
    let o = owner.clone();
    let (conversation, messages, scenario) = state
        .db(move |c| {
            let conversation = convo::get(c, &o, &id)?;
            let messages = queries::conversations::list_messages(c, &id)?;
            let scenario = match &conversation.scenario_id {
                Some(s) => queries::scenarios::find(c, s)?,
                None => None,
            };
            Ok((conversation, messages, scenario))
        })
        .await?;
    if conversation.status != ConversationStatus::Ended {
        return Ok(HttpResponse::SeeOther()
            .insert_header(("Location", format!("/conversations/{}", conversation.id)))
            .finish());
    }
    let lang = conversation.target_language_id.clone();
    let corrections = messages
        .iter()
        .filter_map(|m| m.grammar_analysis.as_ref())
        .flat_map(|g| {
            g.corrections.iter().map(|c| {
                (
                    c.original.clone(),
                    c.corrected.clone(),
                    c.explanation.clone(),
                )
            })
        })
        .collect();
    let words = messages
        .iter()
        .filter_map(|m| m.vocabulary_analysis.as_ref())
        .flat_map(|v| {
            v.new_words
                .iter()
                .chain(v.misused_words.iter())
                .map(|w| (w.word.clone(), w.meaning.clone()))
        })
        .collect();
    crate::web::render(&ReportPage {
        layout: visitor.layout("Your feedback — Kaiwa", "How the conversation went."),
        title: conversation.title.clone().unwrap_or_default(),
        minutes: conversation.duration_seconds / 60,
        seconds: conversation.duration_seconds % 60,
        learner_messages: messages
            .iter()
            .filter(|m| m.role == crate::db::types::MessageRole::User)
            .count(),
        partner_messages: messages
            .iter()
            .filter(|m| m.role == crate::db::types::MessageRole::Assistant)
            .count(),
        comfort: conversation
            .comfort_rating
            .map(|r| format!("{r} of 5"))
            .unwrap_or_else(|| "not given".into()),
        engagement: conversation
            .engagement_level
            .map(|e| e.to_string())
            .unwrap_or_else(|| "not given".into()),
        corrections,
        words,
        objectives: scenario
            .map(|s| s.learning_objectives.0)
            .unwrap_or_default(),
        offline: state.ai.is_offline(),
        analysed: messages.iter().any(|m| m.grammar_analysis.is_some()),
        went_well: messages
            .iter()
            .filter_map(|m| m.grammar_analysis.as_ref())
            .flat_map(|g| g.went_well.clone())
            .collect(),
        messages: messages
            .iter()
            .map(|m| MessageView::new(m, &lang))
            .collect(),
    })
}

struct HistoryRow {
    href: String,
    title: String,
    scenario: String,
    language: String,
    date: String,
    length: String,
    ended: bool,
}

#[derive(Template)]
#[template(path = "conversations/index.html")]
struct IndexPage {
    layout: Layout,
    rows: Vec<HistoryRow>,
}

async fn index(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let owner = accounts::owner(visitor.user.as_ref(), visitor.guest_id.as_deref());
    let rows = match owner {
        Some(o) => {
            state
                .db(move |c| Ok(queries::conversations::list_owned(c, &o, 200)?))
                .await?
        }
        None => Vec::new(),
    };
    crate::web::render(&IndexPage {
        layout: visitor.layout("Your conversations — Kaiwa", "Your past conversations."),
        rows: rows
            .into_iter()
            .map(|(c, scenario)| HistoryRow {
                href: if c.status == ConversationStatus::Ended {
                    format!("/conversations/{}/report", c.id)
                } else {
                    format!("/conversations/{}", c.id)
                },
                title: c.title.clone().unwrap_or_default(),
                scenario: scenario.unwrap_or_else(|| "Free conversation".into()),
                language: c.target_language_id.clone(),
                date: c.started_at.format("%Y-%m-%d %H:%M").to_string(),
                length: format!(
                    "{} messages, {} min",
                    c.message_count,
                    c.duration_seconds / 60
                ),
                ended: c.status == ConversationStatus::Ended,
            })
            .collect(),
    })
}
