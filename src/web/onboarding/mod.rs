//! `/onboarding` (one question per screen; htmx swaps the next step in place, and without
//! JS each answer is a plain POST and redirect) and `/settings` (every answer on one page).

mod views;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use crate::app::onboarding::{self, Answer, OnboardingError, Step};
use crate::db::queries::{self, preferences::Owner};
use crate::web::catalog::views::ScenarioCard;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{flash, Visitor};
use crate::web::AppState;
use views::{Choice, LevelQuestion};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/onboarding", web::get().to(show))
        .route("/onboarding", web::post().to(answer))
        .route("/settings", web::get().to(settings))
        .route("/settings", web::post().to(update_settings));
}

/// Everything a step (or the settings page) can show; templates pick what they need.
struct Questions {
    languages: Vec<Choice>,
    goals: Vec<Choice>,
    levels: Vec<LevelQuestion>,
    challenges: Vec<Choice>,
    corrections: Vec<Choice>,
    goals_text: String,
}

#[derive(Template)]
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

#[derive(Template)]
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

#[derive(Deserialize)]
struct StepQuery {
    step: Option<String>,
}

/// Loads what `step` shows for `owner`. A step after the first needs a language first.
async fn load(
    state: &web::Data<AppState>,
    owner: Owner,
    step: Step,
) -> Result<(Step, Questions, Vec<ScenarioCard>), AppError> {
    state
        .db(move |c| {
            let prefs = queries::preferences::find(c, &owner)?;
            let step = if prefs.is_none() {
                Step::Language
            } else {
                step
            };
            let languages = queries::languages::list_active(c)?;
            let recommendations = if step == Step::Done {
                let (_, picks) = onboarding::recommendations(c, &owner)
                    .map_err(|e| AppError::Internal(e.into()))?;
                picks.iter().map(ScenarioCard::from).collect()
            } else {
                Vec::new()
            };
            let p = prefs.as_ref();
            let questions = Questions {
                languages: views::languages(&languages, p),
                goals: views::goals(p),
                levels: views::levels(p),
                challenges: views::challenges(p),
                corrections: views::corrections(p),
                goals_text: p.map(|p| p.specific_goals.join("\n")).unwrap_or_default(),
            };
            Ok((step, questions, recommendations))
        })
        .await
}

async fn respond(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    visitor: &Visitor,
    (owner, cookie): (Owner, Option<actix_web::cookie::Cookie<'static>>),
    step: Step,
    error: String,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, AppError> {
    let (step, q, recommendations) = load(state, owner, step).await?;
    let back = step
        .previous()
        .map(|s| format!("/onboarding?step={}", s.slug()))
        .unwrap_or_default();
    let layout = visitor.layout("Get started — Kaiwa", "Tell us what you want to practise.");
    let (slug, number, total) = (
        step.slug(),
        step.number().min(onboarding::QUESTION_COUNT),
        onboarding::QUESTION_COUNT,
    );
    let htmx = req.headers().contains_key("hx-request");
    // why: the stored destination is used once, when the last step is shown.
    let continue_to = if step == Step::Done {
        use actix_session::SessionExt;
        req.get_session()
            .remove_as::<String>(crate::web::conversations::AFTER_ONBOARDING_KEY)
            .and_then(Result::ok)
            .filter(|p| p.starts_with('/') && !p.starts_with("//"))
            .unwrap_or_default()
    } else {
        String::new()
    };
    let body = if htmx {
        StepFragment {
            continue_to,
            step: slug,
            number,
            total,
            back,
            error,
            q,
            recommendations,
            layout,
        }
        .render()?
    } else {
        StepPage {
            continue_to,
            layout,
            step: slug,
            number,
            total,
            back,
            error,
            q,
            recommendations,
        }
        .render()?
    };
    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8")
        .insert_header(("Vary", "HX-Request"));
    if htmx {
        res.insert_header(("HX-Push-Url", format!("/onboarding?step={slug}")));
    }
    if let Some(c) = cookie {
        res.cookie(c);
    }
    Ok(res.body(body))
}

/// The visitor's preferences owner, creating a guest id (and its cookie) when needed.
fn owner_of(
    state: &web::Data<AppState>,
    visitor: &Visitor,
) -> (Owner, Option<actix_web::cookie::Cookie<'static>>) {
    visitor.owner_or_new_guest(state.settings.secure_cookies())
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<StepQuery>,
) -> Result<HttpResponse, AppError> {
    let step = query
        .step
        .as_deref()
        .and_then(Step::from_slug)
        .unwrap_or(Step::Language);
    let (owner, cookie) = owner_of(&state, &visitor);
    respond(
        &req,
        &state,
        &visitor,
        (owner, cookie),
        step,
        String::new(),
        actix_web::http::StatusCode::OK,
    )
    .await
}

/// Every field either form can send; each step reads its own.
#[derive(Deserialize, Default)]
struct AnswerForm {
    #[serde(default)]
    step: String,
    language: Option<String>,
    goal: Option<String>,
    speaking: Option<String>,
    listening: Option<String>,
    reading: Option<String>,
    writing: Option<String>,
    challenge: Option<String>,
    correction: Option<String>,
    goals: Option<String>,
}

fn required<'a>(value: &'a Option<String>, message: &str) -> Result<&'a str, OnboardingError> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| OnboardingError::Invalid(message.into()))
}

fn parse_enum<T: std::str::FromStr>(
    value: &Option<String>,
    message: &str,
) -> Result<T, OnboardingError> {
    required(value, message)?
        .parse()
        .map_err(|_| OnboardingError::Invalid(message.into()))
}

fn level(value: &Option<String>) -> Result<i32, OnboardingError> {
    let v: i32 = required(value, "Choose a level for each skill.")?
        .parse()
        .map_err(|_| OnboardingError::Invalid("Choose a level for each skill.".into()))?;
    onboarding::check_level(v)
}

/// The typed answer of one step.
fn answer_for(step: Step, f: &AnswerForm) -> Result<Answer, OnboardingError> {
    Ok(match step {
        Step::Language => Answer::Language(
            required(&f.language, "Choose the language you want to practise.")?.to_owned(),
        ),
        Step::Goal => Answer::Goal(parse_enum(&f.goal, "Choose what you're learning for.")?),
        Step::Levels => Answer::Levels {
            speaking: level(&f.speaking)?,
            listening: level(&f.listening)?,
            reading: level(&f.reading)?,
            writing: level(&f.writing)?,
        },
        Step::Challenge => Answer::Challenge(parse_enum(
            &f.challenge,
            "Choose how much challenge you want.",
        )?),
        Step::Correction => Answer::Correction(parse_enum(
            &f.correction,
            "Choose how you'd like to be corrected.",
        )?),
        Step::Goals | Step::Done => Answer::Goals(onboarding::parse_goals(
            f.goals.as_deref().unwrap_or_default(),
        )?),
    })
}

async fn answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let step = Step::from_slug(&form.step)
        .filter(|s| *s != Step::Done)
        .ok_or_else(|| AppError::BadRequest("Unknown onboarding step.".into()))?;
    let (owner, cookie) = owner_of(&state, &visitor);
    let saved = match answer_for(step, &form) {
        Ok(answer) => {
            let o = owner.clone();
            state
                .db(move |c| Ok(onboarding::save(c, &o, answer, Utc::now().naive_utc())))
                .await?
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) if req.headers().contains_key("hx-request") => {
            respond(
                &req,
                &state,
                &visitor,
                (owner, cookie),
                step.next(),
                String::new(),
                actix_web::http::StatusCode::OK,
            )
            .await
        }
        Ok(_) => {
            let mut res = HttpResponse::SeeOther();
            res.insert_header((
                "Location",
                format!("/onboarding?step={}", step.next().slug()),
            ));
            if let Some(c) = cookie {
                res.cookie(c);
            }
            Ok(res.finish())
        }
        Err(OnboardingError::Db(e)) => Err(e.into()),
        Err(e) => {
            let status = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
            respond(
                &req,
                &state,
                &visitor,
                (owner, cookie),
                step,
                e.to_string(),
                status,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "onboarding/settings.html")]
struct SettingsPage {
    layout: Layout,
    error: String,
    q: Questions,
}

async fn settings(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let (owner, cookie) = owner_of(&state, &visitor);
    let (_, q, _) = load(&state, owner, Step::Goal).await?;
    let page = SettingsPage {
        layout: visitor.layout("Preferences — Kaiwa", "Your learning preferences."),
        error: String::new(),
        q,
    };
    let mut res = HttpResponse::Ok();
    if let Some(c) = cookie {
        res.cookie(c);
    }
    Ok(res
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

async fn update_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (owner, cookie) = owner_of(&state, &visitor);
    let answers: Result<Vec<Answer>, OnboardingError> = [
        Step::Language,
        Step::Goal,
        Step::Levels,
        Step::Challenge,
        Step::Correction,
        Step::Goals,
    ]
    .into_iter()
    .map(|s| answer_for(s, &form))
    .collect();
    let o = owner.clone();
    let saved = match answers {
        Ok(answers) => {
            state
                .db(move |c| Ok(onboarding::save_all(c, &o, answers, Utc::now().naive_utc())))
                .await?
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => {
            flash(&req, "info", "Your preferences are saved.");
            let mut res = HttpResponse::SeeOther();
            res.insert_header(("Location", "/settings"));
            if let Some(c) = cookie {
                res.cookie(c);
            }
            Ok(res.finish())
        }
        Err(OnboardingError::Db(e)) => Err(e.into()),
        Err(e) => {
            let (_, q, _) = load(&state, owner, Step::Goal).await?;
            let page = SettingsPage {
                layout: visitor.layout("Preferences — Kaiwa", "Your learning preferences."),
                error: e.to_string(),
                q,
            };
            let mut res = HttpResponse::UnprocessableEntity();
            if let Some(c) = cookie {
                res.cookie(c);
            }
            Ok(res
                .content_type("text/html; charset=utf-8")
                .body(page.render()?))
        }
    }
}
