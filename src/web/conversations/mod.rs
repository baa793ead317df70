//! Conversations: `/conversations` (history), `/conversations/new` and `POST /conversations`
//! (start), `/conversations/{id}` (the transcript; send with `POST …/messages`), the reply
//! stream at `…/stream` (server-sent events), `POST …/end` and `…/report`.
//! Without JS a message post waits for the whole reply and redirects; with htmx the page
//! appends the learner's message and streams the reply into place.

mod assist;
mod report;
mod stream;
mod views;
mod voice;

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
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;
use views::MessageView;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/conversations", web::get().to(report::index))
        .route("/conversations", web::post().to(create))
        .route("/conversations/new", web::get().to(new))
        .route("/conversations/{id}", web::get().to(show))
        .route("/conversations/{id}/messages", web::post().to(send))
        .route("/conversations/{id}/reply", web::post().to(reply))
        .route("/conversations/{id}/stream", web::get().to(stream::stream))
        .route("/conversations/{id}/end", web::post().to(report::end))
        .route("/conversations/{id}/hint", web::post().to(assist::hint))
        .route(
            "/conversations/{id}/aids",
            web::post().to(voice::toggle_aids),
        )
        .service(
            web::resource("/conversations/{id}/transcribe")
                .app_data(web::PayloadConfig::new(voice::MAX_AUDIO_BYTES))
                .route(web::post().to(voice::transcribe)),
        )
        .route(
            "/conversations/{id}/messages/{message_id}/audio",
            web::get().to(voice::audio),
        )
        .route("/conversations/{id}/say", web::post().to(assist::say))
        .route(
            "/conversations/{id}/messages/{message_id}/translate",
            web::post().to(assist::translate),
        )
        .route("/conversations/{id}/report", web::get().to(report::report));
}

impl From<ConversationError> for AppError {
    fn from(e: ConversationError) -> Self {
        match e {
            ConversationError::NotFound => AppError::NotFound,
            ConversationError::Invalid(m) => AppError::Unprocessable(m),
            ConversationError::Ended => {
                AppError::Unprocessable(ConversationError::Ended.to_string())
            }
            ConversationError::Provider(m) => AppError::Provider(m),
            ConversationError::Db(d) => d.into(),
            ConversationError::Unavailable(d) => d.into(),
        }
    }
}

/// The visitor's owner identity (a guest id is created when needed, with its cookie).
fn owner(
    state: &AppState,
    visitor: &Visitor,
) -> (Owner, Option<actix_web::cookie::Cookie<'static>>) {
    visitor.owner_or_new_guest(state.settings.secure_cookies())
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
            // The conversation's own speaker, else the language's default voice.
            let speakers = queries::languages::list_speakers(c, &conversation.target_language_id)?;
            let voice = speakers
                .iter()
                .find(|sp| Some(&sp.id) == conversation.speaker_id.as_ref())
                .or(speakers.first())
                .map(|sp| sp.bcp47_code.clone())
                .unwrap_or_default();
            // The hint and suggestions belong to the partner's latest line.
            let request = convo::latest_line_request(c, &o, &id)?;
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
