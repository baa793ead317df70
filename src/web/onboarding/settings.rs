//! `/settings`: every onboarding answer on one page, saved all or nothing.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;

use super::views::Questions;
use super::{with_guest, AnswerForm};
use crate::app::accounts::time_zone;
use crate::app::onboarding::preferences::{self, Current, Saved};
use crate::app::onboarding::{Answer, OnboardingError, Step};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{flash, Visitor};
use crate::web::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "onboarding/settings.html")]
struct SettingsPage {
    layout: Layout,
    error: String,
    q: Questions,
    /// A signed-in learner's time zone and the zones to choose from.
    time_zone: Option<TimeZoneChoice>,
}

/// The time zone field: the learner's zone, and the IANA names it suggests.
struct TimeZoneChoice {
    current: String,
    options: Vec<&'static str>,
}

impl TimeZoneChoice {
    fn new(current: &str) -> Self {
        Self {
            current: current.to_owned(),
            options: time_zone::choices(),
        }
    }
}

impl SettingsPage {
    fn new(visitor: &Visitor, current: Current, error: String) -> Self {
        Self {
            layout: visitor.layout("Preferences — Kaiwa", "Your learning preferences."),
            error,
            q: Questions::new(current.prefs.as_ref(), &current.languages),
            time_zone: visitor
                .user
                .as_ref()
                .map(|u| TimeZoneChoice::new(&u.time_zone)),
        }
    }

    fn answer(
        self,
        req: &HttpRequest,
        status: StatusCode,
        cookie: Option<Cookie<'static>>,
    ) -> Result<HttpResponse, AppError> {
        with_guest(crate::web::render_with_status(req, status, self)?, cookie)
    }
}

/// Every answer of the settings form, or why one could not be read.
fn every_answer(form: &AnswerForm) -> Result<Vec<Answer>, OnboardingError> {
    [
        Step::Language,
        Step::Goal,
        Step::Levels,
        Step::Challenge,
        Step::Correction,
        Step::Goals,
    ]
    .into_iter()
    .map(|s| Answer::try_from((s, form)))
    .collect()
}

pub(super) async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let (owner, cookie) = visitor.owner_or_new_guest(state.settings.secure_cookies());
    let current = preferences::current(&state.ctx, owner).await?;
    SettingsPage::new(&visitor, current, String::new()).answer(&req, StatusCode::OK, cookie)
}

pub(super) async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let answers = every_answer(&form);
    let (owner, cookie) = visitor.owner_or_new_guest(state.settings.secure_cookies());
    match preferences::save(&state.ctx, owner, answers).await? {
        Saved::Saved => {
            flash(&req, "info", "Your preferences are saved.");
            with_guest(crate::web::see_other("/settings"), cookie)
        }
        Saved::Refused { reason, current } => {
            let page = SettingsPage::new(&visitor, *current, reason);
            page.answer(&req, StatusCode::UNPROCESSABLE_ENTITY, cookie)
        }
    }
}

#[derive(serde::Deserialize)]
pub(super) struct TimeZoneForm {
    #[serde(default)]
    time_zone: String,
}

/// Changes a signed-in learner's time zone; an unknown name is a 422 saying so.
pub(super) async fn update_time_zone(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<TimeZoneForm>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/settings")?.clone();
    let zone = time_zone::set(&state.ctx, user, form.into_inner().time_zone).await?;
    flash(&req, "info", format!("Your time zone is now {zone}."));
    Ok(crate::web::see_other("/settings"))
}
