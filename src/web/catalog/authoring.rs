//! Creators' forms: `/scenarios/new`, `/scenarios/{id}/edit` (each with a preview that
//! saves nothing) and `/scenarios/{id}/deactivate`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;

use super::views::{self, ScenarioDetail};
use crate::app::catalog::authoring::{self, Draft, FieldErrors, RawDraft};
use crate::app::catalog::CatalogError;
use crate::db::json::Persona;
use crate::db::models::Scenario;
use crate::db::types::{CefrLevel, Difficulty, Json, LearningGoal, ScenarioRole, Skill};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::{flash, Visitor};
use crate::web::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/scenarios/new", web::get().to(new))
        .route("/scenarios", web::post().to(create))
        .route("/scenarios/{id}/edit", web::get().to(edit))
        .route("/scenarios/{id}/edit", web::post().to(update))
        .route("/scenarios/{id}/deactivate", web::post().to(deactivate));
}

/// A select's options: (value, label, selected).
type Options = Vec<(String, String, bool)>;

fn opts(values: &[(&str, String)], current: &str) -> Options {
    values
        .iter()
        .map(|(v, l)| (v.to_string(), l.clone(), *v == current))
        .collect()
}

#[derive(Template)]
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
}

impl FormPage {
    fn new(
        visitor: &Visitor,
        action: String,
        heading: &str,
        raw: RawDraft,
        errors: FieldErrors,
        preview: Option<ScenarioDetail>,
    ) -> Self {
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
            action,
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
        }
    }
}

/// Reads the authoring form (repeated `categories` fields included) and whether it asks for a preview.
fn read_form(body: &[u8]) -> Result<(RawDraft, bool), AppError> {
    #[derive(serde::Deserialize)]
    struct Action {
        #[serde(default)]
        action: String,
    }
    let raw: RawDraft = serde_html_form::from_bytes(body)
        .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))?;
    let action: Action = serde_html_form::from_bytes(body).unwrap_or(Action {
        action: String::new(),
    });
    Ok((raw, action.action == "preview"))
}

/// What the scenario page would show for a draft.
fn preview_of(d: &Draft) -> ScenarioDetail {
    let now = Utc::now().naive_utc();
    let s = Scenario {
        id: "preview".into(),
        title: d.title.clone(),
        description: d.description.clone(),
        role: d.role,
        difficulty: d.difficulty,
        difficulty_rating: d.difficulty_rating,
        cefr_level: d.cefr_level,
        instructions: d.instructions.clone(),
        context: d.context.clone(),
        learning_goal: d.learning_goal,
        cefr_recommendation: d.cefr_recommendation.clone(),
        persona: Json(Persona {
            ..d.persona.clone()
        }),
        expected_outcome: d.expected_outcome.clone(),
        learning_objectives: Json(d.objectives.clone()),
        comfort_indicators: Json(d.comfort),
        categories: Json(d.categories.clone()),
        tags: Json(d.tags.clone()),
        primary_skill: d.primary_skill,
        search_keywords: Json(d.search_keywords.clone()),
        thumbnail_url: d.thumbnail_url.clone(),
        estimated_duration_seconds: d.estimated_duration_seconds,
        created_by_user_id: None,
        visibility: d.visibility,
        usage_count: 0,
        is_active: true,
        created_at: now,
        updated_at: now,
        search_title: String::new(),
        search_body: String::new(),
    };
    ScenarioDetail::new(&s, None)
}

fn render_form(status: StatusCode, page: FormPage) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// A valid draft to save, or the form to show again: with its errors (422), or with a
/// preview of the draft when that is what was asked (nothing saved).
fn draft_or_form(
    visitor: &Visitor,
    action: String,
    heading: &str,
    raw: RawDraft,
    preview: bool,
) -> Result<Result<Draft, HttpResponse>, AppError> {
    match authoring::validate(&raw) {
        Err(errors) => {
            let page = FormPage::new(visitor, action, heading, raw, errors, None);
            render_form(StatusCode::UNPROCESSABLE_ENTITY, page).map(Err)
        }
        Ok(d) if preview => {
            let page = FormPage::new(
                visitor,
                action,
                heading,
                raw,
                Vec::new(),
                Some(preview_of(&d)),
            );
            render_form(StatusCode::OK, page).map(Err)
        }
        Ok(d) => Ok(Ok(d)),
    }
}

async fn new(visitor: Visitor) -> Result<HttpResponse, AppError> {
    visitor.require_user("/scenarios/new")?;
    let raw = RawDraft {
        visibility: "public".into(),
        estimated_minutes: "10".into(),
        ..Default::default()
    };
    render_form(
        StatusCode::OK,
        FormPage::new(
            &visitor,
            "/scenarios".into(),
            "Write a scenario",
            raw,
            Vec::new(),
            None,
        ),
    )
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/scenarios/new")?.clone();
    let (raw, preview) = read_form(&body)?;
    match draft_or_form(
        &visitor,
        "/scenarios".into(),
        "Write a scenario",
        raw,
        preview,
    )? {
        Err(form) => Ok(form),
        Ok(d) => {
            let id = state
                .db(move |c| Ok(authoring::create(c, &user, d, Utc::now().naive_utc())?))
                .await?;
            flash(&req, "info", "Your scenario is saved.");
            Ok(HttpResponse::SeeOther()
                .insert_header(("Location", format!("/scenarios/{id}")))
                .finish())
        }
    }
}

async fn edit(
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = visitor
        .require_user(&format!("/scenarios/{id}/edit"))?
        .clone();
    let i = id.clone();
    let scenario = state
        .db(move |c| Ok(authoring::find_own(c, &user, &i)?))
        .await?;
    let raw = RawDraft::from_scenario(&scenario);
    render_form(
        StatusCode::OK,
        FormPage::new(
            &visitor,
            format!("/scenarios/{id}/edit"),
            "Edit your scenario",
            raw,
            Vec::new(),
            None,
        ),
    )
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
    let (u, i) = (user.clone(), id.clone());
    state
        .db(move |c| Ok(authoring::find_own(c, &u, &i)?))
        .await?;
    let (raw, preview) = read_form(&body)?;
    match draft_or_form(
        &visitor,
        format!("/scenarios/{id}/edit"),
        "Edit your scenario",
        raw,
        preview,
    )? {
        Err(form) => Ok(form),
        Ok(d) => {
            let i = id.clone();
            state
                .db(move |c| Ok(authoring::update(c, &user, &i, d, Utc::now().naive_utc())?))
                .await?;
            flash(&req, "info", "Your changes are saved.");
            Ok(HttpResponse::SeeOther()
                .insert_header(("Location", format!("/scenarios/{id}")))
                .finish())
        }
    }
}

async fn deactivate(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = visitor.require_user(&format!("/scenarios/{id}"))?.clone();
    let i = id.clone();
    let result = state
        .db(move |c| Ok(authoring::deactivate(c, &user, &i, Utc::now().naive_utc())))
        .await?;
    match result {
        Ok(()) => {
            flash(
                &req,
                "info",
                "The scenario is deactivated: it no longer appears in the catalog.",
            );
            Ok(HttpResponse::SeeOther()
                .insert_header(("Location", "/me/scenarios"))
                .finish())
        }
        Err(CatalogError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}
