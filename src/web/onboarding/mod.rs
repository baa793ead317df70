//! `/onboarding` (one question per screen; htmx swaps the next step in place, and without
//! JS each answer is a plain POST and redirect) in `steps.rs`, and `/settings` (every answer
//! on one page) in `settings.rs`. The form both post, read into typed answers, and how an
//! [`OnboardingError`] is answered are here; the choices they show are in `views.rs` and
//! `choices.rs` (which the account pages share).

mod settings;
mod steps;
mod views;

use actix_web::web;
use serde::Deserialize;

use crate::app::onboarding::{self, Answer, OnboardingError, Step};
use crate::web::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/onboarding", web::get().to(steps::show))
        .route("/onboarding", web::post().to(steps::answer))
        .route("/settings", web::get().to(settings::show))
        .route("/settings", web::post().to(settings::update))
        .route(
            "/settings/time-zone",
            web::post().to(settings::update_time_zone),
        );
}

impl From<OnboardingError> for AppError {
    fn from(e: OnboardingError) -> Self {
        match e {
            OnboardingError::Invalid(m) => Self::Unprocessable(m),
            OnboardingError::NeedsLanguage => {
                Self::Unprocessable(OnboardingError::NeedsLanguage.to_string())
            }
            OnboardingError::Db(d) => d.into(),
            OnboardingError::Unavailable(d) => d.into(),
        }
    }
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
    /// The browser's IANA time zone (a hidden field filled by `static/js/time_zone.js`).
    time_zone: Option<String>,
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

/// The typed answer of one step, read from the form.
impl TryFrom<(Step, &AnswerForm)> for Answer {
    type Error = OnboardingError;

    fn try_from((step, f): (Step, &AnswerForm)) -> Result<Self, OnboardingError> {
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
}

use crate::web::is_htmx;

/// `res` with the new guest's cookie, when one was made.
use crate::web::visitor::with_guest_cookie as with_guest;
