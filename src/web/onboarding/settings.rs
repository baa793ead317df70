//! `/settings`: every onboarding answer on one page, saved all or nothing.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::views::Questions;
use super::{with_guest, AnswerForm};
use crate::app::onboarding::preferences::{self, Current, Saved};
use crate::app::onboarding::{Answer, OnboardingError, Step};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{flash, Visitor};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "onboarding/settings.html")]
struct SettingsPage {
    layout: Layout,
    error: String,
    q: Questions,
}

impl SettingsPage {
    fn new(visitor: &Visitor, current: Current, error: String) -> Self {
        Self {
            layout: visitor.layout("Preferences — Kaiwa", "Your learning preferences."),
            error,
            q: Questions::new(current.prefs.as_ref(), &current.languages),
        }
    }

    fn answer(
        self,
        status: StatusCode,
        cookie: Option<Cookie<'static>>,
    ) -> Result<HttpResponse, AppError> {
        let body = self.render()?;
        Ok(with_guest(&mut HttpResponse::build(status), cookie)
            .content_type("text/html; charset=utf-8")
            .body(body))
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
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let (owner, cookie) = visitor.owner_or_new_guest(state.settings.secure_cookies());
    let current = preferences::current(&state.ctx, owner).await?;
    SettingsPage::new(&visitor, current, String::new()).answer(StatusCode::OK, cookie)
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
            let mut res = HttpResponse::SeeOther();
            res.insert_header(("Location", "/settings"));
            Ok(with_guest(&mut res, cookie).finish())
        }
        Saved::Refused { reason, current } => SettingsPage::new(&visitor, *current, reason)
            .answer(StatusCode::UNPROCESSABLE_ENTITY, cookie),
    }
}
