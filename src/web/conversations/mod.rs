//! Conversations. Until the AI partner lands (the conversations issue), `/conversations/new`
//! shows what the conversation will be and how it opens, so "Start conversation" leads
//! somewhere honest.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::catalog;
use crate::error::AppError;
use crate::web::catalog::views::ScenarioDetail;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/conversations/new", web::get().to(new));
}

#[derive(Deserialize)]
struct NewQuery {
    scenario_id: Option<String>,
}

#[derive(Template)]
#[template(path = "conversations/new.html")]
struct NewPage {
    layout: Layout,
    scenario: Option<ScenarioDetail>,
}

async fn new(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let scenario = match query.into_inner().scenario_id {
        Some(id) => {
            let viewer = visitor.user.clone();
            let view = state
                .db(move |c| Ok(catalog::show(c, &id, viewer.as_ref())?))
                .await?;
            Some(ScenarioDetail::new(&view.scenario, view.metadata.as_ref()))
        }
        None => None,
    };
    crate::web::render(&NewPage {
        layout: visitor.layout(
            "Start a conversation — Kaiwa",
            "Practise with an AI partner.",
        ),
        scenario,
    })
}
