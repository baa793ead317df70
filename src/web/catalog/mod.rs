//! `/scenarios` and `/scenarios/{id}`: the public catalog and a scenario's page.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::catalog;
use crate::error::AppError;
use crate::web::layout::Layout;
use crate::web::{render, AppState};

pub mod views;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/scenarios", web::get().to(index))
        .route("/scenarios/{id}", web::get().to(show));
}

#[derive(Deserialize)]
struct IndexQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "catalog/index.html")]
struct IndexPage {
    layout: Layout,
    cards: Vec<views::ScenarioCard>,
    total: i64,
    page: i64,
    pages: i64,
}

async fn index(
    state: web::Data<AppState>,
    query: web::Query<IndexQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.page.unwrap_or(1);
    let listing = state.db(move |c| Ok(catalog::list(c, page)?)).await?;
    render(&IndexPage {
        layout: Layout::new(
            "Scenarios — Kaiwa",
            "Browse role-play conversations by situation and level.",
        )
        .canonical(state.url("/scenarios")),
        cards: listing
            .scenarios
            .iter()
            .map(views::ScenarioCard::from)
            .collect(),
        total: listing.total,
        page: listing.page,
        pages: listing.pages,
    })
}

#[derive(Template)]
#[template(path = "catalog/show.html")]
struct ShowPage {
    layout: Layout,
    scenario: views::ScenarioDetail,
}

async fn show(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (scenario, metadata) = state
        .db(move |c| catalog::show(c, &id)?.ok_or(AppError::NotFound))
        .await?;
    let detail = views::ScenarioDetail::new(&scenario, metadata.as_ref());
    render(&ShowPage {
        layout: Layout::new(
            format!("{} — Kaiwa", scenario.title),
            scenario.description.clone(),
        )
        .canonical(state.url(&format!("/scenarios/{}", scenario.id))),
        scenario: detail,
    })
}
