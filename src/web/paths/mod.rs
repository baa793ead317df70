//! Learning paths: `/paths` (yours, and a new one from your preferences or a sentence), a
//! preview at `/paths/previews/{session_id}` refined in place (htmx swaps the schedule and
//! marks the days that changed; without JS each form posts and comes back), and the
//! dashboard `/paths/{id}`. How a [`PathError`] is answered is decided here.

mod reminders;
mod views;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::{Deserialize, Serialize};

use crate::app::paths::{self, Edited, PathError, Source};
use crate::db::queries::preferences::Owner;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{keep_for_next_page, take_kept, Visitor};
use crate::web::{is_htmx, see_other, AppState};
use views::{DashboardView, PreviewView};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(reminders::routes);
    cfg.service(
        web::scope("/paths")
            .route("", web::get().to(index))
            .route("/previews", web::post().to(start))
            .route("/previews/{session_id}", web::get().to(preview))
            .route("/previews/{session_id}/status", web::get().to(status))
            .route("/previews/{session_id}/refine", web::post().to(refine))
            .route("/previews/{session_id}/undo", web::post().to(undo))
            .route(
                "/previews/{session_id}/days/{n}/regenerate",
                web::post().to(regenerate),
            )
            .route("/previews/{session_id}/days/{n}/pin", web::post().to(pin))
            .route("/previews/{session_id}/commit", web::post().to(commit))
            .route("/{id}", web::get().to(show))
            .route("/{id}/days/{n}/start", web::post().to(start_day))
            .route("/{id}/days/{n}/retry", web::post().to(retry))
            .route("/{id}/archive", web::post().to(archive)),
    );
}

impl From<PathError> for AppError {
    fn from(e: PathError) -> Self {
        match e {
            PathError::NotFound => Self::NotFound,
            PathError::Expired => Self::NotFound,
            PathError::NeedsPreferences => Self::Unprocessable(e.to_string()),
            PathError::Invalid(m) => Self::Unprocessable(m),
            PathError::Db(d) => d.into(),
            PathError::Unavailable(d) => d.into(),
            PathError::Conversation(c) => c.into(),
        }
    }
}

/// Whose previews this visitor reaches: the user's, or the guest's (none without a cookie).
fn owner(visitor: &Visitor) -> Result<Owner, AppError> {
    crate::app::accounts::owner(visitor.user.as_ref(), visitor.guest_id.as_deref())
        .ok_or(AppError::NotFound)
}

#[derive(Template, WebTemplate)]
#[template(path = "paths/index.html")]
struct IndexPage {
    layout: Layout,
    paths: Vec<views::PathRow>,
    /// Not signed in: a preview is theirs until they sign up to keep it.
    guest: bool,
}

async fn index(state: web::Data<AppState>, visitor: Visitor) -> Result<IndexPage, AppError> {
    let paths = match visitor.user.clone() {
        Some(user) => paths::list(&state.ctx, user).await?,
        None => Vec::new(),
    };
    Ok(IndexPage {
        layout: visitor.layout("Learning paths — Kaiwa", "Four-week learning paths."),
        paths: paths.iter().map(views::PathRow::new).collect(),
        guest: visitor.user.is_none(),
    })
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    source: String,
    #[serde(default)]
    intent: String,
    #[serde(default)]
    template: String,
}

async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<StartForm>,
) -> Result<HttpResponse, AppError> {
    let (owner, cookie) = visitor.owner_or_new_guest(state.settings.secure_cookies());
    let source = Source::from_form(&form.source, &form.intent, &form.template)
        .ok_or_else(|| AppError::BadRequest("Choose how to start the path.".into()))?;
    let res = match paths::start_preview(&state.ctx, owner, source).await {
        Err(PathError::NeedsPreferences) => crate::web::visitor::onboard_first(&req, "/paths")?,
        started => see_other(&format!("/paths/previews/{}", started?)),
    };
    crate::web::visitor::with_guest_cookie(res, cookie)
}

#[derive(Template, WebTemplate)]
#[template(path = "paths/preview.html")]
struct PreviewPage {
    layout: Layout,
    view: PreviewView,
    /// Not signed in: committing asks them to sign in first.
    guest: bool,
    /// Whether pieces are swapped out of band (only in [`ChangesFragment`]).
    oob: bool,
}

/// What a step changed: the summary line, the undo control and the changed days, each
/// swapped into the page by id (the rest of the schedule is not sent again).
#[derive(Template, WebTemplate)]
#[template(path = "paths/_changes.html")]
struct ChangesFragment {
    layout: Layout,
    view: PreviewView,
    oob: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "paths/expired.html")]
struct ExpiredPage {
    layout: Layout,
}

/// What a no-JS step leaves for the preview page it redirects to.
#[derive(Serialize, Deserialize, Default)]
struct Marks {
    changed_days: Vec<u8>,
    summary: String,
}

async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    session_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let owner = owner(&visitor)?;
    let marks = take_kept::<Marks>(&req).unwrap_or_default();
    match paths::preview(&state.ctx, owner, session_id.into_inner()).await {
        Err(PathError::Expired) => expired(&req, &visitor),
        page => {
            let offline = state.ai.is_offline();
            let view = PreviewView::new(page?, &marks.changed_days, &marks.summary, offline);
            let layout = visitor.layout(format!("{} — Kaiwa", view.title), "A path preview.");
            crate::web::render(
                &req,
                PreviewPage {
                    guest: visitor.user.is_none(),
                    layout,
                    view,
                    oob: false,
                },
            )
        }
    }
}

fn expired(req: &HttpRequest, visitor: &Visitor) -> Result<HttpResponse, AppError> {
    let layout = visitor.layout("Preview expired — Kaiwa", "This preview has expired.");
    crate::web::render_with_status(req, StatusCode::GONE, ExpiredPage { layout })
}

/// How the drafting of a preview stands: polled by its page while the AI planner works.
#[derive(Template, WebTemplate)]
#[template(path = "paths/_status.html")]
struct StatusFragment {
    view: PreviewView,
}

/// The preview's drafting: still generating, the fragment again (it polls itself); ready,
/// htmx reloads the page (`HX-Refresh`) and a plain request goes back to it.
async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    session_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let owner = owner(&visitor)?;
    let page = match paths::preview(&state.ctx, owner, session_id.into_inner()).await {
        Err(PathError::Expired) => return expired(&req, &visitor),
        page => page?,
    };
    let view = PreviewView::new(page, &[], "", state.ai.is_offline());
    if !view.generating && !is_htmx(&req) {
        return Ok(see_other(&format!("/paths/previews/{}", view.session_id)));
    }
    let ready = !view.generating;
    let mut res = crate::web::render(&req, StatusFragment { view })?;
    if ready {
        res.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("hx-refresh"),
            actix_web::http::header::HeaderValue::from_static("true"),
        );
    }
    Ok(res)
}

/// Answers a preview step: htmx gets what changed ([`ChangesFragment`]), a plain form a
/// redirect back to the preview, which marks the same days.
fn edited(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    edit: Edited,
) -> Result<HttpResponse, AppError> {
    if is_htmx(req) {
        let offline = state.ai.is_offline();
        let view = PreviewView::new(edit.page, &edit.changed_days, &edit.summary, offline);
        let layout = visitor.layout("", "");
        let fragment = ChangesFragment {
            layout,
            view,
            oob: true,
        };
        return crate::web::render(req, fragment);
    }
    let back = format!("/paths/previews/{}", edit.page.session_id);
    let marks = Marks {
        changed_days: edit.changed_days,
        summary: edit.summary,
    };
    keep_for_next_page(req, &marks)?;
    Ok(see_other(&back))
}

#[derive(Deserialize)]
struct RefineForm {
    #[serde(default)]
    instruction: String,
}

async fn refine(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    session_id: web::Path<String>,
    form: web::Form<RefineForm>,
) -> Result<HttpResponse, AppError> {
    let owner = owner(&visitor)?;
    let instruction = form.into_inner().instruction;
    let edit = paths::refine(&state.ctx, owner, session_id.into_inner(), instruction).await?;
    edited(&req, &state, &visitor, edit)
}

async fn undo(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    session_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let owner = owner(&visitor)?;
    let edit = paths::undo(&state.ctx, owner, session_id.into_inner()).await?;
    edited(&req, &state, &visitor, edit)
}

async fn regenerate(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, u8)>,
) -> Result<HttpResponse, AppError> {
    let owner = owner(&visitor)?;
    let (session_id, day) = path.into_inner();
    let edit = paths::regenerate(&state.ctx, owner, session_id, day).await?;
    edited(&req, &state, &visitor, edit)
}

async fn pin(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, u8)>,
) -> Result<HttpResponse, AppError> {
    let owner = owner(&visitor)?;
    let (session_id, day) = path.into_inner();
    let edit = paths::toggle_pin(&state.ctx, owner, session_id, day).await?;
    edited(&req, &state, &visitor, edit)
}

async fn commit(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    session_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let preview = format!("/paths/previews/{session_id}");
    let user = visitor.require_user(&preview)?.clone();
    match paths::commit(&state.ctx, user, session_id.into_inner()).await {
        Err(PathError::Expired) => expired(&req, &visitor),
        path_id => Ok(see_other(&format!("/paths/{}", path_id?))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "paths/show.html")]
struct ShowPage {
    layout: Layout,
    view: DashboardView,
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<ShowPage, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let dashboard = paths::dashboard(&state.ctx, user, id.into_inner()).await?;
    let view = DashboardView::new(dashboard);
    Ok(ShowPage {
        layout: visitor.layout(format!("{} — Kaiwa", view.title), "Your learning path."),
        view,
    })
}

async fn start_day(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, u8)>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let (id, day) = path.into_inner();
    let conversation = paths::start_day(&state.ctx, user, id, day).await?;
    Ok(see_other(&format!("/conversations/{conversation}")))
}

async fn retry(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, u8)>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let (id, day) = path.into_inner();
    paths::retry_generation(&state.ctx, user, id.clone(), day).await?;
    Ok(see_other(&format!("/paths/{id}")))
}

async fn archive(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let id = id.into_inner();
    paths::archive(&state.ctx, user, id.clone()).await?;
    Ok(see_other(&format!("/paths/{id}")))
}
