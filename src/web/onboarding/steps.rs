//! `/onboarding`: one question per screen. htmx swaps each next step in place (and pushes
//! its URL); without JS each answer is a plain POST and a redirect to the next step.

use actix_web::cookie::Cookie;
use actix_web::http::header::{HeaderName, HeaderValue, VARY};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::views::Questions;
use super::{is_htmx, with_guest, AnswerForm};
use crate::app::onboarding::steps::{self, StepView};
use crate::app::onboarding::{Answer, OnboardingError, Step, QUESTION_COUNT};
use crate::web::components::ScenarioCard;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "onboarding/index.html")]
struct StepPage {
    layout: Layout,
    continue_to: String,
    step: &'static str,
    number: usize,
    total: usize,
    back: String,
    error: String,
    q: Questions,
    recommendations: Vec<ScenarioCard>,
}

#[derive(Template, WebTemplate)]
#[template(path = "onboarding/index.html", block = "step")]
struct StepFragment {
    continue_to: String,
    step: &'static str,
    number: usize,
    total: usize,
    back: String,
    error: String,
    q: Questions,
    recommendations: Vec<ScenarioCard>,
    layout: Layout,
}

/// Where the learner goes after the last step: the page that sent them to onboarding, read
/// (and forgotten) when the last step is shown.
fn continue_to(req: &HttpRequest, step: Step) -> String {
    use actix_session::SessionExt;
    if step != Step::Done {
        return String::new();
    }
    req.get_session()
        .remove_as::<String>(crate::web::visitor::AFTER_ONBOARDING_KEY)
        .and_then(Result::ok)
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_default()
}

fn step_url(step: Step) -> String {
    format!("/onboarding?step={}", step.slug())
}

impl StepPage {
    fn new(req: &HttpRequest, visitor: &Visitor, view: StepView, error: String) -> Self {
        let step = view.step;
        Self {
            layout: visitor.layout("Get started — Kaiwa", "Tell us what you want to practise."),
            continue_to: continue_to(req, step),
            step: step.slug(),
            number: step.number().min(QUESTION_COUNT),
            total: QUESTION_COUNT,
            back: step.previous().map(step_url).unwrap_or_default(),
            error,
            q: Questions::new(view.prefs.as_ref(), &view.languages),
            recommendations: view
                .recommendations
                .iter()
                .map(ScenarioCard::from)
                .collect(),
        }
    }

    /// The whole page, or for htmx only the step (with the URL to push); `error` says why
    /// an answer was refused (422).
    fn answer(
        req: &HttpRequest,
        visitor: &Visitor,
        view: StepView,
        error: Option<String>,
        cookie: Option<Cookie<'static>>,
    ) -> Result<HttpResponse, AppError> {
        let status = match error {
            Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
            None => StatusCode::OK,
        };
        let step = view.step;
        let page = Self::new(req, visitor, view, error.unwrap_or_default());
        let mut res = if is_htmx(req) {
            let push_url = HeaderValue::try_from(step_url(step)).map_err(|e| {
                AppError::Internal(anyhow::anyhow!("a step URL is not a header value: {e}"))
            })?;
            let mut res = crate::web::render_with_status(req, status, StepFragment::from(page))?;
            res.headers_mut()
                .insert(HeaderName::from_static("hx-push-url"), push_url);
            res
        } else {
            crate::web::render_with_status(req, status, page)?
        };
        res.headers_mut()
            .insert(VARY, HeaderValue::from_static("HX-Request"));
        with_guest(res, cookie)
    }
}

impl From<StepPage> for StepFragment {
    fn from(p: StepPage) -> Self {
        Self {
            continue_to: p.continue_to,
            step: p.step,
            number: p.number,
            total: p.total,
            back: p.back,
            error: p.error,
            q: p.q,
            recommendations: p.recommendations,
            layout: p.layout,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct StepQuery {
    step: Option<String>,
}

pub(super) async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<StepQuery>,
) -> Result<HttpResponse, AppError> {
    let step = query.step.as_deref().and_then(Step::from_slug);
    let (owner, cookie) = visitor.owner_or_new_guest(state.settings.secure_cookies());
    let view = steps::step(&state.ctx, owner, step.unwrap_or(Step::Language)).await?;
    StepPage::answer(&req, &visitor, view, None, cookie)
}

/// One step's answer as posted: the step (an unknown one is a bad request) and its answer,
/// or why it could not be read.
struct StepAnswer {
    step: Step,
    answer: Result<Answer, OnboardingError>,
    time_zone: Option<String>,
}

impl TryFrom<AnswerForm> for StepAnswer {
    type Error = AppError;

    fn try_from(form: AnswerForm) -> Result<Self, AppError> {
        let step = Step::from_slug(&form.step)
            .filter(|s| *s != Step::Done)
            .ok_or_else(|| AppError::BadRequest("Unknown onboarding step.".into()))?;
        let answer = Answer::try_from((step, &form));
        Ok(Self {
            step,
            answer,
            time_zone: form.time_zone,
        })
    }
}

pub(super) async fn answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let form = StepAnswer::try_from(form.into_inner())?;
    let (owner, cookie) = visitor.owner_or_new_guest(state.settings.secure_cookies());
    let answered = steps::answer(&state.ctx, owner, form.step, form.answer, form.time_zone).await?;
    if answered.refused.is_none() && !is_htmx(&req) {
        let next = step_url(answered.view.step);
        return with_guest(crate::web::see_other(&next), cookie);
    }
    StepPage::answer(&req, &visitor, answered.view, answered.refused, cookie)
}
