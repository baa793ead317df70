//! A learner's own relation with scenarios: save/unsave, a 1–5 rating and private notes on
//! a scenario page (htmx swaps the panel; without JS the form posts and redirects back),
//! and `/me/scenarios` (saved, in progress, completed, written by you).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::views::{ProgressView, ScenarioCard, StatsView};
use super::{is_htmx, see_other};
use crate::app::catalog::progress::{self, MyScenarios, ProgressChange, ProgressUpdate};
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/scenarios", web::get().to(mine));
}

/// The routes under `/scenarios`.
pub fn scenario_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{id}/save", web::post().to(save))
        .route("/{id}/rating", web::post().to(rate))
        .route("/{id}/notes", web::post().to(notes));
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/show.html", block = "progress")]
struct ProgressFragment {
    layout: Layout,
    progress: Option<ProgressView>,
    error: String,
    /// The save count and rating, swapped out of band into the page's `#stats`.
    stats: Option<StatsView>,
}

impl ProgressFragment {
    /// The panel after a change to scenario `id`: 422 with the reason when it was refused.
    fn answer(
        req: &HttpRequest,
        visitor: &Visitor,
        id: &str,
        update: ProgressUpdate,
    ) -> Result<HttpResponse, AppError> {
        let status = match update.refused {
            Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
            None => StatusCode::OK,
        };
        let fragment = Self {
            layout: visitor.layout("", ""),
            progress: Some(ProgressView::new(id, update.progress.as_ref())),
            error: update.refused.unwrap_or_default(),
            stats: Some(StatsView::new(update.metadata.as_ref())),
        };
        crate::web::render_with_status(req, status, fragment)
    }
}

/// Applies `change` to scenario `id` for the signed-in learner: htmx gets the panel, a plain
/// form post a redirect back to the scenario (or the error page when refused).
async fn apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: String,
    change: ProgressChange,
) -> Result<HttpResponse, AppError> {
    let back = format!("/scenarios/{id}");
    let user = visitor.require_user(&back)?.clone();
    let update = progress::change(&state.ctx, user, id.clone(), change).await?;
    match update.refused {
        _ if is_htmx(&req) => ProgressFragment::answer(&req, &visitor, &id, update),
        Some(reason) => Err(AppError::Unprocessable(reason)),
        None => Ok(see_other(&back)),
    }
}

#[derive(Deserialize)]
struct SaveForm {
    saved: String,
}

impl TryFrom<SaveForm> for ProgressChange {
    type Error = AppError;

    fn try_from(form: SaveForm) -> Result<Self, AppError> {
        match form.saved.as_str() {
            "true" => Ok(ProgressChange::Save(true)),
            "false" => Ok(ProgressChange::Save(false)),
            _ => Err(AppError::Unprocessable(
                "Say whether to save or unsave.".into(),
            )),
        }
    }
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<SaveForm>,
) -> Result<HttpResponse, AppError> {
    let change = ProgressChange::try_from(form.into_inner())?;
    apply(req, state, visitor, id.into_inner(), change).await
}

#[derive(Deserialize)]
struct RatingForm {
    #[serde(default)]
    rating: String,
}

impl TryFrom<RatingForm> for ProgressChange {
    type Error = AppError;

    fn try_from(form: RatingForm) -> Result<Self, AppError> {
        let rating = match form.rating.trim() {
            "" | "0" => None,
            r => Some(
                r.parse::<i32>()
                    .map_err(|_| AppError::Unprocessable("Rate from 1 to 5 stars.".into()))?,
            ),
        };
        Ok(ProgressChange::Rate(rating))
    }
}

async fn rate(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<RatingForm>,
) -> Result<HttpResponse, AppError> {
    let change = ProgressChange::try_from(form.into_inner())?;
    apply(req, state, visitor, id.into_inner(), change).await
}

#[derive(Deserialize)]
struct NotesForm {
    #[serde(default)]
    notes: String,
}

impl From<NotesForm> for ProgressChange {
    fn from(form: NotesForm) -> Self {
        ProgressChange::Notes(form.notes)
    }
}

async fn notes(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    id: web::Path<String>,
    form: web::Form<NotesForm>,
) -> Result<HttpResponse, AppError> {
    let change = ProgressChange::from(form.into_inner());
    apply(req, state, visitor, id.into_inner(), change).await
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/mine.html")]
struct MinePage {
    layout: Layout,
    saved: Vec<ScenarioCard>,
    in_progress: Vec<ScenarioCard>,
    completed: Vec<ScenarioCard>,
    authored: Vec<ScenarioCard>,
}

impl MinePage {
    fn new(layout: Layout, mine: MyScenarios) -> Self {
        let cards = |list: Vec<_>| list.iter().map(ScenarioCard::from).collect();
        Self {
            layout,
            saved: cards(mine.saved),
            in_progress: cards(mine.in_progress),
            completed: cards(mine.completed),
            authored: cards(mine.authored),
        }
    }
}

async fn mine(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let user = visitor.require_user("/me/scenarios")?.clone();
    let mine = progress::mine(&state.ctx, user).await?;
    let layout = visitor.layout(
        "My scenarios — Kaiwa",
        "Your saved, ongoing and completed scenarios.",
    );
    crate::web::render(&req, MinePage::new(layout, mine))
}
