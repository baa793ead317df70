//! A learner's own relation with scenarios: save/unsave, a 1–5 rating and private notes on
//! a scenario page (htmx swaps the panel; without JS the form posts and redirects back),
//! and `/me/scenarios` (saved, in progress, completed, written by you).

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::views::{ProgressView, ScenarioCard};
use crate::app::catalog::{self, CatalogError, ProgressChange};
use crate::db::queries;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/scenarios/{id}/save", web::post().to(save))
        .route("/scenarios/{id}/rating", web::post().to(rate))
        .route("/scenarios/{id}/notes", web::post().to(notes))
        .route("/me/scenarios", web::get().to(mine));
}

#[derive(Template)]
#[template(path = "catalog/show.html", block = "progress")]
struct ProgressFragment {
    layout: Layout,
    progress: Option<ProgressView>,
    error: String,
}

async fn apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: String,
    change: ProgressChange,
) -> Result<HttpResponse, AppError> {
    let back = format!("/scenarios/{id}");
    let user = visitor.require_user(&back)?.clone();
    let htmx = req.headers().contains_key("hx-request");
    let (u, sid) = (user.clone(), id.clone());
    let result = state
        .db(move |c| {
            Ok(catalog::update_progress(
                c,
                &u,
                &sid,
                change,
                Utc::now().naive_utc(),
            ))
        })
        .await?;
    let (progress, error, status) = match result {
        Ok(p) => (Some(p), String::new(), actix_web::http::StatusCode::OK),
        Err(CatalogError::Invalid(m)) => {
            let (u2, sid2) = (user.id.clone(), id.clone());
            let current = state
                .db(move |c| Ok(queries::progress::find(c, &u2, &sid2)?))
                .await?;
            (
                current,
                m,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => return Err(e.into()),
    };
    if !htmx && error.is_empty() {
        return Ok(HttpResponse::SeeOther()
            .insert_header(("Location", back))
            .finish());
    }
    if !htmx {
        return Err(AppError::Unprocessable(error));
    }
    let fragment = ProgressFragment {
        layout: visitor.layout("", ""),
        progress: Some(ProgressView::new(&id, progress.as_ref())),
        error,
    };
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(fragment.render()?))
}

#[derive(Deserialize)]
struct SaveForm {
    saved: String,
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<SaveForm>,
) -> Result<HttpResponse, AppError> {
    let saved = match form.saved.as_str() {
        "true" => true,
        "false" => false,
        _ => {
            return Err(AppError::Unprocessable(
                "Say whether to save or unsave.".into(),
            ))
        }
    };
    apply(
        req,
        state,
        visitor,
        id.into_inner(),
        ProgressChange::Save(saved),
    )
    .await
}

#[derive(Deserialize)]
struct RatingForm {
    #[serde(default)]
    rating: String,
}

async fn rate(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<RatingForm>,
) -> Result<HttpResponse, AppError> {
    let rating = match form.rating.trim() {
        "" | "0" => None,
        r => Some(
            r.parse::<i32>()
                .map_err(|_| AppError::Unprocessable("Rate from 1 to 5 stars.".into()))?,
        ),
    };
    apply(
        req,
        state,
        visitor,
        id.into_inner(),
        ProgressChange::Rate(rating),
    )
    .await
}

#[derive(Deserialize)]
struct NotesForm {
    #[serde(default)]
    notes: String,
}

async fn notes(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<NotesForm>,
) -> Result<HttpResponse, AppError> {
    apply(
        req,
        state,
        visitor,
        id.into_inner(),
        ProgressChange::Notes(form.into_inner().notes),
    )
    .await
}

#[derive(Template)]
#[template(path = "catalog/mine.html")]
struct MinePage {
    layout: Layout,
    saved: Vec<ScenarioCard>,
    in_progress: Vec<ScenarioCard>,
    completed: Vec<ScenarioCard>,
    authored: Vec<ScenarioCard>,
}

async fn mine(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/me/scenarios")?.clone();
    let uid = user.id.clone();
    let (rows, authored) = state
        .db(move |c| {
            Ok((
                queries::progress::list_for_user(c, &uid)?,
                queries::scenarios::list_by_author(c, &uid)?,
            ))
        })
        .await?;
    let cards =
        |pred: &dyn Fn(&crate::db::models::UserScenarioProgress) -> bool| -> Vec<ScenarioCard> {
            rows.iter()
                .filter(|(p, s)| pred(p) && catalog::can_view(s, Some(&user)))
                .map(|(_, s)| ScenarioCard::from(s))
                .collect()
        };
    crate::web::render(&MinePage {
        layout: visitor.layout(
            "My scenarios — Kaiwa",
            "Your saved, ongoing and completed scenarios.",
        ),
        saved: cards(&|p| p.is_saved),
        in_progress: cards(&|p| p.times_attempted > 0 && p.times_completed == 0),
        completed: cards(&|p| p.times_completed > 0),
        authored: authored.iter().map(ScenarioCard::from).collect(),
    })
}
