//! Conversations: `/conversations` (history), `/conversations/new` and `POST /conversations`
//! (start), `/conversations/{id}` (the transcript; send with `POST …/messages`), the reply
//! stream at `…/stream` (server-sent events), `POST …/end` and `…/report`; a realtime
//! voice call's offer and transcript at `…/realtime/…`.
//! Without JS a message post waits for the whole reply and redirects; with htmx the page
//! appends the learner's message and streams the reply into place.

mod assist;
mod realtime;
mod report;
mod stream;
mod views;
mod voice;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::app::accounts;
use crate::app::conversations::help::Assistance;
use crate::app::conversations::show::Transcript;
use crate::app::conversations::start::{self, NewForm};
use crate::app::conversations::{self as convo, ConversationError, Ending, Start};
use crate::app::ids::{ConversationId, MessageId};
use crate::app::usage::{self, UsageError};
use crate::app::Owner;
use crate::db::types::EngagementLevel;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::{render, render_with_status, AppState};
use views::MessageView;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/conversations")
            .route("", web::get().to(report::index))
            .route("", web::post().to(create))
            .route("/new", web::get().to(new))
            .route("/{id}", web::get().to(show))
            .route("/{id}/messages", web::post().to(send))
            .route("/{id}/reply", web::post().to(reply))
            .route("/{id}/stream", web::get().to(stream::stream))
            .route("/{id}/end", web::post().to(report::end))
            .route("/{id}/extend", web::post().to(extend))
            .route("/{id}/hint", web::post().to(assist::hint))
            .route("/{id}/aids", web::post().to(voice::toggle_aids))
            .service(
                web::resource("/{id}/transcribe")
                    .app_data(web::PayloadConfig::new(voice::MAX_AUDIO_BYTES))
                    .route(web::post().to(voice::transcribe)),
            )
            .route(
                "/{id}/messages/{message_id}/audio",
                web::get().to(voice::audio),
            )
            .service(
                web::resource("/{id}/realtime/offer")
                    .app_data(web::PayloadConfig::new(realtime::MAX_OFFER_BYTES))
                    .route(web::post().to(realtime::offer)),
            )
            .service(
                web::resource("/{id}/realtime/transcript")
                    .app_data(web::JsonConfig::default().limit(realtime::MAX_TRANSCRIPT_BYTES))
                    .route(web::post().to(realtime::transcript)),
            )
            .route("/{id}/say", web::post().to(assist::say))
            .route(
                "/{id}/messages/{message_id}/translate",
                web::post().to(assist::translate),
            )
            .route("/{id}/report", web::get().to(report::report)),
    );
}

impl From<ConversationError> for AppError {
    fn from(e: ConversationError) -> Self {
        match e {
            ConversationError::NotFound => AppError::NotFound,
            ConversationError::Invalid(m) => AppError::Unprocessable(m),
            ConversationError::Ended => {
                AppError::Unprocessable(ConversationError::Ended.to_string())
            }
            ConversationError::Provider(m) | ConversationError::Partner(m) => AppError::Provider(m),
            ConversationError::Limit(m) => AppError::Forbidden(m),
            ConversationError::TimeUp => AppError::Forbidden(ConversationError::TimeUp.to_string()),
            ConversationError::Db(d) => d.into(),
            ConversationError::Unavailable(d) => d.into(),
        }
    }
}

impl From<UsageError> for AppError {
    fn from(e: UsageError) -> Self {
        ConversationError::from(e).into()
    }
}

/// The visitor's owner identity (a guest id is created when needed, with its cookie).
fn owner(
    state: &AppState,
    visitor: &Visitor,
) -> (Owner, Option<actix_web::cookie::Cookie<'static>>) {
    visitor.owner_or_new_guest(state.settings.secure_cookies())
}

use crate::web::is_htmx;

fn to_conversation(id: &str) -> HttpResponse {
    crate::web::see_other(&format!("/conversations/{id}"))
}

/// Gets the partner's reply without JS, then back to the conversation; a partner failure is
/// told by flash (the learner's message is kept and the page offers a retry).
async fn reply_then_show(
    req: &HttpRequest,
    state: &AppState,
    owner: &Owner,
    id: &str,
) -> Result<HttpResponse, AppError> {
    match convo::reply::reply_now(&state.ctx, owner, id).await {
        Ok(()) => {}
        Err(ConversationError::Partner(m)) => crate::web::visitor::flash(req, "error", m),
        Err(e) => return Err(e.into()),
    }
    Ok(to_conversation(id))
}

/// Who the learner will talk with, from the chosen scenario.
struct ScenarioIntro {
    persona: String,
    persona_name: String,
    setting: String,
    intro: String,
}

struct LanguageOption {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "conversations/new.html")]
struct NewPage {
    layout: Layout,
    scenario: Option<ScenarioIntro>,
    scenario_id: String,
    languages: Vec<LanguageOption>,
    offline: bool,
    error: String,
    /// The plan's limits refused the start (the page links to the plans).
    limited: bool,
    /// Whether realtime voice is offered, and why not otherwise.
    realtime: bool,
    realtime_refused: String,
}

impl NewPage {
    fn limited(mut self) -> Self {
        self.limited = true;
        self
    }

    fn new(visitor: &Visitor, form: NewForm, offline: bool, error: String) -> Self {
        Self {
            layout: visitor.layout(
                "Start a conversation — Kaiwa",
                "Practise with an AI partner.",
            ),
            scenario_id: form
                .scenario
                .as_ref()
                .map(|s| s.scenario.id.clone())
                .unwrap_or_default(),
            scenario: form.scenario.map(|v| ScenarioIntro {
                persona: v.scenario.persona.title.clone(),
                persona_name: v.scenario.persona.name_template.clone(),
                setting: v.scenario.persona.setting.clone(),
                intro: v.scenario.persona.intro_prompt.clone(),
            }),
            languages: form
                .languages
                .iter()
                .map(|l| LanguageOption {
                    value: l.id.clone(),
                    label: format!("{} ({})", l.name, l.native_name),
                    selected: l.id == form.chosen_language,
                })
                .collect(),
            offline,
            error,
            limited: false,
            realtime: form.realtime_refused.is_none(),
            realtime_refused: form.realtime_refused.unwrap_or_default(),
        }
    }
}

async fn new_page(
    state: &AppState,
    visitor: &Visitor,
    scenario_id: Option<String>,
    error: String,
) -> Result<NewPage, AppError> {
    let owner = accounts::owner(visitor.user.as_ref(), visitor.guest_id.as_deref());
    let form = start::new_form(&state.ctx, visitor.user.clone(), owner, scenario_id).await?;
    Ok(NewPage::new(visitor, form, state.ai.is_offline(), error))
}

#[derive(Deserialize)]
struct NewQuery {
    scenario_id: Option<String>,
}

/// Sends a learner without preferences to onboarding, to come back here afterwards.
fn onboard_first(req: &HttpRequest, scenario_id: Option<&str>) -> Result<HttpResponse, AppError> {
    let back = match scenario_id {
        Some(id) => format!(
            "/conversations/new?scenario_id={}",
            url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
        ),
        None => "/conversations/new".to_owned(),
    };
    crate::web::visitor::onboard_first(req, &back)
}

async fn new(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let scenario_id = query.into_inner().scenario_id.filter(|s| !s.is_empty());
    let owner = accounts::owner(visitor.user.as_ref(), visitor.guest_id.as_deref());
    if !start::has_preferences(&state.ctx, owner).await? {
        return onboard_first(&req, scenario_id.as_deref());
    }
    let page = new_page(&state, &visitor, scenario_id, String::new()).await?;
    render(&req, page)
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

impl From<StartForm> for Start {
    fn from(form: StartForm) -> Self {
        Start {
            scenario_id: Some(form.scenario_id).filter(|s| !s.is_empty()),
            language: form.language,
            mode: if form.mode.is_empty() {
                "traditional".into()
            } else {
                form.mode
            },
        }
    }
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<StartForm>,
) -> Result<HttpResponse, AppError> {
    let (owner, cookie) = owner(&state, &visitor);
    let input = Start::from(form.into_inner());
    let scenario_id = input.scenario_id.clone();
    let started = match start::start(&state.ctx, owner, input).await {
        Ok(started) => started,
        Err(ConversationError::Invalid(m)) => {
            let page = new_page(&state, &visitor, scenario_id, m).await?;
            return render_with_status(&req, StatusCode::UNPROCESSABLE_ENTITY, page);
        }
        Err(ConversationError::Limit(m)) => {
            let page = new_page(&state, &visitor, scenario_id, m).await?.limited();
            return render_with_status(&req, StatusCode::FORBIDDEN, page);
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(m) = started.opening_failed {
        crate::web::visitor::flash(&req, "error", m);
    }
    let mut res = to_conversation(&started.conversation.id);
    if let Some(c) = cookie {
        res.add_cookie(&c)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("a cookie could not be set: {e}")))?;
    }
    Ok(res)
}

#[derive(Template, WebTemplate)]
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
    /// Whether the offline partner could not match the last message (the hint panel opens).
    stuck: bool,
    csrf_token: String,
    /// How far the conversation has come (`views::progress_sentence`).
    progress: String,
    /// Whether the learner has not written yet (the offline partner's notice opens).
    first_turn: bool,
    max_chars: usize,
    error: String,
    assist: Assistance,
    /// Which reading aids (furigana, pinyin, romanization) are shown.
    aids: views::AidsShown,
    /// The reading-aid choices offered: (value, label, chosen).
    aids_options: Vec<(&'static str, &'static str, bool)>,
    /// Whether the language has reading aids at all (else no toggle).
    has_aids: bool,
    /// Whether the provider speaks and transcribes (otherwise the browser's voices).
    provider_voice: bool,
    /// The session's clock (none for a conversation from before metering).
    clock: Option<views::ClockView>,
    /// The conversation ended because the session's time ran out.
    capped: bool,
    /// A realtime voice conversation: the call panel replaces the composer.
    realtime: bool,
    /// What the partner is told shortly before the deadline (sent by the browser).
    wrap_up: &'static str,
    wrap_up_seconds: i64,
}

impl ShowPage {
    fn new(
        visitor: &Visitor,
        t: Transcript,
        offline: bool,
        error: String,
        assist: Assistance,
    ) -> Self {
        let first_turn = !t
            .messages
            .iter()
            .any(|m| m.role == crate::db::types::MessageRole::User);
        let (pending, ended, stuck) = (t.pending, t.ended(), t.progress.stuck());
        let progress = views::progress_sentence(&t.progress);
        let csrf = visitor.csrf_token();
        let c = &t.conversation;
        let lang = c.target_language_id.clone();
        let title = c.title.clone().unwrap_or_default();
        let aids = views::AidsShown::for_language(&lang, visitor.reading_aids.choice(&lang));
        let realtime = c.mode == crate::db::types::ConversationMode::Realtime;
        Self {
            layout: visitor.layout(format!("{title} — Kaiwa"), "A conversation."),
            id: c.id.clone(),
            messages: t
                .messages
                .into_iter()
                .map(|m| {
                    let view = MessageView::of(m, &lang);
                    // why: offline, translations are authored; asking for one would only fail.
                    if offline {
                        view
                    } else {
                        view.translatable(&c.id, &csrf)
                    }
                })
                .collect(),
            title,
            lang,
            voice: t.voice.clone(),
            // why: in a call the partner speaks; no text reply is owed.
            pending: pending && !realtime,
            ended,
            offline,
            hint: t.extras.hint.unwrap_or_default(),
            suggestions: t.extras.suggested_replies,
            stuck,
            csrf_token: csrf,
            progress,
            first_turn,
            max_chars: convo::MAX_MESSAGE_CHARS,
            error,
            assist,
            aids,
            aids_options: views::AidsShown::options(&c.target_language_id)
                .into_iter()
                .map(|(value, label)| (value, label, value == aids.as_str()))
                .collect(),
            has_aids: convo::reading_aids::has_aids(&c.target_language_id),
            provider_voice: !offline,
            clock: t
                .clock
                .as_ref()
                .filter(|_| !ended)
                .map(views::ClockView::new),
            capped: ended && t.clock.as_ref().is_some_and(|c| c.capped),
            realtime,
            wrap_up: convo::realtime::WRAP_UP_INSTRUCTION,
            wrap_up_seconds: convo::realtime::WRAP_UP_BEFORE_SECONDS,
        }
    }
}

/// The conversation page with an error message or a help panel.
async fn show_page(
    state: &AppState,
    visitor: &Visitor,
    owner: Owner,
    id: ConversationId,
    error: String,
    assist: Assistance,
) -> Result<ShowPage, AppError> {
    let transcript = convo::show::transcript(&state.ctx, owner, id).await?;
    Ok(ShowPage::new(
        visitor,
        transcript,
        state.ai.is_offline(),
        error,
        assist,
    ))
}

/// The conversation page again, with why the learner's input was refused (422).
async fn invalid(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    owner: Owner,
    id: ConversationId,
    error: String,
) -> Result<HttpResponse, AppError> {
    let page = show_page(state, visitor, owner, id, error, Assistance::default()).await?;
    render_with_status(req, StatusCode::UNPROCESSABLE_ENTITY, page)
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
) -> Result<HttpResponse, AppError> {
    let (owner, _) = owner(&state, &visitor);
    let assist = crate::web::visitor::take_kept::<Assistance>(&req).unwrap_or_default();
    let page = show_page(
        &state,
        &visitor,
        owner,
        id.into_inner(),
        String::new(),
        assist,
    )
    .await?;
    render(&req, page)
}

#[derive(Template, WebTemplate)]
#[template(path = "conversations/_sent.html")]
struct SentFragment {
    message: MessageView,
    stream_url: String,
}

impl SentFragment {
    /// The learner's message just stored in conversation `id`, and the reply stream to follow.
    fn new(sent: &convo::send::Sent, id: &str) -> Self {
        Self {
            message: MessageView::new(&sent.message, &sent.language),
            stream_url: format!("/conversations/{id}/stream"),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(
    source = "<p class=\"form-error\" role=\"alert\">{{ error }}</p>",
    ext = "html"
)]
struct ErrorFragment {
    error: String,
}

impl ErrorFragment {
    /// The session's time ran out before the message came (403); the box keeps the text.
    fn time_up(req: &HttpRequest) -> Result<HttpResponse, AppError> {
        let error = format!(
            "{} Your message is still in the box.",
            ConversationError::TimeUp
        );
        render_with_status(req, StatusCode::FORBIDDEN, Self { error })
    }

    /// Why a message was refused, for the form's error slot (422).
    fn answer(req: &HttpRequest, error: String) -> Result<HttpResponse, AppError> {
        render_with_status(req, StatusCode::UNPROCESSABLE_ENTITY, Self { error })
    }
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    content: String,
}

/// Stores the learner's message. htmx gets the message and the stream to follow; without JS
/// the whole reply is waited for, then back to the page.
async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
    form: web::Form<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let (owner, id) = (owner(&state, &visitor).0, id.into_inner());
    let content = form.into_inner().content;
    match convo::send::send(&state.ctx, owner.clone(), id.clone(), content.clone()).await {
        Ok(sent) if sent.last => time_up(&req, &id, TIME_UP_KEPT),
        Ok(sent) if is_htmx(&req) => render(&req, SentFragment::new(&sent, &id)),
        Ok(_) => reply_then_show(&req, &state, &owner, &id).await,
        Err(ConversationError::Invalid(m)) if is_htmx(&req) => ErrorFragment::answer(&req, m),
        Err(ConversationError::Invalid(m)) => invalid(&req, &state, &visitor, owner, id, m).await,
        Err(ConversationError::TimeUp) if is_htmx(&req) => ErrorFragment::time_up(&req),
        Err(ConversationError::TimeUp) => {
            let m = format!(
                "{} Your unsent message: “{content}”",
                ConversationError::TimeUp
            );
            time_up(&req, &id, &m)
        }
        Err(e) => Err(e.into()),
    }
}

const TIME_UP_KEPT: &str = "This session's time is up: your last message is saved and the \
    conversation has ended. See your feedback, or start another conversation.";

/// Back to the conversation (now ended) with why; htmx reloads the page.
fn time_up(req: &HttpRequest, id: &str, message: &str) -> Result<HttpResponse, AppError> {
    crate::web::visitor::flash(req, "error", message.to_owned());
    if is_htmx(req) {
        return Ok(HttpResponse::Ok()
            .insert_header(("HX-Redirect", format!("/conversations/{id}")))
            .finish());
    }
    Ok(to_conversation(id))
}

/// Adds one of the tier's extensions to the session, then back to the conversation.
async fn extend(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
) -> Result<HttpResponse, AppError> {
    let (owner, id) = (owner(&state, &visitor).0, id.into_inner());
    let clock = usage::extend(&state.ctx, owner, id.to_string()).await?;
    let added = crate::app::pricing::format_duration(clock.extension_seconds);
    crate::web::visitor::flash(&req, "info", format!("{added} added to this session."));
    Ok(to_conversation(&id))
}

/// Retries an owed reply without JS.
async fn reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<ConversationId>,
) -> Result<HttpResponse, AppError> {
    let (owner, id) = (owner(&state, &visitor).0, id.into_inner());
    convo::show::check(&state.ctx, owner.clone(), id.clone()).await?;
    reply_then_show(&req, &state, &owner, &id).await
}
