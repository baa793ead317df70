//! Creators' forms: `/scenarios/new`, `/scenarios/{id}/edit` (each with a preview that
//! saves nothing) and `/scenarios/{id}/deactivate`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;

use super::views::{self, ScenarioDetail};
use super::{see_other, Options};
use crate::app::catalog::authoring::{self, FieldErrors, Intent, RawDraft, Submitted};
use crate::app::courses::day_scenario::{self, DayTarget, ForDay};
use crate::db::types::{CefrLevel, Difficulty, LearningGoal, ScenarioRole, Skill};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{flash, Visitor};
use crate::web::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/new", web::get().to(new))
        .route("", web::post().to(create))
        .route("/{id}/edit", web::get().to(edit))
        .route("/{id}/edit", web::post().to(update))
        .route("/{id}/deactivate", web::post().to(deactivate));
}

fn opts(values: &[(&str, String)], current: &str) -> Options {
    values
        .iter()
        .map(|(v, l)| (v.to_string(), l.clone(), *v == current))
        .collect()
}

/// Which form is shown: a new scenario's, one for a day of a course, or the edit form of
/// an existing one.
enum Which {
    New,
    /// (course id, course title, day): saved, the scenario becomes that day's.
    ForDay(String, String, u8),
    Edit(String),
}

impl From<&DayTarget> for Which {
    fn from(t: &DayTarget) -> Self {
        Which::ForDay(t.course_id.clone(), t.course_title.clone(), t.day)
    }
}

impl Which {
    fn action(&self) -> String {
        match self {
            Which::New | Which::ForDay(..) => "/scenarios".into(),
            Which::Edit(id) => format!("/scenarios/{id}/edit"),
        }
    }

    fn heading(&self) -> &'static str {
        match self {
            Which::New => "Write a scenario",
            Which::ForDay(..) => "Write a scenario for your course",
            Which::Edit(_) => "Edit your scenario",
        }
    }

    /// What the flash says once the form is saved.
    fn saved(&self) -> &'static str {
        match self {
            Which::New | Which::ForDay(..) => "Your scenario is saved.",
            Which::Edit(_) => "Your changes are saved.",
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    heading: String,
    raw: RawDraft,
    errors: FieldErrors,
    roles: Options,
    difficulties: Options,
    levels: Options,
    goals: Options,
    skills: Options,
    visibilities: Options,
    categories: Options,
    preview: Option<ScenarioDetail>,
    /// (course id, course title, day) when the form is for a day of a course.
    for_day: Option<(String, String, u8)>,
}

impl FormPage {
    fn new(
        visitor: &Visitor,
        which: &Which,
        raw: RawDraft,
        errors: FieldErrors,
        preview: Option<ScenarioDetail>,
    ) -> Self {
        let heading = which.heading();
        let for_day = match which {
            Which::ForDay(id, title, day) => Some((id.clone(), title.clone(), *day)),
            _ => None,
        };
        let role_values: Vec<(&str, String)> = ScenarioRole::ALL
            .iter()
            .map(|r| (r.as_str(), views::role_label(*r).to_owned()))
            .collect();
        let diff: Vec<(&str, String)> = Difficulty::ALL
            .iter()
            .map(|d| (d.as_str(), d.to_string()))
            .collect();
        let lv: Vec<(&str, String)> = CefrLevel::ALL
            .iter()
            .map(|l| (l.as_str(), l.to_string()))
            .collect();
        let mut goals: Vec<(&str, String)> = vec![("", "None in particular".to_owned())];
        goals.extend(
            LearningGoal::ALL
                .iter()
                .map(|g| (g.as_str(), g.to_string())),
        );
        let skills: Vec<(&str, String)> = Skill::ALL
            .iter()
            .map(|s| (s.as_str(), s.to_string()))
            .collect();
        let vis = vec![
            ("public", "Public: anyone can find it".to_owned()),
            ("private", "Private: only you".to_owned()),
        ];
        Self {
            layout: visitor.layout(format!("{heading} — Kaiwa"), "Write a role-play scenario."),
            action: which.action(),
            heading: heading.to_owned(),
            roles: opts(&role_values, &raw.role),
            difficulties: opts(&diff, &raw.difficulty),
            levels: opts(&lv, &raw.cefr_level),
            goals: opts(&goals, &raw.learning_goal),
            skills: opts(&skills, &raw.primary_skill),
            visibilities: opts(
                &vis,
                if raw.visibility.is_empty() {
                    "public"
                } else {
                    &raw.visibility
                },
            ),
            categories: views::categories()
                .into_iter()
                .map(|(v, l)| (v.to_owned(), l, raw.categories.iter().any(|c| c == v)))
                .collect(),
            raw,
            errors,
            preview,
            for_day,
        }
    }

    /// The form as an HTML answer with `status`.
    fn answer(self, req: &HttpRequest, status: StatusCode) -> Result<HttpResponse, AppError> {
        crate::web::render_with_status(req, status, self)
    }
}

/// The authoring form as posted: the draft's fields (repeated `categories` included) and
/// which button was pressed.
struct ScenarioForm {
    raw: RawDraft,
    intent: Intent,
    /// The course and day the scenario is written for (hidden fields of that form).
    for_day: Option<(String, u8)>,
}

impl TryFrom<&[u8]> for ScenarioForm {
    type Error = AppError;

    fn try_from(body: &[u8]) -> Result<Self, AppError> {
        #[derive(serde::Deserialize)]
        struct Action {
            #[serde(default)]
            action: String,
            #[serde(default)]
            course: Option<String>,
            #[serde(default)]
            day: Option<u8>,
        }
        let raw: RawDraft = serde_html_form::from_bytes(body)
            .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))?;
        let action: Action = serde_html_form::from_bytes(body)
            .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))?;
        let for_day = action.course.filter(|c| !c.is_empty()).zip(action.day);
        let intent = match action.action.as_str() {
            "preview" => Intent::Preview,
            _ => Intent::Save,
        };
        Ok(Self {
            raw,
            intent,
            for_day,
        })
    }
}

/// The answer to a submitted form: the form again with its errors (422) or with a preview
/// of the draft, or, once saved, a redirect to the scenario with a flash.
fn submitted(
    req: &HttpRequest,
    visitor: &Visitor,
    which: Which,
    outcome: Submitted,
) -> Result<HttpResponse, AppError> {
    match outcome {
        Submitted::Invalid(raw, errors) => FormPage::new(visitor, &which, raw, errors, None)
            .answer(req, StatusCode::UNPROCESSABLE_ENTITY),
        Submitted::Preview(raw, scenario) => {
            let preview = Some(ScenarioDetail::new(&scenario, None));
            FormPage::new(visitor, &which, raw, Vec::new(), preview).answer(req, StatusCode::OK)
        }
        Submitted::Saved(id) => {
            flash(req, "info", which.saved());
            Ok(see_other(&format!("/scenarios/{id}")))
        }
    }
}

/// `?course=…&day=N`: the form for a day of the creator's course, filled from the day.
#[derive(serde::Deserialize)]
struct NewQuery {
    course: Option<String>,
    day: Option<u8>,
}

async fn new(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user(&req.uri().to_string())?.clone();
    let NewQuery { course, day } = query.into_inner();
    let (which, raw) = match course.zip(day) {
        Some((course, day)) => {
            let t = day_scenario::target(&state.ctx, user, course, day).await?;
            (Which::from(&t), t.prefill)
        }
        None => (Which::New, RawDraft::new_form()),
    };
    FormPage::new(&visitor, &which, raw, Vec::new(), None).answer(&req, StatusCode::OK)
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/scenarios/new")?.clone();
    let form = ScenarioForm::try_from(&body[..])?;
    if let Some((course, day)) = form.for_day {
        let outcome =
            day_scenario::create(&state.ctx, user, course, day, form.raw, form.intent).await?;
        return for_day(&req, &visitor, outcome);
    }
    let outcome = authoring::create(&state.ctx, user, form.raw, form.intent).await?;
    submitted(&req, &visitor, Which::New, outcome)
}

/// The answer to the form for a day: the form again, or back to the course at that day.
fn for_day(
    req: &HttpRequest,
    visitor: &Visitor,
    outcome: ForDay,
) -> Result<HttpResponse, AppError> {
    let (course_id, day) = match outcome {
        ForDay::Form(form) => {
            let (outcome, target) = *form;
            return submitted(req, visitor, Which::from(&target), outcome);
        }
        ForDay::Linked { course_id, day } => {
            flash(
                req,
                "info",
                format!("Your scenario is saved and is now day {day}'s scenario."),
            );
            (course_id, day)
        }
        ForDay::NotLinked {
            course_id,
            day,
            message,
        } => {
            flash(
                req,
                "error",
                format!(
                    "Your scenario is saved, but it could not be put into day {day}: {message}"
                ),
            );
            (course_id, day)
        }
    };
    Ok(see_other(&format!(
        "/creator/courses/{course_id}#day-{day}"
    )))
}

async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = visitor
        .require_user(&format!("/scenarios/{id}/edit"))?
        .clone();
    let scenario = authoring::editable(&state.ctx, user, id.clone()).await?;
    let raw = RawDraft::from_scenario(&scenario);
    FormPage::new(&visitor, &Which::Edit(id), raw, Vec::new(), None).answer(&req, StatusCode::OK)
}

async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = visitor
        .require_user(&format!("/scenarios/{id}/edit"))?
        .clone();
    let form = ScenarioForm::try_from(&body[..])?;
    let outcome = authoring::update(&state.ctx, user, id.clone(), form.raw, form.intent).await?;
    submitted(&req, &visitor, Which::Edit(id), outcome)
}

async fn deactivate(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = visitor.require_user(&format!("/scenarios/{id}"))?.clone();
    authoring::deactivate(&state.ctx, user, id).await?;
    flash(
        &req,
        "info",
        "The scenario is deactivated: it no longer appears in the catalog.",
    );
    Ok(see_other("/me/scenarios"))
}
