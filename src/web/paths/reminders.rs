//! Daily reminders of a path: the dashboard's panel (`POST /paths/{id}/reminders`; htmx swaps
//! the panel, without JS a 303 back to the dashboard) and the emailed one-click unsubscribe
//! link (`GET /unsubscribe/{token}` asks, `POST` turns reminders off; no sign-in, and the
//! POST is exempt from the CSRF token because mail clients send it, RFC 8058).

use actix_web::http::header::{HeaderValue, VARY};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::app::paths::{self, Reminder, ReminderPanel, Unsubscribe};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{flash, Visitor};
use crate::web::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/paths/{id}/reminders", web::post().to(update))
        .route("/unsubscribe/{token}", web::get().to(confirm))
        .route("/unsubscribe/{token}", web::post().to(unsubscribe));
}

/// The reminder panel as `templates/paths/_reminders.html` shows it.
pub struct RemindersView {
    pub path_id: String,
    pub enabled: bool,
    pub time: String,
    pub time_zone: String,
    pub active: bool,
    pub summary: String,
}

impl RemindersView {
    pub fn new(p: &ReminderPanel) -> Self {
        let summary = if p.enabled {
            format!(
                "Reminders are on: an email after {} ({}) on days you haven't practised yet.",
                p.time, p.time_zone
            )
        } else {
            "Reminders are off.".to_owned()
        };
        Self {
            path_id: p.path_id.clone(),
            enabled: p.enabled,
            time: p.time.clone(),
            time_zone: p.time_zone.clone(),
            active: p.active,
            summary,
        }
    }
}

/// What the panel's template reads as `view`.
struct PanelOnly {
    reminders: RemindersView,
}

#[derive(Template, WebTemplate)]
#[template(source = "{% include \"paths/_reminders.html\" %}", ext = "html")]
struct RemindersFragment {
    layout: Layout,
    view: PanelOnly,
}

#[derive(Deserialize)]
struct ReminderForm {
    #[serde(default)]
    enabled: String,
    #[serde(default)]
    time: String,
}

impl TryFrom<ReminderForm> for Reminder {
    type Error = AppError;

    fn try_from(f: ReminderForm) -> Result<Self, AppError> {
        Ok(Reminder::parse(&f.enabled, &f.time)?)
    }
}

async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<ReminderForm>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(req.path())?.clone();
    let (id, reminder) = (id.into_inner(), Reminder::try_from(form.into_inner())?);
    let view =
        RemindersView::new(&paths::set_reminders(&state.ctx, user, id.clone(), reminder).await?);
    let mut res = if super::is_htmx(&req) {
        let (layout, view) = (visitor.layout("", ""), PanelOnly { reminders: view });
        crate::web::render(&req, RemindersFragment { layout, view })?
    } else {
        flash(&req, "info", view.summary);
        super::see_other(&format!("/paths/{id}"))
    };
    res.headers_mut()
        .insert(VARY, HeaderValue::from_static("HX-Request"));
    Ok(res)
}

#[derive(Template, WebTemplate)]
#[template(path = "paths/unsubscribe.html")]
struct UnsubscribePage {
    layout: Layout,
    token: String,
    path_title: String,
    enabled: bool,
    done: bool,
}

impl UnsubscribePage {
    fn new(visitor: &Visitor, token: String, u: Unsubscribe, done: bool) -> Self {
        Self {
            layout: visitor.layout("Path reminders — Kaiwa", "Stop a path's daily reminders."),
            token,
            path_title: u.path_title,
            enabled: u.enabled,
            done,
        }
    }
}

async fn confirm(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<UnsubscribePage, AppError> {
    let token = token.into_inner();
    let target = paths::unsubscribe_target(&state.ctx, token.clone()).await?;
    Ok(UnsubscribePage::new(&visitor, token, target, false))
}

async fn unsubscribe(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<UnsubscribePage, AppError> {
    let token = token.into_inner();
    let done = paths::unsubscribe(&state.ctx, token.clone()).await?;
    Ok(UnsubscribePage::new(&visitor, token, done, true))
}
