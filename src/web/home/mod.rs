//! `/`: what Kaiwa is, the languages offered, featured scenarios and the pricing summary.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;

use crate::app::home::{self, Overview};
use crate::web::components::ScenarioCard;
use crate::web::error::AppError;
use crate::web::layout::Layout;
use crate::web::visitor::Visitor;
use crate::web::{render, AppState};

mod views;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index));
}

#[derive(Template, WebTemplate)]
#[template(path = "home/index.html")]
struct IndexPage {
    layout: Layout,
    languages: Vec<views::LanguageChip>,
    featured: Vec<ScenarioCard>,
    tiers: Vec<views::TierSummary>,
    scenario_count: i64,
}

impl IndexPage {
    fn new(layout: Layout, overview: &Overview) -> Self {
        Self {
            layout,
            languages: overview
                .languages
                .iter()
                .map(views::LanguageChip::from)
                .collect(),
            featured: overview.featured.iter().map(ScenarioCard::from).collect(),
            tiers: overview
                .tiers
                .iter()
                .map(views::TierSummary::from)
                .collect(),
            scenario_count: overview.scenario_count,
        }
    }
}

async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let overview = home::overview(&state.ctx).await?;
    let layout = visitor.public_layout(
        "Kaiwa — practise real conversations in a new language",
        "Role-play real situations with an AI conversation partner: order food, ask for \
         directions, ace an interview. Reading aids, gentle corrections and a 4-week path.",
    );
    let page = IndexPage::new(layout.canonical(state.url("/")), &overview);
    render(&req, page)
}
